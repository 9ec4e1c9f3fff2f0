//! Resource requirements as the API server stores and checks them: quantities read from YAML
//! the way the API server decodes them, each container's effective requests and limits (with
//! where every value came from), LimitRanges (their own defaulting, their validation, and
//! how the LimitRanger admission plugin defaults and checks pods and claims), and pod totals.
//!
//! Kubernetes sources (kubernetes/kubernetes), ported here and nowhere else:
//! - `pkg/apis/core/v1/defaults.go`: `SetDefaults_ResourceList` (every value rounded up to
//!   milli scale), `SetDefaults_Pod` (a missing request defaults to the limit, for containers
//!   and init containers; then `defaultPodRequests` / `defaultPodLimits` for pod-level
//!   resources), `SetDefaults_LimitRangeItem` (`default` <- `max`, then `defaultRequest` <-
//!   `default`, then `defaultRequest` <- `min`, for `Container` items).
//! - `plugin/pkg/admission/limitranger/admission.go`: `defaultContainerResourceRequirements`
//!   and `mergePodResourceRequirements` (LimitRange defaults fill what a container, or init
//!   container, left unset: limits from `default`, requests from `defaultRequest`),
//!   `PodValidateLimitFunc` (`minConstraint`, `maxConstraint`, `limitRequestRatioConstraint`
//!   over containers and init containers, and over pod totals from `podRequests` /
//!   `podLimits`), `PersistentVolumeClaimValidateLimitFunc`.
//! - `pkg/apis/core/validation/validation.go`: `ValidateLimitRange`,
//!   `ValidateResourceRequirements` (a request may not exceed its limit).
//!
//! Order of events for a pod, as in the API server: decoding and v1 defaulting (request from
//! limit, milli rounding), then LimitRanger's mutation (defaults), then validation (limits >=
//! requests), then LimitRanger's and ResourceQuota's validation.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

use super::quota::ResourceQuota;
use super::{ContainerKind, ContainerRef, Object, ObjectId, PodSpecRef, Workspace};
use crate::finding::FileId;
use crate::kube_version::KubeVersion;
use crate::load::scalar::ScalarValue;
use crate::load::{Document, NodeId, NodeKind};
use crate::model::quantity::{Format, Quantity};
use crate::source::Span;

pub(crate) const CPU: &str = "cpu";
pub(crate) const MEMORY: &str = "memory";
pub(crate) const EPHEMERAL_STORAGE: &str = "ephemeral-storage";
pub(crate) const STORAGE: &str = "storage";

/// `resource.MaxMilliValue`: the largest value whose milli-value fits in an int64.
const MAX_MILLI_VALUE: i128 = (i64::MAX / 1000) as i128;

// ---------------------------------------------------------------------------------------
// Reading quantities from YAML
// ---------------------------------------------------------------------------------------

/// The JSON text the API server receives for a YAML scalar that stands for a quantity.
///
/// kubectl turns YAML into JSON with sigs.k8s.io/yaml (go-yaml v2 typing, then
/// `encoding/json`), and `Quantity.UnmarshalJSON` strips the quotes of a JSON string, trims
/// white space and calls `ParseQuantity`. So `cpu: 0.5` arrives as the number `0.5`,
/// `memory: 129e6` as `129000000`, `cpu: 010` (YAML 1.1 octal) as `8`, and `cpu: " 1 "` as
/// `1`. A boolean is passed as `true`/`false` and rejected; `.inf`/`.nan` cannot be written
/// as JSON at all. `null` (and an empty value) decodes to a zero quantity.
fn quantity_json_text(doc: &Document, node: NodeId) -> Result<Option<String>, String> {
    let scalar = match doc.kind(node) {
        NodeKind::Scalar(s) => s,
        NodeKind::Mapping(_) => return Err("a mapping is not a quantity".into()),
        NodeKind::Sequence(_) => return Err("a list is not a quantity".into()),
    };
    match scalar.value() {
        ScalarValue::Null => Ok(None),
        ScalarValue::Bool(_) => Err(format!(
            "`{}` is a YAML boolean, not a quantity (quote it if it is meant as text)",
            scalar.text
        )),
        ScalarValue::Int(i) => Ok(Some(i.to_string())),
        ScalarValue::BigInt => Ok(Some(big_int_json(scalar.text))),
        ScalarValue::Float(f) if !f.is_finite() => Err(format!(
            "`{}` is not a finite number and cannot be sent to the API server",
            scalar.text
        )),
        ScalarValue::Float(f) => Ok(Some(go_json_float(f))),
        ScalarValue::String => Ok(Some(scalar.text.trim().to_string())),
    }
}

/// go-yaml v2 reads an integer too large for int64 as uint64 if it fits, else as a float
/// (`resolve.go`); JSON then carries that value.
fn big_int_json(text: &str) -> String {
    let cleaned: String = text.chars().filter(|c| *c != '_').collect();
    let digits = cleaned.strip_prefix('+').unwrap_or(&cleaned);
    let parsed = if let Some(hex) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        u64::from_str_radix(hex, 16).ok()
    } else if let Some(bin) = digits
        .strip_prefix("0b")
        .or_else(|| digits.strip_prefix("0B"))
    {
        u64::from_str_radix(bin, 2).ok()
    } else {
        digits.parse::<u64>().ok()
    };
    match parsed {
        Some(v) => v.to_string(),
        None => match cleaned.parse::<f64>() {
            Ok(f) if f.is_finite() => go_json_float(f),
            _ => text.to_string(),
        },
    }
}

