//! The compact spanned YAML tree: every node keeps its byte span, scalars keep their text and
//! quoting style. The tree lives for the whole run (workspace rules need every file), so it is
//! laid out for size. Per document:
//!
//! - one flat array of nodes, 12 bytes each with no heap allocation of their own: the span as
//!   two 29-bit byte offsets whose top bits hold the flags (scalar style or collection kind,
//!   where a scalar's text is, whether it has a tag), and one `u32` of payload;
//! - one flat array of sequence items and one of mapping entries: a collection's payload is
//!   its index among the document's sequences (mappings), and `item_ends` (`entry_ends`) gives
//!   its range (children are complete before their parent closes, so the builder moves them
//!   there from a scratch stack when the collection ends; merge keys are resolved then);
//! - a scalar whose value is its source text verbatim (plain scalars on one line, quoted
//!   scalars without escapes or line folding: most of a manifest) keeps no copy: its payload is
//!   its length and its text ends where the node's text ends (at the end of a plain scalar,
//!   before the closing quote of a quoted one) in the file's text, which the document shares
//!   (`Arc<str>`, the same text as `SourceFile::text`). Other values, and tags, are stored once
//!   in a string arena; tags are found through a small side table.
//!
//! A document owns at most four allocations: nodes, entries, the arena, and one for all its `u32`
//! arrays (items, collection ranges, arena ranges, tags); the builder reuses its buffers from
//! one document to the next and copies each document out at its exact size.
//!
//! Deep or aliased documents never recurse on drop, and an alias is a second reference to the
//! same node (no copy). The accessors return `Copy` views borrowing the document:
//! [`Document::kind`] a [`NodeKind`], [`Document::scalar`] a [`Scalar`].

use std::sync::Arc;

use crate::load::scalar::{ScalarValue, Style, resolve_scalar};
use crate::source::Span;

pub type NodeId = u32;

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

// A node's flags: the low three bits are a scalar's style (0..=4) or a collection kind.
const KIND_MASK: u8 = 0b111;
const SEQUENCE: u8 = 5;
const MAPPING: u8 = 6;
/// A scalar whose text is verbatim source text, ending where the node's text ends (see
/// [`Node::text_stop`]); `data` is its length. Else `data` is its index in the arena.
const IN_SOURCE: u8 = 1 << 3;
/// A scalar with an entry in `Document::tags`.
const HAS_TAG: u8 = 1 << 4;

/// Byte offsets are stored in the low 29 bits of `Node::start`/`Node::end`; the top three bits
/// of each hold the flags. Texts are at most [`MAX_TEXT`] bytes (files are capped at 256 MiB).
const OFFSET_BITS: u32 = 29;
const OFFSET_MASK: u32 = (1 << OFFSET_BITS) - 1;
/// The largest text the loader builds a tree for.
pub(crate) const MAX_TEXT: usize = OFFSET_MASK as usize;

/// One node as stored: 12 bytes, no allocation of its own.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Node {
    /// Start offset | low three flag bits << 29.
    start: u32,
    /// End offset | high flag bits << 29.
    end: u32,
    /// A sequence's or mapping's index among the document's sequences or mappings (its
    /// children are a range of `items`/`entries`, see `item_ends`/`entry_ends`); a scalar's
    /// text length (text in the source) or index in the arena.
    pub(crate) data: u32,
}

/// What an accessor reads for a node id that is not in the document (ids come from the
/// document's own builder, so this is never read): an empty plain scalar at offset 0.
const MISSING_NODE: Node = Node {
    start: 0,
    end: 0,
    data: 0,
};

impl Node {
    pub(crate) fn new(start: usize, end: usize, flags: u8, data: u32) -> Node {
        let mut node = Node {
            start: 0,
            end: 0,
            data,
        };
        node.set_span(start, end);
        node.set_flags(flags);
        node
    }

    #[inline]
    pub(crate) fn scalar(start: usize, end: usize, style: Style) -> Node {
        Node::new(start, end, style_bits(style), 0)
    }

    pub(crate) fn sequence(ordinal: u32) -> Node {
        Node::new(0, 0, SEQUENCE, ordinal)
    }

    pub(crate) fn mapping(ordinal: u32) -> Node {
        Node::new(0, 0, MAPPING, ordinal)
    }

    /// The style or collection kind: the flags of the start word.
    #[inline]
    fn kind_bits(&self) -> u8 {
        (self.start >> OFFSET_BITS) as u8
    }

