//! Cases ported from the library's `policy/check_*_test.go` (reasons and details must match
//! word for word), and from `api/helpers_test.go` for label parsing.

use super::*;
use crate::load::parse_yaml;

/// Evaluates `yaml` (a Pod) at `level:version` and returns (check, reason, detail).
fn eval(yaml: &str, level: Level, version: PolicyVersion) -> Vec<(String, String, String)> {
    let loaded = parse_yaml(yaml);
    let doc = loaded.documents.first().expect("a document");
    let pod = Pod {
        doc,
        metadata: doc.get(doc.root, "metadata"),
        spec: doc.get(doc.root, "spec").expect("spec"),
    };
    evaluate(&pod, LevelVersion { level, version })
        .into_iter()
        .map(|v| (v.check.to_string(), v.reason, v.detail))
        .collect()
}

fn only(yaml: &str, level: Level, check: &str) -> (String, String) {
    let found = eval(yaml, level, PolicyVersion::Latest);
    let hit = found
        .iter()
        .find(|(c, _, _)| c == check)
        .unwrap_or_else(|| panic!("{check} did not deny: {found:?}"));
    (hit.1.clone(), hit.2.clone())
}

#[test]
fn allow_privilege_escalation_multiple_containers_and_windows() {
    let pod = "spec:\n  containers:\n  - name: a\n  - name: b\n    securityContext: {}\n  - name: c\n    securityContext: {allowPrivilegeEscalation: true}\n  - name: d\n    securityContext: {allowPrivilegeEscalation: false}\n";
    assert_eq!(
        only(pod, Level::Restricted, "allowPrivilegeEscalation"),
        (
            "allowPrivilegeEscalation != false".into(),
            "containers \"a\", \"b\", \"c\" must set securityContext.allowPrivilegeEscalation=false".into()
        )
    );
    let windows = "spec:\n  os: {name: windows}\n  containers:\n  - name: a\n";
    let checks: Vec<String> = eval(windows, Level::Restricted, PolicyVersion::V1(25))
        .into_iter()
        .map(|(c, _, _)| c)
        .collect();
    assert!(
        !checks.contains(&"allowPrivilegeEscalation".to_string()),
        "{checks:?}"
    );
    // Before v1.25 Windows pods are not exempt.
    let checks: Vec<String> = eval(windows, Level::Restricted, PolicyVersion::V1(24))
        .into_iter()
        .map(|(c, _, _)| c)
        .collect();
    assert!(
        checks.contains(&"allowPrivilegeEscalation".to_string()),
        "{checks:?}"
    );
}

#[test]
fn app_armor_annotations_and_fields() {
    let pod = "metadata:\n  annotations:\n    container.apparmor.security.beta.kubernetes.io/: bogus\n    container.apparmor.security.beta.kubernetes.io/a: ''\n    container.apparmor.security.beta.kubernetes.io/b: runtime/default\n    container.apparmor.security.beta.kubernetes.io/c: localhost/\n    container.apparmor.security.beta.kubernetes.io/d: localhost/foo\n    container.apparmor.security.beta.kubernetes.io/e: unconfined\n    container.apparmor.security.beta.kubernetes.io/f: unknown\nspec:\n  containers:\n  - name: a\n";
    assert_eq!(
        only(pod, Level::Baseline, "appArmorProfile"),
        (
            "forbidden AppArmor profiles".into(),
            "annotations must not set AppArmor profile type to \"container.apparmor.security.beta.kubernetes.io/=\"bogus\"\", \"container.apparmor.security.beta.kubernetes.io/e=\"unconfined\"\", \"container.apparmor.security.beta.kubernetes.io/f=\"unknown\"\"".into()
        )
    );
    let pod = "spec:\n  securityContext:\n    appArmorProfile: {type: Unconfined}\n  containers:\n  - name: a\n";
    assert_eq!(
        only(pod, Level::Baseline, "appArmorProfile"),
        (
            "forbidden AppArmor profile".into(),
            "pod must not set AppArmor profile type to \"Unconfined\"".into()
        )
    );
    let pod = "spec:\n  initContainers:\n  - name: bar\n    securityContext:\n      appArmorProfile: {type: Unconfined}\n";
    assert_eq!(
        only(pod, Level::Baseline, "appArmorProfile").1,
        "container \"bar\" must not set AppArmor profile type to \"Unconfined\""
    );
}

