"""Issue 12: one canonical text for every source, and what the differ makes of it.

Markdown is read like HTML (links, entities, emphasis, nesting dealt with once), plain text is
words, formatting (markers, enumerators, reference numbers, case and punctuation, layout) is no
change of words, and a flagged sentence that only moved is no news.

Real text comes from tests/fixtures (Open Terms Archive contributors, ODC-BY 1.0). Where a
construct does not occur there, the input is hand-written, as small as it can be, and says so;
several hand-written re-layouts reuse real sentences from /work/shared/fixtures/history (which
the tests do not read at run time), and name the version they come from.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from policywatch.canonical import escape_start, from_markdown, from_plain, normalise_inline
from policywatch.diff import Comparison, Side, compare_texts
from policywatch.extract import extract
from policywatch.segment import HEADING, ITEM, PARAGRAPH, ROW, key_of, segment, wording

FIXTURES = Path(__file__).parent / "fixtures"
PAIRS = FIXTURES / "pairs"
CASE = FIXTURES / "cases" / "tiktok-us-faceprints"


def pair(name: str, side: str) -> str:
    return (PAIRS / name / f"{side}.md").read_text(encoding="utf-8")


def line_of(name: str, side: str, number: int) -> str:
    """One line (1-based) of a fixture pair's markdown."""
    return pair(name, side).splitlines()[number - 1]


def clauses(canonical: str) -> list[tuple[str, str]]:
    return [(c.kind, c.text) for c in segment(canonical)]


def md_clauses(markdown: str) -> list[tuple[str, str]]:
    return clauses(from_markdown(markdown))


def compare_md(old: str, new: str) -> Comparison:
    return compare_texts(Side.of_markdown("old", old), Side.of_markdown("new", new))


def kinds(comparison: Comparison) -> list[str]:
    return [c.kind for c in comparison.changes]


# ---------------------------------------------------------------------------------------------
# 1. Markdown is canonicalised like HTML


def test_inline_link_targets_go_and_a_mailto_hidden_behind_words_keeps_its_address() -> None:
    # Real: WordPress.com / Automattic, the contact paragraph.
    line = line_of("10-89a090aa", "new", 277)
    assert "](https://automattic.com/privacy/#your-rights)" in line
    assert "[email](mailto:privacypolicyupdates@automattic.com)" in line
    assert from_markdown(line) == (
        "If you have a question about this Privacy Policy, or you would like to contact us about"
        " any of the rights mentioned in the Your Rights section above, please contact us through"
        " our web form or via email (privacypolicyupdates@automattic.com). These are the fastest"
        " ways to get a response to your inquiry, but you can also contact us by telephone at"
        " 1-877-273-3049.\n"
    )


def test_a_mailto_whose_words_show_the_address_is_not_repeated() -> None:
    # Real: Hugging Face, "[privacy@huggingface.co](mailto:privacy@huggingface.co)".
    line = line_of("04-1b88628a", "new", 63)
    assert "(mailto:privacy@huggingface.co)" in line
    text = from_markdown(line)
    assert "please send an email to privacy@huggingface.co. Please note" in text
    assert text.count("privacy@huggingface.co") == 1


def test_reference_links_lose_their_targets_and_definitions() -> None:
    # Hand-written: no fixture uses reference-style links ("[words][label]" + "[label]: url").
    markdown = (
        "We share data with [our partners][p] and [you][].\n\n"
        "[p]: https://example.com/partners?utm_source=x\n"
        "[you]: mailto:privacy@example.com\n"
    )
    assert from_markdown(markdown) == (
        "We share data with our partners and you (privacy@example.com).\n"
    )


def test_html_entities_are_decoded() -> None:
    # Hand-written: the markdown fixtures carry no entities (only the HTML snapshots do).
    assert from_markdown("Google&nbsp;Analytics &amp; Firebase &copy; 2024\n") == (
        "Google Analytics & Firebase © 2024\n"
    )


def test_empty_emphasis_in_a_real_table_is_gone() -> None:
    # Real: Bolt's table cell "| ****Law Enforcement**** | We may disclose ... |".
    markdown = pair("03-21b61f6d", "old")
    assert "| ****Law Enforcement**** |" in markdown
    rows = [c for c in segment(from_markdown(markdown)) if c.kind == ROW]
    law = [c.text for c in rows if "court order" in c.text]
    assert len(law) == 1
    assert law[0].startswith("Law Enforcement | We may disclose information under a court order")
    assert "*" not in law[0]


def test_empty_emphasis_between_words_is_gone() -> None:
    # Hand-written: the smallest case of "****" standing alone.
    assert from_markdown("We **** share.\n") == "We share.\n"


def test_empty_emphasis_glued_to_words_is_gone() -> None:
    # Real: WordPress.com, "*   **Financial Account Info****:** If you use WooPayments, ...":
    # HTML "<strong>Financial Account Info</strong><strong>:</strong>" saved as markdown.
    line = line_of("10-89a090aa", "new", 74)
    assert line.startswith("*   **Financial Account Info****:** If you use WooPayments")
    assert from_markdown(line).startswith("- Financial Account Info: If you use WooPayments,")
    # Hand-written: an empty pair of strong markers glued to the next word.
    assert from_markdown("****Empty strong.\n") == "Empty strong.\n"


