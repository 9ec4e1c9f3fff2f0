#!/usr/bin/env python3
"""Prints the minimum Rust version of the locked dependency tree: the highest `rust-version`
that a package locked in Cargo.lock declares in its own Cargo.toml (read from cargo's registry
cache, so run `cargo fetch --locked` first: it fetches the crates of every platform, Windows and
wasm ones included). Older toolchains cannot build the locked tree, so Cargo.toml's
`rust-version` must be at least this; `--check` fails unless it is exactly this.

Usage: python3 tools/msrv.py [--check]
"""

from __future__ import annotations

import os
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def version_key(text: str) -> tuple[int, ...]:
    """`1.88` and `1.88.0` are the same version."""
    parts = [int(part) for part in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


def main() -> int:
    lock = tomllib.loads((ROOT / "Cargo.lock").read_text())
    cargo_home = Path(os.environ.get("CARGO_HOME", Path.home() / ".cargo"))
    sources = sorted((cargo_home / "registry" / "src").glob("*"))
    highest: tuple[tuple[int, ...], str, str] = ((0, 0, 0), "0", "")
    missing = []
    for package in lock["package"]:
        if "source" not in package:
            continue
        name = f"{package['name']}-{package['version']}"
        manifest = next(
            (s / name / "Cargo.toml" for s in sources if (s / name / "Cargo.toml").is_file()),
            None,
        )
        if manifest is None:
            missing.append(name)
            continue
        declared = tomllib.loads(manifest.read_text()).get("package", {}).get("rust-version")
        if isinstance(declared, str) and version_key(declared) > highest[0]:
            highest = (version_key(declared), declared, name)
    if missing:
        print(f"not in cargo's registry cache (run `cargo fetch --locked`): {missing}")
        return 2
    minimum = highest[1]
    print(f"{minimum} (declared by {highest[2]})")
    if "--check" in sys.argv[1:]:
        ours = tomllib.loads((ROOT / "Cargo.toml").read_text())["package"].get("rust-version")
        if not isinstance(ours, str) or version_key(ours) != version_key(minimum):
            print(f"Cargo.toml says rust-version = {ours!r}; the locked tree needs {minimum}")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
