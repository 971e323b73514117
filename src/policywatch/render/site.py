"""Write the report's folder: only the files whose bytes change, each one atomically.

Each page is drawn again only when what it shows changed (report.py names its inputs by a
hash) or its file is not as the last build left it; a drawn page is compared with the file
before it is written, so a rebuild with nothing new writes nothing, and pages carry no time of
their own making: the same archive gives the same bytes. The files a build wrote, with their
inputs, are listed in `.policywatch-report.json` in the folder (a missing or unreadable list
only costs time); what the pages need of each change and version is in the archive's cache
(memory.Memory). Files of an earlier build that are no longer part of the report are
removed; nothing else in the folder is ever touched.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path, PurePosixPath
from typing import Any

from .. import __version__, report, timeline
from ..archive import Archive
from ..cache import Comparisons
from ..category import Category
from ..changelog import Entry
from ..memory import Memory
from ..sides import canonical_text
from . import html
from .changelog import FeedItem, atom_of, feed_item

MANIFEST = ".policywatch-report.json"
FORMAT = 1
FEED = "feed.atom"
FEED_ID = "urn:policywatch:changelog"  # the id of `policywatch changelog --format atom` too
FEED_TITLE = "Privacy policy changes"
# The code whose output the pages are: any edit draws every page again (and the comparison of
# bytes then writes only those that really changed).
CODE = (
    "report",
    "timeline",
    "memory",
    "render.html",
    "render.site",
    "render.diffview",
    "render.changelog",
    "render.markdown",  # which changes the feed shows, in what order
    "render.safe",  # what every value written loses: control characters
)


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


@cache
def site_version() -> str:
    """The version of the pages' code and templates."""
    sources = []
    for name in CODE:
        module = importlib.import_module(f"policywatch.{name}")
        sources.append(Path(str(module.__file__)).read_text(encoding="utf-8"))
    return report.key(FORMAT, __version__, html.templates_digest(), sources)


def memory_version(comparisons: Comparisons) -> str:
    """What the memory's summaries and facts depend on: how texts are compared (the code and
    the taxonomy), and the code that sums comparisons up."""
    sources = [
        Path(str(importlib.import_module(f"policywatch.{name}").__file__)).read_text("utf-8")
        for name in ("timeline", "memory", "render.diffview")
    ]
    return report.key(comparisons.version, sources)


class _Folder:
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


def _manifest(output: Path) -> dict[str, Any]:
    data = _read(output / MANIFEST)
    if data is None:
        return {}
    try:
        value = json.loads(data)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def build(
    archive: Archive,
    policies: Sequence[tuple[str, str, str]],
    taxonomy: Sequence[Category],
    output: Path,
    *,
    days: int = report.DEFAULT_DAYS,
) -> Built:
    """Build or refresh the report of these policies (id, name, url) in `output`."""
    prepare(output, archive.root)
    comparisons = Comparisons.of(archive, taxonomy)
    version = site_version()
    earlier = _manifest(output)
    memory = Memory.of(archive, memory_version(comparisons))
    known = earlier.get("pages")
    known = known if isinstance(known, dict) else {}
    built = Built(output)
    # Pages of another version of the report are drawn again, and removed when gone.
    folder = _Folder(output, known if earlier.get("site") == version else {}, built, known)
    try:
        _build(archive, policies, taxonomy, days, comparisons, memory, folder, version)
    except BaseException:
        # What this run wrote is remembered, so that a later build removes what it no longer
        # makes; the pages it did not reach are the last build's, as they were.
        with contextlib.suppress(OSError, ReportError):  # the first error is the one to tell
            _save_manifest(output, version, {**known, **folder.now})
        raise
    _save_manifest(output, version, folder.now)
    return built


