use super::*;
use crate::load::parse_yaml;

fn q(text: &str) -> Quantity {
    Quantity::parse(text).expect("test quantity")
}

// ---------------------------------------------------------------------------------------
// Reading quantities as the API server decodes YAML
// ---------------------------------------------------------------------------------------

fn read_one(value: &str) -> ResourceEntry {
    let text = format!("requests:\n  cpu: {value}\n");
    let loaded = parse_yaml(&text);
    let doc = &loaded.documents[0];
    let list = ResourceList::read(doc, doc.root, "requests", ListKind::NonNegative);
    list.entries[0].clone()
}

#[test]
fn yaml_scalars_become_the_json_the_api_server_reads() {
    for (yaml, expect) in [
        ("0.5", "500m"),
        ("129e6", "129M"),
        ("1.5e9", "1500M"),
        ("2", "2"),
        ("010", "8"),     // YAML 1.1 octal
        ("0x10", "16"),   // YAML 1.1 hex
        ("1_000", "1k"),  // YAML 1.1 digit separators
        ("\" 1 \"", "1"), // UnmarshalJSON trims white space
        ("'500m'", "500m"),
        ("1e-7", "1m"), // 1e-7 rounds up to 1m (milli scale)
        ("0.0001", "1m"),
        ("1e21", "1000E"),
        ("99999999999999999999", "100E"), // beyond u64: a float
        ("18446744073709551615", "18446744073709551615"), // fits u64
        ("\".\"", "0"),                   // digit-less: zero, as Kubernetes reads it
        ("Ki", "0"),
        ("-0", "0"),
    ] {
        let entry = read_one(yaml);
        let value = entry.value.unwrap_or_else(|e| panic!("{yaml}: {e}"));
        assert_eq!(value, q(expect), "{yaml}: {}", value.canonical());
    }
}

#[test]
fn yaml_values_the_api_server_rejects() {
    for (yaml, reason) in [
        ("true", "YAML boolean"),
        ("yes", "YAML boolean"),
        ("on", "YAML boolean"),
        (".inf", "not a finite number"),
        (".nan", "not a finite number"),
        ("512MB", "is not a quantity"),
        ("1.5 Gi", "is not a quantity"),
        ("\"\"", "empty string"),
        ("{a: 1}", "mapping"),
        ("[1]", "list"),
        ("-1", "negative"),
        ("\"-100m\"", "negative"),
    ] {
        let entry = read_one(yaml);
        let error = entry.value.expect_err(yaml);
        assert!(error.contains(reason), "{yaml}: {error}");
    }
    let entry = read_one("");
    assert!(entry.null);
    assert!(entry.value.expect("null is zero").is_zero());
    let entry = read_one("~");
    assert!(entry.null);
}

#[test]
fn container_lists_check_extended_resources_and_keep_the_last_duplicate() {
    let text = "limits:\n  nvidia.com/gpu: 0.5\n  example.com/foo: 2\n  cpu: 1\n  cpu: 2\n";
    let loaded = parse_yaml(text);
    let doc = &loaded.documents[0];
    let list = ResourceList::read(doc, doc.root, "limits", ListKind::Container);
    assert_eq!(list.entries.len(), 3);
    assert!(
        list.get("nvidia.com/gpu")
            .expect("gpu")
            .value
            .as_ref()
            .expect_err("fractional gpu")
            .contains("whole number")
    );
    assert!(list.get("example.com/foo").expect("foo").value.is_ok());
    assert_eq!(
        list.get("cpu").expect("cpu").value.as_ref().ok(),
        Some(&q("2"))
    );
    // LimitRange values may be anything parsable (negative included).
    let any = ResourceList::read(doc, doc.root, "limits", ListKind::Any);
    assert!(any.get("nvidia.com/gpu").expect("gpu").value.is_ok());
}

#[test]
fn resource_name_classes() {
    assert!(is_extended_resource("nvidia.com/gpu"));
    assert!(!is_extended_resource("kubernetes.io/foo"));
    assert!(!is_extended_resource("cpu"));
    assert!(!is_extended_resource("requests.nvidia.com/gpu"));
    // helpers_test.go `TestIsExtendedResourceName` / `TestIsIntegerResourceName` cases.
    assert!(is_extended_resource("example.com/dongle"));
    assert!(is_extended_resource("count/deployments.apps"));
    assert!(!is_extended_resource("example.com/"));
    assert!(!is_extended_resource("/dongle"));
    for integer in [
        "pods",
        "services",
        "secrets",
        "configmaps",
        "persistentvolumeclaims",
    ] {
        assert!(is_integer_resource(integer), "{integer}");
    }
    assert!(is_integer_resource("services.loadbalancers"));
    assert!(is_integer_resource("count/pods"));
    assert!(is_integer_resource("foo.com/bar"));
    assert!(!is_integer_resource("cpu"));
    assert!(!is_integer_resource("memory"));
    assert!(!is_integer_resource("requests.nvidia.com/gpu"));
    assert!(!is_integer_resource("kubernetes.io/something"));
    assert!(is_hugepages("hugepages-2Mi"));
    assert!(!is_overcommit_allowed("hugepages-2Mi"));
    assert!(!is_overcommit_allowed("nvidia.com/gpu"));
    assert!(is_overcommit_allowed("memory"));
    assert!(is_byte_resource("memory") && is_byte_resource("requests.storage"));
    assert!(!is_byte_resource("cpu"));
}
