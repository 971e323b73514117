"""The static HTML report: which pages it has and what each one shows.

    index.html, by-change.html, by-flags.html, by-status.html   every policy, in four orders
    policies/<id>/index.html          a policy: timeline, category strip, entries
    policies/<id>/<STAMP>.html        the change that made version STAMP (a stable name)
    policies/<id>/text/<STAMP>.html   the text of version STAMP
    policies/<id>/raw/<raw file>      the raw bytes as fetched, named so no browser runs them
    feed.atom, style.css

This module returns data (a policy's history itself is timeline.py); render/html.py draws the
pages, render/site.py decides which to draw and render/reportfolder.py writes them.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from .cache import Comparisons
from .category import Category
from .change import MOVED, Change, where
from .comparison import Comparison
from .flag import Flag, flags_first, led
from .memory import Flagged
from .snapshot import Snapshot
from .timeline import Entry, History, compare

DEFAULT_DAYS = 30  # the index shows the flags of this many days


# -- paths ---------------------------------------------------------------------------------------


def policy_page(policy_id: str) -> str:
    return f"policies/{policy_id}/index.html"


def change_page(policy_id: str, stamp: str) -> str:
    return f"policies/{policy_id}/{stamp}.html"


def text_page(policy_id: str, stamp: str) -> str:
    return f"policies/{policy_id}/text/{stamp}.html"


def raw_copy(snapshot: Snapshot) -> str:
    """Where the raw bytes go: a name that no browser takes for a page (.html becomes
    .html.txt), so a policy's scripts never run from the report."""
    name = snapshot.raw_path.name
    if not name.endswith((".txt", ".pdf")):
        name += ".txt"
    return f"policies/{snapshot.policy_id}/raw/{name}"


def relative(from_page: str, to: str) -> str:
    """A link from one page of the report to another: relative, so the folder works anywhere."""
    here = posixpath.dirname(from_page)
    if not to:  # the report's root folder, as a prefix: "", "../../"
        return "../" * (here.count("/") + 1) if here else ""
    return posixpath.relpath(to, here or ".")


# -- the index ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Order:
    """One way to sort the index: a page of its own, so sorting needs no script."""

    page: str
    label: str


ORDERS = (
    Order("index.html", "name"),
    Order("by-change.html", "latest change"),
    Order("by-flags.html", "recent flags"),
    Order("by-status.html", "failing first"),
)


@dataclass(frozen=True)
class Row:
    """A policy's line in the index."""

    history: History
    recent: tuple[tuple[Entry, Flagged], ...]  # the flags of the window, newest first

    @property
    def status(self) -> str:
        if self.history.failing_since:
            return "failing"
        if not self.history.state:
            return "not checked yet"
        return "ok"


def window_end(histories: Sequence[History]) -> datetime | None:
    """The end of the index's window of recent flags: the latest moment the archive knows of
    (a check or a version), never the clock, so the same archive gives the same pages."""
    moments = [m for h in histories if (m := h.last_seen()) is not None]
    return max(moments, default=None)


def rows(histories: Sequence[History], days: int) -> tuple[list[Row], date | None, date | None]:
    """Each policy's row, with the flags of the `days` up to the window's end."""
    end = window_end(histories)
    start = end - timedelta(days=days) if end is not None else None
    found = []
    for h in histories:
        recent: list[tuple[Entry, Flagged]] = []
        if start is not None:
            for entry in reversed(h.entries):
                if entry.snapshot.taken_at >= start and not entry.returns_to:
                    recent.extend((entry, f) for f in entry.flags)
        found.append(Row(h, tuple(recent)))
    return found, (start.date() if start else None), (end.date() if end else None)


def ordered(found: Sequence[Row], order: Order) -> list[Row]:
    """The rows in one of the ORDERS; ties by name, then id, so the page is stable."""

    def name(row: Row) -> tuple[str, str]:
        return (row.history.name.casefold(), row.history.policy_id)

    by_name = sorted(found, key=name)
    if order.page == "by-change.html":
        return sorted(by_name, key=lambda r: _last_change_stamp(r), reverse=True)
    if order.page == "by-flags.html":
        return sorted(
            by_name,
            key=lambda r: (-len(r.recent), _negative(_last_flag_stamp(r))),
        )
    if order.page == "by-status.html":
        rank = {"failing": 0, "not checked yet": 1, "ok": 2}
        return sorted(by_name, key=lambda r: rank[r.status])
    return by_name


def _last_change_stamp(row: Row) -> str:
    last = row.history.last_change
    return last.stamp if last else ""


def _last_flag_stamp(row: Row) -> str:
    return row.recent[0][0].stamp if row.recent else ""


def _negative(stamp: str) -> tuple[int, ...]:
    return tuple(-ord(c) for c in stamp)


# -- a change's page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FlagView:
    """A flag on its change's page: the sentence that triggered it, its category explained."""

    flagged: Flagged
    category: Category | None
    sentence: tuple[tuple[str, bool], ...]  # runs of the sentence, True where a term stands
    anchor: str  # the change it belongs to


