//! The benchmark corpus: N realistic multi-document manifest files, written with a fixed seed so
//! every run (and every machine) lints the same bytes.
//!
//! Each file is one application the way repositories lay them out: a workload (Deployment,
//! StatefulSet, CronJob, or a custom resource with a pod template, as Argo Rollouts and
//! OpenKruise have), usually a Service, and a ConfigMap, a Secret or a LimitRange; now and then a
//! CustomResourceDefinition. Files are 40 to 150 lines long. About one workload in five has a
//! mistake kubeward reports (a `latest` tag, a missing probe, a probe on an undeclared port), so
//! the rules and the report have work to do.
//!
//! Used by `bench/gen_corpus.rs` (the generator binary) and by `tests/determinism.rs`.

use std::fmt::Write as _;
use std::path::Path;

/// SplitMix64: small, fast, and the same on every platform.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next_u64() % (hi - lo + 1) as u64) as usize
    }

    pub(crate) fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    pub(crate) fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        // `range` stays within `0..len`; an empty list (never passed) gives "".
        let index = self.range(0, items.len().saturating_sub(1));
        items.get(index).copied().unwrap_or("")
    }
}

const TEAMS: &[&str] = &[
    "payments", "search", "identity", "platform", "data", "checkout", "growth", "infra",
];
const WORDS: &[&str] = &[
    "api",
    "worker",
    "gateway",
    "indexer",
    "billing",
    "auth",
    "cart",
    "ledger",
    "mailer",
    "scheduler",
    "cache",
    "reporter",
    "ingest",
    "notifier",
    "frontend",
    "exporter",
];
const IMAGES: &[&str] = &[
    "ghcr.io/example/{name}:1.{minor}.{patch}",
    "registry.example.com/{team}/{name}:v2.{minor}.{patch}",
    "docker.io/library/nginx:1.27.{patch}",
    "quay.io/example/{name}@sha256:4f5c9d0a1b2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a",
];
const ENV_NAMES: &[&str] = &[
    "LOG_LEVEL",
    "HTTP_PORT",
    "DB_HOST",
    "DB_POOL_SIZE",
    "CACHE_TTL",
    "FEATURE_FLAGS",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "REGION",
    "TIMEOUT_SECONDS",
    "MAX_CONNECTIONS",
    "RETRY_BACKOFF",
    "QUEUE_NAME",
    "TRACE_SAMPLING",
    "METRICS_PATH",
    "GOMAXPROCS",
];

/// Writes `files` manifests under `dir` (in subdirectories of at most 100 files, as teams lay
/// out repositories). Returns the number of bytes written.
pub(crate) fn generate(dir: &Path, files: usize, seed: u64) -> std::io::Result<u64> {
    let mut rng = Rng::new(seed);
    let mut total = 0u64;
    for index in 0..files {
        let team = rng.pick(TEAMS);
        let sub = dir.join(format!("{team}-{:03}", index / 100));
        if index % 100 == 0 || !sub.is_dir() {
            std::fs::create_dir_all(&sub)?;
        }
        let name = format!("{}-{}-{index}", team, rng.pick(WORDS));
        let text = manifest_file(&mut rng, team, &name);
        total += text.len() as u64;
        std::fs::write(sub.join(format!("{name}.yaml")), text)?;
    }
    Ok(total)
}

/// One application file, 40 to 150 lines.
pub(crate) fn manifest_file(rng: &mut Rng, team: &str, name: &str) -> String {
    let target_lines = rng.range(40, 150);
    let namespace = format!("{team}-{}", rng.pick(&["prod", "staging", "dev"]));
    let mut docs: Vec<String> = Vec::new();
    let workload = rng.range(0, 99);
    let port = 8000 + rng.range(0, 99);
    let extra = match rng.range(0, 9) {
        0..=3 => Extra::ConfigMap,
        4..=5 => Extra::Secret,
        6 => Extra::LimitRange,
        7 => Extra::Crd,
        _ => Extra::None,
    };
    let has_service = workload < 85;
    // The workload gets the lines the other documents leave over.
    let fixed: usize = match extra {
        Extra::ConfigMap => 12,
        Extra::Secret => 11,
        Extra::LimitRange => 20,
        Extra::Crd => 30,
        Extra::None => 0,
    } + if has_service { 18 } else { 0 };
    let budget = target_lines.saturating_sub(fixed).max(30);
    docs.push(match workload {
        0..=49 => workload_doc(rng, "apps/v1", "Deployment", name, &namespace, port, budget),
        50..=69 => workload_doc(
            rng,
            "apps/v1",
            "StatefulSet",
            name,
            &namespace,
            port,
            budget,
        ),
        70..=84 => workload_doc(rng, "batch/v1", "CronJob", name, &namespace, port, budget),
        _ => workload_doc(
            rng,
            "argoproj.io/v1alpha1",
            "Rollout",
            name,
            &namespace,
            port,
            budget,
        ),
    });
    if has_service {
        docs.push(service_doc(name, &namespace, port));
    }
    match extra {
        Extra::ConfigMap => docs.push(config_map_doc(rng, name, &namespace)),
        Extra::Secret => docs.push(secret_doc(rng, name, &namespace)),
        Extra::LimitRange => docs.push(limit_range_doc(&namespace)),
        Extra::Crd => docs.push(crd_doc(name)),
        Extra::None => {}
    }
    let mut text = format!("# {name}: generated by bench/gen_corpus (seeded)\n");
    text.push_str(&docs.join("---\n"));
    text
}

