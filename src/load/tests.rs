use super::*;
use crate::load::json::to_json;
use crate::load::scalar::ScalarValue;
use crate::source::SourceFile;

fn text_at(src: &str, span: Span) -> &str {
    &src[span.start..span.end]
}

#[test]
fn keys_and_values_keep_exact_byte_spans() {
    let src = "metadata:\n  name: wéb\nspec:\n  cpu: \"500m\"\n  list: [a, {k: v}]\n";
    let loaded = parse_yaml(src);
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    let doc = &loaded.documents[0];
    let name = doc.get_path(doc.root, &["metadata", "name"]).unwrap();
    assert_eq!(text_at(src, doc.span(name)), "wéb");
    let cpu = doc.get_path(doc.root, &["spec", "cpu"]).unwrap();
    assert_eq!(text_at(src, doc.span(cpu)), "\"500m\"");
    assert_eq!(doc.scalar(cpu).unwrap().style, Style::DoubleQuoted);
    let key = doc
        .key_span(doc.get(doc.root, "spec").unwrap(), "cpu")
        .unwrap();
    assert_eq!(text_at(src, key), "cpu");
    let list = doc.get_path(doc.root, &["spec", "list"]).unwrap();
    assert_eq!(text_at(src, doc.span(list)), "[a, {k: v}]");
    let inner = doc.items(list)[1];
    assert_eq!(text_at(src, doc.span(inner)), "{k: v}");
    let spec = doc.get(doc.root, "spec").unwrap();
    assert_eq!(
        text_at(src, doc.span(spec)),
        "cpu: \"500m\"\n  list: [a, {k: v}]"
    );
}

#[test]
fn crlf_line_endings_keep_spans_and_columns() {
    let src = "a: 1\r\nb: x\r\n";
    let loaded = parse_yaml(src);
    let doc = &loaded.documents[0];
    let b = doc.get(doc.root, "b").unwrap();
    assert_eq!(text_at(src, doc.span(b)), "x");
    let file = SourceFile::new("f", src);
    let at = file.line_col(doc.span(b).start);
    assert_eq!((at.line, at.column), (2, 4));
}

#[test]
fn multi_document_streams_and_json() {
    let loaded = parse_yaml("a: 1\n---\nb: 2\n---\n# only a comment\n");
    // An explicit `---` followed by nothing is an empty (null) document, never an object.
    assert_eq!(loaded.documents.len(), 3);
    let empty = &loaded.documents[2];
    assert_eq!(to_json(empty, empty.root), serde_json::Value::Null);
    let json = parse_yaml("{\n\t\"kind\": \"List\",\n\t\"items\": [{\"a\": 1}]\n}\n");
    assert!(json.problems.is_empty(), "{:?}", json.problems);
    let doc = &json.documents[0];
    assert_eq!(
        to_json(doc, doc.root),
        serde_json::json!({"kind": "List", "items": [{"a": 1}]})
    );
}

#[test]
fn merge_keys_resolve_with_explicit_keys_winning() {
    let src = "base: &b {x: 1, w: 2}\nmore: &m {z: 3}\nobj:\n  <<: [*b, *m]\n  w: 9\n";
    let loaded = parse_yaml(src);
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    let doc = &loaded.documents[0];
    let obj = doc.get(doc.root, "obj").unwrap();
    assert_eq!(
        to_json(doc, obj),
        serde_json::json!({"w": 9, "x": 1, "z": 3})
    );
    // YAML 1.1: an unquoted `y` key is the boolean true, as Kubernetes reads it.
    let doc = &parse_yaml("y: 1\n").documents[0];
    assert_eq!(to_json(doc, doc.root), serde_json::json!({"true": 1}));
}

#[test]
fn duplicate_keys_point_at_the_second_key() {
    let src = "a: 1\nb: 2\na: 3\n";
    let loaded = parse_yaml(src);
    assert_eq!(loaded.problems.len(), 1);
    let problem = &loaded.problems[0];
    assert_eq!(problem.kind, ProblemKind::DuplicateKey);
    assert_eq!(problem.span.start, 10);
    assert_eq!(problem.related.as_ref().unwrap().0.start, 0);
}

#[test]
fn syntax_errors_keep_earlier_documents() {
    let loaded = parse_yaml("a: 1\n---\nb: [\n");
    assert!(loaded.failed);
    assert_eq!(loaded.documents.len(), 1);
    assert_eq!(loaded.problems[0].kind, ProblemKind::Syntax);
}

