"""What one whole version of a document says of each category, read lazily: whether it states a
practice of it, whether the company denies it in its own name, which terms it only denies, which
kinds of a category it says, the names it defines, and whether a word stands in a sentence that
states the category; and term_key, one term across spelling variants.

How a clause's flag reads against two such versions is novelty.py's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .category import Category
from .detect import a_name, mentions, present, read_mention, sentence_span
from .search import matches, matches_in


def names_people(sentence: str, subject: Category) -> bool:
    """Whether a sentence names the people of a category's `people` words ("the Child's
    device", "teens"), other than to deny serving them."""
    people = subject.people_pattern
    return people is not None and any(
        not m.negated and people.fullmatch(m.term) and not a_name(sentence, m.start)
        for m in mentions(sentence, [subject])
    )


def term_key(term: str) -> str:
    """One term across spelling variants: case, hyphens and spaces, plurals, US and UK spelling
    ("behavioural" and "behavioral", "face-print" and "faceprints")."""
    key = "".join(ch for ch in term.lower() if ch.isalnum())
    for uk, us in _SPELLINGS:
        if uk in key:
            key = key.replace(uk, us)
    return key[:-1] if key.endswith("s") and len(key) > 3 else key


_SPELLINGS = (
    ("isation", "ization"), ("ise", "ize"), ("ising", "izing"), ("ised", "ized"),
    ("iour", "ior"), ("colour", "color"), ("centre", "center"), ("licence", "license"),
    ("programme", "program"), ("analys", "analyz"), ("catalogue", "catalog"),
    ("children", "child"), ("people", "person"),
)  # fmt: skip


