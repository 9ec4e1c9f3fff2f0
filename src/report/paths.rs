//! Paths in reports read by code hosts (SARIF, GitHub annotations, JUnit): relative to the
//! repository root, with forward slashes, so GitHub can place them on its own copy of the files
//! whatever directory kubeward ran from.

use std::path::{Component, Path, PathBuf};

use crate::outcome::LintResult;

/// The directory report paths are relative to: the repository root, i.e. the nearest directory
/// holding `.git` from the working directory up, else the working directory itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRoot {
    /// Where relative source paths start (the working directory).
    cwd: PathBuf,
    /// The repository root (absolute).
    root: PathBuf,
}

impl ReportRoot {
    /// From the process's working directory.
    pub fn discover() -> ReportRoot {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
        ReportRoot::from_dir(&cwd)
    }

    /// From a working directory: the root is its nearest ancestor (or itself) holding `.git`.
    pub fn from_dir(cwd: &Path) -> ReportRoot {
        let cwd = normalize(cwd);
        let root = cwd
            .ancestors()
            .find(|dir| dir.join(".git").exists())
            .unwrap_or(&cwd)
            .to_path_buf();
        ReportRoot { cwd, root }
    }

    /// The repository root as an absolute path.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The root as a `file:` URI ending in `/` (SARIF's `originalUriBaseIds`).
    pub fn root_uri(&self) -> String {
        let mut uri = String::from("file://");
        let path = self.root.to_string_lossy().replace('\\', "/");
        if !path.starts_with('/') {
            uri.push('/');
        }
        uri.push_str(&percent_encode_path(&path));
        if !uri.ends_with('/') {
            uri.push('/');
        }
        uri
    }

    /// Where a reported source file is.
    pub fn locate(&self, display: &str) -> ReportPath {
        if display == STDIN {
            return ReportPath::Stdin;
        }
        let absolute = normalize(&self.cwd.join(display));
        if let Some(relative) = relative_to(&absolute, &self.root) {
            return ReportPath::Repository(relative);
        }
        // Symlinked directories: compare real paths.
        if let (Ok(real), Ok(root)) = (
            std::fs::canonicalize(&absolute),
            std::fs::canonicalize(&self.root),
        ) && let Some(relative) = relative_to(&real, &root)
        {
            return ReportPath::Repository(relative);
        }
        ReportPath::Outside(absolute.to_string_lossy().replace('\\', "/"))
    }

    /// The path to show for a file: repository-relative when it is inside the repository, else
    /// absolute; `<stdin>` for standard input.
    pub fn display(&self, result: &LintResult, file: usize) -> String {
        let source = result.workspace.source(file);
        match self.locate(&source.path) {
            ReportPath::Repository(path) | ReportPath::Outside(path) => path,
            ReportPath::Stdin => STDIN.to_string(),
        }
    }
}

/// The display path of standard input (see `discover`).
const STDIN: &str = "<stdin>";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportPath {
    /// Relative to the repository root, `/`-separated, never starting with `./` or `../`.
    Repository(String),
    /// An absolute path outside the repository.
    Outside(String),
    Stdin,
}

/// Removes `.` components and resolves `..` lexically (the path need not exist).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

fn relative_to(path: &Path, root: &Path) -> Option<String> {
    let relative = path.strip_prefix(root).ok()?;
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.is_empty() {
        return None;
    }
    Some(parts.join("/"))
}

/// Percent-encodes a `/`-separated path for use in a URI: everything but RFC 3986's unreserved
/// characters and `/` is encoded, byte by byte (UTF-8).
pub(crate) fn percent_encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tempdir(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("kubeward-paths-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn paths_are_relative_to_the_nearest_git_root() {
        let repo = tempdir("root");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        std::fs::create_dir_all(repo.join("deploy/apps")).unwrap();
        let from_sub = ReportRoot::from_dir(&repo.join("deploy"));
        assert_eq!(from_sub.root(), normalize(&repo));
        assert_eq!(
            from_sub.locate("./apps/web.yaml"),
            ReportPath::Repository("deploy/apps/web.yaml".to_string())
        );
        assert_eq!(
            from_sub.locate("../deploy/./apps/../x.yaml"),
            ReportPath::Repository("deploy/x.yaml".to_string())
        );
        assert_eq!(from_sub.locate("<stdin>"), ReportPath::Stdin);
        assert_eq!(
            from_sub.locate("/elsewhere/x.yaml"),
            ReportPath::Outside("/elsewhere/x.yaml".to_string())
        );
        let abs = repo.join("deploy/apps/web.yaml");
        assert_eq!(
            from_sub.locate(&abs.to_string_lossy()),
            ReportPath::Repository("deploy/apps/web.yaml".to_string())
        );
        let _ = std::fs::remove_dir_all(&repo);
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(
            percent_encode_path("a b/ü%#?.yaml"),
            "a%20b/%C3%BC%25%23%3F.yaml"
        );
        let root = ReportRoot {
            cwd: PathBuf::from("/src/my repo"),
            root: PathBuf::from("/src/my repo"),
        };
        assert_eq!(root.root_uri(), "file:///src/my%20repo/");
    }
}
