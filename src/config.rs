//! The config file, `.kubeward.yaml`: found upward from the current directory, or given with
//! `--config FILE`. Read with the manifest loader, so YAML is typed as Kubernetes types it: an
//! unquoted `off` is the boolean false (accepted as "off"), and an unquoted `kube-version: 1.30`
//! is the number 1.3 (rejected: quote it). Relative paths resolve against the file's folder.
//! Every key is checked, with a "did you mean" for unknown ones.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde_json::json;

use crate::discover::repository_root;
use crate::error::Error;
use crate::finding::Severity;
use crate::kube_version::KubeVersion;
use crate::load::json::to_json;
use crate::load::scalar::ScalarValue;
use crate::load::{Document, NodeId, parse_yaml};
use crate::source::{SourceFile, Span, absolute_normalized};
use crate::suggest::hint;

pub(crate) const CONFIG_FILE_NAME: &str = ".kubeward.yaml";

const TOP_LEVEL_KEYS: &[&str] = &[
    "kube-version",
    "fail-on",
    "exclude",
    "rules",
    "policies",
    "helm",
];

/// The keys of a chart's settings under `helm.charts`, and of one of its `renders`.
const CHART_KEYS: &[&str] = &[
    "release-name",
    "namespace",
    "values",
    "set",
    "set-string",
    "renders",
];
const RENDER_KEYS: &[&str] = &["release-name", "namespace", "values", "set", "set-string"];

/// A chart's renders are each a whole `helm template`: a config asks for at most this many.
const MAX_RENDERS: usize = 64;

/// A rule's parameters, from the config file's long form (`rules: {qos-class: {minimum:
/// Guaranteed}}`), without `severity`.
pub(crate) type RuleParams = serde_json::Map<String, serde_json::Value>;

/// `--fail-on` and the config's `fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

impl FailOn {
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
}

/// A rule's level in the config: off, on at its default severity, or a severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleLevel {
    Off,
    Default,
    Severity(Severity),
}

#[derive(Debug, Clone)]
pub struct RuleSetting {
    pub level: RuleLevel,
    pub params: RuleParams,
    /// Span of the rule's key in the config, for errors about it.
    pub key_span: Span,
    /// Span of the value, for errors about its parameters.
    pub value_span: Span,
}

/// Paths excluded by the config's `exclude` globs, matched relative to the config's folder.
#[derive(Debug, Clone)]
pub struct Exclude {
    pub base: PathBuf,
    pub globs: GlobSet,
}

impl Exclude {
    pub fn is_excluded(&self, path: &Path) -> bool {
        let absolute = absolute_normalized(path);
        let relative = absolute.strip_prefix(&self.base).unwrap_or(&absolute);
        self.globs.is_match(relative)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file read, when there was one.
    pub source: Option<Arc<SourceFile>>,
    /// Folder relative paths resolve against: the config file's, else the current directory.
    pub dir: PathBuf,
    pub kube_version: Option<KubeVersion>,
    pub fail_on: Option<FailOn>,
    pub exclude: Option<Exclude>,
    pub rules: BTreeMap<String, RuleSetting>,
    pub policies: Vec<PathBuf>,
    /// `helm:`: how the run renders Helm charts.
    pub helm: HelmConfig,
}

/// The config's `helm` key: per-chart render settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HelmConfig {
    /// `helm.charts`: each configured chart's folder (absolute, symlinks resolved) and its
    /// renders, in order: the chart's own settings, then one per `renders` entry. A chart
    /// listed here renders only these ways, never with its defaults or `ci/*-values.yaml`.
    pub charts: BTreeMap<PathBuf, Vec<ChartRender>>,
}

/// One configured render of a chart: `helm template`'s flags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChartRender {
    /// `--release-name` (unset: Helm's `release-name`).
    pub release_name: Option<String>,
    /// `--namespace` (unset: the run's `--namespace`).
    pub namespace: Option<String>,
    /// `-f` files, absolute (given relative to the chart's folder).
    pub values: Vec<PathBuf>,
    pub set: Vec<String>,
    pub set_string: Vec<String>,
}