@dataclass
class Statements:
    """What one version of a document says of each category, read lazily: whether it states a
    practice of it (a mention not denied), whether the company denies it in its own name, and
    whether a word stands in it at all."""

    text: str
    _states: dict[str, bool] = field(default_factory=dict)
    _denies: dict[str, bool] = field(default_factory=dict)
    _said: dict[tuple[str, str, str], bool] = field(default_factory=dict)
    _only_denied: dict[str, set[str]] = field(default_factory=dict)
    _kinds: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    _names_of: dict[str, dict[str, set[tuple[str, bool]]]] = field(default_factory=dict)
    _defined: list[tuple[str, int]] | None = None
    _lower: str | None = None

    def states(self, category: Category) -> bool:
        found = self._states.get(category.id)
        if found is None:
            found = self._states[category.id] = present(self.text, category, self.lower)
        return found

    def denies(self, category: Category) -> bool:
        found = self._denies.get(category.id)
        if found is None:
            found = self._denies[category.id] = any(
                m.negated and m.first_person for m in mentions(self.text, [category], self.lower)
            )
        return found

    def only_denies(self, category: Category) -> set[str]:
        """The terms (as lemmas) of a category the company denies in its own name and this
        version never states: "sell" where it says "we do not sell" and only admits targeted
        advertising."""
        found = self._only_denied.get(category.id)
        if found is None:
            every = mentions(self.text, [category], self.lower)
            denied = {lemma(term_key(m.term)) for m in every if m.negated and m.first_person}
            stated = {
                lemma(term_key(m.term))
                for m in every
                if not m.negated and not a_name(self.text, m.start)
            }
            found = self._only_denied[category.id] = denied - stated
        return found

    def states_kind(self, category: Category, kind: str, among: Category | None = None) -> bool:
        """Whether the version says some term of a kind ("device ID" of device identifiers)
        other than to deny it, in any sense of its words (a false "yes" only keeps a flag from
        being raised); with `among`, only in sentences that name those people too."""
        key = (category.id, among.id if among else "")
        kinds = self._kinds.get(key)
        if kinds is None:
            text, lower = self.text, self.lower
            kinds = self._kinds[key] = {
                kind
                for match in matches(text, lower, category)
                if (named := category.kinds_of(match.group(0)))
                and (mention := read_mention(text, match, category, framed=False)) is not None
                and not mention.negated
                and (among is None or self._names(among, match.start(), match.end()))
                for kind in named
            }
        return kind in kinds

    def defined(self, category: Category) -> dict[str, set[tuple[str, bool]]]:
        """The names this version defines for terms of a category, both ways (a term key to
        its other names, each with whether it holds only where the term is written with a
        capital, as a defined name is): "voice commands (“Voice Ordering”)" makes "Voice
        Ordering" another name of voice commands; "users under the age of 13 (“Children”)"
        makes "Children", not "children", mean under 13."""
        found = self._names_of.get(category.id)
        if found is None:
            found = self._names_of[category.id] = {}
            text, people = self.text, category.people_pattern
            for alias, at in self._definitions():
                left = max(0, at - 120)
                cut = max(text.rfind(stop, left, at) for stop in ".;:()")
                left = max(left, cut + 1)
                # Where the category's patterns match, compiled only for the needs the words
                # hold (search.matches_in): a whole alternation costs 0.5-1.8 ms to compile.
                named = [*matches_in(category, text, left, at)]
                if people is not None:
                    named += people.finditer(text, left, at)
                ends = sorted(
                    (m for m in named if not text[m.end() : at].strip()), key=lambda m: m.start()
                )
                if ends and term_key(ends[-1].group(0)) != term_key(alias):
                    term = ends[-1].group(0)
                    found.setdefault(term_key(alias), set()).add((term, True))
                    found.setdefault(term_key(term), set()).add((alias, False))
        return found

    def _definitions(self) -> list[tuple[str, int]]:
        """Each name this version defines in brackets, with where its brackets open."""
        if self._defined is None:
            self._defined = (
                [(d.group("alias"), d.start()) for d in _DEFINED.finditer(self.text)]
                if "(" in self.text
                else []
            )
        return self._defined

    def _names(self, subject: Category, start: int, end: int) -> bool:
        begin, end = sentence_span(self.text, start, end)
        return names_people(self.text[begin:end], subject)

    @property
    def lower(self) -> str:
        if self._lower is None:
            self._lower = self.text.lower()
        return self._lower

    def said_of(self, word: str, category: Category, among: Category | None = None) -> bool:
        """Whether the version says a word (a term key) in a sentence that states a practice
        of the category: "chat" said of voice data only where voice data is stated, not in
        the sentence about customer-support chats; with `among`, a sentence that also names
        those people. A word met more than SAID_CAP times is taken as said (a false "yes" only
        keeps a flag from being raised)."""
        key = (category.id, word, among.id if among else "")
        found = self._said.get(key)
        if found is None:
            found = self._said[key] = self._find_said(word, category, among)
        return found

    def _find_said(self, word: str, category: Category, among: Category | None) -> bool:
        text, lower = self.text, self.lower
        met, checked_to = 0, -1
        for form in _forms(word):
            at = lower.find(form)
            while at != -1:
                if (at == 0 or not lower[at - 1].isalnum()) and at >= checked_to:
                    met += 1
                    if met > SAID_CAP:
                        return True
                    begin, end = sentence_span(text, at, at + len(form))
                    checked_to = end
                    if among is None or names_people(text[begin:end], among):
                        for match in matches_in(category, text, begin, end):
                            mention = read_mention(text, match, category, framed=False)
                            if mention is not None and not mention.negated:
                                return True
                at = lower.find(form, at + 1)
        return False


SAID_CAP = 40  # sentences looked at for one word

# A defined name, quoted in brackets right after the words it stands for ("users under the age
# of 13 (“Children”)", "voice commands (“Voice Ordering”)").
_DEFINED = re.compile(
    r"\((?:collectively,?\s*|each,?\s*|together,?\s*)?(?:the\s+|a\s+|an\s+)?"
    r"[“\"‘'](?P<alias>[A-Z][\w’' -]{0,40}?)[”\"’']\)"
)


# The CPRA's verbs in every form a term takes: "we do not sell" denies "a sale".
_LEMMAS = {"sale": "sell", "sold": "sell", "selling": "sell", "sharing": "share", "shared": "share"}


def lemma(key: str) -> str:
    return _LEMMAS.get(key, key)


def _forms(key: str) -> tuple[str, ...]:
    """How a term key's word may begin when written: its stem ("ethnicity" is said where
    "ethnic" is, "addresses" where "address" is), in US and UK spelling. A word is looked for
    as a start of words, so the stem finds every ending."""
    forms = [key]
    for uk, us in _SPELLINGS:
        if us in key:
            forms.append(key.replace(us, uk))
    return tuple(dict.fromkeys(_stem(form) for form in forms))


_ENDINGS = ("ities", "ations", "ation", "ings", "ity", "ing", "ies", "ied", "es", "ed", "al", "e")


def _stem(key: str) -> str:
    for ending in _ENDINGS:
        if key.endswith(ending) and len(key) - len(ending) >= 4:
            return key[: -len(ending)]
    return key
