//! Label selectors and the pod templates they select: what `metav1.LabelSelectorAsSelector`
//! (apimachinery `pkg/apis/meta/v1/helpers.go`) and `labels.Selector.Matches`
//! (`pkg/labels/selector.go`) decide, over the pod templates the repository defines.
//!
//! Several cross-object rules need the same facts (which templates a Service or a
//! PodDisruptionBudget selects, how many pods a workload expects, which HPA scales it): they are
//! computed once per run in [`WorkloadIndex`] ([`super::Workspace::workload_index`]).

use std::collections::{BTreeMap, HashMap};

use super::{Object, ObjectId, Workspace};
use crate::load::scalar::ScalarValue;
use crate::load::{Document, NodeId, NodeKind};

/// Labels as a pod (or pod template) carries them.
pub(crate) type Labels = BTreeMap<String, String>;

/// A label selector operator (`LabelSelectorOperator`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

/// One requirement: `key op values`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Requirement {
    pub(crate) key: String,
    pub(crate) op: Operator,
    pub(crate) values: Vec<String>,
}

impl Requirement {
    /// True when a pod without this label satisfies the requirement (`NotIn`, `DoesNotExist`).
    pub(crate) fn matches_absent(&self) -> bool {
        matches!(self.op, Operator::NotIn | Operator::DoesNotExist)
    }

    /// `Requirement.Matches`: `In` needs the label with one of the values, `NotIn` is true when
    /// the label is absent or has none of them, `Exists`/`DoesNotExist` look at the key only.
    fn matches(&self, labels: &Labels) -> bool {
        let value = labels.get(&self.key);
        match self.op {
            Operator::In => value.is_some_and(|v| self.values.contains(v)),
            Operator::NotIn => value.is_none_or(|v| !self.values.contains(v)),
            Operator::Exists => value.is_some(),
            Operator::DoesNotExist => value.is_none(),
        }
    }
}

/// A parsed selector. No requirement at all is `labels.Everything()` (an empty
/// `LabelSelector`, `{}`); a missing selector (`nil`, `labels.Nothing()`) is not a `Selector`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Selector {
    pub(crate) requirements: Vec<Requirement>,
}

/// Scalar text as the API server would read a label key or value (a string; numbers and
/// booleans written unquoted are kept as written, `null` is empty).
fn label_text(doc: &Document, node: NodeId) -> Option<String> {
    let scalar = doc.scalar(node)?;
    Some(match scalar.value() {
        ScalarValue::Null => String::new(),
        _ => scalar.text.to_string(),
    })
}

/// A `map[string]string` (labels, a Service or ReplicationController selector). `None` when
/// the node is not a mapping of scalars (a template placeholder, a typo): nothing is known.
pub(crate) fn read_string_map(doc: &Document, node: NodeId) -> Option<Labels> {
    match doc.kind(node) {
        NodeKind::Mapping(entries) => {
            let mut out = Labels::new();
            for entry in entries {
                out.insert(label_text(doc, entry.key)?, label_text(doc, entry.value)?);
            }
            Some(out)
        }
        // `labels:` with nothing after it.
        NodeKind::Scalar(s) if matches!(s.value(), ScalarValue::Null) => Some(Labels::new()),
        _ => None,
    }
}

impl Selector {
    /// `labels.SelectorFromSet`: every key must have exactly that value.
    pub(crate) fn from_set(set: &Labels) -> Selector {
        Selector {
            requirements: set
                .iter()
                .map(|(k, v)| Requirement {
                    key: k.clone(),
                    op: Operator::In,
                    values: vec![v.clone()],
                })
                .collect(),
        }
    }

