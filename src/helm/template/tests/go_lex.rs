//! Go's text/template/parse lex_test.go, ported: `lexTests` (kinds and texts, comments
//! emitted) and `lexPosTests` (positions). The custom-delimiter tests are not ported (Helm has
//! no custom delimiters).

use crate::helm::template::lex::{Kind, lex_with};

use Kind::{
    Block, Bool, Char, CharConstant, Comment, Complex, Declare, Dot, Else, End, Eof, Error, Field,
    Identifier, If, LeftDelim, LeftParen, Nil, Number, Pipe, Range, RawString, RightDelim,
    RightParen, Space, Text, Variable, With,
};

type S = std::string::String;
const STR: Kind = Kind::String;

/// (name, input, expected items).
type LexCase<'a> = (&'a str, S, Vec<(Kind, &'a str)>);
/// (input, expected items with positions).
type PosCase<'a> = (&'a str, &'a [(Kind, usize, &'a str)]);

fn lexed(input: &str) -> Vec<(Kind, S)> {
    lex_with(input, true, true, true)
        .into_iter()
        .map(|i| (i.kind, i.val))
        .collect()
}

fn items(v: &[(Kind, &str)]) -> Vec<(Kind, S)> {
    v.iter().map(|(k, s)| (*k, (*s).to_owned())).collect()
}

const L: (Kind, &str) = (LeftDelim, "{{");
const R: (Kind, &str) = (RightDelim, "}}");
const E: (Kind, &str) = (Eof, "");
const SP: (Kind, &str) = (Space, " ");
const LP: (Kind, &str) = (LeftParen, "(");
const RP: (Kind, &str) = (RightParen, ")");
const P: (Kind, &str) = (Pipe, "|");

