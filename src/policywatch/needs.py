"""What every match of a taxonomy pattern holds: the strings a text must hold for a match to be
possible at all.

A text that holds none of a pattern's needs cannot match it, and a pattern no text of a
comparison can match is never compiled (compiling a category's alternation costs 0.5-1 ms, more
than scanning the texts). The patterns are read by anchors.py's reader; giving up there means
"no needs": every text may match.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .anchors import SPACE, Chars, Group, Literal, Node, Nodes, Repeat, read

MAX_SPELLINGS = 64  # ways a run of a pattern may be written, beyond which it is cut
NEED_LENGTH = 3  # a shorter string stands in nearly every text: not worth looking for

# For each pattern, what each of its matches holds: its needs, each a set of lowercase strings
# (white space written as one space) one of which stands in the match. Tuples as made here, lists
# as taxonomy.json gives them back.
Needs = Sequence[Sequence[Sequence[str]]]


def needs(patterns: list[str]) -> Needs | None:
    """What each pattern's every match holds: no need for a pattern whose matches hold nothing
    this can name ("UK" is two letters), which every text may then match; None when that is
    so of every pattern."""
    found: list[tuple[tuple[str, ...], ...]] = []
    for pattern in patterns:
        group = read(pattern)
        pattern_needs = [] if group is None else _needs((group,))
        if not pattern_needs:
            found.append(())
            continue
        # The needs of fewest strings first: a text is most often turned away by the first.
        ordered = sorted(dict.fromkeys(tuple(sorted(need)) for need in pattern_needs), key=len)
        found.append(tuple(ordered))
    return tuple(found) if any(found) else None


def _needs(items: Nodes) -> list[frozenset[str]]:
    """The needs every match of a sequence holds: each run of items written in few enough
    ways (a word, "biometrics?", "(?:face|facial) scan") is one."""
    found: list[frozenset[str]] = []
    run = {""}  # the ways the run of spelled-out items so far can be written
    for item in items:
        spelled = _spellings(item)
        if spelled is not None:
            # Its words of their own as well: one look turns most texts away before the ways
            # of its run ("long" before the 19 ways of "as long as you (use|keep ...) ...").
            found.extend(frozenset({word}) for word in _words(item))
            joined = {a + b for a in run for b in spelled}
            if len(joined) <= MAX_SPELLINGS:
                run = joined
                continue
            _add(found, run)
            run = spelled
            continue
        _add(found, run)
        run = {""}
        found.extend(_inner_needs(item))
    _add(found, run)
    return found


def _words(item: Node) -> list[str]:
    """The words every way of writing an item holds (lowercase, NEED_LENGTH or longer)."""
    if isinstance(item, Literal):
        spelled = _spellings(item)  # one way, or none (beyond ASCII)
        return [w for w in spelled or () if len(w) >= NEED_LENGTH]
    if isinstance(item, Group) and len(item.branches) == 1:
        return [word for part in item.branches[0] for word in _words(part)]
    if isinstance(item, Repeat) and item.low >= 1:
        return [word for part in item.item for word in _words(part)]
    return []


def _inner_needs(item: Node) -> list[frozenset[str]]:
    """What an item not spelled out holds: a group's, through whichever branch it takes."""
    if isinstance(item, Group):
        if len(item.branches) == 1:
            return _needs(item.branches[0])
        chosen = [_strongest(_needs(branch)) for branch in item.branches]
        if any(need is None for need in chosen):
            return []
        return [frozenset().union(*(c for c in chosen if c is not None))]
    if isinstance(item, Repeat) and item.low >= 1:
        return _needs(item.item)
    return []


def _strongest(candidates: list[frozenset[str]]) -> frozenset[str] | None:
    """The need least likely to stand in a text by chance: the longest shortest string."""
    if not candidates:
        return None
    return max(candidates, key=lambda need: (min(map(len, need)), -len(need)))


def _add(found: list[frozenset[str]], run: set[str]) -> None:
    """A run's ways of being written as a need, and the longest word of each as a smaller
    one, looked at first: one look for "day", "month" and "year" turns most texts away before
    the 36 ways of "\\d+[- ](?:days?|months?|years?) (?:after|from|following)"."""
    # Spaces side by side ("purchase (?:history )? data" without its history) stand for white
    # space a folded text writes once.
    run = {re.sub(" {2,}", " ", way) for way in run}
    if not all(len(way.strip()) >= NEED_LENGTH for way in run):
        return
    found.append(_fewest(run))
    words = {max(way.split(), key=len) for way in run}
    if len(words) < len(run) and all(len(word) >= NEED_LENGTH for word in words):
        found.append(_fewest(words))


def _fewest(ways: set[str]) -> frozenset[str]:
    """The ways no other one stands in: where a longer one stands, so does the shorter."""
    return frozenset(w for w in ways if not any(o != w and o in w for o in ways))


def _spellings(item: Node) -> set[str] | None:
    """Every way an item can be written, lowercase, white space as one space; None when there
    are too many, or it is not spelled out (a wide class, white space or a hyphen ...).

    Only ASCII is spelled out: an ASCII letter matches itself in either case, and, with
    IGNORECASE, only "ı", "ſ", "İ" and the Kelvin sign besides (search.py reads a text holding
    the first three as one that may match anything)."""
    if isinstance(item, Literal):
        text = item.text
        if not text.isascii() or any(char.isspace() for char in text):
            return None
        return {text.lower()}
    if item is SPACE:  # " " (one or more) and \s: one space in a text folded as search does
        return {" "}
    if isinstance(item, Chars):  # a class ("[- ]": white space is one space here too)
        chars = item.spelled
        if chars is None or not all(c.isascii() and (c == " " or not c.isspace()) for c in chars):
            return None
        return {c.lower() for c in chars}
    if isinstance(item, Group):
        ways: set[str] = set()
        for branch in item.branches:
            more = _sequence_spellings(branch)
            if more is None:
                return None
            ways |= more
        return ways if len(ways) <= MAX_SPELLINGS else None
    if item.low == 0 and item.high == 1:
        once = _sequence_spellings(item.item)
        return None if once is None else once | {""}
    return None


def _sequence_spellings(items: Nodes) -> set[str] | None:
    ways = {""}
    for item in items:
        more = _spellings(item)
        if more is None:
            return None
        ways = {a + b for a in ways for b in more}
        if len(ways) > MAX_SPELLINGS:
            return None
    return ways
