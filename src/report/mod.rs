//! Output formats. Every format reads the same sorted, severity-resolved findings.

mod compact;
mod file;
mod github;
mod grouping;
mod human;
mod json;
mod junit;
mod paths;
mod sarif;
mod statistics;
mod terminal;

use std::borrow::Cow;
use std::io::Write;

use crate::finding::{FileId, Finding, Severity};
use crate::outcome::LintResult;
use crate::source::{LineCol, Span};

pub use file::{OutputFile, write_output_files};
pub use github::write_step_summary;
pub use human::HumanOptions;
pub use paths::ReportRoot;
pub use sarif::FINGERPRINT_KEY;
pub use statistics::write_statistics;

/// The human report without its summary (`--quiet`: findings only).
pub fn write_human_findings(
    result: &LintResult,
    options: &HumanOptions,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    human::write_with_summary(result, options, false, out)
}

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
    /// JUnit XML: one test case per (file, object); findings at or above --fail-on fail it.
    Junit,
}

pub fn write_report(
    result: &LintResult,
    format: Format,
    human: &HumanOptions,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    // The human report streams, a batch of files at a time, each batch under its own guard
    // (see [`human::write_with_summary`]).
    if format == Format::Human {
        return human::write(result, human, out);
    }
    // The others are rendered into memory under a guard: a bug in a format on some finding's
    // text must not lose the run's findings. On a panic the findings are written in the
    // compact form, which copies no source text, and the crash is said on stderr (without the
    // panic's text, which can quote the input).
    let mut buffer = Vec::new();
    let rendered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match format {
        Format::Human => human::write(result, human, &mut buffer),
        Format::Compact => compact::write(result, &mut buffer),
        Format::Json => json::write(result, &mut buffer),
        Format::Sarif => sarif::write(result, &ReportRoot::discover(), &mut buffer),
        Format::Github => github::write(result, &ReportRoot::discover(), &mut buffer),
        Format::Junit => junit::write(result, &ReportRoot::discover(), &mut buffer),
    }));
    match rendered {
        Ok(written) => {
            written?;
            out.write_all(&buffer)
        }
        Err(_) => {
            eprintln!(
                "kubeward: internal error: the {format:?} report crashed (a bug in kubeward, \
                 please report it); the findings follow in compact form"
            );
            compact::write(result, out)
        }
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
    let skipped = result.skipped;
    if skipped.ignored > 0 || skipped.symlinks > 0 || skipped.unwalked > 0 {
        let mut parts = Vec::new();
        if skipped.ignored > 0 {
            parts.push(format!(
                "{} ignored (.gitignore/.ignore)",
                plural(skipped.ignored, "path", "paths")
            ));
        }
        if skipped.symlinks > 0 {
            parts.push(plural(skipped.symlinks, "symlink", "symlinks"));
        }
        if skipped.unwalked > 0 {
            parts.push(format!(
                "{} that the --context walk does not read (hidden, ignored or a symlink)",
                plural(skipped.unwalked, "named file", "named files")
            ));
        }
        line.push_str(&format!("; skipped {}", parts.join(", ")));
    }
    if let Some(b) = result.baseline {
        line.push_str(&format!(
            "; baseline: {} hidden, {} fixed since",
            b.hidden, b.fixed
        ));
    }
    line
}
