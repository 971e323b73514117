"""Archive each real page sequence in tests/fixtures/snapshots and compare with its labels.

Run as a script to print the table quoted in the closing notes:
    python tests/noise.py
"""

from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from policywatch.archive import Archive
from policywatch.backfill import import_files
from policywatch.config import Policy

SEQUENCES = Path(__file__).parent / "fixtures" / "snapshots"


def _list(value: str | list[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


@dataclass(frozen=True)
class PairResult:
    service: str
    index: int  # pair_labels[index] compares page index and index + 1
    label: str  # changed or same
    new_snapshot: bool  # importing page index + 1 made a snapshot
    error: str | None  # why page index + 1 was refused, if it was


def evaluate(service: str, with_selectors: bool) -> list[PairResult]:
    folder = SEQUENCES / service
    manifest = json.loads((folder / "manifest.json").read_text())
    policy = Policy(
        id=service,
        name=manifest["service"],
        url=manifest["url"],
        select=_list(manifest["select"]) if with_selectors else (),
        remove=_list(manifest["remove"]) if with_selectors else (),
    )
    files = [folder / entry["file"] for entry in manifest["snapshots"]]
    with tempfile.TemporaryDirectory() as tmp:
        results = import_files(Archive(Path(tmp)), policy, files)
    by_file = {Path(r.file).name: r for r in results}
    pairs = []
    for index, label in enumerate(manifest["pair_labels"]):
        result = by_file[files[index + 1].name]
        new = result.outcome is not None and result.outcome.snapshot is not None
        pairs.append(PairResult(service, index, label, new, result.error))
    return pairs


def services() -> list[str]:
    return sorted(p.name for p in SEQUENCES.iterdir() if (p / "manifest.json").exists())


def main() -> None:
    for with_selectors in (True, False):
        mode = "manifest selectors" if with_selectors else "no selectors"
        print(f"## {mode}")
        print(
            "| service | changed pairs | snapshots made for them | same pairs | snapshots made for them | refused pages |"
        )
        print("|---|---|---|---|---|---|")
        for service in services():
            pairs = evaluate(service, with_selectors)
            changed = [p for p in pairs if p.label == "changed"]
            same = [p for p in pairs if p.label == "same"]
            refused = [p for p in pairs if p.error]
            print(
                f"| {service} | {len(changed)} | {sum(p.new_snapshot for p in changed)} "
                f"| {len(same)} | {sum(p.new_snapshot for p in same)} | {len(refused)} |"
            )
            for p in pairs:
                wrong = p.new_snapshot != (p.label == "changed")
                if wrong or p.error:
                    print(
                        f"|   pair {p.index} | {p.label} | new={p.new_snapshot} | {p.error or ''} | | |"
                    )
        print()


if __name__ == "__main__":
    sys.exit(main())
