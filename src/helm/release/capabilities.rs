//! `.Capabilities`: helm/helm v3.21.4 `pkg/chartutil/capabilities.go` (its tests ported below)
//! as template objects.
//!
//! - `.Capabilities.KubeVersion`: fields `Version` (`v1.20.0`), `Major` (`"1"`), `Minor`
//!   (`"20"`), methods `GitVersion` and `String` (both `Version`); `{{ .Capabilities.KubeVersion }}`
//!   prints `Version` (Go calls the pointer method `String` on the addressable field).
//! - `.Capabilities.APIVersions`: a list of strings printing as `[v1 apps/v1 ...]`, method
//!   `Has "apps/v1"` (exact string comparison, so `Has "apps/v1/Deployment"` is true only when
//!   that string is in the list).
//! - `.Capabilities.HelmVersion`: `Version`, `GitCommit`, `GitTreeState`, `GoVersion` (fixed:
//!   see [`HelmVersion`]).
//!
//! Which API versions: [`api_versions`] says.

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::helm::release::strvals::go_quote;
use crate::helm::value::{Object, Value};
use crate::kube_version::KubeVersion;
use crate::schema;

/// `chartutil.KubeVersion`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KubeVersionInfo {
    /// `v1.20.0` (`v` and the version as parsed: `--kube-version 1.29` gives `v1.29`).
    pub(crate) version: String,
    pub(crate) major: String,
    pub(crate) minor: String,
}

impl KubeVersionInfo {
    /// The version of a run's target (`--kube-version` as kubeward parsed it, or the default):
    /// `v1.37.0`, as Helm's default capabilities write theirs (`v<major>.<minor>.0`).
    pub(crate) fn of(version: KubeVersion) -> KubeVersionInfo {
        KubeVersionInfo {
            version: format!("v{}.{}.0", version.major, version.minor),
            major: version.major.to_string(),
            minor: version.minor.to_string(),
        }
    }

    /// `helm template --kube-version TEXT`: `chartutil.ParseKubeVersion`, which is
    /// k8s.io/apimachinery's `version.ParseGeneric` (`1.29`, `v1.25.0`, `v1.28+`, `1.20.0-gke.1`:
    /// two or more numeric parts, anything after them ignored). The error is Helm's:
    /// `invalid kube version '1': illegal version string "1"`.
    pub(crate) fn parse(text: &str) -> Result<KubeVersionInfo, String> {
        parse_generic(text)
            .map(|components| {
                let version = components
                    .iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(".");
                KubeVersionInfo {
                    version: format!("v{version}"),
                    major: components.first().copied().unwrap_or(0).to_string(),
                    minor: components.get(1).copied().unwrap_or(0).to_string(),
                }
            })
            .map_err(|e| format!("invalid kube version '{text}': {e}"))
    }

    /// Helm's test-build default, `v1.20.0` (the version the goldens were made with).
    pub(crate) fn helm_test_default() -> KubeVersionInfo {
        KubeVersionInfo::of(KubeVersion {
            major: 1,
            minor: 20,
        })
    }

    /// `fmt.Sprint` of the struct value (what `print .Capabilities.KubeVersion` writes: a
    /// function gets a copy of the field, which has no `String` method).
    pub(crate) fn struct_string(&self) -> String {
        format!("{{{} {} {}}}", self.version, self.major, self.minor)
    }
}

