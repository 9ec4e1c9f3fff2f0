//! Test support: a tiny evaluator of the single-action templates Sprig's and Helm's tests use
//! (`{{ "abc" | upper }}`, `{{ list 1 2 | join "," }}`, `{{ add (mul 2 3) 1 }}`, text around
//! actions, `.Field` of the test's data), so that their cases port as they are written. Only
//! function calls, pipelines, literals and parentheses: the real engine is `helm::template`.

#![allow(clippy::string_slice)] // Test support: the templates are the tests' own ASCII text.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::lookup;
use crate::helm::value::Value;

/// A file of `../shared/oracles/helm/`, or `None` (and a note) when the shared folder is absent.
pub(crate) fn oracle(name: &str) -> Option<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/oracles/helm")
        .join(name);
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(_) => {
            eprintln!("skipped: {} is absent", path.display());
            None
        }
    }
}

/// Calls a function by name.
pub(crate) fn call(name: &str, args: &[Value]) -> Result<Value, String> {
    // The few engine builtins the ported cases use.
    match name {
        "len" => {
            return Ok(Value::Int(match &args[0] {
                Value::Str(s) => s.text.len(),
                Value::List(l) => l.len(),
                Value::Map(m) => m.borrow().len(),
                other => panic!("len of {other:?}"),
            } as i64));
        }
        "printf" => {
            let (f, rest) = args.split_first().unwrap();
            return Ok(Value::str(crate::helm::gofmt::sprintf(
                f.as_str().unwrap(),
                rest,
            )));
        }
        "print" => return Ok(Value::str(crate::helm::gofmt::sprint(args))),
        "index" => {
            let mut v = args[0].clone();
            for k in &args[1..] {
                v = match (&v, k) {
                    (Value::List(l), Value::Int(i)) => l[*i as usize].clone(),
                    (Value::Map(m), Value::Str(s)) => {
                        m.borrow().get(&*s.text).cloned().unwrap_or_default()
                    }
                    other => panic!("index of {other:?}"),
                };
            }
            return Ok(v);
        }
        "and" => {
            return Ok(args
                .iter()
                .find(|a| !a.truthy())
                .unwrap_or(args.last().unwrap())
                .clone());
        }
        _ => {}
    }
    let f = lookup(name).unwrap_or_else(|| panic!("no function {name}"));
    f(args)
}

/// Renders `tpl` with `data` as `.`; an error is the function's error text.
pub(crate) fn render(tpl: &str, data: &Value) -> Result<String, String> {
    let nodes = parse_nodes(&mut split_actions(tpl).into_iter().peekable());
    let mut out = String::new();
    let mut vars: Vec<(String, Value)> = vec![("$".to_owned(), data.clone())];
    exec(&nodes, data, &mut vars, &mut out)?;
    Ok(out)
}

enum Piece {
    Text(String),
    Action(String),
}

/// Text and actions, with `{{-` / `-}}` trimming applied.
fn split_actions(tpl: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut rest = tpl;
    let mut trim_next = false;
    while let Some(start) = rest.find("{{") {
        let mut text = rest[..start].to_owned();
        if trim_next {
            text = text.trim_start().to_owned();
        }
        let after = &rest[start + 2..];
        let end = after.find("}}").expect("unclosed action");
        let mut action = &after[..end];
        if let Some(a) = action.strip_prefix('-') {
            text = text.trim_end().to_owned();
            action = a;
        }
        trim_next = false;
        if let Some(a) = action.strip_suffix('-') {
            trim_next = true;
            action = a;
        }
        pieces.push(Piece::Text(text));
        pieces.push(Piece::Action(action.trim().to_owned()));
        rest = &after[end + 2..];
    }
    let text = if trim_next { rest.trim_start() } else { rest };
    pieces.push(Piece::Text(text.to_owned()));
    pieces
}

enum Node {
    Text(String),
    Action(String),
    If(String, Vec<Node>, Vec<Node>),
    Range(String, Vec<Node>),
}

