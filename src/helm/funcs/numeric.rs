//! Arithmetic: Sprig v3.3.0 numeric.go and functions.go's inline ones. Integer functions
//! convert with spf13/cast (`add .Values.replicas 1` truncates a float64 from values) and wrap
//! on overflow as Go's int64 does; the float functions (`addf`, `divf`...) compute as
//! shopspring/decimal does, on the shortest decimal form of each operand (`addf 1.1 2.2` is
//! 3.3, not 3.3000000000000003).

use super::conv::{to_float64, to_int64};
use super::{args_min, args_n, as_int, check_items};
use crate::helm::value::Value;

type R = Result<Value, String>;

const DIV_ZERO: &str = "runtime error: integer divide by zero";

pub(crate) fn add1(args: &[Value]) -> R {
    let [v] = args_n("add1", args)?;
    Ok(Value::Int(to_int64(v).wrapping_add(1)))
}

pub(crate) fn add(args: &[Value]) -> R {
    Ok(Value::Int(
        args.iter().fold(0i64, |a, b| a.wrapping_add(to_int64(b))),
    ))
}

pub(crate) fn sub(args: &[Value]) -> R {
    let [a, b] = args_n("sub", args)?;
    Ok(Value::Int(to_int64(a).wrapping_sub(to_int64(b))))
}

pub(crate) fn div(args: &[Value]) -> R {
    let [a, b] = args_n("div", args)?;
    let b = to_int64(b);
    if b == 0 {
        return Err(DIV_ZERO.to_owned());
    }
    Ok(Value::Int(to_int64(a).wrapping_div(b)))
}

pub(crate) fn modulo(args: &[Value]) -> R {
    let [a, b] = args_n("mod", args)?;
    let b = to_int64(b);
    if b == 0 {
        return Err(DIV_ZERO.to_owned());
    }
    Ok(Value::Int(to_int64(a).wrapping_rem(b)))
}

pub(crate) fn mul(args: &[Value]) -> R {
    args_min("mul", args, 1)?;
    let (first, rest) = args.split_first().ok_or_else(String::new)?;
    Ok(Value::Int(
        rest.iter()
            .fold(to_int64(first), |a, b| a.wrapping_mul(to_int64(b))),
    ))
}

/// `randInt MIN MAX` is random in Helm: the fixed stand-in is MIN.
pub(crate) fn rand_int(args: &[Value]) -> R {
    let [min, max] = args_n("randInt", args)?;
    let (min, max) = (as_int(min)?, as_int(max)?);
    if max.wrapping_sub(min) <= 0 {
        return Err("invalid argument to Intn".to_owned());
    }
    Ok(Value::Int(min))
}

/// A decimal number: mantissa × 10^exp (shopspring/decimal's representation).
#[derive(Clone, Copy)]
struct Dec {
    m: i128,
    e: i32,
}

impl Dec {
    /// decimal.NewFromFloat: the shortest decimal that reads back as `f`.
    fn from_f64(f: f64) -> Option<Dec> {
        if !f.is_finite() {
            return None;
        }
        if f == 0.0 {
            return Some(Dec { m: 0, e: 0 });
        }
        let text = format!("{f:e}");
        let (mant, exp) = text.split_once('e')?;
        let exp: i32 = exp.parse().ok()?;
        let neg = mant.starts_with('-');
        let digits: String = mant.chars().filter(char::is_ascii_digit).collect();
        let frac_len = mant.split_once('.').map_or(0, |(_, f)| f.len()) as i32;
        let m: i128 = digits.parse().ok()?;
        Some(Dec {
            m: if neg { -m } else { m },
            e: exp - frac_len,
        })
    }

    fn to_f64(self) -> f64 {
        format!("{}e{}", self.m, self.e).parse().unwrap_or(0.0)
    }

    fn align(self, other: Dec) -> Option<(i128, i128, i32)> {
        let e = self.e.min(other.e);
        let a = self
            .m
            .checked_mul(10i128.checked_pow((self.e - e) as u32)?)?;
        let b = other
            .m
            .checked_mul(10i128.checked_pow((other.e - e) as u32)?)?;
        Some((a, b, e))
    }

    fn add(self, o: Dec) -> Option<Dec> {
        let (a, b, e) = self.align(o)?;
        Some(Dec {
            m: a.checked_add(b)?,
            e,
        })
    }

