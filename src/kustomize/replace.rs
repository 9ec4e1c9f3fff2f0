//! `replacements` (api/filters/replacement), `vars` (api/internal/accumulator, the deprecated
//! `$(VAR)` expansion) and kustomize's legacy output order (api/builtins/SortOrderTransformer).

use super::build::{Resource, apply_spec};
use super::fieldspec::{FieldSpec, Gvk};
use super::value::{Kind, Node};
use crate::load::scalar::ScalarValue;

/// A resource id selector as kustomize's `ResId.IsSelectedBy` reads it (exact names).
#[derive(Debug, Default, Clone)]
pub(crate) struct IdSelector {
    gvk: Gvk,
    name: String,
    namespace: String,
}

impl IdSelector {
    pub(crate) fn from(n: &Node) -> IdSelector {
        let mut gvk = Gvk {
            group: n.get_str("group").unwrap_or_default().to_string(),
            version: n.get_str("version").unwrap_or_default().to_string(),
            kind: n.get_str("kind").unwrap_or_default().to_string(),
        };
        if let Some(api) = n.get_str("apiVersion") {
            match api.rsplit_once('/') {
                Some((g, v)) => {
                    gvk.group = g.to_string();
                    gvk.version = v.to_string();
                }
                None => gvk.version = api.to_string(),
            }
        }
        IdSelector {
            gvk,
            name: n.get_str("name").unwrap_or_default().to_string(),
            namespace: n.get_str("namespace").unwrap_or_default().to_string(),
        }
    }

    fn is_empty(&self) -> bool {
        self.gvk == Gvk::default() && self.name.is_empty() && self.namespace.is_empty()
    }

    /// Whether any of the resource's ids (current or previous) is selected.
    pub(crate) fn selects(&self, r: &Resource) -> bool {
        let gvk = r.cur_gvk();
        let mut ids = vec![(gvk.clone(), r.cur_name(), r.effective_namespace())];
        for (kind, name, ns) in r.prev_ids() {
            let g = Gvk {
                kind: kind.clone(),
                ..gvk.clone()
            };
            ids.push((g, name.clone(), ns.clone()));
        }
        ids.iter().any(|(g, n, ns)| {
            self.gvk.selects(g)
                && (self.name.is_empty() || self.name == *n)
                && (self.namespace.is_empty()
                    || self.namespace == *ns
                    || (self.namespace == "default" && ns.is_empty()))
        })
    }

    pub(crate) fn describe(&self) -> String {
        format!(
            "{}.{}.{} {}/{}",
            self.gvk.kind,
            self.gvk.version,
            self.gvk.group,
            if self.namespace.is_empty() {
                "[noNs]"
            } else {
                &self.namespace
            },
            self.name
        )
    }
}

/// kyaml's `SmarterPathSplitter` (kyaml/utils/pathsplitter.go): splits on `.`, where `\.`
/// is a literal dot and a leading `.` is dropped; pieces from a `[` to the next `]` are joined
/// again, kept bracketed when they hold `=` (`[name=a.b]`, a list element) and unbracketed
/// otherwise (`[example.com/key]`, one field name).
pub(crate) fn split_field_path(path: &str) -> Vec<String> {
    let mut pieces: Vec<String> = Vec::new();
    let mut rest: Vec<&str> = path.split('.').collect();
    if rest.len() > 1 && rest.first() == Some(&"") {
        rest.remove(0);
    }
    for piece in rest {
        match pieces.last_mut() {
            Some(last) if last.ends_with('\\') => {
                last.pop();
                last.push('.');
                last.push_str(piece);
            }
            _ => pieces.push(piece.to_string()),
        }
    }
    let mut out = Vec::with_capacity(pieces.len());
    let mut pieces = pieces.into_iter();
    while let Some(piece) = pieces.next() {
        if piece.starts_with('[') && !piece.ends_with(']') {
            let mut joined = piece;
            for next in pieces.by_ref() {
                joined.push('.');
                joined.push_str(&next);
                if next.ends_with(']') {
                    break;
                }
            }
            if joined.contains('=') {
                out.push(joined);
            } else {
                out.push(joined.trim_matches(|c| c == '[' || c == ']').to_string());
            }
        } else {
            out.push(piece);
        }
    }
    // `ports[0]` and `containers[name=app]` (the vars and fieldref forms) address an element
    // of the field's list.
    let mut expanded = Vec::new();
    for seg in out {
        match seg.find('[') {
            Some(i) if i > 0 && seg.ends_with(']') => {
                let (field, rest) = seg.split_at(i);
                expanded.push(field.to_string());
                let inner = rest.get(1..rest.len() - 1).unwrap_or_default();
                if inner.chars().all(|c| c.is_ascii_digit()) && !inner.is_empty() {
                    expanded.push(inner.to_string());
                } else {
                    expanded.push(rest.to_string());
                }
            }
            _ => expanded.push(seg),
        }
    }
    expanded
}

