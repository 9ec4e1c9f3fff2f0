use super::*;
use crate::load::parse_yaml;

const LONG_RUNNING: Expect = Expect {
    port_required: true,
    partial: false,
};
const KNATIVE: Expect = Expect {
    port_required: false,
    partial: false,
};

fn container(yaml: &str) -> Document {
    let loaded = parse_yaml(yaml);
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    loaded.documents.into_iter().next().expect("one document")
}

/// The problems of the container's liveness probe, as (severity, message).
fn liveness_problems(yaml: &str) -> Vec<(Severity, String)> {
    probe_problems(yaml, ProbeKind::Liveness)
}

fn probe_problems(yaml: &str, kind: ProbeKind) -> Vec<(Severity, String)> {
    let doc = container(yaml);
    let probe = probe_entry(&doc, doc.root, kind).expect("a probe");
    inspect(&doc, &probe, LONG_RUNNING)
        .problems
        .into_iter()
        .map(|p| (p.severity, p.message))
        .collect()
}

fn errors(yaml: &str) -> usize {
    liveness_problems(yaml)
        .iter()
        .filter(|(s, _)| *s == Severity::Error)
        .count()
}

// Ported from Kubernetes' TestValidateProbe (pkg/apis/core/validation/validation_test.go).
#[test]
fn validate_probe_cases() {
    let handler = "exec: {command: [echo]}";
    for ok in [
        format!("livenessProbe: {{{handler}, timeoutSeconds: 10, initialDelaySeconds: 0}}"),
        format!("livenessProbe: {{{handler}, timeoutSeconds: 0, initialDelaySeconds: 10}}"),
    ] {
        assert_eq!(errors(&ok), 0, "{ok}");
    }
    for bad in [
        "livenessProbe: {timeoutSeconds: 10, initialDelaySeconds: 10}".to_string(),
        format!("livenessProbe: {{{handler}, timeoutSeconds: 10, initialDelaySeconds: -10}}"),
        format!("livenessProbe: {{{handler}, timeoutSeconds: -10, initialDelaySeconds: 10}}"),
    ] {
        assert_eq!(errors(&bad), 1, "{bad}");
    }
    let both =
        format!("livenessProbe: {{{handler}, timeoutSeconds: -10, initialDelaySeconds: -10}}");
    assert_eq!(errors(&both), 2, "{both}");
}

// Ported from Kubernetes' TestValidateHandler.
#[test]
fn validate_handler_cases() {
    for ok in [
        "exec: {command: [echo]}",
        "httpGet: {path: /, port: 1, host: ''}",
        "httpGet: {path: /foo, port: 65535, host: host}",
        "httpGet: {path: /, port: port, host: ''}",
    ] {
        let yaml = format!("livenessProbe: {{{ok}}}");
        assert_eq!(errors(&yaml), 0, "{yaml}");
    }
    for bad in [
        "",
        "exec: {command: []}",
        "httpGet: {path: '', port: 0, host: ''}",
        "httpGet: {path: /foo, port: 65536, host: host}",
        "httpGet: {path: '', port: '', host: ''}",
    ] {
        let yaml = format!("livenessProbe: {{{bad}}}");
        assert_eq!(errors(&yaml), 1, "{yaml}");
    }
}

#[test]
fn success_threshold_must_be_one_after_defaulting_except_for_readiness() {
    let probe = |kind: &str, threshold: &str| {
        format!("{kind}: {{tcpSocket: {{port: 80}}, successThreshold: {threshold}}}")
    };
    assert_eq!(
        errors(&probe("livenessProbe", "0")),
        0,
        "0 is defaulted to 1"
    );
    assert_eq!(errors(&probe("livenessProbe", "1")), 0);
    assert_eq!(errors(&probe("livenessProbe", "2")), 1);
    // A negative value is one problem, not two.
    assert_eq!(errors(&probe("livenessProbe", "-1")), 1);
    assert_eq!(
        probe_problems(&probe("startupProbe", "2"), ProbeKind::Startup).len(),
        1
    );
    assert!(probe_problems(&probe("readinessProbe", "2"), ProbeKind::Readiness).is_empty());
}

