//! Each container's effective requests and limits as the API server stores them (with where
//! every value came from), pod-level resources, and pod totals.
//!
//! Kubernetes sources (kubernetes/kubernetes), ported here and nowhere else:
//! - `pkg/apis/core/v1/defaults.go`: `SetDefaults_Pod` (a missing request defaults to the
//!   limit, for containers and init containers; then `defaultPodRequests` /
//!   `defaultPodLimits` for pod-level resources).
//! - `plugin/pkg/admission/limitranger/admission.go`: `defaultContainerResourceRequirements`
//!   and `mergePodResourceRequirements` (LimitRange defaults fill what a container, or init
//!   container, left unset: limits from `default`, requests from `defaultRequest`),
//!   `podRequests` / `podLimits` (pod totals).
//! - `pkg/apis/core/validation/validation.go`: `ValidateResourceRequirements` (a request may
//!   not exceed its limit).
//!
//! Order of events for a pod, as in the API server: decoding and v1 defaulting (request from
//! limit, milli rounding), then LimitRanger's mutation (defaults), then validation (limits >=
//! requests), then LimitRanger's and ResourceQuota's validation.

use std::collections::BTreeMap;

use super::limitrange::{ContainerDefaults, LimitRange, LimitRangeField, LimitValue};
use super::resource_values::{
    ListKind, ResourceEntry, ResourceList, Side, first_line, is_overcommit_allowed,
    is_supported_pod_level_resource,
};
use super::{ContainerKind, ContainerRef, ObjectId, PodSpecRef, Workspace};
use crate::finding::FileId;
use crate::kube_version::KubeVersion;
use crate::load::{Document, NodeId};
use crate::model::quantity::Quantity;
use crate::source::Span;

/// Where an effective value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueOrigin {
    /// Written in the manifest.
    Manifest,
    /// No request was written, so v1 defaulting copied the container's limit
    /// (`SetDefaults_Pod`).
    RequestFromLimit,
    /// Filled in by LimitRanger from a LimitRange `Container` item's `default` (a limit) or
    /// `defaultRequest` (a request). `written_in` is the field the value was written in
    /// (`max` for a `default` the LimitRange took from its `max`).
    LimitRange {
        limit_range: ObjectId,
        name: String,
        field: LimitRangeField,
        written_in: LimitRangeField,
    },
    /// A pod-level request defaulted to the containers' aggregated requests
    /// (`defaultPodRequests`).
    PodRequestFromContainers,
    /// A pod-level request defaulted to the pod-level limit (`defaultPodRequests`).
    PodRequestFromLimit,
    /// A pod-level limit defaulted to the containers' aggregated limits (`defaultPodLimits`).
    PodLimitFromContainers,
}

impl ValueOrigin {
    /// Short words for tables and messages.
    pub fn describe(&self) -> String {
        match self {
            ValueOrigin::Manifest => "manifest".into(),
            ValueOrigin::RequestFromLimit => "request defaults to the limit".into(),
            ValueOrigin::LimitRange {
                name,
                field,
                written_in,
                ..
            } => {
                if field == written_in {
                    format!("LimitRange `{name}` {}", field.key())
                } else {
                    format!(
                        "LimitRange `{name}` {} (from its {})",
                        field.key(),
                        written_in.key()
                    )
                }
            }
            ValueOrigin::PodRequestFromContainers => "sum of the containers' requests".into(),
            ValueOrigin::PodRequestFromLimit => "pod-level request defaults to the limit".into(),
            ValueOrigin::PodLimitFromContainers => "sum of the containers' limits".into(),
        }
    }

    /// A stable machine name (`inspect --format json`).
    pub fn kind(&self) -> &'static str {
        match self {
            ValueOrigin::Manifest => "manifest",
            ValueOrigin::RequestFromLimit => "request-from-limit",
            ValueOrigin::LimitRange { .. } => "limitrange-default",
            ValueOrigin::PodRequestFromContainers => "pod-request-from-containers",
            ValueOrigin::PodRequestFromLimit => "pod-request-from-limit",
            ValueOrigin::PodLimitFromContainers => "pod-limit-from-containers",
        }
    }
}

