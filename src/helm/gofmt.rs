//! Go's `fmt` and `strconv` formatting as templates meet them: `printf`/`print`/`println` (the
//! engine's builtins), Sprig's `cat`, `quote`, `toString`... (STUB: the helm-funcs work fills it.)

use super::value::Value;

/// Go's `fmt.Sprintf(format, args...)` with Go's verbs, flags, width and precision, and Go's
/// `%!v(MISSING)` / `%!(EXTRA ...)` forms for mismatched arguments.
pub(crate) fn sprintf(format: &str, args: &[Value]) -> String {
    // STUB until helm-funcs lands: `%v`/`%s`/`%d` only.
    let mut out = String::new();
    let mut args = args.iter();
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('%') => out.push('%'),
            Some(_) => out.push_str(&args.next().map(Value::go_string).unwrap_or_default()),
            None => out.push_str("%!(NOVERB)"),
        }
    }
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
        out.push_str(&arg.go_string());
    }
    out
}

/// Go's `fmt.Sprintln(args...)`: always a space between operands, a newline at the end.
pub(crate) fn sprintln(args: &[Value]) -> String {
    let mut out: Vec<String> = args.iter().map(Value::go_string).collect();
    out.push(String::new());
    let mut s = out.join(" ");
    s.pop();
    s.push('\n');
    s
}