def test_an_escaped_annotation_link_reads_as_its_brackets_without_its_number_in_the_key() -> None:
    # Hand-written: Open Terms Archive annotation links ("\[term\[37\]\](#annotation-35)") do not
    # occur in the fixtures.
    text = from_markdown("Your \\[personal data\\[37\\]\\](#annotation-35) is protected.\n")
    assert text == "Your [personal data[37]] is protected.\n"
    (clause,) = segment(text)
    assert clause.text == "Your [personal data[37]] is protected."
    assert clause.key == "Your [personal data] is protected."
    assert "37" not in clause.key
    renumbered = "Your \\[personal data\\[38\\]\\](#annotation-36) is protected.\n"
    comparison = compare_md(
        "Your \\[personal data\\[37\\]\\](#annotation-35) is protected.\n", renumbered
    )
    assert comparison.old.text != comparison.new.text
    assert kinds(comparison) == []


def test_a_heading_inside_a_list_item_is_a_heading() -> None:
    # Hand-written: no fixture indents a heading inside a list item.
    markdown = "- Item one\n\n  #### Heading inside\n\n  Text under it.\n"
    found = segment(from_markdown(markdown))
    assert [(c.kind, c.text) for c in found] == [
        (ITEM, "Item one"),
        (HEADING, "Heading inside"),
        (PARAGRAPH, "Text under it."),
    ]
    assert found[1].level == 4
    assert found[2].section == ("Heading inside",)
    # The same in the "*   " style Open Terms Archive writes, heading first in the item.
    assert md_clauses("*   #### Heading inside\n    \n    Text of the item.\n*   Next item\n") == [
        (HEADING, "Heading inside"),
        (ITEM, "Text of the item."),
        (ITEM, "Next item"),
    ]
    assert all("#" not in text for _, text in md_clauses(markdown))


def test_closing_hashes_of_a_heading_are_not_words() -> None:
    # Hand-written: no fixture closes an ATX heading.
    assert from_markdown("## Your rights ##\n") == "## Your rights\n"
    assert from_markdown("#### C# and F# ####\n") == "#### C# and F#\n"
    assert md_clauses("## Your rights ##\n") == md_clauses("## Your rights\n")


def test_a_sibling_item_right_after_a_paragraph_inside_a_list_is_its_own_item() -> None:
    # Hand-written: a loose item whose second paragraph is followed at once by the next item.
    markdown = "- First item\n\n  A paragraph in it.\n- Second item\n"
    assert from_markdown(markdown) == "- First item\n\n  A paragraph in it.\n\n- Second item\n"
    assert md_clauses(markdown) == [
        (ITEM, "First item"),
        (PARAGRAPH, "A paragraph in it."),
        (ITEM, "Second item"),
    ]


def test_setext_headings_of_a_real_policy_are_headings() -> None:
    # Real: Base's policy uses "Title\n=====" headings throughout.
    markdown = pair("00-ae64e419", "old")
    assert markdown.startswith("Base Global Privacy Policy\n==========================\n")
    found = segment(from_markdown(markdown))
    assert (found[0].kind, found[0].text, found[0].level) == (
        HEADING,
        "Base Global Privacy Policy",
        1,
    )
    collect = next(c for c in found if "WHAT INFORMATION WE COLLECT" in c.text)
    assert (collect.kind, collect.text, collect.key) == (
        HEADING,
        "1. WHAT INFORMATION WE COLLECT",
        "WHAT INFORMATION WE COLLECT",
    )


def test_setext_and_atx_headings_give_the_same_clauses() -> None:
    # Hand-written: both heading styles in their smallest form.
    setext = "Your rights\n===========\n\nAccess\n------\n\nYou may ask for a copy.\n"
    atx = "# Your rights\n\n## Access\n\nYou may ask for a copy.\n"
    assert (
        from_markdown(setext)
        == from_markdown(atx)
        == ("# Your rights\n\n## Access\n\nYou may ask for a copy.\n")
    )
    assert segment(from_markdown(setext)) == segment(from_markdown(atx))


def test_a_paragraph_become_a_setext_heading_is_no_change() -> None:
    # Real: Grammarly underlined "Your European Privacy Rights" with dashes.
    old, new = pair("16-75b7633a", "old"), pair("16-75b7633a", "new")
    assert "\nYour European Privacy Rights\n----------------------------\n" in new
    assert "\nYour European Privacy Rights\n----------------------------\n" not in old
    new_clause = next(
        c for c in segment(from_markdown(new)) if c.text == "Your European Privacy Rights"
    )
    assert new_clause.kind == HEADING
    comparison = compare_md(old, new)
    assert kinds(comparison) == []
    assert comparison.formatting_only


def test_star_dash_and_plus_bullets_are_the_same_list() -> None:
    # Hand-written: "+" bullets occur in no fixture.
    star = "* Your name\n* Your email address\n"
    dash = "- Your name\n- Your email address\n"
    plus = "+ Your name\n+ Your email address\n"
    assert (
        from_markdown(star)
        == from_markdown(dash)
        == from_markdown(plus)
        == ("- Your name\n\n- Your email address\n")
    )


def test_inline_br_is_a_line_break_inside_the_block() -> None:
    # Hand-written: the fixtures' <br> stand in table cells only.
    assert from_markdown("Line one<br>Line two<br/>Line three\n") == (
        "Line one\nLine two\nLine three\n"
    )
    assert md_clauses("Line one<br>Line two\n") == [(PARAGRAPH, "Line one Line two")]
    # Inside an item the next line is indented like the item, and a marker-like line is words.
    assert from_markdown("- Item<br>- not an item<br># not a heading\n") == (
        "- Item\n  \\- not an item\n  \\# not a heading\n"
    )
    assert md_clauses("- Item<br>- not an item<br># not a heading\n") == [
        (ITEM, "Item - not an item # not a heading")
    ]


