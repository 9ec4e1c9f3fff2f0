//! Go's text/template/parse parse_test.go, ported: `parseTests` (the tree printed back),
//! `errorTests` (message contains), `numberTests`, `isEmptyTests`, TestBlock,
//! TestKeywordsAndFuncs. (The depth tests use our limit, not Go's test-only limit of 3.)

use super::*;
use crate::helm::template::lex::Kind;

fn go_builtins(n: &str) -> bool {
    n == "printf" || n == "contains"
}

fn parse_string(name: &str, input: &str) -> Result<String, String> {
    let trees = parse::parse(name, input, &go_builtins).map_err(|(e, _)| e)?;
    Ok(list_string(&trees[name].root))
}

const PARSE_TESTS: &[(&str, &str, bool, &str)] = &[
    ("empty", "", true, ""),
    ("comment", "{{/*\n\n\n*/}}", true, ""),
    ("spaces", " \t\n", true, "\" \\t\\n\""),
    ("text", "some text", true, "\"some text\""),
    ("emptyAction", "{{}}", false, "{{}}"),
    ("field", "{{.X}}", true, "{{.X}}"),
    ("simple command", "{{printf}}", true, "{{printf}}"),
    ("$ invocation", "{{$}}", true, "{{$}}"),
    (
        "variable invocation",
        "{{with $x := 3}}{{$x 23}}{{end}}",
        true,
        "{{with $x := 3}}{{$x 23}}{{end}}",
    ),
    ("variable with fields", "{{$.I}}", true, "{{$.I}}"),
    (
        "multi-word command",
        "{{printf `%d` 23}}",
        true,
        "{{printf `%d` 23}}",
    ),
    ("pipeline", "{{.X|.Y}}", true, "{{.X | .Y}}"),
    (
        "pipeline with decl",
        "{{$x := .X|.Y}}",
        true,
        "{{$x := .X | .Y}}",
    ),
    (
        "nested pipeline",
        "{{.X (.Y .Z) (.A | .B .C) (.E)}}",
        true,
        "{{.X (.Y .Z) (.A | .B .C) (.E)}}",
    ),
    (
        "field applied to parentheses",
        "{{(.Y .Z).Field}}",
        true,
        "{{(.Y .Z).Field}}",
    ),
    (
        "simple if",
        "{{if .X}}hello{{end}}",
        true,
        "{{if .X}}\"hello\"{{end}}",
    ),
    (
        "if with else",
        "{{if .X}}true{{else}}false{{end}}",
        true,
        "{{if .X}}\"true\"{{else}}\"false\"{{end}}",
    ),
    (
        "if with else if",
        "{{if .X}}true{{else if .Y}}false{{end}}",
        true,
        "{{if .X}}\"true\"{{else}}{{if .Y}}\"false\"{{end}}{{end}}",
    ),
    (
        "if else chain",
        "+{{if .X}}X{{else if .Y}}Y{{else if .Z}}Z{{end}}+",
        true,
        "\"+\"{{if .X}}\"X\"{{else}}{{if .Y}}\"Y\"{{else}}{{if .Z}}\"Z\"{{end}}{{end}}{{end}}\"+\"",
    ),
    (
        "simple range",
        "{{range .X}}hello{{end}}",
        true,
        "{{range .X}}\"hello\"{{end}}",
    ),
    (
        "chained field range",
        "{{range .X.Y.Z}}hello{{end}}",
        true,
        "{{range .X.Y.Z}}\"hello\"{{end}}",
    ),
    (
        "nested range",
        "{{range .X}}hello{{range .Y}}goodbye{{end}}{{end}}",
        true,
        "{{range .X}}\"hello\"{{range .Y}}\"goodbye\"{{end}}{{end}}",
    ),
    (
        "range with else",
        "{{range .X}}true{{else}}false{{end}}",
        true,
        "{{range .X}}\"true\"{{else}}\"false\"{{end}}",
    ),
    (
        "range over pipeline",
        "{{range .X|.M}}true{{else}}false{{end}}",
        true,
        "{{range .X | .M}}\"true\"{{else}}\"false\"{{end}}",
    ),
    (
        "range []int",
        "{{range .SI}}{{.}}{{end}}",
        true,
        "{{range .SI}}{{.}}{{end}}",
    ),
    (
        "range 1 var",
        "{{range $x := .SI}}{{.}}{{end}}",
        true,
        "{{range $x := .SI}}{{.}}{{end}}",
    ),
    (
        "range 2 vars",
        "{{range $x, $y := .SI}}{{.}}{{end}}",
        true,
        "{{range $x, $y := .SI}}{{.}}{{end}}",
    ),
    (
        "range with break",
        "{{range .SI}}{{.}}{{break}}{{end}}",
        true,
        "{{range .SI}}{{.}}{{break}}{{end}}",
    ),
    (
        "range with continue",
        "{{range .SI}}{{.}}{{continue}}{{end}}",
        true,
        "{{range .SI}}{{.}}{{continue}}{{end}}",
    ),
    (
        "constants",
        "{{range .SI 1 -3.2i true false 'a' nil}}{{end}}",
        true,
        "{{range .SI 1 -3.2i true false 'a' nil}}{{end}}",
    ),
    ("template", "{{template `x`}}", true, "{{template \"x\"}}"),
    (
        "template with arg",
        "{{template `x` .Y}}",
        true,
        "{{template \"x\" .Y}}",
    ),
    (
        "with",
        "{{with .X}}hello{{end}}",
        true,
        "{{with .X}}\"hello\"{{end}}",
    ),
    (
        "with with else",
        "{{with .X}}hello{{else}}goodbye{{end}}",
        true,
        "{{with .X}}\"hello\"{{else}}\"goodbye\"{{end}}",
    ),
    (
        "with with else with",
        "{{with .X}}hello{{else with .Y}}goodbye{{end}}",
        true,
        "{{with .X}}\"hello\"{{else}}{{with .Y}}\"goodbye\"{{end}}{{end}}",
    ),
    (
        "with else chain",
        "{{with .X}}X{{else with .Y}}Y{{else with .Z}}Z{{end}}",
        true,
        "{{with .X}}\"X\"{{else}}{{with .Y}}\"Y\"{{else}}{{with .Z}}\"Z\"{{end}}{{end}}{{end}}",
    ),
    ("trim left", "x \r\n\t{{- 3}}", true, "\"x\"{{3}}"),
    ("trim right", "{{3 -}}\n\n\ty", true, "{{3}}\"y\""),
    (
        "trim left and right",
        "x \r\n\t{{- 3 -}}\n\n\ty",
        true,
        "\"x\"{{3}}\"y\"",
    ),
    (
        "trim with extra spaces",
        "x\n{{-  3   -}}\ny",
        true,
        "\"x\"{{3}}\"y\"",
    ),
    ("comment trim left", "x \r\n\t{{- /* hi */}}", true, "\"x\""),
    ("comment trim right", "{{/* hi */ -}}\n\n\ty", true, "\"y\""),
    (
        "comment trim left and right",
        "x \r\n\t{{- /* */ -}}\n\n\ty",
        true,
        "\"x\"\"y\"",
    ),
    (
        "block definition",
        "{{block \"foo\" .}}hello{{end}}",
        true,
        "{{template \"foo\" .}}",
    ),
    (
        "newline in assignment",
        "{{ $x \n := \n 1 \n }}",
        true,
        "{{$x := 1}}",
    ),
    ("newline in empty action", "{{\n}}", false, "{{\n}}"),
    (
        "newline in pipeline",
        "{{\n\"x\"\n|\nprintf\n}}",
        true,
        "{{\"x\" | printf}}",
    ),
    ("newline in comment", "{{/*\nhello\n*/}}", true, ""),
    ("newline in comment", "{{-\n/*\nhello\n*/\n-}}", true, ""),
    (
        "spaces around continue",
        "{{range .SI}}{{.}}{{ continue }}{{end}}",
        true,
        "{{range .SI}}{{.}}{{continue}}{{end}}",
    ),
    (
        "spaces around break",
        "{{range .SI}}{{.}}{{ break }}{{end}}",
        true,
        "{{range .SI}}{{.}}{{break}}{{end}}",
    ),
    ("unclosed action", "hello{{range", false, ""),
    ("unmatched end", "{{end}}", false, ""),
    ("unmatched else", "{{else}}", false, ""),
    (
        "unmatched else after if",
        "{{if .X}}hello{{end}}{{else}}",
        false,
        "",
    ),
    (
        "multiple else",
        "{{if .X}}1{{else}}2{{else}}3{{end}}",
        false,
        "",
    ),
    ("missing end", "hello{{range .x}}", false, ""),
    (
        "missing end after else",
        "hello{{range .x}}{{else}}",
        false,
        "",
    ),
    ("undefined function", "hello{{undefined}}", false, ""),
    ("undefined variable", "{{$x}}", false, ""),
    (
        "variable undefined after end",
        "{{with $x := 4}}{{end}}{{$x}}",
        false,
        "",
    ),
    (
        "variable undefined in template",
        "{{template $v}}",
        false,
        "",
    ),
    ("declare with field", "{{with $x.Y := 4}}{{end}}", false, ""),
    ("template with field ref", "{{template .X}}", false, ""),
    ("template with var", "{{template $v}}", false, ""),
    ("invalid punctuation", "{{printf 3, 4}}", false, ""),
    (
        "multidecl outside range",
        "{{with $v, $u := 3}}{{end}}",
        false,
        "",
    ),
    (
        "too many decls in range",
        "{{range $u, $v, $w := 3}}{{end}}",
        false,
        "",
    ),
    (
        "dot applied to parentheses",
        "{{printf (printf .).}}",
        false,
        "",
    ),
    ("adjacent args", "{{printf 3`x`}}", false, ""),
    ("adjacent args with .", "{{printf `x`.}}", false, ""),
    (
        "extra end after if",
        "{{if .X}}a{{else if .Y}}b{{end}}{{end}}",
        false,
        "",
    ),
    (
        "break outside range",
        "{{range .}}{{end}} {{break}}",
        false,
        "",
    ),
    (
        "continue outside range",
        "{{range .}}{{end}} {{continue}}",
        false,
        "",
    ),
    (
        "break in range else",
        "{{range .}}{{else}}{{break}}{{end}}",
        false,
        "",
    ),
    (
        "continue in range else",
        "{{range .}}{{else}}{{continue}}{{end}}",
        false,
        "",
    ),
    ("bug0a", "{{$x := 0}}{{$x}}", true, "{{$x := 0}}{{$x}}"),
    ("bug0b", "{{$x += 1}}{{$x}}", false, ""),
    ("bug0c", "{{$x ! 2}}{{$x}}", false, ""),
    ("bug0d", "{{$x % 3}}{{$x}}", false, ""),
    ("bug0e", "{{range $x := $y := 3}}{{end}}", false, ""),
    ("bug1a", "{{$x:=.}}{{$x!2}}", false, ""),
    ("bug1b", "{{$x:=.}}{{$x+2}}", false, ""),
    ("bug1c", "{{$x:=.}}{{$x +2}}", true, "{{$x := .}}{{$x +2}}"),
    (
        "bug2a",
        "{{range $x := 0}}{{$x}}{{end}}",
        true,
        "{{range $x := 0}}{{$x}}{{end}}",
    ),
    (
        "bug2b",
        "{{range $x = 0}}{{$x}}{{end}}",
        true,
        "{{range $x = 0}}{{$x}}{{end}}",
    ),
    ("dot after integer", "{{1.E}}", false, ""),
    ("dot after float", "{{0.1.E}}", false, ""),
    ("dot after boolean", "{{true.E}}", false, ""),
    ("dot after char", "{{'a'.any}}", false, ""),
    ("dot after string", "{{\"hello\".guys}}", false, ""),
    ("dot after dot", "{{..E}}", false, ""),
    ("dot after nil", "{{nil.E}}", false, ""),
    ("wrong pipeline dot", "{{12|.}}", false, ""),
    ("wrong pipeline number", "{{.|12|printf}}", false, ""),
    ("wrong pipeline string", "{{.|printf|\"error\"}}", false, ""),
    ("wrong pipeline char", "{{12|printf|'e'}}", false, ""),
    ("wrong pipeline boolean", "{{.|true}}", false, ""),
    ("wrong pipeline nil", "{{'c'|nil}}", false, ""),
    ("empty pipeline", "{{printf \"%d\" ( ) }}", false, ""),
    (
        "block definition",
        "{{block \"foo\"}}hello{{end}}",
        false,
        "",
    ),
    ("paren nesting normal", "{{ (( 1 )) }}", true, "{{((1))}}"),
    (
        "paren nesting at limit",
        "{{ ((( 1 ))) }}",
        true,
        "{{(((1)))}}",
    ),
    (
        "paren nesting in pipeline",
        "{{ ((( 1 ))) | printf }}",
        true,
        "{{(((1))) | printf}}",
    ),
    (
        "paren nesting with other constructs",
        "{{ if ((( true ))) }}YES{{ end }}",
        true,
        "{{if (((true)))}}\"YES\"{{end}}",
    ),
];

