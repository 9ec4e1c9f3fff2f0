//! JSON: Helm's `toJson`, `fromJson`, `fromJsonArray` (pkg/engine/funcs.go; they replace
//! Sprig's), Helm v4's `mustToJson`, and Sprig v3.3.0 defaults.go's `toPrettyJson`,
//! `toRawJson`, `mustFromJson`, `mustToPrettyJson`, `mustToRawJson`. Encoding is Go's
//! `json.Marshal`: map keys sorted, `<`, `>`, `&` escaped (not by the raw variants), floats in
//! Go's form (`1e+21`, `1e-7`), NaN and a map that contains itself are errors.

use std::collections::BTreeMap;

use super::{MAX_DEPTH, args_n, as_str, new_map, s};
use crate::helm::value::Value;
use crate::kustomize::hash::go_json_string_with;

type R = Result<Value, String>;

/// Go's `json.Marshal` float64 text.
fn go_json_float(f: f64) -> Result<String, String> {
    if !f.is_finite() {
        return Err(format!(
            "json: unsupported value: {}",
            crate::helm::value::go_float(f)
        ));
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let text = format!("{f:e}");
        let (mant, exp) = text.split_once('e').unwrap_or((&text, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let sign = if exp < 0 { '-' } else { '+' };
        return Ok(format!("{mant}e{sign}{}", exp.abs()));
    }
    Ok(format!("{f}"))
}

struct Enc<'a> {
    escape_html: bool,
    indent: Option<&'a str>,
    out: String,
}

impl Enc<'_> {
    fn newline(&mut self, level: usize) {
        if let Some(ind) = self.indent {
            self.out.push('\n');
            for _ in 0..level {
                self.out.push_str(ind);
            }
        }
    }

    fn value(&mut self, v: &Value, level: usize) -> Result<(), String> {
        if level > MAX_DEPTH {
            return Err(
                "json: unsupported value: encountered a cycle via map[string]interface {}"
                    .to_owned(),
            );
        }
        match v {
            Value::Nil => self.out.push_str("null"),
            Value::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => self.out.push_str(&i.to_string()),
            Value::Float(f) => self.out.push_str(&go_json_float(*f)?),
            Value::Str(st) => go_json_string_with(&st.text, self.escape_html, &mut self.out),
            Value::List(items) => {
                if items.is_empty() {
                    self.out.push_str("[]");
                    return Ok(());
                }
                self.out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.newline(level + 1);
                    self.value(item, level + 1)?;
                }
                self.newline(level);
                self.out.push(']');
            }
            Value::Map(m) => {
                let m = m.try_borrow().map_err(|_| {
                    "json: unsupported value: encountered a cycle via map[string]interface {}"
                        .to_owned()
                })?;
                if m.is_empty() {
                    self.out.push_str("{}");
                    return Ok(());
                }
                self.out.push('{');
                for (i, (k, item)) in m.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.newline(level + 1);
                    go_json_string_with(k, self.escape_html, &mut self.out);
                    self.out.push(':');
                    if self.indent.is_some() {
                        self.out.push(' ');
                    }
                    self.value(item, level + 1)?;
                }
                self.newline(level);
                self.out.push('}');
            }
            Value::Object(o) => match o.to_data() {
                Value::Nil => go_json_string_with(&o.display(), self.escape_html, &mut self.out),
                data => self.value(&data, level + 1)?,
            },
        }
        if self.out.len() > super::MAX_STRING {
            return Err(format!(
                "json: the text is longer than the limit of {} bytes",
                super::MAX_STRING
            ));
        }
        Ok(())
    }
}

/// Go's `json.Marshal` (or `MarshalIndent(v, "", indent)`) of a value.
pub(crate) fn marshal(
    v: &Value,
    escape_html: bool,
    indent: Option<&str>,
) -> Result<String, String> {
    let mut e = Enc {
        escape_html,
        indent,
        out: String::new(),
    };
    e.value(v, 0)?;
    Ok(e.out)
}

