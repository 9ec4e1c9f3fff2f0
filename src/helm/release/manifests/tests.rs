//! Ported from helm/helm v3.21.4 `pkg/releaseutil/manifest_test.go`, `kind_sorter_test.go`,
//! `manifest_sorter_test.go`; and the `helm template` goldens of `cmd/helm/testdata/output/`
//! (in ../shared/oracles/helm/v3; skipped, saying so, when that folder is absent).

// Test code slices strings at ranges the code under test returned.
#![allow(clippy::string_slice)]

use super::*;
use std::path::PathBuf;

fn manifest(name: &str, kind: &str) -> Manifest {
    Manifest {
        name: name.to_owned(),
        content: 0..0,
        head: Head {
            kind: kind.to_owned(),
            ..Head::default()
        },
    }
}

#[test]
fn split_manifest() {
    // TestSplitManifest
    let file = "\n\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: finding-nemo,\n  annotations:\n    \"helm.sh/hook\": test\nspec:\n  containers:\n  - name: nemo-test\n    image: fake-image\n    cmd: fake-command\n";
    let want = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: finding-nemo,\n  annotations:\n    \"helm.sh/hook\": test\nspec:\n  containers:\n  - name: nemo-test\n    image: fake-image\n    cmd: fake-command";
    let docs = split_manifests(file);
    assert_eq!(docs.len(), 1);
    assert_eq!(&file[docs[0].clone()], want);
}

fn split_texts(text: &str) -> Vec<&str> {
    split_manifests(text)
        .into_iter()
        .map(|r| &text[r])
        .collect()
}

#[test]
fn split_follows_the_separator_regexp() {
    // `(?:^|\s*\n)---\s*` on the trimmed text; parts trimmed, empty parts dropped.
    assert_eq!(split_texts("a: 1\n---\nb: 2\n"), ["a: 1", "b: 2"]);
    assert_eq!(
        split_texts("---\na: 1\n---\n---\nb: 2"),
        ["a: 1", "---\nb: 2"]
    );
    assert_eq!(split_texts("a: 1\n--- # c\nb: 2"), ["a: 1", "# c\nb: 2"]);
    assert_eq!(split_texts("a: 1\n----\nb: 2"), ["a: 1", "-\nb: 2"]);
    assert_eq!(split_texts("a: 1\n---b: 2"), ["a: 1", "b: 2"]);
    assert_eq!(split_texts("a: |\n  x\n  ---\n"), ["a: |\n  x\n  ---"]);
    assert_eq!(
        split_texts("a: 1  \n \t\n---  \n\n b: 2  \n"),
        ["a: 1", "b: 2"]
    );
    assert_eq!(split_texts("a: 1 ---\nb"), ["a: 1 ---\nb"]);
    assert_eq!(split_texts("  \n---\n---\n  "), ["---"]);
    assert!(split_texts("  \n \n").is_empty());
    assert!(split_texts("").is_empty());
    assert_eq!(split_texts("x\r\n---\r\ny"), ["x", "y"]);
}

