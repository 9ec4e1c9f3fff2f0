//! The report layer on hostile text: lines far wider than a terminal (minified JSON, long CJK
//! text), control characters in manifests and in file names. Every format must print every
//! finding, never panic, and never pass a control character through to the terminal or log.

// Test code: helpers outside `#[test]` functions may unwrap, index and slice too (clippy.toml's
// allow-*-in-tests covers only `#[test]` functions and `#[cfg(test)]` modules).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use std::process::Output;

use common::{kubeward, stderr, stdout, tempdir};

fn assert_findings_reported(output: &Output, what: &str) -> String {
    let stdout = stdout(output);
    let stderr = stderr(output);
    // latest-image-tag is a warning: exit 0 at the default `--fail-on error`; never 2 or 101.
    assert_eq!(
        output.status.code(),
        Some(0),
        "{what}: exit {:?}\nstderr: {stderr}",
        output.status
    );
    assert!(!stderr.contains("panicked"), "{what}: {stderr}");
    assert!(stdout.contains("latest-image-tag"), "{what}: {stdout}");
    stdout
}

/// A Pod on one line whose `image` (the finding) sits after `padding`.
fn one_line_pod(padding: &str) -> String {
    format!(
        r#"{{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"p","annotations":{{"note":"{padding}"}}}},"spec":{{"containers":[{{"name":"c","image":"nginx","resources":{{"requests":{{"cpu":"1","memory":"1Gi"}},"limits":{{"cpu":"1","memory":"1Gi"}}}}}}]}}}}"#
    )
}

#[test]
fn findings_past_column_65535_are_drawn_in_a_window_of_the_line() {
    let dir = tempdir("wide");
    // A minified manifest over 64 KB, and a line of 40,000 wide (CJK) characters: both put
    // the finding past display column 65,535, where miette's renderer panics.
    let minified = one_line_pod(&"x".repeat(70_000));
    let cjk = one_line_pod(&"中".repeat(40_000));
    std::fs::write(dir.join("minified.json"), &minified).unwrap();
    std::fs::write(dir.join("cjk.yaml"), &cjk).unwrap();
    for (file, text) in [("minified.json", minified), ("cjk.yaml", cjk)] {
        let output = kubeward(&[file], &dir);
        let stdout = assert_findings_reported(&output, file);
        // The header keeps the whole file's line and column (of the image's value, in
        // characters); the line is cut around it.
        let before = text.split("\"nginx\"").next().unwrap();
        let column = before.chars().count() + 1;
        assert!(
            stdout.contains(&format!("[{file}:1:{column}]")),
            "{file}: {stdout}"
        );
        assert!(stdout.contains("\"image\":\"nginx\""), "{file}: {stdout}");
        assert!(stdout.contains(" │ ..."), "{file}: no cut shown: {stdout}");
        let widest = stdout.lines().map(|l| l.chars().count()).max().unwrap();
        assert!(
            widest < 400,
            "{file}: a line of {widest} characters was printed"
        );
    }
}

#[test]
fn control_characters_in_manifests_never_reach_the_terminal() {
    let dir = tempdir("controls");
    // An OSC 52 clipboard write, an erase-line and a BEL on the line of the finding.
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: \"nginx\" # \u{1b}]52;c;aGk=\u{7}\u{1b}[2K\u{9b}31m\n      resources:\n        requests: {cpu: 1, memory: 1Gi}\n        limits: {cpu: 1, memory: 1Gi}\n";
    std::fs::write(dir.join("pod.yaml"), pod).unwrap();
    for format in ["human", "compact", "github", "json", "sarif", "junit"] {
        let output = kubeward(&["--format", format, "pod.yaml"], &dir);
        let stdout = assert_findings_reported(&output, format);
        for c in ['\u{1b}', '\u{7}', '\u{9b}'] {
            assert!(
                !stdout.contains(c),
                "{format}: {:?} reached the output",
                c.escape_unicode().to_string()
            );
        }
    }
}

#[test]
fn a_file_name_with_a_line_break_cannot_forge_output_lines() {
    let dir = tempdir("names");
    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: nginx\n      resources:\n        requests: {cpu: 1, memory: 1Gi}\n        limits: {cpu: 1, memory: 1Gi}\n";
    let forged = "a\n::error file=forged.yaml,line=1::forged\nx.yaml";
    std::fs::write(dir.join(forged), pod).unwrap();
    for format in ["compact", "github", "human"] {
        let output = kubeward(&["--format", format, "."], &dir);
        let stdout = assert_findings_reported(&output, format);
        assert!(
            !stdout
                .lines()
                .any(|l| l.trim_start().starts_with("::error file=forged")),
            "{format}: a forged line: {stdout}"
        );
        if format == "compact" {
            // One line per finding, each naming the file (its line breaks escaped).
            assert!(
                stdout.lines().all(|l| l.starts_with("a\\u{a}::error")),
                "{stdout}"
            );
        }
    }
}
