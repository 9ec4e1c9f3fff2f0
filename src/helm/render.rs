//! `helm template`, natively: loads a chart, computes its values, renders every template with
//! Go's text/template and Sprig, and writes Helm's stream, keeping for every byte of the
//! stream the template (and values) position that wrote it.
//!
//! The steps follow Helm v3.21.4's `helm template` (cmd/helm/template.go, pkg/action/install.go
//! `Run`/`renderResources`, pkg/engine/engine.go `render`).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;

use super::chart::{self, Chart, ChartError, RealPath, data, load, values};
use super::release::capabilities::{Capabilities, KubeVersionInfo};
use super::release::files::Files;
use super::release::manifests::{self, Rendered, Stream, StreamOptions};
use super::release::strvals::{self, SetFlags};
use super::template::{ExecOptions, TemplateError, Templates};
use super::value::{Origin, Provenance, Value};
use crate::kube_version::KubeVersion;

/// `helm template`'s flags.
#[derive(Debug, Clone, Default)]
pub struct HelmOptions {
    /// `NAME` / `--release-name` (default `release-name`).
    pub release_name: Option<String>,
    /// `--name-template`: a template whose output is the release name.
    pub name_template: Option<String>,
    /// `--namespace` (default `default`).
    pub namespace: Option<String>,
    /// `--values/-f` files, in order.
    pub values: Vec<String>,
    pub set: Vec<String>,
    pub set_string: Vec<String>,
    pub set_file: Vec<String>,
    pub set_json: Vec<String>,
    pub set_literal: Vec<String>,
    /// `--api-versions/-a`.
    pub api_versions: Vec<String>,
    /// `--kube-version` as given (`1.29`, `v1.25.0`).
    pub kube_version: Option<String>,
    /// The run's target version, when `kube_version` is not given.
    pub target: Option<KubeVersion>,
    pub show_only: Vec<String>,
    pub skip_tests: bool,
    /// `--no-hooks`: no `helm.sh/hook` documents at all.
    pub no_hooks: bool,
    pub include_crds: bool,
    /// `--debug`: on a YAML error, print every rendered template first (Helm's
    /// `--debug` output).
    pub debug: bool,
    /// Render with the capabilities of Helm's own test build (v1.20.0 and client-go's API
    /// versions), as Helm's golden files were produced.
    pub helm_test_capabilities: bool,
}

/// Why a chart does not render: Helm's message (what it prints after `Error: `) and where.
#[derive(Debug, Clone)]
pub struct RenderError {
    pub message: String,
    /// The file (on disk; an archive's path for a member of it) and byte offset.
    pub location: Option<(std::path::PathBuf, usize)>,
    /// What Helm prints on standard output before the error (`--debug`'s rendered templates).
    pub stdout: String,
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// A rendered chart: the stream, and how to find where each byte of it came from.
pub struct RenderedChart {
    pub stream_text: String,
    pub(crate) stream: Stream,
    /// Each rendered template's provenance, by template name.
    provenance: HashMap<String, Provenance>,
    /// Each template's and values file's place on disk, by the name provenance uses.
    real: HashMap<Arc<str>, RealPath>,
    /// The text of each file provenance names (templates and values files), by name.
    texts: HashMap<Arc<str>, Rc<str>>,
    /// What the render could not do exactly (missing dependencies, schema violations,
    /// functions that return stand-ins), for `render`'s notes and lint findings.
    pub notes: Vec<String>,
    /// `values.schema.json` violations: message and, when known, the values file and offset.
    pub schema_violations: Vec<(String, Option<(std::path::PathBuf, usize)>)>,
    /// Dependencies not vendored under `charts/` (`helm dependency build` fetches them).
    pub missing_dependencies: Vec<String>,
}

/// A place in a chart's file on disk, for findings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcePoint {
    pub path: std::path::PathBuf,
    pub offset: usize,
    /// The length of the text the point covers (a template action, a copied run of text).
    pub len: usize,
    /// For a value printed from a values file: that values scalar.
    pub value: Option<(std::path::PathBuf, usize)>,
    /// The text was copied verbatim from `offset` on (template text), not written by an
    /// action.
    pub literal: bool,
}

fn located(e: ChartError) -> RenderError {
    RenderError {
        message: e.message,
        location: e.location.map(|l| (l.file.path, l.offset)),
        stdout: String::new(),
    }
}

fn plain(message: impl Into<String>) -> RenderError {
    RenderError {
        message: message.into(),
        location: None,
        stdout: String::new(),
    }
}

