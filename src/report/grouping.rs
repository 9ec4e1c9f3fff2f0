//! The human report's layout: findings grouped by file (one header per file) and, within a
//! file, by object (one header per object), so twenty findings on one Deployment read as one
//! block; then the per-rule table ([`super::statistics`]) and the closing line.

use std::io::Write;

use super::terminal::escape_controls;
use crate::finding::{Finding, ObjectIdentity};
use crate::outcome::LintResult;

const BOLD: &str = "\u{1b}[1m";
const RESET: &str = "\u{1b}[0m";

/// The order in which the human report shows `result.findings` (indices): by file in report
/// order, then by object in order of first appearance in the file, then as sorted.
pub(crate) fn order(findings: &[Finding]) -> Vec<usize> {
    // (first index of the finding's file, first index of its object within that file, index).
    let mut keys: Vec<(usize, usize, usize)> = Vec::with_capacity(findings.len());
    let mut file_start = 0;
    let mut objects: Vec<(Option<&ObjectIdentity>, usize)> = Vec::new();
    for (index, finding) in findings.iter().enumerate() {
        let new_file = index == 0
            || findings
                .get(index - 1)
                .is_none_or(|previous| previous.file != finding.file);
        if new_file {
            file_start = index;
            objects.clear();
        }
        let object = finding.object.as_ref();
        let group = match objects.iter().find(|(o, _)| *o == object) {
            Some((_, first)) => *first,
            None => {
                objects.push((object, index));
                index
            }
        };
        keys.push((file_start, group, index));
    }
    keys.sort_unstable();
    keys.into_iter().map(|(_, _, index)| index).collect()
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Writes the rendered findings (`rendered[i]` is `result.findings[i]`) under their file and
/// object headers.
pub(crate) fn write_grouped(
    result: &LintResult,
    rendered: &[String],
    color: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let (bold, reset) = if color { (BOLD, RESET) } else { ("", "") };
    let findings = &result.findings;
    let order = order(findings);
    let mut per_file: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    for f in findings {
        *per_file.entry(f.file).or_default() += 1;
    }
    let mut previous: Option<&Finding> = None;
    for (position, &index) in order.iter().enumerate() {
        let (Some(finding), Some(text)) = (findings.get(index), rendered.get(index)) else {
            continue;
        };
        let same_file = previous.is_some_and(|p| p.file == finding.file);
        if !same_file {
            let path = &result.workspace.source(finding.file).path;
            let in_file = per_file.get(&finding.file).copied().unwrap_or_default();
            writeln!(
                out,
                "{bold}── {} ── {}{reset}",
                escape_controls(path, false),
                plural(in_file, "finding", "findings")
            )?;
        }
        let same_object = same_file && previous.is_some_and(|p| p.object == finding.object);
        if !same_object {
            if let Some(object) = &finding.object {
                // Only this object's findings that follow it in the order (its block).
                let in_block = order
                    .iter()
                    .skip(position)
                    .map_while(|&i| {
                        findings
                            .get(i)
                            .filter(|f| f.file == finding.file && f.object == finding.object)
                    })
                    .count();
                writeln!(
                    out,
                    "{bold}▸ {}{reset} ({})",
                    escape_controls(&object.describe(), false),
                    plural(in_block, "finding", "findings")
                )?;
            }
            writeln!(out)?;
        }
        out.write_all(text.as_bytes())?;
        writeln!(out)?;
        previous = Some(finding);
    }
    Ok(())
}
