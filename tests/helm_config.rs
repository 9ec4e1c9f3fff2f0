//! `.kubeward.yaml`'s `helm.charts` (issue 18): a configured chart renders with the configured
//! release name, namespace, values files and `--set`s, once per configured render, instead of
//! its defaults or its `ci/*-values.yaml` files; the release namespace is the namespace of the
//! rendered objects that set none; a finding at one template line reached by two renders is
//! reported once, naming both.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use std::path::{Path, PathBuf};

const TEMPLATE: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: \"{{ .Release.Namespace }}/{{ .Release.Name }}:{{ .Values.image.tag }}\"
";

/// The line of `image:` in [`TEMPLATE`].
const IMAGE_LINE: u64 = 14;

/// A repository (`.git`) with the chart `charts/web`: its default tag is `1.27`, and
/// `values-dev.yaml` sets `latest`.
fn repo(name: &str) -> PathBuf {
    let dir = common::tempdir(name);
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    common::write(
        &dir,
        "charts/web/Chart.yaml",
        "apiVersion: v2\nname: web\nversion: 1.0.0\n",
    );
    common::write(&dir, "charts/web/values.yaml", "image:\n  tag: \"1.27\"\n");
    common::write(
        &dir,
        "charts/web/values-dev.yaml",
        "image:\n  tag: latest\n",
    );
    common::write(
        &dir,
        "charts/web/values-prod.yaml",
        "image:\n  tag: \"1.28\"\n",
    );
    common::write(&dir, "charts/web/templates/deployment.yaml", TEMPLATE);
    dir
}

/// A `latest-image-tag` finding: where, its message, and the object's name and namespace.
#[derive(Debug, PartialEq, Eq)]
struct Latest {
    path: String,
    line: u64,
    message: String,
    name: String,
    namespace: String,
}

/// The `latest-image-tag` findings of `kubeward --format json . ARGS` in `dir`.
fn latest(dir: &Path, args: &[&str]) -> Vec<Latest> {
    let mut all = vec!["--format", "json", "--select", "latest-image-tag", "."];
    all.extend_from_slice(args);
    let out = common::kubeward(&all, dir);
    let json = common::json(&out);
    json["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no findings in {json}"))
        .iter()
        .map(|f| {
            assert_eq!(f["rule"], "latest-image-tag", "{f}");
            Latest {
                path: f["path"].as_str().unwrap().to_owned(),
                line: f["line"].as_u64().unwrap(),
                message: f["message"].as_str().unwrap().to_owned(),
                name: f["object"]["name"].as_str().unwrap_or_default().to_owned(),
                namespace: f["object"]["namespace"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            }
        })
        .collect()
}

const TEMPLATE_PATH: &str = "charts/web/templates/deployment.yaml";

#[test]
fn without_settings_the_chart_renders_with_its_defaults() {
    let dir = repo("defaults");
    assert_eq!(latest(&dir, &[]), []);
    // The run's --namespace is the release namespace and the objects' namespace.
    common::write(&dir, "charts/web/values.yaml", "image:\n  tag: latest\n");
    let found = latest(&dir, &["--namespace", "team"]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].path, TEMPLATE_PATH);
    assert_eq!(found[0].line, IMAGE_LINE);
    assert!(
        found[0].message.contains("`team/release-name:latest`"),
        "{found:?}"
    );
    assert_eq!(
        (found[0].name.as_str(), found[0].namespace.as_str()),
        ("release-name", "team")
    );
}

#[test]
fn configured_values_release_name_and_namespace() {
    let dir = repo("configured");
    common::write(
        &dir,
        ".kubeward.yaml",
        "helm:\n  charts:\n    charts/web:\n      release-name: shop-web\n      namespace: shop\n      values: [values-dev.yaml]\n",
    );
    let found = latest(&dir, &[]);
    assert_eq!(
        found,
        [Latest {
            path: TEMPLATE_PATH.to_owned(),
            line: IMAGE_LINE,
            message: found[0].message.clone(),
            name: "shop-web".to_owned(),
            namespace: "shop".to_owned(),
        }]
    );
    assert!(
        found[0].message.contains("`shop/shop-web:latest`"),
        "{found:?}"
    );
    // The configured namespace wins over --namespace for the chart's objects.
    assert_eq!(latest(&dir, &["--namespace", "team"])[0].namespace, "shop");

    // `set` goes over the values files, as `helm template -f ... --set` does.
    common::write(
        &dir,
        ".kubeward.yaml",
        "helm:\n  charts:\n    charts/web:\n      values: [values-dev.yaml]\n      set: [\"image.tag=1.29\"]\n",
    );
    assert_eq!(latest(&dir, &[]), []);
    common::write(
        &dir,
        ".kubeward.yaml",
        "helm:\n  charts:\n    charts/web:\n      set: [\"image.tag=latest\"]\n",
    );
    let found = latest(&dir, &["--namespace", "team"]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].message.contains("`team/release-name:latest`"),
        "{found:?}"
    );
    assert_eq!(found[0].namespace, "team");
}

