"""`validate --fetch`: try each policy's page twice without archiving anything."""

from __future__ import annotations

import concurrent.futures
import difflib
from dataclasses import dataclass, field
from typing import Any

from .check import Rejected, derive_text
from .config import Config, Policy
from .fetch import Fetcher, FetchError


@dataclass(frozen=True)
class Probe:
    policy_id: str
    ok: bool
    summary: str
    characters: int = 0
    unstable_lines: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "policy": self.policy_id,
            "ok": self.ok,
            "summary": self.summary,
            "characters": self.characters,
            "unstable_lines": self.unstable_lines,
        }


def _text(fetcher: Fetcher, policy: Policy) -> str:
    fetched = fetcher.fetch(policy)
    return derive_text(
        policy,
        fetched.body,
        content_type=fetched.content_type,
        charset=fetched.charset,
        final_url=fetched.final_url,
    ).text


def probe(fetcher: Fetcher, policy: Policy) -> Probe:
    """Fetch and extract twice; the two texts must agree and be a policy."""
    try:
        first = _text(fetcher, policy)
        second = _text(fetcher, policy)
    except (FetchError, Rejected) as exc:
        return Probe(policy.id, False, exc.reason)
    if first == second:
        return Probe(policy.id, True, f"{len(first):,} characters, stable", len(first))
    diff = difflib.unified_diff(first.splitlines(), second.splitlines(), lineterm="", n=0)
    lines = [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    return Probe(
        policy.id,
        False,
        f"the text differs between two fetches ({len(lines)} line(s)); "
        "add 'ignore' patterns or narrower selectors",
        len(first),
        lines[:20],
    )


def probe_all(config: Config) -> list[Probe]:
    with Fetcher() as fetcher, concurrent.futures.ThreadPoolExecutor(config.jobs) as pool:
        return list(pool.map(lambda p: probe(fetcher, p), config.policies))
