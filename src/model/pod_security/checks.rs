//! The checks, one function per `CheckPod` of the library's `policy/check_*.go` (named after
//! the Go function: `run_as_non_root_1_35` is `runAsNonRoot1_35`). Reasons and details are the
//! library's strings (`policy/check_*_test.go` has them); each violation also lists the
//! offending fields' spans.

use std::collections::BTreeSet;

use super::{Pod, Site, boolean, integer, mapping, sequence, string};
use crate::load::{Document, NodeId};

/// A denied check: the library's reason and detail, and where.
pub(super) struct Denied {
    pub(super) reason: String,
    pub(super) detail: String,
    pub(super) sites: Vec<Site>,
}

fn denied(
    reason: impl Into<String>,
    detail: impl Into<String>,
    sites: Vec<Site>,
) -> Option<Denied> {
    Some(Denied {
        reason: reason.into(),
        detail: detail.into(),
        sites,
    })
}

// `policy/helpers.go`.

/// `joinQuote`: `"a", "b"`, no escaping.
fn join_quote<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    let items: Vec<String> = items.into_iter().map(|s| s.as_ref().to_string()).collect();
    if items.is_empty() {
        return String::new();
    }
    format!("\"{}\"", items.join("\", \""))
}

fn pluralize(singular: &'static str, plural: &'static str, count: usize) -> &'static str {
    if count == 1 { singular } else { plural }
}

/// `relaxPolicyForUserNamespacePod`: `hostUsers: false`.
fn in_user_namespace(pod: &Pod<'_>) -> bool {
    matches!(boolean(pod.doc, pod.spec, "hostUsers"), Some((false, _)))
}

/// `podSpec.OS != nil && podSpec.OS.Name == corev1.Windows`.
fn is_windows(pod: &Pod<'_>) -> bool {
    mapping(pod.doc, pod.spec, "os")
        .and_then(|os| string(pod.doc, os, "name"))
        .is_some_and(|(name, _)| name == "windows")
}

/// Go's `%q` of a string (the cases manifests hold: quotes, backslashes, control characters).
fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A container (`policy/visitor.go` order: init containers, containers, ephemeral containers).
struct Container {
    node: NodeId,
    /// `name`, `""` when unset.
    name: String,
    /// `securityContext`, when it is a mapping.
    security_context: Option<NodeId>,
}

fn containers(pod: &Pod<'_>) -> Vec<Container> {
    let doc = pod.doc;
    ["initContainers", "containers", "ephemeralContainers"]
        .into_iter()
        .flat_map(|field| sequence(doc, pod.spec, field).iter().copied())
        .filter(|c| doc.is_mapping(*c))
        .map(|node| Container {
            node,
            name: string(doc, node, "name").map_or("", |(n, _)| n).to_string(),
            security_context: mapping(doc, node, "securityContext"),
        })
        .collect()
}

fn pod_security_context(pod: &Pod<'_>) -> Option<NodeId> {
    mapping(pod.doc, pod.spec, "securityContext")
}

/// A value that breaks a check.
fn at(doc: &Document, node: NodeId, label: impl Into<String>) -> Site {
    Site {
        span: doc.span(node),
        label: label.into(),
    }
}

/// A container that lacks a required field: its `name` value, else the whole container.
fn at_container(doc: &Document, c: &Container, label: impl Into<String>) -> Site {
    let node = doc.get(c.node, "name").unwrap_or(c.node);
    at(doc, node, label)
}

/// The annotations of the pod metadata, in file order (a later duplicate key wins in Go).
fn annotations<'d>(pod: &Pod<'d>) -> Vec<(&'d str, &'d str, NodeId)> {
    let doc = pod.doc;
    let Some(map) = pod.metadata.and_then(|m| mapping(doc, m, "annotations")) else {
        return Vec::new();
    };
    let mut out: Vec<(&str, &str, NodeId)> = Vec::new();
    for entry in doc.entries(map) {
        let (Some(key), Some(value)) = (doc.str(entry.key), doc.str(entry.value)) else {
            continue;
        };
        out.retain(|(k, _, _)| *k != key);
        out.push((key, value, entry.value));
    }
    out
}

fn annotation<'d>(pod: &Pod<'d>, key: &str) -> Option<(&'d str, NodeId)> {
    annotations(pod)
        .into_iter()
        .find(|(k, _, _)| *k == key)
        .map(|(_, v, n)| (v, n))
}

// check_allowPrivilegeEscalation.go

