//! `pod-security`: the Pod Security Standards, per namespace, as the PodSecurity admission
//! controller applies them (checks in [`crate::model::pod_security`]).
//!
//! Which policy applies to a pod spec (pod-security-admission `admission/admission.go`):
//! - its namespace's `pod-security.kubernetes.io/<mode>[-version]` labels, when a Namespace of
//!   the linted files sets any (`api.PolicyToEvaluate`; modes without a label are
//!   `privileged`, the admission configuration's default). `enforce` denies Pods (an error);
//!   for workloads with a pod template admission evaluates only `warn` and `audit`
//!   (`ValidatePodController`), so the workload is admitted and then its controller cannot
//!   create a single pod (an error too, said so); `warn` and `audit` are warnings. This
//!   per-namespace severity is the exception to "a rule's configured severity applies to every
//!   finding": a configured severity caps it, `off` switches the rule off.
//! - otherwise the rule's parameters `level` (default `baseline`) and `version` (default
//!   `latest`), at the rule's severity (default warning).
//!
//! Exemptions (`exemptions: {namespaces, runtimeClasses}`) are the admission configuration's;
//! user exemptions cannot apply offline. Namespace labels that `ParseLevel`/`ParseVersion`
//! reject are reported (the API server refuses to create such a Namespace). Pod templates in
//! custom resources are checked too, kubeward's extension (admission never sees them).
//!
//! `host-network`, `privileged-container` and `run-as-root` are aliases of the checks
//! `hostNamespaces`, `privileged` and `runAsUser` ([`ALIASES`]): they report nothing of their
//! own; suppressing an alias hides that check's findings, switching it off drops them.

use std::collections::HashMap;

use super::{HasRuleId, Rule, RuleParams};
use crate::finding::{Finding, Severity};
use crate::load::{Document, NodeId, NodeKind};
use crate::model::pod_security::{
    self, InvalidLabel, LABEL_PREFIX, Level, LevelVersion, Pod, Policy, PolicyVersion, Violation,
};
use crate::model::{Object, PodSpecRef, Workspace};
use crate::rule_id::{RuleId, RuleName};

pub(crate) const ID: RuleId = <PodSecurity as HasRuleId>::ID;

/// Former rules that now name one check of `pod-security`: (alias, check id).
pub(crate) const ALIASES: &[(RuleId, &str)] = &[
    (<HostNetworkAlias as HasRuleId>::ID, "hostNamespaces"),
    (<PrivilegedContainerAlias as HasRuleId>::ID, "privileged"),
    (<RunAsRootAlias as HasRuleId>::ID, "runAsUser"),
];

/// The check a `pod-security` finding is about (its message names it as `check <id>:`).
pub(crate) fn check_of(finding: &Finding) -> Option<&str> {
    if finding.rule != RuleName::Builtin(ID) {
        return None;
    }
    let (_, rest) = finding.message.split_once(" check ")?;
    rest.split_once(':').map(|(check, _)| check)
}

/// Whether `alias` (e.g. `host-network`) names the check of this `pod-security` finding.
pub(crate) fn alias_selects(alias: &str, finding: &Finding) -> bool {
    check_of(finding).is_some_and(|check| {
        ALIASES
            .iter()
            .any(|(a, c)| a.as_str() == alias && *c == check)
    })
}

pub(crate) struct PodSecurity {
    /// The policy for namespaces without pod-security labels.
    default: LevelVersion,
    exempt_namespaces: Vec<String>,
    exempt_runtime_classes: Vec<String>,
}

impl Default for PodSecurity {
    fn default() -> Self {
        PodSecurity {
            default: LevelVersion {
                level: Level::Baseline,
                version: PolicyVersion::Latest,
            },
            exempt_namespaces: Vec::new(),
            exempt_runtime_classes: Vec::new(),
        }
    }
}

