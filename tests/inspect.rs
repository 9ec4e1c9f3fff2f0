//! `kubeward inspect`: effective requests and limits, their sources, and the QoS class.

// Test code: helpers outside `#[test]` functions may unwrap, index and slice too (clippy.toml's
// allow-*-in-tests covers only `#[test]` functions and `#[cfg(test)]` modules).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use common::{json, kubeward_in_repo, stdout};

#[test]
fn inspect_prints_a_table_per_workload() {
    let out = kubeward_in_repo(&["inspect", "fixtures/examples"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
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
    // The Helm chart in the examples is rendered: its Deployment is inspected as rendered.
    assert!(
        text.contains("Deployment default/release-name-web"),
        "{text}"
    );
}

#[test]
fn inspect_json_follows_the_documented_contract() {
    let out = kubeward_in_repo(&["inspect", "--format", "json", "fixtures/examples/shop"]);
    assert_eq!(out.status.code(), Some(0));
    let report = json(&out);
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
    let out = kubeward_in_repo(&["inspect", "no-such-dir"]);
    assert_eq!(out.status.code(), Some(2));
}
