//! Inputs that Kubernetes' own reader accepts although `saphyr-parser` (a strict YAML 1.2
//! parser) rejects them. Kubernetes reads manifests with go-yaml v2, a port of libyaml, which
//! does not check indentation inside flow collections or inside multi-line quoted scalars, and
//! kubectl reads a stream of concatenated JSON objects (NDJSON) as a list of documents. A linter
//! must not call these files broken: the cluster takes them.
//!
//! Both are handled by re-parsing: a JSON stream is split into its top-level values; an
//! under-indented line inside a flow collection or quoted scalar is re-indented (whitespace
//! there carries no meaning) and the spans are mapped back to the original text.

use std::sync::Arc;

use super::{Loaded, parse_strict};

/// Errors whose position can be repaired by indenting a line: all concern whitespace that
/// libyaml ignores (flow context, quoted-scalar continuation lines).
fn repairable(message: &str) -> bool {
    message.ends_with("invalid indentation")
        || message.ends_with("invalid indentation in quoted scalar")
        || message.ends_with("invalid indentation in flow construct")
}

pub(super) fn parse_lenient(source: &Arc<str>, strict: Loaded) -> Loaded {
    if let Some(loaded) = parse_json_stream(source) {
        return loaded;
    }
    repair_indentation(source, strict)
}

/// Spaces inserted into the text: (offset in the original text, count), sorted by offset, with
/// where each lands in the repaired text, so that mapping an offset back is a binary search.
#[derive(Default)]
struct Insertions {
    at: Vec<(usize, usize)>,
    /// Offset in the repaired text where each insertion's spaces start.
    repaired_at: Vec<usize>,
}

impl Insertions {
    fn new(at: Vec<(usize, usize)>) -> Insertions {
        let mut shift = 0;
        let repaired_at = at
            .iter()
            .map(|&(offset, count)| {
                let here = offset + shift;
                shift += count;
                here
            })
            .collect();
        Insertions { at, repaired_at }
    }

    /// Maps an offset in the repaired text back to the original text.
    fn to_original(&self, repaired: usize) -> usize {
        // The last insertion that starts at or before `repaired`.
        let index = self.repaired_at.partition_point(|start| *start <= repaired);
        let Some(last) = index.checked_sub(1) else {
            return repaired;
        };
        let (Some(&(at, count)), Some(&start)) = (self.at.get(last), self.repaired_at.get(last))
        else {
            return repaired;
        };
        if repaired < start + count {
            // Inside inserted spaces: where they were inserted.
            return at;
        }
        // Everything inserted up to and including this insertion.
        repaired - (start + count - at)
    }

    /// The text with the spaces inserted, built in one pass.
    fn apply(&self, text: &str) -> String {
        let added: usize = self.at.iter().map(|(_, count)| count).sum();
        let mut out = String::with_capacity(text.len() + added);
        let mut from = 0;
        for &(at, count) in &self.at {
            out.push_str(text.get(from..at).unwrap_or_default());
            out.extend(std::iter::repeat_n(' ', count));
            from = at;
        }
        out.push_str(text.get(from..).unwrap_or_default());
        out
    }
}

/// One linear pass: every continuation line inside a multi-line quoted scalar or flow
/// collection that is indented less than the scalar's quote (the collection's opening
/// bracket) is indented to that column, then the text is parsed once. Those columns are
/// always deeper than the enclosing block's indentation, which is all YAML 1.2 asks, and
/// leading whitespace there is no part of any value (quoted scalars fold it away; flow
/// collections ignore it), so the result is what libyaml reads. When the repaired text still
/// does not parse, the original error is reported.
fn repair_indentation(source: &Arc<str>, strict: Loaded) -> Loaded {
    let text: &str = source;
    let repairable_error = strict
        .problems
        .last()
        .is_some_and(|problem| strict.failed && repairable(&problem.message));
    if !repairable_error {
        return strict;
    }
    let insertions = Insertions::new(continuation_indents(text));
    if insertions.at.is_empty() {
        return strict;
    }
    let repaired = insertions.apply(text);
    let mut current = parse_strict(&repaired, source);
    if current.failed {
        return strict;
    }
    current.map_offsets(|o| insertions.to_original(o), &repaired);
    current
}

