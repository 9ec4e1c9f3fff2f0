//! Pod Security Standards, decided as the PodSecurity admission controller decides them.
//!
//! A port (not a copy) of the pod-security-admission library
//! (github.com/kubernetes/pod-security-admission, the published mirror of
//! `staging/src/k8s.io/pod-security-admission/` in kubernetes/kubernetes):
//! - `policy/check_*.go`: one function per check and version in [`checks`], with the library's
//!   forbidden reasons and details word for word (its `policy/check_*_test.go` have them);
//! - `policy/registry.go`: which checks run at a level and version ([`checks_for`]): every
//!   check's newest `VersionedCheck` whose `MinimumVersion` is not newer than the policy
//!   version, restricted checks' `OverrideCheckIDs` replacing baseline checks, baseline checks
//!   first and each level sorted by id;
//! - `policy/visitor.go`: init containers, then containers, then ephemeral containers;
//! - `api/helpers.go`: `ParseLevel`, `ParseVersion` and `PolicyToEvaluate` ([`Policy::from_labels`]).
//!
//! Checks read the YAML tree as the API server decodes it: a field that is absent or `null` is
//! unset (a nil pointer), a field of the wrong type is unset too (the API server rejects such an
//! object before admission; `schema-violation` reports it).

mod checks;

use std::fmt;

use crate::load::scalar::ScalarValue;
use crate::load::{Document, NodeId};
use crate::source::Span;

/// A Pod Security Standards level (`api.Level`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Level {
    Privileged,
    Baseline,
    Restricted,
}

impl Level {
    /// `api.ParseLevel`: the exact strings, nothing else.
    pub(crate) fn parse(text: &str) -> Option<Level> {
        match text {
            "privileged" => Some(Level::Privileged),
            "baseline" => Some(Level::Baseline),
            "restricted" => Some(Level::Restricted),
            _ => None,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Level::Privileged => "privileged",
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A policy version (`api.Version`): `v1.<minor>` or `latest`, which is newer than every
/// numbered version, future ones included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum PolicyVersion {
    V1(u32),
    Latest,
}

impl PolicyVersion {
    /// `api.ParseVersion`: `latest` or `v1.<minor>` (`^v1\.([0-9]|[1-9][0-9]*)$`, no leading
    /// zero, fitting a Go `int`).
    pub(crate) fn parse_label(text: &str) -> Option<PolicyVersion> {
        if text == "latest" {
            return Some(PolicyVersion::Latest);
        }
        let minor = text.strip_prefix("v1.")?;
        let digits_only = !minor.is_empty() && minor.bytes().all(|b| b.is_ascii_digit());
        if !digits_only || (minor.len() > 1 && minor.starts_with('0')) {
            return None;
        }
        // A Go `int` is 64 bits; a minor beyond u32 evaluates as `latest` would anyway.
        let parsed: u64 = minor.parse().ok()?;
        Some(u32::try_from(parsed).map_or(PolicyVersion::Latest, PolicyVersion::V1))
    }

    /// The rule parameter: as a label, or without the `v` (`"1.30"`, as `--kube-version`).
    pub(crate) fn parse_param(text: &str) -> Option<PolicyVersion> {
        PolicyVersion::parse_label(text).or_else(|| PolicyVersion::parse_label(&format!("v{text}")))
    }

    fn at_least(self, minor: u32) -> bool {
        match self {
            PolicyVersion::Latest => true,
            PolicyVersion::V1(m) => m >= minor,
        }
    }
}

impl fmt::Display for PolicyVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicyVersion::Latest => f.write_str("latest"),
            PolicyVersion::V1(minor) => write!(f, "v1.{minor}"),
        }
    }
}

/// A level at a version (`api.LevelVersion`), shown as admission shows it: `restricted:v1.30`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct LevelVersion {
    pub(crate) level: Level,
    pub(crate) version: PolicyVersion,
}

impl fmt::Display for LevelVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.level, self.version)
    }
}

/// The three modes of a namespace's policy (`api.Policy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Policy {
    pub(crate) enforce: LevelVersion,
    pub(crate) audit: LevelVersion,
    pub(crate) warn: LevelVersion,
}

pub(crate) const LABEL_PREFIX: &str = "pod-security.kubernetes.io/";

/// A pod-security label whose value `ParseLevel`/`ParseVersion` rejects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InvalidLabel {
    /// The label key, e.g. `pod-security.kubernetes.io/enforce`.
    pub(crate) key: String,
    pub(crate) value: String,
    /// The library's error: `must be one of privileged, baseline, restricted` or
    /// `must be "latest" or "v1.x"`.
    pub(crate) error: &'static str,
    /// What admission evaluates instead (`restricted`, `privileged` for warn and audit,
    /// `latest`).
    pub(crate) fallback: String,
}

