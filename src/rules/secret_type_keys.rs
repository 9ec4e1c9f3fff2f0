//! `secret-type-keys`: a Secret the API server rejects, checked as Kubernetes'
//! `ValidateSecret` (pkg/apis/core/validation/validation.go) checks it, over the keys of
//! `data` and `stringData` merged (stringData is merged into data before validation):
//! every key is a valid config key (`IsConfigMapKey`: `[-._a-zA-Z0-9]+`, at most 253
//! characters, not `.`, `..` or starting with `..`); the data totals at most 1 MiB
//! (`MaxSecretSize`); and the `type` has its keys:
//! - `kubernetes.io/service-account-token`: annotation `kubernetes.io/service-account.name`;
//! - `kubernetes.io/dockercfg`: `.dockercfg` holding a JSON object;
//! - `kubernetes.io/dockerconfigjson`: `.dockerconfigjson` holding a JSON object;
//! - `kubernetes.io/basic-auth`: `username` or `password`;
//! - `kubernetes.io/ssh-auth`: a non-empty `ssh-privatekey`;
//! - `kubernetes.io/tls`: both `tls.crt` and `tls.key`.
//!
//! `stringData` values that are not strings are rejected when the object is decoded.
//!
//! As warnings (the API server accepts them, the kubelet or the TLS handshake fails later): a
//! docker config entry whose `auth` does not decode to `user:password` or that has no
//! credentials, a `.dockerconfigjson` without `auths`, and `tls.crt`/`tls.key` that are not
//! PEM certificate / private key blocks.

use super::{ObjectContext, Rule};
use crate::finding::{Finding, Severity};
use crate::load::NodeId;
use crate::model::kinds::is_secret;
use crate::rule_id::RuleId;
use crate::rules::HasRuleId;
use crate::secrets::data::{
    DataField, EntryValue, SecretEntry, is_sops_encrypted, merged_entries, secret_entries,
};
use crate::secrets::docker::parse_docker_config;
use crate::source::Span;

#[derive(Default)]
pub(crate) struct SecretTypeKeys;

const ID: RuleId = <SecretTypeKeys as HasRuleId>::ID;

/// `core.MaxSecretSize`: 1 MiB.
pub(crate) const MAX_SECRET_SIZE: usize = 1024 * 1024;

const MAX_KEY_LENGTH: usize = 253;

/// Kubernetes' `IsConfigMapKey` (k8s.io/apimachinery/pkg/util/validation).
pub(crate) fn config_key_problems(key: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if key.len() > MAX_KEY_LENGTH {
        problems.push(format!("must be no more than {MAX_KEY_LENGTH} characters"));
    }
    if key.is_empty()
        || !key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    {
        problems.push(
            "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"
                .to_string(),
        );
    }
    if key == "." {
        problems.push("must not be '.'".to_string());
    } else if key == ".." {
        problems.push("must not be '..'".to_string());
    } else if key.starts_with("..") {
        problems.push("must not start with '..'".to_string());
    }
    problems
}

fn is_pem(bytes: &[u8], label_suffix: &str) -> bool {
    let text = String::from_utf8_lossy(bytes);
    text.lines().any(|line| {
        line.trim()
            .strip_prefix("-----BEGIN ")
            .and_then(|rest| rest.strip_suffix("-----"))
            .is_some_and(|label| label.ends_with(label_suffix))
    })
}

