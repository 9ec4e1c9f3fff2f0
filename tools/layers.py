#!/usr/bin/env python3
"""Draws kubeward's module graph from the code's own `use` lines and checks the layering.

Every file under src/ is a node (a folder's mod.rs and its children are separate nodes). An
edge A -> B is a `use crate::...` (or `super::`/`self::`) path in A that names an item defined in
B or its submodules. Reports import circles (strongly connected components with more than one
file) and the imports that run back up the layers listed in LAYERS (DESIGN.md draws them).

    python3 tools/layers.py            # summary; exit 1 on a circle or too many back-up imports
    python3 tools/layers.py --edges    # every edge, with its layer
"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"

# Lowest first. A module may import from its own layer or any layer below it. A module path
# matches its longest listed prefix.
LAYERS = [
    ["rule_id", "error", "source", "suggest", "kube_version", "timings"],
    ["load"],
    # The load step (load::input) reads inputs and reports what failed as findings.
    ["finding", "catalogue", "schema", "secrets", "config", "discover", "load::input", "kustomize", "helm"],
    ["model"],
    ["policy", "rules", "registry", "redact"],
    ["suppress", "outcome", "lint", "baseline"],
    ["report", "inspect"],
    ["cli", "main", "lib"],
]
ALLOWED_BACK_UP = 2


def module_of(path: Path) -> str:
    rel = path.relative_to(SRC).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "mod":
        parts = parts[:-1]
    return "::".join(parts) or "lib"


def layer_of(module: str) -> int:
    best, best_len = None, -1
    for index, names in enumerate(LAYERS):
        for name in names:
            if (module == name or module.startswith(name + "::")) and len(name) > best_len:
                best, best_len = index, len(name)
    if best is None:
        sys.exit(f"tools/layers.py: module `{module}` is in no layer: add it to LAYERS")
    return best


def use_paths(text: str):
    """Every path of every `use` item, with braces expanded."""
    text = re.sub(r"//[^\n]*", "", text)
    # Test modules may import anything.
    text = re.split(r"#\[cfg\(test\)\]\s*mod tests", text)[0]
    for m in re.finditer(r"\buse\s+([^;]+);", text):
        yield from expand(m.group(1).replace("\n", " ").replace(" ", ""))
    # Fully qualified paths in code: crate::a::b::item
    for m in re.finditer(r"\bcrate::([a-z_][a-z0-9_]*(?:::[a-z_][a-z0-9_]*)*)", text):
        yield "crate::" + m.group(1)


def expand(path: str):
    m = re.match(r"^(.*?)\{(.*)\}$", path)
    if not m:
        yield path
        return
    prefix, inner = m.group(1), m.group(2)
    depth, start = 0, 0
    for i, c in enumerate(inner + ","):
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif c == "," and depth == 0:
            part = inner[start:i]
            start = i + 1
            if part:
                yield from expand(prefix + part)


def main() -> int:
    files = sorted(SRC.rglob("*.rs"))
    modules = {module_of(f): f for f in files}
    edges = {}
    for module, path in modules.items():
        here = module.split("::") if module != "lib" else []
        for raw in use_paths(path.read_text()):
            parts = raw.split("::")
            if parts[0] == "crate":
                target = parts[1:]
            elif parts[0] == "self":
                target = here + parts[1:]
            elif parts[0] == "super":
                base = list(here)
                while parts and parts[0] == "super":
                    base = base[:-1]
                    parts = parts[1:]
                target = base + parts
            else:
                continue
            # The longest prefix of target that is a module.
            found = None
            for n in range(len(target), 0, -1):
                cand = "::".join(target[:n])
                if cand in modules:
                    found = cand
                    break
            if found and found != module:
                edges.setdefault(module, set()).add(found)
    # Circles: Tarjan's strongly connected components.
    index, low, stack, on, sccs = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(10000)

    def strong(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(edges.get(v, ())):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            sccs.append(sorted(comp))

    for v in sorted(modules):
        if v not in index:
            strong(v)
    circles = [c for c in sccs if len(c) > 1]
    back_up = []
    for a in sorted(edges):
        for b in sorted(edges[a]):
            if layer_of(b) > layer_of(a):
                back_up.append((a, b))
            if "--edges" in sys.argv:
                print(f"{a} (layer {layer_of(a)}) -> {b} (layer {layer_of(b)})")
    print(f"{len(modules)} files, {sum(len(e) for e in edges.values())} imports between files")
    print(f"import circles: {len(circles)}")
    for c in circles:
        print("  " + " <-> ".join(c))
    print(f"imports that run back up a layer: {len(back_up)} (allowed {ALLOWED_BACK_UP})")
    for a, b in back_up:
        print(f"  {a} (layer {layer_of(a)}) -> {b} (layer {layer_of(b)})")
    return 1 if circles or len(back_up) > ALLOWED_BACK_UP else 0


if __name__ == "__main__":
    sys.exit(main())
