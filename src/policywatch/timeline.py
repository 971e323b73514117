"""A policy's history as the report shows it: its versions, its entries (changelog's
vocabulary: each recorded change with its summary and flags) and, for each category of the
taxonomy, when the policy mentioned it.

What pages need of each change (its summary and flags) and of each version (its own date and
the categories it mentions) is small and kept in the archive's cache in a `Memory`
(memory.py), so a rebuild with nothing new reads no comparison at all, and a version's
categories are read once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from .archive import Archive
from .cache import Comparisons
from .category import Category
from .changelog import chain, stated_date
from .comparison import Comparison
from .memory import Facts, Flagged, Memory, Summary, facts_after, facts_of
from .sides import canonical_text, snapshot_side
from .snapshot import Snapshot

# -- a policy's history -------------------------------------------------------------------------


@dataclass(frozen=True)
class Version:
    """One archived version, as the timeline shows it."""

    snapshot: Snapshot
    recorded: bool  # False for a re-extraction (technical), which the entries leave out

    @property
    def stamp(self) -> str:
        return self.snapshot.stamp

    @property
    def returns_to(self) -> str | None:
        return self.snapshot.returns_to

    @property
    def formatting_only(self) -> bool:
        return bool(self.snapshot.meta.get("formatting_only"))

    @property
    def characters(self) -> int:
        return self.snapshot.characters


@dataclass
class Entry:
    """One recorded change of a policy (changelog's vocabulary), with what pages show of it."""

    snapshot: Snapshot
    previous: Snapshot | None
    summary: Summary | None  # None for the first version
    facts: Facts
    facts_before: Facts | None

    @property
    def stamp(self) -> str:
        return self.snapshot.stamp

    @property
    def date(self) -> str:
        return self.snapshot.taken_at.date().isoformat()

    @property
    def returns_to(self) -> str | None:
        return self.snapshot.returns_to

    @property
    def formatting_only(self) -> bool:
        return bool(self.summary and self.summary.formatting_only)

    @property
    def flags(self) -> tuple[Flagged, ...]:
        """Its flags, one per label and category (flags_first: the most severe first)."""
        return self.summary.badges if self.summary else ()

    @property
    def stated(self) -> str | None:
        return self.facts.stated

    @property
    def stated_unchanged(self) -> bool:
        """The text changed but the policy's own date did not."""
        before = self.facts_before.stated if self.facts_before else None
        return bool(self.stated and self.previous and self.stated == before)

    @property
    def news(self) -> bool:
        """A change of words that is news: not the first version, no return, not formatting."""
        return self.previous is not None and not self.returns_to and not self.formatting_only


@dataclass
class History:
    """Everything the pages say of one policy."""

    policy_id: str
    name: str
    url: str
    versions: list[Version]
    entries: list[Entry]  # oldest first, re-extractions left out
    state: dict[str, Any]
    comparisons: dict[str, Comparison] = field(default_factory=dict, repr=False)

    def entry(self, stamp: str) -> Entry:
        return next(e for e in self.entries if e.stamp == stamp)

    @property
    def changes(self) -> list[Entry]:
        """The entries that have a page of their own: every one but the first version."""
        return [e for e in self.entries if e.previous is not None]

    @property
    def last_change(self) -> Entry | None:
        """The last change of words that still stands: one a later return to the text before
        it undid (Reddit 2026-08-19's removals, back to 2026-07-02's text the next day) is not
        what the policy says now."""
        last: Entry | None = None
        at: dict[str, Entry | None] = {}  # the last change standing at each version
        for entry in self.entries:
            if entry.returns_to:
                # Back to that version's text: what stood then stands again (a page flipping
                # between two texts, A B A B, ends with B's change standing).
                back = entry.returns_to
                last = next((a for stamp, a in reversed(at.items()) if stamp <= back), None)
            elif entry.news:
                last = entry
            at[entry.stamp] = last
        return last

    @property
    def failing_since(self) -> str | None:
        value = self.state.get("failing_since")
        return str(value) if value else None

    @property
    def last_reason(self) -> str | None:
        """Why the last check failed."""
        value = self.state.get("last_reason")
        return str(value) if value else None

    @property
    def last_check(self) -> str | None:
        value = self.state.get("last_check")
        return str(value) if value else None

    def last_seen(self) -> datetime | None:
        """The latest moment this policy's record knows of: its last check or last version."""
        moments = [v.snapshot.taken_at for v in self.versions[-1:]]
        if self.last_check:
            with contextlib.suppress(ValueError, OverflowError):  # a state.json edited by hand
                moments.append(_moment(self.last_check))
        return max(moments, default=None)


def _moment(value: str) -> datetime:
    from .dates import parse_time

    return parse_time(value)


def history(
    archive: Archive,
    policy_id: str,
    name: str,
    url: str,
    taxonomy: Sequence[Category],
    comparisons: Comparisons,
    memory: Memory,
) -> History:
    """A policy's versions and entries; comparisons are read only for what the memory lacks
    (kept in `History.comparisons` for the pages of this build)."""
    snapshots = archive.snapshots(policy_id)
    recorded = {id(s) for s, _ in chain(snapshots)}
    found = History(
        policy_id,
        name,
        url,
        [Version(s, id(s) in recorded) for s in snapshots],
        [],
        archive.state(policy_id),
    )
    facts: Facts | None = None
    for snap, previous in chain(snapshots):
        summary = None
        facts_before = facts
        if previous is None:
            facts = _remembered_facts(
                memory, snap, lambda s=snap: facts_of(_text(s), taxonomy, stated_date(s.text))
            )
        else:
            key = pair_key(previous, snap)
            summary = memory.summaries.get(key)
            known = memory.facts.get(snap.text_sha256)
            if summary is None or known is None:
                comparison = compare(comparisons, previous, snap)
                found.comparisons[snap.stamp] = comparison
                summary = Summary.of(comparison)
                memory.summaries[key] = summary
                memory.grown = True
                if known is None:
                    assert facts_before is not None
                    known = facts_after(
                        facts_before, _text(snap), comparison, taxonomy, stated_date(snap.text)
                    )
                    memory.facts[snap.text_sha256] = known
            facts = known
        assert facts is not None
        found.entries.append(_light_entry(snap, previous, summary, facts, facts_before))
    return found


def _remembered_facts(memory: Memory, snap: Snapshot, make: Any) -> Facts:
    known = memory.facts.get(snap.text_sha256)
    if known is None:
        known = memory.facts[snap.text_sha256] = make()
        memory.grown = True
    return known


def _light_entry(
    snap: Snapshot,
    previous: Snapshot | None,
    summary: Summary | None,
    facts: Facts,
    facts_before: Facts | None,
) -> Entry:
    return Entry(_light(snap), _light(previous) if previous else None, summary, facts, facts_before)


def _light(snapshot: Snapshot) -> Snapshot:
    """The same snapshot without its text in memory: a long history holds hundreds."""
    return Snapshot(snapshot.policy_id, snapshot.stamp, snapshot.folder, snapshot.meta)


def _text(snapshot: Snapshot) -> str:
    return canonical_text(snapshot)


def pair_key(old: Snapshot, new: Snapshot) -> str:
    return f"{old.text_sha256}-{new.text_sha256}"


def compare(comparisons: Comparisons, old: Snapshot, new: Snapshot) -> Comparison:
    """The comparison of two versions, from the archive's cache when it holds it."""
    return comparisons.compare(snapshot_side(old), snapshot_side(new))


# -- the category strip ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """A stretch of time on the strip, as percentages of its width."""

    x: str
    width: str
    first: str  # the date it starts
    last: str | None  # the date of the version after it, or None: still so in the latest


@dataclass(frozen=True)
class StripRow:
    category: Category
    spans: tuple[Span, ...]

    @property
    def words(self) -> str:
        """The row as a sentence: its text equivalent."""
        if not self.spans:
            return f"{self.category.id}: never mentioned"
        parts = [
            f"from {s.first} to {s.last}" if s.last else f"from {s.first}, still in the latest"
            for s in self.spans
        ]
        return f"{self.category.id}: mentioned " + "; ".join(parts)


@dataclass(frozen=True)
class Tick:
    x: str
    label: str


@dataclass(frozen=True)
class Strip:
    """For each category, when the policy mentioned it; versions in another language unread."""

    rows: tuple[StripRow, ...]
    unread: tuple[Span, ...]
    years: tuple[Tick, ...]
    versions: tuple[Tick, ...]
    first: str
    last: str

    @property
    def unread_words(self) -> str:
        parts = [
            f"from {s.first} to {s.last}" if s.last else f"from {s.first}" for s in self.unread
        ]
        return "Not in English, so not read: " + "; ".join(parts) + "." if parts else ""


def strip(found: History, taxonomy: Sequence[Category]) -> Strip | None:
    """The strip of a policy, drawn over time from its first version to its last check."""
    entries = found.entries
    if not entries:
        return None
    begin = entries[0].snapshot.taken_at
    end = max(entries[-1].snapshot.taken_at, found.last_seen() or begin)
    # Room after the last version, so what it mentions shows as a stretch, not a line.
    span = max((end - begin).total_seconds(), 86400.0)
    end += timedelta(seconds=max(span * 0.04, 86400.0 * 7))
    total = (end - begin).total_seconds()

    def at(moment: datetime) -> float:
        return 100.0 * (moment - begin).total_seconds() / total

    def stretch(k: int, j: int) -> Span:
        x0 = at(entries[k].snapshot.taken_at)
        x1 = at(entries[j].snapshot.taken_at) if j < len(entries) else 100.0
        last = entries[j].date if j < len(entries) else None
        return Span(f"{x0:.3f}%", f"{max(x1 - x0, 0.2):.3f}%", entries[k].date, last)

    def runs(test: Any) -> tuple[Span, ...]:
        out, k = [], 0
        while k < len(entries):
            if not test(entries[k]):
                k += 1
                continue
            j = k
            while j < len(entries) and test(entries[j]):
                j += 1
            out.append(stretch(k, j))
            k = j
        return tuple(out)

    rows_ = tuple(
        StripRow(c, runs(lambda e, c=c: e.facts.english and c.id in e.facts.categories))
        for c in taxonomy
    )
    years = tuple(
        Tick(f"{at(moment):.3f}%", str(year))
        for year in range(begin.year + 1, end.year + 1)
        if 2.0
        <= at(moment := begin.replace(year=year, month=1, day=1, hour=0, minute=0, second=0))
        <= 98.0
    )
    marks = tuple(Tick(f"{at(e.snapshot.taken_at):.3f}%", e.date) for e in entries)
    unread = runs(lambda e: not e.facts.english)
    return Strip(rows_, unread, years, marks, entries[0].date, entries[-1].date)