fn parse_nodes(pieces: &mut std::iter::Peekable<std::vec::IntoIter<Piece>>) -> Vec<Node> {
    let mut nodes = Vec::new();
    while let Some(p) = pieces.peek() {
        if let Piece::Action(a) = p
            && (a == "end" || a == "else")
        {
            break;
        }
        match pieces.next().unwrap() {
            Piece::Text(t) => nodes.push(Node::Text(t)),
            Piece::Action(a) => {
                if let Some(cond) = a.strip_prefix("if ") {
                    let then = parse_nodes(pieces);
                    let mut other = Vec::new();
                    if let Some(Piece::Action(e)) = pieces.next()
                        && e == "else"
                    {
                        other = parse_nodes(pieces);
                        pieces.next();
                    }
                    nodes.push(Node::If(cond.to_owned(), then, other));
                } else if let Some(over) = a.strip_prefix("range ") {
                    let body = parse_nodes(pieces);
                    pieces.next();
                    nodes.push(Node::Range(over.to_owned(), body));
                } else {
                    nodes.push(Node::Action(a));
                }
            }
        }
    }
    nodes
}

fn eval(action: &str, dot: &Value, vars: &mut Vec<(String, Value)>) -> Result<Value, String> {
    let mut p = Parser {
        toks: tokenize(action),
        pos: 0,
        dot,
        vars,
    };
    let v = p.pipeline()?;
    assert!(p.pos == p.toks.len(), "trailing tokens in {action:?}");
    Ok(v)
}

fn exec(
    nodes: &[Node],
    dot: &Value,
    vars: &mut Vec<(String, Value)>,
    out: &mut String,
) -> Result<(), String> {
    for node in nodes {
        match node {
            Node::Text(t) => out.push_str(t),
            Node::Action(a) => {
                // `$x := pipeline` / `$x = pipeline` print nothing.
                let toks = tokenize(a);
                if let (Some(Tok::Var(name)), Some(Tok::Assign)) = (toks.first(), toks.get(1)) {
                    let rest = a.split_once('=').unwrap().1;
                    let v = eval(rest, dot, vars)?;
                    vars.push((name.clone(), v));
                    continue;
                }
                match eval(a, dot, vars)? {
                    Value::Nil => out.push_str("<no value>"),
                    v => out.push_str(&v.go_string()),
                }
            }
            Node::If(cond, then, other) => {
                if eval(cond, dot, vars)?.truthy() {
                    exec(then, dot, vars, out)?;
                } else {
                    exec(other, dot, vars, out)?;
                }
            }
            Node::Range(over, body) => {
                let (names, expr) = match over.split_once(":=") {
                    Some((names, expr)) => (
                        names
                            .split(',')
                            .map(|n| n.trim().to_owned())
                            .collect::<Vec<_>>(),
                        expr,
                    ),
                    None => (Vec::new(), over.as_str()),
                };
                let items: Vec<(Value, Value)> = match eval(expr, dot, vars)? {
                    Value::List(l) => l
                        .iter()
                        .enumerate()
                        .map(|(i, v)| (Value::Int(i as i64), v.clone()))
                        .collect(),
                    Value::Map(m) => m
                        .borrow()
                        .iter()
                        .map(|(k, v)| (Value::str(k.as_str()), v.clone()))
                        .collect(),
                    Value::Nil => Vec::new(),
                    other => panic!("range over {other:?}"),
                };
                for (k, v) in items {
                    let mark = vars.len();
                    match names.as_slice() {
                        [e] => vars.push((e.clone(), v.clone())),
                        [i, e] => {
                            vars.push((i.clone(), k));
                            vars.push((e.clone(), v.clone()));
                        }
                        _ => {}
                    }
                    exec(body, &v, vars, out)?;
                    vars.truncate(mark);
                }
            }
        }
    }
    Ok(())
}

/// `render` with no data; panics on an error.
pub(crate) fn run(tpl: &str) -> String {
    render(tpl, &Value::Nil).unwrap_or_else(|e| panic!("{tpl}: {e}"))
}