#[test]
fn configured_renders_replace_the_ci_values_files() {
    let dir = repo("ci");
    common::write(
        &dir,
        "charts/web/ci/dev-values.yaml",
        "image:\n  tag: latest\n",
    );
    let found = latest(&dir, &[]);
    assert_eq!(found.len(), 1, "chart-testing's ci file renders: {found:?}");
    common::write(
        &dir,
        ".kubeward.yaml",
        "helm:\n  charts:\n    charts/web:\n      values: [values-prod.yaml]\n",
    );
    assert_eq!(latest(&dir, &[]), []);
}

#[test]
fn two_renders_report_one_finding_naming_both() {
    let dir = repo("renders");
    common::write(
        &dir,
        ".kubeward.yaml",
        "helm:\n  charts:\n    charts/web:\n      values: [values-dev.yaml]\n      renders:\n        - set: [\"image.tag=latest\"]\n          namespace: staging\n        - values: [values-prod.yaml]\n",
    );
    let found = latest(&dir, &[]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].path.as_str(), found[0].line),
        (TEMPLATE_PATH, IMAGE_LINE)
    );
    let message = &found[0].message;
    assert!(
        message.contains("charts/web with values-dev.yaml")
            && message.contains("charts/web with --set image.tag=latest, namespace staging"),
        "{message}"
    );
    // The prod render has no `latest` tag: it is not named.
    assert!(!message.contains("values-prod.yaml"), "{message}");
}

#[test]
fn a_bad_helm_setting_stops_the_run_with_its_place() {
    let dir = repo("bad");
    common::write(
        &dir,
        ".kubeward.yaml",
        "helm:\n  charts:\n    charts/web:\n      value: [values-dev.yaml]\n",
    );
    let out = common::kubeward(&["."], &dir);
    assert_eq!(out.status.code(), Some(2));
    let err = common::stderr(&out);
    assert!(
        err.contains(".kubeward.yaml:4:7") && err.contains("did you mean `values`?"),
        "{err}"
    );
}

/// Each `values.schema.json` violation underlines its value, so two violations in one values
/// file have two fingerprints: a baseline that records one hides that one only.
#[test]
fn values_schema_findings_have_a_fingerprint_each() {
    let dir = common::tempdir("values-schema-fingerprints");
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    common::write(
        &dir,
        "c/Chart.yaml",
        "apiVersion: v2\nname: c\nversion: 0.1.0\n",
    );
    common::write(
        &dir,
        "c/templates/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
    );
    common::write(
        &dir,
        "c/values.schema.json",
        r#"{"properties":{"apiKey":{"type":"string"},"password":{"maxLength":5},"plain":{"type":"string"}}}"#,
    );
    let run = |values: &str, args: &[&str]| {
        common::write(&dir, "c/values.yaml", values);
        let mut all = vec!["--format", "json"];
        all.extend(args);
        all.push("c");
        let out = common::kubeward(&all, &dir);
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "helm-values-schema")
            .map(|f| {
                (
                    f["line"].as_u64().unwrap(),
                    f["fingerprint"].as_str().unwrap().to_string(),
                )
            })
            .collect::<Vec<_>>()
    };
    let three = run(
        "apiKey: 12345\npassword: waytoolongpassword\nplain: 7\n",
        &[],
    );
    assert_eq!(three.len(), 3, "{three:?}");
    let mut prints: Vec<&String> = three.iter().map(|(_, p)| p).collect();
    prints.dedup();
    assert_eq!(prints.len(), 3, "{three:?}");
    // A baseline of the first violation alone hides it, and only it.
    common::write(&dir, "c/values.yaml", "apiKey: 12345\n");
    let out = common::kubeward(&["--write-baseline", "bl.json", "c"], &dir);
    assert_eq!(out.status.code(), Some(0));
    let shown = run(
        "apiKey: 12345\npassword: waytoolongpassword\nplain: 7\n",
        &["--baseline", "bl.json"],
    );
    assert_eq!(
        shown.iter().map(|(line, _)| *line).collect::<Vec<_>>(),
        [2, 3],
        "{shown:?}"
    );
}
