//! Redaction: no output format ever shows a secret value.
//!
//! After the rules ran, [`Redactions::collect`] gathers, per file, the spans of every secret
//! value in the workspace, whichever rule fired (or none): Secret `data`/`stringData` values,
//! env vars, OpenFaaS environment entries, ConfigMap keys and Dockerfile `ENV`/`ARG`/`LABEL` pairs whose
//! names say secret and whose values are literal, credential-shaped strings anywhere, the spans
//! rules asked for with [`Finding::redact`], and the `last-applied-configuration` annotation of
//! any object holding one of those (it repeats the object). Then:
//! - [`Redactions::apply`] replaces the text of those values with `*****` in every finding's
//!   message, label, help and related labels (a safety net: rules never quote values);
//! - report formats that show source text take it from [`Redactions::masked_text`], where each
//!   character of a secret value is replaced by `*` at the same width and byte length, so spans
//!   stay valid and line/column positions do not move;
//! - fingerprints of findings that point into a secret hash the value's key path, not the
//!   value ([`crate::report::fingerprint`]).
//!
//! Formats added later (SARIF, GitHub annotations) get the same guarantees by reading
//! findings from [`crate::outcome::LintResult`] and snippets from `masked_text`.

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::finding::{FileId, Finding};
use crate::load::Document;
use crate::model::Workspace;
use crate::model::kinds::{env_containers, is_config_map, is_openfaas_function, is_secret};
use crate::secrets::base64::decode_std;
use crate::secrets::patterns::find_credentials;
use crate::secrets::sites::{
    env_settings, is_dockerfile_secret, map_settings, openfaas_stack_functions, scalar_subspan,
    scalar_values,
};
use crate::secrets::values::is_literal_secret;
use crate::source::Span;

/// What replaces a secret in messages.
pub(crate) const MASK: &str = "*****";

/// Texts shorter than this are not scrubbed from messages (they would match ordinary words);
/// rules never quote values anyway.
const MIN_SCRUB_LEN: usize = 4;

#[derive(Debug, Default, Clone)]
struct FileRedactions {
    /// Sorted, non-overlapping.
    spans: Vec<Span>,
    /// Secret texts to scrub from messages, longest first.
    values: Vec<String>,
}

/// The secret values of a run, per file.
#[derive(Debug, Default, Clone)]
pub struct Redactions {
    files: Vec<FileRedactions>,
}

struct Collector<'a> {
    ws: &'a Workspace,
    spans: Vec<Vec<Span>>,
    values: Vec<BTreeSet<String>>,
}

impl Collector<'_> {
    fn add(&mut self, file: FileId, span: Span) {
        if span.is_empty() {
            return;
        }
        let Some(spans) = self.spans.get_mut(file) else {
            return;
        };
        spans.push(span);
        let text = self.ws.source(file).slice(span);
        self.add_value(file, text);
        // Without quotes, as a message might quote it.
        let unquoted = text.trim().trim_matches(['"', '\'']);
        self.add_value(file, unquoted);
    }

    fn add_value(&mut self, file: FileId, text: &str) {
        let Some(values) = self.values.get_mut(file) else {
            return;
        };
        for line in text.lines().map(str::trim) {
            if line.len() >= MIN_SCRUB_LEN && is_literal_secret(line) {
                values.insert(line.to_string());
            }
        }
        let whole = text.trim();
        if whole.len() >= MIN_SCRUB_LEN && is_literal_secret(whole) {
            values.insert(whole.to_string());
        }
    }

    fn add_node(&mut self, file: FileId, doc: &Document, node: crate::load::NodeId) {
        self.add(file, doc.span(node));
        if let Some(text) = doc.str(node) {
            let text = text.to_string();
            self.add_value(file, &text);
        }
    }

    fn credentials(&mut self, file: FileId, doc: &Document, node: crate::load::NodeId) {
        for value in scalar_values(doc, node) {
            let Some(text) = doc.str(value) else { continue };
            for found in find_credentials(text) {
                let span = scalar_subspan(self.ws.source(file), doc, value, found.start, found.end);
                self.add(file, span);
                let matched = text.get(found.start..found.end).unwrap_or("").to_string();
                self.add_value(file, &matched);
            }
        }
    }
}

