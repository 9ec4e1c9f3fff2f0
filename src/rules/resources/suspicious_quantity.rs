//! `suspicious-quantity`: quantities the API server accepts but that are almost surely a
//! unit slip: memory in millibytes (`memory: 500m` is half a byte), memory below 1Mi, more
//! than 256 cpu cores, a request and a limit that differ only by `M` versus `Mi`, and values
//! Kubernetes reads as 0 (`cpu:` with no value, `cpu: "."`).

use crate::rule_id::RuleId;
use crate::rules::HasRuleId;
use std::collections::HashSet;

use super::super::{ObjectContext, Rule};
use super::pods;
use crate::finding::Finding;
use crate::model::effective::{ContainerResources, ValueOrigin};
use crate::model::limitrange::LimitRangeField;
use crate::model::quantity::Quantity;
use crate::model::resource_values::{
    ListKind, ResourceEntry, ResourceList, Side, is_byte_resource, shorten,
};
use crate::source::Span;

#[derive(Default)]
pub(crate) struct SuspiciousQuantity;

const ID: RuleId = <SuspiciousQuantity as HasRuleId>::ID;

/// Where a value sits, which decides what is odd about it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// A container's or the pod's requests and limits, a LimitRange bound: one pod's worth.
    PerPod,
    /// A ResourceQuota `hard` value: a namespace's worth (any size is plausible).
    Namespace,
}

const MI: i64 = 1 << 20;

/// The number and suffix as written (`512` and `Mi`).
fn split_suffix(text: &str) -> (&str, &str) {
    let text = text.trim();
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '+' | '-')))
        .unwrap_or(text.len());
    text.split_at_checked(end).unwrap_or((text, ""))
}

/// The base resource name of a quota name (`requests.memory` -> `memory`).
fn base_name(name: &str) -> &str {
    name.strip_prefix("requests.")
        .or_else(|| name.strip_prefix("limits."))
        .unwrap_or(name)
}

struct QuantityProblem {
    message: String,
    label: &'static str,
    help: String,
}

fn check(entry: &ResourceEntry, place: Place) -> Option<QuantityProblem> {
    let name = entry.name.as_str();
    let shown = shorten(entry.text.trim());
    let text = shown.as_str();
    if entry.null {
        return Some(QuantityProblem {
            message: format!("`{name}` has no value: the API server reads it as 0"),
            label: "no value",
            help: "write the quantity, or remove the key".into(),
        });
    }
    let value = entry.value.as_ref().ok()?;
    if !value.has_digits() {
        return Some(QuantityProblem {
            message: format!("`{name}: {text}` has no digits: Kubernetes reads it as 0"),
            label: "read as 0",
            help: "write the number, e.g. `500m` or `1Gi`".into(),
        });
    }
    let (number, suffix) = split_suffix(entry.text.trim());
    let number = &shorten(number);
    let base = base_name(name);
    let small_suffix = matches!(suffix, "m" | "u" | "n");
    let fractional = value.milli_value_ceil().is_some_and(|m| m % 1000 != 0);
    if is_byte_resource(name) && (small_suffix || fractional) {
        let bytes = fraction(value);
        let unit = if bytes == "1" { "byte" } else { "bytes" };
        let message = if suffix == "m" {
            format!("`{name}: {text}` is {bytes} {unit}: `m` means milli (1/1000), not mega")
        } else if small_suffix {
            format!("`{name}: {text}` is {bytes} {unit}: `{suffix}` is a fraction")
        } else {
            format!("`{name}: {text}` is a fraction of a byte ({bytes} bytes)")
        };
        let help = if small_suffix {
            format!("did you mean `{number}Mi` (mebibytes) or `{number}M` (megabytes)?")
        } else {
            "write bytes with a binary suffix, e.g. `512Mi` or `2Gi`".into()
        };
        return Some(QuantityProblem {
            message,
            label: if small_suffix {
                "unit slip"
            } else {
                "fraction of a byte"
            },
            help,
        });
    }
    if place == Place::PerPod
        && base == "memory"
        && !value.is_zero()
        && value.value_ceil().is_some_and(|v| v < MI)
    {
        let help = if suffix.is_empty() {
            format!("memory is counted in bytes: did you mean `{number}Mi`?")
        } else {
            "memory is counted in bytes: write it with `Mi` or `Gi`".into()
        };
        return Some(QuantityProblem {
            message: format!(
                "`{name}: {text}` is {} bytes, less than 1Mi: no container runs in that",
                value.value_ceil().unwrap_or_default()
            ),
            label: "below 1Mi",
            help,
        });
    }
    if place == Place::PerPod && base == "cpu" && value.value_ceil().is_none_or(|v| v > 256) {
        let help = if suffix.is_empty() {
            format!("cpu is counted in cores: did you mean `{number}m` (millicores)?")
        } else {
            "cpu is counted in cores: `1` is one core, `500m` half of one".into()
        };
        return Some(QuantityProblem {
            message: format!("`{name}: {text}` is more than 256 cpu cores"),
            label: "over 256 cores",
            help,
        });
    }
    None
}

