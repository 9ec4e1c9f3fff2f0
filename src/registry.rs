//! The rules of a run: built-in rules, built-in declarative rules (catalogue entries with a
//! `schema`), and the config's custom policies, each with its effective severity (the config's
//! `rules.<id>` wins over a rule's own choice, which wins over the catalogue default).

use std::collections::BTreeMap;

use crate::catalogue::{self, CatalogueEntry, parse_entry_text};
use crate::config::{Config, RuleLevel};
use crate::error::Error;
use crate::finding::{Finding, Severity};
use crate::policy::PolicyRule;
use crate::rule_id::{RuleId, RuleName};
use crate::rules::{Rule, builtin_rules, non_check_rules};
use crate::suggest::hint;

/// What the registry knows of each rule.
#[derive(Debug, Clone)]
pub struct RuleInfo {
    pub id: RuleName,
    pub default_severity: Severity,
    /// `None`: switched off by the config.
    pub effective: Option<Severity>,
    /// The config set this rule's level.
    pub configured: bool,
    pub summary: String,
    /// The custom policy file, for rules that come from one.
    pub policy_file: Option<String>,
}

pub struct Registry {
    pub rules: Vec<Box<dyn Rule>>,
    /// Every rule id, sorted: checks, source and pipeline rules, custom policies.
    pub infos: BTreeMap<&'static str, RuleInfo>,
    /// The catalogue entries of the config's custom policies (the built-in catalogue is
    /// [`catalogue::catalogue`]), in the config's order: reports that document rules (SARIF)
    /// list them too.
    pub custom_entries: Vec<CatalogueEntry>,
}

impl Registry {
    /// The built-in rules with their defaults (no config).
    pub fn builtin() -> Registry {
        Registry::from_config(&Config::default())
            .unwrap_or_else(|e| panic!("built-in rules are invalid: {e}"))
    }

    /// The rules a config text (`.kubeward.yaml` syntax) selects, relative paths resolved from
    /// the current directory: for tests and embedders that have no config file (the fixture
    /// harness switches rules that are off by default on this way).
    pub fn from_config_text(text: &str) -> Result<Registry, Error> {
        let source = crate::source::SourceFile::new(".kubeward.yaml", text);
        Registry::from_config(&Config::parse(source, std::path::PathBuf::from("."))?)
    }

    pub fn from_config(config: &Config) -> Result<Registry, Error> {
        Registry::from_config_selected(config, &Selection::default())
    }

    /// The rules of the config, then the command line's selection over them (flags win).
    pub fn from_config_selected(config: &Config, selection: &Selection) -> Result<Registry, Error> {
        let mut rules = builtin_rules();
        for entry in catalogue::catalogue().iter().filter(|e| e.schema.is_some()) {
            // Compiled on first use: startup stays short (`PolicyRule::new_lazy`).
            let id = entry.id.parse().map_err(|_| Error::Policy {
                path: format!("rules/{}.yaml", entry.id),
                message: "not a built-in rule id".to_string(),
            })?;
            let rule = PolicyRule::new_lazy(RuleName::Builtin(id), entry).map_err(|message| {
                Error::Policy {
                    path: format!("rules/{}.yaml", entry.id),
                    message,
                }
            })?;
            rules.push(Box::new(rule));
        }
        let mut infos: BTreeMap<&'static str, RuleInfo> = BTreeMap::new();
        let known: Vec<RuleName> = rules
            .iter()
            .map(|r| r.id())
            .chain(non_check_rules().map(RuleName::Builtin))
            .collect();
        for id in known {
            let entry = catalogue::entry(id.as_str());
            infos.insert(
                id.as_str(),
                RuleInfo {
                    id,
                    default_severity: entry
                        .map_or(Severity::Error, CatalogueEntry::default_severity),
                    effective: None,
                    configured: false,
                    summary: entry
                        .map(|e| e.summary.trim().to_string())
                        .unwrap_or_default(),
                    policy_file: None,
                },
            );
        }
        let mut custom_entries = Vec::new();
        for path in &config.policies {
            let display = path.display().to_string();
            let policy_error = |message: String| Error::Policy {
                path: display.clone(),
                message,
            };
            let text = crate::load::input::read_regular_file(path).map_err(policy_error)?;
            // Say what is wrong and where, never the file's text: a policy path names a file
            // kubeward was not asked to lint.
            let entry = parse_entry_text(&text)
                .map_err(|message| policy_error(without_file_text(&message)))?;
            if entry.implementation.is_some() {
                return Err(policy_error(
                    "`implementation` is for built-in rules; a custom policy is checked by its \
                     `schema`"
                        .to_string(),
                ));
            }
            if infos.contains_key(entry.id.as_str()) {
                return Err(policy_error(format!(
                    "id `{}` is already a rule; choose another id",
                    entry.id
                )));
            }
            // Rule ids are `&'static str` everywhere; a custom policy's id lives for the run.
            let id: &'static str = Box::leak(entry.id.clone().into_boxed_str());
            rules.push(Box::new(
                PolicyRule::new(RuleName::Custom(id), &entry).map_err(policy_error)?,
            ));
            custom_entries.push(entry.clone());
            infos.insert(
                id,
                RuleInfo {
                    id: RuleName::Custom(id),
                    default_severity: entry.default_severity(),
                    effective: None,
                    configured: false,
                    summary: entry.summary.trim().to_string(),
                    policy_file: Some(display),
                },
            );
        }
        for (id, setting) in &config.rules {
            let Some(info) = infos.get_mut(id.as_str()) else {
                return Err(config.error(
                    setting.key_span,
                    &format!(
                        "unknown rule `{id}`{}",
                        hint(id, known_ids(&rules).into_iter())
                    ),
                ));
            };
            info.configured = setting.level != RuleLevel::Default;
            if let RuleLevel::Severity(severity) = setting.level {
                info.default_severity = severity;
            }
            if let Some(rule) = rules.iter_mut().find(|r| r.id().as_str() == id) {
                rule.configure(&setting.params)
                    .map_err(|message| config.error(setting.value_span, &message))?;
            } else if let Some(key) = setting.params.keys().next() {
                return Err(config.error(
                    setting.value_span,
                    &format!("rule `{id}` has no parameter `{key}`"),
                ));
            }
        }
        for info in infos.values_mut() {
            let level = config
                .rules
                .get(info.id.as_str())
                .map_or(RuleLevel::Default, |s| s.level);
            info.effective = match level {
                RuleLevel::Off => None,
                // `severity: off` in the catalogue: on only when the config sets a level.
                RuleLevel::Default
                    if matches!(info.id, RuleName::Builtin(_))
                        && catalogue::entry(info.id.as_str())
                            .is_some_and(CatalogueEntry::off_by_default) =>
                {
                    None
                }
                _ => Some(info.default_severity),
            };
        }
        selection.apply(&mut infos)?;
        // Switched-off rules do not run at all.
        rules.retain(|r| {
            infos
                .get(r.id().as_str())
                .is_some_and(|i| i.effective.is_some())
        });
        Ok(Registry {
            rules,
            infos,
            custom_entries,
        })
    }

