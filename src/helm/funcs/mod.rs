//! Sprig v3.3.0's function library and Helm's own functions (`toYaml`, `fromYaml`, `required`,
//! `fail`, `lookup`, ...), by name. The engine's own builtins (Go's `and`, `or`, `index`,
//! `printf`, ...) and the functions that need the engine (`include`, `tpl`) live in
//! `helm::template`.
//!
//! Helm v3.21.4's list: Sprig's `TxtFuncMap()` (the 209 names of Masterminds/sprig v3.3.0
//! functions.go) less `env` and `expandenv`, plus pkg/engine/funcs.go's extras. Helm v4's
//! `mustToYaml`, `mustToJson` (Helm's) and `mustToToml` are here too.
//!
//! Go's calling conventions kept: a function's arguments arrive in order with the piped value
//! last; a wrong argument count or type is text/template's error (`wrong number of args for
//! upper: want 1 got 2`, `wrong type for value; expected string; got int`); a Sprig function
//! that panics in Go (`first` of a string) returns the panic's text as an error, as
//! text/template's `safeCall` turns it into one.
//!
//! Functions of time and chance (`now`, `randAlphaNum`, `uuidv4`, `genCA`, ...) return fixed,
//! clearly fake values so that renders are reproducible: see [`is_nonhermetic`].

use std::collections::BTreeMap;

use super::value::{Func, Map, Value};

mod conv;
mod crypto;
mod dates;
mod dicts;
mod encoding;
mod flow;
mod json;
mod lists;
mod net;
mod numeric;
mod reflect;
mod regex;
pub(crate) mod semver;
mod strings;
mod toml;
pub(crate) mod yaml;

#[cfg(test)]
mod sprig_cases;
#[cfg(test)]
mod testing;

/// The longest string a function builds (`repeat`, `indent`, `join`...): 16 MiB.
pub(crate) const MAX_STRING: usize = 16 << 20;
/// The longest list a function builds (`until`, `seq`, `splitList`...).
pub(crate) const MAX_ITEMS: usize = 1 << 20;
/// The deepest nesting a recursive function walks (`deepCopy`, `toYaml`, `merge` of a map
/// that contains itself).
pub(crate) const MAX_DEPTH: usize = 200;

/// The function `name`, when Sprig or Helm defines it (Helm's list: no `env`, `expandenv`).
pub(crate) fn lookup(name: &str) -> Option<Func> {
    TABLE
        .binary_search_by(|(n, _)| n.cmp(&name))
        .ok()
        .and_then(|i| TABLE.get(i))
        .map(|(_, f)| *f)
}

/// Every function name, sorted (for the engine's "function not defined" checks and tests).
pub(crate) fn names() -> impl Iterator<Item = &'static str> {
    TABLE.iter().map(|(n, _)| *n)
}

/// The functions whose result depends on the clock, chance or the network in Helm: here they
/// return fixed fake values (a fixed time 2006-01-02T15:04:05Z, a fixed UUID, `x`-strings,
/// placeholder certificates), and `render` says so when a chart calls them.
pub(crate) fn is_nonhermetic(name: &str) -> bool {
    matches!(
        name,
        "date"
            | "date_in_zone"
            | "date_modify"
            | "now"
            | "htmlDate"
            | "htmlDateInZone"
            | "dateInZone"
            | "dateModify"
            | "must_date_modify"
            | "mustDateModify"
            | "ago"
            | "randAlphaNum"
            | "randAlpha"
            | "randAscii"
            | "randNumeric"
            | "randBytes"
            | "randInt"
            | "shuffle"
            | "uuidv4"
            | "getHostByName"
            | "bcrypt"
            | "htpasswd"
            | "genPrivateKey"
            | "genCA"
            | "genCAWithKey"
            | "genSelfSignedCert"
            | "genSelfSignedCertWithKey"
            | "genSignedCert"
            | "genSignedCertWithKey"
            | "buildCustomCert"
            | "encryptAES"
    )
}

