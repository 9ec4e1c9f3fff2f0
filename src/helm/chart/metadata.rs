//! `Chart.yaml` (helm/helm v3.21.4 `pkg/chart/metadata.go`, `dependency.go`): the fields, decoded
//! as encoding/json decodes them into Helm's structs (keys matched case-insensitively, unknown
//! keys ignored, `null` leaves a field as it was, a wrong type is an error), and Helm's
//! `Validate`.

use std::collections::BTreeMap;

use crate::helm::value::Value;

use super::semver::Version;
use super::yaml::{go_float32, json_kind};

#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Maintainer {
    pub(crate) name: String,
    pub(crate) email: String,
    pub(crate) url: String,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Dependency {
    pub(crate) name: String,
    pub(crate) version: String,
    pub(crate) repository: String,
    pub(crate) condition: String,
    pub(crate) tags: Vec<String>,
    pub(crate) enabled: bool,
    /// As written (strings and `{child, parent}` maps); after import processing, Helm rewrites
    /// them as `{child, parent}` maps.
    pub(crate) import_values: Vec<Value>,
    pub(crate) alias: String,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Metadata {
    pub(crate) name: String,
    pub(crate) home: String,
    pub(crate) sources: Vec<String>,
    pub(crate) version: String,
    pub(crate) description: String,
    pub(crate) keywords: Vec<String>,
    pub(crate) maintainers: Vec<Maintainer>,
    pub(crate) icon: String,
    pub(crate) api_version: String,
    pub(crate) condition: String,
    pub(crate) tags: String,
    pub(crate) app_version: String,
    pub(crate) deprecated: bool,
    pub(crate) annotations: BTreeMap<String, String>,
    pub(crate) kube_version: String,
    pub(crate) dependencies: Vec<Dependency>,
    /// `type` (`application`, `library` or empty).
    pub(crate) chart_type: String,
    /// Entries of `maintainers`/`dependencies` that were `null` (Go's nil pointers), which
    /// `Validate` refuses.
    pub(crate) null_maintainer: bool,
    pub(crate) null_dependency: bool,
    /// Whether `dependencies` is set (Go's non-nil slice): Helm processes a chart's
    /// subcharts' conditions and imports only then.
    pub(crate) dependencies_set: bool,
}

pub(crate) const API_VERSION_V1: &str = "v1";

/// A decoding error: encoding/json's message and the JSON pointer of the bad value.
pub(crate) struct DecodeError {
    pub(crate) message: String,
    pub(crate) pointer: String,
}

fn type_error(kind: &Value, field: &str, go_type: &str, pointer: &str) -> DecodeError {
    DecodeError {
        message: format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go \
             struct field {field} of type {go_type}",
            json_kind(kind)
        ),
        pointer: pointer.to_owned(),
    }
}

/// The entries of a JSON object matched to a struct's fields as encoding/json does: an exact
/// name first, else a case-insensitive one; later duplicates win.
fn fields<'a>(
    map: &'a BTreeMap<String, Value>,
    names: &[&'static str],
) -> Vec<(&'static str, &'a String, &'a Value)> {
    let mut out = Vec::new();
    for (k, v) in map {
        let exact = names.iter().find(|n| **n == k.as_str());
        let folded = exact.or_else(|| names.iter().find(|n| n.eq_ignore_ascii_case(k)));
        if let Some(n) = folded {
            out.push((*n, k, v));
        }
    }
    out
}

fn ptr(base: &str, key: &str) -> String {
    format!("{base}/{}", key.replace('~', "~0").replace('/', "~1"))
}

fn decode_string(
    target: &mut String,
    v: &Value,
    field: &str,
    pointer: &str,
) -> Result<(), DecodeError> {
    // sigs.k8s.io/yaml writes a scalar into a string field as text.
    *target = match v {
        Value::Nil => return Ok(()),
        Value::Str(s) => s.text.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => go_float32(*f),
        Value::Bool(b) => b.to_string(),
        other => return Err(type_error(other, field, "string", pointer)),
    };
    Ok(())
}

fn decode_bool(
    target: &mut bool,
    v: &Value,
    field: &str,
    pointer: &str,
) -> Result<(), DecodeError> {
    match v {
        Value::Nil => Ok(()),
        Value::Bool(b) => {
            *target = *b;
            Ok(())
        }
        other => Err(type_error(other, field, "bool", pointer)),
    }
}

fn decode_strings(
    target: &mut Vec<String>,
    v: &Value,
    field: &str,
    pointer: &str,
) -> Result<(), DecodeError> {
    match v {
        Value::Nil => {
            target.clear();
            Ok(())
        }
        Value::List(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let mut s = String::new();
                decode_string(&mut s, item, field, &format!("{pointer}/{i}"))?;
                out.push(s);
            }
            *target = out;
            Ok(())
        }
        other => Err(type_error(other, field, "[]string", pointer)),
    }
}