pub(super) fn allow_privilege_escalation_1_8(pod: &Pod<'_>) -> Option<Denied> {
    let doc = pod.doc;
    let mut bad = Vec::new();
    let mut sites = Vec::new();
    for c in containers(pod) {
        match c
            .security_context
            .and_then(|sc| boolean(doc, sc, "allowPrivilegeEscalation"))
        {
            Some((false, _)) => continue,
            Some((true, node)) => sites.push(at(doc, node, "allowPrivilegeEscalation is true")),
            None => sites.push(at_container(
                doc,
                &c,
                "does not set securityContext.allowPrivilegeEscalation: false",
            )),
        }
        bad.push(c.name);
    }
    if bad.is_empty() {
        return None;
    }
    denied(
        "allowPrivilegeEscalation != false",
        format!(
            "{} {} must set securityContext.allowPrivilegeEscalation=false",
            pluralize("container", "containers", bad.len()),
            join_quote(&bad)
        ),
        sites,
    )
}

pub(super) fn allow_privilege_escalation_1_25(pod: &Pod<'_>) -> Option<Denied> {
    if is_windows(pod) {
        return None;
    }
    allow_privilege_escalation_1_8(pod)
}

// check_appArmorProfile.go

fn allowed_app_armor_type(t: &str) -> bool {
    matches!(t, "RuntimeDefault" | "Localhost")
}

fn allowed_app_armor_annotation(v: &str) -> bool {
    v.is_empty() || v == "runtime/default" || v.starts_with("localhost/")
}

/// A `seccompProfile`/`appArmorProfile` mapping's `type` (`""` when unset) and where to point.
fn profile_type(doc: &Document, profile: NodeId) -> (&str, NodeId) {
    string(doc, profile, "type").unwrap_or(("", profile))
}

pub(super) fn app_armor_profile_1_0(pod: &Pod<'_>) -> Option<Denied> {
    let doc = pod.doc;
    let mut setters: Vec<String> = Vec::new();
    let mut values: BTreeSet<String> = BTreeSet::new();
    let mut sites = Vec::new();
    if let Some(profile) =
        pod_security_context(pod).and_then(|sc| mapping(doc, sc, "appArmorProfile"))
    {
        let (t, node) = profile_type(doc, profile);
        if !allowed_app_armor_type(t) {
            setters.push("pod".to_string());
            values.insert(t.to_string());
            sites.push(at(doc, node, "forbidden AppArmor profile type"));
        }
    }
    let mut bad = Vec::new();
    for c in containers(pod) {
        if let Some(profile) = c
            .security_context
            .and_then(|sc| mapping(doc, sc, "appArmorProfile"))
        {
            let (t, node) = profile_type(doc, profile);
            if !allowed_app_armor_type(t) {
                values.insert(t.to_string());
                sites.push(at(doc, node, "forbidden AppArmor profile type"));
                bad.push(c.name);
            }
        }
    }
    if !bad.is_empty() {
        setters.push(format!(
            "{} {}",
            pluralize("container", "containers", bad.len()),
            join_quote(&bad)
        ));
    }
    let mut forbidden: Vec<String> = Vec::new();
    for (key, value, node) in annotations(pod) {
        if key.starts_with("container.apparmor.security.beta.kubernetes.io/")
            && !allowed_app_armor_annotation(value)
        {
            forbidden.push(format!("{key}={}", go_quote(value)));
            sites.push(at(doc, node, "forbidden AppArmor profile annotation"));
        }
    }
    let mut value_list: Vec<String> = values.into_iter().collect();
    if !forbidden.is_empty() {
        forbidden.sort();
        setters.push(pluralize("annotation", "annotations", forbidden.len()).to_string());
        value_list.extend(forbidden);
    }
    if setters.is_empty() {
        return None;
    }
    denied(
        pluralize(
            "forbidden AppArmor profile",
            "forbidden AppArmor profiles",
            value_list.len(),
        ),
        format!(
            "{} must not set AppArmor profile type to {}",
            setters.join(" and "),
            join_quote(&value_list)
        ),
        sites,
    )
}

// check_capabilities_baseline.go

const CAPABILITIES_ALLOWED_1_0: &[&str] = &[
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
];

/// A container's `capabilities` mapping.
fn capabilities(doc: &Document, c: &Container) -> Option<NodeId> {
    c.security_context
        .and_then(|sc| mapping(doc, sc, "capabilities"))
}

/// The items of a capability list, with their text (`""` for a non-string item).
fn capability_list<'d>(doc: &'d Document, caps: NodeId, key: &str) -> Vec<(&'d str, NodeId)> {
    sequence(doc, caps, key)
        .iter()
        .map(|n| (doc.str(*n).unwrap_or(""), *n))
        .collect()
}

