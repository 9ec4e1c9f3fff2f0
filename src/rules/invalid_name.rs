//! `invalid-name`: names the API server's validation rejects. Ported from
//! k8s.io/apimachinery/pkg/util/validation/validation.go (`IsDNS1123Label`,
//! `IsDNS1123Subdomain`, `IsDNS1035Label`, `IsQualifiedName`, `IsValidLabelValue`,
//! `IsValidPortName`) and apimachinery's `path.IsValidPathSegmentName`, applied per kind as
//! each kind's validation does in k8s.io/kubernetes/pkg/apis/*/validation: most object names
//! are DNS-1123 subdomains, Namespaces DNS-1123 labels, Services DNS-1035 labels, RBAC objects
//! path segments (`system:auth-delegator` is valid), CronJobs at most 52 characters (the Job
//! names it creates add 11); container, volume and Service port names are DNS-1123 labels,
//! container port names IANA service names; label keys are qualified names and label values
//! at most 63 characters.

use super::{ObjectContext, Rule};
use crate::finding::Finding;
use crate::load::{Document, NodeId, NodeKind};
use crate::model::names::{
    CRONJOB_NAME_MAX, DNS1123_LABEL_MAX, DNS1123_SUBDOMAIN_MAX, LABEL_VALUE_MAX, dns1035_label,
    dns1123_label, dns1123_subdomain, is_template_placeholder, label_value, path_segment,
    port_name, qualified_name,
};
use crate::rule_id::RuleId;
use crate::rules::HasRuleId;
use crate::schema::is_builtin_api_group;

#[derive(Default)]
pub(crate) struct InvalidName;

const ID: RuleId = <InvalidName as HasRuleId>::ID;

/// A valid name close to `name`, for the help: lower case, other characters as `-`.
fn suggestion(name: &str, max: usize) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    while out.contains("--") {
        out = out.replace("--", "-");
    }
    out.truncate(max);
    out.trim_matches(|c| c == '-' || c == '.').to_string()
}

/// The rule a kind's `metadata.name` follows.
fn object_name_check(kind: &str, name: &str) -> Option<(String, &'static str, usize)> {
    match kind {
        "Namespace" => dns1123_label(name).map(|p| (p, "a DNS-1123 label", DNS1123_LABEL_MAX)),
        "Service" => dns1035_label(name).map(|p| (p, "a DNS-1035 label", DNS1123_LABEL_MAX)),
        "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding" => {
            path_segment(name).map(|p| (p, "a path segment", DNS1123_SUBDOMAIN_MAX))
        }
        // Named `<plural>.<group>` and `<version>.<group>`: checked by their own rules.
        "CustomResourceDefinition" | "APIService" => None,
        "CronJob" if name.len() > CRONJOB_NAME_MAX && dns1123_subdomain(name).is_none() => Some((
            format!(
                "must be no more than {CRONJOB_NAME_MAX} characters (it has {}): the Jobs it \
                 creates append an 11-character suffix",
                name.len()
            ),
            "at most 52 characters",
            CRONJOB_NAME_MAX,
        )),
        _ => dns1123_subdomain(name).map(|p| (p, "a DNS-1123 subdomain", DNS1123_SUBDOMAIN_MAX)),
    }
}

