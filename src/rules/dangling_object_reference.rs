//! The part of `dangling-reference` about objects other than Secrets and ConfigMaps that a pod
//! names: its ServiceAccount (`serviceAccountName`), its PersistentVolumeClaims
//! (`volumes[].persistentVolumeClaim.claimName`) and its PriorityClass (`priorityClassName`).
//!
//! Each is checked only when the repository defines objects of that kind at all, in the pod's
//! namespace when the pod sets one: a repository that manages the namespace's ServiceAccounts is
//! expected to manage this one too, while one that defines none creates them elsewhere. Pods
//! inside custom resources are skipped: their operator creates what they use. What goes wrong when the object is missing:
//! - ServiceAccount: the ServiceAccount admission plugin rejects the pod
//!   (`plugin/pkg/admission/serviceaccount/admission.go`: "error looking up service account
//!   <ns>/<name>"), so the workload's controller creates no pod. `default` exists in every
//!   namespace.
//! - PersistentVolumeClaim: the pod stays `Pending` ("persistentvolumeclaim \"x\" not found",
//!   the scheduler's VolumeBinding plugin). Claims a StatefulSet's `volumeClaimTemplates` create
//!   (`<template>-<statefulset>-<ordinal>`) count as defined.
//! - PriorityClass: the Priority admission plugin rejects the pod
//!   (`plugin/pkg/admission/priority/admission.go`: "no PriorityClass with name <x> was found").
//!   `system-cluster-critical` and `system-node-critical` are built in.

use std::collections::{HashMap, HashSet};

use super::HasRuleId;
use crate::finding::Finding;
use crate::load::{Document, NodeId};
use crate::model::{Object, Workspace};
use crate::rule_id::RuleId;
use crate::secrets::values::is_reference;

const ID: RuleId = <super::dangling_reference::DanglingReference as HasRuleId>::ID;

/// The names of one kind the repository defines: per namespace, and all namespaces together.
#[derive(Default)]
struct Defined {
    any: bool,
    by_namespace: HashMap<String, HashSet<String>>,
    everywhere: HashSet<String>,
    /// `(namespace, prefix)` of claims a StatefulSet's `volumeClaimTemplates` create.
    prefixes: Vec<(String, String)>,
}

impl Defined {
    fn add(&mut self, namespace: Option<&str>, name: &str) {
        self.any = true;
        self.everywhere.insert(name.to_string());
        if let Some(ns) = namespace {
            self.by_namespace
                .entry(ns.to_string())
                .or_default()
                .insert(name.to_string());
        }
    }

    /// Does the repository define objects of this kind where the pod runs (anywhere when the
    /// pod does not set its namespace): the evidence that it manages them.
    fn any_in(&self, namespace: Option<&str>) -> bool {
        match namespace {
            Some(ns) => {
                self.by_namespace.contains_key(ns) || self.prefixes.iter().any(|(pns, _)| pns == ns)
            }
            None => self.any,
        }
    }

    /// Is `name` defined where the pod runs (any namespace when the pod does not set its own).
    fn has(&self, namespace: Option<&str>, name: &str) -> bool {
        let prefixed = |ns: Option<&str>| {
            self.prefixes.iter().any(|(pns, prefix)| {
                ns.is_none_or(|ns| ns == pns)
                    && name
                        .strip_prefix(prefix.as_str())
                        .is_some_and(|ordinal| ordinal.parse::<u32>().is_ok())
            })
        };
        match namespace {
            Some(ns) => {
                self.by_namespace
                    .get(ns)
                    .is_some_and(|names| names.contains(name))
                    || prefixed(Some(ns))
            }
            None => self.everywhere.contains(name) || prefixed(None),
        }
    }
}

struct Index {
    service_accounts: Defined,
    claims: Defined,
    priority_classes: Defined,
}

fn build(ws: &Workspace) -> Index {
    let mut index = Index {
        service_accounts: Defined::default(),
        claims: Defined::default(),
        priority_classes: Defined::default(),
    };
    for object in &ws.objects {
        let Some(name) = object.name.as_deref() else {
            continue;
        };
        let namespace = object.namespace.as_deref();
        match (object.group.as_str(), object.kind.as_str()) {
            ("", "ServiceAccount") => index.service_accounts.add(namespace, name),
            ("", "PersistentVolumeClaim") => index.claims.add(namespace, name),
            ("scheduling.k8s.io", "PriorityClass") => index.priority_classes.add(None, name),
            ("apps", "StatefulSet") => {
                let doc = ws.document(object);
                let templates = doc
                    .get_path(object.node, &["spec", "volumeClaimTemplates"])
                    .map_or(&[][..], |t| doc.items(t));
                for template in templates {
                    let Some(claim) = doc
                        .get_path(*template, &["metadata", "name"])
                        .and_then(|n| doc.str(n))
                    else {
                        continue;
                    };
                    index.claims.prefixes.push((
                        namespace.unwrap_or_default().to_string(),
                        format!("{claim}-{name}-"),
                    ));
                }
            }
            _ => {}
        }
    }
    index
}

struct Missing {
    kind: &'static str,
    name: String,
    node: NodeId,
    what: &'static str,
    consequence: &'static str,
}

