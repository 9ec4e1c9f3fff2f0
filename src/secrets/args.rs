//! Secrets passed on a container's command line: `args: ["--db-password=hunter2"]`,
//! `command: ["app", "--api-token", "abc123"]`, or a shell script item
//! (`["sh", "-c", "app --password=hunter2"]`).
//!
//! The kubelet expands `$(VAR)` references in `command` and `args` from the container's
//! environment before the process starts (`$$(VAR)` escapes one): kubernetes
//! `third_party/forked/golang/expansion/expand.go` (`Expand`, `syntaxWrap = '$'`) and
//! `pkg/kubelet/kuberuntime/kuberuntime_container.go` (`ExpandContainerCommandAndArgs`), so
//! `--password=$(DB_PASSWORD)` fed from a `secretKeyRef` is the right way and is never
//! reported. Shell references (`$DB_PASSWORD`, `${DB_PASSWORD}`) are expanded by the shell at
//! run time and are not literal either: [`is_literal_secret`] decides, as for env vars.

use super::names::is_secret_name;
use super::values::is_literal_secret;
use crate::load::{Document, NodeId};

/// One secret found on a command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SecretArg {
    /// `command` or `args`.
    pub field: &'static str,
    /// The flag as written, without its value: `--db-password`.
    pub flag: String,
    /// The list item holding the value.
    pub node: NodeId,
    /// The value's byte range inside the item's (unescaped) text.
    pub start: usize,
    pub end: usize,
}

/// A token of an item: its text and byte range in the item.
#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    text: &'a str,
    start: usize,
}

/// The item's whitespace-separated tokens (a single-token item is one token).
fn tokens(item: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in item.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                out.push(Token {
                    text: item.get(s..i).unwrap_or_default(),
                    start: s,
                });
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(Token {
            text: item.get(s..).unwrap_or_default(),
            start: s,
        });
    }
    out
}

/// The flag name of a token: `--db-password` -> `db-password`, `-password` -> `password`.
/// A flag starts with one or two dashes and a letter, and has only name characters.
fn flag_name(flag: &str) -> Option<&str> {
    let name = flag.strip_prefix("--").or_else(|| flag.strip_prefix('-'))?;
    let valid = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    valid.then_some(name)
}

/// A flag whose name says secret but whose separate next token is not its value: it reads the
/// secret from somewhere (`--password-stdin`), or it is a switch.
fn takes_no_value(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with("stdin") || lower.starts_with("no-") || lower.starts_with("insecure")
}

/// Sets aside the quotes around a shell word (`--password='x'`, `"$TOKEN"'`), returning the
/// inner range relative to `text`.
fn unquote(text: &str) -> (usize, usize) {
    let quotes = ['"', '\''];
    let start = text.len() - text.trim_start_matches(quotes).len();
    let end = text.trim_end_matches(quotes).len().max(start);
    (start, end)
}

/// A shell word that cannot be a value: an operator or a redirection.
fn is_shell_syntax(token: &str) -> bool {
    token
        .chars()
        .all(|c| matches!(c, '&' | '|' | ';' | '<' | '>' | '(' | ')' | '\\'))
}

/// A candidate value: literal, after quotes and a trailing `;`/`&&` are set aside.
fn literal_value(token: &str, token_start: usize) -> Option<(usize, usize)> {
    let trimmed = token.trim_end_matches([';', '&', '|', ')', '"', '\'']);
    let (a, b) = unquote(trimmed);
    let value = trimmed.get(a..b)?;
    if value.is_empty() || value.starts_with('-') || is_shell_syntax(value) {
        return None;
    }
    is_literal_secret(value).then_some((token_start + a, token_start + b))
}

