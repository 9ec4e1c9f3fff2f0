//! The probe model: the shared view of liveness, readiness and startup probes that the probe
//! rules (`src/rules/probes/`) read, and which workloads are expected to have probes at all.
//!
//! Kubernetes semantics followed here (kubernetes/kubernetes):
//! - `pkg/apis/core/v1/defaults.go` `SetDefaults_Probe`: `timeoutSeconds` 0 → 1, `periodSeconds`
//!   0 → 10, `successThreshold` 0 → 1, `failureThreshold` 0 → 3; `SetDefaults_HTTPGetAction`:
//!   `path` "" → "/", `scheme` "" → `HTTP`. Validation runs on the defaulted object.
//! - `pkg/apis/core/validation/validation.go`: `validateProbe` (the handler, then every number
//!   non-negative, `terminationGracePeriodSeconds` > 0), `validateLivenessProbe` and
//!   `validateStartupProbe` (`successThreshold` must be 1), `validateReadinessProbe` (no
//!   `terminationGracePeriodSeconds`), `validateHandler` (exactly one of `exec`, `httpGet`,
//!   `tcpSocket`, `grpc`: "must specify a handler type", "may not specify more than 1 handler
//!   type"; only the first handler is validated further), `validateExecAction` (`command`
//!   required), `validateHTTPGetAction` (`ValidatePortNumOrName`, scheme `HTTP`/`HTTPS`,
//!   `IsHTTPHeaderName`), `validateGRPCAction` (an int32 port), `validateInitContainers` (probes
//!   only on init containers with `restartPolicy: Always`), `allowedEphemeralContainerFields`
//!   (no probes on ephemeral containers).
//! - `staging/src/k8s.io/apimachinery/pkg/util/validation/validation.go`: `IsValidPortNum`
//!   (1-65535), `IsValidPortName` (at most 15 characters of `[-a-z0-9]`, at least one letter,
//!   no `--`, no leading or trailing `-`), `IsHTTPHeaderName` (`[-A-Za-z0-9]+`).
//! - `staging/src/k8s.io/apimachinery/pkg/util/intstr`: a port written as a JSON string
//!   (`port: "8080"` in YAML) is an IntOrString of type String, that is a port *name*; since a
//!   name needs a letter, the API server rejects it. (The kubelet's `extractPort` would fall back
//!   to `strconv.Atoi`, but such a probe never gets past validation.)
//! - `pkg/probe/util.go` `ResolveContainerPort` / `findPortByName` (formerly in
//!   `pkg/kubelet/prober/prober.go`): a named probe port is looked up in the probed container's
//!   own `ports`, by exact name, and resolves to its `containerPort`; a name that is not found
//!   (and is not a number) is an error, which the prober records as a failed probe.

use crate::finding::Severity;
use crate::load::scalar::ScalarValue;
use crate::load::{Document, NodeId};
use crate::model::names::{is_template_placeholder, port_name};
use crate::model::{ContainerKind, ContainerRef, Object, PodSpecRef, is_builtin_group};
use crate::source::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ProbeKind {
    Liveness,
    Readiness,
    Startup,
}

impl ProbeKind {
    pub(crate) const ALL: [ProbeKind; 3] = [
        ProbeKind::Liveness,
        ProbeKind::Readiness,
        ProbeKind::Startup,
    ];

    pub(crate) fn field(self) -> &'static str {
        match self {
            ProbeKind::Liveness => "livenessProbe",
            ProbeKind::Readiness => "readinessProbe",
            ProbeKind::Startup => "startupProbe",
        }
    }
}

/// A probe set on a container (a `null` value counts as unset, as it does for the API).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ProbeEntry {
    pub kind: ProbeKind,
    pub key: NodeId,
    pub value: NodeId,
}

pub(crate) fn is_null(doc: &Document, node: NodeId) -> bool {
    doc.scalar(node)
        .is_some_and(|s| matches!(s.value(), ScalarValue::Null))
}

pub(crate) fn probe_entry(
    doc: &Document,
    container: NodeId,
    kind: ProbeKind,
) -> Option<ProbeEntry> {
    let entry = doc.entry(container, kind.field())?;
    (!is_null(doc, entry.value)).then_some(ProbeEntry {
        kind,
        key: entry.key,
        value: entry.value,
    })
}

