//! The command line as users run it: exit codes, formats, stdin, discovery, determinism, and
//! bad input of every kind.

// Test code: helpers outside `#[test]` functions may unwrap, index and slice too (clippy.toml's
// allow-*-in-tests covers only `#[test]` functions and `#[cfg(test)]` modules).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use std::io::Write;
use std::path::Path;
use std::process::Stdio;

use common::{BROKEN, LATEST_POD, PINNED_POD, command, json, kubeward, stdout, tempdir};

#[test]
fn exit_codes_follow_fail_on() {
    let dir = tempdir("exit");
    std::fs::write(dir.join("pod.yaml"), LATEST_POD).unwrap();
    // A warning only: exit 0 at the default --fail-on error, 1 at --fail-on warning.
    assert_eq!(kubeward(&["pod.yaml"], &dir).status.code(), Some(0));
    assert_eq!(
        kubeward(&["--fail-on", "warning", "pod.yaml"], &dir)
            .status
            .code(),
        Some(1)
    );
    std::fs::write(dir.join("broken.yaml"), BROKEN).unwrap();
    assert_eq!(kubeward(&["."], &dir).status.code(), Some(1));
    assert_eq!(
        kubeward(&["--fail-on", "never", "."], &dir).status.code(),
        Some(0)
    );
    let missing = kubeward(&["no-such-dir"], &dir);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no-such-dir"));
    assert_eq!(
        kubeward(&["--format", "yaml", "."], &dir).status.code(),
        Some(2)
    );
}

#[test]
fn no_path_means_the_current_directory() {
    let dir = tempdir("cwd");
    std::fs::write(dir.join("pod.yaml"), LATEST_POD).unwrap();
    let out = kubeward(&["--format", "compact"], &dir);
    assert_eq!(
        stdout(&out),
        "pod.yaml:8:14: warning[latest-image-tag] image `nginx` has no tag, so it means `:latest`: which image runs depends on when each node pulled it\n"
    );
}

#[test]
fn json_report_follows_the_documented_contract() {
    let dir = tempdir("json");
    std::fs::write(dir.join("pod.yaml"), LATEST_POD).unwrap();
    std::fs::write(dir.join("broken.yaml"), BROKEN).unwrap();
    let report = json(&kubeward(&["--format", "json", "."], &dir));
    assert_eq!(report["version"], 1);
    assert_eq!(
        report["summary"],
        serde_json::json!({"files": 2, "objects": 1, "errors": 1, "warnings": 1, "infos": 0})
    );
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2);
    let parse = &findings[0];
    assert_eq!(parse["rule"], "parse-error");
    assert_eq!(parse["path"], "broken.yaml");
    assert_eq!(parse["object"], serde_json::Value::Null);
    let latest = &findings[1];
    assert_eq!(latest["rule"], "latest-image-tag");
    assert_eq!(latest["severity"], "warning");
    assert_eq!(
        (
            &latest["line"],
            &latest["column"],
            &latest["end_line"],
            &latest["end_column"]
        ),
        (
            &serde_json::json!(8),
            &serde_json::json!(14),
            &serde_json::json!(8),
            &serde_json::json!(19)
        )
    );
    assert_eq!(
        latest["object"],
        serde_json::json!({"apiVersion": "v1", "kind": "Pod", "name": "web", "namespace": "default"})
    );
    assert!(latest["help"].as_str().unwrap().contains("pin"));
    assert_eq!(latest["fingerprint"].as_str().unwrap().len(), 16);
}

#[test]
fn fingerprints_ignore_line_numbers() {
    let dir = tempdir("fingerprint");
    std::fs::write(dir.join("pod.yaml"), LATEST_POD).unwrap();
    let before = json(&kubeward(&["--format", "json", "pod.yaml"], &dir));
    std::fs::write(
        dir.join("pod.yaml"),
        format!("# a new comment\n\n{LATEST_POD}"),
    )
    .unwrap();
    let after = json(&kubeward(&["--format", "json", "pod.yaml"], &dir));
    assert_ne!(before["findings"][0]["line"], after["findings"][0]["line"]);
    assert_eq!(
        before["findings"][0]["fingerprint"],
        after["findings"][0]["fingerprint"]
    );
}

