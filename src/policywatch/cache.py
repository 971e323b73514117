"""Comparisons kept in the archive: each pair of texts is compared once, then read back.

    snapshots/.cache/comparisons/<version>/<old text sha256>-<new text sha256>.json

An entry is keyed by the SHA-256 of the two canonical texts and by a *version*, a hash of
everything else a comparison depends on: the code that makes it (the source of every module
of the package, so any edit counts, not only a release), this module's format, the Python and
library versions (rapidfuzz, diff-match-patch) and the taxonomy in force, by content, a user's
own taxonomy file included. Whatever changes a comparison changes its key: a re-extracted
text has another hash, an edited taxonomy or an upgraded policywatch another version. Entries
of another version are never read; the first entry written under a new version removes the
folders of the others. (So two configurations with different taxonomies sharing one archive
take turns at the cache; entries of texts that `reextract` replaced stay, unread, until the
version changes.)

The cache is never required. A missing, unreadable, corrupt or stale entry is computed again
(and written again); a cache that cannot be written (a read-only archive, a full disk, a lock
held too long) is left alone for the rest of the run. Deleting `.cache/` changes nothing but
time.

An entry is written to a temporary file and renamed, so readers never see half of one and need
no lock. It is not fsynced: a torn entry fails its checksum and is computed again. Writers and
the removal of other versions hold `.cache/comparisons/.lock` (filelock) for a moment, so a run
never writes into a folder that another run is removing.

An entry is one header line (JSON: format, version, the two text hashes, the SHA-256 of the
body) and the body: the comparison's changes with their clauses, word edits and flags, and its
unchanged clauses as runs of positions, turned back into clauses of the two texts only when a
caller wants the whole alignment (`diff` shows unchanged clauses as context).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import fields
from functools import cache
from pathlib import Path
from typing import Any

from .archive import Archive
from .category import Category
from .change import SAME, Alignment, Change
from .comparison import Appearance, Comparison
from .diff import compare_texts
from .flag import Flag
from .inline import Edit
from .segment import Clause, segment
from .sides import Side
from .snapshot import sha256

FORMAT = 1
CACHE_DIR = Path(".cache") / "comparisons"
LOCK_NAME = ".lock"
LOCK_WAIT = 2.0  # seconds: a longer wait for another run's write means this run stores nothing


@cache
def code_version() -> str:
    """A hash of the package's code and of the libraries comparisons use (the taxonomy apart).

    Every module's source, not a list of the differ's and detector's modules: a module they
    come to use (anchors.py did) can never be missed, at the price of new entries whenever
    any of the code changes.
    """
    import diff_match_patch
    import rapidfuzz

    digest = hashlib.sha256(
        f"format {FORMAT} python {sys.version_info[0]}.{sys.version_info[1]} "
        f"rapidfuzz {rapidfuzz.__version__} "
        f"diff-match-patch {getattr(diff_match_patch, '__version__', '?')}\n".encode()
    )
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        digest.update(f"{path.relative_to(package).as_posix()}\n".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def version(taxonomy: Sequence[Category]) -> str:
    """The version of comparisons made with this taxonomy by this code."""
    categories = json.dumps([c.to_json() for c in taxonomy], sort_keys=True, ensure_ascii=False)
    return sha256(f"{code_version()}\n{categories}")


class Comparisons:
    """Comparisons of two texts, read from the archive's cache or computed and kept there.

    `computed` and `reused` count what this object did (a run's statistics, and what tests
    check instead of timing it).
    """

    def __init__(self, folder: Path | None, taxonomy: Sequence[Category]) -> None:
        self.folder = folder  # None: compute every comparison, keep none
        self.taxonomy = taxonomy
        self.computed = 0
        self.reused = 0
        self._version: str | None = None
        self._writable = folder is not None

    @classmethod
    def of(cls, archive: Archive, taxonomy: Sequence[Category]) -> Comparisons:
        """The cache of an archive (created when first written)."""
        return cls(archive.root / CACHE_DIR, taxonomy)

    @property
    def version(self) -> str:
        if self._version is None:
            self._version = version(self.taxonomy)
        return self._version

    def compare(self, old: Side, new: Side, *, full: bool = False) -> Comparison:
        """compare_texts(old, new): compact (changes, flags, counts) unless `full`, which keeps
        the texts and every clause of both versions."""
        if self.folder is None:
            self.computed += 1
            comparison = compare_texts(old, new, self.taxonomy)
            return comparison if full else comparison.compact()
        key = (sha256(old.text), sha256(new.text))
        path = self.folder / self.version[:16] / f"{key[0]}-{key[1]}.json"
        found = self._read(path, key, old, new, full)
        if found is not None:
            self.reused += 1
            return found
        self.computed += 1
        comparison = compare_texts(old, new, self.taxonomy)
        self._write(path, key, comparison)
        return comparison if full else comparison.compact()

    def _header(self, key: tuple[str, str], body: bytes) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": self.version,
            "old": key[0],
            "new": key[1],
            "body": hashlib.sha256(body).hexdigest(),
        }

    def _read(
        self, path: Path, key: tuple[str, str], old: Side, new: Side, full: bool
    ) -> Comparison | None:
        try:
            data = path.read_bytes()
        except OSError:
            return None
        head, newline, body = data.partition(b"\n")
        try:
            if not newline or json.loads(head) != self._header(key, body):
                return None
            return decode(json.loads(body), old, new, full=full)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError):
            return None  # corrupt: computed again, as if missing

    def _write(self, path: Path, key: tuple[str, str], comparison: Comparison) -> None:
        if not self._writable or self.folder is None:
            return
        from filelock import FileLock, Timeout  # 10 ms to import: only when writing

        body = json.dumps(encode(comparison), ensure_ascii=False, separators=(",", ":")).encode()
        head = json.dumps(self._header(key, body)).encode()
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with FileLock(self.folder / LOCK_NAME, timeout=LOCK_WAIT):
                if not path.parent.is_dir():
                    self._remove_other_versions(path.parent.name)
                    path.parent.mkdir()
                _write_atomic(path, head + b"\n" + body)
        except (OSError, Timeout):
            self._writable = False  # the run goes on without storing

    def _remove_other_versions(self, keep: str) -> None:
        """Folders of other versions are never read again (called with the lock held)."""
        assert self.folder is not None
        for child in self.folder.iterdir():
            if child.is_dir() and child.name != keep:
                shutil.rmtree(child, ignore_errors=True)


def _write_atomic(path: Path, data: bytes) -> None:
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise


# -- the body of an entry -----------------------------------------------------------------------


def encode(comparison: Comparison) -> dict[str, Any]:
    """A whole comparison (made by compare_texts, not compacted) as JSON data."""
    entries: list[Any] = []
    for entry in comparison.alignment.entries:
        if entry.kind != SAME:
            entries.append(_change(entry))
            continue
        i, j = entry.old[0].position, entry.new[0].position
        run = entries[-1] if entries else None
        if isinstance(run, list) and run[0] + run[2] == i and run[1] + run[2] == j:
            run[2] += 1
        else:
            entries.append([i, j, 1])  # a run of unchanged clauses: old and new positions, count
    return {
        "old_clauses": comparison.old_clauses,
        "new_clauses": comparison.new_clauses,
        "formatting_only": comparison.formatting_only,
        "appeared": [[a.category, list(a.clauses)] for a in comparison.appeared],
        "disappeared": [[a.category, list(a.clauses)] for a in comparison.disappeared],
        "entries": entries,
    }


def decode(data: dict[str, Any], old: Side, new: Side, *, full: bool = False) -> Comparison:
    """The comparison of old and new from encode()'s data: compact, or whole with `full`."""
    if full:
        olds, news = segment(old.text), segment(new.text)
        if (len(olds), len(news)) != (data["old_clauses"], data["new_clauses"]):
            raise ValueError("the entry is not about these texts")
        entries: list[Change] = []
        for item in data["entries"]:
            if isinstance(item, list):
                i, j, count = item
                entries.extend(Change(SAME, (olds[i + k],), (news[j + k],)) for k in range(count))
            else:
                entries.append(_unchange(item))
        alignment = Alignment(olds, news, entries)
    else:
        changes = [_unchange(item) for item in data["entries"] if isinstance(item, dict)]
        alignment = Alignment([], [], changes)
        old, new = Side(old.label, ""), Side(new.label, "")
    return Comparison(
        old,
        new,
        alignment,
        appeared=[Appearance(c, tuple(texts)) for c, texts in data["appeared"]],
        disappeared=[Appearance(c, tuple(texts)) for c, texts in data["disappeared"]],
        formatting_only=bool(data["formatting_only"]),
        old_clauses=int(data["old_clauses"]),
        new_clauses=int(data["new_clauses"]),
    )


