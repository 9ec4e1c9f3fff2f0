//! The graphical report: miette renders each finding with its source snippet, labels, help
//! and rule id; a summary line ends the output.

use std::borrow::Cow;
use std::fmt;
use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};
use rayon::prelude::*;

use super::grouping::Layout;
use super::terminal::{escape_controls, neutralize_controls};
use super::{positions, summary_line};
use crate::finding::{Finding, Severity};
use crate::outcome::LintResult;
use crate::source::Span;

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
    source: &'a dyn SourceCode,
    /// The message, label and help with control characters escaped.
    message: String,
    help: Option<String>,
    /// The labels to draw, in the coordinates of `source`: the primary one first.
    labels: Vec<LabeledSpan>,
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
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
        Some(Box::new(self.labels.iter().cloned()))
    }
}

/// Lines longer than this (in bytes) are not drawn whole: the snippet shows a window of the
/// line around the finding, with `...` at the cuts. A minified JSON manifest is one line of
/// megabytes, and miette cannot draw a label past column 65,535 (it panics).
const LONG_LINE: usize = 400;
/// Bytes of the long line shown on each side of the finding's start.
const CUT_CONTEXT: usize = 60;

pub(crate) fn write(
    result: &LintResult,
    options: &HumanOptions,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    write_with_summary(result, options, true, out)
}

/// Findings rendered and written per batch: whole files' findings in report order, at least
/// this many per batch (but never part of a file), so the threads have work to share and the
/// report is never held whole in memory.
const BATCH: usize = 256;

/// The report, with or without its summary (the per-rule table and the closing line):
/// `--quiet` prints the findings only.
///
/// The report streams: findings are rendered a batch of files at a time, in parallel on the
/// run's thread pool (rendering was a tenth of a run on the benchmark corpus, on one thread:
/// callgrind), and each batch is written in file order before the next is drawn. Secret
/// values are masked in the snippet text (same width, so spans stay valid). A batch is drawn
/// under a guard: if drawing it crashes (a bug in kubeward), its findings are written in the
/// compact form, which copies no source text, the crash is said on stderr, and the report goes
/// on with the next batch.
pub(crate) fn write_with_summary(
    result: &LintResult,
    options: &HumanOptions,
    summary: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    write_batched(result, options, summary, BATCH, out)
}

/// [`write_with_summary`] with batches of at least `batch` findings.
fn write_batched(
    result: &LintResult,
    options: &HumanOptions,
    summary: bool,
    batch: usize,
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
    let layout = Layout::new(&result.findings);
    let order = layout.order();
    let mut from = 0;
    while from < order.len() {
        let mut to = from;
        while to < order.len()
            && (to - from < batch || layout.same_file(&result.findings, to - 1, to))
        {
            to += 1;
        }
        let batch = order.get(from..to).unwrap_or_default();
        let mut buffer = Vec::new();
        let drawn = catch_unwind(AssertUnwindSafe(|| {
            let rendered = render_batch(result, &handler, batch);
            layout.write(result, batch, &rendered, options.color, &mut buffer)
        }));
        match drawn {
            Ok(written) => written?,
            Err(_) => {
                eprintln!(
                    "kubeward: internal error: the human report crashed (a bug in kubeward, \
                     please report it); these findings follow in compact form"
                );
                buffer.clear();
                let findings = batch.iter().filter_map(|&i| result.findings.get(i));
                super::compact::write_findings(result, findings, &mut buffer)?;
            }
        }
        out.write_all(&buffer)?;
        from = to;
    }
    if summary {
        super::statistics::write_summary_table(result, out)?;
        writeln!(out, "{}", summary_line(result))?;
    }
    Ok(())
}

/// Draws the findings `batch` (indices into `result.findings`), in parallel: `rendered[i]` is
/// `batch[i]`'s.
fn render_batch(
    result: &LintResult,
    handler: &GraphicalReportHandler,
    batch: &[usize],
) -> Vec<String> {
    let mut files: Vec<usize> = batch
        .iter()
        .filter_map(|&i| Some(result.findings.get(i)?.file))
        .collect();
    files.sort_unstable();
    files.dedup();
    let snippets: Vec<(usize, Snippet)> = files
        .par_iter()
        .map(|&file| {
            let source = result.workspace.source(file);
            let masked = result.redactions.masked_text(file, &source.text);
            let text: Arc<str> = match neutralize_controls(&masked) {
                Cow::Borrowed(_) => masked,
                Cow::Owned(safe) => Arc::from(safe),
            };
            let lines = LineTable::new(&text);
            (file, Snippet { text, lines })
        })
        .collect();
    batch
        .par_iter()
        .map(|&index| match result.findings.get(index) {
            Some(finding) => render(result, handler, &snippets, finding),
            None => String::new(),
        })
        .collect()
}

