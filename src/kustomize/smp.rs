//! Strategic merge as kustomize 5.x performs it: kyaml's merge2 walker (kyaml/yaml/merge2 and
//! kyaml/yaml/walk), with the list semantics of the Kubernetes v1.21.2 schema kustomize embeds
//! (`x-kubernetes-patch-strategy` containing `merge` makes a list associative by
//! `x-kubernetes-patch-merge-key`; every other list is replaced) and the `$patch` directive.
//! kustomize applies patches with `ListIncreaseDirection: Prepend`: the patch's elements come
//! first, then the target's remaining ones.
//!
//! kyaml implements neither `$setElementOrder` nor `$retainKeys`: kustomize copies them into the
//! output as ordinary fields, and so does this module (the differential test holds it to that).

use super::openapi::{FieldSchema, table};
use super::value::{Kind, Node};

const DIRECTIVE: &str = "$patch";

#[derive(Debug, Clone)]
enum Sch {
    Obj(String),
    List(FieldSchema),
}

fn field_schema(sch: &Option<Sch>, key: &str) -> Option<Sch> {
    let Some(Sch::Obj(def)) = sch else {
        return None;
    };
    let f = table().field(def, key)?;
    if f.is_list {
        Some(Sch::List(f))
    } else {
        f.definition.map(Sch::Obj)
    }
}

fn item_schema(sch: &Option<Sch>) -> Option<Sch> {
    match sch {
        Some(Sch::List(f)) => f.definition.clone().map(Sch::Obj),
        _ => None,
    }
}

/// What the walker returned for a node: kyaml distinguishes the target node (merged in place)
/// from the patch's node, which matters for list elements (see `merge_assoc`).
enum Out {
    Clear,
    Dest(Node),
    Origin(Node),
}

impl Out {
    fn into_node(self) -> Option<Node> {
        match self {
            Out::Clear => None,
            Out::Dest(n) | Out::Origin(n) => Some(n),
        }
    }
}

#[derive(PartialEq)]
enum Directive {
    Merge,
    Replace,
    Delete,
    Unknown,
}

fn missing_or_null(n: &Option<Node>) -> bool {
    n.as_ref().is_none_or(Node::is_null)
}

/// Reads and removes a map's `$patch` directive.
fn map_directive(patch: &mut Node) -> Result<Directive, String> {
    let Some(v) = patch.get(DIRECTIVE) else {
        return Ok(Directive::Merge);
    };
    let v = v.as_str().unwrap_or_default().to_string();
    let d = match v.as_str() {
        "delete" => Directive::Delete,
        "replace" => Directive::Replace,
        "merge" => Directive::Merge,
        _ => return Err(format!("unknown patch strategy '{v}'")),
    };
    patch.remove(DIRECTIVE);
    Ok(d)
}

/// Reads and removes a list's `{$patch: ...}` element.
fn seq_directive(patch: &mut Node) -> Result<Directive, String> {
    let Some(items) = patch.as_seq_mut() else {
        return Ok(Directive::Merge);
    };
    let Some(pos) = items.iter().position(|i| {
        i.as_map()
            .is_some_and(|m| m.len() == 1 && m.iter().any(|(k, _)| k == DIRECTIVE))
    }) else {
        return Ok(Directive::Merge);
    };
    let v = items
        .get(pos)
        .and_then(|i| i.get_str(DIRECTIVE))
        .unwrap_or_default()
        .to_string();
    let d = match v.as_str() {
        "delete" => Directive::Delete,
        "replace" => Directive::Replace,
        "merge" => Directive::Merge,
        _ => return Err(format!("unknown patch strategy '{v}'")),
    };
    items.retain(|i| {
        !(i.as_map().is_some_and(|m| m.len() == 1) && i.get_str(DIRECTIVE) == Some(v.as_str()))
    });
    Ok(d)
}

