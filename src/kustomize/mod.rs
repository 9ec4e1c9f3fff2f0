//! A native kustomize build (issue 17): `kubectl kustomize DIR` (kustomize 5.5) in Rust, offline.
//!
//! The builder works on a value tree whose nodes carry the source span they came from
//! ([`value::Origin`]): the base's node, the patch's node, or the kustomization field that set
//! it. [`emit::emit`] writes a built object as YAML text plus a map from output spans to those
//! origins, so a finding on the built text can be reported at its source line.
//!
//! Layout: `build` (resources, components, the order of steps), `generate` (configMap/secret
//! generators), `transform` (patches, namespace, prefixes, labels, images, replicas), `smp`
//! (kyaml's strategic merge), `nameref` (name references), `hash` (generated names' suffix),
//! `fieldspec` + `fieldspecs.yaml` and `openapi` + `merge_keys.txt` (kustomize's data, generated
//! by tools/gen-kustomize-*.py), `plugin` (builtin plugin configs in `generators:`/`transformers:`), `emit` (YAML text with
//! the origin map).

mod build;
pub mod emit;
mod fieldspec;
pub(crate) mod generate;
pub(crate) mod hash;
mod nameref;
mod openapi;
mod plugin;
mod render;
mod replace;
mod smp;
mod transform;
pub mod value;

pub use build::{Builder, Built, KustError, Note, Resource, build, kustomization_file};
pub use render::render;
