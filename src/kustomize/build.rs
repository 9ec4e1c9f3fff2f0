//! The kustomize build: a kustomization root's resources, generators, components and
//! transformers, in the order kustomize 5.5 runs them (api/internal/target/kusttarget.go).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::fieldspec::{self, Config, FieldSpec, Gvk};
use super::value::{Kind, Node, Origin, from_document};
use super::{hash, smp};
use crate::source::Span;

pub(crate) const KUSTOMIZATION_FILES: [&str; 3] =
    ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// A build failure, located in the kustomization file that caused it.
#[derive(Debug, Clone)]
pub struct KustError {
    pub file: PathBuf,
    pub span: Option<Span>,
    pub message: String,
}

/// Something the build skipped but reports (a remote resource, `helmCharts`).
#[derive(Debug, Clone)]
pub struct Note {
    pub file: PathBuf,
    pub span: Option<Span>,
    pub message: String,
}

/// One built object.
#[derive(Debug, Clone)]
pub struct Resource {
    pub obj: Node,
    /// The file the object was read from (or the kustomization that generated it).
    pub source: Arc<str>,
    prev: Vec<(String, String, String)>,
    prefixes: Vec<String>,
    suffixes: Vec<String>,
    needs_hash: bool,
    behavior: String,
}

impl Resource {
    fn new(obj: Node, source: Arc<str>) -> Resource {
        Resource {
            obj,
            source,
            prev: Vec::new(),
            prefixes: Vec::new(),
            suffixes: Vec::new(),
            needs_hash: false,
            behavior: String::new(),
        }
    }
    fn name(&self) -> String {
        self.obj
            .get_path(&["metadata", "name"])
            .and_then(Node::as_str)
            .unwrap_or_default()
            .to_string()
    }
    fn namespace(&self) -> String {
        self.obj
            .get_path(&["metadata", "namespace"])
            .and_then(Node::as_str)
            .unwrap_or_default()
            .to_string()
    }
    fn gvk(&self) -> Gvk {
        Gvk::of(&self.obj)
    }
    fn api_version(&self) -> &str {
        self.obj.get_str("apiVersion").unwrap_or_default()
    }
    fn cluster_scoped(&self) -> bool {
        super::openapi::table().is_cluster_scoped(self.api_version(), &self.gvk().kind)
    }
    fn effective_ns(&self) -> String {
        let ns = self.namespace();
        if ns.is_empty() { "default".into() } else { ns }
    }
    fn store_previous_id(&mut self) {
        let ns = self.effective_ns();
        self.prev.push((self.gvk().kind, self.name(), ns));
    }
    fn set_name(&mut self, name: String, origin: Option<Origin>) {
        if let Some(meta) = self.obj.ensure_map("metadata", None) {
            meta.set("name", Node::string(name, origin));
        }
    }
    /// `Kind.version.group/name.namespace` as kustomize prints a resource id.
    pub fn id(&self) -> String {
        let g = self.gvk();
        let mut s = g.kind.clone();
        if !g.version.is_empty() {
            s.push('.');
            s.push_str(&g.version);
        }
        if !g.group.is_empty() {
            s.push('.');
            s.push_str(&g.group);
        }
        let ns = self.namespace();
        format!(
            "{s}/{}.{}",
            self.name(),
            if ns.is_empty() { "[noNs]" } else { &ns }
        )
    }
    fn matches_id(&self, gvk: &Gvk, name: &str, ns: &str) -> bool {
        let mine = self.gvk();
        gvk.selects(&mine)
            && (self.name() == name
                || self
                    .prev
                    .iter()
                    .any(|(k, n, _)| n == name && *k == mine.kind))
            && (ns.is_empty()
                || self.namespace() == ns
                || self.prev.iter().any(|(_, _, p)| p == ns))
    }
}

/// The result of building a root.
#[derive(Debug, Default)]
pub struct Built {
    pub resources: Vec<Resource>,
    pub notes: Vec<Note>,
    /// Every file the build read (kustomizations, resources, patches, components, generator
    /// inputs), canonical, sorted, once each: the files a change to which changes the output.
    pub files: Vec<PathBuf>,
}

