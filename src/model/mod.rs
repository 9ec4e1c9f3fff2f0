//! The workspace: the typed view of everything loaded. Objects are indexed by
//! (group, kind, namespace, name); every pod spec (in built-in workloads and, found
//! structurally, in custom resources) is listed once, with its containers.

pub(crate) mod claims;
pub(crate) mod crd;
pub(crate) mod effective;
pub(crate) mod kinds;
pub(crate) mod limitrange;
pub(crate) mod names;
pub(crate) mod pod_security;
pub(crate) mod podspec;
pub(crate) mod probes;
pub(crate) mod qos;
pub(crate) mod quantity;
pub(crate) mod quota;
pub(crate) mod resource_values;
pub(crate) mod scope;
pub(crate) mod secret_index;
pub(crate) mod selector;

use std::collections::{HashMap, HashSet};
use std::sync::{LazyLock, OnceLock};

use rayon::prelude::*;

use crate::finding::{FileId, ObjectIdentity};
use crate::kube_version::KubeVersion;
use crate::load::{Document, NodeId};
use crate::source::{SourceFile, Span};
pub(crate) use podspec::{ContainerKind, ContainerRef, PodSpecRef};
pub(crate) use secret_index::SecretIndex;

pub(crate) use crate::load::file::LoadedFile;

pub(crate) type ObjectId = usize;

/// A Kubernetes object: a document (or a `kind: List` item) with `apiVersion` and `kind`.
#[derive(Debug, Clone)]
pub struct Object {
    pub file: FileId,
    pub document: usize,
    pub node: NodeId,
    pub api_version: String,
    pub kind: String,
    /// The API group (`apps`, `batch`; empty for the core group).
    pub group: String,
    pub name: Option<String>,
    /// Resolved namespace: `metadata.namespace`, else the run's default; `None` for
    /// cluster-scoped kinds.
    pub namespace: Option<String>,
    /// Span of the `kind` key, where findings about the whole object point.
    pub kind_span: Span,
}

