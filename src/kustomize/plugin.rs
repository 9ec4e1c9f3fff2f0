//! kustomize's builtin plugins configured in a kustomization's `generators:` and `transformers:`
//! (inline YAML, files, or kustomization directories whose output are the configs), as
//! `kubectl kustomize` runs them: only builtins (`apiVersion: builtin`) are loaded; any other
//! plugin is refused as kustomize refuses it without `--enable-alpha-plugins`, and kubeward never
//! runs external plugins. A builtin's config drives the same code as the kustomization field it
//! backs (api/internal/target/kusttarget_configplugin.go builds these very configs from the
//! fields), with the config's own field specs instead of the defaults.
//! Cases ported from api/krusty (inlinetransformer_test.go, legacyprefixsuffixtransformer_test.go,
//! customconfigofbuiltinplugin_test.go, customconfigreusable_test.go, configmaps_test.go).

use std::path::Path;
use std::sync::Arc;

use super::build::{KustError, Note, Resource, error};
use super::fieldspec::{Config, field_specs};
use super::transform::{self, Subjects};
use super::value::{Kind, Node};
use crate::source::Span;

/// A plugin config and the `generators:`/`transformers:` entry it came from.
pub(crate) struct PluginConfig {
    pub(crate) node: Node,
    pub(crate) span: Option<Span>,
}

const GENERATORS: &[&str] = &[
    "ConfigMapGenerator",
    "SecretGenerator",
    "IAMPolicyGenerator",
    "HelmChartInflationGenerator",
];

const TRANSFORMERS: &[&str] = &[
    "AnnotationsTransformer",
    "HashTransformer",
    "ImageTagTransformer",
    "LabelTransformer",
    "NamespaceTransformer",
    "PatchJson6902Transformer",
    "PatchStrategicMergeTransformer",
    "PatchTransformer",
    "PrefixSuffixTransformer",
    "PrefixTransformer",
    "SuffixTransformer",
    "ReplacementTransformer",
    "ReplicaCountTransformer",
    "ValueAddTransformer",
];

/// kustomize's `ResId.String()` of a config: `Kind.version.group/name.namespace`.
fn org_id(n: &Node) -> String {
    let api = n.get_str("apiVersion").unwrap_or_default();
    let (group, version) = api.rsplit_once('/').unwrap_or(("", api));
    let or = |s: &str, d: &str| {
        if s.is_empty() {
            d.to_string()
        } else {
            s.to_string()
        }
    };
    let name = n.get_path(&["metadata", "name"]).and_then(Node::as_str);
    let ns = n
        .get_path(&["metadata", "namespace"])
        .and_then(Node::as_str);
    format!(
        "{}.{}.{}/{}.{}",
        or(n.get_str("kind").unwrap_or_default(), "[noKind]"),
        or(version, "[noVer]"),
        or(group, "[noGrp]"),
        name.unwrap_or_default(),
        or(ns.unwrap_or_default(), "[noNs]")
    )
}

/// The builtin kind of a config, or kustomize's error for a plugin it will not load.
fn builtin_kind(n: &Node) -> Result<&str, String> {
    let kind = n.get_str("kind").unwrap_or_default();
    if n.get_str("apiVersion") != Some("builtin") {
        // kustomize's loader (api/internal/plugins/loader/loader.go) with
        // PluginRestrictionsBuiltinsOnly, kubectl's setting.
        return Err(format!(
            "external plugins disabled; unable to load external plugin '{kind}'"
        ));
    }
    if !GENERATORS.contains(&kind) && !TRANSFORMERS.contains(&kind) {
        return Err(format!("unable to load builtin {kind}.builtin.[noGrp]"));
    }
    Ok(kind)
}

fn unimplemented(kind: &str) -> String {
    format!("kubeward does not implement the builtin plugin '{kind}' yet")
}

