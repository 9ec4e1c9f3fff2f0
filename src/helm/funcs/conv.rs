//! Conversions: Sprig's `toString` (`strval`), `toStrings`, `atoi`, and spf13/cast's `ToInt64`,
//! `ToInt`, `ToFloat64` (numeric.go: `int`, `int64`, `float64`), `toDecimal`.
//! Values from YAML are float64 in Helm: `int .Values.replicas` truncates.

use super::{args_n, as_str, s};
use crate::helm::value::Value;

/// Sprig's `strval`: a string as it is, anything else as Go's `%v`.
pub(crate) fn strval(v: &Value) -> String {
    match v {
        Value::Str(s) => s.text.to_string(),
        other => crate::helm::gofmt::sprintf("%v", std::slice::from_ref(other)),
    }
}

/// Go's `strconv.ParseInt(s, base, 64)` (base 0: `0x`, `0o`, `0b` and `0` prefixes, `_`
/// between digits allowed).
pub(crate) fn go_parse_int(s: &str, base: u32) -> Option<i64> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let u = go_parse_uint(body, base)?;
    if neg {
        if u <= i64::MAX as u64 + 1 {
            Some((u as i128).wrapping_neg() as i64)
        } else {
            None
        }
    } else {
        i64::try_from(u).ok()
    }
}

/// Go's `strconv.ParseUint(s, base, 64)`.
pub(crate) fn go_parse_uint(s: &str, base: u32) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let (base, digits, underscores) = if base == 0 {
        let lower = s.to_ascii_lowercase();
        if let Some(rest) = lower.strip_prefix("0x") {
            (16, rest.to_owned(), true)
        } else if let Some(rest) = lower.strip_prefix("0o") {
            (8, rest.to_owned(), true)
        } else if let Some(rest) = lower.strip_prefix("0b") {
            (2, rest.to_owned(), true)
        } else if lower.starts_with('0') && lower.len() > 1 {
            (8, lower.get(1..).unwrap_or_default().to_owned(), true)
        } else {
            (10, lower, true)
        }
    } else {
        (base, s.to_owned(), false)
    };
    if digits.is_empty() {
        return None;
    }
    if digits.contains('_') {
        // Go's underscoreOK: only with base 0, between digits (or after a prefix).
        if !underscores || digits.starts_with('_') && base == 10 || digits.ends_with('_') {
            return None;
        }
        if digits.contains("__") {
            return None;
        }
    }
    let clean: String = digits.chars().filter(|c| *c != '_').collect();
    if clean.is_empty() || clean.starts_with('+') || clean.starts_with('-') {
        return None;
    }
    u64::from_str_radix(&clean, base).ok()
}

/// Go's `strconv.ParseFloat(s, 64)` for decimal text (no hex floats); `inf`/`nan` words.
pub(crate) fn go_parse_float(s: &str) -> Option<f64> {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let lower = body.to_ascii_lowercase();
    if matches!(lower.as_str(), "inf" | "infinity" | "nan") {
        return s.parse::<f64>().ok().or(Some(f64::NAN));
    }
    if !body
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
    {
        return None;
    }
    let f: f64 = s.parse().ok()?;
    if f.is_infinite() {
        return None; // Go: value out of range
    }
    Some(f)
}

/// spf13/cast `trimZeroDecimal`: `"1.0"` → `"1"`, `"1.5"` unchanged.
fn trim_zero_decimal(s: &str) -> &str {
    let mut found_zero = false;
    for (i, c) in s.char_indices().rev() {
        match c {
            '.' => {
                if found_zero {
                    return s.get(..i).unwrap_or(s);
                }
                return s;
            }
            '0' => found_zero = true,
            _ => return s,
        }
    }
    s
}

/// spf13/cast `ToInt64`: numbers (floats truncated), numeric strings (base prefixes, as
/// `strconv.ParseInt(s, 0, 0)`), bools; anything else (and a bad string) is 0.
pub(crate) fn to_int64(v: &Value) -> i64 {
    match v {
        Value::Int(i) => *i,
        Value::Float(f) => *f as i64,
        Value::Bool(b) => i64::from(*b),
        Value::Str(s) => go_parse_int(trim_zero_decimal(&s.text), 0).unwrap_or(0),
        _ => 0,
    }
}

