//! Findings per rule: the table that ends the human report when more than one rule fired, with
//! a hint for the noisiest rule, and `--statistics`, which prints the table alone (one line per
//! rule and severity, like `ruff --statistics`).

use std::collections::BTreeMap;
use std::io::Write;

use super::terminal::escape_controls;
use crate::finding::Severity;
use crate::outcome::LintResult;

/// (rule, severity, count), most findings first, then by rule id and severity.
pub(crate) fn rule_counts(result: &LintResult) -> Vec<(&str, Severity, usize)> {
    let mut counts: BTreeMap<(&str, Severity), usize> = BTreeMap::new();
    for finding in &result.findings {
        *counts
            .entry((finding.rule.as_str(), finding.effective_severity()))
            .or_default() += 1;
    }
    let mut rows: Vec<(&str, Severity, usize)> = counts
        .into_iter()
        .map(|((rule, severity), count)| (rule, severity, count))
        .collect();
    rows.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)).then(b.1.cmp(&a.1)));
    rows
}

fn write_rows(rows: &[(&str, Severity, usize)], out: &mut dyn Write) -> std::io::Result<()> {
    let width = rows
        .iter()
        .map(|(rule, _, _)| rule.chars().count())
        .max()
        .unwrap_or(0);
    let digits = rows
        .iter()
        .map(|(_, _, count)| count.to_string().len())
        .max()
        .unwrap_or(1);
    for (rule, severity, count) in rows {
        writeln!(
            out,
            "{count:>digits$}  {:<width$}  {severity}",
            escape_controls(rule, false)
        )?;
    }
    Ok(())
}

/// `--statistics`: the table alone.
pub fn write_statistics(result: &LintResult, out: &mut dyn Write) -> std::io::Result<()> {
    write_rows(&rule_counts(result), out)
}

/// The per-rule table and the hint, when more than one rule fired (before the closing line).
pub(crate) fn write_summary_table(result: &LintResult, out: &mut dyn Write) -> std::io::Result<()> {
    let rows = rule_counts(result);
    let mut rules: Vec<&str> = rows.iter().map(|(rule, _, _)| *rule).collect();
    rules.sort_unstable();
    rules.dedup();
    if rules.len() < 2 {
        return Ok(());
    }
    writeln!(out, "Findings per rule:")?;
    write_rows(&rows, out)?;
    if let Some((rule, severity, count)) = rows.first() {
        let rule = escape_controls(rule, false);
        let total = result.findings.len();
        write!(
            out,
            "hint: `{rule}` is the noisiest rule ({count} of {total} findings). Switch it off with \
             `--ignore {rule}`\n      or `rules: {{{rule}: off}}` in .kubeward.yaml"
        )?;
        // Raising --fail-on helps only when this rule's findings fail the run.
        if result.failure_threshold.is_some_and(|t| *severity >= t) {
            let above = match severity {
                Severity::Info => "warning",
                Severity::Warning => "error",
                Severity::Error => "never",
            };
            write!(
                out,
                ", or report it without failing the run with `--fail-on {above}`"
            )?;
        }
        writeln!(out, ".")?;
    }
    Ok(())
}
