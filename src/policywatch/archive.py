"""snapshots/ as a run writes it: the lock, and snapshots and checks written so that a crash
leaves no half file.

Layout (see DESIGN.md):

    snapshots/<id>/<STAMP>.html|.pdf|.txt|.markdown   raw bytes as fetched
    snapshots/<id>/<STAMP>.md               extracted text
    snapshots/<id>/<STAMP>.json             metadata, written last: a snapshot exists once it does
    snapshots/<id>/checks.jsonl             one line per check, changed or not
    snapshots/<id>/state.json               the last check, validators, failing-since
    snapshots/.cache/                       derived data, never required (cache.py)

Every file is written to a temporary name, fsynced and renamed, so a crash leaves either the old
state or the new one, never half a file, and what a killed run left is cleared when the next
one takes the lock. Reading the archive is archivereader.py's; one snapshot, snapshot.py's.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .archivereader import ArchiveReader
from .errors import ArchiveError, ArchiveLocked
from .snapshot import STAMP, Snapshot, sha256, stamp_of

__all__ = ["Archive", "ArchiveError", "ArchiveLocked"]

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


_HELD: list[Any] = []  # locks kept to the end of the process (see Archive.lock)


class Archive(ArchiveReader):
    """The snapshots folder."""

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


def _dump(value: dict[str, Any]) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")