thread_local! {
    /// The files read by the kustomization being built on this thread (see [`build_dir`]).
    static READS: std::cell::RefCell<Vec<PathBuf>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn note_read(path: &Path) {
    READS.with(|reads| reads.borrow_mut().push(path.to_path_buf()));
}

#[derive(Debug, Clone)]
struct Acc {
    resources: Vec<Resource>,
    /// Shared until a kustomization changes it (most use the defaults unchanged).
    config: Arc<Config>,
    notes: Vec<Note>,
    vars: Vec<super::replace::Var>,
    /// The top kustomization file and its `sortOptions`.
    top: Option<(PathBuf, Option<Node>)>,
    /// The files read so far (see [`Built::files`]).
    reads: Vec<PathBuf>,
    /// The kustomization is a Component.
    component: bool,
    /// This kustomization's own `sortOptions` (used when it is the top).
    own_sort: Option<Node>,
}

fn err(file: &Path, span: Option<Span>, message: impl Into<String>) -> KustError {
    KustError {
        file: file.to_path_buf(),
        span,
        message: message.into(),
    }
}

fn span_of(n: Option<&Node>) -> Option<Span> {
    n.and_then(|n| n.origin.as_ref()).map(|o| o.span)
}

/// Finds the kustomization file of a directory.
pub fn kustomization_file(dir: &Path) -> Option<PathBuf> {
    KUSTOMIZATION_FILES
        .iter()
        .map(|f| dir.join(f))
        .find(|p| p.is_file())
}

/// Builds the kustomization in `dir` as `kubectl kustomize dir` does.
pub fn build(dir: &Path) -> Result<Built, KustError> {
    Builder::default().build(dir)
}

/// Kustomizations built successfully, by canonical directory, shared by the threads that build
/// roots. A result is inserted only once its build has finished (a panic mid-build leaves
/// nothing behind), so any entry is whole. Two threads reaching the same base at once may both
/// build it; the results are equal and the first stays. A success does not depend on who
/// includes the base (a cycle through a base fails it from every side), so it can be shared.
#[derive(Default)]
struct SharedCache {
    map: std::sync::Mutex<std::collections::HashMap<PathBuf, Arc<Acc>>>,
}

impl SharedCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<PathBuf, Arc<Acc>>> {
        // A thread that panicked while holding the lock left the map whole (inserts are
        // single operations): carry on with it.
        self.map
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The cache one root's build sees: the shared successes, and this root's own failures. A
/// failure's message can depend on the path that reached the base (where a cycle closes), so
/// it is kept for this root only, as `kubectl kustomize ROOT` would find it; cached within the
/// root, a failing base reached by many paths is still built once.
struct Cache<'a> {
    shared: &'a SharedCache,
    failed: std::cell::RefCell<std::collections::HashMap<PathBuf, KustError>>,
}

impl Cache<'_> {
    /// The cached result (a success is copied outside the lock).
    fn get(&self, key: &Path) -> Option<Result<Acc, KustError>> {
        if let Some(e) = self.failed.borrow().get(key) {
            return Some(Err(e.clone()));
        }
        let shared = self.shared.lock().get(key).cloned()?;
        Some(Ok(shared.as_ref().clone()))
    }

    fn insert(&self, key: PathBuf, built: Result<Acc, KustError>) {
        match built {
            Ok(acc) => {
                self.shared
                    .lock()
                    .entry(key)
                    .or_insert_with(|| Arc::new(acc));
            }
            Err(e) => {
                self.failed.borrow_mut().entry(key).or_insert(e);
            }
        }
    }
}

/// Builds several roots, building each kustomization they include once (a base shared by
/// many overlays is read and built once per run, by whichever thread reaches it first).
#[derive(Default)]
pub struct Builder {
    cache: SharedCache,
}

impl Builder {
    pub fn build(&self, dir: &Path) -> Result<Built, KustError> {
        let mut stack = Vec::new();
        let cache = Cache {
            shared: &self.cache,
            failed: std::cell::RefCell::default(),
        };
        // A root that another root has already built as its base takes that accumulation
        // (before the top-level steps) from the cache. A root's own accumulation is not cached:
        // most roots are no one's base, and a copy of each root's whole tree held until every
        // build is done was most of the build stage's memory (massif, `-j2`: the peak of the
        // run). A root that is also a base is then built once more at most, as a base.
        let key = canonical(dir);
        let cached = match cache.get(&key) {
            Some(Ok(acc)) if !acc.component => Some(acc),
            _ => None,
        };
        let mut acc = match cached {
            Some(acc) => acc,
            None => build_dir(dir, &mut stack, None, &cache)?,
        };
        let kfile = kustomization_file(dir).unwrap_or_else(|| dir.to_path_buf());
        acc.top = Some((kfile, acc.own_sort.clone()));
        finish(&mut acc)?;
        let mut files = acc.reads;
        files.sort();
        files.dedup();
        Ok(Built {
            resources: acc.resources,
            notes: acc.notes,
            files,
        })
    }
}

