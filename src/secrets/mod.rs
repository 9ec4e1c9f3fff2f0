//! Secrets: what looks like one, how Kubernetes encodes and validates them, and where they
//! sit in a workspace. The rules in `src/rules/` about secrets and the redaction of every
//! output ([`crate::redact`]) share these, so they agree on what a secret is.

pub(crate) mod args;
pub(crate) mod base64;
pub(crate) mod data;
pub(crate) mod docker;
pub(crate) mod lines;
pub(crate) mod names;
pub(crate) mod patterns;
pub(crate) mod sites;
pub(crate) mod values;
