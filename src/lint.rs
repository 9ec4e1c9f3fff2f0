//! The pipeline: discover, load (in parallel), build the workspace, run rules, sort.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};

use rayon::prelude::*;

use std::sync::Arc;

use crate::config::{Exclude, HelmConfig};
use crate::discover::{
    Discovered, Input, InputOrigin, PathBase, Skipped, discover_all, discover_each,
};
use crate::error::Error;
use crate::finding::{FileId, Finding};
use crate::load::input::{guard_file, load_input, read_stream_bounded};
use crate::model::{LoadedFile, Workspace, WorkspaceOptions};
use crate::outcome::LintResult;
use crate::redact::Redactions;
use crate::registry::Registry;
use crate::rules::run_rules;
use crate::timings::{self, Phase, Sum};

mod budget;
mod cap;
mod charts;
mod kustomized;
mod origins;
mod stdin_sources;

use origins::{BuiltMaps, FileIds};

#[derive(Clone)]
pub struct LintOptions {
    pub paths: Vec<String>,
    pub workspace: WorkspaceOptions,
    /// The config's `exclude` globs.
    pub exclude: Option<Exclude>,
    /// The rules to run, configured.
    pub registry: Arc<Registry>,
    /// `--stdin-filename`: when stdin holds `helm template` output, its findings are reported
    /// under the templates' paths in this file's folder (else the current directory). (The
    /// CLI itself renames `<stdin>`.)
    pub stdin_filename: Option<String>,
    /// The config's `helm` settings: how each configured chart renders.
    pub helm: HelmConfig,
}

impl Default for LintOptions {
    fn default() -> Self {
        LintOptions {
            paths: vec![".".to_string()],
            workspace: WorkspaceOptions::default(),
            exclude: None,
            registry: Arc::new(Registry::builtin()),
            stdin_filename: None,
            helm: HelmConfig::default(),
        }
    }
}

/// Lints the given paths. Runs on the current rayon pool.
pub fn lint(options: &LintOptions) -> Result<LintResult, Error> {
    lint_with_context(options, &[])
}

