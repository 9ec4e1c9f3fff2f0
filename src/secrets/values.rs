//! Is a value a real secret, or a reference, a path, a placeholder? Shared by every rule that
//! decides whether a secret-named entry holds a literal secret.

/// Values that stand for "put the real secret here". `changeme`, `password`, `admin` are *not*
/// placeholders: they are real (and well-known) default passwords.
const PLACEHOLDER_WORDS: &[&str] = &[
    "replace_me",
    "replaceme",
    "replace-me",
    "todo",
    "tbd",
    "fixme",
    "placeholder",
    "dummy",
    "redacted",
    "example",
    "none",
    "null",
    "nil",
    "n/a",
    "undefined",
    "unset",
    "empty",
    "secret-value",
    "your-secret",
];

/// A template or variable reference that something else resolves: `$(VAR)` (Kubernetes),
/// `${VAR}` / `$VAR` (shell, envsubst, OpenFaaS, Dockerfile), `{{ ... }}` (Helm, Go
/// templates), `#{...}#`, `%(name)s`, `__VAR__`, `@VAR@`.
pub(crate) fn is_reference(value: &str) -> bool {
    let v = value.trim();
    if v.contains("$(") || v.contains("${") || v.contains("{{") || v.contains("#{") {
        return true;
    }
    if let Some(rest) = v.strip_prefix('$')
        && rest
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        return true;
    }
    if v.contains("%(") && v.contains(")s") {
        return true;
    }
    let wrapped = |open: &str, close: &str| {
        v.len() > open.len() + close.len() && v.starts_with(open) && v.ends_with(close)
    };
    let inner_has_wrap = v
        .strip_prefix("__")
        .and_then(|rest| rest.strip_suffix("__"))
        .is_some_and(|inner| inner.contains("__"));
    wrapped("__", "__") && !inner_has_wrap || wrapped("@", "@")
}

