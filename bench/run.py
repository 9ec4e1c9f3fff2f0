#!/usr/bin/env python3
"""kubeward's benchmark: one command, `python3 bench/run.py`, from the repository root.

It builds kubeward and the two benchmark tools (`bench/gen_corpus.rs`, `bench/parse_floor.rs`,
built as cargo examples), writes the seeded corpora to target/bench/corpus-N, and measures for
each N (100, 1,000, 10,000 files):

- kubeward, end to end (default human report to /dev/null), on 2 threads and on 1;
- the parse floor: the same walk, read, decode and parse (`kubeward::load::parse_yaml`) on the
  same thread pool, nothing else; and saphyr-parser's events alone;
- wall time (best of --reps runs, the least disturbed by other processes), MB/s, files/s, and
  peak RSS (the largest of the runs, from wait4's rusage);
- kubeward on the real corpus (../shared/corpus, or --corpus), a run on an empty directory (the
  RSS baseline), and a pre-commit run on 3 small files (hyperfine when installed).

It prints a Markdown table with the machine, the load average and the exact commands, writes it
to target/bench/results.md, plots time against N to bench/time-vs-n.png (needs matplotlib:
`pip install matplotlib`), and with --update-readme puts the table in README.md between the
`<!-- bench:begin -->` and `<!-- bench:end -->` markers.
"""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "target"
BENCH = TARGET / "bench"
KUBEWARD = TARGET / "release" / "kubeward"
GEN = TARGET / "release" / "examples" / "gen_corpus"
FLOOR = TARGET / "release" / "examples" / "parse_floor"
SEED = 42


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def measure(cmd, reps):
    """Best wall time (s), largest peak RSS (KiB) and least CPU time (user + system, s) over
    `reps` runs of `cmd`."""
    best, rss, cpu = float("inf"), 0, float("inf")
    for _ in range(reps):
        start = time.perf_counter()
        with open(os.devnull, "wb") as null:
            proc = subprocess.Popen(cmd, stdout=null, stderr=subprocess.PIPE)
            _, status, usage = os.wait4(proc.pid, 0)
            err = proc.stderr.read().decode(errors="replace")
            proc.stderr.close()
        wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        # kubeward exits 1 when it reports errors; 2 (or a signal) means the run failed.
        if code not in (0, 1):
            sys.exit(f"{' '.join(map(str, cmd))} failed with {code}: {err}")
        best = min(best, wall)
        rss = max(rss, usage.ru_maxrss)
        cpu = min(cpu, usage.ru_utime + usage.ru_stime)
    return best, rss, cpu


def corpus_dir(n):
    path = BENCH / f"corpus-{n}"
    stamp = path / ".generated"
    want = f"{n} {SEED}\n"
    if not (stamp.exists() and stamp.read_text() == want):
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        sh([str(GEN), str(path), str(n), str(SEED)], stdout=subprocess.DEVNULL)
        stamp.write_text(want)
    return path


def size_of(path):
    files, total = 0, 0
    for root, _, names in os.walk(path):
        for name in names:
            if name.endswith((".yaml", ".yml", ".json")):
                files += 1
                total += os.path.getsize(os.path.join(root, name))
    return files, total


def machine():
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    return f"{os.cpu_count()} cores ({cpu}), {mem}, {platform.system()} {platform.release()}, {rustc}, commit {commit}"


