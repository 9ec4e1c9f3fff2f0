//! Go's `fmt` and `strconv` formatting as templates meet them: `printf`/`print`/`println` (the
//! engine's builtins), Sprig's `cat`, `quote`, `toString`...
//!
//! Follows Go's fmt/print.go (`doPrintf`, `printArg`, `printValue`, `badVerb`), fmt/format.go
//! (`fmtInteger`, `fmtFloat`, `fmtQ`, padding) and strconv (`Quote`, `FormatFloat`); the cases
//! in the tests come from fmt/fmt_test.go.

use super::value::{Value, go_float};

/// Widths and precisions above this are Go's "too large" (fmt `tooLarge`: > 1e6).
const MAX_NUM: i64 = 1_000_000;

#[derive(Clone, Copy, Default)]
struct Flags {
    plus: bool,
    minus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    plus_v: bool,
    sharp_v: bool,
    wid: Option<usize>,
    prec: Option<usize>,
}

/// Go's `fmt.Sprintf(format, args...)` with Go's verbs, flags, width and precision, and Go's
/// `%!v(MISSING)` / `%!(EXTRA ...)` forms for mismatched arguments.
pub(crate) fn sprintf(format: &str, args: &[Value]) -> String {
    let mut out = String::new();
    let bytes = format.as_bytes();
    let end = bytes.len();
    let mut arg_num = 0usize;
    let mut reordered = false;
    let mut i = 0usize;
    while i < end {
        let lasti = i;
        while i < end && bytes.get(i) != Some(&b'%') {
            i += 1;
        }
        if i > lasti {
            out.push_str(format.get(lasti..i).unwrap_or_default());
        }
        if i >= end {
            break;
        }
        i += 1; // the '%'
        let mut f = Flags::default();
        let mut good_arg_num = true;
        // Flags.
        while let Some(&c) = bytes.get(i) {
            match c {
                b'#' => f.sharp = true,
                b'0' => f.zero = !f.minus,
                b'+' => f.plus = true,
                b'-' => {
                    f.minus = true;
                    f.zero = false;
                }
                b' ' => f.space = true,
                _ => break,
            }
            i += 1;
        }
        // Argument index.
        let mut after_index;
        (arg_num, i, after_index) = arg_number(
            arg_num,
            format,
            i,
            args.len(),
            &mut reordered,
            &mut good_arg_num,
        );
        // Width.
        if bytes.get(i) == Some(&b'*') {
            i += 1;
            let (n, ok, next) = int_from_arg(args, arg_num);
            arg_num = next;
            if !ok {
                out.push_str("%!(BADWIDTH)");
            } else if n < 0 {
                f.minus = true;
                f.zero = false;
                f.wid = Some(n.unsigned_abs() as usize);
            } else {
                f.wid = Some(n as usize);
            }
            after_index = false;
        } else {
            let (n, present, next) = parse_num(bytes, i, end);
            i = next;
            if present {
                f.wid = Some(n);
                if after_index {
                    good_arg_num = false;
                }
            }
        }
        // Precision.
        if i + 1 < end && bytes.get(i) == Some(&b'.') {
            i += 1;
            if after_index {
                good_arg_num = false;
            }
            (arg_num, i, after_index) = arg_number(
                arg_num,
                format,
                i,
                args.len(),
                &mut reordered,
                &mut good_arg_num,
            );
            if bytes.get(i) == Some(&b'*') {
                i += 1;
                let (n, ok, next) = int_from_arg(args, arg_num);
                arg_num = next;
                if !ok {
                    out.push_str("%!(BADPREC)");
                } else if n >= 0 {
                    f.prec = Some(n as usize);
                }
                after_index = false;
            } else {
                let (n, _, next) = parse_num(bytes, i, end);
                i = next;
                f.prec = Some(n);
            }
        }
        if !after_index {
            (arg_num, i, _) = arg_number(
                arg_num,
                format,
                i,
                args.len(),
                &mut reordered,
                &mut good_arg_num,
            );
        }
        let Some(verb) = format.get(i..).and_then(|rest| rest.chars().next()) else {
            out.push_str("%!(NOVERB)");
            break;
        };
        i += verb.len_utf8();
        if verb == '%' {
            out.push('%');
        } else if !good_arg_num {
            out.push_str(&format!("%!{verb}(BADINDEX)"));
        } else if let Some(arg) = args.get(arg_num) {
            if verb == 'v' {
                f.sharp_v = f.sharp;
                f.sharp = false;
                f.plus_v = f.plus;
                f.plus = false;
            }
            print_arg(&mut out, arg, verb, &f, 0);
            arg_num += 1;
        } else {
            out.push_str(&format!("%!{verb}(MISSING)"));
        }
    }
    if !reordered && arg_num < args.len() {
        out.push_str("%!(EXTRA ");
        for (k, arg) in args.iter().skip(arg_num).enumerate() {
            if k > 0 {
                out.push_str(", ");
            }
            if matches!(arg, Value::Nil) {
                out.push_str("<nil>");
            } else {
                out.push_str(type_name(arg));
                out.push('=');
                print_arg(&mut out, arg, 'v', &Flags::default(), 0);
            }
        }
        out.push(')');
    }
    out
}

