//! Stdin holding `helm template` output (issue 18): findings are reported under the templates
//! that wrote each document, not at `<stdin>:line`.
//!
//! Helm writes every document of its output as `---\n# Source: <chart>/<path>\n<text>\n`
//! ([`crate::helm::release::source_headers`] reads those headers back). The stream is still
//! one input for the rules (cross-object rules see all of its objects; suppression comments
//! and secret values are read in it as in any file); after the rules, suppressions and
//! redaction ran, [`StdinTemplates::apply`] moves each finding on stdin to a file of its own
//! per template:
//!
//! - its path is the template's path without the chart name (`templates/deployment.yaml`,
//!   `charts/sub/templates/x.yaml`, `crds/x.yaml`), in the folder of `--stdin-filename` when
//!   given (`charts/app/rendered.yaml` → `charts/app/templates/deployment.yaml`), else in the
//!   current directory;
//! - its text is what Helm rendered for that template: its documents as printed, each without
//!   its `# Source:` line, joined by `---` lines when the template wrote several. Line 1 is the
//!   first line after the template's (first) `# Source:` header, so for the usual template of
//!   one document a finding's line is its line inside that rendered document. Snippets show
//!   these rendered lines;
//! - the message says so: `... (line 12 of this template's rendered output)`: the template's own
//!   line is not known from rendered text (linting the chart itself gives it).
//!
//! The path is only a label: it is never opened or read, and a header whose name is not a
//! plain relative path with a chart name first (absolute, with `..` or `.` parts, empty parts,
//! a `\` or `:`, control characters, longer than 4096 bytes) is not used: such a document stays on `<stdin>` at its
//! stream line, as does a document without a header (a stream without headers is reported
//! exactly as before).
//!
//! The files made here are appended to the workspace after everything that reads documents
//! ran (they hold no documents: rules never see them twice); each gets the secret spans of the
//! text it was cut from ([`Redactions::copy_parts`]), so every format masks them, and a path key
//! for fingerprints and baselines. Stdin itself is then no longer a reported file when all of
//! its content went to templates.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use crate::discover::PathBase;
use crate::finding::{FileId, Finding};
use crate::helm::release::source_headers::{SourceDoc, source_documents};
use crate::load::file::{FileRole, LoadedFile};
use crate::model::Workspace;
use crate::redact::Redactions;
use crate::source::{SourceFile, Span};

/// The longest template path taken as a label.
const MAX_PATH_LEN: usize = 4096;

/// A part of the stream that went to a template's text.
#[derive(Debug, Clone, Copy)]
struct Piece {
    /// The range of stdin's text (the document's text after its header).
    stream: Span,
    /// Index into [`StdinTemplates::templates`].
    template: usize,
    /// Where it starts in the template's text.
    at: usize,
}

#[derive(Debug)]
struct Template {
    /// As shown (`charts/app/templates/x.yaml`).
    path: String,
    /// Relative to the repository root, for fingerprints.
    key: String,
    text: String,
    pieces: Vec<usize>,
}

/// How stdin's documents map to template files.
#[derive(Debug)]
pub(crate) struct StdinTemplates {
    stdin: FileId,
    docs: Vec<SourceDoc>,
    /// Per document: its piece, when it went to a template.
    doc_piece: Vec<Option<usize>>,
    pieces: Vec<Piece>,
    templates: Vec<Template>,
    /// Whether a document that went to no template holds any text.
    unmapped_text: bool,
}