/// Go's `filepath.Clean` (which kustomize's loader applies to every joined path): `.` and `..`
/// resolved lexically.
pub(crate) fn clean(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                let last_normal =
                    matches!(out.components().next_back(), Some(Component::Normal(_)));
                if last_normal {
                    out.pop();
                } else if !matches!(out.components().next_back(), Some(Component::RootDir)) {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

fn canonical(p: &Path) -> PathBuf {
    p.canonicalize().unwrap_or_else(|_| p.to_path_buf())
}

/// Reads a file of the kustomization rooted at `root`, refusing any file outside the root
/// (kustomize's default LoadRestrictionsRootOnly).
fn read_in_root(
    root: &Path,
    kfile: &Path,
    rel: &str,
    span: Option<Span>,
) -> Result<(PathBuf, String), KustError> {
    let path = root.join(rel);
    let canon = path
        .canonicalize()
        .map_err(|e| err(kfile, span, format!("'{rel}' cannot be read: {e}")))?;
    if !canon.starts_with(canonical(root)) {
        return Err(err(
            kfile,
            span,
            format!(
                "security; file '{rel}' is not in or below the kustomization's directory (kustomize's default load restrictions, LoadRestrictionsRootOnly, allow a kustomization to read only files under its own directory)"
            ),
        ));
    }
    note_read(&canon);
    let bytes = std::fs::read(&canon)
        .map_err(|e| err(kfile, span, format!("'{rel}' cannot be read: {e}")))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| err(kfile, span, format!("'{rel}' is not UTF-8 text")))?;
    Ok((canon, text))
}

fn parse_docs(text: &str, file: &Arc<str>) -> Result<Vec<Node>, String> {
    parse_yaml_docs(text, file, true)
}

/// A kustomization itself may repeat a key (kustomize decodes it leniently; the later value
/// wins); resources and patches may not.
fn parse_yaml_docs(text: &str, file: &Arc<str>, strict: bool) -> Result<Vec<Node>, String> {
    let loaded = crate::load::parse_yaml(text);
    if let Some(p) = loaded.problems.first()
        && loaded.failed
    {
        return Err(format!("invalid YAML: {}", p.message));
    }
    // go-yaml v3, which kustomize reads with, rejects a key defined twice in one mapping.
    if let Some(p) = loaded
        .problems
        .iter()
        .find(|p| strict && p.kind == crate::load::ProblemKind::DuplicateKey)
    {
        return Err(format!("invalid YAML: {}", p.message));
    }
    Ok(loaded
        .documents
        .iter()
        .map(|d| from_document(d, file))
        .collect())
}

const KNOWN_FIELDS: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "resources",
    "bases",
    "components",
    "namespace",
    "namePrefix",
    "nameSuffix",
    "commonLabels",
    "labels",
    "commonAnnotations",
    "images",
    "replicas",
    "configMapGenerator",
    "secretGenerator",
    "generatorOptions",
    "patches",
    "patchesStrategicMerge",
    "patchesJson6902",
    "replacements",
    "vars",
    "crds",
    "configurations",
    "sortOptions",
    "helmCharts",
    "helmGlobals",
    "helmChartInflationGenerator",
    "generators",
    "transformers",
    "validators",
    "openapi",
    "buildMetadata",
    "imageTags",
];

/// Field names of kustomize's Kustomization types below the top level.
const NESTED_FIELDS: &[&str] = &[
    "name",
    "newName",
    "newTag",
    "digest",
    "path",
    "patch",
    "target",
    "options",
    "group",
    "version",
    "kind",
    "namespace",
    "labelSelector",
    "annotationSelector",
    "allowNameChange",
    "allowKindChange",
    "literals",
    "files",
    "envs",
    "env",
    "behavior",
    "type",
    "disableNameSuffixHash",
    "immutable",
    "labels",
    "annotations",
    "pairs",
    "includeSelectors",
    "includeTemplates",
    "fields",
    "count",
    "source",
    "targets",
    "select",
    "reject",
    "fieldPaths",
    "fieldPath",
    "delimiter",
    "index",
    "create",
    "objref",
    "fieldref",
    "apiVersion",
    "order",
    "legacySortOptions",
    "orderFirst",
    "orderLast",
];

