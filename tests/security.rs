//! Secret values never reach any output (issue 14, items 2 and 9): for each way a value used to
//! leak, lint a small repository in every format (human, compact, json, sarif, github, junit) and
//! check that neither stdout nor stderr holds the value, and that the finding which used to show
//! it (or the rule that reports it) is there, so the check cannot pass by printing nothing.

// Test code: helpers outside `#[test]` functions may unwrap and index too.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::path::PathBuf;
use std::process::Command;

const FORMATS: &[&str] = &["human", "compact", "json", "sarif", "github", "junit"];

struct Case {
    dir: PathBuf,
}

impl Case {
    fn new(name: &str, files: &[(&str, &[u8])]) -> Case {
        let dir =
            std::env::temp_dir().join(format!("kubeward-security-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (path, text) in files {
            std::fs::write(dir.join(path), text).unwrap();
        }
        Case { dir }
    }

    fn run(&self, format: &str) -> (String, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_kubeward"))
            .args(["--format", format, "."])
            .current_dir(&self.dir)
            .env("NO_COLOR", "1")
            .env_remove("GITHUB_ACTIONS")
            .output()
            .expect("run kubeward");
        let code = out.status.code();
        assert!(
            matches!(code, Some(0 | 1)),
            "{format}: exit {code:?}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// The (rule, line) of every finding of the JSON report.
    fn findings(&self) -> Vec<(String, u64)> {
        let (stdout, _) = self.run("json");
        let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["rule"].as_str().unwrap().to_string(),
                    f["line"].as_u64().unwrap(),
                )
            })
            .collect()
    }

    /// No format shows any of `secrets`, on stdout or stderr; returns the human report.
    fn assert_hidden(&self, secrets: &[&str]) -> String {
        let mut human = String::new();
        for format in FORMATS {
            let (stdout, stderr) = self.run(format);
            for secret in secrets {
                assert!(
                    !stdout.contains(secret) && !stderr.contains(secret),
                    "{format} shows {secret:?}:\n{stdout}\n{stderr}"
                );
            }
            if *format == "human" {
                human = stdout;
            }
        }
        human
    }

    fn expect(&self, rule: &str, line: u64) {
        let findings = self.findings();
        assert!(
            findings.iter().any(|(r, l)| r == rule && *l == line),
            "no {rule} on line {line}: {findings:?}"
        );
    }
}

impl Drop for Case {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Standard base64 with padding (a test helper; the crate has no base64 dependency).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n =
            chunk.iter().fold(0u32, |acc, b| acc << 8 | u32::from(*b)) << (8 * (3 - chunk.len()));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn has_line_with(report: &str, needle: &str) -> bool {
    report.lines().any(|l| l.contains(needle))
}

// Item 9 (a): files that fail to load are shown with their secrets masked.

#[test]
fn a_parse_error_snippet_masks_the_secret_on_its_line() {
    let case = Case::new(
        "parse",
        &[(
            "secret.yaml",
            b"apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: Hunter2ParseSecret: oops\n",
        )],
    );
    case.expect("parse-error", 6);
    let human = case.assert_hidden(&["Hunter2ParseSecret"]);
    // The snippet is there, masked.
    assert!(has_line_with(&human, "password: ***"), "{human}");
}

#[test]
fn a_file_that_is_not_utf8_is_shown_masked() {
    let case = Case::new(
        "utf8",
        &[(
            "secret.yaml",
            b"apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: Hunter2Utf8Secret\n  note: caf\xe9\n",
        )],
    );
    case.expect("parse-error", 7);
    let human = case.assert_hidden(&["Hunter2Utf8Secret"]);
    assert!(has_line_with(&human, "password: ***"), "{human}");
}

#[test]
fn a_template_is_shown_masked() {
    let case = Case::new(
        "template",
        &[(
            "secret.yaml",
            b"apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Values.name }}\n  annotations: {token: Hunter2TemplToken}\nstringData:\n  password: Hunter2TemplSecret\n",
        )],
    );
    case.expect("template-skipped", 4);
    let human = case.assert_hidden(&["Hunter2TemplToken", "Hunter2TemplSecret"]);
    assert!(has_line_with(&human, "{token: ***"), "{human}");
}

#[test]
fn a_parse_error_in_a_secret_data_block_and_flags_are_masked() {
    // Heuristics: a Secret's `data` block, a credential pattern, a secret flag, a JSON pair.
    let case = Case::new(
        "block",
        &[(
            "secret.yaml",
            b"kind: Secret\napiVersion: v1\ndata:\n  tls.key: SGVsbG9CbG9ja1NlY3JldA==\n  note: ghp_1A2b3C4d5E6f7G8h9I0jK1l2M3n4O5p6Q7r8\nargs: [\"--api-key=Hunter2FlagSecret\", {\"client_secret\": \"Hunter2JsonSecret\"}]\n  : bad\n",
        )],
    );
    case.expect("parse-error", 7);
    let human = case.assert_hidden(&[
        "SGVsbG9CbG9ja1NlY3JldA==",
        "ghp_1A2b3C4d5E6f7G8h9I0jK1l2M3n4O5p6Q7r8",
        "Hunter2FlagSecret",
        "Hunter2JsonSecret",
    ]);
    assert!(has_line_with(&human, "--api-key=***"), "{human}");
}

// Item 9 (b): the second value of a duplicate key.

#[test]
fn the_second_value_of_a_duplicate_key_is_masked() {
    let case = Case::new(
        "duplicate",
        &[(
            "pod.yaml",
            b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\nspec:\n  containers:\n  - name: app\n    image: app:1.0\n    env:\n    - name: DB_PASSWORD\n      value: \"$(OTHER)\"\n      value: SecondDupSecretValue\n",
        )],
    );
    case.expect("duplicate-key", 12);
    let human = case.assert_hidden(&["SecondDupSecretValue"]);
    assert!(has_line_with(&human, "value: ***"), "{human}");
}

// Item 9 (c): every credential in a value, not only the first of each kind.

#[test]
fn every_credential_in_a_value_is_masked() {
    let case = Case::new(
        "credentials",
        &[(
            "cm.yaml",
            b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  tokens: \"ghp_1A2b3C4d5E6f7G8h9I0jK1l2M3n4O5p6Q7r8 and ghp_9Z8y7X6w5V4u3T2s1R0qP9o8N7m6L5k4J3i2\"\n",
        )],
    );
    case.expect("hardcoded-credential", 6);
    let human = case.assert_hidden(&[
        "ghp_1A2b3C4d5E6f7G8h9I0jK1l2M3n4O5p6Q7r8",
        "ghp_9Z8y7X6w5V4u3T2s1R0qP9o8N7m6L5k4J3i2",
    ]);
    assert!(has_line_with(&human, "tokens: \"***"), "{human}");
}

// Item 9 (d): a docker config's user name that is a token is not printed.

#[test]
fn a_docker_user_name_that_looks_like_a_token_is_not_printed() {
    let b64 = |s: &str| base64(s.as_bytes());
    let token = "ghp_1A2b3C4d5E6f7G8h9I0jK1l2M3n4O5p6Q7rX";
    let config = format!(
        r#"{{"auths":{{"ghcr.io":{{"auth":"{}"}},"registry.corp.internal":{{"auth":"{}"}}}}}}"#,
        b64(&format!("{token}:x-oauth-basic")),
        b64("ci:Hunter2DockerPw"),
    );
    let manifest = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: regcred\ntype: kubernetes.io/dockerconfigjson\ndata:\n  .dockerconfigjson: {}\n",
        b64(&config)
    );
    let case = Case::new("docker", &[("regcred.yaml", manifest.as_bytes())]);
    case.expect("committed-secret", 2);
    case.assert_hidden(&[token, "Hunter2DockerPw"]);
    // An ordinary user name is still named.
    let (compact, _) = case.run("compact");
    assert!(
        compact.contains("registry.corp.internal, user ci"),
        "{compact}"
    );
    assert!(compact.contains("ghcr.io, user hidden"), "{compact}");
}

