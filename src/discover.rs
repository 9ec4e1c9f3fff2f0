//! Turning command-line paths into the list of sources to read.

use std::path::{Path, PathBuf};

use std::sync::Arc;

use crate::error::Error;
use crate::source::absolute_normalized;

/// Where a source comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputOrigin {
    Stdin,
    /// A file named on the command line: always linted, whatever its name.
    Explicit(PathBuf),
    /// A file found by walking a directory.
    Walked(PathBuf),
    /// A directory entry the walk could not read (reported as `io-error`).
    Unreadable(PathBuf, String),
}

/// How a source is read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SourceKind {
    /// YAML or JSON (and anything named explicitly that is not a Dockerfile).
    #[default]
    Manifest,
    Dockerfile,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// The path as shown in findings: normalised once, here, from the file's real folder
    /// (symlinked folders resolved, the file name kept): relative to the current directory
    /// (`k8s/pod.yaml`, `../other/x.yaml`, never `./`), absolute when the two share nothing
    /// but `/`. So `kubeward .`, `kubeward k8s/pod.yaml` and `--context .` name a file alike,
    /// and "files in the same folder" (a LimitRange's default namespace) is a property of it.
    pub display: String,
    /// The same file relative to the repository root (the nearest folder holding `.git` from
    /// the current directory up, else the current directory): what fingerprints and baselines
    /// record, the same from any subfolder.
    pub key: String,
    pub origin: InputOrigin,
    pub kind: SourceKind,
}

impl Input {
    pub fn is_explicit(&self) -> bool {
        matches!(self.origin, InputOrigin::Stdin | InputOrigin::Explicit(_))
    }
}

/// What walks left out, for the summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    /// Symbolic links met while walking (never followed, never read; their targets are not
    /// looked at).
    pub symlinks: usize,
    /// Files kubeward would have read, and folders, that a `.gitignore`, `.ignore` or
    /// `.git/info/exclude` of the repository ignores.
    pub ignored: usize,
    /// Files named on the command line under a `--context` folder that its walk does not read
    /// (hidden, ignored or symbolic links): not linted, as `kubeward DIR` does not lint them.
    pub unwalked: usize,
}

/// The result of [`discover_all`].
#[derive(Debug, Clone, Default)]
pub struct Discovered {
    pub inputs: Vec<Input>,
    pub skipped: Skipped,
}

/// Where displayed paths and path keys start: the current directory and its repository root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathBase {
    cwd: PathBuf,
    root: PathBuf,
}

impl PathBase {
    /// From the process's current directory.
    pub fn current() -> PathBase {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
        PathBase::from_dir(&cwd)
    }

    /// From a directory (made canonical): the root is the repository holding it, else itself.
    pub fn from_dir(cwd: &Path) -> PathBase {
        let cwd = std::fs::canonicalize(cwd).unwrap_or_else(|_| absolute_normalized(cwd));
        let root = repository_root(&cwd).unwrap_or_else(|| cwd.clone());
        PathBase { cwd, root }
    }

    /// The repository root (or the current directory outside a repository).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `(display, key)` of a real (canonical) path.
    fn names(&self, real: &Path) -> (String, String) {
        (
            relative_text(real, &self.cwd),
            relative_text(real, &self.root),
        )
    }
}

/// How a path named on the command line is displayed in findings (see [`Input::display`]).
pub fn display_name(path: &Path, base: &PathBase) -> String {
    base.names(&real_path_of(path)).0
}

/// The nearest ancestor of `dir` (or `dir` itself) holding `.git`, a folder or a file (as in
/// worktrees and submodules).
pub fn repository_root(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|d| std::fs::symlink_metadata(d.join(".git")).is_ok())
        .map(Path::to_path_buf)
}

/// `path` relative to `base` with `/` separators and `..` where it is outside, or absolute
/// when the two share nothing but the file system root. Both are absolute and normalised.
fn relative_text(path: &Path, base: &Path) -> String {
    use std::path::Component;
    let path_parts: Vec<Component> = path.components().collect();
    let base_parts: Vec<Component> = base.components().collect();
    let common = path_parts
        .iter()
        .zip(&base_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let shares_only_root = common <= 1 && path_parts.len() > 1 && base_parts.len() > 1;
    if shares_only_root {
        return path.to_string_lossy().into_owned();
    }
    let mut parts: Vec<String> = Vec::new();
    for _ in base_parts.iter().skip(common) {
        parts.push("..".to_string());
    }
    for part in path_parts.iter().skip(common) {
        parts.push(part.as_os_str().to_string_lossy().into_owned());
    }
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

/// The real path of a file named on the command line: its folder made canonical, its own name
/// kept (a symlink named explicitly keeps its name: its target is never shown).
fn real_path_of(path: &Path) -> PathBuf {
    let absolute = absolute_normalized(path);
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        // A FIFO or device (`<(helm template ...)` is `/dev/fd/63`): named as given.
        return absolute;
    }
    match (absolute.parent(), absolute.file_name()) {
        (Some(parent), Some(name)) => std::fs::canonicalize(parent)
            .unwrap_or_else(|_| parent.to_path_buf())
            .join(name),
        _ => std::fs::canonicalize(&absolute).unwrap_or(absolute),
    }
}

/// YAML and JSON files, considered when walking directories.
pub fn is_manifest_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "yaml" | "yml" | "json"))
}