fn string_list(value: &serde_json::Value, what: &str) -> Result<Vec<String>, String> {
    let items = value
        .as_array()
        .ok_or_else(|| format!("rule `{ID}`: `{what}` must be a list of names, not {value}"))?;
    items
        .iter()
        .map(|item| {
            item.as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("rule `{ID}`: `{what}` must be a list of names, not {item}"))
        })
        .collect()
}

impl Rule for PodSecurity {
    fn configure(&mut self, params: &RuleParams) -> Result<(), String> {
        for (key, value) in params {
            match key.as_str() {
                "level" => {
                    let text = value.as_str().unwrap_or_default();
                    self.default.level = Level::parse(text).ok_or_else(|| {
                        format!("rule `{ID}`: `level` must be one of privileged, baseline, restricted, not {value}")
                    })?;
                }
                "version" => {
                    let text = value.as_str().unwrap_or_default();
                    self.default.version = PolicyVersion::parse_param(text).ok_or_else(|| {
                        format!("rule `{ID}`: `version` must be \"latest\" or a version such as \"1.30\" (or \"v1.30\"), not {value}")
                    })?;
                }
                "exemptions" => {
                    let map = value.as_object().ok_or_else(|| {
                        format!("rule `{ID}`: `exemptions` must be a mapping with `namespaces` and `runtimeClasses`, not {value}")
                    })?;
                    for (what, list) in map {
                        match what.as_str() {
                            "namespaces" => {
                                self.exempt_namespaces =
                                    string_list(list, "exemptions.namespaces")?;
                            }
                            "runtimeClasses" => {
                                self.exempt_runtime_classes =
                                    string_list(list, "exemptions.runtimeClasses")?;
                            }
                            "usernames" => {
                                return Err(format!(
                                    "rule `{ID}`: `exemptions.usernames` cannot apply offline (admission exempts requests by the user who makes them); exempt namespaces or runtime classes, or suppress the finding"
                                ));
                            }
                            other => {
                                return Err(format!(
                                    "rule `{ID}`: `exemptions` has no `{other}` (it takes `namespaces` and `runtimeClasses`)"
                                ));
                            }
                        }
                    }
                }
                other => {
                    return Err(format!(
                        "rule `{ID}` has no parameter `{other}` (it takes `level`, `version` and `exemptions`)"
                    ));
                }
            }
        }
        Ok(())
    }

    fn check_workspace(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        let namespaces = self.namespace_policies(ws, out);
        for spec in &ws.pod_specs {
            let Some(object) = ws.objects.get(spec.object) else {
                continue;
            };
            self.check_pod_spec(ws, object, spec, &namespaces, out);
        }
    }
}

/// A namespace that sets pod-security labels.
struct NamespacePolicy {
    policy: Policy,
}