/// Go's encoding/json (which kustomize decodes a kustomization with) matches field names
/// case-insensitively: `nameprefix` is `namePrefix`. Maps of user keys (labels, annotations)
/// are left alone.
fn fold_keys(k: &mut Node) {
    fn fold(node: &mut Node, known: &[&str], top: bool) {
        let Some(map) = node.as_map_mut() else { return };
        for (key, value) in map.iter_mut() {
            if let Some(canon) = known.iter().find(|f| f.eq_ignore_ascii_case(key)) {
                *key = (*canon).to_string();
            }
            let user_map = matches!(
                key.as_str(),
                "commonLabels"
                    | "commonAnnotations"
                    | "pairs"
                    | "labels"
                    | "annotations"
                    | "metadata"
            ) && value.as_map().is_some();
            if user_map {
                continue;
            }
            let _ = top;
            match &mut value.kind {
                Kind::Seq(items) => items.iter_mut().for_each(|i| fold(i, NESTED_FIELDS, false)),
                Kind::Map(_) => fold(value, NESTED_FIELDS, false),
                Kind::Scalar(_) => {}
            }
        }
    }
    fold(k, KNOWN_FIELDS, true);
}

fn is_remote(s: &str) -> bool {
    s.contains("://")
        || s.starts_with("github.com/")
        || s.starts_with("gitlab.com/")
        || s.starts_with("bitbucket.org/")
        || s.starts_with("git@")
        || s.starts_with("git::")
}

fn strs(n: Option<&Node>) -> Vec<(String, Option<Span>)> {
    n.and_then(Node::as_seq)
        .map(|s| {
            s.iter()
                .filter_map(|i| i.as_str().map(|t| (t.to_string(), span_of(Some(i)))))
                .collect()
        })
        .unwrap_or_default()
}

/// Builds one kustomization directory, recording the files it reads (those of the
/// kustomizations it includes come with their cached results).
fn build_dir(
    dir: &Path,
    stack: &mut Vec<PathBuf>,
    into: Option<Acc>,
    cache: &Cache<'_>,
) -> Result<Acc, KustError> {
    let outer = READS.with(|reads| reads.take());
    let mut result = build_dir_reading(dir, stack, into, cache);
    let read = READS.with(|reads| reads.replace(outer));
    if let Ok(acc) = &mut result {
        acc.reads.extend(read);
    }
    result
}

