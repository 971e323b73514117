"""Time of `policywatch changelog` over the full TikTok EEA history of the demo archive.

python benchmarks/changelog_speed.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    versions = len(list((ROOT / "snapshots" / "tiktok-eea").glob("*.json")))
    argv = [
        sys.executable,
        "-m",
        "policywatch",
        "--config",
        str(ROOT / "policies.yaml"),
        "changelog",
        "tiktok-eea",
    ]
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    print(
        f"changelog of tiktok-eea ({versions} snapshots): median {statistics.median(times):.2f} s, "
        f"worst {max(times):.2f} s (target 5 s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
