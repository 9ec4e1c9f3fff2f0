//! The `pod-security` rule's configuration: per-namespace severities and the configured cap,
//! the rule's level and version for unlabelled namespaces, exemptions, and the aliases
//! `host-network`, `privileged-container`, `run-as-root` switched off.

// Test code: helpers outside `#[test]` functions may unwrap, index and slice too (clippy.toml's
// allow-*-in-tests covers only `#[test]` functions and `#[cfg(test)]` modules).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};

use kubeward::finding::Severity;

use common::{command, json, stderr, tempdir, write};

const MANIFESTS: &str = r#"apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/enforce: baseline
    pod-security.kubernetes.io/warn: restricted
---
apiVersion: v1
kind: Pod
metadata:
  name: enforced
  namespace: shop
spec:
  hostNetwork: true
  containers:
    - name: app
      image: app:1.0
---
apiVersion: v1
kind: Pod
metadata:
  name: unlabelled
  namespace: other
spec:
  securityContext:
    runAsUser: 0
  hostNetwork: true
  containers:
    - name: app
      image: app:1.0
---
apiVersion: v1
kind: Pod
metadata:
  name: sandboxed
  namespace: other
spec:
  runtimeClassName: gvisor
  hostPID: true
  containers:
    - name: app
      image: app:1.0
"#;

/// (pod name, check, severity) of every `pod-security` finding, sorted.
fn run(config: &str) -> Result<Vec<(String, String, Severity)>, String> {
    run_with(MANIFESTS, config, None)
}

/// Runs the binary on `manifests` with `config` as `.kubeward.yaml`; a config error is `Err`
/// with the binary's stderr.
fn run_with(
    manifests: &str,
    config: &str,
    kube_version: Option<&str>,
) -> Result<Vec<(String, String, Severity)>, String> {
    static RUN: AtomicUsize = AtomicUsize::new(0);
    let dir = tempdir(&format!("run-{}", RUN.fetch_add(1, Ordering::SeqCst)));
    let file = write(&dir, "pods.yaml", manifests);
    let config_file = write(&dir, "config.yaml", config);
    let mut command = command(&dir);
    command
        .arg("--format")
        .arg("json")
        .arg("--config")
        .arg(&config_file);
    if let Some(version) = kube_version {
        command.arg("--kube-version").arg(version);
    }
    let output = command.arg(&file).output().expect("run kubeward");
    std::fs::remove_dir_all(&dir).ok();
    if output.status.code() == Some(2) {
        return Err(stderr(&output));
    }
    let report = json(&output);
    let mut out: Vec<(String, String, Severity)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule"] == "pod-security")
        .map(|f| {
            let name = f["object"]["name"].as_str().unwrap_or_default().to_string();
            let message = f["message"].as_str().unwrap_or_default();
            let check = message
                .split_once(" check ")
                .and_then(|(_, rest)| rest.split_once(':'))
                .map(|(c, _)| c.to_string())
                .unwrap_or_default();
            let severity = serde_json::from_value(f["severity"].clone()).expect("a severity");
            (name, check, severity)
        })
        .collect();
    out.sort();
    Ok(out)
}

fn has(
    findings: &[(String, String, Severity)],
    pod: &str,
    check: &str,
    severity: Severity,
) -> bool {
    findings
        .iter()
        .any(|(p, c, s)| p == pod && c == check && *s == severity)
}

#[test]
fn enforce_is_an_error_warn_a_warning_and_unlabelled_namespaces_get_the_rule_level() {
    let f = run("").unwrap();
    // Enforce baseline: hostNamespaces is an error; warn restricted adds the restricted checks.
    assert!(
        has(&f, "enforced", "hostNamespaces", Severity::Error),
        "{f:?}"
    );
    assert!(
        has(&f, "enforced", "runAsNonRoot", Severity::Warning),
        "{f:?}"
    );
    assert!(
        !f.iter()
            .any(|(p, c, s)| p == "enforced" && c == "hostNamespaces" && *s == Severity::Warning)
    );
    // Unlabelled: baseline at warning; runAsUser is restricted-only.
    assert!(
        has(&f, "unlabelled", "hostNamespaces", Severity::Warning),
        "{f:?}"
    );
    assert!(
        !f.iter()
            .any(|(p, c, _)| p == "unlabelled" && c == "runAsUser"),
        "{f:?}"
    );
    assert!(
        has(&f, "sandboxed", "hostNamespaces", Severity::Warning),
        "{f:?}"
    );
}