fn build_dir_reading(
    dir: &Path,
    stack: &mut Vec<PathBuf>,
    into: Option<Acc>,
    cache: &Cache<'_>,
) -> Result<Acc, KustError> {
    let canon = canonical(dir);
    let Some(kfile) = kustomization_file(dir) else {
        return Err(err(
            dir,
            None,
            format!(
                "unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '{}'",
                dir.display()
            ),
        ));
    };
    if stack.contains(&canon) {
        return Err(err(
            &kfile,
            None,
            format!("cycle detected: '{}' includes itself", dir.display()),
        ));
    }
    note_read(&canonical(&kfile));
    let text = std::fs::read_to_string(&kfile)
        .map_err(|e| err(&kfile, None, format!("cannot read: {e}")))?;
    let kname: Arc<str> = Arc::from(kfile.to_string_lossy().as_ref());
    let docs = parse_yaml_docs(&text, &kname, false).map_err(|m| err(&kfile, None, m))?;
    let Some(mut k) = docs.into_iter().find(|d| !d.is_null()) else {
        return Err(err(&kfile, None, "kustomization.yaml is empty"));
    };
    fold_keys(&mut k);
    let Some(map) = k.as_map() else {
        return Err(err(
            &kfile,
            span_of(Some(&k)),
            "the kustomization is not a mapping",
        ));
    };
    if map
        .iter()
        .all(|(key, _)| matches!(key.as_str(), "apiVersion" | "kind" | "metadata"))
    {
        return Err(err(
            &kfile,
            span_of(Some(&k)),
            "kustomization.yaml is empty",
        ));
    }
    for (key, v) in map {
        if !KNOWN_FIELDS.contains(&key.as_str()) {
            return Err(err(
                &kfile,
                span_of(Some(v)),
                format!("invalid Kustomization: json: unknown field \"{key}\""),
            ));
        }
    }
    let kind = k.get_str("kind").unwrap_or("Kustomization");
    let is_component = kind == "Component";
    if into.is_some() && !is_component {
        return Err(err(
            &kfile,
            span_of(k.get("kind")),
            "a component's kind must be Component",
        ));
    }
    if into.is_none() && is_component && !stack.is_empty() {
        return Err(err(
            &kfile,
            span_of(k.get("kind")),
            "expected kind 'Kustomization' for a resource directory, got 'Component'",
        ));
    }
    for unsupported in ["validators", "openapi"] {
        if let Some(v) = k.get(unsupported)
            && !v.is_null()
            && v.as_seq().is_none_or(|s| !s.is_empty())
        {
            return Err(err(
                &kfile,
                span_of(Some(v)),
                format!("kubeward does not implement the kustomization field '{unsupported}' yet"),
            ));
        }
    }
    stack.push(canon);
    let nested = into.is_some();
    let mut acc = into.unwrap_or_else(|| Acc {
        resources: Vec::new(),
        config: fieldspec::defaults_shared(),
        notes: Vec::new(),
        vars: Vec::new(),
        top: None,
        reads: Vec::new(),
        component: false,
        own_sort: None,
    });
    if stack.len() == 1 {
        acc.top = Some((kfile.clone(), k.get("sortOptions").cloned()));
    }
    if !nested {
        acc.component = is_component;
        acc.own_sort = k.get("sortOptions").cloned();
    }
    for v in k.get("vars").and_then(Node::as_seq).into_iter().flatten() {
        let Some(var) = super::replace::Var::from(v) else {
            return Err(err(
                &kfile,
                span_of(Some(v)),
                "a var needs a name and an objref",
            ));
        };
        if acc.vars.iter().any(|x| x.name == var.name) {
            return Err(err(
                &kfile,
                span_of(Some(v)),
                format!("var '{}' already encountered", var.name),
            ));
        }
        acc.vars.push(var);
    }
    // resources, then the legacy bases.
    let mut entries = strs(k.get("resources"));
    entries.extend(strs(k.get("bases")));
    for (entry, span) in entries {
        if is_remote(&entry) {
            acc.notes.push(Note {
                file: kfile.clone(),
                span,
                message: format!("remote resource '{entry}' is not fetched (kubeward builds offline); the rest of the kustomization is built"),
            });
            continue;
        }
        let path = clean(&dir.join(&entry));
        if path.is_dir() && stack.contains(&canonical(&path)) {
            return Err(err(
                &kfile,
                span,
                format!("cycle detected: '{entry}' includes this kustomization again"),
            ));
        }
        if path.is_dir() {
            let key = canonical(&path);
            let sub = match cache.get(&key) {
                Some(cached) => cached,
                None => {
                    let built = build_dir(&path, stack, None, cache);
                    cache.insert(key, built.clone());
                    built
                }
            };
            let sub = sub.map_err(|e| {
                if e.span.is_none() && e.message.starts_with("unable to find") {
                    err(
                        &kfile,
                        span,
                        format!("accumulating resources from '{entry}': {}", e.message),
                    )
                } else {
                    e
                }
            })?;
            add_resources(&mut acc, sub.resources, &kfile, span)?;
            if !Arc::ptr_eq(&acc.config, &sub.config) && *acc.config != *sub.config {
                Arc::make_mut(&mut acc.config).merge(&sub.config);
            }
            acc.notes.extend(sub.notes);
            acc.reads.extend(sub.reads);
            for var in sub.vars {
                if acc.vars.iter().any(|x| x.name == var.name) {
                    return Err(err(
                        &kfile,
                        span,
                        format!("var '{}' already encountered", var.name),
                    ));
                }
                acc.vars.push(var);
            }
        } else if path.exists() {
            let (canon_file, text) = read_in_root(dir, &kfile, &entry, span)?;
            let fname: Arc<str> = Arc::from(path.to_string_lossy().as_ref());
            let _ = canon_file;
            let docs = parse_docs(&text, &fname).map_err(|m| {
                err(
                    &kfile,
                    span,
                    format!("accumulating resources from '{entry}': {m}"),
                )
            })?;
            let mut objs = Vec::new();
            for doc in docs {
                for obj in expand_list(doc) {
                    if obj.as_map().is_none() {
                        return Err(err(
                            &kfile,
                            span,
                            format!(
                                "accumulating resources from '{entry}': a document is not a mapping"
                            ),
                        ));
                    }
                    objs.push(Resource::new(obj, Arc::clone(&fname)));
                }
            }
            add_resources(&mut acc, objs, &kfile, span)?;
        } else {
            return Err(err(
                &kfile,
                span,
                format!(
                    "accumulating resources: '{entry}' does not exist (no such file or directory)"
                ),
            ));
        }
    }
    // configurations
    for (entry, span) in strs(k.get("configurations")) {
        let (_, text) = read_in_root(dir, &kfile, &entry, span)?;
        let fname: Arc<str> = Arc::from(dir.join(&entry).to_string_lossy().as_ref());
        for doc in parse_docs(&text, &fname).map_err(|m| err(&kfile, span, m))? {
            Arc::make_mut(&mut acc.config).merge_doc(&doc);
        }
    }
    // crds: OpenAPI definitions whose annotations extend the field specs (kusttarget.go merges
    // them after `configurations`).
    for (entry, span) in strs(k.get("crds")) {
        let (_, text) = read_in_root(dir, &kfile, &entry, span)?;
        let fname: Arc<str> = Arc::from(dir.join(&entry).to_string_lossy().as_ref());
        let wrap = |m: String| {
            err(
                &kfile,
                span,
                format!("loading CRDs: unable to parse open API definition from '{entry}': {m}"),
            )
        };
        for doc in parse_docs(&text, &fname).map_err(wrap)? {
            Arc::make_mut(&mut acc.config)
                .merge_crds(&doc)
                .map_err(wrap)?;
        }
    }
    if let Some(h) = k.get("helmCharts").filter(|h| !h.is_null()) {
        acc.notes.push(Note {
            file: kfile.clone(),
            span: span_of(Some(h)),
            message: "helmCharts are not rendered (that needs helm); the rest of the kustomization is built".into(),
        });
    }
    super::generate::run(&k, dir, &kfile, &mut acc.resources)?;
    let generators = plugin_configs(k.get("generators"), dir, &kfile, stack, cache)?;
    super::plugin::generate(&generators, dir, &kfile, &mut acc.resources)?;
    for (entry, span) in strs(k.get("components")) {
        let path = clean(&dir.join(&entry));
        if stack.contains(&canonical(&path)) {
            return Err(err(
                &kfile,
                span,
                format!("cycle detected: '{entry}' includes this kustomization again"),
            ));
        }
        let taken = Acc {
            resources: std::mem::take(&mut acc.resources),
            config: std::mem::take(&mut acc.config),
            notes: std::mem::take(&mut acc.notes),
            vars: std::mem::take(&mut acc.vars),
            top: acc.top.take(),
            reads: std::mem::take(&mut acc.reads),
            component: acc.component,
            own_sort: acc.own_sort.take(),
        };
        acc = build_dir(&path, stack, Some(taken), cache).map_err(|e| {
            if e.span.is_none() && e.message.starts_with("unable to find") {
                err(
                    &kfile,
                    span,
                    format!("accumulating components from '{entry}': {}", e.message),
                )
            } else {
                e
            }
        })?;
    }
    super::transform::run(
        &k,
        dir,
        &kfile,
        &mut acc.resources,
        &acc.config,
        &mut acc.notes,
    )?;
    let transformers = plugin_configs(k.get("transformers"), dir, &kfile, stack, cache)?;
    super::plugin::transform(
        &transformers,
        dir,
        &kfile,
        &mut acc.resources,
        &mut acc.notes,
    )?;
    stack.pop();
    Ok(acc)
}

