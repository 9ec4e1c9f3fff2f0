//! The value tree the builder transforms: YAML nodes that each carry the source span they came
//! from (the base's node, the patch's node, or the kustomization field that set them).

use std::sync::Arc;

use crate::load::scalar::{ScalarValue, resolve_scalar};
use crate::load::{Document, NodeId, NodeKind, Style};
use crate::source::Span;

/// Where a node's value came from: a file and a byte range in it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    pub file: Arc<str>,
    pub span: Span,
}

/// A scalar: its text, whether it is a string by quoting (or was created as a string), and its
/// explicit tag.
#[derive(Debug, Clone, PartialEq)]
pub struct Scalar {
    pub text: String,
    /// Quoted in the source, or a string set by kustomize: a string whatever its text.
    pub string: bool,
    pub tag: Option<String>,
}

impl Scalar {
    /// The value as Kubernetes' YAML reader (YAML 1.1 rules) types it.
    pub fn value(&self) -> ScalarValue {
        let style = if self.string {
            Style::DoubleQuoted
        } else {
            Style::Plain
        };
        resolve_scalar(&self.text, style, self.tag.as_deref())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Vec<(String, Node)>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub kind: Kind,
    pub origin: Option<Origin>,
}

impl Node {
    pub fn string(text: impl Into<String>, origin: Option<Origin>) -> Node {
        Node {
            kind: Kind::Scalar(Scalar {
                text: text.into(),
                string: true,
                tag: None,
            }),
            origin,
        }
    }

    /// A plain scalar (typed as YAML 1.1 types its text).
    pub fn plain(text: impl Into<String>, origin: Option<Origin>) -> Node {
        Node {
            kind: Kind::Scalar(Scalar {
                text: text.into(),
                string: false,
                tag: None,
            }),
            origin,
        }
    }

    pub fn map(origin: Option<Origin>) -> Node {
        Node {
            kind: Kind::Map(Vec::new()),
            origin,
        }
    }

