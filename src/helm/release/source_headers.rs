//! The `# Source:` headers of a `helm template` stream (read from stdin): which template wrote
//! each document. Helm writes every document as `---\n# Source: <chart>/<path>\n<text>\n`
//! (`cmd/helm/template.go`, `pkg/action/action.go`), `<path>` being `templates/x.yaml`,
//! `charts/<sub>/templates/x.yaml` for a subchart's, `crds/x.yaml` for a CRD file.
//!
//! A document is the text between two document-start lines (`---`, `--- ...`); the stream's
//! first document starts at 0. A document without a header of its own continues the previous
//! one's source when it follows it directly (a multi-document CRD file is copied whole, so its
//! later documents have no header); the first document, or any before the first header, has
//! none.

use std::ops::Range;

/// One document of the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SourceDoc {
    /// The document's text: from after its `---` line (or the stream's start) to the start of
    /// the next `---` line (or the stream's end).
    pub(crate) range: Range<usize>,
    /// The `# Source:` line, when the document has its own (without its newline).
    pub(crate) header: Option<Range<usize>>,
    /// The header's name as Helm wrote it (`mychart/templates/x.yaml`), the document's own or
    /// the one it continues.
    pub(crate) source: Option<String>,
    /// That name without the chart's (`templates/x.yaml`, `charts/sub/templates/x.yaml`).
    pub(crate) template: Option<String>,
}

const HEADER: &str = "# Source: ";

/// Whether a line starts a YAML document: `---` alone or followed by a blank.
fn is_document_start(line: &str) -> bool {
    let line = line.strip_suffix('\r').unwrap_or(line);
    match line.strip_prefix("---") {
        Some(rest) => rest.is_empty() || rest.starts_with([' ', '\t']),
        None => false,
    }
}

/// The documents of a stream, in order, with the template each came from.
pub(crate) fn source_documents(stream: &str) -> Vec<SourceDoc> {
    let mut docs = Vec::new();
    let mut start = 0;
    let mut at = 0;
    let mut first = true;
    // Lines, with their offsets; a document ends where a `---` line starts.
    for line in stream.split_inclusive('\n') {
        let line_start = at;
        at += line.len();
        if is_document_start(line.trim_end_matches('\n')) {
            if !(first && line_start == 0) {
                docs.push(start..line_start);
            }
            first = false;
            start = at;
        }
    }
    docs.push(start..stream.len());
    // A stream that starts with `---` has no document before it; an empty last one (a
    // stream ending right after `---\n`) is still a document, as YAML reads it.
    let mut out: Vec<SourceDoc> = Vec::with_capacity(docs.len());
    let mut previous: Option<(String, String)> = None;
    for range in docs {
        let text = stream.get(range.clone()).unwrap_or_default();
        let header = header_of(text).map(|h| h.start + range.start..h.end + range.start);
        let own = header
            .as_ref()
            .and_then(|h| stream.get(h.clone()))
            .and_then(|line| line.strip_prefix(HEADER))
            .map(|name| name.trim_end().to_owned());
        let (source, template) = match own {
            Some(name) => {
                let template = strip_chart(&name);
                previous = Some((name.clone(), template.clone()));
                (Some(name), Some(template))
            }
            None => match &previous {
                Some((name, template)) => (Some(name.clone()), Some(template.clone())),
                None => (None, None),
            },
        };
        out.push(SourceDoc {
            range,
            header,
            source,
            template,
        });
    }
    out
}

/// The range of the document's `# Source:` line: its first line that is not blank, when it is
/// one.
fn header_of(text: &str) -> Option<Range<usize>> {
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let start = at;
        at += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        if content.trim().is_empty() {
            continue;
        }
        if content.starts_with(HEADER) {
            return Some(start..start + content.len());
        }
        return None;
    }
    None
}

/// `mychart/templates/x.yaml` → `templates/x.yaml` (a name without `/` stays).
fn strip_chart(name: &str) -> String {
    name.split_once('/')
        .map_or(name, |(_, rest)| rest)
        .to_owned()
}

/// The document holding a byte offset of the stream.
pub(crate) fn document_at(docs: &[SourceDoc], offset: usize) -> Option<&SourceDoc> {
    let i = docs.partition_point(|d| d.range.end < offset);
    docs.get(i).filter(|d| d.range.start <= offset)
}

#[cfg(test)]
mod tests {
    // Test code slices strings at ranges the code under test returned.
    #![allow(clippy::string_slice)]

    use super::*;
    use std::path::PathBuf;

