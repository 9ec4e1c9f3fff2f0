//! `committed-secret`: a `kind: Secret` with real values in `data`/`stringData`, kept in the
//! repository. SealedSecrets and ExternalSecrets are other kinds and never match; SOPS-encrypted
//! files, empty values, placeholders and references are not real values; a file named on the
//! command line that `.gitignore` ignores is not committed.

use super::{ObjectContext, Rule};
use crate::finding::{Finding, Severity};
use crate::model::kinds::is_secret;
use crate::rule_id::RuleId;
use crate::rules::HasRuleId;
use crate::secrets::data::{SecretEntry, is_sops_encrypted, merged_entries, secret_entries};
use crate::secrets::docker::parse_docker_config;
use crate::secrets::names::is_secret_name;
use crate::secrets::patterns::first_credential;
use crate::secrets::values::{
    is_reference, is_secret_placeholder, may_show_user_name, secret_part,
};

#[derive(Default)]
pub(crate) struct CommittedSecret;

const ID: RuleId = <CommittedSecret as HasRuleId>::ID;

/// A value someone could use: filled, and not a placeholder or a template reference. A
/// structured value is judged by its credential parts: a docker config by each registry's
/// password or token, a URL by its password, not by a placeholder word anywhere in it.
fn is_real(key: &str, entry: &SecretEntry) -> bool {
    if !entry.is_filled() {
        return false;
    }
    if matches!(key, ".dockerconfigjson" | ".dockercfg")
        && let Some(config) = entry
            .bytes()
            .and_then(|b| parse_docker_config(b, key == ".dockercfg").ok())
        && !config.auths.is_empty()
    {
        return config.auths.iter().any(|a| a.has_secret);
    }
    match entry.bytes().map(std::str::from_utf8) {
        Some(Ok(text)) => !is_secret_placeholder(secret_part(text)) && !is_reference(text),
        // Binary data is real data.
        Some(Err(_)) => true,
        None => false,
    }
}

/// What the Secret holds, decoded, without any value: "docker-registry credentials for
/// registry.example.com:5000, user ci".
fn describe(secret_type: &str, entries: &[SecretEntry]) -> Option<String> {
    let merged = merged_entries(entries);
    let filled = |key: &str| merged.get(key).is_some_and(|e| e.is_filled());
    match secret_type {
        "kubernetes.io/dockerconfigjson" | "kubernetes.io/dockercfg" => {
            let (key, legacy) = if secret_type == "kubernetes.io/dockercfg" {
                (".dockercfg", true)
            } else {
                (".dockerconfigjson", false)
            };
            let bytes = merged.get(key)?.bytes()?;
            let config = parse_docker_config(bytes, legacy).ok()?;
            let registries: Vec<String> = config
                .auths
                .iter()
                .map(|a| match &a.username {
                    // A user name can be a token (`auth` of `<token>:x-oauth-basic`): shown
                    // only when it reads like a name.
                    Some(user) if may_show_user_name(user) => {
                        format!("{}, user {user}", a.registry)
                    }
                    Some(_) => format!("{}, user hidden", a.registry),
                    None => a.registry.clone(),
                })
                .collect();
            if registries.is_empty() {
                return Some("docker-registry credentials".to_string());
            }
            Some(format!(
                "docker-registry credentials for {}",
                registries.join("; ")
            ))
        }
        "kubernetes.io/tls" if filled("tls.key") => {
            Some("a TLS certificate and its private key".to_string())
        }
        "kubernetes.io/basic-auth" => Some("basic-auth credentials".to_string()),
        "kubernetes.io/ssh-auth" => Some("an SSH private key".to_string()),
        "kubernetes.io/service-account-token" if filled("token") => {
            Some("a service account token".to_string())
        }
        _ => None,
    }
}

const MAX_KEYS_SHOWN: usize = 6;