fn directive(patch: &mut Option<Node>) -> Result<Directive, String> {
    match patch {
        None => Ok(Directive::Merge),
        Some(p) => match &p.kind {
            Kind::Map(_) => map_directive(p),
            Kind::Seq(_) => seq_directive(p),
            Kind::Scalar(_) => Ok(Directive::Unknown),
        },
    }
}

#[derive(Clone, Copy, PartialEq)]
enum NodeKind {
    None,
    Map,
    Seq,
    Scalar,
}

fn kind_of(n: &Option<Node>) -> NodeKind {
    match n {
        Some(n) if !n.is_null() => match n.kind {
            Kind::Map(_) => NodeKind::Map,
            Kind::Seq(_) => NodeKind::Seq,
            Kind::Scalar(_) => NodeKind::Scalar,
        },
        _ => NodeKind::None,
    }
}

fn kind_name(k: NodeKind) -> &'static str {
    match k {
        NodeKind::Map => "MappingNode",
        NodeKind::Seq => "SequenceNode",
        NodeKind::Scalar => "ScalarNode",
        NodeKind::None => "null",
    }
}

/// Applies a strategic-merge `patch` to `target`. `None` means the patch deleted the object.
pub(crate) fn merge(target: Node, patch: Node) -> Result<Option<Node>, String> {
    let api = target
        .get_str("apiVersion")
        .or_else(|| patch.get_str("apiVersion"))
        .unwrap_or_default()
        .to_string();
    let kind = target
        .get_str("kind")
        .or_else(|| patch.get_str("kind"))
        .unwrap_or_default()
        .to_string();
    let sch = table()
        .resource(&api, &kind)
        .map(|d| Sch::Obj(d.to_string()));
    Ok(walk(Some(target), Some(patch), &sch, "")?.into_node())
}

fn walk(
    dest: Option<Node>,
    origin: Option<Node>,
    sch: &Option<Sch>,
    path: &str,
) -> Result<Out, String> {
    let dk = kind_of(&dest);
    let ok = kind_of(&origin);
    let kind = if dk != NodeKind::None { dk } else { ok };
    if dk != NodeKind::None && ok != NodeKind::None && dk != ok {
        return Err(format!(
            "wrong node kind: expected {} but got {} at {}",
            kind_name(dk),
            kind_name(ok),
            if path.is_empty() { "." } else { path }
        ));
    }
    match kind {
        NodeKind::Map | NodeKind::None => walk_map(dest, origin, sch, path),
        NodeKind::Seq => {
            let associative = matches!(sch, Some(Sch::List(f)) if f.strategy.as_deref().is_some_and(|s| s.contains("merge")));
            if associative {
                walk_assoc(dest, origin, sch, path)
            } else {
                Ok(match (origin, dest) {
                    (Some(o), _) => Out::Origin(o),
                    (None, Some(d)) => Out::Dest(d),
                    (None, None) => Out::Clear,
                })
            }
        }
        NodeKind::Scalar => Ok(match (origin, dest) {
            // A patch repeating the target's value (a merge key, an unchanged field) leaves
            // the target's node, so a finding on it points at the base, not at the patch.
            (Some(o), Some(d)) if o.kind == d.kind => Out::Dest(d),
            (Some(o), _) => Out::Origin(o),
            (None, Some(d)) => Out::Dest(d),
            (None, None) => Out::Clear,
        }),
    }
}

