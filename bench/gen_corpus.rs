//! `gen_corpus DIR FILES [SEED]`: writes the benchmark corpus (see `bench/corpus.rs`).
//! Run by `bench/run.py`; built as an example so the user CLI stays as it is.

#[path = "corpus.rs"]
mod corpus;

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(dir), Some(files)) = (args.first(), args.get(1).and_then(|n| n.parse().ok())) else {
        eprintln!("usage: gen_corpus DIR FILES [SEED]");
        return ExitCode::from(2);
    };
    let seed = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(42);
    match corpus::generate(std::path::Path::new(dir), files, seed) {
        Ok(bytes) => {
            println!("{files} files, {bytes} bytes in {dir} (seed {seed})");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("gen_corpus: {err}");
            ExitCode::from(1)
        }
    }
}
