//! `plaintext-secret-arg`: a container's `command` or `args` passes a secret on the command
//! line (`--db-password=hunter2`, `--api-token abc`), in any pod spec. The sibling of
//! `plaintext-secret-env`, with the same exemptions: `$(VAR)` references (expanded by the
//! kubelet from the container's environment), shell references, paths and placeholders.

use super::{ObjectContext, Rule};
use crate::finding::Finding;
use crate::model::kinds::env_containers;
use crate::rule_id::RuleId;
use crate::rules::HasRuleId;
use crate::secrets::args::secret_args;
use crate::secrets::sites::scalar_subspan;

#[derive(Default)]
pub(crate) struct PlaintextSecretArg;

const ID: RuleId = <PlaintextSecretArg as HasRuleId>::ID;

impl Rule for PlaintextSecretArg {
    fn check_object(&self, cx: &ObjectContext<'_>, out: &mut Vec<Finding>) {
        let doc = cx.doc;
        let source = cx.ws.source(cx.object.file);
        for container in env_containers(cx.ws, cx.id) {
            let container_name = doc.get_str(container, "name").unwrap_or("<unnamed>");
            for arg in secret_args(doc, container) {
                let span = scalar_subspan(source, doc, arg.node, arg.start, arg.end);
                let env_name = arg
                    .flag
                    .trim_start_matches('-')
                    .to_ascii_uppercase()
                    .replace(['-', '.'], "_");
                out.push(
                    cx.finding(
                        ID,
                        span,
                        format!(
                            "`{}` of container `{container_name}` passes `{}` a literal secret \
                             `*****`: anyone who can read this manifest or the pod spec can read \
                             it, and the node shows it to every process (`ps`, /proc/PID/cmdline)",
                            arg.field, arg.flag
                        ),
                    )
                    .label("literal secret (hidden)")
                    .help(format!(
                        "keep the value in a Secret, expose it as an env var and reference it: \
                         `env: [{{name: {env_name}, valueFrom: {{secretKeyRef: {{name: <secret>, \
                         key: <key>}}}}}}]` and `{}=$({env_name})`",
                        arg.flag
                    ))
                    .redact(span),
                );
            }
        }
    }
}
