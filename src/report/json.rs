//! The JSON report, version 1. Fields may be added within a version, never removed or renamed.

use std::io::Write;

use serde::Serialize;

use super::{counts, positions};
use crate::finding::{ObjectIdentity, Severity};
use crate::outcome::LintResult;
use crate::outcome::fingerprint;

pub(crate) const JSON_VERSION: u32 = 1;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    findings: Vec<JsonFinding<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'a str,
    severity: Severity,
    message: &'a str,
    path: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    object: Option<&'a ObjectIdentity>,
    help: Option<&'a str>,
    fingerprint: String,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    objects: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<crate::outcome::BaselineSummary>,
}

pub(crate) fn write(result: &LintResult, out: &mut dyn Write) -> std::io::Result<()> {
    let findings = result
        .findings
        .iter()
        .map(|f| {
            let (start, end) = positions(result, f);
            JsonFinding {
                rule: f.rule.as_str(),
                severity: f.effective_severity(),
                message: &f.message,
                path: &result.workspace.source(f.file).path,
                line: start.line,
                column: start.column,
                end_line: end.line,
                end_column: end.column,
                object: f.object.as_ref(),
                help: f.help.as_deref(),
                fingerprint: fingerprint(result, f),
            }
        })
        .collect();
    let c = counts(&result.findings);
    let report = Report {
        version: JSON_VERSION,
        findings,
        summary: Summary {
            files: result.reported_files().count(),
            objects: result.reported_objects(),
            errors: c.errors,
            warnings: c.warnings,
            infos: c.infos,
            baseline: result.baseline,
        },
    };
    serde_json::to_writer_pretty(&mut *out, &report)?;
    writeln!(out)
}