/// `encoding/json`'s float formatting: `strconv` shortest form, with an exponent below 1e-6
/// and from 1e21 on.
fn go_json_float(f: f64) -> String {
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        format!("{f:e}")
    } else {
        format!("{f}")
    }
}

/// Reads a single quantity field (`emptyDir.sizeLimit`) as the API server decodes it
/// (`Ok(None)` for null). For validity checks: the value is rounded to milli-units like a
/// resource list's, which only resource lists are.
pub(crate) fn read_quantity(doc: &Document, node: NodeId) -> Result<Option<Quantity>, String> {
    let text = doc
        .scalar(node)
        .map(|s| s.text.to_string())
        .unwrap_or_default();
    match quantity_json_text(doc, node)? {
        None => Ok(None),
        Some(json) => parse_for(&json, &text, "", ListKind::Any).map(Some),
    }
}

/// What the API server accepts in a resource list, beyond a parsable quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    /// A container's `resources.requests` / `resources.limits`: values must be >= 0, and
    /// extended resources (`nvidia.com/gpu`) whole numbers
    /// (`ValidateResourceQuantityValue`, `ValidateNonnegativeQuantity`).
    Container,
    /// Pod-level `spec.resources`, `spec.overhead`, ResourceQuota `hard`, claims: >= 0.
    NonNegative,
    /// LimitRange bounds and defaults: any parsable quantity.
    Any,
}

/// One `name: value` entry of a resource list, as written.
#[derive(Debug, Clone)]
pub struct ResourceEntry {
    pub name: String,
    pub key_span: Span,
    pub value_span: Span,
    /// The value as written (the scalar's text).
    pub text: String,
    /// The stored value (after milli rounding), or why the API server rejects it.
    pub value: Result<Quantity, String>,
    /// `cpu: null` or `cpu:` with nothing after it: the API server reads 0 on create.
    pub null: bool,
}

/// A resource list as written (`requests:`, `limits:`, `hard:`, `max:` ...).
#[derive(Debug, Clone, Default)]
pub struct ResourceList {
    /// Span of the list's key (`requests`), if the key is present.
    pub key_span: Option<Span>,
    /// Entries in source order; a resource written twice keeps its last value, as the
    /// YAML-to-JSON conversion does.
    pub entries: Vec<ResourceEntry>,
}

impl ResourceList {
    /// Reads `parent.key` as a resource list. A missing or non-mapping value gives an empty
    /// list (with the key's span when the key is there).
    pub fn read(doc: &Document, parent: NodeId, key: &str, kind: ListKind) -> ResourceList {
        let Some(entry) = doc.entry(parent, key) else {
            return ResourceList::default();
        };
        let mut list = ResourceList {
            key_span: Some(doc.span(entry.key)),
            entries: Vec::new(),
        };
        let mut seen: HashMap<String, usize> = HashMap::new();
        for e in doc.entries(entry.value) {
            let Some(name) = doc.scalar(e.key).map(|s| s.text.to_string()) else {
                continue;
            };
            let read = read_entry(doc, &name, e.key, e.value, kind);
            match seen.get(&name) {
                Some(&i) => {
                    if let Some(slot) = list.entries.get_mut(i) {
                        *slot = read;
                    }
                }
                None => {
                    seen.insert(name, list.entries.len());
                    list.entries.push(read);
                }
            }
        }
        list
    }

    pub fn get(&self, name: &str) -> Option<&ResourceEntry> {
        self.entries.iter().find(|e| e.name == name)
    }

    /// The valid values, by resource name.
    pub fn valid(&self) -> impl Iterator<Item = (&ResourceEntry, &Quantity)> {
        self.entries
            .iter()
            .filter_map(|e| e.value.as_ref().ok().map(|q| (e, q)))
    }

    pub fn has_invalid(&self) -> bool {
        self.entries.iter().any(|e| e.value.is_err())
    }
}

fn read_entry(
    doc: &Document,
    name: &str,
    key: NodeId,
    value: NodeId,
    kind: ListKind,
) -> ResourceEntry {
    let text = match doc.scalar(value) {
        Some(s) => s.text.to_string(),
        None => String::new(),
    };
    let (value_result, null) = match quantity_json_text(doc, value) {
        Err(reason) => (Err(reason), false),
        Ok(None) => (Ok(Quantity::zero()), true),
        Ok(Some(json)) => (parse_for(&json, &text, name, kind), false),
    };
    ResourceEntry {
        name: name.to_string(),
        key_span: doc.span(key),
        value_span: doc.span(value),
        text,
        value: value_result,
        null,
    }
}

/// A value as shown in messages: at most 40 characters (a hostile 16 KB number stays out).
pub(crate) fn shorten(text: &str) -> String {
    const MAX: usize = 40;
    if text.chars().count() <= MAX {
        return text.to_string();
    }
    let head: String = text.chars().take(MAX - 3).collect();
    format!("{head}...")
}