pub(super) fn capabilities_baseline_1_0(pod: &Pod<'_>) -> Option<Denied> {
    let doc = pod.doc;
    let mut bad = Vec::new();
    let mut non_default: BTreeSet<String> = BTreeSet::new();
    let mut sites = Vec::new();
    for c in containers(pod) {
        let Some(caps) = capabilities(doc, &c) else {
            continue;
        };
        let mut valid = true;
        for (cap, node) in capability_list(doc, caps, "add") {
            if !CAPABILITIES_ALLOWED_1_0.contains(&cap) {
                valid = false;
                non_default.insert(cap.to_string());
                sites.push(at(doc, node, "not in the default capability set"));
            }
        }
        if !valid {
            bad.push(c.name);
        }
    }
    if bad.is_empty() {
        return None;
    }
    denied(
        "non-default capabilities",
        format!(
            "{} {} must not include {} in securityContext.capabilities.add",
            pluralize("container", "containers", bad.len()),
            join_quote(&bad),
            join_quote(&non_default)
        ),
        sites,
    )
}

// check_capabilities_restricted.go

pub(super) fn capabilities_restricted_1_22(pod: &Pod<'_>) -> Option<Denied> {
    let doc = pod.doc;
    let mut missing_drop_all = Vec::new();
    let mut adding_forbidden = Vec::new();
    let mut forbidden: BTreeSet<String> = BTreeSet::new();
    let mut sites = Vec::new();
    for c in containers(pod) {
        let Some(caps) = capabilities(doc, &c) else {
            sites.push(at_container(
                doc,
                &c,
                "does not set securityContext.capabilities.drop: [\"ALL\"]",
            ));
            missing_drop_all.push(c.name);
            continue;
        };
        if !capability_list(doc, caps, "drop")
            .iter()
            .any(|(cap, _)| *cap == "ALL")
        {
            let node = doc.get(caps, "drop").filter(|n| doc.is_sequence(*n));
            let key = c
                .security_context
                .and_then(|sc| doc.key_span(sc, "capabilities"));
            sites.push(match (node, key) {
                (Some(drop), _) => at(doc, drop, "does not include \"ALL\""),
                (None, Some(span)) => Site {
                    span,
                    label: "does not set drop: [\"ALL\"]".to_string(),
                },
                (None, None) => at(doc, caps, "does not set drop: [\"ALL\"]"),
            });
            missing_drop_all.push(c.name.clone());
        }
        let mut added_forbidden = false;
        for (cap, node) in capability_list(doc, caps, "add") {
            if cap != "NET_BIND_SERVICE" {
                added_forbidden = true;
                forbidden.insert(cap.to_string());
                sites.push(at(doc, node, "only NET_BIND_SERVICE may be added"));
            }
        }
        if added_forbidden {
            adding_forbidden.push(c.name);
        }
    }
    let mut details = Vec::new();
    if !missing_drop_all.is_empty() {
        details.push(format!(
            "{} {} must set securityContext.capabilities.drop=[\"ALL\"]",
            pluralize("container", "containers", missing_drop_all.len()),
            join_quote(&missing_drop_all)
        ));
    }
    if !adding_forbidden.is_empty() {
        details.push(format!(
            "{} {} must not include {} in securityContext.capabilities.add",
            pluralize("container", "containers", adding_forbidden.len()),
            join_quote(&adding_forbidden),
            join_quote(&forbidden)
        ));
    }
    if details.is_empty() {
        return None;
    }
    denied("unrestricted capabilities", details.join("; "), sites)
}

pub(super) fn capabilities_restricted_1_25(pod: &Pod<'_>) -> Option<Denied> {
    if is_windows(pod) {
        return None;
    }
    capabilities_restricted_1_22(pod)
}

// check_hostNamespaces.go

pub(super) fn host_namespaces_1_0(pod: &Pod<'_>) -> Option<Denied> {
    let doc = pod.doc;
    let mut found = Vec::new();
    let mut sites = Vec::new();
    for key in ["hostNetwork", "hostPID", "hostIPC"] {
        if let Some((true, node)) = boolean(doc, pod.spec, key) {
            found.push(format!("{key}=true"));
            sites.push(at(doc, node, format!("{key} shares the node's namespace")));
        }
    }
    if found.is_empty() {
        return None;
    }
    denied("host namespaces", found.join(", "), sites)
}

// check_hostPathVolumes.go

pub(super) fn host_path_volumes_1_0(pod: &Pod<'_>) -> Option<Denied> {
    let doc = pod.doc;
    let mut names = Vec::new();
    let mut sites = Vec::new();
    for volume in sequence(doc, pod.spec, "volumes") {
        if mapping(doc, *volume, "hostPath").is_some() {
            names.push(
                string(doc, *volume, "name")
                    .map_or("", |(n, _)| n)
                    .to_string(),
            );
            if let Some(span) = doc.key_span(*volume, "hostPath") {
                sites.push(Site {
                    span,
                    label: "hostPath volume".to_string(),
                });
            }
        }
    }
    if names.is_empty() {
        return None;
    }
    denied(
        "hostPath volumes",
        format!(
            "{} {}",
            pluralize("volume", "volumes", names.len()),
            join_quote(&names)
        ),
        sites,
    )
}