/// (name, function), sorted by name (checked by a test).
static TABLE: &[(&str, Func)] = &[
    ("abbrev", strings::abbrev),
    ("abbrevboth", strings::abbrevboth),
    ("add", numeric::add),
    ("add1", numeric::add1),
    ("add1f", numeric::add1f),
    ("addf", numeric::addf),
    ("adler32sum", encoding::adler32sum),
    ("ago", dates::ago),
    ("all", flow::all),
    ("any", flow::any),
    ("append", lists::append),
    ("atoi", conv::atoi),
    ("b32dec", encoding::b32dec),
    ("b32enc", encoding::b32enc),
    ("b64dec", encoding::b64dec),
    ("b64enc", encoding::b64enc),
    ("base", net::base),
    ("bcrypt", crypto::bcrypt),
    ("biggest", numeric::max),
    ("buildCustomCert", crypto::build_custom_cert),
    ("camelcase", strings::camelcase),
    ("cat", strings::cat),
    ("ceil", numeric::ceil),
    ("chunk", lists::chunk),
    ("clean", net::clean),
    ("coalesce", flow::coalesce),
    ("compact", lists::compact),
    ("concat", lists::concat),
    ("contains", strings::contains),
    ("date", dates::date),
    ("dateInZone", dates::date_in_zone),
    ("dateModify", dates::date_modify),
    ("date_in_zone", dates::date_in_zone),
    ("date_modify", dates::date_modify),
    ("decryptAES", crypto::decrypt_aes),
    ("deepCopy", dicts::deep_copy),
    ("deepEqual", reflect::deep_equal),
    ("default", flow::default),
    ("derivePassword", crypto::derive_password),
    ("dict", dicts::dict),
    ("dig", dicts::dig),
    ("dir", net::dir),
    ("div", numeric::div),
    ("divf", numeric::divf),
    ("duration", dates::duration),
    ("durationRound", dates::duration_round),
    ("empty", flow::empty),
    ("encryptAES", crypto::encrypt_aes),
    ("ext", net::ext),
    ("fail", flow::fail),
    ("first", lists::first),
    ("float64", conv::float64),
    ("floor", numeric::floor),
    ("fromJson", json::helm_from_json),
    ("fromJsonArray", json::from_json_array),
    ("fromToml", toml::from_toml),
    ("fromYaml", yaml::from_yaml),
    ("fromYamlArray", yaml::from_yaml_array),
    ("genCA", crypto::gen_ca),
    ("genCAWithKey", crypto::gen_ca_with_key),
    ("genPrivateKey", crypto::gen_private_key),
    ("genSelfSignedCert", crypto::gen_self_signed_cert),
    (
        "genSelfSignedCertWithKey",
        crypto::gen_self_signed_cert_with_key,
    ),
    ("genSignedCert", crypto::gen_signed_cert),
    ("genSignedCertWithKey", crypto::gen_signed_cert_with_key),
    ("get", dicts::get),
    ("getHostByName", net::get_host_by_name),
    ("has", lists::has),
    ("hasKey", dicts::has_key),
    ("hasPrefix", strings::has_prefix),
    ("hasSuffix", strings::has_suffix),
    ("hello", strings::hello),
    ("htmlDate", dates::html_date),
    ("htmlDateInZone", dates::html_date_in_zone),
    ("htpasswd", crypto::htpasswd),
    ("indent", strings::indent),
    ("initial", lists::initial),
    ("initials", strings::initials),
    ("int", conv::int),
    ("int64", conv::int64),
    ("isAbs", net::is_abs),
    ("join", strings::join),
    ("kebabcase", strings::kebabcase),
    ("keys", dicts::keys),
    ("kindIs", reflect::kind_is),
    ("kindOf", reflect::kind_of),
    ("last", lists::last),
    ("list", lists::list),
    ("lookup", dicts::lookup),
    ("lower", strings::lower),
    ("max", numeric::max),
    ("maxf", numeric::maxf),
    ("merge", dicts::merge),
    ("mergeOverwrite", dicts::merge_overwrite),
    ("min", numeric::min),
    ("minf", numeric::minf),
    ("mod", numeric::modulo),
    ("mul", numeric::mul),
    ("mulf", numeric::mulf),
    ("mustAppend", lists::must_append),
    ("mustChunk", lists::must_chunk),
    ("mustCompact", lists::must_compact),
    ("mustDateModify", dates::must_date_modify),
    ("mustDeepCopy", dicts::must_deep_copy),
    ("mustFirst", lists::must_first),
    ("mustFromJson", json::must_from_json),
    ("mustHas", lists::must_has),
    ("mustInitial", lists::must_initial),
    ("mustLast", lists::must_last),
    ("mustMerge", dicts::must_merge),
    ("mustMergeOverwrite", dicts::must_merge_overwrite),
    ("mustPrepend", lists::must_prepend),
    ("mustPush", lists::must_append),
    ("mustRegexFind", regex::must_regex_find),
    ("mustRegexFindAll", regex::must_regex_find_all),
    ("mustRegexMatch", regex::must_regex_match),
    ("mustRegexReplaceAll", regex::must_regex_replace_all),
    (
        "mustRegexReplaceAllLiteral",
        regex::must_regex_replace_all_literal,
    ),
    ("mustRegexSplit", regex::must_regex_split),
    ("mustRest", lists::must_rest),
    ("mustReverse", lists::must_reverse),
    ("mustSlice", lists::must_slice),
    ("mustToDate", dates::must_to_date),
    ("mustToJson", json::must_to_json),
    ("mustToPrettyJson", json::must_to_pretty_json),
    ("mustToRawJson", json::must_to_raw_json),
    ("mustToToml", toml::must_to_toml),
    ("mustToYaml", yaml::must_to_yaml),
    ("mustUniq", lists::must_uniq),
    ("mustWithout", lists::must_without),
    ("must_date_modify", dates::must_date_modify),
    ("nindent", strings::nindent),
    ("nospace", strings::nospace),
    ("now", dates::now),
    ("omit", dicts::omit),
    ("osBase", net::base),
    ("osClean", net::clean),
    ("osDir", net::dir),
    ("osExt", net::ext),
    ("osIsAbs", net::is_abs),
    ("pick", dicts::pick),
    ("pluck", dicts::pluck),
    ("plural", strings::plural),
    ("prepend", lists::prepend),
    ("push", lists::append),
    ("quote", strings::quote),
    ("randAlpha", strings::rand_alpha),
    ("randAlphaNum", strings::rand_alpha_num),
    ("randAscii", strings::rand_ascii),
    ("randBytes", crypto::rand_bytes),
    ("randInt", numeric::rand_int),
    ("randNumeric", strings::rand_numeric),
    ("regexFind", regex::regex_find),
    ("regexFindAll", regex::regex_find_all),
    ("regexMatch", regex::regex_match),
    ("regexQuoteMeta", regex::regex_quote_meta),
    ("regexReplaceAll", regex::regex_replace_all),
    ("regexReplaceAllLiteral", regex::regex_replace_all_literal),
    ("regexSplit", regex::regex_split),
    ("repeat", strings::repeat),
    ("replace", strings::replace),
    ("required", flow::required),
    ("rest", lists::rest),
    ("reverse", lists::reverse),
    ("round", numeric::round),
    ("semver", semver::semver),
    ("semverCompare", semver::semver_compare),
    ("seq", numeric::seq),
    ("set", dicts::set),
    ("sha1sum", encoding::sha1sum),
    ("sha256sum", encoding::sha256sum),
    ("sha512sum", encoding::sha512sum),
    ("shuffle", strings::shuffle),
    ("slice", lists::slice),
    ("snakecase", strings::snakecase),
    ("sortAlpha", lists::sort_alpha),
    ("split", strings::split),
    ("splitList", strings::split_list),
    ("splitn", strings::splitn),
    ("squote", strings::squote),
    ("sub", numeric::sub),
    ("subf", numeric::subf),
    ("substr", strings::substr),
    ("swapcase", strings::swapcase),
    ("ternary", flow::ternary),
    ("title", strings::title),
    ("toDate", dates::to_date),
    ("toDecimal", conv::to_decimal),
    ("toJson", json::helm_to_json),
    ("toPrettyJson", json::to_pretty_json),
    ("toRawJson", json::to_raw_json),
    ("toString", conv::to_string),
    ("toStrings", conv::to_strings),
    ("toToml", toml::to_toml),
    ("toYaml", yaml::to_yaml),
    ("toYamlPretty", yaml::to_yaml_pretty),
    ("trim", strings::trim),
    ("trimAll", strings::trim_all),
    ("trimPrefix", strings::trim_prefix),
    ("trimSuffix", strings::trim_suffix),
    ("trimall", strings::trim_all),
    ("trunc", strings::trunc),
    ("tuple", lists::list),
    ("typeIs", reflect::type_is),
    ("typeIsLike", reflect::type_is_like),
    ("typeOf", reflect::type_of),
    ("uniq", lists::uniq),
    ("unixEpoch", dates::unix_epoch),
    ("unset", dicts::unset),
    ("until", numeric::until),
    ("untilStep", numeric::until_step),
    ("untitle", strings::untitle),
    ("upper", strings::upper),
    ("urlJoin", net::url_join),
    ("urlParse", net::url_parse),
    ("uuidv4", crypto::uuidv4),
    ("values", dicts::values),
    ("without", lists::without),
    ("wrap", strings::wrap),
    ("wrapWith", strings::wrap_with),
];