impl Config {
    /// The config for a run: `--config FILE`, else `.kubeward.yaml` found upward from `cwd` up
    /// to the repository root (the nearest folder holding `.git`, a folder or a file), never
    /// above it; outside any repository, in `cwd` and then in the linted paths' own folders
    /// (a folder named, or a named file's folder) only. Else the defaults.
    pub fn discover(
        explicit: Option<&Path>,
        cwd: &Path,
        linted: &[String],
    ) -> Result<Config, Error> {
        if let Some(path) = explicit {
            return Config::load(path);
        }
        for dir in config_folders(cwd, linted) {
            let candidate = dir.join(CONFIG_FILE_NAME);
            if candidate.is_file() {
                let scope = repository_root(&dir).unwrap_or_else(|| dir.clone());
                let real = std::fs::canonicalize(&candidate).unwrap_or_else(|_| candidate.clone());
                if !real.starts_with(&scope) {
                    return Err(Error::Config(format!(
                        "{}: a symbolic link to a file outside {}; kubeward reads a config \
                         found there only when named with --config",
                        candidate.display(),
                        scope.display()
                    )));
                }
                return Config::load(&candidate);
            }
        }
        Ok(Config {
            dir: cwd.to_path_buf(),
            ..Config::default()
        })
    }

    pub fn load(path: &Path) -> Result<Config, Error> {
        // A regular file within the files' size cap: `--config /dev/zero` or a FIFO would
        // never end.
        let text = crate::load::input::read_regular_file(path).map_err(|message| {
            Error::Config(format!("cannot read {}: {message}", path.display()))
        })?;
        let absolute = absolute_normalized(path);
        let dir = absolute.parent().map(Path::to_path_buf).unwrap_or_default();
        Config::parse(SourceFile::new(path.display().to_string(), text), dir)
    }

    /// Parses config text; `dir` is where relative paths resolve.
    pub fn parse(source: SourceFile, dir: PathBuf) -> Result<Config, Error> {
        let source = Arc::new(source);
        let mut config = Config {
            source: Some(Arc::clone(&source)),
            dir,
            ..Config::default()
        };
        let loaded = parse_yaml(&source.text);
        if let Some(problem) = loaded.problems.first() {
            return Err(config.error(problem.span, &problem.message));
        }
        let Some(doc) = loaded.documents.first() else {
            return Ok(config);
        };
        if matches!(
            doc.scalar(doc.root).map(|s| s.value()),
            Some(ScalarValue::Null)
        ) {
            return Ok(config);
        }
        if !doc.is_mapping(doc.root) {
            return Err(config.error(doc.span(doc.root), "the config must be a mapping"));
        }
        for entry in doc.entries(doc.root) {
            let key = doc.str(entry.key).unwrap_or_default();
            let value = entry.value;
            match key {
                "kube-version" => config.kube_version = Some(config.kube_version(doc, value)?),
                "fail-on" => config.fail_on = Some(config.fail_on(doc, value)?),
                "exclude" => config.exclude = Some(config.exclude(doc, value)?),
                "rules" => config.rules = config.rules(doc, value)?,
                "helm" => config.helm = config.helm(doc, value)?,
                "policies" => {
                    let mut policies = Vec::new();
                    for (path, span) in config.strings(doc, value, "policies")? {
                        let joined = config.dir.join(&path);
                        config.check_inside_repository(&joined, span, "policy")?;
                        policies.push(joined);
                    }
                    config.policies = policies;
                }
                other => {
                    return Err(config.error(
                        doc.span(entry.key),
                        &format!(
                            "unknown key `{other}`{}",
                            hint(other, TOP_LEVEL_KEYS.iter().copied())
                        ),
                    ));
                }
            }
        }
        Ok(config)
    }

    /// A policy file must be inside the config's repository (the nearest folder holding `.git`
    /// from the config's folder up, else the config's folder), symlinks resolved: a config
    /// committed to a repository must not make kubeward read `~/.git-credentials`. A path that
    /// does not exist is left to the read, which reports it.
    /// `what` names the file in the error (a policy, a chart, a values file).
    fn check_inside_repository(&self, path: &Path, span: Span, what: &str) -> Result<(), Error> {
        let Ok(real) = std::fs::canonicalize(path) else {
            return Ok(());
        };
        let dir = std::fs::canonicalize(&self.dir).unwrap_or_else(|_| self.dir.clone());
        let scope = repository_root(&dir).unwrap_or(dir);
        if real.starts_with(&scope) {
            return Ok(());
        }
        Err(self.error(
            span,
            &format!(
                "{what} `{}` resolves outside the config's repository ({}); kubeward reads \
                 files only from inside it",
                path.display(),
                scope.display()
            ),
        ))
    }

    /// An error pointing into the config file.
    pub fn error(&self, span: Span, message: &str) -> Error {
        match &self.source {
            Some(source) => {
                let at = source.line_col(span.start);
                Error::Config(format!(
                    "{}:{}:{}: {message}",
                    source.path, at.line, at.column
                ))
            }
            None => Error::Config(message.to_string()),
        }
    }

