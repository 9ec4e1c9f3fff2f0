#!/usr/bin/env python3
"""Generates kubeward's embedded Kubernetes JSON Schemas (schemas/kubernetes.idx + .bin).

Source: the strict JSON Schemas that the PyPI package `kubernetes-validate` ships as data (one
folder per Kubernetes version, generated from the API server's OpenAPI documents, with
`additionalProperties: false` on every object, i.e. `kubectl apply --validate=strict`).

Usage (only Python's standard library is needed; pip fetches the wheel):

    pip download --no-deps -d /tmp/kv kubernetes-validate==1.37.0
    python3 tools/gen-schemas.py /tmp/kv/kubernetes_validate-1.37.0-py3-none-any.whl

What it does, per Kubernetes version in VERSIONS:
- takes every top-level kind (a definition with one `x-kubernetes-group-version-kind`, that has
  `apiVersion` and `kind`, not a `...List`) and makes it self-contained: the kind's schema with
  only the definitions it references, under `$defs`;
- drops descriptions and `x-kubernetes-*` extensions (size);
- types IntOrString as integer-or-string and Quantity as string-or-number (the upstream data
  uses `oneOf` with `null` in both branches, which rejects `null`), as the API server decodes
  them: `port: 80` and `port: http`, `cpu: 0.5` and `cpu: 500m` are all valid. A quantity's
  syntax is not checked here: that is the `invalid-quantity` rule's job;
- turns `format: int32` into the range the API server's decoder enforces;
- adds the enums of ENUMS (the upstream data has none), from the `+enum` string types of
  k8s.io/api (e.g. `Protocol` in core/v1/types.go), always allowing null and "" (unset: the
  API server defaults them).

Identical schemas are stored once across versions. Each one is compressed on its own (zlib), so
kubeward inflates and compiles only the kinds a run meets. The index is JSON:
`{"versions": [...], "blobs": [[offset, length], ...], "kinds": {version: {"apps/v1/Deployment":
blob, ...}}}`.
"""

import hashlib
import json
import os
import sys
import zipfile
import zlib

VERSIONS = ["1.33", "1.34", "1.35", "1.36", "1.37"]

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "schemas")

CORE = "io.k8s.api.core.v1."
PROTOCOLS = ["TCP", "UDP", "SCTP"]
ACCESS_MODES = ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"]
RECLAIM = ["Recycle", "Delete", "Retain"]
SECCOMP = ["Unconfined", "RuntimeDefault", "Localhost"]
TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"]

