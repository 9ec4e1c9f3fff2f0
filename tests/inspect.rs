//! `kubeward inspect`: effective requests and limits, their sources, and the QoS class.

use std::path::Path;
use std::process::{Command, Output};

fn kubeward(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kubeward"))
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")))
        .env("NO_COLOR", "1")
        .output()
        .expect("run kubeward")
}

#[test]
fn inspect_prints_a_table_per_workload() {
    let out = kubeward(&["inspect", "fixtures/examples"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Deployment shop/checkout  (fixtures/examples/shop/checkout.yaml:2)"),
        "{text}"
    );
    assert!(text.contains("  QoS class: Burstable ("), "{text}");
    assert!(
        text.contains("migrate (init)  cpu       100m     LimitRange `defaults` defaultRequest"),
        "{text}"
    );
    assert!(text.contains("QoS class: BestEffort"), "{text}");
    // The Helm template in the examples is skipped, and said so on stderr.
    assert!(String::from_utf8_lossy(&out.stderr).contains("note:"));
}

#[test]
fn inspect_json_follows_the_documented_contract() {
    let out = kubeward(&["inspect", "--format", "json", "fixtures/examples/shop"]);
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(report["version"], 1);
    let workloads = report["workloads"].as_array().expect("workloads");
    let checkout = workloads
        .iter()
        .find(|w| w["object"]["name"] == "checkout")
        .expect("the checkout Deployment");
    assert_eq!(
        checkout["object"],
        serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment", "name": "checkout", "namespace": "shop"})
    );
    assert_eq!(checkout["path"], "fixtures/examples/shop/checkout.yaml");
    assert_eq!(checkout["line"], 2);
    assert_eq!(checkout["podSpec"], "spec.template.spec");
    assert_eq!(checkout["qosClass"], "Burstable");
    assert_eq!(checkout["limitRanges"], serde_json::json!(["defaults"]));
    assert_eq!(checkout["podResources"], serde_json::Value::Null);
    let migrate = &checkout["containers"][0];
    assert_eq!(migrate["name"], "migrate");
    assert_eq!(migrate["type"], "init");
    assert_eq!(
        migrate["limits"]["cpu"],
        serde_json::json!({
            "value": "500m",
            "source": "limitrange-default",
            "description": "LimitRange `defaults` default",
            "limitRange": "defaults",
            "field": "default",
            "writtenIn": "default",
            "path": "fixtures/examples/shop/namespace.yaml",
            "line": 17
        })
    );
    let container = &checkout["containers"][1];
    assert_eq!(container["requests"]["memory"]["source"], "manifest");
    assert_eq!(container["requests"]["memory"]["value"], "256Mi");
}

#[test]
fn inspect_reports_bad_paths() {
    let out = kubeward(&["inspect", "no-such-dir"]);
    assert_eq!(out.status.code(), Some(2));
}