/// A request or limit as the API server stores it, and where it came from.
#[derive(Debug, Clone)]
pub struct EffectiveValue {
    pub quantity: Quantity,
    pub origin: ValueOrigin,
    /// The file and span of the text the value came from (the manifest's value, the limit it
    /// was copied from, or the LimitRange's value).
    pub file: FileId,
    pub span: Span,
}

pub(crate) type Effective = BTreeMap<String, EffectiveValue>;

/// One container's resources: as written and as stored.
#[derive(Debug, Clone)]
pub struct ContainerResources {
    pub container: ContainerRef,
    /// The container's name (`#1` style when it has none).
    pub name: String,
    pub sidecar: bool,
    pub written_requests: ResourceList,
    pub written_limits: ResourceList,
    pub requests: Effective,
    pub limits: Effective,
    /// Span of the `resources` key, if written.
    pub resources_key: Option<Span>,
    /// Where findings about the container point when nothing better exists: its `name` key,
    /// else its first line.
    pub anchor: Span,
}

impl ContainerResources {
    /// "container `app`", "init container `migrate`", "sidecar `proxy`".
    pub fn describe(&self) -> String {
        format!("{} `{}`", self.role(), self.name)
    }

    /// "container", "init container" or "sidecar".
    pub fn role(&self) -> &'static str {
        match (self.container.kind, self.sidecar) {
            (ContainerKind::Init, true) => "sidecar",
            (ContainerKind::Init, false) => "init container",
            (ContainerKind::Ephemeral, _) => "ephemeral container",
            (ContainerKind::Regular, _) => "container",
        }
    }

    pub fn effective(&self, side: Side) -> &Effective {
        match side {
            Side::Requests => &self.requests,
            Side::Limits => &self.limits,
        }
    }

    pub fn written(&self, side: Side) -> &ResourceList {
        match side {
            Side::Requests => &self.written_requests,
            Side::Limits => &self.written_limits,
        }
    }

    /// True when `side.name` is written but invalid (reported by `invalid-quantity`, so
    /// other rules stay quiet about it).
    pub fn is_invalid(&self, side: Side, name: &str) -> bool {
        self.written(side)
            .get(name)
            .is_some_and(|e| e.value.is_err())
    }

    /// Where a finding about a missing request or limit points: the `requests:`/`limits:`
    /// key, else `resources:`, else the container's name.
    pub fn missing_anchor(&self, side: Side) -> Span {
        self.written(side)
            .key_span
            .or(self.resources_key)
            .unwrap_or(self.anchor)
    }
}

/// Pod-level `spec.resources`.
#[derive(Debug, Clone)]
pub struct PodLevelResources {
    pub key_span: Span,
    pub written_requests: ResourceList,
    pub written_limits: ResourceList,
    pub requests: Effective,
    pub limits: Effective,
}

impl PodLevelResources {
    fn any_supported(list: &Effective) -> bool {
        list.keys().any(|k| is_supported_pod_level_resource(k))
    }

    /// `IsPodLevelResourcesSet`: a supported resource is requested or limited.
    pub fn is_set(&self) -> bool {
        Self::any_supported(&self.requests) || Self::any_supported(&self.limits)
    }

    pub fn effective(&self, side: Side) -> &Effective {
        match side {
            Side::Requests => &self.requests,
            Side::Limits => &self.limits,
        }
    }
}

/// A pod's resources as the API server stores them: every container and init container
/// (ephemeral containers cannot have resources and are left out), and pod-level resources.
#[derive(Debug, Clone)]
pub struct PodResources {
    pub object: ObjectId,
    pub file: FileId,
    /// The pod spec mapping and its path from the object.
    pub spec: NodeId,
    pub path: String,
    /// Containers then init containers, in source order.
    pub containers: Vec<ContainerResources>,
    /// `spec.resources` when written and the target version knows pod-level resources.
    pub pod_level: Option<PodLevelResources>,
    /// The LimitRanges that applied (their index in [`LimitRangeIndex::limit_ranges`](super::limitrange::LimitRangeIndex)).
    pub limit_ranges: Vec<usize>,
    pub version: KubeVersion,
}

