#!/usr/bin/env python3
"""The pre-commit invariant over the whole corpus (issue 14, item 12).

For every manifest F of the corpus (../shared/corpus, or --corpus), the findings for F from
`kubeward --context <corpus> F` (what the pre-commit hook runs) must equal the findings for F
from `kubeward <corpus>`: rule, line, column, message and fingerprint. `cargo test --test paths`
checks a sample; this checks every file, one kubeward run per file (--batch N passes N files
per run instead: faster, and a file's findings do not depend on which other files are named).

    python3 bench/context_invariant.py [--corpus DIR] [--batch N] [--limit N] [--bin PATH]

Exits 1 and lists the files whose findings differ. Uses target/release/kubeward unless --bin.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manifests(corpus: Path):
    """The files a walk reads: *.yaml, *.yml, *.json; hidden entries and symlinks skipped.
    (Files a .gitignore or .ignore inside the corpus ignores are found by comparing with the
    whole run: they are reported there as absent and skipped here.)"""
    out = []
    for dirpath, dirnames, filenames in os.walk(corpus, followlinks=False):
        dirnames[:] = sorted(
            d for d in dirnames
            if not d.startswith(".") and not os.path.islink(os.path.join(dirpath, d))
        )
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if name.startswith(".") or path.is_symlink():
                continue
            if path.suffix.lower() in (".yaml", ".yml", ".json"):
                out.append(path)
    return out


def run(binary, args):
    proc = subprocess.run(
        [str(binary), "--format", "json", *args],
        capture_output=True,
        cwd=ROOT,
        env={**os.environ, "NO_COLOR": "1"},
    )
    if proc.returncode not in (0, 1):
        raise SystemExit(f"kubeward {' '.join(args)}: exit {proc.returncode}\n{proc.stderr.decode()}")
    return json.loads(proc.stdout)["findings"]


def key(f):
    return (f["rule"], f["line"], f["column"], f["message"], f["fingerprint"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--limit", type=int, default=0, help="check only the first N files")
    parser.add_argument("--bin", default=str(ROOT / "target" / "release" / "kubeward"))
    args = parser.parse_args()
    corpus = Path(args.corpus).resolve()
    if not corpus.is_dir():
        print(f"SKIPPED: no corpus at {corpus}")
        return 0
    whole = {}
    for f in run(args.bin, [str(corpus)]):
        whole.setdefault(f["path"], []).append(key(f))
    files = manifests(corpus)
    if args.limit:
        files = files[: args.limit]
    # Paths are shown relative to the current directory (ROOT), as in the whole run.
    # (absolute when the two share nothing but `/`).
    shown = {
        str(p): str(p) if os.path.commonpath([p, ROOT]) == "/" else os.path.relpath(p, ROOT)
        for p in files
    }
    reported_paths = set(whole)
    differ = []
    checked = 0
    for start in range(0, len(files), args.batch):
        batch = files[start : start + args.batch]
        got = {}
        for f in run(args.bin, ["--context", str(corpus), *map(str, batch)]):
            got.setdefault(f["path"], []).append(key(f))
        for path in batch:
            name = shown[str(path)]
            expected = sorted(whole.get(name, []))
            actual = sorted(got.get(name, []))
            if name not in reported_paths and not actual:
                checked += 1
                continue
            checked += 1
            if expected != actual:
                differ.append((name, len(expected), len(actual)))
    print(f"{checked} files checked, {len(differ)} differ (batch {args.batch})")
    for name, expected, actual in differ[:50]:
        print(f"  {name}: {expected} findings in the whole run, {actual} with --context")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
