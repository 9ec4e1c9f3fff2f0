//! YAML as Helm reads values and `Chart.yaml`: sigs.k8s.io/yaml (go-yaml v2, YAML 1.1 scalar
//! typing) converted through JSON, so every number is a `float64`, map keys become strings
//! (`1` → `"1"`, `true` → `"true"`), and only the first document counts. Parsed with
//! kubeward's own loader so that every string keeps where it was written
//! ([`Provenance`]) and every node's offset is known by its JSON pointer.

use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;

use crate::helm::value::{Map, Origin, Provenance, Str, Value};
use crate::load::scalar::ScalarValue;
use crate::load::{Document, NodeId, NodeKind, ProblemKind, Style, parse_source};

use super::{ChartError, RealPath};

/// Values nodes one file may expand to (aliases included): a bound on alias bombs that the
/// loader's own bound lets through, and on memory.
pub(crate) const MAX_VALUE_NODES: usize = 2_000_000;

/// A YAML file read as Helm reads it.
pub(crate) struct ReadYaml {
    /// The first document's value (`Nil` for an empty file).
    pub(crate) value: Value,
    /// The offset of every node by JSON pointer (`""` is the root).
    pub(crate) offsets: BTreeMap<String, usize>,
    pub(crate) text: Arc<str>,
}

/// Reads YAML text. `origin_name` is the name provenance gives the file
/// (`mychart/values.yaml`); `real` locates errors. Errors carry sigs.k8s.io/yaml's wording
/// (`error converting YAML to JSON: yaml: line N: ...`) and the offset.
pub(crate) fn read_yaml(
    text: &str,
    origin_name: &Arc<str>,
    real: &RealPath,
) -> Result<ReadYaml, ChartError> {
    read_yaml_with(text, origin_name, real, false)
}

/// [`read_yaml`], keeping integers as [`Value::Int`] when `ints` is set: a file decoded into a
/// struct (`Chart.yaml`) keeps go-yaml's int/float distinction, which sigs.k8s.io/yaml uses to
/// turn a number into a string field's text (`version: 2` is `"2"`, `appVersion: 1.10` is
/// `"1.1"`).
pub(crate) fn read_yaml_with(
    text: &str,
    origin_name: &Arc<str>,
    real: &RealPath,
    ints: bool,
) -> Result<ReadYaml, ChartError> {
    let source: Arc<str> = Arc::from(text);
    let loaded = parse_source(&source);
    // go-yaml v2 decodes the first document only; a syntax error inside it (or before it
    // completed) fails the file. Duplicate keys are accepted (the last wins).
    let first_problem = loaded.problems.iter().find(|p| {
        p.kind == ProblemKind::Syntax
            && (p.document.is_none_or(|d| d == 0) || loaded.documents.is_empty())
    });
    if let Some(p) = first_problem {
        let line = line_of(&source, p.span.start);
        return Err(ChartError::at(
            format!(
                "error converting YAML to JSON: yaml: line {line}: {}",
                p.message
            ),
            real.clone(),
            p.span.start,
        ));
    }
    let mut out = ReadYaml {
        value: Value::Nil,
        offsets: BTreeMap::new(),
        text: Arc::clone(&source),
    };
    let Some(doc) = loaded.documents.first() else {
        return Ok(out);
    };
    let mut conv = Converter {
        doc,
        source: &source,
        origin_name,
        offsets: &mut out.offsets,
        nodes: 0,
        real,
        ints,
    };
    let mut pointer = String::new();
    out.value = conv.convert(doc.root, &mut pointer, 0)?;
    Ok(out)
}

fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()
        .iter()
        .take(offset)
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

struct Converter<'a> {
    doc: &'a Document,
    source: &'a str,
    origin_name: &'a Arc<str>,
    offsets: &'a mut BTreeMap<String, usize>,
    nodes: usize,
    real: &'a RealPath,
    ints: bool,
}

/// Depth beyond which a values tree is refused: every later step (coalescing, the engine's
/// functions, dropping the values) recurses through it, on a thread's stack. Real values
/// nest a few levels.
pub(crate) const MAX_DEPTH: usize = 200;