/// fmt's `argNumber`: an explicit `[n]` index at `i`.
fn arg_number(
    arg_num: usize,
    format: &str,
    i: usize,
    num_args: usize,
    reordered: &mut bool,
    good: &mut bool,
) -> (usize, usize, bool) {
    let bytes = format.as_bytes();
    if bytes.get(i) != Some(&b'[') {
        return (arg_num, i, false);
    }
    *reordered = true;
    let (index, wid, ok) = parse_arg_number(bytes.get(i..).unwrap_or_default());
    if ok && index >= 0 && (index as usize) < num_args {
        return (index as usize, i + wid, true);
    }
    *good = false;
    (arg_num, i + wid, ok)
}

fn parse_arg_number(format: &[u8]) -> (i64, usize, bool) {
    if format.len() < 3 {
        return (0, 1, false);
    }
    for (k, &c) in format.iter().enumerate().skip(1) {
        if c == b']' {
            let (n, ok, newi) = parse_num(format, 1, k);
            if !ok || newi != k {
                return (0, k + 1, false);
            }
            return (n as i64 - 1, k + 1, true);
        }
    }
    (0, 1, false)
}

/// fmt's `parsenum`: digits in `s[start..end]`.
fn parse_num(s: &[u8], start: usize, end: usize) -> (usize, bool, usize) {
    if start >= end {
        return (0, false, end);
    }
    let mut num: usize = 0;
    let mut isnum = false;
    let mut k = start;
    while k < end {
        let Some(&c) = s.get(k) else { break };
        if !c.is_ascii_digit() {
            break;
        }
        if num as i64 > MAX_NUM {
            return (0, false, end);
        }
        num = num * 10 + usize::from(c - b'0');
        isnum = true;
        k += 1;
    }
    (num, isnum, k)
}

fn int_from_arg(args: &[Value], arg_num: usize) -> (i64, bool, usize) {
    match args.get(arg_num) {
        Some(Value::Int(n)) if n.abs() <= MAX_NUM => (*n, true, arg_num + 1),
        Some(_) => (0, false, arg_num + 1),
        None => (0, false, arg_num),
    }
}

/// Go's `%T` of a value (`reflect.TypeOf(v).String()`). Integers are `int` (the engine keeps
/// no separate int64), lists `[]interface {}`, maps `map[string]interface {}`.
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Nil => "<nil>",
        Value::Bool(_) => "bool",
        Value::Int(_) => "int",
        Value::Float(_) => "float64",
        Value::Str(_) => "string",
        Value::List(_) => "[]interface {}",
        Value::Map(_) => "map[string]interface {}",
        Value::Object(o) => o.type_name(),
    }
}

fn bad_verb(out: &mut String, arg: &Value, verb: char, depth: usize) {
    out.push_str("%!");
    out.push(verb);
    out.push('(');
    if matches!(arg, Value::Nil) {
        out.push_str("<nil>");
    } else {
        out.push_str(type_name(arg));
        out.push('=');
        print_arg(out, arg, 'v', &Flags::default(), depth + 1);
    }
    out.push(')');
}

fn print_arg(out: &mut String, arg: &Value, verb: char, f: &Flags, depth: usize) {
    if depth > super::value::MAX_PRINT_DEPTH || out.len() > super::value::MAX_PRINT_LEN {
        out.push_str("...");
        return;
    }
    if verb == 'T' {
        pad(out, type_name(arg), f, true);
        return;
    }
    match arg {
        Value::Nil => {
            if verb == 'v' {
                pad(out, "<nil>", f, true);
            } else if depth > 0 {
                // A nil element of a slice or map (fmt printValue: invalid interface).
                out.push_str("<nil>");
            } else {
                bad_verb(out, arg, verb, depth);
            }
        }
        Value::Bool(b) => match verb {
            't' | 'v' => pad(out, if *b { "true" } else { "false" }, f, true),
            _ => bad_verb(out, arg, verb, depth),
        },
        Value::Int(n) => fmt_integer_verb(out, arg, *n, verb, f, depth),
        Value::Float(x) => fmt_float_verb(out, arg, *x, verb, f, depth),
        Value::Str(s) => fmt_string_verb(out, arg, &s.text, verb, f, depth),
        Value::List(items) => {
            if f.sharp_v {
                out.push_str("[]interface {}{");
                for (k, item) in items.iter().enumerate() {
                    if k > 0 {
                        out.push_str(", ");
                    }
                    print_arg(out, item, verb, f, depth + 1);
                }
                out.push('}');
                return;
            }
            out.push('[');
            for (k, item) in items.iter().enumerate() {
                if k > 0 {
                    out.push(' ');
                }
                print_arg(out, item, verb, f, depth + 1);
            }
            out.push(']');
        }
        Value::Map(m) => {
            let Ok(m) = m.try_borrow() else {
                out.push_str("map[]");
                return;
            };
            if f.sharp_v {
                out.push_str("map[string]interface {}{");
                for (k, (key, v)) in m.iter().enumerate() {
                    if k > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(&quote(key));
                    out.push(':');
                    print_arg(out, v, verb, f, depth + 1);
                }
                out.push('}');
                return;
            }
            out.push_str("map[");
            for (k, (key, v)) in m.iter().enumerate() {
                if k > 0 {
                    out.push(' ');
                }
                fmt_string_verb(out, &Value::str(key.as_str()), key, verb, f, depth + 1);
                out.push(':');
                print_arg(out, v, verb, f, depth + 1);
            }
            out.push(']');
        }
        Value::Object(o) => match verb {
            'v' | 's' => pad(out, &o.display(), f, true),
            'q' => pad(out, &quote(&o.display()), f, true),
            _ => bad_verb(out, arg, verb, depth),
        },
    }
}

