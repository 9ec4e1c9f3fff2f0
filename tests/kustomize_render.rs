//! `kubeward render`: exit codes, `# Source:` headers, and scalars written so that a YAML 1.1
//! reader (Kubernetes' sigs.k8s.io/yaml) types them as they were typed in the source.

// Test code: helpers outside `#[test]` functions may unwrap, index and slice too (clippy.toml's
// allow-*-in-tests covers only `#[test]` functions and `#[cfg(test)]` modules).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use std::process::Command;
use std::sync::Arc;

use kubeward::kustomize::value;

fn kubeward() -> Command {
    common::command(&common::repo_path(""))
}

fn fixture(p: &str) -> String {
    common::repo_path("fixtures").join(p).display().to_string()
}

fn canonical(text: &str) -> Vec<String> {
    let loaded = kubeward::load::parse_yaml(text);
    assert!(!loaded.failed, "output parses: {:?}", loaded.problems);
    let file: Arc<str> = Arc::from("<out>");
    let v: Vec<String> = loaded
        .documents
        .iter()
        .map(|d| value::from_document(d, &file))
        .filter(|n| !n.is_null())
        .map(|n| value::canonical_json(&n).to_string())
        .collect();
    v
}

#[test]
fn render_prints_sources_and_types_scalars_as_kubernetes_does() {
    let out = kubeward()
        .args(["render", &fixture("kustomize/quoting")])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.matches("# Source: ").count(), 2, "{text}");
    let objects = canonical(&text);
    let cm: serde_json::Value = objects
        .iter()
        .map(|o| serde_json::from_str::<serde_json::Value>(o).unwrap())
        .find(|o| o["kind"] == "ConfigMap")
        .unwrap();
    for (k, v) in [
        ("octal", "0755"),
        ("bool", "on"),
        ("yes", "yes"),
        ("float", "1e3"),
        ("null-ish", "~"),
        ("colon", "a: b"),
        ("hash", "a #b"),
        ("lead", " lead"),
        ("multi", "line1\nline2"),
        ("dash", "- x"),
        ("star", "*x"),
    ] {
        assert_eq!(
            cm["data"][k],
            serde_json::Value::String(v.into()),
            "data.{k} in\n{text}"
        );
    }
    assert_eq!(cm["metadata"]["annotations"]["a-octal"], "0755");
    assert_eq!(cm["metadata"]["annotations"]["a-bool"], "on");
    let pod: serde_json::Value = objects
        .iter()
        .map(|o| serde_json::from_str::<serde_json::Value>(o).unwrap())
        .find(|o| o["kind"] == "Pod")
        .unwrap();
    assert_eq!(pod["spec"]["containers"][0]["image"], "app:1e3");
    assert_eq!(
        pod["spec"]["containers"][0]["ports"][0]["containerPort"],
        31
    );
    // kustomize (go-yaml v3) reads a plain `on` as a string, and writes it quoted.
    assert_eq!(pod["spec"]["containers"][0]["tty"], "on");
}

#[test]
fn render_matches_kubectl_when_available() {
    if Command::new("kubectl")
        .args(["version", "--client"])
        .output()
        .is_err()
    {
        eprintln!("SKIPPED render_matches_kubectl_when_available: kubectl is not installed");
        return;
    }
    // In order: kustomize's output order is part of what `render` promises. `render-nested`
    // holds a base and a component below it that do not build on their own: `render DIR`
    // prints DIR's build only, as kubectl does, and exits 0.
    for root in [
        "kustomize/quoting",
        "kustomize/overlay-generators/overlay",
        "kustomize/sort-legacy/default",
        "kustomize/render-nested",
    ] {
        let ours = kubeward()
            .args(["render", &fixture(root)])
            .output()
            .unwrap();
        let theirs = Command::new("kubectl")
            .args(["kustomize", &fixture(root)])
            .output()
            .unwrap();
        assert!(theirs.status.success());
        assert!(
            ours.status.success(),
            "{root}: {}",
            String::from_utf8_lossy(&ours.stderr)
        );
        assert_eq!(
            canonical(&String::from_utf8_lossy(&ours.stdout)),
            canonical(&String::from_utf8_lossy(&theirs.stdout)),
            "{root}"
        );
    }
}

#[test]
fn render_exit_codes() {
    let failing = kubeward()
        .args(["render", &fixture("kustomize-error/missing-resource")])
        .output()
        .unwrap();
    assert_eq!(failing.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&failing.stderr);
    assert!(
        stderr.contains("kustomization.yaml:3:5") && stderr.contains("does-not-exist.yaml"),
        "{stderr}"
    );
    let usage = kubeward()
        .args(["render", "/nonexistent/kubeward/path"])
        .output()
        .unwrap();
    assert_eq!(usage.status.code(), Some(2));
    let flag = kubeward()
        .args(["render", "--no-such-flag"])
        .output()
        .unwrap();
    assert_eq!(flag.status.code(), Some(2));
}
