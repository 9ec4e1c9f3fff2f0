#!/usr/bin/env python3
"""Runs action.yml's own shell steps the way the GitHub runner would, in a simulated GitHub
environment, and checks what they leave behind: the annotations, the job summary, the SARIF
file, the step outputs and the exit status.

The runner's part is played here: `${{ inputs.* }}`, `${{ steps.*.outputs.* }}` and
`${{ github.action_path }}` are substituted in each step's `env:` (the only place the action
uses expressions; `run:` scripts must not contain any), each `run:` is executed as
`bash --noprofile --norc -eo pipefail SCRIPT` from the workspace, and `GITHUB_OUTPUT` files are
read back into step outputs. `actions/cache` is simulated as a miss or a hit. Anything else
the harness does not understand fails the test, so action.yml cannot drift away from it.

Builds with the CARGO_TARGET_DIR of the environment (CI shares one, so kubeward is built once).
Needs PyYAML (installed with pre-commit). Usage: python3 tests/ci/action_test.py
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
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
        self, workspace: Path, runner_temp: Path, inputs: dict[str, str], cache_hit: bool
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
                "RUNNER_TEMP": str(runner_temp),
            }
        )
        outputs: dict[str, dict[str, str]] = {}
        context = {"inputs": values, "steps": outputs}
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
            if expr == "github.action_path":
                return str(CHECKOUT)
            parts = expr.split(".")
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


def main() -> int:
    action = Action()
    base = Path(tempfile.mkdtemp(prefix="kubeward-action-"))
    try:
        # 1. Defaults plus a SARIF file, on a cache miss: builds, annotates, summarises, fails.
        workspace = workspace_with_manifests(base / "first")
        # The runner's temporary directory outlives the runs here, so the second run finds the
        # install root as actions/cache would have restored it.
        runner_temp = base / "runner-temp"
        record = action.run(
            workspace, runner_temp, {"sarif-file": "reports/kubeward.sarif"}, cache_hit=False
        )
        key = record["outputs"]["key"]
        check(
            re.fullmatch(r"kubeward-Linux-source-[0-9a-f]{16}", key.get("key", "")) is not None,
            "the cache key holds the OS, the version and the Cargo.lock hash",
            str(key),
        )
        check(record["cache"]["path"] == key["root"], "the cache saves the install root")
        build = step(record, "build")
        check(
            build["code"] == 0 and build["stdout"].strip().startswith("kubeward "),
            "a cache miss builds kubeward with cargo install",
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
            and "1 error, 1 warning, 0 infos in 2 files" in summary
            and "| [`parse-error`](" in summary
            and "| error | 1 | 1 |" in summary
            and "`deploy/web.yaml:8:14` image `nginx` has no tag" in summary,
            "the job summary has the counts, a row per rule and the findings",
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

        # 2. A cache hit with the binary restored: no build; fail-on never passes.
        cached = workspace_with_manifests(base / "second")
        record = action.run(
            cached,
            runner_temp,
            {"path": "deploy/web.yaml\ndeploy/broken.yaml", "fail-on": "never"},
            cache_hit=True,
        )
        build = step(record, "build")
        check(
            build["code"] == 0
            and "restored from the cache" in build["stdout"] and "Compiling" not in build["stderr"],
            "a cache hit skips the build",
            build["stdout"] + build["stderr"],
        )
        run = step(record, "run")
        check(run["code"] == 0, "fail-on: never passes despite an error", run["stderr"])
        check(
            len(run["stdout"].splitlines()) == 2 and not (cached / "reports").exists(),
            "paths separated by newlines are each linted; no SARIF without sarif-file",
            run["stdout"],
        )
        check(record["outputs"]["run"].get("sarif-file") == "", "empty sarif-file output")

        # 3. Another format and a stricter threshold, on one file with a warning.
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
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