impl Rule for SecretTypeKeys {
    fn check_object(&self, cx: &ObjectContext<'_>, out: &mut Vec<Finding>) {
        if !is_secret(cx.object) {
            return;
        }
        let doc = cx.doc;
        let node = cx.object.node;
        let entries = secret_entries(doc, node);
        if is_sops_encrypted(doc, node, &entries) {
            return;
        }
        let name = cx.object.name.as_deref().unwrap_or("<unnamed>");
        for entry in &entries {
            let problems = config_key_problems(&entry.key);
            if !problems.is_empty() {
                out.push(
                    cx.finding(
                        ID,
                        doc.span(entry.key_node),
                        format!(
                            "`{}` is not a valid Secret key: {}; the API server rejects the \
                             Secret",
                            entry.key,
                            problems.join("; ")
                        ),
                    )
                    .label("invalid key")
                    .help("rename the key: keys become file names in a Secret volume"),
                );
            }
            if entry.field == DataField::StringData
                && let EntryValue::NotAString(what) = entry.value
            {
                let span = doc.span(entry.value_node);
                out.push(
                    cx.finding(
                        ID,
                        span,
                        format!(
                            "`stringData.{}` is {what}, not a string: the API server rejects \
                             the Secret",
                            entry.key
                        ),
                    )
                    .label("not a string (value hidden)")
                    .help("quote the value")
                    .redact(span),
                );
            }
        }
        let merged = merged_entries(&entries);
        let sizes: Option<usize> = merged.values().map(|e| e.bytes().map(<[u8]>::len)).sum();
        if let Some(total) = sizes
            && total > MAX_SECRET_SIZE
        {
            let at = doc
                .key_span(node, "data")
                .or_else(|| doc.key_span(node, "stringData"))
                .unwrap_or(cx.object.kind_span);
            out.push(
                cx.finding(
                    ID,
                    at,
                    format!(
                        "Secret `{name}` holds {total} bytes, more than the {MAX_SECRET_SIZE} \
                         bytes (1 MiB) the API server accepts"
                    ),
                )
                .label("too large")
                .help("split the data across several Secrets, or mount it from elsewhere"),
            );
        }

        let type_node = doc.get(node, "type");
        let secret_type = type_node.and_then(|t| doc.str(t)).unwrap_or("Opaque");
        // Findings about the type's requirements point at the `type` value.
        let type_span = type_node.map_or(cx.object.kind_span, |t| doc.span(t));
        let missing = |key: &str, extra: &str| -> Finding {
            cx.finding(
                ID,
                type_span,
                format!(
                    "Secret `{name}` of type `{secret_type}` has no `{key}` in `data` or \
                     `stringData`{extra}: the API server rejects it"
                ),
            )
            .label(format!("requires `{key}`"))
        };
        match secret_type {
            "kubernetes.io/service-account-token" => {
                let annotation = doc
                    .get_path(node, &["metadata", "annotations"])
                    .and_then(|a| doc.get_str(a, "kubernetes.io/service-account.name"));
                if annotation.is_none_or(str::is_empty) {
                    out.push(
                        cx.finding(
                            ID,
                            type_span,
                            format!(
                                "Secret `{name}` of type `{secret_type}` has no annotation \
                                 `kubernetes.io/service-account.name`: the API server rejects it"
                            ),
                        )
                        .label("requires the service account annotation")
                        .help(
                            "add `metadata.annotations: {kubernetes.io/service-account.name: \
                             <service account>}`",
                        ),
                    );
                }
            }
            "kubernetes.io/dockercfg" | "kubernetes.io/dockerconfigjson" => {
                let legacy = secret_type == "kubernetes.io/dockercfg";
                let key = if legacy {
                    ".dockercfg"
                } else {
                    ".dockerconfigjson"
                };
                match merged.get(key) {
                    None => out.push(missing(key, "").help(format!(
                        "create it with `kubectl create secret docker-registry NAME \
                         --docker-server=... --docker-username=... --docker-password=...`, \
                         which writes `{key}`"
                    ))),
                    Some(entry) => self.docker_config(cx, entry, key, legacy, out),
                }
            }
            "kubernetes.io/basic-auth"
                if !merged.contains_key("username") && !merged.contains_key("password") =>
            {
                out.push(
                    cx.finding(
                        ID,
                        type_span,
                        format!(
                            "Secret `{name}` of type `{secret_type}` has neither `username` nor \
                             `password`: the API server rejects it"
                        ),
                    )
                    .label("requires `username` or `password`")
                    .help("add `username` and `password` under `stringData`"),
                );
            }
            "kubernetes.io/ssh-auth" => {
                let filled = merged
                    .get("ssh-privatekey")
                    .is_some_and(|e| !matches!(e.value, EntryValue::Empty));
                if !filled {
                    out.push(
                        missing("ssh-privatekey", " (or it is empty)")
                            .help("add the private key under `ssh-privatekey`"),
                    );
                }
            }
            "kubernetes.io/tls" => {
                for key in ["tls.crt", "tls.key"] {
                    match merged.get(key) {
                        None => out.push(missing(key, "").help(
                            "create it with `kubectl create secret tls NAME --cert=... \
                             --key=...`, which writes `tls.crt` and `tls.key`",
                        )),
                        Some(entry) => self.tls_value(cx, entry, key, out),
                    }
                }
            }
            _ => {}
        }
    }
}