/// Names of the volumes a StatefulSet's controller replaces by claims from its
/// `volumeClaimTemplates` (`updateStorage` in `pkg/controller/statefulset/stateful_set_utils.go`).
fn claim_template_names<'d>(doc: &'d Document, object: &crate::model::Object) -> Vec<&'d str> {
    if object.kind != "StatefulSet" {
        return Vec::new();
    }
    doc.get_path(object.node, &["spec", "volumeClaimTemplates"])
        .map_or(&[][..], |t| doc.items(t))
        .iter()
        .filter_map(|t| {
            doc.get_path(*t, &["metadata", "name"])
                .and_then(|n| doc.str(n))
        })
        .collect()
}

fn pod_object_references(
    doc: &Document,
    pod: NodeId,
    index: &Index,
    claim_templates: &[&str],
) -> Vec<(Missing, bool)> {
    let mut out = Vec::new();
    // `serviceAccount` is the deprecated alias, used when `serviceAccountName` is absent.
    let account = doc
        .get(pod, "serviceAccountName")
        .or_else(|| doc.get(pod, "serviceAccount"));
    if let Some(node) = account
        && let Some(name) = doc.str(node)
        && name != "default"
        && index.service_accounts.any
    {
        out.push((
            Missing {
                kind: "ServiceAccount",
                name: name.to_string(),
                node,
                what: "the pod runs as",
                consequence: "the ServiceAccount admission plugin rejects the pod, so its \
                              controller creates none",
            },
            true,
        ));
    }
    if let Some(node) = doc.get(pod, "priorityClassName")
        && let Some(name) = doc.str(node)
        && !matches!(name, "system-cluster-critical" | "system-node-critical")
        && index.priority_classes.any
    {
        out.push((
            Missing {
                kind: "PriorityClass",
                name: name.to_string(),
                node,
                what: "the pod's priority class is",
                consequence: "the Priority admission plugin rejects the pod (\"no PriorityClass \
                              with name ... was found\")",
            },
            false,
        ));
    }
    if index.claims.any {
        let volumes = doc.get(pod, "volumes").map_or(&[][..], |v| doc.items(v));
        for volume in volumes {
            if doc
                .get_str(*volume, "name")
                .is_some_and(|n| claim_templates.contains(&n))
            {
                continue;
            }
            let Some(node) = doc
                .get(*volume, "persistentVolumeClaim")
                .and_then(|c| doc.get(c, "claimName"))
            else {
                continue;
            };
            let Some(name) = doc.str(node) else {
                continue;
            };
            out.push((
                Missing {
                    kind: "PersistentVolumeClaim",
                    name: name.to_string(),
                    node,
                    what: "a volume mounts",
                    consequence: "the pod stays Pending (persistentvolumeclaim not found)",
                },
                true,
            ));
        }
    }
    out
}

fn explicit_namespace(ws: &Workspace, object: &Object) -> bool {
    let doc = ws.document(object);
    doc.get_path(object.node, &["metadata", "namespace"])
        .is_some_and(|n| doc.str(n).is_some())
}

/// Reports the pod references to ServiceAccounts, PersistentVolumeClaims and PriorityClasses
/// the repository does not define (see the module documentation).
pub(crate) fn check(ws: &Workspace, out: &mut Vec<Finding>) {
    let index = build(ws);
    if !index.service_accounts.any && !index.claims.any && !index.priority_classes.any {
        return;
    }
    for pod in &ws.pod_specs {
        // Pods inside custom resources are created by their operator, which creates their
        // ServiceAccounts and claims too (Strimzi, Kubeflow).
        if pod.structural {
            continue;
        }
        let Some(object) = ws.objects.get(pod.object) else {
            continue;
        };
        let Some(namespace) = object.namespace.as_deref() else {
            continue;
        };
        let doc = ws.document(object);
        // Without `metadata.namespace` the pod runs wherever `kubectl apply -n` says.
        let explicit = explicit_namespace(ws, object);
        let claim_templates = claim_template_names(doc, object);
        for (missing, namespaced) in pod_object_references(doc, pod.node, &index, &claim_templates)
        {
            if missing.name.is_empty() || is_reference(&missing.name) {
                continue;
            }
            let defined = match missing.kind {
                "ServiceAccount" => &index.service_accounts,
                "PersistentVolumeClaim" => &index.claims,
                _ => &index.priority_classes,
            };
            let lookup = if namespaced && explicit {
                Some(namespace)
            } else {
                None
            };
            if !defined.any_in(lookup) || defined.has(lookup, &missing.name) {
                continue;
            }
            let kind = missing.kind;
            let name = &missing.name;
            let place = if namespaced {
                format!(" in namespace `{namespace}`")
            } else {
                String::new()
            };
            let elsewhere = if namespaced && explicit && defined.everywhere.contains(name) {
                " (it is defined in another namespace)"
            } else {
                ""
            };
            out.push(
                Finding::new(
                    ID,
                    object.file,
                    doc.span(missing.node),
                    format!(
                        "{} {kind} `{name}`, which the repository does not define{place}{elsewhere} \
                         while it defines other {kind} objects{place}: if it is missing in the cluster, {}",
                        missing.what, missing.consequence
                    ),
                )
                .label(format!("no {kind} `{name}`"))
                .help(format!(
                    "create {kind} `{name}`{place} (or fix the name); if it is created outside \
                     this repository, suppress this finding"
                ))
                .object(Some(object.identity())),
            );
        }
    }
}
