"""A flag: a data-practice category a change adds or removes, and how every report names it.

The flag is what a reader sees ("NOW SAYS IT MAY sale_sharing_ads (sale)"); how the mentions
behind it are found is detect.py's, how it reads against the whole documents novelty.py's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .category import SEVERITIES


def flag_label(
    change: str,
    negated: bool,
    was_negated: bool,
    expanded: bool = False,
    narrowed: bool = False,
) -> str:
    """How a flag reads for people: NEW, EXPANDED, NOW SAYS IT MAY, NO LONGER, NARROWED or
    NOW DENIES."""
    if change == "added":
        return "NOW SAYS IT MAY" if was_negated else "EXPANDED" if expanded else "NEW"
    return "NOW DENIES" if negated else "NARROWED" if narrowed else "NO LONGER"


def flag_title(label: str, category: str, terms: Sequence[str], of: str = "") -> str:
    """How every report names a flag: 'EXPANDED biometric (faceprints, voiceprints)',
    'NARROWED device_tracking of children (device id)'."""
    named = f"{label} {category} of {of}" if of else f"{label} {category}"
    return f"{named} ({', '.join(terms)})" if terms else named


def json_label(flag: Mapping[str, Any]) -> str:
    """The label of a flag given as JSON (check results, notifications), as Flag.label."""
    return flag_label(
        flag["change"],
        flag["negated"],
        flag["was_negated"],
        bool(flag.get("expanded")),
        bool(flag.get("narrowed")),
    )


def json_title(flag: Mapping[str, Any]) -> str:
    return flag_title(json_label(flag), flag["category"], flag["terms"], flag.get("of") or "")


def json_sentence(flag: Mapping[str, Any]) -> str:
    """A flag's sentence given as JSON, after what leads it in, as Flag.said."""
    sentence = flag.get("sentence") or {}
    return said(str(sentence.get("text") or ""), str(flag.get("lead_in") or ""))


def said(sentence: str, lead: str) -> str:
    """A list item's sentence after the sentence that leads in its list: "We work with other
    Meta Companies in: … the UK, United States that provide us with:"."""
    return led(lead) + sentence if sentence else sentence


def led(lead: str) -> str:
    """What a quote of a list item's sentence starts with: its lead-in, then a gap."""
    return f"{lead} … " if lead else ""


def left_to_diff(groups: int, policy_id: str) -> str:
    """The line that ends a check's or a notification's flags when some are not told."""
    return f"and {groups} more flag(s): policywatch diff {policy_id}"


@dataclass(frozen=True)
class FlagGroup:
    """The flags of one comparison that say the same thing (a label, a category, whose data),
    told once: a policy that repeats a table, or names a new practice in six clauses, makes one
    line of a check or a notification, not six."""

    label: str
    category: str
    of: str
    terms: tuple[str, ...]  # every term of the group, in the order first seen
    sentence: str  # the first flag's
    severity: str  # the highest of the group's
    clauses: int  # how many flags it holds

    @property
    def more(self) -> str:
        """How many more clauses say it, for the group's line ("" for one)."""
        return f" (and {self.clauses - 1} more clause(s))" if self.clauses > 1 else ""

    def title(self, terms: int = 0) -> str:
        """The flag title, naming at most `terms` terms (all of them for 0)."""
        shown = self.terms if not terms or len(self.terms) <= terms else (*self.terms[:terms], "…")
        return flag_title(self.label, self.category, shown, self.of)


def grouped(flags: Sequence[Mapping[str, Any]]) -> list[FlagGroup]:
    """Flags given as JSON (check results, notifications) grouped by what they say, in the
    order each group first appears."""
    groups: dict[tuple[str, str, str], list[Mapping[str, Any]]] = {}
    for flag in flags:
        groups.setdefault((json_label(flag), flag["category"], flag.get("of") or ""), []).append(
            flag
        )
    return [
        FlagGroup(
            label,
            category,
            of,
            tuple(dict.fromkeys(term for flag in members for term in flag["terms"])),
            json_sentence(members[0]),
            max((f["severity"] for f in members), key=_rank),
            len(members),
        )
        for (label, category, of), members in groups.items()
    ]