    pub(crate) fn flags(&self) -> u8 {
        ((self.start >> OFFSET_BITS) | ((self.end >> OFFSET_BITS) << 3)) as u8
    }

    fn set_flags(&mut self, flags: u8) {
        let flags = u32::from(flags);
        self.start = (self.start & OFFSET_MASK) | ((flags & 0b111) << OFFSET_BITS);
        self.end = (self.end & OFFSET_MASK) | ((flags >> 3) << OFFSET_BITS);
    }

    /// Sets the span, keeping the flags (offsets saturate at [`MAX_TEXT`]).
    pub(crate) fn set_span(&mut self, start: usize, end: usize) {
        let pack = |offset: usize| u32::try_from(offset.min(MAX_TEXT)).unwrap_or(OFFSET_MASK);
        self.start = (self.start & !OFFSET_MASK) | pack(start);
        self.end = (self.end & !OFFSET_MASK) | pack(end.max(start));
    }

    #[inline]
    pub(crate) fn start(&self) -> usize {
        (self.start & OFFSET_MASK) as usize
    }

    #[inline]
    pub(crate) fn end(&self) -> usize {
        (self.end & OFFSET_MASK) as usize
    }

    #[inline]
    pub(crate) fn span(&self) -> Span {
        Span {
            start: self.start(),
            end: self.end(),
        }
    }

    /// Points a scalar's text at the source (`data` is its length) or the arena (`data` is
    /// its index there).
    pub(crate) fn set_text(&mut self, data: u32, in_source: bool) {
        self.data = data;
        let flags = self.flags();
        self.set_flags(if in_source {
            flags | IN_SOURCE
        } else {
            flags & !IN_SOURCE
        });
    }

    pub(crate) fn set_has_tag(&mut self) {
        self.set_flags(self.flags() | HAS_TAG);
    }

    #[inline]
    pub(crate) fn style(&self) -> Style {
        style_of(self.kind_bits())
    }

    #[inline]
    pub(crate) fn is_scalar(&self) -> bool {
        self.kind_bits() < SEQUENCE
    }

    #[inline]
    pub(crate) fn is_sequence(&self) -> bool {
        self.kind_bits() == SEQUENCE
    }

    #[inline]
    pub(crate) fn is_mapping(&self) -> bool {
        self.kind_bits() == MAPPING
    }

    #[inline]
    pub(crate) fn text_in_source(&self) -> bool {
        self.is_scalar() && self.flags() & IN_SOURCE != 0
    }

    #[inline]
    fn has_tag(&self) -> bool {
        self.is_scalar() && self.flags() & HAS_TAG != 0
    }

    /// Where a scalar's verbatim text ends in the source: at the end of a plain scalar, before
    /// the closing quote of a quoted one.
    #[inline]
    pub(crate) fn text_stop(&self) -> usize {
        // Single- or double-quoted.
        if matches!(self.kind_bits(), 1 | 2) {
            self.end().saturating_sub(1)
        } else {
            self.end()
        }
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

#[inline]
fn style_of(flags: u8) -> Style {
    // Indexed by the kind bits; collections read as plain.
    const STYLES: [Style; 8] = [
        Style::Plain,
        Style::SingleQuoted,
        Style::DoubleQuoted,
        Style::Literal,
        Style::Folded,
        Style::Plain,
        Style::Plain,
        Style::Plain,
    ];
    STYLES
        .get(usize::from(flags & KIND_MASK))
        .copied()
        .unwrap_or(Style::Plain)
}

/// The `index`th of consecutive ranges given by their ends.
#[inline]
fn nth_range(ends: &[u32], index: u32) -> std::ops::Range<usize> {
    let index = index as usize;
    let start = match index.checked_sub(1) {
        Some(prev) => ends.get(prev).map_or(0, |e| *e as usize),
        None => 0,
    };
    let end = ends.get(index).map_or(start, |e| *e as usize);
    start..end.max(start)
}

/// A document's arrays, borrowed: the one implementation of the accessors, shared by the
/// builder and [`Document`].
#[derive(Clone, Copy)]
pub(crate) struct Parts<'a> {
    pub(crate) nodes: &'a [Node],
    /// Sequence items, each sequence's a range; `item_ends[i]` ends the `i`th sequence's.
    pub(crate) items: &'a [NodeId],
    pub(crate) item_ends: &'a [u32],
    /// Mapping entries, each mapping's a range; `entry_ends[i]` ends the `i`th mapping's.
    pub(crate) entries: &'a [Entry],
    pub(crate) entry_ends: &'a [u32],
    /// Scalar values that are not verbatim source text, and tags; `arena_ends[i]` ends the
    /// `i`th string.
    pub(crate) arena: &'a str,
    pub(crate) arena_ends: &'a [u32],
    /// The tagged scalars, sorted, and the arena index of each one's tag.
    pub(crate) tag_nodes: &'a [NodeId],
    pub(crate) tag_strings: &'a [u32],
    pub(crate) source: &'a str,
}

/// A document's arrays: the one implementation of the node accessors, shared by the builder
/// ([`Parts`]) and [`Document`] (which slices only the array an accessor needs).
pub(crate) trait Tree {
    fn all_nodes(&self) -> &[Node];
    fn all_items(&self) -> &[NodeId];
    fn item_ends(&self) -> &[u32];
    fn all_entries(&self) -> &[Entry];
    fn entry_ends(&self) -> &[u32];
    fn arena(&self) -> &str;
    fn arena_ends(&self) -> &[u32];
    fn tag_nodes(&self) -> &[NodeId];
    fn tag_strings(&self) -> &[u32];
    fn source(&self) -> &str;

