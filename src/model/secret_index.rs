//! Which Secrets and ConfigMaps a repository defines, per namespace, with their keys: built
//! once per run (see [`super::Workspace::secret_index`]) for the rules that follow references
//! (`dangling-reference`, `image-pull-secret-missing`).
//!
//! A Secret is defined by a `Secret` object, and also by what creates one from a reference
//! kept in the repository: a `SealedSecret` (bitnami.com), an `ExternalSecret`
//! (external-secrets.io, or the older kubernetes-client.io), a `ClusterExternalSecret` (in
//! any namespace it selects), a `SecretProviderClass` with `secretObjects` (the CSI
//! secrets-store driver syncs them), a cert-manager `Certificate` (`spec.secretName`), a Vault
//! Secrets Operator `Vault*Secret` (`spec.destination.name`), and kustomize's
//! `secretGenerator`. ConfigMaps likewise: `ConfigMap` objects, kustomize's
//! `configMapGenerator`, and `kube-root-ca.crt`, which Kubernetes publishes in every namespace.

use std::collections::{BTreeSet, HashMap};

use super::{ObjectId, Workspace};
use crate::load::{Document, NodeId};
use crate::secrets::data::{merged_entries, secret_entries};
use crate::secrets::docker::parse_docker_config;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConfigKind {
    Secret,
    ConfigMap,
}

impl ConfigKind {
    pub fn name(self) -> &'static str {
        match self {
            ConfigKind::Secret => "Secret",
            ConfigKind::ConfigMap => "ConfigMap",
        }
    }
}

/// The keys a definition provides, when the repository says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Keys {
    Known(BTreeSet<String>),
    /// Filled by something the repository does not show (an empty Secret, a generator, a
    /// `dataFrom`).
    Unknown,
}

/// One definition of a Secret or ConfigMap.
#[derive(Debug, Clone)]
pub struct Definition {
    /// The object that defines it (`None` for implicit ones such as `kube-root-ca.crt`).
    pub object: Option<ObjectId>,
    /// What defines it: `Secret`, `SealedSecret`, `ExternalSecret`, ...
    pub source: &'static str,
    pub keys: Keys,
}

/// A docker-registry Secret (`kubernetes.io/dockerconfigjson` or `kubernetes.io/dockercfg`).
#[derive(Debug, Clone)]
pub struct RegistrySecret {
    pub object: ObjectId,
    pub name: String,
    /// The `auths` keys (registries) it holds credentials for.
    pub registries: Vec<String>,
}

#[derive(Debug, Default)]
pub struct SecretIndex {
    defined: HashMap<(ConfigKind, String, String), Vec<Definition>>,
    /// Definitions valid in every namespace (ClusterExternalSecret, kustomize generators).
    everywhere: HashMap<(ConfigKind, String), Vec<Definition>>,
    namespaces_by_name: HashMap<(ConfigKind, String), BTreeSet<String>>,
    /// The names defined per kind and namespace (did-you-mean candidates; looking them up in
    /// `defined` by scanning it was quadratic in the number of objects).
    names_by_namespace: HashMap<(ConfigKind, String), BTreeSet<String>>,
    registry_secrets: HashMap<String, Vec<RegistrySecret>>,
}

fn keys_of(doc: &Document, map: Option<NodeId>) -> BTreeSet<String> {
    map.map(|m| {
        doc.entries(m)
            .iter()
            .filter_map(|e| doc.scalar(e.key).map(|k| k.text.to_string()))
            .collect()
    })
    .unwrap_or_default()
}

fn list_field_values(doc: &Document, list: Option<NodeId>, field: &str) -> BTreeSet<String> {
    list.map(|l| {
        doc.items(l)
            .iter()
            .filter_map(|item| doc.get_str(*item, field).map(str::to_string))
            .collect()
    })
    .unwrap_or_default()
}

