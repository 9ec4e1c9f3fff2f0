//! Linting kustomizations as they are built (issue 17): findings on built objects land on the
//! line their value came from; files read by a build are not linted as whole objects; a
//! finding reached from several overlays is reported once; and the pre-commit hook
//! (`--context . FILE`) reports for FILE exactly what the full run reports for it.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use std::collections::BTreeSet;

/// (file, line, column, rule, message) of every finding in a `--format json` run.
fn findings(args: &[&str]) -> BTreeSet<(String, u64, u64, String, String)> {
    let out = common::kubeward_in_repo(args);
    let json = common::json(&out);
    json["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no findings array in {json}"))
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["rule"].as_str().unwrap().to_owned(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

const ROOTS: &[&str] = &[
    "fixtures/missing-limits/kustomize-base",
    "fixtures/limits-below-requests/kustomize-patch",
    "fixtures/latest-image-tag/kustomize-images",
    "fixtures/kustomize/overlay-generators",
];

fn files_under(dir: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![common::repo_path(dir)];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(common::repo_path("")).unwrap();
                out.push(rel.to_string_lossy().into_owned());
            }
        }
    }
    out.sort();
    out
}

#[test]
fn the_hook_reports_for_each_file_what_the_full_run_reports() {
    for root in ROOTS {
        let full = findings(&["--format", "json", root]);
        assert!(!full.is_empty(), "{root}: the full run finds something");
        for file in files_under(root) {
            let hook = findings(&["--format", "json", "--context", root, &file]);
            let expected: BTreeSet<_> = full.iter().filter(|f| f.0 == file).cloned().collect();
            assert_eq!(hook, expected, "{file}: hook run vs full run of {root}");
        }
    }
}

#[test]
fn a_patch_gives_no_whole_object_findings() {
    let all = findings(&["--format", "json", ROOTS[1]]);
    let in_patch: Vec<_> = all
        .iter()
        .filter(|f| f.0.ends_with("overlay/smaller.yaml"))
        .collect();
    // Only the limit the patch sets is wrong; its missing probes and requests are not its own.
    assert_eq!(in_patch.len(), 1, "{in_patch:?}");
    assert_eq!(in_patch[0].3, "limits-below-requests");
    // Linted alone, as before kustomize support, the patch is a partial Deployment with
    // findings of its own: the difference is the build.
    let alone = findings(&[
        "--format",
        "json",
        "fixtures/limits-below-requests/kustomize-patch/overlay/smaller.yaml",
    ]);
    assert!(
        alone.iter().any(|f| f.3 != "limits-below-requests"),
        "{alone:?}"
    );
}

#[test]
fn a_base_line_reached_from_two_overlays_is_reported_once() {
    let all = findings(&["--format", "json", ROOTS[0]]);
    let limits: Vec<_> = all.iter().filter(|f| f.3 == "missing-limits").collect();
    assert_eq!(limits.len(), 1, "{limits:?}");
    let (file, line, _, _, message) = limits[0];
    assert!(file.ends_with("base/deployment.yaml"), "{file}");
    assert_eq!(*line, 15);
    assert!(
        message.contains("overlays/dev") && message.contains("overlays/prod"),
        "{message}"
    );
    // One overlay alone: the same line, without the note.
    let dev = findings(&[
        "--format",
        "json",
        "fixtures/missing-limits/kustomize-base/overlays/dev",
    ]);
    let limits: Vec<_> = dev.iter().filter(|f| f.3 == "missing-limits").collect();
    assert_eq!(limits.len(), 1, "{limits:?}");
    assert!(limits[0].0.ends_with("base/deployment.yaml"));
    assert_eq!(limits[0].1, 15);
    assert!(!limits[0].4.contains("in the builds of"), "{}", limits[0].4);
}

#[test]
fn an_image_set_by_the_overlay_is_reported_at_its_images_entry() {
    let all = findings(&["--format", "json", ROOTS[2]]);
    let latest: Vec<_> = all.iter().filter(|f| f.3 == "latest-image-tag").collect();
    assert_eq!(latest.len(), 1, "{latest:?}");
    assert!(latest[0].0.ends_with("overlay/kustomization.yaml"));
    assert_eq!(latest[0].1, 6);
}

#[test]
fn cycles_are_reported_per_root_whatever_the_thread_count() {
    // Each root's failure is its own (where its build closes the cycle), never one cached from
    // another root's build, so the result cannot depend on which thread built what first.
    let dir = "fixtures/kustomize-error/cycle-entered";
    let first = findings(&["--format", "json", "-j1", dir]);
    let at: BTreeSet<(String, u64)> = first
        .iter()
        .filter(|f| f.3 == "kustomize-error")
        .map(|f| (f.0.clone(), f.1))
        .collect();
    let expected: BTreeSet<(String, u64)> = [("a", 4), ("b", 2), ("d", 2)]
        .iter()
        .map(|(root, line)| (format!("{dir}/{root}/kustomization.yaml"), *line))
        .collect();
    assert_eq!(at, expected);
    for threads in ["-j2", "-j1", "-j2", "-j2"] {
        assert_eq!(
            findings(&["--format", "json", threads, dir]),
            first,
            "{threads}"
        );
    }
}
