//! kubeward: an offline Kubernetes manifest linter. See DESIGN.md for the map of the code.
//!
//! The flow: [`discover`] -> [`load`] -> [`model`] (workspace) -> [`rules`] -> [`finding`]s ->
//! [`report`].

pub mod baseline;
pub mod catalogue;
pub mod cli;
pub mod config;
pub mod discover;
pub mod error;
pub mod finding;
pub mod inspect;
pub mod kustomize;
pub mod lint;
pub mod load;
pub mod model;
pub mod policy;
pub mod redact;
pub mod registry;
pub mod report;
pub mod rules;
pub mod schema;
pub mod secrets;
pub mod source;
pub mod suggest;
pub mod suppress;
