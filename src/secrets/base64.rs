//! Base64 exactly as the API server decodes a Secret's `data` values.
//!
//! A Secret's `data` is a `map[string][]byte`; Go's `encoding/json` decodes each string with
//! `base64.StdEncoding.Decode` (`decode.go`, `literalStore`). `StdEncoding` is the standard
//! alphabet with `=` padding required and is not strict: `\r` and `\n` are skipped anywhere
//! (even between the two `=`), unused trailing bits may be non-zero, and anything after the
//! padding other than newlines is an error (`encoding/base64/base64.go`, `decodeQuantum`).
//! An empty string is valid and decodes to nothing.

use std::fmt;

/// Why a value is not valid base64, with the offset Go's `CorruptInputError` would report
/// (a byte offset into the value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Base64Error {
    pub offset: usize,
    pub kind: Base64ErrorKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Base64ErrorKind {
    /// A byte outside the alphabet (described without printing it: it is part of a secret).
    InvalidCharacter(CharClass),
    /// The value ends in the middle of a 4-character group: padding is missing.
    MissingPadding,
    /// `=` where it cannot be (first or second character of a group, or one `=` too few).
    MisplacedPadding,
    /// Characters after the padding.
    TrailingData,
}

/// What kind of character broke decoding, for a message that does not leak the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CharClass {
    Space,
    Tab,
    /// `-` or `_`: the URL-safe alphabet (base64url), which Kubernetes does not accept.
    UrlSafe,
    NonAscii,
    Other,
}

impl fmt::Display for Base64Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = self.offset;
        match self.kind {
            Base64ErrorKind::InvalidCharacter(class) => {
                let what = match class {
                    CharClass::Space => "a space",
                    CharClass::Tab => "a tab",
                    CharClass::UrlSafe => {
                        "`-` or `_` (URL-safe base64, which Kubernetes does not accept)"
                    }
                    CharClass::NonAscii => "a non-ASCII character",
                    CharClass::Other => "a character outside the base64 alphabet",
                };
                write!(f, "{what} at byte {at}")
            }
            Base64ErrorKind::MissingPadding => write!(
                f,
                "its length is not a multiple of 4: the `=` padding is missing (byte {at})"
            ),
            Base64ErrorKind::MisplacedPadding => write!(f, "misplaced `=` padding at byte {at}"),
            Base64ErrorKind::TrailingData => write!(f, "data after the `=` padding at byte {at}"),
        }
    }
}