    fn kube_version(&self, doc: &Document, node: NodeId) -> Result<KubeVersion, Error> {
        let scalar = doc.scalar(node);
        match scalar.map(|s| (s.value(), s.text)) {
            Some((ScalarValue::String, text)) => KubeVersion::parse(text).ok_or_else(|| {
                self.error(
                    doc.span(node),
                    &format!("`kube-version` must look like \"1.33\", not `{text}`"),
                )
            }),
            Some((ScalarValue::Float(_) | ScalarValue::Int(_), text)) => Err(self.error(
                doc.span(node),
                &format!(
                    "`kube-version: {text}` is a number to YAML ({text} reads as {}): quote it, \
                     `kube-version: \"{text}\"`",
                    text.parse::<f64>()
                        .map(|f| f.to_string())
                        .unwrap_or_default()
                ),
            )),
            _ => Err(self.error(
                doc.span(node),
                "`kube-version` must be a quoted version, e.g. \"1.33\"",
            )),
        }
    }

    fn fail_on(&self, doc: &Document, node: NodeId) -> Result<FailOn, Error> {
        let text = doc.str(node).unwrap_or_default();
        let choices = ["error", "warning", "info", "never"];
        match text {
            "error" => Ok(FailOn::Error),
            "warning" => Ok(FailOn::Warning),
            "info" => Ok(FailOn::Info),
            "never" => Ok(FailOn::Never),
            _ => Err(self.error(
                doc.span(node),
                &format!(
                    "`fail-on` must be one of error, warning, info, never, not `{text}`{}",
                    hint(text, choices)
                ),
            )),
        }
    }

    /// A list of strings with their spans.
    fn strings(
        &self,
        doc: &Document,
        node: NodeId,
        key: &str,
    ) -> Result<Vec<(String, Span)>, Error> {
        if !doc.is_sequence(node) {
            return Err(self.error(
                doc.span(node),
                &format!("`{key}` must be a list of strings"),
            ));
        }
        doc.items(node)
            .iter()
            .map(
                |item| match doc.scalar(*item).map(|s| (s.value(), s.text)) {
                    Some((ScalarValue::String, text)) => Ok((text.to_string(), doc.span(*item))),
                    _ => {
                        Err(self.error(doc.span(*item), &format!("`{key}` items must be strings")))
                    }
                },
            )
            .collect()
    }

    fn exclude(&self, doc: &Document, node: NodeId) -> Result<Exclude, Error> {
        let mut builder = GlobSetBuilder::new();
        for (pattern, span) in self.strings(doc, node, "exclude")? {
            let glob = Glob::new(&pattern).map_err(|e| {
                self.error(span, &format!("invalid glob `{pattern}`: {}", e.kind()))
            })?;
            builder.add(glob);
            // `charts/**` should also exclude `charts` itself and `dir` everything below it.
            if !pattern.ends_with("/**")
                && let Ok(below) = Glob::new(&format!("{}/**", pattern.trim_end_matches('/')))
            {
                builder.add(below);
            }
        }
        let globs = builder
            .build()
            .map_err(|e| self.error(doc.span(node), &format!("invalid `exclude`: {e}")))?;
        Ok(Exclude {
            base: self.dir.clone(),
            globs,
        })
    }

    fn rules(&self, doc: &Document, node: NodeId) -> Result<BTreeMap<String, RuleSetting>, Error> {
        if !doc.is_mapping(node) {
            return Err(self.error(doc.span(node), "`rules` must map rule ids to settings"));
        }
        let mut rules = BTreeMap::new();
        for entry in doc.entries(node) {
            let id = doc.str(entry.key).unwrap_or_default().to_string();
            let (level, params) = self.rule_setting(doc, &id, entry.value)?;
            rules.insert(
                id,
                RuleSetting {
                    level,
                    params,
                    key_span: doc.span(entry.key),
                    value_span: doc.span(entry.value),
                },
            );
        }
        Ok(rules)
    }

    fn rule_setting(
        &self,
        doc: &Document,
        id: &str,
        node: NodeId,
    ) -> Result<(RuleLevel, RuleParams), Error> {
        if doc.is_mapping(node) {
            let mut level = RuleLevel::Default;
            let mut params = RuleParams::new();
            for entry in doc.entries(node) {
                let key = doc.str(entry.key).unwrap_or_default();
                if key == "severity" {
                    level = self.level(doc, id, entry.value)?;
                } else {
                    params.insert(key.to_string(), to_json(doc, entry.value));
                }
            }
            return Ok((level, params));
        }
        Ok((self.level(doc, id, node)?, RuleParams::new()))
    }

