//! Values: Helm's coalescing (helm/helm v3.21.4 `pkg/chartutil/coalesce.go`), its table and
//! path lookups (`values.go`), the user's values files merged as `helm template -f` merges them
//! (`pkg/cli/values/options.go` `MergeValues`), and `values.schema.json` validation
//! (`jsonschema.go`).
//!
//! Maps are Go maps here: shared by reference ([`Map`]); where Helm copies a map shallowly
//! (`copyMap`) nested maps stay shared, where it copies deeply (`copystructure.Copy`) they do
//! not. `null` semantics are v3.21.4's: coalescing deletes a key the user set to `null` when the
//! chart gives it a value, and keeps a `null` the chart itself has (issue 9027's v3 output).

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;
use std::sync::Arc;

use crate::helm::value::{Map, Origin, Value};

use super::yaml::{into_values_map, read_yaml};
use super::{Chart, ChartError, RealPath, ValuesSource};

/// The key of the values shared with every subchart.
pub(crate) const GLOBAL_KEY: &str = "global";

/// Nesting beyond which values are not descended into (values files deeper than
/// [`super::yaml::MAX_DEPTH`] are refused; this bounds the recursion on the caller's maps).
const MAX_DEPTH: usize = 256;

pub(crate) fn new_map() -> Map {
    Rc::new(RefCell::new(BTreeMap::new()))
}

fn as_table(v: &Value) -> Option<Map> {
    match v {
        Value::Map(m) => Some(Rc::clone(m)),
        _ => None,
    }
}

fn is_nil(v: &Value) -> bool {
    matches!(v, Value::Nil)
}

fn concat_prefix(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_owned()
    } else {
        format!("{a}.{b}")
    }
}

/// A deep copy (`copystructure.Copy`): new maps and lists all the way down.
pub(crate) fn deep_copy(v: &Value) -> Value {
    deep_copy_at(v, 0)
}

fn deep_copy_at(v: &Value, depth: usize) -> Value {
    if depth > MAX_DEPTH {
        return v.clone();
    }
    match v {
        Value::Map(m) => {
            let copied: BTreeMap<String, Value> = m
                .borrow()
                .iter()
                .map(|(k, v)| (k.clone(), deep_copy_at(v, depth + 1)))
                .collect();
            Value::map(copied)
        }
        Value::List(items) => {
            Value::list(items.iter().map(|v| deep_copy_at(v, depth + 1)).collect())
        }
        other => other.clone(),
    }
}

pub(crate) fn deep_copy_map(m: &Map) -> Map {
    match deep_copy(&Value::Map(Rc::clone(m))) {
        Value::Map(m) => m,
        _ => new_map(),
    }
}

fn get(m: &Map, key: &str) -> Option<Value> {
    m.borrow().get(key).cloned()
}

fn set(m: &Map, key: &str, v: Value) {
    m.borrow_mut().insert(key.to_owned(), v);
}

fn snapshot(m: &Map) -> Vec<(String, Value)> {
    m.borrow()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Where coalescing writes its warnings (Helm logs them).
#[derive(Debug, Default)]
pub(crate) struct Warnings(pub(crate) Vec<String>);

impl Warnings {
    fn push(&mut self, w: String) {
        // Bounded: one warning per value at most, and hostile values are bounded in size.
        if self.0.len() < 10_000 {
            self.0.push(w);
        }
    }
}

/// Helm's `CoalesceValues`: the user's values (copied) over the chart's defaults and its
/// subcharts', with globals pushed down. `null`s the user set over a chart default delete it.
pub(crate) fn coalesce_values(
    chart: &Chart,
    vals: &Map,
    warnings: &mut Warnings,
) -> Result<Map, ChartError> {
    let copy = deep_copy_map(vals);
    coalesce(chart, &copy, "", false, warnings, 0)?;
    Ok(copy)
}

/// Helm's `MergeValues` (chartutil): as [`coalesce_values`] but `null`s are kept.
pub(crate) fn merge_values(
    chart: &Chart,
    vals: &Map,
    warnings: &mut Warnings,
) -> Result<Map, ChartError> {
    let copy = deep_copy_map(vals);
    coalesce(chart, &copy, "", true, warnings, 0)?;
    Ok(copy)
}

fn coalesce(
    chart: &Chart,
    dest: &Map,
    prefix: &str,
    merge: bool,
    w: &mut Warnings,
    depth: usize,
) -> Result<(), ChartError> {
    coalesce_chart_values(chart, dest, prefix, merge, w);
    coalesce_deps(chart, dest, prefix, merge, w, depth)
}

fn coalesce_deps(
    chart: &Chart,
    dest: &Map,
    prefix: &str,
    merge: bool,
    w: &mut Warnings,
    depth: usize,
) -> Result<(), ChartError> {
    if depth > super::load::MAX_CHART_DEPTH {
        return Ok(());
    }
    for sub in &chart.dependencies {
        let name = sub.name();
        let dv = match get(dest, name) {
            None => {
                let m = new_map();
                set(dest, name, Value::Map(Rc::clone(&m)));
                m
            }
            Some(Value::Map(m)) => m,
            Some(other) => {
                return Err(ChartError::new(format!(
                    "type mismatch on {name}: %!t({}={})",
                    go_type_name(&other),
                    other.go_string()
                )));
            }
        };
        let sub_prefix = concat_prefix(prefix, chart.name());
        coalesce_globals(&dv, dest, &sub_prefix, w);
        coalesce(sub, &dv, &sub_prefix, merge, w, depth + 1)?;
    }
    Ok(())
}

/// Go's name of a value's dynamic type, as `%T` and `%!t(T=...)` print it.
pub(crate) fn go_type_name(v: &Value) -> &'static str {
    match v {
        Value::Nil => "<nil>",
        Value::Bool(_) => "bool",
        Value::Int(_) => "int64",
        Value::Float(_) => "float64",
        Value::Str(_) => "string",
        Value::List(_) => "[]interface {}",
        Value::Map(_) => "map[string]interface {}",
        Value::Object(o) => o.type_name(),
    }
}