/// The plugin configs of a `generators:` or `transformers:` field: each entry is inline YAML,
/// or a file or a kustomization directory whose output are the configs (kusttarget.go's
/// configureExternalTransformers: `NewResMapFromBytes`, else `accumulateResources`).
fn plugin_configs(
    field: Option<&Node>,
    dir: &Path,
    kfile: &Path,
    stack: &mut Vec<PathBuf>,
    cache: &Cache<'_>,
) -> Result<Vec<super::plugin::PluginConfig>, KustError> {
    let mut out = Vec::new();
    let kname: Arc<str> = Arc::from(kfile.to_string_lossy().as_ref());
    for entry in field.and_then(Node::as_seq).into_iter().flatten() {
        let span = span_of(Some(entry));
        let text = entry.as_str().unwrap_or_default();
        if let Ok(mut docs) = parse_docs(text, &kname)
            && super::plugin::inline_docs(&docs)
        {
            // Spans inside the block scalar are offsets into its value: every node of an
            // inline config comes from its entry.
            for d in docs.iter_mut().filter(|d| !d.is_null()) {
                d.set_origin_deep(&entry.origin);
                for node in expand_list(d.clone()) {
                    out.push(super::plugin::PluginConfig { node, span });
                }
            }
            continue;
        }
        if is_remote(text) {
            return Err(err(
                kfile,
                span,
                format!(
                    "plugin config '{text}' is remote: kubeward builds offline and does not fetch it"
                ),
            ));
        }
        let path = clean(&dir.join(text));
        if path.is_dir() {
            if stack.contains(&canonical(&path)) {
                return Err(err(
                    kfile,
                    span,
                    format!("cycle detected: '{text}' includes this kustomization again"),
                ));
            }
            let mut sub = build_dir(&path, stack, None, cache)?;
            // The directory's files feed this build too (see `Built::files`).
            sub.reads.iter().for_each(|p| note_read(p));
            for r in sub.resources.drain(..) {
                out.push(super::plugin::PluginConfig { node: r.obj, span });
            }
        } else if path.exists() {
            let (_, body) = read_in_root(dir, kfile, text, span)?;
            let fname: Arc<str> = Arc::from(path.to_string_lossy().as_ref());
            let docs = parse_docs(&body, &fname).map_err(|m| {
                err(
                    kfile,
                    span,
                    format!("accumulating resources from '{text}': {m}"),
                )
            })?;
            for d in docs {
                for node in expand_list(d) {
                    out.push(super::plugin::PluginConfig { node, span });
                }
            }
        } else {
            return Err(err(
                kfile,
                span,
                format!(
                    "accumulating resources from '{text}': '{text}' does not exist (no such file or directory)"
                ),
            ));
        }
    }
    Ok(out)
}

