//! Dates: Sprig v3.3.0 date.go. Time values are `time.Time` objects (UTC; there is no time-zone
//! database here, so every zone, `Local` included, is UTC). The clock is fixed: `now` is
//! 2006-01-02T15:04:05Z, Go's reference time, so renders are reproducible and the value is
//! clearly fake. Layouts are Go's (`2006-01-02T15:04:05Z07:00`), for formatting and parsing.

use std::rc::Rc;

use super::{args_n, as_str, s};
use crate::helm::value::{Object, Value};

type R = Result<Value, String>;

/// The fixed "now": Go's reference time, 2006-01-02T15:04:05Z.
pub(crate) const FAKE_NOW_UNIX: i64 = 1_136_214_245;

const NS_PER_S: i64 = 1_000_000_000;

/// A `time.Time` in UTC.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct GoTime {
    pub(crate) secs: i64,
    pub(crate) nanos: u32,
}

impl GoTime {
    fn now() -> GoTime {
        GoTime {
            secs: FAKE_NOW_UNIX,
            nanos: 0,
        }
    }

    fn zero() -> GoTime {
        // 0001-01-01T00:00:00Z
        GoTime {
            secs: -62_135_596_800,
            nanos: 0,
        }
    }

    fn add_nanos(self, d: i64) -> GoTime {
        let total =
            i128::from(self.secs) * i128::from(NS_PER_S) + i128::from(self.nanos) + i128::from(d);
        GoTime {
            secs: total.div_euclid(i128::from(NS_PER_S)) as i64,
            nanos: total.rem_euclid(i128::from(NS_PER_S)) as u32,
        }
    }

    fn format(&self, layout: &str) -> String {
        format_time(self, layout)
    }
}

