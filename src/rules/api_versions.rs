//! `removed-api-version` and `deprecated-api-version`: an apiVersion/kind pair that the target
//! Kubernetes version no longer serves, or serves but has deprecated, from one table.
//!
//! Source: the Kubernetes deprecated API migration guide,
//! <https://kubernetes.io/docs/reference/using-api/deprecation-guide/> (removals in 1.16, 1.22,
//! 1.25, 1.26, 1.27, 1.29, 1.32), and for the later releases the served APIs of the embedded
//! schemas (`schemas/`, generated from each release's OpenAPI): a beta version is listed as
//! deprecated from the release that serves its replacement, and removed from the first release
//! that no longer serves it.

use super::{ObjectContext, Rule};
use crate::finding::Finding;
use crate::kube_version::KubeVersion;
use crate::rule_id::RuleId;
use crate::rules::HasRuleId;

/// One deprecated API: `kind` `"*"` stands for every kind of the apiVersion.
struct Deprecation {
    api_version: &'static str,
    kind: &'static str,
    /// The release that deprecated it, when it matters (still served at a supported version).
    deprecated_in: Option<(u32, u32)>,
    /// The first release that no longer serves it.
    removed_in: Option<(u32, u32)>,
    /// The apiVersion to move to; `None`: no replacement.
    replacement: Option<&'static str>,
    /// Extra advice (what replaces an API that has no successor).
    note: Option<&'static str>,
}

const fn removed(
    api_version: &'static str,
    kind: &'static str,
    release: (u32, u32),
    replacement: &'static str,
) -> Deprecation {
    Deprecation {
        api_version,
        kind,
        deprecated_in: None,
        removed_in: Some(release),
        replacement: Some(replacement),
        note: None,
    }
}

const fn deprecated(
    api_version: &'static str,
    kind: &'static str,
    since: (u32, u32),
    removed_in: Option<(u32, u32)>,
    replacement: &'static str,
) -> Deprecation {
    Deprecation {
        api_version,
        kind,
        deprecated_in: Some(since),
        removed_in,
        replacement: Some(replacement),
        note: None,
    }
}

