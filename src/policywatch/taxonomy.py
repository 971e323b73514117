"""The data-practice taxonomy: the shipped categories, merged with a user's own file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError

SEVERITIES = ("low", "medium", "high", "critical")
CATEGORY_KEYS = {"id", "name", "explain", "legal", "severity", "patterns", "exclude", "ambiguous"}


@dataclass(frozen=True)
class Category:
    """One data-practice category: what it is, why it matters, how to find it."""

    id: str
    name: str
    explain: str
    legal: tuple[str, ...]
    severity: str
    patterns: tuple[str, ...]
    excludes: tuple[str, ...]
    ambiguous: tuple[str, ...] = ()  # words that count only in a data-practice frame

    @cached_property
    def ambiguous_pattern(self) -> re.Pattern[str] | None:
        """Matches a whole term that is a practice only in a frame ("sell", "cookies")."""
        if not self.ambiguous:
            return None
        return re.compile("|".join(f"(?:{_spaced(p)})" for p in self.ambiguous), re.IGNORECASE)

    # Compiled on first use: compiling all eighteen costs more than most diffs.
    @cached_property
    def pattern(self) -> re.Pattern[str]:
        return _compile(list(self.patterns), self.id)

    @cached_property
    def exclude(self) -> re.Pattern[str] | None:
        return _compile(list(self.excludes), self.id) if self.excludes else None

    @cached_property
    def anchors(self) -> tuple[str, ...] | None:
        """Lowercase literal starts that every match begins with (None: some pattern has none).

        Long texts are searched only around them: str.find is far faster than a regex scan,
        and a short text whose lowercase holds none of them cannot match at all.
        """
        return _anchors(list(self.patterns))

    @property
    def legal_hook(self) -> str:
        return "; ".join(self.legal)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "explain": self.explain,
            "legal": list(self.legal),
            "severity": self.severity,
            "patterns": list(self.patterns),
            "exclude": list(self.excludes),
            "ambiguous": list(self.ambiguous),
        }


def _compile(patterns: list[str], where: str) -> re.Pattern[str]:
    """Alternatives as whole words; a space matches any run of white space (line breaks too),
    and "a ?b" matches "ab" as well as "a b"."""
    parts = ["(?:" + _spaced(pattern) + ")" for pattern in patterns]
    try:
        return re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w-])", re.IGNORECASE)
    except re.error:
        for pattern in patterns:  # find the culprit only when something is wrong
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ConfigError(
                    f"{where}: '{pattern}' is not a valid regular expression ({exc})"
                ) from None
        raise


_C = re._constants  # type: ignore[attr-defined]
_MAX_ANCHORS = 64
_OPTIONAL_LEAD = 30  # characters; detect's window starts this far and more before an anchor
Starts = tuple[set[str], bool]  # literal starts, and whether each is the whole match


def _starts(items: list[Any]) -> Starts | None:
    """Lowercase literal starts of a parsed pattern (None when there are too many)."""
    if not items:
        return {""}, True
    op, value = items[0]
    rest = items[1:]
    if op is _C.LITERAL:
        return _then({chr(value).lower()}, True, rest)
    if op is _C.IN and all(o is _C.LITERAL for o, _ in value) and len(value) <= 4:
        return _then({chr(v).lower() for _, v in value}, True, rest)
    if op is _C.SUBPATTERN:
        return _starts(list(value[3]) + rest)
    if op is _C.BRANCH:
        return _union([_starts(list(branch) + rest) for branch in value[1]])
    if op in (_C.MAX_REPEAT, _C.MIN_REPEAT):
        low, high, sub = value
        if high == 1:  # optional: with it, or straight to the rest
            if low == 0 and rest and sub.getwidth()[1] <= _OPTIONAL_LEAD:
                # A short optional lead ("(?:personal )?health") is found with what follows
                # it: the search window reaches back further than the lead is long.
                return _starts(rest)
            once = _starts(list(sub) + rest)
            return _union([once, _starts(rest)]) if low == 0 else once
        first = _starts(list(sub))
        return None if first is None else (first[0], False)
    return {""}, False


def _then(heads: set[str], complete: bool, rest: list[Any]) -> Starts | None:
    if not complete:
        return heads, False
    tails = _starts(rest)
    if tails is None:
        return heads, False
    combined = {h + t for h in heads for t in tails[0]}
    if len(combined) > _MAX_ANCHORS:
        return heads, False
    return combined, tails[1]


def _union(parts: list[Starts | None]) -> Starts | None:
    if any(part is None for part in parts):
        return None
    merged = set().union(*(part[0] for part in parts if part))
    if len(merged) > _MAX_ANCHORS:
        return None
    return merged, all(part[1] for part in parts if part)


def _anchors(patterns: list[str]) -> tuple[str, ...] | None:
    found: set[str] = set()
    for pattern in patterns:
        try:
            # One white-space character per space: same anchors, but finite widths.
            narrow = pattern.replace(" ?", r"\s?").replace(" ", r"\s")
            parsed = re._parser.parse(narrow, re.IGNORECASE)  # type: ignore[attr-defined]
        except Exception:  # a private parser: any surprise means "scan everything"
            return None
        result = _starts(list(parsed))
        if result is None or any(len(p) < 2 for p in result[0]):
            return None
        found |= {p[:12] for p in result[0]}
    # An anchor that starts with another is found with it: keep the shortest.
    kept = [a for a in sorted(found) if not any(a != b and a.startswith(b) for b in found)]
    return tuple(kept)


def _spaced(pattern: str) -> str:
    return pattern.replace(" ?", r"\s*").replace(" ", r"\s+")


def _category(entry: Any, where: str) -> Category:
    if not isinstance(entry, dict):
        raise ConfigError(f"{where}: each category is a mapping with id, name, patterns ...")
    unknown = set(entry) - CATEGORY_KEYS
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) {', '.join(sorted(unknown))}; "
            f"valid keys are: {', '.join(sorted(CATEGORY_KEYS))}"
        )
    category_id = entry.get("id")
    if not isinstance(category_id, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", category_id):
        raise ConfigError(f"{where}: 'id' must be a lowercase word such as 'biometric'")
    where = f"{where} '{category_id}'"
    patterns = entry.get("patterns")
    if (
        not isinstance(patterns, list)
        or not patterns
        or not all(isinstance(p, str) for p in patterns)
    ):
        raise ConfigError(f"{where}: 'patterns' must be a non-empty list of regular expressions")
    excludes = entry.get("exclude") or []
    if not isinstance(excludes, list) or not all(isinstance(p, str) for p in excludes):
        raise ConfigError(f"{where}: 'exclude' must be a list of regular expressions")
    ambiguous = entry.get("ambiguous") or []
    if not isinstance(ambiguous, list) or not all(isinstance(p, str) for p in ambiguous):
        raise ConfigError(f"{where}: 'ambiguous' must be a list of regular expressions")
    severity = entry.get("severity", "medium")
    if severity not in SEVERITIES[:3]:
        raise ConfigError(f"{where}: 'severity' must be one of low, medium, high")
    legal = entry.get("legal") or []
    if isinstance(legal, str):
        legal = [legal]
    if not isinstance(legal, list) or not all(isinstance(x, str) for x in legal):
        # An unquoted "COPPA (2025: consent)" in a flow list is a mapping, not a reference.
        raise ConfigError(
            f"{where}: 'legal' must be a list of strings; quote each reference "
            '("GDPR Art. 9(1)"), since commas and colons split unquoted YAML'
        )
    return Category(
        id=category_id,
        name=str(entry.get("name") or category_id),
        explain=str(entry.get("explain") or ""),
        legal=tuple(str(x) for x in legal),
        severity=severity,
        patterns=tuple(patterns),
        excludes=tuple(excludes),
        ambiguous=tuple(ambiguous),
    )


def _categories(text: str, where: str) -> list[Category]:
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where}: not valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(data, dict) or not isinstance(data.get("categories"), list):
        raise ConfigError(f"{where}: expected a 'categories:' list")
    return [
        _category(entry, f"{where}: category #{n + 1}")
        for n, entry in enumerate(data["categories"])
    ]


@lru_cache(maxsize=8)
def load_taxonomy(extra: Path | None = None) -> tuple[Category, ...]:
    """The shipped categories; those of `extra` are added, or replace the one with their id."""
    shipped = resources.files("policywatch").joinpath("taxonomy.yaml").read_text(encoding="utf-8")
    merged = {c.id: c for c in _categories(shipped, "taxonomy.yaml (shipped)")}
    if extra is not None:
        try:
            text = extra.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{extra}: cannot be read ({exc.strerror})") from None
        for category in _categories(text, str(extra)):
            _ = category.pattern, category.exclude  # a user's mistake is reported at load
            merged[category.id] = category
    return tuple(merged.values())