@dataclass(frozen=True)
class ChangeView:
    """One clause change: its two sides as runs of words (op "=", "-" or "+")."""

    anchor: str
    change: Change
    old: tuple[tuple[str, str], ...] | None
    new: tuple[tuple[str, str], ...] | None
    folded: bool
    flags: tuple[FlagView, ...]

    @property
    def kind(self) -> str:
        return self.change.kind

    @property
    def section(self) -> str:
        return where(self.change)[1]

    @property
    def old_section(self) -> str | None:
        return where(self.change)[0]


@dataclass(frozen=True)
class ChangePage:
    history: History
    entry: Entry
    previous_change: Entry | None
    next_change: Entry | None
    changes: tuple[ChangeView, ...]
    flags: tuple[FlagView, ...]
    categories: dict[str, Category]

    @property
    def shown(self) -> list[ChangeView]:
        return [c for c in self.changes if not c.folded]

    @property
    def folded(self) -> list[ChangeView]:
        return [c for c in self.changes if c.folded]


def folded(change: Change) -> bool:
    """Shown closed: minor edits, the same words regrouped, a clause moved with its words."""
    from .render.diffview import folded as folded_in_terminal

    return folded_in_terminal(change) or (change.kind == MOVED and not change.reworded)


def sides(change: Change) -> tuple[tuple[tuple[str, str], ...] | None, ...]:
    """The old side (kept and deleted words) and the new side (kept and inserted words)."""
    if change.edits is not None:
        old = tuple((e.op, e.text) for e in change.edits if e.op != "+")
        new = tuple((e.op, e.text) for e in change.edits if e.op != "-")
        return old, new
    old_text, new_text = change.old_text, change.new_text
    if old_text is not None and new_text is not None and old_text == new_text:
        return (("=", old_text),), (("=", new_text),)
    return (
        (("-", old_text),) if old_text is not None else None,
        (("+", new_text),) if new_text is not None else None,
    )


def marked_sentence(flag: Flag, text: str) -> tuple[tuple[str, bool], ...]:
    """The flag's sentence, its terms marked."""
    if flag.sentence is None:
        return ((flag.said, False),) if flag.sentence_text else ()
    start, end = flag.sentence
    runs: list[tuple[str, bool]] = [(led(flag.lead), False)] if flag.lead else []
    at = start
    for a, b in sorted(flag.positions):
        if a < at or b > end:
            continue
        if a > at:
            runs.append((text[at:a], False))
        runs.append((text[a:b], True))
        at = b
    if at < end:
        runs.append((text[at:end], False))
    return tuple(runs)


def change_view(
    found: History,
    stamp: str,
    comparison: Comparison,
    taxonomy: Sequence[Category],
) -> ChangePage:
    """What the page of one change shows."""
    by_id = {c.id: c for c in taxonomy}
    changes = []
    for n, change in enumerate(comparison.changes, start=1):
        anchor = f"c{n}"
        flags = tuple(
            FlagView(
                Flagged.from_flag(flag),
                by_id.get(flag.category),
                marked_sentence(
                    flag, (change.new_text if flag.change == "added" else change.old_text) or ""
                ),
                anchor,
            )
            for flag in flags_first(change.flags)
        )
        old, new = sides(change)
        changes.append(ChangeView(anchor, change, old, new, folded(change) and not flags, flags))
    rank = {"critical": 0, "high": 1, "medium": 2, "low": 3}
    flags = tuple(
        sorted((f for c in changes for f in c.flags), key=lambda f: rank.get(f.flagged.severity, 4))
    )
    pages = found.changes
    k = next(i for i, e in enumerate(pages) if e.stamp == stamp)
    return ChangePage(
        found,
        pages[k],
        pages[k - 1] if k > 0 else None,
        pages[k + 1] if k + 1 < len(pages) else None,
        tuple(changes),
        flags,
        by_id,
    )


def comparison_for(found: History, stamp: str, comparisons: Comparisons) -> Comparison:
    """The comparison behind a change's page: read while building the history, or now (and
    then kept with the history, for the feed)."""
    known = found.comparisons.get(stamp)
    if known is None:
        entry = found.entry(stamp)
        assert entry.previous is not None
        known = found.comparisons[stamp] = compare(comparisons, entry.previous, entry.snapshot)
    return known


# -- what each page depends on -------------------------------------------------------------------


def key(*parts: Any) -> str:
    """A page's inputs as one hash: the page is drawn again only when this changes."""
    data = json.dumps(parts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def change_inputs(found: History, entry: Entry, version: str) -> str:
    """What a change's page shows: the two texts (by hash), how the code and taxonomy of
    `version` compare them, the snapshots' metadata and the changes before and after it."""
    pages = found.changes
    k = next(i for i, e in enumerate(pages) if e.stamp == entry.stamp)
    neighbours = [pages[i].stamp if 0 <= i < len(pages) else None for i in (k - 1, k + 1)]
    assert entry.previous is not None
    return key(
        "change",
        version,
        found.policy_id,
        found.name,
        entry.previous.meta,
        entry.snapshot.meta,
        neighbours,
    )


def text_inputs(found: History, index: int, version: str) -> str:
    versions = found.versions
    here = versions[index]
    neighbours = [
        versions[i].stamp if 0 <= i < len(versions) else None for i in (index - 1, index + 1)
    ]
    has_change = any(e.stamp == here.stamp for e in found.changes)
    return key(
        "text", version, found.policy_id, found.name, here.snapshot.meta, neighbours, has_change
    )
