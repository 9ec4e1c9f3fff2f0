//! Registry credentials: docker config files inside Secrets, image references, and which
//! registry key serves which image, as the kubelet decides (pkg/credentialprovider:
//! `config.go` for the file format, `keyring.go` `BasicDockerKeyring.Add`/`Lookup` and
//! `URLsMatch` for matching).

use crate::secrets::values::is_secret_placeholder;
use serde_json::Value;

use super::base64::decode_std;

/// One `auths` entry of a docker config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RegistryAuth {
    /// The key as written (`registry.example.com:5000`, `https://index.docker.io/v1/`).
    pub registry: String,
    /// The user name, from `username` or from the decoded `auth` (`user:password`).
    pub username: Option<String>,
    /// Why the kubelet cannot use this entry, if it cannot.
    pub problem: Option<String>,
    /// The entry carries a credential (the password of `auth`, `password`, `identitytoken`
    /// or `registrytoken`) that is not a placeholder. The credential itself is never kept.
    pub has_secret: bool,
}

/// A parsed `.dockerconfigjson` (`{"auths": {...}}`) or legacy `.dockercfg` (`{...}`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct DockerConfig {
    pub auths: Vec<RegistryAuth>,
    /// `.dockerconfigjson` without an `auths` object: the kubelet finds no credentials.
    pub missing_auths: bool,
}

/// Why a docker config is not what the API server accepts (`ValidateSecret` requires a JSON
/// object, or `null`).
pub(crate) fn parse_docker_config(bytes: &[u8], legacy: bool) -> Result<DockerConfig, String> {
    let value: Value = serde_json::from_slice(bytes).map_err(|e| {
        // serde_json's message quotes no input, only positions.
        format!("it is not valid JSON ({e})")
    })?;
    let root = match value {
        Value::Object(map) => map,
        Value::Null => return Ok(DockerConfig::default()),
        other => {
            return Err(format!(
                "it is JSON, but {} rather than an object",
                json_type(&other)
            ));
        }
    };
    let entries = if legacy {
        Some(root)
    } else {
        match root.get("auths") {
            Some(Value::Object(auths)) => Some(auths.clone()),
            _ => None,
        }
    };
    let Some(entries) = entries else {
        return Ok(DockerConfig {
            auths: Vec::new(),
            missing_auths: true,
        });
    };
    let mut config = DockerConfig::default();
    for (registry, entry) in entries {
        config.auths.push(registry_auth(registry, &entry));
    }
    Ok(config)
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The kubelet's `DockerConfigEntry.UnmarshalJSON`: a non-empty `auth` must decode (standard
/// base64) to `user:password`; otherwise `username`/`password` are used.
fn registry_auth(registry: String, entry: &Value) -> RegistryAuth {
    let field = |name: &str| entry.get(name).and_then(Value::as_str).unwrap_or("");
    let mut auth = RegistryAuth {
        registry,
        username: None,
        problem: None,
        has_secret: false,
    };
    // Judged by the credential itself, not the whole config: a registry host such as
    // `registry.example.com` does not make a real password a placeholder.
    let real = |secret: &str| !secret.is_empty() && !is_secret_placeholder(secret);
    auth.has_secret = ["password", "identitytoken", "registrytoken"]
        .iter()
        .any(|name| real(field(name)));
    let Value::Object(_) = entry else {
        auth.problem = Some("the entry is not an object".to_string());
        return auth;
    };
    let encoded = field("auth");
    if !encoded.is_empty() {
        match decode_std(encoded) {
            Err(e) => {
                auth.problem = Some(format!("`auth` is not valid base64: {e}"));
            }
            Ok(decoded) => {
                let text = String::from_utf8_lossy(&decoded);
                match text.split_once(':') {
                    Some((user, password)) => {
                        auth.username = Some(user.to_string());
                        auth.has_secret |= real(password);
                    }
                    None => {
                        auth.problem =
                            Some("`auth` does not decode to `user:password` (no `:`)".to_string());
                    }
                }
            }
        }
        return auth;
    }
    let username = field("username");
    if !username.is_empty() {
        auth.username = Some(username.to_string());
    }
    if username.is_empty() && field("password").is_empty() {
        auth.problem =
            Some("it has no `auth`, `username` or `password`: pulls are anonymous".to_string());
    }
    auth
}

/// Docker Hub, as registry keys and image references spell it.
const DOCKER_HUB: &str = "docker.io";

fn is_docker_hub(host: &str) -> bool {
    matches!(
        host,
        "docker.io" | "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com"
    )
}

/// Where an image comes from: registry host (with port) and repository path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ImageLocation {
    pub host: String,
    pub path: String,
}

