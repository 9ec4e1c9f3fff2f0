//! String functions: Sprig v3.3.0 strings.go and functions.go's inline ones, with goutils
//! (Abbreviate, Initials, Wrap, SwapCase) and xstrings (case conversion) semantics.

use std::collections::BTreeMap;

use super::conv::strval;
use super::{MAX_STRING, args_n, as_int, as_str, check_items, check_len, new_map, s};
use crate::helm::gofmt::quote as go_quote;
use crate::helm::value::Value;

type R = Result<Value, String>;

pub(crate) fn hello(args: &[Value]) -> R {
    args_n::<0>("hello", args)?;
    Ok(s("Hello!"))
}

fn str1<'a>(name: &str, args: &'a [Value]) -> Result<&'a str, String> {
    let [a] = args_n(name, args)?;
    as_str(a)
}

fn str2<'a>(name: &str, args: &'a [Value]) -> Result<(&'a str, &'a str), String> {
    let [a, b] = args_n(name, args)?;
    Ok((as_str(a)?, as_str(b)?))
}

pub(crate) fn upper(args: &[Value]) -> R {
    Ok(s(str1("upper", args)?.to_uppercase()))
}

pub(crate) fn lower(args: &[Value]) -> R {
    Ok(s(str1("lower", args)?.to_lowercase()))
}

/// Go's `strings.TrimSpace`.
pub(crate) fn trim(args: &[Value]) -> R {
    Ok(s(str1("trim", args)?.trim()))
}