impl Policy {
    /// Every mode at `privileged:latest` (the admission configuration's default `defaults`).
    pub(crate) fn privileged() -> Policy {
        let lv = LevelVersion {
            level: Level::Privileged,
            version: PolicyVersion::Latest,
        };
        Policy {
            enforce: lv,
            audit: lv,
            warn: lv,
        }
    }

    /// `api.PolicyToEvaluate`: the namespace's labels over `defaults`. An invalid enforce level
    /// evaluates as `restricted` (warn does not follow it), an invalid warn or audit level as
    /// `privileged` (they fail open), an invalid version as `latest`; each invalid label is
    /// returned. Warn follows an explicitly more restrictive enforce level (and its version,
    /// unless warn's version is set).
    pub(crate) fn from_labels<'a>(
        labels: impl IntoIterator<Item = (&'a str, &'a str)>,
        defaults: Policy,
    ) -> (Policy, Vec<InvalidLabel>) {
        const LEVEL_ERROR: &str = "must be one of privileged, baseline, restricted";
        const VERSION_ERROR: &str = "must be \"latest\" or \"v1.x\"";
        let mut p = defaults;
        let mut invalid = Vec::new();
        let mut has_enforce_level = false;
        let mut has_warn_level = false;
        let mut has_warn_version = false;
        let mut bad = |key: &str, value: &str, error: &'static str, fallback: &str| {
            invalid.push(InvalidLabel {
                key: key.to_string(),
                value: value.to_string(),
                error,
                fallback: fallback.to_string(),
            });
        };
        // Labels are a map: read them in the library's order whatever the order in the file.
        let labels: Vec<(&str, &str)> = labels.into_iter().collect();
        let label = |mode: &str| {
            labels
                .iter()
                .rev()
                .find(|(k, _)| k.strip_prefix(LABEL_PREFIX) == Some(mode))
                .map(|(_, v)| *v)
        };
        if let Some(value) = label("enforce") {
            match Level::parse(value) {
                Some(level) => {
                    p.enforce.level = level;
                    has_enforce_level = true;
                }
                None => {
                    p.enforce.level = Level::Restricted;
                    bad("enforce", value, LEVEL_ERROR, "restricted");
                }
            }
        }
        if let Some(value) = label("enforce-version") {
            p.enforce.version = PolicyVersion::parse_label(value).unwrap_or_else(|| {
                bad("enforce-version", value, VERSION_ERROR, "latest");
                PolicyVersion::Latest
            });
        }
        if let Some(value) = label("audit") {
            p.audit.level = Level::parse(value).unwrap_or_else(|| {
                bad("audit", value, LEVEL_ERROR, "privileged");
                Level::Privileged
            });
        }
        if let Some(value) = label("audit-version") {
            p.audit.version = PolicyVersion::parse_label(value).unwrap_or_else(|| {
                bad("audit-version", value, VERSION_ERROR, "latest");
                PolicyVersion::Latest
            });
        }
        if let Some(value) = label("warn") {
            has_warn_level = true;
            p.warn.level = Level::parse(value).unwrap_or_else(|| {
                bad("warn", value, LEVEL_ERROR, "privileged");
                Level::Privileged
            });
        }
        if let Some(value) = label("warn-version") {
            has_warn_version = true;
            p.warn.version = PolicyVersion::parse_label(value).unwrap_or_else(|| {
                bad("warn-version", value, VERSION_ERROR, "latest");
                PolicyVersion::Latest
            });
        }
        if !has_warn_level && has_enforce_level && p.enforce.level > p.warn.level {
            p.warn.level = p.enforce.level;
            if !has_warn_version {
                p.warn.version = p.enforce.version;
            }
        }
        for label in &mut invalid {
            label.key = format!("{LABEL_PREFIX}{}", label.key);
        }
        (p, invalid)
    }
}

/// Where a violation is: the offending field's span (or the pod or container that lacks a
/// required field), with a short label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Site {
    pub(crate) span: Span,
    pub(crate) label: String,
}

/// One check that denies a pod (`policy.CheckResult` with `Allowed: false`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Violation {
    /// The check id, e.g. `runAsNonRoot`, `capabilities_baseline`.
    pub(crate) check: &'static str,
    /// The level the check belongs to.
    pub(crate) check_level: Level,
    /// The library's `ForbiddenReason`.
    pub(crate) reason: String,
    /// The library's `ForbiddenDetail`.
    pub(crate) detail: String,
    /// The offending fields, the first one the primary location. Never empty.
    pub(crate) sites: Vec<Site>,
}

impl Violation {
    /// `reason (detail)`, as `AggregateCheckResult.ForbiddenDetail` joins them.
    pub(crate) fn reason_and_detail(&self) -> String {
        if self.detail.is_empty() {
            self.reason.clone()
        } else {
            format!("{} ({})", self.reason, self.detail)
        }
    }
}