/// Pads `s` to the width (in runes) with spaces, or zeros when `zero` is allowed (fmt's
/// `pad`: strings pad with zeros too, `%05s` is `00abc`; numbers place their zeros themselves).
fn pad(out: &mut String, s: &str, f: &Flags, zero_ok: bool) {
    let Some(wid) = f.wid else {
        out.push_str(s);
        return;
    };
    let n = s.chars().count();
    if n >= wid {
        out.push_str(s);
        return;
    }
    let fill = if f.zero && zero_ok && !f.minus {
        '0'
    } else {
        ' '
    };
    if f.minus {
        out.push_str(s);
        out.extend(std::iter::repeat_n(' ', wid - n));
    } else {
        out.extend(std::iter::repeat_n(fill, wid - n));
        out.push_str(s);
    }
}

fn fmt_integer_verb(out: &mut String, arg: &Value, n: i64, verb: char, f: &Flags, depth: usize) {
    match verb {
        'v' | 'd' => fmt_integer(out, n, 10, verb, false, f),
        'b' => fmt_integer(out, n, 2, verb, false, f),
        'o' | 'O' => fmt_integer(out, n, 8, verb, false, f),
        'x' => fmt_integer(out, n, 16, verb, false, f),
        'X' => fmt_integer(out, n, 16, verb, true, f),
        'c' => {
            let c = u32::try_from(n)
                .ok()
                .and_then(char::from_u32)
                .unwrap_or('\u{FFFD}');
            pad(out, &c.to_string(), f, true);
        }
        'q' => {
            // Go: a rune beyond utf8.MaxRune (or negative, as uint64) is a bad verb; a
            // surrogate is the replacement character.
            if !(0..=0x10FFFF).contains(&n) {
                bad_verb(out, arg, verb, depth);
                return;
            }
            let c = u32::try_from(n)
                .ok()
                .and_then(char::from_u32)
                .unwrap_or('\u{FFFD}');
            let q = quote_with(&c.to_string(), '\'', f.plus);
            pad(out, &q, f, true);
        }
        'U' => {
            let width = f.prec.unwrap_or(4).max(4);
            let mut s = format!("U+{:0width$X}", n as u64);
            if f.sharp
                && let Some(c) = u32::try_from(n).ok().and_then(char::from_u32)
                && is_print(c)
            {
                s.push_str(&format!(" '{c}'"));
            }
            pad(out, &s, f, true);
        }
        _ => bad_verb(out, arg, verb, depth),
    }
}

/// fmt/format.go `fmtInteger`.
fn fmt_integer(out: &mut String, n: i64, base: u32, verb: char, upper: bool, f: &Flags) {
    let negative = n < 0;
    let u = n.unsigned_abs();
    let mut prec = 0usize;
    if let Some(p) = f.prec {
        prec = p;
        if p == 0 && u == 0 {
            pad(out, "", f, false);
            return;
        }
    } else if f.zero
        && !f.minus
        && let Some(w) = f.wid
    {
        prec = w;
        if negative || f.plus || f.space {
            prec = prec.saturating_sub(1);
        }
    }
    let mut digits = match base {
        2 => format!("{u:b}"),
        8 => format!("{u:o}"),
        16 if upper => format!("{u:X}"),
        16 => format!("{u:x}"),
        _ => u.to_string(),
    };
    if digits.len() < prec {
        digits = "0".repeat(prec - digits.len()) + &digits;
    }
    if f.sharp {
        match base {
            2 => digits.insert_str(0, "0b"),
            8 if !digits.starts_with('0') => digits.insert(0, '0'),
            16 => digits.insert_str(0, if upper { "0X" } else { "0x" }),
            _ => {}
        }
    }
    if verb == 'O' {
        digits.insert_str(0, "0o");
    }
    if negative {
        digits.insert(0, '-');
    } else if f.plus {
        digits.insert(0, '+');
    } else if f.space {
        digits.insert(0, ' ');
    }
    pad(out, &digits, f, false);
}

fn fmt_float_verb(out: &mut String, arg: &Value, x: f64, verb: char, f: &Flags, depth: usize) {
    let prec = f.prec;
    match verb {
        'v' => fmt_float(out, x, 'g', prec, f),
        'g' | 'G' | 'x' | 'X' => fmt_float(out, x, verb, prec, f),
        // %b: precision has no effect.
        'b' => fmt_float(out, x, verb, None, f),
        'e' | 'E' | 'f' | 'F' => fmt_float(out, x, verb, Some(prec.unwrap_or(6)), f),
        _ => bad_verb(out, arg, verb, depth),
    }
}

