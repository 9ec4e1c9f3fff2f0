//! `dangling-reference`: a pod (or ServiceAccount, or OpenFaaS `Function`) refers to a Secret
//! or ConfigMap that the repository does not define in the pod's namespace, while it defines
//! one with that name in another namespace (the pod sets `metadata.namespace`) or one with a
//! near-identical name in that namespace (a typo); or to a key that the referenced object does
//! not have (an error: the container cannot start, `CreateContainerConfigError`). A name the
//! repository never defines is not reported: such objects are created outside it (by a Job,
//! an operator, `kubectl create secret`), as the real-world corpus shows. References marked `optional: true` are skipped. Secrets
//! created from references kept in the repository (SealedSecret, ExternalSecret, CSI
//! SecretProviderClass `secretObjects`, cert-manager Certificate, Vault Secrets Operator,
//! kustomize generators) count as defined (see [`crate::model::secret_index`]); secrets that
//! Vault agent or Flyte inject through annotations are not references to Kubernetes objects
//! and are never reported.

use super::Rule;
use crate::finding::{Finding, Severity};
use crate::load::{Document, NodeId};
use crate::model::kinds::is_openfaas_function;
use crate::model::secret_index::{ConfigKind, Keys, SecretIndex};
use crate::model::{Object, Workspace};
use crate::rule_id::RuleId;
use crate::rules::HasRuleId;
use crate::secrets::values::is_reference;
use crate::suggest::edit_distance_within;

#[derive(Default)]
pub(crate) struct DanglingReference;

const ID: RuleId = <DanglingReference as HasRuleId>::ID;

/// One reference to a Secret or ConfigMap.
#[derive(Debug, Clone)]
pub(crate) struct Reference {
    pub kind: ConfigKind,
    pub name: String,
    pub name_node: NodeId,
    /// The key it reads, if any.
    pub key: Option<(String, NodeId)>,
    pub optional: bool,
    /// What refers: "env var `DB_PASSWORD` of container `app`", "volume `certs`".
    pub from: String,
}

fn is_optional(doc: &Document, node: NodeId) -> bool {
    doc.get(node, "optional")
        .and_then(|o| doc.scalar(o))
        .is_some_and(|s| matches!(s.value(), crate::load::scalar::ScalarValue::Bool(true)))
}

fn reference(
    doc: &Document,
    kind: ConfigKind,
    node: NodeId,
    name_field: &str,
    key: Option<(String, NodeId)>,
    from: String,
) -> Option<Reference> {
    let name_node = doc.get(node, name_field)?;
    let name = doc.str(name_node)?.to_string();
    Some(Reference {
        kind,
        name,
        name_node,
        key,
        optional: is_optional(doc, node),
        from,
    })
}

/// `items: [{key: ...}]` of a secret/configMap volume source: one reference per key, or one
/// without a key when there are no items.
fn volume_references(
    doc: &Document,
    kind: ConfigKind,
    source: NodeId,
    name_field: &str,
    from: String,
    out: &mut Vec<Reference>,
) {
    let items: Vec<(String, NodeId)> = doc
        .get(source, "items")
        .map(|i| doc.items(i))
        .unwrap_or(&[])
        .iter()
        .filter_map(|item| {
            let key = doc.get(*item, "key")?;
            Some((doc.str(key)?.to_string(), key))
        })
        .collect();
    if items.is_empty() {
        out.extend(reference(doc, kind, source, name_field, None, from));
        return;
    }
    for key in items {
        out.extend(reference(
            doc,
            kind,
            source,
            name_field,
            Some(key),
            from.clone(),
        ));
    }
}