/// How long the pods of a pod spec run, which decides whether they need probes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lifetime {
    /// Controllers that keep pods running and usually put them behind a Service.
    LongRunning,
    /// Jobs, CronJobs, bare pods with `restartPolicy: Never/OnFailure`, training jobs, workflow
    /// steps: readiness means nothing and a liveness probe is rarely wanted.
    RunToCompletion,
    /// Knative Serving injects a default readiness probe into every revision.
    DefaultReadiness,
    /// A custom resource kubeward does not know.
    Unknown,
}

/// Custom kinds that run services, (group, kind). Their pod templates are asked for probes.
const LONG_RUNNING_CUSTOM_KINDS: &[(&str, &str)] = &[
    ("argoproj.io", "Rollout"),
    ("apps.kruise.io", "CloneSet"),
    ("apps.kruise.io", "StatefulSet"),
    ("apps.kruise.io", "DaemonSet"),
    ("apps.openshift.io", "DeploymentConfig"),
    ("game.kruise.io", "GameServerSet"),
];

/// Knative Serving fills in a TCP readiness probe on the serving port when none is given.
const DEFAULT_READINESS_CUSTOM_KINDS: &[(&str, &str)] = &[
    ("serving.knative.dev", "Service"),
    ("serving.knative.dev", "Configuration"),
    ("serving.knative.dev", "Revision"),
];

/// Groups whose every kind runs to completion (training operators, pipelines).
const RUN_TO_COMPLETION_GROUPS: &[&str] = &[
    "kubeflow.org",
    "batch.tensorstack.dev",
    "batch.volcano.sh",
    "sparkoperator.k8s.io",
    "tekton.dev",
];

/// Single run-to-completion kinds in groups that also hold other kinds.
const RUN_TO_COMPLETION_CUSTOM_KINDS: &[(&str, &str)] = &[
    ("argoproj.io", "Workflow"),
    ("argoproj.io", "CronWorkflow"),
    ("argoproj.io", "WorkflowTemplate"),
    ("argoproj.io", "ClusterWorkflowTemplate"),
    ("argoproj.io", "AnalysisRun"),
    ("argoproj.io", "AnalysisTemplate"),
    ("argoproj.io", "ClusterAnalysisTemplate"),
    ("argoproj.io", "Experiment"),
    ("apps.kruise.io", "BroadcastJob"),
    ("apps.kruise.io", "AdvancedCronJob"),
    ("apps.kruise.io", "ImagePullJob"),
    ("ray.io", "RayJob"),
    ("keda.sh", "ScaledJob"),
];

/// A Helm or Argo CD hook (`helm.sh/hook: test`, `argocd.argoproj.io/hook: PreSync`): a pod
/// that runs once around an install or a sync.
fn is_hook(object: &Object, doc: &Document) -> bool {
    doc.get_path(object.node, &["metadata", "annotations"])
        .is_some_and(|a| {
            doc.get(a, "helm.sh/hook").is_some() || doc.get(a, "argocd.argoproj.io/hook").is_some()
        })
}

fn group_is(group: &str, listed: &str) -> bool {
    group == listed || group.ends_with(&format!(".{listed}"))
}

pub(crate) fn pod_lifetime(object: &Object, doc: &Document, pod: &PodSpecRef) -> Lifetime {
    let (group, kind) = (object.group.as_str(), object.kind.as_str());
    let listed =
        |table: &[(&str, &str)]| table.iter().any(|(g, k)| *k == kind && group_is(group, g));
    // The tables first: some custom groups end in `.k8s.io` (`sparkoperator.k8s.io`).
    if listed(LONG_RUNNING_CUSTOM_KINDS) {
        return Lifetime::LongRunning;
    }
    if listed(DEFAULT_READINESS_CUSTOM_KINDS) {
        return Lifetime::DefaultReadiness;
    }
    if listed(RUN_TO_COMPLETION_CUSTOM_KINDS)
        || RUN_TO_COMPLETION_GROUPS.iter().any(|g| group_is(group, g))
    {
        return Lifetime::RunToCompletion;
    }
    if is_builtin_group(group) {
        match kind {
            "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "ReplicationController"
            // OpenShift 3's DeploymentConfig was served as `apiVersion: v1`.
            | "DeploymentConfig" => return Lifetime::LongRunning,
            "Job" | "CronJob" => return Lifetime::RunToCompletion,
            "Pod" if is_hook(object, doc) => return Lifetime::RunToCompletion,
            "Pod" => {
                return match doc.get_str(pod.node, "restartPolicy") {
                    Some("Never" | "OnFailure") => Lifetime::RunToCompletion,
                    // Unset is defaulted to Always (SetDefaults_PodSpec).
                    _ => Lifetime::LongRunning,
                };
            }
            _ => {}
        }
    }
    if ["Job", "JobSet", "Workflow", "Run"]
        .iter()
        .any(|suffix| kind.ends_with(suffix))
    {
        Lifetime::RunToCompletion
    } else {
        Lifetime::Unknown
    }
}

