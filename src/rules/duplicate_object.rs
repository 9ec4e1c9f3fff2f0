//! `duplicate-object`: the same object (API group, kind, namespace, name) defined twice where
//! the definitions are applied together: within one file, or among the `resources` files of one
//! kustomization.
//!
//! `kubectl apply` sends both: the later silently replaces the earlier (the last write wins,
//! and which fields survive depends on the three-way merge); kustomize refuses to build
//! ("may not add resource with an already registered id", `api/resmap/reswrangler.go`).
//! Repeats across the plain files of a folder, or across folders, are not reported: test data,
//! examples and install variants (`install.yaml` beside `namespace-install.yaml`) are
//! alternatives that legitimately reuse names (about a thousand file pairs in the real-world
//! corpus).
//!
//! The namespace compared is the one written: an object without `metadata.namespace` goes
//! wherever `kubectl apply -n` says, so it only collides with another without one.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use super::{HasRuleId, Rule};
use crate::finding::Finding;
use crate::model::{Object, Workspace};
use crate::rule_id::RuleId;

#[derive(Default)]
pub(crate) struct DuplicateObject;

const ID: RuleId = <DuplicateObject as HasRuleId>::ID;

const KUSTOMIZATION_NAMES: &[&str] = &["kustomization.yaml", "kustomization.yml", "Kustomization"];

fn folder_of(path: &str) -> &str {
    Path::new(path)
        .parent()
        .and_then(|p| p.to_str())
        .unwrap_or("")
}

fn file_name_of(path: &str) -> &str {
    Path::new(path)
        .file_name()
        .and_then(|p| p.to_str())
        .unwrap_or("")
}

/// Folders holding a kustomization, with the files of that folder it lists in `resources`
/// (only those are applied together; patches in the same folder are partial objects).
fn kustomized_folders(ws: &Workspace) -> HashMap<String, HashSet<String>> {
    let mut out: HashMap<String, HashSet<String>> = HashMap::new();
    for file in &ws.files {
        let path = file.source.path.as_str();
        if !KUSTOMIZATION_NAMES.contains(&file_name_of(path)) {
            continue;
        }
        let listed = out.entry(folder_of(path).to_string()).or_default();
        for doc in &file.documents {
            for field in ["resources", "bases"] {
                let Some(list) = doc.get(doc.root, field) else {
                    continue;
                };
                for item in doc.items(list) {
                    if let Some(text) = doc.str(*item) {
                        let text = text.trim_start_matches("./");
                        if !text.contains('/') {
                            listed.insert(text.to_string());
                        }
                    }
                }
            }
        }
    }
    out
}

/// (group, kind, written namespace, name).
type Key = (String, String, Option<String>, String);

fn key(ws: &Workspace, object: &Object) -> Option<Key> {
    let name = object.name.clone()?;
    if name.is_empty() {
        return None;
    }
    let doc = ws.document(object);
    let namespace = object.namespace.as_ref().and_then(|_| {
        doc.get_path(object.node, &["metadata", "namespace"])
            .and_then(|n| doc.str(n))
            .map(str::to_string)
    });
    Some((object.group.clone(), object.kind.clone(), namespace, name))
}

impl Rule for DuplicateObject {
    fn check_workspace(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        let kustomized = kustomized_folders(ws);
        // (scope, key) -> its definitions, in order. The scope is the folder for the resources of
        // a kustomization (applied together), else the file.
        let mut groups: HashMap<(String, Key), Vec<&Object>> = HashMap::new();
        let mut order: Vec<(String, Key)> = Vec::new();
        for object in &ws.objects {
            let Some(key) = key(ws, object) else {
                continue;
            };
            let path = ws.source(object.file).path.as_str();
            let folder = folder_of(path);
            // Files of a plain folder are not compared: test data, examples and variants
            // (`install.yaml` beside `namespace-install.yaml`) are alternatives, not applied
            // together (the real-world corpus has ~1,000 such file pairs sharing an object).
            let together = kustomized
                .get(folder)
                .is_some_and(|listed| listed.contains(file_name_of(path)));
            let scope = if together {
                format!("folder:{folder}")
            } else {
                format!("file:{path}")
            };
            let group = groups.entry((scope.clone(), key.clone())).or_default();
            if group.is_empty() {
                order.push((scope, key));
            }
            group.push(object);
        }
        // One finding per repeated object, on its second definition: a file repeating one
        // object many times (generated test data) gives one finding, not thousands.
        for group_key in order {
            let Some(group) = groups.get(&group_key) else {
                continue;
            };
            let (Some(earlier), Some(object)) = (group.first(), group.get(1)) else {
                continue;
            };
            let key = &group_key.1;
            let times = if group.len() > 2 {
                format!(" ({} definitions in all)", group.len())
            } else {
                String::new()
            };
            let doc = ws.document(object);
            let span = doc
                .get_path(object.node, &["metadata", "name"])
                .map_or(object.kind_span, |n| doc.span(n));
            let earlier_doc = ws.document(earlier);
            let earlier_span = earlier_doc
                .get_path(earlier.node, &["metadata", "name"])
                .map_or(earlier.kind_span, |n| earlier_doc.span(n));
            let (group, kind, namespace, name) = key;
            let what = match (group.as_str(), namespace) {
                ("", Some(ns)) => format!("{kind} `{name}` in namespace `{ns}`"),
                ("", None) => format!("{kind} `{name}`"),
                (g, Some(ns)) => format!("{kind}.{g} `{name}` in namespace `{ns}`"),
                (g, None) => format!("{kind}.{g} `{name}`"),
            };
            let (place, consequence) = if earlier.file == object.file {
                (
                    "earlier in this file",
                    "applied together, the later definition silently replaces the earlier",
                )
            } else {
                (
                    "in another resource of the same kustomization",
                    "kustomize refuses to build (\"may not add resource with an already \
                     registered id\")",
                )
            };
            out.push(
                Finding::new(
                    ID,
                    object.file,
                    span,
                    format!("{what} is already defined {place}{times}: {consequence}"),
                )
                .label("defined again")
                .related(earlier.file, earlier_span, "first defined here")
                .help("keep one definition (merge the two), or rename one of the objects")
                .object(Some(object.identity())),
            );
        }
    }
}
