//! The rule engine. A rule is a pure function from the workspace (or one object of it) to
//! findings; the registry maps rule ids to rules, and the catalogue gives their severities.

mod ambiguous_scalar;
mod api_versions;
mod committed_secret;
mod dangling_reference;
mod dockerfile_secret;
mod hardcoded_credential;
mod image_pull_policy;
mod image_pull_secret_missing;
mod invalid_name;
mod kustomize_error;
mod latest_image_tag;
mod plaintext_secret_env;
mod probes;
mod resources;
mod schema_violation;
mod secret_data;
mod secret_in_configmap;
mod secret_type_keys;

use std::panic::{AssertUnwindSafe, catch_unwind};

use rayon::prelude::*;

use crate::finding::{Finding, internal_error};
use crate::load::{Document, NodeId};
use crate::model::{Object, ObjectId, PodSpecRef, Workspace};

/// What a rule sees when it checks one object.
pub struct ObjectContext<'a> {
    pub ws: &'a Workspace,
    pub id: ObjectId,
    pub object: &'a Object,
    pub doc: &'a Document,
    /// The pod specs inside this object (empty for objects that run no pods).
    pub pod_specs: &'a [PodSpecRef],
    /// JSON views of this object's nodes, built once for every rule that needs one.
    pub json: JsonCache,
}

/// JSON views ([`crate::load::json::to_json`]) of nodes of one object, built on first use and
/// shared by the rules checking that object: every declarative rule validates a JSON value, and
/// converting the same pod spec once per rule (and freeing it again) was a sixth of a run on the
/// benchmark corpus (callgrind).
#[derive(Default)]
pub struct JsonCache(std::cell::RefCell<Vec<(NodeId, std::rc::Rc<serde_json::Value>)>>);

impl JsonCache {
    pub fn get(&self, doc: &Document, node: NodeId) -> std::rc::Rc<serde_json::Value> {
        if let Some((_, value)) = self.0.borrow().iter().find(|(n, _)| *n == node) {
            return value.clone();
        }
        let value = std::rc::Rc::new(crate::load::json::to_json(doc, node));
        self.0.borrow_mut().push((node, value.clone()));
        value
    }
}

impl ObjectContext<'_> {
    /// A finding about this object, with its identity attached.
    pub fn finding(
        &self,
        rule: &'static str,
        span: crate::source::Span,
        message: impl Into<String>,
    ) -> Finding {
        Finding::new(rule, self.object.file, span, message).object(Some(self.object.identity()))
    }
}

/// A rule's parameters, from the config file's long form (`rules: {qos-class: {minimum:
/// Guaranteed}}`), without `severity`.
pub type RuleParams = serde_json::Map<String, serde_json::Value>;

pub trait Rule: Send + Sync {
    fn id(&self) -> &'static str;

    /// Takes the rule's parameters from the config. Rules without parameters reject any.
    fn configure(&mut self, params: &RuleParams) -> Result<(), String> {
        match params.keys().next() {
            Some(key) => Err(format!("rule `{}` has no parameter `{key}`", self.id())),
            None => Ok(()),
        }
    }

