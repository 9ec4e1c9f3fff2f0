//! The outcome of a run: the findings over the workspace, what the baseline hid, and what the
//! reports and the baseline need to know of it. `lint` produces it; `baseline` and `report`
//! read it (neither imports the other nor the pipeline).

use serde::Serialize;

use crate::catalogue::CatalogueEntry;
use crate::finding::{FileId, Finding};
use crate::model::Workspace;
use crate::redact::Redactions;

/// Everything a report needs.
#[derive(Debug)]
pub struct LintResult {
    pub workspace: Workspace,
    /// Sorted by path, line, column, rule, message; severities resolved; secret values
    /// scrubbed from every text.
    pub findings: Vec<Finding>,
    /// Set when a baseline was applied.
    pub baseline: Option<BaselineSummary>,
    /// The catalogue entries of the run's custom policies (see [`Registry::custom_entries`]).
    pub custom_rules: Vec<CatalogueEntry>,
    /// Per file: loaded only as context (`--context`). Context files are in the workspace, so
    /// rules that relate objects across files see them, but their findings are dropped and
    /// reports leave them out. Empty when the run had no context.
    pub context_only: Vec<bool>,
    /// The secret values of every file: formats that show source text must take it from
    /// [`Redactions::masked_text`].
    pub redactions: Redactions,
}

impl LintResult {
    /// Whether findings in this file are reported (false for context-only files).
    pub fn is_reported(&self, file: FileId) -> bool {
        !self.context_only.get(file).copied().unwrap_or(false)
    }

    /// The files reported on: every file read, less context-only files.
    pub fn reported_files(&self) -> impl Iterator<Item = FileId> + '_ {
        (0..self.workspace.files.len()).filter(|f| self.is_reported(*f))
    }

    /// Objects in reported files.
    pub fn reported_objects(&self) -> usize {
        self.workspace
            .objects
            .iter()
            .filter(|o| self.is_reported(o.file))
            .count()
    }

    /// Reported files that were read but held no Kubernetes object (empty files, comments
    /// only, CI configs, Helm values, templates, unparsable files).
    pub fn files_without_objects(&self) -> usize {
        let mut with = vec![false; self.workspace.files.len()];
        for object in &self.workspace.objects {
            if let Some(slot) = with.get_mut(object.file) {
                *slot = true;
            }
        }
        self.reported_files()
            .filter(|f| !with.get(*f).copied().unwrap_or(false))
            .count()
    }
}

/// What applying a baseline did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct BaselineSummary {
    /// Findings hidden because the baseline has them.
    pub hidden: usize,
    /// Baseline entries no longer found: problems fixed since.
    pub fixed: usize,
}
