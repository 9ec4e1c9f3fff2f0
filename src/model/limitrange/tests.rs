use super::*;
use crate::kube_version::KubeVersion;
use crate::load::parse_yaml;
use crate::model::effective::{
    ContainerResources, Effective, EffectiveValue, PodResources, ValueOrigin,
};
use crate::model::{ContainerKind, ContainerRef, LoadedFile, WorkspaceOptions};
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
                    origin: ValueOrigin::Manifest,
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

// ---------------------------------------------------------------------------------------
// LimitRange validation (ValidateLimitRange), after its own defaulting
// ---------------------------------------------------------------------------------------

fn problems_of(spec: &str) -> Vec<String> {
    let text = format!(
        "apiVersion: v1\nkind: LimitRange\nmetadata: {{name: lr, namespace: ns}}\nspec:\n  limits:\n{spec}"
    );
    let ws = workspace(&[("lr.yaml", &text)]);
    ws.limit_range_index().limit_ranges[0]
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
