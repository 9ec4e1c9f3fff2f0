//! Helm's own `helm template` golden tests (v3.21.4, `../shared/oracles/helm/`): every case of
//! `cases.tsv` rendered natively must print exactly what Helm printed (stdout and stderr
//! together, byte for byte), except the cases listed in `EXCEPTIONS` with their reasons.
//! kubeward targets Helm v3's output; the v4 rows are run and counted, not required.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use std::path::{Path, PathBuf};

use kubeward::helm::render::{HelmOptions, render_chart};

/// v3 cases that cannot match, and why.
const EXCEPTIONS: &[(&str, &str)] = &[(
    "template-no-args.txt",
    "a command-line usage error of helm's CLI (`kubeward render` renders `.` without arguments)",
)];

fn oracle() -> Option<PathBuf> {
    let dir = common::repo_path("../shared/oracles/helm");
    if dir.join("cases.tsv").is_file() {
        Some(dir)
    } else if std::env::var_os("CI").is_some() {
        panic!("../shared/oracles/helm is missing: CI must have ../shared beside the clone");
    } else {
        eprintln!("SKIPPED: ../shared/oracles/helm is not beside the repository");
        None
    }
}

/// `shellwords.Parse` as Helm's test harness splits the command: whitespace-separated,
/// single and double quotes removed (no shell globbing).
fn shell_words(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for c in command.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// The command's options and chart (paths joined to `cwd`).
fn options(words: &[String], cwd: &Path) -> (HelmOptions, Option<PathBuf>) {
    let mut o = HelmOptions {
        helm_test_capabilities: true,
        ..HelmOptions::default()
    };
    let mut chart = None;
    let mut i = 2; // after `helm template`
    while i < words.len() {
        let w = &words[i];
        let (flag, inline) = match w.split_once('=') {
            Some((f, v)) if f.starts_with('-') => (f.to_owned(), Some(v.to_owned())),
            _ => (w.clone(), None),
        };
        let mut value = || {
            inline.clone().unwrap_or_else(|| {
                i += 1;
                words[i].clone()
            })
        };
        match flag.as_str() {
            "--set" => o.set.push(value()),
            "--values" | "-f" => o
                .values
                .push(cwd.join(value()).to_string_lossy().into_owned()),
            "--name-template" => o.name_template = Some(value()),
            "--kube-version" => o.kube_version = Some(value()),
            "--api-versions" => o.api_versions.extend(value().split(',').map(str::to_owned)),
            "--show-only" | "-s" => o.show_only.push(value()),
            "--include-crds" => o.include_crds = true,
            "--skip-tests" => o.skip_tests = true,
            "--debug" => o.debug = true,
            f if f.starts_with('-') => panic!("flag {f} not handled by the harness"),
            _ => chart = Some(cwd.join(w)),
        }
        i += 1;
    }
    (o, chart)
}

/// What `helm template` would print: the stream, or the error (after `--debug`'s output).
fn run(words: &[String], cwd: &Path) -> String {
    let (options, chart) = options(words, cwd);
    let Some(chart) = chart else {
        return "(no chart)".to_owned();
    };
    match render_chart(&chart, &options) {
        Ok(rendered) => rendered.stream_text,
        Err(e) => format!("{}Error: {}\n", e.stdout, e.message),
    }
}

#[test]
fn helm_template_goldens() {
    let Some(dir) = oracle() else {
        return;
    };
    let cases = std::fs::read_to_string(dir.join("cases.tsv")).unwrap();
    let (mut passed, mut failed, mut excepted) = (Vec::new(), Vec::new(), Vec::new());
    let mut v4 = (0, 0);
    for line in cases.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (helm_line, golden, command) = (cols[0], cols[1], cols[3]);
        let cwd = dir.join(helm_line);
        let expected = std::fs::read_to_string(dir.join(golden))
            .unwrap()
            .replace("\r\n", "\n");
        let got = run(&shell_words(command), &cwd);
        let name = Path::new(golden)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if helm_line == "v4" {
            v4.0 += usize::from(got == expected);
            v4.1 += 1;
            continue;
        }
        if let Some((_, why)) = EXCEPTIONS.iter().find(|(n, _)| *n == name) {
            excepted.push(format!("{name}: {why}"));
        } else if got == expected {
            passed.push(name);
        } else {
            let at = got
                .lines()
                .zip(expected.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(got.lines().count().min(expected.lines().count()));
            failed.push(format!(
                "{name} ({command}): first difference at line {}:\n  got:      {:?}\n  expected: {:?}",
                at + 1,
                got.lines().nth(at).unwrap_or("<end>"),
                expected.lines().nth(at).unwrap_or("<end>")
            ));
        }
    }
    eprintln!(
        "helm v3 goldens: {} identical, {} failing, {} excepted; v4 goldens (not required): {}/{} identical",
        passed.len(),
        failed.len(),
        excepted.len(),
        v4.0,
        v4.1
    );
    for e in &excepted {
        eprintln!("excepted: {e}");
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
    assert!(passed.len() >= 20, "{passed:?}");
}
