//! ResourceQuotas and what they do to pods at admission: which quotas match a pod (`scopes`
//! and `scopeSelector`), which container requests and limits a quota makes mandatory, and
//! how much of a quota a pod uses.
//!
//! Port of kubernetes/kubernetes `pkg/quota/v1/evaluator/core/pods.go` (`Constraints`,
//! `enforcePodContainerConstraints`, `podComputeUsageHelper`, `PodUsageFunc`,
//! `podMatchesScopeFunc`, `MatchingResources`) and `staging/src/k8s.io/apiserver/pkg/quota/
//! v1/generic/evaluator.go` (`Matches`: the quota tracks a pod resource and every scope
//! matches).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use super::effective::{ContainerResources, PodResources};
use super::qos::QosClass;
use super::quantity::{Quantity, QuantityFormat};
use super::resource_values::{ListKind, ResourceList, Side};
use super::scope::{NamespaceScope, namespace_range};
use super::{Object, ObjectId, PodSpecRef, Workspace};
use crate::finding::FileId;
use crate::load::scalar::ScalarValue;
use crate::load::{Document, NodeId};

/// `podResources`: the resource names the pod evaluator tracks (besides `hugepages-*`,
/// `requests.hugepages-*` and extended `requests.*` names).
const POD_RESOURCES: &[&str] = &[
    "count/pods",
    "cpu",
    "memory",
    "ephemeral-storage",
    "requests.cpu",
    "requests.memory",
    "requests.ephemeral-storage",
    "limits.cpu",
    "limits.memory",
    "limits.ephemeral-storage",
    "pods",
];

/// `validationSet`: "if we quota cpu or memory, then each container must make an explicit
/// request for the resource. this was a mistake."
const VALIDATION_SET: &[&str] = &[
    "cpu",
    "memory",
    "requests.cpu",
    "requests.memory",
    "limits.cpu",
    "limits.memory",
];

/// One `scopes` entry or `scopeSelector.matchExpressions` item.
#[derive(Debug, Clone)]
pub struct ScopeRequirement {
    pub scope: String,
    pub operator: String,
    pub values: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ResourceQuota {
    pub object: ObjectId,
    pub name: String,
    pub file: FileId,
    pub scope: NamespaceScope,
    pub hard: ResourceList,
    pub scopes: Vec<ScopeRequirement>,
}

impl ResourceQuota {
    pub(super) fn read(ws: &Workspace, id: ObjectId) -> Option<ResourceQuota> {
        let object = ws.objects.get(id)?;
        let doc = ws.document(object);
        let spec = doc.get(object.node, "spec");
        let hard = spec
            .map(|s| ResourceList::read(doc, s, "hard", ListKind::NonNegative))
            .unwrap_or_default();
        let mut scopes = Vec::new();
        if let Some(s) = spec {
            for scope in doc.get(s, "scopes").map(|l| doc.items(l)).unwrap_or(&[]) {
                if let Some(name) = doc.str(*scope) {
                    scopes.push(ScopeRequirement {
                        scope: name.to_string(),
                        operator: "Exists".into(),
                        values: Vec::new(),
                    });
                }
            }
            let expressions = doc
                .get_path(s, &["scopeSelector", "matchExpressions"])
                .map(|l| doc.items(l))
                .unwrap_or(&[]);
            for e in expressions {
                scopes.push(ScopeRequirement {
                    scope: doc.get_str(*e, "scopeName").unwrap_or_default().to_string(),
                    operator: doc.get_str(*e, "operator").unwrap_or_default().to_string(),
                    values: doc
                        .get(*e, "values")
                        .map(|v| doc.items(v))
                        .unwrap_or(&[])
                        .iter()
                        .filter_map(|v| doc.str(*v).map(str::to_string))
                        .collect(),
                });
            }
        }
        Some(ResourceQuota {
            object: id,
            name: object.name.clone().unwrap_or_default(),
            file: object.file,
            scope: NamespaceScope::of(ws, object),
            hard,
            scopes,
        })
    }

