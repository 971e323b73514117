"""Canonical text -> clauses: headings, paragraphs, list items and table rows, with section paths.

The text is already canonical (canonical.py): markdown, HTML and the rest were parsed there, so
this only reads one block a line. Formatting is not content: list numbers, enumerators,
reference markers and typography are not part of what alignment compares (a clause's key).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

HEADING, PARAGRAPH, ITEM, ROW = "heading", "paragraph", "item", "row"


@dataclass(unsafe_hash=True)  # not frozen: a frozen one takes three times as long to make,
class Clause:  # and a long policy has thousands; nothing changes a clause once it is made
    """One unit of a policy that a reader would quote."""

    kind: str
    text: str  # the words, formatting removed
    section: tuple[str, ...]  # the headings above it, outermost first
    position: int  # its index among the document's clauses
    level: int = 0  # a heading's level (1 for the top); a list item's depth (1 for the top)
    key: str = ""  # what is compared: the words with typography folded (see key_of)

    @cached_property
    def words(self) -> tuple[str, ...]:
        """The key's words, lower-cased, without punctuation (words_of); made when first read,
        since most clauses of a comparison are unchanged and never need them."""
        return tuple(words_of(self.key))

    @property
    def section_path(self) -> str:
        return " > ".join(self.section)


# Reference markers are not words: footnote and annotation numbers ("[12]", "[^3]", "¹²"),
# renumbered whenever one is added before them.
_REFERENCE = re.compile(r"\[\^?\d{1,3}\]|\^\d{1,3}\b|(?<=\w)[¹²³⁰⁴-⁹]+")
# A clause's own enumerator ("3.", "2.1", "(b)", "iv)") is numbering, not words: inserting a
# section renumbers every later one.
_ENUMERATOR = re.compile(
    r"^(?:\(?\d{1,3}(?:\.\d{1,3})*[.)]|\d{1,3}(?:\.\d{1,3})+(?=\s+(?-i:[A-Z]))|\(\d{1,3}\)|\(?[a-z][.)]|\(?[ivx]{1,5}[.)]|[-*+•●▪◦‣·])\s+(?=\S)",
    re.I,
)

# Typography is not content either: curly and straight quotes, dash styles, link arrows.
_TYPOGRAPHY = (
    ("‘", "'"), ("’", "'"), ("‚", "'"), ("‛", "'"), ("“", '"'), ("”", '"'), ("„", '"'),
    ("«", '"'), ("»", '"'), ("–", "-"), ("—", "-"), ("‐", "-"), ("‑", "-"), ("…", "..."),
    (" ↗", ""), ("↗", ""), ("↪", ""), ("➔", ""), ("→", ""),
)  # fmt: skip
_TYPOGRAPHIC_CHARS = "".join(sorted({c for t, _ in _TYPOGRAPHY for c in t.strip()}))
_SUPERSCRIPT_CHARS = "¹²³⁰⁴-⁹"  # a class's contents: ⁴ to ⁹ are one run
_TYPOGRAPHIC = re.compile(f"[{_TYPOGRAPHIC_CHARS}]")
_SUPERSCRIPT = re.compile(f"[{_SUPERSCRIPT_CHARS}]")
# Either: most clauses outside ASCII hold neither, and one look tells (1.3 ms on the stress pair).
_TYPOGRAPHIC_OR_SUPERSCRIPT = re.compile(f"[{_TYPOGRAPHIC_CHARS}{_SUPERSCRIPT_CHARS}]")


@lru_cache(maxsize=16384)  # consecutive versions share most clauses: each is keyed once
def key_of(text: str) -> str:
    """The form of a clause's words that alignment compares: typography folded, reference
    markers and the clause's own enumerator dropped."""
    if not text.isascii() and _TYPOGRAPHIC_OR_SUPERSCRIPT.search(text):
        if _TYPOGRAPHIC.search(text):
            arrow = False
            for typographic, plain in _TYPOGRAPHY:
                if typographic in text:
                    text = text.replace(typographic, plain)
                    arrow = arrow or not plain
            if arrow:  # a link arrow gone may leave two spaces
                text = " ".join(text.split())
        if _SUPERSCRIPT.search(text):
            text = " ".join(_REFERENCE.sub("", text).split())
    if "[" in text or "^" in text:
        text = " ".join(_REFERENCE.sub("", text).split())
    for _ in range(2):  # "• 3. Sharing": a bullet and a number
        if text[:1].isdigit() or text[:1] in "(ivxIVX•●▪◦‣·-*+" or text[1:2] in ".)":
            text = _ENUMERATOR.sub("", text, count=1)
    return text


_WORD = re.compile(r"[^\W_]+")  # an underscore is emphasis or a link's, not a word


def words_of(key: str) -> list[str]:
    """The words of a clause's key, lower-cased, punctuation gone: what wording means."""
    return _WORD.findall(key.lower())


def wording(text: str) -> list[str]:
    """A canonical text's words in order, lower-cased, with no markers, enumerators or
    reference numbers: two versions with the same wording differ only in formatting."""
    return [w for c in segment(text) for w in c.words]


