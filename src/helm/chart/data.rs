//! What each template sees, and the templates in Helm's order (helm/helm v3.21.4
//! `pkg/chartutil/values.go` `ToRenderValues`, `pkg/engine/engine.go` `allTemplates`,
//! `recAllTpls`, `sortTemplates`).
//!
//! Each chart gets one top-level map, shared by all its templates (Helm's `next`):
//! `Chart` (its metadata and `IsRoot`), `Files`, `Release`, `Capabilities`, `Values` (the root's
//! coalesced values; a subchart's the table under its name, shared with the parent's, or an
//! empty map), and `Subcharts` (each subchart's map by name). The engine adds `Template`
//! (`{Name, BasePath}`) to that map before executing each template, as Helm does.

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::helm::value::{Map, Object, Value};

use super::metadata::{Dependency, Maintainer, Metadata};
use super::values::{new_map, table};
use super::{Chart, RealPath};

/// `.Release` (Helm's `ReleaseOptions` as `helm template` sets them).
#[derive(Debug, Clone)]
pub(crate) struct ReleaseOptions {
    pub(crate) name: String,
    pub(crate) namespace: String,
    pub(crate) revision: i64,
    pub(crate) is_upgrade: bool,
    pub(crate) is_install: bool,
}

impl ReleaseOptions {
    /// `helm template`'s: revision 1, an install.
    pub(crate) fn template(name: &str, namespace: &str) -> ReleaseOptions {
        ReleaseOptions {
            name: name.to_owned(),
            namespace: namespace.to_owned(),
            revision: 1,
            is_upgrade: false,
            is_install: true,
        }
    }

    pub(crate) fn to_value(&self) -> Value {
        let mut m = BTreeMap::new();
        m.insert("Name".to_owned(), Value::str(self.name.as_str()));
        m.insert("Namespace".to_owned(), Value::str(self.namespace.as_str()));
        m.insert("IsUpgrade".to_owned(), Value::Bool(self.is_upgrade));
        m.insert("IsInstall".to_owned(), Value::Bool(self.is_install));
        m.insert("Revision".to_owned(), Value::Int(self.revision));
        m.insert("Service".to_owned(), Value::str("Helm"));
        Value::map(m)
    }
}

/// One chart of the render: its name as Helm paths use it, and its template data.
#[derive(Debug, Clone)]
pub(crate) struct ChartScope {
    /// `parent/charts/sub` (Helm's `ChartFullPath`).
    pub(crate) full_path: String,
    /// `parent.sub` (Helm's `ChartPath`).
    pub(crate) chart_path: String,
    /// The chart's top-level template data (a `Value::Map`; see the module's doc).
    pub(crate) data: Value,
    pub(crate) is_library: bool,
}

/// A template to parse.
#[derive(Debug, Clone)]
pub(crate) struct TemplateEntry {
    /// Helm's name: `mychart/templates/x.yaml`, `mychart/charts/sub/templates/_helpers.tpl`.
    pub(crate) name: String,
    /// `.Template.BasePath`: `mychart/templates`.
    pub(crate) base_path: String,
    pub(crate) text: Rc<str>,
    pub(crate) real: RealPath,
    /// Index of its chart in [`RenderPlan::charts`].
    pub(crate) chart: usize,
    /// Executed (not a `_` partial). Helm executes `NOTES.txt` too.
    pub(crate) execute: bool,
    /// Its output is a manifest (executed, and not a `NOTES.txt`).
    pub(crate) manifest: bool,
}

/// The charts and the templates of one render.
#[derive(Debug, Clone, Default)]
pub(crate) struct RenderPlan {
    pub(crate) charts: Vec<ChartScope>,
    /// In Helm's parse order: deeper paths first, then reverse lexical order; a `define` in a
    /// later template replaces an earlier one of the same name.
    pub(crate) templates: Vec<TemplateEntry>,
}

/// Builds the render plan. `values` are the coalesced values (Helm's `.Values` of the root);
/// `capabilities` and `files` (each chart's `.Files`) come from the caller.
pub(crate) fn render_plan(
    root: &Chart,
    values: &Map,
    release: &ReleaseOptions,
    capabilities: &Value,
    files: &dyn Fn(&Chart) -> Value,
) -> RenderPlan {
    let mut plan = RenderPlan::default();
    let mut by_name: BTreeMap<String, TemplateEntry> = BTreeMap::new();
    let release = release.to_value();
    let mut ctx = Ctx {
        release: &release,
        capabilities,
        files,
        plan: &mut plan,
        templates: &mut by_name,
    };
    ctx.add(root, None, Value::Map(Rc::clone(values)), 0);
    let mut names: Vec<String> = by_name.keys().cloned().collect();
    sort_templates(&mut names);
    plan.templates = names
        .into_iter()
        .filter_map(|n| by_name.remove(&n))
        .collect();
    plan
}

