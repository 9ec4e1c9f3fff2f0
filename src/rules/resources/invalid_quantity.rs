//! `invalid-quantity`: a value where Kubernetes expects a quantity that the API server
//! rejects: not a quantity at all (`512MB`, `true`, `1.5 Gi`), negative, or a fraction of an
//! extended resource (`nvidia.com/gpu: 0.5`).

use super::super::{ObjectContext, Rule};
use crate::finding::Finding;
use crate::load::NodeId;
use crate::model::claims::claim_specs;
use crate::model::limitrange::LimitRangeField;
use crate::model::resource_values::{ListKind, ResourceEntry, ResourceList, read_quantity};
use crate::model::{ContainerKind, PodSpecRef};
use crate::rule_id::RuleId;
use crate::rules::HasRuleId;

#[derive(Default)]
pub(crate) struct InvalidQuantity;

const ID: RuleId = <InvalidQuantity as HasRuleId>::ID;

const HELP: &str = "write a Kubernetes quantity: a number with an optional suffix, such as \
                    `500m` or `0.5` (cpu), `128Mi` or `1Gi` (memory), `1e9`";

fn report(
    cx: &ObjectContext<'_>,
    owner: &str,
    field: &str,
    list: &ResourceList,
    out: &mut Vec<Finding>,
) {
    for entry in &list.entries {
        if let Err(reason) = &entry.value {
            out.push(finding(
                cx,
                owner,
                &format!("{field}.{}", entry.name),
                entry,
                reason,
            ));
        }
    }
}

fn finding(
    cx: &ObjectContext<'_>,
    owner: &str,
    field: &str,
    entry: &ResourceEntry,
    reason: &str,
) -> Finding {
    cx.finding(
        ID,
        entry.value_span,
        format!("{owner}`{field}` is invalid: {reason}"),
    )
    .label("not a valid quantity")
    .help(HELP)
}

/// `ValidatePersistentVolumeClaimSpec` (pkg/apis/core/validation) requires
/// `resources.requests.storage` to be greater than zero (`ValidatePositiveQuantityValue`). A
/// PVC is rejected; a StatefulSet's `volumeClaimTemplates` are validated only as a warning, so
/// the StatefulSet is accepted and its controller then fails to create every claim; a pod's
/// generic ephemeral volume fails pod creation.
fn zero_storage(
    cx: &ObjectContext<'_>,
    owner: &str,
    requests: &ResourceList,
    out: &mut Vec<Finding>,
) {
    let zero = requests
        .entries
        .iter()
        .filter(|e| e.name == "storage")
        .find(|e| e.value.as_ref().is_ok_and(|q| q.is_zero()) || e.null);
    let Some(entry) = zero else {
        return;
    };
    let consequence = match cx.object.kind.as_str() {
        "PersistentVolumeClaim" => "the API server rejects the claim",
        "StatefulSet" => {
            "the API server accepts the StatefulSet with a warning, but its controller cannot \
             create this PersistentVolumeClaim, so no pod starts"
        }
        _ => "the API server rejects the pods that use this ephemeral volume",
    };
    out.push(
        cx.finding(
            ID,
            entry.value_span,
            format!(
                "{owner}`spec.resources.requests.storage` is `{}`: a claim must request more than \
                 zero storage; {consequence}",
                entry.text
            ),
        )
        .label("must be greater than zero")
        .help("request the storage the volume needs, e.g. `storage: 1Gi`"),
    );
}

impl InvalidQuantity {
    fn pod_spec(&self, cx: &ObjectContext<'_>, pod: &PodSpecRef, out: &mut Vec<Finding>) {
        let doc = cx.doc;
        for c in pod.containers(doc) {
            let Some(resources) = doc.get(c.node, "resources") else {
                continue;
            };
            if c.kind == ContainerKind::Ephemeral {
                continue;
            }
            let name = c
                .name(doc)
                .map(str::to_string)
                .unwrap_or_else(|| format!("#{}", c.index + 1));
            let owner = match (c.kind, c.is_sidecar(doc)) {
                (ContainerKind::Init, true) => format!("sidecar `{name}`: "),
                (ContainerKind::Init, false) => format!("init container `{name}`: "),
                _ => format!("container `{name}`: "),
            };
            for side in ["requests", "limits"] {
                let list = ResourceList::read(doc, resources, side, ListKind::Container);
                report(cx, &owner, &format!("resources.{side}"), &list, out);
            }
        }
        if let Some(resources) = doc.get(pod.node, "resources") {
            for side in ["requests", "limits"] {
                let list = ResourceList::read(doc, resources, side, ListKind::NonNegative);
                report(cx, "pod: ", &format!("spec.resources.{side}"), &list, out);
            }
        }
        let overhead = ResourceList::read(doc, pod.node, "overhead", ListKind::NonNegative);
        report(cx, "pod: ", "spec.overhead", &overhead, out);
        let volumes = doc
            .get(pod.node, "volumes")
            .map(|v| doc.items(v))
            .unwrap_or(&[]);
        for volume in volumes {
            let Some(limit) = doc.get_path(*volume, &["emptyDir", "sizeLimit"]) else {
                continue;
            };
            if let Err(reason) = read_quantity(doc, limit) {
                let name = doc.get_str(*volume, "name").unwrap_or("?");
                out.push(
                    cx.finding(
                        ID,
                        doc.span(limit),
                        format!("volume `{name}`: `emptyDir.sizeLimit` is invalid: {reason}"),
                    )
                    .label("not a valid quantity")
                    .help(HELP),
                );
            }
        }
    }

    fn limit_range(&self, cx: &ObjectContext<'_>, out: &mut Vec<Finding>) {
        let doc = cx.doc;
        let items = doc
            .get_path(cx.object.node, &["spec", "limits"])
            .map(|l| doc.items(l))
            .unwrap_or(&[]);
        for (i, item) in items.iter().enumerate() {
            for field in LimitRangeField::ALL {
                let list = ResourceList::read(doc, *item, field.key(), ListKind::Any);
                report(
                    cx,
                    "",
                    &format!("spec.limits[{i}].{}", field.key()),
                    &list,
                    out,
                );
            }
        }
    }

    fn read_at(
        &self,
        cx: &ObjectContext<'_>,
        parent: NodeId,
        key: &str,
        field: &str,
        out: &mut Vec<Finding>,
    ) {
        let list = ResourceList::read(cx.doc, parent, key, ListKind::NonNegative);
        report(cx, "", field, &list, out);
    }
}

impl Rule for InvalidQuantity {
    fn check_object(&self, cx: &ObjectContext<'_>, out: &mut Vec<Finding>) {
        for pod in cx.pod_specs {
            self.pod_spec(cx, pod, out);
        }
        let core = cx.object.group.is_empty();
        let spec = cx.doc.get(cx.object.node, "spec");
        match (core, cx.object.kind.as_str(), spec) {
            (true, "LimitRange", _) => self.limit_range(cx, out),
            (true, "ResourceQuota", Some(spec)) => self.read_at(cx, spec, "hard", "spec.hard", out),
            (true, "PersistentVolume", Some(spec)) => {
                self.read_at(cx, spec, "capacity", "spec.capacity", out)
            }
            _ => {}
        }
        for claim in claim_specs(cx.ws, cx.id) {
            let owner = if cx.object.kind == "PersistentVolumeClaim" {
                String::new()
            } else {
                format!("claim `{}`: ", claim.name)
            };
            report(cx, &owner, "spec.resources.requests", &claim.requests, out);
            report(cx, &owner, "spec.resources.limits", &claim.limits, out);
            zero_storage(cx, &owner, &claim.requests, out);
        }
    }
}
