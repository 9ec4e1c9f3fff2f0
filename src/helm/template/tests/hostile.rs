//! Hostile input: every recursion and loop is bounded, each limit a clear error. The deep
//! tests run on a thread with the default 2 MiB stack of a spawned thread.

use super::*;

fn on_small_stack<F: FnOnce() + Send + 'static>(f: F) {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

fn render(text: &str, data: &Value, opts: &ExecOptions) -> Result<String, TemplateError> {
    let mut t = Templates::with_funcs(test_funcs);
    t.parse("t", text)?;
    t.execute("t", data, opts).map(|r| r.text)
}

#[test]
fn recursion_through_template_include_and_tpl_stops() {
    on_small_stack(|| {
        let d = ExecOptions::default();
        let e = render(
            r#"{{define "r"}}{{template "r" .}}{{end}}{{template "r" .}}"#,
            &Value::Nil,
            &d,
        )
        .unwrap_err();
        assert!(
            e.message.contains("exceeded maximum template depth (100)"),
            "{}",
            e.message
        );
        // Mutual recursion through include, with nesting inside each level.
        let e = render(
            r#"{{define "a"}}{{if true}}{{with .}}{{range .}}{{include "b" $}}{{end}}{{end}}{{end}}{{end}}{{define "b"}}{{include "a" .}}{{end}}{{include "a" .}}"#,
            &list(vec![i(1)]),
            &d,
        )
        .unwrap_err();
        assert!(
            e.message.contains("template nesting too deep")
                || e.message.contains("nested reference name"),
            "{}",
            e.message
        );
        // A values string that tpl's itself.
        let data = map(vec![("t", s("{{ tpl .t . }}"))]);
        let e = render("{{ tpl .t . }}", &data, &d).unwrap_err();
        assert!(
            e.message.contains("exceeded maximum template depth")
                || e.message.contains("template nesting too deep"),
            "{}",
            e.message
        );
    });
}

#[test]
fn deep_nesting_is_a_parse_error() {
    on_small_stack(|| {
        let n = parse::MAX_NESTING + 1;
        let text = format!("{}x{}", "{{if true}}".repeat(n), "{{end}}".repeat(n));
        let e = render(&text, &Value::Nil, &ExecOptions::default()).unwrap_err();
        assert!(
            e.message.contains("max nesting depth exceeded"),
            "{}",
            e.message
        );
        let n = parse::MAX_NESTING - 1;
        let text = format!("{}x{}", "{{with 1}}".repeat(n), "{{end}}".repeat(n));
        assert_eq!(
            render(&text, &Value::Nil, &ExecOptions::default()).unwrap(),
            "x"
        );
        // Deep parentheses.
        let text = format!("{{{{ {}1{} }}}}", "(".repeat(10_000), ")".repeat(10_000));
        let e = render(&text, &Value::Nil, &ExecOptions::default()).unwrap_err();
        assert!(
            e.message.contains("max expression depth exceeded"),
            "{}",
            e.message
        );
        // A long else-if chain within the limit runs.
        let mut text = String::from("{{if eq . 0}}0");
        for k in 1..90 {
            text.push_str(&format!("{{{{else if eq . {k}}}}}{k}"));
        }
        text.push_str("{{end}}");
        assert_eq!(
            render(&text, &i(89), &ExecOptions::default()).unwrap(),
            "89"
        );
    });
}

#[test]
fn huge_loops_stop_at_the_step_limit() {
    let opts = ExecOptions {
        max_steps: 100_000,
        ..ExecOptions::default()
    };
    let e = render("{{ range 100000000 }}{{ end }}", &Value::Nil, &opts).unwrap_err();
    assert!(e.message.contains("exceeds 100000 steps"), "{}", e.message);
    let e = render(
        "{{ range $i := 100000000 }}{{ range 100000000 }}x{{ end }}{{ end }}",
        &Value::Nil,
        &opts,
    )
    .unwrap_err();
    assert!(e.message.contains("steps"), "{}", e.message);
}

