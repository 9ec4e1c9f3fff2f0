//! Ported from helm/helm v3.21.4 `pkg/strvals/parser_test.go` and `literal_parser_test.go`
//! (the tables compare YAML; here values print in a compact form: strings quoted, `3` an int64,
//! `3.0` a float64, `null` nil).

use super::*;

fn show(v: &Value) -> String {
    match v {
        Value::Nil => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => format!("{f:?}"),
        Value::Str(s) => format!("{:?}", &*s.text),
        Value::List(l) => format!("[{}]", l.iter().map(show).collect::<Vec<_>>().join(", ")),
        Value::Map(m) => format!(
            "{{{}}}",
            m.borrow()
                .iter()
                .map(|(k, v)| format!("{k}: {}", show(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Object(o) => o.display(),
    }
}

fn show_map(m: &Map) -> String {
    show(&Value::Map(m.clone()))
}

/// (input, Some(expected) or None for an error)
fn check(parse: fn(&str) -> Result<Map, String>, cases: &[(&str, Option<&str>)]) {
    for (input, want) in cases {
        match (parse(input), want) {
            (Ok(got), Some(want)) => assert_eq!(show_map(&got), *want, "{input}"),
            (Err(_), None) => {}
            (Ok(got), None) => panic!("{input}: expected an error, got {}", show_map(&got)),
            (Err(e), Some(_)) => panic!("{input}: {e}"),
        }
    }
}

type SetIndexCase<'a> = (&'a [i64], &'a [i64], i64, i64, bool);

#[test]
fn set_index() {
    // TestSetIndex
    let ints = |v: &[i64]| v.iter().map(|i| Value::Int(*i)).collect::<Vec<_>>();
    let cases: [SetIndexCase; 5] = [
        (&[0, 1], &[0, 1, 2], 2, 2, false),
        (&[0, 1], &[0, 2], 1, 2, false),
        (&[0, 1, 2, 3, 4, 5], &[0, 1, 2, 4, 4, 5], 3, 4, false),
        (&[0, 1, 2, 3, 4, 5], &[0, 1, 2, 3, 4, 5], -1, 4, true),
        (
            &[0, 1, 2, 3, 4, 5],
            &[0, 1, 2, 3, 4, 5],
            MAX_INDEX + 1,
            4,
            true,
        ),
    ];
    for (initial, expect, add, val, is_err) in cases {
        let mut p = Parser::new("", Mode::Literal);
        let (got, r) = p.set_index(ints(initial), add, Value::Int(val));
        assert_eq!(r.is_err(), is_err, "{add}");
        assert_eq!(show(&Value::list(got)), show(&Value::list(ints(expect))));
    }
}

#[test]
fn parse_set_string() {
    check(
        parse_string,
        &[
            (
                "long_int_string=1234567890",
                Some(r#"{long_int_string: "1234567890"}"#),
            ),
            ("boolean=true", Some(r#"{boolean: "true"}"#)),
            ("is_null=null", Some(r#"{is_null: "null"}"#)),
            ("zero=0", Some(r#"{zero: "0"}"#)),
        ],
    );
}

#[test]
fn parse_set() {
    check(
        parse,
        &[
            (
                "name1=null,f=false,t=true",
                Some("{f: false, name1: null, t: true}"),
            ),
            ("name1=value1", Some(r#"{name1: "value1"}"#)),
            (
                "name1=value1,name2=value2",
                Some(r#"{name1: "value1", name2: "value2"}"#),
            ),
            (
                "name1=value1,name2=value2,",
                Some(r#"{name1: "value1", name2: "value2"}"#),
            ),
            ("name1=value1,,,,name2=value2,", None),
            (
                "name1=,name2=value2",
                Some(r#"{name1: "", name2: "value2"}"#),
            ),
            ("leading_zeros=00009", Some(r#"{leading_zeros: "00009"}"#)),
            ("zero_int=0", Some("{zero_int: 0}")),
            ("long_int=1234567890", Some("{long_int: 1234567890}")),
            ("boolean=true", Some("{boolean: true}")),
            ("is_null=null", Some("{is_null: null}")),
            ("name1,name2=", None),
            ("name1,name2=value2", None),
            ("name1,name2=value2\\", None),
            ("name1,name2", None),
            (
                "name1=one\\,two,name2=three\\,four",
                Some(r#"{name1: "one,two", name2: "three,four"}"#),
            ),
            (
                "name1=one\\=two,name2=three\\=four",
                Some(r#"{name1: "one=two", name2: "three=four"}"#),
            ),
            (
                "name1=one two three,name2=three two one",
                Some(r#"{name1: "one two three", name2: "three two one"}"#),
            ),
            ("outer.inner=value", Some(r#"{outer: {inner: "value"}}"#)),
            (
                "outer.middle.inner=value",
                Some(r#"{outer: {middle: {inner: "value"}}}"#),
            ),
            (
                "outer.inner1=value,outer.inner2=value2",
                Some(r#"{outer: {inner1: "value", inner2: "value2"}}"#),
            ),
            (
                "outer.inner1=value,outer.middle.inner=value",
                Some(r#"{outer: {inner1: "value", middle: {inner: "value"}}}"#),
            ),
            ("name1.name2", None),
            ("name1.name2,name1.name3", None),
            ("name1.name2=", Some(r#"{name1: {name2: ""}}"#)),
            ("name1.=name2", None),
            ("name1.,name2", None),
            (
                "name1={value1,value2}",
                Some(r#"{name1: ["value1", "value2"]}"#),
            ),
            (
                "name1={value1,value2},name2={value1,value2}",
                Some(r#"{name1: ["value1", "value2"], name2: ["value1", "value2"]}"#),
            ),
            ("name1={1021,902}", Some("{name1: [1021, 902]}")),
            (
                "name1.name2={value1,value2}",
                Some(r#"{name1: {name2: ["value1", "value2"]}}"#),
            ),
            ("name1={1021,902", None),
            // List support
            ("list[0]=foo", Some(r#"{list: ["foo"]}"#)),
            ("list[0].foo=bar", Some(r#"{list: [{foo: "bar"}]}"#)),
            (
                "list[0].foo=bar,list[0].hello=world",
                Some(r#"{list: [{foo: "bar", hello: "world"}]}"#),
            ),
            ("list[0].foo=bar,list[-30].hello=world", None),
            ("list[0]=foo,list[1]=bar", Some(r#"{list: ["foo", "bar"]}"#)),
            (
                "list[0]=foo,list[1]=bar,",
                Some(r#"{list: ["foo", "bar"]}"#),
            ),
            (
                "list[0]=foo,list[3]=bar",
                Some(r#"{list: ["foo", null, null, "bar"]}"#),
            ),
            ("list[0]=foo,list[-20]=bar", None),
            ("illegal[0]name.foo=bar", None),
            ("noval[0]", Some("{noval: []}")),
            ("noval[0]=", Some(r#"{noval: [""]}"#)),
            ("nested[0][0]=1", Some("{nested: [[1]]}")),
            ("nested[1][1]=1", Some("{nested: [null, [null, 1]]}")),
            (
                "name1.name2[0].foo=bar,name1.name2[1].foo=bar",
                Some(r#"{name1: {name2: [{foo: "bar"}, {foo: "bar"}]}}"#),
            ),
            (
                "name1.name2[1].foo=bar,name1.name2[0].foo=bar",
                Some(r#"{name1: {name2: [{foo: "bar"}, {foo: "bar"}]}}"#),
            ),
            (
                "name1.name2[1].foo=bar",
                Some(r#"{name1: {name2: [null, {foo: "bar"}]}}"#),
            ),
            ("]={}].", None),
        ],
    );
}

fn map_of(text: &str) -> Map {
    // The initial maps of the ParseInto tables, built with the parser itself (string values).
    parse_literal_free(text)
}

/// Builds a map from `a.b=c;d=e` (values are strings) with `--set-string`.
fn parse_literal_free(text: &str) -> Map {
    let m = new_map();
    for part in text.split(';').filter(|p| !p.is_empty()) {
        parse_into_string(part, &m).unwrap();
    }
    m
}

#[test]
fn parse_into_tables() {
    // TestParseInto
    let cases: [(&str, &str, Map, &str); 4] = [
        (
            "outer.inner1=value1,outer.inner3=value3,outer.inner4=4",
            "",
            map_of("outer.inner1=overwrite,outer.inner2=value2"),
            r#"{outer: {inner1: "value1", inner2: "value2", inner3: "value3", inner4: 4}}"#,
        ),
        (
            "listOuter[0][0].type=listValue",
            "listOuter[0][0].status=alive",
            new_map(),
            r#"{listOuter: [[{status: "alive", type: "listValue"}]]}"#,
        ),
        (
            "listOuter[0][0].type=listValue",
            "listOuter[1][0].status=alive",
            new_map(),
            r#"{listOuter: [[{type: "listValue"}], [{status: "alive"}]]}"#,
        ),
        (
            "listOuter[0][1][0].type=listValue",
            "listOuter[0][0][1].status=alive",
            map_of("listOuter[0][0][0].exited=old"),
            r#"{listOuter: [[[{exited: "old"}, {status: "alive"}], [{type: "listValue"}]]]}"#,
        ),
    ];
    for (input, input2, got, want) in &cases {
        parse_into(input, got).unwrap();
        if !input2.is_empty() {
            parse_into(input2, got).unwrap();
        }
        assert_eq!(show_map(got), *want, "{input}");
    }
    // TestParseLiteralInto: the same inputs, literal values.
    let literal: [(&str, &str, Map, &str); 4] = [
        (
            "outer.inner1=value1,outer.inner3=value3,outer.inner4=4",
            "",
            map_of("outer.inner1=overwrite,outer.inner2=value2"),
            r#"{outer: {inner1: "value1,outer.inner3=value3,outer.inner4=4", inner2: "value2"}}"#,
        ),
        (
            "listOuter[0][0].type=listValue",
            "listOuter[0][0].status=alive",
            new_map(),
            r#"{listOuter: [[{status: "alive", type: "listValue"}]]}"#,
        ),
        (
            "listOuter[0][0].type=listValue",
            "listOuter[1][0].status=alive",
            new_map(),
            r#"{listOuter: [[{type: "listValue"}], [{status: "alive"}]]}"#,
        ),
        (
            "listOuter[0][1][0].type=listValue",
            "listOuter[0][0][1].status=alive",
            map_of("listOuter[0][0][0].exited=old"),
            r#"{listOuter: [[[{exited: "old"}, {status: "alive"}], [{type: "listValue"}]]]}"#,
        ),
    ];
    for (input, input2, got, want) in &literal {
        parse_literal_into(input, got).unwrap();
        if !input2.is_empty() {
            parse_literal_into(input2, got).unwrap();
        }
        assert_eq!(show_map(got), *want, "{input}");
    }
}

#[test]
fn parse_into_string_table() {
    // TestParseIntoString
    let got = map_of("outer.inner1=overwrite,outer.inner2=value2");
    parse_into_string("outer.inner1=1,outer.inner3=3", &got).unwrap();
    assert_eq!(
        show_map(&got),
        r#"{outer: {inner1: "1", inner2: "value2", inner3: "3"}}"#
    );
}

#[test]
fn parse_json_table() {
    // TestParseJSON
    let got = map_of("outer.inner1=overwrite,outer.inner2=value2");
    parse_json(
        r#"outer.inner1="1",outer.inner3=3,outer.inner4=true,outer.inner5="true""#,
        &got,
    )
    .unwrap();
    assert_eq!(
        show_map(&got),
        r#"{outer: {inner1: "1", inner2: "value2", inner3: 3.0, inner4: true, inner5: "true"}}"#
    );

    let got = map_of("outer.inner1.x=overwrite,outer.inner2=value2,outer.inner3[0]=overwrite");
    parse_json(
        r#"outer.inner1={"a":"1","b":2,"c":[1,2,3]},outer.inner3=["new value 1","new value 2"],outer.inner4={"aa":"1","bb":2,"cc":[1,2,3]},outer.inner5=[{"A":"1","B":2,"C":[1,2,3]}]"#,
        &got,
    )
    .unwrap();
    assert_eq!(
        show_map(&got),
        concat!(
            r#"{outer: {inner1: {a: "1", b: 2.0, c: [1.0, 2.0, 3.0]}, inner2: "value2", "#,
            r#"inner3: ["new value 1", "new value 2"], inner4: {aa: "1", bb: 2.0, cc: [1.0, 2.0, 3.0]}, "#,
            r#"inner5: [{A: "1", B: 2.0, C: [1.0, 2.0, 3.0]}]}}"#
        )
    );

    let got = map_of("outer.inner1.x=overwrite,outer.inner2=value2");
    parse_json(
        r#"outer.inner1=,outer.inner3={"aa":"1","bb":2,"cc":[1,2,3]},outer.inner3.cc[1]=null"#,
        &got,
    )
    .unwrap();
    assert_eq!(
        show_map(&got),
        r#"{outer: {inner1: null, inner2: "value2", inner3: {aa: "1", bb: 2.0, cc: [1.0, null, 3.0]}}}"#
    );

    let got = new_map();
    assert!(
        parse_json(
            r#"outer.inner1={"a":"1","b":2,"c":[1,2,3]},outer.inner3=["new value 1","new value 2"],outer.inner4={"aa":"1","bb":2,"cc":[1,2,3]},outer.inner5={"A":"1","B":2,"C":[1,2,3]}]"#,
            &got,
        )
        .is_err()
    );
}

#[test]
fn parse_file() {
    // TestParseFile / TestParseIntoFile
    let got = new_map();
    let mut seen = Vec::new();
    let mut reader = |path: &str| {
        seen.push(path.to_owned());
        Ok(Value::str("value1"))
    };
    parse_into_file("name1=path1", &got, &mut reader).unwrap();
    assert_eq!(seen, ["path1"]);
    assert_eq!(show_map(&got), r#"{name1: "value1"}"#);
    // A reader's error is the parse's error.
    let mut failing = |_: &str| Err("open path1: no such file or directory".to_owned());
    assert_eq!(
        parse_into_file("name1=path1", &new_map(), &mut failing).unwrap_err(),
        "open path1: no such file or directory"
    );
}

fn nested_key(levels: usize) -> String {
    // TestParseSetNestedLevels: name1.name2. ... name{levels}
    (1..=levels)
        .map(|i| format!("name{i}"))
        .collect::<Vec<_>>()
        .join(".")
}

#[test]
fn nested_levels() {
    check(
        parse,
        &[(
            "outer.middle.inner=value",
            Some(r#"{outer: {middle: {inner: "value"}}}"#),
        )],
    );
    let want = format!(
        "value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"
    );
    let key = nested_key(MAX_NESTED_NAME_LEVEL + 2);
    assert_eq!(parse(&format!("{key}=value")).unwrap_err(), want);
    assert_eq!(parse_literal(&format!("{key}=value")).unwrap_err(), want);
    // 30 dots are fine.
    assert!(parse(&format!("{}=value", nested_key(MAX_NESTED_NAME_LEVEL + 1))).is_ok());
}

#[test]
fn parse_literal_table() {
    // TestParseLiteral
    check(
        parse_literal,
        &[
            ("name", None),
            ("name=", Some(r#"{name: ""}"#)),
            ("name=value", Some(r#"{name: "value"}"#)),
            (
                "long_int_string=1234567890",
                Some(r#"{long_int_string: "1234567890"}"#),
            ),
            ("boolean=true", Some(r#"{boolean: "true"}"#)),
            ("is_null=null", Some(r#"{is_null: "null"}"#)),
            ("zero=0", Some(r#"{zero: "0"}"#)),
            (
                "name1=null,name2=value2",
                Some(r#"{name1: "null,name2=value2"}"#),
            ),
            ("name1=value,,,tail", Some(r#"{name1: "value,,,tail"}"#)),
            ("leading_zeros=00009", Some(r#"{leading_zeros: "00009"}"#)),
            ("name=one two three", Some(r#"{name: "one two three"}"#)),
            ("outer.inner=value", Some(r#"{outer: {inner: "value"}}"#)),
            (
                "outer.middle.inner=value",
                Some(r#"{outer: {middle: {inner: "value"}}}"#),
            ),
            ("name1.name2", None),
            ("name1.name2=", Some(r#"{name1: {name2: ""}}"#)),
            ("name1.=name2", None),
            ("name1.,name2", None),
            (
                "name1={value1,value2}",
                Some(r#"{name1: "{value1,value2}"}"#),
            ),
            ("list[0]=foo", Some(r#"{list: ["foo"]}"#)),
            ("list[0].foo=bar", Some(r#"{list: [{foo: "bar"}]}"#)),
            ("list[-30].hello=world", None),
            ("list[3]=bar", Some(r#"{list: [null, null, null, "bar"]}"#)),
            ("illegal[0]name.foo=bar", None),
            ("noval[0]", Some("{noval: []}")),
            ("noval[0]=", Some(r#"{noval: [""]}"#)),
            ("nested[0][0]=1", Some(r#"{nested: [["1"]]}"#)),
            ("nested[1][1]=1", Some(r#"{nested: [null, [null, "1"]]}"#)),
            (
                "name1.name2[0].foo=bar",
                Some(r#"{name1: {name2: [{foo: "bar"}]}}"#),
            ),
            (
                "name1.name2[1].foo=bar",
                Some(r#"{name1: {name2: [null, {foo: "bar"}]}}"#),
            ),
            ("]={}].", Some(r#"{]: "{}]."}"#)),
            ("name=val,val", Some(r#"{name: "val,val"}"#)),
            ("name=val.val", Some(r#"{name: "val.val"}"#)),
            ("name=val=val", Some(r#"{name: "val=val"}"#)),
            ("name=val$val", Some(r#"{name: "val$val"}"#)),
            ("name=(value", Some(r#"{name: "(value"}"#)),
            ("name=value)", Some(r#"{name: "value)"}"#)),
            ("name=(value)", Some(r#"{name: "(value)"}"#)),
            ("name={value", Some(r#"{name: "{value"}"#)),
            ("name=value}", Some(r#"{name: "value}"}"#)),
            ("name={value}", Some(r#"{name: "{value}"}"#)),
            ("name={value1,value2}", Some(r#"{name: "{value1,value2}"}"#)),
            (r"name=val\val", Some(r#"{name: "val\\val"}"#)),
            (r"name=val\\val", Some(r#"{name: "val\\\\val"}"#)),
            (r"name=val\\\val", Some(r#"{name: "val\\\\\\val"}"#)),
            (
                r"name={val,.?*v\0a!l)some",
                Some(r#"{name: "{val,.?*v\\0a!l)some"}"#),
            ),
            (
                r"name=em%GT)tqUDqz,i-\h+Mbqs-!:.m\\rE=mkbM#rR}@{-k@",
                Some(r#"{name: "em%GT)tqUDqz,i-\\h+Mbqs-!:.m\\\\rE=mkbM#rR}@{-k@"}"#),
            ),
        ],
    );
}

#[test]
fn error_messages_are_helms() {
    let cases = [
        (
            "name1,name2",
            r#"key "name1" has no value (cannot end with ,)"#,
        ),
        ("name1.name2", r#"key "name2" has no value"#),
        ("name1.=name2", r#"key map "name1" has no value"#),
        (
            "illegal[0]name.foo=bar",
            "unexpected data at end of array index: ['n' 'a' 'm' 'e']",
        ),
        ("list[-30].hello=world", "negative -30 index not allowed"),
        ("name1={1021,902", "list must terminate with '}'"),
        (
            "a[x]=1",
            r#"error parsing index: strconv.Atoi: parsing "x": invalid syntax"#,
        ),
        (
            "a[99999999999999999999]=1",
            r#"error parsing index: strconv.Atoi: parsing "99999999999999999999": value out of range"#,
        ),
        ("a[0", "error parsing index: EOF"),
        (
            "a[100000000]=x",
            "index of 100000000 is greater than maximum supported index of 65536",
        ),
        (
            "a=1,a.b=2",
            "unable to parse key: interface conversion: interface {} is int64, not map[string]interface {}",
        ),
        (
            "a=x,a[0]=2",
            "unable to parse key: interface conversion: interface {} is string, not []interface {}",
        ),
        (
            "a=null,a.b=2",
            "unable to parse key: interface conversion: interface {} is nil, not map[string]interface {}",
        ),
        (
            "a[0]=x,a[0][0]=2",
            "unable to parse key: interface conversion: interface {} is string, not []interface {}",
        ),
    ];
    for (input, want) in cases {
        assert_eq!(parse(input).unwrap_err(), want, "{input}");
    }
    // An out-of-order map inside a list replaces what was there (Helm: "indices out of order").
    check(parse, &[("a[0]=x,a[0].b=1", Some("{a: [{b: 1}]}"))]);
}

#[test]
fn typed_values() {
    for (input, want) in [
        ("TRUE", "true"),
        ("False", "false"),
        ("NULL", "null"),
        ("-5", "-5"),
        ("+5", "5"),
        ("-0", "0"),
        ("1.5", "\"1.5\""),
        ("1e3", "\"1e3\""),
        ("9223372036854775807", "9223372036854775807"),
        ("9223372036854775808", "\"9223372036854775808\""),
        ("1_000", "\"1_000\""),
        ("0x10", "\"0x10\""),
        ("", "\"\""),
    ] {
        assert_eq!(show(&typed_val(input, false)), want, "{input}");
    }
}

#[test]
fn set_flags_apply_in_helms_order() {
    let base = map_of("keep=yes;a=fromfile");
    let flags = SetFlags {
        json: vec![r#"j={"x":1}"#.to_owned()],
        set: vec!["a=1".to_owned(), "b=true".to_owned()],
        set_string: vec!["b=true".to_owned()],
        set_file: vec!["f=path".to_owned()],
        set_literal: vec!["l=a,b".to_owned()],
    };
    let mut read = |p: &str| Ok(format!("content of {p}"));
    apply_set_flags(&base, &flags, &mut read).unwrap();
    assert_eq!(
        show_map(&base),
        r#"{a: 1, b: "true", f: "content of path", j: {x: 1.0}, keep: "yes", l: "a,b"}"#
    );
    let bad = SetFlags {
        set: vec!["a.=1".to_owned()],
        ..SetFlags::default()
    };
    assert_eq!(
        apply_set_flags(&new_map(), &bad, &mut read).unwrap_err(),
        r#"failed parsing --set data: key map "a" has no value"#
    );
    let bad = SetFlags {
        json: vec!["a={".to_owned()],
        ..SetFlags::default()
    };
    assert_eq!(
        apply_set_flags(&new_map(), &bad, &mut read).unwrap_err(),
        "failed parsing --set-json data a={"
    );
}

#[test]
fn merge_maps_merges_nested_maps() {
    let a = map_of("x.y=1;x.z=2;k=v");
    let b = map_of("x.y=3;x.w=4;k.n=m");
    assert_eq!(
        show_map(&merge_maps(&a, &b)),
        r#"{k: {n: "m"}, x: {w: "4", y: "3", z: "2"}}"#
    );
    // `a` is not changed.
    assert_eq!(show_map(&a), r#"{k: "v", x: {y: "1", z: "2"}}"#);
}

#[test]
fn hostile_inputs_are_bounded() {
    // Helm's index limit.
    assert!(parse("a[100000000]=x").is_err());
    assert!(parse("a[65536]=x").is_ok());
    // Nested indexes at the limit, many times: bounded by the slot budget.
    let deep = format!("a{}=x", "[65536]".repeat(100));
    let e = parse(&deep).unwrap_err();
    assert!(e.contains("list items") || e.contains("levels"), "{e}");
    // Deep nesting without dots: list in list in list...
    let deep = format!("a{}=x", "[0]".repeat(100_000));
    assert!(parse(&deep).unwrap_err().contains("deeper than"));
    let deep = format!("{}=x", "a[0].".repeat(100_000));
    assert!(parse(&deep).unwrap_err().contains("deeper than"));
    assert!(parse_literal(&deep).unwrap_err().contains("deeper than"));
    // Many keys: linear.
    let many: String = (0..50_000).map(|i| format!("k{i}={i},")).collect();
    let m = parse(&many).unwrap();
    assert_eq!(m.borrow().len(), 50_000);
    // A lone backslash, an empty input, stray brackets.
    assert!(parse("a=\\").is_ok());
    assert_eq!(show_map(&parse("").unwrap()), "{}");
    assert!(parse("[").is_err());
    assert!(parse("]]]").is_err());
    assert!(parse_json("a=[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[", &new_map()).is_err());
}