    #[inline]
    fn node_at(&self, id: NodeId) -> &Node {
        self.all_nodes().get(id as usize).unwrap_or(&MISSING_NODE)
    }

    #[inline]
    fn arena_str(&self, index: u32) -> &str {
        self.arena()
            .get(nth_range(self.arena_ends(), index))
            .unwrap_or_default()
    }

    #[inline]
    fn items_of(&self, node: &Node) -> &[NodeId] {
        self.all_items()
            .get(nth_range(self.item_ends(), node.data))
            .unwrap_or_default()
    }

    #[inline]
    fn entries_of(&self, node: &Node) -> &[Entry] {
        self.all_entries()
            .get(nth_range(self.entry_ends(), node.data))
            .unwrap_or_default()
    }

    /// The text of a scalar node.
    #[inline(always)]
    fn text_of(&self, node: &Node) -> &str {
        // The flags of the end word: IN_SOURCE.
        if node.end >> OFFSET_BITS & u32::from(IN_SOURCE >> 3) != 0 {
            let stop = node.text_stop();
            stop.checked_sub(node.data as usize)
                .and_then(|start| self.source().get(start..stop))
                .unwrap_or_default()
        } else {
            self.arena_str(node.data)
        }
    }

    #[inline]
    fn text(&self, id: NodeId) -> Option<&str> {
        let node = self.node_at(id);
        node.is_scalar().then(|| self.text_of(node))
    }

    #[inline]
    fn tag(&self, id: NodeId) -> Option<&str> {
        if !self.node_at(id).has_tag() {
            return None;
        }
        let i = self.tag_nodes().binary_search(&id).ok()?;
        Some(self.arena_str(*self.tag_strings().get(i)?))
    }

    #[inline]
    fn kind_of(&self, id: NodeId) -> NodeKind<'_> {
        let node = self.node_at(id);
        match node.kind_bits() {
            SEQUENCE => NodeKind::Sequence(self.items_of(node)),
            MAPPING => NodeKind::Mapping(self.entries_of(node)),
            _ => NodeKind::Scalar(Scalar {
                text: self.text_of(node),
                style: node.style(),
                tag: self.tag(id),
            }),
        }
    }
}

impl Tree for Parts<'_> {
    #[inline]
    fn all_nodes(&self) -> &[Node] {
        self.nodes
    }
    #[inline]
    fn all_items(&self) -> &[NodeId] {
        self.items
    }
    #[inline]
    fn item_ends(&self) -> &[u32] {
        self.item_ends
    }
    #[inline]
    fn all_entries(&self) -> &[Entry] {
        self.entries
    }
    #[inline]
    fn entry_ends(&self) -> &[u32] {
        self.entry_ends
    }
    #[inline]
    fn arena(&self) -> &str {
        self.arena
    }
    #[inline]
    fn arena_ends(&self) -> &[u32] {
        self.arena_ends
    }
    #[inline]
    fn tag_nodes(&self) -> &[NodeId] {
        self.tag_nodes
    }
    #[inline]
    fn tag_strings(&self) -> &[u32] {
        self.tag_strings
    }
    #[inline]
    fn source(&self) -> &str {
        self.source
    }
}

// The sections of `Document::words`.
const ITEMS: usize = 0;
const ITEM_ENDS: usize = 1;
const ENTRY_ENDS: usize = 2;
const ARENA_ENDS: usize = 3;
const TAG_NODES: usize = 4;
const TAG_STRINGS: usize = 5;

