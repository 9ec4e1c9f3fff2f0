//! `.Files`: helm/helm v3.21.4 `pkg/engine/files.go` (its `files_test.go` ported below): the
//! chart's files that are not templates or values, by path.
//!
//! - `.Files.Get "path"`: the file's text ("" when missing); `GetBytes` the same (the value
//!   type has no byte slice: Go's `[]byte` would print `[104 105]`).
//! - `.Files.Glob "pattern"`: a new `.Files` of the paths the pattern matches, with
//!   github.com/gobwas/glob v0.2.3's syntax and `/` as separator (`*` and `?` stop at `/`, `**`
//!   does not, `[a-z]`, `[!a]`, `[abc]`, `{a,b}`, `\` escapes); a pattern that does not compile
//!   matches everything, as Helm falls back to `**`.
//! - `.Files.Lines "path"`: the lines (one trailing newline dropped first; none for an empty
//!   or missing file).
//! - `.AsConfig`, `.AsSecrets`: the files by base name (the last path in key order wins) as
//!   YAML, the values as text or base64, through the caller's YAML writer (Helm's `toYAML`:
//!   sigs.k8s.io/yaml's `Marshal`, then one trailing newline trimmed; "" on an error).

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::helm::value::{Object, Value};

/// sigs.k8s.io/yaml's `Marshal` of a value (with its trailing newline), as `toYaml` writes.
pub(crate) type YamlWriter = fn(&Value) -> Result<String, String>;

/// `engine.files`.
#[derive(Clone)]
pub(crate) struct Files {
    files: Rc<BTreeMap<String, Vec<u8>>>,
    to_yaml: YamlWriter,
}

impl Files {
    pub(crate) fn new(files: BTreeMap<String, Vec<u8>>, to_yaml: YamlWriter) -> Files {
        Files {
            files: Rc::new(files),
            to_yaml,
        }
    }

    pub(crate) fn into_value(self) -> Value {
        Value::Object(Rc::new(self))
    }

    /// `Get`/`GetBytes`: the file's text, "" when there is none.
    pub(crate) fn get(&self, name: &str) -> String {
        self.files
            .get(name)
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .unwrap_or_default()
    }

    /// `Glob`.
    pub(crate) fn glob(&self, pattern: &str) -> Files {
        let matcher = Glob::compile(pattern, '/').unwrap_or(Glob::Everything);
        let files = self
            .files
            .iter()
            .filter(|(name, _)| matcher.is_match(name))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Files {
            files: Rc::new(files),
            to_yaml: self.to_yaml,
        }
    }

    /// `Lines`.
    pub(crate) fn lines(&self, path: &str) -> Vec<String> {
        let text = self.get(path);
        if text.is_empty() {
            return Vec::new();
        }
        let text = text.strip_suffix('\n').unwrap_or(&text);
        text.split('\n').map(str::to_owned).collect()
    }

    /// `AsConfig`.
    pub(crate) fn as_config(&self) -> String {
        self.by_base_name(|bytes| String::from_utf8_lossy(bytes).into_owned())
    }

    /// `AsSecrets`.
    pub(crate) fn as_secrets(&self) -> String {
        self.by_base_name(base64)
    }

    fn by_base_name(&self, value: impl Fn(&[u8]) -> String) -> String {
        let mut m = BTreeMap::new();
        // Go ranges over the map in random order; a duplicate base name keeps one of the
        // values at random. Here: the last path in key order.
        for (path, bytes) in self.files.iter() {
            let base = path.rsplit('/').next().unwrap_or(path);
            m.insert(base.to_owned(), Value::str(value(bytes)));
        }
        match (self.to_yaml)(&Value::map(m)) {
            Ok(text) => text.strip_suffix('\n').unwrap_or(&text).to_owned(),
            Err(_) => String::new(),
        }
    }
}

/// Standard base64 with padding (Go's `base64.StdEncoding`).
fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let sym = |i: u32| char::from(*ALPHABET.get((i & 63) as usize).unwrap_or(&b'A'));
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let n = (b(0) << 16) | (b(1) << 8) | b(2);
        out.push(sym(n >> 18));
        out.push(sym(n >> 12));
        out.push(if chunk.len() > 1 { sym(n >> 6) } else { '=' });
        out.push(if chunk.len() > 2 { sym(n) } else { '=' });
    }
    out
}

