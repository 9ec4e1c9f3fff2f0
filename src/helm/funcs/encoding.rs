//! Encodings and digests: Sprig v3.3.0 strings.go (`b64enc`, `b64dec`, `b32enc`, `b32dec`,
//! with Go's encoding/base64 and encoding/base32 standard alphabets and padding; a decoding
//! error is returned as the text, as Sprig does) and crypto.go (`sha1sum`, `sha256sum`,
//! `sha512sum`, `adler32sum`).

use super::{args_n, as_str, s};
use crate::helm::value::Value;

type R = Result<Value, String>;

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn str_arg<'a>(name: &str, args: &'a [Value]) -> Result<&'a str, String> {
    let [a] = args_n(name, args)?;
    as_str(a)
}

/// Base64 (RFC 4648 standard alphabet, padded): kustomize's encoder.
pub(crate) fn base64_encode(data: &[u8]) -> String {
    crate::kustomize::generate::b64(data)
}

/// Go's `base64.StdEncoding.DecodeString`: `\r` and `\n` ignored, padding required; an error
/// names the input byte where decoding failed.
pub(crate) fn base64_decode(text: &str) -> Result<Vec<u8>, String> {
    let err = |i: usize| format!("illegal base64 data at input byte {i}");
    let symbols: Vec<(usize, u8)> = text
        .bytes()
        .enumerate()
        .filter(|(_, b)| *b != b'\r' && *b != b'\n')
        .collect();
    let mut out = Vec::with_capacity(symbols.len() / 4 * 3);
    for (q, quantum) in symbols.chunks(4).enumerate() {
        let mut vals = [0u32; 4];
        let mut n = 0usize;
        for (k, (pos, b)) in quantum.iter().enumerate() {
            if *b == b'=' {
                // Padding: only in the last quantum, at positions 2 or 3, and complete.
                if k < 2 || (q + 1) * 4 < symbols.len() {
                    return Err(err(*pos));
                }
                if k == 2 && quantum.get(3).map(|x| x.1) != Some(b'=') {
                    return Err(err(quantum.get(3).map_or(text.len(), |x| x.0)));
                }
                break;
            }
            let v = B64.iter().position(|c| c == b).ok_or_else(|| err(*pos))?;
            if let Some(slot) = vals.get_mut(k) {
                *slot = v as u32;
            }
            n = k + 1;
        }
        if quantum.len() < 4 {
            // Missing padding.
            return Err(err(text.len().min(quantum.first().map_or(0, |x| x.0) + n)));
        }
        let v = (vals[0] << 18) | (vals[1] << 12) | (vals[2] << 6) | vals[3];
        let bytes = [(v >> 16) as u8, (v >> 8) as u8, v as u8];
        match n {
            4 => out.extend_from_slice(&bytes),
            3 => out.extend_from_slice(bytes.get(..2).unwrap_or_default()),
            2 => out.extend_from_slice(bytes.get(..1).unwrap_or_default()),
            _ => return Err(err(quantum.first().map_or(0, |x| x.0))),
        }
    }
    Ok(out)
}

