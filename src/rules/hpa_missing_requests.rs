//! `hpa-missing-requests`: a HorizontalPodAutoscaler that scales on resource utilization while
//! its target's containers have no request for that resource.
//!
//! Utilization is usage divided by request. The replica calculator
//! (`pkg/controller/podautoscaler/replica_calculator.go`, `calculatePodRequests` /
//! `calculatePodRequestsFromContainers`) sums the request of every regular container and every
//! restartable (sidecar) init container, or of the one container a `ContainerResource` metric
//! names, and fails with "missing request for <resource> in container <name>" when one has
//! none; where pod-level resources are supported, a pod-level request of that resource is used
//! instead (`calculatePodRequests` with `PodLevelResources`). The HPA then reports
//! `FailedGetResourceMetric` and never scales. The API server accepts such an HPA: nothing else
//! tells.
//!
//! Requests are taken after defaulting, as the API server stores them and `kubeward inspect`
//! shows them (a request copied from the limit, a LimitRange `defaultRequest`): see
//! [`crate::model::effective`].
//!
//! An HPA without `metrics` scales on 80% CPU (`SetDefaults_HorizontalPodAutoscaler` in
//! `pkg/apis/autoscaling/v2/defaults.go`; `autoscaling/v1` defaults
//! `targetCPUUtilizationPercentage` to 80 likewise).
//!
//! An HPA whose `scaleTargetRef` names no object of the repository is a warning: it cannot be
//! checked, and a misspelt target leaves the workload unscaled (`FailedGetScale`).

use super::{HasRuleId, Rule};
use crate::finding::{Finding, Severity};
use crate::load::{Document, NodeId};
use crate::model::effective::PodResources;
use crate::model::podspec::ContainerKind;
use crate::model::resource_values::Side;
use crate::model::{Object, ObjectId, Workspace};
use crate::rule_id::RuleId;
use crate::source::Span;

#[derive(Default)]
pub(crate) struct HpaMissingRequests;

const ID: RuleId = <HpaMissingRequests as HasRuleId>::ID;

/// A utilization metric the HPA computes from requests.
struct UtilizationMetric {
    resource: String,
    /// The container a `ContainerResource` metric names.
    container: Option<String>,
    /// Where findings point: the metric's `resource:`/`containerResource:` key, or where the
    /// default metric comes from.
    span: Span,
    defaulted: bool,
}

/// The utilization metrics of an HPA spec, with the defaults applied.
fn utilization_metrics(doc: &Document, object: &Object, spec: NodeId) -> Vec<UtilizationMetric> {
    let default_cpu = |span| UtilizationMetric {
        resource: "cpu".into(),
        container: None,
        span,
        defaulted: true,
    };
    let fallback = doc
        .key_span(spec, "scaleTargetRef")
        .unwrap_or(object.kind_span);
    if object.api_version == "autoscaling/v1" {
        return vec![match doc.key_span(spec, "targetCPUUtilizationPercentage") {
            Some(span) => UtilizationMetric {
                defaulted: false,
                ..default_cpu(span)
            },
            None => default_cpu(fallback),
        }];
    }
    let metrics = doc.get(spec, "metrics").map_or(&[][..], |m| doc.items(m));
    if metrics.is_empty() {
        let span = doc.key_span(spec, "metrics").unwrap_or(fallback);
        return vec![default_cpu(span)];
    }
    let mut out = Vec::new();
    for metric in metrics {
        let (field, container) = match doc.get_str(*metric, "type") {
            Some("Resource") => ("resource", false),
            Some("ContainerResource") => ("containerResource", true),
            _ => continue,
        };
        let Some(source) = doc.get(*metric, field) else {
            continue;
        };
        let Some(resource) = doc.get_str(source, "name") else {
            continue;
        };
        // autoscaling/v2 and v2beta2: `target.type: Utilization`; v2beta1:
        // `targetAverageUtilization`.
        let utilization = doc
            .get_path(source, &["target", "type"])
            .and_then(|t| doc.str(t))
            == Some("Utilization")
            || doc.get(source, "targetAverageUtilization").is_some();
        if !utilization {
            continue;
        }
        let container = if container {
            match doc.get_str(source, "container") {
                Some(c) => Some(c.to_string()),
                None => continue,
            }
        } else {
            None
        };
        let Some(span) = doc.key_span(*metric, field) else {
            continue;
        };
        out.push(UtilizationMetric {
            resource: resource.to_string(),
            container,
            span,
            defaulted: false,
        });
    }
    out
}

/// The object `scaleTargetRef` names, in the HPA's namespace: `None` when the reference is
/// incomplete, `Some(None)` when the repository does not define it.
fn target<'a>(
    ws: &'a Workspace,
    namespace: &str,
    reference: NodeId,
    doc: &Document,
) -> Option<Option<(ObjectId, &'a Object)>> {
    let kind = doc.get_str(reference, "kind")?;
    let name = doc.get_str(reference, "name")?;
    let group = doc
        .get_str(reference, "apiVersion")
        .map(|v| v.rsplit_once('/').map_or("", |(g, _)| g));
    Some(ws.objects.iter().enumerate().find(|(_, o)| {
        o.kind == kind
            && o.name.as_deref() == Some(name)
            && o.namespace.as_deref() == Some(namespace)
            && group.is_none_or(|g| o.group == g)
    }))
}

