//! Where a JSON instance path (from a JSON Schema validation error) leads in the spanned tree.
//! Shared by the declarative policies and the Kubernetes schema validation.

use jsonschema::paths::LocationSegment;

use crate::load::{Document, NodeId};
use crate::source::Span;

/// Where an instance path leads in the tree.
#[derive(Debug, Clone)]
pub(crate) struct Located {
    pub node: NodeId,
    /// Span of the key holding `node`, when it is a mapping value (for a sequence item: its
    /// first key, or the item itself).
    pub key: Option<Span>,
    /// Dotted path from the validated node, e.g. `securityContext.runAsUser`, `ports[0]`.
    pub path: String,
    /// False when a segment was not found in the tree (the path then stops at its parent).
    pub complete: bool,
}

pub(crate) fn locate<'a>(
    doc: &Document,
    from: NodeId,
    segments: impl Iterator<Item = LocationSegment<'a>>,
) -> Located {
    let mut located = Located {
        node: from,
        key: None,
        path: String::new(),
        complete: true,
    };
    for segment in segments {
        match segment {
            LocationSegment::Property(name) => {
                let Some(entry) = doc.entry(located.node, &name) else {
                    located.complete = false;
                    break;
                };
                located.key = Some(doc.span(entry.key));
                located.node = entry.value;
                located.path = join_path(&located.path, &name);
            }
            // A numeric key (`"8080": ...`) reads as an index; in a mapping it is a key.
            LocationSegment::Index(i) if doc.is_mapping(located.node) => {
                let name = i.to_string();
                let Some(entry) = doc.entry(located.node, &name) else {
                    located.complete = false;
                    break;
                };
                located.key = Some(doc.span(entry.key));
                located.node = entry.value;
                located.path = join_path(&located.path, &name);
            }
            LocationSegment::Index(i) => {
                let Some(item) = doc.items(located.node).get(i) else {
                    located.complete = false;
                    break;
                };
                located.node = *item;
                located.key = first_key_span(doc, *item).or(Some(doc.span(*item)));
                located.path.push_str(&format!("[{i}]"));
            }
        }
    }
    located
}

/// `path.name`, or `name` at the top.
pub(crate) fn join_path(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

/// Span of a mapping's first key.
pub(crate) fn first_key_span(doc: &Document, node: NodeId) -> Option<Span> {
    doc.entries(node).first().map(|e| doc.span(e.key))
}
