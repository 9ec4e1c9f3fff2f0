//! A loaded source: its text, the documents parsed from it, and what kind of file it is.

use crate::load::Document;
use crate::load::dockerfile::Dockerfile;
use crate::source::SourceFile;

/// What a source is, which decides how it was parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum FileKind {
    /// YAML or JSON, parsed into `documents` (objects are the documents with `apiVersion`
    /// and `kind`; other documents, e.g. OpenFaaS stack files, are kept too).
    #[default]
    Manifest,
    /// A Dockerfile (`Dockerfile`, `*.Dockerfile`, `Dockerfile.*`): no documents.
    Dockerfile(Dockerfile),
}

/// One source and the documents loaded from it.
#[derive(Debug)]
pub struct LoadedFile {
    pub source: SourceFile,
    pub documents: Vec<Document>,
    pub kind: FileKind,
    /// A file named on the command line that the repository's `.gitignore` ignores (walks
    /// never return such files): it is not committed.
    pub git_ignored: bool,
    /// Whether the file is linted as it stands or through a build (a kustomization root's).
    pub role: FileRole,
    /// The namespace of its namespaced objects that set none, when not the run's
    /// `--namespace`: a Helm render's release namespace (Helm installs them into it).
    pub default_namespace: Option<String>,
}

/// How a file takes part in the run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FileRole {
    /// Linted as it stands.
    #[default]
    Plain,
    /// Read by a build (a resource, patch or component of a kustomization): its objects are
    /// linted as built, so its own documents are not kept.
    Consumed,
    /// A build's output (YAML the run wrote), seen by rules; findings on it are reported at
    /// their origins.
    Built,
}

impl LoadedFile {
    /// A manifest file, not ignored.
    pub fn manifest(source: SourceFile, documents: Vec<Document>) -> LoadedFile {
        LoadedFile {
            source,
            documents,
            kind: FileKind::Manifest,
            git_ignored: false,
            role: FileRole::Plain,
            default_namespace: None,
        }
    }

    pub fn dockerfile(&self) -> Option<&Dockerfile> {
        match &self.kind {
            FileKind::Dockerfile(d) => Some(d),
            FileKind::Manifest => None,
        }
    }
}
