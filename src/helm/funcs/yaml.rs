//! Helm's `toYaml`, `mustToYaml` (v4), `toYamlPretty`, `fromYaml`, `fromYamlArray`
//! (pkg/engine/funcs.go).
//!
//! `toYaml` is sigs.k8s.io/yaml's `Marshal`: the value goes through Go's `json.Marshal` (so
//! floats that are whole numbers become integers, map keys are strings) and then go-yaml v2's
//! encoder and emitter (kubernetes-sigs/yaml goyaml.v2: encode.go `stringv`, resolve.go,
//! sorter.go `keyList.Less`, emitterc.go): keys in go-yaml's natural order (`a2` before
//! `a10`), 2-space indentation, block sequences level with their key, plain scalars unless
//! they would read back as something else (then double-quoted: `"true"`, `"1.0"`, `""`,
//! `"2006-01-02"`) or the emitter refuses them (then single-quoted: `': x'`, `'- a'`), literal
//! blocks (`|-`) for multi-line strings, long lines folded at spaces past column 80. Helm trims
//! the final newline.
//!
//! `fromYaml` reads the first document with kubeward's YAML loader (go-yaml v2's typing,
//! nesting and alias-expansion limits) and converts it as sigs.k8s.io/yaml does: through JSON,
//! so every number is a float64 and keys are strings; an error goes into the map's `Error` key.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use super::{MAX_DEPTH, MAX_ITEMS, args_n, as_str, new_map, s, too_deep};
use crate::helm::value::{Value, go_float};
use crate::load::scalar::ScalarValue;
use crate::load::{NodeId, NodeKind, ProblemKind, parse_yaml};

type R = Result<Value, String>;

/// A value as go-yaml's encoder sees it after the JSON round trip.
#[derive(Debug, Clone)]
enum Y {
    Null,
    Bool(bool),
    /// An integer's decimal text (int64 or uint64 range).
    Int(String),
    Float(f64),
    Str(String),
    Seq(Vec<Y>),
    Map(Vec<(String, Y)>),
}

/// go-yaml v2's `keyList.Less` for string keys: letters before non-letters, runs of digits
/// compared as numbers.
fn key_less(a: &str, b: &str) -> bool {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let n = ar.len().min(br.len());
    for i in 0..n {
        let (Some(&ca), Some(&cb)) = (ar.get(i), br.get(i)) else {
            break;
        };
        if ca == cb {
            continue;
        }
        let al = ca.is_alphabetic();
        let bl = cb.is_alphabetic();
        if al && bl {
            return ca < cb;
        }
        if al || bl {
            return bl;
        }
        let (mut an, mut bn) = (0i64, 0i64);
        if ca == '0' || cb == '0' {
            let mut j = i;
            while j > 0 {
                j -= 1;
                let Some(&c) = ar.get(j) else { break };
                if !c.is_ascii_digit() {
                    break;
                }
                if c != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while let Some(c) = ar.get(ai).filter(|c| c.is_ascii_digit()) {
            an = an.wrapping_mul(10).wrapping_add(i64::from(*c as u8 - b'0'));
            ai += 1;
        }
        let mut bi = i;
        while let Some(c) = br.get(bi).filter(|c| c.is_ascii_digit()) {
            bn = bn.wrapping_mul(10).wrapping_add(i64::from(*c as u8 - b'0'));
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ca < cb;
    }
    ar.len() < br.len()
}

/// Map entries in go-yaml's key order.
fn sorted(mut entries: Vec<(String, Y)>) -> Vec<(String, Y)> {
    entries.sort_by(|a, b| {
        if key_less(&a.0, &b.0) {
            std::cmp::Ordering::Less
        } else if key_less(&b.0, &a.0) {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Equal
        }
    });
    entries
}

/// Go's `json.Marshal` of a value, as the YAML encoder then reads it back; `v3`: go-yaml v3
/// encodes the Go values directly (no JSON round trip: floats stay floats).
fn to_y(v: &Value, depth: usize, v3: bool, budget: &mut usize) -> Result<Y, String> {
    super::spend(budget, "toYaml")?;
    if depth > MAX_DEPTH {
        return Err(
            "json: unsupported value: encountered a cycle via map[string]interface {}".to_owned(),
        );
    }
    Ok(match v {
        Value::Nil => Y::Null,
        Value::Bool(b) => Y::Bool(*b),
        Value::Int(i) => Y::Int(i.to_string()),
        Value::Float(f) if v3 => Y::Float(*f),
        Value::Float(f) => {
            if !f.is_finite() {
                return Err(format!("json: unsupported value: {}", go_float(*f)));
            }
            // json.Marshal writes a whole float below 1e21 as an integer, which go-yaml then
            // reads as an int (or uint64); beyond that range it stays a float.
            if f.fract() == 0.0 && f.abs() < 1e21 {
                if *f >= -9.223_372_036_854_776e18 && *f < 9.223_372_036_854_776e18 {
                    Y::Int((*f as i64).to_string())
                } else if *f >= 0.0 && *f < 1.844_674_407_370_955_2e19 {
                    Y::Int((*f as u64).to_string())
                } else {
                    Y::Float(*f)
                }
            } else {
                Y::Float(*f)
            }
        }
        Value::Str(s) => Y::Str(s.text.to_string()),
        Value::List(items) => Y::Seq(
            items
                .iter()
                .map(|i| to_y(i, depth + 1, v3, budget))
                .collect::<Result<_, _>>()?,
        ),
        Value::Map(m) => {
            let m = m.try_borrow().map_err(|_| too_deep("toYaml"))?;
            let mut entries = Vec::with_capacity(m.len());
            for (k, v) in m.iter() {
                entries.push((k.clone(), to_y(v, depth + 1, v3, budget)?));
            }
            Y::Map(sorted(entries))
        }
        Value::Object(o) => match o.to_data() {
            Value::Nil => Y::Str(o.display()),
            data => to_y(&data, depth + 1, v3, budget)?,
        },
    })
}

static BASE60: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::unwrap_used)] // A constant pattern, exercised by the tests.
    Regex::new(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$").unwrap()
});
static YAML_FLOAT: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::unwrap_used)] // A constant pattern, exercised by the tests.
    Regex::new(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$").unwrap()
});

