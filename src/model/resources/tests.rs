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
// Reading quantities as the API server decodes YAML
// ---------------------------------------------------------------------------------------

fn read_one(value: &str) -> ResourceEntry {
    let text = format!("requests:\n  x/y: {value}\n");
    let loaded = parse_yaml(&text);
    let doc = &loaded.documents[0];
    let list = ResourceList::read(doc, doc.root, "requests", ListKind::NonNegative);
    list.entries[0].clone()
}

#[test]
fn yaml_scalars_become_the_json_the_api_server_reads() {
    for (yaml, expect) in [
        ("0.5", "500m"),
        ("129e6", "129M"),
        ("1.5e9", "1500M"),
        ("2", "2"),
        ("010", "8"),     // YAML 1.1 octal
        ("0x10", "16"),   // YAML 1.1 hex
        ("1_000", "1k"),  // YAML 1.1 digit separators
        ("\" 1 \"", "1"), // UnmarshalJSON trims white space
        ("'500m'", "500m"),
        ("1e-7", "1m"), // 1e-7 rounds up to 1m (milli scale)
        ("0.0001", "1m"),
        ("1e21", "1000E"),
        ("99999999999999999999", "100E"), // beyond u64: a float
        ("18446744073709551615", "18446744073709551615"), // fits u64
        ("\".\"", "0"),                   // digit-less: zero, as Kubernetes reads it
        ("Ki", "0"),
        ("-0", "0"),
    ] {
        let entry = read_one(yaml);
        let value = entry.value.unwrap_or_else(|e| panic!("{yaml}: {e}"));
        assert_eq!(value, q(expect), "{yaml}: {}", value.canonical());
    }
}

#[test]
fn yaml_values_the_api_server_rejects() {
    for (yaml, reason) in [
        ("true", "YAML boolean"),
        ("yes", "YAML boolean"),
        ("on", "YAML boolean"),
        (".inf", "not a finite number"),
        (".nan", "not a finite number"),
        ("512MB", "is not a quantity"),
        ("1.5 Gi", "is not a quantity"),
        ("\"\"", "empty string"),
        ("{a: 1}", "mapping"),
        ("[1]", "list"),
        ("-1", "negative"),
        ("\"-100m\"", "negative"),
    ] {
        let entry = read_one(yaml);
        let error = entry.value.expect_err(yaml);
        assert!(error.contains(reason), "{yaml}: {error}");
    }
    let entry = read_one("");
    assert!(entry.null);
    assert!(entry.value.expect("null is zero").is_zero());
    let entry = read_one("~");
    assert!(entry.null);
}

#[test]
fn container_lists_check_extended_resources_and_keep_the_last_duplicate() {
    let text = "limits:\n  nvidia.com/gpu: 0.5\n  example.com/foo: 2\n  cpu: 1\n  cpu: 2\n";
    let loaded = parse_yaml(text);
    let doc = &loaded.documents[0];
    let list = ResourceList::read(doc, doc.root, "limits", ListKind::Container);
    assert_eq!(list.entries.len(), 3);
    assert!(
        list.get("nvidia.com/gpu")
            .expect("gpu")
            .value
            .as_ref()
            .expect_err("fractional gpu")
            .contains("whole number")
    );
    assert!(list.get("example.com/foo").expect("foo").value.is_ok());
    assert_eq!(
        list.get("cpu").expect("cpu").value.as_ref().ok(),
        Some(&q("2"))
    );
    // LimitRange values may be anything parsable (negative included).
    let any = ResourceList::read(doc, doc.root, "limits", ListKind::Any);
    assert!(any.get("nvidia.com/gpu").expect("gpu").value.is_ok());
}

