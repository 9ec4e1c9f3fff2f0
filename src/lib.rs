//! kubeward: an offline Kubernetes manifest linter. See DESIGN.md for the map of the code.
//!
//! The flow: [`discover`] -> [`load`] -> [`model`] (workspace) -> [`rules`] -> [`finding`]s ->
//! [`report`].

// Cargo.toml denies unsafe code for every target; the library forbids it outright (only the
// hardening tests' libc calls need an `allow`).
#![forbid(unsafe_code)]

pub(crate) mod baseline;
pub mod catalogue;
pub mod cli;
pub(crate) mod config;
pub mod discover;
pub(crate) mod error;
pub mod finding;
pub mod helm;
pub(crate) mod inspect;
pub(crate) mod kube_version;
pub mod kustomize;
pub mod lint;
pub mod load;
pub(crate) mod model;
pub mod outcome;
pub(crate) mod policy;
pub(crate) mod redact;
pub mod registry;
pub mod report;
pub mod rule_id;
pub mod rules;
pub mod schema;
pub(crate) mod secrets;
pub mod source;
pub(crate) mod suggest;
pub(crate) mod suppress;
pub(crate) mod timings;
