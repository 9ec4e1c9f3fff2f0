//! Go's `path/filepath.Match` on a Unix system (`/` separates, `\` escapes), which
//! `helm template --show-only` uses to match a template path. The semantics of
//! go/src/path/filepath/match.go; cases from its `match_test.go` below.

/// Whether `name` matches the shell pattern `pattern` (`*`, `?`, `[a-z]`, `[^a]`, `\x`);
/// `Err(())` is Go's `ErrBadPattern` (Helm treats it as no match).
pub(crate) fn path_match(pattern: &str, name: &str) -> Result<bool, ()> {
    let mut pattern: &str = pattern;
    let mut name: &str = name;
    'chunks: while !pattern.is_empty() {
        let (star, chunk, rest) = scan_chunk(pattern);
        pattern = rest;
        if star && chunk.is_empty() {
            // A trailing `*` matches the rest when it holds no separator.
            return Ok(!name.contains('/'));
        }
        // The chunk here, unless it is the last and leaves text over that a star could take.
        let (t, ok, bad) = match_chunk(chunk, name);
        if ok && (t.is_empty() || !pattern.is_empty()) {
            name = t;
            continue;
        }
        if bad {
            return Err(());
        }
        if star {
            // The star takes one more character each time (never a `/`).
            for (i, c) in name.char_indices() {
                if c == '/' {
                    break;
                }
                let after = name.get(i + c.len_utf8()..).unwrap_or_default();
                let (t, ok, bad) = match_chunk(chunk, after);
                if ok {
                    if pattern.is_empty() && !t.is_empty() {
                        continue;
                    }
                    name = t;
                    continue 'chunks;
                }
                if bad {
                    return Err(());
                }
            }
        }
        // No match: report a malformed rest of the pattern, as Go does.
        while !pattern.is_empty() {
            let (_, chunk, rest) = scan_chunk(pattern);
            pattern = rest;
            if match_chunk(chunk, "").2 {
                return Err(());
            }
        }
        return Ok(false);
    }
    Ok(name.is_empty())
}

/// `scanChunk`: leading stars, then the text up to the next star outside `[...]`.
fn scan_chunk(pattern: &str) -> (bool, &str, &str) {
    let trimmed = pattern.trim_start_matches('*');
    let star = trimmed.len() != pattern.len();
    let mut in_range = false;
    let mut chars = trimmed.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                // The next character is literal.
                chars.next();
            }
            '[' => in_range = true,
            ']' => in_range = false,
            '*' if !in_range => {
                let (chunk, rest) = trimmed.split_at_checked(i).unwrap_or((trimmed, ""));
                return (star, chunk, rest);
            }
            _ => {}
        }
    }
    (star, trimmed, "")
}

/// `matchChunk`: matches `chunk` (no stars) at the start of `s`: (the rest of `s`, matched,
/// bad pattern).
fn match_chunk<'s>(chunk: &str, s: &'s str) -> (&'s str, bool, bool) {
    let mut s = s;
    let mut failed = false;
    let mut chunk = chunk.chars().peekable();
    while let Some(c) = chunk.next() {
        if !failed && s.is_empty() {
            failed = true;
        }
        match c {
            '[' => {
                let mut r = None;
                if !failed {
                    let mut it = s.chars();
                    r = it.next();
                    s = it.as_str();
                }
                let negated = chunk.peek() == Some(&'^');
                if negated {
                    chunk.next();
                }
                let mut matched = false;
                let mut n = 0;
                loop {
                    if chunk.peek() == Some(&']') && n > 0 {
                        chunk.next();
                        break;
                    }
                    let Some(lo) = class_char(&mut chunk) else {
                        return ("", false, true);
                    };
                    let mut hi = lo;
                    if chunk.peek() == Some(&'-') {
                        chunk.next();
                        let Some(h) = class_char(&mut chunk) else {
                            return ("", false, true);
                        };
                        hi = h;
                    }
                    if let Some(r) = r
                        && lo <= r
                        && r <= hi
                    {
                        matched = true;
                    }
                    n += 1;
                }
                if matched == negated {
                    failed = true;
                }
            }
            '?' => {
                if !failed {
                    let mut it = s.chars();
                    if it.next() == Some('/') {
                        failed = true;
                    }
                    s = it.as_str();
                }
            }
            '\\' => {
                let Some(lit) = chunk.next() else {
                    return ("", false, true);
                };
                if !failed {
                    match s.strip_prefix(lit) {
                        Some(rest) => s = rest,
                        None => failed = true,
                    }
                }
            }
            lit => {
                if !failed {
                    match s.strip_prefix(lit) {
                        Some(rest) => s = rest,
                        None => failed = true,
                    }
                }
            }
        }
    }
    if failed {
        ("", false, false)
    } else {
        (s, true, false)
    }
}

