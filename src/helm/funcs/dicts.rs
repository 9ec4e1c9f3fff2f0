//! Dictionaries: Sprig v3.3.0 dict.go (`dict`, `get`, `set`, `unset`, `hasKey`, `pluck`,
//! `keys`, `pick`, `omit`, `merge` and `mergeOverwrite` with dario.cat/mergo v1.0.1's rules,
//! `values`, `deepCopy`, `dig`) and Helm's `lookup` (no cluster: always an empty map).
//! Maps are shared like Go maps: `set`, `unset` and `merge` change the map they are given.

use std::collections::BTreeMap;

use super::conv::strval;
use super::flow::is_empty;
use super::{
    MAX_DEPTH, MAX_NODES, args_min, args_n, as_map, as_str, go_type, new_map, spend, too_deep,
};
use crate::helm::value::{Map, Value};

type R = Result<Value, String>;

pub(crate) fn dict(args: &[Value]) -> R {
    let mut m = BTreeMap::new();
    for pair in args.chunks(2) {
        let key = strval(pair.first().unwrap_or(&Value::Nil));
        m.insert(key, pair.get(1).cloned().unwrap_or_else(|| Value::str("")));
    }
    Ok(new_map(m))
}

pub(crate) fn get(args: &[Value]) -> R {
    let [d, key] = args_n("get", args)?;
    let (d, key) = (as_map(d)?, as_str(key)?);
    Ok(d.borrow()
        .get(key)
        .cloned()
        .unwrap_or_else(|| Value::str("")))
}

pub(crate) fn set(args: &[Value]) -> R {
    let [d, key, value] = args_n("set", args)?;
    let (m, key) = (as_map(d)?, as_str(key)?);
    if matches!(d, Value::Nil) {
        return Err("assignment to entry in nil map".to_owned());
    }
    m.try_borrow_mut()
        .map_err(|_| "set: the map is in use".to_owned())?
        .insert(key.to_owned(), value.clone());
    Ok(d.clone())
}

pub(crate) fn unset(args: &[Value]) -> R {
    let [d, key] = args_n("unset", args)?;
    let (m, key) = (as_map(d)?, as_str(key)?);
    m.try_borrow_mut()
        .map_err(|_| "unset: the map is in use".to_owned())?
        .remove(key);
    Ok(Value::Map(m))
}

pub(crate) fn has_key(args: &[Value]) -> R {
    let [d, key] = args_n("hasKey", args)?;
    let (d, key) = (as_map(d)?, as_str(key)?);
    Ok(Value::Bool(d.borrow().contains_key(key)))
}

pub(crate) fn pluck(args: &[Value]) -> R {
    args_min("pluck", args, 1)?;
    let (key, dicts) = args.split_first().ok_or_else(String::new)?;
    let key = as_str(key)?;
    let mut out = Vec::new();
    for d in dicts {
        if let Some(v) = as_map(d)?.borrow().get(key) {
            out.push(v.clone());
        }
    }
    Ok(Value::list(out))
}

/// `keys`: every key of every map (Go's map order is random; here each map's keys are sorted).
pub(crate) fn keys(args: &[Value]) -> R {
    let mut out = Vec::new();
    for d in args {
        out.extend(as_map(d)?.borrow().keys().map(|k| Value::str(k.as_str())));
    }
    Ok(Value::list(out))
}

pub(crate) fn values(args: &[Value]) -> R {
    let [d] = args_n("values", args)?;
    Ok(Value::list(as_map(d)?.borrow().values().cloned().collect()))
}

pub(crate) fn pick(args: &[Value]) -> R {
    args_min("pick", args, 1)?;
    let (d, keys) = args.split_first().ok_or_else(String::new)?;
    let d = as_map(d)?;
    let d = d.borrow();
    let mut out = BTreeMap::new();
    for k in keys {
        let k = as_str(k)?;
        if let Some(v) = d.get(k) {
            out.insert(k.to_owned(), v.clone());
        }
    }
    Ok(new_map(out))
}