/// `.Files`' `toYaml` for `AsConfig`/`AsSecrets`: Helm's `yaml.Marshal` (with its newline).
fn files_yaml(v: &Value) -> Result<String, String> {
    let to_yaml = super::funcs::lookup("toYaml").ok_or("toYaml is not defined")?;
    let out = to_yaml(std::slice::from_ref(v))?;
    Ok(format!("{}\n", out.as_str().unwrap_or_default()))
}

fn files_value(chart: &Chart) -> Value {
    let map: BTreeMap<String, Vec<u8>> = chart
        .files
        .iter()
        .map(|f| (f.name.clone(), f.data.to_vec()))
        .collect();
    Files::new(map, files_yaml).into_value()
}

/// Whether `path` is a Helm chart: a folder holding `Chart.yaml`, or a `.tgz` archive.
pub fn is_chart(path: &Path) -> bool {
    path.join("Chart.yaml").is_file()
        || path.is_file() && path.extension().is_some_and(|e| e == "tgz")
}

/// Whether the chart folder `dir` is a subchart (`<parent>/charts/<sub>` with
/// `<parent>/Chart.yaml`), which renders only with its parent. (A standalone chart kept under a
/// folder that happens to be named `charts`, like istio's `manifests/charts/*`, is not.)
pub fn is_subchart(dir: &Path) -> bool {
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    dir.parent().is_some_and(|charts| {
        charts.file_name().is_some_and(|n| n == "charts")
            && charts
                .parent()
                .is_some_and(|p| p.join("Chart.yaml").is_file())
    })
}

