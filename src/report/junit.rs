//! JUnit XML for CI systems that show test reports (GitLab, Jenkins, Azure Pipelines): one
//! `testcase` per reported file, one `failure` per finding in it. A file without findings is a
//! passing test case. No timings, so the output is deterministic.

use std::io::Write;

use super::paths::ReportRoot;
use super::positions;
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

pub(crate) fn write(
    result: &LintResult,
    root: &ReportRoot,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let files: Vec<usize> = result.reported_files().collect();
    let mut per_file: Vec<Vec<usize>> = vec![Vec::new(); result.workspace.files.len()];
    for (index, finding) in result.findings.iter().enumerate() {
        if let Some(list) = per_file.get_mut(finding.file) {
            list.push(index);
        }
    }
    // Test cases in path order, like every other format.
    let mut cases: Vec<(String, usize)> = files
        .iter()
        .map(|file| (root.display(result, *file), *file))
        .collect();
    cases.sort();
    let failed = cases
        .iter()
        .filter(|(_, file)| per_file.get(*file).is_some_and(|f| !f.is_empty()))
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
    for (raw_path, file) in &cases {
        let path = escape_xml(raw_path);
        let findings = per_file.get(*file).map(Vec::as_slice).unwrap_or_default();
        if findings.is_empty() {
            writeln!(
                out,
                r#"    <testcase name="{path}" classname="kubeward" file="{path}"/>"#
            )?;
            continue;
        }
        writeln!(
            out,
            r#"    <testcase name="{path}" classname="kubeward" file="{path}">"#
        )?;
        for index in findings {
            let Some(finding) = result.findings.get(*index) else {
                continue;
            };
            let (start, _) = positions(result, finding);
            let severity = finding.effective_severity();
            let mut body = format!(
                "{raw_path}:{}:{}: {severity}[{}] {}",
                start.line, start.column, finding.rule, finding.message
            );
            if let Some(object) = &finding.object {
                body.push_str(&format!("\nobject: {}", object.describe()));
            }
            if let Some(help) = &finding.help {
                body.push_str(&format!("\nhelp: {help}"));
            }
            writeln!(
                out,
                r#"      <failure type="{}" message="{}">{}</failure>"#,
                escape_xml(finding.rule.as_str()),
                escape_xml(&format!(
                    "{severity}[{}] line {}: {}",
                    finding.rule, start.line, finding.message
                )),
                escape_body(&body)
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
