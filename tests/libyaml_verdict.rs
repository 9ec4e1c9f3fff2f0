//! kubectl reads YAML with go-yaml v2, a Go port of libyaml: a file libyaml parses must not be
//! a `parse-error` in kubeward. The oracle is PyYAML's C parser at the event level
//! (`yaml.parse(..., Loader=yaml.CSafeLoader)`; not the constructor, which also rejects
//! unknown tags), run on every file kubeward calls unparsable in `../shared/corpus` and in
//! `fixtures/parse-error/`.
//!
//! Exempt, each for a documented reason: Helm/Go templates (`{{`, reported as
//! `template-skipped`, not parsed); JSON files (kubectl decodes a document that starts with `{`
//! as JSON, strictly: `{"a": 1,}` is YAML but not JSON); alias expansion beyond kubeward's
//! bound (libyaml's parser does not expand aliases; go-yaml's decoder does, and kubeward refuses
//! a billion-laughs file as go-yaml's own expansion limit does).
//!
//! Under `CI` a missing corpus, python3 or PyYAML with libyaml fails the test; elsewhere it
//! says that it skipped.

// Test code: helpers outside `#[test]` functions may unwrap, index and slice too (clippy.toml's
// allow-*-in-tests covers only `#[test]` functions and `#[cfg(test)]` modules).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{json, repo_path, tempdir};

fn skip_or_fail(why: &str) {
    if std::env::var_os("CI").is_some() {
        panic!("libyaml verdict test cannot run under CI: {why}");
    }
    eprintln!("SKIPPED libyaml verdict test: {why}");
}

/// The files kubeward reports a `parse-error` for, under `target`.
fn parse_errors(target: &Path) -> Vec<(PathBuf, String)> {
    let output = common::command(&repo_path(""))
        .args(["--format", "json", "--fail-on", "never"])
        .arg(target)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let report = json(&output);
    let mut out: Vec<(PathBuf, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "parse-error")
        .map(|f| {
            (
                PathBuf::from(f["path"].as_str().unwrap()),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out.dedup_by(|a, b| a.0 == b.0);
    out
}

const ORACLE: &str = r#"
import sys, yaml
if not getattr(yaml, "__with_libyaml__", False):
    print("NO-LIBYAML")
    sys.exit(0)
for path in sys.stdin.read().splitlines():
    try:
        with open(path, "rb") as f:
            for _ in yaml.parse(f, Loader=yaml.CSafeLoader):
                pass
        print("ok\t" + path)
    except Exception as e:
        print("error\t" + path)
"#;

/// libyaml's verdict per file: true when it parses.
fn libyaml_parses(files: &[PathBuf]) -> Option<Vec<(PathBuf, bool)>> {
    let mut child = Command::new("python3")
        .args(["-c", ORACLE])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .ok()?;
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        for f in files {
            writeln!(stdin, "{}", f.display()).unwrap();
        }
    }
    let output = child.wait_with_output().ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    if !output.status.success() || text.starts_with("NO-LIBYAML") {
        return None;
    }
    Some(
        text.lines()
            .filter_map(|l| l.split_once('\t'))
            .map(|(verdict, path)| (PathBuf::from(path), verdict == "ok"))
            .collect(),
    )
}

fn exempt(path: &Path, message: &str) -> bool {
    let text = std::fs::read(path).unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    text.contains("{{") || text.trim_start().starts_with(['{', '[']) || message.contains("alias")
}

fn check(target: &Path) -> (usize, Vec<String>) {
    let errors = parse_errors(target);
    let files: Vec<PathBuf> = errors.iter().map(|(p, _)| p.clone()).collect();
    let Some(verdicts) = libyaml_parses(&files) else {
        skip_or_fail("python3 with PyYAML built on libyaml is not available");
        return (0, Vec::new());
    };
    assert_eq!(
        verdicts.len(),
        files.len(),
        "the oracle answered for every file"
    );
    let wrong = errors
        .iter()
        .zip(&verdicts)
        .filter(|((path, message), (_, parses))| *parses && !exempt(path, message))
        .map(|((path, message), _)| format!("{}: {message}", path.display()))
        .collect();
    (errors.len(), wrong)
}

#[test]
fn files_libyaml_parses_are_not_parse_errors() {
    let corpus = repo_path("../shared/corpus");
    let mut targets = vec![repo_path("fixtures/parse-error")];
    if corpus.is_dir() {
        targets.push(corpus);
    } else {
        skip_or_fail("../shared/corpus is not beside the repository (only fixtures checked)");
    }
    for target in targets {
        let (checked, wrong) = check(&target);
        eprintln!(
            "{}: {checked} parse-error files compared with libyaml",
            target.display()
        );
        assert!(
            wrong.is_empty(),
            "libyaml parses these files, kubeward calls them broken:\n{}",
            wrong.join("\n")
        );
    }
}

#[test]
fn the_oracle_can_disagree() {
    // A file libyaml parses and one it rejects, so that the comparison above can fail.
    let dir = tempdir("oracle");
    let good = dir.join("good.yaml");
    let bad = dir.join("bad.yaml");
    std::fs::write(&good, "a: 1\nb: [1, 2]\n").unwrap();
    std::fs::write(&bad, "a: 1\n b: 2\n").unwrap();
    let Some(verdicts) = libyaml_parses(&[good.clone(), bad.clone()]) else {
        skip_or_fail("python3 with PyYAML built on libyaml is not available");
        return;
    };
    assert_eq!(verdicts, vec![(good, true), (bad, false)]);
}