#[test]
fn go_lex_tests() {
    let raw = "`abc\\n\\t\\\" `";
    let raw_nl = "`now is{{\n}}the time`";
    let quote = r#""abc \n\t\" ""#;
    let cases: Vec<LexCase> = vec![
        ("empty", S::new(), vec![E]),
        ("spaces", " \t\n".into(), vec![(Text, " \t\n"), E]),
        (
            "text",
            "now is the time".into(),
            vec![(Text, "now is the time"), E],
        ),
        (
            "text with comment",
            "hello-{{/* this is a comment */}}-world".into(),
            vec![
                (Text, "hello-"),
                (Comment, "/* this is a comment */"),
                (Text, "-world"),
                E,
            ],
        ),
        (
            "punctuation",
            "{{,@% }}".into(),
            vec![L, (Char, ","), (Char, "@"), (Char, "%"), SP, R, E],
        ),
        (
            "parens",
            "{{((3))}}".into(),
            vec![L, LP, LP, (Number, "3"), RP, RP, R, E],
        ),
        ("empty action", "{{}}".into(), vec![L, R, E]),
        ("for", "{{for}}".into(), vec![L, (Identifier, "for"), R, E]),
        (
            "block",
            r#"{{block "foo" .}}"#.into(),
            vec![
                L,
                (Block, "block"),
                SP,
                (STR, r#""foo""#),
                SP,
                (Dot, "."),
                R,
                E,
            ],
        ),
        (
            "quote",
            format!("{{{{{quote}}}}}"),
            vec![L, (STR, quote), R, E],
        ),
        (
            "raw quote",
            format!("{{{{{raw}}}}}"),
            vec![L, (RawString, raw), R, E],
        ),
        (
            "raw quote with newline",
            format!("{{{{{raw_nl}}}}}"),
            vec![L, (RawString, raw_nl), R, E],
        ),
        (
            "numbers",
            "{{1 02 0x14 0X14 -7.2i 1e3 1E3 +1.2e-4 4.2i 1+2i 1_2 0x1.e_fp4 0X1.E_FP4}}".into(),
            vec![
                L,
                (Number, "1"),
                SP,
                (Number, "02"),
                SP,
                (Number, "0x14"),
                SP,
                (Number, "0X14"),
                SP,
                (Number, "-7.2i"),
                SP,
                (Number, "1e3"),
                SP,
                (Number, "1E3"),
                SP,
                (Number, "+1.2e-4"),
                SP,
                (Number, "4.2i"),
                SP,
                (Complex, "1+2i"),
                SP,
                (Number, "1_2"),
                SP,
                (Number, "0x1.e_fp4"),
                SP,
                (Number, "0X1.E_FP4"),
                R,
                E,
            ],
        ),
        (
            "characters",
            r"{{'a' '\n' '\'' '\\' '\u00FF' '\xFF' '本'}}".into(),
            vec![
                L,
                (CharConstant, "'a'"),
                SP,
                (CharConstant, r"'\n'"),
                SP,
                (CharConstant, r"'\''"),
                SP,
                (CharConstant, r"'\\'"),
                SP,
                (CharConstant, r"'\u00FF'"),
                SP,
                (CharConstant, r"'\xFF'"),
                SP,
                (CharConstant, "'本'"),
                R,
                E,
            ],
        ),
        (
            "bools",
            "{{true false}}".into(),
            vec![L, (Bool, "true"), SP, (Bool, "false"), R, E],
        ),
        ("dot", "{{.}}".into(), vec![L, (Dot, "."), R, E]),
        ("nil", "{{nil}}".into(), vec![L, (Nil, "nil"), R, E]),
        (
            "dots",
            "{{.x . .2 .x.y.z}}".into(),
            vec![
                L,
                (Field, ".x"),
                SP,
                (Dot, "."),
                SP,
                (Number, ".2"),
                SP,
                (Field, ".x"),
                (Field, ".y"),
                (Field, ".z"),
                R,
                E,
            ],
        ),
        (
            "keywords",
            "{{range if else end with}}".into(),
            vec![
                L,
                (Range, "range"),
                SP,
                (If, "if"),
                SP,
                (Else, "else"),
                SP,
                (End, "end"),
                SP,
                (With, "with"),
                R,
                E,
            ],
        ),
        (
            "variables",
            "{{$c := printf $ $hello $23 $ $var.Field .Method}}".into(),
            vec![
                L,
                (Variable, "$c"),
                SP,
                (Declare, ":="),
                SP,
                (Identifier, "printf"),
                SP,
                (Variable, "$"),
                SP,
                (Variable, "$hello"),
                SP,
                (Variable, "$23"),
                SP,
                (Variable, "$"),
                SP,
                (Variable, "$var"),
                (Field, ".Field"),
                SP,
                (Field, ".Method"),
                R,
                E,
            ],
        ),
        (
            "variable invocation",
            "{{$x 23}}".into(),
            vec![L, (Variable, "$x"), SP, (Number, "23"), R, E],
        ),
        (
            "pipeline",
            r#"intro {{echo hi 1.2 |noargs|args 1 "hi"}} outro"#.into(),
            vec![
                (Text, "intro "),
                L,
                (Identifier, "echo"),
                SP,
                (Identifier, "hi"),
                SP,
                (Number, "1.2"),
                SP,
                P,
                (Identifier, "noargs"),
                P,
                (Identifier, "args"),
                SP,
                (Number, "1"),
                SP,
                (STR, r#""hi""#),
                R,
                (Text, " outro"),
                E,
            ],
        ),
        (
            "declaration",
            "{{$v := 3}}".into(),
            vec![
                L,
                (Variable, "$v"),
                SP,
                (Declare, ":="),
                SP,
                (Number, "3"),
                R,
                E,
            ],
        ),
        (
            "2 declarations",
            "{{$v , $w := 3}}".into(),
            vec![
                L,
                (Variable, "$v"),
                SP,
                (Char, ","),
                SP,
                (Variable, "$w"),
                SP,
                (Declare, ":="),
                SP,
                (Number, "3"),
                R,
                E,
            ],
        ),
        (
            "field of parenthesized expression",
            "{{(.X).Y}}".into(),
            vec![L, LP, (Field, ".X"), RP, (Field, ".Y"), R, E],
        ),
        (
            "trimming spaces before and after",
            "hello- {{- 3 -}} -world".into(),
            vec![(Text, "hello-"), L, (Number, "3"), R, (Text, "-world"), E],
        ),
        (
            "trimming spaces before and after comment",
            "hello- {{- /* hello */ -}} -world".into(),
            vec![
                (Text, "hello-"),
                (Comment, "/* hello */"),
                (Text, "-world"),
                E,
            ],
        ),
        (
            "badchar",
            "#{{\x01}}".into(),
            vec![
                (Text, "#"),
                L,
                (Error, "unrecognized character in action: U+0001"),
            ],
        ),
        (
            "unclosed action",
            "{{".into(),
            vec![L, (Error, "unclosed action")],
        ),
        (
            "EOF in action",
            "{{range".into(),
            vec![L, (Range, "range"), (Error, "unclosed action")],
        ),
        (
            "unclosed quote",
            "{{\"\n\"}}".into(),
            vec![L, (Error, "unterminated quoted string")],
        ),
        (
            "unclosed raw quote",
            "{{`xx}}".into(),
            vec![L, (Error, "unterminated raw quoted string")],
        ),
        (
            "unclosed char constant",
            "{{'\n}}".into(),
            vec![L, (Error, "unterminated character constant")],
        ),
        (
            "bad number",
            "{{3k}}".into(),
            vec![L, (Error, r#"bad number syntax: "3k""#)],
        ),
        (
            "unclosed paren",
            "{{(3}}".into(),
            vec![L, LP, (Number, "3"), (Error, "unclosed left paren")],
        ),
        (
            "extra right paren",
            "{{3)}}".into(),
            vec![L, (Number, "3"), (Error, "unexpected right paren")],
        ),
        (
            "long pipeline deadlock",
            "{{|||||}}".into(),
            vec![L, P, P, P, P, P, R, E],
        ),
        (
            "text with bad comment",
            "hello-{{/*/}}-world".into(),
            vec![(Text, "hello-"), (Error, "unclosed comment")],
        ),
        (
            "text with comment close separated from delim",
            "hello-{{/* */ }}-world".into(),
            vec![
                (Text, "hello-"),
                (Error, "comment ends before closing delimiter"),
            ],
        ),
        (
            "unmatched right delimiter",
            "hello-{.}}-world".into(),
            vec![(Text, "hello-{.}}-world"), E],
        ),
    ];
    let mut failures = Vec::new();
    for (name, input, want) in &cases {
        let got = lexed(input);
        if got != items(want) {
            failures.push(format!("{name}: got {got:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn go_lex_pos_tests() {
    let cases: &[PosCase] = &[
        ("", &[(Eof, 0, "")]),
        (
            "{{,@%#}}",
            &[
                (LeftDelim, 0, "{{"),
                (Char, 2, ","),
                (Char, 3, "@"),
                (Char, 4, "%"),
                (Char, 5, "#"),
                (RightDelim, 6, "}}"),
                (Eof, 8, ""),
            ],
        ),
        (
            "0123{{hello}}xyz",
            &[
                (Text, 0, "0123"),
                (LeftDelim, 4, "{{"),
                (Identifier, 6, "hello"),
                (RightDelim, 11, "}}"),
                (Text, 13, "xyz"),
                (Eof, 16, ""),
            ],
        ),
        (
            "{{x -}}\n{{y}}",
            &[
                (LeftDelim, 0, "{{"),
                (Identifier, 2, "x"),
                (RightDelim, 5, "}}"),
                (LeftDelim, 8, "{{"),
                (Identifier, 10, "y"),
                (RightDelim, 11, "}}"),
                (Eof, 13, ""),
            ],
        ),
        (
            "{{x}}\n{{- y}}",
            &[
                (LeftDelim, 0, "{{"),
                (Identifier, 2, "x"),
                (RightDelim, 3, "}}"),
                (LeftDelim, 6, "{{"),
                (Identifier, 10, "y"),
                (RightDelim, 11, "}}"),
                (Eof, 13, ""),
            ],
        ),
        (
            "{{/*\n*/}}\n{{undefinedFunction \"test\"}}",
            &[
                (Comment, 2, "/*\n*/"),
                (Text, 9, "\n"),
                (LeftDelim, 10, "{{"),
                (Identifier, 12, "undefinedFunction"),
                (Space, 29, " "),
                (STR, 30, "\"test\""),
                (RightDelim, 36, "}}"),
                (Eof, 38, ""),
            ],
        ),
    ];
    for (input, want) in cases {
        let got: Vec<(Kind, usize, S)> = lex_with(input, true, true, true)
            .into_iter()
            .map(|i| (i.kind, i.pos, i.val))
            .collect();
        let want: Vec<(Kind, usize, S)> = want
            .iter()
            .map(|(k, p, s)| (*k, *p, (*s).to_owned()))
            .collect();
        assert_eq!(got, want, "{input:?}");
    }
}
