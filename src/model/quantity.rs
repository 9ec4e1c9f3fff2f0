//! Exact parsing and comparison of Kubernetes `resource.Quantity` strings.
//!
//! This is a std-only port of the parsing rules of
//! `k8s.io/apimachinery/pkg/api/resource` (`quantity.go` `ParseQuantity` /
//! `parseQuantityString`, `suffix.go` `interpret`, `amount.go` canonical
//! formatting), as found in kubernetes/kubernetes
//! `staging/src/k8s.io/apimachinery/pkg/api/resource/`:
//! `quantity.go` @ 009f4971a05ddf1edc5616eab805f5b79017da08 (same `ParseQuantity` as
//! 143ac994fd763e5ab60b8af009467b3a4c943dce), `suffix.go` @
//! 7125a5f011b453b866574f0181ab0caf70505cdc, `amount.go` @
//! 0411cc704533ed25a1bfc6e21a3195d9c6a2f0f2.
//!
//! # Grammar (as accepted by `ParseQuantity`)
//!
//! ```text
//! <quantity>        ::= <signedNumber><suffix>
//! <signedNumber>    ::= <number> | + <number> | - <number>
//! <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits> | . | ""
//! <suffix>          ::= <binarySI> | <decimalExponent> | <decimalSI>
//! <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei
//! <decimalSI>       ::= n | u | m | "" | k | M | G | T | P | E
//! <decimalExponent> ::= e <int64> | E <int64>     (Go strconv.ParseInt syntax: [+-]?[0-9]+)
//! ```
//!
//! # Value semantics (what `==`, `<`, `cmp_value` compare)
//!
//! The stored value is exactly the value Kubernetes stores after `ParseQuantity`,
//! computed without floating point:
//!
//! * Values with more precision than nano (10^-9) are rounded to a multiple of 1n,
//!   away from zero (`ParseQuantity` rounds the magnitude with `inf.RoundUp`):
//!   `0.0000000001` == `1n`, `3.001n` == `4n`, `-0.1n` == `-1n`. A non-zero input
//!   therefore never becomes zero.
//! * Quantities written with a binary suffix (`Ki`..`Ei`) are capped in magnitude at
//!   2^63-1 (`9Ei` == `9223372036854775807`). Decimal quantities are not capped
//!   (`12E` stays 1.2e19), exactly like Kubernetes.
//! * `BinarySI` quantities with 0 < |value| < 1 get the `DecimalSI` format.
//! * A number without a single digit is zero, as Kubernetes' scanner makes it
//!   (`parseQuantityString` turns an empty numerator into "0"): `.`, `+`, `-`, `-.`, `Ki`,
//!   `m`, `e3` all parse to 0 with the suffix's format, and the API server accepts them.
//!   [`Quantity::has_digits`] tells them apart, so a linter can warn about them.
//!
//! Every parsed value is therefore an integer number of nano-units; it is stored as a
//! sign plus an arbitrary-precision magnitude in nano-units (`Vec<u32>` limbs), so
//! comparison, addition and multiplication are exact.
//!
//! # Deliberate deviations from Kubernetes
//!
//! * Resource limits against hostile input (Kubernetes has none of these):
//!   text longer than [`MAX_INPUT_LEN`] bytes is rejected; a non-zero quantity whose
//!   exponent suffix is outside ±[`MAX_ABS_EXPONENT`] is rejected (Kubernetes truncates
//!   the int64 exponent to int32, wrapping around, e.g. `1e4294967296` == 1 there);
//!   a non-zero value of 10^[`MAX_ORDER`] or more (`1e999999999`) is rejected
//!   (Kubernetes keeps it). Within those limits behaviour matches `ParseQuantity`;
//!   e.g. `1e-999999999` is `1n` and `0e9999999999` is 0, as in Kubernetes.
//! * [`Quantity::canonical`] spells decimal values of 10^21 and above with an `E`
//!   suffix (`1000E`). Reading `CanonicalizeBytes`/`constructBytes`, Kubernetes finds
//!   no suffix for exponents above 18 and emits none, so `1000E` would print as `1`.
//!   Binary values above 1023Ei likewise keep an `Ei` suffix (unreachable by parsing,
//!   only by `add`/`mul_int`).

// kubeward is a binary crate and need not use every item of this shared API; keep
// unused items from failing `-D warnings` builds.
#![allow(dead_code)]

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// Longest quantity text accepted, in bytes. Longer text is rejected with
/// [`QuantityError::OutOfRange`]; this bounds the (quadratic) big-number work per parse.
pub(crate) const MAX_INPUT_LEN: usize = 16 * 1024;

/// Largest accepted magnitude of an `e`/`E` exponent suffix on a non-zero number.
pub(crate) const MAX_ABS_EXPONENT: i64 = 1_000_000_000;

/// Non-zero values must be below 10^MAX_ORDER (i.e. have at most this many integer
/// digits before a binary suffix is applied).
pub(crate) const MAX_ORDER: i64 = 20_000;

/// Nano-units per unit.
const NANO: u32 = 1_000_000_000;

/// The three ways Kubernetes remembers how a quantity was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuantityFormat {
    /// e.g. `12e6`
    DecimalExponent,
    /// e.g. `12Mi` (12 * 2^20)
    BinarySI,
    /// e.g. `12M` (12 * 10^6), also plain numbers and `m`, `u`, `n`
    DecimalSI,
}

impl QuantityFormat {
    /// The Kubernetes name of the format (`"BinarySI"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            QuantityFormat::DecimalExponent => "DecimalExponent",
            QuantityFormat::BinarySI => "BinarySI",
            QuantityFormat::DecimalSI => "DecimalSI",
        }
    }
}

/// Why a quantity string was rejected. Messages never echo the input text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuantityError {
    /// The empty string.
    Empty,
    /// Not a quantity Kubernetes would accept.
    Invalid(String),
    /// Syntactically fine but beyond this implementation's resource limits.
    OutOfRange(String),
}

impl fmt::Display for QuantityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QuantityError::Empty => f.write_str("quantity is empty"),
            QuantityError::Invalid(reason) => write!(f, "invalid quantity: {reason}"),
            QuantityError::OutOfRange(reason) => {
                write!(f, "quantity out of supported range: {reason}")
            }
        }
    }
}

impl std::error::Error for QuantityError {}

/// A parsed Kubernetes resource quantity (exact value, original text kept for messages).
///
/// Equality and ordering compare the value only (`0.5 == 500m`), never the format or
/// the original text.
#[derive(Debug, Clone)]
pub struct Quantity {
    /// True only for values strictly below zero (zero is never negative).
    negative: bool,
    /// Magnitude in nano-units (10^-9).
    nanos: BigUint,
    format: QuantityFormat,
    original: String,
}

impl Quantity {
    /// Parses `text` following Kubernetes `ParseQuantity` (see the module docs for the
    /// exact value semantics and the few deliberate deviations).
    pub fn parse(text: &str) -> Result<Quantity, QuantityError> {
        if text.is_empty() {
            return Err(QuantityError::Empty);
        }
        if text.len() > MAX_INPUT_LEN {
            return Err(QuantityError::OutOfRange(format!(
                "text is longer than {MAX_INPUT_LEN} bytes"
            )));
        }
        let bytes = text.as_bytes();
        let mut pos = 0;
        let negative = match bytes.first() {
            Some(b'-') => {
                pos = 1;
                true
            }
            Some(b'+') => {
                pos = 1;
                false
            }
            _ => false,
        };
        let int_start = pos;
        while bytes.get(pos).is_some_and(u8::is_ascii_digit) {
            pos += 1;
        }
        let int_part = bytes.get(int_start..pos).unwrap_or_default();
        let mut frac_part: &[u8] = &[];
        if bytes.get(pos) == Some(&b'.') {
            pos += 1;
            let frac_start = pos;
            while bytes.get(pos).is_some_and(u8::is_ascii_digit) {
                pos += 1;
            }
            frac_part = bytes.get(frac_start..pos).unwrap_or_default();
        }
        // A number without digits is zero (Kubernetes: "if we stripped all numerator
        // positions, always return 0"); the suffix must still be valid.
        let suffix = interpret_suffix(bytes.get(pos..).unwrap_or_default())?;

        let mut digits = Vec::with_capacity(int_part.len() + frac_part.len());
        digits.extend_from_slice(int_part);
        digits.extend_from_slice(frac_part);
        let Some(first) = digits.iter().position(|&d| d != b'0') else {
            // Zero keeps the suffix's format ("0Ki" is BinarySI), whatever the exponent.
            return Ok(Quantity {
                negative: false,
                nanos: BigUint::zero(),
                format: suffix.format,
                original: text.to_owned(),
            });
        };
        if suffix.exp10.unsigned_abs() > MAX_ABS_EXPONENT.unsigned_abs() {
            return Err(QuantityError::OutOfRange(format!(
                "exponent magnitude exceeds {MAX_ABS_EXPONENT}"
            )));
        }
        // `first` found a non-zero digit, so `rposition` does too.
        let last = digits.iter().rposition(|&d| d != b'0').unwrap_or(first);
        let sig = digits.get(first..=last).unwrap_or_default();
        let trailing_zeros = (digits.len() - 1 - last) as i64;
        // value = sig * 10^e10 * 2^exp2, sig without leading or trailing zeros.
        let e10 = suffix.exp10 - frac_part.len() as i64 + trailing_zeros;
        let sig_len = sig.len() as i64;
        if sig_len - 1 + e10 >= MAX_ORDER {
            return Err(QuantityError::OutOfRange(format!(
                "magnitude is 10^{MAX_ORDER} or more"
            )));
        }
        let shift = e10 + 9; // power of ten that turns units into nano-units
        let mut nanos = if shift >= 0 {
            let mut n = BigUint::from_decimal_digits(sig);
            n.mul_pow10(shift.unsigned_abs());
            n.shl_bits(suffix.exp2);
            n
        } else {
            // Sub-nano digits: round the magnitude up to the next nano-unit.
            let k = shift.unsigned_abs();
            if suffix.exp2 == 0 {
                if k >= sig.len() as u64 {
                    BigUint::from_u64(1)
                } else {
                    // The dropped digits include sig's last digit, which is non-zero.
                    let keep = sig.len() - k as usize;
                    let mut n = BigUint::from_decimal_digits(sig.get(..keep).unwrap_or_default());
                    n.mul_small_add(1, 1);
                    n
                }
            } else {
                let mut n = BigUint::from_decimal_digits(sig);
                n.shl_bits(suffix.exp2);
                n.div_pow10_ceil(k);
                n
            }
        };
        let mut format = suffix.format;
        if format == QuantityFormat::BinarySI {
            let cap = max_allowed_nanos();
            if nanos > cap {
                nanos = cap;
            }
            if nanos < BigUint::from_u64(u64::from(NANO)) {
                format = QuantityFormat::DecimalSI;
            }
        }
        Ok(Quantity {
            negative,
            nanos,
            format,
            original: text.to_owned(),
        })
    }