/// go-yaml v2 `resolve("", s)` gives a tag other than `!!str` (or `isBase60Float`): the string
/// must be quoted to read back as a string.
fn needs_quotes(s: &str) -> bool {
    if s.is_empty() {
        return true;
    }
    if s.starts_with(|c: char| c == '+' || c == '-' || c.is_ascii_digit())
        && s.contains(':')
        && BASE60.is_match(s)
    {
        return true;
    }
    let first = s.as_bytes().first().copied().unwrap_or(0);
    let hint = match first {
        b'+' | b'-' => 'S',
        b'0'..=b'9' => 'D',
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' => 'M',
        b'.' => '.',
        _ => return false,
    };
    if matches!(
        s,
        "y" | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "true"
            | "True"
            | "TRUE"
            | "on"
            | "On"
            | "ON"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "false"
            | "False"
            | "FALSE"
            | "off"
            | "Off"
            | "OFF"
            | "~"
            | "null"
            | "Null"
            | "NULL"
            | ".nan"
            | ".NaN"
            | ".NAN"
            | ".inf"
            | ".Inf"
            | ".INF"
            | "+.inf"
            | "+.Inf"
            | "+.INF"
            | "-.inf"
            | "-.Inf"
            | "-.INF"
            | "<<"
    ) {
        return true;
    }
    match hint {
        '.' => s.parse::<f64>().is_ok_and(f64::is_finite),
        'D' | 'S' => {
            if is_timestamp(s) {
                return true;
            }
            let plain: String = s.chars().filter(|c| *c != '_').collect();
            if super::conv::go_parse_int(&plain, 0).is_some()
                || super::conv::go_parse_uint(&plain, 0).is_some()
            {
                return true;
            }
            if YAML_FLOAT.is_match(&plain) && plain.parse::<f64>().is_ok_and(f64::is_finite) {
                return true;
            }
            if let Some(bits) = plain.strip_prefix("0b") {
                return super::conv::go_parse_uint(bits, 2).is_some();
            }
            if let Some(bits) = plain.strip_prefix("-0b") {
                return super::conv::go_parse_int(&format!("-{bits}"), 2).is_some();
            }
            false
        }
        _ => false,
    }
}

/// go-yaml v2 `parseTimestamp`: `2006-1-2`, `2006-1-2 15:4:5.999999999`,
/// `2006-1-2T15:4:5.999999999Z07:00` (and `t`).
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 5 || !b.iter().take(4).all(u8::is_ascii_digit) || b.get(4) != Some(&b'-') {
        return false;
    }
    let rest = s.get(5..).unwrap_or_default();
    let (date, time) = match rest.find(['T', 't', ' ']) {
        Some(i) => (rest.get(..i).unwrap_or_default(), rest.get(i..)),
        None => (rest, None),
    };
    let num = |t: &str, max: u32| -> bool {
        (1..=2).contains(&t.len())
            && t.bytes().all(|c| c.is_ascii_digit())
            && t.parse::<u32>().is_ok_and(|n| n <= max)
    };
    let Some((month, day)) = date.split_once('-') else {
        return false;
    };
    if !num(month, 12)
        || !num(day, 31)
        || month.parse::<u32>() == Ok(0)
        || day.parse::<u32>() == Ok(0)
    {
        return false;
    }
    let Some(time) = time else { return true };
    let sep = time.chars().next().unwrap_or(' ');
    let t = time.get(1..).unwrap_or_default();
    // Time, fraction, zone.
    let (clock, zone) = if sep == ' ' {
        (t, "")
    } else {
        match t.find(['Z', '+', '-']) {
            Some(i) => (
                t.get(..i).unwrap_or_default(),
                t.get(i..).unwrap_or_default(),
            ),
            None => return false,
        }
    };
    let (hms, frac) = match clock.split_once('.') {
        Some((h, f)) => (h, Some(f)),
        None => (clock, None),
    };
    let parts: Vec<&str> = hms.split(':').collect();
    let [h, m, sec] = parts.as_slice() else {
        return false;
    };
    if !num(h, 23) || !num(m, 59) || !num(sec, 59) {
        return false;
    }
    if let Some(f) = frac
        && (f.is_empty() || f.len() > 9 || !f.bytes().all(|c| c.is_ascii_digit()))
    {
        return false;
    }
    if sep == ' ' {
        return true;
    }
    if zone == "Z" {
        return true;
    }
    let z = zone.get(1..).unwrap_or_default();
    let Some((zh, zm)) = z.split_once(':') else {
        return false;
    };
    zh.len() == 2 && zm.len() == 2 && num(zh, 23) && num(zm, 59)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

