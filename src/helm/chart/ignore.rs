//! `.helmignore`: Helm's ignore rules (helm/helm v3.21.4 `pkg/ignore/rules.go`), with Go's
//! `path/filepath.Match` glob (Go `path/filepath/match.go`).
//!
//! Helm's semantics, kept as they are:
//! - a rule without `/` matches the base name only; a rule with `/` matches the whole path
//!   (relative to the chart); a leading `/` anchors (and is dropped); a trailing `/` matches
//!   directories only;
//! - `**` is refused ("double-star (**) syntax is not supported");
//! - rules are tried in order and the first match decides; a negated rule (`!x`) *ignores*
//!   every path it does not match (`!helm.txt` ignores `tiller.txt`) and lets evaluation go on
//!   for the paths it matches;
//! - `.` and `./` are never ignored; the default rule `templates/.?*` is added after the file's.

/// The name of the ignore file at the top of a chart directory.
pub(crate) const HELM_IGNORE: &str = ".helmignore";

/// Rules read from a `.helmignore` (at most this many are kept: a bound on hostile input).
const MAX_RULES: usize = 10_000;

#[derive(Debug, Clone, Default)]
pub(crate) struct Rules {
    patterns: Vec<Pattern>,
}

#[derive(Debug, Clone)]
struct Pattern {
    /// The rule as written (trimmed).
    raw: String,
    /// The glob, without `!`, the trailing `/` and a leading `/`.
    glob: String,
    negate: bool,
    must_dir: bool,
    kind: MatchKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MatchKind {
    /// No `/` in the rule: the base name is matched.
    BaseName,
    /// A `/` inside the rule, or a leading one: the whole path is matched.
    Path,
}

impl Rules {
    /// Parses a `.helmignore` file's text (a UTF-8 BOM at its start is dropped).
    pub(crate) fn parse(text: &str) -> Result<Rules, String> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut rules = Rules::default();
        for line in text.lines() {
            rules.parse_rule(line)?;
            if rules.patterns.len() > MAX_RULES {
                return Err(format!(".helmignore has more than {MAX_RULES} rules"));
            }
        }
        Ok(rules)
    }

    /// Adds Helm's default rule: dot files in `templates/`.
    pub(crate) fn add_defaults(&mut self) {
        // The rule is valid: parsing it cannot fail.
        let _ = self.parse_rule("templates/.?*");
    }

    /// The raw rules, in order (for tests and messages).
    pub(crate) fn raw(&self) -> impl Iterator<Item = &str> {
        self.patterns.iter().map(|p| p.raw.as_str())
    }

    fn parse_rule(&mut self, rule: &str) -> Result<(), String> {
        let rule = rule.trim();
        if rule.is_empty() || rule.starts_with('#') {
            return Ok(());
        }
        if rule.contains("**") {
            return Err("double-star (**) syntax is not supported".to_owned());
        }
        // Go checks the whole rule (with its `!` and slashes) as a pattern.
        go_match(rule, "abc")?;
        let raw = rule.to_owned();
        let (negate, rule) = match rule.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, rule),
        };
        let (must_dir, rule) = match rule.strip_suffix('/') {
            Some(rest) => (true, rest),
            None => (false, rule),
        };
        let (kind, glob) = if let Some(rest) = rule.strip_prefix('/') {
            (MatchKind::Path, rest)
        } else if rule.contains('/') {
            (MatchKind::Path, rule)
        } else {
            (MatchKind::BaseName, rule)
        };
        self.patterns.push(Pattern {
            raw,
            glob: glob.to_owned(),
            negate,
            must_dir,
            kind,
        });
        Ok(())
    }

    /// Whether `path` (relative to the chart, `/`-separated) is ignored.
    pub(crate) fn ignore(&self, path: &str, is_dir: bool) -> bool {
        if path.is_empty() || path == "." || path == "./" {
            return false;
        }
        for p in &self.patterns {
            let matched = || {
                let subject = match p.kind {
                    MatchKind::BaseName => go_base(path),
                    MatchKind::Path => path,
                };
                go_match(&p.glob, subject).unwrap_or(false)
            };
            if p.negate {
                if p.must_dir && !is_dir {
                    return true;
                }
                if !matched() {
                    return true;
                }
                continue;
            }
            if p.must_dir && !is_dir {
                continue;
            }
            if matched() {
                return true;
            }
        }
        false
    }
}