/// Lints the given paths with the files under `context` loaded as context only: rules see
/// their objects (a LimitRange, a referenced Secret), but only the files in `options.paths`
/// are reported on. A file both given and under a context directory is loaded once, as a
/// reported file (matched by canonical path). This is what a pre-commit hook needs: the
/// changed files, judged against the whole repository.
pub fn lint_with_context(options: &LintOptions, context: &[String]) -> Result<LintResult, Error> {
    let base = PathBase::current();
    let stdin_given = options.paths.iter().any(|path| path == "-");
    let (front, mut context_only) = if context.is_empty() && !stdin_given {
        (load_as_found(options, &base)?, Vec::new())
    } else {
        load_after_discovery(options, context, &base)?
    };
    let Front {
        inputs,
        skipped,
        loaded,
        builds,
        renders,
        stdin_file,
    } = front;
    let mut keys: Vec<String> = inputs.iter().map(|input| input.key.clone()).collect();
    let inputs_count = inputs.len();
    let mut findings = Vec::new();
    let mut files = Vec::with_capacity(loaded.len());
    let mut budget = budget::RunBudget::default();
    for (file_id, (mut file, file_findings)) in loaded.into_iter().enumerate() {
        findings.extend(file_findings);
        budget.charge(file_id, &mut file, &mut findings);
        files.push(file);
    }
    timings::lap(Phase::Load);
    let mut ids = if builds.is_empty() && renders.is_empty() {
        None
    } else {
        Some(FileIds::new(&files))
    };
    let mut appended = Vec::new();
    let mut maps = BuiltMaps::default();
    if let Some(ids) = ids.as_mut() {
        let added = kustomized::apply(&mut files, ids, builds);
        findings.extend(added.findings);
        appended = added.reported;
        maps = added.maps;
    }
    timings::lap(Phase::Kustomize);
    if let Some(ids) = ids.as_mut() {
        let charts = charts::apply(&mut files, ids, renders);
        // The load findings of rendered templates (`template-skipped`, a template is no
        // YAML) no longer apply: the chart's render is linted instead.
        let rendered: HashSet<usize> = charts.rendered_templates.iter().copied().collect();
        findings.retain(|f| !rendered.contains(&f.file));
        findings.extend(charts.findings);
        appended.extend(charts.reported);
        maps.files.extend(charts.maps.files);
    }
    timings::lap(Phase::Helm);
    if !appended.is_empty() {
        // Built files are seen by rules, never reported; origin files outside the linted
        // paths are reported (in a hook run, with `--context`, only the given files are).
        context_only.resize(inputs_count, false);
        context_only.extend(
            appended
                .iter()
                .map(|reported| !reported || !context.is_empty()),
        );
    }
    let mut workspace = Workspace::new(files, &options.workspace);
    timings::lap(Phase::Index);
    let registry = &options.registry;
    // Laps for object rules and workspace rules are taken inside.
    findings.extend(run_rules(&workspace, &registry.rules));
    maps.remap(&workspace, &mut findings);
    timings::lap(Phase::Remap);
    crate::suppress::apply(&workspace, registry, &mut findings);
    timings::lap(Phase::Suppress);
    if !context_only.is_empty() {
        findings.retain(|f| !context_only.get(f.file).copied().unwrap_or(false));
    }
    let (mut redactions, mut crashed) = Redactions::collect(&workspace, &findings);
    findings.append(&mut crashed);
    registry.resolve(&mut findings);
    redactions.apply(&mut findings);
    // `helm template` output on stdin: findings move to the templates' files.
    if let Some(templates) = stdin_file.and_then(|stdin| {
        stdin_sources::StdinTemplates::read(&workspace, stdin, options.stdin_filename.as_deref())
    }) {
        templates.apply(
            &mut workspace,
            &mut redactions,
            &mut findings,
            &mut context_only,
            &mut keys,
        );
    }
    sort_findings(&workspace, &mut findings);
    cap::cap_per_object_and_rule(&mut findings);
    timings::lap(Phase::Finish);
    Ok(LintResult {
        workspace,
        findings,
        baseline: None,
        custom_rules: registry.custom_entries.clone(),
        context_only,
        redactions,
        failure_threshold: Some(crate::finding::Severity::Error),
        keys,
        skipped,
    })
}

/// One input's loaded file and its load findings.
type Loaded = (LoadedFile, Vec<Finding>);

/// What the front of the pipeline gives: the run's inputs (sorted by display path), each
/// one's loaded file and load findings (same order), the kustomize builds and Helm renders of
/// the run's paths, and which input is stdin.
struct Front {
    inputs: Vec<Input>,
    skipped: Skipped,
    loaded: Vec<Loaded>,
    builds: kustomized::Builds,
    renders: charts::Renders,
    stdin_file: Option<usize>,
}

/// Is `input` left out by the config's `exclude` globs?
fn excluded(options: &LintOptions, input: &Input) -> bool {
    match (&options.exclude, &input.origin) {
        (
            Some(exclude),
            InputOrigin::Explicit(path)
            | InputOrigin::Walked(path)
            | InputOrigin::Unreadable(path, _),
        ) => exclude.is_excluded(path),
        _ => false,
    }
}

/// Reads and parses one input (under the crash guard), timed.
fn load_one(file_id: FileId, input: &Input, stdin: Option<&[u8]>) -> Loaded {
    let started = timings::start();
    let loaded = guard_file(file_id, input, || load_input(file_id, input, stdin));
    timings::add(Sum::Load, started);
    loaded
}

