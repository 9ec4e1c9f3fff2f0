//! Paths, URLs and the network: Go's `path` functions (`base`, `dir`, `clean`, `ext`,
//! `isAbs`, and the `os*` variants, the same on a Unix path), Sprig v3.3.0 url.go (`urlParse`,
//! `urlJoin` over Go's net/url) and network.go (`getHostByName`, which needs DNS: a fixed
//! documentation address here, 192.0.2.1).

use std::collections::BTreeMap;

use super::{args_n, as_map, as_str, new_map, s};
use crate::helm::value::Value;

type R = Result<Value, String>;

fn str1<'a>(name: &str, args: &'a [Value]) -> Result<&'a str, String> {
    let [a] = args_n(name, args)?;
    as_str(a)
}

/// Go's `path.Clean`.
pub(crate) fn clean_path(p: &str) -> String {
    if p.is_empty() {
        return ".".to_owned();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_owned(),
        (false, false) => joined,
    }
}

pub(crate) fn base(args: &[Value]) -> R {
    let p = str1("base", args)?;
    if p.is_empty() {
        return Ok(s("."));
    }
    let trimmed = p.trim_end_matches('/');
    if trimmed.is_empty() {
        return Ok(s("/"));
    }
    Ok(s(trimmed.rsplit('/').next().unwrap_or(trimmed)))
}

pub(crate) fn dir(args: &[Value]) -> R {
    let p = str1("dir", args)?;
    let d = match p.rfind('/') {
        Some(i) => p.get(..=i).unwrap_or_default(),
        None => "",
    };
    Ok(s(clean_path(d)))
}

pub(crate) fn clean(args: &[Value]) -> R {
    Ok(s(clean_path(str1("clean", args)?)))
}

pub(crate) fn ext(args: &[Value]) -> R {
    let p = str1("ext", args)?;
    for (i, c) in p.char_indices().rev() {
        if c == '/' {
            break;
        }
        if c == '.' {
            return Ok(s(p.get(i..).unwrap_or_default()));
        }
    }
    Ok(s(""))
}

pub(crate) fn is_abs(args: &[Value]) -> R {
    Ok(Value::Bool(str1("isAbs", args)?.starts_with('/')))
}

/// `getHostByName` needs DNS: a fixed documentation address (RFC 5737).
pub(crate) fn get_host_by_name(args: &[Value]) -> R {
    str1("getHostByName", args)?;
    Ok(s("192.0.2.1"))
}

fn unhex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Go's `url.PathUnescape`-like decoding of `%XX`.
fn unescape(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hi = bytes.get(i + 1).copied().and_then(unhex);
            let lo = bytes.get(i + 2).copied().and_then(unhex);
            match (hi, lo) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 3;
                    continue;
                }
                _ => {
                    let bad = text.get(i..(i + 3).min(text.len())).unwrap_or("%");
                    return Err(format!(
                        "invalid URL escape {}",
                        crate::helm::gofmt::quote(bad)
                    ));
                }
            }
        }
        out.push(b);
        i += 1;
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Go's `url.Parse`, the parts `urlParse` returns.
struct Url {
    scheme: String,
    opaque: String,
    userinfo: String,
    host: String,
    path: String,
    raw_query: String,
    fragment: String,
}

fn parse_url(raw: &str) -> Result<Url, String> {
    let (rest, fragment) = match raw.split_once('#') {
        Some((r, f)) => (r, unescape(f)?),
        None => (raw, String::new()),
    };
    let mut u = Url {
        scheme: String::new(),
        opaque: String::new(),
        userinfo: String::new(),
        host: String::new(),
        path: String::new(),
        raw_query: String::new(),
        fragment,
    };
    // Scheme: a letter, then letters, digits, + - . up to ':'.
    let mut rest = rest;
    if let Some(i) = rest.find(':') {
        let cand = rest.get(..i).unwrap_or_default();
        if cand.starts_with(|c: char| c.is_ascii_alphabetic())
            && cand
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        {
            u.scheme = cand.to_ascii_lowercase();
            rest = rest.get(i + 1..).unwrap_or_default();
        } else if i == 0 {
            return Err(format!(
                "parse {}: missing protocol scheme",
                crate::helm::gofmt::quote(raw)
            ));
        }
    }
    let (rest, query) = match rest.split_once('?') {
        Some((r, q)) => (r, q.to_owned()),
        None => (rest, String::new()),
    };
    u.raw_query = query;
    if !u.scheme.is_empty() && !rest.starts_with('/') {
        u.opaque = rest.to_owned();
        return Ok(u);
    }
    let mut path = rest;
    if let Some(after) = rest.strip_prefix("//") {
        let end = after.find('/').unwrap_or(after.len());
        let (authority, p) = after.split_at_checked(end).unwrap_or((after, ""));
        if let Some(at) = authority.rfind('@') {
            u.userinfo = authority.get(..at).unwrap_or_default().to_owned();
            u.host = authority.get(at + 1..).unwrap_or_default().to_owned();
        } else {
            u.host = authority.to_owned();
        }
        path = p;
    }
    u.path = unescape(path)?;
    Ok(u)
}