#[test]
fn resource_name_classes() {
    assert!(is_extended_resource("nvidia.com/gpu"));
    assert!(!is_extended_resource("kubernetes.io/foo"));
    assert!(!is_extended_resource("cpu"));
    assert!(!is_extended_resource("requests.nvidia.com/gpu"));
    assert!(is_hugepages("hugepages-2Mi"));
    assert!(!is_overcommit_allowed("hugepages-2Mi"));
    assert!(!is_overcommit_allowed("nvidia.com/gpu"));
    assert!(is_overcommit_allowed("memory"));
    assert!(is_byte_resource("memory") && is_byte_resource("requests.storage"));
    assert!(!is_byte_resource("cpu"));
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
        Origin::LimitRange {
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
    let Origin::LimitRange {
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
    let index = ws.resource_index();
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
    assert!(matches!(above[0].limit.origin, Origin::LimitRange { .. }));
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

// ---------------------------------------------------------------------------------------
// LimitRanger constraints: TestPodLimitFunc and TestPersistentVolumeClaimLimitFunc,
// kubernetes/kubernetes plugin/pkg/admission/limitranger/admission_test.go. Like the
// upstream test, these call the constraint functions directly on the given values (no v1
// defaulting of the pod or the LimitRange).
// ---------------------------------------------------------------------------------------

/// `"cpu=100m memory=1Gi"` as an effective list.
fn rl(spec: &str) -> Effective {
    spec.split_whitespace()
        .map(|kv| {
            let (name, value) = kv.split_once('=').expect("name=value");
            (
                name.to_string(),
                EffectiveValue {
                    quantity: q(value),
                    origin: Origin::Manifest,
                    file: 0,
                    span: Span::default(),
                },
            )
        })
        .collect()
}

fn limit_values(spec: &str, field: LimitRangeField) -> BTreeMap<String, LimitValue> {
    rl(spec)
        .into_iter()
        .map(|(n, v)| {
            (
                n,
                LimitValue {
                    quantity: v.quantity,
                    written_in: field,
                    span: Span::default(),
                },
            )
        })
        .collect()
}

fn item(limit_type: &str, min: &str, max: &str, ratio: &str) -> LimitRangeItem {
    let mut values = BTreeMap::new();
    values.insert(
        LimitRangeField::Min,
        limit_values(min, LimitRangeField::Min),
    );
    values.insert(
        LimitRangeField::Max,
        limit_values(max, LimitRangeField::Max),
    );
    values.insert(
        LimitRangeField::MaxLimitRequestRatio,
        limit_values(ratio, LimitRangeField::MaxLimitRequestRatio),
    );
    LimitRangeItem {
        limit_type: limit_type.to_string(),
        type_span: Span::default(),
        written: BTreeMap::new(),
        values,
    }
}

fn test_container(kind: ContainerKind, sidecar: bool, req: &str, lim: &str) -> ContainerResources {
    ContainerResources {
        container: ContainerRef {
            kind,
            node: 0,
            index: 0,
        },
        name: "foo".into(),
        sidecar,
        written_requests: ResourceList::default(),
        written_limits: ResourceList::default(),
        requests: rl(req),
        limits: rl(lim),
        resources_key: None,
        anchor: Span::default(),
    }
}

/// `validPod(name, n, resources)` plus `validPodInit(...)` and `withRestartableInitContainer`.
fn test_pod(
    n: usize,
    req: &str,
    lim: &str,
    inits: &[(&str, &str)],
    sidecar: Option<(&str, &str)>,
) -> PodResources {
    let mut containers: Vec<ContainerResources> = (0..n)
        .map(|_| test_container(ContainerKind::Regular, false, req, lim))
        .collect();
    for (r, l) in inits {
        containers.push(test_container(ContainerKind::Init, false, r, l));
    }
    if let Some((r, l)) = sidecar {
        containers.push(test_container(ContainerKind::Init, true, r, l));
    }
    PodResources {
        object: 0,
        file: 0,
        spec: 0,
        path: String::new(),
        containers,
        pod_level: None,
        limit_ranges: Vec::new(),
        version: KubeVersion::LATEST,
    }
}

/// `PodValidateLimitFunc` for one item.
fn pod_violations(item: &LimitRangeItem, pod: &PodResources) -> Vec<Violation> {
    let plain = |e: &Effective| -> BTreeMap<String, Quantity> {
        e.iter()
            .map(|(n, v)| (n.clone(), v.quantity.clone()))
            .collect()
    };
    match item.limit_type.as_str() {
        "Container" => pod
            .containers
            .iter()
            .flat_map(|c| check_item(item, &plain(&c.requests), &plain(&c.limits)))
            .collect(),
        "Pod" => check_item(item, &pod.totals(Side::Requests), &pod.totals(Side::Limits)),
        _ => Vec::new(),
    }
}

type LimitCase<'a> = (&'a str, PodResources, LimitRangeItem);

fn success_cases() -> Vec<LimitCase<'static>> {
    let c = "Container";
    let p = "Pod";
    vec![
        (
            "ctr-min-cpu-request",
            test_pod(1, "cpu=100m", "", &[], None),
            item(c, "cpu=50m", "", ""),
        ),
        (
            "ctr-min-cpu-request-limit",
            test_pod(1, "cpu=100m", "cpu=200m", &[], None),
            item(c, "cpu=50m", "", ""),
        ),
        (
            "ctr-min-memory-request",
            test_pod(1, "memory=60Mi", "", &[], None),
            item(c, "memory=50Mi", "", ""),
        ),
        (
            "ctr-min-memory-request-limit",
            test_pod(1, "memory=60Mi", "memory=100Mi", &[], None),
            item(c, "memory=50Mi", "", ""),
        ),
        (
            "ctr-max-cpu-request-limit",
            test_pod(1, "cpu=500m", "cpu=1", &[], None),
            item(c, "", "cpu=2", ""),
        ),
        (
            "ctr-max-cpu-limit",
            test_pod(1, "", "cpu=1", &[], None),
            item(c, "", "cpu=2", ""),
        ),
        (
            "ctr-max-mem-request-limit",
            test_pod(1, "memory=250Mi", "memory=500Mi", &[], None),
            item(c, "", "memory=1Gi", ""),
        ),
        (
            "ctr-max-cpu-ratio",
            test_pod(1, "cpu=500m", "cpu=750m", &[], None),
            item(c, "", "", "cpu=1.5"),
        ),
        (
            "ctr-max-mem-limit",
            test_pod(1, "", "memory=500Mi", &[], None),
            item(c, "", "memory=1Gi", ""),
        ),
        (
            "pod-min-cpu-request",
            test_pod(2, "cpu=75m", "", &[], None),
            item(p, "cpu=100m", "", ""),
        ),
        (
            "pod-min-cpu-request-limit",
            test_pod(2, "cpu=75m", "cpu=200m", &[], None),
            item(p, "cpu=100m", "", ""),
        ),
        (
            "pod-min-memory-request",
            test_pod(2, "memory=60Mi", "", &[], None),
            item(p, "memory=100Mi", "", ""),
        ),
        (
            "pod-min-memory-request-limit",
            test_pod(2, "memory=60Mi", "memory=100Mi", &[], None),
            item(p, "memory=100Mi", "", ""),
        ),
        (
            "pod-init-min-memory-request",
            test_pod(2, "memory=60Mi", "", &[("memory=100Mi", "")], None),
            item(p, "memory=100Mi", "", ""),
        ),
        (
            "pod-init-min-memory-request-limit",
            test_pod(
                2,
                "memory=60Mi",
                "memory=100Mi",
                &[("memory=80Mi", "memory=100Mi")],
                None,
            ),
            item(p, "memory=100Mi", "", ""),
        ),
        (
            "pod-max-cpu-request-limit",
            test_pod(2, "cpu=500m", "cpu=1", &[], None),
            item(p, "", "cpu=2", ""),
        ),
        (
            "pod-max-cpu-limit",
            test_pod(2, "", "cpu=1", &[], None),
            item(p, "", "cpu=2", ""),
        ),
        (
            "pod-init-max-cpu-request-limit",
            test_pod(
                2,
                "cpu=500m",
                "cpu=1",
                &[("cpu=1", "cpu=2"), ("cpu=1", "cpu=1")],
                None,
            ),
            item(p, "", "cpu=2", ""),
        ),
        (
            "pod-init-max-cpu-limit",
            test_pod(2, "", "cpu=1", &[("", "cpu=2"), ("", "cpu=2")], None),
            item(p, "", "cpu=2", ""),
        ),
        (
            "pod-max-mem-request-limit",
            test_pod(2, "memory=250Mi", "memory=500Mi", &[], None),
            item(p, "", "memory=1Gi", ""),
        ),
        (
            "pod-max-mem-limit",
            test_pod(2, "", "memory=500Mi", &[], None),
            item(p, "", "memory=1Gi", ""),
        ),
        (
            "pod-max-mem-ratio",
            test_pod(3, "memory=300Mi", "memory=450Mi", &[], None),
            item(p, "", "memory=2Gi", "memory=1.5"),
        ),
        (
            "ctr-1-min-local-ephemeral-storage-request",
            test_pod(1, "ephemeral-storage=60Mi", "", &[], None),
            item(c, "ephemeral-storage=50Mi", "", ""),
        ),
        (
            "ctr-1-min-local-ephemeral-storage-request-limit",
            test_pod(
                1,
                "ephemeral-storage=60Mi",
                "ephemeral-storage=100Mi",
                &[],
                None,
            ),
            item(c, "ephemeral-storage=50Mi", "", ""),
        ),
        (
            "ctr-1-max-local-ephemeral-storage-request-limit",
            test_pod(
                1,
                "ephemeral-storage=250Mi",
                "ephemeral-storage=500Mi",
                &[],
                None,
            ),
            item(c, "", "ephemeral-storage=1Gi", ""),
        ),
        (
            "ctr-1-max-local-ephemeral-storage-limit",
            test_pod(1, "", "ephemeral-storage=500Mi", &[], None),
            item(c, "", "ephemeral-storage=1Gi", ""),
        ),
        (
            "ctr-2-min-local-ephemeral-storage-request",
            test_pod(2, "ephemeral-storage=60Mi", "", &[], None),
            item(c, "ephemeral-storage=50Mi", "", ""),
        ),
        (
            "ctr-2-min-local-ephemeral-storage-request-limit",
            test_pod(
                2,
                "ephemeral-storage=60Mi",
                "ephemeral-storage=100Mi",
                &[],
                None,
            ),
            item(c, "ephemeral-storage=50Mi", "", ""),
        ),
        (
            "ctr-2-max-local-ephemeral-storage-request-limit",
            test_pod(
                2,
                "ephemeral-storage=250Mi",
                "ephemeral-storage=500Mi",
                &[],
                None,
            ),
            item(c, "", "ephemeral-storage=600Mi", ""),
        ),
        (
            "ctr-2-max-local-ephemeral-storage-limit",
            test_pod(2, "", "ephemeral-storage=500Mi", &[], None),
            item(c, "", "ephemeral-storage=600Mi", ""),
        ),
        (
            "pod-min-local-ephemeral-storage-request",
            test_pod(2, "ephemeral-storage=60Mi", "", &[], None),
            item(p, "ephemeral-storage=100Mi", "", ""),
        ),
        (
            "pod-min-local-ephemeral-storage-request-limit",
            test_pod(
                2,
                "ephemeral-storage=60Mi",
                "ephemeral-storage=100Mi",
                &[],
                None,
            ),
            item(p, "ephemeral-storage=100Mi", "", ""),
        ),
        (
            "pod-init-min-local-ephemeral-storage-request",
            test_pod(
                2,
                "ephemeral-storage=60Mi",
                "",
                &[("ephemeral-storage=100Mi", "")],
                None,
            ),
            item(p, "ephemeral-storage=100Mi", "", ""),
        ),
        (
            "pod-init-min-local-ephemeral-storage-request-limit",
            test_pod(
                2,
                "ephemeral-storage=60Mi",
                "ephemeral-storage=100Mi",
                &[("ephemeral-storage=80Mi", "ephemeral-storage=100Mi")],
                None,
            ),
            item(p, "ephemeral-storage=100Mi", "", ""),
        ),
        (
            "pod-max-local-ephemeral-storage-request-limit",
            test_pod(
                2,
                "ephemeral-storage=250Mi",
                "ephemeral-storage=500Mi",
                &[],
                None,
            ),
            item(p, "", "ephemeral-storage=1Gi", ""),
        ),
        (
            "pod-max-local-ephemeral-storage-limit",
            test_pod(2, "", "ephemeral-storage=500Mi", &[], None),
            item(p, "", "ephemeral-storage=1Gi", ""),
        ),
        (
            "pod-max-local-ephemeral-storage-ratio",
            test_pod(
                3,
                "ephemeral-storage=300Mi",
                "ephemeral-storage=450Mi",
                &[],
                None,
            ),
            item(p, "", "ephemeral-storage=2Gi", "ephemeral-storage=1.5"),
        ),
    ]
}

fn error_cases() -> Vec<LimitCase<'static>> {
    let c = "Container";
    let p = "Pod";
    vec![
        (
            "ctr-min-cpu-request",
            test_pod(1, "cpu=40m", "", &[], None),
            item(c, "cpu=50m", "", ""),
        ),
        (
            "ctr-min-cpu-request-limit",
            test_pod(1, "cpu=40m", "cpu=200m", &[], None),
            item(c, "cpu=50m", "", ""),
        ),
        (
            "ctr-min-cpu-no-request-limit",
            test_pod(1, "", "", &[], None),
            item(c, "cpu=50m", "", ""),
        ),
        (
            "ctr-min-memory-request",
            test_pod(1, "memory=40Mi", "", &[], None),
            item(c, "memory=50Mi", "", ""),
        ),
        (
            "ctr-min-memory-request-limit",
            test_pod(1, "memory=40Mi", "memory=100Mi", &[], None),
            item(c, "memory=50Mi", "", ""),
        ),
        (
            "ctr-min-memory-no-request-limit",
            test_pod(1, "", "", &[], None),
            item(c, "memory=50Mi", "", ""),
        ),
        (
            "ctr-max-cpu-request-limit",
            test_pod(1, "cpu=500m", "cpu=2500m", &[], None),
            item(c, "", "cpu=2", ""),
        ),
        (
            "ctr-max-cpu-limit",
            test_pod(1, "", "cpu=2500m", &[], None),
            item(c, "", "cpu=2", ""),
        ),
        (
            "ctr-max-cpu-no-request-limit",
            test_pod(1, "", "", &[], None),
            item(c, "", "cpu=2", ""),
        ),
        (
            "ctr-max-cpu-ratio",
            test_pod(1, "cpu=1250m", "cpu=2500m", &[], None),
            item(c, "", "", "cpu=1"),
        ),
        (
            "ctr-max-mem-request-limit",
            test_pod(1, "memory=250Mi", "memory=2Gi", &[], None),
            item(c, "", "memory=1Gi", ""),
        ),
        (
            "ctr-max-mem-limit",
            test_pod(1, "", "memory=2Gi", &[], None),
            item(c, "", "memory=1Gi", ""),
        ),
        (
            "ctr-max-mem-no-request-limit",
            test_pod(1, "", "", &[], None),
            item(c, "", "memory=1Gi", ""),
        ),
        (
            "pod-min-cpu-request",
            test_pod(1, "cpu=75m", "", &[], None),
            item(p, "cpu=100m", "", ""),
        ),
        (
            "pod-min-cpu-request-limit",
            test_pod(1, "cpu=75m", "cpu=200m", &[], None),
            item(p, "cpu=100m", "", ""),
        ),
        (
            "pod-min-memory-request",
            test_pod(1, "memory=60Mi", "", &[], None),
            item(p, "memory=100Mi", "", ""),
        ),
        (
            "pod-min-memory-request-limit",
            test_pod(1, "memory=60Mi", "memory=100Mi", &[], None),
            item(p, "memory=100Mi", "", ""),
        ),
        (
            "pod-max-cpu-request-limit",
            test_pod(3, "cpu=500m", "cpu=1", &[], None),
            item(p, "", "cpu=2", ""),
        ),
        (
            "pod-max-cpu-limit",
            test_pod(3, "", "cpu=1", &[], None),
            item(p, "", "cpu=2", ""),
        ),
        (
            "pod-max-mem-request-limit",
            test_pod(3, "memory=250Mi", "memory=500Mi", &[], None),
            item(p, "", "memory=1Gi", ""),
        ),
        (
            "pod-max-mem-limit",
            test_pod(3, "", "memory=500Mi", &[], None),
            item(p, "", "memory=1Gi", ""),
        ),
        (
            "pod-init-max-mem-limit",
            test_pod(1, "", "memory=500Mi", &[("", "memory=1.5Gi")], None),
            item(p, "", "memory=1Gi", ""),
        ),
        (
            "pod-max-mem-ratio",
            test_pod(3, "memory=250Mi", "memory=500Mi", &[], None),
            item(p, "", "memory=2Gi", "memory=1.5"),
        ),
        (
            "ctr-1-min-local-ephemeral-storage-request",
            test_pod(1, "ephemeral-storage=40Mi", "", &[], None),
            item(c, "ephemeral-storage=50Mi", "", ""),
        ),
        (
            "ctr-1-min-local-ephemeral-storage-request-limit",
            test_pod(
                1,
                "ephemeral-storage=40Mi",
                "ephemeral-storage=100Mi",
                &[],
                None,
            ),
            item(c, "ephemeral-storage=50Mi", "", ""),
        ),
        (
            "ctr-1-min-local-ephemeral-storage-no-request-limit",
            test_pod(1, "", "", &[], None),
            item(c, "ephemeral-storage=50Mi", "", ""),
        ),
        (
            "ctr-1-max-local-ephemeral-storage-request-limit",
            test_pod(
                1,
                "ephemeral-storage=250Mi",
                "ephemeral-storage=2Gi",
                &[],
                None,
            ),
            item(c, "", "ephemeral-storage=1Gi", ""),
        ),
        (
            "ctr-1-max-local-ephemeral-storage-limit",
            test_pod(1, "", "ephemeral-storage=2Gi", &[], None),
            item(c, "", "ephemeral-storage=1Gi", ""),
        ),
        (
            "ctr-1-max-local-ephemeral-storage-no-request-limit",
            test_pod(1, "", "", &[], None),
            item(c, "", "ephemeral-storage=1Gi", ""),
        ),
        (
            "ctr-2-min-local-ephemeral-storage-request",
            test_pod(2, "ephemeral-storage=40Mi", "", &[], None),
            item(c, "ephemeral-storage=50Mi", "", ""),
        ),
        (
            "ctr-2-min-local-ephemeral-storage-request-limit",
            test_pod(
                2,
                "ephemeral-storage=40Mi",
                "ephemeral-storage=100Mi",
                &[],
                None,
            ),
            item(c, "ephemeral-storage=50Mi", "", ""),
        ),
        (
            "ctr-2-min-local-ephemeral-storage-no-request-limit",
            test_pod(2, "", "", &[], None),
            item(c, "ephemeral-storage=50Mi", "", ""),
        ),
        (
            "ctr-2-max-local-ephemeral-storage-request-limit",
            test_pod(
                2,
                "ephemeral-storage=250Mi",
                "ephemeral-storage=2Gi",
                &[],
                None,
            ),
            item(c, "", "ephemeral-storage=1Gi", ""),
        ),
        (
            "ctr-2-max-local-ephemeral-storage-limit",
            test_pod(2, "", "ephemeral-storage=2Gi", &[], None),
            item(c, "", "ephemeral-storage=1Gi", ""),
        ),
        (
            "ctr-2-max-local-ephemeral-storage-no-request-limit",
            test_pod(2, "", "", &[], None),
            item(c, "", "ephemeral-storage=1Gi", ""),
        ),
        (
            "pod-min-local-ephemeral-storage-request",
            test_pod(1, "ephemeral-storage=60Mi", "", &[], None),
            item(p, "ephemeral-storage=100Mi", "", ""),
        ),
        (
            "pod-min-local-ephemeral-storage-request-limit",
            test_pod(
                1,
                "ephemeral-storage=60Mi",
                "ephemeral-storage=100Mi",
                &[],
                None,
            ),
            item(p, "ephemeral-storage=100Mi", "", ""),
        ),
        (
            "pod-max-local-ephemeral-storage-request-limit",
            test_pod(
                3,
                "ephemeral-storage=250Mi",
                "ephemeral-storage=500Mi",
                &[],
                None,
            ),
            item(p, "", "ephemeral-storage=1Gi", ""),
        ),
        (
            "pod-max-local-ephemeral-storage-limit",
            test_pod(3, "", "ephemeral-storage=500Mi", &[], None),
            item(p, "", "ephemeral-storage=1Gi", ""),
        ),
        (
            "pod-init-max-local-ephemeral-storage-limit",
            test_pod(
                1,
                "",
                "ephemeral-storage=500Mi",
                &[("", "ephemeral-storage=1.5Gi")],
                None,
            ),
            item(p, "", "ephemeral-storage=1Gi", ""),
        ),
        (
            "pod-max-local-ephemeral-storage-ratio",
            test_pod(
                3,
                "ephemeral-storage=250Mi",
                "ephemeral-storage=500Mi",
                &[],
                None,
            ),
            item(p, "", "ephemeral-storage=2Gi", "ephemeral-storage=1.5"),
        ),
        (
            "ctr-max-cpu-limit-restartable-init-container",
            test_pod(1, "cpu=1000m", "cpu=1500m", &[], Some(("cpu=1500m", ""))),
            item(p, "", "cpu=2", ""),
        ),
    ]
}