fn bracket(seg: &str) -> Option<(&str, &str)> {
    seg.strip_prefix('[')?.strip_suffix(']')?.split_once('=')
}

/// The nodes at `path` (kyaml's PathMatcher: `[k=v]` selects list elements, `*` any field or
/// element, a number an index); with `create`, missing fields and elements are created.
fn matches<'a>(
    node: &'a mut Node,
    path: &[String],
    create: Option<&Node>,
    out: &mut Vec<&'a mut Node>,
) {
    let Some((seg, rest)) = path.split_first() else {
        out.push(node);
        return;
    };
    if node.is_null() && create.is_some() {
        *node = if bracket(seg).is_some() {
            Node::seq(Vec::new(), node.origin.clone())
        } else {
            Node::map(node.origin.clone())
        };
    }
    match &mut node.kind {
        Kind::Map(entries) => {
            if seg == "*" {
                for (_, v) in entries.iter_mut() {
                    matches(v, rest, create, out);
                }
                return;
            }
            if !entries.iter().any(|(k, _)| k == seg) {
                let Some(leaf) = create else { return };
                let fresh = if rest.is_empty() {
                    leaf.clone()
                } else if rest.first().is_some_and(|s| bracket(s).is_some()) {
                    Node::seq(Vec::new(), None)
                } else {
                    Node::map(None)
                };
                entries.push((seg.clone(), fresh));
            }
            if let Some((_, v)) = entries.iter_mut().find(|(k, _)| k == seg) {
                matches(v, rest, create, out);
            }
        }
        Kind::Seq(items) => {
            if seg == "*" || seg == "-" && create.is_none() {
                for i in items.iter_mut() {
                    matches(i, rest, create, out);
                }
            } else if let Some((k, v)) = bracket(seg) {
                let found = items.iter().any(|i| i.get_str(k) == Some(v));
                if !found {
                    let Some(_) = create else { return };
                    let mut fresh = Node::map(None);
                    fresh.set(k, Node::string(v, None));
                    items.push(fresh);
                }
                for i in items.iter_mut().filter(|i| i.get_str(k) == Some(v)) {
                    matches(i, rest, create, out);
                }
            } else if let Ok(index) = seg.parse::<usize>()
                && let Some(i) = items.get_mut(index)
            {
                matches(i, rest, create, out);
            }
        }
        Kind::Scalar(_) => {}
    }
}

fn lookup(node: &Node, path: &[String]) -> Option<Node> {
    let mut copy = node.clone();
    let mut found = Vec::new();
    matches(&mut copy, path, None, &mut found);
    found.into_iter().next().map(|n| n.clone())
}

fn selector_ok(r: &Resource, sel: &Node) -> bool {
    let check = |field: &str, key: &str| {
        let Some(s) = sel.get_str(key) else {
            return true;
        };
        let m = r
            .obj
            .get_path(&["metadata", field])
            .map(Node::string_map)
            .unwrap_or_default();
        super::transform::label_selector_matches(s, &m)
    };
    check("labels", "labelSelector") && check("annotations", "annotationSelector")
}

