//! Hostile input: every case gives a clear finding or message, stays within a memory bound, never
//! panics, and the ordinary file beside it is still linted. Memory is the child's peak RSS from
//! `wait4` (not a timing: RSS does not depend on the machine's load). Every run is wrapped in
//! `timeout`, so that a hang fails the test instead of blocking CI forever.
//!
//! Also here: crashes caught at the file boundary (`internal-error`), and crash regressions found
//! by fuzzing (`fuzz/`).

// Test code: helpers outside `#[test]` functions may unwrap, index and slice too (clippy.toml's
// allow-*-in-tests covers only `#[test]` functions and `#[cfg(test)]` modules).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use kubeward::finding::Finding;
use kubeward::lint::{LintOptions, lint};
use kubeward::registry::Registry;
use kubeward::rule_id::RuleName;
use kubeward::rules::{ObjectContext, Rule, RuleIdentity};

use common::measured::{Run, kubeward_measured, mkfifo};
use common::tempdir;

/// A pod that only `latest-image-tag` fires on (it has requests and limits, and runs once, so
/// needs no probes): each test checks that the file is still linted by finding that one rule.
const POD: &str = common::LATEST_POD;

const MIB: u64 = 1024 * 1024;

/// Peak RSS of a run on one small file: the baseline the bounds below add to.
fn baseline_rss() -> u64 {
    let dir = tempdir("baseline");
    std::fs::write(dir.join("pod.yaml"), POD).unwrap();
    kubeward_measured(&["pod.yaml"], &dir).peak_rss
}

fn assert_rss_below(run: &Run, bound: u64, what: &str) {
    assert!(
        run.peak_rss <= bound,
        "{what}: peak RSS {} MiB > bound {} MiB",
        run.peak_rss / MIB,
        bound / MIB
    );
}

#[test]
fn alias_bombs_are_refused_in_bounded_memory() {
    let dir = tempdir("bomb");
    std::fs::write(dir.join("pod.yaml"), POD).unwrap();
    // 10^12 nodes once expanded ("billion laughs"), in YAML mappings and in flow sequences.
    let mut bomb = String::from(
        "apiVersion: v1\nkind: ConfigMap\ndata:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n",
    );
    for i in 1..13 {
        bomb.push_str(&format!(
            "  a{i}: &a{i} [{}]\n",
            vec![format!("*a{}", i - 1); 10].join(", ")
        ));
    }
    std::fs::write(dir.join("bomb.yaml"), &bomb).unwrap();
    let mut merge = String::from("apiVersion: v1\nkind: ConfigMap\nm0: &m0 {a: 1, b: 2, c: 3}\n");
    for i in 1..40 {
        merge.push_str(&format!(
            "m{i}: &m{i}\n  <<: [*m{}, *m{}]\n  k{i}: v\n",
            i - 1,
            i - 1
        ));
    }
    std::fs::write(dir.join("merge-bomb.yaml"), &merge).unwrap();
    let run = kubeward_measured(&["--format", "json", "."], &dir);
    run.assert_clean();
    assert_eq!(run.rules_for("bomb.yaml"), ["parse-error"]);
    assert!(
        run.message_for("bomb.yaml", "parse-error")
            .contains("alias bomb")
    );
    assert_eq!(run.rules_for("merge-bomb.yaml"), ["parse-error"]);
    assert_eq!(run.rules_for("pod.yaml"), ["latest-image-tag"]);
    assert_rss_below(&run, baseline_rss() + 64 * MIB, "alias bombs");
}

