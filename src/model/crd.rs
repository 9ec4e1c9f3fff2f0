//! Schemas of custom resources, from the CustomResourceDefinitions in the linted tree.
//!
//! A CRD's `openAPIV3Schema` (per version, or `spec.validation` for all versions in the old
//! v1beta1 form) is a structural OpenAPI schema; it becomes a JSON Schema validated as the API
//! server does with strict field validation: fields the schema does not name are unknown
//! (pruned, and reported by `kubectl apply --validate=strict`) unless
//! `x-kubernetes-preserve-unknown-fields` keeps them; `x-kubernetes-int-or-string` accepts both;
//! `null` is accepted everywhere (the API server prunes nulls of non-nullable fields).
//! See k8s.io/apiextensions-apiserver/pkg/apiserver/schema (pruning, structural schemas).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

use serde_json::{Map, Value, json};

use crate::load::NodeId;
use crate::load::json::to_json;
use crate::model::{ObjectId, Workspace};
use crate::schema::{KindSchema, compile, group_of};

/// One CustomResourceDefinition of the tree.
pub(crate) struct Crd {
    pub(crate) object: ObjectId,
    /// `metadata.name`, e.g. `servicemonitors.monitoring.coreos.com`.
    pub(crate) name: String,
    /// Version name -> its schema.
    pub(crate) versions: BTreeMap<String, VersionSchema>,
}

/// A CRD version's `openAPIV3Schema`, compiled when the first custom resource of that version
/// is validated: repositories vendor large CRD bundles (istio, argo) whose kinds they never
/// instantiate, and compiling all of them up front, on one thread, was the largest serial part
/// of a run on the real corpus. Until then it is only where the schema is in its CRD's
/// document: converting every vendored schema to JSON up front held ~20 MiB on the real
/// corpus (a sixth of the run's peak heap, massif), for kinds no object uses.
pub(crate) struct VersionSchema {
    /// The CRD object and the schema's node in its document.
    openapi: Option<(ObjectId, NodeId)>,
    compiled: OnceLock<Option<Arc<KindSchema>>>,
}

impl VersionSchema {
    fn new(openapi: Option<(ObjectId, NodeId)>) -> VersionSchema {
        VersionSchema {
            openapi,
            compiled: OnceLock::new(),
        }
    }

    /// The compiled schema; `None`: the version has no schema, or one we cannot compile.
    pub(crate) fn schema(&self, ws: &Workspace) -> Option<&Arc<KindSchema>> {
        self.compiled
            .get_or_init(|| {
                let (object, node) = self.openapi?;
                let doc = ws.document(ws.objects.get(object)?);
                build(&to_json(doc, node))
            })
            .as_ref()
    }
}

/// The CRDs of a run by (group, kind).
#[derive(Default)]
pub(crate) struct CrdIndex {
    pub(crate) crds: HashMap<(String, String), Crd>,
}

impl CrdIndex {
    pub(crate) fn new(ws: &Workspace) -> CrdIndex {
        let mut index = CrdIndex::default();
        for (id, object) in ws.objects.iter().enumerate() {
            if object.kind != "CustomResourceDefinition"
                || group_of(&object.api_version) != "apiextensions.k8s.io"
            {
                continue;
            }
            let doc = ws.document(object);
            let Some(spec) = doc.get(object.node, "spec") else {
                continue;
            };
            let (Some(group), Some(kind)) = (
                doc.get_str(spec, "group"),
                doc.get_path(spec, &["names", "kind"])
                    .and_then(|k| doc.str(k)),
            ) else {
                continue;
            };
            let shared = doc
                .get_path(spec, &["validation", "openAPIV3Schema"])
                .map(|s| (id, s));
            let mut versions = BTreeMap::new();
            let mut names: Vec<String> = doc
                .get(spec, "versions")
                .map(|vs| {
                    doc.items(vs)
                        .iter()
                        .filter_map(|v| {
                            let name = doc.get_str(*v, "name")?;
                            let schema = doc
                                .get_path(*v, &["schema", "openAPIV3Schema"])
                                .map(|s| (id, s))
                                .or(shared);
                            versions.insert(name.to_string(), VersionSchema::new(schema));
                            Some(name.to_string())
                        })
                        .collect()
                })
                .unwrap_or_default();
            // The v1beta1 form may name a single `spec.version`.
            if let Some(version) = doc.get_str(spec, "version")
                && !names.iter().any(|n| n == version)
            {
                names.push(version.to_string());
                versions.insert(version.to_string(), VersionSchema::new(shared));
            }
            // Several CRDs for one kind (test data, or versions split over files): a version
            // any of them defines is known.
            let crd = index
                .crds
                .entry((group.to_string(), kind.to_string()))
                .or_insert(Crd {
                    object: id,
                    name: object.name.clone().unwrap_or_default(),
                    versions: BTreeMap::new(),
                });
            for (name, schema) in versions {
                crd.versions.entry(name).or_insert(schema);
            }
        }
        index
    }
}

