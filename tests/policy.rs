//! The config file, custom policies, inline suppressions and baselines, from the command line.

// Test code: helpers outside `#[test]` functions may unwrap, index and slice too (clippy.toml's
// allow-*-in-tests covers only `#[test]` functions and `#[cfg(test)]` modules).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use common::{kubeward, repo_file, rules_fired, stderr, stdout, tempdir, write};

const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  restartPolicy: Never\n  containers:\n    - name: web\n      image: nginx\n      resources:\n        limits: {cpu: 100m, memory: 64Mi}\n";

#[test]
fn config_severity_beats_the_catalogue_and_the_flag_beats_the_config() {
    let dir = tempdir("precedence");
    write(&dir, "pod.yaml", POD);
    // Default: latest-image-tag is a warning, so the run passes at fail-on error.
    let out = kubeward(&["--format", "compact", "pod.yaml"], &dir);
    assert!(
        stdout(&out).contains("warning[latest-image-tag]"),
        "{}",
        stdout(&out)
    );
    assert_eq!(out.status.code(), Some(0));
    // The config raises it to error and sets fail-on: warning.
    write(
        &dir,
        ".kubeward.yaml",
        "fail-on: warning\nrules:\n  latest-image-tag: error\n",
    );
    let out = kubeward(&["--format", "compact", "pod.yaml"], &dir);
    assert!(
        stdout(&out).contains("error[latest-image-tag]"),
        "{}",
        stdout(&out)
    );
    assert_eq!(out.status.code(), Some(1));
    // --fail-on wins over the config's fail-on.
    let out = kubeward(
        &["--fail-on", "never", "--format", "compact", "pod.yaml"],
        &dir,
    );
    assert_eq!(out.status.code(), Some(0));
    // Off (unquoted `off` is YAML's false): the rule does not run.
    write(&dir, ".kubeward.yaml", "rules:\n  latest-image-tag: off\n");
    let out = kubeward(&["--format", "compact", "pod.yaml"], &dir);
    assert!(
        !rules_fired(&out).contains(&"latest-image-tag".to_string()),
        "{}",
        stdout(&out)
    );
    // `kubeward rules` shows the effective severity under the loaded config.
    let rules = stdout(&kubeward(&["rules"], &dir));
    let line = rules
        .lines()
        .find(|l| l.starts_with("latest-image-tag "))
        .unwrap();
    assert!(
        line.contains(" off ") && line.contains("[set by config]"),
        "{line}"
    );
}