    fn sub(self, o: Dec) -> Option<Dec> {
        let (a, b, e) = self.align(o)?;
        Some(Dec {
            m: a.checked_sub(b)?,
            e,
        })
    }

    fn mul(self, o: Dec) -> Option<Dec> {
        Some(Dec {
            m: self.m.checked_mul(o.m)?,
            e: self.e.checked_add(o.e)?,
        })
    }

    /// decimal.Div: rounded (half away from zero) to 16 decimal places.
    fn div(self, o: Dec) -> Option<Dec> {
        if o.m == 0 {
            return None;
        }
        // q = self.m * 10^(self.e - o.e + 17) / o.m, then round off the 17th place.
        let shift = self.e - o.e + 17;
        let (num, den) = if shift >= 0 {
            (self.m.checked_mul(10i128.checked_pow(shift as u32)?)?, o.m)
        } else {
            (
                self.m,
                o.m.checked_mul(10i128.checked_pow((-shift) as u32)?)?,
            )
        };
        let q = num / den;
        let rounded = if q >= 0 { (q + 5) / 10 } else { (q - 5) / 10 };
        Some(Dec { m: rounded, e: -16 })
    }
}

fn decimal_op(
    first: f64,
    rest: &[Value],
    op: fn(Dec, Dec) -> Option<Dec>,
    fallback: fn(f64, f64) -> f64,
) -> f64 {
    let mut acc = Dec::from_f64(first);
    let mut plain = first;
    for v in rest {
        let x = to_float64(v);
        plain = fallback(plain, x);
        acc = match (acc, Dec::from_f64(x)) {
            (Some(a), Some(b)) => op(a, b),
            _ => None,
        };
    }
    match acc {
        Some(d) => d.to_f64(),
        None => plain,
    }
}

pub(crate) fn add1f(args: &[Value]) -> R {
    let [v] = args_n("add1f", args)?;
    Ok(Value::Float(decimal_op(
        to_float64(v),
        &[Value::Int(1)],
        Dec::add,
        |a, b| a + b,
    )))
}

pub(crate) fn addf(args: &[Value]) -> R {
    Ok(Value::Float(decimal_op(0.0, args, Dec::add, |a, b| a + b)))
}

pub(crate) fn subf(args: &[Value]) -> R {
    args_min("subf", args, 1)?;
    let (first, rest) = args.split_first().ok_or_else(String::new)?;
    Ok(Value::Float(decimal_op(
        to_float64(first),
        rest,
        Dec::sub,
        |a, b| a - b,
    )))
}

pub(crate) fn mulf(args: &[Value]) -> R {
    args_min("mulf", args, 1)?;
    let (first, rest) = args.split_first().ok_or_else(String::new)?;
    Ok(Value::Float(decimal_op(
        to_float64(first),
        rest,
        Dec::mul,
        |a, b| a * b,
    )))
}

pub(crate) fn divf(args: &[Value]) -> R {
    args_min("divf", args, 1)?;
    let (first, rest) = args.split_first().ok_or_else(String::new)?;
    if rest.iter().any(|v| to_float64(v) == 0.0) {
        return Err("decimal division by 0".to_owned());
    }
    Ok(Value::Float(decimal_op(
        to_float64(first),
        rest,
        Dec::div,
        |a, b| a / b,
    )))
}

pub(crate) fn max(args: &[Value]) -> R {
    args_min("max", args, 1)?;
    Ok(Value::Int(
        args.iter().map(to_int64).max().unwrap_or_default(),
    ))
}

pub(crate) fn min(args: &[Value]) -> R {
    args_min("min", args, 1)?;
    Ok(Value::Int(
        args.iter().map(to_int64).min().unwrap_or_default(),
    ))
}

pub(crate) fn maxf(args: &[Value]) -> R {
    args_min("maxf", args, 1)?;
    Ok(Value::Float(args.iter().map(to_float64).fold(
        f64::NEG_INFINITY,
        |a, b| {
            if a.is_nan() || b.is_nan() {
                f64::NAN
            } else {
                a.max(b)
            }
        },
    )))
}

pub(crate) fn minf(args: &[Value]) -> R {
    args_min("minf", args, 1)?;
    Ok(Value::Float(args.iter().map(to_float64).fold(
        f64::INFINITY,
        |a, b| {
            if a.is_nan() || b.is_nan() {
                f64::NAN
            } else {
                a.min(b)
            }
        },
    )))
}

pub(crate) fn floor(args: &[Value]) -> R {
    let [v] = args_n("floor", args)?;
    Ok(Value::Float(to_float64(v).floor()))
}

