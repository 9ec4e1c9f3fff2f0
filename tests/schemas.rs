//! Schema validation across Kubernetes versions: `--kube-version` and the config's
//! `kube-version` select the embedded schemas, and a run loads only the kinds it meets.
//!
//! The lazy-loading check reads a process-wide log, so it lives alone in `schema_loading.rs`.

// Test code: helpers outside `#[test]` functions may unwrap, index and slice too (clippy.toml's
// allow-*-in-tests covers only `#[test]` functions and `#[cfg(test)]` modules).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use common::{kubeward, rules_fired, tempdir};

/// A ServiceCIDR in `networking.k8s.io/v1beta1`: deprecated from 1.33, removed in 1.37.
const SERVICE_CIDR: &str = "apiVersion: networking.k8s.io/v1beta1\nkind: ServiceCIDR\nmetadata:\n  name: extra\nspec:\n  cidrs: [\"10.96.100.0/24\"]\n";

#[test]
fn every_embedded_version_works_and_the_version_changes_the_verdict() {
    let dir = tempdir("versions");
    std::fs::write(dir.join("cidr.yaml"), SERVICE_CIDR).unwrap();
    for minor in 33..=36 {
        let version = format!("1.{minor}");
        let out = kubeward(
            &[
                "--format",
                "compact",
                "--kube-version",
                &version,
                "cidr.yaml",
            ],
            &dir,
        );
        assert_eq!(out.status.code(), Some(0), "{version}: {out:?}");
        assert_eq!(
            rules_fired(&out),
            vec!["deprecated-api-version"],
            "{version}"
        );
    }
    let out = kubeward(
        &["--format", "compact", "--kube-version", "1.37", "cidr.yaml"],
        &dir,
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(rules_fired(&out), vec!["removed-api-version"]);
    // The default is the newest version.
    let out = kubeward(&["--format", "compact", "cidr.yaml"], &dir);
    assert_eq!(rules_fired(&out), vec!["removed-api-version"]);
}

#[test]
fn a_field_newer_than_the_target_is_unknown() {
    // `resource.k8s.io/v1` DeviceClass exists from 1.34: at 1.33 the apiVersion is not served.
    let dir = tempdir("newer");
    std::fs::write(
        dir.join("class.yaml"),
        "apiVersion: resource.k8s.io/v1\nkind: DeviceClass\nmetadata:\n  name: gpu\nspec: {}\n",
    )
    .unwrap();
    let out = kubeward(
        &[
            "--format",
            "compact",
            "--kube-version",
            "1.34",
            "class.yaml",
        ],
        &dir,
    );
    assert!(rules_fired(&out).is_empty(), "{out:?}");
    let out = kubeward(
        &[
            "--format",
            "compact",
            "--kube-version",
            "1.33",
            "class.yaml",
        ],
        &dir,
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("[schema-violation] Kubernetes 1.33 does not serve `resource.k8s.io/v1`"),
        "{text}"
    );
}

#[test]
fn the_flag_wins_over_the_config_and_unsupported_versions_are_refused() {
    let dir = tempdir("config");
    std::fs::write(dir.join("cidr.yaml"), SERVICE_CIDR).unwrap();
    std::fs::write(dir.join(".kubeward.yaml"), "kube-version: \"1.33\"\n").unwrap();
    let out = kubeward(&["--format", "compact", "cidr.yaml"], &dir);
    assert_eq!(rules_fired(&out), vec!["deprecated-api-version"]);
    let out = kubeward(
        &[
            "--format",
            "compact",
            "--kube-version",
            "v1.37.2",
            "cidr.yaml",
        ],
        &dir,
    );
    assert_eq!(rules_fired(&out), vec!["removed-api-version"]);
    let out = kubeward(&["--kube-version", "1.20", "cidr.yaml"], &dir);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("1.20 is not supported") && err.contains("1.33"),
        "{err}"
    );
    let out = kubeward(&["--kube-version", "latest", "cidr.yaml"], &dir);
    assert_eq!(out.status.code(), Some(2));
    std::fs::write(dir.join(".kubeward.yaml"), "kube-version: \"1.12\"\n").unwrap();
    let out = kubeward(&["cidr.yaml"], &dir);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn strict_crds_reports_custom_resources_without_a_schema() {
    let dir = tempdir("strict-crds");
    std::fs::write(
        dir.join("monitor.yaml"),
        "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata:\n  name: web\nspec: {}\n",
    )
    .unwrap();
    let out = kubeward(&["--format", "compact", "monitor.yaml"], &dir);
    assert!(rules_fired(&out).is_empty(), "{out:?}");
    let out = kubeward(
        &["--format", "compact", "--strict-crds", "monitor.yaml"],
        &dir,
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "[schema-violation] no schema for `monitoring.coreos.com/v1` `ServiceMonitor`"
        ),
        "{text}"
    );
}
