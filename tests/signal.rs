//! Signal over noise and the command-line conventions (issue 16): one cause one finding for
//! QoS, the grouped human report and its per-rule table, `--statistics`, `--quiet`,
//! `--color`, rule selection (`--select`, `--ignore`, `--extend-select`), `rules --format
//! json`, `explain`, did-you-mean for subcommands, completions, `config-schema`,
//! `--stdin-filename`, closed pipes, and JUnit against `--fail-on`.

// Test code: helpers outside `#[test]` functions may unwrap and index too.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn command(args: &[&str], cwd: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kubeward"));
    command
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .env_remove("GITHUB_ACTIONS");
    command
}

fn kubeward(args: &[&str], cwd: &Path) -> Output {
    command(args, cwd).output().expect("run kubeward")
}

fn with_stdin(args: &[&str], cwd: &Path, input: &str) -> Output {
    let mut child = command(args, cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("invalid JSON ({e}): {}", stdout(output)))
}

fn tempdir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("signal-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn rules_of(report: &serde_json::Value) -> Vec<String> {
    let mut rules: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect();
    rules.sort();
    rules
}

/// The bare 7-line Pod of the issue: no resources, no probes, a floating tag.
const BARE_POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: bare\nspec:\n  containers:\n    - {name: app, image: nginx}\n";
/// A Deployment with a pinned image, probes and no resources.
const NO_RESOURCES: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27.2\n          livenessProbe: {tcpSocket: {port: 80}}\n          readinessProbe: {httpGet: {path: /, port: 80}}\n";
const BROKEN: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n data: {}\n";

#[test]
fn qos_class_does_not_repeat_missing_requests_at_the_default() {
    let dir = tempdir("qos");
    std::fs::write(dir.join("web.yaml"), NO_RESOURCES).unwrap();
    let rules = rules_of(&json(&kubeward(&["--format", "json", "web.yaml"], &dir)));
    assert_eq!(
        rules,
        ["missing-limits", "missing-requests"],
        "one cause, two findings at most"
    );
    // A minimum configured: every pod below it, BestEffort included.
    for minimum in ["Burstable", "Guaranteed"] {
        std::fs::write(
            dir.join(".kubeward.yaml"),
            format!("rules:\n  qos-class: {{minimum: {minimum}}}\n"),
        )
        .unwrap();
        let report = json(&kubeward(&["--format", "json", "web.yaml"], &dir));
        let qos: Vec<&serde_json::Value> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "qos-class")
            .collect();
        assert_eq!(qos.len(), 1, "{minimum}: {report}");
        assert!(
            qos[0]["message"].as_str().unwrap().contains("BestEffort"),
            "{minimum}: {report}"
        );
    }
    let explain = stdout(&kubeward(&["explain", "qos-class"], &dir));
    assert!(explain.contains("One cause, one finding"), "{explain}");
    assert!(explain.contains("missing-requests"), "{explain}");
}

#[test]
fn human_output_groups_by_file_and_object_and_ends_with_the_rule_table() {
    let dir = tempdir("grouped");
    std::fs::write(dir.join("a.yaml"), format!("{BARE_POD}---\n{NO_RESOURCES}")).unwrap();
    std::fs::write(dir.join("b.yaml"), BARE_POD).unwrap();
    let out = kubeward(&["a.yaml", "b.yaml"], &dir);
    let text = stdout(&out);
    // One header per file, one per object, in that order.
    assert_eq!(text.matches("── a.yaml ──").count(), 1, "{text}");
    assert_eq!(text.matches("── b.yaml ──").count(), 1, "{text}");
    assert_eq!(text.matches("▸ Pod default/bare").count(), 2, "{text}");
    assert_eq!(
        text.matches("▸ Deployment default/web").count(),
        1,
        "{text}"
    );
    let a = text.find("── a.yaml ──").unwrap();
    let web = text.find("▸ Deployment default/web").unwrap();
    let b = text.find("── b.yaml ──").unwrap();
    assert!(a < web && web < b, "{text}");
    // The findings of one object follow its header as one block: no other header between
    // the Pod's header and its last finding in a.yaml.
    let pod_block = text.get(a..web).unwrap();
    assert_eq!(
        pod_block.matches("missing-liveness-probe").count(),
        1,
        "{pod_block}"
    );
    // The per-rule table, the hint, and the closing line, last and worded as before.
    assert!(text.contains("Findings per rule:"), "{text}");
    assert!(text.contains("hint: `"), "{text}");
    assert!(text.contains("--ignore "), "{text}");
    // Warnings do not fail the run at the default --fail-on: no advice to raise it ...
    assert!(!text.contains("without failing the run"), "{text}");
    // ... they do at --fail-on warning.
    let strict = stdout(&kubeward(
        &["--fail-on", "warning", "a.yaml", "b.yaml"],
        &dir,
    ));
    assert!(
        strict.contains("without failing the run with `--fail-on error`"),
        "{strict}"
    );
    let last = text.lines().last().unwrap();
    assert!(
        last.starts_with("0 errors, ") && last.ends_with("in 2 files, 3 objects"),
        "{last}"
    );
    // One rule only: no table.
    let one = stdout(&kubeward(&["--select", "latest-image-tag", "b.yaml"], &dir));
    assert!(!one.contains("Findings per rule:"), "{one}");
    assert!(
        one.lines()
            .last()
            .unwrap()
            .starts_with("0 errors, 1 warning"),
        "{one}"
    );
}