/// Renders the chart at `path` (a folder or a `.tgz`) as `helm template` does.
pub fn render_chart(path: &Path, options: &HelmOptions) -> Result<RenderedChart, RenderError> {
    let chart = load::load_chart(path).map_err(located)?;
    chart::check_installable(&chart).map_err(located)?;
    // Values: the -f files merged in order, then the --set flags.
    let mut sources = Vec::new();
    let mut files = Vec::new();
    for name in &options.values {
        let text = std::fs::read_to_string(name)
            .map_err(|e| plain(format!("open {name}: {}", io_words(&e))))?;
        let real = RealPath {
            path: Path::new(name).to_path_buf(),
            member: None,
        };
        let (map, source) = values::read_values_file(name, &text, real).map_err(located)?;
        files.push(map);
        sources.push(source);
    }
    let user = values::merge_user_values(&files, &[]);
    let flags = SetFlags {
        json: options.set_json.clone(),
        set: options.set.clone(),
        set_string: options.set_string.clone(),
        set_file: options.set_file.clone(),
        set_literal: options.set_literal.clone(),
    };
    strvals::apply_set_flags(&user, &flags, &mut |p| {
        std::fs::read_to_string(p).map_err(|e| e.to_string())
    })
    .map_err(plain)?;
    let kube = match &options.kube_version {
        Some(text) => Some(KubeVersionInfo::parse(text).map_err(plain)?),
        None => None,
    };
    let capabilities = if options.helm_test_capabilities {
        Capabilities::helm_test(kube, &options.api_versions)
    } else {
        let info = kube.unwrap_or_else(|| {
            KubeVersionInfo::of(options.target.unwrap_or_else(crate::schema::newest_version))
        });
        Capabilities::for_run(info, &options.api_versions)
    };
    let kube_text = capabilities.kube_version.0.version.clone();
    chart::check_kube_version(&chart, &kube_text).map_err(located)?;
    let release_name = match &options.name_template {
        Some(t) => render_name(t)?,
        None => options
            .release_name
            .clone()
            .unwrap_or_else(|| "release-name".to_owned()),
    };
    let namespace = options
        .namespace
        .clone()
        .unwrap_or_else(|| "default".to_owned());
    let prepared = chart::prepare(chart, &user, &sources).map_err(located)?;
    let mut notes: Vec<String> = prepared.warnings.clone();
    let missing_dependencies: Vec<String> = prepared
        .missing
        .iter()
        .filter(|m| m.blocks_render())
        .map(|m| m.name.clone())
        .collect();
    if !missing_dependencies.is_empty() {
        return Err(plain(format!(
            "An error occurred while checking for chart dependencies. You may need to run `helm dependency build` to fetch missing dependencies: found in Chart.yaml, but missing in charts/ directory: {}",
            missing_dependencies.join(", ")
        )));
    }
    let schema_violations: Vec<(String, Option<(std::path::PathBuf, usize)>)> = prepared
        .schema
        .violations
        .iter()
        .map(|v| {
            let at = v.origin.as_ref().and_then(|o| {
                prepared
                    .chart
                    .values_sources()
                    .into_iter()
                    .chain(sources.iter())
                    .find(|s| s.name == o.file)
                    .and_then(|s| s.real.clone())
                    .map(|r| (r.path, o.offset))
            });
            (format!("{}: {}", v.pointer, v.message), at)
        })
        .collect();
    let capabilities = capabilities.into_value();
    let plan = data::render_plan(
        &prepared.chart,
        &prepared.values,
        &data::ReleaseOptions::template(&release_name, &namespace),
        &capabilities,
        &files_value,
    );
    let mut templates = Templates::new();
    let mut real: HashMap<Arc<str>, RealPath> = HashMap::new();
    let mut texts: HashMap<Arc<str>, Rc<str>> = HashMap::new();
    for t in &plan.templates {
        templates
            .parse(&t.name, &t.text)
            .map_err(|e| template_error(e, &plan))?;
        real.insert(Arc::from(t.name.as_str()), t.real.clone());
        texts.insert(Arc::from(t.name.as_str()), Rc::clone(&t.text));
    }
    for source in prepared.chart.values_sources().into_iter().chain(&sources) {
        if let Some(r) = &source.real {
            real.insert(Arc::clone(&source.name), r.clone());
        }
        texts.insert(Arc::clone(&source.name), Rc::from(source.text.as_ref()));
    }
    let exec = ExecOptions::default();
    let mut rendered: Vec<(String, String)> = Vec::new();
    let mut provenance = HashMap::new();
    for t in plan.templates.iter().filter(|t| t.execute) {
        let Some(scope) = plan.charts.get(t.chart) else {
            continue;
        };
        let data = with_template(&scope.data, &t.name, &t.base_path);
        let out = templates.execute(&t.name, &data, &exec).map_err(|e| {
            // cmd/helm/template.go: a failed install's error gets the `--debug` hint.
            let mut error = template_error(e, &plan);
            if !options.debug {
                error.message.push_str(manifests::DEBUG_HINT);
            }
            error
        })?;
        if t.manifest {
            provenance.insert(t.name.clone(), out.provenance);
            rendered.push((t.name.clone(), out.text));
        }
    }
    let crds: Vec<(String, String)> = if options.include_crds {
        prepared
            .chart
            .all_crds()
            .into_iter()
            .map(|(name, f)| (name, f.text()))
            .collect()
    } else {
        Vec::new()
    };
    let stream = manifests::write_stream(
        &rendered
            .iter()
            .map(|(name, text)| Rendered { name, text })
            .collect::<Vec<_>>(),
        &crds
            .iter()
            .map(|(name, text)| Rendered { name, text })
            .collect::<Vec<_>>(),
        &StreamOptions {
            include_crds: options.include_crds,
            skip_tests: options.skip_tests,
            no_hooks: options.no_hooks,
            show_only: options.show_only.clone(),
        },
    )
    .map_err(|e| {
        let mut error = plain(e.helm_message(options.debug));
        if let (true, manifests::StreamError::Yaml { debug, .. }) = (options.debug, &e) {
            error.stdout = debug.text.clone();
        }
        error
    })?;
    notes.extend(used_stand_ins(&plan.templates).into_iter().map(|f| {
        format!("`{f}` depends on time or randomness: kubeward renders a fixed stand-in")
    }));
    Ok(RenderedChart {
        stream_text: stream.text.clone(),
        stream,
        provenance,
        real,
        texts,
        notes,
        schema_violations,
        missing_dependencies,
    })
}

/// Functions whose output Helm would draw from the clock or randomness, named in `templates`.
fn used_stand_ins(templates: &[data::TemplateEntry]) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for t in templates {
        // Words inside actions only (`{{ now }}`), not in text or comments (`{{/* now */}}`).
        let actions = t.text.split("{{").skip(1).filter_map(|rest| {
            let action = rest.split("}}").next()?;
            let trimmed = action.trim_start_matches('-').trim_start();
            (!trimmed.starts_with("/*")).then_some(action)
        });
        for word in actions
            .flat_map(|a| a.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')))
            .filter(|w| super::funcs::is_nonhermetic(w))
        {
            if !found.iter().any(|f| f == word) {
                found.push(word.to_owned());
            }
        }
    }
    found.sort();
    found
}