#[test]
fn stdin_is_read_with_a_dash() {
    let mut child = command(Path::new("."))
        .args(["--format", "compact", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(LATEST_POD.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        stdout(&out).starts_with("<stdin>:8:14: warning[latest-image-tag]"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn walks_skip_hidden_and_gitignored_paths_but_explicit_files_are_linted() {
    let dir = tempdir("walk");
    for sub in [".hidden", "ignored", "kept", "nested/deeper"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    std::fs::write(dir.join(".gitignore"), "ignored/\n").unwrap();
    for path in [
        "kept/pod.yaml",
        "nested/deeper/pod.yml",
        ".hidden/pod.yaml",
        "ignored/pod.yaml",
        "kept/notes.txt",
    ] {
        std::fs::write(dir.join(path), LATEST_POD).unwrap();
    }
    let out = stdout(&kubeward(&["--format", "compact", "."], &dir));
    let paths: Vec<&str> = out.lines().map(|l| l.split(':').next().unwrap()).collect();
    assert_eq!(paths, ["kept/pod.yaml", "nested/deeper/pod.yml"]);
    // Pre-commit passes file names: an explicitly named file is linted even when ignored.
    let out = stdout(&kubeward(
        &["--format", "compact", "ignored/pod.yaml", "kept/notes.txt"],
        &dir,
    ));
    assert_eq!(out.lines().count(), 2, "{out}");
}

#[test]
fn output_is_identical_for_any_thread_count() {
    let dir = tempdir("threads");
    for i in 0..40 {
        let body = if i % 3 == 0 {
            BROKEN
        } else if i % 2 == 0 {
            LATEST_POD
        } else {
            PINNED_POD
        };
        std::fs::write(dir.join(format!("f{i:02}.yaml")), body).unwrap();
    }
    let one = kubeward(&["-j", "1", "--format", "json", "."], &dir);
    let four = kubeward(&["-j", "4", "--format", "json", "."], &dir);
    assert!(!one.stdout.is_empty());
    assert_eq!(one.stdout, four.stdout);
    let human_one = kubeward(&["-j", "1", "."], &dir);
    let human_four = kubeward(&["-j", "4", "."], &dir);
    assert_eq!(human_one.stdout, human_four.stdout);
}

#[test]
fn human_report_has_snippet_label_help_rule_and_summary_without_colour() {
    let dir = tempdir("human");
    std::fs::write(dir.join("pod.yaml"), LATEST_POD).unwrap();
    let out = stdout(&kubeward(&["pod.yaml"], &dir));
    assert!(out.contains("latest-image-tag"), "{out}");
    assert!(out.contains("      image: nginx"), "{out}");
    assert!(out.contains("mutable tag"), "{out}");
    assert!(out.contains("help: pin a version tag"), "{out}");
    assert!(
        !out.contains('\u{1b}'),
        "NO_COLOR output has escape codes: {out}"
    );
    assert!(
        out.trim_end()
            .ends_with("0 errors, 1 warning, 0 infos in 1 file, 1 object"),
        "{out}"
    );
}

#[test]
fn rules_and_explain_read_the_catalogue() {
    let dir = tempdir("rules");
    let rules = stdout(&kubeward(&["rules"], &dir));
    for id in [
        "duplicate-key",
        "io-error",
        "latest-image-tag",
        "parse-error",
        "template-skipped",
    ] {
        assert!(
            rules.lines().any(|l| l.starts_with(id)),
            "{id} missing from:\n{rules}"
        );
    }
    let explain = kubeward(&["explain", "latest-image-tag"], &dir);
    assert_eq!(explain.status.code(), Some(0));
    assert!(stdout(&explain).contains("Why it matters"));
    assert_eq!(
        kubeward(&["explain", "no-such-rule"], &dir).status.code(),
        Some(2)
    );
}

/// Every kind of bad input a new user might feed: each gives a clear finding or nothing, never a
/// panic, and the good file beside them is still linted.
#[test]
fn bad_inputs_never_stop_the_run() {
    let dir = tempdir("bad");
    std::fs::write(dir.join("good.yaml"), LATEST_POD).unwrap();
    std::fs::write(dir.join("empty.yaml"), "").unwrap();
    std::fs::write(dir.join("comments.yaml"), "# nothing here\n# at all\n").unwrap();
    std::fs::write(
        dir.join("binary.yaml"),
        b"\x7fELF\x02\x01\x01\x00\x00apiVersion kind",
    )
    .unwrap();
    std::fs::write(
        dir.join("latin1.yaml"),
        b"apiVersion: v1\nkind: ConfigMap\ndata:\n  a: M\xfcnchen\n",
    )
    .unwrap();
    let deep = format!(
        "apiVersion: v1\nkind: ConfigMap\ndata: {}{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    std::fs::write(dir.join("deep.yaml"), deep).unwrap();
    let mut bomb =
        String::from("apiVersion: v1\nkind: ConfigMap\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        bomb.push_str(&format!(
            "a{i}: &a{i} [{}]\n",
            vec![format!("*a{}", i - 1); 10].join(", ")
        ));
    }
    std::fs::write(dir.join("bomb.yaml"), bomb).unwrap();
    std::fs::create_dir_all(dir.join("loop")).unwrap();
    std::os::unix::fs::symlink("..", dir.join("loop/parent")).unwrap();
    std::os::unix::fs::symlink("missing-target.yaml", dir.join("dangling.yaml")).unwrap();
    let locked = dir.join("locked.yaml");
    std::fs::write(&locked, LATEST_POD).unwrap();
    std::fs::set_permissions(&locked, std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
    // Root reads files whatever their mode; then only the dangling link is unreadable.
    let locked_is_unreadable = std::fs::read(&locked).is_err();

    let out = kubeward(&["--format", "json", "."], &dir);
    assert_eq!(
        out.status.code(),
        Some(1),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json(&out);
    let findings: Vec<(String, String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["rule"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let rule_for = |path: &str| -> Vec<&str> {
        findings
            .iter()
            .filter(|f| f.0 == path)
            .map(|f| f.1.as_str())
            .collect()
    };
    assert_eq!(rule_for("good.yaml"), ["latest-image-tag"]);
    assert_eq!(rule_for("empty.yaml"), Vec::<&str>::new());
    assert_eq!(rule_for("comments.yaml"), Vec::<&str>::new());
    assert_eq!(rule_for("binary.yaml"), ["parse-error"]);
    assert_eq!(rule_for("latin1.yaml"), ["parse-error"]);
    assert_eq!(rule_for("deep.yaml"), ["parse-error"]);
    assert_eq!(rule_for("bomb.yaml"), ["parse-error"]);
    // Walks skip symlinks (issue 14): the dangling link is not read.
    assert_eq!(rule_for("dangling.yaml"), Vec::<&str>::new());
    if locked_is_unreadable {
        assert_eq!(rule_for("locked.yaml"), ["io-error"]);
    } else {
        assert_eq!(rule_for("locked.yaml"), ["latest-image-tag"]);
    }
    let message = |path: &str| findings.iter().find(|f| f.0 == path).unwrap().2.clone();
    assert!(message("binary.yaml").contains("binary"));
    assert!(message("latin1.yaml").contains("UTF-8"));
    assert!(message("deep.yaml").contains("nests"));
    assert!(message("bomb.yaml").contains("alias bomb"));
    // The symlink loop is not followed: nothing under loop/ is reported twice or at all.
    assert!(findings.iter().all(|f| !f.0.contains("loop")));
    // The summary counts files without objects too.
    assert_eq!(
        report["summary"]["objects"].as_u64(),
        Some(if locked_is_unreadable { 1 } else { 2 })
    );
}

#[test]
fn a_50_megabyte_file_is_linted() {
    let dir = tempdir("large");
    let doc = "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  key: value-value-value-value\n";
    let big = doc.repeat(50 * 1024 * 1024 / doc.len() + 1);
    let mut tail = String::from(&big);
    tail.push_str("---\napiVersion: v1\nkind: Pod\nmetadata: {name: last}\nspec:\n  restartPolicy: Never\n  containers: [{name: a, image: nginx, resources: {limits: {cpu: 1, memory: 1Gi}}}]\n");
    std::fs::write(dir.join("big.yaml"), &tail).unwrap();
    let out = kubeward(&["--format", "json", "big.yaml"], &dir);
    let report = json(&out);
    let rules: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    // The repeated ConfigMap is one duplicate-object finding, however many times it repeats.
    assert_eq!(rules, ["duplicate-object", "latest-image-tag"]);
    assert!(report["summary"]["objects"].as_u64().unwrap() > 500_000);
}

#[test]
fn crlf_files_report_the_same_positions() {
    let dir = tempdir("crlf");
    std::fs::write(dir.join("pod.yaml"), LATEST_POD.replace('\n', "\r\n")).unwrap();
    let out = stdout(&kubeward(&["--format", "compact", "pod.yaml"], &dir));
    assert!(
        out.starts_with("pod.yaml:8:14: warning[latest-image-tag]"),
        "{out}"
    );
}

#[test]
fn a_list_of_objects_is_linted_item_by_item() {
    let dir = tempdir("list");
    std::fs::write(
        dir.join("list.json"),
        r#"{"apiVersion": "v1", "kind": "List", "items": [
  {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"},
   "spec": {"containers": [{"name": "a", "image": "nginx:latest", "resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}]}}
]}"#,
    )
    .unwrap();
    let report = json(&kubeward(&["--format", "json", "list.json"], &dir));
    assert_eq!(report["summary"]["objects"], 1);
    assert_eq!(report["findings"][0]["line"], 3);
    assert_eq!(report["findings"][0]["object"]["name"], "a");
}

/// `--kube-version` reaches the resource rules: pod-level resources (`spec.resources`) are
/// dropped by an API server before 1.34 (the `PodLevelResources` gate is alpha, off), so the
/// container without resources is BestEffort there, and covered by the pod's resources from
/// 1.34 on.
#[test]
fn kube_version_decides_whether_pod_level_resources_count() {
    let dir = tempdir("kube-version");
    std::fs::write(
        dir.join("pod.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  restartPolicy: Never\n  resources:\n    requests: {cpu: 100m, memory: 64Mi}\n    limits: {cpu: 100m, memory: 64Mi}\n  containers:\n    - name: web\n      image: nginx:1.27\n",
    )
    .unwrap();
    let rules = |version: &str| -> Vec<String> {
        let out = kubeward(&["--kube-version", version, "--format", "json", "."], &dir);
        json(&out)["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["rule"].as_str().unwrap().to_string())
            .collect()
    };
    // Before 1.34 the containers have no requests: missing-requests and missing-limits say so
    // (qos-class at its default setting does not repeat them).
    assert_eq!(rules("1.33"), ["missing-limits", "missing-requests"]);
    assert!(rules("1.34").is_empty());
    assert!(rules("1.37").is_empty());
}

#[test]
fn output_file_writes_other_formats_in_the_same_run() {
    let dir = tempdir("output-file");
    std::fs::write(dir.join("pod.yaml"), LATEST_POD).unwrap();
    std::fs::write(dir.join("broken.yaml"), BROKEN).unwrap();
    std::fs::create_dir(dir.join("out")).unwrap();
    // An existing report is replaced.
    std::fs::write(dir.join("out/k.json"), "stale").unwrap();
    let files = ["pod.yaml", "broken.yaml"];
    let alone = |format: &str| {
        let mut args = vec!["--format", format];
        args.extend(files);
        stdout(&kubeward(&args, &dir))
    };
    let mut args = vec![
        "--format",
        "compact",
        "--output-file",
        "sarif=out/k.sarif",
        "--output-file",
        "JSON=out/k.json",
    ];
    args.extend(files);
    let run = kubeward(&args, &dir);
    assert_eq!(run.status.code(), Some(1), "the exit code is the run's");
    assert_eq!(
        stdout(&run),
        alone("compact"),
        "--format still goes to stdout"
    );
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    assert_eq!(read("out/k.sarif"), alone("sarif"));
    assert_eq!(read("out/k.json"), alone("json"));
    // No temporary file is left beside the reports.
    let mut names: Vec<_> = std::fs::read_dir(dir.join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["k.json", "k.sarif"]);

    // The github format as a file writes the job summary too, once.
    let summary = dir.join("summary.md");
    let run = command(&dir)
        .args([
            "--format",
            "json",
            "--output-file",
            "github=out/annotations.txt",
        ])
        .args(files)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    assert_eq!(read("out/annotations.txt"), alone("github"));
    let summary = std::fs::read_to_string(&summary).unwrap();
    assert_eq!(summary.matches("## kubeward").count(), 1, "{summary}");
}

#[test]
fn output_file_never_overwrites_a_read_file_or_follows_a_symlink() {
    let dir = tempdir("output-file-refused");
    std::fs::write(dir.join("pod.yaml"), LATEST_POD).unwrap();
    std::fs::write(dir.join("context.yaml"), PINNED_POD).unwrap();
    let refused = |args: &[&str], what: &str| {
        let run = kubeward(args, &dir);
        let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
        assert_eq!(run.status.code(), Some(2), "{what}: {stderr}");
        assert!(stderr.contains("refusing to write"), "{what}: {stderr}");
        assert_eq!(
            std::fs::read_to_string(dir.join("pod.yaml")).unwrap(),
            LATEST_POD,
            "{what}"
        );
        assert_eq!(
            std::fs::read_to_string(dir.join("context.yaml")).unwrap(),
            PINNED_POD,
            "{what}"
        );
        // Nothing was written when one target was refused.
        assert!(!dir.join("first.sarif").exists(), "{what}");
    };
    refused(
        &[
            "--output-file",
            "sarif=first.sarif",
            "--output-file",
            "json=pod.yaml",
            "pod.yaml",
        ],
        "a linted file",
    );
    refused(
        &["--output-file", "sarif=./pod.yaml", "pod.yaml"],
        "a linted file by another spelling",
    );
    refused(
        &[
            "--output-file",
            "sarif=first.sarif",
            "--context",
            ".",
            "--output-file",
            "json=context.yaml",
            "pod.yaml",
        ],
        "a context file",
    );
    refused(
        &[
            "--output-file",
            "sarif=first.sarif",
            "--output-file",
            "json=.",
            "pod.yaml",
        ],
        "a directory",
    );
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("pod.yaml", dir.join("link.json")).unwrap();
        refused(
            &["--output-file", "json=link.json", "pod.yaml"],
            "a symlink to a linted file",
        );
        std::fs::write(dir.join("notes.txt"), "notes").unwrap();
        std::os::unix::fs::symlink("notes.txt", dir.join("notes.json")).unwrap();
        refused(
            &["--output-file", "json=notes.json", "pod.yaml"],
            "a symlink to any file",
        );
        assert_eq!(
            std::fs::read_to_string(dir.join("notes.txt")).unwrap(),
            "notes"
        );
    }
    // The files the run reads for itself: the config, a policy, the baseline.
    let own = tempdir("output-file-own-files");
    std::fs::create_dir_all(own.join(".git")).unwrap();
    std::fs::create_dir_all(own.join("pol")).unwrap();
    std::fs::write(own.join("pod.yaml"), LATEST_POD).unwrap();
    let config = "policies: [pol/p.yaml]\n";
    let policy =
        std::fs::read_to_string(common::repo_path("examples/policies/run-as-non-root.yaml"))
            .unwrap();
    std::fs::write(own.join(".kubeward.yaml"), config).unwrap();
    std::fs::write(own.join("pol/p.yaml"), &policy).unwrap();
    let run = kubeward(&["--write-baseline", "bl.json", "pod.yaml"], &own);
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let baseline = std::fs::read_to_string(own.join("bl.json")).unwrap();
    for (target, what) in [
        ("json=.kubeward.yaml", "the config"),
        ("json=pol/p.yaml", "a policy"),
        ("sarif=bl.json", "the baseline"),
    ] {
        let run = kubeward(
            &["--baseline", "bl.json", "--output-file", target, "pod.yaml"],
            &own,
        );
        let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
        assert_eq!(run.status.code(), Some(2), "{what}: {stderr}");
        assert!(
            stderr.contains("refusing to write")
                && stderr.contains("the config, a policy or the baseline"),
            "{what}: {stderr}"
        );
        assert_eq!(
            std::fs::read_to_string(own.join(".kubeward.yaml")).unwrap(),
            config
        );
        assert_eq!(
            std::fs::read_to_string(own.join("pol/p.yaml")).unwrap(),
            policy
        );
        assert_eq!(
            std::fs::read_to_string(own.join("bl.json")).unwrap(),
            baseline
        );
    }
    for bad in ["sarif", "xml=k.xml", "json="] {
        let run = kubeward(&["--output-file", bad, "pod.yaml"], &dir);
        assert_eq!(run.status.code(), Some(2), "{bad}");
        assert!(
            String::from_utf8_lossy(&run.stderr).contains("--output-file"),
            "{bad}"
        );
    }
}