/// `version.ParseGeneric` of k8s.io/apimachinery/pkg/util/version: the numeric components.
fn parse_generic(text: &str) -> Result<Vec<u64>, String> {
    // ^\s*v?([0-9]+(?:\.[0-9]+)*)(.*)*$ : `.` stops at a newline, so a newline after the
    // numbers fails the match.
    let trimmed = text.trim_start_matches(['\t', '\n', '\x0c', '\r', ' ']);
    let trimmed = trimmed.strip_prefix('v').unwrap_or(trimmed);
    let mut end = 0;
    let bytes = trimmed.as_bytes();
    // Digits, then (`.` digits)*.
    while bytes.get(end).is_some_and(u8::is_ascii_digit) {
        end += 1;
    }
    if end == 0 {
        return Err(format!("could not parse {} as version", go_quote(text)));
    }
    loop {
        if bytes.get(end) == Some(&b'.') && bytes.get(end + 1).is_some_and(u8::is_ascii_digit) {
            end += 1;
            while bytes.get(end).is_some_and(u8::is_ascii_digit) {
                end += 1;
            }
        } else {
            break;
        }
    }
    let (numbers, extra) = trimmed.split_at_checked(end).unwrap_or((trimmed, ""));
    if extra.contains('\n') {
        return Err(format!("could not parse {} as version", go_quote(text)));
    }
    let parts: Vec<&str> = numbers.split('.').collect();
    if parts.len() < 2 {
        return Err(format!("illegal version string {}", go_quote(text)));
    }
    let mut components = Vec::with_capacity(parts.len());
    for (i, part) in parts.iter().enumerate() {
        if i == 0 && part.starts_with('0') && *part != "0" {
            return Err(format!(
                "illegal zero-prefixed version component {} in {}",
                go_quote(part),
                go_quote(text)
            ));
        }
        let n = part.parse::<u64>().map_err(|_| {
            format!(
                "illegal non-numeric version component {} in {}: strconv.ParseUint: parsing {}: value out of range",
                go_quote(part),
                go_quote(text),
                go_quote(part)
            )
        })?;
        components.push(n);
    }
    Ok(components)
}

/// `version.BuildInfo` of Helm: fixed values, those of the Helm release whose semantics
/// kubeward follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HelmVersion {
    pub(crate) version: String,
    pub(crate) git_commit: String,
    pub(crate) git_tree_state: String,
    pub(crate) go_version: String,
}

impl HelmVersion {
    /// Helm v3.21.4's release: `v3.21.4`, the tag's commit, `clean`, and the Go version of its
    /// go.mod (`go1.26.0`; a release binary reports the toolchain it was built with).
    pub(crate) fn v3_21_4() -> HelmVersion {
        HelmVersion {
            version: "v3.21.4".to_owned(),
            git_commit: "813176c51bb5c181dbbd7901298ddcc104cd3417".to_owned(),
            git_tree_state: "clean".to_owned(),
            go_version: "go1.26.0".to_owned(),
        }
    }

    /// What Helm's own tests (the goldens) see: `v3.21`, everything else empty.
    pub(crate) fn helm_test_build() -> HelmVersion {
        HelmVersion {
            version: "v3.21".to_owned(),
            git_commit: String::new(),
            git_tree_state: String::new(),
            go_version: String::new(),
        }
    }
}

/// The group/versions client-go v0.36.2's `scheme.Scheme` registers (k8s.io/client-go
/// `kubernetes/scheme/register.go`, in registration order, the core `v1` first), then the
/// `apiextensions.k8s.io` versions Helm adds: `.Capabilities.APIVersions` of `helm template`
/// v3.21.4 without `--api-versions` (whatever `--kube-version` says). No `group/version/Kind`
/// entries: those come only from a live cluster's discovery.
pub(crate) const HELM_DEFAULT_API_VERSIONS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1",
    "resource.k8s.io/v1beta2",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha2",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
];

/// `.Capabilities.APIVersions` for a run:
/// - when kubeward embeds the schemas of `target` (1.33 and later): what that version serves,
///   each `group/version` and each `group/version/Kind` (`apps/v1`, `apps/v1/Deployment`), as
///   a cluster's discovery would give Helm: so `Has "policy/v1/PodDisruptionBudget"` is true
///   and `Has "policy/v1beta1"` false at 1.33;
/// - otherwise (`--kube-version 1.20.0`, as the goldens run): [`HELM_DEFAULT_API_VERSIONS`];
///
/// then each `--api-versions` value (Helm appends them, duplicates and all).
pub(crate) fn api_versions(target: KubeVersion, extra: &[String]) -> Vec<String> {
    let kinds = schema::served_kinds(target);
    let mut out: Vec<String> = if kinds.is_empty() {
        HELM_DEFAULT_API_VERSIONS
            .iter()
            .map(|s| (*s).to_owned())
            .collect()
    } else {
        let mut group_versions: Vec<&str> = Vec::new();
        for key in &kinds {
            let gv = key.rsplit_once('/').map_or(*key, |(gv, _)| gv);
            if !group_versions.contains(&gv) {
                group_versions.push(gv);
            }
        }
        group_versions
            .into_iter()
            .chain(kinds.iter().copied())
            .map(str::to_owned)
            .collect()
    };
    out.extend(extra.iter().cloned());
    out
}

