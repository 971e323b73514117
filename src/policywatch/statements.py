"""What a whole version of a document says, and how a clause's flag reads against it.

A change's flags come from its clauses alone (detect.flags_for); the documents decide what they
mean: NEW only when the other version states no practice of the category, EXPANDED or NARROWED
when it does but not in these terms, NOW SAYS IT MAY when the old one denied it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from .category import Category, milder
from .detect import a_name, mentions, present, read_mention, sentence_span
from .flag import Flag
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
            denied = {_lemma(term_key(m.term)) for m in every if m.negated and m.first_person}
            stated = {
                _lemma(term_key(m.term))
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
                kind_of
                for match in matches(text, lower, category)
                if (kind_of := category.kind_of(match.group(0))) is not None
                and (mention := read_mention(text, match, category, framed=False)) is not None
                and not mention.negated
                and (among is None or self._names(among, match.start(), match.end()))
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


def _lemma(key: str) -> str:
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


def in_document(
    flag: Flag, text: str, old: Statements, new: Statements, by_id: dict[str, Category]
) -> Flag | None:
    """A clause's flag read against the whole documents: NEW only when the other version states
    no practice of the category; EXPANDED (NARROWED) when it does, but not these terms; NOW SAYS
    IT MAY only when the old document denied it and stated none of it; otherwise no flag. A
    quoted legal definition ("This category covers a name, signature, Social Security number
    ...") states no practice (TAXONOMY.md: boilerplate definitions are not practices): it is
    flagged only when it turns the company's denial into "may be considered a sale"."""
    category = by_id[flag.category]
    subjects = tuple(c for c in by_id.values() if c.people and c is not category)
    if flag.change == "added":
        if not old.states(category):
            denied = old.denies(category)
            if flag.definition and not denied:
                return None
            return replace(
                flag, was_negated=denied, severity="critical" if denied else flag.severity
            )
        if flag.definition and not flag.admission:
            return None
        beyond = (
            None
            if flag.definition
            else _beyond(flag, text, new, old, category, subjects, expanded=True)
        )
        if (
            beyond is None
            and flag.admission
            and not all(a_name(text, a) for a, _ in flag.positions)
            and any(_lemma(term_key(t)) in old.only_denies(category) for t in flag.terms)
        ):
            # The old version stated the category, but denied this very practice and never
            # stated it: "we do not sell" became "may be deemed a sale" (TAXONOMY.md C13). Read
            # only for admissions: it needs every mention of the category in the old version.
            return replace(flag, was_negated=True, severity="critical")
        return beyond
    if flag.definition:
        return None
    if not new.states(category):
        return replace(flag, negated=flag.negated and new.denies(category))
    return _beyond(flag, text, old, new, category, subjects, expanded=False)


def _beyond(
    flag: Flag,
    text: str,
    here: Statements,
    there: Statements,
    category: Category,
    subjects: Sequence[Category],
    *,
    expanded: bool,
) -> Flag | None:
    """EXPANDED (NARROWED): the other version states the practice, but not these terms; no flag
    when it says every one of them. A term in a sentence that names a subject's people ("from
    the Child's device") is read against the other version's sentences that name them, and a
    flag whose every term is new only of them says whose data it is about (`of`). A term with
    a name its version defines is new only when each of its names that tells something is
    ("Voice Ordering" still said keeps "voice commands (“Voice Ordering”)" from being gone;
    "Children" defined as under 13 is new where under-13s are)."""
    new_among: dict[str, set[Category | None]] = {}
    spots: list[tuple[int, int]] = []
    defined = here.defined(category)
    for term in flag.terms:
        key = term_key(term)
        at = [(a, b) for a, b in flag.positions if term_key(text[a:b]) == key]
        for capital in (False, True):
            written = [(a, b) for a, b in at if text[a:b][:1].isupper() == capital]
            if not written:
                continue
            names = [term, *sorted(n for n, cap in defined.get(key, ()) if capital or not cap)]
            telling = [
                n for n in names if category.kind_of(n) is not None or _term_words(n, category)
            ]
            among = {
                a
                for a in _scopes(written, text, subjects)
                if telling and all(_new_to(n, there, category, a) for n in telling)
            }
            if among:
                new_among.setdefault(term, set()).update(among)
                spots.extend(written)
    if not new_among:
        return None
    terms = tuple(new_among)
    # New only of some people's data ("device ID" from the Child's device): the flag says whose.
    people = {a.id for among in new_among.values() for a in among if a is not None}
    of = ", ".join(sorted(people)) if all(None not in a for a in new_among.values()) else ""
    return replace(
        flag,
        of=of,
        terms=terms,
        positions=tuple(sorted(spots)),
        expanded=expanded,
        narrowed=not expanded,
        was_negated=False,
        negated=False,
        severity=milder(category.severity),
    )


# Words that name no kind of data, recipient, country or threshold in any category: filler and
# the verbs of every practice. A category's own words ("international" for transfers, "train"
# for AI training, "verification" for biometrics, not for age checks) are its `generic` list.
_GENERIC = frozenset(
    [
        "that", "this", "these", "those", "which", "who", "whom", "is", "are", "be", "been",
        "was", "were", "may", "might", "can", "could", "will", "would", "also", "such", "other",
        "more", "most", "than", "it", "they", "them", "we", "us", "my", "me", "i", "all", "some",
        "each", "every",
        "various", "different", "multiple", "certain", "including", "like", "at", "into",
        "a", "an", "the", "of", "and", "or", "to", "for", "with", "about", "you", "your", "our",
        "their", "its", "by", "from", "in", "on", "as", "any", "data", "information", "info",
        "personal", "details", "content", "technology", "technologies", "tool", "tools", "collect",
        "collects", "collection", "collected", "collecting", "process", "processes", "processing",
        "processed", "use", "used", "uses", "using", "share", "shared", "shares", "sharing",
        "disclose", "discloses", "disclosed", "disclosure",
    ]
)  # fmt: skip


_GENERIC_KEYS: dict[tuple[str, ...], frozenset[str]] = {}


def _generic(category: Category) -> frozenset[str]:
    keys = _GENERIC_KEYS.get(category.generic)
    if keys is None:
        keys = _GENERIC_KEYS[category.generic] = frozenset(term_key(w) for w in category.generic)
    return keys


def _term_words(term: str, category: Category) -> set[str]:
    """The telling words of a term: neither filler nor the category's own name for itself."""
    generic = _generic(category)
    return {
        key
        for w in re.findall(r"\w+", term.lower())
        if w not in _GENERIC and (key := term_key(w)) not in generic
    }


def _scopes(
    spots: Sequence[tuple[int, int]], text: str, subjects: Sequence[Category]
) -> set[Category | None]:
    """Whose data a term is said of at these places: everyone's (None), or the people of each
    subject its sentence names."""
    if not subjects:
        return {None}
    scopes: set[Category | None] = set()
    for start, end in spots:
        begin, end = sentence_span(text, start, end)
        named = [s for s in subjects if names_people(text[begin:end], s)]
        scopes.update(named or [None])
    return scopes or {None}


def _new_to(
    term: str, there: Statements, category: Category, among: Category | None = None
) -> bool:
    """Whether a term names something the other version does not say of the category: some
    telling word of it stands in no sentence there that states the category ("international
    data transfer" after "international transfers", "GPS signals" where GPS is already
    listed, are not new; "voice chat" where voice is only said of support calls is). A term of
    one of the category's kinds is new where no term of its kind is said, and only there:
    "unique device identifiers" where only an IP address and "advertising identifiers" were,
    not "IDFA" where "advertising identifiers" are."""
    kind = category.kind_of(term)
    if kind is not None:
        return not there.states_kind(category, kind, among)
    words = _term_words(term, category)
    return any(not there.said_of(word, category, among) for word in words)