/// spf13/cast `ToFloat64`.
pub(crate) fn to_float64(v: &Value) -> f64 {
    match v {
        Value::Int(i) => *i as f64,
        Value::Float(f) => *f,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Str(s) => go_parse_float(&s.text).unwrap_or(0.0),
        _ => 0.0,
    }
}

pub(crate) fn to_string(args: &[Value]) -> Result<Value, String> {
    let [v] = args_n("toString", args)?;
    Ok(s(strval(v)))
}

/// Sprig's `strslice`: a list's non-nil elements as strings; nil → []; another value → [it].
pub(crate) fn strslice(v: &Value) -> Vec<String> {
    match v {
        Value::List(items) => items
            .iter()
            .filter(|x| !matches!(x, Value::Nil))
            .map(strval)
            .collect(),
        Value::Nil => Vec::new(),
        other => vec![strval(other)],
    }
}

pub(crate) fn to_strings(args: &[Value]) -> Result<Value, String> {
    let [v] = args_n("toStrings", args)?;
    Ok(Value::list(strslice(v).into_iter().map(s).collect()))
}

pub(crate) fn atoi(args: &[Value]) -> Result<Value, String> {
    let [a] = args_n("atoi", args)?;
    let a = as_str(a)?;
    // strconv.Atoi: decimal only, optional sign.
    let ok = {
        let body = a.strip_prefix(['+', '-']).unwrap_or(a);
        !body.is_empty() && body.chars().all(|c| c.is_ascii_digit())
    };
    Ok(Value::Int(if ok { a.parse().unwrap_or(0) } else { 0 }))
}

pub(crate) fn int64(args: &[Value]) -> Result<Value, String> {
    let [v] = args_n("int64", args)?;
    Ok(Value::Int(to_int64(v)))
}

pub(crate) fn int(args: &[Value]) -> Result<Value, String> {
    let [v] = args_n("int", args)?;
    Ok(Value::Int(to_int64(v)))
}

pub(crate) fn float64(args: &[Value]) -> Result<Value, String> {
    let [v] = args_n("float64", args)?;
    Ok(Value::Float(to_float64(v)))
}

/// `toDecimal`: the value's `%v` read as an octal number (`"0777"` → 511), 0 when it is not one.
pub(crate) fn to_decimal(args: &[Value]) -> Result<Value, String> {
    let [v] = args_n("toDecimal", args)?;
    let text = crate::helm::gofmt::sprint(std::slice::from_ref(v));
    Ok(Value::Int(go_parse_int(&text, 8).unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::super::testing::check_all;

    // Sprig v3.3.0 numeric_test.go (TestToFloat64, TestToInt64, TestToInt, TestToDecimal),
    // strings_test.go (TestToString, TestToStrings), as templates.
    #[test]
    fn sprig_conversion_cases() {
        let n = check_all(&[
            (r#"{{ "102" | float64 }}"#, "102"),
            (r#"{{ "102.123" | float64 }}"#, "102.123"),
            (r#"{{ 102 | float64 }}"#, "102"),
            (r#"{{ true | float64 }}"#, "1"),
            (r#"{{ "102" | int64 }}"#, "102"),
            (r#"{{ 102.234 | int64 }}"#, "102"),
            (r#"{{ "0x1F" | int64 }}"#, "31"),
            (r#"{{ "102.0" | int64 }}"#, "102"),
            (r#"{{ "102.5" | int64 }}"#, "0"),
            (r#"{{ "010" | int }}"#, "8"),
            (r#"{{ "abc" | int }}"#, "0"),
            (r#"{{ true | int }}"#, "1"),
            (r#"{{ "0777" | toDecimal }}"#, "511"),
            (r#"{{ 777 | toDecimal }}"#, "511"),
            (r#"{{ "777" | toDecimal }}"#, "511"),
            (r#"{{ "12" | atoi }}"#, "12"),
            (r#"{{ "0x12" | atoi }}"#, "0"),
            (r#"{{ 1 | toString }}"#, "1"),
            (r#"{{ 1.5 | toString }}"#, "1.5"),
            (r#"{{ list "a" 1 nil true | toStrings }}"#, "[a 1 true]"),
        ]);
        assert_eq!(n, 20);
    }
}