/// Runs one kustomization's `replacements` (already loaded: inline entries or files' contents).
pub(crate) fn replacements(entries: &[Node], res: &mut [Resource]) -> Result<(), String> {
    for r in entries {
        let (Some(source), Some(targets)) =
            (r.get("source"), r.get("targets").and_then(Node::as_seq))
        else {
            return Err("replacements must specify a source and at least one target".into());
        };
        let sel = IdSelector::from(source);
        let found: Vec<&Resource> = res.iter().filter(|x| sel.selects(x)).collect();
        let src = match found.as_slice() {
            [one] => *one,
            [] => return Err(format!("nothing selected by {}", sel.describe())),
            _ => return Err(format!("multiple matches for selector {}", sel.describe())),
        };
        let fp = source.get_str("fieldPath").unwrap_or("metadata.name");
        let mut value = lookup(&src.obj, &split_field_path(fp))
            .filter(|v| !v.is_null() && !v.as_map().is_some_and(Vec::is_empty))
            .ok_or_else(|| {
                format!(
                    "fieldPath `{fp}` is missing for replacement source {}",
                    sel.describe()
                )
            })?;
        if let Some(delim) = source
            .get_path(&["options", "delimiter"])
            .and_then(Node::as_str)
        {
            let index: i64 = source
                .get_path(&["options", "index"])
                .and_then(Node::as_str)
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            let text = value
                .as_str()
                .ok_or("delimiter option can only be used with scalar nodes")?
                .to_string();
            let parts: Vec<&str> = text.split(delim).collect();
            let part = usize::try_from(index)
                .ok()
                .and_then(|i| parts.get(i))
                .ok_or_else(|| {
                    format!("options.index {index} is out of bounds for value {text}")
                })?;
            if let Kind::Scalar(s) = &mut value.kind {
                s.text = (*part).to_string();
            }
        }
        for t in targets {
            let Some(select) = t.get("select") else {
                return Err("target must specify resources to select".into());
            };
            let tsel = IdSelector::from(select);
            let rejects: Vec<&Node> = t
                .get("reject")
                .and_then(Node::as_seq)
                .map(|s| s.iter().collect())
                .unwrap_or_default();
            let mut paths: Vec<String> = t
                .get("fieldPaths")
                .and_then(Node::as_seq)
                .map(|s| {
                    s.iter()
                        .filter_map(|p| p.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            if paths.is_empty() {
                paths.push("metadata.name".into());
            }
            let opts = t.get("options");
            let create = opts.and_then(|o| o.get_str("create")) == Some("true");
            let delim = opts
                .and_then(|o| o.get_str("delimiter"))
                .filter(|d| !d.is_empty());
            let index: i64 = opts
                .and_then(|o| o.get_str("index"))
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            for target in res.iter_mut() {
                if !selector_ok(target, select) || !tsel.selects(target) {
                    continue;
                }
                let rejected = rejects.iter().any(|rj| {
                    let id = IdSelector::from(rj);
                    let by_id = !id.is_empty() && id.selects(target);
                    let by_sel = (rj.get("labelSelector").is_some()
                        || rj.get("annotationSelector").is_some())
                        && selector_ok(target, rj);
                    by_id || by_sel
                });
                if rejected {
                    continue;
                }
                for fp in &paths {
                    let mut found = Vec::new();
                    matches(
                        &mut target.obj,
                        &split_field_path(fp),
                        create.then_some(&value),
                        &mut found,
                    );
                    if found.is_empty() {
                        return Err(if create {
                            format!("unable to find or create field {fp:?} in replacement target")
                        } else {
                            format!("unable to find field {fp:?} in replacement target")
                        });
                    }
                    for field in found {
                        set_value(field, &value, delim, index)?;
                    }
                }
            }
        }
    }
    Ok(())
}

fn set_value(
    field: &mut Node,
    value: &Node,
    delim: Option<&str>,
    index: i64,
) -> Result<(), String> {
    let mut value = value.clone();
    if let Some(d) = delim {
        let Kind::Scalar(target) = &field.kind else {
            return Err("delimiter option can only be used with scalar nodes".into());
        };
        let mut parts: Vec<String> = target.text.split(d).map(str::to_string).collect();
        let v = value.as_str().unwrap_or_default().to_string();
        match usize::try_from(index) {
            Err(_) => parts.insert(0, v),
            Ok(i) => match parts.get_mut(i) {
                Some(slot) => *slot = v,
                None => parts.push(v),
            },
        }
        if let Kind::Scalar(s) = &mut value.kind {
            s.text = parts.join(d);
        }
    }
    match (&mut field.kind, value.kind) {
        // A scalar target keeps its own type; only its text changes (kustomize sets the yaml.v3
        // node's value and keeps its resolved tag, so a string target stays a string: `8080`
        // written into `value: old` comes out as "8080", and into `port: 80` as an int).
        (Kind::Scalar(t), Kind::Scalar(v)) => {
            if matches!(t.value(), ScalarValue::String) {
                t.string = true;
            }
            t.text = v.text;
            field.origin = value.origin;
        }
        (_, kind) => {
            field.kind = kind;
            field.origin = value.origin;
        }
    }
    Ok(())
}

/// A `vars` entry: `$(name)` is replaced by the field of the object it names.
#[derive(Debug, Clone)]
pub(crate) struct Var {
    pub(crate) name: String,
    pub(crate) objref: IdSelector,
    pub(crate) field_path: String,
}

impl Var {
    pub(crate) fn from(n: &Node) -> Option<Var> {
        Some(Var {
            name: n.get_str("name")?.to_string(),
            objref: IdSelector::from(n.get("objref")?),
            field_path: n
                .get_path(&["fieldref", "fieldPath"])
                .and_then(Node::as_str)
                .unwrap_or("metadata.name")
                .to_string(),
        })
    }
}

/// Kubernetes' `$(VAR)` expansion (third_party/forked/golang/expansion) with kustomize's
/// mapping: defined names are replaced, `$$` is an escaped `$`, others stay as written.
fn expand(input: &str, vars: &[(String, String)], used: &mut Vec<String>) -> String {
    let mut out = String::new();
    let mut rest = input;
    while let Some(pos) = rest.find('$') {
        let (before, after) = rest.split_at(pos);
        out.push_str(before);
        let tail = after.get(1..).unwrap_or_default();
        if let Some(t) = tail.strip_prefix('$') {
            out.push('$');
            rest = t;
        } else if let Some(t) = tail.strip_prefix('(')
            && let Some(end) = t.find(')')
        {
            let (name, t2) = t.split_at(end);
            match vars.iter().find(|(n, _)| n == name) {
                Some((n, v)) => {
                    out.push_str(v);
                    used.push(n.clone());
                }
                None => {
                    out.push_str("$(");
                    out.push_str(name);
                    out.push(')');
                }
            }
            rest = t2.get(1..).unwrap_or_default();
        } else {
            out.push('$');
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}

fn expand_node(n: &mut Node, vars: &[(String, String)], used: &mut Vec<String>) {
    match &mut n.kind {
        Kind::Scalar(s) => {
            if s.text.contains('$') {
                s.text = expand(&s.text, vars, used);
            }
        }
        Kind::Seq(items) => items.iter_mut().for_each(|i| expand_node(i, vars, used)),
        Kind::Map(entries) => entries
            .iter_mut()
            .for_each(|(_, v)| expand_node(v, vars, used)),
    }
}

/// Resolves `vars` over the built resources (after name references, as kustomize does).
pub(crate) fn resolve_vars(
    vars: &[Var],
    res: &mut [Resource],
    specs: &[FieldSpec],
) -> Result<(), String> {
    if vars.is_empty() {
        return Ok(());
    }
    let mut values = Vec::new();
    for v in vars {
        let found: Vec<&Resource> = res.iter().filter(|r| v.objref.selects(r)).collect();
        let [r] = found.as_slice() else {
            return Err(format!(
                "var '{}' cannot be mapped to a field in the set of known resources",
                v.name
            ));
        };
        let value = lookup(&r.obj, &split_field_path(&v.field_path))
            .and_then(|n| n.as_str().map(str::to_string))
            .ok_or_else(|| {
                format!(
                    "field specified in var '{}' not found in corresponding resource",
                    v.name
                )
            })?;
        values.push((v.name.clone(), value));
    }
    let mut used = Vec::new();
    for r in res.iter_mut() {
        for spec in specs {
            apply_spec(&mut r.obj, spec, &|| Node::string("", None), &mut |n| {
                expand_node(n, &values, &mut used);
            });
        }
    }
    Ok(())
}

const ORDER_FIRST: [&str; 22] = [
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
];
const ORDER_LAST: [&str; 2] = [
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// kustomize's kind rank (`newLegacyIDSorter`): `orderFirst` kinds rank below zero in list
/// order, `orderLast` kinds above it, every other kind zero.
fn rank(kind: &str, first: &[String], last: &[String]) -> i64 {
    // A kind in both lists takes its `orderLast` place: the Go map is written first-list first.
    if let Some(i) = last.iter().position(|k| k == kind) {
        return 1 + i as i64;
    }
    if let Some(i) = first.iter().position(|k| k == kind) {
        return i as i64 - first.len() as i64;
    }
    0
}

/// `legacyGVKSortString`: group, version and kind joined by `_`, with `~G`/`~V`/`~K` for empty
/// parts (so the core group sorts after every named group).
fn gvk_sort_string(g: &Gvk) -> String {
    let or = |s: &str, none: &'static str| {
        if s.is_empty() {
            none.to_string()
        } else {
            s.to_string()
        }
    };
    format!(
        "{}_{}_{}",
        or(&g.group, "~G"),
        or(&g.version, "~V"),
        or(&g.kind, "~K")
    )
}

/// `legacyResIDSortString` within one GVK: namespace (`~X` when unset, so unset sorts after
/// every namespace) and name (`~N`) joined by `|`, compared as one string.
fn id_sort_string(r: &Resource) -> String {
    let or = |s: String, none: &'static str| if s.is_empty() { none.to_string() } else { s };
    format!("{}|{}", or(r.cur_namespace(), "~X"), or(r.cur_name(), "~N"))
}

/// kustomize's legacy order (api/internal/builtins/SortOrderTransformer.go, `legacyIDSorter`):
/// objects of different GVKs by kind rank, then by `group_version_kind` (two `Namespace` kinds
/// of which one has no group in reverse); objects of one GVK by `namespace|name`. Without
/// `legacySortOptions` the lists are kustomize's defaults; with them, a list left out is empty.
/// (kustomize's Namespace rule is not a consistent order when a grouped `Namespace` kind meets
/// other kinds of the same rank: there Go's unstable sort decides, and so may ours differ.)
pub(crate) fn legacy_sort(res: &mut Vec<Resource>, lists: Option<(Vec<String>, Vec<String>)>) {
    let (first, last) = lists.unwrap_or_else(|| {
        let own = |l: &[&str]| l.iter().map(|s| s.to_string()).collect();
        (own(&ORDER_FIRST), own(&ORDER_LAST))
    });
    // (rank, `group_version_kind`, `namespace|name`, GVK, the object)
    let mut keyed: Vec<(i64, String, String, Gvk, Resource)> = std::mem::take(res)
        .into_iter()
        .map(|r| {
            let gvk = r.cur_gvk();
            let rank = rank(&gvk.kind, &first, &last);
            (rank, gvk_sort_string(&gvk), id_sort_string(&r), gvk, r)
        })
        .collect();
    keyed.sort_by(|a, b| {
        if a.3 == b.3 {
            return a.2.cmp(&b.2);
        }
        a.0.cmp(&b.0).then_with(|| {
            let namespaces = a.3.kind == "Namespace" && b.3.kind == "Namespace";
            if namespaces && (a.3.group.is_empty() || b.3.group.is_empty()) {
                b.1.cmp(&a.1)
            } else {
                a.1.cmp(&b.1)
            }
        })
    });
    res.extend(keyed.into_iter().map(|(.., r)| r));
}
