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

use crate::finding::{FileId, Finding, guard_pass};
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
    // Each file's suppressions are read under a panic guard: a panic becomes an
    // `internal-error` for that file, whose findings are then shown unsuppressed.
    let mut crashed = Vec::new();
    let mut objects: Vec<Vec<&crate::model::Object>> = vec![Vec::new(); ws.files.len()];
    for object in &ws.objects {
        if let Some(list) = objects.get_mut(object.file) {
            list.push(object);
        }
    }
    for (file_id, file) in ws.files.iter().enumerate() {
        let objects = objects.get(file_id).map_or(&[][..], Vec::as_slice);
        let read = guard_pass(file_id, "reading this file's suppressions", || {
            #[cfg(test)]
            if file.source.text.contains(tests::PANIC_IN_SUPPRESSION) {
                panic!("injected by a test");
            }
            let mut found = Vec::new();
            collect_annotations(ws, objects, &mut found);
            collect_comments(file_id, &file.source, &file.documents, &mut found);
            found
        });
        match read {
            Ok(found) => suppressions.extend(found),
            Err(finding) => crashed.push(*finding),
        }
    }
    findings.append(&mut crashed);
    if suppressions.is_empty() {
        return;
    }
    let mut crashed = Vec::new();
    findings.retain(|finding| {
        let matched = guard_pass(
            finding.file,
            "matching a finding with its suppressions",
            || {
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
                hidden
            },
        );
        match matched {
            Ok(hidden) => !hidden,
            // Shown, as if nothing suppressed it.
            Err(error) => {
                crashed.push(*error);
                true
            }
        }
    });
    findings.append(&mut crashed);
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

fn collect_annotations(
    ws: &Workspace,
    objects: &[&crate::model::Object],
    out: &mut Vec<Suppression>,
) {
    for object in objects {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::{LintOptions, lint};

    /// A file holding this text panics the suppression pass (test builds only).
    pub(super) const PANIC_IN_SUPPRESSION: &str = "kubeward-test-panic-in-suppression";

    #[test]
    fn a_panic_while_reading_suppressions_is_an_internal_error_for_that_file_only() {
        let dir = std::env::temp_dir().join(format!("kubeward-suppress-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\nspec:\n  containers:\n  - name: app\n    image: nginx:latest # kubeward-ignore: latest-image-tag\n";
        std::fs::write(
            dir.join("a.yaml"),
            format!("# {PANIC_IN_SUPPRESSION}\n{pod}"),
        )
        .unwrap();
        std::fs::write(dir.join("b.yaml"), pod).unwrap();
        let options = LintOptions {
            paths: vec![dir.to_string_lossy().into_owned()],
            ..LintOptions::default()
        };
        let result = lint(&options).unwrap();
        let of = |name: &str, rule: RuleId| {
            result
                .findings
                .iter()
                .filter(|f| f.rule == rule && result.workspace.source(f.file).path.ends_with(name))
                .count()
        };
        std::fs::remove_dir_all(&dir).unwrap();
        // a.yaml: the guard reported the crash, and its finding was not suppressed.
        assert_eq!(of("a.yaml", RuleId::InternalError), 1);
        assert_eq!(of("a.yaml", RuleId::LatestImageTag), 1);
        // b.yaml: its suppression still works.
        assert_eq!(of("b.yaml", RuleId::InternalError), 0);
        assert_eq!(of("b.yaml", RuleId::LatestImageTag), 0);
    }
}
