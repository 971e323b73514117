"""The report's folder: only the files whose bytes change are written, each one atomically.

A file is made again only when its inputs (report.py names them by a hash) or the file itself
are not as the last build left them; a made file is compared with the one on disk before it is
written, so a rebuild with nothing new writes nothing. The files a build wrote, with their
inputs, are listed in `.policywatch-report.json` in the folder (a missing or unreadable list
only costs time). Files of an earlier build that are no longer part of the report are removed;
nothing else in the folder is ever touched.

Apart from site.py, which decides what pages a build draws and from what: this module knows
files, their bytes and the manifest, never what a page shows; what decides that a page is
drawn again (its inputs, the version of the code that draws it) is handed to it.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

MANIFEST = ".policywatch-report.json"
FORMAT = 1


class ReportError(Exception):
    """The report's folder cannot be made or written: one line naming it and why."""


@dataclass
class Built:
    """What a build did: the files it wrote, how many it left as they were, what it removed."""

    output: Path
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)

    @property
    def files(self) -> int:
        return len(self.written) + self.unchanged

    def to_json(self) -> dict[str, Any]:
        return {
            "output": str(self.output),
            "index": str(self.output / "index.html"),
            "files": self.files,
            "written": self.written,
            "unchanged": self.unchanged,
            "removed": self.removed,
        }


class Folder:
    """The report's folder: what the last build left in it, and what this one writes."""

    def __init__(
        self, root: Path, earlier: dict[str, Any], built: Built, known: dict[str, Any]
    ) -> None:
        self.root = root
        self.earlier = earlier  # the last build's pages, when its inputs can be trusted
        self.known = known  # every page a build left here, whatever its version
        self.now: dict[str, list[Any]] = {}
        self.built = built

    def file(self, path: str, inputs: str | None, make: Callable[[], bytes]) -> None:
        """Make `path` hold make()'s bytes; with `inputs`, skip make() when the inputs and the
        file are as the last build left them."""
        target = self.root / path
        before = self.earlier.get(path)
        if inputs is not None and isinstance(before, list) and before[:1] == [inputs]:
            try:
                stat = target.stat()
            except OSError:
                stat = None
            if stat is not None and before[1:] == [stat.st_size, stat.st_mtime_ns]:
                self.now[path] = before
                self.built.unchanged += 1
                return
        data = make()
        if _read(target) == data:
            self.built.unchanged += 1
        else:
            _write(target, data)
            self.built.written.append(path)
        stat = target.stat()
        self.now[path] = [inputs, stat.st_size, stat.st_mtime_ns]

    def remove_stale(self) -> None:
        """Remove the files of an earlier build that this one did not make."""
        for path in sorted(set(self.known) - set(self.now)):
            parts = PurePosixPath(path).parts
            if not parts or PurePosixPath(path).is_absolute() or ".." in parts:
                continue  # never outside the folder, whatever the manifest says
            target = self.root / path
            try:
                target.unlink()
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise ReportError(f"{target}: cannot be removed ({exc.strerror})") from None
            self.built.removed.append(path)
            folder = target.parent
            while folder != self.root:
                try:
                    folder.rmdir()  # only when empty
                except OSError:
                    break
                folder = folder.parent


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _write(path: Path, data: bytes) -> None:
    """Through a temporary file and a rename: a reader never sees half a page. Not fsynced:
    the report is derived data, made again by the next build."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".tmp-{path.name}-{os.getpid()}")
        try:
            tmp.write_bytes(data)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
    except OSError as exc:
        where = exc.filename or path
        raise ReportError(f"{where}: cannot be written ({exc.strerror or exc})") from None


def prepare(output: Path, archive_root: Path | None = None) -> None:
    """Make the report's folder, or say in one line why it cannot be: before any work. It
    must be a folder of its own: never the file system's root, never the archive, inside it
    or around it (the report's pages would be written over the archive's files)."""
    where = output.resolve()
    if where.parent == where:
        raise ReportError(f"{output}: is the file system's root; give the report a folder")
    if archive_root is not None:
        archive = archive_root.resolve()
        if where == archive or archive in where.parents or where in archive.parents:
            raise ReportError(
                f"{output}: holds the archive {archive_root}, or is in it; "
                "give the report a folder of its own"
            )
    if output.exists() and not output.is_dir():
        raise ReportError(f"{output}: is a file, not a folder for the report")
    try:
        output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(f"{output}: cannot be made ({exc.strerror or exc})") from None
    if not os.access(output, os.W_OK | os.X_OK):
        raise ReportError(f"{output}: cannot be written (Permission denied)")


def read_manifest(output: Path) -> dict[str, Any]:
    data = _read(output / MANIFEST)
    if data is None:
        return {}
    try:
        value = json.loads(data)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def save_manifest(output: Path, version: str, pages: dict[str, Any]) -> None:
    manifest = {"format": FORMAT, "site": version, "pages": pages}
    data = (json.dumps(manifest, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
    if _read(output / MANIFEST) != data:
        _write(output / MANIFEST, data)