/// Go's `path/filepath.Base` on a `/`-separated path.
pub(crate) fn go_base(path: &str) -> &str {
    if path.is_empty() {
        return ".";
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/";
    }
    match trimmed.rsplit_once('/') {
        Some((_, base)) => base,
        None => trimmed,
    }
}

const BAD_PATTERN: &str = "syntax error in pattern";

/// Go's `path/filepath.Match` (Unix: `/` separates, `\` escapes): whether `name` matches the
/// shell pattern, or Go's `ErrBadPattern` ("syntax error in pattern").
pub(crate) fn go_match(pattern: &str, name: &str) -> Result<bool, String> {
    let mut pattern = pattern;
    let mut name = name;
    'pattern: while !pattern.is_empty() {
        let (star, chunk, rest) = scan_chunk(pattern);
        pattern = rest;
        if star && chunk.is_empty() {
            // A trailing star matches the rest of a name without separators.
            return Ok(!name.contains('/'));
        }
        let (t, ok, err) = match_chunk(chunk, name);
        // The chunk matched; at the end of the pattern it must have matched the whole name.
        if ok && (t.is_empty() || !pattern.is_empty()) {
            name = t;
            continue;
        }
        if err {
            return Err(BAD_PATTERN.to_owned());
        }
        if star {
            // Look for a match skipping i+1 bytes (never across a separator).
            for (i, c) in name.char_indices() {
                if c == '/' {
                    break;
                }
                let Some(after) = name.get(i + c.len_utf8()..) else {
                    break;
                };
                let (t, ok, err) = match_chunk(chunk, after);
                if ok {
                    // At the end of the pattern the name must be used up.
                    if pattern.is_empty() && !t.is_empty() {
                        continue;
                    }
                    name = t;
                    continue 'pattern;
                }
                if err {
                    return Err(BAD_PATTERN.to_owned());
                }
            }
        }
        // Before saying no, check that the rest of the pattern is well formed.
        while !pattern.is_empty() {
            let (_, chunk, rest) = scan_chunk(pattern);
            pattern = rest;
            if match_chunk(chunk, "").2 {
                return Err(BAD_PATTERN.to_owned());
            }
        }
        return Ok(false);
    }
    Ok(name.is_empty())
}

/// Go's `scanChunk`: leading stars, then the chunk up to the next star outside brackets.
fn scan_chunk(pattern: &str) -> (bool, &str, &str) {
    let mut star = false;
    let mut pattern = pattern;
    while let Some(rest) = pattern.strip_prefix('*') {
        pattern = rest;
        star = true;
    }
    let mut in_range = false;
    let mut escaped = false;
    let mut end = pattern.len();
    for (i, c) in pattern.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            // An escape; a trailing `\` is left for match_chunk to refuse.
            '\\' if i + 1 < pattern.len() => escaped = true,
            '[' => in_range = true,
            ']' => in_range = false,
            '*' if !in_range => {
                end = i;
                break;
            }
            _ => {}
        }
    }
    let (chunk, rest) = pattern.split_at_checked(end).unwrap_or((pattern, ""));
    (star, chunk, rest)
}

