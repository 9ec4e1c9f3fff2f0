//! `kustomize-error`: a kustomization that kustomize cannot build (a missing resource, a cycle, a
//! strategic-merge patch whose object does not exist, a file outside the kustomization's root, an
//! invalid field). Each kustomization file in the run is built as a root (kubeward's native
//! build, [`crate::kustomize`]); an error is reported in the kustomization file where it arises,
//! at the entry that caused it.

use crate::rule_id::RuleId;
use crate::rules::HasRuleId;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::Rule;
use crate::finding::Finding;
use crate::kustomize;
use crate::model::Workspace;
use crate::source::Span;

#[derive(Default)]
pub(crate) struct KustomizeError;

const ID: RuleId = <KustomizeError as HasRuleId>::ID;

fn is_kustomization(path: &str) -> bool {
    Path::new(path)
        .file_name()
        .and_then(|f| f.to_str())
        .is_some_and(|f| {
            matches!(
                f,
                "kustomization.yaml" | "kustomization.yml" | "Kustomization"
            )
        })
}

fn canonical(p: &Path) -> PathBuf {
    p.canonicalize().unwrap_or_else(|_| p.to_path_buf())
}

impl Rule for KustomizeError {
    fn check_workspace(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        let paths: Vec<PathBuf> = ws
            .files
            .iter()
            .map(|f| canonical(Path::new(&f.source.path)))
            .collect();
        let mut reported: Vec<(usize, Span, String)> = Vec::new();
        // The roots: the files that are their directory's kustomization (kustomize prefers
        // kustomization.yaml over .yml over Kustomization).
        let roots: Vec<(usize, &Path)> = ws
            .files
            .iter()
            .enumerate()
            .filter(|(_, loaded)| is_kustomization(&loaded.source.path))
            .filter_map(|(file, loaded)| {
                let kfile = Path::new(&loaded.source.path);
                let dir = kfile.parent()?;
                let dir = if dir.as_os_str().is_empty() {
                    Path::new(".")
                } else {
                    dir
                };
                kustomize::kustomization_file(dir)
                    .is_some_and(|f| canonical(&f) == canonical(kfile))
                    .then_some((file, dir))
            })
            .collect();
        // Built in parallel, one builder (and its cache of built bases) per worker thread;
        // results in root order, so the output is the same for any thread count.
        let failures: Vec<(usize, kustomize::KustError)> = roots
            .par_iter()
            .map_init(kustomize::Builder::default, |builder, (file, dir)| {
                builder.build(dir).err().map(|e| (*file, e))
            })
            .flatten()
            .collect();
        for (file, e) in failures {
            // Reported in the kustomization file where the error arises when that file is
            // linted (once, whichever roots reach it); else at this root.
            let (at, span, message) = match paths.iter().position(|p| *p == canonical(&e.file)) {
                Some(at) => (
                    at,
                    e.span.unwrap_or_default(),
                    format!("kustomize cannot build this kustomization: {}", e.message),
                ),
                None => (
                    file,
                    Span::default(),
                    format!(
                        "kustomize cannot build this kustomization: in {}: {}",
                        e.file.display(),
                        e.message
                    ),
                ),
            };
            if reported
                .iter()
                .any(|(f, s, m)| *f == at && *s == span && *m == message)
            {
                continue;
            }
            reported.push((at, span, message.clone()));
            out.push(
                Finding::new(ID, at, span, message)
                    .label("kustomize fails here")
                    .help(
                        "`kubectl kustomize` (and Argo CD, Flux) reject the whole kustomization; \
                         make every resource, patch and generator file exist under the \
                         kustomization's directory and every patch name an object the \
                         kustomization has",
                    ),
            );
        }
    }
}
