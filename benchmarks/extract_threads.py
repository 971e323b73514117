"""Extraction throughput against the number of threads: what `check`'s thread pool gets from the GIL.

    python benchmarks/extract_threads.py [--pages 400] [--threads 1,2,4,8,16] [--runs 3]

Extracts --pages fixture pages (the 30-60 KB match, meetic and zoosk pages, cycled), as
`check` does (policywatch.check.derive_text: bs4 with lxml, then the guards), in a thread pool
of each size, then in a process pool of os.cpu_count() workers. In process, no network and no
archive: only the CPU-bound step that every changed or new page goes through. Medians of --runs.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import statistics
import sys
import time
from collections.abc import Callable

from pageserver import SMALL_SITES, fixture_pages

from policywatch.config import Policy
from policywatch.derive import derive_text

POLICY = Policy(id="bench", name="bench", url="http://127.0.0.2/p/0")


def extract_one(body: bytes) -> int:
    return len(derive_text(POLICY, body, content_type="text/html", charset="utf-8").text)


def timed(make_pool: Callable[[], concurrent.futures.Executor], bodies: list[bytes]) -> float:
    with make_pool() as pool:
        list(pool.map(extract_one, bodies[: len(bodies) // 20 or 1]))  # warm up the workers
        start = time.perf_counter()
        list(pool.map(extract_one, bodies, chunksize=1))
        return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=400)
    parser.add_argument("--threads", default="1,2,4,8,16")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    pages = fixture_pages(SMALL_SITES)
    bodies = [pages[i % len(pages)] for i in range(args.pages)]
    cores = os.cpu_count() or 1
    rows: list[tuple[str, float]] = []
    for count in (int(t) for t in args.threads.split(",")):
        seconds = statistics.median(
            timed(lambda c=count: concurrent.futures.ThreadPoolExecutor(c), bodies)
            for _ in range(args.runs)
        )
        rows.append((f"{count} thread{'s' if count > 1 else ''}", seconds))
    seconds = statistics.median(
        timed(lambda: concurrent.futures.ProcessPoolExecutor(cores), bodies)
        for _ in range(args.runs)
    )
    rows.append((f"{cores} processes", seconds))
    base = rows[0][1]
    print(f"## extraction of {args.pages} pages ({len(pages)} distinct, 30-60 KB), {cores} cores\n")
    print("| pool | seconds | ms/page | speed-up over 1 thread |")
    print("|---|---|---|---|")
    for label, seconds in rows:
        print(
            f"| {label} | {seconds:.2f} | {1000 * seconds / args.pages:.1f} | {base / seconds:.2f}x |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