# (definition, property, values, applies to the items of an array property)
ENUMS = [
    (CORE + "Container", "imagePullPolicy", ["Always", "IfNotPresent", "Never"], False),
    (CORE + "EphemeralContainer", "imagePullPolicy", ["Always", "IfNotPresent", "Never"], False),
    (CORE + "Container", "terminationMessagePolicy", ["File", "FallbackToLogsOnError"], False),
    (CORE + "EphemeralContainer", "terminationMessagePolicy", ["File", "FallbackToLogsOnError"], False),
    (CORE + "ContainerPort", "protocol", PROTOCOLS, False),
    (CORE + "ServicePort", "protocol", PROTOCOLS, False),
    (CORE + "EndpointPort", "protocol", PROTOCOLS, False),
    ("io.k8s.api.discovery.v1.EndpointPort", "protocol", PROTOCOLS, False),
    ("io.k8s.api.networking.v1.NetworkPolicyPort", "protocol", PROTOCOLS, False),
    (CORE + "PodSpec", "restartPolicy", ["Always", "OnFailure", "Never"], False),
    (CORE + "PodSpec", "dnsPolicy", ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"], False),
    (CORE + "PodSpec", "preemptionPolicy", ["PreemptLowerPriority", "Never"], False),
    ("io.k8s.api.scheduling.v1.PriorityClass", "preemptionPolicy", ["PreemptLowerPriority", "Never"], False),
    (CORE + "PodOS", "name", ["linux", "windows"], False),
    (CORE + "Toleration", "operator", ["Exists", "Equal"], False),
    (CORE + "Toleration", "effect", TAINT_EFFECTS, False),
    (CORE + "Taint", "effect", TAINT_EFFECTS, False),
    (CORE + "NodeSelectorRequirement", "operator", ["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"], False),
    ("io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement", "operator", ["In", "NotIn", "Exists", "DoesNotExist"], False),
    (CORE + "ServiceSpec", "type", ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"], False),
    (CORE + "ServiceSpec", "sessionAffinity", ["ClientIP", "None"], False),
    (CORE + "ServiceSpec", "externalTrafficPolicy", ["Cluster", "Local"], False),
    (CORE + "ServiceSpec", "internalTrafficPolicy", ["Cluster", "Local"], False),
    (CORE + "ServiceSpec", "ipFamilyPolicy", ["SingleStack", "PreferDualStack", "RequireDualStack"], False),
    (CORE + "ServiceSpec", "ipFamilies", ["IPv4", "IPv6"], True),
    (CORE + "PersistentVolumeClaimSpec", "accessModes", ACCESS_MODES, True),
    (CORE + "PersistentVolumeSpec", "accessModes", ACCESS_MODES, True),
    (CORE + "PersistentVolumeClaimSpec", "volumeMode", ["Block", "Filesystem"], False),
    (CORE + "PersistentVolumeSpec", "volumeMode", ["Block", "Filesystem"], False),
    (CORE + "PersistentVolumeSpec", "persistentVolumeReclaimPolicy", RECLAIM, False),
    ("io.k8s.api.storage.v1.StorageClass", "reclaimPolicy", RECLAIM, False),
    ("io.k8s.api.storage.v1.StorageClass", "volumeBindingMode", ["Immediate", "WaitForFirstConsumer"], False),
    (CORE + "SecurityContext", "procMount", ["Default", "Unmasked"], False),
    (CORE + "SeccompProfile", "type", SECCOMP, False),
    (CORE + "AppArmorProfile", "type", SECCOMP, False),
    (CORE + "PodSecurityContext", "fsGroupChangePolicy", ["OnRootMismatch", "Always"], False),
    (CORE + "HTTPGetAction", "scheme", ["HTTP", "HTTPS"], False),
    (CORE + "VolumeMount", "mountPropagation", ["None", "HostToContainer", "Bidirectional"], False),
    (CORE + "HostPathVolumeSource", "type", ["DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice", "BlockDevice"], False),
    (CORE + "TopologySpreadConstraint", "whenUnsatisfiable", ["DoNotSchedule", "ScheduleAnyway"], False),
    (CORE + "TopologySpreadConstraint", "nodeAffinityPolicy", ["Honor", "Ignore"], False),
    (CORE + "TopologySpreadConstraint", "nodeTaintsPolicy", ["Honor", "Ignore"], False),
    (CORE + "ContainerResizePolicy", "restartPolicy", ["NotRequired", "RestartContainer"], False),
    (CORE + "LimitRangeItem", "type", ["Pod", "Container", "PersistentVolumeClaim"], False),
    ("io.k8s.api.apps.v1.DeploymentStrategy", "type", ["Recreate", "RollingUpdate"], False),
    ("io.k8s.api.apps.v1.DaemonSetUpdateStrategy", "type", ["RollingUpdate", "OnDelete"], False),
    ("io.k8s.api.apps.v1.StatefulSetUpdateStrategy", "type", ["RollingUpdate", "OnDelete"], False),
    ("io.k8s.api.apps.v1.StatefulSetSpec", "podManagementPolicy", ["OrderedReady", "Parallel"], False),
    ("io.k8s.api.apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy", "whenDeleted", ["Retain", "Delete"], False),
    ("io.k8s.api.apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy", "whenScaled", ["Retain", "Delete"], False),
    ("io.k8s.api.batch.v1.CronJobSpec", "concurrencyPolicy", ["Allow", "Forbid", "Replace"], False),
    ("io.k8s.api.batch.v1.JobSpec", "completionMode", ["NonIndexed", "Indexed"], False),
    ("io.k8s.api.batch.v1.JobSpec", "podReplacementPolicy", ["TerminatingOrFailed", "Failed"], False),
    ("io.k8s.api.batch.v1.PodFailurePolicyRule", "action", ["FailJob", "FailIndex", "Ignore", "Count"], False),
    ("io.k8s.api.batch.v1.PodFailurePolicyOnExitCodesRequirement", "operator", ["In", "NotIn"], False),
    ("io.k8s.api.networking.v1.HTTPIngressPath", "pathType", ["Exact", "Prefix", "ImplementationSpecific"], False),
    ("io.k8s.api.networking.v1.NetworkPolicySpec", "policyTypes", ["Ingress", "Egress"], True),
    ("io.k8s.api.autoscaling.v2.MetricSpec", "type", ["Object", "Pods", "Resource", "ContainerResource", "External"], False),
    ("io.k8s.api.autoscaling.v2.MetricTarget", "type", ["Utilization", "Value", "AverageValue"], False),
    ("io.k8s.api.autoscaling.v2.HPAScalingPolicy", "type", ["Pods", "Percent"], False),
    ("io.k8s.api.autoscaling.v2.HPAScalingRules", "selectPolicy", ["Max", "Min", "Disabled"], False),
    ("io.k8s.api.policy.v1.PodDisruptionBudgetSpec", "unhealthyPodEvictionPolicy", ["IfHealthyBudget", "AlwaysAllow"], False),
    ("io.k8s.api.admissionregistration.v1.ValidatingWebhook", "failurePolicy", ["Ignore", "Fail"], False),
    ("io.k8s.api.admissionregistration.v1.MutatingWebhook", "failurePolicy", ["Ignore", "Fail"], False),
    ("io.k8s.api.admissionregistration.v1.ValidatingWebhook", "sideEffects", ["None", "NoneOnDryRun"], False),
    ("io.k8s.api.admissionregistration.v1.MutatingWebhook", "sideEffects", ["None", "NoneOnDryRun"], False),
    ("io.k8s.api.admissionregistration.v1.ValidatingWebhook", "matchPolicy", ["Exact", "Equivalent"], False),
    ("io.k8s.api.admissionregistration.v1.MutatingWebhook", "matchPolicy", ["Exact", "Equivalent"], False),
    ("io.k8s.api.admissionregistration.v1.MutatingWebhook", "reinvocationPolicy", ["Never", "IfNeeded"], False),
    ("io.k8s.api.admissionregistration.v1.RuleWithOperations", "scope", ["*", "Cluster", "Namespaced"], False),
    ("io.k8s.api.admissionregistration.v1.RuleWithOperations", "operations", ["*", "CREATE", "UPDATE", "DELETE", "CONNECT"], True),
    ("io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionSpec", "scope", ["Cluster", "Namespaced"], False),
    ("io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceConversion", "strategy", ["None", "Webhook"], False),
]

INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"


def clean(node):
    """Drops documentation and extensions, turns int32 formats into ranges."""
    if isinstance(node, list):
        return [clean(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key in ("description", "x-kubernetes-group-version-kind") or key.startswith("x-kubernetes-"):
            continue
        if key == "format":
            if value == "int32":
                out["minimum"] = -(2**31)
                out["maximum"] = 2**31 - 1
            continue
        if key == "properties":
            out[key] = {name: clean(prop) for name, prop in value.items()}
        else:
            out[key] = clean(value)
    if "$ref" in out:
        out["$ref"] = "#/$defs/" + out["$ref"].rsplit("/", 1)[-1]
        # A `$ref` sibling is only documentation here.
        out = {"$ref": out["$ref"]}
    return out


def with_enums(defs):
    for name, prop, values, items in ENUMS:
        definition = defs.get(name)
        if definition is None or prop not in definition.get("properties", {}):
            continue
        target = definition["properties"][prop]
        if items:
            target = target.setdefault("items", {})
        target["enum"] = [None, ""] + values
    return defs


def referenced(node, out):
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            out.add(ref.rsplit("/", 1)[-1])
        for key, value in node.items():
            if key == "properties":
                # Property names are not keywords (JSONSchemaProps has a property `$ref`).
                for prop in value.values():
                    referenced(prop, out)
            else:
                referenced(value, out)
    elif isinstance(node, list):
        for item in node:
            referenced(item, out)


def closure(root, defs):
    names = set()
    referenced(root, names)
    pending = list(names)
    while pending:
        name = pending.pop()
        found = set()
        referenced(defs[name], found)
        for other in found - names:
            names.add(other)
            pending.append(other)
    return names


def main():
    wheel = sys.argv[1] if len(sys.argv) > 1 else None
    if not wheel:
        sys.exit(__doc__)
    archive = zipfile.ZipFile(wheel)
    blobs = []
    blob_ids = {}
    kinds = {}
    for version in VERSIONS:
        folder = f"kubernetes_validate/kubernetes-json-schema/v{version}.0-local-strict/"
        defs = json.loads(archive.read(folder + "_definitions.json"))["$defs"]
        defs = {name: clean(schema) for name, schema in defs.items()}
        defs[INT_OR_STRING] = {"type": ["integer", "string", "null"], "x-kubeward": "int-or-string"}
        defs[QUANTITY] = {"type": ["string", "number", "null"], "x-kubeward": "quantity"}
        with_enums(defs)
        table = {}
        for name, schema in sorted(json.loads(archive.read(folder + "_definitions.json"))["$defs"].items()):
            gvks = schema.get("x-kubernetes-group-version-kind") or []
            props = schema.get("properties", {})
            if len(gvks) != 1 or "apiVersion" not in props or "kind" not in props:
                continue
            gvk = gvks[0]
            if gvk["kind"].endswith("List"):
                continue
            api_version = f"{gvk['group']}/{gvk['version']}" if gvk["group"] else gvk["version"]
            root = dict(defs[name])
            root["type"] = "object"
            # apiVersion and kind are what selected this schema; their enums add nothing.
            root["properties"] = dict(root["properties"])
            root["properties"]["apiVersion"] = {"type": "string"}
            root["properties"]["kind"] = {"type": "string"}
            needed = closure(root, defs)
            schema_doc = {
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                **root,
                "$defs": {n: defs[n] for n in sorted(needed)},
            }
            text = json.dumps(schema_doc, sort_keys=True, separators=(",", ":")).encode()
            digest = hashlib.sha256(text).hexdigest()
            if digest not in blob_ids:
                blob_ids[digest] = len(blobs)
                blobs.append(zlib.compress(text, 9))
            table[f"{api_version}/{gvk['kind']}"] = blob_ids[digest]
        kinds[version] = dict(sorted(table.items()))
    os.makedirs(OUT_DIR, exist_ok=True)
    offsets = []
    data = bytearray()
    for blob in blobs:
        offsets.append([len(data), len(blob)])
        data.extend(blob)
    with open(os.path.join(OUT_DIR, "kubernetes.bin"), "wb") as f:
        f.write(data)
    index = {"source": os.path.basename(wheel), "versions": VERSIONS, "blobs": offsets, "kinds": kinds}
    # One line per kind, so a regeneration's diff reads well.
    lines = ["{", f'"source": {json.dumps(index["source"])},', f'"versions": {json.dumps(VERSIONS)},']
    lines.append('"blobs": [' + ",".join(f"[{o},{n}]" for o, n in offsets) + "],")
    lines.append('"kinds": {')
    for i, version in enumerate(VERSIONS):
        lines.append(f'"{version}": {{')
        entries = list(kinds[version].items())
        for j, (key, blob) in enumerate(entries):
            lines.append(f'  "{key}": {blob}' + ("," if j + 1 < len(entries) else ""))
        lines.append("}" + ("," if i + 1 < len(VERSIONS) else ""))
    lines.append("}")
    lines.append("}")
    with open(os.path.join(OUT_DIR, "kubernetes.idx"), "w") as f:
        f.write("\n".join(lines) + "\n")
    total = sum(len(t) for t in kinds.values())
    print(f"{len(blobs)} distinct schemas for {total} (version, kind) pairs, {len(data)} bytes compressed")


if __name__ == "__main__":
    main()