/// Go's `strings.Title`: the first letter of each word upper-cased.
pub(crate) fn title(args: &[Value]) -> R {
    let text = str1("title", args)?;
    let mut out = String::with_capacity(text.len());
    let mut prev_sep = true;
    for c in text.chars() {
        if prev_sep {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        prev_sep = is_separator(c);
    }
    Ok(s(out))
}

/// strings.go `isSeparator`.
fn is_separator(c: char) -> bool {
    if c.is_ascii() {
        return !(c.is_ascii_alphanumeric() || c == '_');
    }
    if c.is_alphabetic() || c.is_numeric() {
        return false;
    }
    c.is_whitespace()
}

/// goutils `Uncapitalize`: the first letter of every space-separated word lower-cased.
pub(crate) fn untitle(args: &[Value]) -> R {
    let text = str1("untitle", args)?;
    let mut out = String::with_capacity(text.len());
    let mut word_start = true;
    for c in text.chars() {
        if c.is_whitespace() {
            word_start = true;
            out.push(c);
        } else if word_start {
            out.extend(c.to_lowercase());
            word_start = false;
        } else {
            out.push(c);
        }
    }
    Ok(s(out))
}

/// `substr START END S`, on bytes as Go slices them (out-of-range bounds are Go's panic).
pub(crate) fn substr(args: &[Value]) -> R {
    let [start, end, text] = args_n("substr", args)?;
    let (start, end, text) = (as_int(start)?, as_int(end)?, as_str(text)?);
    let len = text.len() as i64;
    let (a, b) = if start < 0 {
        (0, end)
    } else if end < 0 || end > len {
        (start, len)
    } else {
        (start, end)
    };
    if a < 0 || b < a || b > len {
        return Err(format!(
            "runtime error: slice bounds out of range [{a}:{b}]"
        ));
    }
    Ok(s(byte_slice(text, a as usize, b as usize)))
}

/// `text[a..b]` by bytes; a cut inside a character keeps the bytes as U+FFFD, as Go would
/// print broken UTF-8.
fn byte_slice(text: &str, a: usize, b: usize) -> String {
    let bytes = text.as_bytes().get(a..b).unwrap_or_default();
    String::from_utf8_lossy(bytes).into_owned()
}

pub(crate) fn trunc(args: &[Value]) -> R {
    let [c, text] = args_n("trunc", args)?;
    let (c, text) = (as_int(c)?, as_str(text)?);
    let len = text.len() as i64;
    if c < 0 && len + c > 0 {
        return Ok(s(byte_slice(text, (len + c) as usize, text.len())));
    }
    if c >= 0 && len > c {
        return Ok(s(byte_slice(text, 0, c as usize)));
    }
    Ok(s(text))
}

pub(crate) fn abbrev(args: &[Value]) -> R {
    let [w, text] = args_n("abbrev", args)?;
    let (w, text) = (as_int(w)?, as_str(text)?);
    if w < 4 {
        return Ok(s(text));
    }
    Ok(s(abbreviate_full(text, 0, w).unwrap_or_default()))
}

pub(crate) fn abbrevboth(args: &[Value]) -> R {
    let [l, r, text] = args_n("abbrevboth", args)?;
    let (l, r, text) = (as_int(l)?, as_int(r)?, as_str(text)?);
    if r < 4 || l > 0 && r < 7 {
        return Ok(s(text));
    }
    Ok(s(abbreviate_full(text, l, r).unwrap_or_default()))
}

/// goutils `AbbreviateFull` (by bytes).
fn abbreviate_full(text: &str, offset: i64, max_width: i64) -> Option<String> {
    if text.is_empty() {
        return Some(String::new());
    }
    if max_width < 4 {
        return None;
    }
    let len = text.len() as i64;
    if len <= max_width {
        return Some(text.to_owned());
    }
    let mut offset = offset.min(len);
    if len - offset < max_width - 3 {
        offset = len - (max_width - 3);
    }
    if offset <= 4 {
        return Some(byte_slice(text, 0, (max_width - 3) as usize) + "...");
    }
    if max_width < 7 {
        return None;
    }
    if offset + max_width - 3 < len {
        let rest = byte_slice(text, offset as usize, text.len());
        let inner = abbreviate_full(&rest, 0, max_width - 3).unwrap_or_default();
        return Some(format!("...{inner}"));
    }
    Some(format!(
        "...{}",
        byte_slice(text, (len - (max_width - 3)) as usize, text.len())
    ))
}

pub(crate) fn repeat(args: &[Value]) -> R {
    let [count, text] = args_n("repeat", args)?;
    let (count, text) = (as_int(count)?, as_str(text)?);
    if count < 0 {
        return Err("strings: negative Repeat count".to_owned());
    }
    let total = (text.len() as u128) * (count as u128);
    check_len("repeat", usize::try_from(total).unwrap_or(usize::MAX))?;
    Ok(s(text.repeat(count as usize)))
}

pub(crate) fn trim_all(args: &[Value]) -> R {
    let (cut, text) = str2("trimAll", args)?;
    Ok(s(text.trim_matches(|c| cut.contains(c))))
}

pub(crate) fn trim_suffix(args: &[Value]) -> R {
    let (suffix, text) = str2("trimSuffix", args)?;
    Ok(s(text.strip_suffix(suffix).unwrap_or(text)))
}

pub(crate) fn trim_prefix(args: &[Value]) -> R {
    let (prefix, text) = str2("trimPrefix", args)?;
    Ok(s(text.strip_prefix(prefix).unwrap_or(text)))
}

/// goutils `DeleteWhiteSpace`.
pub(crate) fn nospace(args: &[Value]) -> R {
    let text = str1("nospace", args)?;
    Ok(s(text
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()))
}

/// goutils `Initials`: the first character of each space-separated word.
pub(crate) fn initials(args: &[Value]) -> R {
    let text = str1("initials", args)?;
    let mut out = String::new();
    let mut gap = true;
    for c in text.chars() {
        if c.is_whitespace() {
            gap = true;
        } else if gap {
            out.push(c);
            gap = false;
        }
    }
    Ok(s(out))
}

/// A fixed stand-in for random text of `count` characters drawn from `alphabet`.
fn fake_random(name: &str, args: &[Value], alphabet: &str) -> R {
    let [count] = args_n(name, args)?;
    let count = as_int(count)?;
    if count <= 0 {
        return Ok(s(""));
    }
    check_len(name, usize::try_from(count).unwrap_or(usize::MAX))?;
    Ok(s(alphabet
        .chars()
        .cycle()
        .take(count as usize)
        .collect::<String>()))
}

pub(crate) fn rand_alpha_num(args: &[Value]) -> R {
    fake_random("randAlphaNum", args, "fake0")
}

pub(crate) fn rand_alpha(args: &[Value]) -> R {
    fake_random("randAlpha", args, "fake")
}

pub(crate) fn rand_ascii(args: &[Value]) -> R {
    fake_random("randAscii", args, "fake!")
}

pub(crate) fn rand_numeric(args: &[Value]) -> R {
    fake_random("randNumeric", args, "0123456789")
}

/// goutils `SwapCase`.
pub(crate) fn swapcase(args: &[Value]) -> R {
    let text = str1("swapcase", args)?;
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_uppercase() {
            out.extend(c.to_lowercase());
        } else if c.is_lowercase() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
    }
    Ok(s(out))
}