/// Decimal digits of |x| (no trailing zeros) and the decimal point position: x = 0.d1d2... ×
/// 10^dp. `sig`: round to that many significant digits; `None`: the shortest that reads back.
fn decimal_digits(x: f64, sig: Option<usize>) -> (Vec<u8>, i32) {
    if x == 0.0 {
        return (Vec::new(), 0);
    }
    let s = match sig {
        Some(p) => format!("{:.*e}", p.saturating_sub(1), x.abs()),
        None => format!("{:e}", x.abs()),
    };
    let (mant, exp) = s.split_once('e').unwrap_or((s.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut digits: Vec<u8> = mant.bytes().filter(u8::is_ascii_digit).collect();
    while digits.len() > 1 && digits.last() == Some(&b'0') {
        digits.pop();
    }
    (digits, exp + 1)
}

fn fmt_e(digits: &[u8], dp: i32, prec: usize, upper: bool) -> String {
    let mut s = String::new();
    s.push(char::from(*digits.first().unwrap_or(&b'0')));
    if prec > 0 {
        s.push('.');
        for k in 1..=prec {
            s.push(char::from(*digits.get(k).unwrap_or(&b'0')));
        }
    }
    s.push(if upper { 'E' } else { 'e' });
    let exp = if digits.is_empty() { 0 } else { dp - 1 };
    s.push(if exp < 0 { '-' } else { '+' });
    s.push_str(&format!("{:02}", exp.abs()));
    s
}

fn fmt_f(digits: &[u8], dp: i32, prec: usize) -> String {
    let mut s = String::new();
    if dp > 0 {
        for k in 0..dp as usize {
            s.push(char::from(*digits.get(k).unwrap_or(&b'0')));
        }
    } else {
        s.push('0');
    }
    if prec > 0 {
        s.push('.');
        for k in 1..=prec as i64 {
            let idx = i64::from(dp) + k - 1;
            let c = usize::try_from(idx)
                .ok()
                .and_then(|i| digits.get(i))
                .copied()
                .unwrap_or(b'0');
            s.push(char::from(c));
        }
    }
    s
}

/// strconv's `fmtX`: |x| in hexadecimal (`0x1.8p+01`), `prec` hex digits (None: as many as
/// needed).
fn fmt_hex_float(ax: f64, prec: Option<usize>, upper: bool) -> String {
    let bits = ax.to_bits();
    let mut exp = ((bits >> 52) & 0x7FF) as i64;
    let mut mant = bits & ((1u64 << 52) - 1);
    if exp == 0 {
        exp += 1;
    } else {
        mant |= 1u64 << 52;
    }
    exp -= 1023;
    if mant == 0 {
        exp = 0;
    }
    // The leading 1 at bit 60.
    mant <<= 60 - 52;
    while mant != 0 && mant & (1u64 << 60) == 0 {
        mant <<= 1;
        exp -= 1;
    }
    if let Some(p) = prec
        && p < 15
    {
        let shift = (p * 4) as u32;
        let extra = (mant << shift) & ((1u64 << 60) - 1);
        mant >>= 60 - shift;
        if extra | (mant & 1) > 1u64 << 59 {
            mant += 1;
        }
        mant <<= 60 - shift;
        if mant & (1u64 << 61) != 0 {
            mant >>= 1;
            exp += 1;
        }
    }
    let digits: &[u8; 16] = if upper {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    let mut s = String::from(if upper { "0X" } else { "0x" });
    s.push(if (mant >> 60) & 1 == 1 { '1' } else { '0' });
    mant <<= 4;
    let hex = |m: u64| char::from(*digits.get(((m >> 60) & 15) as usize).unwrap_or(&b'0'));
    match prec {
        None if mant != 0 => {
            s.push('.');
            while mant != 0 {
                s.push(hex(mant));
                mant <<= 4;
            }
        }
        Some(p) if p > 0 => {
            s.push('.');
            for _ in 0..p {
                s.push(hex(mant));
                mant <<= 4;
            }
        }
        _ => {}
    }
    s.push(if upper { 'P' } else { 'p' });
    s.push(if exp < 0 { '-' } else { '+' });
    s.push_str(&format!("{:02}", exp.abs()));
    s
}

/// strconv.FormatFloat(|x|, verb, prec, 64) without the sign.
fn format_float_abs(x: f64, verb: char, prec: Option<usize>) -> String {
    let ax = x.abs();
    if ax.is_infinite() {
        return "Inf".to_owned();
    }
    if x.is_nan() {
        return "NaN".to_owned();
    }
    match verb {
        'x' | 'X' => fmt_hex_float(ax, prec, verb == 'X'),
        'b' => {
            // strconv's fmtB: mantissa and binary exponent.
            let bits = ax.to_bits();
            let exp = ((bits >> 52) & 0x7FF) as i64;
            let mut mant = bits & ((1u64 << 52) - 1);
            let e = if exp == 0 {
                1 - 1023 - 52
            } else {
                mant |= 1u64 << 52;
                exp - 1023 - 52
            };
            format!("{mant}p{}{e}", if e >= 0 { "+" } else { "" })
        }
        'f' | 'F' => match prec {
            Some(p) => format!("{ax:.p$}"),
            None => {
                let (d, dp) = decimal_digits(ax, None);
                fmt_f(&d, dp, (d.len() as i32 - dp).max(0) as usize)
            }
        },
        'e' | 'E' => match prec {
            Some(p) => {
                let (d, dp) = decimal_digits(ax, Some(p + 1));
                fmt_e(&d, dp, p, verb == 'E')
            }
            None => {
                let (d, dp) = decimal_digits(ax, None);
                fmt_e(&d, dp, d.len().saturating_sub(1), verb == 'E')
            }
        },
        _ => {
            // 'g' / 'G'
            let shortest = prec.is_none();
            let (digits, dp) = match prec {
                Some(p) => decimal_digits(ax, Some(p.max(1))),
                None => decimal_digits(ax, None),
            };
            let nd = digits.len() as i32;
            let mut p = match prec {
                Some(p) => p.max(1) as i32,
                None => nd,
            };
            let mut eprec = p;
            if eprec > nd && nd >= dp {
                eprec = nd;
            }
            if shortest {
                eprec = 6;
            }
            let exp = dp - 1;
            if exp < -4 || exp >= eprec {
                if p > nd {
                    p = nd;
                }
                return fmt_e(&digits, dp, (p - 1).max(0) as usize, verb == 'G');
            }
            if p > dp {
                p = nd;
            }
            fmt_f(&digits, dp, (p - dp).max(0) as usize)
        }
    }
}

/// fmt's `#` flag on a float: always a decimal point, and %g's trailing zeros kept.
fn sharp_float(num: &str, verb: char, prec: Option<usize>) -> String {
    let mut digits: i64 = match verb {
        'v' | 'g' | 'G' | 'x' => prec.map_or(6, |p| p as i64),
        _ => 0,
    };
    let (mut head, mut tail) = (num.to_owned(), String::new());
    let mut has_point = false;
    let mut saw_nonzero = false;
    for (i, c) in num.char_indices() {
        match c {
            '.' => has_point = true,
            'p' | 'P' => {
                (head, tail) = (
                    num.get(..i).unwrap_or(num).to_owned(),
                    num.get(i..).unwrap_or("").to_owned(),
                );
                break;
            }
            'e' | 'E' if verb != 'x' && verb != 'X' => {
                (head, tail) = (
                    num.get(..i).unwrap_or(num).to_owned(),
                    num.get(i..).unwrap_or("").to_owned(),
                );
                break;
            }
            _ => {
                if c != '0' {
                    saw_nonzero = true;
                }
                if saw_nonzero {
                    digits -= 1;
                }
            }
        }
    }
    if !has_point {
        if head == "0" {
            digits -= 1;
        }
        head.push('.');
    }
    while digits > 0 {
        head.push('0');
        digits -= 1;
    }
    head + &tail
}

/// fmt/format.go `fmtFloat`.
fn fmt_float(out: &mut String, x: f64, verb: char, prec: Option<usize>, f: &Flags) {
    let body = format_float_abs(x, verb, prec);
    let sign = if x.is_sign_negative() && !x.is_nan() {
        "-"
    } else if f.plus {
        "+"
    } else if f.space {
        " "
    } else {
        ""
    };
    if x.is_infinite() || x.is_nan() {
        // Go keeps the sign of an infinity (`+Inf`), drops a NaN's unless asked for.
        let s = if x.is_nan() {
            format!("{sign}{body}")
        } else if x < 0.0 {
            format!("-{body}")
        } else if f.space && !f.plus {
            format!(" {body}")
        } else {
            format!("+{body}")
        };
        pad(out, &s, f, false);
        return;
    }
    let body = if f.sharp && verb != 'b' {
        sharp_float(&body, verb, prec)
    } else {
        body
    };
    let num = format!("{sign}{body}");
    if f.zero
        && !f.minus
        && let Some(w) = f.wid
    {
        let n = num.chars().count();
        if w > n {
            out.push_str(sign);
            out.extend(std::iter::repeat_n('0', w - n));
            out.push_str(&body);
            return;
        }
    }
    pad(out, &num, f, false);
}

fn fmt_string_verb(out: &mut String, arg: &Value, s: &str, verb: char, f: &Flags, depth: usize) {
    match verb {
        'v' if f.sharp_v => pad(out, &quote(s), f, true),
        'v' | 's' => {
            let s = truncate_runes(s, f.prec);
            pad(out, s, f, true);
        }
        'q' => {
            let s = truncate_runes(s, f.prec);
            let q = if f.sharp && can_backquote(s) {
                format!("`{s}`")
            } else {
                quote_with(s, '"', f.plus)
            };
            pad(out, &q, f, true);
        }
        'x' | 'X' => {
            let bytes = s.as_bytes();
            let bytes = match f.prec {
                Some(p) => bytes.get(..p.min(bytes.len())).unwrap_or_default(),
                None => bytes,
            };
            let mut h = String::new();
            for (k, b) in bytes.iter().enumerate() {
                if f.space && k > 0 {
                    h.push(' ');
                }
                if f.sharp && (f.space || k == 0) {
                    h.push_str(if verb == 'X' { "0X" } else { "0x" });
                }
                if verb == 'X' {
                    h.push_str(&format!("{b:02X}"));
                } else {
                    h.push_str(&format!("{b:02x}"));
                }
            }
            pad(out, &h, f, true);
        }
        _ => bad_verb(out, arg, verb, depth),
    }
}

fn truncate_runes(s: &str, prec: Option<usize>) -> &str {
    match prec {
        Some(p) => match s.char_indices().nth(p) {
            Some((idx, _)) => s.get(..idx).unwrap_or(s),
            None => s,
        },
        None => s,
    }
}

fn can_backquote(s: &str) -> bool {
    s.chars()
        .all(|c| c != '`' && c != '\u{FEFF}' && (c == '\t' || !(c < ' ' || c == '\u{7f}')))
}

/// Go's `unicode.IsPrint`, approximated: graphic characters and the ASCII space; not other
/// spaces, controls, format characters, surrogates or private use.
pub(crate) fn is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(c,
        '\u{AD}' | '\u{600}'..='\u{605}' | '\u{61C}' | '\u{6DD}' | '\u{70F}' | '\u{180E}'
        | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}'
        | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}' | '\u{E000}'..='\u{F8FF}'
        | '\u{FFFE}' | '\u{FFFF}' | '\u{F0000}'..='\u{10FFFF}'
        | '\u{E0001}' | '\u{E0020}'..='\u{E007F}')
}

