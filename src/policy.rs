//! Declarative rules: a catalogue entry with `match` and `schema`. The built-in ones live in
//! `rules/` beside the other catalogue entries; users add their own through the config file's
//! `policies:`. Each matched node (an object, a pod spec, or a container) must satisfy the JSON
//! Schema; each validation error becomes a finding at the span of its instance path.

use std::collections::BTreeMap;

use jsonschema::{Validator, error::ValidationErrorKind};
use serde::Deserialize;

use crate::catalogue::CatalogueEntry;
use crate::finding::Finding;
use crate::load::NodeId;
use crate::load::json::to_json;
use crate::load::locate::{first_key_span, join_path, locate};
use crate::rules::{ObjectContext, Rule};
use crate::source::Span;

/// What a declarative rule applies to.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PolicyMatch {
    /// Object kinds (`Deployment`); empty means every kind.
    #[serde(default)]
    pub kinds: Vec<String>,
    /// Namespaces; empty means every namespace (and cluster-scoped objects).
    #[serde(default)]
    pub namespaces: Vec<String>,
    /// Labels the object must carry with these values (`"*"`: any value).
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// `apiVersion`s (`apps/v1`); empty means any.
    #[serde(default)]
    pub api_versions: Vec<String>,
    /// Validate every pod spec of the matched objects instead of the object.
    #[serde(default)]
    pub pod_spec: bool,
    /// Validate every container (containers, init and ephemeral containers) instead.
    #[serde(default)]
    pub container: bool,
}

/// A compiled declarative rule.
pub struct PolicyRule {
    id: &'static str,
    summary: String,
    help: Option<String>,
    matcher: PolicyMatch,
    validator: Validator,
}

impl PolicyRule {
    /// Compiles a catalogue entry that has `match` and `schema`. `id` must outlive the run
    /// (built-in ids are static; custom policy ids are leaked once per run).
    pub fn new(id: &'static str, entry: &CatalogueEntry) -> Result<PolicyRule, String> {
        let schema = entry.schema.as_ref().ok_or("a policy needs a `schema`")?;
        let matcher = entry.match_.clone().ok_or("a policy needs a `match`")?;
        if matcher.pod_spec && matcher.container {
            return Err("`match` may set `podSpec` or `container`, not both".into());
        }
        let validator = jsonschema::options()
            .build(schema)
            .map_err(|e| format!("invalid `schema`: {e}"))?;
        Ok(PolicyRule {
            id,
            summary: entry.summary.trim().trim_end_matches('.').to_string(),
            help: entry.fix_text().map(str::to_string),
            matcher,
            validator,
        })
    }

    fn object_matches(&self, cx: &ObjectContext<'_>) -> bool {
        let m = &self.matcher;
        let object = cx.object;
        if !m.kinds.is_empty() && !m.kinds.contains(&object.kind) {
            return false;
        }
        if !m.api_versions.is_empty() && !m.api_versions.contains(&object.api_version) {
            return false;
        }
        if !m.namespaces.is_empty()
            && !object
                .namespace
                .as_ref()
                .is_some_and(|ns| m.namespaces.contains(ns))
        {
            return false;
        }
        let doc = cx.doc;
        let labels = doc.get_path(object.node, &["metadata", "labels"]);
        m.labels.iter().all(|(key, want)| {
            labels
                .and_then(|l| doc.get_str(l, key))
                .is_some_and(|have| want == "*" || have == want)
        })
    }

    /// Validates one node; `anchor` is where findings about the node as a whole point.
    fn validate(&self, cx: &ObjectContext<'_>, node: NodeId, anchor: Span, out: &mut Vec<Finding>) {
        let doc = cx.doc;
        let instance = to_json(doc, node);
        for error in self.validator.iter_errors(&instance) {
            let located = locate(doc, node, error.instance_path().segments());
            let mut spans = Vec::new();
            let detail = match error.kind() {
                ValidationErrorKind::Required { property } => {
                    let name = property.as_str().unwrap_or_default();
                    spans.push(located.key.unwrap_or(anchor));
                    format!("`{}` is required", join_path(&located.path, name))
                }
                ValidationErrorKind::AdditionalProperties { unexpected } => {
                    for key in unexpected {
                        spans.push(doc.key_span(located.node, key).unwrap_or(anchor));
                    }
                    format!(
                        "`{}` is not allowed here",
                        unexpected
                            .iter()
                            .map(|k| join_path(&located.path, k))
                            .collect::<Vec<_>>()
                            .join("`, `")
                    )
                }
                _ => {
                    spans.push(if located.path.is_empty() {
                        anchor
                    } else {
                        doc.span(located.node)
                    });
                    let what = if located.path.is_empty() {
                        "the object".to_string()
                    } else {
                        format!("`{}`", located.path)
                    };
                    format!(
                        "{what} {}",
                        describe(error.kind()).unwrap_or_else(|| {
                            // `masked` leaves the offending value out: it may be a secret.
                            error.masked().to_string()
                        })
                    )
                }
            };
            for span in spans {
                let mut finding = cx
                    .finding(self.id, span, format!("{}: {detail}", self.summary))
                    .label("violates the policy");
                if let Some(help) = &self.help {
                    finding = finding.help(help.clone());
                }
                out.push(finding);
            }
        }
    }
}

/// Plain words for the common schema keywords. Only the policy's own values are shown, never
/// the manifest's (which may be secret).
fn describe(kind: &ValidationErrorKind) -> Option<String> {
    Some(match kind {
        ValidationErrorKind::Not { schema } => match schema.get("const") {
            Some(value) if schema.as_object().is_some_and(|o| o.len() == 1) => {
                format!("must not be `{value}`")
            }
            _ => format!("must not match `{schema}`"),
        },
        ValidationErrorKind::Constant { expected_value } => format!("must be `{expected_value}`"),
        ValidationErrorKind::Enum { options } => format!("must be one of `{options}`"),
        ValidationErrorKind::Minimum { limit } => format!("must be at least {limit}"),
        ValidationErrorKind::Maximum { limit } => format!("must be at most {limit}"),
        ValidationErrorKind::Pattern { pattern } => format!("must match `{pattern}`"),
        ValidationErrorKind::Type { kind } => format!("must be of type {kind:?}"),
        _ => return None,
    })
}

impl Rule for PolicyRule {
    fn id(&self) -> &'static str {
        self.id
    }

    fn check_object(&self, cx: &ObjectContext<'_>, out: &mut Vec<Finding>) {
        if !self.object_matches(cx) {
            return;
        }
        let doc = cx.doc;
        if self.matcher.pod_spec || self.matcher.container {
            for pod in cx.pod_specs {
                if self.matcher.pod_spec {
                    let anchor = doc.parent_key_span(pod.node).unwrap_or(cx.object.kind_span);
                    self.validate(cx, pod.node, anchor, out);
                    continue;
                }
                for container in pod.containers(doc) {
                    let anchor = first_key_span(doc, container.node)
                        .unwrap_or_else(|| doc.span(container.node));
                    self.validate(cx, container.node, anchor, out);
                }
            }
        } else {
            self.validate(cx, cx.object.node, cx.object.kind_span, out);
        }
    }
}
