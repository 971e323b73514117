"""A change: one entry of an alignment (which clauses of each version, and what happened to
them), its kinds, and its JSON; a comparison's changes carry their word edits and flags."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .segment import Clause

if TYPE_CHECKING:
    from .flag import Flag
    from .inline import Edit

SAME, ADDED, REMOVED, MODIFIED, MOVED, SPLIT, MERGED, REFORMATTED = (
    "same", "added", "removed", "modified", "moved", "split", "merged", "reformatted",
)  # fmt: skip
CHANGE_KINDS = (MODIFIED, ADDED, REMOVED, MOVED, SPLIT, MERGED, REFORMATTED)
GROUP_KINDS = (SPLIT, MERGED, REFORMATTED)  # several clauses on a side, joined by "\n"


@dataclass(frozen=True)
class Change:
    """One entry of an alignment: the old clauses, the new clauses, and what happened."""

    kind: str
    old: tuple[Clause, ...] = ()
    new: tuple[Clause, ...] = ()
    similarity: float = 100.0
    # Filled in once by diff.compare_texts, read by every renderer:
    edits: tuple[Edit, ...] | None = None  # word edits, for changes that pair old and new words
    flags: tuple[Flag, ...] = ()
    minor: bool = False  # case, punctuation or white space only

    @property
    def reworded(self) -> bool:
        """Whether any word changed: false for minor edits and for regroupings of the same words."""
        if self.kind in (ADDED, REMOVED):
            return True
        if self.minor:
            return False
        old = "".join(w for c in self.old for w in c.words)
        return old != "".join(w for c in self.new for w in c.words)  # hyphens are spelling

    @property
    def section(self) -> str:
        side = self.new or self.old
        return side[0].section_path if side else ""

    @property
    def moved_from(self) -> str | None:
        """The section a clause moved from, when it moved to another ("" for none); None
        otherwise, and for a move within its section."""
        if self.kind != MOVED or not self.old:
            return None
        before = self.old[0].section_path
        return None if before == self.section else before

    @property
    def within(self) -> bool:
        """A move inside one section: "moved within A > B", not "from A > B to A > B"."""
        return self.kind == MOVED and bool(self.old) and self.moved_from is None

    @property
    def old_text(self) -> str | None:
        return "\n".join(c.text for c in self.old) if self.old else None

    @property
    def new_text(self) -> str | None:
        return "\n".join(c.text for c in self.new) if self.new else None


NO_HEADING = "(no heading)"  # where a clause stands that no heading is above


def place(section: str) -> str:
    """A section path as reports name it: NO_HEADING for none."""
    return section or NO_HEADING


def where(change: Change) -> tuple[str | None, str]:
    """Where a change stands, as reports say it: the section it moved from (None unless it
    moved to another) and its own ("within ..." for a move inside it)."""
    moved_from = change.moved_from
    if moved_from is not None:
        return place(moved_from), place(change.section)
    return None, ("within " if change.within else "") + place(change.section)


@dataclass
class Alignment:
    """Every clause of both versions, each in exactly one entry, in reading order."""

    old: list[Clause]
    new: list[Clause]
    entries: list[Change] = field(default_factory=list)

    @property
    def changes(self) -> list[Change]:
        return [e for e in self.entries if e.kind != SAME]


def change_json(change: Change) -> dict[str, Any]:
    old_section = change.old[0].section_path if change.old else None
    value: dict[str, Any] = {
        "kind": change.kind,
        "old_text": change.old_text,
        "new_text": change.new_text,
        "section": change.section,
        "flags": [f.to_json() for f in change.flags],
        "minor": change.minor,
        "reworded": change.reworded,
    }
    if change.kind == MOVED:
        value["old_section"] = old_section
    if change.old:
        value["old_position"] = change.old[0].position
    if change.new:
        value["new_position"] = change.new[0].position
    if change.edits is not None:
        value["edits"] = [{"op": e.op, "text": e.text} for e in change.edits]
    return value