fn one_string<'a>(method: &str, args: &'a [Value]) -> Result<&'a str, String> {
    match args {
        [Value::Str(s)] => Ok(&s.text),
        [other] => Err(format!(
            "wrong type for value; expected string; got {}",
            crate::helm::gofmt::type_name(other)
        )),
        _ => Err(format!(
            "wrong number of args for {method}: want 1 got {}",
            args.len()
        )),
    }
}

impl Object for Files {
    fn type_name(&self) -> &'static str {
        "engine.files"
    }

    /// `.Files.name` of a Go map: the file, or nothing.
    fn field(&self, name: &str) -> Option<Value> {
        Some(match self.files.get(name) {
            Some(bytes) => Value::str(String::from_utf8_lossy(bytes).into_owned()),
            None => Value::Nil,
        })
    }

    fn call(&self, method: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let no_args = |method: &str| {
            if args.is_empty() {
                Ok(())
            } else {
                Err(format!(
                    "wrong number of args for {method}: want 0 got {}",
                    args.len()
                ))
            }
        };
        Some(match method {
            "Get" | "GetBytes" => one_string(method, args).map(|name| Value::str(self.get(name))),
            "Glob" => one_string(method, args).map(|pattern| self.glob(pattern).into_value()),
            "Lines" => one_string(method, args)
                .map(|path| Value::list(self.lines(path).into_iter().map(Value::str).collect())),
            "AsConfig" => no_args(method).map(|()| Value::str(self.as_config())),
            "AsSecrets" => no_args(method).map(|()| Value::str(self.as_secrets())),
            _ => return None,
        })
    }

    /// `%v` of a `map[string][]byte`: `map[a.txt:[104 105]]`.
    fn display(&self) -> String {
        let mut out = String::from("map[");
        for (i, (k, v)) in self.files.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(k);
            out.push_str(":[");
            let bytes: Vec<String> = v.iter().map(u8::to_string).collect();
            out.push_str(&bytes.join(" "));
            out.push(']');
        }
        out.push(']');
        out
    }

    /// The files as a map of path to text (what `range $path, $content := .Files.Glob ...`
    /// walks, in key order).
    fn to_data(&self) -> Value {
        Value::map(
            self.files
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        Value::str(String::from_utf8_lossy(v).into_owned()),
                    )
                })
                .collect(),
        )
    }
}

/// A compiled gobwas/glob v0.2.3 pattern (as a regular expression), or `**`.
pub(crate) enum Glob {
    Everything,
    Pattern(regex::Regex),
}

/// The longest pattern compiled; a longer one matches everything, like a broken one.
const MAX_PATTERN: usize = 4096;

impl Glob {
    pub(crate) fn is_match(&self, text: &str) -> bool {
        match self {
            Glob::Everything => true,
            Glob::Pattern(regex) => regex.is_match(text),
        }
    }

    /// gobwas `glob.Compile(pattern, separator)`; `Err` where gobwas reports a syntax error
    /// (an unclosed `[`, a class that is neither a list nor one range).
    pub(crate) fn compile(pattern: &str, separator: char) -> Result<Glob, String> {
        if pattern.len() > MAX_PATTERN {
            return Err("pattern too long".to_owned());
        }
        let mut re = String::from(r"\A(?s:");
        let mut chars = pattern.chars().peekable();
        // Open `{` groups: whether each has seen a `,` (irrelevant to regex; kept for depth).
        let mut depth = 0usize;
        let sep = regex::escape(&separator.to_string());
        while let Some(c) = chars.next() {
            match c {
                '{' => {
                    depth += 1;
                    re.push_str("(?:");
                }
                ',' if depth > 0 => re.push('|'),
                '}' if depth > 0 => {
                    depth -= 1;
                    re.push(')');
                }
                '[' => re.push_str(&class(&mut chars)?),
                '?' => re.push_str(&format!("[^{sep}]")),
                '*' => {
                    if chars.peek() == Some(&'*') {
                        chars.next();
                        re.push_str(".*");
                    } else {
                        re.push_str(&format!("[^{sep}]*"));
                    }
                }
                '\\' => {
                    // An escape at the very end escapes nothing and is dropped.
                    if let Some(next) = chars.next() {
                        re.push_str(&regex::escape(&next.to_string()));
                    }
                }
                c => re.push_str(&regex::escape(&c.to_string())),
            }
        }
        // An unclosed `{` ends with the pattern.
        for _ in 0..depth {
            re.push(')');
        }
        re.push_str(r")\z");
        regex::RegexBuilder::new(&re)
            .size_limit(1 << 20)
            .build()
            .map(Glob::Pattern)
            .map_err(|e| e.to_string())
    }
}

