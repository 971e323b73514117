"""History from elsewhere: import saved pages, and re-derive stored texts with today's extractor."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .archive import Archive, ArchiveError
from .config import Policy
from .derive import Rejected, derive_from_raw, derive_text, extraction_meta
from .outcome import Outcome
from .record import record_version
from .segment import same_wording
from .snapshot import STAMP, Snapshot, parse_stamp


@dataclass(frozen=True)
class Imported:
    """One file offered to `import`."""

    file: str
    taken_at: datetime | None
    outcome: Outcome | None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        new = self.outcome is not None and self.outcome.snapshot is not None
        return {
            "file": self.file,
            "new_snapshot": new,
            "snapshot": self.outcome.snapshot if new and self.outcome else None,
            "error": self.error,
        }


def date_of_file(path: Path, at: datetime | None = None) -> datetime:
    """--at, else a YYYY-MM-DDTHH-MM-SSZ stamp in the file name, else its modification time."""
    if at is not None:
        return at
    match = STAMP.search(path.name)
    if match:
        return parse_stamp(match.group(0))
    return datetime.fromtimestamp(int(path.stat().st_mtime), UTC)


@dataclass(frozen=True)
class Version:
    """A version of a policy from elsewhere: a saved file or a commit of a versions repository."""

    name: str
    taken_at: datetime
    raw: bytes
    meta: dict[str, Any]


class BackfillError(Exception):
    """A source of history that cannot be read."""


SAVED_PAGE_SUFFIXES = (".html", ".htm", ".pdf", ".txt", ".md")


def expand(paths: list[Path]) -> list[Path]:
    """Files as given; a folder stands for the saved pages directly inside it, by name."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(
                    p
                    for p in path.iterdir()
                    if p.is_file() and p.suffix.lower() in SAVED_PAGE_SUFFIXES
                )
            )
        else:
            files.append(path)
    return files


def import_files(
    archive: Archive,
    policy: Policy,
    files: list[Path],
    at: datetime | None = None,
    accept: bool = False,
) -> list[Imported]:
    """Record saved pages as snapshots, oldest first, through the same extraction as `check`."""
    versions: list[Version] = []
    results: list[Imported] = []
    for path in expand(files):
        try:
            taken_at = date_of_file(path, at)
            raw = path.read_bytes()
        except OSError as exc:
            results.append(Imported(str(path), None, None, f"cannot be read: {exc.strerror}"))
            continue
        meta = {"source": "import", "url": policy.url, "file": path.name}
        versions.append(Version(str(path), taken_at, raw, meta))
    return results + import_versions(archive, policy, versions, accept)


def import_versions(
    archive: Archive, policy: Policy, versions: list[Version], accept: bool = False
) -> list[Imported]:
    results = []
    for version in sorted(versions, key=lambda v: v.taken_at):
        try:
            result = derive_text(policy, version.raw, filename=version.name, accept=accept)
            outcome = record_version(
                archive,
                policy,
                taken_at=version.taken_at,
                raw=version.raw,
                result=result,
                meta=version.meta,
                accept=accept,
            )
        except Rejected as exc:
            results.append(Imported(version.name, version.taken_at, None, exc.reason))
            continue
        except (ArchiveError, OSError) as exc:
            results.append(Imported(version.name, version.taken_at, None, f"archive: {exc}"))
            continue
        results.append(Imported(version.name, version.taken_at, outcome))
    return results


def ota_versions(repo: Path, service: str, terms: str) -> list[Version]:
    """Each committed version of `Service/Terms Type.md` in an Open Terms Archive versions clone,
    dated by its commit."""
    relative = f"{service}/{terms}.md"

    def git(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)

    log = git("log", "--reverse", "--format=%H %cI", "--", relative)
    if log.returncode != 0:
        reason = log.stderr.decode(errors="replace").strip().splitlines()
        raise BackfillError(
            f"{repo}: not a readable git repository ({reason[0] if reason else 'git failed'})"
        )
    versions = []
    for line in log.stdout.decode().splitlines():
        commit, _, when = line.partition(" ")
        shown = git("show", f"{commit}:{relative}")
        if shown.returncode != 0:
            continue  # the commit removed the file
        taken_at = datetime.fromisoformat(when).astimezone(UTC).replace(microsecond=0)
        meta = {"source": "ota", "repository": str(repo), "commit": commit, "file": relative}
        versions.append(Version(f"{relative}@{commit[:12]}", taken_at, shown.stdout, meta))
    if not versions:
        raise BackfillError(f"{repo}: no commit holds '{relative}' (check --service and --terms)")
    return versions


@dataclass(frozen=True)
class Reextracted:
    policy_id: str
    stamp: str
    changed: bool  # the derived text differs from the stored one
    technical: bool  # after re-derivation, identical to the snapshot before it
    error: str | None = None
    formatting_only: bool = False  # after re-derivation, the same words as the one before


def reextract(archive: Archive, policy: Policy, now: datetime) -> list[Reextracted]:
    """Re-derive every stored text of a policy from its raw bytes with today's settings."""
    results = []
    previous_text: str | None = None
    when = now.astimezone(UTC).isoformat().replace("+00:00", "Z")
    for snap in archive.snapshots(policy.id):
        try:
            raw = snap.raw()
            result = derive_from_raw(
                policy, raw, snap.source_name, str(snap.meta.get("content_type", ""))
            )
        except (Rejected, ArchiveError) as exc:
            reason = exc.reason if isinstance(exc, Rejected) else str(exc)
            results.append(Reextracted(policy.id, snap.stamp, False, False, reason))
            previous_text = None
            continue
        changed = result.text != _stored_text(snap)
        technical = previous_text is not None and result.text == previous_text
        formatting_only = (
            previous_text is not None
            and not technical
            and not snap.meta.get("returns_to")
            and same_wording(previous_text, result.text)
        )
        updates: dict[str, Any] = {}
        if changed:
            updates.update(
                extraction_meta(policy),
                reextracted={
                    "at": when,
                    "from_extractor_version": snap.meta.get("extractor_version"),
                    "previous_text_sha256": snap.text_sha256,
                },
            )
        if technical != bool(snap.meta.get("technical")):
            updates["technical"] = technical
        if formatting_only != bool(snap.meta.get("formatting_only")):
            updates["formatting_only"] = formatting_only
        if changed or updates:
            archive.rewrite_text(snap, result.text, updates)
        results.append(
            Reextracted(policy.id, snap.stamp, changed, technical, formatting_only=formatting_only)
        )
        previous_text = result.text
    return results


def _stored_text(snap: Snapshot) -> str | None:
    try:
        return str(snap.text)
    except ArchiveError:
        return None  # a corrupted text is replaced by the re-derived one