fn parse_for(json: &str, written: &str, name: &str, kind: ListKind) -> Result<Quantity, String> {
    let written = &shorten(written);
    let quantity = Quantity::parse(json).map_err(|e| {
        let shown = if written.trim().is_empty() {
            shorten(json)
        } else {
            written.clone()
        };
        match e {
            crate::model::quantity::QuantityError::Empty => {
                "an empty string is not a quantity".to_string()
            }
            crate::model::quantity::QuantityError::Invalid(reason) => {
                format!("`{shown}` is not a quantity: {reason}")
            }
            crate::model::quantity::QuantityError::OutOfRange(reason) => {
                format!("`{shown}` is out of the range kubeward supports: {reason}")
            }
        }
    })?;
    let quantity = quantity.round_up_milli();
    if kind != ListKind::Any && quantity.is_negative() {
        return Err(format!("`{written}` is negative; it must be 0 or more"));
    }
    if kind == ListKind::Container && is_extended_resource(name) {
        let whole = quantity
            .milli_value_ceil()
            .is_some_and(|milli| milli % 1000 == 0);
        if !whole {
            return Err(format!(
                "`{written}` is not a whole number; extended resources such as `{name}` are counted in whole units"
            ));
        }
    }
    Ok(quantity)
}

/// `helper.IsExtendedResourceName`: a name with a domain that is not `kubernetes.io`'s
/// (`nvidia.com/gpu`), and not a quota name (`requests.*`).
pub(crate) fn is_extended_resource(name: &str) -> bool {
    name.contains('/') && !name.contains("kubernetes.io/") && !name.starts_with("requests.")
}

/// `helper.IsHugePageResourceName`.
pub(crate) fn is_hugepages(name: &str) -> bool {
    name.starts_with("hugepages-")
}

/// `helper.IsOvercommitAllowed`: native resources other than hugepages. Extended resources
/// and hugepages must request exactly their limit.
pub(crate) fn is_overcommit_allowed(name: &str) -> bool {
    !is_extended_resource(name) && !is_hugepages(name)
}

/// `resourcehelper.IsSupportedPodLevelResource`: cpu, memory and hugepages.
pub(crate) fn is_supported_pod_level_resource(name: &str) -> bool {
    name == CPU || name == MEMORY || is_hugepages(name)
}

/// Resources measured in bytes, where a fraction of a byte (`memory: 500m`) is a unit slip.
pub(crate) fn is_byte_resource(name: &str) -> bool {
    matches!(name, MEMORY | EPHEMERAL_STORAGE | STORAGE)
        || is_hugepages(name)
        || name.ends_with(".memory")
        || name.ends_with(".ephemeral-storage")
        || name.ends_with(".storage")
}

// ---------------------------------------------------------------------------------------
// Effective container resources
// ---------------------------------------------------------------------------------------

/// Where an effective value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
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

impl Origin {
    /// Short words for tables and messages.
    pub fn describe(&self) -> String {
        match self {
            Origin::Manifest => "manifest".into(),
            Origin::RequestFromLimit => "request defaults to the limit".into(),
            Origin::LimitRange {
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
            Origin::PodRequestFromContainers => "sum of the containers' requests".into(),
            Origin::PodRequestFromLimit => "pod-level request defaults to the limit".into(),
            Origin::PodLimitFromContainers => "sum of the containers' limits".into(),
        }
    }

    /// A stable machine name (`inspect --format json`).
    pub fn kind(&self) -> &'static str {
        match self {
            Origin::Manifest => "manifest",
            Origin::RequestFromLimit => "request-from-limit",
            Origin::LimitRange { .. } => "limitrange-default",
            Origin::PodRequestFromContainers => "pod-request-from-containers",
            Origin::PodRequestFromLimit => "pod-request-from-limit",
            Origin::PodLimitFromContainers => "pod-limit-from-containers",
        }
    }
}

/// A request or limit as the API server stores it, and where it came from.
#[derive(Debug, Clone)]
pub struct EffectiveValue {
    pub quantity: Quantity,
    pub origin: Origin,
    /// The file and span of the text the value came from (the manifest's value, the limit it
    /// was copied from, or the LimitRange's value).
    pub file: FileId,
    pub span: Span,
}

pub(crate) type Effective = BTreeMap<String, EffectiveValue>;

/// Requests or limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Requests,
    Limits,
}

impl Side {
    pub fn key(self) -> &'static str {
        match self {
            Side::Requests => "requests",
            Side::Limits => "limits",
        }
    }
}

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
    /// The LimitRanges that applied (their index in [`ResourceIndex::limit_ranges`]).
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
    let index = ws.resource_index();
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
                    origin: Origin::RequestFromLimit,
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

/// The span of a mapping's first key (its first line), or the node itself.
fn first_line(doc: &Document, node: NodeId) -> Span {
    doc.entries(node)
        .first()
        .map(|e| doc.span(e.key))
        .unwrap_or_else(|| doc.span(node))
}