pub(crate) fn omit(args: &[Value]) -> R {
    args_min("omit", args, 1)?;
    let (d, keys) = args.split_first().ok_or_else(String::new)?;
    let keys: Vec<&str> = keys.iter().map(as_str).collect::<Result<_, _>>()?;
    let out: BTreeMap<String, Value> = as_map(d)?
        .borrow()
        .iter()
        .filter(|(k, _)| !keys.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Ok(new_map(out))
}

/// mergo's `deepMerge` of `src` into `dst` (maps of `map[string]interface{}`): a key missing
/// or empty in dst takes src's value; two maps merge deeply (in place, as Go maps are shared);
/// otherwise dst keeps its value unless `overwrite`, where src's value wins (a nil too).
fn merge_into(
    dst: &Map,
    src: &Map,
    overwrite: bool,
    depth: usize,
    budget: &mut usize,
) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(too_deep("merge"));
    }
    spend(budget, "merge")?;
    if std::rc::Rc::ptr_eq(dst, src) {
        return Ok(());
    }
    let entries: Vec<(String, Value)> = src
        .try_borrow()
        .map_err(|_| too_deep("merge"))?
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (key, sv) in entries {
        if matches!(sv, Value::Nil) {
            if overwrite {
                dst.try_borrow_mut()
                    .map_err(|_| too_deep("merge"))?
                    .insert(key, Value::Nil);
            }
            continue;
        }
        let dv = dst.borrow().get(&key).cloned();
        if let (Some(Value::Map(dm)), Value::Map(sm)) = (&dv, &sv) {
            merge_into(dm, sm, overwrite, depth + 1, budget)?;
            if !dm.borrow().is_empty() {
                continue;
            }
        }
        let set = match &dv {
            None => true,
            Some(d) => overwrite || is_empty(d),
        };
        if set {
            dst.try_borrow_mut()
                .map_err(|_| too_deep("merge"))?
                .insert(key, sv);
        }
    }
    Ok(())
}

fn merge_impl(name: &str, args: &[Value], overwrite: bool) -> R {
    args_min(name, args, 1)?;
    let (dst, srcs) = args.split_first().ok_or_else(String::new)?;
    // A nil destination: mergo makes a new map.
    let d = as_map(dst)?;
    for src in srcs {
        merge_into(&d, &as_map(src)?, overwrite, 0, &mut MAX_NODES.clone())?;
    }
    Ok(Value::Map(d))
}

pub(crate) fn merge(args: &[Value]) -> R {
    merge_impl("merge", args, false)
}

pub(crate) fn must_merge(args: &[Value]) -> R {
    merge_impl("mustMerge", args, false)
}

pub(crate) fn merge_overwrite(args: &[Value]) -> R {
    merge_impl("mergeOverwrite", args, true)
}

pub(crate) fn must_merge_overwrite(args: &[Value]) -> R {
    merge_impl("mustMergeOverwrite", args, true)
}

/// A copy of the value sharing nothing mutable with it (mitchellh/copystructure).
pub(crate) fn copy_value(v: &Value, depth: usize, budget: &mut usize) -> Result<Value, String> {
    if depth > MAX_DEPTH {
        return Err(too_deep("deepCopy"));
    }
    spend(budget, "deepCopy")?;
    Ok(match v {
        Value::List(items) => Value::list(
            items
                .iter()
                .map(|i| copy_value(i, depth + 1, budget))
                .collect::<Result<_, _>>()?,
        ),
        Value::Map(m) => {
            let m = m.try_borrow().map_err(|_| too_deep("deepCopy"))?;
            let mut out = BTreeMap::new();
            for (k, v) in m.iter() {
                out.insert(k.clone(), copy_value(v, depth + 1, budget)?);
            }
            new_map(out)
        }
        other => other.clone(),
    })
}