impl ImageLocation {
    pub(crate) fn is_docker_hub(&self) -> bool {
        is_docker_hub(&self.host)
    }
}

/// Parses an image reference the way docker's reference normalization does: the first
/// component is a registry when it has a `.` or a `:` or is `localhost`; otherwise the image
/// is on Docker Hub (`nginx` is `docker.io/library/nginx`).
pub(crate) fn image_location(image: &str) -> Option<ImageLocation> {
    let image = image.trim();
    if image.is_empty() || image.contains(char::is_whitespace) {
        return None;
    }
    let without_digest = image.split('@').next().unwrap_or(image);
    let (host, rest) = match without_digest.split_once('/') {
        Some((first, rest))
            if first.contains('.') || first.contains(':') || first == "localhost" =>
        {
            (first.to_ascii_lowercase(), rest)
        }
        _ => (DOCKER_HUB.to_string(), without_digest),
    };
    // Drop the tag: a `:` after the last `/`.
    let path = match rest.rsplit_once('/') {
        Some((dir, last)) => format!("{dir}/{}", last.split(':').next().unwrap_or(last)),
        None => rest.split(':').next().unwrap_or(rest).to_string(),
    };
    let path = if host == DOCKER_HUB && !path.contains('/') {
        format!("library/{path}")
    } else {
        path
    };
    Some(ImageLocation { host, path })
}

/// A registry key after the kubelet's normalization (`BasicDockerKeyring.Add`): scheme
/// dropped, `/v1/` and `/v2/` path prefixes dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RegistryKey {
    host: String,
    path: String,
}

fn registry_key(key: &str) -> Option<RegistryKey> {
    let key = key.trim();
    let rest = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    let (host, path) = match rest.split_once('/') {
        Some((host, path)) => (host, format!("/{path}")),
        None => (rest, String::new()),
    };
    if host.is_empty() {
        return None;
    }
    let path = match path
        .strip_prefix("/v1")
        .or_else(|| path.strip_prefix("/v2"))
    {
        Some(rest) if rest.starts_with('/') => rest.to_string(),
        _ => path,
    };
    let path = if path == "/" { String::new() } else { path };
    Some(RegistryKey {
        host: host.to_ascii_lowercase(),
        path,
    })
}

/// One element of a host-label glob, as Go's `filepath.Match` reads a pattern: `*` (any run of
/// characters), `?` (any one character), a class `[...]` / `[^...]` of characters and ranges,
/// or a literal (a `\\` escapes the next character).
#[derive(Debug, Clone, PartialEq, Eq)]
enum GlobToken {
    Star,
    AnyChar,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
    Literal(char),
}

impl GlobToken {
    /// Does this single-character token match `c`? (`Star` is handled by the matcher.)
    fn matches(&self, c: char) -> bool {
        match self {
            GlobToken::Star | GlobToken::AnyChar => true,
            GlobToken::Literal(l) => *l == c,
            GlobToken::Class { negated, ranges } => {
                ranges.iter().any(|(lo, hi)| *lo <= c && c <= *hi) != *negated
            }
        }
    }
}

/// Parses one host label's glob. `None` is Go's `ErrBadPattern` (an unclosed class, an empty
/// class, a trailing `\\`, a range with a missing end): `URLsMatch` returns the error and
/// `Lookup` treats it as no match.
fn parse_glob(pattern: &str) -> Option<Vec<GlobToken>> {
    let mut tokens = Vec::new();
    let mut chars = pattern.chars().peekable();
    let escaped = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>| -> Option<char> {
        // Go's `getEsc`: an unescaped `-` or `]` cannot start a range's end.
        match chars.next()? {
            '\\' => chars.next(),
            '-' | ']' => None,
            c => Some(c),
        }
    };
    while let Some(c) = chars.next() {
        let token = match c {
            // Consecutive stars are one star (Go's `scanChunk` skips them).
            '*' if tokens.last() == Some(&GlobToken::Star) => continue,
            '*' => GlobToken::Star,
            '?' => GlobToken::AnyChar,
            '\\' => GlobToken::Literal(chars.next()?),
            '[' => {
                let negated = chars.next_if_eq(&'^').is_some();
                let mut ranges = Vec::new();
                loop {
                    if !ranges.is_empty() && chars.next_if_eq(&']').is_some() {
                        break;
                    }
                    let lo = escaped(&mut chars)?;
                    let hi = if chars.next_if_eq(&'-').is_some() {
                        escaped(&mut chars)?
                    } else {
                        lo
                    };
                    ranges.push((lo, hi));
                }
                GlobToken::Class { negated, ranges }
            }
            c => GlobToken::Literal(c),
        };
        tokens.push(token);
    }
    Some(tokens)
}

