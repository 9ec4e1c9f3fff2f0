//! `identical-probes`: a liveness probe that is the readiness probe again.

use crate::finding::Finding;
use crate::model::probes::{
    DeclaredPorts, Expect, ProbeKind, container_label, inspect, may_have_probes, pod_lifetime,
    probe_entry,
};
use crate::rule_id::RuleId;
use crate::rules::HasRuleId;
use crate::rules::{ObjectContext, Rule};

#[derive(Default)]
pub(crate) struct IdenticalProbes;

const ID: RuleId = <IdenticalProbes as HasRuleId>::ID;

impl Rule for IdenticalProbes {
    fn check_object(&self, cx: &ObjectContext<'_>, out: &mut Vec<Finding>) {
        let doc = cx.doc;
        for pod in cx.pod_specs {
            let lifetime = pod_lifetime(cx.object, doc, pod);
            for container in pod.containers(doc).filter(|c| may_have_probes(doc, c)) {
                let (Some(liveness), Some(readiness)) = (
                    probe_entry(doc, container.node, ProbeKind::Liveness),
                    probe_entry(doc, container.node, ProbeKind::Readiness),
                ) else {
                    continue;
                };
                // Invalid probes are `invalid-probe`'s; compare only valid, defaulted ones (a
                // patch fragment's are never complete).
                let expect = Expect::of(doc, lifetime, &container);
                let (Some(live), Some(ready)) = (
                    inspect(doc, &liveness, expect).normalized,
                    inspect(doc, &readiness, expect).normalized,
                ) else {
                    continue;
                };
                let ports = DeclaredPorts::of(doc, container.node);
                // `initialDelaySeconds` only shifts the start; the checks behave the same after.
                let same = live.handler.resolved(&ports) == ready.handler.resolved(&ports)
                    && live.timeout_seconds == ready.timeout_seconds
                    && live.period_seconds == ready.period_seconds
                    && live.success_threshold == ready.success_threshold
                    && live.failure_threshold == ready.failure_threshold;
                if !same {
                    continue;
                }
                let who = container_label(doc, &container);
                out.push(
                    cx.finding(
                        ID,
                        doc.span(liveness.key),
                        format!(
                            "the livenessProbe of {who} is the same check as its readinessProbe \
                             ({}, every {}s, {} failures): when it fails, for instance because a \
                             dependency is down, the kubelet restarts the container instead of \
                             only taking it out of the Service",
                            live.handler.describe(),
                            live.period_seconds,
                            live.failure_threshold
                        ),
                    )
                    .label("same as the readiness probe")
                    .related(cx.object.file, doc.span(readiness.key), "readiness probe")
                    .help(
                        "make the liveness probe check only that the process is alive (a cheap \
                         endpoint that touches no dependency), or at least give it a higher \
                         failureThreshold than the readiness probe",
                    ),
                );
            }
        }
    }
}