pub(crate) fn deep_copy(args: &[Value]) -> R {
    let [v] = args_n("deepCopy", args)?;
    copy_value(v, 0, &mut MAX_NODES.clone()).map_err(|e| format!("deepCopy error: {e}"))
}

pub(crate) fn must_deep_copy(args: &[Value]) -> R {
    let [v] = args_n("mustDeepCopy", args)?;
    copy_value(v, 0, &mut MAX_NODES.clone())
}

/// `dig KEY... DEFAULT DICT`.
pub(crate) fn dig(args: &[Value]) -> R {
    if args.len() < 3 {
        return Err("dig needs at least three arguments".to_owned());
    }
    let (dict, rest) = args.split_last().ok_or_else(String::new)?;
    let (default, keys) = rest.split_last().ok_or_else(String::new)?;
    let mut current = match dict {
        Value::Map(m) => m.clone(),
        other => return Err(conversion_error(other, "map[string]interface {}")),
    };
    let keys: Vec<&str> = keys
        .iter()
        .map(|k| match k {
            Value::Str(s) => Ok(&*s.text),
            other => Err(conversion_error(other, "string")),
        })
        .collect::<Result<_, _>>()?;
    for (i, key) in keys.iter().enumerate() {
        let step = match current.borrow().get(*key) {
            None => return Ok(default.clone()),
            Some(v) => v.clone(),
        };
        if i + 1 == keys.len() {
            return Ok(step);
        }
        current = match step {
            Value::Map(m) => m,
            other => return Err(conversion_error(&other, "map[string]interface {}")),
        };
    }
    Ok(default.clone())
}

/// Go's failed type assertion panic.
fn conversion_error(v: &Value, want: &str) -> String {
    let got = match v {
        Value::Nil => "nil",
        other => go_type(other),
    };
    format!("interface conversion: interface {{}} is {got}, not {want}")
}

/// Helm's `lookup APIVERSION KIND NAMESPACE NAME`: with no cluster (`helm template`), an empty
/// map.
pub(crate) fn lookup(args: &[Value]) -> R {
    let [a, b, c, d] = args_n("lookup", args)?;
    for v in [a, b, c, d] {
        as_str(v)?;
    }
    Ok(new_map(BTreeMap::new()))
}

#[cfg(test)]
mod tests {
    use super::super::testing::{call, check_all, map_of, render, run_err};
    use crate::helm::value::Value;

    fn int(i: i64) -> Value {
        Value::Int(i)
    }

    fn st(x: &str) -> Value {
        Value::str(x)
    }

