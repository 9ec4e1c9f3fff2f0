//! Walking a Kubernetes JSON Schema along an instance path: which schema governs a node, what
//! type it wants, which fields it allows. Kubernetes schemas use `$ref` into `$defs`,
//! `properties`, `additionalProperties` (maps) and `items`, and no other combinators, which is
//! all this follows.

use serde_json::Value;

/// One step of an instance path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Seg {
    Key(String),
    Index(usize),
}

/// The schema governing a node, and the Kubernetes type name it was reached through
/// (`ContainerPort`), when a `$ref` named one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct At<'a> {
    pub schema: &'a Value,
    pub type_name: Option<&'a str>,
}

/// Follows `$ref`s (`#/$defs/NAME`) from `node`, at most a few levels deep.
pub(crate) fn resolve<'a>(root: &'a Value, node: &'a Value) -> At<'a> {
    let mut at = At {
        schema: node,
        type_name: None,
    };
    for _ in 0..8 {
        let Some(name) = at
            .schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/$defs/"))
        else {
            break;
        };
        let Some(target) = root.get("$defs").and_then(|d| d.get(name)) else {
            break;
        };
        at = At {
            schema: target,
            type_name: Some(name.rsplit('.').next().unwrap_or(name)),
        };
    }
    at
}

/// The schema of the node at `path` under `root`, if the schema describes it.
pub(crate) fn schema_at<'a>(root: &'a Value, path: &[Seg]) -> Option<At<'a>> {
    let mut at = resolve(root, root);
    for seg in path {
        let next = match seg {
            Seg::Key(key) => at
                .schema
                .get("properties")
                .and_then(|p| p.get(key))
                .or_else(|| {
                    at.schema
                        .get("additionalProperties")
                        .filter(|a| a.is_object())
                })?,
            Seg::Index(i) => match at.schema.get("items").filter(|i| i.is_object()) {
                Some(items) => items,
                // A numeric key of a mapping.
                None => at
                    .schema
                    .get("properties")
                    .and_then(|p| p.get(i.to_string()))
                    .or_else(|| {
                        at.schema
                            .get("additionalProperties")
                            .filter(|a| a.is_object())
                    })?,
            },
        };
        let resolved = resolve(root, next);
        at = At {
            schema: resolved.schema,
            // A map's values and a list's items keep no name of their own unless a `$ref` gave one.
            type_name: resolved.type_name,
        };
    }
    Some(at)
}

/// The field names a mapping schema allows, sorted.
pub(crate) fn property_names(schema: &Value) -> Vec<&str> {
    let mut names: Vec<&str> = schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().map(String::as_str).collect())
        .unwrap_or_default();
    names.sort_unstable();
    names
}

/// The JSON types a schema allows, without `null`; empty when it does not say.
pub(crate) fn types(schema: &Value) -> Vec<&str> {
    match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .collect(),
        _ => Vec::new(),
    }
}

/// The marker the generator puts on IntOrString and Quantity (`int-or-string`, `quantity`).
pub(crate) fn kubeward_type(schema: &Value) -> Option<&str> {
    schema.get("x-kubeward").and_then(Value::as_str)
}

/// "an integer", "a string or a number", for messages.
pub(crate) fn describe_types(schema: &Value) -> String {
    match kubeward_type(schema) {
        Some("int-or-string") => return "an integer or a string (IntOrString)".to_string(),
        Some("quantity") => return "a quantity (a string such as `500m`, or a number)".to_string(),
        _ => {}
    }
    let names: Vec<&str> = types(schema).into_iter().map(with_article).collect();
    match names.as_slice() {
        [] => "something else".to_string(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

fn with_article(t: &str) -> &'static str {
    match t {
        "object" => "a mapping",
        "array" => "a list",
        "string" => "a string",
        "integer" => "an integer",
        "number" => "a number",
        "boolean" => "a boolean",
        _ => "a value of another type",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn walks_refs_maps_and_lists() {
        let root = json!({
            "properties": {"spec": {"$ref": "#/$defs/io.k8s.api.apps.v1.DeploymentSpec"}},
            "$defs": {
                "io.k8s.api.apps.v1.DeploymentSpec": {
                    "properties": {
                        "ports": {"items": {"$ref": "#/$defs/io.k8s.api.core.v1.ContainerPort"}},
                        "labels": {"additionalProperties": {"type": ["string", "null"]}}
                    }
                },
                "io.k8s.api.core.v1.ContainerPort": {
                    "properties": {"protocol": {"type": "string"}, "containerPort": {"type": "integer"}}
                }
            }
        });
        let path = [
            Seg::Key("spec".into()),
            Seg::Key("ports".into()),
            Seg::Index(0),
        ];
        let at = schema_at(&root, &path).unwrap();
        assert_eq!(at.type_name, Some("ContainerPort"));
        assert_eq!(property_names(at.schema), vec!["containerPort", "protocol"]);
        let label = schema_at(
            &root,
            &[
                Seg::Key("spec".into()),
                Seg::Key("labels".into()),
                Seg::Key("app".into()),
            ],
        )
        .unwrap();
        assert_eq!(types(label.schema), vec!["string"]);
        assert_eq!(describe_types(label.schema), "a string");
        assert!(schema_at(&root, &[Seg::Key("nope".into())]).is_none());
        assert_eq!(
            describe_types(&json!({"type": ["integer", "string", "null"]})),
            "an integer or a string"
        );
    }
}