impl Object {
    pub fn identity(&self) -> ObjectIdentity {
        ObjectIdentity {
            api_version: self.api_version.clone(),
            kind: self.kind.clone(),
            name: self.name.clone(),
            namespace: self.namespace.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ObjectKey {
    pub group: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

/// Options that change how objects are understood.
#[derive(Debug, Clone)]
pub struct WorkspaceOptions {
    /// Namespace for namespaced objects without `metadata.namespace` (kubectl's `default`).
    pub default_namespace: String,
    /// Target Kubernetes version (`--kube-version`, else the config's `kube-version`); `None`:
    /// the newest one whose schemas are embedded.
    pub kube_version: Option<KubeVersion>,
    /// Report custom resources that no CustomResourceDefinition in the run describes.
    pub strict_crds: bool,
}

impl Default for WorkspaceOptions {
    fn default() -> Self {
        WorkspaceOptions {
            default_namespace: "default".to_string(),
            kube_version: None,
            strict_crds: false,
        }
    }
}

impl WorkspaceOptions {
    /// The Kubernetes version the run targets.
    pub fn kube_version(&self) -> KubeVersion {
        self.kube_version
            .unwrap_or_else(crate::schema::newest_version)
    }
}

#[derive(Debug, Default)]
pub struct Workspace {
    pub files: Vec<LoadedFile>,
    pub objects: Vec<Object>,
    pub pod_specs: Vec<PodSpecRef>,
    /// The options the workspace was built with (rules read the target version here).
    pub options: WorkspaceOptions,
    index: HashMap<ObjectKey, ObjectId>,
    secret_index: OnceLock<SecretIndex>,
    /// LimitRanges, read on first use ([`Workspace::limit_range_index`]).
    limit_range_index: limitrange::LimitRangeIndexCell,
    /// ResourceQuotas, read on first use ([`Workspace::quota_index`]).
    quota_index: quota::QuotaIndexCell,
    /// The effective resources of each of `pod_specs` (same index), computed on first use
    /// ([`Workspace::pod_resources_of`]) and shared by the resource rules.
    pod_resources: Vec<OnceLock<effective::PodResources>>,
    /// Pod templates per namespace and the HPAs scaling workloads, built on first use
    /// ([`Workspace::workload_index`]).
    workload_index: OnceLock<selector::WorkloadIndex>,
}

/// Built-in kinds that are not namespaced (`kubectl api-resources --namespaced=false`).
const CLUSTER_SCOPED_KINDS: &[&str] = &[
    "APIService",
    "CertificateSigningRequest",
    "ClusterRole",
    "ClusterRoleBinding",
    "ComponentStatus",
    "CSIDriver",
    "CSINode",
    "CustomResourceDefinition",
    "FlowSchema",
    "IngressClass",
    "MutatingAdmissionPolicy",
    "MutatingAdmissionPolicyBinding",
    "MutatingWebhookConfiguration",
    "Namespace",
    "Node",
    "PersistentVolume",
    "PodSecurityPolicy",
    "PriorityClass",
    "PriorityLevelConfiguration",
    "RuntimeClass",
    "StorageClass",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "ValidatingWebhookConfiguration",
    "VolumeAttachment",
];

impl Workspace {
    pub fn new(files: Vec<LoadedFile>, options: &WorkspaceOptions) -> Workspace {
        let mut ws = Workspace {
            files,
            options: options.clone(),
            ..Workspace::default()
        };
        // Each file's objects are found in parallel; the CustomResourceDefinitions among them
        // say which custom kinds are cluster-scoped; then each thread builds the objects of
        // a run of files and indexes them in a partial index of its own, and the partial
        // indexes are merged in file order (the first object with a key keeps it).
        let found: Vec<Vec<RawObject>> = ws
            .files
            .par_iter()
            .enumerate()
            .map(|(file_id, file)| {
                let mut found = Vec::new();
                for (doc_index, doc) in file.documents.iter().enumerate() {
                    collect_objects(file_id, doc_index, doc, &mut found);
                }
                found
            })
            .collect();
        let cluster_scoped_crds = cluster_scoped_custom_kinds(&ws.files, found.iter().flatten());
        let files = &ws.files;
        let indexed = found
            .into_par_iter()
            .fold(PartialIndex::default, |mut part, raws| {
                for raw in raws {
                    part.add(files, options, &cluster_scoped_crds, raw);
                }
                part
            })
            .reduce(PartialIndex::default, PartialIndex::merge);
        ws.objects = indexed.objects;
        // Kept for the whole run: no growth slack.
        ws.objects.shrink_to_fit();
        ws.index = indexed.index;
        // In parallel (the structural search walks every node of custom resources); collect
        // keeps the objects' order, so `pod_specs` stays ordered by object.
        let pod_specs: Vec<PodSpecRef> = ws
            .objects
            .par_iter()
            .enumerate()
            .flat_map_iter(|(object_id, object)| {
                let mut found = Vec::new();
                podspec::find_pod_specs(object_id, object, ws.document(object), &mut found);
                found
            })
            .collect();
        ws.pod_resources = pod_specs.iter().map(|_| OnceLock::new()).collect();
        ws.pod_specs = pod_specs;
        ws
    }

    pub fn document(&self, object: &Object) -> &Document {
        // Objects are built from these files' documents; an empty document is never read.
        static EMPTY: LazyLock<Document> = LazyLock::new(Document::default);
        self.files
            .get(object.file)
            .and_then(|file| file.documents.get(object.document))
            .unwrap_or(&EMPTY)
    }

    /// The pod specs inside one object (`pod_specs` is ordered by object).
    pub fn pod_specs_of(&self, object: ObjectId) -> &[PodSpecRef] {
        self.pod_specs
            .get(self.pod_spec_range(object))
            .unwrap_or_default()
    }

    fn pod_spec_range(&self, object: ObjectId) -> std::ops::Range<usize> {
        let start = self.pod_specs.partition_point(|p| p.object < object);
        let end = self.pod_specs.partition_point(|p| p.object <= object);
        start..end
    }

    /// The pod specs inside one object with their effective resources for the run's target
    /// version ([`effective::pod_resources`]), each computed once per run: six resource rules
    /// and the quota check read them (computing them per rule was a quarter of a run on the
    /// benchmark corpus).
    pub fn pod_resources_of(
        &self,
        object: ObjectId,
    ) -> impl Iterator<Item = (&PodSpecRef, &effective::PodResources)> + '_ {
        self.pod_spec_range(object)
            .filter_map(|i| Some((self.pod_specs.get(i)?, self.pod_resources_at(i)?)))
    }

    /// The effective resources of `pod_specs[index]` (see [`Workspace::pod_resources_of`]).
    /// `None` only for an index past `pod_specs`.
    pub fn pod_resources_at(&self, index: usize) -> Option<&effective::PodResources> {
        let spec = self.pod_specs.get(index)?;
        Some(
            self.pod_resources
                .get(index)?
                .get_or_init(|| effective::pod_resources(self, spec, self.options.kube_version())),
        )
    }

    pub fn source(&self, file: FileId) -> &SourceFile {
        // File ids are positions in `files`; an empty source is never read.
        static EMPTY: LazyLock<SourceFile> = LazyLock::new(|| SourceFile::new("", ""));
        self.files.get(file).map_or(&EMPTY, |file| &file.source)
    }

    /// The Secrets and ConfigMaps the repository defines, per namespace (built on first use).
    pub fn secret_index(&self) -> &SecretIndex {
        self.secret_index.get_or_init(|| SecretIndex::build(self))
    }

    /// Pod templates per namespace with their labels, and the HPAs scaling workloads (built on
    /// first use; shared by the selector rules).
    pub(crate) fn workload_index(&self) -> &selector::WorkloadIndex {
        self.workload_index
            .get_or_init(|| selector::WorkloadIndex::build(self))
    }

    pub fn lookup(&self, key: &ObjectKey) -> Option<&Object> {
        self.index.get(key).and_then(|id| self.objects.get(*id))
    }

    /// Objects of a kind (any group) in a namespace.
    pub fn objects_of_kind<'a>(
        &'a self,
        kind: &'a str,
        namespace: Option<&'a str>,
    ) -> impl Iterator<Item = &'a Object> + 'a {
        self.objects
            .iter()
            .filter(move |o| o.kind == kind && o.namespace.as_deref() == namespace)
    }
}

/// The core group, `apps`-style groups without a dot, and `*.k8s.io` groups are Kubernetes'
/// own; anything else is a custom resource.
pub(crate) fn is_builtin_group(group: &str) -> bool {
    !group.contains('.') || group.ends_with(".k8s.io")
}

/// The objects of a run of files and their index (ids local to the run), built on one thread
/// ([`Workspace::new`]).
#[derive(Default)]
struct PartialIndex {
    objects: Vec<Object>,
    index: HashMap<ObjectKey, ObjectId>,
}

impl PartialIndex {
    /// Types `raw` (its group, name and resolved namespace) and indexes it, unless an earlier
    /// object of the run holds its key.
    fn add(
        &mut self,
        files: &[LoadedFile],
        options: &WorkspaceOptions,
        cluster_scoped_crds: &HashSet<(String, String)>,
        raw: RawObject,
    ) {
        let Some(file) = files.get(raw.file) else {
            return;
        };
        let Some(doc) = file.documents.get(raw.document) else {
            return;
        };
        let group = raw
            .api_version
            .rsplit_once('/')
            .map(|(g, _)| g.to_string())
            .unwrap_or_default();
        let metadata = doc.get(raw.node, "metadata");
        let name = metadata
            .and_then(|m| doc.get_str(m, "name"))
            .map(str::to_string);
        let cluster_scoped = is_builtin_group(&group)
            && CLUSTER_SCOPED_KINDS.contains(&raw.kind.as_str())
            || cluster_scoped_crds.contains(&(group.clone(), raw.kind.clone()));
        let namespace = if cluster_scoped {
            None
        } else {
            Some(
                metadata
                    .and_then(|m| doc.get_str(m, "namespace"))
                    .map(str::to_string)
                    .or_else(|| file.default_namespace.clone())
                    .unwrap_or_else(|| options.default_namespace.clone()),
            )
        };
        let id = self.objects.len();
        if let Some(name) = &name {
            self.index
                .entry(ObjectKey {
                    group: group.clone(),
                    kind: raw.kind.clone(),
                    namespace: namespace.clone(),
                    name: name.clone(),
                })
                .or_insert(id);
        }
        self.objects.push(Object {
            file: raw.file,
            document: raw.document,
            node: raw.node,
            api_version: raw.api_version,
            kind: raw.kind,
            group,
            name,
            namespace,
            kind_span: raw.kind_span,
        });
    }

    /// `left`'s objects, then `right`'s: ids of `right` move past `left`'s, and a key both
    /// index stays `left`'s (the earlier object). The smaller index is poured into the larger.
    fn merge(mut left: PartialIndex, mut right: PartialIndex) -> PartialIndex {
        let offset = left.objects.len();
        if left.index.len() >= right.index.len() {
            for (key, id) in right.index {
                left.index.entry(key).or_insert(id + offset);
            }
        } else {
            for id in right.index.values_mut() {
                *id += offset;
            }
            right.index.extend(left.index);
            left.index = right.index;
        }
        left.objects.append(&mut right.objects);
        left
    }
}

struct RawObject {
    file: FileId,
    document: usize,
    node: NodeId,
    api_version: String,
    kind: String,
    kind_span: Span,
}

/// A document is an object when its root mapping has string `apiVersion` and `kind`;
/// `kind: List` contributes each of its `items` instead.
fn collect_objects(file: FileId, document: usize, doc: &Document, out: &mut Vec<RawObject>) {
    let Some(raw) = raw_object(file, document, doc, doc.root) else {
        return;
    };
    if raw.kind == "List" || raw.kind.ends_with("List") && doc.get(doc.root, "items").is_some() {
        if let Some(items) = doc.get(doc.root, "items") {
            for item in doc.items(items) {
                if let Some(obj) = raw_object(file, document, doc, *item) {
                    out.push(obj);
                }
            }
        }
        return;
    }
    out.push(raw);
}

fn raw_object(file: FileId, document: usize, doc: &Document, node: NodeId) -> Option<RawObject> {
    let api_version = doc.get_str(node, "apiVersion")?;
    let kind_entry = doc.entry(node, "kind")?;
    let kind = doc.str(kind_entry.value)?;
    if api_version.is_empty() || kind.is_empty() {
        return None;
    }
    Some(RawObject {
        file,
        document,
        node,
        api_version: api_version.to_string(),
        kind: kind.to_string(),
        kind_span: doc.span(kind_entry.key),
    })
}

/// (group, kind) of custom resources whose CustomResourceDefinition in the tree says
/// `scope: Cluster`.
fn cluster_scoped_custom_kinds<'a>(
    files: &[LoadedFile],
    objects: impl Iterator<Item = &'a RawObject>,
) -> HashSet<(String, String)> {
    let mut kinds = HashSet::new();
    for raw in objects.filter(|o| o.kind == "CustomResourceDefinition") {
        let Some(doc) = files
            .get(raw.file)
            .and_then(|file| file.documents.get(raw.document))
        else {
            continue;
        };
        let Some(spec) = doc.get(raw.node, "spec") else {
            continue;
        };
        if doc.get_str(spec, "scope") != Some("Cluster") {
            continue;
        }
        if let (Some(group), Some(kind)) = (
            doc.get_str(spec, "group"),
            doc.get_path(spec, &["names", "kind"])
                .and_then(|k| doc.str(k)),
        ) {
            kinds.insert((group.to_string(), kind.to_string()));
        }
    }
    kinds
}

#[cfg(test)]
mod index_tests {
    use super::*;

