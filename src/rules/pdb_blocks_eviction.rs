//! `pdb-blocks-eviction`: a PodDisruptionBudget that never allows a voluntary disruption, or
//! that selects no pod.
//!
//! The disruption controller (`pkg/controller/disruption/disruption.go`, `getExpectedPodCount`
//! and `updatePdbStatus`) computes `disruptionsAllowed = currentHealthy - desiredHealthy`:
//! - `maxUnavailable`: `desiredHealthy = expectedCount - maxUnavailable` (a percentage of the
//!   controllers' scale, rounded up), so `0` or `"0%"` allows nothing;
//! - `minAvailable` as a number: `desiredHealthy = minAvailable`; as a percentage: that share of
//!   the expected count, rounded up, so `"100%"` allows nothing, and neither does a
//!   `minAvailable` at or above the pods all the selected workloads run together.
//!
//! With nothing allowed, the eviction API refuses every eviction of those pods
//! (`pkg/registry/core/pod/storage/eviction.go`: "Cannot evict pod as it would violate the pod's
//! disruption budget") and `kubectl drain` retries forever.
//!
//! The expected count of a workload is its `replicas` (1 when omitted), or the `minReplicas` of
//! the HorizontalPodAutoscaler that scales it (the smallest the count can be). A DaemonSet's
//! count is its node count, unknown offline, and so is a custom resource's: then only the
//! count-free cases are reported.
//!
//! In `policy/v1` an empty selector (`{}`) selects every pod of the namespace and a missing one
//! none (`pkg/apis/policy/v1`, `PodDisruptionBudgetSpec.Selector`); in `policy/v1beta1` both
//! select none.

use super::{HasRuleId, Rule};
use crate::finding::Finding;
use crate::load::scalar::ScalarValue;
use crate::load::{Document, NodeId};
use crate::model::Workspace;
use crate::model::selector::{Selector, replicas_of, template_skipped_near};
use crate::rule_id::RuleId;

#[derive(Default)]
pub(crate) struct PdbBlocksEviction;

const ID: RuleId = <PdbBlocksEviction as HasRuleId>::ID;

/// An `IntOrString` as the disruption controller reads it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum IntOrPercent {
    Int(u64),
    Percent(u64),
}

fn read_int_or_percent(doc: &Document, node: NodeId) -> Option<IntOrPercent> {
    let scalar = doc.scalar(node)?;
    match scalar.value() {
        ScalarValue::Int(n) => u64::try_from(n).ok().map(IntOrPercent::Int),
        ScalarValue::String => scalar
            .text
            .strip_suffix('%')?
            .parse()
            .ok()
            .map(IntOrPercent::Percent),
        _ => None,
    }
}

/// `GetScaledValueFromIntOrPercent(value, total, roundUp=true)`.
fn scaled(value: IntOrPercent, total: u64) -> u64 {
    match value {
        IntOrPercent::Int(n) => n,
        IntOrPercent::Percent(p) => (p.saturating_mul(total)).div_ceil(100),
    }
}

fn show(value: IntOrPercent) -> String {
    match value {
        IntOrPercent::Int(n) => n.to_string(),
        IntOrPercent::Percent(p) => format!("\"{p}%\""),
    }
}

