//! The rule catalogue: one `rules/<id>.yaml` per rule, embedded at build time. `kubeward
//! rules`, `kubeward explain`, and the severities the engine applies all read it.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::finding::Severity;
use crate::load::{json::to_json, parse_yaml};

use crate::rule_id::RuleId;

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    pub bad: String,
    pub good: String,
}

/// A catalogue entry: a built-in rule's documentation, or a declarative rule (built-in or a
/// user's custom policy) when it carries `match` and `schema`. Built-in entries must fill every
/// documentation field (a test checks); custom policies need only `id`, `severity`, `summary`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueEntry {
    pub id: String,
    pub severity: SeverityName,
    /// Other levels than `severity` that the rule's own findings can carry (a rule that
    /// reports the lesser cases as warnings): `kubeward rules` lists them all.
    #[serde(default)]
    pub severities: Vec<SeverityName>,
    /// The rule's parameters in the config's long form (`rules: {<id>: {<name>: ...}}`): each
    /// a JSON Schema with a `description` (and `default`); `config-schema` publishes them.
    #[serde(default)]
    pub parameters: BTreeMap<String, serde_json::Value>,
    #[serde(default = "custom_category")]
    pub category: String,
    pub summary: String,
    #[serde(default)]
    pub rationale: String,
    #[serde(default)]
    pub fix: String,
    /// Short fix text; accepted for custom policies (Polaris/Datree style) when `fix` is absent.
    #[serde(default)]
    pub help: Option<String>,
    #[serde(default)]
    pub examples: Option<Examples>,
    /// Built-in rules: how the rule is checked (a type under `crate::rules`, `source`, or
    /// `pipeline`; read by `build.rs`, which registers the type). Not for custom policies.
    #[serde(default)]
    pub implementation: Option<String>,
    /// Declarative rules: which objects, pod specs or containers the schema applies to.
    #[serde(default, rename = "match")]
    pub match_: Option<PolicyMatch>,
    /// Declarative rules: the JSON Schema every matched node must satisfy.
    #[serde(default)]
    pub schema: Option<serde_json::Value>,
}

/// What a declarative rule applies to.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PolicyMatch {
    /// Object kinds (`Deployment`); empty means every kind.
    #[serde(default)]
    pub kinds: Vec<String>,
    /// Namespaces; empty means every namespace (and cluster-scoped objects).
    #[serde(default)]
    pub namespaces: Vec<String>,
    /// Labels the object must carry with these values (`"*"`: any value).
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// `apiVersion`s (`apps/v1`); empty means any.
    #[serde(default)]
    pub api_versions: Vec<String>,
    /// Validate every pod spec of the matched objects instead of the object.
    #[serde(default)]
    pub pod_spec: bool,
    /// Validate every container (containers, init and ephemeral containers) instead.
    #[serde(default)]
    pub container: bool,
}

fn custom_category() -> String {
    "custom".to_string()
}

/// A severity as written in a catalogue entry. `off`: the rule runs only when the config sets
/// its level (`rules: {read-only-root-filesystem: warning}`); it then reports at that level.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SeverityName {
    Off,
    Info,
    Warning,
    Error,
}

impl From<SeverityName> for Severity {
    fn from(s: SeverityName) -> Severity {
        match s {
            // An off-by-default rule switched on without a level (never: the config always gives
            // one) would report as info.
            SeverityName::Off | SeverityName::Info => Severity::Info,
            SeverityName::Warning => Severity::Warning,
            SeverityName::Error => Severity::Error,
        }
    }
}

impl CatalogueEntry {
    pub fn default_severity(&self) -> Severity {
        self.severity.into()
    }

    /// The text of `kubeward explain <id>` (also SARIF's rule help).
    pub fn explain(&self) -> String {
        let entry = self;
        let mut text = format!(
            "{id} ({severity}, {category})\n\n{summary}\n",
            id = entry.id,
            severity = if entry.off_by_default() {
                "off".to_string()
            } else {
                entry.default_severity().to_string()
            },
            category = entry.category,
            summary = entry.summary.trim(),
        );
        if !entry.rationale.trim().is_empty() {
            text.push_str(&format!(
                "\nWhy it matters\n  {}\n",
                entry.rationale.trim().replace('\n', "\n  ")
            ));
        }
        if let Some(fix) = entry.fix_text() {
            text.push_str(&format!("\nHow to fix\n  {}\n", fix.replace('\n', "\n  ")));
        }
        if let Some(examples) = &entry.examples {
            text.push_str(&format!(
                "\nBad\n{}\nGood\n{}",
                indent(&examples.bad),
                indent(&examples.good)
            ));
        }
        text
    }

    /// `severity: off`: the rule runs only when the config sets its level.
    pub fn off_by_default(&self) -> bool {
        self.severity == SeverityName::Off
    }

