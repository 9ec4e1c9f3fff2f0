//! `ambiguous-scalar`: an unquoted scalar that Kubernetes' YAML reader (go-yaml v2, YAML 1.1
//! resolution, see `load::scalar`) types differently from how it reads to a person or to YAML
//! 1.2 tools (yq, kustomize's kyaml, most editors): `yes`/`no`/`on`/`off`/`y`/`n` in their
//! three case forms are booleans, `0755` is octal 493 (755 in YAML 1.2), `0b1010` and `1_000`
//! are numbers (strings in YAML 1.2).
//!
//! Where the field must be a string (env values, labels, annotations, ConfigMap data, any
//! string field of the kind's schema) the API server rejects the object ("cannot unmarshal
//! bool into Go struct field ... of type string"): an error, and `schema-violation` leaves that
//! type error to this rule. Elsewhere the manifest means something else to other tools: a
//! warning.

use super::{ObjectContext, Rule};
use crate::finding::{Finding, Severity};
use crate::load::scalar::ScalarValue;
use crate::load::{Document, NodeId, NodeKind, Scalar, Style};
use crate::rule_id::RuleId;
use crate::rules::HasRuleId;
use crate::schema::walk::{Seg, kubeward_type, schema_at, types};
use crate::schema::{Lookup, lookup};

#[derive(Default)]
pub(crate) struct AmbiguousScalar;

const ID: RuleId = <AmbiguousScalar as HasRuleId>::ID;

/// go-yaml v2's YAML 1.1 booleans that YAML 1.2 reads as strings (`true`/`false` in any case
/// form are booleans to both).
const YAML11_BOOLEANS: &[&str] = &[
    "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off",
    "OFF",
];

/// How a plain scalar reads differently.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Ambiguity {
    /// `yes` is true to Kubernetes, the string "yes" to YAML 1.2.
    Bool(bool),
    /// `0755` is 493 to Kubernetes, 755 to YAML 1.2.
    Octal { value: i64, yaml12: String },
    /// `0b1010` and `1_000` are numbers to Kubernetes, strings to YAML 1.2.
    NumberOnlyIn11 { value: String },
}

impl Ambiguity {
    fn kubernetes_reading(&self) -> String {
        match self {
            Ambiguity::Bool(b) => format!("the boolean {b}"),
            Ambiguity::Octal { value, .. } => format!("the octal number {value}"),
            Ambiguity::NumberOnlyIn11 { value } => format!("the number {value}"),
        }
    }

    fn yaml12_reading(&self, text: &str) -> String {
        match self {
            Ambiguity::Octal { yaml12, .. } => format!("the number {yaml12}"),
            _ => format!("the string \"{text}\""),
        }
    }
}

/// Whether a scalar is read differently by Kubernetes (YAML 1.1) and YAML 1.2.
pub(crate) fn ambiguity(scalar: &Scalar) -> Option<Ambiguity> {
    if scalar.style != Style::Plain || scalar.tag.is_some() {
        return None;
    }
    let text = scalar.text;
    if YAML11_BOOLEANS.contains(&text) {
        return Some(Ambiguity::Bool(matches!(
            text,
            "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON"
        )));
    }
    let value = scalar.value();
    let number = match &value {
        ScalarValue::Int(i) => i.to_string(),
        ScalarValue::Float(f) => f.to_string(),
        ScalarValue::BigInt => text.replace('_', ""),
        _ => return None,
    };
    let unsigned = text.trim_start_matches(['-', '+']);
    if text.contains('_') || unsigned.starts_with("0b") || unsigned.starts_with("0B") {
        return Some(Ambiguity::NumberOnlyIn11 { value: number });
    }
    if let ScalarValue::Int(i) = value
        && unsigned.len() > 1
        && unsigned.starts_with('0')
        && unsigned.bytes().all(|b| b.is_ascii_digit())
    {
        let negative = text.starts_with('-');
        let decimal: i64 = unsigned.trim_start_matches('0').parse().unwrap_or(0);
        let decimal = if negative { -decimal } else { decimal };
        if decimal != i {
            return Some(Ambiguity::Octal {
                value: i,
                yaml12: decimal.to_string(),
            });
        }
    }
    None
}

