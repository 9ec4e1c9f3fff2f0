//! Parsing sources into spanned documents.
//!
//! [`parse_yaml`] turns text into [`Document`]s built from `saphyr-parser` events. It never
//! stops at the first problem of a stream: documents completed before a syntax error are kept.
//! Problems (syntax errors, duplicate keys, alias bombs, excessive nesting) are returned as
//! [`LoadProblem`]s for the pipeline to turn into findings.

pub mod dockerfile;
pub mod json;
mod lenient;
pub mod locate;
pub mod scalar;
pub mod tree;

use std::borrow::Cow;
use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Tag};

use crate::source::Span;
pub use tree::{Document, Entry, Node, NodeId, NodeKind, Scalar, Style};

/// Documents nesting deeper than this are refused (the stack of every consumer stays small).
pub const MAX_DEPTH: usize = 1_000;
/// Total number of nodes that aliases may add to one document by expansion. A "billion laughs"
/// document exceeds it after a few levels; real manifests use a handful of small aliases.
pub const MAX_ALIAS_EXPANSION: u64 = 1_000_000;

/// Why a source could not be (fully) loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    /// Invalid YAML/JSON, excessive nesting, an alias bomb.
    Syntax,
    /// The same key twice in one mapping.
    DuplicateKey,
}

#[derive(Debug, Clone)]
pub struct LoadProblem {
    pub kind: ProblemKind,
    pub span: Span,
    pub message: String,
    /// A related location and its label (the first definition of a duplicate key).
    pub related: Option<(Span, String)>,
    /// Index of the document the problem belongs to, when it was built.
    pub document: Option<usize>,
}

#[derive(Debug, Default)]
pub struct Loaded {
    pub documents: Vec<Document>,
    pub problems: Vec<LoadProblem>,
    /// True when parsing stopped early on an error.
    pub failed: bool,
    /// True when a flow mapping opened with `{{`: Go template syntax that YAML happens to
    /// accept (`image: {{ .Values.image }}`).
    pub template_braces: bool,
}

/// Converts the parser's character offsets to byte offsets. Events arrive almost in order, so
/// a cursor moving from the last position costs O(distance).
struct CharToByte<'a> {
    text: &'a str,
    ascii: bool,
    char_pos: usize,
    byte_pos: usize,
}

impl<'a> CharToByte<'a> {
    fn new(text: &'a str) -> Self {
        CharToByte {
            text,
            ascii: text.is_ascii(),
            char_pos: 0,
            byte_pos: 0,
        }
    }

    fn byte(&mut self, char_index: usize) -> usize {
        if self.ascii {
            return char_index.min(self.text.len());
        }
        while self.char_pos < char_index {
            match self.text[self.byte_pos..].chars().next() {
                Some(c) => {
                    self.byte_pos += c.len_utf8();
                    self.char_pos += 1;
                }
                None => break,
            }
        }
        while self.char_pos > char_index {
            match self.text[..self.byte_pos].chars().next_back() {
                Some(c) => {
                    self.byte_pos -= c.len_utf8();
                    self.char_pos -= 1;
                }
                None => break,
            }
        }
        self.byte_pos
    }
}

enum Frame {
    Sequence {
        start: usize,
        anchor: usize,
        items: Vec<NodeId>,
        size: u64,
    },
    Mapping {
        start: usize,
        anchor: usize,
        entries: Vec<Entry>,
        pending_key: Option<NodeId>,
        size: u64,
    },
}

struct DocBuilder {
    nodes: Vec<Node>,
    /// Expanded size of each node (aliases counted as their target), saturating.
    sizes: Vec<u64>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, NodeId>,
    alias_expansion: u64,
    root: Option<NodeId>,
    start: usize,
    end: usize,
}

impl DocBuilder {
    fn new(start: usize) -> Self {
        DocBuilder {
            nodes: Vec::new(),
            sizes: Vec::new(),
            stack: Vec::new(),
            anchors: HashMap::new(),
            alias_expansion: 0,
            root: None,
            start,
            end: start,
        }
    }

