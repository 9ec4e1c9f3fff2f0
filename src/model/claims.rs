//! The PersistentVolumeClaim specs a run creates (LimitRanger checks their requests).

use super::resource_values::{ListKind, ResourceList, first_line};
use super::{ObjectId, Workspace};
use crate::load::NodeId;
use crate::source::Span;

/// A PersistentVolumeClaim spec the run creates: a PVC object, a StatefulSet's
/// `volumeClaimTemplates`, or a pod's generic ephemeral volume.
#[derive(Debug, Clone)]
pub(crate) struct ClaimSpec {
    // No rule reads `object` or `spec` yet (they were public API before the visibility pass);
    // kept as part of what a claim is.
    #[allow(dead_code)]
    pub object: ObjectId,
    pub name: String,
    /// The claim spec mapping.
    #[allow(dead_code)]
    pub spec: NodeId,
    pub requests: ResourceList,
    pub limits: ResourceList,
    /// Where findings about a missing request point.
    pub anchor: Span,
}

/// Every claim spec inside an object.
pub(crate) fn claim_specs(ws: &Workspace, id: ObjectId) -> Vec<ClaimSpec> {
    let Some(object) = ws.objects.get(id) else {
        return Vec::new();
    };
    let doc = ws.document(object);
    let mut specs: Vec<(String, NodeId)> = Vec::new();
    if object.group.is_empty() && object.kind == "PersistentVolumeClaim" {
        if let Some(spec) = doc.get(object.node, "spec") {
            specs.push((object.name.clone().unwrap_or_default(), spec));
        }
    } else if object.group == "apps" && object.kind == "StatefulSet" {
        let templates = doc
            .get_path(object.node, &["spec", "volumeClaimTemplates"])
            .map(|t| doc.items(t))
            .unwrap_or(&[]);
        for t in templates {
            let name = doc
                .get_path(*t, &["metadata", "name"])
                .and_then(|n| doc.str(n))
                .unwrap_or_default();
            if let Some(spec) = doc.get(*t, "spec") {
                specs.push((name.to_string(), spec));
            }
        }
    }
    for pod in ws.pod_specs_of(id) {
        let volumes = doc
            .get(pod.node, "volumes")
            .map(|v| doc.items(v))
            .unwrap_or(&[]);
        for v in volumes {
            if let Some(spec) = doc.get_path(*v, &["ephemeral", "volumeClaimTemplate", "spec"]) {
                let name = doc.get_str(*v, "name").unwrap_or_default();
                specs.push((name.to_string(), spec));
            }
        }
    }
    specs
        .into_iter()
        .filter(|(_, spec)| doc.is_mapping(*spec))
        .map(|(name, spec)| {
            let resources = doc.get(spec, "resources");
            let read = |key| match resources {
                Some(r) => ResourceList::read(doc, r, key, ListKind::NonNegative),
                None => ResourceList::default(),
            };
            let requests = read("requests");
            let anchor = requests
                .key_span
                .or_else(|| doc.key_span(spec, "resources"))
                .unwrap_or_else(|| first_line(doc, spec));
            ClaimSpec {
                object: id,
                name,
                spec,
                limits: read("limits"),
                requests,
                anchor,
            }
        })
        .collect()
}
