"""Which data-practice categories appeared or disappeared when, over every recorded version.

    python benchmarks/history_flags.py

Reads tests/fixtures/history/<policy>/*.md (dated versions from Open Terms Archive) in order and
compares each with the one before it. A table a person can judge: does it read true?
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

from policywatch.diff import Side, compare_texts
from policywatch.taxonomy import load_taxonomy

HISTORY = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "history"


def main() -> int:
    taxonomy = load_taxonomy()
    print("| policy | version | new in the policy | gone from the policy | flagged changes |")
    print("|---|---|---|---|---|")
    for folder in sorted(HISTORY.iterdir()):
        versions = sorted(folder.glob("*.md"))
        for older, newer in itertools.pairwise(versions):
            comparison = compare_texts(
                Side.of_markdown(older.stem, older.read_text()),
                Side.of_markdown(newer.stem, newer.read_text()),
                taxonomy,
            )
            appeared = ", ".join(a.category for a in comparison.appeared)
            gone = ", ".join(a.category for a in comparison.disappeared)
            added = sorted({f.category for f in comparison.flags if f.change == "added"})
            if appeared or gone or added:
                print(
                    f"| {folder.name} | {newer.stem[:10]} | {appeared} | {gone} | "
                    f"added: {', '.join(added)} |"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