fn manifest_value(file: FileId, entry: &ResourceEntry, q: &Quantity) -> EffectiveValue {
    EffectiveValue {
        quantity: q.clone(),
        origin: Origin::Manifest,
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
    let at = |origin: Origin, quantity: Quantity| EffectiveValue {
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
                    .insert(name, at(Origin::PodRequestFromContainers, q));
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
                    .insert(name, at(Origin::PodRequestFromLimit, q));
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
                    .insert(name, at(Origin::PodLimitFromContainers, q));
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
                lr.default_value(value, LimitRangeField::Default),
            );
        }
    }
    for (name, value) in &defaults.requests {
        if !c.requests.contains_key(name) && c.written_requests.get(name).is_none() {
            c.requests.insert(
                name.clone(),
                lr.default_value(value, LimitRangeField::DefaultRequest),
            );
        }
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

// ---------------------------------------------------------------------------------------
// LimitRanges
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LimitRangeField {
    Max,
    Min,
    Default,
    DefaultRequest,
    MaxLimitRequestRatio,
}

impl LimitRangeField {
    pub const ALL: [LimitRangeField; 5] = [
        LimitRangeField::Max,
        LimitRangeField::Min,
        LimitRangeField::Default,
        LimitRangeField::DefaultRequest,
        LimitRangeField::MaxLimitRequestRatio,
    ];

    pub fn key(self) -> &'static str {
        match self {
            LimitRangeField::Max => "max",
            LimitRangeField::Min => "min",
            LimitRangeField::Default => "default",
            LimitRangeField::DefaultRequest => "defaultRequest",
            LimitRangeField::MaxLimitRequestRatio => "maxLimitRequestRatio",
        }
    }
}

/// A LimitRange bound or default, after the LimitRange's own defaulting.
#[derive(Debug, Clone)]
pub struct LimitValue {
    pub quantity: Quantity,
    /// The field it was written in (`max` for a `default` taken from `max`).
    pub written_in: LimitRangeField,
    /// The written value's span in the LimitRange's file.
    pub span: Span,
}

/// One item of `spec.limits`.
#[derive(Debug, Clone)]
pub struct LimitRangeItem {
    /// `Container`, `Pod`, `PersistentVolumeClaim` (or anything else written).
    pub limit_type: String,
    /// The `type` value's span (the item's first line if there is none).
    pub type_span: Span,
    pub written: BTreeMap<LimitRangeField, ResourceList>,
    /// Bounds after `SetDefaults_LimitRangeItem`.
    pub values: BTreeMap<LimitRangeField, BTreeMap<String, LimitValue>>,
}

impl LimitRangeItem {
    pub fn get(&self, field: LimitRangeField) -> Option<&BTreeMap<String, LimitValue>> {
        self.values.get(&field)
    }

    fn field(&self, field: LimitRangeField) -> impl Iterator<Item = (&String, &LimitValue)> {
        self.values.get(&field).into_iter().flatten()
    }
}

/// A problem that makes the API server reject a LimitRange (`ValidateLimitRange`).
#[derive(Debug, Clone)]
pub struct LimitRangeProblem {
    pub span: Span,
    pub message: String,
    pub label: String,
}

/// A LimitRange, its items after defaulting, and where it applies.
#[derive(Debug, Clone)]
pub struct LimitRange {
    pub object: ObjectId,
    pub name: String,
    pub file: FileId,
    pub scope: NamespaceScope,
    pub items: Vec<LimitRangeItem>,
    /// Why the API server would reject it (a rejected LimitRange defaults and checks nothing).
    pub problems: Vec<LimitRangeProblem>,
    /// True when a value in it is not a valid quantity.
    pub has_invalid_quantity: bool,
    /// [`LimitRange::container_defaults`], computed once when read: every pod of the namespace
    /// applies it (recomputing it per pod was a seventh of a run on the benchmark corpus).
    defaults: ContainerDefaults,
}

/// What LimitRanger fills into containers (`defaultContainerResourceRequirements`).
#[derive(Debug, Clone, Default)]
pub struct ContainerDefaults {
    pub limits: BTreeMap<String, LimitValue>,
    pub requests: BTreeMap<String, LimitValue>,
}

impl LimitRange {
    /// The API server accepts it (it exists in the cluster and takes effect).
    pub fn is_valid(&self) -> bool {
        self.problems.is_empty() && !self.has_invalid_quantity
    }

    /// Defaults from `Container` items (a later item overwrites an earlier one, as in
    /// `defaultContainerResourceRequirements`).
    pub fn container_defaults(&self) -> &ContainerDefaults {
        &self.defaults
    }

    fn compute_container_defaults(items: &[LimitRangeItem]) -> ContainerDefaults {
        let mut out = ContainerDefaults::default();
        for item in items.iter().filter(|i| i.limit_type == "Container") {
            for (name, v) in item.field(LimitRangeField::DefaultRequest) {
                out.requests.insert(name.clone(), v.clone());
            }
            for (name, v) in item.field(LimitRangeField::Default) {
                out.limits.insert(name.clone(), v.clone());
            }
        }
        out
    }

    fn default_value(&self, value: &LimitValue, field: LimitRangeField) -> EffectiveValue {
        EffectiveValue {
            quantity: value.quantity.clone(),
            origin: Origin::LimitRange {
                limit_range: self.object,
                name: self.name.clone(),
                field,
                written_in: value.written_in,
            },
            file: self.file,
            span: value.span,
        }
    }

