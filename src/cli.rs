//! The command line. Exit codes: 0 no finding at or above `--fail-on`, 1 findings at or above
//! it, 2 a usage or I/O error that stopped the run.

use std::io::Write;
use std::process::ExitCode;

use std::path::PathBuf;
use std::sync::Arc;

use clap::{Parser, Subcommand};

use crate::baseline::Baseline;
use crate::config::{Config, FailOn, config_schema};
use crate::error::Error;
use crate::kube_version::KubeVersion;
use crate::lint::{LintOptions, lint_with_context};
use crate::model::WorkspaceOptions;
use crate::registry::{Registry, Selection};
use crate::report::{
    Format, HumanOptions, OutputFile, write_output_files, write_report, write_step_summary,
};

mod conventions;

pub use conventions::{ColorChoice, RulesFormat};

/// The most worker threads `-j` takes (and the default uses).
const MAX_THREADS: u16 = 256;

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

    /// Also write FORMAT to PATH in the same run, while --format goes to stdout (repeatable),
    /// e.g. `--format github --output-file sarif=kubeward.sarif`. A PATH that is a symlink or
    /// one of the files read is refused; the file is replaced, never written through.
    #[arg(long, value_name = "FORMAT=PATH", value_parser = OutputFile::parse)]
    pub output_file: Vec<OutputFile>,

    /// Load the manifests under DIR as context only: rules that relate objects across files
    /// see them, but only the PATHs given are reported on (pre-commit: `--context .`).
    #[arg(long, value_name = "DIR")]
    pub context: Vec<String>,

    /// Exit with 1 when a finding is at or above this severity [default: the config's
    /// `fail-on`, else error].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,

    /// Config file [default: .kubeward.yaml found upward from the current directory, up to the
    /// repository root].
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,

    /// Hide the findings recorded in this baseline; report only new ones.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Record the current findings as a baseline (after --baseline, if given) and exit 0.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// Worker threads, 1 to 256 (default: all cores, at most 256). The output is identical
    /// for any value.
    #[arg(short = 'j', long, value_parser = clap::value_parser!(u16).range(1..=i64::from(MAX_THREADS)))]
    pub threads: Option<u16>,

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

    /// Run only these rules (comma-separated or repeated; the config's levels still apply).
    /// parse-error, io-error and internal-error are always reported unless ignored.
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub select: Option<Vec<String>>,

    /// Also run these rules, on top of the config's set (even ones it switches off).
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub extend_select: Vec<String>,

    /// Do not run these rules (wins over --select, --extend-select and the config).
    #[arg(long, value_name = "RULE", value_delimiter = ',')]
    pub ignore: Vec<String>,

    /// Print only the findings: no per-rule table, no closing line (human format).
    #[arg(short, long)]
    pub quiet: bool,

    /// Print only the number of findings per rule and severity, one line each.
    #[arg(long, conflicts_with = "quiet")]
    pub statistics: bool,

    /// Colour in the human report: auto (a terminal and no NO_COLOR), always, never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    /// The path to report standard input's findings under (`helm template . | kubeward -
    /// --stdin-filename chart.yaml`), for editors, pre-commit and CI annotations.
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<String>,

    /// After the report, print to stderr a table of the wall and CPU time of each phase
    /// (discover, read + parse, kustomize build, index, rules, suppress, report) and of each
    /// rule. Stdout is the same with or without it.
    #[arg(long)]
    pub timings: bool,
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
    /// List every rule: id, severity under the loaded config (and every level its findings
    /// can carry), whether it runs, category, summary.
    Rules {
        /// Output format.
        #[arg(long, value_enum, default_value_t = RulesFormat::Human)]
        format: RulesFormat,
    },
    /// Print the JSON Schema of the config file (.kubeward.yaml), for editors.
    ConfigSchema,
    /// Print a rule's catalogue entry (built-in rules and the config's custom policies).
    Explain {
        /// The rule id, e.g. `latest-image-tag`.
        rule: String,
    },
    /// Print a shell completion script: `kubeward completions bash > ~/.local/share/bash-completion/completions/kubeward`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
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
    /// a directory holding a kustomization prints what `kubectl kustomize DIR` prints; a Helm
    /// chart (a folder with Chart.yaml, or a .tgz) prints what `helm template CHART` prints,
    /// with the same flags. Exits 1 when a kustomization or chart fails (the error on stderr).
    Render {
        /// Files and directories.
        #[arg(default_value = ".")]
        paths: Vec<String>,
        #[command(flatten)]
        helm: Box<HelmFlags>,
    },
}

