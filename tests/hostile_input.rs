//! Issue 14, hostile input that costs time or memory, and positions/recovery on odd input: each
//! case runs kubeward as a child process under a CPU-time limit (`RLIMIT_CPU`, not a wall
//! clock: the kernel kills a child that used more CPU than that, whatever the machine's load)
//! and measures its peak RSS (`wait4`). A run that goes over either bound fails the test.

// setrlimit and wait4 through libc: Cargo.toml denies unsafe code, the library and the binary
// forbid it; only the test harnesses make system calls themselves.
#![allow(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;

use common::measured::{mkfifo, wait_with_rusage};
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const MIB: u64 = 1024 * 1024;

/// A pod that only `latest-image-tag` fires on.
const POD: &str = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: nginx\n      resources:\n        limits: {cpu: 100m, memory: 64Mi}\n  restartPolicy: Never\n";

struct Run {
    /// Exit code; `None` when a signal killed it (the CPU limit sends SIGKILL/SIGXCPU).
    code: Option<i32>,
    signal: Option<i32>,
    stdout: String,
    stderr: String,
    peak_rss: u64,
}

impl Run {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("invalid JSON ({e}): {}\n{}", self.stdout, self.stderr))
    }

    /// (path, rule, line, message) of every finding of a JSON report.
    fn findings(&self) -> Vec<(String, String, u64, String)> {
        self.json()["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| {
                (
                    f["path"].as_str().unwrap_or_default().to_string(),
                    f["rule"].as_str().unwrap_or_default().to_string(),
                    f["line"].as_u64().unwrap_or_default(),
                    f["message"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    }

    fn rules(&self) -> Vec<String> {
        self.findings().into_iter().map(|f| f.1).collect()
    }

    /// Finished in its limits, with a normal exit code and no panic.
    fn assert_clean(&self, what: &str) {
        assert_eq!(
            self.signal, None,
            "{what}: killed by signal {:?} (over its CPU-time limit?)\nstderr: {}",
            self.signal, self.stderr
        );
        assert!(
            matches!(self.code, Some(0 | 1)),
            "{what}: exit {:?}\nstderr: {}",
            self.code,
            self.stderr
        );
        assert!(!self.stderr.contains("panicked"), "{}", self.stderr);
        assert!(!self.stdout.contains("internal-error"), "{}", self.stdout);
    }

    fn assert_rss_below(&self, bound: u64, what: &str) {
        assert!(
            self.peak_rss <= bound,
            "{what}: peak RSS {} MiB > bound {} MiB",
            self.peak_rss / MIB,
            bound / MIB
        );
    }
}

/// Runs kubeward with at most `cpu_seconds` of CPU time (then the kernel kills it) and
/// `timeout` as a backstop against a child blocked without using CPU.
// The child is waited for with `wait4` (for its rusage), not `Child::wait`.
#[allow(clippy::zombie_processes)]
fn kubeward_limited(args: &[&str], cwd: &Path, cpu_seconds: u64, stdin: Option<&Path>) -> Run {
    // `timeout`: a backstop for a child blocked without using CPU (opening a FIFO nobody
    // writes); its 124 fails the test.
    let mut command = Command::new("timeout");
    command
        .arg("120")
        .arg(env!("CARGO_BIN_EXE_kubeward"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    match stdin {
        Some(path) => command.stdin(std::fs::File::open(path).unwrap()),
        None => command.stdin(Stdio::null()),
    };
    // SAFETY: setrlimit is async-signal-safe; it runs in the child between fork and exec.
    unsafe {
        command.pre_exec(move || {
            let limit = libc::rlimit {
                rlim_cur: cpu_seconds as libc::rlim_t,
                rlim_max: cpu_seconds as libc::rlim_t + 1,
            };
            if libc::setrlimit(libc::RLIMIT_CPU, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // Address space: a runaway allocation fails inside the child (an abort) instead
            // of taking the machine's memory.
            let memory = libc::rlimit {
                rlim_cur: 8 << 30,
                rlim_max: 8 << 30,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &memory) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = command.spawn().expect("spawn kubeward");
    let pid = child.id();
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = out.read_to_end(&mut s);
        s
    });
    let mut stderr = Vec::new();
    let _ = err.read_to_end(&mut stderr);
    let stdout = reader.join().expect("stdout reader");
    let (code, signal, peak_rss) = wait_with_rusage(pid);
    assert_ne!(code, Some(124), "kubeward {args:?} did not finish in 120 s");
    Run {
        code,
        signal,
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        peak_rss,
    }
}

fn kubeward(args: &[&str], cwd: &Path, cpu_seconds: u64) -> Run {
    kubeward_limited(args, cwd, cpu_seconds, None)
}

fn tempdir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("hostile-input-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Peak RSS of a run on one small file: the baseline the bounds below add to.
fn baseline_rss() -> u64 {
    let dir = tempdir("baseline");
    std::fs::write(dir.join("pod.yaml"), POD).unwrap();
    kubeward(&["pod.yaml"], &dir, 30).peak_rss
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Item 3: an `auths` key of 20 stars against a 60-character image host. A backtracking glob
/// tries C(80, 20) splits; the kubelet's per-label match is immediate.
#[test]
fn registry_globs_match_in_linear_time() {
    let dir = tempdir("glob");
    let config = format!(
        r#"{{"auths":{{"{}b.io":{{"auth":"{}"}}, "*.example.com":{{"auth":"{}"}}}}}}"#,
        "*".repeat(20),
        base64(b"u:p"),
        base64(b"u:p")
    );
    let text = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: regcred\ntype: kubernetes.io/dockerconfigjson\n\
         data:\n  .dockerconfigjson: {}\n---\n\
         apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      \
         image: {}.io/app:1.0\n      resources:\n        limits: {{cpu: 100m, memory: 64Mi}}\n    - name: side\n      \
         image: eu.example.com/app:1.0\n      resources:\n        limits: {{cpu: 100m, memory: 64Mi}}\n  restartPolicy: Never\n",
        base64(config.as_bytes()),
        "a".repeat(60)
    );
    std::fs::write(dir.join("glob.yaml"), text).unwrap();
    let run = kubeward(&["--format", "json", "glob.yaml"], &dir, 20);
    run.assert_clean("20-star registry key");
    // The `*.example.com` key serves the second image, which lists no pull secret: the
    // matcher still matches.
    let pull: Vec<_> = run
        .findings()
        .into_iter()
        .filter(|f| f.1 == "image-pull-secret-missing")
        .collect();
    assert_eq!(pull.len(), 1, "{}", run.stdout);
    assert!(pull[0].3.contains("eu.example.com"), "{}", pull[0].3);
}

/// The pod above with other line breaks.
fn pod_with_breaks(line_break: &str) -> String {
    POD.replace('\n', line_break)
}

/// Item 13: lone-CR line breaks give the same line in every format as in the human report,
/// and NEL (U+0085) line breaks, which libyaml (go-yaml) reads as line breaks, parse.
#[test]
fn lone_cr_and_nel_line_breaks_give_the_same_lines_in_every_format() {
    let dir = tempdir("line-breaks");
    std::fs::write(dir.join("cr.yaml"), pod_with_breaks("\r")).unwrap();
    std::fs::write(dir.join("nel.yaml"), pod_with_breaks("\u{85}")).unwrap();
    // `image: nginx` is on line 8, column 14.
    for file in ["cr.yaml", "nel.yaml"] {
        let human = kubeward(&[file], &dir, 30);
        human.assert_clean(file);
        assert!(
            human.stdout.contains(&format!("[{file}:8:14]")),
            "{file}: {}",
            human.stdout
        );
        let json = kubeward(&["--format", "json", file], &dir, 30);
        json.assert_clean(file);
        let found: Vec<_> = json.findings().into_iter().map(|f| (f.1, f.2)).collect();
        assert_eq!(found, [("latest-image-tag".to_string(), 8)], "{file}");
        let compact = kubeward(&["--format", "compact", file], &dir, 30);
        assert!(
            compact.stdout.starts_with(&format!("{file}:8:14: ")),
            "{file}: {}",
            compact.stdout
        );
        let github = kubeward(&["--format", "github", file], &dir, 30);
        assert!(
            github.stdout.contains(&format!("{file},line=8,col=14,")),
            "{file}: {}",
            github.stdout
        );
        let sarif = kubeward(&["--format", "sarif", file], &dir, 30);
        let sarif: serde_json::Value = serde_json::from_str(&sarif.stdout).unwrap();
        let region = &sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startLine"], 8, "{file}: {region}");
        assert_eq!(region["startColumn"], 14, "{file}: {region}");
    }
}

/// Item 14: a file with a pod, then a block scalar holding `{{ .Labels.x }}` (valid YAML:
/// alerting rules look like this), then a syntax error. The documents before the error are
/// linted and the error is a parse error, not a template; a Helm template that starts after a
/// plain document still has that document linted.
#[test]
fn documents_before_a_template_or_syntax_error_are_linted() {
    let dir = tempdir("template-prefix");
    // A committed-secret would not fire here: the test directory is git-ignored.
    let secret = POD;
    std::fs::write(
        dir.join("rules.yaml"),
        format!(
            "{secret}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: rules\ndata:\n  alert: |\n    \
             summary: {{{{ .Labels.x }}}}\n---\napiVersion: v1\nkind: Pod\nmetadata: [\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("chart.yaml"),
        format!(
            "{secret}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: {{{{ include \"x\" . }}}}\n{{{{- if .Values.y }}}}\nspec: {{}}\n{{{{- end }}}}\n"
        ),
    )
    .unwrap();
    let run = kubeward(&["--format", "json", "rules.yaml", "chart.yaml"], &dir, 30);
    run.assert_clean("template prefix");
    let found: Vec<(String, String, u64)> = run
        .findings()
        .into_iter()
        .map(|f| (f.0, f.1, f.2))
        .collect();
    let has = |path: &str, rule: &str, line: u64| {
        found
            .iter()
            .any(|f| f.0 == path && f.1 == rule && f.2 == line)
    };
    assert!(has("rules.yaml", "latest-image-tag", 8), "{found:?}");
    assert!(has("rules.yaml", "parse-error", 24), "{found:?}");
    assert!(
        !found
            .iter()
            .any(|f| f.1 == "template-skipped" && f.0 == "rules.yaml"),
        "{found:?}"
    );
    assert!(has("chart.yaml", "latest-image-tag", 8), "{found:?}");
    assert!(has("chart.yaml", "template-skipped", 16), "{found:?}");
}

/// Item 4, aliases: an anchored env entry with two mistakes, aliased 40 times in a container
/// that is itself aliased 100 times, reported twice (once per mistake) at the anchor, not
/// 8,000 times.
#[test]
fn a_problem_reached_through_aliases_is_reported_once_at_the_anchor() {
    let dir = tempdir("aliases");
    let mut text = String::from(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  initContainers:\n    - &c\n      \
         name: c\n      image: nginx:1\n      resources: {limits: {cpu: 1, memory: 1Gi}}\n      env:\n        \
         - &e {name: a, value: 1, bogus: 2}\n",
    );
    text.push_str(&"        - *e\n".repeat(39));
    text.push_str(&format!("  containers: [{}]\n", vec!["*c"; 100].join(", ")));
    text.push_str("  restartPolicy: Never\n");
    std::fs::write(dir.join("aliases.yaml"), text).unwrap();
    let run = kubeward(&["--format", "json", "aliases.yaml"], &dir, 60);
    run.assert_clean("aliases");
    let found: Vec<_> = run
        .findings()
        .into_iter()
        .filter(|f| f.1 == "schema-violation")
        .collect();
    assert_eq!(found.len(), 2, "{found:?}");
    for (_, _, line, message) in &found {
        assert_eq!(*line, 12, "{message}");
        // 40 entries in each of 101 containers: 4,039 other places.
        assert!(
            message.contains("spec.initContainers[0].env[0]")
                && message.contains("also use it at 4039 other places"),
            "{message}"
        );
    }
}

/// Item 4, the engine's cap: 300 unknown fields in one object give 100 findings and a closing
/// "... and 200 more".
#[test]
fn findings_per_object_and_rule_are_capped() {
    let dir = tempdir("cap");
    let mut text = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: wide\n");
    for i in 0..300 {
        text.push_str(&format!("field{i:03}: x\n"));
    }
    text.push_str("---\n");
    text.push_str(POD);
    std::fs::write(dir.join("wide.yaml"), text).unwrap();
    let run = kubeward(&["--format", "json", "wide.yaml"], &dir, 60);
    run.assert_clean("cap");
    let found: Vec<_> = run
        .findings()
        .into_iter()
        .filter(|f| f.1 == "schema-violation")
        .collect();
    assert_eq!(found.len(), 101, "{}", found.len());
    assert!(found[99].3.contains("field099"), "{}", found[99].3);
    assert_eq!(found[100].2, 105);
    assert!(
        found[100]
            .3
            .starts_with("... and 200 more `schema-violation` findings in ConfigMap"),
        "{}",
        found[100].3
    );
    // The other object is linted as ever.
    assert!(run.rules().contains(&"latest-image-tag".to_string()));
}

/// Item 4, the lenient re-indent: 2 MB of under-indented lines in one quoted scalar, and
/// 20,000 quoted scalars each with an under-indented line (20,000 repairs), each parse in one
/// linear pass. Quadratic work (an insertion into the text per line, a re-parse per repair)
/// runs out of its CPU time.
#[test]
fn under_indented_quoted_scalars_are_repaired_in_one_pass() {
    let dir = tempdir("reindent");
    let lines = 2 * 1024 * 1024 / 11;
    let one = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\ndata:\n  a: \"start\n{}end\"\n  b: x\n",
        "under line\n".repeat(lines)
    );
    std::fs::write(dir.join("one.yaml"), one).unwrap();
    let mut many =
        String::from("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: many\ndata:\n");
    for i in 0..20_000 {
        many.push_str(&format!("  k{i}: \"x\ny\"\n"));
    }
    std::fs::write(dir.join("many.yaml"), many).unwrap();
    for file in ["one.yaml", "many.yaml"] {
        let run = kubeward(&["--format", "json", file], &dir, 20);
        run.assert_clean(file);
        assert_eq!(run.rules(), Vec::<String>::new(), "{file}: {}", run.stdout);
        assert_eq!(run.json()["summary"]["objects"], 1, "{file}");
        run.assert_rss_below(baseline_rss() + 256 * MIB, file);
    }
}

/// Item 5: the run's document budget. Two files of 1.2 million tiny documents each: the
/// first is linted, the second takes the run past 2 million documents and becomes a
/// `parse-error` saying so, within a memory bound, instead of the run growing without one.
#[test]
fn a_file_past_the_runs_document_budget_is_a_parse_error() {
    let dir = tempdir("budget");
    let tiny = "---\na: 1\n".repeat(1_200_000);
    std::fs::write(dir.join("a.yaml"), format!("{tiny}---\n{POD}")).unwrap();
    std::fs::write(dir.join("b.yaml"), &tiny).unwrap();
    drop(tiny);
    let run = kubeward(&["--format", "json", "a.yaml", "b.yaml"], &dir, 120);
    run.assert_clean("document budget");
    let found: Vec<_> = run
        .findings()
        .into_iter()
        .map(|f| (f.0, f.1, f.3))
        .collect();
    assert!(
        found
            .iter()
            .any(|f| f.0 == "a.yaml" && f.1 == "latest-image-tag"),
        "{found:?}"
    );
    let over: Vec<_> = found.iter().filter(|f| f.0 == "b.yaml").collect();
    assert_eq!(over.len(), 1, "{over:?}");
    assert_eq!(over[0].1, "parse-error");
    assert!(
        over[0].2.contains("memory budget of 2000000 documents"),
        "{}",
        over[0].2
    );
    run.assert_rss_below(baseline_rss() + 1024 * MIB, "document budget");
}

/// Item 5: 16 MB of `{}` (and a 15 MB JSON array of empty objects) took 1.4 and 2.4 GB: the
/// parser holds a flow collection's tokens until it closes. Past the budget of flow
/// collections a file is a parse-error, in little memory, and the neighbour is still linted.
#[test]
fn flow_collection_floods_are_refused_in_bounded_memory() {
    let dir = tempdir("flow-flood");
    std::fs::write(dir.join("braces.yaml"), "{}".repeat(8_000_000)).unwrap();
    let array = format!("[{}]", vec!["{}"; 5_000_000].join(","));
    std::fs::write(dir.join("array.json"), array).unwrap();
    std::fs::write(dir.join("pod.yaml"), POD).unwrap();
    // Named explicitly: a walked file that does not look like a manifest is not reported as
    // unparsable.
    let run = kubeward(
        &["--format", "json", "braces.yaml", "array.json", "pod.yaml"],
        &dir,
        120,
    );
    run.assert_clean("flow flood");
    let found: Vec<_> = run
        .findings()
        .into_iter()
        .map(|f| (f.0, f.1, f.3))
        .collect();
    for file in ["braces.yaml", "array.json"] {
        assert!(
            found
                .iter()
                .any(|f| f.0 == file && f.1 == "parse-error" && f.2.contains("flow collections")),
            "{file}: {found:?}"
        );
    }
    assert!(
        found
            .iter()
            .any(|f| f.0 == "pod.yaml" && f.1 == "latest-image-tag"),
        "{found:?}"
    );
    run.assert_rss_below(baseline_rss() + 400 * MIB, "flow flood");
}

/// Item 5: stdin, `--baseline` and policy files are read within the 256 MiB cap, and a FIFO
/// or a device given as a baseline or policy is refused (it would block, or never end).
#[test]
fn stdin_baselines_and_policies_are_bounded_and_must_be_regular_files() {
    let dir = tempdir("own-files");
    std::fs::write(dir.join("pod.yaml"), POD).unwrap();
    let run = kubeward_limited(&["-"], &dir, 60, Some(Path::new("/dev/zero")));
    assert_eq!(
        run.code,
        Some(2),
        "stdin /dev/zero: {:?} {}",
        run.signal,
        run.stderr
    );
    assert!(run.stderr.contains("larger than 256 MiB"), "{}", run.stderr);
    // 256 MiB read in 1 MiB chunks, never copied whole.
    run.assert_rss_below(baseline_rss() + 320 * MIB, "stdin /dev/zero");

    mkfifo(&dir.join("fifo"));
    for (flag, file) in [
        ("--baseline", "/dev/zero"),
        ("--baseline", "fifo"),
        ("--config", "/dev/zero"),
        ("--config", "fifo"),
    ] {
        let run = kubeward(&[flag, file, "pod.yaml"], &dir, 60);
        assert_eq!(
            run.code,
            Some(2),
            "{flag} {file}: {:?} {}",
            run.signal,
            run.stderr
        );
        assert!(
            run.stderr.contains("not a regular file"),
            "{flag} {file}: {}",
            run.stderr
        );
    }
    for file in ["/dev/zero", "fifo"] {
        std::fs::write(dir.join(".kubeward.yaml"), format!("policies: [{file}]\n")).unwrap();
        let run = kubeward(&["pod.yaml"], &dir, 60);
        assert_eq!(
            run.code,
            Some(2),
            "policy {file}: {:?} {}",
            run.signal,
            run.stderr
        );
        // A device outside the repository is refused for where it is (tests/paths.rs), a
        // FIFO inside it for what it is; either way nothing is read.
        let why = if file == "fifo" {
            "not a regular file"
        } else {
            "outside the config's repository"
        };
        assert!(run.stderr.contains(why), "policy {file}: {}", run.stderr);
    }
}

/// `-j` is bounded: each worker is a thread and an allocator heap, and `-j 100000` spent
/// minutes and gigabytes starting them. Past the bound it is a usage error, at once.
#[test]
fn thread_counts_past_the_bound_are_refused() {
    let dir = tempdir("threads");
    std::fs::write(dir.join("pod.yaml"), POD).unwrap();
    for threads in ["0", "257", "100000", "18446744073709551615"] {
        let run = kubeward(&["-j", threads, "pod.yaml"], &dir, 20);
        assert_eq!(
            run.code,
            Some(2),
            "-j {threads}: {:?} {}",
            run.signal,
            run.stderr
        );
        assert!(
            run.stderr.contains("--threads"),
            "-j {threads}: {}",
            run.stderr
        );
    }
    let run = kubeward(&["-j", "256", "--format", "compact", "pod.yaml"], &dir, 60);
    assert!(
        matches!(run.code, Some(0 | 1)),
        "-j 256: {:?} {}",
        run.signal,
        run.stderr
    );
}

/// A kustomization of 65,536 objects builds in time linear in its objects: the name-reference
/// step gathered every object's candidates by scanning all the others (138 s of CPU on this
/// input; a few seconds now). Bounded by the CPU limit of the run, not a wall-clock assertion.
#[test]
fn a_kustomization_of_many_objects_builds_within_its_cpu_bound() {
    let dir = tempdir("many-objects");
    let mut stream = String::new();
    for i in 0..65_536 {
        stream.push_str(&format!(
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}}}\ndata: {{a: b}}\n"
        ));
    }
    std::fs::write(dir.join("cms.yaml"), stream).unwrap();
    std::fs::write(dir.join("kustomization.yaml"), "resources: [cms.yaml]\n").unwrap();
    let run = kubeward(&["-j", "2", "--format", "json", "."], &dir, 60);
    assert!(
        matches!(run.code, Some(0 | 1)),
        "{:?} {}",
        run.signal,
        run.stderr
    );
    assert_eq!(run.json()["summary"]["objects"], 65_536, "{}", run.stderr);
}
