//! The builtin transformers in kustomize's order (kusttarget_configplugin.go):
//! patchesStrategicMerge, patches, namespace, namePrefix, nameSuffix, labels/commonLabels,
//! commonAnnotations, patchesJson6902, replicas, images.

use std::path::Path;
use std::sync::Arc;

use super::build::{
    KustError, Note, Resource, apply_spec, docs, error, origin_span, read_file, smp_merge,
};
use super::fieldspec::{Config, FieldSpec, Gvk};
use super::value::{Kind, Node, Origin};
use crate::source::Span;

pub(crate) fn run(
    k: &Node,
    dir: &Path,
    kfile: &Path,
    res: &mut Vec<Resource>,
    config: &Config,
    notes: &mut Vec<Note>,
) -> Result<(), KustError> {
    let kname: Arc<str> = Arc::from(kfile.to_string_lossy().as_ref());
    // With a remote resource skipped, a patch may target an object kubeward did not fetch.
    let remote = notes
        .iter()
        .any(|n| n.message.starts_with("remote resource"));
    // patchesStrategicMerge: paths or inline patches.
    for p in k
        .get("patchesStrategicMerge")
        .and_then(Node::as_seq)
        .into_iter()
        .flatten()
    {
        let span = origin_span(Some(p));
        let text = p.as_str().unwrap_or_default();
        let patches = load_patch(text, dir, kfile, span, &kname, &p.origin)?;
        for patch in patches {
            apply_smp_untargeted(res, patch, kfile, span, false, remote, notes)?;
        }
    }
    // patches
    for p in k
        .get("patches")
        .and_then(Node::as_seq)
        .into_iter()
        .flatten()
    {
        let span = origin_span(Some(p));
        let (patches, is_json) = if let Some(path) = p.get_str("path") {
            let (canon, text) = read_file(dir, kfile, path, span)?;
            let fname: Arc<str> = Arc::from(
                super::build::clean(&dir.join(path))
                    .to_string_lossy()
                    .as_ref(),
            );
            let _ = canon;
            parse_patch(&text, &fname).map_err(|m| error(kfile, span, m))?
        } else if let Some(inline) = p.get("patch") {
            let text = inline.as_str().unwrap_or_default();
            // Spans inside an inline patch are offsets into the block scalar's value, not into
            // the kustomization: every node of it comes from the `patch:` entry.
            let (mut d, is_json) = parse_patch(text, &kname).map_err(|m| error(kfile, span, m))?;
            d.iter_mut().for_each(|n| n.set_origin_deep(&inline.origin));
            (d, is_json)
        } else {
            return Err(error(
                kfile,
                span,
                "a patch must have either 'path' or 'patch'",
            ));
        };
        let allow_name = p
            .get_path(&["options", "allowNameChange"])
            .and_then(Node::as_str)
            == Some("true");
        let allow_kind = p
            .get_path(&["options", "allowKindChange"])
            .and_then(Node::as_str)
            == Some("true");
        match p.get("target") {
            Some(t) if t.as_map().is_some() => {
                let sel = Selector::from(t);
                let idx: Vec<usize> = (0..res.len())
                    .filter(|i| res.get(*i).is_some_and(|r| sel.matches(r)))
                    .collect();
                if is_json {
                    for i in idx {
                        if let Some(r) = res.get_mut(i) {
                            // A JSON patch may rename: kustomize records the id first.
                            r.store_prev();
                            for ops in &patches {
                                json6902(&mut r.obj, ops).map_err(|m| error(kfile, span, m))?;
                            }
                        }
                    }
                } else {
                    if patches.len() > 1 {
                        return Err(error(
                            kfile,
                            span,
                            "Multiple Strategic-Merge Patches in one `patches` entry is not allowed to set `patches.target` field",
                        ));
                    }
                    let mut delete = Vec::new();
                    for i in idx {
                        for patch in &patches {
                            // resmap's ApplySmPatch: the patch takes the target's apiVersion.
                            let mut patch = patch.clone();
                            if let Some(r) = res.get(i)
                                && let Some(api) = r.obj.get("apiVersion")
                                && patch.as_map().is_some()
                            {
                                // The value is the target's: so is its origin.
                                patch.set("apiVersion", api.clone());
                            }
                            if let Some(r) = res.get_mut(i)
                                && !apply_smp(r, patch, allow_name, allow_kind)
                                    .map_err(|m| error(kfile, span, m))?
                            {
                                delete.push(i);
                            }
                        }
                    }
                    let mut i = 0;
                    res.retain(|_| {
                        let keep = !delete.contains(&i);
                        i += 1;
                        keep
                    });
                }
            }
            _ => {
                if is_json {
                    return Err(error(kfile, span, "a JSON 6902 patch needs a target"));
                }
                for patch in patches {
                    apply_smp_untargeted(res, patch, kfile, span, allow_name, remote, notes)?;
                }
            }
        }
    }
    namespace(k, res, config);
    prefix_suffix(k, res, config);
    labels(k, res, config);
    annotations(k, res, config);
    for p in k
        .get("patchesJson6902")
        .and_then(Node::as_seq)
        .into_iter()
        .flatten()
    {
        let span = origin_span(Some(p));
        let ops = if let Some(path) = p.get_str("path") {
            let (_, text) = read_file(dir, kfile, path, span)?;
            let fname: Arc<str> = Arc::from(
                super::build::clean(&dir.join(path))
                    .to_string_lossy()
                    .as_ref(),
            );
            docs(&text, &fname)
                .map_err(|m| error(kfile, span, m))?
                .into_iter()
                .next()
        } else {
            let text = p.get_str("patch").unwrap_or_default();
            let origin = p.get("patch").and_then(|n| n.origin.clone());
            docs(text, &kname)
                .map_err(|m| error(kfile, span, m))?
                .into_iter()
                .next()
                .map(|mut n| {
                    n.set_origin_deep(&origin);
                    n
                })
        };
        let Some(ops) = ops else { continue };
        let sel = p.get("target").map(Selector::from).unwrap_or_default();
        for r in res.iter_mut().filter(|r| sel.matches(r)) {
            r.store_prev();
            json6902(&mut r.obj, &ops).map_err(|m| error(kfile, span, m))?;
        }
    }
    replicas(k, res, config);
    images(k, res, config);
    // replacements: inline entries, or files holding one replacement or a list of them.
    let mut entries = Vec::new();
    for r in k
        .get("replacements")
        .and_then(Node::as_seq)
        .into_iter()
        .flatten()
    {
        let span = origin_span(Some(r));
        if let Some(path) = r.get_str("path") {
            let (_, text) = read_file(dir, kfile, path, span)?;
            let fname: Arc<str> = Arc::from(
                super::build::clean(&dir.join(path))
                    .to_string_lossy()
                    .as_ref(),
            );
            for d in docs(&text, &fname).map_err(|m| error(kfile, span, m))? {
                match d.kind {
                    Kind::Seq(items) => entries.extend(items.into_iter().map(|i| (i, span))),
                    _ if !d.is_null() => entries.push((d, span)),
                    _ => {}
                }
            }
        } else {
            entries.push((r.clone(), span));
        }
    }
    for (entry, span) in entries {
        super::replace::replacements(std::slice::from_ref(&entry), res)
            .map_err(|m| error(kfile, span, m))?;
    }
    Ok(())
}

