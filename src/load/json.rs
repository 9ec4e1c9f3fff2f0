//! A JSON view of a document node, typed as Kubernetes types YAML (see [`super::scalar`]).
//! Used where a JSON value is needed (schema validation, catalogue entries).

use serde_json::{Map, Number, Value};

use super::scalar::ScalarValue;
use super::tree::{Document, NodeId, NodeKind};

pub fn to_json(doc: &Document, id: NodeId) -> Value {
    to_json_with(doc, id, &|_| true)
}

/// [`to_json`], keeping only the mapping keys (at every depth) for which `keep` holds: the
/// view a declarative rule needs when its schema looks at named properties only.
pub fn to_json_with(doc: &Document, id: NodeId, keep: &dyn Fn(&str) -> bool) -> Value {
    match doc.kind(id) {
        NodeKind::Scalar(scalar) => match scalar.value() {
            ScalarValue::Null => Value::Null,
            ScalarValue::Bool(b) => Value::Bool(b),
            ScalarValue::Int(i) => Value::Number(i.into()),
            ScalarValue::Float(f) => Number::from_f64(f)
                .map(Value::Number)
                .unwrap_or_else(|| Value::String(scalar.text.to_string())),
            ScalarValue::BigInt | ScalarValue::String => Value::String(scalar.text.to_string()),
        },
        NodeKind::Sequence(items) => {
            Value::Array(items.iter().map(|i| to_json_with(doc, *i, keep)).collect())
        }
        NodeKind::Mapping(entries) => {
            let mut map = Map::new();
            for entry in entries {
                let key = match doc.scalar(entry.key) {
                    Some(s) => match s.value() {
                        ScalarValue::Bool(b) => b.to_string(),
                        _ => s.text.to_string(),
                    },
                    None => continue,
                };
                if !keep(&key) {
                    continue;
                }
                // Explicit keys come first and a later duplicate replaces an earlier one, as
                // go-yaml does; merged keys never replace explicit ones (see finish_mapping).
                map.insert(key, to_json_with(doc, entry.value, keep));
            }
            Value::Object(map)
        }
    }
}
