"""A policy's history as entries: each recorded change, with its clause changes and flags."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from typing import Any

from .archive import Archive
from .cache import Comparisons
from .category import Category
from .change import change_json
from .comparison import Comparison
from .sides import snapshot_side
from .snapshot import Snapshot

_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_DATE = (
    rf"(?:(?:{_MONTHS})\.? \d{{1,2}}(?:st|nd|rd|th)?,? \d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?(?: of)? (?:{_MONTHS})\.?,? \d{{4}}"
    rf"|(?:{_MONTHS}) \d{{4}}"
    r"|\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{1,2}[./]\d{2,4})"
)
_STATED = re.compile(
    r"\b(?:last (?:updated|modified|revised|changed|update)|effective(?: date| as of| from| on)?|"
    r"updated(?: on| as of)?|date of last revision|valid from|in effect (?:from|as of)|"
    r"(?:this )?(?:privacy )?(?:policy|notice|statement) (?:was )?(?:last )?updated(?: on)?)"
    rf"\s*[:\-–—]?\s*(?:on |as of |from )?({_DATE})",
    re.IGNORECASE,
)


def stated_date(text: str) -> str | None:
    """The date a policy gives for itself ("Last updated: May 4, 2026"), as written: a date that
    a line begins with before one said in a sentence (Snapchat 2023-07 opens with "We've updated
    our Privacy Policy, effective August 15, 2023." above its own "Effective: June 29, 2022")."""
    for part in (text[:5000], text):
        found = list(_STATED.finditer(part))
        if found:
            match = next((m for m in found if _begins_line(part, m.start())), found[0])
            return " ".join(match.group(1).split())
    return None


def _begins_line(text: str, at: int) -> bool:
    """Whether only markup stands between the line's start and a position."""
    line = text.rfind("\n", 0, at) + 1
    return not text[line:at].strip(" \t#*_>|-")


@dataclass(frozen=True)
class Entry:
    """One recorded change of one policy."""

    policy_id: str
    policy_name: str
    snapshot: Snapshot
    previous: Snapshot | None
    comparison: Comparison | None  # None for the first snapshot
    stated: str | None
    stated_before: str | None

    @property
    def date(self) -> str:
        return self.snapshot.taken_at.date().isoformat()

    @property
    def returns_to(self) -> str | None:
        return self.snapshot.returns_to

    @property
    def stated_unchanged(self) -> bool:
        """The text changed but the policy's own date did not."""
        return bool(self.stated and self.previous and self.stated == self.stated_before)

    @property
    def flagged(self) -> bool:
        return bool(self.comparison and self.comparison.flags)

    @property
    def formatting_only(self) -> bool:
        """The text changed but not its words: never news, one line at most."""
        return bool(self.comparison and self.comparison.formatting_only)

    def to_json(self) -> dict[str, Any]:
        comparison = self.comparison
        return {
            "policy": self.policy_id,
            "name": self.policy_name,
            "date": self.date,
            "snapshot": self.snapshot.stamp,
            "previous": self.previous.stamp if self.previous else None,
            "stated_date": self.stated,
            "stated_date_unchanged": self.stated_unchanged,
            "returns_to": self.returns_to,
            "formatting_only": self.formatting_only,
            "summary": comparison.summary() if comparison else None,
            "appeared": [a.category for a in comparison.appeared] if comparison else [],
            "disappeared": [a.category for a in comparison.disappeared] if comparison else [],
            "changes": [change_json(c) for c in comparison.changes] if comparison else [],
        }


def _light(snapshot: Snapshot) -> Snapshot:
    """The same snapshot without its text in memory: a long history holds hundreds."""
    return Snapshot(snapshot.policy_id, snapshot.stamp, snapshot.folder, snapshot.meta)


def entries(
    archive: Archive,
    policies: Sequence[tuple[str, str]],
    taxonomy: Sequence[Category],
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    only_flagged: bool = False,
    comparisons: Comparisons | None = None,
) -> list[Entry]:
    """The recorded changes of each policy, oldest first, technical re-extractions left out.

    Comparisons come from the archive's cache (cache.py) unless `comparisons` says otherwise.
    """
    if comparisons is None:
        comparisons = Comparisons.of(archive, taxonomy)
    found: list[Entry] = []
    for policy_id, name in policies:
        stated: dict[str, str | None] = {}  # each version is read as the new one, then the old
        for snap, previous in chain(archive.snapshots(policy_id)):
            in_range = (since is None or snap.taken_at >= since) and (
                until is None or snap.taken_at <= until
            )
            if in_range:
                comparison = None
                if previous is not None:
                    comparison = comparisons.compare(snapshot_side(previous), snapshot_side(snap))
                    if only_flagged:
                        comparison = comparison.only_flagged()
                entry = Entry(
                    policy_id,
                    name,
                    _light(snap),
                    _light(previous) if previous else None,
                    comparison,
                    _stated(snap, stated),
                    _stated(previous, stated) if previous else None,
                )
                if not only_flagged or entry.flagged:
                    found.append(entry)
    return found


def chain(snapshots: Iterable[Snapshot]) -> Iterator[tuple[Snapshot, Snapshot | None]]:
    """Each recorded version with the one before it; re-extractions (technical snapshots) are
    left out, as they are no change of the policy."""
    previous: Snapshot | None = None
    for snap in snapshots:
        if snap.meta.get("technical") and previous is not None:
            continue
        yield snap, previous
        previous = snap


def _stated(snapshot: Snapshot, known: dict[str, str | None]) -> str | None:
    if snapshot.stamp not in known:
        known[snapshot.stamp] = stated_date(snapshot.text)
    return known[snapshot.stamp]


def newest_first(found: Sequence[Entry]) -> list[Entry]:
    """Newest first within each policy, the policies in their own order."""
    out: list[Entry] = []
    for _, group in groupby(found, key=lambda e: e.policy_id):
        out.extend(reversed(list(group)))
    return out
