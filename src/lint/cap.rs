//! The cap on findings per object and rule. One object can hold thousands of findings of one
//! rule (a generated list of ten thousand ports, each with the same mistake): past the first
//! [`MAX_PER_OBJECT_AND_RULE`] they say nothing new, and a report of a hundred thousand lines
//! is no report. The rest become one closing finding, "... and N more", at the first one left
//! out. Applied by the engine to every rule, after suppressions (a suppressed finding takes no
//! place) and after sorting (the first ones in the file are kept).

use std::collections::HashMap;

use crate::finding::{Finding, ObjectIdentity};
use crate::rule_id::RuleName;

/// Findings of one rule shown per object (per file, for findings about no object).
pub(crate) const MAX_PER_OBJECT_AND_RULE: usize = 100;

/// Keeps the first [`MAX_PER_OBJECT_AND_RULE`] findings of each (file, object, rule), in
/// order, and replaces the rest by one "... and N more" finding where the first of them was.
pub(super) fn cap_per_object_and_rule(findings: &mut Vec<Finding>) {
    let mut shown: HashMap<(usize, Option<&ObjectIdentity>, RuleName), usize> = HashMap::new();
    let mut over = false;
    for finding in findings.iter() {
        let count = shown
            .entry((finding.file, finding.object.as_ref(), finding.rule))
            .or_default();
        *count += 1;
        over |= *count > MAX_PER_OBJECT_AND_RULE;
    }
    if !over {
        return;
    }
    let totals: HashMap<(usize, Option<ObjectIdentity>, RuleName), usize> = shown
        .into_iter()
        .filter(|(_, count)| *count > MAX_PER_OBJECT_AND_RULE)
        .map(|((file, object, rule), count)| ((file, object.cloned(), rule), count))
        .collect();
    let mut seen: HashMap<(usize, Option<ObjectIdentity>, RuleName), usize> = HashMap::new();
    let mut kept = Vec::with_capacity(findings.len());
    for finding in findings.drain(..) {
        let key = (finding.file, finding.object.clone(), finding.rule);
        let Some(total) = totals.get(&key) else {
            kept.push(finding);
            continue;
        };
        let count = seen.entry(key).or_default();
        *count += 1;
        if *count <= MAX_PER_OBJECT_AND_RULE {
            kept.push(finding);
        } else if *count == MAX_PER_OBJECT_AND_RULE + 1 {
            kept.push(closing(finding, total - MAX_PER_OBJECT_AND_RULE));
        }
    }
    *findings = kept;
}

/// The "... and N more" finding, in place of `first_left_out`.
fn closing(first_left_out: Finding, more: usize) -> Finding {
    let whose = match &first_left_out.object {
        Some(object) => format!("in {}", object.describe()),
        None => "in this file".to_string(),
    };
    let mut closing = Finding::new(
        first_left_out.rule,
        first_left_out.file,
        first_left_out.span,
        format!(
            "... and {more} more `{}` findings {whose} (at most {MAX_PER_OBJECT_AND_RULE} are \
             shown per object and rule)",
            first_left_out.rule
        ),
    )
    .label("more from here on")
    .help("fix the findings shown, or the pattern they share, and run again")
    .object(first_left_out.object);
    closing.severity = first_left_out.severity;
    // Its span is the first left-out finding's: keep that finding's secret spans masked.
    closing.redact = first_left_out.redact;
    closing
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule_id::RuleId;
    use crate::source::Span;

    fn finding(file: usize, at: usize, rule: RuleId) -> Finding {
        Finding::new(rule, file, Span::new(at, at + 1), format!("problem {at}"))
    }

    #[test]
    fn keeps_the_first_and_closes_with_a_count() {
        let mut findings: Vec<Finding> = (0..250)
            .map(|i| finding(0, i, RuleId::SchemaViolation))
            .chain((0..3).map(|i| finding(0, i, RuleId::DuplicateKey)))
            .chain((0..101).map(|i| finding(1, i, RuleId::SchemaViolation)))
            .collect();
        cap_per_object_and_rule(&mut findings);
        let of = |file: usize, rule: RuleId| {
            findings
                .iter()
                .filter(|f| f.file == file && f.rule == RuleName::from(rule))
                .collect::<Vec<_>>()
        };
        let capped = of(0, RuleId::SchemaViolation);
        assert_eq!(capped.len(), MAX_PER_OBJECT_AND_RULE + 1);
        assert_eq!(capped[99].message, "problem 99");
        assert_eq!(
            capped[100].message,
            "... and 150 more `schema-violation` findings in this file (at most 100 are shown \
             per object and rule)"
        );
        assert_eq!(capped[100].span, Span::new(100, 101));
        assert_eq!(of(0, RuleId::DuplicateKey).len(), 3);
        let one_over = of(1, RuleId::SchemaViolation);
        assert_eq!(one_over.len(), 101);
        assert!(one_over[100].message.starts_with("... and 1 more"));
    }

    #[test]
    fn under_the_cap_nothing_changes() {
        let mut findings: Vec<Finding> = (0..100)
            .map(|i| finding(0, i, RuleId::SchemaViolation))
            .collect();
        let before = findings.clone();
        cap_per_object_and_rule(&mut findings);
        assert_eq!(findings, before);
    }
}
