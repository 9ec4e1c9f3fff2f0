//! Tests: Go's own text/template cases (exec_test.go, parse_test.go), ported; Helm's engine
//! cases (helm/helm v3 pkg/engine/engine_test.go) that need only the builtins, `include`,
//! `tpl` and a few small functions defined here; provenance; hostile input.

use std::collections::BTreeMap;
use std::rc::Rc;

use super::exec;
use super::parse::{self, list_string};
use super::*;
use crate::helm::value::{Func, Object, Value};

mod go_exec;
mod go_lex;
mod go_parse;
mod helm_engine;
mod hostile;
mod provenance;

// Values.

fn s(x: &str) -> Value {
    Value::str(x)
}

fn i(x: i64) -> Value {
    Value::Int(x)
}

fn list(items: Vec<Value>) -> Value {
    Value::list(items)
}

fn map(entries: Vec<(&str, Value)>) -> Value {
    Value::map(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect::<BTreeMap<_, _>>(),
    )
}

// A small function table for the tests (the real one is helm::funcs).

fn want_str(_name: &str, v: &Value) -> Result<String, String> {
    match v {
        Value::Str(s) => Ok(s.text.to_string()),
        Value::Nil => Err("invalid value; expected string".to_owned()),
        v => Err(format!(
            "wrong type for value; expected string; got {}",
            match v {
                Value::Int(_) => "int",
                Value::Float(_) => "float64",
                Value::Bool(_) => "bool",
                _ => "interface {}",
            }
        )),
    }
}

fn arity(name: &str, args: &[Value], n: usize) -> Result<(), String> {
    if args.len() != n {
        return Err(format!(
            "wrong number of args for {name}: want {n} got {}",
            args.len()
        ));
    }
    Ok(())
}

