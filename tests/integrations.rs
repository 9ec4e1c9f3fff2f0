//! The integration formats (SARIF, GitHub workflow commands and job summary, JUnit) and
//! `--context`: golden snapshots of each format on a small repository, the SARIF log validated
//! against the official 2.1.0 schema, the JUnit XML parsed and counted, and the escaping GitHub
//! requires.

// Test code: helpers outside `#[test]` functions may unwrap, index and slice too (clippy.toml's
// allow-*-in-tests covers only `#[test]` functions and `#[cfg(test)]` modules).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use std::path::PathBuf;

use kubeward::lint::lint_with_context;

use common::{
    BROKEN, LATEST_POD, PINNED_POD, kubeward, kubeward_with_env, options, stdout, tempdir,
};

/// A Secret whose value sits on a line with a finding: no machine format may print it.
const SECRET_DUPLICATE: &str = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: hunter2-first\n  password: hunter2-second\n";

/// A small repository: a `.git` directory marks its root; kubeward runs from `deploy/`, so
/// every path in a report must be made repository-relative. One path has a space, a comma and
/// a colon (escaped in GitHub properties, percent-encoded in SARIF URIs).
fn repository(name: &str) -> PathBuf {
    let repo = tempdir(name);
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::create_dir_all(repo.join("deploy/odd dir")).unwrap();
    std::fs::write(repo.join("deploy/web.yaml"), LATEST_POD).unwrap();
    std::fs::write(repo.join("deploy/ok.yaml"), PINNED_POD).unwrap();
    std::fs::write(repo.join("deploy/broken.yaml"), BROKEN).unwrap();
    std::fs::write(repo.join("deploy/secret.yaml"), SECRET_DUPLICATE).unwrap();
    std::fs::write(repo.join("deploy/odd dir/a,b:c.yaml"), LATEST_POD).unwrap();
    repo
}

fn sarif_schema() -> serde_json::Value {
    serde_json::from_str(&common::repo_file("tests/schemas/sarif-schema-2.1.0.json")).unwrap()
}

