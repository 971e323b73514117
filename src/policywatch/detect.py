"""Find data-practice language in clauses and flag what a change adds or removes.

A mention is a match of a category's patterns. Its sentence decides how much it weighs:
negated or disclaimed ("we do not collect biometric data"), a first-person practice ("we may
collect ..."), or a quoted legal definition ("... as defined in Cal. Civ. Code 1798.140").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .taxonomy import SEVERITIES, Category

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=[^a-z])|\n+")
_NEGATION = re.compile(
    r"\b(?:not|never|no|none|neither|nor|no longer|don[’']t|doesn[’']t|didn[’']t|won[’']t|"
    r"cannot|can[’']t|isn[’']t|aren[’']t|without|refrain from)\b",
    re.IGNORECASE,
)
# Between a negation and the term, these end the negation's reach.
_RESET = re.compile(
    r"\b(?:but|however|except|unless|although|though|other than|instead)\b|[;:]", re.I
)
# After the term, an exception means the practice happens after all.
_EXCEPTION = re.compile(r"\b(?:except|unless|other than|apart from|besides)\b", re.IGNORECASE)
_POSTFIX_NEGATION = re.compile(
    r"^[^.;]{0,40}?\b(?:is|are|will be|be|was|were)\s+(?:not|never)\b", re.IGNORECASE
)
_FIRST_PERSON = re.compile(r"\b(?:we|us|our)\b", re.IGNORECASE)
_PRACTICE_VERB = re.compile(
    r"\b(?:collect|use|process|share|sell|disclos|store|retain|obtain|receiv|analy[sz]|creat|"
    r"generat|train|infer|transfer|access|scan|record|keep|combin|match|verif|send|rely|"
    r"requir|ask|captur|extract|identif)\w*",
    re.IGNORECASE,
)
_DEFINITION = re.compile(
    r"\b(?:as defined|is defined|are defined|defined (?:in|under|by)|means|refers to|the term|"
    r"categories of (?:personal|sensitive) information|1798\.\d+|civ(?:il)?\.? code|"
    r"(?:under|by) (?:applicable |california |illinois |state |federal |u\.s\. |us )?laws?|"
    r"statutes?|regulations? (?:define|consider))\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Mention:
    category: str
    term: str
    start: int
    end: int
    negated: bool
    definition: bool
    first_person: bool

    @property
    def key(self) -> str:
        return " ".join(self.term.lower().split())


def flag_label(change: str, negated: bool, was_negated: bool) -> str:
    """How a flag reads for people: NEW, NOW SAYS IT MAY, NO LONGER or NOW DENIES."""
    if change == "added":
        return "NOW SAYS IT MAY" if was_negated else "NEW"
    return "NOW DENIES" if negated else "NO LONGER"


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

    def to_json(self) -> dict[str, Any]:
        sentence = (
            {"text": self.sentence_text, "start": self.sentence[0], "end": self.sentence[1]}
            if self.sentence is not None
            else None
        )
        return {
            "category": self.category,
            "terms": list(self.terms),
            "change": self.change,
            "severity": self.severity,
            "negated": self.negated,
            "was_negated": self.was_negated,
            "definition": self.definition,
            "positions": [list(p) for p in self.positions],
            "sentence": sentence,
        }


_REACH = 800  # characters looked at on each side of a match to find its sentence
_LOOKBACK = 400  # how far back in its sentence a negation can reach a term


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of the sentence around a match (looking no further than _REACH each way)."""
    left = max(0, start - _REACH)
    begin = left
    for boundary in _SENTENCE_END.finditer(text, left, start):
        begin = boundary.end()
    if begin == left and left > 0:
        begin = start - min(start, 200)
    following = _SENTENCE_END.search(text, end, min(len(text), end + _REACH))
    return begin, following.start() if following else min(len(text), end + _REACH)


# Names of rights and links, not denials: "Do Not Sell or Share My Personal Information".
_NOT_A_DENIAL = re.compile(r"\bdo not (?:sell|share)(?: (?:or|and|/) (?:sell|share))? my\b", re.I)


def _negated(before: str, term: str, after: str) -> bool:
    context = before + term + after[:40]
    names = [m.span() for m in _NOT_A_DENIAL.finditer(context)]
    cues = [c for c in _NEGATION.finditer(before) if not any(a <= c.start() < b for a, b in names)]
    if cues:
        tail = before[cues[-1].end() :]
        if not _RESET.search(tail) and not _EXCEPTION.search(after):
            return True
    return bool(_POSTFIX_NEGATION.search(after))


LONG_TEXT = 20_000  # characters: above this, search around anchors instead of everywhere
_WINDOW_BEFORE, _WINDOW_AFTER = 40, 200  # taxonomy's _OPTIONAL_LEAD must stay below BEFORE
_WORD_BREAKS = (" ", "\n", "(", "“", '"', "'", "‘", "/", "[", "*", "_")


def _anchor_starts(lowered: str, anchor: str) -> Iterable[int]:
    """Where an anchor starts a word in a lowercased text."""
    if lowered.startswith(anchor):
        yield 0
    # A short anchor ("ai", "ip") hides inside many words: look for it after a word break.
    for lead in _WORD_BREAKS if len(anchor) < 4 else ("",):
        needle = lead + anchor
        at = lowered.find(needle)
        while at != -1:
            begin = at + len(lead)
            if begin and not (lowered[begin - 1].isalnum() or lowered[begin - 1] == "-"):
                yield begin
            at = lowered.find(needle, at + 1)


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


