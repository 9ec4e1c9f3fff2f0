//! Source files as read from disk or stdin, and byte-offset to line/column conversion.

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Byte range in a source file. `end` is exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start,
            end: end.max(start),
        }
    }

    pub fn len(&self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.end == self.start
    }
}

/// A 1-based line and 1-based column that counts characters (not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

/// One input text: a file found on disk, a file named on the command line, or stdin.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as reported: the path given on the command line joined with the file's
    /// relative path, or `<stdin>`.
    pub path: String,
    /// The text, decoded to UTF-8 (a UTF-8 BOM is dropped, UTF-16 with a BOM is decoded).
    pub text: Arc<str>,
    /// Byte offset of each line's start (32 bits: files are capped at 256 MiB; the table is
    /// kept for the whole run).
    line_starts: Vec<u32>,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: impl Into<Arc<str>>) -> SourceFile {
        let text: Arc<str> = text.into();
        // Sized exactly: the table is kept for the whole run.
        let lines = line_break_ends(text.as_bytes()).count();
        let mut line_starts = Vec::with_capacity(lines + 1);
        line_starts.push(0);
        line_starts.extend(line_break_ends(text.as_bytes()));
        SourceFile {
            path: path.into(),
            text,
            line_starts,
        }
    }

    /// Line and column of a byte offset. Offsets past the end clamp to the end; offsets inside
    /// a multi-byte character clamp to its start.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = clamp_to_char_boundary(&self.text, offset);
        let line_idx = match self.line_starts.binary_search(&to_u32(offset)) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        // `line_starts` begins with 0, so the search always finds a line.
        let line_start = self
            .line_starts
            .get(line_idx)
            .map_or(0, |start| *start as usize);
        let prefix = self.text.get(line_start..offset).unwrap_or_default();
        let column = if prefix.is_ascii() {
            prefix.len()
        } else {
            prefix.chars().count()
        };
        LineCol {
            line: line_idx + 1,
            column: column + 1,
        }
    }

    /// Byte range of a 1-based line, without its line terminator (`\n`, `\r\n` or `\r`).
    pub fn line_span(&self, line: usize) -> Option<Span> {
        let start = *self.line_starts.get(line.checked_sub(1)?)? as usize;
        let mut end = self
            .line_starts
            .get(line)
            .map(|next| *next as usize - 1)
            .unwrap_or(self.text.len());
        if end > start && self.text.as_bytes().get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        Some(Span::new(start, end))
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The text covered by a span (empty when the span is out of range).
    pub fn slice(&self, span: Span) -> &str {
        let start = clamp_to_char_boundary(&self.text, span.start);
        let end = clamp_to_char_boundary(&self.text, span.end.max(start));
        self.text.get(start..end).unwrap_or_default()
    }
}

/// The offset after each line break: `\n`, `\r\n`, and a lone `\r` (YAML's line breaks, and
/// how the human report's renderer counts lines, so every format gives the same line).
fn line_break_ends(bytes: &[u8]) -> impl Iterator<Item = u32> + '_ {
    bytes
        .iter()
        .enumerate()
        .filter(|(i, b)| **b == b'\n' || (**b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .map(|(i, _)| to_u32(i + 1))
}

/// An offset as stored in the line table (saturating: inputs are far below 4 GiB).
fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

pub(crate) fn clamp_to_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// How raw bytes were turned into text.
#[derive(Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// Not UTF-8 (nor UTF-16 with a byte-order mark). `offset` is the first bad byte.
    InvalidUtf8 { offset: usize },
    /// Contains NUL bytes: a binary file.
    Binary { offset: usize },
}

/// Decode file bytes: UTF-8 (a BOM is dropped) or UTF-16 LE/BE with a BOM.
pub fn decode(bytes: Vec<u8>) -> Result<String, (DecodeError, String)> {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return decode(rest.to_vec());
    }
    let utf16 = match bytes.get(..2) {
        Some([0xFF, 0xFE]) => Some(true),
        Some([0xFE, 0xFF]) => Some(false),
        _ => None,
    };
    if let Some(little_endian) = utf16 {
        let units = bytes
            .get(2..)
            .unwrap_or_default()
            .chunks(2)
            .map(|pair| match pair {
                [a, b] if little_endian => u16::from_le_bytes([*a, *b]),
                [a, b] => u16::from_be_bytes([*a, *b]),
                [a] => u16::from(*a),
                _ => 0,
            });
        let text: String = char::decode_utf16(units)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect();
        return Ok(text);
    }
    match String::from_utf8(bytes) {
        Ok(text) => {
            if let Some(offset) = text.bytes().position(|b| b == 0) {
                return Err((DecodeError::Binary { offset }, text));
            }
            Ok(text)
        }
        Err(err) => {
            let offset = err.utf8_error().valid_up_to();
            let bytes = err.into_bytes();
            let lossy = String::from_utf8_lossy(&bytes).into_owned();
            if bytes.contains(&0) {
                let nul = bytes.iter().position(|b| *b == 0).unwrap_or(offset);
                return Err((DecodeError::Binary { offset: nul }, lossy));
            }
            Err((DecodeError::InvalidUtf8 { offset }, lossy))
        }
    }
}

/// The absolute form of a path with `.` and `..` resolved lexically (`deploy/../vendor/x` is
/// `vendor/x`), without touching the file system.
pub(crate) fn absolute_normalized(path: &Path) -> PathBuf {
    use std::path::Component;
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for component in absolute.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_from_one() {
        let src = SourceFile::new("x", "a: 1\nbé: ü\r\nc: 3");
        assert_eq!(src.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(src.line_col(5), LineCol { line: 2, column: 1 });
        // "bé: " is 5 bytes, 4 characters: the value starts at column 5.
        assert_eq!(src.line_col(5 + 5), LineCol { line: 2, column: 5 });
        assert_eq!(src.line_col(1000), LineCol { line: 3, column: 5 });
        assert_eq!(src.slice(src.line_span(2).unwrap()), "bé: ü");
    }

    #[test]
    fn a_lone_carriage_return_ends_a_line() {
        let src = SourceFile::new("x", "a: 1\rb: 2\r\rc: 3\r\nd: 4");
        assert_eq!(src.line_col(5), LineCol { line: 2, column: 1 });
        assert_eq!(src.line_col(11), LineCol { line: 4, column: 1 });
        assert_eq!(src.line_col(17), LineCol { line: 5, column: 1 });
        assert_eq!(src.line_count(), 5);
        assert_eq!(src.slice(src.line_span(1).unwrap()), "a: 1");
        assert_eq!(src.slice(src.line_span(3).unwrap()), "");
        assert_eq!(src.slice(src.line_span(4).unwrap()), "c: 3");
    }

    #[test]
    fn decodes_utf16_and_rejects_invalid_utf8() {
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("a: é".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        assert_eq!(decode(utf16).unwrap(), "a: é");
        let bad = b"a: \xff\n".to_vec();
        assert_eq!(
            decode(bad).unwrap_err().0,
            DecodeError::InvalidUtf8 { offset: 3 }
        );
        assert_eq!(
            decode(b"a\0b".to_vec()).unwrap_err().0,
            DecodeError::Binary { offset: 1 }
        );
        assert_eq!(decode(b"\xEF\xBB\xBFk: v".to_vec()).unwrap(), "k: v");
    }
}