/// `Dockerfile`, `*.Dockerfile`, `Dockerfile.*` (and podman's `Containerfile` spellings),
/// in any letter case; not `Dockerfile.dockerignore`.
pub fn is_dockerfile_name(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".dockerignore") || is_manifest_name(path) {
        return false;
    }
    ["dockerfile", "containerfile"].iter().any(|base| {
        lower == *base
            || lower.ends_with(&format!(".{base}"))
            || lower.starts_with(&format!("{base}."))
    })
}

/// How a walked file is read, or `None` when walks skip it.
pub fn classify(path: &Path) -> Option<SourceKind> {
    if is_manifest_name(path) {
        Some(SourceKind::Manifest)
    } else if is_dockerfile_name(path) {
        Some(SourceKind::Dockerfile)
    } else {
        None
    }
}

/// Expands paths (see [`discover_all`]); paths are named from the current directory.
pub fn discover(paths: &[String]) -> Result<Vec<Input>, Error> {
    Ok(discover_all(paths, &PathBase::current())?.inputs)
}

/// Expands paths: directories are walked (hidden entries skipped; paths ignored by the
/// `.gitignore` and `.ignore` files of the repository, from its root down, skipped; every
/// symlink skipped and counted, its target never looked at), files are taken as given (a
/// symlink named on the command line is read), `-` is stdin. The result is sorted by display
/// path and has no duplicates. A path that does not exist is a usage error.
pub fn discover_all(paths: &[String], base: &PathBase) -> Result<Discovered, Error> {
    discover_with(paths, base, &|_| {}, true)
}

/// [`discover_all`], handing each input to `each` as soon as it is found (in no particular
/// order; a path named twice is handed twice, and the result keeps one), so reading can start
/// while the walk goes on. The walk runs on the calling thread alone: `each` hands the inputs
/// to the other threads. Inputs found before a path that does not exist have been handed out
/// when that error returns.
pub fn discover_each(
    paths: &[String],
    base: &PathBase,
    each: &(dyn Fn(&Input) + Sync),
) -> Result<Discovered, Error> {
    discover_with(paths, base, each, false)
}

fn discover_with(
    paths: &[String],
    base: &PathBase,
    each: &(dyn Fn(&Input) + Sync),
    parallel: bool,
) -> Result<Discovered, Error> {
    let mut found = Discovered::default();
    let push = |found: &mut Discovered, input: Input| {
        each(&input);
        found.inputs.push(input);
    };
    for arg in paths {
        if arg == "-" {
            push(
                &mut found,
                Input {
                    display: "<stdin>".to_string(),
                    key: "<stdin>".to_string(),
                    origin: InputOrigin::Stdin,
                    kind: SourceKind::Manifest,
                },
            );
            continue;
        }
        let path = PathBuf::from(arg);
        // A path that does not exist stops the run; a dangling symlink exists (as a link) and
        // becomes an `io-error` finding when it is read.
        std::fs::symlink_metadata(&path).map_err(|source| Error::Path {
            path: arg.clone(),
            source,
        })?;
        if !path.is_dir() {
            let (display, key) = base.names(&real_path_of(&path));
            push(
                &mut found,
                Input {
                    display,
                    key,
                    kind: classify(&path).unwrap_or_default(),
                    origin: InputOrigin::Explicit(path),
                },
            );
            continue;
        }
        let real = std::fs::canonicalize(&path).unwrap_or_else(|_| absolute_normalized(&path));
        walk(&real, base, each, parallel, &mut found);
    }
    found.inputs.sort_by(|a, b| a.display.cmp(&b.display));
    found.inputs.dedup_by(|a, b| a.display == b.display);
    Ok(found)
}

/// The ignore files of one folder, most specific first (`.ignore`, `.gitignore`, and at a
/// repository root `.git/info/exclude`).
struct IgnoreLevel {
    matchers: Vec<ignore::gitignore::Gitignore>,
}

