//! `--output-file FORMAT=PATH`: another format written to a file in the same run (the GitHub
//! Action prints annotations and writes SARIF from one run).
//!
//! Writing is careful, because the path comes from a command line that may have been assembled
//! by a script: the report goes to a new temporary file beside the target, which then replaces
//! the target by rename. A rename replaces a symlink itself instead of writing through it, and a
//! target that is a symlink, not a regular file, or one of the files the run read (linted or
//! context) is refused before anything is written.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::outcome::LintResult;

use super::{Format, HumanOptions, write_report};

/// One `--output-file` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub format: Format,
    pub path: PathBuf,
}

impl OutputFile {
    /// Parses `FORMAT=PATH` (the format as `--format` spells it, case-insensitive).
    pub fn parse(text: &str) -> Result<Self, String> {
        let Some((format, path)) = text.split_once('=') else {
            return Err(format!(
                "`{text}` is not FORMAT=PATH, e.g. sarif=kubeward.sarif"
            ));
        };
        let format = <Format as clap::ValueEnum>::from_str(format.trim(), true).map_err(|_| {
            let names: Vec<String> = <Format as clap::ValueEnum>::value_variants()
                .iter()
                .filter_map(clap::ValueEnum::to_possible_value)
                .map(|v| v.get_name().to_string())
                .collect();
            format!("unknown format `{format}` (one of {})", names.join(", "))
        })?;
        if path.is_empty() {
            return Err(format!("`{text}` has no path after `=`"));
        }
        Ok(Self {
            format,
            path: PathBuf::from(path),
        })
    }
}

/// Checks every target first (nothing is written when one is refused), then renders and
/// writes each. `human` options apply to human reports (files get no colour). `also_read` are
/// the files the run read besides the linted ones (the config, its policies, the baseline):
/// a report never replaces them either.
pub fn write_output_files(
    result: &LintResult,
    files: &[OutputFile],
    human: &HumanOptions,
    also_read: &[&Path],
) -> Result<(), Error> {
    for (index, file) in files.iter().enumerate() {
        if files
            .iter()
            .take(index)
            .any(|earlier| earlier.path == file.path)
        {
            return Err(refused(&file.path, "it is given twice"));
        }
        check_target(result, &file.path, also_read)?;
    }
    let plain = HumanOptions {
        color: false,
        width: human.width,
    };
    for file in files {
        let mut report = Vec::new();
        write_report(result, file.format, &plain, &mut report).map_err(|source| {
            Error::WriteFile {
                path: file.path.display().to_string(),
                source,
            }
        })?;
        replace_file(&file.path, &report).map_err(|source| Error::WriteFile {
            path: file.path.display().to_string(),
            source,
        })?;
    }
    Ok(())
}

fn refused(path: &Path, why: &str) -> Error {
    Error::Usage(format!(
        "--output-file: refusing to write `{}`: {why}",
        path.display()
    ))
}

/// A target must be absent or a regular file that the run did not read.
fn check_target(result: &LintResult, path: &Path, also_read: &[&Path]) -> Result<(), Error> {
    let metadata = match std::fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(Error::WriteFile {
                path: path.display().to_string(),
                source,
            });
        }
    };
    if metadata.file_type().is_symlink() {
        return Err(refused(path, "it is a symlink, which is never followed"));
    }
    if !metadata.is_file() {
        return Err(refused(path, "it is not a regular file"));
    }
    let target = std::fs::canonicalize(path).map_err(|source| Error::WriteFile {
        path: path.display().to_string(),
        source,
    })?;
    // Only files with the same name can be the same file: the rest are not resolved.
    let name = target.file_name();
    let read_by_run = result.workspace.files.iter().any(|loaded| {
        let loaded = Path::new(&loaded.source.path);
        loaded.file_name() == name
            && std::fs::canonicalize(loaded).is_ok_and(|resolved| resolved == target)
    });
    if read_by_run {
        return Err(refused(path, "it is one of the files this run read"));
    }
    let setting = also_read
        .iter()
        .any(|read| std::fs::canonicalize(read).is_ok_and(|resolved| resolved == target));
    if setting {
        return Err(refused(
            path,
            "it is the config, a policy or the baseline this run read",
        ));
    }
    Ok(())
}

/// Writes `bytes` to a new file beside `path`, then renames it over `path`.
fn replace_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::other("the path has no file name"))?;
    let mut temporary_name = std::ffi::OsString::from(".");
    temporary_name.push(name);
    temporary_name.push(format!(".kubeward-{}.tmp", std::process::id()));
    let temporary = path.with_file_name(temporary_name);
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temporary)
        .and_then(|mut file| {
            file.write_all(bytes)?;
            file.sync_all()
        })
        .and_then(|()| std::fs::rename(&temporary, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_format_and_path() {
        assert_eq!(
            OutputFile::parse("SARIF=out/k.sarif"),
            Ok(OutputFile {
                format: Format::Sarif,
                path: PathBuf::from("out/k.sarif")
            })
        );
        // Only the first `=` separates: the path may hold more.
        assert_eq!(
            OutputFile::parse("json=a=b.json").map(|f| f.path),
            Ok(PathBuf::from("a=b.json"))
        );
    }

    #[test]
    fn rejects_malformed_values() {
        assert!(OutputFile::parse("sarif").is_err_and(|e| e.contains("FORMAT=PATH")));
        assert!(OutputFile::parse("sarif=").is_err_and(|e| e.contains("no path")));
        assert!(
            OutputFile::parse("xml=a.xml")
                .is_err_and(|e| e.contains("unknown format `xml`") && e.contains("sarif"))
        );
    }
}
