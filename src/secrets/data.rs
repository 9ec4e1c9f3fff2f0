//! The entries of a Secret's `data` and `stringData`, decoded as the API server decodes them.

use std::collections::BTreeMap;

use super::base64::{Base64Error, decode_std};
use crate::load::scalar::ScalarValue;
use crate::load::{Document, NodeId, NodeKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DataField {
    Data,
    StringData,
}

impl DataField {
    pub(crate) fn name(self) -> &'static str {
        match self {
            DataField::Data => "data",
            DataField::StringData => "stringData",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EntryValue {
    /// `null` or empty: valid, holds nothing.
    Empty,
    /// The bytes the Secret will hold (decoded `data`, or the `stringData` text).
    Bytes(Vec<u8>),
    /// A `data` value that is not valid base64.
    InvalidBase64(Base64Error),
    /// Not a string at all (a number, boolean, mapping or list): the API server rejects it.
    NotAString(&'static str),
}

/// One `data` or `stringData` entry.
#[derive(Debug, Clone)]
pub(crate) struct SecretEntry {
    pub field: DataField,
    pub key: String,
    pub key_node: NodeId,
    pub value_node: NodeId,
    pub value: EntryValue,
}

impl SecretEntry {
    pub(crate) fn bytes(&self) -> Option<&[u8]> {
        match &self.value {
            EntryValue::Bytes(b) => Some(b),
            EntryValue::Empty => Some(&[]),
            _ => None,
        }
    }

    /// Holds at least one byte.
    pub(crate) fn is_filled(&self) -> bool {
        matches!(&self.value, EntryValue::Bytes(b) if !b.is_empty())
    }
}

fn value_of(doc: &Document, node: NodeId, field: DataField) -> EntryValue {
    match doc.kind(node) {
        NodeKind::Mapping(_) => EntryValue::NotAString("a mapping"),
        NodeKind::Sequence(_) => EntryValue::NotAString("a list"),
        NodeKind::Scalar(scalar) => match scalar.value() {
            ScalarValue::Null => EntryValue::Empty,
            ScalarValue::Bool(_) => EntryValue::NotAString("a boolean"),
            ScalarValue::Int(_) | ScalarValue::BigInt | ScalarValue::Float(_) => {
                EntryValue::NotAString("a number")
            }
            ScalarValue::String => {
                let text = scalar.text;
                if text.is_empty() {
                    return EntryValue::Empty;
                }
                match field {
                    DataField::StringData => EntryValue::Bytes(text.as_bytes().to_vec()),
                    DataField::Data => match decode_std(text) {
                        Ok(bytes) if bytes.is_empty() => EntryValue::Empty,
                        Ok(bytes) => EntryValue::Bytes(bytes),
                        Err(e) => EntryValue::InvalidBase64(e),
                    },
                }
            }
        },
    }
}

/// Every entry of `data` then `stringData`, in source order.
pub(crate) fn secret_entries(doc: &Document, secret: NodeId) -> Vec<SecretEntry> {
    let mut out = Vec::new();
    for field in [DataField::Data, DataField::StringData] {
        let Some(map) = doc.get(secret, field.name()) else {
            continue;
        };
        for entry in doc.entries(map) {
            let Some(key) = doc.scalar(entry.key) else {
                continue;
            };
            out.push(SecretEntry {
                field,
                key: key.text.to_string(),
                key_node: entry.key,
                value_node: entry.value,
                value: value_of(doc, entry.value, field),
            });
        }
    }
    out
}

/// The Secret's data after the API server merged `stringData` into `data` (a `stringData` key
/// wins over the same `data` key).
pub(crate) fn merged_entries(entries: &[SecretEntry]) -> BTreeMap<&str, &SecretEntry> {
    let mut merged = BTreeMap::new();
    for entry in entries {
        match entry.field {
            DataField::Data => {
                merged.entry(entry.key.as_str()).or_insert(entry);
            }
            DataField::StringData => {
                merged.insert(entry.key.as_str(), entry);
            }
        }
    }
    merged
}

/// Is this object a SOPS-encrypted file (a top-level `sops:` key, or `ENC[...]` values)?
pub(crate) fn is_sops_encrypted(doc: &Document, object: NodeId, entries: &[SecretEntry]) -> bool {
    doc.get(object, "sops").is_some()
        || doc.get(doc.root, "sops").is_some()
        || entries.iter().any(|e| {
            doc.scalar(e.value_node)
                .is_some_and(|s| s.text.trim_start().starts_with("ENC["))
        })
}
