//! Linting one small file inflates and compiles only the schema of the kind in it. Alone in its
//! test binary: the log of loaded schemas is process-wide.

// Test code: helpers outside `#[test]` functions may unwrap, index and slice too (clippy.toml's
// allow-*-in-tests covers only `#[test]` functions and `#[cfg(test)]` modules).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use kubeward::rule_id::RuleId;
use kubeward::schema::loaded_schemas;

use common::{lint_paths, repo_path};

#[test]
fn linting_one_file_loads_only_its_kinds_schema() {
    assert!(loaded_schemas().is_empty());
    let result = lint_paths(&[repo_path("fixtures/schema-violation/unknown-fields.yaml")]);
    assert!(
        result
            .findings
            .iter()
            .any(|f| f.rule == RuleId::SchemaViolation)
    );
    // The file holds a Deployment and a Service: two schemas of the 212 embedded, each once
    // although several rules and threads asked for them.
    let mut loaded = loaded_schemas();
    loaded.sort();
    assert_eq!(loaded, vec!["1.37 apps/v1/Deployment", "1.37 v1/Service"]);
}
