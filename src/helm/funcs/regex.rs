//! Regular expressions: Sprig v3.3.0 regex.go over Go's regexp (RE2 syntax). Compiled with the
//! `regex` crate under size limits, after rewriting Go's ASCII-only Perl classes (`\d`, `\w`,
//! `\s`, `\b` match ASCII only in Go, Unicode in the crate). Replacement templates expand
//! `$1`, `${1}`, `$name` as Go's `Regexp.Expand` does (the longest name; `$$` is a `$`).

use std::cell::RefCell;
use std::collections::HashMap;

use regex::{Regex, RegexBuilder};

use super::{args_n, as_int, as_str, check_items, s};
use crate::helm::value::Value;

type R = Result<Value, String>;

/// Compiled program and lazy DFA limits per pattern (hostile patterns fail to compile).
const SIZE_LIMIT: usize = 2 << 20;
const CACHE_SIZE: usize = 64;

thread_local! {
    static CACHE: RefCell<HashMap<String, Regex>> = RefCell::new(HashMap::new());
}

/// Go's pattern with Go's ASCII meaning of `\d`, `\w`, `\s`, `\b` made explicit.
fn go_to_rust(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut in_class = false;
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                let Some(n) = chars.next() else {
                    out.push('\\');
                    break;
                };
                let class = match n {
                    'd' => Some(("0-9", false)),
                    'D' => Some(("0-9", true)),
                    'w' => Some(("0-9A-Za-z_", false)),
                    'W' => Some(("0-9A-Za-z_", true)),
                    's' => Some(("\\t\\n\\f\\r ", false)),
                    'S' => Some(("\\t\\n\\f\\r ", true)),
                    _ => None,
                };
                match class {
                    Some((set, negated)) if !in_class => {
                        out.push('[');
                        if negated {
                            out.push('^');
                        }
                        out.push_str(set);
                        out.push(']');
                    }
                    Some((set, false)) => {
                        out.push_str(set);
                        // Go (Perl flags, regexp/syntax parseClass): a `-` after a class in a
                        // class is a literal (`[\w-.]` is word characters, `-` and `.`); after
                        // the expansion it would read as a range from `_`.
                        if chars.peek() == Some(&'-') {
                            chars.next();
                            out.push_str("\\-");
                        }
                    }
                    Some((_, true)) if chars.peek() == Some(&'-') => {
                        chars.next();
                        out.push('\\');
                        out.push(n);
                        out.push_str("\\-");
                    }
                    _ if !in_class && (n == 'b' || n == 'B') => {
                        out.push_str("(?-u:\\");
                        out.push(n);
                        out.push(')');
                    }
                    _ => {
                        out.push('\\');
                        out.push(n);
                    }
                }
            }
            '[' if !in_class => {
                in_class = true;
                out.push('[');
                if chars.peek() == Some(&'^') {
                    out.push('^');
                    chars.next();
                }
                if chars.peek() == Some(&']') {
                    out.push_str("\\]");
                    chars.next();
                }
            }
            '[' if in_class && chars.peek() == Some(&':') => {
                // A POSIX class `[:alpha:]` inside a class.
                out.push('[');
                for d in chars.by_ref() {
                    out.push(d);
                    if d == ']' {
                        break;
                    }
                }
            }
            '[' => out.push_str("\\["),
            ']' if in_class => {
                in_class = false;
                out.push(']');
            }
            c => out.push(c),
        }
    }
    out
}

/// Go's `regexp.Compile`, cached.
pub(crate) fn compile(pattern: &str) -> Result<Regex, String> {
    if let Some(re) = CACHE.with(|c| c.borrow().get(pattern).cloned()) {
        return Ok(re);
    }
    let re = RegexBuilder::new(&go_to_rust(pattern))
        .size_limit(SIZE_LIMIT)
        .dfa_size_limit(SIZE_LIMIT)
        .nest_limit(250)
        .build()
        .map_err(|e| {
            let detail = e.to_string();
            let last = detail
                .lines()
                .rev()
                .find(|l| l.trim_start().starts_with("error:"))
                .map(|l| {
                    l.trim_start()
                        .trim_start_matches("error:")
                        .trim()
                        .to_owned()
                })
                .unwrap_or(detail);
            format!("error parsing regexp: {last}: `{pattern}`")
        })?;
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= CACHE_SIZE {
            c.clear();
        }
        c.insert(pattern.to_owned(), re.clone());
    });
    Ok(re)
}

