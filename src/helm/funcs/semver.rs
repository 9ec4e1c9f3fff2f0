//! `semver` and `semverCompare`: Masterminds/semver v3.3.0 (version.go, constraints.go) as
//! Sprig v3.3.0 semver.go calls it. Constraints: `=`, `!=`, `>`, `<`, `>=`, `<=` (and `=>`,
//! `=<`), `~`/`~>`, `^`, wildcards `x`/`X`/`*`, hyphen ranges `1.2 - 1.4.5`, AND by comma or
//! space, OR by `||`; a prerelease version satisfies a constraint only when the constraint
//! has a prerelease (`>=1.19-0` admits `1.20.0-gke.1`).

use std::cmp::Ordering;
use std::rc::Rc;
use std::sync::LazyLock;

use regex::Regex;

use super::{args_n, as_str};
use crate::helm::value::{Object, Value};

type R = Result<Value, String>;

const CV: &str = r"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?";
const OPS: &str = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^";
const SEMVER: &str = r"v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?";

fn re(pattern: String) -> Regex {
    #[allow(clippy::unwrap_used)] // Constant patterns, covered by every test of this module.
    Regex::new(&pattern).unwrap()
}

static VERSION_RE: LazyLock<Regex> = LazyLock::new(|| re(format!("^{SEMVER}$")));
static CONSTRAINT_RE: LazyLock<Regex> = LazyLock::new(|| re(format!(r"^\s*({OPS})\s*({CV})\s*$")));
static RANGE_RE: LazyLock<Regex> = LazyLock::new(|| re(format!(r"\s*({CV})\s+-\s+({CV})\s*")));
static FIND_RE: LazyLock<Regex> = LazyLock::new(|| re(format!(r"({OPS})\s*({CV})")));
static VALID_RE: LazyLock<Regex> = LazyLock::new(|| {
    re(format!(
        r"^(\s*({OPS})\s*({CV})\s*)((?:\s+|,\s*)({OPS})\s*({CV})\s*)*$"
    ))
});

/// A semantic version (`*semver.Version`).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre: String,
    metadata: String,
    original: String,
}