#[test]
fn nesting_100k_deep_is_refused_without_overflowing_the_stack() {
    let dir = tempdir("deep");
    std::fs::write(dir.join("pod.yaml"), POD).unwrap();
    let n = 100_000;
    let cases = [
        (
            "flow-seq.yaml",
            format!("{}{}\n", "[".repeat(n), "]".repeat(n)),
        ),
        (
            "flow-map.yaml",
            format!("{}x{}\n", "{a: ".repeat(n), "}".repeat(n)),
        ),
        // Block sequences nest on one line: `- - - - x`.
        ("block-seq.yaml", format!("{}x\n", "- ".repeat(n))),
        (
            "mixed.yaml",
            format!(
                "apiVersion: v1\nkind: ConfigMap\ndata: {}\n",
                "- [".repeat(n / 3)
            ),
        ),
    ];
    for (name, text) in &cases {
        std::fs::write(dir.join(name), text).unwrap();
    }
    // Named explicitly: a walked file that does not parse is reported only when it looks like
    // a manifest (it mentions apiVersion and kind).
    let mut args = vec!["--format", "json", "pod.yaml"];
    args.extend(cases.iter().map(|(name, _)| *name));
    let run = kubeward_measured(&args, &dir);
    run.assert_clean();
    for (name, _) in &cases {
        let path = name.to_string();
        assert_eq!(run.rules_for(&path), ["parse-error"], "{name}");
        let message = run.message_for(&path, "parse-error");
        assert!(
            message.contains("nest") || message.contains("invalid YAML"),
            "{name}: {message}"
        );
    }
    assert_eq!(run.rules_for("pod.yaml"), ["latest-image-tag"]);
    assert_rss_below(&run, baseline_rss() + 64 * MIB, "deep nesting");
}

#[test]
fn a_100_megabyte_scalar_is_linted_in_bounded_memory() {
    let dir = tempdir("scalar");
    let size = 100 * MIB as usize;
    let mut text = String::with_capacity(size + 200);
    text.push_str("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: blob\ndata:\n  blob: ");
    text.extend(std::iter::repeat_n('x', size));
    text.push_str("\n---\n");
    text.push_str(POD);
    std::fs::write(dir.join("big.yaml"), &text).unwrap();
    drop(text);
    let run = kubeward_measured(&["--format", "json", "big.yaml"], &dir);
    run.assert_clean();
    assert_eq!(run.rules_for("big.yaml"), ["latest-image-tag"]);
    assert_eq!(run.json()["summary"]["objects"], 2);
    // The text, the scalar's value, and the parser's buffer while it scans the value.
    assert_rss_below(&run, baseline_rss() + 4 * size as u64, "100 MB scalar");
}

#[test]
fn a_million_tiny_documents_in_one_stream() {
    let dir = tempdir("million");
    let mut text = "---\na: 1\n".repeat(1_000_000);
    text.push_str("---\n");
    text.push_str(POD);
    std::fs::write(dir.join("stream.yaml"), &text).unwrap();
    let run = kubeward_measured(&["--format", "json", "stream.yaml"], &dir);
    run.assert_clean();
    assert_eq!(run.rules_for("stream.yaml"), ["latest-image-tag"]);
    assert_eq!(run.json()["summary"]["objects"], 1);
    // 9 bytes a document: the bound is per document (a tree of three nodes, two scalars and a
    // document record each, about 350 bytes; measured 360 MiB in all), not 3x the input.
    assert_rss_below(&run, baseline_rss() + 512 * MIB, "1M documents");
}

