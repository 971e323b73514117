"""Compare two versions of a policy: segment, align, and word-level edits for each pair."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .align import ADDED, MERGED, MODIFIED, MOVED, REMOVED, SAME, SPLIT, Alignment, Change, align
from .archive import Archive
from .detect import Flag, flags_for, present
from .inline import Edit, word_edits
from .segment import HEADING, Clause, segment
from .taxonomy import Category, load_taxonomy

SUMMARY_ORDER = (MODIFIED, ADDED, REMOVED, MOVED, SPLIT, MERGED)


class SideError(Exception):
    """A side of a comparison that cannot be read."""


@dataclass(frozen=True)
class Side:
    """One version to compare: where it came from and its text."""

    label: str
    text: str


@dataclass(frozen=True)
class Appearance:
    """A category the policy mentions for the first time, or no longer mentions at all."""

    category: str
    clauses: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"category": self.category, "clauses": list(self.clauses)}


@dataclass
class Comparison:
    old: Side
    new: Side
    alignment: Alignment
    flags: list[list[Flag]] = field(default_factory=list)  # one list per change, in order
    appeared: list[Appearance] = field(default_factory=list)
    disappeared: list[Appearance] = field(default_factory=list)

    @property
    def changes(self) -> list[Change]:
        return self.alignment.changes

    def compact(self) -> Comparison:
        """Only what reports need (changes, flags, counts): no texts, no unchanged clauses."""
        alignment = Alignment(self.alignment.old, self.alignment.new, self.changes)
        alignment.old, alignment.new = [], []
        return Comparison(
            Side(self.old.label, ""),
            Side(self.new.label, ""),
            alignment,
            self.flags,
            self.appeared,
            self.disappeared,
        )

    def flagged(self) -> list[tuple[Change, list[Flag]]]:
        return [(c, f) for c, f in zip(self.changes, self.flags, strict=True) if f]

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
            "categories": {
                "appeared": [a.to_json() for a in self.appeared],
                "disappeared": [a.to_json() for a in self.disappeared],
            },
            "changes": [change_json(c, f) for c, f in zip(self.changes, self.flags, strict=True)],
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


def change_json(change: Change, flags: Sequence[Flag] = ()) -> dict[str, Any]:
    old_section = change.old[0].section_path if change.old else None
    value: dict[str, Any] = {
        "kind": change.kind,
        "old_text": change.old_text,
        "new_text": change.new_text,
        "section": change.section,
        "flags": [f.to_json() for f in flags],
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


def compare_texts(old: Side, new: Side, taxonomy: Sequence[Category] | None = None) -> Comparison:
    """Align two versions and flag the data practices each change adds or removes."""
    categories = load_taxonomy() if taxonomy is None else taxonomy
    old_clauses, new_clauses = segment(old.text), segment(new.text)
    alignment = align(old_clauses, new_clauses)
    names = (_section_names(old_clauses), _section_names(new_clauses))
    found = [flags_for(c.old_text or "", c.new_text or "", categories) for c in alignment.changes]
    named = [_names_only(c, *names) for c in alignment.changes]
    # What the clauses themselves say: a section name repeating it adds nothing.
    said = {
        (f.category, f.change)
        for fs, name in zip(found, named, strict=True)
        if not name
        for f in fs
    }
    flags = [
        [f for f in fs if not (name and (f.category, f.change) in said and not _flip(f))]
        for fs, name in zip(found, named, strict=True)
    ]
    comparison = Comparison(old, new, alignment, flags)
    _whole_document(comparison, categories)
    return comparison


NAME_WORDS = 15  # a longer heading may be a sentence set in bold, and is read as one


def _section_names(clauses: Sequence[Clause]) -> set[str]:
    return {c.key for c in clauses if c.kind == HEADING and len(c.text.split()) <= NAME_WORDS}


def _names_only(change: Change, old_names: set[str], new_names: set[str]) -> bool:
    """A change of section names only: headings, and lines with the very text of a heading of
    the same version (a table of contents, or a glossary's terms listed again). Its flags
    are dropped when a clause of the same comparison carries the same category the same way
    ("For Children" beside the children's section it names); when it is the only one to say
    so, or it turns "we do not" into "we may", it keeps them."""
    return all(c.key in old_names for c in change.old) and all(
        c.key in new_names for c in change.new
    )


def _flip(flag: Flag) -> bool:
    return flag.was_negated and not flag.negated


def _whole_document(comparison: Comparison, categories: Sequence[Category]) -> None:
    """Categories new to the policy, or gone from it: only a changed clause can do either."""
    by_id = {c.id: c for c in categories}
    for direction, side, target in (
        ("added", comparison.old.text, comparison.appeared),
        ("removed", comparison.new.text, comparison.disappeared),
    ):
        carriers: dict[str, list[str]] = {}
        for change, flags in zip(comparison.changes, comparison.flags, strict=True):
            for flag in flags:
                if flag.change == direction and not flag.definition:
                    text = change.new_text if direction == "added" else change.old_text
                    carriers.setdefault(flag.category, []).append(text or "")
        lowered = side.lower() if carriers else None
        for category_id, clauses in carriers.items():
            if not present(side, by_id[category_id], lowered):
                target.append(Appearance(category_id, tuple(clauses)))


def read_side(spec: str, archive: Archive) -> Side:
    """A snapshot ref (ID, ID@previous, ID~2, ID@DATE) or a file (.md, .txt, .html, .pdf)."""
    path = Path(spec)
    if path.is_file():
        return _file_side(path)
    if path.is_dir():
        raise SideError(f"{spec}: is a folder, not a file or a snapshot ref")
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
