"""What `list`, `history` and `check` tell, as data: rows of policies and snapshots, and what a
check's new snapshots changed. Renderers draw these rows; `--format json` prints them."""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .archive import Archive
from .outcome import CHANGED, NEW, Outcome

if TYPE_CHECKING:  # list and history need none of the differ
    from .cache import Comparisons
    from .config import Policy


def policy_rows(archive: Archive, configured: Sequence[str]) -> list[dict[str, Any]]:
    """Each configured policy, then each other one the archive holds: its snapshots, last
    check and change, and since when it fails (ArchiveError when a state cannot be read)."""
    known = set(configured)
    ids = list(configured) + [i for i in archive.policy_ids() if i not in known]
    rows = []
    for policy_id in ids:
        stamps = archive.stamps(policy_id)  # file names only: no metadata read
        state = archive.state(policy_id)
        latest = stamps[-1] if stamps else None
        rows.append(
            {
                "id": policy_id,
                "configured": policy_id in known,
                "snapshots": len(stamps),
                "latest": latest,
                "last_check": state.get("last_check"),
                "last_status": state.get("last_status"),
                "last_reason": state.get("last_reason"),
                "last_change": state.get("last_change") or latest,
                "failing_since": state.get("failing_since"),
            }
        )
    return rows


def snapshot_rows(archive: Archive, policy_id: str) -> list[dict[str, Any]]:
    """A policy's snapshots, oldest first: what each is and how it relates to the others."""
    return [
        {
            "snapshot": s.stamp,
            "ref": s.ref,
            "characters": s.characters,
            "source": s.meta.get("source"),
            "returns_to": s.meta.get("returns_to"),
            "technical": bool(s.meta.get("technical")),
            "formatting_only": bool(s.meta.get("formatting_only")),
            "accepted": bool(s.meta.get("accepted")),
            "text_sha256": s.text_sha256,
        }
        for s in archive.snapshots(policy_id)
    ]


def news(archive: Archive, outcome: Outcome, comparisons: Comparisons) -> dict[str, Any] | None:
    """What a new snapshot changed against the one before it: clause counts and flags."""
    if not (outcome.snapshot and outcome.previous):
        return None
    from .sides import snapshot_side

    old = archive.resolve(f"{outcome.policy_id}@{outcome.previous}")
    new = archive.resolve(f"{outcome.policy_id}@{outcome.snapshot}")
    comparison = comparisons.compare(snapshot_side(old), snapshot_side(new))
    return {
        "changes": comparison.shown(),
        "flags": [f.to_json() for f in comparison.flags],
        "appeared": [a.category for a in comparison.appeared],
    }


_SHARD = re.compile(r"(\d+)/(\d+)")


def shard(policies: Sequence[Policy], spec: str) -> list[Policy]:
    """Shard I of N ("2/4") by a stable hash of each id: adding a policy never moves the
    others (ValueError when spec is not I/N with 1 <= I <= N)."""
    match = _SHARD.fullmatch(spec.strip())
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise ValueError(spec)
    index, count = int(match.group(1)) - 1, int(match.group(2))
    return [p for p in policies if zlib.crc32(p.id.encode()) % count == index]


@dataclass
class Findings:
    """What a check found, in the configuration's order: the outcomes worth a line (every
    one, for JSON) and, for each new snapshot worth telling, what it changed (news)."""

    outcomes: list[Outcome]
    news: dict[str, dict[str, Any]] = field(default_factory=dict)

    def only_flagged(self) -> Findings:
        """Only the policies whose change carries a flag."""
        kept = [o for o in self.outcomes if self.news.get(o.policy_id, {}).get("flags")]
        return Findings(kept, self.news)

    @property
    def words_changed(self) -> bool:
        """Whether the words of a policy changed (formatting and re-extraction never count):
        what `check --exit-code` exits 1 for."""
        return any(
            o.status in (NEW, CHANGED) and not o.technical and not o.formatting_only
            for o in self.outcomes
        )

    def to_json(self) -> list[dict[str, Any]]:
        return [{**o.to_json(), **self.news.get(o.policy_id, {})} for o in self.outcomes]


def findings(
    archive: Archive,
    policy_ids: Sequence[str],
    outcomes: Sequence[Outcome],
    comparisons: Callable[[], Comparisons],
) -> Findings:
    """A run's outcomes put in the configuration's order, with the news of each change worth
    telling (compared through `comparisons()`, made only when there is one)."""
    by_id = {o.policy_id: o for o in outcomes}
    ordered = [by_id[i] for i in policy_ids if i in by_id]
    found = Findings(ordered)
    worth_telling = [o for o in ordered if o.is_news]
    if worth_telling:
        cache = comparisons()
        for outcome in worth_telling:
            what = news(archive, outcome, cache)
            if what is not None:
                found.news[outcome.policy_id] = what
    return found