impl StdinTemplates {
    /// Reads stdin's text (file `stdin` of the workspace): `None` when no document names a
    /// template, so the run goes on as for any file.
    pub(crate) fn read(
        ws: &Workspace,
        stdin: FileId,
        stdin_filename: Option<&str>,
    ) -> Option<StdinTemplates> {
        let text = ws.files.get(stdin)?.source.text.clone();
        if !text.contains("# Source: ") {
            return None;
        }
        let docs = source_documents(&text);
        let folder = stdin_filename
            .filter(|name| !name.is_empty())
            .and_then(|name| Path::new(name).parent())
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let keys = KeyBase::current();
        let mut by_path: HashMap<String, usize> = HashMap::new();
        let mut out = StdinTemplates {
            stdin,
            doc_piece: Vec::with_capacity(docs.len()),
            pieces: Vec::new(),
            templates: Vec::new(),
            unmapped_text: false,
            docs: Vec::new(),
        };
        for doc in &docs {
            let content = content_range(&text, doc);
            // The whole name must be plain (`/etc/passwd` has an empty chart name), with a
            // chart name to drop.
            let label = doc
                .source
                .as_deref()
                .zip(doc.template.as_deref())
                .filter(|(source, template)| source != template && label_path(source).is_some())
                .and_then(|(_, template)| label_path(template));
            let Some(label) = label else {
                out.unmapped_text |= text
                    .get(doc.range.clone())
                    .is_some_and(|t| !t.trim().is_empty());
                out.doc_piece.push(None);
                continue;
            };
            let path = shown_path(&folder, label);
            let index = *by_path.entry(path.clone()).or_insert_with(|| {
                out.templates.push(Template {
                    key: keys.key(&path),
                    path,
                    text: String::new(),
                    pieces: Vec::new(),
                });
                out.templates.len() - 1
            });
            let Some(template) = out.templates.get_mut(index) else {
                out.doc_piece.push(None);
                continue;
            };
            if !template.pieces.is_empty() {
                if !template.text.is_empty() && !template.text.ends_with('\n') {
                    template.text.push('\n');
                }
                template.text.push_str("---\n");
            }
            let piece = Piece {
                stream: content,
                template: index,
                at: template.text.len(),
            };
            template
                .text
                .push_str(text.get(content.start..content.end).unwrap_or_default());
            template.pieces.push(out.pieces.len());
            out.doc_piece.push(Some(out.pieces.len()));
            out.pieces.push(piece);
        }
        if out.templates.is_empty() {
            return None;
        }
        out.docs = docs;
        Some(out)
    }

    /// The template a span of stdin lies in, and the span in that template's text (cut at the
    /// end of its piece); `None` for a span in a document that went to no template.
    fn locate(&self, span: Span) -> Option<(usize, Span)> {
        // The document holding the offset, or the one after the `---` line it is on.
        let i = self.docs.partition_point(|d| d.range.end < span.start);
        let piece = self
            .doc_piece
            .get(i)
            .copied()
            .flatten()
            .and_then(|p| self.pieces.get(p))?;
        let inside = |offset: usize| {
            piece.at
                + offset
                    .saturating_sub(piece.stream.start)
                    .min(piece.stream.len())
        };
        Some((
            piece.template,
            Span::new(inside(span.start), inside(span.end)),
        ))
    }

    /// Moves every finding (and related label) on stdin to its template's file, appended to the
    /// workspace with its secret spans and its path key; stdin stops being a reported file when
    /// nothing is left on it.
    pub(crate) fn apply(
        self,
        ws: &mut Workspace,
        redactions: &mut Redactions,
        findings: &mut [Finding],
        context_only: &mut Vec<bool>,
        keys: &mut Vec<String>,
    ) {
        let first = ws.files.len();
        let sources: Vec<SourceFile> = self
            .templates
            .iter()
            .map(|t| SourceFile::new(t.path.clone(), t.text.as_str()))
            .collect();
        let mut stdin_used = self.unmapped_text;
        for finding in findings.iter_mut() {
            for label in &mut finding.related {
                if label.file != self.stdin {
                    continue;
                }
                match self.locate(label.span) {
                    Some((template, span)) => {
                        label.file = first + template;
                        label.span = span;
                    }
                    None => stdin_used = true,
                }
            }
            if finding.file != self.stdin {
                continue;
            }
            let Some((template, span)) = self.locate(finding.span) else {
                stdin_used = true;
                continue;
            };
            finding.redact = finding
                .redact
                .iter()
                .filter_map(|s| self.locate(*s))
                .filter(|(t, _)| *t == template)
                .map(|(_, s)| s)
                .collect();
            finding.file = first + template;
            finding.span = span;
            if let Some(source) = sources.get(template) {
                let line = source.line_col(span.start).line;
                finding.message = format!(
                    "{} (line {line} of this template's rendered output)",
                    finding.message
                );
            }
        }
        for (index, template) in self.templates.iter().enumerate() {
            let parts: Vec<(Span, usize)> = template
                .pieces
                .iter()
                .filter_map(|p| self.pieces.get(*p))
                .map(|p| (p.stream, p.at))
                .collect();
            redactions.copy_parts(self.stdin, first + index, &parts);
        }
        // Path keys: files appended before (built kustomizations) keep theirs (their path).
        let mut all_keys: Vec<String> = (0..first)
            .map(|file| match keys.get(file) {
                Some(key) => key.clone(),
                None => ws.source(file).path.trim_start_matches("./").to_owned(),
            })
            .collect();
        all_keys.extend(self.templates.into_iter().map(|t| t.key));
        *keys = all_keys;
        for source in sources {
            let mut file = LoadedFile::manifest(source, Vec::new());
            // Its objects are linted through stdin, which holds them.
            file.role = FileRole::Consumed;
            ws.files.push(file);
        }
        context_only.resize(first, false);
        context_only.resize(ws.files.len(), false);
        if !stdin_used {
            if let Some(flag) = context_only.get_mut(self.stdin) {
                *flag = true;
            }
            // Seen by rules, reported through the templates: its objects still count.
            if let Some(file) = ws.files.get_mut(self.stdin) {
                file.role = FileRole::Built;
            }
        }
    }
}

