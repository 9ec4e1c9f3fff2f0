//! Redaction: no output format ever shows a secret value.
//!
//! After the rules ran, [`Redactions::collect`] gathers, per file, the spans of every secret
//! value in the workspace, whichever rule fired (or none): Secret `data`/`stringData` values,
//! env vars, OpenFaaS environment entries, ConfigMap keys and Dockerfile `ENV`/`ARG`/`LABEL` pairs whose
//! names say secret and whose values are literal, credential-shaped strings anywhere, the spans
//! rules asked for with [`Finding::redact`], the `last-applied-configuration` annotation of
//! any object holding one of those (it repeats the object), and what the line heuristics of
//! [`crate::secrets::lines`] find (values files, kustomize generator literals, Dockerfile `RUN`
//! flags, JSON inside values) in every file a report quotes, loaded or not. Then:
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

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use rayon::prelude::*;

use crate::finding::{FileId, Finding, guard_pass};
use crate::load::{Document, Entry, NodeId, NodeKind};
use crate::model::kinds::{env_containers, is_config_map, is_openfaas_function, is_secret};
use crate::model::{ObjectId, Workspace};
use crate::rule_id::RuleId;
use crate::secrets::args::secret_args;
use crate::secrets::base64::decode_std;
use crate::secrets::lines::{secret_line_spans, secret_line_spans_with};
use crate::secrets::names::is_secret_name;
use crate::secrets::patterns::all_credentials;
use crate::secrets::sites::{
    env_settings, is_dockerfile_secret, map_settings, openfaas_stack_functions, scalar_subspan,
    scalar_values,
};
use crate::secrets::values::is_literal_secret;
use crate::source::{SourceFile, Span};

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

/// The secret values of one file, gathered.
struct Collector<'a> {
    source: &'a SourceFile,
    spans: Vec<Span>,
    values: BTreeSet<String>,
}

impl Collector<'_> {
    fn add(&mut self, span: Span) {
        if span.is_empty() {
            return;
        }
        self.spans.push(span);
        let text = self.source.slice(span);
        self.add_value(text);
        // Without quotes, as a message might quote it.
        let unquoted = text.trim().trim_matches(['"', '\'']);
        self.add_value(unquoted);
    }

    fn add_value(&mut self, text: &str) {
        for line in text.lines().map(str::trim) {
            if line.len() >= MIN_SCRUB_LEN && is_literal_secret(line) {
                self.values.insert(line.to_string());
            }
        }
        let whole = text.trim();
        if whole.len() >= MIN_SCRUB_LEN && is_literal_secret(whole) {
            self.values.insert(whole.to_string());
        }
    }

    fn add_node(&mut self, doc: &Document, node: NodeId) {
        self.add(doc.span(node));
        if let Some(text) = doc.str(node) {
            self.add_value(text);
        }
    }

    /// Every credential-shaped string under `node`, every match (not only the first of each
    /// format).
    fn credentials(&mut self, doc: &Document, node: NodeId) {
        for value in scalar_values(doc, node) {
            let Some(text) = doc.str(value) else { continue };
            for found in all_credentials(text) {
                let span = scalar_subspan(self.source, doc, value, found.start, found.end);
                self.add(span);
                self.add_value(text.get(found.start..found.end).unwrap_or(""));
            }
        }
    }

    /// Does a span already collected lie inside `outer`?
    fn holds_secret(&self, outer: Span) -> bool {
        self.spans
            .iter()
            .any(|s| outer.start <= s.start && s.end <= outer.end)
    }

    /// A mapping key written twice: the loader keeps both entries, but rules read the first
    /// (`doc.get`). When one definition is secret (a secret-looking key, a value already
    /// masked, the `value` of an env var whose `name` says secret), every definition is.
    fn duplicate_keys(&mut self, doc: &Document, root: NodeId) {
        let mut stack = vec![root];
        let mut seen = 0usize;
        while let Some(node) = stack.pop() {
            seen += 1;
            if seen > 1_000_000 {
                break;
            }
            match doc.kind(node) {
                NodeKind::Scalar(_) => {}
                NodeKind::Sequence(items) => stack.extend(items.iter().copied()),
                NodeKind::Mapping(entries) => {
                    stack.extend(entries.iter().map(|e| e.value));
                    let key_of = |e: &Entry| doc.scalar(e.key).map(|k| k.text);
                    let secret_env = entries.iter().any(|e| {
                        key_of(e) == Some("name") && doc.str(e.value).is_some_and(is_secret_name)
                    });
                    let mut by_key: HashMap<&str, Vec<&Entry>> = HashMap::new();
                    for entry in entries {
                        if let Some(key) = key_of(entry) {
                            by_key.entry(key).or_default().push(entry);
                        }
                    }
                    for (key, twins) in by_key {
                        if twins.len() < 2 {
                            continue;
                        }
                        let secret = is_secret_name(key)
                            || key == "value" && secret_env
                            || twins.iter().any(|e| self.holds_secret(doc.span(e.value)));
                        if secret {
                            for twin in twins {
                                self.add_node(doc, twin.value);
                            }
                        }
                    }
                }
            }
        }
    }
}

