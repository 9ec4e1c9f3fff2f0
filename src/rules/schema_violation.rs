//! `schema-violation`: an object that the API server would reject when decoding or validating
//! it against its kind's schema, as `kubectl apply --validate=strict` does: unknown fields,
//! wrong types, missing required fields, values outside an enum. Built-in kinds use the
//! embedded schemas of the target Kubernetes version (`crate::schema`); custom resources use
//! the CustomResourceDefinitions found in the run (`crate::model::crd`).
//!
//! One finding per root cause: a node with the wrong type is reported once (not also for its
//! children or its enum), an unknown key that looks like a missing required field
//! (`Name:` for `name`) is reported as the unknown key only, and values other rules own are
//! left to them (see [`owned_elsewhere`]).

use crate::rule_id::RuleId;
use crate::rules::HasRuleId;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

use jsonschema::error::ValidationErrorKind;
use jsonschema::paths::LocationSegment;
use rayon::prelude::*;
use serde_json::Value;

use super::Rule;
use super::ambiguous_scalar::{ambiguity, path_text};
use super::api_versions::{self, ApiStatus};
use crate::finding::Finding;
use crate::load::json::to_json;
use crate::load::locate::locate;
use crate::load::scalar::ScalarValue;
use crate::load::{Document, NodeId, NodeKind};
use crate::model::crd::CrdIndex;
use crate::model::{Object, Workspace};
use crate::schema::walk::{Seg, describe_types, kubeward_type, property_names, schema_at};
use crate::schema::{KindSchema, Lookup, is_builtin_api_group, lookup};
use crate::source::Span;
use crate::source::absolute_normalized;
use crate::suggest::{did_you_mean, hint};

#[derive(Default)]
pub(crate) struct SchemaViolation;

const ID: RuleId = <SchemaViolation as HasRuleId>::ID;

/// Core-group kinds that live in manifests' repositories but are not API objects (kubeconfig
/// files are `apiVersion: v1`, `kind: Config`; kube-scheduler's legacy policy file is
/// `kind: Policy`).
const NOT_API_OBJECTS: &[&str] = &["Config", "Policy"];

impl Rule for SchemaViolation {
    /// Every object, in parallel, with what the run knows: the CRDs and the kustomize patches
    /// (both built once per run).
    fn check_workspace(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        let any_custom = ws.objects.iter().any(|o| !is_builtin(o));
        let crds = if any_custom {
            CrdIndex::new(ws)
        } else {
            CrdIndex::default()
        };
        let patches = kustomize_patches(ws);
        let found: Vec<Finding> = (0..ws.objects.len())
            .into_par_iter()
            .flat_map_iter(|id| {
                let Some(object) = ws.objects.get(id) else {
                    return Vec::new();
                };
                let path = absolute_normalized(Path::new(&ws.source(object.file).path));
                let run = Run {
                    ws,
                    object,
                    doc: ws.document(object),
                    fragment: patches.contains(&path) || is_fragment(ws, id),
                };
                if is_builtin(object) {
                    check_builtin(&run)
                } else {
                    check_custom(&run, &crds)
                }
            })
            .collect();
        out.extend(found);
    }
}

/// One object being checked, and what the run knows about it.
struct Run<'a> {
    ws: &'a Workspace,
    object: &'a Object,
    doc: &'a Document,
    /// A kustomize patch (listed in a kustomization's `patches`), or a pod template whose
    /// containers have no `image`: a fragment merged into a base, so required fields may be
    /// missing.
    fragment: bool,
}

impl Run<'_> {
    fn finding(&self, span: Span, message: String) -> Finding {
        Finding::new(ID, self.object.file, span, message).object(Some(self.object.identity()))
    }

    fn value_span(&self, key: &str) -> Span {
        self.doc
            .get(self.object.node, key)
            .map_or(self.object.kind_span, |v| self.doc.span(v))
    }
}

/// Built in: the group is one of Kubernetes' own, and the apiVersion looks like one (a ksonnet
/// `apiVersion: 0.1.0` is not the core group).
fn is_builtin(object: &Object) -> bool {
    let version = object
        .api_version
        .rsplit('/')
        .next()
        .unwrap_or(&object.api_version);
    let looks_like_version = version
        .strip_prefix('v')
        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()));
    looks_like_version && is_builtin_api_group(crate::schema::group_of(&object.api_version))
}