// Item 9 (e): `last-applied-configuration` of a Secret without `data`.

#[test]
fn the_last_applied_configuration_of_a_secret_without_data_is_masked() {
    let case = Case::new(
        "applied",
        &[(
            "secret.yaml",
            b"apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: '{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"stringData\":{\"password\":\"AppliedSecretValue9\"}}' # kubeward-ignore: latest-image-tag\ntype: Opaque\n",
        )],
    );
    // The unused suppression's snippet shows the annotation's line.
    case.expect("unused-suppression", 6);
    let human = case.assert_hidden(&["AppliedSecretValue9"]);
    assert!(
        has_line_with(&human, "last-applied-configuration: ***"),
        "{human}"
    );
}

// Item 9 (f): secrets passed as arguments are reported and masked.

#[test]
fn a_secret_argument_is_reported_and_masked() {
    let case = Case::new(
        "args",
        &[(
            "pod.yaml",
            b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\nspec:\n  containers:\n  - name: app\n    image: app:1.0\n    args: [\"--db-password=ArgSecretValue1\", \"--api-token\", \"ArgSecretValue2\", \"--password=$(DB_PASSWORD)\"]\n    command: [\"/app\", \"--secret-key=ArgSecretValue3\"]\n",
        )],
    );
    let findings = case.findings();
    let args: Vec<&(String, u64)> = findings
        .iter()
        .filter(|(rule, _)| rule == "plaintext-secret-arg")
        .collect();
    // Three literal secrets; the `$(DB_PASSWORD)` reference is not one.
    assert_eq!(args.len(), 3, "{findings:?}");
    let human = case.assert_hidden(&["ArgSecretValue1", "ArgSecretValue2", "ArgSecretValue3"]);
    assert!(
        has_line_with(&human, "--password=$(DB_PASSWORD)"),
        "{human}"
    );
}

// Item 2: multi-byte text in a secret value; the redaction pass runs under the panic guard
// (its own test, which injects a panic, is `redact::tests`; suppression's is
// `suppress::tests`).

#[test]
fn a_multi_byte_secret_value_is_masked_without_a_crash() {
    let case = Case::new(
        "multibyte",
        &[(
            "pod.yaml",
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\nspec:\n  containers:\n  - name: app\n    image: app:1.0\n    env:\n    - name: DB_PASSWORD\n      value: \"a€bcdefgh\"\n".as_bytes(),
        )],
    );
    case.expect("plaintext-secret-env", 11);
    assert!(
        !case
            .findings()
            .iter()
            .any(|(rule, _)| rule == "internal-error")
    );
    case.assert_hidden(&["a€bcdefgh"]);
}