/// A `[...]` class after its `[`: `[!` negates; then one range `a-z` or a list of characters
/// (`\` escapes in a list); `]` closes. gobwas v0.2.3's lexer and parser errors: `unexpected
/// end of input`, `expected close range character`, a range whose high end is below its low
/// end, an empty class.
fn class(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Result<String, String> {
    let mut negated = false;
    if chars.peek() == Some(&'!') {
        chars.next();
        negated = true;
    }
    let hex = |c: char| format!("\\x{{{:x}}}", c as u32);
    let Some(first) = chars.next() else {
        return Err("unexpected end of input".to_owned());
    };
    // A range: `lo-hi]`.
    if chars.peek() == Some(&'-') {
        chars.next();
        let Some(hi) = chars.next() else {
            return Err("unexpected end of input".to_owned());
        };
        match chars.next() {
            Some(']') => {}
            Some(_) => return Err("expected close range character".to_owned()),
            None => return Err("unexpected end of input".to_owned()),
        }
        if first > hi {
            return Err(format!(
                "hi character '{hi}' should be greater than lo '{first}'"
            ));
        }
        let not = if negated { "^" } else { "" };
        return Ok(format!("[{not}{}-{}]", hex(first), hex(hi)));
    }
    // A list: text up to `]`.
    let mut items = Vec::new();
    let mut c = first;
    loop {
        if c == ']' {
            break;
        }
        if c == '\\' {
            match chars.next() {
                Some(next) => items.push(next),
                None => return Err("unexpected end of input".to_owned()),
            }
        } else {
            items.push(c);
        }
        match chars.next() {
            Some(next) => c = next,
            None => return Err("unexpected end of input".to_owned()),
        }
    }
    if items.is_empty() {
        // `[]`, `[!]`: neither a list nor a range.
        return Err("could not parse range".to_owned());
    }
    let not = if negated { "^" } else { "" };
    let body: String = items.into_iter().map(hex).collect();
    Ok(format!("[{not}{body}]"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A YAML writer enough for these tests: `key: value` lines of plain strings.
    fn simple_yaml(v: &Value) -> Result<String, String> {
        let Value::Map(m) = v else {
            return Err("not a map".to_owned());
        };
        let m = m.borrow();
        if m.is_empty() {
            return Ok("{}\n".to_owned());
        }
        Ok(m.iter()
            .map(|(k, v)| format!("{k}: {}\n", v.as_str().unwrap_or_default()))
            .collect())
    }

    fn test_files() -> Files {
        // files_test.go `cases`
        let cases = [
            ("ship/captain.txt", "The Captain"),
            ("ship/stowaway.txt", "Legatt"),
            ("story/name.txt", "The Secret Sharer"),
            ("story/author.txt", "Joseph Conrad"),
            ("multiline/test.txt", "bar\nfoo\n"),
            ("multiline/test_with_blank_lines.txt", "bar\nfoo\n\n\n"),
            ("empty/empty.txt", ""),
            ("empty/newline_only.txt", "\n"),
        ];
        Files::new(
            cases
                .iter()
                .map(|(p, d)| ((*p).to_owned(), d.as_bytes().to_vec()))
                .collect(),
            simple_yaml,
        )
    }

    #[test]
    fn new_files() {
        // TestNewFiles
        let f = test_files();
        assert_eq!(f.files.len(), 8);
        assert_eq!(f.get("story/author.txt"), "Joseph Conrad");
        assert_eq!(f.get("multiline/test.txt"), "bar\nfoo\n");
        assert_eq!(f.get("missing"), "");
        let got = f
            .call("GetBytes", &[Value::str("ship/captain.txt")])
            .unwrap()
            .unwrap();
        assert_eq!(got.as_str(), Some("The Captain"));
    }

    #[test]
    fn file_glob() {
        // TestFileGlob
        let matched = test_files().glob("story/**");
        assert_eq!(matched.files.len(), 2);
        assert_eq!(matched.get("story/author.txt"), "Joseph Conrad");
        // `*` stops at `/`, `**` does not.
        assert_eq!(test_files().glob("*").files.len(), 0);
        assert_eq!(test_files().glob("*/*.txt").files.len(), 8);
        assert_eq!(test_files().glob("**.txt").files.len(), 8);
        assert_eq!(test_files().glob("{ship,story}/*").files.len(), 4);
        // A pattern that does not compile is `**`.
        assert_eq!(test_files().glob("[abc").files.len(), 8);
    }

    #[test]
    fn to_config_and_secret() {
        // TestToConfig, TestToSecret
        let f = test_files();
        assert_eq!(
            f.glob("**/captain.txt").as_config(),
            "captain.txt: The Captain"
        );
        assert_eq!(
            f.glob("ship/**").as_config(),
            "captain.txt: The Captain\nstowaway.txt: Legatt"
        );
        assert_eq!(
            f.glob("ship/**").as_secrets(),
            "captain.txt: VGhlIENhcHRhaW4=\nstowaway.txt: TGVnYXR0"
        );
        assert_eq!(f.glob("nothing/*").as_config(), "{}");
        let call = f.call("AsConfig", &[]).unwrap().unwrap();
        assert!(call.as_str().unwrap().contains("author.txt: Joseph Conrad"));
        assert_eq!(
            f.call("AsConfig", &[Value::Int(1)]).unwrap().unwrap_err(),
            "wrong number of args for AsConfig: want 0 got 1"
        );
    }

    #[test]
    fn lines() {
        // TestLines, TestBlankLines, TestLinesEmptyFile, TestLinesNewlineOnlyFile,
        // TestLinesMissingFile
        let f = test_files();
        assert_eq!(f.lines("multiline/test.txt"), ["bar", "foo"]);
        let blank = f.lines("multiline/test_with_blank_lines.txt");
        assert_eq!(blank.len(), 4);
        assert_eq!(blank[0], "bar");
        assert_eq!(blank[3], "");
        assert!(f.lines("empty/empty.txt").is_empty());
        assert_eq!(f.lines("empty/newline_only.txt"), [""]);
        assert!(f.lines("nonexistent.txt").is_empty());
        let v = f
            .call("Lines", &[Value::str("multiline/test.txt")])
            .unwrap()
            .unwrap();
        assert!(matches!(v, Value::List(l) if l.len() == 2));
    }

    #[test]
    fn base64_is_standard() {
        for (input, want) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), want);
        }
        assert_eq!(base64(&[0xff, 0xfe]), "//4=");
    }

    #[test]
    fn printing_and_data() {
        let f = Files::new(
            [("a.txt".to_owned(), b"hi".to_vec())].into_iter().collect(),
            simple_yaml,
        );
        assert_eq!(f.display(), "map[a.txt:[104 105]]");
        assert!(matches!(f.field("a.txt"), Some(Value::Str(s)) if &*s.text == "hi"));
        assert!(matches!(f.field("b.txt"), Some(Value::Nil)));
        assert!(matches!(f.to_data(), Value::Map(m) if m.borrow().len() == 1));
        assert_eq!(f.type_name(), "engine.files");
        assert!(f.call("Nope", &[]).is_none());
    }

    #[test]
    fn gobwas_patterns() {
        // gobwas/glob v0.2.3 glob_test.go TestGlob.
        let cases: &[(Option<char>, &str, &str, bool)] = &[
            (None, "* ?at * eyes", "my cat has very bright eyes", true),
            (None, "", "", true),
            (None, "", "b", false),
            (None, "*ä", "åä", true),
            (None, "abc", "abc", true),
            (None, "a*c", "abc", true),
            (None, "a*c", "a12345c", true),
            (None, "a?c", "a1c", true),
            (Some('.'), "a.b", "a.b", true),
            (Some('.'), "a.*", "a.b", true),
            (Some('.'), "a.**", "a.b.c", true),
            (Some('.'), "a.?.c", "a.b.c", true),
            (Some('.'), "a.?.?", "a.b.c", true),
            (None, "?at", "cat", true),
            (None, "?at", "fat", true),
            (None, "*", "abc", true),
            (None, "\\*", "*", true),
            (Some('.'), "**", "a.b.c", true),
            (None, "?at", "at", false),
            (Some('f'), "?at", "fat", false),
            (Some('.'), "a.*", "a.b.c", false),
            (Some('.'), "a.?.c", "a.bb.c", false),
            (Some('.'), "*", "a.b.c", false),
            (None, "*test", "this is a test", true),
            (None, "this*", "this is a test", true),
            (None, "*is *", "this is a test", true),
            (None, "*is*a*", "this is a test", true),
            (None, "**test**", "this is a test", true),
            (None, "**is**a***test*", "this is a test", true),
            (None, "*is", "this is a test", false),
            (None, "*no*", "this is a test", false),
            (None, "[!a]*", "this is a test3", true),
            (None, "*abc", "abcabc", true),
            (None, "**abc", "abcabc", true),
            (None, "???", "abc", true),
            (None, "?*?", "abc", true),
            (None, "?*?", "ac", true),
            (None, "sta", "stagnation", false),
            (None, "sta*", "stagnation", true),
            (None, "sta?", "stagnation", false),
            (None, "sta?n", "stagnation", false),
            (None, "{abc,def}ghi", "defghi", true),
            (None, "{abc,abcd}a", "abcda", true),
            (None, "{a,ab}{bc,f}", "abc", true),
            (None, "{*,**}{a,b}", "ab", true),
            (None, "{*,**}{a,b}", "ac", false),
            (None, "/{rate,[a-z][a-z][a-z]}*", "/rate", true),
            (None, "/{rate,[0-9][0-9][0-9]}*", "/rate", true),
            (None, "/{rate,[a-z][a-z][a-z]}*", "/usd", true),
            (Some('.'), "{*.google.*,*.yandex.*}", "www.google.com", true),
            (Some('.'), "{*.google.*,*.yandex.*}", "www.yandex.com", true),
            (Some('.'), "{*.google.*,*.yandex.*}", "yandex.com", false),
            (Some('.'), "{*.google.*,*.yandex.*}", "google.com", false),
            (Some('.'), "{*.google.*,yandex.*}", "www.google.com", true),
            (Some('.'), "{*.google.*,yandex.*}", "yandex.com", true),
            (Some('.'), "{*.google.*,yandex.*}", "www.yandex.com", false),
            (Some('.'), "{*.google.*,yandex.*}", "google.com", false),
            (
                None,
                "[a-z][!a-x]*cat*[h][!b]*eyes*",
                "my cat has very bright eyes",
                true,
            ),
            (
                None,
                "[a-z][!a-x]*cat*[h][!b]*eyes*",
                "my dog has very bright eyes",
                false,
            ),
            (
                None,
                "https://*.google.*",
                "https://account.google.com",
                true,
            ),
            (None, "https://*.google.*", "https://google.com", false),
            (
                None,
                "{https://*gobwas.com,http://exclude.gobwas.com}",
                "https://safe.gobwas.com",
                true,
            ),
            (
                None,
                "{https://*gobwas.com,http://exclude.gobwas.com}",
                "http://safe.gobwas.com",
                false,
            ),
            (
                None,
                "{https://*gobwas.com,http://exclude.gobwas.com}",
                "http://exclude.gobwas.com",
                true,
            ),
            (
                None,
                "{abc*[a-c]def,abc?[d-g]def,abc[zte]?def}",
                "abczqdef",
                true,
            ),
            (None, "{abc*def,abc?def,abc[zte]def}", "abczdef", true),
            (None, "abc*", "abcdef", true),
            (None, "abc*", "af", false),
            (None, "*def", "abcdef", true),
            (None, "*def", "af", false),
            (None, "ab*ef", "abcdef", true),
            (None, "ab*ef", "af", false),
            // Later gobwas tests (fixes after v0.2.3 for backtracking; this port has no
            // backtracking to get wrong).
            (None, "a*a*a*a*b", &"a".repeat(100), false),
            (None, "{,a}", "", true),
            (None, "{a,}", "", true),
            (None, "{a,ab,abc}", "", false),
            (
                None,
                "{a,ab,abc,abcd}{b,bc,bcd,bcde}{c,cd,cde,cdef}",
                "abcdbcdecdef",
                true,
            ),
            (None, "{{a,b},c}", "c", true),
            (Some('.'), "**a*b", ".a.ab", true),
            (Some('.'), "*a**b", "x.ab", false),
        ];
        for (sep, pattern, text, want) in cases {
            // No separator: use one that is in no test string.
            let g = Glob::compile(pattern, sep.unwrap_or('\u{0}')).unwrap();
            assert_eq!(g.is_match(text), *want, "{pattern} {text}");
        }
        for bad in ["[abc", "[a-cx]", "[", "[!", "[c-a]", "[]", "[!]", "[a-]"] {
            assert!(Glob::compile(bad, '/').is_err(), "{bad}");
        }
        // A hostile pattern stays linear (a regex), and a huge one matches everything.
        let g = Glob::compile(&"*a".repeat(500), '/').unwrap();
        assert!(!g.is_match(&"b".repeat(10_000)));
        assert!(Glob::compile(&"a".repeat(MAX_PATTERN + 1), '/').is_err());
    }
}