// check_hostPorts.go

pub(super) fn host_ports_1_0(pod: &Pod<'_>) -> Option<Denied> {
    let doc = pod.doc;
    let mut bad = Vec::new();
    // Go sorts the ports as strings (`sets.String`).
    let mut ports: BTreeSet<String> = BTreeSet::new();
    let mut sites = Vec::new();
    for c in containers(pod) {
        let mut valid = true;
        for port in sequence(doc, c.node, "ports") {
            if let Some((p, node)) = integer(doc, *port, "hostPort")
                && p != 0
            {
                valid = false;
                ports.insert(p.to_string());
                sites.push(at(doc, node, "hostPort"));
            }
        }
        if !valid {
            bad.push(c.name);
        }
    }
    if bad.is_empty() {
        return None;
    }
    let ports: Vec<String> = ports.into_iter().collect();
    denied(
        "hostPort",
        format!(
            "{} {} {} {} {}",
            pluralize("container", "containers", bad.len()),
            join_quote(&bad),
            pluralize("uses", "use", bad.len()),
            pluralize("hostPort", "hostPorts", ports.len()),
            ports.join(", ")
        ),
        sites,
    )
}

// check_hostProbesAndhostLifecycle.go

/// Non-empty `host` of a handler's `httpGet` and `tcpSocket`.
fn handler_hosts(doc: &Document, handler: Option<NodeId>) -> Vec<(&str, NodeId)> {
    let Some(handler) = handler else {
        return Vec::new();
    };
    ["httpGet", "tcpSocket"]
        .into_iter()
        .filter_map(|kind| mapping(doc, handler, kind))
        .filter_map(|action| string(doc, action, "host"))
        .filter(|(host, _)| !host.is_empty())
        .collect()
}

pub(super) fn host_probes_and_host_lifecycle_1_34(pod: &Pod<'_>) -> Option<Denied> {
    let doc = pod.doc;
    let mut bad: BTreeSet<String> = BTreeSet::new();
    let mut hosts: BTreeSet<String> = BTreeSet::new();
    let mut sites = Vec::new();
    for c in containers(pod) {
        let lifecycle = mapping(doc, c.node, "lifecycle");
        let handlers = [
            mapping(doc, c.node, "livenessProbe"),
            mapping(doc, c.node, "readinessProbe"),
            mapping(doc, c.node, "startupProbe"),
            lifecycle.and_then(|l| mapping(doc, l, "postStart")),
            lifecycle.and_then(|l| mapping(doc, l, "preStop")),
        ];
        for handler in handlers {
            for (host, node) in handler_hosts(doc, handler) {
                bad.insert(c.name.clone());
                hosts.insert(host.to_string());
                sites.push(at(doc, node, "probe or lifecycle host"));
            }
        }
    }
    if bad.is_empty() {
        return None;
    }
    denied(
        "probe or lifecycle host",
        format!(
            "{} {} {} {} {}",
            pluralize("container", "containers", bad.len()),
            join_quote(&bad),
            pluralize("uses", "use", bad.len()),
            pluralize(
                "probe or lifecycle host",
                "probe or lifecycle hosts",
                hosts.len()
            ),
            join_quote(&hosts)
        ),
        sites,
    )
}

// check_privileged.go

pub(super) fn privileged_1_0(pod: &Pod<'_>) -> Option<Denied> {
    let doc = pod.doc;
    let mut bad = Vec::new();
    let mut sites = Vec::new();
    for c in containers(pod) {
        if let Some((true, node)) = c
            .security_context
            .and_then(|sc| boolean(doc, sc, "privileged"))
        {
            sites.push(at(doc, node, "privileged container"));
            bad.push(c.name);
        }
    }
    if bad.is_empty() {
        return None;
    }
    denied(
        "privileged",
        format!(
            "{} {} must not set securityContext.privileged=true",
            pluralize("container", "containers", bad.len()),
            join_quote(&bad)
        ),
        sites,
    )
}

// check_procMount_baseline.go, check_procMount_restricted.go