    /// `metav1.LabelSelectorAsSelector` of a `LabelSelector` node (`matchLabels` and
    /// `matchExpressions`). An error is an invalid selector (unknown operator, `In` without
    /// values, `Exists` with values): the API server rejects the object, and schema or
    /// validation rules say so, so callers stay quiet.
    pub(crate) fn from_label_selector(doc: &Document, node: NodeId) -> Result<Selector, String> {
        let mut requirements = Vec::new();
        match doc.kind(node) {
            NodeKind::Mapping(_) => {}
            NodeKind::Scalar(s) if matches!(s.value(), ScalarValue::Null) => {
                return Ok(Selector::default());
            }
            _ => return Err("the selector is not a mapping".into()),
        }
        if let Some(match_labels) = doc.get(node, "matchLabels") {
            let set = read_string_map(doc, match_labels)
                .ok_or("`matchLabels` is not a mapping of strings")?;
            requirements.extend(Selector::from_set(&set).requirements);
        }
        if let Some(expressions) = doc.get(node, "matchExpressions") {
            if !doc.is_sequence(expressions) && doc.str(expressions).is_some()
                || doc.is_mapping(expressions)
            {
                return Err("`matchExpressions` is not a list".into());
            }
            for expression in doc.items(expressions) {
                let key = doc
                    .get(*expression, "key")
                    .and_then(|k| label_text(doc, k))
                    .ok_or("a `matchExpressions` item has no `key`")?;
                let op = match doc.get_str(*expression, "operator") {
                    Some("In") => Operator::In,
                    Some("NotIn") => Operator::NotIn,
                    Some("Exists") => Operator::Exists,
                    Some("DoesNotExist") => Operator::DoesNotExist,
                    other => {
                        return Err(format!(
                            "`{}` is not a valid selector operator",
                            other.unwrap_or("")
                        ));
                    }
                };
                let values: Vec<String> = match doc.get(*expression, "values") {
                    Some(list) => {
                        let items = doc.items(list);
                        let mut values = Vec::with_capacity(items.len());
                        for item in items {
                            values.push(label_text(doc, *item).ok_or("a value is not a string")?);
                        }
                        values
                    }
                    None => Vec::new(),
                };
                // `labels.NewRequirement`: set operators need values, existence ones none.
                let valid = match op {
                    Operator::In | Operator::NotIn => !values.is_empty(),
                    Operator::Exists | Operator::DoesNotExist => values.is_empty(),
                };
                if !valid {
                    return Err(format!("invalid values for operator on `{key}`"));
                }
                requirements.push(Requirement { key, op, values });
            }
        }
        Ok(Selector { requirements })
    }

    /// `labels.Everything()`: no requirement.
    pub(crate) fn is_empty(&self) -> bool {
        self.requirements.is_empty()
    }

    /// `Selector.Matches`: every requirement holds.
    pub(crate) fn matches(&self, labels: &Labels) -> bool {
        self.requirements.iter().all(|r| r.matches(labels))
    }

    /// Like [`Selector::matches`], but a requirement on a label that `added` says a controller
    /// adds to the pods (`pod-template-hash`, `statefulset.kubernetes.io/pod-name`, ...) and the
    /// template does not carry is taken as satisfied: the value is only known in the cluster.
    pub(crate) fn matches_pods_of(&self, labels: &Labels, added: impl Fn(&str) -> bool) -> bool {
        self.requirements
            .iter()
            .all(|r| r.matches(labels) || !labels.contains_key(&r.key) && added(&r.key))
    }

    /// The selector written back as `key=value, key in (a,b)` for messages.
    pub(crate) fn describe(&self) -> String {
        if self.requirements.is_empty() {
            return "everything".into();
        }
        let parts: Vec<String> = self
            .requirements
            .iter()
            .map(|r| match r.op {
                Operator::In if r.values.len() == 1 => {
                    format!("{}={}", r.key, r.values.first().map_or("", |v| v.as_str()))
                }
                Operator::In => format!("{} in ({})", r.key, r.values.join(",")),
                Operator::NotIn => format!("{} notin ({})", r.key, r.values.join(",")),
                Operator::Exists => r.key.clone(),
                Operator::DoesNotExist => format!("!{}", r.key),
            })
            .collect();
        parts.join(", ")
    }
}

/// Labels the controllers add to the pods they create, beside the template's: the Deployment
/// controller's `pod-template-hash`, the StatefulSet controller's pod name and index, the
/// DaemonSet and StatefulSet `controller-revision-hash`, the Job controller's `job-name` and
/// `controller-uid` (and their `batch.kubernetes.io/` forms).
pub(crate) fn is_controller_added_label(key: &str) -> bool {
    matches!(
        key,
        "pod-template-hash"
            | "controller-revision-hash"
            | "pod-template-generation"
            | "statefulset.kubernetes.io/pod-name"
            | "apps.kubernetes.io/pod-index"
            | "job-name"
            | "controller-uid"
            | "batch.kubernetes.io/job-name"
            | "batch.kubernetes.io/controller-uid"
            | "batch.kubernetes.io/job-completion-index"
    )
}