/// Go's `strconv.Quote`: a double-quoted Go string literal.
pub(crate) fn quote(s: &str) -> String {
    quote_with(s, '"', false)
}

/// Go's `strconv.QuoteRune`: a single-quoted Go rune literal.
pub(crate) fn quote_rune(c: char) -> String {
    quote_with(c.encode_utf8(&mut [0; 4]), '\'', false)
}

fn quote_with(s: &str, q: char, ascii_only: bool) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push(q);
    for c in s.chars() {
        if c == q || c == '\\' {
            out.push('\\');
            out.push(c);
            continue;
        }
        if if ascii_only {
            c.is_ascii() && is_print(c)
        } else {
            is_print(c)
        } {
            out.push(c);
            continue;
        }
        match c {
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push(q);
    out
}

/// Go's `fmt.Sprint(args...)`: operands printed with `%v`, a space between two operands when
/// neither is a string.
pub(crate) fn sprint(args: &[Value]) -> String {
    let mut out = String::new();
    for (i, arg) in args.iter().enumerate() {
        let is_str = matches!(arg, Value::Str(_));
        let prev_str = i > 0 && matches!(args.get(i - 1), Some(Value::Str(_)));
        if i > 0 && !is_str && !prev_str {
            out.push(' ');
        }
        print_arg(&mut out, arg, 'v', &Flags::default(), 0);
    }
    out
}

/// Go's `fmt.Sprintln(args...)`: always a space between operands, a newline at the end.
pub(crate) fn sprintln(args: &[Value]) -> String {
    let mut out = String::new();
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        print_arg(&mut out, arg, 'v', &Flags::default(), 0);
    }
    out.push('\n');
    out
}

