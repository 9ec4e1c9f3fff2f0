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
  RSS baseline), and a pre-commit run on 3 small files (hyperfine when installed);
- the real corpus against issue 21's targets: kubeward -j1 and -j2 alternated (--real-runs
  runs each, 5 by default; medians of wall and CPU, the largest peak RSS, from wait4's rusage),
  PyYAML's C loader (`yaml.load_all(..., Loader=yaml.CSafeLoader)`) reading and parsing the
  same files kubeward reads (`parse_floor --list`) in one process, and with --checkov, Checkov
  (`checkov -d CORPUS --framework kubernetes --quiet --compact`, installed with pip into
  bench/.venv on first use).

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


def median(values):
    values = sorted(values)
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def alternating(cmds, runs):
    """Runs each command of `cmds` (name -> argv) once per round, `runs` rounds, so that a
    change in the machine's load falls on all of them alike. Per command: (median wall s,
    largest peak RSS KiB, median CPU s)."""
    seen = {name: [] for name in cmds}
    for _ in range(runs):
        for name, cmd in cmds.items():
            seen[name].append(measure(cmd, 1))
    return {
        name: (median([r[0] for r in rs]), max(r[1] for r in rs), median([r[2] for r in rs]))
        for name, rs in seen.items()
    }


# Parses every file named in the list file (argv[1]) with PyYAML's C loader, in this one
# process, and prints wall and CPU seconds as JSON. Files that do not parse (templates, the
# corpus's broken test files) count with the time spent until the error.
PYYAML = r"""
import json, sys, time, yaml
paths = open(sys.argv[1], encoding="utf-8").read().splitlines()
start, cpu = time.perf_counter(), time.process_time()
docs = errors = size = 0
for path in paths:
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        continue
    size += len(data)
    try:
        for _ in yaml.load_all(data, Loader=yaml.CSafeLoader):
            docs += 1
    except Exception:
        errors += 1
print(json.dumps({"wall": time.perf_counter() - start, "cpu": time.process_time() - cpu,
                  "files": len(paths), "bytes": size, "documents": docs, "errors": errors}))
"""


def pyyaml_parse(corpus, runs):
    """PyYAML's C loader over the files kubeward reads: (median wall s, median CPU s, details),
    or None with the reason when PyYAML or its libyaml binding is missing."""
    check = subprocess.run(
        [sys.executable, "-c", "import yaml; assert yaml.__with_libyaml__"], capture_output=True
    )
    if check.returncode != 0:
        return None, "PyYAML with libyaml is not installed (pip install pyyaml)"
    listing = BENCH / "real-files.txt"
    with open(listing, "w") as out:
        sh([str(FLOOR), "--list", corpus], stdout=out)
    results = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", PYYAML, str(listing)], check=True, capture_output=True, text=True
        ).stdout
        results.append(json.loads(out))
    detail = results[0]
    return (median([r["wall"] for r in results]), median([r["cpu"] for r in results]), detail), None


def checkov(corpus):
    """Checkov on the corpus, installed into bench/.venv on first use: (wall s, peak RSS KiB,
    version)."""
    venv = ROOT / "bench" / ".venv"
    exe = venv / "bin" / "checkov"
    if not exe.exists():
        sh([sys.executable, "-m", "venv", str(venv)])
        sh([str(venv / "bin" / "pip"), "install", "--quiet", "checkov"])
    version = subprocess.run([str(exe), "--version"], capture_output=True, text=True).stdout.strip()
    cmd = [str(exe), "-d", corpus, "--framework", "kubernetes", "--quiet", "--compact"]
    start = time.perf_counter()
    with open(os.devnull, "wb") as null:
        proc = subprocess.Popen(cmd, stdout=null, stderr=null)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    # Checkov exits 1 when checks fail; anything else is a failed run.
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"{' '.join(cmd)} failed with {code}")
    # ru_maxrss of the children waited for: Checkov's own process (its workers, if any, are
    # its children and not counted here).
    return wall, usage.ru_maxrss, version


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