fn schema_errors(validator: &jsonschema::Validator, instance: &serde_json::Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn sarif_validator() -> jsonschema::Validator {
    jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&sarif_schema())
        .expect("the SARIF schema compiles")
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let repo = repository("sarif-schema");
    let out = kubeward(&["--format", "sarif", "."], &repo.join("deploy"));
    assert_eq!(out.status.code(), Some(1));
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let validator = sarif_validator();
    assert_eq!(schema_errors(&validator, &log), Vec::<String>::new());
    // The check can fail: a level SARIF does not know is rejected.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!schema_errors(&validator, &broken).is_empty());
    // An empty run (no findings) is valid too.
    let clean = tempdir("sarif-clean");
    std::fs::write(clean.join("ok.yaml"), PINNED_POD).unwrap();
    let out = kubeward(&["--format", "sarif", "ok.yaml"], &clean);
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(schema_errors(&validator, &log), Vec::<String>::new());
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn sarif_carries_the_whole_catalogue_and_repository_relative_results() {
    let repo = repository("sarif-content");
    let out = kubeward(&["--format", "sarif", "."], &repo.join("deploy"));
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let catalogue = kubeward::catalogue::catalogue();
    assert_eq!(rules.len(), catalogue.len());
    for (rule, entry) in rules.iter().zip(catalogue) {
        assert_eq!(rule["id"], entry.id.as_str());
        assert_eq!(
            rule["defaultConfiguration"]["level"],
            match entry.default_severity() {
                kubeward::finding::Severity::Error => "error",
                kubeward::finding::Severity::Warning => "warning",
                kubeward::finding::Severity::Info => "note",
            }
        );
        assert!(
            rule["helpUri"]
                .as_str()
                .unwrap()
                .ends_with(&format!("/rules/{}.yaml", entry.id))
        );
        for field in ["shortDescription", "fullDescription"] {
            assert!(!rule[field]["text"].as_str().unwrap().is_empty());
        }
        assert!(
            rule["help"]["markdown"]
                .as_str()
                .unwrap()
                .contains("```yaml")
        );
        assert!(rule["help"]["text"].as_str().unwrap().contains(&entry.id));
    }
    // The base id points at the repository root, not at the working directory.
    let root_uri = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert!(root_uri.starts_with("file:///") && root_uri.ends_with('/'));
    assert!(
        root_uri.ends_with("integrations-sarif-content/"),
        "{root_uri}"
    );
    // Each result names a rule by id and by its index in `rules`.
    for result in run["results"].as_array().unwrap() {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        let fingerprint = result["partialFingerprints"]["kubeward/v1"]
            .as_str()
            .unwrap();
        assert_eq!(fingerprint.len(), 16);
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert!(
            location["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .starts_with("deploy/")
        );
    }
}

/// A SARIF log with the parts that depend on the machine or on the catalogue's growth taken
/// out: the root URI, and the rules other than those that fired (checked above).
fn stable_sarif(mut log: serde_json::Value) -> serde_json::Value {
    let run = &mut log["runs"][0];
    run["originalUriBaseIds"]["%SRCROOT%"]["uri"] = "file:///REPOSITORY/".into();
    let fired: Vec<String> = run["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap().to_string())
        .collect();
    let rules = run["tool"]["driver"]["rules"].as_array_mut().unwrap();
    rules.retain(|r| fired.iter().any(|id| r["id"] == id.as_str()));
    for rule in rules.iter_mut() {
        // Catalogue prose is the catalogue's business; the SARIF shape is ours.
        for field in ["fullDescription", "help"] {
            rule[field] = "<catalogue text>".into();
        }
    }
    for result in run["results"].as_array_mut().unwrap() {
        result["ruleIndex"] = "<index>".into();
    }
    run["tool"]["driver"]["version"] = "<version>".into();
    run["tool"]["driver"]["semanticVersion"] = "<version>".into();
    log
}

#[test]
fn sarif_golden() {
    let repo = repository("sarif-golden");
    let out = kubeward(&["--format", "sarif", "."], &repo.join("deploy"));
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    insta::assert_snapshot!(
        "sarif",
        serde_json::to_string_pretty(&stable_sarif(log)).unwrap()
    );
}

#[test]
fn github_golden_and_escaping() {
    let repo = repository("github-golden");
    let out = kubeward(&["--format", "github", "."], &repo.join("deploy"));
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    insta::assert_snapshot!("github", text);
    // Structure: one command per finding, each on one line, with the properties in order.
    for line in text.lines() {
        let (head, message) = line
            .strip_prefix("::")
            .and_then(|l| l.split_once("::"))
            .unwrap_or_else(|| panic!("not a workflow command: {line}"));
        let (command, properties) = head.split_once(' ').unwrap();
        assert!(["error", "warning", "notice"].contains(&command), "{line}");
        let keys: Vec<&str> = properties
            .split(',')
            .map(|p| p.split_once('=').unwrap().0)
            .collect();
        assert!(
            keys == ["file", "line", "col", "endLine", "endColumn", "title"]
                || keys == ["file", "line", "endLine", "title"],
            "{line}"
        );
        assert!(!message.contains('\n') && !message.contains('\r'));
    }
    // The odd path: `,` and `:` are escaped in the property, the space is kept.
    assert!(
        text.contains("file=deploy/odd dir/a%2Cb%3Ac.yaml,line=8,col=14,endLine=8,endColumn=19,title=latest-image-tag::"),
        "{text}"
    );
    // The message's own `:` stays, its line break (before help) is escaped.
    assert!(text.contains("which image runs depends on when each node pulled it%0Ahelp: pin"));
}

#[test]
fn junit_golden_and_structure() {
    let repo = repository("junit");
    let out = kubeward(&["--format", "junit", "."], &repo.join("deploy"));
    let text = stdout(&out);
    insta::assert_snapshot!("junit", text);
    let doc = roxmltree::Document::parse(&text).expect("well-formed XML");
    let suites = doc.root_element();
    assert_eq!(suites.tag_name().name(), "testsuites");
    let suite = suites
        .children()
        .find(|n| n.has_tag_name("testsuite"))
        .unwrap();
    let cases: Vec<_> = suite
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    // One test case per (file, object) with findings (findings outside any object make the
    // file's own case), one per file without; one failure per case at most, listing the
    // findings at or above --fail-on; every finding is in the file (tests/signal.rs has more).
    assert_eq!(cases.len(), 6);
    assert_eq!(suite.attribute("tests"), Some("6"));
    let failed = cases
        .iter()
        .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
        .count();
    assert_eq!(
        suite.attribute("failures"),
        Some(failed.to_string().as_str())
    );
    assert_eq!(
        failed, 3,
        "the three errors; the warnings are below --fail-on"
    );
    let report = kubeward(&["--format", "json", "."], &repo.join("deploy"));
    let json: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    let listed = text.matches(": error[").count() + text.matches(": warning[").count();
    assert_eq!(listed, json["findings"].as_array().unwrap().len());
    let names: Vec<&str> = cases.iter().map(|c| c.attribute("name").unwrap()).collect();
    assert!(
        names.contains(&"deploy/odd dir/a,b:c.yaml Pod default/web"),
        "{names:?}"
    );
    assert!(names.contains(&"deploy/ok.yaml"));
}

#[test]
fn github_actions_selects_annotations_and_writes_the_job_summary() {
    let repo = repository("actions");
    let summary = repo.join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let summary_path = summary.to_str().unwrap();
    let env = [
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_STEP_SUMMARY", summary_path),
    ];
    let out = kubeward_with_env(&["."], &repo.join("deploy"), &env);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).starts_with("::error file=deploy/broken.yaml,line=5,"));
    let written = std::fs::read_to_string(&summary).unwrap();
    // Appended, as GitHub expects of every step.
    let appended = written.strip_prefix("earlier step\n").expect("appended");
    insta::assert_snapshot!("summary", appended);
    // An explicit format wins, and only the github format writes a summary.
    std::fs::write(&summary, "").unwrap();
    let out = kubeward_with_env(&["--format", "compact", "."], &repo.join("deploy"), &env);
    assert!(stdout(&out).starts_with("broken.yaml:5:2: error[parse-error]"));
    assert_eq!(std::fs::read_to_string(&summary).unwrap(), "");
    // Outside Actions (or with GITHUB_ACTIONS set to anything else) the default is human.
    let out = kubeward_with_env(&["."], &repo.join("deploy"), &[("GITHUB_ACTIONS", "false")]);
    assert!(stdout(&out).contains("parse-error"));
    assert!(!stdout(&out).contains("::error"));
    // A summary path that cannot be written is an error that stops the run (exit 2).
    let out = kubeward_with_env(
        &["--format", "github", "."],
        &repo.join("deploy"),
        &[("GITHUB_STEP_SUMMARY", "/nonexistent-dir/summary.md")],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("job summary"));
}

#[test]
fn machine_formats_never_print_secret_values() {
    let repo = repository("secrets");
    for format in ["sarif", "github", "junit", "json", "compact"] {
        let out = kubeward(&["--format", format, "secret.yaml"], &repo.join("deploy"));
        let text = stdout(&out);
        assert!(text.contains("duplicate-key"), "{format}: {text}");
        assert!(
            !text.contains("hunter2-first") && !text.contains("hunter2-second"),
            "{format} leaks the value: {text}"
        );
    }
}

#[test]
fn dockerfiles_passed_by_pre_commit_are_not_parsed_as_yaml() {
    let dir = tempdir("dockerfile");
    // Line 2 would be a YAML syntax error ("mapping values are not allowed").
    std::fs::write(
        dir.join("Dockerfile"),
        "FROM nginx:1.27\nLABEL description=\"web: static\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("api.dockerfile"), "FROM x\nLABEL a=\"b: c\"\n").unwrap();
    let out = kubeward(&["--format", "json", "Dockerfile", "api.dockerfile"], &dir);
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["findings"], serde_json::json!([]));
    assert_eq!(report["summary"]["files"], 2);
}

