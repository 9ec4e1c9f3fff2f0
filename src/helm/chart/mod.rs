//! Helm's chart model (helm/helm v3.21.4): loading charts from folders and `.tgz` archives
//! (`load`, `archive`, `ignore`), `Chart.yaml` metadata, values files read with provenance
//! (`yaml`), dependencies (`deps`: conditions, tags, aliases, `import-values`), values
//! coalescing and `values.schema.json` (`values`), and the data each template sees with the
//! list of templates in Helm's parse order (`data`).
//!
//! How the glue uses it (what `helm template` does, `pkg/action/install.go`):
//! 1. [`load::load_chart`] the chart (folder or archive);
//! 2. [`values::merge_user_values`] the `-f` files (in order) and the `--set` map;
//! 3. [`deps::process_dependencies`] (drops disabled subcharts, imports values; reports
//!    dependencies that are not vendored under `charts/`);
//! 4. [`values::coalesce_values`] the user values over the chart's defaults, then
//!    [`values::validate_schemas`];
//! 5. [`data::render_plan`]: each chart's top-level data (`.Values`, `.Chart`, `.Release`,
//!    `.Capabilities`, `.Files`, `.Subcharts`) and every template in Helm's parse order.

pub(crate) mod archive;
pub(crate) mod data;
pub(crate) mod deps;
pub(crate) mod ignore;
pub(crate) mod load;
pub(crate) mod metadata;
pub(crate) mod semver;
pub(crate) mod values;
pub(crate) mod yaml;

#[cfg(test)]
mod tests;

use std::fmt;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;

pub(crate) use metadata::{Dependency, Metadata};

use crate::helm::value::Map;

pub(crate) use deps::MissingDependency;
pub(crate) use values::SchemaCheck;

/// Where a chart's file really is: a file on disk, or an entry of an archive on disk
/// (`member` is the entry's name as the archive writes it, `mychart/templates/x.yaml`; for a
/// chart inside an archive inside an archive, the members are joined with `!/`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct RealPath {
    pub(crate) path: PathBuf,
    pub(crate) member: Option<String>,
}

impl fmt::Display for RealPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.member {
            Some(m) => write!(f, "{}!/{m}", self.path.display()),
            None => write!(f, "{}", self.path.display()),
        }
    }
}

/// A file of a chart: its name inside the chart (`templates/deployment.yaml`, `files/a.txt`),
/// its bytes, and where it really is.
#[derive(Debug, Clone)]
pub(crate) struct ChartFile {
    pub(crate) name: String,
    pub(crate) data: Rc<[u8]>,
    pub(crate) real: RealPath,
}

impl ChartFile {
    /// The text as Go's `string(data)` reads it (invalid UTF-8 replaced).
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.data).into_owned()
    }
}

/// A values file as read: its text (for locating a value by its offset), the name provenance
/// uses (`mychart/values.yaml`, or a `-f` file's path as given), and the offset of every
/// value and key in it by JSON pointer (`/image/tag`: the scalar; for a map or a list, its
/// first key or item).
#[derive(Debug, Clone, Default)]
pub(crate) struct ValuesSource {
    pub(crate) name: Arc<str>,
    pub(crate) text: Arc<str>,
    pub(crate) real: Option<RealPath>,
    pub(crate) offsets: std::collections::BTreeMap<String, usize>,
}

/// A loaded chart (Helm's `chart.Chart`).
#[derive(Debug, Clone)]
pub(crate) struct Chart {
    pub(crate) metadata: Metadata,
    /// `Chart.lock` (or, for apiVersion v1, `requirements.lock`): its dependencies.
    pub(crate) lock: Option<Vec<Dependency>>,
    /// `templates/**`, in the order the files were read.
    pub(crate) templates: Vec<ChartFile>,
    /// `values.yaml` as Helm reads it (numbers are floats; strings carry provenance).
    pub(crate) values: Map,
    /// Where `values.yaml` came from (none when the chart has none).
    pub(crate) values_source: Option<ValuesSource>,
    /// `values.schema.json`, raw.
    pub(crate) schema: Option<ChartFile>,
    /// Every other file (what `.Files` sees; `crds/` included), minus `.helmignore`d ones.
    pub(crate) files: Vec<ChartFile>,
    /// Subcharts (`charts/*` folders and archives); after [`deps::process_dependencies`],
    /// only the enabled ones, aliased copies under their alias.
    pub(crate) dependencies: Vec<Chart>,
    /// The chart's folder or archive.
    pub(crate) source: RealPath,
}

impl Chart {
    pub(crate) fn name(&self) -> &str {
        &self.metadata.name
    }

    pub(crate) fn is_library(&self) -> bool {
        self.metadata.chart_type.eq_ignore_ascii_case("library")
    }

    /// `crds/` files with a manifest extension (Helm's `CRDObjects`, this chart only):
    /// `(file name as Helm prints it, file)`, e.g. `mychart/charts/sub/crds/a.yaml`.
    pub(crate) fn crd_files<'a>(&'a self, full_path: &str) -> Vec<(String, &'a ChartFile)> {
        self.files
            .iter()
            .filter(|f| f.name.starts_with("crds/") && has_manifest_extension(&f.name))
            .map(|f| (format!("{full_path}/{}", f.name), f))
            .collect()
    }

    /// Every chart's CRDs, this one's first, then each subchart's (Helm's `CRDObjects`).
    pub(crate) fn all_crds(&self) -> Vec<(String, &ChartFile)> {
        let mut out = Vec::new();
        collect_crds(self, self.name().to_owned(), &mut out, 0);
        out
    }
}

