//! The pieces of `helm template` around the template engine (helm/helm v3.21.4 semantics):
//!
//! - [`strvals`]: `--set`, `--set-string`, `--set-file`, `--set-json`, `--set-literal`
//!   (`parse_into`, ..., and `apply_set_flags` in `MergeValues`' order with Helm's errors;
//!   `merge_maps` for successive `-f` files).
//! - [`capabilities`]: `.Capabilities` (`Capabilities::for_run` for a kubeward run,
//!   `Capabilities::helm_test` for the goldens; `KubeVersionInfo::parse` is `--kube-version`).
//! - [`files`]: `.Files` over the chart's other files (`Files::new(map, yaml_writer)`).
//! - [`manifests`]: the rendered templates to the `helm template` stream (`write_stream`:
//!   `SplitManifests`, `SortManifests` with hooks and the YAML check, `InstallOrder`,
//!   `--include-crds`, `--skip-tests`, `--no-hooks`, `--show-only`), with a map from each
//!   document of the stream back to the rendered text it was copied from.
//! - [`source_headers`]: a `helm template` stream read back (stdin): each document's template
//!   from its `# Source:` header.
//! - [`gopath`]: Go's `filepath.Match` (for `--show-only`).

pub(crate) mod capabilities;
pub(crate) mod files;
pub(crate) mod gopath;
pub(crate) mod manifests;
pub(crate) mod source_headers;
pub(crate) mod strvals;