impl Rule for PdbBlocksEviction {
    fn check_workspace(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        let index = ws.workload_index();
        for object in &ws.objects {
            if object.kind != "PodDisruptionBudget" || object.group != "policy" {
                continue;
            }
            let Some(namespace) = object.namespace.as_deref() else {
                continue;
            };
            let doc = ws.document(object);
            let Some(spec) = doc.get(object.node, "spec") else {
                continue;
            };
            let finding = |span, message: String| {
                Finding::new(ID, object.file, span, message).object(Some(object.identity()))
            };
            let min_available = doc
                .get(spec, "minAvailable")
                .and_then(|n| Some((read_int_or_percent(doc, n)?, n)));
            let max_unavailable = doc
                .get(spec, "maxUnavailable")
                .and_then(|n| Some((read_int_or_percent(doc, n)?, n)));
            // The count-free cases.
            if let Some((value, node)) = max_unavailable
                && matches!(value, IntOrPercent::Int(0) | IntOrPercent::Percent(0))
            {
                out.push(
                    finding(
                        doc.span(node),
                        format!(
                            "maxUnavailable {} allows no voluntary disruption: every eviction of \
                             the selected pods is refused and node drains hang",
                            show(value)
                        ),
                    )
                    .label("no pod may be evicted")
                    .help("allow at least one disruption (`maxUnavailable: 1`)"),
                );
                continue;
            }
            if let Some((value @ IntOrPercent::Percent(p), node)) = min_available
                && p >= 100
            {
                out.push(
                    finding(
                        doc.span(node),
                        format!(
                            "minAvailable {} keeps every selected pod: no voluntary disruption is \
                             ever allowed, so evictions are refused and node drains hang",
                            show(value)
                        ),
                    )
                    .label("no pod may be evicted")
                    .help("use `maxUnavailable: 1`, or a minAvailable below the pod count"),
                );
                continue;
            }
            // What it selects.
            let v1beta1 = object.api_version == "policy/v1beta1";
            let selector = match doc.get(spec, "selector") {
                Some(node) if doc.scalar(node).is_none() => {
                    match Selector::from_label_selector(doc, node) {
                        Ok(s) => Some(s),
                        Err(_) => continue,
                    }
                }
                _ => None,
            };
            let selector = selector.filter(|s| !(v1beta1 && s.is_empty()));
            let templates = index.templates_in(namespace);
            let anchor = doc
                .key_span(spec, "selector")
                .or_else(|| doc.key_span(object.node, "spec"))
                .unwrap_or(object.kind_span);
            let Some(selector) = selector else {
                out.push(
                    finding(
                        anchor,
                        if v1beta1 {
                            "this policy/v1beta1 PodDisruptionBudget has no selector (or an empty \
                             one), which selects no pod: it protects nothing"
                                .to_string()
                        } else {
                            "this PodDisruptionBudget has no selector, which selects no pod: it \
                             protects nothing (an empty selector `{}` selects every pod of the \
                             namespace)"
                                .to_string()
                        },
                    )
                    .label("selects no pod")
                    .help("select the pods to protect with `selector.matchLabels`"),
                );
                continue;
            };
            let path = ws.source(object.file).path.as_str();
            let selected: Vec<_> = index.selected(namespace, &selector).collect();
            if selected.is_empty()
                && index.has_templates_near(ws, namespace, path)
                && !template_skipped_near(ws, path)
            {
                out.push(
                    finding(
                        anchor,
                        format!(
                            "the PodDisruptionBudget selects pods labelled {}, but none of the {} \
                             pod template(s) in namespace `{namespace}` carries those labels: it \
                             protects nothing",
                            selector.describe(),
                            templates.len()
                        ),
                    )
                    .label("selects no pod")
                    .help("make the selector match the labels of the pods to protect"),
                );
                continue;
            }
            if selected.is_empty() {
                continue;
            }
            let Some((min, node)) = min_available else {
                continue;
            };
            // The expected count: every selected workload's replicas (or its HPA's minimum).
            let mut total: u64 = 0;
            let mut parts = Vec::new();
            let mut known = true;
            let mut seen = std::collections::BTreeSet::new();
            for template in &selected {
                if !seen.insert(template.object) {
                    continue;
                }
                let Some(workload) = ws.objects.get(template.object) else {
                    known = false;
                    break;
                };
                let name = workload.name.as_deref().unwrap_or("");
                let count = match index.hpa_min_replicas(namespace, &workload.kind, name) {
                    Some(Some(min)) => {
                        parts.push(format!("{} {name}: HPA minReplicas {min}", workload.kind));
                        Some(min)
                    }
                    Some(None) => None,
                    None => replicas_of(ws, template.object).inspect(|n| {
                        parts.push(format!("{} {name}: {n} replica(s)", workload.kind));
                    }),
                };
                match count {
                    Some(n) => total = total.saturating_add(n),
                    None => {
                        known = false;
                        break;
                    }
                }
            }
            if !known || total == 0 {
                continue;
            }
            let desired = scaled(min, total);
            if desired < total {
                continue;
            }
            out.push(
                finding(
                    doc.span(node),
                    format!(
                        "minAvailable {} requires {desired} healthy pod(s), but the workloads it \
                         selects run {total} ({}): no voluntary disruption is ever allowed, so \
                         evictions are refused and node drains hang",
                        show(min),
                        parts.join(", ")
                    ),
                )
                .label("no pod may be evicted")
                .help(
                    "lower minAvailable below the pod count, use `maxUnavailable: 1`, or run more \
                     replicas",
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // `TestGetScaledValueFromIntOrPercent`-style cases (apimachinery `intstr`): percentages round
    // up when the disruption controller scales them.
    #[test]
    fn percentages_round_up() {
        assert_eq!(scaled(IntOrPercent::Percent(50), 1), 1);
        assert_eq!(scaled(IntOrPercent::Percent(50), 3), 2);
        assert_eq!(scaled(IntOrPercent::Percent(0), 5), 0);
        assert_eq!(scaled(IntOrPercent::Percent(100), 4), 4);
        assert_eq!(scaled(IntOrPercent::Int(2), 4), 2);
    }
}
