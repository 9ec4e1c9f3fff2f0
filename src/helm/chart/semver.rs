//! Semantic versions as Helm's chart code reads them (Chart.yaml `version`, dependency ranges,
//! `kubeVersion`): Masterminds/semver v3, the one port of it in `helm::funcs::semver` (which
//! `semverCompare` uses too).

use crate::helm::funcs::semver as masterminds;

/// A version Helm accepts in Chart.yaml (`semver.NewVersion`: lenient).
pub(crate) struct Version;

impl Version {
    /// `Some` when the text is a version (`v` prefix and missing minor/patch allowed).
    pub(crate) fn parse(text: &str) -> Option<Version> {
        masterminds::Version::parse(text).ok().map(|_| Version)
    }
}

/// Helm's `chartutil.IsCompatibleRange`: whether `version` satisfies the constraint string
/// (false when either does not parse, or the constraint is absurdly long).
pub(crate) fn is_compatible_range(constraint: &str, version: &str) -> bool {
    constraint.len() <= 1024
        && masterminds::constraint_matches(constraint, version).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    // helm/helm v3.21.4 pkg/chartutil/compatible_test.go and Masterminds/semver
    // constraints_test.go `TestConstraintCheck` rows.
    #[test]
    fn constraints_check_as_masterminds() {
        let cases = [
            ("=2.0.0", "1.2.3", false),
            ("=2.0.0", "2.0.0", true),
            ("4.1", "4.1.0", true),
            ("4.1.x", "4.1.3", true),
            ("1.x", "1.4.0", true),
            ("!=4.1", "4.1.0", false),
            ("!=4.1", "5.1.0", true),
            (">1.1", "4.1.0", true),
            (">1.1", "1.1.0", false),
            ("<1.1", "0.1.0", true),
            ("<1.1", "1.1.0", false),
            ("<=1.1", "1.1.1", true),
            (">=1.1", "0.0.9", false),
            ("~1.2.3", "1.2.4", true),
            ("~1.2.3", "1.3.4", false),
            ("~1.2", "1.2.4", true),
            ("~1", "1.9.0", true),
            ("^1.2.3", "1.8.9", true),
            ("^1.2.3", "2.8.9", false),
            ("^0.2.3", "0.2.5", true),
            ("^0.2.3", "0.5.6", false),
            ("^0.0.3", "0.0.4", false),
            ("*", "1.2.3", true),
            // NewConstraint refuses an empty string (its `parseConstraint` alone reads it as `*`).
            ("", "1.2.3", false),
            ("1.2 - 1.4", "1.3.9", true),
            ("1.2 - 1.4", "1.5.0", false),
            (">=1.0.0, <2.0.0", "1.9.9", true),
            (">=1.0.0 <2.0.0", "2.0.0", false),
            ("^1 || ^3", "3.1.0", true),
            ("^1.0.0", "1.1.0-beta", false),
            ("^1.0.0-0", "1.1.0-beta", true),
            (">=1.16.0", "v1.20.0", true),
            (">= 1.19.0-0", "v1.20.0", true),
            ("< 1.19.0-0", "v1.20.0", false),
            ("0.1.0", "0.1.0", true),
        ];
        for (c, v, want) in cases {
            assert_eq!(is_compatible_range(c, v), want, "{c} on {v}");
        }
        assert!(!is_compatible_range("not a range", "1.0.0"));
        assert!(!is_compatible_range("^1", "bad"));
    }

    #[test]
    fn versions_parse_loosely() {
        for ok in ["1", "1.2", "1.2.3", "v1.2.3", "1.2.3-rc.1+meta", "0.0.5"] {
            assert!(Version::parse(ok).is_some(), "{ok}");
        }
        // (A leading zero, `01.2.3`, is read as 1.2.3 by the semver release Sprig v3.3.0 pins,
        // which `helm::funcs::semver` ports; later releases refuse it.)
        for bad in ["", "a.b", "1.2.3.4", "1.2.3-"] {
            assert!(Version::parse(bad).is_none(), "{bad}");
        }
    }
}