/// `filepath.Match(pattern, text)` for one host label (labels hold no `/`, the one character
/// a Go glob never matches). Greedy with one backtrack point, the last `*`: a later star
/// supersedes an earlier one, so the work is at most (text length) x (pattern length)
/// character comparisons, never exponential; and the image side is bounded (see
/// [`MAX_IMAGE_NAME`]), so the time is linear in the pattern.
fn glob_match(pattern: &str, text: &str) -> bool {
    let Some(tokens) = parse_glob(pattern) else {
        return false;
    };
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0usize, 0usize);
    // (index of the token after the last star, text position that star's run ends at)
    let mut backtrack: Option<(usize, usize)> = None;
    while let Some(&c) = text.get(t) {
        match tokens.get(p) {
            Some(GlobToken::Star) => {
                p += 1;
                backtrack = Some((p, t));
            }
            Some(token) if token.matches(c) => {
                p += 1;
                t += 1;
            }
            _ => match backtrack {
                // Let the last star swallow one more character and retry after it.
                Some((after_star, run_end)) => {
                    p = after_star;
                    t = run_end + 1;
                    backtrack = Some((after_star, run_end + 1));
                }
                None => return false,
            },
        }
    }
    tokens
        .get(p..)
        .is_some_and(|rest| rest.iter().all(|token| *token == GlobToken::Star))
}

/// The longest image name the kubelet pulls: docker's reference grammar refuses a name
/// (registry and repository, without tag or digest) longer than 255 characters
/// (`distribution/reference` `NameTotalLengthMax`, `ErrNameTooLong`), so no credential is
/// ever looked up for it.
const MAX_IMAGE_NAME: usize = 255;

/// Go's `net.SplitHostPort` as `splitURL` uses it: on an error (no `:`, or more than one
/// outside brackets) the whole host is the name and the port is empty.
fn split_host(host: &str) -> (Vec<&str>, &str) {
    let split = if let Some(rest) = host.strip_prefix('[') {
        // `[v6::addr]:port`
        rest.split_once("]:")
            .filter(|(_, port)| !port.contains(':'))
    } else {
        host.split_once(':')
            .filter(|(name, port)| !name.is_empty() && !port.contains(':'))
    };
    match split {
        Some((name, port)) => (name.split('.').collect(), port),
        None => (host.split('.').collect(), ""),
    }
}