    /// The text as written (for results of [`add`](Self::add) / [`mul_int`](Self::mul_int)
    /// / [`zero`](Self::zero): the canonical rendering).
    pub fn original(&self) -> &str {
        &self.original
    }

    /// True if the value is exactly zero. Because parsing rounds away from zero, a
    /// quantity with any non-zero digit is never zero (`0.0000000001` is `1n`).
    pub fn is_zero(&self) -> bool {
        self.nanos.is_zero()
    }

    /// True if the value is strictly below zero (`-0` is not negative).
    pub fn is_negative(&self) -> bool {
        self.negative
    }

    /// False for a number written without a single digit (`.`, `-`, `Ki`, `m`), which
    /// Kubernetes reads as zero. Computed values (sums, products) always have digits.
    pub fn has_digits(&self) -> bool {
        self.original
            .bytes()
            .skip_while(|b| matches!(b, b'+' | b'-'))
            .take_while(|b| b.is_ascii_digit() || *b == b'.')
            .any(|b| b.is_ascii_digit())
    }

    /// The value rounded up in magnitude to a whole number of milli-units, as v1
    /// defaulting stores every resource list value (`SetDefaults_ResourceList`:
    /// `val.RoundUp(-3)`, "we round up resource values to milli scale"): `0.5m` -> `1m`,
    /// `-0.1m` -> `-1m`. The original text and the format are kept.
    pub fn round_up_milli(&self) -> Quantity {
        let mut milli = self.nanos.clone();
        if milli.div_rem_small(1_000_000) == 0 {
            return self.clone();
        }
        milli.mul_small_add(1, 1);
        milli.mul_small_add(1_000_000, 0);
        Quantity {
            negative: self.negative,
            nanos: milli,
            format: self.format,
            original: self.original.clone(),
        }
    }

    /// Like Kubernetes `Value()`: the value in whole units, rounded up in magnitude
    /// (`1.2` -> 2, `-1.2` -> -2). `None` if it does not fit in i64.
    pub fn value_ceil(&self) -> Option<i64> {
        let mut units = self.nanos.clone();
        if units.div_rem_small(NANO) != 0 {
            units.mul_small_add(1, 1);
        }
        let magnitude = units.to_u64()?;
        if self.negative {
            0i64.checked_sub_unsigned(magnitude)
        } else {
            i64::try_from(magnitude).ok()
        }
    }

    /// A quantity of `milli` milli-units, in `format` (like Kubernetes
    /// `NewMilliQuantity`).
    pub fn from_milli(milli: i64, format: QuantityFormat) -> Quantity {
        let nanos = BigUint::from_u64(milli.unsigned_abs()).mul_u64(1_000_000);
        Quantity::from_parts(milli < 0, nanos, format)
    }

    /// The format Kubernetes remembers for this quantity.
    pub fn format_suffix(&self) -> QuantityFormat {
        self.format
    }

    /// Exact comparison of the values.
    pub fn cmp_value(&self, other: &Quantity) -> Ordering {
        match (self.negative, other.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.nanos.cmp(&other.nanos),
            (true, true) => other.nanos.cmp(&self.nanos),
        }
    }

    /// Exact sum. Like Kubernetes `Add`, the result keeps `self`'s format unless `self`
    /// is zero, in which case it takes `other`'s. No cap is applied to sums.
    pub fn add(&self, other: &Quantity) -> Quantity {
        let (negative, nanos) = if self.negative == other.negative {
            (self.negative, self.nanos.add(&other.nanos))
        } else {
            match self.nanos.cmp(&other.nanos) {
                Ordering::Greater => (self.negative, self.nanos.sub(&other.nanos)),
                Ordering::Less => (other.negative, other.nanos.sub(&self.nanos)),
                Ordering::Equal => (false, BigUint::zero()),
            }
        };
        let format = if self.is_zero() {
            other.format
        } else {
            self.format
        };
        Quantity::from_parts(negative, nanos, format)
    }

    /// Exact product with a non-negative integer (e.g. replicas x per-pod amount).
    pub fn mul_int(&self, n: u64) -> Quantity {
        Quantity::from_parts(self.negative, self.nanos.mul_u64(n), self.format)
    }

    /// Zero, in `DecimalSI` format (like Kubernetes' zero-value quantity).
    pub fn zero() -> Quantity {
        Quantity::from_parts(false, BigUint::zero(), QuantityFormat::DecimalSI)
    }

    /// Nearest `f64` to the value (correctly rounded; +/-inf beyond the f64 range).
    /// ONLY for heuristics and display, never for comparisons.
    pub fn to_f64_approx(&self) -> f64 {
        if self.nanos.is_zero() {
            return 0.0;
        }
        let text = format!("{}e-9", self.nanos.to_decimal_string());
        let magnitude = text.parse::<f64>().unwrap_or(f64::NAN);
        if self.negative { -magnitude } else { magnitude }
    }

    /// Like Kubernetes `MilliValue()`: the value in milli-units, rounded up in magnitude
    /// (away from zero: `0.1m` -> 1, `-0.1m` -> -1). `None` if it does not fit in i64.
    pub fn milli_value_ceil(&self) -> Option<i64> {
        let mut milli = self.nanos.clone();
        if milli.div_rem_small(1_000_000) != 0 {
            milli.mul_small_add(1, 1);
        }
        let magnitude = milli.to_u64()?;
        if self.negative {
            0i64.checked_sub_unsigned(magnitude)
        } else {
            i64::try_from(magnitude).ok()
        }
    }

    /// Kubernetes-like canonical string (`Quantity.String()`): `1536Mi` -> `"1536Mi"`,
    /// `1.5Gi` -> `"1536Mi"`, `0.5` -> `"500m"`, `1000M` -> `"1G"`, `1e3` -> `"1e3"`.
    ///
    /// Follows `CanonicalizeBytes`: zero is `"0"`; `BinarySI` values below 1024 in
    /// magnitude or with a fractional part are written as `DecimalSI`; decimal values
    /// use the largest exponent that is a multiple of three and loses no digits. Only
    /// difference: values too large for the Kubernetes suffix tables keep the largest
    /// suffix (`1000E`, `1024Ei`) instead of losing the suffix.
    pub fn canonical(&self) -> String {
        if self.nanos.is_zero() {
            return "0".to_owned();
        }
        let sign = if self.negative { "-" } else { "" };
        let mut format = self.format;
        if format == QuantityFormat::BinarySI {
            let mut units = self.nanos.clone();
            let below_1024 = self.nanos < BigUint::from_u64(1024 * u64::from(NANO));
            if below_1024 || units.div_rem_small(NANO) != 0 {
                format = QuantityFormat::DecimalSI;
            } else {
                const BINARY: [&str; 7] = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
                let mut power = units.trailing_zero_bits() / 10;
                units.shr_bits(power * 10);
                if power > 6 {
                    units.shl_bits((power - 6) * 10);
                    power = 6;
                }
                return format!(
                    "{sign}{}{}",
                    units.to_decimal_string(),
                    BINARY.get(power as usize).copied().unwrap_or_default()
                );
            }
        }
        let mut mantissa = self.nanos.to_decimal_string();
        let stripped = mantissa.trim_end_matches('0').len();
        let mut exponent = (mantissa.len() - stripped) as i64 - 9;
        mantissa.truncate(stripped);
        let down = exponent.rem_euclid(3);
        push_zeros(&mut mantissa, down);
        exponent -= down;
        let suffix = match format {
            QuantityFormat::DecimalExponent if exponent == 0 => String::new(),
            QuantityFormat::DecimalExponent => format!("e{exponent}"),
            _ => {
                let suffix = match exponent {
                    -9 => "n",
                    -6 => "u",
                    -3 => "m",
                    0 => "",
                    3 => "k",
                    6 => "M",
                    9 => "G",
                    12 => "T",
                    15 => "P",
                    _ => {
                        // exponent >= 18 (never below -9: values are whole nano-units)
                        push_zeros(&mut mantissa, exponent - 18);
                        "E"
                    }
                };
                suffix.to_owned()
            }
        };
        format!("{sign}{mantissa}{suffix}")
    }

