//! A pod's QoS class, exactly as Kubernetes computes it, with the reason.
//!
//! Port of `ComputePodQOS` (kubernetes/kubernetes `pkg/apis/core/helper/qos/qos.go`, the same
//! logic as `pkg/apis/core/v1/helper/qos`): only cpu and memory count, and only values above
//! zero; requests and limits are summed over containers and init containers (sidecars are
//! init containers; ephemeral containers cannot have resources); the pod is `BestEffort`
//! when nothing is left, `Guaranteed` when every container and init container has cpu and
//! memory limits and the summed requests equal the summed limits, else `Burstable`. When
//! pod-level resources (`spec.resources`) are enabled and set, they alone decide, with the
//! same rules. It runs on effective resources ([`PodResources`]), so LimitRange defaults
//! change the class as they do in the cluster.

use std::collections::BTreeMap;
use std::fmt;

use super::effective::{ContainerResources, Effective, PodResources};
use super::quantity::Quantity;
use super::resource_values::{CPU, MEMORY};
use crate::model::ContainerKind;

/// The run's target Kubernetes version (`--kube-version`, the config's `kube-version`, else the
/// newest embedded one: [`crate::model::WorkspaceOptions::kube_version`]); resource and QoS
/// behaviour that changed between releases is judged for it.
use crate::kube_version::KubeVersion;

impl KubeVersion {
    /// The newest behaviour kubeward knows (tests and `inspect` without a workspace use it).
    pub const LATEST: KubeVersion = KubeVersion::new(1, 37);

    pub const fn new(major: u32, minor: u32) -> KubeVersion {
        KubeVersion { major, minor }
    }

    /// The `PodLevelResources` feature gate: alpha (off by default) in 1.32, beta and on by
    /// default since 1.34 (`pkg/features/kube_features.go`: `{Version: "1.32", Default:
    /// false, PreRelease: Alpha}, {Version: "1.34", Default: true, PreRelease: Beta}`).
    pub fn pod_level_resources(self) -> bool {
        self >= KubeVersion::new(1, 34)
    }

    /// `PodLevelResourcesFixKubeletQOSClass` and `PodLevelResourcesFixDefaulting` (KEP-2837,
    /// kubernetes#135082), default-on from 1.37: before them an empty `spec.resources: {}`
    /// made `ComputePodQOS` take the pod-level path (and so `BestEffort`), and pod-level
    /// limits were not defaulted from the containers' limits.
    pub fn pod_level_fixes(self) -> bool {
        self >= KubeVersion::new(1, 37)
    }
}

impl Default for KubeVersion {
    fn default() -> Self {
        KubeVersion::LATEST
    }
}

/// Ordered from least to most protected: `BestEffort < Burstable < Guaranteed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum QosClass {
    BestEffort,
    Burstable,
    Guaranteed,
}

impl QosClass {
    pub fn as_str(self) -> &'static str {
        match self {
            QosClass::BestEffort => "BestEffort",
            QosClass::Burstable => "Burstable",
            QosClass::Guaranteed => "Guaranteed",
        }
    }

    pub fn parse(text: &str) -> Option<QosClass> {
        match text {
            "BestEffort" => Some(QosClass::BestEffort),
            "Burstable" => Some(QosClass::Burstable),
            "Guaranteed" => Some(QosClass::Guaranteed),
            _ => None,
        }
    }
}

impl fmt::Display for QosClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// The class and why, in words ("container `migrate` (init) has no limits").
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Qos {
    pub class: QosClass,
    pub reason: String,
    /// True when pod-level `spec.resources` decided.
    pub pod_level: bool,
}

const QOS_RESOURCES: [&str; 2] = [CPU, MEMORY];

/// `processResourceList`: sums the cpu and memory values above zero into `total`; returns
/// the names that were above zero.
fn process(total: &mut BTreeMap<&'static str, Quantity>, list: &Effective) -> Vec<&'static str> {
    let mut found = Vec::new();
    for name in QOS_RESOURCES {
        if let Some(v) = list.get(name)
            && v.quantity > Quantity::zero()
        {
            found.push(name);
            let sum = match total.get(name) {
                Some(sum) => v.quantity.add(sum),
                None => v.quantity.clone(),
            };
            total.insert(name, sum);
        }
    }
    found
}

/// "container `app`", "container `migrate` (init)", "container `proxy` (sidecar)".
fn who(c: &ContainerResources) -> String {
    match (c.container.kind, c.sidecar) {
        (ContainerKind::Init, true) => format!("container `{}` (sidecar)", c.name),
        (ContainerKind::Init, false) => format!("container `{}` (init)", c.name),
        _ => format!("container `{}`", c.name),
    }
}

fn missing_limits(found: &[&str]) -> Option<&'static str> {
    match (found.contains(&CPU), found.contains(&MEMORY)) {
        (true, true) => None,
        (false, false) => Some("has no cpu or memory limit"),
        (false, true) => Some("has no cpu limit"),
        (true, false) => Some("has no memory limit"),
    }
}

