"""The report's memory between builds: what pages need of each change (a `Summary`: its line
and flags) and of each version (its `Facts`: its own date, the categories it mentions), how
each is made from a comparison or a text, and the `Memory` that keeps them in the archive's
cache."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .archive import Archive
from .category import Category
from .comparison import Comparison
from .detect import english, present
from .flag import Flag, flag_title, flags_first

MEMORY_FORMAT = 2
MEMORY_DIR = Path(".cache") / "report"


@dataclass(frozen=True)
class Flagged:
    """A flag as the index and a policy's page name it: "NEW ai_training: machine learning"."""

    label: str
    category: str
    terms: tuple[str, ...]
    severity: str
    of: str = ""  # whose data, when the terms are new (or gone) only of theirs (Flag.of)

    @property
    def title(self) -> str:
        return flag_title(self.label, self.category, (), self.of)

    @classmethod
    def from_flag(cls, flag: Flag) -> Flagged:
        return cls(flag.shown_label, flag.category, flag.terms, flag.severity, flag.of)


@dataclass(frozen=True)
class Summary:
    """What pages other than its own need of one change."""

    line: str  # "2 modified, 1 added; 3 minor (case, punctuation)"
    flags: tuple[Flagged, ...]
    appeared: tuple[str, ...]
    disappeared: tuple[str, ...]
    formatting_only: bool

    @classmethod
    def of(cls, comparison: Comparison) -> Summary:
        from .render.diffview import summary_line

        return cls(
            summary_line(comparison),
            tuple(Flagged.from_flag(f) for f in flags_first(comparison.flags)),
            tuple(a.category for a in comparison.appeared),
            tuple(a.category for a in comparison.disappeared),
            comparison.formatting_only,
        )

    @property
    def badges(self) -> tuple[Flagged, ...]:
        """One flag per label and category, with the terms of all of them."""
        merged: dict[tuple[str, str, str], Flagged] = {}
        for flag in self.flags:
            key = (flag.label, flag.category, flag.of)
            seen = merged.get(key)
            if seen is not None:
                flag = replace(seen, terms=tuple(dict.fromkeys(seen.terms + flag.terms)))
            merged[key] = flag
        return tuple(merged.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "flags": [[f.label, f.category, list(f.terms), f.severity, f.of] for f in self.flags],
            "appeared": list(self.appeared),
            "disappeared": list(self.disappeared),
            "formatting_only": self.formatting_only,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Summary:
        return cls(
            str(data["line"]),
            tuple(
                Flagged(str(a), str(b), tuple(c), str(d), str(e)) for a, b, c, d, e in data["flags"]
            ),
            tuple(data["appeared"]),
            tuple(data["disappeared"]),
            bool(data["formatting_only"]),
        )


@dataclass(frozen=True)
class Facts:
    """What the pages say of one version's text."""

    stated: str | None  # the date the policy gives itself
    english: bool  # the taxonomy reads English only: another language is not read
    categories: tuple[str, ...]  # the categories it mentions other than to deny them

    def to_json(self) -> list[Any]:
        return [self.stated, self.english, list(self.categories)]

    @classmethod
    def from_json(cls, data: list[Any]) -> Facts:
        stated, is_english, categories = data
        return cls(stated, bool(is_english), tuple(categories))


@dataclass
class Memory:
    """Summaries by the pair of texts compared, facts by text, kept in the archive's cache
    (snapshots/.cache/report/VERSION.json) like the comparisons they come from: derived data,
    never required, of one `version` (the taxonomy, the code that compares, this module's);
    another version starts afresh and removes the others."""

    version: str
    summaries: dict[str, Summary] = field(default_factory=dict)
    facts: dict[str, Facts] = field(default_factory=dict)
    grown: bool = False  # something was learnt that the stored memory lacks

    def to_json(self) -> dict[str, Any]:
        return {
            "format": MEMORY_FORMAT,
            "version": self.version,
            "summaries": {k: v.to_json() for k, v in sorted(self.summaries.items())},
            "facts": {k: v.to_json() for k, v in sorted(self.facts.items())},
        }

    @classmethod
    def from_json(cls, data: Any, version: str) -> Memory:
        """A stored memory; anything unreadable or of another version is an empty one."""
        memory = cls(version)
        if not isinstance(data, dict) or data.get("version") != version:
            return memory
        if data.get("format") != MEMORY_FORMAT:
            return memory
        try:
            memory.summaries = {k: Summary.from_json(v) for k, v in data["summaries"].items()}
            memory.facts = {k: Facts.from_json(v) for k, v in data["facts"].items()}
        except (KeyError, TypeError, ValueError, AttributeError):
            return cls(version)
        return memory

    @classmethod
    def of(cls, archive: Archive, version: str) -> Memory:
        """The archive's memory of this version (empty when there is none, or unreadable)."""
        try:
            data = json.loads((archive.root / MEMORY_DIR / f"{version[:16]}.json").read_bytes())
        except (OSError, ValueError):
            return cls(version)
        return cls.from_json(data, version)

    def save(self, archive: Archive) -> None:
        """Store what was learnt, atomically, with what another run stored meanwhile (a
        report of some policies built beside one of all keeps both); a cache that cannot be
        written is left alone."""
        if not self.grown:
            return
        folder = archive.root / MEMORY_DIR
        stored = Memory.of(archive, self.version)
        merged = Memory(
            self.version,
            {**stored.summaries, **self.summaries},
            {**stored.facts, **self.facts},
        )
        data = json.dumps(merged.to_json(), ensure_ascii=False, separators=(",", ":")).encode()
        path = folder / f"{self.version[:16]}.json"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            tmp = folder / f".tmp-{path.name}-{os.getpid()}"
            tmp.write_bytes(data)
            os.replace(tmp, path)
            for other in folder.glob("*.json"):
                if other != path:
                    other.unlink(missing_ok=True)  # another version: never read again
        except OSError:
            return
        self.grown = False


def facts_of(text: str, taxonomy: Sequence[Category], stated: str | None) -> Facts:
    """A version's facts, read from its whole (canonical) text; `stated` is the date it gives
    itself, read as the changelog reads it (changelog.stated_date of the archived text)."""
    if not english(text):
        return Facts(stated, False, ())
    lowered = text.lower()
    found = tuple(c.id for c in taxonomy if present(text, c, lowered))
    return Facts(stated, True, found)


def facts_after(
    before: Facts,
    text: str,
    comparison: Comparison,
    taxonomy: Sequence[Category],
    stated: str | None,
) -> Facts:
    """A version's facts from those of the version before it: a mention is read in its sentence,
    and sentences end at the end of a clause, so only a category that a changed clause (on
    either side) states can have come or gone; only those are read again in the whole text."""
    if not english(text) or not before.english:
        return facts_of(text, taxonomy, stated)
    # The changed clauses of both sides, one a line: a line ends a sentence, so each mention is
    # read there as in its version. Where none states the category, what the version states
    # of it cannot have changed: the clauses that do are the same on both sides.
    changed = "\n".join(t for c in comparison.changes for t in (c.old_text, c.new_text) if t)
    changed_lower = changed.lower()
    kept = set(before.categories)
    lowered: str | None = None
    for category in taxonomy:
        if not present(changed, category, changed_lower):
            continue
        lowered = text.lower() if lowered is None else lowered
        if present(text, category, lowered):
            kept.add(category.id)
        else:
            kept.discard(category.id)
    order = [c.id for c in taxonomy]
    return Facts(stated, True, tuple(c for c in order if c in kept))
