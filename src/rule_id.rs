//! Rule ids. The built-in ones are the generated [`RuleId`] enum (one variant per
//! `rules/<id>.yaml`, see `build.rs`): code names a rule by its variant, so a typo is a compile
//! error. A finding's rule is a [`RuleName`]: a built-in id, or a custom policy's id, which
//! comes from the user and stays a string.
//!
//! The bottom layer: this module imports nothing of the crate.

use std::cmp::Ordering;
use std::fmt;

include!(concat!(env!("OUT_DIR"), "/rule_ids.rs"));

/// Where a built-in rule's findings come from (the catalogue's `implementation:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleStage {
    /// Reading and parsing files, before there is a workspace (`parse-error`, ...).
    Source,
    /// The pipeline itself (`internal-error`, `unused-suppression`).
    Pipeline,
    /// A code rule over the workspace (a type implementing `Rule`).
    Check,
    /// A declarative rule: a JSON Schema in the catalogue entry, run by the policy engine.
    Declarative,
}

/// A string that names no built-in rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnknownRuleId;

impl fmt::Display for UnknownRuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a built-in rule id")
    }
}

impl std::error::Error for UnknownRuleId {}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// The rule a finding belongs to: a built-in rule, or a custom policy from the config (its id
/// lives for the run).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleName {
    Builtin(RuleId),
    Custom(&'static str),
}

impl RuleName {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleName::Builtin(id) => id.as_str(),
            RuleName::Custom(id) => id,
        }
    }

    /// The built-in rule, if this is one.
    pub fn builtin(self) -> Option<RuleId> {
        match self {
            RuleName::Builtin(id) => Some(id),
            RuleName::Custom(_) => None,
        }
    }
}

impl From<RuleId> for RuleName {
    fn from(id: RuleId) -> RuleName {
        RuleName::Builtin(id)
    }
}

impl PartialEq<RuleId> for RuleName {
    fn eq(&self, other: &RuleId) -> bool {
        *self == RuleName::Builtin(*other)
    }
}

/// Ordered by the id text, as reports sort findings.
impl Ord for RuleName {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl PartialOrd for RuleName {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for RuleName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl serde::Serialize for RuleName {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_are_sorted() {
        for pair in RuleId::ALL.windows(2) {
            let [a, b] = pair else { unreachable!() };
            assert!(a.as_str() < b.as_str(), "{a} before {b}");
        }
        for id in RuleId::ALL {
            assert_eq!(id.as_str().parse::<RuleId>(), Ok(*id));
        }
        assert_eq!("latest-tag".parse::<RuleId>(), Err(UnknownRuleId));
    }

    #[test]
    fn custom_and_builtin_names_compare_by_text() {
        let custom = RuleName::Custom("my-policy");
        let builtin = RuleName::from(RuleId::LatestImageTag);
        assert!(builtin < custom);
        assert_eq!(builtin, RuleId::LatestImageTag);
        assert_ne!(custom, RuleId::LatestImageTag);
        assert_eq!(custom.builtin(), None);
    }
}
