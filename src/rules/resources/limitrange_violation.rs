//! `limitrange-violation`: LimitRanger rejects a container, a pod (its totals) or a
//! PersistentVolumeClaim that breaks a LimitRange's `min`, `max` or `maxLimitRequestRatio`
//! in its namespace; and the API server rejects an invalid LimitRange itself.

use crate::rule_id::RuleId;
use crate::rules::HasRuleId;
use std::collections::HashSet;

use super::super::{ObjectContext, Rule};
use super::{origin_note, plain, pod_anchor, pods};
use crate::finding::{FileId, Finding};
use crate::model::claims::claim_specs;
use crate::model::effective::{EffectiveValue, ValueOrigin};
use crate::model::limitrange::{
    LimitRange, LimitRangeField, LimitRangeItem, Violation, ViolationKind, check_claim, check_item,
};
use crate::model::quantity::Quantity;
use crate::source::Span;

#[derive(Default)]
pub(crate) struct LimitRangeViolation;

const ID: RuleId = <LimitRangeViolation as HasRuleId>::ID;

/// What is checked, in message words.
struct Subject<'a> {
    /// "container `app`", "the pod", "claim `data`".
    owner: &'a str,
    /// "pod" or "claim": what the API server rejects.
    rejected: &'a str,
    /// The value on the violated side, when there is one with a location in this file.
    value: Option<(&'a Quantity, String, Option<Span>)>,
    /// Where to point when the value has no location here.
    anchor: Span,
}

fn message(lr: &LimitRange, item: &LimitRangeItem, v: &Violation, s: &Subject<'_>) -> String {
    let res = &v.resource;
    let bound = format!(
        "LimitRange `{}` {} {} {res} {}",
        lr.name,
        item.limit_type,
        v.field.key(),
        v.bound.quantity.original()
    );
    let value = |side: &str| match &s.value {
        Some((q, note, _)) => format!("{side}.{res} {}{note} of {}", q.original(), s.owner),
        None => format!("{side}.{res} of {}", s.owner),
    };
    let what = match &v.kind {
        ViolationKind::NoRequest => {
            format!("{} has no {res} request, but {bound} needs one", s.owner)
        }
        ViolationKind::RequestBelowMin => format!("{} is below {bound}", value("requests")),
        ViolationKind::LimitBelowMin => format!("{} is below {bound}", value("limits")),
        ViolationKind::NoLimit => format!("{} has no {res} limit, but {bound} needs one", s.owner),
        ViolationKind::LimitAboveMax => format!("{} is above {bound}", value("limits")),
        ViolationKind::RequestAboveMax => format!("{} is above {bound}", value("requests")),
        ViolationKind::RatioNeedsRequest => {
            format!(
                "{bound} needs a non-zero {res} request, and {} has none",
                s.owner
            )
        }
        ViolationKind::RatioNeedsLimit => {
            format!(
                "{bound} needs a non-zero {res} limit, and {} has none",
                s.owner
            )
        }
        ViolationKind::RatioAbove(ratio) => {
            format!(
                "limits.{res} / requests.{res} of {} is {ratio}, above {bound}",
                s.owner
            )
        }
    };
    format!("{what}: the API server rejects the {}", s.rejected)
}

fn finding(
    cx: &ObjectContext<'_>,
    lr: &LimitRange,
    item: &LimitRangeItem,
    v: &Violation,
    s: &Subject<'_>,
) -> Finding {
    let span = s
        .value
        .as_ref()
        .and_then(|(_, _, span)| *span)
        .unwrap_or(s.anchor);
    let label = match v.kind {
        ViolationKind::NoRequest | ViolationKind::RatioNeedsRequest => "no request",
        ViolationKind::NoLimit | ViolationKind::RatioNeedsLimit => "no limit",
        ViolationKind::RequestBelowMin | ViolationKind::LimitBelowMin => "below the LimitRange min",
        ViolationKind::LimitAboveMax | ViolationKind::RequestAboveMax => "above the LimitRange max",
        ViolationKind::RatioAbove(_) => "limit/request ratio too high",
    };
    cx.finding(ID, span, message(lr, item, v, s))
        .label(label)
        .related(
            lr.file,
            v.bound.span,
            format!(
                "LimitRange `{}` {} {} {}",
                lr.name,
                item.limit_type,
                v.field.key(),
                v.resource
            ),
        )
        .help(format!(
            "keep {} within the namespace's LimitRange, or change the LimitRange",
            v.resource
        ))
}

/// A container's value, with its span when the value is written in this object (a limit
/// copied to the request points at the limit). A value LimitRanger filled in from a
/// LimitRange default has no span here, even when the LimitRange is in the same file: the pod
/// is what the API server rejects, so the finding stays on the pod (and the pod's
/// suppressions apply to it); `defaulted_from` gives the default's location.
fn located(
    cx: &ObjectContext<'_>,
    value: Option<&EffectiveValue>,
) -> Option<(Quantity, String, Option<Span>)> {
    value.map(|v| {
        let object_span = cx.doc.span(cx.object.node);
        let here = (v.file == cx.object.file
            && !matches!(v.origin, ValueOrigin::LimitRange { .. })
            && object_span.start <= v.span.start
            && v.span.end <= object_span.end)
            .then_some(v.span);
        (v.quantity.clone(), origin_note(v), here)
    })
}

/// Where a value LimitRanger filled in was written: the LimitRange default's file and span.
fn defaulted_from(value: Option<&EffectiveValue>) -> Option<(FileId, Span, String)> {
    let v = value?;
    match &v.origin {
        ValueOrigin::LimitRange { name, field, .. } => Some((
            v.file,
            v.span,
            format!("LimitRange `{name}` {} supplies this value", field.key()),
        )),
        _ => None,
    }
}

