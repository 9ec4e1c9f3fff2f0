//! The parse floor: what kubeward cannot beat. Walks the same paths the same way
//! (`kubeward::discover`), reads, decodes and parses every file in parallel on a rayon pool,
//! and prints totals; no workspace, no rules, no report.
//!
//! `parse_floor [-j N] [--events] PATH...`
//! - default: `kubeward::load::parse_yaml`, the loader kubeward runs (saphyr-parser events
//!   built into the spanned tree);
//! - `--events`: saphyr-parser's events only, drained and counted (the parser's own cost);
//! - `--list`: print the path of every file the walk finds, one a line, and nothing else
//!   (`bench/run.py` parses the same files with PyYAML).
//!
//! Built as an example (`cargo build --release --example parse_floor`), so the user CLI stays
//! as it is; `bench/run.py` runs it beside kubeward.

use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

use kubeward::discover::{InputOrigin, discover};
use kubeward::load::parse_yaml;
use kubeward::source::decode;
use rayon::prelude::*;

// The same allocator as kubeward's binary (src/main.rs), so the floor is measured the same way.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let mut threads = None;
    let mut events_only = false;
    let mut list = false;
    let mut paths = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-j" => threads = args.next().and_then(|n| n.parse().ok()),
            "--events" => events_only = true,
            "--list" => list = true,
            _ => paths.push(arg),
        }
    }
    let inputs = match discover(&paths) {
        Ok(inputs) => inputs,
        Err(err) => {
            eprintln!("parse_floor: {err}");
            return ExitCode::from(2);
        }
    };
    if list {
        for input in &inputs {
            if let InputOrigin::Explicit(path) | InputOrigin::Walked(path) = &input.origin {
                println!("{}", path.display());
            }
        }
        return ExitCode::SUCCESS;
    }
    let mut pool = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        pool = pool.num_threads(n);
    }
    let Ok(pool) = pool.build() else {
        return ExitCode::from(2);
    };
    let bytes = AtomicUsize::new(0);
    let documents: usize = pool.install(|| {
        inputs
            .par_iter()
            .map(|input| {
                let (InputOrigin::Explicit(path) | InputOrigin::Walked(path)) = &input.origin
                else {
                    return 0;
                };
                let Ok(raw) = std::fs::read(path) else {
                    return 0;
                };
                bytes.fetch_add(raw.len(), Ordering::Relaxed);
                let Ok(text) = decode(raw) else { return 0 };
                if events_only {
                    saphyr_parser::Parser::new_from_str(&text)
                        .map_while(Result::ok)
                        .filter(|(e, _)| matches!(e, saphyr_parser::Event::DocumentStart(_)))
                        .count()
                } else {
                    parse_yaml(&text).documents.len()
                }
            })
            .sum()
    });
    println!(
        "{} files, {} bytes, {documents} documents",
        inputs.len(),
        bytes.load(Ordering::Relaxed)
    );
    ExitCode::SUCCESS
}