def real_corpus_table(real, args):
    """The real corpus against issue 21's targets."""
    (t1, rss1, cpu1), (t2, rss2, cpu2) = real["kw1"], real["kw2"]
    size = real["bytes"]
    if real.get("pyyaml"):
        # What kubeward reads (hidden files are skipped), rather than every file by extension.
        size = real["pyyaml"][2]["bytes"]
    rows = [
        f"Real corpus ({size / 1e6:.1f} MB read) against issue 21's targets, at load average "
        f"{os.getloadavg()[0]:.1f}. "
        f"kubeward -j1 and -j2 alternated, {args.real_runs} runs each, medians (peak RSS: the "
        "largest); PyYAML and Checkov on the same machine in the same run.",
        "",
        "| figure | measured | target |",
        "| --- | --- | ---: |",
        f"| `-j2` wall vs `-j1` wall | {t1 / t2:.2f}x ({t1:.3f} s → {t2:.3f} s; CPU {cpu1:.2f} s → "
        f"{cpu2:.2f} s) | >= 1.6x |",
        f"| peak RSS (`-j2`) | {rss2 / 1024:.0f} MiB, {rss2 * 1024 / size:.1f}x the input "
        f"(`-j1`: {rss1 / 1024:.0f} MiB) | <= 4x the input |",
    ]
    if real.get("pyyaml"):
        wall, cpu, d = real["pyyaml"]
        rows.append(
            f"| wall vs PyYAML's C loader parsing the same files (one process: {d['files']:,} files, "
            f"{d['documents']:,} documents, {d['errors']} that fail to parse) | kubeward -j2 "
            f"{wall / t2:.1f}x faster ({wall:.2f} s, CPU {cpu:.2f} s; -j1 {wall / t1:.1f}x) | >= 10x |"
        )
    else:
        rows.append(f"| wall vs PyYAML's C loader | not measured: {real['pyyaml_missing']} | >= 10x |")
    if real.get("checkov"):
        wall, rss, version = real["checkov"]
        rows.append(
            f"| wall vs Checkov {version} (`checkov -d CORPUS --framework kubernetes --quiet "
            f"--compact`, one run) | {wall / t2:.0f}x faster ({wall:.1f} s, {rss / 1024:.0f} MiB) "
            "| >= 150x |"
        )
    elif real.get("checkov_failed"):
        rows.append(f"| wall vs Checkov | failed: {real['checkov_failed']} | >= 150x |")
    else:
        rows.append("| wall vs Checkov | not run (`python3 bench/run.py --checkov`) | >= 150x |")
    rows.append("")
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--reps", type=int, default=3, help="runs per measurement (best is kept)")
    parser.add_argument("--corpus", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--update-readme", action="store_true")
    parser.add_argument("--real-runs", type=int, default=5,
                        help="alternating -j1/-j2 runs on the real corpus (medians are kept)")
    parser.add_argument("--checkov", action="store_true",
                        help="also run Checkov on the real corpus (pip-installed into bench/.venv)")
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
        runs = alternating(
            {"kw1": [str(KUBEWARD), "-j1", args.corpus], "kw2": [str(KUBEWARD), "-j2", args.corpus]},
            args.real_runs,
        )
        real = {
            "files": files,
            "bytes": size,
            "kw2": runs["kw2"],
            "kw1": runs["kw1"],
            "floor": measure([str(FLOOR), "-j", "2", args.corpus], args.reps),
            "events": measure([str(FLOOR), "-j", "2", "--events", args.corpus], args.reps),
        }
        real["pyyaml"], real["pyyaml_missing"] = pyyaml_parse(args.corpus, max(1, args.reps))
        if args.checkov:
            try:
                real["checkov"] = checkov(args.corpus)
            except (subprocess.CalledProcessError, OSError, SystemExit) as err:
                real["checkov_failed"] = str(err)
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
    if real:
        lines += real_corpus_table(real, args)
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
        "target/release/kubeward -j1 ../shared/corpus > /dev/null            # alternated with -j2",
        "target/release/examples/parse_floor --list ../shared/corpus > target/bench/real-files.txt",
        "python3 -c 'yaml.load_all(..., Loader=yaml.CSafeLoader) over each file' target/bench/real-files.txt",
        "bench/.venv/bin/checkov -d ../shared/corpus --framework kubernetes --quiet --compact  # --checkov",
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