impl IgnoreLevel {
    fn read(dir: &Path, is_root: bool) -> Option<Arc<IgnoreLevel>> {
        let mut files = vec![dir.join(".ignore"), dir.join(".gitignore")];
        if is_root {
            files.push(dir.join(".git").join("info").join("exclude"));
        }
        let matchers: Vec<_> = files
            .iter()
            // Never through a symlink: `.gitignore -> /etc/shadow` is not read.
            .filter(|f| std::fs::symlink_metadata(f).is_ok_and(|m| m.is_file()))
            .filter_map(|file| {
                let mut builder = ignore::gitignore::GitignoreBuilder::new(dir);
                // A malformed line is skipped, as git does; the others still count.
                let _ = builder.add(file);
                builder.build().ok()
            })
            .filter(|m| !m.is_empty())
            .collect();
        (!matchers.is_empty()).then(|| Arc::new(IgnoreLevel { matchers }))
    }
}

/// Is `path` ignored by these levels (outermost first), the nearest deciding?
fn is_ignored(levels: &[Arc<IgnoreLevel>], path: &Path, is_dir: bool) -> bool {
    use ignore::Match;
    for level in levels.iter().rev() {
        for matcher in &level.matchers {
            match matcher.matched(path, is_dir) {
                Match::Ignore(_) => return true,
                Match::Whitelist(_) => return false,
                Match::None => {}
            }
        }
    }
    false
}

/// The ignore levels that apply at the start of a walk of `real`: those of its repository
/// from the root down to `real`'s parent (a `.gitignore` above the repository root is never
/// read, as git does not). Outside a repository, none: the walk's own folder starts them.
fn levels_above(real: &Path) -> Vec<Arc<IgnoreLevel>> {
    let Some(root) = repository_root(real) else {
        return Vec::new();
    };
    let mut dirs: Vec<&Path> = real
        .ancestors()
        .skip(1)
        .take_while(|d| d.starts_with(&root))
        .collect();
    dirs.reverse();
    dirs.into_iter()
        .filter_map(|d| IgnoreLevel::read(d, d == root))
        .collect()
}

/// A folder to walk, with the ignore files that apply in it.
type Folder = (PathBuf, Vec<Arc<IgnoreLevel>>);

/// Walks `root` (a real folder) without following any symlink, one depth at a time, and
/// hands each input to `each` as soon as its folder is read (the order found does not matter:
/// [`discover_all`] sorts). `parallel`: the folders of a depth are read in parallel, for a
/// walk that nothing waits on; else on this thread alone, uninterrupted, which is what a caller
/// that hands the inputs to the pool's other threads wants (a worker waiting on a parallel
/// walk would take up those tasks and finish the walk late).
fn walk(
    root: &Path,
    base: &PathBase,
    each: &(dyn Fn(&Input) + Sync),
    parallel: bool,
    found: &mut Discovered,
) {
    use rayon::prelude::*;
    let mut start = levels_above(root);
    let root_is_repo = std::fs::symlink_metadata(root.join(".git")).is_ok();
    if root_is_repo {
        // A repository's own root: nothing above it counts.
        start.clear();
    }
    start.extend(IgnoreLevel::read(root, root_is_repo));
    let scan = |(dir, levels): &Folder| {
        let scanned = scan_folder(dir, levels, base);
        for input in &scanned.0.inputs {
            each(input);
        }
        scanned
    };
    let mut depth: Vec<Folder> = vec![(root.to_path_buf(), start)];
    while !depth.is_empty() {
        let scanned: Vec<(Discovered, Vec<Folder>)> = if parallel {
            depth.par_iter().map(scan).collect()
        } else {
            depth.iter().map(scan).collect()
        };
        depth = Vec::new();
        for (part, folders) in scanned {
            found.inputs.extend(part.inputs);
            found.skipped.symlinks += part.skipped.symlinks;
            found.skipped.ignored += part.skipped.ignored;
            depth.extend(folders);
        }
    }
}

/// One folder of a walk: its files (and unreadable entries), and its sub-folders to walk
/// with the ignore files that apply in them.
fn scan_folder(
    dir: &Path,
    levels: &[Arc<IgnoreLevel>],
    base: &PathBase,
) -> (Discovered, Vec<Folder>) {
    let mut found = Discovered::default();
    let mut folders = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) => {
            unreadable(&mut found, base, dir, &err.to_string());
            return (found, folders);
        }
    };
    let mut children: Vec<(PathBuf, std::fs::FileType)> = Vec::new();
    for entry in entries {
        match entry.and_then(|e| Ok((e.path(), e.file_type()?))) {
            Ok(child) => children.push(child),
            Err(err) => unreadable(&mut found, base, dir, &err.to_string()),
        }
    }
    for (path, file_type) in children {
        let hidden = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if hidden {
            continue;
        }
        if file_type.is_symlink() {
            found.skipped.symlinks += 1;
            continue;
        }
        let is_dir = file_type.is_dir();
        let kind = classify(&path);
        if !is_dir && !file_type.is_file() {
            // FIFOs, sockets, devices: a walk never reads them.
            continue;
        }
        if is_ignored(levels, &path, is_dir) {
            if is_dir || kind.is_some() {
                found.skipped.ignored += 1;
            }
            continue;
        }
        if is_dir {
            let nested_repo = std::fs::symlink_metadata(path.join(".git")).is_ok();
            // A nested repository (a submodule) has its own ignore files only.
            let mut next = if nested_repo {
                Vec::new()
            } else {
                levels.to_vec()
            };
            next.extend(IgnoreLevel::read(&path, nested_repo));
            folders.push((path, next));
        } else if let Some(kind) = kind {
            let (display, key) = base.names(&path);
            found.inputs.push(Input {
                display,
                key,
                origin: InputOrigin::Walked(path),
                kind,
            });
        }
    }
    (found, folders)
}