pub(super) fn proc_mount_1_0(pod: &Pod<'_>) -> Option<Denied> {
    let doc = pod.doc;
    let mut bad = Vec::new();
    let mut types: BTreeSet<String> = BTreeSet::new();
    let mut sites = Vec::new();
    for c in containers(pod) {
        if let Some((t, node)) = c
            .security_context
            .and_then(|sc| string(doc, sc, "procMount"))
            && t != "Default"
        {
            types.insert(t.to_string());
            sites.push(at(doc, node, "procMount other than Default"));
            bad.push(c.name);
        }
    }
    if bad.is_empty() {
        return None;
    }
    denied(
        "procMount",
        format!(
            "{} {} must not set securityContext.procMount to {}",
            pluralize("container", "containers", bad.len()),
            join_quote(&bad),
            join_quote(&types)
        ),
        sites,
    )
}

pub(super) fn proc_mount_baseline_1_35(pod: &Pod<'_>) -> Option<Denied> {
    if in_user_namespace(pod) {
        return None;
    }
    proc_mount_1_0(pod)
}

// check_restrictedVolumes.go

/// Volume sources the restricted level allows.
const ALLOWED_VOLUME_SOURCES: &[&str] = &[
    "configMap",
    "csi",
    "downwardAPI",
    "emptyDir",
    "ephemeral",
    "image",
    "persistentVolumeClaim",
    "projected",
    "secret",
];

/// Restricted volume sources, in the order the library tests them.
const RESTRICTED_VOLUME_SOURCES: &[&str] = &[
    "hostPath",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "gitRepo",
    "nfs",
    "iscsi",
    "glusterfs",
    "rbd",
    "flexVolume",
    "cinder",
    "cephfs",
    "flocker",
    "fc",
    "azureFile",
    "vsphereVolume",
    "quobyte",
    "azureDisk",
    "photonPersistentDisk",
    "portworxVolume",
    "scaleIO",
    "storageos",
];

pub(super) fn restricted_volumes_1_0(pod: &Pod<'_>) -> Option<Denied> {
    let doc = pod.doc;
    let mut bad = Vec::new();
    let mut types: BTreeSet<&str> = BTreeSet::new();
    let mut sites = Vec::new();
    for volume in sequence(doc, pod.spec, "volumes") {
        let volume = *volume;
        if !doc.is_mapping(volume) {
            continue;
        }
        // A source is set when its value decodes to a non-nil pointer: a mapping.
        let set = |source: &str| mapping(doc, volume, source).is_some();
        if ALLOWED_VOLUME_SOURCES.iter().any(|s| set(s)) {
            continue;
        }
        // A volume without any source is defaulted to `emptyDir: {}` before admission
        // (`SetDefaults_Volume`), so the library's "unknown" type cannot come from a manifest.
        let Some(source) = RESTRICTED_VOLUME_SOURCES.iter().find(|s| set(s)) else {
            continue;
        };
        bad.push(
            string(doc, volume, "name")
                .map_or("", |(n, _)| n)
                .to_string(),
        );
        types.insert(source);
        let span = doc
            .key_span(volume, source)
            .unwrap_or_else(|| doc.span(volume));
        sites.push(Site {
            span,
            label: format!("restricted volume type {source}"),
        });
    }
    if bad.is_empty() {
        return None;
    }
    denied(
        "restricted volume types",
        format!(
            "{} {} {} {} {}",
            pluralize("volume", "volumes", bad.len()),
            join_quote(&bad),
            pluralize("uses", "use", bad.len()),
            pluralize(
                "restricted volume type",
                "restricted volume types",
                types.len()
            ),
            join_quote(&types)
        ),
        sites,
    )
}

// check_runAsNonRoot.go

pub(super) fn run_as_non_root_1_0(pod: &Pod<'_>) -> Option<Denied> {
    let doc = pod.doc;
    let mut setters: Vec<String> = Vec::new();
    let mut explicit_sites = Vec::new();
    let mut pod_non_root = false;
    if let Some((value, node)) =
        pod_security_context(pod).and_then(|sc| boolean(doc, sc, "runAsNonRoot"))
    {
        if value {
            pod_non_root = true;
        } else {
            setters.push("pod".to_string());
            explicit_sites.push(at(doc, node, "runAsNonRoot is false"));
        }
    }
    let mut explicitly_bad = Vec::new();
    let mut implicitly_bad = Vec::new();
    let mut implicit_sites = Vec::new();
    for c in containers(pod) {
        match c
            .security_context
            .and_then(|sc| boolean(doc, sc, "runAsNonRoot"))
        {
            Some((true, _)) => {}
            Some((false, node)) => {
                explicit_sites.push(at(doc, node, "runAsNonRoot is false"));
                explicitly_bad.push(c.name);
            }
            None if !pod_non_root => {
                implicit_sites.push(at_container(
                    doc,
                    &c,
                    "neither it nor the pod sets securityContext.runAsNonRoot: true",
                ));
                implicitly_bad.push(c.name);
            }
            None => {}
        }
    }
    if !explicitly_bad.is_empty() {
        setters.push(format!(
            "{} {}",
            pluralize("container", "containers", explicitly_bad.len()),
            join_quote(&explicitly_bad)
        ));
    }
    if !setters.is_empty() {
        return denied(
            "runAsNonRoot != true",
            format!(
                "{} must not set securityContext.runAsNonRoot=false",
                setters.join(" and ")
            ),
            explicit_sites,
        );
    }
    if !implicitly_bad.is_empty() {
        return denied(
            "runAsNonRoot != true",
            format!(
                "pod or {} {} must set securityContext.runAsNonRoot=true",
                pluralize("container", "containers", implicitly_bad.len()),
                join_quote(&implicitly_bad)
            ),
            implicit_sites,
        );
    }
    None
}