fn expand_list(doc: Node) -> Vec<Node> {
    if doc.is_null() {
        return Vec::new();
    }
    let is_list = doc.get_str("kind").is_some_and(|k| {
        k == "List"
            || k.ends_with("List")
                && doc.get("items").is_some_and(|i| i.as_seq().is_some())
                && doc.get_str("apiVersion") == Some("v1")
    });
    if is_list && let Some(Kind::Seq(items)) = doc.get("items").map(|i| i.kind.clone()) {
        return items.into_iter().filter(|i| !i.is_null()).collect();
    }
    vec![doc]
}

/// Adds objects to the accumulator, refusing an id it already holds (kustomize's resmap Append).
fn add_resources(
    acc: &mut Acc,
    new: Vec<Resource>,
    kfile: &Path,
    span: Option<Span>,
) -> Result<(), KustError> {
    let key = |r: &Resource| (r.gvk(), r.name(), r.namespace());
    let mut seen: std::collections::HashSet<(Gvk, String, String)> =
        acc.resources.iter().map(key).collect();
    acc.resources.reserve(new.len());
    for r in new {
        if !seen.insert(key(&r)) {
            return Err(err(
                kfile,
                span,
                format!(
                    "may not add resource with an already registered id: {}",
                    r.id()
                ),
            ));
        }
        acc.resources.push(r);
    }
    Ok(())
}

/// The steps kustomize runs once, at the top: name hashes, name references, local configs.
fn finish(acc: &mut Acc) -> Result<(), KustError> {
    for r in acc.resources.iter_mut() {
        if r.needs_hash {
            let h = hash::suffix(&r.obj);
            r.store_previous_id();
            let origin = r
                .obj
                .get_path(&["metadata", "name"])
                .and_then(|n| n.origin.clone());
            let name = format!("{}-{h}", r.name());
            r.set_name(name, origin);
        }
    }
    let (top_file, sort) = acc.top.clone().unwrap_or_default();
    super::nameref::fix(&mut acc.resources, &acc.config).map_err(|m| err(&top_file, None, m))?;
    super::replace::resolve_vars(&acc.vars, &mut acc.resources, &acc.config.var_reference)
        .map_err(|m| err(&top_file, None, m))?;
    // kustomize drops an empty or null `metadata.annotations` when it removes its build
    // annotations, and its label and annotation maps hold strings.
    for r in acc.resources.iter_mut() {
        if let Some(meta) = r.obj.get_mut("metadata") {
            for field in ["labels", "annotations"] {
                if let Some(entries) = meta.get_mut(field).and_then(Node::as_map_mut) {
                    for (_, v) in entries.iter_mut() {
                        if let Kind::Scalar(s) = &mut v.kind
                            && !s.text.is_empty()
                        {
                            s.string = true;
                            s.tag = None;
                        }
                    }
                }
            }
        }
        if let Some(meta) = r.obj.get_mut("metadata")
            && meta
                .get("annotations")
                .is_some_and(|a| a.is_null() || a.as_map().is_some_and(Vec::is_empty))
        {
            meta.remove("annotations");
        }
    }
    acc.resources.retain(|r| {
        r.obj
            .get_path(&[
                "metadata",
                "annotations",
                "config.kubernetes.io/local-config",
            ])
            .and_then(Node::as_str)
            != Some("true")
    });
    // sortOptions: legacy (the default) or fifo.
    let order = sort
        .as_ref()
        .and_then(|s| s.get_str("order"))
        .unwrap_or("legacy");
    match order {
        "fifo" => {}
        "legacy" => {
            // kustomize's defaults apply only when `legacySortOptions` is absent.
            let lists = sort
                .as_ref()
                .and_then(|s| s.get("legacySortOptions"))
                .filter(|o| !o.is_null())
                .map(|options| {
                    let list = |key: &str| -> Vec<String> {
                        options
                            .get(key)
                            .and_then(Node::as_seq)
                            .map(|s| {
                                s.iter()
                                    .filter_map(|k| k.as_str().map(str::to_string))
                                    .collect()
                            })
                            .unwrap_or_default()
                    };
                    (list("orderFirst"), list("orderLast"))
                });
            super::replace::legacy_sort(&mut acc.resources, lists);
        }
        other => {
            return Err(err(
                &top_file,
                span_of(sort.as_ref().and_then(|s| s.get("order"))),
                format!("the sort order must be 'legacy' or 'fifo', not '{other}'"),
            ));
        }
    }
    Ok(())
}

