//! Embeds the rule catalogue (`rules/*.yaml`) in the binary: generates a table of
//! (file stem, contents) that `src/catalogue.rs` parses on first use.

use std::fmt::Write;
use std::path::Path;

fn main() {
    // The directory cargo runs this script for, read at run time: `env!` would bake in the
    // directory the script was compiled in, and cargo reuses a compiled build script for a
    // copy of the crate elsewhere (pre-commit's clone, `cargo install --path`) when they share
    // a target directory.
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&manifest_dir).join("rules");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read the rule catalogue {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.retain(|p| p.extension().is_some_and(|e| e == "yaml"));
    entries.sort();
    let mut code = String::from("pub static CATALOGUE_SOURCES: &[(&str, &str)] = &[\n");
    for path in entries {
        println!("cargo:rerun-if-changed={}", path.display());
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        writeln!(
            code,
            "    ({stem:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .expect("writing to a String cannot fail");
    }
    code.push_str("];\n");
    let out =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("catalogue.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