fn build(openapi: &Value) -> Option<Arc<KindSchema>> {
    let schema = to_json_schema(openapi, true);
    let validator = compile(&schema).or_else(|| {
        // A pattern our regex engine cannot compile (the API server uses Go's RE2): validate
        // without patterns rather than not at all.
        compile(&without_patterns(&schema))
    })?;
    Some(Arc::new(KindSchema { schema, validator }))
}

/// A structural OpenAPI v3 schema as a JSON Schema (draft 2020-12) with the API server's
/// strictness.
pub(crate) fn to_json_schema(node: &Value, root: bool) -> Value {
    convert(node, root, 0)
}

/// Schemas nested deeper than this accept anything below (no real CRD comes close; the bound
/// keeps the validator's recursion small whatever the input).
const MAX_SCHEMA_DEPTH: usize = 64;

fn convert(node: &Value, root: bool, depth: usize) -> Value {
    let Some(object) = node.as_object().filter(|_| depth <= MAX_SCHEMA_DEPTH) else {
        return json!({});
    };
    let flag = |name: &str| object.get(name).and_then(Value::as_bool) == Some(true);
    let preserve = flag("x-kubernetes-preserve-unknown-fields");
    let mut out = Map::new();
    for (key, value) in object {
        match key.as_str() {
            "properties" | "patternProperties" => {
                if let Some(props) = value.as_object() {
                    let converted: Map<String, Value> = props
                        .iter()
                        .map(|(name, prop)| (name.clone(), convert(prop, false, depth + 1)))
                        .collect();
                    out.insert(key.clone(), Value::Object(converted));
                }
            }
            "items" => {
                let items = match value {
                    // Draft 4 tuple form; structural schemas do not allow it, accept anything.
                    Value::Array(_) => json!({}),
                    other => convert(other, false, depth + 1),
                };
                out.insert(key.clone(), items);
            }
            "additionalProperties" => {
                let value = match value {
                    Value::Bool(b) => Value::Bool(*b),
                    other => convert(other, false, depth + 1),
                };
                out.insert(key.clone(), value);
            }
            "allOf" | "anyOf" | "oneOf" => {
                if let Some(items) = value.as_array() {
                    // Structural schemas only constrain values here; their fields are declared
                    // in `properties`. Without types of their own, these stay as they are.
                    let converted: Vec<Value> = items.iter().map(|i| loose(i, depth + 1)).collect();
                    out.insert(key.clone(), Value::Array(converted));
                }
            }
            "not" => {
                out.insert(key.clone(), loose(value, depth + 1));
            }
            "type" => {
                if let Some(t) = value.as_str() {
                    out.insert(key.clone(), json!([t, "null"]));
                }
            }
            "enum" => {
                if let Some(values) = value.as_array() {
                    let mut values = values.clone();
                    values.push(Value::Null);
                    out.insert(key.clone(), Value::Array(values));
                }
            }
            "required" | "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum"
            | "minLength" | "maxLength" | "minItems" | "maxItems" | "minProperties"
            | "maxProperties" | "uniqueItems" | "pattern" | "multipleOf" => {
                out.insert(key.clone(), value.clone());
            }
            // Documentation, defaults, formats, CEL rules, list/map types: not checked here.
            _ => {}
        }
    }
    // OpenAPI v3's boolean exclusive bounds (draft 4) mean "the bound is exclusive".
    for (flag_name, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(Value::Bool(exclusive)) = out.get(flag_name).cloned() {
            out.remove(flag_name);
            if exclusive && let Some(limit) = out.remove(bound) {
                out.insert(flag_name.to_string(), limit);
            }
        }
    }
    if flag("x-kubernetes-int-or-string") {
        out.insert("type".into(), json!(["integer", "string", "null"]));
        out.remove("anyOf");
        out.remove("oneOf");
        out.insert("x-kubeward".into(), json!("int-or-string"));
    }
    if flag("x-kubernetes-embedded-resource") || root {
        // apiVersion, kind and metadata are the object's own, checked by the API server's
        // ObjectMeta rules rather than the CRD's schema.
        if let Some(Value::Object(props)) = out.get_mut("properties") {
            for field in ["apiVersion", "kind"] {
                props.insert(field.to_string(), json!({"type": ["string", "null"]}));
            }
            props.insert("metadata".to_string(), json!({"type": ["object", "null"]}));
        }
    }
    let has_properties = out
        .get("properties")
        .and_then(Value::as_object)
        .is_some_and(|p| !p.is_empty());
    if has_properties && !preserve && !out.contains_key("additionalProperties") {
        out.insert("additionalProperties".into(), Value::Bool(false));
    }
    if root {
        out.insert(
            "$schema".into(),
            json!("https://json-schema.org/draft/2020-12/schema"),
        );
    }
    Value::Object(out)
}