#[test]
fn capabilities_baseline_and_restricted() {
    let pod = "spec:\n  containers:\n  - name: a\n    securityContext: {capabilities: {add: [FOO, BAR]}}\n  - name: b\n    securityContext: {capabilities: {add: [BAZ]}}\n  - name: c\n    securityContext: {capabilities: {add: [CHOWN], drop: [ALL]}}\n";
    assert_eq!(
        eval(pod, Level::Baseline, PolicyVersion::Latest)
            .into_iter()
            .find(|(c, _, _)| c == "capabilities_baseline")
            .map(|(_, r, d)| (r, d)),
        Some((
            "non-default capabilities".into(),
            "containers \"a\", \"b\" must not include \"BAR\", \"BAZ\", \"FOO\" in securityContext.capabilities.add".into()
        ))
    );
    assert_eq!(
        only(pod, Level::Restricted, "capabilities_restricted"),
        (
            "unrestricted capabilities".into(),
            "containers \"a\", \"b\" must set securityContext.capabilities.drop=[\"ALL\"]; containers \"a\", \"b\", \"c\" must not include \"BAR\", \"BAZ\", \"CHOWN\", \"FOO\" in securityContext.capabilities.add".into()
        )
    );
    // capabilities_restricted replaces capabilities_baseline from v1.22 at restricted.
    let at = |minor| {
        eval(pod, Level::Restricted, PolicyVersion::V1(minor))
            .into_iter()
            .map(|(c, _, _)| c)
            .collect::<Vec<_>>()
    };
    assert!(at(21).contains(&"capabilities_baseline".to_string()));
    assert!(!at(21).contains(&"capabilities_restricted".to_string()));
    assert!(!at(22).contains(&"capabilities_baseline".to_string()));
    assert!(at(22).contains(&"capabilities_restricted".to_string()));
}

#[test]
fn host_namespaces_paths_and_ports() {
    let pod = "spec:\n  hostNetwork: true\n  hostPID: true\n  hostIPC: true\n  containers:\n  - name: a\n    ports: [{hostPort: 0}]\n  - name: b\n    ports: [{hostPort: 0}, {hostPort: 20}, {hostPort: 10}]\n  - name: c\n    ports: [{hostPort: 30}]\n  volumes:\n  - name: a\n    hostPath: {path: /a}\n  - name: b\n    hostPath: {path: /b}\n  - name: c\n    emptyDir: {}\n";
    assert_eq!(
        only(pod, Level::Baseline, "hostNamespaces"),
        (
            "host namespaces".into(),
            "hostNetwork=true, hostPID=true, hostIPC=true".into()
        )
    );
    assert_eq!(
        only(pod, Level::Baseline, "hostPathVolumes"),
        ("hostPath volumes".into(), "volumes \"a\", \"b\"".into())
    );
    assert_eq!(
        only(pod, Level::Baseline, "hostPorts"),
        (
            "hostPort".into(),
            "containers \"b\", \"c\" use hostPorts 10, 20, 30".into()
        )
    );
}

#[test]
fn host_probes_from_v1_34_only() {
    let pod = "spec:\n  containers:\n  - name: a\n    livenessProbe: {httpGet: {host: localhost, port: 80}}\n    readinessProbe: {tcpSocket: {host: 127.0.0.1, port: 80}}\n    startupProbe: {httpGet: {host: '::1', port: 80}}\n";
    assert_eq!(
        only(pod, Level::Baseline, "hostProbesAndHostLifecycle"),
        (
            "probe or lifecycle host".into(),
            "container \"a\" uses probe or lifecycle hosts \"127.0.0.1\", \"::1\", \"localhost\""
                .into()
        )
    );
    assert!(eval(pod, Level::Baseline, PolicyVersion::V1(33)).is_empty());
}

