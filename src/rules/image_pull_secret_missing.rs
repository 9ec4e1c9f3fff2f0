//! `image-pull-secret-missing`: a pod pulls an image from a registry for which the repository
//! defines a docker-registry Secret in the pod's namespace, but neither the pod nor its
//! ServiceAccount lists a pull secret for that registry. Registry matching follows the
//! kubelet's keyring ([`crate::secrets::docker::registry_serves`]).

use crate::rule_id::RuleId;
use crate::rules::HasRuleId;
use std::collections::BTreeSet;

use super::Rule;
use super::dangling_reference::pull_secret_references;
use crate::finding::Finding;
use crate::model::secret_index::RegistrySecret;
use crate::model::{ObjectKey, Workspace};
use crate::secrets::docker::{image_location, registry_serves};
use crate::secrets::values::is_reference;

#[derive(Default)]
pub(crate) struct ImagePullSecretMissing;

const ID: RuleId = <ImagePullSecretMissing as HasRuleId>::ID;

impl Rule for ImagePullSecretMissing {
    fn check_workspace(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        let index = ws.secret_index();
        for pod in &ws.pod_specs {
            let Some(object) = ws.objects.get(pod.object) else {
                continue;
            };
            let Some(namespace) = &object.namespace else {
                continue;
            };
            let registry_secrets = index.registry_secrets(namespace);
            if registry_secrets.is_empty() {
                continue;
            }
            let doc = ws.document(object);
            let service_account = doc
                .get_str(pod.node, "serviceAccountName")
                .or_else(|| doc.get_str(pod.node, "serviceAccount"))
                .unwrap_or("default");
            let mut listed: Vec<String> = pull_secret_references(doc, pod.node, "")
                .into_iter()
                .map(|r| r.name)
                .collect();
            if let Some(sa) = ws.lookup(&ObjectKey {
                group: String::new(),
                kind: "ServiceAccount".to_string(),
                namespace: Some(namespace.clone()),
                name: service_account.to_string(),
            }) {
                listed.extend(
                    pull_secret_references(ws.document(sa), sa.node, "")
                        .into_iter()
                        .map(|r| r.name),
                );
            }
            // A listed pull secret the repository does not show may hold anything: trust it.
            let unknown_listed = listed.iter().any(|name| {
                is_reference(name) || !registry_secrets.iter().any(|s| &s.name == name)
            });
            if unknown_listed {
                continue;
            }
            let mut seen = BTreeSet::new();
            for container in pod.containers(doc) {
                let Some(image_node) = doc.get(container.node, "image") else {
                    continue;
                };
                let Some(image) = doc.str(image_node) else {
                    continue;
                };
                if is_reference(image) || !seen.insert(image.to_string()) {
                    continue;
                }
                let Some(location) = image_location(image) else {
                    continue;
                };
                let serving: Vec<(&RegistrySecret, &String)> = registry_secrets
                    .iter()
                    .filter_map(|s| {
                        s.registries
                            .iter()
                            .find(|r| registry_serves(r, &location))
                            .map(|r| (s, r))
                    })
                    .collect();
                let Some((secret, registry)) = serving.first() else {
                    continue;
                };
                if serving.iter().any(|(s, _)| listed.contains(&s.name)) {
                    continue;
                }
                let Some(defining) = ws.objects.get(secret.object) else {
                    continue;
                };
                out.push(
                    Finding::new(
                        ID,
                        object.file,
                        doc.span(image_node),
                        format!(
                            "image `{image}` is pulled from `{}`, and Secret `{}` in namespace \
                             `{namespace}` holds credentials for `{registry}`, but neither this \
                             pod nor its ServiceAccount `{service_account}` lists it in \
                             `imagePullSecrets`: a private image fails with ImagePullBackOff",
                            location.host, secret.name
                        ),
                    )
                    .label("pulled without credentials")
                    .help(format!(
                        "add `imagePullSecrets: [{{name: {}}}]` to the pod spec, or to \
                         ServiceAccount `{service_account}`",
                        secret.name
                    ))
                    .related(
                        defining.file,
                        defining.kind_span,
                        format!("Secret `{}` with credentials for `{registry}`", secret.name),
                    )
                    .object(Some(object.identity())),
                );
            }
        }
    }
}