#[test]
fn upstream_pod_limit_func() {
    let successes = success_cases();
    assert_eq!(successes.len(), 37);
    for (name, pod, item) in successes {
        let v = pod_violations(&item, &pod);
        assert!(v.is_empty(), "{name}: unexpected {v:?}");
    }
    let errors = error_cases();
    assert_eq!(errors.len(), 42);
    for (name, pod, item) in errors {
        assert!(
            !pod_violations(&item, &pod).is_empty(),
            "{name}: expected an error"
        );
    }
}

#[test]
fn violation_kinds_match_the_limit_ranger_messages() {
    let kinds = |pod: PodResources, item: LimitRangeItem| -> Vec<ViolationKind> {
        pod_violations(&item, &pod)
            .into_iter()
            .map(|v| v.kind)
            .collect()
    };
    use ViolationKind::*;
    assert_eq!(
        kinds(
            test_pod(1, "", "", &[], None),
            item("Container", "cpu=50m", "", "")
        ),
        vec![NoRequest]
    );
    assert_eq!(
        kinds(
            test_pod(1, "cpu=40m", "", &[], None),
            item("Container", "cpu=50m", "", "")
        ),
        vec![RequestBelowMin]
    );
    assert_eq!(
        kinds(
            test_pod(1, "cpu=1", "cpu=40m", &[], None),
            item("Container", "cpu=50m", "", "")
        ),
        vec![LimitBelowMin]
    );
    assert_eq!(
        kinds(
            test_pod(1, "cpu=1", "", &[], None),
            item("Container", "", "cpu=2", "")
        ),
        vec![NoLimit]
    );
    assert_eq!(
        kinds(
            test_pod(1, "cpu=1", "cpu=3", &[], None),
            item("Container", "", "cpu=2", "")
        ),
        vec![LimitAboveMax]
    );
    assert_eq!(
        kinds(
            test_pod(1, "cpu=3", "cpu=2", &[], None),
            item("Container", "", "cpu=2", "")
        ),
        vec![RequestAboveMax]
    );
    assert_eq!(
        kinds(
            test_pod(1, "cpu=0", "cpu=1", &[], None),
            item("Container", "", "", "cpu=2")
        ),
        vec![RatioNeedsRequest]
    );
    assert_eq!(
        kinds(
            test_pod(1, "cpu=1", "", &[], None),
            item("Container", "", "", "cpu=2")
        ),
        vec![RatioNeedsLimit]
    );
    assert_eq!(
        kinds(
            test_pod(1, "cpu=1250m", "cpu=2500m", &[], None),
            item("Container", "", "", "cpu=1")
        ),
        vec![RatioAbove("2.000000".into())]
    );
    // MilliValue() rounds up: 0.5m requested against a 1m minimum passes, as in Kubernetes.
    assert!(
        kinds(
            test_pod(1, "cpu=0.5m", "", &[], None),
            item("Container", "cpu=1m", "", "")
        )
        .is_empty()
    );
    // Beyond milli range the comparison is in whole units (rounded up).
    assert!(
        kinds(
            test_pod(1, "memory=100E", "", &[], None),
            item("Container", "memory=99.9E", "", "")
        )
        .is_empty()
    );
}

