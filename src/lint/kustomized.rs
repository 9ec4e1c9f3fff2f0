//! Kustomizations in the run (issue 17): every kustomization file is built natively
//! ([`crate::kustomize`]); a build that fails is a `kustomize-error`; the built output of each
//! top-level root (a kustomization no other kustomization in the run includes) is linted in place
//! of the files it was built from, and every finding on it is reported at the source line its
//! value came from: the base's line, the patch's line, or the kustomization entry that set it.
//!
//! How: each top-level root's output becomes one more file of the workspace (the emitted YAML
//! text, never reported itself), the files the builds read lose their documents (so a patch, a
//! partial object, is never linted as a whole object, and a base's objects are linted once, as
//! built), rules run as usual, and [`Kustomized::remap`] moves each finding on a built file to
//! the origin of the node it points at. A finding at one source span reached from several roots
//! is reported once, naming them.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::discover::{PathBase, display_name};
use crate::finding::{FileId, Finding, Severity};
use crate::kustomize::{self, Built, KustError};
use crate::load::file::FileRole;
use crate::load::input::read_regular_file;
use crate::model::{LoadedFile, Workspace};
use crate::rule_id::RuleId;
use crate::source::{SourceFile, Span};

/// The built files added to the workspace, and how their spans map back.
#[derive(Debug, Default)]
pub(crate) struct Kustomized {
    /// The id of the first built file; built files are the last ones of the workspace.
    first: FileId,
    built: Vec<BuiltFile>,
}

#[derive(Debug)]
struct BuiltFile {
    /// The root's directory as reported (`overlays/prod`).
    root: String,
    /// Each emitted node that has an origin: (span in the built text, origin file, origin span).
    origins: Vec<(Span, FileId, Span)>,
}

/// What [`build`] adds to the run.
pub(crate) struct Added {
    pub(crate) kustomized: Kustomized,
    pub(crate) findings: Vec<Finding>,
    /// For each file appended to `files`: whether it is reported (an origin file outside the
    /// linted paths) or only seen by rules (a built file).
    pub(crate) reported: Vec<bool>,
}

fn canonical(p: &Path) -> PathBuf {
    p.canonicalize().unwrap_or_else(|_| p.to_path_buf())
}

/// The directory of a kustomization file that is its directory's kustomization (kustomize
/// prefers `kustomization.yaml` over `.yml` over `Kustomization`).
fn root_dir(path: &str) -> Option<PathBuf> {
    let kfile = Path::new(path);
    let name = kfile.file_name().and_then(|f| f.to_str())?;
    if !matches!(
        name,
        "kustomization.yaml" | "kustomization.yml" | "Kustomization"
    ) {
        return None;
    }
    let dir = match kfile.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let preferred = kustomize::kustomization_file(dir)?;
    (canonical(&preferred) == canonical(kfile)).then(|| dir.to_path_buf())
}

