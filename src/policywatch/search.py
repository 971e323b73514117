"""Where a category's patterns match in a text, searched no more than it must be.

A long text is searched only around the anchors a match can start with (anchors.py), and any
text only with the patterns whose needs it holds (needs.py), each compiled alone until the
whole alternation is. Every way finds what a scan with the alternation finds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .category import Category
from .needs import Needs

LONG_TEXT = 20_000  # characters: above this, search around anchors instead of everywhere
_WINDOW_BEFORE, _WINDOW_AFTER = 40, 200  # anchors.OPTIONAL_LEAD must stay below BEFORE


def _anchor_starts(lowered: str, anchor: str) -> Iterable[int]:
    """Where an anchor starts a word in a lowercased text: not after a letter, a digit, "_" or
    "-", as a match does not (the taxonomy's (?<![\\w-]))."""
    at = lowered.find(anchor)
    while at != -1:
        if not at or not (lowered[at - 1].isalnum() or lowered[at - 1] in "-_"):
            yield at
        at = lowered.find(anchor, at + 1)


def _windows(lowered: str, anchors: tuple[str, ...]) -> list[tuple[int, int]]:
    """Stretches of a long text around each anchor that starts a word, merged."""
    starts = [start for anchor in anchors for start in _anchor_starts(lowered, anchor)]
    spans: list[tuple[int, int]] = []
    for at in sorted(starts):
        begin, end = max(0, at - _WINDOW_BEFORE), min(len(lowered), at + _WINDOW_AFTER)
        if spans and begin <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((begin, end))
    return spans


def first_matches(text: str, lowered: str, category: Category) -> Iterable[re.Match[str]]:
    """Matches in an order that finds one early, for a yes-or-no question: in a long text,
    near each anchor, anchor by anchor; else every match, as `matches` finds them."""
    if len(text) <= LONG_TEXT or category.anchors is None:
        yield from matches(text, lowered, category)
        return
    if len(lowered) != len(text):
        yield from category.pattern.finditer(text)
        return
    for anchor in category.anchors:
        for start in _anchor_starts(lowered, anchor):
            begin = max(0, start - _WINDOW_BEFORE)
            end = min(len(text), start + _WINDOW_AFTER)
            yield from matches_in(category, text, begin, end, lowered[begin:end])


def matches(text: str, lowered: str, category: Category) -> Iterable[re.Match[str]]:
    """Every match of a category; lowered is the text's lowercase, made once per text."""
    # Some characters lowercase to two ("İ"): positions in the lowercase would drift.
    if len(lowered) != len(text):
        yield from category.pattern.finditer(text)
        return
    if len(text) <= LONG_TEXT:  # a short text: a look for what a match needs decides
        if category.anchors is None or any(anchor in lowered for anchor in category.anchors):
            yield from matches_in(category, text, 0, len(text), lowered)
        return
    if category.anchors is None:
        yield from category.pattern.finditer(text)
        return
    last_end = -1
    for begin, end in _windows(lowered, category.anchors):
        for match in matches_in(category, text, begin, end, lowered[begin:end]):
            if match.start() >= last_end:
                last_end = match.end()
                yield match


def matches_in(
    category: Category,
    text: str,
    begin: int,
    end: int,
    lowered: str | None = None,
    *,
    exclusions: bool = False,
) -> Iterable[re.Match[str]]:
    """What a category's patterns (or exclusions) find in text[begin:end] (lowered: its
    lowercase, when known): the whole alternation once compiled, else only the patterns whose
    needs it holds, each compiled alone (an alternation takes 0.5-1.8 ms to compile, one
    pattern 0.05-0.2 ms, and a comparison's texts hold the needs of few)."""
    if lowered is None:
        lowered = text[begin:end].lower()
    needs = category.exclude_needs if exclusions else category.needs
    # Some characters lowercase to two ("İ", which IGNORECASE matches to "i"): not read.
    held = held_patterns(needs, lowered) if len(lowered) == end - begin else None
    if held is None or category.compiled("exclude" if exclusions else "pattern"):
        whole = category.exclude if exclusions else category.pattern
        if whole is not None and held != []:
            yield from whole.finditer(text, begin, end)
        return
    yield from _first_of([category.alone(index, exclusions) for index in held], text, begin, end)


def _first_of(
    patterns: list[re.Pattern[str]], text: str, begin: int, end: int
) -> Iterable[re.Match[str]]:
    """What finditer of the alternation of these patterns finds, each compiled alone with the
    alternation's word boundaries: the leftmost match, the earliest pattern's where several
    start at one place, then the next from its end. None matches empty (each needs three
    characters), and a pattern's next match from a later place is the same while it starts
    after the match just found."""
    found = [pattern.search(text, begin, end) for pattern in patterns]
    while True:
        first: re.Match[str] | None = None
        for match in found:  # strictly before: at one place, the earliest pattern's stays
            if match is not None and (first is None or match.start() < first.start()):
                first = match
        if first is None:
            return
        yield first
        after = first.end()
        for index, match in enumerate(found):
            if match is not None and match.start() < after:
                found[index] = patterns[index].search(text, after, end)


def held_patterns(needs: Needs | None, lowered: str) -> list[int] | None:
    """The patterns (their indexes) whose needs (needs.py) a text holds, its white space
    folded as needs writes it; None when any may match: no needs, or a text holding "ı" or
    "ſ", which IGNORECASE matches to "i" and "s" and lower() keeps."""
    if needs is None or "ı" in lowered or "ſ" in lowered:
        return None
    folded = " " + " ".join(lowered.split()) + " "
    held = []
    for index, pattern_needs in enumerate(needs):  # loops, not any() and all(): half the time
        for need in pattern_needs:
            for string in need:
                if string in folded:
                    break
            else:
                break  # no string of this need stands here: not this pattern
        else:
            held.append(index)
    return held
