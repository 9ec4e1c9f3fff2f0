//! What `helm template` does with the rendered templates (helm/helm v3.21.4, commit 813176c5):
//! `pkg/releaseutil/manifest.go` (`SplitManifests`), `manifest_sorter.go` (`SortManifests`:
//! hooks apart, each document checked to be YAML), `kind_sorter.go` (`InstallOrder`),
//! `pkg/action/action.go` (`renderResources`: the CRDs with `--include-crds`, then the
//! manifests) and `cmd/helm/template.go` (the hooks after the manifests, `--skip-tests`,
//! `--show-only`). The test tables of `pkg/releaseutil/*_test.go` are ported below, and the
//! golden outputs of `cmd/helm/testdata/output/` are reproduced from their own documents.
//!
//! The output is the stream text and, for each document in it, the template (or CRD file) it
//! was copied from and where: every document's text is a verbatim copy of a range of the
//! rendered template, so a position in the stream maps back to a position in the rendered text.

use std::collections::BTreeMap;
use std::ops::Range;

use super::gopath;
use crate::load;
use crate::load::{Document, NodeId, NodeKind};

/// One rendered template: its name as Helm prints it (`mychart/templates/service.yaml`) and the
/// engine's output. Partials (`_*.tpl`) and `NOTES.txt` are not manifests; pass them or not,
/// they are skipped as Helm skips them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rendered<'a> {
    pub(crate) name: &'a str,
    pub(crate) text: &'a str,
}

/// `helm template`'s flags that shape the stream.
#[derive(Debug, Clone, Default)]
pub(crate) struct StreamOptions {
    /// `--include-crds`: the charts' `crds/` files first.
    pub(crate) include_crds: bool,
    /// `--skip-tests`: no `helm.sh/hook: test` documents.
    pub(crate) skip_tests: bool,
    /// `--no-hooks`: no hooks at all.
    pub(crate) no_hooks: bool,
    /// `--show-only` (repeatable): only the documents of templates matching these patterns.
    pub(crate) show_only: Vec<String>,
}

/// What part of the stream a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DocKind {
    /// A file of a chart's `crds/` folder (`--include-crds`), copied whole.
    Crd,
    /// A rendered manifest.
    Manifest,
    /// A rendered hook (`helm.sh/hook`), after the manifests.
    Hook,
}

/// One document of the stream and where its text came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StreamDoc {
    /// The template's (or CRD file's) name, as its `# Source:` line says.
    pub(crate) source: String,
    pub(crate) kind: DocKind,
    /// The document's text in the stream (after its `# Source:` line).
    pub(crate) stream: Range<usize>,
    /// The same text in the rendered template (or the CRD file).
    pub(crate) origin: Range<usize>,
}

/// `helm template`'s standard output, and its documents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Stream {
    pub(crate) text: String,
    pub(crate) docs: Vec<StreamDoc>,
}

/// Why `helm template` fails after rendering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StreamError {
    /// A rendered document is not YAML (or its head does not fit Helm's `SimpleHead`):
    /// `YAML parse error on <template>: ...`. `debug` is what `helm template --debug` prints
    /// before the error: every rendered template whole. (Without `--debug` Helm adds
    /// `\n\nUse --debug flag to render out invalid YAML` to the error.)
    Yaml { message: String, debug: Stream },
    /// `--show-only` named a template with no document: `could not find template X in chart`.
    ShowOnly(String),
}

/// What cmd/helm/template.go adds to an error of `helm install`'s run once the release exists
/// (a render error or a YAML error), unless `--debug` is on.
pub(crate) const DEBUG_HINT: &str = "\n\nUse --debug flag to render out invalid YAML";

impl StreamError {
    /// The text `helm template` prints after `Error: `: a YAML error with [`DEBUG_HINT`]
    /// unless `debug` (then [`StreamError::Yaml`]'s `debug` stream is on stdout first).
    pub(crate) fn helm_message(&self, debug: bool) -> String {
        match self {
            StreamError::Yaml { message, .. } if !debug => format!("{message}{DEBUG_HINT}"),
            StreamError::Yaml { message, .. } | StreamError::ShowOnly(message) => message.clone(),
        }
    }
}

impl std::fmt::Display for StreamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StreamError::Yaml { message, .. } => f.write_str(message),
            StreamError::ShowOnly(message) => f.write_str(message),
        }
    }
}