#[test]
fn kind_sorter() {
    // TestKindSorter
    let list = [
        ("U", "IngressClass"),
        ("E", "SecretList"),
        ("i", "ClusterRole"),
        ("I", "ClusterRoleList"),
        ("j", "ClusterRoleBinding"),
        ("J", "ClusterRoleBindingList"),
        ("f", "ConfigMap"),
        ("u", "CronJob"),
        ("2", "CustomResourceDefinition"),
        ("n", "DaemonSet"),
        ("r", "Deployment"),
        ("!", "HonkyTonkSet"),
        ("v", "Ingress"),
        ("t", "Job"),
        ("c", "LimitRange"),
        ("a", "Namespace"),
        ("A", "NetworkPolicy"),
        ("g", "PersistentVolume"),
        ("h", "PersistentVolumeClaim"),
        ("o", "Pod"),
        ("3", "PodDisruptionBudget"),
        ("C", "PodSecurityPolicy"),
        ("q", "ReplicaSet"),
        ("p", "ReplicationController"),
        ("b", "ResourceQuota"),
        ("k", "Role"),
        ("K", "RoleList"),
        ("l", "RoleBinding"),
        ("L", "RoleBindingList"),
        ("e", "Secret"),
        ("m", "Service"),
        ("d", "ServiceAccount"),
        ("s", "StatefulSet"),
        ("1", "StorageClass"),
        ("w", "APIService"),
        ("x", "HorizontalPodAutoscaler"),
        ("F", "PriorityClass"),
    ];
    for (order, want) in [
        (INSTALL_ORDER, "FaAbcC3deEf1gh2iIjJkKlLmnopqrxstuUvw!"),
        (UNINSTALL_ORDER, "wvUmutsxrqponLlKkJjIi2hg1fEed3CcbAaF!"),
    ] {
        let mut ms: Vec<Manifest> = list.iter().map(|(n, k)| manifest(n, k)).collect();
        assert_eq!(want.len(), ms.len());
        sort_manifests_by_kind(&mut ms, order);
        let got: String = ms.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(got, want);
    }
}

#[test]
fn kind_sorter_keeps_original_order() {
    // TestKindSorterKeepOriginalOrder
    let mut ms: Vec<Manifest> = [
        ("a", "ClusterRole"),
        ("A", "ClusterRole"),
        ("0", "ConfigMap"),
        ("1", "ConfigMap"),
        ("z", "ClusterRoleBinding"),
        ("!", "ClusterRoleBinding"),
        ("u2", "Unknown"),
        ("u1", "Unknown"),
        ("t3", "Unknown2"),
    ]
    .iter()
    .map(|(n, k)| manifest(n, k))
    .collect();
    sort_manifests_by_kind(&mut ms, INSTALL_ORDER);
    let got: String = ms.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(got, "01aAz!u2u1t3");
}

#[test]
fn kind_sorter_namespace_against_unknown() {
    // TestKindSorterNamespaceAgainstUnknown
    let mut ms = vec![manifest("a", "Unknown"), manifest("b", "Namespace")];
    sort_manifests_by_kind(&mut ms, INSTALL_ORDER);
    assert_eq!(ms[0].name, "b");
    assert_eq!(ms[1].name, "a");
}

#[test]
fn kind_sorter_for_hooks() {
    // TestKindSorterForHooks
    let hook = |name: &str, kind: &str| Hook {
        name: name.to_owned(),
        kind: kind.to_owned(),
        path: String::new(),
        manifest: 0..0,
        events: vec![],
        weight: 0,
        delete_policies: vec![],
        output_log_policies: vec![],
    };
    for (order, want) in [(INSTALL_ORDER, "acij"), (UNINSTALL_ORDER, "jica")] {
        let mut hooks = vec![
            hook("i", "ClusterRole"),
            hook("j", "ClusterRoleBinding"),
            hook("c", "LimitRange"),
            hook("a", "Namespace"),
        ];
        sort_hooks_by_kind(&mut hooks, order);
        let got: String = hooks.iter().map(|h| h.name.as_str()).collect();
        assert_eq!(got, want);
    }
}

