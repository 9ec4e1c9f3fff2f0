//! JUnit XML for CI systems that show test reports (GitLab, Jenkins, Azure Pipelines): one
//! `testcase` per (file, object) with findings, and one per file without findings (a passing
//! case). The findings at or above `--fail-on` make one `failure` per case, listing them all;
//! the findings below it are listed in the case's `<system-out>` (the case passes when it has
//! no other): every finding is in the file, whatever `--fail-on` is. No timings, so the output
//! is deterministic.

use std::io::Write;

use super::paths::ReportRoot;
use super::positions;
use crate::finding::ObjectIdentity;
use crate::outcome::LintResult;

/// Escapes text for XML content and attribute values. Characters XML 1.0 cannot hold (most
/// control characters) become U+FFFD.
pub(crate) fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Attribute values would normalise raw line breaks and tabs away.
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if is_xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
    out
}

/// XML 1.0's `Char` production.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// One finding as a line of a failure or of `<system-out>`, with its object and help.
fn finding_text(result: &LintResult, raw_path: &str, finding: &crate::finding::Finding) -> String {
    let (start, _) = positions(result, finding);
    let mut body = format!(
        "{raw_path}:{}:{}: {}[{}] {}",
        start.line,
        start.column,
        finding.effective_severity(),
        finding.rule,
        finding.message
    );
    if let Some(help) = &finding.help {
        body.push_str(&format!("\n  help: {help}"));
    }
    body
}

pub(crate) fn write(
    result: &LintResult,
    root: &ReportRoot,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let threshold = result.failure_threshold;
    let fails = |finding: &crate::finding::Finding| {
        threshold.is_some_and(|t| finding.effective_severity() >= t)
    };
    // Test cases in path order, like every other format: one per (file, object) with
    // findings (findings outside any object make the file's own case), one per file without.
    let mut files: Vec<(String, usize)> = result
        .reported_files()
        .map(|file| (root.display(result, file), file))
        .collect();
    files.sort();
    let mut per_file: Vec<Vec<usize>> = vec![Vec::new(); result.workspace.files.len()];
    for (index, finding) in result.findings.iter().enumerate() {
        if let Some(list) = per_file.get_mut(finding.file) {
            list.push(index);
        }
    }
    // (path, object, finding indices) in path order, then object order of first appearance.
    let mut cases: Vec<(&str, Option<&ObjectIdentity>, Vec<usize>)> = Vec::new();
    for (path, file) in &files {
        let indices = per_file.get(*file).map(Vec::as_slice).unwrap_or_default();
        let first = cases.len();
        for &index in indices {
            let Some(finding) = result.findings.get(index) else {
                continue;
            };
            let object = finding.object.as_ref();
            match cases.iter_mut().skip(first).find(|(_, o, _)| *o == object) {
                Some(case) => case.2.push(index),
                None => cases.push((path, object, vec![index])),
            }
        }
        if cases.len() == first {
            cases.push((path, None, Vec::new()));
        }
    }
    let failed = cases
        .iter()
        .filter(|(_, _, indices)| {
            indices
                .iter()
                .any(|i| result.findings.get(*i).is_some_and(fails))
        })
        .count();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="kubeward" tests="{}" failures="{failed}" errors="0">"#,
        cases.len()
    )?;
    writeln!(
        out,
        r#"  <testsuite name="kubeward" tests="{}" failures="{failed}" errors="0" skipped="0">"#,
        cases.len()
    )?;
    for (raw_path, object, indices) in &cases {
        let path = escape_xml(raw_path);
        let name = match object {
            Some(object) => escape_xml(&format!("{raw_path} {}", object.describe())),
            None => path.clone(),
        };
        if indices.is_empty() {
            writeln!(
                out,
                r#"    <testcase name="{name}" classname="kubeward" file="{path}"/>"#
            )?;
            continue;
        }
        writeln!(
            out,
            r#"    <testcase name="{name}" classname="kubeward" file="{path}">"#
        )?;
        let (failing, passing): (Vec<&crate::finding::Finding>, Vec<&crate::finding::Finding>) =
            indices
                .iter()
                .filter_map(|i| result.findings.get(*i))
                .partition(|f| fails(f));
        if let Some(first) = failing.first() {
            let (start, _) = positions(result, first);
            let message = if failing.len() == 1 {
                format!(
                    "{}[{}] line {}: {}",
                    first.effective_severity(),
                    first.rule,
                    start.line,
                    first.message
                )
            } else {
                let mut rules: Vec<&str> = failing.iter().map(|f| f.rule.as_str()).collect();
                rules.sort_unstable();
                rules.dedup();
                format!("{} findings: {}", failing.len(), rules.join(", "))
            };
            let body: Vec<String> = failing
                .iter()
                .map(|f| finding_text(result, raw_path, f))
                .collect();
            writeln!(
                out,
                r#"      <failure type="{}" message="{}">{}</failure>"#,
                escape_xml(first.rule.as_str()),
                escape_xml(&message),
                escape_body(&body.join("\n"))
            )?;
        }
        if !passing.is_empty() {
            let body: Vec<String> = passing
                .iter()
                .map(|f| finding_text(result, raw_path, f))
                .collect();
            writeln!(
                out,
                "      <system-out>below --fail-on:\n{}</system-out>",
                escape_body(&body.join("\n"))
            )?;
        }
        writeln!(out, "    </testcase>")?;
    }
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}

/// Element text: escaped, but line breaks kept as they are (readable in CI logs).
fn escape_body(text: &str) -> String {
    escape_xml(text).replace("&#10;", "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escaping_covers_markup_quotes_and_control_characters() {
        assert_eq!(
            escape_xml(r#"a<b>&"c"'d'"#),
            "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;"
        );
        assert_eq!(escape_xml("x\u{1}y\u{FFFE}\n"), "x\u{FFFD}y\u{FFFD}&#10;");
        assert_eq!(escape_body("a\nb<"), "a\nb&lt;");
    }
}
