//! Helm's own cases for the chart model (helm/helm v3.21.4 `pkg/chart/loader/load_test.go`,
//! `pkg/chartutil/coalesce_test.go`, `values_test.go`, `dependencies_test.go`,
//! `jsonschema_test.go`), their test data in `tests/data/helm/` (see its README), the oracle's
//! and the corpus's charts, and hostile inputs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use super::archive::build::{gzip, tar};
use super::data::{ReleaseOptions, render_plan};
use super::deps::{process_dependencies, process_enabled};
use super::load::{BufferedFile, load_chart, load_files};
use super::values::{
    Warnings, coalesce_tables, coalesce_values, deep_copy_map, merge_tables, merge_values, new_map,
    path_value, read_values_file, table, validate_schemas,
};
use super::*;
use crate::helm::value::{Map, Value};

const LOADER: &str = "tests/data/helm/loader";
const CHARTUTIL: &str = "tests/data/helm/chartutil";

fn load(path: &str) -> Chart {
    match load_chart(Path::new(path)) {
        Ok(c) => c,
        Err(e) => panic!("{path}: {e} ({:?})", e.location),
    }
}

/// A value from JSON (numbers are floats, as values files give them).
fn v(json: serde_json::Value) -> Value {
    use serde_json::Value as J;
    match json {
        J::Null => Value::Nil,
        J::Bool(b) => Value::Bool(b),
        J::Number(n) => Value::Float(n.as_f64().unwrap()),
        J::String(s) => Value::str(s),
        J::Array(items) => Value::list(items.into_iter().map(v).collect()),
        J::Object(m) => Value::map(m.into_iter().map(|(k, x)| (k, v(x))).collect()),
    }
}

fn m(json: serde_json::Value) -> Map {
    match v(json) {
        Value::Map(m) => m,
        other => panic!("not a map: {other:?}"),
    }
}

fn get(map: &Map, key: &str) -> Option<Value> {
    map.borrow().get(key).cloned()
}

/// `{{.a.b.c}}` of Go's text/template over maps: the value printed, `<no value>` when missing
/// or nil.
fn tpl(map: &Map, path: &str) -> String {
    let mut cur = Value::Map(Rc::clone(map));
    for part in path.split('.') {
        cur = match cur {
            Value::Map(m) => match get(&m, part) {
                Some(x) => x,
                None => return "<no value>".to_owned(),
            },
            _ => return "<no value>".to_owned(),
        };
    }
    match cur {
        Value::Nil => "<no value>".to_owned(),
        other => other.go_string(),
    }
}

fn in_memory(name: &str, values: serde_json::Value, deps: Vec<Chart>) -> Chart {
    Chart {
        metadata: Metadata {
            name: name.to_owned(),
            ..Metadata::default()
        },
        lock: None,
        templates: Vec::new(),
        values: m(values),
        values_source: None,
        schema: None,
        files: Vec::new(),
        dependencies: deps,
        source: RealPath {
            path: PathBuf::from(name),
            member: None,
        },
    }
}

// ---------------------------------------------------------------------------------------
// pkg/chart/loader/load_test.go

fn verify_frobnitz(c: &Chart, name: &str) {
    assert_eq!(c.name(), name);
    assert_eq!(c.templates.len(), 1);
    assert_eq!(c.templates[0].name, "templates/template.tpl");
    assert!(!c.templates[0].data.is_empty());
    assert_eq!(
        c.files.len(),
        6,
        "{:?}",
        c.files.iter().map(|f| &f.name).collect::<Vec<_>>()
    );
    assert_eq!(c.dependencies.len(), 2);
    assert_eq!(c.metadata.dependencies.len(), 2);
    assert_eq!(c.lock.as_ref().unwrap().len(), 2);
    for dep in &c.dependencies {
        match dep.name() {
            "mariner" => assert_eq!(dep.metadata.version, "4.3.2"),
            "alpine" => {
                assert_eq!(dep.metadata.version, "0.1.0");
                assert_eq!(dep.templates.len(), 1);
                assert_eq!(dep.templates[0].name, "templates/alpine-pod.yaml");
                assert_eq!(dep.files.len(), 1);
                assert_eq!(dep.dependencies.len(), 2);
            }
            other => panic!("unexpected dependency {other}"),
        }
    }
    verify_dependencies(c);
}

fn verify_dependencies(c: &Chart) {
    let want = [
        ("alpine", "0.1.0", "https://example.com/charts"),
        ("mariner", "4.3.2", "https://example.com/charts"),
    ];
    for list in std::iter::once(&c.metadata.dependencies).chain(c.lock.as_ref()) {
        assert_eq!(list.len(), 2);
        for (d, (name, version, repo)) in list.iter().zip(want) {
            assert_eq!((d.name.as_str(), d.version.as_str()), (name, version));
            assert_eq!(d.repository, repo);
        }
    }
}

#[test]
fn load_dir_frobnitz() {
    verify_frobnitz(&load(&format!("{LOADER}/frobnitz")), "frobnitz");
}

#[test]
fn load_archive_frobnitz() {
    let c = load(&format!("{LOADER}/frobnitz-1.2.3.tgz"));
    verify_frobnitz(&c, "frobnitz");
    let t = &c.templates[0];
    assert_eq!(
        t.real.member.as_deref(),
        Some("frobnitz/templates/template.tpl")
    );
    let alpine = c
        .dependencies
        .iter()
        .find(|d| d.name() == "alpine")
        .unwrap();
    assert_eq!(
        alpine.source.member.as_deref(),
        Some("frobnitz/charts/alpine")
    );
    // An archive inside the archive: its members are named through both.
    let mariner = c
        .dependencies
        .iter()
        .find(|d| d.name() == "mariner")
        .unwrap();
    let member = mariner.templates[0].real.member.as_deref().unwrap();
    assert!(
        member.starts_with("frobnitz/charts/mariner-4.3.2.tgz!/mariner/"),
        "{member}"
    );
}

#[test]
fn load_archive_with_backslashes() {
    verify_frobnitz(
        &load(&format!("{LOADER}/frobnitz_backslash-1.2.3.tgz")),
        "frobnitz_backslash",
    );
}

#[test]
fn load_v1_with_requirements() {
    for p in ["frobnitz.v1", "frobnitz.v1.tgz"] {
        let c = load(&format!("{LOADER}/{p}"));
        verify_dependencies(&c);
        // apiVersion v1: requirements.yaml and requirements.lock are files too.
        assert!(c.files.iter().any(|f| f.name == "requirements.yaml"), "{p}");
    }
    let c = load(&format!("{LOADER}/frobnitz.v2.reqs"));
    verify_dependencies(&c);
    assert!(!c.files.iter().any(|f| f.name == "requirements.yaml"));
}

#[test]
fn load_with_utf8_bom() {
    for p in ["frobnitz_with_bom", "frobnitz_with_bom.tgz"] {
        let c = load(&format!("{LOADER}/{p}"));
        verify_frobnitz(&c, "frobnitz");
        for f in c.files.iter().chain(&c.templates) {
            assert!(!f.data.starts_with(archive::UTF8_BOM), "{p}: {}", f.name);
        }
    }
}

fn buffered(name: &str, data: &str) -> BufferedFile {
    BufferedFile {
        name: name.to_owned(),
        data: data.as_bytes().to_vec(),
        real: RealPath {
            path: PathBuf::from(name),
            member: None,
        },
    }
}

const FROBNITZ_CHART: &str = "apiVersion: v1
name: frobnitz
description: This is a frobnitz.
version: \"1.2.3\"
keywords:
  - frobnitz
  - sprocket
  - dodad
maintainers:
  - name: The Helm Team
    email: helm@example.com
  - name: Someone Else
    email: nobody@example.com
sources:
  - https://example.com/foo/bar
home: http://example.com
icon: https://example.com/64x64.png
";

#[test]
fn load_files_sorts_files_by_kind() {
    let files = vec![
        buffered("Chart.yaml", FROBNITZ_CHART),
        buffered("values.yaml", "var: some values"),
        buffered("values.schema.json", "type: Values"),
        buffered("templates/deployment.yaml", "some deployment"),
        buffered("templates/service.yaml", "some service"),
    ];
    let c = load_files(
        files,
        RealPath {
            path: ".".into(),
            member: None,
        },
    )
    .unwrap();
    assert_eq!(c.name(), "frobnitz");
    assert_eq!(get(&c.values, "var").unwrap().as_str(), Some("some values"));
    assert_eq!(&*c.schema.as_ref().unwrap().data, b"type: Values");
    assert_eq!(c.templates.len(), 2);
    assert_eq!(c.metadata.maintainers.len(), 2);
    assert_eq!(c.metadata.keywords, ["frobnitz", "sprocket", "dodad"]);
    let err = load_files(
        Vec::new(),
        RealPath {
            path: ".".into(),
            member: None,
        },
    )
    .unwrap_err();
    assert_eq!(err.message, "Chart.yaml file is missing");
}

// `TestLoadFilesOrder`: Chart.yaml after requirements.yaml still counts first.
#[test]
fn load_files_reads_chart_yaml_first() {
    let files = vec![
        buffered("requirements.yaml", "dependencies:"),
        buffered("values.yaml", "var: some values"),
        buffered("templates/deployment.yaml", "some deployment"),
        buffered("Chart.yaml", FROBNITZ_CHART),
    ];
    let c = load_files(
        files,
        RealPath {
            path: ".".into(),
            member: None,
        },
    )
    .unwrap();
    assert_eq!(c.metadata.api_version, "v1");
    assert!(c.files.iter().any(|f| f.name == "requirements.yaml"));
}