impl Metadata {
    /// Decodes a `Chart.yaml` (or `requirements.yaml`) value into this metadata, as
    /// `yaml.Unmarshal(data, c.Metadata)` does (fields not in the document are kept).
    pub(crate) fn decode_into(&mut self, v: &Value) -> Result<(), DecodeError> {
        let map = match v {
            Value::Nil => return Ok(()),
            Value::Map(m) => m.borrow().clone(),
            other => {
                return Err(DecodeError {
                    message: format!(
                        "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} \
                         into Go value of type chart.Metadata",
                        json_kind(other)
                    ),
                    pointer: String::new(),
                });
            }
        };
        const NAMES: &[&str] = &[
            "name",
            "home",
            "sources",
            "version",
            "description",
            "keywords",
            "maintainers",
            "icon",
            "apiVersion",
            "condition",
            "tags",
            "appVersion",
            "deprecated",
            "annotations",
            "kubeVersion",
            "dependencies",
            "type",
        ];
        // encoding/json reports the first type error and goes on with the other fields.
        let mut first: Option<DecodeError> = None;
        for (name, key, value) in fields(&map, NAMES) {
            let p = ptr("", key);
            let field = format!("Metadata.{name}");
            let r = match name {
                "name" => decode_string(&mut self.name, value, &field, &p),
                "home" => decode_string(&mut self.home, value, &field, &p),
                "sources" => decode_strings(&mut self.sources, value, &field, &p),
                "version" => decode_string(&mut self.version, value, &field, &p),
                "description" => decode_string(&mut self.description, value, &field, &p),
                "keywords" => decode_strings(&mut self.keywords, value, &field, &p),
                "maintainers" => self.decode_maintainers(value, &p),
                "icon" => decode_string(&mut self.icon, value, &field, &p),
                "apiVersion" => decode_string(&mut self.api_version, value, &field, &p),
                "condition" => decode_string(&mut self.condition, value, &field, &p),
                "tags" => decode_string(&mut self.tags, value, &field, &p),
                "appVersion" => decode_string(&mut self.app_version, value, &field, &p),
                "deprecated" => decode_bool(&mut self.deprecated, value, &field, &p),
                "annotations" => self.decode_annotations(value, &p),
                "kubeVersion" => decode_string(&mut self.kube_version, value, &field, &p),
                "dependencies" => decode_dependencies(value, &p, "Metadata").map(|(deps, null)| {
                    self.dependencies_set = deps.is_some();
                    self.null_dependency = null;
                    self.dependencies = deps.unwrap_or_default();
                }),
                _ => decode_string(&mut self.chart_type, value, &field, &p),
            };
            if let Err(e) = r {
                first.get_or_insert(e);
            }
        }
        first.map_or(Ok(()), Err)
    }

    fn decode_maintainers(&mut self, v: &Value, pointer: &str) -> Result<(), DecodeError> {
        let items = match v {
            Value::Nil => {
                self.maintainers.clear();
                self.null_maintainer = false;
                return Ok(());
            }
            Value::List(items) => items,
            other => {
                return Err(type_error(
                    other,
                    "Metadata.maintainers",
                    "[]*chart.Maintainer",
                    pointer,
                ));
            }
        };
        let mut out = Vec::new();
        self.null_maintainer = false;
        for (i, item) in items.iter().enumerate() {
            let p = format!("{pointer}/{i}");
            let map = match item {
                Value::Nil => {
                    self.null_maintainer = true;
                    continue;
                }
                Value::Map(m) => m.borrow().clone(),
                other => {
                    return Err(type_error(
                        other,
                        "Metadata.maintainers",
                        "chart.Maintainer",
                        &p,
                    ));
                }
            };
            let mut m = Maintainer::default();
            for (name, key, value) in fields(&map, &["name", "email", "url"]) {
                let field = format!("Metadata.maintainers.{name}");
                let target = match name {
                    "name" => &mut m.name,
                    "email" => &mut m.email,
                    _ => &mut m.url,
                };
                decode_string(target, value, &field, &ptr(&p, key))?;
            }
            out.push(m);
        }
        self.maintainers = out;
        Ok(())
    }

    fn decode_annotations(&mut self, v: &Value, pointer: &str) -> Result<(), DecodeError> {
        match v {
            Value::Nil => {
                self.annotations.clear();
                Ok(())
            }
            Value::Map(m) => {
                for (k, item) in m.borrow().iter() {
                    let mut s = String::new();
                    match item {
                        Value::Nil => {}
                        _ => decode_string(&mut s, item, "Metadata.annotations", &ptr(pointer, k))?,
                    }
                    self.annotations.insert(k.clone(), s);
                }
                Ok(())
            }
            other => Err(type_error(
                other,
                "Metadata.annotations",
                "map[string]string",
                pointer,
            )),
        }
    }

