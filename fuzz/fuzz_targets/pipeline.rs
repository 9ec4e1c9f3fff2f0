//! Bytes -> a file -> the whole pipeline (load, workspace, every rule, suppressions, sorting)
//! -> every output format. The reports must be written without error and the JSON report must
//! be valid JSON.
#![no_main]

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use kubeward::lint::{LintOptions, lint};
use kubeward::registry::Registry;
use kubeward::report::{Format, HumanOptions, write_report};
use libfuzzer_sys::fuzz_target;

fn scratch() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let base = if std::path::Path::new("/dev/shm").is_dir() {
            PathBuf::from("/dev/shm")
        } else {
            std::env::temp_dir()
        };
        let dir = base.join(format!("kubeward-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch directory");
        dir
    })
}

/// Built once: compiling the declarative rules' schemas on every input would dominate.
fn registry() -> Arc<Registry> {
    static REGISTRY: OnceLock<Arc<Registry>> = OnceLock::new();
    REGISTRY
        .get_or_init(|| Arc::new(Registry::builtin()))
        .clone()
}

fuzz_target!(|data: &[u8]| {
    let file = scratch().join("input.yaml");
    std::fs::write(&file, data).expect("write the input");
    let options = LintOptions {
        paths: vec![file.display().to_string()],
        workspace: Default::default(),
        exclude: None,
        registry: registry(),
        stdin_filename: None,
        helm: Default::default(),
    };
    let result = lint(&options).expect("an existing file always lints");
    for (format, color) in [
        (Format::Human, false),
        (Format::Human, true),
        (Format::Compact, false),
        (Format::Json, false),
    ] {
        let mut out = Vec::new();
        let human = HumanOptions { color, width: 80 };
        write_report(&result, format, &human, &mut out).expect("reports write to memory");
        if format == Format::Json {
            serde_json::from_slice::<serde_json::Value>(&out).expect("the JSON report is JSON");
        }
    }
});
