//! Generates the rule ids from the rule catalogue (`rules/*.yaml`): the `RuleId` enum, its
//! strings and catalogue texts, and the registration of every code rule. A rule id therefore
//! exists once, as the file `rules/<id>.yaml`; a typo in code is a compile error, and a
//! catalogue entry that is inconsistent (id not equal to the file stem, no way of being checked)
//! is a build-script error.
//!
//! Each entry says how its rule is checked, in its `implementation:` field:
//! - a Rust type path under `crate::rules` (`probes::MissingReadinessProbe`): the type
//!   implements `Rule` and `Default`, and is registered here;
//! - `source`: reported while reading and parsing files (`parse-error`, ...);
//! - `pipeline`: reported by the pipeline itself (`internal-error`, `unused-suppression`);
//! - absent, with a `schema:`: a declarative rule, run by the policy engine.
//!
//! Only `rules/` is read (the published crate ships no fixtures).

use std::fmt::Write;
use std::path::Path;

struct Entry {
    id: String,
    variant: String,
    path: String,
    implementation: Implementation,
}

enum Implementation {
    Code(String),
    Source,
    Pipeline,
    Declarative,
}

fn main() {
    // The directory cargo runs this script for, read at run time: `env!` would bake in the
    // directory the script was compiled in, and cargo reuses a compiled build script for a
    // copy of the crate elsewhere (pre-commit's clone, `cargo install --path`) when they share
    // a target directory.
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let dir = Path::new(&manifest_dir).join("rules");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read the rule catalogue {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    paths.retain(|p| p.extension().is_some_and(|e| e == "yaml"));
    paths.sort();
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        println!("cargo:rerun-if-changed={}", path.display());
        match read_entry(&path) {
            Ok(entry) => entries.push(entry),
            Err(e) => errors.push(format!("{}: {e}", path.display())),
        }
    }
    if !errors.is_empty() {
        panic!("invalid rule catalogue:\n{}", errors.join("\n"));
    }
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let out = Path::new(&out_dir);
    std::fs::write(out.join("rule_ids.rs"), generate_ids(&entries)).expect("OUT_DIR is writable");
    std::fs::write(out.join("rule_registry.rs"), generate_registry(&entries))
        .expect("OUT_DIR is writable");
    std::fs::write(out.join("rule_tests.rs"), generate_tests(&entries))
        .expect("OUT_DIR is writable");
}

/// Reads the two top-level fields the build needs, line by line: the catalogue is ours, and
/// the full parse (with the crate's own YAML loader) happens at run time, checked by tests.
fn read_entry(path: &Path) -> Result<Entry, String> {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .ok_or("the file name is not UTF-8")?
        .to_string();
    if stem.is_empty()
        || !stem
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        || stem.starts_with('-')
        || stem.ends_with('-')
    {
        return Err(format!(
            "`{stem}` is not a rule id (lowercase letters, digits and single dashes)"
        ));
    }
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let field = |name: &str| {
        text.lines().find_map(|line| {
            line.strip_prefix(name)
                .and_then(|rest| rest.strip_prefix(':'))
                .map(|value| value.trim().trim_matches('"').to_string())
        })
    };
    let id = field("id").ok_or("no `id:`")?;
    if id != stem {
        return Err(format!(
            "declares id `{id}`; the file must be named {id}.yaml"
        ));
    }
    let has_schema = text.lines().any(|l| l.starts_with("schema:"));
    let implementation = match field("implementation").as_deref() {
        Some("source") => Implementation::Source,
        Some("pipeline") => Implementation::Pipeline,
        Some(path) if !path.is_empty() => {
            if has_schema {
                return Err("has both `implementation:` and `schema:`".to_string());
            }
            if !path
                .split("::")
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            {
                return Err(format!("`implementation: {path}` is not a Rust type path"));
            }
            Implementation::Code(path.to_string())
        }
        _ if has_schema => Implementation::Declarative,
        _ => {
            return Err(
                "no `implementation:` (a type under `crate::rules`, `source` or `pipeline`) \
                 and no `schema:`"
                    .to_string(),
            );
        }
    };
    Ok(Entry {
        variant: stem
            .split('-')
            .map(|part| {
                let mut chars = part.chars();
                chars
                    .next()
                    .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                    .unwrap_or_default()
            })
            .collect(),
        id,
        path: path.display().to_string(),
        implementation,
    })
}