/// A document's text after its `# Source:` line (the whole document when it continues the
/// previous one's source).
fn content_range(text: &str, doc: &SourceDoc) -> Span {
    let Some(header) = &doc.header else {
        return Span::new(doc.range.start, doc.range.end);
    };
    let rest = text.get(header.end..doc.range.end).unwrap_or_default();
    let newline = if rest.starts_with("\r\n") {
        2
    } else {
        usize::from(rest.starts_with('\n'))
    };
    Span::new((header.end + newline).min(doc.range.end), doc.range.end)
}

/// The template path when it is a plain relative path (a label only: never opened).
fn label_path(template: &str) -> Option<&str> {
    let plain = !template.is_empty()
        && template.len() <= MAX_PATH_LEN
        && !template.contains(['\\', ':'])
        && !template.chars().any(char::is_control)
        && template
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..");
    plain.then_some(template)
}

/// The template's path as shown: in `folder` (`--stdin-filename`'s), without `./`.
fn shown_path(folder: &Path, template: &str) -> String {
    let mut parts: Vec<String> = folder
        .components()
        .filter(|c| *c != Component::CurDir)
        .map(|c| match c {
            Component::RootDir => String::new(),
            other => other.as_os_str().to_string_lossy().into_owned(),
        })
        .collect();
    parts.push(template.to_owned());
    parts.join("/")
}

/// Where path keys start: the current directory and its repository root.
struct KeyBase {
    cwd: Option<PathBuf>,
    root: PathBuf,
}

impl KeyBase {
    fn current() -> KeyBase {
        let base = PathBase::current();
        KeyBase {
            cwd: std::env::current_dir()
                .ok()
                .and_then(|d| std::fs::canonicalize(d).ok()),
            root: base.root().to_path_buf(),
        }
    }

    /// A shown path relative to the repository root (lexically: the path is a label, never
    /// looked up), else as shown.
    fn key(&self, shown: &str) -> String {
        let Some(cwd) = &self.cwd else {
            return shown.to_owned();
        };
        let mut absolute = PathBuf::new();
        for component in cwd.join(shown).components() {
            match component {
                Component::CurDir => {}
                Component::ParentDir => {
                    absolute.pop();
                }
                other => absolute.push(other),
            }
        }
        match absolute.strip_prefix(&self.root) {
            Ok(relative) if !relative.as_os_str().is_empty() => relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/"),
            _ => shown.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    // Test code slices strings at ranges the code under test returned.
    #![allow(clippy::string_slice)]

    use super::*;

    #[test]
    fn labels() {
        assert_eq!(
            label_path("templates/deployment.yaml"),
            Some("templates/deployment.yaml")
        );
        assert_eq!(
            label_path("charts/sub/templates/a b.yaml"),
            Some("charts/sub/templates/a b.yaml")
        );
        for bad in [
            "",
            "../etc/passwd",
            "templates/../../etc/passwd",
            "/etc/passwd",
            "templates//x.yaml",
            "./templates/x.yaml",
            "C:/x.yaml",
            "templates\\x.yaml",
            "templates/x\n.yaml",
        ] {
            assert_eq!(label_path(bad), None, "{bad:?}");
        }
        assert_eq!(label_path(&"a/".repeat(3000)), None);
    }

    #[test]
    fn shown_paths() {
        assert_eq!(
            shown_path(Path::new(""), "templates/x.yaml"),
            "templates/x.yaml"
        );
        assert_eq!(
            shown_path(Path::new("./charts/app"), "templates/x.yaml"),
            "charts/app/templates/x.yaml"
        );
        assert_eq!(
            shown_path(Path::new("/abs"), "templates/x.yaml"),
            "/abs/templates/x.yaml"
        );
    }

    #[test]
    fn content_after_the_header() {
        let text = "---\n# Source: c/templates/a.yaml\r\nkind: A\n---\nkind: B\n";
        let docs = source_documents(text);
        let a = content_range(text, &docs[0]);
        assert_eq!(&text[a.start..a.end], "kind: A\n");
        let b = content_range(text, &docs[1]);
        assert_eq!(&text[b.start..b.end], "kind: B\n");
        // A header with nothing after it.
        let text = "---\n# Source: c/templates/a.yaml";
        let docs = source_documents(text);
        assert!(content_range(text, &docs[0]).is_empty());
    }
}
