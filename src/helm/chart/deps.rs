//! Dependencies (helm/helm v3.21.4 `pkg/chartutil/dependencies.go`): which subcharts are enabled
//! (`tags`, `condition`), aliases (a subchart copied under its alias), and `import-values`
//! (a child's values, or its `exports.`, copied into the parent's values).
//!
//! `helm template` runs `ProcessDependenciesWithMerge` (`merge = true`: nulls kept while
//! importing). A dependency Chart.yaml names but no `charts/` entry provides (Helm's
//! `CheckDependencies` refuses to render then) is reported in [`Processed::missing`] with whether
//! it would be enabled: the caller renders without it only when it is disabled.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use crate::helm::value::{Map, Value};

use super::semver::is_compatible_range;
use super::values::{
    self, Warnings, coalesce_tables, coalesce_values, deep_copy_map, merge_tables, new_map,
    path_value, table,
};
use super::{Chart, ChartError};

/// A dependency Chart.yaml lists that no subchart under `charts/` matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MissingDependency {
    /// The chart that lists it (`parent`, `parent.sub`: Helm's `ChartPath`).
    pub(crate) chart_path: String,
    /// Its name as Chart.yaml writes it (and its alias, if any).
    pub(crate) name: String,
    pub(crate) alias: String,
    pub(crate) version: String,
    pub(crate) repository: String,
    pub(crate) condition: String,
    /// Whether its tags and condition leave it enabled.
    pub(crate) enabled: bool,
    /// How deep the chart that lists it is (0: the chart being rendered).
    pub(crate) depth: usize,
}

impl MissingDependency {
    /// Whether the chart cannot render as Helm would without it: an enabled dependency of
    /// the top chart (Helm refuses to render a chart with any dependency missing; a
    /// subchart's missing dependencies Helm drops silently).
    pub(crate) fn blocks_render(&self) -> bool {
        self.enabled && self.depth == 0
    }
}

/// What [`process_dependencies`] found.
#[derive(Debug, Default)]
pub(crate) struct Processed {
    pub(crate) missing: Vec<MissingDependency>,
    pub(crate) warnings: Vec<String>,
}

/// Helm's `CheckDependencies` for the top chart: names Chart.yaml lists that no loaded
/// subchart has (`found in Chart.yaml, but missing in charts/ directory: a, b`).
pub(crate) fn check_dependencies(chart: &Chart) -> Result<(), ChartError> {
    let missing: Vec<&str> = chart
        .metadata
        .dependencies
        .iter()
        .filter(|r| !chart.dependencies.iter().any(|d| d.name() == r.name))
        .map(|r| r.name.as_str())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(ChartError::new(format!(
            "found in Chart.yaml, but missing in charts/ directory: {}",
            missing.join(", ")
        )))
    }
}

/// Helm's `ProcessDependencies` (`merge = false`) / `ProcessDependenciesWithMerge`
/// (`merge = true`, what `helm template` uses), with the user's values `vals`.
pub(crate) fn process_dependencies(
    chart: &mut Chart,
    vals: &Map,
    merge: bool,
) -> Result<Processed, ChartError> {
    let mut out = Processed::default();
    let mut w = Warnings::default();
    let chart_path = chart.name().to_owned();
    process_enabled(chart, vals, "", &chart_path, &mut out, &mut w, 0)?;
    process_import_values_rec(chart, merge, &mut w, 0)?;
    out.warnings = w.0;
    Ok(out)
}