    fn read(ws: &Workspace, id: ObjectId) -> Option<LimitRange> {
        let object = ws.objects.get(id)?;
        let doc = ws.document(object);
        let mut items = Vec::new();
        let mut has_invalid_quantity = false;
        let limits = doc
            .get_path(object.node, &["spec", "limits"])
            .map(|l| doc.items(l))
            .unwrap_or(&[]);
        for item in limits.iter().copied().filter(|i| doc.is_mapping(*i)) {
            let limit_type = doc.get_str(item, "type").unwrap_or_default().to_string();
            let type_span = doc
                .get(item, "type")
                .map(|t| doc.span(t))
                .unwrap_or_else(|| first_line(doc, item));
            let mut written = BTreeMap::new();
            for field in LimitRangeField::ALL {
                let list = ResourceList::read(doc, item, field.key(), ListKind::Any);
                has_invalid_quantity |= list.has_invalid();
                written.insert(field, list);
            }
            let values = item_values(&limit_type, &written);
            items.push(LimitRangeItem {
                limit_type,
                type_span,
                written,
                values,
            });
        }
        let mut lr = LimitRange {
            object: id,
            name: object.name.clone().unwrap_or_default(),
            file: object.file,
            scope: NamespaceScope::of(ws, object),
            defaults: LimitRange::compute_container_defaults(&items),
            items,
            problems: Vec::new(),
            has_invalid_quantity,
        };
        lr.problems = validate_limit_range(&lr);
        Some(lr)
    }
}

/// `SetDefaults_LimitRangeItem`, for `Container` items only.
fn item_values(
    limit_type: &str,
    written: &BTreeMap<LimitRangeField, ResourceList>,
) -> BTreeMap<LimitRangeField, BTreeMap<String, LimitValue>> {
    let mut values: BTreeMap<LimitRangeField, BTreeMap<String, LimitValue>> = BTreeMap::new();
    for (field, list) in written {
        let map = values.entry(*field).or_default();
        for (entry, q) in list.valid() {
            map.insert(
                entry.name.clone(),
                LimitValue {
                    quantity: q.clone(),
                    written_in: *field,
                    span: entry.value_span,
                },
            );
        }
    }
    if limit_type == "Container" {
        for (from, to) in [
            (LimitRangeField::Max, LimitRangeField::Default),
            (LimitRangeField::Default, LimitRangeField::DefaultRequest),
            (LimitRangeField::Min, LimitRangeField::DefaultRequest),
        ] {
            let source = values.get(&from).cloned().unwrap_or_default();
            let target = values.entry(to).or_default();
            for (name, v) in source {
                target.entry(name).or_insert(v);
            }
        }
    }
    values
}

/// `ValidateLimitRange`, after defaulting. At most one problem per item and resource (the
/// first in Kubernetes' order): one mistake, one finding.
fn validate_limit_range(lr: &LimitRange) -> Vec<LimitRangeProblem> {
    use LimitRangeField::*;
    let mut problems = Vec::new();
    let mut seen_types: Vec<&str> = Vec::new();
    for item in &lr.items {
        if seen_types.contains(&item.limit_type.as_str()) {
            problems.push(LimitRangeProblem {
                span: item.type_span,
                message: format!(
                    "LimitRange `{}` has two items of type `{}`; the API server rejects it",
                    lr.name, item.limit_type
                ),
                label: "duplicate type".into(),
            });
        }
        seen_types.push(&item.limit_type);
        if item.limit_type == "Pod" {
            for field in [Default, DefaultRequest] {
                if let Some(key) = item.written.get(&field).and_then(|l| l.key_span) {
                    problems.push(LimitRangeProblem {
                        span: key,
                        message: format!(
                            "`{}` may not be set on a LimitRange item of type Pod; the API server rejects LimitRange `{}`",
                            field.key(),
                            lr.name
                        ),
                        label: "not allowed for type Pod".into(),
                    });
                }
            }
        }
        if item.limit_type == "PersistentVolumeClaim"
            && item
                .written
                .get(&Min)
                .and_then(|l| l.get(STORAGE))
                .is_none()
            && item
                .written
                .get(&Max)
                .and_then(|l| l.get(STORAGE))
                .is_none()
        {
            problems.push(LimitRangeProblem {
                span: item.type_span,
                message: format!(
                    "a PersistentVolumeClaim item needs a `min` or `max` storage value; the API server rejects LimitRange `{}`",
                    lr.name
                ),
                label: "no storage bound".into(),
            });
        }
        let mut names: Vec<&String> = item.values.values().flat_map(|m| m.keys()).collect();
        names.sort();
        names.dedup();
        for name in names {
            if let Some(problem) = item_problem(lr, item, name) {
                problems.push(problem);
            }
        }
    }
    problems
}

fn describe_bound(field: LimitRangeField, v: &LimitValue) -> String {
    if v.written_in == field {
        format!("{} {}", field.key(), v.quantity.original())
    } else {
        format!(
            "{} {} (taken from {})",
            field.key(),
            v.quantity.original(),
            v.written_in.key()
        )
    }
}

