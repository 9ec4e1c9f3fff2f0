//! `missing-requests` and `missing-limits`: a container (or init container, or sidecar)
//! left without cpu and memory requests, or without a memory limit, once v1 defaulting and
//! the namespace's LimitRange defaults have run. Pod-level `spec.resources` cover their
//! resources for every container. Ephemeral containers cannot have resources.

use super::super::{ObjectContext, Rule};
use super::{missing, pods};
use crate::finding::Finding;
use crate::model::resource_values::{CPU, MEMORY, Side};
use crate::rule_id::RuleId;
use crate::rules::HasRuleId;

#[derive(Default)]
pub(crate) struct MissingRequests;
#[derive(Default)]
pub(crate) struct MissingLimits;

const REQUESTS_ID: RuleId = <MissingRequests as HasRuleId>::ID;
const LIMITS_ID: RuleId = <MissingLimits as HasRuleId>::ID;

impl Rule for MissingRequests {
    fn check_object(&self, cx: &ObjectContext<'_>, out: &mut Vec<Finding>) {
        for (_, pod) in pods(cx) {
            for c in &pod.containers {
                let names = missing(pod, c, Side::Requests, &[CPU, MEMORY]);
                if names.is_empty() {
                    continue;
                }
                let what = names.join(" or ");
                out.push(
                    cx.finding(
                        REQUESTS_ID,
                        c.missing_anchor(Side::Requests),
                        format!("{} has no {what} request", c.describe()),
                    )
                    .label(format!("no {what} request"))
                    .help(format!(
                        "set `resources.requests.{}`: the scheduler places pods by their requests, and a pod without them can land on a full node and is the first evicted",
                        names.join("` and `resources.requests.")
                    )),
                );
            }
        }
    }
}

impl Rule for MissingLimits {
    fn check_object(&self, cx: &ObjectContext<'_>, out: &mut Vec<Finding>) {
        for (_, pod) in pods(cx) {
            for c in &pod.containers {
                if missing(pod, c, Side::Limits, &[MEMORY]).is_empty() {
                    continue;
                }
                out.push(
                    cx.finding(
                        LIMITS_ID,
                        c.missing_anchor(Side::Limits),
                        format!("{} has no memory limit", c.describe()),
                    )
                    .label("no memory limit")
                    .help(
                        "set `resources.limits.memory` (usually equal to the memory request): without it one leaking container can take the node's memory",
                    ),
                );
            }
        }
    }
}
