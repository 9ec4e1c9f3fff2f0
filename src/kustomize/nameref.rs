//! Name references (api/filters/nameref, api/internal/accumulator/namereferencetransformer.go):
//! once names have their prefixes, suffixes and hashes, every field that names another object
//! (a ConfigMap in a pod spec, a ServiceAccount in an RBAC subject, ...) follows the rename.

use super::build::{Resource, apply_spec};
use super::fieldspec::{Config, Gvk};
use super::value::{Kind, Node};
use crate::load::scalar::ScalarValue;

/// Ending slices equal (kustomize's utils.SameEndingSubSlice).
fn same_ending(a: &[String], b: &[String]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.is_empty() {
        return long.is_empty();
    }
    let diff = long.len() - short.len();
    short
        .iter()
        .enumerate()
        .all(|(i, s)| long.get(i + diff) == Some(s))
}

/// What name-reference selection needs of a resource besides its ids: its prefixes and
/// suffixes (kustomize's ResCtx) and its printable id. A copy of these, not of the object.
#[derive(Debug, Clone)]
struct Ctx {
    prefixes: Vec<String>,
    suffixes: Vec<String>,
    id: String,
}

impl Ctx {
    fn of(r: &Resource) -> Ctx {
        Ctx {
            prefixes: r.prefixes().to_vec(),
            suffixes: r.suffixes().to_vec(),
            id: r.id(),
        }
    }
    fn prefixes(&self) -> &[String] {
        &self.prefixes
    }
    fn suffixes(&self) -> &[String] {
        &self.suffixes
    }
    fn id(&self) -> String {
        self.id.clone()
    }
}

fn prefix_suffix_equals(r: &Ctx, o: &Ctx, allow_empty: bool) -> bool {
    if allow_empty {
        let p = r.prefixes().is_empty()
            || o.prefixes().is_empty()
            || same_ending(r.prefixes(), o.prefixes());
        let s = r.suffixes().is_empty()
            || o.suffixes().is_empty()
            || same_ending(r.suffixes(), o.suffixes());
        p && s
    } else {
        same_ending(r.prefixes(), o.prefixes()) && same_ending(r.suffixes(), o.suffixes())
    }
}

struct Snapshot {
    name: String,
    namespace: String,
    gvk: Gvk,
    cluster: bool,
    eff_ns: String,
    prev: Vec<(String, String, String)>,
}

fn prev_selected(s: &Snapshot, target: &Gvk) -> bool {
    s.prev.iter().any(|(kind, _, _)| {
        let g = Gvk {
            kind: kind.clone(),
            ..s.gvk.clone()
        };
        target.selects(&g)
    })
}