    fn key(name: &str) -> ObjectKey {
        ObjectKey {
            group: String::new(),
            kind: "ConfigMap".to_string(),
            namespace: Some("default".to_string()),
            name: name.to_string(),
        }
    }

    /// The index is merged from partial indexes built on several threads: objects stay in
    /// file order, and a key two files hold is the first file's, however the files are
    /// split between threads.
    #[test]
    fn the_first_object_with_a_key_keeps_it_however_the_files_are_split() {
        let files = || -> Vec<LoadedFile> {
            (0..300)
                .map(|i| {
                    let text = format!(
                        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\n---\n\
                         apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: own-{i}\n"
                    );
                    let documents = crate::load::parse_yaml(&text).documents;
                    LoadedFile::manifest(
                        SourceFile::new(format!("f{i:03}.yaml"), text.as_str()),
                        documents,
                    )
                })
                .collect()
        };
        for threads in [1, 2, 3, 8] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let ws = pool.install(|| Workspace::new(files(), &WorkspaceOptions::default()));
            assert_eq!(ws.objects.len(), 600);
            assert!(
                ws.objects
                    .windows(2)
                    .all(|w| (w[0].file, w[0].document) < (w[1].file, w[1].document)),
                "{threads} threads: objects out of file order"
            );
            assert_eq!(ws.lookup(&key("shared")).map(|o| o.file), Some(0));
            for i in 0..300 {
                let own = ws.lookup(&key(&format!("own-{i}"))).unwrap();
                assert_eq!((own.file, own.document), (i, 1), "{threads} threads");
            }
        }
    }
}
