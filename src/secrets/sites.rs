//! Where secret values sit in a workspace: env vars, OpenFaaS environments, ConfigMap data,
//! Secret data, Dockerfile `ENV`/`ARG`, and credential-shaped strings anywhere. The rules
//! report from these; [`crate::redact`] masks all of them in every output, whichever rule
//! fired (or none).

use super::names::is_secret_name;
use super::values::{is_literal_secret, is_own_name};
use crate::load::{Document, NodeId, NodeKind};
use crate::source::{SourceFile, Span};

/// A `name: value` setting (an env var, an OpenFaaS environment entry, a ConfigMap key).
#[derive(Debug, Clone)]
pub(crate) struct Setting {
    pub name: String,
    /// The node to point at for the name (the `name:` value of an env var, or the map key).
    // No rule points at the name yet (this was public API before the visibility pass).
    #[allow(dead_code)]
    pub name_node: NodeId,
    pub value_node: NodeId,
    /// The value's text (any scalar that is not null).
    pub value: String,
}

impl Setting {
    /// The name says secret and the value is a literal secret (not a reference, a path, a
    /// placeholder...).
    pub(crate) fn holds_secret(&self) -> bool {
        is_secret_name(&self.name)
            && is_literal_secret(&self.value)
            && !is_own_name(&self.name, &self.value)
    }
}

fn scalar_text(doc: &Document, node: NodeId) -> Option<String> {
    doc.str(node).map(str::to_string)
}

/// The `env` entries of a container that have a `value` (not `valueFrom`).
pub(crate) fn env_settings(doc: &Document, container: NodeId) -> Vec<Setting> {
    let Some(env) = doc.get(container, "env") else {
        return Vec::new();
    };
    doc.items(env)
        .iter()
        .filter_map(|item| {
            let name_node = doc.get(*item, "name")?;
            let value_node = doc.get(*item, "value")?;
            Some(Setting {
                name: doc.str(name_node)?.to_string(),
                name_node,
                value_node,
                value: scalar_text(doc, value_node)?,
            })
        })
        .collect()
}

/// The entries of a `name: value` mapping (OpenFaaS `environment`, ConfigMap `data`).
pub(crate) fn map_settings(doc: &Document, map: NodeId) -> Vec<Setting> {
    doc.entries(map)
        .iter()
        .filter_map(|entry| {
            Some(Setting {
                name: doc.scalar(entry.key)?.text.to_string(),
                name_node: entry.key,
                value_node: entry.value,
                value: scalar_text(doc, entry.value)?,
            })
        })
        .collect()
}

/// The `functions` mapping of an OpenFaaS stack file (`provider: {name: openfaas}`).
pub(crate) fn openfaas_stack_functions(doc: &Document) -> Option<NodeId> {
    let provider = doc.get(doc.root, "provider")?;
    if doc.get_str(provider, "name") != Some("openfaas") {
        return None;
    }
    doc.get(doc.root, "functions")
        .filter(|f| doc.is_mapping(*f))
}

/// The span of `text[start..end]` of a scalar's value inside its node: exact when the scalar
/// is written as its value (plain, or quoted without escapes); the whole node otherwise.
pub(crate) fn scalar_subspan(
    source: &SourceFile,
    doc: &Document,
    node: NodeId,
    start: usize,
    end: usize,
) -> Span {
    let span = doc.span(node);
    let Some(scalar) = doc.scalar(node) else {
        return span;
    };
    let raw = source.slice(span);
    let inner = raw
        .strip_prefix(['"', '\''])
        .and_then(|r| r.strip_suffix(['"', '\'']))
        .unwrap_or(raw);
    if inner == scalar.text {
        let offset = span.start + (raw.len() - inner.len()).min(1);
        return Span::new(offset + start, offset + end);
    }
    span
}

/// Every string scalar value (not keys) under `node`, iteratively.
pub(crate) fn scalar_values(doc: &Document, node: NodeId) -> Vec<NodeId> {
    let mut out = Vec::new();
    let mut stack = vec![node];
    let mut seen = 0usize;
    while let Some(n) = stack.pop() {
        seen += 1;
        // Aliases can make a document a DAG much larger than its text; the loader bounds
        // expansion, and this bound keeps a pathological one cheap.
        if seen > 1_000_000 {
            break;
        }
        match doc.kind(n) {
            NodeKind::Scalar(_) => {
                if doc.str(n).is_some() {
                    out.push(n);
                }
            }
            NodeKind::Sequence(items) => stack.extend(items.iter().rev()),
            NodeKind::Mapping(entries) => stack.extend(entries.iter().rev().map(|e| e.value)),
        }
    }
    out
}

/// A ConfigMap `data` entry that `secret-in-configmap` reports: a secret name and a literal,
/// single-line value (multi-line values are files; credentials inside them are found by
/// their format).
pub(crate) fn is_config_map_secret(setting: &Setting) -> bool {
    setting.holds_secret() && !setting.value.trim_end().contains('\n')
}

/// A Dockerfile `ENV` or `ARG` that `dockerfile-secret` reports: a secret name and a literal
/// value.
pub(crate) fn is_dockerfile_secret(
    instruction: &crate::load::dockerfile::Instruction,
    pair: &crate::load::dockerfile::KeyValue,
) -> bool {
    matches!(instruction.keyword.as_str(), "ENV" | "ARG")
        && pair
            .value
            .as_deref()
            .is_some_and(|v| is_secret_name(&pair.key) && is_literal_secret(v))
}
