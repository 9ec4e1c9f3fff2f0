//! Secrets never leave kubeward: every output format, on fixtures full of secrets, shows no
//! secret value; fingerprints do not depend on the value; and the behaviours that need a
//! real directory (`.gitignore`, a 1 MiB Secret).

// Test code: helpers outside `#[test]` functions may unwrap, index and slice too (clippy.toml's
// allow-*-in-tests covers only `#[test]` functions and `#[cfg(test)]` modules).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use std::path::{Path, PathBuf};

use kubeward::outcome::{LintResult, fingerprint};
use kubeward::report::{Format, HumanOptions, write_report};
use kubeward::rule_id::RuleId;

use common::{lint_paths, repo_path, tempdir, write};

fn render(result: &LintResult, format: Format) -> String {
    let mut out = Vec::new();
    let human = HumanOptions {
        color: false,
        width: 200,
    };
    write_report(result, format, &human, &mut out).expect("report");
    String::from_utf8(out).expect("UTF-8 report")
}

/// Secret values written in the fixtures below (plain, base64 as written, and decoded).
const SECRETS: &[&str] = &[
    // plaintext-secret-env
    "GUEST",
    "changeme",
    "3f9a1c7e55d04b2a",
    "k-7781-prod",
    "ghp_4kQ9vX2mZr7TnB5wLc8YhJ3pFd6Gs1Ue0Aio",
    "hunter22",
    "9b1e77c2d4",
    "0f3c9a61e2d84b7fa5c1",
    "keep-this-secret",
    "s3cr3t-p4ss",
    // hardcoded-credential
    "q8ZtW3xR7vLm2NpY4sKd9HfB",
    "AKIAZ7VRSQ2YHFLQ3X5E",
    "npm_Qx7Lm2Rt9Vb4Nc8Kp3Jh6Gf1Dw5Sz0Ay7Eu2",
    "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
    "eyJhbGciOiJIUzI1NiJ9",
    "MHcCAQEEIBq7dLwZ0gS2yQx9oN1kT4vM8pR3cJ6fH5eW2aU7sB0YoAoGCCqGSM49",
    "glpat-Zq8xPm2Lk9Vt4Rw7Ys1N",
    // committed-secret (as written, and decoded)
    "c29tZS1iYXNlNjQtZW5jb2RlZC1wYXlsb2Fk",
    "some-base64-encoded-payload",
    "eyJhdXRocyI6eyJjc21zc2ltMDE6ODAi",
    "Zenanswer03",
    "eHVlY2hlbndhbmc6WmVuYW5zd2VyMDM",
    "t0k3n-for-ci",
    "ZXhwb3J0ZWQtdG9rZW4tOTk=",
    "dmFsdWUxCg==",
    "value1",
    "dmFsdWUyCg==",
    // secret-invalid-base64, secret-trailing-newline
    "hunter2!",
    "a-b_c-d_",
    "Zm9v YmFy",
    "aHVudGVyMg0K",
    "4f9c2a7e1b",
    // secret-in-configmap
    "b5c1e7f09a",
    // dockerfile-secret
    "DO_NOT_TELL_ANYONE",
    "s3cr3t with spaces",
    // dangling-reference, image-pull-secret-missing
    "not-a-real-password",
    "not-a-real-token",
];

fn secret_fixtures() -> Vec<PathBuf> {
    [
        "plaintext-secret-env",
        "hardcoded-credential",
        "committed-secret",
        "secret-invalid-base64",
        "secret-trailing-newline",
        "secret-type-keys",
        "secret-in-configmap",
        "image-pull-secret-missing",
        "dangling-reference",
        "dockerfile-secret",
    ]
    .iter()
    .map(|rule| repo_path("fixtures").join(rule))
    .collect()
}