/// Builds every kustomization among `files` (in parallel, one builder and its cache of built
/// bases per worker), appends the top-level roots' output (and origin files not in the run) to
/// `files`, and empties the documents of the files those builds read.
pub(crate) fn build(files: &mut Vec<LoadedFile>) -> Added {
    let roots: Vec<(FileId, PathBuf)> = files
        .iter()
        .enumerate()
        .filter_map(|(id, f)| root_dir(&f.source.path).map(|dir| (id, dir)))
        .collect();
    let mut added = Added {
        kustomized: Kustomized {
            first: files.len(),
            built: Vec::new(),
        },
        findings: Vec::new(),
        reported: Vec::new(),
    };
    if roots.is_empty() {
        return added;
    }
    let results: Vec<Result<Built, KustError>> = roots
        .par_iter()
        .map_init(kustomize::Builder::default, |builder, (_, dir)| {
            builder.build(dir)
        })
        .collect();
    let mut ids: HashMap<PathBuf, FileId> = files
        .iter()
        .enumerate()
        .map(|(id, f)| (canonical(Path::new(&f.source.path)), id))
        .collect();
    report_failures(files, &ids, &roots, &results, &mut added.findings);
    // Top-level roots: built, and not read by another successful build.
    let root_files: Vec<PathBuf> = roots
        .iter()
        .map(|(id, _)| {
            canonical(Path::new(
                &files.get(*id).map(|f| f.source.path.as_str()).unwrap_or(""),
            ))
        })
        .collect();
    let mut included: HashSet<&Path> = HashSet::new();
    for (own, result) in root_files.iter().zip(&results) {
        if let Ok(built) = result {
            included.extend(
                built
                    .files
                    .iter()
                    .map(PathBuf::as_path)
                    .filter(|f| *f != own),
            );
        }
    }
    let top: Vec<(usize, &Built)> = results
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.as_ref().ok().map(|b| (i, b)))
        .filter(|(i, _)| {
            root_files
                .get(*i)
                .is_some_and(|f| !included.contains(f.as_path()))
        })
        .collect();
    // The files the top-level builds read are linted through them, never on their own.
    let consumed: BTreeSet<&Path> = top
        .iter()
        .flat_map(|(_, b)| b.files.iter().map(PathBuf::as_path))
        .collect();
    let own_roots: HashSet<&Path> = root_files.iter().map(PathBuf::as_path).collect();
    for (path, id) in &ids {
        if consumed.contains(path.as_path())
            && !own_roots.contains(path.as_path())
            && let Some(file) = files.get_mut(*id)
        {
            file.documents.clear();
            file.role = FileRole::Consumed;
        }
    }
    for (note_root, built) in &top {
        for note in &built.notes {
            let (file, span) = match ids.get(&canonical(&note.file)) {
                Some(id) => (*id, note.span.unwrap_or_default()),
                None => (
                    roots.get(*note_root).map_or(0, |(id, _)| *id),
                    Span::default(),
                ),
            };
            added.findings.push(
                Finding::new(RuleId::KustomizeError, file, span, note.message.clone())
                    .severity(Severity::Info)
                    .label("not built"),
            );
        }
    }
    let base = PathBase::current();
    let mut built_files = Vec::new();
    // An object several roots build identically (a base's CRD in every overlay) is linted
    // once: its findings would be the same, at the same origins.
    let mut seen_objects: HashSet<u64> = HashSet::new();
    for (index, built) in top {
        let Some((root_id, _)) = roots.get(index) else {
            continue;
        };
        let kfile = files
            .get(*root_id)
            .map(|f| f.source.path.clone())
            .unwrap_or_default();
        // Named by its directory in messages (`overlays/prod`).
        let root = match Path::new(&kfile).parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir.to_string_lossy().into_owned(),
            _ => ".".to_owned(),
        };
        let mut text = String::new();
        let mut origins = Vec::new();
        for resource in &built.resources {
            let emitted = kustomize::emit::emit(&resource.obj);
            if !seen_objects.insert(fingerprint(&emitted)) {
                continue;
            }
            if !text.is_empty() {
                text.push_str("---\n");
            }
            let start = text.len();
            text.push_str(&emitted.text);
            for (span, origin) in emitted.origins {
                let path = canonical(Path::new(origin.file.as_ref()));
                let id = match ids.get(&path) {
                    Some(id) => *id,
                    None => {
                        // A base outside the linted paths: read it so findings can show it.
                        let Ok(source) = read_regular_file(&path) else {
                            continue;
                        };
                        let id = files.len();
                        let shown = display_name(&path, &base);
                        files.push(LoadedFile::manifest(
                            SourceFile::new(shown, source),
                            Vec::new(),
                        ));
                        added.reported.push(true);
                        ids.insert(path, id);
                        id
                    }
                };
                origins.push((
                    Span::new(span.start + start, span.end + start),
                    id,
                    origin.span,
                ));
            }
        }
        built_files.push((root, kfile, text, origins));
    }
    added.kustomized.first = files.len();
    for (root, kfile, text, origins) in built_files {
        let loaded = crate::load::parse_yaml(text.clone());
        let mut file = LoadedFile::manifest(
            SourceFile::new(format!("{kfile} (built)"), text),
            loaded.documents,
        );
        file.role = FileRole::Built;
        files.push(file);
        added.reported.push(false);
        added.kustomized.built.push(BuiltFile { root, origins });
    }
    added
}

/// A hash of an emitted object's text and origins.
fn fingerprint(emitted: &kustomize::emit::Emitted) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    emitted.text.hash(&mut hasher);
    for (span, origin) in &emitted.origins {
        (
            span.start,
            span.end,
            &origin.file,
            origin.span.start,
            origin.span.end,
        )
            .hash(&mut hasher);
    }
    hasher.finish()
}