// Accessors for the sibling modules.
impl Resource {
    pub(crate) fn generated(
        obj: Node,
        source: Arc<str>,
        needs_hash: bool,
        behavior: String,
    ) -> Resource {
        let mut r = Resource::new(obj, source);
        r.needs_hash = needs_hash;
        r.behavior = behavior;
        r
    }
    /// resource.go's CopyMergeMetaDataFieldsFrom, as a `behavior: replace` generator applies it:
    /// the replaced object's name, namespace, labels and annotations (the new ones win) and its
    /// build history (previous ids, prefixes, suffixes) carry over to the new object.
    pub(crate) fn copy_merge_meta_from(&mut self, old: &Resource) {
        let old_meta = old.obj.get("metadata");
        let mut merged: Vec<(&str, Node)> = Vec::new();
        for what in ["labels", "annotations"] {
            let mut m = old_meta
                .and_then(|mm| mm.get(what))
                .filter(|n| n.as_map().is_some())
                .cloned()
                .unwrap_or_else(|| Node::map(None));
            if let Some(new) = self
                .obj
                .get_path(&["metadata", what])
                .and_then(Node::as_map)
            {
                for (k, v) in new {
                    m.set(k, v.clone());
                }
            }
            merged.push((what, m));
        }
        if let Some(meta) = self.obj.ensure_map("metadata", None) {
            for (what, m) in merged {
                if m.as_map().is_some_and(|e| !e.is_empty()) {
                    meta.set(what, m);
                }
            }
            if let Some(name) = old_meta.and_then(|m| m.get("name")) {
                meta.set("name", name.clone());
            }
            match old_meta.and_then(|m| m.get("namespace")) {
                Some(ns) => meta.set("namespace", ns.clone()),
                None => {
                    meta.remove("namespace");
                }
            }
        }
        self.prev.clone_from(&old.prev);
        self.prefixes.clone_from(&old.prefixes);
        self.suffixes.clone_from(&old.suffixes);
    }
    pub(crate) fn needs_hash(&self) -> bool {
        self.needs_hash
    }
    pub(crate) fn set_needs_hash(&mut self, v: bool) {
        self.needs_hash = v;
    }
    pub(crate) fn cur_name(&self) -> String {
        self.name()
    }
    pub(crate) fn cur_namespace(&self) -> String {
        self.namespace()
    }
    pub(crate) fn cur_gvk(&self) -> Gvk {
        self.gvk()
    }
    pub(crate) fn is_cluster_scoped(&self) -> bool {
        self.cluster_scoped()
    }
    pub(crate) fn effective_namespace(&self) -> String {
        self.effective_ns()
    }
    pub(crate) fn store_prev(&mut self) {
        self.store_previous_id();
    }
    pub(crate) fn prev_ids(&self) -> &[(String, String, String)] {
        &self.prev
    }
    pub(crate) fn add_prefix(&mut self, p: &str) {
        self.prefixes.push(p.to_string());
    }
    pub(crate) fn add_suffix(&mut self, s: &str) {
        self.suffixes.push(s.to_string());
    }
    pub(crate) fn prefixes(&self) -> &[String] {
        &self.prefixes
    }
    pub(crate) fn suffixes(&self) -> &[String] {
        &self.suffixes
    }
    pub(crate) fn matches(&self, gvk: &Gvk, name: &str, ns: &str) -> bool {
        self.matches_id(gvk, name, ns)
    }
}

pub(crate) fn error(file: &Path, span: Option<Span>, message: impl Into<String>) -> KustError {
    err(file, span, message)
}

pub(crate) fn read_file(
    root: &Path,
    kfile: &Path,
    rel: &str,
    span: Option<Span>,
) -> Result<(PathBuf, String), KustError> {
    read_in_root(root, kfile, rel, span)
}

pub(crate) fn docs(text: &str, file: &Arc<str>) -> Result<Vec<Node>, String> {
    parse_docs(text, file)
}

pub(crate) fn origin_span(n: Option<&Node>) -> Option<Span> {
    span_of(n)
}

pub(crate) fn apply_spec(
    obj: &mut Node,
    spec: &FieldSpec,
    create_leaf: &dyn Fn() -> Node,
    f: &mut dyn FnMut(&mut Node),
) {
    fieldspec::apply(obj, spec, create_leaf, f);
}

pub(crate) fn smp_merge(target: Node, patch: Node) -> Result<Option<Node>, String> {
    smp::merge(target, patch)
}
