//! Scalar typing as Kubernetes reads YAML.
//!
//! Kubernetes decodes YAML with sigs.k8s.io/yaml, which uses go-yaml v2 and therefore YAML 1.1
//! resolution (go-yaml v2 `resolve.go`): unquoted `y`, `yes`, `on`, `n`, `no`, `off` (in the three
//! spellings lower, Title and UPPER) are booleans, `~`/`null`/empty are null, integers may be
//! written with `0x`, `0o`, `0b`, a leading `0` (octal, `0755`), a sign and `_` separators, and
//! floats include `.inf` and `.nan`. Quoted and block scalars are always strings. Every Rust
//! YAML parser types scalars as YAML 1.2 does, so the loader keeps the raw text and style and
//! this module decides.

/// How a scalar was written: its quoting decides its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

impl Style {
    pub fn is_quoted(self) -> bool {
        !matches!(self, Style::Plain)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum ScalarValue {
    Null,
    Bool(bool),
    Int(i64),
    /// An integer too large for i64; kept as its decimal text.
    BigInt,
    Float(f64),
    String,
}

impl ScalarValue {
    pub fn type_name(&self) -> &'static str {
        match self {
            ScalarValue::Null => "null",
            ScalarValue::Bool(_) => "boolean",
            ScalarValue::Int(_) | ScalarValue::BigInt => "integer",
            ScalarValue::Float(_) => "number",
            ScalarValue::String => "string",
        }
    }
}

pub(crate) fn resolve_scalar(text: &str, style: Style, tag: Option<&str>) -> ScalarValue {
    if let Some(tag) = tag {
        match tag {
            "tag:yaml.org,2002:str" | "!!str" => return ScalarValue::String,
            "tag:yaml.org,2002:null" | "!!null" => return ScalarValue::Null,
            "tag:yaml.org,2002:bool" | "!!bool" => {
                return resolve_plain(text)
                    .filter_bool()
                    .unwrap_or(ScalarValue::String);
            }
            "tag:yaml.org,2002:int" | "!!int" | "tag:yaml.org,2002:float" | "!!float" => {
                return resolve_plain(text);
            }
            _ => {}
        }
    }
    if style.is_quoted() {
        return ScalarValue::String;
    }
    resolve_plain(text)
}

trait FilterBool {
    fn filter_bool(self) -> Option<ScalarValue>;
}

impl FilterBool for ScalarValue {
    fn filter_bool(self) -> Option<ScalarValue> {
        matches!(self, ScalarValue::Bool(_)).then_some(self)
    }
}

fn resolve_plain(text: &str) -> ScalarValue {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return ScalarValue::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return ScalarValue::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return ScalarValue::Bool(false);
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return ScalarValue::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return ScalarValue::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return ScalarValue::Float(f64::NAN),
        _ => {}
    }
    let Some(&first) = text.as_bytes().first() else {
        return ScalarValue::String;
    };
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return ScalarValue::String;
    }
    if let Some(int) = parse_go_int(text) {
        return int;
    }
    // go-yaml v2 (`resolve.go`) makes a plain scalar a float only when `strconv.ParseFloat`
    // succeeds; a value beyond f64's range (`1e400`) fails with ErrRange and stays a string.
    // (Rust's parser returns infinity instead; `.inf` itself was handled above. Underflow,
    // `1e-400`, is 0 without an error in Go too.)
    if is_yaml11_float(text)
        && let Ok(f) = text.replace('_', "").parse::<f64>()
        && f.is_finite()
    {
        return ScalarValue::Float(f);
    }
    ScalarValue::String
}