def test_br_in_a_real_table_cell_keeps_the_row_one_clause() -> None:
    # Real: WordPress.com, an address over <br>s in a table cell.
    markdown = pair("10-89a090aa", "new")
    rows = [c.text for c in segment(from_markdown(markdown)) if c.kind == ROW]
    address = [r for r in rows if "WooCommerce Ireland Ltd. Grand Canal" in r]
    assert len(address) == 1
    assert address[0].startswith(
        "If you reside in the Designated Countries: | WooCommerce Ireland Ltd. Grand Canal Dock,"
        " 25 Herbert Pl Dublin, D02 AY86 Ireland Automattic Inc. and WooCommerce, Inc. are"
    )


def test_an_html_block_inside_markdown_goes_through_the_html_renderer() -> None:
    # Hand-written: no fixture embeds an HTML block.
    markdown = (
        "Before.\n\n"
        '<div class="notice"><script>window.__init = {"token": "abc"};</script>'
        "<p>We use <b>cookies</b>&nbsp;to <a href='https://example.com/x'>remember you</a>.</p>"
        "<ul><li>Strictly necessary</li><li>Analytics</li></ul></div>\n\n"
        "After.\n"
    )
    assert from_markdown(markdown) == (
        "Before.\n\nWe use cookies to remember you.\n\n- Strictly necessary\n\n- Analytics\n\n"
        "After.\n"
    )


# ---------------------------------------------------------------------------------------------
# 2. The same policy as HTML and as markdown

HTML_POLICY = """<!doctype html><html><head><title>Privacy</title></head><body><main>
<h1>Privacy Policy</h1>
<p>Last updated: <em>June 2, 2021</em></p>
<h2>What Information We Collect</h2>
<p>We collect information <strong>you provide</strong> and information from
<a href="https://example.com/partners?utm_source=x">our partners</a>.</p>
<ul>
<li>Profile information, such as your <a href="mailto:privacy@tiktok.com">email address</a>.
<ul><li>Your name and age.</li><li>Your phone number &amp; password.</li></ul>
</li>
<li>User content, such as <em>videos</em> you upload.</li>
</ul>
<ol><li>First, we ask.</li><li>Then, we store.</li></ol>
<h3>Image and Audio Information</h3>
<table><thead><tr><th>Category</th><th>Examples</th></tr></thead>
<tbody><tr><td>Biometric</td><td>Faceprints and <b>voiceprints</b></td></tr>
<tr><td><a href="/x">Location</a></td><td>Approximate location</td></tr></tbody></table>
<p>Contact us at <a href="mailto:privacy@tiktok.com">privacy@tiktok.com</a>.</p>
</main></body></html>"""

MARKDOWN_POLICY = """Privacy Policy
==============

Last updated: *June 2, 2021*

## What Information We Collect

We collect information **you provide** and information from
[our partners](https://example.com/partners?utm_source=x).

*   Profile information, such as your [email address](mailto:privacy@tiktok.com).
    - Your name and age.
    - Your phone number &amp; password.
*   User content, such as _videos_ you upload.

1. First, we ask.
2. Then, we store.

### Image and Audio Information ###

| Category | Examples |
| --- | --- |
| Biometric | Faceprints and __voiceprints__ |
| [Location](/x) | Approximate location |

Contact us at [privacy@tiktok.com](mailto:privacy@tiktok.com).
"""


def test_the_same_policy_as_html_and_as_markdown_is_the_same_canonical_text() -> None:
    # Hand-written twins: headings (setext, closed ATX), nested lists, a table, links, emphasis.
    html = extract(HTML_POLICY.encode(), filename="a.html")
    markdown = extract(MARKDOWN_POLICY.encode(), filename="a.md")
    assert (html.kind, markdown.kind) == ("html", "markdown")
    assert (
        html.text
        == markdown.text
        == (
            "# Privacy Policy\n\n"
            "Last updated: June 2, 2021\n\n"
            "## What Information We Collect\n\n"
            "We collect information you provide and information from our partners.\n\n"
            "- Profile information, such as your email address (privacy@tiktok.com).\n\n"
            "  - Your name and age.\n\n"
            "  - Your phone number & password.\n\n"
            "- User content, such as videos you upload.\n\n"
            "1. First, we ask.\n\n"
            "2. Then, we store.\n\n"
            "### Image and Audio Information\n\n"
            "| Category | Examples |\n\n"
            "| Biometric | Faceprints and voiceprints |\n\n"
            "| Location | Approximate location |\n\n"
            "Contact us at privacy@tiktok.com.\n"
        )
    )
    assert segment(html.text) == segment(markdown.text)


