//! Helm charts in the run (issue 18): every application chart is rendered natively
//! ([`crate::helm::render`]) as `.kubeward.yaml`'s `helm.charts` configures it (once per
//! configured render), else with its default values, or once per `ci/*-values.yaml` file when
//! it has such files (as chart-testing does); the rendered stream is linted in place of the
//! chart's templates, and each finding is reported at the template line that wrote the text
//! (with the values line as a related location when the text was a value).
//!
//! A chart inside another chart's `charts/` folder is a subchart: it renders with its parent
//! only. A chart that fails to render is a `helm-render-error` at the template line Helm names;
//! a `values.schema.json` violation is a `helm-values-schema` finding at the values line; its
//! templates are then left as they are (reported as `template-skipped`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::ChartRender;
use crate::finding::{FileId, Finding, Severity};
use crate::helm::render::{HelmOptions, RenderedChart, SourcePoint, render_chart};
use crate::load::file::FileRole;
use crate::model::LoadedFile;
use crate::rule_id::RuleId;
use crate::source::Span;

use super::LintOptions;
use super::origins::{BuiltFile, BuiltMaps, FileIds, Locate, Located, built_file, canonical};

/// What [`render`] adds to the run.
pub(crate) struct Added {
    pub(crate) maps: BuiltMaps,
    pub(crate) findings: Vec<Finding>,
    /// For each file appended: reported (a template file not in the run) or not (a render).
    pub(crate) reported: Vec<bool>,
    /// Files whose load findings no longer apply (templates of rendered charts).
    pub(crate) rendered_templates: Vec<FileId>,
}

/// A render to do: the chart, `helm template`'s flags, and how findings name the render
/// when the chart renders several ways.
struct Job {
    chart_file: FileId,
    /// The `Chart.yaml` path as the run names it.
    chart_path: String,
    dir: PathBuf,
    options: HelmOptions,
    label: String,
}

/// A render: the chart's folder, its name in findings and the result.
struct Render {
    chart_file: FileId,
    dir: PathBuf,
    label: String,
    /// The release namespace, the namespace of rendered objects that set none.
    namespace: Option<String>,
    result: Result<Rendered, crate::helm::render::RenderError>,
}

/// What a render keeps: the stream and each stream byte's origin, resolved to paths (the
/// renderer's values are not `Send`).
struct Rendered {
    /// The stream, parsed (on the render's thread), named by [`stream_name`].
    file: LoadedFile,
    /// (stream range start, origin) sorted by start: every byte up to the next start maps to
    /// the origin (for copied text, at the same distance from its start).
    points: Vec<(usize, SourcePoint)>,
    template_files: Vec<PathBuf>,
    notes: Vec<String>,
    schema_violations: Vec<(String, Option<(PathBuf, usize)>)>,
}

/// A `Chart.yaml` that is an application chart to render on its own (not a subchart).
fn chart_dir(path: &str) -> Option<PathBuf> {
    let file = Path::new(path);
    if file.file_name()? != "Chart.yaml" {
        return None;
    }
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    (!crate::helm::render::is_subchart(&dir)).then_some(dir)
}

/// The renders of a chart: one per `ci/*-values.yaml`, else one with its defaults.
fn values_files(dir: &Path) -> Vec<Option<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("ci"))
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.ends_with("-values.yaml"))
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    if files.is_empty() {
        vec![None]
    } else {
        files.into_iter().map(Some).collect()
    }
}

/// The renders of a chart: as `.kubeward.yaml` configures it (`helm.charts`), else one per
/// `ci/*-values.yaml`, else one with its defaults. The release namespace defaults to the
/// run's `--namespace`.
fn chart_jobs(chart_file: FileId, chart_path: &str, dir: &Path, options: &LintOptions) -> Vec<Job> {
    let base = HelmOptions {
        namespace: Some(options.workspace.default_namespace.clone()),
        target: options.workspace.kube_version,
        ..HelmOptions::default()
    };
    let job = |options: HelmOptions, label: String| Job {
        chart_file,
        chart_path: chart_path.to_owned(),
        dir: dir.to_path_buf(),
        options,
        label,
    };
    let Some(renders) = options.helm.charts.get(&canonical(dir)) else {
        return values_files(dir)
            .into_iter()
            .map(|values| {
                let label = values.as_ref().and_then(|v| v.file_name()).map_or_else(
                    || "its defaults".to_owned(),
                    |n| n.to_string_lossy().into_owned(),
                );
                let values = values.map(|v| v.to_string_lossy().into_owned());
                let options = HelmOptions {
                    values: values.into_iter().collect(),
                    ..base.clone()
                };
                job(options, label)
            })
            .collect();
    };
    renders
        .iter()
        .map(|r| {
            let options = HelmOptions {
                release_name: r.release_name.clone(),
                namespace: r.namespace.clone().or_else(|| base.namespace.clone()),
                values: r
                    .values
                    .iter()
                    .map(|v| v.to_string_lossy().into_owned())
                    .collect(),
                set: r.set.clone(),
                set_string: r.set_string.clone(),
                ..base.clone()
            };
            job(options, render_label(r))
        })
        .collect()
}

