use super::*;
use crate::load::parse_yaml;
use crate::model::{LoadedFile, WorkspaceOptions};
use crate::source::SourceFile;

fn workspace(files: &[(&str, &str)]) -> Workspace {
    let loaded = files
        .iter()
        .map(|(path, text)| {
            let source = SourceFile::new(*path, *text);
            let parsed = parse_yaml(&source.text);
            assert!(parsed.problems.is_empty(), "{path}: {:?}", parsed.problems);
            LoadedFile::manifest(source, parsed.documents)
        })
        .collect();
    Workspace::new(loaded, &WorkspaceOptions::default())
}

fn q(text: &str) -> Quantity {
    Quantity::parse(text).expect("test quantity")
}

/// The effective resources of every pod spec in the run.
fn pods(ws: &Workspace) -> Vec<PodResources> {
    ws.pod_specs
        .iter()
        .map(|p| pod_resources(ws, p, KubeVersion::LATEST))
        .collect()
}

fn shown(values: &Effective) -> Vec<(String, String, String)> {
    values
        .iter()
        .map(|(n, v)| {
            (
                n.clone(),
                v.quantity.canonical(),
                v.origin.kind().to_string(),
            )
        })
        .collect()
}

fn triple(name: &str, value: &str, origin: &str) -> (String, String, String) {
    (name.to_string(), value.to_string(), origin.to_string())
}

// ---------------------------------------------------------------------------------------
// Effective resources
// ---------------------------------------------------------------------------------------

const SHOP_LIMIT_RANGE: &str = "\
apiVersion: v1
kind: LimitRange
metadata: {name: defaults, namespace: shop}
spec:
  limits:
    - type: Container
      default: {cpu: 500m, memory: 512Mi}
      defaultRequest: {cpu: 100m, memory: 128Mi}
      max: {cpu: '2', memory: 2Gi}
";

#[test]
fn a_limit_without_a_request_gives_the_request() {
    let ws = workspace(&[(
        "pod.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: app\n      image: a\n      resources:\n        limits: {cpu: 1, memory: 1Gi}\n        requests: {memory: 512Mi}\n",
    )]);
    let pods = pods(&ws);
    let c = &pods[0].containers[0];
    assert_eq!(
        shown(&c.requests),
        vec![
            triple("cpu", "1", "request-from-limit"),
            triple("memory", "512Mi", "manifest")
        ]
    );
    assert_eq!(shown(&c.limits).len(), 2);
    // The copied request points at the limit's text.
    let limit_span = c.limits["cpu"].span;
    assert_eq!(c.requests["cpu"].span, limit_span);
}