def quoted(sentence: str, limit: int = 0) -> str:
    """A flag's sentence as reports quote it, on one line; cut at a word past `limit`."""
    words = " ".join(sentence.split())
    if limit and len(words) > limit:
        words = words[:limit].rsplit(" ", 1)[0] + " …"
    return f"“{words}”" if words else ""


@dataclass(frozen=True)
class Flag:
    """A category whose mention a change added or removed."""

    category: str
    change: str  # added or removed
    terms: tuple[str, ...]
    severity: str
    negated: bool = False  # the side that carries the flag denies or disclaims it
    was_negated: bool = False  # "we do not" became "we may": the strongest alarm
    definition: bool = False  # only a quoted legal definition, not a practice
    positions: tuple[tuple[int, int], ...] = ()  # in the new text (added) or the old (removed)
    sentence: tuple[int, int] | None = None  # the sentence that triggered it, in the same text
    sentence_text: str = ""
    expanded: bool = False  # the document already stated the practice: these terms are new to it
    narrowed: bool = False  # the document still states the practice: these terms are gone from it
    admission: bool = False  # a term is admitted ("may be considered a 'sale'"), not in the JSON
    # Whose data the terms are new (or gone) of, when only of theirs: "children" for "device
    # ID" collected from the Child's device, where every adult gives it (novelty.py).
    of: str = ""
    # The sentence that leads in the list whose item the flag's clause is, when it ends in a
    # colon: a quoted item ("the UK, United States that provide us with:") says little alone.
    # A flag the item carries from its lead-in (carry.py) has the words that state the
    # practice there, its terms are theirs, and it has no positions in the item.
    lead: str = ""

    @property
    def said(self) -> str:
        """The flag's sentence as reports quote it, after what leads it in, if anything does."""
        return said(self.sentence_text, self.lead)

    @property
    def label(self) -> str:
        return flag_label(self.change, self.negated, self.was_negated, self.expanded, self.narrowed)

    @property
    def shown_label(self) -> str:
        """The label as reports show it: a quoted legal definition says so, unless the company
        admits the practice in it ("may be considered a 'sale' under applicable law")."""
        if self.change == "added" and self.definition and not self.admission:
            return f"{self.label} (in a legal definition)"
        return self.label

    @property
    def title(self) -> str:
        return flag_title(self.label, self.category, self.terms, self.of)

    @property
    def shown_title(self) -> str:
        """The title as reports show it: "NEW sale_sharing_ads (in a legal definition) ..."."""
        return flag_title(self.shown_label, self.category, self.terms, self.of)

    def to_json(self) -> dict[str, Any]:
        sentence = (
            {"text": self.sentence_text, "start": self.sentence[0], "end": self.sentence[1]}
            if self.sentence is not None
            else None
        )
        return {
            "category": self.category,
            "label": self.label,
            "terms": list(self.terms),
            "change": self.change,
            "severity": self.severity,
            "negated": self.negated,
            "was_negated": self.was_negated,
            "definition": self.definition,
            "positions": [list(p) for p in self.positions],
            "sentence": sentence,
            "expanded": self.expanded,
            "narrowed": self.narrowed,
            "of": self.of or None,
            "lead_in": self.lead or None,
        }


def flags_first(flags: Sequence[Flag]) -> list[Flag]:
    """Critical and high first, then in reading order."""
    return sorted(flags, key=lambda f: -_rank(f.severity))


def _rank(severity: str) -> int:
    """A severity's place, mildest first (category.SEVERITIES); -1 for none it knows."""
    return SEVERITIES.index(severity) if severity in SEVERITIES else -1