    pub fn seq(items: Vec<Node>, origin: Option<Origin>) -> Node {
        Node {
            kind: Kind::Seq(items),
            origin,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(&self.kind, Kind::Scalar(s) if matches!(s.value(), ScalarValue::Null))
    }

    pub fn as_map(&self) -> Option<&Vec<(String, Node)>> {
        match &self.kind {
            Kind::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_map_mut(&mut self) -> Option<&mut Vec<(String, Node)>> {
        match &mut self.kind {
            Kind::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&Vec<Node>> {
        match &self.kind {
            Kind::Seq(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_seq_mut(&mut self) -> Option<&mut Vec<Node>> {
        match &mut self.kind {
            Kind::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// The text of a non-null scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar(s) if !matches!(s.value(), ScalarValue::Null) => Some(&s.text),
            _ => None,
        }
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.as_map_mut()?
            .iter_mut()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key)?.as_str()
    }

    pub fn get_path(&self, path: &[&str]) -> Option<&Node> {
        let mut node = self;
        for key in path {
            node = node.get(key)?;
        }
        Some(node)
    }

    /// Sets `key` (replacing its value in place, or appending it).
    pub fn set(&mut self, key: &str, value: Node) {
        if let Some(map) = self.as_map_mut() {
            if let Some(slot) = map.iter_mut().find(|(k, _)| k == key) {
                slot.1 = value;
            } else {
                map.push((key.to_string(), value));
            }
        }
    }

    pub fn remove(&mut self, key: &str) -> Option<Node> {
        let map = self.as_map_mut()?;
        let index = map.iter().position(|(k, _)| k == key)?;
        Some(map.remove(index).1)
    }

    /// The map at `key`, created (empty, with `origin`) when missing or null.
    pub fn ensure_map(&mut self, key: &str, origin: Option<Origin>) -> Option<&mut Node> {
        let missing = self.get(key).is_none_or(|n| n.is_null());
        if missing {
            self.set(key, Node::map(origin));
        }
        let node = self.get_mut(key)?;
        node.as_map().is_some().then_some(node)
    }

    /// Sets the origin of this node and every node below it.
    pub fn set_origin_deep(&mut self, origin: &Option<Origin>) {
        self.origin.clone_from(origin);
        match &mut self.kind {
            Kind::Scalar(_) => {}
            Kind::Seq(items) => items.iter_mut().for_each(|n| n.set_origin_deep(origin)),
            Kind::Map(entries) => entries
                .iter_mut()
                .for_each(|(_, n)| n.set_origin_deep(origin)),
        }
    }

    /// A string-keyed map of scalar texts (labels, annotations, data).
    pub fn string_map(&self) -> Vec<(String, String)> {
        self.as_map()
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Converts a loaded document into a value tree whose nodes carry their spans in `file`.
pub fn from_document(doc: &Document, file: &Arc<str>) -> Node {
    convert(doc, doc.root, file, 0)
}

fn convert(doc: &Document, id: NodeId, file: &Arc<str>, depth: usize) -> Node {
    let origin = Some(Origin {
        file: Arc::clone(file),
        span: doc.span(id),
    });
    if depth > crate::load::MAX_DEPTH {
        return Node::plain("", origin);
    }
    match doc.kind(id) {
        NodeKind::Scalar(s) => {
            let quoted = s.style.is_quoted();
            // kustomize round-trips every object through JSON after go-yaml v3 decoded it: a
            // plain `True`, `TRUE`, `False` or `FALSE` (booleans in YAML 1.2) comes out as
            // `true`/`false` (krusty multiplepatch_test.go TestNonCommutablePatches).
            let text = match s.text {
                "True" | "TRUE" if !quoted && s.tag.is_none() => "true",
                "False" | "FALSE" if !quoted && s.tag.is_none() => "false",
                t => t,
            };
            Node {
                kind: Kind::Scalar(Scalar {
                    text: text.to_string(),
                    string: quoted,
                    tag: s.tag.map(str::to_string),
                }),
                origin,
            }
        }
        NodeKind::Sequence(items) => Node::seq(
            items
                .iter()
                .map(|i| convert(doc, *i, file, depth + 1))
                .collect(),
            origin,
        ),
        NodeKind::Mapping(entries) => {
            let mut map: Vec<(String, Node)> = Vec::with_capacity(entries.len());
            for e in entries {
                let key = doc.scalar_text(e.key).unwrap_or_default().to_string();
                let value = convert(doc, e.value, file, depth + 1);
                // Later duplicates replace earlier ones, as go-yaml's decoding into a map does.
                if let Some(slot) = map.iter_mut().find(|(k, _)| *k == key) {
                    slot.1 = value;
                } else {
                    map.push((key, value));
                }
            }
            Node {
                kind: Kind::Map(map),
                origin,
            }
        }
    }
}

/// A canonical JSON form of a node with scalars typed as Kubernetes types them: two nodes are
/// the same object when their canonical forms are equal (used by the differential test).
pub fn canonical_json(node: &Node) -> serde_json::Value {
    use serde_json::Value;
    match &node.kind {
        Kind::Scalar(s) => match s.value() {
            ScalarValue::Null => Value::Null,
            ScalarValue::Bool(b) => Value::Bool(b),
            ScalarValue::Int(i) => Value::from(i),
            ScalarValue::BigInt => Value::String(s.text.clone()),
            ScalarValue::Float(f) => serde_json::Number::from_f64(f)
                .map(Value::Number)
                .unwrap_or_else(|| Value::String(s.text.clone())),
            ScalarValue::String => Value::String(s.text.clone()),
        },
        Kind::Seq(items) => Value::Array(items.iter().map(canonical_json).collect()),
        Kind::Map(entries) => {
            let mut m = serde_json::Map::new();
            for (k, v) in entries {
                m.insert(k.clone(), canonical_json(v));
            }
            Value::Object(m)
        }
    }
}