/// `render` with no data, expecting an error; returns it.
pub(crate) fn run_err(tpl: &str) -> String {
    match render(tpl, &Value::Nil) {
        Ok(out) => panic!("{tpl}: expected an error, got {out:?}"),
        Err(e) => e,
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Var(String),
    Assign,
    Comma,
    Ident(String),
    Field(Vec<String>),
    /// `.a.b` written right after `)` or a variable: a field of that value.
    Chain(Vec<String>),
    Str(String),
    Int(i64),
    Float(f64),
    Pipe,
    Open,
    Close,
}

fn tokenize(s: &str) -> Vec<Tok> {
    let chars: Vec<char> = s.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '$' {
            let mut j = i + 1;
            while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
                j += 1;
            }
            toks.push(Tok::Var(chars[i..j].iter().collect()));
            i = j;
        } else if c == ':' && chars.get(i + 1) == Some(&'=') {
            toks.push(Tok::Assign);
            i += 2;
        } else if c == '=' {
            toks.push(Tok::Assign);
            i += 1;
        } else if c == ',' {
            toks.push(Tok::Comma);
            i += 1;
        } else if c == '|' {
            toks.push(Tok::Pipe);
            i += 1;
        } else if c == '(' {
            toks.push(Tok::Open);
            i += 1;
        } else if c == ')' {
            toks.push(Tok::Close);
            i += 1;
        } else if c == '"' {
            let mut j = i + 1;
            let mut text = String::new();
            while chars[j] != '"' {
                if chars[j] == '\\' {
                    j += 1;
                    text.push(match chars[j] {
                        'n' => '\n',
                        't' => '\t',
                        'r' => '\r',
                        other => other,
                    });
                } else {
                    text.push(chars[j]);
                }
                j += 1;
            }
            toks.push(Tok::Str(text));
            i = j + 1;
        } else if c == '`' {
            let mut j = i + 1;
            while chars[j] != '`' {
                j += 1;
            }
            toks.push(Tok::Str(chars[i + 1..j].iter().collect()));
            i = j + 1;
        } else if c == '\'' {
            toks.push(Tok::Int(chars[i + 1] as i64));
            i += 3;
        } else if c == '.' && chars.get(i + 1).is_none_or(|c| !c.is_ascii_digit()) {
            let mut j = i;
            let mut path = Vec::new();
            while j < chars.len() && chars[j] == '.' {
                let mut k = j + 1;
                while k < chars.len() && (chars[k].is_alphanumeric() || chars[k] == '_') {
                    k += 1;
                }
                if k > j + 1 {
                    path.push(chars[j + 1..k].iter().collect());
                }
                j = k;
            }
            let attached = i > 0 && (chars[i - 1] == ')' || chars[i - 1].is_alphanumeric());
            toks.push(if attached {
                Tok::Chain(path)
            } else {
                Tok::Field(path)
            });
            i = j;
        } else if c.is_ascii_digit() || c == '-' || c == '+' || c == '.' {
            let mut j = i + 1;
            while j < chars.len()
                && (chars[j].is_ascii_alphanumeric() || chars[j] == '.' || chars[j] == '_')
            {
                if (chars[j] == 'e' || chars[j] == 'E')
                    && matches!(chars.get(j + 1), Some('-') | Some('+'))
                {
                    j += 1;
                }
                j += 1;
            }
            let text: String = chars[i..j].iter().collect();
            if let Some(hex) = text.strip_prefix("0x") {
                toks.push(Tok::Int(i64::from_str_radix(hex, 16).unwrap()));
            } else if let Ok(n) = text.parse::<i64>() {
                toks.push(Tok::Int(n));
            } else {
                toks.push(Tok::Float(text.parse().unwrap()));
            }
            i = j;
        } else {
            let mut j = i;
            while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
                j += 1;
            }
            assert!(j > i, "unexpected {c:?} in {s:?}");
            toks.push(Tok::Ident(chars[i..j].iter().collect()));
            i = j;
        }
    }
    toks
}

struct Parser<'a> {
    toks: Vec<Tok>,
    pos: usize,
    dot: &'a Value,
    vars: &'a [(String, Value)],
}

/// `.a.b` of a value: map keys, or an object's fields and argument-less methods.
fn field_path(mut v: Value, path: &[String]) -> Value {
    for key in path {
        v = match v {
            Value::Map(m) => m.borrow().get(key).cloned().unwrap_or_default(),
            Value::Object(o) => o
                .field(key)
                .or_else(|| o.call(key, &[]).and_then(Result::ok))
                .unwrap_or_default(),
            _ => Value::Nil,
        };
    }
    v
}