pub(crate) fn helm_to_json(args: &[Value]) -> R {
    let [v] = args_n("toJson", args)?;
    Ok(s(marshal(v, true, None).unwrap_or_default()))
}

pub(crate) fn must_to_json(args: &[Value]) -> R {
    let [v] = args_n("mustToJson", args)?;
    Ok(s(marshal(v, true, None)?))
}

pub(crate) fn to_pretty_json(args: &[Value]) -> R {
    let [v] = args_n("toPrettyJson", args)?;
    Ok(s(marshal(v, true, Some("  ")).unwrap_or_default()))
}

pub(crate) fn must_to_pretty_json(args: &[Value]) -> R {
    let [v] = args_n("mustToPrettyJson", args)?;
    Ok(s(marshal(v, true, Some("  "))?))
}

/// `toRawJson`: no HTML escaping (Sprig panics on an encoding error: an error here too).
pub(crate) fn to_raw_json(args: &[Value]) -> R {
    let [v] = args_n("toRawJson", args)?;
    Ok(s(marshal(v, false, None)?))
}

pub(crate) fn must_to_raw_json(args: &[Value]) -> R {
    let [v] = args_n("mustToRawJson", args)?;
    Ok(s(marshal(v, false, None)?))
}

/// Go's `json.Unmarshal` into an `interface{}`: numbers are float64.
pub(crate) fn parse_json(text: &str) -> Result<Value, String> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        if e.is_eof() {
            "unexpected end of JSON input".to_owned()
        } else {
            // serde_json counts columns from 1 on the error's line.
            let line = text.lines().nth(e.line().saturating_sub(1)).unwrap_or("");
            let c = line
                .chars()
                .nth(e.column().saturating_sub(1))
                .unwrap_or(' ');
            format!("invalid character '{c}' looking for beginning of value")
        }
    })?;
    Ok(from_serde(&v))
}

fn from_serde(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Nil,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => Value::Float(n.as_f64().unwrap_or(0.0)),
        serde_json::Value::String(st) => Value::str(st.as_str()),
        serde_json::Value::Array(items) => Value::list(items.iter().map(from_serde).collect()),
        serde_json::Value::Object(m) => new_map(
            m.iter()
                .map(|(k, v)| (k.clone(), from_serde(v)))
                .collect::<BTreeMap<_, _>>(),
        ),
    }
}

/// The JSON kind Go's decoder names in "cannot unmarshal X into Go value of type T".
pub(super) fn kind_word(v: &Value) -> &'static str {
    match v {
        Value::List(_) => "array",
        Value::Map(_) => "object",
        Value::Str(_) => "string",
        Value::Bool(_) => "bool",
        _ => "number",
    }
}

/// Helm's `fromJson`: a map; an error in its `Error` key.
pub(crate) fn helm_from_json(args: &[Value]) -> R {
    let [text] = args_n("fromJson", args)?;
    let mut m = BTreeMap::new();
    match parse_json(as_str(text)?) {
        Ok(Value::Map(v)) => return Ok(Value::Map(v)),
        Ok(Value::Nil) => {}
        Ok(other) => {
            m.insert(
                "Error".to_owned(),
                s(format!(
                    "json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                    kind_word(&other)
                )),
            );
        }
        Err(e) => {
            m.insert("Error".to_owned(), s(e));
        }
    }
    Ok(new_map(m))
}

/// Helm's `fromJsonArray`: a list; an error as its only element.
pub(crate) fn from_json_array(args: &[Value]) -> R {
    let [text] = args_n("fromJsonArray", args)?;
    Ok(match parse_json(as_str(text)?) {
        Ok(Value::List(l)) => Value::List(l),
        Ok(Value::Nil) => Value::list(Vec::new()),
        Ok(other) => Value::list(vec![s(format!(
            "json: cannot unmarshal {} into Go value of type []interface {{}}",
            kind_word(&other)
        ))]),
        Err(e) => Value::list(vec![s(e)]),
    })
}

