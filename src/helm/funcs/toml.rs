//! Helm's `toToml`, `fromToml` (pkg/engine/funcs.go) and v4's `mustToToml`. Encoding follows
//! BurntSushi/toml's `Encoder` (encode.go): a table's plain keys first, then its sub-tables and
//! arrays of tables, keys sorted, nested keys indented two spaces per level, floats always
//! with a decimal point, nil values skipped. Decoding uses the `toml` crate; an error goes
//! into the map's `Error` key (its wording is the crate's, not BurntSushi's).

use std::collections::BTreeMap;

use super::{MAX_DEPTH, args_n, as_str, new_map, s, too_deep};
use crate::helm::value::Value;

type R = Result<Value, String>;

fn is_table(v: &Value) -> bool {
    matches!(v, Value::Map(_))
}

fn is_table_array(v: &Value) -> bool {
    matches!(v, Value::List(items) if !items.is_empty() && items.iter().all(is_table))
}

fn bare_key(k: &str) -> bool {
    !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn quote_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn key_part(k: &str) -> String {
    if bare_key(k) {
        k.to_owned()
    } else {
        quote_string(k)
    }
}

fn key_path(key: &[String]) -> String {
    key.iter()
        .map(|k| key_part(k))
        .collect::<Vec<_>>()
        .join(".")
}

struct Enc {
    out: String,
}

impl Enc {
    fn newline(&mut self) {
        if !self.out.is_empty() {
            self.out.push('\n');
        }
    }

    fn indent(key: &[String]) -> String {
        "  ".repeat(key.len().saturating_sub(1))
    }

    fn element(&mut self, v: &Value, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(too_deep("toToml"));
        }
        super::check_len("toToml", self.out.len())?;
        match v {
            Value::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => self.out.push_str(&i.to_string()),
            Value::Float(f) => {
                if f.is_nan() {
                    self.out.push_str("nan");
                } else if f.is_infinite() {
                    self.out.push_str(if *f > 0.0 { "inf" } else { "-inf" });
                } else {
                    let text = format!("{f}");
                    self.out.push_str(&text);
                    if !text.contains('.') {
                        self.out.push_str(".0");
                    }
                }
            }
            Value::Str(st) => self.out.push_str(&quote_string(&st.text)),
            Value::List(items) => {
                self.out.push('[');
                let mut first = true;
                for item in items.iter().filter(|i| !matches!(i, Value::Nil)) {
                    if !first {
                        self.out.push_str(", ");
                    }
                    first = false;
                    self.element(item, depth + 1)?;
                }
                self.out.push(']');
            }
            Value::Map(m) => {
                // An inline table (a table inside an array).
                let m = m.try_borrow().map_err(|_| too_deep("toToml"))?;
                self.out.push('{');
                let mut first = true;
                for (k, item) in m.iter().filter(|(_, i)| !matches!(i, Value::Nil)) {
                    if !first {
                        self.out.push_str(", ");
                    }
                    first = false;
                    self.out.push_str(&key_part(k));
                    self.out.push_str(" = ");
                    self.element(item, depth + 1)?;
                }
                self.out.push('}');
            }
            Value::Object(o) => match o.to_data() {
                Value::Nil => self.out.push_str(&quote_string(&o.display())),
                data => self.element(&data, depth + 1)?,
            },
            Value::Nil => {}
        }
        Ok(())
    }

    fn table(&mut self, key: &[String], v: &Value, depth: usize) -> Result<(), String> {
        if depth > MAX_DEPTH {
            return Err(too_deep("toToml"));
        }
        let Value::Map(m) = v else {
            return Err("toml: top-level values must be Go maps or structs".to_owned());
        };
        if key.len() == 1 {
            self.newline();
        }
        if !key.is_empty() {
            self.out
                .push_str(&format!("{}[{}]", Enc::indent(key), key_path(key)));
            self.newline();
        }
        self.map_body(key, m, depth)
    }

    fn map_body(
        &mut self,
        key: &[String],
        m: &crate::helm::value::Map,
        depth: usize,
    ) -> Result<(), String> {
        let entries: Vec<(String, Value)> = m
            .try_borrow()
            .map_err(|_| too_deep("toToml"))?
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let (sub, direct): (Vec<_>, Vec<_>) = entries
            .into_iter()
            .partition(|(_, v)| is_table(v) || is_table_array(v));
        for (k, v) in direct.iter().chain(sub.iter()) {
            if matches!(v, Value::Nil) {
                continue;
            }
            let mut path = key.to_vec();
            path.push(k.clone());
            if is_table(v) {
                self.table(&path, v, depth + 1)?;
            } else if let Value::List(items) = v
                && is_table_array(v)
            {
                for item in items.iter() {
                    self.newline();
                    self.out
                        .push_str(&format!("{}[[{}]]", Enc::indent(&path), key_path(&path)));
                    self.newline();
                    if let Value::Map(im) = item {
                        self.map_body(&path, im, depth + 1)?;
                    }
                }
            } else {
                self.out
                    .push_str(&format!("{}{} = ", Enc::indent(&path), key_part(k)));
                self.element(v, depth + 1)?;
                self.newline();
            }
            super::check_len("toToml", self.out.len())?;
        }
        Ok(())
    }
}