/// Helm's `sortTemplates`: by the number of `/` (more first), then reverse lexical order.
pub(crate) fn sort_templates(names: &mut [String]) {
    names.sort_by(|a, b| {
        let (ca, cb) = (a.matches('/').count(), b.matches('/').count());
        cb.cmp(&ca).then_with(|| b.cmp(a))
    });
}

struct Ctx<'a> {
    release: &'a Value,
    capabilities: &'a Value,
    files: &'a dyn Fn(&Chart) -> Value,
    plan: &'a mut RenderPlan,
    templates: &'a mut BTreeMap<String, TemplateEntry>,
}

impl Ctx<'_> {
    /// Helm's `recAllTpls`: the chart's data (returned) and its templates.
    fn add(
        &mut self,
        c: &Chart,
        parent: Option<(&str, &str, &Value)>,
        root_values: Value,
        depth: usize,
    ) -> Value {
        let (full_path, chart_path, values) = match parent {
            None => (c.name().to_owned(), c.name().to_owned(), root_values),
            Some((pfull, ppath, parent_values)) => {
                let values = match parent_values {
                    Value::Map(m) => table(m, c.name()).map(Value::Map),
                    _ => None,
                };
                (
                    format!("{pfull}/charts/{}", c.name()),
                    format!("{ppath}.{}", c.name()),
                    values.unwrap_or_else(|| Value::Map(new_map())),
                )
            }
        };
        let subcharts = new_map();
        let mut top = BTreeMap::new();
        top.insert(
            "Chart".to_owned(),
            Value::Object(Rc::new(ChartObject {
                metadata: c.metadata.clone(),
                is_root: parent.is_none(),
                embedded: false,
            })),
        );
        top.insert("Files".to_owned(), (self.files)(c));
        top.insert("Release".to_owned(), self.release.clone());
        top.insert("Capabilities".to_owned(), self.capabilities.clone());
        top.insert("Values".to_owned(), values.clone());
        top.insert("Subcharts".to_owned(), Value::Map(Rc::clone(&subcharts)));
        let data = Value::map(top);
        let index = self.plan.charts.len();
        self.plan.charts.push(ChartScope {
            full_path: full_path.clone(),
            chart_path: chart_path.clone(),
            data: data.clone(),
            is_library: c.is_library(),
        });
        if depth <= super::load::MAX_CHART_DEPTH {
            for child in &c.dependencies {
                let child_data = self.add(
                    child,
                    Some((&full_path, &chart_path, &values)),
                    Value::Nil,
                    depth + 1,
                );
                subcharts
                    .borrow_mut()
                    .insert(child.name().to_owned(), child_data);
            }
        }
        let base_path = format!("{full_path}/templates");
        for t in &c.templates {
            let base = super::ignore::go_base(&t.name);
            // A library chart's templates other than `_` partials are not even parsed.
            if c.is_library() && !base.starts_with('_') {
                continue;
            }
            let name = format!("{full_path}/{}", t.name);
            let execute = !super::ignore::go_base(&name).starts_with('_');
            let manifest = execute && !name.ends_with("NOTES.txt");
            self.templates.insert(
                name.clone(),
                TemplateEntry {
                    name,
                    base_path: base_path.clone(),
                    text: Rc::from(t.text().as_str()),
                    real: t.real.clone(),
                    chart: index,
                    execute,
                    manifest,
                },
            );
        }
        data
    }
}

/// `.Chart`: Helm's `struct{ chart.Metadata; IsRoot bool }` (fields by their Go names).
#[derive(Debug, Clone)]
pub(crate) struct ChartObject {
    pub(crate) metadata: Metadata,
    pub(crate) is_root: bool,
    /// This is `.Chart.Metadata` (a `chart.Metadata`, without `IsRoot`).
    pub(crate) embedded: bool,
}

fn strings(items: &[String]) -> Value {
    Value::list(items.iter().map(|s| Value::str(s.as_str())).collect())
}