#[test]
fn privileged_proc_mount_and_user_namespaces() {
    let pod = "spec:\n  containers:\n  - name: a\n  - name: b\n    securityContext: {}\n  - name: c\n    securityContext: {privileged: false, procMount: Default}\n  - name: d\n    securityContext: {privileged: true, procMount: Unmasked}\n  - name: e\n    securityContext: {privileged: true, procMount: other}\n";
    assert_eq!(
        only(pod, Level::Baseline, "privileged"),
        (
            "privileged".into(),
            "containers \"d\", \"e\" must not set securityContext.privileged=true".into()
        )
    );
    assert_eq!(
        only(pod, Level::Baseline, "procMount"),
        (
            "procMount".into(),
            "containers \"d\", \"e\" must not set securityContext.procMount to \"Unmasked\", \"other\"".into()
        )
    );
    // From v1.35 baseline relaxes procMount in a user namespace; restricted does not.
    let userns = pod.replace("spec:\n", "spec:\n  hostUsers: false\n");
    let checks = |level, minor| {
        eval(&userns, level, PolicyVersion::V1(minor))
            .into_iter()
            .map(|(c, _, _)| c)
            .collect::<Vec<_>>()
    };
    assert!(checks(Level::Baseline, 34).contains(&"procMount".to_string()));
    assert!(!checks(Level::Baseline, 35).contains(&"procMount".to_string()));
    assert!(checks(Level::Restricted, 35).contains(&"procMount_restricted".to_string()));
    assert!(!checks(Level::Restricted, 35).contains(&"procMount".to_string()));
}

#[test]
fn run_as_non_root_and_run_as_user() {
    let implicit = "spec:\n  containers:\n  - name: a\n  - name: b\n    securityContext: {}\n";
    assert_eq!(
        only(implicit, Level::Restricted, "runAsNonRoot"),
        (
            "runAsNonRoot != true".into(),
            "pod or containers \"a\", \"b\" must set securityContext.runAsNonRoot=true".into()
        )
    );
    let explicit = "spec:\n  securityContext: {runAsNonRoot: true, runAsUser: 0}\n  containers:\n  - name: a\n  - name: b\n    securityContext: {runAsNonRoot: true}\n  - name: c\n    securityContext: {runAsNonRoot: false, runAsUser: 0}\n  - name: d\n    securityContext: {runAsNonRoot: false, runAsUser: 0}\n";
    assert_eq!(
        only(explicit, Level::Restricted, "runAsNonRoot").1,
        "containers \"c\", \"d\" must not set securityContext.runAsNonRoot=false"
    );
    assert_eq!(
        only(explicit, Level::Restricted, "runAsUser"),
        (
            "runAsUser=0".into(),
            "pod and containers \"c\", \"d\" must not set runAsUser=0".into()
        )
    );
    let pod_false = "spec:\n  securityContext: {runAsNonRoot: false}\n  containers:\n  - name: a\n";
    assert_eq!(
        only(pod_false, Level::Restricted, "runAsNonRoot").1,
        "pod must not set securityContext.runAsNonRoot=false"
    );
    // User namespaces relax both from v1.35.
    let userns = explicit.replace("spec:\n", "spec:\n  hostUsers: false\n");
    let at = |minor| {
        eval(&userns, Level::Restricted, PolicyVersion::V1(minor))
            .into_iter()
            .map(|(c, _, _)| c)
            .collect::<Vec<_>>()
    };
    assert!(at(34).contains(&"runAsUser".to_string()));
    assert!(!at(35).contains(&"runAsUser".to_string()));
    assert!(!at(35).contains(&"runAsNonRoot".to_string()));
    // runAsUser exists from v1.23.
    assert!(!at(22).contains(&"runAsUser".to_string()));
}

#[test]
fn se_linux_options() {
    let pod = "spec:\n  securityContext:\n    seLinuxOptions: {type: foo, user: u, role: r}\n  containers:\n  - name: a\n    securityContext: {seLinuxOptions: {type: container_t}}\n  - name: e\n    securityContext: {seLinuxOptions: {type: bar}}\n  - name: f\n    securityContext: {seLinuxOptions: {user: bar}}\n  - name: g\n    securityContext: {seLinuxOptions: {role: bar}}\n";
    assert_eq!(
        only(pod, Level::Baseline, "seLinuxOptions"),
        (
            "seLinuxOptions".into(),
            "pod and containers \"e\", \"f\", \"g\" set forbidden securityContext.seLinuxOptions: types \"bar\", \"foo\"; user may not be set; role may not be set".into()
        )
    );
    // container_engine_t is allowed from v1.31.
    let engine = "spec:\n  containers:\n  - name: a\n    securityContext: {seLinuxOptions: {type: container_engine_t}}\n";
    assert!(eval(engine, Level::Baseline, PolicyVersion::V1(31)).is_empty());
    assert_eq!(
        eval(engine, Level::Baseline, PolicyVersion::V1(30))
            .first()
            .map(|(_, _, d)| d.clone()),
        Some(
            "container \"a\" set forbidden securityContext.seLinuxOptions: type \"container_engine_t\""
                .into()
        )
    );
}