impl Tree for Document {
    #[inline]
    fn all_nodes(&self) -> &[Node] {
        &self.nodes
    }
    #[inline]
    fn all_items(&self) -> &[NodeId] {
        self.section(ITEMS)
    }
    #[inline]
    fn item_ends(&self) -> &[u32] {
        self.section(ITEM_ENDS)
    }
    #[inline]
    fn all_entries(&self) -> &[Entry] {
        &self.entries
    }
    #[inline]
    fn entry_ends(&self) -> &[u32] {
        self.section(ENTRY_ENDS)
    }
    #[inline]
    fn arena(&self) -> &str {
        &self.arena
    }
    #[inline]
    fn arena_ends(&self) -> &[u32] {
        self.section(ARENA_ENDS)
    }
    #[inline]
    fn tag_nodes(&self) -> &[NodeId] {
        self.section(TAG_NODES)
    }
    #[inline]
    fn tag_strings(&self) -> &[u32] {
        self.section(TAG_STRINGS)
    }
    #[inline]
    fn source(&self) -> &str {
        &self.source
    }
}

/// One YAML document of a stream.
#[derive(Debug, Clone, Default)]
pub struct Document {
    nodes: Box<[Node]>,
    entries: Box<[Entry]>,
    /// The `u32` arrays of [`Parts`], one after the other (one allocation): `items`,
    /// `item_ends`, `entry_ends`, `arena_ends`, `tag_nodes`, `tag_strings`.
    words: Box<[u32]>,
    /// Where each array of `words` ends.
    sections: [u32; 6],
    arena: Box<str>,
    /// The text the document was parsed from (shared with the `SourceFile`).
    source: Arc<str>,
    pub root: NodeId,
    /// Span of the whole document, from its first to its last node.
    pub span: Span,
}

impl Document {
    /// Assembles a document from the arrays of [`Parts`] (`source` aside).
    pub(crate) fn new(parts: Parts<'_>, source: &Arc<str>, root: NodeId, span: Span) -> Document {
        let lists = [
            parts.items,
            parts.item_ends,
            parts.entry_ends,
            parts.arena_ends,
            parts.tag_nodes,
            parts.tag_strings,
        ];
        let mut words = Vec::with_capacity(lists.iter().map(|l| l.len()).sum());
        let mut sections = [0; 6];
        for (list, end) in lists.iter().zip(&mut sections) {
            words.extend_from_slice(list);
            *end = to_u32(words.len());
        }
        Document {
            nodes: parts.nodes.into(),
            entries: parts.entries.into(),
            words: words.into_boxed_slice(),
            sections,
            arena: parts.arena.into(),
            source: Arc::clone(source),
            root,
            span,
        }
    }

    #[inline]
    fn section(&self, index: usize) -> &[u32] {
        let start = match index.checked_sub(1) {
            Some(prev) => self.sections.get(prev).map_or(0, |end| *end as usize),
            None => 0,
        };
        let end = self.sections.get(index).map_or(0, |end| *end as usize);
        self.words.get(start..end).unwrap_or_default()
    }

