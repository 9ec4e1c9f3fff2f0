//! `secret-in-configmap`: a ConfigMap key that names a secret holds a literal value.

use super::{ObjectContext, Rule};
use crate::finding::Finding;
use crate::model::kinds::is_config_map;
use crate::rule_id::RuleId;
use crate::rules::HasRuleId;
use crate::secrets::patterns::first_credential;
use crate::secrets::sites::{is_config_map_secret, map_settings};

#[derive(Default)]
pub(crate) struct SecretInConfigMap;

const ID: RuleId = <SecretInConfigMap as HasRuleId>::ID;

impl Rule for SecretInConfigMap {
    fn check_object(&self, cx: &ObjectContext<'_>, out: &mut Vec<Finding>) {
        if !is_config_map(cx.object) {
            return;
        }
        let doc = cx.doc;
        let Some(data) = doc.get(cx.object.node, "data") else {
            return;
        };
        let name = cx.object.name.as_deref().unwrap_or("<unnamed>");
        for setting in map_settings(doc, data) {
            if !is_config_map_secret(&setting) {
                continue;
            }
            let hint = first_credential(&setting.value)
                .map(|m| format!(" (it looks like {})", m.pattern.name))
                .unwrap_or_default();
            let span = doc.span(setting.value_node);
            out.push(
                cx.finding(
                    ID,
                    span,
                    format!(
                        "ConfigMap `{name}` key `{}` holds a literal secret `*****`{hint}: \
                         ConfigMaps are not for secrets (they are not encrypted at rest, and \
                         far more roles and tools may read them)",
                        setting.name
                    ),
                )
                .label("literal secret (hidden)")
                .help(format!(
                    "move `{}` to a Secret and reference it (`secretKeyRef`, `envFrom: \
                     [{{secretRef: ...}}]` or a `secret` volume)",
                    setting.name
                ))
                .redact(span),
            );
        }
    }
}
