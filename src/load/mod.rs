//! Parsing sources into spanned documents.
//!
//! [`parse_yaml`] turns text into [`Document`]s built from `saphyr-parser` events. It never
//! stops at the first problem of a stream: documents completed before a syntax error are kept.
//! Problems (syntax errors, duplicate keys, alias bombs, excessive nesting) are returned as
//! [`LoadProblem`]s for the pipeline to turn into findings.

pub(crate) mod dockerfile;
pub(crate) mod file;
pub(crate) mod input;
pub mod json;
mod lenient;
pub(crate) mod locate;
pub(crate) mod scalar;
pub(crate) mod tree;

use std::collections::HashMap;
use std::sync::Arc;

use saphyr_parser::{Event, Parser, ScalarStyle};

use crate::source::Span;
pub use scalar::Style;
pub use tree::{Document, Entry, NodeId, NodeKind, NodeRef, Scalar};
use tree::{MAX_TEXT, Node, Parts, Tree, to_u32};

/// Documents nesting deeper than this are refused (the stack of every consumer stays small).
pub const MAX_DEPTH: usize = 1_000;
/// Total number of nodes that aliases may add to one document by expansion. A "billion laughs"
/// document exceeds it after a few levels; real manifests use a handful of small aliases.
pub const MAX_ALIAS_EXPANSION: u64 = 1_000_000;
/// The memory budget of one run, in YAML nodes (each costs about 30 bytes in the tree, more
/// in the rules' views): a file that takes the run past it is not linted (a `parse-error`
/// says so) instead of the process running out of memory. Checked while a file is parsed
/// (one file alone cannot exceed it) and over all files, in path order, after loading.
pub const MAX_NODES_PER_RUN: usize = 16_000_000;
/// The same for documents (each costs a few hundred bytes whatever its size).
pub const MAX_DOCUMENTS_PER_RUN: usize = 2_000_000;
/// Flow collections (`{`, `[`) one file may open: the parser buffers their tokens whole.
pub const MAX_FLOW_OPENERS: usize = 1_000_000;

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
    /// Nodes in `documents` (for the run's memory budget).
    pub nodes: usize,
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
            match self
                .text
                .get(self.byte_pos..)
                .and_then(|rest| rest.chars().next())
            {
                Some(c) => {
                    self.byte_pos += c.len_utf8();
                    self.char_pos += 1;
                }
                None => break,
            }
        }
        while self.char_pos > char_index {
            match self
                .text
                .get(..self.byte_pos)
                .and_then(|before| before.chars().next_back())
            {
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
        /// Where this sequence's items begin in `DocBuilder::scratch_items`.
        first: usize,
        size: u64,
    },
    Mapping {
        start: usize,
        anchor: usize,
        /// Where this mapping's entries begin in `DocBuilder::scratch_entries`.
        first: usize,
        pending_key: Option<NodeId>,
        size: u64,
    },
}

