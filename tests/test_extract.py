"""Extraction: real pages give the policy's text, one block a line, and nothing around it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policywatch.extract import ExtractionError, decode, extract, normalise_inline

FIXTURES = Path(__file__).parent / "fixtures"
CASE = FIXTURES / "cases" / "tiktok-us-faceprints"
WRAPPER_NOISE = [
    "We use cookies to improve your experience",
    "Manage cookies",
    "Accept all",
    "Holiday effects",
    "Creator Academy",
    "Page served by",
    "© 2024 TikTok",
    "window.__INIT__",
]


def text_of(name: str, **options: tuple[str, ...]) -> str:
    return extract((CASE / name).read_bytes(), content_type="text/html", **options).text


def test_the_tiktok_page_keeps_the_policy_and_drops_the_page_around_it() -> None:
    expect = json.loads((CASE / "expect.json").read_text())["before.html -> after.html"]
    text = text_of("after.html")
    for noise in expect["must_not_mention"]:
        assert noise not in text
    assert "faceprints and voiceprints" in text
    assert text.startswith("U.S.\n\nPrivacy Policy\n\nLast updated: Aug 19, 2024\n")
    for noise in WRAPPER_NOISE:
        assert noise not in text


def test_structure_is_kept_one_block_a_line() -> None:
    lines = text_of("after.html").split("\n\n")
    assert "## What Information We Collect" in lines
    assert "### Information You Provide" in lines
    assert any(line.startswith("- Account and profile information") for line in lines)
    # A link keeps its words and loses its target.
    assert "https://www.tiktok.com/legal/report/privacy" in text_of("after.html")
    assert "href" not in text_of("after.html")


def test_a_refetch_with_other_wrapper_noise_gives_the_same_text() -> None:
    assert text_of("after.html") == text_of("after-refetch.html")


def test_before_and_after_differ_by_the_paragraph_and_the_date_only() -> None:
    before = text_of("before.html").split("\n\n")
    after = text_of("after.html").split("\n\n")
    added = [b for b in after if b not in before]
    removed = [b for b in before if b not in after]
    assert len(added) == 2 and len(removed) == 1
    assert any("faceprints and voiceprints" in b for b in added)
    assert any(b.startswith("Last updated") for b in added)
    assert removed[0] == "Last updated: Jan 1, 2021"


def test_selectors_pick_and_remove() -> None:
    text = text_of("after.html", select=("article.legal-document",), remove=("ul",))
    assert "faceprints" not in text  # it sits in a list item, removed
    assert "What Information We Collect" in text


def test_a_selector_that_matches_nothing_is_an_error() -> None:
    with pytest.raises(ExtractionError, match=r"selector matched nothing: \.gone"):
        text_of("after.html", select=(".gone",))


def test_formatting_is_not_content() -> None:
    # Hand-written: the same paragraph in two markups (a re-wrapped line, emphasis, a
    # non-breaking space, a zero-width space, a soft hyphen, a tracking parameter).
    one = b"<main><h2>Data</h2><p>We collect your <b>precise</b> location.</p></main>"
    two = (
        "<main>\n<h2>\n  Data </h2>\n<p>We   collect\n your <em>pre\u00adcise</em>"
        "\u00a0loca\u200btion.</p></main>"
    ).encode()
    assert (
        extract(one).text == extract(two).text == "## Data\n\nWe collect your precise location.\n"
    )
    assert normalise_inline("see https://x.example/p?utm_source=mail&id=3") == (
        "see https://x.example/p?id=3"
    )


def test_tables_lists_and_hidden_elements() -> None:
    # Hand-written: a small page exercising each block kind.
    page = b"""<html><body><main>
    <ol><li>First</li><li>Second<ul><li>Nested</li></ul></li></ol>
    <table><tr><th>Data</th><th>Purpose</th></tr><tr><td>Location</td><td>Ads</td></tr></table>
    <p style="display: none">Hidden text</p><p hidden>Also hidden</p>
    <p>Line one<br>Line two</p>
    <script>var x = "script text";</script><style>p{}</style>
    </main></body></html>"""
    text = extract(page).text
    assert text == (
        "1. First\n\n2. Second\n\n  - Nested\n\n| Data | Purpose |\n\n| Location | Ads |\n\n"
        "Line one\nLine two\n"
    )


def test_cloudflare_email_obfuscation_is_decoded_to_a_fixed_address() -> None:
    # Hand-written from Cloudflare's scheme: the first byte is the XOR key, fresh per fetch.
    def obfuscated(key: int) -> bytes:
        token = bytes([key, *(b ^ key for b in b"privacy@example.com")]).hex()
        return (
            f'<main><p>Write to <a href="/cdn-cgi/l/email-protection#{token}">'
            f'<span class="__cf_email__" data-cfemail="{token}">[email&#160;protected]</span>'
            "</a>.</p></main>"
        ).encode()

    first, second = extract(obfuscated(0x42)).text, extract(obfuscated(0x17)).text
    assert first == second == "Write to privacy@example.com.\n"


def test_a_mailto_target_that_the_words_do_not_show_is_kept() -> None:
    page = (
        b'<main><p>Online: <a href="mailto:privacy@match.co.uk?subject=x">our form</a></p></main>'
    )
    assert extract(page).text == "Online: our form (privacy@match.co.uk)\n"


def test_terminal_escapes_and_control_characters_never_reach_the_text() -> None:
    page = "<main><p>We \x1b[2J collect\x07 data \x9b31m</p></main>".encode()
    assert extract(page).text == "We [2J collect data 31m\n"


@pytest.mark.parametrize(
    ("body", "declared", "expected"),
    [
        ("“Platform” – é".encode(), "iso-8859-1", "“Platform” – é"),  # UTF-8 served as Latin-1
        ("café".encode("cp1252"), "windows-1252", "café"),
        (
            b'<meta charset="iso-8859-1"><p>caf\xe9</p>',
            None,
            '<meta charset="iso-8859-1"><p>café</p>',
        ),
        ("\ufeffbom".encode(), None, "bom"),
    ],
)
def test_charset(body: bytes, declared: str | None, expected: str) -> None:
    assert decode(body, declared) == expected


def test_a_pdf_gives_its_paragraphs() -> None:
    result = extract((FIXTURES / "pdf" / "fruitz-2023-07-25.pdf").read_bytes())
    assert result.kind == "pdf"
    paragraphs = result.text.split("\n\n")
    assert any(
        p.startswith("This Privacy Policy concerns the processing of personal data")
        for p in paragraphs
    )
    assert "Last update: 21 July 2023" in paragraphs
    assert len(paragraphs) > 50
    # Wrapped lines are joined: no paragraph breaks in the middle of a sentence.
    assert "while you are using the smartphone" in result.text


def test_two_pdf_versions_differ() -> None:
    old = extract((FIXTURES / "pdf" / "fruitz-2023-07-25.pdf").read_bytes()).text
    new = extract((FIXTURES / "pdf" / "fruitz-2024-02-26.pdf").read_bytes()).text
    assert old != new
    assert len(set(old.split("\n\n")) & set(new.split("\n\n"))) > 20


def test_a_broken_pdf_is_a_clear_error() -> None:
    with pytest.raises(ExtractionError, match="not a readable PDF"):
        extract(b"%PDF-1.7\n this is not really a pdf")