/// `0.5`, `0.001`: the value in bytes for messages (approximate, display only).
fn fraction(value: &Quantity) -> String {
    let v = value.to_f64_approx();
    let text = format!("{v:.9}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Decimal and binary suffixes of the same magnitude name.
fn sibling_suffixes(a: &str, b: &str) -> bool {
    let pairs = [
        ("k", "Ki"),
        ("K", "Ki"),
        ("M", "Mi"),
        ("G", "Gi"),
        ("T", "Ti"),
        ("P", "Pi"),
        ("E", "Ei"),
    ];
    pairs
        .iter()
        .any(|(d, bi)| (a == *d && b == *bi) || (a == *bi && b == *d))
}

impl SuspiciousQuantity {
    fn list(
        &self,
        cx: &ObjectContext<'_>,
        owner: &str,
        list: &ResourceList,
        place: Place,
        seen: &mut HashSet<Span>,
        out: &mut Vec<Finding>,
    ) {
        for entry in &list.entries {
            if let Some(p) = check(entry, place) {
                seen.insert(entry.value_span);
                out.push(
                    cx.finding(ID, entry.value_span, format!("{owner}{}", p.message))
                        .label(p.label)
                        .help(p.help),
                );
            }
        }
    }

    /// A request and a limit written with the same number and sibling suffixes (`512M` and
    /// `512Mi`), where the limit is not below the request (that is `limits-below-requests`).
    fn pair(
        &self,
        cx: &ObjectContext<'_>,
        c: &ContainerResources,
        seen: &HashSet<Span>,
        out: &mut Vec<Finding>,
    ) {
        for (name, limit) in &c.limits {
            let Some(request) = c.requests.get(name) else {
                continue;
            };
            if limit.origin != ValueOrigin::Manifest
                || request.origin != ValueOrigin::Manifest
                || request.quantity > limit.quantity
                || seen.contains(&limit.span)
                || seen.contains(&request.span)
            {
                continue;
            }
            let (rt, lt) = (request.quantity.original(), limit.quantity.original());
            let ((rn, rs), (ln, ls)) = (split_suffix(rt), split_suffix(lt));
            if rn == ln && sibling_suffixes(rs, ls) {
                out.push(
                    cx.finding(
                        ID,
                        limit.span,
                        format!(
                            "{}: requests.{name} `{rt}` and limits.{name} `{lt}` differ only in the suffix: `{rs}` is decimal and `{ls}` binary, so they differ by {}",
                            c.describe(),
                            percent(&request.quantity, &limit.quantity),
                        ),
                    )
                    .label("suffix differs from the request's")
                    .related(request.file, request.span, "request")
                    .help(format!(
                        "use one unit for both, e.g. `{rn}{}` (binary units are the usual choice)",
                        if rs.ends_with('i') { rs } else { ls }
                    )),
                );
            }
        }
    }
}

/// How far apart two values are, in percent of the smaller (display only).
fn percent(a: &Quantity, b: &Quantity) -> String {
    let (a, b) = (a.to_f64_approx(), b.to_f64_approx());
    let (lo, hi) = if a < b { (a, b) } else { (b, a) };
    if lo <= 0.0 {
        return "an unknown amount".into();
    }
    format!("{:.1}%", (hi - lo) / lo * 100.0)
}

impl Rule for SuspiciousQuantity {
    fn check_object(&self, cx: &ObjectContext<'_>, out: &mut Vec<Finding>) {
        let mut seen = HashSet::new();
        for (pod, resources) in pods(cx) {
            for c in &resources.containers {
                let owner = format!("{}: ", c.describe());
                for side in [Side::Requests, Side::Limits] {
                    self.list(cx, &owner, c.written(side), Place::PerPod, &mut seen, out);
                }
                self.pair(cx, c, &seen, out);
            }
            if let Some(spec_resources) = cx.doc.get(pod.node, "resources") {
                for side in ["requests", "limits"] {
                    let list =
                        ResourceList::read(cx.doc, spec_resources, side, ListKind::NonNegative);
                    self.list(
                        cx,
                        "pod-level `spec.resources`: ",
                        &list,
                        Place::PerPod,
                        &mut seen,
                        out,
                    );
                }
            }
        }
        if !cx.object.group.is_empty() {
            return;
        }
        let doc = cx.doc;
        match cx.object.kind.as_str() {
            "LimitRange" => {
                let items = doc
                    .get_path(cx.object.node, &["spec", "limits"])
                    .map(|l| doc.items(l))
                    .unwrap_or(&[]);
                for item in items {
                    for field in LimitRangeField::ALL {
                        if field == LimitRangeField::MaxLimitRequestRatio {
                            continue;
                        }
                        let list = ResourceList::read(doc, *item, field.key(), ListKind::Any);
                        let owner = format!("{}: ", field.key());
                        self.list(cx, &owner, &list, Place::PerPod, &mut seen, out);
                    }
                }
            }
            "ResourceQuota" => {
                if let Some(spec) = doc.get(cx.object.node, "spec") {
                    let list = ResourceList::read(doc, spec, "hard", ListKind::NonNegative);
                    self.list(cx, "", &list, Place::Namespace, &mut seen, out);
                }
            }
            _ => {}
        }
    }
}
