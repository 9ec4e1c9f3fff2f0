//! `limits-below-requests`: a limit below the request for the same resource, on the values
//! the API server checks (after a LimitRange filled in a default limit), which it rejects
//! (`ValidateResourceRequirements`: "must be less than or equal to cpu limit").

use super::super::{ObjectContext, Rule};
use super::{origin_note, pods};
use crate::finding::Finding;
use crate::model::effective::{Effective, RequestAboveLimit, ValueOrigin, requests_above_limits};
use crate::rule_id::RuleId;
use crate::rules::HasRuleId;

#[derive(Default)]
pub(crate) struct LimitsBelowRequests;

const ID: RuleId = <LimitsBelowRequests as HasRuleId>::ID;

fn report(
    cx: &ObjectContext<'_>,
    owner: &str,
    requests: &Effective,
    limits: &Effective,
    out: &mut Vec<Finding>,
) {
    for RequestAboveLimit {
        resource,
        request,
        limit,
    } in requests_above_limits(requests, limits)
    {
        let message = format!(
            "{owner}limits.{resource} {}{} is lower than requests.{resource} {}{}: the API server rejects the pod",
            limit.quantity.original(),
            origin_note(limit),
            request.quantity.original(),
            origin_note(request),
        );
        let help = "raise the limit to at least the request, or lower the request";
        let finding = if limit.origin == ValueOrigin::Manifest && limit.file == cx.object.file {
            cx.finding(ID, limit.span, message).label("limit").related(
                request.file,
                request.span,
                "request",
            )
        } else {
            // The limit comes from a LimitRange default: point at the request here.
            cx.finding(ID, request.span, message)
                .label("request above the limit")
                .related(
                    limit.file,
                    limit.span,
                    format!("limit: {}", limit.origin.describe()),
                )
        };
        out.push(finding.help(help));
    }
}

impl Rule for LimitsBelowRequests {
    fn check_object(&self, cx: &ObjectContext<'_>, out: &mut Vec<Finding>) {
        for (_, pod) in pods(cx) {
            for c in &pod.containers {
                let owner = format!("{}: ", c.describe());
                report(cx, &owner, &c.requests, &c.limits, out);
            }
            if let Some(level) = &pod.pod_level {
                report(
                    cx,
                    "pod-level `spec.resources`: ",
                    &level.requests,
                    &level.limits,
                    out,
                );
            }
        }
    }
}