/// A schema inside `allOf`/`anyOf`/`oneOf`/`not`: converted, but never closed to unknown
/// fields (its fields live in the parent's `properties`).
fn loose(node: &Value, depth: usize) -> Value {
    let mut converted = convert(node, false, depth);
    if let Some(map) = converted.as_object_mut()
        && map.get("additionalProperties") == Some(&Value::Bool(false))
    {
        map.remove("additionalProperties");
    }
    converted
}

fn without_patterns(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| k.as_str() != "pattern")
                .map(|(k, v)| {
                    let v = if k == "properties" || k == "patternProperties" {
                        match v {
                            Value::Object(props) => Value::Object(
                                props
                                    .iter()
                                    .map(|(n, p)| (n.clone(), without_patterns(p)))
                                    .collect(),
                            ),
                            other => other.clone(),
                        }
                    } else {
                        without_patterns(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_patterns).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_schemas_are_cut_off() {
        let mut schema = json!({"type": "string"});
        for _ in 0..500 {
            schema = json!({"type": "object", "properties": {"a": schema}});
        }
        let converted = to_json_schema(&schema, true);
        assert!(compile(&converted).is_some());
    }

    #[test]
    fn structural_schemas_become_strict_json_schemas() {
        let crd = json!({
            "type": "object",
            "properties": {
                "spec": {
                    "type": "object",
                    "required": ["port"],
                    "properties": {
                        "port": {"x-kubernetes-int-or-string": true, "anyOf": [{"type": "integer"}, {"type": "string"}]},
                        "mode": {"type": "string", "enum": ["a", "b"]},
                        "extra": {"type": "object", "x-kubernetes-preserve-unknown-fields": true},
                        "free": {"type": "object"}
                    }
                }
            }
        });
        let schema = to_json_schema(&crd, true);
        let validator = compile(&schema).unwrap();
        let ok = json!({"apiVersion": "x/v1", "kind": "X", "metadata": {"name": "a"},
            "spec": {"port": "http", "mode": null, "extra": {"any": 1}, "free": {"any": 2}}});
        assert!(
            validator.is_valid(&ok),
            "{:?}",
            validator.iter_errors(&ok).next()
        );
        assert!(validator.is_valid(&json!({"spec": {"port": 80}})));
        assert!(!validator.is_valid(&json!({"spec": {"port": 80, "prot": 1}})));
        assert!(!validator.is_valid(&json!({"spec": {}})));
        assert!(!validator.is_valid(&json!({"spec": {"port": 80, "mode": "c"}})));
        assert!(!validator.is_valid(&json!({"spec": {"port": true}})));
        assert!(!validator.is_valid(&json!({"spek": {}})));
    }
}