@pytest.mark.parametrize(
    ("html", "markdown"),
    [
        (
            "<ul><li><p>First.</p><p>Second.</p></li><li>Next.</li></ul>",
            "- First.\n\n  Second.\n- Next.\n",
        ),
        ("<p>Line one<br>Line two</p>", "Line one  \nLine two\n"),
        ("<blockquote><p>Quoted.</p></blockquote>", "> Quoted.\n"),
        ("<p>Text <img alt='logo' src='x.png'> more.</p>", "Text ![logo](x.png) more.\n"),
        ("<p>Use <code>opt-out</code> now.</p>", "Use `opt-out` now.\n"),
        ("<ul><li><h4>Heading</h4><p>Body.</p></li></ul>", "- #### Heading\n\n  Body.\n"),
        ("<p>1. Not a list</p>", "1\\. Not a list\n"),
        ("<p># Not a heading</p>", "\\# Not a heading\n"),
        ("<ul><li>a<ul><li>b<ol><li>c</li></ol></li></ul></li></ul>", "- a\n  - b\n    1. c\n"),
        (
            "<p>See <a href='#annotation-35'>[term[37]]</a>.</p>",
            "See \\[term\\[37\\]\\](#annotation-35).\n",
        ),
        ("<p>Our <del>old</del> policy.</p>", "Our ~~old~~ policy.\n"),
        ("<h2>Rights</h2>", "Rights\n------\n"),
        ("<p>A&nbsp;B</p>", "A&nbsp;B\n"),
    ],
)
def test_small_html_and_markdown_twins_agree(html: str, markdown: str) -> None:
    # Hand-written: one construct each.
    page = extract(f"<html><body>{html}</body></html>".encode(), filename="a.html").text
    assert page == extract(markdown.encode(), filename="a.md").text


def test_an_ordered_list_starting_later_gives_the_same_clauses_in_html_and_markdown() -> None:
    # Hand-written. The HTML renderer numbers from 1 whatever `start` says, markdown keeps 3:
    # the texts differ, the clauses (which drop list numbers) do not.
    page = extract(b"<html><body><ol start='3'><li>Three.</li><li>Four.</li></ol></body></html>")
    assert segment(page.text) == segment(extract(b"3. Three.\n4. Four.\n", filename="a.md").text)


def test_split_strong_markers_read_as_in_html() -> None:
    # Hand-written twin of the real "**Financial Account Info****:**" (pair 10, line 74).
    html = b"<html><body><p><strong>Term</strong><strong>:</strong> text.</p></body></html>"
    assert extract(b"**Term****:** text.\n", filename="a.md").text == (
        extract(html, filename="a.html").text
    )


# ---------------------------------------------------------------------------------------------
# 3. Plain text is words

PLAIN = """window.__init = {"a": 1}

See [a](b) and **x** here.

# not a heading

## Contact

<b>x</b> stays

#

- first bullet
\u2022 second bullet
1. numbered line
12) twelfth line
"""


def test_plain_text_is_words_and_its_bullet_lines_are_items() -> None:
    # Hand-written: the plain-text constructs of the issue, each once.
    canonical = from_plain(PLAIN)
    assert canonical == (
        'window.__init = {"a": 1}\n\n'
        "See [a](b) and **x** here.\n\n"
        "\\# not a heading\n\n"
        "\\## Contact\n\n"
        "<b>x</b> stays\n\n"
        "\\#\n\n"
        "- first bullet\n\n"
        "- second bullet\n\n"
        "1. numbered line\n\n"
        "12. twelfth line\n"
    )
    assert clauses(canonical) == [
        (PARAGRAPH, 'window.__init = {"a": 1}'),
        (PARAGRAPH, "See [a](b) and **x** here."),
        (PARAGRAPH, "# not a heading"),
        (PARAGRAPH, "## Contact"),
        (PARAGRAPH, "<b>x</b> stays"),
        (PARAGRAPH, "#"),
        (ITEM, "first bullet"),
        (ITEM, "second bullet"),
        (ITEM, "numbered line"),
        (ITEM, "twelfth line"),
    ]
    assert extract(PLAIN.encode(), filename="x.txt").text == canonical
    assert extract(PLAIN.encode(), filename="x.txt").kind == "text"


def test_plain_text_lines_of_a_paragraph_that_look_like_markers_stay_words() -> None:
    # Hand-written: wrapped lines of one paragraph starting with a table bar, a quote, a dash.
    canonical = from_plain("We may share:\n| not a row |\n> not a quote\n-\n\\ a backslash\n")
    assert canonical == ("We may share:\n\\| not a row |\n\\> not a quote\n\\-\n\\\\ a backslash\n")
    assert clauses(canonical) == [
        (PARAGRAPH, "We may share: | not a row | > not a quote - \\ a backslash")
    ]


def test_markdown_in_a_txt_file_is_not_markup() -> None:
    # Hand-written: the same bytes as .md and as .txt.
    body = b"# Privacy\n\nWe **never** sell [data](https://x.example).\n"
    assert extract(body, filename="x.md").text == "# Privacy\n\nWe never sell data.\n"
    assert extract(body, filename="x.txt").text == (
        "\\# Privacy\n\nWe **never** sell [data](https://x.example).\n"
    )


# ---------------------------------------------------------------------------------------------
# 4. escape_start round trip

MARKERS = ["#", "## ", "###### ", "####### ", "- ", "-", "* ", "+ ", "\u2022 ", "1. ", "12) ",
           "1.", "| ", "|", "> ", "\\", "\\\\", "#x", "-x", " ", "(b) ", "[12] "]  # fmt: skip


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(
    st.one_of(
        st.text(),
        st.tuples(st.sampled_from(MARKERS), st.text()).map("".join),
    )
)
def test_an_escaped_line_of_words_is_one_paragraph_of_those_words(raw: str) -> None:
    line = " ".join(normalise_inline(raw).split())
    assume(line)
    found = segment(escape_start(line) + "\n")
    assert [(c.kind, c.text) for c in found] == [(PARAGRAPH, line)]


