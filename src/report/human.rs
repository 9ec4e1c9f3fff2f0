//! The graphical report: miette renders each finding with its source snippet, labels, help
//! and rule id; a summary line ends the output.

use std::fmt;
use std::io::Write;
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};
use rayon::prelude::*;

use super::{positions, summary_line};
use crate::finding::{Finding, Severity};
use crate::outcome::LintResult;

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
    source: &'a WindowedSource<'a>,
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

pub(crate) fn write(
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
    // Secret values are masked in the snippet text (same width, so spans stay valid).
    let mut snippets: Vec<Option<Snippet>> = Vec::new();
    snippets.resize_with(result.workspace.files.len(), || None);
    let mut with_findings: Vec<usize> = result.findings.iter().map(|f| f.file).collect();
    with_findings.sort_unstable();
    with_findings.dedup();
    let built: Vec<(usize, Snippet)> = with_findings
        .par_iter()
        .map(|&file| {
            let source = result.workspace.source(file);
            let text = result.redactions.masked_text(file, &source.text);
            let lines = LineTable::new(&text);
            (file, Snippet { text, lines })
        })
        .collect();
    for (file, snippet) in built {
        if let Some(slot) = snippets.get_mut(file) {
            *slot = Some(snippet);
        }
    }
    let rendered: Vec<String> = result
        .findings
        .par_iter()
        .map(|finding| render(result, &handler, &snippets, finding))
        .collect();
    for text in rendered {
        out.write_all(text.as_bytes())?;
        writeln!(out)?;
    }
    writeln!(out, "{}", summary_line(result))
}

fn render(
    result: &LintResult,
    handler: &GraphicalReportHandler,
    snippets: &[Option<Snippet>],
    finding: &Finding,
) -> String {
    let file = result.workspace.source(finding.file);
    let empty = LineTable::default();
    let (text, lines) = match snippets.get(finding.file).and_then(Option::as_ref) {
        Some(snippet) => (&*snippet.text, &snippet.lines),
        // Unreachable (every finding's file has a snippet); an empty window draws no snippet.
        None => ("", &empty),
    };
    let source = WindowedSource {
        name: &file.path,
        text,
        lines,
    };
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

/// A file's text as the report shows it (secret values masked) and its line table.
struct Snippet {
    text: Arc<str>,
    lines: LineTable,
}

/// Where lines start, as miette counts lines (`\n`, `\r\n` and a lone `\r` each end one):
/// the offset after each line break.
#[derive(Default)]
struct LineTable(Vec<usize>);

impl LineTable {
    fn new(text: &str) -> LineTable {
        let bytes = text.as_bytes();
        let mut starts = Vec::new();
        let mut i = 0;
        while let Some(&byte) = bytes.get(i) {
            match byte {
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                    starts.push(i + 2);
                    i += 2;
                    continue;
                }
                b'\r' | b'\n' => starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        LineTable(starts)
    }

    /// The 0-based line holding `offset` (a line break belongs to the line it ends).
    fn line_of(&self, offset: usize) -> usize {
        self.0.partition_point(|start| *start <= offset)
    }

    /// Where a 0-based line starts; the end of the text past the last line.
    fn start_of(&self, line: usize, text_len: usize) -> usize {
        match line {
            0 => 0,
            n => self.0.get(n - 1).copied().unwrap_or(text_len),
        }
    }
}

/// A file's text for miette, which would otherwise scan it from the start for every snippet it
/// draws: a few findings in each of a thousand large files (CRDs, rendered charts) made the
/// human report three quarters of a run on the real corpus (callgrind). miette reads a window
/// of whole lines around the span instead, found with the file's line table; the result is
/// translated back to the whole file, byte for byte what miette computes on the whole text.
struct WindowedSource<'a> {
    name: &'a str,
    text: &'a str,
    lines: &'a LineTable,
}

impl SourceCode for WindowedSource<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let len = self.text.len();
        let end = span.offset().saturating_add(span.len());
        // One line more than miette needs on each side: it then stops scanning where it
        // would on the whole text.
        let first = self
            .lines
            .line_of(span.offset())
            .saturating_sub(context_lines_before + 1);
        let last = self
            .lines
            .line_of(end)
            .saturating_add(context_lines_after + 2);
        let start = self.lines.start_of(first, len).min(len);
        let stop = self.lines.start_of(last, len).clamp(start, len);
        let window = self.text.as_bytes().get(start..stop).unwrap_or_default();
        let inner = SourceSpan::new(span.offset().saturating_sub(start).into(), span.len());
        let contents = window.read_span(&inner, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            contents.data(),
            SourceSpan::new(
                (contents.span().offset() + start).into(),
                contents.span().len(),
            ),
            contents.line() + first,
            contents.column(),
            contents.line_count() + first,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The window gives miette exactly what it computes on the whole text, for every span of
    /// a text with every kind of line break and multi-byte characters.
    #[test]
    fn windowed_source_reads_spans_as_miette_does_on_the_whole_text() {
        let text = "a: 1\nbé: ü\r\nc: [x,\r  y]\n\n  d: \"e\"\r\nlast line without break";
        let lines = LineTable::new(text);
        let windowed = WindowedSource {
            name: "f.yaml",
            text,
            lines: &lines,
        };
        let boundaries: Vec<usize> = (0..=text.len())
            .filter(|i| text.is_char_boundary(*i))
            .collect();
        let mut compared = 0;
        for &start in &boundaries {
            for &end in boundaries.iter().filter(|e| **e >= start) {
                for (before, after) in [(0, 0), (1, 1), (2, 3)] {
                    let span = SourceSpan::new(start.into(), end - start);
                    let whole = text.read_span(&span, before, after);
                    let window = windowed.read_span(&span, before, after);
                    match (whole, window) {
                        (Ok(w), Ok(v)) => {
                            assert_eq!(w.data(), v.data(), "{start}..{end} {before}/{after}");
                            assert_eq!(w.span(), v.span(), "{start}..{end}");
                            assert_eq!(w.line(), v.line(), "{start}..{end}");
                            assert_eq!(w.column(), v.column(), "{start}..{end}");
                            assert_eq!(w.line_count(), v.line_count(), "{start}..{end}");
                            assert_eq!(v.name(), Some("f.yaml"));
                            compared += 1;
                        }
                        (Err(_), Err(_)) => {}
                        (w, v) => panic!("{start}..{end}: {:?} vs {:?}", w.is_ok(), v.is_ok()),
                    }
                }
            }
        }
        assert!(compared > 1000);
    }
}
