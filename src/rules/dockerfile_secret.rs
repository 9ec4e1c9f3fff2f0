//! `dockerfile-secret`: a Dockerfile `ENV` or `ARG` whose name says secret has a literal
//! value: it is baked into the image (`ENV`) or its build history (`ARG` defaults).

use super::Rule;
use crate::finding::Finding;
use crate::model::Workspace;
use crate::rule_id::RuleId;
use crate::rules::HasRuleId;
use crate::secrets::patterns::first_credential;
use crate::secrets::sites::is_dockerfile_secret;

#[derive(Default)]
pub(crate) struct DockerfileSecret;

const ID: RuleId = <DockerfileSecret as HasRuleId>::ID;

impl Rule for DockerfileSecret {
    fn check_workspace(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        for (file, loaded) in ws.files.iter().enumerate() {
            let Some(dockerfile) = loaded.dockerfile() else {
                continue;
            };
            for instruction in &dockerfile.instructions {
                for pair in &instruction.pairs {
                    if !is_dockerfile_secret(instruction, pair) {
                        continue;
                    }
                    let Some(span) = pair.value_span else {
                        continue;
                    };
                    let hint = pair
                        .value
                        .as_deref()
                        .and_then(first_credential)
                        .map(|m| format!(" (it looks like {})", m.pattern.name))
                        .unwrap_or_default();
                    let (where_, help) = if instruction.keyword == "ENV" {
                        (
                            "it is stored in the image: anyone who can pull the image can read \
                             it with `docker inspect`",
                            "remove it from the Dockerfile; pass it at run time (a Kubernetes \
                             Secret through `secretKeyRef`), or at build time with `RUN \
                             --mount=type=secret,id=...`",
                        )
                    } else {
                        (
                            "a build argument's default is recorded in the image history \
                             (`docker history`)",
                            "drop the default (`ARG NAME` without `=`) and use `RUN \
                             --mount=type=secret,id=...` for build-time secrets",
                        )
                    };
                    out.push(
                        Finding::new(
                            ID,
                            file,
                            span,
                            format!(
                                "`{} {}` has a literal secret value `*****`{hint}: {where_}",
                                instruction.keyword, pair.key
                            ),
                        )
                        .label("literal secret (hidden)")
                        .help(help)
                        .redact(span),
                    );
                }
            }
        }
    }
}