impl Object for GoTime {
    fn type_name(&self) -> &'static str {
        "time.Time"
    }

    fn field(&self, _name: &str) -> Option<Value> {
        None
    }

    fn call(&self, method: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let c = civil(self.secs);
        Some(match (method, args) {
            ("Format", [layout]) => as_str(layout).map(|l| s(self.format(l))),
            ("Unix", []) => Ok(Value::Int(self.secs)),
            ("UnixNano", []) => Ok(Value::Int(
                self.secs
                    .saturating_mul(NS_PER_S)
                    .saturating_add(i64::from(self.nanos)),
            )),
            ("UTC" | "Local", []) => Ok(Value::Object(Rc::new(*self))),
            ("Year", []) => Ok(Value::Int(c.year)),
            ("Month", []) => Ok(s(MONTHS
                .get(c.month as usize - 1)
                .copied()
                .unwrap_or("%!Month"))),
            ("Day", []) => Ok(Value::Int(c.day)),
            ("Hour", []) => Ok(Value::Int(c.hour)),
            ("Minute", []) => Ok(Value::Int(c.min)),
            ("Second", []) => Ok(Value::Int(c.sec)),
            ("Nanosecond", []) => Ok(Value::Int(i64::from(self.nanos))),
            ("YearDay", []) => Ok(Value::Int(c.yday)),
            ("Weekday", []) => Ok(s(DAYS.get(c.wday as usize).copied().unwrap_or(""))),
            ("String", []) => Ok(s(self.display())),
            ("IsZero", []) => Ok(Value::Bool(*self == GoTime::zero())),
            _ => return None,
        })
    }

    fn display(&self) -> String {
        self.format("2006-01-02 15:04:05.999999999 -0700 MST")
    }

    fn to_data(&self) -> Value {
        s(self.format("2006-01-02T15:04:05.999999999Z07:00"))
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

struct Civil {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    min: i64,
    sec: i64,
    wday: i64,
    yday: i64,
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil(secs: i64) -> Civil {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    Civil {
        year,
        month,
        day,
        hour: rem / 3600,
        min: rem % 3600 / 60,
        sec: rem % 60,
        wday: (days + 4).rem_euclid(7),
        yday: days - days_from_civil(year, 1, 1) + 1,
    }
}

/// Go's layout elements, longest first where one is a prefix of another.
const TOKENS: &[&str] = &[
    "January",
    "Monday",
    "2006",
    "-07:00:00",
    "-070000",
    "Z07:00:00",
    "Z070000",
    "-07:00",
    "Z07:00",
    "-0700",
    "Z0700",
    "Jan",
    "Mon",
    "MST",
    "002",
    "__2",
    "-07",
    "Z07",
    "01",
    "02",
    "03",
    "04",
    "05",
    "06",
    "15",
    "_2",
    "PM",
    "pm",
    "1",
    "2",
    "3",
    "4",
    "5",
];

fn next_token(layout: &str) -> Option<(usize, &'static str)> {
    let bytes = layout.as_bytes();
    for i in 0..bytes.len() {
        let rest = layout.get(i..)?;
        // Fractional seconds: .000 / .999 (or ,000) after a seconds element.
        if rest.starts_with(".0")
            || rest.starts_with(".9")
            || rest.starts_with(",0")
            || rest.starts_with(",9")
        {
            let digit = rest.as_bytes().get(1).copied();
            let n = rest
                .bytes()
                .skip(1)
                .take_while(|b| Some(*b) == digit)
                .count();
            let after = rest.as_bytes().get(1 + n);
            if !after.is_some_and(u8::is_ascii_digit) {
                return Some((i, FRAC_MARK));
            }
        }
        for t in TOKENS {
            if rest.starts_with(t) {
                // "Jan"/"Mon" followed by a lower-case letter is text (Go's startsWithLowerCase).
                if (*t == "Jan" || *t == "Mon")
                    && rest
                        .as_bytes()
                        .get(t.len())
                        .is_some_and(u8::is_ascii_lowercase)
                {
                    continue;
                }
                return Some((i, t));
            }
        }
    }
    None
}

const FRAC_MARK: &str = ".frac";

fn frac_len(layout_rest: &str) -> (usize, bool) {
    let digit = layout_rest.as_bytes().get(1).copied();
    let n = layout_rest
        .bytes()
        .skip(1)
        .take_while(|b| Some(*b) == digit)
        .count();
    (n, digit == Some(b'9'))
}

/// Go's `Time.Format` (UTC).
fn format_time(t: &GoTime, layout: &str) -> String {
    let c = civil(t.secs);
    let mut out = String::new();
    let mut rest = layout;
    while let Some((i, tok)) = next_token(rest) {
        out.push_str(rest.get(..i).unwrap_or_default());
        let after = rest.get(i..).unwrap_or_default();
        let mut consumed = tok.len();
        match tok {
            "2006" => out.push_str(&format!("{:04}", c.year)),
            "06" => out.push_str(&format!("{:02}", c.year.rem_euclid(100))),
            "01" => out.push_str(&format!("{:02}", c.month)),
            "1" => out.push_str(&c.month.to_string()),
            "Jan" => out.push_str(
                MONTHS
                    .get(c.month as usize - 1)
                    .map_or("", |m| m.get(..3).unwrap_or(m)),
            ),
            "January" => out.push_str(MONTHS.get(c.month as usize - 1).copied().unwrap_or("")),
            "02" => out.push_str(&format!("{:02}", c.day)),
            "2" => out.push_str(&c.day.to_string()),
            "_2" => out.push_str(&format!("{:>2}", c.day)),
            "002" => out.push_str(&format!("{:03}", c.yday)),
            "__2" => out.push_str(&format!("{:>3}", c.yday)),
            "15" => out.push_str(&format!("{:02}", c.hour)),
            "03" => out.push_str(&format!("{:02}", (c.hour + 11) % 12 + 1)),
            "3" => out.push_str(&((c.hour + 11) % 12 + 1).to_string()),
            "04" => out.push_str(&format!("{:02}", c.min)),
            "4" => out.push_str(&c.min.to_string()),
            "05" => out.push_str(&format!("{:02}", c.sec)),
            "5" => out.push_str(&c.sec.to_string()),
            "PM" => out.push_str(if c.hour >= 12 { "PM" } else { "AM" }),
            "pm" => out.push_str(if c.hour >= 12 { "pm" } else { "am" }),
            "Mon" => out.push_str(
                DAYS.get(c.wday as usize)
                    .map_or("", |d| d.get(..3).unwrap_or(d)),
            ),
            "Monday" => out.push_str(DAYS.get(c.wday as usize).copied().unwrap_or("")),
            "MST" => out.push_str("UTC"),
            "Z07:00" | "Z0700" | "Z07" | "Z07:00:00" | "Z070000" => out.push('Z'),
            "-07:00" => out.push_str("+00:00"),
            "-0700" => out.push_str("+0000"),
            "-07" => out.push_str("+00"),
            "-07:00:00" => out.push_str("+00:00:00"),
            "-070000" => out.push_str("+000000"),
            FRAC_MARK => {
                let (n, trim) = frac_len(after);
                consumed = 1 + n;
                let digits = format!("{:09}", t.nanos);
                let mut d = digits.get(..n.min(9)).unwrap_or_default().to_owned();
                if trim {
                    while d.ends_with('0') {
                        d.pop();
                    }
                    if !d.is_empty() {
                        out.push(after.chars().next().unwrap_or('.'));
                        out.push_str(&d);
                    }
                } else {
                    out.push(after.chars().next().unwrap_or('.'));
                    out.push_str(&d);
                }
            }
            _ => out.push_str(tok),
        }
        rest = after.get(consumed..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

/// Leading digits of `r` as nanoseconds (a fraction of a second), and the rest.
fn fraction(r: &str) -> (i64, &str) {
    let digits = r.bytes().take_while(u8::is_ascii_digit).count();
    let (d, rest) = r.split_at_checked(digits).unwrap_or((r, ""));
    let mut d = d.to_owned();
    d.truncate(9);
    while d.len() < 9 {
        d.push('0');
    }
    (d.parse().unwrap_or(0), rest)
}

/// Go's `time.Parse(layout, value)` in UTC (zone names other than UTC/GMT are refused).
fn parse_time(layout: &str, value: &str) -> Result<GoTime, String> {
    let err = || {
        format!(
            "parsing time {} as {}: cannot parse {} as {}",
            crate::helm::gofmt::quote(value),
            crate::helm::gofmt::quote(layout),
            crate::helm::gofmt::quote(value),
            crate::helm::gofmt::quote(layout)
        )
    };
    let (mut year, mut month, mut day, mut hour, mut min, mut sec, mut nanos) =
        (1i64, 1i64, 1i64, 0i64, 0i64, 0i64, 0i64);
    let mut offset = 0i64;
    let mut pm: Option<bool> = None;
    let mut rest_layout = layout;
    let mut v = value;
    let num = |v: &mut &str, min_len: usize, max_len: usize| -> Option<i64> {
        let n = v
            .bytes()
            .take(max_len)
            .take_while(u8::is_ascii_digit)
            .count();
        if n < min_len {
            return None;
        }
        let (d, r) = v.split_at_checked(n)?;
        *v = r;
        d.parse().ok()
    };
    while let Some((i, tok)) = next_token(rest_layout) {
        let lit = rest_layout.get(..i).unwrap_or_default();
        v = v.strip_prefix(lit).ok_or_else(err)?;
        let after = rest_layout.get(i..).unwrap_or_default();
        let mut consumed = tok.len();
        match tok {
            "2006" => year = num(&mut v, 4, 4).ok_or_else(err)?,
            "06" => year = 1900 + num(&mut v, 2, 2).ok_or_else(err)?,
            "01" => month = num(&mut v, 2, 2).ok_or_else(err)?,
            "1" => month = num(&mut v, 1, 2).ok_or_else(err)?,
            "02" => day = num(&mut v, 2, 2).ok_or_else(err)?,
            "2" | "_2" => {
                v = v.trim_start_matches(' ');
                day = num(&mut v, 1, 2).ok_or_else(err)?;
            }
            "15" => hour = num(&mut v, 1, 2).ok_or_else(err)?,
            "03" => hour = num(&mut v, 2, 2).ok_or_else(err)?,
            "3" => hour = num(&mut v, 1, 2).ok_or_else(err)?,
            "04" => min = num(&mut v, 2, 2).ok_or_else(err)?,
            "4" => min = num(&mut v, 1, 2).ok_or_else(err)?,
            "05" => sec = num(&mut v, 2, 2).ok_or_else(err)?,
            "5" => sec = num(&mut v, 1, 2).ok_or_else(err)?,
            "PM" | "pm" => {
                let (p, r) = v.split_at_checked(2).ok_or_else(err)?;
                pm = Some(p.eq_ignore_ascii_case("PM"));
                v = r;
            }
            "Jan" | "January" | "Mon" | "Monday" => {
                let names: Vec<String> = if tok.starts_with('J') {
                    MONTHS
                        .iter()
                        .map(|m| {
                            if tok == "Jan" {
                                m.get(..3).unwrap_or(m).to_owned()
                            } else {
                                (*m).to_owned()
                            }
                        })
                        .collect()
                } else {
                    DAYS.iter()
                        .map(|d| {
                            if tok == "Mon" {
                                d.get(..3).unwrap_or(d).to_owned()
                            } else {
                                (*d).to_owned()
                            }
                        })
                        .collect()
                };
                let (k, name) = names
                    .iter()
                    .enumerate()
                    .find(|(_, n)| v.starts_with(n.as_str()))
                    .ok_or_else(err)?;
                if tok.starts_with('J') {
                    month = k as i64 + 1;
                }
                v = v.get(name.len()..).unwrap_or_default();
            }
            "MST" => {
                let n = v.bytes().take_while(u8::is_ascii_uppercase).count();
                let (z, r) = v.split_at_checked(n).ok_or_else(err)?;
                if !matches!(z, "UTC" | "GMT" | "Z") {
                    return Err(err());
                }
                v = r;
            }
            "Z07:00" | "Z0700" | "Z07" | "-07:00" | "-0700" | "-07" => {
                if tok.starts_with('Z') && v.starts_with('Z') {
                    v = v.get(1..).unwrap_or_default();
                } else {
                    let sign = match v.as_bytes().first() {
                        Some(b'+') => 1,
                        Some(b'-') => -1,
                        _ => return Err(err()),
                    };
                    v = v.get(1..).unwrap_or_default();
                    let h = num(&mut v, 2, 2).ok_or_else(err)?;
                    let mut m = 0;
                    if tok.ends_with(":00") {
                        v = v.strip_prefix(':').ok_or_else(err)?;
                        m = num(&mut v, 2, 2).ok_or_else(err)?;
                    } else if tok.ends_with("00") {
                        m = num(&mut v, 2, 2).ok_or_else(err)?;
                    }
                    offset = sign * (h * 3600 + m * 60);
                }
            }
            FRAC_MARK => {
                let (n, _) = frac_len(after);
                consumed = 1 + n;
                if let Some(r) = v.strip_prefix(['.', ',']) {
                    (nanos, v) = fraction(r);
                }
            }
            other => {
                v = v.strip_prefix(other).ok_or_else(err)?;
            }
        }
        rest_layout = after.get(consumed..).unwrap_or_default();
        // Go also accepts fractional seconds after a seconds element the layout lacks.
        if matches!(tok, "05" | "5")
            && !rest_layout.starts_with(['.', ','])
            && let Some(r) = v.strip_prefix('.')
            && r.starts_with(|c: char| c.is_ascii_digit())
        {
            (nanos, v) = fraction(r);
        }
    }
    if v != rest_layout {
        return Err(err());
    }
    if let Some(pm) = pm {
        if pm && hour < 12 {
            hour += 12;
        } else if !pm && hour == 12 {
            hour = 0;
        }
    }
    let month_days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let max_day = if month == 2 && leap {
        29
    } else {
        month_days
            .get((month - 1).max(0) as usize)
            .copied()
            .unwrap_or(31)
    };
    if !(1..=12).contains(&month) {
        return Err(format!(
            "parsing time {}: month out of range",
            crate::helm::gofmt::quote(value)
        ));
    }
    if day < 1 || day > max_day || hour > 23 || min > 59 || sec > 59 {
        return Err(format!(
            "parsing time {}: day out of range",
            crate::helm::gofmt::quote(value)
        ));
    }
    let secs = days_from_civil(year, month, day) * 86_400 + hour * 3600 + min * 60 + sec - offset;
    Ok(GoTime {
        secs,
        nanos: nanos as u32,
    })
}

fn time_value(t: GoTime) -> Value {
    Value::Object(Rc::new(t))
}

/// The time a date function was given: a `time.Time`, or Unix seconds as an int; anything
/// else is "now" (Sprig's default case).
fn as_time(v: &Value) -> GoTime {
    match v {
        Value::Object(o) if o.type_name() == "time.Time" => {
            // Re-read the object's RFC 3339 form.
            match o.to_data() {
                Value::Str(st) => parse_time("2006-01-02T15:04:05.999999999Z07:00", &st.text)
                    .unwrap_or_else(|_| GoTime::now()),
                _ => GoTime::now(),
            }
        }
        Value::Int(i) => GoTime { secs: *i, nanos: 0 },
        _ => GoTime::now(),
    }
}

/// A `time.Time` parameter.
fn time_param(v: &Value) -> Result<GoTime, String> {
    match v {
        Value::Object(o) if o.type_name() == "time.Time" => Ok(as_time(v)),
        other => Err(format!(
            "wrong type for value; expected time.Time; got {}",
            super::go_type(other)
        )),
    }
}

pub(crate) fn now(args: &[Value]) -> R {
    args_n::<0>("now", args)?;
    Ok(time_value(GoTime::now()))
}

pub(crate) fn date(args: &[Value]) -> R {
    let [fmt, d] = args_n("date", args)?;
    Ok(s(as_time(d).format(as_str(fmt)?)))
}

pub(crate) fn date_in_zone(args: &[Value]) -> R {
    let [fmt, d, zone] = args_n("dateInZone", args)?;
    as_str(zone)?;
    Ok(s(as_time(d).format(as_str(fmt)?)))
}

pub(crate) fn html_date(args: &[Value]) -> R {
    let [d] = args_n("htmlDate", args)?;
    Ok(s(as_time(d).format("2006-01-02")))
}

pub(crate) fn html_date_in_zone(args: &[Value]) -> R {
    let [d, zone] = args_n("htmlDateInZone", args)?;
    as_str(zone)?;
    Ok(s(as_time(d).format("2006-01-02")))
}

/// Go's `time.ParseDuration`, in nanoseconds.
pub(crate) fn parse_duration(text: &str) -> Result<i64, String> {
    let err = || format!("time: invalid duration {}", crate::helm::gofmt::quote(text));
    let (neg, mut rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(err());
    }
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let n = rest
            .bytes()
            .take_while(|b| b.is_ascii_digit() || *b == b'.')
            .count();
        if n == 0 {
            return Err(err());
        }
        let (num, r) = rest.split_at_checked(n).ok_or_else(err)?;
        let x: f64 = num.parse().map_err(|_| err())?;
        let u = r
            .char_indices()
            .find(|(_, c)| c.is_ascii_digit() || *c == '.')
            .map_or(r.len(), |(i, _)| i);
        let (unit, r2) = r.split_at_checked(u).ok_or_else(err)?;
        let mult = match unit {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            "" => {
                return Err(format!(
                    "time: missing unit in duration {}",
                    crate::helm::gofmt::quote(text)
                ));
            }
            other => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    crate::helm::gofmt::quote(other),
                    crate::helm::gofmt::quote(text)
                ));
            }
        };
        total += x * mult;
        rest = r2;
    }
    if total > 9.223_372_036_854_775e18 {
        return Err(err());
    }
    let ns = total.round() as i64;
    Ok(if neg { -ns } else { ns })
}

/// Go's `Duration.String`.
pub(crate) fn duration_string(d: i64) -> String {
    if d == 0 {
        return "0s".to_owned();
    }
    let neg = d < 0;
    let u = d.unsigned_abs();
    let frac = |v: u64, prec: u32| -> (String, u64) {
        let p = 10u64.pow(prec);
        let f = v % p;
        let mut digits = format!("{:0width$}", f, width = prec as usize);
        while digits.ends_with('0') {
            digits.pop();
        }
        let s = if digits.is_empty() {
            String::new()
        } else {
            format!(".{digits}")
        };
        (s, v / p)
    };
    let body = if u < 1_000_000_000 {
        let (unit, prec) = if u < 1_000 {
            ("ns", 0)
        } else if u < 1_000_000 {
            ("µs", 3)
        } else {
            ("ms", 6)
        };
        let (f, whole) = frac(u, prec);
        format!("{whole}{f}{unit}")
    } else {
        let (f, secs) = frac(u, 9);
        let mut out = format!("{}{f}s", secs % 60);
        let mins = secs / 60;
        if mins > 0 {
            out = format!("{}m{out}", mins % 60);
            let hours = mins / 60;
            if hours > 0 {
                out = format!("{hours}h{out}");
            }
        }
        out
    };
    if neg { format!("-{body}") } else { body }
}

fn modify(args: &[Value], name: &str, must: bool) -> R {
    let [fmt, d] = args_n(name, args)?;
    let fmt = as_str(fmt)?;
    let t = time_param(d)?;
    match parse_duration(fmt) {
        Ok(ns) => Ok(time_value(t.add_nanos(ns))),
        Err(e) if must => Err(e),
        Err(_) => Ok(time_value(t)),
    }
}

pub(crate) fn date_modify(args: &[Value]) -> R {
    modify(args, "dateModify", false)
}

pub(crate) fn must_date_modify(args: &[Value]) -> R {
    modify(args, "mustDateModify", true)
}

/// `ago`: the time since the date (with the fixed clock).
pub(crate) fn ago(args: &[Value]) -> R {
    let [d] = args_n("ago", args)?;
    let t = as_time(d);
    let now = GoTime::now();
    let diff =
        (i128::from(now.secs) - i128::from(t.secs)) * i128::from(NS_PER_S) - i128::from(t.nanos);
    let secs = (diff as f64 / 1e9).round() as i64;
    Ok(s(duration_string(secs.saturating_mul(NS_PER_S))))
}

pub(crate) fn duration(args: &[Value]) -> R {
    let [v] = args_n("duration", args)?;
    let n = match v {
        Value::Str(st) => super::conv::go_parse_int(&st.text, 10).unwrap_or(0),
        Value::Int(i) => *i,
        _ => 0,
    };
    Ok(s(duration_string(n.saturating_mul(NS_PER_S))))
}

pub(crate) fn duration_round(args: &[Value]) -> R {
    let [v] = args_n("durationRound", args)?;
    let d: i64 = match v {
        Value::Str(st) => parse_duration(&st.text).unwrap_or(0),
        Value::Int(i) => *i,
        Value::Object(o) if o.type_name() == "time.Time" => {
            let t = as_time(v);
            (GoTime::now().secs - t.secs).saturating_mul(NS_PER_S)
        }
        _ => 0,
    };
    let u = d.unsigned_abs();
    let hour: u64 = 3_600_000_000_000;
    let (year, month, day, minute, second) = (
        hour * 24 * 365,
        hour * 24 * 30,
        hour * 24,
        60_000_000_000u64,
        1_000_000_000u64,
    );
    let out = if u > year {
        format!("{}y", u / year)
    } else if u > month {
        format!("{}mo", u / month)
    } else if u > day {
        format!("{}d", u / day)
    } else if u > hour {
        format!("{}h", u / hour)
    } else if u > minute {
        format!("{}m", u / minute)
    } else if u > second {
        format!("{}s", u / second)
    } else {
        "0s".to_owned()
    };
    Ok(s(out))
}

pub(crate) fn to_date(args: &[Value]) -> R {
    let [fmt, text] = args_n("toDate", args)?;
    Ok(time_value(
        parse_time(as_str(fmt)?, as_str(text)?).unwrap_or_else(|_| GoTime::zero()),
    ))
}

pub(crate) fn must_to_date(args: &[Value]) -> R {
    let [fmt, text] = args_n("mustToDate", args)?;
    Ok(time_value(parse_time(as_str(fmt)?, as_str(text)?)?))
}

pub(crate) fn unix_epoch(args: &[Value]) -> R {
    let [d] = args_n("unixEpoch", args)?;
    Ok(s(time_param(d)?.secs.to_string()))
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check_all, run};
    use super::*;

    // Sprig v3.3.0 date_test.go, with the fixed clock (the upstream tests use time.Now or
    // fixed Unix times in the local zone; here every zone is UTC).
    #[test]
    fn sprig_date_tests() {
        check_all(&[
            // TestHtmlDate: a fixed time prints its date.
            (r#"{{ htmlDate 0 }}"#, "1970-01-01"),
            (r#"{{ htmlDateInZone 0 "UTC" }}"#, "1970-01-01"),
            // TestDateInZone (UTC)
            (
                r#"{{ dateInZone "02 Jan 06 15:04 -0700" 1136214245 "UTC" }}"#,
                "02 Jan 06 15:04 +0000",
            ),
            (
                r#"{{ dateInZone "02 Jan 06 15:04 -0700" 1136214245 "foobar" }}"#,
                "02 Jan 06 15:04 +0000",
            ),
            // TestDuration
            (r#"{{ duration "1" }}"#, "1s"),
            (r#"{{ duration "60" }}"#, "1m0s"),
            (r#"{{ duration "3600" }}"#, "1h0m0s"),
            (r#"{{ duration "86400" }}"#, "24h0m0s"),
            (r#"{{ duration "31536000" }}"#, "8760h0m0s"),
            // TestDurationRound
            (r#"{{ durationRound "2h10m5s" }}"#, "2h"),
            (r#"{{ durationRound "-2h10m5s" }}"#, "2h"),
            (r#"{{ durationRound "2h5m" }}"#, "2h"),
            (r#"{{ durationRound "3s" }}"#, "3s"),
            (r#"{{ durationRound "5m" }}"#, "5m"),
            (r#"{{ durationRound "90000s" }}"#, "1d"),
            (r#"{{ durationRound "2592001s" }}"#, "1mo"),
            (r#"{{ durationRound "31536001s" }}"#, "1y"),
            // TestToDate
            (
                r#"{{ toDate "2006-01-02" "2017-12-31" | date "02/01/2006" }}"#,
                "31/12/2017",
            ),
            (
                r#"{{ mustToDate "2006-01-02" "2017-12-31" | date "02/01/2006" }}"#,
                "31/12/2017",
            ),
            // TestUnixEpoch
            (
                r#"{{ toDate "2006-01-02T15:04:05Z07:00" "2006-01-02T15:04:05Z" | unixEpoch }}"#,
                "1136214245",
            ),
            // TestDateModify
            (
                r#"{{ toDate "2006-01-02" "2024-01-01" | dateModify "-1.5h" | date "2006-01-02 15:04" }}"#,
                "2023-12-31 22:30",
            ),
            (
                r#"{{ toDate "2006-01-02" "2024-01-01" | dateModify "nope" | date "2006-01-02" }}"#,
                "2024-01-01",
            ),
        ]);
    }

    #[test]
    fn the_clock_is_fixed_and_go_formats_apply() {
        assert_eq!(
            run(r#"{{ now | date "2006-01-02T15:04:05Z07:00" }}"#),
            "2006-01-02T15:04:05Z"
        );
        assert_eq!(run(r#"{{ now }}"#), "2006-01-02 15:04:05 +0000 UTC");
        assert_eq!(
            run(r#"{{ now | date "Mon Jan _2 3:04PM 2006 .000" }}"#),
            "Mon Jan  2 3:04PM 2006 .000"
        );
        assert_eq!(run(r#"{{ now | ago }}"#), "0s");
        assert_eq!(
            run(r#"{{ toDate "2006-01-02" "x" }}"#),
            "0001-01-01 00:00:00 +0000 UTC"
        );
        assert!(
            super::super::testing::run_err(r#"{{ mustToDate "2006-01-02" "x" }}"#)
                .starts_with("parsing time")
        );
        assert_eq!(duration_string(1_500_000), "1.5ms");
        assert_eq!(duration_string(-90 * NS_PER_S), "-1m30s");
        assert_eq!(parse_duration("1h30m").unwrap(), 5_400 * NS_PER_S);
    }
}