/// Go's `matchChunk`: the rest of `s` after `chunk` matched its start, whether it matched, and
/// whether the chunk is malformed (checked to its end even after a mismatch).
fn match_chunk<'a>(chunk: &str, s: &'a str) -> (&'a str, bool, bool) {
    let mut failed = false;
    let mut chunk = chunk;
    let mut s = s;
    while let Some(c) = chunk.chars().next() {
        let Some(after_c) = chunk.get(c.len_utf8()..) else {
            return ("", false, true);
        };
        if !failed && s.is_empty() {
            failed = true;
        }
        match c {
            '[' => {
                let mut r = '\0';
                if !failed && let Some(sc) = s.chars().next() {
                    r = sc;
                    s = s.get(sc.len_utf8()..).unwrap_or("");
                }
                chunk = after_c;
                let negated = match chunk.strip_prefix('^') {
                    Some(rest) => {
                        chunk = rest;
                        true
                    }
                    None => false,
                };
                let mut matched = false;
                let mut nrange = 0;
                loop {
                    if nrange > 0 && chunk.starts_with(']') {
                        chunk = chunk.get(1..).unwrap_or("");
                        break;
                    }
                    let Some((lo, rest)) = get_esc(chunk) else {
                        return ("", false, true);
                    };
                    chunk = rest;
                    let mut hi = lo;
                    if let Some(rest) = chunk.strip_prefix('-') {
                        let Some((h, rest)) = get_esc(rest) else {
                            return ("", false, true);
                        };
                        hi = h;
                        chunk = rest;
                    }
                    if lo <= r && r <= hi {
                        matched = true;
                    }
                    nrange += 1;
                }
                if matched == negated {
                    failed = true;
                }
            }
            '?' => {
                if !failed {
                    match s.chars().next() {
                        Some('/') | None => failed = true,
                        Some(sc) => s = s.get(sc.len_utf8()..).unwrap_or(""),
                    }
                }
                chunk = after_c;
            }
            _ => {
                let (lit, rest) = if c == '\\' {
                    match after_c.chars().next() {
                        Some(l) => (l, after_c.get(l.len_utf8()..).unwrap_or("")),
                        None => return ("", false, true),
                    }
                } else {
                    (c, after_c)
                };
                if !failed {
                    match s.chars().next() {
                        Some(sc) if sc == lit => s = s.get(sc.len_utf8()..).unwrap_or(""),
                        _ => failed = true,
                    }
                }
                chunk = rest;
            }
        }
    }
    if failed {
        ("", false, false)
    } else {
        (s, true, false)
    }
}