/// emitterc.go `yaml_emitter_analyze_scalar`'s verdicts.
struct Analysis {
    multiline: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

fn is_printable(c: char) -> bool {
    matches!(c, '\n' | '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{d7ff}')
        || (('\u{e000}'..='\u{fffd}').contains(&c) && c != '\u{feff}')
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blankz(c: Option<char>) -> bool {
    match c {
        None => true,
        Some(c) => matches!(c, ' ' | '\t' | '\0') || is_break(c),
    }
}

fn analyze(value: &str) -> Analysis {
    if value.is_empty() {
        return Analysis {
            multiline: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    let (mut block_ind, mut line_breaks, mut special) = (false, false, false);
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) =
        (false, false, false, false);
    let (mut break_space, mut space_break) = (false, false);
    let (mut prev_space, mut prev_break) = (false, false);
    if value.starts_with("---") || value.starts_with("...") {
        block_ind = true;
    }
    let chars: Vec<char> = value.chars().collect();
    let mut preceded_by_ws = true;
    let last = chars.len().saturating_sub(1);
    for (i, &c) in chars.iter().enumerate() {
        let followed_by_ws = is_blankz(chars.get(i + 1).copied());
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => block_ind = true,
                '?' | ':' | '-' if followed_by_ws => block_ind = true,
                _ => {}
            }
        } else {
            match c {
                ':' if followed_by_ws => block_ind = true,
                '#' if preceded_by_ws => block_ind = true,
                _ => {}
            }
        }
        if !is_printable(c) {
            special = true;
        }
        if c == ' ' {
            if i == 0 {
                leading_space = true;
            }
            if i == last {
                trailing_space = true;
            }
            if prev_break {
                break_space = true;
            }
            prev_space = true;
            prev_break = false;
        } else if is_break(c) {
            line_breaks = true;
            if i == 0 {
                leading_break = true;
            }
            if i == last {
                trailing_break = true;
            }
            if prev_space {
                space_break = true;
            }
            prev_space = false;
            prev_break = true;
        } else {
            prev_space = false;
            prev_break = false;
        }
        preceded_by_ws = is_blankz(Some(c));
    }
    let mut a = Analysis {
        multiline: line_breaks,
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.block_plain_allowed = false;
    }
    if trailing_space {
        a.block_allowed = false;
    }
    if break_space {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || special {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
        a.block_allowed = false;
    }
    if line_breaks || block_ind {
        a.block_plain_allowed = false;
    }
    a
}

const BEST_INDENT: i64 = 2;
const BEST_WIDTH: usize = 80;

/// The subset of libyaml's emitter go-yaml's encoder drives for block documents.
struct Emitter {
    out: String,
    column: usize,
    whitespace: bool,
    indention: bool,
    indent: i64,
    indents: Vec<i64>,
    /// go-yaml v3 (`toYamlPretty`, its encoder with `SetIndent(2)`): sequences indented
    /// under their key (goyaml.v3's emitter also folds at 80 columns, and quotes YAML 1.1
    /// booleans through `isOldBool`, as v2 does).
    v3: bool,
}

#[derive(Clone, Copy)]
struct Ctx {
    mapping: bool,
    simple_key: bool,
}

impl Emitter {
    fn new(v3: bool) -> Emitter {
        Emitter {
            out: String::new(),
            column: 0,
            whitespace: true,
            indention: true,
            indent: -1,
            indents: Vec::new(),
            v3,
        }
    }

    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0) as usize;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(&mut self, ind: &str, need_ws: bool, is_ws: bool, is_indention: bool) {
        if need_ws && !self.whitespace {
            self.put(' ');
        }
        for c in ind.chars() {
            self.put(c);
        }
        self.whitespace = is_ws;
        self.indention = self.indention && is_indention;
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT;
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn width_exceeded(&self) -> bool {
        self.column > BEST_WIDTH
    }

    fn node(&mut self, y: &Y, ctx: Ctx) {
        match y {
            Y::Null => self.scalar("null", Style::Plain, ctx),
            Y::Bool(b) => self.scalar(if *b { "true" } else { "false" }, Style::Plain, ctx),
            Y::Int(i) => self.scalar(i, Style::Plain, ctx),
            Y::Float(f) => {
                let text = if f.is_nan() {
                    ".nan".to_owned()
                } else if f.is_infinite() {
                    if *f > 0.0 { ".inf" } else { "-.inf" }.to_owned()
                } else {
                    go_float(*f)
                };
                self.scalar(&text, Style::Plain, ctx);
            }
            Y::Str(text) => {
                let style = if text.contains('\n') {
                    Style::Literal
                } else if needs_quotes(text) {
                    Style::Double
                } else {
                    Style::Plain
                };
                self.scalar(text, style, ctx);
            }
            Y::Seq(items) if items.is_empty() => {
                self.write_indicator("[", true, true, false);
                self.write_indicator("]", false, false, false);
            }
            Y::Map(entries) if entries.is_empty() => {
                self.write_indicator("{", true, true, false);
                self.write_indicator("}", false, false, false);
            }
            Y::Seq(items) => {
                let indentless = !self.v3 && ctx.mapping && !self.indention;
                self.increase_indent(false, indentless);
                for item in items {
                    self.write_indent();
                    self.write_indicator("-", true, false, true);
                    self.node(
                        item,
                        Ctx {
                            mapping: false,
                            simple_key: false,
                        },
                    );
                }
                self.pop_indent();
            }
            Y::Map(entries) => {
                self.increase_indent(false, false);
                for (k, v) in entries {
                    self.write_indent();
                    let simple = k.len() <= 128 && !k.chars().any(is_break);
                    if simple {
                        self.node(
                            &Y::Str(k.clone()),
                            Ctx {
                                mapping: true,
                                simple_key: true,
                            },
                        );
                        self.write_indicator(":", false, false, false);
                    } else {
                        self.write_indicator("?", true, false, true);
                        self.node(
                            &Y::Str(k.clone()),
                            Ctx {
                                mapping: true,
                                simple_key: false,
                            },
                        );
                        self.write_indent();
                        self.write_indicator(":", true, false, true);
                    }
                    self.node(
                        v,
                        Ctx {
                            mapping: true,
                            simple_key: false,
                        },
                    );
                }
                self.pop_indent();
            }
        }
    }

    fn scalar(&mut self, value: &str, requested: Style, ctx: Ctx) {
        let a = analyze(value);
        let mut style = requested;
        if ctx.simple_key && a.multiline {
            style = Style::Double;
        }
        if style == Style::Plain && (!a.block_plain_allowed || (value.is_empty() && ctx.simple_key))
        {
            style = Style::Single;
        }
        if style == Style::Single && !a.single_quoted_allowed {
            style = Style::Double;
        }
        if style == Style::Literal && (!a.block_allowed || ctx.simple_key) {
            style = Style::Double;
        }
        self.increase_indent(true, false);
        let allow_breaks = !ctx.simple_key;
        match style {
            Style::Plain => self.write_plain(value, allow_breaks),
            Style::Single => self.write_single(value, allow_breaks),
            Style::Double => self.write_double(value, allow_breaks),
            Style::Literal => self.write_literal(value),
        }
        self.pop_indent();
    }

    fn write_plain(&mut self, value: &str, allow_breaks: bool) {
        if !self.whitespace {
            self.put(' ');
        }
        let chars: Vec<char> = value.chars().collect();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.width_exceeded()
                    && chars.get(i + 1) != Some(&' ')
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                self.indention = false;
                spaces = false;
            }
        }
        self.whitespace = false;
        self.indention = false;
    }

