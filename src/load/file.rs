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
}

impl LoadedFile {
    /// A manifest file, not ignored.
    pub fn manifest(source: SourceFile, documents: Vec<Document>) -> LoadedFile {
        LoadedFile {
            source,
            documents,
            kind: FileKind::Manifest,
            git_ignored: false,
        }
    }

    pub fn dockerfile(&self) -> Option<&Dockerfile> {
        match &self.kind {
            FileKind::Dockerfile(d) => Some(d),
            FileKind::Manifest => None,
        }
    }
}