#[test]
fn syntax_error_offsets_are_bytes_on_non_ascii_input() {
    let src = "é: ü\n b: 1\n  c: : :\n";
    let loaded = parse_yaml(src);
    assert!(loaded.failed);
    let at = loaded.problems[0].span.start;
    assert!(src.is_char_boundary(at) && at <= src.len());
}

#[test]
fn alias_bomb_is_refused() {
    let mut src = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (prev, next) in ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
        .iter()
        .zip(["b", "c", "d", "e", "f", "g", "h", "i", "j"])
    {
        let refs = vec![format!("*{prev}"); 10].join(", ");
        src.push_str(&format!("{next}: &{next} [{refs}]\n"));
    }
    let loaded = parse_yaml(&src);
    assert!(loaded.failed);
    assert!(loaded.documents.is_empty());
    assert!(loaded.problems[0].message.contains("alias bomb"));
}

#[test]
fn modest_aliases_are_fine() {
    let loaded = parse_yaml("a: &a [1, 2, 3]\nb: [*a, *a, *a]\n");
    assert!(!loaded.failed);
    let doc = &loaded.documents[0];
    assert_eq!(doc.items(doc.get(doc.root, "b").unwrap()).len(), 3);
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    let depth = 10_000;
    let src = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let loaded = parse_yaml(&src);
    assert!(loaded.failed);
    assert!(loaded.documents.is_empty());
    assert!(
        loaded.problems[0].message.contains("nests"),
        "{}",
        loaded.problems[0].message
    );
    let ok = format!("{}{}", "[".repeat(100), "]".repeat(100));
    assert!(!parse_yaml(&ok).failed);
}

#[test]
fn scalars_are_typed_like_kubernetes() {
    let loaded = parse_yaml("a: on\nb: \"on\"\nc: 0755\nd: 1.5\ne: 500m\nf: ~\n");
    let doc = &loaded.documents[0];
    let value = |k: &str| doc.scalar(doc.get(doc.root, k).unwrap()).unwrap().value();
    assert_eq!(value("a"), ScalarValue::Bool(true));
    assert_eq!(value("b"), ScalarValue::String);
    assert_eq!(value("c"), ScalarValue::Int(493));
    assert_eq!(value("d"), ScalarValue::Float(1.5));
    assert_eq!(value("e"), ScalarValue::String);
    assert_eq!(value("f"), ScalarValue::Null);
    // The raw text is kept, so `0755` can still be told from `493`.
    assert_eq!(
        doc.scalar(doc.get(doc.root, "c").unwrap()).unwrap().text,
        "0755"
    );
}

#[test]
fn go_template_braces_are_detected() {
    assert!(parse_yaml("image: {{ .Values.image }}\n").template_braces);
    assert!(!parse_yaml("name: '{{path.basename}}'\n").template_braces);
    assert!(!parse_yaml("labels: {a: b}\n").template_braces);
}

#[test]
fn spans_stop_before_trailing_comments() {
    let src = "a: \"x\\\"y\"  # c\nb: []  # d\nc: {k: 'it''s'}  # e\nd: &q 'v'  # f\n";
    let loaded = parse_yaml(src);
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    let doc = &loaded.documents[0];
    let at = |k: &str| text_at(src, doc.span(doc.get(doc.root, k).unwrap()));
    assert_eq!(at("a"), "\"x\\\"y\"");
    assert_eq!(at("b"), "[]");
    assert_eq!(at("c"), "{k: 'it''s'}");
    assert_eq!(at("d"), "&q 'v'");
}

#[test]
fn quoted_scalars_end_at_their_closing_quote() {
    // The parser's end marker runs over trailing spaces and comments; spans must not.
    let src = "a: \"x \\\" y\"  # a comment\nb: 'it''s'   # another\nc: \"multi\n  line\"  # c\n";
    let loaded = parse_yaml(src);
    let doc = &loaded.documents[0];
    let value = |key| text_at(src, doc.span(doc.get(doc.root, key).unwrap()));
    assert_eq!(value("a"), "\"x \\\" y\"");
    assert_eq!(value("b"), "'it''s'");
    assert_eq!(value("c"), "\"multi\n  line\"");
}

