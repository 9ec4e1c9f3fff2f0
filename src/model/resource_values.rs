//! Resource lists as the API server decodes them: quantities read from YAML the way the API
//! server decodes them (`requests:`, `limits:`, `hard:`, `max:` ...), each rounded up to
//! milli scale as `SetDefaults_ResourceList` (kubernetes/kubernetes
//! `pkg/apis/core/v1/defaults.go`) does, and the resource name classes of
//! `pkg/apis/core/helper` (`IsExtendedResourceName`, `IsHugePageResourceName`,
//! `IsOvercommitAllowed`) and `resourcehelper.IsSupportedPodLevelResource`.

use std::collections::HashMap;

use crate::load::scalar::ScalarValue;
use crate::load::{Document, NodeId, NodeKind};
use crate::model::quantity::Quantity;
use crate::source::Span;

pub(crate) const CPU: &str = "cpu";
pub(crate) const MEMORY: &str = "memory";
pub(crate) const EPHEMERAL_STORAGE: &str = "ephemeral-storage";
pub(crate) const STORAGE: &str = "storage";

/// The JSON text the API server receives for a YAML scalar that stands for a quantity.
///
/// kubectl turns YAML into JSON with sigs.k8s.io/yaml (go-yaml v2 typing, then
/// `encoding/json`), and `Quantity.UnmarshalJSON` strips the quotes of a JSON string, trims
/// white space and calls `ParseQuantity`. So `cpu: 0.5` arrives as the number `0.5`,
/// `memory: 129e6` as `129000000`, `cpu: 010` (YAML 1.1 octal) as `8`, and `cpu: " 1 "` as
/// `1`. A boolean is passed as `true`/`false` and rejected; `.inf`/`.nan` cannot be written
/// as JSON at all. `null` (and an empty value) decodes to a zero quantity.
fn quantity_json_text(doc: &Document, node: NodeId) -> Result<Option<String>, String> {
    let scalar = match doc.kind(node) {
        NodeKind::Scalar(s) => s,
        NodeKind::Mapping(_) => return Err("a mapping is not a quantity".into()),
        NodeKind::Sequence(_) => return Err("a list is not a quantity".into()),
    };
    match scalar.value() {
        ScalarValue::Null => Ok(None),
        ScalarValue::Bool(_) => Err(format!(
            "`{}` is a YAML boolean, not a quantity (quote it if it is meant as text)",
            scalar.text
        )),
        ScalarValue::Int(i) => Ok(Some(i.to_string())),
        ScalarValue::BigInt => Ok(Some(big_int_json(scalar.text))),
        ScalarValue::Float(f) if !f.is_finite() => Err(format!(
            "`{}` is not a finite number and cannot be sent to the API server",
            scalar.text
        )),
        ScalarValue::Float(f) => Ok(Some(go_json_float(f))),
        ScalarValue::String => Ok(Some(scalar.text.trim().to_string())),
    }
}

/// go-yaml v2 reads an integer too large for int64 as uint64 if it fits, else as a float
/// (`resolve.go`); JSON then carries that value.
fn big_int_json(text: &str) -> String {
    let cleaned: String = text.chars().filter(|c| *c != '_').collect();
    let digits = cleaned.strip_prefix('+').unwrap_or(&cleaned);
    let parsed = if let Some(hex) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        u64::from_str_radix(hex, 16).ok()
    } else if let Some(bin) = digits
        .strip_prefix("0b")
        .or_else(|| digits.strip_prefix("0B"))
    {
        u64::from_str_radix(bin, 2).ok()
    } else {
        digits.parse::<u64>().ok()
    };
    match parsed {
        Some(v) => v.to_string(),
        None => match cleaned.parse::<f64>() {
            Ok(f) if f.is_finite() => go_json_float(f),
            _ => text.to_string(),
        },
    }
}

/// `encoding/json`'s float formatting: `strconv` shortest form, with an exponent below 1e-6
/// and from 1e21 on.
fn go_json_float(f: f64) -> String {
    let abs = f.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        format!("{f:e}")
    } else {
        format!("{f}")
    }
}

/// Reads a single quantity field (`emptyDir.sizeLimit`) as the API server decodes it
/// (`Ok(None)` for null). For validity checks: the value is rounded to milli-units like a
/// resource list's, which only resource lists are.
pub(crate) fn read_quantity(doc: &Document, node: NodeId) -> Result<Option<Quantity>, String> {
    let text = doc
        .scalar(node)
        .map(|s| s.text.to_string())
        .unwrap_or_default();
    match quantity_json_text(doc, node)? {
        None => Ok(None),
        Some(json) => parse_for(&json, &text, "", ListKind::Any).map(Some),
    }
}