def test_escape_start_escapes_only_what_would_be_structure() -> None:
    assert escape_start("# not a heading") == "\\# not a heading"
    assert escape_start("- not an item") == "\\- not an item"
    assert escape_start("1. not an item") == "\\1. not an item"
    assert escape_start("| not a row") == "\\| not a row"
    assert escape_start("\\ backslash") == "\\\\ backslash"
    assert escape_start("#hashtag") == "#hashtag"
    assert escape_start("Words first") == "Words first"


# ---------------------------------------------------------------------------------------------
# 5. Reference markers and enumerators are not words; numbers in sentences are


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("We share data with advertisers.[12]", "We share data with advertisers.[13]"),
        ("We share data with advertisers.[^3]", "We share data with advertisers.[^4]"),
        ("We share data with advertisers\u00b9.", "We share data with advertisers\u00b2."),
        (
            "We share data with advertisers\u00b9\u00b2.",
            "We share data with advertisers\u00b9\u00b3.",
        ),
        ("3. How We Share Your Information", "4. How We Share Your Information"),
        ("2.1. How We Share Your Information", "2.2. How We Share Your Information"),
        ("(b) How We Share Your Information", "(c) How We Share Your Information"),
        ("iv. How We Share Your Information", "v. How We Share Your Information"),
        ("\u2022 2. How We Share Your Information", "\u2022 3. How We Share Your Information"),
    ],
)
def test_markers_and_enumerators_are_not_in_the_key(old: str, new: str) -> None:
    assert key_of(old) == key_of(new)
    assert not any(ch.isdigit() for ch in key_of(old))
    assert key_of(old) in ("We share data with advertisers.", "How We Share Your Information")


def test_a_real_decimal_enumerator_without_a_final_dot_is_not_in_the_key() -> None:
    # Real: pair 08 numbers its sub-headings "#### 1.1 Data collection and use".
    assert "#### 1.1 Data collection and use" in pair("08-e449ac2b", "new")
    assert key_of("1.1 Data collection and use") == "Data collection and use"
    # Hand-written: the renumbering an inserted sub-section makes.
    comparison = compare_md(
        "## 1. Data\n\n#### 1.1 Data collection and use\n\nWe collect data.\n",
        "## 1. Data\n\n#### 1.2 Data collection and use\n\nWe collect data.\n",
    )
    assert kinds(comparison) == []


# Hand-written, around one real sentence of TikTok's U.S. policy: each marker and enumerator
# renumbered, as when a section or a footnote is inserted before them.
NUMBERED_OLD = """## 3. How We Share Your Information

We may share the Information We Collect with service providers.[12]

(b) We retain your information for as long as necessary.[^3]

iv. You may request deletion of your data\u00b9.

\u2022 2. Contact us at privacy@tiktok.com.

1. Access
2. Deletion
"""
NUMBERED_NEW = """## 4. How We Share Your Information

We may share the Information We Collect with service providers.[13]

(c) We retain your information for as long as necessary.[^4]

v. You may request deletion of your data\u00b2.

\u2022 3. Contact us at privacy@tiktok.com.

3. Access
4. Deletion
"""


def test_renumbering_gives_no_change() -> None:
    comparison = compare_md(NUMBERED_OLD, NUMBERED_NEW)
    assert comparison.old.text != comparison.new.text
    assert kinds(comparison) == []
    assert comparison.formatting_only
    assert wording(comparison.old.text) == wording(comparison.new.text)


def test_a_number_inside_a_sentence_is_a_change_of_words() -> None:
    # Hand-written: a retention period doubled.
    comparison = compare_md(
        "## Retention\n\nWe keep your messages for 12 months after you delete them.\n",
        "## Retention\n\nWe keep your messages for 24 months after you delete them.\n",
    )
    (change,) = comparison.changes
    assert (change.kind, change.minor, change.reworded) == ("modified", False, True)
    assert [(e.op, e.text) for e in change.edits or () if e.op != "="] == [("-", "12"), ("+", "24")]
    assert not comparison.formatting_only


def test_a_real_changed_number_is_not_minor() -> None:
    # Real: Pinterest's help page, "Updated over a week ago" -> "Updated over 7 months ago".
    comparison = compare_md(pair("02-791e9856", "old"), pair("02-791e9856", "new"))
    (change,) = comparison.changes
    assert (change.kind, change.minor, change.reworded) == ("modified", False, True)
    assert (change.old_text, change.new_text) == (
        "Updated over a week ago",
        "Updated over 7 months ago",
    )


# ---------------------------------------------------------------------------------------------
# 6. Minor edits


def test_real_case_and_punctuation_edits_are_minor_and_formatting_only() -> None:
    # Real: WordPress.com, "Inc" -> "Inc." twice, and "Woocommerce.com" -> "WooCommerce.com".
    comparison = compare_md(pair("10-89a090aa", "old"), pair("10-89a090aa", "new"))
    assert kinds(comparison) == ["modified", "modified"]
    punctuation, case = comparison.changes
    assert [(e.op, e.text) for e in punctuation.edits or () if e.op != "="] == [
        ("+", "."),
        ("+", "."),
    ]
    assert [(e.op, e.text) for e in case.edits or () if e.op != "="] == [
        ("-", "Woocommerce"),
        ("+", "WooCommerce"),
    ]
    for change in comparison.changes:
        assert change.minor
        assert not change.reworded
        assert change.flags == ()
    assert comparison.reworded == []
    assert comparison.formatting_only
    assert comparison.summary()["minor"] == 2


