"""Build the report's pages from the policies' timelines, and the feed beside them.

Each page is drawn again only when what it shows changed (report.py names its inputs by a
hash) or its file is not as the last build left it (reportfolder.py, which writes only the
files whose bytes change), and pages carry no time of their own making: the same archive gives
the same bytes. What the pages need of each change and version is in the archive's cache
(memory.Memory); the code and templates they are drawn by are the site's version, kept in the
folder's manifest, so any edit to them draws every page again.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Sequence
from functools import cache, partial
from pathlib import Path

from .. import __version__, report, timeline
from ..archive import Archive
from ..cache import Comparisons
from ..category import Category
from ..changelog import Entry
from ..memory import Memory
from ..segment import segment
from ..sides import canonical_text
from . import html
from .changelog import FeedItem, atom_of, feed_item, in_feed
from .reportfolder import (
    FORMAT,
    Built,
    Folder,
    ReportError,
    prepare,
    read_manifest,
    save_manifest,
)

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
    "render.reportfolder",  # which pages are drawn again, and how they are written
    "render.diffview",
    "render.changelog",
    "render.markdown",  # which changes the feed shows, in what order
    "render.safe",  # what every value written loses: control characters
)


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
    earlier = read_manifest(output)
    memory = Memory.of(archive, memory_version(comparisons))
    known = earlier.get("pages")
    known = known if isinstance(known, dict) else {}
    built = Built(output)
    # Pages of another version of the report are drawn again, and removed when gone.
    folder = Folder(output, known if earlier.get("site") == version else {}, built, known)
    try:
        _build(archive, policies, taxonomy, days, comparisons, memory, folder, version)
    except BaseException:
        # What this run wrote is remembered, so that a later build removes what it no longer
        # makes; the pages it did not reach are the last build's, as they were.
        with contextlib.suppress(OSError, ReportError):  # the first error is the one to tell
            save_manifest(output, version, {**known, **folder.now})
        raise
    save_manifest(output, version, folder.now)
    return built


def _build(
    archive: Archive,
    policies: Sequence[tuple[str, str, str]],
    taxonomy: Sequence[Category],
    days: int,
    comparisons: Comparisons,
    memory: Memory,
    folder: Folder,
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
    folder: Folder,
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
        clauses=segment(canonical_text(here.snapshot)),
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
        for entry in filter(in_feed, found.entries):
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