/// Every Secret and ConfigMap reference of a pod spec.
pub(crate) fn pod_references(doc: &Document, pod: NodeId) -> Vec<Reference> {
    let mut out = Vec::new();
    for field in ["containers", "initContainers", "ephemeralContainers"] {
        let containers = doc.get(pod, field).map(|c| doc.items(c)).unwrap_or(&[]);
        for container in containers {
            let cname = doc.get_str(*container, "name").unwrap_or("<unnamed>");
            let env = doc
                .get(*container, "env")
                .map(|e| doc.items(e))
                .unwrap_or(&[]);
            for var in env {
                let vname = doc.get_str(*var, "name").unwrap_or("<unnamed>");
                let from = format!("env var `{vname}` of container `{cname}`");
                for (ref_field, kind) in [
                    ("secretKeyRef", ConfigKind::Secret),
                    ("configMapKeyRef", ConfigKind::ConfigMap),
                ] {
                    let Some(r) = doc.get_path(*var, &["valueFrom", ref_field]) else {
                        continue;
                    };
                    let key = doc
                        .get(r, "key")
                        .and_then(|k| Some((doc.str(k)?.to_string(), k)));
                    out.extend(reference(doc, kind, r, "name", key, from.clone()));
                }
            }
            let env_from = doc
                .get(*container, "envFrom")
                .map(|e| doc.items(e))
                .unwrap_or(&[]);
            for source in env_from {
                for (ref_field, kind) in [
                    ("secretRef", ConfigKind::Secret),
                    ("configMapRef", ConfigKind::ConfigMap),
                ] {
                    if let Some(r) = doc.get(*source, ref_field) {
                        let from = format!("`envFrom` of container `{cname}`");
                        out.extend(reference(doc, kind, r, "name", None, from));
                    }
                }
            }
        }
    }
    let volumes = doc.get(pod, "volumes").map(|v| doc.items(v)).unwrap_or(&[]);
    for volume in volumes {
        let vname = doc.get_str(*volume, "name").unwrap_or("<unnamed>");
        let from = format!("volume `{vname}`");
        if let Some(s) = doc.get(*volume, "secret") {
            volume_references(
                doc,
                ConfigKind::Secret,
                s,
                "secretName",
                from.clone(),
                &mut out,
            );
        }
        if let Some(c) = doc.get(*volume, "configMap") {
            volume_references(
                doc,
                ConfigKind::ConfigMap,
                c,
                "name",
                from.clone(),
                &mut out,
            );
        }
        let sources = doc
            .get_path(*volume, &["projected", "sources"])
            .map(|s| doc.items(s))
            .unwrap_or(&[]);
        for source in sources {
            if let Some(s) = doc.get(*source, "secret") {
                volume_references(doc, ConfigKind::Secret, s, "name", from.clone(), &mut out);
            }
            if let Some(c) = doc.get(*source, "configMap") {
                volume_references(
                    doc,
                    ConfigKind::ConfigMap,
                    c,
                    "name",
                    from.clone(),
                    &mut out,
                );
            }
        }
    }
    out.extend(pull_secret_references(
        doc,
        pod,
        "this pod's `imagePullSecrets`",
    ));
    out
}

/// `imagePullSecrets: [{name: ...}]` of a pod spec or a ServiceAccount.
pub(crate) fn pull_secret_references(doc: &Document, node: NodeId, from: &str) -> Vec<Reference> {
    doc.get(node, "imagePullSecrets")
        .map(|l| doc.items(l))
        .unwrap_or(&[])
        .iter()
        .filter_map(|item| {
            reference(
                doc,
                ConfigKind::Secret,
                *item,
                "name",
                None,
                from.to_string(),
            )
        })
        .collect()
}

/// The closest name within 2 edits (a third of the name, at least 1), for "did you mean".
fn suggestion<'a>(wanted: &str, candidates: impl Iterator<Item = &'a String>) -> Option<&'a str> {
    let limit = 2.min(wanted.len() / 3).max(1);
    candidates
        // Bounded: a namespace can hold thousands of names, nearly all far from this one.
        .filter_map(|c| Some((edit_distance_within(wanted, c, limit)?, c)))
        .filter(|(d, c)| *d > 0 && c.as_str() != wanted)
        .min()
        .map(|(_, c)| c.as_str())
}

fn check(
    ws: &Workspace,
    index: &SecretIndex,
    object: &Object,
    namespace: &str,
    references: &[Reference],
    out: &mut Vec<Finding>,
) {
    let doc = ws.document(object);
    // Without `metadata.namespace` the namespace is whatever `kubectl apply -n` says: a
    // definition in any namespace may be the one meant.
    let explicit = doc
        .get_path(object.node, &["metadata", "namespace"])
        .is_some_and(|n| doc.str(n).is_some());
    for r in references {
        if r.optional || is_reference(&r.name) || r.name.is_empty() {
            continue;
        }
        let kind = r.kind.name();
        let name = &r.name;
        let mut definitions = index.definitions(r.kind, namespace, name);
        if definitions.is_empty() && !explicit {
            for other in index.namespaces_of(r.kind, name).into_iter().flatten() {
                definitions.extend(index.definitions(r.kind, other, name));
            }
        }
        if !definitions.is_empty() {
            let Some((key, key_node)) = &r.key else {
                continue;
            };
            if is_reference(key) {
                continue;
            }
            let mut known = std::collections::BTreeSet::new();
            let mut all_known = true;
            for definition in &definitions {
                match &definition.keys {
                    Keys::Known(keys) => known.extend(keys.iter().cloned()),
                    Keys::Unknown => all_known = false,
                }
            }
            if !all_known || known.contains(key) {
                continue;
            }
            let keys: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
            let keys = if keys.is_empty() {
                "it has no keys".to_string()
            } else {
                format!("its keys: {}", keys.join(", "))
            };
            let hint = suggestion(key, known.iter())
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            let mut finding = Finding::new(
                ID,
                object.file,
                doc.span(*key_node),
                format!(
                    "{kind} `{name}` in namespace `{namespace}` has no key `{key}`{hint} \
                     ({keys}): the container cannot start (CreateContainerConfigError)"
                ),
            )
            .label("missing key")
            .help(format!(
                "add `{key}` to the {kind}, or read a key it has; mark the reference \
                 `optional: true` if the pod may start without it"
            ))
            .severity(Severity::Error)
            .object(Some(object.identity()));
            for definition in definitions.iter().filter_map(|d| d.object) {
                let Some(defining) = ws.objects.get(definition) else {
                    continue;
                };
                finding = finding.related(
                    defining.file,
                    defining.kind_span,
                    format!("{kind} `{name}` defined here"),
                );
            }
            out.push(finding);
            continue;
        }
        let elsewhere: Vec<&String> = index
            .namespaces_of(r.kind, name)
            .map(|n| n.iter().filter(|ns| *ns != namespace).collect())
            .unwrap_or_default();
        // Only with evidence of a mistake: the name exists in another namespace, or a
        // near-identical name exists in this one. A name the repository never mentions is
        // usually created outside it (by a Job, an operator, `kubectl create secret`).
        let typo = suggestion(name, index.names_in(r.kind, namespace));
        let message = if !elsewhere.is_empty() && explicit {
            let list: Vec<String> = elsewhere.iter().map(|n| format!("`{n}`")).collect();
            format!(
                "{} refers to {kind} `{name}`, which is not defined in namespace \
                 `{namespace}` where the pod runs: it exists in namespace {} ({kind}s are \
                 namespaced)",
                r.from,
                list.join(", ")
            )
        } else if let Some(similar) = typo {
            format!(
                "{} refers to {kind} `{name}`, which is not defined in namespace \
                 `{namespace}`; did you mean `{similar}`, which is?",
                r.from
            )
        } else {
            continue;
        };
        out.push(
            Finding::new(ID, object.file, doc.span(r.name_node), message)
                .label(format!("no {kind} `{name}` in `{namespace}`"))
                .help(format!(
                    "create {kind} `{name}` in namespace `{namespace}` (or fix the name); if it is \
                 created outside this repository, suppress this finding"
                ))
                .object(Some(object.identity())),
        );
    }
}