#[test]
fn no_output_format_shows_a_secret_value() {
    let result = lint_paths(&secret_fixtures());
    // The fixtures do hold these values, and rules fired on them: the test can fail.
    assert!(result.findings.len() > 50, "{}", result.findings.len());
    for secret in SECRETS {
        let in_sources = result
            .workspace
            .files
            .iter()
            .any(|f| f.source.text.contains(secret));
        let decoded = [
            "some-base64-encoded-payload",
            "Zenanswer03",
            "value1",
            "eHVlY2hlbndhbmc6WmVuYW5zd2VyMDM",
        ]
        .contains(secret);
        assert!(in_sources || decoded, "`{secret}` is not in the fixtures");
    }
    // Whatever lines a snippet shows, they come from the masked text: it holds no secret.
    for (id, file) in result.workspace.files.iter().enumerate() {
        let masked = result.redactions.masked_text(id, &file.source.text);
        assert_eq!(masked.len(), file.source.text.len(), "{}", file.source.path);
        for secret in SECRETS {
            assert!(
                !masked.contains(secret),
                "the masked text of {} shows `{secret}`",
                file.source.path
            );
        }
    }
    for format in [Format::Human, Format::Compact, Format::Json] {
        let output = render(&result, format);
        assert!(output.len() > 1000, "{format:?} output is empty");
        for secret in SECRETS {
            if let Some(at) = output.find(secret) {
                let context = &output[at.saturating_sub(200)..(at + 200).min(output.len())];
                panic!("{format:?} output shows the secret `{secret}`:\n{context}");
            }
        }
    }
}

#[test]
fn human_snippets_mask_at_the_same_width() {
    let result = lint_paths(&[repo_path("fixtures").join("plaintext-secret-env/workloads.yaml")]);
    let output = render(&result, Format::Human);
    // `value: "GUEST"` keeps its width: 7 characters, quotes included.
    assert!(output.contains("value: *******"), "{output}");
    assert!(!output.contains("value: ********\""), "{output}");
    // Values that are not secrets stay readable.
    assert!(output.contains("/run/secrets/db") || output.contains("name: DB_PASSWORD"));
}

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: api\nspec:\n  containers:\n    - name: api\n      image: ghcr.io/example/api:1.0.0\n      env:\n        - name: DB_PASSWORD\n          value: VALUE\n";

#[test]
fn fingerprints_of_secret_findings_do_not_hash_the_value() {
    let dir = tempdir("fingerprints");
    let a = write(&dir, "a.yaml", &POD.replace("VALUE", "hunter2-a"));
    let fingerprint_of = |path: &Path| {
        let result = lint_paths(&[path.to_path_buf()]);
        let finding = result
            .findings
            .iter()
            .find(|f| f.rule == RuleId::PlaintextSecretEnv)
            .expect("plaintext-secret-env fires");
        fingerprint(&result, finding)
    };
    let first = fingerprint_of(&a);
    // Another value, same place: same fingerprint (the value is not part of it).
    std::fs::write(&a, POD.replace("VALUE", "completely-different")).unwrap();
    assert_eq!(fingerprint_of(&a), first);
    // Another variable: another fingerprint.
    std::fs::write(
        &a,
        POD.replace("VALUE", "hunter2-a")
            .replace("DB_PASSWORD", "API_TOKEN")
            .replace("- name: api\n      image", "- name: web\n      image"),
    )
    .unwrap();
    assert_ne!(fingerprint_of(&a), first);
}

const SECRET: &str = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\nstringData:\n  password: hunter2-for-real\n";

#[test]
fn files_named_explicitly_that_gitignore_ignores_are_not_committed() {
    let dir = tempdir("gitignore");
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    write(&dir, ".gitignore", "*.secret.yaml\n");
    let ignored = write(&dir, "db.secret.yaml", SECRET);
    let committed = write(&dir, "db.yaml", SECRET);
    let rules = |path: &Path| -> Vec<&'static str> {
        lint_paths(&[path.to_path_buf()])
            .findings
            .iter()
            .map(|f| f.rule.as_str())
            .collect()
    };
    assert!(rules(&committed).contains(&"committed-secret"));
    assert!(!rules(&ignored).contains(&"committed-secret"));
    // A directory walk does not even read the ignored file.
    let walked = lint_paths(std::slice::from_ref(&dir));
    let paths: Vec<&str> = walked
        .workspace
        .files
        .iter()
        .map(|f| f.source.path.as_str())
        .collect();
    assert!(paths.iter().any(|p| p.ends_with("db.yaml")), "{paths:?}");
    assert!(
        !paths.iter().any(|p| p.ends_with("db.secret.yaml")),
        "{paths:?}"
    );
}

