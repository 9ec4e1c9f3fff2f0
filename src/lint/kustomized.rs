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
use std::sync::Arc;

use rayon::prelude::*;

use crate::finding::{FileId, Finding, Severity};
use crate::kustomize::{self, Built, KustError};

use super::origins::{
    BuiltFile, BuiltMaps, FileIds, Locate, Located, built_file_in_parts, canonical,
};
use crate::load::file::FileRole;
use crate::model::LoadedFile;
use crate::rule_id::RuleId;
use crate::source::Span;

/// What [`build`] adds to the run.
pub(crate) struct Added {
    /// The built files, and how their spans map back.
    pub(crate) maps: BuiltMaps,
    pub(crate) findings: Vec<Finding>,
    /// For each file appended to `files`: whether it is reported (an origin file outside the
    /// linted paths) or only seen by rules (a built file).
    pub(crate) reported: Vec<bool>,
}

/// A root's built text: each emitted node that has an origin, as (span in the built text,
/// origin file, origin span).
struct RootMap {
    origins: Vec<(Span, FileId, Span)>,
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

/// A root's objects as emitted, each with its fingerprint (shared by roots that emit it alike).
type EmittedObjects = Vec<(u64, Arc<kustomize::emit::Emitted>)>;

/// The kustomization builds of a run: every root among the run's files, and its result.
pub(crate) struct Builds {
    roots: Vec<(FileId, PathBuf)>,
    results: Vec<Result<Built, KustError>>,
    /// The canonical path of each root's kustomization file.
    root_files: Vec<PathBuf>,
    /// The top-level roots: built, and not read by another successful build.
    top: Vec<usize>,
    /// Each top-level root's objects, emitted (with a fingerprint of each). Objects several
    /// roots build alike (a base's CRDs in every overlay) share one copy.
    emitted: Vec<EmittedObjects>,
}

impl Builds {
    pub(crate) fn is_empty(&self) -> bool {
        self.roots.is_empty()
    }
}

/// Builds every kustomization among the run's files (`paths`, indexed by file id) in
/// parallel, sharing one cache of built bases, then emits the top-level roots' objects in
/// parallel. Reads the file system only, never the loaded files, so it runs while they load;
/// [`apply`] brings the results in.
pub(crate) fn build(paths: &[&str]) -> Builds {
    let roots: Vec<(FileId, PathBuf)> = paths
        .iter()
        .enumerate()
        .filter_map(|(id, path)| root_dir(path).map(|dir| (id, dir)))
        .collect();
    let builder = kustomize::Builder::default();
    // Objects several roots emit alike (a base's CRDs in every overlay) share one copy.
    let shared: std::sync::Mutex<HashMap<u64, Arc<kustomize::emit::Emitted>>> =
        std::sync::Mutex::default();
    // Each root is emitted as soon as it is built and its objects dropped: holding every root's
    // object trees until all builds were done was most of the build stage's memory (massif,
    // `-j2`). Which roots are top-level is known only then; the others' emitted objects are
    // dropped (emitting them costs little: it is the cheap end of a build).
    let (mut results, emitted): (Vec<Result<Built, KustError>>, Vec<Option<EmittedObjects>>) =
        roots
            .par_iter()
            .map(|(_, dir)| {
                let started = crate::timings::start();
                // A panic in the builder is caught here, at the root's boundary: that root is
                // reported as an internal error and the run goes on (the shared cache holds
                // only finished builds).
                let built =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| builder.build(dir)))
                        .unwrap_or_else(|payload| {
                            Err(KustError {
                                file: dir.join("kustomization.yaml"),
                                span: None,
                                message: format!(
                                    "kubeward crashed while building it (a bug in kubeward, not \
                                     in the kustomization; please report it): {}",
                                    crate::finding::panic_detail(&*payload)
                                ),
                            })
                        });
                crate::timings::add(crate::timings::Sum::KustomizeBuilds, started);
                match built {
                    Ok(mut built) => {
                        let emitted = emit_root(&built, &shared);
                        // The objects are needed only as emitted text.
                        built.resources = Vec::new();
                        (Ok(built), emitted)
                    }
                    Err(e) => (Err(e), Some(Vec::new())),
                }
            })
            .unzip();
    drop(builder);
    drop(shared);
    let root_files: Vec<PathBuf> = roots
        .iter()
        .map(|(id, _)| canonical(Path::new(paths.get(*id).copied().unwrap_or(""))))
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
    let top: Vec<usize> = (0..results.len())
        .filter(|i| {
            results.get(*i).is_some_and(Result::is_ok)
                && root_files
                    .get(*i)
                    .is_some_and(|f| !included.contains(f.as_path()))
        })
        .collect();
    drop(included);
    let mut emitted: Vec<Option<Option<EmittedObjects>>> = emitted.into_iter().map(Some).collect();
    let mut top_emitted = Vec::with_capacity(top.len());
    let mut kept_top = Vec::with_capacity(top.len());
    for index in top {
        match emitted.get_mut(index).and_then(Option::take).flatten() {
            Some(objects) => {
                kept_top.push(index);
                top_emitted.push(objects);
            }
            // `None`: writing the root's objects crashed (a bug in kubeward): reported for
            // that root.
            None => {
                if let (Some(result), Some((_, dir))) = (results.get_mut(index), roots.get(index)) {
                    *result = Err(KustError {
                        file: dir.join("kustomization.yaml"),
                        span: None,
                        message: "kubeward crashed while writing its built objects (a bug in \
                                  kubeward, not in the kustomization; please report it)"
                            .to_owned(),
                    });
                }
            }
        }
    }
    drop(emitted);
    let (top, emitted) = (kept_top, top_emitted);
    Builds {
        roots,
        results,
        root_files,
        top,
        emitted,
    }
}