impl SecretIndex {
    pub fn build(ws: &Workspace) -> SecretIndex {
        let mut index = SecretIndex::default();
        for (id, object) in ws.objects.iter().enumerate() {
            let doc = ws.document(object);
            let node = object.node;
            let Some(namespace) = object.namespace.clone() else {
                // Cluster-scoped producers.
                if object.kind == "ClusterExternalSecret" {
                    let spec = doc.get(node, "spec");
                    let name = spec
                        .and_then(|s| doc.get_path(s, &["externalSecretSpec", "target", "name"]))
                        .and_then(|n| doc.str(n))
                        .or_else(|| spec.and_then(|s| doc.get_str(s, "externalSecretName")))
                        .or(object.name.as_deref());
                    if let Some(name) = name {
                        index.add_everywhere(ConfigKind::Secret, name, id, "ClusterExternalSecret");
                    }
                }
                continue;
            };
            let name = object.name.as_deref();
            let spec = doc.get(node, "spec");
            match (object.group.as_str(), object.kind.as_str()) {
                ("", "Secret") => {
                    let Some(name) = name else { continue };
                    let entries = secret_entries(doc, node);
                    let keys = if doc.get(node, "data").is_none()
                        && doc.get(node, "stringData").is_none()
                        || doc.get_str(node, "type") == Some("kubernetes.io/service-account-token")
                    {
                        Keys::Unknown
                    } else {
                        Keys::Known(entries.iter().map(|e| e.key.clone()).collect())
                    };
                    index.add(ConfigKind::Secret, &namespace, name, id, "Secret", keys);
                    let secret_type = doc.get_str(node, "type").unwrap_or("");
                    let (key, legacy) = match secret_type {
                        "kubernetes.io/dockerconfigjson" => (".dockerconfigjson", false),
                        "kubernetes.io/dockercfg" => (".dockercfg", true),
                        _ => continue,
                    };
                    let merged = merged_entries(&entries);
                    let Some(bytes) = merged.get(key).and_then(|e| e.bytes()) else {
                        continue;
                    };
                    if let Ok(config) = parse_docker_config(bytes, legacy) {
                        index
                            .registry_secrets
                            .entry(namespace.clone())
                            .or_default()
                            .push(RegistrySecret {
                                object: id,
                                name: name.to_string(),
                                registries: config.auths.into_iter().map(|a| a.registry).collect(),
                            });
                    }
                }
                ("", "ConfigMap") => {
                    let Some(name) = name else { continue };
                    let data = doc.get(node, "data");
                    let binary = doc.get(node, "binaryData");
                    let keys = if data.is_none() && binary.is_none() {
                        Keys::Unknown
                    } else {
                        let mut keys = keys_of(doc, data);
                        keys.extend(keys_of(doc, binary));
                        Keys::Known(keys)
                    };
                    index.add(
                        ConfigKind::ConfigMap,
                        &namespace,
                        name,
                        id,
                        "ConfigMap",
                        keys,
                    );
                }
                ("bitnami.com", "SealedSecret") => {
                    let Some(name) = name else { continue };
                    let mut keys = keys_of(doc, spec.and_then(|s| doc.get(s, "encryptedData")));
                    keys.extend(keys_of(
                        doc,
                        spec.and_then(|s| doc.get_path(s, &["template", "data"])),
                    ));
                    index.add(
                        ConfigKind::Secret,
                        &namespace,
                        name,
                        id,
                        "SealedSecret",
                        Keys::Known(keys),
                    );
                }
                (group, "ExternalSecret") if group.starts_with("external-secrets.io") => {
                    let target = spec
                        .and_then(|s| doc.get_path(s, &["target", "name"]))
                        .and_then(|n| doc.str(n))
                        .or(name);
                    let Some(target) = target else { continue };
                    let templated = spec.is_some_and(|s| {
                        doc.get(s, "dataFrom").is_some()
                            || doc.get_path(s, &["target", "template"]).is_some()
                    });
                    let keys = if templated {
                        Keys::Unknown
                    } else {
                        Keys::Known(list_field_values(
                            doc,
                            spec.and_then(|s| doc.get(s, "data")),
                            "secretKey",
                        ))
                    };
                    index.add(
                        ConfigKind::Secret,
                        &namespace,
                        target,
                        id,
                        "ExternalSecret",
                        keys,
                    );
                }
                ("kubernetes-client.io", "ExternalSecret") => {
                    let Some(name) = name else { continue };
                    let keys = if spec.is_some_and(|s| doc.get(s, "dataFrom").is_some()) {
                        Keys::Unknown
                    } else {
                        Keys::Known(list_field_values(
                            doc,
                            spec.and_then(|s| doc.get(s, "data")),
                            "name",
                        ))
                    };
                    index.add(
                        ConfigKind::Secret,
                        &namespace,
                        name,
                        id,
                        "ExternalSecret",
                        keys,
                    );
                }
                ("secrets-store.csi.x-k8s.io", "SecretProviderClass") => {
                    let objects = spec.and_then(|s| doc.get(s, "secretObjects"));
                    for item in objects.map(|o| doc.items(o)).unwrap_or(&[]) {
                        let Some(secret_name) = doc.get_str(*item, "secretName") else {
                            continue;
                        };
                        let keys = list_field_values(doc, doc.get(*item, "data"), "key");
                        index.add(
                            ConfigKind::Secret,
                            &namespace,
                            secret_name,
                            id,
                            "SecretProviderClass",
                            Keys::Known(keys),
                        );
                    }
                }
                ("cert-manager.io", "Certificate") => {
                    if let Some(secret_name) = spec.and_then(|s| doc.get_str(s, "secretName")) {
                        index.add(
                            ConfigKind::Secret,
                            &namespace,
                            secret_name,
                            id,
                            "Certificate",
                            Keys::Unknown,
                        );
                    }
                }
                ("secrets.hashicorp.com", kind) if kind.starts_with("Vault") => {
                    if let Some(secret_name) = spec
                        .and_then(|s| doc.get_path(s, &["destination", "name"]))
                        .and_then(|n| doc.str(n))
                    {
                        index.add(
                            ConfigKind::Secret,
                            &namespace,
                            secret_name,
                            id,
                            "Vault Secrets Operator",
                            Keys::Unknown,
                        );
                    }
                }
                _ => {}
            }
        }
        // kustomize generators: the kustomization's namespace transform may move them, so
        // they count in every namespace. Kustomization files often have no apiVersion/kind.
        for file in &ws.files {
            let is_kustomization = std::path::Path::new(&file.source.path)
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| {
                    matches!(
                        n,
                        "kustomization.yaml" | "kustomization.yml" | "Kustomization"
                    )
                });
            for doc in &file.documents {
                let is_kustomize_object = doc.get_str(doc.root, "kind") == Some("Kustomization")
                    && doc
                        .get_str(doc.root, "apiVersion")
                        .is_some_and(|v| v.starts_with("kustomize.config.k8s.io"));
                if !is_kustomization && !is_kustomize_object {
                    continue;
                }
                for (field, kind) in [
                    ("secretGenerator", ConfigKind::Secret),
                    ("configMapGenerator", ConfigKind::ConfigMap),
                ] {
                    for name in list_field_values(doc, doc.get(doc.root, field), "name") {
                        index
                            .everywhere
                            .entry((kind, name))
                            .or_default()
                            .push(Definition {
                                object: None,
                                source: "kustomize generator",
                                keys: Keys::Unknown,
                            });
                    }
                }
            }
        }
        index
            .everywhere
            .entry((ConfigKind::ConfigMap, "kube-root-ca.crt".to_string()))
            .or_default()
            .push(Definition {
                object: None,
                source: "Kubernetes (published in every namespace)",
                keys: Keys::Known(BTreeSet::from(["ca.crt".to_string()])),
            });
        index
    }

    fn add(
        &mut self,
        kind: ConfigKind,
        namespace: &str,
        name: &str,
        object: ObjectId,
        source: &'static str,
        keys: Keys,
    ) {
        self.defined
            .entry((kind, namespace.to_string(), name.to_string()))
            .or_default()
            .push(Definition {
                object: Some(object),
                source,
                keys,
            });
        self.namespaces_by_name
            .entry((kind, name.to_string()))
            .or_default()
            .insert(namespace.to_string());
        self.names_by_namespace
            .entry((kind, namespace.to_string()))
            .or_default()
            .insert(name.to_string());
    }

    fn add_everywhere(
        &mut self,
        kind: ConfigKind,
        name: &str,
        object: ObjectId,
        source: &'static str,
    ) {
        self.everywhere
            .entry((kind, name.to_string()))
            .or_default()
            .push(Definition {
                object: Some(object),
                source,
                keys: Keys::Unknown,
            });
    }

    /// The definitions of `name` in `namespace` (including those valid everywhere).
    pub fn definitions(&self, kind: ConfigKind, namespace: &str, name: &str) -> Vec<&Definition> {
        let mut out: Vec<&Definition> = self
            .defined
            .get(&(kind, namespace.to_string(), name.to_string()))
            .map(|d| d.iter().collect())
            .unwrap_or_default();
        if let Some(everywhere) = self.everywhere.get(&(kind, name.to_string())) {
            out.extend(everywhere);
        }
        out
    }

    /// Namespaces where `name` is defined.
    pub fn namespaces_of(&self, kind: ConfigKind, name: &str) -> Option<&BTreeSet<String>> {
        self.namespaces_by_name.get(&(kind, name.to_string()))
    }

    /// Names defined in `namespace` (for "did you mean" suggestions).
    pub fn names_in<'a>(
        &'a self,
        kind: ConfigKind,
        namespace: &'a str,
    ) -> impl Iterator<Item = &'a String> + 'a {
        self.names_by_namespace
            .get(&(kind, namespace.to_string()))
            .into_iter()
            .flatten()
    }

    /// Does the repository define any object of `kind` in `namespace`?
    pub fn defines_any_in(&self, kind: ConfigKind, namespace: &str) -> bool {
        self.names_by_namespace
            .contains_key(&(kind, namespace.to_string()))
    }

    /// Docker-registry Secrets of a namespace.
    pub fn registry_secrets(&self, namespace: &str) -> &[RegistrySecret] {
        self.registry_secrets
            .get(namespace)
            .map_or(&[], Vec::as_slice)
    }
}
