"""One snapshot of a policy as archived: the raw page as fetched, the text derived from it, and
its metadata.

A snapshot is named by its policy's id (its folder) and its stamp (the moment it was taken, in its
files' names); its files are read back checked against the hashes recorded when they were written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from .errors import ArchiveError

STAMP_FORMAT = "%Y-%m-%dT%H-%M-%SZ"
# A policy id, as the configuration allows it: it names a folder, so it may not climb out.
ID = re.compile(r"[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?")
STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z")


def stamp_of(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(STAMP_FORMAT)


def parse_stamp(stamp: str) -> datetime:
    return datetime.strptime(stamp, STAMP_FORMAT).replace(tzinfo=UTC)


def sha256(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    import hashlib  # 3 ms to import, and a diff of two files never hashes

    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Snapshot:
    """One archived version of a policy."""

    policy_id: str
    stamp: str
    folder: Path
    meta: dict[str, Any]

    @property
    def taken_at(self) -> datetime:
        return parse_stamp(self.stamp)

    @property
    def returns_to(self) -> str | None:
        """An older snapshot with the very same text, which this one went back to."""
        value = self.meta.get("returns_to")
        return str(value) if value else None

    @property
    def ref(self) -> str:
        return f"{self.policy_id}@{self.stamp}"

    @property
    def text_path(self) -> Path:
        return self.folder / f"{self.stamp}.md"

    @property
    def raw_path(self) -> Path:
        """The raw bytes' file, in the snapshot's folder (ArchiveError when the metadata names
        one anywhere else: metadata is data, never a path to follow)."""
        name = str(self.meta.get("raw_file", f"{self.stamp}.html"))
        if name in ("", ".", "..") or Path(name).name != name or "\\" in name:
            raise ArchiveError(
                f"{self.folder / (self.stamp + '.json')}: its raw file {name!r} is not a file "
                "of the snapshot's folder"
            )
        return self.folder / name

    @property
    def characters(self) -> int:
        """The text's length as recorded (0 when the metadata does not say, or says nonsense)."""
        value = self.meta.get("text_chars")
        return value if isinstance(value, int) and not isinstance(value, bool) else 0

    @property
    def source_name(self) -> str:
        """The name that says how to read the raw bytes: the raw file's, or the imported file's
        when that says more (markdown imported before 0.2 was kept as .txt)."""
        name = self.raw_path.name
        original = str(self.meta.get("file", ""))
        if name.endswith(".txt") and original.lower().endswith((".md", ".markdown")):
            return original.rsplit("/", 1)[-1]
        return name

    @property
    def text_sha256(self) -> str:
        return str(self.meta.get("text_sha256", ""))

    @cached_property
    def text(self) -> str:
        """The extracted text, checked against the hash recorded when it was written."""
        try:
            data = self.text_path.read_bytes()
        except OSError as exc:
            raise ArchiveError(f"{self.text_path}: cannot be read ({exc.strerror})") from None
        if self.text_sha256 and sha256(data) != self.text_sha256:
            raise ArchiveError(
                f"{self.text_path}: its text does not match the hash recorded when it was "
                "archived (edited or corrupted); restore it or run 'policywatch reextract'"
            )
        return data.decode("utf-8")

    def raw(self) -> bytes:
        try:
            data = self.raw_path.read_bytes()
        except OSError as exc:
            raise ArchiveError(f"{self.raw_path}: cannot be read ({exc.strerror})") from None
        expected = self.meta.get("raw_sha256")
        if expected and sha256(data) != expected:
            raise ArchiveError(
                f"{self.raw_path}: its bytes do not match the hash recorded when it was archived"
            )
        return data
