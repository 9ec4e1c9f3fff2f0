//! The semantic versions and version constraints Helm checks charts with (Masterminds/semver
//! v3, `version.go` and `constraints.go`): a chart's `version` must parse, and a dependency's
//! `version` range picks the subchart it names (`IsCompatibleRange`).

use std::cmp::Ordering;
use std::sync::LazyLock;

use regex::Regex;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre: String,
}

static VERSION: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^v?(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?(?:\.(0|[1-9]\d*))?",
        r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?",
        r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
    ))
    .ok()
});

const CV: &str = r"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?";
const OPS: &str = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^";

struct ConstraintRegexes {
    one: Regex,
    range: Regex,
    find: Regex,
    valid: Regex,
}

static CONSTRAINTS: LazyLock<Option<ConstraintRegexes>> = LazyLock::new(|| {
    Some(ConstraintRegexes {
        one: Regex::new(&format!(r"^\s*({OPS})\s*({CV})\s*$")).ok()?,
        range: Regex::new(&format!(r"\s*({CV})\s+-\s+({CV})\s*")).ok()?,
        find: Regex::new(&format!(r"({OPS})\s*({CV})")).ok()?,
        valid: Regex::new(&format!(
            r"^(\s*({OPS})\s*({CV})\s*)((?:\s+|,\s*)({OPS})\s*({CV})\s*)*$"
        ))
        .ok()?,
    })
});

impl Version {
    /// Masterminds' `NewVersion` (loose: `1`, `1.2`, `v1.2.3-rc.1+meta`).
    pub(crate) fn parse(text: &str) -> Option<Version> {
        // Bounded input: versions are short; a huge string is not one.
        if text.len() > 256 {
            return None;
        }
        let caps = VERSION.as_ref()?.captures(text)?;
        let num = |i: usize| -> Option<u64> {
            match caps.get(i) {
                Some(m) => m.as_str().parse().ok(),
                None => Some(0),
            }
        };
        Some(Version {
            major: num(1)?,
            minor: num(2)?,
            patch: num(3)?,
            pre: caps.get(4).map_or("", |m| m.as_str()).to_owned(),
        })
    }

    fn compare(&self, o: &Version) -> Ordering {
        self.major
            .cmp(&o.major)
            .then(self.minor.cmp(&o.minor))
            .then(self.patch.cmp(&o.patch))
            .then_with(|| match (self.pre.is_empty(), o.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => compare_prerelease(&self.pre, &o.pre),
            })
    }
}

fn compare_prerelease(a: &str, b: &str) -> Ordering {
    let sa: Vec<&str> = a.split('.').collect();
    let sb: Vec<&str> = b.split('.').collect();
    for i in 0..sa.len().max(sb.len()) {
        let x = sa.get(i).copied().unwrap_or("");
        let y = sb.get(i).copied().unwrap_or("");
        let d = compare_pre_part(x, y);
        if d != Ordering::Equal {
            return d;
        }
    }
    Ordering::Equal
}

fn compare_pre_part(s: &str, o: &str) -> Ordering {
    if s == o {
        return Ordering::Equal;
    }
    if s.is_empty() {
        return Ordering::Less;
    }
    if o.is_empty() {
        return Ordering::Greater;
    }
    match (s.parse::<u64>(), o.parse::<u64>()) {
        (Ok(a), Ok(b)) => a.cmp(&b),
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Err(_), Err(_)) => s.cmp(o),
    }
}

#[derive(Debug, Clone)]
struct Constraint {
    op: String,
    con: Version,
    minor_dirty: bool,
    patch_dirty: bool,
    dirty: bool,
}

fn is_x(s: &str) -> bool {
    matches!(s, "x" | "X" | "*")
}

fn parse_constraint(c: &str) -> Option<Constraint> {
    let regexes = CONSTRAINTS.as_ref()?;
    if c.is_empty() {
        return Some(Constraint {
            op: String::new(),
            con: Version::parse("0.0.0")?,
            minor_dirty: false,
            patch_dirty: false,
            dirty: true,
        });
    }
    let m = regexes.one.captures(c)?;
    let g = |i: usize| m.get(i).map_or("", |x| x.as_str());
    let (major, minor, patch, pre) = (g(3), g(4), g(5), g(6));
    let (mut minor_dirty, mut patch_dirty, mut dirty) = (false, false, false);
    let ver = if is_x(major) || major.is_empty() {
        dirty = true;
        format!("0.0.0{pre}")
    } else if is_x(minor.trim_start_matches('.')) || minor.is_empty() {
        minor_dirty = true;
        dirty = true;
        format!("{major}.0.0{pre}")
    } else if is_x(patch.trim_start_matches('.')) || patch.is_empty() {
        dirty = true;
        patch_dirty = true;
        format!("{major}{minor}.0{pre}")
    } else {
        g(2).to_owned()
    };
    Some(Constraint {
        op: g(1).to_owned(),
        con: Version::parse(&ver)?,
        minor_dirty,
        patch_dirty,
        dirty,
    })
}

