"""Anchors (anchors.py): the literal starts search.py searches long texts around, and the
strings every match holds (needs), which spare short texts a scan and a comparison compiling.

An anchor set that misses a start silently loses flags in long policies, so the real test is
equivalence: on real long texts, the matches found around anchors are exactly the matches a
full scan finds, for every shipped category. Needs that turn away a text the pattern matches
lose flags as silently: every real clause a pattern or exclusion matches must hold its needs.
"""

from __future__ import annotations

import os
import re
from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policywatch.anchors import anchors
from policywatch.canonical import from_markdown
from policywatch.category import Category, _compile, _spaced
from policywatch.needs import needs
from policywatch.search import LONG_TEXT, held_patterns, matches, matches_in
from policywatch.segment import segment
from policywatch.taxonomy import load_taxonomy
from projects import HISTORY, PAIRS

# Ten histories beside the project, when it is checked out with them.
SHARED_HISTORY = (
    Path(os.environ.get("POLICYWATCH_SHARED") or Path(__file__).resolve().parents[2] / "shared")
    / "fixtures"
    / "history"
)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("genetic", ("genetic",)),
        ("(?:personal )?health", ("health",)),  # a short optional lead: found with what follows
        # An optional character inside a word: the reader this replaced (on CPython's private
        # re._parser) skipped it, so "e-mail", "behavioural", "wi-fi" and "palm print" went
        # unsearched in long policies.
        ("e-?mail", ("e-mail", "email")),
        ("behaviou?ral", ("behavioral", "behavioural")),
        ("palm ?prints?", ("palm",)),
        ("wi-?fi|wifi", ("wi-fi", "wifi")),
        ("driver['’]s licen[cs]e", ("driver's", "driver’s")),
        ("real[- ]time", ("real",)),  # a class holding a space is white space: not spelled
        ("(?:ads|advertising) based on", ("ads", "advertising")),
        ("1[3-8]", None),  # two characters of a long range: too short to search for
        ("\\w+ data", None),  # starts with any word
        ("(?<!no )sale", None),  # a look-behind: unknown here, so scan everything
    ],
)
def test_literal_starts_of_a_pattern(pattern: str, expected: tuple[str, ...] | None) -> None:
    assert anchors([pattern]) == expected


def test_every_shipped_category_but_retention_has_anchors() -> None:
    missing = [c.id for c in load_taxonomy() if c.anchors is None]
    assert missing == ["retention"]  # its "for 30 days" starts with any number


@cache
def _long_texts() -> tuple[str, ...]:
    """The newest version of each real history, canonical, where it is long enough to be
    searched around anchors."""
    folders = sorted(HISTORY.iterdir())
    if SHARED_HISTORY.is_dir():
        folders += sorted(SHARED_HISTORY.iterdir())
    newest = [max(d.glob("*.md")) for d in folders]
    texts = [from_markdown(p.read_text(encoding="utf-8")) for p in newest]
    return tuple(t for t in texts if len(t) > LONG_TEXT)


@pytest.mark.parametrize("category", load_taxonomy(), ids=lambda c: c.id)
def test_search_around_anchors_finds_what_a_full_scan_finds(category: Category) -> None:
    assert len(_long_texts()) >= 3
    for text in _long_texts():
        around = [m.span() for m in matches(text, text.lower(), category)]
        everywhere = [m.span() for m in category.pattern.finditer(text)]
        assert around == everywhere, category.id


def _category(*patterns: str) -> Category:
    return Category("test", "Test", "", (), "medium", tuple(patterns), ())


# Written here: each case a word a reviewer found missed in a long text, padded past LONG_TEXT.
PAD = "Nothing to see here. " * 1200


