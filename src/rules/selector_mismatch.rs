//! `selector-mismatch`: a workload whose `spec.selector` the API server rejects.
//!
//! - Deployment, ReplicaSet, StatefulSet, DaemonSet (`pkg/apis/apps/validation/validation.go`,
//!   `ValidateDeploymentSpec` and its siblings): an empty selector is invalid ("empty selector is
//!   invalid for deployment"), and the template's labels must match it
//!   (`ValidatePodTemplateSpecForReplicaSet`: "`selector` does not match template `labels`").
//!   ReplicationController (`pkg/apis/core/validation/validation.go`,
//!   `ValidateReplicationControllerSpec`) likewise for its map selector.
//! - Job (and a CronJob's `jobTemplate`): without `manualSelector: true` the selector is generated
//!   from the Job's uid (`pkg/registry/batch/job/strategy.go`, `generateSelector`), and a
//!   hand-written one is rejected unless it still matches the generated `controller-uid` label
//!   alone (`pkg/apis/batch/validation/validation.go`, `ValidateGeneratedSelector`: "`selector`
//!   not auto-generated"); with `manualSelector: true` the template must match it.

use super::{HasRuleId, ObjectContext, Rule};
use crate::finding::Finding;
use crate::load::scalar::ScalarValue;
use crate::load::{Document, NodeId};
use crate::model::selector::{Labels, Selector, read_string_map};
use crate::rule_id::RuleId;

#[derive(Default)]
pub(crate) struct SelectorMismatch;

const ID: RuleId = <SelectorMismatch as HasRuleId>::ID;

/// The template's labels and the span to point at for them (the `labels` key, else the
/// template's `metadata`/template key).
fn template_labels(
    doc: &Document,
    template: NodeId,
) -> Option<(Labels, Option<crate::source::Span>)> {
    let metadata = doc.get(template, "metadata");
    match metadata.and_then(|m| doc.get(m, "labels")) {
        Some(labels) => {
            let set = read_string_map(doc, labels)?;
            let span = metadata.and_then(|m| doc.key_span(m, "labels"));
            Some((set, span))
        }
        None => Some((Labels::new(), None)),
    }
}

fn describe_labels(labels: &Labels) -> String {
    if labels.is_empty() {
        return "no labels".into();
    }
    let parts: Vec<String> = labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    parts.join(", ")
}

fn is_true(doc: &Document, node: Option<NodeId>) -> bool {
    node.and_then(|n| doc.scalar(n))
        .is_some_and(|s| matches!(s.value(), ScalarValue::Bool(true)))
}

/// The label keys the Job registry generates the selector from.
fn is_controller_uid(key: &str) -> bool {
    key == "controller-uid" || key == "batch.kubernetes.io/controller-uid"
}

impl SelectorMismatch {
    /// Deployment/ReplicaSet/StatefulSet/DaemonSet/ReplicationController.
    fn check_replicated(&self, cx: &ObjectContext<'_>, spec: NodeId, out: &mut Vec<Finding>) {
        let doc = cx.doc;
        let kind = cx.object.kind.as_str();
        let Some(selector_node) = doc.get(spec, "selector") else {
            return;
        };
        let Some(selector_key) = doc.key_span(spec, "selector") else {
            return;
        };
        let selector = if kind == "ReplicationController" {
            // An empty map defaults to the template's labels (`SetDefaults_ReplicationController`).
            match read_string_map(doc, selector_node) {
                Some(set) if !set.is_empty() => Selector::from_set(&set),
                _ => return,
            }
        } else {
            let Ok(selector) = Selector::from_label_selector(doc, selector_node) else {
                return;
            };
            if selector.is_empty() {
                let lower = kind.to_ascii_lowercase();
                out.push(
                    cx.finding(
                        ID,
                        selector_key,
                        format!(
                            "the {kind}'s selector is empty: the API server rejects it (\"empty \
                             selector is invalid for {lower}\"); an empty selector would adopt \
                             every pod of the namespace"
                        ),
                    )
                    .label("empty selector")
                    .help("select the template's identifying labels with `matchLabels`"),
                );
                return;
            }
            selector
        };
        let Some(template) = doc.get(spec, "template") else {
            return;
        };
        let Some((labels, labels_span)) = template_labels(doc, template) else {
            return;
        };
        if selector.matches(&labels) {
            return;
        }
        let mut finding = cx
            .finding(
                ID,
                selector_key,
                format!(
                    "the {kind}'s selector ({}) does not match its template's labels ({}): the \
                     API server rejects the {kind} (\"`selector` does not match template \
                     `labels`\")",
                    selector.describe(),
                    describe_labels(&labels)
                ),
            )
            .label("does not select the template")
            .help(
                "make the template's labels include every label the selector requires (the \
                 selector of an existing object is immutable: change the labels, not the selector)",
            );
        if let Some(span) = labels_span {
            finding = finding.related(cx.object.file, span, "the template's labels");
        }
        out.push(finding);
    }