    fn add(&mut self, node: Node, size: u64) -> NodeId {
        self.end = self.end.max(node.span.end);
        self.nodes.push(node);
        self.sizes.push(size);
        (self.nodes.len() - 1) as NodeId
    }

    /// Attaches a finished node to its parent.
    fn attach(&mut self, id: NodeId) {
        let size = self.sizes[id as usize];
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(id);
                }
            }
            Some(Frame::Sequence {
                items, size: total, ..
            }) => {
                items.push(id);
                *total = total.saturating_add(size);
            }
            Some(Frame::Mapping {
                entries,
                pending_key,
                size: total,
                ..
            }) => {
                *total = total.saturating_add(size);
                match pending_key.take() {
                    None => *pending_key = Some(id),
                    Some(key) => entries.push(Entry { key, value: id }),
                }
            }
        }
    }

    fn finish(mut self) -> Option<Document> {
        let root = self.root?;
        // The tree lives for the whole run: give back the growth slack (a third of the nodes'
        // memory on average; measured on the benchmark corpus).
        self.nodes.shrink_to_fit();
        Some(Document {
            nodes: self.nodes,
            root,
            span: Span::new(self.start, self.end),
        })
    }
}

fn style(style: ScalarStyle) -> Style {
    match style {
        ScalarStyle::Plain => Style::Plain,
        ScalarStyle::SingleQuoted => Style::SingleQuoted,
        ScalarStyle::DoubleQuoted => Style::DoubleQuoted,
        ScalarStyle::Literal => Style::Literal,
        ScalarStyle::Folded => Style::Folded,
    }
}

fn tag_text(tag: Option<Cow<'_, Tag>>) -> Option<Box<str>> {
    tag.map(|t| format!("{}{}", t.handle, t.suffix).into_boxed_str())
}

impl Loaded {
    /// Rewrites every byte offset (node spans, problem spans), e.g. back to the original text
    /// after a repair, or from a segment to its file.
    fn map_offsets(&mut self, map: impl Fn(usize) -> usize) {
        let map_span = |s: Span| Span::new(map(s.start), map(s.end));
        for doc in &mut self.documents {
            doc.span = map_span(doc.span);
            for node in &mut doc.nodes {
                node.span = map_span(node.span);
            }
        }
        for problem in &mut self.problems {
            problem.span = map_span(problem.span);
            if let Some((span, _)) = &mut problem.related {
                *span = map_span(*span);
            }
        }
    }
}

/// Parses a YAML (or JSON) stream into spanned documents, accepting what Kubernetes' reader
/// accepts (see [`lenient`]).
pub fn parse_yaml(text: &str) -> Loaded {
    let strict = parse_strict(text);
    if strict.failed {
        return lenient::parse_lenient(text, strict);
    }
    strict
}