#[test]
fn encodings_nul_bytes_bom_crlf_and_tabs() {
    let dir = tempdir("encodings");
    let utf16 = |little: bool| -> Vec<u8> {
        let mut bytes = if little {
            vec![0xFF, 0xFE]
        } else {
            vec![0xFE, 0xFF]
        };
        for unit in POD.encode_utf16() {
            bytes.extend(if little {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            });
        }
        bytes
    };
    std::fs::write(dir.join("utf16le.yaml"), utf16(true)).unwrap();
    std::fs::write(dir.join("utf16be.yaml"), utf16(false)).unwrap();
    // UTF-16 without a byte-order mark is full of NUL bytes: a binary file.
    let bare: Vec<u8> = POD.encode_utf16().flat_map(u16::to_le_bytes).collect();
    std::fs::write(dir.join("utf16-no-bom.yaml"), bare).unwrap();
    let mut nul = POD.as_bytes().to_vec();
    nul.splice(20..20, *b"\0\0");
    std::fs::write(dir.join("nul.yaml"), nul).unwrap();
    let mut invalid = POD.as_bytes().to_vec();
    invalid.splice(30..30, [0xC3, 0x28, 0xFF]);
    std::fs::write(dir.join("invalid-utf8.yaml"), invalid).unwrap();
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend(POD.as_bytes());
    std::fs::write(dir.join("bom.yaml"), bom).unwrap();
    std::fs::write(dir.join("crlf.yaml"), POD.replace('\n', "\r\n")).unwrap();
    let mut crlf_bom = vec![0xEF, 0xBB, 0xBF];
    crlf_bom.extend(
        POD.replace('\n', "\r\n")
            .replace("nginx", "nginx:latest")
            .bytes(),
    );
    std::fs::write(dir.join("crlf-bom.yaml"), crlf_bom).unwrap();
    // A tab in indentation is invalid YAML; tabs inside values are fine.
    std::fs::write(
        dir.join("tab-indent.yaml"),
        POD.replace("    - name: web", "\t- name: web"),
    )
    .unwrap();
    std::fs::write(
        dir.join("tab-value.yaml"),
        // (a blank line keeps the image on line 8)
        POD.replace(
            "metadata:\n  name: web\n",
            "metadata: {name: web, annotations: {note: \"a\\tb\"}}  \t# tab\n\n",
        ),
    )
    .unwrap();

    let run = kubeward_measured(&["--format", "json", "."], &dir);
    run.assert_clean();
    let report = run.json();
    let position = |path: &str| -> (u64, u64, u64) {
        let f = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == path)
            .unwrap_or_else(|| panic!("no finding for {path}"));
        (
            f["line"].as_u64().unwrap(),
            f["column"].as_u64().unwrap(),
            f["end_column"].as_u64().unwrap(),
        )
    };
    // The image is on line 8, column 14, five characters long, in every encoding and with
    // any line ending; a BOM is not a column.
    for path in [
        "utf16le.yaml",
        "utf16be.yaml",
        "bom.yaml",
        "crlf.yaml",
        "tab-value.yaml",
    ] {
        assert_eq!(run.rules_for(path), ["latest-image-tag"], "{path}");
        assert_eq!(position(path), (8, 14, 19), "{path}");
    }
    assert_eq!(position("crlf-bom.yaml"), (8, 14, 26));
    assert_eq!(run.rules_for("utf16-no-bom.yaml"), ["parse-error"]);
    assert!(
        run.message_for("utf16-no-bom.yaml", "parse-error")
            .contains("binary")
    );
    assert_eq!(run.rules_for("nul.yaml"), ["parse-error"]);
    assert!(run.message_for("nul.yaml", "parse-error").contains("NUL"));
    assert_eq!(run.rules_for("invalid-utf8.yaml"), ["parse-error"]);
    assert!(
        run.message_for("invalid-utf8.yaml", "parse-error")
            .contains("UTF-8")
    );
    assert_eq!(run.rules_for("tab-indent.yaml"), ["parse-error"]);
    assert_eq!(position("tab-indent.yaml").0, 7);
}

