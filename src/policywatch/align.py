"""Pair the clauses of two versions: anchors, similar pairs, moves, splits and merges.

1. Identical clauses in the same order anchor the alignment (difflib's matching blocks over
   whole clauses, which is fast because each clause is one hashable item).
2. A clause found identical elsewhere is `moved`.
3. Inside each gap between anchors, similar clauses are paired in order (`modified`).
4. What is left is paired across the document when it is very similar (`moved` with edits).
5. A clause whose words reappear in several consecutive clauses is `split`; the reverse `merged`.
6. Inside each run of changes between anchors, the words are aligned across clause boundaries
   (regroup.py): clauses whose words reappear, in order, in other blocks are one `reformatted`
   change (a table become lists, a paragraph become bullets, items regrouped), or `split` and
   `merged`.
7. The rest is `added` or `removed`.

Similarity is rapidfuzz's normalised Indel similarity over words (not characters: two unrelated
English sentences share many letters but few words in order).
"""

from __future__ import annotations

import bisect
import difflib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from .change import ADDED, MERGED, MODIFIED, MOVED, REMOVED, SAME, SPLIT, Alignment, Change
from .regroup import regroup
from .segment import Clause

PAIR_IN_GAP = 50.0  # two clauses between the same anchors: a modification above this
PAIR_MOVED = 75.0  # two clauses far apart: the same clause moved, above this
SPLIT_MERGE = 80.0  # one clause against several consecutive ones joined
MAX_GAP_CELLS = 40_000  # comparisons in one gap before only a band around the diagonal is tried


class _Words:
    """Each clause's words (made when first read: most clauses are anchors), by index."""

    def __init__(self, clauses: list[Clause]) -> None:
        self.clauses = clauses

    def __getitem__(self, index: int) -> Sequence[str]:
        return self.clauses[index].words


def similarity(a: Sequence[str], b: Sequence[str], cutoff: float = 0.0) -> float:
    return float(fuzz.ratio(a, b, score_cutoff=cutoff))


SHORT = 12  # words: below this a single changed word moves the word similarity too much


def pair_similarity(a: Sequence[str], b: Sequence[str], cutoff: float = 0.0) -> float:
    """Word similarity; for two short clauses ("Last updated: ..."), characters count too."""
    score = float(fuzz.ratio(a, b))
    if len(a) <= SHORT and len(b) <= SHORT:
        score = max(score, float(fuzz.ratio(" ".join(a), " ".join(b))) - 10)
    return score if score >= cutoff else 0.0


def align(old: list[Clause], new: list[Clause]) -> Alignment:
    """Align two clause lists; every clause ends up in exactly one entry."""
    old_words, new_words = _Words(old), _Words(new)
    old_pair: dict[int, int] = {}  # old index -> new index, for 1:1 entries
    kinds: dict[int, str] = {}  # old index -> kind of its 1:1 entry
    scores: dict[int, float] = {}
    matcher = difflib.SequenceMatcher(None, [c.key for c in old], [c.key for c in new], False)
    gaps: list[tuple[int, int, int, int]] = []
    previous = (0, 0)
    for a, b, size in matcher.get_matching_blocks():
        if a > previous[0] or b > previous[1]:
            gaps.append((previous[0], a, previous[1], b))
        for k in range(size):
            old_pair[a + k] = b + k
            kinds[a + k] = SAME
        previous = (a + size, b + size)

    taken_new = set(old_pair.values())
    # 2. identical text elsewhere: moved
    by_text: dict[str, list[int]] = defaultdict(list)
    for j in range(len(new)):
        if j not in taken_new:
            by_text[new[j].key].append(j)
    for i in range(len(old)):
        if i not in old_pair and by_text.get(old[i].key):
            j = by_text[old[i].key].pop(0)
            old_pair[i], kinds[i] = j, MOVED
            taken_new.add(j)

    # 3. similar clauses between the same anchors, in order
    for i1, i2, j1, j2 in gaps:
        olds = [i for i in range(i1, i2) if i not in old_pair]
        news = [j for j in range(j1, j2) if j not in taken_new]
        for i, j, score in _pairs_in_order(olds, news, old_words, new_words):
            old_pair[i], kinds[i], scores[i] = j, MODIFIED, score
            taken_new.add(j)

    # 4. very similar clauses anywhere: moved with edits
    olds = [i for i in range(len(old)) if i not in old_pair]
    news = [j for j in range(len(new)) if j not in taken_new]
    if olds and news and len(olds) * len(news) <= 4 * MAX_GAP_CELLS:
        candidates = []
        for i in olds:
            for j in news:
                score = similarity(old_words[i], new_words[j], PAIR_MOVED)
                if score:
                    candidates.append((score, i, j))
        for score, i, j in sorted(candidates, reverse=True):
            if i not in old_pair and j not in taken_new:
                old_pair[i], kinds[i], scores[i] = j, MOVED, score
                taken_new.add(j)

    groups = _splits_and_merges(old, new, old_words, new_words, old_pair, kinds, taken_new)
    alignment = _assemble(old, new, old_pair, kinds, scores, groups, gaps)
    alignment.entries = regroup(alignment.entries)
    return alignment