fn walk_map(
    dest: Option<Node>,
    mut origin: Option<Node>,
    sch: &Option<Sch>,
    path: &str,
) -> Result<Out, String> {
    let (mut node, from_dest) = if missing_or_null(&dest) {
        let d = directive(&mut origin).unwrap_or(Directive::Unknown);
        if d == Directive::Delete {
            return Ok(Out::Clear);
        }
        match origin {
            None => {
                // kyaml keeps a target's explicit `null` (a persistent null node) and drops an
                // empty value.
                return Ok(match dest {
                    Some(d)
                        if d.as_str().is_none()
                            && matches!(&d.kind, Kind::Scalar(s) if !s.text.is_empty()) =>
                    {
                        Out::Dest(d)
                    }
                    _ => Out::Clear,
                });
            }
            Some(o) => {
                if o.is_null() || o.as_map().is_none() {
                    return Ok(Out::Origin(o));
                }
                // The patch's subtree merged with itself (directives below it take effect).
                let copy = o.clone();
                let merged = merge_fields(copy, Some(o), sch, path)?;
                return Ok(Out::Origin(merged));
            }
        }
    } else {
        if origin.as_ref().is_some_and(Node::is_null) {
            return Ok(Out::Clear);
        }
        match directive(&mut origin)? {
            Directive::Delete => return Ok(Out::Clear),
            Directive::Replace => {
                let Some(o) = origin else {
                    return Ok(Out::Clear);
                };
                let copy = o.clone();
                return Ok(Out::Origin(merge_fields(copy, Some(o), sch, path)?));
            }
            _ => match dest {
                Some(d) => (d, true),
                None => return Ok(Out::Clear),
            },
        }
    };
    node = merge_fields(node, origin, sch, path)?;
    Ok(if from_dest {
        Out::Dest(node)
    } else {
        Out::Origin(node)
    })
}

/// Merges the fields of `origin` into the map `node` (kyaml's walkMap over the sorted union of
/// field names; existing fields stay in place, new ones are appended in sorted order).
fn merge_fields(
    mut node: Node,
    origin: Option<Node>,
    sch: &Option<Sch>,
    path: &str,
) -> Result<Node, String> {
    let mut names: Vec<String> = Vec::new();
    if let Some(m) = node.as_map() {
        names.extend(m.iter().map(|(k, _)| k.clone()));
    }
    let mut origin_map: Vec<(String, Node)> = match origin.map(|o| o.kind) {
        Some(Kind::Map(m)) => m,
        _ => Vec::new(),
    };
    names.extend(origin_map.iter().map(|(k, _)| k.clone()));
    names.sort();
    names.dedup();
    for name in names {
        // The target's child is moved out for the walk (cloning every subtree at every level
        // made a merge quadratic in the object's depth); a scalar is kept to recognise a
        // persistent null.
        let d = node
            .get_mut(&name)
            .map(|slot| std::mem::replace(slot, Node::plain("", None)));
        let d_scalar = d
            .as_ref()
            .filter(|d| matches!(d.kind, Kind::Scalar(_)))
            .cloned();
        let o = origin_map
            .iter()
            .position(|(k, _)| *k == name)
            .map(|i| origin_map.swap_remove(i).1);
        let child_sch = field_schema(sch, &name);
        let child_path = format!("{path}.{name}");
        match walk(d, o, &child_sch, &child_path)?.into_node() {
            Some(v)
                if !(v.is_null()
                    && matches!(&v.kind, Kind::Scalar(s) if s.text.is_empty() || s.text == "null" || s.text == "~")
                    && !is_persistent_null(d_scalar.as_ref(), &v)) =>
            {
                match node.get_mut(&name) {
                    Some(slot) => *slot = v,
                    None => node.set(&name, v),
                }
            }
            _ => {
                node.remove(&name);
            }
        }
    }
    Ok(node)
}

/// A target's own explicit `null` that the patch did not touch stays (kyaml's persistent null).
fn is_persistent_null(d: Option<&Node>, v: &Node) -> bool {
    d.is_some_and(|d| d == v && !matches!(&d.kind, Kind::Scalar(s) if s.text.is_empty()))
}

