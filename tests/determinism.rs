//! Same input, same bytes out: whatever the thread count, run after run, with or without a
//! network. Lints the real-world corpus (`../shared/corpus`, or `$KUBEWARD_CORPUS`) when it is
//! there, and always the benchmark's seeded corpus (`bench/corpus.rs`).

// Test code: helpers outside `#[test]` functions may unwrap, index and slice too (clippy.toml's
// allow-*-in-tests covers only `#[test]` functions and `#[cfg(test)]` modules).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;
#[path = "../bench/corpus.rs"]
#[allow(dead_code)]
mod corpus;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{kubeward_in_repo, plain_environment, repo_path, tempdir};

/// The benchmark's corpus, 300 files, in a directory of the test's own (tests run in parallel).
fn generated_corpus(name: &str) -> PathBuf {
    let dir = tempdir(name);
    corpus::generate(&dir, 300, 42).expect("generate the corpus");
    dir
}

fn real_corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("KUBEWARD_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_path("../shared/corpus"));
    dir.is_dir().then_some(dir)
}

/// Lints `dir` with -j1, -j2, -j2, -j1 in `format` and checks that the outputs are identical
/// byte for byte (and not trivially empty).
fn assert_deterministic(dir: &Path, format: &str) {
    let dir = dir.to_str().expect("UTF-8 path");
    let runs: Vec<Output> = ["1", "2", "2", "1"]
        .iter()
        .map(|j| kubeward_in_repo(&["-j", j, "--format", format, "--fail-on", "never", dir]))
        .collect();
    let first = &runs[0];
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(
        first.stdout.len() > 1000,
        "too little output to compare: {}",
        String::from_utf8_lossy(&first.stdout)
    );
    for (i, run) in runs.iter().enumerate().skip(1) {
        if run.stdout != first.stdout {
            let a = String::from_utf8_lossy(&first.stdout);
            let b = String::from_utf8_lossy(&run.stdout);
            let at = a
                .lines()
                .zip(b.lines())
                .position(|(x, y)| x != y)
                .unwrap_or(0);
            panic!(
                "run {i} of {dir} ({format}) differs from the first at line {}:\n  {}\n  {}",
                at + 1,
                a.lines().nth(at).unwrap_or(""),
                b.lines().nth(at).unwrap_or("")
            );
        }
    }
}

#[test]
fn the_generated_corpus_lints_identically_on_any_thread_count() {
    let dir = generated_corpus("threads");
    for format in ["json", "human"] {
        assert_deterministic(&dir, format);
    }
}

#[test]
fn the_real_corpus_lints_identically_on_any_thread_count() {
    let Some(dir) = real_corpus() else {
        eprintln!(
            "no ../shared/corpus and no $KUBEWARD_CORPUS: only the generated corpus is checked"
        );
        return;
    };
    for format in ["json", "human"] {
        assert_deterministic(&dir, format);
    }
}

/// kubeward never opens a network connection: under a network namespace with no network (only
/// a loopback that is down) it gives the same bytes. `unshare -n` needs root (CI runs as root);
/// `unshare -rn` (a user namespace) works for other users where the kernel allows it.
#[test]
fn output_is_identical_without_a_network() {
    let probe = |args: &[&str]| {
        Command::new("unshare")
            .args(args)
            .arg("true")
            .status()
            .is_ok_and(|s| s.success())
    };
    let prefix: Vec<&str> = if probe(&["-n"]) {
        vec!["-n"]
    } else if probe(&["-r", "-n"]) {
        vec!["-r", "-n"]
    } else {
        eprintln!("unshare cannot create a network namespace here: test skipped");
        return;
    };
    let corpus = generated_corpus("offline");
    let examples = repo_path("fixtures/examples");
    for dir in [&corpus, &examples] {
        let dir = dir.to_str().unwrap();
        let args = ["--format", "json", "--fail-on", "never", dir];
        let online = kubeward_in_repo(&args);
        let mut offline = Command::new("unshare");
        offline
            .args(&prefix)
            .arg(env!("CARGO_BIN_EXE_kubeward"))
            .args(args)
            .current_dir(repo_path(""));
        let offline = plain_environment(&mut offline)
            .output()
            .expect("run kubeward under unshare");
        // The namespace really has no network: only a loopback device that is down.
        let devices = Command::new("unshare")
            .args(&prefix)
            .args(["cat", "/proc/net/dev"])
            .output()
            .expect("read /proc/net/dev in the namespace");
        let devices = String::from_utf8_lossy(&devices.stdout);
        assert_eq!(
            devices
                .lines()
                .skip(2)
                .filter(|l| !l.trim().is_empty())
                .count(),
            1,
            "{devices}"
        );
        assert!(devices.contains("lo:"), "{devices}");
        assert_eq!(
            offline.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&offline.stderr)
        );
        assert!(online.stdout.len() > 100);
        assert!(
            offline.stdout == online.stdout,
            "output differs without a network: {dir}"
        );
    }
}

/// A plain run reads each file as the walk finds them, in the order found, and numbers the
/// files once the walk is sorted; a run with `--context` reads them after the walk. Both give
/// the same bytes, load findings (a parse error, a duplicate key with its related label in a
/// nested folder) included, on any thread count.
#[test]
fn files_read_as_the_walk_finds_them_give_what_reading_after_the_walk_gives() {
    let dir = generated_corpus("as-found");
    let nested = dir.join("zz/nested/deeper");
    std::fs::create_dir_all(&nested).unwrap();
    std::fs::write(
        nested.join("dup.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: 1\n  k: 2\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("aa-broken.yaml"),
        "apiVersion: v1\nkind: Pod\nmetadata: {name: [\n",
    )
    .unwrap();
    let empty = tempdir("as-found-empty-context");
    let dir_arg = dir.to_str().unwrap();
    let run = |j: &str, context: bool| {
        let mut args = vec!["-j", j, "--format", "json", "--fail-on", "never"];
        if context {
            args.extend(["--context", empty.to_str().unwrap()]);
        }
        args.push(dir_arg);
        let out = kubeward_in_repo(&args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let after_walk = run("2", true);
    for rule in ["\"duplicate-key\"", "\"parse-error\""] {
        assert!(after_walk.contains(rule), "no {rule} finding");
    }
    for j in ["1", "2", "3"] {
        assert_eq!(run(j, false), after_walk, "-j{j}");
    }
}
