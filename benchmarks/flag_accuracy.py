"""Precision and recall of flags against changes of real histories labelled by reading.

    python benchmarks/flag_accuracy.py [--labels DIR] [--history DIR] [--show]

The labels (benchmarks/flag_labels/*.yaml) were made by reading changes of the ten histories in
../shared/fixtures/history: each names a changed clause (policy, old and new version, side,
the clause's text) and its truth, the practice changes it makes to the *document*: a category,
"added" or "removed", and a kind (new, no_longer, expanded, narrowed, now_says_it_may). A flag
is right when the truth of its clause has its category in its direction; recall is the share
of truth entries that a flag of that category and direction covers. Run with any version of
policywatch (the labels hold the texts, not a version's output).

A flag raised on a changed clause that no label names (in a labelled comparison) is counted
apart, as not graded, and listed by --show: precision is only known once every flag raised is
on a labelled clause. --unlabelled FILE writes those clauses as label entries to grade by
reading (truth and grade left empty); graded, they go to flag_labels/c.yaml. The scores of
each label file alone follow the total: c.yaml's clauses were chosen because a version flagged
them, so its recall says little; a.yaml and b.yaml hold the 112 changes no version flagged.

d.yaml is a uniform random sample of the changed clauses of those comparisons that no label
names and that the version of the day did not flag (150 drawn with seed 2026 from e53012b's,
150 with seed 2027 from 94a24ba's, 150 with seed 2028 from 31e27af's, 150 with seed 2029
from bca6342's, `seed` in each entry):
every truth in it is a practice
change missed where nobody had looked. The recall over every
changed clause is estimated from it: the truths in the clauses this version leaves unflagged
and unlabelled, projected from the share of d.yaml's unflagged clauses that hold a truth
(with a 95% Wilson interval), added to every labelled truth. A second grader, blind to the
first, read some of them (every one with a truth among them); `second_grading` marks the
truths it did not find, and the estimate is also given without them. A third grader, blind to
both, read those (`third_grading`, among agreed clauses so as not to know which): a truth two
of the three graders did not find is not counted (a flag on it is wrong); the scores counting
it follow.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from policywatch.diff import Comparison, Side, compare_texts

ROOT = Path(__file__).resolve().parent.parent
LABELS = ROOT / "benchmarks" / "flag_labels"
# A worktree outside the project folder finds the shared fixtures through POLICYWATCH_SHARED.
HISTORY = (
    Path(os.environ.get("POLICYWATCH_SHARED") or ROOT.parent / "shared") / "fixtures" / "history"
)


@dataclass
class Score:
    flags: int = 0
    right: int = 0
    truths: int = 0
    found: int = 0
    wrong: Counter[str] = field(default_factory=Counter)
    missed: Counter[str] = field(default_factory=Counter)
    unmatched: int = 0  # labelled clauses this version does not report as changed
    unlabelled: int = 0  # flags on changed clauses that no label names
    ungraded: list[dict[str, Any]] = field(default_factory=list)
    unseen: int = 0  # changed clauses of the labelled comparisons no label names and no flag
    # The sample's clauses this version does not flag, and the truths they hold (all missed).
    sample_quiet: int = 0
    sample_quiet_truths: int = 0
    sample_disputed: int = 0  # of those truths, ones a second blind grading did not find
    overruled: int = 0  # first graders' truths that two of three blind graders did not find

    @property
    def precision(self) -> float:
        return self.right / self.flags if self.flags else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.truths if self.truths else 1.0


def side(history: Path, policy: str, stem: str) -> Side:
    text = (history / policy / f"{stem}.md").read_text(encoding="utf-8")
    of_markdown = getattr(Side, "of_markdown", None)  # older versions read markdown as is
    return of_markdown(stem, text) if of_markdown else Side(stem, text)


def flags_of(change: Any, comparison: Comparison, index: int) -> list[Any]:
    flags = getattr(change, "flags", None)
    if flags is None:  # before flags travelled with their change
        flags = comparison.flags[index]
    return list(flags)


def find_change(
    comparison: Comparison, label: dict[str, Any], taken: set[int] | None = None
) -> tuple[Any, int] | None:
    """The change whose side holds the labelled clause (its first 300 characters): the first
    one no other label of that side took, so two labels of one clause standing twice name
    both (a label of the old side and one of the new may name one change; a label repeated
    names the change of its first copy)."""
    clause = " ".join(str(label["clause"]).split())[:300]
    first = None
    for k, change in enumerate(comparison.changes):
        text = change.new_text if label["side"] == "new" else change.old_text
        if text and clause[:120] in " ".join(text.split()):
            if not taken or k not in taken:
                return change, k
            first = first or (change, k)
    return first  # a label repeated: the change its first copy names


def unlabelled(
    comparison: Comparison, labelled: set[int], key: tuple[str, str, str], show: bool
) -> list[dict[str, Any]]:
    """Label entries (to grade) for the flagged changes of a comparison that no label names."""
    entries = []
    for index, change in enumerate(comparison.changes):
        flags = flags_of(change, comparison, index)
        if index in labelled or not flags:
            continue
        for side_name in ("new", "old"):
            mine = [f for f in flags if (f.change == "added") == (side_name == "new")]
            text = change.new_text if side_name == "new" else change.old_text
            if not mine or not text:
                continue
            entry = {
                "policy": key[0],
                "old": key[1],
                "new": key[2],
                "side": side_name,
                "clause": " ".join(text.split())[:300],
                "flagged_by": ["flags"],
                "flags": sorted({f"{f.category} {f.change}" for f in mine}),
                "truth": [],
                "grade": "",
            }
            entries.append(entry)
            if show:
                for f in mine:
                    label = getattr(f, "label", f.change)
                    print(
                        f"UNLABELLED {key[0]} {key[2]} {label} {f.category} {list(f.terms)}: "
                        f"{getattr(f, 'sentence_text', '')[:160] or entry['clause'][:100]}"
                    )
            break  # one entry names the change: a label of either side covers all its flags
    return entries


COMPARISONS: dict[tuple[str, str, str], Comparison] = {}  # made once for every group scored


def score(labels: list[dict[str, Any]], history: Path, show: bool, majority: bool = True) -> Score:
    """Every label scored; `majority`: a truth two of three blind graders did not find is
    none (a flag on it is wrong), else every first grader's truth counts."""
    total = Score()
    cache: dict[tuple[str, str, str], Comparison] = {}
    labelled: dict[tuple[str, str, str], set[int]] = {}
    taken: dict[tuple[str, str, str, str], set[int]] = {}
    for label in labels:
        key = (label["policy"], label["old"], label["new"])
        if key not in cache:
            if key not in COMPARISONS:
                COMPARISONS[key] = compare_texts(
                    side(history, key[0], key[1]), side(history, key[0], key[2])
                )
            cache[key] = COMPARISONS[key]
        comparison = cache[key]
        truth = {(t["category"], t["change"]) for t in label.get("truth") or []}
        if majority and overruled(label):
            total.overruled += len(truth)
            truth = set()
        total.truths += len(truth)
        found = find_change(comparison, label, taken.get((*key, label["side"])))
        if found is None:
            total.unmatched += 1
            for t in truth:
                total.missed[t[0]] += 1
            continue
        change, index = found
        labelled.setdefault(key, set()).add(index)
        taken.setdefault((*key, label["side"]), set()).add(index)
        flagged = {(f.category, f.change) for f in flags_of(change, comparison, index)}
        if label.get("sample") and not flagged:
            total.sample_quiet += 1
            total.sample_quiet_truths += bool(truth)
            total.sample_disputed += bool(truth) and disputed(label, majority)
        for flag in flagged:
            total.flags += 1
            if flag in truth:
                total.right += 1
            else:
                total.wrong[flag[0]] += 1
                if show:
                    print(f"WRONG {label['policy']} {label['new']} {flag}: {label['clause'][:100]}")
        for t in truth:
            if t in flagged:
                total.found += 1
            else:
                total.missed[t[0]] += 1
                if show:
                    print(f"MISSED {label['policy']} {label['new']} {t}: {label['clause'][:100]}")
    for key, comparison in cache.items():
        entries = unlabelled(comparison, labelled.get(key, set()), key, show)
        total.ungraded.extend(entries)
        total.unlabelled += sum(len(e["flags"]) for e in entries)
        total.unseen += sum(
            1
            for index, change in enumerate(comparison.changes)
            if change.kind not in ("moved", "reformatted")
            and index not in labelled.get(key, set())
            and not flags_of(change, comparison, index)
        )
    return total