fn item_problem(lr: &LimitRange, item: &LimitRangeItem, name: &str) -> Option<LimitRangeProblem> {
    use LimitRangeField::*;
    let get = |f: LimitRangeField| item.get(f).and_then(|m| m.get(name));
    let (min, max, default, default_request, ratio) = (
        get(Min),
        get(Max),
        get(Default),
        get(DefaultRequest),
        get(MaxLimitRequestRatio),
    );
    let problem = |at: &LimitValue, message: String, label: &str| {
        Some(LimitRangeProblem {
            span: at.span,
            message: format!(
                "LimitRange `{}` ({} item) is invalid: {message}; the API server rejects it",
                lr.name, item.limit_type
            ),
            label: label.to_string(),
        })
    };
    let gt = |a: &LimitValue, b: &LimitValue| a.quantity > b.quantity;
    let bound = describe_bound;
    if let (Some(mn), Some(mx)) = (min, max)
        && gt(mn, mx)
    {
        return problem(
            mn,
            format!(
                "{name} {} is greater than {}",
                bound(Min, mn),
                bound(Max, mx)
            ),
            "above max",
        );
    }
    if let (Some(dr), Some(mn)) = (default_request, min)
        && gt(mn, dr)
    {
        return problem(
            dr,
            format!(
                "{name} {} is greater than {}",
                bound(Min, mn),
                bound(DefaultRequest, dr)
            ),
            "below min",
        );
    }
    if let (Some(dr), Some(mx)) = (default_request, max)
        && gt(dr, mx)
    {
        return problem(
            dr,
            format!(
                "{name} {} is greater than {}",
                bound(DefaultRequest, dr),
                bound(Max, mx)
            ),
            "above max",
        );
    }
    if let (Some(dr), Some(df)) = (default_request, default)
        && gt(dr, df)
    {
        return problem(
            dr,
            format!(
                "{name} {} is greater than {}",
                bound(DefaultRequest, dr),
                bound(Default, df)
            ),
            "above the default limit",
        );
    }
    if let (Some(df), Some(mn)) = (default, min)
        && gt(mn, df)
    {
        return problem(
            df,
            format!(
                "{name} {} is greater than {}",
                bound(Min, mn),
                bound(Default, df)
            ),
            "below min",
        );
    }
    if let (Some(df), Some(mx)) = (default, max)
        && gt(df, mx)
    {
        return problem(
            df,
            format!(
                "{name} {} is greater than {}",
                bound(Default, df),
                bound(Max, mx)
            ),
            "above max",
        );
    }
    if let Some(r) = ratio {
        if r.quantity < Quantity::from_milli(1000, Format::DecimalSI) {
            return problem(
                r,
                format!(
                    "{name} maxLimitRequestRatio {} is less than 1",
                    r.quantity.original()
                ),
                "below 1",
            );
        }
        if let (Some(mn), Some(mx)) = (min, max) {
            // ValidateLimitRange compares in milli-units when they fit, as floats.
            let (ratio_v, min_v, max_v) = (
                value_of(&r.quantity),
                value_of(&mn.quantity),
                value_of(&mx.quantity),
            );
            let (ratio_f, min_f, max_f) = if ratio_v < MAX_MILLI_VALUE
                && min_v < MAX_MILLI_VALUE
                && max_v < MAX_MILLI_VALUE
            {
                (
                    milli_of(&r.quantity) as f64 / 1000.0,
                    milli_of(&mn.quantity) as f64,
                    milli_of(&mx.quantity) as f64,
                )
            } else {
                (ratio_v as f64, min_v as f64, max_v as f64)
            };
            let limit = max_f / min_f;
            if ratio_f > limit {
                return problem(
                    r,
                    format!(
                        "{name} maxLimitRequestRatio {} is greater than max/min = {limit:.6}",
                        r.quantity.original()
                    ),
                    "above max/min",
                );
            }
        }
    }
    if !is_overcommit_allowed(name)
        && let (Some(df), Some(dr)) = (default, default_request)
        && df.quantity != dr.quantity
    {
        return problem(
            dr,
            format!(
                "{name} {} must equal {}: {name} cannot be overcommitted",
                bound(DefaultRequest, dr),
                bound(Default, df)
            ),
            "differs from default",
        );
    }
    None
}

/// `Quantity.Value()` (rounded up), saturating.
fn value_of(q: &Quantity) -> i128 {
    q.value_ceil().map_or(
        if q.is_negative() {
            i128::from(i64::MIN)
        } else {
            i128::from(i64::MAX)
        },
        i128::from,
    )
}

/// `Quantity.MilliValue()` (rounded up), saturating.
fn milli_of(q: &Quantity) -> i128 {
    q.milli_value_ceil().map_or(
        if q.is_negative() {
            i128::from(i64::MIN)
        } else {
            i128::from(i64::MAX)
        },
        i128::from,
    )
}

/// How a LimitRange bound is broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ViolationKind {
    /// `min` needs a request.
    NoRequest,
    RequestBelowMin,
    LimitBelowMin,
    /// `max` needs a limit.
    NoLimit,
    LimitAboveMax,
    RequestAboveMax,
    /// `maxLimitRequestRatio` needs a non-zero request and a non-zero limit.
    RatioNeedsRequest,
    RatioNeedsLimit,
    /// The ratio as Kubernetes prints it (`%f`).
    RatioAbove(String),
}

/// A LimitRange constraint a container, pod or claim breaks (LimitRanger's `minConstraint`,
/// `maxConstraint`, `maxRequestConstraint`, `limitRequestRatioConstraint`).
#[derive(Debug, Clone)]
pub(crate) struct Violation {
    pub resource: String,
    pub field: LimitRangeField,
    pub bound: LimitValue,
    pub kind: ViolationKind,
}

impl Violation {
    /// The side whose value breaks the bound (or is missing).
    pub(crate) fn side(&self) -> Side {
        match self.kind {
            ViolationKind::NoRequest
            | ViolationKind::RequestBelowMin
            | ViolationKind::RequestAboveMax
            | ViolationKind::RatioNeedsRequest => Side::Requests,
            _ => Side::Limits,
        }
    }
}

