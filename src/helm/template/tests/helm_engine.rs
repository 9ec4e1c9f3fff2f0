//! helm/helm v3.21 pkg/engine/engine_test.go, ported: the cases that need only the builtins,
//! `include`, `tpl`, `required`, `fail` and the small functions of `test_funcs` (`upper`,
//! `title`, `indent`, `quote`, `repeat`, `dict`). Not ported: TestSortTemplates (the chart
//! glue's ordering), TestRender/TestRenderNestedValues/TestRenderBuiltinValues/
//! TestRenderDependency/TestAllTemplates (chart values and Sprig's `toJson`, the chart glue's),
//! TestRenderWithDNS/ClientProvider (cluster access), TestParallelRenderInternals, lint mode.

use super::*;

fn vals(values: Value) -> Value {
    map(vec![("Values", values)])
}

fn release(values: Value) -> Value {
    map(vec![
        ("Values", values),
        ("Release", map(vec![("Name", s("TestRelease"))])),
    ])
}

fn render_one(name: &str, text: &str, data: &Value) -> Result<String, String> {
    helm_render(&[(name, text)], name, data, false)
        .map(|r| r.text)
        .map_err(|e| e.message)
}

#[test]
fn helm_parse_errors() {
    let e = render_one("undefined_function", "{{foo}}", &vals(map(vec![]))).unwrap_err();
    assert_eq!(
        e,
        r#"parse error at (undefined_function:1): function "foo" not defined"#
    );
}

#[test]
fn helm_exec_errors() {
    let v = vals(map(vec![]));
    for (name, tpl, want) in [
        (
            "missing_required",
            r#"{{required "foo is required" .Values.foo}}"#,
            "execution error at (missing_required:1:2): foo is required",
        ),
        (
            "missing_required_with_colons",
            r#"{{required ":this: message: has many: colons:" .Values.foo}}"#,
            "execution error at (missing_required_with_colons:1:2): :this: message: has many: colons:",
        ),
        (
            "issue6044",
            "{{ $someEmptyValue := \"\" }}\n{{ $myvar := \"abc\" }}\n{{- required (printf \"%s: something is missing\" $myvar) $someEmptyValue | repeat 0 }}",
            "execution error at (issue6044:3:4): abc: something is missing",
        ),
        (
            "issue9981",
            "{{required \"foo is required\\nmore info after the break\" .Values.foo}}",
            "execution error at (issue9981:1:2): foo is required\nmore info after the break",
        ),
        (
            "issue9981",
            "{{fail \"something is wrong\\nlinebreak\"}}",
            "execution error at (issue9981:1:2): something is wrong\nlinebreak",
        ),
        (
            "failtpl",
            r#"All your base are belong to us{{ fail "This is an error" }}"#,
            "execution error at (failtpl:1:33): This is an error",
        ),
    ] {
        assert_eq!(render_one(name, tpl, &v).unwrap_err(), want, "{tpl}");
    }
}

