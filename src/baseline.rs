//! Baselines: `--write-baseline FILE` records the current findings; `--baseline FILE` hides
//! the findings recorded there and reports only new ones. Findings are matched by fingerprint
//! (rule, path, object identity and offending text; no line numbers), so unrelated edits do not
//! invalidate a baseline. Equal fingerprints are counted, so a second identical problem in the
//! same place is still reported.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::outcome::{BaselineSummary, LintResult, fingerprint};

pub(crate) const BASELINE_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct BaselineEntry {
    pub rule: String,
    pub path: String,
    /// `Kind namespace/name`, for people reading the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    pub fingerprint: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct Baseline {
    pub version: u32,
    pub findings: Vec<BaselineEntry>,
}

impl Baseline {
    pub(crate) fn from_result(result: &LintResult) -> Baseline {
        Baseline {
            version: BASELINE_VERSION,
            findings: result
                .findings
                .iter()
                .map(|f| BaselineEntry {
                    rule: f.rule.to_string(),
                    path: result.workspace.source(f.file).path.clone(),
                    object: f.object.as_ref().map(|o| o.describe()),
                    fingerprint: fingerprint(result, f),
                })
                .collect(),
        }
    }

    pub(crate) fn read(path: &Path) -> Result<Baseline, Error> {
        let error = |message: String| Error::Baseline {
            path: path.display().to_string(),
            message,
        };
        let text = crate::load::input::read_regular_file(path).map_err(error)?;
        let baseline: Baseline = serde_json::from_str(&text).map_err(|e| error(e.to_string()))?;
        if baseline.version != BASELINE_VERSION {
            return Err(error(format!(
                "version {} is not supported (expected {BASELINE_VERSION})",
                baseline.version
            )));
        }
        Ok(baseline)
    }

    pub(crate) fn write(&self, path: &Path) -> Result<(), Error> {
        let mut text = serde_json::to_string_pretty(self).map_err(|e| Error::Baseline {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        text.push('\n');
        std::fs::write(path, text).map_err(|source| Error::Path {
            path: path.display().to_string(),
            source,
        })
    }

    /// Removes findings the baseline has and counts what it hid and what was fixed.
    pub(crate) fn apply(&self, result: &mut LintResult) -> BaselineSummary {
        let mut remaining: HashMap<&str, usize> = HashMap::new();
        for entry in &self.findings {
            *remaining.entry(entry.fingerprint.as_str()).or_default() += 1;
        }
        let prints: Vec<String> = result
            .findings
            .iter()
            .map(|f| fingerprint(result, f))
            .collect();
        let mut keep = Vec::with_capacity(result.findings.len());
        let mut hidden = 0;
        for (finding, print) in std::mem::take(&mut result.findings)
            .into_iter()
            .zip(&prints)
        {
            match remaining.get_mut(print.as_str()) {
                Some(count) if *count > 0 => {
                    *count -= 1;
                    hidden += 1;
                }
                _ => keep.push(finding),
            }
        }
        result.findings = keep;
        BaselineSummary {
            hidden,
            fixed: remaining.values().sum(),
        }
    }
}
