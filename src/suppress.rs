//! Inline suppressions.
//!
//! - On an object: the annotation `kubeward.io/ignore: "rule-a,rule-b"` hides those rules'
//!   findings anywhere in the object (kube-linter's `ignore-check` annotations work this way).
//! - On a node: a comment `# kubeward-ignore: rule-a[, rule-b] [-- reason]` on a line of its own
//!   hides those rules' findings inside the node that starts on the next line (a list item, a
//!   key and its value); at the end of a line it hides findings that start on that line. In
//!   files that are not YAML (Dockerfiles) the own-line form covers the next instruction,
//!   continuation lines included.
//!
//! A suppression that hides nothing is reported as `unused-suppression`, so they don't rot.

use crate::finding::{FileId, Finding};
use crate::model::Workspace;
use crate::registry::Registry;
use crate::rule_id::RuleId;
use crate::source::{SourceFile, Span};
use crate::suggest::hint;

pub(crate) const ANNOTATION: &str = "kubeward.io/ignore";
const COMMENT: &str = "kubeward-ignore:";

#[derive(Debug)]
struct Suppression {
    file: FileId,
    /// Where it applies: findings starting inside are hidden.
    scope: Span,
    /// Where it is written (the comment, or the annotation's value).
    at: Span,
    rules: Vec<(String, bool)>,
    form: &'static str,
}

/// Removes suppressed findings and adds an `unused-suppression` finding for every rule a
/// suppression names without hiding anything (or that does not exist).
pub(crate) fn apply(ws: &Workspace, registry: &Registry, findings: &mut Vec<Finding>) {
    let mut suppressions = Vec::new();
    collect_annotations(ws, &mut suppressions);
    for (file_id, file) in ws.files.iter().enumerate() {
        collect_comments(file_id, &file.source, &file.documents, &mut suppressions);
    }
    if suppressions.is_empty() {
        return;
    }
    findings.retain(|finding| {
        let mut hidden = false;
        for s in suppressions.iter_mut().filter(|s| {
            s.file == finding.file
                && s.scope.start <= finding.span.start
                && finding.span.start <= s.scope.end
        }) {
            for (rule, used) in &mut s.rules {
                // An alias of a `pod-security` check hides that check's findings.
                if rule == finding.rule.as_str()
                    || crate::rules::pod_security::alias_selects(rule, finding)
                {
                    *used = true;
                    hidden = true;
                }
            }
        }
        !hidden
    });
    for s in &suppressions {
        for (rule, used) in &s.rules {
            // A rule that did not run (switched off, or not selected on the command line)
            // could not have fired: its suppression is not known to be unused.
            if *used || registry.is_off(rule) {
                continue;
            }
            let message = if registry.is_known(rule) {
                format!("this {} for `{rule}` suppresses nothing", s.form)
            } else {
                format!(
                    "this {} names `{rule}`, which is not a rule{}",
                    s.form,
                    hint(rule, registry.ids())
                )
            };
            findings.push(
                Finding::new(RuleId::UnusedSuppression, s.file, s.at, message)
                    .label("unused")
                    .help("remove it, or fix the rule id; stale suppressions hide future problems"),
            );
        }
    }
}

fn parse_rule_list(text: &str) -> Vec<(String, bool)> {
    let text = text.split(" -- ").next().unwrap_or(text);
    text.split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(|r| (r.to_string(), false))
        .collect()
}

fn collect_annotations(ws: &Workspace, out: &mut Vec<Suppression>) {
    for object in &ws.objects {
        let doc = ws.document(object);
        let Some(value) = doc
            .get_path(object.node, &["metadata", "annotations"])
            .and_then(|a| doc.get(a, ANNOTATION))
        else {
            continue;
        };
        let rules = parse_rule_list(doc.str(value).unwrap_or_default());
        if rules.is_empty() {
            continue;
        }
        out.push(Suppression {
            file: object.file,
            scope: doc.span(object.node),
            at: doc.span(value),
            rules,
            form: "annotation",
        });
    }
}

fn collect_comments(
    file: FileId,
    source: &SourceFile,
    documents: &[crate::load::Document],
    out: &mut Vec<Suppression>,
) {
    let text = &*source.text;
    if !text.contains(COMMENT) {
        return;
    }
    let mut offset = 0;
    let lines: Vec<(usize, &str)> = text
        .split_inclusive('\n')
        .map(|line| {
            let start = offset;
            offset += line.len();
            (start, line)
        })
        .collect();
    for (index, (start, line)) in lines.iter().enumerate() {
        let Some(hash) = comment_start(line) else {
            continue;
        };
        let comment = line.get(hash + 1..).unwrap_or_default().trim_start();
        let Some(list) = comment.strip_prefix(COMMENT) else {
            continue;
        };
        let rules = parse_rule_list(list.trim_end());
        if rules.is_empty() {
            continue;
        }
        let at = Span::new(start + hash, start + line.trim_end().len());
        let own_line = line.get(..hash).unwrap_or_default().trim().is_empty();
        let scope = if own_line {
            let Some((next_start, next_line)) = lines
                .get(index + 1..)
                .unwrap_or_default()
                .iter()
                .find(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            else {
                continue;
            };
            let line_span = Span::new(*next_start, next_start + next_line.trim_end().len());
            if documents.is_empty() {
                // Not YAML: the next instruction, with its continuation lines.
                let mut end = line_span.end;
                let mut current = *next_line;
                let mut rest = lines.iter().skip_while(|(s, _)| s <= next_start);
                while current.trim_end().ends_with('\\') {
                    let Some((s, l)) = rest.next() else { break };
                    end = s + l.trim_end().len();
                    current = l;
                }
                Span::new(line_span.start, end)
            } else {
                node_scope(documents, line_span).unwrap_or(line_span)
            }
        } else {
            Span::new(*start, start + line.trim_end().len())
        };
        out.push(Suppression {
            file,
            scope,
            at,
            rules,
            form: "comment",
        });
    }
}

/// Byte offset of a `#` that starts a comment: at the line's start or after whitespace.
fn comment_start(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    line.match_indices('#')
        .map(|(i, _)| i)
        .find(|&i| i == 0 || bytes.get(i - 1).is_some_and(|b| b.is_ascii_whitespace()))
}

/// The widest node (a mapping entry: key and value; or a list item) starting on the line.
fn node_scope(documents: &[crate::load::Document], line: Span) -> Option<Span> {
    let starts_on_line = |s: Span| line.start <= s.start && s.start <= line.end;
    let mut scope: Option<Span> = None;
    let mut widen = |s: Span| {
        scope = Some(match scope {
            Some(old) => Span::new(old.start.min(s.start), old.end.max(s.end)),
            None => s,
        });
    };
    for doc in documents {
        if !(doc.span.start <= line.end && line.start <= doc.span.end) {
            continue;
        }
        for node in doc.node_ids() {
            match doc.kind(node) {
                crate::load::NodeKind::Mapping(entries) => {
                    for e in entries {
                        let key = doc.span(e.key);
                        if starts_on_line(key) {
                            widen(Span::new(key.start, doc.span(e.value).end.max(key.end)));
                        }
                    }
                }
                crate::load::NodeKind::Sequence(items) => {
                    for item in items {
                        let span = doc.span(*item);
                        if starts_on_line(span) {
                            widen(span);
                        }
                    }
                }
                crate::load::NodeKind::Scalar(_) => {}
            }
        }
    }
    scope
}