#[rustfmt::skip]
const TABLE: &[Deprecation] = &[
    // v1.16
    removed("extensions/v1beta1", "Deployment", (1, 16), "apps/v1"),
    removed("extensions/v1beta1", "DaemonSet", (1, 16), "apps/v1"),
    removed("extensions/v1beta1", "ReplicaSet", (1, 16), "apps/v1"),
    removed("extensions/v1beta1", "NetworkPolicy", (1, 16), "networking.k8s.io/v1"),
    Deprecation {
        api_version: "extensions/v1beta1", kind: "PodSecurityPolicy", deprecated_in: None,
        removed_in: Some((1, 16)), replacement: None,
        note: Some("PodSecurityPolicy was removed in 1.25: use Pod Security Admission \
                    (`pod-security.kubernetes.io/*` namespace labels) or a policy engine"),
    },
    removed("apps/v1beta1", "*", (1, 16), "apps/v1"),
    removed("apps/v1beta2", "*", (1, 16), "apps/v1"),
    // v1.22
    removed("admissionregistration.k8s.io/v1beta1", "MutatingWebhookConfiguration", (1, 22), "admissionregistration.k8s.io/v1"),
    removed("admissionregistration.k8s.io/v1beta1", "ValidatingWebhookConfiguration", (1, 22), "admissionregistration.k8s.io/v1"),
    removed("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition", (1, 22), "apiextensions.k8s.io/v1"),
    removed("apiregistration.k8s.io/v1beta1", "APIService", (1, 22), "apiregistration.k8s.io/v1"),
    removed("authentication.k8s.io/v1beta1", "TokenReview", (1, 22), "authentication.k8s.io/v1"),
    removed("authorization.k8s.io/v1beta1", "*", (1, 22), "authorization.k8s.io/v1"),
    removed("certificates.k8s.io/v1beta1", "CertificateSigningRequest", (1, 22), "certificates.k8s.io/v1"),
    removed("coordination.k8s.io/v1beta1", "Lease", (1, 22), "coordination.k8s.io/v1"),
    removed("extensions/v1beta1", "Ingress", (1, 22), "networking.k8s.io/v1"),
    removed("networking.k8s.io/v1beta1", "Ingress", (1, 22), "networking.k8s.io/v1"),
    removed("networking.k8s.io/v1beta1", "IngressClass", (1, 22), "networking.k8s.io/v1"),
    removed("rbac.authorization.k8s.io/v1beta1", "*", (1, 22), "rbac.authorization.k8s.io/v1"),
    removed("rbac.authorization.k8s.io/v1alpha1", "*", (1, 22), "rbac.authorization.k8s.io/v1"),
    removed("scheduling.k8s.io/v1beta1", "PriorityClass", (1, 22), "scheduling.k8s.io/v1"),
    removed("scheduling.k8s.io/v1alpha1", "PriorityClass", (1, 22), "scheduling.k8s.io/v1"),
    removed("storage.k8s.io/v1beta1", "CSIDriver", (1, 22), "storage.k8s.io/v1"),
    removed("storage.k8s.io/v1beta1", "CSINode", (1, 22), "storage.k8s.io/v1"),
    removed("storage.k8s.io/v1beta1", "StorageClass", (1, 22), "storage.k8s.io/v1"),
    removed("storage.k8s.io/v1beta1", "VolumeAttachment", (1, 22), "storage.k8s.io/v1"),
    // v1.25
    removed("batch/v1beta1", "CronJob", (1, 25), "batch/v1"),
    removed("batch/v2alpha1", "CronJob", (1, 25), "batch/v1"),
    removed("discovery.k8s.io/v1beta1", "EndpointSlice", (1, 25), "discovery.k8s.io/v1"),
    removed("events.k8s.io/v1beta1", "Event", (1, 25), "events.k8s.io/v1"),
    removed("autoscaling/v2beta1", "HorizontalPodAutoscaler", (1, 25), "autoscaling/v2"),
    removed("policy/v1beta1", "PodDisruptionBudget", (1, 25), "policy/v1"),
    Deprecation {
        api_version: "policy/v1beta1", kind: "PodSecurityPolicy", deprecated_in: None,
        removed_in: Some((1, 25)), replacement: None,
        note: Some("use Pod Security Admission (`pod-security.kubernetes.io/*` namespace \
                    labels) or a policy engine instead"),
    },
    removed("node.k8s.io/v1beta1", "RuntimeClass", (1, 25), "node.k8s.io/v1"),
    // v1.26
    removed("flowcontrol.apiserver.k8s.io/v1beta1", "*", (1, 26), "flowcontrol.apiserver.k8s.io/v1"),
    removed("autoscaling/v2beta2", "HorizontalPodAutoscaler", (1, 26), "autoscaling/v2"),
    // v1.27
    removed("storage.k8s.io/v1beta1", "CSIStorageCapacity", (1, 27), "storage.k8s.io/v1"),
    // v1.29
    removed("flowcontrol.apiserver.k8s.io/v1beta2", "*", (1, 29), "flowcontrol.apiserver.k8s.io/v1"),
    // v1.32
    removed("flowcontrol.apiserver.k8s.io/v1beta3", "*", (1, 32), "flowcontrol.apiserver.k8s.io/v1"),
    // Later releases, from the served APIs of the embedded schemas.
    removed("authentication.k8s.io/v1beta1", "SelfSubjectReview", (1, 33), "authentication.k8s.io/v1"),
    removed("admissionregistration.k8s.io/v1beta1", "ValidatingAdmissionPolicy", (1, 34), "admissionregistration.k8s.io/v1"),
    removed("admissionregistration.k8s.io/v1beta1", "ValidatingAdmissionPolicyBinding", (1, 34), "admissionregistration.k8s.io/v1"),
    deprecated("v1", "Endpoints", (1, 33), None, "discovery.k8s.io/v1 (EndpointSlice)"),
    deprecated("networking.k8s.io/v1beta1", "IPAddress", (1, 33), Some((1, 37)), "networking.k8s.io/v1"),
    deprecated("networking.k8s.io/v1beta1", "ServiceCIDR", (1, 33), Some((1, 37)), "networking.k8s.io/v1"),
    deprecated("storage.k8s.io/v1beta1", "VolumeAttributesClass", (1, 34), Some((1, 37)), "storage.k8s.io/v1"),
    deprecated("resource.k8s.io/v1beta1", "*", (1, 34), None, "resource.k8s.io/v1"),
    deprecated("resource.k8s.io/v1beta2", "*", (1, 34), None, "resource.k8s.io/v1"),
    deprecated("admissionregistration.k8s.io/v1beta1", "MutatingAdmissionPolicy", (1, 36), None, "admissionregistration.k8s.io/v1"),
    deprecated("admissionregistration.k8s.io/v1beta1", "MutatingAdmissionPolicyBinding", (1, 36), None, "admissionregistration.k8s.io/v1"),
    deprecated("certificates.k8s.io/v1beta1", "ClusterTrustBundle", (1, 37), None, "certificates.k8s.io/v1"),
    deprecated("certificates.k8s.io/v1beta1", "PodCertificateRequest", (1, 37), None, "certificates.k8s.io/v1"),
    deprecated("storagemigration.k8s.io/v1beta1", "StorageVersionMigration", (1, 37), None, "storagemigration.k8s.io/v1"),
];

/// What the table says of an apiVersion/kind at a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ApiStatus {
    Current,
    Deprecated,
    Removed,
}

fn entry(api_version: &str, kind: &str) -> Option<&'static Deprecation> {
    TABLE
        .iter()
        .find(|d| d.api_version == api_version && d.kind == kind)
        .or_else(|| {
            TABLE
                .iter()
                .find(|d| d.api_version == api_version && d.kind == "*")
        })
}

fn at_least(version: KubeVersion, release: (u32, u32)) -> bool {
    (version.major, version.minor) >= release
}