fn encode(v: &Value) -> Result<String, String> {
    let mut e = Enc { out: String::new() };
    let data = match v {
        Value::Object(o) => o.to_data(),
        other => other.clone(),
    };
    e.table(&[], &data, 0)?;
    Ok(e.out)
}

/// `toToml`: an encoding error gives the error's text, as Helm does.
pub(crate) fn to_toml(args: &[Value]) -> R {
    let [v] = args_n("toToml", args)?;
    Ok(s(encode(v).unwrap_or_else(|e| e)))
}

pub(crate) fn must_to_toml(args: &[Value]) -> R {
    let [v] = args_n("mustToToml", args)?;
    Ok(s(encode(v)?))
}

fn from_toml_value(v: &toml::Value) -> Value {
    match v {
        toml::Value::String(st) => Value::str(st.as_str()),
        toml::Value::Integer(i) => Value::Int(*i),
        toml::Value::Float(f) => Value::Float(*f),
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::str(d.to_string()),
        toml::Value::Array(items) => Value::list(items.iter().map(from_toml_value).collect()),
        toml::Value::Table(t) => new_map(
            t.iter()
                .map(|(k, v)| (k.clone(), from_toml_value(v)))
                .collect::<BTreeMap<_, _>>(),
        ),
    }
}

/// `fromToml`: a map; an error in its `Error` key.
pub(crate) fn from_toml(args: &[Value]) -> R {
    let [text] = args_n("fromToml", args)?;
    let text = as_str(text)?;
    match text.parse::<toml::Table>() {
        Ok(t) => Ok(from_toml_value(&toml::Value::Table(t))),
        Err(e) => {
            let line = e.span().map_or(1, |sp| {
                text.get(..sp.start)
                    .map_or(1, |t| t.matches('\n').count() + 1)
            });
            let msg = e
                .message()
                .lines()
                .next()
                .unwrap_or("invalid TOML")
                .to_owned();
            let mut m = BTreeMap::new();
            m.insert("Error".to_owned(), s(format!("toml: line {line}: {msg}")));
            Ok(new_map(m))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{call, map_of, render};
    use crate::helm::value::Value;

    fn st(x: &str) -> Value {
        Value::str(x)
    }

    // helm/helm v3.21.4 pkg/engine/funcs_test.go (TOML cases).
    #[test]
    fn helm_funcs_toml_cases() {
        assert_eq!(
            call("toToml", &[map_of(vec![("foo", st("bar"))])])
                .unwrap()
                .go_string(),
            "foo = \"bar\"\n"
        );
        assert_eq!(
            call(
                "toToml",
                &[map_of(vec![("mast", map_of(vec![("sail", st("white"))]))])]
            )
            .unwrap()
            .go_string(),
            "[mast]\n  sail = \"white\"\n"
        );
        for (data, want) in [
            (r#"hello = "world""#, "map[hello:world]"),
            (
                "\n[table]\nkeyInTable = \"valueInTable\"\n[table.subtable]\nkeyInSubtable = \"valueInSubTable\"",
                "map[table:map[keyInTable:valueInTable subtable:map[keyInSubtable:valueInSubTable]]]",
            ),
            (
                "\n[[tableArray]]\nkeyInElement0 = \"valueInElement0\"\n[[tableArray]]\nkeyInElement1 = \"valueInElement1\"",
                "map[tableArray:[map[keyInElement0:valueInElement0] map[keyInElement1:valueInElement1]]]",
            ),
        ] {
            assert_eq!(render("{{ fromToml . }}", &st(data)).unwrap(), want);
        }
        // Helm's error text is BurntSushi's ("toml: line 1: unexpected EOF; expected key
        // separator '='"); the crate's wording differs, the place and the key are kept.
        let err = render("{{ fromToml . }}", &st("one")).unwrap();
        assert!(err.starts_with("map[Error:toml: line 1: "), "{err}");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = format!("a = {}{}", "[".repeat(100_000), "]".repeat(100_000));
        let out = call("fromToml", &[Value::str(text)]).unwrap().go_string();
        assert!(out.starts_with("map[Error:toml: line 1:"), "{out}");
    }

    #[test]
    fn burntsushi_layout() {
        let v = map_of(vec![
            ("name", st("x")),
            ("replicas", Value::Float(3.0)),
            (
                "a",
                map_of(vec![
                    ("b", map_of(vec![("c", Value::Int(1))])),
                    ("d", Value::Bool(true)),
                ]),
            ),
            ("items", Value::list(vec![map_of(vec![("k", st("v"))])])),
            ("nums", Value::list(vec![Value::Int(1), Value::Int(2)])),
            ("skip", Value::Nil),
        ]);
        assert_eq!(
            call("toToml", &[v]).unwrap().go_string(),
            "name = \"x\"\nnums = [1, 2]\nreplicas = 3.0\n\n[a]\n  d = true\n  [a.b]\n    c = 1\n\n[[items]]\n  k = \"v\"\n"
        );
        assert_eq!(
            call("toToml", &[st("x")]).unwrap().go_string(),
            "toml: top-level values must be Go maps or structs"
        );
    }
}