/// `regexp.MustCompile`'s panic text.
fn must_compile(pattern: &str) -> Result<Regex, String> {
    compile(pattern).map_err(|e| format!("regexp: Compile({}): {e}", go_backquote(pattern)))
}

fn go_backquote(s: &str) -> String {
    format!("`{s}`")
}

fn two<'a>(name: &str, args: &'a [Value]) -> Result<(&'a str, &'a str), String> {
    let [a, b] = args_n(name, args)?;
    Ok((as_str(a)?, as_str(b)?))
}

pub(crate) fn regex_match(args: &[Value]) -> R {
    let (re, text) = two("regexMatch", args)?;
    Ok(Value::Bool(
        compile(re).map(|r| r.is_match(text)).unwrap_or(false),
    ))
}

pub(crate) fn must_regex_match(args: &[Value]) -> R {
    let (re, text) = two("mustRegexMatch", args)?;
    Ok(Value::Bool(compile(re)?.is_match(text)))
}

/// Go's `FindAllString(s, n)`: n < 0 all matches; an empty match right after a match is skipped.
fn find_all<'t>(re: &Regex, text: &'t str, n: i64) -> Vec<(usize, usize, &'t str)> {
    let mut out = Vec::new();
    if n == 0 {
        return out;
    }
    let mut prev_end: Option<usize> = None;
    for m in re.find_iter(text) {
        if m.start() == m.end() && prev_end == Some(m.start()) {
            continue;
        }
        out.push((m.start(), m.end(), m.as_str()));
        prev_end = Some(m.end());
        if n > 0 && out.len() as i64 >= n {
            break;
        }
    }
    out
}

fn find_all_impl(args: &[Value], name: &str, must: bool) -> R {
    let [re, text, n] = args_n(name, args)?;
    let (re, text, n) = (as_str(re)?, as_str(text)?, as_int(n)?);
    let re = if must {
        compile(re)?
    } else {
        must_compile(re)?
    };
    let found = find_all(&re, text, n);
    check_items(name, found.len() as u128)?;
    Ok(Value::list(
        found.into_iter().map(|(_, _, m)| s(m)).collect(),
    ))
}

pub(crate) fn regex_find_all(args: &[Value]) -> R {
    find_all_impl(args, "regexFindAll", false)
}

pub(crate) fn must_regex_find_all(args: &[Value]) -> R {
    find_all_impl(args, "mustRegexFindAll", true)
}

pub(crate) fn regex_find(args: &[Value]) -> R {
    let (re, text) = two("regexFind", args)?;
    Ok(s(must_compile(re)?.find(text).map_or("", |m| m.as_str())))
}

pub(crate) fn must_regex_find(args: &[Value]) -> R {
    let (re, text) = two("mustRegexFind", args)?;
    Ok(s(compile(re)?.find(text).map_or("", |m| m.as_str())))
}

/// Go's `ReplaceAllString`: every match replaced by the template expanded with its groups.
fn replace_all(re: &Regex, text: &str, repl: &str, literal: bool) -> Result<String, String> {
    let mut out = String::new();
    let mut last = 0usize;
    let mut prev_end: Option<usize> = None;
    for caps in re.captures_iter(text) {
        let Some(m) = caps.get(0) else { continue };
        if m.start() == m.end() && prev_end == Some(m.start()) {
            continue;
        }
        out.push_str(text.get(last..m.start()).unwrap_or_default());
        if literal {
            out.push_str(repl);
        } else {
            caps.expand(repl, &mut out);
        }
        last = m.end();
        prev_end = Some(m.end());
        super::check_len("regexReplaceAll", out.len())?;
    }
    out.push_str(text.get(last..).unwrap_or_default());
    Ok(out)
}

fn replace_impl(args: &[Value], name: &str, must: bool, literal: bool) -> R {
    let [re, text, repl] = args_n(name, args)?;
    let (re, text, repl) = (as_str(re)?, as_str(text)?, as_str(repl)?);
    let re = if must {
        compile(re)?
    } else {
        must_compile(re)?
    };
    Ok(s(replace_all(&re, text, repl, literal)?))
}