impl Chart {
    /// Every values file of the chart and its subcharts (the name [`Origin`]s of their values
    /// carry, and where each really is).
    ///
    /// [`Origin`]: crate::helm::value::Origin
    pub(crate) fn values_sources(&self) -> Vec<&ValuesSource> {
        let mut out = Vec::new();
        collect_sources(self, &mut out, 0);
        out
    }
}

fn collect_sources<'a>(chart: &'a Chart, out: &mut Vec<&'a ValuesSource>, depth: usize) {
    if depth > load::MAX_CHART_DEPTH {
        return;
    }
    out.extend(chart.values_source.as_ref());
    for dep in &chart.dependencies {
        collect_sources(dep, out, depth + 1);
    }
}

/// `helm install`/`template`'s `checkIfInstallable`: only application charts render
/// (`library charts are not installable`).
pub(crate) fn check_installable(chart: &Chart) -> Result<(), ChartError> {
    match chart.metadata.chart_type.as_str() {
        "" | "application" => Ok(()),
        other => Err(ChartError::new(format!(
            "{other} charts are not installable"
        ))),
    }
}

/// The chart's `kubeVersion` against the target version (`v1.20.0`), as Helm's
/// `renderResources` checks it.
pub(crate) fn check_kube_version(chart: &Chart, kube_version: &str) -> Result<(), ChartError> {
    let wanted = &chart.metadata.kube_version;
    if wanted.is_empty() || semver::is_compatible_range(wanted, kube_version) {
        return Ok(());
    }
    Err(ChartError::new(format!(
        "chart requires kubeVersion: {wanted} which is incompatible with Kubernetes {kube_version}"
    )))
}

/// A chart ready to render: its enabled subcharts, the coalesced values, and what was found
/// on the way.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub(crate) chart: Chart,
    /// The coalesced values (the root's `.Values`).
    pub(crate) values: Map,
    /// Dependencies Chart.yaml lists that no subchart provides. Helm refuses to render when
    /// the top chart has any (`An error occurred while checking for chart dependencies. You may
    /// need to run `helm dependency build` to fetch missing dependencies: found in Chart.yaml,
    /// but missing in charts/ directory: NAMES`); kubeward renders without those whose
    /// `enabled` is false.
    pub(crate) missing: Vec<MissingDependency>,
    /// `values.schema.json` violations, and schemas left unchecked (remote `$ref`s).
    pub(crate) schema: SchemaCheck,
    /// Helm's logged warnings (coalescing, tags and conditions that are not booleans).
    pub(crate) warnings: Vec<String>,
}

/// What `helm template` does to a loaded chart before rendering (`pkg/action/install.go`):
/// dependencies processed with the user's values (`ProcessDependenciesWithMerge`), then the
/// values coalesced (`ToRenderValues`) and checked against every `values.schema.json`.
/// `user_values` are the merged `-f` files and `--set`s ([`values::merge_user_values`]);
/// `user_sources` the `-f` files, to locate schema violations. An `Err` is a failure Helm
/// reports the same way (a subchart key that is not a map, an unreadable schema).
pub(crate) fn prepare(
    mut chart: Chart,
    user_values: &Map,
    user_sources: &[ValuesSource],
) -> Result<Prepared, ChartError> {
    let processed = deps::process_dependencies(&mut chart, user_values, true)?;
    let mut warnings = values::Warnings(processed.warnings);
    let coalesced = values::coalesce_values(&chart, user_values, &mut warnings)?;
    let schema = values::validate_schemas(&chart, &coalesced, user_sources)?;
    Ok(Prepared {
        chart,
        values: coalesced,
        missing: processed.missing,
        schema,
        warnings: warnings.0,
    })
}

fn collect_crds<'a>(
    chart: &'a Chart,
    full_path: String,
    out: &mut Vec<(String, &'a ChartFile)>,
    depth: usize,
) {
    if depth > load::MAX_CHART_DEPTH {
        return;
    }
    out.extend(chart.crd_files(&full_path));
    for dep in &chart.dependencies {
        collect_crds(
            dep,
            format!("{full_path}/charts/{}", dep.name()),
            out,
            depth + 1,
        );
    }
}

fn has_manifest_extension(name: &str) -> bool {
    let ext = match name.rsplit_once('.') {
        Some((before, ext)) if !ext.contains('/') && !before.is_empty() => ext,
        _ => return false,
    };
    ["yaml", "yml", "json"]
        .iter()
        .any(|e| ext.eq_ignore_ascii_case(e))
}

/// An error loading or preparing a chart: Helm's message, and where it is when a file's
/// position is known (a YAML syntax error, a bad field of `Chart.yaml`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ChartError {
    pub(crate) message: String,
    pub(crate) location: Option<ErrorLocation>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ErrorLocation {
    pub(crate) file: RealPath,
    /// Byte offset in that file's text.
    pub(crate) offset: usize,
}

impl ChartError {
    pub(crate) fn new(message: impl Into<String>) -> ChartError {
        ChartError {
            message: message.into(),
            location: None,
        }
    }

    pub(crate) fn at(message: impl Into<String>, file: RealPath, offset: usize) -> ChartError {
        ChartError {
            message: message.into(),
            location: Some(ErrorLocation { file, offset }),
        }
    }

    /// Helm's `errors.Wrap(err, prefix)`: `prefix: message`.
    pub(crate) fn wrap(mut self, prefix: &str) -> ChartError {
        self.message = format!("{prefix}: {}", self.message);
        self
    }
}

impl fmt::Display for ChartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ChartError {}