    fn from_parts(negative: bool, nanos: BigUint, format: QuantityFormat) -> Quantity {
        let mut q = Quantity {
            negative: negative && !nanos.is_zero(),
            nanos,
            format,
            original: String::new(),
        };
        q.original = q.canonical();
        q
    }
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Self) -> bool {
        self.cmp_value(other) == Ordering::Equal
    }
}

impl Eq for Quantity {}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Quantity {
    fn cmp(&self, other: &Self) -> Ordering {
        self.cmp_value(other)
    }
}

impl FromStr for Quantity {
    type Err = QuantityError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Quantity::parse(s)
    }
}

fn push_zeros(s: &mut String, count: i64) {
    for _ in 0..count {
        s.push('0');
    }
}

/// (2^63 - 1) units, the cap Kubernetes applies to `BinarySI` quantities, in nano-units.
fn max_allowed_nanos() -> BigUint {
    BigUint::from_u64(i64::MAX.unsigned_abs()).mul_u64(u64::from(NANO))
}

struct Suffix {
    /// Power of ten applied by the suffix.
    exp10: i64,
    /// Power of two applied by the suffix (0, or 10..=60 for Ki..Ei).
    exp2: u64,
    format: QuantityFormat,
}

/// `suffix.go` `interpret`: the exact suffix tables plus `e`/`E` followed by a Go
/// `strconv.ParseInt(s, 10, 64)` integer.
fn interpret_suffix(s: &[u8]) -> Result<Suffix, QuantityError> {
    let decimal = |exp10| {
        Ok(Suffix {
            exp10,
            exp2: 0,
            format: QuantityFormat::DecimalSI,
        })
    };
    let binary = |exp2| {
        Ok(Suffix {
            exp10: 0,
            exp2,
            format: QuantityFormat::BinarySI,
        })
    };
    match s {
        b"" => decimal(0),
        b"n" => decimal(-9),
        b"u" => decimal(-6),
        b"m" => decimal(-3),
        b"k" => decimal(3),
        b"M" => decimal(6),
        b"G" => decimal(9),
        b"T" => decimal(12),
        b"P" => decimal(15),
        b"E" => decimal(18),
        b"Ki" => binary(10),
        b"Mi" => binary(20),
        b"Gi" => binary(30),
        b"Ti" => binary(40),
        b"Pi" => binary(50),
        b"Ei" => binary(60),
        [b'e' | b'E', rest @ ..] => match parse_go_int64(rest) {
            Some(exp10) => Ok(Suffix {
                exp10,
                exp2: 0,
                format: QuantityFormat::DecimalExponent,
            }),
            None => Err(QuantityError::Invalid(
                "exponent is not a 64-bit decimal integer".into(),
            )),
        },
        _ => Err(QuantityError::Invalid(
            "unknown suffix (expected Ki, Mi, Gi, Ti, Pi, Ei, n, u, m, k, M, G, T, P, E or e<exponent>)"
                .into(),
        )),
    }
}

/// `[+-]?[0-9]+` fitting in i64, like Go's `strconv.ParseInt(s, 10, 64)`.
fn parse_go_int64(s: &[u8]) -> Option<i64> {
    let (negative, digits) = match s {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, s),
    };
    if digits.is_empty() {
        return None;
    }
    let mut magnitude: u64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        magnitude = magnitude
            .checked_mul(10)?
            .checked_add(u64::from(d - b'0'))?;
    }
    if negative {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// Minimal arbitrary-precision unsigned integer: little-endian base-2^32 limbs with no
/// trailing zero limbs (so zero is the empty vector and derived equality is exact).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct BigUint {
    limbs: Vec<u32>,
}

impl BigUint {
    fn zero() -> Self {
        BigUint { limbs: Vec::new() }
    }

    fn from_u64(v: u64) -> Self {
        let mut b = BigUint {
            limbs: vec![v as u32, (v >> 32) as u32],
        };
        b.normalize();
        b
    }

    fn normalize(&mut self) {
        while self.limbs.last() == Some(&0) {
            self.limbs.pop();
        }
    }

    fn is_zero(&self) -> bool {
        self.limbs.is_empty()
    }

    fn to_u64(&self) -> Option<u64> {
        match self.limbs.as_slice() {
            [] => Some(0),
            [lo] => Some(u64::from(*lo)),
            [lo, hi] => Some(u64::from(*lo) | (u64::from(*hi) << 32)),
            _ => None,
        }
    }

    /// self = self * mul + add
    fn mul_small_add(&mut self, mul: u32, add: u32) {
        let mut carry = u64::from(add);
        for limb in &mut self.limbs {
            let v = u64::from(*limb) * u64::from(mul) + carry;
            *limb = v as u32;
            carry = v >> 32;
        }
        if carry != 0 {
            self.limbs.push(carry as u32);
        }
        self.normalize();
    }

    fn mul_u64(&self, m: u64) -> BigUint {
        let mut limbs = Vec::with_capacity(self.limbs.len() + 2);
        let mut carry: u128 = 0;
        for &limb in &self.limbs {
            let v = u128::from(limb) * u128::from(m) + carry;
            limbs.push(v as u32);
            carry = v >> 32;
        }
        while carry != 0 {
            limbs.push(carry as u32);
            carry >>= 32;
        }
        let mut b = BigUint { limbs };
        b.normalize();
        b
    }

    fn mul_pow10(&mut self, mut k: u64) {
        if self.is_zero() {
            return;
        }
        while k >= 9 {
            self.mul_small_add(NANO, 0);
            k -= 9;
        }
        if k > 0 {
            self.mul_small_add(10u32.pow(k as u32), 0);
        }
    }

    /// Divides in place by `d` (non-zero), returning the remainder.
    fn div_rem_small(&mut self, d: u32) -> u32 {
        let mut rem: u64 = 0;
        for limb in self.limbs.iter_mut().rev() {
            let cur = (rem << 32) | u64::from(*limb);
            *limb = (cur / u64::from(d)) as u32;
            rem = cur % u64::from(d);
        }
        self.normalize();
        rem as u32
    }

    /// self = ceil(self / 10^k)
    fn div_pow10_ceil(&mut self, mut k: u64) {
        let mut inexact = false;
        while k > 0 && !self.is_zero() {
            let step = k.min(9);
            if self.div_rem_small(10u32.pow(step as u32)) != 0 {
                inexact = true;
            }
            k -= step;
        }
        if inexact {
            self.mul_small_add(1, 1);
        }
    }

    fn shl_bits(&mut self, bits: u64) {
        if self.is_zero() || bits == 0 {
            return;
        }
        let limb_shift = (bits / 32) as usize;
        let bit_shift = (bits % 32) as u32;
        if bit_shift != 0 {
            let mut carry = 0u32;
            for limb in &mut self.limbs {
                let v = (u64::from(*limb) << bit_shift) | u64::from(carry);
                *limb = v as u32;
                carry = (v >> 32) as u32;
            }
            if carry != 0 {
                self.limbs.push(carry);
            }
        }
        if limb_shift > 0 {
            self.limbs.splice(0..0, std::iter::repeat_n(0, limb_shift));
        }
    }

    fn shr_bits(&mut self, bits: u64) {
        let limb_shift = usize::try_from(bits / 32).unwrap_or(usize::MAX);
        if limb_shift >= self.limbs.len() {
            self.limbs.clear();
            return;
        }
        self.limbs.drain(..limb_shift);
        let bit_shift = (bits % 32) as u32;
        if bit_shift != 0 {
            let mut carry = 0u32;
            for limb in self.limbs.iter_mut().rev() {
                let v = *limb;
                *limb = (v >> bit_shift) | (carry << (32 - bit_shift));
                carry = v & ((1u32 << bit_shift) - 1);
            }
        }
        self.normalize();
    }

    fn trailing_zero_bits(&self) -> u64 {
        match self.limbs.iter().enumerate().find(|(_, l)| **l != 0) {
            Some((i, l)) => i as u64 * 32 + u64::from(l.trailing_zeros()),
            None => 0,
        }
    }

    fn add(&self, other: &BigUint) -> BigUint {
        let (long, short) = if self.limbs.len() >= other.limbs.len() {
            (&self.limbs, &other.limbs)
        } else {
            (&other.limbs, &self.limbs)
        };
        let mut limbs = Vec::with_capacity(long.len() + 1);
        let mut carry = 0u64;
        for (i, &l) in long.iter().enumerate() {
            let v = u64::from(l) + u64::from(short.get(i).copied().unwrap_or(0)) + carry;
            limbs.push(v as u32);
            carry = v >> 32;
        }
        if carry != 0 {
            limbs.push(carry as u32);
        }
        BigUint { limbs }
    }

    /// self - other; requires self >= other.
    fn sub(&self, other: &BigUint) -> BigUint {
        debug_assert!(*self >= *other);
        let mut limbs = Vec::with_capacity(self.limbs.len());
        let mut borrow = 0i64;
        for (i, &l) in self.limbs.iter().enumerate() {
            let mut v = i64::from(l) - i64::from(other.limbs.get(i).copied().unwrap_or(0)) - borrow;
            if v < 0 {
                v += 1 << 32;
                borrow = 1;
            } else {
                borrow = 0;
            }
            limbs.push(v as u32);
        }
        let mut b = BigUint { limbs };
        b.normalize();
        b
    }

