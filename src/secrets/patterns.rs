//! Well-known credential formats, as data: one table, each pattern with a name, compiled once.
//! `hardcoded-credential` reports them; redaction masks them in every output.

use std::sync::LazyLock;

use regex::{Regex, RegexSet};

use super::values::{is_reference, is_secret_placeholder};

/// One credential format.
pub(crate) struct CredentialPattern {
    /// What it is, for messages: "a GitHub token".
    pub name: &'static str,
    pub regex: &'static str,
    /// For URL credentials: the capture group holding the password, which must not be a
    /// reference or a placeholder (`postgres://app:${DB_PASSWORD}@db` is fine).
    pub secret_group: Option<usize>,
}

/// The table. Order matters only when two patterns match the same value: the first wins.
pub(crate) const CREDENTIAL_PATTERNS: &[CredentialPattern] = &[
    CredentialPattern {
        name: "a private key (PEM block)",
        // A header, optional RFC 1421 headers (`Proc-Type:`, `DEK-Info:`), then a body:
        // `-----BEGIN PRIVATE KEY-----\n...\n` in documentation has no body and is not matched.
        regex: r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[ \t\r\n]*(?:[A-Za-z-]+: [^\n]*\n[ \t\r\n]*)*[A-Za-z0-9+/= \t\r\n]{40,}",
        secret_group: None,
    },
    CredentialPattern {
        name: "an AWS access key id",
        regex: r"(?-u:\b)(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}(?-u:\b)",
        secret_group: None,
    },
    CredentialPattern {
        name: "a GitHub token",
        regex: r"(?-u:\b)(?:(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{22,255})(?-u:\b)",
        secret_group: None,
    },
    CredentialPattern {
        name: "a GitLab token",
        regex: r"(?-u:\b)glpat-[A-Za-z0-9_-]{20,}",
        secret_group: None,
    },
    CredentialPattern {
        name: "a Slack token",
        regex: r"(?-u:\b)xox[abposr]-[A-Za-z0-9-]{10,}",
        secret_group: None,
    },
    CredentialPattern {
        name: "a Slack webhook URL",
        regex: r"https://hooks\.slack\.com/services/T[A-Za-z0-9_]+/B[A-Za-z0-9_]+/[A-Za-z0-9_]{8,}",
        secret_group: None,
    },
    CredentialPattern {
        name: "a Stripe API key",
        regex: r"(?-u:\b)(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}(?-u:\b)",
        secret_group: None,
    },
    CredentialPattern {
        name: "a Google API key",
        regex: r"(?-u:\b)AIza[0-9A-Za-z_-]{35}(?-u:\b)",
        secret_group: None,
    },
    CredentialPattern {
        name: "an npm token",
        regex: r"(?-u:\b)npm_[A-Za-z0-9]{36}(?-u:\b)",
        secret_group: None,
    },
    CredentialPattern {
        name: "a SendGrid API key",
        regex: r"(?-u:\b)SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?-u:\b)",
        secret_group: None,
    },
    CredentialPattern {
        name: "a JSON Web Token",
        // Header and payload are base64url JSON objects (`eyJ` is `{"`); the signature is
        // required, so unsigned example tokens do not match.
        regex: r"(?-u:\b)eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}",
        secret_group: None,
    },
    CredentialPattern {
        name: "a password in a URL (`user:password@host`)",
        regex: r#"(?-u:\b)[A-Za-z][A-Za-z0-9+.-]*://[^ \t\r\n:/?#@"'`]*:([^ \t\r\n/?#@"'`]+)@[^ \t\r\n/?#@"'`]+"#,
        secret_group: Some(1),
    },
];

// Word boundaries are ASCII (`(?-u:\b)`): Unicode ones would keep the regex engine off its
// fast paths, and every pattern is ASCII anyway.
struct Compiled {
    set: RegexSet,
    regexes: Vec<Regex>,
}

static COMPILED: LazyLock<Compiled> = LazyLock::new(|| {
    let sources: Vec<&str> = CREDENTIAL_PATTERNS.iter().map(|p| p.regex).collect();
    Compiled {
        // The table is part of the binary and tested: a bad pattern is a build defect.
        set: RegexSet::new(&sources).expect("credential patterns compile"),
        regexes: sources
            .iter()
            .map(|s| Regex::new(s).expect("credential pattern compiles"))
            .collect(),
    }
});

/// A credential found in a text: which pattern, and where (byte range in the text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct CredentialMatch {
    pub pattern: &'static CredentialPattern,
    pub start: usize,
    pub end: usize,
}

impl std::fmt::Debug for CredentialPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

impl PartialEq for CredentialPattern {
    fn eq(&self, other: &Self) -> bool {
        self.regex == other.regex
    }
}

impl Eq for CredentialPattern {}

/// The shortest text any pattern can match; shorter values are not scanned.
const MIN_CANDIDATE_LEN: usize = 16;

/// A run of one character this long is a masked example (`ghp_xxxxxxxx...`), not a token.
fn looks_fake(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    if lower.contains("example") || lower.contains("redacted") {
        return true;
    }
    let bytes = text.as_bytes();
    bytes.windows(8).any(|w| {
        w.split_first()
            .is_some_and(|(first, rest)| rest.iter().all(|b| b == first))
    }) && !text.contains("-----BEGIN")
}