def _first_matches(text: str, lowered: str, category: Category) -> Iterable[re.Match[str]]:
    """Matches near each anchor, anchor by anchor: for a yes-or-no question, found early."""
    for anchor in category.anchors or ():
        for start in _anchor_starts(lowered, anchor):
            begin = max(0, start - _WINDOW_BEFORE)
            end = min(len(text), start + _WINDOW_AFTER)
            yield from category.pattern.finditer(text, begin, end)


def _matches(text: str, lowered: str, category: Category) -> Iterable[re.Match[str]]:
    """Every match of a category; lowered is the text's lowercase, made once per text."""
    if category.anchors is None:
        yield from category.pattern.finditer(text)
        return
    if len(text) <= LONG_TEXT:  # a short text: one look for any anchor decides whether to search
        if any(anchor in lowered for anchor in category.anchors):
            yield from category.pattern.finditer(text)
        return
    last_end = -1
    for begin, end in _windows(lowered, category.anchors):
        for match in category.pattern.finditer(text, begin, end):
            if match.start() >= last_end:
                last_end = match.end()
                yield match


def _excluded(text: str, match: re.Match[str], exclude: re.Pattern[str]) -> bool:
    """Whether a known false positive ("coded into our DNA") covers the match."""
    start, end = match.span()
    for trap in exclude.finditer(text, max(0, start - 80), min(len(text), end + 80)):
        if trap.start() <= start and end <= trap.end():
            return True
    return False


def _mention(text: str, match: re.Match[str], category: Category) -> Mention | None:
    """A match read in its sentence; None when a known false positive covers it."""
    if category.exclude is not None and _excluded(text, match, category.exclude):
        return None
    s_start, s_end = _sentence(text, match.start(), match.end())
    sentence = text[s_start:s_end]
    before = text[max(s_start, match.start() - _LOOKBACK) : match.start()]
    after = text[match.end() : s_end]
    first_person = bool(_FIRST_PERSON.search(sentence) and _PRACTICE_VERB.search(sentence))
    return Mention(
        category=category.id,
        term=match.group(0),
        start=match.start(),
        end=match.end(),
        negated=_negated(before, match.group(0), after),
        definition=bool(_DEFINITION.search(sentence)) and not first_person,
        first_person=first_person,
    )


def mentions(text: str, taxonomy: Iterable[Category], lowered: str | None = None) -> list[Mention]:
    """Every mention of every category in a text, in order of position."""
    lowered = text.lower() if lowered is None else lowered
    found = [
        mention
        for category in taxonomy
        for match in _matches(text, lowered, category)
        if (mention := _mention(text, match, category)) is not None
    ]
    found.sort(key=lambda m: (m.start, m.category))
    return found


def _terms(found: Sequence[Mention]) -> list[str]:
    return list(dict.fromkeys(m.key for m in found))


def _lower(severity: str) -> str:
    return SEVERITIES[max(0, SEVERITIES.index(severity) - 1)]


def flags_for(old_text: str, new_text: str, taxonomy: Sequence[Category]) -> list[Flag]:
    """The categories a change adds (or grows) and removes (or shrinks)."""
    if old_text == new_text:
        return []
    old = mentions(old_text, taxonomy) if old_text else []
    new = mentions(new_text, taxonomy) if new_text else []
    flags = []
    for category in taxonomy:
        old_pos = [m for m in old if m.category == category.id and not m.negated]
        new_pos = [m for m in new if m.category == category.id and not m.negated]
        old_neg = [m for m in old if m.category == category.id and m.negated]
        new_neg = [m for m in new if m.category == category.id and m.negated]
        old_terms = set(_terms(old_pos))
        if new_pos:
            fresh = [m for m in new_pos if m.key not in old_terms]
            if fresh:
                # Only a denial the company made in its own name ("we do not sell") counts.
                was_negated = any(m.first_person for m in old_neg) and not old_pos
                only_definitions = all(m.definition for m in fresh)
                severity = category.severity
                if was_negated:
                    severity = "critical"
                elif only_definitions:
                    severity = _lower(severity)
                flags.append(
                    Flag(
                        category.id,
                        "added",
                        tuple(_terms(fresh)),
                        severity,
                        was_negated=was_negated,
                        definition=only_definitions,
                        positions=tuple((m.start, m.end) for m in fresh),
                    )
                )
        new_terms = set(_terms(new_pos))
        gone = [m for m in old_pos if m.key not in new_terms]
        if gone:
            flags.append(
                Flag(
                    category.id,
                    "removed",
                    tuple(_terms(gone)),
                    _lower(category.severity) if new_pos else category.severity,
                    negated=bool(new_neg) and not new_pos,
                    definition=all(m.definition for m in gone),
                    positions=tuple((m.start, m.end) for m in gone),
                )
            )
    return flags


def present(text: str, category: Category, lowered: str | None = None) -> bool:
    """Whether a text mentions a category other than to deny it (stops at the first)."""
    lowered = text.lower() if lowered is None else lowered
    candidates = (
        _first_matches(text, lowered, category)
        if len(text) > LONG_TEXT and category.anchors is not None
        else _matches(text, lowered, category)
    )
    for match in candidates:
        mention = _mention(text, match, category)
        if mention is not None and not mention.negated:
            return True
    return False
