//! The command line. Exit codes: 0 no finding at or above `--fail-on`, 1 findings at or above
//! it, 2 a usage or I/O error that stopped the run.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use std::path::PathBuf;
use std::sync::Arc;

use clap::{Parser, Subcommand};

use crate::baseline::Baseline;
use crate::catalogue;
use crate::config::{Config, FailOn, config_schema};
use crate::error::Error;
use crate::kube_version::KubeVersion;
use crate::lint::{LintOptions, lint_with_context};
use crate::model::WorkspaceOptions;
use crate::registry::Registry;
use crate::report::{Format, HumanOptions, write_report, write_step_summary};

#[derive(Debug, Parser)]
#[command(
    name = "kubeward",
    version,
    about = "Offline Kubernetes manifest linter and policy checker",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Files and directories to lint (directories recursively); `-` reads stdin.
    /// A directory named like a subcommand needs a path form: `./rules`.
    #[arg(default_value = ".")]
    pub paths: Vec<String>,

    /// Output format [default: human; github when GITHUB_ACTIONS=true].
    #[arg(long, value_enum)]
    pub format: Option<Format>,

    /// Load the manifests under DIR as context only: rules that relate objects across files
    /// see them, but only the PATHs given are reported on (pre-commit: `--context .`).
    #[arg(long, value_name = "DIR")]
    pub context: Vec<String>,

    /// Exit with 1 when a finding is at or above this severity [default: the config's
    /// `fail-on`, else error].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,

    /// Config file [default: .kubeward.yaml found upward from the current directory].
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,

    /// Hide the findings recorded in this baseline; report only new ones.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Record the current findings as a baseline (after --baseline, if given) and exit 0.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// Worker threads (default: all cores). The output is identical for any value.
    #[arg(short = 'j', long)]
    pub threads: Option<usize>,

    /// Namespace of namespaced objects that do not set `metadata.namespace`.
    #[arg(long, default_value = "default")]
    pub namespace: String,

    /// Target Kubernetes version, e.g. 1.33: selects the schemas, which API versions are
    /// removed or deprecated, and version-dependent resource behaviour (pod-level resources)
    /// [default: the config's `kube-version`, else the newest supported].
    #[arg(long, value_name = "VERSION", value_parser = parse_kube_version)]
    pub kube_version: Option<KubeVersion>,

    /// Report custom resources that no CustomResourceDefinition in the linted files describes
    /// (by default they are not schema-checked, silently).
    #[arg(long)]
    pub strict_crds: bool,
}

fn parse_kube_version(text: &str) -> Result<KubeVersion, String> {
    KubeVersion::parse(text).ok_or_else(|| format!("`{text}` is not a version like 1.33"))
}

/// The target version: the flag wins over the config; it must be one whose schemas are
/// embedded.
fn effective_kube_version(
    flag: Option<KubeVersion>,
    config: &Config,
) -> Result<Option<KubeVersion>, Error> {
    let Some(version) = flag.or(config.kube_version) else {
        return Ok(None);
    };
    if crate::schema::supported_versions().contains(&version) {
        Ok(Some(version))
    } else {
        Err(Error::Usage(format!(
            "Kubernetes {version} is not supported: kubeward embeds the schemas of {}",
            crate::schema::supported_versions_text()
        )))
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every rule: id, severity under the loaded config, summary.
    Rules,
    /// Print the JSON Schema of the config file (.kubeward.yaml), for editors.
    ConfigSchema,
    /// Print a rule's catalogue entry.
    Explain {
        /// The rule id, e.g. `latest-image-tag`.
        rule: String,
    },
    /// Show each workload's effective requests and limits, where every value came from, and
    /// its QoS class.
    Inspect {
        /// Files and directories (directories recursively); `-` reads stdin.
        #[arg(default_value = ".")]
        paths: Vec<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = crate::inspect::InspectFormat::Human)]
        format: crate::inspect::InspectFormat,
        /// Namespace of namespaced objects that do not set `metadata.namespace`.
        #[arg(long, default_value = "default")]
        namespace: String,
    },
    /// Print the objects kubeward lints as a YAML stream, each preceded by `# Source: <path>`:
    /// a directory holding a kustomization prints what `kubectl kustomize DIR` prints. Exits 1
    /// when a kustomization fails to build (the error on stderr).
    Render {
        /// Files and directories.
        #[arg(default_value = ".")]
        paths: Vec<String>,
    },
}

