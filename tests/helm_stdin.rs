//! `helm template ... | kubeward -` (issue 18): findings on a stream carrying Helm's
//! `# Source: <chart>/<path>` headers are reported under the templates' paths (in the folder of
//! `--stdin-filename`, else the current directory), at the line inside the template's rendered
//! output, and the message says so. The header is only a label: no file is opened by it.

// Test helpers unwrap and index like the tests (clippy.toml's allow-*-in-tests covers only
// `#[test]` functions).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use common::{command, json, repo_file, stdout, tempdir, write};
use serde_json::Value;

/// The test stream: a ServiceAccount, a Secret with a secret-named key, a Deployment running a
/// privileged container without limits and with a literal token in an env var, a Job with a
/// used and an unused suppression comment.
const RENDERED: &str = "tests/data/helm-stdin/rendered.yaml";
const SECRET_VALUES: [&str; 2] = ["Zq4vN8wLr2TkX7mPq3", "Xk9pL2mQ7vR4tY8wZ3nB6cD1"];
const SUFFIX: &str = " of this template's rendered output)";

/// Runs kubeward in `cwd` with `input` on stdin (written from a thread: the output may be
/// large).
fn run(args: &[&str], cwd: &Path, input: &str) -> Output {
    let mut child = command(cwd)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kubeward");
    let mut pipe = child.stdin.take().unwrap();
    let input = input.to_owned();
    let writer = std::thread::spawn(move || {
        // kubeward may stop reading early only on a usage error; ignore a broken pipe.
        let _ = pipe.write_all(input.as_bytes());
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

/// A scratch repository (a `.git` folder, so report paths are relative to it).
fn repo(name: &str) -> PathBuf {
    let dir = tempdir(name);
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    dir
}

fn compact_lines(out: &Output) -> Vec<String> {
    stdout(out).lines().map(str::to_owned).collect()
}

/// `path:line:column: severity[rule]` of every compact line, and its message.
fn located(out: &Output) -> Vec<(String, String)> {
    compact_lines(out)
        .iter()
        .filter_map(|l| {
            let (place, message) = l.split_once("] ")?;
            Some((format!("{place}]"), message.to_owned()))
        })
        .collect()
}

#[test]
fn findings_name_the_templates_at_their_rendered_lines() {
    let dir = repo("own");
    let out = run(&["--format", "compact", "-"], &dir, &repo_file(RENDERED));
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let found = located(&out);
    let places: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        places,
        [
            "templates/deployment.yaml:17:11: warning[missing-limits]",
            "templates/deployment.yaml:17:11: warning[missing-requests]",
            "templates/deployment.yaml:17:17: warning[missing-liveness-probe]",
            "templates/deployment.yaml:20:25: warning[pod-security]",
            "templates/deployment.yaml:23:22: error[plaintext-secret-env]",
            "templates/job.yaml:14:48: info[unused-suppression]",
            "templates/secret.yaml:2:1: error[committed-secret]",
        ],
        "{}",
        stdout(&out)
    );
    // Every message says which rendered line it is (the template's own line is not known).
    for (place, message) in &found {
        let line = place.split(':').nth(1).unwrap();
        assert!(
            message.ends_with(&format!(" (line {line}{SUFFIX}")),
            "{place} {message}"
        );
    }
    // The suppression comment rendered into the Job still hides `latest-image-tag`.
    assert!(!stdout(&out).contains("latest-image-tag"));
}

#[test]
fn json_sarif_and_github_carry_the_template_paths() {
    let dir = repo("formats");
    let input = repo_file(RENDERED);
    let report = json(&run(&["--format", "json", "-"], &dir, &input));
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 7);
    let privileged = findings
        .iter()
        .find(|f| f["rule"] == "pod-security")
        .unwrap();
    assert_eq!(privileged["path"], "templates/deployment.yaml");
    assert_eq!(privileged["line"], 20);
    assert_eq!(privileged["column"], 25);
    assert_eq!(privileged["object"]["name"], "app");
    let secret = findings
        .iter()
        .find(|f| f["rule"] == "committed-secret")
        .unwrap();
    assert_eq!(secret["path"], "templates/secret.yaml");
    assert_eq!(secret["line"], 2);
    // The four templates are the files; stdin itself is not one.
    assert_eq!(report["summary"]["files"], 4);
    assert_eq!(report["summary"]["objects"], 4);

    let sarif = json(&run(&["--format", "sarif", "-"], &dir, &input));
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 7);
    let mut uris: Vec<(String, u64)> = results
        .iter()
        .map(|r| {
            let physical = &r["locations"][0]["physicalLocation"];
            (
                physical["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                physical["region"]["startLine"].as_u64().unwrap(),
            )
        })
        .collect();
    uris.dedup();
    assert_eq!(
        uris,
        [
            ("templates/deployment.yaml".to_owned(), 17),
            ("templates/deployment.yaml".to_owned(), 20),
            ("templates/deployment.yaml".to_owned(), 23),
            ("templates/job.yaml".to_owned(), 14),
            ("templates/secret.yaml".to_owned(), 2),
        ]
    );

    let github = stdout(&run(&["--format", "github", "-"], &dir, &input));
    assert!(
        github.contains(
            "::warning file=templates/deployment.yaml,line=20,col=25,endLine=20,endColumn=29,title=pod-security::"
        ),
        "{github}"
    );
    assert!(!github.contains("<stdin>"), "{github}");
    assert_eq!(github.matches("file=templates/").count(), 7, "{github}");
}

#[test]
fn stdin_filename_places_the_templates_in_its_folder() {
    let dir = repo("stdin-filename");
    let input = repo_file(RENDERED);
    let args = [
        "--format",
        "compact",
        "--stdin-filename",
        "charts/app/rendered.yaml",
        "-",
    ];
    let out = run(&args, &dir, &input);
    let found = located(&out);
    assert_eq!(found.len(), 7, "{}", stdout(&out));
    assert!(
        found
            .iter()
            .all(|(p, _)| p.starts_with("charts/app/templates/")),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|(p, _)| p == "charts/app/templates/deployment.yaml:20:25: warning[pod-security]")
    );
    let sarif = json(&run(
        &[
            "--format",
            "sarif",
            "--stdin-filename",
            "./charts/app/rendered.yaml",
            "-",
        ],
        &dir,
        &input,
    ));
    assert_eq!(
        sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "charts/app/templates/deployment.yaml"
    );
}

