//! The values of a Secret's `data` and `stringData`:
//! - `secret-invalid-base64`: a `data` value the API server cannot decode (Go's
//!   `base64.StdEncoding`: padding required, `\r`/`\n` ignored) or that is not a string;
//! - `secret-trailing-newline`: a value that decodes to one line followed by a newline (the
//!   `echo` without `-n` mistake; multi-line values such as PEM keys are not reported).

use super::{ObjectContext, Rule};
use crate::finding::Finding;
use crate::load::Style;
use crate::model::kinds::is_secret;
use crate::rule_id::RuleId;
use crate::rules::HasRuleId;
use crate::secrets::base64::decode_std;
use crate::secrets::data::{DataField, EntryValue, is_sops_encrypted, secret_entries};

#[derive(Default)]
pub(crate) struct SecretInvalidBase64;
#[derive(Default)]
pub(crate) struct SecretTrailingNewline;

const INVALID: RuleId = <SecretInvalidBase64 as HasRuleId>::ID;
const NEWLINE: RuleId = <SecretTrailingNewline as HasRuleId>::ID;

impl Rule for SecretInvalidBase64 {
    fn check_object(&self, cx: &ObjectContext<'_>, out: &mut Vec<Finding>) {
        if !is_secret(cx.object) {
            return;
        }
        let doc = cx.doc;
        let entries = secret_entries(doc, cx.object.node);
        if is_sops_encrypted(doc, cx.object.node, &entries) {
            return;
        }
        for entry in entries.iter().filter(|e| e.field == DataField::Data) {
            let span = doc.span(entry.value_node);
            if let Some(finding) = binary_tagged(cx, &entry.key, entry.value_node) {
                out.push(finding.redact(span));
                continue;
            }
            let (problem, help) = match &entry.value {
                EntryValue::InvalidBase64(error) => (
                    format!("is not valid base64: {error}"),
                    "encode the value with `printf %s VALUE | base64 -w0` (standard alphabet, \
                     `=` padding), or put the plain text under `stringData` instead",
                ),
                EntryValue::NotAString(what) => (
                    format!("is {what}, not a base64 string"),
                    "quote the base64 text, or put the plain text under `stringData` as a \
                     quoted string",
                ),
                _ => continue,
            };
            out.push(
                cx.finding(
                    INVALID,
                    span,
                    format!(
                        "`data.{}` {problem}: the API server rejects the Secret",
                        entry.key
                    ),
                )
                .label("invalid base64 (value hidden)")
                .help(help)
                .redact(span),
            );
        }
    }
}

/// A `data` value tagged `!!binary`. go-yaml (sigs.k8s.io/yaml) decodes a `!!binary` scalar, so
/// the JSON the API server receives carries the decoded bytes, and the API server then decodes
/// *those* as base64 (PyYAML writes exactly this when it dumps `bytes`). Generally they are not
/// base64 and the Secret is rejected; when they happen to be (`!!binary cGFzc3dvcmQ=` decodes to
/// `password`, itself valid base64), the Secret is accepted holding the wrong bytes.
fn binary_tagged(cx: &ObjectContext<'_>, key: &str, node: crate::load::NodeId) -> Option<Finding> {
    let scalar = cx.doc.scalar(node)?;
    if !matches!(scalar.tag, Some("!!binary" | "tag:yaml.org,2002:binary")) {
        return None;
    }
    let compact: String = scalar.text.chars().filter(|c| !c.is_whitespace()).collect();
    let span = cx.doc.span(node);
    let help = "drop the `!!binary` tag and keep the base64 text (`data` values are base64 \
                already), or put the plain text under `stringData`";
    let Ok(decoded) = decode_std(&compact) else {
        // go-yaml itself fails on it: the file does not load.
        return Some(
            cx.finding(
                INVALID,
                span,
                format!(
                    "`data.{key}` is tagged `!!binary` but is not valid base64: the YAML reader \
                     rejects the file"
                ),
            )
            .label("invalid !!binary (value hidden)")
            .help(help),
        );
    };
    // What the JSON carries: the decoded bytes as a string (invalid UTF-8 becomes U+FFFD).
    let sent = String::from_utf8_lossy(&decoded);
    let finding = match decode_std(&sent) {
        Err(_) => cx.finding(
            INVALID,
            span,
            format!(
                "`data.{key}` is tagged `!!binary`, so the YAML reader decodes it and the API \
                 server receives its bytes, which are not base64: the API server rejects the \
                 Secret"
            ),
        ),
        Ok(_) => cx.finding(
            INVALID,
            span,
            format!(
                "`data.{key}` is tagged `!!binary`, so the YAML reader decodes it and the API \
                 server decodes the result a second time: the Secret is accepted, but holds the \
                 wrong bytes"
            ),
        ),
    };
    Some(
        finding
            .label("!!binary decodes twice (value hidden)")
            .help(help),
    )
}