/// `kustomize-error` findings: each failure in the kustomization file where it arises when
/// that file is in the run (once, whichever roots reach it), else at the root.
fn report_failures(
    files: &[LoadedFile],
    ids: &HashMap<PathBuf, FileId>,
    roots: &[(FileId, PathBuf)],
    results: &[Result<Built, KustError>],
    out: &mut Vec<Finding>,
) {
    let mut reported: HashSet<(FileId, Span, String)> = HashSet::new();
    for ((root, _), result) in roots.iter().zip(results) {
        let Err(e) = result else {
            continue;
        };
        let (at, span, message) = match ids.get(&canonical(&e.file)) {
            Some(at) => (
                *at,
                e.span.unwrap_or_default(),
                format!("kustomize cannot build this kustomization: {}", e.message),
            ),
            None => (
                *root,
                Span::default(),
                format!(
                    "kustomize cannot build this kustomization: in {}: {}",
                    e.file.display(),
                    e.message
                ),
            ),
        };
        if files.get(at).is_none() || !reported.insert((at, span, message.clone())) {
            continue;
        }
        out.push(
            Finding::new(RuleId::KustomizeError, at, span, message)
                .label("kustomize fails here")
                .help(
                    "`kubectl kustomize` (and Argo CD, Flux) reject the whole kustomization; \
                     make every resource, patch and generator file exist under the \
                     kustomization's directory and every patch name an object the \
                     kustomization has",
                ),
        );
    }
}

impl Kustomized {
    fn built_file(&self, file: FileId) -> Option<&BuiltFile> {
        file.checked_sub(self.first)
            .and_then(|index| self.built.get(index))
    }

    /// Moves every finding on a built file to the origin of the node it points at; a finding
    /// reached from several roots at one origin is kept once, naming the roots.
    pub(crate) fn remap(&self, ws: &Workspace, findings: &mut Vec<Finding>) {
        if self.built.is_empty() {
            return;
        }
        // (rule, file, span) of each remapped finding kept → its index and the roots.
        let mut seen: HashMap<(String, FileId, Span), (usize, Vec<String>)> = HashMap::new();
        let mut keep = vec![true; findings.len()];
        for (index, finding) in findings.iter_mut().enumerate() {
            let Some(built) = self.built_file(finding.file) else {
                continue;
            };
            let text = ws.source(finding.file).text.clone();
            let (file, span) = built
                .locate(&text, finding.span)
                .map(|(file, span)| (file, first_line(&ws.source(file).text, span)))
                .unwrap_or((finding.file, finding.span));
            for label in &mut finding.related {
                if label.file == finding.file
                    && let Some((f, s)) = built.locate(&text, label.span)
                {
                    label.file = f;
                    label.span = s;
                }
            }
            finding.redact = finding
                .redact
                .iter()
                .filter_map(|s| built.locate(&text, *s))
                .filter(|(f, _)| *f == file)
                .map(|(_, s)| s)
                .collect();
            finding.file = file;
            finding.span = span;
            let key = (finding.rule.as_str().to_owned(), file, span);
            match seen.get_mut(&key) {
                Some((_, roots)) => {
                    if !roots.contains(&built.root) {
                        roots.push(built.root.clone());
                    }
                    if let Some(k) = keep.get_mut(index) {
                        *k = false;
                    }
                }
                None => {
                    seen.insert(key, (index, vec![built.root.clone()]));
                }
            }
        }
        for (index, roots) in seen.into_values() {
            if roots.len() > 1
                && let Some(finding) = findings.get_mut(index)
            {
                finding.message = format!(
                    "{} (in the builds of {})",
                    finding.message,
                    roots.join(", ")
                );
            }
        }
        let mut keep = keep.into_iter();
        findings.retain(|_| keep.next().unwrap_or(true));
    }
}

/// A span cut at the end of its first line: a finding on a node that came from a whole block
/// of the source (an object, a container, an inline patch) points at the block's first line.
fn first_line(text: &str, span: Span) -> Span {
    match text.get(span.start..span.end).and_then(|t| t.find('\n')) {
        Some(n) => Span::new(span.start, span.start + n),
        None => span,
    }
}

impl BuiltFile {
    /// The origin of the node a span of the built text points at: the innermost emitted node
    /// containing it; for a span on a key (the node containing it spans lines), the node
    /// written after it on the same line, which is the key's value in the source too.
    fn locate(&self, text: &str, span: Span) -> Option<(FileId, Span)> {
        let containing = self
            .origins
            .iter()
            .filter(|(s, _, _)| s.start <= span.start && span.end <= s.end.max(s.start + 1))
            .min_by_key(|(s, _, _)| s.len());
        let multi_line = |s: &Span| text.get(s.start..s.end).is_some_and(|t| t.contains('\n'));
        if containing.is_none_or(|(s, _, _)| multi_line(s)) {
            let line_end = text
                .get(span.start..)
                .and_then(|rest| rest.find('\n'))
                .map_or(text.len(), |n| span.start + n);
            let after = self
                .origins
                .iter()
                .filter(|(s, _, _)| s.start >= span.start && s.start < line_end && !multi_line(s))
                .min_by_key(|(s, _, _)| (s.start, s.len()));
            if let Some((_, file, origin)) = after {
                return Some((*file, *origin));
            }
        }
        containing.map(|(_, file, origin)| (*file, *origin))
    }
}
