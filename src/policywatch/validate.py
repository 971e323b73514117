"""`validate --fetch`: get each policy's text twice, as `check` would, without archiving it.

The pages are got as a check gets them (fetched or rendered as `render` says, every page of
`urls` joined), so that what validate says of a policy is what check will archive.

For a policy read without selectors it also says what generic extraction left out around the
policy's body (menus, footers, app bars in plain `<div>`s; see body.py), so that a person can
see at once whether the kept text is the policy and nothing of it went missing.
"""

from __future__ import annotations

import concurrent.futures
import difflib
from dataclasses import dataclass, field
from typing import Any

from . import extract as extraction
from .body import Dropped
from .browser import Browser
from .config import Config, Policy
from .derive import Rejected, derive_fetched
from .fetch import Fetcher, FetchError
from .page import Page
from .pages import get_pages
from .threads import DaemonThreads, sort_out


@dataclass(frozen=True)
class Probe:
    policy_id: str
    ok: bool
    summary: str
    characters: int = 0  # kept: the policy's text
    unstable_lines: list[str] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)  # left out around the body
    generic: bool = False  # read without selectors: body.py chose what to leave out

    @property
    def dropped_characters(self) -> int:
        return sum(d.characters for d in self.dropped)

    def to_json(self) -> dict[str, Any]:
        return {
            "policy": self.policy_id,
            "ok": self.ok,
            "summary": self.summary,
            "characters": self.characters,
            "unstable_lines": self.unstable_lines,
            "generic_extraction": self.generic,
            "dropped_characters": self.dropped_characters,
            "dropped": [{"characters": d.characters, "starts": d.starts} for d in self.dropped],
        }


def _text(fetcher: Fetcher, browser: Browser, policy: Policy) -> tuple[str, list[Page]]:
    """The policy's text as check would archive it: the same pages, got the same way."""
    pages = get_pages(fetcher, browser, policy)
    return derive_fetched(policy, pages).text, pages


def left_out(policy: Policy, fetched: Page) -> list[Dropped]:
    """The blocks generic extraction leaves out of a page (none when selectors choose the text)."""
    body = fetched.body
    if policy.select or extraction.sniff_kind(body, fetched.content_type) != extraction.HTML:
        return []
    soup = extraction.parse_html(extraction.decode(body, fetched.charset))
    dropped: list[Dropped] = []
    extraction.extract_html(soup, (), policy.remove, dropped=dropped)
    return dropped


def probe(fetcher: Fetcher, browser: Browser, policy: Policy) -> Probe:
    """Fetch (or render) and extract twice; the two texts must agree and be a policy."""
    try:
        first, pages = _text(fetcher, browser, policy)
        second, _ = _text(fetcher, browser, policy)
    except (FetchError, Rejected) as exc:
        return Probe(policy.id, False, exc.reason)
    dropped = [d for page in pages for d in left_out(policy, page)]
    generic = not policy.select
    if first == second:
        summary = f"{len(first):,} characters, stable"
        return Probe(policy.id, True, summary, len(first), dropped=dropped, generic=generic)
    diff = difflib.unified_diff(first.splitlines(), second.splitlines(), lineterm="", n=0)
    lines = [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    return Probe(
        policy.id,
        False,
        f"the text differs between two fetches ({len(lines)} line(s)); "
        "add 'ignore' patterns or narrower selectors",
        len(first),
        lines[:20],
        dropped,
        generic,
    )


class Interrupted(KeyboardInterrupt):
    """Ctrl-C stopped a validation. `probes`: the policies probed before it, in the
    configuration's order; `abandoned`: the ids of the policies under way, given up in their
    threads; `not_started`: how many policies were never begun."""

    def __init__(self, probes: list[Probe], abandoned: list[str], not_started: int) -> None:
        super().__init__(f"interrupted; abandoned: {', '.join(abandoned) or 'none'}")
        self.probes = probes
        self.abandoned = abandoned
        self.not_started = not_started


def probe_all(config: Config) -> list[Probe]:
    """Probe every policy, `jobs` at a time; one browser, started only if a policy renders.

    A KeyboardInterrupt (Ctrl-C) ends it at once with Interrupted, as it ends a check: a
    validation writes nothing, so nothing is waited for; the fetches under way are given up
    in their daemon threads (a server that answers in a minute is not waited for)."""
    fetcher = Fetcher()
    browser = Browser(config.chromium)
    pool = DaemonThreads(config.jobs, name="validate")
    futures: dict[concurrent.futures.Future[Probe], str] = {}
    interrupted = False
    try:
        for policy in config.policies:
            # Noted before it is queued: a Ctrl-C between the two still finds it (submit_to).
            future: concurrent.futures.Future[Probe] = concurrent.futures.Future()
            futures[future] = policy.id
            pool.submit_to(future, probe, fetcher, browser, policy)
        return [future.result() for future in futures]
    except KeyboardInterrupt:
        interrupted = True
        pool.shutdown(wait=False, cancel_futures=True)
        fetcher.interrupt()  # a probe that begins from now on gives up before any request
        probes, abandoned, not_started = sort_out(futures)
        unqueued = len(config.policies) - len(futures)
        raise Interrupted(probes, abandoned, len(not_started) + unqueued) from None
    finally:
        if not interrupted:
            pool.shutdown(wait=True)
        browser.close(wait=1.0 if interrupted else 30.0)
        fetcher.close()