/// A pod as the checks see it: the pod metadata (for annotations) and the pod spec.
#[derive(Clone, Copy)]
pub(crate) struct Pod<'d> {
    pub(crate) doc: &'d Document,
    /// The pod's (or template's) `metadata` mapping, if any.
    pub(crate) metadata: Option<NodeId>,
    /// The pod spec mapping.
    pub(crate) spec: NodeId,
}

type CheckFn = fn(&Pod<'_>) -> Option<checks::Denied>;

/// One entry of a check's version history (`policy.VersionedCheck`).
struct VersionedCheck {
    /// `MinimumVersion`, always `v1.<minor>`.
    minimum_minor: u32,
    check: CheckFn,
    /// `OverrideCheckIDs`: baseline checks this restricted check replaces from this version on.
    overrides: &'static [&'static str],
}

/// A check (`policy.Check`).
struct Check {
    id: &'static str,
    level: Level,
    versions: &'static [VersionedCheck],
}

const fn v(minimum_minor: u32, check: CheckFn) -> VersionedCheck {
    VersionedCheck {
        minimum_minor,
        check,
        overrides: &[],
    }
}

const fn v_over(
    minimum_minor: u32,
    check: CheckFn,
    overrides: &'static [&'static str],
) -> VersionedCheck {
    VersionedCheck {
        minimum_minor,
        check,
        overrides,
    }
}

/// Every check of the library's `DefaultChecks()`, with its version history. Cited per check
/// in [`checks`].
static CHECKS: &[Check] = &[
    // Baseline.
    Check {
        id: "appArmorProfile",
        level: Level::Baseline,
        versions: &[v(0, checks::app_armor_profile_1_0)],
    },
    Check {
        id: "capabilities_baseline",
        level: Level::Baseline,
        versions: &[v(0, checks::capabilities_baseline_1_0)],
    },
    Check {
        id: "hostNamespaces",
        level: Level::Baseline,
        versions: &[v(0, checks::host_namespaces_1_0)],
    },
    Check {
        id: "hostPathVolumes",
        level: Level::Baseline,
        versions: &[v(0, checks::host_path_volumes_1_0)],
    },
    Check {
        id: "hostPorts",
        level: Level::Baseline,
        versions: &[v(0, checks::host_ports_1_0)],
    },
    Check {
        id: "hostProbesAndHostLifecycle",
        level: Level::Baseline,
        versions: &[v(34, checks::host_probes_and_host_lifecycle_1_34)],
    },
    Check {
        id: "privileged",
        level: Level::Baseline,
        versions: &[v(0, checks::privileged_1_0)],
    },
    Check {
        id: "procMount",
        level: Level::Baseline,
        versions: &[
            v(0, checks::proc_mount_1_0),
            v(35, checks::proc_mount_baseline_1_35),
        ],
    },
    Check {
        id: "seLinuxOptions",
        level: Level::Baseline,
        versions: &[
            v(0, checks::se_linux_options_1_0),
            v(31, checks::se_linux_options_1_31),
        ],
    },
    Check {
        id: "seccompProfile_baseline",
        level: Level::Baseline,
        versions: &[
            v(0, checks::seccomp_profile_baseline_1_0),
            v(19, checks::seccomp_profile_baseline_1_19),
        ],
    },
    Check {
        id: "sysctls",
        level: Level::Baseline,
        versions: &[
            v(0, checks::sysctls_1_0),
            v(27, checks::sysctls_1_27),
            v(29, checks::sysctls_1_29),
            v(32, checks::sysctls_1_32),
            v(37, checks::sysctls_1_37),
        ],
    },
    Check {
        id: "windowsHostProcess",
        level: Level::Baseline,
        versions: &[v(0, checks::windows_host_process_1_0)],
    },
    // Restricted.
    Check {
        id: "allowPrivilegeEscalation",
        level: Level::Restricted,
        versions: &[
            v(8, checks::allow_privilege_escalation_1_8),
            v(25, checks::allow_privilege_escalation_1_25),
        ],
    },
    Check {
        id: "capabilities_restricted",
        level: Level::Restricted,
        versions: &[
            v_over(
                22,
                checks::capabilities_restricted_1_22,
                &["capabilities_baseline"],
            ),
            v_over(
                25,
                checks::capabilities_restricted_1_25,
                &["capabilities_baseline"],
            ),
        ],
    },
    Check {
        id: "procMount_restricted",
        level: Level::Restricted,
        versions: &[v_over(35, checks::proc_mount_1_0, &["procMount"])],
    },
    Check {
        id: "restrictedVolumes",
        level: Level::Restricted,
        versions: &[v_over(
            0,
            checks::restricted_volumes_1_0,
            &["hostPathVolumes"],
        )],
    },
    Check {
        id: "runAsNonRoot",
        level: Level::Restricted,
        versions: &[
            v(0, checks::run_as_non_root_1_0),
            v(35, checks::run_as_non_root_1_35),
        ],
    },
    Check {
        id: "runAsUser",
        level: Level::Restricted,
        versions: &[
            v(23, checks::run_as_user_1_23),
            v(35, checks::run_as_user_1_35),
        ],
    },
    Check {
        id: "seccompProfile_restricted",
        level: Level::Restricted,
        versions: &[
            v_over(
                19,
                checks::seccomp_profile_restricted_1_19,
                &["seccompProfile_baseline"],
            ),
            v_over(
                25,
                checks::seccomp_profile_restricted_1_25,
                &["seccompProfile_baseline"],
            ),
        ],
    },
];

