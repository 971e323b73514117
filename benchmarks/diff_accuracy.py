"""Recall and precision of `diff` on generated edits of known kind over real policies.

python benchmarks/diff_accuracy.py [--seeds N]
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from edits import KINDS, Score, cases, score
from policywatch.diff import Side, compare_texts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=2, help="cases per kind and document")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    per_kind: dict[str, Score] = defaultdict(Score)
    overall = Score()
    all_cases = cases(args.seeds)
    for case in all_cases:
        comparison = compare_texts(
            Side.of_markdown("old", case.old), Side.of_markdown("new", case.new)
        )
        reported = [c for c in comparison.to_json()["changes"] if not c["minor"]]
        before = (per_kind[case.kind].found, per_kind[case.kind].correct)
        score(case, reported, per_kind[case.kind])
        score(case, reported, overall)
        if args.show_misses:
            s = per_kind[case.kind]
            missed = len(case.truth) - (s.found - before[0])
            wrong = len(reported) - (s.correct - before[1])
            if missed or wrong:
                print(
                    f"{case.name}: {missed} missed, {wrong} false",
                    [t.kind for t in case.truth],
                    [r["kind"] for r in reported],
                )
    print(f"{len(all_cases)} cases")
    print("| kind | true changes | recall | precision | right kind | false changes on reflow |")
    print("|---|---|---|---|---|---|")
    for kind in KINDS:
        s = per_kind[kind]
        print(
            f"| {kind} | {s.true_changes} | {s.recall:.3f} | {s.precision:.3f} | "
            f"{s.kind_accuracy:.3f} | {s.false_on_reflow if kind == 'reflow' else ''} |"
        )
    print(
        f"| all | {overall.true_changes} | {overall.recall:.3f} | {overall.precision:.3f} | "
        f"{overall.kind_accuracy:.3f} | {overall.false_on_reflow} |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