    fn parts(&self) -> Parts<'_> {
        Parts {
            nodes: &self.nodes,
            items: self.section(ITEMS),
            item_ends: self.section(ITEM_ENDS),
            entries: &self.entries,
            entry_ends: self.section(ENTRY_ENDS),
            arena: &self.arena,
            arena_ends: self.section(ARENA_ENDS),
            tag_nodes: self.section(TAG_NODES),
            tag_strings: self.section(TAG_STRINGS),
            source: &self.source,
        }
    }

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

    #[inline]
    /// How many nodes the document's tree holds (aliases count once).
    pub(crate) fn node_count(&self) -> usize {
        self.nodes.len()
    }

    pub fn span(&self, id: NodeId) -> Span {
        self.nodes.get(id as usize).unwrap_or(&MISSING_NODE).span()
    }

    #[inline]
    pub fn kind(&self, id: NodeId) -> NodeKind<'_> {
        self.kind_of(id)
    }

    #[inline]
    pub fn scalar(&self, id: NodeId) -> Option<Scalar<'_>> {
        match self.kind(id) {
            NodeKind::Scalar(scalar) => Some(scalar),
            _ => None,
        }
    }

    /// The text of a scalar (any scalar, null included), without building the whole view.
    #[inline]
    pub fn scalar_text(&self, id: NodeId) -> Option<&str> {
        self.text(id)
    }

    /// The text of a string-like scalar (any scalar that is not null).
    pub fn str(&self, id: NodeId) -> Option<&str> {
        let scalar = self.scalar(id)?;
        match scalar.value() {
            ScalarValue::Null => None,
            _ => Some(scalar.text),
        }
    }

    #[inline]
    pub fn entries(&self, id: NodeId) -> &[Entry] {
        let Some(node) = self.nodes.get(id as usize) else {
            return &[];
        };
        if node.is_mapping() {
            self.entries_of(node)
        } else {
            &[]
        }
    }

    #[inline]
    pub fn items(&self, id: NodeId) -> &[NodeId] {
        let Some(node) = self.nodes.get(id as usize) else {
            return &[];
        };
        if node.is_sequence() {
            self.items_of(node)
        } else {
            &[]
        }
    }

    #[inline]
    pub fn is_mapping(&self, id: NodeId) -> bool {
        self.nodes.get(id as usize).is_some_and(Node::is_mapping)
    }

    #[inline]
    pub fn is_sequence(&self, id: NodeId) -> bool {
        self.nodes.get(id as usize).is_some_and(Node::is_sequence)
    }

    /// The entry of a mapping whose key is the scalar `key`.
    #[inline]
    pub fn entry(&self, map: NodeId, key: &str) -> Option<&Entry> {
        self.entries(map).iter().find(|e| {
            let Some(node) = self.nodes.get(e.key as usize) else {
                return false;
            };
            if node.text_in_source() {
                // Most keys: compare lengths before slicing.
                node.data as usize == key.len() && self.text_of(node) == key
            } else {
                self.text(e.key) == Some(key)
            }
        })
    }

    /// The value of `key` in the mapping `map`.
    #[inline]
    pub fn get(&self, map: NodeId, key: &str) -> Option<NodeId> {
        self.entry(map, key).map(|e| e.value)
    }

    /// Follows a path of mapping keys from `from`.
    pub fn get_path(&self, from: NodeId, path: &[&str]) -> Option<NodeId> {
        path.iter().try_fold(from, |node, key| self.get(node, key))
    }

    /// The string value of `key` in `map`.
    #[inline]
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
        let mut nodes = self.nodes.to_vec();
        let mut arena = self.arena.to_string();
        let mut arena_ends = Tree::arena_ends(self).to_vec();
        for node in &mut nodes {
            let old = *node;
            let span = map_span(node.span());
            node.set_span(span.start, span.end);
            if !node.text_in_source() {
                continue;
            }
            let len = node.data as usize;
            let stop = old.text_stop();
            let text = stop
                .checked_sub(len)
                .and_then(|start| parsed.get(start..stop))
                .unwrap_or_default();
            let stop = node.text_stop();
            let moved = stop
                .checked_sub(len)
                .and_then(|start| self.source.get(start..stop));
            if moved != Some(text) {
                arena.push_str(text);
                arena_ends.push(to_u32(arena.len()));
                node.set_text(to_u32(arena_ends.len() - 1), false);
            }
        }
        let parts = Parts {
            nodes: &nodes,
            arena: &arena,
            arena_ends: &arena_ends,
            ..self.parts()
        };
        *self = Document::new(parts, &self.source, self.root, map_span(self.span));
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
        assert_eq!(std::mem::size_of::<Node>(), 12);
        assert_eq!(std::mem::size_of::<Entry>(), 8);
    }

    #[test]
    fn flags_and_offsets_share_words_without_mixing() {
        let mut node = Node::scalar(MAX_TEXT - 1, MAX_TEXT, Style::Folded);
        node.set_has_tag();
        node.set_text(7, true);
        assert_eq!(node.span(), Span::new(MAX_TEXT - 1, MAX_TEXT));
        assert_eq!(node.style(), Style::Folded);
        assert!(node.text_in_source() && node.has_tag());
        node.set_span(3, MAX_TEXT + 10);
        assert_eq!(node.span(), Span::new(3, MAX_TEXT));
        assert_eq!(node.style(), Style::Folded);
        node.set_text(9, false);
        assert!(!node.text_in_source() && node.has_tag() && node.is_scalar());
        assert!(Node::mapping(4).is_mapping() && Node::sequence(4).is_sequence());
        assert_eq!(nth_range(&[2, 2, 5], 0), 0..2);
        assert_eq!(nth_range(&[2, 2, 5], 1), 2..2);
        assert_eq!(nth_range(&[2, 2, 5], 2), 2..5);
        assert_eq!(nth_range(&[2, 2, 5], 3), 5..5);
    }
}