    /// Checks one object. Called for every object, in parallel.
    fn check_object(&self, _cx: &ObjectContext<'_>, _out: &mut Vec<Finding>) {}

    /// Checks relations across objects (e.g. a Deployment against its namespace's
    /// LimitRange). Called once per run.
    fn check_workspace(&self, _ws: &Workspace, _out: &mut Vec<Finding>) {}
}

/// Rules reported while reading and parsing sources, before there is a workspace.
pub const SOURCE_RULES: &[&str] = &[
    "duplicate-key",
    "io-error",
    "parse-error",
    "template-skipped",
];

/// Rules reported by the pipeline itself: suppressions that hid nothing, and crashes caught at a
/// file or object boundary (`internal-error`).
pub const PIPELINE_RULES: &[&str] = &["internal-error", "unused-suppression"];

/// Every built-in rule that checks objects.
pub fn builtin_rules() -> Vec<Box<dyn Rule>> {
    vec![
        Box::new(latest_image_tag::LatestImageTag),
        Box::new(image_pull_policy::ImagePullPolicy),
        Box::new(probes::MissingReadinessProbe),
        Box::new(probes::MissingLivenessProbe),
        Box::new(probes::LivenessWithoutReadiness),
        Box::new(probes::InvalidProbe),
        Box::new(probes::ProbePortNotDeclared),
        Box::new(probes::IdenticalProbes),
        Box::new(plaintext_secret_env::PlaintextSecretEnv),
        Box::new(hardcoded_credential::HardcodedCredential),
        Box::new(committed_secret::CommittedSecret),
        Box::new(secret_data::SecretInvalidBase64),
        Box::new(secret_data::SecretTrailingNewline),
        Box::new(secret_type_keys::SecretTypeKeys),
        Box::new(secret_in_configmap::SecretInConfigMap),
        Box::new(image_pull_secret_missing::ImagePullSecretMissing),
        Box::new(dangling_reference::DanglingReference),
        Box::new(dockerfile_secret::DockerfileSecret),
        Box::new(resources::invalid_quantity::InvalidQuantity),
        Box::new(resources::limits_below_requests::LimitsBelowRequests),
        Box::new(resources::suspicious_quantity::SuspiciousQuantity),
        Box::new(resources::missing_resources::MissingRequests),
        Box::new(resources::missing_resources::MissingLimits),
        Box::new(resources::limitrange_violation::LimitRangeViolation),
        Box::new(resources::qos_class::QosClassRule::default()),
        Box::new(resources::resourcequota_violation::ResourceQuotaViolation),
        Box::new(schema_violation::SchemaViolation),
        Box::new(ambiguous_scalar::AmbiguousScalar),
        Box::new(api_versions::RemovedApiVersion),
        Box::new(api_versions::DeprecatedApiVersion),
        Box::new(invalid_name::InvalidName),
        Box::new(kustomize_error::KustomizeError),
    ]
}

/// Ids of every built-in rule (declarative ones included), sorted.
pub fn all_rule_ids() -> Vec<&'static str> {
    crate::registry::Registry::builtin().ids().collect()
}

/// Runs every rule over the workspace, in parallel over objects.
pub fn run_rules(ws: &Workspace, rules: &[Box<dyn Rule>]) -> Vec<Finding> {
    let mut findings: Vec<Finding> = (0..ws.objects.len())
        .into_par_iter()
        .flat_map_iter(|id| {
            let object = &ws.objects[id];
            let cx = ObjectContext {
                ws,
                id,
                object,
                doc: ws.document(object),
                pod_specs: ws.pod_specs_of(id),
                json: JsonCache::default(),
            };
            let mut out = Vec::new();
            for rule in rules {
                // A panic is caught at the object's boundary (the rule's partial findings for
                // this object are dropped) and reported as `internal-error`.
                let before = out.len();
                let checked = catch_unwind(AssertUnwindSafe(|| rule.check_object(&cx, &mut out)));
                if let Err(payload) = checked {
                    out.truncate(before);
                    let during = format!(
                        "rule `{}` checked {}",
                        rule.id(),
                        object.identity().describe()
                    );
                    out.push(
                        internal_error(object.file, object.kind_span, &during, &*payload)
                            .object(Some(object.identity())),
                    );
                }
            }
            out
        })
        .collect();
    let across: Vec<Finding> = rules
        .par_iter()
        .flat_map_iter(|rule| {
            let mut out = Vec::new();
            let checked = catch_unwind(AssertUnwindSafe(|| rule.check_workspace(ws, &mut out)));
            if let Err(payload) = checked {
                // A check across objects has no file of its own: report at the first object.
                out.clear();
                if let Some(first) = ws.objects.first() {
                    let during = format!("rule `{}` checked relations across objects", rule.id());
                    out.push(internal_error(
                        first.file,
                        first.kind_span,
                        &during,
                        &*payload,
                    ));
                }
            }
            out
        })
        .collect();
    findings.extend(across);
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue;

    #[test]
    fn built_in_catalogue_entries_are_fully_documented() {
        for entry in catalogue::catalogue() {
            assert!(
                !entry.rationale.trim().is_empty(),
                "{}: no rationale",
                entry.id
            );
            assert!(!entry.fix.trim().is_empty(), "{}: no fix", entry.id);
            assert!(entry.examples.is_some(), "{}: no examples", entry.id);
            assert_ne!(entry.category, "custom", "{}: no category", entry.id);
        }
    }

    #[test]
    fn every_rule_has_a_catalogue_entry_and_every_entry_a_rule() {
        let ids = all_rule_ids();
        let catalogue_ids: Vec<&str> = catalogue::catalogue()
            .iter()
            .map(|e| e.id.as_str())
            .collect();
        for id in &ids {
            assert!(
                catalogue_ids.contains(id),
                "rule `{id}` has no rules/{id}.yaml"
            );
        }
        for id in &catalogue_ids {
            assert!(ids.contains(id), "rules/{id}.yaml has no registered rule");
        }
    }
}
