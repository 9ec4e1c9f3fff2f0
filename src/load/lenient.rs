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

/// At most this many re-indented lines per file; each repair re-parses the file.
const MAX_REPAIRS: usize = 64;

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

/// Spaces inserted into the text: (offset in the original text, count), sorted.
#[derive(Default)]
struct Insertions(Vec<(usize, usize)>);

impl Insertions {
    /// Maps an offset in the repaired text back to the original text.
    fn to_original(&self, repaired: usize) -> usize {
        let mut shift = 0;
        for &(at, count) in &self.0 {
            let repaired_at = at + shift;
            if repaired < repaired_at {
                break;
            }
            if repaired < repaired_at + count {
                return at;
            }
            shift += count;
        }
        repaired - shift
    }
}

fn repair_indentation(source: &Arc<str>, strict: Loaded) -> Loaded {
    let text: &str = source;
    let mut insertions = Insertions::default();
    let mut repaired = text.to_string();
    let mut current = strict;
    for _ in 0..MAX_REPAIRS {
        let Some(problem) = current.problems.last().filter(|_| current.failed) else {
            break;
        };
        if !repairable(&problem.message) {
            break;
        }
        let lines = lines_to_indent(&repaired, problem.span.start, &problem.message);
        if lines.is_empty() {
            break;
        }
        for (line_start, count) in lines.into_iter().rev() {
            let original = insertions.to_original(line_start);
            repaired.insert_str(line_start, &" ".repeat(count));
            insertions.0.push((original, count));
        }
        insertions.0.sort_unstable();
        // Merge insertions at the same original offset.
        insertions.0.dedup_by(|later, earlier| {
            if later.0 == earlier.0 {
                earlier.1 += later.1;
                true
            } else {
                false
            }
        });
        current = parse_strict(&repaired, source);
        if !current.failed {
            current.map_offsets(|o| insertions.to_original(o), &repaired);
            return current;
        }
    }
    // Not repairable: report the first, unrepaired error.
    let mut first = parse_strict(text, source);
    first.failed = true;
    first
}

/// The lines to indent, as (line start, spaces to insert), for an error at `at`. For a quoted
/// scalar the error points at the scalar's start: every continuation line up to the closing
/// quote is indented to the scalar's own column (always deep enough, and leading whitespace of
/// continuation lines is not part of the value). Otherwise the line of the error, by one space.
fn lines_to_indent(text: &str, at: usize, message: &str) -> Vec<(usize, usize)> {
    let line_start = |offset: usize| {
        text.get(..offset)
            .and_then(|before| before.rfind('\n'))
            .map_or(0, |i| i + 1)
    };
    let indent_of = |start: usize| {
        text.get(start..)
            .map_or(0, |rest| rest.bytes().take_while(|b| *b == b' ').count())
    };
    if !message.ends_with("in quoted scalar") {
        return vec![(line_start(at), 1)];
    }
    let Some(quote) = text
        .get(at..)
        .unwrap_or_default()
        .chars()
        .next()
        .filter(|c| *c == '\'' || *c == '"')
    else {
        return Vec::new();
    };
    let column = text
        .get(line_start(at)..at)
        .unwrap_or_default()
        .chars()
        .count();
    let mut lines = Vec::new();
    let mut chars = text.get(at + 1..).unwrap_or_default().char_indices();
    while let Some((i, c)) = chars.next() {
        let offset = at + 1 + i;
        match c {
            '\\' if quote == '"' => {
                chars.next();
            }
            '\'' if quote == '\'' => {
                if text
                    .get(offset + 1..)
                    .is_some_and(|rest| rest.starts_with('\''))
                {
                    chars.next();
                } else {
                    break;
                }
            }
            '"' if quote == '"' => break,
            '\n' => {
                let next = offset + 1;
                let indent = indent_of(next);
                let blank = text
                    .get(next + indent..)
                    .is_some_and(|rest| rest.starts_with('\n'));
                if !blank && indent < column {
                    lines.push((next, column - indent));
                }
            }
            _ => {}
        }
    }
    lines
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
        all.documents.extend(part.documents);
        all.problems.extend(part.problems);
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
        let mapped = Insertions(vec![(5, 2), (10, 1)]);
        assert_eq!(mapped.to_original(4), 4);
        assert_eq!(mapped.to_original(6), 5);
        assert_eq!(mapped.to_original(7), 5);
        assert_eq!(mapped.to_original(12), 10);
        assert_eq!(mapped.to_original(14), 11);
    }
}