def overruled(label: dict[str, Any]) -> bool:
    """Whether two of three blind graders found no truth where the first found one."""
    return all(
        str(label.get(g) or "").startswith("no truth") for g in ("second_grading", "third_grading")
    )


def disputed(label: dict[str, Any], majority: bool = True) -> bool:
    """Whether a second grader found no truth where the first found one (and, by `majority`,
    no third has read it)."""
    return bool(label.get("second_grading")) and not (majority and label.get("third_grading"))


def wilson(hits: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """A 95% interval for a share seen as hits in n draws."""
    if n == 0:
        return 0.0, 1.0
    p = hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def estimate(result: Score) -> str:
    """Recall over every changed clause of the labelled comparisons, from the sample."""
    if not result.sample_quiet:
        return "no uniform sample (d.yaml): recall over every changed clause not estimated"
    return f"every changed clause: {result.unseen} neither flagged nor labelled; " + projected(
        result
    )


def projected(result: Score) -> str:
    """The sample's share of truths, projected over the clauses no label names (estimate)."""
    n, hits = result.sample_quiet, result.sample_quiet_truths
    share = hits / n
    low, high = wilson(hits, n)

    def recall(rate: float, dropped: int = 0) -> float:
        return result.found / (result.truths - dropped + rate * result.unseen)

    agreed = hits - result.sample_disputed
    return (
        f"the sample's "
        f"{n} unflagged clauses hold {hits} truths ({share:.3f}, 95% {low:.3f}-{high:.3f}), so "
        f"about {share * result.unseen:.0f} missed truths there ({low * result.unseen:.0f}-"
        f"{high * result.unseen:.0f}); estimated recall {recall(share):.3f} "
        f"({recall(high):.3f}-{recall(low):.3f})"
        + (
            f"; without the {result.sample_disputed} truths a second blind grading did not "
            f"find: {recall(agreed / n, result.sample_disputed):.3f}"
            if result.sample_disputed
            else ""
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--history", type=Path, default=HISTORY)
    parser.add_argument(
        "--show", action="store_true", help="print each wrong flag, miss and unlabelled flag"
    )
    parser.add_argument(
        "--unlabelled", type=Path, help="write the flagged clauses no label names, to grade"
    )
    args = parser.parse_args()
    labels: list[dict[str, Any]] = []
    files: dict[str, list[dict[str, Any]]] = {}
    for path in sorted(args.labels.glob("*.yaml")):
        files[path.name] = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        labels.extend(files[path.name])
    result = score(labels, args.history, args.show)
    flagged_items = sum(1 for label in labels if label.get("flagged_by"))
    print(
        f"{len(labels)} labelled changes ({flagged_items} flagged by a version, "
        f"{len(labels) - flagged_items} by none); {result.unmatched} not reported as changed"
    )
    print("| flags | right | precision | truth entries | found | recall |")
    print("|---|---|---|---|---|---|")
    print(
        f"| {result.flags} | {result.right} | {result.precision:.3f} | {result.truths} | "
        f"{result.found} | {result.recall:.3f} |"
    )
    if result.overruled:
        whole = score(labels, args.history, False, majority=False)
        print(
            f"counting the {result.overruled} truths two of three blind graders did not find: "
            f"{whole.right} of {whole.flags} flags right ({whole.precision:.3f}); "
            f"{whole.found} / {whole.truths} truths found ({whole.recall:.3f}); " + projected(whole)
        )
    print(
        f"{result.unlabelled} flags on changed clauses no label names (not graded); precision "
        f"counting them wrong: {result.right / max(1, result.flags + result.unlabelled):.3f}"
    )
    print(estimate(result))
    if args.unlabelled:
        args.unlabelled.write_text(
            yaml.safe_dump(result.ungraded, sort_keys=False, allow_unicode=True, width=100),
            encoding="utf-8",
        )
    print("by label file (each alone; a.yaml and b.yaml were labelled before issue 13, c.yaml")
    print("grades every flag issue 13's versions raised on a clause the others do not name):")
    for name, group in files.items():
        part = score(group, args.history, False)
        print(
            f"  {name}: {part.flags} flags, {part.right} right ({part.precision:.3f}); "
            f"{part.found}/{part.truths} truth entries found ({part.recall:.3f})"
        )
    print("wrong flags by category:", dict(result.wrong.most_common()))
    print("misses by category:", dict(result.missed.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
