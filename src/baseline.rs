//! Baselines: `--write-baseline FILE` records the current findings; `--baseline FILE` hides
//! the findings recorded there and reports only new ones. Findings are matched by fingerprint
//! (rule, path, object identity and offending text; no line numbers), so unrelated edits do not
//! invalidate a baseline. Equal fingerprints are counted, so a second identical problem in the
//! same place is still reported.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::outcome::{BaselineSummary, LintResult, fingerprint, legacy_fingerprint};

/// Version 2 records paths relative to the repository root (version 1: as displayed, which
/// depended on the directory kubeward ran from and on how paths were named). Both are read.
pub(crate) const BASELINE_VERSION: u32 = 2;
const OLDEST_READ_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct BaselineEntry {
    pub rule: String,
    pub path: String,
    /// `Kind namespace/name`, for people reading the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    pub fingerprint: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct Baseline {
    pub version: u32,
    pub findings: Vec<BaselineEntry>,
}

impl Baseline {
    pub(crate) fn from_result(result: &LintResult) -> Baseline {
        Baseline {
            version: BASELINE_VERSION,
            findings: result
                .findings
                .iter()
                .map(|f| BaselineEntry {
                    rule: f.rule.to_string(),
                    path: result.path_key(f.file).to_string(),
                    object: f.object.as_ref().map(|o| o.describe()),
                    fingerprint: fingerprint(result, f),
                })
                .collect(),
        }
    }

    pub(crate) fn read(path: &Path) -> Result<Baseline, Error> {
        let error = |message: String| Error::Baseline {
            path: path.display().to_string(),
            message,
        };
        let text = crate::load::input::read_regular_file(path).map_err(error)?;
        // The error says where and what, never the file's text: a baseline path can name any
        // file.
        let baseline: Baseline = serde_json::from_str(&text).map_err(|e| Error::Baseline {
            path: format!("{}:{}:{}", path.display(), e.line(), e.column()),
            message: format!("not a kubeward baseline: {}", describe_json_error(&e)),
        })?;
        if !(OLDEST_READ_VERSION..=BASELINE_VERSION).contains(&baseline.version) {
            return Err(error(format!(
                "version {} is not supported (expected {OLDEST_READ_VERSION} to {BASELINE_VERSION})",
                baseline.version
            )));
        }
        Ok(baseline)
    }

    /// Writes the baseline to `path` atomically (a temporary file in the same folder, renamed
    /// over it). Refuses a symlink, anything but a regular file, a file that is not a kubeward
    /// baseline (an empty file is overwritten), and a file the run lints (`linted`).
    pub(crate) fn write(&self, path: &Path, linted: bool) -> Result<(), Error> {
        let shown = path.display().to_string();
        let refuse = |reason: &str| Error::BaselineTarget {
            path: shown.clone(),
            reason: reason.to_string(),
        };
        match std::fs::symlink_metadata(path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(refuse("it is a symbolic link (not followed)"));
            }
            Ok(meta) if !meta.is_file() => return Err(refuse("it is not a regular file")),
            Ok(meta) => {
                if linted {
                    return Err(refuse(
                        "it is one of the files being linted (name the baseline so that the \
                         run does not read it, e.g. `.kubeward-baseline.json`)",
                    ));
                }
                if meta.len() > 0 && !is_baseline_file(path) {
                    return Err(refuse(
                        "it exists and is not a kubeward baseline (remove it first to replace it)",
                    ));
                }
            }
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(Error::Write {
                    path: shown,
                    source,
                });
            }
        }
        let mut text = serde_json::to_string_pretty(self).map_err(|e| Error::Baseline {
            path: shown.clone(),
            message: e.to_string(),
        })?;
        text.push('\n');
        write_atomically(path, text.as_bytes()).map_err(|source| Error::Write {
            path: shown,
            source,
        })
    }
    /// Removes findings the baseline has and counts what it hid and what was fixed.
    pub(crate) fn apply(&self, result: &mut LintResult) -> BaselineSummary {
        let mut remaining: HashMap<&str, usize> = HashMap::new();
        for entry in &self.findings {
            *remaining.entry(entry.fingerprint.as_str()).or_default() += 1;
        }
        // A version 1 baseline recorded displayed paths: a finding matches by either form.
        let legacy = self.version < BASELINE_VERSION;
        let prints: Vec<String> = result
            .findings
            .iter()
            .map(|f| {
                let print = fingerprint(result, f);
                if legacy && !remaining.contains_key(print.as_str()) {
                    legacy_fingerprint(result, f)
                } else {
                    print
                }
            })
            .collect();
        let mut keep = Vec::with_capacity(result.findings.len());
        let mut hidden = 0;
        for (finding, print) in std::mem::take(&mut result.findings)
            .into_iter()
            .zip(&prints)
        {
            match remaining.get_mut(print.as_str()) {
                Some(count) if *count > 0 => {
                    *count -= 1;
                    hidden += 1;
                }
                _ => keep.push(finding),
            }
        }
        result.findings = keep;
        BaselineSummary {
            hidden,
            fixed: remaining.values().sum(),
        }
    }
}

/// What kind of JSON problem, in words, without the text that caused it.
fn describe_json_error(err: &serde_json::Error) -> &'static str {
    use serde_json::error::Category;
    match err.classify() {
        Category::Io => "could not be read",
        Category::Syntax => "not valid JSON",
        Category::Data => "valid JSON, but not the shape of a baseline",
        Category::Eof => "the JSON ends early",
    }
}

/// Does the file hold a kubeward baseline (a JSON object with a numeric `version` and a
/// `findings` list)? Read through no symlink (the caller checked) and within a size cap.
fn is_baseline_file(path: &Path) -> bool {
    use std::io::Read;
    const CAP: u64 = 256 * 1024 * 1024;
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let mut text = String::new();
    if file.take(CAP).read_to_string(&mut text).is_err() {
        return false;
    }
    serde_json::from_str::<serde_json::Value>(&text).is_ok_and(|value| {
        value.get("version").is_some_and(serde_json::Value::is_u64)
            && value
                .get("findings")
                .is_some_and(serde_json::Value::is_array)
    })
}

/// Writes `bytes` to a new temporary file beside `path`, then renames it over `path`: a reader
/// sees the old file or the new one, never half of one, and a symlink at `path` is replaced,
/// never followed.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "baseline".to_string());
    let temp = dir.join(format!(".{name}.kubeward-{}.tmp", std::process::id()));
    let result = (|| {
        // `create_new` never opens an existing file or follows a symlink planted at `temp`.
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}