def precommit(files, reps):
    """Median wall time (ms) of kubeward on a few small files, as a pre-commit hook runs it."""
    cmd = [str(KUBEWARD)] + [str(f) for f in files]
    if shutil.which("hyperfine"):
        out = BENCH / "precommit.json"
        sh(
            ["hyperfine", "-N", "-i", "--warmup", "5", "--runs", str(max(reps, 30)),
             "--export-json", str(out), " ".join(cmd)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        result = json.loads(out.read_text())["results"][0]
        return result["median"] * 1000, "hyperfine -N"
    times = []
    for _ in range(max(reps, 30)):
        times.append(measure(cmd, 1)[0])
    times.sort()
    return times[len(times) // 2] * 1000, "median of 30 runs"


def plot(rows, path):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed (pip install matplotlib): no plot", file=sys.stderr)
        return False
    ns = [r["n"] for r in rows]
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=110)
    for key, label, style in [
        ("kw2", "kubeward -j2 (end to end)", "o-"),
        ("kw1", "kubeward -j1", "s--"),
        ("floor", "parse floor -j2 (read + parse_yaml)", "^-"),
        ("events", "saphyr-parser events only -j2", "v:"),
    ]:
        ax.plot(ns, [r[key][0] for r in rows], style, label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("files (40-150 lines each)")
    ax.set_ylabel("wall time (s, best run)")
    ax.set_title("kubeward: time vs number of files")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--reps", type=int, default=3, help="runs per measurement (best is kept)")
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--update-readme", action="store_true")
    args = parser.parse_args()

    if not args.no_build:
        sh(["cargo", "build", "--release", "--bin", "kubeward",
            "--example", "gen_corpus", "--example", "parse_floor"], cwd=ROOT)
    BENCH.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    rows = []
    for n in [int(s) for s in args.sizes.split(",")]:
        d = corpus_dir(n)
        files, size = size_of(d)
        row = {"n": n, "files": files, "bytes": size}
        row["kw2"] = measure([str(KUBEWARD), "-j2", str(d)], args.reps)
        row["kw1"] = measure([str(KUBEWARD), "-j1", str(d)], args.reps)
        row["floor"] = measure([str(FLOOR), "-j", "2", str(d)], args.reps)
        row["events"] = measure([str(FLOOR), "-j", "2", "--events", str(d)], args.reps)
        rows.append(row)
        print(f"N={n}: kubeward {row['kw2'][0]:.3f}s, floor {row['floor'][0]:.3f}s", file=sys.stderr)
    empty = BENCH / "empty"
    empty.mkdir(exist_ok=True)
    empty_rss = measure([str(KUBEWARD), str(empty)], args.reps)[1]
    small = sorted((corpus_dir(rows[0]["n"])).rglob("*.yaml"))[:3]
    pre_ms, pre_how = precommit(small, args.reps)
    real = None
    if Path(args.corpus).is_dir():
        files, size = size_of(args.corpus)
        real = {
            "files": files,
            "bytes": size,
            "kw2": measure([str(KUBEWARD), "-j2", args.corpus], args.reps),
            "kw1": measure([str(KUBEWARD), "-j1", args.corpus], args.reps),
            "floor": measure([str(FLOOR), "-j", "2", args.corpus], args.reps),
            "events": measure([str(FLOOR), "-j", "2", "--events", args.corpus], args.reps),
        }
    load_after = os.getloadavg()

    mb = lambda b: b / 1e6
    lines = [
        f"Machine: {machine()}.  ",
        f"Load average (1 min) {load_before[0]:.1f} before, {load_after[0]:.1f} after the run "
        f"(other processes were sharing the {os.cpu_count()} cores when it is above 0.5: then "
        "wall times, and the speed-up from 1 to 2 threads above all, are pessimistic; CPU time "
        f"is steadier). Best of {args.reps} runs; peak RSS is the largest.",
        "",
        "| input | files | MB | kubeward -j2 | MB/s | files/s | kubeward -j1 | speed-up 1→2 | "
        "parse floor -j2 | events only | kubeward / floor | CPU s kubeward / floor | "
        "peak RSS kubeward | peak RSS floor |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]

    def line(name, r):
        t2, rss2, cpu2 = r["kw2"]
        t1 = r["kw1"][0]
        tf, rssf, cpuf = r["floor"]
        te = r["events"][0]
        return (
            f"| {name} | {r['files']:,} | {mb(r['bytes']):.1f} | {t2:.3f} s | "
            f"{mb(r['bytes']) / t2:.1f} | {r['files'] / t2:,.0f} | {t1:.3f} s | {t1 / t2:.2f}x | "
            f"{tf:.3f} s | {te:.3f} s | {t2 / tf:.2f}x | {cpu2:.2f} / {cpuf:.2f} | "
            f"{rss2 / 1024:.0f} MiB | {rssf / 1024:.0f} MiB |"
        )

    for r in rows:
        lines.append(line(f"generated, N={r['n']:,}", r))
    if real:
        lines.append(line("real corpus (shared/corpus)", real))
    lines.append("")
    biggest = rows[-1]
    checks = [
        f"- empty run: peak RSS {empty_rss / 1024:.1f} MiB; RSS bound for N={biggest['n']:,}: "
        f"{empty_rss / 1024:.1f} + 3 × {mb(biggest['bytes']):.1f} MB = "
        f"{(empty_rss * 1024 + 3 * biggest['bytes']) / 2**20:.0f} MiB, measured "
        f"{biggest['kw2'][1] / 1024:.0f} MiB",
        f"- pre-commit, 3 small files: {pre_ms:.1f} ms ({pre_how})",
    ]
    if len(rows) >= 2:
        a, b = rows[-2], rows[-1]
        checks.append(
            f"- growth: {b['n'] // a['n']}x the files took {b['kw2'][0] / a['kw2'][0]:.1f}x the time"
        )
    lines += checks
    lines += [
        "",
        "Commands (from the repository root; `bench/run.py` runs exactly these):",
        "",
        "```sh",
        "python3 bench/run.py --update-readme    # all of the below, and this table",
        f"target/release/examples/gen_corpus target/bench/corpus-N N {SEED}",
        "target/release/kubeward -j2 target/bench/corpus-N > /dev/null      # and -j1",
        "target/release/examples/parse_floor -j 2 target/bench/corpus-N     # the parse floor",
        "target/release/examples/parse_floor -j 2 --events target/bench/corpus-N",
        "hyperfine -N 'target/release/kubeward A.yaml B.yaml C.yaml'         # pre-commit",
        "```",
    ]
    table = "\n".join(lines)
    (BENCH / "results.md").write_text(table + "\n")
    (BENCH / "results.json").write_text(json.dumps({"rows": rows, "real": real}, indent=1))
    print(table)
    plotted = plot(rows, ROOT / "bench" / "time-vs-n.png")
    if args.update_readme:
        readme = ROOT / "README.md"
        text = readme.read_text()
        begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
        if begin not in text or end not in text:
            sys.exit("README.md has no bench markers")
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
        picture = "\n\n![time vs number of files](bench/time-vs-n.png)" if plotted else ""
        readme.write_text(f"{head}{begin}\n{table}{picture}\n{end}{tail}")


if __name__ == "__main__":
    main()
