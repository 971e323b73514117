"""A comparison in the terminal: each change with its section and inline edits, context folded."""

from __future__ import annotations

import re
from collections.abc import Iterable

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..category import Category
from ..change import (
    ADDED,
    GROUP_KINDS,
    MERGED,
    MODIFIED,
    MOVED,
    REFORMATTED,
    REMOVED,
    SAME,
    SPLIT,
    Change,
    where,
)
from ..comparison import Comparison, counts_line
from ..flag import Flag, flag_title, quoted
from ..inline import DELETE, EQUAL, INSERT
from .safe import plain

SIGNS = {MODIFIED: "~", ADDED: "+", REMOVED: "-", MOVED: ">", SPLIT: "<", MERGED: ">",
         REFORMATTED: "="}  # fmt: skip
KIND_STYLE = {
    MODIFIED: "bold yellow",
    ADDED: "bold green",
    REMOVED: "bold red",
    MOVED: "bold cyan",
    SPLIT: "bold magenta",
    MERGED: "bold magenta",
    REFORMATTED: "dim",
}
DELETED_STYLE = "red strike"
INSERTED_STYLE = "bold green underline"
TERM_STYLE = "bold reverse"
FLAG_STYLE = {"critical": "bold white on red", "high": "bold red", "medium": "bold yellow",
              "low": "yellow"}  # fmt: skip


def flag_text(flag: Flag) -> Text:
    """ "EXPANDED biometric (faceprints, voiceprints)", the label the JSON gives, in one line."""
    line = Text()
    named = flag_title(flag.shown_label, flag.category, (), flag.of)
    line.append(named, FLAG_STYLE.get(flag.severity, "bold"))
    if flag.terms:
        line.append(" (" + plain(", ".join(flag.terms)) + ")")
    return line


def flag_sentence(flag: Flag) -> str:
    """The sentence that triggered a flag, after what leads its list in (if anything does),
    quoted on one line ("" when it has none)."""
    return quoted(flag.said)


def category_names(ids: Iterable[str], taxonomy: Iterable[Category]) -> list[str]:
    """Categories as readers see them, by name (the JSON keeps the ids, for programs); an id
    the taxonomy does not know is shown as it is."""
    names = {c.id: c.name for c in taxonomy}
    return [names.get(i, i) for i in ids]


def legend(categories: list[Category]) -> Text:
    """Each flagged category once: what it means, and the law that makes it matter."""
    out = Text()
    for category in categories:
        if out:
            out.append("\n")
        out.append(f"{category.id}", "bold")
        out.append(f": {plain(category.explain)} ")
        out.append(f"({plain(category.legal_hook)})", "dim")
    return out


class Marks:
    """How deletions and insertions show: colours on a terminal, [-x-] and {+x+} without."""

    def __init__(self, color: bool) -> None:
        self.color = color

    def append(self, line: Text, op: str, text: str) -> None:
        text = plain(text)
        if op == EQUAL:
            line.append(text)
        elif self.color:
            line.append(text, DELETED_STYLE if op == DELETE else INSERTED_STYLE)
        else:
            line.append(f"[-{text}-]" if op == DELETE else f"{{+{text}+}}")


def summary_line(comparison: Comparison) -> str:
    """ "2 modified, 1 added; 3 minor", or "formatting only: no word changed"; with
    --only-flagged, "2 flagged change(s) shown (2 modified) of all: 21 modified, ..."."""
    whole = comparison.whole
    if whole is not None and (whole.differs or whole.formatting_only):
        if not comparison.differs:
            return f"no flagged change, of {_all(whole)}"
        line = counts_line(comparison.shown())
        return f"{len(comparison.changes)} flagged change(s) shown ({line}) of {_all(whole)}"
    if not comparison.differs:
        return "no changes" if not comparison.formatting_only else FORMATTING_ONLY
    line = counts_line(comparison.shown())
    return f"{FORMATTING_ONLY} ({line})" if comparison.formatting_only else line


def _all(whole: Comparison) -> str:
    """Every change of a comparison only some of whose changes are shown."""
    if whole.formatting_only:
        return f"all: {FORMATTING_ONLY}"
    line = counts_line(whole.shown())
    return f"all: {line}" if line else "no change at all"


FORMATTING_ONLY = "formatting only: no word changed"


def folded(change: Change) -> bool:
    """Changes shown as one line: minor edits, and the same words regrouped into other blocks."""
    return change.minor or (change.kind in GROUP_KINDS and not change.reworded)


def _header(change: Change) -> Text:
    line = Text()
    line.append(f"{SIGNS[change.kind]} {change.kind}", KIND_STYLE[change.kind])
    moved_from, section = where(change)
    if moved_from is not None:
        line.append(" from ", "dim")
        line.append(plain(moved_from), "dim italic")
        line.append(" to ", "dim")
        line.append(plain(section), "dim italic")
    elif change.section or change.within:
        line.append(" · ", "dim")
        line.append(plain(section), "dim italic")
    return line