/// `releaseutil.InstallOrder`.
pub(crate) const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
];

/// `releaseutil.UninstallOrder`.
pub(crate) const UNINSTALL_ORDER: &[&str] = &[
    "APIService",
    "Ingress",
    "IngressClass",
    "Service",
    "CronJob",
    "Job",
    "StatefulSet",
    "HorizontalPodAutoscaler",
    "Deployment",
    "ReplicaSet",
    "ReplicationController",
    "Pod",
    "DaemonSet",
    "RoleBindingList",
    "RoleBinding",
    "RoleList",
    "Role",
    "ClusterRoleBindingList",
    "ClusterRoleBinding",
    "ClusterRoleList",
    "ClusterRole",
    "CustomResourceDefinition",
    "PersistentVolumeClaim",
    "PersistentVolume",
    "StorageClass",
    "ConfigMap",
    "SecretList",
    "Secret",
    "ServiceAccount",
    "PodDisruptionBudget",
    "PodSecurityPolicy",
    "LimitRange",
    "ResourceQuota",
    "NetworkPolicy",
    "Namespace",
    "PriorityClass",
];

/// `notesFileSuffix` of pkg/action: rendered files whose name ends so are notes.
pub(crate) const NOTES_SUFFIX: &str = "NOTES.txt";

/// `helm.sh/hook`.
pub(crate) const HOOK_ANNOTATION: &str = "helm.sh/hook";
/// `helm.sh/hook-weight`.
pub(crate) const HOOK_WEIGHT_ANNOTATION: &str = "helm.sh/hook-weight";
/// `helm.sh/hook-delete-policy`.
pub(crate) const HOOK_DELETE_ANNOTATION: &str = "helm.sh/hook-delete-policy";
/// `helm.sh/hook-output-log-policy`.
pub(crate) const HOOK_OUTPUT_LOG_ANNOTATION: &str = "helm.sh/hook-output-log-policy";

/// The hook events Helm knows (`release.HookEvent`), and `test-success`, Helm 2's name for
/// `test`.
const HOOK_EVENTS: &[(&str, &str)] = &[
    ("pre-install", "pre-install"),
    ("post-install", "post-install"),
    ("pre-delete", "pre-delete"),
    ("post-delete", "post-delete"),
    ("pre-upgrade", "pre-upgrade"),
    ("post-upgrade", "post-upgrade"),
    ("pre-rollback", "pre-rollback"),
    ("post-rollback", "post-rollback"),
    ("test", "test"),
    ("test-success", "test"),
];

/// `releaseutil.SimpleHead`: what Helm reads of each document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Head {
    pub(crate) api_version: String,
    pub(crate) kind: String,
    /// `metadata`, when the document has one (`metadata: null` is none).
    pub(crate) metadata: Option<HeadMetadata>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct HeadMetadata {
    pub(crate) name: String,
    /// `None` when absent or null (Go's nil map).
    pub(crate) annotations: Option<BTreeMap<String, String>>,
}

impl Head {
    fn annotation(&self, key: &str) -> Option<&str> {
        self.metadata
            .as_ref()?
            .annotations
            .as_ref()?
            .get(key)
            .map(String::as_str)
    }

    fn has_any_annotation(&self) -> bool {
        self.metadata
            .as_ref()
            .and_then(|m| m.annotations.as_ref())
            .is_some_and(|a| !a.is_empty())
    }
}

/// A document that is not a hook (`releaseutil.Manifest`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Manifest {
    /// The template's name.
    pub(crate) name: String,
    /// The document's text in the template's rendered text (trimmed of whitespace).
    pub(crate) content: Range<usize>,
    pub(crate) head: Head,
}

/// A hook document (`release.Hook`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hook {
    /// `metadata.name`.
    pub(crate) name: String,
    pub(crate) kind: String,
    /// The template's name.
    pub(crate) path: String,
    /// The document's text in the template's rendered text.
    pub(crate) manifest: Range<usize>,
    /// `pre-install`, ..., `test` (`test-success` is `test`).
    pub(crate) events: Vec<&'static str>,
    /// `helm.sh/hook-weight` (0 when absent or not an integer).
    pub(crate) weight: i64,
    pub(crate) delete_policies: Vec<String>,
    pub(crate) output_log_policies: Vec<String>,
}