impl Converter<'_> {
    fn convert(
        &mut self,
        id: NodeId,
        pointer: &mut String,
        depth: usize,
    ) -> Result<Value, ChartError> {
        self.nodes += 1;
        let span = self.doc.span(id);
        let too_much = if self.nodes > MAX_VALUE_NODES {
            Some(format!(
                "the document expands to more than {MAX_VALUE_NODES} values (an alias bomb?)"
            ))
        } else if depth > MAX_DEPTH {
            Some(format!("the document nests deeper than {MAX_DEPTH} levels"))
        } else {
            None
        };
        if let Some(what) = too_much {
            return Err(ChartError::at(
                format!("error converting YAML to JSON: {what}"),
                self.real.clone(),
                span.start,
            ));
        }
        // Aliases make several pointers for one node: the first is kept.
        if !self.offsets.contains_key(pointer.as_str()) {
            self.offsets.insert(pointer.clone(), span.start);
        }
        match self.doc.kind(id) {
            NodeKind::Scalar(s) => Ok(self.scalar(id, s.text, s.style, s.value())),
            NodeKind::Sequence(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    let len = pointer.len();
                    pointer.push('/');
                    pointer.push_str(&i.to_string());
                    let v = self.convert(*item, pointer, depth + 1);
                    pointer.truncate(len);
                    out.push(v?);
                }
                Ok(Value::list(out))
            }
            NodeKind::Mapping(entries) => {
                let mut map = BTreeMap::new();
                for entry in entries {
                    let key = self.key(entry.key)?;
                    let len = pointer.len();
                    pointer.push('/');
                    pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
                    let v = self.convert(entry.value, pointer, depth + 1);
                    pointer.truncate(len);
                    map.insert(key, v?);
                }
                Ok(Value::map(map))
            }
        }
    }

    /// sigs.k8s.io/yaml's key conversion (`convertToJSONableObject`).
    fn key(&mut self, id: NodeId) -> Result<String, ChartError> {
        let span = self.doc.span(id);
        let unsupported = |what: &str| {
            Err(ChartError::at(
                format!("error converting YAML to JSON: unsupported map key of type: {what}"),
                self.real.clone(),
                span.start,
            ))
        };
        match self.doc.kind(id) {
            NodeKind::Scalar(s) => match s.value() {
                ScalarValue::String => Ok(s.text.to_owned()),
                ScalarValue::Int(i) => Ok(i.to_string()),
                ScalarValue::BigInt => Ok(s.text.replace('_', "")),
                ScalarValue::Bool(b) => Ok(b.to_string()),
                ScalarValue::Float(f) => Ok(go_float32(f)),
                ScalarValue::Null => unsupported("<nil>"),
            },
            NodeKind::Sequence(_) => unsupported("[]interface {}"),
            NodeKind::Mapping(_) => unsupported("map[interface {}]interface {}"),
        }
    }

    fn scalar(&self, id: NodeId, text: &str, style: Style, value: ScalarValue) -> Value {
        match value {
            ScalarValue::Null => Value::Nil,
            ScalarValue::Bool(b) => Value::Bool(b),
            ScalarValue::Int(i) if self.ints => Value::Int(i),
            ScalarValue::Int(i) => Value::Float(i as f64),
            ScalarValue::BigInt => Value::Float(text.replace('_', "").parse().unwrap_or(0.0)),
            ScalarValue::Float(f) => Value::Float(f),
            ScalarValue::String => {
                let span = self.doc.span(id);
                let (offset, literal) = self.literal_offset(span.start, span.end, text, style);
                let origin = Origin {
                    file: Arc::clone(self.origin_name),
                    offset,
                    literal,
                    value: None,
                };
                Value::Str(Str {
                    text: Rc::from(text),
                    provenance: Some(Rc::new(Provenance {
                        chunks: vec![(0, origin)],
                    })),
                })
            }
        }
    }

    /// Where the scalar's text stands verbatim in the file, if it does.
    fn literal_offset(&self, start: usize, end: usize, text: &str, style: Style) -> (usize, bool) {
        let raw = self.source.get(start..end).unwrap_or("");
        match style {
            Style::Plain if raw == text => (start, true),
            Style::SingleQuoted | Style::DoubleQuoted => {
                let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or("");
                if inner == text && !text.contains('\\') && !text.contains('\'') {
                    (start + 1, true)
                } else {
                    (start, false)
                }
            }
            _ => (start, false),
        }
    }
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 32)` with go-yaml's names for infinities (how
/// sigs.k8s.io/yaml writes a float as a map key or into a string field).
pub(crate) fn go_float32(f: f64) -> String {
    if f.is_nan() {
        return ".nan".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.to_owned();
    }
    let f32v = f as f32;
    if f32v == 0.0 {
        return "0".to_owned();
    }
    let sci = format!("{:e}", f32v.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let sign = if f32v < 0.0 { "-" } else { "" };
    // 'g' with the shortest precision: exponent form when exp < -4 or exp >= 6.
    let eprec = 6;
    if exp < -4 || exp >= eprec {
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{mantissa}e{esign}{:02}", exp.abs());
    }
    format!("{sign}{}", f32v.abs())
}

/// A value's map, or an error in encoding/json's words when the top level is not a map.
pub(crate) fn into_values_map(value: Value) -> Result<Map, String> {
    match value {
        Value::Nil => Ok(Rc::new(std::cell::RefCell::new(BTreeMap::new()))),
        Value::Map(m) => Ok(m),
        other => Err(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go \
             value of type map[string]interface {{}}",
            json_kind(&other)
        )),
    }
}

/// encoding/json's name for a JSON value's kind in its errors.
pub(crate) fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Nil => "null",
        Value::Bool(_) => "bool",
        Value::Int(_) | Value::Float(_) => "number",
        Value::Str(_) => "string",
        Value::List(_) => "array",
        Value::Map(_) | Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> ReadYaml {
        let name: Arc<str> = Arc::from("c/values.yaml");
        let real = RealPath {
            path: "values.yaml".into(),
            member: None,
        };
        match read_yaml(text, &name, &real) {
            Ok(r) => r,
            Err(e) => panic!("{e}"),
        }
    }

    fn get(v: &Value, key: &str) -> Value {
        match v {
            Value::Map(m) => m.borrow().get(key).cloned().unwrap_or(Value::Nil),
            _ => Value::Nil,
        }
    }

    #[test]
    fn numbers_are_floats_keys_are_strings() {
        let r =
            read("a: 3\nb: 0755\nc: yes\n1: x\ntrue: why\n1.5: z\nd: ~\ne: 99999999999999999999\n");
        assert!(matches!(get(&r.value, "a"), Value::Float(f) if f == 3.0));
        assert!(matches!(get(&r.value, "b"), Value::Float(f) if f == 493.0));
        assert!(matches!(get(&r.value, "c"), Value::Bool(true)));
        assert_eq!(get(&r.value, "1").as_str(), Some("x"));
        assert_eq!(get(&r.value, "true").as_str(), Some("why"));
        assert_eq!(get(&r.value, "1.5").as_str(), Some("z"));
        assert!(matches!(get(&r.value, "d"), Value::Nil));
        assert!(matches!(get(&r.value, "e"), Value::Float(f) if f == 1e20));
    }

    #[test]
    fn strings_carry_their_origin() {
        let text = "image:\n  tag: \"1.2\"\n  repo: nginx\n  cmd: |\n    run\n";
        let r = read(text);
        let image = get(&r.value, "image");
        let origin = |v: Value| match v {
            Value::Str(s) => s.provenance.unwrap().chunks[0].1.clone(),
            other => panic!("{other:?}"),
        };
        let tag = origin(get(&image, "tag"));
        assert_eq!(&*tag.file, "c/values.yaml");
        assert_eq!(text.get(tag.offset..tag.offset + 3).unwrap(), "1.2");
        assert!(tag.literal);
        let repo = origin(get(&image, "repo"));
        assert_eq!(text.get(repo.offset..repo.offset + 5).unwrap(), "nginx");
        assert!(repo.literal);
        assert!(!origin(get(&image, "cmd")).literal);
        assert_eq!(r.offsets["/image/repo"], repo.offset);
        assert_eq!(
            text.get(r.offsets["/image"]..r.offsets["/image"] + 3)
                .unwrap(),
            "tag"
        );
    }

    #[test]
    fn syntax_errors_are_located() {
        let name: Arc<str> = Arc::from("c/values.yaml");
        let real = RealPath {
            path: "values.yaml".into(),
            member: None,
        };
        let err = read_yaml("a: b\nc: [\n", &name, &real).err().unwrap();
        assert!(
            err.message
                .starts_with("error converting YAML to JSON: yaml: line "),
            "{}",
            err.message
        );
        assert!(err.location.is_some());
    }

    #[test]
    fn only_the_first_document_counts() {
        let r = read("a: 1\n---\nb: 2\n");
        assert!(matches!(get(&r.value, "b"), Value::Nil));
        assert!(matches!(get(&r.value, "a"), Value::Float(_)));
    }

    // Hostile: a billion-laughs alias bomb is refused, bounded.
    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let name: Arc<str> = Arc::from("c/values.yaml");
        let real = RealPath {
            path: "values.yaml".into(),
            member: None,
        };
        assert!(read_yaml(&text, &name, &real).is_err());
    }

    #[test]
    fn float_keys_as_go_formats_them() {
        assert_eq!(go_float32(1.5), "1.5");
        assert_eq!(go_float32(0.1), "0.1");
        assert_eq!(go_float32(1e25), "1e+25");
    }
}
