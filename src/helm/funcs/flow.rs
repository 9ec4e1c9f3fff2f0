//! Defaults and flow control: Sprig v3.3.0 defaults.go (`default`, `empty`, `coalesce`, `all`,
//! `any`, `ternary`) and Helm's `required` and `fail` (pkg/engine/engine.go).

use super::{args_min, args_n, as_bool, as_str};
use crate::helm::value::Value;

type R = Result<Value, String>;

/// Sprig's `empty`: nil, false, 0, and empty strings, lists and maps; structs are never empty.
pub(crate) fn is_empty(v: &Value) -> bool {
    match v {
        Value::Nil => true,
        Value::Bool(b) => !b,
        Value::Int(i) => *i == 0,
        Value::Float(f) => *f == 0.0,
        Value::Str(s) => s.text.is_empty(),
        Value::List(l) => l.is_empty(),
        Value::Map(m) => m.try_borrow().map(|m| m.is_empty()).unwrap_or(false),
        Value::Object(_) => false,
    }
}

/// `default D [GIVEN]`: GIVEN unless it is missing or empty, then D.
pub(crate) fn default(args: &[Value]) -> R {
    args_min("default", args, 1)?;
    let (d, given) = args.split_first().ok_or_else(String::new)?;
    match given.first() {
        Some(g) if !is_empty(g) => Ok(g.clone()),
        _ => Ok(d.clone()),
    }
}

pub(crate) fn empty(args: &[Value]) -> R {
    let [v] = args_n("empty", args)?;
    Ok(Value::Bool(is_empty(v)))
}

pub(crate) fn coalesce(args: &[Value]) -> R {
    Ok(args
        .iter()
        .find(|v| !is_empty(v))
        .cloned()
        .unwrap_or_default())
}

pub(crate) fn all(args: &[Value]) -> R {
    Ok(Value::Bool(args.iter().all(|v| !is_empty(v))))
}

pub(crate) fn any(args: &[Value]) -> R {
    Ok(Value::Bool(args.iter().any(|v| !is_empty(v))))
}

/// `ternary T F COND`.
pub(crate) fn ternary(args: &[Value]) -> R {
    let [t, f, cond] = args_n("ternary", args)?;
    Ok(if as_bool(cond)? { t.clone() } else { f.clone() })
}

/// Helm's `fail MSG`: the render stops with MSG.
pub(crate) fn fail(args: &[Value]) -> R {
    let [msg] = args_n("fail", args)?;
    Err(as_str(msg)?.to_owned())
}

/// Helm's `required MSG VALUE`: VALUE, or an error MSG when it is nil or an empty string
/// (pkg/engine/engine.go; `helm lint` only warns, the engine's business).
pub(crate) fn required(args: &[Value]) -> R {
    let [msg, v] = args_n("required", args)?;
    let msg = as_str(msg)?;
    match v {
        Value::Nil => Err(msg.to_owned()),
        Value::Str(s) if s.text.is_empty() => Err(msg.to_owned()),
        other => Ok(other.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check_all, map_of, render, run_err};
    use crate::helm::value::Value;

    // Sprig v3.3.0 defaults_test.go.
    #[test]
    fn sprig_defaults_tests() {
        let n = check_all(&[
            // TestDefault
            (r#"{{"" | default "foo"}}"#, "foo"),
            (r#"{{default "foo" 234}}"#, "234"),
            (r#"{{default "foo" 2.34}}"#, "2.34"),
            (r#"{{ .Nothing | default "123" }}"#, "123"),
            (r#"{{ default "123" }}"#, "123"),
            // TestEmpty
            (r#"{{ empty 1 }}"#, "false"),
            (r#"{{ empty "hello" }}"#, "false"),
            (r#"{{ empty "" }}"#, "true"),
            (r#"{{ empty 0 }}"#, "true"),
            (r#"{{ empty .Nothing }}"#, "true"),
            (r#"{{ empty (list) }}"#, "true"),
            (r#"{{ empty (list 1) }}"#, "false"),
            (r#"{{ empty (dict) }}"#, "true"),
            (r#"{{ empty (dict "a" 1) }}"#, "false"),
            (r#"{{ empty false }}"#, "true"),
            (r#"{{ empty 0.0 }}"#, "true"),
            // TestCoalesce
            (r#"{{ coalesce 1 }}"#, "1"),
            (r#"{{ coalesce "" 0 nil 2 }}"#, "2"),
            (r#"{{ coalesce "" 0 nil }}"#, "<no value>"),
            (r#"{{ coalesce .Nothing "x" }}"#, "x"),
            // TestAll
            (r#"{{ all 1 }}"#, "true"),
            (r#"{{ all "" 0 nil 2 }}"#, "false"),
            (r#"{{ all "a" 1 (list 1) }}"#, "true"),
            (r#"{{ all "" 0 nil }}"#, "false"),
            // TestAny
            (r#"{{ any 1 }}"#, "true"),
            (r#"{{ any "" 0 nil 2 }}"#, "true"),
            (r#"{{ any "" 0 nil }}"#, "false"),
            // TestTernary
            (r#"{{true | ternary "foo" "bar"}}"#, "foo"),
            (r#"{{ternary "foo" "bar" true}}"#, "foo"),
            (r#"{{false | ternary "foo" "bar"}}"#, "bar"),
            (r#"{{ternary "foo" "bar" false}}"#, "bar"),
        ]);
        assert!(n > 30);
    }

    #[test]
    fn default_with_data() {
        let data = map_of(vec![("zero", Value::Float(0.0)), ("name", Value::str("x"))]);
        assert_eq!(
            render(
                r#"{{ .zero | default 3 }} {{ .name | default "y" }}"#,
                &data
            )
            .unwrap(),
            "3 x"
        );
    }

    #[test]
    fn helm_required_and_fail() {
        // helm/helm pkg/engine/engine_test.go TestRequired*, TestFail.
        assert_eq!(
            run_err(r#"{{ required "A valid 'who' is required" .who }}"#),
            "A valid 'who' is required"
        );
        assert_eq!(
            run_err(r#"{{ required "A valid 'who' is required" "" }}"#),
            "A valid 'who' is required"
        );
        assert_eq!(
            render(r#"{{ required "msg" 0 }}"#, &Value::Nil).unwrap(),
            "0"
        );
        assert_eq!(
            run_err(r#"{{ fail "This is an error" }}"#),
            "This is an error"
        );
    }
}
