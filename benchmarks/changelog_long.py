"""`policywatch changelog` over a long history: hundreds of snapshots of one policy.

    python benchmarks/changelog_long.py [--rounds 8]

The real TikTok EEA versions (tests/fixtures/history/tiktok-eea) are imported again and again,
forward then backward, a day apart, each with a line naming its round so that no text repeats
an earlier one: every snapshot is a real change of real text. Reports time and peak memory.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from policywatch.archive import Archive
from policywatch.backfill import Version, import_versions
from policywatch.config import Policy

ROOT = Path(__file__).resolve().parent.parent
HISTORY = ROOT / "tests" / "fixtures" / "history" / "tiktok-eea"


def build(archive: Archive, rounds: int) -> int:
    from datetime import UTC, datetime, timedelta

    policy = Policy(id="tiktok-eea", name="TikTok EEA", url="https://www.tiktok.com/legal")
    texts = [p.read_text() for p in sorted(HISTORY.glob("*.md"))]
    versions = []
    day = datetime(2020, 1, 1, tzinfo=UTC)
    for round_ in range(rounds):
        ordered = texts if round_ % 2 == 0 else list(reversed(texts))
        for text in ordered:
            body = f"{text}\n\nBenchmark round {round_}, version {len(versions)}.\n"
            versions.append(
                Version(f"v{len(versions)}.md", day, body.encode(), {"source": "bench"})
            )
            day += timedelta(days=1)
    results = import_versions(archive, policy, versions, accept=True)
    return sum(1 for r in results if r.outcome and r.outcome.snapshot)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        archive = Archive(Path(tmp) / "snapshots")
        count = build(archive, args.rounds)
        (Path(tmp) / "policies.yaml").write_text(
            "policies:\n  - id: tiktok-eea\n    url: https://www.tiktok.com/legal\n"
        )
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "policywatch",
                "--config",
                str(Path(tmp) / "policies.yaml"),
                "changelog",
                "tiktok-eea",
            ],
            check=True,
            capture_output=True,
        )
        seconds = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        print(
            f"changelog of {count} snapshots: {seconds:.1f} s wall, "
            f"{after.ru_utime - before.ru_utime:.1f} s CPU, peak memory {after.ru_maxrss / 1024:.0f} MB, "
            f"{len(out.stdout) / 1e6:.1f} MB of markdown"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
