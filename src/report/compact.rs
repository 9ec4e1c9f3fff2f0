//! `path:line:col: severity[rule-id] message`, one finding per line.

use std::io::Write;

use super::positions;
use crate::outcome::LintResult;

pub(crate) fn write(result: &LintResult, out: &mut dyn Write) -> std::io::Result<()> {
    for finding in &result.findings {
        let (start, _) = positions(result, finding);
        let message = finding.message.replace(['\n', '\r'], " ");
        writeln!(
            out,
            "{}:{}:{}: {}[{}] {}",
            result.workspace.source(finding.file).path,
            start.line,
            start.column,
            finding.effective_severity(),
            finding.rule,
            message
        )?;
    }
    Ok(())
}