#[test]
fn scalar_texts_are_source_slices_or_arena_copies() {
    let src = "a: plain\nb: 'it''s'\nc: \"x\\ty\"\nd: &q 'q'  # c\ne: !!str 12\nf: |\n  block\n\
               g: multi\n  line\nh: \"\"\ni: é\n";
    let loaded = parse_yaml(src);
    assert!(loaded.problems.is_empty(), "{:?}", loaded.problems);
    let doc = &loaded.documents[0];
    let scalar = |k: &str| doc.scalar(doc.get(doc.root, k).unwrap()).unwrap();
    let texts: Vec<&str> = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
        .iter()
        .map(|k| scalar(k).text)
        .collect();
    assert_eq!(
        texts,
        [
            "plain",
            "it's",
            "x\ty",
            "q",
            "12",
            "block\n",
            "multi line",
            "",
            "é"
        ]
    );
    assert_eq!(scalar("e").tag, Some("tag:yaml.org,2002:str"));
    assert_eq!(scalar("e").value(), ScalarValue::String);
    assert_eq!(scalar("a").tag, None);
    assert_eq!(scalar("d").style, Style::SingleQuoted);
    assert_eq!(doc.scalar_text(doc.root), None);
}

#[test]
fn repaired_and_split_texts_keep_their_scalar_values() {
    // Re-indented lines shift the offsets of everything after them.
    let flow = "spec:\n  args: [\n   \"a b\", 'c',\n  d]\n  next: \"x\\ty\"\n  last: z\n";
    let shared: std::sync::Arc<str> = flow.into();
    assert!(
        parse_strict(flow, &shared).failed,
        "the repair is exercised"
    );
    let loaded = parse_yaml(flow);
    assert!(!loaded.failed, "{:?}", loaded.problems);
    let doc = &loaded.documents[0];
    let spec = doc.get(doc.root, "spec").unwrap();
    let args: Vec<&str> = doc
        .items(doc.get(spec, "args").unwrap())
        .iter()
        .map(|i| doc.scalar_text(*i).unwrap())
        .collect();
    assert_eq!(args, ["a b", "c", "d"]);
    assert_eq!(doc.get_str(spec, "next"), Some("x\ty"));
    assert_eq!(doc.get_str(spec, "last"), Some("z"));
    let last = doc.get(spec, "last").unwrap();
    assert_eq!(text_at(flow, doc.span(last)), "z");

    let stream = "{\"kind\": \"A\", \"n\": \"1\\n\"}\n{\"kind\": \"B\"}\n";
    let loaded = parse_yaml(stream);
    assert_eq!(loaded.documents.len(), 2);
    let kinds: Vec<&str> = loaded
        .documents
        .iter()
        .map(|d| d.get_str(d.root, "kind").unwrap())
        .collect();
    assert_eq!(kinds, ["A", "B"]);
    let first = &loaded.documents[0];
    assert_eq!(first.get_str(first.root, "n"), Some("1\n"));
}

/// Every node of a document, in order: its kind, span and scalar text.
fn shape(doc: &Document) -> Vec<NodeShape> {
    doc.node_ids()
        .map(|id| {
            let kind = match doc.kind(id) {
                NodeKind::Mapping(_) => "map".to_owned(),
                NodeKind::Sequence(_) => "seq".to_owned(),
                _ => "scalar".to_owned(),
            };
            (kind, doc.span(id), doc.scalar_text(id).map(str::to_owned))
        })
        .collect()
}