def test_hand_written_case_and_punctuation_edits_are_minor() -> None:
    # Hand-written: a flag-bearing sentence whose case, then punctuation, changes.
    old = "## Biometrics\n\nWe may collect faceprints and voiceprints from your videos.\n"
    for new in (
        "## Biometrics\n\nWe may collect Faceprints and Voiceprints from your videos.\n",
        "## Biometrics\n\nWe may collect faceprints, and voiceprints, from your videos!\n",
    ):
        comparison = compare_md(old, new)
        (change,) = comparison.changes
        assert (change.kind, change.minor, change.reworded, change.flags) == (
            "modified",
            True,
            False,
            (),
        )
        assert comparison.formatting_only


def test_a_real_word_edit_is_not_minor() -> None:
    # Real: Base, "decentralised" -> "decentralized".
    comparison = compare_md(pair("00-ae64e419", "old"), pair("00-ae64e419", "new"))
    (change,) = comparison.changes
    assert (change.kind, change.minor, change.reworded) == ("modified", False, True)
    assert [(e.op, e.text) for e in change.edits or () if e.op != "="] == [
        ("-", "decentralised"),
        ("+", "decentralized"),
    ]
    assert not comparison.formatting_only


# ---------------------------------------------------------------------------------------------
# 7. Re-layout: the same sentences regrouped


def assert_regrouped(comparison: Comparison, expected: list[str]) -> None:
    """Only regroupings: the given kinds, no word changed, no flag, nothing added or removed."""
    assert kinds(comparison) == expected
    for change in comparison.changes:
        assert not change.reworded
        assert change.flags == ()
    assert comparison.reworded == []
    assert comparison.flags == []
    assert comparison.formatting_only
    report = comparison.to_json()
    assert report["formatting_only"] is True
    assert report["summary"]["added"] == report["summary"]["removed"] == 0
    for change, entry in zip(comparison.changes, report["changes"], strict=True):
        assert entry["kind"] == change.kind
        assert entry["old_text"] == "\n".join(c.text for c in change.old)
        assert entry["new_text"] == "\n".join(c.text for c in change.new)
        assert entry["reworded"] is False
        assert entry["flags"] == []


def test_real_heading_and_paragraph_merged_into_one_paragraph() -> None:
    # Real: Mozilla turned each "#### More details, ..." heading and its paragraph into one
    # paragraph led by "_More details, ...:_".
    comparison = compare_md(pair("01-637c7989", "old"), pair("01-637c7989", "new"))
    change = next(
        c
        for c in comparison.changes
        if (c.new_text or "").startswith(
            "More details, including how to adjust your data settings: Data processed on your"
        )
    )
    assert change.kind == "merged"
    assert [c.kind for c in change.old] == [HEADING, PARAGRAPH]
    assert change.old_text is not None
    assert change.old_text.startswith(
        "More details, including how to adjust your data settings\nData processed on your device"
        " remains in your control."
    )
    assert (change.reworded, change.flags) == (False, ())
    entry = next(e for e in comparison.to_json()["changes"] if e["new_text"] == change.new_text)
    assert (entry["kind"], entry["old_text"], entry["reworded"]) == (
        "merged",
        change.old_text,
        False,
    )


def test_real_headings_demoted_to_paragraphs_are_formatting_only() -> None:
    # Real: Bolt's "### 1\. About this Privacy Notice" headings became paragraphs (and its table
    # of contents gained blank lines).
    old, new = pair("03-21b61f6d", "old"), pair("03-21b61f6d", "new")
    assert "### 1\\. About this Privacy Notice" in old
    assert "\n1\\. About this Privacy Notice\n" in new
    comparison = compare_md(old, new)
    assert comparison.old.text != comparison.new.text
    assert kinds(comparison) == []
    assert comparison.formatting_only


# Hand-written from real sentences: GitHub's private-repository list, 2022-05-18 -> 2022-06-01,
# three items regrouped into two.
GITHUB_HEAD = (
    "## Private repositories\n\n"
    "GitHub personnel do not access private repository content except\n\n"
    "- to assist the repository owner with a support matter\n"
    "- to maintain the integrity of the Service\n"
)
GITHUB_TAIL = (
    "\n\nGithub will provide notice regarding private repository access where not prohibited by"
    " law or if in response to a security threat or other risk to security.\n"
)


def test_items_regrouped_three_into_two_are_one_reformatted_change() -> None:
    comparison = compare_md(
        GITHUB_HEAD + "- to comply with our legal obligations\n"
        "- if we have reason to believe the contents are in violation of the law, or\n"
        "- with your consent." + GITHUB_TAIL,
        GITHUB_HEAD + "- to comply with our legal obligations if we have reason to believe the"
        " contents are in violation of the law,\n"
        "- or with your consent." + GITHUB_TAIL,
    )
    assert_regrouped(comparison, ["reformatted"])
    (entry,) = comparison.to_json()["changes"]
    assert entry["old_text"] == (
        "to comply with our legal obligations\n"
        "if we have reason to believe the contents are in violation of the law, or\n"
        "with your consent."
    )
    assert entry["new_text"] == (
        "to comply with our legal obligations if we have reason to believe the contents are in"
        " violation of the law,\nor with your consent."
    )