/// Keys whose values are files, where a final newline is normal (an htpasswd file, an SSH
/// public key, a known_hosts line, a docker config), or any key with a file extension other
/// than `.txt` (`echo pw > password.txt` is the mistake this rule is for).
fn is_file_like_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "auth"
            | ".htpasswd"
            | "htpasswd"
            | "known_hosts"
            | "authorized_keys"
            | "ssh-publickey"
            | ".dockerconfigjson"
            | ".dockercfg"
    ) {
        return true;
    }
    match lower.rsplit_once('.') {
        Some((stem, ext)) => !stem.is_empty() && ext != "txt",
        None => false,
    }
}

/// One line followed by a newline (`\n` or `\r\n`), and nothing else.
fn is_single_line_with_newline(bytes: &[u8]) -> bool {
    let Some(body) = bytes.strip_suffix(b"\n") else {
        return false;
    };
    let body = body.strip_suffix(b"\r").unwrap_or(body);
    !body.contains(&b'\n')
}

impl Rule for SecretTrailingNewline {
    fn check_object(&self, cx: &ObjectContext<'_>, out: &mut Vec<Finding>) {
        if !is_secret(cx.object) {
            return;
        }
        let doc = cx.doc;
        let entries = secret_entries(doc, cx.object.node);
        if is_sops_encrypted(doc, cx.object.node, &entries) {
            return;
        }
        for entry in &entries {
            let EntryValue::Bytes(bytes) = &entry.value else {
                continue;
            };
            if !is_single_line_with_newline(bytes) || is_file_like_key(&entry.key) {
                continue;
            }
            let span = doc.span(entry.value_node);
            let (how, help) = match entry.field {
                DataField::Data => (
                    "decodes to one line followed by a newline (the `echo` without `-n` \
                     mistake)",
                    "re-encode the value without the newline: `printf %s VALUE | base64` or \
                     `echo -n VALUE | base64`",
                ),
                DataField::StringData => {
                    let block = doc
                        .scalar(entry.value_node)
                        .is_some_and(|s| matches!(s.style, Style::Literal | Style::Folded));
                    if block {
                        (
                            "is a block scalar (`|` or `>`), which keeps the final newline",
                            "use `|-` (or `>-`) to strip the final newline, or a quoted \
                             string",
                        )
                    } else {
                        (
                            "ends with a newline",
                            "remove the trailing `\\n` from the value",
                        )
                    }
                }
            };
            out.push(
                cx.finding(
                    NEWLINE,
                    span,
                    format!(
                        "`{}.{}` {how}: the application reads the value with a trailing \
                         newline, and a password or token with a newline does not match",
                        entry.field.name(),
                        entry.key
                    ),
                )
                .label("trailing newline (value hidden)")
                .help(help)
                .redact(span),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_lines_and_file_keys() {
        assert!(is_single_line_with_newline(b"value1\n"));
        assert!(is_single_line_with_newline(b"value1\r\n"));
        assert!(is_single_line_with_newline(b"\n"));
        assert!(!is_single_line_with_newline(b"value1"));
        assert!(!is_single_line_with_newline(b"a\nb\n"));
        assert!(is_file_like_key("id_rsa.pub"));
        assert!(is_file_like_key("auth"));
        assert!(!is_file_like_key("password.txt"));
        assert!(!is_file_like_key("password"));
        assert!(is_file_like_key(".dockerconfigjson"));
    }
}
