//! List functions: Sprig v3.3.0 list.go. A Go panic of the plain variants (`first` of a
//! string) is an error here too, as text/template turns the panic into one; the `must`
//! variants return the same error.

use super::flow::is_empty;
use super::reflect::{deep_eq, kind_name};
use super::{MAX_ITEMS, args_min, args_n, as_int, as_list, check_items, s};
use crate::helm::value::Value;

type R = Result<Value, String>;

pub(crate) fn list(args: &[Value]) -> R {
    Ok(Value::list(args.to_vec()))
}

fn push_impl(args: &[Value], name: &str) -> R {
    let [l, v] = args_n(name, args)?;
    let items = as_list(l, "push")?;
    check_items(name, items.len() as u128 + 1)?;
    let mut out = items.to_vec();
    out.push(v.clone());
    Ok(Value::list(out))
}

pub(crate) fn append(args: &[Value]) -> R {
    push_impl(args, "append")
}

pub(crate) fn must_append(args: &[Value]) -> R {
    push_impl(args, "mustAppend")
}

fn prepend_impl(args: &[Value], name: &str) -> R {
    let [l, v] = args_n(name, args)?;
    let items = as_list(l, "prepend")?;
    check_items(name, items.len() as u128 + 1)?;
    let mut out = Vec::with_capacity(items.len() + 1);
    out.push(v.clone());
    out.extend(items.iter().cloned());
    Ok(Value::list(out))
}

pub(crate) fn prepend(args: &[Value]) -> R {
    prepend_impl(args, "prepend")
}

pub(crate) fn must_prepend(args: &[Value]) -> R {
    prepend_impl(args, "mustPrepend")
}

fn chunk_impl(args: &[Value], name: &str) -> R {
    let [size, l] = args_n(name, args)?;
    let size = as_int(size)?;
    let items = as_list(l, "chunk")?;
    if size <= 0 {
        return Err("runtime error: integer divide by zero".to_owned());
    }
    if items.is_empty() {
        // Go: cs = floor(-1/size) + 1 = 0 chunks.
        return Ok(Value::list(Vec::new()));
    }
    Ok(Value::list(
        items
            .chunks(usize::try_from(size).unwrap_or(usize::MAX))
            .map(|c| Value::list(c.to_vec()))
            .collect(),
    ))
}

pub(crate) fn chunk(args: &[Value]) -> R {
    chunk_impl(args, "chunk")
}

pub(crate) fn must_chunk(args: &[Value]) -> R {
    chunk_impl(args, "mustChunk")
}

fn last_impl(args: &[Value], name: &str) -> R {
    let [l] = args_n(name, args)?;
    Ok(as_list(l, "find last")?.last().cloned().unwrap_or_default())
}

pub(crate) fn last(args: &[Value]) -> R {
    last_impl(args, "last")
}

pub(crate) fn must_last(args: &[Value]) -> R {
    last_impl(args, "mustLast")
}

fn first_impl(args: &[Value], name: &str) -> R {
    let [l] = args_n(name, args)?;
    Ok(as_list(l, "find first")?
        .first()
        .cloned()
        .unwrap_or_default())
}

pub(crate) fn first(args: &[Value]) -> R {
    first_impl(args, "first")
}

pub(crate) fn must_first(args: &[Value]) -> R {
    first_impl(args, "mustFirst")
}

fn rest_impl(args: &[Value], name: &str) -> R {
    let [l] = args_n(name, args)?;
    let items = as_list(l, "find rest")?;
    if items.is_empty() {
        // Go's nil []interface{}: prints as [].
        return Ok(Value::list(Vec::new()));
    }
    Ok(Value::list(items.get(1..).unwrap_or_default().to_vec()))
}

pub(crate) fn rest(args: &[Value]) -> R {
    rest_impl(args, "rest")
}

pub(crate) fn must_rest(args: &[Value]) -> R {
    rest_impl(args, "mustRest")
}

fn initial_impl(args: &[Value], name: &str) -> R {
    let [l] = args_n(name, args)?;
    let items = as_list(l, "find initial")?;
    if items.is_empty() {
        return Ok(Value::list(Vec::new()));
    }
    Ok(Value::list(
        items.get(..items.len() - 1).unwrap_or_default().to_vec(),
    ))
}