/// `requestLimitEnforcedValues`: the values compared, in milli-units when all fit, else in
/// units (both rounded up). A missing value is 0, as Go's zero `Quantity`.
fn enforced_values(
    request: Option<&Quantity>,
    limit: Option<&Quantity>,
    enforced: &Quantity,
) -> (i128, i128, i128) {
    let units = |q: Option<&Quantity>| q.map_or(0, value_of);
    let (r, l, e) = (units(request), units(limit), value_of(enforced));
    if r <= MAX_MILLI_VALUE && l <= MAX_MILLI_VALUE && e <= MAX_MILLI_VALUE {
        let milli = |q: Option<&Quantity>| q.map_or(0, milli_of);
        (milli(request), milli(limit), milli_of(enforced))
    } else {
        (r, l, e)
    }
}

/// Checks requests and limits (a container's, or a pod's totals) against one item's `min`,
/// `max` and `maxLimitRequestRatio`, as `PodValidateLimitFunc` does.
pub(crate) fn check_item(
    item: &LimitRangeItem,
    requests: &BTreeMap<String, Quantity>,
    limits: &BTreeMap<String, Quantity>,
) -> Vec<Violation> {
    let mut out = Vec::new();
    let mut push = |name: &str, field: LimitRangeField, bound: &LimitValue, kind| {
        out.push(Violation {
            resource: name.to_string(),
            field,
            bound: bound.clone(),
            kind,
        });
    };
    for (name, bound) in item.field(LimitRangeField::Min) {
        let (req, lim) = (requests.get(name), limits.get(name));
        let (r, l, e) = enforced_values(req, lim, &bound.quantity);
        if req.is_none() {
            push(name, LimitRangeField::Min, bound, ViolationKind::NoRequest);
        } else if r < e {
            push(
                name,
                LimitRangeField::Min,
                bound,
                ViolationKind::RequestBelowMin,
            );
        } else if lim.is_some() && l < e {
            push(
                name,
                LimitRangeField::Min,
                bound,
                ViolationKind::LimitBelowMin,
            );
        }
    }
    for (name, bound) in item.field(LimitRangeField::Max) {
        let (req, lim) = (requests.get(name), limits.get(name));
        let (r, l, e) = enforced_values(req, lim, &bound.quantity);
        if lim.is_none() {
            push(name, LimitRangeField::Max, bound, ViolationKind::NoLimit);
        } else if l > e {
            push(
                name,
                LimitRangeField::Max,
                bound,
                ViolationKind::LimitAboveMax,
            );
        } else if req.is_some() && r > e {
            push(
                name,
                LimitRangeField::Max,
                bound,
                ViolationKind::RequestAboveMax,
            );
        }
    }
    for (name, bound) in item.field(LimitRangeField::MaxLimitRequestRatio) {
        let (req, lim) = (requests.get(name), limits.get(name));
        let (r, l, _) = enforced_values(req, lim, &bound.quantity);
        let field = LimitRangeField::MaxLimitRequestRatio;
        if req.is_none() || r == 0 {
            push(name, field, bound, ViolationKind::RatioNeedsRequest);
            continue;
        }
        if lim.is_none() || l == 0 {
            push(name, field, bound, ViolationKind::RatioNeedsLimit);
            continue;
        }
        // As Kubernetes computes it, in float64.
        let observed = l as f64 / r as f64;
        let enforced = value_of(&bound.quantity);
        let (observed_cmp, max) = if enforced <= MAX_MILLI_VALUE {
            (observed * 1000.0, milli_of(&bound.quantity) as f64)
        } else {
            (observed, enforced as f64)
        };
        if observed_cmp > max {
            push(
                name,
                field,
                bound,
                ViolationKind::RatioAbove(format!("{observed:.6}")),
            );
        }
    }
    out
}