/// Runs the `generators:` configs: their objects join the resources.
pub(crate) fn generate(
    configs: &[PluginConfig],
    dir: &Path,
    kfile: &Path,
    res: &mut Vec<Resource>,
) -> Result<(), KustError> {
    let source: Arc<str> = Arc::from(kfile.to_string_lossy().as_ref());
    for c in configs {
        let fail = |m: String| error(kfile, c.span, format!("loading generator plugins: {m}"));
        let kind =
            builtin_kind(&c.node).map_err(|m| fail(format!("failed to load generator: {m}")))?;
        let target = match kind {
            "IAMPolicyGenerator" => {
                res.push(iam_policy(&c.node).map_err(|m| error(kfile, c.span, m))?);
                continue;
            }
            "ConfigMapGenerator" => "ConfigMap",
            "SecretGenerator" => "Secret",
            k if TRANSFORMERS.contains(&k) => {
                return Err(fail(format!(
                    "failed to load generator: plugin {} not a generator",
                    org_id(&c.node)
                )));
            }
            k => return Err(error(kfile, c.span, unimplemented(k))),
        };
        // The generator's own name and namespace, else the config's metadata
        // (plugin/builtin/configmapgenerator).
        let mut g = c.node.clone();
        for field in ["name", "namespace"] {
            if g.get_str(field).is_none_or(str::is_empty)
                && let Some(v) = c.node.get_path(&["metadata", field]).cloned()
            {
                g.set(field, v);
            }
        }
        super::generate::generate_one(&g, target, None, dir, kfile, res, &source)?;
    }
    Ok(())
}

/// IAMPolicyGenerator (api/filters/iampolicygenerator): a GKE workload-identity ServiceAccount.
fn iam_policy(n: &Node) -> Result<Resource, String> {
    let cloud = n.get_str("cloud").unwrap_or_default();
    if cloud != "gke" {
        return Err(format!("cloud provider {cloud} not supported yet"));
    }
    let get = |path: &[&str]| n.get_path(path).and_then(Node::as_str).unwrap_or_default();
    let origin = n.origin.clone();
    let mut annotations = Node::map(origin.clone());
    annotations.set(
        "iam.gke.io/gcp-service-account",
        Node::plain(
            format!(
                "{}@{}.iam.gserviceaccount.com",
                get(&["serviceAccount", "name"]),
                get(&["serviceAccount", "projectId"])
            ),
            origin.clone(),
        ),
    );
    let mut meta = Node::map(origin.clone());
    meta.set("annotations", annotations);
    meta.set(
        "name",
        Node::plain(get(&["kubernetesService", "name"]), origin.clone()),
    );
    let ns = get(&["kubernetesService", "namespace"]);
    if !ns.is_empty() {
        meta.set("namespace", Node::plain(ns, origin.clone()));
    }
    let mut obj = Node::map(origin.clone());
    obj.set("apiVersion", Node::plain("v1", origin.clone()));
    obj.set("kind", Node::plain("ServiceAccount", origin.clone()));
    obj.set("metadata", meta);
    let source: Arc<str> = Arc::from(
        n.origin
            .as_ref()
            .map(|o| o.file.as_ref())
            .unwrap_or_default(),
    );
    Ok(Resource::generated(obj, source, false, String::new()))
}

fn synthetic(fields: Vec<(&str, Option<Node>)>) -> Node {
    let mut k = Node::map(None);
    for (f, v) in fields {
        if let Some(v) = v {
            k.set(f, v);
        }
    }
    k
}