fn base32_encode(data: &[u8]) -> String {
    let mut out = String::new();
    for chunk in data.chunks(5) {
        let mut buf = [0u8; 5];
        for (slot, b) in buf.iter_mut().zip(chunk) {
            *slot = *b;
        }
        let n = buf.iter().fold(0u64, |a, b| (a << 8) | u64::from(*b));
        let symbols = match chunk.len() {
            1 => 2,
            2 => 4,
            3 => 5,
            4 => 7,
            _ => 8,
        };
        for k in 0..8 {
            if k < symbols {
                let idx = ((n >> (35 - 5 * k)) & 31) as usize;
                out.push(char::from(*B32.get(idx).unwrap_or(&b'A')));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn base32_decode(text: &str) -> Result<Vec<u8>, String> {
    let err = |i: usize| format!("illegal base32 data at input byte {i}");
    let symbols: Vec<(usize, u8)> = text
        .bytes()
        .enumerate()
        .filter(|(_, b)| *b != b'\r' && *b != b'\n')
        .collect();
    let mut out = Vec::new();
    for (q, quantum) in symbols.chunks(8).enumerate() {
        if quantum.len() < 8 {
            return Err(err(text.len()));
        }
        let mut n = 0u64;
        let mut count = 0usize;
        let mut padded = false;
        for (pos, b) in quantum {
            if *b == b'=' {
                if (q + 1) * 8 < symbols.len() {
                    return Err(err(*pos));
                }
                padded = true;
                n <<= 5;
                continue;
            }
            if padded {
                return Err(err(*pos));
            }
            let v = B32.iter().position(|c| c == b).ok_or_else(|| err(*pos))?;
            n = (n << 5) | v as u64;
            count += 1;
        }
        let bytes = match count {
            8 => 5,
            7 => 4,
            5 => 3,
            4 => 2,
            2 => 1,
            _ => return Err(err(quantum.first().map_or(0, |x| x.0) + count)),
        };
        for k in 0..bytes {
            out.push((n >> (32 - 8 * k)) as u8);
        }
    }
    Ok(out)
}

pub(crate) fn b64enc(args: &[Value]) -> R {
    let text = str_arg("b64enc", args)?;
    super::check_len("b64enc", text.len().div_ceil(3).saturating_mul(4))?;
    Ok(s(base64_encode(text.as_bytes())))
}

pub(crate) fn b64dec(args: &[Value]) -> R {
    let text = str_arg("b64dec", args)?;
    Ok(s(match base64_decode(text) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => e,
    }))
}

pub(crate) fn b32enc(args: &[Value]) -> R {
    let text = str_arg("b32enc", args)?;
    super::check_len("b32enc", text.len().div_ceil(5).saturating_mul(8))?;
    Ok(s(base32_encode(text.as_bytes())))
}

pub(crate) fn b32dec(args: &[Value]) -> R {
    let text = str_arg("b32dec", args)?;
    Ok(s(match base32_decode(text) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => e,
    }))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn sha256sum(args: &[Value]) -> R {
    let text = str_arg("sha256sum", args)?;
    Ok(s(hex(&crate::kustomize::hash::sha256(text.as_bytes()))))
}

pub(crate) fn sha1sum(args: &[Value]) -> R {
    use sha1::Digest;
    let text = str_arg("sha1sum", args)?;
    Ok(s(hex(&sha1::Sha1::digest(text.as_bytes()))))
}

pub(crate) fn sha512sum(args: &[Value]) -> R {
    use sha2::Digest;
    let text = str_arg("sha512sum", args)?;
    Ok(s(hex(&sha2::Sha512::digest(text.as_bytes()))))
}

/// Adler-32 (hash/adler32), printed in decimal.
pub(crate) fn adler32sum(args: &[Value]) -> R {
    let text = str_arg("adler32sum", args)?;
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in text.as_bytes().chunks(5552) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= 65521;
        b %= 65521;
    }
    Ok(s(((b << 16) | a).to_string()))
}

#[cfg(test)]
mod tests {
    use super::super::testing::check_all;
    use super::*;

    // Sprig v3.3.0 strings_test.go (TestBase64EncodeDecode, TestBase32EncodeDecode) and
    // crypto_test.go (TestSha256Sum, TestSha1Sum, TestSha512Sum, TestAdler32Sum).
    #[test]
    fn sprig_encoding_tests() {
        let n = check_all(&[
            (r#"{{b64enc "abc123"}}"#, "YWJjMTIz"),
            (r#"{{b64dec "YWJjMTIz"}}"#, "abc123"),
            (r#"{{b32enc "abc123"}}"#, "MFRGGMJSGM======"),
            (r#"{{b32dec "MFRGGMJSGM======"}}"#, "abc123"),
            (
                r#"{{"abc" | sha256sum}}"#,
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            ),
            (
                r#"{{"abc" | sha1sum}}"#,
                "a9993e364706816aba3e25717850c26c9cd0d89d",
            ),
            (
                r#"{{"abc" | sha512sum}}"#,
                "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
            ),
            (r#"{{"abc" | adler32sum}}"#, "38600999"),
        ]);
        assert_eq!(n, 8);
    }

    #[test]
    fn base64_round_trips_and_errors() {
        for input in ["", "f", "fo", "foo", "foob", "fooba", "foobar"] {
            let enc = base64_encode(input.as_bytes());
            assert_eq!(base64_decode(&enc).unwrap(), input.as_bytes());
            let enc32 = base32_encode(input.as_bytes());
            assert_eq!(base32_decode(&enc32).unwrap(), input.as_bytes(), "{enc32}");
        }
        assert_eq!(base64_encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(base32_encode(b"fooba"), "MZXW6YTB");
        assert_eq!(
            base64_decode("Zm9v!mFy").unwrap_err(),
            "illegal base64 data at input byte 4"
        );
        assert_eq!(base64_decode("Zm9v\nYmFy").unwrap(), b"foobar");
    }
}