/// What the schema wants at a node.
enum Want {
    String,
    Other(&'static str),
    Unknown,
}

fn want(schema: Option<&serde_json::Value>, path: &[Seg]) -> Want {
    let Some(root) = schema else {
        return Want::Unknown;
    };
    let Some(at) = schema_at(root, path) else {
        return Want::Unknown;
    };
    if kubeward_type(at.schema).is_some() {
        // IntOrString and Quantity take numbers too.
        return Want::Other("number");
    }
    let types = types(at.schema);
    match types.as_slice() {
        ["string"] => Want::String,
        ["boolean"] => Want::Other("boolean"),
        ["integer"] | ["number"] => Want::Other("number"),
        _ => Want::Unknown,
    }
}

impl Rule for AmbiguousScalar {
    fn check_object(&self, cx: &ObjectContext<'_>, out: &mut Vec<Finding>) {
        let doc = cx.doc;
        let version = cx.ws.options.kube_version();
        let mut found = Vec::new();
        let mut path = Vec::new();
        collect(doc, cx.object.node, &mut path, &mut found);
        if found.is_empty() {
            return;
        }
        // The schema is only needed (and loaded) when there is something to report.
        let kind_schema = match lookup(version, &cx.object.api_version, &cx.object.kind) {
            Lookup::Found(schema) => Some(schema),
            _ => None,
        };
        let schema = kind_schema.as_ref().map(|k| &k.schema);
        for (node, path, ambiguity) in found {
            let Some(scalar) = doc.scalar(node) else {
                continue;
            };
            let want = want(schema, &path);
            if is_file_mode(&path, &ambiguity, &want) {
                continue;
            }
            let text = scalar.text;
            let field = path_text(&path);
            let read = format!(
                "`{text}` is {} to Kubernetes' YAML reader (YAML 1.1) but {} to YAML 1.2 tools",
                ambiguity.kubernetes_reading(),
                ambiguity.yaml12_reading(text)
            );
            let finding = match want {
                Want::String => cx
                    .finding(
                        ID,
                        doc.span(node),
                        format!("{read}; `{field}` must be a string, so the API server rejects it"),
                    )
                    .label("not a string to Kubernetes")
                    .help(format!("quote it: `\"{text}\"`"))
                    .severity(Severity::Error),
                Want::Other(kind) => {
                    let help = match (&ambiguity, kind) {
                        (Ambiguity::Bool(b), "boolean") => format!("write `{b}`"),
                        (Ambiguity::Octal { value, .. }, "number") => format!(
                            "write `0o{value:o}` or `{value}`, which every YAML reader takes as \
                             {value}"
                        ),
                        (Ambiguity::NumberOnlyIn11 { value }, "number") => {
                            format!("write `{value}`")
                        }
                        _ => format!("quote it (`\"{text}\"`) if you mean the text"),
                    };
                    cx.finding(ID, doc.span(node), format!("{read} (`{field}`)"))
                        .label("reads differently in YAML 1.2")
                        .help(help)
                        .severity(Severity::Warning)
                }
                Want::Unknown => cx
                    .finding(ID, doc.span(node), format!("{read} (`{field}`)"))
                    .label("reads differently in YAML 1.2")
                    .help(format!(
                        "quote it (`\"{text}\"`) if you mean the text; otherwise write the \
                         value as both readers take it (`true`, `false`, a decimal number)"
                    ))
                    .severity(Severity::Warning),
            };
            out.push(finding);
        }
    }
}

/// `defaultMode: 0644`, `mode: 0400`: every Kubernetes reader takes a file mode written this
/// way as the octal the author meant (go-yaml v2 and kubectl; the Kubernetes documentation
/// writes them so), and the field is a number: nothing reads differently for the user. An
/// octal-looking value in a string field is still reported.
fn is_file_mode(path: &[Seg], ambiguity: &Ambiguity, want: &Want) -> bool {
    matches!(ambiguity, Ambiguity::Octal { .. })
        && !matches!(want, Want::String)
        && matches!(path.last(), Some(Seg::Key(key)) if key == "defaultMode" || key == "mode")
}

/// Every ambiguous plain scalar value under `node`, with its path.
fn collect(
    doc: &Document,
    node: NodeId,
    path: &mut Vec<Seg>,
    out: &mut Vec<(NodeId, Vec<Seg>, Ambiguity)>,
) {
    if path.len() > 64 {
        return;
    }
    match doc.kind(node) {
        NodeKind::Scalar(scalar) => {
            if let Some(ambiguity) = ambiguity(&scalar) {
                out.push((node, path.clone(), ambiguity));
            }
        }
        NodeKind::Sequence(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                collect(doc, *item, path, out);
                path.pop();
            }
        }
        NodeKind::Mapping(entries) => {
            for entry in entries {
                let Some(key) = doc.scalar(entry.key) else {
                    continue;
                };
                path.push(Seg::Key(key.text.to_string()));
                collect(doc, entry.value, path, out);
                path.pop();
            }
        }
    }
}

/// `spec.containers[0].env[1].value`.
pub(crate) fn path_text(path: &[Seg]) -> String {
    let mut text = String::new();
    for seg in path {
        match seg {
            Seg::Key(key) => {
                if !text.is_empty() {
                    text.push('.');
                }
                text.push_str(key);
            }
            Seg::Index(i) => text.push_str(&format!("[{i}]")),
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(text: &str) -> Option<Ambiguity> {
        ambiguity(&Scalar {
            text,
            style: Style::Plain,
            tag: None,
        })
    }

    #[test]
    fn yaml11_only_readings() {
        assert_eq!(plain("yes"), Some(Ambiguity::Bool(true)));
        assert_eq!(plain("OFF"), Some(Ambiguity::Bool(false)));
        assert_eq!(plain("true"), None);
        assert_eq!(plain("oN"), None);
        assert_eq!(
            plain("0755"),
            Some(Ambiguity::Octal {
                value: 493,
                yaml12: "755".into()
            })
        );
        assert_eq!(plain("07"), None);
        assert_eq!(plain("0"), None);
        assert_eq!(plain("0o755"), None);
        assert_eq!(plain("0x1F"), None);
        assert_eq!(
            plain("0b1010"),
            Some(Ambiguity::NumberOnlyIn11 { value: "10".into() })
        );
        assert_eq!(
            plain("1_000"),
            Some(Ambiguity::NumberOnlyIn11 {
                value: "1000".into()
            })
        );
        assert_eq!(plain("1.5"), None);
        assert_eq!(plain("nginx"), None);
        assert_eq!(
            ambiguity(&Scalar {
                text: "yes",
                style: Style::DoubleQuoted,
                tag: None
            }),
            None
        );
    }
}