pub(crate) fn regex_replace_all(args: &[Value]) -> R {
    replace_impl(args, "regexReplaceAll", false, false)
}

pub(crate) fn must_regex_replace_all(args: &[Value]) -> R {
    replace_impl(args, "mustRegexReplaceAll", true, false)
}

pub(crate) fn regex_replace_all_literal(args: &[Value]) -> R {
    replace_impl(args, "regexReplaceAllLiteral", false, true)
}

pub(crate) fn must_regex_replace_all_literal(args: &[Value]) -> R {
    replace_impl(args, "mustRegexReplaceAllLiteral", true, true)
}

/// Go's `Regexp.Split(s, n)`.
fn split_impl(args: &[Value], name: &str, must: bool) -> R {
    let [re_text, text, n] = args_n(name, args)?;
    let (re_text, text, n) = (as_str(re_text)?, as_str(text)?, as_int(n)?);
    let re = if must {
        compile(re_text)?
    } else {
        must_compile(re_text)?
    };
    if n == 0 {
        // Go's nil []string: empty.
        return Ok(Value::list(Vec::new()));
    }
    if !re_text.is_empty() && text.is_empty() {
        return Ok(Value::list(vec![s("")]));
    }
    let matches = find_all(&re, text, n);
    check_items(name, matches.len() as u128 + 1)?;
    let mut out: Vec<Value> = Vec::new();
    let (mut beg, mut end) = (0usize, 0usize);
    for (start, stop, _) in matches {
        if n > 0 && out.len() as i64 == n - 1 {
            break;
        }
        end = start;
        if stop != 0 {
            out.push(s(text.get(beg..end).unwrap_or_default()));
        }
        beg = stop;
    }
    if end != text.len() {
        out.push(s(text.get(beg..).unwrap_or_default()));
    }
    Ok(Value::list(out))
}

pub(crate) fn regex_split(args: &[Value]) -> R {
    split_impl(args, "regexSplit", false)
}

pub(crate) fn must_regex_split(args: &[Value]) -> R {
    split_impl(args, "mustRegexSplit", true)
}