#[test]
fn secrets_over_one_mebibyte_are_rejected() {
    // Kubernetes' TestValidateSecret "over max size": MaxSecretSize + 1 bytes.
    let dir = tempdir("size");
    let secret = |size: usize| {
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: big\ntype: Opaque\nstringData:\n  over: {}\n",
            "a".repeat(size)
        )
    };
    let over = write(&dir, "over.yaml", &secret(1024 * 1024 + 1));
    let at_limit = write(&dir, "limit.yaml", &secret(1024 * 1024));
    let size_findings = |path: &Path| {
        lint_paths(&[path.to_path_buf()])
            .findings
            .iter()
            .filter(|f| f.rule == RuleId::SecretTypeKeys && f.message.contains("1 MiB"))
            .count()
    };
    assert_eq!(size_findings(&over), 1);
    assert_eq!(size_findings(&at_limit), 0);
}

#[test]
fn dockerfiles_are_found_in_walks_and_parsed_not_loaded_as_yaml() {
    let dir = tempdir("dockerfiles");
    write(
        &dir,
        "Dockerfile",
        "FROM alpine:3.20\nENV API_TOKEN=tok-123456\n",
    );
    write(
        &dir,
        "worker.Dockerfile",
        "FROM alpine:3.20\nARG DB_PASSWORD=pw-123456\n",
    );
    write(
        &dir,
        "Dockerfile.dev",
        "FROM alpine:3.20\nENV SECRET_KEY s3cret-dev\n",
    );
    write(&dir, "notes.txt", "ENV PASSWORD=not-a-dockerfile\n");
    let result = lint_paths(&[dir]);
    let mut found: Vec<(String, &str)> = result
        .findings
        .iter()
        .map(|f| {
            let path = &result.workspace.source(f.file).path;
            let name = Path::new(path)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .to_string();
            (name, f.rule.as_str())
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            ("Dockerfile".to_string(), "dockerfile-secret"),
            ("Dockerfile.dev".to_string(), "dockerfile-secret"),
            ("worker.Dockerfile".to_string(), "dockerfile-secret"),
        ]
    );
}

#[test]
fn texts_that_quote_a_secret_are_scrubbed() {
    // No rule quotes a value; this is the safety net for one that would.
    let dir = tempdir("scrub");
    let path = write(&dir, "pod.yaml", &POD.replace("VALUE", "hunter2-for-real"));
    let result = lint_paths(&[path]);
    let mut findings = vec![
        kubeward::finding::Finding::new(
            kubeward::rule_id::RuleName::Custom("example"),
            0,
            kubeward::source::Span::default(),
            "value `hunter2-for-real` of container `api` is wrong",
        )
        .help("replace hunter2-for-real")
        .label("\"hunter2-for-real\""),
    ];
    result.redactions.apply(&mut findings);
    assert_eq!(
        findings[0].message,
        "value `*****` of container `api` is wrong"
    );
    assert_eq!(findings[0].help.as_deref(), Some("replace *****"));
    assert_eq!(findings[0].label.as_deref(), Some("\"*****\""));
}

#[test]
fn dockerfile_fingerprints_survive_a_rotated_secret() {
    let dir = tempdir("dockerfile-fingerprints");
    let path = write(
        &dir,
        "Dockerfile",
        "FROM alpine:3.20\nENV API_TOKEN=tok-123456\n",
    );
    let fingerprint_of = |path: &Path| {
        let result = lint_paths(&[path.to_path_buf()]);
        let finding = result
            .findings
            .iter()
            .find(|f| f.rule == RuleId::DockerfileSecret)
            .expect("dockerfile-secret fires");
        fingerprint(&result, finding)
    };
    let first = fingerprint_of(&path);
    std::fs::write(
        &path,
        "FROM alpine:3.20\nENV API_TOKEN=a-much-longer-token-789\n",
    )
    .unwrap();
    assert_eq!(fingerprint_of(&path), first);
    std::fs::write(&path, "FROM alpine:3.20\nENV DB_PASSWORD=tok-123456\n").unwrap();
    assert_ne!(fingerprint_of(&path), first);
}