    /// Parses ASCII decimal digits (the caller guarantees only b'0'..=b'9').
    fn from_decimal_digits(digits: &[u8]) -> BigUint {
        let mut n = BigUint::zero();
        let first = match digits.len() % 9 {
            0 => 9.min(digits.len()),
            r => r,
        };
        // `first` is at most `digits.len()`.
        let (head, rest) = digits.split_at_checked(first).unwrap_or((digits, &[]));
        let mut chunks = vec![head];
        chunks.extend(rest.chunks(9));
        for chunk in chunks {
            let value = chunk
                .iter()
                .fold(0u32, |acc, &d| acc * 10 + u32::from(d - b'0'));
            n.mul_small_add(10u32.pow(chunk.len() as u32), value);
        }
        n
    }

    fn to_decimal_string(&self) -> String {
        if self.is_zero() {
            return "0".to_owned();
        }
        let mut n = self.clone();
        let mut chunks = Vec::new();
        while !n.is_zero() {
            chunks.push(n.div_rem_small(NANO));
        }
        let mut out = String::with_capacity(chunks.len() * 9);
        let mut iter = chunks.iter().rev();
        if let Some(top) = iter.next() {
            out.push_str(&top.to_string());
        }
        for chunk in iter {
            out.push_str(&format!("{chunk:09}"));
        }
        out
    }
}

impl Ord for BigUint {
    fn cmp(&self, other: &Self) -> Ordering {
        self.limbs
            .len()
            .cmp(&other.limbs.len())
            .then_with(|| self.limbs.iter().rev().cmp(other.limbs.iter().rev()))
    }
}

impl PartialOrd for BigUint {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use QuantityFormat::{BinarySI, DecimalExponent, DecimalSI};