impl Redactions {
    /// Gathers every secret value of the workspace and the spans findings asked to redact.
    /// Each file is gathered under a panic guard: a panic while reading one file's values
    /// becomes an `internal-error` finding (returned) and that file's whole text is masked.
    pub fn collect(ws: &Workspace, findings: &[Finding]) -> (Redactions, Vec<Finding>) {
        let n = ws.files.len();
        let mut objects: Vec<Vec<ObjectId>> = vec![Vec::new(); n];
        for (id, object) in ws.objects.iter().enumerate() {
            if let Some(list) = objects.get_mut(object.file) {
                list.push(id);
            }
        }
        let mut asked: Vec<Vec<Span>> = vec![Vec::new(); n];
        // What a report may quote of each file: the spans of findings and related labels.
        let mut shown: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n];
        let mut unloaded = vec![false; n];
        for finding in findings {
            if did_not_load(finding)
                && let Some(flag) = unloaded.get_mut(finding.file)
            {
                *flag = true;
            }
            if let Some(spans) = asked.get_mut(finding.file) {
                spans.extend(finding.redact.iter().copied());
            }
            let labels = finding.related.iter().map(|l| (l.file, l.span));
            for (file, span) in std::iter::once((finding.file, finding.span)).chain(labels) {
                if let Some(spans) = shown.get_mut(file) {
                    spans.push((span.start, span.end));
                }
            }
        }
        let gathered: Vec<Result<FileRedactions, Box<Finding>>> = (0..n)
            .into_par_iter()
            .map(|file| {
                let objects = objects.get(file).map_or(&[][..], Vec::as_slice);
                let asked = asked.get(file).map_or(&[][..], Vec::as_slice);
                let quoted = shown.get(file).map_or(&[][..], Vec::as_slice);
                let lines = if unloaded.get(file).copied().unwrap_or(false) {
                    LineScan::WithCredentials
                } else if quoted.is_empty() {
                    LineScan::None
                } else {
                    LineScan::Near(quoted)
                };
                guard_pass(
                    file,
                    "looking for secret values to hide in this file",
                    || collect_file(ws, file, objects, asked, lines),
                )
            })
            .collect();
        let mut crashed = Vec::new();
        let files = gathered
            .into_iter()
            .enumerate()
            .map(|(file, result)| match result {
                Ok(redactions) => redactions,
                Err(finding) => {
                    crashed.push(*finding);
                    // Nothing is known about this file's secrets: hide all of its text.
                    FileRedactions {
                        spans: vec![Span::new(0, ws.source(file).text.len())],
                        values: Vec::new(),
                    }
                }
            })
            .collect();
        (Redactions { files }, crashed)
    }

    /// Gives file `to`, a text made of parts of file `from` (each part: a range of `from` and
    /// where it starts in `to`, in order), the secret spans of `from` inside those parts, so
    /// snippets and fingerprints mask them alike (stdin's `helm template` documents reported
    /// under their templates' paths, `lint::stdin_sources`). The values scrubbed from messages
    /// are not copied: run it after [`Redactions::apply`].
    pub(crate) fn copy_parts(&mut self, from: FileId, to: FileId, parts: &[(Span, usize)]) {
        let mut spans = Vec::new();
        if let Some(source) = self.files.get(from) {
            for (range, at) in parts {
                let first = source.spans.partition_point(|s| s.end <= range.start);
                for s in source.spans.get(first..).unwrap_or_default() {
                    if s.start >= range.end {
                        break;
                    }
                    let start = s.start.max(range.start) - range.start + at;
                    let end = s.end.min(range.end) - range.start + at;
                    spans.push(Span::new(start, end));
                }
            }
        }
        if self.files.len() <= to {
            self.files.resize_with(to + 1, FileRedactions::default);
        }
        if let Some(file) = self.files.get_mut(to) {
            file.spans = spans;
        }
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
    /// Each finding is scrubbed under a panic guard: a panic replaces the finding's texts by
    /// the `internal-error` message (nothing of the original text, which may hold a secret).
    pub fn apply(&self, findings: &mut [Finding]) {
        for finding in findings {
            let mut files = vec![finding.file];
            files.extend(finding.related.iter().map(|l| l.file));
            files.sort_unstable();
            files.dedup();
            let scrubbed = guard_pass(finding.file, "hiding secret values in a finding", || {
                let scrub = |text: &str| {
                    files
                        .iter()
                        .fold(text.to_string(), |t, file| self.scrub(*file, &t))
                };
                (
                    scrub(&finding.message),
                    finding.label.as_deref().map(scrub),
                    finding.help.as_deref().map(scrub),
                    finding
                        .related
                        .iter()
                        .map(|r| scrub(&r.text))
                        .collect::<Vec<_>>(),
                )
            });
            match scrubbed {
                Ok((message, label, help, related)) => {
                    finding.message = message;
                    finding.label = label;
                    finding.help = help;
                    for (r, text) in finding.related.iter_mut().zip(related) {
                        r.text = text;
                    }
                }
                Err(crash) => {
                    finding.message = format!("{} ({})", crash.message, finding.rule);
                    finding.label = crash.label;
                    finding.help = crash.help;
                    for r in &mut finding.related {
                        r.text = MASK.to_string();
                    }
                }
            }
        }
    }
}

