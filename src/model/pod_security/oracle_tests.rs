//! The Pod Security Standards oracle: every fixture of the pod-security-admission library
//! (`../shared/oracles/pod-security/testdata/<level>/v1.<minor>/<pass|fail>/*.yaml`, 4,537
//! pods; see its README) judged as admission judges it. A `pass` pod must be allowed at that
//! level and version; a `fail` pod denied, by the check its file name names (or by the
//! restricted check that replaces that baseline check at that version, as the library's
//! registry does), with the library's error substring (`expectErrorSubstring` of
//! `test/fixtures_*.go`) in that check's reason and detail.
//!
//! Skipped, saying so, when the oracle is absent; a failure when `CI` is set.

use std::path::{Path, PathBuf};

use super::{Level, LevelVersion, Pod, PolicyVersion, evaluate, overrides_of};
use crate::load::parse_yaml;

const FIXTURES: usize = 4537;

fn oracle_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("KUBEWARD_PSS_ORACLE") {
        return Some(PathBuf::from(dir)).filter(|d| d.is_dir());
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // `../shared` beside the repository; a git worktree one level deeper (`wt/<name>`) too.
    ["../shared", "../../shared"]
        .iter()
        .map(|rel| root.join(rel).join("oracles/pod-security/testdata"))
        .find(|dir| dir.is_dir())
}

/// The generator's `expectErrorSubstring` (test/fixtures_<check>.go), else the check id.
fn expected_substring(check_lower: &str) -> &'static str {
    match check_lower {
        "apparmorprofile" => "forbidden AppArmor profile",
        "capabilities_baseline" => "capabilities",
        "capabilities_restricted" => "unrestricted capabilities",
        "hostnamespaces" => "host namespaces",
        "hostpathvolumes" => "hostPath",
        "hostports" => "hostPort",
        "hostprobesandhostlifecycle" => "probe or lifecycle host",
        "procmount" | "procmount_restricted" => "procMount",
        "restrictedvolumes" => "restricted volume types",
        "selinuxoptions" => "seLinuxOptions",
        "seccompprofile_baseline" | "seccompprofile_restricted" => "seccompProfile",
        "sysctls" => "forbidden sysctl",
        "windowshostprocess" => "hostProcess",
        "allowprivilegeescalation" => "allowPrivilegeEscalation",
        "privileged" => "privileged",
        "runasnonroot" => "runAsNonRoot",
        "runasuser" => "runAsUser",
        _ => "(a check the test does not know)",
    }
}

fn sorted(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    entries
}

#[test]
fn every_pod_security_fixture_is_judged_as_admission_judges_it() {
    let Some(root) = oracle_dir() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but the pod-security oracle (../shared/oracles/pod-security) is absent"
        );
        eprintln!(
            "SKIPPED: no ../shared/oracles/pod-security/testdata (or $KUBEWARD_PSS_ORACLE): the 4,537 Pod Security fixtures were not checked"
        );
        return;
    };
    let mut problems = Vec::new();
    let mut checked = 0;
    let mut denied = 0;
    for (level_name, level) in [
        ("baseline", Level::Baseline),
        ("restricted", Level::Restricted),
    ] {
        for version_dir in sorted(&root.join(level_name)) {
            let name = version_dir
                .file_name()
                .unwrap()
                .to_string_lossy()
                .to_string();
            let version = PolicyVersion::parse_label(&name)
                .unwrap_or_else(|| panic!("{}: not a policy version", version_dir.display()));
            let lv = LevelVersion { level, version };
            for outcome in ["pass", "fail"] {
                let dir = version_dir.join(outcome);
                if !dir.is_dir() {
                    continue;
                }
                for file in sorted(&dir) {
                    if file.extension().is_none_or(|e| e != "yaml") {
                        continue;
                    }
                    checked += 1;
                    let text = std::fs::read_to_string(&file).unwrap();
                    let loaded = parse_yaml(text.as_str());
                    let doc = loaded.documents.first().expect("one document");
                    let pod = Pod {
                        doc,
                        metadata: doc.get(doc.root, "metadata"),
                        spec: doc.get(doc.root, "spec").expect("spec"),
                    };
                    let violations = evaluate(&pod, lv);
                    let shown = file.strip_prefix(&root).unwrap_or(&file).display();
                    let stem = file.file_stem().unwrap().to_string_lossy().to_string();
                    if outcome == "pass" {
                        if !violations.is_empty() {
                            let what: Vec<String> = violations
                                .iter()
                                .map(|v| format!("{}: {}", v.check, v.reason_and_detail()))
                                .collect();
                            problems.push(format!("{shown} ({lv}): denied: {}", what.join("; ")));
                        }
                        continue;
                    }
                    let check = stem.trim_end_matches(|c: char| c.is_ascii_digit());
                    let naming = violations.iter().find(|v| {
                        v.check.to_ascii_lowercase() == check
                            || overrides_of(v.check, version)
                                .iter()
                                .any(|o| o.to_ascii_lowercase() == check)
                    });
                    match naming {
                        None => problems.push(format!(
                            "{shown} ({lv}): expected a denial by {check}, got [{}]",
                            violations
                                .iter()
                                .map(|v| v.check)
                                .collect::<Vec<_>>()
                                .join(", ")
                        )),
                        Some(v) => {
                            denied += 1;
                            let substring = expected_substring(check);
                            if !v.reason_and_detail().contains(substring) {
                                problems.push(format!(
                                    "{shown} ({lv}): {} says {:?}, without {substring:?}",
                                    v.check,
                                    v.reason_and_detail()
                                ));
                            }
                            if v.check_level > level || v.sites.is_empty() {
                                problems.push(format!("{shown}: level or sites wrong: {v:?}"));
                            }
                        }
                    }
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {checked} fixtures misjudged:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert_eq!(checked, FIXTURES, "fixture count");
    eprintln!(
        "pod-security oracle: {checked} fixtures judged as admission judges them ({denied} denied by the named check)"
    );
}