#[test]
fn sort_manifests_table() {
    // TestSortManifests
    let data: &[(&str, &str)] = &[
        (
            "one",
            "apiVersion: v1\nkind: Job\nmetadata:\n  name: first\n  labels:\n    doesnot: matter\n  annotations:\n    \"helm.sh/hook\": pre-install\n",
        ),
        (
            "two",
            "kind: ReplicaSet\napiVersion: v1beta1\nmetadata:\n  name: second\n  annotations:\n    \"helm.sh/hook\": post-install\n",
        ),
        (
            "three",
            "kind: ReplicaSet\napiVersion: v1beta1\nmetadata:\n  name: third\n  annotations:\n    \"helm.sh/hook\": no-such-hook\n",
        ),
        (
            "four",
            "kind: Pod\napiVersion: v1\nmetadata:\n  name: fourth\n  annotations:\n    nothing: here",
        ),
        (
            "five",
            "kind: ReplicaSet\napiVersion: v1beta1\nmetadata:\n  name: fifth\n  annotations:\n    \"helm.sh/hook\": post-delete, post-install\n",
        ),
        // Partials are skipped (this would not parse).
        ("six/_six", "invalid manifest"),
        // Empty files are skipped.
        ("seven", ""),
        (
            "eight",
            "kind: ConfigMap\napiVersion: v1\nmetadata:\n  name: eighth\ndata:\n  name: value\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: example-test\n  annotations:\n    \"helm.sh/hook\": test\n",
        ),
    ];
    let files: Vec<Rendered<'_>> = data
        .iter()
        .map(|(name, text)| Rendered { name, text })
        .collect();
    let sorted = sort_manifests(&files, INSTALL_ORDER).unwrap();
    assert_eq!(sorted.manifests.len(), 2);
    assert_eq!(sorted.hooks.len(), 4);
    let hooks: Vec<(&str, &str, &str, Vec<&str>)> = sorted
        .hooks
        .iter()
        .map(|h| {
            (
                h.path.as_str(),
                h.name.as_str(),
                h.kind.as_str(),
                h.events.clone(),
            )
        })
        .collect();
    // Sorted by kind (Pod, ReplicaSet, ReplicaSet, Job); within a kind in file-name order.
    assert_eq!(
        hooks,
        [
            ("eight", "example-test", "Pod", vec!["test"]),
            (
                "five",
                "fifth",
                "ReplicaSet",
                vec!["post-delete", "post-install"]
            ),
            ("two", "second", "ReplicaSet", vec!["post-install"]),
            ("one", "first", "Job", vec!["pre-install"]),
        ]
    );
    // ConfigMap before Pod.
    let generic: Vec<(&str, &str)> = sorted
        .manifests
        .iter()
        .map(|m| (m.name.as_str(), m.head.kind.as_str()))
        .collect();
    assert_eq!(generic, [("eight", "ConfigMap"), ("four", "Pod")]);
    let eight = data[7].1;
    assert_eq!(
        &eight[sorted.manifests[0].content.clone()],
        "kind: ConfigMap\napiVersion: v1\nmetadata:\n  name: eighth\ndata:\n  name: value"
    );
}

#[test]
fn hook_weights_and_policies() {
    let text = "kind: Job\nmetadata:\n  name: j\n  annotations:\n    helm.sh/hook: PRE-INSTALL , post-upgrade\n    helm.sh/hook-weight: \"-5\"\n    helm.sh/hook-delete-policy: before-hook-creation, Hook-Succeeded\n";
    let sorted = sort_manifests(
        &[Rendered {
            name: "c/templates/j.yaml",
            text,
        }],
        INSTALL_ORDER,
    )
    .unwrap();
    let h = &sorted.hooks[0];
    assert_eq!(h.events, ["pre-install", "post-upgrade"]);
    assert_eq!(h.weight, -5);
    assert_eq!(
        h.delete_policies,
        ["before-hook-creation", "hook-succeeded"]
    );
    // A weight that is no integer is 0; `test-success` is a test hook.
    let text = "kind: Pod\nmetadata:\n  annotations:\n    helm.sh/hook: test-success\n    helm.sh/hook-weight: x\n";
    let sorted = sort_manifests(&[Rendered { name: "t", text }], INSTALL_ORDER).unwrap();
    assert_eq!(sorted.hooks[0].weight, 0);
    assert!(sorted.hooks[0].is_test());
}