fn load_patch(
    text: &str,
    dir: &Path,
    kfile: &Path,
    span: Option<Span>,
    kname: &Arc<str>,
    inline_origin: &Option<Origin>,
) -> Result<Vec<Node>, KustError> {
    if !text.contains('\n') && dir.join(text).is_file() {
        let (_, body) = read_file(dir, kfile, text, span)?;
        let fname: Arc<str> = Arc::from(
            super::build::clean(&dir.join(text))
                .to_string_lossy()
                .as_ref(),
        );
        return docs(&body, &fname)
            .map(|d| d.into_iter().filter(|n| !n.is_null()).collect())
            .map_err(|m| error(kfile, span, m));
    }
    if !text.contains('\n') && !text.contains(':') {
        return Err(error(
            kfile,
            span,
            format!("patch file '{text}' does not exist"),
        ));
    }
    let mut d: Vec<Node> = docs(text, kname)
        .map(|d| d.into_iter().filter(|n| !n.is_null()).collect())
        .map_err(|m| error(kfile, span, m))?;
    d.iter_mut().for_each(|n| n.set_origin_deep(inline_origin));
    Ok(d)
}

/// A patch's documents and whether it is a JSON 6902 patch (a list of operations).
fn parse_patch(text: &str, file: &Arc<str>) -> Result<(Vec<Node>, bool), String> {
    let d: Vec<Node> = docs(text, file)?
        .into_iter()
        .filter(|n| !n.is_null())
        .collect();
    let is_json = d.first().is_some_and(|n| n.as_seq().is_some());
    Ok((d, is_json))
}

