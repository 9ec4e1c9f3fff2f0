//! The target Kubernetes version of a run (`--kube-version`, the config's `kube-version`):
//! one type, with the behaviour that depends on it asked of it by the layers above.
//!
//! The bottom layer: imports nothing of the crate.

/// A target Kubernetes version, `1.33`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KubeVersion {
    pub major: u32,
    pub minor: u32,
}

impl KubeVersion {
    /// Parses `1.33` or `v1.33` (a patch version, `1.33.2`, is accepted and ignored).
    pub fn parse(text: &str) -> Option<KubeVersion> {
        let text = text.strip_prefix('v').unwrap_or(text);
        let mut parts = text.split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        if let Some(patch) = parts.next() {
            patch.parse::<u32>().ok()?;
        }
        if parts.next().is_some() {
            return None;
        }
        Some(KubeVersion { major, minor })
    }
}

impl std::fmt::Display for KubeVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}
