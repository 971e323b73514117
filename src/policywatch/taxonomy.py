"""The data-practice taxonomy: the shipped categories, merged with a user's own file.

What a category is and how it matches is category.py; this module reads and checks the YAML
that lists categories, and taxonomy.json, the shipped ones made ready for a diff."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from .anchors import anchors
from .category import _KNOWN_ANCHORS, _KNOWN_NEEDS, SEVERITIES, Category
from .errors import ConfigError
from .needs import needs

SHIPPED = Path(__file__).with_name("taxonomy.yaml")  # not importlib.resources: 5 ms to import
# The shipped categories as JSON, each with its anchors and needs, made from taxonomy.yaml,
# anchors.py and needs.py (`python tests/test_taxonomy.py` writes it again): a diff reads no YAML
# (importing PyYAML and parsing take 13 ms) and reads no pattern for its anchors (5 ms).
SHIPPED_JSON = Path(__file__).with_name("taxonomy.json")
_MADE_FROM = (SHIPPED, Path(__file__).with_name("anchors.py"), Path(__file__).with_name("needs.py"))
CATEGORY_KEYS = {
    "id", "name", "explain", "legal", "severity", "patterns", "exclude", "ambiguous", "frame",
    "framed_by", "generic", "kinds", "people",
}  # fmt: skip


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
    frame = entry.get("frame") or []
    if not isinstance(frame, list) or not all(isinstance(p, str) for p in frame):
        raise ConfigError(f"{where}: 'frame' must be a list of regular expressions")
    framed_by = _lists_by_name(
        entry, "framed_by", f"{where}: 'framed_by' must map ambiguous words to lists of"
    )
    stray = [word for word in framed_by if word not in ambiguous]
    if stray:
        raise ConfigError(
            f"{where}: 'framed_by' names {stray[0]!r}, which is not one of its 'ambiguous' words"
        )
    generic = entry.get("generic") or []
    if not isinstance(generic, list) or not all(isinstance(w, str) for w in generic):
        raise ConfigError(f"{where}: 'generic' must be a list of words")
    kinds = _lists_by_name(
        entry, "kinds", f"{where}: 'kinds' must map each kind's name to a list of"
    )
    people = entry.get("people") or []
    if not isinstance(people, list) or not all(isinstance(p, str) for p in people):
        raise ConfigError(f"{where}: 'people' must be a list of regular expressions")
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
        frame=tuple(frame),
        framed_by=tuple((word, tuple(p)) for word, p in framed_by.items()),
        generic=tuple(w.lower() for w in generic),
        kinds=tuple((name, tuple(p)) for name, p in kinds.items()),
        people=tuple(people),
    )


def _lists_by_name(entry: dict[str, Any], key: str, problem: str) -> dict[str, list[str]]:
    """A mapping of names to non-empty lists of regular expressions (`kinds`, `framed_by`)."""
    value = entry.get(key) or {}
    if not isinstance(value, dict) or not all(
        isinstance(name, str) and isinstance(p, list) and p and all(isinstance(x, str) for x in p)
        for name, p in value.items()
    ):
        raise ConfigError(f"{problem} regular expressions")
    return value


def _categories(text: str, where: str) -> list[Category]:
    return _read(_yaml(text, where), where)


def _yaml(text: str, where: str) -> Any:
    import yaml

    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{where}: not valid YAML ({str(exc).splitlines()[0]})") from None


def _read(data: Any, where: str) -> list[Category]:
    if not isinstance(data, dict) or not isinstance(data.get("categories"), list):
        raise ConfigError(f"{where}: expected a 'categories:' list")
    return [
        _category(entry, f"{where}: category #{n + 1}")
        for n, entry in enumerate(data["categories"])
    ]


@lru_cache(maxsize=8)
def load_taxonomy(extra: Path | None = None) -> tuple[Category, ...]:
    """The shipped categories; those of `extra` are added, or replace the one with their id."""
    merged = {c.id: c for c in _shipped()}
    if extra is not None:
        try:
            text = extra.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{extra}: cannot be read ({exc.strerror})") from None
        for category in _categories(text, str(extra)):
            # reported at load
            _ = category.pattern, category.exclude, category.frame_pattern, category.kind_patterns
            _ = category.word_frames
            merged[category.id] = category
    return tuple(merged.values())


def _shipped() -> list[Category]:
    """The shipped categories, from taxonomy.json when it was made from these very files (a
    stale or missing one is only slower: taxonomy.yaml is read)."""
    where = "taxonomy.yaml (shipped)"
    try:
        made = json.loads(SHIPPED_JSON.read_bytes())
        if made["made_from"] != _checksum():
            raise ValueError("stale")
        categories = _read(made["taxonomy"], where)
        known = {
            category.patterns: None if found is None else tuple(found)
            for category, found in zip(categories, made["anchors"], strict=True)
        }
        known_needs = {  # as JSON gives them: lists, read as they are (no copy to tuples)
            patterns: found
            for category, both in zip(categories, made["needs"], strict=True)
            for patterns, found in zip((category.patterns, category.excludes), both, strict=True)
        }
    except (OSError, ValueError, KeyError, TypeError, ConfigError):
        return _categories(SHIPPED.read_text(encoding="utf-8"), where)
    _KNOWN_ANCHORS.update(known)
    _KNOWN_NEEDS.update(known_needs)
    return categories


def _checksum() -> str:
    """A checksum of the files taxonomy.json is made from (a check of staleness, as a file's
    modification time would be, not of trust: zlib's CRC-32, as hashlib takes 4 ms to import)."""
    import zlib

    crc = 0
    for path in _MADE_FROM:
        crc = zlib.crc32(path.read_bytes(), crc)
    return f"crc32:{crc:08x}"


def shipped_json() -> str:
    """The text of taxonomy.json, made from taxonomy.yaml, anchors.py and needs.py as they are
    now."""
    data = _yaml(SHIPPED.read_text(encoding="utf-8"), "taxonomy.yaml (shipped)")
    categories = _read(data, "taxonomy.yaml (shipped)")
    made = {
        "made_from": _checksum(),
        "taxonomy": data,
        "anchors": [anchors(list(c.patterns)) for c in categories],
        "needs": [
            [needs(list(c.patterns)), needs(list(c.excludes)) if c.excludes else None]
            for c in categories
        ],
    }
    return json.dumps(made, ensure_ascii=False, indent=1) + "\n"
