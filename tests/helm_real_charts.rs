//! `kubeward render` matches `helm template` on real charts whose rendered output their own
//! repositories check in (issue 18), run with each repository's own command.
//!
//! argo-cd: `manifests/ha/base/redis-ha/generate.sh` (argoproj/argo-cd) runs
//! `helm dependency update ./chart` and then
//! `helm template argocd ./chart --namespace argocd --values ./chart/values.yaml --no-hooks`,
//! writing `chart/upstream.yaml` after a `# This is an auto-generated file. DO NOT EDIT` line.
//! The chart folder is in `../shared/corpus` (or `$KUBEWARD_CORPUS`); its one dependency, redis-ha 4.35.10, is vendored
//! in `tests/data/helm-real/redis-ha-4.35.10` (see its README.kubeward.md) and copied under the
//! temporary chart's `charts/`, which is what `helm dependency update` does.
//!
//! Both streams are split into documents, parsed with `kubeward::load::parse_yaml`, and
//! compared as JSON, keyed by `# Source:` and (kind, namespace, name).

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kubeward::load::json::to_json;
use kubeward::load::parse_yaml;
use serde_json::Value;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let path = entry.path();
        let target = to.join(entry.file_name());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// One rendered document: its `# Source:` path and its parsed content.
struct Doc {
    source: String,
    value: Value,
}

/// Splits a `helm template` stream at `---` lines, keeping each document's `# Source:` path.
fn documents(stream: &str) -> Vec<Doc> {
    let mut out = Vec::new();
    let mut chunks: Vec<String> = vec![String::new()];
    for line in stream.lines() {
        if line.trim_end() == "---" {
            chunks.push(String::new());
        } else {
            let chunk = chunks.last_mut().unwrap();
            chunk.push_str(line);
            chunk.push('\n');
        }
    }
    for chunk in chunks {
        let source = chunk
            .lines()
            .find_map(|l| l.strip_prefix("# Source: "))
            .unwrap_or("")
            .to_string();
        let loaded = parse_yaml(chunk.as_str());
        assert!(
            !loaded.failed && loaded.problems.is_empty(),
            "{source}: {:?}\n{chunk}",
            loaded.problems
        );
        for doc in &loaded.documents {
            let value = to_json(doc, doc.root);
            if value.is_null() {
                continue;
            }
            out.push(Doc {
                source: source.clone(),
                value,
            });
        }
    }
    out
}

fn key(doc: &Doc) -> String {
    let field = |path: &[&str]| {
        let mut v = &doc.value;
        for p in path {
            v = &v[*p];
        }
        v.as_str().unwrap_or("").to_string()
    };
    format!(
        "{} {}/{} {}",
        doc.source,
        field(&["kind"]),
        field(&["metadata", "namespace"]),
        field(&["metadata", "name"])
    )
}

/// The JSON paths where two values differ (the first 20).
fn diff(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    if out.len() >= 20 {
        return;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                match y.get(k) {
                    Some(w) => diff(&format!("{path}.{k}"), v, w, out),
                    None => out.push(format!("{path}.{k}: only in kubeward")),
                }
            }
            for k in y.keys().filter(|k| !x.contains_key(*k)) {
                out.push(format!("{path}.{k}: only in helm"));
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                diff(&format!("{path}[{i}]"), v, w, out);
            }
        }
        _ if a == b => {}
        _ => out.push(format!("{path}: kubeward {a} / helm {b}")),
    }
}

#[test]
fn argo_cd_redis_ha_matches_upstream_yaml() {
    let corpus = std::env::var_os("KUBEWARD_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| common::repo_path("../shared/corpus"));
    let chart = corpus.join("argoproj__argo-cd/manifests/ha/base/redis-ha/chart");
    if !chart.is_dir() {
        assert!(
            std::env::var_os("CI").is_none(),
            "argo-cd's redis-ha chart is missing from the corpus on CI"
        );
        eprintln!(
            "SKIPPED: no {} (../shared/corpus beside the repository, or $KUBEWARD_CORPUS)",
            chart.display()
        );
        return;
    }
    let dir = common::tempdir("helm-real-argo-cd");
    let work = dir.join("chart");
    for file in ["Chart.yaml", "requirements.yaml", "values.yaml"] {
        std::fs::create_dir_all(&work).unwrap();
        std::fs::copy(chart.join(file), work.join(file)).unwrap();
    }
    copy_dir(
        &common::repo_path("tests/data/helm-real/redis-ha-4.35.10"),
        &work.join("charts/redis-ha"),
    );
    let output = common::kubeward(
        &[
            "render",
            "./chart",
            "--release-name",
            "argocd",
            "--namespace",
            "argocd",
            "--values",
            "./chart/values.yaml",
            // argo-cd's generate.sh passes `--no-hooks`. The assertion below checks that no hook
            // is printed.
            "--no-hooks",
        ],
        &dir,
    );
    let stdout = common::stdout(&output);
    assert!(
        output.status.success(),
        "{}\n{stdout}",
        common::stderr(&output)
    );
    assert!(!stdout.contains("helm.sh/hook"), "{stdout}");
    let upstream = std::fs::read_to_string(chart.join("upstream.yaml")).unwrap();
    let upstream = upstream
        .strip_prefix("# This is an auto-generated file. DO NOT EDIT\n")
        .expect("argo-cd's generate.sh writes this line first");

    let ours: BTreeMap<String, Value> = documents(&stdout)
        .into_iter()
        .map(|d| (key(&d), d.value))
        .collect();
    let theirs: BTreeMap<String, Value> = documents(upstream)
        .into_iter()
        .map(|d| (key(&d), d.value))
        .collect();
    let mut matched = 0;
    let mut problems = Vec::new();
    for (k, helm) in &theirs {
        match ours.get(k) {
            Some(ours) if ours == helm => matched += 1,
            Some(ours) => {
                let mut paths = Vec::new();
                diff("", ours, helm, &mut paths);
                problems.push(format!("{k} differs:\n  {}", paths.join("\n  ")));
            }
            None => problems.push(format!("{k}: only in helm's upstream.yaml")),
        }
    }
    for k in ours.keys().filter(|k| !theirs.contains_key(*k)) {
        problems.push(format!("{k}: only in kubeward's render"));
    }
    eprintln!(
        "argo-cd redis-ha: {} objects in upstream.yaml, {} rendered, {matched} identical",
        theirs.len(),
        ours.len()
    );
    // Every document is an object with its own key (none collapsed into another).
    assert_eq!(theirs.len(), upstream.matches("# Source: ").count());
    assert!(theirs.len() >= 15, "{}", theirs.len());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_eq!(matched, theirs.len());

    // The text matches too, but for one difference of format: argo-cd runs Helm 4.2.4
    // (hack/tool-versions.sh), which keeps each document's final newline and so prints a blank
    // line before every `---`; kubeward prints Helm 3's stream (helm/helm v3.21.4, the
    // oracle's `v3/testdata/output/template.txt` against `v4/...`). argo-cd's file also ends
    // without the last document's blank line.
    let helm3 = |text: &str| text.replace("\n\n---\n", "\n---\n").trim_end().to_string();
    let (ours_text, theirs_text) = (helm3(&stdout), helm3(upstream));
    if ours_text != theirs_text {
        let line = ours_text
            .lines()
            .zip(theirs_text.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| ours_text.lines().count().min(theirs_text.lines().count()));
        panic!(
            "the texts differ from line {}: kubeward {:?} / helm {:?}",
            line + 1,
            ours_text.lines().nth(line),
            theirs_text.lines().nth(line)
        );
    }
}