pub(crate) fn fix(res: &mut [Resource], config: &Config) -> Result<(), String> {
    let ambiguous: std::cell::RefCell<Option<String>> = std::cell::RefCell::new(None);
    let snaps: Vec<(Snapshot, Ctx)> = res
        .iter()
        .map(|r| {
            (
                Snapshot {
                    name: r.cur_name(),
                    namespace: r.cur_namespace(),
                    gvk: r.cur_gvk(),
                    cluster: r.is_cluster_scoped(),
                    eff_ns: r.effective_namespace(),
                    prev: r.prev_ids().to_vec(),
                },
                Ctx::of(r),
            )
        })
        .collect();
    // The objects by effective namespace, and the cluster-scoped ones, in order: a referrer's
    // candidates are gathered from these instead of filtering every object for each referrer
    // (quadratic: 65,536 ConfigMaps in one kustomization took minutes).
    let mut by_namespace: std::collections::HashMap<&str, Vec<usize>> =
        std::collections::HashMap::new();
    let mut cluster_scoped: Vec<usize> = Vec::new();
    for (i, (s, _)) in snaps.iter().enumerate() {
        if s.cluster {
            cluster_scoped.push(i);
        } else {
            by_namespace.entry(s.eff_ns.as_str()).or_default().push(i);
        }
    }
    for r in res.iter_mut() {
        let referrer_gvk = r.cur_gvk();
        // Only an object some name reference can be in has references to update.
        let refers = config
            .name_reference
            .iter()
            .any(|nr| nr.specs.iter().any(|spec| spec.gvk.selects(&referrer_gvk)));
        let referrer_cluster = r.is_cluster_scoped();
        let referrer_ns = r.effective_namespace();
        let role_ref = r.obj.get("roleRef").map(|rr| Gvk {
            group: rr.get_str("apiGroup").unwrap_or_default().to_string(),
            version: String::new(),
            kind: rr.get_str("kind").unwrap_or_default().to_string(),
        });
        // resmap's getNamespacesForRoleBinding: a RoleBinding's ServiceAccount subject whose
        // namespace is present but not a string (blank, a number) is refused (krusty
        // blankvalues_test.go TestBlankNamespace4240).
        if referrer_gvk.kind == "RoleBinding" && !referrer_cluster {
            let blank = r
                .obj
                .get("subjects")
                .and_then(Node::as_seq)
                .into_iter()
                .flatten()
                .any(|s| {
                    s.get_str("kind") == Some("ServiceAccount")
                        && s.get("namespace").is_some_and(|n| {
                            !matches!(&n.kind, Kind::Scalar(sc) if matches!(sc.value(), ScalarValue::String))
                        })
                });
            if blank {
                return Err(format!(
                    "Invalid Input: namespace is blank for resource \"{}\"",
                    r.id()
                ));
            }
        }
        // SubsetThatCouldBeReferencedByResource.
        let subject_namespaces: Vec<String> =
            if referrer_gvk.kind == "RoleBinding" || referrer_gvk.kind == "ClusterRoleBinding" {
                r.obj
                    .get("subjects")
                    .and_then(Node::as_seq)
                    .into_iter()
                    .flatten()
                    .filter_map(|s| s.get_str("namespace").map(str::to_string))
                    .collect()
            } else {
                Vec::new()
            };
        if !refers {
            continue;
        }
        // SubsetThatCouldBeReferencedByResource: every object for a cluster-scoped referrer,
        // else the cluster-scoped ones and those in its namespace or its subjects' (in order).
        let candidates: Vec<&(Snapshot, Ctx)> = if referrer_cluster {
            snaps.iter().collect()
        } else {
            let mut picked: Vec<usize> = cluster_scoped.clone();
            for ns in std::iter::once(&referrer_ns).chain(&subject_namespaces) {
                picked.extend(by_namespace.get(ns.as_str()).into_iter().flatten());
            }
            picked.sort_unstable();
            picked.dedup();
            picked.into_iter().filter_map(|i| snaps.get(i)).collect()
        };
        let me = Ctx::of(r);
        for nr in &config.name_reference {
            for spec in &nr.specs {
                if !spec.gvk.selects(&referrer_gvk) {
                    continue;
                }
                let is_role_ref = spec.path.join("/").ends_with("roleRef/name");
                let select = |old: &str,
                              cands: &[&(Snapshot, Ctx)],
                              by_ns: bool|
                 -> Option<(String, String)> {
                    let mut c: Vec<&(Snapshot, Ctx)> = cands
                        .iter()
                        .copied()
                        .filter(|(s, _)| s.prev.iter().any(|p| p.1 == old))
                        .filter(|(s, _)| prev_selected(s, &nr.gvk))
                        .filter(|(s, _)| {
                            !is_role_ref || role_ref.as_ref().is_none_or(|g| prev_selected(s, g))
                        })
                        .filter(|(s, _)| {
                            referrer_cluster
                                || s.cluster
                                || s.gvk.kind == "ServiceAccount"
                                || s.eff_ns == referrer_ns
                        })
                        .collect();
                    if c.len() != 1 {
                        c.retain(|(_, o)| prefix_suffix_equals(o, &me, true));
                        if c.len() > 1 {
                            c.retain(|(_, o)| prefix_suffix_equals(o, &me, false));
                        }
                    }
                    let first = c.first()?;
                    let same = c.iter().all(|(s, _)| {
                        s.name == first.0.name && (!by_ns || s.namespace == first.0.namespace)
                    });
                    if !same {
                        let ids: Vec<String> = c.iter().map(|(_, o)| o.id()).collect();
                        let mut slot = ambiguous.borrow_mut();
                        if slot.is_none() {
                            *slot = Some(format!(
                                "updating name reference in '{}' field of '{}': found multiple possible referrals: {}",
                                spec.path.join("/"),
                                me.id(),
                                ids.join(", ")
                            ));
                        }
                    }
                    same.then(|| (first.0.name.clone(), first.0.namespace.clone()))
                };
                let _ = &snaps;
                apply_spec(&mut r.obj, spec, &|| Node::string("", None), &mut |n| {
                    set(n, &candidates, &select);
                });
                if let Some(message) = ambiguous.borrow_mut().take() {
                    return Err(message);
                }
            }
        }
    }
    Ok(())
}

type Select<'a> = dyn Fn(&str, &[&(Snapshot, Ctx)], bool) -> Option<(String, String)> + 'a;

fn set(n: &mut Node, candidates: &[&(Snapshot, Ctx)], select: &Select<'_>) {
    match &mut n.kind {
        Kind::Scalar(_) => set_scalar(n, candidates, select),
        Kind::Map(_) => set_mapping(n, candidates, select),
        Kind::Seq(items) => {
            for i in items.iter_mut() {
                match i.kind {
                    Kind::Scalar(_) => set_scalar(i, candidates, select),
                    Kind::Map(_) => set_mapping(i, candidates, select),
                    Kind::Seq(_) => {}
                }
            }
        }
    }
}

fn set_scalar(n: &mut Node, candidates: &[&(Snapshot, Ctx)], select: &Select<'_>) {
    let Some(old) = n.as_str().map(str::to_string) else {
        return;
    };
    if let Some((name, _)) = select(&old, candidates, false)
        && name != old
    {
        let o = n.origin.clone();
        *n = Node::string(name, o);
    }
}

fn set_mapping(n: &mut Node, candidates: &[&(Snapshot, Ctx)], select: &Select<'_>) {
    let Some(old) = n.get_str("name").map(str::to_string) else {
        return;
    };
    let cands: Vec<&(Snapshot, Ctx)> = match n.get_str("namespace") {
        None => candidates.to_vec(),
        Some(ns) => {
            let by_original: Vec<&(Snapshot, Ctx)> = candidates
                .iter()
                .copied()
                .filter(|(s, _)| {
                    s.prev
                        .first()
                        .map(|p| p.2.as_str())
                        .unwrap_or(s.eff_ns.as_str())
                        == ns
                })
                .collect();
            if by_original.is_empty() {
                candidates
                    .iter()
                    .copied()
                    .filter(|(s, _)| s.eff_ns == ns)
                    .collect()
            } else {
                by_original
            }
        }
    };
    let Some((name, ns)) = select(&old, &cands, true) else {
        return;
    };
    if name == old && ns.is_empty() {
        return;
    }
    let o = n.get("name").and_then(|x| x.origin.clone());
    n.set("name", Node::string(name, o));
    if !ns.is_empty() {
        let o = n.get("namespace").and_then(|x| x.origin.clone());
        n.set("namespace", Node::string(ns, o));
    }
}
