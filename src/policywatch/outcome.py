"""What a check (or an import) did for each policy, and a run's tally of them."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

# Outcome statuses
NEW = "new"  # the policy's first snapshot
CHANGED = "changed"  # a new snapshot: the text differs from the last one
UNCHANGED = "unchanged"
FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one check (or one imported file) did for a policy."""

    policy_id: str
    status: str
    reason: str | None = None
    snapshot: str | None = None  # the new snapshot's stamp
    previous: str | None = None  # the stamp it follows
    returns_to: str | None = None  # an older snapshot with the very same text
    technical: bool = False  # the change comes from extraction settings, not the policy
    formatting_only: bool = False  # the text changed, its words did not (layout, links, markup)
    failing_since: str | None = None
    repeated: bool = False  # a failure that was already failing at the last check
    not_modified: bool = False  # the server answered 304

    @property
    def is_news(self) -> bool:
        """Worth telling a person who asked to hear only news (cron with --quiet)."""
        if self.status == FAILED:
            return not self.repeated
        return (
            self.status in (NEW, CHANGED)
            and not self.technical
            and not self.formatting_only
            and self.returns_to is None
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "policy": self.policy_id,
            "status": self.status,
            "reason": self.reason,
            "snapshot": self.snapshot,
            "previous": self.previous,
            "returns_to": self.returns_to,
            "technical": self.technical,
            "formatting_only": self.formatting_only,
            "failing_since": self.failing_since,
            "repeated_failure": self.repeated,
            "not_modified": self.not_modified,
        }


@dataclass
class Tally:
    """A run's outcomes as they come: how many of each status, and the ones worth a line
    (all but the plainly unchanged, or every one with keep_all, for a JSON report)."""

    keep_all: bool = False
    counts: Counter[str] = field(default_factory=Counter)
    kept: list[Outcome] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        self.counts[outcome.status] += 1
        if self.keep_all or outcome.status != UNCHANGED:
            self.kept.append(outcome)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def changed(self) -> int:
        return self.counts[NEW] + self.counts[CHANGED]