#[test]
fn context_files_are_seen_by_rules_but_not_reported() {
    let repo = repository("context");
    let deploy = repo.join("deploy");
    let web = deploy.join("web.yaml").to_string_lossy().into_owned();
    let ok = deploy.join("ok.yaml").to_string_lossy().into_owned();
    let context = repo.to_string_lossy().into_owned();
    let result = lint_with_context(&options(&[&web, &ok]), &[context]).unwrap();
    // Every manifest is loaded once: the two given files are not loaded again from the context.
    assert_eq!(result.workspace.files.len(), 5);
    let paths: Vec<&str> = result
        .workspace
        .files
        .iter()
        .map(|f| f.source.path.as_str())
        .collect();
    assert_eq!(paths.iter().filter(|p| p.ends_with("web.yaml")).count(), 1);
    // Rules see the objects of context files (a cross-file rule would find the Secret) ...
    assert!(
        result
            .workspace
            .objects
            .iter()
            .any(|o| o.kind == "Secret" && !result.is_reported(o.file))
    );
    // ... but only the given files are reported on: the broken and duplicate-key context files
    // and the odd path's latest tag are not.
    let reported: Vec<(&str, &str)> = result
        .findings
        .iter()
        .map(|f| {
            (
                result.workspace.source(f.file).path.as_str(),
                f.rule.as_str(),
            )
        })
        .collect();
    // Paths are shown relative to the current directory (issue 14: normalised at discovery).
    let web_shown = kubeward::discover::display_name(
        std::path::Path::new(&web),
        &kubeward::discover::PathBase::current(),
    );
    assert_eq!(reported, [(web_shown.as_str(), "latest-image-tag")]);
    assert_eq!(result.reported_files().count(), 2);
    assert_eq!(result.reported_objects(), 2);
    // Without context, the same files alone.
    let alone = lint_with_context(&options(&[&web, &ok]), &[]).unwrap();
    assert_eq!(alone.workspace.files.len(), 2);
    assert!(alone.context_only.is_empty());
}

#[test]
fn context_flag_on_the_command_line() {
    let repo = repository("context-cli");
    // Pre-commit runs from the repository root with the changed files.
    let out = kubeward(
        &[
            "--context",
            ".",
            "--format",
            "compact",
            "--fail-on",
            "warning",
            "deploy/ok.yaml",
        ],
        &repo,
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(stdout(&out), "");
    let out = kubeward(
        &["--context", ".", "deploy/web.yaml", "deploy/ok.yaml"],
        &repo,
    );
    let text = stdout(&out);
    assert!(text.contains("latest-image-tag"), "{text}");
    assert!(!text.contains("parse-error"), "{text}");
    assert!(
        text.ends_with("0 errors, 1 warning, 0 infos in 2 files, 2 objects\n"),
        "{text}"
    );
}
