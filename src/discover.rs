//! Turning command-line paths into the list of sources to read.

use std::path::{Path, PathBuf};

use ignore::WalkBuilder;

use crate::error::Error;

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
    /// The path as shown in findings.
    pub display: String,
    pub origin: InputOrigin,
    pub kind: SourceKind,
}

impl Input {
    pub fn is_explicit(&self) -> bool {
        matches!(self.origin, InputOrigin::Stdin | InputOrigin::Explicit(_))
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

/// Expands paths: directories are walked (hidden entries and `.gitignore`d paths skipped,
/// symlinks not followed), files are taken as given, `-` is stdin. The result is sorted by
/// display path and has no duplicates. A path that does not exist is a usage error.
pub fn discover(paths: &[String]) -> Result<Vec<Input>, Error> {
    let mut inputs = Vec::new();
    for arg in paths {
        if arg == "-" {
            inputs.push(Input {
                display: "<stdin>".to_string(),
                origin: InputOrigin::Stdin,
                kind: SourceKind::Manifest,
            });
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
            inputs.push(Input {
                display: arg.clone(),
                kind: classify(&path).unwrap_or_default(),
                origin: InputOrigin::Explicit(path),
            });
            continue;
        }
        let walker = WalkBuilder::new(&path)
            .hidden(true)
            .git_ignore(true)
            .git_exclude(true)
            .git_global(false)
            .require_git(false)
            .follow_links(false)
            .build();
        for entry in walker {
            match entry {
                Ok(entry) => {
                    let is_file = entry.file_type().is_some_and(|t| {
                        t.is_file() || t.is_symlink() && is_file_link(entry.path())
                    });
                    let kind = classify(entry.path());
                    if let (true, Some(kind)) = (is_file, kind) {
                        inputs.push(Input {
                            display: entry.path().display().to_string(),
                            origin: InputOrigin::Walked(entry.path().to_path_buf()),
                            kind,
                        });
                    }
                }
                Err(err) => {
                    let at = error_path(&err).unwrap_or_else(|| path.clone());
                    inputs.push(Input {
                        display: at.display().to_string(),
                        origin: InputOrigin::Unreadable(at, err.to_string()),
                        kind: SourceKind::Manifest,
                    });
                }
            }
        }
    }
    inputs.sort_by(|a, b| a.display.cmp(&b.display));
    inputs.dedup_by(|a, b| a.display == b.display);
    Ok(inputs)
}

/// A symlink met while walking is read when it leads to a regular file, and when it leads
/// nowhere (a dangling link or a loop: reading it reports an `io-error`). A link to a
/// directory, a FIFO or a device is skipped: the walk does not follow links into directories,
/// and a FIFO or `/dev/zero` would be read forever. (Named on the command line, a FIFO is read:
/// `kubeward <(helm template ...)`.)
fn is_file_link(path: &Path) -> bool {
    std::fs::metadata(path).map_or(true, |target| target.is_file())
}

fn error_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

/// Is `path` (a file named on the command line) ignored by the `.gitignore` files of its
/// repository, as a directory walk would ignore it? Reads `.gitignore` in the file's directory
/// and its parents up to the repository root (the directory holding `.git`), nearest first,
/// and the repository's `.git/info/exclude`.
pub fn is_git_ignored(path: &Path) -> bool {
    use ignore::Match;
    use ignore::gitignore::GitignoreBuilder;
    let Ok(path) = std::fs::canonicalize(path) else {
        return false;
    };
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
