//! Writes built objects as YAML text, and records for every written node the span of the text
//! it became and the origin it came from, so that findings on the text can be mapped back.

use crate::load::Style;
use crate::load::scalar::{ScalarValue, resolve_scalar};
use crate::source::Span;

use super::value::{Kind, Node, Origin};

/// The YAML text of one object and, for each node written, (span in the text, origin).
#[derive(Debug, Default)]
pub struct Emitted {
    pub text: String,
    pub origins: Vec<(Span, Origin)>,
}

impl Emitted {
    /// The origin of the innermost written node whose span contains `span`.
    pub fn origin_of(&self, span: Span) -> Option<&Origin> {
        self.origins
            .iter()
            .filter(|(s, _)| s.start <= span.start && span.end <= s.end.max(s.start + 1))
            .min_by_key(|(s, _)| s.len())
            .map(|(_, o)| o)
    }
}

/// Writes one object (a YAML document without the `---` separator).
pub fn emit(node: &Node) -> Emitted {
    let mut out = Emitted::default();
    match &node.kind {
        Kind::Map(entries) if !entries.is_empty() => {
            let start = out.text.len();
            write_map(&mut out, entries, 0);
            record(&mut out, start, node);
        }
        Kind::Seq(items) if !items.is_empty() => {
            let start = out.text.len();
            write_seq(&mut out, items, 0);
            record(&mut out, start, node);
        }
        _ => {
            let start = out.text.len();
            write_inline(&mut out, node);
            record(&mut out, start, node);
            out.text.push('\n');
        }
    }
    out
}

fn record(out: &mut Emitted, start: usize, node: &Node) {
    if let Some(origin) = &node.origin {
        let end = out.text.trim_end_matches('\n').len().max(start);
        out.origins.push((Span::new(start, end), origin.clone()));
    }
}

fn indent(out: &mut Emitted, n: usize) {
    for _ in 0..n {
        out.text.push(' ');
    }
}

fn write_map(out: &mut Emitted, entries: &[(String, Node)], level: usize) {
    for (i, (key, value)) in entries.iter().enumerate() {
        if i > 0 {
            indent(out, level);
        }
        write_key(out, key);
        out.text.push(':');
        write_value_after_key(out, value, level);
    }
}

fn write_value_after_key(out: &mut Emitted, value: &Node, level: usize) {
    match &value.kind {
        Kind::Map(entries) if !entries.is_empty() => {
            out.text.push('\n');
            indent(out, level + 2);
            let start = out.text.len();
            write_map(out, entries, level + 2);
            record(out, start, value);
        }
        Kind::Seq(items) if !items.is_empty() => {
            out.text.push('\n');
            indent(out, level);
            let start = out.text.len();
            write_seq(out, items, level);
            record(out, start, value);
        }
        _ => {
            out.text.push(' ');
            let start = out.text.len();
            write_inline(out, value);
            record(out, start, value);
            out.text.push('\n');
        }
    }
}

fn write_seq(out: &mut Emitted, items: &[Node], level: usize) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            indent(out, level);
        }
        out.text.push_str("- ");
        let start = out.text.len();
        match &item.kind {
            Kind::Map(entries) if !entries.is_empty() => write_map(out, entries, level + 2),
            Kind::Seq(inner) if !inner.is_empty() => write_seq(out, inner, level + 2),
            _ => {
                write_inline(out, item);
                out.text.push('\n');
            }
        }
        record(out, start, item);
    }
}

fn write_key(out: &mut Emitted, key: &str) {
    if plain_string_ok(key) {
        out.text.push_str(key);
    } else {
        write_double_quoted(out, key);
    }
}

fn write_inline(out: &mut Emitted, node: &Node) {
    match &node.kind {
        Kind::Map(_) => out.text.push_str("{}"),
        Kind::Seq(_) => out.text.push_str("[]"),
        Kind::Scalar(s) => {
            let typed = s.value();
            // kustomize (kyaml) keeps only `true` and `false` as booleans: a plain `y`, `on`,
            // `True`, ... is a string in its output, written quoted.
            let yaml11_only_bool = !s.string
                && s.tag.is_none()
                && matches!(typed, ScalarValue::Bool(_))
                && !matches!(s.text.as_str(), "true" | "false");
            if yaml11_only_bool {
                write_double_quoted(out, &s.text);
            } else if !s.string && !matches!(typed, ScalarValue::String) {
                // A plain null, boolean or number: written as it was, so YAML 1.1 readers
                // type it as Kubernetes does.
                if s.text.is_empty() {
                    out.text.push_str("null");
                } else if s.text.contains('\n') {
                    write_double_quoted(out, &s.text);
                } else {
                    out.text.push_str(&s.text);
                }
            } else if plain_string_ok(&s.text) {
                out.text.push_str(&s.text);
            } else {
                write_double_quoted(out, &s.text);
            }
        }
    }
}

/// True when `text` written plain is read back as that string by YAML 1.1 and 1.2 readers.
pub(crate) fn plain_string_ok(text: &str) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    if !matches!(
        resolve_scalar(text, Style::Plain, None),
        ScalarValue::String
    ) {
        return false;
    }
    // YAML 1.2 readers type these differently from YAML 1.1 (and the reverse): quote any text
    // that looks numeric or like a boolean/null in either.
    let lower = text.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null" | "~"
    ) || first.is_ascii_digit()
        || ((first == '-' || first == '+' || first == '.')
            && text
                .chars()
                .nth(1)
                .is_some_and(|c| c.is_ascii_digit() || c == '.'))
    {
        return false;
    }
    if "-?:,[]{}#&*!|>'\"%@`".contains(first)
        && !(first == '-' && text.len() > 1 && !text.starts_with("- "))
    {
        return false;
    }
    if text.starts_with("---") || text.starts_with("...") {
        return false;
    }
    if text.starts_with(' ') || text.ends_with(' ') || text.ends_with(':') {
        return false;
    }
    if text.contains(": ") || text.contains(" #") || text.contains('\t') {
        return false;
    }
    !text.chars().any(|c| {
        c.is_control() || c == '\u{feff}' || c == '\u{85}' || c == '\u{2028}' || c == '\u{2029}'
    })
}

fn write_double_quoted(out: &mut Emitted, text: &str) {
    out.text.push('"');
    for c in text.chars() {
        match c {
            '"' => out.text.push_str("\\\""),
            '\\' => out.text.push_str("\\\\"),
            '\n' => out.text.push_str("\\n"),
            '\t' => out.text.push_str("\\t"),
            '\r' => out.text.push_str("\\r"),
            c if c.is_control()
                || c == '\u{feff}'
                || c == '\u{85}'
                || c == '\u{2028}'
                || c == '\u{2029}' =>
            {
                let code = c as u32;
                if code <= 0xff {
                    out.text.push_str(&format!("\\x{code:02x}"));
                } else {
                    out.text.push_str(&format!("\\u{code:04x}"));
                }
            }
            c => out.text.push(c),
        }
    }
    out.text.push('"');
}