/// `%v` of a float as Go prints it (re-exported for the function library).
pub(crate) fn float_v(x: f64) -> String {
    go_float(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn s(x: &str) -> Value {
        Value::str(x)
    }

    // Cases from Go's fmt/fmt_test.go (fmtTests) that apply to these values.
    #[test]
    fn go_fmt_tests() {
        let cases: Vec<(&str, Value, &str)> = vec![
            ("%d", Value::Int(12345), "12345"),
            ("%v", Value::Int(12345), "12345"),
            ("%t", Value::Bool(true), "true"),
            ("%s", s("abc"), "abc"),
            ("%q", s("abc"), "\"abc\""),
            ("%x", s("abc"), "616263"),
            ("%x", s("xyz"), "78797a"),
            ("%X", s("xyz"), "78797A"),
            ("% x", s("xyz"), "78 79 7a"),
            ("%#x", s("xyz"), "0x78797a"),
            ("%# x", s("xyz"), "0x78 0x79 0x7a"),
            ("%q", s("\"`"), "\"\\\"`\""),
            ("%q", s("\u{263a}"), "\"\u{263a}\""),
            ("%+q", s("\u{263a}"), "\"\\u263a\""),
            ("%#q", s("abc"), "`abc`"),
            ("%q", s("\n"), "\"\\n\""),
            ("%5s", s("abc"), "  abc"),
            ("%-5s", s("abc"), "abc  "),
            ("%.5s", s("abcdefghijklmnopqrstuvwxyz"), "abcde"),
            ("%.0s", s("日本語日本語"), ""),
            ("%.5s", s("日本語日本語"), "日本語日本"),
            ("%5.2s", s("abc"), "   ab"),
            ("%c", Value::Int('x' as i64), "x"),
            ("%q", Value::Int('x' as i64), "'x'"),
            ("%U", Value::Int(0x1234), "U+1234"),
            ("%#U", Value::Int('x' as i64), "U+0078 'x'"),
            ("%d", Value::Int(-12345), "-12345"),
            ("%+d", Value::Int(12345), "+12345"),
            ("% d", Value::Int(12345), " 12345"),
            ("%.3d", Value::Int(7), "007"),
            ("%08d", Value::Int(-12345), "-0012345"),
            ("%-8d|", Value::Int(-12345), "-12345  |"),
            ("%x", Value::Int(255), "ff"),
            ("%#x", Value::Int(255), "0xff"),
            ("%X", Value::Int(-255), "-FF"),
            ("%o", Value::Int(8), "10"),
            ("%#o", Value::Int(8), "010"),
            ("%O", Value::Int(8), "0o10"),
            ("%b", Value::Int(5), "101"),
            ("%.0d", Value::Int(0), ""),
            ("%5.0d", Value::Int(0), "     "),
            ("%e", Value::Float(1.0), "1.000000e+00"),
            ("%e", Value::Float(1234.5678e3), "1.234568e+06"),
            ("%E", Value::Float(1234.5678e-8), "1.234568E-05"),
            ("%f", Value::Float(1234.5678e3), "1234567.800000"),
            ("%g", Value::Float(1234.5678e3), "1.2345678e+06"),
            ("%g", Value::Float(1234.5678e-8), "1.2345678e-05"),
            ("%G", Value::Float(-1.0), "-1"),
            ("%v", Value::Float(1e6), "1e+06"),
            ("%.3g", Value::Float(1.0), "1"),
            ("%.3g", Value::Float(-12.34), "-12.3"),
            ("%.2f", Value::Float(1.0), "1.00"),
            ("%8.2f", Value::Float(-1.0), "   -1.00"),
            ("%08.2f", Value::Float(-1.0), "-0001.00"),
            ("%+.3e", Value::Float(0.0), "+0.000e+00"),
            ("%+.3f", Value::Float(-1.0), "-1.000"),
            ("% .3f", Value::Float(1.0), " 1.000"),
            ("%.1f", Value::Float(0.95), "0.9"),
            ("%5.2f", Value::Float(f64::INFINITY), " +Inf"),
            ("%05s", s("abc"), "00abc"),
            ("%08q", s("abc"), "000\"abc\""),
            ("%-8q", s("abc"), "\"abc\"   "),
            ("%-010q", s("⌘"), "\"⌘\"       "),
            ("%+10q", s("⌘"), "  \"\\u2318\""),
            ("%.3q", s("日本語日本語"), "\"日本語\""),
            ("%10.1q", s("日本語日本語"), "       \"日\""),
            ("%.1x", s("日本語"), "e6"),
            ("%10v", Value::Nil, "     <nil>"),
            ("%-10v", Value::Nil, "<nil>     "),
            ("%.d", Value::Int(0), ""),
            ("%06.0d", Value::Int(0), "      "),
            ("%b", Value::Int(-6), "-110"),
            ("%#b", Value::Int(-6), "-0b110"),
            ("%#o", Value::Int(-0o1234), "-01234"),
            ("%O", Value::Int(-0o1234), "-0o1234"),
            ("%#X", Value::Int(0), "0X0"),
            ("%.20b", Value::Int(7), "00000000000000000111"),
            ("%010d", Value::Int(-12345), "-000012345"),
            ("%20.8d", Value::Int(-1234), "           -00001234"),
            ("%020.8d", Value::Int(1234), "            00001234"),
            ("%-#20.8x", Value::Int(0x1234abc), "0x01234abc          "),
            ("%U", Value::Int(-1), "U+FFFFFFFFFFFFFFFF"),
            ("%#14.6U", Value::Int(0x2318), "  U+002318 '⌘'"),
            ("%#.2U", Value::Int('x' as i64), "U+0078 'x'"),
            ("%q", Value::Int(-1), "%!q(int=-1)"),
            ("%q", Value::Int(0xDC80), "'\u{FFFD}'"),
            ("%c", Value::Int(-1), "\u{FFFD}"),
            ("%3c", Value::Int(0x2318), "  ⌘"),
            ("%+07.2f", Value::Float(1.0), "+001.00"),
            ("%-07.2f", Value::Float(-1.0), "-1.00  "),
            ("% .3e", Value::Float(1.0), " 1.000e+00"),
            ("%+.3g", Value::Float(0.0), "+0"),
            ("% .3g", Value::Float(1.0), " 1"),
            ("%f", Value::Float(1234.5678e-8), "0.000012"),
            ("%f", Value::Float(-1e-9), "-0.000000"),
            ("%g", Value::Float(-1e-9), "-1e-09"),
            ("%G", Value::Float(1234.5678e-8), "1.2345678E-05"),
            ("% 20F", Value::Float(f64::INFINITY), "                 Inf"),
            (
                "%+-20G",
                Value::Float(f64::INFINITY),
                "+Inf                ",
            ),
            ("% -20g", Value::Float(f64::NAN), " NaN                "),
            ("%+.3x", Value::Float(0.0), "+0x0.000p+00"),
            ("%+.3x", Value::Float(1.0), "+0x1.000p+00"),
            ("% .3X", Value::Float(-1.0), "-0X1.000P+00"),
            ("%x", Value::Float(123.0), "0x1.ecp+06"),
            ("%b", Value::Float(1.0), "4503599627370496p-52"),
            ("%.4b", Value::Float(-1.0), "-4503599627370496p-52"),
            ("%#g", Value::Float(1e-323), "1.00000e-323"),
            ("%#g", Value::Float(-1.0), "-1.00000"),
            ("%#g", Value::Float(1.1), "1.10000"),
            ("%#g", Value::Float(123456.0), "123456."),
            ("%#g", Value::Float(1234567.0), "1.234567e+06"),
            ("%#g", Value::Float(1230000.0), "1.23000e+06"),
            ("%#.0f", Value::Float(1.0), "1."),
            ("%#.0e", Value::Float(1.0), "1.e+00"),
            ("%#.0x", Value::Float(1.0), "0x1.p+00"),
            ("%#.0g", Value::Float(1.0), "1."),
            ("%#.0g", Value::Float(1100000.0), "1.e+06"),
            ("%#.4f", Value::Float(1.0), "1.0000"),
            ("%#.4x", Value::Float(1.0), "0x1.0000p+00"),
            ("%#.4g", Value::Float(100000.0), "1.000e+05"),
            ("%#.4g", Value::Float(0.1234), "0.1234"),
            ("%#.4g", Value::Float(0.123), "0.1230"),
            ("%#.4g", Value::Float(10.2), "10.20"),
            ("%#.4g", Value::Float(0.0), "0.000"),
            ("%#.4g", Value::Float(0.012), "0.01200"),
            ("%#.4x", Value::Float(123.0), "0x1.ec00p+06"),
            ("%#.4g", Value::Float(123000.0), "1.230e+05"),
            ("%#9.4g", Value::Float(1.0), "    1.000"),
            ("%#b", Value::Float(1.0), "4503599627370496p-52"),
            (
                "%+020e",
                Value::Float(f64::INFINITY),
                "                +Inf",
            ),
            ("%f", Value::Float(f64::NAN), "NaN"),
            ("%v", Value::Nil, "<nil>"),
            ("%d", Value::Nil, "%!d(<nil>)"),
            ("%d", s("hello"), "%!d(string=hello)"),
            ("%s", Value::Int(5), "%!s(int=5)"),
            ("%t", Value::Int(5), "%!t(int=5)"),
            ("%T", Value::Float(1.0), "float64"),
            ("%T", s("x"), "string"),
            ("%T", Value::Nil, "<nil>"),
            ("%%", Value::Nil, "%%!(EXTRA <nil>)"),
        ];
        for (format, arg, want) in cases {
            assert_eq!(
                sprintf(format, std::slice::from_ref(&arg)),
                want,
                "{format} {arg:?}"
            );
        }
    }

    #[test]
    fn argument_errors_and_indexes() {
        assert_eq!(sprintf("%d %d", &[Value::Int(1)]), "1 %!d(MISSING)");
        assert_eq!(
            sprintf("%d", &[Value::Int(1), s("x")]),
            "1%!(EXTRA string=x)"
        );
        assert_eq!(sprintf("hi%", &[]), "hi%!(NOVERB)");
        assert_eq!(
            sprintf("%[2]d %[1]d", &[Value::Int(1), Value::Int(2)]),
            "2 1"
        );
        assert_eq!(
            sprintf("%[3]d", &[Value::Int(1), Value::Int(2)]),
            "%!d(BADINDEX)"
        );
        assert_eq!(sprintf("%*d", &[Value::Int(4), Value::Int(7)]), "   7");
        assert_eq!(sprintf("%-*d|", &[Value::Int(4), Value::Int(7)]), "7   |");
        assert_eq!(sprintf("%.*d", &[Value::Int(3), Value::Int(7)]), "007");
        assert_eq!(sprintf("%*d", &[s("x"), Value::Int(7)]), "%!(BADWIDTH)7");
        assert_eq!(sprintf("%[1]d %[1]x", &[Value::Int(10)]), "10 a");
    }

    #[test]
    fn composite_values() {
        let l = Value::list(vec![s("a"), Value::Int(1), Value::Nil]);
        assert_eq!(sprintf("%v", std::slice::from_ref(&l)), "[a 1 <nil>]");
        assert_eq!(
            sprintf("%s", std::slice::from_ref(&l)),
            "[a %!s(int=1) <nil>]"
        );
        assert_eq!(sprintf("%q", &[l]), "[\"a\" '\\x01' <nil>]");
        let mut m = BTreeMap::new();
        m.insert("k".to_owned(), Value::Float(2.5));
        assert_eq!(sprintf("%v", &[Value::map(m.clone())]), "map[k:2.5]");
        assert_eq!(
            sprintf("%#v", &[Value::map(m)]),
            "map[string]interface {}{\"k\":2.5}"
        );
        assert_eq!(sprintf("%#v", &[s("a")]), "\"a\"");
    }

    #[test]
    fn sprint_and_sprintln() {
        assert_eq!(
            sprint(&[s("a"), Value::Int(1), Value::Int(2), s("b")]),
            "a1 2b"
        );
        assert_eq!(sprintln(&[s("a"), Value::Int(1)]), "a 1\n");
    }

    #[test]
    fn strconv_quote() {
        assert_eq!(quote("a\tb\"c\\"), "\"a\\tb\\\"c\\\\\"");
        assert_eq!(quote("\u{7}\u{1}"), "\"\\a\\x01\"");
        assert_eq!(quote("\u{a0}"), "\"\\u00a0\"");
        assert_eq!(quote("日本"), "\"日本\"");
    }
}
