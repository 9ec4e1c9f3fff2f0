//! Does a name (an env var, a ConfigMap key, a Dockerfile `ENV`/`ARG`, an OpenFaaS environment
//! entry) say that it holds a secret? One matcher for every rule, so they agree.
//!
//! Names are split into lower-case word parts at `_`, `-`, `.`, `/`, spaces and camelCase
//! boundaries: `DB_PASSWORD` -> [db, password], `apiKey` -> [api, key], `x-api-key` ->
//! [x, api, key], `DBPassword` -> [db, password]. A name is secret-looking when its parts
//! contain a secret word (`password`, `secret`, `token`, ...) or a secret pair (`api key`,
//! `private key`, `access key`, ...), and its last part does not turn it into metadata about a
//! secret (`PASSWORD_FILE`, `TOKEN_URL`, `SECRET_NAME`, `TOKEN_TTL`).

/// Single word parts that name a secret.
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "pwd",
    "secret",
    "token",
    "credential",
    "credentials",
    "creds",
    "apikey",
    "privatekey",
    "accesskey",
    "secretkey",
    "authkey",
    "authtoken",
    "accesstoken",
    "clientsecret",
];

/// Word parts that name a secret only as the last part: `DB_PASS` but not `PASS_THROUGH`.
const SECRET_LAST_WORDS: &[&str] = &["pass", "pw"];

/// Two consecutive parts that name a secret: `API_KEY`, `private-key`, `accessKey`.
const SECRET_PAIRS: &[(&str, &str)] = &[
    ("api", "key"),
    ("private", "key"),
    ("access", "key"),
    ("auth", "key"),
    ("signing", "key"),
    ("encryption", "key"),
    ("master", "key"),
    ("session", "key"),
    ("license", "key"),
    ("account", "key"),
    ("storage", "key"),
    ("shared", "key"),
    ("hmac", "key"),
];

/// A last part that makes the name describe a secret rather than hold one: where it is
/// (`_FILE`, `_PATH`, `_URL`), what it is called (`_NAME`, `_REF`, `_KEY` of a secret
/// reference), or a setting about it (`_TTL`, `_LENGTH`, `_ENABLED`).
const METADATA_LAST_WORDS: &[&str] = &[
    "file",
    "files",
    "path",
    "paths",
    "dir",
    "directory",
    "location",
    "mount",
    "url",
    "uri",
    "endpoint",
    "host",
    "server",
    "port",
    "name",
    "names",
    "ref",
    "reference",
    "id",
    "arn",
    "type",
    "kind",
    "mode",
    "provider",
    "source",
    "store",
    "backend",
    "engine",
    "method",
    "policy",
    "format",
    "version",
    "header",
    "prefix",
    "suffix",
    "field",
    "env",
    "var",
    "label",
    "annotation",
    "selector",
    "namespace",
    "enabled",
    "enable",
    "disabled",
    "disable",
    "required",
    "length",
    "len",
    "size",
    "min",
    "max",
    "count",
    "ttl",
    "expiry",
    "expiration",
    "expires",
    "lifetime",
    "timeout",
    "interval",
    "period",
    "duration",
    "days",
    "hours",
    "seconds",
    "rotation",
    "refresh",
    "algorithm",
    "alg",
    "hash",
    "audience",
    "issuer",
    "scope",
    "scopes",
    // A file of this format (`secret-config.yaml`, `password-policy.xml`), not a secret.
    "yaml",
    "yml",
    "conf",
    "cfg",
    "properties",
    "xml",
    "ini",
    "toml",
    "sh",
    "py",
    "tpl",
    "hcl",
];

/// The lower-case word parts of a name.
pub(crate) fn name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        if c.is_uppercase() && !current.is_empty() {
            // `current` is not empty, so a character came before this one.
            let prev = i
                .checked_sub(1)
                .and_then(|p| chars.get(p))
                .copied()
                .unwrap_or(c);
            let next_is_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            // `apiKey` splits before K; `DBPassword` splits before P (end of an acronym).
            if prev.is_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_uppercase() && next_is_lower)
            {
                words.push(std::mem::take(&mut current));
            }
        }
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// Names whose words say "key" but that hold an identifier, the user half of a credential:
/// MinIO's `MINIO_ACCESS_KEY` is the user name (its secret is `MINIO_SECRET_KEY`), as an AWS
/// access key id is (exempt by its last word `id`).
const IDENTIFIER_NAMES: &[&[&str]] = &[&["minio", "access", "key"]];

/// Names that hold secrets although no secret word says so, from Polaris' sensitive
/// environment variable list: `OCI_CLI_KEY_CONTENT` (an OCI API signing key).
const SECRET_NAMES: &[&[&str]] = &[&["oci", "cli", "key", "content"]];

