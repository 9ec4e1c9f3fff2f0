//! `hardcoded-credential`: a value anywhere in a manifest (args, command, annotations,
//! ConfigMap data, env, OpenFaaS stack files, Dockerfile `ENV`/`ARG`/`LABEL`) that has a
//! well-known credential format (see [`crate::secrets::patterns`]). Values that a more
//! specific rule reports are left to it: Secret data (`committed-secret`), secret-named env
//! vars (`plaintext-secret-env`), secret-named ConfigMap keys (`secret-in-configmap`),
//! secret-named Dockerfile variables (`dockerfile-secret`).

use crate::rule_id::RuleId;
use crate::rules::HasRuleId;
use std::collections::HashSet;

use super::{ObjectContext, Rule};
use crate::finding::{FileId, Finding};
use crate::load::{Document, NodeId};
use crate::model::Workspace;
use crate::model::kinds::{env_containers, is_config_map, is_openfaas_function, is_secret};
use crate::secrets::patterns::first_credential;
use crate::secrets::sites::{
    env_settings, is_config_map_secret, is_dockerfile_secret, map_settings,
    openfaas_stack_functions, scalar_subspan, scalar_values,
};

#[derive(Default)]
pub(crate) struct HardcodedCredential;

const ID: RuleId = <HardcodedCredential as HasRuleId>::ID;

const HELP: &str = "remove it and rotate it (it stays in the repository's history); keep it in a \
                    Secret created out of band (or a SealedSecret, ExternalSecret or SOPS file) \
                    and reference it";

fn scan(
    ws: &Workspace,
    file: FileId,
    doc: &Document,
    root: NodeId,
    skip: &HashSet<NodeId>,
    out: &mut Vec<Finding>,
) {
    for node in scalar_values(doc, root) {
        if skip.contains(&node) {
            continue;
        }
        let Some(text) = doc.str(node) else { continue };
        let Some(found) = first_credential(text) else {
            continue;
        };
        let span = scalar_subspan(ws.source(file), doc, node, found.start, found.end);
        let path = doc.path_to(doc.span(node)).unwrap_or_default();
        out.push(
            Finding::new(
                ID,
                file,
                span,
                format!(
                    "{} is hard-coded in `{path}`: anyone who can read the repository can use it",
                    capitalize(found.pattern.name)
                ),
            )
            .label("credential (hidden)")
            .help(HELP)
            .redact(span),
        );
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl Rule for HardcodedCredential {
    fn check_object(&self, cx: &ObjectContext<'_>, out: &mut Vec<Finding>) {
        if is_secret(cx.object) {
            return;
        }
        let doc = cx.doc;
        let mut skip = HashSet::new();
        for container in env_containers(cx.ws, cx.id) {
            for setting in env_settings(doc, container) {
                if setting.holds_secret() {
                    skip.insert(setting.value_node);
                }
            }
        }
        if is_openfaas_function(cx.object)
            && let Some(env) = doc.get_path(cx.object.node, &["spec", "environment"])
        {
            skip.extend(
                map_settings(doc, env)
                    .iter()
                    .filter(|s| s.holds_secret())
                    .map(|s| s.value_node),
            );
        }
        if is_config_map(cx.object)
            && let Some(data) = doc.get(cx.object.node, "data")
        {
            skip.extend(
                map_settings(doc, data)
                    .iter()
                    .filter(|s| is_config_map_secret(s))
                    .map(|s| s.value_node),
            );
        }
        let mut found = Vec::new();
        scan(
            cx.ws,
            cx.object.file,
            doc,
            cx.object.node,
            &skip,
            &mut found,
        );
        out.extend(
            found
                .into_iter()
                .map(|f| f.object(Some(cx.object.identity()))),
        );
    }

    fn check_workspace(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        for (file, loaded) in ws.files.iter().enumerate() {
            for doc in &loaded.documents {
                let Some(functions) = openfaas_stack_functions(doc) else {
                    continue;
                };
                let mut skip = HashSet::new();
                for function in doc.entries(functions) {
                    if let Some(env) = doc.get(function.value, "environment") {
                        skip.extend(
                            map_settings(doc, env)
                                .iter()
                                .filter(|s| s.holds_secret())
                                .map(|s| s.value_node),
                        );
                    }
                }
                scan(ws, file, doc, functions, &skip, out);
            }
            let Some(dockerfile) = loaded.dockerfile() else {
                continue;
            };
            for instruction in &dockerfile.instructions {
                for pair in &instruction.pairs {
                    let (Some(value), Some(span)) = (&pair.value, pair.value_span) else {
                        continue;
                    };
                    if is_dockerfile_secret(instruction, pair) {
                        continue;
                    }
                    let Some(found) = first_credential(value) else {
                        continue;
                    };
                    out.push(
                        Finding::new(
                            ID,
                            file,
                            span,
                            format!(
                                "{} is hard-coded in `{} {}`: it is baked into every image \
                                 built from this Dockerfile",
                                capitalize(found.pattern.name),
                                instruction.keyword,
                                pair.key
                            ),
                        )
                        .label("credential (hidden)")
                        .help(
                            "pass it at build time with a secret mount (`RUN \
                             --mount=type=secret,id=...`) or at run time from a Secret; rotate \
                             it (it stays in the image history)",
                        )
                        .redact(span),
                    );
                }
            }
        }
    }
}