/// Containers the API server lets have probes: regular containers and sidecar init containers.
pub(crate) fn may_have_probes(doc: &Document, container: &ContainerRef) -> bool {
    match container.kind {
        ContainerKind::Regular => true,
        ContainerKind::Init => container.is_sidecar(doc),
        ContainerKind::Ephemeral => false,
    }
}

/// Containers that serve: regular containers, and sidecars that declare ports.
pub(crate) fn serves_traffic(doc: &Document, container: &ContainerRef) -> bool {
    match container.kind {
        ContainerKind::Regular => true,
        ContainerKind::Init => {
            container.is_sidecar(doc)
                && doc
                    .get(container.node, "ports")
                    .is_some_and(|p| !doc.items(p).is_empty())
        }
        ContainerKind::Ephemeral => false,
    }
}

/// Where a finding about a whole container points: its `name`, else its first line.
pub(crate) fn container_span(doc: &Document, container: &ContainerRef) -> Span {
    if let Some(name) = doc.get(container.node, "name") {
        return doc.span(name);
    }
    match doc.entries(container.node).first() {
        Some(first) => doc.span(first.key),
        None => doc.span(container.node),
    }
}

/// `container `web`` (or `container #2` when unnamed), for messages.
pub(crate) fn container_label(doc: &Document, container: &ContainerRef) -> String {
    let what = match container.kind {
        ContainerKind::Regular => "container",
        ContainerKind::Init if container.is_sidecar(doc) => "sidecar container",
        ContainerKind::Init => "init container",
        ContainerKind::Ephemeral => "ephemeral container",
    };
    match container.name(doc) {
        Some(name) => format!("{what} `{name}`"),
        None => format!("{what} #{}", container.index + 1),
    }
}

/// A probe port as the API reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PortKey {
    Number(i64),
    Name(String),
}

impl PortKey {
    fn describe(&self) -> String {
        match self {
            PortKey::Number(n) => n.to_string(),
            PortKey::Name(name) => format!("`{name}`"),
        }
    }
}

/// A probe's handler after defaulting, for comparing probes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Handler {
    Exec(Vec<String>),
    HttpGet {
        path: String,
        port: PortKey,
        host: String,
        scheme: String,
        headers: Vec<(String, String)>,
    },
    TcpSocket {
        port: PortKey,
        host: String,
    },
    Grpc {
        port: i64,
        service: String,
    },
}

impl Handler {
    pub(crate) fn describe(&self) -> String {
        match self {
            Handler::Exec(command) => format!("exec `{}`", command.join(" ")),
            Handler::HttpGet { path, port, .. } => {
                format!("httpGet {path} on port {}", port.describe())
            }
            Handler::TcpSocket { port, .. } => format!("tcpSocket on port {}", port.describe()),
            Handler::Grpc { port, .. } => format!("grpc on port {port}"),
        }
    }

    /// The same handler with named ports resolved through the container's declared ports.
    pub(crate) fn resolved(&self, ports: &DeclaredPorts) -> Handler {
        let resolve = |port: &PortKey| match port {
            PortKey::Name(name) => ports
                .by_name(name)
                .map_or_else(|| port.clone(), PortKey::Number),
            PortKey::Number(_) => port.clone(),
        };
        match self {
            Handler::HttpGet {
                path,
                port,
                host,
                scheme,
                headers,
            } => Handler::HttpGet {
                path: path.clone(),
                port: resolve(port),
                host: host.clone(),
                scheme: scheme.clone(),
                headers: headers.clone(),
            },
            Handler::TcpSocket { port, host } => Handler::TcpSocket {
                port: resolve(port),
                host: host.clone(),
            },
            other => other.clone(),
        }
    }
}

/// A valid probe after defaulting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Normalized {
    pub handler: Handler,
    pub initial_delay_seconds: i64,
    pub timeout_seconds: i64,
    pub period_seconds: i64,
    pub success_threshold: i64,
    pub failure_threshold: i64,
}