fn apply_smp(
    r: &mut Resource,
    patch: Node,
    allow_name: bool,
    allow_kind: bool,
) -> Result<bool, String> {
    let name = r.cur_name();
    let ns = r.cur_namespace();
    let kind = r.cur_gvk().kind;
    if allow_name || allow_kind {
        r.store_prev();
    }
    let name_origin = r
        .obj
        .get_path(&["metadata", "name"])
        .and_then(|n| n.origin.clone());
    // The object is moved into the merge (on an error the build stops anyway).
    let merged = smp_merge(std::mem::replace(&mut r.obj, Node::map(None)), patch)?;
    let Some(mut merged) = merged else {
        return Ok(false);
    };
    if merged.as_map().is_some_and(Vec::is_empty) {
        return Ok(false);
    }
    if !allow_kind {
        let ko = merged.get("kind").and_then(|n| n.origin.clone());
        merged.set("kind", Node::string(kind, ko));
    }
    if let Some(meta) = merged.ensure_map("metadata", None) {
        if !allow_name {
            meta.set("name", Node::string(name, name_origin));
        }
        if ns.is_empty() {
            meta.remove("namespace");
        } else {
            let o = meta.get("namespace").and_then(|n| n.origin.clone());
            meta.set("namespace", Node::string(ns, o));
        }
    }
    r.obj = merged;
    Ok(true)
}

fn apply_smp_untargeted(
    res: &mut Vec<Resource>,
    patch: Node,
    kfile: &Path,
    span: Option<Span>,
    allow_name: bool,
    remote: bool,
    notes: &mut Vec<Note>,
) -> Result<(), KustError> {
    let gvk = Gvk::of(&patch);
    let name = patch
        .get_path(&["metadata", "name"])
        .and_then(Node::as_str)
        .unwrap_or_default()
        .to_string();
    let ns = patch
        .get_path(&["metadata", "namespace"])
        .and_then(Node::as_str)
        .unwrap_or_default()
        .to_string();
    let found: Vec<usize> = (0..res.len())
        .filter(|i| res.get(*i).is_some_and(|r| r.matches(&gvk, &name, &ns)))
        .collect();
    let [i] = found.as_slice() else {
        let mut id = gvk.kind.clone();
        if !gvk.version.is_empty() {
            id.push_str(&format!(".{}", gvk.version));
        }
        if !gvk.group.is_empty() {
            id.push_str(&format!(".{}", gvk.group));
        }
        if found.is_empty() && remote {
            notes.push(Note {
                file: kfile.to_path_buf(),
                span,
                message: format!(
                    "the patch of {} '{name}' is not applied: no such object among the resources built; it may come from a remote resource, which is not fetched",
                    gvk.kind
                ),
            });
            return Ok(());
        }
        let msg = if found.is_empty() {
            format!(
                "no resource matches strategic merge patch \"{id}/{name}.{}\"",
                if ns.is_empty() { "[noNs]" } else { &ns }
            )
        } else {
            format!("multiple resources match strategic merge patch \"{id}/{name}\"")
        };
        return Err(error(kfile, span, msg));
    };
    let i = *i;
    let keep = match res.get_mut(i) {
        Some(r) => apply_smp(r, patch, allow_name, false).map_err(|m| error(kfile, span, m))?,
        None => true,
    };
    if !keep {
        res.remove(i);
    }
    Ok(())
}

