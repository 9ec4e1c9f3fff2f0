//! configMapGenerator and secretGenerator (api/kv/kv.go, api/internal/generators), with
//! generatorOptions and the create/merge/replace behaviours.

use std::path::Path;
use std::sync::Arc;

use super::build::{KustError, Resource, error, origin_span, read_file};
use super::value::{Node, Origin};

/// Standard base64 with padding (shared with Helm's `b64enc`).
pub(crate) fn b64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                let idx = ((n >> (18 - 6 * i)) & 63) as usize;
                out.push(char::from(T.get(idx).copied().unwrap_or(b'A')));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn remove_quotes(s: &str) -> &str {
    let b = s.as_bytes();
    if b.len() >= 2 && b.first() == b.last() && matches!(b.first(), Some(b'"' | b'\'')) {
        s.get(1..s.len() - 1).unwrap_or(s)
    } else {
        s
    }
}

fn str_list(n: Option<&Node>) -> Vec<(String, Option<Origin>)> {
    n.and_then(Node::as_seq)
        .map(|s| {
            s.iter()
                .filter_map(|i| i.as_str().map(|t| (t.to_string(), i.origin.clone())))
                .collect()
        })
        .unwrap_or_default()
}

/// What replaces a secret in messages (`crate::redact`'s mask; that layer sits above this one).
const MASK: &str = "*****";

/// What an error may quote of a malformed env file line or literal (the part before any
/// `=`), which may hold a secret value (`DB_PASSWORD: hunter2`): the text up to the first
/// space or `:` (the `:` kept), then `*****` for anything after it.
fn key_part(text: &str) -> String {
    let text = text.trim();
    let Some(cut) = text.find(|c: char| c == ':' || c.is_whitespace()) else {
        return text.to_string();
    };
    let (head, rest) = text.split_at_checked(cut).unwrap_or((text, ""));
    let (head, rest) = match rest.strip_prefix(':') {
        Some(after) => (format!("{head}:"), after),
        None => (head.to_string(), rest),
    };
    if rest.trim().is_empty() {
        head
    } else {
        format!("{head} {}", MASK)
    }
}

/// What an error may quote of a literal without `key=`: nothing of a value (`=hunter2` is
/// `=*****`), the key part of one written as `key: value`, and `*****` for a lone word, which
/// may be the value missing its key.
fn literal_shown(literal: &str) -> String {
    if literal.contains('=') {
        return format!("={}", MASK);
    }
    if literal.contains(|c: char| c == ':' || c.is_whitespace()) {
        return key_part(literal);
    }
    MASK.to_string()
}

/// A generated key, its bytes, and the kustomization node it came from.
type Pair = (String, Vec<u8>, Option<Origin>);

/// The key/value pairs of a generator: envs, then literals, then files (kv.go's order).
fn pairs(g: &Node, dir: &Path, kfile: &Path) -> Result<Vec<Pair>, KustError> {
    let mut out = Vec::new();
    let mut envs = str_list(g.get("envs"));
    if let Some(e) = g.get("env").filter(|e| e.as_str().is_some()) {
        envs.push((e.as_str().unwrap_or_default().to_string(), e.origin.clone()));
    }
    for (env, origin) in envs {
        let span = origin.as_ref().map(|o| o.span);
        let (_, text) = read_file(dir, kfile, &env, span)?;
        for (i, line) in text.lines().enumerate() {
            let line = if i == 0 {
                line.trim_start_matches('\u{feff}')
            } else {
                line
            };
            let line = line.trim_start();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (k, v) = line.split_once('=').unwrap_or((line, ""));
            if k.is_empty() || k.contains(char::is_whitespace) {
                return Err(error(
                    kfile,
                    span,
                    format!(
                        "env file '{env}': '{}' is not a valid environment variable name",
                        key_part(k)
                    ),
                ));
            }
            out.push((k.to_string(), v.as_bytes().to_vec(), origin.clone()));
        }
    }
    for (lit, origin) in str_list(g.get("literals")) {
        let span = origin.as_ref().map(|o| o.span);
        let Some((k, v)) = lit.split_once('=').filter(|(k, _)| !k.is_empty()) else {
            return Err(error(
                kfile,
                span,
                format!(
                    "invalid literal source {}, expected key=value",
                    literal_shown(&lit)
                ),
            ));
        };
        out.push((k.to_string(), remove_quotes(v).as_bytes().to_vec(), origin));
    }
    for (file, origin) in str_list(g.get("files")) {
        let span = origin.as_ref().map(|o| o.span);
        let (key, path) = match file.split_once('=') {
            Some((k, p)) if !k.is_empty() && !p.is_empty() => (k.to_string(), p.to_string()),
            Some(_) => {
                return Err(error(
                    kfile,
                    span,
                    format!("key or file path is missing in '{file}'"),
                ));
            }
            None => (
                Path::new(&file)
                    .file_name()
                    .map(|f| f.to_string_lossy().to_string())
                    .unwrap_or_default(),
                file.clone(),
            ),
        };
        let canon = dir
            .join(&path)
            .canonicalize()
            .map_err(|e| error(kfile, span, format!("file sources: '{path}': {e}")))?;
        if !canon.starts_with(dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf())) {
            let _ = read_file(dir, kfile, &path, span)?;
        }
        let bytes = std::fs::read(&canon)
            .map_err(|e| error(kfile, span, format!("file sources: '{path}': {e}")))?;
        out.push((key, bytes, origin));
    }
    Ok(out)
}

