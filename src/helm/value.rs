//! Values as Helm's templates see them: Go's `interface{}` as the template engine, Sprig and
//! Helm's functions, and the chart's values use it.
//!
//! The shared interface of the three parts of the Helm renderer (issue 18):
//! `helm::template` (Go's text/template: parse, execute), `helm::funcs` (Sprig v3.3.0 and Helm's
//! own functions) and `helm::chart` (charts, values, dependencies, ordering).
//!
//! Go semantics this type keeps:
//! - numbers from YAML/JSON values are `float64` in Helm (sigs.k8s.io/yaml decodes through JSON),
//!   so `values.yaml`'s `replicas: 3` is `Float(3.0)` and prints `3`, and `1000000` prints
//!   `1e+06` as in Helm; `--set a=3`, template literals and Sprig arithmetic give integers.
//! - maps are Go maps: shared by reference (Sprig's `set`/`unset` mutate them in place, and every
//!   holder sees the change), iterated and printed in key order. Lists are Go slices: `append`
//!   and friends return new ones.
//! - structs with fields and methods (`.Chart`, `.Capabilities`, `.Files`) are [`Object`]s.
//! - a string may carry provenance ([`Provenance`]): where each part of its text was written
//!   (a template's text or action, or a values file's scalar). `include` returns strings with
//!   provenance; the engine keeps it through functions that only change whitespace.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;
use std::sync::Arc;

/// A Go map[string]interface{}: shared and mutable, like a Go map.
pub(crate) type Map = Rc<RefCell<BTreeMap<String, Value>>>;

#[derive(Clone, Default)]
pub(crate) enum Value {
    /// Go's nil (a missing map key, `nil`, YAML `null`).
    #[default]
    Nil,
    Bool(bool),
    /// Go's int/int64 (template literals, `--set` integers, Sprig arithmetic, `len`).
    Int(i64),
    /// Go's float64 (every number decoded from values YAML/JSON).
    Float(f64),
    Str(Str),
    List(Rc<Vec<Value>>),
    Map(Map),
    Object(Rc<dyn Object>),
}

/// A string and, optionally, where its text was written.
#[derive(Clone, Debug, Default)]
pub(crate) struct Str {
    pub(crate) text: Rc<str>,
    pub(crate) provenance: Option<Rc<Provenance>>,
}

/// Where parts of a string were written: `(byte offset in the string, origin)` pairs, sorted by
/// offset; each origin covers the text up to the next pair's offset.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Provenance {
    pub(crate) chunks: Vec<(usize, Origin)>,
}

/// A place in a chart's file: a template (the text or action that wrote the output) or a values
/// file (the scalar a value came from).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct Origin {
    /// The file's path as the chart names it (`mychart/templates/deployment.yaml`,
    /// `mychart/values.yaml`, `mychart/charts/sub/templates/_helpers.tpl`).
    pub(crate) file: Arc<str>,
    /// Byte offset of the action or text in that file.
    pub(crate) offset: usize,
    /// The chunk's text was copied verbatim from the file at `offset` (a template's text, a
    /// values scalar written as it stands): byte k of the chunk came from `offset + k`. Otherwise
    /// (an action's output) every byte of the chunk came from the action at `offset`.
    pub(crate) literal: bool,
    /// When the text came from a values file through an action: that values scalar.
    pub(crate) value: Option<Box<Origin>>,
}

/// A Go struct or named type with fields and methods (`.Chart.Name`, `.Files.Get "x"`,
/// `.Capabilities.APIVersions.Has "v1"`, `.Capabilities.KubeVersion.Minor`).
pub(crate) trait Object {
    /// Go's type name as `typeOf` prints it (`*chart.Metadata`, `chartutil.Capabilities`).
    fn type_name(&self) -> &'static str;
    /// A field (`None`: Go's "can't evaluate field X in type T").
    fn field(&self, name: &str) -> Option<Value>;
    /// A method call; `None` when there is no such method.
    fn call(&self, method: &str, args: &[Value]) -> Option<Result<Value, String>>;
    /// How `{{ . }}`/`print` writes it (Go's `String()` method, or `%v` of the struct).
    fn display(&self) -> String;
    /// The value `toYaml`/`toJson` write for it (its exported fields as a map), when it has one.
    fn to_data(&self) -> Value {
        Value::Nil
    }
}

/// A template function (Sprig's and Helm's, the engine's builtins take the same shape): its
/// arguments in order, the piped value last. An `Err` is Go's returned error; the engine adds
/// `error calling NAME: ` and the template position.
pub(crate) type Func = fn(&[Value]) -> Result<Value, String>;

impl Value {
    pub(crate) fn str(text: impl Into<Rc<str>>) -> Value {
        Value::Str(Str {
            text: text.into(),
            provenance: None,
        })
    }

    pub(crate) fn map(entries: BTreeMap<String, Value>) -> Value {
        Value::Map(Rc::new(RefCell::new(entries)))
    }

    pub(crate) fn list(items: Vec<Value>) -> Value {
        Value::List(Rc::new(items))
    }

