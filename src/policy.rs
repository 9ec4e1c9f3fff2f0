//! Declarative rules: a catalogue entry with `match` and `schema`. The built-in ones live in
//! `rules/` beside the other catalogue entries; users add their own through the config file's
//! `policies:`. Each matched node (an object, a pod spec, or a container) must satisfy the JSON
//! Schema; each validation error becomes a finding at the span of its instance path.

use std::collections::HashSet;
use std::rc::Rc;
use std::sync::OnceLock;

use jsonschema::{Validator, error::ValidationErrorKind};

use crate::catalogue::{CatalogueEntry, PolicyMatch};
use crate::finding::Finding;
use crate::load::NodeId;
use crate::load::json::to_json_with;
use crate::load::locate::{first_key_span, join_path, locate};
use crate::rule_id::RuleName;
use crate::rules::{ObjectContext, Rule, RuleIdentity};
use crate::source::Span;

/// A compiled declarative rule.
pub(crate) struct PolicyRule {
    id: RuleName,
    summary: String,
    help: Option<String>,
    matcher: PolicyMatch,
    schema: serde_json::Value,
    /// Compiled on first use for built-in rules (see [`PolicyRule::new_lazy`]).
    validator: OnceLock<Option<Validator>>,
    /// The only property names the schema can look at, when it names every property it looks
    /// at (see [`named_properties`]): then only those keys are converted to JSON.
    properties: Option<HashSet<String>>,
}

impl PolicyRule {
    /// Compiles a catalogue entry that has `match` and `schema`. A custom policy's id must
    /// outlive the run (it is leaked once per run).
    pub(crate) fn new(id: RuleName, entry: &CatalogueEntry) -> Result<PolicyRule, String> {
        let rule = PolicyRule::new_lazy(id, entry)?;
        let validator = compile(&rule.schema)?;
        let _ = rule.validator.set(Some(validator));
        Ok(rule)
    }

    /// A built-in declarative rule: its schema is compiled when the first matching object
    /// comes, so a run that meets none (a pre-commit run on a few files) never pays for it.
    /// Built-in schemas are compiled by the test suite; users' policies go through
    /// [`PolicyRule::new`], which reports a bad schema at once.
    pub(crate) fn new_lazy(id: RuleName, entry: &CatalogueEntry) -> Result<PolicyRule, String> {
        let schema = entry.schema.clone().ok_or("a policy needs a `schema`")?;
        let matcher = entry.match_.clone().ok_or("a policy needs a `match`")?;
        if matcher.pod_spec && matcher.container {
            return Err("`match` may set `podSpec` or `container`, not both".into());
        }
        Ok(PolicyRule {
            id,
            summary: entry.summary.trim().trim_end_matches('.').to_string(),
            help: entry.fix_text().map(str::to_string),
            matcher,
            properties: named_properties(&schema),
            schema,
            validator: OnceLock::new(),
        })
    }

