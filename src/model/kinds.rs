//! What kind of object an object is, for the rules that look at secrets and settings
//! (Secrets, ConfigMaps, OpenFaaS functions), and the containers whose `env` can hold one.

use crate::load::{NodeId, NodeKind};
use crate::model::{Object, ObjectId, Workspace, is_builtin_group};

/// The OpenFaaS `Function` custom resource (`openfaas.com/v1`).
pub(crate) fn is_openfaas_function(object: &Object) -> bool {
    object.group == "openfaas.com" && object.kind == "Function"
}

/// A core `Secret`.
pub(crate) fn is_secret(object: &Object) -> bool {
    object.group.is_empty() && object.kind == "Secret"
}

/// A core `ConfigMap`.
pub(crate) fn is_config_map(object: &Object) -> bool {
    object.group.is_empty() && object.kind == "ConfigMap"
}

/// Every container of an object whose `env` can hold a secret: the containers of its pod
/// specs, and in custom resources also container lists that are not full pod specs
/// (containers without `image`, as in an operator's pod template patch:
/// `spec.unsupported.podTemplate.spec.containers` of a Keycloak).
pub(crate) fn env_containers(ws: &Workspace, id: ObjectId) -> Vec<NodeId> {
    let Some(object) = ws.objects.get(id) else {
        return Vec::new();
    };
    let doc = ws.document(object);
    let mut out: Vec<NodeId> = Vec::new();
    for pod in ws.pod_specs_of(id) {
        out.extend(pod.containers(doc).map(|c| c.node));
    }
    if is_builtin_group(&object.group) {
        return out;
    }
    let mut stack = vec![object.node];
    let mut seen = 0usize;
    while let Some(node) = stack.pop() {
        seen += 1;
        if seen > 100_000 {
            break;
        }
        match doc.kind(node) {
            NodeKind::Mapping(entries) => {
                for entry in entries {
                    let is_container_list = doc
                        .scalar(entry.key)
                        .is_some_and(|k| matches!(k.text, "containers" | "initContainers"));
                    if is_container_list {
                        for item in doc.items(entry.value) {
                            if doc.is_mapping(*item) && !out.contains(item) {
                                out.push(*item);
                            }
                        }
                    } else {
                        stack.push(entry.value);
                    }
                }
            }
            NodeKind::Sequence(items) => stack.extend(items.iter().copied()),
            NodeKind::Scalar(_) => {}
        }
    }
    out
}
