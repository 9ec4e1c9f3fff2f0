//! Output formats. Every format reads the same sorted, severity-resolved findings.

mod compact;
mod github;
mod human;
mod json;
mod junit;
mod paths;
mod sarif;

use std::borrow::Cow;
use std::io::Write;

use crate::finding::{FileId, Finding, Severity, stable_hash};
use crate::lint::LintResult;
use crate::source::{LineCol, Span};

pub use github::write_step_summary;
pub use human::HumanOptions;
pub use paths::ReportRoot;
pub use sarif::FINGERPRINT_KEY;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Graphical report with source snippets (miette).
    Human,
    /// `path:line:col: severity[rule-id] message`, one per line.
    Compact,
    /// The versioned JSON contract (see README).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands: one annotation per finding.
    Github,
    /// JUnit XML: one test case per file, a failure per finding.
    Junit,
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
        Format::Sarif => sarif::write(result, &ReportRoot::discover(), out),
        Format::Github => github::write(result, &ReportRoot::discover(), out),
        Format::Junit => junit::write(result, &ReportRoot::discover(), out),
    }
}

/// The one door through which text copied from a source file leaves a report (today: the
/// offending text hashed into fingerprints; the human report draws its snippets from the same
/// source). Secret redaction plugs in here: text under a redacted span must come out masked
/// (`*****`), so no format can leak a secret value by quoting the source. Messages, labels and
/// help are written by rules, which keep secret values out of them.
pub fn snippet_text(result: &LintResult, file: FileId, span: Span) -> Cow<'_, str> {
    let text = result.workspace.source(file).slice(span);
    if result.redactions.overlaps(file, span) {
        // Masking keeps byte lengths, so the span still indexes the masked text.
        let spans = result.redactions.spans(file);
        let relative: Vec<Span> = spans
            .iter()
            .filter(|s| s.start < span.end && span.start < s.end)
            .map(|s| {
                Span::new(
                    s.start.max(span.start) - span.start,
                    s.end.min(span.end) - span.start,
                )
            })
            .collect();
        Cow::Owned(crate::redact::mask(text, &relative))
    } else {
        Cow::Borrowed(text)
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
/// and the offending text (whitespace-normalised), never line numbers. When the finding points
/// into a secret value, the value's key path (`data.password`) stands in for the text: a hash
/// of a short secret could be brute-forced.
pub fn fingerprint(result: &LintResult, finding: &Finding) -> String {
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
    // `./deploy/a.yaml` and `deploy/a.yaml` are the same file to the user.
    let path = source.path.trim_start_matches("./");
    stable_hash(&[finding.rule, path, &object, &content])
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

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The one-line summary that ends the human output.
pub fn summary_line(result: &LintResult) -> String {
    let c = counts(&result.findings);
    let files = result.reported_files().count();
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
        plural(result.reported_objects(), "object", "objects")
    ));
    if let Some(b) = result.baseline {
        line.push_str(&format!(
            "; baseline: {} hidden, {} fixed since",
            b.hidden, b.fixed
        ));
    }
    line
}