    /// Go template truthiness (`if`, `with`, `and`, `or`, `not`, `default`'s "empty"): false,
    /// 0, nil, and empty strings, lists and maps are false; every object is true.
    pub(crate) fn truthy(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.text.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Map(m) => !m.borrow().is_empty(),
            Value::Object(_) => true,
        }
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(&s.text),
            _ => None,
        }
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Nil => f.write_str("nil"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x:?}"),
            Value::Str(s) => write!(f, "{:?}", s.text),
            Value::List(l) => f.debug_list().entries(l.iter()).finish(),
            Value::Map(m) => match m.try_borrow() {
                Ok(m) => f.debug_map().entries(m.iter()).finish(),
                Err(_) => f.write_str("map[...]"),
            },
            Value::Object(o) => write!(f, "{}({})", o.type_name(), o.display()),
        }
    }
}

impl Value {
    /// Go's `fmt` `%v` of the value, as `{{ . }}`, `print` and `toString` write it: `<nil>`,
    /// `true`, `3`, `1e+06`, `[a b]`, `map[a:1 b:2]`. (A missing value in a template action
    /// prints `<no value>`: the engine's business, not this.)
    pub(crate) fn go_string(&self) -> String {
        let mut out = String::new();
        self.write_go(&mut out, 0);
        out
    }

    fn write_go(&self, out: &mut String, depth: usize) {
        // A map can hold itself (`set $m "self" $m`): Go would recurse without end; stop. Held
        // twice, the parts double at each level: the output size bounds the work.
        if depth > MAX_PRINT_DEPTH || out.len() > MAX_PRINT_LEN {
            out.push_str("...");
            return;
        }
        match self {
            Value::Nil => out.push_str("<nil>"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => out.push_str(&i.to_string()),
            Value::Float(f) => out.push_str(&go_float(*f)),
            Value::Str(s) => out.push_str(&s.text),
            Value::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    item.write_go(out, depth + 1);
                }
                out.push(']');
            }
            Value::Map(m) => {
                out.push_str("map[");
                if let Ok(m) = m.try_borrow() {
                    for (i, (k, v)) in m.iter().enumerate() {
                        if i > 0 {
                            out.push(' ');
                        }
                        out.push_str(k);
                        out.push(':');
                        v.write_go(out, depth + 1);
                    }
                }
                out.push(']');
            }
            Value::Object(o) => out.push_str(&o.display()),
        }
    }
}

/// Nesting beyond which printing a value stops (a self-containing map).
pub(crate) const MAX_PRINT_DEPTH: usize = 100;

/// Output beyond which printing a value stops.
pub(crate) const MAX_PRINT_LEN: usize = 4 << 20;

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)`, which `%v` prints for a float64: the shortest
/// digits that read back the same, in exponent form when the decimal exponent is < -4 or >= 6
/// (strconv/ftoa.go `formatDigits`: with the shortest precision, `eprec = 6`). So Helm prints
/// `values.yaml`'s `replicas: 3` as `3` and `1234567` as `1.234567e+06`.
pub(crate) fn go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_owned();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.to_owned();
    }
    // Rust's `{:e}` gives the shortest round-tripping digits: `d.dddde±x`.
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let sign = if f < 0.0 { "-" } else { "" };
    if !(-4..6).contains(&exp) {
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{mantissa}e{esign}{:02}", exp.abs());
    }
    // Plain decimal: Rust's `{}` is the shortest round-tripping decimal, without exponent.
    format!("{sign}{}", f.abs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_as_go_prints_them() {
        for (f, want) in [
            (3.0, "3"),
            (0.5, "0.5"),
            (-2.25, "-2.25"),
            (100000.0, "100000"),
            (1e6, "1e+06"),
            (1234567.0, "1.234567e+06"),
            (12345678.0, "1.2345678e+07"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5e-7, "1.5e-07"),
            (1e21, "1e+21"),
            (123456.7, "123456.7"),
        ] {
            assert_eq!(go_float(f), want, "{f}");
        }
    }

    #[test]
    fn values_print_as_go_percent_v() {
        let mut m = BTreeMap::new();
        m.insert("b".to_owned(), Value::Int(2));
        m.insert(
            "a".to_owned(),
            Value::list(vec![Value::str("x"), Value::Nil]),
        );
        assert_eq!(Value::map(m).go_string(), "map[a:[x <nil>] b:2]");
        assert_eq!(Value::Bool(true).go_string(), "true");
        assert_eq!(Value::Float(8080.0).go_string(), "8080");
    }

    #[test]
    fn a_map_holding_itself_prints_without_end() {
        let m = Value::map(BTreeMap::new());
        if let Value::Map(inner) = &m {
            inner.borrow_mut().insert("self".to_owned(), m.clone());
        }
        assert!(m.go_string().contains("..."));
        // Break the cycle so the test does not leak.
        if let Value::Map(inner) = &m {
            inner.borrow_mut().clear();
        }
    }
}
