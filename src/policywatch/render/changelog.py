"""The changelog as CommonMark and as an Atom feed: stable, so committed copies show only news."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import groupby
from typing import TYPE_CHECKING

from ..category import Category
from ..change import GROUP_KINDS, Change, where
from ..changelog import Entry
from .diffview import category_names, flag_sentence, summary_line
from .markdown import change_markdown, edit_runs, escape, folded_line, not_shown, ordered
from .safe import for_markup

if TYPE_CHECKING:
    from .. import timeline


def _seen(entry: Entry, seconds: bool = False) -> str:
    return entry.snapshot.taken_at.strftime(f"%Y-%m-%d %H:%M{':%S' if seconds else ''} UTC")


def _headings(entries: Sequence[Entry]) -> dict[str, str]:
    """Each entry's heading (by stamp): when it was seen, to the minute, so two versions of one
    day have their own headings and anchors; to the second when one minute holds two. Always
    the time, not only on a crowded day, so an entry's heading (and a link to it) stays put
    when a later version of the same day comes."""
    minutes = Counter(_seen(e) for e in entries)
    return {e.snapshot.stamp: _seen(e, seconds=minutes[_seen(e)] > 1) for e in entries}


def _entry_markdown(entry: Entry, heading: str, taxonomy: Sequence[Category]) -> list[str]:
    if entry.formatting_only and not entry.returns_to:
        return [f"- {entry.date}: formatting only, no word changed (seen {_seen(entry)}).", ""]
    lines = [f"### {heading}", ""]
    comparison = entry.comparison
    lines.extend(["*" + " ".join(_facts(entry, escape)) + "*", ""])
    if comparison is None or entry.returns_to:
        return lines
    for name in category_names((a.category for a in comparison.appeared), taxonomy):
        lines.extend([f"**New in this policy: {escape(name)}**", ""])
    for name in category_names((a.category for a in comparison.disappeared), taxonomy):
        lines.extend([f"**No longer in this policy: {escape(name)}**", ""])
    for change in ordered(comparison.changes):
        lines.append(change_markdown(change).rstrip("\n"))
        lines.append("")
    quiet = folded_line(comparison.changes)
    if quiet:
        lines.extend([quiet, ""])
    return lines


def markdown(
    entries: Sequence[Entry],
    taxonomy: Sequence[Category],
    *,
    title: str = "Privacy policy changelog",
    empty: str = "No recorded changes in this range.",
) -> str:
    """One document: a section per policy, an entry per change (in the order given, see
    changelog.newest_first), a legend of categories."""
    lines = [f"# {escape(title)}", ""]
    if not entries:
        lines.extend([escape(empty), ""])
    for (policy_id, name), group in groupby(entries, key=lambda e: (e.policy_id, e.policy_name)):
        items = list(group)
        lines.extend([f"## {escape(name)} ({escape(policy_id)})", ""])
        headings = _headings(items)
        for entry in items:
            lines.extend(_entry_markdown(entry, headings[entry.snapshot.stamp], taxonomy))
    flagged = {f.category for e in entries if e.comparison for f in e.comparison.flags}
    if flagged:
        lines.extend(["## What the flags mean", ""])
        for category in taxonomy:
            if category.id in flagged:
                lines.append(
                    f"- **{escape(category.id)}** ({escape(category.name)}): "
                    f"{escape(category.explain)} Law: {escape(category.legal_hook)}."
                )
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def entry_title(entry: Entry) -> str:
    comparison = entry.comparison
    if comparison is None:
        return f"{entry.policy_id}: first recorded version"
    if entry.returns_to:
        return f"{entry.policy_id}: back to the text of {entry.returns_to[:10]}"
    flags = sorted({f"{f.label} {f.category}" for f in comparison.flags})
    head = f"{entry.policy_id}: " + (", ".join(flags) + "; " if flags else "")
    return head + summary_line(comparison)


@dataclass(frozen=True)
class FeedItem:
    """One entry of the Atom feed, drawn: once made, it needs no comparison any more."""

    policy_id: str
    stamp: str
    taken_at: datetime
    title: str
    body: str  # HTML, every word of the policy escaped: the feed says type="html"
    link: str | None = None  # the entry's page, relative to the feed (the report's feed)


def feed_item(entry: Entry, taxonomy: Sequence[Category], link: str | None = None) -> FeedItem:
    return FeedItem(
        entry.policy_id,
        entry.snapshot.stamp,
        entry.snapshot.taken_at,
        for_markup(entry_title(entry)),
        entry_html(entry, taxonomy),
        link,
    )


@dataclass(frozen=True)
class _ChangeView:
    """What the feed shows of one clause change."""

    kind: str
    where: str
    flags: list[tuple[str, str]]  # each flag's line and the sentence that triggered it
    regrouped: str
    runs: list[tuple[str, str]]  # the clause as ("=" | "-" | "+", words)


def _change_view(change: Change) -> _ChangeView:
    moved_from, section = where(change)
    place = section if moved_from is None else f"from {moved_from} to {section}"
    regrouped = ""
    if change.kind in GROUP_KINDS:
        regrouped = f"{len(change.old)} block(s) became {len(change.new)}:"
    return _ChangeView(
        change.kind,
        place,
        [(f.shown_title, flag_sentence(f)) for f in change.flags],
        regrouped,
        edit_runs(change),
    )


def _facts(entry: Entry, quoted: Callable[[str], str]) -> list[str]:
    """What an entry is, in sentences: the policy's own date (quoted as its format needs),
    and the first version, a return to an earlier text, or what changed."""
    facts = []
    if entry.stated:
        facts.append(f"The policy's own date: {quoted(entry.stated)}.")
        if entry.stated_unchanged:
            facts.append("The text changed but that date did not.")
    if entry.comparison is None:
        facts.append("First recorded version.")
    elif entry.returns_to:
        facts.append(f"Back to the text of {entry.returns_to[:10]} (the page alternates).")
    else:
        facts.append(f"{summary_line(entry.comparison).capitalize()}.")
    return facts


def entry_html(entry: Entry, taxonomy: Sequence[Category]) -> str:
    """An entry as the feed's HTML: what its markdown says, drawn by a template with
    autoescaping, so a reader shows the policy's words as written (no markdown escapes)."""
    from . import html

    comparison = entry.comparison
    if entry.formatting_only and not entry.returns_to:
        facts = ["Formatting only, no word changed."]
    else:
        facts = _facts(entry, str)  # the template's autoescaping quotes the date
    changes: Sequence[Change] = ()
    appeared: list[str] = []
    disappeared: list[str] = []
    if comparison is not None and not entry.returns_to and not entry.formatting_only:
        changes = comparison.changes
        appeared = category_names((a.category for a in comparison.appeared), taxonomy)
        disappeared = category_names((a.category for a in comparison.disappeared), taxonomy)
    return html.fragment(
        "feed-entry.html",
        entry=entry,
        seen=_seen(entry),
        facts=" ".join(facts),
        appeared=appeared,
        disappeared=disappeared,
        changes=[_change_view(c) for c in ordered(changes)],
        not_shown=not_shown(changes),
    )