#[test]
fn seccomp_annotations_before_v1_19_fields_after() {
    let annotated = "metadata:\n  annotations:\n    seccomp.security.alpha.kubernetes.io/pod: unconfined\n    container.seccomp.security.alpha.kubernetes.io/a: unconfined\n    container.seccomp.security.alpha.kubernetes.io/b: unknown\n    container.seccomp.security.alpha.kubernetes.io/c: runtime/default\nspec:\n  containers:\n  - name: a\n  - name: b\n  - name: c\n";
    assert_eq!(
        eval(annotated, Level::Baseline, PolicyVersion::V1(18))
            .first()
            .map(|(c, r, d)| (c.clone(), r.clone(), d.clone())),
        Some((
            "seccompProfile_baseline".into(),
            "seccompProfile".into(),
            "forbidden annotations container.seccomp.security.alpha.kubernetes.io/a=\"unconfined\", container.seccomp.security.alpha.kubernetes.io/b=\"unknown\", seccomp.security.alpha.kubernetes.io/pod=\"unconfined\"".into()
        ))
    );
    assert!(eval(annotated, Level::Baseline, PolicyVersion::V1(19)).is_empty());
    let fields = "spec:\n  securityContext: {seccompProfile: {type: Unconfined}}\n  containers:\n  - name: a\n  - name: c\n    securityContext: {seccompProfile: {type: Unconfined}}\n  - name: d\n    securityContext: {seccompProfile: {type: Unconfined}}\n";
    assert_eq!(
        only(fields, Level::Baseline, "seccompProfile_baseline").1,
        "pod and containers \"c\", \"d\" must not set securityContext.seccompProfile.type to \"Unconfined\""
    );
    let unset = "spec:\n  containers:\n  - name: a\n  - name: b\n    securityContext: {seccompProfile: {type: RuntimeDefault}}\n  - name: c\n";
    assert_eq!(
        only(unset, Level::Restricted, "seccompProfile_restricted").1,
        "pod or containers \"a\", \"c\" must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\""
    );
}

#[test]
fn sysctls_per_version() {
    let pod = |name: &str| {
        format!(
            "spec:\n  securityContext:\n    sysctls:\n    - name: a\n    - name: {name}\n    - name: b\n  containers:\n  - name: c\n"
        )
    };
    let detail = |name: &str, minor| {
        eval(&pod(name), Level::Baseline, PolicyVersion::V1(minor))
            .first()
            .map(|(_, _, d)| d.clone())
    };
    assert_eq!(detail("kernel.shm_rmid_forced", 0), Some("a, b".into()));
    for (name, minor) in [
        ("net.ipv4.ip_local_reserved_ports", 27),
        ("net.ipv4.tcp_keepalive_time", 29),
        ("net.ipv4.tcp_fin_timeout", 29),
        ("net.ipv4.tcp_keepalive_intvl", 29),
        ("net.ipv4.tcp_keepalive_probes", 29),
        ("net.ipv4.tcp_rmem", 32),
        ("net.ipv4.tcp_wmem", 32),
        ("net.ipv4.tcp_slow_start_after_idle", 37),
        ("net.ipv4.tcp_notsent_lowat", 37),
    ] {
        assert_eq!(
            detail(name, minor - 1),
            Some(format!("a, {name}, b")),
            "{name} before v1.{minor}"
        );
        assert_eq!(
            detail(name, minor),
            Some("a, b".into()),
            "{name} at v1.{minor}"
        );
    }
}

#[test]
fn windows_host_process() {
    let pod = "spec:\n  securityContext: {windowsOptions: {hostProcess: true}}\n  containers:\n  - name: a\n  - name: b\n    securityContext: {windowsOptions: {hostProcess: false}}\n  - name: e\n    securityContext: {windowsOptions: {hostProcess: true}}\n  - name: f\n    securityContext: {windowsOptions: {hostProcess: true}}\n";
    assert_eq!(
        only(pod, Level::Baseline, "windowsHostProcess"),
        (
            "hostProcess".into(),
            "pod and containers \"e\", \"f\" must not set securityContext.windowsOptions.hostProcess=true".into()
        )
    );
}

