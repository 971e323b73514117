"""Where the time of `policywatch check` goes: N policies on the slow local server, profiled.

    python benchmarks/check_profile.py [--n 1000] [--jobs 16] [--hosts 16] [--delay 0.15]
                                       [--top 10] [--modes main,cpu,wall,pyspy] [--keep]

The server and policies.yaml are those of check_scale.py. Each mode profiles a first run
(everything new: fetch, extract, archive) on a fresh archive, then a second run (all 304s):

- main: `python -m cProfile -o OUT -m policywatch --config CFG check --quiet`, as one would
  run it. cProfile sees only the main thread, which mostly waits for the workers.
- cpu: the same command in a driver that gives each worker thread its own cProfile.Profile
  with a CPU-time timer (time.thread_time) around check.check_policy, merged with the main
  thread's: CPU-seconds summed over threads. Its overhead is large (calls are many in bs4).
- wall: as cpu with the wall clock: thread-seconds, waiting included (host locks, the
  server, fsync, and the GIL, charged to whatever was running when a thread lost it).
- pyspy: `py-spy record --gil` (a sampling profiler, when installed): samples of the thread
  that holds the GIL, so Python work only (fsync, socket waits and the like release it). Low
  overhead; the share of samples against the wall time says how busy the GIL was.

A real run of 20 policies or more parses pages in worker processes, which no profiler here
sees; the cpu and wall drivers keep parsing in the worker threads so that it is profiled
(main and pyspy profile the run as it is: their first run shows the parsing only as waits).

Prints the top --top functions by cumulative and by own time for each. The .prof and py-spy
files are kept with --keep (`python -m pstats FILE`).
"""

from __future__ import annotations

import argparse
import io
import os
import pstats
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

from pageserver import PageServer, run_measured, source_fingerprint, write_config

DRIVER = r"""
import cProfile, pstats, sys, threading, time
out, timer_name, *argv = sys.argv[1:]
timer = time.thread_time if timer_name == "cpu" else time.perf_counter
profiles, guard, local = [], threading.Lock(), threading.local()
import policywatch.check as check
original = check.check_policy
def profiled(*args, **kwargs):
    prof = getattr(local, "prof", None)
    if prof is None:
        prof = local.prof = cProfile.Profile(timer)
        with guard:
            profiles.append(prof)
    prof.enable()
    try:
        return original(*args, **kwargs)
    finally:
        prof.disable()
check.check_policy = profiled
import policywatch.workers as workers
workers.extraction_processes = lambda policies, jobs: 0  # parse in the threads profiled
from policywatch.cli import main
own = cProfile.Profile(timer)
code = 0
own.enable()
try:
    main.main(args=argv, prog_name="policywatch")
except SystemExit as exc:
    code = exc.code
finally:
    own.disable()
    stats = pstats.Stats(own)
    for prof in profiles:
        stats.add(prof)
    stats.dump_stats(out)
sys.exit(code)
"""


DRIVER_ARGV = [sys.executable, "-c", DRIVER]
POLICYWATCH = [sys.executable, "-m", "policywatch"]


def pyspy_top(path: Path, count: int, key: str, rate: int) -> str:
    """Top functions of py-spy's raw output (one `frame;frame;... samples` a line)."""
    cumulative: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, samples = line.rpartition(" ")
        if not samples.isdigit():
            continue
        n = int(samples)
        total += n
        frames = stack.split(";")
        for frame in set(frames):
            cumulative[frame] += n
        own[frames[-1]] += n
    chosen = cumulative if key == "cumulative" else own
    ranked = [(f, n) for f, n in chosen.most_common() if not plumbing(f)][:count]
    rows = ["| function | own s | cumulative s | % of samples (cumulative) |", "|---|---|---|---|"]
    for frame, _ in ranked:
        rows.append(
            f"| `{frame}` | {own[frame] / rate:.2f} | {cumulative[frame] / rate:.2f} "
            f"| {100 * cumulative[frame] / max(total, 1):.0f}% |"
        )
    return "\n".join(rows) + f"\n\n{total} samples: {total / rate:.1f} s holding the GIL"


# Frames every stack goes through: left out of the tables.
PLUMBING = (
    "threading.py",
    "concurrent/futures",
    "runpy",
    "builtins.exec",
    "<string>",
    "click/core.py",
    "__main__.py",
    "_bootstrap",
)


def plumbing(frame: str) -> bool:
    return not frame or any(p in frame for p in PLUMBING)