#[test]
fn limit_range_defaults_fill_what_containers_leave_unset() {
    let pod = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      initContainers:
        - name: migrate
          image: m
      containers:
        - name: app
          image: a
          resources:
            requests: {cpu: 200m}
            limits: {memory: 1Gi}
";
    let ws = workspace(&[("shop/lr.yaml", SHOP_LIMIT_RANGE), ("shop/web.yaml", pod)]);
    let pods = pods(&ws);
    let app = &pods[0].containers[0];
    assert_eq!(
        shown(&app.requests),
        vec![
            triple("cpu", "200m", "manifest"),
            triple("memory", "1Gi", "request-from-limit"),
        ]
    );
    assert_eq!(
        shown(&app.limits),
        vec![
            triple("cpu", "500m", "limitrange-default"),
            triple("memory", "1Gi", "manifest"),
        ]
    );
    // Init containers get defaults too (mergePodResourceRequirements).
    let migrate = &pods[0].containers[1];
    assert_eq!(migrate.role(), "init container");
    assert_eq!(
        shown(&migrate.requests),
        vec![
            triple("cpu", "100m", "limitrange-default"),
            triple("memory", "128Mi", "limitrange-default"),
        ]
    );
    assert_eq!(pods[0].limit_ranges, vec![0]);
    match &migrate.limits["memory"].origin {
        ValueOrigin::LimitRange {
            name,
            field,
            written_in,
            ..
        } => {
            assert_eq!(name, "defaults");
            assert_eq!(*field, LimitRangeField::Default);
            assert_eq!(*written_in, LimitRangeField::Default);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn limit_range_defaults_itself_first() {
    // default <- max, defaultRequest <- default <- min (SetDefaults_LimitRangeItem).
    let lr = "\
apiVersion: v1
kind: LimitRange
metadata: {name: bounds, namespace: ns}
spec:
  limits:
    - type: Container
      max: {cpu: '2', memory: 1Gi}
      min: {ephemeral-storage: 1Gi}
      default: {memory: 512Mi}
";
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ns}\nspec:\n  containers: [{name: app, image: a}]\n";
    let ws = workspace(&[("lr.yaml", lr), ("pod.yaml", pod)]);
    let pods = pods(&ws);
    let c = &pods[0].containers[0];
    assert_eq!(
        shown(&c.limits),
        vec![
            triple("cpu", "2", "limitrange-default"),
            triple("memory", "512Mi", "limitrange-default")
        ]
    );
    assert_eq!(
        shown(&c.requests),
        vec![
            triple("cpu", "2", "limitrange-default"),
            triple("ephemeral-storage", "1Gi", "limitrange-default"),
            triple("memory", "512Mi", "limitrange-default"),
        ]
    );
    let ValueOrigin::LimitRange {
        field, written_in, ..
    } = &c.requests["cpu"].origin
    else {
        panic!("cpu request from the LimitRange");
    };
    assert_eq!(
        (*field, *written_in),
        (LimitRangeField::DefaultRequest, LimitRangeField::Max)
    );
    assert_eq!(
        c.requests["cpu"].origin.describe(),
        "LimitRange `bounds` defaultRequest (from its max)"
    );
}

#[test]
fn limit_ranges_govern_their_own_namespace_only() {
    let other = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: other}\nspec:\n  containers: [{name: app, image: a}]\n";
    let ws = workspace(&[("lr.yaml", SHOP_LIMIT_RANGE), ("pod.yaml", other)]);
    let pods = pods(&ws);
    assert!(pods[0].containers[0].requests.is_empty());
    assert!(pods[0].limit_ranges.is_empty());
}

#[test]
fn implicit_namespace_policies_govern_their_directory() {
    let lr = "apiVersion: v1\nkind: LimitRange\nmetadata: {name: d}\nspec:\n  limits:\n    - type: Container\n      defaultRequest: {cpu: 100m}\n";
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: app, image: a}]\n";
    let ws = workspace(&[
        ("repo/a/lr.yaml", lr),
        ("repo/a/pod.yaml", pod),
        ("repo/a/sub/pod.yaml", pod),
        ("repo/b/pod.yaml", pod),
        ("repo/ab/pod.yaml", pod),
    ]);
    let defaulted: Vec<bool> = pods(&ws)
        .iter()
        .map(|p| p.containers[0].requests.contains_key("cpu"))
        .collect();
    assert_eq!(defaulted, vec![true, true, false, false]);
    // With an explicit namespace it governs the whole run.
    let lr = lr.replace("{name: d}", "{name: d, namespace: default}");
    let ws = workspace(&[("repo/a/lr.yaml", &lr), ("repo/b/pod.yaml", pod)]);
    assert!(pods(&ws)[0].containers[0].requests.contains_key("cpu"));
}

#[test]
fn invalid_limit_ranges_take_no_effect() {
    // defaultRequest above default: the API server rejects the LimitRange.
    let lr = "apiVersion: v1\nkind: LimitRange\nmetadata: {name: bad, namespace: ns}\nspec:\n  limits:\n    - type: Container\n      default: {cpu: 100m}\n      defaultRequest: {cpu: 200m}\n";
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ns}\nspec:\n  containers: [{name: app, image: a}]\n";
    let ws = workspace(&[("lr.yaml", lr), ("pod.yaml", pod)]);
    let index = ws.limit_range_index();
    assert!(!index.limit_ranges[0].is_valid());
    assert!(
        index.limit_ranges[0].problems[0]
            .message
            .contains("cpu defaultRequest 200m is greater than default 100m"),
        "{:?}",
        index.limit_ranges[0].problems
    );
    assert!(pods(&ws)[0].containers[0].requests.is_empty());
}

#[test]
fn an_explicit_request_above_a_default_limit_is_rejected() {
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec:\n  containers:\n    - name: app\n      image: a\n      resources:\n        requests: {cpu: '1'}\n";
    let ws = workspace(&[("lr.yaml", SHOP_LIMIT_RANGE), ("pod.yaml", pod)]);
    let pods = pods(&ws);
    let c = &pods[0].containers[0];
    let above = requests_above_limits(&c.requests, &c.limits);
    assert_eq!(above.len(), 1);
    assert_eq!(above[0].resource, "cpu");
    assert_eq!(above[0].limit.quantity, q("500m"));
    assert!(matches!(
        above[0].limit.origin,
        ValueOrigin::LimitRange { .. }
    ));
}

#[test]
fn ephemeral_containers_are_left_out_and_sidecars_marked() {
    let pod = "\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers:
    - {name: proxy, image: p, restartPolicy: Always}
    - {name: setup, image: s}
  containers: [{name: app, image: a}]
  ephemeralContainers: [{name: debug, image: d}]
";
    let ws = workspace(&[("pod.yaml", pod)]);
    let pods = pods(&ws);
    let roles: Vec<String> = pods[0].containers.iter().map(|c| c.describe()).collect();
    assert_eq!(
        roles,
        vec![
            "container `app`",
            "sidecar `proxy`",
            "init container `setup`"
        ]
    );
}