/// Something wrong with a probe that the API server rejects (error) or that cannot work as
/// meant (warning).
#[derive(Debug, Clone)]
pub(crate) struct ProbeProblem {
    pub node: NodeId,
    pub severity: Severity,
    pub message: String,
    pub help: String,
    pub related: Option<(NodeId, String)>,
}

/// The port a probe's handler uses, when it is a valid port.
#[derive(Debug, Clone)]
pub(crate) struct ProbePort {
    pub node: NodeId,
    pub port: PortKey,
}

#[derive(Debug, Default)]
pub(crate) struct Inspection {
    pub problems: Vec<ProbeProblem>,
    /// `Some` when the probe is valid and fully known (no placeholders).
    pub normalized: Option<Normalized>,
    pub port: Option<ProbePort>,
}

/// The ports a container declares.
#[derive(Debug, Default)]
pub(crate) struct DeclaredPorts {
    pub named: Vec<(String, i64)>,
    pub numbers: Vec<i64>,
    /// Some `containerPort` is a placeholder or not a number: the list is not fully known.
    pub incomplete: bool,
}

impl DeclaredPorts {
    pub(crate) fn of(doc: &Document, container: NodeId) -> DeclaredPorts {
        let mut declared = DeclaredPorts::default();
        let Some(list) = doc.get(container, "ports") else {
            return declared;
        };
        for port in doc.items(list) {
            let number = doc.get(*port, "containerPort").and_then(|n| {
                match doc.scalar(n).map(|s| s.value()) {
                    Some(ScalarValue::Int(i)) => Some(i),
                    _ => None,
                }
            });
            match number {
                Some(n) => declared.numbers.push(n),
                None => declared.incomplete = true,
            }
            if let (Some(name), Some(n)) = (doc.get_str(*port, "name"), number) {
                declared.named.push((name.to_string(), n));
            }
        }
        declared
    }

    pub(crate) fn by_name(&self, name: &str) -> Option<i64> {
        self.named.iter().find(|(n, _)| n == name).map(|(_, p)| *p)
    }

    pub(crate) fn has_name(&self, name: &str) -> bool {
        self.named.iter().any(|(n, _)| n == name)
    }
}

const HANDLERS: [&str; 4] = ["exec", "httpGet", "tcpSocket", "grpc"];

/// An int32 field of a probe.
enum IntField {
    Absent,
    Value(i64, NodeId),
    Unknown,
}

struct Inspector<'d> {
    doc: &'d Document,
    port_required: bool,
    partial: bool,
    out: Inspection,
    unknown: bool,
}

impl<'d> Inspector<'d> {
    fn problem(&mut self, node: NodeId, severity: Severity, message: String, help: &str) {
        self.out.problems.push(ProbeProblem {
            node,
            severity,
            message,
            help: help.to_string(),
            related: None,
        });
    }

    fn error(&mut self, node: NodeId, message: String, help: &str) {
        self.problem(node, Severity::Error, message, help);
    }