/// Builds the kustomizations and renders the charts among the run's inputs. They read the file
/// system themselves and need only the run's paths, so they run while files load: the
/// threads share the work and no stage waits for another's slowest piece.
fn build_and_render(
    inputs: &[Input],
    options: &LintOptions,
) -> (kustomized::Builds, charts::Renders) {
    let paths: Vec<&str> = inputs.iter().map(|input| input.display.as_str()).collect();
    rayon::join(
        || kustomized::build(&paths),
        || charts::render(&paths, options),
    )
}

/// The front of a plain run (no `--context`, no stdin): each file is read and parsed as a task
/// of its own as soon as the walk finds it, while the walk goes on; once the walk is done the
/// builds and renders start beside the loads still running. Loads are numbered in the order
/// found and renumbered once the inputs are sorted (a file's load findings are all about it).
fn load_as_found(options: &LintOptions, base: &PathBase) -> Result<Front, Error> {
    let pending: Mutex<Vec<(Input, Loaded)>> = Mutex::new(Vec::new());
    let (discovered, builds, renders) = rayon::scope(|scope| {
        let pending = &pending;
        let discovered = discover_each(&options.paths, base, &|input: &Input| {
            if excluded(options, input) {
                return;
            }
            let input = input.clone();
            scope.spawn(move |_| {
                let loaded = load_one(0, &input, None);
                pending
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push((input, loaded));
            });
        })?;
        let mut inputs = discovered.inputs;
        inputs.retain(|input| !excluded(options, input));
        timings::lap(Phase::Discover);
        let (builds, renders) = build_and_render(&inputs, options);
        Ok::<_, Error>((
            Discovered {
                inputs,
                skipped: discovered.skipped,
            },
            builds,
            renders,
        ))
    })?;
    let mut by_display: HashMap<String, Vec<(Input, Loaded)>> = HashMap::new();
    for (input, loaded) in pending.into_inner().unwrap_or_else(PoisonError::into_inner) {
        by_display
            .entry(input.display.clone())
            .or_default()
            .push((input, loaded));
    }
    let loaded = discovered
        .inputs
        .iter()
        .enumerate()
        .map(|(file_id, input)| {
            let found = by_display.get_mut(&input.display).and_then(|candidates| {
                let at = candidates.iter().position(|(c, _)| c == input)?;
                Some(candidates.swap_remove(at).1)
            });
            match found {
                Some((file, mut findings)) => {
                    for finding in &mut findings {
                        finding.file = file_id;
                        for label in &mut finding.related {
                            label.file = file_id;
                        }
                    }
                    (file, findings)
                }
                // Every input kept was handed out by the walk; should one not have been,
                // it is read here.
                None => load_one(file_id, input, None),
            }
        })
        .collect();
    Ok(Front {
        inputs: discovered.inputs,
        skipped: discovered.skipped,
        loaded,
        builds,
        renders,
        stdin_file: None,
    })
}