fn check_builtin(run: &Run<'_>) -> Vec<Finding> {
    let (object, ws) = (run.object, run.ws);
    let version = ws.options.kube_version();
    let mut out = Vec::new();
    match lookup(version, &object.api_version, &object.kind) {
        Lookup::Found(schema) => {
            let subject = format!("Kubernetes {version}");
            for problem in validate(run, &schema, &subject, true) {
                let base = run.finding(problem.span, String::new());
                out.push(problem.into_finding(base));
            }
        }
        Lookup::NotBuiltin => {}
        // Removed and deprecated apiVersions are `removed-api-version`'s to report.
        _ if api_versions::status(version, &object.api_version, &object.kind)
            != ApiStatus::Current => {}
        Lookup::UnknownKind(_) if NOT_API_OBJECTS.contains(&object.kind.as_str()) => {}
        Lookup::UnknownKind(kinds) => {
            out.push(
                run.finding(
                    run.value_span("kind"),
                    format!(
                        "Kubernetes {version} has no kind `{}` in `{}`{}",
                        object.kind,
                        object.api_version,
                        hint(&object.kind, kinds.iter().copied())
                    ),
                )
                .label("unknown kind")
                .help(format!(
                    "`{}` serves {}",
                    object.api_version,
                    list(kinds.iter().copied(), 12)
                )),
            );
        }
        Lookup::UnservedApiVersion(served) => {
            let help = if served.is_empty() {
                format!("Kubernetes {version} serves no version of this API group")
            } else {
                format!(
                    "Kubernetes {version} serves {}",
                    list(served.iter().copied(), 12)
                )
            };
            out.push(
                run.finding(
                    run.value_span("apiVersion"),
                    format!(
                        "Kubernetes {version} does not serve `{}`{}",
                        object.api_version,
                        hint(&object.api_version, served.iter().copied())
                    ),
                )
                .label("not served")
                .help(help),
            );
        }
    }
    out
}

fn check_custom(run: &Run<'_>, crds: &CrdIndex) -> Vec<Finding> {
    let (object, ws) = (run.object, run.ws);
    let version = object.api_version.rsplit_once('/').map_or("", |(_, v)| v);
    let Some(crd) = crds.crds.get(&(object.group.clone(), object.kind.clone())) else {
        if ws.options.strict_crds {
            return vec![
                run.finding(
                    object.kind_span,
                    format!(
                        "no schema for `{}` `{}`: no CustomResourceDefinition in the linted \
                         files defines it",
                        object.api_version, object.kind
                    ),
                )
                .label("not validated")
                .help(
                    "lint the CustomResourceDefinition together with its resources, or run \
                     without --strict-crds",
                ),
            ];
        }
        return Vec::new();
    };
    match crd.versions.get(version).map(|v| v.schema(run.ws)) {
        Some(Some(schema)) => {
            let subject = format!("the CustomResourceDefinition `{}`", crd.name);
            validate(run, schema, &subject, false)
                .into_iter()
                .map(|p| {
                    let base = run.finding(p.span, String::new());
                    p.into_finding(base)
                })
                .collect()
        }
        Some(None) => Vec::new(),
        None => {
            let Some(crd_object) = ws.objects.get(crd.object) else {
                return Vec::new();
            };
            vec![
                run.finding(
                    run.value_span("apiVersion"),
                    format!(
                        "the CustomResourceDefinition `{}` has no version `{version}`{}",
                        crd.name,
                        hint(version, crd.versions.keys().map(String::as_str))
                    ),
                )
                .label("no such version")
                .help(format!(
                    "use one of its versions: {}",
                    list(crd.versions.keys().map(String::as_str), 12)
                ))
                .related(crd_object.file, crd_object.kind_span, "defined here"),
            ]
        }
    }
}

/// Files that kustomizations in the run apply as patches (`patches[].path`,
/// `patchesStrategicMerge[]`), as normalized absolute paths.
fn kustomize_patches(ws: &Workspace) -> HashSet<PathBuf> {
    let mut out = HashSet::new();
    for file in &ws.files {
        let path = Path::new(&file.source.path);
        let is_kustomization = path.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
            matches!(
                n,
                "kustomization.yaml" | "kustomization.yml" | "Kustomization"
            )
        });
        if !is_kustomization {
            continue;
        }
        let dir = path.parent().unwrap_or(Path::new(""));
        for doc in &file.documents {
            let mut add = |node: NodeId| {
                if let Some(p) = doc.str(node) {
                    out.insert(absolute_normalized(&dir.join(p)));
                }
            };
            if let Some(list) = doc.get(doc.root, "patchesStrategicMerge") {
                for item in doc.items(list) {
                    add(*item);
                }
            }
            for key in ["patches", "patchesJson6902"] {
                if let Some(list) = doc.get(doc.root, key) {
                    for item in doc.items(list) {
                        if let Some(p) = doc.get(*item, "path") {
                            add(p);
                        }
                    }
                }
            }
        }
    }
    out
}