impl Hook {
    /// `isTestHook` of cmd/helm/template.go.
    pub(crate) fn is_test(&self) -> bool {
        self.events.contains(&"test")
    }
}

/// `SortManifests`' result: hooks and manifests, each sorted by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Sorted {
    pub(crate) hooks: Vec<Hook>,
    pub(crate) manifests: Vec<Manifest>,
}

/// `SortManifests`' failure: the error and the hooks found before it (unsorted, as Helm
/// returns them; `helm template --debug` prints them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SortError {
    pub(crate) message: String,
    pub(crate) hooks: Vec<Hook>,
}

/// Go's `regexp` `\s`.
fn is_go_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

/// The range of `text[range]` without leading and trailing whitespace (Go's
/// `strings.TrimSpace`, which trims the same Unicode white space as Rust's `trim`).
fn trim_range(text: &str, range: Range<usize>) -> Range<usize> {
    let Some(part) = text.get(range.clone()) else {
        return range.start..range.start;
    };
    let start = range.start + (part.len() - part.trim_start().len());
    let end = start + part.trim().len();
    start..end
}

/// `SplitManifests`: the documents of a rendered template, in order (Helm's `manifest-N` keys
/// sorted by N), as ranges of `text`. The text is trimmed, split at the separator
/// `(?:^|\s*\n)---\s*` (so `---` opening any line, whatever follows it on the line), and each
/// non-empty part trimmed again.
pub(crate) fn split_manifests(text: &str) -> Vec<Range<usize>> {
    let whole = trim_range(text, 0..text.len());
    let bytes = text.as_bytes();
    let mut docs = Vec::new();
    let mut piece_start = whole.start;
    let mut pos = whole.start;
    let mut search = whole.start;
    while let Some(found) = text
        .get(search..whole.end)
        .and_then(|rest| rest.find("---"))
    {
        let p = search + found;
        search = p + 1;
        let at_start = p == whole.start && pos == whole.start;
        let after_newline = p > pos && bytes.get(p - 1) == Some(&b'\n');
        if !at_start && !after_newline {
            continue;
        }
        // The match starts where the run of white space before the newline starts (not
        // before the previous match's end); it ends after the white space following `---`.
        let mut start = p;
        if !at_start {
            start = p - 1;
            while start > pos && bytes.get(start - 1).copied().is_some_and(is_go_space) {
                start -= 1;
            }
        }
        let mut end = p + 3;
        while end < whole.end && bytes.get(end).copied().is_some_and(is_go_space) {
            end += 1;
        }
        docs.push(piece_start..start);
        piece_start = end;
        pos = end;
        search = end;
    }
    docs.push(piece_start..whole.end);
    docs.into_iter()
        .filter(|d| !d.is_empty())
        .map(|d| trim_range(text, d))
        .collect()
}

/// `lessByKind`: install order by kind; unknown kinds after the known ones, alphabetically.
fn kind_rank<'k>(kind: &'k str, order: &[&str]) -> (usize, &'k str) {
    match order.iter().position(|k| *k == kind) {
        Some(i) => (i, ""),
        None => (order.len(), kind),
    }
}

/// `sortManifestsByKind` (stable).
pub(crate) fn sort_manifests_by_kind(manifests: &mut [Manifest], order: &[&str]) {
    manifests.sort_by(|a, b| kind_rank(&a.head.kind, order).cmp(&kind_rank(&b.head.kind, order)));
}

/// `sortHooksByKind` (stable).
pub(crate) fn sort_hooks_by_kind(hooks: &mut [Hook], order: &[&str]) {
    hooks.sort_by(|a, b| kind_rank(&a.kind, order).cmp(&kind_rank(&b.kind, order)));
}

fn is_partial(name: &str) -> bool {
    name.rsplit('/')
        .next()
        .is_some_and(|base| base.starts_with('_'))
}

