//! Loading a chart from a folder or an archive (helm/helm v3.21.4 `pkg/chart/loader`:
//! `load.go` `LoadFiles`, `directory.go` `LoadDir`, `archive.go` `LoadFile`).
//!
//! Where a file goes (`LoadFiles`): `Chart.yaml` is read first (apiVersion defaults to `v1`);
//! then `Chart.lock`, `values.yaml`, `values.schema.json`, `requirements.yaml` (its
//! `dependencies` override Chart.yaml's; for apiVersion v1 it is also a file),
//! `requirements.lock`, `templates/**` (templates), `charts/<name>/**` and `charts/<name>.tgz`
//! (subcharts; names starting with `_` or `.` are skipped; `charts/*.prov` are files), and
//! every other file (`.Files`, `crds/` included). A folder's `.helmignore` (at its top only)
//! and the default rule `templates/.?*` drop files before that.
//!
//! Bounds (ours, beyond Helm's 5 MiB per file and 100 MiB per archive): subcharts nest at
//! most [`MAX_CHART_DEPTH`] deep, a folder walk visits at most [`MAX_WALK_ENTRIES`] entries
//! [`MAX_WALK_DEPTH`] folders deep, and one load decompresses at most [`MAX_TOTAL_BYTES`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use super::archive::{self, MAX_FILE_SIZE, UTF8_BOM};
use super::ignore::{HELM_IGNORE, Rules};
use super::metadata::{API_VERSION_V1, Metadata, decode_dependencies};
use super::yaml::{ReadYaml, into_values_map, read_yaml, read_yaml_with};
use super::{Chart, ChartError, ChartFile, RealPath, ValuesSource};
use crate::helm::value::Value;

/// Subcharts nest at most this deep (a chart with 1000 nested subcharts is refused).
pub(crate) const MAX_CHART_DEPTH: usize = 64;
/// Entries one folder walk visits.
pub(crate) const MAX_WALK_ENTRIES: usize = 100_000;
/// Folder nesting one walk follows (symbolic links to folders are followed, as Helm does).
pub(crate) const MAX_WALK_DEPTH: usize = 64;
/// Bytes one load reads (files and decompressed archives together).
pub(crate) const MAX_TOTAL_BYTES: u64 = 256 * 1024 * 1024;

/// A file handed to [`load_files`] (Helm's `BufferedFile`).
#[derive(Debug, Clone)]
pub(crate) struct BufferedFile {
    pub(crate) name: String,
    pub(crate) data: Vec<u8>,
    pub(crate) real: RealPath,
}

struct Budget {
    bytes: u64,
}

impl Budget {
    fn take(&mut self, n: u64) -> Result<(), ChartError> {
        self.bytes = self.bytes.saturating_add(n);
        if self.bytes > MAX_TOTAL_BYTES {
            return Err(ChartError::new(format!(
                "the chart and its subcharts are larger than {MAX_TOTAL_BYTES} bytes"
            )));
        }
        Ok(())
    }
}

/// Loads a chart from a folder or a `.tgz` archive (Helm's `loader.Load`).
pub(crate) fn load_chart(path: &Path) -> Result<Chart, ChartError> {
    let meta = std::fs::metadata(path).map_err(|e| io_error(path, &e))?;
    let mut budget = Budget { bytes: 0 };
    if meta.is_dir() {
        load_dir_with(path, &mut budget)
    } else {
        load_archive_file(path, &mut budget)
    }
}

fn io_error(path: &Path, e: &std::io::Error) -> ChartError {
    let what = match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => e.to_string(),
    };
    ChartError::new(format!("stat {}: {what}", path.display()))
}

/// Loads a chart archive file (Helm's `LoadFile`, with `ensureArchive`'s checks).
fn load_archive_file(path: &Path, budget: &mut Budget) -> Result<Chart, ChartError> {
    let name = path.display().to_string();
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    // An archive is at most as large as what it may decompress to.
    if size > archive::MAX_CHART_SIZE {
        return Err(ChartError::new(format!(
            "file '{name}' is larger than the maximum chart size {}",
            archive::MAX_CHART_SIZE
        )));
    }
    let data = std::fs::read(path)
        .map_err(|e| ChartError::new(format!("file '{name}' cannot be read: {e}")))?;
    if !archive::is_gzip(&data) {
        if name.ends_with(".yml") || name.ends_with(".yaml") {
            return Err(ChartError::new(format!(
                "file '{name}' seems to be a YAML file, but expected a gzipped archive"
            )));
        }
        return Err(ChartError::new(format!(
            "file '{name}' does not appear to be a gzipped archive; got '{}'",
            content_type(&data)
        )));
    }
    let real = RealPath {
        path: path.to_path_buf(),
        member: None,
    };
    load_archive_bytes(&data, &real, None, 0, budget).map_err(|e| {
        if e.message == "gzip: invalid header" {
            ChartError::new(format!(
                "file '{name}' does not appear to be a valid chart file (details: {})",
                e.message
            ))
        } else {
            e
        }
    })
}