/// Walks a pod spec's dotted path (`spec.template.spec`, `spec.replicaSpecs.Worker.template.spec`,
/// `spec.jobs[0].template.spec`) from the object root, stopping before the last step: the
/// mapping that holds the pod spec (a pod template, or the Pod itself).
fn template_of(doc: &Document, root: NodeId, path: &str) -> Option<NodeId> {
    let mut steps: Vec<Step<'_>> = Vec::new();
    for segment in path.split('.') {
        let (key, mut rest) = match segment.split_once('[') {
            Some((key, rest)) => (key, Some(rest)),
            None => (segment, None),
        };
        if !key.is_empty() {
            steps.push(Step::Key(key));
        }
        while let Some(r) = rest {
            let (index, after) = r.split_once(']')?;
            steps.push(Step::Index(index.parse().ok()?));
            rest = after.strip_prefix('[');
        }
    }
    steps.pop()?;
    let mut node = root;
    for step in steps {
        node = match step {
            Step::Key(key) => doc.get(node, key)?,
            Step::Index(i) => *doc.items(node).get(i)?,
        };
    }
    Some(node)
}

enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// A pod template (or a Pod) the repository defines.
#[derive(Debug, Clone)]
pub(crate) struct PodTemplate {
    pub(crate) object: ObjectId,
    /// Index in [`Workspace::pod_specs`].
    pub(crate) pod_spec: usize,
    /// The template's labels; `None` when they cannot be read (a placeholder).
    pub(crate) labels: Option<Labels>,
}

/// Workloads, their pod templates per namespace, and the HPAs that scale them.
#[derive(Debug, Default)]
pub(crate) struct WorkloadIndex {
    /// Pod templates per namespace, in object order.
    templates: HashMap<String, Vec<PodTemplate>>,
    /// `minReplicas` of the HPA scaling (namespace, kind, name), when the repository has one.
    hpa_min_replicas: HashMap<(String, String, String), Option<u64>>,
    /// Pod specs (object, path) whose pods a Service of their namespace selects, or whose
    /// labels cannot be read (they may be selected).
    served: std::collections::HashSet<(ObjectId, String)>,
}

impl WorkloadIndex {
    pub(crate) fn build(ws: &Workspace) -> WorkloadIndex {
        let mut index = WorkloadIndex::default();
        for (i, pod) in ws.pod_specs.iter().enumerate() {
            let Some(object) = ws.objects.get(pod.object) else {
                continue;
            };
            let Some(namespace) = &object.namespace else {
                continue;
            };
            let doc = ws.document(object);
            let labels = template_of(doc, object.node, &pod.path).and_then(|t| {
                match doc.get_path(t, &["metadata", "labels"]) {
                    Some(l) => read_string_map(doc, l),
                    None => Some(Labels::new()),
                }
            });
            index
                .templates
                .entry(namespace.clone())
                .or_default()
                .push(PodTemplate {
                    object: pod.object,
                    pod_spec: i,
                    labels,
                });
        }
        for object in &ws.objects {
            let Some(selector) = service_selector(ws, object) else {
                continue;
            };
            let Some(namespace) = object.namespace.as_deref() else {
                continue;
            };
            let served: Vec<(ObjectId, String)> = index
                .selected(namespace, &selector)
                .filter_map(|t| ws.pod_specs.get(t.pod_spec))
                .map(|pod| (pod.object, pod.path.clone()))
                .collect();
            index.served.extend(served);
        }
        for object in &ws.objects {
            if object.kind != "HorizontalPodAutoscaler" || object.group != "autoscaling" {
                continue;
            }
            let Some(namespace) = &object.namespace else {
                continue;
            };
            let doc = ws.document(object);
            let Some(spec) = doc.get(object.node, "spec") else {
                continue;
            };
            let Some(target) = doc.get(spec, "scaleTargetRef") else {
                continue;
            };
            let (Some(kind), Some(name)) =
                (doc.get_str(target, "kind"), doc.get_str(target, "name"))
            else {
                continue;
            };
            // `minReplicas` defaults to 1 (`SetDefaults_HorizontalPodAutoscaler`).
            let min = match doc.get(spec, "minReplicas") {
                None => Some(1),
                Some(n) => read_count(doc, n),
            };
            index
                .hpa_min_replicas
                .insert((namespace.clone(), kind.to_string(), name.to_string()), min);
        }
        index
    }

