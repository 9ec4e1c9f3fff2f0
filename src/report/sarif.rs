//! SARIF 2.1.0 (OASIS), as GitHub code scanning reads it: one run; `tool.driver.rules` is the
//! whole catalogue with its documentation, then the run's custom policies; each result has its rule, level, message, region,
//! related locations, the object as a logical location, and a `partialFingerprints` entry so a
//! finding keeps its identity across commits. Paths are repository-relative URIs against
//! `%SRCROOT%`. Columns count Unicode code points (`columnKind`), like every kubeward format.
//! No source text is embedded (no `snippet`): the report cannot leak what redaction hides.

use std::io::Write;

use serde::Serialize;

use super::paths::{ReportPath, ReportRoot, percent_encode_path};
use crate::catalogue::{CatalogueEntry, catalogue};
use crate::finding::{FileId, Finding, Severity};
use crate::outcome::LintResult;
use crate::outcome::fingerprint;
use crate::source::Span;

/// The `partialFingerprints` key. The version changes if the fingerprint's recipe ever does.
pub const FINGERPRINT_KEY: &str = "kubeward/v1";

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";

/// Where the rule documentation lives: `rules/<id>.yaml` in the repository.
pub(crate) fn help_uri(rule: &str) -> String {
    format!(
        "{}/blob/main/rules/{rule}.yaml",
        env!("CARGO_PKG_REPOSITORY").trim_end_matches('/')
    )
}

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    original_uri_base_ids: serde_json::Map<String, serde_json::Value>,
    column_kind: &'static str,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: String,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Help,
    /// The rule's catalogue entry in kubeward's repository; none for custom policies.
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    partial_fingerprints: serde_json::Map<String, serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<ResultProperties>,
}

#[derive(Serialize)]
struct ResultProperties {
    help: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation {
    name: String,
    fully_qualified_name: String,
    kind: &'static str,
}

pub(crate) fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// `latest-image-tag` -> `LatestImageTag` (SARIF's human-readable rule name).
fn rule_name(id: &str) -> String {
    id.split('-')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// Catalogue text is hard-wrapped; plain-text SARIF fields are not: lines of a paragraph are
/// joined with spaces, paragraphs stay apart.
fn unwrap_lines(text: &str) -> String {
    text.trim()
        .split("\n\n")
        .map(|paragraph| paragraph.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn rule(entry: &CatalogueEntry, builtin: bool) -> Rule {
    let examples = entry
        .examples
        .as_ref()
        .map(|e| {
            format!(
                "\n\nBad:\n\n```yaml\n{}```\n\nGood:\n\n```yaml\n{}```",
                e.bad, e.good
            )
        })
        .unwrap_or_default();
    let markdown = format!(
        "{summary}\n\n**Why it matters.** {rationale}\n\n**How to fix.** {fix}{examples}\n",
        summary = entry.summary.trim(),
        rationale = entry.rationale.trim(),
        fix = entry.fix_text().unwrap_or_default(),
    );
    Rule {
        id: entry.id.clone(),
        name: rule_name(&entry.id),
        short_description: Text {
            text: unwrap_lines(&entry.summary),
        },
        full_description: Text {
            text: unwrap_lines(&entry.rationale),
        },
        help: Help {
            text: entry.explain(),
            markdown,
        },
        help_uri: builtin.then(|| help_uri(&entry.id)),
        default_configuration: Configuration {
            level: level(entry.default_severity()),
        },
        properties: RuleProperties {
            tags: vec!["kubernetes".to_string(), entry.category.clone()],
        },
    }
}

fn physical(result: &LintResult, root: &ReportRoot, file: FileId, span: Span) -> PhysicalLocation {
    let source = result.workspace.source(file);
    let (start, end) = (source.line_col(span.start), source.line_col(span.end));
    let artifact_location = match root.locate(&source.path) {
        ReportPath::Repository(path) => ArtifactLocation {
            uri: Some(percent_encode_path(&path)),
            uri_base_id: Some(SRCROOT),
            description: None,
        },
        ReportPath::Outside(path) => ArtifactLocation {
            uri: Some(format!(
                "file://{}{}",
                if path.starts_with('/') { "" } else { "/" },
                percent_encode_path(&path)
            )),
            uri_base_id: None,
            description: None,
        },
        ReportPath::Stdin => ArtifactLocation {
            uri: None,
            uri_base_id: None,
            description: Some(Text {
                text: "standard input".to_string(),
            }),
        },
    };
    PhysicalLocation {
        artifact_location,
        region: Region {
            start_line: start.line,
            start_column: start.column,
            end_line: end.line,
            end_column: end.column,
        },
    }
}

fn sarif_result(
    result: &LintResult,
    root: &ReportRoot,
    rule_index: Option<usize>,
    finding: &Finding,
) -> SarifResult {
    let logical_locations = finding
        .object
        .iter()
        .map(|object| LogicalLocation {
            name: object.name.clone().unwrap_or_default(),
            fully_qualified_name: object.describe(),
            kind: "resource",
        })
        .collect();
    let related_locations = finding
        .related
        .iter()
        .enumerate()
        .map(|(index, label)| Location {
            id: Some(index + 1),
            physical_location: physical(result, root, label.file, label.span),
            logical_locations: Vec::new(),
            message: Some(Text {
                text: label.text.clone(),
            }),
        })
        .collect();
    let mut partial_fingerprints = serde_json::Map::new();
    partial_fingerprints.insert(
        FINGERPRINT_KEY.to_string(),
        serde_json::Value::String(fingerprint(result, finding)),
    );
    SarifResult {
        rule_id: finding.rule.as_str(),
        rule_index,
        level: level(finding.effective_severity()),
        message: Text {
            text: finding.message.clone(),
        },
        locations: vec![Location {
            id: None,
            physical_location: physical(result, root, finding.file, finding.span),
            logical_locations,
            message: None,
        }],
        related_locations,
        partial_fingerprints,
        properties: finding
            .help
            .as_ref()
            .map(|help| ResultProperties { help: help.clone() }),
    }
}

pub(crate) fn write(
    result: &LintResult,
    root: &ReportRoot,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    // The built-in catalogue, then the run's custom policies: every result has its rule.
    let builtin = catalogue();
    let entries: Vec<&CatalogueEntry> = builtin.iter().chain(&result.custom_rules).collect();
    let results = result
        .findings
        .iter()
        .map(|finding| {
            let index = entries.iter().position(|e| e.id == finding.rule.as_str());
            sarif_result(result, root, index, finding)
        })
        .collect();
    let mut base_ids = serde_json::Map::new();
    base_ids.insert(
        SRCROOT.to_string(),
        serde_json::json!({
            "uri": root.root_uri(),
            "description": {"text": "The root of the repository that was linted."}
        }),
    );
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "kubeward",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: env!("CARGO_PKG_REPOSITORY"),
                    rules: entries
                        .iter()
                        .enumerate()
                        .map(|(i, entry)| rule(entry, i < builtin.len()))
                        .collect(),
                },
            },
            original_uri_base_ids: base_ids,
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_names_are_pascal_case() {
        assert_eq!(rule_name("latest-image-tag"), "LatestImageTag");
        assert_eq!(rule_name("io-error"), "IoError");
    }

    #[test]
    fn descriptions_are_unwrapped_but_keep_paragraphs() {
        assert_eq!(unwrap_lines("a b\nc\n\nd\n  e\n"), "a b c\n\nd e");
    }
}