pub(crate) fn status(version: KubeVersion, api_version: &str, kind: &str) -> ApiStatus {
    match entry(api_version, kind) {
        Some(d) if d.removed_in.is_some_and(|r| at_least(version, r)) => ApiStatus::Removed,
        Some(d) if d.deprecated_in.is_some_and(|r| at_least(version, r)) => ApiStatus::Deprecated,
        _ => ApiStatus::Current,
    }
}

fn release(r: (u32, u32)) -> String {
    format!("{}.{}", r.0, r.1)
}

fn help(d: &Deprecation, kind: &str) -> String {
    let mut text = match d.replacement {
        Some(replacement) => format!("use `apiVersion: {replacement}`"),
        None => format!("`{kind}` has no replacement API"),
    };
    if let Some(note) = d.note {
        text.push_str(": ");
        text.push_str(note);
    }
    text.push_str(
        " (see https://kubernetes.io/docs/reference/using-api/deprecation-guide/; fields may have \
         changed between versions)",
    );
    text
}

#[derive(Default)]
pub(crate) struct RemovedApiVersion;
#[derive(Default)]
pub(crate) struct DeprecatedApiVersion;

fn check(cx: &ObjectContext<'_>, want: ApiStatus, id: RuleId, out: &mut Vec<Finding>) {
    let object = cx.object;
    let version = cx.ws.options.kube_version();
    if status(version, &object.api_version, &object.kind) != want {
        return;
    }
    let Some(d) = entry(&object.api_version, &object.kind) else {
        return;
    };
    let doc = cx.doc;
    let span = doc
        .get(object.node, "apiVersion")
        .map_or(object.kind_span, |v| doc.span(v));
    let message = match want {
        ApiStatus::Removed => format!(
            "`{}` `{}` was removed in Kubernetes {}: the API server of {version} rejects it",
            object.api_version,
            object.kind,
            d.removed_in.map(release).unwrap_or_default()
        ),
        _ => {
            let removal = match d.removed_in {
                Some(r) => format!(" and is removed in {}", release(r)),
                None => String::new(),
            };
            format!(
                "`{}` `{}` is deprecated since Kubernetes {}{removal}",
                object.api_version,
                object.kind,
                d.deprecated_in.map(release).unwrap_or_default()
            )
        }
    };
    out.push(
        cx.finding(id, span, message)
            .label(if want == ApiStatus::Removed {
                "removed API version"
            } else {
                "deprecated API version"
            })
            .help(help(d, &object.kind)),
    );
}

impl Rule for RemovedApiVersion {
    fn check_object(&self, cx: &ObjectContext<'_>, out: &mut Vec<Finding>) {
        check(cx, ApiStatus::Removed, <Self as HasRuleId>::ID, out);
    }
}

impl Rule for DeprecatedApiVersion {
    fn check_object(&self, cx: &ObjectContext<'_>, out: &mut Vec<Finding>) {
        check(cx, ApiStatus::Deprecated, <Self as HasRuleId>::ID, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Lookup, lookup, supported_versions};

    fn v(minor: u32) -> KubeVersion {
        KubeVersion { major: 1, minor }
    }

    #[test]
    fn statuses() {
        assert_eq!(
            status(v(33), "extensions/v1beta1", "Deployment"),
            ApiStatus::Removed
        );
        assert_eq!(
            status(v(33), "apps/v1beta2", "StatefulSet"),
            ApiStatus::Removed
        );
        assert_eq!(status(v(33), "apps/v1", "Deployment"), ApiStatus::Current);
        assert_eq!(status(v(33), "v1", "Endpoints"), ApiStatus::Deprecated);
        assert_eq!(
            status(v(36), "networking.k8s.io/v1beta1", "ServiceCIDR"),
            ApiStatus::Deprecated
        );
        assert_eq!(
            status(v(37), "networking.k8s.io/v1beta1", "ServiceCIDR"),
            ApiStatus::Removed
        );
    }

    /// The table agrees with the embedded schemas: what it calls removed is not served, what it
    /// calls deprecated (and not yet removed) is, and every replacement is served.
    #[test]
    fn table_agrees_with_the_embedded_schemas() {
        for &version in supported_versions() {
            for d in TABLE {
                let kind = if d.kind == "*" { "Deployment" } else { d.kind };
                let served = matches!(lookup(version, d.api_version, kind), Lookup::Found(_));
                let status = status(version, d.api_version, d.kind);
                match status {
                    ApiStatus::Removed => assert!(
                        !served,
                        "{} {} is served by {version}",
                        d.api_version, d.kind
                    ),
                    ApiStatus::Deprecated if d.kind != "*" => assert!(
                        served,
                        "{} {} is not served by {version}",
                        d.api_version, d.kind
                    ),
                    _ => {}
                }
                if status != ApiStatus::Current
                    && d.kind != "*"
                    && let Some(replacement) = d.replacement
                {
                    let replacement = replacement.split(' ').next().unwrap_or(replacement);
                    let kind = if d.kind == "Endpoints" {
                        "EndpointSlice"
                    } else {
                        kind
                    };
                    assert!(
                        matches!(lookup(version, replacement, kind), Lookup::Found(_)),
                        "{replacement} {kind} is not served by {version}"
                    );
                }
            }
        }
    }
}