impl PodResources {
    /// Pod-level resources that decide (`IsPodLevelResourcesSet` and the feature enabled).
    pub fn pod_level_set(&self) -> Option<&PodLevelResources> {
        self.pod_level.as_ref().filter(|p| p.is_set())
    }

    /// True when pod-level resources cover `name` on `side`, so containers need not.
    pub fn pod_level_covers(&self, side: Side, name: &str) -> bool {
        self.pod_level_set()
            .is_some_and(|p| p.effective(side).contains_key(name))
    }

    /// The pod's requests and limits as LimitRanger's `podRequests` / `podLimits` (and the
    /// quota's `PodRequests` / `PodLimits`) compute them: regular containers and sidecars
    /// summed, then the larger of that and each init container (an init container runs
    /// beside the sidecars started before it), and pod-level values override.
    pub fn totals(&self, side: Side) -> BTreeMap<String, Quantity> {
        let mut total: BTreeMap<String, Quantity> = BTreeMap::new();
        for c in self
            .containers
            .iter()
            .filter(|c| c.container.kind == ContainerKind::Regular)
        {
            add_into(&mut total, c.effective(side));
        }
        let mut sidecars: BTreeMap<String, Quantity> = BTreeMap::new();
        let mut init_max: BTreeMap<String, Quantity> = BTreeMap::new();
        for c in self
            .containers
            .iter()
            .filter(|c| c.container.kind == ContainerKind::Init)
        {
            let running = if c.sidecar {
                add_into(&mut total, c.effective(side));
                add_into(&mut sidecars, c.effective(side));
                sidecars.clone()
            } else {
                let mut tmp = BTreeMap::new();
                add_into(&mut tmp, c.effective(side));
                add_quantities(&mut tmp, &sidecars);
                tmp
            };
            max_into(&mut init_max, &running);
        }
        max_into(&mut total, &init_max);
        if let Some(pod) = &self.pod_level {
            for (name, value) in pod.effective(side) {
                if is_supported_pod_level_resource(name) {
                    total.insert(name.clone(), value.quantity.clone());
                }
            }
        }
        total
    }
}

fn add_into(total: &mut BTreeMap<String, Quantity>, values: &Effective) {
    for (name, v) in values {
        add_one(total, name, &v.quantity);
    }
}

fn add_quantities(total: &mut BTreeMap<String, Quantity>, values: &BTreeMap<String, Quantity>) {
    for (name, q) in values {
        add_one(total, name, q);
    }
}

fn add_one(total: &mut BTreeMap<String, Quantity>, name: &str, q: &Quantity) {
    match total.get_mut(name) {
        Some(sum) => *sum = sum.add(q),
        None => {
            total.insert(name.to_string(), q.clone());
        }
    }
}

fn max_into(total: &mut BTreeMap<String, Quantity>, values: &BTreeMap<String, Quantity>) {
    for (name, q) in values {
        match total.get(name) {
            Some(current) if q <= current => {}
            _ => {
                total.insert(name.clone(), q.clone());
            }
        }
    }
}

