//! `--timings`: wall and CPU time of each phase of a run and of each rule, printed to stderr
//! as a table after the report (like `cargo build --timings` or eslint's `TIMING=1`).
//!
//! Off unless the CLI switches it on, once per process ([`enable`]). Off, every hook is one
//! relaxed atomic load and a branch, and the per-object rule loop takes no clock reading at all
//! (`rules::run_rules` checks [`enabled`] once per run).
//!
//! What is measured:
//! - **Phases** are laps: [`lap`] charges the time since the previous lap to a phase, so the
//!   phases add up to the total. A phase's CPU is the process's CPU time (user + system, all
//!   threads) over the lap: the pipeline runs one phase at a time, so that is the phase's CPU
//!   whatever threads it used. CPU / wall near the thread count means the phase used every
//!   thread; near 1, it ran (or waited) on one.
//! - **Σ rows** (read, parse, kustomize builds, object rules) run inside a parallel phase, one
//!   piece per file, root or object: each piece's thread CPU time and wall time (busy time) are
//!   summed over the threads that ran them. Their busy time is more than their CPU when the
//!   threads were preempted or blocked (a loaded machine, page faults, I/O).
//! - **Workspace rules** run once each, one rule per task: their own thread's wall and CPU.
//!   Facts the workspace computes on first use (the Secret, LimitRange and quota indexes) are
//!   charged to the first rule that asks for them.
//!
//! - **Peak RSS** of a phase is the process's peak resident set (`VmHWM`) when the phase ended:
//!   where it first reaches the run's peak is the phase that holds the most memory.
//!
//! CPU clocks are `CLOCK_PROCESS_CPUTIME_ID` and `CLOCK_THREAD_CPUTIME_ID` through rustix's safe
//! `clock_gettime` (Linux and macOS; elsewhere the CPU columns are empty).

use std::io::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

static ENABLED: AtomicBool = AtomicBool::new(false);
static STATE: Mutex<Option<State>> = Mutex::new(None);

/// A phase of a run, in pipeline order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Config discovery, the rule registry (custom policies compiled), the thread pool.
    Setup,
    Discover,
    /// Reading and parsing every file, building the kustomizations and rendering the Helm
    /// charts: all at once, on every thread (the builds and renders read the file system, not
    /// the loaded files).
    Load,
    /// Bringing the built roots in: writing each top-level root's text and parsing it.
    Kustomize,
    /// Bringing the rendered streams in.
    Helm,
    /// `Workspace::new`: objects, their index, pod specs.
    Index,
    ObjectRules,
    WorkspaceRules,
    /// Moving findings on built and rendered objects to the source lines they came from.
    Remap,
    Suppress,
    /// Redaction, severities, sorting, the per-object cap.
    Finish,
    /// The baseline, rendering the report and writing it out.
    Report,
}

impl Phase {
    const ALL: [Phase; 12] = [
        Phase::Setup,
        Phase::Discover,
        Phase::Load,
        Phase::Kustomize,
        Phase::Helm,
        Phase::Index,
        Phase::ObjectRules,
        Phase::WorkspaceRules,
        Phase::Remap,
        Phase::Suppress,
        Phase::Finish,
        Phase::Report,
    ];

    fn name(self) -> &'static str {
        match self {
            Phase::Setup => "setup (config, rules, threads)",
            Phase::Discover => "discover",
            Phase::Load => "load (read + parse, build, render)",
            Phase::Kustomize => "kustomize: add built roots",
            Phase::Helm => "helm: add rendered streams",
            Phase::Index => "index (Workspace::new)",
            Phase::ObjectRules => "object rules",
            Phase::WorkspaceRules => "workspace rules",
            Phase::Remap => "remap to sources",
            Phase::Suppress => "suppress",
            Phase::Finish => "redact, resolve, sort",
            Phase::Report => "report",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Time summed over the threads that ran pieces of a parallel phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sum {
    /// Reading files (`read_bounded`).
    Read,
    /// All of `load_input` (read, decode, parse, load findings); parse is this minus read.
    Load,
    /// The kustomization builds (one per root).
    KustomizeBuilds,
    /// Emitting each built root's objects as YAML (one per root), right after its build.
    KustomizeEmit,
    /// The chart renders (one per chart and values set).
    HelmRenders,
}

impl Sum {
    fn index(self) -> usize {
        self as usize
    }
}

/// Busy (wall) and CPU nanoseconds and the number of pieces, per [`Sum`].
static SUMS: [[AtomicU64; 3]; 5] = [
    [AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0)],
    [AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0)],
    [AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0)],
    [AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0)],
    [AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0)],
];

/// Workspace rules that took less than this (wall) are not listed: the rules that check
/// nothing across objects (their `check_workspace` is the default, empty one).
pub(crate) const LISTED: Duration = Duration::from_micros(10);

