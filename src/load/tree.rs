//! The compact spanned YAML tree: every node keeps its byte span, scalars keep their text and
//! quoting style. The tree lives for the whole run (workspace rules need every file), so it is
//! laid out for size: nodes live in one flat array per document, 20 bytes each with no heap
//! allocation of their own. A node holds its span as 32-bit byte offsets (files are capped at
//! 256 MiB), a flags byte (scalar style or collection kind, where its text lives, whether it has
//! a tag) and a payload range:
//!
//! - a sequence's items are a range of the document's flat `items` array, a mapping's entries a
//!   range of its flat `entries` array (children are complete before their parent closes, so
//!   the builder copies them there when the collection ends);
//! - a scalar whose value is its source text verbatim (plain scalars on one line, quoted
//!   scalars without escapes or line folding: most of a manifest) is a range of the file's
//!   text, which the document shares (`Arc<str>`, the same text as `SourceFile::text`); any
//!   other value is stored once in the document's string arena. Tags (rare) are in the arena
//!   too, found through a small side table.
//!
//! Deep or aliased documents never recurse on drop, and an alias is a second reference to the
//! same node (no copy). The accessors return views: [`Document::kind`] gives a [`NodeKind`]
//! borrowing the document, [`Document::scalar`] a [`Scalar`] (both `Copy`).

use std::sync::Arc;

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

/// A scalar node, borrowed from its document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scalar<'a> {
    /// The scalar's value after YAML unescaping and folding.
    pub text: &'a str,
    pub style: Style,
    /// An explicit tag such as `!!str`, if any (handle + suffix).
    pub tag: Option<&'a str>,
}

impl Scalar<'_> {
    /// The value as Kubernetes' YAML reader (YAML 1.1 rules) types it.
    pub fn value(&self) -> ScalarValue {
        resolve_scalar(self.text, self.style, self.tag)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub key: NodeId,
    pub value: NodeId,
}

/// What a node is, borrowed from its document.
#[derive(Debug, Clone, Copy)]
pub enum NodeKind<'a> {
    Scalar(Scalar<'a>),
    Sequence(&'a [NodeId]),
    /// Entries in source order; merge keys (`<<`) are already resolved: merged entries follow
    /// the explicit ones and explicit keys win.
    Mapping(&'a [Entry]),
}

/// A node's span and kind, borrowed from its document.
#[derive(Debug, Clone, Copy)]
pub struct NodeRef<'a> {
    pub span: Span,
    pub kind: NodeKind<'a>,
}

// The low three bits of `Node::flags`: a scalar's style (0..=4) or a collection kind.
const KIND_MASK: u8 = 0b111;
const SEQUENCE: u8 = 5;
const MAPPING: u8 = 6;
/// A scalar whose text is `source[data..data + len]` (else `arena[data..data + len]`).
const IN_SOURCE: u8 = 1 << 3;
/// A scalar with an entry in `Document::tags`.
const HAS_TAG: u8 = 1 << 4;

/// One node as stored: 20 bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Node {
    pub(crate) start: u32,
    pub(crate) end: u32,
    /// Start of the payload: a byte offset (scalar text) or an index into `items`/`entries`.
    pub(crate) data: u32,
    /// Length of the payload, in bytes or children.
    pub(crate) len: u32,
    pub(crate) flags: u8,
}

impl Node {
    pub(crate) fn scalar(start: u32, end: u32, style: Style) -> Node {
        Node {
            start,
            end,
            data: 0,
            len: 0,
            flags: style_bits(style),
        }
    }

    pub(crate) fn sequence(start: u32, end: u32, first: u32, len: u32) -> Node {
        Node {
            start,
            end,
            data: first,
            len,
            flags: SEQUENCE,
        }
    }

    pub(crate) fn mapping(start: u32, end: u32, first: u32, len: u32) -> Node {
        Node {
            start,
            end,
            data: first,
            len,
            flags: MAPPING,
        }
    }

    /// Points a scalar's text at `[data, data + len)` of the source or the arena.
    pub(crate) fn set_text(&mut self, data: u32, len: u32, in_source: bool) {
        self.data = data;
        self.len = len;
        if in_source {
            self.flags |= IN_SOURCE;
        } else {
            self.flags &= !IN_SOURCE;
        }
    }

    pub(crate) fn set_has_tag(&mut self) {
        self.flags |= HAS_TAG;
    }

    pub(crate) fn is_scalar(&self) -> bool {
        self.flags & KIND_MASK < SEQUENCE
    }

    pub(crate) fn is_sequence(&self) -> bool {
        self.flags & KIND_MASK == SEQUENCE
    }