/// Computes a pod spec's effective resources: v1 defaulting, then the namespace's
/// LimitRanges (valid ones, in name order; when several set the same default, the first
/// wins, where the cluster's choice would depend on its cache order).
pub(crate) fn pod_resources(
    ws: &Workspace,
    pod: &PodSpecRef,
    version: KubeVersion,
) -> PodResources {
    let Some(object) = ws.objects.get(pod.object) else {
        // Pod specs are found in the workspace's own objects: never reached.
        return PodResources {
            object: pod.object,
            file: 0,
            spec: pod.node,
            path: pod.path.clone(),
            containers: Vec::new(),
            pod_level: None,
            limit_ranges: Vec::new(),
            version,
        };
    };
    let doc = ws.document(object);
    let mut containers: Vec<ContainerResources> = pod
        .containers(doc)
        .filter(|c| c.kind != ContainerKind::Ephemeral)
        .map(|c| container_resources(object.file, doc, c))
        .collect();
    let mut pod_level = if version.pod_level_resources() {
        read_pod_level(object.file, doc, pod.node)
    } else {
        None
    };
    if let Some(level) = pod_level.as_mut() {
        default_pod_level(level, &containers, object.file, version);
    }
    let index = ws.limit_range_index();
    let mut applied = Vec::new();
    for (i, lr) in index.limit_ranges_for(ws, object) {
        let defaults = lr.container_defaults();
        if defaults.limits.is_empty() && defaults.requests.is_empty() {
            applied.push(i);
            continue;
        }
        for c in &mut containers {
            apply_defaults(c, lr, defaults);
        }
        applied.push(i);
    }
    PodResources {
        object: pod.object,
        file: object.file,
        spec: pod.node,
        path: pod.path.clone(),
        containers,
        pod_level,
        limit_ranges: applied,
        version,
    }
}

fn container_resources(file: FileId, doc: &Document, c: ContainerRef) -> ContainerResources {
    let resources = doc.get(c.node, "resources");
    let (written_requests, written_limits) = match resources {
        Some(r) => (
            ResourceList::read(doc, r, "requests", ListKind::Container),
            ResourceList::read(doc, r, "limits", ListKind::Container),
        ),
        None => (ResourceList::default(), ResourceList::default()),
    };
    let mut limits = Effective::new();
    for (entry, q) in written_limits.valid() {
        limits.insert(entry.name.clone(), manifest_value(file, entry, q));
    }
    let mut requests = Effective::new();
    for (entry, q) in written_requests.valid() {
        requests.insert(entry.name.clone(), manifest_value(file, entry, q));
    }
    // SetDefaults_Pod: a limit without a request (not even an invalid one) gives the request.
    for (name, limit) in &limits {
        if written_requests.get(name).is_none() {
            requests.insert(
                name.clone(),
                EffectiveValue {
                    origin: ValueOrigin::RequestFromLimit,
                    ..limit.clone()
                },
            );
        }
    }
    let name = c
        .name(doc)
        .map(str::to_string)
        .unwrap_or_else(|| format!("#{}", c.index + 1));
    let anchor = doc
        .key_span(c.node, "name")
        .unwrap_or_else(|| first_line(doc, c.node));
    ContainerResources {
        container: c,
        sidecar: c.is_sidecar(doc),
        name,
        written_requests,
        written_limits,
        requests,
        limits,
        resources_key: doc.key_span(c.node, "resources"),
        anchor,
    }
}
fn manifest_value(file: FileId, entry: &ResourceEntry, q: &Quantity) -> EffectiveValue {
    EffectiveValue {
        quantity: q.clone(),
        origin: ValueOrigin::Manifest,
        file,
        span: entry.value_span,
    }
}

fn read_pod_level(file: FileId, doc: &Document, spec: NodeId) -> Option<PodLevelResources> {
    let entry = doc.entry(spec, "resources")?;
    if !doc.is_mapping(entry.value) {
        return None;
    }
    let written_requests = ResourceList::read(doc, entry.value, "requests", ListKind::NonNegative);
    let written_limits = ResourceList::read(doc, entry.value, "limits", ListKind::NonNegative);
    let collect = |list: &ResourceList| -> Effective {
        list.valid()
            .map(|(e, q)| (e.name.clone(), manifest_value(file, e, q)))
            .collect()
    };
    Some(PodLevelResources {
        key_span: doc.span(entry.key),
        requests: collect(&written_requests),
        limits: collect(&written_limits),
        written_requests,
        written_limits,
    })
}

