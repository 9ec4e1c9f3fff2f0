//! GitHub Actions: one workflow command per finding, which the runner turns into an annotation
//! on the file and line (`::warning file=…,line=…,col=…,endLine=…,endColumn=…,title=…::…`), and
//! a Markdown job summary for `$GITHUB_STEP_SUMMARY`.
//!
//! Escaping follows the runner (actions/runner `ActionCommand`, actions/toolkit `command.ts`):
//! in the message `%`, `\r`, `\n` become `%25`, `%0D`, `%0A`; in property values `:` and `,`
//! also become `%3A` and `%2C`. Columns are only given when the finding starts and ends on one
//! line: the runner drops `col`/`endColumn` otherwise (`ValidateLinesAndColumns`).

use std::collections::BTreeMap;
use std::io::Write;

use super::paths::{ReportPath, ReportRoot};
use super::terminal::escape_controls;
use super::{counts, positions, summary_line};
use crate::catalogue;
use crate::finding::{Finding, Severity};
use crate::outcome::LintResult;

/// Findings listed per rule in the job summary; the rest are counted.
const SUMMARY_FINDINGS_PER_RULE: usize = 50;

/// Escapes a workflow command's message (`escapeData`).
pub(crate) fn escape_data(text: &str) -> String {
    let escaped = text
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    // Other control characters would reach the job log raw (an ESC starts a terminal escape).
    escape_controls(&escaped, false).into_owned()
}

/// Escapes a workflow command's property value (`escapeProperty`).
pub(crate) fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// One annotation per finding. The message carries the finding's help on a second line.
pub(crate) fn write(
    result: &LintResult,
    root: &ReportRoot,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    for finding in &result.findings {
        writeln!(out, "{}", annotation(result, root, finding))?;
    }
    Ok(())
}

fn annotation(result: &LintResult, root: &ReportRoot, finding: &Finding) -> String {
    let (start, end) = positions(result, finding);
    // Standard input has no file in the repository: an annotation with `file=<stdin>` points
    // nowhere, so it is a run-level annotation with the position in its message
    // (`--stdin-filename` names stdin's file instead).
    let stdin = root.locate(&result.workspace.source(finding.file).path) == ReportPath::Stdin;
    let mut properties = Vec::new();
    if !stdin {
        properties.push(("file", root.display(result, finding.file)));
        properties.push(("line", start.line.to_string()));
        if start.line == end.line {
            properties.push(("col", start.column.to_string()));
        }
        properties.push(("endLine", end.line.to_string()));
        if start.line == end.line {
            properties.push(("endColumn", end.column.to_string()));
        }
    }
    properties.push(("title", finding.rule.to_string()));
    let properties: Vec<String> = properties
        .into_iter()
        .map(|(key, value)| format!("{key}={}", escape_property(&value)))
        .collect();
    let mut message = finding.message.clone();
    if stdin {
        message = format!("standard input:{}:{}: {message}", start.line, start.column);
    }
    if let Some(help) = &finding.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    format!(
        "::{} {}::{}",
        command(finding.effective_severity()),
        properties.join(","),
        escape_data(&message)
    )
}

/// Text for a Markdown table cell or list item: no line breaks, no raw HTML, no table pipes.
fn markdown_text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('|', "\\|")
        .replace(['\r', '\n'], " ")
}

/// A Markdown code span holding `text` literally, whatever backticks it contains.
fn code_span(text: &str) -> String {
    let text = text.replace(['\r', '\n'], " ");
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    if longest == 0 {
        format!("{fence}{text}{fence}")
    } else {
        format!("{fence} {text} {fence}")
    }
}

/// The job summary: counts, then a table with one row per rule that fired, then the findings of
/// each rule in a collapsed list.
pub fn write_step_summary(result: &LintResult, out: &mut dyn Write) -> std::io::Result<()> {
    let root = ReportRoot::discover();
    write_summary(result, &root, out)
}

pub(crate) fn write_summary(
    result: &LintResult,
    root: &ReportRoot,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    writeln!(out, "## kubeward\n")?;
    let c = counts(&result.findings);
    let verdict = if c.errors > 0 {
        "❌"
    } else if c.warnings > 0 {
        "⚠️"
    } else {
        "✅"
    };
    writeln!(out, "{verdict} {}\n", markdown_text(&summary_line(result)))?;
    if result.findings.is_empty() {
        return Ok(());
    }
    let mut by_rule: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for finding in &result.findings {
        by_rule
            .entry(finding.rule.as_str())
            .or_default()
            .push(finding);
    }
    writeln!(out, "| rule | severity | findings | files | summary |")?;
    writeln!(out, "| --- | --- | ---: | ---: | --- |")?;
    for (rule, findings) in &by_rule {
        let severity = findings
            .iter()
            .map(|f| f.effective_severity())
            .max()
            .unwrap_or(Severity::Error);
        let mut files: Vec<usize> = findings.iter().map(|f| f.file).collect();
        files.sort_unstable();
        files.dedup();
        let summary = catalogue::entry(rule)
            .map(|e| markdown_text(e.summary.trim()))
            .unwrap_or_default();
        writeln!(
            out,
            "| [`{rule}`]({uri}) | {severity} | {} | {} | {summary} |",
            findings.len(),
            files.len(),
            uri = super::sarif::help_uri(rule),
        )?;
    }
    for (rule, findings) in &by_rule {
        writeln!(
            out,
            "\n<details><summary><code>{rule}</code>: {}</summary>\n",
            plural(findings.len())
        )?;
        for finding in findings.iter().take(SUMMARY_FINDINGS_PER_RULE) {
            let (start, _) = positions(result, finding);
            let location = format!(
                "{}:{}:{}",
                root.display(result, finding.file),
                start.line,
                start.column
            );
            writeln!(
                out,
                "- {} {}",
                code_span(&location),
                markdown_text(&finding.message)
            )?;
        }
        if findings.len() > SUMMARY_FINDINGS_PER_RULE {
            writeln!(
                out,
                "- … and {} more",
                findings.len() - SUMMARY_FINDINGS_PER_RULE
            )?;
        }
        writeln!(out, "\n</details>")?;
    }
    Ok(())
}

fn plural(n: usize) -> String {
    format!("{n} finding{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_runner() {
        assert_eq!(escape_data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
        assert_eq!(escape_property("dir:a,b%\n.yaml"), "dir%3Aa%2Cb%25%0A.yaml");
        // Already-escaped-looking text is escaped again, so it round-trips.
        assert_eq!(escape_data("%0A"), "%250A");
    }

    #[test]
    fn code_spans_hold_backticks_and_text_is_inert() {
        assert_eq!(code_span("a.yaml:1:2"), "`a.yaml:1:2`");
        assert_eq!(code_span("we`ird.yaml"), "`` we`ird.yaml ``");
        assert_eq!(
            markdown_text("a | b <script>\nc & d"),
            "a \\| b &lt;script&gt; c &amp; d"
        );
    }
}
