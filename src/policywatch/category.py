"""A data-practice category: what it is and how it matches text (its patterns and exclusions,
ambiguous words and their frames, kinds, people), compiled on first use, and the severities a
flag can take.

Apart from taxonomy.py, which reads and checks the YAML that lists categories (the shipped ones
through taxonomy.json) and merges a user's own: how a category matches does not depend on where
it was read from."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .anchors import anchors
from .errors import ConfigError
from .needs import Needs, needs

SEVERITIES = ("low", "medium", "high", "critical")


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

    def kinds_of(self, term: str) -> frozenset[str]:
        """Every kind a term names: two where it joins two ("public blockchain data and
        addresses")."""
        return frozenset(name for name, pattern in self.kind_patterns if pattern.fullmatch(term))

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


# The anchors of the shipped categories' patterns, as taxonomy.json gives them (taxonomy.py
# fills these when it reads the file).
_KNOWN_ANCHORS: dict[tuple[str, ...], tuple[str, ...] | None] = {}
# What the matches of the shipped categories' patterns and exclusions hold, as it gives them.
_KNOWN_NEEDS: dict[tuple[str, ...], Needs | None] = {}


def _needs_of(patterns: tuple[str, ...]) -> Needs | None:
    """The needs of patterns, as taxonomy.json gives them for the shipped ones."""
    if patterns in _KNOWN_NEEDS:
        return _KNOWN_NEEDS[patterns]
    return needs(list(patterns))