    /// A Job spec (of a Job, or of a CronJob's `jobTemplate`).
    fn check_job(&self, cx: &ObjectContext<'_>, spec: NodeId, out: &mut Vec<Finding>) {
        let doc = cx.doc;
        let Some(selector_node) = doc.get(spec, "selector") else {
            return;
        };
        if doc.scalar(selector_node).is_some() {
            return;
        }
        let Some(selector_key) = doc.key_span(spec, "selector") else {
            return;
        };
        let Ok(selector) = Selector::from_label_selector(doc, selector_node) else {
            return;
        };
        let what = if cx.object.kind == "CronJob" {
            "the CronJob's job template"
        } else {
            "the Job"
        };
        if !is_true(doc, doc.get(spec, "manualSelector")) {
            // The registry adds `controller-uid: <uid>` to the selector, then validation demands
            // that the selector match a label set holding only that label. A uid written in the
            // manifest (an exported Job) cannot be known offline: taken as matching.
            let generated_only = selector
                .requirements
                .iter()
                .all(|r| is_controller_uid(&r.key) || r.matches_absent());
            if generated_only {
                return;
            }
            out.push(
                cx.finding(
                    ID,
                    selector_key,
                    format!(
                        "{what} writes its own selector ({}) without `manualSelector: true`: the \
                         API server generates a Job's selector from its uid and rejects this one \
                         (\"`selector` not auto-generated\")",
                        selector.describe()
                    ),
                )
                .label("hand-written Job selector")
                .help(
                    "remove `selector` (the Job controller selects its pods by uid), or set \
                     `manualSelector: true` if the selector is really meant to be chosen by hand",
                ),
            );
            return;
        }
        let Some(template) = doc.get(spec, "template") else {
            return;
        };
        let Some((labels, labels_span)) = template_labels(doc, template) else {
            return;
        };
        if selector.is_empty() || selector.matches(&labels) {
            return;
        }
        let mut finding = cx
            .finding(
                ID,
                selector_key,
                format!(
                    "{what}'s manual selector ({}) does not match its template's labels ({}): the \
                     API server rejects it (\"`selector` does not match template `labels`\")",
                    selector.describe(),
                    describe_labels(&labels)
                ),
            )
            .label("does not select the template")
            .help("make the template's labels include every label the selector requires");
        if let Some(span) = labels_span {
            finding = finding.related(cx.object.file, span, "the template's labels");
        }
        out.push(finding);
    }
}

impl Rule for SelectorMismatch {
    fn check_object(&self, cx: &ObjectContext<'_>, out: &mut Vec<Finding>) {
        let object = cx.object;
        let doc = cx.doc;
        let Some(spec) = doc.get(object.node, "spec") else {
            return;
        };
        match (object.group.as_str(), object.kind.as_str()) {
            ("apps" | "extensions", "Deployment" | "ReplicaSet" | "StatefulSet" | "DaemonSet")
            | ("", "ReplicationController") => self.check_replicated(cx, spec, out),
            ("batch", "Job") => self.check_job(cx, spec, out),
            ("batch", "CronJob") => {
                if let Some(job_spec) = doc.get_path(spec, &["jobTemplate", "spec"]) {
                    self.check_job(cx, job_spec, out);
                }
            }
            _ => {}
        }
    }
}
