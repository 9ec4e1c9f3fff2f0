//! A small Dockerfile parser with exact spans, for the instructions kubeward checks (`ENV`,
//! `ARG`, `LABEL`). It follows BuildKit's parser (moby/buildkit `frontend/dockerfile/parser`):
//! parser directives (`# escape=` and `# syntax=`) only at the very top; comment lines start
//! with `#` after optional whitespace and are skipped, also inside a continued instruction; a
//! line ending with the escape character (default `\`, optionally followed by spaces) continues
//! on the next line; empty lines inside a continuation are skipped. `ENV` and `LABEL` take
//! `KEY=VALUE ...` or the legacy `KEY VALUE` form (one pair, the value is the rest of the line);
//! `ARG` takes `NAME[=DEFAULT] ...`. It never fails: a line it does not understand is skipped.

use crate::source::Span;

/// A parsed Dockerfile: the instructions in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dockerfile {
    pub instructions: Vec<Instruction>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// Upper-cased: `ENV`, `ARG`, `FROM`, `RUN`, ...
    pub keyword: String,
    pub keyword_span: Span,
    /// From the keyword to the end of the instruction's last line.
    pub span: Span,
    /// The `KEY=VALUE` pairs of `ENV`, `ARG` and `LABEL` (empty for other instructions).
    pub pairs: Vec<KeyValue>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyValue {
    pub key: String,
    pub key_span: Span,
    /// The value after quote removal; `None` for `ARG NAME` without a default.
    pub value: Option<String>,
    /// The value as written (quotes included); empty at the `=` for `KEY=`.
    pub value_span: Option<Span>,
}

/// A logical line: the text with continuations joined, and the source offset of every byte.
struct Logical {
    text: String,
    offsets: Vec<usize>,
    end: usize,
}

impl Logical {
    fn span(&self, start: usize, end: usize) -> Span {
        let at = |i: usize| self.offsets.get(i).copied().unwrap_or(self.end);
        if end <= start {
            let s = at(start);
            return Span::new(s, s);
        }
        Span::new(at(start), at(end - 1) + 1)
    }
}