/// Builds one document. Children are complete before their parent closes: open collections
/// collect their children on the scratch stacks, and a closing collection moves its own (the
/// top of the stack) into the document's flat `items`/`entries` arrays.
struct DocBuilder {
    nodes: Vec<Node>,
    items: Vec<NodeId>,
    item_ends: Vec<u32>,
    entries: Vec<Entry>,
    entry_ends: Vec<u32>,
    arena: String,
    arena_ends: Vec<u32>,
    /// The tagged scalars and the arena index of each one's tag.
    tag_nodes: Vec<NodeId>,
    tag_strings: Vec<u32>,
    /// Expanded size of each node (aliases counted as their target), saturating.
    sizes: Vec<u64>,
    stack: Vec<Frame>,
    scratch_items: Vec<NodeId>,
    scratch_entries: Vec<Entry>,
    /// A closing mapping's entries after merge keys are resolved (reused).
    merged: Vec<Entry>,
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
            items: Vec::new(),
            item_ends: Vec::new(),
            entries: Vec::new(),
            entry_ends: Vec::new(),
            arena: String::new(),
            arena_ends: Vec::new(),
            tag_nodes: Vec::new(),
            tag_strings: Vec::new(),
            sizes: Vec::new(),
            stack: Vec::new(),
            scratch_items: Vec::new(),
            scratch_entries: Vec::new(),
            merged: Vec::new(),
            anchors: HashMap::new(),
            alias_expansion: 0,
            root: None,
            start,
            end: start,
        }
    }

    /// The document so far; `text` is the text being parsed.
    fn parts<'a>(&'a self, text: &'a str) -> Parts<'a> {
        Parts {
            nodes: &self.nodes,
            items: &self.items,
            item_ends: &self.item_ends,
            entries: &self.entries,
            entry_ends: &self.entry_ends,
            arena: &self.arena,
            arena_ends: &self.arena_ends,
            tag_nodes: &self.tag_nodes,
            tag_strings: &self.tag_strings,
            source: text,
        }
    }

    fn add(&mut self, node: Node, size: u64) -> NodeId {
        self.end = self.end.max(node.end());
        self.nodes.push(node);
        self.sizes.push(size);
        (self.nodes.len() - 1) as NodeId
    }

    /// Stores the concatenation of `parts` in the arena; returns its index there.
    fn push_str(&mut self, parts: &[&str]) -> u32 {
        for part in parts {
            self.arena.push_str(part);
        }
        self.arena_ends.push(to_u32(self.arena.len()));
        to_u32(self.arena_ends.len() - 1)
    }

    /// Attaches a finished node to its parent.
    fn attach(&mut self, id: NodeId) {
        let size = self.sizes.get(id as usize).copied().unwrap_or_default();
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(id);
                }
            }
            Some(Frame::Sequence { size: total, .. }) => {
                self.scratch_items.push(id);
                *total = total.saturating_add(size);
            }
            Some(Frame::Mapping {
                pending_key,
                size: total,
                ..
            }) => {
                *total = total.saturating_add(size);
                match pending_key.take() {
                    None => *pending_key = Some(id),
                    Some(key) => self.scratch_entries.push(Entry { key, value: id }),
                }
            }
        }
    }

    /// Starts the next document, reusing the buffers.
    fn reset(&mut self, start: usize) {
        self.nodes.clear();
        self.items.clear();
        self.item_ends.clear();
        self.entries.clear();
        self.entry_ends.clear();
        self.arena.clear();
        self.arena_ends.clear();
        self.tag_nodes.clear();
        self.tag_strings.clear();
        self.sizes.clear();
        self.stack.clear();
        self.scratch_items.clear();
        self.scratch_entries.clear();
        self.anchors.clear();
        self.alias_expansion = 0;
        self.root = None;
        self.start = start;
        self.end = start;
    }

    fn finish(&self, source: &Arc<str>) -> Option<Document> {
        let root = self.root?;
        // Sized exactly: the tree lives for the whole run.
        Some(Document::new(
            self.parts(source),
            source,
            root,
            Span::new(self.start, self.end),
        ))
    }
}

