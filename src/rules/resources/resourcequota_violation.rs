//! `resourcequota-violation`: a ResourceQuota makes the API server reject a pod (a quota on
//! cpu or memory requires every container and init container to set it), or the workloads
//! of a namespace need more than a quota's `hard` allows (replicas times each pod's usage).

use crate::rule_id::RuleId;
use crate::rules::HasRuleId;
use std::collections::BTreeMap;

use super::super::{ObjectContext, Rule};
use super::pods;
use crate::finding::Finding;
use crate::model::Workspace;
use crate::model::qos::compute_qos;
use crate::model::quantity::Quantity;
use crate::model::quota::{
    PodFacts, container_usage_names, pod_count, pod_usage, tracks_pod_resource,
};
use crate::model::resource_values::Side;

#[derive(Default)]
pub(crate) struct ResourceQuotaViolation;

const ID: RuleId = <ResourceQuotaViolation as HasRuleId>::ID;

/// Contributions listed in a totals message before "and N more".
const SHOWN: usize = 6;

impl ResourceQuotaViolation {
    /// `Constraints`: the container requests and limits a matching quota requires.
    fn admission(&self, cx: &ObjectContext<'_>, out: &mut Vec<Finding>) {
        // A PodTemplate is never admitted as a pod.
        if cx.object.group.is_empty() && cx.object.kind == "PodTemplate" {
            return;
        }
        let index = cx.ws.quota_index();
        let quotas: Vec<_> = index.quotas_for(cx.ws, cx.object).collect();
        if quotas.is_empty() {
            return;
        }
        for (spec, pod) in pods(cx) {
            // With pod-level resources the container check is skipped (pods.go Constraints).
            if pod.pod_level_set().is_some() {
                continue;
            }
            let facts = PodFacts::of(cx.ws, spec, compute_qos(pod, pod.version).class);
            for quota in quotas.iter().filter(|q| q.matches(&facts)) {
                let required = quota.required_container_resources();
                if required.is_empty() {
                    continue;
                }
                for c in &pod.containers {
                    let has = container_usage_names(c);
                    let missing: Vec<&str> = required
                        .iter()
                        .copied()
                        .filter(|r| !has.contains(*r))
                        .filter(|r| {
                            let (side, name) = quota_side(r);
                            !c.is_invalid(side, name)
                        })
                        .collect();
                    let Some(first) = missing.first() else {
                        continue;
                    };
                    let (side, _) = quota_side(first);
                    let span = c.missing_anchor(side);
                    let related_span = quota
                        .hard
                        .get(first)
                        .map(|e| e.key_span)
                        .or(quota.hard.key_span)
                        .unwrap_or_default();
                    out.push(
                        cx.finding(
                            ID,
                            span,
                            format!(
                                "{} must specify {}: ResourceQuota `{}` covers it, so the API server rejects the pod (\"must specify {} for: {}\")",
                                c.describe(),
                                missing.join(", "),
                                quota.name,
                                missing.join(", "),
                                c.name,
                            ),
                        )
                        .label(format!("no {}", missing.join(", ")))
                        .related(quota.file, related_span, format!("ResourceQuota `{}`", quota.name))
                        .help(format!(
                            "set {} on every container and init container (or give the namespace a LimitRange with defaults)",
                            missing
                                .iter()
                                .map(|r| format!("`resources.{}`", quota_field(r)))
                                .collect::<Vec<_>>()
                                .join(" and ")
                        )),
                    );
                }
            }
        }
    }
}

/// The container side and resource name a quota name stands for (`cpu` is a request).
fn quota_side(name: &str) -> (Side, &str) {
    if let Some(rest) = name.strip_prefix("limits.") {
        (Side::Limits, rest)
    } else {
        (
            Side::Requests,
            name.strip_prefix("requests.").unwrap_or(name),
        )
    }
}

/// `requests.cpu` for `cpu`, else the name itself.
fn quota_field(name: &str) -> String {
    match quota_side(name) {
        (Side::Limits, rest) => format!("limits.{rest}"),
        (Side::Requests, rest) => format!("requests.{rest}"),
    }
}

/// One workload's share of a quota resource.
struct Contribution {
    who: String,
    count: u64,
    each: Quantity,
}

fn totals(ws: &Workspace, out: &mut Vec<Finding>) {
    let index = ws.quota_index();
    for quota in &index.quotas {
        if !quota.is_valid() {
            continue;
        }
        let mut usage: BTreeMap<String, (Quantity, Vec<Contribution>)> = BTreeMap::new();
        for (i, spec) in ws.pod_specs.iter().enumerate() {
            let Some(object) = ws.objects.get(spec.object) else {
                continue;
            };
            if !quota.scope.covers(ws, object) {
                continue;
            }
            let count = pod_count(ws, spec);
            if count.count == 0 {
                continue;
            }
            let Some(pod) = ws.pod_resources_at(i) else {
                continue;
            };
            let facts = PodFacts::of(ws, spec, compute_qos(pod, pod.version).class);
            if !quota.matches(&facts) {
                continue;
            }
            let mut who = match object.name.as_deref() {
                Some(name) => format!("{} {name}", object.kind),
                None => object.kind.clone(),
            };
            if ws.pod_specs_of(spec.object).len() > 1 {
                let path = spec
                    .path
                    .strip_suffix(".template.spec")
                    .unwrap_or(&spec.path);
                who = format!("{who} ({path})");
            }
            for (name, each) in pod_usage(pod) {
                let total = each.mul_int(count.count);
                let entry = usage
                    .entry(name)
                    .or_insert_with(|| (Quantity::zero(), Vec::new()));
                entry.0 = entry.0.add(&total);
                entry.1.push(Contribution {
                    who: who.clone(),
                    count: count.count,
                    each,
                });
            }
        }
        let Some(quota_object) = ws.objects.get(quota.object) else {
            continue;
        };
        for (entry, hard) in quota.hard.valid() {
            if !tracks_pod_resource(&entry.name) {
                continue;
            }
            let Some((total, parts)) = usage.get(&entry.name) else {
                continue;
            };
            if total <= hard {
                continue;
            }
            let mut listed: Vec<String> = parts
                .iter()
                .take(SHOWN)
                .map(|p| format!("{} {} x {}", p.who, p.count, p.each.canonical()))
                .collect();
            if parts.len() > SHOWN {
                listed.push(format!("and {} more", parts.len() - SHOWN));
            }
            out.push(
                Finding::new(
                    ID,
                    quota.file,
                    entry.value_span,
                    format!(
                        "the workloads in namespace `{}` need {} {} but ResourceQuota `{}` allows {}: {}",
                        quota.scope.namespace,
                        entry.name,
                        total.canonical(),
                        quota.name,
                        hard.original(),
                        listed.join(", ")
                    ),
                )
                .object(Some(quota_object.identity()))
                .label(format!("{} needed", total.canonical()))
                .help("raise the quota, or lower replicas or requests; pods beyond the quota are rejected when they are created (rolling updates need room for surge pods too)"),
            );
        }
    }
}

impl Rule for ResourceQuotaViolation {
    fn check_object(&self, cx: &ObjectContext<'_>, out: &mut Vec<Finding>) {
        self.admission(cx, out);
    }

    fn check_workspace(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        totals(ws, out);
    }
}