/// The containers whose request the replica calculator sums: regular containers and sidecars.
fn counted(kind: ContainerKind, sidecar: bool) -> bool {
    match kind {
        ContainerKind::Regular => true,
        ContainerKind::Init => sidecar,
        ContainerKind::Ephemeral => false,
    }
}

fn check_metric(
    hpa: &Object,
    target: &Object,
    pod: &PodResources,
    metric: &UtilizationMetric,
    out: &mut Vec<Finding>,
) {
    let resource = metric.resource.as_str();
    let target_name = target.identity().describe();
    let what = if metric.defaulted {
        format!("the HPA has no metric and so scales on the default 80% {resource} utilization")
    } else {
        match &metric.container {
            Some(c) => format!("the HPA scales on the {resource} utilization of container `{c}`"),
            None => format!("the HPA scales on {resource} utilization"),
        }
    };
    let consequence = "the HPA controller cannot compute utilization (\"missing request\") and \
                       never scales the workload";
    if let Some(name) = &metric.container {
        let Some(container) = pod
            .containers
            .iter()
            .find(|c| counted(c.container.kind, c.sidecar) && &c.name == name)
        else {
            out.push(
                Finding::new(
                    ID,
                    hpa.file,
                    metric.span,
                    format!("{what}, but {target_name} has no container `{name}`: {consequence}"),
                )
                .label("no such container")
                .help("name a container of the target's pod template")
                .object(Some(hpa.identity())),
            );
            return;
        };
        if container.requests.contains_key(resource)
            || container.is_invalid(Side::Requests, resource)
        {
            return;
        }
        out.push(
            Finding::new(
                ID,
                hpa.file,
                metric.span,
                format!(
                    "{what}, but {} of {target_name} has no {resource} request (none written, \
                     no limit to copy, no LimitRange default): {consequence}",
                    container.describe()
                ),
            )
            .label(format!("no {resource} request to divide by"))
            .help(format!(
                "set `resources.requests.{resource}` on {}",
                container.describe()
            ))
            .related(
                target.file,
                container.missing_anchor(Side::Requests),
                format!("{} has no {resource} request", container.describe()),
            )
            .object(Some(hpa.identity())),
        );
        return;
    }
    if pod.pod_level_covers(Side::Requests, resource) {
        return;
    }
    let missing: Vec<_> = pod
        .containers
        .iter()
        .filter(|c| counted(c.container.kind, c.sidecar))
        .filter(|c| !c.requests.contains_key(resource) && !c.is_invalid(Side::Requests, resource))
        .collect();
    if missing.is_empty() {
        return;
    }
    let names: Vec<String> = missing.iter().map(|c| c.describe()).collect();
    let mut finding = Finding::new(
        ID,
        hpa.file,
        metric.span,
        format!(
            "{what}, but {} of {target_name} {} no {resource} request (none written, no limit to \
             copy, no LimitRange default): {consequence}",
            names.join(", "),
            if missing.len() == 1 { "has" } else { "have" }
        ),
    )
    .label(format!("no {resource} request to divide by"))
    .help(format!(
        "set `resources.requests.{resource}` on every container and sidecar of the target, or \
         scale on an `AverageValue` target instead of `Utilization`"
    ))
    .object(Some(hpa.identity()));
    for c in &missing {
        finding = finding.related(
            target.file,
            c.missing_anchor(Side::Requests),
            format!("{} has no {resource} request", c.describe()),
        );
    }
    out.push(finding);
}

impl Rule for HpaMissingRequests {
    fn check_workspace(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        for hpa in &ws.objects {
            if hpa.kind != "HorizontalPodAutoscaler" || hpa.group != "autoscaling" {
                continue;
            }
            let Some(namespace) = hpa.namespace.as_deref() else {
                continue;
            };
            let doc = ws.document(hpa);
            let Some(spec) = doc.get(hpa.node, "spec") else {
                continue;
            };
            let Some(reference) = doc.get(spec, "scaleTargetRef") else {
                continue;
            };
            let Some(found) = target(ws, namespace, reference, doc) else {
                continue;
            };
            let Some((target_id, target)) = found else {
                let kind = doc.get_str(reference, "kind").unwrap_or("");
                let name = doc.get_str(reference, "name").unwrap_or("");
                let span = doc
                    .get(reference, "name")
                    .map_or(hpa.kind_span, |n| doc.span(n));
                out.push(
                    Finding::new(
                        ID,
                        hpa.file,
                        span,
                        format!(
                            "scaleTargetRef names {kind} `{name}`, which the repository does not \
                             define in namespace `{namespace}`: its requests cannot be checked, \
                             and if the name is wrong the HPA never scales anything \
                             (FailedGetScale)"
                        ),
                    )
                    .severity(Severity::Warning)
                    .label("no such workload here")
                    .help(
                        "check the target's kind, name and namespace; if it is created outside \
                         this repository, suppress this finding",
                    )
                    .object(Some(hpa.identity())),
                );
                continue;
            };
            let Some((_, pod)) = ws.pod_resources_of(target_id).next() else {
                continue;
            };
            for metric in utilization_metrics(doc, hpa, spec) {
                check_metric(hpa, target, pod, &metric, out);
            }
        }
    }
}