def same_wording(old: str, new: str) -> bool:
    """Whether two canonical texts have the same words in the same order, hyphens being
    spelling ("two-factor" and "two factor" are one), as a diff judges a change minor."""
    return "".join(wording(old)) == "".join(wording(new))


_HEADING = re.compile(r"(#{1,6})(?: +(.*))?$")
_ITEM = re.compile(r"(?:- |\d{1,9}\. )")
_TABLE_SEPARATOR = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def _row(line: str) -> str:
    cells = [" ".join(cell.split()) for cell in line.strip().strip("|").split("|")]
    return " | ".join(cells)


def _blocks(text: str) -> list[tuple[str, str, int]]:
    """(kind, words, level) for each block of a canonical text, in order: a heading's level, a
    list item's depth."""
    blocks: list[tuple[str, str, int]] = []
    current: list[str] = []
    current_kind = PARAGRAPH
    depth = 0  # the list item's, for an item

    def flush() -> None:
        nonlocal current_kind, depth
        if current:
            blocks.append((current_kind, " ".join(current), depth))
            current.clear()
        current_kind = PARAGRAPH
        depth = 0

    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            flush()
            continue
        first = line[0]
        if first.isalpha() or first in "\"'(“‘«[*_":
            current.append(line)  # the common case: a line of words
            continue
        if first == "\\":
            current.append(line[1:])  # words that look like a marker
            continue
        if first == "#" and (heading := _HEADING.match(line)):
            flush()
            blocks.append((HEADING, heading.group(2) or "", len(heading.group(1))))
            continue
        if first == "|":
            flush()
            if not _TABLE_SEPARATOR.match(line):
                blocks.append((ROW, _row(line), 0))
            continue
        if (first == "-" or first.isdigit()) and (item := _ITEM.match(line)):
            flush()
            current_kind = ITEM
            depth = (len(raw) - len(raw.lstrip())) // 2 + 1
            current.append(line[item.end() :])
            continue
        current.append(line)
    flush()
    return blocks


_PAGE_NUMBER = re.compile(r"\d{1,3}")
PAGES = 3  # numbered pages before numbers alone read as page numbers


def _page_numbers(blocks: Sequence[tuple[str, str, int]]) -> set[int]:
    """The blocks that number a document's pages: paragraphs of a number alone that count up
    from the first pages through the text (Parler's policy as recorded from its PDF: "1", "2"
    ... "14" between paragraphs), never a clause a reader would quote. A number alone that does
    not count ("13" become "16" in a table of ages) is words."""
    numbers = [
        (i, int(words))
        for i, (kind, words, _) in enumerate(blocks)
        if kind == PARAGRAPH and _PAGE_NUMBER.fullmatch(words)
    ]
    values = [n for _, n in numbers]
    counting = (
        len(values) >= PAGES
        and values[0] <= 2
        and all(0 < b - a <= 2 for a, b in itertools.pairwise(values))
    )
    return {i for i, _ in numbers} if counting else set()


def segment(text: str) -> list[Clause]:
    """Split a canonical text (see canonical.py) into clauses with their section paths."""
    clauses: list[Clause] = []
    headings: list[tuple[int, str]] = []
    below: tuple[str, ...] = ()  # the section of the clauses after the last heading
    blocks = _blocks(text)
    pages = _page_numbers(blocks)
    for at, (kind, words, level) in enumerate(blocks):
        if not words or (kind == ROW and not words.strip(" |")) or at in pages:
            continue
        section = below
        if kind == HEADING:
            while headings and headings[-1][0] >= level:
                headings.pop()
            section = tuple(h for _, h in headings)
            headings.append((level, words))
            below = (*section, words)
        key = key_of(words)
        clauses.append(Clause(kind, words, section, len(clauses), level, key))
    return clauses


def lead_in_of(clauses: Sequence[Clause], at: int) -> str:
    """What leads in a list item: the item it is nested in, the last sentence of the paragraph
    before its list when that ends in a colon ("We work with other Meta Companies in:"), or its
    heading; "" for a clause that is no list item, or whose list follows other words."""
    lead = leading_clause(clauses, at)
    if lead is None:
        return ""
    before = clauses[lead]
    return before.text if before.kind == HEADING else last_sentence(before.text)


def leading_clause(clauses: Sequence[Clause], at: int) -> int | None:
    """The position of the clause that leads in a list item (lead_in_of); None when none does."""
    clause = clauses[at]
    if clause.kind != ITEM:
        return None
    for back in range(at - 1, -1, -1):
        before = clauses[back]
        if before.kind == ITEM and before.level >= clause.level:
            continue
        if before.kind in (HEADING, ITEM) or before.text.endswith(":"):
            return back
        return None
    return None


_SENTENCE_GAP = re.compile(r"(?<=[.!?])\s+")


def last_sentence(text: str) -> str:
    """The last sentence of a block: what leads in the list after it."""
    return _SENTENCE_GAP.split(text)[-1]