/// Computes the QoS class of a pod's effective resources for a Kubernetes version.
pub(crate) fn compute_qos(pod: &PodResources, version: KubeVersion) -> Qos {
    let mut requests = BTreeMap::new();
    let mut limits = BTreeMap::new();
    let mut not_guaranteed: Option<String> = None;
    let pod_level = pod
        .pod_level
        .as_ref()
        .filter(|p| version.pod_level_resources() && (!version.pod_level_fixes() || p.is_set()));
    if let Some(p) = pod_level {
        process(&mut requests, &p.requests);
        if !p.limits.is_empty() {
            let found = process(&mut limits, &p.limits);
            if let Some(missing) = missing_limits(&found) {
                not_guaranteed = Some(format!("pod-level `spec.resources` {missing}"));
            }
        }
    } else {
        // Containers first, then init containers, as ComputePodQOS appends them.
        let order = pod
            .containers
            .iter()
            .filter(|c| c.container.kind == ContainerKind::Regular)
            .chain(
                pod.containers
                    .iter()
                    .filter(|c| c.container.kind == ContainerKind::Init),
            );
        for c in order {
            process(&mut requests, &c.requests);
            let found = process(&mut limits, &c.limits);
            if not_guaranteed.is_none()
                && let Some(missing) = missing_limits(&found)
            {
                not_guaranteed = Some(format!("{} {missing}", who(c)));
            }
        }
    }
    let decided_by = if pod_level.is_some() {
        "pod-level `spec.resources`"
    } else {
        "no container"
    };
    if requests.is_empty() && limits.is_empty() {
        let reason = if pod_level.is_some() {
            "pod-level `spec.resources` sets no cpu or memory request or limit above zero".into()
        } else {
            format!("{decided_by} sets a cpu or memory request or limit above zero")
        };
        return Qos {
            class: QosClass::BestEffort,
            reason,
            pod_level: pod_level.is_some(),
        };
    }
    if not_guaranteed.is_none() {
        let equal = requests
            .iter()
            .all(|(name, req)| limits.get(name).is_some_and(|lim| lim == req));
        if !equal || requests.len() != limits.len() {
            not_guaranteed = Some(unequal_reason(pod, pod_level.is_some()));
        }
    }
    match not_guaranteed {
        Some(reason) => Qos {
            class: QosClass::Burstable,
            reason,
            pod_level: pod_level.is_some(),
        },
        None => Qos {
            class: QosClass::Guaranteed,
            reason: if pod_level.is_some() {
                "pod-level `spec.resources` sets cpu and memory limits equal to its requests".into()
            } else {
                "every container has cpu and memory limits equal to its requests".into()
            },
            pod_level: pod_level.is_some(),
        },
    }
}