impl Redactions {
    /// Gathers every secret value of the workspace and the spans findings asked to redact.
    pub fn collect(ws: &Workspace, findings: &[Finding]) -> Redactions {
        let n = ws.files.len();
        let mut c = Collector {
            ws,
            spans: vec![Vec::new(); n],
            values: vec![BTreeSet::new(); n],
        };
        for (id, object) in ws.objects.iter().enumerate() {
            let doc = ws.document(object);
            let file = object.file;
            if is_secret(object) {
                for field in ["data", "stringData"] {
                    if let Some(map) = doc.get(object.node, field) {
                        for entry in doc.entries(map) {
                            c.add_node(file, doc, entry.value);
                            if field == "data"
                                && let Some(text) = doc.str(entry.value)
                                && let Ok(bytes) = decode_std(text)
                                && let Ok(decoded) = String::from_utf8(bytes)
                            {
                                c.add_value(file, &decoded);
                            }
                        }
                    }
                }
            }
            for container in env_containers(ws, id) {
                for setting in env_settings(doc, container) {
                    if setting.holds_secret() {
                        c.add_node(file, doc, setting.value_node);
                    }
                }
            }
            if is_openfaas_function(object)
                && let Some(env) = doc.get_path(object.node, &["spec", "environment"])
            {
                for setting in map_settings(doc, env) {
                    if setting.holds_secret() {
                        c.add_node(file, doc, setting.value_node);
                    }
                }
            }
            if is_config_map(object)
                && let Some(data) = doc.get(object.node, "data")
            {
                for setting in map_settings(doc, data) {
                    if setting.holds_secret() {
                        c.add_node(file, doc, setting.value_node);
                    }
                }
            }
            c.credentials(file, doc, object.node);
        }
        for (file, loaded) in ws.files.iter().enumerate() {
            for doc in &loaded.documents {
                let Some(functions) = openfaas_stack_functions(doc) else {
                    continue;
                };
                for function in doc.entries(functions) {
                    if let Some(env) = doc.get(function.value, "environment") {
                        for setting in map_settings(doc, env) {
                            if setting.holds_secret() {
                                c.add_node(file, doc, setting.value_node);
                            }
                        }
                    }
                }
                c.credentials(file, doc, functions);
            }
            if let Some(dockerfile) = loaded.dockerfile() {
                for instruction in &dockerfile.instructions {
                    for pair in &instruction.pairs {
                        let (Some(value), Some(span)) = (&pair.value, pair.value_span) else {
                            continue;
                        };
                        if is_dockerfile_secret(instruction, pair)
                            || !find_credentials(value).is_empty()
                        {
                            c.add(file, span);
                            c.add_value(file, value);
                        }
                    }
                }
            }
        }
        for finding in findings {
            for span in &finding.redact {
                c.add(finding.file, *span);
            }
        }
        // `kubectl.kubernetes.io/last-applied-configuration` repeats the whole object as JSON:
        // when the object holds a secret, so does the annotation.
        for object in &ws.objects {
            let doc = ws.document(object);
            let Some(applied) = doc
                .get_path(object.node, &["metadata", "annotations"])
                .and_then(|a| doc.get(a, "kubectl.kubernetes.io/last-applied-configuration"))
            else {
                continue;
            };
            let object_span = doc.span(object.node);
            let holds_secret = c
                .spans
                .get(object.file)
                .into_iter()
                .flatten()
                .any(|s| object_span.start <= s.start && s.end <= object_span.end);
            if holds_secret {
                c.add(object.file, doc.span(applied));
            }
        }
        let files = c
            .spans
            .into_iter()
            .zip(c.values)
            .enumerate()
            .map(|(file, (spans, values))| {
                let spans = merge(spans);
                // A text still visible once the secrets are masked (the secret `mysql` is also
                // the container's name) gains nothing from scrubbing, and scrubbing it would
                // garble names in messages.
                let masked = if spans.is_empty() {
                    String::new()
                } else {
                    mask(&ws.source(file).text, &spans)
                };
                let mut values: Vec<String> = values
                    .into_iter()
                    .filter(|v| !masked.contains(v.as_str()))
                    .collect();
                values.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
                FileRedactions { spans, values }
            })
            .collect();
        Redactions { files }
    }

    /// The secret spans of a file, sorted and non-overlapping.
    pub fn spans(&self, file: FileId) -> &[Span] {
        self.files.get(file).map_or(&[], |f| &f.spans)
    }