enum Extra {
    ConfigMap,
    Secret,
    LimitRange,
    Crd,
    None,
}

fn image(rng: &mut Rng, team: &str, name: &str) -> String {
    if rng.chance(6) {
        return format!("ghcr.io/example/{name}:latest");
    }
    if rng.chance(3) {
        return format!("ghcr.io/example/{name}");
    }
    rng.pick(IMAGES)
        .replace("{name}", name)
        .replace("{team}", team)
        .replace("{minor}", &rng.range(0, 40).to_string())
        .replace("{patch}", &rng.range(0, 20).to_string())
}

/// A workload whose pod template has one to three containers, sized to about `budget` lines.
#[allow(clippy::too_many_arguments)]
fn workload_doc(
    rng: &mut Rng,
    api_version: &str,
    kind: &str,
    name: &str,
    namespace: &str,
    port: usize,
    budget: usize,
) -> String {
    let team = namespace.split('-').next().unwrap_or("team");
    let mut out = String::new();
    let _ = write!(
        out,
        "apiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: {name}\n  namespace: {namespace}\n  labels:\n    app.kubernetes.io/name: {name}\n    app.kubernetes.io/part-of: {team}\n    app.kubernetes.io/managed-by: kustomize\n  annotations:\n    example.com/owner: \"{team}@example.com\"\nspec:\n"
    );
    // `pod` is the indentation of the pod spec's keys.
    let pod = match kind {
        "CronJob" => {
            let _ = write!(
                out,
                "  schedule: \"{} */{} * * *\"\n  concurrencyPolicy: Forbid\n  jobTemplate:\n    spec:\n      backoffLimit: 3\n      template:\n        metadata:\n          labels:\n            app.kubernetes.io/name: {name}\n        spec:\n          restartPolicy: OnFailure\n",
                rng.range(0, 59),
                rng.range(1, 6)
            );
            "          "
        }
        _ => {
            let _ = write!(
                out,
                "  replicas: {}\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: {name}\n",
                rng.range(1, 6)
            );
            if kind == "StatefulSet" {
                let _ = writeln!(out, "  serviceName: {name}");
            }
            if kind == "Rollout" {
                out.push_str("  strategy:\n    canary:\n      steps:\n        - setWeight: 20\n        - pause: {duration: 10m}\n");
            }
            let _ = write!(
                out,
                "  template:\n    metadata:\n      labels:\n        app.kubernetes.io/name: {name}\n      annotations:\n        prometheus.io/scrape: \"true\"\n    spec:\n      serviceAccountName: {name}\n      securityContext:\n        runAsNonRoot: true\n        fsGroup: 2000\n"
            );
            "      "
        }
    };
    let _ = writeln!(out, "{pod}containers:");
    let containers = if rng.chance(25) { 2 } else { 1 } + usize::from(rng.chance(5));
    let per_container = budget.saturating_sub(out.lines().count() + 6) / containers;
    for c in 0..containers {
        let cname = if c == 0 {
            "app".to_string()
        } else {
            format!("sidecar-{c}")
        };
        let start = out.lines().count();
        let _ = write!(
            out,
            "{pod}  - name: {cname}\n{pod}    image: {}\n{pod}    imagePullPolicy: IfNotPresent\n",
            image(rng, team, name)
        );
        let cport = port + c;
        let _ = write!(
            out,
            "{pod}    ports:\n{pod}      - name: http\n{pod}        containerPort: {cport}\n{pod}        protocol: TCP\n"
        );
        let probe_port = if rng.chance(4) { cport + 1 } else { cport };
        if kind != "CronJob" && !rng.chance(8) {
            let _ = write!(
                out,
                "{pod}    readinessProbe:\n{pod}      httpGet:\n{pod}        path: /ready\n{pod}        port: {probe_port}\n{pod}      periodSeconds: 10\n"
            );
            if !rng.chance(10) {
                let _ = write!(
                    out,
                    "{pod}    livenessProbe:\n{pod}      httpGet:\n{pod}        path: /healthz\n{pod}        port: {probe_port}\n{pod}      initialDelaySeconds: 15\n{pod}      failureThreshold: 3\n"
                );
            }
        }
        let cpu = rng.range(1, 20) * 50;
        let mem = rng.range(1, 16) * 64;
        let _ = write!(
            out,
            "{pod}    resources:\n{pod}      requests:\n{pod}        cpu: {cpu}m\n{pod}        memory: {mem}Mi\n{pod}      limits:\n{pod}        cpu: \"{}\"\n{pod}        memory: {}Mi\n",
            (cpu * 2) as f64 / 1000.0,
            mem * 2
        );
        let _ = write!(
            out,
            "{pod}    securityContext:\n{pod}      allowPrivilegeEscalation: false\n{pod}      readOnlyRootFilesystem: true\n{pod}      capabilities:\n{pod}        drop: [\"ALL\"]\n"
        );
        // Fill the container's share of the lines with environment variables.
        let used = out.lines().count() - start;
        let remaining = per_container.saturating_sub(used + 1);
        if remaining >= 2 {
            let _ = writeln!(out, "{pod}    env:");
            let mut lines = 1;
            let mut i = 0;
            while lines + 2 <= remaining {
                let var = ENV_NAMES.get(i % ENV_NAMES.len()).copied().unwrap_or("");
                let suffix = if i >= ENV_NAMES.len() {
                    format!("_{}", i / ENV_NAMES.len())
                } else {
                    String::new()
                };
                if rng.chance(15) {
                    let _ = write!(
                        out,
                        "{pod}      - name: {var}{suffix}\n{pod}        valueFrom:\n{pod}          secretKeyRef: {{name: {name}, key: {}}}\n",
                        var.to_ascii_lowercase()
                    );
                    lines += 3;
                } else {
                    let _ = write!(
                        out,
                        "{pod}      - name: {var}{suffix}\n{pod}        value: \"{}\"\n",
                        rng.range(1, 5000)
                    );
                    lines += 2;
                }
                i += 1;
            }
        }
    }
    if kind == "StatefulSet" {
        out.push_str("  volumeClaimTemplates:\n    - metadata:\n        name: data\n      spec:\n        accessModes: [ReadWriteOnce]\n        resources:\n          requests:\n            storage: 10Gi\n");
    }
    out
}