/// True when the name says its value is a secret.
pub(crate) fn is_secret_name(name: &str) -> bool {
    let words = name_words(name);
    let Some(last) = words.last() else {
        return false;
    };
    if SECRET_NAMES
        .iter()
        .any(|n| words.iter().map(String::as_str).eq(n.iter().copied()))
    {
        return true;
    }
    if IDENTIFIER_NAMES
        .iter()
        .any(|n| words.iter().map(String::as_str).eq(n.iter().copied()))
    {
        return false;
    }
    // Polaris: `^AZURE_.+KEY$` (AZURE_STORAGE_KEY, AZURE_CLIENT_KEY, ...).
    if words.len() > 2 && words.first().is_some_and(|w| w == "azure") && last == "key" {
        return true;
    }
    if METADATA_LAST_WORDS.contains(&last.as_str()) {
        return false;
    }
    let word_hit = words.iter().any(|w| {
        SECRET_WORDS.contains(&w.as_str())
            // `PGPASSWORD`, `ROOTPASSWORD`: the word is inside a longer part.
            || w.contains("password")
            || w.contains("passwd")
    });
    let last_hit = SECRET_LAST_WORDS.contains(&last.as_str());
    let pair_hit = words.windows(2).any(|pair| match pair {
        [first, second] => SECRET_PAIRS.contains(&(first.as_str(), second.as_str())),
        _ => false,
    });
    word_hit || last_hit || pair_hit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_names_into_words() {
        assert_eq!(name_words("DB_PASSWORD"), ["db", "password"]);
        assert_eq!(name_words("apiKey"), ["api", "key"]);
        assert_eq!(name_words("x-api-key"), ["x", "api", "key"]);
        assert_eq!(name_words("DBPassword"), ["db", "password"]);
        assert_eq!(
            name_words("secret.code.passphrase"),
            ["secret", "code", "passphrase"]
        );
        assert_eq!(
            name_words("OAuth2ClientSecret"),
            ["o", "auth2", "client", "secret"]
        );
        assert_eq!(name_words(""), Vec::<String>::new());
    }

    #[test]
    fn identifiers_and_polaris_names() {
        // MinIO: the access key and root user are the user name; the secret key and root
        // password are secrets.
        assert!(!is_secret_name("MINIO_ACCESS_KEY"));
        assert!(!is_secret_name("MINIO_ROOT_USER"));
        assert!(is_secret_name("MINIO_SECRET_KEY"));
        assert!(is_secret_name("MINIO_ROOT_PASSWORD"));
        assert!(!is_secret_name("AWS_ACCESS_KEY_ID"));
        // Polaris' sensitive names.
        assert!(is_secret_name("AZURE_STORAGE_KEY"));
        assert!(is_secret_name("AZURE_CLIENT_KEY"));
        assert!(is_secret_name("OCI_CLI_KEY_CONTENT"));
        assert!(!is_secret_name("AZURE_KEY_VAULT_NAME"));
    }

    #[test]
    fn secret_names() {
        for name in [
            "DB_PASSWORD",
            "MONGODB_PASSWORD",
            "PGPASSWORD",
            "MYSQL_ROOT_PASSWORD",
            "password",
            "apiKey",
            "x-api-key",
            "API_KEY",
            "GITHUB_TOKEN",
            "secret_key",
            "CLIENT_SECRET",
            "clientSecret",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_ACCESS_KEY",
            "PRIVATE_KEY",
            "DB_PASS",
            "SECRET_KEY_BASE",
            "GOOGLE_APPLICATION_CREDENTIALS_JSON",
            "passphrase",
            "REDIS_PWD",
            "accessToken",
        ] {
            assert!(is_secret_name(name), "{name} should look like a secret");
        }
    }

    #[test]
    fn names_that_describe_secrets_or_are_not_secrets() {
        for name in [
            "PASSWORD_FILE",
            "DB_PASSWORD_PATH",
            "TOKEN_URL",
            "SECRET_NAME",
            "TOKEN_TTL",
            "PASSWORD_MIN_LENGTH",
            "USE_SECRETS_ENABLED",
            "PASS_THROUGH",
            "BYPASS",
            "KEY",
            "DB_USER",
            "USERNAME",
            "TOKENIZER",
            "KEYCLOAK_REALM",
            "PUBLIC_KEY",
            "secret-config.yaml",
            "password-policy.xml",
            "ACCESS_KEY_ID",
            "AUTH_TYPE",
            "debug",
            "",
        ] {
            assert!(
                !is_secret_name(name),
                "{name} should not look like a secret"
            );
        }
    }
}