/// How admission meets a pod spec.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Carrier<'a> {
    /// A Pod: enforce denies it.
    Pod,
    /// A built-in workload with a pod template (kind).
    Controller(&'a str),
    /// A PodTemplate object: nothing creates pods from it by itself.
    PodTemplate,
    /// A pod template found inside a custom resource (kind).
    Custom(&'a str),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Enforce,
    Warn,
    Audit,
    /// The rule's parameters, for a namespace without labels.
    Default,
}

impl PodSecurity {
    /// The policies of the namespaces the linted files label; reports invalid labels.
    fn namespace_policies(
        &self,
        ws: &Workspace,
        out: &mut Vec<Finding>,
    ) -> HashMap<String, NamespacePolicy> {
        let mut policies: HashMap<String, NamespacePolicy> = HashMap::new();
        for object in &ws.objects {
            if object.kind != "Namespace" || !object.group.is_empty() {
                continue;
            }
            let Some(name) = object.name.as_deref() else {
                continue;
            };
            let doc = ws.document(object);
            let labels: Vec<(&str, &str, NodeId)> = doc
                .get_path(object.node, &["metadata", "labels"])
                .filter(|l| doc.is_mapping(*l))
                .map(|l| {
                    doc.entries(l)
                        .iter()
                        .filter_map(|e| Some((doc.str(e.key)?, doc.str(e.value)?, e.value)))
                        .collect()
                })
                .unwrap_or_default();
            if !labels.iter().any(|(k, _, _)| k.starts_with(LABEL_PREFIX)) {
                continue;
            }
            let (policy, invalid) = Policy::from_labels(
                labels.iter().map(|(k, v, _)| (*k, *v)),
                Policy::privileged(),
            );
            for bad in &invalid {
                // The last occurrence of a key is the one the API server keeps.
                if let Some((_, _, node)) = labels.iter().rev().find(|(k, _, _)| *k == bad.key) {
                    out.push(invalid_label_finding(object, doc, *node, name, bad));
                }
            }
            if self.exempt_namespaces.iter().any(|n| n == name) {
                continue;
            }
            policies
                .entry(name.to_string())
                .or_insert(NamespacePolicy { policy });
        }
        policies
    }

    fn check_pod_spec(
        &self,
        ws: &Workspace,
        object: &Object,
        spec: &PodSpecRef,
        namespaces: &HashMap<String, NamespacePolicy>,
        out: &mut Vec<Finding>,
    ) {
        let doc = ws.document(object);
        let namespace = object.namespace.as_deref();
        if namespace.is_some_and(|ns| self.exempt_namespaces.iter().any(|n| n == ns)) {
            return;
        }
        if let Some(class) = doc.get_str(spec.node, "runtimeClassName")
            && self.exempt_runtime_classes.iter().any(|c| c == class)
        {
            return;
        }
        let carrier = if spec.structural {
            Carrier::Custom(&object.kind)
        } else if object.kind == "Pod" {
            Carrier::Pod
        } else if object.kind == "PodTemplate" {
            Carrier::PodTemplate
        } else {
            Carrier::Controller(&object.kind)
        };
        let pod = Pod {
            doc,
            metadata: pod_metadata(doc, object, spec, carrier),
            spec: spec.node,
        };
        let labelled = namespace.and_then(|ns| namespaces.get(ns).map(|p| (ns, p)));
        let modes: Vec<(Mode, LevelVersion)> = match labelled {
            Some((_, p)) => vec![
                (Mode::Enforce, p.policy.enforce),
                (Mode::Warn, p.policy.warn),
                (Mode::Audit, p.policy.audit),
            ],
            None => vec![(Mode::Default, self.default)],
        };
        // An API server evaluates at most its own policy version (`latest` on 1.33 is v1.33:
        // `NewEvaluator`'s emulation version): with an explicit `--kube-version`, newer
        // versions evaluate as that one.
        let newest = ws
            .options
            .kube_version
            .filter(|k| k.major == 1)
            .map(|k| PolicyVersion::V1(k.minor));
        let mut reported: Vec<&str> = Vec::new();
        for (mode, lv) in modes {
            let evaluated = LevelVersion {
                level: lv.level,
                version: newest.map_or(lv.version, |n| n.min(lv.version)),
            };
            for violation in pod_security::evaluate(&pod, evaluated) {
                if reported.contains(&violation.check) {
                    continue;
                }
                reported.push(violation.check);
                out.push(finding(object, carrier, namespace, mode, lv, &violation));
            }
        }
    }
}

/// The metadata beside the pod spec: the Pod's, or the template's (annotations matter to the
/// seccomp and AppArmor checks).
fn pod_metadata(
    doc: &Document,
    object: &Object,
    spec: &PodSpecRef,
    carrier: Carrier<'_>,
) -> Option<NodeId> {
    if carrier == Carrier::Pod {
        return doc.get(object.node, "metadata");
    }
    let parent_path = spec.path.rsplit_once('.').map_or("", |(parent, _)| parent);
    let parent = if parent_path.is_empty() {
        Some(object.node)
    } else {
        node_at(doc, object.node, parent_path)
    };
    parent.and_then(|p| doc.get(p, "metadata"))
}

/// The node at a dotted path with indexes (`spec.replicaSpecs.Worker.template`, `jobs[0].spec`).
fn node_at(doc: &Document, root: NodeId, path: &str) -> Option<NodeId> {
    let mut node = root;
    for segment in path.split('.') {
        let mut parts = segment.split('[');
        let key = parts.next().unwrap_or_default();
        if !key.is_empty() {
            node = doc.get(node, key)?;
        }
        for index in parts {
            let i: usize = index.strip_suffix(']')?.parse().ok()?;
            node = match doc.kind(node) {
                NodeKind::Sequence(items) => *items.get(i)?,
                _ => return None,
            };
        }
    }
    Some(node)
}

fn invalid_label_finding(
    object: &Object,
    doc: &Document,
    node: NodeId,
    namespace: &str,
    bad: &InvalidLabel,
) -> Finding {
    let mode = bad.key.strip_prefix(LABEL_PREFIX).unwrap_or(&bad.key);
    let fallback = if mode == "warn" || mode == "audit" {
        format!("{} (warn and audit fail open)", bad.fallback)
    } else {
        bad.fallback.clone()
    };
    Finding::new(
        ID,
        object.file,
        doc.span(node),
        format!(
            "label {}: {:?} of namespace {namespace:?} is invalid ({}): the PodSecurity admission controller refuses to create this Namespace, and on a namespace that already has it evaluates {mode} as {fallback}",
            bad.key, bad.value, bad.error
        ),
    )
    .severity(Severity::Error)
    .label("invalid pod-security label value")
    .help(if bad.error.starts_with("must be one of") {
        "use privileged, baseline or restricted"
    } else {
        "use \"latest\" or a policy version such as \"v1.30\""
    })
    .object(Some(object.identity()))
}

fn finding(
    object: &Object,
    carrier: Carrier<'_>,
    namespace: Option<&str>,
    mode: Mode,
    lv: LevelVersion,
    violation: &Violation,
) -> Finding {
    let ns = namespace.unwrap_or("");
    let source = match mode {
        Mode::Enforce => format!("enforced on namespace {ns:?}"),
        Mode::Warn => format!("warn label of namespace {ns:?}"),
        Mode::Audit => format!("audit label of namespace {ns:?}"),
        Mode::Default => match namespace {
            Some(ns) => format!(
                "the rule's level: namespace {ns:?} has no pod-security labels in the linted files"
            ),
            None => "the rule's level".to_string(),
        },
    };
    let verb = if mode == Mode::Enforce {
        "violates"
    } else {
        "would violate"
    };
    let consequence = match (mode, carrier) {
        (Mode::Enforce, Carrier::Pod) => "the API server rejects this Pod".to_string(),
        (Mode::Enforce, Carrier::Controller(kind)) => {
            let creator = match kind {
                "Deployment" => "its ReplicaSet cannot create a single pod".to_string(),
                "CronJob" => "its Jobs cannot create a single pod".to_string(),
                other => format!("the {other} controller cannot create a single pod"),
            };
            format!(
                "the {kind} is admitted (PodSecurity only warns about pod templates), but {creator}"
            )
        }
        (Mode::Enforce, Carrier::PodTemplate) => {
            "pods created from this PodTemplate in this namespace would be rejected".to_string()
        }
        (Mode::Enforce, Carrier::Custom(_)) => {
            "pods created from this template in this namespace would be rejected".to_string()
        }
        (Mode::Warn, _) => "admission returns a warning".to_string(),
        (Mode::Audit, _) => "admission records it in the audit log".to_string(),
        (Mode::Default, _) => String::new(),
    };
    let mut message = format!(
        "{verb} PodSecurity \"{lv}\" ({source}), {} check {}: {}",
        violation.check_level,
        violation.check,
        violation.reason_and_detail()
    );
    if !consequence.is_empty() {
        message.push_str("; ");
        message.push_str(&consequence);
    }
    if let Carrier::Custom(kind) = carrier {
        message.push_str(&format!(
            " (kubeward's extension: admission never sees the pod template of a {kind})"
        ));
    }
    let mut sites = violation.sites.iter();
    let first = sites.next();
    let span = first.map_or(object.kind_span, |s| s.span);
    let mut f = Finding::new(ID, object.file, span, message)
        .label(first.map_or_else(String::new, |s| s.label.clone()))
        .help(help(violation.check))
        .object(Some(object.identity()));
    for site in sites {
        f = f.related(object.file, site.span, site.label.clone());
    }
    let severity = match (mode, carrier) {
        (Mode::Enforce, Carrier::PodTemplate) => Some(Severity::Warning),
        (Mode::Enforce, _) => Some(Severity::Error),
        (Mode::Warn | Mode::Audit, _) => Some(Severity::Warning),
        (Mode::Default, _) => None,
    };
    if let Some(severity) = severity {
        f = f.severity(severity);
    }
    f
}

fn help(check: &str) -> &'static str {
    match check {
        "allowPrivilegeEscalation" => {
            "set securityContext.allowPrivilegeEscalation: false on every container"
        }
        "appArmorProfile" => {
            "use the AppArmor profile type RuntimeDefault or Localhost (or leave it unset)"
        }
        "capabilities_baseline" => {
            "add only capabilities of the default set (e.g. NET_BIND_SERVICE); drop the others"
        }
        "capabilities_restricted" => {
            "set securityContext.capabilities.drop: [\"ALL\"] on every container and add at most NET_BIND_SERVICE"
        }
        "hostNamespaces" => {
            "remove hostNetwork/hostPID/hostIPC (expose ports through a Service); run node agents in a namespace labelled privileged"
        }
        "hostPathVolumes" => {
            "use a persistentVolumeClaim, emptyDir, configMap or secret volume instead of hostPath"
        }
        "hostPorts" => "remove hostPort and expose the port through a Service",
        "hostProbesAndHostLifecycle" => {
            "remove `host` from the probe or lifecycle handler: it defaults to the pod's IP"
        }
        "privileged" => "remove privileged: true and add only the capabilities the process needs",
        "procMount" | "procMount_restricted" => {
            "remove securityContext.procMount (or set it to Default)"
        }
        "restrictedVolumes" => {
            "use only configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected or secret volumes"
        }
        "runAsNonRoot" => {
            "set securityContext.runAsNonRoot: true on the pod (or on every container) and build the image to run as a non-root user"
        }
        "runAsUser" => "set runAsUser to a non-zero UID",
        "seLinuxOptions" => {
            "leave seLinuxOptions.user and role unset and use an allowed type (container_t, container_init_t, container_kvm_t, container_engine_t)"
        }
        "seccompProfile_baseline" | "seccompProfile_restricted" => {
            "set securityContext.seccompProfile.type: RuntimeDefault on the pod (or Localhost with a profile)"
        }
        "sysctls" => "set only the safe sysctls, or none",
        "windowsHostProcess" => "remove windowsOptions.hostProcess: true",
        _ => "see the Pod Security Standards",
    }
}

/// `host-network`, `privileged-container`, `run-as-root`: aliases of one `pod-security`
/// check each ([`ALIASES`]). They report nothing of their own; suppressions and `off` naming
/// them act on that check's `pod-security` findings (`suppress.rs`, `registry.rs`).
#[derive(Default)]
pub(crate) struct HostNetworkAlias;

/// See [`HostNetworkAlias`].
#[derive(Default)]
pub(crate) struct PrivilegedContainerAlias;

/// See [`HostNetworkAlias`].
#[derive(Default)]
pub(crate) struct RunAsRootAlias;

impl Rule for HostNetworkAlias {}
impl Rule for PrivilegedContainerAlias {}
impl Rule for RunAsRootAlias {}