/// A pod template with a container that has no `image` is a fragment (the API server requires
/// an image; see `probes::is_partial`).
fn is_fragment(ws: &Workspace, id: usize) -> bool {
    let Some(object) = ws.objects.get(id) else {
        return false;
    };
    let doc = ws.document(object);
    ws.pod_specs_of(id).iter().any(|pod| {
        pod.containers(doc)
            .any(|c| crate::model::probes::is_partial(doc, &c))
    })
}

/// One problem, before it becomes a finding.
struct SchemaProblem {
    span: Span,
    message: String,
    label: &'static str,
    help: Option<String>,
}

impl SchemaProblem {
    fn into_finding(self, base: Finding) -> Finding {
        let mut finding = base.label(self.label);
        finding.message = self.message;
        match self.help {
            Some(help) => finding.help(help),
            None => finding,
        }
    }
}

#[derive(Debug)]
enum ErrorKind {
    Unknown(Vec<String>),
    Missing(String),
    Type,
    Enum(Vec<Value>),
    Bound { limit: Value, maximum: bool },
    Other(String),
}

impl ErrorKind {
    /// Lower wins at one node: the type first, then the value.
    fn rank(&self) -> u8 {
        match self {
            ErrorKind::Type => 0,
            ErrorKind::Enum(_) | ErrorKind::Bound { .. } => 1,
            ErrorKind::Other(_) => 2,
            ErrorKind::Unknown(_) | ErrorKind::Missing(_) => 3,
        }
    }
}

fn classify(kind: &ValidationErrorKind) -> Option<ErrorKind> {
    Some(match kind {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            ErrorKind::Unknown(unexpected.clone())
        }
        ValidationErrorKind::Required { property } => {
            ErrorKind::Missing(property.as_str().unwrap_or_default().to_string())
        }
        ValidationErrorKind::Type { .. } => ErrorKind::Type,
        ValidationErrorKind::Enum { options } => {
            ErrorKind::Enum(options.as_array().cloned().unwrap_or_default())
        }
        ValidationErrorKind::Maximum { limit }
        | ValidationErrorKind::ExclusiveMaximum { limit } => ErrorKind::Bound {
            limit: limit.clone(),
            maximum: true,
        },
        ValidationErrorKind::Minimum { limit }
        | ValidationErrorKind::ExclusiveMinimum { limit } => ErrorKind::Bound {
            limit: limit.clone(),
            maximum: false,
        },
        ValidationErrorKind::Pattern { pattern } => {
            ErrorKind::Other(format!("must match `{pattern}`"))
        }
        ValidationErrorKind::MaxLength { limit } => {
            ErrorKind::Other(format!("must be at most {limit} characters long"))
        }
        ValidationErrorKind::MinLength { limit } => {
            ErrorKind::Other(format!("must be at least {limit} characters long"))
        }
        ValidationErrorKind::MaxItems { limit } => {
            ErrorKind::Other(format!("must have at most {limit} items"))
        }
        ValidationErrorKind::MinItems { limit } => {
            ErrorKind::Other(format!("must have at least {limit} items"))
        }
        ValidationErrorKind::MaxProperties { limit } => {
            ErrorKind::Other(format!("must have at most {limit} fields"))
        }
        ValidationErrorKind::MinProperties { limit } => {
            ErrorKind::Other(format!("must have at least {limit} fields"))
        }
        ValidationErrorKind::UniqueItems => ErrorKind::Other("must not repeat items".into()),
        ValidationErrorKind::MultipleOf { multiple_of } => {
            ErrorKind::Other(format!("must be a multiple of {multiple_of}"))
        }
        ValidationErrorKind::OneOfNotValid { .. } | ValidationErrorKind::AnyOf { .. } => {
            ErrorKind::Other("does not match any of the forms the schema allows".into())
        }
        ValidationErrorKind::OneOfMultipleValid { .. } => {
            ErrorKind::Other("matches more than one of the forms the schema allows".into())
        }
        ValidationErrorKind::Not { .. } => {
            ErrorKind::Other("matches a form the schema forbids".into())
        }
        ValidationErrorKind::Constant { expected_value } => {
            ErrorKind::Other(format!("must be `{expected_value}`"))
        }
        // Formats are not checked (see `schema::compile`); the rest do not occur in
        // Kubernetes schemas.
        _ => return None,
    })
}