impl Rule for InvalidName {
    fn check_object(&self, cx: &ObjectContext<'_>, out: &mut Vec<Finding>) {
        let object = cx.object;
        if !is_builtin_api_group(&object.group) {
            return;
        }
        let doc = cx.doc;
        let mut report = |node: NodeId, message: String, help: String| {
            out.push(
                cx.finding(ID, doc.span(node), message)
                    .label("invalid name")
                    .help(help),
            );
        };
        let metadata = doc.get(object.node, "metadata");
        if let Some(node) = metadata.and_then(|m| doc.get(m, "name"))
            && let Some(name) = checkable(doc, node)
            && let Some((problem, rule, max)) = object_name_check(&object.kind, name)
        {
            report(
                node,
                format!("`{name}` is not a valid {} name: {problem}", object.kind),
                format!(
                    "{} names must be {rule}, e.g. `{}`",
                    object.kind,
                    suggestion(name, max)
                ),
            );
        }
        if let Some(node) = metadata.and_then(|m| doc.get(m, "namespace"))
            && let Some(name) = checkable(doc, node)
            && let Some(problem) = dns1123_label(name)
        {
            report(
                node,
                format!("`{name}` is not a valid namespace name: {problem}"),
                format!(
                    "namespace names must be DNS-1123 labels, e.g. `{}`",
                    suggestion(name, DNS1123_LABEL_MAX)
                ),
            );
        }
        check_labels(doc, object.node, &mut report, 0);
        for pod in cx.pod_specs {
            for container in pod.containers(doc) {
                if let Some(node) = doc.get(container.node, "name")
                    && let Some(name) = checkable(doc, node)
                    && let Some(problem) = dns1123_label(name)
                {
                    report(
                        node,
                        format!("container name `{name}` is invalid: {problem}"),
                        format!(
                            "container names must be DNS-1123 labels, e.g. `{}`",
                            suggestion(name, DNS1123_LABEL_MAX)
                        ),
                    );
                }
                if let Some(ports) = doc.get(container.node, "ports") {
                    for port in doc.items(ports) {
                        if let Some(node) = doc.get(*port, "name")
                            && let Some(name) = checkable(doc, node)
                            && let Some(problem) = port_name(name)
                        {
                            report(
                                node,
                                format!("container port name `{name}` is invalid: {problem}"),
                                "port names are IANA service names: up to 15 lower case \
                                 letters, digits and single inner hyphens, with a letter, e.g. \
                                 `http-metrics` or `grpc`"
                                    .to_string(),
                            );
                        }
                    }
                }
            }
            if let Some(volumes) = doc.get(pod.node, "volumes") {
                for volume in doc.items(volumes) {
                    if let Some(node) = doc.get(*volume, "name")
                        && let Some(name) = checkable(doc, node)
                        && let Some(problem) = dns1123_label(name)
                    {
                        report(
                            node,
                            format!("volume name `{name}` is invalid: {problem}"),
                            format!(
                                "volume names must be DNS-1123 labels, e.g. `{}`",
                                suggestion(name, DNS1123_LABEL_MAX)
                            ),
                        );
                    }
                }
            }
        }
        if object.kind == "Service"
            && let Some(ports) = doc.get_path(object.node, &["spec", "ports"])
        {
            for port in doc.items(ports) {
                if let Some(node) = doc.get(*port, "name")
                    && let Some(name) = checkable(doc, node)
                    && let Some(problem) = dns1123_label(name)
                {
                    report(
                        node,
                        format!("Service port name `{name}` is invalid: {problem}"),
                        format!(
                            "Service port names must be DNS-1123 labels, e.g. `{}`",
                            suggestion(name, DNS1123_LABEL_MAX)
                        ),
                    );
                }
            }
        }
    }
}

/// A string scalar worth checking: not empty, not a template placeholder.
fn checkable(doc: &Document, node: NodeId) -> Option<&str> {
    let text = doc.str(node)?;
    (!text.is_empty() && !is_template_placeholder(text)).then_some(text)
}

/// Label keys and values of every `metadata.labels` (the object's and its templates') and
/// `matchLabels`, and annotation keys.
fn check_labels(
    doc: &Document,
    node: NodeId,
    report: &mut impl FnMut(NodeId, String, String),
    depth: usize,
) {
    if depth > 32 {
        return;
    }
    match doc.kind(node) {
        NodeKind::Mapping(entries) => {
            for entry in entries {
                let key = doc.scalar(entry.key).map(|s| s.text).unwrap_or_default();
                match key {
                    "metadata" => {
                        for (field, values) in [("labels", true), ("annotations", false)] {
                            if let Some(map) = doc.get(entry.value, field) {
                                check_label_map(doc, map, values, field, report);
                            }
                        }
                        continue;
                    }
                    "matchLabels" => {
                        check_label_map(doc, entry.value, true, "labels", report);
                        continue;
                    }
                    // A CRD's schema describes `metadata.labels`; it holds none.
                    "openAPIV3Schema" | "properties" => continue,
                    _ => {}
                }
                check_labels(doc, entry.value, report, depth + 1);
            }
        }
        NodeKind::Sequence(items) => {
            for item in items {
                check_labels(doc, *item, report, depth + 1);
            }
        }
        NodeKind::Scalar(_) => {}
    }
}