#[test]
fn helm_render_internals() {
    let v = map(vec![("Name", s("one")), ("Value", s("two"))]);
    let files = [
        ("one", "Hello {{title .Name}}"),
        ("two", "Goodbye {{upper .Value}}"),
        ("three", r#"{{template "two" dict "Value" "three"}}"#),
    ];
    for (name, want) in [
        ("one", "Hello One"),
        ("two", "Goodbye TWO"),
        ("three", "Goodbye THREE"),
    ] {
        assert_eq!(helm_render(&files, name, &v, false).unwrap().text, want);
    }
}

#[test]
fn helm_include_and_nested_reference() {
    let v = map(vec![
        ("Values", s("")),
        ("Release", map(vec![("Name", s("Mistah Kurtz"))])),
    ]);
    let files = [
        (
            "conrad/templates/quote",
            r#"{{include "conrad/templates/_partial" . | indent 2}} dead."#,
        ),
        ("conrad/templates/_partial", "{{.Release.Name}} - he"),
    ];
    assert_eq!(
        helm_render(&files, "conrad/templates/quote", &v, false)
            .unwrap()
            .text,
        "  Mistah Kurtz - he dead."
    );
    let nested = [(
        "nested/templates/quote",
        r#"{{include "nested/templates/quote" . | indent 2}} dead."#,
    )];
    let e = helm_render(&nested, "nested/templates/quote", &v, false).unwrap_err();
    assert!(
        e.message.ends_with("rendering template has a nested reference name: nested/templates/quote: unable to execute template"),
        "{}",
        e.message
    );
}

#[test]
fn helm_required() {
    let v = map(vec![(
        "Values",
        map(vec![("who", s("us")), ("bases", i(2))]),
    )]);
    assert_eq!(
        render_one(
            "quote",
            r#"All your base are belong to {{ required "A valid 'who' is required" .Values.who }}"#,
            &v
        )
        .unwrap(),
        "All your base are belong to us"
    );
    assert_eq!(
        render_one(
            "bases",
            r#"All {{ required "A valid 'bases' is required" .Values.bases }} of them!"#,
            &v
        )
        .unwrap(),
        "All 2 of them!"
    );
}

#[test]
fn helm_tpl() {
    let v = release(map(vec![("value", s("myvalue"))]));
    assert_eq!(
        render_one(
            "base",
            r#"Evaluate tpl {{tpl "Value: {{ .Values.value}}" .}}"#,
            &v
        )
        .unwrap(),
        "Evaluate tpl Value: myvalue"
    );
    assert_eq!(
        render_one(
            "base",
            r#"Evaluate tpl {{tpl "Value: {{ .Values.value | quote}}" .}}"#,
            &v
        )
        .unwrap(),
        "Evaluate tpl Value: \"myvalue\""
    );
    // TestAlterFuncMap_tplinclude: .Template.Name is the caller's (the glue sets it in data).
    let mut with_template = release(map(vec![("value", s("myvalue"))]));
    if let Value::Map(m) = &mut with_template {
        m.borrow_mut().insert(
            "Template".to_owned(),
            map(vec![("Name", s("TplFunction/templates/base"))]),
        );
    }
    let files = [
        (
            "TplFunction/templates/base",
            "{{ tpl \"{{include `TplFunction/templates/_partial` .  | quote }}\" .}}",
        ),
        ("TplFunction/templates/_partial", "{{.Template.Name}}"),
    ];
    assert_eq!(
        helm_render(&files, "TplFunction/templates/base", &with_template, false)
            .unwrap()
            .text,
        "\"TplFunction/templates/base\""
    );
}

#[test]
fn helm_recursion_limit() {
    let v = release(s(""));
    let files = [
        ("bad/templates/base", r#"{{include "recursion" . }}"#),
        (
            "bad/templates/recursion",
            r#"{{define "recursion"}}{{include "recursion" . }}{{end}}"#,
        ),
    ];
    let e = helm_render(&files, "bad/templates/base", &v, false).unwrap_err();
    assert!(
        e.message.ends_with(
            "rendering template has a nested reference name: recursion: unable to execute template"
        ),
        "{}",
        e.message
    );
    // Calling the same template many times is fine.
    let phrase = "All work and no play makes Jack a dull boy";
    let func = format!(r#"{{{{define "overlook"}}}}{{{{printf "{phrase}\n"}}}}{{{{end}}}}"#);
    let repeated = r#"{{include "overlook" . }}"#.repeat(4000);
    let files = [
        ("overlook/templates/quote", repeated.as_str()),
        ("overlook/templates/_function", func.as_str()),
    ];
    let out = helm_render(&files, "overlook/templates/quote", &v, false).unwrap();
    assert_eq!(out.text, format!("{phrase}\n").repeat(4000));
}

/// `.Files` for TestRenderLoadTemplateForTplFromFile.
struct Files(Vec<(&'static str, &'static str)>);

impl Object for Files {
    fn type_name(&self) -> &'static str {
        "engine.files"
    }
    fn field(&self, _: &str) -> Option<Value> {
        None
    }
    fn call(&self, method: &str, args: &[Value]) -> Option<Result<Value, String>> {
        (method == "Get").then(|| {
            let name = args.first().and_then(Value::as_str).unwrap_or("");
            Ok(s(self
                .0
                .iter()
                .find(|(n, _)| *n == name)
                .map_or("", |(_, d)| d)))
        })
    }
    fn display(&self) -> String {
        "map[]".to_owned()
    }
}

#[test]
fn helm_tpl_from_file() {
    let files_obj = Value::Object(Rc::new(Files(vec![
        ("test", "{{ tpl (.Files.Get .Values.filename2) .}}"),
        (
            "test2",
            r#"{{include "test-function" .}}{{define "nested-define"}}nested-define-content{{end}} {{include "nested-define" .}}"#,
        ),
    ])));
    let v = map(vec![
        (
            "Values",
            map(vec![("filename", s("test")), ("filename2", s("test2"))]),
        ),
        ("Files", files_obj),
    ]);
    let files = [
        (
            "TplLoadFromFile/templates/base",
            "{{ tpl (.Files.Get .Values.filename) . }}",
        ),
        (
            "TplLoadFromFile/templates/_function",
            r#"{{define "test-function"}}test-function{{end}}"#,
        ),
    ];
    assert_eq!(
        helm_render(&files, "TplLoadFromFile/templates/base", &v, false)
            .unwrap()
            .text,
        "test-function nested-define-content"
    );
}

#[test]
fn helm_tpl_empty() {
    let v = release(map(vec![]));
    for t in [
        r#"{{tpl "" .}}"#,
        r#"{{tpl "{{ \"\"}}" .}}"#,
        r#"{{tpl "{{define \"not-invoked\"}}not-rendered{{end}}" .}}"#,
    ] {
        assert_eq!(render_one("x", t, &v).unwrap(), "", "{t}");
    }
}

#[test]
fn helm_tpl_template_names() {
    let dot = map(vec![(
        "Template",
        map(vec![
            ("BasePath", s("path/to/template")),
            ("Name", s("name-of-template")),
            ("Field", s("extra-field")),
        ]),
    )]);
    let v = map(vec![
        ("Values", map(vec![("dot", dot)])),
        (
            "Template",
            map(vec![
                ("Name", s("TplTemplateNames/templates/default-name")),
                ("BasePath", s("TplTemplateNames/templates")),
            ]),
        ),
    ]);
    for (t, want) in [
        (
            r#"{{tpl "{{ .Template.BasePath }}" .}}"#,
            "TplTemplateNames/templates",
        ),
        (
            r#"{{tpl "{{ .Template.Name }}" .}}"#,
            "TplTemplateNames/templates/default-name",
        ),
        (
            r#"{{tpl "{{ .Template.BasePath }}" .Values.dot}}"#,
            "path/to/template",
        ),
        (
            r#"{{tpl "{{ .Template.Name }}" .Values.dot}}"#,
            "name-of-template",
        ),
        (
            r#"{{tpl "{{ .Template.Field }}" .Values.dot}}"#,
            "extra-field",
        ),
    ] {
        assert_eq!(render_one("x", t, &v).unwrap(), want, "{t}");
    }
}

#[test]
fn helm_tpl_redefines() {
    let v = map(vec![(
        "Values",
        map(vec![
            (
                "partialText",
                s(r#"{{define "partial"}}redefined-in-tpl{{end}}tpl: {{include "partial" .}}"#),
            ),
            (
                "manifestText",
                s(r#"{{define "manifest"}}redefined-in-tpl{{end}}tpl: {{include "manifest" .}}"#),
            ),
            (
                "manifestOnlyText",
                s(r#"tpl: {{include "manifest-only" .}}"#),
            ),
            (
                "nestedText",
                s(concat!(
                    r#"{{define "nested"}}redefined-in-tpl{{end}}"#,
                    r#"{{define "nested-outer"}}redefined-outer-in-tpl{{end}}"#,
                    r#"before-inner-tpl: {{include "nested" .}} {{include "nested-outer" . }}\n"#,
                    r#"{{tpl .Values.innerText .}}\n"#,
                    r#"after-inner-tpl: {{include "nested" .}} {{include "nested-outer" . }}"#
                )),
            ),
            (
                "innerText",
                s(
                    r#"{{define "nested"}}redefined-in-inner-tpl{{end}}inner-tpl: {{include "nested" .}} {{include "nested-outer" . }}"#,
                ),
            ),
        ]),
    )]);
    let files = [
        (
            "TplRedefines/templates/_partials",
            r#"{{define "partial"}}original-in-partial{{end}}"#,
        ),
        (
            "TplRedefines/templates/partial",
            r#"before: {{include "partial" .}}\n{{tpl .Values.partialText .}}\nafter: {{include "partial" .}}"#,
        ),
        (
            "TplRedefines/templates/manifest",
            concat!(
                r#"{{define "manifest"}}original-in-manifest{{end}}"#,
                r#"before: {{include "manifest" .}}\n{{tpl .Values.manifestText .}}\nafter: {{include "manifest" .}}"#
            ),
        ),
        (
            "TplRedefines/templates/manifest-only",
            concat!(
                r#"{{define "manifest-only"}}only-in-manifest{{end}}"#,
                r#"before: {{include "manifest-only" .}}\n{{tpl .Values.manifestOnlyText .}}\nafter: {{include "manifest-only" .}}"#
            ),
        ),
        (
            "TplRedefines/templates/nested",
            concat!(
                r#"{{define "nested"}}original-in-manifest{{end}}"#,
                r#"{{define "nested-outer"}}original-outer-in-manifest{{end}}"#,
                r#"before: {{include "nested" .}} {{include "nested-outer" .}}\n"#,
                r#"{{tpl .Values.nestedText .}}\n"#,
                r#"after: {{include "nested" .}} {{include "nested-outer" .}}"#
            ),
        ),
    ];
    for (name, want) in [
        (
            "TplRedefines/templates/partial",
            r"before: original-in-partial\ntpl: redefined-in-tpl\nafter: original-in-partial",
        ),
        (
            "TplRedefines/templates/manifest",
            r"before: original-in-manifest\ntpl: redefined-in-tpl\nafter: original-in-manifest",
        ),
        (
            "TplRedefines/templates/manifest-only",
            r"before: only-in-manifest\ntpl: only-in-manifest\nafter: only-in-manifest",
        ),
        (
            "TplRedefines/templates/nested",
            concat!(
                r"before: original-in-manifest original-outer-in-manifest\n",
                r"before-inner-tpl: redefined-in-tpl redefined-outer-in-tpl\n",
                r"inner-tpl: redefined-in-inner-tpl redefined-outer-in-tpl\n",
                r"after-inner-tpl: redefined-in-tpl redefined-outer-in-tpl\n",
                r"after: original-in-manifest original-outer-in-manifest"
            ),
        ),
    ] {
        assert_eq!(
            helm_render(&files, name, &v, false).unwrap().text,
            want,
            "{name}"
        );
    }
}

#[test]
fn helm_tpl_missing_key() {
    let v = release(map(vec![]));
    let t = r#"missingValue: {{tpl "{{.Values.noSuchKey}}" .}}"#;
    assert_eq!(render_one("m", t, &v).unwrap(), "missingValue: ");
    let e = helm_render(&[("m", t)], "m", &v, true).unwrap_err();
    assert!(e.message.contains("noSuchKey"), "{}", e.message);
}

/// TestRenderRefsOrdering: the parent chart's templates are parsed last; its `define` wins.
#[test]
fn helm_refs_ordering() {
    let files = [
        (
            "parent/charts/child/templates/_helpers.tpl",
            r#"{{- define "test" -}}child value{{- end -}}"#,
        ),
        (
            "parent/templates/_helpers.tpl",
            r#"{{- define "test" -}}parent value{{- end -}}"#,
        ),
        (
            "parent/templates/test.yaml",
            r#"{{ tpl "{{ include \"test\" . }}" . }}"#,
        ),
    ];
    let out = helm_render(&files, "parent/templates/test.yaml", &map(vec![]), false).unwrap();
    assert_eq!(out.text, "parent value");
}

/// Helm's non-strict mode: a missing key prints `<no value>`, which Helm removes from the
/// output; a field of a missing key is Go's nil-pointer error.
#[test]
fn helm_missing_keys() {
    let v = vals(map(vec![("a", map(vec![]))]));
    assert_eq!(
        render_one("t", "x: {{ .Values.nope }}.", &v).unwrap(),
        "x: ."
    );
    let e = render_one("t", "x: {{ .Values.nope.deeper }}", &v).unwrap_err();
    assert_eq!(
        e,
        r#"template: t:1:13: executing "t" at <.Values.nope.deeper>: nil pointer evaluating interface {}.deeper"#
    );
    // A variable holding a missing value is not a nil interface (the pipeline took it out).
    assert_eq!(
        render_one("t", "{{ $x := .Values.nope }}{{ $x.y }}", &v).unwrap(),
        ""
    );
    // Comparing a values number (float64) with an int literal is Go's type error.
    let v = vals(map(vec![("replicas", Value::Float(3.0))]));
    let e = render_one("t", "{{ if eq .Values.replicas 3 }}x{{ end }}", &v).unwrap_err();
    assert!(
        e.ends_with("error calling eq: incompatible types for comparison: float64 and int"),
        "{e}"
    );
    // A field of a value that is not a map.
    let e = render_one("t", "{{ .Values.replicas.x }}", &v).unwrap_err();
    assert!(
        e.ends_with("can't evaluate field x in type interface {}"),
        "{e}"
    );
    // Undefined include.
    let e = render_one("t", r#"{{ include "nope" . }}"#, &v).unwrap_err();
    assert_eq!(
        e,
        r#"template: t:1:3: executing "t" at <include "nope" .>: error calling include: template: no template "nope" associated with template "gotpl""#
    );
}

#[test]
fn helm_fail_inside_include_names_the_outer_call() {
    let files = [
        ("c/templates/x.yaml", "a: 1\nb: {{ include \"h\" . }}\n"),
        (
            "c/templates/_h.tpl",
            "{{ define \"h\" }}{{ fail \"boom\" }}{{ end }}",
        ),
    ];
    let e = helm_render(&files, "c/templates/x.yaml", &map(vec![]), false).unwrap_err();
    assert_eq!(
        e.message,
        "execution error at (c/templates/x.yaml:2:6): boom"
    );
    let o = e.origin.unwrap();
    assert_eq!((&*o.file, o.offset), ("c/templates/x.yaml", 11));
    // The failing action itself, inside the helper.
    let inner = e.inner.unwrap();
    assert_eq!((&*inner.file, inner.offset), ("c/templates/_h.tpl", 19));
}

#[test]
fn a_function_used_as_an_argument_is_the_error_context() {
    let e = go_run("t", "{{ print 1 (die) }}", &Value::Nil).unwrap_err();
    assert_eq!(
        e,
        r#"template: t:1:12: executing "t" at <die>: error calling die: die"#
    );
    let e = go_run("t", "{{ print 1 die }}", &Value::Nil).unwrap_err();
    assert_eq!(
        e,
        r#"template: t:1:11: executing "t" at <die>: error calling die: die"#
    );
}

/// The set's rule: a later definition replaces an earlier one, an empty one never replaces a
/// defined one, and one file defining a name twice is Go's parse error.
#[test]
fn definitions_parsed_later_win() {
    let files = [
        (
            "c/charts/sub/templates/_h.tpl",
            r#"{{define "x"}}sub{{end}}"#,
        ),
        ("c/templates/_h.tpl", r#"{{define "x"}}parent{{end}}"#),
        (
            "c/templates/_empty.tpl",
            "{{define \"x\"}} {{/* nothing */}} {{end}}",
        ),
        ("c/templates/a.yaml", r#"{{include "x" .}}"#),
    ];
    let out = helm_render(&files, "c/templates/a.yaml", &Value::Nil, false).unwrap();
    assert_eq!(out.text, "parent");
    let e = helm_render(
        &[(
            "c/templates/b.yaml",
            r#"{{define "y"}}1{{end}}{{define "y"}}2{{end}}"#,
        )],
        "c/templates/b.yaml",
        &Value::Nil,
        false,
    )
    .unwrap_err();
    assert_eq!(
        e.message,
        r#"parse error at (c/templates/b.yaml:1): multiple definition of template "y""#
    );
    // Executing a name the set does not have.
    let e = helm_render(&files, "c/templates/none.yaml", &Value::Nil, false).unwrap_err();
    assert_eq!(
        e.message,
        r#"template: no template "c/templates/none.yaml" associated with template "gotpl""#
    );
}

/// Parse errors carry the position of the token the message names.
#[test]
fn parse_error_origin() {
    let e = helm_render(
        &[("c/t.yaml", "a: 1\nb: {{ if }}\n")],
        "c/t.yaml",
        &Value::Nil,
        false,
    )
    .unwrap_err();
    assert_eq!(
        e.message,
        r#"parse error at (c/t.yaml:2): missing value for if"#
    );
    let o = e.origin.unwrap();
    assert_eq!((&*o.file, o.offset), ("c/t.yaml", 14));
    // Go accepts a trailing pipe.
    assert!(
        helm_render(
            &[("c/t.yaml", "{{ .x | }}")],
            "c/t.yaml",
            &Value::Nil,
            false
        )
        .is_ok()
    );
}

#[test]
fn range_over_a_string_is_reported_at_the_field() {
    let v = vals(map(vec![("hosts", s("a,b"))]));
    let e = render_one("t", "x\n{{ range .Values.hosts }}{{ . }}{{ end }}", &v).unwrap_err();
    assert_eq!(
        e,
        r#"template: t:2:16: executing "t" at <.Values.hosts>: range can't iterate over a,b"#
    );
}
