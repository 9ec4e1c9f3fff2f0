//! Secrets: what looks like one, how Kubernetes encodes and validates them, and where they
//! sit in a workspace. The rules in `src/rules/` about secrets and the redaction of every
//! output ([`crate::redact`]) share these, so they agree on what a secret is.

pub mod base64;
pub mod data;
pub mod docker;
pub mod names;
pub mod patterns;
pub mod sites;
pub mod values;