// ---- argument helpers: text/template's checks and conversions ----

/// Exactly `N` arguments, or text/template's "wrong number of args" error.
pub(super) fn args_n<'a, const N: usize>(
    name: &str,
    args: &'a [Value],
) -> Result<&'a [Value; N], String> {
    args.try_into().map_err(|_| {
        format!(
            "wrong number of args for {name}: want {N} got {}",
            args.len()
        )
    })
}

/// At least `n` arguments (a variadic function).
pub(super) fn args_min(name: &str, args: &[Value], n: usize) -> Result<(), String> {
    if args.len() < n {
        return Err(format!(
            "wrong number of args for {name}: want at least {n} got {}",
            args.len()
        ));
    }
    Ok(())
}

/// Go's name of the value's type in text/template's argument errors.
pub(super) fn go_type(v: &Value) -> &'static str {
    super::gofmt::type_name(v)
}

fn wrong_type(expected: &str, v: &Value) -> String {
    if matches!(v, Value::Nil) {
        format!("invalid value; expected {expected}")
    } else {
        format!(
            "wrong type for value; expected {expected}; got {}",
            go_type(v)
        )
    }
}

/// A `string` parameter.
pub(super) fn as_str(v: &Value) -> Result<&str, String> {
    match v {
        Value::Str(s) => Ok(&s.text),
        _ => Err(wrong_type("string", v)),
    }
}

