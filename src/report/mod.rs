//! Output formats. Every format reads the same sorted, severity-resolved findings.

mod compact;
mod human;
mod json;

use std::io::Write;

use crate::finding::{Finding, Severity, stable_hash};
use crate::lint::LintResult;
use crate::source::LineCol;

pub use human::HumanOptions;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Graphical report with source snippets (miette).
    Human,
    /// `path:line:col: severity[rule-id] message`, one per line.
    Compact,
    /// The versioned JSON contract (see README).
    Json,
}

pub fn write_report(
    result: &LintResult,
    format: Format,
    human: &HumanOptions,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        Format::Human => human::write(result, human, out),
        Format::Compact => compact::write(result, out),
        Format::Json => json::write(result, out),
    }
}

/// Counts per severity.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

pub fn counts(findings: &[Finding]) -> Counts {
    let mut c = Counts::default();
    for f in findings {
        match f.effective_severity() {
            Severity::Error => c.errors += 1,
            Severity::Warning => c.warnings += 1,
            Severity::Info => c.infos += 1,
        }
    }
    c
}

/// Start and exclusive end of a finding, 1-based, counting characters.
pub fn positions(result: &LintResult, finding: &Finding) -> (LineCol, LineCol) {
    let source = result.workspace.source(finding.file);
    (
        source.line_col(finding.span.start),
        source.line_col(finding.span.end),
    )
}

/// A stable identity for a finding that survives unrelated edits: rule, path, object identity
/// and the offending text (whitespace-normalised), never line numbers.
pub fn fingerprint(result: &LintResult, finding: &Finding) -> String {
    let source = result.workspace.source(finding.file);
    let content: String = source
        .slice(finding.span)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
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
    // `./deploy/a.yaml` and `deploy/a.yaml` are the same file to the user.
    let path = source.path.trim_start_matches("./");
    stable_hash(&[finding.rule, path, &object, &content])
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The one-line summary that ends the human output.
pub fn summary_line(result: &LintResult) -> String {
    let c = counts(&result.findings);
    let files = result.workspace.files.len();
    let without = result.files_without_objects();
    let mut line = format!(
        "{}, {}, {} in {}",
        plural(c.errors, "error", "errors"),
        plural(c.warnings, "warning", "warnings"),
        plural(c.infos, "info", "infos"),
        plural(files, "file", "files"),
    );
    if without > 0 {
        line.push_str(&format!(" ({without} without Kubernetes objects)"));
    }
    line.push_str(&format!(
        ", {}",
        plural(result.workspace.objects.len(), "object", "objects")
    ));
    if let Some(b) = result.baseline {
        line.push_str(&format!(
            "; baseline: {} hidden, {} fixed since",
            b.hidden, b.fixed
        ));
    }
    line
}
