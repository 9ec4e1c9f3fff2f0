//! The README's rule table is generated from the catalogue, so it cannot drift.

// Test code may slice strings (clippy.toml has no allow-in-tests setting for string_slice).
#![allow(clippy::string_slice)]

use kubeward::catalogue::catalogue;

const START: &str = "<!-- rules:start -->\n";
const END: &str = "<!-- rules:end -->";

fn rule_table() -> String {
    let mut table =
        String::from("| rule | severity | category | summary |\n| --- | --- | --- | --- |\n");
    for entry in catalogue() {
        table.push_str(&format!(
            "| [`{id}`](rules/{id}.yaml) | {} | {} | {} |\n",
            if entry.off_by_default() {
                "off".to_string()
            } else {
                entry.default_severity().to_string()
            },
            entry.category,
            entry.summary.trim().replace('|', "\\|"),
            id = entry.id,
        ));
    }
    table
}

#[test]
fn readme_rule_table_matches_the_catalogue() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).unwrap();
    let start = readme
        .find(START)
        .expect("README has the rules:start marker")
        + START.len();
    let end = readme.find(END).expect("README has the rules:end marker");
    let expected = rule_table();
    if readme[start..end] == expected {
        return;
    }
    if std::env::var_os("UPDATE_README").is_some() {
        let updated = format!("{}{}{}", &readme[..start], expected, &readme[end..]);
        std::fs::write(path, updated).unwrap();
        return;
    }
    panic!(
        "README's rule table is out of date; run `UPDATE_README=1 cargo test --release --test readme`.\nExpected:\n{expected}"
    );
}