impl Constraint {
    fn check(&self, v: &Version, include_pre: bool) -> bool {
        if !v.pre.is_empty() && !include_pre {
            return false;
        }
        let c = &self.con;
        match self.op.as_str() {
            "" | "=" => {
                if self.dirty {
                    self.tilde(v)
                } else {
                    v.compare(c) == Ordering::Equal
                }
            }
            "!=" => {
                if self.dirty {
                    if c.major != v.major {
                        return true;
                    }
                    if c.minor != v.minor && !self.minor_dirty {
                        return true;
                    } else if self.minor_dirty {
                        return false;
                    } else if c.patch != v.patch && !self.patch_dirty {
                        return true;
                    } else if self.patch_dirty {
                        if !v.pre.is_empty() || !c.pre.is_empty() {
                            return compare_prerelease(&v.pre, &c.pre) != Ordering::Equal;
                        }
                        return false;
                    }
                }
                v.compare(c) != Ordering::Equal
            }
            ">" => {
                if !self.dirty {
                    return v.compare(c) == Ordering::Greater;
                }
                if v.major > c.major {
                    true
                } else if v.major < c.major || self.minor_dirty {
                    false
                } else if self.patch_dirty {
                    v.minor > c.minor
                } else {
                    v.compare(c) == Ordering::Greater
                }
            }
            "<" => v.compare(c) == Ordering::Less,
            ">=" | "=>" => v.compare(c) != Ordering::Less,
            "<=" | "=<" => {
                if !self.dirty {
                    return v.compare(c) != Ordering::Greater;
                }
                !(v.major > c.major
                    || (v.major == c.major && v.minor > c.minor && !self.minor_dirty))
            }
            "~" | "~>" => self.tilde(v),
            "^" => {
                if v.compare(c) == Ordering::Less {
                    return false;
                }
                if c.major > 0 || self.minor_dirty {
                    return v.major == c.major;
                }
                if c.major == 0 && v.major > 0 {
                    return false;
                }
                if c.minor > 0 || self.patch_dirty {
                    return v.minor == c.minor;
                }
                if c.minor == 0 && v.minor > 0 {
                    return false;
                }
                c.patch == v.patch
            }
            _ => false,
        }
    }

    fn tilde(&self, v: &Version) -> bool {
        let c = &self.con;
        if v.compare(c) == Ordering::Less {
            return false;
        }
        if c.major == 0 && c.minor == 0 && c.patch == 0 && !self.minor_dirty && !self.patch_dirty {
            return true;
        }
        if v.major != c.major {
            return false;
        }
        v.minor == c.minor || self.minor_dirty
    }
}

/// Helm's `chartutil.IsCompatibleRange`: whether `version` satisfies the constraint string
/// (false when either does not parse).
pub(crate) fn is_compatible_range(constraint: &str, version: &str) -> bool {
    let Some(v) = Version::parse(version) else {
        return false;
    };
    let Some(regexes) = CONSTRAINTS.as_ref() else {
        return false;
    };
    if constraint.len() > 1024 {
        return false;
    }
    // Rewrite `a - b` ranges.
    let mut c = constraint.to_owned();
    let ranges: Vec<(String, String, String)> = regexes
        .range
        .captures_iter(constraint)
        .filter_map(|m| {
            Some((
                m.get(0)?.as_str().to_owned(),
                m.get(1)?.as_str().to_owned(),
                m.get(11)?.as_str().to_owned(),
            ))
        })
        .collect();
    for (whole, lo, hi) in ranges {
        c = c.replacen(&whole, &format!(">= {lo}, <= {hi} "), 1);
    }
    for or in c.split("||") {
        if !regexes.valid.is_match(or) {
            return false;
        }
        let mut parts: Vec<&str> = regexes.find.find_iter(or).map(|m| m.as_str()).collect();
        if parts.is_empty() {
            parts.push(or);
        }
        let Some(group) = parts
            .iter()
            .map(|p| parse_constraint(p))
            .collect::<Option<Vec<_>>>()
        else {
            return false;
        };
        let has_pre = group.iter().any(|c| !c.con.pre.is_empty());
        if group.iter().all(|c| c.check(&v, has_pre)) {
            return true;
        }
    }
    false
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
        for bad in ["", "a.b", "1.2.3.4", "1.2.3-", "01.2.3"] {
            assert!(Version::parse(bad).is_none(), "{bad}");
        }
    }
}
