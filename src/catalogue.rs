//! The rule catalogue: one `rules/<id>.yaml` per rule, embedded at build time. `kubeward
//! rules`, `kubeward explain`, and the severities the engine applies all read it.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::finding::Severity;
use crate::load::{json::to_json, parse_yaml};

include!(concat!(env!("OUT_DIR"), "/catalogue.rs"));

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    pub bad: String,
    pub good: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueEntry {
    pub id: String,
    pub severity: SeverityName,
    pub category: String,
    pub summary: String,
    pub rationale: String,
    pub fix: String,
    pub examples: Examples,
}

/// A severity as written in a catalogue entry.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SeverityName {
    Info,
    Warning,
    Error,
}

impl From<SeverityName> for Severity {
    fn from(s: SeverityName) -> Severity {
        match s {
            SeverityName::Info => Severity::Info,
            SeverityName::Warning => Severity::Warning,
            SeverityName::Error => Severity::Error,
        }
    }
}

impl CatalogueEntry {
    pub fn default_severity(&self) -> Severity {
        self.severity.into()
    }
}

/// Parses one catalogue file. The file stem must equal the `id`.
pub fn parse_entry(stem: &str, text: &str) -> Result<CatalogueEntry, String> {
    let loaded = parse_yaml(text);
    if let Some(problem) = loaded.problems.first() {
        return Err(format!("rules/{stem}.yaml: {}", problem.message));
    }
    let doc = loaded
        .documents
        .first()
        .ok_or_else(|| format!("rules/{stem}.yaml is empty"))?;
    let entry: CatalogueEntry = serde_json::from_value(to_json(doc, doc.root))
        .map_err(|e| format!("rules/{stem}.yaml: {e}"))?;
    if entry.id != stem {
        return Err(format!("rules/{stem}.yaml declares id `{}`", entry.id));
    }
    Ok(entry)
}

/// Every catalogue entry, sorted by id. The catalogue is part of the binary and checked by
/// the test suite, so a broken entry is a build defect, not a user error.
pub fn catalogue() -> &'static [CatalogueEntry] {
    static CATALOGUE: OnceLock<Vec<CatalogueEntry>> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        CATALOGUE_SOURCES
            .iter()
            .map(|(stem, text)| {
                parse_entry(stem, text).unwrap_or_else(|e| panic!("invalid rule catalogue: {e}"))
            })
            .collect()
    })
}

pub fn entry(id: &str) -> Option<&'static CatalogueEntry> {
    catalogue().iter().find(|e| e.id == id)
}
