"""A policy's pages: plain HTTP or a browser, and several pages joined into one policy text.

A policy spread over several pages (a main policy and a children's or state addendum) is one
snapshot: each page's text under a heading naming the page (its own headings one level down),
so the differ can tell which page a clause came from. Its raw bytes are every page's bytes,
kept together in one JSON file so that `reextract` can re-derive the same text.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from .browser import INSTALL_HINT, Browser, available
from .config import Policy
from .fetch import Fetched, Fetcher, FetchError, Validators
from .guard import NEEDS_JAVASCRIPT, needs_javascript

PAGES_KIND = "pages"
BOT_BLOCK_STATUSES = (403, 406)


def get_page(
    fetcher: Fetcher,
    browser: Browser,
    policy: Policy,
    url: str,
    validators: Validators | None = None,
) -> Fetched:
    """One page, by plain HTTP or rendered, as the policy's `render` says."""
    if policy.render == "always":
        return browser.render(policy, url)
    try:
        fetched = fetcher.fetch(policy, validators, url)
    except FetchError as exc:
        if policy.render == "auto" and exc.status in BOT_BLOCK_STATUSES and available():
            return browser.render(policy, url)  # a bot block a real browser may pass
        raise
    if policy.render == "auto" and not fetched.not_modified and needs_javascript(fetched.body):
        if not available():
            raise FetchError(f"{NEEDS_JAVASCRIPT}; to render it, {INSTALL_HINT}", kind="browser")
        return browser.render(policy, url)
    return fetched


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


def raw_of(pages: list[Fetched]) -> bytes:
    """Every page's bytes in one document, the source of truth for re-extraction."""
    return (
        json.dumps(
            {
                "pages": [
                    {
                        "url": page.url,
                        "final_url": page.final_url,
                        "status": page.status,
                        "content_type": page.content_type,
                        "charset": page.charset,
                        "rendered": page.rendered,
                        "body_base64": base64.b64encode(page.body).decode("ascii"),
                    }
                    for page in pages
                ]
            },
            indent=1,
        )
        + "\n"
    ).encode("utf-8")


def pages_of(raw: bytes) -> list[dict[str, Any]]:
    data = json.loads(raw)
    pages: list[dict[str, Any]] = data["pages"]
    for page in pages:
        page["body"] = base64.b64decode(page["body_base64"])
    return pages
