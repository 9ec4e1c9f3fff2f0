//! The command line. Exit codes: 0 no finding at or above `--fail-on`, 1 findings at or above
//! it, 2 a usage or I/O error that stopped the run.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::catalogue;
use crate::error::Error;
use crate::finding::Severity;
use crate::lint::{LintOptions, lint};
use crate::model::WorkspaceOptions;
use crate::report::{Format, HumanOptions, write_report};

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

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Exit with 1 when a finding is at or above this severity.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,

    /// Worker threads (default: all cores). The output is identical for any value.
    #[arg(short = 'j', long)]
    pub threads: Option<usize>,

    /// Namespace of namespaced objects that do not set `metadata.namespace`.
    #[arg(long, default_value = "default")]
    pub namespace: String,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every rule: id, default severity, summary.
    Rules,
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
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

pub fn main() -> ExitCode {
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
    match cli.command {
        Some(Command::Rules) => {
            for entry in catalogue::catalogue() {
                writeln!(
                    out,
                    "{:<28} {:<8} {}",
                    entry.id,
                    entry.default_severity(),
                    entry.summary
                )
                .map_err(Error::Output)?;
            }
            return Ok(ExitCode::SUCCESS);
        }
        Some(Command::Explain { rule }) => {
            let entry = catalogue::entry(&rule).ok_or(Error::UnknownRule(rule))?;
            write!(out, "{}", explain(entry)).map_err(Error::Output)?;
            return Ok(ExitCode::SUCCESS);
        }
        Some(Command::Inspect {
            paths,
            format,
            namespace,
        }) => {
            crate::inspect::run(paths, format, namespace, &mut out)?;
            out.flush().map_err(Error::Output)?;
            return Ok(ExitCode::SUCCESS);
        }
        None => {}
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
        },
    };
    let result = pool.install(|| lint(&options))?;
    let human = HumanOptions {
        color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            && std::io::stdout().is_terminal(),
        width: terminal_width(),
    };
    write_report(&result, cli.format, &human, &mut out).map_err(Error::Output)?;
    out.flush().map_err(Error::Output)?;
    let failed = cli.fail_on.threshold().is_some_and(|threshold| {
        result
            .findings
            .iter()
            .any(|f| f.effective_severity() >= threshold)
    });
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(100)
}

/// `kubeward explain RULE`: the catalogue entry as readable text.
pub fn explain(entry: &catalogue::CatalogueEntry) -> String {
    format!(
        "{id} ({severity}, {category})\n\n{summary}\n\nWhy it matters\n  {rationale}\n\nHow to fix\n  {fix}\n\nBad\n{bad}\nGood\n{good}",
        id = entry.id,
        severity = entry.default_severity(),
        category = entry.category,
        summary = entry.summary.trim(),
        rationale = entry.rationale.trim().replace('\n', "\n  "),
        fix = entry.fix.trim().replace('\n', "\n  "),
        bad = indent(&entry.examples.bad),
        good = indent(&entry.examples.good),
    )
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}\n")).collect()
}