def _save_manifest(output: Path, version: str, pages: dict[str, Any]) -> None:
    manifest = {"format": FORMAT, "site": version, "pages": pages}
    data = (json.dumps(manifest, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
    if _read(output / MANIFEST) != data:
        _write(output / MANIFEST, data)


def _build(
    archive: Archive,
    policies: Sequence[tuple[str, str, str]],
    taxonomy: Sequence[Category],
    days: int,
    comparisons: Comparisons,
    memory: Memory,
    folder: _Folder,
    version: str,
) -> None:
    page_version = report.key(version, memory.version)
    histories = []
    feed: dict[tuple[str, str], FeedItem] = {}
    for policy_id, name, url in policies:
        found = timeline.history(archive, policy_id, name, url, taxonomy, comparisons, memory)
        if found.versions:
            _policy_files(folder, found, taxonomy, comparisons, page_version)
        # The feed's entries are drawn while their comparisons are at hand (a full build);
        # a long history's comparisons are not all kept at once.
        for entry in found.entries:
            if entry.previous is None or entry.stamp in found.comparisons:
                feed[(policy_id, entry.stamp)] = _feed_item(found, entry, taxonomy, None)
        found.comparisons.clear()
        histories.append(found)
    rows, start, end = report.rows(histories, days)
    versions = sum(len(h.versions) for h in histories)
    for order in report.ORDERS:
        folder.file(
            order.page,
            None,
            partial(
                html.page,
                "index.html",
                order.page,
                rows=[r for r in report.ordered(rows, order) if r.history.versions],
                waiting=[
                    r for r in report.ordered(rows, report.ORDERS[0]) if not r.history.versions
                ],
                order=order,
                orders=report.ORDERS,
                days=days,
                start=start,
                end=end,
                versions=versions,
            ),
        )
    folder.file("style.css", None, html.stylesheet)
    feed_inputs = report.key(
        "feed",
        page_version,
        [(h.policy_id, h.name, [(e.stamp, e.snapshot.meta) for e in h.entries]) for h in histories],
    )
    folder.file(FEED, feed_inputs, lambda: _feed(histories, feed, taxonomy, comparisons))
    folder.remove_stale()
    memory.save(archive)


def _policy_files(
    folder: _Folder,
    found: timeline.History,
    taxonomy: Sequence[Category],
    comparisons: Comparisons,
    version: str,
) -> None:
    policy_id = found.policy_id
    changed = {e.stamp for e in found.changes}
    flags_of = {e.stamp: e.flags for e in found.entries if e.flags}
    folder.file(
        report.policy_page(policy_id),
        None,
        lambda: html.page(
            "policy.html",
            report.policy_page(policy_id),
            history=found,
            strip=timeline.strip(found, taxonomy),
            taxonomy=taxonomy,
            changed=changed,
            flags_of=flags_of,
        ),
    )
    for entry in found.changes:
        path = report.change_page(policy_id, entry.stamp)
        folder.file(
            path,
            report.change_inputs(found, entry, version),
            partial(_change, found, entry.stamp, path, taxonomy, comparisons),
        )
    for index, here in enumerate(found.versions):
        path = report.text_page(policy_id, here.stamp)
        folder.file(
            path,
            report.text_inputs(found, index, version),
            partial(_text, found, index, path, here.stamp in changed),
        )
        snapshot = here.snapshot
        folder.file(
            report.raw_copy(snapshot),
            report.key("raw", snapshot.raw_path.name, snapshot.meta.get("raw_sha256")),
            snapshot.raw,
        )


def _change(
    found: timeline.History,
    stamp: str,
    path: str,
    taxonomy: Sequence[Category],
    comparisons: Comparisons,
) -> bytes:
    comparison = report.comparison_for(found, stamp, comparisons)
    return html.page(
        "change.html", path, page=report.change_view(found, stamp, comparison, taxonomy)
    )


def _text(found: timeline.History, index: int, path: str, changed: bool) -> bytes:
    versions = found.versions
    here = versions[index]
    return html.page(
        "text.html",
        path,
        history=found,
        version=here,
        text=canonical_text(here.snapshot),
        before=versions[index - 1] if index > 0 else None,
        after=versions[index + 1] if index + 1 < len(versions) else None,
        changed=changed,
    )


def _changelog_entry(
    found: timeline.History, entry: timeline.Entry, comparisons: Comparisons | None
) -> Entry:
    """The changelog's entry for one of the report's: the same feed as `changelog`."""
    comparison = None
    if entry.previous is not None:
        comparison = found.comparisons.get(entry.stamp)
        if comparison is None:
            assert comparisons is not None
            comparison = timeline.compare(comparisons, entry.previous, entry.snapshot)
    before = entry.facts_before.stated if entry.facts_before else None
    return Entry(
        found.policy_id,
        found.name,
        entry.snapshot,
        entry.previous,
        comparison,
        entry.stated,
        before,
    )


def _feed(
    histories: Sequence[timeline.History],
    drawn: dict[tuple[str, str], FeedItem],
    taxonomy: Sequence[Category],
    comparisons: Comparisons,
) -> bytes:
    """`policywatch changelog --format atom` of the same policies, from the entries drawn
    during this build and, for the others, their comparisons read now."""
    items = []
    for found in histories:
        for entry in found.entries:
            item = drawn.get((found.policy_id, entry.stamp))
            if item is None:
                item = _feed_item(found, entry, taxonomy, comparisons)
            items.append(item)
    return atom_of(items, FEED_ID, FEED_TITLE, self_link=FEED)


def _feed_item(
    found: timeline.History,
    entry: timeline.Entry,
    taxonomy: Sequence[Category],
    comparisons: Comparisons | None,
) -> FeedItem:
    """The changelog's feed entry, linking to the change's page (the first version's text,
    which no change made): relative, like every link of the report, and resolved against the
    feed's own address, so it works from file:// as from a web server."""
    page = (
        report.change_page(found.policy_id, entry.stamp)
        if entry.previous is not None
        else report.text_page(found.policy_id, entry.stamp)
    )
    link = report.relative(FEED, page)
    return feed_item(_changelog_entry(found, entry, comparisons), taxonomy, link)
