//! Kubernetes name syntax, ported from k8s.io/apimachinery/pkg/util/validation/validation.go
//! (`IsDNS1123Label`, `IsDNS1123Subdomain`, `IsDNS1035Label`, `IsQualifiedName`,
//! `IsValidLabelValue`, `IsValidPortName`) and apimachinery's `path.IsValidPathSegmentName`.
//! Each function returns why a name is invalid, in the API server's words, or `None`. The
//! `invalid-name` rule applies them per kind; the probe model checks probe port names with
//! [`port_name`].

/// Values left for a later tool to fill in (envsubst, kustomize replacements, Helm leftovers):
/// not names yet, so not judged. (Not a secret placeholder: see
/// `secrets::values::is_secret_placeholder`.)
pub(crate) fn is_template_placeholder(text: &str) -> bool {
    text.contains("${") || text.contains("{{") || text.contains("$(")
}

pub(crate) const DNS1123_LABEL_MAX: usize = 63;
pub(crate) const DNS1123_SUBDOMAIN_MAX: usize = 253;
pub(crate) const CRONJOB_NAME_MAX: usize = 52;
const PORT_NAME_MAX: usize = 15;
pub(crate) const LABEL_VALUE_MAX: usize = 63;
const QUALIFIED_NAME_MAX: usize = 63;

fn is_lower_alnum(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`
fn is_label_shape(s: &str) -> bool {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(&first), Some(&last)) => {
            is_lower_alnum(first)
                && is_lower_alnum(last)
                && b.iter().all(|&c| is_lower_alnum(c) || c == b'-')
        }
        _ => false,
    }
}

pub(crate) fn dns1123_label(s: &str) -> Option<String> {
    if s.len() > DNS1123_LABEL_MAX {
        return Some(format!(
            "must be no more than {DNS1123_LABEL_MAX} characters (it has {})",
            s.len()
        ));
    }
    (!is_label_shape(s)).then(|| {
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', \
         and must start and end with an alphanumeric character"
            .to_string()
    })
}

pub(crate) fn dns1123_subdomain(s: &str) -> Option<String> {
    if s.len() > DNS1123_SUBDOMAIN_MAX {
        return Some(format!(
            "must be no more than {DNS1123_SUBDOMAIN_MAX} characters (it has {})",
            s.len()
        ));
    }
    (!s.split('.').all(is_label_shape)).then(|| {
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' \
         or '.', and must start and end with an alphanumeric character"
            .to_string()
    })
}

pub(crate) fn dns1035_label(s: &str) -> Option<String> {
    if s.len() > DNS1123_LABEL_MAX {
        return Some(format!(
            "must be no more than {DNS1123_LABEL_MAX} characters (it has {})",
            s.len()
        ));
    }
    let starts_with_letter = s.as_bytes().first().is_some_and(u8::is_ascii_lowercase);
    (!(is_label_shape(s) && starts_with_letter)).then(|| {
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start \
         with an alphabetic character, and end with an alphanumeric character"
            .to_string()
    })
}

pub(crate) fn path_segment(s: &str) -> Option<String> {
    if s == "." || s == ".." {
        return Some(format!("may not be '{s}'"));
    }
    for bad in ["/", "%"] {
        if s.contains(bad) {
            return Some(format!("may not contain '{bad}'"));
        }
    }
    None
}

/// IANA_SVC_NAME (RFC 6335).
pub(crate) fn port_name(s: &str) -> Option<String> {
    if s.len() > PORT_NAME_MAX {
        return Some(format!(
            "a port name must be no more than {PORT_NAME_MAX} characters (it has {})",
            s.len()
        ));
    }
    let b = s.as_bytes();
    if !b.iter().all(|&c| is_lower_alnum(c) || c == b'-') {
        return Some(
            "a port name must contain only lower case alphanumeric characters or '-'".into(),
        );
    }
    if !b.iter().any(u8::is_ascii_lowercase) {
        return Some("a port name must contain at least one letter (a-z)".into());
    }
    if s.contains("--") {
        return Some("a port name must not contain consecutive hyphens".into());
    }
    if s.starts_with('-') || s.ends_with('-') {
        return Some("a port name must not begin or end with a hyphen".into());
    }
    None
}

/// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`
fn is_qualified_name_part(s: &str) -> bool {
    let b = s.as_bytes();
    match (b.first(), b.last()) {
        (Some(first), Some(last)) => {
            first.is_ascii_alphanumeric()
                && last.is_ascii_alphanumeric()
                && b.iter()
                    .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        }
        _ => false,
    }
}

const NAME_PART_SHAPE: &str = "must consist of alphanumeric characters, '-', '_' or '.', and \
                               must start and end with an alphanumeric character";

/// A label or annotation key: an optional DNS subdomain prefix and `/`, then a name.
pub(crate) fn qualified_name(s: &str) -> Option<String> {
    let (prefix, name) = match s.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, s),
    };
    if name.contains('/') {
        return Some("a qualified name may hold at most one '/'".into());
    }
    if let Some(prefix) = prefix {
        if prefix.is_empty() {
            return Some("the prefix before '/' must be non-empty".into());
        }
        if let Some(problem) = dns1123_subdomain(prefix) {
            return Some(format!("its prefix `{prefix}`: {problem}"));
        }
    }
    if name.is_empty() {
        return Some("the name part must be non-empty".into());
    }
    if name.len() > QUALIFIED_NAME_MAX {
        return Some(format!(
            "the name part must be no more than {QUALIFIED_NAME_MAX} characters (it has {})",
            name.len()
        ));
    }
    (!is_qualified_name_part(name)).then(|| format!("the name part {NAME_PART_SHAPE}"))
}

pub(crate) fn label_value(s: &str) -> Option<String> {
    if s.len() > LABEL_VALUE_MAX {
        return Some(format!(
            "must be no more than {LABEL_VALUE_MAX} characters (it has {})",
            s.len()
        ));
    }
    (!s.is_empty() && !is_qualified_name_part(s)).then(|| {
        format!(
            "must be empty or {}",
            NAME_PART_SHAPE
                .strip_prefix("must ")
                .unwrap_or(NAME_PART_SHAPE)
        )
    })
}
