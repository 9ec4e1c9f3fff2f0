//! The outcome of a run: the findings over the workspace, what the baseline hid, and what the
//! reports and the baseline need to know of it. `lint` produces it; `baseline` and `report`
//! read it (neither imports the other nor the pipeline).

use crate::load::file::FileRole;
use serde::Serialize;

use crate::catalogue::CatalogueEntry;
use crate::discover::Skipped;
use crate::finding::{FileId, Finding, stable_hash};
use crate::model::Workspace;
use crate::redact::Redactions;
use crate::source::Span;

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
    /// Findings at or above this severity fail the run (`--fail-on`; `None`: never). Formats
    /// that tell failures from other findings (JUnit) read it; the library's default is
    /// `error`, the CLI sets it.
    pub failure_threshold: Option<crate::finding::Severity>,
    /// Per file: its path relative to the repository root (`Input::key`), what fingerprints
    /// and baselines record.
    pub keys: Vec<String>,
    /// What the walks left out (symlinks, ignored paths), for the summary.
    pub skipped: Skipped,
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

    /// The file's path relative to the repository root (its display path when unknown).
    pub fn path_key(&self, file: FileId) -> &str {
        match self.keys.get(file) {
            Some(key) => key,
            None => self.workspace.source(file).path.trim_start_matches("./"),
        }
    }

    /// Objects in reported files, and those built from them (a kustomization's output).
    pub fn reported_objects(&self) -> usize {
        self.workspace
            .objects
            .iter()
            .filter(|o| self.is_reported(o.file) || self.role(o.file) == FileRole::Built)
            .count()
    }

    fn role(&self, file: FileId) -> FileRole {
        self.workspace
            .files
            .get(file)
            .map_or(FileRole::Plain, |f| f.role)
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
            .filter(|f| !with.get(*f).copied().unwrap_or(false) && self.role(*f) == FileRole::Plain)
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

/// A stable identity for a finding that survives unrelated edits: rule, path, object identity
/// and the offending text (whitespace-normalised), never line numbers. When the finding points
/// into a secret value, the value's key path (`data.password`) stands in for the text: a hash
/// of a short secret could be brute-forced.
pub fn fingerprint(result: &LintResult, finding: &Finding) -> String {
    fingerprint_with_path(result, finding, result.path_key(finding.file))
}

/// The fingerprint baselines of version 1 recorded: the path as displayed, less a leading
/// `./`. Matched too when such a baseline is read.
pub(crate) fn legacy_fingerprint(result: &LintResult, finding: &Finding) -> String {
    let path = result
        .workspace
        .source(finding.file)
        .path
        .trim_start_matches("./");
    fingerprint_with_path(result, finding, path)
}

fn fingerprint_with_path(result: &LintResult, finding: &Finding, path: &str) -> String {
    let source = result.workspace.source(finding.file);
    let content: String = if result.redactions.overlaps(finding.file, finding.span) {
        secret_location(result, finding)
    } else {
        source
            .slice(finding.span)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let object = finding
        .object
        .as_ref()
        .map(|o| {
            format!(
                "{}|{}|{}|{}",
                o.api_version,
                o.kind,
                o.namespace.as_deref().unwrap_or(""),
                o.name.as_deref().unwrap_or("")
            )
        })
        .unwrap_or_default();
    stable_hash(&[finding.rule.as_str(), path, &object, &content])
}

/// Where a secret is, without the secret: the YAML key path of the span (list items by name
/// where they have one), or (outside YAML,
/// e.g. in a Dockerfile) the masked text of its first line.
fn secret_location(result: &LintResult, finding: &Finding) -> String {
    let Some(file) = result.workspace.files.get(finding.file) else {
        return String::new();
    };
    let in_document = file
        .documents
        .iter()
        .filter(|d| d.span.start <= finding.span.start && finding.span.end <= d.span.end)
        .find_map(|d| d.named_path_to(finding.span));
    if let Some(path) = in_document {
        return format!("path:{path}");
    }
    let source = &file.source;
    let line = source.line_col(finding.span.start).line;
    let text = source
        .line_span(line)
        .map(|line_span| {
            // The line with its secrets masked (spans shifted to the line).
            let spans: Vec<Span> = result
                .redactions
                .spans(finding.file)
                .iter()
                .filter(|s| s.start < line_span.end && s.end > line_span.start)
                .map(|s| {
                    Span::new(
                        s.start.max(line_span.start) - line_span.start,
                        s.end.min(line_span.end) - line_span.start,
                    )
                })
                .collect();
            crate::redact::mask(source.slice(line_span), &spans)
        })
        .unwrap_or_default();
    // Masks of any width count the same: a rotated secret of another length is the same finding.
    let mut collapsed = String::with_capacity(text.len());
    for c in text.chars() {
        if c != '*' || !collapsed.ends_with('*') {
            collapsed.push(c);
        }
    }
    format!(
        "line:{}",
        collapsed.split_whitespace().collect::<Vec<_>>().join(" ")
    )
}

/// What the report-layer fuzz target needs: one finding to draw on a text, its span and
/// related span given as byte offsets (clamped to the text, floored to character boundaries).
#[doc(hidden)]
pub struct ArbitraryFinding {
    pub rule: usize,
    pub severity: crate::finding::Severity,
    pub start: usize,
    pub len: usize,
    pub message: String,
    pub label: Option<String>,
    pub help: Option<String>,
    pub related: Option<(usize, usize, String)>,
}

/// A run's outcome over one text holding the given findings, as the pipeline would produce it
/// (the text parsed, secret values found and masked, findings sorted), for fuzzing every
/// report format on arbitrary findings and text (`fuzz/fuzz_targets/report.rs`). Not an API.
#[doc(hidden)]
pub fn outcome_for_text(path: &str, text: &str, arbitrary: Vec<ArbitraryFinding>) -> LintResult {
    use crate::rule_id::{RuleId, RuleName};
    let source = crate::source::SourceFile::new(path, text);
    let documents = crate::load::parse_yaml(&source.text).documents;
    let workspace = Workspace::new(
        vec![crate::load::file::LoadedFile::manifest(source, documents)],
        &crate::model::WorkspaceOptions::default(),
    );
    let floor = |at: usize| {
        let mut at = at.min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        at
    };
    let span = |start: usize, len: usize| {
        let start = floor(start);
        Span::new(start, floor(start.saturating_add(len)))
    };
    let mut findings: Vec<Finding> = arbitrary
        .into_iter()
        .map(|a| {
            let rule = RuleId::ALL
                .get(a.rule % RuleId::ALL.len().max(1))
                .copied()
                .map_or(RuleName::Custom("custom-policy"), RuleName::Builtin);
            let mut finding =
                Finding::new(rule, 0, span(a.start, a.len), a.message).severity(a.severity);
            finding.label = a.label;
            finding.help = a.help;
            if let Some((start, len, text)) = a.related {
                finding = finding.related(0, span(start, len), text);
            }
            finding
        })
        .collect();
    let (redactions, crashed) = Redactions::collect(&workspace, &findings);
    findings.extend(crashed);
    redactions.apply(&mut findings);
    findings.sort_by_key(|f| (f.span.start, f.span.end, f.rule));
    LintResult {
        workspace,
        findings,
        baseline: None,
        custom_rules: Vec::new(),
        context_only: Vec::new(),
        redactions,
        failure_threshold: Some(crate::finding::Severity::Error),
        keys: vec![path.to_string()],
        skipped: Default::default(),
    }
}