#[test]
fn go_parse_tests() {
    let mut failures = Vec::new();
    for (name, input, ok, result) in PARSE_TESTS {
        let got = parse_string(name, input);
        match (&got, ok) {
            (Ok(out), true) if out == result => {}
            (Err(_), false) => {}
            _ => failures.push(format!(
                "{name}: {input:?}: want {result:?} ok={ok}, got {got:?}"
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        PARSE_TESTS.len(),
        failures.join("\n")
    );
}

#[test]
fn go_parse_depth_limit() {
    let deep = format!("{{{{ {}1{} }}}}", "(".repeat(MAX), ")".repeat(MAX));
    assert!(parse_string("test", &deep).is_ok());
    let deeper = format!("{{{{ {}1{} }}}}", "(".repeat(MAX + 1), ")".repeat(MAX + 1));
    assert_eq!(
        parse_string("test", &deeper).unwrap_err(),
        "template: test:1: max expression depth exceeded"
    );
}

const MAX: usize = parse::MAX_PAREN_DEPTH;

const ERROR_TESTS: &[(&str, &str, &str)] = &[
    ("unclosed1", "line1\n{{", "unclosed1:2: unclosed action"),
    (
        "unclosed2",
        "line1\n{{define `x`}}line2\n{{",
        "unclosed2:3: unclosed action",
    ),
    (
        "unclosed3",
        "line1\n{{\"x\"\n\"y\"\n",
        "unclosed3:4: unclosed action started at unclosed3:2",
    ),
    (
        "unclosed4",
        "{{\n\n\n\n\n",
        "unclosed4:6: unclosed action started at unclosed4:1",
    ),
    (
        "var1",
        "line1\n{{\nx\n}}",
        "var1:3: function \"x\" not defined",
    ),
    ("function", "{{foo}}", "function \"foo\" not defined"),
    ("comment1", "{{/*}}", "comment1:1: unclosed comment"),
    (
        "comment2",
        "{{/*\nhello\n}}",
        "comment2:1: unclosed comment",
    ),
    ("lparen", "{{.X (1 2 3}}", "unclosed left paren"),
    ("rparen", "{{.X 1 2 3 ) }}", "unexpected right paren"),
    ("rparen2", "{{(.X 1 2 3", "unclosed action"),
    ("space", "{{`x`3}}", "in operand"),
    ("idchar", "{{a#}}", "'#'"),
    ("charconst", "{{'a}}", "unterminated character constant"),
    ("stringconst", "{{\"a}}", "unterminated quoted string"),
    ("rawstringconst", "{{`a}}", "unterminated raw quoted string"),
    ("number", "{{0xi}}", "number syntax"),
    (
        "multidefine",
        "{{define `a`}}a{{end}}{{define `a`}}b{{end}}",
        "multiple definition of template",
    ),
    ("eof", "{{range .X}}", "unexpected EOF"),
    (
        "variable",
        "{{$x := 23}}{{with $x.y := 3}}{{$x 23}}{{end}}",
        "unexpected \":=\"",
    ),
    ("multidecl", "{{$a,$b,$c := 23}}", "too many declarations"),
    ("undefvar", "{{$a}}", "undefined variable"),
    ("wrongdot", "{{true.any}}", "unexpected . after term"),
    (
        "wrongpipeline",
        "{{12|false}}",
        "non executable command in pipeline",
    ),
    (
        "emptypipeline",
        "{{ ( ) }}",
        "missing value for parenthesized pipeline",
    ),
    (
        "multilinerawstring",
        "{{ $v := `\n` }} {{",
        "multilinerawstring:2: unclosed action",
    ),
    ("rangeundefvar", "{{range $k}}{{end}}", "undefined variable"),
    (
        "rangeundefvars",
        "{{range $k, $v}}{{end}}",
        "undefined variable",
    ),
    (
        "rangemissingvalue1",
        "{{range $k,}}{{end}}",
        "missing value for range",
    ),
    (
        "rangemissingvalue2",
        "{{range $k, $v := }}{{end}}",
        "missing value for range",
    ),
    (
        "rangenotvariable1",
        "{{range $k, .}}{{end}}",
        "range can only initialize variables",
    ),
    (
        "rangenotvariable2",
        "{{range $k, 123 := .}}{{end}}",
        "range can only initialize variables",
    ),
];

#[test]
fn go_parse_error_tests() {
    let mut failures = Vec::new();
    for (name, input, want) in ERROR_TESTS {
        match parse::parse(name, input, &go_builtins) {
            Ok(_) => failures.push(format!("{name}: no error, want {want:?}")),
            Err((e, _)) if e.contains(want) => {}
            Err((e, _)) => failures.push(format!("{name}: {e:?} does not contain {want:?}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        ERROR_TESTS.len(),
        failures.join("\n")
    );
}

#[test]
fn go_number_tests() {
    // (text, int, float) for the rows numberTests accepts; None: not that kind.
    let ok: &[(&str, Option<i64>, Option<f64>)] = &[
        ("0", Some(0), Some(0.0)),
        ("-0", Some(0), Some(0.0)),
        ("73", Some(73), Some(73.0)),
        ("7_3", Some(73), Some(73.0)),
        ("0b10_010_01", Some(73), Some(73.0)),
        ("0B10_010_01", Some(73), Some(73.0)),
        ("073", Some(0o73), Some(59.0)),
        ("0o73", Some(0o73), Some(59.0)),
        ("0O73", Some(0o73), Some(59.0)),
        ("0x73", Some(0x73), Some(115.0)),
        ("0X73", Some(0x73), Some(115.0)),
        ("0x7_3", Some(0x73), Some(115.0)),
        ("-73", Some(-73), Some(-73.0)),
        ("+73", Some(73), Some(73.0)),
        ("100", Some(100), Some(100.0)),
        ("1e9", Some(1_000_000_000), Some(1e9)),
        ("-1e9", Some(-1_000_000_000), Some(-1e9)),
        ("-1.2", None, Some(-1.2)),
        ("1e19", None, Some(1e19)),
        ("1e1_9", None, Some(1e19)),
        ("1E19", None, Some(1e19)),
        ("-1e19", None, Some(-1e19)),
        ("0x_1p4", Some(16), Some(16.0)),
        ("0X_1P4", Some(16), Some(16.0)),
        ("0x_1p-4", None, Some(1.0 / 16.0)),
        ("0123", Some(0o123), Some(83.0)),
        ("-0x0", Some(0), Some(0.0)),
        ("0xdeadbeef", Some(0xdeadbeef), Some(3735928559.0)),
        ("'a'", Some('a' as i64), Some(97.0)),
        ("'\\n'", Some(10), Some(10.0)),
        ("'\\\\'", Some('\\' as i64), Some(92.0)),
        ("'\\''", Some('\'' as i64), Some(39.0)),
        ("'\\xFF'", Some(0xFF), Some(255.0)),
        ("'パ'", Some(0x30d1), Some(12497.0)),
        ("'\\u30d1'", Some(0x30d1), Some(12497.0)),
        ("'\\U000030d1'", Some(0x30d1), Some(12497.0)),
        ("0xef", Some(0xef), Some(239.0)),
    ];
    for (text, int, float) in ok {
        let kind = if text.starts_with('\'') {
            Kind::CharConstant
        } else {
            Kind::Number
        };
        let n = parse::new_number(text, kind).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(n.int, *int, "{text}");
        assert_eq!(n.float, *float, "{text}");
    }
    for bad in [
        "+-2",
        "0x123.",
        "1e.",
        "0xi.",
        "1+2.",
        "'x",
        "'xx'",
        "'433937734937734969526500969526500'",
    ] {
        let kind = if bad.starts_with('\'') {
            Kind::CharConstant
        } else {
            Kind::Number
        };
        assert!(parse::new_number(bad, kind).is_err(), "{bad}");
    }
}

#[test]
fn go_is_empty_tests() {
    for (input, empty) in [
        ("", true),
        ("hello", false),
        (" \t\n \t\n", true),
        ("{{/* comment */}}", true),
        ("{{define \"x\"}}something{{end}}", true),
        (
            "{{define `x`}}something{{end}}\n\n{{define `y`}}something{{end}}\n\n",
            true,
        ),
        (
            "{{define `x`}}something{{end}}\nx\n{{define `y`}}something{{end}}\ny\n",
            false,
        ),
        ("{{define `x`}}something{{end}}{{if 3}}foo{{end}}", false),
    ] {
        let trees = parse::parse("root", input, &go_builtins).unwrap();
        assert_eq!(
            parse::is_empty_tree(&trees["root"].root),
            empty,
            "{input:?}"
        );
    }
}

#[test]
fn go_parse_block() {
    let trees = parse::parse(
        "outer",
        r#"a{{block "inner" .}}bar{{.}}baz{{end}}b"#,
        &go_builtins,
    )
    .unwrap();
    assert_eq!(
        list_string(&trees["outer"].root),
        "\"a\"{{template \"inner\" .}}\"b\""
    );
    assert_eq!(list_string(&trees["inner"].root), "\"bar\"{{.}}\"baz\"");
}

#[test]
fn go_keywords_and_funcs() {
    let inp = "{{range .X}}{{break 20}}{{end}}";
    assert!(parse::parse("", inp, &|n| n == "break").is_ok());
    assert!(parse::parse("", inp, &|_| false).is_err());
}