#[derive(Default)]
struct Selector {
    gvk: Gvk,
    name: Option<regex::Regex>,
    namespace: Option<regex::Regex>,
    labels: Option<String>,
    annotations: Option<String>,
}

fn anchored(s: &str) -> Option<regex::Regex> {
    regex::Regex::new(&format!("^(?:{s})$")).ok()
}

impl Selector {
    fn from(t: &Node) -> Selector {
        Selector {
            gvk: Gvk {
                group: t.get_str("group").unwrap_or_default().to_string(),
                version: t.get_str("version").unwrap_or_default().to_string(),
                kind: t.get_str("kind").unwrap_or_default().to_string(),
            },
            name: t.get_str("name").and_then(anchored),
            namespace: t.get_str("namespace").and_then(anchored),
            labels: t.get_str("labelSelector").map(str::to_string),
            annotations: t.get_str("annotationSelector").map(str::to_string),
        }
    }

    fn matches(&self, r: &Resource) -> bool {
        if !self.gvk.selects(&r.cur_gvk()) {
            return false;
        }
        let names: Vec<String> = std::iter::once(r.cur_name())
            .chain(r.prev_ids().iter().map(|p| p.1.clone()))
            .collect();
        if let Some(re) = &self.name
            && !names.iter().any(|n| re.is_match(n))
        {
            return false;
        }
        if let Some(re) = &self.namespace
            && !re.is_match(&r.cur_namespace())
        {
            return false;
        }
        let sel_ok = |sel: &Option<String>, field: &str| {
            let Some(sel) = sel else { return true };
            let m = r
                .obj
                .get_path(&["metadata", field])
                .map(Node::string_map)
                .unwrap_or_default();
            label_selector_matches(sel, &m)
        };
        sel_ok(&self.labels, "labels") && sel_ok(&self.annotations, "annotations")
    }
}

pub(crate) fn label_selector_matches(sel: &str, m: &[(String, String)]) -> bool {
    let get = |k: &str| m.iter().find(|(x, _)| x == k).map(|(_, v)| v.as_str());
    sel.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .all(|term| {
            if let Some((k, v)) = term.split_once("!=") {
                get(k.trim()) != Some(v.trim())
            } else if let Some((k, v)) = term.split_once("==").or_else(|| term.split_once('=')) {
                get(k.trim()) == Some(v.trim())
            } else if let Some(k) = term.strip_prefix('!') {
                get(k.trim()).is_none()
            } else {
                get(term).is_some()
            }
        })
}

fn unescape(seg: &str) -> String {
    seg.replace("~1", "/").replace("~0", "~")
}

/// Applies JSON 6902 operations (RFC 6902) to an object.
fn json6902(obj: &mut Node, ops: &Node) -> Result<(), String> {
    let Some(ops) = ops.as_seq() else {
        return Err("a JSON 6902 patch must be a list of operations".into());
    };
    for op in ops {
        let kind = op.get_str("op").unwrap_or_default();
        let path = op.get_str("path").unwrap_or_default();
        match kind {
            "add" => {
                let v = op
                    .get("value")
                    .cloned()
                    .ok_or("add operation does not have a value")?;
                add(obj, path, v)?;
            }
            "remove" => {
                take(obj, path)?;
            }
            "replace" => {
                let v = op
                    .get("value")
                    .cloned()
                    .ok_or("replace operation does not have a value")?;
                let slot = lookup(obj, path).ok_or_else(|| {
                    format!("replace operation does not apply: doc is missing key: {path}")
                })?;
                *slot = v;
            }
            "move" => {
                let from = op.get_str("from").unwrap_or_default();
                let v = take(obj, from)?;
                add(obj, path, v)?;
            }
            "copy" => {
                let from = op.get_str("from").unwrap_or_default();
                let v = lookup(obj, from).map(|n| n.clone()).ok_or_else(|| {
                    format!("copy operation does not apply: doc is missing from path: {from}")
                })?;
                add(obj, path, v)?;
            }
            "test" => {
                let v = op.get("value");
                let cur = lookup(obj, path).map(|n| super::value::canonical_json(n));
                if cur != v.map(super::value::canonical_json) {
                    return Err(format!("testing value {path} failed"));
                }
            }
            other => return Err(format!("unexpected kind of JSON patch operation '{other}'")),
        }
    }
    Ok(())
}

