"""snapshots/ as it is read: the policies it holds, each one's snapshots, its last state and
its checks, and the refs that name a snapshot (ID, ID@latest, ID@previous, ID~N, ID@DATE).

Nothing here writes: taking the lock and writing so that a crash leaves no half file is
archive.py's. A folder or file that cannot be read is an ArchiveError that names it, never
taken for an empty one.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from .errors import ArchiveError, RefError
from .snapshot import ID, STAMP, Snapshot

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


class ArchiveReader:
    """The snapshots folder, read."""

    def __init__(self, root: Path) -> None:
        self.root = root

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

    def snapshots_named(self, policy_id: str) -> list[Snapshot]:
        """A policy's snapshots, oldest first, for a command given its id (`history`,
        `changelog`); a RefError says, as `show` and `diff` do, what the id lacks."""
        return self._snapshots_of(policy_id, policy_id)

    def _snapshots_of(self, ref: str, policy_id: str) -> list[Snapshot]:
        """The snapshots a ref reads; RefError when it names no policy with snapshots."""
        snaps = self.snapshots(policy_id)
        if not snaps:
            known = self.policy_ids()
            where = "no snapshots" if policy_id in known else "no such policy in the archive"
            raise RefError(
                f"'{ref}': {where} ({self.root / policy_id})", ref=ref, unknown=policy_id
            )
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