    /// Helm's `Metadata.Validate` (with `sanitizeString` applied to the fields it cleans).
    /// The error is Helm's text without the `validation: ` prefix.
    pub(crate) fn validate(&mut self) -> Result<(), String> {
        for s in [
            &mut self.name,
            &mut self.description,
            &mut self.home,
            &mut self.icon,
            &mut self.condition,
            &mut self.tags,
            &mut self.app_version,
            &mut self.kube_version,
        ] {
            *s = sanitize(s);
        }
        for s in self.sources.iter_mut().chain(self.keywords.iter_mut()) {
            *s = sanitize(s);
        }
        if self.api_version.is_empty() {
            return Err("chart.metadata.apiVersion is required".to_owned());
        }
        if self.name.is_empty() {
            return Err("chart.metadata.name is required".to_owned());
        }
        if self.name == "." || self.name == ".." {
            return Err(format!(
                "chart.metadata.name {:?} is not allowed",
                self.name
            ));
        }
        if super::ignore::go_base(&self.name) != self.name {
            return Err(format!("chart.metadata.name {:?} is invalid", self.name));
        }
        if self.version.is_empty() {
            return Err("chart.metadata.version is required".to_owned());
        }
        if Version::parse(&self.version).is_none() {
            return Err(format!(
                "chart.metadata.version {:?} is invalid",
                self.version
            ));
        }
        if !matches!(self.chart_type.as_str(), "" | "application" | "library") {
            return Err("chart.metadata.type must be application or library".to_owned());
        }
        if self.null_maintainer {
            return Err("maintainers must not contain empty or null nodes".to_owned());
        }
        for m in &mut self.maintainers {
            m.name = sanitize(&m.name);
            m.email = sanitize(&m.email);
            m.url = sanitize(&m.url);
        }
        if self.null_dependency {
            return Err("dependencies must not contain empty or null nodes".to_owned());
        }
        let mut seen = std::collections::BTreeSet::new();
        for d in &mut self.dependencies {
            d.name = sanitize(&d.name);
            d.version = sanitize(&d.version);
            d.repository = sanitize(&d.repository);
            d.condition = sanitize(&d.condition);
            for t in &mut d.tags {
                *t = sanitize(t);
            }
            if !d.alias.is_empty()
                && !d
                    .alias
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                return Err(format!(
                    "dependency {:?} has disallowed characters in the alias",
                    d.name
                ));
            }
            let key = if d.alias.is_empty() {
                d.name.clone()
            } else {
                d.alias.clone()
            };
            if !seen.insert(key.clone()) {
                return Err(format!(
                    "more than one dependency with name or alias {key:?}"
                ));
            }
        }
        Ok(())
    }
}

/// Decodes a `dependencies` list: the dependencies (None for `null`), and whether one entry was
/// null.
pub(crate) fn decode_dependencies(
    v: &Value,
    pointer: &str,
    owner: &str,
) -> Result<(Option<Vec<Dependency>>, bool), DecodeError> {
    let items = match v {
        Value::Nil => return Ok((None, false)),
        Value::List(items) => items,
        other => {
            return Err(type_error(
                other,
                &format!("{owner}.dependencies"),
                "[]*chart.Dependency",
                pointer,
            ));
        }
    };
    let mut out = Vec::new();
    let mut null = false;
    for (i, item) in items.iter().enumerate() {
        let p = format!("{pointer}/{i}");
        let map = match item {
            Value::Nil => {
                null = true;
                continue;
            }
            Value::Map(m) => m.borrow().clone(),
            other => {
                return Err(type_error(
                    other,
                    &format!("{owner}.dependencies"),
                    "chart.Dependency",
                    &p,
                ));
            }
        };
        let mut d = Dependency::default();
        const NAMES: &[&str] = &[
            "name",
            "version",
            "repository",
            "condition",
            "tags",
            "enabled",
            "import-values",
            "alias",
        ];
        for (name, key, value) in fields(&map, NAMES) {
            let field = format!("{owner}.dependencies.{name}");
            let kp = ptr(&p, key);
            match name {
                "name" => decode_string(&mut d.name, value, &field, &kp)?,
                "version" => decode_string(&mut d.version, value, &field, &kp)?,
                "repository" => decode_string(&mut d.repository, value, &field, &kp)?,
                "condition" => decode_string(&mut d.condition, value, &field, &kp)?,
                "tags" => decode_strings(&mut d.tags, value, &field, &kp)?,
                "enabled" => decode_bool(&mut d.enabled, value, &field, &kp)?,
                "import-values" => match value {
                    Value::Nil => d.import_values.clear(),
                    Value::List(items) => d.import_values = items.to_vec(),
                    other => return Err(type_error(other, &field, "[]interface {}", &kp)),
                },
                _ => decode_string(&mut d.alias, value, &field, &kp)?,
            }
        }
        out.push(d);
    }
    Ok((Some(out), null))
}

/// Helm's `sanitizeString`: white space becomes a space, unprintable characters go.
pub(crate) fn sanitize(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            if c.is_whitespace() {
                Some(' ')
            } else if c.is_control() || is_format(c) {
                None
            } else {
                Some(c)
            }
        })
        .collect()
}

/// Unicode format characters Go's `IsPrint` refuses (zero-width and direction marks).
fn is_format(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}')
}
