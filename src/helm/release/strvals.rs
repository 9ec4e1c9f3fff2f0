//! Helm's `--set`, `--set-string`, `--set-file`, `--set-json` and `--set-literal` syntax: the
//! semantics of helm/helm `pkg/strvals/parser.go` and `literal_parser.go` at v3.21.4 (commit
//! 813176c5), with their test tables ported below, and the order in which
//! `pkg/cli/values/options.go` (`MergeValues`) applies the flags.
//!
//! `name=value,outer.inner=value,list[0]=x,list={a,b}`: dotted keys make maps, `[i]` list
//! indexes (at most [`MAX_INDEX`]), `{a,b}` lists, `\` escapes the next character. `--set`
//! types its values (`true`/`false` in any case, `null` is nil, `0` and integers without a
//! leading zero are `int64`, everything else a string); `--set-string` keeps strings;
//! `--set-literal` takes the rest of the line as one string; `--set-file` reads each value
//! through the caller's reader; `--set-json` reads a JSON value (numbers are float64, as Go's
//! `encoding/json` decodes them into `interface{}`).
//!
//! Where Helm would panic on a type conversion (`a=1,a.b=2`: `a` is not a map) it recovers and
//! reports `unable to parse key: interface conversion: ...`; so does this.
//!
//! Bounds Helm does not have (Go grows its stacks; this port must not overflow its own):
//! list indexes and keys together nest at most [`MAX_NESTING`] levels, and one flag creates at
//! most [`MAX_LIST_SLOTS`] list slots (`a[65536][65536]...` would allocate gigabytes).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

/// Go's `strconv.Quote` (`%q` of a string).
pub(crate) use crate::helm::gofmt::quote as go_quote;
use crate::helm::value::{Map, Value};

/// Helm's `strvals.MaxIndex`: the largest list index `a[i]=x` accepts.
pub(crate) const MAX_INDEX: i64 = 65536;
/// Helm's `strvals.MaxNestedNameLevel`: at most this many dots in one key.
pub(crate) const MAX_NESTED_NAME_LEVEL: usize = 30;
/// Nesting of keys and list indexes together (`a[0][0]...`, `a[0].b[0].c...`), which Helm
/// does not bound; no real value nests this deep.
pub(crate) const MAX_NESTING: usize = 200;
/// List slots one flag may create (Helm: unbounded; 65537 per index, times the nesting).
pub(crate) const MAX_LIST_SLOTS: usize = 1 << 22;

/// Reads a `--set-file` value (the text after `=`, or each item of `{a,b}`) into a value.
pub(crate) type ValueReader<'a> = dyn FnMut(&str) -> Result<Value, String> + 'a;

/// Why a parse stopped: the end of the input (not an error at the top), or an error.
#[derive(Debug)]
enum Stop {
    Eof,
    Err(String),
}

type Res<T> = Result<T, Stop>;

fn err<T>(msg: impl Into<String>) -> Res<T> {
    Err(Stop::Err(msg.into()))
}

/// `--set`: parses `s` into a new map.
pub(crate) fn parse(s: &str) -> Result<Map, String> {
    let dest = new_map();
    parse_into(s, &dest)?;
    Ok(dest)
}

/// `--set-string`: parses `s` into a new map, every value a string.
pub(crate) fn parse_string(s: &str) -> Result<Map, String> {
    let dest = new_map();
    parse_into_string(s, &dest)?;
    Ok(dest)
}

/// `strvals.ParseInto`: `--set` merged into `dest` (a key already there is overwritten).
pub(crate) fn parse_into(s: &str, dest: &Map) -> Result<(), String> {
    let mut reader = |v: &str| Ok(typed_val(v, false));
    Parser::new(s, Mode::Reader(&mut reader)).run(dest)
}

/// `strvals.ParseIntoString`: `--set-string` merged into `dest`.
pub(crate) fn parse_into_string(s: &str, dest: &Map) -> Result<(), String> {
    let mut reader = |v: &str| Ok(typed_val(v, true));
    Parser::new(s, Mode::Reader(&mut reader)).run(dest)
}