#[test]
fn heads_as_helm_reads_them() {
    let head = parse_head("Kind: Deployment\napiversion: apps/v1\nmetadata:\n  NAME: x\n  annotations:\n    a: 1\n    b: true\n    c: null\n").unwrap();
    assert_eq!(head.kind, "Deployment");
    assert_eq!(head.api_version, "apps/v1");
    let meta = head.metadata.unwrap();
    assert_eq!(meta.name, "x");
    let ann = meta.annotations.unwrap();
    assert_eq!(ann["a"], "1");
    assert_eq!(ann["b"], "true");
    assert_eq!(ann["c"], "");
    // Comments only, null, a number as kind.
    assert_eq!(parse_head("# nothing\n").unwrap(), Head::default());
    assert_eq!(parse_head("~").unwrap(), Head::default());
    assert_eq!(parse_head("kind: 5").unwrap().kind, "5");
    // sigs.k8s.io/yaml writes YAML numbers and booleans into string fields as Go prints them.
    let head = parse_head("metadata:\n  annotations:\n    w: 1.0\n    x: 0x10\n    y: yes\n    z: \"1.0\"\n    v: 0.5\n").unwrap();
    let ann = head.metadata.unwrap().annotations.unwrap();
    assert_eq!(ann["w"], "1");
    assert_eq!(ann["x"], "16");
    assert_eq!(ann["y"], "true");
    assert_eq!(ann["z"], "1.0");
    assert_eq!(ann["v"], "0.5");
    assert_eq!(go_float32(1e10), "1e+10");
    assert_eq!(go_float32(0.1), "0.1");
    assert_eq!(go_float32(123456.0), "123456");
    assert_eq!(go_float32(1234567.0), "1.234567e+06");
    assert_eq!(go_float32(0.00001), "1e-05");
    // Type errors, with Go's encoding/json wording.
    for (doc, want) in [
        (
            "hello",
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go value of type releaseutil.SimpleHead",
        ),
        (
            "- a",
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type releaseutil.SimpleHead",
        ),
        (
            "kind: [a]",
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go struct field SimpleHead.kind of type string",
        ),
        (
            "metadata:\n  annotations:\n    a: {b: c}",
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal object into Go struct field .metadata.annotations of type string",
        ),
        (
            "metadata:\n  annotations: [a]",
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go struct field .metadata.annotations of type map[string]string",
        ),
        (
            "metadata: x",
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go struct field SimpleHead.metadata of type struct { Name string \"json:\\\"name\\\"\"; Annotations map[string]string \"json:\\\"annotations\\\"\" }",
        ),
    ] {
        assert_eq!(parse_head(doc).unwrap_err(), want, "{doc}");
    }
}

#[test]
fn yaml_errors_in_go_yaml_words() {
    for (doc, want) in [
        // The golden's case: a plain scalar line at the end of a mapping.
        (
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: \"release-name-my-alpine\"\nspec:\n  containers:\n  - name: waiter\n    image: \"alpine:3.9\"\n    command: [\"/bin/sleep\",\"9000\"]\ninvalid",
            "error converting YAML to JSON: yaml: line 11: could not find expected ':'",
        ),
        (
            "a: b: c",
            "error converting YAML to JSON: yaml: mapping values are not allowed in this context",
        ),
        (
            "a: 1\nb: c: d",
            "error converting YAML to JSON: yaml: line 2: mapping values are not allowed in this context",
        ),
        (
            "a:\n  - b\n  c: d",
            "error converting YAML to JSON: yaml: line 2: did not find expected '-' indicator",
        ),
        (
            "a: 1\n b: 2",
            "error converting YAML to JSON: yaml: line 2: mapping values are not allowed in this context",
        ),
        (
            "a: \"x",
            "error converting YAML to JSON: yaml: found unexpected end of stream",
        ),
    ] {
        assert_eq!(parse_head(doc).unwrap_err(), want, "{doc}");
    }
    // libyaml's verdicts (PyYAML's C parser, problem and marks put through go-yaml's line
    // rule), on documents templates often produce.
    for (doc, want) in [
        (
            "a:\n\tb: 1",
            "yaml: line 2: found character that cannot start any token",
        ),
        ("a: @x", "yaml: found character that cannot start any token"),
        (
            "- a\nb: c",
            "yaml: line 1: did not find expected '-' indicator",
        ),
        ("a: 1\n- b", "yaml: line 1: did not find expected key"),
        ("a: [1, 2", "yaml: line 1: did not find expected ',' or ']'"),
        ("a: {b: 1", "yaml: line 1: did not find expected ',' or '}'"),
        ("a: {b: 1]", "yaml: did not find expected ',' or '}'"),
        (
            "key: value\ninvalid",
            "yaml: line 3: could not find expected ':'",
        ),
        ("a: \"\\q\"", "yaml: found unknown escape character"),
        (
            "a:\n  b: 1\n c: 2",
            "yaml: line 2: did not find expected key",
        ),
        (
            "a:\n  b: 1\n   c: 2",
            "yaml: line 3: mapping values are not allowed in this context",
        ),
        (
            "a: |\n  x\n y: 2",
            "yaml: line 2: did not find expected key",
        ),
        (
            "spec:\n  containers:\n  - name: a\n    image: b\n   ports: 1",
            "yaml: line 4: did not find expected key",
        ),
        ("a: [b, c]]", "yaml: did not find expected key"),
        ("a: \"b\"c", "yaml: did not find expected key"),
        (
            "a: b\n  c: d",
            "yaml: line 2: mapping values are not allowed in this context",
        ),
        (
            "a: -\n",
            "yaml: block sequence entries are not allowed in this context",
        ),
        (
            "- - - x\n -y",
            "yaml: line 1: did not find expected '-' indicator",
        ),
        // go-yaml's decoder: an alias without its anchor.
        ("a: *unknown", "yaml: unknown anchor 'unknown' referenced"),
    ] {
        let want = format!("error converting YAML to JSON: {want}");
        assert_eq!(parse_head(doc).unwrap_err(), want, "{doc}");
    }
}

// ---------------------------------------------------------------------------------------------
// The goldens.

fn testdata() -> Option<PathBuf> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    // ../shared from the main checkout; a worktree under /work/wt/<name> finds it one level up.
    let found = [
        manifest.join("../shared/oracles/helm/v3/testdata"),
        manifest.join("../../shared/oracles/helm/v3/testdata"),
    ]
    .into_iter()
    .find(|p| p.is_dir());
    if found.is_none() {
        eprintln!("note: ../shared/oracles/helm is absent: the helm golden tests are skipped");
    }
    found
}