#[test]
fn output_is_capped() {
    let opts = ExecOptions {
        max_output: 1 << 20,
        ..ExecOptions::default()
    };
    // Each define doubles the previous one: 2^40 bytes if nothing stopped it.
    let mut text = String::from(r#"{{define "a0"}}xxxxxxxxxxxxxxxx{{end}}"#);
    for k in 1..=40 {
        text.push_str(&format!(
            r#"{{{{define "a{k}"}}}}{{{{include "a{p}" .}}}}{{{{include "a{p}" .}}}}{{{{end}}}}"#,
            p = k - 1
        ));
    }
    text.push_str(r#"{{include "a40" .}}"#);
    let e = render(&text, &Value::Nil, &opts).unwrap_err();
    assert!(
        e.message.contains("rendered output exceeds 1048576 bytes"),
        "{}",
        e.message
    );
}

/// Strings built from strings stay within the functions' 16 MiB limit: `cat`, `quote` and
/// `b64enc` of what `repeat` built (each under the limit) fail with the limit's error instead
/// of allocating gigabytes.
#[test]
fn strings_built_from_big_strings_stop_at_the_limit() {
    let opts = ExecOptions::default();
    let run = |text: &str| {
        let mut t = Templates::with_funcs(crate::helm::funcs::lookup);
        t.parse("t", text).unwrap();
        t.execute("t", &Value::Nil, &opts).map(|r| r.text)
    };
    for (text, name) in [
        (
            r#"{{ $a := repeat 6000000 "x" }}{{ $b := cat $a $a $a $a $a $a $a $a $a $a }}{{ cat $b $b $b $b $b $b $b $b $b $b | len }}"#,
            "cat",
        ),
        (
            r#"{{ $a := repeat 6000000 "x" }}{{ quote $a $a $a | len }}"#,
            "quote",
        ),
        (
            r#"{{ $a := repeat 6000000 "x" }}{{ squote $a $a $a | len }}"#,
            "squote",
        ),
        (
            r#"{{ $b := repeat 15000000 "x" }}{{ range until 20 }}{{ $b = b64enc $b }}{{ end }}{{ len $b }}"#,
            "b64enc",
        ),
    ] {
        let e = run(text).unwrap_err();
        assert!(
            e.message.contains(&format!("error calling {name}"))
                && e.message.contains("more than the limit of 16777216"),
            "{name}: {}",
            e.message
        );
    }
    // Under the limit all of them work.
    assert_eq!(
        run(r#"{{ $a := repeat 1000 "x" }}{{ cat $a $a | len }} {{ quote $a | len }} {{ b64enc $a | len }}"#)
            .unwrap(),
        "2001 1002 1336"
    );
}

#[test]
fn a_map_holding_itself_prints() {
    let m = map(vec![]);
    if let Value::Map(inner) = &m {
        inner.borrow_mut().insert("self".to_owned(), m.clone());
    }
    let out = render(
        "{{ . }}{{ range . }}{{ end }}{{ .self.self.self }}",
        &m,
        &ExecOptions::default(),
    )
    .unwrap();
    assert!(out.contains("..."));
    if let Value::Map(inner) = &m {
        inner.borrow_mut().clear();
    }
}

#[test]
fn bad_utf8_free_inputs_do_not_panic() {
    // Odd inputs to the lexer and parser: errors, not panics.
    for text in [
        "{{",
        "{{-",
        "{{- ",
        "{{/*",
        "{{/**/",
        "{{ \"\\",
        "{{ '",
        "{{ `",
        "{{ 0x",
        "{{ 1e",
        "{{ $",
        "{{ .",
        "{{ (",
        "{{ ) }}",
        "{{ | }}",
        "{{ : }}",
        "{{ := }}",
        "{{ é }}",
        "{{ \u{1} }}",
        "}}{{",
        "{{ -}}",
        "{{- -}}",
        "{{ .a.b.c.d | x }}",
        "{{ 'ab' }}",
        "{{ '\\u12' }}",
        "{{ \"\\x\" }}",
        "{{ 1.2.3 }}",
        "{{ 0x1p }}",
        "{{ 0b102 }}",
        "{{ 08 }}",
        "{{ 1_ }}",
        "{{ _1 }}",
        "{{ +_1 }}",
    ] {
        let _ = render(text, &Value::Nil, &ExecOptions::default());
    }
}

#[test]
fn worst_case_nesting_inside_deep_recursion() {
    // Each include level nests as deep as the parser allows, with the deepest parentheses
    // inside: the nesting budget stops it within a 2 MiB stack (debug build).
    let n = parse::MAX_NESTING - 1;
    let parens = parse::MAX_PAREN_DEPTH - 1;
    for body in [
        format!(
            "{}{{{{include \"a\" $}}}}{}",
            "{{with 1}}".repeat(n),
            "{{end}}".repeat(n)
        ),
        format!(
            "{}{{{{include \"a\" $}}}}{}",
            "{{range 1}}".repeat(n),
            "{{end}}".repeat(n)
        ),
        format!(
            "{{{{ print {}(include \"a\" $){} }}}}",
            "(print ".repeat(parens),
            ")".repeat(parens)
        ),
        format!(
            "{}{{{{ print {}(include \"a\" $){} }}}}{}",
            "{{if true}}".repeat(n / 2),
            "(print ".repeat(parens / 2),
            ")".repeat(parens / 2),
            "{{end}}".repeat(n / 2)
        ),
    ] {
        let text = format!(r#"{{{{define "a"}}}}{body}{{{{end}}}}{{{{include "a" .}}}}"#);
        // The same through tpl: parsing while the executor's stack is deep.
        let through_tpl = format!(
            r#"{{{{define "a"}}}}{{{{ tpl $.t $ }}}}{body}{{{{end}}}}{{{{include "a" .}}}}"#
        );
        let tpl_body = body.clone();
        on_small_stack(move || {
            let data = map(vec![("t", s(&tpl_body))]);
            let e = render(&through_tpl, &data, &ExecOptions::default()).unwrap_err();
            assert!(
                e.message.contains("template nesting too deep") || e.message.contains("max "),
                "{}",
                e.message
            );
        });
        on_small_stack(move || {
            let e = render(&text, &Value::Nil, &ExecOptions::default()).unwrap_err();
            assert!(
                e.message.contains("template nesting too deep"),
                "{}",
                e.message
            );
        });
    }
}

/// Every template file of the shared oracle and corpus charts parses (any function name
/// accepted): the lexer and parser on real-world templates. Skipped when ../shared is absent.
#[test]
fn real_chart_templates_parse() {
    // ../shared from the main checkout; a worktree under /work/wt/<name> finds it one level up.
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let Some(root) = [manifest.join("../shared"), manifest.join("../../shared")]
        .into_iter()
        .find(|p| p.is_dir())
    else {
        eprintln!("skipped: ../shared is absent");
        return;
    };
    let mut files = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.components().any(|c| c.as_os_str() == "templates")
                && p.extension()
                    .is_some_and(|x| x == "yaml" || x == "tpl" || x == "yml" || x == "txt")
            {
                files.push(p);
            }
        }
    }
    let mut failures = Vec::new();
    for p in &files {
        let Ok(text) = std::fs::read_to_string(p) else {
            continue;
        };
        if let Err((e, _)) = parse::parse("t", &text, &|_| true) {
            failures.push(format!("{}: {e}", p.display()));
        }
    }
    eprintln!(
        "parsed {} template files, {} failed",
        files.len(),
        failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn tpl_of_a_large_text_in_a_loop_reaches_the_step_limit() {
    let opts = ExecOptions {
        max_steps: 1_000_000,
        ..ExecOptions::default()
    };
    let data = map(vec![("big", s(&"x".repeat(1 << 20)))]);
    // The body prints nothing: only the parsing work counts.
    let e = render(
        "{{ range 100000 }}{{ $x := tpl $.big $ }}{{ end }}",
        &data,
        &opts,
    )
    .unwrap_err();
    assert!(e.message.contains("steps"), "{}", e.message);
    // The message quotes the tpl text cut short.
    assert!(e.message.len() < 1000, "{}", e.message.len());
}
