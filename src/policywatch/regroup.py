"""Runs of changes between anchors read again across clause boundaries (align.py's step 6):
clauses whose words reappear, in order, in other blocks are one `reformatted` change (a table
become lists, a paragraph become bullets, items regrouped), or `split` and `merged`."""

from __future__ import annotations

import difflib
from collections import defaultdict

from .change import ADDED, MERGED, MODIFIED, REFORMATTED, REMOVED, SPLIT, Change
from .segment import Clause

REGROUP_KINDS = (ADDED, REMOVED, MODIFIED, SPLIT, MERGED)
REGROUP_WORDS = 20_000  # words on each side of a run beyond which it is left as it is
NEAR = 0.9  # share of a group's words found again, in order, on the other side


def regroup(entries: list[Change]) -> list[Change]:
    """Runs of changes between anchors, read again across clause boundaries (see step 6)."""
    out: list[Change] = []
    run: list[Change] = []
    for entry in entries:
        if entry.kind in REGROUP_KINDS:
            run.append(entry)
            continue
        out.extend(_regroup_run(run) if len(run) > 1 else run)
        run = []
        out.append(entry)
    out.extend(_regroup_run(run) if len(run) > 1 else run)
    return out


def _regroup_run(run: list[Change]) -> list[Change]:
    """The words of a run's old clauses aligned with those of its new clauses: each set of
    clauses that share their words is one change."""
    olds = sorted({c for e in run for c in e.old}, key=lambda c: c.position)
    news = sorted({c for e in run for c in e.new}, key=lambda c: c.position)
    if not olds or not news:
        return run
    old_words = [(k, w) for k, c in enumerate(olds) for w in c.words]
    new_words = [(k, w) for k, c in enumerate(news) for w in c.words]
    if len(old_words) > REGROUP_WORDS or len(new_words) > REGROUP_WORDS:
        return run
    matcher = difflib.SequenceMatcher(
        None, [w for _, w in old_words], [w for _, w in new_words], False
    )
    parent = list(range(len(olds) + len(news)))  # union-find: olds first, then news

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(x: int, y: int) -> None:
        parent[find(x)] = find(y)

    matched_old = [0] * len(olds)
    matched_new = [0] * len(news)
    for a, b, size in matcher.get_matching_blocks():
        for k in range(size):
            i, j = old_words[a + k][0], new_words[b + k][0]
            matched_old[i] += 1
            matched_new[j] += 1
            union(i, len(olds) + j)
    old_index = {c.position: k for k, c in enumerate(olds)}
    new_index = {c.position: k for k, c in enumerate(news)}
    for entry in run:  # an entry's clauses stay together
        members = [old_index[c.position] for c in entry.old]
        members += [len(olds) + new_index[c.position] for c in entry.new]
        for other in members[1:]:
            union(members[0], other)
    components: dict[int, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for i in range(len(olds)):
        components[find(i)][0].append(i)
    for j in range(len(news)):
        components[find(len(olds) + j)][1].append(j)
    regrouped: dict[int, Change] = {}  # component root -> its change
    for root, (ois, njs) in components.items():
        change = _as_group(
            [olds[i] for i in ois],
            [news[j] for j in njs],
            sum(matched_old[i] for i in ois),
            sum(matched_new[j] for j in njs),
        )
        if change is not None:
            regrouped[root] = change
    if not regrouped:
        return run
    out: list[Change] = []
    placed: set[int] = set()
    for entry in run:  # in the run's reading order, each group where its first entry stood
        side = entry.old[0] if entry.old else entry.new[0]
        root = find(old_index[side.position] if entry.old else len(olds) + new_index[side.position])
        if root not in regrouped:
            out.append(entry)
        elif root not in placed:
            placed.add(root)
            out.append(regrouped[root])
    return out


def _as_group(
    olds: list[Clause], news: list[Clause], matched_old: int, matched_new: int
) -> Change | None:
    """The change for clauses that share their words, when they are a regrouping."""
    if not olds or not news:
        return None
    total_old = sum(len(c.words) for c in olds)
    total_new = sum(len(c.words) for c in news)
    if not total_old or not total_new:
        return None
    if len(olds) == 1 and len(news) == 1:  # the same words in another kind of block
        same = matched_old == total_old == matched_new == total_new
        return Change(MODIFIED, tuple(olds), tuple(news), 100.0) if same else None
    if matched_old < NEAR * total_old or matched_new < NEAR * total_new:
        return None
    kind = SPLIT if len(olds) == 1 else MERGED if len(news) == 1 else REFORMATTED
    score = 100.0 * (matched_old + matched_new) / (total_old + total_new)
    return Change(kind, tuple(olds), tuple(news), score)