/// The target version of a `KubeVersionInfo`, when its major and minor are numbers.
pub(crate) fn target_of(info: &KubeVersionInfo) -> Option<KubeVersion> {
    Some(KubeVersion {
        major: info.major.parse().ok()?,
        minor: info.minor.parse().ok()?,
    })
}

/// `.Capabilities` (`*chartutil.Capabilities`).
#[derive(Clone)]
pub(crate) struct Capabilities {
    pub(crate) kube_version: Rc<KubeVersionObject>,
    pub(crate) api_versions: Rc<ApiVersions>,
    pub(crate) helm_version: Rc<HelmVersionObject>,
}

impl Capabilities {
    pub(crate) fn new(
        kube_version: KubeVersionInfo,
        api_versions: Vec<String>,
        helm_version: HelmVersion,
    ) -> Capabilities {
        Capabilities {
            kube_version: Rc::new(KubeVersionObject(kube_version)),
            api_versions: Rc::new(ApiVersions(api_versions)),
            helm_version: Rc::new(HelmVersionObject(helm_version)),
        }
    }

    /// What `helm template` v3.21.4's own tests run with: v1.20.0 (or `--kube-version`),
    /// [`HELM_DEFAULT_API_VERSIONS`] and `--api-versions`, the test build's Helm version.
    pub(crate) fn helm_test(
        kube_version: Option<KubeVersionInfo>,
        extra: &[String],
    ) -> Capabilities {
        let mut apis: Vec<String> = HELM_DEFAULT_API_VERSIONS
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        apis.extend(extra.iter().cloned());
        Capabilities::new(
            kube_version.unwrap_or_else(KubeVersionInfo::helm_test_default),
            apis,
            HelmVersion::helm_test_build(),
        )
    }

    /// A kubeward run: the target version, [`api_versions`] of it, Helm v3.21.4.
    pub(crate) fn for_run(kube_version: KubeVersionInfo, extra: &[String]) -> Capabilities {
        let apis = match target_of(&kube_version) {
            Some(target) => api_versions(target, extra),
            None => {
                let mut apis: Vec<String> = HELM_DEFAULT_API_VERSIONS
                    .iter()
                    .map(|s| (*s).to_owned())
                    .collect();
                apis.extend(extra.iter().cloned());
                apis
            }
        };
        Capabilities::new(kube_version, apis, HelmVersion::v3_21_4())
    }

    pub(crate) fn into_value(self) -> Value {
        Value::Object(Rc::new(self))
    }
}

fn strings(items: &[String]) -> Value {
    Value::list(items.iter().map(|s| Value::str(s.as_str())).collect())
}

/// Go's `wrong number of args for NAME: want N got M`.
fn want_args(method: &str, args: &[Value], want: usize) -> Result<(), String> {
    if args.len() == want {
        Ok(())
    } else {
        Err(format!(
            "wrong number of args for {method}: want {want} got {}",
            args.len()
        ))
    }
}

