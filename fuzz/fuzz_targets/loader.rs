//! Bytes -> decoded text -> spanned documents. Besides "no panic, no hang, no blow-up", checks
//! the loader's promises: every span lies inside the text, starts before it ends, and every
//! document converts to JSON.
#![no_main]

use kubeward::load::json::to_json;
use kubeward::load::parse_yaml;
use kubeward::source::{SourceFile, decode};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = match decode(data.to_vec()) {
        Ok(text) => text,
        Err((_, lossy)) => lossy,
    };
    let loaded = parse_yaml(&text);
    let source = SourceFile::new("fuzz.yaml", text.as_str());
    for doc in &loaded.documents {
        assert!(doc.span.start <= doc.span.end && doc.span.end <= text.len());
        for node in doc.node_ids() {
            let span = doc.span(node);
            assert!(span.start <= span.end, "{:?}", span);
            assert!(span.end <= text.len(), "{:?} > {}", span, text.len());
            source.line_col(span.start);
        }
        let _ = to_json(doc, doc.root);
    }
    for problem in &loaded.problems {
        assert!(problem.span.end <= text.len(), "{:?}", problem.span);
        source.line_col(problem.span.start);
    }
});