    /// Does `span` touch a secret value of `file`?
    pub fn overlaps(&self, file: FileId, span: Span) -> bool {
        let spans = self.spans(file);
        let i = spans.partition_point(|s| s.end <= span.start);
        spans
            .get(i)
            .is_some_and(|s| s.start < span.end || (span.is_empty() && s.start <= span.start))
    }

    /// The file's text with every secret value masked (same byte length, same line breaks).
    pub fn masked_text(&self, file: FileId, text: &Arc<str>) -> Arc<str> {
        let spans = self.spans(file);
        if spans.is_empty() {
            return Arc::clone(text);
        }
        Arc::from(mask(text, spans))
    }

    /// `text` with the file's secret values replaced by `*****`.
    pub fn scrub(&self, file: FileId, text: &str) -> String {
        let Some(f) = self.files.get(file) else {
            return text.to_string();
        };
        let mut out = text.to_string();
        for value in &f.values {
            if out.contains(value.as_str()) {
                out = out.replace(value.as_str(), MASK);
            }
        }
        out
    }

    /// Scrubs every finding's message, label, help and related labels.
    pub fn apply(&self, findings: &mut [Finding]) {
        for finding in findings {
            let mut files = vec![finding.file];
            files.extend(finding.related.iter().map(|l| l.file));
            files.sort_unstable();
            files.dedup();
            let scrub = |text: &str| {
                files
                    .iter()
                    .fold(text.to_string(), |t, file| self.scrub(*file, &t))
            };
            finding.message = scrub(&finding.message);
            finding.label = finding.label.as_deref().map(scrub);
            finding.help = finding.help.as_deref().map(scrub);
            for related in &mut finding.related {
                related.text = scrub(&related.text);
            }
        }
    }
}

fn merge(mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort();
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for span in spans {
        match out.last_mut() {
            Some(last) if span.start <= last.end => last.end = last.end.max(span.end),
            _ => out.push(span),
        }
    }
    out
}

/// Replaces every character inside `spans` (except line breaks) by a mask of the same UTF-8
/// length and display width: `*` for ASCII, `·` (2 bytes), `∗` (3 bytes), `*` and a zero-width
/// space (4 bytes). Spans are clamped to character boundaries.
pub(crate) fn mask(text: &str, spans: &[Span]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut spans = spans.iter().peekable();
    for (i, c) in text.char_indices() {
        while spans.peek().is_some_and(|s| s.end <= i) {
            spans.next();
        }
        let inside = spans.peek().is_some_and(|s| s.start <= i && i < s.end);
        if !inside || c == '\n' || c == '\r' {
            out.push(c);
            continue;
        }
        match c.len_utf8() {
            1 => out.push('*'),
            2 => out.push('·'),
            3 => out.push('∗'),
            _ => out.push_str("*\u{200B}"),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_keeps_lengths_and_line_breaks() {
        let text = "a: s3cr3t\nb: pässwörd😀\nc: |\n  line1\n  line2\n";
        let b = text.find("pä").unwrap();
        let block = text.find("  line1").unwrap();
        let spans = [
            Span::new(3, 9),
            Span::new(b, b + "pässwörd😀".len()),
            Span::new(block, text.len() - 1),
        ];
        let masked = mask(text, &spans);
        assert_eq!(masked.len(), text.len());
        assert_eq!(masked.lines().count(), text.lines().count());
        assert!(masked.starts_with("a: ******\nb: "));
        assert!(!masked.contains("s3cr3t"));
        assert!(!masked.contains("pässwörd"));
        assert!(!masked.contains("line1"));
        // Every original character boundary is still one, so spans stay valid.
        for (i, _) in text.char_indices() {
            assert!(masked.is_char_boundary(i), "boundary {i}");
        }
    }

    #[test]
    fn merging_and_overlap() {
        let r = Redactions {
            files: vec![FileRedactions {
                spans: merge(vec![Span::new(10, 20), Span::new(5, 12), Span::new(30, 31)]),
                values: vec!["hunter22".into()],
            }],
        };
        assert_eq!(r.spans(0), [Span::new(5, 20), Span::new(30, 31)]);
        assert!(r.overlaps(0, Span::new(0, 6)));
        assert!(r.overlaps(0, Span::new(19, 25)));
        assert!(!r.overlaps(0, Span::new(20, 30)));
        assert!(r.overlaps(0, Span::new(30, 30)));
        assert!(!r.overlaps(1, Span::new(0, 100)));
        assert_eq!(r.scrub(0, "pw hunter22!"), "pw *****!");
    }
}