impl LimitRangeViolation {
    fn limit_range_itself(&self, cx: &ObjectContext<'_>, out: &mut Vec<Finding>) {
        let index = cx.ws.limit_range_index();
        for lr in index.limit_ranges.iter().filter(|lr| lr.object == cx.id) {
            for p in &lr.problems {
                out.push(
                    cx.finding(ID, p.span, p.message.clone())
                        .label(p.label.clone())
                        .help("order the values as the API server requires: min <= defaultRequest <= default <= max, and 1 <= maxLimitRequestRatio <= max/min"),
                );
            }
        }
    }

    fn pods(&self, cx: &ObjectContext<'_>, out: &mut Vec<Finding>) {
        let index = cx.ws.limit_range_index();
        for (spec, pod) in pods(cx) {
            let mut per_container: HashSet<(String, LimitRangeField)> = HashSet::new();
            // Each container's values once, not once per LimitRange item (a namespace may
            // have many LimitRanges).
            let values: Vec<_> = pod
                .containers
                .iter()
                .map(|c| (plain(&c.requests), plain(&c.limits)))
                .collect();
            for lr in pod
                .limit_ranges
                .iter()
                .filter_map(|i| index.limit_ranges.get(*i))
            {
                for item in lr.items.iter().filter(|i| i.limit_type == "Container") {
                    for (c, (requests, limits)) in pod.containers.iter().zip(&values) {
                        for v in check_item(item, requests, limits) {
                            let side = v.side();
                            if c.is_invalid(side, &v.resource) {
                                continue;
                            }
                            let effective = c.effective(side).get(&v.resource);
                            let value = located(cx, effective);
                            let owner = c.describe();
                            // A ratio names both sides: point at the request when the limit
                            // was defaulted and the request is written in the pod.
                            let request_span = matches!(v.kind, ViolationKind::RatioAbove(_))
                                .then(|| {
                                    located(
                                        cx,
                                        c.effective(crate::model::resource_values::Side::Requests)
                                            .get(&v.resource),
                                    )
                                    .and_then(|(_, _, span)| span)
                                })
                                .flatten();
                            let subject = Subject {
                                owner: &owner,
                                rejected: "pod",
                                value: value.as_ref().map(|(q, n, s)| (q, n.clone(), *s)),
                                anchor: request_span.unwrap_or_else(|| c.missing_anchor(side)),
                            };
                            per_container.insert((v.resource.clone(), v.field));
                            let mut found = finding(cx, lr, item, &v, &subject);
                            if let Some((file, span, text)) = defaulted_from(effective) {
                                found = found.related(file, span, text);
                            }
                            out.push(found);
                        }
                    }
                }
            }
            let mut totals = None;
            for lr in pod
                .limit_ranges
                .iter()
                .filter_map(|i| index.limit_ranges.get(*i))
            {
                for item in lr.items.iter().filter(|i| i.limit_type == "Pod") {
                    let (requests, limits) = totals.get_or_insert_with(|| {
                        (
                            pod.totals(crate::model::resource_values::Side::Requests),
                            pod.totals(crate::model::resource_values::Side::Limits),
                        )
                    });
                    let (requests, limits) = (&*requests, &*limits);
                    for v in check_item(item, requests, limits) {
                        // One mistake, one finding: a container already over the same bound
                        // explains the pod's total.
                        if per_container.contains(&(v.resource.clone(), v.field)) {
                            continue;
                        }
                        let total = match v.side() {
                            crate::model::resource_values::Side::Requests => {
                                requests.get(&v.resource)
                            }
                            crate::model::resource_values::Side::Limits => limits.get(&v.resource),
                        };
                        let owner = "the pod (containers and sidecars summed, or its largest init container)";
                        let subject = Subject {
                            owner,
                            rejected: "pod",
                            value: total.map(|q| (q, String::new(), None)),
                            anchor: pod_anchor(cx.doc, spec.node),
                        };
                        out.push(finding(cx, lr, item, &v, &subject));
                    }
                }
            }
        }
    }

    fn claims(&self, cx: &ObjectContext<'_>, out: &mut Vec<Finding>) {
        let claims = claim_specs(cx.ws, cx.id);
        if claims.is_empty() {
            return;
        }
        let index = cx.ws.limit_range_index();
        for (_, lr) in index.limit_ranges_for(cx.ws, cx.object) {
            for item in lr
                .items
                .iter()
                .filter(|i| i.limit_type == "PersistentVolumeClaim")
            {
                for claim in &claims {
                    let requests = claim
                        .requests
                        .valid()
                        .map(|(e, q)| (e.name.clone(), q.clone()))
                        .collect();
                    for v in check_claim(item, &requests) {
                        if claim
                            .requests
                            .get(&v.resource)
                            .is_some_and(|e| e.value.is_err())
                        {
                            continue;
                        }
                        let entry = claim.requests.get(&v.resource);
                        let owner = format!("claim `{}`", claim.name);
                        let subject = Subject {
                            owner: &owner,
                            rejected: "claim",
                            value: entry.and_then(|e| {
                                e.value
                                    .as_ref()
                                    .ok()
                                    .map(|q| (q, String::new(), Some(e.value_span)))
                            }),
                            anchor: claim.anchor,
                        };
                        out.push(finding(cx, lr, item, &v, &subject));
                    }
                }
            }
        }
    }
}

impl Rule for LimitRangeViolation {
    fn check_object(&self, cx: &ObjectContext<'_>, out: &mut Vec<Finding>) {
        if cx.object.group.is_empty() && cx.object.kind == "LimitRange" {
            self.limit_range_itself(cx, out);
            return;
        }
        self.pods(cx, out);
        self.claims(cx, out);
    }
}
