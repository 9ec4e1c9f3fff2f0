//! The pipeline: discover, load (in parallel), build the workspace, run rules, sort.

use std::collections::HashSet;
use std::io::Read;
use std::path::PathBuf;

use rayon::prelude::*;

use std::sync::Arc;

use crate::config::Exclude;
use crate::discover::{Input, Origin, SourceKind, discover, is_git_ignored};
use crate::error::Error;
use crate::finding::{Finding, internal_error};
use crate::load::dockerfile::parse_dockerfile;
use crate::load::{Loaded, ProblemKind, parse_yaml};
use crate::model::{FileKind, LoadedFile, Workspace, WorkspaceOptions};
use crate::outcome::LintResult;
use crate::redact::Redactions;
use crate::registry::Registry;
use crate::rule_id::RuleId;
use crate::rules::run_rules;
use crate::source::{DecodeError, SourceFile, Span, decode};

#[derive(Clone)]
pub struct LintOptions {
    pub paths: Vec<String>,
    pub workspace: WorkspaceOptions,
    /// The config's `exclude` globs.
    pub exclude: Option<Exclude>,
    /// The rules to run, configured.
    pub registry: Arc<Registry>,
}

impl Default for LintOptions {
    fn default() -> Self {
        LintOptions {
            paths: vec![".".to_string()],
            workspace: WorkspaceOptions::default(),
            exclude: None,
            registry: Arc::new(Registry::builtin()),
        }
    }
}

/// Lints the given paths. Runs on the current rayon pool.
pub fn lint(options: &LintOptions) -> Result<LintResult, Error> {
    lint_with_context(options, &[])
}

/// Lints the given paths with the files under `context` loaded as context only: rules see
/// their objects (a LimitRange, a referenced Secret), but only the files in `options.paths`
/// are reported on. A file both given and under a context directory is loaded once, as a
/// reported file (matched by canonical path). This is what a pre-commit hook needs: the
/// changed files, judged against the whole repository.
pub fn lint_with_context(options: &LintOptions, context: &[String]) -> Result<LintResult, Error> {
    let mut inputs: Vec<(Input, bool)> = discover(&options.paths)?
        .into_iter()
        .map(|input| (input, false))
        .collect();
    if !context.is_empty() {
        let mut seen: HashSet<PathBuf> = inputs
            .iter()
            .filter_map(|(input, _)| canonical_path(input))
            .collect();
        for input in discover(context)? {
            // A context file is read only to be seen by rules: stdin and unreadable entries
            // have nothing to offer, and a file already loaded must not be loaded twice.
            let fresh = match canonical_path(&input) {
                Some(path) => seen.insert(path),
                None => false,
            };
            if fresh && matches!(input.origin, Origin::Walked(_) | Origin::Explicit(_)) {
                inputs.push((input, true));
            }
        }
        inputs.sort_by(|a, b| a.0.display.cmp(&b.0.display).then(a.1.cmp(&b.1)));
    }
    if let Some(exclude) = &options.exclude {
        inputs.retain(|(input, _)| match &input.origin {
            Origin::Explicit(path) | Origin::Walked(path) | Origin::Unreadable(path, _) => {
                !exclude.is_excluded(path)
            }
            Origin::Stdin => true,
        });
    }
    let context_only: Vec<bool> = if context.is_empty() {
        Vec::new()
    } else {
        inputs.iter().map(|(_, context)| *context).collect()
    };
    let inputs: Vec<Input> = inputs.into_iter().map(|(input, _)| input).collect();
    let stdin = if inputs.iter().any(|i| i.origin == Origin::Stdin) {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(Error::Stdin)?;
        Some(bytes)
    } else {
        None
    };
    let loaded: Vec<(LoadedFile, Vec<Finding>)> = inputs
        .par_iter()
        .enumerate()
        .map(|(file_id, input)| {
            guard_file(file_id, input, || {
                load_input(file_id, input, stdin.as_deref())
            })
        })
        .collect();
    let mut findings = Vec::new();
    let mut files = Vec::with_capacity(loaded.len());
    for (file, file_findings) in loaded {
        files.push(file);
        findings.extend(file_findings);
    }
    let workspace = Workspace::new(files, &options.workspace);
    let registry = &options.registry;
    findings.extend(run_rules(&workspace, &registry.rules));
    crate::suppress::apply(&workspace, registry, &mut findings);
    if !context_only.is_empty() {
        findings.retain(|f| !context_only.get(f.file).copied().unwrap_or(false));
    }
    registry.resolve(&mut findings);
    let redactions = Redactions::collect(&workspace, &findings);
    redactions.apply(&mut findings);
    sort_findings(&workspace, &mut findings);
    Ok(LintResult {
        workspace,
        findings,
        baseline: None,
        custom_rules: registry.custom_entries.clone(),
        context_only,
        redactions,
    })
}