#[test]
fn timeout_above_period_is_a_warning_after_defaulting() {
    let warnings = |yaml: &str| {
        liveness_problems(yaml)
            .into_iter()
            .filter(|(s, _)| *s == Severity::Warning)
            .count()
    };
    let probe = |extra: &str| format!("livenessProbe: {{tcpSocket: {{port: 80}}{extra}}}");
    assert_eq!(
        warnings(&probe(", timeoutSeconds: 11")),
        1,
        "default period 10"
    );
    assert_eq!(warnings(&probe(", timeoutSeconds: 10")), 0);
    assert_eq!(warnings(&probe(", timeoutSeconds: 5, periodSeconds: 4")), 1);
    assert_eq!(
        warnings(&probe(", periodSeconds: 1")),
        0,
        "default timeout 1"
    );
    // Negative values are errors; no warning is derived from them.
    assert_eq!(
        warnings(&probe(", timeoutSeconds: 5, periodSeconds: -1")),
        0
    );
}

#[test]
fn quoted_numbers_are_port_names_and_rejected() {
    let problems = liveness_problems("livenessProbe: {httpGet: {path: /, port: '8080'}}");
    assert_eq!(problems.len(), 1);
    assert!(problems[0].1.contains("a port name must contain a letter"));
    // Plain YAML 1.1 integers are numbers, whatever their notation.
    assert_eq!(errors("livenessProbe: {tcpSocket: {port: 0x1F90}}"), 0);
    // Placeholders are left alone.
    assert_eq!(errors("livenessProbe: {tcpSocket: {port: '${PORT}'}}"), 0);
}

#[test]
fn probes_are_normalized_with_defaults() {
    let doc = container(
        "ports: [{name: http, containerPort: 8080}]\n\
         livenessProbe: {httpGet: {port: http}}\n\
         readinessProbe: {httpGet: {path: /, port: 8080, scheme: HTTP}, periodSeconds: 10, \
         timeoutSeconds: 1, successThreshold: 1, failureThreshold: 3}\n",
    );
    let norm = |kind| {
        let probe = probe_entry(&doc, doc.root, kind).expect("probe");
        inspect(&doc, &probe, LONG_RUNNING)
            .normalized
            .expect("valid")
    };
    let (live, ready) = (norm(ProbeKind::Liveness), norm(ProbeKind::Readiness));
    assert_eq!(live.period_seconds, 10);
    assert_eq!(live.failure_threshold, 3);
    assert_ne!(live.handler, ready.handler, "a name is not a number");
    let ports = DeclaredPorts::of(&doc, doc.root);
    assert_eq!(
        live.handler.resolved(&ports),
        ready.handler.resolved(&ports)
    );
}

#[test]
fn knative_fills_in_the_port() {
    let doc = container("livenessProbe: {httpGet: {path: /healthz}}");
    let probe = probe_entry(&doc, doc.root, ProbeKind::Liveness).expect("probe");
    assert!(inspect(&doc, &probe, KNATIVE).problems.is_empty());
    assert_eq!(inspect(&doc, &probe, LONG_RUNNING).problems.len(), 1);
}

fn lifetime_of(api_version: &str, kind: &str, yaml: &str) -> Lifetime {
    let doc = container(yaml);
    let group = api_version
        .rsplit_once('/')
        .map(|(g, _)| g.to_string())
        .unwrap_or_default();
    let object = Object {
        file: 0,
        document: 0,
        node: doc.root,
        api_version: api_version.to_string(),
        kind: kind.to_string(),
        group,
        name: None,
        namespace: None,
        kind_span: Span::new(0, 0),
    };
    let pod = PodSpecRef {
        object: 0,
        node: doc.get(doc.root, "spec").unwrap_or(doc.root),
        path: "spec".to_string(),
        structural: false,
    };
    pod_lifetime(&object, &doc, &pod)
}

