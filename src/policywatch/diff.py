"""Compare two versions of a policy: segment, align, word-level edits for each pair, and each
change's flags read against both versions (what they state, which sentences stand on the other
side, what only names)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from .align import align
from .carry import carried
from .category import Category
from .change import GROUP_KINDS, MODIFIED, MOVED, REFORMATTED, SAME, Change
from .comparison import Appearance, Comparison
from .detect import english, flags_for, term_of
from .flag import Flag
from .inline import word_edits
from .names import names_only, section_names, titles
from .novelty import in_document
from .segment import PARAGRAPH, Clause, lead_in_of, segment
from .sentences import Sentences, sentences
from .sides import Side
from .statements import Statements
from .taxonomy import load_taxonomy


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
    names = (section_names(old_clauses), section_names(new_clauses))
    # What leads in each reworded change's list item, old side and new: read once, for its
    # words' frames and for the flags' quotes.
    leads = [
        (_lead_in(c.old, old_clauses), _lead_in(c.new, new_clauses)) if c.reworded else ("", "")
        for c in changes
    ]
    found = [
        flags_for(c.old_text or "", c.new_text or "", categories, lead) if c.reworded else []
        for c, lead in zip(changes, leads, strict=True)
    ]
    if any(found) and not (english(old.text) and english(new.text)):
        found = [[] for _ in found]  # another language: the taxonomy reads English only
    if any(found):
        found = _in_documents(changes, found, old, new, categories)
    if any(found):
        found = _stated_anew(changes, found, Sentences(old_clauses), Sentences(new_clauses))
    if any(found):
        found = carried(changes, found, old_clauses, new_clauses)
        found = _led_in(changes, found, leads)
    named = [names_only(c, *names) for c in changes]
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


def _led_in(
    changes: Sequence[Change], found: list[list[Flag]], leads: Sequence[tuple[str, str]]
) -> list[list[Flag]]:
    """Each flag of a list item with the sentence that leads in its list, when one ends in a
    colon (a heading is the section already shown)."""
    led = []
    for change, flags, (old_lead, new_lead) in zip(changes, found, leads, strict=True):
        out = []
        for flag in flags:
            side, lead = (
                (change.new, new_lead) if flag.change == "added" else (change.old, old_lead)
            )
            heading = side[0].section[-1] if side and side[0].section else None
            fits = lead.endswith(":") and lead != heading and not flag.lead  # carried: its own
            out.append(replace(flag, lead=lead) if fits else flag)
        led.append(out)
    return led


def _lead_in(clauses: Sequence[Clause], every: Sequence[Clause]) -> str:
    """What leads in a change's first clause on one side, when it is a list item."""
    return lead_in_of(every, clauses[0].position) if clauses else ""


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
            names = titles(text, spans, side[0].kind if side else PARAGRAPH)
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
                terms = tuple(dict.fromkeys(term_of(text[a:b]) for (a, b), _ in fresh))
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


def _flip(flag: Flag) -> bool:
    return flag.was_negated and not flag.negated


def _in_documents(
    changes: Sequence[Change],
    found: list[list[Flag]],
    old: Side,
    new: Side,
    categories: Sequence[Category],
) -> list[list[Flag]]:
    """Each clause's flags read against the two whole documents (novelty.in_document)."""
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


# Tests and benchmarks import these from here, wherever they are defined.
__all__ = ["Comparison", "Side", "compare_texts"]