impl SecretTypeKeys {
    fn value_finding(
        &self,
        cx: &ObjectContext<'_>,
        node: NodeId,
        message: String,
        label: &str,
    ) -> Finding {
        let span: Span = cx.doc.span(node);
        cx.finding(ID, span, message)
            .label(label.to_string())
            .redact(span)
    }

    fn docker_config(
        &self,
        cx: &ObjectContext<'_>,
        entry: &SecretEntry,
        key: &str,
        legacy: bool,
        out: &mut Vec<Finding>,
    ) {
        let Some(bytes) = entry.bytes() else {
            return; // not base64: `secret-invalid-base64` reports it
        };
        let config = match parse_docker_config(bytes, legacy) {
            Ok(config) => config,
            Err(problem) => {
                out.push(
                    self.value_finding(
                        cx,
                        entry.value_node,
                        format!(
                            "`{key}` must hold a JSON object, but {problem}: the API server \
                             rejects the Secret"
                        ),
                        "not a docker config (value hidden)",
                    )
                    .help(
                        "regenerate it with `kubectl create secret docker-registry` (it writes \
                         `{\"auths\": {...}}`)",
                    ),
                );
                return;
            }
        };
        if config.missing_auths {
            out.push(
                self.value_finding(
                    cx,
                    entry.value_node,
                    format!(
                        "`{key}` has no `auths` object: the kubelet finds no registry \
                         credentials in it"
                    ),
                    "no `auths` (value hidden)",
                )
                .severity(Severity::Warning)
                .help("the file must look like `{\"auths\": {\"REGISTRY\": {\"auth\": ...}}}`"),
            );
        }
        for auth in &config.auths {
            if let Some(problem) = &auth.problem {
                out.push(
                    self.value_finding(
                        cx,
                        entry.value_node,
                        format!(
                            "the `{key}` entry for registry `{}` is unusable: {problem}; the \
                             API server accepts it, but image pulls fail",
                            auth.registry
                        ),
                        "unusable credentials (value hidden)",
                    )
                    .severity(Severity::Warning)
                    .help(
                        "set `auth` to base64 of `user:password`, or set `username` and `password`",
                    ),
                );
            }
        }
    }

    fn tls_value(
        &self,
        cx: &ObjectContext<'_>,
        entry: &SecretEntry,
        key: &str,
        out: &mut Vec<Finding>,
    ) {
        let Some(bytes) = entry.bytes() else {
            return;
        };
        if bytes.is_empty() {
            return; // an empty placeholder: filled elsewhere
        }
        let (ok, what) = if key == "tls.crt" {
            (
                is_pem(bytes, "CERTIFICATE"),
                "a PEM certificate (`-----BEGIN CERTIFICATE-----`)",
            )
        } else {
            (
                is_pem(bytes, "PRIVATE KEY"),
                "a PEM private key (`-----BEGIN ... PRIVATE KEY-----`)",
            )
        };
        if !ok {
            out.push(
                self.value_finding(
                    cx,
                    entry.value_node,
                    format!(
                        "`{}.{key}` is not {what}: the API server accepts it, but TLS \
                         handshakes fail",
                        entry.field.name()
                    ),
                    "not PEM (value hidden)",
                )
                .severity(Severity::Warning)
                .help("put the PEM file's content there (base64-encoded under `data`)"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_keys_as_kubernetes_validates_them() {
        // Kubernetes' TestValidateSecret / TestIsConfigMapKey cases.
        for good in [
            "key", "KEY", "dotfile", ".dotfile", "key.name", "key-name", "key_name", "a..b",
        ] {
            assert!(config_key_problems(good).is_empty(), "{good}");
        }
        for bad in [
            "",
            ".",
            "..",
            "..dotfile",
            "my key",
            "key/name",
            "kéy",
            "a:b",
        ] {
            assert!(!config_key_problems(bad).is_empty(), "{bad:?}");
        }
        assert!(config_key_problems(&"a".repeat(253)).is_empty());
        assert_eq!(config_key_problems(&"a".repeat(254)).len(), 1);
    }

    #[test]
    fn pem_blocks() {
        assert!(is_pem(
            b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
            "CERTIFICATE"
        ));
        assert!(is_pem(
            b"-----BEGIN EC PRIVATE KEY-----\nx\n",
            "PRIVATE KEY"
        ));
        assert!(!is_pem(b"MIIBcert-in-der", "CERTIFICATE"));
        assert!(!is_pem(b"-----BEGIN CERTIFICATE-----\n", "PRIVATE KEY"));
    }
}