pub(crate) fn ceil(args: &[Value]) -> R {
    let [v] = args_n("ceil", args)?;
    Ok(Value::Float(to_float64(v).ceil()))
}

/// `round X PLACES [ROUND_ON]`.
pub(crate) fn round(args: &[Value]) -> R {
    args_min("round", args, 2)?;
    let val = to_float64(args.first().unwrap_or(&Value::Nil));
    let places = as_int(args.get(1).unwrap_or(&Value::Nil))? as f64;
    let round_on = match args.get(2) {
        Some(Value::Float(f)) => *f,
        Some(Value::Int(i)) => *i as f64,
        Some(other) => {
            return Err(format!(
                "wrong type for value; expected float64; got {}",
                super::go_type(other)
            ));
        }
        None => 0.5,
    };
    let pow = 10f64.powf(places);
    let digit = pow * val;
    let div = digit.fract();
    let r = if div >= round_on {
        digit.ceil()
    } else {
        digit.floor()
    };
    Ok(Value::Float(r / pow))
}

/// Sprig's `untilStep`, with its item count checked before anything is built.
fn until_step_vec(name: &str, start: i64, stop: i64, step: i64) -> Result<Vec<i64>, String> {
    let count: u128 = if stop < start {
        if step >= 0 {
            return Ok(Vec::new());
        }
        ((i128::from(start) - i128::from(stop)) as u128).div_ceil(step.unsigned_abs() as u128)
    } else {
        if step <= 0 {
            return Ok(Vec::new());
        }
        ((i128::from(stop) - i128::from(start)) as u128).div_ceil(step as u128)
    };
    check_items(name, count)?;
    let mut out = Vec::with_capacity(count as usize);
    let mut i = i128::from(start);
    for _ in 0..count {
        out.push(i as i64);
        i += i128::from(step);
    }
    Ok(out)
}

fn int_list(v: Vec<i64>) -> Value {
    Value::list(v.into_iter().map(Value::Int).collect())
}

pub(crate) fn until(args: &[Value]) -> R {
    let [count] = args_n("until", args)?;
    let count = as_int(count)?;
    let step = if count < 0 { -1 } else { 1 };
    Ok(int_list(until_step_vec("until", 0, count, step)?))
}

pub(crate) fn until_step(args: &[Value]) -> R {
    let [start, stop, step] = args_n("untilStep", args)?;
    Ok(int_list(until_step_vec(
        "untilStep",
        as_int(start)?,
        as_int(stop)?,
        as_int(step)?,
    )?))
}