/// A configured render's name in findings: its values files, sets, release and namespace.
fn render_label(render: &ChartRender) -> String {
    let mut parts: Vec<String> = render
        .values
        .iter()
        .filter_map(|v| v.file_name())
        .map(|n| n.to_string_lossy().into_owned())
        .collect();
    parts.extend(render.set.iter().map(|s| format!("--set {s}")));
    parts.extend(
        render
            .set_string
            .iter()
            .map(|s| format!("--set-string {s}")),
    );
    if let Some(name) = &render.release_name {
        parts.push(format!("release {name}"));
    }
    if let Some(namespace) = &render.namespace {
        parts.push(format!("namespace {namespace}"));
    }
    if parts.is_empty() {
        "its defaults".to_owned()
    } else {
        parts.join(", ")
    }
}

fn render_one(job: &Job) -> Render {
    // A panic in the renderer is caught at the chart's boundary: that render is reported and
    // the run goes on.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        render_chart(&job.dir, &job.options).map(|chart| keep(&chart, &stream_name(job)))
    }))
    .unwrap_or_else(|payload| {
        Err(crate::helm::render::RenderError {
            message: format!(
                "kubeward crashed while rendering it (a bug in kubeward, not in the chart; please report it): {}",
                crate::finding::panic_detail(&*payload)
            ),
            location: None,
            stdout: String::new(),
        })
    });
    Render {
        chart_file: job.chart_file,
        dir: job.dir.clone(),
        label: job.label.clone(),
        namespace: job.options.namespace.clone(),
        result,
    }
}

/// A render's stream is named after its chart and, when it renders with values of its own
/// (a `ci/*-values.yaml` file, a configured render), after them: each render is a file of its
/// own, so that rules comparing the objects of one file (`duplicate-object`) never compare
/// two renders of one chart.
fn stream_name(job: &Job) -> String {
    if job.label == "its defaults" {
        format!("{} (rendered)", job.chart_path)
    } else {
        format!("{} (rendered with {})", job.chart_path, job.label)
    }
}

/// The stream and its origins, resolved to paths, one point per provenance chunk.
fn keep(chart: &RenderedChart, stream_name: &str) -> Rendered {
    let mut points: Vec<(usize, SourcePoint)> = Vec::new();
    // A chart has a few files and thousands of chunks: each path is resolved once.
    let mut resolved: HashMap<PathBuf, PathBuf> = HashMap::new();
    let mut real = |path: PathBuf| -> PathBuf {
        resolved
            .entry(path)
            .or_insert_with_key(|p| canonical(p))
            .clone()
    };
    for (start, p) in chart.origins() {
        let value = p.value.map(|(path, o)| (real(path), o));
        let path = real(p.path);
        points.push((start, SourcePoint { path, value, ..p }));
    }
    Rendered {
        file: built_file(stream_name.to_owned(), chart.stream_text.clone()),
        points,
        template_files: chart
            .template_files()
            .iter()
            .map(|p| canonical(p))
            .collect(),
        notes: chart.notes.clone(),
        schema_violations: chart.schema_violations.clone(),
    }
}

/// The chart renders of a run.
pub(crate) struct Renders(Vec<Render>);