/// An `int` parameter (a template's integer constant or an integer result; Go does not
/// convert a float64 from values).
pub(super) fn as_int(v: &Value) -> Result<i64, String> {
    match v {
        Value::Int(i) => Ok(*i),
        _ => Err(wrong_type("int", v)),
    }
}

/// A `bool` parameter.
pub(super) fn as_bool(v: &Value) -> Result<bool, String> {
    match v {
        Value::Bool(b) => Ok(*b),
        _ => Err(wrong_type("bool", v)),
    }
}

/// A `map[string]interface{}` parameter. text/template passes nil as a nil map, which reads
/// as empty: here a new empty map.
pub(super) fn as_map(v: &Value) -> Result<Map, String> {
    match v {
        Value::Map(m) => Ok(m.clone()),
        Value::Nil => Ok(Map::default()),
        _ => Err(wrong_type("map[string]interface {}", v)),
    }
}

/// A `[]interface{}`-or-array parameter that Sprig inspects with reflect: the kind error of
/// `Cannot <what> on type <kind>` when it is not one. (Go panics on nil: `reflect.TypeOf(nil)`
/// has no kind.)
pub(super) fn as_list<'a>(v: &'a Value, what: &str) -> Result<&'a [Value], String> {
    match v {
        Value::List(l) => Ok(l),
        Value::Nil => {
            Err("runtime error: invalid memory address or nil pointer dereference".to_owned())
        }
        _ => Err(format!("Cannot {what} on type {}", reflect::kind_name(v))),
    }
}