    // Sprig v3.3.0 dict_test.go.
    #[test]
    fn sprig_dict_tests() {
        let n = check_all(&[
            // TestDict
            (r#"{{ dict "a" 1 "b" 2 }}"#, "map[a:1 b:2]"),
            (r#"{{ dict "a" 1 "b" }}"#, "map[a:1 b:]"),
            (r#"{{ dict 1 2 true 4 }}"#, "map[1:2 true:4]"),
            // TestUnset, TestSet, TestHasKey
            (
                r#"{{ unset (dict "one" 1 "two" 222222) "two" }}"#,
                "map[one:1]",
            ),
            (r#"{{ set (dict "one" 1) "two" 2 }}"#, "map[one:1 two:2]"),
            (r#"{{ hasKey (dict "one" 1) "one" }}"#, "true"),
            (r#"{{ hasKey (dict "one" 1) "two" }}"#, "false"),
            // TestPluck
            (
                r#"{{ pluck "value" (dict "value" 1) (dict "value" 2) (dict "other" 3) }}"#,
                "[1 2]",
            ),
            // TestKeys
            (
                r#"{{ dict "foo" 1 "bar" 2 | keys | sortAlpha }}"#,
                "[bar foo]",
            ),
            (
                r#"{{ keys (dict "foo" 1) (dict "bar" 2) (dict "bar" 3) | uniq | sortAlpha }}"#,
                "[bar foo]",
            ),
            // TestPick
            (r#"{{ pick (dict "one" 1 "two" 222222) "two" | len }}"#, "1"),
            (
                r#"{{ pick (dict "one" 1 "two" 222222) "two" }}"#,
                "map[two:222222]",
            ),
            (
                r#"{{ pick (dict "one" 1 "two" 222222) "one" "two" | len }}"#,
                "2",
            ),
            (
                r#"{{ pick (dict "one" 1 "two" 222222) "nope" | len }}"#,
                "0",
            ),
            // TestOmit
            (r#"{{ omit (dict "one" 1 "two" 222222) "one" | len }}"#, "1"),
            (
                r#"{{ omit (dict "one" 1 "two" 222222) "one" }}"#,
                "map[two:222222]",
            ),
            (
                r#"{{ omit (dict "one" 1 "two" 222222) "one" "two" | len }}"#,
                "0",
            ),
            (
                r#"{{ omit (dict "one" 1 "two" 222222) "nope" | len }}"#,
                "2",
            ),
            // TestGet
            (r#"{{ get (dict "one" 1) "one" }}"#, "1"),
            (r#"{{ get (dict "one" 1) "two" }}"#, ""),
            // TestValues
            (
                r#"{{ values (dict "a" 1 "b" 2) | sortAlpha | join "," }}"#,
                "1,2",
            ),
            (
                r#"{{ values (dict "a" "first" "b" 2) | sortAlpha | join "," }}"#,
                "2,first",
            ),
            // TestDeepCopy / TestMustDeepCopy
            (
                r#"{{ dict "a" 1 "b" 2 | deepCopy | values | sortAlpha | join "," }}"#,
                "1,2",
            ),
            (
                r#"{{ dict "a" 1 "b" 2 | deepCopy | keys | sortAlpha | join "," }}"#,
                "a,b",
            ),
            (
                r#"{{ deepCopy (dict "foo" (dict "bar" "baz") "qux" true) }}"#,
                "map[foo:map[bar:baz] qux:true]",
            ),
            (
                r#"{{ mustDeepCopy (dict "foo" (dict "bar" "baz") "qux" true) }}"#,
                "map[foo:map[bar:baz] qux:true]",
            ),
            // TestDig
            (
                r#"{{ dig "a" "b" "c" "" (dict "a" (dict "b" (dict "c" 1))) }}"#,
                "1",
            ),
            (
                r#"{{ dig "a" "b" "z" "2" (dict "a" (dict "b" (dict "c" 1))) }}"#,
                "2",
            ),
            (r#"{{ dict "a" 1 | dig "a" "" }}"#, "1"),
            (r#"{{ dict "a" 1 | dig "z" "2" }}"#, "2"),
            // Helm's lookup without a cluster
            (r#"{{ lookup "v1" "Secret" "ns" "name" }}"#, "map[]"),
        ]);
        assert!(n > 25);
    }

    fn merge_fixture() -> Value {
        map_of(vec![
            (
                "src2",
                map_of(vec![("h", int(10)), ("i", st("i")), ("j", st("j"))]),
            ),
            (
                "src1",
                map_of(vec![
                    ("a", int(1)),
                    ("b", int(2)),
                    ("d", map_of(vec![("e", st("four"))])),
                    ("g", Value::list(vec![int(6), int(7)])),
                    ("i", st("aye")),
                    ("j", st("jay")),
                    ("k", map_of(vec![("l", Value::Bool(false))])),
                ]),
            ),
            (
                "dst",
                map_of(vec![
                    ("a", st("one")),
                    ("c", int(3)),
                    ("d", map_of(vec![("f", int(5))])),
                    ("g", Value::list(vec![int(8), int(9)])),
                    ("i", st("eye")),
                    ("k", map_of(vec![("l", Value::Bool(true))])),
                ]),
            ),
        ])
    }

    // TestMerge, TestMergeOverwrite: the destination map changes in place.
    #[test]
    fn sprig_merge_tests() {
        let data = merge_fixture();
        render("{{ merge .dst .src1 .src2 }}", &data).unwrap();
        assert_eq!(
            render("{{ .dst }}", &data).unwrap(),
            "map[a:one b:2 c:3 d:map[e:four f:5] g:[8 9] h:10 i:eye j:jay k:map[l:true]]"
        );
        let data = merge_fixture();
        render("{{ mergeOverwrite .dst .src1 .src2 }}", &data).unwrap();
        assert_eq!(
            render("{{ .dst }}", &data).unwrap(),
            "map[a:1 b:2 c:3 d:map[e:four f:5] g:[6 7] h:10 i:i j:j k:map[l:false]]"
        );
    }

    #[test]
    fn self_containing_maps_are_bounded() {
        let m = call("dict", &[]).unwrap();
        call("set", &[m.clone(), st("self"), m.clone()]).unwrap();
        let e = call("deepCopy", std::slice::from_ref(&m)).unwrap_err();
        assert!(e.contains("deeper"), "{e}");
        let other = call("dict", &[]).unwrap();
        call("merge", &[other.clone(), m.clone()]).unwrap();
        call("mergeOverwrite", &[m.clone(), m.clone()]).unwrap();
        // Break the cycle.
        call("unset", &[m, st("self")]).unwrap();
        call("unset", &[other, st("self")]).unwrap();
    }

    // text/template passes nil as a nil map: reads see it empty, writes panic.
    #[test]
    fn nil_maps() {
        check_all(&[
            (r#"{{ get nil "x" }}"#, ""),
            (r#"{{ hasKey nil "x" }}"#, "false"),
            (r#"{{ keys nil }}"#, "[]"),
            (r#"{{ merge nil (dict "a" 1) }}"#, "map[a:1]"),
            (r#"{{ merge (dict "a" 1) nil }}"#, "map[a:1]"),
            (r#"{{ pluck "a" nil (dict "a" 1) }}"#, "[1]"),
        ]);
        assert_eq!(
            run_err(r#"{{ set nil "a" 1 }}"#),
            "assignment to entry in nil map"
        );
    }

    /// A map holding itself under two keys: every walk is bounded by size, not only depth.
    #[test]
    fn doubly_self_containing_maps_are_bounded() {
        let m = call("dict", &[]).unwrap();
        call("set", &[m.clone(), st("a"), m.clone()]).unwrap();
        call("set", &[m.clone(), st("b"), m.clone()]).unwrap();
        let one = std::slice::from_ref(&m);
        assert!(call("deepCopy", one).is_err());
        assert!(call("mustToJson", one).is_err());
        assert!(call("mustToYaml", one).is_err());
        assert!(call("toString", one).unwrap().go_string().len() < 64 << 20);
        assert!(m.go_string().len() < 64 << 20);
        assert_eq!(
            call("deepEqual", &[m.clone(), m.clone()])
                .unwrap()
                .go_string(),
            "true"
        );
        let other = call("dict", &[]).unwrap();
        call("set", &[other.clone(), st("a"), other.clone()]).unwrap();
        call("set", &[other.clone(), st("b"), other.clone()]).unwrap();
        // Go's DeepEqual ends cycles: the two are equal.
        assert_eq!(
            call("deepEqual", &[m.clone(), other.clone()])
                .unwrap()
                .go_string(),
            "true"
        );
        assert!(call("mustMergeOverwrite", &[other.clone(), m.clone()]).is_err());
        for v in [m, other] {
            call("unset", &[v.clone(), st("a")]).unwrap();
            call("unset", &[v, st("b")]).unwrap();
        }
    }

    #[test]
    fn wrong_types() {
        assert_eq!(
            run_err(r#"{{ get "x" "y" }}"#),
            "wrong type for value; expected map[string]interface {}; got string"
        );
        assert_eq!(
            run_err(r#"{{ dig "a" "b" "" (dict "a" 1) }}"#),
            "interface conversion: interface {} is int, not map[string]interface {}"
        );
    }
}