/// `PersistentVolumeClaimValidateLimitFunc`: a claim's requests against a
/// `PersistentVolumeClaim` item (`min` with `minConstraint`, `max` with
/// `maxRequestConstraint`: claims have no limits that count).
pub(crate) fn check_claim(
    item: &LimitRangeItem,
    requests: &BTreeMap<String, Quantity>,
) -> Vec<Violation> {
    let mut out = Vec::new();
    for (name, bound) in item.field(LimitRangeField::Min) {
        let req = requests.get(name);
        let (r, _, e) = enforced_values(req, None, &bound.quantity);
        let kind = if req.is_none() {
            Some(ViolationKind::NoRequest)
        } else if r < e {
            Some(ViolationKind::RequestBelowMin)
        } else {
            None
        };
        if let Some(kind) = kind {
            out.push(Violation {
                resource: name.clone(),
                field: LimitRangeField::Min,
                bound: bound.clone(),
                kind,
            });
        }
    }
    for (name, bound) in item.field(LimitRangeField::Max) {
        let req = requests.get(name);
        let (r, _, e) = enforced_values(req, None, &bound.quantity);
        let kind = if req.is_none() {
            Some(ViolationKind::NoRequest)
        } else if r > e {
            Some(ViolationKind::RequestAboveMax)
        } else {
            None
        };
        if let Some(kind) = kind {
            out.push(Violation {
                resource: name.clone(),
                field: LimitRangeField::Max,
                bound: bound.clone(),
                kind,
            });
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Namespaces and the index
// ---------------------------------------------------------------------------------------

/// Which objects a namespaced policy object (LimitRange, ResourceQuota) governs.
///
/// With an explicit `metadata.namespace` it governs every object of that namespace in the
/// run. Without one it lands in the run's default namespace and governs objects of that
/// namespace in its own directory and below: a repository holding several projects applies
/// each folder on its own, and one example's LimitRange should not judge another's pods.
#[derive(Debug, Clone)]
pub struct NamespaceScope {
    pub namespace: String,
    pub explicit: bool,
    /// The directory of the source file (`""` for a file in the current directory, stdin).
    pub dir: String,
}

impl NamespaceScope {
    pub(crate) fn of(ws: &Workspace, object: &Object) -> NamespaceScope {
        let doc = ws.document(object);
        let explicit = doc
            .get_path(object.node, &["metadata", "namespace"])
            .and_then(|n| doc.str(n))
            .is_some();
        NamespaceScope {
            namespace: object.namespace.clone().unwrap_or_default(),
            explicit,
            dir: directory(&ws.source(object.file).path),
        }
    }

    /// True when this policy object governs `object`.
    pub fn covers(&self, ws: &Workspace, object: &Object) -> bool {
        if object.namespace.as_deref() != Some(self.namespace.as_str()) {
            return false;
        }
        if self.explicit || self.dir.is_empty() {
            return true;
        }
        let path = &ws.source(object.file).path;
        path.strip_prefix(self.dir.as_str())
            .is_some_and(|rest| rest.starts_with('/'))
    }
}

fn directory(path: &str) -> String {
    match path.rsplit_once('/') {
        Some((dir, _)) => dir.to_string(),
        None => String::new(),
    }
}

/// LimitRanges and ResourceQuotas of the run, read once.
#[derive(Debug, Default)]
pub struct ResourceIndex {
    /// Sorted by namespace, then name.
    pub limit_ranges: Vec<LimitRange>,
    /// Sorted by namespace, then name.
    pub quotas: Vec<ResourceQuota>,
}

impl ResourceIndex {
    fn build(ws: &Workspace) -> ResourceIndex {
        let core = |o: &Object, kind: &str| o.kind == kind && o.group.is_empty();
        let mut limit_ranges: Vec<LimitRange> = (0..ws.objects.len())
            .filter(|&id| ws.objects.get(id).is_some_and(|o| core(o, "LimitRange")))
            .filter_map(|id| LimitRange::read(ws, id))
            .collect();
        limit_ranges.sort_by(|a, b| {
            (&a.scope.namespace, &a.name, a.object).cmp(&(&b.scope.namespace, &b.name, b.object))
        });
        let mut quotas: Vec<ResourceQuota> = (0..ws.objects.len())
            .filter(|&id| ws.objects.get(id).is_some_and(|o| core(o, "ResourceQuota")))
            .filter_map(|id| ResourceQuota::read(ws, id))
            .collect();
        quotas.sort_by(|a, b| {
            (&a.scope.namespace, &a.name, a.object).cmp(&(&b.scope.namespace, &b.name, b.object))
        });
        ResourceIndex {
            limit_ranges,
            quotas,
        }
    }

    /// The valid LimitRanges governing `object`, with their index, in name order. The list is
    /// sorted by namespace, so only the object's namespace is looked at.
    pub fn limit_ranges_for<'a>(
        &'a self,
        ws: &'a Workspace,
        object: &'a Object,
    ) -> impl Iterator<Item = (usize, &'a LimitRange)> + 'a {
        let range = namespace_range(&self.limit_ranges, |lr| &lr.scope, object);
        self.limit_ranges
            .get(range.clone())
            .unwrap_or_default()
            .iter()
            .zip(range)
            .map(|(lr, i)| (i, lr))
            .filter(move |(_, lr)| lr.is_valid() && lr.scope.covers(ws, object))
    }

    /// The ResourceQuotas governing `object` (the API server accepted them), in name order.
    pub fn quotas_for<'a>(
        &'a self,
        ws: &'a Workspace,
        object: &'a Object,
    ) -> impl Iterator<Item = &'a ResourceQuota> + 'a {
        let range = namespace_range(&self.quotas, |q| &q.scope, object);
        self.quotas
            .get(range)
            .unwrap_or_default()
            .iter()
            .filter(move |q| q.is_valid() && q.scope.covers(ws, object))
    }
}

/// The index range of `items` (sorted by namespace) in `object`'s namespace.
fn namespace_range<T>(
    items: &[T],
    scope: impl Fn(&T) -> &NamespaceScope,
    object: &Object,
) -> std::ops::Range<usize> {
    let Some(ns) = object.namespace.as_deref() else {
        return 0..0;
    };
    let start = items.partition_point(|i| scope(i).namespace.as_str() < ns);
    let end = items.partition_point(|i| scope(i).namespace.as_str() <= ns);
    start..end
}

impl Workspace {
    /// The run's LimitRanges and ResourceQuotas, read on first use.
    pub fn resource_index(&self) -> &ResourceIndex {
        self.resource_index
            .get_or_init(|| ResourceIndex::build(self))
    }
}

/// The cell the workspace keeps the index in.
pub(crate) type ResourceIndexCell = OnceLock<ResourceIndex>;

// ---------------------------------------------------------------------------------------
// Claims
// ---------------------------------------------------------------------------------------

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

#[cfg(test)]
mod tests;