fn decode_digit(byte: u8) -> Option<u8> {
    match byte {
        b'A'..=b'Z' => Some(byte - b'A'),
        b'a'..=b'z' => Some(byte - b'a' + 26),
        b'0'..=b'9' => Some(byte - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

fn classify(text: &[u8], at: usize) -> CharClass {
    match text.get(at) {
        Some(b' ') => CharClass::Space,
        Some(b'\t') => CharClass::Tab,
        Some(b'-' | b'_') => CharClass::UrlSafe,
        Some(b) if !b.is_ascii() => CharClass::NonAscii,
        _ => CharClass::Other,
    }
}

fn is_newline(byte: u8) -> bool {
    byte == b'\n' || byte == b'\r'
}

/// Decodes like Go's `base64.StdEncoding.DecodeString`.
pub(crate) fn decode_std(text: &str) -> Result<Vec<u8>, Base64Error> {
    let src = text.as_bytes();
    let mut out = Vec::with_capacity(src.len() / 4 * 3);
    let mut si = 0;
    let error = |offset, kind| Err(Base64Error { offset, kind });
    // One 4-character quantum per iteration, as `decodeQuantum` does.
    while si < src.len() {
        let mut digits = [0u8; 4];
        let mut len = 4;
        let mut j = 0;
        while j < 4 {
            let Some(&byte) = src.get(si) else {
                if j == 0 {
                    return Ok(out);
                }
                // Padding is required: a partial group is an error.
                return error(si - j, Base64ErrorKind::MissingPadding);
            };
            si += 1;
            if let Some(d) = decode_digit(byte) {
                if let Some(digit) = digits.get_mut(j) {
                    *digit = d;
                }
                j += 1;
                continue;
            }
            if is_newline(byte) {
                continue;
            }
            if byte != b'=' {
                return error(
                    si - 1,
                    Base64ErrorKind::InvalidCharacter(classify(src, si - 1)),
                );
            }
            // Padding: only in the third or fourth position.
            match j {
                0 | 1 => return error(si - 1, Base64ErrorKind::MisplacedPadding),
                2 => {
                    while src.get(si).is_some_and(|&b| is_newline(b)) {
                        si += 1;
                    }
                    if si == src.len() {
                        return error(src.len(), Base64ErrorKind::MisplacedPadding);
                    }
                    if src.get(si) != Some(&b'=') {
                        return error(si - 1, Base64ErrorKind::MisplacedPadding);
                    }
                    si += 1;
                }
                _ => {}
            }
            while src.get(si).is_some_and(|&b| is_newline(b)) {
                si += 1;
            }
            if si < src.len() {
                return error(si, Base64ErrorKind::TrailingData);
            }
            len = j;
            break;
        }
        let value = u32::from(digits[0]) << 18
            | u32::from(digits[1]) << 12
            | u32::from(digits[2]) << 6
            | u32::from(digits[3]);
        let bytes = [(value >> 16) as u8, (value >> 8) as u8, value as u8];
        // `len` digits carry `len - 1` bytes; unused trailing bits are ignored (not strict).
        out.extend_from_slice(bytes.get(..len - 1).unwrap_or_default());
    }
    Ok(out)
}

/// Standard base64 with padding (what `kubectl create secret` writes).
#[cfg(test)]
pub(crate) fn encode_std(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Vec<u8> {
        decode_std(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
    }

    fn err(text: &str) -> Base64Error {
        decode_std(text).expect_err(text)
    }

    #[test]
    fn decodes_the_standard_alphabet_with_padding() {
        assert_eq!(ok(""), b"");
        assert_eq!(ok("Zg=="), b"f");
        assert_eq!(ok("Zm8="), b"fo");
        assert_eq!(ok("Zm9v"), b"foo");
        assert_eq!(ok("Zm9vYg=="), b"foob");
        assert_eq!(ok("Zm9vYmFy"), b"foobar");
        // Seed 004: `value1` followed by a newline.
        assert_eq!(ok("dmFsdWUxCg=="), b"value1\n");
        assert_eq!(ok("+/+/"), [0xfb, 0xff, 0xbf]);
    }

    #[test]
    fn newlines_are_ignored_anywhere_other_whitespace_is_not() {
        // Go's encoding/base64 tests: "YW\nJj" style inputs and CR/LF between the padding.
        assert_eq!(ok("Zm9v\nYmFy\n"), b"foobar");
        assert_eq!(ok("Z\r\nm\n9\nv"), b"foo");
        assert_eq!(ok("Zg=\n="), b"f");
        assert_eq!(ok("Zg==\r\n"), b"f");
        assert_eq!(ok("\n\n"), b"");
        assert_eq!(
            err("Zm9v YmFy"),
            Base64Error {
                offset: 4,
                kind: Base64ErrorKind::InvalidCharacter(CharClass::Space)
            }
        );
        assert_eq!(
            err("Zm9v\tYmFy").kind,
            Base64ErrorKind::InvalidCharacter(CharClass::Tab)
        );
    }

    #[test]
    fn padding_is_required_and_checked() {
        // Go: StdEncoding.DecodeString("Zg") is CorruptInputError(0).
        assert_eq!(
            err("Zg"),
            Base64Error {
                offset: 0,
                kind: Base64ErrorKind::MissingPadding
            }
        );
        assert_eq!(err("Zm9vYg").offset, 4);
        assert_eq!(err("Zm8").kind, Base64ErrorKind::MissingPadding);
        // One `=` short: CorruptInputError(len).
        assert_eq!(
            err("Zg="),
            Base64Error {
                offset: 3,
                kind: Base64ErrorKind::MisplacedPadding
            }
        );
        assert_eq!(err("Z===").kind, Base64ErrorKind::MisplacedPadding);
        assert_eq!(err("====").offset, 0);
        assert_eq!(err("Zg=x").kind, Base64ErrorKind::MisplacedPadding);
        assert_eq!(
            err("Zg==Zg=="),
            Base64Error {
                offset: 4,
                kind: Base64ErrorKind::TrailingData
            }
        );
        assert_eq!(err("Zm8=\nx").offset, 5);
    }

    #[test]
    fn url_safe_and_non_ascii_characters_are_rejected() {
        assert_eq!(
            err("a-b_").kind,
            Base64ErrorKind::InvalidCharacter(CharClass::UrlSafe)
        );
        assert_eq!(
            err("ééé=").kind,
            Base64ErrorKind::InvalidCharacter(CharClass::NonAscii)
        );
        assert_eq!(
            err("pass:word").kind,
            Base64ErrorKind::InvalidCharacter(CharClass::Other)
        );
    }

    #[test]
    fn unused_trailing_bits_are_accepted_as_go_does() {
        // StdEncoding is not Strict(): "Zh==" decodes like "Zg==".
        assert_eq!(ok("Zh=="), b"f");
        assert_eq!(ok("Zm9="), b"fo");
    }

    #[test]
    fn encoding_round_trips() {
        for input in [&b""[..], b"f", b"fo", b"foo", b"foob", b"\x00\xff\x10"] {
            assert_eq!(ok(&encode_std(input)), input);
        }
        assert_eq!(encode_std(b"value1"), "dmFsdWUx");
    }
}
