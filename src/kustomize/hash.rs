//! The content-hash name suffix of generated ConfigMaps and Secrets, as kustomize's hasher
//! (api/hasher/hasher.go) computes it: SHA-256 of the Go `json.Marshal` encoding of
//! {kind, name, data[, binaryData]} (ConfigMap) or {kind, name, type, data[, stringData]}
//! (Secret; the name is always "", see `encode`), whose first ten hex digits are made vowel-free (0→g, 1→h, 3→k, a→m, e→t).

use super::value::{Kind, Node};

/// A Go `json.Marshal` string: `<`, `>`, `&`, U+2028 and U+2029 escaped as \uXXXX.
fn go_json_string(s: &str, out: &mut String) {
    go_json_string_with(s, true, out);
}

/// A Go JSON string; `escape_html`: `json.Marshal`'s escaping of `<`, `>` and `&` (an
/// `Encoder` with `SetEscapeHTML(false)` leaves them, Sprig's `toRawJson`). Helm's `toJson`
/// shares it.
pub(crate) fn go_json_string_with(s: &str, escape_html: bool, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // Go 1.22+ (encoding/json encodeState.string).
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' if escape_html => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A node as Go's `json.Marshal` writes the interface{} kustomize decoded it to (maps with
/// sorted keys; scalars as strings, which is what ConfigMap and Secret data hold).
fn go_json(node: Option<&Node>, out: &mut String) {
    match node.map(|n| &n.kind) {
        None => out.push_str("\"\""),
        Some(Kind::Scalar(s)) => go_json_string(&s.text, out),
        Some(Kind::Seq(items)) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go_json(Some(item), out);
            }
            out.push(']');
        }
        Some(Kind::Map(entries)) => {
            let mut sorted: Vec<&(String, Node)> = entries.iter().collect();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            out.push('{');
            for (i, (k, v)) in sorted.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                go_json_string(k, out);
                out.push(':');
                go_json(Some(v), out);
            }
            out.push('}');
        }
    }
}

pub(crate) fn encode(obj: &Node) -> String {
    let kind = obj.get_str("kind").unwrap_or_default();
    // kustomize 5.5 looks the name up with `yaml.Lookup("metadata/name")`, a single field named
    // "metadata/name" that no object has, so the name it hashes is always "".
    let empty = Node::string("", None);
    let name = Some(&empty);
    let mut fields: Vec<(&str, Option<&Node>)> = Vec::new();
    let kind_node = Node::string(kind, None);
    if kind == "Secret" {
        fields.push(("data", obj.get("data")));
        fields.push(("kind", Some(&kind_node)));
        fields.push(("name", name));
        if obj.get("stringData").is_some_and(|n| n.as_map().is_some()) {
            fields.push(("stringData", obj.get("stringData")));
        }
        fields.push(("type", obj.get("type")));
    } else {
        if obj.get("binaryData").is_some_and(|n| n.as_map().is_some()) {
            fields.push(("binaryData", obj.get("binaryData")));
        }
        fields.push(("data", obj.get("data")));
        fields.push(("kind", Some(&kind_node)));
        fields.push(("name", name));
    }
    fields.sort_by(|a, b| a.0.cmp(b.0));
    let mut out = String::from("{");
    for (i, (k, v)) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        go_json_string(k, &mut out);
        out.push(':');
        go_json(v, &mut out);
    }
    out.push('}');
    out
}

pub(crate) fn suffix(obj: &Node) -> String {
    let digest = sha256(encode(obj).as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    hex.chars()
        .take(10)
        .map(|c| match c {
            '0' => 'g',
            '1' => 'h',
            '3' => 'k',
            'a' => 'm',
            'e' => 't',
            c => c,
        })
        .collect()
}

/// SHA-256 (FIPS 180-4), RustCrypto's `sha2` (shared with Helm's `sha256sum`).
pub(crate) fn sha256(data: &[u8]) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(data).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_known_vectors() {
        let hex = |d: [u8; 32]| d.iter().map(|b| format!("{b:02x}")).collect::<String>();
        assert_eq!(
            hex(sha256(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex(sha256(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