pub(super) fn s(text: impl Into<std::rc::Rc<str>>) -> Value {
    Value::str(text)
}

pub(super) fn new_map(entries: BTreeMap<String, Value>) -> Value {
    Value::map(entries)
}

/// A string no longer than [`MAX_STRING`].
pub(super) fn check_len(name: &str, len: usize) -> Result<(), String> {
    if len > MAX_STRING {
        return Err(format!(
            "{name}: the result would be {len} bytes, more than the limit of {MAX_STRING}"
        ));
    }
    Ok(())
}

/// A list no longer than [`MAX_ITEMS`].
pub(super) fn check_items(name: &str, n: u128) -> Result<(), String> {
    if n > MAX_ITEMS as u128 {
        return Err(format!(
            "{name}: the result would have {n} items, more than the limit of {MAX_ITEMS}"
        ));
    }
    Ok(())
}

/// The most values a recursive walk visits: a map holding itself under two keys makes a walk
/// to depth [`MAX_DEPTH`] exponential without it.
pub(crate) const MAX_NODES: usize = 1 << 22;

/// One more visited value, or the error when the walk has visited [`MAX_NODES`].
pub(super) fn spend(budget: &mut usize, name: &str) -> Result<(), String> {
    match budget.checked_sub(1) {
        Some(left) => {
            *budget = left;
            Ok(())
        }
        None => Err(format!(
            "{name}: the value has more than {MAX_NODES} parts (a map that contains itself?)"
        )),
    }
}

