//! Linting one small file inflates and compiles only the schema of the kind in it. Alone in its
//! test binary: the log of loaded schemas is process-wide.

use kubeward::lint::{LintOptions, lint};
use kubeward::rule_id::RuleId;
use kubeward::schema::loaded_schemas;

#[test]
fn linting_one_file_loads_only_its_kinds_schema() {
    assert!(loaded_schemas().is_empty());
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/schema-violation/unknown-fields.yaml");
    let result = lint(&LintOptions {
        paths: vec![path.display().to_string()],
        ..LintOptions::default()
    })
    .expect("lint");
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
