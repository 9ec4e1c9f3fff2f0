//! LimitRanges: their own defaulting, their validation, how the LimitRanger admission plugin
//! checks pods and claims against them, and the run's index of them.
//!
//! Kubernetes sources (kubernetes/kubernetes), ported here and nowhere else:
//! - `pkg/apis/core/v1/defaults.go`: `SetDefaults_LimitRangeItem` (`default` <- `max`, then
//!   `defaultRequest` <- `default`, then `defaultRequest` <- `min`, for `Container` items).
//! - `plugin/pkg/admission/limitranger/admission.go`: `defaultContainerResourceRequirements`
//!   (what a LimitRange fills in; [`super::effective`] applies it), `PodValidateLimitFunc`
//!   (`minConstraint`, `maxConstraint`, `limitRequestRatioConstraint` over containers and
//!   init containers, and over pod totals), `PersistentVolumeClaimValidateLimitFunc`.
//! - `pkg/apis/core/validation/validation.go`: `ValidateLimitRange`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use super::resource_values::{
    ListKind, ResourceList, STORAGE, Side, first_line, is_overcommit_allowed,
};
use super::scope::{NamespaceScope, namespace_range};
use super::{Object, ObjectId, Workspace};
use crate::finding::FileId;
use crate::model::quantity::{Quantity, QuantityFormat};
use crate::source::Span;

/// `resource.MaxMilliValue`: the largest value whose milli-value fits in an int64.
const MAX_MILLI_VALUE: i128 = (i64::MAX / 1000) as i128;

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
        if r.quantity < Quantity::from_milli(1000, QuantityFormat::DecimalSI) {
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

/// The LimitRanges of the run, read once.
#[derive(Debug, Default)]
pub struct LimitRangeIndex {
    /// Sorted by namespace, then name.
    pub limit_ranges: Vec<LimitRange>,
}

impl LimitRangeIndex {
    fn build(ws: &Workspace) -> LimitRangeIndex {
        let core = |o: &Object, kind: &str| o.kind == kind && o.group.is_empty();
        let mut limit_ranges: Vec<LimitRange> = (0..ws.objects.len())
            .filter(|&id| ws.objects.get(id).is_some_and(|o| core(o, "LimitRange")))
            .filter_map(|id| LimitRange::read(ws, id))
            .collect();
        limit_ranges.sort_by(|a, b| {
            (&a.scope.namespace, &a.name, a.object).cmp(&(&b.scope.namespace, &b.name, b.object))
        });
        LimitRangeIndex { limit_ranges }
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
}

impl Workspace {
    /// The run's LimitRanges, read on first use.
    pub fn limit_range_index(&self) -> &LimitRangeIndex {
        self.limit_range_index
            .get_or_init(|| LimitRangeIndex::build(self))
    }
}

/// The cell the workspace keeps the index in.
pub(crate) type LimitRangeIndexCell = OnceLock<LimitRangeIndex>;

#[cfg(test)]
mod tests;
