"""Segmentation and alignment on real policies: formatting is no change, nothing is ever lost."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from edits import KINDS, blocks_of, make_case
from policywatch.align import align
from policywatch.canonical import from_markdown
from policywatch.change import MERGED, MODIFIED, MOVED, SPLIT
from policywatch.segment import HEADING, ITEM, PARAGRAPH, ROW, key_of, segment, words_of

PAIRS = sorted((Path(__file__).parent / "fixtures" / "pairs").glob("*"))
REAL = [p / "new.md" for p in PAIRS]
BLOCKS = {path.parent.name: blocks_of(path.read_text()) for path in REAL}
NAMES = sorted(name for name, blocks in BLOCKS.items() if len(blocks) >= 20)


def test_segment_kinds_sections_and_formatting() -> None:
    text = (
        "Privacy Policy\n==============\n\nWe *care*.\n\n## Data we\u00a0collect\n\n"
        "* **Location**, such as\n  your GPS position\n2. Contacts\n\n"
        "| Data | Purpose |\n|---|---|\n| Location | [Ads](https://x.example/?a=1) |\n\n"
        "A paragraph that was\nwrapped over lines.\n\n---\n\n### Deep\n\nText in Section\n"
        "2. Which is not a list item.\n"
    )
    clauses = segment(from_markdown(text))
    assert [(c.kind, c.text) for c in clauses] == [
        (HEADING, "Privacy Policy"),
        (PARAGRAPH, "We care."),
        (HEADING, "Data we collect"),
        (ITEM, "Location, such as your GPS position"),
        (ITEM, "Contacts"),
        (ROW, "Data | Purpose"),
        (ROW, "Location | Ads"),
        (PARAGRAPH, "A paragraph that was wrapped over lines."),
        (HEADING, "Deep"),
        (PARAGRAPH, "Text in Section 2. Which is not a list item."),
    ]
    assert clauses[3].section == ("Privacy Policy", "Data we collect")
    assert clauses[-1].section_path == "Privacy Policy > Data we collect > Deep"
    assert [c.position for c in clauses] == list(range(len(clauses)))


def lossless(old_text: str, new_text: str) -> list[str]:
    old, new = segment(from_markdown(old_text)), segment(from_markdown(new_text))
    alignment = align(old, new)
    old_seen = sorted(c.position for e in alignment.entries for c in e.old)
    new_seen = sorted(c.position for e in alignment.entries for c in e.new)
    assert old_seen == list(range(len(old)))
    assert new_seen == list(range(len(new)))
    for entry in alignment.entries:
        assert all(old[c.position] == c for c in entry.old)
        assert all(new[c.position] == c for c in entry.new)
    return [e.kind for e in alignment.changes]


def test_every_real_pair_aligns_losslessly() -> None:
    for pair in PAIRS:
        lossless((pair / "old.md").read_text(), (pair / "new.md").read_text())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(NAMES),
    kind=st.sampled_from(KINDS),
    seed=st.integers(min_value=0, max_value=10_000),
)
def test_generated_edits_align_losslessly_and_as_made(name: str, kind: str, seed: int) -> None:
    blocks = BLOCKS[name]
    donor = BLOCKS[NAMES[(NAMES.index(name) + 1) % len(NAMES)]]
    case = make_case(f"{name}/{kind}/{seed}", kind, blocks, donor, seed)
    kinds = lossless(case.old, case.new)
    if kind == "reflow":
        assert kinds == []  # formatting is not content
    elif kind in ("move", "move-section") and case.truth:
        # Moving section A past B reads as well as moving B before A: either may be reported.
        assert kinds and set(kinds) == {MOVED}
    elif case.truth:
        # A word edit that deletes only a clause's enumerator ("vi. Sensitive Personal" become
        # "Sensitive Personal") changes no word: numbering is formatting (segment.key_of).
        worded = [t for t in case.truth if t.kind != MODIFIED or _words(t.old) != _words(t.new)]
        assert len(kinds) >= len(worded)


def _words(texts: tuple[str, ...]) -> list[str]:
    return [w for text in texts for w in words_of(key_of(text))]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from(BLOCKS[NAMES[0]][:40]), max_size=30),
    st.lists(st.sampled_from(BLOCKS[NAMES[0]][:40]), max_size=30),
)
def test_any_two_clause_lists_align_losslessly(old: list, new: list) -> None:  # type: ignore[type-arg]
    from edits import render

    lossless(render(old), render(new))


def test_moves_splits_and_merges_are_named() -> None:
    first = "We collect your name and e-mail address when you create an account with us."
    second = "We use your address to send you receipts and, if you agree, our newsletter."
    third = "You can delete your account at any time from the settings page of the app."
    filler = [
        f"Clause number {n} says something different about cookies and logs." for n in range(8)
    ]
    old = "\n\n".join([first, second, *filler, third]) + "\n"
    moved = "\n\n".join([second, *filler, third, first]) + "\n"
    assert lossless(old, moved) == [MOVED]
    halves = first.replace(" when", ". When")
    split = "\n\n".join([*halves.split(". "), second, *filler, third]) + "\n"
    assert lossless(old, split) == [SPLIT]
    merged = "\n\n".join([first + " " + second, *filler, third]) + "\n"
    assert lossless(old, merged) == [MERGED]
    edited = old.replace("name and e-mail", "name, face geometry and e-mail")
    assert lossless(old, edited) == [MODIFIED]