    /// Every level the rule's findings can carry, lowest first: the default and `severities`.
    pub fn all_severities(&self) -> Vec<Severity> {
        let mut all: Vec<Severity> = std::iter::once(self.default_severity())
            .chain(self.severities.iter().map(|s| Severity::from(*s)))
            .collect();
        all.sort_unstable();
        all.dedup();
        all
    }

    /// The short "how to fix" text: `help`, else `fix`.
    pub fn fix_text(&self) -> Option<&str> {
        self.help
            .as_deref()
            .or(Some(self.fix.as_str()))
            .map(str::trim)
            .filter(|t| !t.is_empty())
    }
}

/// Parses one catalogue file. The file stem must equal the `id`.
pub fn parse_entry(stem: &str, text: &str) -> Result<CatalogueEntry, String> {
    let entry = parse_entry_text(text).map_err(|e| format!("rules/{stem}.yaml: {e}"))?;
    if entry.id != stem {
        return Err(format!("rules/{stem}.yaml declares id `{}`", entry.id));
    }
    Ok(entry)
}

/// Parses the text of a catalogue entry or custom policy.
pub fn parse_entry_text(text: &str) -> Result<CatalogueEntry, String> {
    let loaded = parse_yaml(text);
    if let Some(problem) = loaded.problems.first() {
        let at = crate::source::SourceFile::new("", text).line_col(problem.span.start);
        return Err(format!("{}:{}: {}", at.line, at.column, problem.message));
    }
    let doc = loaded.documents.first().ok_or("the file is empty")?;
    serde_json::from_value(to_json(doc, doc.root)).map_err(|e| e.to_string())
}

/// Every catalogue entry, sorted by id. The catalogue is part of the binary and checked by
/// the test suite, so a broken entry is a build defect, not a user error.
pub fn catalogue() -> &'static [CatalogueEntry] {
    static CATALOGUE: OnceLock<Vec<CatalogueEntry>> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        RuleId::ALL
            .iter()
            .map(|id| {
                parse_entry(id.as_str(), id.catalogue_source())
                    .unwrap_or_else(|e| panic!("invalid rule catalogue: {e}"))
            })
            .collect()
    })
}

/// A built-in rule's entry, by id text (`None` for custom policies and unknown ids).
pub fn entry(id: &str) -> Option<&'static CatalogueEntry> {
    id.parse::<RuleId>().ok().map(entry_of)
}

/// A built-in rule's entry.
pub fn entry_of(id: RuleId) -> &'static CatalogueEntry {
    // `catalogue()` holds one entry per `RuleId::ALL`, in the order of the enum's variants.
    catalogue()
        .get(id as usize)
        .unwrap_or_else(|| unreachable!("one catalogue entry per rule id"))
}

/// The `rules` property of the config file's JSON Schema (`kubeward config-schema`): every
/// built-in rule id is a property (so editors complete them), with its summary and its
/// parameters; any other key is a custom policy's id (from `policies:`), which takes a level or
/// `{severity: ...}` only. `level` is the schema of `off | info | warning | error`.
pub(crate) fn rules_schema(level: &serde_json::Value) -> serde_json::Value {
    use serde_json::{Map, Value, json};
    let mut properties = Map::new();
    for entry in catalogue() {
        let mut params = Map::new();
        params.insert("severity".to_string(), level.clone());
        for (name, schema) in &entry.parameters {
            params.insert(name.clone(), schema.clone());
        }
        let parameters: Vec<&str> = entry.parameters.keys().map(String::as_str).collect();
        let description = if parameters.is_empty() {
            format!(
                "{} ({} by default; `kubeward explain {}`)",
                entry.summary.trim(),
                entry.default_severity(),
                entry.id
            )
        } else {
            format!(
                "{} ({} by default; parameters: {}; `kubeward explain {}`)",
                entry.summary.trim(),
                entry.default_severity(),
                parameters.join(", "),
                entry.id
            )
        };
        properties.insert(
            entry.id.clone(),
            json!({
                "description": description,
                "oneOf": [
                    level,
                    {"type": "object", "properties": Value::Object(params), "additionalProperties": false}
                ]
            }),
        );
    }
    json!({
        "description": "Per-rule level, or a mapping with `severity` and the rule's parameters. Every built-in rule is listed; any other key must be the id of a custom policy from `policies:` (checked when the config loads), which takes a level or `{severity: ...}`.",
        "type": "object",
        "properties": Value::Object(properties),
        "additionalProperties": {
            "description": "A custom policy's id (from `policies:`): a level or `{severity: ...}`.",
            "oneOf": [
                level,
                {"type": "object", "properties": {"severity": level}, "additionalProperties": false}
            ]
        }
    })
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}\n")).collect()
}