#[test]
fn a_configured_severity_caps_the_namespace_severity_and_sets_the_unlabelled_one() {
    let f = run("rules:\n  pod-security: warning\n").unwrap();
    assert!(
        has(&f, "enforced", "hostNamespaces", Severity::Warning),
        "{f:?}"
    );
    let f =
        run("rules:\n  pod-security: {severity: error, level: restricted, version: \"1.30\"}\n")
            .unwrap();
    assert!(
        has(&f, "enforced", "hostNamespaces", Severity::Error),
        "{f:?}"
    );
    assert!(
        has(&f, "enforced", "runAsNonRoot", Severity::Warning),
        "{f:?}"
    );
    assert!(has(&f, "unlabelled", "runAsUser", Severity::Error), "{f:?}");
    // runAsUser exists from policy v1.23 only.
    let f = run("rules:\n  pod-security: {level: restricted, version: v1.22}\n").unwrap();
    assert!(
        !f.iter()
            .any(|(p, c, _)| p == "unlabelled" && c == "runAsUser"),
        "{f:?}"
    );
    assert!(
        has(&f, "unlabelled", "runAsNonRoot", Severity::Warning),
        "{f:?}"
    );
    assert!(run("rules:\n  pod-security: off\n").unwrap().is_empty());
}

#[test]
fn exemptions_by_namespace_and_runtime_class() {
    let f = run(
        "rules:\n  pod-security: {exemptions: {namespaces: [shop], runtimeClasses: [gvisor]}}\n",
    )
    .unwrap();
    assert!(
        !f.iter()
            .any(|(p, _, _)| p == "enforced" || p == "sandboxed"),
        "{f:?}"
    );
    assert!(
        has(&f, "unlabelled", "hostNamespaces", Severity::Warning),
        "{f:?}"
    );
}

#[test]
fn an_alias_switched_off_drops_its_check_only() {
    let f = run("rules:\n  host-network: off\n").unwrap();
    assert!(!f.iter().any(|(_, c, _)| c == "hostNamespaces"), "{f:?}");
    assert!(
        has(&f, "enforced", "runAsNonRoot", Severity::Warning),
        "{f:?}"
    );
}

#[test]
fn bad_parameters_are_config_errors() {
    for (config, needle) in [
        (
            "rules:\n  pod-security: {level: strict}\n",
            "`level` must be one of",
        ),
        (
            "rules:\n  pod-security: {version: 1.30}\n",
            "`version` must be",
        ),
        (
            "rules:\n  pod-security: {exemptions: {usernames: [ci]}}\n",
            "cannot apply offline",
        ),
        (
            "rules:\n  pod-security: {mode: enforce}\n",
            "has no parameter `mode`",
        ),
    ] {
        let error = run(config).expect_err(config);
        assert!(error.contains(needle), "{config}: {error}");
    }
}

#[test]
fn an_explicit_kube_version_caps_the_policy_version() {
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: probe\nspec:\n  containers:\n    - name: app\n      image: app:1.0\n      readinessProbe:\n        tcpSocket: {host: db, port: 5432}\n";
    let latest = run_with(pod, "", None).unwrap();
    assert!(
        has(
            &latest,
            "probe",
            "hostProbesAndHostLifecycle",
            Severity::Warning
        ),
        "{latest:?}"
    );
    // A 1.33 API server's `latest` is v1.33: the check (v1.34) does not exist there.
    let old = run_with(pod, "", Some("1.33")).unwrap();
    assert!(old.is_empty(), "{old:?}");
}
