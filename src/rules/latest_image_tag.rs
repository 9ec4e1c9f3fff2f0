//! `latest-image-tag`: an image without a tag, or tagged `:latest`, and no digest.

use super::{ObjectContext, Rule};
use crate::finding::Finding;
use crate::rule_id::RuleId;
use crate::rules::HasRuleId;

#[derive(Default)]
pub(crate) struct LatestImageTag;

const ID: RuleId = <LatestImageTag as HasRuleId>::ID;

/// The tag of an image reference, if any: the part after the last `:` that follows the last
/// `/` (a `:` before it belongs to a registry port, `registry:5000/app`).
pub(crate) fn image_tag(image: &str) -> Option<&str> {
    let name = image.split('@').next().unwrap_or(image);
    let last_segment = name.rsplit('/').next().unwrap_or(name);
    last_segment.split_once(':').map(|(_, tag)| tag)
}

/// An image whose tag moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FloatingTag {
    /// No tag: the runtime pulls `:latest`.
    Untagged,
    Latest,
}

/// Whether an image reference floats. Digests pin the image; template placeholders are
/// resolved elsewhere, so neither floats.
pub(crate) fn floating_tag(image: &str) -> Option<FloatingTag> {
    let image = image.trim();
    if image.is_empty()
        || image.contains('@')
        || image.contains("${")
        || image.contains("{{")
        || image.contains("$(")
    {
        return None;
    }
    match image_tag(image) {
        None => Some(FloatingTag::Untagged),
        Some("latest") => Some(FloatingTag::Latest),
        Some(_) => None,
    }
}

impl Rule for LatestImageTag {
    fn check_object(&self, cx: &ObjectContext<'_>, out: &mut Vec<Finding>) {
        let doc = cx.doc;
        for pod in cx.pod_specs {
            for container in pod.containers(doc) {
                let Some(image_node) = doc.get(container.node, "image") else {
                    continue;
                };
                let Some(image) = doc.str(image_node) else {
                    continue;
                };
                let image = image.trim();
                let problem = match floating_tag(image) {
                    Some(FloatingTag::Untagged) => {
                        format!("image `{image}` has no tag, so it means `:latest`")
                    }
                    Some(FloatingTag::Latest) => format!("image `{image}` uses the `latest` tag"),
                    None => continue,
                };
                out.push(
                    cx.finding(
                        ID,
                        doc.span(image_node),
                        format!("{problem}: which image runs depends on when each node pulled it"),
                    )
                    .label("mutable tag")
                    .help("pin a version tag (`nginx:1.27.2`) or a digest (`nginx@sha256:...`)"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{FloatingTag, floating_tag, image_tag};

    #[test]
    fn tags_ignore_registry_ports() {
        assert_eq!(image_tag("nginx"), None);
        assert_eq!(image_tag("nginx:1.27"), Some("1.27"));
        assert_eq!(image_tag("registry:5000/team/app"), None);
        assert_eq!(image_tag("registry:5000/team/app:latest"), Some("latest"));
        assert_eq!(image_tag("app@sha256:abc"), None);
    }

    #[test]
    fn floating_tags() {
        assert_eq!(floating_tag("nginx"), Some(FloatingTag::Untagged));
        assert_eq!(floating_tag(" nginx:latest "), Some(FloatingTag::Latest));
        assert_eq!(floating_tag("nginx:1.27"), None);
        assert_eq!(floating_tag("nginx:latest@sha256:abc"), None);
        assert_eq!(floating_tag("${IMAGE}"), None);
        assert_eq!(floating_tag(""), None);
    }
}