/// The front of a run with `--context` or stdin: every input is known (context files deduped
/// against the given ones, stdin read) before files load, beside the builds and renders.
/// Returns which inputs are context only (empty without `--context`).
fn load_after_discovery(
    options: &LintOptions,
    context: &[String],
    base: &PathBase,
) -> Result<(Front, Vec<bool>), Error> {
    let discovered = discover_all(&options.paths, base)?;
    let mut skipped = discovered.skipped;
    let mut inputs: Vec<(Input, bool)> = discovered
        .inputs
        .into_iter()
        .map(|input| (input, false))
        .collect();
    if !context.is_empty() {
        let context_walk = discover_all(context, base)?;
        skipped.unwalked = drop_unwalked(&mut inputs, context, &context_walk.inputs);
        let mut seen: HashSet<PathBuf> = inputs
            .iter()
            .filter_map(|(input, _)| canonical_path(input))
            .collect();
        for input in context_walk.inputs {
            // A context file is read only to be seen by rules: stdin and unreadable entries
            // have nothing to offer, and a file already loaded must not be loaded twice.
            let fresh = match canonical_path(&input) {
                Some(path) => seen.insert(path),
                None => false,
            };
            if fresh
                && matches!(
                    input.origin,
                    InputOrigin::Walked(_) | InputOrigin::Explicit(_)
                )
            {
                inputs.push((input, true));
            }
        }
        inputs.sort_by(|a, b| a.0.display.cmp(&b.0.display).then(a.1.cmp(&b.1)));
    }
    inputs.retain(|(input, _)| !excluded(options, input));
    let context_only: Vec<bool> = if context.is_empty() {
        Vec::new()
    } else {
        inputs.iter().map(|(_, context)| *context).collect()
    };
    let inputs: Vec<Input> = inputs.into_iter().map(|(input, _)| input).collect();
    timings::lap(Phase::Discover);
    let stdin_file = inputs.iter().position(|i| i.origin == InputOrigin::Stdin);
    let stdin = if stdin_file.is_some() {
        // The same cap as files: `kubeward - < /dev/zero` stops at 256 MiB, an I/O error.
        Some(read_stream_bounded(std::io::stdin()).map_err(Error::Stdin)?)
    } else {
        None
    };
    let (loaded, (builds, renders)) = rayon::join(
        || {
            inputs
                .par_iter()
                .enumerate()
                .map(|(file_id, input)| load_one(file_id, input, stdin.as_deref()))
                .collect::<Vec<Loaded>>()
        },
        || build_and_render(&inputs, options),
    );
    let front = Front {
        inputs,
        skipped,
        loaded,
        builds,
        renders,
        stdin_file,
    };
    Ok((front, context_only))
}

/// Drops the files named on the command line that lie under a `--context` folder whose walk
/// does not read them (hidden, ignored by `.gitignore`/`.ignore`, symbolic links): the full run
/// (`kubeward DIR`) reports nothing for them, and the hook must agree with it. Returns how many.
fn drop_unwalked(inputs: &mut Vec<(Input, bool)>, context: &[String], walked: &[Input]) -> usize {
    // Where a path lies, its folders resolved but not its last component (a symlink stays
    // itself, as the walk sees it).
    fn located(path: &std::path::Path) -> Option<PathBuf> {
        let name = path.file_name()?;
        let parent = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => std::path::Path::new("."),
        };
        Some(std::fs::canonicalize(parent).ok()?.join(name))
    }
    let folders: Vec<PathBuf> = context
        .iter()
        .filter_map(|c| std::fs::canonicalize(c).ok())
        .filter(|c| c.is_dir())
        .collect();
    let read: HashSet<PathBuf> = walked
        .iter()
        .filter_map(|input| match &input.origin {
            InputOrigin::Walked(path) | InputOrigin::Explicit(path) => located(path),
            InputOrigin::Stdin | InputOrigin::Unreadable(..) => None,
        })
        .collect();
    let before = inputs.len();
    inputs.retain(|(input, _)| {
        let InputOrigin::Explicit(path) = &input.origin else {
            return true;
        };
        let Some(at) = located(path) else {
            return true;
        };
        !folders.iter().any(|folder| at.starts_with(folder)) || read.contains(&at)
    });
    before - inputs.len()
}

fn canonical_path(input: &Input) -> Option<PathBuf> {
    match &input.origin {
        InputOrigin::Explicit(path) | InputOrigin::Walked(path) => std::fs::canonicalize(path).ok(),
        InputOrigin::Stdin | InputOrigin::Unreadable(..) => None,
    }
}

/// Sorts by path, position, rule and message, and drops exact duplicates (an aliased node
/// reached twice reports once).
fn sort_findings(ws: &Workspace, findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| {
        (
            &ws.source(a.file).path,
            a.span.start,
            a.span.end,
            a.rule,
            &a.message,
        )
            .cmp(&(
                &ws.source(b.file).path,
                b.span.start,
                b.span.end,
                b.rule,
                &b.message,
            ))
    });
    findings.dedup_by(|a, b| {
        a.file == b.file && a.span == b.span && a.rule == b.rule && a.message == b.message
    });
}