fn golden(dir: &std::path::Path, name: &str) -> String {
    std::fs::read_to_string(dir.join("output").join(name))
        .unwrap()
        .replace("\r\n", "\n")
}

/// The documents of a `helm template` stream: (source, text).
fn blocks(stream: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for part in stream.split("---\n# Source: ").skip(1) {
        let (source, rest) = part.split_once('\n').unwrap();
        // Writer adds "\n" after the text.
        let text = rest.strip_suffix('\n').unwrap_or(rest);
        out.push((source.to_owned(), text.to_owned()));
    }
    out
}

/// The rendered templates a golden was made from, as far as the stream tells: each template's
/// documents in the order they appear, joined by `---` lines.
fn templates_of(stream: &str) -> Vec<(String, String)> {
    let mut by_name: Vec<(String, String)> = Vec::new();
    for (source, text) in blocks(stream) {
        if source.contains("/crds/") {
            continue;
        }
        match by_name.iter_mut().find(|(n, _)| *n == source) {
            Some((_, t)) => {
                t.push_str("\n---\n");
                t.push_str(&text);
            }
            None => by_name.push((source, text)),
        }
    }
    // Helm renders in its own order; the input order must not matter.
    by_name.reverse();
    by_name
}

fn rendered(templates: &[(String, String)]) -> Vec<Rendered<'_>> {
    templates
        .iter()
        .map(|(name, text)| Rendered { name, text })
        .collect()
}

