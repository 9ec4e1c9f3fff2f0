//! The fixture harness: lints every file under `fixtures/<rule-id>/` and compares the findings
//! with the expectations written in the fixtures.
//!
//! Expectations:
//! - `# expect: RULE` (or `# expect: RULE ~TEXT`, TEXT must occur in the message) at the end of
//!   the line where a finding must start; several may follow each other on one line;
//! - `# expect-next-line: RULE [~TEXT]` on a line of its own, for the next line;
//! - a `<file>.expect` sidecar with lines `LINE RULE [~TEXT]` for files that cannot hold
//!   comments (JSON, binary, unreadable).
//!
//! A file directly in `fixtures/<rule-id>/` is linted on its own; a subdirectory is linted as
//! one run (for rules that relate objects across files). Findings of the directory's rule, or
//! of any rule expected in the file, must match the expectations exactly. `fixtures/examples/`
//! (the README's example repository) is linted as one run and every finding of every rule in it
//! must be expected: a new rule that fires there must say so.

// Test code: helpers outside `#[test]` functions may unwrap, index and slice too (clippy.toml's
// allow-*-in-tests covers only `#[test]` functions and `#[cfg(test)]` modules).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use std::sync::Arc;

use kubeward::catalogue::catalogue;
use kubeward::discover::{PathBase, display_name};
use kubeward::lint::lint;
use kubeward::outcome::LintResult;
use kubeward::registry::Registry;

use common::{command, options, repo_path, tempdir};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Expectation {
    line: usize,
    rule: String,
    text: Option<String>,
}

fn parse_expectation(line: usize, spec: &str) -> Expectation {
    let spec = spec.trim();
    let (rule, text) = match spec.split_once('~') {
        Some((rule, text)) => (rule.trim(), Some(text.trim().to_string())),
        None => (spec, None),
    };
    Expectation {
        line,
        rule: rule.to_string(),
        text,
    }
}

fn expectations(path: &Path) -> Vec<Expectation> {
    let mut out = Vec::new();
    let sidecar = PathBuf::from(format!("{}.expect", path.display()));
    if let Ok(text) = std::fs::read_to_string(&sidecar) {
        for line in text
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        {
            let (number, spec) = line
                .trim()
                .split_once(' ')
                .expect("sidecar line: LINE RULE");
            out.push(parse_expectation(
                number.parse().expect("sidecar line number"),
                spec,
            ));
        }
    }
    let Ok(bytes) = std::fs::read(path) else {
        return out;
    };
    let text = String::from_utf8_lossy(&bytes);
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        if let Some(rest) = line.trim_start().strip_prefix("# expect-next-line:") {
            out.push(parse_expectation(number + 1, rest));
            continue;
        }
        let mut parts = line.split("# expect:");
        parts.next();
        for spec in parts {
            out.push(parse_expectation(number, spec));
        }
    }
    out
}

/// Lints a fixture. A rule that is off by default (`severity: off` in its catalogue entry) is
/// switched on for its own fixtures, at `info`.
fn run(path: &Path, rule_dir: Option<&str>) -> LintResult {
    let mut options = options(&[path]);
    if let Some(rule) = rule_dir
        && catalogue()
            .iter()
            .any(|e| e.id == rule && e.off_by_default())
    {
        let registry = Registry::from_config_text(&format!("rules:\n  {rule}: info\n"))
            .unwrap_or_else(|e| panic!("config switching {rule} on: {e}"));
        options.registry = Arc::new(registry);
    }
    lint(&options).unwrap_or_else(|e| panic!("linting {} failed: {e}", path.display()))
}

/// Checks one fixture run; returns a description of every mismatch. `rule_dir` is the rule
/// whose findings must all be expected; `None` means every rule's (the examples repository).
fn check(rule_dir: Option<&str>, target: &Path, files: &[PathBuf]) -> Vec<String> {
    let result = run(target, rule_dir);
    let mut problems = Vec::new();
    for file in files {
        let expected = expectations(file);
        let mut relevant: BTreeSet<String> = expected.iter().map(|e| e.rule.clone()).collect();
        if let Some(rule) = rule_dir {
            relevant.insert(rule.to_string());
        }
        // Reports name files relative to the current directory (issue 14: one normalised path
        // per file); the fixture paths here are absolute.
        let display = display_name(file, &PathBase::current());
        let actual: Vec<(usize, String, String)> = result
            .findings
            .iter()
            .filter(|f| result.workspace.source(f.file).path == display)
            .filter(|f| rule_dir.is_none() || relevant.contains(f.rule.as_str()))
            .map(|f| {
                let at = result.workspace.source(f.file).line_col(f.span.start);
                (at.line, f.rule.to_string(), f.message.clone())
            })
            .collect();
        let mut unmatched: Vec<(usize, String, String)> = actual.clone();
        for e in &expected {
            let found = unmatched.iter().position(|(line, rule, message)| {
                *line == e.line
                    && *rule == e.rule
                    && e.text.as_ref().is_none_or(|t| message.contains(t.as_str()))
            });
            match found {
                Some(i) => {
                    unmatched.remove(i);
                }
                None => problems.push(format!(
                    "{display}:{}: expected {}{} but it was not reported",
                    e.line,
                    e.rule,
                    e.text
                        .as_ref()
                        .map(|t| format!(" ~{t}"))
                        .unwrap_or_default()
                )),
            }
        }
        for (line, rule, message) in unmatched {
            problems.push(format!("{display}:{line}: unexpected {rule}: {message}"));
        }
    }
    problems
}

