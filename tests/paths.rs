//! Paths, walks, config discovery and baselines (issue 14, items 6, 7, 8, 11 and 12): what
//! kubeward reads, what it refuses to read or overwrite, and that every way of naming a file
//! gives the same findings and fingerprints.
//!
//! The set-ups live under the system temporary directory, not under `target/`: `target/` is
//! inside this repository, and several tests need folders that are outside any repository.

// Test code: helpers outside `#[test]` functions may unwrap and index too.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const LATEST_POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: nginx
";

/// A fresh folder outside any repository.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kubeward-paths-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    assert!(
        !dir.ancestors().any(|d| d.join(".git").exists()),
        "{} must be outside any repository for this test",
        dir.display()
    );
    dir
}

fn write(dir: &Path, relative: &str, text: &str) {
    let path = dir.join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Makes `dir` a repository root (`.git` as a folder, or as a file as in worktrees).
fn make_repository(dir: &Path, as_file: bool) {
    if as_file {
        std::fs::write(dir.join(".git"), "gitdir: /nowhere\n").unwrap();
    } else {
        std::fs::create_dir_all(dir.join(".git")).unwrap();
    }
}

fn kubeward(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kubeward"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_STEP_SUMMARY")
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(out), stderr(out)))
}

/// `(path, rule)` of the findings of a JSON report, less the pod's resource and probe
/// warnings (every test pod has them).
fn rules(out: &Output) -> Vec<(String, String)> {
    json(out)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            let rule = f["rule"].as_str().unwrap();
            !rule.starts_with("missing-") && rule != "qos-class"
        })
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

// ---- item 6: config discovery and policy paths ----

#[test]
fn config_search_stops_at_the_repository_root() {
    let outer = scratch("config-root");
    // A config in a parent of the repository (a shared temporary directory, say) turns the
    // rule off: it must not apply inside the repository.
    write(
        &outer,
        ".kubeward.yaml",
        "rules:\n  latest-image-tag: off\n",
    );
    for (name, as_file) in [("repo", false), ("worktree", true)] {
        let repo = outer.join(name);
        std::fs::create_dir_all(repo.join("k8s")).unwrap();
        make_repository(&repo, as_file);
        write(&repo, "k8s/pod.yaml", LATEST_POD);
        for cwd in [repo.clone(), repo.join("k8s")] {
            let out = kubeward(&["--format", "json", "."], &cwd);
            assert_eq!(
                rules(&out)
                    .iter()
                    .filter(|r| r.1 == "latest-image-tag")
                    .count(),
                1,
                "{name} from {}: {}{}",
                cwd.display(),
                stdout(&out),
                stderr(&out)
            );
        }
    }
    // A config at the repository root is found from a subfolder.
    let repo = outer.join("repo");
    write(&repo, ".kubeward.yaml", "rules:\n  latest-image-tag: off\n");
    let out = kubeward(&["--format", "json", "."], &repo.join("k8s"));
    assert!(rules(&out).iter().all(|r| r.1 != "latest-image-tag"));
    let _ = std::fs::remove_dir_all(&outer);
}

#[test]
fn outside_a_repository_only_the_current_and_linted_folders_are_searched() {
    let outer = scratch("config-plain");
    write(
        &outer,
        ".kubeward.yaml",
        "rules:\n  latest-image-tag: off\n",
    );
    write(&outer, "sub/pod.yaml", LATEST_POD);
    // The parent's config is not read from `sub`.
    let out = kubeward(&["--format", "json", "."], &outer.join("sub"));
    assert_eq!(rules(&out).len(), 1, "{}", stdout(&out));
    // The linted folder's own config is read, wherever kubeward runs from.
    write(
        &outer,
        "proj/.kubeward.yaml",
        "rules:\n  latest-image-tag: off\n",
    );
    write(&outer, "proj/pod.yaml", LATEST_POD);
    std::fs::create_dir_all(outer.join("elsewhere")).unwrap();
    let out = kubeward(&["--format", "json", "../proj"], &outer.join("elsewhere"));
    assert_eq!(
        rules(&out),
        Vec::<(String, String)>::new(),
        "{}",
        stderr(&out)
    );
    let _ = std::fs::remove_dir_all(&outer);
}