/// Does the registry key `key` (from a docker config) serve `image`? Ports must be equal,
/// host labels match one by one (with globs), and the key's path must prefix the image's
/// repository path (keyring.go `URLsMatch`). Docker Hub keys serve Docker Hub images.
pub(crate) fn registry_serves(key: &str, image: &ImageLocation) -> bool {
    let Some(key) = registry_key(key) else {
        return false;
    };
    if is_docker_hub(&key.host) {
        return image.is_docker_hub()
            && (key.path.is_empty() || format!("/{}", image.path).starts_with(&key.path));
    }
    if image.host.len() + 1 + image.path.len() > MAX_IMAGE_NAME {
        return false;
    }
    let (key_labels, key_port) = split_host(&key.host);
    let (image_labels, image_port) = split_host(&image.host);
    if key_port != image_port || key_labels.len() != image_labels.len() {
        return false;
    }
    if !format!("/{}", image.path).starts_with(&key.path) {
        return false;
    }
    key_labels
        .iter()
        .zip(&image_labels)
        .all(|(k, i)| glob_match(k, i))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secrets::base64::encode_std;

    #[test]
    fn parses_docker_configs() {
        // Seed 003, decoded: the registry password sits in the Secret, base64 only.
        let json = br#"{"auths":{"csmssim01:80":{"username":"xuechenwang","password":"Zenanswer03","email":"x@example.com","auth":"eHVlY2hlbndhbmc6WmVuYW5zd2VyMDM="}}}"#;
        let config = parse_docker_config(json, false).unwrap();
        assert_eq!(config.auths.len(), 1);
        assert_eq!(config.auths[0].registry, "csmssim01:80");
        assert_eq!(config.auths[0].username.as_deref(), Some("xuechenwang"));
        assert_eq!(config.auths[0].problem, None);

        let bad_auth = format!(
            r#"{{"auths":{{"r.example.com":{{"auth":"{}"}}}}}}"#,
            encode_std(b"no-colon")
        );
        let config = parse_docker_config(bad_auth.as_bytes(), false).unwrap();
        assert!(
            config.auths[0]
                .problem
                .as_deref()
                .unwrap()
                .contains("user:password")
        );

        let legacy = br#"{"r.example.com":{"auth":"dTpw","email":"a@b"}}"#;
        assert_eq!(
            parse_docker_config(legacy, true).unwrap().auths[0]
                .username
                .as_deref(),
            Some("u")
        );
        assert!(parse_docker_config(b"{}", false).unwrap().missing_auths);
        assert!(
            parse_docker_config(b"null", false)
                .unwrap()
                .auths
                .is_empty()
        );
        assert!(
            parse_docker_config(b"[1]", false)
                .unwrap_err()
                .contains("an array")
        );
        assert!(parse_docker_config(b"{\"auths\":", false).is_err());
    }

    #[test]
    fn image_locations() {
        let at = |i: &str| image_location(i).map(|l| (l.host, l.path));
        assert_eq!(
            at("nginx"),
            Some(("docker.io".into(), "library/nginx".into()))
        );
        assert_eq!(
            at("nginx:1.27"),
            Some(("docker.io".into(), "library/nginx".into()))
        );
        assert_eq!(
            at("team/app:1"),
            Some(("docker.io".into(), "team/app".into()))
        );
        assert_eq!(
            at("csmssim01:80/team/app:1"),
            Some(("csmssim01:80".into(), "team/app".into()))
        );
        assert_eq!(
            at("ghcr.io/org/app@sha256:abc"),
            Some(("ghcr.io".into(), "org/app".into()))
        );
        assert_eq!(
            at("localhost/app"),
            Some(("localhost".into(), "app".into()))
        );
        assert_eq!(at(""), None);
    }

    #[test]
    fn registry_keys_serve_images_as_the_kubelet_matches_them() {
        let image = |i: &str| image_location(i).unwrap();
        assert!(registry_serves(
            "csmssim01:80",
            &image("csmssim01:80/app:1")
        ));
        assert!(!registry_serves("csmssim01", &image("csmssim01:80/app:1")));
        assert!(registry_serves(
            "https://registry.example.com/v2/",
            &image("registry.example.com/team/app")
        ));
        assert!(registry_serves(
            "registry.example.com/team",
            &image("registry.example.com/team/app")
        ));
        assert!(!registry_serves(
            "registry.example.com/other",
            &image("registry.example.com/team/app")
        ));
        assert!(registry_serves(
            "*.example.com",
            &image("eu.example.com/app")
        ));
        assert!(!registry_serves(
            "*.example.com",
            &image("a.eu.example.com/app")
        ));
        assert!(registry_serves(
            "https://index.docker.io/v1/",
            &image("nginx")
        ));
        assert!(registry_serves("docker.io", &image("team/app")));
        assert!(!registry_serves("docker.io", &image("ghcr.io/team/app")));
        assert!(!registry_serves("ghcr.io", &image("team/app")));
    }

    /// keyring_test.go `TestUrlsMatch` (glob, target, match), through `registry_serves`: the
    /// target is an image reference, so its path is the repository path.
    #[test]
    fn kubelet_urls_match_cases() {
        let cases = [
            // match when there is no path component
            ("*.kubernetes.io", "prefix.kubernetes.io", true),
            ("prefix.*.io", "prefix.kubernetes.io", true),
            ("prefix.kubernetes.*", "prefix.kubernetes.io", true),
            ("*-good.kubernetes.io", "prefix-good.kubernetes.io", true),
            // match with path components
            ("*.kubernetes.io/blah", "prefix.kubernetes.io/blah", true),
            ("prefix.*.io/foo", "prefix.kubernetes.io/foo/bar", true),
            // match with path components and ports
            (
                "*.kubernetes.io:1111/blah",
                "prefix.kubernetes.io:1111/blah",
                true,
            ),
            (
                "prefix.*.io:1111/foo",
                "prefix.kubernetes.io:1111/foo/bar",
                true,
            ),
            // no match when number of parts mismatch
            ("*.kubernetes.io", "kubernetes.io", false),
            ("*.*.kubernetes.io", "prefix.kubernetes.io", false),
            ("*.*.kubernetes.io", "kubernetes.io", false),
            // no match when some parts mismatch
            ("kubernetes.io", "kubernetes.com", false),
            ("k*.io", "quay.io", false),
            // no match when ports mismatch
            (
                "*.kubernetes.io:1234/blah",
                "prefix.kubernetes.io:1111/blah",
                false,
            ),
            (
                "prefix.*.io/foo",
                "prefix.kubernetes.io:1111/foo/bar",
                false,
            ),
        ];
        for (glob, target, expected) in cases {
            // The kubelet looks up `<target>/foo/bar`-style names; a bare host is an image
            // path of its own, so add a repository.
            let image = image_location(&format!("{target}/x")).unwrap();
            assert_eq!(
                registry_serves(glob, &image),
                expected,
                "{glob} vs {target}"
            );
        }
    }

    /// keyring_test.go `TestDockerKeyringForGlob` (hits) and `TestKeyringMiss` (misses): the
    /// key is added as a docker config key and `<target>/foo/bar` is looked up.
    #[test]
    fn kubelet_keyring_glob_hits_and_misses() {
        let hits = [
            ("https://hello.kubernetes.io", "hello.kubernetes.io"),
            ("https://*.docker.io", "prefix.docker.io"),
            ("https://prefix.*.io", "prefix.docker.io"),
            ("https://prefix.docker.*", "prefix.docker.io"),
            ("https://*.docker.io/path", "prefix.docker.io/path"),
            ("https://prefix.*.io/path", "prefix.docker.io/path/subpath"),
            ("https://prefix.docker.*/path", "prefix.docker.io/path"),
            ("https://*.docker.io:8888", "prefix.docker.io:8888"),
            ("https://prefix.*.io:8888", "prefix.docker.io:8888"),
            ("https://prefix.docker.*:8888", "prefix.docker.io:8888"),
            (
                "https://*.docker.io/path:1111",
                "prefix.docker.io/path:1111",
            ),
            ("https://*.docker.io/v1/", "prefix.docker.io/path:1111"),
            ("https://*.docker.io/v2/", "prefix.docker.io/path:1111"),
            (
                "https://prefix.docker.*/path:1111",
                "prefix.docker.io/path:1111",
            ),
            ("prefix.docker.io:1111", "prefix.docker.io:1111/path"),
            ("*.docker.io:1111", "prefix.docker.io:1111/path"),
        ];
        for (key, target) in hits {
            let image = image_location(&format!("{target}/foo/bar")).unwrap();
            assert!(registry_serves(key, &image), "{key} should serve {target}");
        }
        let misses = [
            ("https://hello.kubernetes.io", "world.mesos.org/foo/bar"),
            ("https://*.docker.com", "prefix.docker.io"),
            ("https://suffix.*.io", "prefix.docker.io"),
            ("https://prefix.docker.c*", "prefix.docker.io"),
            (
                "https://prefix.*.io/path:1111",
                "prefix.docker.io/path/subpath:1111",
            ),
            ("suffix.*.io", "prefix.docker.io"),
        ];
        for (key, target) in misses {
            let image = image_location(&format!("{target}/foo/bar")).unwrap();
            assert!(
                !registry_serves(key, &image),
                "{key} should not serve {target}"
            );
        }
    }

    /// Go `filepath.Match` semantics per label: `?`, classes, escapes, bad patterns.
    #[test]
    fn label_globs_as_go_filepath_match() {
        assert!(glob_match("a?c", "abc"));
        assert!(!glob_match("a?c", "ac"));
        assert!(glob_match("[a-c]x", "bx"));
        assert!(!glob_match("[^a-c]x", "bx"));
        assert!(glob_match("\\*x", "*x"));
        assert!(!glob_match("\\*x", "ax"));
        assert!(glob_match("a*b*c", "aXbYbZc"));
        assert!(!glob_match("a*b*c", "aXbYbZ"));
        assert!(glob_match("***", ""));
        // ErrBadPattern: no match.
        assert!(!glob_match("[a-", "a"));
        assert!(!glob_match("[]", "a"));
        assert!(!glob_match("a\\", "a"));
        assert!(!glob_match("[-a]", "a"));
        assert!(glob_match("[\\-a]", "-"));
        // Exponential for a backtracking matcher; immediate here.
        let stars = "*".repeat(20);
        let host = "a".repeat(59);
        assert!(!glob_match(&format!("{stars}b"), &host));
        assert!(glob_match(&format!("{stars}a"), &host));
    }
}