fn string_map(m: &BTreeMap<String, String>) -> Value {
    Value::map(
        m.iter()
            .map(|(k, v)| (k.clone(), Value::str(v.as_str())))
            .collect(),
    )
}

impl Object for ChartObject {
    fn type_name(&self) -> &'static str {
        if self.embedded {
            "chart.Metadata"
        } else {
            "struct { chart.Metadata; IsRoot bool }"
        }
    }

    fn field(&self, name: &str) -> Option<Value> {
        let m = &self.metadata;
        Some(match name {
            "Name" => Value::str(m.name.as_str()),
            "Home" => Value::str(m.home.as_str()),
            "Sources" => strings(&m.sources),
            "Version" => Value::str(m.version.as_str()),
            "Description" => Value::str(m.description.as_str()),
            "Keywords" => strings(&m.keywords),
            "Maintainers" => Value::list(
                m.maintainers
                    .iter()
                    .map(|x| Value::Object(Rc::new(MaintainerObject(x.clone()))))
                    .collect(),
            ),
            "Icon" => Value::str(m.icon.as_str()),
            "APIVersion" => Value::str(m.api_version.as_str()),
            "Condition" => Value::str(m.condition.as_str()),
            "Tags" => Value::str(m.tags.as_str()),
            "AppVersion" => Value::str(m.app_version.as_str()),
            "Deprecated" => Value::Bool(m.deprecated),
            "Annotations" => string_map(&m.annotations),
            "KubeVersion" => Value::str(m.kube_version.as_str()),
            "Dependencies" => Value::list(
                m.dependencies
                    .iter()
                    .map(|d| Value::Object(Rc::new(DependencyObject(d.clone()))))
                    .collect(),
            ),
            "Type" => Value::str(m.chart_type.as_str()),
            "IsRoot" if !self.embedded => Value::Bool(self.is_root),
            // The embedded struct itself (`.Chart.Metadata.Name`).
            "Metadata" if !self.embedded => Value::Object(Rc::new(ChartObject {
                metadata: self.metadata.clone(),
                is_root: self.is_root,
                embedded: true,
            })),
            _ => return None,
        })
    }

    fn call(&self, _method: &str, _args: &[Value]) -> Option<Result<Value, String>> {
        None
    }

    fn display(&self) -> String {
        // Go's `%v` of the struct: `{{<metadata fields>} <IsRoot>}` (pointers as addresses in
        // Go; printed by value here).
        let m = &self.metadata;
        let list = |items: &[String]| format!("[{}]", items.join(" "));
        let inner = format!(
            "{{{} {} {} {} {} {} [{}] {} {} {} {} {} {} map[{}] {} [{}] {}}}",
            m.name,
            m.home,
            list(&m.sources),
            m.version,
            m.description,
            list(&m.keywords),
            m.maintainers
                .iter()
                .map(|x| MaintainerObject(x.clone()).display())
                .collect::<Vec<_>>()
                .join(" "),
            m.icon,
            m.api_version,
            m.condition,
            m.tags,
            m.app_version,
            m.deprecated,
            m.annotations
                .iter()
                .map(|(k, v)| format!("{k}:{v}"))
                .collect::<Vec<_>>()
                .join(" "),
            m.kube_version,
            m.dependencies
                .iter()
                .map(|d| DependencyObject(d.clone()).display())
                .collect::<Vec<_>>()
                .join(" "),
            m.chart_type
        );
        if self.embedded {
            inner
        } else {
            format!("{{{inner} {}}}", self.is_root)
        }
    }

    fn to_data(&self) -> Value {
        // encoding/json of the struct: Metadata's fields by their json names (omitempty),
        // then `IsRoot`.
        let m = &self.metadata;
        let mut out = BTreeMap::new();
        let mut s = |k: &str, v: &str| {
            if !v.is_empty() {
                out.insert(k.to_owned(), Value::str(v));
            }
        };
        s("name", &m.name);
        s("home", &m.home);
        s("version", &m.version);
        s("description", &m.description);
        s("icon", &m.icon);
        s("apiVersion", &m.api_version);
        s("condition", &m.condition);
        s("tags", &m.tags);
        s("appVersion", &m.app_version);
        s("kubeVersion", &m.kube_version);
        s("type", &m.chart_type);
        if !m.sources.is_empty() {
            out.insert("sources".to_owned(), strings(&m.sources));
        }
        if !m.keywords.is_empty() {
            out.insert("keywords".to_owned(), strings(&m.keywords));
        }
        if !m.maintainers.is_empty() {
            out.insert(
                "maintainers".to_owned(),
                Value::list(
                    m.maintainers
                        .iter()
                        .map(|x| MaintainerObject(x.clone()).to_data())
                        .collect(),
                ),
            );
        }
        if m.deprecated {
            out.insert("deprecated".to_owned(), Value::Bool(true));
        }
        if !m.annotations.is_empty() {
            out.insert("annotations".to_owned(), string_map(&m.annotations));
        }
        if !m.dependencies.is_empty() {
            out.insert(
                "dependencies".to_owned(),
                Value::list(
                    m.dependencies
                        .iter()
                        .map(|d| DependencyObject(d.clone()).to_data())
                        .collect(),
                ),
            );
        }
        if !self.embedded {
            out.insert("IsRoot".to_owned(), Value::Bool(self.is_root));
        }
        Value::map(out)
    }
}

