//! Registry credentials: docker config files inside Secrets, image references, and which
//! registry key serves which image, as the kubelet decides (pkg/credentialprovider:
//! `config.go` for the file format, `keyring.go` `BasicDockerKeyring.Add`/`Lookup` and
//! `URLsMatch` for matching).

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
    };
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
                    Some((user, _)) => auth.username = Some(user.to_string()),
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

/// `filepath.Match` for one host label, with `*` and `?` (character classes are rare in
/// registry keys and are matched literally).
fn glob_match(pattern: &[u8], text: &[u8]) -> bool {
    match pattern.split_first() {
        None => text.is_empty(),
        Some((b'*', rest)) => {
            (0..=text.len()).any(|i| text.get(i..).is_some_and(|tail| glob_match(rest, tail)))
        }
        Some((b'?', rest)) => text
            .split_first()
            .is_some_and(|(_, tail)| glob_match(rest, tail)),
        Some((c, rest)) => text
            .split_first()
            .is_some_and(|(first, tail)| first == c && glob_match(rest, tail)),
    }
}

fn split_host(host: &str) -> (Vec<&str>, &str) {
    match host.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => {
            (name.split('.').collect(), port)
        }
        _ => (host.split('.').collect(), ""),
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
        .all(|(k, i)| glob_match(k.as_bytes(), i.as_bytes()))
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
}
