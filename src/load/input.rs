//! The load step: reads one input (a file, or stdin) within the size cap, decodes it, parses
//! it (YAML/JSON or a Dockerfile), and turns what went wrong into findings (`io-error`,
//! `parse-error`, `duplicate-key`, `template-skipped`). Every input is loaded under a panic
//! guard: a bug triggered by one file becomes an `internal-error` naming it.

use std::io::Read;

use crate::discover::{Input, InputOrigin, SourceKind, is_git_ignored};
use crate::finding::{Finding, internal_error};
use crate::load::dockerfile::parse_dockerfile;
use crate::load::file::{FileKind, LoadedFile};
use crate::load::{Loaded, ProblemKind};
use crate::rule_id::RuleId;
use crate::source::{DecodeError, SourceFile, Span, decode};

/// Runs `load` for one input, catching a panic at the file's boundary: a bug triggered by one
/// file becomes an `internal-error` finding naming it, and the other files are still linted.
pub(crate) fn guard_file(
    file_id: usize,
    input: &Input,
    load: impl FnOnce() -> (LoadedFile, Vec<Finding>),
) -> (LoadedFile, Vec<Finding>) {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(load)).unwrap_or_else(|payload| {
        let finding = internal_error(file_id, Span::default(), "loading this file", &*payload);
        (
            empty_file(SourceFile::new(&input.display, "")),
            vec![finding],
        )
    })
}

/// Reads, decodes and parses one input. Never fails: problems become findings.
pub(crate) fn load_input(
    file_id: usize,
    input: &Input,
    stdin: Option<&[u8]>,
) -> (LoadedFile, Vec<Finding>) {
    let bytes = match &input.origin {
        InputOrigin::Stdin => Ok(stdin.unwrap_or_default().to_vec()),
        InputOrigin::Explicit(path) | InputOrigin::Walked(path) => {
            let started = crate::timings::start();
            let read = read_bounded(path);
            crate::timings::add(crate::timings::Sum::Read, started);
            read
        }
        InputOrigin::Unreadable(_, message) => Err(message.clone()),
    };
    let bytes = match bytes {
        Ok(bytes) => bytes,
        Err(message) => {
            let source = SourceFile::new(&input.display, "");
            let finding = Finding::new(
                RuleId::IoError,
                file_id,
                Span::default(),
                format!("cannot read this file: {message}"),
            )
            .help("check the file's permissions, or exclude it from the run");
            return (empty_file(source), vec![finding]);
        }
    };
    let text = match decode(bytes) {
        Ok(text) => text,
        Err((problem, lossy)) => {
            let source = SourceFile::new(&input.display, lossy);
            let (offset, message, help) = match problem {
                DecodeError::Binary { offset } => (
                    offset,
                    "this is a binary file (it contains NUL bytes), not a YAML or JSON manifest",
                    "exclude it from the run, e.g. with .gitignore",
                ),
                DecodeError::InvalidUtf8 { offset } => (
                    offset,
                    "this file is not valid UTF-8 text",
                    "save the file as UTF-8 (Kubernetes reads manifests as UTF-8)",
                ),
            };
            let finding = Finding::new(
                RuleId::ParseError,
                file_id,
                Span::new(offset, offset),
                message,
            )
            .label("first bad byte")
            .help(help);
            return (empty_file(source), vec![finding]);
        }
    };
    let text = if input.kind == SourceKind::Manifest {
        nel_as_line_breaks(text)
    } else {
        text
    };
    let source = SourceFile::new(&input.display, text);
    let git_ignored = match &input.origin {
        InputOrigin::Explicit(path) => is_git_ignored(path),
        _ => false,
    };
    if input.kind == SourceKind::Dockerfile {
        let dockerfile = parse_dockerfile(&source.text);
        let mut file = LoadedFile::manifest(source, Vec::new());
        file.kind = FileKind::Dockerfile(dockerfile);
        file.git_ignored = git_ignored;
        return (file, Vec::new());
    }
    let mut loaded = crate::load::parse_file(&source.text);
    let (findings, kept) = load_findings(file_id, input, &source, &loaded);
    loaded.documents.truncate(kept);
    let mut file = LoadedFile::manifest(source, loaded.documents);
    file.git_ignored = git_ignored;
    (file, findings)
}

/// Files larger than this are not read (an `io-error`). The API server refuses requests over
/// 3 MiB and etcd stores objects up to 1.5 MiB, so no manifest stream comes near it; the bound
/// keeps memory bounded on `/dev/zero` or a runaway generator named on the command line.
pub(crate) const MAX_FILE_SIZE: u64 = 256 * 1024 * 1024;