fn segments(path: &str) -> Vec<String> {
    path.split('/').skip(1).map(unescape).collect()
}

fn lookup<'a>(obj: &'a mut Node, path: &str) -> Option<&'a mut Node> {
    let mut node = obj;
    for seg in segments(path) {
        node = match &mut node.kind {
            Kind::Map(m) => m.iter_mut().find(|(k, _)| *k == seg).map(|(_, v)| v)?,
            Kind::Seq(items) => items.get_mut(seg.parse::<usize>().ok()?)?,
            Kind::Scalar(_) => return None,
        };
    }
    Some(node)
}

fn parent_and_last(path: &str) -> Result<(String, String), String> {
    let (parent, last) = path
        .rsplit_once('/')
        .ok_or_else(|| format!("invalid JSON pointer '{path}'"))?;
    Ok((parent.to_string(), unescape(last)))
}

fn add(obj: &mut Node, path: &str, v: Node) -> Result<(), String> {
    if path.is_empty() {
        *obj = v;
        return Ok(());
    }
    let (parent, last) = parent_and_last(path)?;
    let p = lookup(obj, &parent)
        .ok_or_else(|| format!("add operation does not apply: doc is missing path: \"{path}\""))?;
    match &mut p.kind {
        Kind::Map(_) => p.set(&last, v),
        Kind::Seq(items) => {
            if last == "-" {
                items.push(v);
            } else {
                let i: usize = last
                    .parse()
                    .map_err(|_| format!("invalid array index '{last}'"))?;
                if i > items.len() {
                    return Err(format!(
                        "add operation does not apply: index {i} out of bounds at \"{path}\""
                    ));
                }
                items.insert(i, v);
            }
        }
        Kind::Scalar(_) => {
            return Err(format!(
                "add operation does not apply: \"{parent}\" is not a container"
            ));
        }
    }
    Ok(())
}

fn take(obj: &mut Node, path: &str) -> Result<Node, String> {
    let (parent, last) = parent_and_last(path)?;
    let p = lookup(obj, &parent).ok_or_else(|| {
        format!("remove operation does not apply: doc is missing path: \"{path}\"")
    })?;
    match &mut p.kind {
        Kind::Map(_) => p.remove(&last).ok_or_else(|| {
            format!("remove operation does not apply: doc is missing path: \"{path}\"")
        }),
        Kind::Seq(items) => {
            let i: usize = last
                .parse()
                .map_err(|_| format!("invalid array index '{last}'"))?;
            if i >= items.len() {
                return Err(format!(
                    "remove operation does not apply: doc is missing path: \"{path}\""
                ));
            }
            Ok(items.remove(i))
        }
        Kind::Scalar(_) => Err(format!(
            "remove operation does not apply: doc is missing path: \"{path}\""
        )),
    }
}

fn namespace(k: &Node, res: &mut [Resource], config: &Config) {
    let Some(nsnode) = k
        .get("namespace")
        .filter(|n| n.as_str().is_some_and(|s| !s.is_empty()))
    else {
        return;
    };
    let ns = nsnode.as_str().unwrap_or_default();
    namespace_apply(
        res,
        ns,
        &nsnode.origin,
        &config.namespace,
        false,
        Subjects::DefaultOnly,
    );
}

/// How the namespace transformer treats (Cluster)RoleBinding subjects (`setRoleBindingSubjects`).
#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Subjects {
    DefaultOnly,
    AllServiceAccounts,
    None,
}