#[test]
fn pod_totals_sum_sidecars_and_take_the_largest_init_container() {
    // The component-helpers rule: sidecars run beside later init containers and beside the
    // regular containers.
    let pod = "\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers:
    - {name: sidecar, image: s, restartPolicy: Always, resources: {requests: {cpu: 1, memory: 1Gi}}}
    - {name: init, image: i, resources: {requests: {cpu: 3, memory: 100Mi}}}
  containers:
    - {name: a, image: a, resources: {requests: {cpu: 500m, memory: 1Gi}, limits: {memory: 2Gi}}}
    - {name: b, image: b, resources: {requests: {cpu: 500m}}}
";
    let ws = workspace(&[("pod.yaml", pod)]);
    let p = &pods(&ws)[0];
    let requests = p.totals(Side::Requests);
    // cpu: max(0.5 + 0.5 + 1, 3 + 1) = 4; memory: max(1Gi + 1Gi, 100Mi + 1Gi) = 2Gi.
    assert_eq!(requests["cpu"], q("4"));
    assert_eq!(requests["memory"], q("2Gi"));
    let limits = p.totals(Side::Limits);
    assert_eq!(limits["memory"], q("2Gi"));
    assert!(!limits.contains_key("cpu"));
}

#[test]
fn pod_level_resources_override_and_default() {
    let pod = "\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  resources:
    limits: {cpu: 2, memory: 2Gi}
  containers:
    - {name: a, image: a, resources: {requests: {cpu: 500m}}}
";
    let ws = workspace(&[("pod.yaml", pod)]);
    let p = &pods(&ws)[0];
    let level = p.pod_level_set().expect("pod-level resources");
    // defaultPodRequests: cpu from the containers' requests, memory from the pod limit.
    assert_eq!(
        shown(&level.requests),
        vec![
            triple("cpu", "500m", "pod-request-from-containers"),
            triple("memory", "2Gi", "pod-request-from-limit"),
        ]
    );
    assert_eq!(p.totals(Side::Limits)["cpu"], q("2"));
    assert!(p.pod_level_covers(Side::Limits, "memory"));
    // Before 1.34 pod-level resources are ignored.
    let old = pod_resources(&ws, &ws.pod_specs[0], KubeVersion::new(1, 33));
    assert!(old.pod_level.is_none());
}

/// TestDefaultContainerResourceRequirements and TestPodLimitFuncApplyDefault with
/// `validLimitRange()`, through the workspace.
#[test]
fn upstream_default_container_resource_requirements() {
    let lr = "\
apiVersion: v1
kind: LimitRange
metadata: {name: abc, namespace: test}
spec:
  limits:
    - type: Pod
      max: {cpu: 200m, memory: 4Gi}
      min: {cpu: 50m, memory: 2Mi}
    - type: Container
      max: {cpu: 100m, memory: 2Gi}
      min: {cpu: 25m, memory: 1Mi}
      default: {cpu: 75m, memory: 10Mi}
      defaultRequest: {cpu: 50m, memory: 5Mi}
";
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: foo, namespace: test}\nspec:\n  initContainers: [{name: foo-0, image: 'foo:V0'}]\n  containers: [{name: foo-0, image: 'foo:V0'}]\n";
    let ws = workspace(&[("lr.yaml", lr), ("pod.yaml", pod)]);
    let lr = &ws.limit_range_index().limit_ranges[0];
    assert!(lr.is_valid(), "{:?}", lr.problems);
    let defaults = lr.container_defaults();
    let plain = |m: &BTreeMap<String, LimitValue>| -> Vec<(String, String)> {
        m.iter()
            .map(|(n, v)| (n.clone(), v.quantity.canonical()))
            .collect()
    };
    assert_eq!(
        plain(&defaults.requests),
        vec![
            ("cpu".into(), "50m".into()),
            ("memory".into(), "5Mi".into())
        ]
    );
    assert_eq!(
        plain(&defaults.limits),
        vec![
            ("cpu".into(), "75m".into()),
            ("memory".into(), "10Mi".into())
        ]
    );
    for c in &pods(&ws)[0].containers {
        assert_eq!(c.limits["memory"].quantity, q("10Mi"));
        assert_eq!(c.limits["cpu"].quantity, q("75m"));
        assert_eq!(c.requests["memory"].quantity, q("5Mi"));
        assert_eq!(c.requests["cpu"].quantity, q("50m"));
    }
}