/// Go's `regexp.QuoteMeta`.
pub(crate) fn regex_quote_meta(args: &[Value]) -> R {
    let [text] = args_n("regexQuoteMeta", args)?;
    let text = as_str(text)?;
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    Ok(s(out))
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check_all, run, run_err};

    // Sprig v3.3.0 regex_test.go.
    #[test]
    fn sprig_regex_tests() {
        let n = check_all(&[
            // TestRegexMatch
            (
                r#"{{ regexMatch "^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,}$" "test@acme.com" }}"#,
                "true",
            ),
            (
                r#"{{ regexMatch "^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,}$" "Test@Acme.Com" }}"#,
                "true",
            ),
            (
                r#"{{ regexMatch "^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,}$" "test" }}"#,
                "false",
            ),
            (
                r#"{{ regexMatch "^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,}$" "test@acme" }}"#,
                "false",
            ),
            (
                r#"{{ mustRegexMatch "^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\\.[a-zA-Z]{2,}$" "test@acme.com" }}"#,
                "true",
            ),
            // TestRegexFindAll
            (r#"{{ regexFindAll "a{2}" "aa" -1 | len }}"#, "1"),
            (r#"{{ regexFindAll "a{2}" "aaaaaaaa" -1 | len }}"#, "4"),
            (r#"{{ regexFindAll "a{2}" "none" -1 | len }}"#, "0"),
            (r#"{{ regexFindAll "a{2}" "aaaaaaaa" 2 | len }}"#, "2"),
            (r#"{{ mustRegexFindAll "a{2}" "aaaaaaaa" -1 | len }}"#, "4"),
            // TestRegexFindl
            (r#"{{ regexFind "foo.?" "foorbar" }}"#, "foor"),
            (r#"{{ regexFind "foo.?" "foo foe fome" }}"#, "foo "),
            (r#"{{ regexFind "foo.?" "none" }}"#, ""),
            (r#"{{ mustRegexFind "foo.?" "foorbar" }}"#, "foor"),
            // TestRegexReplaceAll
            (
                r#"{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }}"#,
                "-W-xxW-",
            ),
            (r#"{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "$1W" }}"#, "---"),
            (
                r#"{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "$1" }}"#,
                "--xx-",
            ),
            (
                r#"{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }}"#,
                "-W-xxW-",
            ),
            (
                r#"{{ mustRegexReplaceAll "a(x*)b" "-ab-axxb-" "$1" }}"#,
                "--xx-",
            ),
            // TestRegexReplaceAllLiteral
            (
                r#"{{ regexReplaceAllLiteral "a(x*)b" "-ab-axxb-" "${1}" }}"#,
                "-${1}-${1}-",
            ),
            (
                r#"{{ regexReplaceAllLiteral "a(x*)b" "-ab-axxb-" "$1" }}"#,
                "-$1-$1-",
            ),
            (
                r#"{{ regexReplaceAllLiteral "a(x*)b" "-ab-axxb-" "$1W" }}"#,
                "-$1W-$1W-",
            ),
            // TestRegexSplit
            (r#"{{ regexSplit "a" "banana" -1 | len }}"#, "4"),
            (r#"{{ regexSplit "a" "banana" 0 | len }}"#, "0"),
            (r#"{{ regexSplit "a" "banana" 1 | len }}"#, "1"),
            (r#"{{ regexSplit "a" "banana" 2 | len }}"#, "2"),
            (r#"{{ regexSplit "z+" "pizza" -1 | len }}"#, "2"),
            (r#"{{ regexSplit "z+" "pizza" 0 | len }}"#, "0"),
            (r#"{{ regexSplit "z+" "pizza" 1 | len }}"#, "1"),
            (r#"{{ regexSplit "z+" "pizza" 2 | len }}"#, "2"),
            (r#"{{ regexSplit "a" "banana" -1 }}"#, "[b n n ]"),
            (r#"{{ regexSplit "" "abc" -1 }}"#, "[a b c]"),
        ]);
        assert!(n > 30);
    }

    #[test]
    fn go_regex_semantics() {
        // Go's \d and \w are ASCII only.
        assert_eq!(run(r#"{{ regexMatch "^\\d+$" "١٢" }}"#), "false");
        assert_eq!(run(r#"{{ regexMatch "^[\\d]+$" "12" }}"#), "true");
        assert_eq!(run(r#"{{ regexMatch "(" "x" }}"#), "false");
        assert!(run_err(r#"{{ mustRegexMatch "(" "x" }}"#).starts_with("error parsing regexp"));
        assert!(run_err(r#"{{ regexFind "(" "x" }}"#).starts_with("regexp: Compile(`(`)"));
        // A pattern too big to compile is an error, not an allocation without end.
        assert!(run_err(r#"{{ mustRegexMatch "((a{100}){100}){100}" "x" }}"#).contains("regexp"));
        assert_eq!(
            run(
                r#"{{ regexReplaceAll "(?P<first>\\w+) (?P<last>\\w+)" "Ada Lovelace" "$last, $first" }}"#
            ),
            "Lovelace, Ada"
        );
        assert_eq!(run(r#"{{ regexReplaceAll "a" "aaa" "$$" }}"#), "$$$");
    }

    #[test]
    fn dash_after_a_class_in_a_class_is_literal() {
        // Go's regexp/syntax (Perl flags) reads `-` after `\w` in a class as a literal; the
        // redis-ha chart's `redis-ha.masterGroupName` (DandyDeveloper/charts) relies on it.
        assert_eq!(run(r#"{{ regexMatch "^[\\w-\\.]+$" "argocd" }}"#), "true");
        assert_eq!(run(r#"{{ regexMatch "^[\\w-\\.]+$" "a-b.c_d" }}"#), "true");
        assert_eq!(run(r#"{{ regexMatch "^[\\w-\\.]+$" "a b" }}"#), "false");
        assert_eq!(run(r#"{{ regexMatch "^[\\w-\\.]+$" "a/b" }}"#), "false");
        assert_eq!(run(r#"{{ regexMatch "^[\\d-]+$" "1-2" }}"#), "true");
        assert_eq!(run(r#"{{ regexMatch "^[\\s-x]+$" "- x" }}"#), "true");
        assert_eq!(run(r#"{{ regexMatch "^[\\s-x]+$" "a" }}"#), "false");
        assert_eq!(run(r#"{{ regexMatch "^[\\W-a]+$" "-a!" }}"#), "true");
    }
}