fn is_fixture_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    !name.ends_with(".expect") && !name.starts_with('.') && name != "README.md"
}

fn fixture_root() -> PathBuf {
    repo_path("fixtures")
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    entries
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in sorted_entries(dir) {
        if entry.is_dir() {
            out.extend(files_under(&entry));
        } else if is_fixture_file(&entry) {
            out.push(entry);
        }
    }
    out
}

/// The fixtures of one rule (`fixtures/<id>/`): every file and subdirectory matches its
/// expectations, some file makes the rule fire and some keeps it quiet, and the full human and
/// JSON output of the folder equals its reviewed snapshot (`tests/snapshots/`).
fn check_rule(id: &str) {
    let dir = fixture_root().join(id);
    assert!(dir.is_dir(), "rule `{id}` has no fixtures/{id}/");
    let mut problems = Vec::new();
    for entry in sorted_entries(&dir) {
        if entry.is_dir() {
            problems.extend(check(Some(id), &entry, &files_under(&entry)));
        } else if is_fixture_file(&entry) {
            problems.extend(check(Some(id), &entry, std::slice::from_ref(&entry)));
        }
    }
    let files = files_under(&dir);
    let firing = files
        .iter()
        .filter(|f| expectations(f).iter().any(|e| e.rule == id))
        .count();
    // `internal-error` reports kubeward's own crashes: no manifest triggers one (that would be
    // a bug, fixed at once), so it is tested with deliberately panicking rules and loaders
    // instead (src/lint.rs, tests/hardening.rs). Its fixtures only stay quiet.
    // `host-network`, `privileged-container` and `run-as-root` are aliases of `pod-security`
    // checks (src/rules/pod_security.rs): they report nothing of their own, so their fixtures
    // expect `pod-security` findings and test the aliases' suppressions.
    let alias = ["host-network", "privileged-container", "run-as-root"].contains(&id);
    if firing == 0 && id != "internal-error" && !alias {
        problems.push(format!("fixtures/{id}/ has no expectation of {id}"));
    }
    if firing == files.len() {
        problems.push(format!("fixtures/{id}/ has no file where {id} stays quiet"));
    }
    assert!(
        problems.is_empty(),
        "fixture mismatches:\n{}",
        problems.join("\n")
    );
    snapshot_outputs(id);
}

/// Snapshots what a user sees for `kubeward fixtures/<id>`: the human report (no colour, a
/// fixed width) and the JSON report. Run from the repository root so paths are stable.
fn snapshot_outputs(id: &str) {
    let root = repo_path("");
    let target = format!("fixtures/{id}");
    // A rule that is off by default is switched on, as `run` does.
    let mut config_args: Vec<String> = Vec::new();
    if catalogue().iter().any(|e| e.id == id && e.off_by_default()) {
        let config = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{id}.kubeward.yaml"));
        std::fs::write(&config, format!("rules:\n  {id}: info\n")).expect("write config");
        config_args = vec!["--config".to_string(), config.display().to_string()];
    }
    let run = |format: &str| {
        let output = command(&root)
            .args(["--format", format, &target])
            .args(&config_args)
            .env("COLUMNS", "100")
            .output()
            .expect("run kubeward");
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "kubeward {target} --format {format}: {:?}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("UTF-8 output")
    };
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots/fixtures");
    settings.bind(|| {
        insta::assert_snapshot!(format!("{id}.human"), run("human"));
        insta::assert_snapshot!(format!("{id}.json"), run("json"));
    });
}

/// One test per rule id, generated by `build.rs` from `rules/*.yaml`:
/// `cargo test --test fixtures limitrange_violation` runs one rule's fixtures.
mod rule {
    use super::check_rule;

    include!(concat!(env!("OUT_DIR"), "/rule_tests.rs"));
}

#[test]
fn examples_repository_matches_its_expectations() {
    // The example repository is one run, and every finding in it must be expected.
    let dir = fixture_root().join("examples");
    let problems = check(None, &dir, &files_under(&dir));
    assert!(
        problems.is_empty(),
        "fixture mismatches:\n{}",
        problems.join("\n")
    );
}

#[test]
fn every_fixture_folder_belongs_to_a_rule() {
    let ids: BTreeSet<String> = catalogue().iter().map(|e| e.id.clone()).collect();
    for dir in sorted_entries(&fixture_root()) {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        // `examples/` is the README's example repository; `kustomize/` holds kustomize's own
        // test cases, checked against `kubectl kustomize` by tests/kustomize_oracle.rs.
        if dir.is_dir() && name != "examples" && name != "kustomize" {
            assert!(
                ids.contains(&name),
                "fixtures/{name}/ names no rule (rules/{name}.yaml)"
            );
        }
    }
}

#[test]
fn harness_reports_missing_and_unexpected_findings() {
    // The harness itself must be able to fail: a fixture with a wrong expectation.
    let dir = tempdir("harness");
    let file = dir.join("wrong.yaml");
    std::fs::write(
        &file,
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}  # expect: latest-image-tag\nspec:\n  containers: [{name: a, image: nginx}]\n",
    )
    .unwrap();
    let problems = check(Some("latest-image-tag"), &file, std::slice::from_ref(&file));
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].contains(":3: expected latest-image-tag"),
        "{problems:?}"
    );
    assert!(
        problems[1].contains(":5: unexpected latest-image-tag"),
        "{problems:?}"
    );
}