/// `strvals.ParseIntoFile`: `--set-file` merged into `dest`; `reader` turns each value (a path)
/// into the value to set.
pub(crate) fn parse_into_file(
    s: &str,
    dest: &Map,
    reader: &mut ValueReader<'_>,
) -> Result<(), String> {
    Parser::new(s, Mode::Reader(reader)).run(dest)
}

/// `strvals.ParseJSON`: `--set-json` merged into `dest`.
pub(crate) fn parse_json(s: &str, dest: &Map) -> Result<(), String> {
    Parser::new(s, Mode::Json).run(dest)
}

/// `strvals.ParseLiteral`: `--set-literal` into a new map.
pub(crate) fn parse_literal(s: &str) -> Result<Map, String> {
    let dest = new_map();
    parse_literal_into(s, &dest)?;
    Ok(dest)
}

/// `strvals.ParseLiteralInto`: `--set-literal` merged into `dest`.
pub(crate) fn parse_literal_into(s: &str, dest: &Map) -> Result<(), String> {
    Parser::new(s, Mode::Literal).run(dest)
}

/// The value flags of `helm template`/`install`, each in the order given on the command line.
#[derive(Debug, Clone, Default)]
pub(crate) struct SetFlags {
    pub(crate) json: Vec<String>,
    pub(crate) set: Vec<String>,
    pub(crate) set_string: Vec<String>,
    pub(crate) set_file: Vec<String>,
    pub(crate) set_literal: Vec<String>,
}

/// `values.Options.MergeValues` after the `-f` files: applies `--set-json`, `--set`,
/// `--set-string`, `--set-file` and `--set-literal`, in that order (whatever the order on the
/// command line), into `base` (the `-f` files merged with [`merge_maps`]). `read_file` reads a
/// `--set-file` path (Helm: the file's text as a string; `-` is stdin). The errors are Helm's.
pub(crate) fn apply_set_flags(
    base: &Map,
    flags: &SetFlags,
    read_file: &mut dyn FnMut(&str) -> Result<String, String>,
) -> Result<(), String> {
    for value in &flags.json {
        if parse_json(value, base).is_err() {
            return Err(format!("failed parsing --set-json data {value}"));
        }
    }
    for value in &flags.set {
        parse_into(value, base).map_err(|e| format!("failed parsing --set data: {e}"))?;
    }
    for value in &flags.set_string {
        parse_into_string(value, base)
            .map_err(|e| format!("failed parsing --set-string data: {e}"))?;
    }
    for value in &flags.set_file {
        let mut reader = |path: &str| read_file(path).map(Value::str);
        parse_into_file(value, base, &mut reader)
            .map_err(|e| format!("failed parsing --set-file data: {e}"))?;
    }
    for value in &flags.set_literal {
        parse_literal_into(value, base)
            .map_err(|e| format!("failed parsing --set-literal data: {e}"))?;
    }
    Ok(())
}

/// `mergeMaps` of pkg/cli/values/options.go: how successive `-f` files combine. Maps merge key
/// by key (recursively); any other value of `b` replaces `a`'s. Returns a new map; nested maps
/// of `a` that `b` does not touch are shared, as in Go.
pub(crate) fn merge_maps(a: &Map, b: &Map) -> Map {
    merge_maps_at(a, b, 0)
}

fn merge_maps_at(a: &Map, b: &Map, depth: usize) -> Map {
    let mut out = a.borrow().clone();
    for (k, v) in b.borrow().iter() {
        if let (Value::Map(bv), Some(Value::Map(av))) = (v, out.get(k))
            && depth < crate::helm::value::MAX_PRINT_DEPTH
            && !Rc::ptr_eq(av, bv)
        {
            let merged = merge_maps_at(av, bv, depth + 1);
            out.insert(k.clone(), Value::Map(merged));
            continue;
        }
        out.insert(k.clone(), v.clone());
    }
    Rc::new(RefCell::new(out))
}