/// Go's `strconv.ParseInt(s, 0, 64)` after go-yaml removed `_`: sign, then `0x`/`0o`/`0b`
/// prefixes or a leading `0` for octal.
fn parse_go_int(text: &str) -> Option<ScalarValue> {
    let cleaned = text.replace('_', "");
    let (negative, digits) = if let Some(rest) = cleaned.strip_prefix('-') {
        (true, rest)
    } else if let Some(rest) = cleaned.strip_prefix('+') {
        (false, rest)
    } else if cleaned.is_empty() {
        return None;
    } else {
        (false, cleaned.as_str())
    };
    let (radix, body) = if let Some(rest) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        (16, rest)
    } else if let Some(rest) = digits
        .strip_prefix("0o")
        .or_else(|| digits.strip_prefix("0O"))
    {
        (8, rest)
    } else if let Some(rest) = digits
        .strip_prefix("0b")
        .or_else(|| digits.strip_prefix("0B"))
    {
        (2, rest)
    } else if let Some(rest) = digits.strip_prefix('0')
        && !rest.is_empty()
    {
        (8, rest)
    } else {
        (10, digits)
    };
    if body.is_empty() || !body.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    match u64::from_str_radix(body, radix) {
        Ok(magnitude) => {
            let value = if negative {
                0i64.checked_sub_unsigned(magnitude)
            } else {
                i64::try_from(magnitude).ok()
            };
            Some(value.map_or(ScalarValue::BigInt, ScalarValue::Int))
        }
        Err(_) => Some(ScalarValue::BigInt),
    }
}

/// go-yaml v2's float pattern: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
/// (underscores are removed first).
fn is_yaml11_float(text: &str) -> bool {
    let s = text.replace('_', "");
    let s = s.strip_prefix(['-', '+']).unwrap_or(&s);
    let (mantissa, exponent) = match s.split_once(['e', 'E']) {
        Some((mantissa, exponent)) => (mantissa, Some(exponent)),
        None => (s, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => !frac.is_empty() && frac.bytes().all(|b| b.is_ascii_digit()),
        Some((int, frac)) => {
            !int.is_empty()
                && int.bytes().all(|b| b.is_ascii_digit())
                && frac.bytes().all(|b| b.is_ascii_digit())
        }
        None => !mantissa.is_empty() && mantissa.bytes().all(|b| b.is_ascii_digit()),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit())
    });
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(text: &str) -> ScalarValue {
        resolve_scalar(text, Style::Plain, None)
    }

    #[test]
    fn yaml11_booleans_only_when_plain() {
        for t in ["on", "On", "ON", "yes", "Y", "y", "true"] {
            assert_eq!(plain(t), ScalarValue::Bool(true), "{t}");
        }
        for t in ["off", "no", "N", "n", "False"] {
            assert_eq!(plain(t), ScalarValue::Bool(false), "{t}");
        }
        assert_eq!(
            resolve_scalar("on", Style::DoubleQuoted, None),
            ScalarValue::String
        );
        assert_eq!(plain("oN"), ScalarValue::String);
    }

    #[test]
    fn go_integers_and_floats() {
        assert_eq!(plain("0755"), ScalarValue::Int(0o755));
        assert_eq!(plain("0x1F"), ScalarValue::Int(31));
        assert_eq!(plain("0b101"), ScalarValue::Int(5));
        assert_eq!(plain("-1_000"), ScalarValue::Int(-1000));
        assert_eq!(plain("+42"), ScalarValue::Int(42));
        assert_eq!(plain("99999999999999999999"), ScalarValue::BigInt);
        assert_eq!(plain("0.5"), ScalarValue::Float(0.5));
        assert_eq!(plain("129e6"), ScalarValue::Float(129e6));
        assert_eq!(plain(".5"), ScalarValue::Float(0.5));
        assert_eq!(plain("5."), ScalarValue::Float(5.0));
        assert_eq!(plain("0789"), ScalarValue::Float(789.0));
        assert_eq!(plain("500m"), ScalarValue::String);
        assert_eq!(plain("1.2.3"), ScalarValue::String);
        assert_eq!(plain("~"), ScalarValue::Null);
        assert_eq!(plain(""), ScalarValue::Null);
        assert_eq!(
            resolve_scalar("12", Style::Plain, Some("tag:yaml.org,2002:str")),
            ScalarValue::String
        );
        // Out of f64's range: ParseFloat's ErrRange leaves a string (go-yaml v2 resolve.go).
        assert_eq!(plain("1e400"), ScalarValue::String);
        assert_eq!(plain("-1.5e309"), ScalarValue::String);
        assert_eq!(plain("1e-400"), ScalarValue::Float(0.0));
        assert_eq!(
            plain("1.7976931348623157e308"),
            ScalarValue::Float(f64::MAX)
        );
        assert_eq!(
            resolve_scalar("12", Style::Plain, Some("tag:yaml.org,2002:str")),
            ScalarValue::String
        );
    }
}