/// The spaces to insert, as (line start, count), sorted: for each line that continues a
/// multi-line quoted scalar or flow collection, indented less than that scalar's or
/// collection's opening column. A light scanner of YAML's tokens, enough to find scalars'
/// quotes and flow brackets: comments, block scalars' contents, and quotes inside plain
/// scalars (`don't`) are skipped.
fn continuation_indents(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    // The open flow collections' columns (empty in block context).
    let mut flow: Vec<usize> = Vec::new();
    // An open quoted scalar: its quote character and column.
    let mut quote: Option<(char, usize)> = None;
    // Inside a block scalar: the indentation of the line that opened it.
    let mut block_scalar: Option<usize> = None;
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let this_start = line_start;
        line_start += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let indent = body.bytes().take_while(|b| *b == b' ').count();
        let blank = body.trim().is_empty();
        if let Some(parent) = block_scalar {
            if blank || indent > parent {
                continue;
            }
            block_scalar = None;
        }
        let target = match quote {
            Some((_, column)) => Some(column),
            None => flow.first().copied(),
        };
        if let Some(target) = target
            && !blank
            && indent < target
        {
            out.push((this_start, target - indent));
        }
        // At column 0 outside a quoted scalar, a document marker ends any flow collection.
        if quote.is_none() && (body.starts_with("---") || body.starts_with("...")) {
            flow.clear();
        }
        // Characters of the line, with their columns.
        let mut scalar_start = quote.is_none();
        let mut previous: Option<char> = None;
        let mut chars = body.chars().enumerate().peekable();
        while let Some((column, c)) = chars.next() {
            if let Some((q, _)) = quote {
                match c {
                    '\\' if q == '"' => {
                        chars.next();
                    }
                    '\'' if q == '\'' && chars.peek().map(|(_, n)| *n) == Some('\'') => {
                        chars.next();
                    }
                    c if c == q => {
                        quote = None;
                        scalar_start = false;
                    }
                    _ => {}
                }
                previous = Some(c);
                continue;
            }
            let after_space = previous.is_none_or(|p| p == ' ' || p == '\t');
            match c {
                ' ' | '\t' => {}
                '#' if after_space => break,
                '"' | '\'' if scalar_start => {
                    quote = Some((c, column));
                }
                '[' | '{' if scalar_start || !flow.is_empty() => {
                    flow.push(column);
                    scalar_start = true;
                }
                ']' | '}' if !flow.is_empty() => {
                    flow.pop();
                    scalar_start = false;
                }
                ',' if !flow.is_empty() => scalar_start = true,
                // `key: `, `- `, `? ` (and `key:` at the end of the line) open a value.
                ':' | '-' | '?'
                    if chars.peek().is_none_or(|(_, n)| *n == ' ' || *n == '\t')
                        && (scalar_start || c == ':') =>
                {
                    scalar_start = true;
                }
                ':' if !flow.is_empty() => scalar_start = true,
                // An anchor or a tag before the value: the value still starts after it.
                '&' | '!' if scalar_start => {
                    while chars.peek().is_some_and(|(_, n)| *n != ' ' && *n != '\t') {
                        chars.next();
                    }
                }
                '|' | '>' if scalar_start && flow.is_empty() => {
                    block_scalar = Some(indent);
                    break;
                }
                _ => scalar_start = false,
            }
            previous = Some(c);
        }
    }
    out
}