/// Helm's `coalesceGlobals`: the parent's (`src`) globals merged into the subchart's
/// (`dest`), the parent winning.
fn coalesce_globals(dest: &Map, src: &Map, prefix: &str, w: &mut Warnings) {
    let dg = match get(dest, GLOBAL_KEY) {
        None => new_map(),
        Some(Value::Map(m)) => m,
        Some(_) => {
            w.push(format!(
                "warning: skipping globals because destination {GLOBAL_KEY} is not a table."
            ));
            return;
        }
    };
    let sg = match get(src, GLOBAL_KEY) {
        None => new_map(),
        Some(Value::Map(m)) => m,
        Some(_) => {
            w.push(format!(
                "warning: skipping globals because source {GLOBAL_KEY} is not a table."
            ));
            return;
        }
    };
    if !Rc::ptr_eq(&dg, &sg) {
        for (key, val) in snapshot(&sg) {
            if let Some(table) = as_table(&val) {
                // A shallow copy: nested maps stay shared, as Go's `copyMap`.
                let vv: Map = Rc::new(RefCell::new(table.borrow().clone()));
                match get(&dg, &key) {
                    None => set(&dg, &key, Value::Map(vv)),
                    Some(Value::Map(destv)) => {
                        let sub_prefix = concat_prefix(prefix, &key);
                        coalesce_tables_full_key(&vv, &destv, &sub_prefix, true, w, 0);
                        set(&dg, &key, Value::Map(vv));
                    }
                    Some(_) => w.push(format!(
                        "Conflict: cannot merge map onto non-map for {key:?}. Skipping."
                    )),
                }
            } else if get(&dg, &key).is_some_and(|v| as_table(&v).is_some()) {
                w.push(format!("key {key} is table. Skipping"));
            } else {
                set(&dg, &key, val);
            }
        }
    }
    set(dest, GLOBAL_KEY, Value::Map(dg));
}

/// Helm's `coalesceValues`: one chart's defaults under the values `v`.
fn coalesce_chart_values(chart: &Chart, v: &Map, prefix: &str, merge: bool, w: &mut Warnings) {
    let sub_prefix = concat_prefix(prefix, chart.name());
    let vc = deep_copy_map(&chart.values);
    for (key, val) in snapshot(&vc) {
        match get(v, &key) {
            Some(value) => {
                if is_nil(&value) && !merge {
                    v.borrow_mut().remove(&key);
                } else if let Some(dest) = as_table(&value) {
                    match as_table(&val) {
                        Some(src) => {
                            let merge = merge || chart.dependencies.iter().any(|d| d.name() == key);
                            coalesce_tables_full_key(
                                &dest,
                                &src,
                                &concat_prefix(&sub_prefix, &key),
                                merge,
                                w,
                                0,
                            );
                        }
                        None => {
                            if !is_nil(&val) {
                                w.push(format!(
                                    "warning: skipped value for {sub_prefix}.{key}: Not a table."
                                ));
                            }
                        }
                    }
                }
            }
            None => set(v, &key, val),
        }
    }
}