    /// Resolves each finding's severity (config, else the rule's own, else the default) and
    /// drops findings of rules the config switched off.
    pub fn resolve(&self, findings: &mut Vec<Finding>) {
        // Aliases of `pod-security` checks that the config switched off drop that check's
        // findings (`rules/host-network.yaml`).
        let aliases_off: Vec<&str> = crate::rules::pod_security::ALIASES
            .iter()
            .map(|(alias, _)| alias.as_str())
            .filter(|alias| self.infos.get(alias).is_some_and(|i| i.effective.is_none()))
            .collect();
        findings.retain_mut(|finding| {
            if aliases_off
                .iter()
                .any(|alias| crate::rules::pod_security::alias_selects(alias, finding))
            {
                return false;
            }
            let Some(info) = self.infos.get(finding.rule.as_str()) else {
                finding.severity = finding.severity.or(Some(Severity::Error));
                return true;
            };
            let Some(effective) = info.effective else {
                return false;
            };
            finding.severity = if info.configured {
                // `pod-security` findings carry their namespace's severity (enforce: error;
                // warn, audit: warning): a configured severity caps it.
                match finding.severity {
                    Some(own) if finding.rule.builtin() == Some(crate::rules::pod_security::ID) => {
                        Some(own.min(effective))
                    }
                    _ => Some(effective),
                }
            } else {
                finding.severity.or(Some(effective))
            };
            true
        });
    }

    pub fn is_known(&self, id: &str) -> bool {
        self.infos.contains_key(id)
    }

    /// A known rule that does not run in this run (switched off or not selected).
    pub fn is_off(&self, id: &str) -> bool {
        let off = |id: &str| self.infos.get(id).is_some_and(|i| i.effective.is_none());
        let alias = crate::rules::pod_security::ALIASES
            .iter()
            .any(|(a, _)| a.as_str() == id);
        off(id) || (alias && off(crate::rules::pod_security::ID.as_str()))
    }

    pub fn ids(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.infos.keys().copied()
    }
}

/// The command line's rule selection, with ruff's names: `--select` runs only the rules it
/// names (the config's levels still give their severities; a rule the config switched off
/// runs when named), `--extend-select` adds rules to the config's set (switching on rules the
/// config switched off), `--ignore` drops rules whatever else says. `parse-error`, `io-error`
/// and `internal-error` are always reported unless `--ignore` names them. A
/// `pod-security` alias (`host-network`, ...) not named keeps its config level; naming one
/// in `--select` runs `pod-security`.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub select: Option<Vec<String>>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
}