/// Reads a whole file (or a FIFO named on the command line, to its end), up to
/// [`MAX_FILE_SIZE`].
fn read_bounded(path: &std::path::Path) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let known = file.metadata().map(|m| m.len()).unwrap_or(0);
    let too_large = || format!("it is larger than {} MiB", MAX_FILE_SIZE >> 20);
    if known > MAX_FILE_SIZE {
        return Err(too_large());
    }
    if known > 0 {
        // A regular file: one read into a buffer of its size.
        let mut bytes = Vec::with_capacity(known as usize);
        file.take(MAX_FILE_SIZE + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| e.to_string())?;
        if bytes.len() as u64 > MAX_FILE_SIZE {
            return Err(too_large());
        }
        return Ok(bytes);
    }
    read_stream_bounded(file).map_err(|e| e.to_string())
}

/// Reads a stream of unknown length (a FIFO, a device, stdin) up to [`MAX_FILE_SIZE`], in
/// chunks: a buffer that doubles would hold up to three times the data while it grows. Past
/// the bound, an error of kind `FileTooLarge` saying so.
pub(crate) fn read_stream_bounded(mut stream: impl Read) -> std::io::Result<Vec<u8>> {
    const CHUNK: u64 = 1 << 20;
    let mut chunks: Vec<Vec<u8>> = Vec::new();
    let mut total = 0u64;
    loop {
        let mut chunk = Vec::with_capacity(CHUNK as usize);
        (&mut stream).take(CHUNK).read_to_end(&mut chunk)?;
        if chunk.is_empty() {
            break;
        }
        total += chunk.len() as u64;
        if total > MAX_FILE_SIZE {
            return Err(std::io::Error::new(
                std::io::ErrorKind::FileTooLarge,
                format!("it is larger than {} MiB", MAX_FILE_SIZE >> 20),
            ));
        }
        chunks.push(chunk);
    }
    Ok(chunks.concat())
}

/// NEL (U+0085, two bytes in UTF-8) is a line break to libyaml and so to go-yaml, which
/// Kubernetes reads YAML with (`is_break` in go-yaml's `yamlprivateh.go`; `read_line` turns it
/// into `\n`); YAML 1.2, and so `saphyr-parser`, reads it as an ordinary character. Each NEL
/// becomes `\r\n`, the same two bytes long: spans, offsets and secret masks stay valid, and
/// the parser and every report see the line breaks Kubernetes sees. A JSON stream (the first
/// character `{`, as kubectl's `YAMLOrJSONDecoder` sniffs it) is decoded as JSON by Kubernetes,
/// where NEL is an ordinary character: it is left alone.
fn nel_as_line_breaks(text: String) -> String {
    if !text.contains('\u{85}') || text.trim_start().starts_with('{') {
        return text;
    }
    text.replace('\u{85}', "\r\n")
}

/// Reads a file kubeward reads for itself (a baseline, a policy), not one it lints: only a
/// regular file (a FIFO or a device would block or never end: refused, as walks skip them),
/// within [`MAX_FILE_SIZE`], as UTF-8 text.
pub(crate) fn read_regular_file(path: &std::path::Path) -> Result<String, String> {
    let metadata = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !metadata.is_file() {
        return Err("it is not a regular file (a directory, FIFO, socket or device)".to_string());
    }
    let bytes = read_bounded(path)?;
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "it is not valid UTF-8 text (first bad byte at offset {})",
            e.utf8_error().valid_up_to()
        )
    })
}

fn empty_file(source: SourceFile) -> LoadedFile {
    LoadedFile::manifest(source, Vec::new())
}

/// Offset of the first `{{` outside a YAML comment.
fn first_template_action(text: &str) -> Option<usize> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if let Some(at) = line.find("{{") {
            let before = line.get(..at).unwrap_or_default();
            let commented = before.trim_start().starts_with('#') || before.contains(" #");
            if !commented {
                return Some(offset + at);
            }
        }
        offset += line.len();
    }
    None
}

/// A cheap guess used to decide whether an unparsable file was meant to be a manifest.
fn looks_like_kubernetes(text: &str) -> bool {
    text.contains("apiVersion") && text.contains("kind")
}

/// Where a template's text starts, if the file is a template: a `{{` outside a comment in a
/// file that failed to parse or that parsed with a flow mapping opening `{{`. When the parse
/// failed, a `{{` inside a document that parsed completely is text of a valid scalar (a block
/// scalar of alerting rules, a quoted string), not what broke the parse: only a `{{` after the
/// last complete document counts, unless `{{` mappings show the file is a template throughout.
fn template_start(text: &str, loaded: &Loaded) -> Option<usize> {
    if loaded.template_braces {
        return first_template_action(text);
    }
    if !loaded.failed {
        return None;
    }
    let parsed_end = loaded
        .documents
        .iter()
        .map(|doc| doc.span.end)
        .max()
        .unwrap_or(0);
    // From the start of the line the last document ends on (a comment test needs the line).
    let from = text
        .get(..parsed_end)
        .and_then(|before| before.rfind('\n'))
        .map_or(0, |i| i + 1);
    first_template_action(text.get(from..)?)
        .map(|at| from + at)
        .filter(|at| *at >= parsed_end)
}