/// Helm's `CoalesceTables`: `src` merged into `dst`, `dst` winning; `null`s in `dst` delete
/// the key where `src` has a value.
pub(crate) fn coalesce_tables(dst: &Map, src: &Map) -> Map {
    coalesce_tables_full_key(dst, src, "", false, &mut Warnings::default(), 0);
    Rc::clone(dst)
}

/// Helm's `MergeTables`: as [`coalesce_tables`], `null`s kept.
pub(crate) fn merge_tables(dst: &Map, src: &Map) -> Map {
    coalesce_tables_full_key(dst, src, "", true, &mut Warnings::default(), 0);
    Rc::clone(dst)
}

fn coalesce_tables_full_key(
    dst: &Map,
    src: &Map,
    prefix: &str,
    merge: bool,
    w: &mut Warnings,
    depth: usize,
) {
    if Rc::ptr_eq(dst, src) || depth > MAX_DEPTH {
        return;
    }
    let src_non_nil: BTreeSet<String> = src
        .borrow()
        .iter()
        .filter(|(_, v)| !is_nil(v))
        .map(|(k, _)| k.clone())
        .collect();
    for (key, val) in snapshot(dst) {
        if is_nil(&val) {
            set(src, &key, Value::Nil);
        }
    }
    for (key, val) in snapshot(src) {
        let full_key = concat_prefix(prefix, &key);
        let dv = get(dst, &key);
        match dv {
            Some(Value::Nil) if !merge && src_non_nil.contains(&key) => {
                dst.borrow_mut().remove(&key);
            }
            None => set(dst, &key, val),
            Some(dv) => {
                if let Some(val_table) = as_table(&val) {
                    match as_table(&dv) {
                        Some(dv_table) => coalesce_tables_full_key(
                            &dv_table,
                            &val_table,
                            &full_key,
                            merge,
                            w,
                            depth + 1,
                        ),
                        None => w.push(format!(
                            "warning: cannot overwrite table with non table for {full_key} ({})",
                            val.go_string()
                        )),
                    }
                } else if as_table(&dv).is_some() && !is_nil(&val) {
                    w.push(format!(
                        "warning: destination for {full_key} is a table. Ignoring non-table value ({})",
                        val.go_string()
                    ));
                }
            }
        }
    }
}

/// Helm's `Values.Table`: the map at a dotted path (`foo.bar`), or `None` (`ErrNoTable`).
pub(crate) fn table(values: &Map, path: &str) -> Option<Map> {
    let mut t = Rc::clone(values);
    for part in path.split('.') {
        let next = as_table(&get(&t, part)?)?;
        t = next;
    }
    Some(t)
}

/// Helm's `Values.PathValue`: the non-table value at a dotted path (`None`: `ErrNoValue`).
pub(crate) fn path_value(values: &Map, path: &str) -> Option<Value> {
    if path.is_empty() {
        return None;
    }
    let (parent, key) = match path.rsplit_once('.') {
        Some((parent, key)) => (table(values, parent)?, key),
        None => (Rc::clone(values), path),
    };
    let v = get(&parent, key)?;
    if as_table(&v).is_some() {
        return None;
    }
    Some(v)
}

/// Reads a user values file (`-f`): `name` is how provenance and messages name it (the path
/// as given). Errors are `failed to parse NAME: ...` as Helm's.
pub(crate) fn read_values_file(
    name: &str,
    text: &str,
    real: RealPath,
) -> Result<(Map, ValuesSource), ChartError> {
    let origin: Arc<str> = Arc::from(name);
    let read =
        read_yaml(text, &origin, &real).map_err(|e| e.wrap(&format!("failed to parse {name}")))?;
    let map = into_values_map(read.value)
        .map_err(|m| ChartError::at(m, real.clone(), 0).wrap(&format!("failed to parse {name}")))?;
    Ok((
        map,
        ValuesSource {
            name: origin,
            text: read.text,
            real: Some(real),
            offsets: read.offsets,
        },
    ))
}

/// `pkg/cli/values` `mergeMaps`: `b` over `a`, maps merged deeply, anything else replaced.
pub(crate) fn merge_maps(a: &Map, b: &Map) -> Map {
    merge_maps_at(a, b, 0)
}

fn merge_maps_at(a: &Map, b: &Map, depth: usize) -> Map {
    let out: Map = Rc::new(RefCell::new(a.borrow().clone()));
    for (k, v) in snapshot(b) {
        if let (Some(bv), Some(Value::Map(av))) = (as_table(&v), get(&out, &k))
            && depth < MAX_DEPTH
        {
            let merged = merge_maps_at(&av, &bv, depth + 1);
            set(&out, &k, Value::Map(merged));
            continue;
        }
        set(&out, &k, v);
    }
    out
}