/// Parses exactly as `saphyr-parser` does.
fn parse_strict(text: &str) -> Loaded {
    let mut loaded = Loaded::default();
    let mut offsets = CharToByte::new(text);
    let mut builder: Option<DocBuilder> = None;
    let bytes = text.as_bytes();

    for event in Parser::new_from_str(text) {
        let (event, span) = match event {
            Ok(ok) => ok,
            Err(err) => {
                let at = offsets.byte(err.marker().index());
                loaded.problems.push(LoadProblem {
                    kind: ProblemKind::Syntax,
                    span: Span::new(at, at),
                    message: if err.info().contains("recursion limit") {
                        "the document nests too deeply: flow collections (`[`, `{`) nested \
                         hundreds of levels deep exceed the parser's recursion limit"
                            .to_string()
                    } else {
                        format!("invalid YAML: {}", err.info())
                    },
                    related: None,
                    document: None,
                });
                loaded.failed = true;
                break;
            }
        };
        let start = offsets.byte(span.start.index());
        let end = offsets.byte(span.end.index());
        match event {
            Event::DocumentStart(_) => builder = Some(DocBuilder::new(start)),
            Event::DocumentEnd => {
                if let Some(doc) = builder.take().and_then(DocBuilder::finish) {
                    loaded.documents.push(doc);
                }
            }
            Event::Scalar(value, scalar_style, anchor, tag) => {
                let Some(b) = builder.as_mut() else { continue };
                // A quoted scalar's event span runs on over a trailing comment: end it at the
                // closing quote.
                let end = match scalar_style {
                    ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                        closing_quote_end(text, start, end).unwrap_or(end)
                    }
                    _ => end,
                };
                let id = b.add(
                    Node {
                        span: Span::new(start, end),
                        kind: NodeKind::Scalar(Scalar {
                            text: value.into_owned().into_boxed_str(),
                            style: style(scalar_style),
                            tag: tag_text(tag),
                        }),
                    },
                    1,
                );
                if anchor > 0 {
                    b.anchors.insert(anchor, id);
                }
                b.attach(id);
            }
            Event::Alias(anchor) => {
                let Some(b) = builder.as_mut() else { continue };
                let Some(&target) = b.anchors.get(&anchor) else {
                    loaded
                        .problems
                        .push(syntax(start, end, "alias to an unknown anchor"));
                    loaded.failed = true;
                    break;
                };
                b.alias_expansion = b.alias_expansion.saturating_add(b.sizes[target as usize]);
                if b.alias_expansion > MAX_ALIAS_EXPANSION {
                    loaded.problems.push(syntax(
                        start,
                        end,
                        &format!(
                            "aliases expand this document to more than {MAX_ALIAS_EXPANSION} \
                             nodes (an alias bomb, \"billion laughs\"); refusing to load it"
                        ),
                    ));
                    loaded.failed = true;
                    builder = None;
                    break;
                }
                b.attach(target);
            }
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                let Some(b) = builder.as_mut() else { continue };
                if b.stack.len() >= MAX_DEPTH {
                    loaded.problems.push(syntax(
                        start,
                        end,
                        &format!("the document nests deeper than {MAX_DEPTH} levels"),
                    ));
                    loaded.failed = true;
                    builder = None;
                    break;
                }
                let is_mapping = matches!(event, Event::MappingStart(..));
                if is_mapping
                    && bytes.get(start) == Some(&b'{')
                    && bytes.get(start + 1) == Some(&b'{')
                {
                    loaded.template_braces = true;
                }
                b.stack.push(if is_mapping {
                    Frame::Mapping {
                        start,
                        anchor,
                        entries: Vec::new(),
                        pending_key: None,
                        size: 1,
                    }
                } else {
                    Frame::Sequence {
                        start,
                        anchor,
                        items: Vec::new(),
                        size: 1,
                    }
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(b) = builder.as_mut() else { continue };
                let Some(frame) = b.stack.pop() else { continue };
                let doc_index = loaded.documents.len();
                let (node_start, anchor, kind, size) = match frame {
                    Frame::Sequence {
                        start,
                        anchor,
                        items,
                        size,
                    } => {
                        let mut items = items;
                        items.shrink_to_fit();
                        (start, anchor, NodeKind::Sequence(items), size)
                    }
                    Frame::Mapping {
                        start,
                        anchor,
                        entries,
                        pending_key,
                        size,
                    } => {
                        let mut entries = entries;
                        if let Some(key) = pending_key {
                            // A key without a value cannot come from the parser; keep it as null.
                            entries.push(Entry { key, value: key });
                        }
                        let entries = finish_mapping(b, entries, doc_index, &mut loaded.problems);
                        (start, anchor, NodeKind::Mapping(entries), size)
                    }
                };
                // A flow collection ends at its `]`/`}` (the event's span runs on over trailing
                // whitespace and comments); a block collection at its last child.
                let node_end = if matches!(bytes.get(start), Some(b']' | b'}')) {
                    start + 1
                } else {
                    last_child_end(b, &kind).unwrap_or(end).max(node_start)
                };
                let id = b.add(
                    Node {
                        span: Span::new(node_start, node_end),
                        kind,
                    },
                    size,
                );
                if anchor > 0 {
                    b.anchors.insert(anchor, id);
                }
                b.attach(id);
            }
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
    }
    if let Some(doc) = builder.and_then(DocBuilder::finish) {
        // A document interrupted by a syntax error is not linted: its tree is incomplete.
        if !loaded.failed {
            loaded.documents.push(doc);
        }
    }
    loaded
}

/// The end (exclusive) of the quoted scalar that starts at or after `start` (after an anchor or
/// tag), scanning no further than `limit`.
fn closing_quote_end(text: &str, start: usize, limit: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let open = start
        + bytes
            .get(start..limit)?
            .iter()
            .position(|b| matches!(b, b'"' | b'\''))?;
    let quote = bytes[open];
    let mut i = open + 1;
    while i < limit {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            c if c == quote => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

fn syntax(start: usize, end: usize, message: &str) -> LoadProblem {
    LoadProblem {
        kind: ProblemKind::Syntax,
        span: Span::new(start, end),
        message: message.to_string(),
        related: None,
        document: None,
    }
}

fn last_child_end(b: &DocBuilder, kind: &NodeKind) -> Option<usize> {
    let last = match kind {
        NodeKind::Sequence(items) => items.last().copied(),
        NodeKind::Mapping(entries) => entries.last().map(|e| e.value),
        NodeKind::Scalar(_) => None,
    }?;
    Some(b.nodes[last as usize].span.end)
}

fn is_merge_key(b: &DocBuilder, key: NodeId) -> bool {
    matches!(&b.nodes[key as usize].kind, NodeKind::Scalar(s)
        if (&*s.text == "<<" && s.style == Style::Plain) || s.tag.as_deref() == Some("tag:yaml.org,2002:merge"))
}

fn key_text(b: &DocBuilder, key: NodeId) -> Option<&str> {
    match &b.nodes[key as usize].kind {
        NodeKind::Scalar(s) => Some(&s.text),
        _ => None,
    }
}

/// Detects duplicate keys among the explicit entries and resolves merge keys (`<<`): entries
/// of the merged mappings are appended unless an explicit key (or an earlier merge) has them.
fn finish_mapping(
    b: &DocBuilder,
    entries: Vec<Entry>,
    document: usize,
    problems: &mut Vec<LoadProblem>,
) -> Vec<Entry> {
    let mut seen: HashMap<&str, NodeId> = HashMap::with_capacity(entries.len());
    let mut merges = Vec::new();
    let mut result = Vec::with_capacity(entries.len());
    for entry in entries {
        if is_merge_key(b, entry.key) {
            merges.push(entry);
            continue;
        }
        if let Some(text) = key_text(b, entry.key) {
            if let Some(&first) = seen.get(text) {
                let first_span = b.nodes[first as usize].span;
                problems.push(LoadProblem {
                    kind: ProblemKind::DuplicateKey,
                    span: b.nodes[entry.key as usize].span,
                    message: format!(
                        "duplicate key `{text}`: the API server's strict decoding rejects it, \
                         and lenient tools silently keep only one of the values"
                    ),
                    related: Some((first_span, "first defined here".to_string())),
                    document: Some(document),
                });
            } else {
                seen.insert(text, entry.key);
            }
        }
        result.push(entry);
    }
    for merge in merges {
        let sources: Vec<NodeId> = match &b.nodes[merge.value as usize].kind {
            NodeKind::Mapping(_) => vec![merge.value],
            NodeKind::Sequence(items) => items.clone(),
            NodeKind::Scalar(_) => Vec::new(),
        };
        for source in sources {
            let NodeKind::Mapping(source_entries) = &b.nodes[source as usize].kind else {
                problems.push(LoadProblem {
                    kind: ProblemKind::Syntax,
                    span: b.nodes[source as usize].span,
                    message: "a merge key (`<<`) needs a mapping or a list of mappings".into(),
                    related: None,
                    document: Some(document),
                });
                continue;
            };
            for entry in source_entries {
                let Some(text) = key_text(b, entry.key) else {
                    continue;
                };
                if !seen.contains_key(text) {
                    seen.insert(text, entry.key);
                    result.push(entry.clone());
                }
            }
        }
        if matches!(&b.nodes[merge.value as usize].kind, NodeKind::Scalar(_)) {
            problems.push(LoadProblem {
                kind: ProblemKind::Syntax,
                span: b.nodes[merge.value as usize].span,
                message: "a merge key (`<<`) needs a mapping or a list of mappings".into(),
                related: None,
                document: Some(document),
            });
        }
    }
    result
}

#[cfg(test)]
mod tests;
