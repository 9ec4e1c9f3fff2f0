//! Pod specs and their containers, wherever they are: at the known path of built-in workloads,
//! and found structurally inside custom resources (any mapping holding
//! `containers: [{image: ...}]`, e.g. Kubeflow `PyTorchJob`, Argo `Rollout`, TensorStack
//! training jobs).

use super::{Object, ObjectId};
use crate::load::{Document, NodeId, NodeKind};

/// Where a pod spec is, relative to its object, for built-in kinds.
fn known_pod_spec_path(kind: &str, group: &str) -> Option<&'static [&'static str]> {
    if !super::is_builtin_group(group) {
        return None;
    }
    Some(match kind {
        "Pod" => &["spec"],
        "Deployment"
        | "ReplicaSet"
        | "StatefulSet"
        | "DaemonSet"
        | "Job"
        | "ReplicationController" => &["spec", "template", "spec"],
        "PodTemplate" => &["template", "spec"],
        "CronJob" => &["spec", "jobTemplate", "spec", "template", "spec"],
        _ => return None,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContainerKind {
    Regular,
    Init,
    Ephemeral,
}

impl ContainerKind {
    pub fn field(self) -> &'static str {
        match self {
            ContainerKind::Regular => "containers",
            ContainerKind::Init => "initContainers",
            ContainerKind::Ephemeral => "ephemeralContainers",
        }
    }
}

/// A pod spec inside an object.
#[derive(Debug, Clone)]
pub struct PodSpecRef {
    pub object: ObjectId,
    /// The pod spec mapping (the one holding `containers`).
    pub node: NodeId,
    /// Dotted path from the object root, e.g. `spec.template.spec`.
    pub path: String,
    /// True when found structurally in a custom resource rather than at a known path.
    pub structural: bool,
}

/// A container of a pod spec.
#[derive(Debug, Clone, Copy)]
pub struct ContainerRef {
    pub kind: ContainerKind,
    pub node: NodeId,
    pub index: usize,
}

impl ContainerRef {
    pub fn name<'d>(&self, doc: &'d Document) -> Option<&'d str> {
        doc.get_str(self.node, "name")
    }

    /// An init container with `restartPolicy: Always` (a sidecar, KEP-753).
    pub fn is_sidecar(&self, doc: &Document) -> bool {
        self.kind == ContainerKind::Init
            && doc.get_str(self.node, "restartPolicy") == Some("Always")
    }
}

impl PodSpecRef {
    /// Containers, init containers and ephemeral containers, in that order.
    pub fn containers<'d>(&self, doc: &'d Document) -> impl Iterator<Item = ContainerRef> + 'd {
        let node = self.node;
        [
            ContainerKind::Regular,
            ContainerKind::Init,
            ContainerKind::Ephemeral,
        ]
        .into_iter()
        .flat_map(move |kind| {
            let list = doc.get(node, kind.field());
            list.map(|l| doc.items(l))
                .unwrap_or(&[])
                .iter()
                .enumerate()
                .filter(|(_, c)| doc.is_mapping(**c))
                .map(move |(index, c)| ContainerRef {
                    kind,
                    node: *c,
                    index,
                })
        })
    }
}

pub(super) fn find_pod_specs(
    object_id: ObjectId,
    object: &Object,
    doc: &Document,
    out: &mut Vec<PodSpecRef>,
) {
    if let Some(path) = known_pod_spec_path(&object.kind, &object.group) {
        if let Some(node) = doc.get_path(object.node, path)
            && doc.is_mapping(node)
        {
            out.push(PodSpecRef {
                object: object_id,
                node,
                path: path.join("."),
                structural: false,
            });
        }
        return;
    }
    // Structural search, iterative and bounded by the loader's depth limit. The path to the
    // current node is kept as a trail of steps and formatted only for a pod spec that is found:
    // formatting a path for every node of a large custom resource (or CRD schema) cost more
    // than the rest of the workspace together (profiled with callgrind on the real corpus).
    enum Step {
        Key(NodeId),
        Index(usize),
    }
    let mut trail: Vec<Step> = Vec::new();
    // (node, depth of its step in the trail, the step leading to it)
    let mut stack: Vec<(NodeId, usize, Option<Step>)> = vec![(object.node, 0, None)];
    while let Some((node, depth, step)) = stack.pop() {
        trail.truncate(depth);
        trail.extend(step);
        let depth = trail.len();
        match doc.kind(node) {
            NodeKind::Mapping(entries) => {
                if looks_like_pod_spec(doc, node) {
                    let mut path = String::new();
                    for step in &trail {
                        match step {
                            Step::Key(key) => {
                                if !path.is_empty() {
                                    path.push('.');
                                }
                                path.push_str(doc.scalar(*key).map_or("", |k| k.text));
                            }
                            Step::Index(i) => path.push_str(&format!("[{i}]")),
                        }
                    }
                    out.push(PodSpecRef {
                        object: object_id,
                        node,
                        path,
                        structural: true,
                    });
                    continue;
                }
                // Push in reverse so specs are listed in document order.
                for entry in entries.iter().rev() {
                    if doc.scalar(entry.key).is_some() {
                        stack.push((entry.value, depth, Some(Step::Key(entry.key))));
                    }
                }
            }
            NodeKind::Sequence(items) => {
                for (i, item) in items.iter().enumerate().rev() {
                    stack.push((*item, depth, Some(Step::Index(i))));
                }
            }
            NodeKind::Scalar(_) => {}
        }
    }
}

/// `containers:` holding at least one mapping with an `image`.
fn looks_like_pod_spec(doc: &Document, node: NodeId) -> bool {
    doc.get(node, "containers").is_some_and(|list| {
        doc.items(list)
            .iter()
            .any(|c| doc.get(*c, "image").is_some())
    })
}