fn string_pairs(n: Option<&Node>) -> Vec<(String, Node)> {
    n.and_then(Node::as_map)
        .map(|m| {
            m.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        Node::string(v.as_str().unwrap_or_default(), v.origin.clone()),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) fn run(
    k: &Node,
    dir: &Path,
    kfile: &Path,
    resources: &mut Vec<Resource>,
) -> Result<(), KustError> {
    let source: Arc<str> = Arc::from(kfile.to_string_lossy().as_ref());
    let global = k.get("generatorOptions");
    for (field, kind) in [
        ("configMapGenerator", "ConfigMap"),
        ("secretGenerator", "Secret"),
    ] {
        for g in k.get(field).and_then(Node::as_seq).into_iter().flatten() {
            generate_one(g, kind, global, dir, kfile, resources, &source)?;
        }
    }
    Ok(())
}

/// One ConfigMap or Secret generator (a kustomization's entry, or a builtin
/// ConfigMapGenerator/SecretGenerator plugin config, which gets no `generatorOptions`).
pub(crate) fn generate_one(
    g: &Node,
    kind: &str,
    global: Option<&Node>,
    dir: &Path,
    kfile: &Path,
    resources: &mut Vec<Resource>,
    source: &Arc<str>,
) -> Result<(), KustError> {
    let gorigin = g.origin.clone();
    let name = g.get_str("name").unwrap_or_default().to_string();
    let mut obj = Node::map(gorigin.clone());
    obj.set("apiVersion", Node::string("v1", gorigin.clone()));
    obj.set("kind", Node::string(kind, gorigin.clone()));
    let mut meta = Node::map(gorigin.clone());
    meta.set(
        "name",
        Node::string(name.clone(), g.get("name").and_then(|n| n.origin.clone())),
    );
    if let Some(ns) = g.get("namespace").filter(|n| n.as_str().is_some()) {
        meta.set(
            "namespace",
            Node::string(ns.as_str().unwrap_or_default(), ns.origin.clone()),
        );
    }
    let opts = g.get("options");
    for (what, key) in [("labels", "labels"), ("annotations", "annotations")] {
        let mut m: Vec<(String, Node)> = string_pairs(global.and_then(|o| o.get(what)));
        for (kk, v) in string_pairs(opts.and_then(|o| o.get(what))) {
            if let Some(slot) = m.iter_mut().find(|(x, _)| *x == kk) {
                slot.1 = v;
            } else {
                m.push((kk, v));
            }
        }
        if !m.is_empty() {
            meta.set(
                key,
                Node {
                    kind: super::value::Kind::Map(m),
                    origin: gorigin.clone(),
                },
            );
        }
    }
    obj.set("metadata", meta);
    let mut data = Node::map(gorigin.clone());
    let mut binary = Node::map(gorigin.clone());
    for (key, value, origin) in pairs(g, dir, kfile)? {
        if data.get(&key).is_some() || binary.get(&key).is_some() {
            return Err(error(
                kfile,
                origin_span(Some(g)),
                format!("configmap {name} illegally repeats the key `{key}`"),
            ));
        }
        if kind == "Secret" {
            data.set(&key, Node::string(b64(&value), origin));
        } else {
            match String::from_utf8(value) {
                Ok(s) => data.set(&key, Node::string(s, origin)),
                Err(e) => binary.set(&key, Node::string(b64(e.as_bytes()), origin)),
            }
        }
    }
    if kind == "Secret" {
        let t = g.get_str("type").unwrap_or("Opaque");
        obj.set(
            "type",
            Node::string(
                t,
                g.get("type")
                    .and_then(|n| n.origin.clone())
                    .or(gorigin.clone()),
            ),
        );
    }
    if data.as_map().is_some_and(|m| !m.is_empty()) {
        obj.set("data", data);
    }
    if binary.as_map().is_some_and(|m| !m.is_empty()) {
        obj.set("binaryData", binary);
    }
    let immutable = opts
        .and_then(|o| o.get_str("immutable"))
        .or_else(|| global.and_then(|o| o.get_str("immutable")));
    if immutable == Some("true") {
        obj.set("immutable", Node::plain("true", gorigin.clone()));
    }
    let disable = opts
        .and_then(|o| o.get_str("disableNameSuffixHash"))
        .or_else(|| global.and_then(|o| o.get_str("disableNameSuffixHash")))
        == Some("true");
    let behavior = g.get_str("behavior").unwrap_or("create").to_string();
    let ns = obj
        .get_path(&["metadata", "namespace"])
        .and_then(Node::as_str)
        .unwrap_or_default()
        .to_string();
    let existing = resources.iter().position(|r| {
        r.cur_gvk().kind == kind
            && (r.cur_name() == name || r.prev_ids().iter().any(|p| p.1 == name))
            && (ns.is_empty() || r.cur_namespace() == ns)
    });
    match (behavior.as_str(), existing) {
        ("create", None) => resources.push(Resource::generated(
            obj,
            Arc::clone(source),
            !disable,
            behavior,
        )),
        ("create", Some(_)) => {
            return Err(error(
                kfile,
                origin_span(Some(g)),
                format!(
                    "cannot add {kind} '{name}': one already exists (use behavior: merge or replace)"
                ),
            ));
        }
        ("replace", Some(i)) => {
            if let Some(r) = resources.get_mut(i) {
                let mut new = Resource::generated(obj, Arc::clone(source), !disable, behavior);
                new.copy_merge_meta_from(r);
                *r = new;
            }
        }
        ("merge", Some(i)) => {
            if let Some(r) = resources.get_mut(i) {
                for field in ["data", "binaryData"] {
                    if let Some(new) = obj.get(field).and_then(Node::as_map).cloned()
                        && let Some(m) = r.obj.ensure_map(field, None)
                    {
                        for (kk, v) in new {
                            m.set(&kk, v);
                        }
                    }
                }
                for what in ["labels", "annotations"] {
                    if let Some(new) = obj
                        .get_path(&["metadata", what])
                        .and_then(Node::as_map)
                        .cloned()
                        && let Some(meta) = r.obj.ensure_map("metadata", None)
                        && let Some(m) = meta.ensure_map(what, None)
                    {
                        for (kk, v) in new {
                            m.set(&kk, v);
                        }
                    }
                }
                // A merge into an object that was not generated keeps its name.
                let was = r.needs_hash();
                r.set_needs_hash(was && !disable);
            }
        }
        (b, _) => {
            return Err(error(
                kfile,
                origin_span(Some(g)),
                format!("{kind} '{name}' with behavior '{b}' has no {kind} of that name to act on"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_quote_keys_not_values() {
        assert_eq!(
            key_part("DB_PASSWORD: Hunter2EnvSecret"),
            "DB_PASSWORD: *****"
        );
        assert_eq!(key_part("MY KEY"), "MY *****");
        assert_eq!(key_part("FOO:"), "FOO:");
        assert_eq!(key_part(""), "");
        assert_eq!(literal_shown("tokenXYZ"), "*****");
        assert_eq!(literal_shown("=Hunter2"), "=*****");
        assert_eq!(literal_shown("token: Hunter2"), "token: *****");
    }
}