#[test]
fn fifos_devices_and_symlink_loops_in_the_tree_are_skipped() {
    let dir = tempdir("special");
    std::fs::write(dir.join("pod.yaml"), POD).unwrap();
    // Nobody ever writes to this FIFO: reading it would block forever.
    mkfifo(&dir.join("pipe.yaml"));
    std::os::unix::fs::symlink(dir.join("pipe.yaml"), dir.join("pipe-link.yaml")).unwrap();
    // Devices, linked into the tree: /dev/zero never ends, /dev/null is empty.
    std::os::unix::fs::symlink("/dev/zero", dir.join("zero.yaml")).unwrap();
    std::os::unix::fs::symlink("/dev/null", dir.join("null.yaml")).unwrap();
    // Loops: a directory link to its parent, and two file links to each other.
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::os::unix::fs::symlink("..", dir.join("sub/up")).unwrap();
    std::os::unix::fs::symlink("b.yaml", dir.join("a.yaml")).unwrap();
    std::os::unix::fs::symlink("a.yaml", dir.join("b.yaml")).unwrap();
    // A link to a directory, named like a manifest.
    std::os::unix::fs::symlink("sub", dir.join("dir.yaml")).unwrap();

    let run = kubeward_measured(&["--format", "json", "."], &dir);
    run.assert_clean();
    let paths: Vec<String> = run.findings().into_iter().map(|f| f.0).collect();
    assert_eq!(run.rules_for("pod.yaml"), ["latest-image-tag"]);
    // Walks skip every symlink (issue 14): the looping links are not read, so no finding.
    assert!(run.rules_for("a.yaml").is_empty());
    assert!(run.rules_for("b.yaml").is_empty());
    for skipped in ["pipe", "zero", "null", "dir.yaml", "sub/"] {
        assert!(
            paths.iter().all(|p| !p.contains(skipped)),
            "{skipped}: {paths:?}"
        );
    }
    // Only pod.yaml: every link is skipped, never read (issue 14).
    assert_eq!(run.json()["summary"]["files"], 1);
}