fn walk_assoc(
    dest: Option<Node>,
    mut origin: Option<Node>,
    sch: &Option<Sch>,
    path: &str,
) -> Result<Out, String> {
    // The list keeps the target's node as its origin (the patch's when the target has none).
    let seq_origin = dest
        .as_ref()
        .filter(|d| !d.is_null())
        .and_then(|d| d.origin.clone())
        .or_else(|| origin.as_ref().and_then(|o| o.origin.clone()));
    let (dest_items, from_dest) = if missing_or_null(&dest) {
        // The patch's list, merged with itself.
        let Some(o) = origin.clone() else {
            return Ok(Out::Clear);
        };
        match o.kind {
            Kind::Seq(items) => (items, false),
            _ => return Ok(Out::Origin(o)),
        }
    } else {
        if origin.as_ref().is_some_and(Node::is_null) {
            return Ok(Out::Clear);
        }
        match directive(&mut origin)? {
            Directive::Delete => return Ok(Out::Clear),
            Directive::Replace => {
                let Some(o) = origin.clone() else {
                    return Ok(Out::Clear);
                };
                match o.kind {
                    Kind::Seq(items) => (items, false),
                    _ => return Ok(Out::Origin(o)),
                }
            }
            _ => match dest.map(|d| d.kind) {
                Some(Kind::Seq(items)) => (items, true),
                _ => return Ok(Out::Clear),
            },
        }
    };
    let origin_items: Vec<Node> = match origin.map(|o| o.kind) {
        Some(Kind::Seq(items)) => items,
        _ => Vec::new(),
    };
    let keys: Vec<String> = match sch {
        Some(Sch::List(f)) => f.merge_keys.clone(),
        _ => Vec::new(),
    };
    if origin_items.len() + dest_items.len() > MAX_LIST {
        return Err(format!(
            "a list of more than {MAX_LIST} elements cannot be merged at {path}"
        ));
    }
    let elem_sch = item_schema(sch);
    let node = if keys.is_empty() {
        Node::seq(
            merge_primitive(dest_items, &origin_items, &elem_sch, path)?,
            seq_origin,
        )
    } else {
        Node::seq(
            merge_keyed(dest_items, &origin_items, &keys, &elem_sch, path)?,
            seq_origin,
        )
    };
    Ok(if from_dest {
        Out::Dest(node)
    } else {
        Out::Origin(node)
    })
}

/// The most elements an associative list merge takes (kyaml's merge is quadratic in them).
const MAX_LIST: usize = 4096;

/// A field's value as kyaml's `ElementValuesList` reads it: a non-null scalar's text, else "".
fn field_text(n: &Node, key: &str) -> String {
    match n.get(key).map(|v| &v.kind) {
        Some(Kind::Scalar(s)) if !n.get(key).is_some_and(Node::is_null) => s.text.clone(),
        _ => String::new(),
    }
}

/// A field's raw text when the field is present (kyaml's `Get`), whatever its value.
fn field_raw(n: &Node, key: &str) -> Option<String> {
    n.get(key).map(|v| match &v.kind {
        Kind::Scalar(s) => s.text.clone(),
        _ => String::new(),
    })
}

/// kyaml's `FieldMatcher{Name, StringValue}`: the field is present and, unless the value
/// wanted is empty, has that text.
fn field_matches(n: &Node, key: &str, value: &str) -> bool {
    field_raw(n, key).is_some_and(|t| value.is_empty() || t == value)
}

/// kyaml's `ElementMatcher` (`MatchElementList`): the first mapping element whose every key is
/// present with exactly that text.
fn element_index(items: &[Node], keys: &[String], values: &[String]) -> Option<usize> {
    items.iter().position(|e| {
        e.as_map().is_some()
            && keys.len() == values.len()
            && keys
                .iter()
                .zip(values)
                .all(|(k, v)| field_raw(e, k).is_some_and(|t| t == *v))
    })
}

fn is_empty_elem(n: &Node) -> bool {
    n.is_null() || n.as_map().is_some_and(Vec::is_empty)
}