/// The secrets on one item list (`command` or `args`) of a container.
fn scan_list(doc: &Document, field: &'static str, list: NodeId, out: &mut Vec<SecretArg>) {
    let items = doc.items(list);
    // A flag at the end of one item whose value is the next item (`["--token", "abc"]`).
    let mut pending: Option<String> = None;
    for item in items {
        let Some(text) = doc.str(*item) else {
            pending = None;
            continue;
        };
        let toks = tokens(text);
        let mut i = 0;
        while let Some(token) = toks.get(i) {
            i += 1;
            let flag = pending.take();
            if let Some(flag) = flag
                && i == 1
                && toks.len() == 1
                && let Some((start, end)) = literal_value(token.text, token.start)
            {
                out.push(SecretArg {
                    field,
                    flag,
                    node: *item,
                    start,
                    end,
                });
                continue;
            }
            let (flag, value) = match token.text.split_once('=') {
                Some((flag, value)) => (flag, Some(value)),
                None => (token.text, None),
            };
            let Some(name) = flag_name(flag) else {
                continue;
            };
            if !is_secret_name(name) {
                continue;
            }
            match value {
                Some(value) => {
                    let value_start = token.start + flag.len() + 1;
                    if let Some((start, end)) = literal_value(value, value_start) {
                        out.push(SecretArg {
                            field,
                            flag: flag.to_string(),
                            node: *item,
                            start,
                            end,
                        });
                    }
                }
                None if takes_no_value(name) => {}
                None => match toks.get(i) {
                    // `--password VALUE` inside one shell item.
                    Some(next) => {
                        if let Some((start, end)) = literal_value(next.text, next.start) {
                            out.push(SecretArg {
                                field,
                                flag: flag.to_string(),
                                node: *item,
                                start,
                                end,
                            });
                            i += 1;
                        }
                    }
                    // `["--password", "VALUE"]`: the next item, when it is a single word.
                    None if toks.len() == 1 => pending = Some(flag.to_string()),
                    None => {}
                },
            }
        }
    }
}

/// Every literal secret in a container's `command` and `args`.
pub(crate) fn secret_args(doc: &Document, container: NodeId) -> Vec<SecretArg> {
    let mut out = Vec::new();
    for field in ["command", "args"] {
        if let Some(list) = doc.get(container, field) {
            scan_list(doc, field, list, &mut out);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::parse_yaml;

    fn found(yaml: &str) -> Vec<(String, String)> {
        let loaded = parse_yaml(yaml);
        let doc = &loaded.documents[0];
        secret_args(doc, doc.root)
            .into_iter()
            .map(|a| {
                let text = doc.str(a.node).unwrap();
                (a.flag, text.get(a.start..a.end).unwrap().to_string())
            })
            .collect()
    }

    #[test]
    fn flags_with_values_and_pairs() {
        assert_eq!(
            found(
                r#"args: ["--db-password=hunter22", "--api-token", "abc123xyz", "--port=8080", "-v"]"#
            ),
            vec![
                ("--db-password".into(), "hunter22".into()),
                ("--api-token".into(), "abc123xyz".into()),
            ]
        );
        assert_eq!(
            found(
                r#"command: ["sh", "-c", "exec app --password 's3cr3t!' --secret-key=k3y && true"]"#
            ),
            vec![
                ("--password".into(), "s3cr3t!".into()),
                ("--secret-key".into(), "k3y".into()),
            ]
        );
    }

    #[test]
    fn references_paths_placeholders_and_switches_are_not_secrets() {
        assert!(
            found(
                r#"args: ["--password=$(DB_PASSWORD)", "--token", "$(TOKEN)", "--api-key=${KEY}",
                "--password-file=/run/secrets/db", "--token-ttl=3600", "--password-stdin",
                "registry.example.com", "--secret", "--verbose", "--client-secret=<secret>",
                "--tls-private-key-file", "/etc/tls/key.pem", "--use-token=true"]"#
            )
            .is_empty()
        );
        assert!(found(r#"args: ["sh -c 'app --password \"$DB_PASSWORD\"'"]"#).is_empty());
    }
}