/// `helm template`'s flags, for `kubeward render CHART`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct HelmFlags {
    /// Helm: the release name [default: release-name].
    #[arg(long, value_name = "NAME")]
    pub release_name: Option<String>,
    /// Helm: a template whose output is the release name.
    #[arg(long, value_name = "TEMPLATE")]
    pub name_template: Option<String>,
    /// Helm: the release namespace [default: default].
    #[arg(short = 'n', long, value_name = "NS")]
    pub namespace: Option<String>,
    /// Helm: a values file (repeatable; later files win).
    #[arg(short = 'f', long = "values", value_name = "FILE")]
    pub values: Vec<String>,
    /// Helm: set values (`a.b=c`, repeatable).
    #[arg(long, value_name = "K=V")]
    pub set: Vec<String>,
    /// Helm: set string values (repeatable).
    #[arg(long, value_name = "K=V")]
    pub set_string: Vec<String>,
    /// Helm: set values from files (repeatable).
    #[arg(long, value_name = "K=PATH")]
    pub set_file: Vec<String>,
    /// Helm: set JSON values (repeatable).
    #[arg(long, value_name = "K=JSON")]
    pub set_json: Vec<String>,
    /// Helm: set a literal string value (repeatable).
    #[arg(long, value_name = "K=V")]
    pub set_literal: Vec<String>,
    /// Helm: API versions for .Capabilities.APIVersions (repeatable, or comma-separated).
    #[arg(
        short = 'a',
        long = "api-versions",
        value_name = "GV",
        value_delimiter = ','
    )]
    pub api_versions: Vec<String>,
    /// Helm: .Capabilities.KubeVersion (`1.29`, `v1.25.0`) [default: the newest supported].
    #[arg(long, value_name = "V")]
    pub kube_version: Option<String>,
    /// Helm: only the documents of these templates (repeatable; globs).
    #[arg(short = 's', long = "show-only", value_name = "TEMPLATE")]
    pub show_only: Vec<String>,
    /// Helm: leave out test hooks.
    #[arg(long)]
    pub skip_tests: bool,
    /// Helm: leave out every hook.
    #[arg(long)]
    pub no_hooks: bool,
    /// Helm: print the charts' CRDs first.
    #[arg(long)]
    pub include_crds: bool,
}

impl HelmFlags {
    pub fn options(&self) -> crate::helm::render::HelmOptions {
        crate::helm::render::HelmOptions {
            release_name: self.release_name.clone(),
            name_template: self.name_template.clone(),
            namespace: self.namespace.clone(),
            values: self.values.clone(),
            set: self.set.clone(),
            set_string: self.set_string.clone(),
            set_file: self.set_file.clone(),
            set_json: self.set_json.clone(),
            set_literal: self.set_literal.clone(),
            api_versions: self.api_versions.clone(),
            kube_version: self.kube_version.clone(),
            target: None,
            show_only: self.show_only.clone(),
            skip_tests: self.skip_tests,
            no_hooks: self.no_hooks,
            include_crds: self.include_crds,
            debug: false,
            helm_test_capabilities: false,
        }
    }
}