pub(super) fn run_as_non_root_1_35(pod: &Pod<'_>) -> Option<Denied> {
    if in_user_namespace(pod) {
        return None;
    }
    run_as_non_root_1_0(pod)
}

// check_runAsUser.go

pub(super) fn run_as_user_1_23(pod: &Pod<'_>) -> Option<Denied> {
    let doc = pod.doc;
    let mut setters: Vec<String> = Vec::new();
    let mut sites = Vec::new();
    if let Some((0, node)) = pod_security_context(pod).and_then(|sc| integer(doc, sc, "runAsUser"))
    {
        setters.push("pod".to_string());
        sites.push(at(doc, node, "runs as root"));
    }
    let mut bad = Vec::new();
    for c in containers(pod) {
        if let Some((0, node)) = c
            .security_context
            .and_then(|sc| integer(doc, sc, "runAsUser"))
        {
            sites.push(at(doc, node, "runs as root"));
            bad.push(c.name);
        }
    }
    if !bad.is_empty() {
        setters.push(format!(
            "{} {}",
            pluralize("container", "containers", bad.len()),
            join_quote(&bad)
        ));
    }
    if setters.is_empty() {
        return None;
    }
    denied(
        "runAsUser=0",
        format!("{} must not set runAsUser=0", setters.join(" and ")),
        sites,
    )
}

pub(super) fn run_as_user_1_35(pod: &Pod<'_>) -> Option<Denied> {
    if in_user_namespace(pod) {
        return None;
    }
    run_as_user_1_23(pod)
}

// check_seLinuxOptions.go

