"""The data-practice taxonomy: the shipped categories, merged with a user's own file."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from .anchors import anchors
from .errors import ConfigError
from .needs import Needs, needs

SHIPPED = Path(__file__).with_name("taxonomy.yaml")  # not importlib.resources: 5 ms to import
# The shipped categories as JSON, each with its anchors and needs, made from taxonomy.yaml,
# anchors.py and needs.py (`python tests/test_taxonomy.py` writes it again): a diff reads no YAML
# (importing PyYAML and parsing take 13 ms) and reads no pattern for its anchors (5 ms).
SHIPPED_JSON = Path(__file__).with_name("taxonomy.json")
_MADE_FROM = (SHIPPED, Path(__file__).with_name("anchors.py"), Path(__file__).with_name("needs.py"))
SEVERITIES = ("low", "medium", "high", "critical")
CATEGORY_KEYS = {
    "id", "name", "explain", "legal", "severity", "patterns", "exclude", "ambiguous", "frame",
    "framed_by", "generic", "kinds", "people",
}  # fmt: skip


def milder(severity: str) -> str:
    """The severity one step below ("low" stays "low")."""
    return SEVERITIES[max(0, SEVERITIES.index(severity) - 1)]


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
    # The frame those words need, when the category has its own: words one of which must stand
    # in the sentence besides the term ("transferred", "servers" for a country's name).
    frame: tuple[str, ...] = ()
    # Ambiguous words with a frame of their own instead ("ads" are a practice where the company
    # uses personal data for them; goods are sold and posts shared in that frame too).
    framed_by: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Words that name the practice itself, not a kind of data, recipient, country or age:
    # "biometric" in "biometric identifiers", "children" in "children's data". A term made
    # only of them does not expand what a version already says of the category.
    generic: tuple[str, ...] = ()
    # Kinds of data or practice the category's law tells apart (CCPA 1798.140(aj): "a device
    # identifier; an Internet Protocol address; cookies, beacons, pixel tags, mobile ad
    # identifiers"), each named with the patterns of its terms. A term of a kind is new to a
    # version that states no term of that kind, whatever words the two share.
    kinds: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # The words that name people whose data is a practice apart (COPPA 312.2: collecting "from
    # a child"): what a version says of everyone's data does not say it of theirs. A sentence
    # that names them expands another category only against the other version's sentences
    # naming them too. A parent, an age check or COPPA is not a name of them.
    people: tuple[str, ...] = ()

    @cached_property
    def people_pattern(self) -> re.Pattern[str] | None:
        return _compile(list(self.people), f"{self.id} people") if self.people else None

    @cached_property
    def frame_pattern(self) -> re.Pattern[str] | None:
        return _compile(list(self.frame), self.id) if self.frame else None

    @cached_property
    def word_frames(self) -> tuple[tuple[re.Pattern[str], re.Pattern[str]], ...]:
        """Each ambiguous word that has a frame of its own, with that frame."""
        return tuple(
            (
                re.compile(_spaced(word), re.IGNORECASE),
                _compile(list(frame), f"{self.id} framed_by"),
            )
            for word, frame in self.framed_by
        )

    @cached_property
    def ambiguous_pattern(self) -> re.Pattern[str] | None:
        """Matches a whole term that is a practice only in a frame ("sell", "cookies")."""
        if not self.ambiguous:
            return None
        return re.compile("|".join(f"(?:{_spaced(p)})" for p in self.ambiguous), re.IGNORECASE)

    @cached_property
    def kind_patterns(self) -> tuple[tuple[str, re.Pattern[str]], ...]:
        return tuple((name, _compile(list(p), f"{self.id} kind {name}")) for name, p in self.kinds)

    def kind_of(self, term: str) -> str | None:
        """The kind a term names ("device ID": "device identifier"), None when it names none."""
        for name, pattern in self.kind_patterns:
            if pattern.fullmatch(term):
                return name
        return None

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
        if self.patterns in _KNOWN_ANCHORS:
            return _KNOWN_ANCHORS[self.patterns]
        return anchors(list(self.patterns))

    def compiled(self, name: str) -> bool:
        """Whether "pattern" or "exclude" is compiled already (a cached_property keeps it)."""
        return name in vars(self)

    def alone(self, index: int, exclusion: bool = False) -> re.Pattern[str]:
        """One pattern (or exclusion) compiled by itself, with the alternation's boundaries:
        a text whose needs hold only a few is searched for those (search.matches_in)."""
        key = (exclusion, index)
        found = self._alone.get(key)
        if found is None:
            source = self.excludes if exclusion else self.patterns
            found = self._alone[key] = _compile([source[index]], self.id)
        return found

    @cached_property
    def _alone(self) -> dict[tuple[bool, int], re.Pattern[str]]:
        return {}

    @cached_property
    def needs(self) -> Needs | None:
        """What each pattern's every match holds (needs.py): a text holding none of it is
        not searched, and the patterns are not compiled for it."""
        return _needs_of(self.patterns)

    @cached_property
    def exclude_needs(self) -> Needs | None:
        """What each exclusion's every match holds."""
        return _needs_of(self.excludes) if self.excludes else None

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
            "frame": list(self.frame),
            "framed_by": {word: list(frame) for word, frame in self.framed_by},
            "generic": list(self.generic),
            "kinds": {name: list(patterns) for name, patterns in self.kinds},
            "people": list(self.people),
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


def _spaced(pattern: str) -> str:
    """A pattern with its spaces as white space: a run of it (" "), or none or a run (" ?");
    inside a character class ("[- ]") one white space character, as the class is one character."""
    out: list[str] = []
    at, in_class, class_start = 0, False, False
    while at < len(pattern):
        char = pattern[at]
        if char == "\\":
            out.append(pattern[at : at + 2])
            at += 2
            continue
        if in_class:
            if char == "]" and not class_start:
                in_class = False
            out.append(r"\s" if char == " " else char)
            class_start = class_start and char == "^"
        elif char == "[":
            in_class = class_start = True
            out.append(char)
        elif char == " ":
            optional = pattern.startswith("?", at + 1)
            out.append(r"\s*" if optional else r"\s+")
            at += 1 + optional
            continue
        else:
            out.append(char)
        at += 1
    return "".join(out)


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


# The anchors of the shipped categories' patterns, as taxonomy.json gives them.
_KNOWN_ANCHORS: dict[tuple[str, ...], tuple[str, ...] | None] = {}
# What the matches of the shipped categories' patterns and exclusions hold, as it gives them.
_KNOWN_NEEDS: dict[tuple[str, ...], Needs | None] = {}


def _needs_of(patterns: tuple[str, ...]) -> Needs | None:
    """The needs of patterns, as taxonomy.json gives them for the shipped ones."""
    if patterns in _KNOWN_NEEDS:
        return _KNOWN_NEEDS[patterns]
    return needs(list(patterns))


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