/// kustomize's namespace filter (api/filters/namespace/namespace.go): `metadata.namespace` on
/// every namespaced object, the (Cluster)RoleBinding subjects the mode selects, and the field
/// specs other than `metadata/namespace` (and `metadata/name` outside core v1). With
/// `unset_only` only empty fields are set.
pub(crate) fn namespace_apply(
    res: &mut [Resource],
    ns: &str,
    origin: &Option<Origin>,
    specs: &[FieldSpec],
    unset_only: bool,
    subjects: Subjects,
) {
    let set = |node: &mut Node| {
        if unset_only && node.as_str().is_some_and(|s| !s.is_empty()) {
            return;
        }
        *node = Node::string(ns, origin.clone());
    };
    for r in res.iter_mut() {
        r.store_prev();
        if !r.is_cluster_scoped()
            && let Some(meta) = r.obj.ensure_map("metadata", None)
        {
            match meta.get_mut("namespace") {
                Some(n) => set(n),
                None => meta.set("namespace", Node::string(ns, origin.clone())),
            }
        }
        let kind = r.cur_gvk().kind;
        let binding = kind == "RoleBinding" || kind == "ClusterRoleBinding";
        if binding
            && subjects != Subjects::None
            && let Some(items) = r.obj.get_mut("subjects").and_then(Node::as_seq_mut)
        {
            for s in items {
                let selected = match subjects {
                    Subjects::DefaultOnly => s.get_str("name") == Some("default"),
                    _ => s.get_str("kind") == Some("ServiceAccount"),
                };
                if selected && s.as_map().is_some() {
                    match s.get_mut("namespace") {
                        Some(n) => set(n),
                        None => s.set("namespace", Node::string(ns, origin.clone())),
                    }
                }
            }
        }
        let core = r.obj.get_str("apiVersion") == Some("v1");
        for spec in specs {
            let path = spec.path.join("/");
            if path == "metadata/namespace" || (!core && path == "metadata/name") {
                continue;
            }
            if binding && spec.gvk.kind.ends_with("RoleBinding") && path == "subjects/namespace" {
                continue;
            }
            apply_spec(&mut r.obj, spec, &|| Node::string("", None), &mut |node| {
                set(node)
            });
        }
    }
}

fn skip_prefix(g: &Gvk) -> bool {
    g.kind == "CustomResourceDefinition"
        || g.kind == "Namespace"
        || (g.kind == "APIService" && g.group == "apiregistration.k8s.io")
}

fn prefix_suffix(k: &Node, res: &mut [Resource], config: &Config) {
    for (field, is_prefix) in [("namePrefix", true), ("nameSuffix", false)] {
        let Some(node) = k
            .get(field)
            .filter(|n| n.as_str().is_some_and(|s| !s.is_empty()))
        else {
            continue;
        };
        let specs = if is_prefix {
            &config.name_prefix
        } else {
            &config.name_suffix
        };
        let value = node.as_str().unwrap_or_default();
        prefix_suffix_apply(res, value, &node.origin, specs, is_prefix);
    }
}

/// kustomize's PrefixTransformer / SuffixTransformer (api/internal/builtins): every field spec
/// that selects an object (CRDs, Namespaces and APIServices are skipped) gets the prefix; a
/// `metadata/name` spec records the object's previous id and the prefix for name references.
pub(crate) fn prefix_suffix_apply(
    res: &mut [Resource],
    value: &str,
    origin: &Option<Origin>,
    specs: &[FieldSpec],
    is_prefix: bool,
) {
    for r in res.iter_mut() {
        if skip_prefix(&r.cur_gvk()) {
            continue;
        }
        for spec in specs {
            if !spec.gvk.selects(&r.cur_gvk()) {
                continue;
            }
            if spec.path.len() == 2
                && spec.path.first().is_some_and(|p| p == "metadata")
                && spec.path.get(1).is_some_and(|p| p == "name")
                && !value.is_empty()
            {
                if is_prefix {
                    r.add_prefix(value);
                } else {
                    r.add_suffix(value);
                }
                r.store_prev();
            }
            apply_spec(&mut r.obj, spec, &|| Node::string("", None), &mut |n| {
                if let Some(cur) = n.as_str() {
                    let new = if is_prefix {
                        format!("{value}{cur}")
                    } else {
                        format!("{cur}{value}")
                    };
                    // The name's origin stays the base's node; the kustomization field is
                    // what changed it, recorded on the node.
                    let keep = n.origin.clone().or(origin.clone());
                    *n = Node::string(new, keep);
                }
            });
        }
    }
}