    /// Whether a Service in the repository selects this pod spec's pods (or might: its labels
    /// cannot be read).
    pub(crate) fn is_served(&self, object: ObjectId, path: &str) -> bool {
        self.served.contains(&(object, path.to_string()))
    }

    /// The pod templates of a namespace.
    pub(crate) fn templates_in(&self, namespace: &str) -> &[PodTemplate] {
        self.templates.get(namespace).map_or(&[], Vec::as_slice)
    }

    /// True when the repository defines pod templates of `namespace` next to `path`: in its
    /// folder or below it. A Service or PodDisruptionBudget with no workload of its namespace
    /// near it is for pods deployed from elsewhere (another repository, a chart, an operator),
    /// as the real-world corpus shows (test data beside unrelated install manifests).
    pub(crate) fn has_templates_near(&self, ws: &Workspace, namespace: &str, path: &str) -> bool {
        let folder = folder_of(path);
        self.templates_in(namespace).iter().any(|t| {
            ws.objects
                .get(t.object)
                .is_some_and(|o| is_within(folder_of(&ws.source(o.file).path), folder))
        })
    }

    /// The templates of a namespace whose pods `selector` selects (labels the controllers add
    /// count as matching, see [`Selector::matches_pods_of`]); templates with unreadable labels
    /// count as selected, so callers never report what they cannot know.
    pub(crate) fn selected<'a>(
        &'a self,
        namespace: &str,
        selector: &'a Selector,
    ) -> impl Iterator<Item = &'a PodTemplate> + 'a {
        self.templates_in(namespace).iter().filter(move |t| {
            t.labels
                .as_ref()
                .is_none_or(|l| selector.matches_pods_of(l, is_controller_added_label))
        })
    }

    /// `minReplicas` of the HPA in the repository that scales this workload: `Some(None)` when
    /// an HPA scales it with an unreadable `minReplicas`.
    pub(crate) fn hpa_min_replicas(
        &self,
        namespace: &str,
        kind: &str,
        name: &str,
    ) -> Option<Option<u64>> {
        self.hpa_min_replicas
            .get(&(namespace.to_string(), kind.to_string(), name.to_string()))
            .copied()
    }
}

fn folder_of(path: &str) -> &str {
    std::path::Path::new(path)
        .parent()
        .and_then(|p| p.to_str())
        .unwrap_or("")
}

/// `folder` is `root` or below it.
fn is_within(folder: &str, root: &str) -> bool {
    root.is_empty()
        || folder == root
        || folder
            .strip_prefix(root)
            .is_some_and(|rest| rest.starts_with('/') || rest.starts_with('\\'))
}

/// True when a file in `path`'s folder (or below it) was skipped as a Helm or Go template: the
/// pods a Service or PodDisruptionBudget there selects may be defined in it.
pub(crate) fn template_skipped_near(ws: &Workspace, path: &str) -> bool {
    let folder = folder_of(path);
    ws.files.iter().any(|f| {
        f.documents.is_empty()
            && f.dockerfile().is_none()
            && f.source.text.contains("{{")
            && is_within(folder_of(&f.source.path), folder)
    })
}

/// A non-negative integer (`replicas: 3`); `None` for anything else.
pub(crate) fn read_count(doc: &Document, node: NodeId) -> Option<u64> {
    match doc.scalar(node)?.value() {
        ScalarValue::Int(n) => u64::try_from(n).ok(),
        _ => None,
    }
}

/// How many pods a workload runs when nothing scales it: a Pod is one, a
/// Deployment/ReplicaSet/StatefulSet/ReplicationController runs `spec.replicas` (defaulted to 1
/// when omitted). `None` when it cannot be known offline (a DaemonSet runs one per node, a Job
/// `parallelism` at most, a custom resource whatever its operator decides).
pub(crate) fn replicas_of(ws: &Workspace, object: ObjectId) -> Option<u64> {
    let object = ws.objects.get(object)?;
    if !super::is_builtin_group(&object.group) {
        return None;
    }
    let doc = ws.document(object);
    match object.kind.as_str() {
        "Pod" => Some(1),
        "Deployment" | "ReplicaSet" | "StatefulSet" | "ReplicationController" => {
            match doc.get_path(object.node, &["spec", "replicas"]) {
                None => Some(1),
                Some(n) if doc.str(n).is_none() => Some(1),
                Some(n) => read_count(doc, n),
            }
        }
        _ => None,
    }
}