/// A little of Go's `http.DetectContentType` for the message of a file that is not gzip.
fn content_type(data: &[u8]) -> &'static str {
    let head = data.get(..512).unwrap_or(data);
    if head.starts_with(b"PK\x03\x04") {
        "application/zip"
    } else if std::str::from_utf8(head).is_ok() && !head.contains(&0) {
        "text/plain; charset=utf-8"
    } else {
        "application/octet-stream"
    }
}

/// Loads an archive's bytes. `real` is the archive (for a nested archive: the outermost file,
/// and its member path).
fn load_archive_bytes(
    data: &[u8],
    real: &RealPath,
    parent_full_path: Option<&str>,
    depth: usize,
    budget: &mut Budget,
) -> Result<Chart, ChartError> {
    let tar = archive::gunzip(data).map_err(ChartError::new)?;
    budget.take(tar.len() as u64)?;
    let files = archive::read_tar(&tar).map_err(ChartError::new)?;
    let files = files
        .into_iter()
        .map(|f| BufferedFile {
            name: f.name,
            data: f.data,
            real: RealPath {
                path: real.path.clone(),
                member: Some(match &real.member {
                    Some(outer) => format!("{outer}!/{}", f.entry),
                    None => f.entry,
                }),
            },
        })
        .collect();
    load_files_at(files, real.clone(), parent_full_path, depth, budget)
}

fn load_dir_with(dir: &Path, budget: &mut Budget) -> Result<Chart, ChartError> {
    let mut rules = Rules::default();
    let ignore_file = dir.join(HELM_IGNORE);
    if ignore_file.is_file() {
        let text = std::fs::read(&ignore_file).map_err(|e| io_error(&ignore_file, &e))?;
        rules = Rules::parse(&String::from_utf8_lossy(&text)).map_err(ChartError::new)?;
    }
    rules.add_defaults();
    let mut files = Vec::new();
    let mut walk = Walk {
        rules: &rules,
        files: &mut files,
        entries: 0,
        budget,
    };
    walk.dir(dir, "", 0)?;
    let source = RealPath {
        path: dir.to_path_buf(),
        member: None,
    };
    load_files_at(files, source, None, 0, budget)
}

/// Loads a chart folder (Helm's `LoadDir`).
pub(crate) fn load_dir(dir: &Path) -> Result<Chart, ChartError> {
    load_dir_with(dir, &mut Budget { bytes: 0 })
}

struct Walk<'a> {
    rules: &'a Rules,
    files: &'a mut Vec<BufferedFile>,
    entries: usize,
    budget: &'a mut Budget,
}

impl Walk<'_> {
    /// Go's `filepath.Walk` order: a folder's entries sorted by name, each folder's content
    /// right after it.
    fn dir(&mut self, dir: &Path, rel: &str, depth: usize) -> Result<(), ChartError> {
        if depth > MAX_WALK_DEPTH {
            return Err(ChartError::new(format!(
                "{}: folders nest deeper than {MAX_WALK_DEPTH} levels (a symbolic link loop?)",
                dir.display()
            )));
        }
        let read = std::fs::read_dir(dir).map_err(|e| io_error(dir, &e))?;
        let mut names: Vec<(String, PathBuf)> = Vec::new();
        for entry in read {
            let entry = entry.map_err(|e| io_error(dir, &e))?;
            self.entries += 1;
            if self.entries > MAX_WALK_ENTRIES {
                return Err(ChartError::new(format!(
                    "{}: the chart has more than {MAX_WALK_ENTRIES} files",
                    dir.display()
                )));
            }
            names.push((
                entry.file_name().to_string_lossy().into_owned(),
                entry.path(),
            ));
        }
        names.sort();
        for (name, path) in names {
            let n = if rel.is_empty() {
                name.clone()
            } else {
                format!("{rel}/{name}")
            };
            // Symbolic links are followed (Helm's sympath.Walk).
            let meta = match std::fs::metadata(&path) {
                Ok(m) => m,
                Err(e) => return Err(io_error(&path, &e)),
            };
            if meta.is_dir() {
                if self.rules.ignore(&n, true) {
                    continue;
                }
                self.dir(&path, &n, depth + 1)?;
                continue;
            }
            if self.rules.ignore(&n, false) {
                continue;
            }
            if !meta.is_file() {
                return Err(ChartError::new(format!(
                    "cannot load irregular file {} as it has file mode type bits set",
                    path.display()
                )));
            }
            if meta.len() > MAX_FILE_SIZE {
                return Err(ChartError::new(format!(
                    "chart file {name:?} is larger than the maximum file size {MAX_FILE_SIZE}"
                )));
            }
            self.budget.take(meta.len())?;
            let data = std::fs::read(&path)
                .map_err(|e| ChartError::new(format!("error reading {n}: {e}")))?;
            let data = match data.strip_prefix(UTF8_BOM) {
                Some(rest) => rest.to_vec(),
                None => data,
            };
            self.files.push(BufferedFile {
                name: n,
                data,
                real: RealPath { path, member: None },
            });
        }
        Ok(())
    }
}