/// An obvious placeholder: empty, masked (`*****`, `xxxx`), `<password>`, `[token]`,
/// `your-api-key`, `REPLACE_ME`, `insert-token-here`, or an `...EXAMPLE` value.
pub(crate) fn is_secret_placeholder(value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() {
        return true;
    }
    let mut chars = v.chars();
    let first = chars.next().unwrap_or(' ');
    // One character repeated: `*****`, `xxxx`, `....`, `----`, `????`.
    if matches!(first, 'x' | 'X' | '*' | '.' | '-' | '_' | '#' | '?' | '•')
        && v.chars().all(|c| c == first)
    {
        return true;
    }
    if (v.starts_with('<') && v.ends_with('>')) || (v.starts_with('[') && v.ends_with(']')) {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    if PLACEHOLDER_WORDS.contains(&lower.as_str()) {
        return true;
    }
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    // `your-password`, `YOUR_API_KEY`, `yourpassword`.
    if lower.starts_with("your") && lower.len() > 4 {
        return true;
    }
    if words.last().is_some_and(|w| *w == "here") && words.len() > 1 {
        return true;
    }
    if words
        .first()
        .is_some_and(|w| matches!(*w, "replace" | "insert" | "enter"))
        && words.len() > 1
    {
        return true;
    }
    // AWS documentation's AKIAIOSFODNN7EXAMPLE and friends, `example-password`.
    lower.contains("example") || lower.contains("redacted")
}

/// A file path (`/run/secrets/db`, `./key.pem`, `~/.ssh/id_rsa`, `C:\keys\x`) or a
/// `file://` URL: the secret is elsewhere.
pub(crate) fn is_path(value: &str) -> bool {
    let v = value.trim();
    if v.contains(char::is_whitespace) {
        return false;
    }
    v.starts_with('/')
        || v.starts_with("./")
        || v.starts_with("../")
        || v.starts_with("~/")
        || v.starts_with("file://")
        // `C:\keys`: compared as bytes, so multi-byte text after the first letter cannot panic.
        || (v.len() > 3
            && v.as_bytes().first().is_some_and(u8::is_ascii_alphabetic)
            && v.as_bytes().get(1..3) == Some(b":\\".as_slice()))
}

/// A URL. `with_credentials` tells whether it carries a password (`scheme://user:pass@host`).
pub(crate) fn url_parts(value: &str) -> Option<UrlShape> {
    let v = value.trim();
    let (scheme, rest) = v.split_once("://")?;
    if scheme.is_empty()
        || !scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        || rest.contains(char::is_whitespace)
    {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let with_credentials = authority
        .rsplit_once('@')
        .map(|(userinfo, _)| {
            userinfo
                .split_once(':')
                .is_some_and(|(_, password)| !password.is_empty() && !is_reference(password))
        })
        .unwrap_or(false);
    Some(UrlShape { with_credentials })
}

/// The part of a value that is the secret, for judging placeholders: a URL's password
/// (`postgres://app:S3cr3t@db.example.com` is not a placeholder for naming `example.com`), else
/// the whole value.
pub(crate) fn secret_part(value: &str) -> &str {
    let v = value.trim();
    let Some((_, rest)) = v.split_once("://") else {
        return v;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority
        .rsplit_once('@')
        .and_then(|(userinfo, _)| userinfo.split_once(':'))
        .map_or(v, |(_, password)| password)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UrlShape {
    pub with_credentials: bool,
}

/// A value that is its variable's own name or a variant of it (`GOOGLE_API_KEY:
/// GOOGLE_API_KEY_VAL`, `db-password: DB_PASSWORD`): a placeholder someone meant to replace.
pub(crate) fn is_own_name(name: &str, value: &str) -> bool {
    let normal = |text: &str| -> String {
        text.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let (name, value) = (normal(name), normal(value));
    name.len() >= 4 && value.contains(&name)
}

/// Words that are switches or settings, not secrets (`SECRET_ENABLED: "true"`).
fn is_setting_word(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "true"
            | "false"
            | "yes"
            | "no"
            | "on"
            | "off"
            | "enabled"
            | "disabled"
            | "required"
            | "optional"
            | "auto"
            | "default"
    )
}

/// Does a secret-named entry hold a literal secret? Not when its value is empty, a reference,
/// a placeholder, a file path, a URL without credentials, a switch (`true`), or a short number
/// (a count or a port, not a password).
pub(crate) fn is_literal_secret(value: &str) -> bool {
    let v = value.trim();
    if is_secret_placeholder(secret_part(v)) || is_reference(v) || is_path(v) || is_setting_word(v)
    {
        return false;
    }
    if let Some(url) = url_parts(v) {
        return url.with_credentials;
    }
    if v.len() <= 4 && v.chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    true
}

/// Could this user name (of a docker config's `auth`, or `username`) be a credential itself?
/// Registries take tokens as user names (`oauth2accesstoken` is a name, but some put the token
/// there), so a name is printed only when it is short, reads like a name, and has no
/// credential format: at most 32 characters of letters, digits and `._@+-`, not a known
/// credential, and not a long mix of upper case, lower case and digits (a random token).
pub(crate) fn may_show_user_name(user: &str) -> bool {
    let name_like = !user.is_empty()
        && user.len() <= 32
        && user
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '@' | '+' | '-'));
    let mixed = user.chars().any(|c| c.is_ascii_uppercase())
        && user.chars().any(|c| c.is_ascii_lowercase())
        && user.chars().any(|c| c.is_ascii_digit());
    let digits = user.chars().filter(char::is_ascii_digit).count();
    name_like
        && super::patterns::first_credential(user).is_none()
        && !(user.len() >= 16 && (mixed || digits * 3 >= user.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_secrets() {
        for v in [
            "GUEST",
            "DO_NOT_TELL_ANYONE",
            "changeme",
            "password",
            "s3cr3t!",
            "keep-this-secret",
            "123456",
            "postgres://app:hunter2@db:5432/app",
            "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
        ] {
            assert!(is_literal_secret(v), "{v} is a literal secret");
        }
    }

    #[test]
    fn not_literal_secrets() {
        for v in [
            "",
            "  ",
            "$(DB_PASSWORD)",
            "${DB_PASSWORD}",
            "$DB_PASSWORD",
            "{{ .Values.password }}",
            "/run/secrets/db",
            "./secrets/key.pem",
            "https://vault.example.com:8200",
            "postgres://app@db:5432/app",
            "postgres://app:$(DB_PASS)@db/app",
            "*****",
            "xxxx",
            "<your-password>",
            "your-api-key",
            "yourpassword",
            "REPLACE_ME",
            "insert-token-here",
            "AKIAIOSFODNN7EXAMPLE",
            "true",
            "false",
            "8080",
            "none",
            "__DB_PASSWORD__",
        ] {
            assert!(!is_literal_secret(v), "{v:?} is not a literal secret");
        }
    }

    #[test]
    fn user_names_that_may_be_shown() {
        for user in [
            "ci",
            "_json_key",
            "oauth2accesstoken",
            "AWS",
            "robot$ci",
            "deploy-bot@corp.io",
        ] {
            assert_eq!(may_show_user_name(user), user != "robot$ci", "{user}");
        }
        for token in [
            "ghp_1A2b3C4d5E6f7G8h9I0jK1l2M3n4O5p6Q7rX",
            "aB3dE5fG7hJ9kL1mN3pQ",
            "4f9c2a7e1b8d3f6a0c5e",
            "",
            "a-user-name-longer-than-thirty-two-characters",
        ] {
            assert!(!may_show_user_name(token), "{token}");
        }
    }

    #[test]
    fn urls_and_credentials() {
        assert_eq!(
            url_parts("redis://:pw@redis:6379"),
            Some(UrlShape {
                with_credentials: true
            })
        );
        assert_eq!(
            url_parts("https://user@host/path:with@colon"),
            Some(UrlShape {
                with_credentials: false
            })
        );
        assert_eq!(url_parts("not a url"), None);
        assert_eq!(url_parts("host:5432"), None);
    }

    #[test]
    fn multi_byte_text_is_not_sliced_inside_a_character() {
        // `€` takes bytes 1..4: the drive-letter check used to slice bytes 1..3 and panic.
        assert!(!is_path("a€bcdefgh"));
        assert!(is_literal_secret("a€bcdefgh"));
    }

    #[test]
    fn a_value_that_is_its_own_name_is_a_placeholder() {
        assert!(is_own_name("GOOGLE_API_KEY", "GOOGLE_API_KEY_VAL"));
        assert!(is_own_name("db-password", "DB_PASSWORD"));
        assert!(!is_own_name("DB_PASSWORD", "hunter2-prod"));
        assert!(!is_own_name("PW", "pw123"));
        assert!(is_path("C:\\keys\\x"));
        assert!(is_reference("__é__"));
        assert!(!is_reference("__a__b__"));
    }
}