/// A `*chart.Maintainer`.
#[derive(Debug, Clone)]
pub(crate) struct MaintainerObject(pub(crate) Maintainer);

impl Object for MaintainerObject {
    fn type_name(&self) -> &'static str {
        "*chart.Maintainer"
    }

    fn field(&self, name: &str) -> Option<Value> {
        Some(match name {
            "Name" => Value::str(self.0.name.as_str()),
            "Email" => Value::str(self.0.email.as_str()),
            "URL" => Value::str(self.0.url.as_str()),
            _ => return None,
        })
    }

    fn call(&self, _method: &str, _args: &[Value]) -> Option<Result<Value, String>> {
        None
    }

    fn display(&self) -> String {
        format!("&{{{} {} {}}}", self.0.name, self.0.email, self.0.url)
    }

    fn to_data(&self) -> Value {
        let mut out = BTreeMap::new();
        for (k, v) in [
            ("name", &self.0.name),
            ("email", &self.0.email),
            ("url", &self.0.url),
        ] {
            if !v.is_empty() {
                out.insert(k.to_owned(), Value::str(v.as_str()));
            }
        }
        Value::map(out)
    }
}

/// A `*chart.Dependency`.
#[derive(Debug, Clone)]
pub(crate) struct DependencyObject(pub(crate) Dependency);

impl Object for DependencyObject {
    fn type_name(&self) -> &'static str {
        "*chart.Dependency"
    }

    fn field(&self, name: &str) -> Option<Value> {
        let d = &self.0;
        Some(match name {
            "Name" => Value::str(d.name.as_str()),
            "Version" => Value::str(d.version.as_str()),
            "Repository" => Value::str(d.repository.as_str()),
            "Condition" => Value::str(d.condition.as_str()),
            "Tags" => strings(&d.tags),
            "Enabled" => Value::Bool(d.enabled),
            "ImportValues" => Value::list(d.import_values.clone()),
            "Alias" => Value::str(d.alias.as_str()),
            _ => return None,
        })
    }

    fn call(&self, _method: &str, _args: &[Value]) -> Option<Result<Value, String>> {
        None
    }

    fn display(&self) -> String {
        let d = &self.0;
        format!(
            "&{{{} {} {} {} [{}] {} {} {}}}",
            d.name,
            d.version,
            d.repository,
            d.condition,
            d.tags.join(" "),
            d.enabled,
            Value::list(d.import_values.clone()).go_string(),
            d.alias
        )
    }

    fn to_data(&self) -> Value {
        let d = &self.0;
        let mut out = BTreeMap::new();
        // `name` and `repository` have no omitempty.
        out.insert("name".to_owned(), Value::str(d.name.as_str()));
        out.insert("repository".to_owned(), Value::str(d.repository.as_str()));
        for (k, v) in [
            ("version", &d.version),
            ("condition", &d.condition),
            ("alias", &d.alias),
        ] {
            if !v.is_empty() {
                out.insert(k.to_owned(), Value::str(v.as_str()));
            }
        }
        if !d.tags.is_empty() {
            out.insert("tags".to_owned(), strings(&d.tags));
        }
        if d.enabled {
            out.insert("enabled".to_owned(), Value::Bool(true));
        }
        if !d.import_values.is_empty() {
            out.insert(
                "import-values".to_owned(),
                Value::list(d.import_values.clone()),
            );
        }
        Value::map(out)
    }
}