/// Whether `value` is verbatim the part of `text` that ends at `stop`.
fn verbatim(text: &str, stop: usize, value: &str) -> bool {
    stop.checked_sub(value.len())
        .is_some_and(|start| text.get(start..stop) == Some(value))
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

impl Loaded {
    /// Rewrites every byte offset (node spans, problem spans), e.g. back to the original text
    /// after a repair, or from a segment to its file. `parsed` is the text the documents were
    /// built from.
    fn map_offsets(&mut self, map: impl Fn(usize) -> usize, parsed: &str) {
        let map_span = |s: Span| Span::new(map(s.start), map(s.end));
        for doc in &mut self.documents {
            doc.map_offsets(&map, parsed);
        }
        for problem in &mut self.problems {
            problem.span = map_span(problem.span);
            if let Some((span, _)) = &mut problem.related {
                *span = map_span(*span);
            }
        }
    }
}

/// Text to parse. Documents keep a shared reference to the text they were parsed from (most
/// scalar values are slices of it), so pass the `SourceFile`'s `Arc<str>` (`&source.text`)
/// to share it; a `&str` or `String` is copied into a new `Arc<str>` once.
pub trait IntoSourceText {
    fn into_source_text(self) -> Arc<str>;
}

impl IntoSourceText for &Arc<str> {
    fn into_source_text(self) -> Arc<str> {
        Arc::clone(self)
    }
}

impl IntoSourceText for Arc<str> {
    fn into_source_text(self) -> Arc<str> {
        self
    }
}

impl IntoSourceText for &str {
    fn into_source_text(self) -> Arc<str> {
        Arc::from(self)
    }
}

impl IntoSourceText for &String {
    fn into_source_text(self) -> Arc<str> {
        Arc::from(self.as_str())
    }
}

impl IntoSourceText for String {
    fn into_source_text(self) -> Arc<str> {
        Arc::from(self)
    }
}

/// Parses a YAML (or JSON) stream into spanned documents, accepting what Kubernetes' reader
/// accepts (see [`lenient`]).
pub fn parse_yaml(text: impl IntoSourceText) -> Loaded {
    parse_source(&text.into_source_text())
}

/// [`parse_yaml`] of a shared text.
pub fn parse_source(source: &Arc<str>) -> Loaded {
    if source.len() > MAX_TEXT {
        // Unreachable from the linter (files are capped at 256 MiB): the tree stores offsets
        // in 29 bits.
        return Loaded {
            problems: vec![syntax(
                0,
                0,
                &format!("the text is larger than {} MiB", (MAX_TEXT + 1) >> 20),
            )],
            failed: true,
            ..Loaded::default()
        };
    }
    // saphyr-parser holds every token of an open flow collection until it closes, before any
    // node reaches the budget check: 16 MB of `{}` took 1.4 GB. A file with more flow
    // collection openers than the budget allows is refused before parsing (counting `{` and
    // `[` anywhere over-counts text in strings; real manifests in the corpus have at most a
    // few thousand).
    let openers = source.bytes().filter(|b| matches!(b, b'{' | b'[')).count();
    if openers > MAX_FLOW_OPENERS {
        return Loaded {
            problems: vec![syntax(
                0,
                0,
                &format!(
                    "this file opens {openers} flow collections (`{{` or `[`), more than the \
                     parser can hold within the run's memory budget ({MAX_FLOW_OPENERS}): it was \
                     not linted (split it)"
                ),
            )],
            failed: true,
            ..Loaded::default()
        };
    }
    let strict = parse_strict(source, source);
    let mut loaded = if strict.failed {
        lenient::parse_lenient(source, strict)
    } else {
        strict
    };
    // The documents live for the whole run.
    loaded.documents.shrink_to_fit();
    loaded
}

/// Parses a multi-document text whose document boundaries are known (text the run wrote
/// itself, such as a kustomization's built output): `parts` are the byte ranges that split
/// it, each one document (`---` separator included) and together the whole text. A large
/// text's parts are parsed in parallel; the result is the one [`parse_source`] gives (else the
/// whole text is parsed again with it: a part that fails or is not one document, a budget).
pub fn parse_parts(source: &Arc<str>, parts: &[(usize, usize)]) -> Loaded {
    parse_parts_from(source, parts, PARALLEL_FROM, CHUNK)
}

/// [`parse_parts`] parses a text in parallel only when its parts average at least this size.
const MIN_AVERAGE_PART: usize = 2 * 1024;

/// [`parse_parts`] parses parts in chunks of at least this many bytes (a stream of a million
/// tiny documents is a few hundred chunks, not a million parses).
const CHUNK: usize = 64 * 1024;

/// Below this a text is parsed on one thread: splitting costs more than it saves.
const PARALLEL_FROM: usize = 256 * 1024;

/// Parses a file's text as [`parse_source`] does; a large multi-document stream is parsed
/// document by document in parallel when its `---` lines alone tell the documents apart (see
/// [`document_parts`]).
pub fn parse_file(source: &Arc<str>) -> Loaded {
    if source.len() < PARALLEL_FROM {
        return parse_source(source);
    }
    match document_parts(source, source.len() / MIN_AVERAGE_PART) {
        Some(parts) => parse_parts(source, &parts),
        None => parse_source(source),
    }
}

/// A stream's documents by their `---` lines (at the start of a line, followed by a space, a
/// tab or the line's end: YAML forbids such a line inside any scalar, so it always starts a
/// document), each part running to the next one; text before the first `---` that holds only
/// comments and blank lines goes with the first document. `None` when a line starts with `%`
/// (a directive belongs to the document after it) or is a `...` document end, when there is
/// only one part or more than `max_parts`: such streams are parsed whole.
fn document_parts(text: &str, max_parts: usize) -> Option<Vec<(usize, usize)>> {
    let marker = |line: &str, m: &str| {
        line.strip_prefix(m)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r', '\n']))
    };
    let mut starts = vec![0];
    let mut offset = 0;
    // Whether the text so far (before the first `---`) is only comments and blank lines.
    let mut only_comments = true;
    for line in text.split_inclusive('\n') {
        if line.starts_with('%') || marker(line, "...") {
            return None;
        }
        if marker(line, "---") {
            if offset > 0 && !(starts.len() == 1 && only_comments) {
                if starts.len() >= max_parts {
                    return None;
                }
                starts.push(offset);
            }
            only_comments = false;
        } else if starts.len() == 1 && only_comments {
            let content = line.trim_start_matches([' ', '\t', '\r', '\n']);
            only_comments = content.is_empty() || content.starts_with('#');
        }
        offset += line.len();
    }
    if starts.len() < 2 {
        return None;
    }
    let ends = starts.iter().skip(1).copied().chain([text.len()]);
    Some(starts.iter().copied().zip(ends).collect())
}

/// [`parse_parts`] with the size from which it parses in parallel and the chunk size (tests use
/// small texts and chunks).
fn parse_parts_from(
    source: &Arc<str>,
    parts: &[(usize, usize)],
    parallel_from: usize,
    chunk: usize,
) -> Loaded {
    use rayon::prelude::*;
    let whole = parts.first().map(|p| p.0) == Some(0)
        && parts.last().map(|p| p.1) == Some(source.len())
        && parts.windows(2).all(|w| matches!(w, [a, b] if a.1 == b.0));
    if !whole
        || parts.len() < 2
        || source.len() < parallel_from
        // Streams of tiny documents gain little and would hold each chunk's documents twice.
        || source.len() / parts.len() < MIN_AVERAGE_PART.min(parallel_from)
        || source.len() > MAX_TEXT
        || source.bytes().filter(|b| matches!(b, b'{' | b'[')).count() > MAX_FLOW_OPENERS
    {
        return parse_source(source);
    }
    // Parts are parsed in chunks of at least `chunk` bytes. Each chunk is parsed with the
    // first line of the next part (its `---` line) after it: what follows a document decides
    // where its last empty value is placed (`a:` at a document's end), so the parser must see
    // what it sees in the whole stream. That extra document is dropped.
    let mut chunks: Vec<(usize, usize, usize)> = Vec::new();
    for &(start, end) in parts {
        match chunks.last_mut() {
            Some((chunk_start, chunk_end, count)) if *chunk_end - *chunk_start < chunk => {
                *chunk_end = end;
                *count += 1;
            }
            _ => chunks.push((start, end, 1)),
        }
    }
    let parsed: Vec<Option<Loaded>> = chunks
        .par_iter()
        .map(|&(start, end, count)| {
            let lookahead = if end < source.len() {
                source
                    .get(end..)?
                    .find('\n')
                    .map_or(source.len(), |n| end + n + 1)
            } else {
                end
            };
            let segment = source.get(start..lookahead)?;
            let mut part = parse_strict(segment, source);
            let expected = count + usize::from(lookahead > end);
            if part.failed
                || part.documents.len() != expected
                || part.problems.iter().any(|p| p.document.is_none())
            {
                return None;
            }
            part.documents.truncate(count);
            part.problems
                .retain(|p| p.document.is_some_and(|d| d < count));
            part.nodes = part.documents.iter().map(Document::node_count).sum();
            part.map_offsets(|o| o + start, segment);
            Some(part)
        })
        .collect();
    let mut all = Loaded::default();
    all.documents
        .reserve_exact(parsed.iter().flatten().map(|p| p.documents.len()).sum());
    for part in parsed {
        let Some(part) = part else {
            return parse_source(source);
        };
        let first = all.documents.len();
        all.nodes += part.nodes;
        all.documents.extend(part.documents);
        all.problems.extend(part.problems.into_iter().map(|mut p| {
            p.document = p.document.map(|d| d + first);
            p
        }));
        all.template_braces |= part.template_braces;
    }
    if all.nodes > MAX_NODES_PER_RUN || all.documents.len() > MAX_DOCUMENTS_PER_RUN {
        return parse_source(source);
    }
    all.documents.shrink_to_fit();
    all
}

/// Parses `text` exactly as `saphyr-parser` does. The documents refer to `source`; it is
/// `text` itself, or the file `text` was derived from (a repair, a segment), and then
/// [`Loaded::map_offsets`] must map the offsets to it.
fn parse_strict(text: &str, source: &Arc<str>) -> Loaded {
    let mut loaded = Loaded::default();
    let mut offsets = CharToByte::new(text);
    let mut builder: Option<DocBuilder> = None;
    let mut spare: Option<DocBuilder> = None;
    let bytes = text.as_bytes();
    // Where the last event started: where a budget is found exceeded.
    let mut reached = 0;

    for event in Parser::new_from_str(text) {
        let building = builder.as_ref().map_or(0, |b| b.nodes.len());
        if loaded.nodes + building > MAX_NODES_PER_RUN
            || loaded.documents.len() > MAX_DOCUMENTS_PER_RUN
        {
            loaded.problems.push(over_budget(
                reached,
                loaded.nodes + building > MAX_NODES_PER_RUN,
            ));
            loaded.failed = true;
            loaded.documents.clear();
            loaded.nodes = 0;
            builder = None;
            break;
        }
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
        reached = start;
        match event {
            Event::DocumentStart(_) => {
                // The buffers of the previous document are reused.
                builder = Some(match spare.take() {
                    Some(mut b) => {
                        b.reset(start);
                        b
                    }
                    None => DocBuilder::new(start),
                });
            }
            Event::DocumentEnd => {
                if let Some(b) = builder.take() {
                    if let Some(doc) = b.finish(source) {
                        loaded.nodes += b.nodes.len();
                        loaded.documents.push(doc);
                    }
                    spare = Some(b);
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
                let mut node = Node::scalar(start, end, style(scalar_style));
                // Most values are their source text verbatim: keep no copy of those.
                let in_source = matches!(
                    scalar_style,
                    ScalarStyle::Plain | ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted
                ) && verbatim(text, node.text_stop(), &value);
                if in_source {
                    node.set_text(to_u32(value.len()), true);
                } else {
                    node.set_text(b.push_str(&[&value]), false);
                }
                if let Some(tag) = tag {
                    let index = b.push_str(&[&tag.handle, &tag.suffix]);
                    node.set_has_tag();
                    b.tag_nodes.push(to_u32(b.nodes.len()));
                    b.tag_strings.push(index);
                }
                let id = b.add(node, 1);
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
                b.alias_expansion = b
                    .alias_expansion
                    .saturating_add(b.sizes.get(target as usize).copied().unwrap_or_default());
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
                        first: b.scratch_entries.len(),
                        pending_key: None,
                        size: 1,
                    }
                } else {
                    Frame::Sequence {
                        start,
                        anchor,
                        first: b.scratch_items.len(),
                        size: 1,
                    }
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(b) = builder.as_mut() else { continue };
                let Some(frame) = b.stack.pop() else { continue };
                let doc_index = loaded.documents.len();
                let (node_start, anchor, mut node, size) = match frame {
                    Frame::Sequence {
                        start,
                        anchor,
                        first,
                        size,
                    } => {
                        b.items.extend(b.scratch_items.drain(first..));
                        b.item_ends.push(to_u32(b.items.len()));
                        let ordinal = to_u32(b.item_ends.len() - 1);
                        (start, anchor, Node::sequence(ordinal), size)
                    }
                    Frame::Mapping {
                        start,
                        anchor,
                        first,
                        pending_key,
                        size,
                    } => {
                        if let Some(key) = pending_key {
                            // A key without a value cannot come from the parser; keep it as null.
                            b.scratch_entries.push(Entry { key, value: key });
                        }
                        finish_mapping(b, text, first, doc_index, &mut loaded.problems);
                        b.entry_ends.push(to_u32(b.entries.len()));
                        let ordinal = to_u32(b.entry_ends.len() - 1);
                        (start, anchor, Node::mapping(ordinal), size)
                    }
                };
                // A flow collection ends at its `]`/`}` (the event's span runs on over trailing
                // whitespace and comments); a block collection at its last child.
                let node_end = if matches!(bytes.get(start), Some(b']' | b'}')) {
                    start + 1
                } else {
                    last_child_end(b.parts(text), &node)
                        .unwrap_or(end)
                        .max(node_start)
                };
                node.set_span(node_start, node_end);
                let id = b.add(node, size);
                if anchor > 0 {
                    b.anchors.insert(anchor, id);
                }
                b.attach(id);
            }
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
        }
    }
    if let Some(doc) = builder.and_then(|b| b.finish(source)) {
        // A document interrupted by a syntax error is not linted: its tree is incomplete.
        if !loaded.failed {
            loaded.nodes += doc.node_count();
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
    let quote = *bytes.get(open)?;
    let mut i = open + 1;
    while i < limit {
        let Some(&c) = bytes.get(i) else {
            break;
        };
        match c {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            c if c == quote => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

/// The problem of a file that takes a run past its memory budget.
pub(crate) fn over_budget(at: usize, nodes: bool) -> LoadProblem {
    let what = if nodes {
        format!("{MAX_NODES_PER_RUN} YAML nodes")
    } else {
        format!("{MAX_DOCUMENTS_PER_RUN} documents")
    };
    syntax(
        at,
        at,
        &format!(
            "this file takes the run past its memory budget of {what}: it was not linted \
             (lint it on its own, or split it)"
        ),
    )
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

fn last_child_end(parts: Parts<'_>, node: &Node) -> Option<usize> {
    let last = if node.is_sequence() {
        parts.items_of(node).last().copied()
    } else if node.is_mapping() {
        parts.entries_of(node).last().map(|e| e.value)
    } else {
        None
    }?;
    Some(parts.node_at(last).end())
}

fn is_merge_key(parts: Parts<'_>, key: NodeId) -> bool {
    let node = parts.node_at(key);
    node.is_scalar()
        && ((node.style() == Style::Plain && parts.text(key) == Some("<<"))
            || parts.tag(key) == Some("tag:yaml.org,2002:merge"))
}

/// The keys seen so far in a mapping: a short list for the usual handful, a hash map beyond.
struct Seen<'a> {
    list: [(&'a str, NodeId); 16],
    len: usize,
    map: HashMap<&'a str, NodeId>,
}

impl<'a> Seen<'a> {
    fn new() -> Self {
        Seen {
            list: [("", 0); 16],
            len: 0,
            map: HashMap::new(),
        }
    }

    fn get(&self, key: &str) -> Option<NodeId> {
        if self.map.is_empty() {
            self.list
                .get(..self.len)
                .unwrap_or_default()
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, id)| *id)
        } else {
            self.map.get(key).copied()
        }
    }

    /// Records `key` (not seen yet).
    fn insert(&mut self, key: &'a str, id: NodeId) {
        if self.map.is_empty()
            && let Some(slot) = self.list.get_mut(self.len)
        {
            *slot = (key, id);
            self.len += 1;
        } else {
            if self.map.is_empty() {
                let list = self.list.get(..self.len).unwrap_or_default();
                self.map.extend(list.iter().copied());
            }
            self.map.insert(key, id);
        }
    }
}

/// Closes the mapping whose explicit entries are `b.scratch_entries[first..]`: appends its
/// entries to the document's flat array (see [`resolve_mapping`]).
fn finish_mapping(
    b: &mut DocBuilder,
    text: &str,
    first: usize,
    document: usize,
    problems: &mut Vec<LoadProblem>,
) {
    let mut scratch = std::mem::take(&mut b.scratch_entries);
    let mut result = std::mem::take(&mut b.merged);
    result.clear();
    resolve_mapping(
        b.parts(text),
        scratch.get(first..).unwrap_or_default(),
        document,
        problems,
        &mut result,
    );
    b.entries.extend_from_slice(&result);
    scratch.truncate(first);
    b.scratch_entries = scratch;
    b.merged = result;
}

/// Detects duplicate keys among the explicit entries and resolves merge keys (`<<`): entries
/// of the merged mappings are appended unless an explicit key (or an earlier merge) has them.
fn resolve_mapping(
    b: Parts<'_>,
    entries: &[Entry],
    document: usize,
    problems: &mut Vec<LoadProblem>,
    result: &mut Vec<Entry>,
) {
    let mut seen = Seen::new();
    let mut merges = Vec::new();
    for &entry in entries {
        if is_merge_key(b, entry.key) {
            merges.push(entry);
            continue;
        }
        if let Some(key) = b.text(entry.key) {
            if let Some(first) = seen.get(key) {
                let first_span = b.node_at(first).span();
                problems.push(LoadProblem {
                    kind: ProblemKind::DuplicateKey,
                    span: b.node_at(entry.key).span(),
                    message: format!(
                        "duplicate key `{key}`: the API server's strict decoding rejects it, \
                         and lenient tools silently keep only one of the values"
                    ),
                    related: Some((first_span, "first defined here".to_string())),
                    document: Some(document),
                });
            } else {
                seen.insert(key, entry.key);
            }
        }
        result.push(entry);
    }
    for merge in merges {
        let value = b.node_at(merge.value);
        let sources: &[NodeId] = if value.is_mapping() {
            std::slice::from_ref(&merge.value)
        } else if value.is_sequence() {
            b.items_of(value)
        } else {
            &[]
        };
        for &source in sources {
            let node = b.node_at(source);
            if !node.is_mapping() {
                problems.push(LoadProblem {
                    kind: ProblemKind::Syntax,
                    span: node.span(),
                    message: "a merge key (`<<`) needs a mapping or a list of mappings".into(),
                    related: None,
                    document: Some(document),
                });
                continue;
            }
            for &entry in b.entries_of(node) {
                let Some(key) = b.text(entry.key) else {
                    continue;
                };
                if seen.get(key).is_none() {
                    seen.insert(key, entry.key);
                    result.push(entry);
                }
            }
        }
        if value.is_scalar() {
            problems.push(LoadProblem {
                kind: ProblemKind::Syntax,
                span: value.span(),
                message: "a merge key (`<<`) needs a mapping or a list of mappings".into(),
                related: None,
                document: Some(document),
            });
        }
    }
}

#[cfg(test)]
#[allow(clippy::string_slice)] // Test code: slices its own texts at the spans under test.
mod tests;
