"""Score the detector on the labeled real clauses of tests/fixtures/detect_labels.yaml.

Run as a script for the per-category table:  python tests/detect_eval.py
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from policywatch.detect import mentions
from policywatch.taxonomy import load_taxonomy

LABELS = Path(__file__).parent / "fixtures" / "detect_labels.yaml"


@dataclass
class Tally:
    fires: int = 0
    fired: int = 0  # fires found, not negated
    negated: int = 0
    negated_right: int = 0  # denials recognised as such
    negated_as_practice: int = 0  # denials read as a practice (a false alarm)
    traps: int = 0
    trapped: int = 0  # traps that fired (false positives)
    misses: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.fired / self.fires if self.fires else 1.0

    @property
    def precision(self) -> float:
        positives = self.fired + self.trapped + self.negated_as_practice
        return self.fired / positives if positives else 1.0


def evaluate() -> dict[str, Tally]:
    labels = yaml.safe_load(LABELS.read_text())
    taxonomy = load_taxonomy()
    by_id = {c.id: c for c in taxonomy}
    tallies: dict[str, Tally] = {}
    for category_id, groups in labels.items():
        category = by_id[category_id]
        tally = tallies.setdefault(category_id, Tally())
        for item in groups.get("fires") or []:
            found = mentions(item["text"], [category])
            tally.fires += 1
            if any(not m.negated for m in found):
                tally.fired += 1
            else:
                tally.misses.append(f"missed: {item['text'][:110]}")
        for item in groups.get("negated") or []:
            found = mentions(item["text"], [category])
            # A clause may deny one thing and admit another: the labelled terms must be denied.
            terms = [t.lower() for t in item.get("terms") or []]
            if terms:
                found = [m for m in found if any(m.key in t or t in m.key for t in terms)]
            tally.negated += 1
            if any(m.negated for m in found):
                tally.negated_right += 1  # the denial is recognised (a later sentence may admit)
            elif found:
                tally.negated_as_practice += 1
                terms = [m.term for m in found]
                tally.misses.append(f"denial read as practice {terms}: {item['text'][:110]}")
            else:
                tally.misses.append(f"denied terms not found: {item['text'][:110]}")
        for item in groups.get("traps") or []:
            found = mentions(item["text"], [category])
            tally.traps += 1
            if any(not m.negated for m in found):
                tally.trapped += 1
                terms = [m.term for m in found if not m.negated]
                tally.misses.append(f"trap fired {terms}: {item['text'][:110]}")
    return tallies


def main() -> int:
    tallies = evaluate()
    print("| category | fires found | negations recognised | traps fired | recall | precision |")
    print("|---|---|---|---|---|---|")
    for category_id, t in tallies.items():
        print(
            f"| {category_id} | {t.fired}/{t.fires} | {t.negated_right}/{t.negated} | "
            f"{t.trapped}/{t.traps} | {t.recall:.2f} | {t.precision:.2f} |"
        )
    if "-v" in sys.argv:
        for category_id, t in tallies.items():
            for miss in t.misses:
                print(f"{category_id}: {miss}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