pub fn main() -> ExitCode {
    crate::finding::install_quiet_panic_hook();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        // A reader that went away (`kubeward | head`) is not an error worth a message.
        Err(Error::Output(err)) if err.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("kubeward: error: {err}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, Error> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if let Some(Command::Render { paths }) = &cli.command {
        let code = crate::kustomize::render(paths, &mut out, &mut std::io::stderr())
            .map_err(Error::Output)?;
        out.flush().map_err(Error::Output)?;
        return Ok(ExitCode::from(code));
    }
    if let Some(Command::ConfigSchema) = cli.command {
        let schema = serde_json::to_string_pretty(&config_schema()).unwrap_or_default();
        writeln!(out, "{schema}").map_err(Error::Output)?;
        return Ok(ExitCode::SUCCESS);
    }
    let cwd = std::env::current_dir().map_err(|source| Error::Path {
        path: ".".to_string(),
        source,
    })?;
    let config = Config::discover(cli.config.as_deref(), &cwd)?;
    let registry = Arc::new(Registry::from_config(&config)?);
    match cli.command {
        Some(Command::Rules) => {
            for info in registry.infos.values() {
                let severity = info
                    .effective
                    .map_or_else(|| "off".to_string(), |s| s.to_string());
                let note = match (&info.policy_file, info.configured) {
                    (Some(file), _) => format!(" [policy {file}]"),
                    (None, true) => " [set by config]".to_string(),
                    (None, false) => String::new(),
                };
                writeln!(
                    out,
                    "{:<28} {:<8} {}{note}",
                    info.id, severity, info.summary
                )
                .map_err(Error::Output)?;
            }
            return Ok(ExitCode::SUCCESS);
        }
        Some(Command::Explain { rule }) => {
            let entry = catalogue::entry(&rule).ok_or(Error::UnknownRule(rule))?;
            write!(out, "{}", entry.explain()).map_err(Error::Output)?;
            return Ok(ExitCode::SUCCESS);
        }
        Some(Command::Inspect {
            paths,
            format,
            namespace,
        }) => {
            let options = LintOptions {
                paths,
                workspace: WorkspaceOptions {
                    default_namespace: namespace,
                    kube_version: effective_kube_version(cli.kube_version, &config)?,
                    strict_crds: false,
                },
                exclude: config.exclude.clone(),
                registry,
            };
            crate::inspect::run(&options, format, &mut out)?;
            out.flush().map_err(Error::Output)?;
            return Ok(ExitCode::SUCCESS);
        }
        Some(Command::ConfigSchema | Command::Render { .. }) | None => {}
    }
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(threads) = cli.threads {
        pool = pool.num_threads(threads.max(1));
    }
    let pool = pool.build().map_err(|e| Error::Threads {
        threads: cli.threads.unwrap_or(0),
        message: e.to_string(),
    })?;
    let options = LintOptions {
        paths: cli.paths,
        workspace: WorkspaceOptions {
            default_namespace: cli.namespace,
            kube_version: effective_kube_version(cli.kube_version, &config)?,
            strict_crds: cli.strict_crds,
        },
        exclude: config.exclude.clone(),
        registry,
    };
    let mut result = pool.install(|| lint_with_context(&options, &cli.context))?;
    if let Some(path) = &cli.baseline {
        let baseline = Baseline::read(path)?;
        result.baseline = Some(baseline.apply(&mut result));
    }
    if let Some(path) = &cli.write_baseline {
        let baseline = Baseline::from_result(&result);
        baseline.write(path)?;
        eprintln!(
            "kubeward: wrote {} findings to the baseline {}",
            baseline.findings.len(),
            path.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let format = cli.format.unwrap_or_else(default_format);
    let human = HumanOptions {
        color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            && std::io::stdout().is_terminal(),
        width: terminal_width(),
    };
    // Rendered on the run's pool (the human report renders findings in parallel), into memory,
    // then written out at once.
    let mut report = Vec::new();
    pool.install(|| write_report(&result, format, &human, &mut report))
        .map_err(Error::Output)?;
    out.write_all(&report).map_err(Error::Output)?;
    out.flush().map_err(Error::Output)?;
    if format == Format::Github {
        append_step_summary(&result)?;
    }
    let fail_on = cli.fail_on.or(config.fail_on).unwrap_or(FailOn::Error);
    let failed = fail_on.threshold().is_some_and(|threshold| {
        result
            .findings
            .iter()
            .any(|f| f.effective_severity() >= threshold)
    });
    // The process ends now: freeing every document one by one took 4% of a run on the real
    // corpus, on one thread (callgrind). The operating system takes the memory back at once.
    std::mem::forget(result);
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `github` inside GitHub Actions (which sets `GITHUB_ACTIONS=true`), `human` elsewhere.
fn default_format() -> Format {
    if std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| v == "true") {
        Format::Github
    } else {
        Format::Human
    }
}

/// Appends the job summary to `$GITHUB_STEP_SUMMARY` when the runner set it.
fn append_step_summary(result: &crate::outcome::LintResult) -> Result<(), Error> {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let summary_error = |source| Error::StepSummary {
        path: path.to_string_lossy().into_owned(),
        source,
    };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(summary_error)?;
    let mut text = Vec::new();
    write_step_summary(result, &mut text).map_err(summary_error)?;
    file.write_all(&text).map_err(summary_error)
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100)
}
