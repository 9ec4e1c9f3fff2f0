//! Reflection: Sprig v3.3.0 reflect.go (`typeOf`, `typeIs`, `typeIsLike`, `kindOf`, `kindIs`)
//! and `deepEqual` (Go's `reflect.DeepEqual`). Integers are Go `int` here (template constants,
//! `len`); Sprig's arithmetic returns `int64` in Go, which this value model does not tell apart.

use super::{MAX_DEPTH, MAX_NODES, args_n, as_str};
use crate::helm::gofmt::type_name;
use crate::helm::value::Value;

type R = Result<Value, String>;

/// Go's `reflect.Kind` name of the value.
pub(crate) fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::Nil => "invalid",
        Value::Bool(_) => "bool",
        Value::Int(_) => "int",
        Value::Float(_) => "float64",
        Value::Str(_) => "string",
        Value::List(_) => "slice",
        Value::Map(_) => "map",
        Value::Object(o) => {
            if o.type_name().starts_with('*') {
                "ptr"
            } else {
                "struct"
            }
        }
    }
}

/// Go's `reflect.DeepEqual` (an int and a float64 are different types, so unequal). As Go, a
/// pair of maps or lists already under comparison counts as equal (cycles end).
pub(crate) fn deep_eq(a: &Value, b: &Value) -> bool {
    let mut visited = std::collections::HashSet::new();
    deep_eq_at(a, b, 0, &mut MAX_NODES.clone(), &mut visited)
}

/// Too deep or too large to compare counts as unequal.
fn deep_eq_at(
    a: &Value,
    b: &Value,
    depth: usize,
    budget: &mut usize,
    visited: &mut std::collections::HashSet<(usize, usize)>,
) -> bool {
    if depth > MAX_DEPTH || super::spend(budget, "deepEqual").is_err() {
        return false;
    }
    match (a, b) {
        (Value::Nil, Value::Nil) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::Float(x), Value::Float(y)) => x == y,
        (Value::Str(x), Value::Str(y)) => x.text == y.text,
        (Value::List(x), Value::List(y)) => {
            if std::rc::Rc::ptr_eq(x, y) {
                return true;
            }
            if !visited.insert((
                std::rc::Rc::as_ptr(x) as usize,
                std::rc::Rc::as_ptr(y) as usize,
            )) {
                return true;
            }
            x.len() == y.len()
                && x.iter()
                    .zip(y.iter())
                    .all(|(p, q)| deep_eq_at(p, q, depth + 1, budget, visited))
        }
        (Value::Map(x), Value::Map(y)) => {
            if std::rc::Rc::ptr_eq(x, y) {
                return true;
            }
            if !visited.insert((
                std::rc::Rc::as_ptr(x) as usize,
                std::rc::Rc::as_ptr(y) as usize,
            )) {
                return true;
            }
            let (Ok(xm), Ok(ym)) = (x.try_borrow(), y.try_borrow()) else {
                return false;
            };
            xm.len() == ym.len()
                && xm.iter().all(|(k, v)| {
                    ym.get(k)
                        .is_some_and(|w| deep_eq_at(v, w, depth + 1, budget, visited))
                })
        }
        (Value::Object(x), Value::Object(y)) => {
            std::rc::Rc::ptr_eq(x, y)
                || x.type_name() == y.type_name() && x.display() == y.display()
        }
        _ => false,
    }
}

pub(crate) fn type_of(args: &[Value]) -> R {
    let [v] = args_n("typeOf", args)?;
    Ok(Value::str(type_name(v)))
}

pub(crate) fn type_is(args: &[Value]) -> R {
    let [t, v] = args_n("typeIs", args)?;
    Ok(Value::Bool(as_str(t)? == type_name(v)))
}

pub(crate) fn type_is_like(args: &[Value]) -> R {
    let [t, v] = args_n("typeIsLike", args)?;
    let t = as_str(t)?;
    let name = type_name(v);
    Ok(Value::Bool(t == name || format!("*{t}") == name))
}

pub(crate) fn kind_of(args: &[Value]) -> R {
    let [v] = args_n("kindOf", args)?;
    Ok(Value::str(kind_name(v)))
}

pub(crate) fn kind_is(args: &[Value]) -> R {
    let [k, v] = args_n("kindIs", args)?;
    Ok(Value::Bool(as_str(k)? == kind_name(v)))
}

pub(crate) fn deep_equal(args: &[Value]) -> R {
    let [a, b] = args_n("deepEqual", args)?;
    Ok(Value::Bool(deep_eq(a, b)))
}

#[cfg(test)]
mod tests {
    use super::super::testing::check_all;

    // Sprig v3.3.0 reflect_test.go (the cases on template values; Go struct cases need Go
    // types) and TestDeepEqual.
    #[test]
    fn sprig_reflect_tests() {
        let n = check_all(&[
            (r#"{{ typeOf 1 }}"#, "int"),
            (r#"{{ typeOf "a" }}"#, "string"),
            (r#"{{ typeOf 1.5 }}"#, "float64"),
            (r#"{{ typeIs "int" 1 }}"#, "true"),
            (r#"{{ typeIs "string" 1 }}"#, "false"),
            (r#"{{ typeIsLike "int" 1 }}"#, "true"),
            (r#"{{ kindOf 1 }}"#, "int"),
            (r#"{{ kindOf "a" }}"#, "string"),
            (r#"{{ kindOf (list) }}"#, "slice"),
            (r#"{{ kindOf (dict) }}"#, "map"),
            (r#"{{ kindOf nil }}"#, "invalid"),
            (r#"{{ kindIs "int" 1 }}"#, "true"),
            (r#"{{ kindIs "map" (dict) }}"#, "true"),
            (r#"{{ kindIs "slice" 1 }}"#, "false"),
            (r#"{{ typeOf (list) }}"#, "[]interface {}"),
            (r#"{{ typeOf (dict) }}"#, "map[string]interface {}"),
            (r#"{{ deepEqual (list 1 2 3) (list 1 2 3) }}"#, "true"),
            (r#"{{ deepEqual (list 1 2 3) (list 1 2) }}"#, "false"),
            (r#"{{ deepEqual (dict "a" 1) (dict "a" 1) }}"#, "true"),
            (r#"{{ deepEqual 1 1.0 }}"#, "false"),
            (r#"{{ deepEqual "a" "a" }}"#, "true"),
        ]);
        assert_eq!(n, 21);
    }
}
