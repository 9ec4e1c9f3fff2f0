//! `plaintext-secret-env`: an env var whose name says secret holds a literal value, in any pod
//! spec, in an OpenFaaS stack file (`functions.<name>.environment`) or an OpenFaaS `Function`
//! (`spec.environment`).

use super::{ObjectContext, Rule};
use crate::finding::{FileId, Finding};
use crate::load::{Document, NodeId};
use crate::model::Workspace;
use crate::model::kinds::{env_containers, is_openfaas_function};
use crate::rule_id::RuleId;
use crate::rules::HasRuleId;
use crate::secrets::patterns::first_credential;
use crate::secrets::sites::{Setting, env_settings, map_settings, openfaas_stack_functions};

#[derive(Default)]
pub(crate) struct PlaintextSecretEnv;

const ID: RuleId = <PlaintextSecretEnv as HasRuleId>::ID;

/// " (it looks like a GitHub token)" when the value has a known credential format.
fn format_hint(value: &str) -> String {
    first_credential(value)
        .map(|m| format!(" (it looks like {})", m.pattern.name))
        .unwrap_or_default()
}

fn openfaas_finding(file: FileId, doc: &Document, setting: &Setting, function: &str) -> Finding {
    let span = doc.span(setting.value_node);
    Finding::new(
        ID,
        file,
        span,
        format!(
            "environment variable `{}` of OpenFaaS function `{function}` holds a literal secret \
             `*****`{}: it is stored in the function's deployment, readable by anyone who can \
             read it",
            setting.name,
            format_hint(&setting.value)
        ),
    )
    .label("literal secret (hidden)")
    .help(
        "create an OpenFaaS secret (`faas-cli secret create NAME`), list it under the \
         function's `secrets:` and read it from /var/openfaas/secrets/NAME",
    )
    .redact(span)
}

impl Rule for PlaintextSecretEnv {
    fn check_object(&self, cx: &ObjectContext<'_>, out: &mut Vec<Finding>) {
        let doc = cx.doc;
        for container in env_containers(cx.ws, cx.id) {
            let container_name = doc.get_str(container, "name").unwrap_or("<unnamed>");
            for setting in env_settings(doc, container) {
                if !setting.holds_secret() {
                    continue;
                }
                let span = doc.span(setting.value_node);
                out.push(
                    cx.finding(
                        ID,
                        span,
                        format!(
                            "env var `{}` of container `{container_name}` holds a literal \
                             secret `*****`{}: anyone who can read this manifest, the pod \
                             spec or `kubectl describe` output can read it",
                            setting.name,
                            format_hint(&setting.value)
                        ),
                    )
                    .label("literal secret (hidden)")
                    .help(format!(
                        "keep the value in a Secret and reference it: `valueFrom: \
                         {{secretKeyRef: {{name: <secret>, key: {}}}}}`",
                        setting.name.to_ascii_lowercase().replace('_', "-")
                    ))
                    .redact(span),
                );
            }
        }
        if is_openfaas_function(cx.object)
            && let Some(env) = doc.get_path(cx.object.node, &["spec", "environment"])
        {
            let function = doc
                .get_path(cx.object.node, &["spec", "name"])
                .and_then(|n| doc.str(n))
                .or(cx.object.name.as_deref())
                .unwrap_or("<unnamed>");
            for setting in map_settings(doc, env) {
                if setting.holds_secret() {
                    out.push(
                        openfaas_finding(cx.object.file, doc, &setting, function)
                            .object(Some(cx.object.identity())),
                    );
                }
            }
        }
    }

    fn check_workspace(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        for (file, loaded) in ws.files.iter().enumerate() {
            for doc in &loaded.documents {
                let Some(functions) = openfaas_stack_functions(doc) else {
                    continue;
                };
                for function in doc.entries(functions) {
                    let name = doc.str(function.key).unwrap_or("<unnamed>");
                    let env: Option<NodeId> = doc.get(function.value, "environment");
                    for setting in env.map(|e| map_settings(doc, e)).unwrap_or_default() {
                        if setting.holds_secret() {
                            out.push(openfaas_finding(file, doc, &setting, name));
                        }
                    }
                }
            }
        }
    }
}
