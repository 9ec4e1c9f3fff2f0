//! Secret values in text that did not load (a parse error, invalid UTF-8, a Helm template):
//! no tree to walk, so lines are read with heuristics, generous on purpose (masking a value
//! that was not secret costs a snippet; missing one leaks it):
//! - `key: value` (and `"key": "value"`, `KEY=value`) under a secret-looking key, and the
//!   block scalar below such a key;
//! - every line inside `data:`/`stringData:` of a document with `kind: Secret`;
//! - an env var's `value:` after a `name:` that says secret;
//! - `--db-password=value` and `--password value` flags;
//! - every credential-shaped string ([`all_credentials`]), PEM blocks included;
//! - the value after `=` of every kustomize secret generator literal (`secretGenerator:`'s
//!   `literals:`, and a `kind: SecretGenerator` plugin config's), whatever its key: a
//!   generated Secret's every value is secret.
//!
//! [`crate::redact`] reads every file's text with them, loaded or not (in addition to what it
//! finds in the loaded trees): snippets show whole lines of any file, values files and
//! Dockerfiles included.

use std::sync::LazyLock;

use regex::Regex;

use super::names::is_secret_name;
use super::patterns::all_credentials;
use super::values::{is_literal_secret, is_reference};

/// `key: value`, `- key: value`, `"key": "value",`: the key and where the value starts.
static KEY_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    // Part of the binary and tested: a bad pattern is a build defect.
    #[allow(clippy::expect_used)]
    Regex::new(r#"^(\s*(?:-\s+)*)["']?([^"'\s:=#][^"':=#]*?)["']?\s*:(?:\s+|$)(.*)$"#)
        .expect("key-value pattern compiles")
});

/// `KEY=value`, `export KEY=value` (env files inside a block scalar), `- KEY=value` (a
/// generator's literal).
static ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    Regex::new(r#"^\s*(?:-\s+["']?)?(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$"#)
        .expect("assignment pattern compiles")
});

/// `--flag=value` and `--flag value` (quotes and YAML list syntax around them allowed).
static FLAG: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    Regex::new(r#"(?:^|[\s"'\[,])--?([A-Za-z][A-Za-z0-9_.-]*)(?:=|["']?(?:\s+|\s*,\s*)["']?)([^\s"',\]]+)"#)
        .expect("flag pattern compiles")
});

/// `"key": "value"` anywhere in a line (JSON, flow mappings).
static JSON_PAIR: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    Regex::new(r#""([^"\\]+)"\s*:\s*"((?:[^"\\]|\\.)*)""#).expect("JSON pair pattern compiles")
});

/// `{key: value, other: value}` pairs of a flow mapping.
static FLOW_PAIR: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used)]
    Regex::new(r#"[{,]\s*["']?([A-Za-z_][A-Za-z0-9_.-]*)["']?\s*:\s+["']?([^,{}\[\]"'\s]+)"#)
        .expect("flow pair pattern compiles")
});

/// Keys of a Secret that name it rather than hold its values.
const SECRET_OBJECT_KEYS: &[&str] = &[
    "apiVersion",
    "kind",
    "name",
    "namespace",
    "type",
    "generateName",
    "uid",
    "resourceVersion",
    "creationTimestamp",
];

/// A line and its byte offset in the text.
#[derive(Clone, Copy)]
struct Line<'a> {
    start: usize,
    text: &'a str,
}

impl Line<'_> {
    fn indent(&self) -> usize {
        self.text.len() - self.text.trim_start().len()
    }

    fn is_blank(&self) -> bool {
        let t = self.text.trim();
        t.is_empty() || t.starts_with('#')
    }

    /// The line's content without its line break, as a byte range in the text.
    fn content(&self) -> (usize, usize) {
        let trimmed = self.text.trim_end_matches(['\n', '\r']);
        let lead = trimmed.len() - trimmed.trim_start().len();
        (self.start + lead, self.start + trimmed.len())
    }
}