#[test]
fn policies_outside_the_repository_are_refused_and_never_quoted() {
    let outer = scratch("policy-outside");
    let token = "ghp_0123456789abcdefTOKENTOKENTOKEN";
    write(
        &outer,
        "credentials",
        &format!("https://user:{token}@github.com\n"),
    );
    let repo = outer.join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    make_repository(&repo, false);
    write(&repo, "pod.yaml", LATEST_POD);
    write(&repo, ".kubeward.yaml", "policies:\n  - ../credentials\n");
    let out = kubeward(&["--format", "json", "."], &repo);
    assert_eq!(out.status.code(), Some(2));
    assert!(!stderr(&out).contains(token), "{}", stderr(&out));
    assert!(stderr(&out).contains("outside"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(".kubeward.yaml:2:5"),
        "{}",
        stderr(&out)
    );
    // A symlink inside the repository to the same file is refused too.
    std::os::unix::fs::symlink(outer.join("credentials"), repo.join("policy.yaml")).unwrap();
    write(&repo, ".kubeward.yaml", "policies:\n  - policy.yaml\n");
    let out = kubeward(&["--format", "json", "."], &repo);
    assert_eq!(out.status.code(), Some(2));
    assert!(!stderr(&out).contains(token), "{}", stderr(&out));
    assert!(stderr(&out).contains("outside"), "{}", stderr(&out));
    let _ = std::fs::remove_dir_all(&outer);
}

#[test]
fn errors_about_policy_and_baseline_files_never_quote_them() {
    let repo = scratch("policy-quote");
    make_repository(&repo, false);
    let token = "ghp_0123456789abcdefTOKENTOKENTOKEN";
    write(&repo, "pod.yaml", LATEST_POD);
    write(
        &repo,
        "creds.yaml",
        &format!("https://user:{token}@github.com\n"),
    );
    write(&repo, "creds2.yaml", &format!("{token}: 1\n"));
    for policy in ["creds.yaml", "creds2.yaml"] {
        write(&repo, ".kubeward.yaml", &format!("policies: [{policy}]\n"));
        let out = kubeward(&["--format", "json", "pod.yaml"], &repo);
        assert_eq!(out.status.code(), Some(2));
        assert!(!stderr(&out).contains(token), "{}", stderr(&out));
        assert!(stderr(&out).contains(policy), "{}", stderr(&out));
    }
    std::fs::remove_file(repo.join(".kubeward.yaml")).unwrap();
    write(
        &repo,
        "creds.json",
        &format!("{{\"version\": \"{token}\", \"findings\": []}}"),
    );
    let out = kubeward(&["--baseline", "creds.json", "pod.yaml"], &repo);
    assert_eq!(out.status.code(), Some(2));
    assert!(!stderr(&out).contains(token), "{}", stderr(&out));
    // Where: file, line and column.
    assert!(stderr(&out).contains("creds.json:1:"), "{}", stderr(&out));
    let _ = std::fs::remove_dir_all(&repo);
}

// ---- item 7: symlinks ----

#[test]
fn walks_skip_symlinks_and_count_them_but_named_links_are_read() {
    let outer = scratch("symlinks");
    let marker = "SECRET_ENVIRONMENT_VALUE_42";
    // Not YAML: reading it would print a parse-error snippet with the marker.
    write(&outer, "outside/environ", &format!("{marker}=x\n: : [\n"));
    let repo = outer.join("repo");
    write(&repo, "pod.yaml", LATEST_POD);
    std::os::unix::fs::symlink(outer.join("outside/environ"), repo.join("env.yaml")).unwrap();
    std::os::unix::fs::symlink(outer.join("outside"), repo.join("linked-dir")).unwrap();
    std::os::unix::fs::symlink("nowhere.yaml", repo.join("dangling.yaml")).unwrap();
    for format in ["human", "json", "compact"] {
        let out = kubeward(&["--format", format, "."], &repo);
        assert!(
            !stdout(&out).contains(marker) && !stderr(&out).contains(marker),
            "{format}: {}",
            stdout(&out)
        );
        assert!(!stdout(&out).contains("environ"), "{}", stdout(&out));
        assert!(!stdout(&out).contains("dangling"), "{}", stdout(&out));
    }
    let out = kubeward(&["--format", "human", "."], &repo);
    assert!(
        stdout(&out).contains("skipped 3 symlinks"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        rules(&kubeward(&["--format", "json", "."], &repo)),
        [("pod.yaml".to_string(), "latest-image-tag".to_string())]
    );
    // Named on the command line, a link is read (and reported under its own name).
    let out = kubeward(&["--format", "json", "env.yaml"], &repo);
    assert_eq!(
        rules(&out),
        [("env.yaml".to_string(), "parse-error".to_string())]
    );
    let _ = std::fs::remove_dir_all(&outer);
}

// ---- item 8: ignore files ----

#[test]
fn ignore_files_above_the_repository_root_are_not_read() {
    let outer = scratch("ignore-above");
    write(&outer, ".gitignore", "*.yaml\n");
    write(&outer, ".ignore", "*.yaml\n");
    let repo = outer.join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    make_repository(&repo, false);
    write(&repo, "k8s/pod.yaml", LATEST_POD);
    for cwd in [repo.clone(), repo.join("k8s")] {
        let out = kubeward(&["--format", "json", "."], &cwd);
        assert_eq!(rules(&out).len(), 1, "{}", stdout(&out));
    }
    // The repository's own ignore files count, from its root down, and the summary says so.
    write(&repo, ".gitignore", "generated/\n");
    write(&repo, "k8s/.ignore", "scratch.yaml\n");
    write(&repo, "generated/pod.yaml", LATEST_POD);
    write(&repo, "k8s/scratch.yaml", LATEST_POD);
    let out = kubeward(&["--format", "json", "."], &repo);
    assert_eq!(
        rules(&out),
        [("k8s/pod.yaml".to_string(), "latest-image-tag".to_string())]
    );
    // From a subfolder, the root's .gitignore still applies.
    let out = kubeward(&["--format", "json", "."], &repo.join("k8s"));
    assert_eq!(rules(&out).len(), 1, "{}", stdout(&out));
    let out = kubeward(&["--format", "human", "."], &repo);
    assert!(
        stdout(&out).contains("skipped 2 paths ignored (.gitignore/.ignore)"),
        "{}",
        stdout(&out)
    );
    let _ = std::fs::remove_dir_all(&outer);
}

// ---- item 11: --write-baseline ----

#[test]
fn write_baseline_refuses_what_is_not_a_baseline() {
    let dir = scratch("write-baseline");
    write(&dir, "pod.yaml", LATEST_POD);
    write(&dir, "notes.json", "{\"keep\": true}\n");
    write(&dir, "target.json", "{\"version\": 2, \"findings\": []}\n");
    std::os::unix::fs::symlink("target.json", dir.join("link.json")).unwrap();
    // A linted file, a file that is not a baseline, a symlink (even to a baseline).
    for (target, args) in [
        ("pod.yaml", vec!["--write-baseline", "pod.yaml", "pod.yaml"]),
        (
            "notes.json",
            vec!["--write-baseline", "notes.json", "pod.yaml"],
        ),
        (
            "target.json",
            vec!["--write-baseline", "link.json", "pod.yaml"],
        ),
    ] {
        let before = std::fs::read(dir.join(target)).unwrap();
        let out = kubeward(&args, &dir);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("refusing"), "{}", stderr(&out));
        assert_eq!(std::fs::read(dir.join(target)).unwrap(), before, "{target}");
    }
    assert!(
        std::fs::symlink_metadata(dir.join("link.json"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    // An existing baseline is replaced; nothing is left beside it.
    let out = kubeward(&["--write-baseline", "target.json", "pod.yaml"], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("target.json")).unwrap()).unwrap();
    assert!(
        written["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "latest-image-tag")
    );
    let names: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        ["link.json", "notes.json", "pod.yaml", "target.json"]
            .map(String::from)
            .into()
    );
    // A write error is reported as one.
    let out = kubeward(&["--write-baseline", "missing/b.json", "pod.yaml"], &dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot write"), "{}", stderr(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

// ---- item 12: one path per file ----

/// A repository where a LimitRange without `metadata.namespace` covers the pod beside it.
fn limitrange_repository(name: &str) -> PathBuf {
    let repo = scratch(name);
    make_repository(&repo, false);
    write(
        &repo,
        "k8s/lr.yaml",
        "apiVersion: v1
kind: LimitRange
metadata:
  name: limits
spec:
  limits:
    - type: Container
      max:
        cpu: 500m
      default:
        cpu: 200m
        memory: 64Mi
      defaultRequest:
        cpu: 100m
        memory: 64Mi
",
    );
    write(
        &repo,
        "k8s/pod.yaml",
        "apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: nginx:1.27
      resources:
        limits:
          cpu: '2'
",
    );
    repo
}

/// `(path, rule, line, column, message, fingerprint)` of every finding.
fn findings(out: &Output) -> BTreeSet<(String, String, u64, u64, String, String)> {
    json(out)["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_string(),
                f["rule"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_string(),
                f["fingerprint"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn the_hook_and_a_whole_run_agree() {
    let repo = limitrange_repository("hook");
    let whole = kubeward(&["--format", "json", "."], &repo);
    let pod: BTreeSet<_> = findings(&whole)
        .into_iter()
        .filter(|f| f.0 == "k8s/pod.yaml")
        .collect();
    assert!(pod.iter().any(|f| f.1 == "limitrange-violation"), "{pod:?}");
    for args in [
        vec!["--context", ".", "k8s/pod.yaml"],
        vec!["--context", ".", "./k8s/pod.yaml"],
        vec!["--context", "./", "k8s/../k8s/pod.yaml"],
        vec!["--context", "k8s", "k8s/pod.yaml"],
        vec!["k8s/pod.yaml", "k8s/lr.yaml"],
        vec!["./k8s"],
    ] {
        let mut full = vec!["--format", "json"];
        full.extend(&args);
        let out = kubeward(&full, &repo);
        let got: BTreeSet<_> = findings(&out)
            .into_iter()
            .filter(|f| f.0 == "k8s/pod.yaml")
            .collect();
        assert_eq!(got, pod, "{args:?}");
    }
    let _ = std::fs::remove_dir_all(&repo);
}

/// Files the whole run's walk does not read (hidden, ignored by `.ignore` or `.gitignore`, a
/// symlink) are not linted by the hook either when they lie under its `--context` folder: both
/// report nothing for them. Named without `--context` they are linted, as asked.
#[test]
fn the_hook_skips_what_the_whole_run_does_not_read() {
    let repo = limitrange_repository("hook-unwalked");
    let pod = std::fs::read_to_string(repo.join("k8s/pod.yaml")).unwrap();
    write(&repo, ".ignore", "vendored/\n");
    write(&repo, ".gitignore", "generated/\n");
    for file in [
        ".hidden/pod.yaml",
        "vendored/pod.yaml",
        "generated/pod.yaml",
    ] {
        write(&repo, file, &pod);
    }
    #[cfg(unix)]
    std::os::unix::fs::symlink("pod.yaml", repo.join("k8s/link.yaml")).unwrap();
    let whole = findings(&kubeward(&["--format", "json", "."], &repo));
    assert!(whole.iter().any(|f| f.0 == "k8s/pod.yaml"), "{whole:?}");
    for file in [
        ".hidden/pod.yaml",
        "vendored/pod.yaml",
        "generated/pod.yaml",
        #[cfg(unix)]
        "k8s/link.yaml",
    ] {
        assert!(!whole.iter().any(|f| f.0 == file), "{file}: {whole:?}");
        let out = kubeward(&["--format", "json", "--context", ".", file], &repo);
        let hook = findings(&out);
        assert!(!hook.iter().any(|f| f.0 == file), "{file}: {hook:?}");
        let human = kubeward(&["--context", ".", file], &repo);
        assert!(
            stdout(&human).contains("that the --context walk does not read"),
            "{file}: {}",
            stdout(&human)
        );
        // Named on its own, the file is linted.
        let alone = findings(&kubeward(&["--format", "json", file], &repo));
        assert!(alone.iter().any(|f| f.0 == file), "{file}: {alone:?}");
    }
    // A file the walk reads, named beside them, is still reported as the whole run reports it.
    let both = findings(&kubeward(
        &[
            "--format",
            "json",
            "--context",
            ".",
            "k8s/pod.yaml",
            "vendored/pod.yaml",
        ],
        &repo,
    ));
    let want: BTreeSet<_> = whole
        .into_iter()
        .filter(|f| f.0 == "k8s/pod.yaml")
        .collect();
    assert_eq!(both, want);
    let _ = std::fs::remove_dir_all(&repo);
}

#[test]
fn a_baseline_from_the_root_matches_from_a_subfolder_and_with_context() {
    let repo = limitrange_repository("baseline-paths");
    let out = kubeward(&["--write-baseline", ".kubeward-baseline.json", "."], &repo);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let baseline: serde_json::Value =
        serde_json::from_slice(&std::fs::read(repo.join(".kubeward-baseline.json")).unwrap())
            .unwrap();
    assert_eq!(baseline["version"], 2);
    let recorded = baseline["findings"].as_array().unwrap().len();
    assert!(recorded > 0);
    let k8s = repo.join("k8s");
    for (cwd, args) in [
        (&repo, vec!["."]),
        (&k8s, vec!["."]),
        (&k8s, vec!["--context", "..", "pod.yaml"]),
        (&repo, vec!["--context", ".", "./k8s/pod.yaml"]),
    ] {
        let baseline_path = repo.join(".kubeward-baseline.json");
        let mut full = vec![
            "--format",
            "json",
            "--baseline",
            baseline_path.to_str().unwrap(),
        ];
        full.extend(&args);
        let out = kubeward(&full, cwd);
        let report = json(&out);
        assert_eq!(
            report["findings"],
            serde_json::json!([]),
            "{} {args:?}",
            cwd.display()
        );
    }
    // A version 1 baseline is still read.
    let mut old = baseline.clone();
    old["version"] = serde_json::json!(1);
    std::fs::write(repo.join("old.json"), old.to_string()).unwrap();
    let out = kubeward(&["--format", "json", "--baseline", "old.json", "."], &repo);
    assert_eq!(
        json(&out)["findings"],
        serde_json::json!([]),
        "{}",
        stderr(&out)
    );
    let _ = std::fs::remove_dir_all(&repo);
}

/// The invariant over real manifests: for a deterministic sample of the corpus's files F, the
/// findings for F from `kubeward --context <corpus> F` equal those for F from `kubeward
/// <corpus>`, whichever way F is named. (The whole corpus: `python3 bench/context_invariant.py`.)
#[test]
fn context_runs_agree_with_whole_runs_on_the_corpus() {
    let corpus = std::env::var_os("KUBEWARD_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus"));
    if !corpus.is_dir() {
        eprintln!(
            "SKIPPED: no ../shared/corpus and no $KUBEWARD_CORPUS: the corpus invariant was not checked"
        );
        return;
    }
    let cwd = Path::new(env!("CARGO_MANIFEST_DIR"));
    // Two of the corpus's projects, small enough for a debug build.
    for project in [
        "kubernetes__examples",
        "fluxcd__flux2-kustomize-helm-example",
    ] {
        let root = corpus.join(project);
        if !root.is_dir() {
            eprintln!("SKIPPED: {} is absent", root.display());
            continue;
        }
        let root_arg = root.to_str().unwrap();
        let whole = findings(&kubeward(&["--format", "json", root_arg], cwd));
        let mut files: Vec<PathBuf> = walk(&root);
        files.sort();
        let step = (files.len() / 8).max(1);
        for (i, file) in files.iter().step_by(step).enumerate() {
            let relative = file.strip_prefix(&root).unwrap();
            // Vary the form: absolute, `./`-prefixed from the project, with a `..` detour.
            let (run_cwd, named) = match i % 3 {
                0 => (cwd.to_path_buf(), file.display().to_string()),
                1 => (root.clone(), format!("./{}", relative.display())),
                _ if relative.iter().count() > 1 => (
                    root.clone(),
                    format!(
                        "{}/../{}",
                        relative.iter().next().unwrap().to_string_lossy(),
                        relative.display()
                    ),
                ),
                _ => (root.clone(), relative.display().to_string()),
            };
            let out = kubeward(
                &["--format", "json", "--context", root_arg, &named],
                &run_cwd,
            );
            let shown = kubeward::discover::display_name(
                file,
                &kubeward::discover::PathBase::from_dir(cwd),
            );
            let expected: BTreeSet<_> = whole.iter().filter(|f| f.0 == shown).cloned().collect();
            // Paths are shown relative to where kubeward ran, and outside a repository the
            // fingerprints' paths too: from elsewhere, compare without them.
            let same_cwd = run_cwd == cwd;
            let strip = |set: BTreeSet<(String, String, u64, u64, String, String)>| {
                set.into_iter()
                    .map(|f| {
                        let print = if same_cwd { f.5 } else { String::new() };
                        let path = if same_cwd { f.0 } else { String::new() };
                        (path, f.1, f.2, f.3, f.4, print)
                    })
                    .collect::<BTreeSet<_>>()
            };
            let got = findings(&out);
            assert_eq!(
                strip(got),
                strip(expected),
                "{named} from {}",
                run_cwd.display()
            );
        }
    }
}

/// The manifests a walk reads (hidden folders skipped), without following symlinks.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        let kind = entry.file_type().unwrap();
        if entry.file_name().to_string_lossy().starts_with('.') || kind.is_symlink() {
            continue;
        }
        if kind.is_dir() {
            out.extend(walk(&path));
        } else if ["yaml", "yml", "json"]
            .iter()
            .any(|e| path.extension().is_some_and(|x| x == *e))
        {
            out.push(path);
        }
    }
    out
}