/// The pod selector of a Service that selects pods: not `ExternalName`, with a non-empty
/// `selector` (without one the endpoints are managed by hand or by another controller:
/// `if service.Spec.Selector == nil` in the EndpointSlice controller).
pub(crate) fn service_selector(ws: &Workspace, object: &Object) -> Option<Selector> {
    if object.kind != "Service" || !object.group.is_empty() {
        return None;
    }
    let doc = ws.document(object);
    let spec = doc.get(object.node, "spec")?;
    if doc.get_str(spec, "type") == Some("ExternalName") {
        return None;
    }
    let set = read_string_map(doc, doc.get(spec, "selector")?)?;
    (!set.is_empty()).then(|| Selector::from_set(&set))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::parse_yaml;

    fn selector(yaml: &str) -> Result<Selector, String> {
        let loaded = parse_yaml(yaml);
        let doc = loaded.documents.first().expect("one document");
        Selector::from_label_selector(doc, doc.root)
    }

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    // Cases ported from apimachinery's `TestLabelSelectorAsSelector` and
    // `pkg/labels/selector_test.go` (`TestRequirementMatches`-style expectations).
    #[test]
    fn match_labels_need_every_pair() {
        let s = selector("matchLabels: {app: web, tier: front}").expect("valid");
        assert!(s.matches(&labels(&[("app", "web"), ("tier", "front"), ("x", "y")])));
        assert!(!s.matches(&labels(&[("app", "web")])));
        assert!(!s.matches(&labels(&[("app", "web"), ("tier", "back")])));
    }

    #[test]
    fn expressions_follow_requirement_semantics() {
        let s = selector(
            "matchExpressions:\n- {key: env, operator: In, values: [prod, staging]}\n- {key: canary, operator: DoesNotExist}\n- {key: team, operator: Exists}\n- {key: zone, operator: NotIn, values: [a]}",
        )
        .expect("valid");
        assert!(s.matches(&labels(&[("env", "prod"), ("team", "x")])));
        assert!(s.matches(&labels(&[("env", "staging"), ("team", "x"), ("zone", "b")])));
        assert!(!s.matches(&labels(&[("env", "dev"), ("team", "x")])));
        assert!(!s.matches(&labels(&[("env", "prod"), ("team", "x"), ("canary", "1")])));
        assert!(!s.matches(&labels(&[("env", "prod")])));
        assert!(!s.matches(&labels(&[("env", "prod"), ("team", "x"), ("zone", "a")])));
    }

    #[test]
    fn empty_selector_selects_everything() {
        let s = selector("{}").expect("valid");
        assert!(s.is_empty());
        assert!(s.matches(&Labels::new()));
    }

    #[test]
    fn invalid_selectors_are_errors() {
        assert!(selector("matchExpressions: [{key: a, operator: Equals, values: [b]}]").is_err());
        assert!(selector("matchExpressions: [{key: a, operator: In}]").is_err());
        assert!(selector("matchExpressions: [{key: a, operator: Exists, values: [b]}]").is_err());
    }

    #[test]
    fn unquoted_numbers_are_label_text() {
        let s = selector("matchLabels: {version: 2}").expect("valid");
        assert!(s.matches(&labels(&[("version", "2")])));
    }

    #[test]
    fn controller_added_labels_count_as_matching() {
        let s = selector("matchLabels: {app: db, statefulset.kubernetes.io/pod-name: db-0}")
            .expect("valid");
        assert!(!s.matches(&labels(&[("app", "db")])));
        assert!(s.matches_pods_of(&labels(&[("app", "db")]), is_controller_added_label));
        assert!(!s.matches_pods_of(&labels(&[("app", "web")]), is_controller_added_label));
    }

    #[test]
    fn template_paths_resolve_to_the_holder() {
        let loaded = parse_yaml(
            "spec:\n  jobs:\n  - template:\n      metadata: {labels: {a: b}}\n      spec: {}\n",
        );
        let doc = loaded.documents.first().expect("one document");
        let holder = template_of(doc, doc.root, "spec.jobs[0].template.spec").expect("found");
        assert!(doc.get(holder, "metadata").is_some());
        assert_eq!(template_of(doc, doc.root, "spec"), Some(doc.root));
    }
}