fn unreadable(found: &mut Discovered, base: &PathBase, at: &Path, message: &str) {
    let (display, key) = base.names(at);
    found.inputs.push(Input {
        display,
        key,
        origin: InputOrigin::Unreadable(at.to_path_buf(), message.to_string()),
        kind: SourceKind::Manifest,
    });
}

/// Is `path` (a file named on the command line) ignored by the `.gitignore` files of its
/// repository, as a directory walk would ignore it? Reads `.gitignore` in the file's directory
/// and its parents up to the repository root (the directory holding `.git`), nearest first,
/// and the repository's `.git/info/exclude`; outside a repository, none.
pub fn is_git_ignored(path: &Path) -> bool {
    use ignore::Match;
    use ignore::gitignore::GitignoreBuilder;
    let path = real_path_of(path);
    if std::fs::symlink_metadata(&path).is_err() || repository_root(&path).is_none() {
        // Outside a repository nothing is committed or ignored: ignore files above it are
        // not read.
        return false;
    }
    for dir in path.ancestors().skip(1) {
        let is_root = dir.join(".git").exists();
        let mut files = vec![dir.join(".gitignore")];
        if is_root {
            files.push(dir.join(".git").join("info").join("exclude"));
        }
        for file in files.iter().filter(|f| f.is_file()) {
            // Patterns are relative to `dir` (for `info/exclude`, the repository root).
            let mut builder = GitignoreBuilder::new(dir);
            // A malformed line is skipped, as git does; the others still count.
            let _ = builder.add(file);
            let Ok(matcher) = builder.build() else {
                continue;
            };
            // `path` is below `dir`, so the lookup cannot panic.
            match matcher.matched_path_or_any_parents(&path, false) {
                Match::Ignore(_) => return true,
                Match::Whitelist(_) => return false,
                Match::None => {}
            }
        }
        if is_root {
            break;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockerfile_names() {
        for name in [
            "Dockerfile",
            "dockerfile",
            "api.Dockerfile",
            "Dockerfile.prod",
            "Containerfile",
            "sub/dir/Dockerfile",
        ] {
            assert!(is_dockerfile_name(Path::new(name)), "{name}");
        }
        for name in [
            "Dockerfile.dockerignore",
            "Dockerfile.yaml",
            "Dockerfiles",
            "my-dockerfile-notes.md",
            "deploy.yaml",
        ] {
            assert!(!is_dockerfile_name(Path::new(name)), "{name}");
        }
        assert_eq!(classify(Path::new("a.yml")), Some(SourceKind::Manifest));
        assert_eq!(
            classify(Path::new("Dockerfile")),
            Some(SourceKind::Dockerfile)
        );
        assert_eq!(classify(Path::new("README.md")), None);
    }

    #[test]
    fn gitignored_explicit_files() {
        let dir = std::env::temp_dir().join(format!("kubeward-gitignore-{}", std::process::id()));
        let sub = dir.join("deploy");
        std::fs::create_dir_all(dir.join(".git").join("info")).unwrap();
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(dir.join(".gitignore"), "secret*.yaml\n").unwrap();
        std::fs::write(sub.join(".gitignore"), "!secret-template.yaml\n").unwrap();
        std::fs::write(dir.join(".git/info/exclude"), "local.yaml\n").unwrap();
        for name in [
            "secret.yaml",
            "secret-template.yaml",
            "app.yaml",
            "local.yaml",
        ] {
            std::fs::write(sub.join(name), "a: 1\n").unwrap();
        }
        assert!(is_git_ignored(&sub.join("secret.yaml")));
        assert!(!is_git_ignored(&sub.join("secret-template.yaml")));
        assert!(!is_git_ignored(&sub.join("app.yaml")));
        assert!(is_git_ignored(&sub.join("local.yaml")));
        assert!(!is_git_ignored(&sub.join("missing.yaml")));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