pub(super) fn too_deep(name: &str) -> String {
    format!("{name}: nesting deeper than {MAX_DEPTH} levels (a value that contains itself?)")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::helm::value::Value;

    #[test]
    fn the_table_is_sorted_and_complete() {
        let names: Vec<&str> = names().collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(names, sorted, "TABLE must be sorted, without duplicates");
        // Sprig's 209 names (functions.go v3.3.0) less env/expandenv, Helm's extras less
        // include/tpl, Helm v4's mustToYaml/mustToToml.
        let Some(sprig) = crate::helm::funcs::testing::oracle("sprig-functions.txt") else {
            return;
        };
        let Some(helm) = crate::helm::funcs::testing::oracle("helm-extra-functions.txt") else {
            return;
        };
        let mut missing = Vec::new();
        for line in sprig.lines().chain(helm.lines()) {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let name = line.split('\t').next().unwrap_or_default();
            if matches!(name, "env" | "expandenv" | "include" | "tpl") {
                assert!(lookup(name).is_none(), "{name} must not be defined here");
                continue;
            }
            if lookup(name).is_none() {
                missing.push(name.to_owned());
            }
        }
        assert!(missing.is_empty(), "not defined: {missing:?}");
    }

    /// Sprig's cases that cannot pass here, and why.
    const KNOWN_DIFFERENCES: &[(&str, &str)] = &[(
        r#"{{ shuffle "Hello World" }}"#,
        "random in Sprig (this case seeds Go's math/rand); here the string is kept as it is",
    )];

    /// Every single-template case of Sprig v3.3.0's tests (`sprig_cases.rs`), run through the
    /// test evaluator: all pass but the Windows-only ones, those the evaluator cannot express
    /// (method calls with arguments), and the known differences listed above.
    #[test]
    fn sprig_v3_3_0_cases() {
        let data = Value::map(BTreeMap::new());
        let (mut passed, mut unsupported) = (0, Vec::new());
        let mut failures = Vec::new();
        for (file, tpl, want) in super::sprig_cases::CASES {
            if file.contains("windows") {
                continue;
            }
            if tpl.contains("env ") {
                // Helm removes env and expandenv.
                assert!(lookup("env").is_none() && lookup("expandenv").is_none());
                continue;
            }
            let got = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                super::testing::render(tpl, &data)
            }));
            match got {
                Err(_) => unsupported.push(*tpl),
                Ok(got) => {
                    let known = KNOWN_DIFFERENCES.iter().any(|(t, _)| t == tpl);
                    match (got, known) {
                        (Ok(g), false) if g == *want => passed += 1,
                        (Ok(g), true) if g == *want => failures.push(format!(
                            "{file} {tpl}: passes now, drop it from KNOWN_DIFFERENCES"
                        )),
                        (_, true) => {}
                        (Ok(g), false) => {
                            failures.push(format!("{file} {tpl}: want {want:?}, got {g:?}"))
                        }
                        (Err(e), false) => {
                            failures.push(format!("{file} {tpl}: want {want:?}, error {e}"))
                        }
                    }
                }
            }
        }
        eprintln!(
            "sprig cases: {passed} passed, {} known differences, {} beyond the test evaluator: {unsupported:?}",
            KNOWN_DIFFERENCES.len(),
            unsupported.len()
        );
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        assert!(unsupported.is_empty(), "{unsupported:?}");
    }

    /// Every function, called with every sequence of up to three awkward arguments (nil,
    /// extreme numbers, NaN, empty and long strings, empty and self-containing maps), returns
    /// (a value or an error) without panicking, in bounded time and memory.
    #[test]
    fn every_function_survives_awkward_arguments() {
        let selfish = Value::map(BTreeMap::new());
        if let Value::Map(m) = &selfish {
            m.borrow_mut().insert("a".to_owned(), selfish.clone());
            m.borrow_mut().insert("b".to_owned(), selfish.clone());
        }
        let pool = [
            Value::Nil,
            Value::Bool(true),
            Value::Int(-1),
            Value::Int(i64::MAX),
            Value::Int(i64::MIN),
            Value::Float(f64::NAN),
            Value::Float(-1e308),
            Value::str(""),
            Value::str("ab\n日本\t$1 \u{0}%v{{"),
            Value::list(vec![Value::Nil, Value::Int(0), Value::str("x")]),
            Value::map(BTreeMap::new()),
        ];
        let mut panics = Vec::new();
        for name in names() {
            let f = lookup(name).unwrap();
            let mut combos: Vec<Vec<Value>> = vec![vec![]];
            for a in &pool {
                combos.push(vec![a.clone()]);
                for b in &pool {
                    combos.push(vec![a.clone(), b.clone()]);
                    for c in &pool {
                        combos.push(vec![a.clone(), b.clone(), c.clone()]);
                    }
                }
            }
            // The self-containing map (each walk over it costs up to its bound, a second
            // unoptimised): as the piped argument, after a string.
            combos.push(vec![selfish.clone()]);
            combos.push(vec![Value::str("x"), selfish.clone()]);
            for args in combos {
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    let _ = f(&args);
                }));
                if r.is_err() {
                    panics.push(format!("{name} {args:?}"));
                }
            }
        }
        if let Value::Map(m) = &selfish {
            m.borrow_mut().clear();
        }
        assert!(
            panics.is_empty(),
            "{} panics, first: {:?}",
            panics.len(),
            panics.first()
        );
    }

    #[test]
    fn printing_a_map_that_holds_itself_twice_is_bounded() {
        let selfish = Value::map(BTreeMap::new());
        if let Value::Map(m) = &selfish {
            m.borrow_mut().insert("a".to_owned(), selfish.clone());
            m.borrow_mut().insert("b".to_owned(), selfish.clone());
        }
        for name in ["squote", "quote", "toString", "cat"] {
            let started = std::time::Instant::now();
            let out = lookup(name).unwrap()(std::slice::from_ref(&selfish)).unwrap();
            eprintln!(
                "{name}: {} bytes in {:?}",
                out.go_string().len(),
                started.elapsed()
            );
        }
        if let Value::Map(m) = &selfish {
            m.borrow_mut().clear();
        }
    }

    #[test]
    fn nonhermetic_functions_exist() {
        for name in names() {
            let _ = is_nonhermetic(name);
        }
        for name in ["now", "uuidv4", "randAlphaNum", "genCA", "bcrypt"] {
            assert!(is_nonhermetic(name) && lookup(name).is_some(), "{name}");
        }
        assert!(!is_nonhermetic("toYaml"));
    }
}