impl Object for Capabilities {
    fn type_name(&self) -> &'static str {
        "*chartutil.Capabilities"
    }

    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "KubeVersion" => Some(Value::Object(self.kube_version.clone())),
            "APIVersions" => Some(Value::Object(self.api_versions.clone())),
            "HelmVersion" => Some(Value::Object(self.helm_version.clone())),
            _ => None,
        }
    }

    fn call(&self, _method: &str, _args: &[Value]) -> Option<Result<Value, String>> {
        None
    }

    fn display(&self) -> String {
        // `%v` of a pointer to a struct: `&{...}`, fields with `%v` (no String methods).
        format!(
            "&{{{} {} {}}}",
            self.kube_version.0.struct_string(),
            self.api_versions.display(),
            self.helm_version.struct_string()
        )
    }

    fn to_data(&self) -> Value {
        let mut m = BTreeMap::new();
        m.insert("KubeVersion".to_owned(), self.kube_version.to_data());
        m.insert("APIVersions".to_owned(), self.api_versions.to_data());
        m.insert("HelmVersion".to_owned(), self.helm_version.to_data());
        Value::map(m)
    }
}

/// `.Capabilities.KubeVersion`.
pub(crate) struct KubeVersionObject(pub(crate) KubeVersionInfo);

impl Object for KubeVersionObject {
    fn type_name(&self) -> &'static str {
        "chartutil.KubeVersion"
    }

    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Version" => Some(Value::str(self.0.version.as_str())),
            "Major" => Some(Value::str(self.0.major.as_str())),
            "Minor" => Some(Value::str(self.0.minor.as_str())),
            _ => None,
        }
    }

    fn call(&self, method: &str, args: &[Value]) -> Option<Result<Value, String>> {
        match method {
            "GitVersion" | "String" => {
                Some(want_args(method, args, 0).map(|()| Value::str(self.0.version.as_str())))
            }
            _ => None,
        }
    }

    fn display(&self) -> String {
        self.0.version.clone()
    }

    fn to_data(&self) -> Value {
        let mut m = BTreeMap::new();
        m.insert("Version".to_owned(), Value::str(self.0.version.as_str()));
        m.insert("Major".to_owned(), Value::str(self.0.major.as_str()));
        m.insert("Minor".to_owned(), Value::str(self.0.minor.as_str()));
        Value::map(m)
    }
}

/// `.Capabilities.APIVersions` (`chartutil.VersionSet`, a `[]string`).
pub(crate) struct ApiVersions(pub(crate) Vec<String>);

impl ApiVersions {
    /// `VersionSet.Has`.
    pub(crate) fn has(&self, api_version: &str) -> bool {
        self.0.iter().any(|v| v == api_version)
    }
}

impl Object for ApiVersions {
    fn type_name(&self) -> &'static str {
        "chartutil.VersionSet"
    }

    fn field(&self, _name: &str) -> Option<Value> {
        None
    }

    fn call(&self, method: &str, args: &[Value]) -> Option<Result<Value, String>> {
        if method != "Has" {
            return None;
        }
        Some(
            want_args(method, args, 1).and_then(|()| match args.first() {
                Some(Value::Str(s)) => Ok(Value::Bool(self.has(&s.text))),
                Some(other) => Err(format!(
                    "wrong type for value; expected string; got {}",
                    crate::helm::gofmt::type_name(other)
                )),
                None => Ok(Value::Bool(false)),
            }),
        )
    }

    fn display(&self) -> String {
        format!("[{}]", self.0.join(" "))
    }

    /// The list itself (what `range`, `len`, `toYaml` see of a `[]string`).
    fn to_data(&self) -> Value {
        strings(&self.0)
    }
}

/// `.Capabilities.HelmVersion`.
pub(crate) struct HelmVersionObject(pub(crate) HelmVersion);

impl HelmVersionObject {
    fn struct_string(&self) -> String {
        let h = &self.0;
        format!(
            "{{{} {} {} {}}}",
            h.version, h.git_commit, h.git_tree_state, h.go_version
        )
    }
}