/// The version of `check` in force at `version`, if the check exists then.
fn version_of(check: &Check, version: PolicyVersion) -> Option<&VersionedCheck> {
    check
        .versions
        .iter()
        .rev()
        .find(|v| version.at_least(v.minimum_minor))
}

/// The baseline checks that a restricted check replaces at `version` (e.g.
/// `seccompProfile_restricted` replaces `seccompProfile_baseline` from v1.19).
#[cfg(test)]
pub(crate) fn overrides_of(check_id: &str, version: PolicyVersion) -> &'static [&'static str] {
    CHECKS
        .iter()
        .find(|c| c.id == check_id)
        .and_then(|c| version_of(c, version))
        .map_or(&[], |v| v.overrides)
}

/// The checks evaluated at `lv`, in the library's order (`checkRegistry.EvaluatePod`).
fn checks_for(lv: LevelVersion) -> Vec<(&'static Check, &'static VersionedCheck)> {
    if lv.level == Level::Privileged {
        return Vec::new();
    }
    let active: Vec<(&Check, &VersionedCheck)> = CHECKS
        .iter()
        .filter(|c| c.level <= lv.level)
        .filter_map(|c| version_of(c, lv.version).map(|v| (c, v)))
        .collect();
    let overridden: Vec<&str> = active
        .iter()
        .filter(|(c, _)| c.level == Level::Restricted)
        .flat_map(|(_, v)| v.overrides.iter().copied())
        .collect();
    let mut selected: Vec<(&Check, &VersionedCheck)> = active
        .into_iter()
        .filter(|(c, _)| !(c.level == Level::Baseline && overridden.contains(&c.id)))
        .collect();
    selected.sort_by_key(|(c, _)| (c.level, c.id));
    selected
}

/// The ids of the checks evaluated at `lv`, in order.
#[cfg(test)]
pub(crate) fn check_ids_for(lv: LevelVersion) -> Vec<&'static str> {
    checks_for(lv).into_iter().map(|(c, _)| c.id).collect()
}

/// Evaluates a pod at a level and version: every check that denies it (empty: allowed).
pub(crate) fn evaluate(pod: &Pod<'_>, lv: LevelVersion) -> Vec<Violation> {
    checks_for(lv)
        .into_iter()
        .filter_map(|(check, versioned)| {
            (versioned.check)(pod).map(|denied| Violation {
                check: check.id,
                check_level: check.level,
                reason: denied.reason,
                detail: denied.detail,
                sites: if denied.sites.is_empty() {
                    vec![Site {
                        span: pod.doc.span(pod.spec),
                        label: "this pod".to_string(),
                    }]
                } else {
                    denied.sites
                },
            })
        })
        .collect()
}

// Typed reads of the tree, as Go's decoder fills the API structs.

fn mapping(doc: &Document, map: NodeId, key: &str) -> Option<NodeId> {
    doc.get(map, key).filter(|n| doc.is_mapping(*n))
}

fn sequence<'d>(doc: &'d Document, map: NodeId, key: &str) -> &'d [NodeId] {
    doc.get(map, key)
        .filter(|n| doc.is_sequence(*n))
        .map_or(&[], |n| doc.items(n))
}

fn boolean(doc: &Document, map: NodeId, key: &str) -> Option<(bool, NodeId)> {
    let node = doc.get(map, key)?;
    match doc.scalar(node)?.value() {
        ScalarValue::Bool(b) => Some((b, node)),
        _ => None,
    }
}

fn integer(doc: &Document, map: NodeId, key: &str) -> Option<(i64, NodeId)> {
    let node = doc.get(map, key)?;
    match doc.scalar(node)?.value() {
        ScalarValue::Int(i) => Some((i, node)),
        _ => None,
    }
}

/// A string field: any non-null scalar (`""` when unset, as Go's zero value).
fn string<'d>(doc: &'d Document, map: NodeId, key: &str) -> Option<(&'d str, NodeId)> {
    let node = doc.get(map, key)?;
    doc.str(node).map(|s| (s, node))
}

#[cfg(test)]
mod oracle_tests;
#[cfg(test)]
mod tests;