#[test]
fn lifetimes() {
    let empty = "spec: {}";
    for (api, kind) in [
        ("apps/v1", "Deployment"),
        ("apps/v1", "StatefulSet"),
        ("apps/v1", "DaemonSet"),
        ("apps/v1", "ReplicaSet"),
        ("v1", "ReplicationController"),
        ("v1", "Pod"),
        ("argoproj.io/v1alpha1", "Rollout"),
        ("apps.kruise.io/v1alpha1", "CloneSet"),
        ("apps.kruise.io/v1beta1", "StatefulSet"),
        ("apps.openshift.io/v1", "DeploymentConfig"),
    ] {
        assert_eq!(
            lifetime_of(api, kind, empty),
            Lifetime::LongRunning,
            "{kind}"
        );
    }
    for (api, kind) in [
        ("batch/v1", "Job"),
        ("batch/v1", "CronJob"),
        ("kubeflow.org/v1", "PyTorchJob"),
        ("kubeflow.org/v1", "TFJob"),
        ("kubeflow.org/v2beta1", "MPIJob"),
        ("trainer.kubeflow.org/v1alpha1", "TrainJob"),
        ("batch.tensorstack.dev/v1beta1", "PyTorchTrainingJob"),
        ("batch.tensorstack.dev/v1beta1", "DeepSpeedJob"),
        ("batch.volcano.sh/v1alpha1", "Job"),
        ("sparkoperator.k8s.io/v1beta2", "SparkApplication"),
        ("argoproj.io/v1alpha1", "Workflow"),
        ("argoproj.io/v1alpha1", "AnalysisRun"),
        ("tekton.dev/v1", "TaskRun"),
        ("keda.sh/v1alpha1", "ScaledJob"),
        ("apps.kruise.io/v1alpha1", "BroadcastJob"),
        ("example.com/v1", "NightlyJob"),
    ] {
        assert_eq!(
            lifetime_of(api, kind, empty),
            Lifetime::RunToCompletion,
            "{kind}"
        );
    }
    assert_eq!(
        lifetime_of("serving.knative.dev/v1", "Service", empty),
        Lifetime::DefaultReadiness
    );
    assert_eq!(
        lifetime_of("example.com/v1", "Widget", empty),
        Lifetime::Unknown
    );
    assert_eq!(
        lifetime_of("v1", "Pod", "spec: {restartPolicy: Never}"),
        Lifetime::RunToCompletion
    );
    assert_eq!(
        lifetime_of("v1", "Pod", "spec: {restartPolicy: OnFailure}"),
        Lifetime::RunToCompletion
    );
    assert_eq!(
        lifetime_of(
            "v1",
            "Pod",
            "metadata: {annotations: {helm.sh/hook: test}}\nspec: {}"
        ),
        Lifetime::RunToCompletion
    );
}

#[test]
fn patch_fragments_may_leave_out_what_the_base_has() {
    let doc = container("name: web\nlivenessProbe: {initialDelaySeconds: 30, httpGet: {path: /}}");
    let probe = probe_entry(&doc, doc.root, ProbeKind::Liveness).expect("probe");
    let fragment = Expect {
        port_required: true,
        partial: true,
    };
    let inspection = inspect(&doc, &probe, fragment);
    assert!(inspection.problems.is_empty());
    assert!(inspection.normalized.is_none(), "never complete");
    assert_eq!(inspect(&doc, &probe, LONG_RUNNING).problems.len(), 1);
}

#[test]
fn numbers_must_fit_int32() {
    let problems = liveness_problems(
        "livenessProbe: {tcpSocket: {port: 80}, periodSeconds: 99999999999999999999}",
    );
    assert_eq!(problems.len(), 1);
    assert!(problems[0].1.contains("does not fit"), "{problems:?}");
    assert_eq!(
        errors("livenessProbe: {tcpSocket: {port: 80}, periodSeconds: 2147483648}"),
        1
    );
    assert_eq!(
        errors("livenessProbe: {tcpSocket: {port: 80}, periodSeconds: 2147483647}"),
        0
    );
}