/// `seq`: like the Unix command (1 to N, START to END, START STEP END), space-separated.
pub(crate) fn seq(args: &[Value]) -> R {
    let params: Vec<i64> = args.iter().map(as_int).collect::<Result<_, _>>()?;
    let nums = match params.as_slice() {
        [end] => {
            let inc = if *end < 1 { -1 } else { 1 };
            until_step_vec("seq", 1, end.saturating_add(inc), inc)?
        }
        [start, end] => {
            let step = if end < start { -1 } else { 1 };
            until_step_vec("seq", *start, end.saturating_add(step), step)?
        }
        [start, step, end] => {
            let mut inc = 1;
            if end < start {
                inc = -1;
                if *step > 0 {
                    return Ok(Value::str(""));
                }
            }
            until_step_vec("seq", *start, end.saturating_add(inc), *step)?
        }
        _ => return Ok(Value::str("")),
    };
    let parts: Vec<String> = nums.iter().map(i64::to_string).collect();
    Ok(Value::str(parts.join(" ")))
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check_all, run, run_err};

    // Sprig v3.3.0 numeric_test.go.
    #[test]
    fn sprig_numeric_tests() {
        let n = check_all(&[
            // TestUntil (as lists; the tests range over them)
            (r#"{{ until 5 }}"#, "[0 1 2 3 4]"),
            (r#"{{ until -5 }}"#, "[0 -1 -2 -3 -4]"),
            // TestUntilStep
            (r#"{{ untilStep 0 5 1 }}"#, "[0 1 2 3 4]"),
            (r#"{{ untilStep 3 6 1 }}"#, "[3 4 5]"),
            (r#"{{ untilStep 0 -10 -2 }}"#, "[0 -2 -4 -6 -8]"),
            (r#"{{ untilStep 3 0 1 }}"#, "[]"),
            (r#"{{ untilStep 3 99 0 }}"#, "[]"),
            (r#"{{ untilStep 3 99 -1 }}"#, "[]"),
            (r#"{{ untilStep 3 0 0 }}"#, "[]"),
            // TestBiggest, TestMaxf, TestMin, TestMinf
            (r#"{{ biggest 1 2 3 345 5 6 7}}"#, "345"),
            (r#"{{ max 345}}"#, "345"),
            (r#"{{ maxf 1 2 3 345.7 5 6 7}}"#, "345.7"),
            (r#"{{ min 1 2 3 345 5 6 7}}"#, "1"),
            (r#"{{ min 345}}"#, "345"),
            (r#"{{ minf 1.4 2 3 345.6 5 6 7}}"#, "1.4"),
            (r#"{{ minf 345 }}"#, "345"),
            // TestAdd1 ... TestSubf
            (r#"{{ 3 | add1 }}"#, "4"),
            (r#"{{ 3.4 | add1f }}"#, "4.4"),
            (r#"{{ 3 | add 1 2}}"#, "6"),
            (r#"{{ 3 | addf 1.5 2.2}}"#, "6.7"),
            (r#"{{ 4 | div 5 }}"#, "1"),
            (r#"{{ 2 | divf 5 4 }}"#, "0.625"),
            (r#"{{ 1 | mul "2" 3 "4"}}"#, "24"),
            (r#"{{ 1.2 | mulf "2.4" 10 "4"}}"#, "115.2"),
            (r#"{{ 3 | sub 14 }}"#, "11"),
            (r#"{{ 3 | subf 4.5 1 }}"#, "0.5"),
            // TestCeil, TestFloor, TestRound
            (r#"{{ ceil 123 }}"#, "123"),
            (r#"{{ ceil "123" }}"#, "123"),
            (r#"{{ ceil 123.01 }}"#, "124"),
            (r#"{{ ceil "123.01" }}"#, "124"),
            (r#"{{ floor 123 }}"#, "123"),
            (r#"{{ floor "123" }}"#, "123"),
            (r#"{{ floor 123.9999 }}"#, "123"),
            (r#"{{ floor "123.9999" }}"#, "123"),
            (r#"{{ round 123.5555 3 }}"#, "123.556"),
            (r#"{{ round "123.55555" 3 }}"#, "123.556"),
            (r#"{{ round 123.500001 0 }}"#, "124"),
            (r#"{{ round 123.49999999 0 }}"#, "123"),
            (r#"{{ round 123.2329999 2 .3 }}"#, "123.23"),
            (r#"{{ round 123.233 2 .3 }}"#, "123.24"),
            // TestSeq
            (r#"{{seq 0 1 3}}"#, "0 1 2 3"),
            (r#"{{seq 0 3 10}}"#, "0 3 6 9"),
            (r#"{{seq 3 3 2}}"#, ""),
            (r#"{{seq 3 -3 2}}"#, "3"),
            (r#"{{seq}}"#, ""),
            (r#"{{seq 0 4}}"#, "0 1 2 3 4"),
            (r#"{{seq 5}}"#, "1 2 3 4 5"),
            (r#"{{seq -5}}"#, "1 0 -1 -2 -3 -4 -5"),
            (r#"{{seq 0}}"#, "1 0"),
            (r#"{{seq 0 1 2 3}}"#, ""),
            (r#"{{seq 0 -4}}"#, "0 -1 -2 -3 -4"),
        ]);
        assert!(n > 45);
    }

    #[test]
    fn decimal_float_ops() {
        assert_eq!(run(r#"{{ addf 1.1 2.2 }}"#), "3.3");
        assert_eq!(run(r#"{{ divf 1 3 }}"#), "0.3333333333333333");
        assert_eq!(run(r#"{{ randInt 5 10 }}"#), "5");
        assert_eq!(run_err(r#"{{ div 1 0 }}"#), super::DIV_ZERO);
    }

    #[test]
    fn hostile_ranges_are_refused() {
        assert!(run_err(r#"{{ until 1000000000000 }}"#).contains("limit"));
        assert!(
            run_err(r#"{{ untilStep -9223372036854775807 9223372036854775807 1 }}"#)
                .contains("limit")
        );
        assert!(run_err(r#"{{ seq 1000000000 }}"#).contains("limit"));
        // Within the limit, still fine.
        assert_eq!(run(r#"{{ until 3 }}"#), "[0 1 2]");
    }
}