/// The user's values as `helm template` builds them: each `-f` file merged over the previous
/// ones, then the `--set`-style maps (already parsed by the caller) in order.
pub(crate) fn merge_user_values(files: &[Map], sets: &[Map]) -> Map {
    let mut base = new_map();
    for m in files.iter().chain(sets) {
        base = merge_maps(&base, m);
    }
    base
}

/// One `values.schema.json` violation.
#[derive(Debug, Clone)]
pub(crate) struct SchemaViolation {
    /// The chart whose schema it is (its name, as Helm's message has it).
    pub(crate) chart: String,
    /// The schema file.
    pub(crate) schema: RealPath,
    /// JSON pointer of the value in that chart's values (`/image/tag`; `""` the root).
    pub(crate) pointer: String,
    /// The validator's message.
    pub(crate) message: String,
    /// Where the value was written, when a values file wrote it.
    pub(crate) origin: Option<Origin>,
}

/// Helm's `ValidateAgainstSchema` over the coalesced values: each chart with a schema checks
/// its own scope (a subchart its values under its name). `user_sources` are the `-f` files
/// (in order) to locate values the user wrote. An `Err` is a schema that cannot be read or
/// compiled (Helm fails the render with it).
pub(crate) fn validate_schemas(
    chart: &Chart,
    values: &Map,
    user_sources: &[ValuesSource],
) -> Result<SchemaCheck, ChartError> {
    let mut out = SchemaCheck::default();
    validate_at(chart, values, user_sources, "", &mut out, 0)?;
    Ok(out)
}

/// What [`validate_schemas`] found.
#[derive(Debug, Clone, Default)]
pub(crate) struct SchemaCheck {
    pub(crate) violations: Vec<SchemaViolation>,
    /// Schemas that were not checked, and why: a `$ref` to a remote document (Helm fetches it;
    /// kubeward stays offline).
    pub(crate) unchecked: Vec<(String, RealPath, String)>,
}

fn validate_at(
    chart: &Chart,
    values: &Map,
    user_sources: &[ValuesSource],
    root_pointer: &str,
    out: &mut SchemaCheck,
    depth: usize,
) -> Result<(), ChartError> {
    if depth > super::load::MAX_CHART_DEPTH {
        return Ok(());
    }
    if let Some(schema_file) = &chart.schema {
        let schema: serde_json::Value = serde_json::from_slice(&schema_file.data).map_err(|e| {
            ChartError::at(
                format!("{}: invalid values.schema.json: {e}", chart.name()),
                schema_file.real.clone(),
                0,
            )
        })?;
        let validator = match jsonschema::options().build(&schema) {
            Ok(v) => v,
            Err(e)
                if matches!(
                    e.kind(),
                    jsonschema::error::ValidationErrorKind::Referencing(_)
                ) =>
            {
                out.unchecked.push((
                    chart.name().to_owned(),
                    schema_file.real.clone(),
                    format!("a $ref the schema holds cannot be resolved offline: {e}"),
                ));
                return validate_subcharts(chart, values, user_sources, root_pointer, out, depth);
            }
            Err(e) => {
                return Err(ChartError::at(
                    format!("{}: invalid values.schema.json: {e}", chart.name()),
                    schema_file.real.clone(),
                    0,
                ));
            }
        };
        let instance = to_json(&Value::Map(Rc::clone(values)), 0);
        for err in validator.iter_errors(&instance) {
            let pointer = err.instance_path().to_string();
            let origin = locate_value(values, &pointer)
                .or_else(|| locate_in_sources(user_sources, &format!("{root_pointer}{pointer}")))
                .or_else(|| {
                    chart
                        .values_source
                        .as_ref()
                        .and_then(|s| locate_in_sources(std::slice::from_ref(s), &pointer))
                });
            let message = without_value(err.to_string(), instance.pointer(&pointer));
            out.violations.push(SchemaViolation {
                chart: chart.name().to_owned(),
                schema: schema_file.real.clone(),
                pointer,
                message,
                origin,
            });
        }
    }
    validate_subcharts(chart, values, user_sources, root_pointer, out, depth)
}

/// A validator's message with the rejected string value left out: it may be a password
/// (`"hunter2" is not of type "integer"`), and no output prints a value a chart may keep secret.
fn without_value(message: String, value: Option<&serde_json::Value>) -> String {
    match value {
        Some(serde_json::Value::String(text)) if !text.is_empty() => {
            let quoted = serde_json::to_string(text).unwrap_or_default();
            message.replace(
                &quoted,
                &format!("the value ({} characters, not shown)", text.chars().count()),
            )
        }
        _ => message,
    }
}