/// `getEsc`: one character of a `[...]` class (`\` escapes); `None` for a malformed class.
fn class_char(chunk: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Option<char> {
    let c = chunk.next()?;
    if c == '-' || c == ']' {
        return None;
    }
    let c = if c == '\\' { chunk.next()? } else { c };
    // A class that never closes is malformed.
    chunk.peek()?;
    Some(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_match_cases() {
        // go/src/path/filepath/match_test.go `matchTests` (Unix).
        let ok = |p: &str, s: &str, want: bool| {
            assert_eq!(path_match(p, s), Ok(want), "{p} {s}");
        };
        let bad = |p: &str, s: &str| assert_eq!(path_match(p, s), Err(()), "{p} {s}");
        ok("abc", "abc", true);
        ok("*", "abc", true);
        ok("*c", "abc", true);
        ok("a*", "a", true);
        ok("a*", "abc", true);
        ok("a*", "ab/c", false);
        ok("a*/b", "abc/b", true);
        ok("a*/b", "a/c/b", false);
        ok("a*b*c*d*e*/f", "axbxcxdxe/f", true);
        ok("a*b*c*d*e*/f", "axbxcxdxexxx/f", true);
        ok("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false);
        ok("a*b*c*d*e*/f", "axbxcxdxexxx/fff", false);
        ok("a*b?c*x", "abxbbxdbxebxczzx", true);
        ok("a*b?c*x", "abxbbxdbxebxczzy", false);
        ok("ab[c]", "abc", true);
        ok("ab[b-d]", "abc", true);
        ok("ab[e-g]", "abc", false);
        ok("ab[^c]", "abc", false);
        ok("ab[^b-d]", "abc", false);
        ok("ab[^e-g]", "abc", true);
        ok("a\\*b", "a*b", true);
        ok("a\\*b", "ab", false);
        ok("a?b", "a☺b", true);
        ok("a[^a]b", "a☺b", true);
        ok("a???b", "a☺b", false);
        ok("a[^a][^a][^a]b", "a☺b", false);
        ok("[a-ζ]*", "α", true);
        ok("*[a-ζ]", "A", false);
        ok("a?b", "a/b", false);
        ok("a*b", "a/b", false);
        ok("[\\]a]", "]", true);
        ok("[\\-]", "-", true);
        ok("[x\\-]", "x", true);
        ok("[x\\-]", "-", true);
        ok("[x\\-]", "z", false);
        ok("[\\-x]", "x", true);
        ok("[\\-x]", "-", true);
        ok("[\\-x]", "a", false);
        bad("[]a]", "]");
        bad("[-]", "-");
        bad("[x-]", "x");
        bad("[x-]", "-");
        bad("[x-]", "z");
        bad("[-x]", "x");
        bad("[-x]", "-");
        bad("[-x]", "a");
        bad("\\", "a");
        bad("[a-b-c]", "a");
        bad("[", "a");
        bad("[^", "a");
        bad("[^bc", "a");
        bad("a[", "a");
        bad("a[", "ab");
        bad("a[", "x");
        bad("a/b[", "x");
        ok("*x", "xxx", true);
    }

    #[test]
    fn show_only_patterns() {
        assert_eq!(
            path_match("templates/subdir/role*", "templates/subdir/role.yaml"),
            Ok(true)
        );
        assert_eq!(
            path_match(
                "templates/subdir/role*",
                "templates/subdir/rolebinding.yaml"
            ),
            Ok(true)
        );
        assert_eq!(
            path_match("templates/*", "templates/subdir/role.yaml"),
            Ok(false)
        );
        // Long hostile patterns stay fast (each star tries each position once per chunk).
        let name = "a".repeat(5000);
        let pattern = "*a".repeat(1000) + "b";
        assert_eq!(path_match(&pattern, &name), Ok(false));
    }
}