/// Why a file's text is read with the line heuristics whole, credential patterns included:
/// it did not load into documents.
fn did_not_load(finding: &Finding) -> bool {
    finding.rule == RuleId::ParseError || finding.rule == RuleId::TemplateSkipped
}

/// How much of a file's text the line heuristics read (see [`collect_file`]).
#[derive(Clone, Copy)]
enum LineScan<'a> {
    /// No report quotes the file.
    None,
    /// A loaded file a report quotes at these byte ranges: the lines of the documents around
    /// them (its scalars' credentials are found by the walk).
    Near(&'a [(usize, usize)]),
    /// A file with no tree: its lines and credential-shaped strings anywhere in it.
    WithCredentials,
}

/// The secret values of one file (see [`Redactions::collect`]).
fn collect_file(
    ws: &Workspace,
    file: FileId,
    objects: &[ObjectId],
    asked: &[Span],
    lines: LineScan<'_>,
) -> FileRedactions {
    #[cfg(test)]
    if ws.source(file).text.contains(tests::PANIC_IN_REDACTION) {
        panic!(
            "injected by a test: byte index 1 of `{}`",
            tests::PANIC_IN_REDACTION
        );
    }
    let source = ws.source(file);
    let mut c = Collector {
        source,
        spans: Vec::new(),
        values: BTreeSet::new(),
    };
    for &id in objects {
        let Some(object) = ws.objects.get(id) else {
            continue;
        };
        let doc = ws.document(object);
        if is_secret(object) {
            for field in ["data", "stringData"] {
                if let Some(map) = doc.get(object.node, field) {
                    for entry in doc.entries(map) {
                        c.add_node(doc, entry.value);
                        if field == "data"
                            && let Some(text) = doc.str(entry.value)
                            && let Ok(bytes) = decode_std(text)
                            && let Ok(decoded) = String::from_utf8(bytes)
                        {
                            c.add_value(&decoded);
                        }
                    }
                }
            }
        }
        for container in env_containers(ws, id) {
            for setting in env_settings(doc, container) {
                if setting.holds_secret() {
                    c.add_node(doc, setting.value_node);
                }
            }
            for arg in secret_args(doc, container) {
                c.add(scalar_subspan(source, doc, arg.node, arg.start, arg.end));
                if let Some(text) = doc.str(arg.node) {
                    c.add_value(text.get(arg.start..arg.end).unwrap_or(""));
                }
            }
        }
        if is_openfaas_function(object)
            && let Some(env) = doc.get_path(object.node, &["spec", "environment"])
        {
            for setting in map_settings(doc, env) {
                if setting.holds_secret() {
                    c.add_node(doc, setting.value_node);
                }
            }
        }
        if is_config_map(object)
            && let Some(data) = doc.get(object.node, "data")
        {
            for setting in map_settings(doc, data) {
                if setting.holds_secret() {
                    c.add_node(doc, setting.value_node);
                }
            }
        }
        c.credentials(doc, object.node);
    }
    let Some(loaded) = ws.files.get(file) else {
        return FileRedactions::default();
    };
    for doc in &loaded.documents {
        let Some(functions) = openfaas_stack_functions(doc) else {
            continue;
        };
        for function in doc.entries(functions) {
            if let Some(env) = doc.get(function.value, "environment") {
                for setting in map_settings(doc, env) {
                    if setting.holds_secret() {
                        c.add_node(doc, setting.value_node);
                    }
                }
            }
        }
        c.credentials(doc, functions);
    }
    if let Some(dockerfile) = loaded.dockerfile() {
        for instruction in &dockerfile.instructions {
            for pair in &instruction.pairs {
                let (Some(value), Some(span)) = (&pair.value, pair.value_span) else {
                    continue;
                };
                if is_dockerfile_secret(instruction, pair) || !all_credentials(value).is_empty() {
                    c.add(span);
                    c.add_value(value);
                }
            }
        }
    }
    for span in asked {
        c.add(*span);
    }
    // Read the lines too, loaded or not. A file with no tree (a parse error, invalid UTF-8, a
    // template) has nothing else; a loaded one has text the walk above does not read as
    // secret but snippets show whole: a Helm values file's `password:`, a kustomization's
    // generator literals, a Dockerfile `RUN ... --password=...`, a `"password": "..."`
    // inside a ConfigMap's JSON value. The line heuristics cost more than the walk, so a
    // loaded file is read only in the documents a report quotes (its snippets are the only
    // place those spans are used: messages never quote values), and credential-shaped strings
    // are looked for in the whole text only where no tree was walked.
    let found = match lines {
        LineScan::None => Vec::new(),
        LineScan::Near(quoted) => secret_line_spans_with(&source.text, false, Some(quoted)),
        LineScan::WithCredentials => secret_line_spans(&source.text),
    };
    for (start, end) in found {
        c.add(Span::new(start, end));
    }
    for doc in &loaded.documents {
        c.duplicate_keys(doc, doc.root);
    }
    // `kubectl.kubernetes.io/last-applied-configuration` repeats the whole object as JSON:
    // when the object holds a secret, so does the annotation. A Secret's always does (its
    // `data` may have been removed from the manifest and kept in the annotation), and so does
    // one whose JSON shows a secret by itself.
    for &id in objects {
        let Some(object) = ws.objects.get(id) else {
            continue;
        };
        let doc = ws.document(object);
        let Some(applied) = doc
            .get_path(object.node, &["metadata", "annotations"])
            .and_then(|a| doc.get(a, "kubectl.kubernetes.io/last-applied-configuration"))
        else {
            continue;
        };
        let shows_secret = doc
            .str(applied)
            .is_some_and(|json| !secret_line_spans(json).is_empty());
        if is_secret(object) || shows_secret || c.holds_secret(doc.span(object.node)) {
            c.add(doc.span(applied));
        }
    }
    let spans = merge(c.spans);
    // A text still visible once the secrets are masked (the secret `mysql` is also the
    // container's name) gains nothing from scrubbing, and scrubbing it would garble names in
    // messages.
    let masked = if spans.is_empty() {
        String::new()
    } else {
        mask(&source.text, &spans)
    };
    let mut values: Vec<String> = c
        .values
        .into_iter()
        .filter(|v| !masked.contains(v.as_str()))
        .collect();
    values.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    FileRedactions { spans, values }
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

    /// A file holding this text panics the redaction pass (test builds only).
    pub(super) const PANIC_IN_REDACTION: &str = "kubeward-test-panic-in-redaction";

    #[test]
    fn parts_of_a_file_get_its_secret_spans() {
        let mut r = Redactions {
            files: vec![FileRedactions {
                spans: vec![Span::new(2, 4), Span::new(8, 12), Span::new(20, 22)],
                values: vec!["secret".to_string()],
            }],
        };
        // File 3 is [5, 10) of file 0 at 0, then [18, 30) at 6.
        r.copy_parts(0, 3, &[(Span::new(5, 10), 0), (Span::new(18, 30), 6)]);
        assert_eq!(r.spans(3), &[Span::new(3, 5), Span::new(8, 10)]);
        assert!(r.spans(1).is_empty() && r.spans(2).is_empty());
        assert_eq!(r.spans(0).len(), 3);
        // Nothing of a file that has no secrets, or is not known.
        r.copy_parts(7, 4, &[(Span::new(0, 10), 0)]);
        assert!(r.spans(4).is_empty());
    }

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
    fn a_panic_while_redacting_is_an_internal_error_and_the_file_is_masked_whole() {
        use crate::lint::{LintOptions, lint};
        let dir = std::env::temp_dir().join(format!("kubeward-redact-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\nspec:\n  containers:\n  - name: app\n    image: nginx:latest\n    env:\n    - name: DB_PASSWORD\n      value: Sup3rSecretValue\n";
        std::fs::write(dir.join("a.yaml"), format!("# {PANIC_IN_REDACTION}\n{pod}")).unwrap();
        std::fs::write(dir.join("b.yaml"), pod).unwrap();
        let options = LintOptions {
            paths: vec![dir.to_string_lossy().into_owned()],
            ..LintOptions::default()
        };
        let result = lint(&options).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let file_of = |name: &str| {
            (0..result.workspace.files.len())
                .find(|f| result.workspace.source(*f).path.ends_with(name))
                .unwrap()
        };
        let (a, b) = (file_of("a.yaml"), file_of("b.yaml"));
        let crashes: Vec<&Finding> = result
            .findings
            .iter()
            .filter(|f| f.rule == RuleId::InternalError)
            .collect();
        assert_eq!(crashes.len(), 1);
        assert_eq!(crashes[0].file, a);
        // The panic's quoted text is not repeated.
        assert!(
            !crashes[0].message.contains(PANIC_IN_REDACTION),
            "{}",
            crashes[0].message
        );
        assert!(crashes[0].message.contains("looking for secret values"));
        // The crashed file is masked whole; the other one only where its secret is.
        let source_a = &result.workspace.source(a).text;
        let masked_a = result.redactions.masked_text(a, source_a);
        assert!(!masked_a.contains("Sup3rSecretValue"));
        assert!(!masked_a.contains("apiVersion"));
        let source_b = &result.workspace.source(b).text;
        let masked_b = result.redactions.masked_text(b, source_b);
        assert!(!masked_b.contains("Sup3rSecretValue"));
        assert!(masked_b.contains("apiVersion"));
        // Rules still ran on both files.
        let plaintext = |file| {
            result
                .findings
                .iter()
                .filter(|f| f.file == file && f.rule == RuleId::PlaintextSecretEnv)
                .count()
        };
        assert_eq!((plaintext(a), plaintext(b)), (1, 1));
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
