"""A comparison of two versions: its changes in reading order (each with its word edits and
flags), what they count, the categories new to the policy or gone from it, and its JSON."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .change import (
    ADDED,
    MERGED,
    MODIFIED,
    MOVED,
    REFORMATTED,
    REMOVED,
    SPLIT,
    Alignment,
    Change,
    change_json,
)
from .flag import Flag
from .sides import Side

SUMMARY_ORDER = (MODIFIED, ADDED, REMOVED, MOVED, SPLIT, MERGED, REFORMATTED)


@dataclass(frozen=True)
class Appearance:
    """A category the policy mentions for the first time, or no longer mentions at all."""

    category: str
    clauses: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"category": self.category, "clauses": list(self.clauses)}


@dataclass
class Comparison:
    """Two versions aligned: each change carries its word edits and its flags."""

    old: Side
    new: Side
    alignment: Alignment
    appeared: list[Appearance] = field(default_factory=list)
    disappeared: list[Appearance] = field(default_factory=list)
    formatting_only: bool = False  # the text changed, its words did not
    old_clauses: int = 0
    new_clauses: int = 0
    # What only_flagged kept its changes from: every format says the whole's counts too.
    whole: Comparison | None = field(default=None, compare=False, repr=False)

    @property
    def changes(self) -> list[Change]:
        return self.alignment.changes

    def compact(self) -> Comparison:
        """Only what reports need (changes, flags, counts): no texts, no unchanged clauses."""
        alignment = Alignment([], [], self.changes)
        return Comparison(
            Side(self.old.label, ""),
            Side(self.new.label, ""),
            alignment,
            self.appeared,
            self.disappeared,
            self.formatting_only,
            self.old_clauses,
            self.new_clauses,
        )

    def only_flagged(self) -> Comparison:
        """The same comparison with only its flagged changes (compact: no unchanged clauses),
        the whole one kept as `whole` for the counts of every change."""
        kept = Alignment([], [], self.flagged())
        return replace(self, alignment=kept, formatting_only=False, whole=self.whole or self)

    def flagged(self) -> list[Change]:
        """The changes that carry a flag, in reading order."""
        return [c for c in self.changes if c.flags]

    @property
    def flags(self) -> list[Flag]:
        return [f for c in self.changes for f in c.flags]

    @property
    def differs(self) -> bool:
        return bool(self.changes)

    @property
    def reworded(self) -> list[Change]:
        """The changes of words: not minor edits, not the same words regrouped."""
        return [c for c in self.changes if c.reworded]

    def summary(self) -> dict[str, int]:
        """The JSON's counts: every change of each kind, and how many of them are minor."""
        counts = Counter(c.kind for c in self.changes)
        summary = {kind: counts.get(kind, 0) for kind in SUMMARY_ORDER}
        summary["minor"] = sum(1 for c in self.changes if c.minor)
        return summary

    def shown(self) -> dict[str, int]:
        """The counts people read (diff, changelog, report, check, notifications): minor edits
        (case, punctuation) counted apart from the kind of change they are, the kinds with
        none left out."""
        counts = Counter(c.kind for c in self.changes if not c.minor)
        shown = {kind: counts[kind] for kind in SUMMARY_ORDER if counts[kind]}
        minor = sum(1 for c in self.changes if c.minor)
        return {**shown, "minor": minor} if minor else shown

    def to_json(self) -> dict[str, Any]:
        """The documented JSON of `diff` (DESIGN.md), with word edits for paired clauses."""
        return {
            "old": {"source": self.old.label, "clauses": self.old_clauses},
            "new": {"source": self.new.label, "clauses": self.new_clauses},
            "summary": self.summary(),
            **({"summary_of_all": self.whole.summary()} if self.whole is not None else {}),
            "formatting_only": self.formatting_only,
            "categories": {
                "appeared": [a.to_json() for a in self.appeared],
                "disappeared": [a.to_json() for a in self.disappeared],
            },
            "changes": [change_json(c) for c in self.changes],
        }


def counts_line(shown: Mapping[str, int]) -> str:
    """Comparison.shown as people read it: "2 modified, 1 added; 3 minor (case, punctuation)"."""
    minor = shown.get("minor", 0)
    line = ", ".join(f"{n} {kind}" for kind, n in shown.items() if kind != "minor")
    if minor:
        line += ("; " if line else "") + f"{minor} minor (case, punctuation)"
    return line