/// Runs the `transformers:` configs in order, after the kustomization's own transformers.
pub(crate) fn transform(
    configs: &[PluginConfig],
    dir: &Path,
    kfile: &Path,
    res: &mut Vec<Resource>,
    notes: &mut Vec<Note>,
) -> Result<(), KustError> {
    for c in configs {
        let n = &c.node;
        let kind = builtin_kind(n).map_err(|m| error(kfile, c.span, m))?;
        let fails = |m: &str| {
            error(
                kfile,
                c.span,
                format!("plugin {} fails configuration: {m}", org_id(n)),
            )
        };
        let specs = field_specs(n.get("fieldSpecs"));
        let mut config = Config::default();
        match kind {
            "NamespaceTransformer" => {
                let subjects = match n.get_str("setRoleBindingSubjects").unwrap_or_default() {
                    "" | "defaultOnly" => Subjects::DefaultOnly,
                    "allServiceAccounts" => Subjects::AllServiceAccounts,
                    "none" => Subjects::None,
                    other => {
                        return Err(fails(&format!(
                            "invalid value \"{other}\" for setRoleBindingSubjects: must be one of \"defaultOnly\", \"none\" or \"allServiceAccounts\""
                        )));
                    }
                };
                let Some(nsnode) = n
                    .get_path(&["metadata", "namespace"])
                    .filter(|v| v.as_str().is_some_and(|s| !s.is_empty()))
                else {
                    continue;
                };
                let unset_only = n.get_str("unsetOnly") == Some("true");
                transform::namespace_apply(
                    res,
                    nsnode.as_str().unwrap_or_default(),
                    &nsnode.origin,
                    &specs,
                    unset_only,
                    subjects,
                );
            }
            "PrefixSuffixTransformer" | "PrefixTransformer" | "SuffixTransformer" => {
                if n.get("fieldSpecs").is_none_or(Node::is_null) {
                    return Err(fails("fieldSpecs is not expected to be nil"));
                }
                for (field, is_prefix) in [("prefix", true), ("suffix", false)] {
                    let wanted = match kind {
                        "PrefixTransformer" => is_prefix,
                        "SuffixTransformer" => !is_prefix,
                        _ => true,
                    };
                    if !wanted {
                        continue;
                    }
                    let v = n.get(field);
                    let text = v.and_then(Node::as_str).unwrap_or_default();
                    let origin = v.and_then(|v| v.origin.clone());
                    transform::prefix_suffix_apply(res, text, &origin, &specs, is_prefix);
                }
            }
            "LabelTransformer" | "AnnotationsTransformer" => {
                let (field, k_field) = if kind == "LabelTransformer" {
                    config.common_labels = specs;
                    ("labels", "commonLabels")
                } else {
                    config.common_annotations = specs;
                    ("annotations", "commonAnnotations")
                };
                let k = synthetic(vec![(k_field, n.get(field).cloned())]);
                transform::run(&k, dir, kfile, res, &config, notes)?;
            }
            "ImageTagTransformer" => {
                config.images = specs;
                let image = n.get("imageTag").cloned();
                let k = synthetic(vec![("images", image.map(|i| Node::seq(vec![i], None)))]);
                transform::run(&k, dir, kfile, res, &config, notes)?;
            }
            "ReplicaCountTransformer" => {
                config.replicas = specs;
                let replica = n.get("replica").cloned();
                let k = synthetic(vec![(
                    "replicas",
                    replica.map(|i| Node::seq(vec![i], None)),
                )]);
                transform::run(&k, dir, kfile, res, &config, notes)?;
            }
            "PatchTransformer" => {
                let mut entry = Node::map(n.origin.clone());
                for f in ["path", "patch", "target", "options"] {
                    if let Some(v) = n.get(f) {
                        entry.set(f, v.clone());
                    }
                }
                if entry.get("path").is_none() && entry.get("patch").is_none() {
                    return Err(fails("must specify one of patch and path in"));
                }
                let k = synthetic(vec![("patches", Some(Node::seq(vec![entry], None)))]);
                transform::run(&k, dir, kfile, res, &config, notes)?;
            }
            "PatchStrategicMergeTransformer" => {
                let mut items: Vec<Node> = n
                    .get("paths")
                    .and_then(Node::as_seq)
                    .cloned()
                    .unwrap_or_default();
                if let Some(p) = n
                    .get("patches")
                    .filter(|p| p.as_str().is_some_and(|s| !s.is_empty()))
                {
                    items.push(p.clone());
                }
                if items.is_empty() {
                    return Err(fails("empty file path and empty patch content"));
                }
                let k = synthetic(vec![(
                    "patchesStrategicMerge",
                    Some(Node::seq(items, None)),
                )]);
                transform::run(&k, dir, kfile, res, &config, notes)?;
            }
            "PatchJson6902Transformer" => {
                if n.get("target").is_none_or(Node::is_null) {
                    return Err(fails("must specify a target for patch"));
                }
                let mut entry = Node::map(n.origin.clone());
                for (from, to) in [("target", "target"), ("path", "path"), ("jsonOp", "patch")] {
                    if let Some(v) = n.get(from) {
                        entry.set(to, v.clone());
                    }
                }
                let k = synthetic(vec![(
                    "patchesJson6902",
                    Some(Node::seq(vec![entry], None)),
                )]);
                transform::run(&k, dir, kfile, res, &config, notes)?;
            }
            "ReplacementTransformer" => {
                let k = synthetic(vec![("replacements", n.get("replacements").cloned())]);
                transform::run(&k, dir, kfile, res, &config, notes)?;
            }
            k if GENERATORS.contains(&k) => {
                return Err(error(
                    kfile,
                    c.span,
                    format!("plugin {} not a transformer", org_id(n)),
                ));
            }
            k => return Err(error(kfile, c.span, unimplemented(k))),
        }
    }
    Ok(())
}

/// Whether a `generators:`/`transformers:` entry is an inline config (YAML documents that are
/// all mappings) rather than a path (kustomize tries `NewResMapFromBytes` first).
pub(crate) fn inline_docs(docs: &[Node]) -> bool {
    let mut maps = docs.iter().filter(|d| !d.is_null()).peekable();
    maps.peek().is_some() && maps.all(|d| matches!(d.kind, Kind::Map(_)))
}