#[test]
fn statistics_prints_one_line_per_rule_and_quiet_prints_only_findings() {
    let dir = tempdir("statistics");
    std::fs::write(dir.join("pod.yaml"), BARE_POD).unwrap();
    let out = kubeward(&["--statistics", "pod.yaml"], &dir);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    let report = json(&kubeward(&["--format", "json", "pod.yaml"], &dir));
    let mut rules = rules_of(&report);
    rules.dedup();
    assert_eq!(lines.len(), rules.len(), "{text}");
    for line in &lines {
        let fields: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(fields.len(), 3, "{line}");
        assert!(fields[0].parse::<usize>().is_ok(), "{line}");
        assert!(rules.iter().any(|r| r == fields[1]), "{line}");
    }
    assert!(!text.contains("errors,"), "{text}");
    let quiet = stdout(&kubeward(&["--quiet", "pod.yaml"], &dir));
    assert!(quiet.contains("missing-requests"), "{quiet}");
    assert!(!quiet.contains("Findings per rule:"), "{quiet}");
    assert!(!quiet.contains("warnings, "), "{quiet}");
    // The exit status does not depend on what is printed.
    std::fs::write(dir.join("broken.yaml"), BROKEN).unwrap();
    assert_eq!(kubeward(&["-q", "."], &dir).status.code(), Some(1));
    assert_eq!(
        kubeward(&["--statistics", "."], &dir).status.code(),
        Some(1)
    );
}

