//! Turning command-line paths into the list of sources to read.

use std::path::{Path, PathBuf};

use ignore::WalkBuilder;

use crate::error::Error;

/// Where a source comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Stdin,
    /// A file named on the command line: always linted, whatever its name.
    Explicit(PathBuf),
    /// A file found by walking a directory.
    Walked(PathBuf),
    /// A directory entry the walk could not read (reported as `io-error`).
    Unreadable(PathBuf, String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// The path as shown in findings.
    pub display: String,
    pub origin: Origin,
}

impl Input {
    pub fn is_explicit(&self) -> bool {
        matches!(self.origin, Origin::Stdin | Origin::Explicit(_))
    }
}

/// Files considered when walking directories.
pub fn is_manifest_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "yaml" | "yml" | "json"))
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
                origin: Origin::Stdin,
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
                origin: Origin::Explicit(path),
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
                    if is_file && is_manifest_name(entry.path()) {
                        inputs.push(Input {
                            display: entry.path().display().to_string(),
                            origin: Origin::Walked(entry.path().to_path_buf()),
                        });
                    }
                }
                Err(err) => {
                    let at = error_path(&err).unwrap_or_else(|| path.clone());
                    inputs.push(Input {
                        display: at.display().to_string(),
                        origin: Origin::Unreadable(at, err.to_string()),
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