pub(super) fn test_funcs(name: &str) -> Option<Func> {
    Some(match name {
        // exec_test.go's FuncMap.
        "typeOf" => |a| {
            Ok(s(crate::helm::gofmt::type_name(
                a.first().unwrap_or(&Value::Nil),
            )))
        },
        "add" => |a| {
            let mut sum = 0;
            for v in a {
                match v {
                    Value::Int(x) => sum += x,
                    _ => return Err("wrong type for value; expected int".to_owned()),
                }
            }
            Ok(i(sum))
        },
        "echo" => |a| {
            arity("echo", a, 1)?;
            Ok(a[0].clone())
        },
        "makemap" => |a| {
            let mut m = BTreeMap::new();
            for pair in a.chunks(2) {
                m.insert(want_str("makemap", &pair[0])?, pair[1].clone());
            }
            Ok(Value::map(m))
        },
        "mapOfThree" => |_| Ok(map(vec![("three", i(3))])),
        "oneArg" => |a| {
            arity("oneArg", a, 1)?;
            Ok(s(&format!("oneArg={}", want_str("oneArg", &a[0])?)))
        },
        "twoArgs" => |a| {
            arity("twoArgs", a, 2)?;
            Ok(s(&format!(
                "twoArgs={}{}",
                want_str("twoArgs", &a[0])?,
                want_str("twoArgs", &a[1])?
            )))
        },
        "dddArg" => |a| {
            if !matches!(a.first(), Some(Value::Int(_))) {
                return Err("wrong type for value; expected int".to_owned());
            }
            for v in &a[1..] {
                want_str("dddArg", v)?;
            }
            Ok(s("ddd"))
        },
        "zeroArgs" => |a| {
            arity("zeroArgs", a, 0)?;
            Ok(s("zeroArgs"))
        },
        "returnInt" => |_| Ok(i(7)),
        "valueString" => |a| {
            arity("valueString", a, 1)?;
            want_str("valueString", &a[0])?;
            Ok(s("value is ignored"))
        },
        "die" => |_| Err("die".to_owned()),
        "doPanic" => |_| Err("custom panic string".to_owned()),
        // A channel of n letters: a list here (count 0 is a nil channel).
        "count" => |a| match a.first() {
            Some(Value::Int(0)) => Ok(Value::Nil),
            Some(Value::Int(n)) => Ok(list(
                "abcdefghijklmnop"
                    .chars()
                    .take(*n as usize)
                    .map(|c| s(&c.to_string()))
                    .collect(),
            )),
            _ => Err("bad count".to_owned()),
        },
        // Helm's (engine.go) and a few of Sprig's, as the engine tests use them.
        "required" => |a| {
            arity("required", a, 2)?;
            let warn = want_str("required", &a[0])?;
            match &a[1] {
                Value::Nil => Err(format!("HELM_ERR_START{warn}HELM_ERR_END")),
                Value::Str(x) if x.text.is_empty() => {
                    Err(format!("HELM_ERR_START{warn}HELM_ERR_END"))
                }
                v => Ok(v.clone()),
            }
        },
        "fail" => |a| {
            arity("fail", a, 1)?;
            Err(format!(
                "HELM_ERR_START{}HELM_ERR_END",
                want_str("fail", &a[0])?
            ))
        },
        "upper" => |a| Ok(s(&want_str("upper", &a[0])?.to_uppercase())),
        "lower" => |a| Ok(s(&want_str("lower", &a[0])?.to_lowercase())),
        "title" => |a| {
            let t = want_str("title", &a[0])?;
            let mut out = String::new();
            let mut start = true;
            for c in t.chars() {
                if start {
                    out.extend(c.to_uppercase());
                } else {
                    out.push(c);
                }
                start = c.is_whitespace();
            }
            Ok(s(&out))
        },
        "quote" => |a| {
            Ok(s(&format!(
                "\"{}\"",
                a.last().map(Value::go_string).unwrap_or_default()
            )))
        },
        "repeat" => |a| {
            let Some(Value::Int(n)) = a.first() else {
                return Err("bad repeat".to_owned());
            };
            Ok(s(&want_str("repeat", &a[1])?.repeat(*n as usize)))
        },
        "dict" => |a| {
            let mut m = BTreeMap::new();
            for pair in a.chunks(2) {
                m.insert(
                    pair[0].go_string(),
                    pair.get(1).cloned().unwrap_or(Value::Nil),
                );
            }
            Ok(Value::map(m))
        },
        "indent" => |a| {
            let Some(Value::Int(n)) = a.first() else {
                return Err("bad indent".to_owned());
            };
            let pad = " ".repeat(*n as usize);
            let text = want_str("indent", &a[1])?;
            Ok(s(&format!(
                "{pad}{}",
                text.replace('\n', &format!("\n{pad}"))
            )))
        },
        "nindent" => |a| {
            let Some(Value::Int(n)) = a.first() else {
                return Err("bad nindent".to_owned());
            };
            let pad = " ".repeat(*n as usize);
            let text = want_str("nindent", &a[1])?;
            Ok(s(&format!(
                "\n{pad}{}",
                text.replace('\n', &format!("\n{pad}"))
            )))
        },
        "trim" => |a| Ok(s(want_str("trim", &a[0])?.trim())),
        _ => return None,
    })
}

/// Parses `src` as `name` with the test functions and runs it as Go does (no Helm clean-up of
/// `<no value>`): the output or Go's error message.
fn go_run(name: &str, src: &str, data: &Value) -> Result<String, String> {
    go_run_opts(name, src, data, &ExecOptions::default())
}

fn go_run_opts(name: &str, src: &str, data: &Value, opts: &ExecOptions) -> Result<String, String> {
    let mut t = Templates::with_funcs(test_funcs);
    t.parse(name, src).map_err(|e| e.go_message)?;
    exec::execute(&t, name, data, opts)
        .map(|o| o.text)
        .map_err(|e| e.msg)
}

/// A set of (name, text) parsed in order, then `name` executed as Helm does.
fn helm_render(
    files: &[(&str, &str)],
    name: &str,
    data: &Value,
    strict: bool,
) -> Result<Rendered, TemplateError> {
    let mut t = Templates::with_funcs(test_funcs);
    for (n, text) in files {
        t.parse(n, text)?;
    }
    let opts = ExecOptions {
        strict,
        ..ExecOptions::default()
    };
    t.execute(name, data, &opts)
}

#[test]
fn smoke() {
    assert_eq!(
        go_run("t", "a{{.x}}b", &map(vec![("x", s("X"))])).unwrap(),
        "aXb"
    );
    assert_eq!(
        go_run(
            "t",
            "{{range $i, $v := .}}{{$i}}={{$v}};{{end}}",
            &list(vec![s("a"), s("b")])
        )
        .unwrap(),
        "0=a;1=b;"
    );
}
