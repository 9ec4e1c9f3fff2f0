//! What the build stages share (kustomize roots, Helm charts): files the run writes (a root's
//! built YAML, a chart's rendered stream) are linted like any file, then each finding on them
//! moves to the origin of what it points at. [`BuiltMaps::remap`] does the moving, once for all
//! stages; each stage says how a span of its text maps back ([`Locate`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::discover::{PathBase, display_name};
use crate::finding::{FileId, Finding, Label};
use crate::load::file::FileRole;
use crate::load::input::read_regular_file;
use crate::model::{LoadedFile, Workspace};
use crate::source::{SourceFile, Span};

pub(crate) fn canonical(p: &Path) -> PathBuf {
    p.canonicalize().unwrap_or_else(|_| p.to_path_buf())
}

/// Where a span of a built text came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Located {
    pub(crate) file: FileId,
    pub(crate) span: Span,
    /// A value the text printed, where it was set (a chart's values line).
    pub(crate) value: Option<(FileId, Span)>,
}

pub(crate) trait Locate: Send + Sync {
    fn locate(&self, text: &str, span: Span) -> Option<Located>;
}

/// The files of the run by canonical path; files a build read that are not in the run are
/// added (reported, without documents) so findings can show them.
pub(crate) struct FileIds {
    ids: HashMap<PathBuf, FileId>,
    base: PathBase,
}

impl FileIds {
    pub(crate) fn new(files: &[LoadedFile]) -> FileIds {
        // Each folder is resolved once (a `realpath` costs a system call per path component,
        // and a repository has many files per folder); walks never return symbolic links, so
        // a file's real path is its real folder joined with its name.
        let mut folders: HashMap<&Path, PathBuf> = HashMap::new();
        let mut ids = HashMap::with_capacity(files.len());
        for (id, f) in files.iter().enumerate() {
            let path = Path::new(&f.source.path);
            let real = match (path.parent(), path.file_name()) {
                (Some(dir), Some(name)) => {
                    let dir = if dir.as_os_str().is_empty() {
                        Path::new(".")
                    } else {
                        dir
                    };
                    folders
                        .entry(dir)
                        .or_insert_with(|| canonical(dir))
                        .join(name)
                }
                _ => canonical(path),
            };
            ids.insert(real, id);
        }
        FileIds {
            ids,
            base: PathBase::current(),
        }
    }

    pub(crate) fn get(&self, path: &Path) -> Option<FileId> {
        self.ids.get(path).copied()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&PathBuf, &FileId)> {
        self.ids.iter()
    }

    /// The id of the file at `path` (canonical), reading it into the run when it is not there.
    pub(crate) fn ensure(
        &mut self,
        path: &Path,
        files: &mut Vec<LoadedFile>,
        reported: &mut Vec<bool>,
    ) -> Option<FileId> {
        if let Some(id) = self.ids.get(path) {
            return Some(*id);
        }
        let source = read_regular_file(path).ok()?;
        let id = files.len();
        let mut file = LoadedFile::manifest(
            SourceFile::new(display_name(path, &self.base), source),
            Vec::new(),
        );
        file.role = FileRole::Consumed;
        files.push(file);
        reported.push(true);
        self.ids.insert(path.to_path_buf(), id);
        Some(id)
    }
}

/// The workspace file of a build's output (role `Built`): its text parsed once, shared by the
/// source and the documents.
pub(crate) fn built_file(path: String, text: String) -> LoadedFile {
    built_file_in_parts(path, text, &[])
}

/// [`built_file`] for a text whose documents the caller wrote: `parts` split it into them
/// (see [`crate::load::parse_parts`]; a large text's documents are parsed in parallel).
pub(crate) fn built_file_in_parts(
    path: String,
    text: String,
    parts: &[(usize, usize)],
) -> LoadedFile {
    let text: std::sync::Arc<str> = std::sync::Arc::from(text);
    let loaded = crate::load::parse_parts(&text, parts);
    let mut file = LoadedFile::manifest(SourceFile::new(path, text), loaded.documents);
    file.role = FileRole::Built;
    file
}

/// A built file: its name in messages (`overlays/prod`, a chart and its values) and its map.
pub(crate) struct BuiltFile {
    pub(crate) name: String,
    pub(crate) map: Box<dyn Locate>,
}

/// Every built file of the run, by file id.
#[derive(Default)]
pub(crate) struct BuiltMaps {
    pub(crate) files: HashMap<FileId, BuiltFile>,
}

/// A span cut at the end of its first line: a finding on a node that came from a whole block
/// of the source (an object, a container, an inline patch) points at the block's first line.
pub(crate) fn first_line(text: &str, span: Span) -> Span {
    match text.get(span.start..span.end).and_then(|t| t.find('\n')) {
        Some(n) => Span::new(span.start, span.start + n),
        None => span,
    }
}

impl BuiltMaps {
    /// Moves every finding on a built file to the origin of what it points at; a finding
    /// reached from several builds at one origin is kept once, naming them.
    pub(crate) fn remap(&self, ws: &Workspace, findings: &mut Vec<Finding>) {
        if self.files.is_empty() {
            return;
        }
        // (rule, file, span) of each remapped finding kept → its index and the builds.
        let mut seen: HashMap<(String, FileId, Span), (usize, Vec<String>)> = HashMap::new();
        let mut keep = vec![true; findings.len()];
        for (index, finding) in findings.iter_mut().enumerate() {
            let Some(built) = self.files.get(&finding.file) else {
                continue;
            };
            let text = ws.source(finding.file).text.clone();
            let located = built.map.locate(&text, finding.span);
            let (file, span) = located.map_or((finding.file, finding.span), |l| {
                (l.file, first_line(&ws.source(l.file).text, l.span))
            });
            for label in &mut finding.related {
                if label.file == finding.file
                    && let Some(l) = built.map.locate(&text, label.span)
                {
                    label.file = l.file;
                    label.span = first_line(&ws.source(l.file).text, l.span);
                }
            }
            if let Some((vfile, vspan)) = located.and_then(|l| l.value) {
                finding.related.push(Label {
                    file: vfile,
                    span: first_line(&ws.source(vfile).text, vspan),
                    text: "the value is set here".to_owned(),
                });
            }
            finding.redact = finding
                .redact
                .iter()
                .filter_map(|s| built.map.locate(&text, *s))
                .filter(|l| l.file == file)
                .map(|l| l.span)
                .collect();
            finding.file = file;
            finding.span = span;
            let key = (finding.rule.as_str().to_owned(), file, span);
            match seen.get_mut(&key) {
                Some((_, names)) => {
                    if !names.contains(&built.name) {
                        names.push(built.name.clone());
                    }
                    if let Some(k) = keep.get_mut(index) {
                        *k = false;
                    }
                }
                None => {
                    seen.insert(key, (index, vec![built.name.clone()]));
                }
            }
        }
        for (index, names) in seen.into_values() {
            if names.len() > 1
                && let Some(finding) = findings.get_mut(index)
            {
                finding.message = format!(
                    "{} (in the builds of {})",
                    finding.message,
                    names.join(", ")
                );
            }
        }
        let mut keep = keep.into_iter();
        findings.retain(|_| keep.next().unwrap_or(true));
    }
}
