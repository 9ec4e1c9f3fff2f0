//! `invalid-probe`: probes the API server rejects (and two that cannot work as meant);
//! `probe-port-not-declared`: probe ports the container does not declare.

use crate::finding::{Finding, Severity};
use crate::model::ContainerKind;
use crate::model::probes::{
    DeclaredPorts, Expect, PortKey, ProbeKind, container_label, inspect, is_partial,
    may_have_probes, pod_lifetime, probe_entry,
};
use crate::rule_id::RuleId;
use crate::rules::HasRuleId;
use crate::rules::{ObjectContext, Rule};

#[derive(Default)]
pub(crate) struct InvalidProbe;
#[derive(Default)]
pub(crate) struct ProbePortNotDeclared;

const INVALID_ID: RuleId = <InvalidProbe as HasRuleId>::ID;
const PORT_ID: RuleId = <ProbePortNotDeclared as HasRuleId>::ID;

impl Rule for InvalidProbe {
    fn check_object(&self, cx: &ObjectContext<'_>, out: &mut Vec<Finding>) {
        let doc = cx.doc;
        for pod in cx.pod_specs {
            let lifetime = pod_lifetime(cx.object, doc, pod);
            for container in pod.containers(doc) {
                for kind in ProbeKind::ALL {
                    let Some(probe) = probe_entry(doc, container.node, kind) else {
                        continue;
                    };
                    // A patch fragment may get `restartPolicy: Always` from its base.
                    if !may_have_probes(doc, &container) && !is_partial(doc, &container) {
                        // validateInitContainers / allowedEphemeralContainerFields: the probe
                        // is forbidden outright, its content is not looked at.
                        let who = container_label(doc, &container);
                        let (why, help) = if container.kind == ContainerKind::Ephemeral {
                            (
                                "ephemeral containers may not have probes".to_string(),
                                "remove the probe",
                            )
                        } else {
                            (
                                format!(
                                    "probes may not be set on init containers without \
                                     `restartPolicy: Always`: {who} runs to completion before \
                                     the app starts"
                                ),
                                "remove the probe, or make the container a sidecar with \
                                 `restartPolicy: Always` if it must keep running",
                            )
                        };
                        out.push(
                            cx.finding(
                                INVALID_ID,
                                doc.span(probe.key),
                                format!(
                                    "`{}` on {who}: the API server rejects it ({why})",
                                    kind.field()
                                ),
                            )
                            .label("not allowed here")
                            .help(help),
                        );
                        continue;
                    }
                    for problem in
                        inspect(doc, &probe, Expect::of(doc, lifetime, &container)).problems
                    {
                        let mut finding = cx
                            .finding(INVALID_ID, doc.span(problem.node), problem.message)
                            .help(problem.help);
                        if problem.severity != Severity::Error {
                            finding = finding.severity(problem.severity);
                        }
                        if let Some((node, text)) = problem.related {
                            finding = finding.related(cx.object.file, doc.span(node), text);
                        }
                        out.push(finding);
                    }
                }
            }
        }
    }
}

impl Rule for ProbePortNotDeclared {
    fn check_object(&self, cx: &ObjectContext<'_>, out: &mut Vec<Finding>) {
        let doc = cx.doc;
        for pod in cx.pod_specs {
            let lifetime = pod_lifetime(cx.object, doc, pod);
            let containers: Vec<_> = pod.containers(doc).collect();
            let declared: Vec<DeclaredPorts> = containers
                .iter()
                .map(|c| DeclaredPorts::of(doc, c.node))
                .collect();
            for (index, container) in containers.iter().enumerate() {
                // A patch fragment's ports come from the base manifest.
                if !may_have_probes(doc, container) || is_partial(doc, container) {
                    continue;
                }
                let Some(own) = declared.get(index) else {
                    continue;
                };
                let others = || {
                    containers
                        .iter()
                        .zip(&declared)
                        .enumerate()
                        .filter(move |(i, _)| *i != index)
                        .map(|(_, pair)| pair)
                };
                let who = container_label(doc, container);
                for kind in ProbeKind::ALL {
                    let Some(probe) = probe_entry(doc, container.node, kind) else {
                        continue;
                    };
                    let Some(port) =
                        inspect(doc, &probe, Expect::of(doc, lifetime, container)).port
                    else {
                        continue;
                    };
                    let span = doc.span(port.node);
                    match &port.port {
                        PortKey::Name(name) => {
                            if own.has_name(name) {
                                continue;
                            }
                            let elsewhere = others()
                                .find(|(_, d)| d.has_name(name))
                                .map(|(c, _)| container_label(doc, c));
                            let note = match elsewhere {
                                Some(other) => format!(
                                    " ({other} declares it, but the kubelet resolves names in \
                                     the probed container only)"
                                ),
                                None => String::new(),
                            };
                            out.push(
                                cx.finding(
                                    PORT_ID,
                                    span,
                                    format!(
                                        "`{}` uses port `{name}`, but {who} declares no port \
                                         named `{name}`{note}: the kubelet cannot resolve it and \
                                         the probe fails every time",
                                        kind.field()
                                    ),
                                )
                                .label("undeclared port name")
                                .help(format!(
                                    "declare it in the container's `ports` (`- name: {name}` \
                                     with its `containerPort`), or use the port number"
                                )),
                            );
                        }
                        // A numeric port is probed on the pod IP whether or not a
                        // container declares it: `containerPort` is informational (core/v1
                        // `ContainerPort`: "Not specifying a port here DOES NOT prevent that
                        // port from being exposed"), so there is nothing to report.
                        PortKey::Number(_) => {}
                    }
                }
            }
        }
    }
}
