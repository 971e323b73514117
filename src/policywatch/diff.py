"""Compare two versions of a policy: segment, align, and word-level edits for each pair."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from .align import align
from .change import GROUP_KINDS, MODIFIED, MOVED, REFORMATTED, SAME, Change
from .comparison import SUMMARY_ORDER, Appearance, Comparison
from .detect import (
    COMPANY_VOICE,
    LABEL_END,
    LABEL_WORDS,
    english,
    flags_for,
    title,
)
from .flag import Flag
from .inline import word_edits
from .segment import HEADING, PARAGRAPH, Clause, segment
from .sentences import Sentences, sentences
from .sides import Side, canonical_text
from .statements import Statements, in_document
from .taxonomy import Category, load_taxonomy


def compare_texts(old: Side, new: Side, taxonomy: Sequence[Category] | None = None) -> Comparison:
    """Align two versions and flag the data practices each change adds or removes."""
    categories = load_taxonomy() if taxonomy is None else taxonomy
    old_clauses, new_clauses = segment(old.text), segment(new.text)
    alignment = align(old_clauses, new_clauses)
    changes = [_with_edits(c) for c in alignment.changes]
    # The same words in the same order: every change is minor or regroups words in place (a
    # move reorders them). Anchors keep their order and regroupings keep their words' order.
    formatting_only = old.text != new.text and not any(
        c.kind == MOVED or c.reworded for c in changes
    )
    names = (_section_names(old_clauses), _section_names(new_clauses))
    found = [
        flags_for(c.old_text or "", c.new_text or "", categories) if c.reworded else []
        for c in changes
    ]
    if any(found) and not (english(old.text) and english(new.text)):
        found = [[] for _ in found]  # another language: the taxonomy reads English only
    if any(found):
        found = _in_documents(changes, found, old, new, categories)
    if any(found):
        found = _stated_anew(changes, found, Sentences(old_clauses), Sentences(new_clauses))
    named = [_names_only(c, *names) for c in changes]
    done = iter(
        replace(
            change,
            flags=tuple(f for f in fs if not (name and not _flip(f))),
        )
        for change, fs, name in zip(changes, found, named, strict=True)
    )
    alignment.entries = [e if e.kind == SAME else next(done) for e in alignment.entries]
    comparison = Comparison(
        old,
        new,
        alignment,
        formatting_only=formatting_only,
        old_clauses=len(old_clauses),
        new_clauses=len(new_clauses),
    )
    _whole_document(comparison)
    return comparison


def _stated_anew(
    changes: Sequence[Change],
    found: list[list[Flag]],
    old: Sentences,
    new: Sentences,
) -> list[list[Flag]]:
    """Each flag with the sentence that triggered it; a flag whose every sentence stands word for
    word on the other side is dropped: the statement moved or was re-laid-out, it is not news."""
    other = {"added": old, "removed": new}
    kept: list[list[Flag]] = []
    for change, flags in zip(changes, found, strict=True):
        out = []
        for flag in flags:
            side = change.new if flag.change == "added" else change.old
            text = (change.new_text if flag.change == "added" else change.old_text) or ""
            spans = sentences(text)
            names = _titles(text, spans, side[0].kind if side else PARAGRAPH)
            fresh: list[tuple[tuple[int, int], tuple[int, int]]] = []
            for position in flag.positions:
                span = next((s for s in spans if s[0] <= position[0] < s[1]), None)
                if span is None or any(a <= position[0] < b for a, b in names):
                    continue
                if not other[flag.change].holds(text[span[0] : span[1]]):
                    fresh.append((position, span))
            if not fresh and flag.positions:
                continue
            if fresh:
                terms = tuple(
                    dict.fromkeys(" ".join(text[a:b].lower().split()) for (a, b), _ in fresh)
                )
                first = fresh[0][1]
                flag = replace(
                    flag,
                    terms=terms,
                    positions=tuple(p for p, _ in fresh),
                    sentence=first,
                    sentence_text=text[first[0] : first[1]],
                )
            out.append(flag)
        kept.append(out)
    return kept


# The name of a setting, a button or a page, quoted (two to six words, the first a capital):
# right before what it names ('the "Behavioral Advertising" setting'), or in a parenthesis of
# such names alone in a sentence about settings ('device-level settings ... ("Reset
# advertising ID" and "Limit Ad Tracking")'). A quoted name elsewhere may be the practice
# itself ('We use "Face Recognition" to suggest tags').
_NAME = r"[“\"](?=[A-Z])(?:[^\s“”\".!?()]+ ){1,5}[^\s“”\".!?()]+[”\"]"
_CONTROL = r"(?:settings?|buttons?|links?|options?|toggles?|menus?|tabs?|switch(?:es)?|controls?)"
_NAMED_CONTROL = re.compile(rf"{_NAME}(?= (?i:{_CONTROL})\b)")
_NAMES_ALONE = re.compile(rf"\({_NAME}(?:,? (?:and |or )?{_NAME})*\)")
_ABOUT_CONTROLS = re.compile(rf"\b{_CONTROL}\b", re.IGNORECASE)


def _titles(text: str, spans: list[tuple[int, int]], kind: str) -> list[tuple[int, int]]:
    """The parts of a clause that only name what follows, and so state no practice: a short
    lead-in sentence before others ("Your Contacts. If you choose to sync ..."), a short
    paragraph alone, or a label before a colon or a dash ("Data Sharing: We do not sell ...",
    "Identifiers – We collect ..."), where the company does not speak ("We collect
    faceprints." is a statement), and the quoted name of a setting ('the "Behavioral
    Advertising" setting'). Short list items, table cells and later sentences are titles
    only in capitals (detect.title): "billing address;" under "We collect:" is a kind of data."""
    found = []
    for k, (a, b) in enumerate(spans):
        label = LABEL_END.search(text, a, b)
        if (
            label is not None
            and len(text[a : label.start()].split()) <= LABEL_WORDS
            and not COMPANY_VOICE.search(text, a, label.start())
        ):
            found.append((a, label.end()))
        lead_in = k == 0 and len(spans) > 1
        alone = len(spans) == 1 and kind in (PARAGRAPH, HEADING)
        if title(text[a:b], listed=not (lead_in or alone)):
            found.append((a, b))
        found.extend(m.span() for m in _NAMED_CONTROL.finditer(text, a, b))
        if _ABOUT_CONTROLS.search(text, a, b):
            found.extend(m.span() for m in _NAMES_ALONE.finditer(text, a, b))
    return found


def _with_edits(change: Change) -> Change:
    """A change with its word edits, and whether they are minor; a paired clause whose words
    stayed while its kind of block changed (a table row become a list item) is reformatted."""
    if change.kind in (MODIFIED, MOVED) and change.old_text != change.new_text:
        edits = tuple(word_edits(change.old_text or "", change.new_text or ""))
        # Hyphenation is spelling too: "nonpublic" and "non-public" are one word.
        same_words = "".join(change.old[0].words) == "".join(change.new[0].words)
        if same_words and change.old[0].kind != change.new[0].kind and change.kind == MODIFIED:
            return replace(change, kind=REFORMATTED, edits=edits)
        return replace(change, edits=edits, minor=same_words)
    if change.kind in GROUP_KINDS:
        old = " ".join(c.text for c in change.old)
        new = " ".join(c.text for c in change.new)
        return replace(change, edits=tuple(word_edits(old, new)))
    return change


NAME_WORDS = 15  # a longer heading may be a sentence set in bold, and is read as one


def _section_names(clauses: Sequence[Clause]) -> set[str]:
    return {c.key for c in clauses if c.kind == HEADING and len(c.text.split()) <= NAME_WORDS}


def _names_only(change: Change, old_names: set[str], new_names: set[str]) -> bool:
    """A change of section names only: headings, and lines with the very text of a heading of
    the same version (a table of contents, or a glossary's terms listed again). A name states
    no practice: its flags are dropped, unless it turns "we do not" into "we may"."""
    return all(c.key in old_names for c in change.old) and all(
        c.key in new_names for c in change.new
    )


def _flip(flag: Flag) -> bool:
    return flag.was_negated and not flag.negated


def _in_documents(
    changes: Sequence[Change],
    found: list[list[Flag]],
    old: Side,
    new: Side,
    categories: Sequence[Category],
) -> list[list[Flag]]:
    """Each clause's flags read against the two whole documents (statements.in_document)."""
    by_id = {c.id: c for c in categories}
    before, after = Statements(old.text), Statements(new.text)
    kept: list[list[Flag]] = []
    for change, flags in zip(changes, found, strict=True):
        out = []
        for flag in flags:
            text = (change.new_text if flag.change == "added" else change.old_text) or ""
            read = in_document(flag, text, before, after, by_id)
            if read is not None:
                out.append(read)
        kept.append(out)
    return kept


def _whole_document(comparison: Comparison) -> None:
    """Categories new to the policy, or gone from it: a NEW or NO LONGER flag (not EXPANDED or
    NARROWED) already says the other version states no practice of it."""
    for direction, target in (
        ("added", comparison.appeared),
        ("removed", comparison.disappeared),
    ):
        carriers: dict[str, list[str]] = {}
        for change in comparison.changes:
            for flag in change.flags:
                if flag.change != direction or flag.definition or flag.expanded or flag.narrowed:
                    continue
                text = change.new_text if direction == "added" else change.old_text
                carriers.setdefault(flag.category, []).append(text or "")
        for category_id, clauses in carriers.items():
            target.append(Appearance(category_id, tuple(clauses)))


# Imported from here by tests, benchmarks and render/, wherever they live.
__all__ = [
    "SUMMARY_ORDER",
    "Comparison",
    "Side",
    "canonical_text",
    "compare_texts",
]