/// Helm's `processDependencyEnabled`.
pub(crate) fn process_enabled(
    c: &mut Chart,
    v: &Map,
    path: &str,
    chart_path: &str,
    out: &mut Processed,
    w: &mut Warnings,
    depth: usize,
) -> Result<(), ChartError> {
    if !c.metadata.dependencies_set || depth > super::load::MAX_CHART_DEPTH {
        return Ok(());
    }
    let existing = std::mem::take(&mut c.dependencies);
    let mut chart_deps: Vec<Chart> = Vec::new();
    // Subcharts Chart.yaml does not list stay as they are.
    for e in &existing {
        let listed =
            c.metadata.dependencies.iter().any(|r| {
                e.name() == r.name && is_compatible_range(&r.version, &e.metadata.version)
            });
        if !listed {
            chart_deps.push(e.clone());
        }
    }
    let mut missing_at: Vec<usize> = Vec::new();
    for (i, req) in c.metadata.dependencies.iter_mut().enumerate() {
        let found = existing.iter().find(|e| {
            e.name() == req.name && is_compatible_range(&req.version, &e.metadata.version)
        });
        match found {
            Some(found) => {
                let mut copy = found.clone();
                if !req.alias.is_empty() {
                    copy.metadata.name = req.alias.clone();
                }
                chart_deps.push(copy);
            }
            // A subchart of that name outside the version range stays (unlisted), as Helm's.
            None if existing.iter().any(|e| e.name() == req.name) => {}
            None => {
                missing_at.push(i);
                out.missing.push(MissingDependency {
                    chart_path: chart_path.to_owned(),
                    name: req.name.clone(),
                    alias: req.alias.clone(),
                    version: req.version.clone(),
                    repository: req.repository.clone(),
                    condition: req.condition.clone(),
                    enabled: true,
                    depth,
                });
            }
        }
        if !req.alias.is_empty() {
            req.name = req.alias.clone();
        }
    }
    let first_missing = out.missing.len() - missing_at.len();
    c.dependencies = chart_deps;
    for r in &mut c.metadata.dependencies {
        r.enabled = true;
    }
    let cvals = coalesce_values(c, v, w)?;
    process_tags(c, &cvals, w);
    process_conditions(c, &cvals, path, w);
    for (k, i) in missing_at.iter().enumerate() {
        if let (Some(m), Some(r)) = (
            out.missing.get_mut(first_missing + k),
            c.metadata.dependencies.get(*i),
        ) {
            m.enabled = r.enabled;
        }
    }
    let removed: BTreeSet<String> = c
        .metadata
        .dependencies
        .iter()
        .filter(|r| !r.enabled)
        .map(|r| r.name.clone())
        .collect();
    c.dependencies.retain(|d| !removed.contains(d.name()));
    c.metadata
        .dependencies
        .retain(|r| !removed.contains(&r.name));
    for t in &mut c.dependencies {
        let sub_path = format!("{path}{}.", t.name());
        let sub_chart_path = format!("{chart_path}.{}", t.name());
        process_enabled(t, &cvals, &sub_path, &sub_chart_path, out, w, depth + 1)?;
    }
    // `append(nil, none...)` is nil in Go: with every dependency disabled, the list is unset.
    c.metadata.dependencies_set = !c.metadata.dependencies.is_empty();
    Ok(())
}

/// Helm's `processDependencyTags`.
fn process_tags(c: &mut Chart, cvals: &Map, w: &mut Warnings) {
    let Some(tags) = table(cvals, "tags") else {
        return;
    };
    for r in &mut c.metadata.dependencies {
        let (mut has_true, mut has_false) = (false, false);
        for k in &r.tags {
            match tags.borrow().get(k) {
                Some(Value::Bool(true)) => has_true = true,
                Some(Value::Bool(false)) => has_false = true,
                Some(_) => w.0.push(format!(
                    "Warning: Tag '{k}' for chart {} returned non-bool value",
                    r.name
                )),
                None => {}
            }
        }
        if !has_true && has_false {
            r.enabled = false;
        } else if has_true || !has_false {
            r.enabled = true;
        }
    }
}

/// Helm's `processDependencyConditions`: the first condition path that resolves to a bool
/// decides (paths are comma-separated and not trimmed, as Helm's).
fn process_conditions(c: &mut Chart, cvals: &Map, cpath: &str, w: &mut Warnings) {
    for r in &mut c.metadata.dependencies {
        for cond in r.condition.trim().split(',') {
            if cond.is_empty() {
                continue;
            }
            match path_value(cvals, &format!("{cpath}{cond}")) {
                Some(Value::Bool(b)) => {
                    r.enabled = b;
                    break;
                }
                Some(_) => w.0.push(format!(
                    "Warning: Condition path '{cond}' for chart {} returned non-bool value",
                    r.name
                )),
                None => {}
            }
        }
    }
}