fn set_entries(r: &mut Resource, specs: &[FieldSpec], pairs: &[(String, Node)]) {
    for spec in specs {
        apply_spec(&mut r.obj, spec, &|| Node::map(None), &mut |n| {
            if n.as_map().is_none() {
                return;
            }
            for (k, v) in pairs {
                n.set(k, v.clone());
            }
        });
    }
}

fn pairs_of(n: Option<&Node>) -> Vec<(String, Node)> {
    n.and_then(Node::as_map)
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        Node::string(v.as_str().unwrap_or_default(), v.origin.clone()),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn labels(k: &Node, res: &mut [Resource], config: &Config) {
    for l in k.get("labels").and_then(Node::as_seq).into_iter().flatten() {
        let pairs = pairs_of(l.get("pairs"));
        if pairs.is_empty() {
            continue;
        }
        let mut specs: Vec<FieldSpec> = l
            .get("fields")
            .and_then(Node::as_seq)
            .into_iter()
            .flatten()
            .map(|f| FieldSpec {
                gvk: Gvk {
                    group: f.get_str("group").unwrap_or_default().into(),
                    version: f.get_str("version").unwrap_or_default().into(),
                    kind: f.get_str("kind").unwrap_or_default().into(),
                },
                path: f
                    .get_str("path")
                    .unwrap_or_default()
                    .split('/')
                    .map(str::to_string)
                    .collect(),
                create: f.get_str("create") == Some("true"),
            })
            .collect();
        specs.extend(config.labels.iter().cloned());
        if l.get_str("includeSelectors") == Some("true") {
            specs.extend(config.common_labels.iter().cloned());
        } else {
            if l.get_str("includeTemplates") == Some("true") {
                specs.extend(config.template_labels.iter().cloned());
            }
            specs.push(FieldSpec {
                gvk: Gvk::default(),
                path: vec!["metadata".into(), "labels".into()],
                create: true,
            });
        }
        dedup(&mut specs);
        for r in res.iter_mut() {
            set_entries(r, &specs, &pairs);
        }
    }
    let pairs = pairs_of(k.get("commonLabels"));
    if !pairs.is_empty() {
        for r in res.iter_mut() {
            set_entries(r, &config.common_labels, &pairs);
        }
    }
}

fn dedup(specs: &mut Vec<FieldSpec>) {
    let mut out: Vec<FieldSpec> = Vec::new();
    for s in specs.drain(..) {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    *specs = out;
}

fn annotations(k: &Node, res: &mut [Resource], config: &Config) {
    let pairs = pairs_of(k.get("commonAnnotations"));
    if pairs.is_empty() {
        return;
    }
    for r in res.iter_mut() {
        set_entries(r, &config.common_annotations, &pairs);
    }
}

fn replicas(k: &Node, res: &mut [Resource], config: &Config) {
    for rep in k
        .get("replicas")
        .and_then(Node::as_seq)
        .into_iter()
        .flatten()
    {
        let Some(name) = rep.get_str("name") else {
            continue;
        };
        let Some(count) = rep.get("count") else {
            continue;
        };
        let value = Node::plain(count.as_str().unwrap_or("0"), count.origin.clone());
        for r in res.iter_mut() {
            let names_match = r.cur_name() == name || r.prev_ids().iter().any(|p| p.1 == name);
            if !names_match {
                continue;
            }
            for spec in &config.replicas {
                let v = value.clone();
                apply_spec(&mut r.obj, spec, &|| v.clone(), &mut |n| *n = v.clone());
            }
        }
    }
}

struct ImageRule {
    re: Option<regex::Regex>,
    new_name: Option<String>,
    new_tag: Option<String>,
    digest: Option<String>,
    origin: Option<Origin>,
}

/// kustomize's image.Split: name, tag, digest (a registry's `host:port/` is not a tag).
fn split_image(image: &str) -> (String, String, String) {
    let slash = image.find('/').filter(|i| *i > 0).unwrap_or(0);
    let search = image.get(slash..).unwrap_or_default();
    let at = search.find('@');
    let colon = search.find(':');
    match (colon, at) {
        (None, None) => (image.to_string(), String::new(), String::new()),
        (c, Some(d)) if c.is_none_or(|c| d < c) => {
            let d = d + slash;
            let (n, rest) = image.split_at_checked(d).unwrap_or((image, ""));
            (
                n.to_string(),
                String::new(),
                rest.trim_start_matches('@').to_string(),
            )
        }
        (Some(c), Some(d)) => {
            let (c, d) = (c + slash, d + slash);
            let name = image.get(..c).unwrap_or_default();
            let tag = image.get(c..d).unwrap_or_default().trim_start_matches(':');
            let digest = image.get(d..).unwrap_or_default().trim_start_matches('@');
            (name.to_string(), tag.to_string(), digest.to_string())
        }
        (Some(c), None) => {
            let c = c + slash;
            let (n, rest) = image.split_at_checked(c).unwrap_or((image, ""));
            (
                n.to_string(),
                rest.trim_start_matches(':').to_string(),
                String::new(),
            )
        }
        _ => (image.to_string(), String::new(), String::new()),
    }
}

impl ImageRule {
    fn apply(&self, n: &mut Node) {
        let Some(value) = n.as_str() else { return };
        if !self.re.as_ref().is_some_and(|re| re.is_match(value)) {
            return;
        }
        let (mut name, mut tag, mut digest) = split_image(value);
        if let Some(nn) = &self.new_name {
            name = nn.clone();
        }
        match (&self.new_tag, &self.digest) {
            (Some(t), Some(d)) => {
                tag = t.clone();
                digest = d.clone();
            }
            (Some(t), None) => {
                tag = t.clone();
                digest.clear();
            }
            (None, Some(d)) => {
                tag.clear();
                digest = d.clone();
            }
            (None, None) => {}
        }
        if !tag.is_empty() {
            name = format!("{name}:{tag}");
        }
        if !digest.is_empty() {
            name = format!("{name}@{digest}");
        }
        *n = Node::string(name, self.origin.clone().or(n.origin.clone()));
    }
}

fn legacy_images(node: &mut Node, rules: &[ImageRule]) {
    match &mut node.kind {
        Kind::Map(entries) => {
            for (k, v) in entries.iter_mut() {
                if (k == "containers" || k == "initContainers")
                    && let Kind::Seq(items) = &mut v.kind
                {
                    for c in items.iter_mut() {
                        if let Some(img) = c.get_mut("image") {
                            for rule in rules {
                                rule.apply(img);
                            }
                        }
                    }
                }
                legacy_images(v, rules);
            }
        }
        Kind::Seq(items) => items.iter_mut().for_each(|i| legacy_images(i, rules)),
        Kind::Scalar(_) => {}
    }
}

fn images(k: &Node, res: &mut [Resource], config: &Config) {
    let rules: Vec<ImageRule> = k
        .get("images")
        .and_then(Node::as_seq)
        .into_iter()
        .flatten()
        .filter_map(|i| {
            let name = i.get_str("name")?;
            let opt = |f: &str| {
                i.get(f)
                    .and_then(Node::as_str)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
            };
            Some(ImageRule {
                re: regex::Regex::new(&format!("^{name}(@sha256)?(:[a-zA-Z0-9_.{{}}-]*)?$")).ok(),
                new_name: opt("newName"),
                new_tag: opt("newTag"),
                digest: opt("digest"),
                // The image string is one node: it points at the most specific field the
                // entry sets (a digest, else the tag, else the name), where a finding about
                // the image belongs.
                origin: ["digest", "newTag", "newName"]
                    .iter()
                    .find_map(|f| i.get(f).filter(|n| !n.is_null()))
                    .and_then(|n| n.origin.clone())
                    .or_else(|| i.origin.clone()),
            })
        })
        .collect();
    if rules.is_empty() {
        return;
    }
    for r in res.iter_mut() {
        for rule in &rules {
            legacy_images(&mut r.obj, std::slice::from_ref(rule));
            for spec in &config.images {
                let mut s = spec.clone();
                s.create = false;
                apply_spec(&mut r.obj, &s, &|| Node::string("", None), &mut |n| {
                    rule.apply(n)
                });
            }
        }
    }
}