def _pairs_in_order(
    olds: list[int], news: list[int], old_words: _Words, new_words: _Words
) -> list[tuple[int, int, float]]:
    """Similar (old, new) pairs that keep the order of both sides, best first."""
    if not olds or not news:
        return []
    candidates = []
    band = None
    if len(olds) * len(news) > MAX_GAP_CELLS:
        band = max(20, MAX_GAP_CELLS // (2 * max(len(olds), len(news))))
    for a, i in enumerate(olds):
        for b, j in enumerate(news):
            if band is not None and abs(a * len(news) / len(olds) - b) > band:
                continue
            score = pair_similarity(old_words[i], new_words[j], PAIR_IN_GAP)
            if score:
                candidates.append((score, i, j))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    chosen: list[tuple[int, int]] = []  # sorted by old index; new indexes increase with it
    result = []
    for score, i, j in candidates:
        k = bisect.bisect_left(chosen, (i, j))
        before_ok = k == 0 or (chosen[k - 1][0] < i and chosen[k - 1][1] < j)
        after_ok = k == len(chosen) or (chosen[k][0] > i and chosen[k][1] > j)
        if before_ok and after_ok:
            chosen.insert(k, (i, j))
            result.append((i, j, score))
    return result


@dataclass(frozen=True)
class _Group:
    kind: str  # split or merged
    olds: tuple[int, ...]
    news: tuple[int, ...]
    score: float


def _splits_and_merges(
    old: list[Clause],
    new: list[Clause],
    old_words: _Words,
    new_words: _Words,
    old_pair: dict[int, int],
    kinds: dict[int, str],
    taken_new: set[int],
) -> list[_Group]:
    """One old clause whose words now stand in consecutive new ones, or the reverse."""
    groups: list[_Group] = []
    free_new = {j for j in range(len(new)) if j not in taken_new}
    free_old = {i for i in range(len(old)) if i not in old_pair}
    # Candidates: unmatched old clauses, and old clauses only modified (maybe really split).
    for i in range(len(old)):
        if i in old_pair and kinds[i] != MODIFIED:
            continue
        anchor = old_pair.get(i)
        starts = [anchor] if anchor is not None else _neighbours(i, old_pair, len(new), free_new)
        best = _best_run(old_words[i], starts, new_words, free_new, anchor, len(new))
        if best is None:
            continue
        run, score = best
        own = similarity(old_words[i], new_words[anchor]) if anchor is not None else 0.0
        if _better_as_group(score, own):
            groups.append(_Group(SPLIT, (i,), run, score))
            free_new -= set(run)
            old_pair.pop(i, None)
            kinds.pop(i, None)
            free_old.discard(i)
    new_pair = {j: i for i, j in old_pair.items()}
    for j in range(len(new)):
        if any(j in g.news for g in groups):
            continue
        partner = new_pair.get(j)
        if partner is not None and kinds.get(partner) != MODIFIED:
            continue
        if partner is None and j not in free_new:
            continue
        starts = [partner] if partner is not None else _neighbours(j, new_pair, len(old), free_old)
        best = _best_run(new_words[j], starts, old_words, free_old, partner, len(old))
        if best is None:
            continue
        run, score = best
        own = similarity(new_words[j], old_words[partner]) if partner is not None else 0.0
        if _better_as_group(score, own):
            groups.append(_Group(MERGED, run, (j,), score))
            free_old -= set(run)
            for i in run:
                old_pair.pop(i, None)
                kinds.pop(i, None)
            free_new.discard(j)
    return groups


def _better_as_group(joined: float, own: float) -> bool:
    """Several clauses joined explain one clause better than its best single partner."""
    return joined >= SPLIT_MERGE and (joined >= own + 5 or (joined >= 97 and joined > own))


def _neighbours(index: int, pairs: dict[int, int], size: int, free: set[int]) -> list[int]:
    """Where on the other side a clause with no partner would sit: after its previous anchor."""
    before = [pairs[k] for k in range(index - 1, max(-1, index - 50), -1) if k in pairs]
    start = before[0] + 1 if before else 0
    return [k for k in range(start, min(size, start + 3)) if k in free]


def _best_run(
    words: Sequence[str],
    starts: list[int],
    other: _Words,
    free: set[int],
    anchor: int | None,
    size: int,
) -> tuple[tuple[int, ...], float] | None:
    """The run of 2+ consecutive clauses (free, or the anchor) whose words best match."""
    best: tuple[tuple[int, ...], float] | None = None
    for start in starts:
        for first in range(start - 3, start + 1):
            if first < 0:
                continue
            run: list[int] = []
            joined: list[str] = []
            for k in range(first, min(size, first + 8)):
                if k not in free and k != anchor:
                    break
                run.append(k)
                joined.extend(other[k])
                if len(joined) > 2 * len(words) + 10:
                    break
                if len(run) >= 2 and (anchor is None or anchor in run):
                    score = similarity(words, joined)
                    if best is None or score > best[1]:
                        best = (tuple(run), score)
    return best


def _assemble(
    old: list[Clause],
    new: list[Clause],
    old_pair: dict[int, int],
    kinds: dict[int, str],
    scores: dict[int, float],
    groups: list[_Group],
    gaps: list[tuple[int, int, int, int]],
) -> Alignment:
    """Entries in reading order: by new position, removed clauses where they used to stand."""
    keyed: list[tuple[tuple[float, int], Change]] = []
    grouped_old = {i for g in groups for i in g.olds}
    grouped_new = {j for g in groups for j in g.news}
    paired_new = set(old_pair.values())
    for i, j in old_pair.items():
        kind = kinds[i]
        change = Change(kind, (old[i],), (new[j],), scores.get(i, 100.0))
        keyed.append(((j, i), change))
    for g in groups:
        change = Change(
            g.kind, tuple(old[i] for i in g.olds), tuple(new[j] for j in g.news), g.score
        )
        keyed.append(((min(g.news), min(g.olds)), change))
    for j in range(len(new)):
        if j not in paired_new and j not in grouped_new:
            keyed.append(((j, -1), Change(ADDED, (), (new[j],), 0.0)))
    # A removed clause stands just after the anchor that preceded it in the old version.
    anchors = sorted((i, j) for i, j in old_pair.items() if kinds[i] == SAME)
    anchor_olds = [a for a, _ in anchors]
    for i in range(len(old)):
        if i in old_pair or i in grouped_old:
            continue
        k = bisect.bisect_left(anchor_olds, i)
        place = anchors[k - 1][1] + 0.5 if k > 0 else -0.5
        keyed.append(((place, i), Change(REMOVED, (old[i],), (), 0.0)))
    keyed.sort(key=lambda item: item[0])
    return Alignment(old, new, [change for _, change in keyed])