/// Sprig's `mustFromJson`: any JSON value, or the error.
pub(crate) fn must_from_json(args: &[Value]) -> R {
    let [text] = args_n("mustFromJson", args)?;
    parse_json(as_str(text)?)
}

#[cfg(test)]
mod tests {
    use super::super::testing::{call, check_all, map_of, render};
    use crate::helm::value::Value;

    fn st(x: &str) -> Value {
        Value::str(x)
    }

    // helm/helm v3.21.4 pkg/engine/funcs_test.go (JSON cases) and Sprig v3.3.0
    // defaults_test.go (TestToJson, TestToPrettyJson, TestToRawJson, TestFromJson).
    #[test]
    fn helm_and_sprig_json_cases() {
        assert_eq!(
            call("toJson", &[map_of(vec![("foo", st("bar"))])])
                .unwrap()
                .go_string(),
            r#"{"foo":"bar"}"#
        );
        for (tpl, data, want) in [
            (
                "{{ fromJson . }}",
                r#"{"hello":"world"}"#,
                "map[hello:world]",
            ),
            (
                "{{ fromJson . }}",
                r#"["one", "two"]"#,
                "map[Error:json: cannot unmarshal array into Go value of type map[string]interface {}]",
            ),
            (
                "{{ fromJsonArray . }}",
                r#"["one", 2, { "name": "helm" }]"#,
                "[one 2 map[name:helm]]",
            ),
            (
                "{{ fromJsonArray . }}",
                r#"{"hello": "world"}"#,
                "[json: cannot unmarshal object into Go value of type []interface {}]",
            ),
        ] {
            assert_eq!(render(tpl, &st(data)).unwrap(), want, "{tpl} {data}");
        }
        let data = map_of(vec![(
            "Top",
            map_of(vec![
                ("bool", Value::Bool(true)),
                ("string", st("test")),
                ("number", Value::Int(42)),
                ("html", st("<HEAD>")),
            ]),
        )]);
        assert_eq!(
            render("{{ .Top | toJson }}", &data).unwrap(),
            r#"{"bool":true,"html":"\u003cHEAD\u003e","number":42,"string":"test"}"#
        );
        assert_eq!(
            render("{{ .Top | toRawJson }}", &data).unwrap(),
            r#"{"bool":true,"html":"<HEAD>","number":42,"string":"test"}"#
        );
        assert_eq!(
            render("{{ .Top | toPrettyJson }}", &data).unwrap(),
            "{\n  \"bool\": true,\n  \"html\": \"\\u003cHEAD\\u003e\",\n  \"number\": 42,\n  \"string\": \"test\"\n}"
        );
        check_all(&[
            (r#"{{ mustFromJson "{\"a\": [1, 2]}" }}"#, "map[a:[1 2]]"),
            (
                r#"{{ toJson (list 1.5 1e21 0.0000001 3.0) }}"#,
                "[1.5,1e+21,1e-7,3]",
            ),
            (r#"{{ toPrettyJson (dict) }}"#, "{}"),
        ]);
    }

    #[test]
    fn cycles_and_errors() {
        let m = call("dict", &[]).unwrap();
        call("set", &[m.clone(), st("self"), m.clone()]).unwrap();
        assert_eq!(
            call("toJson", std::slice::from_ref(&m))
                .unwrap()
                .go_string(),
            ""
        );
        assert!(
            call("mustToJson", std::slice::from_ref(&m))
                .unwrap_err()
                .contains("cycle")
        );
        call("unset", &[m, st("self")]).unwrap();
        assert!(call("mustFromJson", &[st("{")]).is_err());
        assert_eq!(
            call("fromJson", &[st("xyz")]).unwrap().go_string(),
            "map[Error:invalid character 'x' looking for beginning of value]"
        );
    }
}
