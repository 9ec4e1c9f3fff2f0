//! Findings: what a rule reports, where, and how severe.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::rule_id::{RuleId, RuleName};
use crate::source::Span;

/// How severe a finding is; also a rule's default severity in its catalogue entry (`severity:`,
/// lowercase).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        match text {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// Index of a source file in the run (see [`crate::model::Workspace::files`]).
pub type FileId = usize;

/// The Kubernetes object a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct ObjectIdentity {
    #[serde(rename = "apiVersion")]
    pub api_version: String,
    pub kind: String,
    pub name: Option<String>,
    pub namespace: Option<String>,
}

impl ObjectIdentity {
    /// `Deployment default/web`, for messages and reports.
    pub fn describe(&self) -> String {
        let name = self.name.as_deref().unwrap_or("<unnamed>");
        match &self.namespace {
            Some(ns) => format!("{} {ns}/{name}", self.kind),
            None => format!("{} {name}", self.kind),
        }
    }
}

/// A secondary location with a label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub file: FileId,
    pub span: Span,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub rule: RuleName,
    /// `None` until the engine applies the catalogue's default severity.
    pub severity: Option<Severity>,
    pub message: String,
    pub file: FileId,
    /// The primary span: the node at fault.
    pub span: Span,
    pub label: Option<String>,
    pub related: Vec<Label>,
    pub help: Option<String>,
    pub object: Option<ObjectIdentity>,
    /// Spans in `file` holding secret values that no output may show (see
    /// [`crate::redact`]); the report masks them in snippets.
    pub redact: Vec<Span>,
}

impl Finding {
    /// A finding of a built-in rule, or of a custom policy (`RuleName::Custom`).
    pub fn new(
        rule: impl Into<RuleName>,
        file: FileId,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            rule: rule.into(),
            severity: None,
            message: message.into(),
            file,
            span,
            label: None,
            related: Vec::new(),
            help: None,
            object: None,
            redact: Vec::new(),
        }
    }

    pub fn severity(mut self, severity: Severity) -> Self {
        self.severity = Some(severity);
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn related(mut self, file: FileId, span: Span, text: impl Into<String>) -> Self {
        self.related.push(Label {
            file,
            span,
            text: text.into(),
        });
        self
    }

    /// Marks a span of the finding's file as a secret value: masked in every output.
    pub fn redact(mut self, span: Span) -> Self {
        self.redact.push(span);
        self
    }

    pub fn object(mut self, object: Option<ObjectIdentity>) -> Self {
        self.object = object;
        self
    }

    /// The severity after the engine resolved it (the catalogue default otherwise).
    pub fn effective_severity(&self) -> Severity {
        self.severity.unwrap_or(Severity::Error)
    }
}

/// An `internal-error` finding: kubeward panicked while `during` (e.g. "loading this file",
/// "rule `x` checking Deployment default/web"). The panic was caught at the boundary of one
/// file or one object, so the other files' findings are still reported.
pub fn internal_error(
    file: FileId,
    span: Span,
    during: &str,
    payload: &(dyn std::any::Any + Send),
) -> Finding {
    let detail = panic_detail(payload);
    Finding::new(
        RuleId::InternalError,
        file,
        span,
        format!("kubeward crashed while {during}: {detail}"),
    )
    .label("kubeward stopped here")
    .help(
        "this is a bug in kubeward, not in the manifest: please report it with this file; the other files were still linted",
    )
}

/// A panic's message without the text it quotes: the standard library's string-slicing panics
/// end with the whole string in backticks (``byte index 2 is not a char boundary; it is inside
/// '€' (bytes 1..4) of `a€bcdefgh` ``), and that string can be a secret value.
pub(crate) fn panic_detail(payload: &(dyn std::any::Any + Send)) -> String {
    let detail = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("unknown panic");
    match detail.split_once('`') {
        Some((before, _)) => format!("{}(text not shown)", before),
        None => detail.to_string(),
    }
}

/// Runs one pass over one file's data (redaction, suppression, a report's rendering of it)
/// under a panic guard: a panic becomes the `internal-error` finding naming the file and what
/// kubeward was doing (`during`), and the caller carries on with the other files.
pub(crate) fn guard_pass<T>(
    file: FileId,
    during: &str,
    pass: impl FnOnce() -> T,
) -> Result<T, Box<Finding>> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(pass))
        .map_err(|payload| Box::new(internal_error(file, Span::default(), during, &*payload)))
}

/// Replaces the default panic message on stderr (which quotes the panic's text, and with it
/// any string being sliced: a secret value) by one without the quoted text. Panics inside the
/// per-file guards are also reported as `internal-error` findings.
pub(crate) fn install_quiet_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let location = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "kubeward: internal error{location}: {}",
            panic_detail(info.payload())
        );
    }));
}

/// A stable 64-bit FNV-1a hash, rendered as 16 hex digits. Used for fingerprints, so it must
/// never change between releases (std's hashers make no such promise).
pub fn stable_hash(parts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain(std::iter::once(0xff)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_hash_is_stable_and_separates_parts() {
        // Pinned value: changing the hash would invalidate every user's baseline.
        assert_eq!(stable_hash(&["a", "b"]), "d2b371819297f98a");
        assert_ne!(stable_hash(&["ab", ""]), stable_hash(&["a", "b"]));
        assert_eq!(stable_hash(&[]), "cbf29ce484222325");
    }
}