fn render(
    result: &LintResult,
    handler: &GraphicalReportHandler,
    snippets: &[(usize, Snippet)],
    finding: &Finding,
) -> String {
    let file = result.workspace.source(finding.file);
    let empty = LineTable::default();
    let snippet = snippets
        .binary_search_by_key(&finding.file, |(file, _)| *file)
        .ok()
        .and_then(|at| snippets.get(at));
    let (text, lines) = match snippet {
        Some((_, snippet)) => (&*snippet.text, &snippet.lines),
        // Unreachable (every finding's file has a snippet); an empty window draws no snippet.
        None => ("", &empty),
    };
    let name = escape_controls(&file.path, false);
    let source = WindowedSource {
        name: &name,
        text,
        lines,
    };
    // Related locations in other files cannot be drawn in this snippet: name them in help.
    let mut notes: Vec<String> = finding
        .related
        .iter()
        .filter(|l| l.file != finding.file)
        .map(|label| {
            let other = result.workspace.source(label.file);
            let at = other.line_col(label.span.start);
            format!(
                "{}: see {}:{}:{}",
                label.text,
                escape_controls(&other.path, false),
                at.line,
                at.column
            )
        })
        .collect();
    let long_line = |span: Span| {
        let (first, last) = (lines.line_of(span.start), lines.line_of(span.end));
        (first..=last).any(|line| {
            let start = lines.start_of(line, text.len());
            lines.start_of(line + 1, text.len()).saturating_sub(start) > LONG_LINE
        })
    };
    let same_file = finding.related.iter().filter(|l| l.file == finding.file);
    let cut = (long_line(finding.span) || same_file.clone().any(|l| long_line(l.span)))
        .then(|| CutLine::new(&name, text, lines, finding.span));
    let labels = match &cut {
        Some(cut) => {
            // Only the primary label is drawn on the cut line; the others become notes.
            for label in same_file {
                let at = file.line_col(label.span.start);
                notes.push(format!(
                    "{}: see line {}:{}",
                    label.text, at.line, at.column
                ));
            }
            vec![LabeledSpan::new_primary_with_span(
                finding
                    .label
                    .as_deref()
                    .map(|l| escape_controls(l, false).into_owned()),
                (cut.span_start, cut.span_len),
            )]
        }
        None => std::iter::once(LabeledSpan::new_primary_with_span(
            finding
                .label
                .as_deref()
                .map(|l| escape_controls(l, false).into_owned()),
            (finding.span.start, finding.span.len()),
        ))
        .chain(same_file.map(|l| {
            LabeledSpan::new_with_span(
                Some(escape_controls(&l.text, false).into_owned()),
                (l.span.start, l.span.len()),
            )
        }))
        .collect(),
    };
    let mut help = finding.help.clone();
    for note in notes {
        help = Some(match help {
            Some(h) => format!("{h}\n{note}"),
            None => note,
        });
    }
    let rendered = Rendered {
        finding,
        source: match &cut {
            Some(cut) => cut,
            None => &source,
        },
        message: escape_controls(&finding.message, true).into_owned(),
        help: help.map(|h| escape_controls(&h, true).into_owned()),
        labels,
    };
    // miette is a third-party renderer: whatever it does with odd input (it has panicked on
    // wide columns), the report goes on, with this finding on one compact line.
    let mut text = String::new();
    let drawn = catch_unwind(AssertUnwindSafe(|| {
        handler.render_report(&mut text, &rendered)
    }));
    if !matches!(drawn, Ok(Ok(()))) {
        let (start, _) = positions(result, finding);
        text = format!(
            "{}:{}:{}: {}[{}] {}\n",
            name,
            start.line,
            start.column,
            finding.effective_severity(),
            finding.rule,
            escape_controls(&finding.message, false)
        );
    }
    text
}

