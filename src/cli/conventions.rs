//! The command-line conventions users type without thinking (issue 16): `--color`, the
//! terminal's width, `rules --format json`, `explain` of any rule with did-you-mean, a
//! did-you-mean for mistyped subcommands, shell completions, and exit statuses that survive a
//! closed pipe.

use std::io::{IsTerminal, Write};
use std::path::Path;

use clap::CommandFactory;
use serde::Serialize;

use super::Cli;
use crate::catalogue::{self, CatalogueEntry};
use crate::error::Error;
use crate::registry::Registry;
use crate::suggest::{did_you_mean, id_hint};

/// When the human report uses colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and `NO_COLOR` is unset or empty.
    #[default]
    Auto,
    /// Always colour (wins over `NO_COLOR`).
    Always,
    /// Never colour.
    Never,
}

impl ColorChoice {
    pub(crate) fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::io::stdout().is_terminal()
            }
        }
    }
}

/// The width the human report wraps at: `COLUMNS` when set (an explicit choice), else the
/// terminal's own width, else 100.
pub(crate) fn terminal_width() -> usize {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|w| *w > 0)
        .or_else(|| terminal_size::terminal_size().map(|(w, _)| usize::from(w.0)))
        .filter(|w| *w > 0)
        .unwrap_or(100)
}

/// The output format of `kubeward rules`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum RulesFormat {
    /// One line per rule: id, severities, enabled, category, summary.
    #[default]
    Human,
    /// A JSON array of `{id, severity, severities, category, summary, enabled}`.
    Json,
}

/// One rule as `kubeward rules` lists it.
#[derive(Debug, Serialize)]
struct RuleListing {
    id: String,
    /// The level its findings get by default under the loaded config (for a rule switched
    /// off: the level it would have).
    severity: String,
    /// Every level its findings can carry, lowest first.
    severities: Vec<String>,
    category: String,
    summary: String,
    enabled: bool,
    /// The custom policy file, for custom policies.
    #[serde(skip_serializing_if = "Option::is_none")]
    policy: Option<String>,
    /// The config sets its level.
    #[serde(skip)]
    configured: bool,
}

fn entry_of<'a>(registry: &'a Registry, id: &str) -> Option<&'a CatalogueEntry> {
    catalogue::entry(id).or_else(|| registry.custom_entries.iter().find(|e| e.id == id))
}

fn listings(registry: &Registry) -> Vec<RuleListing> {
    registry
        .infos
        .values()
        .map(|info| {
            let entry = entry_of(registry, info.id.as_str());
            let mut severities: Vec<crate::finding::Severity> = entry
                .map(CatalogueEntry::all_severities)
                .unwrap_or_default();
            // A configured level replaces the default one.
            if info.configured {
                severities.retain(|s| entry.is_none_or(|e| *s != e.default_severity()));
            }
            severities.push(info.default_severity);
            severities.sort_unstable();
            severities.dedup();
            RuleListing {
                id: info.id.as_str().to_string(),
                severity: info.default_severity.to_string(),
                severities: severities.iter().map(ToString::to_string).collect(),
                category: entry.map(|e| e.category.clone()).unwrap_or_default(),
                summary: info.summary.clone(),
                enabled: info.effective.is_some(),
                policy: info.policy_file.clone(),
                configured: info.configured,
            }
        })
        .collect()
}

/// `kubeward rules [--format json]`.
pub(crate) fn write_rules(
    registry: &Registry,
    format: RulesFormat,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let rules = listings(registry);
    match format {
        RulesFormat::Json => {
            let text = serde_json::to_string_pretty(&rules).unwrap_or_default();
            writeln!(out, "{text}").map_err(Error::Output)
        }
        RulesFormat::Human => {
            for rule in &rules {
                let state = if rule.enabled { "on" } else { "off" };
                let severities = if rule.severities.len() > 1 {
                    format!("{} ({})", rule.severity, rule.severities.join("/"))
                } else {
                    rule.severity.clone()
                };
                let note = match (&rule.policy, rule.configured) {
                    (Some(file), _) => format!(" [policy {file}]"),
                    (None, true) => " [set by config]".to_string(),
                    (None, false) => String::new(),
                };
                writeln!(
                    out,
                    "{:<28} {:<24} {:<4} {:<12} {}{note}",
                    rule.id, severities, state, rule.category, rule.summary
                )
                .map_err(Error::Output)?;
            }
            Ok(())
        }
    }
}

/// `kubeward explain RULE`: a built-in rule or a custom policy of the loaded config; an
/// unknown id is a usage error with the nearest id.
pub(crate) fn write_explain(
    registry: &Registry,
    rule: &str,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let Some(entry) = entry_of(registry, rule) else {
        return Err(Error::Usage(format!(
            "unknown rule `{rule}`{} (see `kubeward rules`)",
            id_hint(rule, registry.ids())
        )));
    };
    write!(out, "{}", entry.explain()).map_err(Error::Output)?;
    let id = &entry.id;
    write!(
        out,
        "\nSwitch it off\n  in .kubeward.yaml: `rules: {{{id}: off}}`; for one run: `kubeward --ignore {id}`\n\
         \nSuppress one finding\n  a comment on the line above the node: `# kubeward-ignore: {id} -- reason`\n  \
         (or at the end of the finding's line); for a whole object, the annotation\n  \
         `kubeward.io/ignore: \"{id}\"`\n"
    )
    .map_err(Error::Output)
}

/// The subcommands' names (for did-you-mean).
fn subcommands() -> Vec<String> {
    Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect()
}

/// A path argument that does not exist but reads like a mistyped subcommand (`kubeward rule`,
/// `kubeward explian x`) is a usage error with "did you mean", not "cannot read `rule`".
pub(crate) fn check_mistyped_subcommand(paths: &[String]) -> Result<(), Error> {
    let names = subcommands();
    for path in paths {
        if path == "-" || std::fs::symlink_metadata(Path::new(path)).is_ok() {
            continue;
        }
        if let Some(name) = did_you_mean(path, names.iter().map(String::as_str)) {
            return Err(Error::Usage(format!(
                "`{path}` is neither a subcommand nor an existing path (did you mean `{name}`?)"
            )));
        }
    }
    Ok(())
}

/// `kubeward completions SHELL`.
pub(crate) fn write_completions(
    shell: clap_complete::Shell,
    out: &mut dyn Write,
) -> Result<(), Error> {
    let mut command = Cli::command();
    let mut buffer = Vec::new();
    clap_complete::generate(shell, &mut command, "kubeward", &mut buffer);
    out.write_all(&buffer).map_err(Error::Output)
}