pub(crate) fn initial(args: &[Value]) -> R {
    initial_impl(args, "initial")
}

pub(crate) fn must_initial(args: &[Value]) -> R {
    initial_impl(args, "mustInitial")
}

/// `sortAlpha`: a list's elements as strings, sorted; another value as a one-element list.
pub(crate) fn sort_alpha(args: &[Value]) -> R {
    let [l] = args_n("sortAlpha", args)?;
    let mut strs = match l {
        Value::List(_) => super::conv::strslice(l),
        other => vec![super::conv::strval(other)],
    };
    strs.sort();
    Ok(Value::list(strs.into_iter().map(s).collect()))
}

fn reverse_impl(args: &[Value], name: &str) -> R {
    let [l] = args_n(name, args)?;
    let mut items = as_list(l, "find reverse")?.to_vec();
    items.reverse();
    Ok(Value::list(items))
}

pub(crate) fn reverse(args: &[Value]) -> R {
    reverse_impl(args, "reverse")
}

pub(crate) fn must_reverse(args: &[Value]) -> R {
    reverse_impl(args, "mustReverse")
}

fn compact_impl(args: &[Value], name: &str) -> R {
    let [l] = args_n(name, args)?;
    let items = as_list(l, "compact")?;
    Ok(Value::list(
        items.iter().filter(|v| !is_empty(v)).cloned().collect(),
    ))
}

pub(crate) fn compact(args: &[Value]) -> R {
    compact_impl(args, "compact")
}

pub(crate) fn must_compact(args: &[Value]) -> R {
    compact_impl(args, "mustCompact")
}

fn uniq_impl(args: &[Value], name: &str) -> R {
    let [l] = args_n(name, args)?;
    let items = as_list(l, "find uniq")?;
    // Scalars are found by hash (a million-item list stays linear); lists, maps and objects
    // by Go's DeepEqual against the kept ones of their kind.
    let mut seen = std::collections::HashSet::new();
    let mut composite: Vec<&Value> = Vec::new();
    let mut out: Vec<Value> = Vec::new();
    for item in items {
        let key = match item {
            Value::Nil => Some((0u8, String::new())),
            Value::Bool(b) => Some((1, b.to_string())),
            Value::Int(i) => Some((2, i.to_string())),
            Value::Float(f) => Some((3, f.to_bits().to_string())),
            Value::Str(st) => Some((4, st.text.to_string())),
            _ => None,
        };
        let new = match key {
            Some(k) => seen.insert(k),
            None => {
                if composite.iter().any(|o| deep_eq(o, item)) {
                    false
                } else {
                    composite.push(item);
                    true
                }
            }
        };
        if new {
            out.push(item.clone());
        }
    }
    Ok(Value::list(out))
}

pub(crate) fn uniq(args: &[Value]) -> R {
    uniq_impl(args, "uniq")
}

pub(crate) fn must_uniq(args: &[Value]) -> R {
    uniq_impl(args, "mustUniq")
}

fn without_impl(args: &[Value], name: &str) -> R {
    args_min(name, args, 1)?;
    let (l, omit) = args.split_first().ok_or_else(String::new)?;
    let items = as_list(l, "find without")?;
    Ok(Value::list(
        items
            .iter()
            .filter(|item| !omit.iter().any(|o| deep_eq(o, item)))
            .cloned()
            .collect(),
    ))
}

pub(crate) fn without(args: &[Value]) -> R {
    without_impl(args, "without")
}

pub(crate) fn must_without(args: &[Value]) -> R {
    without_impl(args, "mustWithout")
}

fn has_impl(args: &[Value], name: &str) -> R {
    let [needle, haystack] = args_n(name, args)?;
    if matches!(haystack, Value::Nil) {
        return Ok(Value::Bool(false));
    }
    let items = as_list(haystack, "find has")?;
    Ok(Value::Bool(items.iter().any(|i| deep_eq(needle, i))))
}

pub(crate) fn has(args: &[Value]) -> R {
    has_impl(args, "has")
}

pub(crate) fn must_has(args: &[Value]) -> R {
    has_impl(args, "mustHas")
}