fn lines(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        out.push(Line { start, text: line });
        start += line.len();
    }
    out
}

/// The value's byte range, without quotes, a trailing `,` and a comment; `None` when empty.
fn value_range(line_start: usize, line: &str, value_at: usize) -> Option<(usize, usize)> {
    let rest = line.get(value_at..)?.trim_end_matches(['\n', '\r']);
    let rest = match rest.find(" #") {
        Some(at) => rest.get(..at)?,
        None => rest,
    };
    // A shell or Dockerfile line continuation is not part of the value.
    let rest = match rest.strip_suffix('\\') {
        Some(before) if before.ends_with([' ', '\t']) => before,
        _ => rest,
    };
    let trimmed = rest.trim_end().trim_end_matches(',').trim_end();
    let inner = trimmed.trim_matches(['"', '\'']);
    if inner.is_empty() {
        return None;
    }
    let lead = trimmed.len() - trimmed.trim_start_matches(['"', '\'']).len();
    let start = line_start + value_at + lead;
    Some((start, start + inner.len()))
}

fn is_block_indicator(value: &str) -> bool {
    let v = value.trim();
    !v.is_empty()
        && (v.starts_with('|') || v.starts_with('>'))
        && v.chars()
            .skip(1)
            .all(|c| matches!(c, '-' | '+') || c.is_ascii_digit())
}

