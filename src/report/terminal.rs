//! Text that reaches a terminal or a log: no control character from a manifest or a file name
//! may pass through. A raw ESC starts an escape sequence (`\e[2K` erases a line, OSC 52 writes
//! the clipboard), a BEL rings, and a line break in a file name forges a line of compact or
//! GitHub output. Every text format runs what it copies from user input through here.

use std::borrow::Cow;

/// Whether `c` is a control character that must not reach a terminal: C0 controls other than
/// tab and line breaks, DEL, and the C1 controls (U+0080-U+009F, which some terminals obey).
fn is_unsafe(c: char, keep_line_breaks: bool) -> bool {
    match c {
        '\t' => false,
        '\n' | '\r' => !keep_line_breaks,
        c => c.is_control(),
    }
}

/// `text` with every unsafe control character written as a visible escape (`\u{1b}`); line
/// breaks are kept when `keep_line_breaks` (multi-line help), escaped otherwise (one-line
/// formats, file names).
pub(crate) fn escape_controls(text: &str, keep_line_breaks: bool) -> Cow<'_, str> {
    if !text.chars().any(|c| is_unsafe(c, keep_line_breaks)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c, keep_line_breaks) {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Source text for a snippet, with each unsafe control character replaced by `?` bytes of the
/// same UTF-8 length, so that byte offsets (finding spans) stay valid. Line breaks are kept.
pub(crate) fn neutralize_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| is_unsafe(c, true)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_unsafe(c, true) {
            out.extend(std::iter::repeat_n('?', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_plain_text_is_borrowed() {
        assert!(matches!(
            escape_controls("plain text", false),
            Cow::Borrowed(_)
        ));
        assert_eq!(escape_controls("a\u{1b}[2Kb", true), "a\\u{1b}[2Kb");
        assert_eq!(
            escape_controls("\u{1b}]52;c;aGk=\u{7}", true),
            "\\u{1b}]52;c;aGk=\\u{7}"
        );
        assert_eq!(escape_controls("a\nb\tc", true), "a\nb\tc");
        assert_eq!(escape_controls("a\nb\rc", false), "a\\u{a}b\\u{d}c");
        assert_eq!(escape_controls("\u{9b}x\u{7f}", true), "\\u{9b}x\\u{7f}");
    }

    #[test]
    fn neutralized_text_keeps_every_byte_offset() {
        let text = "a: \"\u{1b}[2K\u{9b}é\"\r\nb: \u{7}\n";
        let safe = neutralize_controls(text);
        assert_eq!(safe.len(), text.len());
        assert_eq!(safe, "a: \"?[2K??é\"\r\nb: ?\n");
        for (i, _) in text.char_indices() {
            assert!(safe.is_char_boundary(i) || !text.is_char_boundary(i));
        }
    }
}