    /// The API server accepts it (its `hard` values are valid quantities).
    pub fn is_valid(&self) -> bool {
        !self.hard.has_invalid()
    }

    /// `MatchingResources`: the `hard` names the pod evaluator tracks.
    pub fn pod_resources(&self) -> Vec<&str> {
        self.hard
            .entries
            .iter()
            .map(|e| e.name.as_str())
            .filter(|name| tracks_pod_resource(name))
            .collect()
    }

    /// `Matches`: the quota tracks a pod resource and every scope matches the pod.
    pub fn matches(&self, pod: &PodFacts) -> bool {
        !self.pod_resources().is_empty() && self.scopes.iter().all(|s| pod.matches_scope(s))
    }

    /// `Constraints`: the resources every container and init container must set
    /// (after defaults), in name order.
    pub fn required_container_resources(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self
            .pod_resources()
            .into_iter()
            .filter(|n| VALIDATION_SET.contains(n))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// True for names the pod evaluator's `MatchingResources` keeps.
pub(crate) fn tracks_pod_resource(name: &str) -> bool {
    POD_RESOURCES.contains(&name)
        || name.starts_with("hugepages-")
        || name.starts_with("requests.hugepages-")
        || name
            .strip_prefix("requests.")
            .is_some_and(|rest| rest.contains('/') && !rest.contains("kubernetes.io/"))
}

/// What a quota's scopes look at in a pod.
#[derive(Debug, Clone)]
pub struct PodFacts {
    pub qos: QosClass,
    pub priority_class: Option<String>,
    pub active_deadline_seconds: Option<i64>,
    pub cross_namespace_affinity: bool,
}

impl PodFacts {
    pub fn of(ws: &Workspace, pod: &PodSpecRef, qos: QosClass) -> PodFacts {
        let Some(object) = ws.objects.get(pod.object) else {
            return PodFacts {
                qos,
                priority_class: None,
                active_deadline_seconds: None,
                cross_namespace_affinity: false,
            };
        };
        let doc = ws.document(object);
        let spec = pod.node;
        let active_deadline_seconds = doc
            .get(spec, "activeDeadlineSeconds")
            .and_then(|n| doc.scalar(n))
            .and_then(|s| match s.value() {
                ScalarValue::Int(i) => Some(i),
                _ => None,
            });
        PodFacts {
            qos,
            priority_class: doc
                .get_str(spec, "priorityClassName")
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            active_deadline_seconds,
            cross_namespace_affinity: cross_namespace_affinity(doc, spec),
        }
    }

    /// `podMatchesScopeFunc`.
    pub fn matches_scope(&self, s: &ScopeRequirement) -> bool {
        let terminating = self.active_deadline_seconds.is_some_and(|d| d >= 0);
        match s.scope.as_str() {
            "Terminating" => terminating,
            "NotTerminating" => !terminating,
            "BestEffort" => self.qos == QosClass::BestEffort,
            "NotBestEffort" => self.qos != QosClass::BestEffort,
            "PriorityClass" => {
                let class = self.priority_class.as_deref();
                match s.operator.as_str() {
                    "Exists" => class.is_some(),
                    "DoesNotExist" => class.is_none(),
                    "In" => class.is_some_and(|c| s.values.iter().any(|v| v == c)),
                    "NotIn" => class.is_none_or(|c| !s.values.iter().any(|v| v == c)),
                    _ => false,
                }
            }
            "CrossNamespacePodAffinity" => self.cross_namespace_affinity,
            _ => false,
        }
    }
}

/// `usesCrossNamespacePodAffinity`: an affinity or anti-affinity term naming namespaces or
/// selecting them.
fn cross_namespace_affinity(doc: &Document, spec: NodeId) -> bool {
    let cross = |term: NodeId| {
        doc.get(term, "namespaces")
            .is_some_and(|n| !doc.items(n).is_empty())
            || doc
                .get(term, "namespaceSelector")
                .is_some_and(|n| doc.is_mapping(n))
    };
    ["podAffinity", "podAntiAffinity"].iter().any(|kind| {
        let Some(affinity) = doc.get_path(spec, &["affinity", kind]) else {
            return false;
        };
        let required = doc
            .get(affinity, "requiredDuringSchedulingIgnoredDuringExecution")
            .map(|l| doc.items(l))
            .unwrap_or(&[]);
        let preferred = doc
            .get(affinity, "preferredDuringSchedulingIgnoredDuringExecution")
            .map(|l| doc.items(l))
            .unwrap_or(&[]);
        required.iter().any(|t| cross(*t))
            || preferred
                .iter()
                .filter_map(|w| doc.get(*w, "podAffinityTerm"))
                .any(cross)
    })
}

/// `podComputeUsageHelper` names for one container: what it sets, as quota names.
pub(crate) fn container_usage_names(c: &ContainerResources) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (side, prefix) in [(Side::Requests, "requests."), (Side::Limits, "limits.")] {
        for name in c.effective(side).keys() {
            if side == Side::Requests && matches!(name.as_str(), "cpu" | "memory") {
                out.insert(name.clone());
            }
            out.insert(format!("{prefix}{name}"));
        }
    }
    out
}

/// A pod's quota usage (`PodUsageFunc`): `pods` and `count/pods`, and from its total requests
/// and limits `cpu`/`requests.cpu`, `limits.cpu`, the same for memory and ephemeral storage,
/// hugepages and extended resources (`requests.nvidia.com/gpu`).
pub(crate) fn pod_usage(pod: &PodResources) -> BTreeMap<String, Quantity> {
    let mut usage = BTreeMap::new();
    let one = Quantity::from_milli(1000, QuantityFormat::DecimalSI);
    usage.insert("pods".to_string(), one.clone());
    usage.insert("count/pods".to_string(), one);
    let requests = pod.totals(Side::Requests);
    let limits = pod.totals(Side::Limits);
    for name in ["cpu", "memory", "ephemeral-storage"] {
        if let Some(q) = requests.get(name) {
            usage.insert(name.to_string(), q.clone());
            usage.insert(format!("requests.{name}"), q.clone());
        }
        if let Some(q) = limits.get(name) {
            usage.insert(format!("limits.{name}"), q.clone());
        }
    }
    for (name, q) in &requests {
        if name.starts_with("hugepages-") {
            usage.insert(name.clone(), q.clone());
            usage.insert(format!("requests.{name}"), q.clone());
        }
        if super::resource_values::is_extended_resource(name) {
            usage.insert(format!("requests.{name}"), q.clone());
        }
    }
    usage
}

/// How many pods of a pod spec run at once, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PodCount {
    pub count: u64,
    /// "3 replicas", "parallelism 4", "1 pod per node (at least 1)".
    pub why: String,
}

/// Pods a workload runs at once: `replicas` (default 1), a Job's `parallelism` (default 1,
/// at most `completions`), a CronJob's one Job, a DaemonSet's pod on each node (counted
/// once: the node count is unknown), 1 for a Pod, 0 for a PodTemplate. In a custom resource,
/// the `replicas` beside the pod template (Kubeflow `PyTorchJob`, TensorStack training
/// jobs), else 1.
pub(crate) fn pod_count(ws: &Workspace, pod: &PodSpecRef) -> PodCount {
    let Some(object) = ws.objects.get(pod.object) else {
        return PodCount {
            count: 0,
            why: String::new(),
        };
    };
    let doc = ws.document(object);
    let int_at = |node: Option<NodeId>| -> Option<i64> {
        let s = doc.scalar(node?)?;
        match s.value() {
            ScalarValue::Int(i) => Some(i),
            _ => None,
        }
    };
    let replicas = |parent: Option<NodeId>, what: &str| -> PodCount {
        match int_at(parent.and_then(|p| doc.get(p, "replicas"))) {
            Some(n) => PodCount {
                count: n.max(0).unsigned_abs(),
                why: format!("{n} {what}"),
            },
            None => PodCount {
                count: 1,
                why: format!("1 {what} (the default)"),
            },
        }
    };
    let job = |job_spec: Option<NodeId>| -> PodCount {
        let parallelism = int_at(job_spec.and_then(|s| doc.get(s, "parallelism")));
        let completions = int_at(job_spec.and_then(|s| doc.get(s, "completions")));
        let p = parallelism.unwrap_or(1).max(0);
        let n = completions.map_or(p, |c| p.min(c.max(0)));
        PodCount {
            count: n.unsigned_abs(),
            why: match (parallelism, completions) {
                (Some(_), Some(c)) if c < p => format!("{n} completions"),
                (Some(_), _) => format!("parallelism {n}"),
                (None, _) => format!("{n} pod (parallelism defaults to 1)"),
            },
        }
    };
    let spec = doc.get(object.node, "spec");
    if !pod.structural {
        return match object.kind.as_str() {
            "Pod" => PodCount {
                count: 1,
                why: "1 pod".into(),
            },
            "Deployment" | "ReplicaSet" | "StatefulSet" | "ReplicationController" => {
                replicas(spec, "replicas")
            }
            "DaemonSet" => PodCount {
                count: 1,
                why: "1 pod per node (counted once)".into(),
            },
            "Job" => job(spec),
            "CronJob" => job(spec.and_then(|s| doc.get_path(s, &["jobTemplate", "spec"]))),
            _ => PodCount {
                count: 0,
                why: "a template runs no pods".into(),
            },
        };
    }
    // A custom resource: the mapping that holds `template:` may say `replicas:`.
    let parent = pod
        .path
        .strip_suffix(".template.spec")
        .and_then(|p| resolve_path(doc, object.node, p));
    match parent.and_then(|p| int_at(doc.get(p, "replicas"))) {
        Some(n) => PodCount {
            count: n.max(0).unsigned_abs(),
            why: format!("{n} replicas"),
        },
        None => PodCount {
            count: 1,
            why: "1 pod (no replica count found)".into(),
        },
    }
}

/// Follows a path written as [`PodSpecRef::path`] (`spec.replicaSpecs[0]`).
fn resolve_path(doc: &Document, root: NodeId, path: &str) -> Option<NodeId> {
    let mut node = root;
    for part in path.split('.') {
        let (key, indices) = match part.find('[') {
            Some(i) => part.split_at_checked(i).unwrap_or((part, "")),
            None => (part, ""),
        };
        if !key.is_empty() {
            node = doc.get(node, key)?;
        }
        for index in indices.split('[').filter(|s| !s.is_empty()) {
            let i: usize = index.strip_suffix(']')?.parse().ok()?;
            node = *doc.items(node).get(i)?;
        }
    }
    Some(node)
}

/// The ResourceQuotas of the run, read once.
#[derive(Debug, Default)]
pub struct QuotaIndex {
    /// Sorted by namespace, then name.
    pub quotas: Vec<ResourceQuota>,
}

impl QuotaIndex {
    fn build(ws: &Workspace) -> QuotaIndex {
        let core = |o: &Object, kind: &str| o.kind == kind && o.group.is_empty();
        let mut quotas: Vec<ResourceQuota> = (0..ws.objects.len())
            .filter(|&id| ws.objects.get(id).is_some_and(|o| core(o, "ResourceQuota")))
            .filter_map(|id| ResourceQuota::read(ws, id))
            .collect();
        quotas.sort_by(|a, b| {
            (&a.scope.namespace, &a.name, a.object).cmp(&(&b.scope.namespace, &b.name, b.object))
        });
        QuotaIndex { quotas }
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

impl Workspace {
    /// The run's ResourceQuotas, read on first use.
    pub fn quota_index(&self) -> &QuotaIndex {
        self.quota_index.get_or_init(|| QuotaIndex::build(self))
    }
}

/// The cell the workspace keeps the index in.
pub(crate) type QuotaIndexCell = OnceLock<QuotaIndex>;