_FLAG_FIELDS = tuple(f.name for f in fields(Flag))


def _change(change: Change) -> dict[str, Any]:
    return {
        "kind": change.kind,
        "old": [_clause(c) for c in change.old],
        "new": [_clause(c) for c in change.new],
        "similarity": change.similarity,
        "edits": None if change.edits is None else [[e.op, e.text] for e in change.edits],
        "flags": [{name: getattr(f, name) for name in _FLAG_FIELDS} for f in change.flags],
        "minor": change.minor,
    }


def _unchange(data: dict[str, Any]) -> Change:
    edits = data["edits"]
    return Change(
        data["kind"],
        tuple(_unclause(c) for c in data["old"]),
        tuple(_unclause(c) for c in data["new"]),
        float(data["similarity"]),
        None if edits is None else tuple(Edit(op, text) for op, text in edits),
        tuple(Flag(**{k: _tuples(v) for k, v in f.items()}) for f in data["flags"]),
        bool(data["minor"]),
    )


def _clause(clause: Clause) -> list[Any]:
    key = None if clause.key == clause.text else clause.key  # most keys are their text
    return [clause.kind, clause.text, list(clause.section), clause.position, clause.level, key]


def _unclause(data: list[Any]) -> Clause:
    kind, text, section, position, level, key = data
    return Clause(kind, text, tuple(section), position, level, text if key is None else key)


def _tuples(value: Any) -> Any:
    """JSON lists back into the tuples a Flag holds (terms, positions, a sentence's span)."""
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value