def test_a_paragraph_of_bullet_lines_become_a_list_is_one_split() -> None:
    # Hand-written from real sentences: Starbucks' privacy-rights metrics, 2025-05-21 ->
    # 2025-10-03, "**•**" lines joined by hard breaks become a list.
    head = "## Privacy Rights Metrics\n\n"
    tail = "\n\n## Notice of Financial Incentive\n\nStarbucks Rewards is a loyalty program.\n"
    comparison = compare_md(
        head + "Right to Delete  \n**•**  Requests Received – 3,513  \n"
        "**•**  Requests Completed – 1,948  \n**•**  Average completion time – 11 days" + tail,
        head + "Right to Delete\n\n*   Requests Received – 3,513\n*   Requests Completed – 1,948\n"
        "*   Average completion time – 11 days" + tail,
    )
    assert_regrouped(comparison, ["split"])
    (change,) = comparison.changes
    assert [c.kind for c in change.new] == [PARAGRAPH, ITEM, ITEM, ITEM]
    assert change.new_text == (
        "Right to Delete\nRequests Received – 3,513\nRequests Completed – 1,948\n"
        "Average completion time – 11 days"
    )


def test_a_paragraph_turned_into_bullets_is_one_split() -> None:
    # Hand-written from real sentences: Parler, 2025-03-11 -> 2025-03-27; the old lines were
    # indented with no-break spaces, so markdown read them as one paragraph.
    nbsp = "\u00a0 \u00a0 "
    intro = (
        "## Non-Discrimination\n\nWe will not discriminate against you for exercising any of your"
        " data privacy rights. Unless permitted by state legislation, we will not:\n\n"
    )
    items = [
        "Deny you goods or services.",
        "Provide you a different level or quality of goods or services.",
        "Suggest that you may receive a different price or rate for goods or services or a"
        " different level or quality of goods or services.",
    ]
    tail = "\n\n## Contact\n\nWrite to us.\n"
    comparison = compare_md(
        intro + "\n".join(f"{nbsp}* {i}" for i in items) + tail,
        intro + "\n".join(f"* {i}" for i in items) + tail,
    )
    assert_regrouped(comparison, ["split"])
    (change,) = comparison.changes
    assert [c.kind for c in change.old] == [PARAGRAPH]
    assert [c.kind for c in change.new] == [ITEM, ITEM, ITEM]
    assert change.new_text == "\n".join(items)


def test_two_paragraphs_merged_are_one_merged_change() -> None:
    # Hand-written from real sentences: TikTok EEA, 2025-07-31 -> 2025-10-23.
    first = (
        'This privacy policy ("**Privacy Policy**") applies to the personal information that TikTok'
        " processes in connection with TikTok apps, websites, software and related services (the"
        " “**Platform**”), that link to or reference this Privacy Policy."
    )
    second = (
        "**Data Controller**: If you live in the European Economic Area (“**EEA**”), the United"
        " Kingdom (“**UK**”), or Switzerland, TikTok Technology Limited, an Irish company (“**TikTok"
        " Ireland**”), and TikTok Information Technologies UK Limited (“**TikTok UK**”), a UK"
        ' company, ("**TikTok**," "**our**," "**we**," or "**us**") are the joint controllers of'
        " your information processed in connection with this Privacy Policy."
    )
    head = "# Privacy Policy\n\n"
    tail = "\n\n**What Information We Collect**\n"
    comparison = compare_md(
        head + first + "\n\n" + second + tail, head + first + " " + second + tail
    )
    assert_regrouped(comparison, ["merged"])
    (change,) = comparison.changes
    assert [c.kind for c in change.old] == [PARAGRAPH, PARAGRAPH]
    assert change.old_text is not None and change.old_text.count("\n") == 1


# Hand-written from real sentences: Grammarly's legal-basis table (pair 16), laid out as a list.
TABLE = """## Legal bases

We rely on the following legal bases.

| Purpose | Relevant Data | Legal Basis |
| --- | --- | --- |
| Managing events | Account information | We have a legitimate interest in organizing and managing events (Art. 6 (1)(f) GDPR/ UK GDPR) |
| Process payments | Payment information | It is necessary for us to process your personal data in order to perform our contract with you |

## Your European Privacy Rights

You have rights.
"""


def test_a_table_turned_into_a_list_of_rows_is_reformatted_row_by_row() -> None:
    header = "| Purpose | Relevant Data | Legal Basis |\n| --- | --- | --- |\n"
    as_list = TABLE
    for row, item in (
        (header, "- Purpose: Relevant Data; Legal Basis\n"),
        ("| Managing events | Account information | ", "- Managing events: Account information. "),
        (
            "| Process payments | Payment information | ",
            "- Process payments: Payment information. ",
        ),
        (" GDPR) |\n", " GDPR)\n"),
        (" with you |\n", " with you\n"),
    ):
        as_list = as_list.replace(row, item)
    comparison = compare_md(TABLE, as_list)
    assert_regrouped(comparison, ["reformatted", "reformatted", "reformatted"])
    assert [(c.old[0].kind, c.new[0].kind) for c in comparison.changes] == [(ROW, ITEM)] * 3
    assert comparison.changes[1].new_text == (
        "Managing events: Account information. We have a legitimate interest in organizing and"
        " managing events (Art. 6 (1)(f) GDPR/ UK GDPR)"
    )