/// xstrings `Shuffle` is random: the fixed stand-in keeps the string as it is.
pub(crate) fn shuffle(args: &[Value]) -> R {
    Ok(s(str1("shuffle", args)?))
}

fn is_connector(c: char) -> bool {
    c == '-' || c == '_' || c.is_whitespace()
}

/// xstrings `isAlphabet`: a letter, not a CJK character.
fn is_alphabet(c: char) -> bool {
    c.is_alphabetic() && (c as u32) < 0x2E80
}

/// xstrings `ToPascalCase` (Sprig's `camelcase`): connectors (`-`, `_`, spaces) dropped and
/// the letter after them upper-cased; a run of connectors keeps all but its last.
pub(crate) fn camelcase(args: &[Value]) -> R {
    let text = str1("camelcase", args)?;
    let mut out = String::new();
    let mut chars = text.chars();
    let mut r0 = None;
    for c in chars.by_ref() {
        if !is_connector(c) {
            r0 = Some(c.to_uppercase().next().unwrap_or(c));
            break;
        }
        out.push(c);
    }
    let Some(mut r0) = r0 else {
        return Ok(s(out));
    };
    for c in chars {
        let r1 = r0;
        r0 = c;
        if is_connector(r0) && is_connector(r1) {
            out.push(r1);
            continue;
        }
        if is_connector(r1) {
            r0 = r0.to_uppercase().next().unwrap_or(r0);
        } else {
            out.push(r1);
        }
    }
    out.push(r0);
    Ok(s(out))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Word {
    Invalid,
    Number,
    Upper,
    Alphabet,
    Connector,
    Punct,
    Other,
}

fn is_punct(c: char) -> bool {
    c.is_ascii_punctuation() && !matches!(c, '$' | '+' | '<' | '=' | '>' | '^' | '`' | '|' | '~')
        || (!c.is_ascii() && !c.is_alphanumeric() && !c.is_whitespace() && !c.is_control())
}

/// xstrings `nextWord`: the type and text of the next word, and the rest.
fn next_word(text: &str) -> (Word, &str, &str) {
    let mut it = text.char_indices().peekable();
    let Some((_, r)) = it.next() else {
        return (Word::Invalid, "", "");
    };
    let mut end = r.len_utf8();
    let advance_while = |end: &mut usize, pred: &dyn Fn(char) -> bool| {
        for c in text.get(*end..).unwrap_or_default().chars() {
            if !pred(c) {
                break;
            }
            *end += c.len_utf8();
        }
    };
    let wt = if is_connector(r) {
        advance_while(&mut end, &is_connector);
        Word::Connector
    } else if is_punct(r) {
        advance_while(&mut end, &is_punct);
        Word::Punct
    } else if r.is_uppercase() {
        let rest = text.get(end..).unwrap_or_default();
        if let Some(n) = rest.chars().next() {
            if n.is_uppercase() {
                // A run of capitals; the last one starts the next word when a lower-case
                // letter follows ("HTTPServer" → "HTTP", "Server").
                let mut prev = n.len_utf8();
                end += prev;
                let mut next = None;
                for c in text.get(end..).unwrap_or_default().chars() {
                    if !c.is_uppercase() {
                        next = Some(c);
                        break;
                    }
                    prev = c.len_utf8();
                    end += prev;
                }
                if let Some(c) = next
                    && is_alphabet(c)
                {
                    end -= prev;
                }
            } else if is_alphabet(n) {
                advance_while(&mut end, &|c| is_alphabet(c) && !c.is_uppercase());
            }
        }
        Word::Upper
    } else if is_alphabet(r) {
        advance_while(&mut end, &|c| is_alphabet(c) && !c.is_uppercase());
        Word::Alphabet
    } else if r.is_numeric() {
        advance_while(&mut end, &|c: char| c.is_numeric());
        Word::Number
    } else {
        advance_while(&mut end, &|c| {
            !(is_connector(c) || is_alphabet(c) || c.is_numeric() || is_punct(c))
        });
        Word::Other
    };
    let (word, rest) = text.split_at_checked(end).unwrap_or((text, ""));
    (wt, word, rest)
}

fn to_lower(out: &mut String, wt: Word, word: &str, connector: char) {
    if wt != Word::Upper && wt != Word::Connector {
        out.push_str(word);
        return;
    }
    for c in word.chars() {
        if is_connector(c) {
            out.push(connector);
        } else if c.is_uppercase() {
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
}

/// xstrings `camelCaseToLowerCase` (`snakecase`, `kebabcase`).
fn camel_to_lower(text: &str, connector: char) -> String {
    let mut out = String::new();
    if text.is_empty() {
        return out;
    }
    let (mut wt, mut word, mut remaining) = next_word(text);
    while !remaining.is_empty() {
        if wt != Word::Connector {
            to_lower(&mut out, wt, word, connector);
        }
        let prev = wt;
        let last = word;
        (wt, word, remaining) = next_word(remaining);
        match prev {
            Word::Number => {
                while wt == Word::Alphabet || wt == Word::Number {
                    to_lower(&mut out, wt, word, connector);
                    (wt, word, remaining) = next_word(remaining);
                }
                if !matches!(wt, Word::Invalid | Word::Punct | Word::Connector) {
                    out.push(connector);
                }
            }
            Word::Connector => to_lower(&mut out, prev, last, connector),
            Word::Punct => {}
            _ => {
                if wt != Word::Number {
                    if wt != Word::Connector && wt != Word::Punct {
                        out.push(connector);
                    }
                    continue;
                }
                if remaining.is_empty() {
                    continue;
                }
                let last = word;
                (wt, word, remaining) = next_word(remaining);
                if wt != Word::Alphabet {
                    to_lower(&mut out, Word::Number, last, connector);
                    if wt != Word::Connector && wt != Word::Punct {
                        out.push(connector);
                    }
                    continue;
                }
                out.push(connector);
                to_lower(&mut out, Word::Number, last, connector);
                while wt == Word::Alphabet || wt == Word::Number {
                    to_lower(&mut out, wt, word, connector);
                    (wt, word, remaining) = next_word(remaining);
                }
                if !matches!(wt, Word::Invalid | Word::Connector | Word::Punct) {
                    out.push(connector);
                }
            }
        }
    }
    to_lower(&mut out, wt, word, connector);
    out
}

pub(crate) fn snakecase(args: &[Value]) -> R {
    Ok(s(camel_to_lower(str1("snakecase", args)?, '_')))
}

pub(crate) fn kebabcase(args: &[Value]) -> R {
    Ok(s(camel_to_lower(str1("kebabcase", args)?, '-')))
}

/// goutils `WrapCustom` (by bytes, as Go).
fn wrap_custom(text: &str, width: i64, newline: &str, long_words: bool) -> String {
    if text.is_empty() {
        return String::new();
    }
    let newline = if newline.is_empty() { "\n" } else { newline };
    let width = width.max(1) as usize;
    let bytes = text.as_bytes();
    let len = bytes.len();
    let mut offset = 0usize;
    let mut out: Vec<u8> = Vec::new();
    while len - offset > width {
        if bytes.get(offset) == Some(&b' ') {
            offset += 1;
            continue;
        }
        let end = (width + offset + 1).min(len);
        let window = bytes.get(offset..end).unwrap_or_default();
        match window.iter().rposition(|b| *b == b' ') {
            Some(k) => {
                out.extend_from_slice(bytes.get(offset..offset + k).unwrap_or_default());
                out.extend_from_slice(newline.as_bytes());
                offset += k + 1;
            }
            None if long_words => {
                let end = width + offset;
                out.extend_from_slice(bytes.get(offset..end).unwrap_or_default());
                out.extend_from_slice(newline.as_bytes());
                offset += width;
            }
            None => {
                let end = width + offset;
                match bytes
                    .get(end..)
                    .unwrap_or_default()
                    .iter()
                    .position(|b| *b == b' ')
                {
                    None => {
                        out.extend_from_slice(bytes.get(offset..).unwrap_or_default());
                        offset = len;
                    }
                    Some(k) => {
                        let at = end + k;
                        out.extend_from_slice(bytes.get(offset..at).unwrap_or_default());
                        out.extend_from_slice(newline.as_bytes());
                        offset = at + 1;
                    }
                }
            }
        }
        if out.len() > MAX_STRING {
            break;
        }
    }
    out.extend_from_slice(bytes.get(offset..).unwrap_or_default());
    String::from_utf8_lossy(&out).into_owned()
}

pub(crate) fn wrap(args: &[Value]) -> R {
    let [l, text] = args_n("wrap", args)?;
    Ok(s(wrap_custom(as_str(text)?, as_int(l)?, "", false)))
}

pub(crate) fn wrap_with(args: &[Value]) -> R {
    let [l, sep, text] = args_n("wrapWith", args)?;
    let (l, sep, text) = (as_int(l)?, as_str(sep)?, as_str(text)?);
    check_len(
        "wrapWith",
        text.len().saturating_mul(sep.len().saturating_add(1)),
    )?;
    Ok(s(wrap_custom(text, l, sep, true)))
}

pub(crate) fn contains(args: &[Value]) -> R {
    let (sub, text) = str2("contains", args)?;
    Ok(Value::Bool(text.contains(sub)))
}

pub(crate) fn has_prefix(args: &[Value]) -> R {
    let (p, text) = str2("hasPrefix", args)?;
    Ok(Value::Bool(text.starts_with(p)))
}

pub(crate) fn has_suffix(args: &[Value]) -> R {
    let (p, text) = str2("hasSuffix", args)?;
    Ok(Value::Bool(text.ends_with(p)))
}

/// The non-nil arguments, each through `part`, space-separated, within [`MAX_STRING`]: checked
/// as each part is added (`cat $big $big ...` stops at the limit instead of allocating the whole).
fn spaced(name: &str, args: &[Value], part: impl Fn(&Value) -> String) -> R {
    let mut out = String::new();
    for v in args.iter().filter(|v| !matches!(v, Value::Nil)) {
        let text = part(v);
        let sep = usize::from(!out.is_empty());
        check_len(
            name,
            out.len().saturating_add(sep).saturating_add(text.len()),
        )?;
        if sep == 1 {
            out.push(' ');
        }
        out.push_str(&text);
    }
    Ok(s(out))
}

/// `quote`: each non-nil argument as Go's `%q` of its string form, space-separated.
pub(crate) fn quote(args: &[Value]) -> R {
    spaced("quote", args, |v| go_quote(&strval(v)))
}

/// `squote`: each non-nil argument as `'%v'`.
pub(crate) fn squote(args: &[Value]) -> R {
    spaced("squote", args, |v| {
        format!("'{}'", crate::helm::gofmt::sprint(std::slice::from_ref(v)))
    })
}

/// `cat`: the non-nil arguments' `%v`, space-separated.
pub(crate) fn cat(args: &[Value]) -> R {
    spaced("cat", args, |v| {
        crate::helm::gofmt::sprintf("%v", std::slice::from_ref(v))
    })
}

fn indent_text(name: &str, spaces: i64, text: &str) -> Result<String, String> {
    let n = usize::try_from(spaces).unwrap_or(0);
    let lines = text.matches('\n').count() as u128 + 1;
    let total = lines * n as u128 + text.len() as u128;
    check_len(name, usize::try_from(total).unwrap_or(usize::MAX))?;
    let pad = " ".repeat(n);
    let mut out = String::with_capacity(total as usize);
    out.push_str(&pad);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
            out.push_str(&pad);
        }
        out.push_str(line);
    }
    Ok(out)
}

/// `indent N S`: every line of S prefixed with N spaces (a negative N is no padding, as Go's
/// `strings.Repeat` would panic: reported as Go's error).
pub(crate) fn indent(args: &[Value]) -> R {
    let [n, text] = args_n("indent", args)?;
    let n = as_int(n)?;
    if n < 0 {
        return Err("strings: negative Repeat count".to_owned());
    }
    Ok(s(indent_text("indent", n, as_str(text)?)?))
}

pub(crate) fn nindent(args: &[Value]) -> R {
    let [n, text] = args_n("nindent", args)?;
    let n = as_int(n)?;
    if n < 0 {
        return Err("strings: negative Repeat count".to_owned());
    }
    Ok(s(format!(
        "\n{}",
        indent_text("nindent", n, as_str(text)?)?
    )))
}

pub(crate) fn replace(args: &[Value]) -> R {
    let [old, new, text] = args_n("replace", args)?;
    let (old, new, text) = (as_str(old)?, as_str(new)?, as_str(text)?);
    if old.is_empty() {
        // Go: an empty `old` matches before every rune and at the end.
        let n = text.chars().count() + 1;
        check_len(
            "replace",
            text.len().saturating_add(n.saturating_mul(new.len())),
        )?;
        let mut out = String::new();
        out.push_str(new);
        for c in text.chars() {
            out.push(c);
            out.push_str(new);
        }
        return Ok(s(out));
    }
    let count = text.matches(old).count();
    check_len(
        "replace",
        text.len()
            .saturating_add(count.saturating_mul(new.len().saturating_sub(old.len()))),
    )?;
    Ok(s(text.replace(old, new)))
}

pub(crate) fn plural(args: &[Value]) -> R {
    let [one, many, count] = args_n("plural", args)?;
    let (one, many, count) = (as_str(one)?, as_str(many)?, as_int(count)?);
    Ok(s(if count == 1 { one } else { many }))
}

pub(crate) fn join(args: &[Value]) -> R {
    let [sep, v] = args_n("join", args)?;
    let sep = as_str(sep)?;
    let parts = super::conv::strslice(v);
    let total: usize = parts
        .iter()
        .map(String::len)
        .sum::<usize>()
        .saturating_add(sep.len().saturating_mul(parts.len()));
    check_len("join", total)?;
    Ok(s(parts.join(sep)))
}

/// Go's `strings.Split` (an empty separator splits into characters).
fn go_split<'a>(text: &'a str, sep: &str, n: Option<usize>) -> Vec<&'a str> {
    if sep.is_empty() {
        let mut out: Vec<&str> = Vec::new();
        let limit = n.unwrap_or(usize::MAX);
        let mut rest = text;
        while !rest.is_empty() {
            if out.len() + 1 == limit {
                out.push(rest);
                return out;
            }
            let len = rest.chars().next().map_or(1, char::len_utf8);
            let (head, tail) = rest.split_at_checked(len).unwrap_or((rest, ""));
            out.push(head);
            rest = tail;
        }
        return out;
    }
    match n {
        Some(n) => text.splitn(n, sep).collect(),
        None => text.split(sep).collect(),
    }
}

