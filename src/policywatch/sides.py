"""The sides of a comparison: a file (.md, .txt, .html, .pdf) or a snapshot ref, read as
canonical text; two large files read at once, one in a forked child."""

from __future__ import annotations

import contextlib
import gc
import marshal
import os
import signal
import threading
from dataclasses import dataclass
from pathlib import Path

from .archive import Archive
from .errors import ArchiveError
from .snapshot import ID, Snapshot


class SideError(Exception):
    """A side of a comparison that cannot be read."""


@dataclass(frozen=True)
class Side:
    """One version to compare: where it came from and its canonical text (canonical.py)."""

    label: str
    text: str

    @classmethod
    def of_markdown(cls, label: str, markdown: str) -> Side:
        """A side from markdown (a saved .md file, an Open Terms Archive version)."""
        from .canonical import from_markdown

        return cls(label, from_markdown(markdown))


FILE_SUFFIXES = (".md", ".txt", ".html", ".htm", ".pdf")


def read_side(spec: str, archive: Archive) -> Side:
    """A snapshot ref (ID, ID@previous, ID~2, ID@DATE) or a file (.md, .txt, .html, .pdf)."""
    path = Path(spec)
    if path.is_file():
        return _file_side(path)
    if path.is_dir():
        raise SideError(f"{spec}: is a folder, not a file or a snapshot ref")
    if path.suffix.lower() in FILE_SUFFIXES and "@" not in spec:
        raise SideError(f"{spec}: no such file")
    return snapshot_side(archive.resolve(spec))


# Two files this large are read at once, one in a forked child: parsing markdown or HTML is
# most of a large diff's reading, and the second core would sit idle (720 KB: 55 -> 38 ms).
AT_ONCE_BYTES = 256 * 1024


def read_sides(first: str, second: str, archive: Archive) -> tuple[Side, Side]:
    """read_side of both (SideError of the first that fails); two large files at once."""
    paths = (Path(first), Path(second))
    if (
        hasattr(os, "fork")
        and _alone()  # a fork copies only the calling thread
        and all(p.is_file() for p in paths)
        and sum(p.stat().st_size for p in paths) >= AT_ONCE_BYTES
    ):
        return _read_at_once(first, second, archive)
    return read_side(first, archive), read_side(second, archive)


_REAPER = "policywatch-reaper"


def _alone() -> bool:
    """Whether no other thread could hold a lock the forked child would need: the main thread
    and the reapers of earlier children (blocked in waitpid, holding none) only."""
    main = threading.main_thread()
    return all(t is main or t.name == _REAPER for t in threading.enumerate())


def _read_at_once(first: str, second: str, archive: Archive) -> tuple[Side, Side]:
    """The first side read in a forked child while this process reads the second. Whatever
    goes wrong with the child (no fork, killed, cut short) only means the first side is read
    here, after all."""
    try:
        readable, writable = os.pipe()
    except OSError:
        return read_side(first, archive), read_side(second, archive)
    # What exists now stays out of the garbage collector from here on (Python's advice before
    # a fork): neither process copies a page for it, and neither walks it again: 15 ms less
    # on the stress pair.
    gc.freeze()
    try:
        child = os.fork()
    except OSError:
        os.close(readable)
        os.close(writable)
        return read_side(first, archive), read_side(second, archive)
    if child == 0:  # the child: read, send, and leave without running anything of the parent's
        code = 1
        try:
            os.close(readable)
            try:
                side = read_side(first, archive)
                message = ("side", side.label, side.text)
            except SideError as exc:
                message = ("error", str(exc), "")
            with os.fdopen(writable, "wb") as pipe:
                pipe.write(marshal.dumps(message))
            code = 0
        finally:
            os._exit(code)
    os.close(writable)
    try:
        try:
            second_side: Side | SideError = read_side(second, archive)
        except SideError as exc:
            second_side = exc
        with os.fdopen(readable, "rb") as pipe:
            data = pipe.read()
    except BaseException:  # Ctrl-C, or anything else here: the child is not waited for
        with contextlib.suppress(OSError):
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)
        raise
    # The pipe closed: the child sent all it will. Its exit (giving back the memory it read
    # with) takes 3 ms more, which a thread waits for instead of the diff.
    threading.Thread(target=_reap, args=(child,), name=_REAPER, daemon=True).start()
    first_side = _sent(data) or read_side(first, archive)
    if isinstance(second_side, SideError):
        raise second_side
    return first_side, second_side


def _sent(data: bytes) -> Side | None:
    """The side a child sent (its SideError raised here); None when it sent nothing whole.

    marshal, not pickle: Python's own format for its values, built in (importing pickle takes
    1.5 ms), for two strings between a process and its fork; a message cut short does not
    load."""
    try:
        kind, first, second = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return None
    if kind == "error":
        raise SideError(first)
    return Side(first, second) if kind == "side" else None


def _reap(child: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(child, 0)


def names_a_policy(spec: str) -> bool:
    """Whether `diff SPEC` alone means a policy's last two snapshots: a bare policy id, not
    a ref to one version, nor a file (one that is there, or a name read_side takes for one)."""
    path = Path(spec)
    return (
        ID.fullmatch(spec) is not None
        and path.suffix.lower() not in FILE_SUFFIXES
        and not path.is_file()
    )


def snapshot_side(snapshot: Snapshot) -> Side:
    """A snapshot's canonical text; one archived before the canonical form (extractor 2 or
    older, markdown-like) is read as markdown."""
    return Side(snapshot.ref, canonical_text(snapshot))


CANONICAL_SINCE = 3  # the extractor version that writes canonical text


def canonical_text(snapshot: Snapshot) -> str:
    version = snapshot.meta.get("extractor_version")
    if isinstance(version, int) and version >= CANONICAL_SINCE:
        return snapshot.text
    from .canonical import MarkdownError, from_markdown

    try:
        return from_markdown(snapshot.text)
    except MarkdownError as exc:
        raise ArchiveError(f"{snapshot.ref}: {exc}") from None


def _file_side(path: Path) -> Side:
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise SideError(f"{path}: cannot be read ({exc.strerror})") from None
    suffix = path.suffix.lower()
    if suffix in (".md", ".txt", ".markdown"):
        from .canonical import MarkdownError, from_markdown, from_plain

        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            try:
                return Side(
                    str(path), from_plain(text) if suffix == ".txt" else from_markdown(text)
                )
            except MarkdownError as exc:
                raise SideError(f"{path}: {exc}") from None
    from .extract import ExtractionError, extract  # HTML and PDF: a heavy import

    try:
        return Side(str(path), extract(body, filename=path.name).text)
    except ExtractionError as exc:
        raise SideError(f"{path}: {exc.reason}") from None