fn check_label_map(
    doc: &Document,
    map: NodeId,
    values: bool,
    what: &str,
    report: &mut impl FnMut(NodeId, String, String),
) {
    let singular = what.trim_end_matches('s');
    for entry in doc.entries(map) {
        let Some(key) = checkable(doc, entry.key) else {
            continue;
        };
        if let Some(problem) = qualified_name(key) {
            report(
                entry.key,
                format!("{singular} key `{key}` is invalid: {problem}"),
                format!(
                    "{singular} keys are `name` or `prefix/name`: a name of up to 63 letters, \
                     digits, '-', '_' or '.', and a DNS subdomain prefix"
                ),
            );
        }
        if values {
            let Some(text) = checkable(doc, entry.value) else {
                continue;
            };
            if let Some(problem) = label_value(text) {
                report(
                    entry.value,
                    format!("the value of label `{key}` is invalid: {problem}"),
                    format!(
                        "label values are up to 63 letters, digits, '-', '_' or '.', starting \
                         and ending with a letter or digit, e.g. `{}`",
                        suggestion(text, LABEL_VALUE_MAX)
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Cases from k8s.io/apimachinery/pkg/util/validation/validation_test.go.
    #[test]
    fn dns_names() {
        for good in [
            "a",
            "ab",
            "abc",
            "a1",
            "a-1",
            "a--1--2--b",
            "0",
            "01",
            "1-2",
        ] {
            assert_eq!(dns1123_label(good), None, "{good}");
        }
        for bad in [
            "",
            "A",
            "ABC",
            "aBc",
            "A1",
            "A-1",
            "1-A",
            "-",
            "a-",
            "-a",
            "1-",
            "_",
            "a_b",
            "a.b",
            "a b",
            &"a".repeat(64),
        ] {
            assert!(dns1123_label(bad).is_some(), "{bad}");
        }
        for good in ["a.b.c", "a-1.b-2", "0.a", &"a".repeat(253)] {
            assert_eq!(dns1123_subdomain(good), None, "{good}");
        }
        for bad in ["", "A.b", "a..b", ".a", "a.", "a_b", &"a".repeat(254)] {
            assert!(dns1123_subdomain(bad).is_some(), "{bad}");
        }
        assert_eq!(dns1035_label("a-1"), None);
        assert!(dns1035_label("1-a").is_some());
        assert!(dns1035_label("my.svc").is_some());
    }

    #[test]
    fn port_names() {
        for good in [
            "telnet",
            "re-mail-ck",
            "pop3",
            "a",
            "a-1",
            "1-a",
            "a-1-b-2-c",
            "1-2-a",
        ] {
            assert_eq!(port_name(good), None, "{good}");
        }
        for bad in [
            "",
            "a".repeat(16).as_str(),
            "12345",
            "1-2",
            "-a",
            "a-",
            "a--b",
            "a_b",
            "Http",
        ] {
            assert!(port_name(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn qualified_names_and_label_values() {
        for good in [
            "simple",
            "now-with-dashes",
            "1-starts-with-num",
            "1234",
            "simple/simple",
            "now-with-dashes/simple",
            "example.com/Upper_Case",
            "app.kubernetes.io/name",
        ] {
            assert_eq!(qualified_name(good), None, "{good}");
        }
        for bad in [
            "",
            "/simple",
            "simple/",
            "a/b/c",
            "Example.com/x",
            "-starts",
            "ends-",
            "has space",
            &"a".repeat(64),
        ] {
            assert!(qualified_name(bad).is_some(), "{bad}");
        }
        for good in ["", "simple", "Upper.Case_1", "1.2.3"] {
            assert_eq!(label_value(good), None, "{good}");
        }
        for bad in ["-x", "x-", "a b", "a/b", &"a".repeat(64)] {
            assert!(label_value(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn names_per_kind() {
        assert!(object_name_check("ClusterRole", "system:auth-delegator").is_none());
        assert!(object_name_check("ClusterRole", "a/b").is_some());
        assert!(object_name_check("Deployment", "system:auth-delegator").is_some());
        assert!(object_name_check("Service", "1web").is_some());
        assert!(object_name_check("Deployment", "1web").is_none());
        assert!(object_name_check("Namespace", "team.a").is_some());
        assert!(object_name_check("ConfigMap", "team.a").is_none());
        assert!(object_name_check("CronJob", &"a".repeat(53)).is_some());
        assert!(object_name_check("Job", &"a".repeat(53)).is_none());
        assert_eq!(suggestion("My_App", 63), "my-app");
    }
}