impl Version {
    /// `semver.NewVersion`: lenient (`v` prefix, missing minor/patch).
    pub(crate) fn parse(v: &str) -> Result<Version, String> {
        let m = VERSION_RE
            .captures(v)
            .ok_or_else(|| "Invalid Semantic Version".to_owned())?;
        let num = |i: usize| -> Result<u64, String> {
            match m.get(i) {
                None => Ok(0),
                Some(g) => g
                    .as_str()
                    .trim_start_matches('.')
                    .parse()
                    .map_err(|e| format!("Error parsing version segment: {e}")),
            }
        };
        let pre = m.get(5).map_or("", |g| g.as_str()).to_owned();
        if !pre.is_empty() {
            for part in pre.split('.') {
                if part.len() > 1
                    && part.starts_with('0')
                    && part.chars().all(|c| c.is_ascii_digit())
                {
                    return Err("Version segment starts with 0".to_owned());
                }
            }
        }
        Ok(Version {
            major: num(1)?,
            minor: num(2)?,
            patch: num(3)?,
            pre,
            metadata: m.get(8).map_or("", |g| g.as_str()).to_owned(),
            original: v.to_owned(),
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

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if !self.metadata.is_empty() {
            write!(f, "+{}", self.metadata)?;
        }
        Ok(())
    }
}

fn compare_prerelease(a: &str, b: &str) -> Ordering {
    let ap: Vec<&str> = a.split('.').collect();
    let bp: Vec<&str> = b.split('.').collect();
    for i in 0..ap.len().max(bp.len()) {
        let d = compare_pre_part(
            ap.get(i).copied().unwrap_or(""),
            bp.get(i).copied().unwrap_or(""),
        );
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
        (Err(_), Err(_)) => s.cmp(o),
        (Err(_), Ok(_)) => Ordering::Greater,
        (Ok(_), Err(_)) => Ordering::Less,
        (Ok(a), Ok(b)) => {
            if a > b {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
    }
}

impl Object for Version {
    fn type_name(&self) -> &'static str {
        "*semver.Version"
    }

    fn field(&self, _name: &str) -> Option<Value> {
        None
    }

    fn call(&self, method: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let other = || -> Result<Version, String> {
            match args {
                [Value::Object(o)] => Version::parse(&o.display()),
                [v] => Err(format!(
                    "wrong type for value; expected *semver.Version; got {}",
                    super::go_type(v)
                )),
                _ => Err(format!(
                    "wrong number of args for {method}: want 1 got {}",
                    args.len()
                )),
            }
        };
        let u = |n: u64| Value::Int(i64::try_from(n).unwrap_or(i64::MAX));
        Some(match method {
            "Major" => Ok(u(self.major)),
            "Minor" => Ok(u(self.minor)),
            "Patch" => Ok(u(self.patch)),
            "Prerelease" => Ok(Value::str(self.pre.as_str())),
            "Metadata" => Ok(Value::str(self.metadata.as_str())),
            "Original" => Ok(Value::str(self.original.as_str())),
            "String" => Ok(Value::str(self.to_string())),
            "Compare" => other().map(|o| {
                Value::Int(match self.compare(&o) {
                    Ordering::Less => -1,
                    Ordering::Equal => 0,
                    Ordering::Greater => 1,
                })
            }),
            "LessThan" => other().map(|o| Value::Bool(self.compare(&o) == Ordering::Less)),
            "GreaterThan" => other().map(|o| Value::Bool(self.compare(&o) == Ordering::Greater)),
            "Equal" => other().map(|o| Value::Bool(self.compare(&o) == Ordering::Equal)),
            _ => return None,
        })
    }

    fn display(&self) -> String {
        self.to_string()
    }

    fn to_data(&self) -> Value {
        Value::str(self.to_string())
    }
}

struct Constraint {
    con: Version,
    orig: String,
    op: String,
    minor_dirty: bool,
    patch_dirty: bool,
    dirty: bool,
}

fn is_x(s: &str) -> bool {
    matches!(s, "x" | "*" | "X")
}

fn parse_constraint(c: &str) -> Result<Constraint, String> {
    if c.is_empty() {
        return Ok(Constraint {
            con: Version::parse("0.0.0")?,
            orig: String::new(),
            op: String::new(),
            minor_dirty: false,
            patch_dirty: false,
            dirty: true,
        });
    }
    let m = CONSTRAINT_RE
        .captures(c)
        .ok_or_else(|| format!("improper constraint: {c}"))?;
    let g = |i: usize| m.get(i).map_or("", |x| x.as_str());
    let (mut minor_dirty, mut patch_dirty, mut dirty) = (false, false, false);
    let ver = if is_x(g(3)) || g(3).is_empty() {
        dirty = true;
        format!("0.0.0{}", g(6))
    } else if is_x(g(4).trim_start_matches('.')) || g(4).is_empty() {
        minor_dirty = true;
        dirty = true;
        format!("{}.0.0{}", g(3), g(6))
    } else if is_x(g(5).trim_start_matches('.')) || g(5).is_empty() {
        dirty = true;
        patch_dirty = true;
        format!("{}{}.0{}", g(3), g(4), g(6))
    } else {
        g(2).to_owned()
    };
    let con = Version::parse(&ver).map_err(|_| "constraint Parser Error".to_owned())?;
    Ok(Constraint {
        con,
        orig: g(2).to_owned(),
        op: g(1).to_owned(),
        minor_dirty,
        patch_dirty,
        dirty,
    })
}

fn rewrite_range(i: &str) -> String {
    let mut o = i.to_owned();
    for m in RANGE_RE.captures_iter(i) {
        let whole = m.get(0).map_or("", |x| x.as_str());
        let t = format!(
            ">= {}, <= {} ",
            m.get(1).map_or("", |x| x.as_str()),
            m.get(11).map_or("", |x| x.as_str())
        );
        o = o.replacen(whole, &t, 1);
    }
    o
}

/// `semver.NewConstraint`: OR groups of AND-ed constraints.
fn new_constraint(c: &str) -> Result<Vec<Vec<Constraint>>, String> {
    let c = rewrite_range(c);
    let mut or = Vec::new();
    for v in c.split("||") {
        if !VALID_RE.is_match(v) {
            return Err(format!("improper constraint: {v}"));
        }
        let mut found: Vec<&str> = FIND_RE.find_iter(v).map(|m| m.as_str()).collect();
        if found.is_empty() {
            found.push(v);
        }
        or.push(
            found
                .into_iter()
                .map(parse_constraint)
                .collect::<Result<Vec<_>, _>>()?,
        );
    }
    Ok(or)
}

fn check(v: &Version, c: &Constraint) -> bool {
    let pre_blocked = !v.pre.is_empty() && c.con.pre.is_empty();
    let cmp = v.compare(&c.con);
    match c.op.as_str() {
        "" | "=" => {
            if pre_blocked {
                return false;
            }
            if c.dirty {
                return tilde(v, c);
            }
            cmp == Ordering::Equal
        }
        "!=" => {
            if c.dirty {
                if pre_blocked {
                    return false;
                }
                if c.con.major != v.major {
                    return true;
                }
                if c.con.minor != v.minor && !c.minor_dirty {
                    return true;
                } else if c.minor_dirty {
                    return false;
                } else if c.con.patch != v.patch && !c.patch_dirty {
                    return true;
                } else if c.patch_dirty {
                    if !v.pre.is_empty() || !c.con.pre.is_empty() {
                        return compare_prerelease(&v.pre, &c.con.pre) != Ordering::Equal;
                    }
                    return false;
                }
            }
            cmp != Ordering::Equal
        }
        ">" => {
            if pre_blocked {
                return false;
            }
            if !c.dirty {
                return cmp == Ordering::Greater;
            }
            if v.major > c.con.major {
                true
            } else if v.major < c.con.major || c.minor_dirty {
                false
            } else if c.patch_dirty {
                v.minor > c.con.minor
            } else {
                cmp == Ordering::Greater
            }
        }
        "<" => !pre_blocked && cmp == Ordering::Less,
        ">=" | "=>" => !pre_blocked && cmp != Ordering::Less,
        "<=" | "=<" => {
            if pre_blocked {
                return false;
            }
            if !c.dirty {
                return cmp != Ordering::Greater;
            }
            !(v.major > c.con.major
                || v.major == c.con.major && v.minor > c.con.minor && !c.minor_dirty)
        }
        "~" | "~>" => !pre_blocked && tilde(v, c),
        "^" => {
            if pre_blocked || cmp == Ordering::Less {
                return false;
            }
            if c.con.major > 0 || c.minor_dirty {
                return v.major == c.con.major;
            }
            if v.major > 0 {
                return false;
            }
            if c.con.minor > 0 || c.patch_dirty {
                return v.minor == c.con.minor;
            }
            if v.minor > 0 {
                return false;
            }
            c.con.patch == v.patch
        }
        _ => false,
    }
}

fn tilde(v: &Version, c: &Constraint) -> bool {
    if !v.pre.is_empty() && c.con.pre.is_empty() {
        return false;
    }
    if v.compare(&c.con) == Ordering::Less {
        return false;
    }
    if c.con.major == 0 && c.con.minor == 0 && c.con.patch == 0 && !c.minor_dirty && !c.patch_dirty
    {
        return true;
    }
    if v.major != c.con.major {
        return false;
    }
    v.minor == c.con.minor || c.minor_dirty
}

/// `semver.NewConstraint(constraint).Check(semver.NewVersion(version))`: what `semverCompare`
/// and Helm's `IsCompatibleRange` (dependency versions) compute; the parse errors as Go's.
pub(crate) fn constraint_matches(constraint: &str, version: &str) -> Result<bool, String> {
    let groups = new_constraint(constraint)?;
    let v = Version::parse(version)?;
    Ok(groups.iter().any(|and| and.iter().all(|c| check(&v, c))))
}

/// `semverCompare CONSTRAINT VERSION`.
pub(crate) fn semver_compare(args: &[Value]) -> R {
    let [c, v] = args_n("semverCompare", args)?;
    Ok(Value::Bool(constraint_matches(as_str(c)?, as_str(v)?)?))
}

/// `semver VERSION`: a version object (`.Major`, `.Minor`, `.Prerelease`, `.Compare`...).
pub(crate) fn semver(args: &[Value]) -> R {
    let [v] = args_n("semver", args)?;
    Ok(Value::Object(Rc::new(Version::parse(as_str(v)?)?)))
}

#[cfg(test)]
mod tests {
    use super::super::testing::{call, check_all};
    use super::*;

    // Sprig v3.3.0 semver_test.go.
    #[test]
    fn sprig_semver_tests() {
        check_all(&[
            (r#"{{ semverCompare "1.2.3" "1.2.3" }}"#, "true"),
            (r#"{{ semverCompare "^1.2.0" "1.2.3" }}"#, "true"),
            (r#"{{ semverCompare "^1.2.0" "2.2.3" }}"#, "false"),
        ]);
        let v = call("semver", &[Value::str("1.2.3-beta.1+c0ff33")]).unwrap();
        let Value::Object(o) = &v else { panic!() };
        assert_eq!(
            o.call("Prerelease", &[]).unwrap().unwrap().go_string(),
            "beta.1"
        );
        assert_eq!(o.call("Major", &[]).unwrap().unwrap().go_string(), "1");
        let cmp = |a: &str, b: &str| {
            let a = call("semver", &[Value::str(a)]).unwrap();
            let b = call("semver", &[Value::str(b)]).unwrap();
            let Value::Object(a) = a else { panic!() };
            a.call("Compare", &[b]).unwrap().unwrap().go_string()
        };
        assert_eq!(cmp("1.2.3", "1.2.3"), "0");
        assert_eq!(cmp("1.3.3", "1.2.3"), "1");
        assert_eq!(cmp("1.2.3", "1.4.3"), "-1");
    }

    // Masterminds/semver v3.3.0 constraints_test.go TestConstraintsCheck (every row).
    #[test]
    fn masterminds_constraints_check() {
        let cases: &[(&str, &str, bool)] = &[
            ("*", "1.2.3", true),
            ("~0.0.0", "1.2.3", true),
            ("0.x.x", "1.2.3", false),
            ("0.0.x", "1.2.3", false),
            ("0.0.0", "1.2.3", false),
            ("^0.0.0", "1.2.3", false),
            ("= 2.0", "1.2.3", false),
            ("= 2.0", "2.0.0", true),
            ("4.1", "4.1.0", true),
            ("4.1.x", "4.1.3", true),
            ("1.x", "1.4", true),
            ("!=4.1", "4.1.0", false),
            ("!=4.1-alpha", "4.1.0-alpha", false),
            ("!=4.1-alpha", "4.1.1-alpha", false),
            ("!=4.1-alpha", "4.1.0", true),
            ("!=4.1", "5.1.0", true),
            ("!=4.x", "5.1.0", true),
            ("!=4.x", "4.1.0", false),
            ("!=4.1.x", "4.2.0", true),
            ("!=4.2.x", "4.2.3", false),
            (">1.1", "4.1.0", true),
            (">1.1", "1.1.0", false),
            ("<1.1", "0.1.0", true),
            ("<1.1", "1.1.0", false),
            ("<1.1", "1.1.1", false),
            ("<1.x", "1.1.1", false),
            ("<1.x", "0.1.1", true),
            ("<1.x", "2.0.0", false),
            ("<1.1.x", "1.2.1", false),
            ("<1.1.x", "1.1.500", false),
            ("<1.1.x", "1.0.500", true),
            ("<1.2.x", "1.1.1", true),
            (">=1.1", "4.1.0", true),
            (">=1.1", "4.1.0-beta", false),
            (">=1.1", "1.1.0", true),
            (">=1.1", "0.0.9", false),
            ("<=1.1", "0.1.0", true),
            ("<=1.1", "0.1.0-alpha", false),
            ("<=1.1-a", "0.1.0-alpha", true),
            ("<=1.1", "1.1.0", true),
            ("<=1.x", "1.1.0", true),
            ("<=2.x", "3.0.0", false),
            ("<=1.1", "1.1.1", true),
            ("<=1.1.x", "1.2.500", false),
            ("<=4.5", "3.4.0", true),
            ("<=4.5", "3.7.0", true),
            ("<=4.5", "4.6.3", false),
            (">1.1, <2", "1.1.1", false),
            (">1.1, <2", "1.2.1", true),
            (">1.1, <3", "4.3.2", false),
            (">=1.1, <2, !=1.2.3", "1.2.3", false),
            (">1.1 <2", "1.1.1", false),
            (">1.1 <2", "1.2.1", true),
            (">1.1    <3", "4.3.2", false),
            (">=1.1    <2    !=1.2.3", "1.2.3", false),
            (">=1.1, <2, !=1.2.3 || > 3", "4.1.2", true),
            (">=1.1, <2, !=1.2.3 || > 3", "3.1.2", false),
            (">=1.1, <2, !=1.2.3 || >= 3", "3.0.0", true),
            (">=1.1, <2, !=1.2.3 || > 3", "3.0.0", false),
            (">=1.1, <2, !=1.2.3 || > 3", "1.2.3", false),
            (">=1.1 <2 !=1.2.3", "1.2.3", false),
            (">=1.1 <2 !=1.2.3 || > 3", "4.1.2", true),
            (">=1.1 <2 !=1.2.3 || > 3", "3.1.2", false),
            (">=1.1 <2 !=1.2.3 || >= 3", "3.0.0", true),
            (">=1.1 <2 !=1.2.3 || > 3", "3.0.0", false),
            (">=1.1 <2 !=1.2.3 || > 3", "1.2.3", false),
            ("> 1.1, <     2", "1.1.1", false),
            (">   1.1, <2", "1.2.1", true),
            (">1.1, <  3", "4.3.2", false),
            (">= 1.1, <     2, !=1.2.3", "1.2.3", false),
            ("> 1.1 < 2", "1.1.1", false),
            (">1.1 < 2", "1.2.1", true),
            ("> 1.1    <3", "4.3.2", false),
            (">=1.1    < 2    != 1.2.3", "1.2.3", false),
            (">= 1.1, <2, !=1.2.3 || > 3", "4.1.2", true),
            (">= 1.1, <2, != 1.2.3 || > 3", "3.1.2", false),
            (">= 1.1, <2, != 1.2.3 || >= 3", "3.0.0", true),
            (">= 1.1, <2, !=1.2.3 || > 3", "3.0.0", false),
            (">= 1.1, <2, !=1.2.3 || > 3", "1.2.3", false),
            (">= 1.1 <2 != 1.2.3", "1.2.3", false),
            (">= 1.1 <2 != 1.2.3 || > 3", "4.1.2", true),
            (">= 1.1 <2 != 1.2.3 || > 3", "3.1.2", false),
            (">= 1.1 <2 != 1.2.3 || >= 3", "3.0.0", true),
            (">= 1.1 < 2 !=1.2.3 || > 3", "3.0.0", false),
            (">=1.1 < 2 !=1.2.3 || > 3", "1.2.3", false),
            ("1.1 - 2", "1.1.1", true),
            ("1.5.0 - 4.5", "3.7.0", true),
            ("1.1-3", "4.3.2", false),
            ("^1.1", "1.1.1", true),
            ("^1.1", "4.3.2", false),
            ("^1.x", "1.1.1", true),
            ("^2.x", "1.1.1", false),
            ("^1.x", "2.1.1", false),
            ("^1.x", "1.1.1-beta1", false),
            ("^1.1.2-alpha", "1.2.1-beta1", true),
            ("^1.2.x-alpha", "1.1.1-beta1", false),
            ("^0.0.1", "0.0.1", true),
            ("^0.0.1", "0.3.1", false),
            ("~*", "2.1.1", true),
            ("~1", "2.1.1", false),
            ("~1", "1.3.5", true),
            ("~1", "1.4", true),
            ("~1.x", "2.1.1", false),
            ("~1.x", "1.3.5", true),
            ("~1.x", "1.4", true),
            ("~1.1", "1.1.1", true),
            ("~1.1", "1.1.1-alpha", false),
            ("~1.1-alpha", "1.1.1-beta", true),
            ("~1.1.1-beta", "1.1.1-alpha", false),
            ("~1.1.1-beta", "1.1.1", true),
            ("~1.2.3", "1.2.5", true),
            ("~1.2.3", "1.2.2", false),
            ("~1.2.3", "1.3.2", false),
            ("~1.1", "1.2.3", false),
            ("~1.3", "2.4.5", false),
            ("1.0.0 - 2.0.0 <=2.0.0", "1.5.0", true),
            ("1.0.0 - 2.0.0, <=2.0.0", "1.5.0", true),
        ];
        let mut failures = Vec::new();
        for (c, v, want) in cases {
            let got = call("semverCompare", &[Value::str(*c), Value::str(*v)]);
            if got.as_ref().ok().and_then(|g| {
                if let Value::Bool(b) = g {
                    Some(*b)
                } else {
                    None
                }
            }) != Some(*want)
            {
                failures.push(format!("{c} {v}: want {want}, got {got:?}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        assert_eq!(cases.len(), 117);
    }

    #[test]
    fn kubernetes_version_constraints_as_charts_write_them() {
        check_all(&[
            (r#"{{ semverCompare ">=1.19-0" "v1.20.0" }}"#, "true"),
            (
                r#"{{ semverCompare ">=1.19-0" "v1.20.0-gke.1500" }}"#,
                "true",
            ),
            (
                r#"{{ semverCompare ">=1.19" "v1.20.0-gke.1500" }}"#,
                "false",
            ),
            (r#"{{ semverCompare "<1.19-0" "v1.18.4" }}"#, "true"),
            (r#"{{ semverCompare ">=1.14-0 <1.19-0" "1.16.2" }}"#, "true"),
        ]);
        assert_eq!(
            call("semverCompare", &[Value::str(">=1.19"), Value::str("x")]).unwrap_err(),
            "Invalid Semantic Version"
        );
        assert!(
            call("semverCompare", &[Value::str("!!1"), Value::str("1.0.0")])
                .unwrap_err()
                .starts_with("improper constraint")
        );
    }
}
