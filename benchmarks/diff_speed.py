"""Speed of `diff`: the 720 KB stress pair end to end (and as a multiple of a naive paragraph
difflib script, benchmarks/naive_diff.py), every real pair, and growth with size.

    python benchmarks/diff_speed.py [--runs N]

End to end means the real command in a new process (`policywatch diff OLD NEW --format json`),
start-up included. Medians of --runs runs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from policywatch.category import Category
from policywatch.diff import Side, compare_texts

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT / "tests" / "fixtures"


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "policywatch", *args]


def median_seconds(argv: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def in_process(
    old: str, new: str, runs: int, taxonomy: tuple[Category, ...] | None = None
) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        json.dumps(
            compare_texts(
                Side.of_markdown("old", old), Side.of_markdown("new", new), taxonomy
            ).to_json()
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    stress_old, stress_new = SHARED / "stress" / "old.md", SHARED / "stress" / "new.md"
    print("## start-up")
    print(f"policywatch --help: {median_seconds(command('--help'), args.runs):.3f} s")
    print()
    print("## the stress pair (720 KB), end to end")
    e2e = median_seconds(
        command("diff", str(stress_old), str(stress_new), "--format", "json"), args.runs
    )
    naive = median_seconds(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "naive_diff.py"),
            str(stress_old),
            str(stress_new),
        ],
        args.runs,
    )
    print(f"policywatch diff --format json: {e2e:.3f} s")
    print(f"naive paragraph difflib script: {naive:.3f} s; policywatch is {e2e / naive:.1f}x")
    print()
    print("## what detection adds (stress pair, in process)")
    old_text, new_text = stress_old.read_text(), stress_new.read_text()
    without = in_process(old_text, new_text, args.runs * 2, ())
    with_flags = in_process(old_text, new_text, args.runs * 2)
    print(
        f"without detection {without:.3f} s, with {with_flags:.3f} s: "
        f"+{with_flags - without:.3f} s, {100 * (with_flags - without) / without:.0f}% in process, "
        f"{100 * (with_flags - without) / e2e:.0f}% of the end-to-end diff"
    )
    print()
    print("## growth with size (in process: segment, align, word edits, JSON)")
    old_text, new_text = stress_old.read_text(), stress_new.read_text()
    print("| size | seconds | per 1x |")
    print("|---|---|---|")
    for factor in (1, 2, 4, 8):
        seconds = in_process(old_text * factor, new_text * factor, max(3, args.runs // 2))
        print(f"| {factor}x | {seconds:.3f} | {seconds / factor:.3f} |")
    print()
    print("## every real pair")
    inside, outside = [], []
    for folder in sorted((SHARED / "pairs").glob("*")):
        old, new = folder / "old.md", folder / "new.md"
        inside.append((in_process(old.read_text(), new.read_text(), args.runs), folder.name))
        argv = command("diff", str(old), str(new), "--format", "json")
        outside.append((median_seconds(argv, max(3, args.runs // 2)), folder.name))
    for label, times in (("in process", inside), ("end to end", outside)):
        worst = max(times)
        median = statistics.median(t for t, _ in times)
        print(f"{label}: median {median:.4f} s, worst {worst[0]:.4f} s ({worst[1]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
