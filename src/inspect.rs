//! `kubeward inspect PATH...`: per workload, each container's effective requests and limits
//! (what the API server stores after defaulting and LimitRange defaults), where each value
//! came from, and the pod's QoS class with the reason. Answers "why is my pod Burstable?".

use std::collections::BTreeSet;
use std::io::Write;

use clap::ValueEnum;
use serde::Serialize;

use crate::error::Error;
use crate::finding::ObjectIdentity;
use crate::lint::{LintOptions, lint};
use crate::model::effective::{
    ContainerResources, Effective, EffectiveValue, PodResources, ValueOrigin,
};
use crate::model::qos::compute_qos;
use crate::model::{ContainerKind, Workspace};
use crate::rule_id::RuleId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InspectFormat {
    Human,
    Json,
}

/// The JSON report, version 1 (documented in the README).
#[derive(Debug, Serialize)]
pub(crate) struct InspectReport {
    pub version: u32,
    pub workloads: Vec<WorkloadReport>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WorkloadReport {
    pub object: ObjectIdentity,
    pub path: String,
    pub line: usize,
    /// Path of the pod spec inside the object (`spec.template.spec`).
    pub pod_spec: String,
    pub qos_class: String,
    pub qos_reason: String,
    /// Names of the LimitRanges that applied.
    pub limit_ranges: Vec<String>,
    /// Pod-level `spec.resources`, when written.
    pub pod_resources: Option<RequirementsReport>,
    /// Init containers (sidecars included) first, then containers, in manifest order.
    pub containers: Vec<ContainerReport>,
}

#[derive(Debug, Serialize)]
pub(crate) struct ContainerReport {
    pub name: String,
    /// `container`, `init` or `sidecar`.
    #[serde(rename = "type")]
    pub kind: String,
    pub requests: std::collections::BTreeMap<String, ValueReport>,
    pub limits: std::collections::BTreeMap<String, ValueReport>,
}

#[derive(Debug, Serialize)]
pub(crate) struct RequirementsReport {
    pub requests: std::collections::BTreeMap<String, ValueReport>,
    pub limits: std::collections::BTreeMap<String, ValueReport>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ValueReport {
    /// The value as written where it came from (`500m`, `1Gi`).
    pub value: String,
    /// `manifest`, `request-from-limit`, `limitrange-default`,
    /// `pod-request-from-containers`, `pod-request-from-limit`, `pod-limit-from-containers`.
    pub source: String,
    /// The source in words (`LimitRange `defaults` default`).
    pub description: String,
    /// For `limitrange-default`: the LimitRange's name, the field filled in (`default` or
    /// `defaultRequest`) and the field the value was written in (`max` for a `default` the
    /// LimitRange took from its `max`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit_range: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub written_in: Option<String>,
    /// Where the value's text is.
    pub path: String,
    pub line: usize,
}

fn value_report(ws: &Workspace, v: &EffectiveValue) -> ValueReport {
    let source = ws.source(v.file);
    let (limit_range, field, written_in) = match &v.origin {
        ValueOrigin::LimitRange {
            name,
            field,
            written_in,
            ..
        } => (
            Some(name.clone()),
            Some(field.key().to_string()),
            Some(written_in.key().to_string()),
        ),
        _ => (None, None, None),
    };
    ValueReport {
        value: v.quantity.original().to_string(),
        source: v.origin.kind().to_string(),
        description: v.origin.describe(),
        limit_range,
        field,
        written_in,
        path: source.path.clone(),
        line: source.line_col(v.span.start).line,
    }
}

fn values(ws: &Workspace, list: &Effective) -> std::collections::BTreeMap<String, ValueReport> {
    list.iter()
        .map(|(n, v)| (n.clone(), value_report(ws, v)))
        .collect()
}

fn kind_name(c: &ContainerResources) -> &'static str {
    match (c.container.kind, c.sidecar) {
        (ContainerKind::Init, true) => "sidecar",
        (ContainerKind::Init, false) => "init",
        _ => "container",
    }
}

/// Builds the report for every pod spec in the workspace, for the run's target version (the
/// effective resources the rules computed are reused).
pub(crate) fn report(ws: &Workspace) -> InspectReport {
    let index = ws.limit_range_index();
    let workloads = ws
        .pod_specs
        .iter()
        .enumerate()
        .filter_map(|(i, spec)| {
            let object = ws.objects.get(spec.object)?;
            let pod: &PodResources = ws.pod_resources_at(i)?;
            let qos = compute_qos(pod, pod.version);
            let ordered = pod
                .containers
                .iter()
                .filter(|c| c.container.kind == ContainerKind::Init)
                .chain(
                    pod.containers
                        .iter()
                        .filter(|c| c.container.kind == ContainerKind::Regular),
                );
            Some(WorkloadReport {
                object: object.identity(),
                path: ws.source(object.file).path.clone(),
                line: ws.source(object.file).line_col(object.kind_span.start).line,
                pod_spec: spec.path.clone(),
                qos_class: qos.class.to_string(),
                qos_reason: qos.reason,
                limit_ranges: pod
                    .limit_ranges
                    .iter()
                    .filter_map(|i| index.limit_ranges.get(*i))
                    .map(|lr| lr.name.clone())
                    .collect(),
                pod_resources: pod.pod_level.as_ref().map(|p| RequirementsReport {
                    requests: values(ws, &p.requests),
                    limits: values(ws, &p.limits),
                }),
                containers: ordered
                    .map(|c| ContainerReport {
                        name: c.name.clone(),
                        kind: kind_name(c).to_string(),
                        requests: values(ws, &c.requests),
                        limits: values(ws, &c.limits),
                    })
                    .collect(),
            })
        })
        .collect();
    InspectReport {
        version: 1,
        workloads,
    }
}

/// `kubeward inspect`: loads the paths and prints the report.
pub(crate) fn run(
    options: &LintOptions,
    format: InspectFormat,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let result = lint(options)?;
    let unreadable = result
        .findings
        .iter()
        .filter(|f| {
            matches!(
                f.rule.builtin(),
                Some(RuleId::ParseError | RuleId::IoError | RuleId::TemplateSkipped)
            )
        })
        .count();
    if unreadable > 0 {
        eprintln!(
            "kubeward: note: {unreadable} file(s) or document(s) could not be read or were skipped; run `kubeward` on the same paths to see why"
        );
    }
    let report = report(&result.workspace);
    match format {
        InspectFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &report)
                .map_err(|e| Error::Output(std::io::Error::other(e)))?;
            writeln!(out).map_err(Error::Output)?;
        }
        InspectFormat::Human => {
            write!(out, "{}", human(&report)).map_err(Error::Output)?;
        }
    }
    Ok(())
}