#[test]
fn color_auto_always_never() {
    let dir = tempdir("color");
    std::fs::write(dir.join("pod.yaml"), BARE_POD).unwrap();
    // NO_COLOR=1 is set by `command`; stdout is a pipe.
    let auto = kubeward(&["pod.yaml"], &dir);
    assert!(!auto.stdout.contains(&0x1b), "auto on a pipe: no colour");
    let always = kubeward(&["--color", "always", "pod.yaml"], &dir);
    assert!(always.stdout.contains(&0x1b), "always wins over NO_COLOR");
    let never = command(&["--color", "never", "pod.yaml"], &dir)
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    assert!(!never.stdout.contains(&0x1b));
    let bad = kubeward(&["--color", "sometimes", "pod.yaml"], &dir);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn the_width_comes_from_columns_when_set() {
    let dir = tempdir("width");
    std::fs::write(dir.join("pod.yaml"), BARE_POD).unwrap();
    let widest = |columns: &str| {
        let out = command(&["--select", "missing-liveness-probe", "pod.yaml"], &dir)
            .env("COLUMNS", columns)
            .output()
            .unwrap();
        stdout(&out)
            .lines()
            .filter(|l| !l.starts_with("hint:") && !l.contains(" errors, "))
            .map(|l| l.chars().count())
            .max()
            .unwrap()
    };
    assert!(widest("60") <= 60, "{}", widest("60"));
    assert!(widest("200") > 100, "{}", widest("200"));
}

#[test]
fn select_ignore_and_extend_select_compose_with_the_config_and_fail_on() {
    let dir = tempdir("select");
    std::fs::write(dir.join("pod.yaml"), BARE_POD).unwrap();
    std::fs::write(dir.join("broken.yaml"), BROKEN).unwrap();
    let run = |args: &[&str]| {
        let mut all = vec!["--format", "json"];
        all.extend_from_slice(args);
        all.push(".");
        let out = kubeward(&all, &dir);
        let mut rules = rules_of(&json(&out));
        rules.dedup();
        (rules, out.status.code())
    };
    // --select runs only the named rules; parse-error is still reported.
    let (rules, code) = run(&["--select", "latest-image-tag"]);
    assert_eq!(rules, ["latest-image-tag", "parse-error"]);
    assert_eq!(code, Some(1), "parse-error fails the run");
    // ... unless ignored.
    let (rules, code) = run(&["--select", "latest-image-tag", "--ignore", "parse-error"]);
    assert_eq!(rules, ["latest-image-tag"]);
    assert_eq!(code, Some(0));
    // With --fail-on: a selected warning fails at --fail-on warning.
    let (_, code) = run(&[
        "--select",
        "latest-image-tag",
        "--ignore",
        "parse-error",
        "--fail-on",
        "warning",
    ]);
    assert_eq!(code, Some(1));
    // Comma lists and repeated flags.
    let (rules, _) = run(&[
        "--ignore",
        "parse-error,missing-limits",
        "--ignore",
        "missing-requests",
    ]);
    assert!(
        !rules
            .iter()
            .any(|r| r == "missing-limits" || r == "missing-requests" || r == "parse-error"),
        "{rules:?}"
    );
    assert!(rules.iter().any(|r| r == "latest-image-tag"), "{rules:?}");
    // The config switches a rule off; --extend-select switches it back on, --select too.
    std::fs::write(
        dir.join(".kubeward.yaml"),
        "rules:\n  latest-image-tag: off\n",
    )
    .unwrap();
    let (rules, _) = run(&[]);
    assert!(!rules.iter().any(|r| r == "latest-image-tag"), "{rules:?}");
    let (rules, _) = run(&["--extend-select", "latest-image-tag"]);
    assert!(rules.iter().any(|r| r == "latest-image-tag"), "{rules:?}");
    assert!(
        rules.iter().any(|r| r == "missing-requests"),
        "extend keeps the rest: {rules:?}"
    );
    let (rules, _) = run(&["--select", "latest-image-tag"]);
    assert_eq!(rules, ["latest-image-tag", "parse-error"]);
    // The config's severity still applies to a selected rule.
    std::fs::write(
        dir.join(".kubeward.yaml"),
        "rules:\n  latest-image-tag: error\n",
    )
    .unwrap();
    let out = kubeward(
        &[
            "--format",
            "json",
            "--select",
            "latest-image-tag",
            "pod.yaml",
        ],
        &dir,
    );
    assert_eq!(json(&out)["findings"][0]["severity"], "error");
    assert_eq!(out.status.code(), Some(1));
    std::fs::remove_file(dir.join(".kubeward.yaml")).unwrap();
    // Unknown ids: did-you-mean and exit 2.
    for flag in ["--select", "--ignore", "--extend-select"] {
        let out = kubeward(&[flag, "latest-tag", "."], &dir);
        assert_eq!(out.status.code(), Some(2), "{flag}");
        assert!(
            stderr(&out).contains("did you mean `latest-image-tag`"),
            "{flag}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn a_suppression_of_a_rule_that_did_not_run_is_not_unused() {
    let dir = tempdir("unused");
    let pod = BARE_POD.replace(
        "    - {name: app, image: nginx}",
        "    # kubeward-ignore: latest-image-tag -- testing\n    - {name: app, image: nginx}",
    );
    std::fs::write(dir.join("pod.yaml"), pod).unwrap();
    let rules = |args: &[&str]| {
        let mut all = vec!["--format", "json"];
        all.extend_from_slice(args);
        all.push("pod.yaml");
        rules_of(&json(&kubeward(&all, &dir)))
    };
    // It hides the finding: used.
    assert!(
        !rules(&[])
            .iter()
            .any(|r| r == "latest-image-tag" || r == "unused-suppression")
    );
    // The rule did not run: not unused either.
    for args in [
        &["--ignore", "latest-image-tag"][..],
        &["--select", "missing-requests,unused-suppression"][..],
    ] {
        let found = rules(args);
        assert!(
            !found.iter().any(|r| r == "unused-suppression"),
            "{args:?}: {found:?}"
        );
    }
    std::fs::write(
        dir.join(".kubeward.yaml"),
        "rules:\n  latest-image-tag: off\n",
    )
    .unwrap();
    assert!(!rules(&[]).iter().any(|r| r == "unused-suppression"));
    // A suppression that hides nothing of a rule that ran is still reported.
    std::fs::remove_file(dir.join(".kubeward.yaml")).unwrap();
    std::fs::write(
        dir.join("pod.yaml"),
        BARE_POD.replace(
            "nginx}",
            "nginx:1.27.2}  # kubeward-ignore: latest-image-tag",
        ),
    )
    .unwrap();
    assert!(rules(&[]).iter().any(|r| r == "unused-suppression"));
}

#[test]
fn rules_as_json_and_as_text_show_every_level_and_whether_it_runs() {
    let dir = tempdir("rules");
    std::fs::write(
        dir.join(".kubeward.yaml"),
        "rules:\n  missing-liveness-probe: off\n  latest-image-tag: error\n",
    )
    .unwrap();
    let out = kubeward(&["rules", "--format", "json"], &dir);
    assert_eq!(out.status.code(), Some(0));
    let rules = json(&out);
    let rules = rules.as_array().unwrap();
    let rule = |id: &str| {
        rules
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("{id} missing"))
            .clone()
    };
    for r in rules {
        for key in [
            "id",
            "severity",
            "severities",
            "category",
            "summary",
            "enabled",
        ] {
            assert!(r.get(key).is_some(), "{key} missing in {r}");
        }
    }
    let probe_port = rule("probe-port-not-declared");
    assert_eq!(probe_port["severity"], "error");
    assert_eq!(
        probe_port["severities"],
        serde_json::json!(["warning", "error"])
    );
    assert_eq!(
        rule("ambiguous-scalar")["severities"],
        serde_json::json!(["warning", "error"])
    );
    assert_eq!(
        rule("invalid-probe")["severities"],
        serde_json::json!(["warning", "error"])
    );
    assert_eq!(rule("missing-liveness-probe")["enabled"], false);
    assert_eq!(rule("missing-readiness-probe")["enabled"], true);
    assert_eq!(rule("latest-image-tag")["severity"], "error");
    assert_eq!(
        rule("latest-image-tag")["severities"],
        serde_json::json!(["error"])
    );
    assert_eq!(rule("qos-class")["category"], "resources");
    let text = stdout(&kubeward(&["rules"], &dir));
    let line = |id: &str| {
        text.lines()
            .find(|l| l.split_whitespace().next() == Some(id))
            .unwrap_or_else(|| panic!("{id} missing: {text}"))
            .to_string()
    };
    assert!(line("probe-port-not-declared").contains("error (warning/error)"));
    assert!(line("missing-liveness-probe").contains(" off "));
    assert!(line("missing-readiness-probe").contains(" on "));
}

#[test]
fn explain_knows_custom_policies_suggests_and_says_how_to_switch_off() {
    let dir = tempdir("explain");
    std::fs::write(
        dir.join("team.yaml"),
        "id: team-label\nseverity: warning\nsummary: Workloads carry a team label.\nmatch: {kinds: [Deployment]}\nschema:\n  type: object\n  required: [metadata]\n",
    )
    .unwrap();
    std::fs::write(dir.join(".kubeward.yaml"), "policies: [team.yaml]\n").unwrap();
    let out = kubeward(&["explain", "team-label"], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("team-label (warning"), "{text}");
    assert!(text.contains("rules: {team-label: off}"), "{text}");
    assert!(text.contains("# kubeward-ignore: team-label"), "{text}");
    let out = kubeward(&["explain", "latest-tag"], &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("did you mean `latest-image-tag`?"),
        "{}",
        stderr(&out)
    );
    let builtin = stdout(&kubeward(&["explain", "latest-image-tag"], &dir));
    assert!(builtin.contains("--ignore latest-image-tag"), "{builtin}");
    assert!(builtin.contains("kubeward.io/ignore"), "{builtin}");
}

#[test]
fn a_mistyped_subcommand_gets_did_you_mean_unless_it_is_a_path() {
    let dir = tempdir("subcommand");
    for (typed, meant) in [
        ("rule", "rules"),
        ("explian", "explain"),
        ("inpsect", "inspect"),
    ] {
        let out = kubeward(&[typed, "x"], &dir);
        assert_eq!(out.status.code(), Some(2), "{typed}");
        assert!(
            stderr(&out).contains(&format!("did you mean `{meant}`?")),
            "{typed}: {}",
            stderr(&out)
        );
        assert!(!stderr(&out).contains("cannot read"), "{}", stderr(&out));
    }
    // An existing path of that name is linted.
    std::fs::create_dir_all(dir.join("rule")).unwrap();
    std::fs::write(dir.join("rule/pod.yaml"), BARE_POD).unwrap();
    let out = kubeward(&["--format", "json", "rule"], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!rules_of(&json(&out)).is_empty());
    // A path far from every subcommand keeps the plain error.
    let out = kubeward(&["no-such-dir"], &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot read `no-such-dir`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn completions_for_every_shell() {
    let dir = tempdir("completions");
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = kubeward(&["completions", shell], &dir);
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(text.contains("kubeward"), "{shell}");
        assert!(
            text.contains("select"),
            "{shell}: the new flags are completed"
        );
        assert!(
            text.contains("inspect"),
            "{shell}: subcommands are completed"
        );
    }
    assert_eq!(
        kubeward(&["completions", "tcsh"], &dir).status.code(),
        Some(2)
    );
}

#[test]
fn config_schema_lists_every_builtin_rule_with_its_parameters() {
    let dir = tempdir("schema");
    let schema = json(&kubeward(&["config-schema"], &dir));
    let rules = json(&kubeward(&["rules", "--format", "json"], &dir));
    let properties = &schema["properties"]["rules"]["properties"];
    for rule in rules.as_array().unwrap() {
        let id = rule["id"].as_str().unwrap();
        let property = &properties[id];
        assert!(property.is_object(), "{id} is not a property");
        assert!(property["description"].as_str().unwrap().len() > 10, "{id}");
    }
    let minimum = &properties["qos-class"]["oneOf"][1]["properties"]["minimum"];
    assert_eq!(
        minimum["enum"],
        serde_json::json!(["BestEffort", "Burstable", "Guaranteed"])
    );
    assert!(minimum["description"].is_string());
    assert!(properties["pod-security"]["oneOf"][1]["properties"]["level"].is_object());
    let validator = jsonschema::validator_for(&schema).unwrap();
    for good in [
        serde_json::json!({"rules": {"qos-class": {"minimum": "Guaranteed", "severity": "error"}}}),
        serde_json::json!({"rules": {"my-team-policy": "warning", "other": {"severity": "info"}}}),
        serde_json::json!({"rules": {"latest-image-tag": "off"}}),
    ] {
        assert!(validator.is_valid(&good), "{good}");
    }
    for bad in [
        serde_json::json!({"rules": {"qos-class": {"minimum": "Best"}}}),
        serde_json::json!({"rules": {"qos-class": {"minimun": "Guaranteed"}}}),
        serde_json::json!({"rules": {"latest-image-tag": {"minimum": "Guaranteed"}}}),
        serde_json::json!({"rules": {"my-team-policy": {"level": "x"}}}),
    ] {
        assert!(!validator.is_valid(&bad), "{bad}");
    }
}

#[test]
fn stdin_filename_names_stdin_and_github_never_says_stdin() {
    let dir = tempdir("stdin");
    let json_out = with_stdin(
        &[
            "--format",
            "json",
            "--stdin-filename",
            "deploy/pod.yaml",
            "-",
        ],
        &dir,
        BARE_POD,
    );
    let report = json(&json_out);
    assert!(!report["findings"].as_array().unwrap().is_empty());
    for f in report["findings"].as_array().unwrap() {
        assert_eq!(f["path"], "deploy/pod.yaml");
    }
    let github = stdout(&with_stdin(
        &[
            "--format",
            "github",
            "--stdin-filename",
            "deploy/pod.yaml",
            "-",
        ],
        &dir,
        BARE_POD,
    ));
    // Repository-relative, as every annotation (the test folder is inside the repository).
    assert!(github.contains("deploy/pod.yaml,line=7"), "{github}");
    assert!(
        github.lines().all(|l| l.starts_with("::warning file=")),
        "{github}"
    );
    for format in ["github", "sarif"] {
        let out = stdout(&with_stdin(&["--format", format, "-"], &dir, BARE_POD));
        assert!(!out.contains("file=<stdin>"), "{format}: {out}");
        assert!(!out.contains("<stdin>"), "{format}: {out}");
        assert!(
            out.contains("latest-image-tag"),
            "{format}: the findings are still there"
        );
    }
    let human = stdout(&with_stdin(
        &["--stdin-filename", "chart.yaml", "-"],
        &dir,
        BARE_POD,
    ));
    assert!(human.contains("── chart.yaml ──"), "{human}");
}

/// Runs kubeward with its stdout closed at once: the first write fails with a broken pipe.
fn with_closed_stdout(args: &[&str], cwd: &Path) -> Output {
    let mut child = command(args, cwd)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    child.wait_with_output().unwrap()
}

#[test]
fn a_closed_pipe_keeps_the_exit_status_and_stays_quiet() {
    let dir = tempdir("pipe");
    for i in 0..200 {
        std::fs::write(dir.join(format!("broken-{i:03}.yaml")), BROKEN).unwrap();
        std::fs::write(dir.join(format!("pod-{i:03}.yaml")), BARE_POD).unwrap();
    }
    // Errors: exit 1 even though the reader went away (`set -o pipefail; kubeward . | head`).
    for format in ["human", "compact", "json"] {
        let out = with_closed_stdout(&["--format", format, "."], &dir);
        assert_eq!(out.status.code(), Some(1), "{format}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "{format}");
    }
    // No finding at or above --fail-on: 0.
    let out = with_closed_stdout(&["--fail-on", "never", "."], &dir);
    assert_eq!(out.status.code(), Some(0));
    // inspect stops quietly.
    let pods = tempdir("pipe-inspect");
    for i in 0..200 {
        std::fs::write(pods.join(format!("pod-{i:03}.yaml")), BARE_POD).unwrap();
    }
    let out = with_closed_stdout(&["inspect", "."], &pods);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stderr(&out), "");
}

#[test]
fn junit_fails_only_at_fail_on_with_one_case_per_object() {
    let dir = tempdir("junit");
    // The Pod: latest-image-tag (warning) and more warnings; the broken file: a parse error.
    std::fs::write(
        dir.join("pods.yaml"),
        format!("{BARE_POD}---\n{NO_RESOURCES}"),
    )
    .unwrap();
    std::fs::write(dir.join("broken.yaml"), BROKEN).unwrap();
    let all = json(&kubeward(&["--format", "json", "."], &dir));
    let total = all["findings"].as_array().unwrap().len();
    let parse = |args: &[&str]| {
        let mut all = vec!["--format", "junit"];
        all.extend_from_slice(args);
        all.push(".");
        stdout(&kubeward(&all, &dir))
    };
    for (fail_on, failures) in [("error", 1), ("warning", 3), ("never", 0)] {
        let xml = parse(&["--fail-on", fail_on]);
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let cases: Vec<roxmltree::Node> = doc
            .descendants()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        // Names are repository-relative paths (the test folder is inside the repository).
        let names: Vec<&str> = cases
            .iter()
            .map(|c| {
                let name = c.attribute("name").unwrap();
                name.strip_prefix("target/tmp/signal-junit/")
                    .unwrap_or(name)
            })
            .collect();
        assert_eq!(
            names,
            [
                "broken.yaml",
                "pods.yaml Pod default/bare",
                "pods.yaml Deployment default/web"
            ],
            "{fail_on}"
        );
        let failed: Vec<&roxmltree::Node> = cases
            .iter()
            .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
            .collect();
        assert_eq!(failed.len(), failures, "{fail_on}: {xml}");
        let suite = doc
            .descendants()
            .find(|n| n.has_tag_name("testsuite"))
            .unwrap();
        assert_eq!(
            suite.attribute("failures"),
            Some(failures.to_string().as_str())
        );
        // At most one failure per case; every finding is in the file, once.
        for case in &cases {
            assert!(
                case.children()
                    .filter(|n| n.has_tag_name("failure"))
                    .count()
                    <= 1
            );
        }
        let listed = xml.matches("pods.yaml:").count() + xml.matches("broken.yaml:").count();
        assert_eq!(listed, total, "{fail_on}: every finding appears: {xml}");
    }
    // Several findings in one failure message.
    let xml = parse(&["--fail-on", "warning"]);
    assert!(xml.contains("findings: "), "{xml}");
    // Below --fail-on: in <system-out>, the case passes.
    let xml = parse(&["--fail-on", "error"]);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let pod = doc
        .descendants()
        .find(|n| {
            n.attribute("name")
                .is_some_and(|name| name.ends_with("/pods.yaml Pod default/bare"))
        })
        .unwrap();
    assert!(!pod.children().any(|n| n.has_tag_name("failure")));
    let out = pod
        .children()
        .find(|n| n.has_tag_name("system-out"))
        .unwrap();
    assert!(out.text().unwrap().contains("latest-image-tag"));
}
