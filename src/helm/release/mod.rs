//! The pieces of `helm template` around the template engine: `--set` parsing (`strvals`), the
//! `.Capabilities` and `.Files` objects, turning rendered templates into the `helm template`
//! stream (`manifests`), and reading that stream's `# Source:` headers back (`source_headers`).

pub(crate) mod capabilities;
pub(crate) mod files;
pub(crate) mod gopath;
pub(crate) mod manifests;
pub(crate) mod source_headers;
pub(crate) mod strvals;
