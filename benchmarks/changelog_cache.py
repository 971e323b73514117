"""`changelog` with the comparison cache (issue 14): cold, then warm.

    python benchmarks/changelog_cache.py [--history NAME[,NAME...]|all] [--rounds N]
        [--runs 5] [--before SRC]

The longest history of /work/shared/fixtures/history (the one with the most versions, unless
`--history` names others, or `all`) is imported into a temporary project with the real CLI
(`policywatch import ID DIR --accept`). With `--rounds 2` its versions are imported forward,
then backward, each with a line naming its round, so that every snapshot is a real change of
real text (twice as many versions: the issue's target is about a 100-version history).

Each run is a new process, `policywatch changelog` (every policy imported): cold (the cache deleted first, so every
comparison is computed and stored), then warm (every comparison read back). Cold and warm
alternate, `--runs` of each; medians are printed, with every run, and the outputs of cold and
warm runs are checked byte-identical. `--before SRC` also times the changelog of another checkout's sources with no
cache at all (`git archive main | tar -x -C SRC`; run as PYTHONPATH=SRC/src), in the same
session.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

HISTORY = Path("/work/shared/fixtures/history")


def longest() -> str:
    return max(sorted(HISTORY.iterdir()), key=lambda d: len(list(d.glob("*.md")))).name


def versions(name: str, rounds: int, into: Path) -> Path:
    """The history's files, or with rounds > 1 its files forward, backward ... a day apart."""
    files = sorted((HISTORY / name).glob("*.md"))
    if rounds == 1:
        return HISTORY / name
    into.mkdir(parents=True)
    day = datetime(2020, 1, 1, tzinfo=UTC)
    for round_ in range(rounds):
        for path in files if round_ % 2 == 0 else files[::-1]:
            text = path.read_text(encoding="utf-8") + f"\n\nBenchmark round {round_}.\n"
            (into / f"{day.strftime('%Y-%m-%dT%H-%M-%SZ')}.md").write_text(text, encoding="utf-8")
            day += timedelta(days=1)
    return into


def policywatch(cfg: Path, *args: str, src: Path | None = None) -> tuple[float, bytes]:
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src / "src")
    command = [sys.executable, "-m", "policywatch", "--config", str(cfg), *args]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, env=env, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr[-2000:]!r}")
    return seconds, done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--history", default=None, help="folders of the histories, or all")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before", type=Path, default=None, help="another checkout's sources")
    args = parser.parse_args()
    if args.history == "all":
        names = sorted(p.name for p in HISTORY.iterdir() if p.is_dir())
    else:
        names = (args.history or longest()).split(",")
    with tempfile.TemporaryDirectory(prefix="changelog-cache-") as tmp:
        project = Path(tmp)
        cfg = project / "policies.yaml"
        cfg.write_text(
            "policies:\n"
            + "".join(f"  - id: {n}\n    url: https://example.com/{n}\n" for n in names)
        )
        for name in names:
            source = versions(name, args.rounds, project / "versions" / name)
            policywatch(cfg, "import", name, str(source), "--accept")
        snapshots = len(list((project / "snapshots").glob("*/*-*-*T*Z.json")))
        cache = project / "snapshots" / ".cache"
        before: list[float] = []
        cold: list[float] = []
        warm: list[float] = []
        outputs: set[bytes] = set()
        for _ in range(args.runs):
            if args.before is not None:
                seconds, out = policywatch(cfg, "changelog", src=args.before)
                before.append(seconds)  # another version: its flags may differ
                shutil.rmtree(cache, ignore_errors=True)  # in case that checkout keeps one
            shutil.rmtree(cache, ignore_errors=True)
            seconds, out = policywatch(cfg, "changelog")
            cold.append(seconds)
            outputs.add(out)
            seconds, out = policywatch(cfg, "changelog")
            warm.append(seconds)
            outputs.add(out)
        size = sum(p.stat().st_size for p in cache.rglob("*") if p.is_file())
        entries = len(list(cache.rglob("*-*.json")))
    print(f"## changelog of {', '.join(names)} ({snapshots} snapshots, rounds {args.rounds})\n")
    print(f"- cache: {entries} entries, {size / 1e6:.1f} MB")
    rows = [("before (no cache)", before), ("cold", cold), ("warm", warm)]
    for label, times in rows:
        if times:
            every = ", ".join(f"{t:.2f}" for t in times)
            print(f"- {label}: median {statistics.median(times):.2f} s ({every})")
    print(f"- cold and warm outputs byte-identical: {'yes' if len(outputs) == 1 else 'NO'}")
    return 0 if len(outputs) == 1 else 1


if __name__ == "__main__":
    sys.exit(main())