def atom(entries: Sequence[Entry], taxonomy: Sequence[Category], feed_id: str, title: str) -> bytes:
    """An Atom feed, one entry per change; ids and dates come from the archive, so re-running
    it gives the same feed and readers never show an old change as new."""
    return atom_of([feed_item(e, taxonomy) for e in entries if in_feed(e)], feed_id, title)


def in_feed(entry: Entry | timeline.Entry) -> bool:
    """Whether an entry goes in a feed: a version whose words did not change is no news (the
    changelog keeps it as one line). A return to an earlier text does go in: it may undo a
    change the feed told of."""
    return bool(entry.returns_to) or not entry.formatting_only


def atom_of(
    items: Sequence[FeedItem], feed_id: str, title: str, self_link: str | None = None
) -> bytes:
    """The feed of entries already drawn (the HTML report draws them while it has their
    comparisons at hand). `self_link`: where the feed is, when that is known (the report's
    feed.atom, relative: RFC 4287 resolves it against the feed's own address)."""
    from feedgen.feed import FeedGenerator

    feed = FeedGenerator()
    feed.id(feed_id)
    feed.title(title)
    feed.author(name="policywatch")  # RFC 4287: a feed whose entries name no author must
    feed.link(href=self_link or feed_id, rel="self")
    feed.language("en")
    newest = max((i.taken_at for i in items), default=None)
    for entry in sorted(items, key=lambda i: (i.taken_at, i.policy_id)):
        item = feed.add_entry(order="append")
        item.id(f"{feed_id}/{entry.policy_id}/{entry.stamp}")
        item.title(entry.title)
        item.updated(entry.taken_at)
        item.published(entry.taken_at)
        item.content(entry.body, type="html")
        if entry.link is not None:  # with no rel: "alternate", the entry's page (RFC 4287)
            item.link(href=entry.link)
    feed.updated(newest if newest is not None else datetime(1970, 1, 1, tzinfo=UTC))
    result: bytes = feed.atom_str(pretty=True)
    return result
