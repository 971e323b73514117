"""The configuration as policywatch uses it: each policy, its settings, and the keys that
policies.yaml may hold for them (configfile.py reads and validates the file)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .errors import ConfigError
from .yamlnodes import suggest

DEFAULT_USER_AGENT = (
    "policywatch/0.1 (+https://github.com/policywatch/policywatch; privacy policy change monitor)"
)

DEFAULT_CHROMIUM = "/usr/bin/chromium"  # Debian's package; `chromium:` in the defaults to change it


@dataclass(frozen=True, slots=True)
class Settings:
    """Fetch and extraction settings: the defaults block, or a policy's own overrides."""

    timeout: float = 30.0
    user_agent: str = DEFAULT_USER_AGENT
    language: str = "en"
    max_bytes: int = 10_000_000
    retries: int = 3
    backoff: float = 2.0
    max_retry_after: float = 120.0
    min_length: int = 300
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Policy:
    """One watched policy: where it lives and how to read its text."""

    id: str
    name: str
    url: str  # the first page; a policy may have several (urls)
    select: tuple[str, ...] = ()
    remove: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    settings: Settings = field(default_factory=Settings)
    urls: tuple[str, ...] = ()  # all its pages, in order, when there are several
    render: str = "never"  # never, always (a browser), or auto (when the page needs one)

    @property
    def pages(self) -> tuple[str, ...]:
        return self.urls or (self.url,)

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc.lower()

    def extraction_key(self) -> dict[str, list[str]]:
        """What, besides the extractor itself, decides the text derived from a page."""
        return {
            "select": list(self.select),
            "remove": list(self.remove),
            "ignore": list(self.ignore),
        }


@dataclass(frozen=True)
class Config:
    path: Path
    policies: tuple[Policy, ...]
    jobs: int = 4
    defaults: Settings = field(default_factory=Settings)
    taxonomy: Path | None = None  # an extra taxonomy file, merged over the shipped one
    chromium: str = DEFAULT_CHROMIUM  # the browser for policies with render
    notify: tuple[str, ...] = ()  # Apprise URLs, one message per run
    notify_on: str = "changes"  # or "flagged": only changes that carry a flag

    def get(self, policy_id: str) -> Policy:
        for policy in self.policies:
            if policy.id == policy_id:
                return policy
        known = [p.id for p in self.policies]
        hint = suggest(policy_id, known)
        raise ConfigError(f"no policy '{policy_id}' in {self.path}{hint}")

    def select(self, ids: tuple[str, ...] | list[str]) -> list[Policy]:
        """The policies named by ids (all of them when none are named), in config order."""
        if not ids:
            return list(self.policies)
        return [self.get(i) for i in dict.fromkeys(ids)]


SETTING_KEYS = {
    "timeout",
    "user_agent",
    "language",
    "max_bytes",
    "retries",
    "backoff",
    "max_retry_after",
    "min_length",
    "headers",
}
DEFAULT_KEYS = SETTING_KEYS | {"jobs", "chromium"}
POLICY_KEYS = {"id", "name", "url", "urls", "select", "remove", "ignore", "render"} | SETTING_KEYS
TOP_KEYS = {"defaults", "policies", "taxonomy", "notify"}
NOTIFY_KEYS = {"urls", "on"}