struct RawError {
    kind: ErrorKind,
    path: Vec<Seg>,
}

/// Validates an object against its schema and keeps one problem per root cause.
/// `builtin`: a built-in kind (decoded strictly into Go types) rather than a custom resource.
fn validate(
    run: &Run<'_>,
    schema: &KindSchema,
    subject: &str,
    builtin: bool,
) -> Vec<SchemaProblem> {
    let instance = to_json(run.doc, run.object.node);
    let errors = raw_errors(schema, &instance);
    if errors.is_empty() {
        return Vec::new();
    }
    let causes = RootCauses::new(&errors);
    let root = &schema.schema;
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    let mut aliased = AliasedProblems::default();
    // Errors along each node's own path first, so a node reached through aliases is reported
    // under the path where it is written (the anchor), not under the first alias's.
    let home: Vec<bool> = errors
        .iter()
        .map(|e| is_home_path(run.doc, run.object.node, &e.path))
        .collect();
    let ordered = errors
        .iter()
        .zip(&home)
        .filter(|(_, home)| **home)
        .chain(errors.iter().zip(&home).filter(|(_, home)| !**home))
        .map(|(e, _)| e);
    for e in ordered {
        if !causes.is_root_cause(e)
            || owned_elsewhere(run, root, e)
            || not_checked_on_create(run, e, builtin)
        {
            continue;
        }
        let located = locate(run.doc, run.object.node, segments(&e.path));
        let here = path_text(&e.path);
        // The same node reached again through a YAML alias: the same problem, reported once.
        if aliased.seen_before(&located, &here, &e.kind, problems.len()) {
            continue;
        }
        let at = At {
            run,
            root,
            subject,
            located,
            here,
        };
        match &e.kind {
            ErrorKind::Unknown(keys) => {
                unknown_fields(&at, &e.path, keys, &mut seen, &mut problems)
            }
            ErrorKind::Missing(name) => {
                // `Name:` for `name`: the unknown key is the root cause.
                if !causes.misspelt(&e.path, name) {
                    problems.push(missing_field(&at, &e.path, name));
                }
            }
            ErrorKind::Type => problems.extend(wrong_type(&at, &e.path)),
            ErrorKind::Enum(options) => problems.push(not_allowed(&at, options)),
            ErrorKind::Bound { limit, maximum } => {
                problems.push(out_of_range(&at, limit, *maximum));
            }
            ErrorKind::Other(what) => problems.push(rejected(&at, what)),
        }
        aliased.close(problems.len());
    }
    aliased.annotate(&mut problems);
    problems
}

/// Does `path` from `from` lead through nodes written inside each other, not through an
/// alias (whose target is written elsewhere, outside its parent's text)?
fn is_home_path(doc: &Document, from: NodeId, path: &[Seg]) -> bool {
    let mut node = from;
    for seg in path {
        let child = match seg {
            Seg::Key(key) => doc.entry(node, key).map(|e| e.value),
            Seg::Index(i) if doc.is_mapping(node) => {
                doc.entry(node, &i.to_string()).map(|e| e.value)
            }
            Seg::Index(i) => doc.items(node).get(*i).copied(),
        };
        let Some(child) = child else {
            return true;
        };
        let (outer, inner) = (doc.span(node), doc.span(child));
        if inner.start < outer.start || inner.end > outer.end {
            return false;
        }
        node = child;
    }
    true
}

/// Problems at a node that YAML aliases reach from several places. The tree shares an
/// anchored node with every alias to it, so one wrong value reached through N aliases comes
/// back from the schema N+1 times, under N+1 paths: an anchored mapping aliased in a list,
/// aliased again in another list, multiplies them (a 4 KB file gave 160,000). Each is
/// reported once, at the anchored node (the first path to reach it, in document order), with
/// how many other places use it.
#[derive(Default)]
struct AliasedProblems {
    /// (node, kind of problem) -> index into `groups`.
    by_node: std::collections::HashMap<(NodeId, String), usize>,
    /// The problems one root error produced (a range of `problems`), and how many more times
    /// it was reached.
    groups: Vec<(std::ops::Range<usize>, usize)>,
}

