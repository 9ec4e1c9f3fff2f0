//! Services against the pods they select.
//!
//! - `dangling-service`: a Service whose selector matches no pod template of its namespace,
//!   where the repository defines workloads of that namespace in the Service's folder (or below
//!   it) and no file there was skipped as a template. The EndpointSlice controller
//!   (`pkg/controller/endpointslice`, `reconcile` over `podLister.Pods(ns).List(selector)`)
//!   then publishes no endpoint and every connection to the Service fails.
//! - `service-port-mismatch`: a named `targetPort` that no container of the selected pods
//!   declares with that name and protocol. `FindPort` (`pkg/api/v1/pod/util.go`) looks the name
//!   up in the containers' (and sidecar init containers') `ports` with the Service port's
//!   protocol; when it finds none, the pod is left out of the endpoints.

use super::{HasRuleId, Rule};
use crate::finding::Finding;
use crate::load::scalar::ScalarValue;
use crate::load::{Document, NodeId};
use crate::model::podspec::ContainerKind;
use crate::model::selector::{Selector, service_selector, template_skipped_near};
use crate::model::{Object, Workspace};
use crate::rule_id::RuleId;

#[derive(Default)]
pub(crate) struct DanglingService;
#[derive(Default)]
pub(crate) struct ServicePortMismatch;

const DANGLING: RuleId = <DanglingService as HasRuleId>::ID;
const PORT: RuleId = <ServicePortMismatch as HasRuleId>::ID;

/// A Service that selects pods: its namespace, selector and the `selector` key's node.
struct SelectingService<'a> {
    object: &'a Object,
    namespace: &'a str,
    selector: Selector,
    spec: NodeId,
}

fn selecting_services(ws: &Workspace) -> impl Iterator<Item = SelectingService<'_>> + '_ {
    ws.objects.iter().filter_map(|object| {
        let selector = service_selector(ws, object)?;
        let namespace = object.namespace.as_deref()?;
        let spec = ws.document(object).get(object.node, "spec")?;
        Some(SelectingService {
            object,
            namespace,
            selector,
            spec,
        })
    })
}

impl Rule for DanglingService {
    fn check_workspace(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        let index = ws.workload_index();
        for service in selecting_services(ws) {
            let templates = index.templates_in(service.namespace);
            let path = ws.source(service.object.file).path.as_str();
            if !index.has_templates_near(ws, service.namespace, path)
                || template_skipped_near(ws, path)
            {
                continue;
            }
            if index
                .selected(service.namespace, &service.selector)
                .next()
                .is_some()
            {
                continue;
            }
            let doc = ws.document(service.object);
            let Some(span) = doc.key_span(service.spec, "selector") else {
                continue;
            };
            let namespace = service.namespace;
            out.push(
                Finding::new(
                    DANGLING,
                    service.object.file,
                    span,
                    format!(
                        "the Service selects pods labelled {}, but none of the {} pod template(s) \
                         in namespace `{namespace}` carries those labels: it gets no endpoints \
                         and every connection to it fails",
                        service.selector.describe(),
                        templates.len()
                    ),
                )
                .label("selects no pod")
                .help(
                    "make the selector match the labels of the workload's pod template (or the \
                     template's labels match the selector); a Service for pods created outside \
                     this repository can suppress this finding",
                )
                .object(Some(service.object.identity())),
            );
        }
    }
}

/// A container port as `FindPort` compares it: name and protocol (default TCP).
struct NamedPort {
    name: String,
    protocol: String,
}

/// The named ports of a pod spec's containers and sidecar init containers.
fn named_ports(doc: &Document, pod: &crate::model::PodSpecRef) -> Vec<NamedPort> {
    let mut out = Vec::new();
    for container in pod.containers(doc) {
        let counts = match container.kind {
            ContainerKind::Regular => true,
            ContainerKind::Init => container.is_sidecar(doc),
            ContainerKind::Ephemeral => false,
        };
        if !counts {
            continue;
        }
        let ports = doc
            .get(container.node, "ports")
            .map_or(&[][..], |p| doc.items(p));
        for port in ports {
            if let Some(name) = doc.get_str(*port, "name") {
                out.push(NamedPort {
                    name: name.to_string(),
                    protocol: doc.get_str(*port, "protocol").unwrap_or("TCP").to_string(),
                });
            }
        }
    }
    out
}

/// A `targetPort` written as a name (a string that is not a number).
fn target_port_name(doc: &Document, port: NodeId) -> Option<(&str, NodeId)> {
    let node = doc.get(port, "targetPort")?;
    let scalar = doc.scalar(node)?;
    if !matches!(scalar.value(), ScalarValue::String) || scalar.text.parse::<i64>().is_ok() {
        return None;
    }
    Some((scalar.text, node))
}

impl Rule for ServicePortMismatch {
    fn check_workspace(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        let index = ws.workload_index();
        for service in selecting_services(ws) {
            let selected: Vec<_> = index
                .selected(service.namespace, &service.selector)
                .collect();
            // A template whose labels cannot be read counts as selected (see
            // `WorkloadIndex::selected`): whether its ports are the ones used is unknown.
            if selected.is_empty() || selected.iter().any(|t| t.labels.is_none()) {
                continue;
            }
            let ports: Vec<(&Object, Vec<NamedPort>)> = selected
                .iter()
                .filter_map(|t| {
                    let pod = ws.pod_specs.get(t.pod_spec)?;
                    let object = ws.objects.get(t.object)?;
                    Some((object, named_ports(ws.document(object), pod)))
                })
                .collect();
            let doc = ws.document(service.object);
            let service_ports = doc
                .get(service.spec, "ports")
                .map_or(&[][..], |p| doc.items(p));
            for port in service_ports {
                let Some((name, node)) = target_port_name(doc, *port) else {
                    continue;
                };
                let protocol = doc.get_str(*port, "protocol").unwrap_or("TCP");
                let declared = ports.iter().any(|(_, named)| {
                    named
                        .iter()
                        .any(|p| p.name == name && p.protocol == protocol)
                });
                if declared {
                    continue;
                }
                let other_protocol: Vec<&str> = ports
                    .iter()
                    .flat_map(|(_, named)| named.iter())
                    .filter(|p| p.name == name)
                    .map(|p| p.protocol.as_str())
                    .collect();
                let workloads: Vec<String> = ports
                    .iter()
                    .map(|(object, _)| object.identity().describe())
                    .collect();
                let detail = match other_protocol.first() {
                    Some(p) => format!(
                        "the selected pods declare `{name}` with protocol {p}, not {protocol}"
                    ),
                    None => {
                        let mut names: Vec<String> = ports
                            .iter()
                            .flat_map(|(_, named)| named.iter())
                            .map(|p| format!("`{}`/{}", p.name, p.protocol))
                            .collect();
                        names.sort();
                        names.dedup();
                        if names.is_empty() {
                            "their containers name no port".to_string()
                        } else {
                            format!("their named ports: {}", names.join(", "))
                        }
                    }
                };
                out.push(
                    Finding::new(
                        PORT,
                        service.object.file,
                        doc.span(node),
                        format!(
                            "targetPort `{name}` ({protocol}) is not a port name of any \
                             container of the pods this Service selects ({}); {detail}: the \
                             pods are left out of the endpoints and connections to this port \
                             fail",
                            workloads.join(", ")
                        ),
                    )
                    .label("no container port with this name")
                    .help(format!(
                        "name the container port `{name}` (protocol {protocol}) in the pod \
                         template, or use the port's number or the name it has"
                    ))
                    .object(Some(service.object.identity())),
                );
            }
        }
    }
}