const SELINUX_TYPES_1_0: &[&str] = &["", "container_t", "container_init_t", "container_kvm_t"];
const SELINUX_TYPES_1_31: &[&str] = &[
    "",
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

pub(super) fn se_linux_options_1_0(pod: &Pod<'_>) -> Option<Denied> {
    se_linux_options(pod, SELINUX_TYPES_1_0)
}

pub(super) fn se_linux_options_1_31(pod: &Pod<'_>) -> Option<Denied> {
    se_linux_options(pod, SELINUX_TYPES_1_31)
}

fn se_linux_options(pod: &Pod<'_>, allowed_types: &[&str]) -> Option<Denied> {
    let doc = pod.doc;
    let mut bad_types: BTreeSet<String> = BTreeSet::new();
    let mut set_user = false;
    let mut set_role = false;
    let mut sites = Vec::new();
    let mut valid = |opts: NodeId| {
        let mut valid = true;
        let (t, t_node) = string(doc, opts, "type").unwrap_or(("", opts));
        if !allowed_types.contains(&t) {
            valid = false;
            bad_types.insert(t.to_string());
            sites.push(at(doc, t_node, "forbidden SELinux type"));
        }
        if let Some((user, node)) = string(doc, opts, "user")
            && !user.is_empty()
        {
            valid = false;
            set_user = true;
            sites.push(at(doc, node, "SELinux user may not be set"));
        }
        if let Some((role, node)) = string(doc, opts, "role")
            && !role.is_empty()
        {
            valid = false;
            set_role = true;
            sites.push(at(doc, node, "SELinux role may not be set"));
        }
        valid
    };
    let mut setters: Vec<String> = Vec::new();
    if let Some(opts) = pod_security_context(pod).and_then(|sc| mapping(doc, sc, "seLinuxOptions"))
        && !valid(opts)
    {
        setters.push("pod".to_string());
    }
    let mut bad = Vec::new();
    for c in containers(pod) {
        if let Some(opts) = c
            .security_context
            .and_then(|sc| mapping(doc, sc, "seLinuxOptions"))
            && !valid(opts)
        {
            bad.push(c.name);
        }
    }
    if !bad.is_empty() {
        setters.push(format!(
            "{} {}",
            pluralize("container", "containers", bad.len()),
            join_quote(&bad)
        ));
    }
    if setters.is_empty() {
        return None;
    }
    let mut data = Vec::new();
    if !bad_types.is_empty() {
        data.push(format!(
            "{} {}",
            pluralize("type", "types", bad_types.len()),
            join_quote(&bad_types)
        ));
    }
    if set_user {
        data.push("user may not be set".to_string());
    }
    if set_role {
        data.push("role may not be set".to_string());
    }
    denied(
        "seLinuxOptions",
        format!(
            "{} set forbidden securityContext.seLinuxOptions: {}",
            setters.join(" and "),
            data.join("; ")
        ),
        sites,
    )
}

// check_seccompProfile_baseline.go

const SECCOMP_POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
const SECCOMP_CONTAINER_ANNOTATION_PREFIX: &str = "container.seccomp.security.alpha.kubernetes.io/";

fn valid_seccomp_type(t: &str) -> bool {
    matches!(t, "Localhost" | "RuntimeDefault")
}

fn valid_seccomp_annotation(v: &str) -> bool {
    v == "runtime/default" || v == "docker/default" || v.starts_with("localhost/")
}

pub(super) fn seccomp_profile_baseline_1_0(pod: &Pod<'_>) -> Option<Denied> {
    let doc = pod.doc;
    let mut forbidden: BTreeSet<String> = BTreeSet::new();
    let mut sites = Vec::new();
    let mut check = |key: &str| {
        if let Some((value, node)) = annotation(pod, key)
            && !valid_seccomp_annotation(value)
            && forbidden.insert(format!("{key}={}", go_quote(value)))
        {
            sites.push(at(doc, node, "forbidden seccomp profile"));
        }
    };
    check(SECCOMP_POD_ANNOTATION);
    for c in containers(pod) {
        check(&format!("{SECCOMP_CONTAINER_ANNOTATION_PREFIX}{}", c.name));
    }
    if forbidden.is_empty() {
        return None;
    }
    let list: Vec<String> = forbidden.into_iter().collect();
    denied(
        "seccompProfile",
        format!(
            "forbidden {} {}",
            pluralize("annotation", "annotations", list.len()),
            list.join(", ")
        ),
        sites,
    )
}

/// The pod's and containers' `seccompProfile.type` values that are not allowed; whether the
/// pod sets a valid one; the containers that set none.
struct SeccompScan {
    setters: Vec<String>,
    values: BTreeSet<String>,
    sites: Vec<Site>,
    unset: Vec<(String, Site)>,
}

fn seccomp_scan(pod: &Pod<'_>) -> SeccompScan {
    let doc = pod.doc;
    let mut scan = SeccompScan {
        setters: Vec::new(),
        values: BTreeSet::new(),
        sites: Vec::new(),
        unset: Vec::new(),
    };
    let mut pod_set = false;
    if let Some(profile) =
        pod_security_context(pod).and_then(|sc| mapping(doc, sc, "seccompProfile"))
    {
        let (t, node) = profile_type(doc, profile);
        if valid_seccomp_type(t) {
            pod_set = true;
        } else {
            scan.setters.push("pod".to_string());
            scan.values.insert(t.to_string());
            scan.sites
                .push(at(doc, node, "forbidden seccomp profile type"));
        }
    }
    let mut bad = Vec::new();
    for c in containers(pod) {
        match c
            .security_context
            .and_then(|sc| mapping(doc, sc, "seccompProfile"))
        {
            Some(profile) => {
                let (t, node) = profile_type(doc, profile);
                if !valid_seccomp_type(t) {
                    scan.values.insert(t.to_string());
                    scan.sites
                        .push(at(doc, node, "forbidden seccomp profile type"));
                    bad.push(c.name);
                }
            }
            None if !pod_set => {
                let site = at_container(
                    doc,
                    &c,
                    "neither it nor the pod sets securityContext.seccompProfile.type",
                );
                scan.unset.push((c.name, site));
            }
            None => {}
        }
    }
    if !bad.is_empty() {
        scan.setters.push(format!(
            "{} {}",
            pluralize("container", "containers", bad.len()),
            join_quote(&bad)
        ));
    }
    scan
}

fn explicitly_bad_seccomp(scan: SeccompScan) -> Option<Denied> {
    denied(
        "seccompProfile",
        format!(
            "{} must not set securityContext.seccompProfile.type to {}",
            scan.setters.join(" and "),
            join_quote(&scan.values)
        ),
        scan.sites,
    )
}

pub(super) fn seccomp_profile_baseline_1_19(pod: &Pod<'_>) -> Option<Denied> {
    let scan = seccomp_scan(pod);
    if scan.setters.is_empty() {
        return None;
    }
    explicitly_bad_seccomp(scan)
}

// check_seccompProfile_restricted.go

pub(super) fn seccomp_profile_restricted_1_19(pod: &Pod<'_>) -> Option<Denied> {
    let scan = seccomp_scan(pod);
    if !scan.setters.is_empty() {
        return explicitly_bad_seccomp(scan);
    }
    if scan.unset.is_empty() {
        return None;
    }
    let (names, sites): (Vec<String>, Vec<Site>) = scan.unset.into_iter().unzip();
    denied(
        "seccompProfile",
        format!(
            "pod or {} {} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"",
            pluralize("container", "containers", names.len()),
            join_quote(&names)
        ),
        sites,
    )
}

pub(super) fn seccomp_profile_restricted_1_25(pod: &Pod<'_>) -> Option<Denied> {
    if is_windows(pod) {
        return None;
    }
    seccomp_profile_restricted_1_19(pod)
}

// check_sysctls.go

const SYSCTLS_1_0: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
];
const SYSCTLS_ADDED_1_27: &[&str] = &["net.ipv4.ip_local_reserved_ports"];
const SYSCTLS_ADDED_1_29: &[&str] = &[
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];
const SYSCTLS_ADDED_1_32: &[&str] = &["net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"];
const SYSCTLS_ADDED_1_37: &[&str] = &[
    "net.ipv4.tcp_slow_start_after_idle",
    "net.ipv4.tcp_notsent_lowat",
];