// `TestLoadFiles_BadCases`.
#[test]
fn load_files_requirements_lock_alone() {
    let err = load_files(
        vec![buffered("requirements.lock", "")],
        RealPath {
            path: ".".into(),
            member: None,
        },
    )
    .unwrap_err();
    assert!(
        err.message
            .contains("validation: chart.metadata.apiVersion is required"),
        "{}",
        err.message
    );
}

fn temp_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("kubeward-helm-chart-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

// `TestLoadInvalidArchive` (the names themselves are covered in archive.rs): whole loads.
#[test]
fn load_invalid_archives() {
    let dir = temp_dir("invalid");
    let write = |name: &str, entry: &str| {
        let path = dir.join(name);
        std::fs::write(&path, gzip(&tar(&[(entry, b"hello: world")]))).unwrap();
        path
    };
    let err = load_chart(&write("a.tgz", "../../malformed-helm-test")).unwrap_err();
    assert_eq!(err.message, "chart illegally references parent directory");
    let err = load_chart(&write("b.tgz", "/missing-leading-slash")).unwrap_err();
    assert_eq!(err.message, "Chart.yaml file is missing");
    let err = load_chart(&write("c.tgz", "/Chart.yaml")).unwrap_err();
    assert_eq!(err.message, "validation: chart.metadata.name is required");
    let err = load_chart(&write("d.tgz", "files/whatever.yaml")).unwrap_err();
    assert_eq!(err.message, "Chart.yaml file is missing");
    let err = load_chart(&write("e.tgz", "c:\\Chart.yaml")).unwrap_err();
    assert_eq!(err.message, "validation: chart.metadata.name is required");
    // Not an archive at all.
    let path = dir.join("values.yaml");
    std::fs::write(&path, "a: b\n").unwrap();
    let err = load_chart(&path).unwrap_err();
    assert!(
        err.message
            .contains("seems to be a YAML file, but expected a gzipped archive")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

// `TestLoadDirWithDevNull`: an irregular file refuses the chart.
#[test]
fn load_dir_with_dev_null() {
    let dir = temp_dir("devnull");
    copy_dir(Path::new(&format!("{LOADER}/frobnitz")), &dir);
    std::os::unix::fs::symlink("/dev/null", dir.join("null")).unwrap();
    let err = load_chart(&dir).unwrap_err();
    assert!(
        err.message.starts_with("cannot load irregular file"),
        "{}",
        err.message
    );
    let _ = std::fs::remove_dir_all(&dir);
}

// `TestLoadDirWithSymlink`: a symbolic link to a file is read; `TestDependentChartsWithSub-
// ChartsSymlink`: a link to a chart folder under charts/ is a subchart.
#[test]
fn load_dir_follows_symlinks() {
    let dir = temp_dir("symlink");
    let chart = dir.join("frobnitz");
    copy_dir(Path::new(&format!("{LOADER}/frobnitz")), &chart);
    std::fs::write(dir.join("LICENSE"), "license").unwrap();
    std::fs::remove_file(chart.join("LICENSE")).unwrap();
    std::os::unix::fs::symlink("../LICENSE", chart.join("LICENSE")).unwrap();
    let c = load(chart.to_str().unwrap());
    assert!(
        c.files
            .iter()
            .any(|f| f.name == "LICENSE" && &*f.data == b"license")
    );
    let joonix = dir.join("joonix");
    copy_dir(Path::new(&format!("{CHARTUTIL}/joonix")), &joonix);
    std::os::unix::fs::symlink(
        std::fs::canonicalize(format!("{CHARTUTIL}/frobnitz")).unwrap(),
        joonix.join("charts/frobnitz"),
    )
    .unwrap();
    let c = load(joonix.to_str().unwrap());
    assert_eq!(c.name(), "joonix");
    assert_eq!(c.dependencies.len(), 1);
    // A link loop ends at the walk's depth bound.
    std::os::unix::fs::symlink(&joonix, joonix.join("loop")).unwrap();
    let err = load_chart(&joonix).unwrap_err();
    assert!(
        err.message.contains("nest deeper") || err.message.contains("symbolic links"),
        "{}",
        err.message
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn helmignore_and_default_rules() {
    // dependent-chart-helmignore ignores `charts/.ignore_me` style entries; the chart loads.
    let c = load(&format!("{CHARTUTIL}/dependent-chart-helmignore"));
    assert_eq!(c.dependencies.len(), 1);
    let dir = temp_dir("helmignore");
    copy_dir(Path::new(&format!("{LOADER}/frobnitz")), &dir);
    std::fs::write(dir.join("templates/.hidden.yaml"), "x").unwrap();
    std::fs::write(dir.join(".helmignore"), "ignore/\n*.txt\n").unwrap();
    let c = load(dir.to_str().unwrap());
    assert!(!c.templates.iter().any(|t| t.name.contains(".hidden")));
    assert!(
        !c.files
            .iter()
            .any(|f| f.name.ends_with(".txt") || f.name.starts_with("ignore/"))
    );
    assert!(c.files.iter().any(|f| f.name == ".helmignore"));
    std::fs::write(dir.join(".helmignore"), "foo/**/bar\n").unwrap();
    let err = load_chart(&dir).unwrap_err();
    assert_eq!(err.message, "double-star (**) syntax is not supported");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn chart_yaml_errors_are_helms_and_located() {
    let dir = temp_dir("chartyaml");
    let write = |text: &str| {
        std::fs::write(dir.join("Chart.yaml"), text).unwrap();
        load_chart(&dir).unwrap_err()
    };
    assert_eq!(
        write("apiVersion: v2\nversion: 1.0.0\n").message,
        "validation: chart.metadata.name is required"
    );
    assert_eq!(
        write("apiVersion: v2\nname: x\n").message,
        "validation: chart.metadata.version is required"
    );
    assert_eq!(
        write("apiVersion: v2\nname: x\nversion: 1.0.0\ntype: foobar\n").message,
        "validation: chart.metadata.type must be application or library"
    );
    assert_eq!(
        write("apiVersion: v2\nname: x\nversion: nope\n").message,
        "validation: chart.metadata.version \"nope\" is invalid"
    );
    assert_eq!(
        write("apiVersion: v2\nname: a/b\nversion: 1.0.0\n").message,
        "validation: chart.metadata.name \"a/b\" is invalid"
    );
    let text = "apiVersion: v2\nname: x\nversion: 1.0.0\nsources: [a, {b: c}]\n";
    let err = write(text);
    assert_eq!(
        err.message,
        "cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: json: cannot \
         unmarshal object into Go struct field Metadata.sources of type string"
    );
    let at = err.location.unwrap();
    assert_eq!(text.get(at.offset..at.offset + 1).unwrap(), "{");
    // Numbers and booleans become the text of string fields, as sigs.k8s.io/yaml writes them.
    std::fs::write(
        dir.join("Chart.yaml"),
        "apiVersion: v2\nname: x\nversion: 2.0\nappVersion: 1.10\nkubeVersion: 20230101\nannotations:\n  a: true\n",
    )
    .unwrap();
    let c = load_chart(&dir).unwrap();
    assert_eq!(c.metadata.version, "2");
    assert_eq!(c.metadata.app_version, "1.1");
    assert_eq!(c.metadata.kube_version, "20230101");
    assert_eq!(c.metadata.annotations["a"], "true");
    let err = write("apiVersion: v2\nname: x\nversion: 1.0.0\ndeprecated: \"yes\"\n");
    assert!(
        err.message.ends_with(
            "cannot unmarshal string into Go struct field Metadata.deprecated of type bool"
        ),
        "{}",
        err.message
    );
    let text = "apiVersion: v2\nname: x\nversion: 1.0.0\nkeywords: [a\n";
    let err = write(text);
    assert!(
        err.message
            .starts_with("cannot load Chart.yaml: error converting YAML to JSON: yaml: line"),
        "{}",
        err.message
    );
    assert!(err.location.is_some());
    let err = write(
        "apiVersion: v2\nname: x\nversion: 1.0.0\ndependencies:\n- name: a\n  alias: a\n- name: b\n  alias: a\n",
    );
    assert_eq!(
        err.message,
        "validation: more than one dependency with name or alias \"a\""
    );
    // values.yaml errors name the file.
    std::fs::write(
        dir.join("Chart.yaml"),
        "apiVersion: v2\nname: x\nversion: 1.0.0\n",
    )
    .unwrap();
    std::fs::write(dir.join("values.yaml"), "- a\n- b\n").unwrap();
    let err = load_chart(&dir).unwrap_err();
    assert_eq!(
        err.message,
        "cannot load values.yaml: error unmarshaling JSON: while decoding JSON: json: cannot \
         unmarshal array into Go value of type map[string]interface {}"
    );
    std::fs::write(dir.join("values.yaml"), "a: b\n c: d\n").unwrap();
    let err = load_chart(&dir).unwrap_err();
    assert!(
        err.message
            .starts_with("cannot load values.yaml: error converting YAML to JSON")
    );
    // A stray file in charts/ is a subchart without Chart.yaml, as in Helm.
    std::fs::write(dir.join("values.yaml"), "a: b\n").unwrap();
    std::fs::create_dir_all(dir.join("charts")).unwrap();
    std::fs::write(dir.join("charts/README.md"), "hi").unwrap();
    let err = load_chart(&dir).unwrap_err();
    assert_eq!(
        err.message,
        "error unpacking subchart README.md in x: Chart.yaml file is missing"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn values_carry_the_chart_path_in_their_origin() {
    let Some(oracle) = oracle() else {
        return;
    };
    let c = load(&format!("{oracle}/subchart"));
    let sub = c
        .dependencies
        .iter()
        .find(|d| d.name() == "subcharta")
        .unwrap();
    let service = get(&sub.values, "service").unwrap();
    let Value::Map(service) = service else {
        panic!()
    };
    let Some(Value::Str(name)) = get(&service, "name") else {
        panic!()
    };
    let origin = &name.provenance.as_ref().unwrap().chunks[0].1;
    assert_eq!(&*origin.file, "subchart/charts/subcharta/values.yaml");
    let text =
        std::fs::read_to_string(format!("{oracle}/subchart/charts/subchartA/values.yaml")).unwrap();
    assert_eq!(
        text.get(origin.offset..origin.offset + name.text.len())
            .unwrap(),
        &*name.text
    );
}

// ---------------------------------------------------------------------------------------
// Hostile inputs.

#[test]
fn subcharts_nested_1000_deep_are_refused() {
    // Build charts/c/charts/c/... as in-memory files: the names grow, the load stops at the
    // depth bound.
    let mut files = Vec::new();
    let mut prefix = String::new();
    for i in 0..1000 {
        files.push(BufferedFile {
            name: format!("{prefix}Chart.yaml"),
            data: format!("apiVersion: v2\nname: c{i}\nversion: 1.0.0\n").into_bytes(),
            real: RealPath {
                path: ".".into(),
                member: None,
            },
        });
        prefix.push_str("charts/c/");
    }
    let err = load_files(
        files,
        RealPath {
            path: ".".into(),
            member: None,
        },
    )
    .unwrap_err();
    assert!(err.message.contains("nest deeper than"), "{}", err.message);
}

#[test]
fn archive_in_archive_bomb_is_bounded() {
    // An archive holding archives holding a 4 MiB file each: the load's total stays bounded.
    let big = vec![b'a'; 4 * 1024 * 1024];
    let leaf = gzip(&tar(&[
        (
            "leaf/Chart.yaml",
            b"apiVersion: v2\nname: leaf\nversion: 1.0.0\n",
        ),
        ("leaf/big.txt", &big),
    ]));
    let mut entries: Vec<(String, Vec<u8>)> = vec![(
        "top/Chart.yaml".to_owned(),
        b"apiVersion: v2\nname: top\nversion: 1.0.0\n".to_vec(),
    )];
    for i in 0..80 {
        entries.push((format!("top/charts/leaf{i}.tgz"), leaf.clone()));
    }
    let refs: Vec<(&str, &[u8])> = entries
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    let dir = temp_dir("bomb");
    let path = dir.join("top.tgz");
    std::fs::write(&path, gzip(&tar(&refs))).unwrap();
    let err = load_chart(&path).unwrap_err();
    assert!(err.message.contains("larger than"), "{}", err.message);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn values_alias_bomb_is_refused() {
    let dir = temp_dir("valuesbomb");
    std::fs::write(
        dir.join("Chart.yaml"),
        "apiVersion: v2\nname: x\nversion: 1.0.0\n",
    )
    .unwrap();
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..9 {
        let p = i - 1;
        text.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    std::fs::write(dir.join("values.yaml"), text).unwrap();
    let err = load_chart(&dir).unwrap_err();
    assert!(
        err.message.starts_with("cannot load values.yaml"),
        "{}",
        err.message
    );
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------------------
// pkg/chartutil/coalesce_test.go

const COALESCE_VALUES_YAML: &str = "
top: yup
bottom: null
right: Null
left: NULL
front: ~
back: \"\"
nested:
  boat: null

global:
  name: Ishmael
  subject: Queequeg
  nested:
    boat: true

pequod:
  boat: null
  global:
    name: Stinky
    harpooner: Tashtego
    nested:
      boat: false
      sail: true
      foo2: null
  ahab:
    scope: whale
    boat: null
    nested:
      foo: true
      boat: null
    object: null
";

fn read_values(text: &str) -> Map {
    read_values_file(
        "values.yaml",
        text,
        RealPath {
            path: "values.yaml".into(),
            member: None,
        },
    )
    .unwrap()
    .0
}

fn moby(with_pequod_extras: bool) -> Chart {
    use serde_json::json;
    let ahab = if with_pequod_extras {
        json!({
            "global": {"nested": {"foo": "bar", "foo2": "bar2"}, "nested2": {"l2": "ahab"}},
            "scope": "ahab", "name": "ahab", "boat": true,
            "nested": {"foo": false, "boat": true}, "object": {"foo": "bar"},
        })
    } else {
        json!({
            "global": {"nested": {"foo": "bar"}, "nested2": {"l2": "ahab"}},
            "scope": "ahab", "name": "ahab", "boat": true,
            "nested": {"foo": false, "bar": true},
        })
    };
    let pequod = if with_pequod_extras {
        json!({
            "name": "pequod", "scope": "pequod",
            "global": {"nested2": {"l1": "pequod"}},
            "boat": false, "ahab": {"boat": false, "nested": {"boat": false}},
        })
    } else {
        json!({"name": "pequod", "scope": "pequod", "global": {"nested2": {"l1": "pequod"}}})
    };
    let mut top = json!({
        "back": "exists", "bottom": "exists", "front": "exists", "left": "exists",
        "name": "moby", "nested": {"boat": true}, "override": "bad", "right": "exists",
        "scope": "moby", "top": "nope", "global": {"nested2": {"l0": "moby"}},
    });
    if with_pequod_extras {
        top["pequod"] =
            json!({"boat": "maybe", "ahab": {"boat": "maybe", "nested": {"boat": "maybe"}}});
    }
    in_memory(
        "moby",
        top,
        vec![
            in_memory("pequod", pequod, vec![in_memory("ahab", ahab, vec![])]),
            in_memory(
                "spouter",
                json!({"scope": "spouter", "global": {"nested2": {"l1": "spouter"}}}),
                vec![],
            ),
        ],
    )
}

const COALESCE_EXPECT: &[(&str, &str)] = &[
    ("top", "yup"),
    ("back", ""),
    ("name", "moby"),
    ("global.name", "Ishmael"),
    ("global.subject", "Queequeg"),
    ("global.harpooner", "<no value>"),
    ("pequod.name", "pequod"),
    ("pequod.ahab.name", "ahab"),
    ("pequod.ahab.scope", "whale"),
    ("pequod.ahab.nested.foo", "true"),
    ("pequod.ahab.global.name", "Ishmael"),
    ("pequod.ahab.global.nested.foo", "bar"),
    ("pequod.ahab.global.subject", "Queequeg"),
    ("pequod.ahab.global.harpooner", "Tashtego"),
    ("pequod.global.name", "Ishmael"),
    ("pequod.global.nested.foo", "<no value>"),
    ("pequod.global.subject", "Queequeg"),
    ("spouter.global.name", "Ishmael"),
    ("spouter.global.harpooner", "<no value>"),
    ("global.nested.boat", "true"),
    ("pequod.global.nested.boat", "true"),
    ("spouter.global.nested.boat", "true"),
    ("pequod.global.nested.sail", "true"),
    ("spouter.global.nested.sail", "<no value>"),
    ("global.nested2.l0", "moby"),
    ("global.nested2.l1", "<no value>"),
    ("global.nested2.l2", "<no value>"),
    ("pequod.global.nested2.l0", "moby"),
    ("pequod.global.nested2.l1", "pequod"),
    ("pequod.global.nested2.l2", "<no value>"),
    ("pequod.ahab.global.nested2.l0", "moby"),
    ("pequod.ahab.global.nested2.l1", "pequod"),
    ("pequod.ahab.global.nested2.l2", "ahab"),
    ("spouter.global.nested2.l0", "moby"),
    ("spouter.global.nested2.l1", "spouter"),
    ("spouter.global.nested2.l2", "<no value>"),
];

#[test]
fn coalesce_values_as_helm() {
    let c = moby(true);
    let vals = read_values(COALESCE_VALUES_YAML);
    let before = format!("{:?}", Value::Map(Rc::clone(&vals)));
    let v = coalesce_values(&c, &vals, &mut Warnings::default()).unwrap();
    for (path, want) in COALESCE_EXPECT {
        assert_eq!(tpl(&v, path), *want, "{path}");
    }
    assert_eq!(tpl(&v, "pequod.ahab.global.nested.foo2"), "<no value>");
    for null_key in ["bottom", "right", "left", "front"] {
        assert!(get(&v, null_key).is_none(), "{null_key} should be removed");
    }
    let nested = table(&v, "nested").unwrap();
    assert!(get(&nested, "boat").is_none());
    let pequod = table(&v, "pequod").unwrap();
    assert!(get(&pequod, "boat").is_none());
    let ahab = table(&v, "pequod.ahab").unwrap();
    assert!(get(&ahab, "boat").is_none());
    assert!(get(&table(&ahab, "nested").unwrap(), "boat").is_none());
    assert!(get(&ahab, "object").is_none());
    // The user's values are not changed.
    assert_eq!(format!("{:?}", Value::Map(vals)), before);
}

#[test]
fn merge_values_keeps_nulls() {
    let c = moby(false);
    let vals = read_values(COALESCE_VALUES_YAML);
    let before = format!("{:?}", Value::Map(Rc::clone(&vals)));
    let v = merge_values(&c, &vals, &mut Warnings::default()).unwrap();
    for (path, want) in COALESCE_EXPECT {
        assert_eq!(tpl(&v, path), *want, "{path}");
    }
    for null_key in ["bottom", "right", "left", "front"] {
        assert!(matches!(get(&v, null_key), Some(Value::Nil)), "{null_key}");
    }
    assert!(get(&table(&v, "nested").unwrap(), "boat").is_some());
    let ahab = table(&v, "pequod.ahab").unwrap();
    assert!(get(&ahab, "boat").is_some());
    assert!(get(&table(&ahab, "nested").unwrap(), "bar").is_some());
    assert_eq!(format!("{:?}", Value::Map(vals)), before);
}

fn tables_fixture() -> (Map, Map) {
    use serde_json::json;
    (
        m(json!({
            "name": "Ishmael",
            "address": {"street": "123 Spouter Inn Ct.", "city": "Nantucket", "country": null},
            "details": {"friends": ["Tashtego"]},
            "boat": "pequod",
            "hole": null,
        })),
        m(json!({
            "occupation": "whaler",
            "address": {"state": "MA", "street": "234 Spouter Inn Ct.", "country": "US"},
            "details": "empty",
            "boat": {"mast": true},
            "hole": "black",
        })),
    )
}

#[test]
fn coalesce_and_merge_tables() {
    for merge in [false, true] {
        let (dst, src) = tables_fixture();
        if merge {
            merge_tables(&dst, &src);
        } else {
            coalesce_tables(&dst, &src);
        }
        assert_eq!(tpl(&dst, "name"), "Ishmael");
        assert_eq!(tpl(&dst, "occupation"), "whaler");
        assert_eq!(tpl(&dst, "address.street"), "123 Spouter Inn Ct.");
        assert_eq!(tpl(&dst, "address.city"), "Nantucket");
        assert_eq!(tpl(&dst, "address.state"), "MA");
        assert_eq!(tpl(&dst, "details.friends"), "[Tashtego]");
        assert_eq!(tpl(&dst, "boat"), "pequod");
        let addr = table(&dst, "address").unwrap();
        // Coalescing removes the nulls the user set; merging keeps them.
        assert_eq!(get(&addr, "country").is_some(), merge, "merge={merge}");
        assert_eq!(get(&dst, "hole").is_some(), merge, "merge={merge}");
    }
    // With no source (--reuse-values), the destination stays as it is.
    let dst = m(serde_json::json!({"name": "Ishmael", "hole": "black", "nilval": null}));
    merge_tables(&dst, &new_map());
    assert_eq!(tpl(&dst, "hole"), "black");
    assert!(matches!(get(&dst, "nilval"), Some(Value::Nil)));
}

#[test]
fn coalesce_values_warnings() {
    use serde_json::json;
    let c = in_memory(
        "level1",
        json!({"name": "moby"}),
        vec![in_memory(
            "level2",
            json!({"name": "pequod"}),
            vec![in_memory(
                "level3",
                json!({"name": "ahab", "boat": true, "spear": {"tip": true, "sail": {"cotton": true}}}),
                vec![],
            )],
        )],
    );
    let vals = m(json!({"level2": {"level3": {
        "boat": {"mast": true},
        "spear": {"tip": {"sharp": true}, "sail": true},
    }}}));
    let mut w = Warnings::default();
    coalesce_values(&c, &vals, &mut w).unwrap();
    for want in [
        "warning: skipped value for level1.level2.level3.boat: Not a table.",
        "warning: destination for level1.level2.level3.spear.tip is a table. Ignoring non-table value (true)",
        "warning: cannot overwrite table with non table for level1.level2.level3.spear.sail (map[cotton:true])",
    ] {
        assert!(w.0.iter().any(|x| x == want), "{want}\n{:#?}", w.0);
    }
}

// `TestCoalesceValuesEmptyMapWithNils` (issue 31643).
#[test]
fn coalesce_keeps_user_nulls_the_chart_does_not_set() {
    use serde_json::json;
    let c = in_memory("test", json!({"data": {}}), vec![]);
    let vals = m(json!({"data": {"foo": "bar", "baz": null}}));
    let v = coalesce_values(&c, &vals, &mut Warnings::default()).unwrap();
    let data = table(&v, "data").unwrap();
    assert_eq!(tpl(&data, "foo"), "bar");
    assert!(matches!(get(&data, "baz"), Some(Value::Nil)));
}

#[test]
fn coalesce_type_mismatch_on_a_subchart_key() {
    use serde_json::json;
    let c = in_memory("p", json!({}), vec![in_memory("sub", json!({}), vec![])]);
    let err = coalesce_values(&c, &m(json!({"sub": "x"})), &mut Warnings::default()).unwrap_err();
    assert_eq!(err.message, "type mismatch on sub: %!t(string=x)");
}

// ---------------------------------------------------------------------------------------
// pkg/chartutil/values_test.go

#[test]
fn read_values_and_tables() {
    let doc = "# Test YAML parse\npoet: \"Coleridge\"\ntitle: \"Rime of the Ancient Mariner\"\nstanza:\n  - \"at\"\n  - \"length\"\n  - \"did\"\n  - cross\n  - an\n  - Albatross\n\nmariner:\n  with: \"crossbow\"\n  shot: \"ALBATROSS\"\n\nwater:\n  water:\n    where: \"everywhere\"\n    nor: \"any drop to drink\"\n";
    let file = std::fs::read_to_string(format!("{CHARTUTIL}/coleridge.yaml")).unwrap();
    for text in [doc, file.as_str()] {
        let d = read_values(text);
        assert_eq!(tpl(&d, "poet"), "Coleridge");
        match get(&d, "stanza") {
            Some(Value::List(l)) => assert_eq!(l.len(), 6),
            other => panic!("{other:?}"),
        }
        assert_eq!(tpl(&d, "mariner.shot"), "ALBATROSS");
        assert_eq!(tpl(&d, "water.water.where"), "everywhere");
    }
    for text in ["poet: \"Coleridge\"", "# Just a comment", ""] {
        read_values(text);
    }
    let moby = "\ntitle: \"Moby Dick\"\nchapter:\n  one:\n    title: \"Loomings\"\n  two:\n    title: \"The Carpet-Bag\"\n  three:\n    title: \"The Spouter Inn\"\n";
    let d = read_values(moby);
    assert!(table(&d, "title").is_none());
    assert!(table(&d, "chapter").is_some());
    assert_eq!(tpl(&table(&d, "chapter.one").unwrap(), "title"), "Loomings");
    assert!(table(&d, "chapter.three").is_some());
    assert!(table(&d, "chapter.OneHundredThirtySix").is_none());
    assert_eq!(
        path_value(&d, "chapter.one.title").unwrap().as_str(),
        Some("Loomings")
    );
    assert!(path_value(&d, "chapter.one.doesnotexist").is_none());
    assert!(path_value(&d, "chapter.doesnotexist.one").is_none());
    assert!(path_value(&d, "").is_none());
    assert!(path_value(&d, "chapter.one").is_none());
    assert_eq!(path_value(&d, "title").unwrap().as_str(), Some("Moby Dick"));
}

// `TestToRenderValues`, as the render plan builds it.
#[test]
fn render_values_as_helm() {
    use serde_json::json;
    let mut c = in_memory(
        "test",
        json!({"name": "al Rashid", "where": {"city": "Basrah", "title": "caliph"}}),
        vec![in_memory("where", json!({}), vec![])],
    );
    c.files.push(ChartFile {
        name: "scheherazade/shahryar.txt".to_owned(),
        data: Rc::from(&b"1,001 Nights"[..]),
        real: RealPath {
            path: "x".into(),
            member: None,
        },
    });
    let over = m(json!({"name": "Haroun", "where": {"city": "Baghdad", "date": "809 CE"}}));
    let vals = coalesce_values(&c, &over, &mut Warnings::default()).unwrap();
    let release = ReleaseOptions::template("Seven Voyages", "default");
    let plan = render_plan(&c, &vals, &release, &Value::str("caps"), &|ch: &Chart| {
        Value::Int(ch.files.len() as i64)
    });
    let Value::Map(top) = &plan.charts[0].data else {
        panic!()
    };
    let Some(Value::Object(chart)) = get(top, "Chart") else {
        panic!()
    };
    assert_eq!(chart.field("Name").unwrap().as_str(), Some("test"));
    assert!(matches!(chart.field("IsRoot"), Some(Value::Bool(true))));
    assert_eq!(tpl(top, "Release.Name"), "Seven Voyages");
    assert_eq!(tpl(top, "Release.Namespace"), "default");
    assert!(matches!(
        table(top, "Release").and_then(|r| get(&r, "Revision")),
        Some(Value::Int(1))
    ));
    assert_eq!(tpl(top, "Release.IsUpgrade"), "false");
    assert_eq!(tpl(top, "Release.IsInstall"), "true");
    assert_eq!(tpl(top, "Release.Service"), "Helm");
    assert_eq!(tpl(top, "Capabilities"), "caps");
    assert_eq!(tpl(top, "Files"), "1");
    assert_eq!(tpl(top, "Values.name"), "Haroun");
    assert_eq!(tpl(top, "Values.where.city"), "Baghdad");
    assert_eq!(tpl(top, "Values.where.date"), "809 CE");
    assert_eq!(tpl(top, "Values.where.title"), "caliph");
    // The subchart sees the parent's table under its name (the same map), and its own Chart.
    let Value::Map(sub) = &plan.charts[1].data else {
        panic!()
    };
    assert_eq!(plan.charts[1].full_path, "test/charts/where");
    assert_eq!(tpl(sub, "Values.city"), "Baghdad");
    let (Some(Value::Map(a)), Some(Value::Map(b))) = (
        get(sub, "Values"),
        get(&table(top, "Values").unwrap(), "where"),
    ) else {
        panic!()
    };
    assert!(Rc::ptr_eq(&a, &b));
    let Some(Value::Object(subchart)) = get(sub, "Chart") else {
        panic!()
    };
    assert!(matches!(subchart.field("IsRoot"), Some(Value::Bool(false))));
    assert!(matches!(
        get(&table(top, "Subcharts").unwrap(), "where"),
        Some(Value::Map(_))
    ));
}

// engine.go `sortTemplates` (engine_test.go `TestSortTemplates`).
#[test]
fn templates_sort_as_helm() {
    let mut names: Vec<String> = [
        "/mychart/templates/foo.tpl",
        "/mychart/templates/charts/foo/charts/bar/templates/foo.tpl",
        "/mychart/templates/bar.tpl",
        "/mychart/templates/charts/foo/templates/bar.tpl",
        "/mychart/templates/_foo.tpl",
        "/mychart/templates/charts/foo/templates/foo.tpl",
        "/mychart/templates/charts/bar/templates/foo.tpl",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    super::data::sort_templates(&mut names);
    assert_eq!(
        names,
        [
            "/mychart/templates/charts/foo/charts/bar/templates/foo.tpl",
            "/mychart/templates/charts/foo/templates/foo.tpl",
            "/mychart/templates/charts/foo/templates/bar.tpl",
            "/mychart/templates/charts/bar/templates/foo.tpl",
            "/mychart/templates/foo.tpl",
            "/mychart/templates/bar.tpl",
            "/mychart/templates/_foo.tpl",
        ]
    );
}

// ---------------------------------------------------------------------------------------
// pkg/chartutil/dependencies_test.go

fn chart_paths(c: &Chart) -> Vec<String> {
    fn walk(c: &Chart, prefix: &str, out: &mut Vec<String>) {
        let p = if prefix.is_empty() {
            c.name().to_owned()
        } else {
            format!("{prefix}.{}", c.name())
        };
        for d in &c.dependencies {
            walk(d, &p, out);
        }
        out.push(p);
    }
    let mut out = Vec::new();
    walk(c, "", &mut out);
    out.sort();
    out
}

#[test]
fn dependency_enabled_table() {
    use serde_json::json;
    let cases: &[(&str, serde_json::Value, &[&str])] = &[
        (
            "tags with no effect",
            json!({"tags": {"nothinguseful": false}}),
            &[
                "parentchart",
                "parentchart.subchart1",
                "parentchart.subchart1.subcharta",
                "parentchart.subchart1.subchartb",
            ],
        ),
        (
            "tags disabling a group",
            json!({"tags": {"front-end": false}}),
            &["parentchart"],
        ),
        (
            "tags disabling a group and enabling a different group",
            json!({"tags": {"front-end": false, "back-end": true}}),
            &[
                "parentchart",
                "parentchart.subchart2",
                "parentchart.subchart2.subchartb",
                "parentchart.subchart2.subchartc",
            ],
        ),
        (
            "tags disabling only children, children still enabled since tag front-end=true in values.yaml",
            json!({"tags": {"subcharta": false, "subchartb": false}}),
            &[
                "parentchart",
                "parentchart.subchart1",
                "parentchart.subchart1.subcharta",
                "parentchart.subchart1.subchartb",
            ],
        ),
        (
            "tags disabling all parents/children with additional tag re-enabling a parent",
            json!({"tags": {"front-end": false, "subchart1": true, "back-end": false}}),
            &["parentchart", "parentchart.subchart1"],
        ),
        (
            "conditions enabling the parent charts, but back-end (b, c) is still disabled via values.yaml",
            json!({"subchart1": {"enabled": true}, "subchart2": {"enabled": true}}),
            &[
                "parentchart",
                "parentchart.subchart1",
                "parentchart.subchart1.subcharta",
                "parentchart.subchart1.subchartb",
                "parentchart.subchart2",
            ],
        ),
        (
            "conditions disabling the parent charts, effectively disabling children",
            json!({"subchart1": {"enabled": false}, "subchart2": {"enabled": false}}),
            &["parentchart"],
        ),
        (
            "conditions a child using the second condition path of child's condition",
            json!({"subchart1": {"subcharta": {"enabled": false}}}),
            &[
                "parentchart",
                "parentchart.subchart1",
                "parentchart.subchart1.subchartb",
            ],
        ),
        (
            "tags enabling a parent/child group with condition disabling one child",
            json!({"subchart2": {"subchartc": {"enabled": false}}, "tags": {"back-end": true}}),
            &[
                "parentchart",
                "parentchart.subchart1",
                "parentchart.subchart1.subcharta",
                "parentchart.subchart1.subchartb",
                "parentchart.subchart2",
                "parentchart.subchart2.subchartb",
            ],
        ),
        (
            "tags will not enable a child if parent is explicitly disabled with condition",
            json!({"subchart1": {"enabled": false}, "tags": {"front-end": true}}),
            &["parentchart"],
        ),
        (
            "subcharts with alias also respect conditions",
            json!({"subchart1": {"enabled": false}, "subchart2alias": {"enabled": true, "subchartb": {"enabled": true}}}),
            &[
                "parentchart",
                "parentchart.subchart2alias",
                "parentchart.subchart2alias.subchartb",
            ],
        ),
    ];
    for (name, vals, want) in cases {
        let mut c = load(&format!("{CHARTUTIL}/subpop"));
        let mut out = super::deps::Processed::default();
        let mut w = Warnings::default();
        process_enabled(
            &mut c,
            &m(vals.clone()),
            "",
            "parentchart",
            &mut out,
            &mut w,
            0,
        )
        .unwrap();
        assert_eq!(chart_paths(&c), *want, "{name}");
        assert!(out.missing.is_empty(), "{name}: {:?}", out.missing);
    }
}

#[test]
fn import_values_as_helm() {
    let expect: &[(&str, &str)] = &[
        ("imported-chart1.SC1bool", "true"),
        ("imported-chart1.SC1float", "3.14"),
        ("imported-chart1.SC1int", "100"),
        ("imported-chart1.SC1string", "dollywood"),
        ("imported-chart1.SC1extra1", "11"),
        ("imported-chart1.SPextra1", "helm rocks"),
        ("imported-chartA.SCAbool", "false"),
        ("imported-chartA.SCAfloat", "3.1"),
        ("imported-chartA.SCAint", "55"),
        ("imported-chartA.SCAstring", "jabba"),
        ("imported-chartA.SPextra3", "1.337"),
        ("imported-chartA.SC1extra2", "1.337"),
        ("imported-chartA.SCAnested1.SCAnested2", "true"),
        ("imported-chartA-B.SCAbool", "false"),
        ("imported-chartA-B.SCAfloat", "3.1"),
        ("imported-chartA-B.SCAint", "55"),
        ("imported-chartA-B.SCAstring", "jabba"),
        ("imported-chartA-B.SCBbool", "true"),
        ("imported-chartA-B.SCBfloat", "7.77"),
        ("imported-chartA-B.SCBint", "33"),
        ("imported-chartA-B.SCBstring", "boba"),
        ("imported-chartA-B.SPextra5", "k8s"),
        ("imported-chartA-B.SC1extra5", "tiller"),
        ("overridden-chart1.SC1bool", "false"),
        ("overridden-chart1.SC1float", "3.141592"),
        ("overridden-chart1.SC1int", "99"),
        ("overridden-chart1.SC1string", "pollywog"),
        ("overridden-chart1.SPextra2", "42"),
        ("overridden-chartA.SCAbool", "true"),
        ("overridden-chartA.SCAfloat", "41.3"),
        ("overridden-chartA.SCAint", "808"),
        ("overridden-chartA.SCAstring", "jabberwocky"),
        ("overridden-chartA.SPextra4", "true"),
        ("overridden-chartA-B.SCAbool", "true"),
        ("overridden-chartA-B.SCAfloat", "41.3"),
        ("overridden-chartA-B.SCAint", "808"),
        ("overridden-chartA-B.SCAstring", "jabberwocky"),
        ("overridden-chartA-B.SCBbool", "false"),
        ("overridden-chartA-B.SCBfloat", "1.99"),
        ("overridden-chartA-B.SCBint", "77"),
        ("overridden-chartA-B.SCBstring", "jango"),
        ("overridden-chartA-B.SPextra6", "111"),
        ("overridden-chartA-B.SCAextra1", "23"),
        ("overridden-chartA-B.SCBextra1", "13"),
        ("overridden-chartA-B.SC1extra6", "77"),
        ("SCBexported1B", "1965"),
        ("SC1extra7", "true"),
        ("SCBexported2A", "blaster"),
        ("global.SC1exported2.all.SC1exported3", "SC1expstr"),
    ];
    for merge in [false, true] {
        let mut c = load(&format!("{CHARTUTIL}/subpop"));
        let mut w = Warnings::default();
        super::deps::process_import_values_for_tests(&mut c, merge, &mut w);
        for (path, want) in expect {
            let got = path_value(&c.values, path)
                .unwrap_or_else(|| panic!("merge={merge}: {path} missing"));
            assert_eq!(got.go_string(), *want, "merge={merge}: {path}");
        }
        // Coalescing drops `ensurenull: null`; merging keeps it.
        let ensure = get(&c.values, "ensurenull");
        assert_eq!(matches!(ensure, Some(Value::Nil)), merge, "merge={merge}");
        // import-values are rewritten as {child, parent} maps.
        let iv = &c.metadata.dependencies[0].import_values;
        assert!(iv.iter().all(|x| matches!(x, Value::Map(_))));
    }
}

#[test]
fn import_values_multi_level_precedence() {
    let mut c = load(&format!("{CHARTUTIL}/three-level-dependent-chart/umbrella"));
    super::deps::process_import_values_for_tests(&mut c, true, &mut Warnings::default());
    for (path, want) in [
        ("app1.service.port", "3456"),
        ("app2.service.port", "8080"),
        ("app3.service.port", "9090"),
        ("app4.service.port", "1234"),
    ] {
        assert_eq!(
            path_value(&c.values, path).unwrap().go_string(),
            want,
            "{path}"
        );
    }
}

#[test]
fn import_values_from_enabled_subchart() {
    let mut c = load(&format!(
        "{CHARTUTIL}/import-values-from-enabled-subchart/parent-chart"
    ));
    super::deps::process_import_values_for_tests(&mut c, true, &mut Warnings::default());
    assert_eq!(c.dependencies.len(), 2);
    let vals = Rc::clone(&c.values);
    let mut out = super::deps::Processed::default();
    process_enabled(
        &mut c,
        &vals,
        "",
        "parent-chart",
        &mut out,
        &mut Warnings::default(),
        0,
    )
    .unwrap();
    assert_eq!(c.dependencies.len(), 1);
    assert_eq!(c.metadata.dependencies.len(), 1);
    assert_eq!(
        tpl(&c.dependencies[0].values, "nameOverride"),
        "parent-chart-prod"
    );
}

fn enabled(c: &mut Chart) {
    let vals = Rc::clone(&c.values);
    let name = c.name().to_owned();
    let mut out = super::deps::Processed::default();
    process_enabled(c, &vals, "", &name, &mut out, &mut Warnings::default(), 0).unwrap();
}

#[test]
fn dependent_chart_aliases() {
    let mut c = load(&format!("{CHARTUTIL}/dependent-chart-alias"));
    assert_eq!(c.dependencies.len(), 2);
    enabled(&mut c);
    assert_eq!(c.dependencies.len(), 3);
    assert_eq!(c.dependencies.len(), c.metadata.dependencies.len());
    let alias = &c.metadata.dependencies[2];
    assert!(c.dependencies.iter().any(|d| d.name() == alias.name));
}

#[test]
fn dependent_charts_listed_or_not() {
    for (chart, listed) in [
        ("dependent-chart-no-requirements-yaml", 0),
        ("dependent-chart-with-all-in-requirements-yaml", 2),
        ("dependent-chart-with-mixed-requirements-yaml", 1),
    ] {
        let mut c = load(&format!("{CHARTUTIL}/{chart}"));
        assert_eq!(c.dependencies.len(), 2, "{chart}");
        enabled(&mut c);
        assert_eq!(c.dependencies.len(), 2, "{chart}");
        assert_eq!(c.metadata.dependencies.len(), listed, "{chart}");
    }
}

#[test]
fn missing_dependencies_are_reported_with_their_condition() {
    let dir = temp_dir("missing");
    std::fs::write(
        dir.join("Chart.yaml"),
        "apiVersion: v2\nname: p\nversion: 1.0.0\ndependencies:\n- name: redis\n  version: 1.x\n  repository: https://charts.example.com\n  condition: redis.enabled\n- name: pg\n  version: 1.x\n  repository: https://charts.example.com\n",
    )
    .unwrap();
    std::fs::write(dir.join("values.yaml"), "redis:\n  enabled: false\n").unwrap();
    let mut c = load(dir.to_str().unwrap());
    let err = super::deps::check_dependencies(&c).unwrap_err();
    assert_eq!(
        err.message,
        "found in Chart.yaml, but missing in charts/ directory: redis, pg"
    );
    let out = process_dependencies(&mut c, &new_map(), true).unwrap();
    let found: Vec<(&str, bool)> = out
        .missing
        .iter()
        .map(|m| (m.name.as_str(), m.enabled))
        .collect();
    assert_eq!(found, [("redis", false), ("pg", true)]);
    let blocking: Vec<bool> = out.missing.iter().map(|m| m.blocks_render()).collect();
    assert_eq!(blocking, [false, true]);
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------------------
// pkg/chartutil/jsonschema_test.go

#[test]
fn schema_validation_as_helm() {
    let schema = std::fs::read(format!("{CHARTUTIL}/test-values.schema.json")).unwrap();
    let mut c = in_memory("chrt", serde_json::json!({}), vec![]);
    c.schema = Some(ChartFile {
        name: "values.schema.json".to_owned(),
        data: Rc::from(schema.as_slice()),
        real: RealPath {
            path: "values.schema.json".into(),
            member: None,
        },
    });
    let good = std::fs::read_to_string(format!("{CHARTUTIL}/test-values.yaml")).unwrap();
    assert!(
        validate_schemas(&c, &read_values(&good), &[])
            .unwrap()
            .violations
            .is_empty()
    );
    let text = std::fs::read_to_string(format!("{CHARTUTIL}/test-values-negative.yaml")).unwrap();
    let (vals, source) = read_values_file(
        "neg.yaml",
        &text,
        RealPath {
            path: "neg.yaml".into(),
            member: None,
        },
    )
    .unwrap();
    let found = validate_schemas(&c, &vals, &[source]).unwrap().violations;
    let mut pointers: Vec<&str> = found.iter().map(|v| v.pointer.as_str()).collect();
    pointers.sort();
    // Helm: "- at '': missing property 'employmentInfo'" and "- at '/age': minimum: got -5, want 0".
    assert_eq!(pointers, ["", "/age"]);
    let age = found.iter().find(|v| v.pointer == "/age").unwrap();
    let origin = age.origin.as_ref().unwrap();
    assert_eq!(&*origin.file, "neg.yaml");
    assert_eq!(text.get(origin.offset..origin.offset + 2).unwrap(), "-5");
    let message = super::values::schema_error_message(&found);
    assert!(message.starts_with(
        "values don't meet the specifications of the schema(s) in the following chart(s):\nchrt:\n- at '"
    ));
}

const SUBCHART_SCHEMA: &str = r#"{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "Values",
  "type": "object",
  "properties": {"age": {"description": "Age", "minimum": 0, "type": "integer"}},
  "required": ["age"]
}"#;

#[test]
fn schema_validation_of_subcharts() {
    use serde_json::json;
    let mut sub = in_memory("subchart", json!({}), vec![]);
    sub.schema = Some(ChartFile {
        name: "values.schema.json".to_owned(),
        data: Rc::from(SUBCHART_SCHEMA.as_bytes()),
        real: RealPath {
            path: "s.json".into(),
            member: None,
        },
    });
    let c = in_memory("chrt", json!({}), vec![sub]);
    let ok = m(json!({"name": "John", "subchart": {"age": 25}}));
    assert!(
        validate_schemas(&c, &ok, &[])
            .unwrap()
            .violations
            .is_empty()
    );
    let bad = m(json!({"name": "John", "subchart": {}}));
    let found = validate_schemas(&c, &bad, &[]).unwrap().violations;
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0].chart.as_str(), found[0].pointer.as_str()),
        ("subchart", "")
    );
    let mut bad_schema = in_memory("x", json!({}), vec![]);
    bad_schema.schema = Some(ChartFile {
        name: "values.schema.json".to_owned(),
        data: Rc::from(&b"type: Values"[..]),
        real: RealPath {
            path: "s.json".into(),
            member: None,
        },
    });
    assert!(validate_schemas(&bad_schema, &new_map(), &[]).is_err());
    // A remote $ref is not fetched: the schema is reported unchecked.
    bad_schema.schema = Some(ChartFile {
        name: "values.schema.json".to_owned(),
        data: Rc::from(
            &br#"{"properties": {"a": {"$ref": "https://example.com/defs.json#/a"}}}"#[..],
        ),
        real: RealPath {
            path: "s.json".into(),
            member: None,
        },
    });
    let check = validate_schemas(&bad_schema, &m(json!({"a": 1})), &[]).unwrap();
    assert!(check.violations.is_empty());
    assert_eq!(check.unchecked.len(), 1, "{check:?}");
}

// ---------------------------------------------------------------------------------------
// The `helm template` oracle's charts (../shared/oracles/helm).

/// `../shared` beside the repository (or beside the worktree's parent, for worktrees under
/// a folder of their own).
/// Skipped (saying so) when absent; a failure when `CI` is set, as the other oracle tests.
fn shared() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let found = ["../shared", "../../shared"]
        .iter()
        .map(|rel| root.join(rel))
        .find(|p| p.join("oracles").is_dir());
    assert!(
        found.is_some() || std::env::var_os("CI").is_none(),
        "CI is set but ../shared (the Helm oracle and the corpus) is absent"
    );
    found
}

fn oracle() -> Option<String> {
    match shared() {
        Some(s) => Some(format!(
            "{}/oracles/helm/v3/testdata/testcharts",
            s.display()
        )),
        None => {
            eprintln!("skipped: ../shared is absent (the Helm oracle's charts are not there)");
            None
        }
    }
}

/// Prepares a chart as `helm template` does, with `--set`-like user values.
fn prepare(path: &str, user: Map) -> (Chart, Map) {
    let mut c = load(path);
    process_dependencies(&mut c, &user, true).unwrap();
    let vals = coalesce_values(&c, &user, &mut Warnings::default()).unwrap();
    (c, vals)
}

#[test]
fn oracle_charts_load_or_fail_as_helm() {
    let Some(oracle) = oracle() else {
        return;
    };
    let v4 = oracle.replace("/v3/", "/v4/");
    let mut names: Vec<PathBuf> = Vec::new();
    for dir in [&oracle, &v4] {
        for e in std::fs::read_dir(dir).unwrap() {
            names.push(e.unwrap().path());
        }
    }
    names.sort();
    for path in names {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let r = load_chart(&path);
        match name.as_str() {
            // The goldens `template-chart-bad-type.txt`, `template-lib-chart.txt` (`type: Library`
            // is not `library`).
            "chart-bad-type" | "lib-chart" => assert_eq!(
                r.unwrap_err().message,
                "validation: chart.metadata.type must be application or library",
                "{name}"
            ),
            _ => {
                let c = r.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                let p = super::prepare(c, &new_map(), &[]).unwrap();
                assert!(p.missing.is_empty(), "{name}");
                let plan = render_plan(
                    &p.chart,
                    &p.values,
                    &ReleaseOptions::template("release-name", "default"),
                    &Value::Nil,
                    &|_| Value::Nil,
                );
                assert!(plan.templates.iter().any(|t| t.manifest), "{name}");
            }
        }
    }
}

// `issue-9027.txt`: v3's null handling (the parent keeps `key1: null` in its globals; the
// subchart loses key1 and key2).
#[test]
fn oracle_issue_9027_values() {
    let Some(oracle) = oracle() else {
        return;
    };
    let (c, vals) = prepare(&format!("{oracle}/issue-9027"), new_map());
    let plan = render_plan(
        &c,
        &vals,
        &ReleaseOptions::template("r", "default"),
        &Value::Nil,
        &|_| Value::Nil,
    );
    let Value::Map(root) = &plan.charts[0].data else {
        panic!()
    };
    let values = table(root, "Values").unwrap();
    assert_eq!(
        Value::Map(Rc::clone(&values)).go_string(),
        "map[global:map[hash:map[key1:<nil> key2:<nil> key3:13]] subchart:map[global:map[hash:map[key3:13 key4:4 key5:5 key6:6]] hash:map[key3:13 key4:4 key5:5 key6:6]]]"
    );
    let Value::Map(sub) = &plan.charts[1].data else {
        panic!()
    };
    assert_eq!(
        tpl(sub, "Values"),
        "map[global:map[hash:map[key3:13 key4:4 key5:5 key6:6]] hash:map[key3:13 key4:4 key5:5 key6:6]]"
    );
}

// `template.txt` and friends: the subchart chart's dependencies (conditions, tags,
// import-values) and its template list.
#[test]
fn oracle_subchart_plan() {
    let Some(oracle) = oracle() else {
        return;
    };
    let path = format!("{oracle}/subchart");
    let (c, vals) = prepare(&path, new_map());
    // Both subcharts render in template.txt (no condition value, no tag set).
    let names: Vec<&str> = c.dependencies.iter().map(|d| d.name()).collect();
    assert_eq!(names, ["subcharta", "subchartb"]);
    let plan = render_plan(
        &c,
        &vals,
        &ReleaseOptions::template("release-name", "default"),
        &Value::Nil,
        &|_| Value::Nil,
    );
    let templates: Vec<(&str, bool)> = plan
        .templates
        .iter()
        .map(|t| (t.name.as_str(), t.manifest))
        .collect();
    assert_eq!(
        templates,
        [
            ("subchart/charts/subchartb/templates/service.yaml", true),
            ("subchart/charts/subcharta/templates/service.yaml", true),
            ("subchart/templates/tests/test-nothing.yaml", true),
            ("subchart/templates/tests/test-config.yaml", true),
            ("subchart/templates/subdir/serviceaccount.yaml", true),
            ("subchart/templates/subdir/rolebinding.yaml", true),
            ("subchart/templates/subdir/role.yaml", true),
            ("subchart/templates/subdir/configmap.yaml", true),
            ("subchart/templates/service.yaml", true),
            ("subchart/templates/NOTES.txt", false),
        ]
    );
    // Imported values are in the parent's values; the parent's own win over them
    // (template-subchart-cm*.txt: `foo` over subchartb's exported `bar`, `--set` over both).
    assert_eq!(tpl(&vals, "imported-chartA.SCAstring"), "jabba");
    assert_eq!(tpl(&vals, "configmap.value"), "foo");
    assert_eq!(tpl(&vals, "configmap.enabled"), "false");
    let user = m(
        serde_json::json!({"configmap": {"enabled": true, "value": "baz"}, "subchartb": {"enabled": true}}),
    );
    let (_, set_vals) = prepare(&path, user);
    assert_eq!(tpl(&set_vals, "configmap.value"), "baz");
    assert_eq!(tpl(&set_vals, "configmap.enabled"), "true");
    // `--set subchartb.enabled=false` drops subchartb; `tags.front-end=false` both.
    let user =
        m(serde_json::json!({"subchartb": {"enabled": false}, "configmap": {"enabled": true}}));
    let (c, vals) = prepare(&path, user);
    let names: Vec<&str> = c.dependencies.iter().map(|d| d.name()).collect();
    assert_eq!(names, ["subcharta"]);
    assert_eq!(tpl(&vals, "configmap.enabled"), "true");
    let (c, _) = prepare(&path, m(serde_json::json!({"tags": {"front-end": false}})));
    assert!(c.dependencies.is_empty());
    let crds: Vec<String> = c.all_crds().into_iter().map(|(n, _)| n).collect();
    assert_eq!(crds, ["subchart/crds/crdA.yaml"]);
}

#[test]
fn oracle_library_dependency_templates() {
    let Some(oracle) = oracle() else {
        return;
    };
    for chart in [
        "chart-with-template-lib-dep",
        "chart-with-template-lib-archive-dep",
    ] {
        let (c, vals) = prepare(&format!("{oracle}/{chart}"), new_map());
        let plan = render_plan(
            &c,
            &vals,
            &ReleaseOptions::template("r", "default"),
            &Value::Nil,
            &|_| Value::Nil,
        );
        let lib = plan.charts.iter().position(|s| s.is_library).expect(chart);
        for t in plan.templates.iter().filter(|t| t.chart == lib) {
            // Only the library's partials are parsed; none renders.
            assert!(
                super::ignore::go_base(&t.name).starts_with('_'),
                "{}",
                t.name
            );
            assert!(!t.manifest);
        }
        assert!(plan.templates.iter().any(|t| t.manifest), "{chart}");
    }
}

// ---------------------------------------------------------------------------------------
// The corpus: every chart loads, or fails with a located error.

fn find_charts(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    if depth > 12 {
        return;
    }
    let Ok(read) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = read.filter_map(|e| e.ok()).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            find_charts(&e.path(), out, depth + 1);
        } else if e.file_name() == "Chart.yaml" {
            out.push(dir.to_path_buf());
        }
    }
}

#[test]
fn corpus_charts_load() {
    let Some(corpus) = shared().map(|s| s.join("corpus")).filter(|c| c.is_dir()) else {
        eprintln!("skipped: ../shared/corpus is absent");
        return;
    };
    let mut charts = Vec::new();
    find_charts(&corpus, &mut charts, 0);
    let mut loaded = 0;
    let mut templates = 0;
    let mut failures = Vec::new();
    for dir in &charts {
        match load_chart(dir) {
            Ok(mut c) => {
                loaded += 1;
                let user = new_map();
                let r = process_dependencies(&mut c, &user, true)
                    .and_then(|_| coalesce_values(&c, &user, &mut Warnings::default()))
                    .and_then(|vals| {
                        validate_schemas(&c, &vals, &[])?;
                        Ok(render_plan(
                            &c,
                            &vals,
                            &ReleaseOptions::template("release-name", "default"),
                            &Value::Nil,
                            &|_| Value::Nil,
                        ))
                    });
                match r {
                    Ok(plan) => templates += plan.templates.len(),
                    Err(e) => failures.push(format!("{}: {e}", dir.display())),
                }
            }
            Err(e) => failures.push(format!("{}: {} {:?}", dir.display(), e, e.location)),
        }
    }
    eprintln!(
        "corpus: {} charts, {loaded} loaded, {templates} templates",
        charts.len()
    );
    for f in &failures {
        eprintln!("  {f}");
    }
    assert!(!charts.is_empty());
    // Each failure is reviewed and listed here with its reason.
    let expected_failures: &[&str] = &[
        // argo-cd's test chart that is invalid on purpose (no name).
        "testdata/invalid-helm: validation: chart.metadata.name is required",
    ];
    let unexpected: Vec<&String> = failures
        .iter()
        .filter(|f| !expected_failures.iter().any(|x| f.contains(x)))
        .collect();
    assert!(unexpected.is_empty(), "{unexpected:#?}");
}

#[test]
fn deep_copy_is_deep() {
    let a = m(serde_json::json!({"x": {"y": 1}}));
    let b = deep_copy_map(&a);
    let Some(Value::Map(bx)) = get(&b, "x") else {
        panic!()
    };
    bx.borrow_mut().insert("z".to_owned(), Value::Nil);
    assert_eq!(tpl(&a, "x.z"), "<no value>");
    let _: BTreeMap<String, Value> = a.borrow().clone();
}

// ---------------------------------------------------------------------------------------
// `prepare` and Helm's install checks.

#[test]
fn prepare_as_helm_template() {
    let Some(oracle) = oracle() else {
        return;
    };
    let c = load(&format!("{oracle}/subchart"));
    check_installable(&c).unwrap();
    let text = std::fs::read_to_string(format!("{oracle}/subchart/extra_values.yaml")).unwrap();
    let (file, source) = read_values_file(
        "testdata/testcharts/subchart/extra_values.yaml",
        &text,
        RealPath {
            path: "extra_values.yaml".into(),
            member: None,
        },
    )
    .unwrap();
    let user = super::values::merge_user_values(&[file], &[]);
    let p = super::prepare(c, &user, &[source]).unwrap();
    assert!(p.missing.is_empty());
    assert!(p.schema.violations.is_empty());
    assert_eq!(tpl(&p.values, "configmap.enabled"), "true");
    // Strings from the -f file name it.
    let Some(Value::Str(s)) = path_value(&p.values, "configmap.value") else {
        panic!()
    };
    let origin = &s.provenance.as_ref().unwrap().chunks[0].1;
    assert_eq!(
        &*origin.file,
        "testdata/testcharts/subchart/extra_values.yaml"
    );
    let names: Vec<&str> = p.chart.values_sources().iter().map(|s| &*s.name).collect();
    assert_eq!(
        names,
        [
            "subchart/values.yaml",
            "subchart/charts/subcharta/values.yaml",
            "subchart/charts/subchartb/values.yaml"
        ]
    );
}

#[test]
fn install_checks() {
    use serde_json::json;
    let mut c = in_memory("x", json!({}), vec![]);
    c.metadata.chart_type = "library".to_owned();
    assert_eq!(
        check_installable(&c).unwrap_err().message,
        "library charts are not installable"
    );
    c.metadata.kube_version = ">=1.22.0-0".to_owned();
    assert!(check_kube_version(&c, "v1.29.0").is_ok());
    assert_eq!(
        check_kube_version(&c, "v1.20.0").unwrap_err().message,
        "chart requires kubeVersion: >=1.22.0-0 which is incompatible with Kubernetes v1.20.0"
    );
}

#[test]
fn chart_object_fields() {
    let c = load(&format!("{LOADER}/frobnitz"));
    let plan = render_plan(
        &c,
        &c.values,
        &ReleaseOptions::template("r", "default"),
        &Value::Nil,
        &|_| Value::Nil,
    );
    let Value::Map(top) = &plan.charts[0].data else {
        panic!()
    };
    let Some(Value::Object(chart)) = get(top, "Chart") else {
        panic!()
    };
    assert_eq!(chart.type_name(), "struct { chart.Metadata; IsRoot bool }");
    assert_eq!(chart.field("Version").unwrap().as_str(), Some("1.2.3"));
    assert_eq!(chart.field("APIVersion").unwrap().as_str(), Some("v1"));
    let Some(Value::List(deps)) = chart.field("Dependencies") else {
        panic!()
    };
    let Value::Object(d) = &deps[0] else { panic!() };
    assert_eq!(d.field("Name").unwrap().as_str(), Some("alpine"));
    let Some(Value::Object(md)) = chart.field("Metadata") else {
        panic!()
    };
    assert_eq!(md.field("Name").unwrap().as_str(), Some("frobnitz"));
    assert!(md.field("IsRoot").is_none());
    assert!(chart.field("Nope").is_none());
    let Value::Map(data) = chart.to_data() else {
        panic!()
    };
    assert_eq!(tpl(&data, "name"), "frobnitz");
    assert_eq!(tpl(&data, "IsRoot"), "true");
    assert!(
        chart
            .display()
            .starts_with("{{frobnitz http://example.com [https://example.com/foo/bar] 1.2.3")
    );
}

// ---------------------------------------------------------------------------------------
// pkg/engine/engine_test.go: the data and templates `allTemplates` builds.

fn with_templates(mut c: Chart, names: &[&str]) -> Chart {
    for n in names {
        c.templates.push(ChartFile {
            name: format!("templates/{n}"),
            data: Rc::from(n.as_bytes()),
            real: RealPath {
                path: PathBuf::from(n),
                member: None,
            },
        });
    }
    c
}

fn data_of(plan: &super::data::RenderPlan, template: &str) -> Map {
    let t = plan
        .templates
        .iter()
        .find(|t| t.name == template)
        .expect(template);
    match &plan.charts[t.chart].data {
        Value::Map(m) => Rc::clone(m),
        _ => panic!(),
    }
}

// `TestAllTemplates` and `TestChartValuesContainsIsRoot`.
#[test]
fn all_templates_and_is_root() {
    use serde_json::json;
    let dep2 = with_templates(
        in_memory("same thing we do every night", json!({}), vec![]),
        &["innermost"],
    );
    let dep1 = with_templates(
        in_memory("laboratory mice", json!({}), vec![dep2]),
        &["pinky", "brain"],
    );
    let ch1 = with_templates(in_memory("ch1", json!({}), vec![dep1]), &["foo", "bar"]);
    let plan = render_plan(
        &ch1,
        &new_map(),
        &ReleaseOptions::template("r", "d"),
        &Value::Nil,
        &|_| Value::Nil,
    );
    assert_eq!(plan.templates.len(), 5);
    let root = data_of(&plan, "ch1/templates/foo");
    let child = data_of(&plan, "ch1/charts/laboratory mice/templates/pinky");
    let is_root = |m: &Map| match get(m, "Chart") {
        Some(Value::Object(o)) => o.field("IsRoot").unwrap().go_string(),
        _ => panic!(),
    };
    assert_eq!(is_root(&root), "true");
    assert_eq!(is_root(&child), "false");
    assert_eq!(
        plan.templates
            .iter()
            .find(|t| t.name.ends_with("innermost"))
            .unwrap()
            .base_path,
        "ch1/charts/laboratory mice/charts/same thing we do every night/templates"
    );
}

// `TestRenderNestedValues`: each chart's scope of the coalesced values, globals, `.Subcharts`.
#[test]
fn nested_values_scopes() {
    use serde_json::json;
    let deepest = with_templates(
        in_memory(
            "deepest",
            json!({"what": "milkshake", "where": "here"}),
            vec![],
        ),
        &["inner.tpl", "release.tpl"],
    );
    let inner = with_templates(
        in_memory(
            "herrick",
            json!({"who": "Robert", "what": "glasses"}),
            vec![deepest],
        ),
        &["inner.tpl"],
    );
    let outer = with_templates(
        in_memory(
            "top",
            json!({"what": "stinkweed", "who": "me", "herrick": {"who": "time", "what": "Sun"}}),
            vec![inner],
        ),
        &["outer.tpl", "subcharts.tpl"],
    );
    let inj = m(json!({
        "what": "rosebuds",
        "herrick": {"deepest": {"what": "flower", "where": "Heaven"}},
        "global": {"when": "to-day"},
    }));
    let vals = coalesce_values(&outer, &inj, &mut Warnings::default()).unwrap();
    let plan = render_plan(
        &outer,
        &vals,
        &ReleaseOptions::template("dyin", "d"),
        &Value::Nil,
        &|_| Value::Nil,
    );
    let top = data_of(&plan, "top/templates/outer.tpl");
    assert_eq!(tpl(&top, "Values.what"), "rosebuds");
    let herrick = data_of(&plan, "top/charts/herrick/templates/inner.tpl");
    assert_eq!(tpl(&herrick, "Values.who"), "time");
    let deepest = data_of(
        &plan,
        "top/charts/herrick/charts/deepest/templates/inner.tpl",
    );
    assert_eq!(tpl(&deepest, "Values.what"), "flower");
    assert_eq!(tpl(&deepest, "Values.global.when"), "to-day");
    assert_eq!(tpl(&deepest, "Release.Name"), "dyin");
    assert_eq!(
        tpl(&top, "Subcharts.herrick.Subcharts.deepest.Values.where"),
        "Heaven"
    );
    assert_eq!(tpl(&top, "Subcharts.herrick.Values.what"), "Sun");
}

fn nested(depth: usize) -> String {
    let mut text = String::new();
    for i in 0..depth {
        text.push_str(&" ".repeat(i));
        text.push_str("a:\n");
    }
    text.push_str(&" ".repeat(depth));
    text.push_str("b: 1\n");
    text
}

// Hostile: values nested as deep as values files may be, in the chart and the user's values:
// coalescing, merging and schema checks recurse without overflowing a test thread's stack;
// deeper values files are refused.
#[test]
fn deeply_nested_values_coalesce() {
    let err = read_values_file(
        "v.yaml",
        &nested(990),
        RealPath {
            path: "v.yaml".into(),
            member: None,
        },
    )
    .unwrap_err();
    assert!(
        err.message.contains("nests deeper than 200 levels"),
        "{}",
        err.message
    );
    let vals = read_values(&nested(super::yaml::MAX_DEPTH - 1));
    let mut c = in_memory("deep", serde_json::json!({}), vec![]);
    c.values = deep_copy_map(&vals);
    let out = coalesce_values(&c, &vals, &mut Warnings::default()).unwrap();
    let merged = super::values::merge_user_values(&[Rc::clone(&vals), out], &[]);
    assert!(get(&merged, "a").is_some());
    let check = validate_schemas(&c, &merged, &[]).unwrap();
    assert!(check.violations.is_empty());
}

// Hostile: an archive with more entries than the bound.
#[test]
fn archive_with_too_many_entries_is_refused() {
    let mut t = Vec::new();
    for i in 0..=super::archive::MAX_ENTRIES {
        t.extend(super::archive::build::header(&format!("c/f{i}"), 0, b'0'));
    }
    t.extend(vec![0u8; 1024]);
    let err = super::archive::read_tar(&t).unwrap_err();
    assert!(err.contains("more than"), "{err}");
}
