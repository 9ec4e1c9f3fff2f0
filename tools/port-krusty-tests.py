#!/usr/bin/env python3
"""Ports kustomize's own build tests (api/krusty/*_test.go at kustomize/v5.5.0) into
fixtures/kustomize/krusty/<file>/<Test>/: the files each test writes (WriteK, WriteC, WriteF) and,
when the test asserts a literal expected output, that output as `expected.yaml` with the root it
was built from in `expected-root`. tests/kustomize_oracle.rs builds every root with kubeward and
kubectl kustomize and compares, and compares `expected.yaml` too.

Only tests whose paths are all string literals and that build with the default options are
ported; tests that expect a build error are ported without an expected output (kubectl and
kubeward must then both fail).

Usage: tools/port-krusty-tests.py KUSTOMIZE_GIT_DIR fixtures/kustomize/krusty
"""
import os
import re
import shutil
import subprocess
import sys

TAG = "kustomize/v5.5.0"
HEADER_K = "\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
HEADER_C = "\napiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"

CALL = re.compile(r'th\.(WriteK|WriteC|WriteF)\(\s*"([^"]*)"\s*,\s*`([^`]*)`\s*\)')
ANY_WRITE = re.compile(r'th\.Write(K|C|F)\(')
RUN = re.compile(r'th\.Run\(\s*"([^"]*)"\s*,\s*th\.MakeDefaultOptions\(\)\s*\)')
RUN_ERR = re.compile(r'th\.RunWithErr\(\s*"([^"]*)"\s*,\s*th\.MakeDefaultOptions\(\)\s*\)')
EXPECT = re.compile(r'th\.AssertActualEqualsExpected\w*\(\s*\w+\s*,\s*`([^`]*)`')
FUNC = re.compile(r'^func (Test\w+)\(t \*testing\.T\) \{$', re.M)
# A helper that only writes files: `func writeBase(th kusttest_test.Harness) {` ... `}`.
# Its body runs to the next top-level `func` (a file's content may hold a lone `}` line).
HELPER = re.compile(r'^func (\w+)\(th kusttest_test\.Harness\) \{\n(.*?)(?=^func |\Z)', re.M | re.S)
HELPER_CALL = re.compile(r'^\s*(\w+)\(th\)\s*$', re.M)
# Tests that run external (exec or Go) plugins cannot be ported: kubectl never runs them.
EXTERNAL = ("WriteLegacyConfigs", "PrepExecPlugin", "PrepGoPlugin", "BuildGoPlugin", "MakeHarnessWithFs", "th.GetFSys",
            "LoadAndRunGenerator", "LoadAndRunTransformer")


def expand_helpers(body, helpers, depth=0):
    """Replaces each `helper(th)` line by the helper's own body (helpers may call helpers)."""
    if depth > 8:
        return body
    return HELPER_CALL.sub(
        lambda m: expand_helpers(helpers[m.group(1)], helpers, depth + 1)
        if m.group(1) in helpers else m.group(0), body)


def main():
    git_dir, out_dir = sys.argv[1], sys.argv[2]
    names = subprocess.run(["git", "-C", git_dir, "ls-tree", "--name-only", TAG, "api/krusty/"],
                           check=True, capture_output=True, text=True).stdout.split()
    if os.path.isdir(out_dir):
        shutil.rmtree(out_dir)
    ported = 0
    for name in sorted(names):
        if not name.endswith("_test.go"):
            continue
        src = subprocess.run(["git", "-C", git_dir, "show", f"{TAG}:{name}"], check=True,
                             capture_output=True, text=True).stdout
        helpers = {m.group(1): m.group(2) for m in HELPER.finditer(src)}
        starts = [(m.start(), m.group(1)) for m in FUNC.finditer(src)]
        for i, (start, test) in enumerate(starts):
            end = starts[i + 1][0] if i + 1 < len(starts) else len(src)
            body = expand_helpers(src[start:end], helpers)
            calls = CALL.findall(body)
            if not calls or len(calls) != len(ANY_WRITE.findall(body)):
                continue
            runs = RUN.findall(body) + RUN_ERR.findall(body)
            # Tests that write files through helper functions are not ported (their files
            # would be missing).
            helper = re.search(r"\b\w+\(\s*th\s*[,)]", body)
            # The enhanced harness with statically linked builtins is what kubectl runs.
            plugin_config = body.replace(
                "th.GetPluginConfig().BpLoadingOptions = types.BploUseStaticallyLinked", "")
            if len(runs) != 1 or helper or "PluginConfig" in plugin_config \
                    or any(e in body for e in EXTERNAL):
                continue
            case = os.path.join(out_dir, os.path.basename(name)[:-len("_test.go")], test)
            ok = True
            files = {}
            for kind, path, content in calls:
                path = path.lstrip("/")
                if ".." in path.split("/") and path.startswith(".."):
                    ok = False
                if kind == "WriteK":
                    files[os.path.join(path, "kustomization.yaml")] = HEADER_K + content
                elif kind == "WriteC":
                    files[os.path.join(path, "kustomization.yaml")] = HEADER_C + content
                else:
                    files[path] = content
            if not ok:
                continue
            for path, content in files.items():
                full = os.path.normpath(os.path.join(case, path))
                os.makedirs(os.path.dirname(full), exist_ok=True)
                with open(full, "w") as f:
                    f.write(content)
            expected = EXPECT.findall(body)
            if RUN.findall(body) and len(expected) == 1:
                with open(os.path.join(case, "expected.yaml"), "w") as f:
                    f.write(expected[0])
                with open(os.path.join(case, "expected-root"), "w") as f:
                    f.write(runs[0].lstrip("/") or ".")
            ported += 1
    print(f"ported {ported} tests", file=sys.stderr)


main()
