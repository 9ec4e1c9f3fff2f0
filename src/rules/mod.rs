//! The rule engine. A rule is a pure function from the workspace (or one object of it) to
//! findings; the registry maps rule ids to rules, and the catalogue gives their severities.

mod ambiguous_scalar;
mod api_versions;
mod committed_secret;
mod dangling_object_reference;
mod dangling_reference;
mod dockerfile_secret;
mod duplicate_object;
mod hardcoded_credential;
mod hpa_missing_requests;
mod image_pull_policy;
mod image_pull_secret_missing;
mod invalid_name;
mod latest_image_tag;
mod pdb_blocks_eviction;
mod plaintext_secret_arg;
mod plaintext_secret_env;
pub(crate) mod pod_security;
mod probes;
mod resources;
mod schema_violation;
mod secret_data;
mod secret_in_configmap;
mod secret_type_keys;
mod selector_mismatch;
mod services;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::config::RuleParams;
use crate::finding::{Finding, internal_error};
use crate::load::{Document, NodeId};
use crate::model::{Object, ObjectId, PodSpecRef, Workspace};
use crate::rule_id::{RuleId, RuleName, RuleStage};
use crate::timings::{self, Phase, RuleRun, Spent, Stamp};

/// What a rule sees when it checks one object.
pub struct ObjectContext<'a> {
    pub ws: &'a Workspace,
    pub id: ObjectId,
    pub object: &'a Object,
    pub doc: &'a Document,
    /// The pod specs inside this object (empty for objects that run no pods).
    pub pod_specs: &'a [PodSpecRef],
    /// JSON views of this object's nodes, built once for every rule that needs one.
    pub json: JsonCache,
}

/// JSON views ([`crate::load::json::to_json`]) of nodes of one object, built on first use and
/// shared by the rules checking that object: every declarative rule validates a JSON value, and
/// converting the same pod spec once per rule (and freeing it again) was a sixth of a run on the
/// benchmark corpus (callgrind).
#[derive(Default)]
pub struct JsonCache(std::cell::RefCell<Vec<(NodeId, std::rc::Rc<serde_json::Value>)>>);

impl JsonCache {
    pub fn get(&self, doc: &Document, node: NodeId) -> std::rc::Rc<serde_json::Value> {
        if let Some((_, value)) = self.0.borrow().iter().find(|(n, _)| *n == node) {
            return value.clone();
        }
        let value = std::rc::Rc::new(crate::load::json::to_json(doc, node));
        self.0.borrow_mut().push((node, value.clone()));
        value
    }
}

impl ObjectContext<'_> {
    /// A finding about this object, with its identity attached.
    pub fn finding(
        &self,
        rule: impl Into<RuleName>,
        span: crate::source::Span,
        message: impl Into<String>,
    ) -> Finding {
        Finding::new(rule, self.object.file, span, message).object(Some(self.object.identity()))
    }
}

/// The id of a code rule, given by its catalogue entry: `build.rs` implements this for the
/// type named in `rules/<id>.yaml`'s `implementation:`, and registers the type.
pub trait HasRuleId {
    const ID: RuleId;
}

/// The id a rule's findings carry: a built-in rule's [`HasRuleId::ID`], or a custom policy's.
pub trait RuleIdentity {
    fn id(&self) -> RuleName;
}

impl<T: HasRuleId> RuleIdentity for T {
    fn id(&self) -> RuleName {
        RuleName::Builtin(T::ID)
    }
}

include!(concat!(env!("OUT_DIR"), "/rule_registry.rs"));

pub trait Rule: Send + Sync + RuleIdentity {
    /// Takes the rule's parameters from the config. Rules without parameters reject any.
    fn configure(&mut self, params: &RuleParams) -> Result<(), String> {
        match params.keys().next() {
            Some(key) => Err(format!("rule `{}` has no parameter `{key}`", self.id())),
            None => Ok(()),
        }
    }

