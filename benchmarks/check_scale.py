"""Scale of `policywatch check`: N policies on a slow local server, a first and a second run.

    python benchmarks/check_scale.py [--sizes 100,1000] [--big] [--jobs 16] [--hosts 16]
                                     [--delay 0.15] [--runs 5] [--timeout 1200] [--keep]

For each N, benchmarks/pageserver.py serves N real pages (the 30-60 KB match, meetic and
zoosk fixtures, cycled) from --hosts loopback addresses, each answer after --delay seconds,
with an ETag and 304 on If-None-Match. A policies.yaml lists the N pages spread over the hosts
(`defaults: {jobs: J, retries: 0, timeout: 10}`), then `policywatch --config CFG check --quiet`
runs twice in a new process: the first run archives everything, the second finds nothing
changed (every answer a 304). Per run: wall time, CPU (user + system, RUSAGE_CHILDREN delta),
the child's own peak RSS (wait4) and the peak of the summed RSS of it and its worker
processes (sampled every 0.1 s), KiB added to snapshots/ (du), what the server saw.
--big adds N = 10,000 (about 1 GB of archive; free space is checked first). After each
N's check, `policywatch list` on that archive, and `policywatch --help`: medians of --runs.
The work folder lives under /tmp and is removed at the end unless --keep. Each command is
killed after --timeout seconds.

Targets: 1,000 unchanged policies checked in under 60 s with a 150 ms delay, peak memory
under 300 MB, and memory at 10,000 policies no higher than at 1,000.
"""

from __future__ import annotations

import argparse
import math
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pageserver import (
    Measured,
    PageServer,
    archive_summary,
    free_gib,
    policywatch,
    run_measured,
    source_fingerprint,
    write_config,
)

# du of one policy's folder after a first run: ~45 KB page, its text, metadata, state, checks.
KIB_PER_POLICY = 110


def median_seconds(argv: list[str], runs: int, cwd: Path) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True, cwd=cwd, timeout=600)
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(times)


def statuses_text(statuses: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())) or "-"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100,1000", help="comma-separated N")
    parser.add_argument("--big", action="store_true", help="add N = 10000")
    parser.add_argument("--jobs", type=int, default=16)
    parser.add_argument("--hosts", type=int, default=16)
    parser.add_argument("--delay", type=float, default=0.15)
    parser.add_argument("--runs", type=int, default=5, help="runs of the start-up medians")
    parser.add_argument("--timeout", type=float, default=1200.0, help="seconds per command")
    parser.add_argument("--tmp", type=Path, default=Path("/tmp"))
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.big and 10_000 not in sizes:
        sizes.append(10_000)
    need = max(sizes) * KIB_PER_POLICY / 2**20
    free = free_gib(args.tmp)
    if free < 2 * need + 1:
        raise SystemExit(f"{args.tmp}: {free:.1f} GiB free, the largest N needs about {need:.1f}")
    fingerprint = source_fingerprint()
    disk = subprocess.run(["df", "-h", str(args.tmp)], capture_output=True, text=True).stdout
    work = Path(tempfile.mkdtemp(prefix="policywatch-scale-", dir=args.tmp))
    runs: list[tuple[int, str, Measured, str, int, float]] = []
    startup: list[tuple[str, float, float]] = []
    try:
        help_median, help_worst = median_seconds(policywatch("--help"), args.runs, work)
        startup.append(("policywatch --help", help_median, help_worst))
        for n in sizes:
            folder = work / f"n{n}"
            config = folder / "policies.yaml"
            archive = folder / "snapshots"
            with PageServer(n, args.hosts, args.delay) as server:
                write_config(config, server, n, args.jobs)
                argv = policywatch("--config", str(config), "check", "--quiet")
                floor = math.ceil(n / min(args.hosts, args.jobs)) * args.delay
                for label in ("first", "second"):
                    measured = run_measured(
                        argv,
                        cwd=folder,
                        log=folder / f"{label}.log",
                        timeout=args.timeout,
                        server=server,
                        disk=archive,
                    )
                    statuses, snapshots = archive_summary(archive)
                    runs.append((n, label, measured, statuses_text(statuses), snapshots, floor))
                    print(
                        f"N={n} {label}: {measured.wall:.1f} s, exit {measured.exit_code}",
                        file=sys.stderr,
                    )
            argv = policywatch("--config", str(config), "list")
            median, worst = median_seconds(argv, args.runs, folder)
            startup.append((f"policywatch list ({n} policies)", median, worst))
            if not args.keep:
                shutil.rmtree(folder)
    finally:
        if args.keep:
            print(f"work folder kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)

    print(f"source: {fingerprint}; python {sys.version.split()[0]}\n")
    print("```\n" + disk.strip() + "\n```\n")
    print(
        f"## check: {args.hosts} hosts, jobs {args.jobs}, {args.delay * 1000:.0f} ms a response\n"
    )
    print(
        "floor: the server's delay alone, one request at a time per host: "
        "ceil(N / min(hosts, jobs)) x delay.\n"
    )
    print(
        "| N | run | wall s | floor s | ms/policy | CPU s (sys) | CPU ms/policy | peak RSS MiB "
        "| all processes MiB (most processes) "
        "| archive +MiB | requests | 304s | connections | most in flight | statuses | snapshots "
        "| exit |"
    )
    print("|" + "---|" * 17)
    for n, label, m, statuses, snapshots, floor in runs:
        print(
            f"| {n} | {label} | {m.wall:.1f} | {floor:.1f} | {1000 * m.wall / n:.1f} "
            f"| {m.cpu:.1f} ({m.cpu_sys:.1f}) | {1000 * m.cpu / n:.1f} | {m.peak_rss_mib:.0f} "
            f"| {m.tree_rss_mib:.0f} ({m.most_processes}) "
            f"| {m.written_kib / 1024:.1f} | {m.requests} | {m.not_modified} | {m.connections} "
            f"| {m.peak_inflight} | {statuses} | {snapshots} | {m.exit_code} |"
        )
    print()
    print("## peak memory against N\n")
    print("| N | first run MiB | all processes | second run MiB | all processes |")
    print("|---|---|---|---|---|")
    for n in sizes:
        rss = {label: m for size, label, m, *_ in runs if size == n}
        print(
            f"| {n} | {rss['first'].peak_rss_mib:.0f} | {rss['first'].tree_rss_mib:.0f} "
            f"| {rss['second'].peak_rss_mib:.0f} | {rss['second'].tree_rss_mib:.0f} |"
        )
    print()
    print(f"## start-up (medians of {args.runs})\n")
    print("| command | median s | worst s |")
    print("|---|---|---|")
    for label, median, worst in startup:
        print(f"| `{label}` | {median:.3f} | {worst:.3f} |")
    print()
    if source_fingerprint() != fingerprint:
        print("**src/ changed while this ran: the numbers mix two versions**\n")
    second = [m for n, label, m, *_ in runs if n == 1000 and label == "second"]
    if second:
        peak = max(m.peak_rss_mib for n, _, m, *_ in runs if n == 1000)
        print(
            f"targets at N=1000: second run {second[0].wall:.1f} s (target < 60 s), "
            f"peak RSS {peak:.0f} MiB (target < 300 MB)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
