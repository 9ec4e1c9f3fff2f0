//! Provenance: which template text, action or values scalar each output byte came from.

use std::sync::Arc;

use super::*;
use crate::helm::value::{Origin, Provenance, Str};

fn values_str(text: &str, file: &str, offset: usize) -> Value {
    Value::Str(Str {
        text: Rc::from(text),
        provenance: Some(Rc::new(Provenance {
            chunks: vec![(
                0,
                Origin {
                    file: Arc::from(file),
                    offset,
                    literal: true,
                    value: None,
                },
            )],
        })),
    })
}

/// The origin of output byte `at`, with a literal origin advanced to that byte.
fn origin_at(r: &Rendered, at: usize) -> Origin {
    let idx = r.provenance.chunks.partition_point(|(s, _)| *s <= at);
    let (start, o) = &r.provenance.chunks[idx - 1];
    let mut o = o.clone();
    if o.literal {
        o.offset += at - start;
    }
    o
}

fn pos(text: &str, needle: &str) -> usize {
    text.find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in {text:?}"))
}

const X: &str = "c/templates/x.yaml";
const HELPERS: &str = "c/templates/_helpers.tpl";
const VALUES: &str = "c/values.yaml";

#[test]
fn text_values_and_an_included_helper() {
    let x =
        "kind: Pod\nimage: {{ .Values.image }}\nlabels:{{ include \"c.labels\" . | nindent 4 }}\n";
    let helpers = "{{- define \"c.labels\" -}}\napp: demo\ntier: web\n{{- end }}\n";
    let data = map(vec![(
        "Values",
        map(vec![("image", values_str("nginx", VALUES, 20))]),
    )]);
    let r = helm_render(&[(HELPERS, helpers), (X, x)], X, &data, false).unwrap();
    assert_eq!(
        r.text,
        "kind: Pod\nimage: nginx\nlabels:\n    app: demo\n    tier: web\n"
    );

    // Template text: copied verbatim from x.yaml.
    let o = origin_at(&r, pos(&r.text, "Pod"));
    assert_eq!((&*o.file, o.offset, o.literal), (X, pos(x, "Pod"), true));

    // A values string printed by an action: the action, and the values scalar.
    for k in 0..5 {
        let o = origin_at(&r, pos(&r.text, "nginx") + k);
        assert_eq!(
            (&*o.file, o.offset, o.literal),
            (X, pos(x, ".Values.image"), false)
        );
        let v = o.value.expect("values origin");
        assert_eq!((&*v.file, v.offset, v.literal), (VALUES, 20, true));
    }

    // The helper's text through include | nindent 4: the helper file's bytes.
    let o = origin_at(&r, pos(&r.text, "app: demo"));
    assert_eq!(
        (&*o.file, o.offset, o.literal),
        (HELPERS, pos(helpers, "app: demo"), true)
    );
    let o = origin_at(&r, pos(&r.text, "web"));
    assert_eq!(
        (&*o.file, o.offset, o.literal),
        (HELPERS, pos(helpers, "web"), true)
    );
    // The indentation nindent added: the include action.
    let o = origin_at(&r, pos(&r.text, "    tier"));
    assert_eq!(
        (&*o.file, o.offset, o.literal),
        (X, pos(x, "include"), false)
    );
    let o = origin_at(&r, pos(&r.text, "labels:") + "labels:".len());
    assert_eq!((&*o.file, o.offset), (X, pos(x, "include")));
    // The text after the action.
    let last = r.text.len() - 1;
    let o = origin_at(&r, last);
    assert_eq!((&*o.file, o.offset, o.literal), (X, x.len() - 1, true));
}

#[test]
fn tpl_text_maps_back_to_the_values_file() {
    let x = "name: {{ tpl .Values.t . }}\n";
    let data = map(vec![(
        "Values",
        map(vec![
            ("t", values_str("{{ .Values.n }}-svc", VALUES, 100)),
            ("n", values_str("demo", VALUES, 50)),
        ]),
    )]);
    let r = helm_render(&[(X, x)], X, &data, false).unwrap();
    assert_eq!(r.text, "name: demo-svc\n");
    // "-svc": tpl text, copied from the values file, printed by the tpl action.
    let o = origin_at(&r, pos(&r.text, "-svc"));
    assert_eq!((&*o.file, o.offset, o.literal), (X, pos(x, "tpl"), false));
    let v = o.value.unwrap();
    assert_eq!((&*v.file, v.offset, v.literal), (VALUES, 100 + 15, true));
    // "demo": the action inside the tpl text (in the values file), printing another value.
    let o = origin_at(&r, pos(&r.text, "demo"));
    assert_eq!((&*o.file, o.offset), (X, pos(x, "tpl")));
    let inner = o.value.unwrap();
    assert_eq!(
        (&*inner.file, inner.offset, inner.literal),
        (VALUES, 103, false)
    );
    let scalar = inner.value.unwrap();
    assert_eq!((&*scalar.file, scalar.offset), (VALUES, 50));
}

#[test]
fn removing_no_value_keeps_origins() {
    let x = "a{{ .Values.missing }}b";
    let r = helm_render(&[(X, x)], X, &map(vec![("Values", map(vec![]))]), false).unwrap();
    assert_eq!(r.text, "ab");
    let o = origin_at(&r, 1);
    assert_eq!((&*o.file, o.offset, o.literal), (X, x.len() - 1, true));
}

#[test]
fn trim_markers_give_post_trim_offsets() {
    let x = "a:   \n  {{- \" x\" }}\n  b";
    let r = helm_render(&[(X, x)], X, &Value::Nil, false).unwrap();
    assert_eq!(r.text, "a: x\n  b");
    assert_eq!(origin_at(&r, 0).offset, 0);
    let o = origin_at(&r, 2);
    assert_eq!((o.offset, o.literal), (pos(x, "\" x\""), false));
    let o = origin_at(&r, r.text.len() - 1);
    assert_eq!((o.offset, o.literal), (x.len() - 1, true));
}

#[test]
fn quoted_and_truncated_values_keep_their_origin() {
    let x = "a: {{ .Values.s | quote }}\nb: {{ .Values.s | trim }}\n";
    let data = map(vec![(
        "Values",
        map(vec![("s", values_str("  web  ", VALUES, 7))]),
    )]);
    let r = helm_render(&[(X, x)], X, &data, false).unwrap();
    assert_eq!(r.text, "a: \"  web  \"\nb: web\n");
    // The quote is the action's; the value inside it the values file's.
    let o = origin_at(&r, pos(&r.text, "\""));
    assert_eq!(
        (o.offset, o.value.is_none()),
        (pos(x, ".Values.s | quote"), true)
    );
    // The value's chunk starts at its first byte (the scalar's start, offset 7).
    let o = origin_at(&r, pos(&r.text, "\"  web") + 1);
    assert_eq!(o.offset, pos(x, ".Values.s | quote"));
    let v = o.value.unwrap();
    assert_eq!((&*v.file, v.offset, v.literal), (VALUES, 7, true));
    // trim: the remaining part of the value (its chunk starts 2 bytes into the scalar).
    let o = origin_at(&r, pos(&r.text, "b: web") + 3);
    assert_eq!(o.offset, pos(x, ".Values.s | trim"));
    assert_eq!(o.value.unwrap().offset, 9);
}