    fn validator(&self) -> Option<&Validator> {
        self.validator
            .get_or_init(|| compile(&self.schema).ok())
            .as_ref()
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
        let Some(validator) = self.validator() else {
            return;
        };
        let doc = cx.doc;
        // Converting whole pod specs to JSON (and freeing them) was most of the declarative
        // rules' cost (callgrind, benchmark corpus): a schema that names the properties it looks
        // at gets a view with only those; any other shares one full view per object.
        let instance = match &self.properties {
            Some(names) => Rc::new(to_json_with(doc, node, &|key| names.contains(key))),
            None => cx.json.get(doc, node),
        };
        for error in validator.iter_errors(&instance) {
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

fn compile(schema: &serde_json::Value) -> Result<Validator, String> {
    jsonschema::options()
        .build(schema)
        .map_err(|e| format!("invalid `schema`: {e}"))
}

/// Keywords that look at properties without naming them, or compare whole values (two items
/// that differ only in an unnamed key would look equal to `uniqueItems`).
const UNNAMED_PROPERTY_KEYWORDS: &[&str] = &[
    "uniqueItems",
    "additionalProperties",
    "patternProperties",
    "propertyNames",
    "unevaluatedProperties",
    "minProperties",
    "maxProperties",
    "$dynamicRef",
    "$recursiveRef",
];

/// Every property name a schema mentions (in `properties`, `required`, `dependentRequired`,
/// `dependentSchemas`, `dependencies`, anywhere in it, `$defs` included), or `None` when the
/// schema can look at properties it does not name: a keyword of [`UNNAMED_PROPERTY_KEYWORDS`],
/// a `$ref` outside the schema, or a `const`/`enum` holding an object or an array (compared
/// with a whole value). Validating a view of the instance that keeps only the named keys then
/// gives the same result. Walking blindly over-collects (a property named `properties` adds
/// its sub-schema's keywords), which only keeps more keys.
fn named_properties(schema: &serde_json::Value) -> Option<HashSet<String>> {
    use serde_json::Value;
    fn walk(value: &Value, names: &mut HashSet<String>) -> bool {
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    let key = key.as_str();
                    if UNNAMED_PROPERTY_KEYWORDS.contains(&key) {
                        return false;
                    }
                    match (key, child) {
                        ("$ref", Value::String(target)) if !target.starts_with('#') => {
                            return false;
                        }
                        ("const", Value::Object(_) | Value::Array(_)) => return false,
                        ("enum", Value::Array(options))
                            if options.iter().any(|o| o.is_object() || o.is_array()) =>
                        {
                            return false;
                        }
                        (
                            "properties" | "dependentRequired" | "dependentSchemas"
                            | "dependencies",
                            Value::Object(named),
                        ) => names.extend(named.keys().cloned()),
                        ("required", Value::Array(required)) => names.extend(
                            required
                                .iter()
                                .filter_map(Value::as_str)
                                .map(str::to_string),
                        ),
                        _ => {}
                    }
                    if let ("dependentRequired" | "dependencies", Value::Object(named)) =
                        (key, child)
                    {
                        for listed in named.values().filter_map(Value::as_array) {
                            names.extend(
                                listed.iter().filter_map(Value::as_str).map(str::to_string),
                            );
                        }
                    }
                    if !walk(child, names) {
                        return false;
                    }
                }
                true
            }
            Value::Array(items) => items.iter().all(|item| walk(item, names)),
            _ => true,
        }
    }
    let mut names = HashSet::new();
    walk(schema, &mut names).then_some(names)
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

impl RuleIdentity for PolicyRule {
    fn id(&self) -> RuleName {
        self.id
    }
}

impl Rule for PolicyRule {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn built_in_schemas_compile() {
        let declarative = crate::catalogue::catalogue()
            .iter()
            .filter(|e| e.schema.is_some());
        for entry in declarative {
            let id = entry.id.parse().expect("built-in id");
            if let Err(e) = PolicyRule::new(RuleName::Builtin(id), entry) {
                panic!("rules/{}.yaml: {e}", entry.id);
            }
        }
    }

    #[test]
    fn schemas_that_name_their_properties_get_a_pruned_view() {
        let schema = json!({
            "$defs": {"root": {"properties": {"securityContext": {"properties": {"runAsUser": {"not": {"const": 0}}}}}}},
            "allOf": [{"$ref": "#/$defs/root"}],
            "required": ["containers"],
            "properties": {"hostNetwork": {"enum": [false, null]}},
        });
        let names = named_properties(&schema).expect("prunable");
        let mut names: Vec<&str> = names.iter().map(String::as_str).collect();
        names.sort_unstable();
        assert_eq!(
            names,
            ["containers", "hostNetwork", "runAsUser", "securityContext"]
        );
        for unnamed in [
            json!({"additionalProperties": false}),
            json!({"properties": {"a": {"maxProperties": 1}}}),
            json!({"$ref": "https://example.com/schema.json"}),
            json!({"not": {"const": {"a": 1}}}),
            json!({"enum": [[1], 2]}),
        ] {
            assert_eq!(named_properties(&unnamed), None, "{unnamed}");
        }
    }
}
