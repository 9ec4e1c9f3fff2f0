//! `secret-in-configmap`: a ConfigMap key that names a secret holds a literal value.

use super::{ObjectContext, Rule};
use crate::finding::Finding;
use crate::model::kinds::is_config_map;
use crate::rule_id::RuleId;
use crate::rules::HasRuleId;
use crate::secrets::lines::secret_line_spans;
use crate::secrets::patterns::first_credential;
use crate::secrets::sites::{Setting, is_config_map_secret, map_settings};
use crate::source::{SourceFile, Span};

#[derive(Default)]
pub(crate) struct SecretInConfigMap;

const ID: RuleId = <SecretInConfigMap as HasRuleId>::ID;

impl Rule for SecretInConfigMap {
    fn check_object(&self, cx: &ObjectContext<'_>, out: &mut Vec<Finding>) {
        if !is_config_map(cx.object) {
            return;
        }
        let doc = cx.doc;
        let Some(data) = doc.get(cx.object.node, "data") else {
            return;
        };
        let name = cx.object.name.as_deref().unwrap_or("<unnamed>");
        let source = cx.ws.source(cx.object.file);
        for setting in map_settings(doc, data) {
            if setting.value.trim_end().contains('\n') {
                embedded_secrets(cx, name, &setting, source, out);
                continue;
            }
            if !is_config_map_secret(&setting) {
                continue;
            }
            let hint = first_credential(&setting.value)
                .map(|m| format!(" (it looks like {})", m.pattern.name))
                .unwrap_or_default();
            let span = doc.span(setting.value_node);
            out.push(
                cx.finding(
                    ID,
                    span,
                    format!(
                        "ConfigMap `{name}` key `{}` holds a literal secret `*****`{hint}: \
                         ConfigMaps are not for secrets (they are not encrypted at rest, and \
                         far more roles and tools may read them)",
                        setting.name
                    ),
                )
                .label("literal secret (hidden)")
                .help(format!(
                    "move `{}` to a Secret and reference it (`secretKeyRef`, `envFrom: \
                     [{{secretRef: ...}}]` or a `secret` volume)",
                    setting.name
                ))
                .redact(span),
            );
        }
    }
}

/// A ConfigMap value that is itself a config file (YAML, JSON, INI or properties, `.env`):
/// every secret-named key in it that holds a literal (`AWS_SECRET_ACCESS_KEY: ...` inside
/// `config.yaml: |`), reported at its line inside the block scalar. Values with a credential
/// format are `hardcoded-credential`'s, not reported twice.
fn embedded_secrets(
    cx: &ObjectContext<'_>,
    name: &str,
    setting: &Setting,
    source: &SourceFile,
    out: &mut Vec<Finding>,
) {
    let text = setting.value.as_str();
    for (start, end) in secret_line_spans(text) {
        let Some(value) = text.get(start..end) else {
            continue;
        };
        if first_credential(value).is_some_and(|m| m.start == 0 && m.end == value.len()) {
            continue;
        }
        let Some(span) = source_span(cx.doc, source, setting.value_node, text, start, end) else {
            continue;
        };
        let line = text.get(..start).map_or(0, |b| b.matches('\n').count()) + 1;
        out.push(
            cx.finding(
                ID,
                span,
                format!(
                    "ConfigMap `{name}` key `{}` holds a config file with a literal secret \
                     `*****` (its line {line}): ConfigMaps are not for secrets (they are not \
                     encrypted at rest, and far more roles and tools may read them)",
                    setting.name
                ),
            )
            .label("literal secret (hidden)")
            .help(format!(
                "move the secret out of `{}` into a Secret, and have the application read it \
                 from an environment variable or a mounted file",
                setting.name
            ))
            .redact(span),
        );
    }
}

/// Where `value[start..end]` of a block scalar stands in the file: the value's line is found in
/// the node's source text (block scalars drop the indentation; the line's own text is the
/// same), the rest is the offset within the line. `None` when the scalar is not written as
/// its lines (escapes in a quoted scalar).
fn source_span(
    doc: &crate::load::Document,
    source: &SourceFile,
    node: crate::load::NodeId,
    value: &str,
    start: usize,
    end: usize,
) -> Option<Span> {
    let node_span = doc.span(node);
    let raw = source.slice(node_span);
    let line_start = value.get(..start)?.rfind('\n').map_or(0, |i| i + 1);
    let line_end = value
        .get(start..)?
        .find('\n')
        .map_or(value.len(), |i| start + i);
    let line = value.get(line_start..line_end)?;
    if line.trim().is_empty() {
        return None;
    }
    // The n-th occurrence: earlier identical lines come first in both texts.
    let nth = value
        .get(..line_start)?
        .split('\n')
        .filter(|l| *l == line)
        .count();
    let mut from = 0;
    let mut found = None;
    for _ in 0..=nth {
        let at = raw.get(from..)?.find(line)? + from;
        found = Some(at);
        from = at + line.len();
    }
    let at = node_span.start + found?;
    Some(Span::new(
        at + (start - line_start),
        at + (end - line_start),
    ))
}