/// Go's `getEsc`: one (possibly escaped) character of a range, and what follows it; `None` for
/// a malformed range.
fn get_esc(chunk: &str) -> Option<(char, &str)> {
    let mut chunk = chunk;
    match chunk.chars().next() {
        None | Some('-') | Some(']') => return None,
        Some('\\') => {
            chunk = chunk.get(1..)?;
            if chunk.is_empty() {
                return None;
            }
        }
        _ => {}
    }
    let r = chunk.chars().next()?;
    let rest = chunk.get(r.len_utf8()..)?;
    if rest.is_empty() {
        return None;
    }
    Some((r, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    // helm/helm v3.21.4 pkg/ignore/rules_test.go `TestParse`.
    #[test]
    fn parse_keeps_rules_in_order() {
        let rules = "#ignore\n\n\t#ignore\nfoo\nbar/*\nbaz/bar/foo.txt\n\none/more\n";
        let r = Rules::parse(rules).unwrap();
        assert_eq!(
            r.raw().collect::<Vec<_>>(),
            ["foo", "bar/*", "baz/bar/foo.txt", "one/more"]
        );
    }

    // `TestParseFail`.
    #[test]
    fn parse_refuses_double_star_and_bad_ranges() {
        for fail in ["foo/**/bar", "[z-"] {
            assert!(Rules::parse(fail).is_err(), "{fail}");
        }
    }

    // `TestParseFile`: the testdata `.helmignore` has three rules.
    #[test]
    fn parse_file() {
        let text = std::fs::read_to_string("tests/data/helm/ignore/.helmignore").unwrap();
        assert_eq!(Rules::parse(&text).unwrap().raw().count(), 3);
    }

    // `TestIgnore`: (pattern, name, is_dir as the testdata has it, expect).
    #[test]
    fn ignore_table() {
        let dirs = ["cargo", "cargo/", "mast/", "."];
        let cases: &[(&str, &str, bool)] = &[
            ("helm.txt", "helm.txt", true),
            ("helm.*", "helm.txt", true),
            ("helm.*", "rudder.txt", false),
            ("*.txt", "tiller.txt", true),
            ("*.txt", "cargo/a.txt", true),
            ("cargo/*.txt", "cargo/a.txt", true),
            ("cargo/*.*", "cargo/a.txt", true),
            ("cargo/*.txt", "mast/a.txt", false),
            ("ru[c-e]?er.txt", "rudder.txt", true),
            ("templates/.?*", "templates/.dotfile", true),
            (".*", ".", false),
            (".*", "./", false),
            (".*", ".joonix", true),
            (".*", "helm.txt", false),
            (".*", "", false),
            ("cargo/", "cargo", true),
            ("cargo/", "cargo/", true),
            ("cargo/", "mast/", false),
            ("helm.txt/", "helm.txt", false),
            ("!helm.txt", "helm.txt", false),
            ("!helm.txt", "tiller.txt", true),
            ("!*.txt", "cargo", true),
            ("!cargo/", "mast/", true),
            ("/a.txt", "a.txt", true),
            ("/a.txt", "cargo/a.txt", false),
            ("/cargo/a.txt", "cargo/a.txt", true),
        ];
        for (pattern, name, expect) in cases {
            let r = Rules::parse(pattern).unwrap();
            let is_dir = dirs.contains(name) || name.is_empty();
            assert_eq!(r.ignore(name, is_dir), *expect, "{pattern} on {name}");
        }
    }

    // `TestAddDefaults`.
    #[test]
    fn defaults_add_one_rule() {
        let mut r = Rules::default();
        r.add_defaults();
        assert_eq!(r.raw().count(), 1);
        assert!(r.ignore("templates/.hidden", false));
        assert!(!r.ignore("templates/x.yaml", false));
    }

    // Go path/filepath match_test.go `matchTests` (the Unix rows).
    #[test]
    fn go_match_table() {
        let cases: &[(&str, &str, Result<bool, ()>)] = &[
            ("abc", "abc", Ok(true)),
            ("*", "abc", Ok(true)),
            ("*c", "abc", Ok(true)),
            ("a*", "a", Ok(true)),
            ("a*", "abc", Ok(true)),
            ("a*", "ab/c", Ok(false)),
            ("a*/b", "abc/b", Ok(true)),
            ("a*/b", "a/c/b", Ok(false)),
            ("a*b*c*d*e*/f", "axbxcxdxe/f", Ok(true)),
            ("a*b*c*d*e*/f", "axbxcxdxexxx/f", Ok(true)),
            ("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", Ok(false)),
            ("a*b*c*d*e*/f", "axbxcxdxexxx/fff", Ok(false)),
            ("a*b?c*x", "abxbbxdbxebxczzx", Ok(true)),
            ("a*b?c*x", "abxbbxdbxebxczzy", Ok(false)),
            ("ab[c]", "abc", Ok(true)),
            ("ab[b-d]", "abc", Ok(true)),
            ("ab[e-g]", "abc", Ok(false)),
            ("ab[^c]", "abc", Ok(false)),
            ("ab[^b-d]", "abc", Ok(false)),
            ("ab[^e-g]", "abc", Ok(true)),
            ("a\\*b", "a*b", Ok(true)),
            ("a\\*b", "ab", Ok(false)),
            ("a?b", "a☺b", Ok(true)),
            ("a[^a]b", "a☺b", Ok(true)),
            ("a???b", "a☺b", Ok(false)),
            ("a[^a][^a][^a]b", "a☺b", Ok(false)),
            ("[a-ζ]*", "α", Ok(true)),
            ("*[a-ζ]", "A", Ok(false)),
            ("a?b", "a/b", Ok(false)),
            ("a*b", "a/b", Ok(false)),
            ("[\\]a]", "]", Ok(true)),
            ("[\\-]", "-", Ok(true)),
            ("[x\\-]", "x", Ok(true)),
            ("[x\\-]", "-", Ok(true)),
            ("[x\\-]", "z", Ok(false)),
            ("[\\-x]", "x", Ok(true)),
            ("[\\-x]", "-", Ok(true)),
            ("[\\-x]", "a", Ok(false)),
            ("[]a]", "]", Err(())),
            ("[-]", "-", Err(())),
            ("[x-]", "x", Err(())),
            ("[x-]", "-", Err(())),
            ("[x-]", "z", Err(())),
            ("[-x]", "x", Err(())),
            ("[-x]", "-", Err(())),
            ("[-x]", "a", Err(())),
            ("\\", "a", Err(())),
            ("[a-b-c]", "a", Err(())),
            ("[", "a", Err(())),
            ("[^", "a", Err(())),
            ("[^bc", "a", Err(())),
            ("a[", "a", Err(())),
            ("a[", "ab", Err(())),
            ("a[", "x", Err(())),
            ("a/b[", "x", Err(())),
            ("*x", "xxx", Ok(true)),
        ];
        for (pattern, name, want) in cases {
            let got = go_match(pattern, name).map_err(|_| ());
            assert_eq!(&got, want, "Match({pattern:?}, {name:?})");
        }
    }

    #[test]
    fn go_base_as_go() {
        for (p, want) in [
            ("", "."),
            ("/", "/"),
            ("a/b", "b"),
            ("a/b/", "b"),
            ("cargo/", "cargo"),
            ("x", "x"),
        ] {
            assert_eq!(go_base(p), want, "{p}");
        }
    }
}