fn process_import_values_rec(
    c: &mut Chart,
    merge: bool,
    w: &mut Warnings,
    depth: usize,
) -> Result<(), ChartError> {
    if depth > super::load::MAX_CHART_DEPTH {
        return Ok(());
    }
    for d in &mut c.dependencies {
        process_import_values_rec(d, merge, w, depth + 1)?;
    }
    process_import_values(c, merge, w)
}

/// Helm's `processImportValues`: the listed children's tables merged under the parent's own
/// values (the parent wins), and `import-values` rewritten as `{child, parent}` maps.
fn process_import_values(c: &mut Chart, merge: bool, w: &mut Warnings) -> Result<(), ChartError> {
    if !c.metadata.dependencies_set {
        return Ok(());
    }
    let empty = new_map();
    let cvals = if merge {
        values::merge_values(c, &empty, w)?
    } else {
        coalesce_values(c, &empty, w)?
    };
    let mut b = new_map();
    let combine = |b: &Map, src: &Map| -> Map {
        if merge {
            merge_tables(b, src)
        } else {
            coalesce_tables(b, src)
        }
    };
    for r in &mut c.metadata.dependencies {
        let mut out_iv = Vec::new();
        for riv in &r.import_values {
            match riv {
                Value::Map(m) => {
                    let field = |k: &str| match m.borrow().get(k) {
                        Some(v) => v.go_string(),
                        None => "<nil>".to_owned(),
                    };
                    let (child, parent) = (field("child"), field("parent"));
                    out_iv.push(child_parent(&child, &parent));
                    let Some(vv) = table(&cvals, &format!("{}.{child}", r.name)) else {
                        w.0.push(format!(
                            "Warning: ImportValues missing table from chart {}: {child:?} is not a table",
                            r.name
                        ));
                        continue;
                    };
                    b = combine(&b, &path_to_map(&parent, vv));
                }
                Value::Str(s) => {
                    let child = format!("exports.{}", s.text);
                    out_iv.push(child_parent(&child, "."));
                    let Some(vm) = table(&cvals, &format!("{}.{child}", r.name)) else {
                        w.0.push(format!(
                            "Warning: ImportValues missing table: {child:?} is not a table"
                        ));
                        continue;
                    };
                    b = combine(&b, &vm);
                }
                _ => {}
            }
        }
        r.import_values = out_iv;
    }
    c.values = if merge {
        merge_tables(&deep_copy_map(&cvals), &b)
    } else {
        coalesce_tables(&trim_nil_values(&cvals, 0), &b)
    };
    Ok(())
}

fn child_parent(child: &str, parent: &str) -> Value {
    let mut m = BTreeMap::new();
    m.insert("child".to_owned(), Value::str(child));
    m.insert("parent".to_owned(), Value::str(parent));
    Value::map(m)
}

/// Helm's `pathToMap`: `a.b` and data → `{a: {b: data}}`; `.` is the data itself.
fn path_to_map(path: &str, data: Map) -> Map {
    if path == "." {
        return data;
    }
    let mut cur = data;
    for part in path.split('.').rev() {
        let mut m = BTreeMap::new();
        m.insert(part.to_owned(), Value::Map(cur));
        cur = Rc::new(std::cell::RefCell::new(m));
    }
    cur
}

/// Helm's `trimNilValues`: a deep copy without `null`s.
fn trim_nil_values(vals: &Map, depth: usize) -> Map {
    let copy = deep_copy_map(vals);
    if depth > 256 {
        return copy;
    }
    let entries: Vec<(String, Value)> = copy
        .borrow()
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (k, v) in entries {
        match v {
            Value::Nil => {
                copy.borrow_mut().remove(&k);
            }
            Value::Map(m) => {
                let trimmed = trim_nil_values(&m, depth + 1);
                copy.borrow_mut().insert(k, Value::Map(trimmed));
            }
            _ => {}
        }
    }
    copy
}

/// Helm's `processDependencyImportValues` alone (its tests call it directly).
#[cfg(test)]
pub(crate) fn process_import_values_for_tests(c: &mut Chart, merge: bool, w: &mut Warnings) {
    if let Err(e) = process_import_values_rec(c, merge, w, 0) {
        panic!("{e}");
    }
}
