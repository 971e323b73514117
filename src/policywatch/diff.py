"""Compare two versions of a policy: segment, align, and word-level edits for each pair."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .align import ADDED, MERGED, MODIFIED, MOVED, REMOVED, SAME, SPLIT, Alignment, Change, align
from .archive import Archive
from .inline import Edit, word_edits
from .segment import segment

SUMMARY_ORDER = (MODIFIED, ADDED, REMOVED, MOVED, SPLIT, MERGED)


class SideError(Exception):
    """A side of a comparison that cannot be read."""


@dataclass(frozen=True)
class Side:
    """One version to compare: where it came from and its text."""

    label: str
    text: str


@dataclass
class Comparison:
    old: Side
    new: Side
    alignment: Alignment

    @property
    def changes(self) -> list[Change]:
        return self.alignment.changes

    @property
    def differs(self) -> bool:
        return bool(self.changes)

    def summary(self) -> dict[str, int]:
        counts = Counter(c.kind for c in self.changes)
        return {kind: counts.get(kind, 0) for kind in SUMMARY_ORDER}

    def to_json(self) -> dict[str, Any]:
        """The documented JSON of `diff` (DESIGN.md), with word edits for paired clauses."""
        return {
            "old": {"source": self.old.label, "clauses": len(self.alignment.old)},
            "new": {"source": self.new.label, "clauses": len(self.alignment.new)},
            "summary": self.summary(),
            "changes": [change_json(c) for c in self.changes],
        }


def edits_of(change: Change) -> list[Edit] | None:
    """Word edits for a change that pairs one old clause with one new one."""
    if change.kind in (MODIFIED, MOVED) and change.old_text != change.new_text:
        return word_edits(change.old_text or "", change.new_text or "")
    if change.kind in (SPLIT, MERGED):
        return word_edits(
            " ".join(c.text for c in change.old), " ".join(c.text for c in change.new)
        )
    return None


def change_json(change: Change) -> dict[str, Any]:
    old_section = change.old[0].section_path if change.old else None
    value: dict[str, Any] = {
        "kind": change.kind,
        "old_text": change.old_text,
        "new_text": change.new_text,
        "section": change.section,
        "flags": [],
    }
    if change.kind == MOVED:
        value["old_section"] = old_section
    if change.old:
        value["old_position"] = change.old[0].position
    if change.new:
        value["new_position"] = change.new[0].position
    edits = edits_of(change)
    if edits is not None:
        value["edits"] = [{"op": e.op, "text": e.text} for e in edits]
    return value


def compare_texts(old: Side, new: Side) -> Comparison:
    return Comparison(old, new, align(segment(old.text), segment(new.text)))


def read_side(spec: str, archive: Archive) -> Side:
    """A snapshot ref (ID, ID@previous, ID~2, ID@DATE) or a file (.md, .txt, .html, .pdf)."""
    path = Path(spec)
    if path.is_file():
        return _file_side(path)
    if path.suffix.lower() in (".md", ".txt", ".html", ".htm", ".pdf") and "@" not in spec:
        raise SideError(f"{spec}: no such file")
    snapshot = archive.resolve(spec)
    return Side(snapshot.ref, snapshot.text)


def _file_side(path: Path) -> Side:
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise SideError(f"{path}: cannot be read ({exc.strerror})") from None
    if path.suffix.lower() in (".md", ".txt", ".markdown"):
        try:
            return Side(str(path), body.decode("utf-8"))
        except UnicodeDecodeError:
            pass
    from .extract import ExtractionError, extract  # HTML and PDF only: a heavy import

    try:
        return Side(str(path), extract(body, filename=path.name).text)
    except ExtractionError as exc:
        raise SideError(f"{path}: {exc.reason}") from None


__all__ = [
    "ADDED",
    "MERGED",
    "MODIFIED",
    "MOVED",
    "REMOVED",
    "SAME",
    "SPLIT",
    "Comparison",
    "Side",
    "SideError",
    "compare_texts",
    "read_side",
]
