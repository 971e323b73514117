"""A policy's pages: plain HTTP or a browser, and several pages joined into one policy text.

A policy spread over several pages (a main policy and a children's or state addendum) is one
snapshot: each page's text under a heading naming the page (its own headings one level down),
so the differ can tell which page a clause came from. Its raw bytes are every page's bytes,
kept together in one JSON file so that `reextract` can re-derive the same text.
"""

from __future__ import annotations

import json

from .browser import INSTALL_HINT, Browser, available
from .config import Policy
from .fetch import Fetcher, FetchError, Validators
from .guard import NEEDS_JAVASCRIPT, needs_javascript
from .page import Page

PAGES_KIND = "pages"
BOT_BLOCK_STATUSES = (403, 406)


def get_page(
    fetcher: Fetcher,
    browser: Browser,
    policy: Policy,
    url: str,
    validators: Validators | None = None,
) -> Page:
    """One page, by plain HTTP or rendered, as the policy's `render` says."""
    settings = policy.settings
    if policy.render == "always":
        return browser.render(url, settings, policy.select)
    try:
        fetched = fetcher.fetch(url, settings, validators)
    except FetchError as exc:
        if policy.render == "auto" and exc.status in BOT_BLOCK_STATUSES and available():
            # A bot block a real browser may pass.
            return browser.render(url, settings, policy.select)
        raise
    if policy.render == "auto" and not fetched.not_modified and needs_javascript(fetched.body):
        if not available():
            raise FetchError(f"{NEEDS_JAVASCRIPT}; to render it, {INSTALL_HINT}", kind="browser")
        return browser.render(url, settings, policy.select)
    return fetched


def get_pages(
    fetcher: Fetcher, browser: Browser, policy: Policy, validators: Validators | None = None
) -> list[Page]:
    """A policy's pages as a check gets them: fetched or rendered as its `render` says, and
    every page of `urls` (validators apply to a policy of one page only)."""
    if len(policy.pages) > 1:
        return [get_page(fetcher, browser, policy, url) for url in policy.pages]
    return [get_page(fetcher, browser, policy, policy.url, validators)]


def _demote(text: str) -> str:
    """A page's own headings one level down, under the heading that names the page."""
    lines = []
    for line in text.split("\n"):
        if (
            line.startswith("#")
            and line.lstrip("#").startswith(" ")
            and not line.startswith("######")
        ):
            line = "#" + line
        lines.append(line)
    return "\n".join(lines)


def join(urls: tuple[str, ...], texts: list[str]) -> str:
    parts = [f"# {url}\n\n{_demote(text).strip()}\n" for url, text in zip(urls, texts, strict=True)]
    return "\n".join(parts)


def raw_of(pages: list[Page]) -> bytes:
    """Every page's bytes in one document, the source of truth for re-extraction."""
    return (json.dumps({"pages": [page.to_record() for page in pages]}, indent=1) + "\n").encode()


def pages_of(raw: bytes) -> list[Page]:
    """The pages of a raw record written by raw_of (ValueError, KeyError or TypeError when it
    is not one)."""
    return [Page.from_record(record) for record in json.loads(raw)["pages"]]