fn new_map() -> Map {
    Rc::new(RefCell::new(BTreeMap::new()))
}

/// `typedVal` of parser.go: the type `--set` gives a value (`st`: `--set-string`).
pub(crate) fn typed_val(val: &str, st: bool) -> Value {
    if st {
        return Value::str(val);
    }
    if val.eq_ignore_ascii_case("true") {
        return Value::Bool(true);
    }
    if val.eq_ignore_ascii_case("false") {
        return Value::Bool(false);
    }
    if val.eq_ignore_ascii_case("null") {
        return Value::Nil;
    }
    if val == "0" {
        return Value::Int(0);
    }
    // Go's strconv.ParseInt(val, 10, 64), for values that do not start with `0`.
    if !val.is_empty()
        && !val.starts_with('0')
        && let Some(i) = parse_go_int(val)
    {
        return Value::Int(i);
    }
    Value::str(val)
}

/// `strconv.ParseInt(s, 10, 64)`: an optional sign and decimal digits (no `_`), in range.
fn parse_go_int(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Rust's i64 parse accepts the same `+`/`-` and digits.
    s.parse().ok()
}

/// `strconv.Atoi` and its error text.
fn atoi(s: &str) -> Result<i64, String> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "strconv.Atoi: parsing {}: invalid syntax",
            go_quote(s)
        ));
    }
    s.parse()
        .map_err(|_| format!("strconv.Atoi: parsing {}: value out of range", go_quote(s)))
}

/// Go's `%q` of a `[]rune`: each rune quoted with single quotes, `['a' 'b']`.
fn go_quote_runes(s: &str) -> String {
    let mut out = String::from("[");
    for (i, c) in s.chars().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&crate::helm::gofmt::quote_rune(c));
    }
    out.push(']');
    out
}

/// Go's type name of a value, as a failed type assertion names it.
fn go_type(v: Option<&Value>) -> &'static str {
    match v {
        None | Some(Value::Nil) => "nil",
        Some(Value::Bool(_)) => "bool",
        Some(Value::Int(_)) => "int64",
        Some(Value::Float(_)) => "float64",
        Some(Value::Str(_)) => "string",
        Some(Value::List(_)) => "[]interface {}",
        Some(Value::Map(_)) => "map[string]interface {}",
        Some(Value::Object(o)) => o.type_name(),
    }
}

/// The message of the panic Go recovers in `key()` for a failed type assertion.
fn conversion_error(found: Option<&Value>, want: &str) -> Stop {
    Stop::Err(format!(
        "unable to parse key: interface conversion: interface {{}} is {}, not {want}",
        go_type(found)
    ))
}

enum Mode<'r, 'a> {
    /// `--set`, `--set-string`, `--set-file`: values through a reader.
    Reader(&'r mut ValueReader<'a>),
    /// `--set-json`.
    Json,
    /// `--set-literal`.
    Literal,
}

struct Parser<'r, 'a> {
    chars: Vec<char>,
    pos: usize,
    mode: Mode<'r, 'a>,
    depth: usize,
    slots: usize,
}

impl<'r, 'a> Parser<'r, 'a> {
    fn new(s: &str, mode: Mode<'r, 'a>) -> Self {
        Parser {
            chars: s.chars().collect(),
            pos: 0,
            mode,
            depth: 0,
            slots: 0,
        }
    }

    fn literal(&self) -> bool {
        matches!(self.mode, Mode::Literal)
    }

    fn run(mut self, dest: &Map) -> Result<(), String> {
        // Each key consumes input, so this ends; the bound is belt and braces.
        for _ in 0..=self.chars.len() {
            match self.key(dest, 0) {
                Ok(()) => {}
                Err(Stop::Eof) => return Ok(()),
                Err(Stop::Err(e)) => return Err(e),
            }
        }
        Ok(())
    }