/// Helm's `LoadFiles`: a chart from its files (names relative to the chart).
pub(crate) fn load_files(files: Vec<BufferedFile>, source: RealPath) -> Result<Chart, ChartError> {
    load_files_at(files, source, None, 0, &mut Budget { bytes: 0 })
}

fn load_files_at(
    files: Vec<BufferedFile>,
    source: RealPath,
    parent_full_path: Option<&str>,
    depth: usize,
    budget: &mut Budget,
) -> Result<Chart, ChartError> {
    if depth > MAX_CHART_DEPTH {
        return Err(ChartError::new(format!(
            "subcharts nest deeper than {MAX_CHART_DEPTH} levels"
        )));
    }
    let mut metadata: Option<Metadata> = None;
    for f in files.iter().filter(|f| f.name == "Chart.yaml") {
        let md = metadata.get_or_insert_with(Metadata::default);
        let read = read_chart_yaml(f).map_err(|e| e.wrap("cannot load Chart.yaml"))?;
        md.decode_into(&read.value)
            .map_err(|e| decode_error(e, &read, f).wrap("cannot load Chart.yaml"))?;
        if md.api_version.is_empty() {
            md.api_version = API_VERSION_V1.to_owned();
        }
    }
    let mut lock = None;
    let mut values_read: Option<(ReadYaml, RealPath)> = None;
    let mut schema = None;
    let mut templates = Vec::new();
    let mut other = Vec::new();
    let mut subcharts: BTreeMap<String, Vec<BufferedFile>> = BTreeMap::new();
    let chart_file = |f: &BufferedFile| ChartFile {
        name: f.name.clone(),
        data: Rc::from(f.data.as_slice()),
        real: f.real.clone(),
    };
    for f in &files {
        match f.name.as_str() {
            "Chart.yaml" => {}
            "Chart.lock" | "requirements.lock" => {
                let what = format!("cannot load {}", f.name);
                let read = read_chart_yaml(f).map_err(|e| e.wrap(&what))?;
                let deps = match &read.value {
                    Value::Map(m) => m.borrow().get("dependencies").cloned(),
                    _ => None,
                };
                let deps = deps.unwrap_or(Value::Nil);
                let (deps, _) = decode_dependencies(&deps, "/dependencies", "Lock")
                    .map_err(|e| decode_error(e, &read, f).wrap(&what))?;
                lock = Some(deps.unwrap_or_default());
                if f.name == "requirements.lock" {
                    let md = metadata.get_or_insert_with(Metadata::default);
                    if md.api_version == API_VERSION_V1 {
                        other.push(chart_file(f));
                    }
                }
            }
            "values.yaml" => {
                // The provenance name needs the chart's name: read below.
                values_read = Some((
                    ReadYaml {
                        value: Value::Nil,
                        offsets: BTreeMap::new(),
                        text: Arc::from(String::from_utf8_lossy(&f.data).as_ref()),
                    },
                    f.real.clone(),
                ));
            }
            "values.schema.json" => schema = Some(chart_file(f)),
            "requirements.yaml" => {
                let md = metadata.get_or_insert_with(Metadata::default);
                let read =
                    read_chart_yaml(f).map_err(|e| e.wrap("cannot load requirements.yaml"))?;
                md.decode_into(&read.value)
                    .map_err(|e| decode_error(e, &read, f).wrap("cannot load requirements.yaml"))?;
                if md.api_version == API_VERSION_V1 {
                    other.push(chart_file(f));
                }
            }
            name if name.starts_with("templates/") => templates.push(chart_file(f)),
            name if name.starts_with("charts/") => {
                // `filepath.Ext(name) == ".prov"`: provenance files are files.
                if name.ends_with(".prov") {
                    other.push(chart_file(f));
                    continue;
                }
                let rest = name.strip_prefix("charts/").unwrap_or(name);
                let cname = rest.split('/').next().unwrap_or("").to_owned();
                subcharts.entry(cname).or_default().push(BufferedFile {
                    name: rest.to_owned(),
                    data: f.data.clone(),
                    real: f.real.clone(),
                });
            }
            _ => other.push(chart_file(f)),
        }
    }
    let Some(mut metadata) = metadata else {
        return Err(ChartError::new("Chart.yaml file is missing"));
    };
    metadata
        .validate()
        .map_err(|e| ChartError::new(format!("validation: {e}")))?;
    let full_path = match parent_full_path {
        Some(parent) => format!("{parent}/charts/{}", metadata.name),
        None => metadata.name.clone(),
    };
    let (values, values_source) = match values_read {
        None => (Rc::new(std::cell::RefCell::new(BTreeMap::new())), None),
        Some((raw, real)) => {
            let name: Arc<str> = Arc::from(format!("{full_path}/values.yaml"));
            let read = read_yaml(&raw.text, &name, &real)
                .map_err(|e| e.wrap("cannot load values.yaml"))?;
            let values = into_values_map(read.value)
                .map_err(|m| ChartError::at(m, real.clone(), 0).wrap("cannot load values.yaml"))?;
            (
                values,
                Some(ValuesSource {
                    name,
                    text: read.text,
                    real: Some(real),
                    offsets: read.offsets,
                }),
            )
        }
    };
    let mut chart = Chart {
        metadata,
        lock,
        templates,
        values,
        values_source,
        schema,
        files: other,
        dependencies: Vec::new(),
        source,
    };
    for (n, mut files) in subcharts {
        if n.starts_with('_') || n.starts_with('.') {
            continue;
        }
        let wrap = format!("error unpacking subchart {n} in {}", chart.name());
        let sub = if n.ends_with(".tgz") {
            let Some(first) = files.first() else {
                continue;
            };
            if first.name != n {
                return Err(ChartError::new(format!(
                    "error unpacking subchart tar in {}: expected {n}, got {}",
                    chart.name(),
                    first.name
                )));
            }
            let real = match &first.real.member {
                // An archive inside an archive: keep the outer file, name the member.
                Some(_) => first.real.clone(),
                None => RealPath {
                    path: first.real.path.clone(),
                    member: None,
                },
            };
            load_archive_bytes(&first.data, &real, Some(&full_path), depth + 1, budget)
        } else {
            // The subchart's folder: on disk, or inside the archive its files come from
            // (the member path of a file, without the part inside the subchart).
            let source = match files.first() {
                Some(f) => match &f.real.member {
                    Some(m) => RealPath {
                        path: f.real.path.clone(),
                        member: m
                            .strip_suffix(f.name.as_str())
                            .map(|prefix| format!("{prefix}{n}")),
                    },
                    None => RealPath {
                        path: chart.source.path.join("charts").join(&n),
                        member: None,
                    },
                },
                None => chart.source.clone(),
            };
            let buff: Vec<BufferedFile> = files
                .drain(..)
                .filter_map(|mut f| {
                    let (_, rest) = f.name.split_once('/')?;
                    f.name = rest.to_owned();
                    Some(f)
                })
                .collect();
            load_files_at(buff, source, Some(&full_path), depth + 1, budget)
        };
        chart.dependencies.push(sub.map_err(|e| e.wrap(&wrap))?);
    }
    Ok(chart)
}

fn read_chart_yaml(f: &BufferedFile) -> Result<ReadYaml, ChartError> {
    let text = String::from_utf8_lossy(&f.data);
    let name: Arc<str> = Arc::from(f.name.as_str());
    read_yaml_with(&text, &name, &f.real, true)
}

fn decode_error(e: super::metadata::DecodeError, read: &ReadYaml, f: &BufferedFile) -> ChartError {
    let offset = read.offsets.get(&e.pointer).copied().unwrap_or(0);
    ChartError::at(e.message, f.real.clone(), offset)
}