fn canonical_path(input: &Input) -> Option<PathBuf> {
    match &input.origin {
        Origin::Explicit(path) | Origin::Walked(path) => std::fs::canonicalize(path).ok(),
        Origin::Stdin | Origin::Unreadable(..) => None,
    }
}

/// Sorts by path, position, rule and message, and drops exact duplicates (an aliased node
/// reached twice reports once).
fn sort_findings(ws: &Workspace, findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| {
        (
            &ws.source(a.file).path,
            a.span.start,
            a.span.end,
            a.rule,
            &a.message,
        )
            .cmp(&(
                &ws.source(b.file).path,
                b.span.start,
                b.span.end,
                b.rule,
                &b.message,
            ))
    });
    findings.dedup_by(|a, b| {
        a.file == b.file && a.span == b.span && a.rule == b.rule && a.message == b.message
    });
}

/// Runs `load` for one input, catching a panic at the file's boundary: a bug triggered by one
/// file becomes an `internal-error` finding naming it, and the other files are still linted.
fn guard_file(
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
fn load_input(file_id: usize, input: &Input, stdin: Option<&[u8]>) -> (LoadedFile, Vec<Finding>) {
    let bytes = match &input.origin {
        Origin::Stdin => Ok(stdin.unwrap_or_default().to_vec()),
        Origin::Explicit(path) | Origin::Walked(path) => read_bounded(path),
        Origin::Unreadable(_, message) => Err(message.clone()),
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
    let source = SourceFile::new(&input.display, text);
    let git_ignored = match &input.origin {
        Origin::Explicit(path) => is_git_ignored(path),
        _ => false,
    };
    if input.kind == SourceKind::Dockerfile {
        let dockerfile = parse_dockerfile(&source.text);
        let mut file = LoadedFile::manifest(source, Vec::new());
        file.kind = FileKind::Dockerfile(dockerfile);
        file.git_ignored = git_ignored;
        return (file, Vec::new());
    }
    let loaded = parse_yaml(&source.text);
    let findings = load_findings(file_id, input, &source, &loaded);
    let documents = if findings.iter().any(|f| f.rule == RuleId::TemplateSkipped) {
        Vec::new()
    } else {
        loaded.documents
    };
    let mut file = LoadedFile::manifest(source, documents);
    file.git_ignored = git_ignored;
    (file, findings)
}

/// Files larger than this are not read (an `io-error`). The API server refuses requests over
/// 3 MiB and etcd stores objects up to 1.5 MiB, so no manifest stream comes near it; the bound
/// keeps memory bounded on `/dev/zero` or a runaway generator named on the command line.
pub const MAX_FILE_SIZE: u64 = 256 * 1024 * 1024;

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
    // A FIFO or a device, of unknown length: read in chunks (a buffer that doubles would hold
    // up to three times the data while it grows), and stop at the bound.
    const CHUNK: u64 = 1 << 20;
    let mut chunks: Vec<Vec<u8>> = Vec::new();
    let mut total = 0u64;
    let mut file = file;
    loop {
        let mut chunk = Vec::with_capacity(CHUNK as usize);
        (&mut file)
            .take(CHUNK)
            .read_to_end(&mut chunk)
            .map_err(|e| e.to_string())?;
        if chunk.is_empty() {
            break;
        }
        total += chunk.len() as u64;
        if total > MAX_FILE_SIZE {
            return Err(too_large());
        }
        chunks.push(chunk);
    }
    Ok(chunks.concat())
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

fn load_findings(
    file_id: usize,
    input: &Input,
    source: &SourceFile,
    loaded: &Loaded,
) -> Vec<Finding> {
    let text = &*source.text;
    if let Some(at) = first_template_action(text)
        && (loaded.failed || loaded.template_braces)
    {
        return vec![
            Finding::new(
                RuleId::TemplateSkipped,
                file_id,
                Span::new(at, at + 2),
                "this file is a Helm or Go template, not a manifest: it was not linted",
            )
            .label("template action")
            .help("lint the rendered output instead: `helm template RELEASE CHART | kubeward -`"),
        ];
    }
    let report_unparsable = input.is_explicit() || looks_like_kubernetes(text);
    loaded
        .problems
        .iter()
        .filter(|p| match p.document {
            // Problems inside a document count when that document is a Kubernetes object.
            Some(index) => loaded.documents.get(index).is_some_and(|doc| {
                doc.get(doc.root, "apiVersion").is_some() && doc.get(doc.root, "kind").is_some()
            }),
            None => report_unparsable,
        })
        .map(|problem| {
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
            finding
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_while_loading_becomes_an_internal_error_naming_the_file() {
        let input = Input {
            display: "deploy/app.yaml".to_string(),
            origin: Origin::Explicit("deploy/app.yaml".into()),
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