/// A built root's objects emitted, each with its fingerprint; objects emitted alike by
/// several roots share the copy in `shared`. `None`: emitting crashed (a bug in kubeward).
fn emit_root(
    built: &Built,
    shared: &std::sync::Mutex<HashMap<u64, Arc<kustomize::emit::Emitted>>>,
) -> Option<EmittedObjects> {
    let started = crate::timings::start();
    let emitted = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        built
            .resources
            .par_iter()
            .map(|resource| {
                let emitted = kustomize::emit::emit(&resource.obj);
                let fingerprint = fingerprint(&emitted);
                // A poisoned lock (a panic elsewhere while inserting) left the map whole: go
                // on with it.
                let mut shared = shared
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                let emitted = shared
                    .entry(fingerprint)
                    .or_insert_with(|| Arc::new(emitted))
                    .clone();
                (fingerprint, emitted)
            })
            .collect()
    }))
    .ok();
    crate::timings::add(crate::timings::Sum::KustomizeEmit, started);
    emitted
}

/// Brings the builds into the run: appends the top-level roots' output (and origin files not
/// in the run) to `files`, and empties the documents of the files those builds read.
pub(crate) fn apply(files: &mut Vec<LoadedFile>, ids: &mut FileIds, builds: Builds) -> Added {
    let Builds {
        roots,
        results,
        root_files,
        top,
        emitted,
    } = builds;
    let mut added = Added {
        maps: BuiltMaps::default(),
        findings: Vec::new(),
        reported: Vec::new(),
    };
    if roots.is_empty() {
        return added;
    }
    report_failures(files, ids, &roots, &results, &mut added.findings);
    let top: Vec<(usize, &Built)> = top
        .iter()
        .filter_map(|i| results.get(*i)?.as_ref().ok().map(|b| (*i, b)))
        .collect();
    // The files the top-level builds read are linted through them, never on their own.
    let consumed: BTreeSet<&Path> = top
        .iter()
        .flat_map(|(_, b)| b.files.iter().map(PathBuf::as_path))
        .collect();
    let own_roots: HashSet<&Path> = root_files.iter().map(PathBuf::as_path).collect();
    for (path, id) in ids.iter() {
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
                Some(id) => (id, note.span.unwrap_or_default()),
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
    // In root order, on this thread: which copy of a repeated object is kept, and the file id
    // of every origin file (a file outside the run is read now, so ids stay in this order).
    // Then each root's text is written and parsed on its own, in parallel.
    let mut kept = Vec::new();
    // One canonical path and id per origin file, not per emitted node: `canonicalize` makes a
    // system call per path component, and once per node it was 1.2 M `readlink` calls, 40% of
    // a run on the real corpus, on one thread (perf, `--timings`).
    let mut origin_ids: HashMap<Arc<str>, Option<FileId>> = HashMap::new();
    // An object several roots build identically (a base's CRD in every overlay) is linted
    // once: its findings would be the same, at the same origins.
    let mut seen_objects: HashSet<u64> = HashSet::new();
    for ((index, _), objects) in top.iter().zip(emitted) {
        let objects: Vec<Arc<kustomize::emit::Emitted>> = objects
            .into_iter()
            .filter(|(fingerprint, _)| seen_objects.insert(*fingerprint))
            .map(|(_, emitted)| emitted)
            .collect();
        let Some((root_id, _)) = roots.get(*index) else {
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
        let mut last: Option<&Arc<str>> = None;
        for (_, origin) in objects.iter().flat_map(|e| &e.origins) {
            // Runs of nodes share their file's name (one `Arc`): look each run up once.
            if last.is_some_and(|l| Arc::ptr_eq(l, &origin.file)) {
                continue;
            }
            last = Some(&origin.file);
            if !origin_ids.contains_key(&origin.file) {
                let path = canonical(Path::new(origin.file.as_ref()));
                // A base outside the linted paths is read so findings can show it.
                let id = ids.ensure(&path, files, &mut added.reported);
                origin_ids.insert(origin.file.clone(), id);
            }
        }
        kept.push((root, kfile, objects));
    }
    let parsed: Vec<_> = kept
        .into_par_iter()
        .map(|(root, kfile, objects)| {
            let mut text = String::new();
            let mut origins = Vec::new();
            let mut last: Option<(Arc<str>, Option<FileId>)> = None;
            // Each object with the separator before it: one document each.
            let mut parts = Vec::with_capacity(objects.len());
            for emitted in objects {
                let part_start = text.len();
                if !text.is_empty() {
                    text.push_str("---\n");
                }
                let start = text.len();
                text.push_str(&emitted.text);
                for (span, origin) in &emitted.origins {
                    let id = match &last {
                        Some((file, id)) if Arc::ptr_eq(file, &origin.file) => *id,
                        _ => {
                            let id = origin_ids.get(&origin.file).copied().flatten();
                            last = Some((origin.file.clone(), id));
                            id
                        }
                    };
                    let Some(id) = id else {
                        continue;
                    };
                    origins.push((
                        Span::new(span.start + start, span.end + start),
                        id,
                        origin.span,
                    ));
                }
                parts.push((part_start, text.len()));
            }
            let file = built_file_in_parts(format!("{kfile} (built)"), text, &parts);
            (root, file, origins)
        })
        .collect();
    for (root, file, origins) in parsed {
        added.maps.files.insert(
            files.len(),
            BuiltFile {
                name: root,
                map: Box::new(RootMap { origins }),
            },
        );
        files.push(file);
        added.reported.push(false);
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
    ids: &FileIds,
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
                at,
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

impl Locate for RootMap {
    /// The origin of the node a span of the built text points at: the innermost emitted node
    /// containing it; for a span on a key (the node containing it spans lines), the node
    /// written after it on the same line, which is the key's value in the source too.
    fn locate(&self, text: &str, span: Span) -> Option<Located> {
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
                return Some(Located {
                    file: *file,
                    span: *origin,
                    value: None,
                });
            }
        }
        containing.map(|(_, file, origin)| Located {
            file: *file,
            span: *origin,
            value: None,
        })
    }
}