    fn read(&mut self) -> Option<char> {
        let c = self.chars.get(self.pos).copied();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    fn unread(&mut self) {
        self.pos = self.pos.saturating_sub(1);
    }

    /// `runesUntil` (with `\` escapes) or `runesUntilLiteral` (without): the text up to a
    /// stop character, and that character (`None` at the end of the input).
    fn until(&mut self, stop: &[char]) -> (String, Option<char>) {
        let escapes = !self.literal();
        let mut v = String::new();
        loop {
            let Some(c) = self.read() else {
                return (v, None);
            };
            if stop.contains(&c) {
                return (v, Some(c));
            }
            if escapes && c == '\\' {
                match self.read() {
                    Some(next) => v.push(next),
                    None => return (v, None),
                }
            } else {
                v.push(c);
            }
        }
    }

    fn enter(&mut self) -> Res<()> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return err(format!(
                "value name nests keys and list indexes deeper than {MAX_NESTING} levels"
            ));
        }
        Ok(())
    }

    /// `key()`: one `name...=value` assignment into `data`.
    fn key(&mut self, data: &Map, level: usize) -> Res<()> {
        self.enter()?;
        let r = self.key_inner(data, level);
        self.depth -= 1;
        r
    }

    fn key_inner(&mut self, data: &Map, mut level: usize) -> Res<()> {
        let stop: &[char] = if self.literal() {
            &['=', '[', '.']
        } else {
            &['=', '[', ',', '.']
        };
        let (k, last) = self.until(stop);
        match last {
            None => {
                if k.is_empty() {
                    return Err(Stop::Eof);
                }
                err(format!("key {} has no value", go_quote(&k)))
            }
            Some('[') => {
                let i = self.key_index()?;
                let existing = data.borrow().get(&k).cloned();
                let list = match existing {
                    None => Vec::new(),
                    Some(Value::List(l)) => l.as_ref().clone(),
                    Some(other) => return Err(conversion_error(Some(&other), "[]interface {}")),
                };
                let (list, r) = self.list_item(list, i, level);
                set(data, &k, Value::list(list));
                r
            }
            Some('=') => match self.mode {
                Mode::Literal => {
                    let value = self.rest();
                    set(data, &k, Value::str(value));
                    Ok(())
                }
                Mode::Json => {
                    if self.empty_val() {
                        set(data, &k, Value::Nil);
                        return Ok(());
                    }
                    let v = self.json_value()?;
                    set(data, &k, v);
                    self.empty_val();
                    Ok(())
                }
                Mode::Reader(_) => match self.val_list()? {
                    ValList::List(vl) => {
                        set(data, &k, Value::list(vl));
                        Ok(())
                    }
                    ValList::Eof => {
                        set(data, &k, Value::str(""));
                        Err(Stop::Eof)
                    }
                    ValList::NotList => {
                        let (rs, _) = self.until(&[',']);
                        let v = self.read_value(&rs)?;
                        set(data, &k, v);
                        Ok(())
                    }
                },
            },
            Some(',') => {
                set(data, &k, Value::str(""));
                err(format!(
                    "key {} has no value (cannot end with ,)",
                    go_quote(&k)
                ))
            }
            Some(_) => {
                // '.'
                level += 1;
                if level > MAX_NESTED_NAME_LEVEL {
                    return err(format!(
                        "value name nested level is greater than maximum supported nested level of {MAX_NESTED_NAME_LEVEL}"
                    ));
                }
                let existing = data.borrow().get(&k).cloned();
                let inner = match existing {
                    None => new_map(),
                    Some(Value::Map(m)) => m,
                    Some(other) => {
                        return Err(conversion_error(Some(&other), "map[string]interface {}"));
                    }
                };
                let e = self.key(&inner, level);
                let empty = inner.borrow().is_empty();
                if e.is_ok() && empty {
                    return err(format!("key map {} has no value", go_quote(&k)));
                }
                if !empty {
                    set(data, &k, Value::Map(inner));
                }
                e
            }
        }
    }

    /// The rest of the input (a literal value).
    fn rest(&mut self) -> String {
        let rest: String = self
            .chars
            .get(self.pos..)
            .unwrap_or_default()
            .iter()
            .collect();
        self.pos = self.chars.len();
        rest
    }

    fn read_value(&mut self, rs: &str) -> Res<Value> {
        match &mut self.mode {
            Mode::Reader(reader) => reader(rs).map_err(Stop::Err),
            Mode::Json | Mode::Literal => Ok(Value::str(rs)),
        }
    }

    /// `keyIndex()`: the index inside `[...]`.
    fn key_index(&mut self) -> Res<i64> {
        let (v, last) = self.until(&[']']);
        if last.is_none() {
            return err("error parsing index: EOF");
        }
        atoi(&v).map_err(|e| Stop::Err(format!("error parsing index: {e}")))
    }

    /// `setIndex()`.
    fn set_index(&mut self, mut list: Vec<Value>, index: i64, val: Value) -> (Vec<Value>, Res<()>) {
        if index < 0 {
            return (list, err(format!("negative {index} index not allowed")));
        }
        if index > MAX_INDEX {
            return (
                list,
                err(format!(
                    "index of {index} is greater than maximum supported index of {MAX_INDEX}"
                )),
            );
        }
        let index = usize::try_from(index).unwrap_or(0);
        if list.len() <= index {
            let grow = index + 1 - list.len();
            self.slots += grow;
            if self.slots > MAX_LIST_SLOTS {
                return (
                    list,
                    err(format!(
                        "error processing index {index}: more than {MAX_LIST_SLOTS} list items"
                    )),
                );
            }
            list.resize(index + 1, Value::Nil);
        }
        if let Some(slot) = list.get_mut(index) {
            *slot = val;
        }
        (list, Ok(()))
    }

    /// `listItem()`: what follows `name[i]`; returns the list (changed or not) and the outcome.
    fn list_item(&mut self, list: Vec<Value>, i: i64, level: usize) -> (Vec<Value>, Res<()>) {
        if let Err(e) = self.enter() {
            return (list, Err(e));
        }
        let r = self.list_item_inner(list, i, level);
        self.depth -= 1;
        r
    }

    fn list_item_inner(
        &mut self,
        mut list: Vec<Value>,
        i: i64,
        level: usize,
    ) -> (Vec<Value>, Res<()>) {
        if i < 0 {
            return (list, err(format!("negative {i} index not allowed")));
        }
        let (k, last) = self.until(&['[', '.', '=']);
        if !k.is_empty() {
            return (
                list,
                err(format!(
                    "unexpected data at end of array index: {}",
                    go_quote_runes(&k)
                )),
            );
        }
        let existing_at = usize::try_from(i).ok().and_then(|i| list.get(i)).cloned();
        match last {
            None => (list, Err(Stop::Eof)),
            Some('=') => match self.mode {
                Mode::Literal => {
                    let value = self.rest();
                    self.set_index(list, i, Value::str(value))
                }
                Mode::Json => {
                    if self.empty_val() {
                        return self.set_index(list, i, Value::Nil);
                    }
                    let v = match self.json_value() {
                        Ok(v) => v,
                        Err(e) => return (list, Err(e)),
                    };
                    let (list, r) = self.set_index(list, i, v);
                    if r.is_err() {
                        return (list, r);
                    }
                    self.empty_val();
                    (list, Ok(()))
                }
                Mode::Reader(_) => match self.val_list() {
                    Err(e) => (list, Err(e)),
                    Ok(ValList::List(vl)) => self.set_index(list, i, Value::list(vl)),
                    Ok(ValList::Eof) => self.set_index(list, i, Value::str("")),
                    Ok(ValList::NotList) => {
                        let (rs, _) = self.until(&[',']);
                        match self.read_value(&rs) {
                            Ok(v) => self.set_index(list, i, v),
                            Err(e) => (list, Err(e)),
                        }
                    }
                },
            },
            Some('[') => {
                let next_i = match self.key_index() {
                    Ok(n) => n,
                    Err(e) => return (list, Err(e)),
                };
                let current = match existing_at {
                    None | Some(Value::Nil) => Vec::new(),
                    Some(Value::List(l)) => l.as_ref().clone(),
                    Some(other) => {
                        return (list, Err(conversion_error(Some(&other), "[]interface {}")));
                    }
                };
                let (list2, r) = self.list_item(current, next_i, level);
                if r.is_err() {
                    return (list, r);
                }
                self.set_index(list, i, Value::list(list2))
            }
            Some(_) => {
                // '.': a map inside the list.
                let inner = match existing_at {
                    Some(Value::Map(m)) => m,
                    Some(_) => {
                        // "indices out of order": the slot becomes an empty map.
                        let m = new_map();
                        if let Some(slot) = usize::try_from(i).ok().and_then(|i| list.get_mut(i)) {
                            *slot = Value::Map(m.clone());
                        }
                        m
                    }
                    None => new_map(),
                };
                let r = self.key(&inner, level);
                if r.is_err() {
                    return (list, r);
                }
                self.set_index(list, i, Value::Map(inner))
            }
        }
    }

    /// `emptyVal()` (`--set-json`): skips blanks; true at a `,` (consumed) or the end.
    fn empty_val(&mut self) -> bool {
        loop {
            match self.read() {
                None | Some(',') => return true,
                Some(c) if c.is_whitespace() => {}
                Some(_) => {
                    self.unread();
                    return false;
                }
            }
        }
    }

    /// One JSON value from the input (Go's `json.Decoder.Decode`), consumed.
    fn json_value(&mut self) -> Res<Value> {
        let rest: String = self
            .chars
            .get(self.pos..)
            .unwrap_or_default()
            .iter()
            .collect();
        let mut stream = serde_json::Deserializer::from_str(&rest).into_iter::<serde_json::Value>();
        let value = match stream.next() {
            Some(Ok(v)) => v,
            Some(Err(e)) => return err(e.to_string()),
            None => return err("EOF"),
        };
        let offset = stream.byte_offset();
        let consumed = rest.get(..offset).map_or(0, |s| s.chars().count());
        self.pos += consumed;
        Ok(from_json(&value))
    }

    /// `valList()`: a `{a,b}` list, or why there is none.
    fn val_list(&mut self) -> Res<ValList> {
        match self.read() {
            None => return Ok(ValList::Eof),
            Some('{') => {}
            Some(_) => {
                self.unread();
                return Ok(ValList::NotList);
            }
        }
        let mut list = Vec::new();
        loop {
            let (rs, last) = self.until(&[',', '}']);
            match last {
                None => return err("list must terminate with '}'"),
                Some('}') => {
                    match self.read() {
                        Some(',') | None => {}
                        Some(_) => self.unread(),
                    }
                    list.push(self.read_value(&rs)?);
                    return Ok(ValList::List(list));
                }
                Some(_) => list.push(self.read_value(&rs)?),
            }
        }
    }
}

enum ValList {
    List(Vec<Value>),
    Eof,
    NotList,
}

/// `set()`: an empty key is not set.
fn set(data: &Map, key: &str, val: Value) {
    if key.is_empty() {
        return;
    }
    data.borrow_mut().insert(key.to_owned(), val);
}

/// A JSON value as Go's `encoding/json` decodes it into `interface{}` (numbers are float64).
/// serde_json refuses nesting beyond 128 levels, so the recursion stays shallow.
fn from_json(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Nil,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => Value::Float(n.as_f64().unwrap_or(0.0)),
        serde_json::Value::String(s) => Value::str(s.as_str()),
        serde_json::Value::Array(items) => Value::list(items.iter().map(from_json).collect()),
        serde_json::Value::Object(entries) => Value::map(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), from_json(v)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests;
