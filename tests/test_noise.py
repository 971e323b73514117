"""Real page sequences: a new snapshot exactly where the policy text changed.

Each sequence of real pages (tests/fixtures/snapshots) is imported in order, once with the
manifest's selectors and once with none. Every pair labelled `changed` must make a snapshot and
none labelled `same` may, except for the pairs below, each checked by hand.
"""

from __future__ import annotations

import pytest

from noise import evaluate, services

# Labelled `changed`, but only the markup changed: the visible text of the policy is identical
# (compare the selected HTML of the two pages). policywatch archives text, so these are not
# policy changes for it.
MARKUP_ONLY = {
    ("match", 1): "an h1 lost its style attribute",
    ("match", 2): "empty <p> elements removed",
    ("match", 5): "in-page anchors (#_section13) became links to the FAQ",
    ("meetic", 4): "the selected HTML is byte-identical; the difference is outside the policy",
    ("meetic", 5): "empty <p> elements removed",
    ("meetic", 6): "an empty <li> removed",
    ("meetic", 17): "two FAQ link targets changed, their words did not",
    ("meetic", 18): "a FAQ link target changed, its words did not",
    ("tinder", 11): "<code> tags around an address removed",
    ("tinder", 19): "the word 'here' became a link",
}
# Labelled `same`, but the policy's words did change (the oldest page of the sequence was read
# by Open Terms Archive with other selectors at the time): a snapshot is right.
REAL_TEXT_CHANGE = {
    ("match", 0): "'At Match Group' became 'At MATCH', the commitments were rewritten",
    ("meetic", 1): "'NOS ENGAGEMENTS' became 'NOTRE ENGAGEMENT ENVERS VOUS', paragraphs rewritten",
}


@pytest.mark.parametrize("with_selectors", [True, False], ids=["selectors", "no-selectors"])
@pytest.mark.parametrize("service", services())
def test_a_snapshot_exactly_where_the_text_changed(service: str, with_selectors: bool) -> None:
    pairs = evaluate(service, with_selectors)
    assert pairs, "the sequence has labelled pairs"
    misses = {(p.service, p.index) for p in pairs if p.new_snapshot != (p.label == "changed")}
    expected = {k for k in MARKUP_ONLY | REAL_TEXT_CHANGE if k[0] == service}
    assert misses == expected
    # The pages a sequence refuses are never ones where the policy changed.
    assert not [p for p in pairs if p.error and p.label == "changed"]