#[test]
fn restricted_volumes_and_defaulted_volumes() {
    let pod = "spec:\n  containers:\n  - name: a\n  volumes:\n  - name: a\n  - name: b\n    emptyDir: {}\n  - name: c\n    nfs: {server: x, path: /}\n  - name: d\n    hostPath: {path: /}\n  - name: e\n    emptyDir:\n";
    assert_eq!(
        only(pod, Level::Restricted, "restrictedVolumes"),
        (
            "restricted volume types".into(),
            "volumes \"c\", \"d\" use restricted volume types \"hostPath\", \"nfs\"".into()
        )
    );
    // restrictedVolumes replaces hostPathVolumes at restricted.
    assert!(
        !eval(pod, Level::Restricted, PolicyVersion::Latest)
            .iter()
            .any(|(c, _, _)| c == "hostPathVolumes")
    );
}

#[test]
fn checks_run_in_the_library_order() {
    let ids = check_ids_for(LevelVersion {
        level: Level::Restricted,
        version: PolicyVersion::Latest,
    });
    assert_eq!(
        ids,
        [
            "appArmorProfile",
            "hostNamespaces",
            "hostPorts",
            "hostProbesAndHostLifecycle",
            "privileged",
            "seLinuxOptions",
            "sysctls",
            "windowsHostProcess",
            "allowPrivilegeEscalation",
            "capabilities_restricted",
            "procMount_restricted",
            "restrictedVolumes",
            "runAsNonRoot",
            "runAsUser",
            "seccompProfile_restricted",
        ]
    );
    assert!(
        check_ids_for(LevelVersion {
            level: Level::Privileged,
            version: PolicyVersion::Latest,
        })
        .is_empty()
    );
}

#[test]
fn version_labels_parse_as_the_library_parses_them() {
    assert_eq!(
        PolicyVersion::parse_label("latest"),
        Some(PolicyVersion::Latest)
    );
    assert_eq!(
        PolicyVersion::parse_label("v1.0"),
        Some(PolicyVersion::V1(0))
    );
    assert_eq!(
        PolicyVersion::parse_label("v1.30"),
        Some(PolicyVersion::V1(30))
    );
    for bad in [
        "v1.030", "1.30", "v2.0", "v1.", "v1.3a", "Latest", "", "v1.-1",
    ] {
        assert_eq!(PolicyVersion::parse_label(bad), None, "{bad}");
    }
    assert_eq!(
        PolicyVersion::parse_param("1.30"),
        Some(PolicyVersion::V1(30))
    );
    assert!(PolicyVersion::V1(99) < PolicyVersion::Latest);
    assert_eq!(Level::parse("Restricted"), None);
}

#[test]
fn policy_to_evaluate() {
    let (p, errs) = Policy::from_labels(
        [
            ("pod-security.kubernetes.io/enforce", "restricted"),
            ("pod-security.kubernetes.io/enforce-version", "v1.25"),
        ],
        Policy::privileged(),
    );
    assert!(errs.is_empty());
    assert_eq!(p.enforce.to_string(), "restricted:v1.25");
    // Warn follows a stricter enforce, with its version.
    assert_eq!(p.warn.to_string(), "restricted:v1.25");
    assert_eq!(p.audit.to_string(), "privileged:latest");
    let (p, errs) = Policy::from_labels(
        [
            ("pod-security.kubernetes.io/enforce", "strict"),
            ("pod-security.kubernetes.io/warn", "bad"),
            ("pod-security.kubernetes.io/audit-version", "1.2"),
        ],
        Policy::privileged(),
    );
    assert_eq!(p.enforce.level, Level::Restricted);
    // An invalid enforce level does not make warn follow it; an invalid warn fails open.
    assert_eq!(p.warn.level, Level::Privileged);
    assert_eq!(p.audit.version, PolicyVersion::Latest);
    let keys: Vec<&str> = errs.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "pod-security.kubernetes.io/enforce",
            "pod-security.kubernetes.io/audit-version",
            "pod-security.kubernetes.io/warn"
        ]
    );
}