/// What the API server accepts in a resource list, beyond a parsable quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListKind {
    /// A container's `resources.requests` / `resources.limits`: values must be >= 0, and
    /// extended resources (`nvidia.com/gpu`) whole numbers
    /// (`ValidateResourceQuantityValue`, `ValidateNonnegativeQuantity`).
    Container,
    /// Pod-level `spec.resources`, `spec.overhead`, ResourceQuota `hard`, claims: >= 0.
    NonNegative,
    /// LimitRange bounds and defaults: any parsable quantity.
    Any,
}

/// One `name: value` entry of a resource list, as written.
#[derive(Debug, Clone)]
pub struct ResourceEntry {
    pub name: String,
    pub key_span: Span,
    pub value_span: Span,
    /// The value as written (the scalar's text).
    pub text: String,
    /// The stored value (after milli rounding), or why the API server rejects it.
    pub value: Result<Quantity, String>,
    /// `cpu: null` or `cpu:` with nothing after it: the API server reads 0 on create.
    pub null: bool,
}

/// A resource list as written (`requests:`, `limits:`, `hard:`, `max:` ...).
#[derive(Debug, Clone, Default)]
pub struct ResourceList {
    /// Span of the list's key (`requests`), if the key is present.
    pub key_span: Option<Span>,
    /// Entries in source order; a resource written twice keeps its last value, as the
    /// YAML-to-JSON conversion does.
    pub entries: Vec<ResourceEntry>,
}

impl ResourceList {
    /// Reads `parent.key` as a resource list. A missing or non-mapping value gives an empty
    /// list (with the key's span when the key is there).
    pub fn read(doc: &Document, parent: NodeId, key: &str, kind: ListKind) -> ResourceList {
        let Some(entry) = doc.entry(parent, key) else {
            return ResourceList::default();
        };
        let mut list = ResourceList {
            key_span: Some(doc.span(entry.key)),
            entries: Vec::new(),
        };
        let mut seen: HashMap<String, usize> = HashMap::new();
        for e in doc.entries(entry.value) {
            let Some(name) = doc.scalar(e.key).map(|s| s.text.to_string()) else {
                continue;
            };
            let read = read_entry(doc, &name, e.key, e.value, kind);
            match seen.get(&name) {
                Some(&i) => {
                    if let Some(slot) = list.entries.get_mut(i) {
                        *slot = read;
                    }
                }
                None => {
                    seen.insert(name, list.entries.len());
                    list.entries.push(read);
                }
            }
        }
        list
    }

    pub fn get(&self, name: &str) -> Option<&ResourceEntry> {
        self.entries.iter().find(|e| e.name == name)
    }

    /// The valid values, by resource name.
    pub fn valid(&self) -> impl Iterator<Item = (&ResourceEntry, &Quantity)> {
        self.entries
            .iter()
            .filter_map(|e| e.value.as_ref().ok().map(|q| (e, q)))
    }

    pub fn has_invalid(&self) -> bool {
        self.entries.iter().any(|e| e.value.is_err())
    }
}

fn read_entry(
    doc: &Document,
    name: &str,
    key: NodeId,
    value: NodeId,
    kind: ListKind,
) -> ResourceEntry {
    let text = match doc.scalar(value) {
        Some(s) => s.text.to_string(),
        None => String::new(),
    };
    let (value_result, null) = match quantity_json_text(doc, value) {
        Err(reason) => (Err(reason), false),
        Ok(None) => (Ok(Quantity::zero()), true),
        Ok(Some(json)) => (parse_for(&json, &text, name, kind), false),
    };
    ResourceEntry {
        name: name.to_string(),
        key_span: doc.span(key),
        value_span: doc.span(value),
        text,
        value: value_result,
        null,
    }
}

/// A value as shown in messages: at most 40 characters (a hostile 16 KB number stays out).
pub(crate) fn shorten(text: &str) -> String {
    const MAX: usize = 40;
    if text.chars().count() <= MAX {
        return text.to_string();
    }
    let head: String = text.chars().take(MAX - 3).collect();
    format!("{head}...")
}