fn is_comment(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

/// `# name=value` at the top of the file.
fn directive(line: &str) -> Option<(String, String)> {
    let rest = line.trim().strip_prefix('#')?.trim_start();
    let (name, value) = rest.split_once('=')?;
    let name = name.trim();
    if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    Some((name.to_ascii_lowercase(), value.trim().to_string()))
}

/// Strips a trailing escape character (and the spaces after it) marking a continuation.
fn continued(line: &str, escape: char) -> Option<&str> {
    let trimmed = line.trim_end_matches([' ', '\t']);
    trimmed.strip_suffix(escape)
}

/// Lines of `text` with their start offsets, without line terminators.
fn lines(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let line = raw
            .strip_suffix('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .unwrap_or(raw);
        out.push((offset, line));
        offset += raw.len();
    }
    out
}

pub(crate) fn parse_dockerfile(text: &str) -> Dockerfile {
    let lines = lines(text);
    let mut escape = '\\';
    let mut index = 0;
    // Parser directives: only before any comment, blank line or instruction.
    while let Some((_, line)) = lines.get(index) {
        match directive(line) {
            Some((name, value)) => {
                if name == "escape" && (value == "`" || value == "\\") {
                    escape = value.chars().next().unwrap_or('\\');
                }
                index += 1;
            }
            None => break,
        }
    }
    let mut instructions = Vec::new();
    while let Some(&(start, line)) = lines.get(index) {
        index += 1;
        if line.trim().is_empty() || is_comment(line) {
            continue;
        }
        let mut logical = Logical {
            text: String::new(),
            offsets: Vec::new(),
            end: start + line.len(),
        };
        let push = |logical: &mut Logical, offset: usize, part: &str| {
            logical.text.push_str(part);
            logical.offsets.extend((0..part.len()).map(|i| offset + i));
        };
        let mut current = (start, line);
        loop {
            let (offset, text_line) = current;
            match continued(text_line, escape) {
                Some(body) => {
                    push(&mut logical, offset, body);
                    logical.end = offset + text_line.len();
                    // The next line that is neither a comment nor empty continues it.
                    let mut next = None;
                    while let Some(&(o, l)) = lines.get(index) {
                        index += 1;
                        if is_comment(l) || l.trim().is_empty() {
                            continue;
                        }
                        next = Some((o, l));
                        break;
                    }
                    match next {
                        Some(n) => current = n,
                        None => break,
                    }
                }
                None => {
                    push(&mut logical, offset, text_line);
                    logical.end = offset + text_line.len();
                    break;
                }
            }
        }
        if let Some(instruction) = parse_instruction(&logical, escape) {
            instructions.push(instruction);
        }
    }
    Dockerfile { instructions }
}

fn parse_instruction(logical: &Logical, escape: char) -> Option<Instruction> {
    let text = &logical.text;
    let keyword_start = text.find(|c: char| !c.is_whitespace())?;
    let keyword_end = text
        .get(keyword_start..)
        .and_then(|rest| rest.find(char::is_whitespace))
        .map_or(text.len(), |i| keyword_start + i);
    let keyword = text.get(keyword_start..keyword_end)?.to_ascii_uppercase();
    let keyword_span = logical.span(keyword_start, keyword_end);
    let span = Span::new(keyword_span.start, logical.end);
    let args_start = text
        .get(keyword_end..)
        .and_then(|rest| rest.find(|c: char| !c.is_whitespace()))
        .map_or(text.len(), |i| keyword_end + i);
    let pairs = match keyword.as_str() {
        "ENV" | "LABEL" => name_value_pairs(logical, args_start, escape, true),
        "ARG" => name_value_pairs(logical, args_start, escape, false),
        _ => Vec::new(),
    };
    Some(Instruction {
        keyword,
        keyword_span,
        span,
        pairs,
    })
}

/// Words of an argument string as BuildKit's `parseWords` splits them: whitespace separates
/// words outside quotes; the escape character keeps the next character in the word.
fn words(text: &str, from: usize, escape: char) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut quote: Option<char> = None;
    let mut chars = text
        .get(from..)
        .unwrap_or_default()
        .char_indices()
        .map(|(i, c)| (from + i, c));
    while let Some((i, c)) = chars.next() {
        if quote.is_none() && c.is_whitespace() {
            if let Some(s) = start.take() {
                out.push((s, i));
            }
            continue;
        }
        if start.is_none() {
            start = Some(i);
        }
        if c == escape && quote != Some('\'') {
            chars.next();
            continue;
        }
        match quote {
            Some(q) if c == q => quote = None,
            None if c == '"' || c == '\'' => quote = Some(c),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

/// Quote removal as the shell-word processing of `ENV`/`ARG` values does it: `"..."` keeps
/// escaped characters, `'...'` is literal, an unquoted escape keeps the next character.
fn unquote(word: &str, escape: char) -> String {
    let mut out = String::with_capacity(word.len());
    let mut quote: Option<char> = None;
    let mut chars = word.chars();
    while let Some(c) = chars.next() {
        match quote {
            Some('\'') => {
                if c == '\'' {
                    quote = None;
                } else {
                    out.push(c);
                }
            }
            Some(_) => {
                if c == '"' {
                    quote = None;
                } else if c == escape {
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                } else {
                    out.push(c);
                }
            }
            None => {
                if c == '"' || c == '\'' {
                    quote = Some(c);
                } else if c == escape {
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                } else {
                    out.push(c);
                }
            }
        }
    }
    out
}

fn name_value_pairs(
    logical: &Logical,
    from: usize,
    escape: char,
    legacy_form: bool,
) -> Vec<KeyValue> {
    let text = &logical.text;
    let words = words(text, from, escape);
    let Some(&(first_start, first_end)) = words.first() else {
        return Vec::new();
    };
    // `ENV KEY value with spaces`: the legacy form, when the first word has no `=`.
    let first = text.get(first_start..first_end).unwrap_or_default();
    if legacy_form && !first.contains('=') {
        let rest_start = text
            .get(first_end..)
            .and_then(|rest| rest.find(|c: char| !c.is_whitespace()))
            .map_or(text.len(), |i| first_end + i);
        let rest_end = text.trim_end().len().max(rest_start);
        let raw = text.get(rest_start..rest_end).unwrap_or_default();
        return vec![KeyValue {
            key: first.to_string(),
            key_span: logical.span(first_start, first_end),
            value: Some(unquote(raw, escape)),
            value_span: Some(logical.span(rest_start, rest_end)),
        }];
    }
    words
        .iter()
        .map(|&(start, end)| {
            let word = text.get(start..end).unwrap_or_default();
            match word.split_once('=') {
                Some((key, value)) => KeyValue {
                    key: unquote(key, escape),
                    key_span: logical.span(start, start + key.len()),
                    value: Some(unquote(value, escape)),
                    value_span: Some(logical.span(start + key.len() + 1, end)),
                },
                None => KeyValue {
                    key: unquote(word, escape),
                    key_span: logical.span(start, end),
                    value: None,
                    value_span: None,
                },
            }
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::string_slice)] // Test code: slices its own texts at the spans under test.
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<(String, Option<String>, String, Option<String>)> {
        parse_dockerfile(text)
            .instructions
            .iter()
            .flat_map(|i| i.pairs.iter())
            .map(|p| {
                (
                    p.key.clone(),
                    p.value.clone(),
                    text[p.key_span.start..p.key_span.end].to_string(),
                    p.value_span.map(|s| text[s.start..s.end].to_string()),
                )
            })
            .collect()
    }

    #[test]
    fn env_forms_with_exact_spans() {
        let text = "FROM mongo:3.0\n\nENV MONGODB_PASSWORD=DO_NOT_TELL_ANYONE\nenv A=1 B=\"two words\" C='x y'\nENV LEGACY some value here  \n";
        let p = pairs(text);
        assert_eq!(
            p[0],
            (
                "MONGODB_PASSWORD".into(),
                Some("DO_NOT_TELL_ANYONE".into()),
                "MONGODB_PASSWORD".into(),
                Some("DO_NOT_TELL_ANYONE".into())
            )
        );
        assert_eq!(p[1].1.as_deref(), Some("1"));
        assert_eq!(p[2].1.as_deref(), Some("two words"));
        assert_eq!(p[2].3.as_deref(), Some("\"two words\""));
        assert_eq!(p[3].1.as_deref(), Some("x y"));
        assert_eq!(p[4].0, "LEGACY");
        assert_eq!(p[4].1.as_deref(), Some("some value here"));
        assert_eq!(p[4].3.as_deref(), Some("some value here"));
    }

    #[test]
    fn continuations_comments_and_the_escape_directive() {
        let text = "ENV A=1 \\\n# a comment inside\n\n    TOKEN=abc123 \\  \n    C=3\nRUN echo \\\n  done\n";
        let file = parse_dockerfile(text);
        assert_eq!(file.instructions.len(), 2);
        let env = &file.instructions[0];
        assert_eq!(env.keyword, "ENV");
        let token = &env.pairs[1];
        assert_eq!(token.key, "TOKEN");
        let span = token.value_span.unwrap();
        assert_eq!(&text[span.start..span.end], "abc123");
        assert_eq!(env.pairs[2].value.as_deref(), Some("3"));
        assert_eq!(file.instructions[1].keyword, "RUN");

        // Continuation lines are joined as they are: leading spaces still separate words.
        let windows =
            "# escape=`\nFROM mcr.microsoft.com/windows\nENV PASSWORD=p`\nass C:\\dir=1\n";
        let file = parse_dockerfile(windows);
        let env = &file.instructions[1];
        assert_eq!(env.pairs[0].value.as_deref(), Some("pass"));
        let span = env.pairs[0].value_span.unwrap();
        assert_eq!(&windows[span.start..span.end], "p`\nass");
        // A backslash is an ordinary character with the backtick escape.
        assert_eq!(env.pairs[1].key, "C:\\dir");
    }

    #[test]
    fn arg_with_and_without_defaults() {
        let p = pairs("ARG NPM_TOKEN\nARG VERSION=1.2 API_KEY=\"k-123\"\nARG EMPTY=\n");
        assert_eq!(p[0].1, None);
        assert_eq!(p[1].1.as_deref(), Some("1.2"));
        assert_eq!(p[2].1.as_deref(), Some("k-123"));
        assert_eq!(p[3].1.as_deref(), Some(""));
        assert_eq!(p[3].3.as_deref(), Some(""));
    }

    #[test]
    fn directives_only_at_the_top_and_odd_input() {
        let file = parse_dockerfile("FROM x\n# escape=`\nENV A=b\\\n");
        assert_eq!(file.instructions[1].pairs[0].value.as_deref(), Some("b"));
        assert!(parse_dockerfile("").instructions.is_empty());
        assert!(parse_dockerfile("\\\n\\").instructions.is_empty());
        let file = parse_dockerfile("ENV\nENV é=ü\r\n");
        assert!(file.instructions[0].pairs.is_empty());
        assert_eq!(file.instructions[1].pairs[0].value.as_deref(), Some("ü"));
    }

    #[test]
    fn never_panics_and_spans_stay_in_bounds() {
        // Every short combination of the characters the parser treats specially.
        let alphabet = [
            "E", "NV ", "ARG", " ", "=", "\\", "`", "\"", "'", "#", "\n", "\r\n", "é", "\t",
        ];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..(seed % 24) {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push_str(alphabet[(seed % alphabet.len() as u64) as usize]);
            }
            let text = format!("ENV {text}");
            for instruction in parse_dockerfile(&text).instructions {
                for pair in &instruction.pairs {
                    for span in [Some(pair.key_span), pair.value_span].into_iter().flatten() {
                        assert!(span.start <= span.end && span.end <= text.len(), "{text:?}");
                        assert!(
                            text.is_char_boundary(span.start) && text.is_char_boundary(span.end)
                        );
                    }
                }
            }
        }
    }
}