/// Where a rule ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RuleRun {
    /// Once per object, on every thread: the figures are sums over threads.
    Object,
    /// Once per run, on one thread.
    Workspace,
}

/// The time one rule took: busy (wall) and CPU.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Spent {
    pub(crate) wall: Duration,
    pub(crate) cpu: Option<Duration>,
}

impl Spent {
    pub(crate) fn add(&mut self, other: Spent) {
        self.wall += other.wall;
        self.cpu = match (self.cpu, other.cpu) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        };
    }
}

struct RuleRow {
    name: String,
    stage: RuleRun,
    spent: Spent,
}

struct State {
    threads: usize,
    /// What one [`Stamp::thread`] costs on this machine, measured at [`enable`].
    reading: Duration,
    /// Clock readings taken inside the object rules' loop (one per object and rule).
    readings: u64,
    start: Stamp,
    last: Stamp,
    phases: [Spent; Phase::ALL.len()],
    /// The process's peak resident set (KiB) when each phase ended, where the system says it.
    peaks: [Option<u64>; Phase::ALL.len()],
    rules: Vec<RuleRow>,
}

/// The process's peak resident set size so far, in KiB: `VmHWM` of `/proc/self/status`
/// (Linux; `None` elsewhere). Read once per phase, only with `--timings`.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A wall-clock instant and a CPU clock reading (the process's or the thread's).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stamp {
    wall: Instant,
    cpu: Option<Duration>,
}

impl Stamp {
    /// Now, with the process's CPU time (all threads).
    fn process() -> Stamp {
        Stamp {
            wall: Instant::now(),
            cpu: cpu_clock::process(),
        }
    }

    /// Now, with the calling thread's CPU time.
    pub(crate) fn thread() -> Stamp {
        Stamp {
            wall: Instant::now(),
            cpu: cpu_clock::thread(),
        }
    }

    /// The time from `self` to `later`.
    pub(crate) fn until(self, later: Stamp) -> Spent {
        Spent {
            wall: later.wall.saturating_duration_since(self.wall),
            cpu: match (self.cpu, later.cpu) {
                (Some(a), Some(b)) => Some(b.saturating_sub(a)),
                _ => None,
            },
        }
    }
}

#[cfg(any(target_os = "linux", target_os = "macos"))]
mod cpu_clock {
    use rustix::time::{ClockId, Timespec, clock_gettime};
    use std::time::Duration;

    pub(super) const AVAILABLE: bool = true;

    fn duration(t: Timespec) -> Option<Duration> {
        let secs = u64::try_from(t.tv_sec).ok()?;
        let nanos = u32::try_from(t.tv_nsec).ok()?;
        Some(Duration::new(secs, nanos))
    }

    pub(super) fn process() -> Option<Duration> {
        duration(clock_gettime(ClockId::ProcessCPUTime))
    }

    pub(super) fn thread() -> Option<Duration> {
        duration(clock_gettime(ClockId::ThreadCPUTime))
    }
}

#[cfg(not(any(target_os = "linux", target_os = "macos")))]
mod cpu_clock {
    use std::time::Duration;

    pub(super) const AVAILABLE: bool = false;

    pub(super) fn process() -> Option<Duration> {
        None
    }

    pub(super) fn thread() -> Option<Duration> {
        None
    }
}

/// Switches timing on for this process, from now: the first [`lap`] is charged from here.
pub(crate) fn enable() {
    // The cost of a reading, to say how much of the object Σ rows is the clock itself.
    const CALIBRATION: u32 = 256;
    let first = Instant::now();
    for _ in 0..CALIBRATION {
        std::hint::black_box(Stamp::thread());
    }
    let reading = first.elapsed() / CALIBRATION;
    let now = Stamp::process();
    if let Ok(mut state) = STATE.lock() {
        *state = Some(State {
            threads: 0,
            reading,
            readings: 0,
            start: now,
            last: now,
            phases: [Spent::default(); Phase::ALL.len()],
            peaks: [None; Phase::ALL.len()],
            rules: Vec::new(),
        });
        ENABLED.store(true, Ordering::Relaxed);
    }
}

/// Records the size of the run's thread pool, for the table's title.
pub(crate) fn set_threads(threads: usize) {
    if enabled()
        && let Ok(mut guard) = STATE.lock()
        && let Some(state) = guard.as_mut()
    {
        state.threads = threads;
    }
}

/// Whether [`enable`] was called.
#[inline]
pub(crate) fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Charges the time since the previous lap (or [`enable`]) to `phase`.
#[inline]
pub(crate) fn lap(phase: Phase) {
    if enabled() {
        lap_enabled(phase);
    }
}