#[test]
fn upstream_persistent_volume_claim_limit_func() {
    let requests = |spec: &str| -> BTreeMap<String, Quantity> {
        rl(spec).into_iter().map(|(n, v)| (n, v.quantity)).collect()
    };
    let pvc = "PersistentVolumeClaim";
    for (name, req, item) in [
        (
            "pvc-is-min-storage-request",
            "storage=1Gi",
            item(pvc, "storage=1Gi", "", ""),
        ),
        (
            "pvc-is-max-storage-request",
            "storage=1Gi",
            item(pvc, "", "storage=1Gi", ""),
        ),
        (
            "pvc-no-minmax-storage-request",
            "storage=100Gi",
            item(pvc, "", "", ""),
        ),
        (
            "pvc-within-minmax-storage-request",
            "storage=5Gi",
            item(pvc, "storage=1Gi", "storage=10Gi", ""),
        ),
    ] {
        assert!(check_claim(&item, &requests(req)).is_empty(), "{name}");
    }
    for (name, req, item) in [
        (
            "pvc-below-min-storage-request",
            "storage=500Mi",
            item(pvc, "storage=1Gi", "", ""),
        ),
        (
            "pvc-exceeds-max-storage-request",
            "storage=100Gi",
            item(pvc, "storage=1Gi", "storage=1Gi", ""),
        ),
    ] {
        assert!(!check_claim(&item, &requests(req)).is_empty(), "{name}");
    }
    assert_eq!(
        check_claim(&item(pvc, "storage=1Gi", "", ""), &requests(""))[0].kind,
        ViolationKind::NoRequest
    );
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
    let lr = &ws.resource_index().limit_ranges[0];
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

// ---------------------------------------------------------------------------------------
// LimitRange validation (ValidateLimitRange), after its own defaulting
// ---------------------------------------------------------------------------------------

fn problems_of(spec: &str) -> Vec<String> {
    let text = format!(
        "apiVersion: v1\nkind: LimitRange\nmetadata: {{name: lr, namespace: ns}}\nspec:\n  limits:\n{spec}"
    );
    let ws = workspace(&[("lr.yaml", &text)]);
    ws.resource_index().limit_ranges[0]
        .problems
        .iter()
        .map(|p| p.message.clone())
        .collect()
}

#[test]
fn limit_range_validation() {
    // Valid: the seed's mylimits.
    assert!(
        problems_of(
            "    - type: Pod\n      max: {cpu: '2', memory: 1Gi}\n      min: {cpu: 200m, memory: 6Mi}\n    - type: Container\n      default: {cpu: 300m, memory: 200Mi}\n      defaultRequest: {cpu: 200m, memory: 100Mi}\n      max: {cpu: '2', memory: 1Gi}\n      min: {cpu: 100m, memory: 3Mi}\n"
        )
        .is_empty()
    );
    for (spec, expect) in [
        (
            "    - type: Container\n      min: {cpu: 2}\n      max: {cpu: 1}\n",
            "cpu min 2 is greater than max 1",
        ),
        (
            "    - type: Container\n      min: {memory: 1Gi}\n      defaultRequest: {memory: 512Mi}\n",
            "memory min 1Gi is greater than defaultRequest 512Mi",
        ),
        (
            "    - type: Container\n      max: {cpu: 500m}\n      defaultRequest: {cpu: 1}\n",
            "cpu defaultRequest 1 is greater than max 500m",
        ),
        (
            // default taken from max: defaultRequest above it.
            "    - type: Container\n      max: {cpu: 500m}\n      default: {memory: 1Gi}\n      defaultRequest: {memory: 2Gi}\n",
            "memory defaultRequest 2Gi is greater than default 1Gi",
        ),
        (
            // defaultRequest taken from default, below min.
            "    - type: Container\n      min: {cpu: 1}\n      default: {cpu: 500m}\n",
            "cpu min 1 is greater than defaultRequest 500m (taken from default)",
        ),
        (
            "    - type: Container\n      max: {cpu: 1}\n      default: {cpu: 2}\n      defaultRequest: {cpu: 500m}\n",
            "cpu default 2 is greater than max 1",
        ),
        (
            "    - type: Container\n      maxLimitRequestRatio: {cpu: 500m}\n",
            "cpu maxLimitRequestRatio 500m is less than 1",
        ),
        (
            "    - type: Pod\n      min: {cpu: 1}\n      max: {cpu: 2}\n      maxLimitRequestRatio: {cpu: 3}\n",
            "cpu maxLimitRequestRatio 3 is greater than max/min = 2.000000",
        ),
        (
            "    - type: Pod\n      default: {cpu: 1}\n",
            "`default` may not be set on a LimitRange item of type Pod",
        ),
        (
            "    - type: PersistentVolumeClaim\n      min: {cpu: 1}\n",
            "needs a `min` or `max` storage value",
        ),
        (
            "    - type: Container\n      default: {nvidia.com/gpu: 2}\n      defaultRequest: {nvidia.com/gpu: 1}\n",
            "nvidia.com/gpu defaultRequest 1 must equal default 2",
        ),
        (
            "    - type: Container\n      max: {cpu: 1}\n    - type: Container\n      max: {cpu: 2}\n",
            "has two items of type `Container`",
        ),
    ] {
        let problems = problems_of(spec);
        assert_eq!(problems.len(), 1, "{spec}: {problems:?}");
        assert!(problems[0].contains(expect), "{spec}: {problems:?}");
    }
}
