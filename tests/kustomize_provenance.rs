//! Provenance of built objects: every node knows the file and span it came from (the base's
//! node, the patch's node, or the kustomization field that set it), and the emitted YAML maps
//! its spans back to those origins.

// Test code: helpers outside `#[test]` functions may unwrap, index and slice too (clippy.toml's
// allow-*-in-tests covers only `#[test]` functions and `#[cfg(test)]` modules).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use std::path::Path;

use kubeward::kustomize::{self, emit, value::Node};
use kubeward::source::SourceFile;

fn fixture(p: &str) -> std::path::PathBuf {
    common::repo_path("fixtures").join(p)
}

/// (file name, 1-based line) of a node's origin.
fn at(node: &Node) -> (String, usize) {
    let o = node.origin.as_ref().expect("node has an origin");
    let text = std::fs::read_to_string(&*o.file).expect("origin file readable");
    let sf = SourceFile::new(o.file.to_string(), text);
    let name = Path::new(&*o.file)
        .strip_prefix(fixture(""))
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| o.file.to_string());
    (name, sf.line_col(o.span.start).line)
}

fn line_of(file: &str, needle: &str) -> usize {
    let text = std::fs::read_to_string(fixture(file)).unwrap();
    text.lines()
        .position(|l| l.contains(needle))
        .expect("needle in file")
        + 1
}

fn deployment(built: &kustomize::Built) -> &Node {
    &built
        .resources
        .iter()
        .find(|r| r.obj.get_str("kind") == Some("Deployment"))
        .expect("a Deployment")
        .obj
}

#[test]
fn overlay_values_point_at_the_overlay_and_base_values_at_the_base() {
    let built = kustomize::build(&fixture("kustomize/overlay-generators/overlay")).unwrap();
    let d = deployment(&built);
    let container = &d
        .get_path(&["spec", "template", "spec", "containers"])
        .unwrap()
        .as_seq()
        .unwrap()[0];
    let overlay = "kustomize/overlay-generators/overlay/kustomization.yaml";
    let base = "kustomize/overlay-generators/base/app.yaml";
    // Set by `images:`.
    assert_eq!(
        at(container.get("image").unwrap()),
        (
            overlay.into(),
            line_of(overlay, "newName: registry.example/nginx")
        )
    );
    // Set by the inline JSON 6902 patch.
    assert_eq!(
        at(container.get("args").unwrap()),
        (overlay.into(), line_of(overlay, "patch: |-") + 1)
    );
    // Untouched base values.
    assert_eq!(
        at(container.get("volumeMounts").unwrap()),
        (base.into(), line_of(base, "volumeMounts:"))
    );
    // Set by `replicas:`.
    assert_eq!(
        at(d.get_path(&["spec", "replicas"]).unwrap()),
        (overlay.into(), line_of(overlay, "count: 3"))
    );
    // Set by `namespace:`.
    assert_eq!(
        at(d.get_path(&["metadata", "namespace"]).unwrap()),
        (overlay.into(), line_of(overlay, "namespace: prod"))
    );
    // A label set by `commonLabels:`.
    assert_eq!(
        at(d.get_path(&["metadata", "labels", "team"]).unwrap()),
        (overlay.into(), line_of(overlay, "commonLabels:"))
    );
}

#[test]
fn strategic_merge_patch_values_point_at_the_patch_file() {
    let built = kustomize::build(&fixture("kustomize/smp-directives")).unwrap();
    let d = deployment(&built);
    let containers = d
        .get_path(&["spec", "template", "spec", "containers"])
        .unwrap()
        .as_seq()
        .unwrap();
    let b = containers
        .iter()
        .find(|c| c.get_str("name") == Some("b"))
        .unwrap();
    let a = containers
        .iter()
        .find(|c| c.get_str("name") == Some("a"))
        .unwrap();
    assert_eq!(
        at(b.get("image").unwrap()),
        (
            "kustomize/smp-directives/p.yaml".into(),
            line_of("kustomize/smp-directives/p.yaml", "image: b2")
        )
    );
    assert_eq!(
        at(a.get("env").unwrap()),
        (
            "kustomize/smp-directives/d.yaml".into(),
            line_of("kustomize/smp-directives/d.yaml", "name: a, image: a")
        )
    );
}

#[test]
fn emitted_text_maps_back_to_origins() {
    let built = kustomize::build(&fixture("kustomize/overlay-generators/overlay")).unwrap();
    let d = deployment(&built);
    let out = emit::emit(d);
    let needle = "registry.example/nginx:1.27";
    let start = out.text.find(needle).expect("image in output");
    let span = kubeward::source::Span::new(start, start + needle.len());
    let origin = out.origin_of(span).expect("an origin");
    assert!(
        origin.file.ends_with("overlay/kustomization.yaml"),
        "{}",
        origin.file
    );
    let overlay = "kustomize/overlay-generators/overlay/kustomization.yaml";
    let text = std::fs::read_to_string(fixture(overlay)).unwrap();
    let sf = SourceFile::new(overlay, text);
    assert_eq!(
        sf.line_col(origin.span.start).line,
        line_of(overlay, "newName: registry.example/nginx")
    );
    // A base value maps to the base file.
    let needle = "mountPath: /cfg";
    let start = out.text.find(needle).expect("mountPath in output") + "mountPath: ".len();
    let origin = out
        .origin_of(kubeward::source::Span::new(start, start + 4))
        .unwrap();
    assert!(origin.file.ends_with("base/app.yaml"), "{}", origin.file);
}