@pytest.mark.parametrize(
    ("patterns", "middle"),
    [
        (("ssn",), "Identifiers:SSN and more"),  # a short anchor after a colon
        (("ssn",), "names,SSN, addresses"),
        (("(?:geo)?location",), "your geolocation"),  # a lead that is not a word of its own
        (("(?:non-)?personal data",), "non-personal data"),
        (("(?:precise )?(?:real-time )?location",), "precise real-time location data"),
        (("idea",), "İ" * 55 + " idea"),  # "İ" lowercases to two characters
    ],
)
def test_search_around_anchors_misses_nothing_a_full_scan_finds(
    patterns: tuple[str, ...], middle: str
) -> None:
    category = _category(*patterns)
    text = PAD + middle + " " + PAD
    assert len(text) > LONG_TEXT
    around = [m.span() for m in matches(text, text.lower(), category)]
    everywhere = [m.span() for m in category.pattern.finditer(text)]
    assert everywhere and around == everywhere


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        # Each word, and each way the run of them can be written, white space as one space.
        ("hand geometry", (("hand",), ("geometry",), ("hand geometry",))),
        ("fingerprints?(?: (?:scans?|recognition|data))?", (("fingerprint",),)),  # all hold it
        (
            "(?:national|state)[- ](?:issued )?id",  # a class with a space: a space, or else
            (
                ("issued", "national", "state"),  # the longest word of each way, looked at first
                (
                    "national id", "national issued id", "national-id", "national-issued id",
                    "state id", "state issued id", "state-id", "state-issued id",
                ),
            ),
        ),
        ("under 1[3-8]", (("under",), ("under 13", "under 14", "under 15", "under 16", "under 17", "under 18"))),
        ("\\w+ data", (("data",), (" data",))),
        ("a ?b", None),  # nothing three characters long: any text may match
        ("[^.]{0,5}x", None),
        ("(?<!no )sale", None),  # a look-behind: unknown here
    ],
)  # fmt: skip
def test_what_every_match_of_a_pattern_holds(
    pattern: str, expected: tuple[tuple[str, ...], ...] | None
) -> None:
    assert needs([pattern]) == (None if expected is None else (expected,))


def test_a_text_with_letters_ignorecase_reads_as_others_may_match_anything() -> None:
    """IGNORECASE matches "ſ" to "s" and "ı" to "i", which lower() keeps as they are."""
    category = _category("sale", "privacy")
    for text in ("we ſell no data: no ſale", "prıvacy"):
        assert category.pattern.search(text)
        assert held_patterns(category.needs, text.lower()) is None
    assert held_patterns(category.needs, "we sell no data") == []
    assert held_patterns(category.needs, "no sale, privacy") == [0, 1]


@cache
def _clauses() -> tuple[str, ...]:
    """The clauses of the real long texts and of the thirty policies of the pairs: the short
    texts a comparison's changes are."""
    texts = [*_long_texts()]
    texts += [from_markdown(p.read_text(encoding="utf-8")) for p in sorted(PAIRS.glob("*/new.md"))]
    return tuple(dict.fromkeys(c.text for text in texts for c in segment(text)))


@pytest.mark.parametrize("category", load_taxonomy(), ids=lambda c: c.id)
def test_a_pattern_whose_needs_a_text_does_not_hold_never_matches_it(category: Category) -> None:
    turned_away = 0
    for text in _clauses():
        lowered = text.lower()
        for exclusions, whole in ((False, category.pattern), (True, category.exclude)):
            held = held_patterns(category.exclude_needs if exclusions else category.needs, lowered)
            if whole is None or held is None or whole.search(text) is None:
                continue  # nothing to turn away wrongly
            sources = category.excludes if exclusions else category.patterns
            for index in set(range(len(sources))) - set(held):
                turned_away += 1
                assert category.alone(index, exclusions).search(text) is None, (index, text)
    assert turned_away, category.id  # the needs do turn patterns away


@pytest.mark.parametrize("category", load_taxonomy(), ids=lambda c: c.id)
def test_the_patterns_a_text_holds_find_what_the_whole_alternation_finds(
    category: Category,
) -> None:
    """Short texts are searched with only the patterns their needs hold, each compiled alone,
    until the alternation is compiled: the matches must be the same, in the same order."""
    fresh = replace(category)  # nothing compiled yet
    patterns = _compile(list(category.patterns), category.id)
    exclusions = _compile(list(category.excludes), category.id) if category.excludes else None
    for text in _clauses():
        lowered = text.lower()
        if len(lowered) != len(text):
            continue
        found = [m.span() for m in matches_in(fresh, text, 0, len(text), lowered)]
        assert found == [m.span() for m in patterns.finditer(text)], text
        if exclusions is not None:
            found = [
                m.span() for m in matches_in(fresh, text, 0, len(text), lowered, exclusions=True)
            ]
            assert found == [m.span() for m in exclusions.finditer(text)], text
    assert not fresh.compiled("pattern") or fresh.needs is None, category.id
    for text in _long_texts():  # searched around anchors, each stretch with what it holds
        around = [m.span() for m in matches(text, text.lower(), fresh)]
        assert around == [m.span() for m in patterns.finditer(text)], category.id