fn lap_enabled(phase: Phase) {
    let now = Stamp::process();
    if let Ok(mut guard) = STATE.lock()
        && let Some(state) = guard.as_mut()
    {
        let spent = state.last.until(now);
        if let Some(slot) = state.phases.get_mut(phase.index()) {
            slot.add(spent);
        }
        if let Some(peak) = state.peaks.get_mut(phase.index()) {
            *peak = peak_rss_kib();
        }
        state.last = now;
    }
}

/// Starts timing a piece of a parallel phase on this thread: `None` when timing is off.
#[inline]
pub(crate) fn start() -> Option<Stamp> {
    enabled().then(Stamp::thread)
}

/// Adds the piece started at `started` (from [`start`]) to `sum`.
#[inline]
pub(crate) fn add(sum: Sum, started: Option<Stamp>) {
    if let Some(started) = started {
        let spent = started.until(Stamp::thread());
        if let Some(slots) = SUMS.get(sum.index()) {
            let [wall, cpu, count] = slots;
            wall.fetch_add(nanos(spent.wall), Ordering::Relaxed);
            cpu.fetch_add(spent.cpu.map_or(0, nanos), Ordering::Relaxed);
            count.fetch_add(1, Ordering::Relaxed);
        }
    }
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// Adds time spent in rules (summed over threads for object rules), measured with `readings`
/// clock readings.
pub(crate) fn add_rules<'a>(
    stage: RuleRun,
    readings: u64,
    spent: impl IntoIterator<Item = (&'a str, Spent)>,
) {
    if !enabled() {
        return;
    }
    if let Ok(mut guard) = STATE.lock()
        && let Some(state) = guard.as_mut()
    {
        state.readings += readings;
        for (name, spent) in spent {
            match state
                .rules
                .iter_mut()
                .find(|row| row.stage == stage && row.name == name)
            {
                Some(row) => row.spent.add(spent),
                None => state.rules.push(RuleRow {
                    name: name.to_string(),
                    stage,
                    spent,
                }),
            }
        }
    }
}

/// Writes the table of everything measured so far (nothing when timing is off).
pub(crate) fn write_table(out: &mut impl Write) -> std::io::Result<()> {
    if !enabled() {
        return Ok(());
    }
    let text = match STATE.lock() {
        Ok(guard) => match guard.as_ref() {
            Some(state) => table(state),
            None => return Ok(()),
        },
        Err(_) => return Ok(()),
    };
    out.write_all(text.as_bytes())
}

fn sum(which: Sum) -> (Spent, u64) {
    let Some([wall, cpu, count]) = SUMS.get(which.index()) else {
        return (Spent::default(), 0);
    };
    let cpu = cpu_clock::AVAILABLE.then(|| Duration::from_nanos(cpu.load(Ordering::Relaxed)));
    (
        Spent {
            wall: Duration::from_nanos(wall.load(Ordering::Relaxed)),
            cpu,
        },
        count.load(Ordering::Relaxed),
    )
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

fn cpu_ms(d: Option<Duration>) -> String {
    d.map_or_else(|| "-".to_string(), ms)
}

fn ratio(spent: Spent) -> String {
    match spent.cpu {
        Some(cpu) if !spent.wall.is_zero() => {
            format!("{:.2}", cpu.as_secs_f64() / spent.wall.as_secs_f64())
        }
        _ => "-".to_string(),
    }
}

fn table(state: &State) -> String {
    let threads = state.threads;
    let mut rows: Vec<[String; 5]> = Vec::new();
    let mut phase_row = |name: String, spent: Spent, share: Option<Option<u64>>| {
        rows.push([
            name,
            ms(spent.wall),
            cpu_ms(spent.cpu),
            if share.is_some() {
                ratio(spent)
            } else {
                String::new()
            },
            match share {
                Some(Some(kib)) => format!("{}", kib / 1024),
                Some(None) => "-".to_string(),
                None => String::new(),
            },
        ]);
    };
    for phase in Phase::ALL {
        let spent = state.phases.get(phase.index()).copied().unwrap_or_default();
        let peak = state.peaks.get(phase.index()).copied().flatten();
        phase_row(phase.name().to_string(), spent, Some(peak));
        if phase == Phase::Load {
            let (read, files) = sum(Sum::Read);
            let (load, _) = sum(Sum::Load);
            let parse = Spent {
                wall: load.wall.saturating_sub(read.wall),
                cpu: match (load.cpu, read.cpu) {
                    (Some(a), Some(b)) => Some(a.saturating_sub(b)),
                    _ => None,
                },
            };
            phase_row(format!("  read Σ ({files} files)"), read, None);
            phase_row("  parse Σ (decode, parse, load checks)".into(), parse, None);
            let (builds, roots) = sum(Sum::KustomizeBuilds);
            phase_row(
                format!("  kustomize builds Σ ({roots} roots)"),
                builds,
                None,
            );
            let (emit, emitted) = sum(Sum::KustomizeEmit);
            phase_row(format!("  kustomize emit Σ ({emitted} roots)"), emit, None);
            let (renders, charts) = sum(Sum::HelmRenders);
            phase_row(
                format!("  helm renders Σ ({charts} renders)"),
                renders,
                None,
            );
        }
    }
    let total = state.start.until(state.last);
    let peak = state.peaks.iter().flatten().max().copied();
    phase_row("total".into(), total, Some(peak));

    let mut rules: Vec<&RuleRow> = state.rules.iter().collect();
    rules.sort_by(|a, b| {
        (b.spent.cpu.unwrap_or(b.spent.wall), b.spent.wall)
            .cmp(&(a.spent.cpu.unwrap_or(a.spent.wall), a.spent.wall))
            .then_with(|| a.name.cmp(&b.name))
    });
    let mut rule_rows: Vec<[String; 4]> = rules
        .iter()
        .map(|row| {
            [
                row.name.clone(),
                match row.stage {
                    RuleRun::Object => "object Σ".to_string(),
                    RuleRun::Workspace => "workspace".to_string(),
                },
                ms(row.spent.wall),
                cpu_ms(row.spent.cpu),
            ]
        })
        .collect();
    let object_rules = state
        .rules
        .iter()
        .filter(|row| row.stage == RuleRun::Object)
        .count();
    let overhead = match u64::try_from(object_rules) {
        Ok(rules) if rules > 0 && state.readings > 0 => {
            let per_rule = state.reading.as_secs_f64() * (state.readings / rules) as f64;
            format!(
                "The object Σ rows include their own clock readings: {} of them, {:.2} µs each \
                 (about {:.1} ms per rule).\n",
                state.readings,
                state.reading.as_secs_f64() * 1e6,
                per_rule * 1000.0
            )
        }
        _ => String::new(),
    };
    if rule_rows.is_empty() {
        rule_rows.push([
            "(no rule ran)".into(),
            String::new(),
            String::new(),
            String::new(),
        ]);
    }

    let mut out = String::new();
    out.push_str(&format!(
        "\nkubeward --timings ({threads} thread{}): phase CPU is the process's (all threads); \
         Σ rows sum each thread's busy (wall) and CPU time\n",
        if threads == 1 { "" } else { "s" }
    ));
    write_rows(
        &mut out,
        ["phase", "wall ms", "CPU ms", "CPU/wall", "peak RSS MiB"],
        &rows,
    );
    out.push('\n');
    write_rows(&mut out, ["rule", "stage", "wall ms", "CPU ms"], &rule_rows);
    out.push_str(&overhead);
    out
}

/// Left-aligned first column, the others right-aligned, two spaces apart.
fn write_rows<const N: usize>(out: &mut String, header: [&str; N], rows: &[[String; N]]) {
    let mut widths = header.map(|h| h.chars().count());
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |out: &mut String, cells: [&str; N]| {
        let mut text = String::new();
        for (column, (cell, width)) in cells.iter().zip(widths).enumerate() {
            if column == 0 {
                text.push_str(&format!("{cell:<width$}"));
            } else {
                text.push_str(&format!("  {cell:>width$}"));
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(out, header);
    for row in rows {
        line(out, row.each_ref().map(String::as_str));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spent_adds_wall_and_cpu() {
        let mut a = Spent {
            wall: Duration::from_millis(2),
            cpu: Some(Duration::from_millis(1)),
        };
        a.add(Spent {
            wall: Duration::from_millis(3),
            cpu: None,
        });
        assert_eq!(a.wall, Duration::from_millis(5));
        assert_eq!(a.cpu, Some(Duration::from_millis(1)));
    }

    #[test]
    fn rows_are_aligned() {
        let mut out = String::new();
        write_rows(
            &mut out,
            ["phase", "wall ms", "CPU ms", "CPU/wall"],
            &[
                ["discover".into(), "1.0".into(), "0.9".into(), "0.90".into()],
                ["x".into(), "1234.5".into(), "-".into(), String::new()],
            ],
        );
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "phase     wall ms  CPU ms  CPU/wall");
        assert_eq!(lines[1], "discover      1.0     0.9      0.90");
        assert_eq!(lines[2], "x          1234.5       -");
    }

    #[cfg(any(target_os = "linux", target_os = "macos"))]
    #[test]
    fn the_thread_cpu_clock_advances_with_work() {
        let before = Stamp::thread();
        let mut x = 0u64;
        for _ in 0..50_000_000u64 {
            x = std::hint::black_box(x.wrapping_add(1));
        }
        assert!(x > 0);
        assert!(before.until(Stamp::thread()).cpu.unwrap() > Duration::ZERO);
    }
}