    /// Checks one object. Called for every object, in parallel.
    fn check_object(&self, _cx: &ObjectContext<'_>, _out: &mut Vec<Finding>) {}

    /// Checks relations across objects (e.g. a Deployment against its namespace's
    /// LimitRange). Called once per run.
    fn check_workspace(&self, _ws: &Workspace, _out: &mut Vec<Finding>) {}
}

/// Every built-in rule that checks objects: the code rules of the catalogue (declarative ones
/// are added by the registry, which compiles their schemas).
pub fn builtin_rules() -> Vec<Box<dyn Rule>> {
    code_rules()
}

/// Built-in rules reported outside the rule engine (while reading sources, or by the
/// pipeline itself).
pub fn non_check_rules() -> impl Iterator<Item = RuleId> {
    RuleId::ALL
        .iter()
        .copied()
        .filter(|id| matches!(id.stage(), RuleStage::Source | RuleStage::Pipeline))
}

/// Runs every rule over the workspace, in parallel over objects.
///
/// With `--timings` ([`crate::timings`]), each rule's time on each object is taken (a thread
/// CPU clock reading between rules) and summed over threads; without it the loop reads no clock.
pub fn run_rules(ws: &Workspace, rules: &[Box<dyn Rule>]) -> Vec<Finding> {
    let timed = timings::enabled();
    let object_times: Mutex<Vec<Spent>> = Mutex::new(if timed {
        vec![Spent::default(); rules.len()]
    } else {
        Vec::new()
    });
    let mut findings: Vec<Finding> = (0..ws.objects.len())
        .into_par_iter()
        .flat_map_iter(|id| {
            let Some(object) = ws.objects.get(id) else {
                return Vec::new();
            };
            let cx = ObjectContext {
                ws,
                id,
                object,
                doc: ws.document(object),
                pod_specs: ws.pod_specs_of(id),
                json: JsonCache::default(),
            };
            let mut out = Vec::new();
            if timed {
                let mut spent = vec![Spent::default(); rules.len()];
                let mut last = Stamp::thread();
                for (rule, slot) in rules.iter().zip(spent.iter_mut()) {
                    check_object(rule.as_ref(), &cx, &mut out);
                    let now = Stamp::thread();
                    slot.add(last.until(now));
                    last = now;
                }
                if let Ok(mut total) = object_times.lock() {
                    for (total, spent) in total.iter_mut().zip(spent) {
                        total.add(spent);
                    }
                }
            } else {
                for rule in rules {
                    check_object(rule.as_ref(), &cx, &mut out);
                }
            }
            out
        })
        .collect();
    timings::lap(Phase::ObjectRules);
    if timed && let Ok(spent) = object_times.into_inner() {
        let names: Vec<RuleName> = rules.iter().map(|rule| rule.id()).collect();
        let readings = ws.objects.len().saturating_mul(rules.len());
        timings::add_rules(
            RuleRun::Object,
            u64::try_from(readings).unwrap_or(u64::MAX),
            names.iter().map(|name| name.as_str()).zip(spent),
        );
    }
    let across: Vec<Finding> = rules
        .par_iter()
        .flat_map_iter(|rule| {
            let started = timings::start();
            let mut out = Vec::new();
            let checked = catch_unwind(AssertUnwindSafe(|| rule.check_workspace(ws, &mut out)));
            if let Err(payload) = checked {
                // A check across objects has no file of its own: report at the first object.
                out.clear();
                if let Some(first) = ws.objects.first() {
                    let during = format!("rule `{}` checked relations across objects", rule.id());
                    out.push(internal_error(
                        first.file,
                        first.kind_span,
                        &during,
                        &*payload,
                    ));
                }
            }
            if let Some(started) = started {
                let name = rule.id();
                let spent = started.until(Stamp::thread());
                // Rules that check nothing across objects are not listed.
                if spent.wall >= timings::LISTED {
                    timings::add_rules(RuleRun::Workspace, 0, [(name.as_str(), spent)]);
                }
            }
            out
        })
        .collect();
    timings::lap(Phase::WorkspaceRules);
    findings.extend(across);
    findings
}

/// Runs one rule on one object. A panic is caught at the object's boundary (the rule's partial
/// findings for this object are dropped) and reported as `internal-error`.
fn check_object(rule: &dyn Rule, cx: &ObjectContext<'_>, out: &mut Vec<Finding>) {
    let before = out.len();
    let checked = catch_unwind(AssertUnwindSafe(|| rule.check_object(cx, out)));
    if let Err(payload) = checked {
        out.truncate(before);
        let object = cx.object;
        let during = format!(
            "rule `{}` checked {}",
            rule.id(),
            object.identity().describe()
        );
        out.push(
            internal_error(object.file, object.kind_span, &during, &*payload)
                .object(Some(object.identity())),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::catalogue;

    #[test]
    fn built_in_catalogue_entries_are_fully_documented() {
        for entry in catalogue::catalogue() {
            assert!(
                !entry.rationale.trim().is_empty(),
                "{}: no rationale",
                entry.id
            );
            assert!(!entry.fix.trim().is_empty(), "{}: no fix", entry.id);
            assert!(entry.examples.is_some(), "{}: no examples", entry.id);
            assert_ne!(entry.category, "custom", "{}: no category", entry.id);
        }
    }
}