    /// A scalar string (any non-null scalar reads as its text), or `None` after reporting.
    fn string(&mut self, map: NodeId, key: &str) -> Option<&'d str> {
        let node = self.doc.get(map, key)?;
        if is_null(self.doc, node) {
            return None;
        }
        match self.doc.scalar(node) {
            Some(s) => {
                if is_template_placeholder(s.text) {
                    self.unknown = true;
                }
                Some(s.text)
            }
            None => {
                self.error(
                    node,
                    format!("`{key}` must be a string"),
                    "the API server cannot decode this probe",
                );
                None
            }
        }
    }

    fn int(&mut self, map: NodeId, key: &str) -> IntField {
        let doc = self.doc;
        let Some(node) = doc.get(map, key) else {
            return IntField::Absent;
        };
        let Some(scalar) = doc.scalar(node) else {
            self.error(
                node,
                format!("`{key}` must be an integer"),
                "write a whole number of seconds (or a count for thresholds)",
            );
            return IntField::Unknown;
        };
        let value = match scalar.value() {
            ScalarValue::Null => return IntField::Absent,
            ScalarValue::Int(i) => Some(i),
            ScalarValue::BigInt => Some(i64::MAX),
            // YAML is converted to JSON before decoding: 10.0 becomes 10.
            ScalarValue::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => Some(f as i64),
            _ => None,
        };
        if is_template_placeholder(scalar.text) {
            self.unknown = true;
            return IntField::Unknown;
        }
        match value {
            Some(i) if i32::try_from(i).is_ok() => IntField::Value(i, node),
            Some(_) => {
                self.error(
                    node,
                    format!(
                        "`{key}` is {}, which does not fit the API's 32-bit integer",
                        scalar.text
                    ),
                    "use a realistic number of seconds",
                );
                IntField::Unknown
            }
            None => {
                let quoted = if scalar.style.is_quoted() {
                    " (it is quoted, so it is a string)"
                } else {
                    ""
                };
                self.error(
                    node,
                    format!(
                        "`{key}` must be an integer, not `{}`{quoted}: the API server cannot \
                         decode the probe",
                        scalar.text
                    ),
                    "write a plain whole number, e.g. `periodSeconds: 10`",
                );
                IntField::Unknown
            }
        }
    }

    /// An IntOrString port (`httpGet.port`, `tcpSocket.port`), checked as
    /// `ValidatePortNumOrName` does.
    fn int_or_string_port(
        &mut self,
        handler_key: NodeId,
        map: NodeId,
        handler: &str,
    ) -> Option<PortKey> {
        let doc = self.doc;
        let node = match doc.get(map, "port") {
            Some(node) if !is_null(doc, node) => node,
            _ if !self.port_required => {
                self.unknown = true;
                return None;
            }
            _ => {
                self.error(
                    handler_key,
                    format!("`{handler}` has no `port`: the API server rejects the probe"),
                    "set `port` to the container port number or to the name of a declared port",
                );
                return None;
            }
        };
        let Some(scalar) = doc.scalar(node) else {
            self.error(
                node,
                "a probe port must be a number or a port name".to_string(),
                "write `port: 8080` or `port: http`",
            );
            return None;
        };
        if is_template_placeholder(scalar.text) {
            self.unknown = true;
            return None;
        }
        let text = scalar.text;
        let port = match scalar.value() {
            ScalarValue::Int(n) => PortKey::Number(n),
            ScalarValue::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
                PortKey::Number(f as i64)
            }
            ScalarValue::BigInt => PortKey::Number(i64::MAX),
            ScalarValue::String => PortKey::Name(text.to_string()),
            _ => {
                self.error(
                    node,
                    format!("probe port `{text}` is neither a port number nor a port name"),
                    "write `port: 8080` or `port: http`",
                );
                return None;
            }
        };
        match &port {
            PortKey::Number(n) if !(1..=65535).contains(n) => {
                self.error(
                    node,
                    format!("probe port {text} is out of range: a port number is 1 to 65535"),
                    "use the port the container listens on",
                );
                return None;
            }
            PortKey::Name(name) => {
                if !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit()) {
                    self.error(
                        node,
                        format!(
                            "probe port \"{name}\" is a string, so the API server reads it as a \
                             port name, and a port name must contain a letter: the probe is \
                             rejected"
                        ),
                        &format!("write the number without quotes: `port: {name}`"),
                    );
                    return None;
                }
                if let Some(reason) = port_name(name) {
                    self.error(
                        node,
                        format!("probe port name `{name}` is not a valid port name: {reason}"),
                        "use the `name` of one of the container's `ports` (lower case, at most 15 characters)",
                    );
                    return None;
                }
            }
            PortKey::Number(_) => {}
        }
        self.out.port = Some(ProbePort {
            node,
            port: port.clone(),
        });
        Some(port)
    }

    fn handler(&mut self, name: &str, key: NodeId, value: NodeId) -> Option<Handler> {
        let doc = self.doc;
        if !doc.is_mapping(value) {
            self.error(
                value,
                format!("`{name}` must be a mapping"),
                "see `kubectl explain pod.spec.containers.livenessProbe`",
            );
            return None;
        }
        match name {
            "exec" => self.exec(key, value),
            "httpGet" => {
                let port = self.int_or_string_port(key, value, name);
                let path = self.string(value, "path").unwrap_or("/");
                let path = if path.is_empty() { "/" } else { path }.to_string();
                let host = self.string(value, "host").unwrap_or("").to_string();
                let scheme = match doc.get(value, "scheme") {
                    Some(node) if !is_null(doc, node) => {
                        let scheme = doc.str(node).unwrap_or("");
                        if scheme != "HTTP" && scheme != "HTTPS" {
                            self.error(
                                node,
                                format!(
                                    "probe scheme `{scheme}` is not supported: the API server \
                                     accepts `HTTP` or `HTTPS` (upper case)"
                                ),
                                "write `scheme: HTTP` or `scheme: HTTPS`, or leave it out for HTTP",
                            );
                            return None;
                        }
                        scheme.to_string()
                    }
                    _ => "HTTP".to_string(),
                };
                let headers = self.headers(value);
                Some(Handler::HttpGet {
                    path,
                    port: port?,
                    host,
                    scheme,
                    headers: headers?,
                })
            }
            "tcpSocket" => {
                let port = self.int_or_string_port(key, value, name);
                let host = self.string(value, "host").unwrap_or("").to_string();
                Some(Handler::TcpSocket { port: port?, host })
            }
            "grpc" => {
                let port = self.grpc_port(key, value);
                let service = self.string(value, "service").unwrap_or("").to_string();
                Some(Handler::Grpc {
                    port: port?,
                    service,
                })
            }
            _ => None,
        }
    }

    fn exec(&mut self, key: NodeId, value: NodeId) -> Option<Handler> {
        let doc = self.doc;
        let command = doc.get(value, "command").filter(|c| !is_null(doc, *c));
        let Some(command) = command else {
            if self.partial {
                self.unknown = true;
                return None;
            }
            self.error(
                key,
                "`exec` has no `command`: the API server rejects the probe".to_string(),
                "give the command to run as a list, e.g. `command: [\"pg_isready\", \"-U\", \"postgres\"]`",
            );
            return None;
        };
        if !doc.is_sequence(command) {
            self.error(
                command,
                "`exec.command` must be a list of strings (it is not run by a shell)".to_string(),
                "write `command: [\"sh\", \"-c\", \"...\"]` to use a shell",
            );
            return None;
        }
        let items = doc.items(command);
        if items.is_empty() {
            self.error(
                command,
                "`exec.command` is empty: the API server rejects the probe".to_string(),
                "give the command to run, e.g. `command: [\"cat\", \"/tmp/healthy\"]`",
            );
            return None;
        }
        let mut words = Vec::with_capacity(items.len());
        for item in items {
            match doc.scalar(*item) {
                Some(s) => words.push(s.text.to_string()),
                None => {
                    self.error(
                        *item,
                        "`exec.command` must be a list of strings".to_string(),
                        "quote each word of the command",
                    );
                    return None;
                }
            }
        }
        if let (Some(first), Some(first_node)) = (words.first(), items.first())
            && first.trim().is_empty()
        {
            self.problem(
                *first_node,
                Severity::Warning,
                "the probe command's first word is empty: the container runtime has no program \
                 to run, so the probe fails every time"
                    .to_string(),
                "put the program first, e.g. `command: [\"cat\", \"/tmp/healthy\"]`",
            );
        }
        Some(Handler::Exec(words))
    }

    fn grpc_port(&mut self, key: NodeId, value: NodeId) -> Option<i64> {
        let doc = self.doc;
        let node = match doc.get(value, "port") {
            Some(node) if !is_null(doc, node) => node,
            _ if !self.port_required => {
                self.unknown = true;
                return None;
            }
            _ => {
                self.error(
                    key,
                    "`grpc` has no `port`: the API server rejects the probe".to_string(),
                    "set `port` to the number of the container's gRPC port",
                );
                return None;
            }
        };
        let scalar = doc.scalar(node);
        if scalar.is_some_and(|s| is_template_placeholder(s.text)) {
            self.unknown = true;
            return None;
        }
        match scalar.map(|s| s.value()) {
            Some(ScalarValue::Int(n)) if (1..=65535).contains(&n) => {
                self.out.port = Some(ProbePort {
                    node,
                    port: PortKey::Number(n),
                });
                Some(n)
            }
            Some(ScalarValue::Int(n)) => {
                self.error(
                    node,
                    format!("gRPC probe port {n} is out of range: a port number is 1 to 65535"),
                    "use the port the gRPC server listens on",
                );
                None
            }
            _ => {
                let text = scalar.map(|s| s.text.to_string()).unwrap_or_default();
                self.error(
                    node,
                    format!(
                        "gRPC probe port `{text}` is not a number: `grpc.port` takes a port \
                         number only, never a name"
                    ),
                    "write the port number, e.g. `port: 9090`",
                );
                None
            }
        }
    }

    fn headers(&mut self, http: NodeId) -> Option<Vec<(String, String)>> {
        let doc = self.doc;
        let Some(list) = doc.get(http, "httpHeaders").filter(|l| !is_null(doc, *l)) else {
            return Some(Vec::new());
        };
        if !doc.is_sequence(list) {
            self.error(
                list,
                "`httpHeaders` must be a list of `{name, value}` mappings".to_string(),
                "write `httpHeaders: [{name: X-Custom-Header, value: Awesome}]`",
            );
            return None;
        }
        let mut headers = Vec::new();
        let mut ok = true;
        for item in doc.items(list) {
            let name = doc.get(*item, "name");
            let name_text = name.and_then(|n| doc.str(n)).unwrap_or("");
            let valid = !name_text.is_empty()
                && name_text
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-');
            if !valid {
                ok = false;
                let (node, message) = match name {
                    Some(node) if !name_text.is_empty() => (
                        node,
                        format!(
                            "HTTP header name `{name_text}` is not valid: the API server accepts \
                             letters, digits and `-` only"
                        ),
                    ),
                    Some(node) => (node, "an HTTP header has an empty name".to_string()),
                    None => (*item, "an HTTP header has no `name`".to_string()),
                };
                self.error(
                    node,
                    message,
                    "write a header name such as `X-Custom-Header`",
                );
                continue;
            }
            let value = doc.get_str(*item, "value").unwrap_or("").to_string();
            headers.push((name_text.to_string(), value));
        }
        ok.then_some(headers)
    }
}