    fn level(&self, doc: &Document, id: &str, node: NodeId) -> Result<RuleLevel, Error> {
        let scalar = doc.scalar(node);
        match scalar.map(|s| (s.value(), s.text)) {
            Some((ScalarValue::Bool(false), _)) => Ok(RuleLevel::Off),
            Some((ScalarValue::Bool(true), _)) => Ok(RuleLevel::Default),
            Some((_, "off")) => Ok(RuleLevel::Off),
            Some((_, text)) if Severity::parse(text).is_some() => {
                Ok(RuleLevel::Severity(Severity::parse(text).unwrap_or(Severity::Error)))
            }
            Some((_, text)) => Err(self.error(
                doc.span(node),
                &format!(
                    "rule `{id}`: `{text}` is not a level; use off, info, warning or error{}",
                    hint(text, ["off", "info", "warning", "error"])
                ),
            )),
            None => Err(self.error(
                doc.span(node),
                &format!("rule `{id}`: expected off, info, warning, error, or a mapping with `severity` and parameters"),
            )),
        }
    }

    /// `helm: {charts: {FOLDER: SETTINGS}}` (see [`HelmConfig`]).
    fn helm(&self, doc: &Document, node: NodeId) -> Result<HelmConfig, Error> {
        let mut helm = HelmConfig::default();
        if is_null(doc, node) {
            return Ok(helm);
        }
        if !doc.is_mapping(node) {
            return Err(self.error(
                doc.span(node),
                "`helm` must be a mapping, e.g. `helm: {charts: {charts/web: {values: [values-prod.yaml]}}}`",
            ));
        }
        for entry in doc.entries(node) {
            match doc.str(entry.key).unwrap_or_default() {
                "charts" => helm.charts = self.helm_charts(doc, entry.value)?,
                _ => return Err(self.unknown_key(doc, entry.key, &["charts"])),
            }
        }
        Ok(helm)
    }

    /// `helm.charts`: chart folders, relative to the config's folder, to their settings.
    fn helm_charts(
        &self,
        doc: &Document,
        node: NodeId,
    ) -> Result<BTreeMap<PathBuf, Vec<ChartRender>>, Error> {
        let mut charts = BTreeMap::new();
        if is_null(doc, node) {
            return Ok(charts);
        }
        if !doc.is_mapping(node) {
            return Err(self.error(
                doc.span(node),
                "`helm.charts` must map chart folders (relative to this file's folder) to their settings",
            ));
        }
        let mut spelled: BTreeMap<PathBuf, &str> = BTreeMap::new();
        for entry in doc.entries(node) {
            let span = doc.span(entry.key);
            let folder = match doc.scalar(entry.key).map(|s| (s.value(), s.text)) {
                Some((ScalarValue::String, text)) => text,
                _ => {
                    return Err(
                        self.error(span, "a chart under `helm.charts` is named by its folder")
                    );
                }
            };
            let joined = self.dir.join(folder);
            self.check_inside_repository(&joined, span, "chart")?;
            if !joined.join("Chart.yaml").is_file() {
                return Err(self.error(
                    span,
                    &format!(
                        "no chart at `{folder}`: {} is not a file (chart folders are relative \
                         to this file's folder)",
                        joined.join("Chart.yaml").display()
                    ),
                ));
            }
            let dir = std::fs::canonicalize(&joined).unwrap_or(joined);
            // As the lint run decides: a subchart renders only with its parent.
            if crate::helm::render::is_subchart(&dir) {
                return Err(self.error(
                    span,
                    &format!(
                        "`{folder}` is a subchart: it renders only with its parent chart; set \
                         its values in the parent's settings (under the subchart's name)"
                    ),
                ));
            }
            if let Some(other) = spelled.insert(dir.clone(), folder) {
                return Err(self.error(
                    span,
                    &format!("chart `{folder}` is configured twice (also as `{other}`)"),
                ));
            }
            let renders = self.chart_renders(doc, &dir, entry.value)?;
            charts.insert(dir, renders);
        }
        Ok(charts)
    }