#[test]
fn a_fifo_named_on_the_command_line_is_read() {
    let dir = tempdir("fifo");
    let fifo = dir.join("rendered.yaml");
    mkfifo(&fifo);
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, POD).expect("write to the FIFO"))
    };
    let run = kubeward_measured(&["--format", "json", "rendered.yaml"], &dir);
    writer.join().unwrap();
    run.assert_clean();
    assert_eq!(run.rules_for("rendered.yaml"), ["latest-image-tag"]);

    // `kubeward <(helm template ...)`: bash hands over /dev/fd/N, a pipe.
    if Path::new("/bin/bash").exists() {
        std::fs::write(dir.join("pod.yaml"), POD).unwrap();
        let script = format!(
            "{} --format compact <(cat pod.yaml)",
            env!("CARGO_BIN_EXE_kubeward")
        );
        let out = Command::new("/bin/bash")
            .args(["-c", &script])
            .current_dir(&dir)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.starts_with("/dev/fd/") && stdout.contains("warning[latest-image-tag]"),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn an_endless_device_named_on_the_command_line_is_cut_off() {
    let dir = tempdir("zero");
    std::fs::write(dir.join("pod.yaml"), POD).unwrap();
    let run = kubeward_measured(&["--format", "json", "/dev/zero", "pod.yaml"], &dir);
    run.assert_clean();
    assert_eq!(run.rules_for("/dev/zero"), ["io-error"]);
    assert!(
        run.message_for("/dev/zero", "io-error")
            .contains("larger than 256 MiB")
    );
    assert_eq!(run.rules_for("pod.yaml"), ["latest-image-tag"]);
    assert_rss_below(&run, baseline_rss() + 300 * MIB, "/dev/zero");
}

#[test]
fn unreadable_files_are_io_errors() {
    let dir = tempdir("unreadable");
    std::fs::write(dir.join("pod.yaml"), POD).unwrap();
    let locked = dir.join("locked.yaml");
    std::fs::write(&locked, POD).unwrap();
    std::fs::set_permissions(&locked, std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
    // Root reads any file whatever its mode: then the mode case cannot be tested here.
    let locked_is_unreadable = std::fs::read(&locked).is_err();
    std::os::unix::fs::symlink("nowhere.yaml", dir.join("dangling.yaml")).unwrap();
    // Walks skip symlinks: the dangling link is read because it is named.
    let run = kubeward_measured(&["--format", "json", ".", "dangling.yaml"], &dir);
    run.assert_clean();
    assert_eq!(run.rules_for("pod.yaml"), ["latest-image-tag"]);
    assert_eq!(run.rules_for("dangling.yaml"), ["io-error"]);
    if locked_is_unreadable {
        assert_eq!(run.rules_for("locked.yaml"), ["io-error"]);
        assert!(
            run.message_for("locked.yaml", "io-error")
                .contains("ermission")
        );
    }
    // Named explicitly, the same.
    let run = kubeward_measured(&["--format", "json", "dangling.yaml", "pod.yaml"], &dir);
    run.assert_clean();
    assert_eq!(run.rules_for("dangling.yaml"), ["io-error"]);
    assert_eq!(run.rules_for("pod.yaml"), ["latest-image-tag"]);
}

/// A rule with a bug: it panics on objects named `boom`.
struct PanickingRule;

impl RuleIdentity for PanickingRule {
    fn id(&self) -> RuleName {
        RuleName::Custom("test-panicking-rule")
    }
}

impl Rule for PanickingRule {
    fn check_object(&self, cx: &ObjectContext<'_>, out: &mut Vec<Finding>) {
        out.push(cx.finding(self.id(), cx.object.kind_span, "partial"));
        if cx.object.name.as_deref() == Some("boom") {
            let items: Vec<u8> = Vec::new();
            let _ = items[cx.id + 7];
        }
    }
}

#[test]
fn a_panicking_rule_becomes_an_internal_error_and_other_files_are_linted() {
    let dir = tempdir("panic");
    std::fs::write(dir.join("a.yaml"), POD).unwrap();
    std::fs::write(
        dir.join("b.yaml"),
        POD.replace("name: web\nspec", "name: boom\nspec"),
    )
    .unwrap();
    let mut registry = Registry::builtin();
    registry.rules.push(Box::new(PanickingRule));
    let options = LintOptions {
        paths: vec![dir.display().to_string()],
        registry: Arc::new(registry),
        ..LintOptions::default()
    };
    let result = lint(&options).expect("the run survives the panic");
    let of = |name: &str| -> Vec<&Finding> {
        result
            .findings
            .iter()
            .filter(|f| result.workspace.source(f.file).path.ends_with(name))
            .collect()
    };
    let a: Vec<&str> = of("a.yaml").iter().map(|f| f.rule.as_str()).collect();
    // Sorted by position: the rule's finding is at `kind`, line 2; the image on line 8.
    assert_eq!(a, ["test-panicking-rule", "latest-image-tag"]);
    let b = of("b.yaml");
    let rules: Vec<&str> = b.iter().map(|f| f.rule.as_str()).collect();
    // The crashing rule's partial finding is dropped; the other rules' findings stay.
    assert_eq!(rules, ["internal-error", "latest-image-tag"], "{b:?}");
    let crash = b[0];
    assert!(
        crash.message.starts_with(
            "kubeward crashed while rule `test-panicking-rule` checked Pod default/boom: index out of bounds"
        ),
        "{}",
        crash.message
    );
    assert_eq!(
        crash.effective_severity(),
        kubeward::finding::Severity::Error
    );
    assert_eq!(
        crash.object.as_ref().and_then(|o| o.name.as_deref()),
        Some("boom")
    );
}

/// Crash regression: the drive-letter check of a secret-named value (`C:\...`) sliced bytes 1..3
/// of the value and panicked when a multi-byte character straddled byte 3 (`a€bcdefgh`).
#[test]
fn a_secret_named_value_with_multi_byte_text_does_not_crash() {
    let dir = tempdir("multi-byte-secret");
    std::fs::write(
        dir.join("pod.yaml"),
        POD.replace(
            "      image: nginx\n",
            "      image: nginx:1.27\n      env:\n        - name: DB_PASSWORD\n          value: \"a€bcdefgh\"\n",
        ),
    )
    .unwrap();
    let run = kubeward_measured(&["--format", "json", "pod.yaml"], &dir);
    run.assert_clean();
    assert_eq!(run.rules_for("pod.yaml"), ["plaintext-secret-env"]);
    assert!(!run.stdout.contains("a€bcdefgh"), "{}", run.stdout);
    assert!(!run.stderr.contains("a€bcdefgh"), "{}", run.stderr);
}