/// A stream of concatenated JSON values (`{...}\n{...}`), as kubectl accepts. Returns `None`
/// unless the text starts with `{` or `[` and splits into more than one value that each parse.
fn parse_json_stream(source: &Arc<str>) -> Option<Loaded> {
    let text: &str = source;
    let first = text.trim_start();
    if !(first.starts_with('{') || first.starts_with('[')) {
        return None;
    }
    let segments = split_json_values(text)?;
    if segments.len() < 2 {
        return None;
    }
    let mut all = Loaded::default();
    for (start, end) in segments {
        let segment = text.get(start..end)?;
        let mut part = parse_strict(segment, source);
        if part.failed {
            return None;
        }
        part.map_offsets(|o| o + start, segment);
        // A problem names its document by index: in the stream, after the values before it.
        let first = all.documents.len();
        all.nodes += part.nodes;
        all.documents.extend(part.documents);
        all.problems.extend(part.problems.into_iter().map(|mut p| {
            p.document = p.document.map(|d| d + first);
            p
        }));
    }
    Some(all)
}

/// Byte ranges of the top-level JSON values, by bracket matching outside strings.
fn split_json_values(text: &str) -> Option<Vec<(usize, usize)>> {
    let bytes = text.as_bytes();
    let mut values = Vec::new();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut start = None;
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                if depth == 0 {
                    start = Some(i);
                }
                depth += 1;
            }
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    values.push((start?, i + 1));
                }
            }
            b' ' | b'\t' | b'\r' | b'\n' | b',' => {}
            _ if depth == 0 => return None,
            _ => {}
        }
    }
    (depth == 0 && !in_string).then_some(values)
}

#[cfg(test)]
#[allow(clippy::string_slice)] // Test code: slices its own texts at the spans under test.
mod tests {
    use super::super::parse_yaml;
    use super::*;

    #[test]
    fn a_json_stream_problem_names_its_own_value() {
        let text = "{\"a\": 1}\n{\"kind\": \"A\", \"kind\": \"B\"}\n";
        let loaded = parse_yaml(text);
        assert_eq!(loaded.documents.len(), 2);
        let documents: Vec<Option<usize>> = loaded.problems.iter().map(|p| p.document).collect();
        assert_eq!(documents, vec![Some(1)]);
    }

    #[test]
    fn json_streams_are_split_into_documents() {
        let text = "{\"kind\": \"A\"}\n{\"kind\": \"B\"}\n";
        let loaded = parse_yaml(text);
        assert!(!loaded.failed);
        assert_eq!(loaded.documents.len(), 2);
        let second = &loaded.documents[1];
        let kind = second.get(second.root, "kind").unwrap();
        assert_eq!(
            &text[second.span(kind).start..second.span(kind).end],
            "\"B\""
        );
    }

    #[test]
    fn under_indented_flow_and_quoted_lines_parse_like_libyaml() {
        let flow = "spec:\n  args: [\n      \"a\", \"b\",\n  ]\n  next: 1\n";
        let loaded = parse_yaml(flow);
        assert!(!loaded.failed, "{:?}", loaded.problems);
        let doc = &loaded.documents[0];
        let next = doc.get_path(doc.root, &["spec", "next"]).unwrap();
        assert_eq!(&flow[doc.span(next).start..doc.span(next).end], "1");

        let quoted = "items:\n  - a: 'one\n    two'\n    b: x\n";
        let loaded = parse_yaml(quoted);
        assert!(!loaded.failed, "{:?}", loaded.problems);
        let doc = &loaded.documents[0];
        let item = doc.items(doc.get(doc.root, "items").unwrap())[0];
        assert_eq!(
            doc.scalar(doc.get(item, "a").unwrap()).unwrap().text,
            "one two"
        );
        let b = doc.get(item, "b").unwrap();
        assert_eq!(&quoted[doc.span(b).start..doc.span(b).end], "x");
    }

    #[test]
    fn real_errors_stay_errors() {
        assert!(parse_yaml("a: [1, 2\n").failed);
        assert!(parse_yaml("{\"a\": 1}\n{\"b\": \n").failed);
        let mapped = Insertions::new(vec![(5, 2), (10, 1)]);
        assert_eq!(mapped.apply("0123456789abc"), "01234  56789 abc");
        assert_eq!(mapped.to_original(4), 4);
        assert_eq!(mapped.to_original(6), 5);
        assert_eq!(mapped.to_original(7), 5);
        assert_eq!(mapped.to_original(12), 10);
        assert_eq!(mapped.to_original(14), 11);
    }
}