/// One long line of a file, cut to a window around a finding for miette: `...` + up to
/// `CUT_CONTEXT` bytes before the span's start + the span (cut at the line's end and at
/// `CUT_CONTEXT` bytes) + `...`. It reports the line and column of the whole file, so the
/// snippet's header stays `file:line:column`.
struct CutLine<'a> {
    name: &'a str,
    data: String,
    /// The finding's span within `data`.
    span_start: usize,
    span_len: usize,
    /// 0-based line and character column of the span's start in the whole file.
    line: usize,
    column: usize,
}

impl<'a> CutLine<'a> {
    fn new(name: &'a str, text: &str, lines: &LineTable, span: Span) -> CutLine<'a> {
        let line = lines.line_of(span.start);
        let line_start = lines.start_of(line, text.len()).min(span.start);
        let line_end = lines.start_of(line + 1, text.len()).max(span.start);
        let whole = text.get(line_start..line_end).unwrap_or_default();
        let whole = whole.trim_end_matches(['\n', '\r']);
        let at = span.start - line_start;
        let from = floor_char_boundary(whole, at.saturating_sub(CUT_CONTEXT));
        let span_end = (at + span.len()).min(whole.len()).min(at + CUT_CONTEXT);
        let span_end = floor_char_boundary(whole, span_end).max(at);
        let to = floor_char_boundary(whole, (span_end + CUT_CONTEXT / 2).min(whole.len()));
        let mut data = String::new();
        if from > 0 {
            data.push_str("...");
        }
        let span_start = data.len() + at - from;
        data.push_str(whole.get(from..to).unwrap_or_default());
        if to < whole.len() {
            data.push_str("...");
        }
        let column = whole.get(..at).map_or(at, |before| before.chars().count());
        CutLine {
            name,
            data,
            span_start,
            span_len: span_end - at,
            line,
            column,
        }
    }
}

/// The largest char boundary of `text` at or below `index`.
fn floor_char_boundary(text: &str, index: usize) -> usize {
    let mut index = index.min(text.len());
    while index > 0 && !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

impl SourceCode for CutLine<'_> {
    fn read_span<'b>(
        &'b self,
        _span: &SourceSpan,
        _context_lines_before: usize,
        _context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            self.data.as_bytes(),
            SourceSpan::new(0.into(), self.data.len()),
            self.line,
            self.column,
            1,
        )))
    }
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

    /// Streaming changes nothing: the report drawn a file at a time, a few files at a time
    /// and whole is byte for byte the same, file headers (with their counts) and object
    /// headers included, for files with more findings than a batch and files with one.
    #[test]
    fn the_report_is_the_same_whatever_the_batch() {
        let dir = std::env::temp_dir().join(format!("kubeward-batches-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let pod = |name: &str| {
            format!(
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\nspec:\n  containers:\n  \
                 - name: app\n    image: nginx:latest\n"
            )
        };
        for i in 0..12 {
            std::fs::write(dir.join(format!("pod-{i:02}.yaml")), pod(&format!("p{i}"))).unwrap();
        }
        // One file with many objects: more findings than any batch below.
        let many: Vec<String> = (0..80).map(|i| pod(&format!("many-{i}"))).collect();
        std::fs::write(dir.join("many.yaml"), many.join("---\n")).unwrap();
        let options = crate::lint::LintOptions {
            paths: vec![dir.display().to_string()],
            ..Default::default()
        };
        let result = crate::lint::lint(&options).unwrap();
        let files: std::collections::HashSet<usize> =
            result.findings.iter().map(|f| f.file).collect();
        let in_many = result
            .findings
            .iter()
            .filter(|f| result.workspace.source(f.file).path.ends_with("many.yaml"))
            .count();
        assert!(
            in_many > BATCH && files.len() == 13,
            "{in_many} findings in many.yaml, {} files",
            files.len()
        );
        let draw = |batch: usize| {
            let mut out = Vec::new();
            write_batched(&result, &HumanOptions::default(), true, batch, &mut out).unwrap();
            String::from_utf8(out).unwrap()
        };
        let whole = draw(usize::MAX);
        let headers = whole.lines().filter(|l| l.starts_with("── ")).count();
        assert_eq!(headers, 13, "one header per file");
        assert!(whole.contains("many.yaml ── "));
        for batch in [1, 5, BATCH] {
            assert_eq!(draw(batch), whole, "batches of {batch}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

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
