"""A clause's flag read against both whole versions: whether its terms are new to the other
version, or gone from it, decides its label, or drops it.

A change's flags come from its clauses alone (detect.flags_for); the documents decide what they
mean: NEW only when the other version states no practice of the category, EXPANDED or NARROWED
when it does but not in these terms, NOW SAYS IT MAY when the old one denied it. What one version
says is statements.py's, asked of that version alone and kept; what is asked here is of the pair,
flag by flag: whose data a term is said of, and whether the other version already says it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from .category import Category, milder
from .detect import a_name, sentence_span
from .flag import Flag
from .statements import Statements, lemma, names_people, term_key


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
            and any(lemma(term_key(t)) in old.only_denies(category) for t in flag.terms)
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
            telling = [n for n in names if category.kinds_of(n) or _term_words(n, category)]
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
    one of the category's kinds is new where no term of its kind is said, and only there (a
    term of two kinds, where either is not):
    "unique device identifiers" where only an IP address and "advertising identifiers" were,
    not "IDFA" where "advertising identifiers" are."""
    kinds = category.kinds_of(term)
    if kinds:
        return any(not there.states_kind(category, kind, among) for kind in kinds)
    words = _term_words(term, category)
    return any(not there.said_of(word, category, among) for word in words)