def test_a_table_row_turned_into_a_paragraph_and_bullets_is_a_split() -> None:
    as_bullets = TABLE.replace(
        "| Purpose | Relevant Data | Legal Basis |\n| --- | --- | --- |\n"
        "| Managing events | Account information | We have a legitimate interest in organizing and"
        " managing events (Art. 6 (1)(f) GDPR/ UK GDPR) |\n"
        "| Process payments | Payment information | It is necessary for us to process your"
        " personal data in order to perform our contract with you |\n",
        "Purpose\n\n- Relevant Data\n- Legal Basis\n\n"
        "Managing events\n\n- Account information\n- We have a legitimate interest in organizing"
        " and managing events (Art. 6 (1)(f) GDPR/ UK GDPR)\n\n"
        "Process payments\n\n- Payment information\n- It is necessary for us to process your"
        " personal data in order to perform our contract with you\n",
    )
    assert as_bullets != TABLE
    comparison = compare_md(TABLE, as_bullets)
    assert_regrouped(comparison, ["split", "split", "split"])
    assert comparison.changes[0].new_text == "Purpose\nRelevant Data\nLegal Basis"


# ---------------------------------------------------------------------------------------------
# 8. Relocation: a flagged sentence that moved is no news; a new one carries its sentence


def tiktok(name: str) -> str:
    return extract((CASE / name).read_bytes(), filename=name).text


# Real: the faceprints sentence of TikTok's U.S. policy, and the paragraph that opens its
# "How We Share Your Information" section.
FACEPRINTS = (
    "We may collect biometric identifiers and biometric information as defined under U.S. laws,"
    " such as faceprints and voiceprints, from your User Content."
)
SHARE_END = (
    "we want you to understand when and with whom we may share the Information We Collect for"
    " business purposes."
)


def test_a_real_flagged_sentence_moved_to_another_section_gives_no_flag() -> None:
    # The real page, edited by hand: the sentence taken out of "Image and Audio Information" and
    # appended to a paragraph of another section.
    after = tiktok("after.html")
    assert after.count(FACEPRINTS) == 1 and after.count(SHARE_END) == 1
    moved = after.replace(" " + FACEPRINTS, "").replace(SHARE_END, SHARE_END + " " + FACEPRINTS)
    comparison = compare_texts(Side("after", after), Side("moved", moved))
    assert kinds(comparison) == ["modified", "modified"]
    receiving = comparison.changes[1]
    assert receiving.section == "How We Share Your Information"
    assert (receiving.new_text or "").endswith(SHARE_END + " " + FACEPRINTS)
    assert comparison.flags == []
    assert comparison.appeared == comparison.disappeared == []


def test_a_moved_sentence_gives_no_flag_and_a_new_one_carries_its_sentence() -> None:
    # Hand-written: the sentence of the issue, moved from one section into a paragraph of
    # another, then added anew.
    sentence = "We may collect faceprints and voiceprints from your videos."
    head = "# Privacy Policy\n\n## What We Collect\n\nWe collect what you give us."
    share = "\n\n## How We Share\n\nWe share data with service providers."
    end = "\n\n## Contact\n\nWrite to us.\n"
    old = head + " " + sentence + share + end
    moved = head + share + " " + sentence + end
    comparison = compare_md(old, moved)
    assert kinds(comparison) == ["modified", "modified"]
    assert comparison.flags == []

    added = compare_md(head + share + end, moved)
    (change,) = added.changes
    assert change.kind == "modified"
    assert change.new_text == "We share data with service providers. " + sentence
    (flag,) = change.flags
    assert (flag.category, flag.change) == ("biometric", "added")
    report = flag.to_json()
    sentence_json = report["sentence"]
    assert sentence_json["text"] == sentence
    start, end_ = sentence_json["start"], sentence_json["end"]
    assert change.new_text[start:end_] == sentence
    assert json.loads(json.dumps(added.to_json()))["changes"][0]["flags"][0]["sentence"] == {
        "text": sentence,
        "start": start,
        "end": end_,
    }


def test_a_real_new_flagged_sentence_is_quoted_whole() -> None:
    # The real page without the sentence, edited by hand: the sentence added to a paragraph of
    # another section.
    before = tiktok("before.html")
    assert FACEPRINTS not in before and before.count(SHARE_END) == 1
    added = before.replace(SHARE_END, SHARE_END + " " + FACEPRINTS)
    comparison = compare_texts(Side("before", before), Side("added", added))
    (change,) = comparison.changes
    (flag,) = change.flags
    assert (flag.category, flag.change) == ("biometric", "added")
    sentence = flag.to_json()["sentence"]
    assert sentence["text"] == FACEPRINTS
    assert (change.new_text or "")[sentence["start"] : sentence["end"]] == FACEPRINTS


def test_hyphenation_alone_is_a_minor_edit() -> None:
    # Real: Reddit wrote "nonpublic" and later "non-public" (2024-02-16).
    old = Side("old", "We may share nonpublic information with our partners.\n")
    new = Side("new", "We may share non-public information with our partners.\n")
    (change,) = compare_texts(old, new).changes
    assert change.minor and not change.reworded and not change.flags
    other = Side("new", "We may share public information with our partners.\n")
    (reworded,) = compare_texts(old, other).changes
    assert not reworded.minor and reworded.reworded
