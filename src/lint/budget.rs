//! The run's memory budget over all files (`MAX_NODES_PER_RUN`, `MAX_DOCUMENTS_PER_RUN`):
//! files are charged in path order (the order of their ids, whatever the thread count), and a
//! file that takes the run past the budget is not linted: its documents are dropped and a
//! `parse-error` says why. The parser enforces the same budget on one file while it parses.

use crate::finding::Finding;
use crate::load::file::LoadedFile;
use crate::load::{MAX_DOCUMENTS_PER_RUN, MAX_NODES_PER_RUN, over_budget};
use crate::rule_id::RuleId;

#[derive(Default)]
pub(super) struct RunBudget {
    nodes: usize,
    documents: usize,
}

impl RunBudget {
    /// Charges one file (`file_id`); over budget, drops its documents and adds the finding.
    pub(super) fn charge(
        &mut self,
        file_id: usize,
        file: &mut LoadedFile,
        findings: &mut Vec<Finding>,
    ) {
        let nodes: usize = file.documents.iter().map(|d| d.node_count()).sum();
        let documents = file.documents.len();
        let over_nodes = self.nodes + nodes > MAX_NODES_PER_RUN;
        if over_nodes || self.documents + documents > MAX_DOCUMENTS_PER_RUN {
            file.documents = Vec::new();
            let problem = over_budget(0, over_nodes);
            findings.push(
                Finding::new(RuleId::ParseError, file_id, problem.span, problem.message)
                    .label("not linted")
                    .help("the other files of the run were linted"),
            );
            return;
        }
        self.nodes += nodes;
        self.documents += documents;
    }
}
