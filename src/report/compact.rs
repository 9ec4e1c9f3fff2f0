//! `path:line:col: severity[rule-id] message`, one finding per line.

use std::io::Write;

use super::positions;
use super::terminal::escape_controls;
use crate::finding::Finding;
use crate::outcome::LintResult;

pub(crate) fn write(result: &LintResult, out: &mut dyn Write) -> std::io::Result<()> {
    write_findings(result, &result.findings, out)
}

/// Some of the run's findings, in the order given.
pub(crate) fn write_findings<'a>(
    result: &LintResult,
    findings: impl IntoIterator<Item = &'a Finding>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    for finding in findings {
        let (start, _) = positions(result, finding);
        // One line per finding, whatever the message or the file name holds.
        let message = finding.message.replace(['\n', '\r'], " ");
        writeln!(
            out,
            "{}:{}:{}: {}[{}] {}",
            escape_controls(&result.workspace.source(finding.file).path, false),
            start.line,
            start.column,
            finding.effective_severity(),
            finding.rule,
            escape_controls(&message, false)
        )?;
    }
    Ok(())
}
