//! The graphical report: miette renders each finding with its source snippet, labels, help
//! and rule id; a summary line ends the output.

use std::fmt;
use std::io::Write;
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode,
};
use rayon::prelude::*;

use super::{positions, summary_line};
use crate::finding::{Finding, Severity};
use crate::lint::LintResult;

#[derive(Debug, Clone)]
pub struct HumanOptions {
    /// Colours and Unicode box drawing (off for NO_COLOR and when stdout is not a terminal).
    pub color: bool,
    /// Terminal width for wrapping.
    pub width: usize,
}

impl Default for HumanOptions {
    fn default() -> Self {
        HumanOptions {
            color: false,
            width: 100,
        }
    }
}

struct Rendered<'a> {
    finding: &'a Finding,
    source: &'a NamedSource<Arc<str>>,
    help: Option<String>,
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl std::error::Error for Rendered<'_> {}

impl Diagnostic for Rendered<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.finding.rule))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.effective_severity() {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let f = self.finding;
        let primary =
            LabeledSpan::new_primary_with_span(f.label.clone(), (f.span.start, f.span.len()));
        let related = f.related.iter().filter(|l| l.file == f.file).map(|l| {
            LabeledSpan::new_with_span(Some(l.text.clone()), (l.span.start, l.span.len()))
        });
        Some(Box::new(std::iter::once(primary).chain(related)))
    }
}

pub fn write(
    result: &LintResult,
    options: &HumanOptions,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let theme = if options.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(options.width)
        .with_links(false);
    // Each finding is rendered on its own, in parallel on the run's thread pool (rendering was
    // a tenth of a run on the benchmark corpus, on one thread: callgrind), and written in order.
    let rendered: Vec<String> = result
        .findings
        .par_iter()
        .map(|finding| render(result, &handler, finding))
        .collect();
    for text in rendered {
        out.write_all(text.as_bytes())?;
        writeln!(out)?;
    }
    writeln!(out, "{}", summary_line(result))
}

fn render(result: &LintResult, handler: &GraphicalReportHandler, finding: &Finding) -> String {
    let file = result.workspace.source(finding.file);
    let source = NamedSource::new(&file.path, Arc::clone(&file.text));
    // Related locations in other files cannot be drawn in this snippet: name them in help.
    let mut help = finding.help.clone();
    for label in finding.related.iter().filter(|l| l.file != finding.file) {
        let other = result.workspace.source(label.file);
        let at = other.line_col(label.span.start);
        let note = format!(
            "{}: see {}:{}:{}",
            label.text, other.path, at.line, at.column
        );
        help = Some(match help {
            Some(h) => format!("{h}\n{note}"),
            None => note,
        });
    }
    let rendered = Rendered {
        finding,
        source: &source,
        help,
    };
    let mut text = String::new();
    if handler.render_report(&mut text, &rendered).is_err() {
        // miette could not draw the snippet: fall back to the compact form.
        let (start, _) = positions(result, finding);
        text = format!(
            "{}:{}:{}: {}[{}] {}\n",
            file.path,
            start.line,
            start.column,
            finding.effective_severity(),
            finding.rule,
            finding.message
        );
    }
    text
}