/// What may be left out of a probe, depending on where it is.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Expect {
    /// Knative Serving fills in the serving port itself.
    pub port_required: bool,
    /// The container is a fragment: a kustomize / strategic-merge patch that names a container
    /// of a base manifest without repeating its `image`. Its probe is merged with the base's
    /// probe, so a handler, a port or a command may come from there.
    pub partial: bool,
}

impl Expect {
    pub(crate) fn of(doc: &Document, lifetime: Lifetime, container: &ContainerRef) -> Expect {
        Expect {
            port_required: lifetime != Lifetime::DefaultReadiness,
            partial: is_partial(doc, container),
        }
    }
}

/// A container without `image` cannot run (the API server requires it): it is a patch
/// fragment (or a broken manifest, which is not the probe rules' to report).
pub(crate) fn is_partial(doc: &Document, container: &ContainerRef) -> bool {
    doc.get(container.node, "image")
        .is_none_or(|image| is_null(doc, image))
}

/// Checks one probe as the API server validates it (after defaulting) and returns what is
/// wrong with it, and its defaulted form when it is valid and fully known.
pub(crate) fn inspect(doc: &Document, probe: &ProbeEntry, expect: Expect) -> Inspection {
    let field = probe.kind.field();
    let mut ins = Inspector {
        doc,
        port_required: expect.port_required && !expect.partial,
        partial: expect.partial,
        out: Inspection::default(),
        unknown: false,
    };
    if !doc.is_mapping(probe.value) {
        ins.error(
            probe.value,
            format!("`{field}` must be a mapping holding a handler and its timings"),
            "see `kubectl explain pod.spec.containers.livenessProbe`",
        );
        return ins.out;
    }
    // In document order, so the finding points at the handler that came second.
    let mut handlers: Vec<(&str, NodeId, NodeId)> = HANDLERS
        .iter()
        .filter_map(|name| {
            let entry = doc.entry(probe.value, name)?;
            (!is_null(doc, entry.value)).then_some((*name, entry.key, entry.value))
        })
        .collect();
    handlers.sort_by_key(|(_, key, _)| doc.span(*key).start);
    let handler = match handlers.as_slice() {
        [] if ins.partial => {
            ins.unknown = true;
            None
        }
        [] => {
            ins.error(
                probe.key,
                format!(
                    "`{field}` has no handler: it needs exactly one of `httpGet`, `tcpSocket`, \
                     `exec` or `grpc`, and the API server rejects it without one"
                ),
                "add the check to run, e.g. `httpGet: {path: /healthz, port: 8080}`",
            );
            None
        }
        [(name, key, value)] => ins.handler(name, *key, *value),
        [(first, first_key, first_value), (second, second_key, _), ..] => {
            let names: Vec<String> = handlers.iter().map(|(n, _, _)| format!("`{n}`")).collect();
            ins.out.problems.push(ProbeProblem {
                node: *second_key,
                severity: Severity::Error,
                message: format!(
                    "`{field}` has more than one handler ({}): the API server rejects it \
                     (\"may not specify more than 1 handler type\")",
                    names.join(", ")
                ),
                help: format!("keep one check: remove `{second}` or `{first}`"),
                related: Some((*first_key, "first handler".to_string())),
            });
            // Like the API server, only the first handler is validated further.
            let _ = ins.handler(first, *first_key, *first_value);
            None
        }
    };

    let initial_delay = ins.int(probe.value, "initialDelaySeconds");
    let timeout = ins.int(probe.value, "timeoutSeconds");
    let period = ins.int(probe.value, "periodSeconds");
    let success = ins.int(probe.value, "successThreshold");
    let failure = ins.int(probe.value, "failureThreshold");
    let mut numbers = [
        ("initialDelaySeconds", initial_delay, 0),
        ("timeoutSeconds", timeout, 1),
        ("periodSeconds", period, 10),
        ("successThreshold", success, 1),
        ("failureThreshold", failure, 3),
    ]
    .map(|(key, field, default)| (key, field, default, None::<i64>));
    for (key, value, default, defaulted) in numbers.iter_mut() {
        match value {
            IntField::Value(v, node) if *v < 0 => {
                let (v, node) = (*v, *node);
                ins.error(
                    node,
                    format!("`{key}` is {v}: the API server rejects negative values"),
                    "use 0 or more (0 means the default)",
                );
            }
            // SetDefaults_Probe: 0 means unset (initialDelaySeconds stays 0).
            IntField::Value(0, _) | IntField::Absent => *defaulted = Some(*default),
            IntField::Value(v, _) => *defaulted = Some(*v),
            IntField::Unknown => {}
        }
    }
    let [
        (_, _, _, initial_delay),
        (_, timeout_field, _, timeout),
        (_, _, _, period),
        (_, success_field, _, success),
        (_, _, _, failure),
    ] = numbers;

    if probe.kind != ProbeKind::Readiness
        && let (Some(s), IntField::Value(_, node)) = (success, success_field)
        && s != 1
    {
        ins.error(
            node,
            format!(
                "`{field}` has `successThreshold: {s}`, but liveness and startup probes must use \
                 1: the API server rejects any other value"
            ),
            "remove `successThreshold` (or set it to 1); only readiness probes may require \
             several successes",
        );
    }

    if let Some(node) = doc
        .get(probe.value, "terminationGracePeriodSeconds")
        .filter(|n| !is_null(doc, *n))
    {
        if probe.kind == ProbeKind::Readiness {
            ins.error(
                node,
                "`terminationGracePeriodSeconds` must not be set on a readiness probe: the API \
                 server rejects it (a failing readiness probe never kills the container)"
                    .to_string(),
                "remove it, or move it to the liveness or startup probe",
            );
        } else if let IntField::Value(v, node) =
            ins.int(probe.value, "terminationGracePeriodSeconds")
            && v <= 0
        {
            ins.error(
                node,
                format!(
                    "`terminationGracePeriodSeconds` is {v}: the API server requires more than 0"
                ),
                "give the container at least 1 second, or remove it to use the pod's",
            );
        }
    }

    if let (Some(t), Some(p), IntField::Value(_, node)) = (timeout, period, timeout_field)
        && t > p
    {
        let period_text = if period_field_is_set(doc, probe.value) {
            format!("`periodSeconds` {p}")
        } else {
            format!("the default `periodSeconds` of {p}")
        };
        ins.problem(
            node,
            Severity::Warning,
            format!(
                "`timeoutSeconds` {t} is longer than {period_text}: a slow probe delays the next \
                 one, so failures are noticed much later than the period suggests"
            ),
            "keep `timeoutSeconds` at or below `periodSeconds`",
        );
    }

    let valid = !ins
        .out
        .problems
        .iter()
        .any(|p| p.severity == Severity::Error);
    if valid
        && !ins.unknown
        && let (Some(handler), Some(i), Some(t), Some(p), Some(s), Some(f)) =
            (handler, initial_delay, timeout, period, success, failure)
    {
        ins.out.normalized = Some(Normalized {
            handler,
            initial_delay_seconds: i,
            timeout_seconds: t,
            period_seconds: p,
            success_threshold: s,
            failure_threshold: f,
        });
    }
    ins.out
}

fn period_field_is_set(doc: &Document, probe: NodeId) -> bool {
    doc.get(probe, "periodSeconds").is_some_and(|n| {
        doc.scalar(n)
            .is_some_and(|s| matches!(s.value(), ScalarValue::Int(i) if i > 0))
    })
}

#[cfg(test)]
mod tests;
