"""`policywatch report`: a full build and a rebuild with nothing new (issue 15's targets).

    python benchmarks/report_speed.py [--runs 3] [--policies 100] [--versions 50] [--skip-demo]

Two archives, each in a temporary project, each timed as the real CLI in a new process:

- the demo archive (the repository's snapshots/ and policies.yaml), copied;
- POLICIES policies of VERSIONS versions each, made from the ten real histories of
  /work/shared/fixtures/history (policy k takes history k mod 10, its versions forward, then
  backward, a day apart, each with a line naming the policy and the version, so every snapshot
  is a real change of real text). The snapshots are written straight into the archive's layout
  (canonical text, metadata with hashes), which is what `import` would leave, only faster.

For each: `cold` (run once) is the first build with no cache at all in the archive (every
comparison is made, and every version's categories read, as the first `check --report` after
an upgrade would); `full` a build of every page into an empty folder, the archive's cache
filled (comparisons, as `check` leaves them, and the report's memory of each change and
version); `rebuild` a build with nothing new into the folder of the last one (which must
write nothing). Medians of --runs are printed with every run, and the builds are checked
byte-identical.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HISTORY = Path("/work/shared/fixtures/history")
MANIFEST = ".policywatch-report.json"


def policywatch(config: Path, *args: str) -> tuple[float, str]:
    command = [sys.executable, "-m", "policywatch", "--config", str(config), *args]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return seconds, done.stdout


def digest(folder: Path) -> str:
    """The report's files (not its manifest, which records file times), as one hash."""
    out = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name != MANIFEST:
            out.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return out.hexdigest()


def synthetic(project: Path, policies: int, versions: int) -> Path:
    """A project of `policies` policies of `versions` versions each (see the docstring)."""
    from policywatch.canonical import from_markdown

    names = sorted(p.name for p in HISTORY.iterdir() if p.is_dir())
    texts = {n: [p.read_text() for p in sorted((HISTORY / n).glob("*.md"))] for n in names}
    config = project / "policies.yaml"
    lines = ["policies:"]
    for k in range(policies):
        policy_id = f"p{k:03d}-{names[k % len(names)]}"
        lines.append(f"  - id: {policy_id}\n    name: Policy {k} ({names[k % len(names)]})")
        lines.append(f"    url: https://example.com/{policy_id}")
        source = texts[names[k % len(names)]]
        cycle = source + source[-2:0:-1]  # forward, then backward: every step a real change
        folder = project / "snapshots" / policy_id
        folder.mkdir(parents=True)
        day = datetime(2020, 1, 1, 6, tzinfo=UTC)
        previous = None
        for v in range(versions):
            markdown = cycle[v % len(cycle)] + f"\n\nBenchmark policy {k}, version {v}.\n"
            text = from_markdown(markdown)
            stamp = day.strftime("%Y-%m-%dT%H-%M-%SZ")
            raw, body = markdown.encode(), text.encode()
            (folder / f"{stamp}.markdown").write_bytes(raw)
            (folder / f"{stamp}.md").write_bytes(body)
            meta = {
                "policy": policy_id,
                "taken_at": day.isoformat().replace("+00:00", "Z"),
                "url": f"https://example.com/{policy_id}",
                "source": "benchmark",
                "extractor_version": 3,
                "previous": previous,
                "returns_to": None,
                "technical": False,
                "formatting_only": False,
                "raw_file": f"{stamp}.markdown",
                "raw_sha256": hashlib.sha256(raw).hexdigest(),
                "text_sha256": hashlib.sha256(body).hexdigest(),
                "text_chars": len(text),
            }
            (folder / f"{stamp}.json").write_text(json.dumps(meta, indent=2, sort_keys=True))
            previous = stamp
            day += timedelta(days=1)
    config.write_text("\n".join(lines) + "\n")
    return config


def measure(label: str, config: Path, runs: int) -> dict[str, list[float]]:
    archive = config.parent / "snapshots"
    output = config.parent / "report"
    snapshots = len(list(archive.glob("*/*Z.json")))
    times: dict[str, list[float]] = {"cold": [], "full": [], "rebuild": []}
    digests = set()
    shutil.rmtree(archive / ".cache", ignore_errors=True)  # once: it is minutes at scale
    seconds, _ = policywatch(config, "report", "-o", str(output))
    times["cold"].append(seconds)
    digests.add(digest(output))
    for _ in range(runs):
        shutil.rmtree(output, ignore_errors=True)
        seconds, _ = policywatch(config, "report", "-o", str(output))
        times["full"].append(seconds)
        digests.add(digest(output))
    for _ in range(runs):
        seconds, out = policywatch(config, "report", "-o", str(output), "--format", "json")
        times["rebuild"].append(seconds)
        written = json.loads(out)["written"]
        if written:
            raise SystemExit(
                f"a rebuild with nothing new wrote {len(written)} files: {written[:5]}"
            )
    files = sum(1 for p in output.rglob("*") if p.is_file())
    size = sum(p.stat().st_size for p in output.rglob("*") if p.is_file())
    print(f"## {label}: {snapshots} snapshots, a report of {files} files, {size / 1e6:.1f} MB\n")
    for name, values in times.items():
        every = ", ".join(f"{t:.2f}" for t in values)
        print(f"- {name}: median {statistics.median(values):.2f} s ({every})")
    print(f"- builds byte-identical: {'yes' if len(digests) == 1 else 'NO'}\n")
    if len(digests) != 1:
        raise SystemExit("the builds differ")
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--policies", type=int, default=100)
    parser.add_argument("--versions", type=int, default=50)
    parser.add_argument("--skip-demo", action="store_true")
    args = parser.parse_args()
    print(f"(on {os.cpu_count()} cores, Python {sys.version.split()[0]})\n")
    with tempfile.TemporaryDirectory(prefix="report-speed-") as tmp:
        if not args.skip_demo:
            demo = Path(tmp) / "demo"
            demo.mkdir()
            shutil.copy(ROOT / "policies.yaml", demo / "policies.yaml")
            shutil.copytree(
                ROOT / "snapshots", demo / "snapshots", ignore=shutil.ignore_patterns(".cache")
            )
            measure("the demo archive", demo / "policies.yaml", args.runs)
        big = Path(tmp) / "big"
        big.mkdir()
        start = time.perf_counter()
        config = synthetic(big, args.policies, args.versions)
        print(
            f"(made {args.policies} x {args.versions} snapshots in {time.perf_counter() - start:.1f} s)\n"
        )
        measure(f"{args.policies} policies x {args.versions} versions", config, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