#[test]
fn config_is_found_upward_and_paths_resolve_against_its_folder() {
    let dir = tempdir("upward");
    write(&dir, "deploy/app/pod.yaml", POD);
    write(&dir, "vendor/thing/pod.yaml", POD);
    write(
        &dir,
        "policies/no-latest.yaml",
        &repo_file("examples/policies/run-as-non-root.yaml"),
    );
    write(
        &dir,
        ".kubeward.yaml",
        "exclude: [\"vendor/**\"]\npolicies:\n  - policies/no-latest.yaml\n",
    );
    // Run from a subfolder: the config is found upward and its relative paths still resolve.
    let sub = dir.join("deploy");
    let out = kubeward(&["--format", "compact", ".."], &sub);
    let text = stdout(&out);
    assert!(
        // Shown relative to the current directory, normalised (issue 14).
        text.contains("app/pod.yaml:8:7: warning[run-as-non-root]"),
        "{text}"
    );
    assert!(!text.contains("vendor"), "{text}");
    // An explicitly named file under an excluded folder is excluded too (pre-commit).
    let out = kubeward(&["--format", "compact", "vendor/thing/pod.yaml"], &dir);
    assert_eq!(stdout(&out), "", "{}", stderr(&out));
    // --config FILE names the config explicitly.
    write(&dir, "other.yaml", "rules:\n  run-as-non-root: error\n");
    let out = kubeward(
        &["--config", "other.yaml", "--format", "compact", "deploy"],
        &dir,
    );
    // The other config has no policies: run-as-non-root is unknown there.
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("other.yaml:2:3: unknown rule `run-as-non-root`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn config_errors_are_clear_and_stop_the_run() {
    let dir = tempdir("errors");
    write(&dir, "pod.yaml", POD);
    for (config, expected) in [
        (
            "kube-version: 1.30\n",
            ".kubeward.yaml:1:15: `kube-version: 1.30` is a number to YAML",
        ),
        ("rulez: {}\n", "unknown key `rulez` (did you mean `rules`?)"),
        (
            "rules:\n  latest-image-tg: off\n",
            "unknown rule `latest-image-tg` (did you mean `latest-image-tag`?)",
        ),
        (
            "rules:\n  latest-image-tag: {minimum: 3}\n",
            "rule `latest-image-tag` has no parameter `minimum`",
        ),
        ("policies: [missing.yaml]\n", "invalid policy"),
        ("exclude: [\"a/[\"]\n", "invalid glob"),
        ("rules: [\n", "invalid YAML"),
    ] {
        write(&dir, ".kubeward.yaml", config);
        let out = kubeward(&["pod.yaml"], &dir);
        assert_eq!(out.status.code(), Some(2), "{config}");
        assert!(
            stderr(&out).contains(expected),
            "{config}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn custom_policies_point_at_the_exact_span() {
    let dir = tempdir("policies");
    for name in [
        "require-team-label",
        "tensorstack-docker-secret",
        "run-as-non-root",
    ] {
        write(
            &dir,
            &format!("policies/{name}.yaml"),
            &repo_file(&format!("examples/policies/{name}.yaml")),
        );
    }
    write(
        &dir,
        ".kubeward.yaml",
        "policies:\n  - policies/require-team-label.yaml\n  - policies/tensorstack-docker-secret.yaml\n  - policies/run-as-non-root.yaml\nrules:\n  latest-image-tag: off\n  missing-readiness-probe: off\n  missing-liveness-probe: off\n  missing-requests: off\n  missing-limits: off\n  qos-class: off\n  schema-violation: off\n",
    );
    write(
        &dir,
        "app.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels:\n    app: web\nspec:\n  template:\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27.2\n          securityContext:\n            runAsNonRoot: false\n        - name: ok\n          image: nginx:1.27.2\n          securityContext: {runAsNonRoot: true}\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: regcred\n  labels:\n    tensorstack.dev/resource: docker\ntype: Opaque\ndata:\n  username: Y2k=\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: other\ndata:\n  username: Y2k=\n",
    );
    let out = kubeward(&["--format", "compact", "app.yaml"], &dir);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    // Missing `team`: points at the parent mapping's key, `labels`.
    assert!(
        lines[0].starts_with("app.yaml:5:3: warning[require-team-label]"),
        "{text}"
    );
    assert!(
        lines[0].contains("`metadata.labels.team` is required"),
        "{text}"
    );
    // A wrong value: points at the value.
    assert!(
        lines[1].starts_with("app.yaml:14:27: warning[run-as-non-root]"),
        "{text}"
    );
    assert!(
        lines[1].contains("`securityContext.runAsNonRoot` must be `true`"),
        "{text}"
    );
    // The TensorStack convention: the labelled Secret without .dockerconfigjson, at `kind`.
    assert!(
        lines[2].starts_with("app.yaml:20:1: error[tensorstack-docker-secret]"),
        "{text}"
    );
    let rules = stdout(&kubeward(&["rules"], &dir));
    assert!(rules.contains("[policy "), "{rules}");

    // SARIF documents the custom policies too: every result's ruleIndex names its rule.
    let out = kubeward(&["--format", "sarif", "app.yaml"], &dir);
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    for result in results {
        let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
    }
    let custom = rules
        .iter()
        .find(|r| r["id"] == "tensorstack-docker-secret")
        .expect("the custom policy is listed");
    assert!(custom.get("helpUri").is_none(), "{custom}");
    assert!(
        custom["shortDescription"]["text"]
            .as_str()
            .unwrap()
            .contains("docker"),
        "{custom}"
    );
    let builtin = rules
        .iter()
        .find(|r| r["id"] == "latest-image-tag")
        .unwrap();
    assert!(
        builtin["helpUri"]
            .as_str()
            .unwrap()
            .ends_with("rules/latest-image-tag.yaml")
    );
}

#[test]
fn a_baseline_hides_known_findings_and_survives_inserted_lines() {
    let dir = tempdir("baseline");
    write(&dir, "pod.yaml", POD);
    let out = kubeward(&["--write-baseline", "baseline.json", "."], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let baseline: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("baseline.json")).unwrap()).unwrap();
    assert_eq!(baseline["version"], 2);
    assert_eq!(baseline["findings"][0]["rule"], "latest-image-tag");
    // Lines inserted above the finding: still hidden.
    write(
        &dir,
        "pod.yaml",
        &format!("# owned by team web\n# more notes\n{POD}"),
    );
    let out = kubeward(
        &["--baseline", "baseline.json", "--format", "json", "."],
        &dir,
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        report["findings"].as_array().unwrap().len(),
        0,
        "{}",
        stdout(&out)
    );
    assert_eq!(
        report["summary"]["baseline"],
        serde_json::json!({"hidden": 1, "fixed": 0})
    );
    // A new finding is reported; the old one, fixed, is counted.
    write(
        &dir,
        "pod.yaml",
        &POD.replace("image: nginx", "image: nginx:1.27.2"),
    );
    write(
        &dir,
        "new.yaml",
        &POD.replace("name: web\nspec", "name: new\nspec"),
    );
    let out = kubeward(
        &["--baseline", "baseline.json", "--format", "compact", "."],
        &dir,
    );
    assert_eq!(rules_fired(&out), ["latest-image-tag"], "{}", stdout(&out));
    assert!(stdout(&out).starts_with("new.yaml"), "{}", stdout(&out));
    let human = stdout(&kubeward(&["--baseline", "baseline.json", "."], &dir));
    assert!(
        human.contains("baseline: 0 hidden, 1 fixed since"),
        "{human}"
    );
    // A broken baseline stops the run.
    write(&dir, "bad.json", "{\"version\": 7, \"findings\": []}");
    let out = kubeward(&["--baseline", "bad.json", "."], &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("version 7 is not supported"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn config_schema_is_valid_json_schema() {
    let dir = tempdir("schema");
    let out = kubeward(&["config-schema"], &dir);
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(schema["type"], "object");
    assert!(schema["properties"]["rules"].is_object());
}
