//! The human report's layout: findings grouped by file (one header per file) and, within a
//! file, by object (one header per object), so twenty findings on one Deployment read as one
//! block; then the per-rule table ([`super::statistics`]) and the closing line.

use std::collections::HashMap;
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

/// The report's layout of `result.findings`: their order ([`order`]) and how many findings
/// each file has (its header says so, whichever batch of the report draws it).
pub(crate) struct Layout {
    order: Vec<usize>,
    per_file: HashMap<usize, usize>,
}

impl Layout {
    pub(crate) fn new(findings: &[Finding]) -> Layout {
        let mut per_file: HashMap<usize, usize> = HashMap::new();
        for f in findings {
            *per_file.entry(f.file).or_default() += 1;
        }
        Layout {
            order: order(findings),
            per_file,
        }
    }

    /// The findings' indices in report order.
    pub(crate) fn order(&self) -> &[usize] {
        &self.order
    }

    /// Do the findings at positions `a` and `b` of `order` sit under one file header?
    pub(crate) fn same_file(&self, findings: &[Finding], a: usize, b: usize) -> bool {
        let file = |at: usize| {
            self.order
                .get(at)
                .and_then(|&i| findings.get(i))
                .map(|f| f.file)
        };
        file(a).is_some() && file(a) == file(b)
    }

    /// Writes a batch of the report: `batch` is a run of [`Layout::order`] that starts and ends
    /// at a file header, `rendered[i]` is `batch[i]`'s finding drawn. The file and object
    /// headers are those the whole report has at these findings.
    pub(crate) fn write(
        &self,
        result: &LintResult,
        batch: &[usize],
        rendered: &[String],
        color: bool,
        out: &mut dyn Write,
    ) -> std::io::Result<()> {
        let (bold, reset) = if color { (BOLD, RESET) } else { ("", "") };
        let findings = &result.findings;
        let mut previous: Option<&Finding> = None;
        for (position, &index) in batch.iter().enumerate() {
            let (Some(finding), Some(text)) = (findings.get(index), rendered.get(position)) else {
                continue;
            };
            let same_file = previous.is_some_and(|p| p.file == finding.file);
            if !same_file {
                let path = &result.workspace.source(finding.file).path;
                let in_file = self
                    .per_file
                    .get(&finding.file)
                    .copied()
                    .unwrap_or_default();
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
                    // Only this object's findings that follow it in the order (its block, which
                    // never leaves the file, so never the batch).
                    let in_block = batch
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
}