    /// A chart's settings: its first render, then one per `renders` entry (each inheriting
    /// the chart's `release-name` and `namespace`, with its own values and `set`s).
    fn chart_renders(
        &self,
        doc: &Document,
        dir: &Path,
        node: NodeId,
    ) -> Result<Vec<ChartRender>, Error> {
        let mut first = ChartRender::default();
        if is_null(doc, node) {
            return Ok(vec![first]);
        }
        if !doc.is_mapping(node) {
            return Err(self.error(
                doc.span(node),
                "a chart's settings must be a mapping of release-name, namespace, values, set, \
                 set-string and renders",
            ));
        }
        let mut more = None;
        for entry in doc.entries(node) {
            match doc.str(entry.key).unwrap_or_default() {
                "renders" => more = Some(entry.value),
                key if RENDER_KEYS.contains(&key) => {
                    self.render_setting(doc, dir, &mut first, key, entry.value)?;
                }
                _ => return Err(self.unknown_key(doc, entry.key, CHART_KEYS)),
            }
        }
        let mut renders = vec![first];
        let Some(list) = more else {
            return Ok(renders);
        };
        if !doc.is_sequence(list) {
            return Err(self.error(
                doc.span(list),
                "`renders` must be a list of renders, each a mapping with its own values and set",
            ));
        }
        if doc.items(list).len() >= MAX_RENDERS {
            return Err(self.error(
                doc.span(list),
                &format!("a chart renders at most {MAX_RENDERS} ways"),
            ));
        }
        for item in doc.items(list) {
            if !doc.is_mapping(*item) {
                return Err(self.error(
                    doc.span(*item),
                    "a render must be a mapping of release-name, namespace, values, set and \
                     set-string",
                ));
            }
            let mut render = ChartRender {
                release_name: renders.first().and_then(|r| r.release_name.clone()),
                namespace: renders.first().and_then(|r| r.namespace.clone()),
                ..ChartRender::default()
            };
            for entry in doc.entries(*item) {
                match doc.str(entry.key).unwrap_or_default() {
                    key if RENDER_KEYS.contains(&key) => {
                        self.render_setting(doc, dir, &mut render, key, entry.value)?;
                    }
                    _ => return Err(self.unknown_key(doc, entry.key, RENDER_KEYS)),
                }
            }
            renders.push(render);
        }
        Ok(renders)
    }

