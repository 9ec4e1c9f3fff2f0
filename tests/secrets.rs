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

/// Lints `dir` and renders every format; returns the outputs, having checked that neither
/// they nor the masked text of any file (whatever lines a snippet shows) holds a secret.
fn outputs_without(dir: &Path, secrets: &[&str]) -> Vec<(Format, String)> {
    let result = lint_paths(&[dir]);
    for (id, file) in result.workspace.files.iter().enumerate() {
        let masked = result.redactions.masked_text(id, &file.source.text);
        for secret in secrets {
            assert!(
                !masked.contains(secret),
                "the masked text of {} shows `{secret}`:\n{masked}",
                file.source.path
            );
        }
    }
    let mut outputs = Vec::new();
    for format in [
        Format::Human,
        Format::Compact,
        Format::Json,
        Format::Sarif,
        Format::Github,
        Format::Junit,
    ] {
        let output = render(&result, format);
        for secret in secrets {
            assert!(
                !output.contains(secret),
                "{format:?} output of {} shows the secret `{secret}`:\n{output}",
                dir.display()
            );
        }
        outputs.push((format, output));
    }
    outputs
}

fn human(outputs: &[(Format, String)]) -> &str {
    &outputs
        .iter()
        .find(|(f, _)| *f == Format::Human)
        .expect("human output")
        .1
}

#[test]
fn secret_generator_literals_are_masked_in_every_snippet() {
    let dir = tempdir("generator-literals");
    let kustomization = "secretGenerator:\n- name: db\n  literals:\n  - token=ghp_1A2b3C4d5E6f7G8h9I0jK1l2M3n4O5p6Q7r8\n  - bad!key=Hunter2GenSecret\n  - other=Plain5GenSecret\n- name: flow\n  literals: [k=Flow7GenSecret, \"q=Quoted8GenSecret\"]\n";
    write(&dir, "built/kustomization.yaml", kustomization);
    let secrets = [
        "ghp_1A2b3C4d5E6f7G8h9I0jK1l2M3n4O5p6Q7r8",
        "Hunter2GenSecret",
        "Plain5GenSecret",
        "Flow7GenSecret",
        "Quoted8GenSecret",
    ];
    let outputs = outputs_without(&dir.join("built"), &secrets);
    // The snippet is drawn, with the literals' keys readable.
    let shown = human(&outputs);
    assert!(shown.contains("bad!key=****"), "{shown}");
    assert!(shown.contains("token=****"), "{shown}");
    // A build that fails shows the same lines.
    write(
        &dir,
        "failed/kustomization.yaml",
        &format!("{kustomization}resources: [missing.yaml]\n"),
    );
    let outputs = outputs_without(&dir.join("failed"), &secrets);
    let shown = human(&outputs);
    assert!(shown.contains("missing.yaml"), "{shown}");
    assert!(shown.contains("literals: [k=****"), "{shown}");
}

#[test]
fn helm_values_under_secret_names_are_masked_in_snippets() {
    let dir = tempdir("values-snippets");
    write(
        &dir,
        "Chart.yaml",
        "apiVersion: v2\nname: r2\nversion: 0.1.0\n",
    );
    write(
        &dir,
        "values.yaml",
        "db:\n  host: db.internal\n  password: Hunter2ValuesSecret\n  apiKey: \"Values9ApiKey\"\n",
    );
    write(
        &dir,
        "values.schema.json",
        "{\"properties\":{\"db\":{\"properties\":{\"password\":{\"maxLength\":5},\"host\":{\"maxLength\":3}}}}}\n",
    );
    write(
        &dir,
        "templates/c.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
    );
    let outputs = outputs_without(&dir, &["Hunter2ValuesSecret", "Values9ApiKey"]);
    let shown = human(&outputs);
    assert!(shown.contains("password: ****"), "{shown}");
    // Values under ordinary names stay readable.
    assert!(shown.contains("host: db.internal"), "{shown}");
}

#[test]
fn kustomize_errors_quote_keys_not_values() {
    let dir = tempdir("generator-errors");
    write(
        &dir,
        "env/kustomization.yaml",
        "secretGenerator:\n- name: db\n  envs: [creds.env]\n",
    );
    write(&dir, "env/creds.env", "DB_PASSWORD: Hunter2EnvSecret\n");
    let outputs = outputs_without(&dir.join("env"), &["Hunter2EnvSecret"]);
    for (format, output) in &outputs {
        if *format != Format::Junit {
            assert!(
                output.contains("'DB_PASSWORD: *****' is not a valid environment variable name"),
                "{format:?}: {output}"
            );
        }
    }
    write(
        &dir,
        "literal/kustomization.yaml",
        "secretGenerator:\n- name: db\n  literals:\n  - tokenXYZsecret\n",
    );
    let outputs = outputs_without(&dir.join("literal"), &["tokenXYZsecret"]);
    assert!(
        human(&outputs).contains("invalid literal source *****, expected key=value"),
        "{}",
        human(&outputs)
    );
}

#[test]
fn dockerfile_run_flags_and_json_in_configmaps_are_masked_in_context_lines() {
    let dir = tempdir("context-lines");
    write(
        &dir,
        "df/Dockerfile",
        "FROM alpine:3.19\nENV DB_PASSWORD=x1x2x3x4\nRUN mysql -u root --password=DockSecretC3\nENV API_KEY=y1y2y3y4\n",
    );
    let outputs = outputs_without(&dir.join("df"), &["DockSecretC3", "x1x2x3x4", "y1y2y3y4"]);
    let shown = human(&outputs);
    assert!(shown.contains("mysql -u root --password=****"), "{shown}");
    write(
        &dir,
        "cm/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  config.json: '{\"password\": \"CmEmbedSecret2\", \"user\": \"app\"}'\n  bad key2: y\n",
    );
    let outputs = outputs_without(&dir.join("cm"), &["CmEmbedSecret2"]);
    let shown = human(&outputs);
    assert!(shown.contains("bad key2"), "{shown}");
    assert!(shown.contains("\"password\": \"****"), "{shown}");
    assert!(shown.contains("\"user\": \"app\""), "{shown}");
}
