//! `image-pull-policy`: a floating image (`:latest` or untagged) pulled only if not present.

use super::latest_image_tag::{FloatingTag, floating_tag};
use super::{ObjectContext, Rule};
use crate::finding::Finding;
use crate::rule_id::RuleId;
use crate::rules::HasRuleId;

#[derive(Default)]
pub(crate) struct ImagePullPolicy;

const ID: RuleId = <ImagePullPolicy as HasRuleId>::ID;

impl Rule for ImagePullPolicy {
    fn check_object(&self, cx: &ObjectContext<'_>, out: &mut Vec<Finding>) {
        let doc = cx.doc;
        for pod in cx.pod_specs {
            for container in pod.containers(doc) {
                let Some(policy) = doc.get(container.node, "imagePullPolicy") else {
                    continue;
                };
                if doc.str(policy) != Some("IfNotPresent") {
                    continue;
                }
                let Some(image_node) = doc.get(container.node, "image") else {
                    continue;
                };
                let Some(image) = doc.str(image_node).map(str::trim) else {
                    continue;
                };
                let tag = match floating_tag(image) {
                    Some(FloatingTag::Untagged) => "has no tag (so it is `:latest`)",
                    Some(FloatingTag::Latest) => "uses the `latest` tag",
                    None => continue,
                };
                out.push(
                    cx.finding(
                        ID,
                        doc.span(policy),
                        format!(
                            "`imagePullPolicy: IfNotPresent` with image `{image}`, which {tag}: a \
                             node that already has some `latest` keeps running it, so pods run \
                             whichever version their node pulled first and a new push never \
                             rolls out"
                        ),
                    )
                    .label("never re-pulls a moving tag")
                    .related(cx.object.file, doc.span(image_node), "floating tag")
                    .help(
                        "pin a version tag or a digest; if the tag must float, use \
                         `imagePullPolicy: Always`",
                    ),
                );
            }
        }
    }
}