fn parse_for(json: &str, written: &str, name: &str, kind: ListKind) -> Result<Quantity, String> {
    let written = &shorten(written);
    let quantity = Quantity::parse(json).map_err(|e| {
        let shown = if written.trim().is_empty() {
            shorten(json)
        } else {
            written.clone()
        };
        match e {
            crate::model::quantity::QuantityError::Empty => {
                "an empty string is not a quantity".to_string()
            }
            crate::model::quantity::QuantityError::Invalid(reason) => {
                format!("`{shown}` is not a quantity: {reason}")
            }
            crate::model::quantity::QuantityError::OutOfRange(reason) => {
                format!("`{shown}` is out of the range kubeward supports: {reason}")
            }
        }
    })?;
    let quantity = quantity.round_up_milli();
    if kind != ListKind::Any && quantity.is_negative() {
        return Err(format!("`{written}` is negative; it must be 0 or more"));
    }
    // `ValidateResourceQuantityValue` (pkg/apis/core/validation): every name
    // `IsIntegerResourceName` accepts must hold a whole number, in container resources and
    // in quotas alike.
    if kind != ListKind::Any && is_integer_resource(name) {
        let whole = quantity
            .milli_value_ceil()
            .is_some_and(|milli| milli % 1000 == 0);
        if !whole {
            let what = if is_extended_resource(name) && !name.starts_with("count/") {
                "extended resources such as"
            } else {
                "object counts such as"
            };
            return Err(format!(
                "`{written}` is not a whole number; {what} `{name}` are counted in whole units"
            ));
        }
    }
    Ok(quantity)
}

/// The object counts of `integerResources` in pkg/apis/core/helper/helpers.go: quota names
/// measured in whole objects.
const INTEGER_RESOURCES: &[&str] = &[
    "pods",
    "resourcequotas",
    "services",
    "replicationcontrollers",
    "secrets",
    "configmaps",
    "persistentvolumeclaims",
    "services.nodeports",
    "services.loadbalancers",
];

/// `helper.IsIntegerResourceName`: the standard object counts, and every extended resource
/// name (which includes the `count/<resource>.<group>` quota names).
pub(crate) fn is_integer_resource(name: &str) -> bool {
    INTEGER_RESOURCES.contains(&name) || is_extended_resource(name)
}

/// `helper.IsExtendedResourceName`: not a native resource (a name without a domain, or in
/// `kubernetes.io/`), not a quota request name (`requests.*`: `requests.nvidia.com/gpu` is
/// not itself an extended resource name), and `requests.<name>` must be a qualified name.
pub(crate) fn is_extended_resource(name: &str) -> bool {
    name.contains('/')
        && !name.contains("kubernetes.io/")
        && !name.starts_with("requests.")
        && crate::model::names::qualified_name(&format!("requests.{name}")).is_none()
}

/// `helper.IsHugePageResourceName`.
pub(crate) fn is_hugepages(name: &str) -> bool {
    name.starts_with("hugepages-")
}

/// `helper.IsOvercommitAllowed`: native resources other than hugepages. Extended resources
/// and hugepages must request exactly their limit.
pub(crate) fn is_overcommit_allowed(name: &str) -> bool {
    !is_extended_resource(name) && !is_hugepages(name)
}

/// `resourcehelper.IsSupportedPodLevelResource`: cpu, memory and hugepages.
pub(crate) fn is_supported_pod_level_resource(name: &str) -> bool {
    name == CPU || name == MEMORY || is_hugepages(name)
}

/// Resources measured in bytes, where a fraction of a byte (`memory: 500m`) is a unit slip.
pub(crate) fn is_byte_resource(name: &str) -> bool {
    matches!(name, MEMORY | EPHEMERAL_STORAGE | STORAGE)
        || is_hugepages(name)
        || name.ends_with(".memory")
        || name.ends_with(".ephemeral-storage")
        || name.ends_with(".storage")
}

/// Requests or limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Requests,
    Limits,
}

impl Side {
    pub fn key(self) -> &'static str {
        match self {
            Side::Requests => "requests",
            Side::Limits => "limits",
        }
    }
}

/// The span of a mapping's first key (its first line), or the node itself.
pub(crate) fn first_line(doc: &Document, node: NodeId) -> Span {
    doc.entries(node)
        .first()
        .map(|e| doc.span(e.key))
        .unwrap_or_else(|| doc.span(node))
}

#[cfg(test)]
mod tests;
