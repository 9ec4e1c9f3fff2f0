//! The resource rules: quantities, requests and limits, LimitRanges, QoS, ResourceQuotas.
//! All Kubernetes semantics live in `crate::model::{quantity, resources, qos, quota}`; these
//! rules only decide what to report and where.

pub(crate) mod invalid_quantity;
pub(crate) mod limitrange_violation;
pub(crate) mod limits_below_requests;
pub(crate) mod missing_resources;
pub(crate) mod qos_class;
pub(crate) mod resourcequota_violation;
pub(crate) mod suspicious_quantity;

use std::collections::BTreeMap;

use super::ObjectContext;
use crate::load::{Document, NodeId};
use crate::model::PodSpecRef;
use crate::model::effective::{
    ContainerResources, Effective, EffectiveValue, PodResources, ValueOrigin,
};
use crate::model::quantity::Quantity;
use crate::model::resource_values::{CPU, MEMORY, Side};
use crate::source::Span;

/// Every pod spec of the object with its effective resources for the run's target version
/// (computed once per run and shared: [`crate::model::Workspace::pod_resources_of`]).
pub(crate) fn pods<'a>(
    cx: &ObjectContext<'a>,
) -> impl Iterator<Item = (&'a PodSpecRef, &'a PodResources)> + 'a {
    cx.ws.pod_resources_of(cx.id)
}

pub(crate) fn plain(values: &Effective) -> BTreeMap<String, Quantity> {
    values
        .iter()
        .map(|(n, v)| (n.clone(), v.quantity.clone()))
        .collect()
}

/// Where findings about a whole pod spec point: its `containers` key.
pub(crate) fn pod_anchor(doc: &Document, spec: NodeId) -> Span {
    doc.key_span(spec, "containers")
        .unwrap_or_else(|| doc.span(spec))
}

/// " (request defaults to the limit)", " (default of LimitRange `x`)"; empty for a value
/// written in the manifest.
pub(crate) fn origin_note(value: &EffectiveValue) -> String {
    match &value.origin {
        ValueOrigin::Manifest => String::new(),
        other => format!(" ({})", other.describe()),
    }
}

/// The pod spec's name in messages when an object holds several (`spec.replicaSpecs[0]...`).
pub(crate) fn pod_label(cx: &ObjectContext<'_>, pod: &PodSpecRef) -> String {
    if cx.pod_specs.len() > 1 {
        format!("pod template `{}`: ", pod.path)
    } else {
        String::new()
    }
}

/// The resources of `wanted` the container has no value for on `side`.
pub(crate) fn missing<'a>(
    pod: &PodResources,
    c: &ContainerResources,
    side: Side,
    wanted: &[&'a str],
) -> Vec<&'a str> {
    wanted
        .iter()
        .copied()
        .filter(|name| {
            !c.effective(side).contains_key(*name)
                && !c.is_invalid(side, name)
                && !pod.pod_level_covers(side, name)
        })
        .collect()
}

/// Whether `missing-requests` reports a container of the pod (a cpu or memory request left
/// unset): `qos-class` at its default setting leaves such pods to it (one cause, one finding).
pub(crate) fn lacks_requests(pod: &PodResources) -> bool {
    pod.containers
        .iter()
        .any(|c| !missing(pod, c, Side::Requests, &[CPU, MEMORY]).is_empty())
}
