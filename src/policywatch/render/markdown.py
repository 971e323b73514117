"""A comparison as CommonMark, for an issue or an e-mail: policy text can never break it."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from ..align import ADDED, GROUP_KINDS, MOVED, REMOVED, Change
from ..diff import Comparison
from ..inline import DELETE, EQUAL
from ..taxonomy import Category
from .diffview import flag_sentence, flag_text, folded, summary_line

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


def change_markdown(change: Change) -> str:
    title = change.kind.capitalize()
    section = change.section
    if change.kind == MOVED and change.old:
        where = (
            f"from {escape(change.old[0].section_path or '(top)')} to {escape(section or '(top)')}"
        )
    else:
        where = escape(section) if section else "(top)"
    lines = [f"#### {title}: {where}", ""]
    for flag in change.flags:
        sentence = flag_sentence(flag)
        said = f": {escape(sentence)}" if sentence else ""
        lines.extend([f"**⚑ {escape(flag_text(flag).plain)}**{said}", ""])
    edits = change.edits
    if change.kind in GROUP_KINDS:
        lines.extend([f"*{len(change.old)} block(s) became {len(change.new)}:*", ""])
    if edits is not None:
        lines.append("> " + "".join(_marked(e.op, e.text) for e in edits))
    elif change.kind == ADDED:
        lines.append(f"> **{escape(change.new_text or '')}**")
    elif change.kind == REMOVED:
        lines.append(f"> ~~{escape(change.old_text or '')}~~")
    else:
        lines.append(f"> {escape(change.new_text or '')}")
    return "\n".join(lines) + "\n"


def ordered(changes: Sequence[Change]) -> list[Change]:
    """Flagged changes first, then the other changes of words; folded ones are left out."""
    shown = [c for c in changes if not folded(c)]
    return [c for c in shown if c.flags] + [c for c in shown if not c.flags]


def folded_line(changes: Sequence[Change]) -> str:
    """One line for the changes that changed no word, or "" when there are none."""
    minor = sum(1 for c in changes if c.minor)
    regrouped = sum(1 for c in changes if folded(c) and not c.minor)
    parts = []
    if minor:
        parts.append(f"{minor} minor edit(s) of case or punctuation")
    if regrouped:
        parts.append(f"{regrouped} passage(s) re-laid-out with the same words")
    return f"*Not shown: {' and '.join(parts)}.*" if parts else ""


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
    parts.extend(change_markdown(change) for change in ordered(comparison.changes))
    quiet = folded_line(comparison.changes)
    if quiet:
        parts.extend([quiet, ""])
    flagged = {f.category for f in comparison.flags}
    if flagged and taxonomy:
        parts.append("---\n")
        for category in taxonomy:
            if category.id in flagged:
                parts.append(
                    f"- **{escape(category.id)}**: {escape(category.explain)} "
                    f"({escape(category.legal_hook)})"
                )
    return "\n".join(parts).rstrip("\n") + "\n"