impl AliasedProblems {
    /// True when this error was already reported at the same node; otherwise opens a group
    /// starting at `next` (closed by [`Self::close`]).
    fn seen_before(
        &mut self,
        located: &crate::load::locate::Located,
        here: &str,
        kind: &ErrorKind,
        next: usize,
    ) -> bool {
        let what = match kind {
            ErrorKind::Unknown(keys) => format!("unknown {keys:?}"),
            ErrorKind::Missing(name) => format!("missing {name}"),
            ErrorKind::Type => "type".to_string(),
            ErrorKind::Enum(_) => "enum".to_string(),
            ErrorKind::Bound { maximum, .. } => format!("bound {maximum}"),
            ErrorKind::Other(what) => format!("other {what}"),
        };
        // A path that stopped short names its parent: keep such problems apart by path.
        let what = if located.complete {
            what
        } else {
            format!("{what} at {here}")
        };
        match self.by_node.entry((located.node, what)) {
            std::collections::hash_map::Entry::Occupied(group) => {
                if let Some((_, count)) = self.groups.get_mut(*group.get()) {
                    *count += 1;
                }
                true
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(self.groups.len());
                self.groups.push((next..next, 0));
                false
            }
        }
    }

    /// Ends the group opened last at `end`.
    fn close(&mut self, end: usize) {
        if let Some((range, _)) = self.groups.last_mut() {
            range.end = end.max(range.start);
        }
    }

    fn annotate(&self, problems: &mut [SchemaProblem]) {
        for (range, count) in &self.groups {
            if *count == 0 {
                continue;
            }
            let places = if *count == 1 { "place" } else { "places" };
            for problem in problems.get_mut(range.clone()).unwrap_or_default() {
                problem.message.push_str(&format!(
                    " (this node is anchored: YAML aliases also use it at {count} other \
                     {places})"
                ));
            }
        }
    }
}

/// The schema's errors for an instance, with the instance paths as segments.
fn raw_errors(schema: &KindSchema, instance: &Value) -> Vec<RawError> {
    schema
        .validator
        .iter_errors(instance)
        .filter_map(|error| {
            let kind = classify(error.kind())?;
            let path = error
                .instance_path()
                .segments()
                .map(|s| match s {
                    LocationSegment::Property(name) => Seg::Key(name.into_owned()),
                    LocationSegment::Index(i) => Seg::Index(i),
                })
                .collect();
            Some(RawError { kind, path })
        })
        .collect()
}

/// Which errors are root causes: nothing under or at a node with the wrong type is reported
/// again, only the most specific kind of error at a node is, and a missing field that an
/// unknown key misspells is not. Lookups are by path (hash sets), so an object with many
/// errors costs linear time, not the square of them.
struct RootCauses<'e> {
    /// Nodes with the wrong type.
    typed: HashSet<&'e [Seg]>,
    /// Unknown keys, by the mapping holding them.
    unknown: std::collections::HashMap<&'e [Seg], Vec<&'e str>>,
    /// The best (lowest) rank of a value error at each node.
    best_at_node: std::collections::HashMap<&'e [Seg], u8>,
}