def where(func: tuple[str, int, str]) -> str:
    filename, line, name = func
    if filename == "~":
        return name
    path = Path(filename)
    parts = path.parts
    for anchor in ("policywatch", "site-packages", "python3.11"):
        if anchor in parts:
            path = Path(*parts[parts.index(anchor) + (anchor != "policywatch") :])
            break
    return f"{path}:{line} {name}"


def top(path: Path, count: int, key: str) -> str:
    stats = pstats.Stats(str(path), stream=io.StringIO())
    stats.sort_stats(key)
    total = max(stats.total_tt, 1e-9)  # type: ignore[attr-defined]
    rows = ["| function | calls | own s | cumulative s | % of total own |", "|---|---|---|---|---|"]
    shown = [f for f in stats.fcn_list if not plumbing(where(f))][:count]  # type: ignore[attr-defined]
    for func in shown:
        _cc, ncalls, tottime, cumtime, _ = stats.stats[func]  # type: ignore[attr-defined]
        rows.append(
            f"| `{where(func)}` | {ncalls} | {tottime:.2f} | {cumtime:.2f} "
            f"| {100 * tottime / total:.0f}% |"
        )
    return "\n".join(rows) + f"\n\ntotal own time in the profile: {total:.1f} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=16)
    parser.add_argument("--hosts", type=int, default=16)
    parser.add_argument("--delay", type=float, default=0.15)
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--modes", default="main,cpu,wall,pyspy", help="which profiles")
    parser.add_argument("--timeout", type=float, default=1200.0, help="seconds per command")
    parser.add_argument("--tmp", type=Path, default=Path("/tmp"))
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="policywatch-profile-", dir=args.tmp))
    check = ["--config", "{cfg}", "check", "--quiet"]
    record = ["record", "--gil", "-r", "100", "-F", "-f", "raw", "-o", "{out}", "--"]
    pyspy = shutil.which("py-spy", path=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    modes: dict[str, tuple[str, list[str]]] = {
        "main": (
            "`python -m cProfile -m policywatch` (main thread only)",
            [sys.executable, "-m", "cProfile", "-o", "{out}", "-m", "policywatch", *check],
        ),
        "cpu": ("cProfile in every thread, CPU time", [*DRIVER_ARGV, "{out}", "cpu", *check]),
        "wall": ("cProfile in every thread, wall time", [*DRIVER_ARGV, "{out}", "wall", *check]),
        "pyspy": (
            "py-spy, samples of the thread holding the GIL (100 a second)",
            [str(pyspy), *record, *POLICYWATCH, *check],
        ),
    }
    chosen = [m for m in args.modes.split(",") if m]
    unknown = set(chosen) - set(modes)
    if unknown:
        raise SystemExit(f"unknown modes: {', '.join(sorted(unknown))} (use {', '.join(modes)})")
    if "pyspy" in chosen and pyspy is None:
        print("py-spy not found (pip install py-spy): skipping that mode\n", file=sys.stderr)
        chosen.remove("pyspy")
    fingerprint = source_fingerprint()
    try:
        with PageServer(args.n, args.hosts, args.delay) as server:
            print(
                f"# profile of `policywatch check`: {args.n} policies, {args.hosts} hosts, "
                f"jobs {args.jobs}, {args.delay * 1000:.0f} ms a response\n"
            )
            print(f"source: {fingerprint}; python {sys.version.split()[0]}\n")
            for mode in chosen:
                label, template = modes[mode]
                folder = work / mode
                config = folder / "policies.yaml"
                write_config(config, server, args.n, args.jobs)
                for run in ("first", "second"):
                    out = folder / f"{run}.{'txt' if mode == 'pyspy' else 'prof'}"
                    argv = [a.format(out=out, cfg=config) for a in template]
                    measured = run_measured(
                        argv,
                        cwd=folder,
                        log=folder / f"{run}.log",
                        timeout=args.timeout,
                        server=server,
                    )
                    print(
                        f"## {label}: {run} run ({measured.wall:.1f} s wall under the profiler, "
                        f"{measured.cpu:.1f} s CPU, exit {measured.exit_code})\n"
                    )
                    for key, title in (("cumulative", "cumulative"), ("tottime", "own time")):
                        print(f"### top {args.top} by {title}\n")
                        if mode == "pyspy":
                            print(pyspy_top(out, args.top, key, rate=100))
                        else:
                            print(top(out, args.top, key))
                        print()
        if source_fingerprint() != fingerprint:
            print("**src/ changed while this ran: the numbers mix two versions**")
    finally:
        if args.keep:
            print(f"work folder kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