    pub(crate) fn is_mapping(&self) -> bool {
        self.flags & KIND_MASK == MAPPING
    }

    pub(crate) fn text_in_source(&self) -> bool {
        self.is_scalar() && self.flags & IN_SOURCE != 0
    }

    pub(crate) fn style(&self) -> Style {
        style_of(self.flags)
    }

    pub(crate) fn span(&self) -> Span {
        Span {
            start: self.start as usize,
            end: self.end as usize,
        }
    }

    pub(crate) fn range(&self) -> std::ops::Range<usize> {
        self.data as usize..self.data as usize + self.len as usize
    }
}

fn style_bits(style: Style) -> u8 {
    match style {
        Style::Plain => 0,
        Style::SingleQuoted => 1,
        Style::DoubleQuoted => 2,
        Style::Literal => 3,
        Style::Folded => 4,
    }
}

fn style_of(flags: u8) -> Style {
    match flags & KIND_MASK {
        1 => Style::SingleQuoted,
        2 => Style::DoubleQuoted,
        3 => Style::Literal,
        4 => Style::Folded,
        _ => Style::Plain,
    }
}

/// Where a tagged scalar's tag text is in the arena.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TagRef {
    pub(crate) node: NodeId,
    pub(crate) data: u32,
    pub(crate) len: u32,
}

/// One YAML document of a stream.
#[derive(Debug, Clone)]
pub struct Document {
    pub(crate) nodes: Box<[Node]>,
    /// The items of every sequence, each sequence a range.
    pub(crate) items: Box<[NodeId]>,
    /// The entries of every mapping, each mapping a range.
    pub(crate) entries: Box<[Entry]>,
    /// Scalar values that are not verbatim source text, and tags.
    pub(crate) arena: Box<str>,
    /// Tags of tagged scalars, sorted by node.
    pub(crate) tags: Box<[TagRef]>,
    /// The text the document was parsed from (shared with the `SourceFile`).
    pub(crate) source: Arc<str>,
    pub root: NodeId,
    /// Span of the whole document, from its first to its last node.
    pub span: Span,
}