fn check_docs_map_back(stream: &Stream, templates: &[Rendered<'_>], crds: &[Rendered<'_>]) {
    for d in &stream.docs {
        let source = templates
            .iter()
            .chain(crds)
            .find(|t| t.name == d.source)
            .unwrap();
        assert_eq!(
            &stream.text[d.stream.clone()],
            &source.text[d.origin.clone()],
            "{}",
            d.source
        );
    }
}

#[test]
fn goldens_are_reproduced_from_their_documents() {
    let Some(dir) = testdata() else { return };
    let plain = [
        "template.txt",
        "template-set.txt",
        "template-values-files.txt",
        "template-name-template.txt",
        "template-chart-with-template-lib-dep.txt",
        "template-chart-with-template-lib-archive-dep.txt",
        "template-with-kube-version.txt",
        "template-with-api-version.txt",
        "object-order.txt",
        "issue-9027.txt",
        "template-subchart-cm.txt",
        "template-subchart-cm-set.txt",
        "template-subchart-cm-set-file.txt",
    ];
    for name in plain {
        let want = golden(&dir, name);
        let templates = templates_of(&want);
        let input = rendered(&templates);
        let got = write_stream(&input, &[], &StreamOptions::default()).unwrap();
        assert_eq!(got.text, want, "{name}");
        check_docs_map_back(&got, &input, &[]);
        assert_eq!(got.docs.len(), blocks(&want).len());
    }
}

#[test]
fn golden_object_order_from_the_chart_files() {
    // The object-order chart's templates have no actions: they render as they are.
    let Some(dir) = testdata() else { return };
    let chart = dir.join("testcharts/object-order/templates");
    let a = std::fs::read_to_string(chart.join("01-a.yml")).unwrap();
    let b = std::fs::read_to_string(chart.join("02-b.yml")).unwrap();
    let input = [
        Rendered {
            name: "object-order/templates/02-b.yml",
            text: &b,
        },
        Rendered {
            name: "object-order/templates/01-a.yml",
            text: &a,
        },
    ];
    let got = write_stream(&input, &[], &StreamOptions::default()).unwrap();
    assert_eq!(got.text, golden(&dir, "object-order.txt"));
    check_docs_map_back(&got, &input, &[]);
}

#[test]
fn golden_flags() {
    let Some(dir) = testdata() else { return };
    let full = golden(&dir, "template.txt");
    let templates = templates_of(&full);
    let input = rendered(&templates);
    let crd_text = std::fs::read_to_string(dir.join("testcharts/subchart/crds/crdA.yaml")).unwrap();
    let crds = [Rendered {
        name: "subchart/crds/crdA.yaml",
        text: &crd_text,
    }];
    let cases: [(&str, StreamOptions); 5] = [
        (
            "template-with-crds.txt",
            StreamOptions {
                include_crds: true,
                ..StreamOptions::default()
            },
        ),
        (
            "template-skip-tests.txt",
            StreamOptions {
                skip_tests: true,
                ..StreamOptions::default()
            },
        ),
        (
            "template-show-only-one.txt",
            StreamOptions {
                show_only: vec!["templates/service.yaml".into()],
                ..StreamOptions::default()
            },
        ),
        (
            "template-show-only-multiple.txt",
            StreamOptions {
                show_only: vec![
                    "templates/service.yaml".into(),
                    "charts/subcharta/templates/service.yaml".into(),
                ],
                ..StreamOptions::default()
            },
        ),
        (
            "template-show-only-glob.txt",
            StreamOptions {
                show_only: vec!["templates/subdir/role*".into()],
                ..StreamOptions::default()
            },
        ),
    ];
    for (name, options) in cases {
        let got = write_stream(&input, &crds, &options).unwrap();
        assert_eq!(got.text, golden(&dir, name), "{name}");
        check_docs_map_back(&got, &input, &crds);
    }
    // With --show-only, each document maps back whole.
    let got = write_stream(
        &input,
        &crds,
        &StreamOptions {
            show_only: vec!["templates/subdir/role*".into()],
            ..StreamOptions::default()
        },
    )
    .unwrap();
    assert_eq!(got.docs.len(), 2);
    assert!(got.docs.iter().all(|d| d.kind == DocKind::Manifest));
    // A template that is not there.
    let err = write_stream(
        &input,
        &crds,
        &StreamOptions {
            show_only: vec!["templates/nothing.yaml".into()],
            ..StreamOptions::default()
        },
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "could not find template templates/nothing.yaml in chart"
    );
}

