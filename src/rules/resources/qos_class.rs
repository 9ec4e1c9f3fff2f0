//! `qos-class`: a workload whose pods get a QoS class below the configured minimum
//! (parameter `minimum`: `BestEffort`, `Burstable` or `Guaranteed`; default `Burstable`).
//! The class is computed as Kubernetes computes it, on effective resources.
//!
//! One cause, one finding: at the default setting (no `minimum` in the config) a BestEffort
//! pod whose containers lack requests is left to `missing-requests` (and `missing-limits`),
//! which already say so per container; the rule then reports only BestEffort pods those rules
//! are silent on (requests of zero, for instance). With a `minimum` configured, every pod
//! below it is reported, BestEffort included: the user asked for it.

use super::super::{ObjectContext, Rule};
use super::{lacks_requests, pod_anchor, pod_label, pods};
use crate::config::RuleParams;
use crate::finding::Finding;
use crate::model::qos::{QosClass, compute_qos};
use crate::rule_id::RuleId;
use crate::rules::HasRuleId;

pub(crate) struct QosClassRule {
    minimum: QosClass,
    /// Whether the config set `minimum` (even to the default).
    configured: bool,
}

impl Default for QosClassRule {
    fn default() -> Self {
        QosClassRule {
            minimum: QosClass::Burstable,
            configured: false,
        }
    }
}

const ID: RuleId = <QosClassRule as HasRuleId>::ID;

impl Rule for QosClassRule {
    fn configure(&mut self, params: &RuleParams) -> Result<(), String> {
        for (key, value) in params {
            match key.as_str() {
                "minimum" => {
                    let text = value.as_str().ok_or_else(|| {
                        format!(
                            "rule `{ID}`: `minimum` must be one of BestEffort, Burstable, Guaranteed (a string), not {value}"
                        )
                    })?;
                    self.minimum = QosClass::parse(text).ok_or_else(|| {
                        format!(
                            "rule `{ID}`: `minimum` must be one of BestEffort, Burstable, Guaranteed, not `{text}` (the names are case-sensitive)"
                        )
                    })?;
                    self.configured = true;
                }
                other => {
                    return Err(format!(
                        "rule `{ID}` has no parameter `{other}` (it takes `minimum`)"
                    ));
                }
            }
        }
        Ok(())
    }

    fn check_object(&self, cx: &ObjectContext<'_>, out: &mut Vec<Finding>) {
        if self.minimum == QosClass::BestEffort {
            return;
        }
        for (spec, pod) in pods(cx) {
            if pod.containers.is_empty() {
                continue;
            }
            let qos = compute_qos(pod, pod.version);
            if qos.class >= self.minimum || (!self.configured && lacks_requests(pod)) {
                continue;
            }
            let span = if cx.pod_specs.len() == 1 {
                cx.object.kind_span
            } else {
                pod_anchor(cx.doc, spec.node)
            };
            let help = match self.minimum {
                QosClass::Guaranteed => {
                    "give every container and init container cpu and memory limits, with requests equal to them (or leave the requests out: they default to the limits)"
                }
                _ => "give at least one container a cpu or memory request",
            };
            out.push(
                cx.finding(
                    ID,
                    span,
                    format!(
                        "{}QoS class is {}, below the required {}: {}",
                        pod_label(cx, spec),
                        qos.class,
                        self.minimum,
                        qos.reason
                    ),
                )
                .label(format!("{} pods", qos.class))
                .help(help),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn params(value: serde_json::Value) -> RuleParams {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn configure_takes_a_minimum() {
        let mut rule = QosClassRule::default();
        assert_eq!(rule.minimum, QosClass::Burstable);
        rule.configure(&params(json!({}))).expect("no parameters");
        assert_eq!(rule.minimum, QosClass::Burstable);
        rule.configure(&params(json!({"minimum": "Guaranteed"})))
            .expect("Guaranteed");
        assert_eq!(rule.minimum, QosClass::Guaranteed);
        rule.configure(&params(json!({"minimum": "BestEffort"})))
            .expect("BestEffort");
        assert_eq!(rule.minimum, QosClass::BestEffort);
    }

    fn lint(rule: QosClassRule, text: &str) -> Vec<String> {
        use crate::load::parse_yaml;
        use crate::model::{LoadedFile, Workspace, WorkspaceOptions};
        use crate::source::SourceFile;
        let source = SourceFile::new("pods.yaml", text);
        let documents = parse_yaml(&source.text).documents;
        let ws = Workspace::new(
            vec![LoadedFile::manifest(source, documents)],
            &WorkspaceOptions::default(),
        );
        let rules: Vec<Box<dyn Rule>> = vec![Box::new(rule)];
        let mut messages: Vec<String> = crate::rules::run_rules(&ws, &rules)
            .into_iter()
            .map(|f| f.message)
            .collect();
        messages.sort();
        messages
    }

    const PODS: &str = "\
apiVersion: v1
kind: Pod
metadata: {name: best-effort}
spec:
  containers: [{name: app, image: a}]
---
apiVersion: v1
kind: Pod
metadata: {name: burstable}
spec:
  initContainers: [{name: migrate, image: m}]
  containers:
    - {name: app, image: a, resources: {limits: {cpu: 1, memory: 1Gi}}}
---
apiVersion: v1
kind: Pod
metadata: {name: guaranteed}
spec:
  containers:
    - {name: app, image: a, resources: {limits: {cpu: 1, memory: 1Gi}}}
";

    #[test]
    fn the_minimum_decides_what_is_reported() {
        let configured = |minimum: &str| {
            let mut rule = QosClassRule::default();
            rule.configure(&params(json!({ "minimum": minimum })))
                .expect("valid minimum");
            lint(rule, PODS)
        };
        assert_eq!(
            configured("Guaranteed"),
            vec![
                "QoS class is BestEffort, below the required Guaranteed: no container sets a cpu or memory request or limit above zero",
                "QoS class is Burstable, below the required Guaranteed: container `migrate` (init) has no cpu or memory limit",
            ]
        );
        assert_eq!(configured("Burstable").len(), 1);
        assert!(configured("BestEffort").is_empty());
        // At the default, the BestEffort pod without requests is missing-requests' finding.
        assert!(lint(QosClassRule::default(), PODS).is_empty());
        // Requests of zero are not missing: qos-class is the only rule that says it.
        let zeros = "apiVersion: v1\nkind: Pod\nmetadata: {name: z}\nspec:\n  containers: [{name: a, image: a, resources: {requests: {cpu: '0', memory: '0'}}}]\n";
        assert_eq!(lint(QosClassRule::default(), zeros).len(), 1);
    }

    #[test]
    fn configure_rejects_bad_values_clearly() {
        let mut rule = QosClassRule::default();
        let err = rule
            .configure(&params(json!({"minimum": "guaranteed"})))
            .expect_err("case matters");
        assert!(err.contains("BestEffort, Burstable, Guaranteed"), "{err}");
        assert!(err.contains("`guaranteed`"), "{err}");
        let err = rule
            .configure(&params(json!({"minimum": 3})))
            .expect_err("not a string");
        assert!(err.contains("a string"), "{err}");
        let err = rule
            .configure(&params(json!({"minimun": "Guaranteed"})))
            .expect_err("unknown key");
        assert!(err.contains("no parameter `minimun`"), "{err}");
        // A rejected configuration leaves the default in place.
        assert_eq!(rule.minimum, QosClass::Burstable);
    }
}