/// kyaml's `ElementSetter` on a keyed list: drops null and empty elements, replaces every
/// element matching `keys`/`values` by `element` (removes them when `element` is `None`), and
/// appends `element` when nothing matched. With fewer values than keys only the first keys are
/// compared; with no values no element matches and every other mapping element is dropped.
fn element_set(items: &mut Vec<Node>, element: Option<&Node>, keys: &[String], values: &[String]) {
    let mut found_any = false;
    let mut out = Vec::with_capacity(items.len() + 1);
    for elem in items.drain(..) {
        if is_empty_elem(&elem) {
            continue;
        }
        if elem.as_map().is_none() {
            out.push(elem);
            continue;
        }
        let mut found = true;
        let mut last = false;
        for (j, k) in keys.iter().enumerate() {
            if let Some(v) = values.get(j) {
                last = field_matches(&elem, k, v);
            }
            if !last {
                found = false;
                break;
            }
        }
        if !found {
            if !values.is_empty() {
                out.push(elem);
            }
            continue;
        }
        found_any = true;
        if let Some(e) = element {
            out.push(e.clone());
        }
    }
    *items = out;
    if let Some(e) = element
        && !found_any
    {
        items.push(e.clone());
    }
}

/// kyaml's `validateKeys`: the keys that have a value in some element (all keys when none has).
fn valid_keys(
    values_list: &[Vec<String>],
    values: &[String],
    keys: &[String],
) -> (Vec<String>, Vec<String>) {
    let has = |i: usize| {
        values_list
            .iter()
            .any(|v| v.get(i).is_some_and(|t| !t.is_empty()))
    };
    if !(0..keys.len()).any(has) {
        return (keys.to_vec(), values.to_vec());
    }
    let k = keys
        .iter()
        .enumerate()
        .filter(|(i, _)| has(*i))
        .map(|(_, k)| k.clone())
        .collect();
    let v = values
        .iter()
        .enumerate()
        .filter(|(i, v)| !v.is_empty() || has(*i))
        .map(|(_, v)| v.clone())
        .collect();
    (k, v)
}

/// kyaml's `match`: two key tuples match when they share a value and differ only where one is
/// empty; the result fills each empty value from the other.
fn tuple_match(a: &[String], b: &[String]) -> Option<Vec<String>> {
    if a.len() != b.len() {
        return None;
    }
    let mut common = false;
    let mut res = Vec::with_capacity(a.len());
    for (x, y) in a.iter().zip(b) {
        if x == y {
            common = true;
            res.push(x.clone());
        } else if !x.is_empty() && !y.is_empty() {
            return None;
        } else if x.is_empty() {
            res.push(y.clone());
        } else {
            res.push(x.clone());
        }
    }
    common.then_some(res)
}