impl<'e> RootCauses<'e> {
    fn new(errors: &'e [RawError]) -> RootCauses<'e> {
        let mut causes = RootCauses {
            typed: HashSet::new(),
            unknown: Default::default(),
            best_at_node: Default::default(),
        };
        for e in errors {
            match &e.kind {
                ErrorKind::Type => {
                    causes.typed.insert(e.path.as_slice());
                }
                ErrorKind::Unknown(keys) => causes
                    .unknown
                    .entry(e.path.as_slice())
                    .or_default()
                    .extend(keys.iter().map(String::as_str)),
                _ => {}
            }
            if matches!(
                e.kind,
                ErrorKind::Type
                    | ErrorKind::Enum(_)
                    | ErrorKind::Bound { .. }
                    | ErrorKind::Other(_)
            ) {
                let rank = causes
                    .best_at_node
                    .entry(e.path.as_slice())
                    .or_insert(u8::MAX);
                *rank = (*rank).min(e.kind.rank());
            }
        }
        causes
    }

    fn is_root_cause(&self, e: &RawError) -> bool {
        let under_wrong_type = (0..e.path.len())
            .filter_map(|n| e.path.get(..n))
            .any(|prefix| self.typed.contains(prefix))
            || (!matches!(e.kind, ErrorKind::Type) && self.typed.contains(e.path.as_slice()));
        if under_wrong_type {
            return false;
        }
        !self
            .best_at_node
            .get(e.path.as_slice())
            .is_some_and(|rank| e.kind.rank() > *rank && e.kind.rank() < 3)
    }

    /// An unknown key in the same mapping is a misspelling of the missing `name`.
    fn misspelt(&self, path: &[Seg], name: &str) -> bool {
        self.unknown
            .get(path)
            .is_some_and(|keys| keys.iter().any(|key| did_you_mean(key, [name]).is_some()))
    }
}

/// Where a problem is: the object, its schema, and the node the error names.
struct At<'a> {
    run: &'a Run<'a>,
    root: &'a Value,
    subject: &'a str,
    located: crate::load::locate::Located,
    /// The node's path as users write it (`spec.template.spec`).
    here: String,
}

impl At<'_> {
    fn value_span(&self) -> Span {
        value_span(self.run.doc, &self.located, self.run.object)
    }

    /// `the object` or `` `spec.replicas` ``.
    fn node_text(&self) -> String {
        if self.here.is_empty() {
            "the object".to_string()
        } else {
            format!("`{}`", self.here)
        }
    }
}

fn unknown_fields(
    at: &At<'_>,
    path: &[Seg],
    keys: &[String],
    seen: &mut HashSet<(String, String)>,
    problems: &mut Vec<SchemaProblem>,
) {
    let (doc, object, subject, here) = (at.run.doc, at.run.object, at.subject, &at.here);
    let allowed = schema_at(at.root, path);
    let names = allowed
        .map(|a| property_names(a.schema))
        .unwrap_or_default();
    let type_name = allowed.and_then(|a| a.type_name);
    for key in keys {
        if !seen.insert((here.clone(), key.clone())) {
            continue;
        }
        let span = doc
            .key_span(at.located.node, key)
            .or(at.located.key)
            .unwrap_or(object.kind_span);
        let suggestion = suggest_field(key, &names);
        let place = if here.is_empty() {
            "at the top level".to_string()
        } else {
            format!("in `{here}`")
        };
        let message = format!(
            "unknown field `{key}` {place}{}",
            suggestion
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default()
        );
        let fields = match type_name {
            Some(name) => format!("{name} in {subject} has"),
            None => format!("{subject} allows"),
        };
        let help = match suggestion {
            Some(s) => format!("rename it to `{s}`"),
            None if names.is_empty() => format!("remove it: {subject} allows no fields here"),
            None => format!(
                "remove or move it: {fields} {}",
                list(names.iter().copied(), 12)
            ),
        };
        problems.push(SchemaProblem {
            span,
            message,
            label: "unknown field",
            help: Some(help),
        });
    }
}

fn missing_field(at: &At<'_>, path: &[Seg], name: &str) -> SchemaProblem {
    let object = at.run.object;
    let span = if path.is_empty() {
        object.kind_span
    } else {
        at.located.key.unwrap_or(object.kind_span)
    };
    let message = if at.here.is_empty() {
        format!("the object is missing the required field `{name}`")
    } else {
        format!("`{}` is missing the required field `{name}`", at.here)
    };
    SchemaProblem {
        span,
        message,
        label: "missing a required field",
        help: Some(format!("add `{name}`: {} requires it", at.subject)),
    }
}

fn wrong_type(at: &At<'_>, path: &[Seg]) -> Option<SchemaProblem> {
    let (doc, node, here, subject) = (at.run.doc, at.located.node, &at.here, at.subject);
    if is_null(doc, node) {
        // JSON null decodes to the zero value: for a required field, an empty one.
        return Some(SchemaProblem {
            span: at.located.key.unwrap_or(at.run.object.kind_span),
            message: format!("`{here}` is empty (null), but it is required"),
            label: "empty required field",
            help: Some(format!("give it a value: {subject} requires it")),
        });
    }
    if doc
        .scalar(node)
        .is_some_and(|s| s.value() == ScalarValue::BigInt)
    {
        return Some(SchemaProblem {
            span: at.value_span(),
            message: format!(
                "`{here}` is too large: the API server decodes at most 64-bit integers"
            ),
            label: "out of range",
            help: None,
        });
    }
    let schema = schema_at(at.root, path)?;
    let wanted = describe_types(schema.schema);
    let actual = describe_node(doc, node);
    Some(SchemaProblem {
        span: at.value_span(),
        message: format!("`{here}` must be {wanted}, not {actual}"),
        label: "wrong type",
        help: type_help(doc, node, schema.schema),
    })
}

