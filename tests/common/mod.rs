//! Set-up code the integration tests share: running the kubeward binary as a user would (no
//! colour, outside GitHub Actions), reading its output, scratch directories, files of the
//! repository, small manifests, and linting through the library.
//!
//! Every test binary declares `mod common;` and uses part of it; `measured` runs the binary
//! under `timeout` and reads its peak RSS (tests/hardening.rs).

// Each test binary uses only part of this module.
#![allow(dead_code)]

pub(crate) mod measured;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use kubeward::lint::{LintOptions, lint};
use kubeward::outcome::LintResult;

/// A run-once pod (`restartPolicy: Never`) with resources, that only `latest-image-tag` fires
/// on (it needs no probes).
pub(crate) const LATEST_POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: nginx\n      resources:\n        limits: {cpu: 100m, memory: 64Mi}\n  restartPolicy: Never\n";
/// The same pod with a pinned image: no rule fires on it.
pub(crate) const PINNED_POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: ok\nspec:\n  containers:\n    - name: web\n      image: nginx:1.27.2\n      resources:\n        limits: {cpu: 100m, memory: 64Mi}\n  restartPolicy: Never\n";
/// YAML that does not parse (`parse-error`).
pub(crate) const BROKEN: &str =
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n data: {}\n";

/// Sets the environment a run of the binary gets: no colour, and not inside GitHub Actions
/// (whatever the environment of `cargo test` is), so that the output is the plain report.
pub(crate) fn plain_environment(command: &mut Command) -> &mut Command {
    command
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_STEP_SUMMARY")
}

/// The kubeward binary, to run in `cwd` with the plain environment.
pub(crate) fn command(cwd: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kubeward"));
    command.current_dir(cwd);
    plain_environment(&mut command);
    command
}

/// Runs kubeward with `args` in `cwd`.
pub(crate) fn kubeward(args: &[&str], cwd: &Path) -> Output {
    kubeward_with_env(args, cwd, &[])
}

/// Runs kubeward with `args` in the repository's folder (`fixtures/...` are relative paths).
pub(crate) fn kubeward_in_repo(args: &[&str]) -> Output {
    kubeward(args, &repo_path(""))
}

/// Runs kubeward with `args` in `cwd`, with extra environment variables.
pub(crate) fn kubeward_with_env(args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> Output {
    let mut command = command(cwd);
    command.args(args);
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("run kubeward")
}

/// Standard output, which must be UTF-8.
pub(crate) fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 stdout")
}

/// Standard error, which must be UTF-8.
pub(crate) fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("UTF-8 stderr")
}

/// Standard output as a JSON document.
pub(crate) fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "invalid JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// The rule of every finding line (`... [rule]`) of a human report, in order.
pub(crate) fn rules_fired(output: &Output) -> Vec<String> {
    stdout(output)
        .lines()
        .filter_map(|l| l.split_once('[').and_then(|(_, r)| r.split_once(']')))
        .map(|(rule, _)| rule.to_string())
        .collect()
}

/// A fresh, empty directory of the test's own, `<test binary>-<name>` under Cargo's
/// temporary directory for tests (tests run in parallel: each passes its own name).
pub(crate) fn tempdir(name: &str) -> PathBuf {
    let dir =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{}-{name}", env!("CARGO_CRATE_NAME")));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create the temporary directory");
    dir
}

/// Writes `text` to `dir/path`, creating the folders on the way; returns the file's path.
pub(crate) fn write(dir: &Path, path: &str, text: &str) -> PathBuf {
    let path = dir.join(path);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create the folder");
    }
    std::fs::write(&path, text).expect("write the file");
    path
}

/// A path in this repository (`fixtures/...`, `README.md`).
pub(crate) fn repo_path(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// The text of a file in this repository.
pub(crate) fn repo_file(path: &str) -> String {
    let path = repo_path(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// Lint options for `paths`, everything else at its default.
pub(crate) fn options<P: AsRef<Path>>(paths: &[P]) -> LintOptions {
    LintOptions {
        paths: paths
            .iter()
            .map(|p| p.as_ref().display().to_string())
            .collect(),
        ..LintOptions::default()
    }
}

/// Lints `paths` through the library, with the default options.
pub(crate) fn lint_paths<P: AsRef<Path>>(paths: &[P]) -> LintResult {
    let options = options(paths);
    lint(&options).unwrap_or_else(|e| panic!("linting {:?} failed: {e}", options.paths))
}