/// An associative list with merge keys, as kyaml's walker merges it
/// (kyaml/yaml/walk/associative_sequence.go: `elementValues`, `mergeValues`,
/// `setAssociativeSequenceElements`, `appendListNode`, with `ListIncreaseDirection: Prepend`).
/// Several keys (`x-kubernetes-list-map-keys`, e.g. a container port's containerPort and
/// protocol) identify an element by the keys it has; an element without a protocol matches one
/// with the same port (krusty multiplepatch_test.go TestSmpWithDifferentKeysOnDifferentPorts).
fn merge_keyed(
    mut dest: Vec<Node>,
    origin: &[Node],
    keys: &[String],
    elem_sch: &Option<Sch>,
    path: &str,
) -> Result<Vec<Node>, String> {
    // The key tuples of the patch's elements, then the target's, each once.
    let mut values_list: Vec<Vec<String>> = Vec::new();
    for item in origin.iter().chain(dest.iter()) {
        let v: Vec<String> = keys.iter().map(|k| field_text(item, k)).collect();
        if !values_list.contains(&v) {
            values_list.push(v);
        }
    }
    if keys.len() > 1 {
        let n = values_list.len();
        for i in 0..n {
            let Some(a) = values_list.get(i).cloned() else {
                continue;
            };
            for j in 0..n {
                let Some(b) = values_list.get(j) else {
                    continue;
                };
                if let Some(m) = tuple_match(&a, b) {
                    if let Some(slot) = values_list.get_mut(i) {
                        slot.clone_from(&m);
                    }
                    if let Some(slot) = values_list.get_mut(j) {
                        *slot = m;
                    }
                }
            }
        }
    }
    let mut to_add: Vec<Node> = Vec::new();
    let mut last_keys: Vec<String> = keys.to_vec();
    for values in &values_list {
        let (vkeys, vvalues) = valid_keys(&values_list, values, keys);
        last_keys.clone_from(&vkeys);
        // The element of each source with those keys (kyaml's elementValueList).
        let (mkeys, mvalues) = valid_keys(std::slice::from_ref(values), values, keys);
        let di = element_index(&dest, &mkeys, &mvalues);
        let oi = element_index(origin, &mkeys, &mvalues);
        let d = di.and_then(|i| dest.get(i)).cloned();
        let o = oi.and_then(|i| origin.get(i)).cloned();
        let out = walk(d, o, elem_sch, &format!("{path}[]"))?;
        let dest_won = matches!(out, Out::Dest(_));
        let val = out.into_node();
        let Some(mut val) = val.filter(|v| !is_empty_elem(v)) else {
            element_set(&mut dest, None, &vkeys, &vvalues);
            continue;
        };
        for (k, v) in vkeys.iter().zip(&vvalues) {
            if val.get(k).is_none() && !v.is_empty() && val.as_map().is_some() {
                val.set(k, Node::plain(v.clone(), None));
            }
        }
        if dest_won
            && let Some(i) = di
            && let Some(slot) = dest.get_mut(i)
        {
            // kyaml merged the target's element in place.
            *slot = val.clone();
        }
        element_set(&mut to_add, Some(&val), &vkeys, &vvalues);
    }
    if values_list.is_empty() {
        return Ok(dest);
    }
    // appendListNode(itemsToBeAdded, dest, keys): each target element replaces its matches
    // (with several keys it is removed and appended again, so the target's order wins).
    for elem in dest {
        let mut v = Vec::new();
        for k in &last_keys {
            match field_raw(&elem, k) {
                Some(t) => v.push(t),
                None => to_add.push(elem.clone()),
            }
        }
        if last_keys.len() > 1 {
            element_set(&mut to_add, None, &last_keys, &v);
        }
        element_set(&mut to_add, Some(&elem), &last_keys, &v);
    }
    Ok(to_add)
}

/// A primitive associative list (`finalizers`): the patch's values, then the target's.
fn merge_primitive(
    mut dest_items: Vec<Node>,
    origin_items: &[Node],
    elem_sch: &Option<Sch>,
    path: &str,
) -> Result<Vec<Node>, String> {
    let text = |n: &Node| n.as_str().unwrap_or_default().to_string();
    // Values in order: the patch's elements, then the target's (Prepend).
    let mut values: Vec<String> = Vec::new();
    for item in origin_items.iter().chain(dest_items.iter()) {
        if item.as_map().is_some() {
            continue;
        }
        let v = text(item);
        if !values.contains(&v) {
            values.push(v);
        }
    }
    // Each element's merge result.
    let mut to_add: Vec<(String, Node)> = Vec::new();
    for v in &values {
        let di = dest_items.iter().position(|i| text(i) == *v);
        let oi = origin_items.iter().position(|i| text(i) == *v);
        let d = di.and_then(|i| dest_items.get(i)).cloned();
        let o = oi.and_then(|i| origin_items.get(i)).cloned();
        let out = walk(d, o, elem_sch, &format!("{path}[]"))?;
        let dest_won = matches!(out, Out::Dest(_));
        let Some(val) = out.into_node().filter(|n| !is_empty_elem(n)) else {
            dest_items.retain(|i| text(i) != *v);
            continue;
        };
        if dest_won
            && let Some(i) = di
            && let Some(slot) = dest_items.get_mut(i)
        {
            *slot = val.clone();
        }
        to_add.push((v.clone(), val));
    }
    // appendListNode(itemsToBeAdded, dest): the target's elements replace their matches.
    let mut result = to_add;
    for item in dest_items {
        let v = text(&item);
        if let Some(slot) = result.iter_mut().find(|(k, _)| *k == v) {
            slot.1 = item;
        } else {
            result.push((v, item));
        }
    }
    Ok(result.into_iter().map(|(_, n)| n).collect())
}