impl Object for HelmVersionObject {
    fn type_name(&self) -> &'static str {
        "version.BuildInfo"
    }

    fn field(&self, name: &str) -> Option<Value> {
        let h = &self.0;
        let v = match name {
            "Version" => &h.version,
            "GitCommit" => &h.git_commit,
            "GitTreeState" => &h.git_tree_state,
            "GoVersion" => &h.go_version,
            _ => return None,
        };
        Some(Value::str(v.as_str()))
    }

    fn call(&self, _method: &str, _args: &[Value]) -> Option<Result<Value, String>> {
        None
    }

    fn display(&self) -> String {
        self.struct_string()
    }

    /// Its JSON form: `version`, `git_commit`, `git_tree_state`, `go_version`, each omitted
    /// when empty.
    fn to_data(&self) -> Value {
        let h = &self.0;
        let mut m = BTreeMap::new();
        for (k, v) in [
            ("version", &h.version),
            ("git_commit", &h.git_commit),
            ("git_tree_state", &h.git_tree_state),
            ("go_version", &h.go_version),
        ] {
            if !v.is_empty() {
                m.insert(k.to_owned(), Value::str(v.as_str()));
            }
        }
        Value::map(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(o: &dyn Object, name: &str) -> String {
        o.field(name).unwrap().as_str().unwrap().to_owned()
    }

    #[test]
    fn version_set() {
        // TestVersionSet
        let vs = ApiVersions(vec!["v1".into(), "apps/v1".into()]);
        assert_eq!(vs.0.len(), 2);
        assert!(vs.has("apps/v1"));
        assert!(!vs.has("Spanish/inquisition"));
        let has = |arg: Value| vs.call("Has", &[arg]).unwrap();
        assert!(matches!(has(Value::str("v1")), Ok(Value::Bool(true))));
        assert!(matches!(
            has(Value::str("apps/v1/Deployment")),
            Ok(Value::Bool(false))
        ));
        assert_eq!(
            has(Value::Int(1)).unwrap_err(),
            "wrong type for value; expected string; got int"
        );
        assert_eq!(
            vs.call("Has", &[]).unwrap().unwrap_err(),
            "wrong number of args for Has: want 1 got 0"
        );
        assert!(vs.call("Nope", &[]).is_none());
        assert_eq!(vs.display(), "[v1 apps/v1]");
    }

    #[test]
    fn default_version_set() {
        // TestDefaultVersionSet; and the CRD groups Helm adds.
        let caps = Capabilities::helm_test(None, &[]);
        assert!(caps.api_versions.has("v1"));
        assert!(caps.api_versions.has("apiextensions.k8s.io/v1"));
        assert!(caps.api_versions.has("apiextensions.k8s.io/v1beta1"));
        assert!(caps.api_versions.has("policy/v1beta1"));
        assert!(!caps.api_versions.has("helm.k8s.io/test"));
        assert!(!caps.api_versions.has("apps/v1/Deployment"));
        let caps = Capabilities::helm_test(None, &["helm.k8s.io/test".to_owned()]);
        assert!(caps.api_versions.has("helm.k8s.io/test"));
    }

    #[test]
    fn default_capabilities() {
        // TestDefaultCapabilities
        let caps = Capabilities::helm_test(None, &[]);
        let kv = caps.kube_version.as_ref();
        assert_eq!(kv.display(), "v1.20.0");
        assert_eq!(field(kv, "Version"), "v1.20.0");
        assert_eq!(
            kv.call("GitVersion", &[]).unwrap().unwrap().as_str(),
            Some("v1.20.0")
        );
        assert_eq!(field(kv, "Major"), "1");
        assert_eq!(field(kv, "Minor"), "20");
        assert!(kv.field("Patch").is_none());
        // TestDefaultCapabilitiesHelmVersion
        assert_eq!(field(caps.helm_version.as_ref(), "Version"), "v3.21");
        let run = Capabilities::for_run(
            KubeVersionInfo::of(KubeVersion {
                major: 1,
                minor: 37,
            }),
            &[],
        );
        assert_eq!(field(run.helm_version.as_ref(), "Version"), "v3.21.4");
        assert_eq!(field(run.kube_version.as_ref(), "Version"), "v1.37.0");
    }

    #[test]
    fn parse_kube_version() {
        // TestParseKubeVersion, TestParseKubeVersionSuffix
        let kv = KubeVersionInfo::parse("v1.16.0").unwrap();
        assert_eq!(
            (kv.version.as_str(), kv.major.as_str(), kv.minor.as_str()),
            ("v1.16.0", "1", "16")
        );
        let kv = KubeVersionInfo::parse("v1.28+").unwrap();
        assert_eq!(
            (kv.version.as_str(), kv.major.as_str(), kv.minor.as_str()),
            ("v1.28", "1", "28")
        );
        for (text, version, minor) in [
            ("1.29", "v1.29", "29"),
            ("1.16.0", "v1.16.0", "16"),
            ("  v1.020.3-gke.100", "v1.20.3", "20"),
            ("1.2.3.4", "v1.2.3.4", "2"),
            ("1.20x", "v1.20", "20"),
        ] {
            let kv = KubeVersionInfo::parse(text).unwrap();
            assert_eq!(
                (kv.version.as_str(), kv.minor.as_str()),
                (version, minor),
                "{text}"
            );
        }
        for (text, err) in [
            (
                "1",
                r#"invalid kube version '1': illegal version string "1""#,
            ),
            (
                "x1.2",
                r#"invalid kube version 'x1.2': could not parse "x1.2" as version"#,
            ),
            (
                "",
                r#"invalid kube version '': could not parse "" as version"#,
            ),
            (
                "01.2",
                r#"invalid kube version '01.2': illegal zero-prefixed version component "01" in "01.2""#,
            ),
            (
                "1.2\nx",
                "invalid kube version '1.2\nx': could not parse \"1.2\\nx\" as version",
            ),
            (
                "1.99999999999999999999",
                r#"invalid kube version '1.99999999999999999999': illegal non-numeric version component "99999999999999999999" in "1.99999999999999999999": strconv.ParseUint: parsing "99999999999999999999": value out of range"#,
            ),
        ] {
            assert_eq!(KubeVersionInfo::parse(text).unwrap_err(), err, "{text:?}");
        }
    }

    #[test]
    fn api_versions_of_a_target() {
        let target = crate::schema::newest_version();
        let apis = api_versions(target, &["example.com/v1".to_owned()]);
        assert!(apis.iter().any(|a| a == "apps/v1"));
        assert!(apis.iter().any(|a| a == "apps/v1/Deployment"));
        assert!(apis.iter().any(|a| a == "v1"));
        assert!(apis.iter().any(|a| a == "v1/Pod"));
        assert!(!apis.iter().any(|a| a == "policy/v1beta1"));
        assert_eq!(apis.last().map(String::as_str), Some("example.com/v1"));
        // A version kubeward has no schemas for: Helm's own list.
        let old = api_versions(
            KubeVersion {
                major: 1,
                minor: 20,
            },
            &[],
        );
        assert_eq!(old.len(), HELM_DEFAULT_API_VERSIONS.len());
    }

    #[test]
    fn printing_and_data() {
        let caps = Capabilities::helm_test(None, &[]);
        assert_eq!(caps.kube_version.0.struct_string(), "{v1.20.0 1 20}");
        assert!(
            caps.display()
                .starts_with("&{{v1.20.0 1 20} [v1 admissionregistration.k8s.io/v1 ")
        );
        assert!(
            caps.display()
                .ends_with("apiextensions.k8s.io/v1] {v3.21   }}")
        );
        let data = caps.to_data();
        let Value::Map(m) = data else { panic!() };
        let m = m.borrow();
        assert!(
            matches!(&m["KubeVersion"], Value::Map(k) if k.borrow()["Minor"].as_str() == Some("20"))
        );
        assert!(matches!(&m["HelmVersion"], Value::Map(h) if h.borrow().len() == 1));
        assert!(
            matches!(&m["APIVersions"], Value::List(l) if l.len() == HELM_DEFAULT_API_VERSIONS.len())
        );
        assert!(caps.field("Nope").is_none());
    }
}