fn validate_subcharts(
    chart: &Chart,
    values: &Map,
    user_sources: &[ValuesSource],
    root_pointer: &str,
    out: &mut SchemaCheck,
    depth: usize,
) -> Result<(), ChartError> {
    for sub in &chart.dependencies {
        let Some(raw) = get(values, sub.name()) else {
            continue;
        };
        match raw {
            Value::Nil => {}
            Value::Map(m) => {
                let root = format!("{root_pointer}/{}", escape_pointer(sub.name()));
                validate_at(sub, &m, user_sources, &root, out, depth + 1)?;
            }
            other => out.violations.push(SchemaViolation {
                chart: sub.name().to_owned(),
                schema: sub.source.clone(),
                pointer: String::new(),
                message: format!(
                    "invalid type for values: expected object (map), got {}",
                    go_type_name(&other)
                ),
                origin: None,
            }),
        }
    }
    Ok(())
}

/// Helm's text for schema violations (`values don't meet the specifications ...`).
pub(crate) fn schema_error_message(violations: &[SchemaViolation]) -> String {
    let mut out = String::from(
        "values don't meet the specifications of the schema(s) in the following chart(s):\n",
    );
    let mut last: Option<&str> = None;
    for v in violations {
        if last != Some(v.chart.as_str()) {
            out.push_str(&v.chart);
            out.push_str(":\n");
            last = Some(&v.chart);
        }
        out.push_str(&format!("- at '{}': {}\n", v.pointer, v.message));
    }
    out
}

fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn unescape_pointer(seg: &str) -> String {
    seg.replace("~1", "/").replace("~0", "~")
}

/// The origin a string value carries, at a JSON pointer.
fn locate_value(values: &Map, pointer: &str) -> Option<Origin> {
    let mut v = Value::Map(Rc::clone(values));
    for seg in pointer.split('/').skip(1) {
        let seg = unescape_pointer(seg);
        v = match v {
            Value::Map(m) => get(&m, &seg)?,
            Value::List(items) => items.get(seg.parse::<usize>().ok()?)?.clone(),
            _ => return None,
        };
    }
    match v {
        Value::Str(s) => s
            .provenance
            .and_then(|p| p.chunks.first().map(|c| c.1.clone())),
        _ => None,
    }
}

/// The last source (later files win) that wrote a value at the pointer, or its nearest parent.
fn locate_in_sources(sources: &[ValuesSource], pointer: &str) -> Option<Origin> {
    let mut p = pointer.to_owned();
    loop {
        for s in sources.iter().rev() {
            if let Some(offset) = s.offsets.get(&p) {
                return Some(Origin {
                    file: Arc::clone(&s.name),
                    offset: *offset,
                    literal: false,
                    value: None,
                });
            }
        }
        let (parent, _) = p.rsplit_once('/')?;
        p = parent.to_owned();
    }
}

/// The JSON a value validates as (integral floats as integers, so `type: integer` accepts
/// `values.yaml`'s `3`).
pub(crate) fn to_json(v: &Value, depth: usize) -> serde_json::Value {
    use serde_json::Value as J;
    if depth > MAX_DEPTH {
        return J::Null;
    }
    match v {
        Value::Nil => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Int(i) => J::from(*i),
        Value::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15 {
                J::from(*f as i64)
            } else {
                serde_json::Number::from_f64(*f).map_or(J::Null, J::Number)
            }
        }
        Value::Str(s) => J::String(s.text.to_string()),
        Value::List(items) => J::Array(items.iter().map(|i| to_json(i, depth + 1)).collect()),
        Value::Map(m) => J::Object(
            m.borrow()
                .iter()
                .map(|(k, v)| (k.clone(), to_json(v, depth + 1)))
                .collect(),
        ),
        Value::Object(o) => to_json(&o.to_data(), depth + 1),
    }
}

#[cfg(test)]
mod value_tests {
    use super::without_value;

    #[test]
    fn a_rejected_string_is_not_quoted() {
        let value = serde_json::json!("hunter2");
        let message = without_value(
            "\"hunter2\" is not of type \"integer\"".to_owned(),
            Some(&value),
        );
        assert!(!message.contains("hunter2"), "{message}");
        assert!(message.contains("7 characters"), "{message}");
        // A number stays: it is what the schema's bounds are about.
        let zero = serde_json::json!(0);
        assert_eq!(
            without_value("0 is less than the minimum of 1".to_owned(), Some(&zero)),
            "0 is less than the minimum of 1"
        );
    }
}
