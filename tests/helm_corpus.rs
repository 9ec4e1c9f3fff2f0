//! Every application chart in `../shared/corpus` renders natively, or fails with an error Helm
//! itself gives for it (listed with the reason).

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use std::path::{Path, PathBuf};

use kubeward::helm::render::{HelmOptions, render_chart};

/// Charts that do not render, and why Helm refuses them too.
const EXPECTED_FAILURES: &[(&str, &str)] = &[(
    "argoproj__argo-cd/reposerver/repository/testdata/invalid-helm",
    "argo-cd's own test of an invalid chart: Chart.yaml has no name",
)];

fn charts(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            if path.join("Chart.yaml").is_file() && !kubeward::helm::render::is_subchart(&path) {
                out.push(path.clone());
            }
            charts(&path, out);
        }
    }
}

fn has_tpl(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().any(|e| {
            let p = e.path();
            if p.is_dir() {
                has_tpl(&p)
            } else {
                p.extension().is_some_and(|x| x == "tpl")
            }
        })
    })
}

#[test]
fn corpus_charts_render() {
    let corpus = common::repo_path("../shared/corpus");
    if !corpus.is_dir() {
        assert!(
            std::env::var_os("CI").is_none(),
            "../shared/corpus is missing on CI"
        );
        eprintln!("SKIPPED: ../shared/corpus is not beside the repository");
        return;
    }
    let mut found = Vec::new();
    charts(&corpus, &mut found);
    let (mut ok, mut missing, mut no_helpers, mut failures) = (0, 0, 0, Vec::new());
    for chart in &found {
        let rel = chart
            .strip_prefix(&corpus)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        match render_chart(chart, &HelmOptions::default()) {
            Ok(rendered) => {
                ok += 1;
                assert!(
                    rendered.stream_text.trim().is_empty()
                        || rendered.stream_text.trim_start().starts_with("---"),
                    "{rel}"
                );
            }
            Err(e) if e.message.contains("library charts are not installable") => ok += 1,
            // Dependencies not vendored under charts/: `helm template` refuses them the same
            // way until `helm dependency build` fetches them (kubeward never fetches).
            Err(e) if e.message.contains("run `helm dependency build`") => missing += 1,
            // The corpus keeps manifests, not `_helpers.tpl` files (its README): a chart whose
            // helpers are not in the copy fails in Helm the same way.
            Err(e)
                if !has_tpl(chart)
                    && (e.message.contains("not defined") || e.message.contains("no template")) =>
            {
                no_helpers += 1;
            }
            Err(e) => {
                if EXPECTED_FAILURES.iter().any(|(p, _)| *p == rel) {
                    continue;
                }
                failures.push(format!("{rel}: {}", e.message));
            }
        }
    }
    eprintln!(
        "corpus charts: {} found, {ok} render, {missing} need `helm dependency build`, \
         {no_helpers} lack their _helpers.tpl in the corpus copy, {} fail",
        found.len(),
        failures.len()
    );
    assert!(found.len() >= 20, "{found:?}");
    assert!(ok >= 20, "only {ok} charts rendered");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn render_notes_stand_ins_on_stderr_and_keeps_stdout_helms() {
    let dir = common::tempdir("stand-ins");
    common::write(
        &dir,
        "chart/Chart.yaml",
        "apiVersion: v2\nname: c\nversion: 0.1.0\n",
    );
    common::write(
        &dir,
        "chart/templates/cm.yaml",
        "{{/* randAlphaNum is not called here */}}\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  at: {{ now | date \"2006\" | quote }}\n",
    );
    let out = common::kubeward(&["render", "chart"], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    let stdout = common::stdout(&out);
    assert!(
        stdout.starts_with("---\n# Source: c/templates/cm.yaml\n"),
        "{stdout}"
    );
    assert!(!stdout.contains("note"), "{stdout}");
    let stderr = common::stderr(&out);
    assert!(
        stderr.contains("`now` depends on time or randomness"),
        "{stderr}"
    );
    // `date` formats in the local zone: a stand-in too. A function named in a comment is not.
    assert!(stderr.contains("`date` depends on time"), "{stderr}");
    assert!(!stderr.contains("randAlphaNum"), "{stderr}");
}

#[test]
fn render_of_a_folder_renders_the_charts_in_it() {
    let out = common::kubeward_in_repo(&["render", "fixtures/examples"]);
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    let stdout = common::stdout(&out);
    // The chart as `helm template` prints it, not its template files as text.
    assert!(
        stdout.contains("# Source: web/templates/deployment.yaml\n"),
        "{stdout}"
    );
    assert!(stdout.contains("name: release-name-web"), "{stdout}");
    assert!(!stdout.contains("{{ .Release.Name }}"), "{stdout}");
    // The other manifests are still there.
    assert!(
        stdout.contains("# Source: fixtures/examples/shop/checkout.yaml"),
        "{stdout}"
    );
}