#[test]
fn golden_invalid_yaml() {
    let Some(dir) = testdata() else { return };
    let chart =
        dir.join("testcharts/chart-with-template-with-invalid-yaml/templates/alpine-pod.yaml");
    let text = std::fs::read_to_string(chart).unwrap().replace(
        "{{.Release.Name}}-{{.Values.Name}}",
        "release-name-my-alpine",
    );
    let input = [Rendered {
        name: "chart-with-template-with-invalid-yaml/templates/alpine-pod.yaml",
        text: &text,
    }];
    let err = write_stream(&input, &[], &StreamOptions::default()).unwrap_err();
    assert_eq!(
        format!("Error: {}\n", err.helm_message(false)),
        golden(&dir, "template-with-invalid-yaml.txt")
    );
    let StreamError::Yaml { debug, .. } = &err else {
        panic!()
    };
    assert_eq!(
        format!("{}Error: {}\n", debug.text, err.helm_message(true)),
        golden(&dir, "template-with-invalid-yaml-debug.txt")
    );
}

#[test]
fn only_hooks_and_empty_streams() {
    // No manifests: template.go prints TrimSpace("") + "\n", then the hooks.
    let text = "kind: Pod\nmetadata:\n  annotations:\n    helm.sh/hook: test\n";
    let input = [Rendered {
        name: "c/templates/t.yaml",
        text,
    }];
    let got = write_stream(&input, &[], &StreamOptions::default()).unwrap();
    assert_eq!(
        got.text,
        format!("\n---\n# Source: c/templates/t.yaml\n{}\n", text.trim())
    );
    let got = write_stream(
        &input,
        &[],
        &StreamOptions {
            skip_tests: true,
            ..StreamOptions::default()
        },
    )
    .unwrap();
    assert_eq!(got.text, "\n");
    let got = write_stream(&[], &[], &StreamOptions::default()).unwrap();
    assert_eq!(got.text, "\n");
    // A comment-only document is a manifest (kind ""), sorted last.
    let input = [
        Rendered {
            name: "c/templates/a.yaml",
            text: "# just a comment\n",
        },
        Rendered {
            name: "c/templates/b.yaml",
            text: "kind: Zzz\n---\nkind: Service\n",
        },
    ];
    let got = write_stream(&input, &[], &StreamOptions::default()).unwrap();
    assert_eq!(
        got.text,
        "---\n# Source: c/templates/b.yaml\nkind: Service\n---\n# Source: c/templates/a.yaml\n# just a comment\n---\n# Source: c/templates/b.yaml\nkind: Zzz\n"
    );
}