    fn write_single(&mut self, value: &str, allow_breaks: bool) {
        self.write_indicator("'", true, false, false);
        let chars: Vec<char> = value.chars().collect();
        let mut spaces = false;
        let mut breaks = false;
        let n = chars.len();
        for (i, &c) in chars.iter().enumerate() {
            if c == ' ' {
                if allow_breaks
                    && !spaces
                    && self.width_exceeded()
                    && i > 0
                    && i + 1 < n
                    && chars.get(i + 1) != Some(&' ')
                {
                    self.write_indent();
                } else {
                    self.put(c);
                }
                spaces = true;
            } else if is_break(c) {
                if !breaks && c == '\n' {
                    self.put_break();
                }
                if c == '\n' {
                    self.put_break();
                } else {
                    self.out.push(c);
                    self.column = 0;
                }
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if c == '\'' {
                    self.put('\'');
                }
                self.put(c);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.write_indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_double(&mut self, value: &str, allow_breaks: bool) {
        self.write_indicator("\"", true, false, false);
        let chars: Vec<char> = value.chars().collect();
        let n = chars.len();
        let mut spaces = false;
        for (i, &c) in chars.iter().enumerate() {
            if !is_printable(c) || c == '\u{feff}' || is_break(c) || c == '"' || c == '\\' {
                self.put('\\');
                match c {
                    '\0' => self.put('0'),
                    '\u{7}' => self.put('a'),
                    '\u{8}' => self.put('b'),
                    '\t' => self.put('t'),
                    '\n' => self.put('n'),
                    '\u{b}' => self.put('v'),
                    '\u{c}' => self.put('f'),
                    '\r' => self.put('r'),
                    '\u{1b}' => self.put('e'),
                    '"' => self.put('"'),
                    '\\' => self.put('\\'),
                    '\u{85}' => self.put('N'),
                    '\u{a0}' => self.put('_'),
                    '\u{2028}' => self.put('L'),
                    '\u{2029}' => self.put('P'),
                    c => {
                        let v = c as u32;
                        let hex = if v <= 0xFF {
                            format!("x{v:02X}")
                        } else if v <= 0xFFFF {
                            format!("u{v:04X}")
                        } else {
                            format!("U{v:08X}")
                        };
                        for h in hex.chars() {
                            self.put(h);
                        }
                    }
                }
                spaces = false;
            } else if c == ' ' {
                if allow_breaks && !spaces && self.width_exceeded() && i > 0 && i + 1 < n {
                    self.write_indent();
                    if chars.get(i + 1) == Some(&' ') {
                        self.put('\\');
                    }
                } else {
                    self.put(c);
                }
                spaces = true;
            } else {
                self.put(c);
                spaces = false;
            }
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_literal(&mut self, value: &str) {
        self.write_indicator("|", true, false, false);
        // Block scalar hints.
        if value.starts_with(' ') || value.starts_with(is_break) {
            self.write_indicator(&BEST_INDENT.to_string(), false, false, false);
        }
        let mut rev = value.chars().rev();
        let chomp = match (rev.next(), rev.next()) {
            (None, _) => Some("-"),
            (Some(l), _) if !is_break(l) => Some("-"),
            (Some(_), None) => Some("+"),
            (Some(_), Some(p)) if is_break(p) => Some("+"),
            _ => None,
        };
        if let Some(ch) = chomp {
            self.write_indicator(ch, false, false, false);
        }
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        for c in value.chars() {
            if is_break(c) {
                if c == '\n' {
                    self.put_break();
                } else {
                    self.out.push(c);
                    self.column = 0;
                }
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.put(c);
                self.indention = false;
                breaks = false;
            }
        }
    }
}

/// go-yaml's `Marshal` of the value: the document with its final newline.
fn marshal(v: &Value, v3: bool) -> Result<String, String> {
    let y = to_y(v, 0, v3, &mut super::MAX_NODES.clone())?;
    let mut e = Emitter::new(v3);
    e.node(
        &y,
        Ctx {
            mapping: false,
            simple_key: false,
        },
    );
    e.indent = -1;
    e.write_indent();
    super::check_len("toYaml", e.out.len())?;
    Ok(e.out)
}

/// The YAML text Helm's `toYaml` writes for a value (no final newline), or the encoding error.
pub(crate) fn to_yaml_text(v: &Value) -> Result<String, String> {
    let mut text = marshal(v, false)?;
    if text.ends_with('\n') {
        text.pop();
    }
    Ok(text)
}

/// `toYaml`: an encoding error (a NaN, a map that contains itself) gives "".
pub(crate) fn to_yaml(args: &[Value]) -> R {
    let [v] = args_n("toYaml", args)?;
    Ok(s(to_yaml_text(v).unwrap_or_default()))
}

/// Helm v4's `mustToYaml`: the encoding error is returned.
pub(crate) fn must_to_yaml(args: &[Value]) -> R {
    let [v] = args_n("mustToYaml", args)?;
    Ok(s(to_yaml_text(v)?))
}

/// `toYamlPretty`: go-yaml v3's encoder with 2-space indentation (sequences indented under
/// their key).
pub(crate) fn to_yaml_pretty(args: &[Value]) -> R {
    let [v] = args_n("toYamlPretty", args)?;
    Ok(s(match marshal(v, true) {
        Ok(mut text) => {
            if text.ends_with('\n') {
                text.pop();
            }
            text
        }
        Err(_) => String::new(),
    }))
}

/// The first YAML document of `text` as sigs.k8s.io/yaml's `Unmarshal` into an `interface{}`
/// gives it (numbers float64, keys strings); `Ok(None)` for an empty or `null` document.
pub(crate) fn parse_yaml_value(text: &str) -> Result<Option<Value>, String> {
    let loaded = parse_yaml(text);
    if let Some(problem) = loaded
        .problems
        .iter()
        .find(|p| p.kind == ProblemKind::Syntax && p.document.is_none_or(|d| d == 0))
    {
        let line = text
            .get(..problem.span.start.min(text.len()))
            .map_or(1, |t| t.matches('\n').count() + 1);
        return Err(format!(
            "error converting YAML to JSON: yaml: line {line}: {}",
            problem.message
        ));
    }
    let Some(doc) = loaded.documents.first() else {
        return Ok(None);
    };
    let mut budget = MAX_ITEMS * 4;
    let v = node_value(doc, doc.root, 0, &mut budget)?;
    Ok(match v {
        Value::Nil => None,
        v => Some(v),
    })
}

fn node_value(
    doc: &crate::load::Document,
    id: NodeId,
    depth: usize,
    budget: &mut usize,
) -> Result<Value, String> {
    if depth > MAX_DEPTH {
        return Err(too_deep("fromYaml"));
    }
    if *budget == 0 {
        return Err(
            "error converting YAML to JSON: the document expands to too many nodes".to_owned(),
        );
    }
    *budget -= 1;
    Ok(match doc.kind(id) {
        NodeKind::Scalar(scalar) => match scalar.value() {
            ScalarValue::Null => Value::Nil,
            ScalarValue::Bool(b) => Value::Bool(b),
            ScalarValue::Int(i) => Value::Float(i as f64),
            ScalarValue::BigInt => {
                Value::Float(scalar.text.replace('_', "").parse().unwrap_or(0.0))
            }
            ScalarValue::Float(f) => {
                if !f.is_finite() {
                    return Err(format!(
                        "error converting YAML to JSON: json: unsupported value: {}",
                        go_float(f)
                    ));
                }
                Value::Float(f)
            }
            ScalarValue::String => Value::str(scalar.text),
        },
        NodeKind::Sequence(items) => Value::list(
            items
                .iter()
                .map(|i| node_value(doc, *i, depth + 1, budget))
                .collect::<Result<_, _>>()?,
        ),
        NodeKind::Mapping(entries) => {
            let mut m = BTreeMap::new();
            for entry in entries {
                let key = match doc.scalar(entry.key) {
                    Some(k) => match k.value() {
                        ScalarValue::Bool(b) => b.to_string(),
                        ScalarValue::Int(i) => i.to_string(),
                        ScalarValue::Float(f) => go_float(f),
                        ScalarValue::Null => {
                            return Err(
                                "error converting YAML to JSON: Unsupported map key of type: <nil>"
                                    .to_owned(),
                            );
                        }
                        _ => k.text.to_owned(),
                    },
                    None => {
                        return Err(
                            "error converting YAML to JSON: Unsupported map key of type: map"
                                .to_owned(),
                        );
                    }
                };
                m.insert(key, node_value(doc, entry.value, depth + 1, budget)?);
            }
            new_map(m)
        }
    })
}

/// `fromYaml`: the first document as a map; an error in its `Error` key.
pub(crate) fn from_yaml(args: &[Value]) -> R {
    let [text] = args_n("fromYaml", args)?;
    let text = as_str(text)?;
    let mut m = BTreeMap::new();
    match parse_yaml_value(text) {
        Ok(None) => {}
        Ok(Some(Value::Map(v))) => return Ok(Value::Map(v)),
        Ok(Some(other)) => {
            m.insert(
                "Error".to_owned(),
                s(format!(
                    "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
                    super::json::kind_word(&other)
                )),
            );
        }
        Err(e) => {
            m.insert("Error".to_owned(), s(e));
        }
    }
    Ok(new_map(m))
}

/// `fromYamlArray`: the first document as a list; an error as the list's only element.
pub(crate) fn from_yaml_array(args: &[Value]) -> R {
    let [text] = args_n("fromYamlArray", args)?;
    let text = as_str(text)?;
    Ok(match parse_yaml_value(text) {
        Ok(None) => Value::list(Vec::new()),
        Ok(Some(Value::List(l))) => Value::List(l),
        Ok(Some(other)) => Value::list(vec![s(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type []interface {{}}",
            super::json::kind_word(&other)
        ))]),
        Err(e) => Value::list(vec![s(e)]),
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::{call, map_of, render};
    use super::*;

    fn y(v: Value) -> String {
        call("toYaml", &[v]).unwrap().go_string()
    }

    fn st(x: &str) -> Value {
        Value::str(x)
    }

    // helm/helm v3.21.4 pkg/engine/funcs_test.go TestFuncs (the YAML cases).
    #[test]
    fn helm_funcs_yaml_cases() {
        assert_eq!(y(map_of(vec![("foo", st("bar"))])), "foo: bar");
        let baz = map_of(vec![(
            "baz",
            Value::list(vec![Value::Int(1), Value::Int(2), Value::Int(3)]),
        )]);
        assert_eq!(
            call("toYamlPretty", &[baz]).unwrap().go_string(),
            "baz:\n  - 1\n  - 2\n  - 3"
        );
        let cases: &[(&str, &str, &str)] = &[
            ("{{ fromYaml . }}", "hello: world", "map[hello:world]"),
            (
                "{{ fromYamlArray . }}",
                "- one\n- 2\n- name: helm\n",
                "[one 2 map[name:helm]]",
            ),
            (
                "{{ fromYamlArray . }}",
                r#"["one", 2, { "name": "helm" }]"#,
                "[one 2 map[name:helm]]",
            ),
            (
                "{{ fromYaml . }}",
                "- one\n- two\n",
                "map[Error:error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}]",
            ),
            (
                "{{ fromYaml . }}",
                r#"["one", "two"]"#,
                "map[Error:error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}]",
            ),
            (
                "{{ fromYamlArray . }}",
                "hello: world",
                "[error unmarshaling JSON: while decoding JSON: json: cannot unmarshal object into Go value of type []interface {}]",
            ),
        ];
        for (tpl, data, want) in cases {
            assert_eq!(render(tpl, &st(data)).unwrap(), *want, "{tpl} {data}");
        }
        // merge with fromYaml: the left map wins.
        let data = map_of(vec![
            ("dict", map_of(vec![("a", map_of(vec![("b", st("c"))]))])),
            ("yaml", st(r#"{"a":{"b":"d"}}"#)),
        ]);
        assert_eq!(
            render("{{ merge .dict (fromYaml .yaml) }}", &data).unwrap(),
            "map[a:map[b:c]]"
        );
        let data = map_of(vec![
            ("dict", map_of(vec![("a", map_of(vec![("b", st("c"))]))])),
            ("yaml", st(r#"{"a":{"b":"d"}}"#)),
        ]);
        assert_eq!(
            render("{{ merge (fromYaml .yaml) .dict }}", &data).unwrap(),
            "map[a:map[b:d]]"
        );
    }

    #[test]
    fn go_yaml_v2_layout() {
        let v = map_of(vec![
            ("name", st("web")),
            ("replicas", Value::Float(3.0)),
            ("big", Value::Float(1e6)),
            ("ratio", Value::Float(0.5)),
            (
                "ports",
                Value::list(vec![
                    map_of(vec![("port", Value::Float(80.0)), ("name", st("http"))]),
                    map_of(vec![]),
                ]),
            ),
            ("empty", Value::list(vec![])),
            (
                "nested",
                map_of(vec![(
                    "list",
                    Value::list(vec![Value::list(vec![st("a"), st("b")])]),
                )]),
            ),
            ("nil", Value::Nil),
        ]);
        assert_eq!(
            y(v),
            "big: 1000000\nempty: []\nname: web\nnested:\n  list:\n  - - a\n    - b\nnil: null\nports:\n- name: http\n  port: 80\n- {}\nratio: 0.5\nreplicas: 3"
        );
        assert_eq!(y(map_of(vec![])), "{}");
        assert_eq!(y(Value::list(vec![])), "[]");
        assert_eq!(y(st("x")), "x");
    }

    #[test]
    fn go_yaml_v2_quoting() {
        for (input, want) in [
            ("true", r#""true""#),
            ("yes", r#""yes""#),
            ("on", r#""on""#),
            ("y", r#""y""#),
            ("null", r#""null""#),
            ("~", r#""~""#),
            ("", r#""""#),
            ("123", r#""123""#),
            ("1.0", r#""1.0""#),
            ("0x1F", r#""0x1F""#),
            ("1e3", r#""1e3""#),
            ("1_000", r#""1_000""#),
            ("08", r#""08""#),
            (".5", r#"".5""#),
            ("2006-01-02", r#""2006-01-02""#),
            ("2006-01-02T15:04:05Z", r#""2006-01-02T15:04:05Z""#),
            ("1:20", r#""1:20""#),
            ("1.2.3", "1.2.3"),
            ("v1", "v1"),
            ("a: b", "'a: b'"),
            ("- a", "'- a'"),
            ("#x", "'#x'"),
            ("a #b", "'a #b'"),
            ("a#b", "a#b"),
            ("*", "'*'"),
            (" lead", "' lead'"),
            ("trail ", "'trail '"),
            ("it's", "it's"),
            ("'q'", "'''q'''"),
            ("{x}", "'{x}'"),
            ("a,b", "a,b"),
            ("tab\there", "\"tab\\there\""),
            ("😀", "\"\\U0001F600\""),
            ("é", "é"),
            ("@at", "'@at'"),
            ("%p", "'%p'"),
            ("key:", "'key:'"),
            ("http://x", "http://x"),
            ("---", "'---'"),
            ("=", "="),
            ("<<", "<<"),
        ] {
            assert_eq!(y(st(input)), want, "{input:?}");
        }
    }

    // kubernetes-sigs/yaml goyaml.v2/encode_test.go marshalTests: the cases with values a
    // template can hold (after Helm's trim of the final newline).
    #[test]
    fn go_yaml_v2_marshal_tests() {
        let one = |k: &str, v: Value| y(map_of(vec![(k, v)]));
        assert_eq!(y(Value::Nil), "null");
        assert_eq!(one("v", st("hi")), "v: hi");
        assert_eq!(one("v", st("true")), "v: \"true\"");
        assert_eq!(one("v", st("false")), "v: \"false\"");
        assert_eq!(one("v", Value::Bool(true)), "v: true");
        assert_eq!(one("v", Value::Int(10)), "v: 10");
        assert_eq!(one("v", Value::Int(-10)), "v: -10");
        assert_eq!(one("v", Value::Int(4294967296)), "v: 4294967296");
        assert_eq!(one("v", st("10")), "v: \"10\"");
        assert_eq!(one("v", Value::Float(0.1)), "v: 0.1");
        assert_eq!(one("v", Value::Float(-0.1)), "v: -0.1");
        assert_eq!(one("v", Value::Nil), "v: null");
        assert_eq!(one("v", st("")), "v: \"\"");
        assert_eq!(
            one("v", Value::list(vec![st("A"), st("B")])),
            "v:\n- A\n- B"
        );
        assert_eq!(
            one("v", Value::list(vec![st("A"), st("B\nC")])),
            "v:\n- A\n- |-\n  B\n  C"
        );
        assert_eq!(
            one(
                "v",
                Value::list(vec![
                    st("A"),
                    Value::Int(1),
                    map_of(vec![("B", Value::list(vec![Value::Int(2), Value::Int(3)]))])
                ])
            ),
            "v:\n- A\n- 1\n- B:\n  - 2\n  - 3"
        );
        assert_eq!(one("a", map_of(vec![("b", st("c"))])), "a:\n  b: c");
        assert_eq!(one("a", st("-")), "a: '-'");
        assert_eq!(one("a", st("<foo>")), "a: <foo>");
        assert_eq!(one("a", st("1:1")), "a: \"1:1\"");
        assert_eq!(one("a", st("\0")), "a: \"\\0\"");
        assert_eq!(one("a", st("你好")), "a: 你好");
        assert_eq!(
            one("a", st("2015-02-24T18:19:39Z")),
            "a: \"2015-02-24T18:19:39Z\""
        );
        assert_eq!(one("a", st("b: c")), "a: 'b: c'");
        assert_eq!(one("a", st("Hello #comment")), "a: 'Hello #comment'");
        assert_eq!(one("a", st("你好 #comment")), "a: '你好 #comment'");
    }

    #[test]
    fn literal_blocks() {
        assert_eq!(y(st("a\nb")), "|-\n  a\n  b");
        assert_eq!(y(st("a\nb\n")), "|\n  a\n  b");
        assert_eq!(y(st("a\nb\n\n")), "|+\n  a\n  b\n");
        assert_eq!(y(st(" a\nb")), "|2-\n   a\n  b");
        assert_eq!(y(st("a \nb")), "\"a \\nb\"");
        assert_eq!(
            y(map_of(vec![("k", st("line1\n\nline3\n")), ("z", st("x"))])),
            "k: |\n  line1\n\n  line3\nz: x"
        );
        assert_eq!(y(Value::list(vec![st("a\nb")])), "- |-\n  a\n  b");
        // A multi-line key is not a simple key: go-yaml writes it as a complex one.
        assert_eq!(y(map_of(vec![("a\nb", st("x"))])), "? |-\n  a\n  b\n: x");
    }

    #[test]
    fn long_lines_fold_at_80_columns() {
        let words = "word ".repeat(30);
        let text = words.trim_end();
        let out = y(map_of(vec![("key", st(text))]));
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines.len() > 1, "{out}");
        assert!(lines[0].starts_with("key: word"));
        assert!(lines[1].starts_with("  word"), "{out}");
        // Reading back: folded plain lines join with spaces.
        let back = call("fromYaml", &[st(&out)]).unwrap();
        let Value::Map(m) = back else { panic!() };
        assert_eq!(m.borrow()["key"].go_string(), text);
    }

    #[test]
    fn natural_key_order() {
        let v = map_of(vec![
            ("a10", Value::Int(1)),
            ("a2", Value::Int(2)),
            ("B", Value::Int(3)),
            ("a", Value::Int(4)),
            ("1", Value::Int(5)),
            ("_x", Value::Int(6)),
        ]);
        // `_` sorts before `1`: both are non-letters, compared as numbers (none is 0).
        assert_eq!(y(v), "_x: 6\n\"1\": 5\nB: 3\na: 4\na2: 2\na10: 1");
    }

    #[test]
    fn from_yaml_numbers_are_floats_and_errors_are_kept() {
        let m = call("fromYaml", &[st("a: 1\nb: yes\nc: '1'\n1: x\n")]).unwrap();
        assert_eq!(m.go_string(), "map[1:x a:1 b:true c:1]");
        let Value::Map(inner) = &m else { panic!() };
        assert!(matches!(inner.borrow()["a"], Value::Float(_)));
        let err = call("fromYaml", &[st("a: [")]).unwrap();
        assert!(
            err.go_string()
                .starts_with("map[Error:error converting YAML to JSON: yaml: line"),
            "{}",
            err.go_string()
        );
        assert_eq!(call("fromYaml", &[st("")]).unwrap().go_string(), "map[]");
    }

    #[test]
    fn alias_bombs_and_cycles_are_bounded() {
        let bomb = "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
        let out = call("fromYaml", &[st(bomb)]).unwrap();
        assert!(out.go_string().starts_with("map[Error:"), "bounded");
        let m = call("dict", &[]).unwrap();
        call("set", &[m.clone(), st("self"), m.clone()]).unwrap();
        assert_eq!(y(m.clone()), "");
        assert!(call("mustToYaml", std::slice::from_ref(&m)).is_err());
        call("unset", &[m, st("self")]).unwrap();
    }
}