def _body(change: Change, marks: Marks, side: str | None = None) -> Text:
    """The change's words; side picks 'old' or 'new' only (for side by side)."""
    body = Text()
    edits = change.edits
    # Blocks split or merged read word by word too, as the markdown shows them; side by side,
    # each side lists its own blocks.
    if edits is not None and (change.kind not in GROUP_KINDS or side is None):
        for edit in edits:
            if (side == "old" and edit.op == INSERT) or (side == "new" and edit.op == DELETE):
                continue
            marks.append(body, edit.op, edit.text)
        return body
    if change.kind in GROUP_KINDS:
        olds = [c.text for c in change.old]
        news = [c.text for c in change.new]
        if side != "new":
            for text in olds:
                marks.append(body, DELETE if side is None else EQUAL, text + "\n")
        if side != "old":
            for text in news:
                marks.append(body, INSERT if side is None else EQUAL, text + "\n")
        body.rstrip()
        return body
    op = INSERT if change.kind == ADDED else DELETE if change.kind == REMOVED else EQUAL
    words = change.new_text if change.kind != REMOVED else change.old_text
    marks.append(body, op if side is None else EQUAL, words or "")
    return body


CONTEXT_CHARS = 160


def _context(clause_text: str) -> Text:
    """An unchanged clause around a change, shortened: it is there to say where we are."""
    words = plain(clause_text)
    if len(words) > CONTEXT_CHARS:
        words = words[: CONTEXT_CHARS - 1].rsplit(" ", 1)[0] + " …"
    return Text("  " + words, "dim")


def render(
    console: Console,
    comparison: Comparison,
    *,
    context: int = 1,
    side_by_side: bool = False,
    color: bool = True,
    taxonomy: list[Category] | None = None,
) -> None:
    """Print the comparison: a title, each change (context folded), a summary."""
    marks = Marks(color)
    title = Text()
    title.append(plain(comparison.old.label), "bold")
    title.append(" -> ")
    title.append(plain(comparison.new.label), "bold")
    console.print(title)
    entries = comparison.alignment.entries
    shown: set[int] = set()
    for index, entry in enumerate(entries):
        if entry.kind != SAME:
            shown.update(range(max(0, index - context), min(len(entries), index + context + 1)))
    hidden = 0
    for index, entry in enumerate(entries):
        if index not in shown:
            hidden += 1
            continue
        if hidden:
            console.print(Text(f"  ... {hidden} unchanged clause(s) ...", "dim"))
            hidden = 0
        if entry.kind == SAME:
            console.print(_context(entry.new[0].text))
            continue
        if folded(entry):
            console.print(_folded(entry))
            continue
        console.print(_change(entry, marks, side_by_side, list(entry.flags)))
    if hidden and shown:
        console.print(Text(f"  ... {hidden} unchanged clause(s) ...", "dim"))
    console.print(Text(""))
    known = taxonomy or ()
    for name in category_names((a.category for a in comparison.appeared), known):
        console.print(Text(f"New in this policy: {plain(name)}", "bold red"))
    for name in category_names((a.category for a in comparison.disappeared), known):
        console.print(Text(f"No longer in this policy: {plain(name)}", "bold"))
    console.print(Text(summary_line(comparison), "bold"))
    flagged_ids = {f.category for f in comparison.flags}
    if flagged_ids and taxonomy:
        console.print(legend([c for c in taxonomy if c.id in flagged_ids]))


def _folded(change: Change) -> Text:
    """One line for a change that changed no word: what kind, where, how many blocks."""
    line = _header(change)
    if change.minor:
        line.append(" (case or punctuation only)", "dim")
    elif change.kind in GROUP_KINDS:
        line.append(f" ({len(change.old)} block(s) -> {len(change.new)}, same words)", "dim")
    return line


def _change(change: Change, marks: Marks, side_by_side: bool, flags: list[Flag]) -> RenderableType:
    lines: list[RenderableType] = [Text(""), _header(change)]
    for flag in flags:
        lines.append(Text("  ⚑ ").append_text(flag_text(flag)))
        sentence = flag_sentence(flag)
        if sentence:
            lines.append(Text("    " + plain(sentence), "italic"))
    # A flag an item carries from its lead-in has terms the item does not hold (no positions).
    terms = [t for flag in flags if flag.positions for t in flag.terms]
    if not side_by_side:
        body = _indent(_body(change, marks))
        if marks.color and terms:
            _highlight(body, terms)
        return Group(*lines, body)
    table = Table(show_header=False, expand=True, box=None, padding=(0, 1))
    table.add_column("old", ratio=1)
    table.add_column("new", ratio=1)
    old = _body(change, marks, "old") if change.old else Text("")
    new = _body(change, marks, "new") if change.new else Text("")
    if marks.color and terms:
        _highlight(new, terms)
        _highlight(old, terms)
    table.add_row(old, new)
    return Group(*lines, table)


def _highlight(text: Text, terms: Iterable[str]) -> None:
    """A flag's terms marked where they stand as words ("sell", not the "sell" of "Reseller")."""
    alternatives = "|".join(re.escape(t) for t in sorted(set(terms), key=len, reverse=True))
    text.highlight_regex(rf"(?i)(?<!\w)(?:{alternatives})(?!\w)", TERM_STYLE)


def _indent(body: Text) -> Text:
    lines = body.split("\n")
    out = Text()
    for k, line in enumerate(lines):
        if k:
            out.append("\n")
        out.append("  ")
        out.append_text(line)
    return out
