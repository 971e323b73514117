"""A comparison as CommonMark, for an issue or an e-mail: policy text can never break it."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..category import Category
from ..change import ADDED, GROUP_KINDS, REMOVED, Change, where
from ..comparison import Comparison
from ..inline import DELETE, EQUAL, INSERT, Edit
from .diffview import category_names, flag_sentence, flag_text, folded, summary_line

_INLINE_MARKUP = re.compile(r"([\\`*_\[\]~|])")
# "<" becomes "&lt;", never "\<": Python-Markdown and Markdown.pl do not take "\<" as an
# escape and would pass a policy's "<script>" on as HTML. An "&" only where it could start an
# entity; ">" only where it could start a quote: "A > B" and "Terms & Conditions" stay as
# written, in the source and in headings.
_ENTITY_START = re.compile(r"&(?=#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};|\w+;)")
# What would start a block at the beginning of a line; for a numbered item the "." or ")" is
# escaped, since a backslash before a digit is no escape and would show wherever the text
# does not start a line (a heading naming the section "1. Scope").
_LINE_START = re.compile(r"^(\s*)(?:([#=+>-])|(\d+)([.)]))")
_LINE_END = re.compile(r"(\s)(#+\s*)$")  # would close an ATX heading: "Data sharing #"


def _line(line: str) -> str:
    line = _LINE_START.sub(
        lambda m: m.group(1) + (f"\\{m.group(2)}" if m.group(2) else f"{m.group(3)}\\{m.group(4)}"),
        line,
    )
    return _LINE_END.sub(r"\1\\\2", line)


def escape(text: str) -> str:
    """Policy text as literal CommonMark: no emphasis, links, HTML or headings of its own.

    Only what could start markup is escaped, so the source stays readable in a git diff and
    headings read as written.
    """
    text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", "", text)
    text = _ENTITY_START.sub("&amp;", text).replace("<", "&lt;")
    text = _INLINE_MARKUP.sub(r"\\\1", text)
    return "\n".join(_line(line) for line in text.split("\n"))


# <del> and <ins>, not GFM's ~~: CommonMark and GitHub render them alike, and unlike
# emphasis they need no flanking rules, so a mark next to punctuation is never left as
# literal asterisks. The words inside are escaped like any policy text.
_TAGS = {DELETE: ("<del>", "</del>"), INSERT: ("<ins>", "</ins>")}


def _marked(op: str, text: str) -> str:
    """Deleted or inserted words in their tags, the white space around them outside."""
    if op == EQUAL or not text.strip():
        return escape(text)
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    start, end = _TAGS[op]
    return f"{lead}{start}{escape(text.strip())}{end}{trail}"


def marked_edits(edits: Sequence[Edit]) -> str:
    """The clause with its edits marked (see glued)."""
    return "".join(_marked(op, text) for op, text in glued([(e.op, e.text) for e in edits]))


def glued(runs: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """Runs of (op, words) with a space between a deletion and the insertion replacing it, so
    "do not" replaced by "may" never reads "do notmay"."""
    out: list[tuple[str, str]] = []
    for op, text in runs:
        if out:
            before_op, before = out[-1]
            if (
                EQUAL not in (before_op, op)
                and before_op != op
                and not before[-1:].isspace()
                and not text[:1].isspace()
            ):
                out.append((EQUAL, " "))
        out.append((op, text))
    return out


def edit_runs(change: Change) -> list[tuple[str, str]]:
    """A changed clause as runs of (op, words): its word edits, or the whole clause added,
    removed or as it now reads."""
    if change.edits is not None:
        return glued([(e.op, e.text) for e in change.edits])
    if change.kind == ADDED:
        return [(INSERT, change.new_text or "")]
    if change.kind == REMOVED:
        return [(DELETE, change.old_text or "")]
    return [(EQUAL, change.new_text or "")]


def change_markdown(change: Change) -> str:
    moved_from, section = where(change)
    if moved_from is not None:
        place = f"from {escape(moved_from)} to {escape(section)}"
    else:
        place = escape(section)
    lines = [f"#### {change.kind.capitalize()}: {place}", ""]
    for flag in change.flags:
        sentence = flag_sentence(flag)
        said = f": {escape(sentence)}" if sentence else ""
        lines.extend([f"**⚑ {escape(flag_text(flag).plain)}**{said}", ""])
    if change.kind in GROUP_KINDS:
        lines.extend([f"*{len(change.old)} block(s) became {len(change.new)}:*", ""])
    lines.append("> " + "".join(_marked(op, text) for op, text in edit_runs(change)))
    return "\n".join(lines) + "\n"


def ordered(changes: Sequence[Change]) -> list[Change]:
    """Flagged changes first, then the other changes of words; folded ones are left out."""
    shown = [c for c in changes if not folded(c)]
    return [c for c in shown if c.flags] + [c for c in shown if not c.flags]


def not_shown(changes: Sequence[Change]) -> str:
    """What the changes that changed no word come to, as plain words, or "" when none did."""
    minor = sum(1 for c in changes if c.minor)
    regrouped = sum(1 for c in changes if folded(c) and not c.minor)
    parts = []
    if minor:
        parts.append(f"{minor} minor edit(s) of case or punctuation")
    if regrouped:
        parts.append(f"{regrouped} passage(s) re-laid-out with the same words")
    return f"Not shown: {' and '.join(parts)}." if parts else ""


def folded_line(changes: Sequence[Change]) -> str:
    """One line for the changes that changed no word, or "" when there are none."""
    line = not_shown(changes)
    return f"*{line}*" if line else ""


def render(comparison: Comparison, taxonomy: Sequence[Category] = ()) -> str:
    """Flagged changes first, then the others in reading order; a legend of the categories."""
    parts = [
        f"### {escape(comparison.old.label)} → {escape(comparison.new.label)}",
        "",
        summary_line(comparison),
        "",
    ]
    for name in category_names((a.category for a in comparison.appeared), taxonomy):
        parts.extend([f"**New in this policy: {escape(name)}**", ""])
    for name in category_names((a.category for a in comparison.disappeared), taxonomy):
        parts.extend([f"**No longer in this policy: {escape(name)}**", ""])
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
