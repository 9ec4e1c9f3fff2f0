//! `--timings`: the table goes to stderr, after the report, and stdout is byte-identical with
//! and without the flag. (The figures themselves are not asserted: no test depends on timing.)

// Test code: helpers outside `#[test]` functions may unwrap, index and slice too (clippy.toml's
// allow-*-in-tests covers only `#[test]` functions and `#[cfg(test)]` modules).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use std::path::Path;

use common::{kubeward_in_repo, stderr};

const PHASES: [&str; 17] = [
    "setup (config, rules, threads)",
    "discover",
    "load (read + parse, build, render)",
    "  read Σ (",
    "  parse Σ (decode, parse, load checks)",
    "  kustomize builds Σ (",
    "  kustomize emit Σ (",
    "  helm renders Σ (",
    "kustomize: add built roots",
    "helm: add rendered streams",
    "index (Workspace::new)",
    "object rules",
    "workspace rules",
    "remap to sources",
    "suppress",
    "report",
    "total",
];

#[test]
fn the_table_is_on_stderr_and_stdout_is_unchanged() {
    // A kustomization beside plain manifests, so the build stage has a root to count.
    let paths = ["fixtures/examples", "fixtures/kustomize-error"];
    for format in ["human", "json", "sarif"] {
        let mut plain_args = vec!["--format", format, "-j2"];
        plain_args.extend(paths);
        let mut timed_args = plain_args.clone();
        timed_args.push("--timings");
        let plain = kubeward_in_repo(&plain_args);
        let timed = kubeward_in_repo(&timed_args);
        assert_eq!(timed.status.code(), plain.status.code(), "{format}");
        assert!(!plain.stdout.is_empty(), "{format}: no report");
        assert!(
            timed.stdout == plain.stdout,
            "{format}: stdout differs with --timings"
        );
        assert!(
            !stderr(&plain).contains("--timings"),
            "{format}: a table without the flag"
        );
        let err = stderr(&timed);
        let title = err
            .find("kubeward --timings (2 threads)")
            .unwrap_or_else(|| panic!("{format}: no table title in stderr:\n{err}"));
        let table = &err[title..];
        let lines: Vec<&str> = table.lines().collect();
        // Every phase, in pipeline order, each on a line of its own with figures.
        let mut at = 0;
        for phase in PHASES {
            let found = lines[at..]
                .iter()
                .position(|line| line.starts_with(phase))
                .unwrap_or_else(|| panic!("{format}: no `{phase}` row after line {at}:\n{table}"));
            at += found + 1;
            let line = lines[at - 1];
            assert!(
                line.split_whitespace()
                    .any(|cell| cell.parse::<f64>().is_ok()),
                "{format}: `{phase}` has no figure: {line}"
            );
        }
        // The peak resident set at the end of each phase, where the system says it (Linux).
        assert!(
            lines
                .iter()
                .any(|line| line.starts_with("phase ") && line.ends_with("peak RSS MiB")),
            "{format}: no peak RSS column:\n{table}"
        );
        if Path::new("/proc/self/status").exists() {
            let total = lines
                .iter()
                .find(|line| line.starts_with("total "))
                .unwrap();
            let peak: u64 = total.split_whitespace().last().unwrap().parse().unwrap();
            assert!(peak > 0, "{format}: {total}");
        }
        // The rule table: an object rule summed over threads.
        assert!(
            lines.iter().any(|line| line.starts_with("rule ")
                && line.contains("stage")
                && line.contains("CPU ms")),
            "{format}: no rule table header:\n{table}"
        );
        assert!(
            lines
                .iter()
                .any(|line| line.starts_with("latest-image-tag ") && line.contains("object Σ")),
            "{format}: no row for latest-image-tag:\n{table}"
        );
        let roots = lines
            .iter()
            .find(|line| line.starts_with("  kustomize builds Σ ("))
            .unwrap();
        assert!(
            !roots.starts_with("  kustomize builds Σ (0 roots)"),
            "{roots}"
        );
    }
}