    const MOST_POSITIVE: i64 = i64::MAX;
    const MOST_NEGATIVE: i64 = i64::MIN;

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).unwrap_or_else(|e| panic!("{s:?} should parse: {e}"))
    }

    /// Go test helper `decQuantity(m, e, format)`: the value m * 10^e with a format.
    /// Built by parsing "{m}e{e}" (exact for all values used here) and setting the format.
    fn dec_q(m: i128, e: i32, format: QuantityFormat) -> Quantity {
        let mut v = q(&format!("{m}e{e}"));
        v.format = format;
        v
    }

    fn neg(v: &Quantity) -> Quantity {
        let mut n = v.clone();
        n.negative = !n.nanos.is_zero() && !n.negative;
        n
    }

    fn ord(i: i32) -> Ordering {
        i.cmp(&0)
    }

    // ---------------------------------------------------------------------------------
    // Truths required by kubeward.
    // ---------------------------------------------------------------------------------

    #[test]
    fn required_truths() {
        assert_eq!(q("0.5"), q("500m"));
        assert!(q("1G") < q("1Gi"));
        assert!(q("1000Mi") < q("1Gi"));
        assert_eq!(q("1e3"), q("1k"));
        assert_eq!(q("1e-3"), q("1m"));
        assert_eq!(q("1Ki"), q("1024"));
        assert!(q("100m") < q("0.2"));
        assert!(q("-1") < q("0"));
        assert_eq!(q("2"), q("2.000"));
        assert_ne!(q("1G"), q("1Gi"));
        assert_eq!(q("0.5").cmp_value(&q("500m")), Ordering::Equal);
        assert_eq!(q("1Gi").cmp_value(&q("1G")), Ordering::Greater);
        assert_eq!(q("129e6"), q("129M"));
        assert_eq!(q("1").format_suffix(), DecimalSI);
    }

    #[test]
    fn brief_invalid_inputs() {
        for s in [
            " 1", "1 ", "1 Gi", "1.1.1", "1Gb", "1KI", "1kI", "1gi", "1e3m", "1E3Ki", "1e", "1e+",
            "1e-", "1ee3", "1e3.5", "1Kii", "--1", "+-1", "0x10", "1_000", "1,5", "∞", "NaN", "e",
            "i", ".Kb", "-x", "+ 1",
        ] {
            assert!(Quantity::parse(s).is_err(), "{s:?} should be rejected");
        }
        assert_eq!(Quantity::parse(""), Err(QuantityError::Empty));
        assert!(matches!(
            Quantity::parse("1Gb"),
            Err(QuantityError::Invalid(_))
        ));
    }

    // ---------------------------------------------------------------------------------
    // Ported from kubernetes/kubernetes
    // staging/src/k8s.io/apimachinery/pkg/api/resource/quantity_test.go
    // @ db8b216c556cbd896ffb49a0a7bf13443230d18c
    // ---------------------------------------------------------------------------------

    /// TestQuantityParse: (input, expected mantissa, expected exponent, expected format).
    /// maxAllowed (2^63-1) is written as (9223372036854775807, 0).
    const PARSE_TABLE: &[(&str, i128, i32, QuantityFormat)] = &[
        ("0", 0, 0, DecimalSI),
        ("0n", 0, 0, DecimalSI),
        ("0u", 0, 0, DecimalSI),
        ("0m", 0, 0, DecimalSI),
        ("0Ki", 0, 0, BinarySI),
        ("0k", 0, 0, DecimalSI),
        ("0Mi", 0, 0, BinarySI),
        ("0M", 0, 0, DecimalSI),
        ("0Gi", 0, 0, BinarySI),
        ("0G", 0, 0, DecimalSI),
        ("0Ti", 0, 0, BinarySI),
        ("0T", 0, 0, DecimalSI),
        // Quantity less numbers are allowed
        ("1", 1, 0, DecimalSI),
        // Binary suffixes
        ("1Ki", 1024, 0, BinarySI),
        ("8Ki", 8 * 1024, 0, BinarySI),
        ("7Mi", 7 * 1024 * 1024, 0, BinarySI),
        ("6Gi", 6 * 1024 * 1024 * 1024, 0, BinarySI),
        ("5Ti", 5 * 1024 * 1024 * 1024 * 1024, 0, BinarySI),
        ("4Pi", 4 * 1024 * 1024 * 1024 * 1024 * 1024, 0, BinarySI),
        (
            "3Ei",
            3 * 1024 * 1024 * 1024 * 1024 * 1024 * 1024,
            0,
            BinarySI,
        ),
        ("10Ti", 10 * 1024 * 1024 * 1024 * 1024, 0, BinarySI),
        ("100Ti", 100 * 1024 * 1024 * 1024 * 1024, 0, BinarySI),
        // Decimal suffixes
        ("5n", 5, -9, DecimalSI),
        ("4u", 4, -6, DecimalSI),
        ("3m", 3, -3, DecimalSI),
        ("9", 9, 0, DecimalSI),
        ("8k", 8, 3, DecimalSI),
        ("50k", 5, 4, DecimalSI),
        ("7M", 7, 6, DecimalSI),
        ("6G", 6, 9, DecimalSI),
        ("5T", 5, 12, DecimalSI),
        ("40T", 4, 13, DecimalSI),
        ("300T", 3, 14, DecimalSI),
        ("2P", 2, 15, DecimalSI),
        ("1E", 1, 18, DecimalSI),
        // Decimal exponents
        ("1E-3", 1, -3, DecimalExponent),
        ("1e3", 1, 3, DecimalExponent),
        ("1E6", 1, 6, DecimalExponent),
        ("1e9", 1, 9, DecimalExponent),
        ("1E12", 1, 12, DecimalExponent),
        ("1e15", 1, 15, DecimalExponent),
        ("1E18", 1, 18, DecimalExponent),
        // Nonstandard but still parsable
        ("1e14", 1, 14, DecimalExponent),
        ("1e13", 1, 13, DecimalExponent),
        ("1e3", 1, 3, DecimalExponent),
        ("100.035k", 100035, 0, DecimalSI),
        // Things that look like floating point
        ("0.001", 1, -3, DecimalSI),
        ("0.0005k", 5, -1, DecimalSI),
        ("0.005", 5, -3, DecimalSI),
        ("0.05", 5, -2, DecimalSI),
        ("0.5", 5, -1, DecimalSI),
        ("0.00050k", 5, -1, DecimalSI),
        ("0.00500", 5, -3, DecimalSI),
        ("0.05000", 5, -2, DecimalSI),
        ("0.50000", 5, -1, DecimalSI),
        ("0.5e0", 5, -1, DecimalExponent),
        ("0.5e-1", 5, -2, DecimalExponent),
        ("0.5e-2", 5, -3, DecimalExponent),
        ("0.5e0", 5, -1, DecimalExponent),
        ("10.035M", 10035, 3, DecimalSI),
        ("1.2e3", 12, 2, DecimalExponent),
        ("1.3E+6", 13, 5, DecimalExponent),
        ("1.40e9", 14, 8, DecimalExponent),
        ("1.53E12", 153, 10, DecimalExponent),
        ("1.6e15", 16, 14, DecimalExponent),
        ("1.7E18", 17, 17, DecimalExponent),
        ("9.01", 901, -2, DecimalSI),
        ("8.1k", 81, 2, DecimalSI),
        ("7.123456M", 7123456, 0, DecimalSI),
        ("6.987654321G", 6987654321, 0, DecimalSI),
        ("5.444T", 5444, 9, DecimalSI),
        ("40.1T", 401, 11, DecimalSI),
        ("300.2T", 3002, 11, DecimalSI),
        ("2.5P", 25, 14, DecimalSI),
        ("1.01E", 101, 16, DecimalSI),
        // Things that saturate/round
        ("3.001n", 4, -9, DecimalSI),
        ("1.1E-9", 2, -9, DecimalExponent),
        ("0.0000000001", 1, -9, DecimalSI),
        ("0.0000000005", 1, -9, DecimalSI),
        ("0.00000000050", 1, -9, DecimalSI),
        ("0.5e-9", 1, -9, DecimalExponent),
        ("0.9n", 1, -9, DecimalSI),
        ("0.00000012345", 124, -9, DecimalSI),
        ("0.00000012354", 124, -9, DecimalSI),
        ("9Ei", 9223372036854775807, 0, BinarySI),
        ("9223372036854775807Ki", 9223372036854775807, 0, BinarySI),
        ("12E", 12, 18, DecimalSI),
        // We'll accept fractional binary stuff, too.
        ("100.035Ki", 10243584, -2, BinarySI),
        ("0.5Mi", 512 * 1024, 0, BinarySI),
        ("0.05Gi", 536870912, -1, BinarySI),
        ("0.025Ti", 274877906944, -1, BinarySI),
        // Things written by trolls
        ("0.000000000001Ki", 2, -9, DecimalSI), // rounds up, changes format
        (".001", 1, -3, DecimalSI),
        (".0001k", 100, -3, DecimalSI),
        ("1.", 1, 0, DecimalSI),
        ("1.G", 1, 9, DecimalSI),
    ];

    #[test]
    fn upstream_quantity_parse_table() {
        assert_eq!(PARSE_TABLE.len(), 96);
        for &(input, m, e, format) in PARSE_TABLE {
            let expect = dec_q(m, e, format);
            // As written, with an explicit "+", and negated with "-" (as upstream does).
            for (text, want) in [
                (input.to_owned(), expect.clone()),
                (format!("+{input}"), expect.clone()),
                (format!("-{input}"), neg(&expect)),
            ] {
                let got = Quantity::parse(&text)
                    .unwrap_or_else(|err| panic!("{text:?}: unexpected error {err}"));
                assert_eq!(got, want, "{text:?}: got {}", got.canonical());
                assert_eq!(got.format_suffix(), format, "{text:?}: format");
                assert_eq!(got.original(), text);
                // Round trip through the canonical form preserves the value.
                assert_eq!(q(&got.canonical()), got, "{text:?}: canonical round trip");
            }
        }
    }

    #[test]
    fn upstream_quantity_parse_invalid() {
        let invalid = [
            "1.1.M", "1+1.0M", "0.1mi", "0.1am", "aoeu", ".5i", "1i", "-3.01i", "-3.01e-",
            // trailing whitespace is forbidden
            " 1", "1 ",
        ];
        assert_eq!(invalid.len(), 11);
        for s in invalid {
            assert!(
                matches!(Quantity::parse(s), Err(QuantityError::Invalid(_))),
                "{s:?} parsed unexpectedly"
            );
        }
        // TestQuantityParse: the empty string is an error.
        assert_eq!(Quantity::parse(""), Err(QuantityError::Empty));
        // TestQuantityParseNonNumericPanic
        assert!(Quantity::parse("Non-Numeric").is_err());
    }

    /// TestParseQuantityString: "." and "-." scan as zero numbers, and `ParseQuantity`
    /// accepts them (the empty numerator becomes "0").
    #[test]
    fn upstream_parse_quantity_string_rows() {
        assert!(q(".").is_zero());
        assert!(q("-.").is_zero());
        assert!(!q(".").is_negative());
        assert_eq!(q("0.025Ti"), dec_q(274877906944, -1, BinarySI));
        assert_eq!(q("1.025Ti"), dec_q(11269994184704, -1, BinarySI));
        assert_eq!(q("-1.025Ti"), dec_q(-11269994184704, -1, BinarySI));
        assert_eq!(q("1E-3"), q("1m"));
    }

    #[test]
    fn upstream_quantity_parse_zero() {
        assert_eq!(q("0").canonical(), "0");
        assert!(q("0").is_zero());
    }

    #[test]
    fn upstream_quantity_cmp() {
        for (x, y, expect) in [
            ("0", "0", 0),
            ("100m", "50m", 1),
            ("50m", "100m", -1),
            ("10000T", "100Gi", 1),
            // Second table (nil/zero inf.Dec) expressed as values.
            ("0", "0", 0),
            ("0", "10", -1),
            ("0", "-10", 1),
            ("10", "0", 1),
            ("-10", "0", -1),
        ] {
            assert_eq!(q(x).cmp_value(&q(y)), ord(expect), "{x} vs {y}");
        }
    }

    /// TestQuantityCmpInt64AndDec, with intQuantity(v, s) written as "{v}e{s}".
    /// Parsing rounds sub-nano digits (the Go test builds the amounts directly), so
    /// ((1e18-1), -17) vs (1, 1) == -1 is skipped: parsed, it is 10 == 10.
    #[test]
    fn upstream_quantity_cmp_int64_and_dec() {
        let e18: i128 = 1_000_000_000_000_000_000;
        let mp = i128::from(MOST_POSITIVE);
        let mn = i128::from(MOST_NEGATIVE);
        let table: &[(i128, i32, i128, i32, i32)] = &[
            (901, -2, 901, -2, 0),
            (90, -1, 901, -2, -1),
            (901, -2, 900, -2, 1),
            (0, 0, 0, 0, 0),
            (0, 1, 0, -1, 0),
            (0, -1, 0, 1, 0),
            (800, -3, 1, 0, -1),
            (800, -3, 79, -2, 1),
            (mp, 0, 1, -1, 1),
            (mp, 1, 1, 0, 1),
            (mp, 1, 1, 1, 1),
            (mp, 1, 0, 1, 1),
            (mp, -16, 1, 3, -1),
            (mn, 0, 0, 0, -1),
            (mn, -18, -1, 0, -1),
            (mn, -19, -1, 0, 1),
            (e18, -17, 1, 1, 0),
            (e18, -17, -10, 0, 1),
            (-e18, -17, -10, 0, 0),
            (e18, -17, 1, 0, 1),
            (e18 + 1, -17, 1, 1, 1),
        ];
        for &(av, ae, bv, be, expect) in table {
            let a = q(&format!("{av}e{ae}"));
            let b = q(&format!("{bv}e{be}"));
            assert_eq!(a.cmp_value(&b), ord(expect), "{av}e{ae} vs {bv}e{be}");
            assert_eq!(
                b.cmp_value(&a),
                ord(-expect),
                "inverted {av}e{ae} vs {bv}e{be}"
            );
        }
    }

    /// TestQuantityString: (mantissa, exponent, format, canonical, alternate spelling).
    #[test]
    fn upstream_quantity_string() {
        let table: &[(i128, i32, QuantityFormat, &str, &str)] = &[
            (1024 * 1024 * 1024, 0, BinarySI, "1Gi", "1024Mi"),
            (300 * 1024 * 1024, 0, BinarySI, "300Mi", "307200Ki"),
            (6 * 1024, 0, BinarySI, "6Ki", ""),
            (
                1001 * 1024 * 1024 * 1024,
                0,
                BinarySI,
                "1001Gi",
                "1025024Mi",
            ),
            (1024 * 1024 * 1024 * 1024, 0, BinarySI, "1Ti", "1024Gi"),
            (5, 0, BinarySI, "5", "5000m"),
            (500, -3, BinarySI, "500m", "0.5"),
            (1, 9, DecimalSI, "1G", "1000M"),
            (1000, 6, DecimalSI, "1G", "0.001T"),
            (1000000, 3, DecimalSI, "1G", ""),
            (1000000000, 0, DecimalSI, "1G", ""),
            (1, -3, DecimalSI, "1m", "1000u"),
            (80, -3, DecimalSI, "80m", ""),
            (1080, -3, DecimalSI, "1080m", "1.08"),
            (108, -2, DecimalSI, "1080m", "1080000000n"),
            (10800, -4, DecimalSI, "1080m", ""),
            (300, 6, DecimalSI, "300M", ""),
            (1, 12, DecimalSI, "1T", ""),
            (1234567, 6, DecimalSI, "1234567M", ""),
            (1234567, -3, BinarySI, "1234567m", ""),
            (3, 3, DecimalSI, "3k", ""),
            (1025, 0, BinarySI, "1025", ""),
            (0, 0, DecimalSI, "0", ""),
            (0, 0, BinarySI, "0", ""),
            (1, 9, DecimalExponent, "1e9", ".001e12"),
            (1, -3, DecimalExponent, "1e-3", "0.001e0"),
            (1, -9, DecimalExponent, "1e-9", "1000e-12"),
            (80, -3, DecimalExponent, "80e-3", ""),
            (300, 6, DecimalExponent, "300e6", ""),
            (1, 12, DecimalExponent, "1e12", ""),
            (1, 3, DecimalExponent, "1e3", ""),
            (3, 3, DecimalExponent, "3e3", ""),
            (3, 3, DecimalSI, "3k", ""),
            (0, 0, DecimalExponent, "0", "00"),
            (1, -9, DecimalSI, "1n", ""),
            (80, -9, DecimalSI, "80n", ""),
            (1080, -9, DecimalSI, "1080n", ""),
            (108, -8, DecimalSI, "1080n", ""),
            (10800, -10, DecimalSI, "1080n", ""),
            (1, -6, DecimalSI, "1u", ""),
            (80, -6, DecimalSI, "80u", ""),
            (1080, -6, DecimalSI, "1080u", ""),
        ];
        assert_eq!(table.len(), 42);
        for &(m, e, format, expect, alternate) in table {
            let value = dec_q(m, e, format);
            assert_eq!(value.canonical(), expect, "{m}e{e} {format:?}");
            let reparsed = q(expect);
            assert_eq!(reparsed, value, "{expect}: value");
            assert_eq!(
                reparsed.canonical(),
                expect,
                "{expect}: canonical of canonical"
            );
            if !alternate.is_empty() {
                assert_eq!(q(alternate).canonical(), expect, "alternate {alternate}");
            }
            if !value.is_zero() {
                assert_eq!(neg(&value).canonical(), format!("-{expect}"));
            }
        }
    }

    #[test]
    fn upstream_quantity_parse_emit() {
        let table = [
            ("1Ki", "1Ki"),
            ("1Mi", "1Mi"),
            ("1Gi", "1Gi"),
            ("1024Mi", "1Gi"),
            ("1000M", "1G"),
            (".001Ki", "1024m"),
            (".000001Ki", "1024u"),
            (".000000001Ki", "1024n"),
            (".000000000001Ki", "2n"),
        ];
        for (input, expect) in table {
            assert_eq!(q(input).canonical(), expect, "{input}");
            assert_eq!(q(&format!("-{input}")).canonical(), format!("-{expect}"));
        }
    }

    #[test]
    fn upstream_add_zero_preserves_suffix() {
        for value in ["100m", "1Gi"] {
            let v = q(value);
            let zero = q("0");
            assert_eq!(v.add(&zero).canonical(), value);
            assert_eq!(zero.add(&v).canonical(), value);
        }
    }

    #[test]
    fn upstream_add() {
        let zero = Quantity::zero();
        let cases = [
            (
                dec_q(10, 0, DecimalSI),
                dec_q(1, 1, DecimalSI),
                dec_q(20, 0, DecimalSI),
            ),
            (
                dec_q(10, 0, DecimalSI),
                dec_q(1, 0, BinarySI),
                dec_q(11, 0, DecimalSI),
            ),
            (
                dec_q(10, 0, BinarySI),
                dec_q(1, 0, DecimalSI),
                dec_q(11, 0, BinarySI),
            ),
            (
                zero.clone(),
                dec_q(50, 0, DecimalSI),
                dec_q(50, 0, DecimalSI),
            ),
            (
                dec_q(50, 0, DecimalSI),
                zero.clone(),
                dec_q(50, 0, DecimalSI),
            ),
            (zero.clone(), zero.clone(), dec_q(0, 0, DecimalSI)),
        ];
        for (i, (a, b, expected)) in cases.iter().enumerate() {
            assert_eq!(a.add(b), *expected, "case {i}");
        }
    }

    /// TestMul rows with a non-negative multiplier (`mul_int` takes u64).
    #[test]
    fn upstream_mul() {
        let mp = i128::from(MOST_POSITIVE);
        let mn = i128::from(MOST_NEGATIVE);
        let zero = Quantity::zero();
        let cases: Vec<(Quantity, u64, Quantity)> = vec![
            (dec_q(10, 0, DecimalSI), 10, dec_q(100, 0, DecimalSI)),
            (dec_q(10, 0, DecimalSI), 1, dec_q(10, 0, DecimalSI)),
            (dec_q(10, 0, BinarySI), 1, dec_q(10, 0, BinarySI)),
            (zero.clone(), 50, dec_q(0, 0, DecimalSI)),
            (dec_q(50, 0, DecimalSI), 0, dec_q(0, 0, DecimalSI)),
            (zero.clone(), 0, dec_q(0, 0, DecimalSI)),
            (dec_q(-10, 0, DecimalSI), 1, dec_q(-10, 0, DecimalSI)),
            (dec_q(-50, 0, DecimalSI), 0, dec_q(0, 0, DecimalSI)),
            (dec_q(mp, 0, DecimalSI), 0, dec_q(0, 1, DecimalSI)),
            (dec_q(mp, 0, DecimalSI), 1, dec_q(mp, 0, DecimalSI)),
            (
                dec_q(mp / 2, 0, DecimalSI),
                2,
                dec_q((mp / 2) * 2, 0, DecimalSI),
            ),
            (dec_q(mp, 0, DecimalSI), 2, dec_q(mp * 2, 0, DecimalSI)),
            (dec_q(mp, 0, DecimalSI), 10, dec_q(mp, 1, DecimalSI)),
            (dec_q(mn, 0, DecimalSI), 0, dec_q(0, 1, DecimalSI)),
            (dec_q(mn, 0, DecimalSI), 1, dec_q(mn, 0, DecimalSI)),
            (dec_q(mn / 2, 0, DecimalSI), 2, dec_q(mn, 0, DecimalSI)),
            (dec_q(mn, 0, DecimalSI), 2, dec_q(mn * 2, 0, DecimalSI)),
            (dec_q(mn, 0, DecimalSI), 10, dec_q(mn, 1, DecimalSI)),
        ];
        for (i, (a, n, expected)) in cases.iter().enumerate() {
            let got = a.mul_int(*n);
            assert_eq!(got, *expected, "case {i}: got {}", got.canonical());
            assert_eq!(got.is_negative(), expected.is_negative(), "case {i}: sign");
        }
    }

    /// TestNewSet, TestMilliNewSet and TestNewScaledSet: canonical strings of values built
    /// as value * 10^scale (NewQuantity / NewMilliQuantity / NewScaledQuantity).
    #[test]
    fn upstream_new_set_canonical() {
        // TestNewSet ("invalidFormatDefaultsToExponent" is DecimalExponent in Go too).
        for (value, format, expect) in [
            (1, DecimalSI, "1"),
            (1000, DecimalSI, "1k"),
            (1234000, DecimalSI, "1234k"),
            (1024, BinarySI, "1Ki"),
            (1000000, DecimalExponent, "1e6"),
            (1024 * 1024, BinarySI, "1Mi"),
        ] {
            assert_eq!(dec_q(value, 0, format).canonical(), expect);
            assert_eq!(q(expect), dec_q(value, 0, format));
        }
        // TestMilliNewSet (the exact rows also round-trip MilliValue).
        for (milli, format, expect, exact) in [
            (1i64, DecimalSI, "1m", true),
            (1000, DecimalSI, "1", true),
            (1234000, DecimalSI, "1234", true),
            (1024, BinarySI, "1024m", false),
            (1000000, DecimalExponent, "1e3", true),
            (1024 * 1024, BinarySI, "1048576m", false),
        ] {
            let v = dec_q(i128::from(milli), -3, format);
            assert_eq!(v.canonical(), expect);
            if exact {
                assert_eq!(q(expect).milli_value_ceil(), Some(milli));
            }
        }
        // TestNewScaledSet
        for (value, scale, expect) in [
            (1, -9, "1n"),
            (1000, -9, "1u"),
            (1, -6, "1u"),
            (1000, -6, "1m"),
            (1, -3, "1m"),
            (1000, -3, "1"),
            (1, 0, "1"),
            (0, -9, "0"),
            (0, -6, "0"),
            (0, -3, "0"),
            (0, 0, "0"),
        ] {
            let v = dec_q(value, scale, DecimalSI);
            assert_eq!(v.canonical(), expect);
            assert_eq!(q(expect), v);
        }
    }

    /// TestStringQuantityAsApproximateFloat64 / TestStringQuantityAsFloat64Slow.
    #[test]
    fn upstream_string_as_float64() {
        for (input, out) in [
            ("2Ki", 2048.0),
            ("1.1Ki", 1126.4e+0),
            ("1Mi", 1.048576e+06),
            ("2Gi", 2.147483648e+09),
        ] {
            assert_eq!(q(input).to_f64_approx(), out, "{input}");
        }
    }

    /// TestQuantityAsFloat64Slow (correctly rounded, like `to_f64_approx`). The
    /// AsApproximateFloat64 table is not ported: it multiplies by math.Pow10, which is
    /// not correctly rounded in two rows.
    #[test]
    fn upstream_as_float64_slow() {
        let m7 = 7 * 1024 * 1024;
        let f7 = f64::from(7 * 1024 * 1024);
        let mut table: Vec<(i128, i32, QuantityFormat, f64)> = Vec::new();
        for format in [DecimalSI, DecimalExponent, BinarySI] {
            table.push((0, 0, format, 0.0));
            table.push((1, 0, format, 1.0));
        }
        for format in [BinarySI, DecimalSI, DecimalExponent] {
            table.extend([
                (1024, 0, format, 1024.0),
                (8 * 1024, 0, format, 8.0 * 1024.0),
                (m7, 0, format, f7),
                (m7, 1, format, f7 * 10.0),
                (m7, 4, format, f7 * 10000.0),
                (m7, 8, format, f7 * 100000000.0),
                (m7, -1, format, f7 / 10.0),
                (m7, -8, format, f7 / 100000000.0),
            ]);
        }
        table.extend([
            (i128::from(MOST_POSITIVE), 0, DecimalSI, i64::MAX as f64),
            (i128::from(MOST_POSITIVE), 0, BinarySI, i64::MAX as f64),
            (12, 18, DecimalSI, 1.2e19),
            (12, 500, DecimalSI, f64::INFINITY),
            (-12, 500, DecimalSI, f64::NEG_INFINITY),
        ]);
        assert_eq!(table.len(), 35);
        for (m, e, format, out) in table {
            assert_eq!(
                dec_q(m, e, format).to_f64_approx(),
                out,
                "{m}e{e} {format:?}"
            );
        }
    }

    // ---------------------------------------------------------------------------------
    // kubeward-specific behaviour
    // ---------------------------------------------------------------------------------

    #[test]
    fn rounding_to_nano_matches_kubernetes() {
        assert_eq!(q("0.0000000001"), q("1n"));
        assert!(!q("0.0000000001").is_zero());
        assert_eq!(q("-0.0000000001"), q("-1n"));
        assert_eq!(q("1.0000000001"), q("1.000000001"));
        assert_eq!(q("1.0000000000000000001"), q("1.000000001"));
        assert_eq!(q("1.0000000010"), q("1.000000001"));
        assert!(q("1.0000000010") < q("1.0000000011"));
        assert_eq!(q("0.1n"), q("1n"));
        assert_eq!(q("1.5n"), q("2n"));
        assert_eq!(q("1e-10"), q("1n"));
        assert_eq!(q("1e-999999999"), q("1n"));
        assert_eq!(q("-1e-999999999"), q("-1n"));
        assert_eq!(q("0.0000000001Ki"), q("103n"));
        assert_eq!(q("0.0000000001Ki").format_suffix(), DecimalSI);
        // 5 * 1024 / 10 is exact: no rounding step is added.
        assert_eq!(q("0.0000000005Ki"), q("512n"));
        assert_eq!(q("0.0000000015Ki"), q("1536n"));
        assert_eq!(q("0.00000000151Ki"), q("1547n")); // 1546.24 -> 1547
    }

    #[test]
    fn binary_cap_matches_kubernetes() {
        let max = q("9223372036854775807");
        assert_eq!(q("8Ei"), max); // 2^63 is one above the cap
        assert_eq!(q("100000Ei"), max);
        assert_eq!(q("-9Ei"), neg(&max));
        assert!(q("7Ei") < max);
        assert_eq!(q("7.9999999999999999992Ei"), max); // 2^63 - 0.92: above the cap
        assert!(q("7.99999999999999999913Ei") < max); // 2^63 - 1.003: below it
        // Decimal values are not capped.
        assert!(q("12E") > max);
        assert!(q("9223372036854775808") > max);
        assert_eq!(q("9Ei").canonical(), "9223372036854775807");
    }

    #[test]
    fn formats() {
        assert_eq!(q("1Gi").format_suffix(), BinarySI);
        assert_eq!(q("0.5Ki").format_suffix(), BinarySI); // 512 >= 1
        assert_eq!(q("0.0005Ki").format_suffix(), DecimalSI); // 0.512 < 1
        assert_eq!(q("1G").format_suffix(), DecimalSI);
        assert_eq!(q("500m").format_suffix(), DecimalSI);
        assert_eq!(q("1e3").format_suffix(), DecimalExponent);
        assert_eq!(q("0e3").format_suffix(), DecimalExponent);
        assert_eq!(q("-0Ki").format_suffix(), BinarySI);
        assert_eq!(BinarySI.as_str(), "BinarySI");
        assert_eq!(DecimalSI.as_str(), "DecimalSI");
        assert_eq!(DecimalExponent.as_str(), "DecimalExponent");
    }

    #[test]
    fn exponent_syntax() {
        assert_eq!(q("1e+3"), q("1k"));
        assert_eq!(q("1E-0"), q("1"));
        assert_eq!(q("1e0000000000000000000000000003"), q("1k"));
        assert_eq!(q("129e6"), q("129M"));
        assert_eq!(q("1E"), q("1e18"));
        assert_eq!(q("1E").format_suffix(), DecimalSI);
        assert_eq!(q("1Ei"), q("1152921504606846976"));
        assert!(Quantity::parse("1e9223372036854775808").is_err()); // not an int64
        assert!(Quantity::parse("1e-9223372036854775809").is_err());
        assert!(matches!(
            Quantity::parse("1e9223372036854775807"),
            Err(QuantityError::OutOfRange(_))
        ));
        assert!(matches!(
            Quantity::parse("1e-1000000001"),
            Err(QuantityError::OutOfRange(_))
        ));
        assert_eq!(q("1e-1000000000"), q("1n"));
        // Zero accepts any int64 exponent, like Kubernetes.
        assert!(q("0e9223372036854775807").is_zero());
    }

    #[test]
    fn signs_and_zero() {
        assert!(!q("-0").is_negative());
        assert!(q("-0").is_zero());
        assert_eq!(q("-0"), q("+0"));
        assert_eq!(q("-0").canonical(), "0");
        assert!(q("-1m").is_negative());
        assert!(!q("1m").is_negative());
        assert!(q("-1m") < q("-0.5m"));
        assert!(q("-2Gi") < q("-2G"));
        assert!(q("-1") < q("1n"));
        let z = Quantity::zero();
        assert!(z.is_zero() && !z.is_negative());
        assert_eq!(z.original(), "0");
        assert_eq!(z.format_suffix(), DecimalSI);
        assert_eq!(z, q("0Gi"));
    }

    #[test]
    fn add_and_mul_int() {
        let sum = q("1.5Gi").add(&q("512Mi"));
        assert_eq!(sum, q("2Gi"));
        assert_eq!(sum.original(), "2Gi");
        assert_eq!(sum.format_suffix(), BinarySI);
        assert_eq!(q("100m").add(&q("-100m")), Quantity::zero());
        assert!(!q("100m").add(&q("-100m")).is_negative());
        assert_eq!(q("100m").add(&q("-300m")), q("-200m"));
        assert_eq!(q("-100m").add(&q("300m")), q("200m"));
        assert_eq!(q("250m").mul_int(3), q("750m"));
        assert_eq!(q("250m").mul_int(3).original(), "750m");
        assert_eq!(q("1Gi").mul_int(1024), q("1Ti"));
        assert_eq!(q("-1").mul_int(0), Quantity::zero());
        assert!(!q("-1").mul_int(0).is_negative());
        // No cap on arithmetic, and no overflow.
        let big = q("9Ei").mul_int(u64::MAX).mul_int(u64::MAX);
        assert!(big > q("9Ei"));
        assert_eq!(big.canonical(), big.original());
        assert_eq!(q(&big.canonical()), big);
        // Pod totals: 3 replicas x (2 x 250m + 1)
        let pod = q("250m").add(&q("250m")).add(&q("1"));
        assert_eq!(pod.mul_int(3), q("4.5"));
    }

    #[test]
    fn canonical_rendering() {
        assert_eq!(q("1536Mi").canonical(), "1536Mi");
        assert_eq!(q("1.5Gi").canonical(), "1536Mi");
        assert_eq!(q("0.5").canonical(), "500m");
        assert_eq!(q("1.5").canonical(), "1500m");
        assert_eq!(q("12E").canonical(), "12E");
        assert_eq!(q("1000E").canonical(), "1000E");
        assert_eq!(q("1e21").canonical(), "1e21");
        assert_eq!(q("1.5e-1").canonical(), "150e-3");
        assert_eq!(q("1023.5Ki").canonical(), "1048064");
        assert_eq!(q("1.1Ki").canonical(), "1126400m"); // fractional BinarySI -> DecimalSI
        // BinarySI below 1024 is written as DecimalSI (Kubernetes CanonicalizeBytes).
        assert_eq!(q("0.9765625Ki").format_suffix(), BinarySI);
        assert_eq!(q("0.9765625Ki").canonical(), "1k");
        assert_eq!(q("-0.9765625Ki").canonical(), "-1k");
        assert_eq!(q("1000Ki").canonical(), "1000Ki");
        assert_eq!(q("1Ei").mul_int(1024).canonical(), "1024Ei");
        assert_eq!(q("-1.5Gi").canonical(), "-1536Mi");
        assert_eq!(q("1Ki").add(&q("1")).canonical(), "1025");
        assert_eq!(q("129e6").canonical(), "129e6");
        assert_eq!(q("1.5Gi").original(), "1.5Gi");
    }

    #[test]
    fn milli_value_ceil_semantics() {
        assert_eq!(q("1").milli_value_ceil(), Some(1000));
        assert_eq!(q("0.1m").milli_value_ceil(), Some(1));
        assert_eq!(q("1n").milli_value_ceil(), Some(1));
        assert_eq!(q("-0.1m").milli_value_ceil(), Some(-1));
        assert_eq!(q("0").milli_value_ceil(), Some(0));
        assert_eq!(q("1.5Gi").milli_value_ceil(), Some(1_610_612_736_000));
        assert_eq!(q("9223372036854775807m").milli_value_ceil(), Some(i64::MAX));
        assert_eq!(
            q("-9223372036854775808m").milli_value_ceil(),
            Some(i64::MIN)
        );
        assert_eq!(q("9223372036854775808m").milli_value_ceil(), None);
        assert_eq!(q("-9223372036854775809m").milli_value_ceil(), None);
        assert_eq!(q("1e100").milli_value_ceil(), None);
    }

    #[test]
    fn f64_approx() {
        assert_eq!(q("0.5").to_f64_approx(), 0.5);
        assert_eq!(q("-1.5Gi").to_f64_approx(), -1610612736.0);
        assert_eq!(q("100m").to_f64_approx(), 0.1);
        assert_eq!(q("0").to_f64_approx(), 0.0);
        assert_eq!(q("1e400").to_f64_approx(), f64::INFINITY);
    }

    #[test]
    fn from_str_and_errors() {
        let v: Quantity = "250m".parse().expect("valid");
        assert_eq!(v, q("0.25"));
        assert_eq!("".parse::<Quantity>(), Err(QuantityError::Empty));
        let err = "1Gb".parse::<Quantity>().expect_err("invalid");
        assert!(err.to_string().starts_with("invalid quantity: "), "{err}");
        assert!(!err.to_string().contains("1Gb"));
        assert_eq!(QuantityError::Empty.to_string(), "quantity is empty");
        let boxed: Box<dyn std::error::Error> = Box::new(err);
        assert!(!boxed.to_string().is_empty());
    }

    #[test]
    fn ordering_is_total_and_consistent() {
        let mut values: Vec<Quantity> = [
            "1Gi", "1G", "-1", "0", "500m", "0.5", "1n", "-1n", "1e3", "1Ki", "12E", "9Ei", "-9Ei",
        ]
        .iter()
        .map(|s| q(s))
        .collect();
        values.sort();
        let sorted: Vec<&str> = values.iter().map(|v| v.original()).collect();
        assert_eq!(
            sorted,
            [
                "-9Ei", "-1", "-1n", "0", "1n", "500m", "0.5", "1e3", "1Ki", "1G", "1Gi", "9Ei",
                "12E"
            ]
        );
        for a in &values {
            for b in &values {
                assert_eq!(a.cmp(b), b.cmp(a).reverse());
                assert_eq!(a == b, a.cmp_value(b) == Ordering::Equal);
            }
        }
    }

    // ---------------------------------------------------------------------------------
    // Hostile input: must not panic, overflow or allocate without bound.
    // ---------------------------------------------------------------------------------

    #[test]
    fn hostile_huge_exponents() {
        assert!(matches!(
            Quantity::parse("1e999999999"),
            Err(QuantityError::OutOfRange(_))
        ));
        assert!(matches!(
            Quantity::parse("-1e999999999"),
            Err(QuantityError::OutOfRange(_))
        ));
        assert!(matches!(
            Quantity::parse("1e20000"),
            Err(QuantityError::OutOfRange(_))
        ));
        let near_limit = q("1e19999");
        assert!(near_limit > q("9Ei"));
        assert_eq!(near_limit.canonical(), "10e19998");
        assert_eq!(near_limit.to_f64_approx(), f64::INFINITY);
        let near_limit_si = q("9.99e19999");
        assert!(near_limit_si > near_limit);
        assert!(Quantity::parse("10e19999").is_err());
        assert!(Quantity::parse("1e2147483647").is_err());
        assert!(Quantity::parse("1e-2147483648").is_err());
        assert!(Quantity::parse("1e4294967296").is_err());
    }

    #[test]
    fn hostile_many_digits() {
        let nines = "9".repeat(10_000);
        let v = q(&nines);
        assert!(v > q("12E"));
        assert_eq!(v.canonical(), nines);
        assert_eq!(
            v.add(&q("1")).canonical(),
            format!("1{}E", "0".repeat(10_000 - 18))
        );
        assert_eq!(q(&format!("{nines}Ei")), q("9223372036854775807"));
        let tiny = format!("0.{}1", "0".repeat(10_000));
        assert_eq!(q(&tiny), q("1n"));
        assert_eq!(q(&format!("{tiny}Ki")), q("1n"));
        assert_eq!(q(&format!("-{tiny}Ei")), q("-1n"));
        let long_fraction = format!("1.{}", "3".repeat(10_000));
        assert_eq!(q(&long_fraction), q("1.333333334"));
        assert_eq!(q(&format!("{long_fraction}Ki")), q("1365.333333334"));
        let zeros = "0".repeat(10_000);
        assert!(q(&zeros).is_zero());
        assert_eq!(q(&format!("{zeros}1.5")), q("1500m"));
        assert!(q(&format!("0.{zeros}e999999999")).is_zero());
        // Longest accepted text, and one byte more.
        assert!(Quantity::parse(&"1".repeat(MAX_INPUT_LEN)).is_ok());
        assert!(matches!(
            Quantity::parse(&"1".repeat(MAX_INPUT_LEN + 1)),
            Err(QuantityError::OutOfRange(_))
        ));
        assert!(Quantity::parse(&"9".repeat(MAX_INPUT_LEN - 2)).is_ok());
        assert!(Quantity::parse(&format!("{}e19000", "9".repeat(999))).is_ok());
        assert!(Quantity::parse(&format!("{}e19001", "9".repeat(1000))).is_err());
    }

    #[test]
    fn hostile_non_ascii() {
        for s in [
            "１",
            "1Ｇi",
            "1\u{a0}",
            "٣",
            "1é",
            "💥",
            "1\0",
            "1Ki\n",
            "\u{feff}1",
            "1\u{200b}",
            "1e٣",
            "-\u{2212}1",
            "1.\u{0301}5",
            "1Mi\u{0}",
            "Ki💥",
            "1💥Ki",
        ] {
            assert!(Quantity::parse(s).is_err(), "{s:?}");
        }
    }

    /// Exhaustive parse over every string of length <= 4 from a small alphabet: no
    /// panics, and every accepted quantity survives a canonical round trip.
    #[test]
    fn hostile_exhaustive_short_strings() {
        let alphabet: Vec<char> = "01.5+-eEKMGmnuikTP i".chars().collect();
        let mut accepted = 0usize;
        let mut current: Vec<String> = vec![String::new()];
        for _ in 0..4 {
            let mut next = Vec::new();
            for prefix in &current {
                for &c in &alphabet {
                    let s = format!("{prefix}{c}");
                    if let Ok(v) = Quantity::parse(&s) {
                        accepted += 1;
                        let canonical = v.canonical();
                        assert_eq!(q(&canonical), v, "{s:?} -> {canonical:?}");
                        assert_eq!(v.original(), s);
                        let _ = v.to_f64_approx();
                        let _ = v.milli_value_ceil();
                        let _ = v.value_ceil();
                        let _ = v.round_up_milli();
                        if !v.has_digits() {
                            assert!(v.is_zero(), "{s:?} has no digits but is not zero");
                        }
                    }
                    next.push(s);
                }
            }
            current = next;
        }
        assert!(accepted > 1000, "{accepted}");
    }

    /// Kubernetes accepts a number without digits as zero, keeping the suffix's format:
    /// `parseQuantityString` replaces an empty numerator by "0" and `ParseQuantity` takes
    /// the int64 fast path with value 0.
    #[test]
    fn digitless_numbers_are_zero_like_kubernetes() {
        for (s, format) in [
            (".", DecimalSI),
            ("+", DecimalSI),
            ("-", DecimalSI),
            ("-.", DecimalSI),
            ("+.", DecimalSI),
            ("Ki", BinarySI),
            ("-Mi", BinarySI),
            ("m", DecimalSI),
            ("k", DecimalSI),
            ("e3", DecimalExponent),
            (".E-3", DecimalExponent),
        ] {
            let v = Quantity::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"));
            assert!(v.is_zero(), "{s:?}");
            assert!(!v.is_negative(), "{s:?}");
            assert!(!v.has_digits(), "{s:?}");
            assert_eq!(v.format_suffix(), format, "{s:?}");
        }
        for s in ["0", "-0", ".5", "5.", "0Ki", "1e3", "-.0"] {
            assert!(q(s).has_digits(), "{s:?}");
        }
        // The suffix must still be valid.
        for s in ["e", "i", ".Kb", ".e", "-ki"] {
            assert!(Quantity::parse(s).is_err(), "{s:?}");
        }
    }

    #[test]
    fn milli_rounding_and_values_like_kubernetes() {
        // SetDefaults_ResourceList rounds up to milli scale, away from zero.
        assert_eq!(q("0.5m").round_up_milli(), q("1m"));
        assert_eq!(q("1.0001m").round_up_milli(), q("2m"));
        assert_eq!(q("-0.1m").round_up_milli(), q("-1m"));
        assert_eq!(q("1n").round_up_milli(), q("1m"));
        assert_eq!(q("1.5").round_up_milli(), q("1500m"));
        assert_eq!(q("1Gi").round_up_milli(), q("1Gi"));
        assert_eq!(q("1.5n").round_up_milli().original(), "1.5n");
        assert_eq!(q("1Gi").round_up_milli().format_suffix(), BinarySI);
        // Value() rounds up to whole units.
        assert_eq!(q("1.2").value_ceil(), Some(2));
        assert_eq!(q("-1.2").value_ceil(), Some(-2));
        assert_eq!(q("100m").value_ceil(), Some(1));
        assert_eq!(q("1Gi").value_ceil(), Some(1 << 30));
        assert_eq!(q("0").value_ceil(), Some(0));
        assert_eq!(q("12E").value_ceil(), None);
        assert_eq!(Quantity::from_milli(1500, DecimalSI), q("1.5"));
        assert_eq!(Quantity::from_milli(-2, DecimalSI), q("-2m"));
        assert_eq!(Quantity::from_milli(0, DecimalSI), Quantity::zero());
    }

    #[test]
    fn bigint_internals() {
        let mut n = BigUint::from_decimal_digits(b"123456789012345678901234567890");
        assert_eq!(n.to_decimal_string(), "123456789012345678901234567890");
        n.shl_bits(75);
        n.shr_bits(75);
        assert_eq!(n.to_decimal_string(), "123456789012345678901234567890");
        let m = BigUint::from_decimal_digits(b"999999999999999999999");
        assert_eq!(n.sub(&m).add(&m), n);
        assert_eq!(n.sub(&n), BigUint::zero());
        let mut p = BigUint::from_u64(1);
        p.mul_pow10(30);
        assert_eq!(p.to_decimal_string(), format!("1{}", "0".repeat(30)));
        p.div_pow10_ceil(29);
        assert_eq!(p.to_u64(), Some(10));
        let mut r = BigUint::from_u64(1001);
        r.div_pow10_ceil(3);
        assert_eq!(r.to_u64(), Some(2));
        assert_eq!(BigUint::from_u64(1 << 40).trailing_zero_bits(), 40);
        assert!(BigUint::from_u64(u64::MAX) < BigUint::from_u64(u64::MAX).mul_u64(2));
        assert_eq!(BigUint::from_decimal_digits(b"0").to_decimal_string(), "0");
        assert_eq!(BigUint::from_decimal_digits(b"").to_decimal_string(), "0");
    }
}