/// Rules that report what the run could not read: never dropped by `--select`.
const ALWAYS_REPORTED: [RuleId; 3] = [RuleId::ParseError, RuleId::IoError, RuleId::InternalError];

impl Selection {
    pub fn is_empty(&self) -> bool {
        self.select.is_none() && self.extend_select.is_empty() && self.ignore.is_empty()
    }

    fn apply(&self, infos: &mut BTreeMap<&'static str, RuleInfo>) -> Result<(), Error> {
        if self.is_empty() {
            return Ok(());
        }
        let lists = [
            ("--select", self.select.as_deref().unwrap_or_default()),
            ("--extend-select", self.extend_select.as_slice()),
            ("--ignore", self.ignore.as_slice()),
        ];
        for (flag, ids) in lists {
            for id in ids {
                if !infos.contains_key(id.as_str()) {
                    return Err(Error::Usage(format!(
                        "{flag}: unknown rule `{id}`{} (see `kubeward rules`)",
                        crate::suggest::id_hint(id, infos.keys().copied())
                    )));
                }
            }
        }
        let named = |list: &[String], id: &str| list.iter().any(|x| x == id);
        let is_alias = |id: &str| {
            crate::rules::pod_security::ALIASES
                .iter()
                .any(|(alias, _)| alias.as_str() == id)
        };
        let alias_selected = self
            .select
            .iter()
            .flatten()
            .chain(&self.extend_select)
            .any(|id| is_alias(id));
        for (id, info) in infos.iter_mut() {
            let on = Some(info.default_severity);
            if let Some(select) = &self.select {
                let always = ALWAYS_REPORTED.iter().any(|r| r.as_str() == *id);
                let pulled_in = alias_selected && *id == crate::rules::pod_security::ID.as_str();
                if named(select, id) || pulled_in {
                    info.effective = on;
                } else if !(always || is_alias(id) || named(&self.extend_select, id)) {
                    info.effective = None;
                }
            }
            if named(&self.extend_select, id)
                || (alias_selected && *id == crate::rules::pod_security::ID.as_str())
            {
                info.effective = on;
            }
            if named(&self.ignore, id) {
                info.effective = None;
            }
        }
        Ok(())
    }
}

fn known_ids(rules: &[Box<dyn Rule>]) -> Vec<&'static str> {
    let mut ids: Vec<&'static str> = rules.iter().map(|r| r.id().as_str()).collect();
    ids.extend(non_check_rules().map(|id| id.as_str()));
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_registry_runs_or_knows_every_catalogue_rule_once() {
        let registry = Registry::builtin();
        let ids: Vec<&str> = registry.ids().collect();
        let all: Vec<&str> = RuleId::ALL.iter().map(|id| id.as_str()).collect();
        assert_eq!(ids, all);
        let mut checked: Vec<&str> = registry.rules.iter().map(|r| r.id().as_str()).collect();
        let count = checked.len();
        checked.sort_unstable();
        checked.dedup();
        assert_eq!(checked.len(), count, "a rule is registered twice");
    }
}

/// Field names of a policy, which an error may name (they are kubeward's words, not the file's).
const POLICY_WORDS: &[&str] = &[
    "id",
    "severity",
    "category",
    "summary",
    "rationale",
    "fix",
    "help",
    "examples",
    "implementation",
    "match",
    "schema",
    "kinds",
    "namespaces",
    "labels",
    "bad",
    "good",
    "error",
    "warning",
    "info",
    "off",
];

/// An error message with every quoted piece of the file's text (`"..."`, `` `...` ``) replaced
/// by `...`, except policy field names.
pub(crate) fn without_file_text(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(open) = rest.find(['"', '`']) {
        let (before, from_quote) = rest.split_at(open);
        out.push_str(before);
        let mut chars = from_quote.chars();
        let quote = chars.next().unwrap_or('"');
        let after = chars.as_str();
        match after.find(quote) {
            Some(close) => {
                let (quoted, tail) = after.split_at(close);
                let keep = quote == '`' && POLICY_WORDS.contains(&quoted);
                out.push(quote);
                out.push_str(if keep { quoted } else { "..." });
                out.push(quote);
                rest = tail.strip_prefix(quote).unwrap_or(tail);
            }
            None => {
                out.push(quote);
                out.push_str("...");
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod file_text_tests {
    use super::without_file_text;

    #[test]
    fn quoted_text_is_dropped_field_names_kept() {
        assert_eq!(
            without_file_text(r#"invalid type: string "https://u:tok@h", expected struct"#),
            r#"invalid type: string "...", expected struct"#
        );
        assert_eq!(
            without_file_text("unknown field `ghp_x`, expected one of `id`, `summary`"),
            "unknown field `...`, expected one of `id`, `summary`"
        );
        assert_eq!(
            without_file_text("missing field `id`"),
            "missing field `id`"
        );
        assert_eq!(without_file_text("open \"tok"), "open \"...");
    }
}