fn slice_impl(args: &[Value], name: &str) -> R {
    args_min(name, args, 1)?;
    let (l, indices) = args.split_first().ok_or_else(String::new)?;
    let items = match l {
        Value::List(items) => items,
        other => {
            return Err(format!(
                "list should be type of slice or array but {}",
                kind_name(other)
            ));
        }
    };
    if items.is_empty() {
        return Ok(Value::Nil);
    }
    let start = indices.first().map_or(0, super::conv::to_int64);
    let end = match indices.get(1) {
        Some(v) => super::conv::to_int64(v),
        None => items.len() as i64,
    };
    if start < 0 || end < start || end > items.len() as i64 {
        return Err("reflect: slice index out of range".to_owned());
    }
    Ok(Value::list(
        items
            .get(start as usize..end as usize)
            .unwrap_or_default()
            .to_vec(),
    ))
}

pub(crate) fn slice(args: &[Value]) -> R {
    slice_impl(args, "slice")
}

pub(crate) fn must_slice(args: &[Value]) -> R {
    slice_impl(args, "mustSlice")
}

pub(crate) fn concat(args: &[Value]) -> R {
    let mut out = Vec::new();
    for l in args {
        match l {
            Value::List(items) => {
                if out.len() + items.len() > MAX_ITEMS {
                    check_items("concat", (out.len() + items.len()) as u128)?;
                }
                out.extend(items.iter().cloned());
            }
            Value::Nil => {
                return Err(
                    "runtime error: invalid memory address or nil pointer dereference".to_owned(),
                );
            }
            other => {
                return Err(format!("Cannot concat type {} as list", kind_name(other)));
            }
        }
    }
    Ok(Value::list(out))
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check_all, run_err};

    // Sprig v3.3.0 list_test.go.
    #[test]
    fn sprig_list_tests() {
        let n = check_all(&[
            // TestTuple / TestList
            (r#"{{ list "a" "b" "c" }}"#, "[a b c]"),
            (r#"{{ tuple 1 2 3 }}"#, "[1 2 3]"),
            // TestPush
            (r#"{{ append (list 1 2 3) 4 }}"#, "[1 2 3 4]"),
            (r#"{{ push (list 1 2 3) 4 }}"#, "[1 2 3 4]"),
            (r#"{{ mustAppend (list 1 2 3) 4 }}"#, "[1 2 3 4]"),
            // TestPrepend
            (r#"{{ prepend (list 1 2 3) 0 }}"#, "[0 1 2 3]"),
            (r#"{{ mustPrepend (list 1 2 3) 0 }}"#, "[0 1 2 3]"),
            // TestFirst
            (r#"{{ list 1 2 3 | first }}"#, "1"),
            (r#"{{ list | first }}"#, "<no value>"),
            (r#"{{ list 1 2 3 | mustFirst }}"#, "1"),
            // TestLast
            (r#"{{ list 1 2 3 | last }}"#, "3"),
            (r#"{{ list | last }}"#, "<no value>"),
            // TestInitial
            (r#"{{ list 1 2 3 | initial | len }}"#, "2"),
            (r#"{{ list 1 2 3 | initial | last }}"#, "2"),
            (r#"{{ list 1 2 3 | initial | first }}"#, "1"),
            (r#"{{ list | initial }}"#, "[]"),
            // TestRest
            (r#"{{ list 1 2 3 | rest | len }}"#, "2"),
            (r#"{{ list 1 2 3 | rest | last }}"#, "3"),
            (r#"{{ list 1 2 3 | rest | first }}"#, "2"),
            (r#"{{ list | rest }}"#, "[]"),
            // TestReverse
            (r#"{{ list 1 2 3 | reverse | first }}"#, "3"),
            (r#"{{ list 1 2 3 | reverse | rest | first }}"#, "2"),
            (r#"{{ list 1 2 3 | reverse | last }}"#, "1"),
            (r#"{{ list 1 2 3 4 | reverse }}"#, "[4 3 2 1]"),
            (r#"{{ list 1 | reverse }}"#, "[1]"),
            (r#"{{ list | reverse }}"#, "[]"),
            // TestCompact
            (r#"{{ list 1 0 "" "hello" | compact }}"#, "[1 hello]"),
            (r#"{{ list "" "" | compact }}"#, "[]"),
            (r#"{{ list | compact }}"#, "[]"),
            // TestUniq
            (r#"{{ list 1 2 3 4 | uniq }}"#, "[1 2 3 4]"),
            (r#"{{ list "a" "b" "c" "d" | uniq }}"#, "[a b c d]"),
            (r#"{{ list 1 1 1 1 2 2 2 2 | uniq }}"#, "[1 2]"),
            (r#"{{ list "foo" 1 1 1 1 "foo" "foo" | uniq }}"#, "[foo 1]"),
            (r#"{{ list | uniq }}"#, "[]"),
            // TestWithout
            (r#"{{ without (list 1 2 3 4) 1 }}"#, "[2 3 4]"),
            (r#"{{ without (list "a" "b" "c" "d") "a" }}"#, "[b c d]"),
            (r#"{{ without (list 1 1 1 1 2) 1 }}"#, "[2]"),
            (r#"{{ without (list) 1 }}"#, "[]"),
            (r#"{{ without (list 1 2 3) }}"#, "[1 2 3]"),
            (r#"{{ without list }}"#, "[]"),
            // TestHas
            (r#"{{ list 1 2 3 | has 1 }}"#, "true"),
            (r#"{{ list 1 2 3 | has 4 }}"#, "false"),
            (r#"{{ list 1 "two" 3 | has "two" }}"#, "true"),
            (r#"{{ has 1 nil }}"#, "false"),
            // TestSlice
            (r#"{{ slice (list 1 2 3) }}"#, "[1 2 3]"),
            (r#"{{ slice (list 1 2 3) 0 1 }}"#, "[1]"),
            (r#"{{ slice (list 1 2 3) 1 3 }}"#, "[2 3]"),
            (r#"{{ slice (list 1 2 3) 1 }}"#, "[2 3]"),
            // TestConcat
            (r#"{{ concat (list 1 2 3) }}"#, "[1 2 3]"),
            (r#"{{ concat (list 1 2 3) (list 4 5) }}"#, "[1 2 3 4 5]"),
            (
                r#"{{ concat (list 1 2 3) (list 4 5) (list) }}"#,
                "[1 2 3 4 5]",
            ),
            (
                r#"{{ concat (list 1 2 3) (list 4 5) (list nil) }}"#,
                "[1 2 3 4 5 <nil>]",
            ),
            (
                r#"{{ concat (list 1 2 3) (list 4 5) (list (list "foo" "bar")) }}"#,
                "[1 2 3 4 5 [foo bar]]",
            ),
            // TestChunk
            (r#"{{ chunk 2 (list 1 2 3 4 5) }}"#, "[[1 2] [3 4] [5]]"),
            (r#"{{ chunk 2 (list 1 2 3 4) }}"#, "[[1 2] [3 4]]"),
            (r#"{{ chunk 2 (list 1) }}"#, "[[1]]"),
            (r#"{{ chunk 2 (list) }}"#, "[]"),
            // TestSortAlpha
            (r#"{{ list "c" "a" "b" | sortAlpha }}"#, "[a b c]"),
            (r#"{{ list 2 1 4 3 | sortAlpha }}"#, "[1 2 3 4]"),
        ]);
        assert!(n > 50);
    }

    #[test]
    fn uniq_of_a_long_list_is_linear() {
        let out = super::super::testing::run(r#"{{ until 1000000 | uniq | len }}"#);
        assert_eq!(out, "1000000");
        assert_eq!(
            super::super::testing::run(r#"{{ list (list 1) (list 1) 1 1.0 "1" | uniq }}"#),
            "[[1] 1 1 1]"
        );
    }

    #[test]
    fn wrong_types_are_errors() {
        assert_eq!(
            run_err(r#"{{ append "x" 4 }}"#),
            "Cannot push on type string"
        );
        assert_eq!(
            run_err(r#"{{ "x" | first }}"#),
            "Cannot find first on type string"
        );
        assert_eq!(
            run_err(r#"{{ mustHas 1 "x" }}"#),
            "Cannot find has on type string"
        );
        assert_eq!(
            run_err(r#"{{ slice (list 1 2 3) 2 9 }}"#),
            "reflect: slice index out of range"
        );
    }
}
