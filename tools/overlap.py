#!/usr/bin/env python3
"""Pairs of rules that fire on the same node (or the same object) in one run: the candidates for
"one cause, one finding" (issue 16).

    cargo run --release -- --format json ../shared/corpus > /tmp/corpus.json
    python3 tools/overlap.py /tmp/corpus.json            # or: ... | python3 tools/overlap.py -

Prints three tables:
  1. per-rule counts (rule, severity, findings);
  2. pairs of rules whose findings start at the same place (path, line, column): the same node;
  3. pairs of rules that fire on the same object, with how often each implies the other
     (`A->B` = share of A's objects where B fires too). A pair near 100% both ways is one
     cause reported twice; read the messages (`--show A B`) before merging or suppressing.

Options: `--min N` hides pairs seen on fewer than N objects (default 5); `--show A B` prints a
few objects where both fire, with both messages.
"""

import argparse
import collections
import itertools
import json
import sys


def load(path):
    if path == "-":
        return json.load(sys.stdin)
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def object_key(f):
    o = f.get("object") or {}
    return (f["path"], o.get("apiVersion"), o.get("kind"), o.get("namespace"), o.get("name"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("report", help="a `kubeward --format json` report, or - for stdin")
    ap.add_argument("--min", type=int, default=5)
    ap.add_argument("--show", nargs=2, metavar=("A", "B"))
    args = ap.parse_args()

    findings = load(args.report)["findings"]

    per_rule = collections.Counter((f["rule"], f["severity"]) for f in findings)
    print(f"{len(findings)} findings")
    print(f"{'rule':<30} {'severity':<8} {'count':>6}")
    for (rule, severity), n in per_rule.most_common():
        print(f"{rule:<30} {severity:<8} {n:>6}")

    by_node = collections.defaultdict(set)
    by_object = collections.defaultdict(lambda: collections.defaultdict(list))
    for f in findings:
        by_node[(f["path"], f["line"], f["column"])].add(f["rule"])
        if f.get("object"):
            by_object[object_key(f)][f["rule"]].append(f)

    same_node = collections.Counter()
    for rules in by_node.values():
        for a, b in itertools.combinations(sorted(rules), 2):
            same_node[(a, b)] += 1
    print("\nsame node (path, line, column)")
    print(f"{'rule A':<28} {'rule B':<28} {'nodes':>6}")
    for (a, b), n in same_node.most_common():
        if n >= args.min:
            print(f"{a:<28} {b:<28} {n:>6}")

    objects_of = collections.Counter()
    pairs = collections.Counter()
    for rules in by_object.values():
        for r in rules:
            objects_of[r] += 1
        for a, b in itertools.combinations(sorted(rules), 2):
            pairs[(a, b)] += 1
    print("\nsame object")
    print(f"{'rule A':<28} {'rule B':<28} {'objects':>7} {'A->B':>6} {'B->A':>6}")
    for (a, b), n in pairs.most_common():
        if n < args.min:
            continue
        print(f"{a:<28} {b:<28} {n:>7} {n / objects_of[a]:>6.0%} {n / objects_of[b]:>6.0%}")

    if args.show:
        a, b = args.show
        shown = 0
        print(f"\nobjects where {a} and {b} both fire")
        for key, rules in by_object.items():
            if a in rules and b in rules:
                print(f"- {key[0]} {key[2]}/{key[4]}")
                for f in rules[a] + rules[b]:
                    print(f"    {f['line']}:{f['column']} {f['rule']}: {f['message']}")
                shown += 1
                if shown == 5:
                    break


if __name__ == "__main__":
    main()