/// Why the Secret's real values are credentials, if they look like any: a typed credential
/// (docker auth, TLS or SSH private key, basic auth, token), a secret-named key (`password`),
/// a value with a known credential format, a high-entropy token, or binary data (keystores).
/// `None`: every value reads as plain configuration (a time zone, an in-cluster URL).
fn credential_reason(described: Option<&str>, real: &[(&str, &SecretEntry)]) -> Option<String> {
    if let Some(what) = described {
        return Some(what.to_string());
    }
    for (key, entry) in real {
        if is_secret_name(key) {
            return Some(format!("the key `{key}` names a secret"));
        }
        match entry.bytes().map(std::str::from_utf8) {
            Some(Ok(text)) => {
                if let Some(found) = first_credential(text) {
                    let name = found.pattern.name;
                    let article = if name.starts_with("a ") || name.starts_with("an ") {
                        ""
                    } else {
                        "a "
                    };
                    return Some(format!("`{key}` holds {article}{name}"));
                }
                if is_high_entropy_token(text) {
                    return Some(format!("`{key}` holds a random-looking token"));
                }
                // `mypassword`, `db-secret-2024`: the value itself says what it is.
                if !text.contains(char::is_whitespace) && is_secret_name(text) {
                    return Some(format!("the value of `{key}` reads like a password"));
                }
            }
            Some(Err(_)) => return Some(format!("`{key}` holds binary data")),
            None => {}
        }
    }
    None
}

/// A single word of 20 or more characters mixing upper case, lower case and digits with high
/// character entropy (at least 3.5 bits per character): how generated keys and tokens look,
/// and how configuration values (URLs, names, time zones) do not.
fn is_high_entropy_token(text: &str) -> bool {
    let text = text.trim();
    if text.chars().count() < 20 || text.chars().any(char::is_whitespace) {
        return false;
    }
    let classes = [
        text.chars().any(|c| c.is_ascii_lowercase()),
        text.chars().any(|c| c.is_ascii_uppercase()),
        text.chars().any(|c| c.is_ascii_digit()),
    ];
    if classes.iter().filter(|c| **c).count() < 3 {
        return false;
    }
    let mut counts = std::collections::HashMap::new();
    for c in text.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
    }
    let len = text.chars().count() as f64;
    let entropy: f64 = counts
        .values()
        .map(|n| {
            let p = *n as f64 / len;
            -p * p.log2()
        })
        .sum();
    entropy >= 3.5
}

impl Rule for CommittedSecret {
    fn check_object(&self, cx: &ObjectContext<'_>, out: &mut Vec<Finding>) {
        if !is_secret(cx.object)
            || cx
                .ws
                .files
                .get(cx.object.file)
                .is_some_and(|file| file.git_ignored)
        {
            return;
        }
        let doc = cx.doc;
        let entries = secret_entries(doc, cx.object.node);
        if is_sops_encrypted(doc, cx.object.node, &entries) {
            return;
        }
        let merged = merged_entries(&entries);
        let real_entries: Vec<(&str, &SecretEntry)> = merged
            .iter()
            .filter(|(k, e)| is_real(k, e))
            .map(|(k, e)| (*k, *e))
            .collect();
        let real: Vec<&str> = real_entries.iter().map(|(k, _)| *k).collect();
        if real.is_empty() {
            return;
        }
        let mut keys: Vec<String> = real
            .iter()
            .take(MAX_KEYS_SHOWN)
            .map(|k| format!("`{k}`"))
            .collect();
        if real.len() > MAX_KEYS_SHOWN {
            keys.push(format!("and {} more", real.len() - MAX_KEYS_SHOWN));
        }
        let secret_type = doc.get_str(cx.object.node, "type").unwrap_or("Opaque");
        let described = describe(secret_type, &entries);
        let what = described
            .as_deref()
            .map(|d| format!(" ({d})"))
            .unwrap_or_default();
        let credentials = credential_reason(described.as_deref(), &real_entries);
        let name = cx.object.name.as_deref().unwrap_or("<unnamed>");
        let (values, key_word) = if real.len() == 1 {
            ("value", "key")
        } else {
            ("values", "keys")
        };
        out.push(
            cx.finding(
                ID,
                cx.object.kind_span,
                format!(
                    "Secret `{name}` is committed with {} real {values}{what}: {key_word} {}; base64 \
                     is an encoding, not encryption, so anyone who can read the repository can \
                     read them{}",
                    real.len(),
                    keys.join(", "),
                    match &credentials {
                        Some(_) if described.is_some() => String::new(),
                        Some(why) => format!(" ({why}: a credential)"),
                        None => " (no value looks like a credential: reported as a warning)"
                            .to_string(),
                    }
                ),
            )
            .severity(if credentials.is_some() {
                Severity::Error
            } else {
                Severity::Warning
            })
            .label("Secret with real values")
            .help(
                "remove it from the repository and rotate the values (they stay in git \
                 history); commit a reference instead: a SealedSecret (kubeseal), an \
                 ExternalSecret (External Secrets Operator), a SOPS-encrypted file, or inject \
                 at run time (Vault agent annotations, Flyte secret requests, a CSI \
                 secrets-store volume)",
            ),
        );
    }
}