/// `defaultPodRequests` and (newer) `defaultPodLimits`, run by v1 defaulting after the
/// containers' request-from-limit step and before LimitRanger.
fn default_pod_level(
    level: &mut PodLevelResources,
    containers: &[ContainerResources],
    file: FileId,
    version: KubeVersion,
) {
    let aggregate = |side: Side| -> BTreeMap<String, Quantity> {
        let pod = PodResources {
            object: 0,
            file,
            spec: 0,
            path: String::new(),
            containers: containers.to_vec(),
            pod_level: None,
            limit_ranges: Vec::new(),
            version,
        };
        pod.totals(side)
    };
    let at = |origin: ValueOrigin, quantity: Quantity| EffectiveValue {
        quantity,
        origin,
        file,
        span: level.key_span,
    };
    if !level.limits.is_empty() {
        for (name, q) in aggregate(Side::Requests) {
            if !level.requests.contains_key(&name)
                && is_supported_pod_level_resource(&name)
                && is_overcommit_allowed(&name)
            {
                level
                    .requests
                    .insert(name, at(ValueOrigin::PodRequestFromContainers, q));
            }
        }
        let limits: Vec<(String, Quantity)> = level
            .limits
            .iter()
            .map(|(n, v)| (n.clone(), v.quantity.clone()))
            .collect();
        for (name, q) in limits {
            if !level.requests.contains_key(&name) && is_supported_pod_level_resource(&name) {
                level
                    .requests
                    .insert(name, at(ValueOrigin::PodRequestFromLimit, q));
            }
        }
    }
    let limits_set = PodLevelResources::any_supported(&level.limits);
    let requests_set = PodLevelResources::any_supported(&level.requests);
    if version.pod_level_fixes() && !limits_set && requests_set {
        for (name, q) in aggregate(Side::Limits) {
            let all_have = containers.iter().all(|c| c.limits.contains_key(&name));
            if !level.limits.contains_key(&name)
                && is_supported_pod_level_resource(&name)
                && is_overcommit_allowed(&name)
                && all_have
            {
                level
                    .limits
                    .insert(name, at(ValueOrigin::PodLimitFromContainers, q));
            }
        }
    }
}

/// LimitRanger's defaults for one container (`mergeContainerResources`).
fn apply_defaults(c: &mut ContainerResources, lr: &LimitRange, defaults: &ContainerDefaults) {
    for (name, value) in &defaults.limits {
        if !c.limits.contains_key(name) && c.written_limits.get(name).is_none() {
            c.limits.insert(
                name.clone(),
                limit_range_value(lr, value, LimitRangeField::Default),
            );
        }
    }
    for (name, value) in &defaults.requests {
        if !c.requests.contains_key(name) && c.written_requests.get(name).is_none() {
            c.requests.insert(
                name.clone(),
                limit_range_value(lr, value, LimitRangeField::DefaultRequest),
            );
        }
    }
}

/// A LimitRange default as an effective value that came from it.
fn limit_range_value(
    lr: &LimitRange,
    value: &LimitValue,
    field: LimitRangeField,
) -> EffectiveValue {
    EffectiveValue {
        quantity: value.quantity.clone(),
        origin: ValueOrigin::LimitRange {
            limit_range: lr.object,
            name: lr.name.clone(),
            field,
            written_in: value.written_in,
        },
        file: lr.file,
        span: value.span,
    }
}

/// A request above its limit (`ValidateResourceRequirements`: "must be less than or equal
/// to cpu limit of 500m"), on effective values.
#[derive(Debug, Clone)]
pub(crate) struct RequestAboveLimit<'a> {
    pub resource: &'a str,
    pub request: &'a EffectiveValue,
    pub limit: &'a EffectiveValue,
}

/// Every request above its limit, in resource name order.
pub(crate) fn requests_above_limits<'a>(
    requests: &'a Effective,
    limits: &'a Effective,
) -> Vec<RequestAboveLimit<'a>> {
    requests
        .iter()
        .filter_map(|(name, request)| {
            let limit = limits.get(name)?;
            (request.quantity > limit.quantity).then_some(RequestAboveLimit {
                resource: name,
                request,
                limit,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