/// The load findings of a file, and how many of its documents are linted (a prefix: the
/// documents that end before a template's first action; all of them otherwise).
fn load_findings(
    file_id: usize,
    input: &Input,
    source: &SourceFile,
    loaded: &Loaded,
) -> (Vec<Finding>, usize) {
    let text = &*source.text;
    let template = template_start(text, loaded);
    let kept = match template {
        Some(at) => loaded
            .documents
            .iter()
            .take_while(|doc| doc.span.end <= at)
            .count(),
        None => loaded.documents.len(),
    };
    if let Some(at) = template {
        let message = if kept == 0 {
            "this file is a Helm or Go template, not a manifest: it was not linted"
        } else {
            "this file is a Helm or Go template from here on: the documents before this point \
             were linted, the rest was not"
        };
        let mut findings = vec![
            Finding::new(
                RuleId::TemplateSkipped,
                file_id,
                Span::new(at, at + 2),
                message,
            )
            .label("template action")
            .help("lint the rendered output instead: `helm template RELEASE CHART | kubeward -`"),
        ];
        // Problems inside the linted documents (duplicate keys) are still reported.
        findings.extend(
            problem_findings(file_id, input, text, loaded)
                .filter(|(document, _)| document.is_some_and(|d| d < kept))
                .map(|(_, finding)| finding),
        );
        return (findings, kept);
    }
    let findings = problem_findings(file_id, input, text, loaded)
        .map(|(_, finding)| finding)
        .collect();
    (findings, kept)
}

/// The loader's problems as findings, with the document each concerns.
fn problem_findings<'a>(
    file_id: usize,
    input: &Input,
    text: &str,
    loaded: &'a Loaded,
) -> impl Iterator<Item = (Option<usize>, Finding)> + 'a {
    let report_unparsable = input.is_explicit() || looks_like_kubernetes(text);
    loaded
        .problems
        .iter()
        .filter(move |p| match p.document {
            // Problems inside a document count when that document is a Kubernetes object.
            Some(index) => loaded.documents.get(index).is_some_and(|doc| {
                doc.get(doc.root, "apiVersion").is_some() && doc.get(doc.root, "kind").is_some()
            }),
            None => report_unparsable,
        })
        .map(move |problem| {
            let rule = match problem.kind {
                ProblemKind::Syntax => RuleId::ParseError,
                ProblemKind::DuplicateKey => RuleId::DuplicateKey,
            };
            let mut finding = Finding::new(rule, file_id, problem.span, problem.message.clone());
            finding = match problem.kind {
                ProblemKind::Syntax => finding
                    .label("the parser stopped here")
                    .help("fix the syntax; documents before this point were still linted"),
                ProblemKind::DuplicateKey => finding
                    .label("second definition")
                    .help("remove one of the two keys"),
            };
            if let Some((span, label)) = &problem.related {
                finding = finding.related(file_id, *span, label.clone());
            }
            (problem.document, finding)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_files_must_be_regular_files() {
        assert!(
            read_regular_file(std::path::Path::new("/dev/zero"))
                .unwrap_err()
                .contains("not a regular file")
        );
        assert!(
            read_regular_file(std::path::Path::new("/"))
                .unwrap_err()
                .contains("not a regular file")
        );
        assert!(read_regular_file(std::path::Path::new("Cargo.toml")).is_ok());
    }

    #[test]
    fn nel_is_a_line_break_of_the_same_length() {
        let text = "a: 1\u{85}b: 2\n".to_string();
        let replaced = nel_as_line_breaks(text.clone());
        assert_eq!(replaced, "a: 1\r\nb: 2\n");
        assert_eq!(replaced.len(), text.len());
        // JSON keeps it: kubectl decodes JSON as JSON.
        let json = "{\"a\": \"x\u{85}y\"}".to_string();
        assert_eq!(nel_as_line_breaks(json.clone()), json);
    }

    #[test]
    fn a_panic_while_loading_becomes_an_internal_error_naming_the_file() {
        let input = Input {
            display: "deploy/app.yaml".to_string(),
            key: "deploy/app.yaml".to_string(),
            origin: InputOrigin::Explicit("deploy/app.yaml".into()),
            kind: SourceKind::Manifest,
        };
        let (file, findings) = guard_file(3, &input, || panic!("index out of bounds"));
        assert_eq!(file.source.path, "deploy/app.yaml");
        assert!(file.documents.is_empty());
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].rule, RuleId::InternalError);
        assert_eq!(findings[0].file, 3);
        assert_eq!(
            findings[0].message,
            "kubeward crashed while loading this file: index out of bounds"
        );
        // Without a panic the loader's result passes through untouched.
        let (file, findings) = guard_file(0, &input, || {
            (empty_file(SourceFile::new("x.yaml", "a: 1")), Vec::new())
        });
        assert_eq!(file.source.path, "x.yaml");
        assert!(findings.is_empty());
    }
}