    #[test]
    fn headers_and_chart_names() {
        let stream = "---\n# Source: mychart/templates/a.yaml\nkind: A\n---\n# Source: mychart/charts/sub/templates/b.yaml\nkind: B\n";
        let docs = source_documents(stream);
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].template.as_deref(), Some("templates/a.yaml"));
        assert_eq!(docs[0].source.as_deref(), Some("mychart/templates/a.yaml"));
        assert_eq!(
            &stream[docs[0].range.clone()],
            "# Source: mychart/templates/a.yaml\nkind: A\n"
        );
        assert_eq!(
            &stream[docs[0].header.clone().unwrap()],
            "# Source: mychart/templates/a.yaml"
        );
        assert_eq!(
            docs[1].template.as_deref(),
            Some("charts/sub/templates/b.yaml")
        );
        assert_eq!(
            &stream[docs[1].range.clone()],
            "# Source: mychart/charts/sub/templates/b.yaml\nkind: B\n"
        );
        assert_eq!(
            document_at(&docs, 45).map(|d| d.range.clone()),
            Some(docs[0].range.clone())
        );
        assert_eq!(
            document_at(&docs, stream.len() - 1).map(|d| d.range.clone()),
            Some(docs[1].range.clone())
        );
    }

    #[test]
    fn documents_without_headers() {
        // No headers at all; a first document without `---`; a CRD's second document
        // continues its source; `---` inside a block scalar line is not a separator.
        let stream = "kind: A\n---\nkind: B\n";
        let docs = source_documents(stream);
        assert_eq!(docs.len(), 2);
        assert!(docs.iter().all(|d| d.source.is_none()));
        assert_eq!(&stream[docs[0].range.clone()], "kind: A\n");

        let stream = "---\n# Source: c/crds/x.yaml\nkind: CRD\n---\nkind: CRD2\n--- # c\n# Source: c/templates/y.yaml\nk: |\n  ---x\n  ---\n";
        let docs = source_documents(stream);
        let templates: Vec<Option<&str>> = docs.iter().map(|d| d.template.as_deref()).collect();
        assert_eq!(
            templates,
            [
                Some("crds/x.yaml"),
                Some("crds/x.yaml"),
                Some("templates/y.yaml")
            ]
        );
        assert!(docs[1].header.is_none());
        // (An indented `---` is content.)
        assert!(stream[docs[2].range.clone()].ends_with("  ---\n"));
        // A header that is not the first line does not count; CRLF is fine.
        let docs = source_documents("---\r\nkind: A\r\n# Source: c/templates/z.yaml\r\n");
        assert!(docs[0].source.is_none());
        let docs = source_documents("---\r\n# Source: c/templates/z.yaml\r\nkind: A\r\n");
        assert_eq!(docs[0].template.as_deref(), Some("templates/z.yaml"));
        assert!(source_documents("").len() == 1);
    }

    fn outputs() -> Option<PathBuf> {
        let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let found = [
            manifest.join("../shared/oracles/helm/v3/testdata/output"),
            manifest.join("../../shared/oracles/helm/v3/testdata/output"),
        ]
        .into_iter()
        .find(|p| p.is_dir());
        if found.is_none() {
            eprintln!(
                "note: ../shared/oracles/helm is absent: the source-header golden tests are skipped"
            );
        }
        found
    }

    #[test]
    fn goldens() {
        let Some(dir) = outputs() else { return };
        let mut checked = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            if text.contains("Error: ") {
                continue;
            }
            let docs = source_documents(&text);
            let headers =
                text.matches("\n# Source: ").count() + usize::from(text.starts_with("# Source: "));
            assert_eq!(
                docs.iter().filter(|d| d.header.is_some()).count(),
                headers,
                "{path:?}"
            );
            // Every document is named; the documents and their separators tile the stream.
            let mut end = 0;
            for d in &docs {
                assert!(d.template.is_some(), "{path:?} {:?}", d.range);
                assert!(!d.template.as_deref().unwrap().contains(".Values"));
                assert_eq!(&text[end..d.range.start].trim_end_matches(['\n']), &"---");
                end = d.range.end;
            }
            assert_eq!(end, text.len());
            checked += 1;
        }
        assert!(checked >= 15, "{checked}");
        // One golden in detail.
        let text = std::fs::read_to_string(dir.join("template-with-crds.txt")).unwrap();
        let docs = source_documents(&text);
        let templates: Vec<&str> = docs
            .iter()
            .map(|d| d.template.as_deref().unwrap())
            .collect();
        assert_eq!(templates[0], "crds/crdA.yaml");
        assert_eq!(templates[1], "templates/subdir/serviceaccount.yaml");
        assert!(templates.contains(&"charts/subcharta/templates/service.yaml"));
        assert_eq!(templates.last(), Some(&"templates/tests/test-nothing.yaml"));
    }

    #[test]
    fn hostile_streams() {
        let many = "---\n".repeat(100_000);
        assert_eq!(source_documents(&many).len(), 100_000);
        let long = format!("# Source: {}\n", "a/".repeat(100_000));
        let docs = source_documents(&long);
        assert_eq!(docs[0].template.as_deref().map(str::len), Some(199_998));
    }
}