fn not_allowed(at: &At<'_>, options: &[Value]) -> SchemaProblem {
    let choices: Vec<&str> = options
        .iter()
        .filter_map(Value::as_str)
        .filter(|s| !s.is_empty())
        .collect();
    let text = at.run.doc.str(at.located.node).unwrap_or_default();
    SchemaProblem {
        span: at.value_span(),
        message: format!(
            "`{}` must be one of {}, not `{text}`{}",
            at.here,
            list(choices.iter().copied(), 20),
            hint(text, choices.iter().copied())
        ),
        label: "not an allowed value",
        help: Some(format!(
            "{} accepts only these values (case matters)",
            at.subject
        )),
    }
}

fn out_of_range(at: &At<'_>, limit: &Value, maximum: bool) -> SchemaProblem {
    let (word, int32) = if maximum {
        ("at most", limit.as_i64() == Some(i64::from(i32::MAX)))
    } else {
        ("at least", limit.as_i64() == Some(i64::from(i32::MIN)))
    };
    let why = if int32 {
        " (the field is a 32-bit integer)"
    } else {
        ""
    };
    SchemaProblem {
        span: at.value_span(),
        message: format!("`{}` must be {word} {limit}{why}", at.here),
        label: "out of range",
        help: None,
    }
}

fn rejected(at: &At<'_>, what: &str) -> SchemaProblem {
    SchemaProblem {
        span: at.value_span(),
        message: format!("{} {what}", at.node_text()),
        label: "rejected by the schema",
        help: Some(format!("{} says so", at.subject)),
    }
}

fn segments(path: &[Seg]) -> impl Iterator<Item = LocationSegment<'_>> {
    path.iter().map(|s| match s {
        Seg::Key(k) => LocationSegment::Property(std::borrow::Cow::Borrowed(k.as_str())),
        Seg::Index(i) => LocationSegment::Index(*i),
    })
}

fn value_span(doc: &Document, located: &crate::load::locate::Located, object: &Object) -> Span {
    if located.path.is_empty() {
        object.kind_span
    } else {
        doc.span(located.node)
    }
}

/// Errors other rules report, or that are not errors in the manifest as written:
/// - values inside probes (`invalid-probe` checks their types, ranges and required fields;
///   unknown fields in probes stay here);
/// - any scalar in a Quantity field (`invalid-quantity` parses quantities as the API server
///   does; a quantity is a string or a number, so its type is part of its syntax);
/// - a YAML 1.1 surprise (`value: yes` is a boolean) where a string belongs
///   (`ambiguous-scalar` explains it);
/// - template placeholders (`${REPLICAS}`, `{{ .Values.x }}`): not the final value.
fn owned_elsewhere(run: &Run<'_>, root: &Value, e: &RawError) -> bool {
    const PROBES: &[&str] = &["livenessProbe", "readinessProbe", "startupProbe"];
    let doc = run.doc;
    let in_probe = e
        .path
        .iter()
        .any(|s| matches!(s, Seg::Key(k) if PROBES.contains(&k.as_str())));
    if in_probe && !matches!(e.kind, ErrorKind::Unknown(_)) {
        return true;
    }
    if matches!(e.kind, ErrorKind::Unknown(_) | ErrorKind::Missing(_)) {
        return false;
    }
    let located = locate(doc, run.object.node, segments(&e.path));
    let Some(scalar) = doc.scalar(located.node) else {
        return false;
    };
    if schema_at(root, &e.path).is_some_and(|at| kubeward_type(at.schema) == Some("quantity")) {
        return true;
    }
    if matches!(e.kind, ErrorKind::Type) && ambiguity(&scalar).is_some() {
        return true;
    }
    if is_null(doc, located.node) {
        // `name: ##NAME##`: a placeholder that YAML reads as a comment.
        let text = &run.ws.source(run.object.file).text;
        let after_key = located.key.map_or(doc.span(located.node).start, |k| k.end);
        let rest = text.get(after_key..).unwrap_or_default();
        let line = rest.lines().next().unwrap_or_default();
        let value = line.trim_start_matches(':').trim_start();
        return value.starts_with("##");
    }
    crate::model::names::is_template_placeholder(scalar.text)
}