#[test]
fn secret_values_are_never_printed() {
    let dir = repo("secrets");
    let input = repo_file(RENDERED);
    for value in SECRET_VALUES {
        assert!(input.contains(value), "the fixture holds {value}");
    }
    let mut human = String::new();
    for format in ["human", "compact", "json", "sarif", "github", "junit"] {
        let out = run(&["--format", format, "-"], &dir, &input);
        let text = format!("{}{}", stdout(&out), String::from_utf8_lossy(&out.stderr));
        for value in SECRET_VALUES {
            assert!(!text.contains(value), "{format} prints {value}:\n{text}");
        }
        if format == "human" {
            human = text;
        }
    }
    // The human snippet shows the rendered line, its value masked at the same width.
    assert!(
        human.contains(&format!(
            " 23 │               value: {}",
            "*".repeat(SECRET_VALUES[1].len() + 2)
        )),
        "{human}"
    );
    assert!(
        human.contains("╭─[templates/deployment.yaml:23:22]"),
        "{human}"
    );
}

#[test]
fn baselines_match_the_template_findings_from_any_folder() {
    let dir = repo("baseline");
    let input = repo_file(RENDERED);
    let out = run(&["--write-baseline", "baseline.json", "-"], &dir, &input);
    assert_eq!(out.status.code(), Some(0));
    let baseline = std::fs::read_to_string(dir.join("baseline.json")).unwrap();
    assert!(
        baseline.contains("\"templates/deployment.yaml\""),
        "{baseline}"
    );
    for value in SECRET_VALUES {
        assert!(!baseline.contains(value));
    }
    let out = run(
        &["--format", "compact", "--baseline", "baseline.json", "-"],
        &dir,
        &input,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(located(&out).len(), 0);
    // From a subfolder, with `--stdin-filename` naming the same folder: the same keys.
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    let out = run(
        &[
            "--format",
            "json",
            "--baseline",
            "../baseline.json",
            "--stdin-filename",
            "../rendered.yaml",
            "-",
        ],
        &dir.join("sub"),
        &input,
    );
    let report = json(&out);
    assert_eq!(report["findings"].as_array().unwrap().len(), 0, "{report}");
    assert_eq!(report["summary"]["baseline"]["hidden"], 7, "{report}");
}

#[test]
fn without_headers_stdin_is_reported_as_before() {
    let dir = repo("no-headers");
    let headed = repo_file(RENDERED);
    let plain: String = headed
        .lines()
        .map(|l| {
            if l.starts_with("# Source: ") {
                "# rendered\n".to_owned()
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    let out = run(&["--format", "compact", "-"], &dir, &plain);
    let found = located(&out);
    assert_eq!(found.len(), 7, "{}", stdout(&out));
    assert!(
        found
            .iter()
            .all(|(p, m)| p.starts_with("<stdin>:") && !m.ends_with(SUFFIX))
    );
    // Stream lines: the privileged flag is on line 37 of the stream.
    assert!(
        found
            .iter()
            .any(|(p, _)| p == "<stdin>:37:25: warning[pod-security]")
    );
    // The same findings, rule for rule, as with the headers: the stream is one input either
    // way.
    let rules = |out: &Output| {
        let mut rules: Vec<String> = located(out)
            .into_iter()
            .map(|(p, _)| p.split_once(' ').unwrap().1.to_owned())
            .collect();
        rules.sort();
        rules
    };
    assert_eq!(
        rules(&out),
        rules(&run(&["--format", "compact", "-"], &dir, &headed))
    );
}

#[test]
fn documents_without_a_usable_header_stay_on_stdin() {
    let dir = repo("mixed");
    // A file on disk where a template's label points: never read (the snippet shows the
    // rendered text), and one at the place a `..` header would name.
    write(&dir, "templates/pod.yaml", "ON DISK ONLY\n");
    write(&dir, "etc/passwd", "root:x:0:0\n");
    let pod = |name: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  containers:\n  - name: a\n    image: nginx:latest\n    resources: {{limits: {{cpu: 1, memory: 1Gi}}}}\n"
        )
    };
    let stream = format!(
        "{}---\n# Source: ../../etc/passwd\n{}---\n# Source: chart/../../etc/passwd\n{}---\n# Source: /etc/passwd\n{}---\n# Source: chart/templates/pod.yaml\n{}",
        pod("first"),
        pod("up"),
        pod("up-in-chart"),
        pod("absolute"),
        pod("templated")
    );
    let work = dir.join("work/deeper");
    std::fs::create_dir_all(&work).unwrap();
    let out = run(&["--format", "json", "-"], &work, &stream);
    let report = json(&out);
    let findings = report["findings"].as_array().unwrap();
    let by_object: BTreeMap<String, (String, u64)> = findings
        .iter()
        .filter(|f| f["rule"] == "latest-image-tag")
        .map(|f| {
            (
                f["object"]["name"].as_str().unwrap().to_owned(),
                (
                    f["path"].as_str().unwrap().to_owned(),
                    f["line"].as_u64().unwrap(),
                ),
            )
        })
        .collect();
    let stdin = "<stdin>".to_owned();
    assert_eq!(by_object["first"], (stdin.clone(), 8));
    assert_eq!(by_object["up"], (stdin.clone(), 19));
    assert_eq!(by_object["up-in-chart"], (stdin.clone(), 30));
    assert_eq!(by_object["absolute"], (stdin, 41));
    assert_eq!(by_object["templated"], ("templates/pod.yaml".to_owned(), 8));
    let text = out
        .stdout
        .iter()
        .map(|b| char::from(*b))
        .collect::<String>();
    assert!(!text.contains("passwd"), "{text}");
    // Stdin still holds documents of its own: it is a reported file, beside the template.
    assert_eq!(report["summary"]["files"], 2);

    let human = stdout(&run(&["--color", "never", "-"], &work, &stream));
    assert!(
        human.contains("╭─[templates/pod.yaml:8:12]")
            && human.contains(" 8 │     image: nginx:latest"),
        "{human}"
    );
    assert!(!human.contains("ON DISK ONLY") && !human.contains("root:x"));
}

#[test]
fn headers_without_documents() {
    let dir = repo("empty-headers");
    let stream = "---\n# Source: c/templates/a.yaml\n---\n# Source: c/templates/b.yaml\n---\n---\n# Source: c/templates/c.yaml";
    let out = run(&["--format", "json", "-"], &dir, stream);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let report = json(&out);
    assert_eq!(report["findings"].as_array().unwrap().len(), 0, "{report}");
    assert_eq!(report["summary"]["files"], 3);
    // A header only, then a document of its own template.
    let stream = format!(
        "---\n# Source: c/templates/a.yaml\n---\n# Source: c/templates/pod.yaml\n{}",
        common::LATEST_POD
    );
    let out = run(&["--format", "compact", "-"], &dir, &stream);
    assert!(
        stdout(&out).starts_with("templates/pod.yaml:8:14: warning[latest-image-tag]"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_hundred_thousand_headers() {
    let dir = repo("many");
    // As many templates as headers, then one pod.
    let mut stream: String = (0..100_000)
        .map(|i| format!("---\n# Source: c/templates/t{i}.yaml\n"))
        .collect();
    stream.push_str("---\n# Source: c/templates/pod.yaml\n");
    stream.push_str(common::LATEST_POD);
    let out = run(&["--format", "compact", "-"], &dir, &stream);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        compact_lines(&out),
        [format!(
            "templates/pod.yaml:8:14: warning[latest-image-tag] image `nginx` has no tag, so it means `:latest`: which image runs depends on when each node pulled it (line 8{SUFFIX}"
        )]
    );
    // One template with a hundred thousand documents: its text is all of them, joined by
    // `---` lines, so the pod is far down it.
    let mut stream: String = (0..100_000)
        .map(|_| "---\n# Source: c/templates/same.yaml\n# nothing\n".to_owned())
        .collect();
    stream.push_str("---\n# Source: c/templates/same.yaml\n");
    stream.push_str(common::LATEST_POD);
    let out = run(&["--format", "compact", "-"], &dir, &stream);
    assert_eq!(out.status.code(), Some(0));
    let lines = compact_lines(&out);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("templates/same.yaml:200008:14: warning[latest-image-tag]"),
        "{lines:?}"
    );
}

/// Helm's own `helm template` goldens (../shared/oracles/helm/v3/testdata/output), piped in.
fn goldens() -> Option<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let found = [
        manifest.join("../shared/oracles/helm/v3/testdata/output"),
        manifest.join("../../shared/oracles/helm/v3/testdata/output"),
    ]
    .into_iter()
    .find(|p| p.is_dir());
    if found.is_none() {
        eprintln!(
            "note: ../shared/oracles/helm is absent: the `helm template` golden stdin tests are skipped"
        );
    }
    found
}

/// Each template's rendered text, as the test reads the stream itself: the documents after
/// each `# Source: chart/<path>` line, joined by `---` lines.
fn rendered_templates(stream: &str) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    let mut after_separator = false;
    for line in stream.lines() {
        if line == "---" {
            after_separator = true;
            continue;
        }
        if after_separator && let Some(name) = line.strip_prefix("# Source: ") {
            let template = name.split_once('/').unwrap().1.to_owned();
            let lines = out.entry(template.clone()).or_default();
            if !lines.is_empty() {
                lines.push("---".to_owned());
            }
            current = Some(template);
            after_separator = false;
            continue;
        }
        if after_separator && let Some(template) = &current {
            // A document without a header continues its template (a CRD file's).
            out.get_mut(template).unwrap().push("---".to_owned());
        }
        after_separator = false;
        if let Some(template) = &current {
            out.get_mut(template).unwrap().push(line.to_owned());
        }
    }
    out
}

#[test]
fn helm_goldens_name_their_templates() {
    let Some(dir) = goldens() else { return };
    let work = repo("goldens");
    let mut checked = 0;
    let mut findings_seen = 0;
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let stream = std::fs::read_to_string(&path).unwrap();
        if stream.contains("Error: ") || !stream.contains("# Source: ") {
            continue;
        }
        let templates = rendered_templates(&stream);
        let report = json(&run(&["--format", "json", "-"], &work, &stream));
        let findings = report["findings"].as_array().unwrap();
        for f in findings {
            let file = f["path"].as_str().unwrap();
            let line = f["line"].as_u64().unwrap() as usize;
            let rendered = templates
                .get(file)
                .unwrap_or_else(|| panic!("{path:?}: {file} is not a template: {f}"));
            assert!(line >= 1 && line <= rendered.len().max(1), "{path:?} {f}");
            let message = f["message"].as_str().unwrap();
            assert!(
                message.ends_with(&format!(" (line {line}{SUFFIX}")),
                "{path:?} {f}"
            );
            // The line is the one the finding is about in the rendered text.
            if f["rule"] == "latest-image-tag" {
                assert!(rendered[line - 1].contains("image:"), "{path:?} {f}");
            }
            findings_seen += 1;
        }
        // One input for the rules: the same findings as the stream without its headers.
        let plain = stream.replace("\n# Source: ", "\n# rendered from ");
        let without = json(&run(&["--format", "json", "-"], &work, &plain));
        let rules = |findings: &Vec<Value>| {
            let mut rules: Vec<String> = findings
                .iter()
                .map(|f| format!("{} {}", f["rule"], f["object"]))
                .collect();
            rules.sort();
            rules
        };
        assert_eq!(
            rules(findings),
            rules(without["findings"].as_array().unwrap()),
            "{path:?}"
        );
        assert!(
            without["findings"]
                .as_array()
                .unwrap()
                .iter()
                .all(|f| f["path"] == "<stdin>")
        );
        checked += 1;
    }
    assert!(checked >= 15, "{checked}");
    assert!(findings_seen > 0);
    // One in detail: the subchart's Service and the test hook's container.
    let stream = std::fs::read_to_string(dir.join("template.txt")).unwrap();
    let out = run(&["--format", "compact", "-"], &work, &stream);
    let text = stdout(&out);
    assert!(
        text.contains("charts/subcharta/templates/service.yaml:14:3: warning[dangling-service]"),
        "{text}"
    );
    assert!(
        text.contains("templates/tests/test-nothing.yaml:10:14: warning[latest-image-tag]"),
        "{text}"
    );
}