fn check_split(name: &str, text: &str, sep: &str) -> Result<(), String> {
    let n = if sep.is_empty() {
        text.chars().count()
    } else {
        text.matches(sep).count() + 1
    };
    check_items(name, n as u128)
}

pub(crate) fn split_list(args: &[Value]) -> R {
    let (sep, text) = str2("splitList", args)?;
    check_split("splitList", text, sep)?;
    Ok(Value::list(
        go_split(text, sep, None).into_iter().map(s).collect(),
    ))
}

fn parts_map(parts: Vec<&str>) -> Value {
    let m: BTreeMap<String, Value> = parts
        .into_iter()
        .enumerate()
        .map(|(i, p)| (format!("_{i}"), s(p)))
        .collect();
    new_map(m)
}

/// `split SEP S`: a map `_0`, `_1`, ... of the parts.
pub(crate) fn split(args: &[Value]) -> R {
    let (sep, text) = str2("split", args)?;
    check_split("split", text, sep)?;
    Ok(parts_map(go_split(text, sep, None)))
}

/// `splitn SEP N S` (Go's `strings.SplitN`: N < 0 all parts, N == 0 none).
pub(crate) fn splitn(args: &[Value]) -> R {
    let [sep, n, text] = args_n("splitn", args)?;
    let (sep, n, text) = (as_str(sep)?, as_int(n)?, as_str(text)?);
    if n == 0 {
        return Ok(parts_map(Vec::new()));
    }
    check_split("splitn", text, sep)?;
    let limit = if n < 0 {
        None
    } else {
        Some(usize::try_from(n).unwrap_or(usize::MAX))
    };
    Ok(parts_map(go_split(text, sep, limit)))
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check_all, run, run_err};

    // Sprig v3.3.0 strings_test.go and functions_test.go, case by case.
    #[test]
    fn sprig_strings_tests() {
        let n = check_all(&[
            // TestSubstr
            (r#"{{"fooo" | substr 0 3 }}"#, "foo"),
            // TestSubstr_shorterString
            (r#"{{"foo" | substr 0 10 }}"#, "foo"),
            // TestTrunc
            (r#"{{ "foooooo" | trunc 3 }}"#, "foo"),
            (r#"{{ "baaaaaar" | trunc -3 }}"#, "aar"),
            (r#"{{ "baaaaaar" | trunc -999 }}"#, "baaaaaar"),
            (r#"{{ "baaaaaz" | trunc 0 }}"#, ""),
            // TestQuote
            (r#"{{quote "a" "b" "c"}}"#, r#""a" "b" "c""#),
            (r#"{{quote "\"a\"" "b" "c"}}"#, r#""\"a\"" "b" "c""#),
            (r#"{{quote 1 2 3 }}"#, r#""1" "2" "3""#),
            (r#"{{ .value | quote }}"#, ""),
            // TestSquote
            (r#"{{squote "a" "b" "c"}}"#, "'a' 'b' 'c'"),
            (r#"{{squote 1 2 3 }}"#, "'1' '2' '3'"),
            (r#"{{ .value | squote }}"#, ""),
            // TestContains
            (r#"{{ contains "cat" "fair catch" }}"#, "true"),
            // TestTrim and friends
            (r#"{{trim "   5.00   "}}"#, "5.00"),
            (r#"{{trimAll "$" "$5.00$"}}"#, "5.00"),
            (r#"{{trimPrefix "$" "$5.00"}}"#, "5.00"),
            (r#"{{trimSuffix "$" "5.00$"}}"#, "5.00"),
            // TestSplit
            (
                r#"{{ "foo$bar$baz" | split "$" }}"#,
                "map[_0:foo _1:bar _2:baz]",
            ),
            // TestToString
            (r#"{{ 1 | toString | kindOf }}"#, "string"),
            // TestCat
            (r#"{{"c" | cat "a" "b"}}"#, "a b c"),
            // TestIndent
            (r#"{{indent 4 "a\nb\nc"}}"#, "    a\n    b\n    c"),
            // TestNindent
            (r#"{{nindent 4 "a\nb\nc"}}"#, "\n    a\n    b\n    c"),
            // TestReplace
            (
                r#"{{"I Am Henry VIII" | replace " " "-"}}"#,
                "I-Am-Henry-VIII",
            ),
            // TestPlural
            (r#"{{ 3 | plural "1 char" "chars"}}"#, "chars"),
            (r#"{{ 1 | plural "1 char" "chars"}}"#, "1 char"),
            // TestSortAlpha etc. are in lists; TestB64/B32 in encoding.
            // TestGoutils
            (r#"{{abbrev 5 "hello world"}}"#, "he..."),
            (r#"{{abbrevboth 5 10 "1234 5678 9123"}}"#, "...5678..."),
            (r#"{{nospace "h e l l o "}}"#, "hello"),
            (r#"{{untitle "First Try"}}"#, "first try"),
            (r#"{{swapcase "HelloWorld"}}"#, "hELLOwORLD"),
            (r#"{{initials "First Try"}}"#, "FT"),
            (r#"{{wrap 5 "Hello World"}}"#, "Hello\nWorld"),
            (r#"{{wrapWith 5 "\t" "Hello World"}}"#, "Hello\tWorld"),
            // functions_test.go
            (r#"{{ snakecase "FirstName" }}"#, "first_name"),
            (r#"{{ snakecase "HTTPServer" }}"#, "http_server"),
            (r#"{{ snakecase "NoHTTPS" }}"#, "no_https"),
            (r#"{{ snakecase "GO_PATH" }}"#, "go_path"),
            (r#"{{ snakecase "GO PATH" }}"#, "go_path"),
            (r#"{{ snakecase "GO-PATH" }}"#, "go_path"),
            (r#"{{ camelcase "http_server" }}"#, "HttpServer"),
            (r#"{{ camelcase "_camel_case" }}"#, "_CamelCase"),
            (r#"{{ camelcase "no_https" }}"#, "NoHttps"),
            (r#"{{ camelcase "_complex__case_" }}"#, "_Complex_Case_"),
            (r#"{{ camelcase "all" }}"#, "All"),
            (r#"{{ kebabcase "FirstName" }}"#, "first-name"),
            (r#"{{ kebabcase "HTTPServer" }}"#, "http-server"),
            (r#"{{ kebabcase "NoHTTPS" }}"#, "no-https"),
            (r#"{{ kebabcase "GO_PATH" }}"#, "go-path"),
            (r#"{{ kebabcase "GO PATH" }}"#, "go-path"),
            (r#"{{ kebabcase "GO-PATH" }}"#, "go-path"),
            (r#"{{ base "foo/bar" }}"#, "bar"),
            (r#"{{ dir "foo/bar/baz" }}"#, "foo/bar"),
            (r#"{{ isAbs "/foo" }}"#, "true"),
            (r#"{{ isAbs "foo" }}"#, "false"),
            (r#"{{ clean "/foo/../foo/../bar" }}"#, "/bar"),
            (r#"{{ ext "/foo/bar/baz.txt" }}"#, ".txt"),
            (r#"{{ regexQuoteMeta "1.2.3" }}"#, "1\\.2\\.3"),
            (r#"{{ regexQuoteMeta "pretzel" }}"#, "pretzel"),
        ]);
        assert!(n > 50);
    }

    #[test]
    fn more_strings() {
        assert_eq!(run(r#"{{ "hello" | upper }}"#), "HELLO");
        assert_eq!(run(r#"{{ "HELLO" | lower }}"#), "hello");
        assert_eq!(run(r#"{{ "hello world" | title }}"#), "Hello World");
        assert_eq!(run(r#"{{ repeat 3 "ab" }}"#), "ababab");
        assert_eq!(run(r#"{{ hello }}"#), "Hello!");
        assert_eq!(run(r#"{{ splitList "," "a,b,,c" }}"#), "[a b  c]");
        assert_eq!(
            run(r#"{{ splitn "$" 2 "foo$bar$baz" }}"#),
            "map[_0:foo _1:bar$baz]"
        );
        assert_eq!(run(r#"{{ join "-" (list 1 "a" nil) }}"#), "1-a");
        assert_eq!(run(r#"{{ randAlphaNum 8 }}"#).len(), 8);
        assert_eq!(run(r#"{{ "abc" | trunc 63 }}"#), "abc");
        assert_eq!(
            run_err(r#"{{ upper 1 }}"#),
            "wrong type for value; expected string; got int"
        );
        assert_eq!(
            run_err(r#"{{ upper "a" "b" }}"#),
            "wrong number of args for upper: want 1 got 2"
        );
    }

    #[test]
    fn hostile_sizes_are_refused() {
        assert!(run_err(r#"{{ repeat 1000000000000 "abc" }}"#).contains("limit"));
        assert!(run_err(r#"{{ indent 1000000000 "a\nb" }}"#).contains("limit"));
        assert!(run_err(r#"{{ randAlphaNum 100000000000 }}"#).contains("limit"));
    }
}