/// What the API server does not check when an object is created: required fields of a
/// fragment (a kustomize patch), and the `status` (reset on create by built-in kinds'
/// strategies and by CRDs with a status subresource) except its decoding (unknown fields,
/// and types of built-in kinds).
fn not_checked_on_create(run: &Run<'_>, e: &RawError, builtin: bool) -> bool {
    if run.fragment && matches!(e.kind, ErrorKind::Missing(_)) {
        return true;
    }
    let in_status = matches!(e.path.first(), Some(Seg::Key(k)) if k == "status");
    in_status
        && match e.kind {
            ErrorKind::Unknown(_) => false,
            ErrorKind::Type => !builtin,
            _ => true,
        }
}

fn is_null(doc: &Document, node: NodeId) -> bool {
    doc.scalar(node)
        .is_some_and(|s| matches!(s.value(), ScalarValue::Null))
}

/// "a string", "a mapping", "null", for messages (never the value itself: it may be secret).
fn describe_node(doc: &Document, node: NodeId) -> String {
    match doc.kind(node) {
        NodeKind::Mapping(_) => "a mapping".into(),
        NodeKind::Sequence(_) => "a list".into(),
        NodeKind::Scalar(scalar) => {
            let quoted = if scalar.style.is_quoted() {
                "quoted "
            } else {
                ""
            };
            match scalar.value() {
                ScalarValue::Null => "null (an empty value)".into(),
                ScalarValue::Bool(_) => "a boolean".into(),
                ScalarValue::Int(_) | ScalarValue::BigInt => "an integer".into(),
                ScalarValue::Float(_) => "a number".into(),
                ScalarValue::String => format!("a {quoted}string"),
            }
        }
    }
}

fn type_help(doc: &Document, node: NodeId, schema: &Value) -> Option<String> {
    let scalar = doc.scalar(node)?;
    let types = crate::schema::walk::types(schema);
    let wants_string = types.contains(&"string");
    match scalar.value() {
        ScalarValue::String if scalar.style.is_quoted() => {
            let unquoted =
                crate::load::scalar::resolve_scalar(scalar.text, crate::load::Style::Plain, None);
            let fits = match unquoted {
                ScalarValue::Int(_) | ScalarValue::BigInt => {
                    types.contains(&"integer") || types.contains(&"number")
                }
                ScalarValue::Float(_) => types.contains(&"number"),
                ScalarValue::Bool(_) => types.contains(&"boolean"),
                _ => false,
            };
            fits.then(|| "remove the quotes: quoted, the value is a string".to_string())
        }
        ScalarValue::Int(_)
        | ScalarValue::BigInt
        | ScalarValue::Float(_)
        | ScalarValue::Bool(_)
            if wants_string =>
        {
            Some("quote the value: unquoted, YAML reads it as a number or a boolean".to_string())
        }
        ScalarValue::Null => Some("give it a value, or remove the key".to_string()),
        _ => None,
    }
}

/// The valid field an unknown key most likely meant: the closest by edit distance, else the
/// only field that ends with it (`name` in a Secret volume, which calls it `secretName`).
fn suggest_field<'a>(key: &str, names: &[&'a str]) -> Option<&'a str> {
    if let Some(found) = did_you_mean(key, names.iter().copied()) {
        return Some(found);
    }
    let lower = key.to_lowercase();
    if lower.len() < 3 {
        return None;
    }
    let mut ending = names
        .iter()
        .filter(|n| n.len() > lower.len() && n.to_lowercase().ends_with(&lower));
    match (ending.next(), ending.next()) {
        (Some(only), None) => Some(only),
        _ => None,
    }
}

/// `a`, `b`, `c` (and 3 more).
fn list<'a>(items: impl Iterator<Item = &'a str>, max: usize) -> String {
    let items: Vec<&str> = items.collect();
    let shown: Vec<String> = items.iter().take(max).map(|i| format!("`{i}`")).collect();
    let mut text = shown.join(", ");
    if items.len() > max {
        text.push_str(&format!(" (and {} more)", items.len() - max));
    }
    text
}