/// The readable form: a header per workload, its QoS class and why, and a table of
/// containers, resources, values and their sources.
pub(crate) fn human(report: &InspectReport) -> String {
    let mut text = String::new();
    if report.workloads.is_empty() {
        text.push_str("no workloads with pod templates found\n");
        return text;
    }
    for (i, w) in report.workloads.iter().enumerate() {
        if i > 0 {
            text.push('\n');
        }
        let name = w.object.describe();
        text.push_str(&format!("{name}  ({}:{})\n", w.path, w.line));
        if w.pod_spec.contains('[') || !is_known_path(&w.pod_spec) {
            text.push_str(&format!("  pod template: {}\n", w.pod_spec));
        }
        text.push_str(&format!(
            "  QoS class: {} ({})\n",
            w.qos_class, w.qos_reason
        ));
        if !w.limit_ranges.is_empty() {
            text.push_str(&format!("  LimitRanges: {}\n", w.limit_ranges.join(", ")));
        }
        let mut rows: Vec<[String; 6]> = vec![[
            "CONTAINER".into(),
            "RESOURCE".into(),
            "REQUEST".into(),
            "FROM".into(),
            "LIMIT".into(),
            "FROM".into(),
        ]];
        let mut push_rows =
            |label: String,
             requests: &std::collections::BTreeMap<String, ValueReport>,
             limits: &std::collections::BTreeMap<String, ValueReport>| {
                let names: BTreeSet<&String> = requests.keys().chain(limits.keys()).collect();
                if names.is_empty() {
                    rows.push([
                        label,
                        "-".into(),
                        "-".into(),
                        String::new(),
                        "-".into(),
                        String::new(),
                    ]);
                    return;
                }
                for (j, n) in names.into_iter().enumerate() {
                    let cell = |v: Option<&ValueReport>| match v {
                        Some(v) => (v.value.clone(), v.description.clone()),
                        None => ("-".to_string(), String::new()),
                    };
                    let (rv, rf) = cell(requests.get(n));
                    let (lv, lf) = cell(limits.get(n));
                    let first = if j == 0 { label.clone() } else { String::new() };
                    rows.push([first, n.clone(), rv, rf, lv, lf]);
                }
            };
        if let Some(p) = &w.pod_resources {
            push_rows("(pod level)".into(), &p.requests, &p.limits);
        }
        for c in &w.containers {
            let label = match c.kind.as_str() {
                "container" => c.name.clone(),
                other => format!("{} ({other})", c.name),
            };
            push_rows(label, &c.requests, &c.limits);
        }
        let widths: Vec<usize> = (0..6)
            .map(|col| {
                rows.iter()
                    .map(|r| r.get(col).map_or(0, |cell| cell.chars().count()))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for row in rows {
            let mut line = String::from("  ");
            for (col, cell) in row.iter().enumerate() {
                if col + 1 == row.len() {
                    line.push_str(cell);
                } else {
                    line.push_str(&format!(
                        "{cell:<width$}  ",
                        width = widths.get(col).copied().unwrap_or(0)
                    ));
                }
            }
            text.push_str(line.trim_end());
            text.push('\n');
        }
    }
    text
}

fn is_known_path(path: &str) -> bool {
    matches!(
        path,
        "spec" | "spec.template.spec" | "template.spec" | "spec.jobTemplate.spec.template.spec"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::parse_yaml;
    use crate::model::{LoadedFile, WorkspaceOptions};
    use crate::source::SourceFile;

    fn workspace(files: &[(&str, &str)]) -> Workspace {
        let loaded = files
            .iter()
            .map(|(path, text)| {
                let source = SourceFile::new(*path, *text);
                let documents = parse_yaml(&source.text).documents;
                LoadedFile::manifest(source, documents)
            })
            .collect();
        Workspace::new(loaded, &WorkspaceOptions::default())
    }

    const LIMIT_RANGE: &str = "apiVersion: v1\nkind: LimitRange\nmetadata: {name: defaults, namespace: shop}\nspec:\n  limits:\n    - type: Container\n      max: {cpu: '2'}\n      defaultRequest: {memory: 128Mi}\n";
    const DEPLOYMENT: &str = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: checkout, namespace: shop}
spec:
  template:
    spec:
      initContainers:
        - name: migrate
          image: m
      containers:
        - name: checkout
          image: c
          resources:
            limits: {memory: 512Mi}
";

    #[test]
    fn reports_values_sources_and_the_class() {
        let ws = workspace(&[
            ("shop/lr.yaml", LIMIT_RANGE),
            ("shop/deploy.yaml", DEPLOYMENT),
        ]);
        let report = report(&ws);
        assert_eq!(report.workloads.len(), 1);
        let w = &report.workloads[0];
        assert_eq!(w.qos_class, "Burstable");
        assert_eq!(w.limit_ranges, vec!["defaults"]);
        assert_eq!(w.line, 2);
        let names: Vec<(&str, &str)> = w
            .containers
            .iter()
            .map(|c| (c.name.as_str(), c.kind.as_str()))
            .collect();
        assert_eq!(names, vec![("migrate", "init"), ("checkout", "container")]);
        let checkout = &w.containers[1];
        assert_eq!(checkout.requests["memory"].source, "request-from-limit");
        assert_eq!(checkout.requests["memory"].value, "512Mi");
        assert_eq!(checkout.requests["memory"].line, 14);
        let cpu = &checkout.limits["cpu"];
        assert_eq!(cpu.source, "limitrange-default");
        assert_eq!(cpu.limit_range.as_deref(), Some("defaults"));
        assert_eq!(cpu.field.as_deref(), Some("default"));
        assert_eq!(cpu.written_in.as_deref(), Some("max"));
        assert_eq!(cpu.path, "shop/lr.yaml");
        let json = serde_json::to_value(&report).expect("serializable");
        assert_eq!(json["version"], 1);
        assert_eq!(json["workloads"][0]["qosClass"], "Burstable");
        assert_eq!(json["workloads"][0]["containers"][0]["type"], "init");
        assert_eq!(
            json["workloads"][0]["containers"][1]["limits"]["cpu"]["writtenIn"],
            "max"
        );
        assert!(
            json["workloads"][0]["containers"][1]["limits"]["memory"]
                .get("limitRange")
                .is_none()
        );
    }

    #[test]
    fn human_output_is_a_table() {
        let ws = workspace(&[
            ("shop/lr.yaml", LIMIT_RANGE),
            ("shop/deploy.yaml", DEPLOYMENT),
        ]);
        let text = human(&report(&ws));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "Deployment shop/checkout  (shop/deploy.yaml:2)");
        assert!(lines[1].starts_with("  QoS class: Burstable ("), "{text}");
        assert_eq!(lines[2], "  LimitRanges: defaults");
        assert!(lines[3].starts_with("  CONTAINER"), "{text}");
        assert!(text.contains("migrate (init)"), "{text}");
        assert!(
            text.contains("LimitRange `defaults` default (from its max)"),
            "{text}"
        );
        assert!(text.contains("request defaults to the limit"), "{text}");
        assert_eq!(
            human(&InspectReport {
                version: 1,
                workloads: Vec::new()
            }),
            "no workloads with pod templates found\n"
        );
    }
}