impl Parser<'_> {
    fn pipeline(&mut self) -> Result<Value, String> {
        let mut v = self.command(None)?;
        while self.toks.get(self.pos) == Some(&Tok::Pipe) {
            self.pos += 1;
            v = self.command(Some(v))?;
        }
        Ok(v)
    }

    fn command(&mut self, piped: Option<Value>) -> Result<Value, String> {
        match self.toks.get(self.pos).cloned() {
            Some(Tok::Ident(name)) if !matches!(name.as_str(), "true" | "false" | "nil") => {
                self.pos += 1;
                let mut args = Vec::new();
                while let Some(t) = self.toks.get(self.pos) {
                    if matches!(t, Tok::Pipe | Tok::Close) {
                        break;
                    }
                    args.push(self.operand()?);
                }
                args.extend(piped);
                call(&name, &args)
            }
            Some(Tok::Open) => {
                // `(expr).Method args...`: a method call on an object.
                self.pos += 1;
                let recv = self.pipeline()?;
                assert_eq!(self.toks.get(self.pos), Some(&Tok::Close));
                self.pos += 1;
                let Some(Tok::Chain(path)) = self.toks.get(self.pos).cloned() else {
                    assert!(piped.is_none(), "a value cannot take a piped value");
                    return Ok(recv);
                };
                self.pos += 1;
                let mut args = Vec::new();
                while let Some(t) = self.toks.get(self.pos) {
                    if matches!(t, Tok::Pipe | Tok::Close) {
                        break;
                    }
                    args.push(self.operand()?);
                }
                args.extend(piped);
                let Value::Object(o) = recv else {
                    panic!("method call on {recv:?}")
                };
                o.call(&path[0], &args).expect("no such method")
            }
            _ => {
                let v = self.operand()?;
                assert!(piped.is_none(), "a literal cannot take a piped value");
                Ok(v)
            }
        }
    }

    fn operand(&mut self) -> Result<Value, String> {
        let t = self.toks[self.pos].clone();
        self.pos += 1;
        Ok(match t {
            Tok::Str(s) => Value::str(s),
            Tok::Int(i) => Value::Int(i),
            Tok::Float(f) => Value::Float(f),
            Tok::Ident(i) if i == "true" => Value::Bool(true),
            Tok::Ident(i) if i == "false" => Value::Bool(false),
            Tok::Ident(i) if i == "nil" => Value::Nil,
            Tok::Ident(name) => call(&name, &[])?,
            Tok::Field(path) => field_path(self.dot.clone(), &path),
            Tok::Var(name) => {
                let v = self
                    .vars
                    .iter()
                    .rev()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_else(|| panic!("undefined variable {name}"));
                match self.toks.get(self.pos).cloned() {
                    Some(Tok::Chain(path)) => {
                        self.pos += 1;
                        field_path(v, &path)
                    }
                    _ => v,
                }
            }
            Tok::Open => {
                let v = self.pipeline()?;
                assert_eq!(self.toks.get(self.pos), Some(&Tok::Close));
                self.pos += 1;
                match self.toks.get(self.pos).cloned() {
                    Some(Tok::Chain(path)) => {
                        self.pos += 1;
                        field_path(v, &path)
                    }
                    _ => v,
                }
            }
            t => panic!("unexpected token {t:?}"),
        })
    }
}

/// A map value from pairs (test data).
pub(crate) fn map_of(pairs: Vec<(&str, Value)>) -> Value {
    Value::map(
        pairs
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect::<BTreeMap<_, _>>(),
    )
}

/// Checks each (template, expected output) pair and returns how many passed; panics with
/// every failure listed.
pub(crate) fn check_all(cases: &[(&str, &str)]) -> usize {
    let mut failures = Vec::new();
    for (tpl, want) in cases {
        match render(tpl, &Value::Nil) {
            Ok(got) if got == *want => {}
            Ok(got) => failures.push(format!("{tpl}: want {want:?}, got {got:?}")),
            Err(e) => failures.push(format!("{tpl}: want {want:?}, error {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    cases.len()
}