#[test]
fn hostile_streams_are_bounded() {
    // Many separators, a long line of dashes, deep flow nesting: no panic, linear work.
    let many = "---\n".repeat(100_000);
    // A separator eats the newline the next `---` would need: every other one is text.
    let docs = split_texts(&many);
    assert_eq!(docs.len(), 50_000);
    assert!(docs.iter().all(|d| *d == "---"));
    let dashes = "-".repeat(100_000);
    assert_eq!(split_manifests(&dashes).len(), 1);
    let deep = format!("a: {}{}", "[".repeat(2_000), "]".repeat(2_000));
    let e = parse_head(&deep).unwrap_err();
    assert!(
        e.starts_with("error converting YAML to JSON: yaml: "),
        "{e}"
    );
    for depth in [10_000, 200_000] {
        let deep = format!("a: {}{}", "[".repeat(depth), "]".repeat(depth));
        let input = [Rendered {
            name: "c/templates/x.yaml",
            text: &deep,
        }];
        // Accepted or refused, it returns.
        let _ = write_stream(&input, &[], &StreamOptions::default());
        let deep = format!("a: {}", "[".repeat(depth));
        let input = [Rendered {
            name: "c/templates/x.yaml",
            text: &deep,
        }];
        assert!(write_stream(&input, &[], &StreamOptions::default()).is_err());
    }
    let pattern = StreamOptions {
        show_only: vec!["*".repeat(1000) + "x"],
        ..StreamOptions::default()
    };
    let ok = [Rendered {
        name: "c/templates/x.yaml",
        text: "kind: A",
    }];
    assert!(write_stream(&ok, &[], &pattern).is_err());
}

#[test]
fn notes_are_not_manifests_and_crds_are_copied_whole() {
    let input = [
        Rendered {
            name: "c/templates/NOTES.txt",
            text: "Thank you for installing!",
        },
        Rendered {
            name: "c/charts/sub/templates/NOTES.txt",
            text: "sub: notes",
        },
        Rendered {
            name: "c/templates/cm.yaml",
            text: "kind: ConfigMap\n",
        },
    ];
    let crd = "kind: CustomResourceDefinition\n---\nkind: CustomResourceDefinition\n\n\n";
    let crds = [Rendered {
        name: "c/crds/a.yaml",
        text: crd,
    }];
    let got = write_stream(
        &input,
        &crds,
        &StreamOptions {
            include_crds: true,
            ..StreamOptions::default()
        },
    )
    .unwrap();
    assert_eq!(
        got.text,
        format!(
            "---\n# Source: c/crds/a.yaml\n{crd}\n---\n# Source: c/templates/cm.yaml\nkind: ConfigMap\n"
        )
    );
    check_docs_map_back(&got, &input, &crds);
    // A stream that ends with a CRD: its trailing blank lines are trimmed, and its map with them.
    let got = write_stream(
        &input[..2],
        &crds,
        &StreamOptions {
            include_crds: true,
            ..StreamOptions::default()
        },
    )
    .unwrap();
    assert_eq!(
        got.text,
        format!("---\n# Source: c/crds/a.yaml\n{}\n", crd.trim_end())
    );
    check_docs_map_back(&got, &input, &crds);
    assert_eq!(got.docs[0].origin, 0..crd.trim_end().len());
    // --show-only of a CRD's path: only its first document has the header.
    let got = write_stream(
        &input,
        &crds,
        &StreamOptions {
            include_crds: true,
            show_only: vec!["crds/*".into()],
            ..StreamOptions::default()
        },
    )
    .unwrap();
    assert_eq!(
        got.text,
        "---\n# Source: c/crds/a.yaml\nkind: CustomResourceDefinition\n"
    );
    check_docs_map_back(&got, &input, &crds);
}

#[test]
fn a_name_given_twice_is_one_template() {
    let input = [
        Rendered {
            name: "c/templates/a.yaml",
            text: "kind: A\n---\nkind: B",
        },
        Rendered {
            name: "c/templates/a.yaml",
            text: "kind: Service",
        },
    ];
    let got = write_stream(&input, &[], &StreamOptions::default()).unwrap();
    assert_eq!(
        got.text,
        "---\n# Source: c/templates/a.yaml\nkind: Service\n"
    );
    check_docs_map_back(&got, &input[1..], &[]);
}