pub(super) fn sysctls_1_0(pod: &Pod<'_>) -> Option<Denied> {
    sysctls(pod, &[SYSCTLS_1_0])
}

pub(super) fn sysctls_1_27(pod: &Pod<'_>) -> Option<Denied> {
    sysctls(pod, &[SYSCTLS_1_0, SYSCTLS_ADDED_1_27])
}

pub(super) fn sysctls_1_29(pod: &Pod<'_>) -> Option<Denied> {
    sysctls(pod, &[SYSCTLS_1_0, SYSCTLS_ADDED_1_27, SYSCTLS_ADDED_1_29])
}

pub(super) fn sysctls_1_32(pod: &Pod<'_>) -> Option<Denied> {
    sysctls(
        pod,
        &[
            SYSCTLS_1_0,
            SYSCTLS_ADDED_1_27,
            SYSCTLS_ADDED_1_29,
            SYSCTLS_ADDED_1_32,
        ],
    )
}

pub(super) fn sysctls_1_37(pod: &Pod<'_>) -> Option<Denied> {
    sysctls(
        pod,
        &[
            SYSCTLS_1_0,
            SYSCTLS_ADDED_1_27,
            SYSCTLS_ADDED_1_29,
            SYSCTLS_ADDED_1_32,
            SYSCTLS_ADDED_1_37,
        ],
    )
}

fn sysctls(pod: &Pod<'_>, allowed: &[&[&str]]) -> Option<Denied> {
    let doc = pod.doc;
    let sc = pod_security_context(pod)?;
    let mut forbidden = Vec::new();
    let mut sites = Vec::new();
    for sysctl in sequence(doc, sc, "sysctls") {
        let (name, node) = string(doc, *sysctl, "name").unwrap_or(("", *sysctl));
        if !allowed.iter().any(|set| set.contains(&name)) {
            forbidden.push(name.to_string());
            sites.push(at(doc, node, "not a safe sysctl"));
        }
    }
    if forbidden.is_empty() {
        return None;
    }
    denied("forbidden sysctls", forbidden.join(", "), sites)
}

// check_windowsHostProcess.go

pub(super) fn windows_host_process_1_0(pod: &Pod<'_>) -> Option<Denied> {
    let doc = pod.doc;
    let host_process = |sc: Option<NodeId>| {
        sc.and_then(|sc| mapping(doc, sc, "windowsOptions"))
            .and_then(|w| boolean(doc, w, "hostProcess"))
            .and_then(|(b, node)| b.then_some(node))
    };
    let mut sites = Vec::new();
    let mut bad = Vec::new();
    for c in containers(pod) {
        if let Some(node) = host_process(c.security_context) {
            sites.push(at(doc, node, "hostProcess container"));
            bad.push(c.name);
        }
    }
    let mut setters: Vec<String> = Vec::new();
    if let Some(node) = host_process(pod_security_context(pod)) {
        setters.push("pod".to_string());
        sites.insert(0, at(doc, node, "hostProcess pod"));
    }
    if !bad.is_empty() {
        setters.push(format!(
            "{} {}",
            pluralize("container", "containers", bad.len()),
            join_quote(&bad)
        ));
    }
    if setters.is_empty() {
        return None;
    }
    denied(
        "hostProcess",
        format!(
            "{} must not set securityContext.windowsOptions.hostProcess=true",
            setters.join(" and ")
        ),
        sites,
    )
}