/// A `secret` volume that names its Secret with `name` (as `configMap` volumes and projected
/// sources do) instead of `secretName` (seed 004's TensorStack example): it refers to no
/// Secret at all. The API server rejects the pod (`secretName` is required); in a custom
/// resource the unknown field may be pruned first.
fn misnamed_secret_volumes(ws: &Workspace, object: &Object, pod: NodeId, out: &mut Vec<Finding>) {
    let doc = ws.document(object);
    let volumes = doc.get(pod, "volumes").map(|v| doc.items(v)).unwrap_or(&[]);
    for volume in volumes {
        let Some(secret) = doc.get(*volume, "secret") else {
            continue;
        };
        if doc.get(secret, "secretName").is_some() {
            continue;
        }
        let Some(name_key) = doc.entry(secret, "name").map(|e| e.key) else {
            continue;
        };
        let vname = doc.get_str(*volume, "name").unwrap_or("<unnamed>");
        let secret_name = doc.get_str(secret, "name").unwrap_or("...");
        out.push(
            Finding::new(
                ID,
                object.file,
                doc.span(name_key),
                format!(
                    "volume `{vname}` names its Secret with `secret.name`, which a secret volume \
                     does not have: it refers to no Secret (`secretName` is the field)"
                ),
            )
            .label("not a field of a secret volume")
            .help(format!("write `secretName: {secret_name}`"))
            .object(Some(object.identity())),
        );
    }
}

impl Rule for DanglingReference {
    fn check_workspace(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        let index = ws.secret_index();
        for pod in &ws.pod_specs {
            let Some(object) = ws.objects.get(pod.object) else {
                continue;
            };
            misnamed_secret_volumes(ws, object, pod.node, out);
            let Some(namespace) = &object.namespace else {
                continue;
            };
            let references = pod_references(ws.document(object), pod.node);
            check(ws, index, object, namespace, &references, out);
        }
        for object in &ws.objects {
            let Some(namespace) = &object.namespace else {
                continue;
            };
            let doc = ws.document(object);
            let references = if object.group.is_empty() && object.kind == "ServiceAccount" {
                pull_secret_references(doc, object.node, "this ServiceAccount's `imagePullSecrets`")
            } else if is_openfaas_function(object) {
                doc.get_path(object.node, &["spec", "secrets"])
                    .map(|s| doc.items(s))
                    .unwrap_or(&[])
                    .iter()
                    .filter_map(|item| {
                        Some(Reference {
                            kind: ConfigKind::Secret,
                            name: doc.str(*item)?.to_string(),
                            name_node: *item,
                            key: None,
                            optional: false,
                            from: "this function's `secrets`".to_string(),
                        })
                    })
                    .collect()
            } else {
                continue;
            };
            check(ws, index, object, namespace, &references, out);
        }
        super::dangling_object_reference::check(ws, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_for_typos() {
        let names = ["checkout-db".to_string(), "frontend".to_string()];
        assert_eq!(suggestion("chekout-db", names.iter()), Some("checkout-db"));
        assert_eq!(suggestion("redis", names.iter()), None);
    }
}
