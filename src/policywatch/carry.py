"""A new list takes part in the practice its lead-in states: "except for information we are
required or permitted to retain, including:" makes each item under it a thing kept, though no
item says "retain" (issue 13: list items read in what leads them in)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from .change import ADDED, REMOVED, Change
from .detect import term_of
from .flag import Flag
from .segment import ITEM, Clause, leading_clause
from .sentences import sentences

_WHOLE = {"added": ADDED, "removed": REMOVED}  # an item that came (or went)
# What a country's list gives is what is done there ("the UK, United States that provide us
# with: ... troubleshoot technical issues"), not data sent there.
_NOT_CARRIED = frozenset({"transfer_abroad"})
# A sentence leading in a list that points back continues the one before it: "Bluesky may use
# third-party services to verify that you are old enough ... This verification may involve one
# or more of the following methods:".
_POINTS_BACK = re.compile(r"(?:this|these|that|those|such)\b", re.IGNORECASE)


def carried(
    changes: Sequence[Change],
    found: list[list[Flag]],
    old_clauses: Sequence[Clause],
    new_clauses: Sequence[Clause],
) -> list[list[Flag]]:
    """Each change's flags, with those its list item carries from its lead-in.

    An item that came (or went) takes part in the practice its lead-in states where it leads
    the list in (its last sentence, or the two last when that one points back), when this
    comparison flags that practice there: the item carries the flag, with the terms said
    there (no position in the item) and those words as what leads it in, unless it has a flag
    of that category and direction of its own. Items that stay say nothing new, whatever
    their lead-in gains or loses. Not carried: a denial or a flip (each item would repeat an
    alarm its lead-in raises), a narrowing (the practice stands elsewhere, and what went with
    the lead-in, "voice commands", need not be what its items were), a country
    (_NOT_CARRIED). A legal definition and a heading carry no flag to begin with."""
    at: dict[tuple[str, int], int] = {}
    for index, change in enumerate(changes):
        for clause in change.old:
            at[("removed", clause.position)] = index
        for clause in change.new:
            at[("added", clause.position)] = index
    out = [list(flags) for flags in found]
    for index, change in enumerate(changes):
        for direction, side, every in (
            ("added", change.new, new_clauses),
            ("removed", change.old, old_clauses),
        ):
            if not side or side[0].kind != ITEM or change.kind != _WHOLE[direction]:
                continue
            lead = leading_clause(every, side[0].position)
            if lead is None:  # no list item, or its list follows other words
                continue
            source = at.get((direction, lead))
            if source is None:
                continue
            own = {f.category for f in out[index] if f.change == direction}
            out[index].extend(_taken(changes[source], found[source], change, direction, own))
    return out


def _taken(
    source: Change, flags: Sequence[Flag], item: Change, direction: str, own: set[str]
) -> list[Flag]:
    """The flags of a lead-in's change that its item carries."""
    lead_text = (source.new_text if direction == "added" else source.old_text) or ""
    begin, end = _leading(lead_text)
    text = (item.new_text if direction == "added" else item.old_text) or ""
    first = sentences(text)[:1] or [(0, len(text))]
    taken = []
    for flag in flags:
        if (
            flag.change != direction
            or flag.category in own
            or flag.negated
            or flag.was_negated
            or flag.narrowed
            or flag.category in _NOT_CARRIED
        ):
            continue
        terms = tuple(
            dict.fromkeys(term_of(lead_text[a:b]) for a, b in flag.positions if begin <= a < end)
        )
        if not terms:
            continue
        own.add(flag.category)
        taken.append(
            replace(
                flag,
                terms=terms,
                positions=(),
                sentence=first[0],
                sentence_text=text[first[0][0] : first[0][1]],
                lead=" ".join(lead_text[begin:end].split()),
            )
        )
    return taken


def _leading(text: str) -> tuple[int, int]:
    """Where a lead-in leads its list in: its last sentence, with the one before when the last
    points back to it."""
    spans = sentences(text)
    if not spans:
        return 0, len(text)
    last = spans[-1]
    if len(spans) > 1 and _POINTS_BACK.match(text, last[0]):
        return spans[-2][0], last[1]
    return last