#[test]
fn documents_parsed_in_parts_are_the_documents_of_the_whole_text() {
    // Large enough to be parsed in parallel: 400 objects with a duplicate key (a problem with
    // a document index), non-ASCII text and a block scalar each.
    let mut text = String::new();
    let mut parts = Vec::new();
    for i in 0..400 {
        let start = text.len();
        if i > 0 {
            text.push_str("---\n");
        }
        text.push_str(&format!(
            "kind: ConfigMap\nmetadata:\n  name: c{i}\n  name: dup{i}\ndata:\n  note: \"é{i}\"\n  script: |\n    {}\n",
            "echo hello; ".repeat(250)
        ));
        parts.push((start, text.len()));
    }
    // Large enough, and documents large enough (over 2 KiB on average), to be split.
    assert!(text.len() > 256 * 1024 && text.len() / 400 > 2048);
    let source: Arc<str> = Arc::from(text.as_str());
    let whole = parse_source(&source);
    let split = parse_parts(&source, &parts);
    assert!(!whole.failed && !split.failed);
    assert_eq!(split.documents.len(), 400);
    assert_eq!(split.nodes, whole.nodes);
    for (a, b) in whole.documents.iter().zip(&split.documents) {
        assert_eq!(a.span, b.span);
        assert_eq!(a.root, b.root);
        assert_eq!(shape(a), shape(b));
    }
    let problems = |l: &Loaded| {
        l.problems
            .iter()
            .map(|p| (p.span, p.document, p.message.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(problems(&split).len(), 400);
    assert_eq!(problems(&split), problems(&whole));
    // Parts that do not cover the text are not trusted: the whole text is parsed.
    let fallback = parse_parts(&source, &parts[1..]);
    assert_eq!(fallback.documents.len(), 400);
}

/// A node's kind, span and scalar text.
type NodeShape = (String, Span, Option<String>);

/// The documents, node shapes and problems of a parse, to compare two parses.
type Outline = (
    bool,
    Vec<(Span, Vec<NodeShape>)>,
    Vec<(Span, Option<usize>, String)>,
);

fn parse_outline(loaded: &Loaded) -> Outline {
    (
        loaded.failed,
        loaded
            .documents
            .iter()
            .map(|d| (d.span, shape(d)))
            .collect(),
        loaded
            .problems
            .iter()
            .map(|p| (p.span, p.document, p.message.clone()))
            .collect(),
    )
}

#[test]
fn streams_split_at_their_document_lines_parse_as_the_whole_stream() {
    let cases = [
        "# header\n\n---\nkind: A\n---\nkind: B\n",
        "kind: A\n---\nkind: B\n# trailing\n",
        "a: |\n  text\n---\nb: 1\n",
        "--- |\nblock at column zero\n--- >\nfolded\n",
        "a: \"open\n---\n  quote\"\n---\nb: 1\n",
        "--- {a: 1}\n--- [1, 2]\n---\n",
        "---\n---\n---\nkind: C\n",
        "kind: A\r\n---\r\nkind: B\r\n",
        "a: &x 1\nb: *x\n---\nc: &x 2\nd: *x\n",
        "a: 1\na: 2\n---\nb: 1\nb: 2\n",
        "a: 1\n---#not a marker\n---\tb: 2\n",
        "a: [1, 2\n---\nb: 1\n",
        "a: 1\n---\nb: : :\n---\nc: 1\n",
        "---\nkind: A\n--- \nkind: B\n---",
        "a:\n---\nb:\n---\nc:\n",
        "a:\n  - x\n  -\n---\nb: 1\n",
        "a: 1\n---\nb: 1\n--- {c: 1,\n d: 2}\n",
        "a: 1\n--- {c: 1, c: 2}\n---\nd: 1\n",
    ];
    for text in cases {
        let source: Arc<str> = Arc::from(text);
        let whole = parse_source(&source);
        let Some(parts) = document_parts(text, usize::MAX) else {
            panic!("no parts for {text:?}");
        };
        // Every part its own chunk, and chunks of a few parts.
        for chunk in [1, 12] {
            let split = parse_parts_from(&source, &parts, 0, chunk);
            assert_eq!(parse_outline(&split), parse_outline(&whole), "{text:?}");
            assert_eq!(split.nodes, whole.nodes, "{text:?}");
        }
    }
    // Streams the lines cannot split: one document, directives, `...` ends.
    for text in [
        "kind: A\n",
        "%YAML 1.2\n---\na: 1\n---\nb: 1\n",
        "a: 1\n...\n---\nb: 1\n",
    ] {
        assert_eq!(document_parts(text, usize::MAX), None, "{text:?}");
    }
    // A comment-only header goes with the first document; content before `---` is one.
    assert_eq!(
        document_parts("# h\n---\na: 1\n---\nb: 1\n", usize::MAX),
        Some(vec![(0, 13), (13, 22)])
    );
    assert_eq!(
        document_parts("a: 1\n---\nb: 1\n", usize::MAX),
        Some(vec![(0, 5), (5, 14)])
    );
    // More parts than asked for: parsed whole.
    assert_eq!(document_parts("a: 1\n---\nb: 1\n---\nc: 1\n", 2), None);
}