/// The `RuleId` enum (`src/rule_id.rs` includes this): the bottom layer, imports nothing.
fn generate_ids(entries: &[Entry]) -> String {
    let mut code = String::new();
    let w = &mut code;
    // Writing to a String cannot fail.
    let _ = writeln!(
        w,
        "/// A built-in rule's id: one per `rules/<id>.yaml`, sorted by id."
    );
    let _ = writeln!(w, "#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]");
    let _ = writeln!(w, "pub enum RuleId {{");
    for e in entries {
        let _ = writeln!(w, "    /// `{}`", e.id);
        let _ = writeln!(w, "    {},", e.variant);
    }
    let _ = writeln!(w, "}}\n");
    let _ = writeln!(w, "impl RuleId {{");
    let _ = writeln!(w, "    /// Every built-in rule id, sorted by id.");
    let _ = writeln!(w, "    pub const ALL: &'static [RuleId] = &[");
    for e in entries {
        let _ = writeln!(w, "        RuleId::{},", e.variant);
    }
    let _ = writeln!(w, "    ];\n");
    let _ = writeln!(
        w,
        "    /// The id as users write it: `limitrange-violation`."
    );
    let _ = writeln!(w, "    pub const fn as_str(self) -> &'static str {{");
    let _ = writeln!(w, "        match self {{");
    for e in entries {
        let _ = writeln!(w, "            RuleId::{} => {:?},", e.variant, e.id);
    }
    let _ = writeln!(w, "        }}\n    }}\n");
    let _ = writeln!(w, "    /// The text of `rules/<id>.yaml`.");
    let _ = writeln!(
        w,
        "    pub(crate) const fn catalogue_source(self) -> &'static str {{"
    );
    let _ = writeln!(w, "        match self {{");
    for e in entries {
        let _ = writeln!(
            w,
            "            RuleId::{} => include_str!({:?}),",
            e.variant, e.path
        );
    }
    let _ = writeln!(w, "        }}\n    }}\n");
    let _ = writeln!(w, "    /// Where the rule's findings come from.");
    let _ = writeln!(w, "    pub const fn stage(self) -> RuleStage {{");
    let _ = writeln!(w, "        match self {{");
    for e in entries {
        let stage = match e.implementation {
            Implementation::Code(_) => "Check",
            Implementation::Declarative => "Declarative",
            Implementation::Source => "Source",
            Implementation::Pipeline => "Pipeline",
        };
        let _ = writeln!(
            w,
            "            RuleId::{} => RuleStage::{stage},",
            e.variant
        );
    }
    let _ = writeln!(w, "        }}\n    }}\n}}\n");
    let _ = writeln!(w, "impl std::str::FromStr for RuleId {{");
    let _ = writeln!(w, "    type Err = UnknownRuleId;");
    let _ = writeln!(
        w,
        "    fn from_str(text: &str) -> Result<RuleId, UnknownRuleId> {{"
    );
    let _ = writeln!(w, "        match text {{");
    for e in entries {
        let _ = writeln!(w, "            {:?} => Ok(RuleId::{}),", e.id, e.variant);
    }
    let _ = writeln!(w, "            _ => Err(UnknownRuleId),");
    let _ = writeln!(w, "        }}\n    }}\n}}\n");
    code
}

/// The registration of every code rule (`src/rules/mod.rs` includes this).
fn generate_registry(entries: &[Entry]) -> String {
    let mut code = String::new();
    let w = &mut code;
    let _ = writeln!(
        w,
        "/// Every code rule (an `implementation:` type), in id order, with its defaults."
    );
    let _ = writeln!(
        w,
        "pub(crate) fn code_rules() -> Vec<Box<dyn crate::rules::Rule>> {{"
    );
    let _ = writeln!(w, "    vec![");
    for e in entries {
        if let Implementation::Code(path) = &e.implementation {
            let _ = writeln!(
                w,
                "        Box::new(<crate::rules::{path} as Default>::default()),"
            );
        }
    }
    let _ = writeln!(w, "    ]\n}}\n");
    for e in entries {
        if let Implementation::Code(path) = &e.implementation {
            let _ = writeln!(
                w,
                "impl crate::rules::HasRuleId for crate::rules::{path} {{\n    const ID: RuleId = RuleId::{};\n}}",
                e.variant
            );
        }
    }
    code
}

/// One `#[test]` per rule id for the fixture harness (`tests/fixtures.rs` includes this), so
/// `cargo test limitrange_violation` runs one rule's fixtures.
fn generate_tests(entries: &[Entry]) -> String {
    let mut code = String::new();
    for e in entries {
        let _ = writeln!(
            code,
            "#[test]\nfn {}() {{\n    check_rule({:?});\n}}\n",
            e.id.replace('-', "_"),
            e.id
        );
    }
    code
}