impl Renders {
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Renders every application chart among the run's files (`paths`, indexed by file id), in
/// parallel. Reads the file system only, never the loaded files, so it runs while they load;
/// [`apply`] brings the renders in.
pub(crate) fn render(paths: &[&str], options: &LintOptions) -> Renders {
    let jobs: Vec<Job> = paths
        .iter()
        .enumerate()
        .filter_map(|(id, path)| chart_dir(path).map(|d| (id, *path, d)))
        .flat_map(|(id, path, dir)| chart_jobs(id, path, &dir, options))
        .collect();
    Renders(
        jobs.par_iter()
            .map(|job| {
                let started = crate::timings::start();
                let render = render_one(job);
                crate::timings::add(crate::timings::Sum::HelmRenders, started);
                render
            })
            .collect(),
    )
}

/// Brings the renders into the run: appends each rendered stream to `files` and marks the
/// templates of rendered charts as consumed.
pub(crate) fn apply(files: &mut Vec<LoadedFile>, ids: &mut FileIds, renders: Renders) -> Added {
    let renders = renders.0;
    let mut added = Added {
        maps: BuiltMaps::default(),
        findings: Vec::new(),
        reported: Vec::new(),
        rendered_templates: Vec::new(),
    };
    let several: Vec<bool> = renders
        .iter()
        .map(|r| renders.iter().filter(|o| o.dir == r.dir).count() > 1)
        .collect();
    for (render, several) in renders.into_iter().zip(several) {
        let rendered = match render.result {
            Ok(rendered) => rendered,
            Err(e) if e.message.contains("library charts are not installable") => continue,
            Err(e) => {
                let at = e
                    .location
                    .as_ref()
                    .and_then(|(path, offset)| {
                        let id = ids.ensure(&canonical(path), files, &mut added.reported)?;
                        Some((id, Span::new(*offset, *offset)))
                    })
                    .unwrap_or((render.chart_file, Span::default()));
                let info = e.message.contains("helm dependency build");
                let mut finding = Finding::new(
                    RuleId::HelmRenderError,
                    at.0,
                    at.1,
                    format!("Helm cannot render this chart: {}", e.message),
                )
                .label("helm template fails here")
                .help(if info {
                    "run `helm dependency build` to vendor the chart's dependencies under charts/ \
                     (kubeward renders offline and never fetches them)"
                } else {
                    "fix the template or give the value it needs (`helm template` fails the same way)"
                });
                if info {
                    finding = finding.severity(Severity::Info);
                }
                added.findings.push(finding);
                continue;
            }
        };
        for (message, at) in &rendered.schema_violations {
            let (file, span) = at
                .as_ref()
                .and_then(|(path, offset)| {
                    let id = ids.ensure(&canonical(path), files, &mut added.reported)?;
                    // The value's own span, as the loader read the values file (it stops
                    // before a trailing comment): the finding underlines it, and its
                    // fingerprint (which hashes the text under the span) tells two values of
                    // one file apart.
                    let end = files
                        .get(id)
                        .into_iter()
                        .flat_map(|file| &file.documents)
                        .find_map(|doc| {
                            doc.node_ids()
                                .map(|node| doc.span(node))
                                .find(|span| span.start == *offset && span.end > span.start)
                        })
                        .map_or(*offset, |span| span.end);
                    Some((id, Span::new(*offset, end)))
                })
                .unwrap_or((render.chart_file, Span::default()));
            added.findings.push(
                Finding::new(
                    RuleId::HelmValuesSchema,
                    file,
                    span,
                    format!("the chart's values.schema.json rejects this value: {message}"),
                )
                .label("not allowed by values.schema.json")
                .help("`helm install` and `helm template` refuse these values: change the value or the schema"),
            );
        }
        for path in &rendered.template_files {
            if let Some(id) = ids.ensure(path, files, &mut added.reported) {
                if let Some(file) = files.get_mut(id) {
                    file.documents.clear();
                    file.role = FileRole::Consumed;
                }
                added.rendered_templates.push(id);
            }
        }
        let mut points = Vec::with_capacity(rendered.points.len());
        for (start, p) in rendered.points {
            let Some(file) = ids.ensure(&p.path, files, &mut added.reported) else {
                continue;
            };
            let value = p
                .value
                .as_ref()
                .and_then(|(path, o)| Some((ids.ensure(path, files, &mut added.reported)?, *o)));
            points.push((start, file, p.offset, p.len, p.literal, value));
        }
        let name = if several {
            format!("{} with {}", render.dir.display(), render.label)
        } else {
            render.dir.display().to_string()
        };
        for note in &rendered.notes {
            added.findings.push(
                Finding::new(
                    RuleId::HelmRenderError,
                    render.chart_file,
                    Span::default(),
                    format!("{name}: {note}"),
                )
                .severity(Severity::Info),
            );
        }
        let mut file = rendered.file;
        file.default_namespace = render.namespace;
        added.maps.files.insert(
            files.len(),
            BuiltFile {
                name,
                map: Box::new(StreamMap { points }),
            },
        );
        files.push(file);
        added.reported.push(false);
    }
    added
}

/// One origin of a rendered stream: (stream offset it starts at, file, offset, length, copied
/// verbatim, the values scalar an action printed).
type StreamPoint = (usize, FileId, usize, usize, bool, Option<(FileId, usize)>);

/// A rendered stream's origins, by stream offset.
struct StreamMap {
    points: Vec<StreamPoint>,
}

impl Locate for StreamMap {
    fn locate(&self, _text: &str, span: Span) -> Option<Located> {
        let index = self
            .points
            .partition_point(|p| p.0 <= span.start)
            .checked_sub(1)?;
        let &(start, file, offset, len, literal, value) = self.points.get(index)?;
        let (origin, origin_len) = if literal {
            let at = offset + (span.start - start);
            (
                at,
                span.len()
                    .min(len.saturating_sub(span.start - start))
                    .max(1),
            )
        } else {
            (offset, len)
        };
        Some(Located {
            file,
            span: Span::new(origin, origin + origin_len),
            value: value.map(|(f, o)| (f, Span::new(o, o + 1))),
        })
    }
}