impl Document {
    /// Every node's id, children before their parents.
    pub fn node_ids(&self) -> impl Iterator<Item = NodeId> + '_ {
        (0..self.nodes.len()).map(|i| i as NodeId)
    }

    /// A node's span and kind.
    pub fn node(&self, id: NodeId) -> NodeRef<'_> {
        NodeRef {
            span: self.span(id),
            kind: self.kind(id),
        }
    }

    pub fn span(&self, id: NodeId) -> Span {
        self.nodes[id as usize].span()
    }

    pub fn kind(&self, id: NodeId) -> NodeKind<'_> {
        let node = &self.nodes[id as usize];
        match node.flags & KIND_MASK {
            SEQUENCE => NodeKind::Sequence(self.items.get(node.range()).unwrap_or_default()),
            MAPPING => NodeKind::Mapping(self.entries.get(node.range()).unwrap_or_default()),
            _ => NodeKind::Scalar(self.scalar_of(id, node)),
        }
    }

    fn scalar_of(&self, id: NodeId, node: &Node) -> Scalar<'_> {
        Scalar {
            text: self.text_of(node),
            style: style_of(node.flags),
            tag: if node.flags & HAS_TAG != 0 {
                self.tag_of(id)
            } else {
                None
            },
        }
    }

    fn text_of(&self, node: &Node) -> &str {
        let text: &str = if node.flags & IN_SOURCE != 0 {
            &self.source
        } else {
            &self.arena
        };
        text.get(node.range()).unwrap_or_default()
    }

    fn tag_of(&self, id: NodeId) -> Option<&str> {
        let i = self.tags.binary_search_by_key(&id, |t| t.node).ok()?;
        let tag = self.tags[i];
        self.arena
            .get(tag.data as usize..tag.data as usize + tag.len as usize)
    }

    pub fn scalar(&self, id: NodeId) -> Option<Scalar<'_>> {
        let node = &self.nodes[id as usize];
        node.is_scalar().then(|| self.scalar_of(id, node))
    }

    /// The text of a scalar (any scalar, null included), without building the whole view.
    pub fn scalar_text(&self, id: NodeId) -> Option<&str> {
        let node = &self.nodes[id as usize];
        node.is_scalar().then(|| self.text_of(node))
    }

    /// The text of a string-like scalar (any scalar that is not null).
    pub fn str(&self, id: NodeId) -> Option<&str> {
        let scalar = self.scalar(id)?;
        match scalar.value() {
            ScalarValue::Null => None,
            _ => Some(scalar.text),
        }
    }

    pub fn entries(&self, id: NodeId) -> &[Entry] {
        match self.kind(id) {
            NodeKind::Mapping(entries) => entries,
            _ => &[],
        }
    }

    pub fn items(&self, id: NodeId) -> &[NodeId] {
        match self.kind(id) {
            NodeKind::Sequence(items) => items,
            _ => &[],
        }
    }

    pub fn is_mapping(&self, id: NodeId) -> bool {
        self.nodes[id as usize].is_mapping()
    }

    pub fn is_sequence(&self, id: NodeId) -> bool {
        self.nodes[id as usize].is_sequence()
    }

    /// The entry of a mapping whose key is the scalar `key`.
    pub fn entry(&self, map: NodeId, key: &str) -> Option<&Entry> {
        self.entries(map)
            .iter()
            .find(|e| self.scalar_text(e.key) == Some(key))
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
        self.node_ids().find_map(|id| match self.kind(id) {
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

    /// The path of keys and indexes from the root to the node whose key or value is exactly
    /// `span` (or the deepest node containing it): `spec.containers[0].env[1].value`.
    pub fn path_to(&self, span: Span) -> Option<String> {
        self.path_to_with(span, false)
    }

    /// Like [`Document::path_to`], but list items that have a `name` are named, not numbered:
    /// `spec.containers[name=api].env[name=DB_PASSWORD].value`. Stable when items move; used
    /// to identify a finding without quoting the text at `span` (a secret).
    pub fn named_path_to(&self, span: Span) -> Option<String> {
        self.path_to_with(span, true)
    }

    fn path_to_with(&self, span: Span, by_name: bool) -> Option<String> {
        let contains = |s: Span| s.start <= span.start && span.end <= s.end;
        if !contains(self.span(self.root)) {
            return None;
        }
        let mut path = String::new();
        let mut node = self.root;
        // Bounded by the loader's depth limit; aliases cannot loop (they point backwards).
        for _ in 0..crate::load::MAX_DEPTH + 1 {
            if self.span(node) == span {
                break;
            }
            let next = match self.kind(node) {
                NodeKind::Mapping(entries) => entries.iter().find_map(|e| {
                    let key = self.scalar_text(e.key).unwrap_or("?");
                    if self.span(e.key) == span {
                        Some((format!(".{key}"), None))
                    } else if contains(self.span(e.value)) {
                        Some((format!(".{key}"), Some(e.value)))
                    } else {
                        None
                    }
                }),
                NodeKind::Sequence(items) => items.iter().enumerate().find_map(|(i, item)| {
                    let name = by_name.then(|| self.get_str(*item, "name")).flatten();
                    let step = match name {
                        Some(name) => format!("[name={name}]"),
                        None => format!("[{i}]"),
                    };
                    contains(self.span(*item)).then_some((step, Some(*item)))
                }),
                NodeKind::Scalar(_) => None,
            };
            match next {
                Some((step, child)) => {
                    path.push_str(&step);
                    match child {
                        Some(c) => node = c,
                        None => break,
                    }
                }
                None => break,
            }
        }
        Some(path.trim_start_matches('.').to_string())
    }

    /// Rewrites every byte offset with `map` (e.g. back to the original text after a repair,
    /// or from a segment to its file). Scalar texts that were slices of `parsed` (the text the
    /// document was built from) become slices of the document's source where `map` leads to
    /// the same text, else copies in the arena.
    pub(crate) fn map_offsets(&mut self, map: &impl Fn(usize) -> usize, parsed: &str) {
        let map_span = |s: Span| Span::new(map(s.start), map(s.end));
        self.span = map_span(self.span);
        let mut arena = String::from(std::mem::take(&mut self.arena));
        for node in self.nodes.iter_mut() {
            let span = map_span(node.span());
            node.start = to_u32(span.start);
            node.end = to_u32(span.end);
            if !node.text_in_source() {
                continue;
            }
            let text = parsed.get(node.range()).unwrap_or_default();
            let moved = to_u32(map(node.data as usize));
            if self.source.get(moved as usize..moved as usize + text.len()) == Some(text) {
                node.set_text(moved, node.len, true);
            } else {
                let at = to_u32(arena.len());
                arena.push_str(text);
                node.set_text(at, node.len, false);
            }
        }
        self.arena = arena.into_boxed_str();
    }
}

/// A byte offset or count as stored (inputs are far below 4 GiB: files are capped at 256 MiB).
pub(crate) fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_stay_small() {
        assert!(std::mem::size_of::<Node>() <= 20);
        assert_eq!(std::mem::size_of::<Entry>(), 8);
    }
}
