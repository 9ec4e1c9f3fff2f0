//! The compact spanned YAML tree: every node keeps its byte span, scalars keep their text and
//! quoting style. Nodes live in one arena per document, so deep or aliased documents never
//! recurse on drop, and an alias is a second reference to the same node (no copy).

use crate::load::scalar::{ScalarValue, resolve_scalar};
use crate::source::Span;

pub type NodeId = u32;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

impl Style {
    pub fn is_quoted(self) -> bool {
        !matches!(self, Style::Plain)
    }
}

#[derive(Debug, Clone)]
pub struct Scalar {
    /// The scalar's value after YAML unescaping and folding.
    pub text: Box<str>,
    pub style: Style,
    /// An explicit tag such as `!!str`, if any (handle + suffix).
    pub tag: Option<Box<str>>,
}

impl Scalar {
    /// The value as Kubernetes' YAML reader (YAML 1.1 rules) types it.
    pub fn value(&self) -> ScalarValue {
        resolve_scalar(&self.text, self.style, self.tag.as_deref())
    }
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub key: NodeId,
    pub value: NodeId,
}

#[derive(Debug, Clone)]
pub enum NodeKind {
    Scalar(Scalar),
    Sequence(Vec<NodeId>),
    /// Entries in source order; merge keys (`<<`) are already resolved: merged entries follow
    /// the explicit ones and explicit keys win.
    Mapping(Vec<Entry>),
}

#[derive(Debug, Clone)]
pub struct Node {
    pub span: Span,
    pub kind: NodeKind,
}

/// One YAML document of a stream.
#[derive(Debug, Clone)]
pub struct Document {
    pub nodes: Vec<Node>,
    pub root: NodeId,
    /// Span of the whole document, from its first to its last node.
    pub span: Span,
}

impl Document {
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id as usize]
    }

    pub fn span(&self, id: NodeId) -> Span {
        self.node(id).span
    }

    pub fn scalar(&self, id: NodeId) -> Option<&Scalar> {
        match &self.node(id).kind {
            NodeKind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The text of a string-like scalar (any scalar that is not null).
    pub fn str(&self, id: NodeId) -> Option<&str> {
        let scalar = self.scalar(id)?;
        match scalar.value() {
            ScalarValue::Null => None,
            _ => Some(&scalar.text),
        }
    }

    pub fn entries(&self, id: NodeId) -> &[Entry] {
        match &self.node(id).kind {
            NodeKind::Mapping(entries) => entries,
            _ => &[],
        }
    }

    pub fn items(&self, id: NodeId) -> &[NodeId] {
        match &self.node(id).kind {
            NodeKind::Sequence(items) => items,
            _ => &[],
        }
    }

    pub fn is_mapping(&self, id: NodeId) -> bool {
        matches!(self.node(id).kind, NodeKind::Mapping(_))
    }

    pub fn is_sequence(&self, id: NodeId) -> bool {
        matches!(self.node(id).kind, NodeKind::Sequence(_))
    }

    /// The entry of a mapping whose key is the scalar `key`.
    pub fn entry(&self, map: NodeId, key: &str) -> Option<&Entry> {
        self.entries(map)
            .iter()
            .find(|e| self.scalar(e.key).is_some_and(|k| &*k.text == key))
    }

    /// The value of `key` in the mapping `map`.
    pub fn get(&self, map: NodeId, key: &str) -> Option<NodeId> {
        self.entry(map, key).map(|e| e.value)
    }

    /// Follows a path of mapping keys from `from`.
    pub fn get_path(&self, from: NodeId, path: &[&str]) -> Option<NodeId> {
        path.iter().try_fold(from, |node, key| self.get(node, key))
    }

    /// The string value of `key` in `map`.
    pub fn get_str(&self, map: NodeId, key: &str) -> Option<&str> {
        self.get(map, key).and_then(|v| self.str(v))
    }

    /// Span of the key whose value is `node` (the first such key in document order).
    pub fn parent_key_span(&self, node: NodeId) -> Option<Span> {
        self.nodes.iter().find_map(|n| match &n.kind {
            NodeKind::Mapping(entries) => entries
                .iter()
                .find(|e| e.value == node)
                .map(|e| self.span(e.key)),
            _ => None,
        })
    }

    /// Span of the key `key` in `map`, for findings about a key or a missing child.
    pub fn key_span(&self, map: NodeId, key: &str) -> Option<Span> {
        self.entry(map, key).map(|e| self.span(e.key))
    }
}