pub fn main() -> ExitCode {
    crate::finding::install_quiet_panic_hook();
    let cli = Cli::parse();
    let timings = cli.timings;
    if timings {
        crate::timings::enable();
    }
    let result = run(cli);
    if timings {
        crate::timings::lap(crate::timings::Phase::Report);
        // After the report and any error message; stderr only, so stdout is unchanged.
        let _ = crate::timings::write_table(&mut std::io::stderr().lock());
    }
    match result {
        Ok(code) => code,
        // A reader that went away (`kubeward | head`) is not an error worth a message.
        Err(Error::Output(err)) if err.kind() == std::io::ErrorKind::BrokenPipe => {
            ExitCode::SUCCESS
        }
        Err(err) => {
            // A closed stderr must not panic either.
            let _ = writeln!(std::io::stderr(), "kubeward: error: {err}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, Error> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if let Some(Command::Render { paths, helm }) = &cli.command {
        let charts = paths
            .iter()
            .filter(|p| crate::helm::render::is_chart(std::path::Path::new(p)));
        let code = if charts.count() > 0 {
            let mut code = 0u8;
            for p in paths {
                if !crate::helm::render::is_chart(std::path::Path::new(p)) {
                    code = code.max(
                        crate::kustomize::render(
                            std::slice::from_ref(p),
                            &mut out,
                            &mut std::io::stderr(),
                        )
                        .map_err(Error::Output)?,
                    );
                    continue;
                }
                match crate::helm::render::render_chart(std::path::Path::new(p), &helm.options()) {
                    Ok(rendered) => {
                        out.write_all(rendered.stream_text.as_bytes())
                            .map_err(Error::Output)?;
                        // What Helm would do differently (stand-ins for time and randomness,
                        // its warnings), on stderr so the stream stays `helm template`'s.
                        for note in &rendered.notes {
                            let _ = writeln!(std::io::stderr(), "note: {p}: {note}");
                        }
                    }
                    Err(e) => {
                        let _ = writeln!(std::io::stderr(), "Error: {}", e.message);
                        code = 1;
                    }
                }
            }
            code
        } else {
            crate::kustomize::render(paths, &mut out, &mut std::io::stderr())
                .map_err(Error::Output)?
        };
        out.flush().map_err(Error::Output)?;
        return Ok(ExitCode::from(code));
    }
    if let Some(Command::ConfigSchema) = cli.command {
        let schema = serde_json::to_string_pretty(&config_schema()).unwrap_or_default();
        writeln!(out, "{schema}").map_err(Error::Output)?;
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(Command::Completions { shell }) = cli.command {
        conventions::write_completions(shell, &mut out)?;
        return Ok(ExitCode::SUCCESS);
    }
    if cli.command.is_none() {
        conventions::check_mistyped_subcommand(&cli.paths)?;
    }
    let cwd = std::env::current_dir().map_err(|source| Error::Path {
        path: ".".to_string(),
        source,
    })?;
    let linted = match &cli.command {
        Some(Command::Inspect { paths, .. }) => paths.as_slice(),
        _ => cli.paths.as_slice(),
    };
    let config = Config::discover(cli.config.as_deref(), &cwd, linted)?;
    let selection = Selection {
        select: cli.select.clone(),
        extend_select: cli.extend_select.clone(),
        ignore: cli.ignore.clone(),
    };
    let registry = Arc::new(Registry::from_config_selected(&config, &selection)?);
    match cli.command {
        Some(Command::Rules { format }) => {
            conventions::write_rules(&registry, format, &mut out)?;
            return Ok(ExitCode::SUCCESS);
        }
        Some(Command::Explain { rule }) => {
            conventions::write_explain(&registry, &rule, &mut out)?;
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
                stdin_filename: cli.stdin_filename.clone(),
                helm: config.helm.clone(),
            };
            crate::inspect::run(&options, format, &mut out)?;
            out.flush().map_err(Error::Output)?;
            return Ok(ExitCode::SUCCESS);
        }
        Some(Command::ConfigSchema | Command::Render { .. } | Command::Completions { .. })
        | None => {}
    }
    // Each worker costs a thread and an allocator heap: `-j 100000` would spend minutes and
    // gigabytes starting them, so the count is bounded (a machine's cores too).
    let threads = cli.threads.map_or_else(
        || {
            std::thread::available_parallelism()
                .map_or(1, usize::from)
                .min(usize::from(MAX_THREADS))
        },
        usize::from,
    );
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads);
    let pool = pool.build().map_err(|e| Error::Threads {
        threads,
        message: e.to_string(),
    })?;
    crate::timings::set_threads(pool.current_num_threads());
    let options = LintOptions {
        paths: cli.paths,
        workspace: WorkspaceOptions {
            default_namespace: cli.namespace,
            kube_version: effective_kube_version(cli.kube_version, &config)?,
            strict_crds: cli.strict_crds,
        },
        exclude: config.exclude.clone(),
        registry,
        stdin_filename: cli.stdin_filename.clone(),
        helm: config.helm.clone(),
    };
    crate::timings::lap(crate::timings::Phase::Setup);
    let mut result = pool.install(|| lint_with_context(&options, &cli.context))?;
    if let Some(name) = cli.stdin_filename.as_deref().filter(|n| !n.is_empty()) {
        for file in &mut result.workspace.files {
            if file.source.path == "<stdin>" {
                file.source.path = name.to_string();
            }
        }
    }
    if let Some(path) = &cli.baseline {
        let baseline = Baseline::read(path)?;
        result.baseline = Some(baseline.apply(&mut result));
    }
    if let Some(path) = &cli.write_baseline {
        let baseline = Baseline::from_result(&result);
        let shown = crate::discover::display_name(path, &crate::discover::PathBase::current());
        let linted = result
            .reported_files()
            .any(|file| result.workspace.source(file).path == shown);
        baseline.write(path, linted)?;
        eprintln!(
            "kubeward: wrote {} findings to the baseline {}",
            baseline.findings.len(),
            path.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let format = cli.format.unwrap_or_else(default_format);
    let human = HumanOptions {
        color: cli.color.enabled(),
        width: conventions::terminal_width(),
    };
    let fail_on = cli.fail_on.or(config.fail_on).unwrap_or(FailOn::Error);
    result.failure_threshold = fail_on.threshold();
    let failed = fail_on.threshold().is_some_and(|threshold| {
        result
            .findings
            .iter()
            .any(|f| f.effective_severity() >= threshold)
    });
    // Rendered on the run's pool (the human report renders findings in parallel and streams
    // them out a batch of files at a time; the other formats are written whole);
    // `--output-file` formats first, to their files.
    let config_path = config
        .source
        .as_ref()
        .map(|source| PathBuf::from(&source.path));
    let also_read: Vec<&std::path::Path> = config_path
        .iter()
        .chain(&config.policies)
        .chain(&cli.baseline)
        .map(PathBuf::as_path)
        .collect();
    pool.install(|| write_output_files(&result, &cli.output_file, &human, &also_read))?;
    // Written from the pool's threads: through `Stdout` (each buffer-full locks it), not the
    // lock this thread holds.
    drop(out);
    let mut stream = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout());
    let written = pool
        .install(|| {
            if cli.statistics {
                crate::report::write_statistics(&result, &mut stream)
            } else if cli.quiet && format == Format::Human {
                crate::report::write_human_findings(&result, &human, &mut stream)
            } else {
                write_report(&result, format, &human, &mut stream)
            }
        })
        .and_then(|()| stream.flush());
    drop(stream);
    // A reader that went away (`kubeward . | head`) has what it wanted; the exit status
    // still says what the findings say, so `set -o pipefail` scripts fail on errors.
    match written {
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.map_err(Error::Output)?,
    }
    // One job summary per run, whether the annotations go to stdout or to a file.
    if format == Format::Github || cli.output_file.iter().any(|f| f.format == Format::Github) {
        append_step_summary(&result)?;
    }
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