@pytest.mark.parametrize(
    ("patterns", "text", "spans"),
    [
        (("data", "data broker"), "a data broker", [(2, 6)]),  # the first pattern at one place
        (("data broker", "data"), "a data broker", [(2, 13)]),
        (("broker data", "data sharing"), "broker data sharing", [(0, 11)]),  # from its end
        (("data sharing", "broker data"), "broker data sharing data sharing", [(0, 11), (20, 32)]),
    ],
)
def test_patterns_alone_find_as_their_alternation(
    patterns: tuple[str, ...], text: str, spans: list[tuple[int, int]]
) -> None:
    category = _category(*patterns)
    found = [m.span() for m in matches_in(category, text, 0, len(text))]
    assert found == spans == [m.span() for m in category.pattern.finditer(text)]


def test_needs_fold_white_space_as_the_patterns_read_it() -> None:
    category = _category("shape of (?:your|the) face")
    text = "the shape\nof  your\tface"
    assert re.search(category.pattern, text) and held_patterns(category.needs, text.lower()) == [0]


ALTERNATIVES = [
    pytest.param(
        category, exclusions, index, id=f"{category.id}-{'x' if exclusions else 'p'}{index}"
    )
    for category in load_taxonomy()
    for exclusions, sources in ((False, category.patterns), (True, category.excludes))
    for index in range(len(sources))
]


@pytest.mark.parametrize(("category", "exclusions", "index"), ALTERNATIVES)
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_whatever_a_pattern_matches_holds_its_needs(
    category: Category, exclusions: bool, index: int, data: st.DataObject
) -> None:
    """Any text a pattern matches, however unusual ("street+level" once matched "street[-
    ]level", which its needs did not hold), is found by the search its needs allow."""
    sources = category.excludes if exclusions else category.patterns
    match = data.draw(st.from_regex(re.compile(_spaced(sources[index]), re.I), fullmatch=True))
    text = f"We {match} here."
    whole = _compile(list(sources), category.id)
    found = [
        m.span() for m in matches_in(replace(category), text, 0, len(text), exclusions=exclusions)
    ]
    assert found == [m.span() for m in whole.finditer(text)]


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        # Hand-written (the review's cases): patterns a user's taxonomy may hold.
        (r"reward[^]]points", "We keep your reward-points."),  # a "]" first in a class
        (r"reward[^\]]points", "We keep your reward-points."),  # an escaped "]"
        (r"user[\w\]]data", "We keep userXdata."),
        ("purchase (?:history )? data", "We keep purchase  data."),  # spaces side by side
        ("street[- ]level", "We know your street level location."),
    ],
)
def test_a_user_pattern_is_found_where_its_alternation_finds_it(pattern: str, text: str) -> None:
    category = _category(pattern)
    found = [m.group() for m in matches_in(category, text, 0, len(text))]
    assert found and found == [m.group() for m in category.pattern.finditer(text)]


def test_a_class_with_a_space_is_one_character() -> None:
    # "[- ]" once compiled to "[-\s+]", which matched "street+level".
    category = _category("street[- ]level")
    assert not category.pattern.search("street+level")
    assert category.pattern.search("street-level") and category.pattern.search("street\nlevel")


def test_a_pattern_too_short_to_search_for_leaves_the_others_their_needs() -> None:
    # "UK" is two letters: every text may match it, and only it.
    found = needs(["UK", "standard contractual clauses"])
    assert found is not None and found[0] == ()
    assert held_patterns(found, "we transfer data to the uk") == [0]
    assert held_patterns(found, "under standard contractual clauses") == [0, 1]
    assert needs(["UK", "a ?b"]) is None  # nothing to search for at all
