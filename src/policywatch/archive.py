"""snapshots/: dated raw bytes, extracted text and metadata per policy; check records; a lock; refs.

Layout (see DESIGN.md):

    snapshots/<id>/<STAMP>.html|.pdf|.txt|.markdown   raw bytes as fetched
    snapshots/<id>/<STAMP>.md               extracted text
    snapshots/<id>/<STAMP>.json             metadata, written last: a snapshot exists once it does
    snapshots/<id>/checks.jsonl             one line per check, changed or not
    snapshots/<id>/state.json               the last check, validators, failing-since
    snapshots/.cache/                       derived data, never required (cache.py)

Every file is written to a temporary name, fsynced and renamed, so a crash leaves either the old
state or the new one, never half a file.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from .errors import ArchiveError, ArchiveLocked, RefError
from .snapshot import ID, STAMP, Snapshot, sha256, stamp_of

__all__ = ["Archive", "ArchiveError", "ArchiveLocked", "RefError"]

RAW_SUFFIXES = {
    "html": ".html",
    "pdf": ".pdf",
    "text": ".txt",
    "markdown": ".markdown",
    "pages": ".pages.json",
}
LOCK_NAME = ".lock"
# Beside the lock, not in it: where flock is missing, filelock keeps its own marker in the lock
# file, and a pid written over it would make the lock of a killed run look held for ever.
HOLDER_NAME = ".lock.pid"


def write_atomic(path: Path, data: bytes) -> None:
    """Write data to path through a temporary file, fsync and rename."""
    tmp = path.with_name(f".tmp-{path.name}-{os.getpid()}")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


_REF = re.compile(
    r"^(?P<id>[^@~\s]+)(?:@(?P<at>[^@~\s]+)|~(?P<back>\d+))?$",
)


_RESTORE_STATE = (
    "restore it, or delete it to forget the last check (the next check writes a new one)"
)


def _unreadable(path: Path, exc: OSError, folder: Path) -> ArchiveError:
    """One line naming what in a policy's folder cannot be read, and why."""
    if isinstance(exc, NotADirectoryError):
        return ArchiveError(f"{folder}: a file stands where the policy's folder should be")
    return ArchiveError(f"{path}: cannot be read ({exc.strerror or exc})")


_HELD: list[Any] = []  # locks kept to the end of the process (see Archive.lock)