/// Does the document (lines between `---` markers) declare `kind: Secret`?
fn declares_secret(doc: &[Line<'_>]) -> bool {
    doc.iter().any(|l| {
        let t = l.text.trim().trim_end_matches(',');
        let t = t.replace(['"', '\''], "");
        let t: String = t.chars().filter(|c| !c.is_whitespace()).collect();
        t == "kind:Secret" || t.contains("kind:Secret,") || t.ends_with("kind:Secret}")
    })
}

/// The byte ranges of every secret-looking value in `text`, by the heuristics above.
pub(crate) fn secret_line_spans(text: &str) -> Vec<(usize, usize)> {
    secret_line_spans_with(text, true, None)
}

/// Bytes of text around a quoted range whose document is read too (a snippet's context lines
/// may reach into the document before or after it).
const CONTEXT_REACH: usize = 1024;

/// [`secret_line_spans`], with or without the credential patterns over the whole text (the
/// costly part: a loaded file's scalars have them checked already, one by one), and, with
/// `near`, only in the documents (`---`-separated) within [`CONTEXT_REACH`] of those byte
/// ranges: the parts of a file a report quotes.
pub(crate) fn secret_line_spans_with(
    text: &str,
    credentials: bool,
    near: Option<&[(usize, usize)]>,
) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = if credentials {
        all_credentials(text)
            .into_iter()
            .map(|m| (m.start, m.end))
            .collect()
    } else {
        Vec::new()
    };
    let all = lines(text);
    let mut docs: Vec<&[Line<'_>]> = Vec::new();
    let mut from = 0;
    for (i, line) in all.iter().enumerate() {
        if line.text.starts_with("---") {
            docs.push(all.get(from..i).unwrap_or_default());
            from = i;
        }
    }
    docs.push(all.get(from..).unwrap_or_default());
    for doc in docs {
        if let Some(near) = near {
            let (Some(first), Some(last)) = (doc.first(), doc.last()) else {
                continue;
            };
            let (from, to) = (first.start, last.start + last.text.len());
            let quoted = near.iter().any(|&(start, end)| {
                start.saturating_sub(CONTEXT_REACH) < to && end.saturating_add(CONTEXT_REACH) > from
            });
            if !quoted {
                continue;
            }
        }
        scan_document(doc, declares_secret(doc), &mut out);
    }
    out.sort_unstable();
    out
}

/// Does the document (lines between `---` markers) hold a `kind: SecretGenerator` plugin
/// config (a file of its own, or inline in a kustomization's `generators:`)?
fn declares_secret_generator(doc: &[Line<'_>]) -> bool {
    doc.iter().any(|l| {
        let t = l.text.trim().replace(['"', '\''], "");
        let t: String = t.chars().filter(|c| !c.is_whitespace()).collect();
        t == "kind:SecretGenerator"
    })
}

/// `line[a..b]` without surrounding spaces and quotes, as a byte range in the text, if any
/// text is left.
fn push_trimmed(line: &Line<'_>, a: usize, b: usize, out: &mut Vec<(usize, usize)>) {
    let Some(part) = line.text.get(a..b) else {
        return;
    };
    let strip = [' ', '\t', '"', '\''];
    let lead = part.len() - part.trim_start_matches(strip).len();
    let tail = part.len() - part.trim_end_matches(strip).len();
    if lead + tail < part.len() {
        out.push((line.start + a + lead, line.start + b - tail));
    }
}

/// A line of a secret generator's block `literals:` list: an item (`- key=value`, the value
/// masked; no `=` at all, the whole item, which may be a value missing its key) or the
/// continuation of a multi-line item (masked whole).
fn literal_item(line: &Line<'_>, out: &mut Vec<(usize, usize)>) {
    let body = line.text.trim_end_matches(['\n', '\r']);
    let end = body.find(" #").unwrap_or(body.len());
    let lead = body.len() - body.trim_start().len();
    let item = if body.get(lead..).is_some_and(|t| t.starts_with('-')) {
        lead + 1
    } else {
        lead
    };
    let from = body
        .get(item..end)
        .and_then(|t| t.find('='))
        .map_or(item, |eq| item + eq + 1);
    push_trimmed(line, from, end, out);
}

/// A flow `literals: [key=value, "key=value"]` list from byte `value_at` of the line: each
/// item's value (the whole item when it has no `=`).
fn flow_literals(line: &Line<'_>, value_at: usize, out: &mut Vec<(usize, usize)>) {
    let body = line.text.trim_end_matches(['\n', '\r']);
    let Some(open) = body.get(value_at..).and_then(|rest| rest.find('[')) else {
        return;
    };
    let mut at = value_at + open + 1;
    while let Some(rest) = body.get(at..) {
        let len = rest.find([',', ']']).unwrap_or(rest.len());
        let from = rest
            .get(..len)
            .and_then(|item| item.find('='))
            .map_or(at, |eq| at + eq + 1);
        push_trimmed(line, from, at + len, out);
        if !rest.get(len..).is_some_and(|t| t.starts_with(',')) {
            break;
        }
        at += len + 1;
    }
}

fn scan_document(doc: &[Line<'_>], is_secret: bool, out: &mut Vec<(usize, usize)>) {
    let generator_doc = declares_secret_generator(doc);
    // Inside a kustomization's `secretGenerator:` list: lines deeper than this, or list items
    // at this indent.
    let mut generator: Option<usize> = None;
    // Inside a secret generator's block `literals:` list: its items' values are masked.
    let mut literals: Option<usize> = None;
    // Inside a block masked whole (a Secret's `data`, a block scalar under a secret key):
    // lines indented deeper than this.
    let mut masked_block: Option<usize> = None;
    // Inside a Secret's `data`/`stringData`: lines deeper than this are its entries, whose
    // values are masked (keys stay readable); a block scalar's lines are masked whole.
    let mut data_block: Option<usize> = None;
    // After `name: DB_PASSWORD`: the indent of that key, so the `value:` beside it is masked.
    let mut secret_env: Option<usize> = None;
    for line in doc {
        if let Some(indent) = masked_block {
            // A comment no deeper than the key is after the block, not in it.
            if line.text.trim().is_empty() || line.indent() > indent {
                let (a, b) = line.content();
                if a < b {
                    out.push((a, b));
                }
                continue;
            }
            masked_block = None;
        }
        if let Some(indent) = data_block {
            if line.is_blank() {
                continue;
            }
            if line.indent() <= indent {
                data_block = None;
            } else {
                let body = line.text.trim_end_matches(['\n', '\r']);
                match KEY_VALUE.captures(body) {
                    Some(caps) => {
                        let (Some(lead), Some(value)) = (caps.get(1), caps.get(3)) else {
                            continue;
                        };
                        if is_block_indicator(value.as_str()) {
                            masked_block = Some(lead.end());
                        } else if let Some((a, b)) =
                            value_range(line.start, line.text, value.start())
                            // A template action (`{{ .DockerConfigJson }}`) is no value.
                            && !is_reference(text_of(line, a, b))
                        {
                            out.push((a, b));
                        }
                    }
                    None => {
                        let (a, b) = line.content();
                        if a < b {
                            out.push((a, b));
                        }
                    }
                }
                continue;
            }
        }
        let under = |indent: usize| {
            line.indent() > indent
                || line.indent() == indent && line.text.trim_start().starts_with('-')
        };
        if let Some(indent) = literals {
            if line.is_blank() {
                continue;
            }
            if under(indent) {
                literal_item(line, out);
                continue;
            }
            literals = None;
        }
        if generator.is_some_and(|indent| !line.is_blank() && !under(indent)) {
            generator = None;
        }
        // The patterns end at `$`, which does not match before a line break.
        let body = line.text.trim_end_matches(['\n', '\r']);
        for caps in FLAG.captures_iter(body) {
            if let (Some(name), Some(value)) = (caps.get(1), caps.get(2))
                && is_secret_name(name.as_str())
                && !value.as_str().starts_with('-')
                && is_literal_secret(value.as_str())
            {
                out.push((line.start + value.start(), line.start + value.end()));
            }
        }
        for caps in JSON_PAIR.captures_iter(body) {
            if let (Some(key), Some(value)) = (caps.get(1), caps.get(2))
                && !value.as_str().is_empty()
                && ((is_secret && !SECRET_OBJECT_KEYS.contains(&key.as_str()))
                    || is_secret_name(key.as_str()) && is_literal_secret(value.as_str()))
            {
                out.push((line.start + value.start(), line.start + value.end()));
            }
        }
        for caps in FLOW_PAIR.captures_iter(body) {
            if let (Some(key), Some(value)) = (caps.get(1), caps.get(2))
                && is_secret_name(key.as_str())
                && is_literal_secret(value.as_str())
            {
                out.push((line.start + value.start(), line.start + value.end()));
            }
        }
        if let Some(caps) = ASSIGNMENT.captures(body)
            && let (Some(key), Some(value)) = (caps.get(1), caps.get(2))
            && is_secret_name(key.as_str())
            && let Some((a, b)) = value_range(line.start, line.text, value.start())
            && is_literal_secret(text_of(line, a, b))
        {
            out.push((a, b));
        }
        let Some(caps) = KEY_VALUE.captures(body) else {
            continue;
        };
        let (Some(lead), Some(key), Some(value)) = (caps.get(1), caps.get(2), caps.get(3)) else {
            continue;
        };
        let key_indent = lead.end();
        let key = key.as_str().trim();
        let value_text = value.as_str().trim_end();
        if secret_env.is_some_and(|indent| key_indent < indent) {
            secret_env = None;
        }
        if key == "secretGenerator" {
            generator = Some(key_indent);
            continue;
        }
        if key == "literals" && (generator.is_some() || generator_doc) {
            if value_text.starts_with('[') {
                flow_literals(line, value.start(), out);
            } else {
                literals = Some(key_indent);
            }
            continue;
        }
        if is_secret && matches!(key, "data" | "stringData") {
            data_block = Some(key_indent);
            if let Some(range) = value_range(line.start, line.text, value.start()) {
                out.push(range);
            }
            continue;
        }
        if key == "name" {
            secret_env = value_range(line.start, line.text, value.start())
                .filter(|(a, b)| is_secret_name(text_of(line, *a, *b)))
                .map(|_| key_indent);
            continue;
        }
        let env_value = key == "value" && secret_env.is_some();
        if !env_value && !is_secret_name(key) {
            continue;
        }
        if is_block_indicator(value_text) {
            masked_block = Some(key_indent);
            continue;
        }
        if let Some((a, b)) = value_range(line.start, line.text, value.start())
            && is_literal_secret(text_of(line, a, b))
        {
            out.push((a, b));
        }
    }
}

fn text_of<'a>(line: &Line<'a>, a: usize, b: usize) -> &'a str {
    line.text
        .get(a.saturating_sub(line.start)..b.saturating_sub(line.start))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(text: &str) -> Vec<&str> {
        secret_line_spans(text)
            .into_iter()
            .map(|(a, b)| text.get(a..b).unwrap())
            .collect()
    }

    #[test]
    fn secret_data_blocks_and_secret_keys() {
        let text = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  user: admin\n  cert: |\n    line-one\nother: [unclosed\n";
        assert_eq!(masked(text), vec!["admin", "line-one"]);
        let text = "kind: ConfigMap\ndata:\n  user: admin\n  db_password: \"hunter22\" # no\n  api_key: |\n    abcdef\n  host: db\n";
        assert_eq!(masked(text), vec!["hunter22", "abcdef"]);
    }

    #[test]
    fn env_values_flags_assignments_and_credentials() {
        let text = "env:\n- name: DB_PASSWORD\n  value: hunter22\n- name: HOST\n  value: db\nargs: [\"--api-token=abc123\", \"--password\", \"pw999\", \"--token=$(TOKEN)\"]\nscript: |\n  export SECRET_KEY=k3yk3y\n  url=postgres://app:hunter33@db/app\n";
        assert_eq!(
            masked(text),
            vec![
                "hunter22",
                "abc123",
                "pw999",
                "k3yk3y",
                "postgres://app:hunter33@db"
            ]
        );
    }

    #[test]
    fn comments_after_a_block_and_line_continuations_are_not_values() {
        let text = "env:\n- name: CLIENT_SECRET\n  value: |\n    9b1e77c2d4\n\n    # in the block\n  # after the block: hunter22\n";
        assert_eq!(masked(text), vec!["9b1e77c2d4", "# in the block"]);
        let text = "ENV A=1 \\\n    API_KEY=\"k-7781-prod\" \\\n    B=2\n";
        assert_eq!(masked(text), vec!["k-7781-prod"]);
    }

    #[test]
    fn secret_generator_literals() {
        let text = "secretGenerator:\n- name: db\n  literals:\n  - token=ghp_x # c\n  - bad!key=Hunter2\n  - \"q=quoted value\"\n  - noequals\n  type: Opaque\n- name: two\n  literals: [a=one, \"b=two\", c]\nconfigMapGenerator:\n- name: cm\n  literals:\n  - mode=fast\n  - DB_PASSWORD=hunter22\n";
        assert_eq!(
            masked(text),
            vec![
                "ghp_x",
                "Hunter2",
                "quoted value",
                "noequals",
                "one",
                "two",
                "c",
                "hunter22"
            ]
        );
        let text = "apiVersion: builtin\nkind: SecretGenerator\nmetadata:\n  name: creds\nliterals:\n- username=admin\n- password=pw1\ntype: Opaque\n";
        assert_eq!(masked(text), vec!["admin", "pw1"]);
    }

    #[test]
    fn json_keys() {
        let text =
            "{\"kind\": \"Secret\", \"stringData\": {\"password\": \"hunter22\",\n  \"x\": 1\n";
        assert!(masked(text).contains(&"hunter22"));
        let text =
            "kind: Secret\ndata:\n  config: {{config_data}}\n  key: |\n    {{ .Values.key }}\n";
        assert_eq!(masked(text), vec!["{{ .Values.key }}"]);
        let text = "metadata: {name: x, annotations: {token: abc123def}}\n";
        assert_eq!(masked(text), vec!["abc123def"]);
    }
}
