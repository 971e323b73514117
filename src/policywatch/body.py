"""The policy's body on pages read without selectors: boilerplate and link-dense blocks dropped.

Navigation, banners and cookie notices go first, and headers and footers outside a `<main>` or
`<article>`, known by their tags, ARIA roles and names (strip_boilerplate); the main content is
the `<main>` or `<article>` that holds at least a quarter of the page's text, else the whole
body (main_content). Then the link-dense blocks around the policy go (drop_link_dense):

Page builders put menus, footers, "download the app" bars and language pickers in plain `<div>`s
of links, where `<nav>`/`<footer>` rules cannot see them. Here a page is read as a sequence of
text units (one per block element with words of its own, in document order). The body is the
run of units with the most running text: the span that maximises the characters outside links
minus the characters inside them (the maximum-subarray form of Finn et al.'s Body Text
Extraction). A block is boilerplate when it lies wholly outside that span, does not sit next to
the body's own paragraphs (a list of links right after the last paragraph is the policy's) nor
follow a sentence ending in a colon ("our partners' policies:"), and is link-dense: half or more
of its characters in navigation links, or a small widget of links and short labels. E-mail,
telephone and URL links count as text, not as navigation: how to reach a company is content.
Everything inside the span stays (lists, tables, a table of contents).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bs4 import BeautifulSoup, NavigableString, Tag

from .htmltext import NON_TEXT

_BOILERPLATE_TAGS = ("nav", "aside")
_BOILERPLATE_ROLES = ("navigation", "banner", "contentinfo", "complementary", "search", "dialog")
_BOILERPLATE_NAMES = re.compile(
    r"(^|[-_ ])(cookie[-_]?(banner|consent|notice|bar|popup|law)|onetrust|ot-sdk|cookiebot|"
    r"consent[-_]?(banner|manager)|gdpr[-_]?banner|skip[-_]?(link|to)|breadcrumbs?|"
    r"promo|newsletter|share[-_]?(buttons|bar)|social[-_]?(links|share))",
    re.I,
)


def strip_boilerplate(soup: BeautifulSoup) -> None:
    """Navigation, banners, footers: only for pages read without a selector."""
    doomed: list[Tag] = list(soup.find_all(_BOILERPLATE_TAGS))
    for tag in soup.find_all(["header", "footer"]):
        if tag.find_parent(["main", "article"]) is None:
            doomed.append(tag)
    for tag in soup.find_all(True):
        if str(tag.get("role", "")).lower() in _BOILERPLATE_ROLES:
            doomed.append(tag)
        elif tag.name not in ("html", "body", "main", "article"):
            names = " ".join([str(tag.get("id", "")), *tag.get_attribute_list("class")])
            if names.strip() and _BOILERPLATE_NAMES.search(names):
                doomed.append(tag)
    for tag in doomed:
        if not tag.decomposed:
            tag.decompose()


def _text_length(tag: Tag) -> int:
    return len(" ".join(tag.get_text(" ").split()))


def main_content(soup: BeautifulSoup) -> list[Tag]:
    """The element that holds the policy, for pages with no selector."""
    body = soup.body or soup
    total = _text_length(body)
    candidates = soup.select("main, article, [role=main]")
    if candidates:
        best = max(candidates, key=_text_length)
        if total and _text_length(best) >= 0.25 * total:
            return [best]
    return [body]


# Elements that start a new line of text (as the renderer in htmltext.py writes them).
_BLOCKS = frozenset(
    {
        "p", "div", "section", "article", "main", "header", "footer", "blockquote", "pre",
        "figure", "figcaption", "address", "details", "summary", "dl", "dt", "dd", "ul", "ol",
        "li", "table", "thead", "tbody", "tfoot", "tr", "td", "th", "caption", "form",
        "fieldset", "center", "body", "html", "legend", "menu", "nav", "aside",
        "h1", "h2", "h3", "h4", "h5", "h6",
    }
)  # fmt: skip
_CONTACT_HREF = re.compile(r"^\s*(mailto|tel|sms):", re.I)
_CONTACT_TEXT = re.compile(r"@|https?://|www\.", re.I)

LINK_SHARE = 0.5  # a block with at least this share of its characters in links is link-dense
WIDGET_CHARS = 200  # ... and so is a block this short made of links and short labels
WIDGET_WORDS = 6  # a label (text outside links) of more words than this is running text
BODY_SHARE = 0.5  # the body must hold this share of the text outside links, or nothing is dropped
BODY_MIN = 500  # ... and at least these many characters: a link hub's blurb is not a body
UNIT_COST = 10  # characters a line must have to add to the body: "©2024 Acme" does not


@dataclass(frozen=True)
class Dropped:
    """A block left out of the policy: its size and first words, for `validate --fetch`."""

    characters: int
    starts: str

    def __str__(self) -> str:
        return f"{self.starts} ({self.characters:,} characters)"


@dataclass
class _Unit:
    element: Tag  # the nearest block element of the unit's words
    text: int = 0  # characters outside navigation links
    links: int = 0  # characters inside them
    words: int = 0  # words outside navigation links
    last: str = ""  # the last character of those words


@dataclass
class _Stats:
    first: int  # the units of an element are units[first:end]
    end: int
    text: int  # all characters
    link_text: int  # characters inside navigation links
    links: int  # navigation links
    has_h1: bool


def _is_navigation(link: Tag) -> bool:
    """A link that leads elsewhere on the site, as opposed to an address or a URL written out."""
    href = link.get("href")
    if not isinstance(href, str) or _CONTACT_HREF.match(href):
        return False
    return not _CONTACT_TEXT.search(link.get_text())


class _Measure:
    """One pass over a tree: its text units and, for every element, what it holds."""

    def __init__(self, root: Tag) -> None:
        self.units: list[_Unit] = []
        self.stats: dict[int, _Stats] = {}
        self._visit(root, root, False)

    def _visit(self, tag: Tag, block: Tag, in_link: bool) -> _Stats:
        units = self.units
        first = len(units)
        text = link_text = links = 0
        has_h1 = tag.name == "h1"
        for child in tag.contents:
            if isinstance(child, NavigableString):
                if isinstance(child, NON_TEXT):
                    continue
                words = child.split()
                if not words:
                    continue
                size = sum(map(len, words)) + len(words) - 1
                if not units or units[-1].element is not block:
                    units.append(_Unit(block))
                unit = units[-1]
                if in_link:
                    unit.links += size
                    link_text += size
                else:
                    unit.text += size
                    unit.words += len(words)
                    unit.last = words[-1][-1]
                text += size
            elif isinstance(child, Tag):
                name = child.name
                navigation = in_link or (name == "a" and _is_navigation(child))
                inner = self._visit(child, child if name in _BLOCKS else block, navigation)
                text += inner.text
                link_text += inner.link_text
                links += inner.links + (navigation and not in_link)
                has_h1 = has_h1 or inner.has_h1
        stats = _Stats(first, len(units), text, link_text, links, has_h1)
        self.stats[id(tag)] = stats
        return stats


def _body_span(units: list[_Unit]) -> tuple[int, int]:
    """The run of units [start, end) with the most text outside links net of text inside them.

    Each unit also costs UNIT_COST characters, so that a run of short labels (a copyright line,
    a footer column's title) between the policy's end and a footer does not join the body.
    """
    best = (0, 0, 0)  # score, start, end
    score, start = 0, 0
    for index, unit in enumerate(units):
        if score <= 0:
            score, start = 0, index
        score += unit.text - unit.links - UNIT_COST
        if score > best[0]:
            best = (score, start, index + 1)
    return best[1], best[2]


def _describe(tag: Tag) -> Dropped:
    words = tag.get_text(" ").split()
    starts = " ".join(words[:8]) + (" …" if len(words) > 8 else "")
    return Dropped(len(" ".join(words)), starts)


class _Dropper:
    def __init__(self, measure: _Measure, start: int, end: int) -> None:
        self.measure = measure
        self.start, self.end = start, end
        # The containers of the body's own blocks: their other children belong to the body.
        self.body_parents = {
            id(unit.element.parent) for unit in measure.units[start:end] if unit.element.parent
        }
        self.doomed: list[tuple[Tag, Dropped]] = []

    def walk(self, tag: Tag) -> None:
        for child in tag.contents:
            if not isinstance(child, Tag):
                continue
            stats = self.measure.stats[id(child)]
            if stats.first == stats.end:
                continue  # no words
            if stats.first < self.end and stats.end > self.start:
                self.walk(child)  # holds some of the body
            elif id(tag) in self.body_parents or self._introduced(stats):
                continue  # next to the body's paragraphs, or announced by one: part of it
            elif self._link_dense(child, stats):
                self.doomed.append((child, _describe(child)))
            else:
                self.walk(child)

    def _introduced(self, stats: _Stats) -> bool:
        """Whether a sentence ending in a colon comes just before: "... our partners' policies:"."""
        if stats.first == 0:
            return False
        before = self.measure.units[stats.first - 1]
        return before.last == ":" and before.words > WIDGET_WORDS

    def _link_dense(self, tag: Tag, stats: _Stats) -> bool:
        if not stats.links or stats.has_h1:
            return False
        if stats.link_text >= LINK_SHARE * stats.text:
            return True
        if stats.text > WIDGET_CHARS:
            return False
        # A widget: links among short labels ("Select your language", "Browse bigger"), but no
        # sentence, date, number or address, which a policy's own short lines would carry.
        units = self.measure.units[stats.first : stats.end]
        if any(unit.words > WIDGET_WORDS for unit in units):
            return False
        return not re.search(r"[0-9@]", tag.get_text())


def drop_link_dense(roots: Tag | Iterable[Tag]) -> list[Dropped]:
    """Remove the link-dense blocks outside the policy's body from each root; say what went.

    Nothing is removed when no run of text holds at least half of the text outside links and
    BODY_MIN characters: a page with no clear body is better archived whole than cut wrongly.
    """
    dropped: list[Dropped] = []
    for root in [roots] if isinstance(roots, Tag) else list(roots):
        try:
            measure = _Measure(root)
        except RecursionError:  # absurdly deep markup: keep it whole
            continue
        start, end = _body_span(measure.units)
        total = sum(unit.text for unit in measure.units)
        inside = sum(unit.text for unit in measure.units[start:end])
        if inside < max(BODY_MIN, BODY_SHARE * total):
            continue
        dropper = _Dropper(measure, start, end)
        dropper.walk(root)
        for tag, what in dropper.doomed:
            tag.decompose()
            dropped.append(what)
    return dropped