/// Every credential in `text`, at most one per pattern, in table order (what rules report).
pub(crate) fn find_credentials(text: &str) -> Vec<CredentialMatch> {
    scan_credentials(text, false)
}

/// Every credential in `text`, every match of every pattern (what redaction masks: a value
/// holding two GitHub tokens has both masked).
pub(crate) fn all_credentials(text: &str) -> Vec<CredentialMatch> {
    scan_credentials(text, true)
}

fn scan_credentials(text: &str, every_match: bool) -> Vec<CredentialMatch> {
    if text.len() < MIN_CANDIDATE_LEN {
        return Vec::new();
    }
    let compiled = &*COMPILED;
    let mut found = Vec::new();
    for index in compiled.set.matches(text).iter() {
        // The set and the regexes are compiled from this table, in its order.
        let (Some(pattern), Some(regex)) =
            (CREDENTIAL_PATTERNS.get(index), compiled.regexes.get(index))
        else {
            continue;
        };
        for caps in regex.captures_iter(text) {
            let Some(whole) = caps.get(0) else { continue };
            let secret = match pattern.secret_group {
                Some(group) => match caps.get(group) {
                    Some(m) => m.as_str(),
                    None => continue,
                },
                None => whole.as_str(),
            };
            if looks_fake(secret)
                || pattern.secret_group.is_some()
                    && (is_reference(secret)
                        || is_secret_placeholder(secret)
                        || secret.contains('%')
                        || secret.contains('$'))
            {
                continue;
            }
            found.push(CredentialMatch {
                pattern,
                start: whole.start(),
                end: whole.end(),
            });
            if !every_match {
                break;
            }
        }
    }
    found
}

/// The most specific credential in `text`, if any: table order decides (a GitHub token inside
/// a URL is reported as a GitHub token, not as a password in a URL).
pub(crate) fn first_credential(text: &str) -> Option<CredentialMatch> {
    find_credentials(text).into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name_of(text: &str) -> Option<&'static str> {
        first_credential(text).map(|m| m.pattern.name)
    }

    #[test]
    fn every_match_of_every_pattern_for_redaction() {
        let text =
            "ghp_1A2b3C4d5E6f7G8h9I0jK1l2M3n4O5p6Q7r8 and ghp_9Z8y7X6w5V4u3T2s1R0qP9o8N7m6L5k4J3i2";
        assert_eq!(find_credentials(text).len(), 1);
        let all = all_credentials(text);
        assert_eq!(all.len(), 2);
        assert_eq!(
            text.get(all[1].start..all[1].end).unwrap(),
            "ghp_9Z8y7X6w5V4u3T2s1R0qP9o8N7m6L5k4J3i2"
        );
    }

    #[test]
    fn every_pattern_compiles() {
        assert_eq!(COMPILED.regexes.len(), CREDENTIAL_PATTERNS.len());
    }

    #[test]
    fn finds_well_known_formats() {
        let pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA7bq98dLkVJz1cTQXqyq5wQ0rmlQ0tdvC8hRF2DyV\nAbCd\n-----END RSA PRIVATE KEY-----\n";
        assert_eq!(name_of(pem), Some("a private key (PEM block)"));
        assert_eq!(
            name_of("--aws-key=AKIAZ7VRSQ2YHFLQ3X5E"),
            Some("an AWS access key id")
        );
        assert_eq!(
            name_of("token ghp_1A2b3C4d5E6f7G8h9I0jK1l2M3n4O5p6Q7r8"),
            Some("a GitHub token")
        );
        assert_eq!(
            name_of("glpat-Zq8xPm2Lk9Vt4Rw7Ys1N"),
            Some("a GitLab token")
        );
        assert_eq!(
            name_of("xoxb-2048163-93714-Tq8ZpLmR4vXy"),
            Some("a Slack token")
        );
        assert_eq!(
            name_of("sk_live_4eC39HqLyjWDarjtT1zdp7dc"),
            Some("a Stripe API key")
        );
        assert_eq!(
            name_of("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjaSJ9.Q2x8vT0fKz1mN4pR7sW9yB3dE6gH"),
            Some("a JSON Web Token")
        );
        let url = first_credential("DATABASE=postgres://app:hunter22@db:5432/app").unwrap();
        assert_eq!(
            url.pattern.name,
            "a password in a URL (`user:password@host`)"
        );
        assert_eq!(url.start, 9);
    }

    #[test]
    fn ignores_examples_references_and_headers_without_keys() {
        assert_eq!(name_of("AKIAIOSFODNN7EXAMPLE"), None);
        assert_eq!(name_of("ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"), None);
        assert_eq!(name_of("postgres://app:$(DB_PASSWORD)@db:5432/app"), None);
        assert_eq!(name_of("postgres://app:${DB_PASSWORD}@db:5432/app"), None);
        assert_eq!(name_of("postgres://app:<password>@db:5432/app"), None);
        assert_eq!(name_of("postgres://app@db:5432/app?sslmode=disable"), None);
        assert_eq!(name_of("https://example.com:8443/path@v2"), None);
        assert_eq!(
            name_of("-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----"),
            None
        );
        assert_eq!(
            name_of(
                "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQG\n-----END CERTIFICATE-----"
            ),
            None
        );
        assert_eq!(name_of("short"), None);
    }
}
