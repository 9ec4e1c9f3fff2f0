//! Which objects a namespaced policy object (LimitRange, ResourceQuota) governs.

use super::{Object, Workspace};

/// Which objects a namespaced policy object (LimitRange, ResourceQuota) governs.
///
/// With an explicit `metadata.namespace` it governs every object of that namespace in the
/// run. Without one it lands in the run's default namespace and governs objects of that
/// namespace in its own directory and below: a repository holding several projects applies
/// each folder on its own, and one example's LimitRange should not judge another's pods.
#[derive(Debug, Clone)]
pub struct NamespaceScope {
    pub namespace: String,
    pub explicit: bool,
    /// The directory of the source file (`""` for a file in the current directory, stdin).
    pub dir: String,
}

impl NamespaceScope {
    pub(crate) fn of(ws: &Workspace, object: &Object) -> NamespaceScope {
        let doc = ws.document(object);
        let explicit = doc
            .get_path(object.node, &["metadata", "namespace"])
            .and_then(|n| doc.str(n))
            .is_some();
        NamespaceScope {
            namespace: object.namespace.clone().unwrap_or_default(),
            explicit,
            dir: directory(&ws.source(object.file).path),
        }
    }

    /// True when this policy object governs `object`.
    pub fn covers(&self, ws: &Workspace, object: &Object) -> bool {
        if object.namespace.as_deref() != Some(self.namespace.as_str()) {
            return false;
        }
        if self.explicit || self.dir.is_empty() {
            return true;
        }
        let path = &ws.source(object.file).path;
        path.strip_prefix(self.dir.as_str())
            .is_some_and(|rest| rest.starts_with('/'))
    }
}

fn directory(path: &str) -> String {
    match path.rsplit_once('/') {
        Some((dir, _)) => dir.to_string(),
        None => String::new(),
    }
}

/// The index range of `items` (sorted by namespace) in `object`'s namespace.
pub(crate) fn namespace_range<T>(
    items: &[T],
    scope: impl Fn(&T) -> &NamespaceScope,
    object: &Object,
) -> std::ops::Range<usize> {
    let Some(ns) = object.namespace.as_deref() else {
        return 0..0;
    };
    let start = items.partition_point(|i| scope(i).namespace.as_str() < ns);
    let end = items.partition_point(|i| scope(i).namespace.as_str() <= ns);
    start..end
}