fn hostname(host: &str) -> String {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or_default().to_owned();
    }
    match host.rfind(':') {
        Some(i)
            if host
                .get(i + 1..)
                .is_some_and(|p| p.chars().all(|c| c.is_ascii_digit())) =>
        {
            host.get(..i).unwrap_or_default().to_owned()
        }
        _ => host.to_owned(),
    }
}

pub(crate) fn url_parse(args: &[Value]) -> R {
    let raw = str1("urlParse", args)?;
    let u = parse_url(raw).map_err(|e| format!("unable to parse url: {e}"))?;
    let mut m = BTreeMap::new();
    m.insert("scheme".to_owned(), s(u.scheme));
    m.insert("hostname".to_owned(), s(hostname(&u.host)));
    m.insert("host".to_owned(), s(u.host));
    m.insert("path".to_owned(), s(u.path));
    m.insert("query".to_owned(), s(u.raw_query));
    m.insert("opaque".to_owned(), s(u.opaque));
    m.insert("fragment".to_owned(), s(u.fragment));
    m.insert("userinfo".to_owned(), s(u.userinfo));
    Ok(new_map(m))
}

fn escape(text: &str, fragment: bool) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'_'
                    | b'.'
                    | b'~'
                    | b'/'
                    | b'$'
                    | b'&'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b':'
                    | b'@'
                    | b'!'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
            )
            || (fragment && b == b'?');
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub(crate) fn url_join(args: &[Value]) -> R {
    let [d] = args_n("urlJoin", args)?;
    let d = as_map(d)?;
    let d = d.borrow();
    let get = |k: &str| -> Result<String, String> {
        match d.get(k) {
            None => Ok(String::new()),
            Some(Value::Str(st)) => Ok(st.text.to_string()),
            Some(other) => Err(format!(
                "unable to parse {k} key, must be of type string, but {} found",
                super::reflect::kind_name(other)
            )),
        }
    };
    let (scheme, host, path, query, opaque, fragment, userinfo) = (
        get("scheme")?,
        get("host")?,
        get("path")?,
        get("query")?,
        get("opaque")?,
        get("fragment")?,
        get("userinfo")?,
    );
    let mut out = String::new();
    if !scheme.is_empty() {
        out.push_str(&scheme);
        out.push(':');
    }
    if !opaque.is_empty() {
        out.push_str(&opaque);
    } else {
        if !scheme.is_empty() || !host.is_empty() || !userinfo.is_empty() {
            if !host.is_empty() || !path.is_empty() || !userinfo.is_empty() {
                out.push_str("//");
            }
            if !userinfo.is_empty() {
                out.push_str(&userinfo);
                out.push('@');
            }
            out.push_str(&host);
        }
        let p = escape(&path, false);
        if !p.is_empty() && !p.starts_with('/') && !host.is_empty() {
            out.push('/');
        }
        out.push_str(&p);
    }
    if !query.is_empty() {
        out.push('?');
        out.push_str(&query);
    }
    if !fragment.is_empty() {
        out.push('#');
        out.push_str(&escape(&fragment, true));
    }
    Ok(s(out))
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check_all, run};

    // Sprig v3.3.0 url_test.go and network_test.go; Go path tests.
    #[test]
    fn sprig_url_tests() {
        check_all(&[
            (
                r#"{{ urlParse "proto://auth@host:80/path?query#fragment" }}"#,
                "map[fragment:fragment host:host:80 hostname:host opaque: path:/path query:query scheme:proto userinfo:auth]",
            ),
            (
                r#"{{ urlParse "proto://host:80/path" }}"#,
                "map[fragment: host:host:80 hostname:host opaque: path:/path query: scheme:proto userinfo:]",
            ),
            (
                r#"{{ urlParse "something" }}"#,
                "map[fragment: host: hostname: opaque: path:something query: scheme: userinfo:]",
            ),
            (
                r#"{{ urlParse "proto://user:passwor%20d@host:80/path" }}"#,
                "map[fragment: host:host:80 hostname:host opaque: path:/path query: scheme:proto userinfo:user:passwor%20d]",
            ),
            (
                r#"{{ urlParse "proto://host:80/pa%20th?key=val%20ue" }}"#,
                "map[fragment: host:host:80 hostname:host opaque: path:/pa th query:key=val%20ue scheme:proto userinfo:]",
            ),
            (
                r#"{{ urlJoin (dict "fragment" "fragment" "host" "host:80" "path" "/path" "query" "query" "scheme" "proto") }}"#,
                "proto://host:80/path?query#fragment",
            ),
            (
                r#"{{ urlJoin (dict "fragment" "fragment" "host" "host:80" "path" "/path" "scheme" "proto" "userinfo" "ASDJKJSD") }}"#,
                "proto://ASDJKJSD@host:80/path#fragment",
            ),
            (r#"{{ getHostByName "www.google.com" }}"#, "192.0.2.1"),
            (r#"{{ base "" }}"#, "."),
            (r#"{{ dir "/" }}"#, "/"),
            (r#"{{ dir "a" }}"#, "."),
            (r#"{{ clean "a/../../b/./c/" }}"#, "../b/c"),
            (r#"{{ ext "a.tar.gz" }}"#, ".gz"),
            (r#"{{ osBase "/a/b/" }}"#, "b"),
        ]);
        assert_eq!(run(r#"{{ ext "a.b/c" }}"#), "");
    }
}