/// `SortManifests(files, nil, order)`: every document of every template (in name order;
/// partials and empty templates skipped), checked to be YAML, put apart as a hook or a
/// manifest, then both lists sorted by kind. A hook with an unknown event is dropped, as Helm
/// drops it (it logs `info: skipping unknown hook`).
pub(crate) fn sort_manifests(files: &[Rendered<'_>], order: &[&str]) -> Result<Sorted, SortError> {
    let mut sorted_files: Vec<&Rendered<'_>> = files.iter().collect();
    sorted_files.sort_by(|a, b| a.name.cmp(b.name));
    let mut result = Sorted::default();
    for file in sorted_files {
        if is_partial(file.name) || file.text.trim().is_empty() {
            continue;
        }
        for range in split_manifests(file.text) {
            let doc = file.text.get(range.clone()).unwrap_or_default();
            let head = match parse_head(doc) {
                Ok(head) => head,
                Err(e) => {
                    return Err(SortError {
                        message: format!("YAML parse error on {}: {e}", file.name),
                        hooks: result.hooks,
                    });
                }
            };
            let hook_types = match head.annotation(HOOK_ANNOTATION) {
                Some(types) if head.has_any_annotation() => types.to_owned(),
                _ => {
                    result.manifests.push(Manifest {
                        name: file.name.to_owned(),
                        content: range,
                        head,
                    });
                    continue;
                }
            };
            let mut events = Vec::new();
            let mut unknown = false;
            for hook_type in hook_types.split(',') {
                let hook_type = hook_type.trim().to_lowercase();
                match HOOK_EVENTS.iter().find(|(name, _)| *name == hook_type) {
                    Some((_, event)) => events.push(*event),
                    None => {
                        unknown = true;
                        break;
                    }
                }
            }
            if unknown {
                continue;
            }
            let policies = |key: &str| -> Vec<String> {
                head.annotation(key)
                    .map(|v| v.split(',').map(|p| p.trim().to_lowercase()).collect())
                    .unwrap_or_default()
            };
            result.hooks.push(Hook {
                name: head
                    .metadata
                    .as_ref()
                    .map(|m| m.name.clone())
                    .unwrap_or_default(),
                kind: head.kind.clone(),
                path: file.name.to_owned(),
                manifest: range,
                events,
                weight: head
                    .annotation(HOOK_WEIGHT_ANNOTATION)
                    .and_then(atoi)
                    .unwrap_or(0),
                delete_policies: policies(HOOK_DELETE_ANNOTATION),
                output_log_policies: policies(HOOK_OUTPUT_LOG_ANNOTATION),
            });
        }
    }
    sort_hooks_by_kind(&mut result.hooks, order);
    sort_manifests_by_kind(&mut result.manifests, order);
    Ok(result)
}

/// `strconv.Atoi`.
fn atoi(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Builds the stream and remembers where each document's text came from.
#[derive(Default)]
struct Writer {
    stream: Stream,
}

impl Writer {
    /// `---\n# Source: <name>\n<text>\n`.
    fn doc(&mut self, source: &str, kind: DocKind, text: &str, origin: Range<usize>) {
        let out = &mut self.stream.text;
        out.push_str("---\n# Source: ");
        out.push_str(source);
        out.push('\n');
        let start = out.len();
        out.push_str(text);
        let end = out.len();
        out.push('\n');
        self.stream.docs.push(StreamDoc {
            source: source.to_owned(),
            kind,
            stream: start..end,
            origin,
        });
    }

    /// `strings.TrimSpace(rel.Manifest)` + `\n` (what template.go prints of the manifests).
    fn trim_then_newline(&mut self) {
        let whole = trim_range(&self.stream.text, 0..self.stream.text.len());
        let cut = whole.start;
        let text = self
            .stream
            .text
            .get(whole.clone())
            .unwrap_or_default()
            .to_owned();
        self.stream.text = text;
        self.stream.text.push('\n');
        let len = whole.len();
        for d in &mut self.stream.docs {
            let start = d.stream.start.saturating_sub(cut).min(len);
            let end = d.stream.end.saturating_sub(cut).min(len);
            d.origin.end = d.origin.start + (end - start);
            d.stream = start..end;
        }
    }
}

/// The `helm template` stream of rendered templates: `--include-crds`'s CRD files (each
/// `(name, text)`, in the order the chart lists them: the chart's `crds/` files, then its
/// dependencies'), the manifests sorted in install order, then the hooks (less the tests with
/// `--skip-tests`, none with `--no-hooks`), each as `---\n# Source: <name>\n<text>\n`; with
/// `--show-only`, only the matching documents.
pub(crate) fn write_stream(
    templates: &[Rendered<'_>],
    crds: &[Rendered<'_>],
    options: &StreamOptions,
) -> Result<Stream, StreamError> {
    // renderResources takes every `NOTES.txt` out before sorting (`--render-subchart-notes`
    // only decides which of them make the release notes, which `helm template` does not print).
    // The engine's output is a map: one text per name (the last one given wins here).
    let unique: BTreeMap<&str, &str> = templates
        .iter()
        .filter(|t| !t.name.ends_with(NOTES_SUFFIX))
        .map(|t| (t.name, t.text))
        .collect();
    let templates: Vec<Rendered<'_>> = unique
        .into_iter()
        .map(|(name, text)| Rendered { name, text })
        .collect();
    let templates = templates.as_slice();
    let by_name: BTreeMap<&str, &str> = templates.iter().map(|t| (t.name, t.text)).collect();
    let text_of = |name: &str| by_name.get(name).copied().unwrap_or_default();
    let sorted = match sort_manifests(templates, INSTALL_ORDER) {
        Ok(sorted) => sorted,
        Err(e) => {
            // renderResources returns every rendered template whole, for --debug.
            let mut w = Writer::default();
            let mut names: Vec<&Rendered<'_>> = templates.iter().collect();
            names.sort_by(|a, b| a.name.cmp(b.name));
            for t in names {
                if is_partial(t.name) || t.text.trim().is_empty() {
                    continue;
                }
                w.doc(t.name, DocKind::Manifest, t.text, 0..t.text.len());
            }
            w.trim_then_newline();
            add_hooks(&mut w, &e.hooks, options, &text_of);
            let debug = show_only(w.stream, options)?;
            return Err(StreamError::Yaml {
                message: e.message,
                debug,
            });
        }
    };
    let mut w = Writer::default();
    if options.include_crds {
        for crd in crds {
            w.doc(crd.name, DocKind::Crd, crd.text, 0..crd.text.len());
        }
    }
    for m in &sorted.manifests {
        let text = text_of(&m.name).get(m.content.clone()).unwrap_or_default();
        w.doc(&m.name, DocKind::Manifest, text, m.content.clone());
    }
    w.trim_then_newline();
    add_hooks(&mut w, &sorted.hooks, options, &text_of);
    show_only(w.stream, options)
}

fn add_hooks<'t>(
    w: &mut Writer,
    hooks: &[Hook],
    options: &StreamOptions,
    text_of: &dyn Fn(&str) -> &'t str,
) {
    if options.no_hooks {
        return;
    }
    for h in hooks {
        if options.skip_tests && h.is_test() {
            continue;
        }
        let text = text_of(&h.path).get(h.manifest.clone()).unwrap_or_default();
        w.doc(&h.path, DocKind::Hook, text, h.manifest.clone());
    }
}

/// `--show-only`: the stream split again into documents; for each pattern, in order, every
/// document whose first `# Source: <chart>/<path>` line has a `<path>` that the pattern matches
/// (Go's `filepath.Match`), written as `---\n<document>\n`.
fn show_only(stream: Stream, options: &StreamOptions) -> Result<Stream, StreamError> {
    if options.show_only.is_empty() {
        return Ok(stream);
    }
    let docs = split_manifests(&stream.text);
    let mut out = Stream::default();
    for pattern in &options.show_only {
        // Windows separators are made `/` first (filepath.ToSlash is a no-op on Unix).
        let mut missing = true;
        for range in &docs {
            let doc = stream.text.get(range.clone()).unwrap_or_default();
            let Some(path) = source_path(doc) else {
                continue;
            };
            if gopath::path_match(pattern, path) != Ok(true) {
                continue;
            }
            missing = false;
            out.text.push_str("---\n");
            let at = out.text.len();
            out.text.push_str(doc);
            out.text.push('\n');
            // Every part of the old stream's documents inside this one moves along.
            for d in &stream.docs {
                let start = d.stream.start.max(range.start);
                let end = d.stream.end.min(range.end);
                if start >= end && !(d.stream.is_empty() && range.contains(&d.stream.start)) {
                    continue;
                }
                let skip = start - d.stream.start;
                out.docs.push(StreamDoc {
                    source: d.source.clone(),
                    kind: d.kind,
                    stream: at + (start - range.start)..at + (end - range.start),
                    origin: d.origin.start + skip..d.origin.start + skip + (end - start),
                });
            }
        }
        if missing {
            return Err(StreamError::ShowOnly(format!(
                "could not find template {pattern} in chart"
            )));
        }
    }
    Ok(out)
}

/// The path after the chart name on a document's first `# Source: ` line (the regular
/// expression `# Source: [^/]+/(.+)`: the chart name may not hold `/`, and may even run over
/// lines).
fn source_path(doc: &str) -> Option<&str> {
    let mut search = 0;
    while let Some(found) = doc.get(search..).and_then(|rest| rest.find("# Source: ")) {
        let at = search + found + "# Source: ".len();
        search = search + found + 1;
        let rest = doc.get(at..)?;
        let Some(slash) = rest.find('/') else {
            // No `/` after this one, so none after any later one either.
            return None;
        };
        if slash == 0 {
            continue;
        }
        let path = rest.get(slash + 1..)?;
        let path = path.split('\n').next().unwrap_or_default();
        if path.is_empty() {
            continue;
        }
        return Some(path);
    }
    None
}

// ---------------------------------------------------------------------------------------------
// YAML: `yaml.Unmarshal([]byte(doc), &SimpleHead{})` of sigs.k8s.io/yaml.

/// Go's type of `SimpleHead.Metadata` as `encoding/json` names it.
const METADATA_TYPE: &str = "struct { Name string \"json:\\\"name\\\"\"; Annotations map[string]string \"json:\\\"annotations\\\"\" }";

/// Reads a document as Helm does: YAML (go-yaml v2) to JSON, then JSON into `SimpleHead`.
/// Errors are Helm's text: `error converting YAML to JSON: yaml: line N: ...` or
/// `error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ...`.
pub(crate) fn parse_head(doc: &str) -> Result<Head, String> {
    let loaded = load::parse_yaml(doc);
    let broken = loaded.failed
        || loaded
            .problems
            .iter()
            .any(|p| p.kind == load::ProblemKind::Syntax);
    if broken {
        let message = yaml_error(doc).unwrap_or_else(|| {
            // The loader refused it for a reason of its own (nesting, size): its words.
            let why = loaded
                .problems
                .iter()
                .find(|p| p.kind == load::ProblemKind::Syntax)
                .map_or("invalid YAML", |p| p.message.as_str());
            format!("yaml: {why}")
        });
        return Err(format!("error converting YAML to JSON: {message}"));
    }
    let Some(document) = loaded.documents.first() else {
        // Comments only: YAML null, nothing to decode.
        return Ok(Head::default());
    };
    head_of(document).map_err(|e| format!("error unmarshaling JSON: while decoding JSON: {e}"))
}

/// The JSON type Go's decoder names for a node.
fn json_type(doc: &Document, id: NodeId) -> &'static str {
    match doc.kind(id) {
        NodeKind::Mapping(_) => "object",
        NodeKind::Sequence(_) => "array",
        NodeKind::Scalar(s) => match s.value() {
            load::scalar::ScalarValue::Null => "null",
            load::scalar::ScalarValue::Bool(_) => "bool",
            load::scalar::ScalarValue::Int(_)
            | load::scalar::ScalarValue::BigInt
            | load::scalar::ScalarValue::Float(_) => "number",
            load::scalar::ScalarValue::String => "string",
        },
    }
}

/// A mapping's entries as the JSON object sigs.k8s.io/yaml writes: string keys, the last of
/// duplicate keys winning, in key order (Go's `json.Marshal` of a map).
fn object_entries(doc: &Document, id: NodeId) -> BTreeMap<String, NodeId> {
    let mut out = BTreeMap::new();
    for entry in doc.entries(id) {
        if let Some(key) = doc.scalar(entry.key) {
            out.insert(key.text.to_owned(), entry.value);
        }
    }
    out
}

/// A string field: any scalar (sigs.k8s.io/yaml turns numbers and booleans into their text
/// for a string target); null leaves it empty.
fn string_field(doc: &Document, id: NodeId, field: &str) -> Result<Option<String>, String> {
    match json_type(doc, id) {
        "null" => Ok(None),
        "object" | "array" => Err(format!(
            "json: cannot unmarshal {} into Go struct field {field} of type string",
            json_type(doc, id)
        )),
        _ => Ok(doc.scalar(id).map(|s| match s.value() {
            load::scalar::ScalarValue::Bool(b) => b.to_string(),
            load::scalar::ScalarValue::Int(i) => i.to_string(),
            load::scalar::ScalarValue::Float(f) => go_float32(f),
            _ => s.text.to_owned(),
        })),
    }
}

/// `strconv.FormatFloat(f, 'g', -1, 32)`: how sigs.k8s.io/yaml writes a YAML float for a
/// string field (`1.0` is `1`, `1e10` is `1e+10`).
fn go_float32(f: f64) -> String {
    #[allow(clippy::cast_possible_truncation)]
    let f = f as f32;
    if f.is_nan() {
        return "NaN".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_owned();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.to_owned();
    }
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let sign = if f < 0.0 { "-" } else { "" };
    // The shortest form's rule: exponent notation when the exponent is < -4 or >= 6.
    if !(-4..6).contains(&exp) {
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{mantissa}e{esign}{:02}", exp.abs());
    }
    format!("{sign}{}", f.abs())
}

fn head_of(doc: &Document) -> Result<Head, String> {
    let root = doc.root;
    let mut head = Head::default();
    match json_type(doc, root) {
        "null" => return Ok(head),
        "object" => {}
        other => {
            return Err(format!(
                "json: cannot unmarshal {other} into Go value of type releaseutil.SimpleHead"
            ));
        }
    }
    // Go's decoder keeps going after a type error and reports the first.
    let mut first_error: Option<String> = None;
    let note = |e: String, first: &mut Option<String>| {
        if first.is_none() {
            *first = Some(e);
        }
    };
    for (key, value) in object_entries(doc, root) {
        // encoding/json matches field names case-insensitively.
        if key.eq_ignore_ascii_case("apiVersion") {
            match string_field(doc, value, "SimpleHead.apiVersion") {
                Ok(Some(v)) => head.api_version = v,
                Ok(None) => {}
                Err(e) => note(e, &mut first_error),
            }
        } else if key.eq_ignore_ascii_case("kind") {
            match string_field(doc, value, "SimpleHead.kind") {
                Ok(Some(v)) => head.kind = v,
                Ok(None) => {}
                Err(e) => note(e, &mut first_error),
            }
        } else if key.eq_ignore_ascii_case("metadata") {
            match json_type(doc, value) {
                "null" => head.metadata = None,
                "object" => {
                    let meta = head.metadata.get_or_insert_with(HeadMetadata::default);
                    if let Err(e) = metadata_of(doc, value, meta) {
                        note(e, &mut first_error);
                    }
                }
                other => note(
                    format!(
                        "json: cannot unmarshal {other} into Go struct field SimpleHead.metadata of type {METADATA_TYPE}"
                    ),
                    &mut first_error,
                ),
            }
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(head),
    }
}

fn metadata_of(doc: &Document, id: NodeId, meta: &mut HeadMetadata) -> Result<(), String> {
    let mut first_error = None;
    for (key, value) in object_entries(doc, id) {
        if key.eq_ignore_ascii_case("name") {
            match string_field(doc, value, ".metadata.name") {
                Ok(Some(v)) => meta.name = v,
                Ok(None) => {}
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        } else if key.eq_ignore_ascii_case("annotations") {
            match json_type(doc, value) {
                "null" => meta.annotations = None,
                "object" => {
                    let annotations = meta.annotations.get_or_insert_with(BTreeMap::new);
                    for (k, v) in object_entries(doc, value) {
                        match string_field(doc, v, ".metadata.annotations") {
                            // JSON null leaves a Go map entry as the zero value, "".
                            Ok(v) => {
                                annotations.insert(k, v.unwrap_or_default());
                            }
                            Err(e) => {
                                first_error.get_or_insert(e);
                            }
                        }
                    }
                }
                other => {
                    first_error.get_or_insert(format!(
                        "json: cannot unmarshal {other} into Go struct field .metadata.annotations of type map[string]string"
                    ));
                }
            }
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// go-yaml v2's error for a document the YAML parser refuses: `yaml: line N: <problem>`,
/// libyaml's wording and line rule (a scanner error names the 1-based line of the problem, a
/// parser error the 0-based one, and line 0 is not named). The problem is found with
/// saphyr-parser, a port of the same scanner; its messages are mapped to libyaml's. `None`
/// when saphyr-parser finds no error in the first document.
pub(crate) fn yaml_error(doc: &str) -> Option<String> {
    let mut parser = saphyr_parser::Parser::new_from_str(doc);
    // Every event consumes input; the bound is belt and braces.
    for _ in 0..=doc.len() + 2 {
        match parser.next_event() {
            None => break,
            Some(Ok((saphyr_parser::Event::DocumentEnd | saphyr_parser::Event::StreamEnd, _))) => {
                break;
            }
            Some(Ok(_)) => {}
            Some(Err(e)) => {
                if e.info().contains("unknown anchor") {
                    // go-yaml's decoder, not libyaml, finds it: `unknown anchor 'x' referenced`.
                    let at: String = doc.chars().skip(e.marker().index()).take(1024).collect();
                    let name: String = at
                        .strip_prefix('*')
                        .unwrap_or(&at)
                        .chars()
                        .take_while(|c| {
                            !c.is_whitespace() && !matches!(c, ',' | '[' | ']' | '{' | '}')
                        })
                        .collect();
                    return Some(format!("yaml: unknown anchor '{name}' referenced"));
                }
                return Some(libyaml_message(e.info(), e.marker().line()));
            }
        }
    }
    None
}

/// Maps a saphyr-parser message and (1-based) line to go-yaml's error text.
fn libyaml_message(info: &str, line: usize) -> String {
    const SCANNER: bool = true;
    const PARSER: bool = false;
    let table: &[(&str, &str, bool)] = &[
        (
            "simple key expected",
            "could not find expected ':'",
            SCANNER,
        ),
        (
            "simple key expect ':'",
            "could not find expected ':'",
            SCANNER,
        ),
        (
            "mapping values are not allowed in this context",
            "mapping values are not allowed in this context",
            SCANNER,
        ),
        (
            "block sequence entries are not allowed in this context",
            "block sequence entries are not allowed in this context",
            SCANNER,
        ),
        (
            "unexpected character",
            "found character that cannot start any token",
            SCANNER,
        ),
        (
            "tab cannot be used as indentation",
            "found character that cannot start any token",
            SCANNER,
        ),
        (
            "tabs disallowed",
            "found character that cannot start any token",
            SCANNER,
        ),
        (
            "while scanning a plain scalar, found a tab",
            "found a tab character that violates indentation",
            SCANNER,
        ),
        (
            "while scanning a quoted scalar, found unexpected end of stream",
            "found unexpected end of stream",
            SCANNER,
        ),
        (
            "while scanning a quoted scalar, found unexpected document indicator",
            "found unexpected document indicator",
            SCANNER,
        ),
        (
            "while parsing a quoted scalar, found unknown escape character",
            "found unknown escape character",
            SCANNER,
        ),
        (
            "while parsing a block mapping, did not find expected key",
            "did not find expected key",
            PARSER,
        ),
        (
            "while parsing a block collection, did not find expected '-' indicator",
            "did not find expected '-' indicator",
            PARSER,
        ),
        (
            "while parsing a node, did not find expected node content",
            "did not find expected node content",
            PARSER,
        ),
        (
            "while parsing a flow mapping, did not find expected ',' or '}'",
            "did not find expected ',' or '}'",
            PARSER,
        ),
        (
            "while parsing a flow sequence, expected ',' or ']'",
            "did not find expected ',' or ']'",
            PARSER,
        ),
        ("misplaced bracket", "did not find expected key", PARSER),
        (
            "invalid trailing content after double-quoted scalar",
            "did not find expected key",
            PARSER,
        ),
    ];
    let (problem, scanner) = table
        .iter()
        .find(|(saphyr, _, _)| info.starts_with(saphyr))
        .map_or((info, SCANNER), |(_, libyaml, scanner)| {
            (*libyaml, *scanner)
        });
    // libyaml's marks are 0-based; go-yaml adds one to a scanner error's line, not to a
    // parser error's, and names no line 0.
    let zero_based = line.saturating_sub(1);
    let named = if scanner {
        zero_based.checked_add(1)
    } else {
        Some(zero_based)
    };
    match named {
        Some(n) if zero_based != 0 => format!("yaml: line {n}: {problem}"),
        _ => format!("yaml: {problem}"),
    }
}

#[cfg(test)]
mod tests;
