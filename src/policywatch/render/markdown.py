"""A comparison as CommonMark, for an issue or an e-mail: policy text can never break it."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from ..align import ADDED, MERGED, MOVED, REMOVED, SPLIT, Change
from ..detect import Flag
from ..diff import Comparison, edits_of
from ..inline import DELETE, EQUAL
from ..taxonomy import Category
from .diffview import flag_text, summary_line

_INLINE_MARKUP = re.compile(r"([\\`*_\[\]~|])")
_LINE_START = re.compile(r"^(\s*)([#=+-]|\d+(?=[.)]))")


def escape(text: str) -> str:
    """Policy text as literal CommonMark: no emphasis, links, HTML or headings of its own.

    Only what could start markup is escaped, so the source stays readable in a git diff.
    """
    text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", text)
    text = html.escape(text, quote=False)
    text = _INLINE_MARKUP.sub(r"\\\1", text)
    return "\n".join(_LINE_START.sub(r"\1\\\2", line) for line in text.split("\n"))


def _marked(op: str, text: str) -> str:
    """~~deleted~~ and **inserted**, with the markers hugging words so CommonMark honours them."""
    if op == EQUAL or not text.strip():
        return escape(text)
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    marker = "~~" if op == DELETE else "**"
    return f"{lead}{marker}{escape(text.strip())}{marker}{trail}"


def change_markdown(change: Change, flags: Sequence[Flag] = ()) -> str:
    title = change.kind.capitalize()
    section = change.section
    if change.kind == MOVED and change.old:
        where = (
            f"from {escape(change.old[0].section_path or '(top)')} to {escape(section or '(top)')}"
        )
    else:
        where = escape(section) if section else "(top)"
    lines = [f"#### {title}: {where}", ""]
    for flag in flags:
        lines.extend([f"**⚑ {escape(flag_text(flag).plain)}**", ""])
    edits = edits_of(change)
    if change.kind in (SPLIT, MERGED):
        for clause in change.old:
            lines.append(f"> ~~{escape(clause.text)}~~" if clause.text.strip() else ">")
            lines.append(">")
        for clause in change.new:
            lines.append(f"> **{escape(clause.text)}**")
            lines.append(">")
        lines.pop()
    elif edits is not None:
        lines.append("> " + "".join(_marked(e.op, e.text) for e in edits))
    elif change.kind == ADDED:
        lines.append(f"> **{escape(change.new_text or '')}**")
    elif change.kind == REMOVED:
        lines.append(f"> ~~{escape(change.old_text or '')}~~")
    else:
        lines.append(f"> {escape(change.new_text or '')}")
    return "\n".join(lines) + "\n"


def render(comparison: Comparison, taxonomy: Sequence[Category] = ()) -> str:
    """Flagged changes first, then the others in reading order; a legend of the categories."""
    parts = [
        f"### {escape(comparison.old.label)} → {escape(comparison.new.label)}",
        "",
        summary_line(comparison),
        "",
    ]
    for appearance in comparison.appeared:
        parts.extend([f"**New in this policy: {escape(appearance.category)}**", ""])
    for appearance in comparison.disappeared:
        parts.extend([f"**No longer in this policy: {escape(appearance.category)}**", ""])
    pairs = list(zip(comparison.changes, comparison.flags, strict=True))
    ordered = [p for p in pairs if p[1]] + [p for p in pairs if not p[1]]
    parts.extend(change_markdown(change, flags) for change, flags in ordered)
    flagged = {f.category for _, flags in pairs for f in flags}
    if flagged and taxonomy:
        parts.append("---\n")
        for category in taxonomy:
            if category.id in flagged:
                parts.append(
                    f"- **{escape(category.id)}**: {escape(category.explain)} "
                    f"({escape(category.legal_hook)})"
                )
    return "\n".join(parts).rstrip("\n") + "\n"