    /// One of [`RENDER_KEYS`] into `render`; values files resolve against the chart's folder
    /// and must be inside the config's repository.
    fn render_setting(
        &self,
        doc: &Document,
        dir: &Path,
        render: &mut ChartRender,
        key: &str,
        node: NodeId,
    ) -> Result<(), Error> {
        let text = || match doc.scalar(node).map(|s| (s.value(), s.text)) {
            Some((ScalarValue::String, text)) => Ok(text.to_string()),
            _ => Err(self.error(doc.span(node), &format!("`{key}` must be a string"))),
        };
        let texts = || -> Result<Vec<String>, Error> {
            Ok(self
                .strings(doc, node, key)?
                .into_iter()
                .map(|(text, _)| text)
                .collect())
        };
        match key {
            "release-name" => render.release_name = Some(text()?),
            "namespace" => render.namespace = Some(text()?),
            "set" => render.set = texts()?,
            "set-string" => render.set_string = texts()?,
            "values" => {
                render.values.clear();
                for (path, span) in self.strings(doc, node, key)? {
                    let joined = dir.join(&path);
                    self.check_inside_repository(&joined, span, "values file")?;
                    render.values.push(joined);
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// "unknown key" at `key`, with the nearest of `keys`.
    fn unknown_key(&self, doc: &Document, key: NodeId, keys: &[&str]) -> Error {
        let text = doc.str(key).unwrap_or_default();
        self.error(
            doc.span(key),
            &format!("unknown key `{text}`{}", hint(text, keys.iter().copied())),
        )
    }
}

/// The JSON Schema of the config file (`kubeward config-schema`), for editors.
pub(crate) fn config_schema() -> serde_json::Value {
    let level = json!({
        "description": "off (or false) | info | warning | error",
        "oneOf": [
            {"type": "boolean"},
            {"enum": ["off", "info", "warning", "error"]}
        ]
    });
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/kubeward/kubeward/config-schema.json",
        "title": "kubeward configuration (.kubeward.yaml)",
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "kube-version": {
                "description": "Target Kubernetes version for schema and API-version rules; quote it (\"1.33\").",
                "type": "string",
                "pattern": "^v?[0-9]+\\.[0-9]+(\\.[0-9]+)?$"
            },
            "fail-on": {
                "description": "Exit with 1 when a finding is at or above this severity; --fail-on wins.",
                "enum": ["error", "warning", "info", "never"]
            },
            "exclude": {
                "description": "Globs of paths to skip, relative to this file's folder.",
                "type": "array",
                "items": {"type": "string"}
            },
            "rules": crate::catalogue::rules_schema(&level),
            "policies": {
                "description": "Custom policy files (catalogue entries with `match` and `schema`), relative to this file's folder.",
                "type": "array",
                "items": {"type": "string"}
            },
            "helm": helm_schema()
        }
    })
}

/// The `helm` key's schema.
fn helm_schema() -> serde_json::Value {
    let strings = |description: &str| json!({"description": description, "type": "array", "items": {"type": "string"}});
    let mut render = serde_json::Map::new();
    render.insert(
        "release-name".into(),
        json!({"description": "The release name (`helm template NAME`); default `release-name`.", "type": "string"}),
    );
    render.insert(
        "namespace".into(),
        json!({"description": "The release namespace (`--namespace`, `.Release.Namespace`), also the namespace of rendered objects that set none; default the run's --namespace.", "type": "string"}),
    );
    render.insert(
        "values".into(),
        strings("Values files (`-f`), relative to the chart's folder, merged in order over the chart's values.yaml."),
    );
    render.insert(
        "set".into(),
        strings("`--set` assignments (`image.tag=1.4.2`), applied after the values files."),
    );
    render.insert(
        "set-string".into(),
        strings("`--set-string` assignments: the value is always a string."),
    );
    let mut chart = render.clone();
    chart.insert(
        "renders".into(),
        json!({
            "description": "More renders of the chart, each with its own values, set and set-string (release-name and namespace default to the chart's).",
            "type": "array",
            "maxItems": MAX_RENDERS - 1,
            "items": {"type": "object", "additionalProperties": false, "properties": render}
        }),
    );
    json!({
        "description": "How Helm charts in the run are rendered.",
        "type": ["object", "null"],
        "additionalProperties": false,
        "properties": {
            "charts": {
                "description": "Chart folders, relative to this file's folder, to how each renders: with these settings (and once more per `renders` entry) instead of its defaults or its ci/*-values.yaml files.",
                "type": ["object", "null"],
                "additionalProperties": {
                    "type": ["object", "null"],
                    "additionalProperties": false,
                    "properties": chart
                }
            }
        }
    })
}

/// An empty value (`key:` with nothing after it).
fn is_null(doc: &Document, node: NodeId) -> bool {
    matches!(doc.scalar(node).map(|s| s.value()), Some(ScalarValue::Null))
}

/// The folders searched for `.kubeward.yaml`, in order (see [`Config::discover`]).
fn config_folders(cwd: &Path, linted: &[String]) -> Vec<PathBuf> {
    let cwd = absolute_normalized(cwd);
    if let Some(root) = repository_root(&cwd) {
        return cwd
            .ancestors()
            .take_while(|d| d.starts_with(&root))
            .map(Path::to_path_buf)
            .collect();
    }
    let mut folders = vec![cwd.clone()];
    for path in linted.iter().filter(|p| p.as_str() != "-") {
        let path = absolute_normalized(&cwd.join(path));
        let folder = if path.is_dir() {
            Some(path)
        } else {
            path.parent().map(Path::to_path_buf)
        };
        if let Some(folder) = folder
            && !folders.contains(&folder)
        {
            folders.push(folder);
        }
    }
    folders
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, String> {
        Config::parse(
            SourceFile::new(".kubeward.yaml", text),
            PathBuf::from("/repo"),
        )
        .map_err(|e| e.to_string())
    }

    #[test]
    fn full_config() {
        let config = parse(
            "kube-version: \"1.33\"\nfail-on: warning\nexclude: [\"charts/**\"]\nrules:\n  missing-liveness-probe: off\n  a: false\n  b: info\n  qos-class: {severity: error, minimum: Guaranteed}\npolicies:\n  - policies/team.yaml\n",
        )
        .unwrap();
        assert_eq!(
            config.kube_version,
            Some(KubeVersion {
                major: 1,
                minor: 33
            })
        );
        assert_eq!(config.fail_on, Some(FailOn::Warning));
        assert_eq!(config.rules["missing-liveness-probe"].level, RuleLevel::Off);
        assert_eq!(config.rules["a"].level, RuleLevel::Off);
        assert_eq!(config.rules["b"].level, RuleLevel::Severity(Severity::Info));
        let qos = &config.rules["qos-class"];
        assert_eq!(qos.level, RuleLevel::Severity(Severity::Error));
        assert_eq!(qos.params["minimum"], "Guaranteed");
        assert_eq!(config.policies, [PathBuf::from("/repo/policies/team.yaml")]);
        let exclude = config.exclude.unwrap();
        assert!(exclude.is_excluded(Path::new("/repo/charts/web/templates/a.yaml")));
        assert!(!exclude.is_excluded(Path::new("/repo/deploy/a.yaml")));
    }

    #[test]
    fn errors_point_into_the_file_and_suggest() {
        let err = parse("rulez: {}\n").unwrap_err();
        assert_eq!(
            err,
            "invalid config: .kubeward.yaml:1:1: unknown key `rulez` (did you mean `rules`?)"
        );
        let err = parse("kube-version: 1.30\n").unwrap_err();
        assert!(err.contains(":1:15:") && err.contains("quote it"), "{err}");
        let err = parse("rules:\n  x: warn\n").unwrap_err();
        assert!(
            err.contains(":2:6:") && err.contains("did you mean `warning`"),
            "{err}"
        );
        let err = parse("fail-on: errors\n").unwrap_err();
        assert!(err.contains("did you mean `error`"), "{err}");
        let err = parse("exclude: \"charts\"\n").unwrap_err();
        assert!(err.contains("list of strings"), "{err}");
        assert!(parse("").unwrap().rules.is_empty());
        assert!(parse("# only comments\n").unwrap().rules.is_empty());
    }

    #[test]
    fn versions() {
        assert_eq!(
            KubeVersion::parse("v1.30"),
            Some(KubeVersion {
                major: 1,
                minor: 30
            })
        );
        assert_eq!(
            KubeVersion::parse("1.30.2"),
            Some(KubeVersion {
                major: 1,
                minor: 30
            })
        );
        assert_eq!(KubeVersion::parse("1"), None);
        assert_eq!(KubeVersion::parse("1.x"), None);
    }

    /// A repository (`.git`) at `<tmp>/<name>/repo` with the chart `charts/web`, and a chart
    /// outside it at `<tmp>/<name>/outside`.
    fn helm_repo(name: &str) -> PathBuf {
        let top =
            std::env::temp_dir().join(format!("kubeward-config-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&top);
        let repo = top.join("repo");
        for dir in [
            repo.join(".git"),
            repo.join("charts/web"),
            top.join("outside"),
        ] {
            std::fs::create_dir_all(dir).unwrap();
        }
        for chart in [repo.join("charts/web"), top.join("outside")] {
            std::fs::write(
                chart.join("Chart.yaml"),
                "apiVersion: v2\nname: web\nversion: 1.0.0\n",
            )
            .unwrap();
        }
        std::fs::write(top.join("secret.yaml"), "token: x\n").unwrap();
        std::fs::canonicalize(repo).unwrap()
    }

    fn parse_in(repo: &Path, text: &str) -> Result<Config, String> {
        Config::parse(SourceFile::new(".kubeward.yaml", text), repo.to_path_buf())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn helm_charts() {
        let repo = helm_repo("good");
        let config = parse_in(
            &repo,
            "helm:\n  charts:\n    ./charts/web:\n      release-name: web\n      namespace: shop\n      values: [values-prod.yaml]\n      set: [\"image.tag=1.4.2\"]\n      set-string: [\"port=80\"]\n      renders:\n        - values: [values-staging.yaml]\n          namespace: staging\n        - {}\n",
        )
        .unwrap();
        let chart = repo.join("charts/web");
        assert_eq!(config.helm.charts.keys().collect::<Vec<_>>(), [&chart]);
        let renders = &config.helm.charts[&chart];
        assert_eq!(
            renders[0],
            ChartRender {
                release_name: Some("web".into()),
                namespace: Some("shop".into()),
                values: vec![chart.join("values-prod.yaml")],
                set: vec!["image.tag=1.4.2".into()],
                set_string: vec!["port=80".into()],
            }
        );
        // More renders keep the chart's release name and namespace, not its values or sets.
        assert_eq!(
            renders[1],
            ChartRender {
                release_name: Some("web".into()),
                namespace: Some("staging".into()),
                values: vec![chart.join("values-staging.yaml")],
                ..ChartRender::default()
            }
        );
        assert_eq!(
            renders[2],
            ChartRender {
                release_name: Some("web".into()),
                namespace: Some("shop".into()),
                ..ChartRender::default()
            }
        );
        assert_eq!(renders.len(), 3);
        // A chart with nothing set renders once with its defaults; an empty `helm` is no error.
        let config = parse_in(&repo, "helm:\n  charts:\n    charts/web:\n").unwrap();
        assert_eq!(config.helm.charts[&chart], [ChartRender::default()]);
        assert!(parse_in(&repo, "helm:\n").unwrap().helm.charts.is_empty());
        std::fs::remove_dir_all(repo.parent().unwrap()).unwrap();
    }

    #[test]
    fn helm_chart_errors() {
        let repo = helm_repo("bad");
        let err = |text: &str| parse_in(&repo, text).unwrap_err();
        // Bad types, at the value.
        let e = err("helm:\n  charts:\n    charts/web:\n      values: values-prod.yaml\n");
        assert!(
            e.contains(":4:15:") && e.contains("`values` must be a list of strings"),
            "{e}"
        );
        let e = err("helm:\n  charts:\n    charts/web:\n      namespace: [a]\n");
        assert!(
            e.contains(":4:18:") && e.contains("`namespace` must be a string"),
            "{e}"
        );
        let e = err("helm:\n  charts:\n    charts/web:\n      renders: {values: [a.yaml]}\n");
        assert!(
            e.contains(":4:16:") && e.contains("`renders` must be a list"),
            "{e}"
        );
        let e = err("helm:\n  charts:\n    charts/web:\n      renders: [a.yaml]\n");
        assert!(
            e.contains(":4:17:") && e.contains("a render must be a mapping"),
            "{e}"
        );
        let e = err("helm: [charts]\n");
        assert!(
            e.contains(":1:7:") && e.contains("`helm` must be a mapping"),
            "{e}"
        );
        let e = err("helm:\n  charts: [charts/web]\n");
        assert!(
            e.contains(":2:11:") && e.contains("must map chart folders"),
            "{e}"
        );
        // Unknown keys, at the key, with a suggestion.
        let e = err("helm:\n  chart: {}\n");
        assert!(
            e.contains(":2:3:") && e.contains("unknown key `chart` (did you mean `charts`?)"),
            "{e}"
        );
        let e = err("helm:\n  charts:\n    charts/web:\n      release: web\n");
        assert!(
            e.contains(":4:7:")
                && e.contains("unknown key `release` (did you mean `release-name`?)"),
            "{e}"
        );
        let e = err("helm:\n  charts:\n    charts/web:\n      renders:\n        - renders: []\n");
        assert!(
            e.contains(":5:11:") && e.contains("unknown key `renders`"),
            "{e}"
        );
        // A subchart renders only with its parent.
        std::fs::create_dir_all(repo.join("charts/web/charts/db")).unwrap();
        std::fs::write(
            repo.join("charts/web/charts/db/Chart.yaml"),
            "apiVersion: v2\nname: db\nversion: 1.0.0\n",
        )
        .unwrap();
        let e = err("helm:\n  charts:\n    charts/web/charts/db: {}\n");
        assert!(e.contains(":3:5:") && e.contains("is a subchart"), "{e}");
        // No chart there; the same chart twice.
        let e = err("helm:\n  charts:\n    charts/api: {}\n");
        assert!(
            e.contains(":3:5:") && e.contains("no chart at `charts/api`"),
            "{e}"
        );
        let e = err("helm:\n  charts:\n    charts/web: {}\n    ./charts/web/: {}\n");
        assert!(
            e.contains(":4:5:") && e.contains("configured twice (also as `charts/web`)"),
            "{e}"
        );
        // Outside the repository: a chart, a values file.
        let e = err("helm:\n  charts:\n    ../outside: {}\n");
        assert!(
            e.contains(":3:5:")
                && e.contains("chart `")
                && e.contains("resolves outside the config's repository"),
            "{e}"
        );
        let e = err("helm:\n  charts:\n    charts/web:\n      values: [../../../secret.yaml]\n");
        assert!(
            e.contains(":4:16:") && e.contains("values file `") && e.contains("resolves outside"),
            "{e}"
        );
        // A bounded number of renders.
        let many = "\n        - {}".repeat(MAX_RENDERS);
        let e = err(&format!(
            "helm:\n  charts:\n    charts/web:\n      renders:{many}\n"
        ));
        assert!(e.contains("at most 64 ways"), "{e}");
        let fewer = "\n        - {}".repeat(MAX_RENDERS - 1);
        let ok = parse_in(
            &repo,
            &format!("helm:\n  charts:\n    charts/web:\n      renders:{fewer}\n"),
        )
        .unwrap();
        assert_eq!(ok.helm.charts.values().next().unwrap().len(), MAX_RENDERS);
        std::fs::remove_dir_all(repo.parent().unwrap()).unwrap();
    }

    #[test]
    fn schema_accepts_good_and_rejects_bad_configs() {
        let validator = jsonschema::validator_for(&config_schema()).unwrap();
        let good = serde_json::json!({"kube-version": "1.33", "rules": {"a": "off", "b": false, "qos-class": {"severity": "error", "minimum": "Guaranteed"}}});
        assert!(validator.is_valid(&good));
        let helm = serde_json::json!({"helm": {"charts": {"charts/web": {"release-name": "web", "namespace": "shop", "values": ["values-prod.yaml"], "set": ["image.tag=1"], "set-string": ["a=1"], "renders": [{"values": ["values-staging.yaml"]}]}, "charts/api": null}}});
        assert!(validator.is_valid(&helm), "{helm}");
        for bad in [
            serde_json::json!({"kube-version": 1.3}),
            serde_json::json!({"rulez": {}}),
            serde_json::json!({"rules": {"a": "warn"}}),
            serde_json::json!({"fail-on": "sometimes"}),
            serde_json::json!({"helm": {"chart": {}}}),
            serde_json::json!({"helm": {"charts": {"web": {"values": "v.yaml"}}}}),
            serde_json::json!({"helm": {"charts": {"web": {"release": "web"}}}}),
            serde_json::json!({"helm": {"charts": {"web": {"renders": [{"renders": []}]}}}}),
        ] {
            assert!(!validator.is_valid(&bad), "{bad}");
        }
    }
}