fn io_words(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_owned(),
        _ => e.to_string(),
    }
}

/// `--name-template`: executed with no data (Helm: `template.New("name-template")` with
/// Sprig's functions).
fn render_name(text: &str) -> Result<String, RenderError> {
    let mut t = Templates::new();
    t.parse("name-template", text)
        .map_err(|e| plain(e.message))?;
    let out = t
        .execute("name-template", &Value::Nil, &ExecOptions::default())
        .map_err(|e| plain(e.message))?;
    Ok(out.text)
}

/// The chart's data with `.Template` set for one template. Helm sets it on the chart's one
/// values map before executing each template (engine.go `render`), so a template that
/// replaces `$.Values` (`set $ "Values" ...`, as istio's charts do) changes it for the
/// templates executed after it: the map is shared, not copied.
fn with_template(data: &Value, name: &str, base_path: &str) -> Value {
    if let Value::Map(map) = data {
        let mut template = BTreeMap::new();
        template.insert("Name".to_owned(), Value::str(name));
        template.insert("BasePath".to_owned(), Value::str(base_path));
        map.borrow_mut()
            .insert("Template".to_owned(), Value::map(template));
    }
    data.clone()
}

fn template_error(e: TemplateError, plan: &data::RenderPlan) -> RenderError {
    let location = e.origin.as_ref().and_then(|o| {
        plan.templates.iter().find(|t| *t.name == *o.file).map(|t| {
            (
                t.real.path.clone(),
                if t.real.member.is_some() { 0 } else { o.offset },
            )
        })
    });
    RenderError {
        message: e.message,
        location,
        stdout: String::new(),
    }
}

impl RenderedChart {
    /// Where each part of the stream came from: for every provenance chunk a document holds,
    /// the stream offset it starts at and the template text or action that wrote it (and the
    /// values scalar an action printed). Text no template wrote (the `# Source:` lines,
    /// `--include-crds` files) and files inside archives have none. One pass over the documents
    /// and their chunks, in stream order.
    pub fn origins(&self) -> Vec<(usize, SourcePoint)> {
        let mut out = Vec::new();
        for doc in &self.stream.docs {
            let Some(provenance) = self.provenance.get(&doc.source) else {
                continue;
            };
            let chunks = &provenance.chunks;
            // The chunk the document starts in, then every chunk until its end.
            let first = chunks
                .partition_point(|(start, _)| *start <= doc.origin.start)
                .saturating_sub(1);
            for (i, (start, origin)) in chunks.iter().enumerate().skip(first) {
                if *start >= doc.origin.end {
                    break;
                }
                let end = chunks.get(i + 1).map_or(usize::MAX, |(next, _)| *next);
                let s = (*start).max(doc.origin.start);
                let e = end.min(doc.origin.end);
                if s >= e {
                    continue;
                }
                let Some(path) = self.on_disk(&origin.file) else {
                    continue;
                };
                let (offset, len) = if origin.literal {
                    (origin.offset + (s - start), e - s)
                } else {
                    (origin.offset, self.action_len(origin))
                };
                out.push((
                    doc.stream.start + (s - doc.origin.start),
                    SourcePoint {
                        path,
                        offset,
                        len,
                        literal: origin.literal,
                        value: origin
                            .value
                            .as_deref()
                            .and_then(|v| Some((self.on_disk(&v.file)?, v.offset))),
                    },
                ));
            }
        }
        out
    }

    fn on_disk(&self, name: &str) -> Option<std::path::PathBuf> {
        let real = self.real.get(name)?;
        real.member.is_none().then(|| real.path.clone())
    }

    /// The length of the action `{{ ... }}` starting at the origin's offset.
    fn action_len(&self, origin: &Origin) -> usize {
        let Some(text) = self.texts.get(&origin.file) else {
            return 1;
        };
        text.get(origin.offset..)
            .and_then(|rest| {
                let line = rest.split('\n').next().unwrap_or(rest);
                line.find("}}").map(|n| n + 2).or(Some(line.len()))
            })
            .unwrap_or(1)
            .max(1)
    }

    /// The template names and their files on disk, for the files the render read.
    pub fn template_files(&self) -> Vec<std::path::PathBuf> {
        let mut files: Vec<std::path::PathBuf> = self
            .real
            .values()
            .filter(|r| r.member.is_none())
            .map(|r| r.path.clone())
            .collect();
        files.sort();
        files.dedup();
        files
    }
}
