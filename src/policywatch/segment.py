"""Policy text -> clauses: headings, paragraphs, list items and table rows, with section paths.

Formatting is not content: re-wrapped lines, bullet characters, list numbers, emphasis markers,
link targets, setext or ATX headings, non-breaking spaces and blank lines never change a clause.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HEADING, PARAGRAPH, ITEM, ROW = "heading", "paragraph", "item", "row"


@dataclass(frozen=True)
class Clause:
    """One unit of a policy that a reader would quote."""

    kind: str
    text: str  # the words, formatting removed
    section: tuple[str, ...]  # the headings above it, outermost first
    position: int  # its index among the document's clauses
    level: int = 0  # a heading's level (1 for the top)
    key: str = ""  # what is compared: the words with typography folded (see key_of)

    @property
    def section_path(self) -> str:
        return " > ".join(self.section)


_ATX = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^\s{0,3}(=+|-+)\s*$")
_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
# CommonMark's list markers, plus the bullet characters of text pasted from PDFs and Word.
_BULLET = re.compile(r"^(\s*)(?:([-*+•●▪◦‣])|(\d{1,9})[.)])\s+")
_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_QUOTE = re.compile(r"^\s{0,3}>\s?")

_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\((?:[^()\s]|\([^()]*\))*(?:\s+\"[^\"]*\")?\)")
_BR = re.compile(r"<br\s*/?>", re.I)
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_MARKERS = re.compile(r"[*_]+")
_HIDDEN = {"*": "\ue000", "_": "\ue001"}
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~])")
_ODD_SPACES = "\u00a0\u2007\u202f\u2002\u2003\u2009\t\f\v"
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"


def _emphasis(match: re.Match[str]) -> str:
    """Drop a run of * or _ that opens or closes a word; keep `5 * 3` and snake_case."""
    text, start, end = match.string, match.start(), match.end()
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    opens = not before.isalnum() and not after.isspace()
    closes = not before.isspace() and not after.isalnum()
    return "" if opens or closes else match.group()


def clean(text: str) -> str:
    """A clause's words: markdown emphasis, link targets and odd spaces removed."""
    # Each pattern runs only where its marker occurs: most clauses have none.
    if "](" in text:
        text = _LINK.sub(r"\1", _IMAGE.sub(r"\1", text))
    if "<" in text:
        text = _BR.sub(" ", _AUTOLINK.sub(r"\1", text))
    escaped = "\\" in text
    if escaped:  # an escaped marker is a character, not emphasis: hide it from the next step
        text = _ESCAPE.sub(lambda m: _HIDDEN.get(m.group(1), m.group(1)), text)
    if "*" in text or "_" in text:
        text = _MARKERS.sub(_emphasis, text)
    if escaped:
        text = text.replace("\ue000", "*").replace("\ue001", "_")
    return " ".join(text.split())


# Typography is not content either: curly and straight quotes, dash styles, link arrows.
_TYPOGRAPHY = (
    ("‘", "'"), ("’", "'"), ("‚", "'"), ("‛", "'"), ("“", '"'), ("”", '"'), ("„", '"'),
    ("«", '"'), ("»", '"'), ("–", "-"), ("—", "-"), ("‐", "-"), ("‑", "-"), ("…", "..."),
    (" ↗", ""), ("↗", ""), ("↪", ""), ("➔", ""), ("→", ""),
)  # fmt: skip


def key_of(text: str) -> str:
    """The form of a clause's words that alignment compares."""
    if text.isascii():
        return text
    for typographic, plain in _TYPOGRAPHY:
        if typographic in text:
            text = text.replace(typographic, plain)
    return " ".join(text.split())


def _row(line: str) -> str:
    cells = [clean(cell) for cell in line.strip().strip("|").split("|")]
    return " | ".join(cells)


def _blocks(text: str) -> list[tuple[str, str, int]]:
    """(kind, raw text, heading level) for each block, in order."""
    blocks: list[tuple[str, str, int]] = []
    for char in _ODD_SPACES:
        text = text.replace(char, " ")
    for char in _INVISIBLE:
        text = text.replace(char, "")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    current: list[str] = []
    current_kind = PARAGRAPH

    def flush() -> None:
        nonlocal current, current_kind
        if current:
            blocks.append((current_kind, " ".join(current), 0))
        current = []
        current_kind = PARAGRAPH

    for raw in lines:
        stripped = raw.strip()
        if not stripped:
            flush()
            continue
        if stripped[0].isalpha() and stripped[1:2] not in (".", ")"):
            current.append(stripped)  # the common case: a line of plain words
            continue
        line = _QUOTE.sub("", raw)
        stripped = line.strip()
        setext = _SETEXT.match(line)
        if setext and current and current_kind == PARAGRAPH:
            level = 1 if setext.group(1)[0] == "=" else 2
            blocks.append((HEADING, " ".join(current), level))
            current = []
            continue
        if _RULE.match(line):
            flush()
            continue
        atx = _ATX.match(line)
        if atx:
            flush()
            blocks.append((HEADING, atx.group(2), len(atx.group(1))))
            continue
        if stripped.startswith("|"):
            flush()
            if not _TABLE_SEPARATOR.match(stripped):
                blocks.append((ROW, stripped, 0))
            continue
        bullet = _BULLET.match(line)
        # As in CommonMark, only "1." may interrupt a paragraph: "in Section\n2. What" is text.
        if bullet and bullet.group(3) and current and current_kind == PARAGRAPH:
            bullet = None if bullet.group(3) != "1" else bullet
        if bullet:
            flush()
            current_kind = ITEM
            current = [line[bullet.end() :]]
            continue
        current.append(stripped)
    flush()
    return blocks


def segment(text: str) -> list[Clause]:
    """Split a policy text into clauses with their section paths."""
    clauses: list[Clause] = []
    headings: list[tuple[int, str]] = []
    for kind, raw, level in _blocks(text):
        words = _row(raw) if kind == ROW else clean(raw)
        if not words or (kind == ROW and not words.strip(" |")):
            continue
        section = tuple(h for _, h in headings)
        if kind == HEADING:
            while headings and headings[-1][0] >= level:
                headings.pop()
            section = tuple(h for _, h in headings)
            headings.append((level, words))
        clauses.append(Clause(kind, words, section, len(clauses), level, key_of(words)))
    return clauses