class Archive:
    """The snapshots folder."""

    def __init__(self, root: Path) -> None:
        self.root = root

    # -- locking -------------------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self, wait: float = 10.0) -> Iterator[None]:
        """Hold the archive's lock (filelock on snapshots/.lock; the holder's pid in
        .lock.pid); wait up to `wait` seconds, then raise ArchiveLocked."""
        from filelock import FileLock, Timeout

        path = self.root / LOCK_NAME
        lock = FileLock(path, timeout=wait, thread_local=False)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            lock.acquire()
        except Timeout:
            raise ArchiveLocked(
                f"{self.root}: another policywatch run holds the archive's lock; try again later"
            ) from None
        except OSError as exc:
            raise ArchiveError(f"{path}: cannot take the archive's lock ({exc.strerror})") from None
        held = False
        try:
            holder = self.root / HOLDER_NAME
            try:
                # Who holds it, for a person who finds it; and a first write that must succeed.
                with open(holder, "wb", buffering=0) as handle:
                    handle.write(f"{os.getpid()}\n".encode())
            except OSError as exc:
                raise ArchiveError(f"{holder}: cannot write ({exc.strerror})") from None
            self._clean_partial_writes()
            yield
        except BaseException as exc:
            # Interrupted (a second Ctrl-C) while other threads of this run may still be
            # writing: keep the lock until the process exits, after they have finished.
            held = not isinstance(exc, Exception) and threading.active_count() > 1
            raise
        finally:
            if held:
                _HELD.append(lock)
            else:
                lock.release()

    def _clean_partial_writes(self) -> None:
        """Remove what a killed run left behind: temporary files, snapshot files with no metadata."""
        if not self.root.is_dir():
            return
        for folder in self.root.iterdir():
            if not folder.is_dir() or folder.name.startswith("."):
                continue
            # A folder this run cannot read or clear is one policy's failure, said when that
            # policy is checked; it must not stop the run for every other policy.
            with contextlib.suppress(OSError):
                self._clean_folder(folder)

    @staticmethod
    def _clean_folder(folder: Path) -> None:
        for path in folder.iterdir():
            if path.name.startswith(".tmp-"):
                path.unlink(missing_ok=True)
                continue
            stem = path.name.split(".", 1)[0]
            if STAMP.fullmatch(stem) and not (folder / f"{stem}.json").exists():
                path.unlink(missing_ok=True)

    # -- reading -------------------------------------------------------------------------------

    def folder(self, policy_id: str) -> Path:
        return self.root / policy_id

    def policy_ids(self) -> list[str]:
        """The policies the archive holds: its folders named as policy ids (a folder of any
        other name is not one of ours, and its name could be nothing safe to link to)."""
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and ID.fullmatch(p.name))

    def stamps(self, policy_id: str) -> list[str]:
        """The stamps of a policy's snapshots, oldest first, from the file names alone.

        No folder means no snapshots; a folder that cannot be read is an ArchiveError, never
        taken for an empty one."""
        folder = self.folder(policy_id)
        try:
            names = os.listdir(folder)
        except FileNotFoundError:
            if folder.is_symlink():
                raise ArchiveError(f"{folder}: cannot be read (a link to nothing)") from None
            return []
        except OSError as exc:
            raise _unreadable(folder, exc, folder) from None
        return sorted(
            name[:-5] for name in names if name.endswith(".json") and STAMP.fullmatch(name[:-5])
        )

    def snapshot(self, policy_id: str, stamp: str) -> Snapshot:
        """One snapshot, its metadata read and checked."""
        folder = self.folder(policy_id)
        path = folder / f"{stamp}.json"
        try:
            meta = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ArchiveError(f"{path}: unreadable snapshot metadata ({exc})") from None
        if not isinstance(meta, dict):
            raise ArchiveError(f"{path}: snapshot metadata is not a JSON object")
        return Snapshot(policy_id, stamp, folder, meta)

    def snapshots(self, policy_id: str) -> list[Snapshot]:
        """A policy's snapshots, oldest first."""
        return [self.snapshot(policy_id, stamp) for stamp in self.stamps(policy_id)]

    def latest(self, policy_id: str) -> Snapshot | None:
        """The newest snapshot, reading only its own metadata (a daily check needs no more)."""
        stamps = self.stamps(policy_id)
        return self.snapshot(policy_id, stamps[-1]) if stamps else None

    def state(self, policy_id: str) -> dict[str, Any]:
        """The last check's record ({} for a policy never checked); unreadable: ArchiveError."""
        path = self.folder(policy_id) / "state.json"
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            # A folder that cannot be read (chmod 000) is named, not the file it hides.
            self.stamps(policy_id)
            raise _unreadable(path, exc, path.parent) from None
        try:
            value = json.loads(data)
        except ValueError as exc:
            raise ArchiveError(f"{path}: corrupted, not JSON ({exc}); {_RESTORE_STATE}") from None
        if not isinstance(value, dict):
            raise ArchiveError(f"{path}: corrupted, not a JSON object; {_RESTORE_STATE}")
        return value

    def checks(self, policy_id: str) -> list[dict[str, Any]]:
        """Every check recorded for a policy, oldest first (a torn last line is skipped)."""
        path = self.folder(policy_id) / "checks.jsonl"
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise _unreadable(path, exc, path.parent) from None
        records = []
        for line in lines:
            with contextlib.suppress(ValueError):
                record = json.loads(line)
                if isinstance(record, dict):
                    records.append(record)
        return records

    # -- writing -------------------------------------------------------------------------------

    def _make_folder(self, policy_id: str) -> Path:
        folder = self.folder(policy_id)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            raise ArchiveError(
                f"{folder}: a file stands where the policy's folder should be"
            ) from None
        return folder

    def write_snapshot(
        self,
        policy_id: str,
        taken_at: datetime,
        raw: bytes,
        raw_kind: str,
        text: str,
        meta: dict[str, Any],
    ) -> Snapshot:
        """Archive one version; the metadata file is written last and marks it complete."""
        folder = self._make_folder(policy_id)
        stamp = stamp_of(taken_at)
        if (folder / f"{stamp}.json").exists():
            raise ArchiveError(f"{folder}: a snapshot dated {stamp} already exists")
        raw_name = f"{stamp}{RAW_SUFFIXES.get(raw_kind, '.html')}"
        encoded = text.encode("utf-8")
        full_meta = {
            "policy": policy_id,
            "taken_at": taken_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            **meta,
            "raw_file": raw_name,
            "raw_sha256": sha256(raw),
            "text_sha256": sha256(encoded),
            "text_chars": len(text),
        }
        write_atomic(folder / raw_name, raw)
        write_atomic(folder / f"{stamp}.md", encoded)
        write_atomic(folder / f"{stamp}.json", _dump(full_meta))
        return Snapshot(policy_id, stamp, folder, full_meta)

    def rewrite_text(self, snapshot: Snapshot, text: str, meta_updates: dict[str, Any]) -> Snapshot:
        """Replace a snapshot's derived text (the raw bytes stay the source of truth)."""
        encoded = text.encode("utf-8")
        meta = {
            **snapshot.meta,
            **meta_updates,
            "text_sha256": sha256(encoded),
            "text_chars": len(text),
        }
        write_atomic(snapshot.text_path, encoded)
        write_atomic(snapshot.folder / f"{snapshot.stamp}.json", _dump(meta))
        return Snapshot(snapshot.policy_id, snapshot.stamp, snapshot.folder, meta)

    def record_check(self, policy_id: str, record: dict[str, Any], state: dict[str, Any]) -> None:
        """Remember a check: one line appended to checks.jsonl, and the new state."""
        folder = self._make_folder(policy_id)
        line = json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
        fd = os.open(folder / "checks.jsonl", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        write_atomic(folder / "state.json", _dump(state))

    # -- refs ----------------------------------------------------------------------------------

    def resolve(self, ref: str) -> Snapshot:
        """ID, ID@latest, ID@previous, ID~N, ID@DATE or ID@STAMP -> a snapshot."""
        match = _REF.match(ref.strip())
        if not match:
            raise RefError(
                f"'{ref}' is not a snapshot ref (ID, ID@latest, ID@previous, ID~N, ID@YYYY-MM-DD)"
            )
        policy_id, at, back = match.group("id"), match.group("at"), match.group("back")
        if not ID.fullmatch(policy_id):
            raise RefError(f"'{ref}': '{policy_id}' is not a policy id (letters, digits, . _ -)")
        snaps = self._snapshots_of(ref, policy_id)
        if back is not None or at in (None, "latest", "previous"):
            steps = int(back) if back is not None else (1 if at == "previous" else 0)
            if steps >= len(snaps):
                raise RefError(
                    f"'{ref}': {policy_id} has only {len(snaps)} snapshot(s), "
                    f"so there is nothing {steps} before the latest"
                )
            return snaps[-1 - steps]
        assert at is not None
        return _at(ref, policy_id, at, snaps)

    def last_two(self, policy_id: str) -> tuple[Snapshot, Snapshot]:
        """A policy's previous and latest snapshots (`diff ID`); a RefError names the id as
        it was given, not a ref made of it."""
        snaps = self._snapshots_of(policy_id, policy_id)
        if len(snaps) < 2:
            raise RefError(
                f"'{policy_id}': {policy_id} has only 1 snapshot, so nothing to compare it with"
            )
        return snaps[-2], snaps[-1]

    def _snapshots_of(self, ref: str, policy_id: str) -> list[Snapshot]:
        """The snapshots a ref reads; RefError when it names no policy with snapshots."""
        snaps = self.snapshots(policy_id)
        if not snaps:
            known = self.policy_ids()
            where = "no snapshots" if policy_id in known else "no such policy in the archive"
            raise RefError(f"'{ref}': {where} ({self.root / policy_id})")
        return snaps


def _at(ref: str, policy_id: str, at: str, snaps: list[Snapshot]) -> Snapshot:
    normalised = at.replace(":", "-")
    if STAMP.fullmatch(normalised):
        for snap in snaps:
            if snap.stamp == normalised:
                return snap
        raise RefError(f"'{ref}': no snapshot of {policy_id} taken at exactly {normalised}")
    try:
        day = date.fromisoformat(at)
    except ValueError:
        raise RefError(
            f"'{ref}': '{at}' is not latest, previous, a date (YYYY-MM-DD) or a snapshot stamp"
        ) from None
    end = datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1)
    in_force = [s for s in snaps if s.taken_at < end]
    if not in_force:
        raise RefError(
            f"'{ref}': no snapshot of {policy_id} on or before {day.isoformat()}; "
            f"the first is from {snaps[0].taken_at.date().isoformat()}"
        )
    return in_force[-1]


def _dump(value: dict[str, Any]) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")