/// Why summed requests differ from summed limits: the first container (or the pod level)
/// whose cpu or memory request differs from its limit.
fn unequal_reason(pod: &PodResources, pod_level: bool) -> String {
    let describe = |requests: &Effective, limits: &Effective| -> Option<String> {
        QOS_RESOURCES.iter().find_map(|name| {
            let positive = |l: &Effective| {
                l.get(*name)
                    .filter(|v| v.quantity > Quantity::zero())
                    .map(|v| v.quantity.clone())
            };
            let (req, lim) = (positive(requests), positive(limits));
            if req == lim {
                return None;
            }
            let show = |q: &Option<Quantity>| {
                q.as_ref()
                    .map_or("0".to_string(), |q| q.original().to_string())
            };
            Some(format!(
                "requests {name} {} but its {name} limit is {}",
                show(&req),
                show(&lim)
            ))
        })
    };
    if pod_level {
        if let Some(p) = &pod.pod_level
            && let Some(d) = describe(&p.requests, &p.limits)
        {
            return format!("pod-level `spec.resources` {d}");
        }
    } else {
        let order = pod
            .containers
            .iter()
            .filter(|c| c.container.kind == ContainerKind::Regular)
            .chain(
                pod.containers
                    .iter()
                    .filter(|c| c.container.kind == ContainerKind::Init),
            );
        for c in order {
            if let Some(d) = describe(&c.requests, &c.limits) {
                return format!("{} {d}", who(c));
            }
        }
    }
    "the summed cpu and memory requests differ from the summed limits".into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::effective::{
        ContainerResources, EffectiveValue, PodLevelResources, ValueOrigin,
    };
    use crate::model::resource_values::ResourceList;
    use crate::model::{ContainerKind, ContainerRef};
    use crate::source::Span;

    fn list(cpu: &str, memory: &str) -> Effective {
        let mut out = Effective::new();
        for (name, value) in [(CPU, cpu), (MEMORY, memory)] {
            if !value.is_empty() {
                out.insert(name.to_string(), value_of(value));
            }
        }
        out
    }

    fn value_of(text: &str) -> EffectiveValue {
        EffectiveValue {
            quantity: Quantity::parse(text).expect("test quantity"),
            origin: ValueOrigin::Manifest,
            file: 0,
            span: Span::default(),
        }
    }

    fn with(mut l: Effective, name: &str, value: &str) -> Effective {
        l.insert(name.to_string(), value_of(value));
        l
    }

    fn container(
        name: &str,
        kind: ContainerKind,
        requests: Effective,
        limits: Effective,
    ) -> ContainerResources {
        ContainerResources {
            container: ContainerRef {
                kind,
                node: 0,
                index: 0,
            },
            name: name.to_string(),
            sidecar: false,
            written_requests: ResourceList::default(),
            written_limits: ResourceList::default(),
            requests,
            limits,
            resources_key: None,
            anchor: Span::default(),
        }
    }

    fn c(name: &str, requests: Effective, limits: Effective) -> ContainerResources {
        container(name, ContainerKind::Regular, requests, limits)
    }

    fn pod(containers: Vec<ContainerResources>) -> PodResources {
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

    fn pod_with_resources(
        containers: Vec<ContainerResources>,
        requests: Effective,
        limits: Effective,
    ) -> PodResources {
        let mut p = pod(containers);
        p.pod_level = Some(PodLevelResources {
            key_span: Span::default(),
            written_requests: ResourceList::default(),
            written_limits: ResourceList::default(),
            requests,
            limits,
        });
        p
    }

    /// TestComputePodQOS, kubernetes/kubernetes pkg/apis/core/v1/helper/qos/qos_test.go
    /// (@ 00c269c7d269989d555b69c295ba88e73e8acf94): every case, with pod-level resources
    /// on where the upstream case enables the gate and off (1.33) otherwise.
    #[test]
    fn upstream_compute_pod_qos() {
        use QosClass::*;
        let e = || list("", "");
        let cases: Vec<(&str, PodResources, QosClass, bool)> = vec![
            (
                "guaranteed",
                pod(vec![c(
                    "guaranteed",
                    list("100m", "100Mi"),
                    list("100m", "100Mi"),
                )]),
                Guaranteed,
                false,
            ),
            (
                "guaranteed-guaranteed",
                pod(vec![
                    c("guaranteed", list("100m", "100Mi"), list("100m", "100Mi")),
                    c("guaranteed", list("100m", "100Mi"), list("100m", "100Mi")),
                ]),
                Guaranteed,
                false,
            ),
            (
                "best-effort-best-effort",
                pod(vec![c("best-effort", e(), e()), c("best-effort", e(), e())]),
                BestEffort,
                false,
            ),
            (
                "best-effort",
                pod(vec![c("best-effort", e(), e())]),
                BestEffort,
                false,
            ),
            (
                "best-effort-burstable",
                pod(vec![
                    c("best-effort", e(), e()),
                    c("burstable", list("1", ""), list("2", "")),
                ]),
                Burstable,
                false,
            ),
            (
                "best-effort-guaranteed",
                pod(vec![
                    c("best-effort", e(), e()),
                    c("guaranteed", list("10m", "100Mi"), list("10m", "100Mi")),
                ]),
                Burstable,
                false,
            ),
            (
                "burstable-cpu-guaranteed-memory",
                pod(vec![c("burstable", list("", "100Mi"), list("", "100Mi"))]),
                Burstable,
                false,
            ),
            (
                "burstable-no-limits",
                pod(vec![c("burstable", list("100m", "100Mi"), e())]),
                Burstable,
                false,
            ),
            (
                "burstable-guaranteed",
                pod(vec![
                    c("burstable", list("1", "100Mi"), list("2", "100Mi")),
                    c("guaranteed", list("100m", "100Mi"), list("100m", "100Mi")),
                ]),
                Burstable,
                false,
            ),
            (
                "burstable-unbounded-but-requests-match-limits",
                pod(vec![
                    c("burstable", list("100m", "100Mi"), list("200m", "200Mi")),
                    c("burstable-unbounded", list("100m", "100Mi"), e()),
                ]),
                Burstable,
                false,
            ),
            (
                "burstable-1",
                pod(vec![c(
                    "burstable",
                    list("10m", "100Mi"),
                    list("100m", "200Mi"),
                )]),
                Burstable,
                false,
            ),
            (
                "burstable-2",
                pod(vec![c("burstable", list("0", "0"), list("100m", "200Mi"))]),
                Burstable,
                false,
            ),
            (
                "best-effort-hugepages",
                pod(vec![c(
                    "best-effort",
                    with(list("0", "0"), "hugepages-2Mi", "1Gi"),
                    with(list("0", "0"), "hugepages-2Mi", "1Gi"),
                )]),
                BestEffort,
                false,
            ),
            (
                "init-container",
                pod(vec![
                    c("best-effort", e(), e()),
                    container(
                        "burstable",
                        ContainerKind::Init,
                        list("10m", "100Mi"),
                        list("100m", "200Mi"),
                    ),
                ]),
                Burstable,
                false,
            ),
            (
                "guaranteed-with-pod-level-resources",
                pod_with_resources(
                    vec![c("best-effort", e(), e())],
                    list("10m", "100Mi"),
                    list("10m", "100Mi"),
                ),
                Guaranteed,
                true,
            ),
            (
                "guaranteed-with-pod-and-container-level-resources",
                pod_with_resources(
                    vec![c("burstable", list("3m", "10Mi"), list("5m", "20Mi"))],
                    list("10m", "100Mi"),
                    list("10m", "100Mi"),
                ),
                Guaranteed,
                true,
            ),
            (
                "burstable-with-pod-level-resources",
                pod_with_resources(
                    vec![c("best-effort", e(), e())],
                    list("10m", "10Mi"),
                    list("20m", "50Mi"),
                ),
                Burstable,
                true,
            ),
            (
                "burstable-with-pod-and-container-level-resources",
                pod_with_resources(
                    vec![c("burstable", list("5m", "10Mi"), list("5m", "10Mi"))],
                    list("10m", "10Mi"),
                    list("20m", "50Mi"),
                ),
                Burstable,
                true,
            ),
            (
                "burstable-with-pod-and-container-level-requests",
                pod_with_resources(
                    vec![c("burstable", list("5m", "10Mi"), e())],
                    list("10m", "10Mi"),
                    e(),
                ),
                Burstable,
                true,
            ),
            (
                "burstable-with-pod-and-container-level-resources-2",
                pod_with_resources(
                    vec![
                        c("burstable", list("5m", "10Mi"), e()),
                        c("guaranteed", list("5m", "10Mi"), list("5m", "10Mi")),
                    ],
                    list("10m", "10Mi"),
                    list("5m", ""),
                ),
                Burstable,
                true,
            ),
        ];
        assert_eq!(cases.len(), 20);
        for (name, p, expected, pod_level_enabled) in cases {
            let version = if pod_level_enabled {
                KubeVersion::LATEST
            } else {
                KubeVersion::new(1, 33)
            };
            assert_eq!(compute_qos(&p, version).class, expected, "{name}");
        }
    }

    /// TestCollectContainerLevelResources / TestCollectPodLevelResources (same file): the
    /// guaranteed-ness of each case, through the class it leads to.
    #[test]
    fn upstream_collect_resources_cases() {
        use QosClass::*;
        let e = || list("", "");
        // "cpu+mem limits present" with requests below limits: limits complete, not equal.
        let p = pod_with_resources(vec![], list("100m", "128Mi"), list("750m", "512Mi"));
        let q = compute_qos(&p, KubeVersion::LATEST);
        assert_eq!(q.class, Burstable);
        assert!(
            q.reason
                .contains("requests cpu 100m but its cpu limit is 750m"),
            "{}",
            q.reason
        );
        for (limits, missing) in [
            (list("750m", ""), "has no memory limit"),
            (list("", "512Mi"), "has no cpu limit"),
        ] {
            let p = pod_with_resources(vec![], list("100m", "128Mi"), limits);
            let q = compute_qos(&p, KubeVersion::LATEST);
            assert_eq!(q.class, Burstable);
            assert!(q.reason.contains(missing), "{}", q.reason);
        }
        // Zero requests are ignored; a missing memory limit stops Guaranteed.
        let p = pod(vec![c("c1", list("0", "0"), list("100m", ""))]);
        let q = compute_qos(&p, KubeVersion::LATEST);
        assert_eq!(
            (q.class, q.reason.as_str()),
            (Burstable, "container `c1` has no memory limit")
        );
        // Two containers and an init container, one without a cpu limit.
        let p = pod(vec![
            c("c1", list("100m", "100Mi"), list("200m", "300Mi")),
            c("c2", list("300m", "100Mi"), list("50m", "300Mi")),
            container(
                "init1",
                ContainerKind::Init,
                list("50m", "50Mi"),
                list("", "50Mi"),
            ),
        ]);
        let q = compute_qos(&p, KubeVersion::LATEST);
        assert_eq!(
            (q.class, q.reason.as_str()),
            (Burstable, "container `init1` (init) has no cpu limit")
        );
        // An ephemeral container is left out by pod_resources; a lone container decides.
        let p = pod(vec![c("c1", list("250m", "256Mi"), list("250m", "256Mi"))]);
        assert_eq!(compute_qos(&p, KubeVersion::LATEST).class, Guaranteed);
        let p = pod(vec![c("c1", e(), e())]);
        assert_eq!(compute_qos(&p, KubeVersion::LATEST).class, BestEffort);
    }

    #[test]
    fn reasons_name_the_container() {
        let p = pod(vec![
            c("app", list("1", "1Gi"), list("1", "1Gi")),
            container("migrate", ContainerKind::Init, list("", ""), list("", "")),
        ]);
        let q = compute_qos(&p, KubeVersion::LATEST);
        assert_eq!(q.class, QosClass::Burstable);
        assert_eq!(
            q.reason,
            "container `migrate` (init) has no cpu or memory limit"
        );
        let mut sidecar = container(
            "proxy",
            ContainerKind::Init,
            list("1", "1Gi"),
            list("2", "1Gi"),
        );
        sidecar.sidecar = true;
        let p = pod(vec![c("app", list("1", "1Gi"), list("1", "1Gi")), sidecar]);
        let q = compute_qos(&p, KubeVersion::LATEST);
        assert_eq!(
            q.reason,
            "container `proxy` (sidecar) requests cpu 1 but its cpu limit is 2"
        );
        let p = pod(vec![c("app", list("500m", "1Gi"), list("0.5", "1024Mi"))]);
        let q = compute_qos(&p, KubeVersion::LATEST);
        assert_eq!(
            q.class,
            QosClass::Guaranteed,
            "exact comparison: 500m == 0.5, 1Gi == 1024Mi"
        );
        let q = compute_qos(&pod(vec![]), KubeVersion::LATEST);
        assert_eq!(q.class, QosClass::BestEffort);
    }

    #[test]
    fn pod_level_resources_follow_the_version() {
        let e = || list("", "");
        let containers = vec![c("app", list("1", "1Gi"), list("1", "1Gi"))];
        // Set pod-level resources decide from 1.34 on; before, containers decide.
        let p = pod_with_resources(containers.clone(), list("1", "1Gi"), list("2", "2Gi"));
        assert_eq!(
            compute_qos(&p, KubeVersion::new(1, 33)).class,
            QosClass::Guaranteed
        );
        let q = compute_qos(&p, KubeVersion::new(1, 34));
        assert_eq!(q.class, QosClass::Burstable);
        assert!(q.pod_level);
        // An empty `spec.resources: {}` took the pod-level path before the 1.37 fix.
        let p = pod_with_resources(containers, e(), e());
        assert_eq!(
            compute_qos(&p, KubeVersion::new(1, 35)).class,
            QosClass::BestEffort
        );
        assert_eq!(
            compute_qos(&p, KubeVersion::new(1, 37)).class,
            QosClass::Guaranteed
        );
    }

    #[test]
    fn classes_order_and_parse() {
        assert!(QosClass::BestEffort < QosClass::Burstable);
        assert!(QosClass::Burstable < QosClass::Guaranteed);
        for class in [
            QosClass::BestEffort,
            QosClass::Burstable,
            QosClass::Guaranteed,
        ] {
            assert_eq!(QosClass::parse(class.as_str()), Some(class));
        }
        assert_eq!(QosClass::parse("guaranteed"), None);
        assert!(KubeVersion::new(1, 34).pod_level_resources());
        assert!(!KubeVersion::new(1, 33).pod_level_resources());
        assert_eq!(KubeVersion::LATEST.to_string(), "1.37");
    }
}
