//! `missing-readiness-probe`, `missing-liveness-probe`: a serving container of a long-running
//! workload without the probe. `liveness-without-readiness`: a liveness probe and no readiness
//! probe where the missing-probe rules do not already say so.

use crate::finding::Finding;
use crate::model::ContainerRef;
use crate::model::probes::{
    Lifetime, ProbeKind, container_label, container_span, is_partial, may_have_probes,
    pod_lifetime, probe_entry, serves_traffic,
};
use crate::rule_id::RuleId;
use crate::rules::HasRuleId;
use crate::rules::{ObjectContext, Rule};

#[derive(Default)]
pub(crate) struct MissingReadinessProbe;
#[derive(Default)]
pub(crate) struct MissingLivenessProbe;
#[derive(Default)]
pub(crate) struct LivenessWithoutReadiness;

const READINESS_ID: RuleId = <MissingReadinessProbe as HasRuleId>::ID;
const LIVENESS_ID: RuleId = <MissingLivenessProbe as HasRuleId>::ID;
const LIVENESS_ONLY_ID: RuleId = <LivenessWithoutReadiness as HasRuleId>::ID;

impl Rule for MissingReadinessProbe {
    fn check_object(&self, cx: &ObjectContext<'_>, out: &mut Vec<Finding>) {
        let doc = cx.doc;
        for pod in cx.pod_specs {
            if pod_lifetime(cx.object, doc, pod) != Lifetime::LongRunning {
                continue;
            }
            // Readiness decides whether a pod gets traffic, so it matters for pods that get
            // some: a Service in the repository selects them, or the container declares
            // ports. Workers and load generators with neither get no traffic to lose.
            let selected = cx.ws.workload_index().is_served(cx.id, &pod.path);
            for container in pod.containers(doc).filter(|c| {
                serves_traffic(doc, c)
                    && !is_partial(doc, c)
                    && (selected || declares_ports(doc, c))
            }) {
                if probe_entry(doc, container.node, ProbeKind::Readiness).is_some() {
                    continue;
                }
                let who = container_label(doc, &container);
                let liveness = probe_entry(doc, container.node, ProbeKind::Liveness);
                let message = if liveness.is_some() {
                    format!(
                        "{who} has a livenessProbe but no readinessProbe: its pods get traffic as \
                         soon as the process starts, and keep getting it while they cannot serve"
                    )
                } else {
                    format!(
                        "{who} has no readinessProbe: its pods get traffic as soon as the process \
                         starts, before the app is ready, and keep getting it while they cannot \
                         serve"
                    )
                };
                let mut finding = cx
                    .finding(READINESS_ID, container_span(doc, &container), message)
                    .label("no readinessProbe")
                    .help(
                        "add a readinessProbe that answers only when the app can serve, e.g. \
                         `readinessProbe: {httpGet: {path: /ready, port: http}}`",
                    );
                if let Some(liveness) = liveness {
                    finding = finding.related(
                        cx.object.file,
                        doc.span(liveness.key),
                        "only a liveness probe",
                    );
                }
                out.push(finding);
            }
        }
    }
}

impl Rule for MissingLivenessProbe {
    fn check_object(&self, cx: &ObjectContext<'_>, out: &mut Vec<Finding>) {
        let doc = cx.doc;
        for pod in cx.pod_specs {
            if pod_lifetime(cx.object, doc, pod) != Lifetime::LongRunning {
                continue;
            }
            for container in pod
                .containers(doc)
                .filter(|c| serves_traffic(doc, c) && !is_partial(doc, c))
            {
                if probe_entry(doc, container.node, ProbeKind::Liveness).is_some() {
                    continue;
                }
                let who = container_label(doc, &container);
                out.push(
                    cx.finding(
                        LIVENESS_ID,
                        container_span(doc, &container),
                        format!(
                            "{who} has no livenessProbe: if its process hangs (a deadlock, an \
                             exhausted pool) without exiting, the kubelet never restarts it"
                        ),
                    )
                    .label("no livenessProbe")
                    .help(
                        "add a livenessProbe that checks only the process itself (not its \
                         dependencies), e.g. `livenessProbe: {httpGet: {path: /healthz, port: \
                         http}}`",
                    ),
                );
            }
        }
    }
}

impl Rule for LivenessWithoutReadiness {
    fn check_object(&self, cx: &ObjectContext<'_>, out: &mut Vec<Finding>) {
        let doc = cx.doc;
        for pod in cx.pod_specs {
            let lifetime = pod_lifetime(cx.object, doc, pod);
            if matches!(
                lifetime,
                Lifetime::RunToCompletion | Lifetime::DefaultReadiness
            ) {
                continue;
            }
            for container in pod
                .containers(doc)
                .filter(|c| may_have_probes(doc, c) && !is_partial(doc, c))
            {
                // In long-running workloads `missing-readiness-probe` already reports this
                // container (one finding for one missing probe).
                if lifetime == Lifetime::LongRunning && serves_traffic(doc, &container) {
                    continue;
                }
                let Some(liveness) = probe_entry(doc, container.node, ProbeKind::Liveness) else {
                    continue;
                };
                if probe_entry(doc, container.node, ProbeKind::Readiness).is_some() {
                    continue;
                }
                let who = container_label(doc, &container);
                out.push(
                    cx.finding(
                        LIVENESS_ONLY_ID,
                        doc.span(liveness.key),
                        format!(
                            "{who} has a livenessProbe but no readinessProbe: it is counted \
                             ready as soon as it starts, and a failing check restarts it \
                             instead of first taking it out of service"
                        ),
                    )
                    .label("liveness only")
                    .help(
                        "add a readinessProbe next to it (it may call a readiness endpoint on \
                         the same port)",
                    ),
                );
            }
        }
    }
}

/// The container lists at least one port.
fn declares_ports(doc: &crate::load::Document, container: &ContainerRef) -> bool {
    doc.get(container.node, "ports")
        .is_some_and(|p| !doc.items(p).is_empty())
}