fn service_doc(name: &str, namespace: &str, port: usize) -> String {
    format!(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n  namespace: {namespace}\n  labels:\n    app.kubernetes.io/name: {name}\nspec:\n  type: ClusterIP\n  selector:\n    app.kubernetes.io/name: {name}\n  ports:\n    - name: http\n      port: 80\n      targetPort: {port}\n      protocol: TCP\n"
    )
}

fn config_map_doc(rng: &mut Rng, name: &str, namespace: &str) -> String {
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}-config\n  namespace: {namespace}\ndata:\n  log-level: info\n  workers: \"{}\"\n  app.properties: |\n    cache.size={}\n    feature.beta=false\n",
        rng.range(1, 32),
        rng.range(64, 4096)
    )
}

fn secret_doc(rng: &mut Rng, name: &str, namespace: &str) -> String {
    format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\n  namespace: {namespace}\ntype: Opaque\nstringData:\n  db_host: db.{namespace}.svc\n  db_pool_size: \"{}\"\n",
        rng.range(5, 50)
    )
}

fn limit_range_doc(namespace: &str) -> String {
    format!(
        "apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: defaults\n  namespace: {namespace}\nspec:\n  limits:\n    - type: Container\n      default:\n        cpu: 500m\n        memory: 512Mi\n      defaultRequest:\n        cpu: 100m\n        memory: 128Mi\n      max:\n        cpu: \"4\"\n        memory: 8Gi\n"
    )
}

fn crd_doc(name: &str) -> String {
    let plural = format!("{}s", name.replace('-', ""));
    format!(
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: {plural}.example.com\nspec:\n  group: example.com\n  scope: Namespaced\n  names:\n    kind: Widget\n    plural: {plural}\n    singular: widget\n  versions:\n    - name: v1\n      served: true\n      storage: true\n      schema:\n        openAPIV3Schema:\n          type: object\n          properties:\n            spec:\n              type: object\n              properties:\n                size: {{type: integer, minimum: 1}}\n                color: {{type: string, enum: [red, green, blue]}}\n                template:\n                  type: object\n                  x-kubernetes-preserve-unknown-fields: true\n"
    )
}
