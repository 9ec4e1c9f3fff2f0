//! The README's rule table is generated from the catalogue, so it cannot drift.

// Test code: helpers outside `#[test]` functions may unwrap, index and slice too (clippy.toml's
// allow-*-in-tests covers only `#[test]` functions and `#[cfg(test)]` modules).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::string_slice)]

mod common;

use kubeward::catalogue::catalogue;

use common::{repo_file, repo_path};

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
    let readme = repo_file("README.md");
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
        std::fs::write(repo_path("README.md"), updated).unwrap();
        return;
    }
    panic!(
        "README's rule table is out of date; run `UPDATE_README=1 cargo test --release --test readme`.\nExpected:\n{expected}"
    );
}
