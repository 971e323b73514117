"""Generic extraction on pages without semantic markup: menus in plain <div>s are left out.

Grindr (Webflow) and HER (WordPress) put their menus, footers, app bars and language pickers in
plain <div>s; without selectors they used to be archived with the policy, so that a menu edit
made a new snapshot. Each test that shows a menu edit is now invisible also shows that it was
visible before (with the rule switched off), so that it can fail.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer

import policywatch.extract as extraction
from policywatch.body import drop_link_dense
from policywatch.cli import main
from policywatch.extract import ExtractionError, extract, parse_html

FIXTURES = Path(__file__).parent / "fixtures"
SNAPSHOTS = FIXTURES / "snapshots"
GRINDR = SNAPSHOTS / "grindr" / "015-2024-11-08T12-32-49Z.html"
HER = SNAPSHOTS / "her" / "039-2024-06-07T06-32-53Z.html"
ZOOSK = SNAPSHOTS / "zoosk" / "039-2024-11-17T12-33-59Z.html"


def text_of(page: bytes | str) -> str:
    body = page.encode() if isinstance(page, str) else page
    return extract(body, content_type="text/html").text


@pytest.fixture
def rule_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """Extraction as it was before body.py: no link-dense block is left out."""
    monkeypatch.setattr(extraction, "drop_link_dense", lambda roots: [])


def _tuple(value: str | list[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _selected_text(page: Path) -> str:
    manifest = json.loads((page.parent / "manifest.json").read_text())
    try:
        return extract(
            page.read_bytes(),
            content_type="text/html",
            select=_tuple(manifest["select"]),
            remove=_tuple(manifest["remove"]),
        ).text
    except ExtractionError:
        return ""  # a redesigned page the site selector no longer matches


def _lines(text: str) -> set[str]:
    return {line.strip() for line in text.splitlines() if line.strip()}


_MARKERS = re.compile(r"^[\s#>*\\-]*(\d+[.)]\s+)?")


def _bare_lines(text: str) -> list[str]:
    """The lines' words, without heading, list or escape marks (the renderer's business)."""
    return [_MARKERS.sub("", line).strip() for line in text.splitlines() if line.strip()]


def _sample() -> list[Path]:
    """First, middle and last page of every real sequence."""
    pages = []
    for folder in sorted(p for p in SNAPSHOTS.iterdir() if (p / "manifest.json").exists()):
        files = sorted(folder.glob("*.html"))
        pages += [files[0], files[len(files) // 2], files[-1]]
    return pages


# The one line of the selected text that generic extraction leaves out: a call-to-action button
# after the last paragraph of HER's policy (a link to the app store, not policy text).
CTA_AFTER_THE_POLICY = {"Join HER and find your person"}


@pytest.mark.parametrize("page", _sample(), ids=lambda p: f"{p.parent.name}-{p.name[:3]}")
def test_without_selectors_the_text_is_the_text_the_site_selectors_choose(page: Path) -> None:
    selected = _selected_text(page)
    if not selected.strip():
        pytest.skip("the site selector matches nothing on this page")
    whole = _lines(text_of(page.read_bytes()))
    assert whole - _lines(selected) == set()  # no menu, footer, app bar or language picker
    assert _lines(selected) - whole <= CTA_AFTER_THE_POLICY  # and nothing of the policy lost


@pytest.mark.parametrize("page", [GRINDR, HER], ids=["grindr", "her"])
@pytest.mark.usefixtures("rule_off")
def test_before_the_rule_the_menus_were_part_of_the_text(page: Path) -> None:
    whole = _lines(text_of(page.read_bytes()))
    extra = whole - _lines(_selected_text(page))
    assert {"Careers", "Download"} & {line.lstrip("- ") for line in extra}


def _edited(page: Path, edits: list[tuple[str, str, int]]) -> str:
    html = page.read_text()
    for old, new, count in edits:
        assert html.count(old) == count, old
        html = html.replace(old, new)
    return html


# Edits of the real pages' plain-<div> boilerplate, as sites make them: (old, new, occurrences).
MENU_EDITS = {
    "grindr": (
        GRINDR,
        [
            (">Chat faster<", ">Chat faster than ever<", 1),  # the "try Grindr on the web" bar
            (">Investors<", ">Investor relations<", 1),  # the side menu
            (
                '<a href="/terms-of-service" class="nav-link-2">',
                '<a href="/safety" class="nav-link-2">Safety Center</a>'
                '<a href="/terms-of-service" class="nav-link-2">',
                1,
            ),  # the legal links under the menu
            ("©2024 Grindr LLC", "©2025 Grindr LLC", 1),
            ('id="language_label">English<', 'id="language_label">English (US)<', 1),
        ],
    ),
    "her": (
        HER,
        [
            (
                '<a href="https://weareher.com/trans-chat/">Trans chat</a></li>',
                '<a href="https://weareher.com/trans-chat/">Trans chat</a></li>'
                '<li class="menu-item"><a href="https://weareher.com/faq/">FAQ</a></li>',
                2,
            ),  # header and mobile menus
            (">Careers<", ">Jobs<", 2),
            ("©2024 HER", "©2025 HER", 1),
            (
                '<span class="wpml-ls-native">English</span></a>',
                '<span class="wpml-ls-native">English</span></a></li><li class="wpml-ls-item">'
                '<a href="https://weareher.com/fr/privacy/">Français</a>',
                1,
            ),  # the language picker
            (
                'target="_blank">Download HER</a>\n\t</div>',
                'target="_blank">Get the app</a>\n\t</div>',
                1,
            ),  # the fixed app bar
        ],
    ),
}
POLICY_EDITS = {
    "grindr": ("Grindr welcomes your comments", "Grindr invites your comments", 1),
    "her": ("You can reach our offices", "You can write to our offices", 1),
}


@pytest.mark.parametrize("service", sorted(MENU_EDITS))
def test_a_menu_edit_makes_no_new_text_and_a_policy_edit_does(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    page, edits = MENU_EDITS[service]
    original = text_of(page.read_bytes())
    assert text_of(_edited(page, edits)) == original
    assert text_of(_edited(page, [POLICY_EDITS[service]])) != original
    # Without the rule the same menu edit was a new text (a false snapshot).
    monkeypatch.setattr(extraction, "drop_link_dense", lambda roots: [])
    assert text_of(_edited(page, edits)) != text_of(page.read_bytes())


# Hand-written: no fixture page puts a contact list of e-mail links in a widget of its own after
# the policy, nor a plain-<div> language list with several languages, so this page wraps the
# real Zoosk policy markup (its .legal__inner, with its in-page table of contents) in the plain
# <div>s of a page builder: an app bar, a menu, a language list, a footer of links.
SHELL = """<!doctype html><html><head><title>Privacy Policy | Zoosk</title></head><body>
<div class="e-section top-bar"><div class="e-widget"><span>Get the Zoosk app</span>
  <a href="https://apps.apple.com/app/zoosk">App Store</a>
  <a href="https://play.google.com/store/apps/zoosk">Google Play</a></div></div>
<div class="e-section header"><div class="e-widget menu">
  <a href="/">Home</a><a href="/dating-tips">Dating tips</a><a href="/stories">Success stories</a>
  <a href="/help">Help</a><a href="/login">Log in</a></div>
  <div class="e-widget languages"><div>Language</div>
  <div><a href="/en">English</a> <a href="/fr">Français</a> <a href="/de">Deutsch</a></div></div>
</div>
<div class="e-section content">
  <div class="e-widget text-editor">{policy}</div>
  <div class="e-widget text-editor"><p>You can opt out of measurement by our partners here:</p></div>
  <div class="e-widget icon-list"><ul>
    <li><a href="https://www.appsflyer.com/optout">AppsFlyer</a></li>
    <li><a href="https://www.adjust.com/forget-device/">Adjust</a></li></ul></div>
  <div class="e-widget icon-list"><ul>
    <li><a href="mailto:privacy@zoosk.com">privacy@zoosk.com</a></li>
    <li><a href="mailto:dpo@zoosk.com">Data Protection Officer</a></li>
    <li><a href="tel:+442030516952">020-3051-6952</a></li>
  </ul></div>
</div>
<div class="e-section bottom"><div class="e-widget">
  <a href="/about">About</a><a href="/careers">Careers</a><a href="/press">Press</a>
  <a href="/terms">Terms</a><a href="/privacy">Privacy</a><a href="/cookies">Cookies</a></div>
  <div class="e-widget"><p>© 2024 Zoosk, Inc.</p></div></div>
<div class="e-section legal-note"><p>This site is protected by reCAPTCHA and the Google
  <a href="https://policies.google.com/privacy">Privacy Policy</a> and
  <a href="https://policies.google.com/terms">Terms of Service</a> apply.</p></div>
</body></html>"""


# Hand-written too: a list of links that ends the policy, next to its last paragraph.
PARTNERS = (
    "<p>Our advertising partners publish their own privacy policies.</p><ul>"
    '<li><a href="https://policies.google.com/privacy">Google</a></li>'
    '<li><a href="https://www.facebook.com/privacy/policy">Meta</a></li>'
    '<li><a href="https://values.snap.com/privacy/privacy-policy">Snap</a></li>'
    '<li><a href="https://www.tiktok.com/legal/privacy-policy">TikTok</a></li>'
    '<li><a href="https://policy.pinterest.com/privacy-policy">Pinterest</a></li></ul>'
)


def _zoosk_policy() -> str:
    soup = parse_html(ZOOSK.read_text())
    inner = soup.select_one(".legal__inner")
    assert inner is not None
    html = str(inner)
    assert html.endswith("</div>")
    return html[: -len("</div>")] + PARTNERS + "</div>"


def _builder_page(**edits: str) -> str:
    html = SHELL.replace("{policy}", _zoosk_policy())
    for old, new in edits.items():
        assert html.count(old) == 1, old
        html = html.replace(old, new)
    return html


BUILDER_MENU_EDITS = {
    "Get the Zoosk app": "Get the new Zoosk app",
    '<a href="/help">Help</a>': '<a href="/help">Help</a><a href="/safety">Safety</a>',
    '<a href="/de">Deutsch</a>': '<a href="/de">Deutsch</a> <a href="/es">Español</a>',
    "© 2024 Zoosk, Inc.": "© 2025 Zoosk, Inc.",
}


def test_a_page_builder_page_keeps_the_policy_and_its_contact_list() -> None:
    text = text_of(_builder_page())
    for noise in ("Get the Zoosk app", "Dating tips", "Français", "Careers", "© 2024"):
        assert noise not in text
    assert text.startswith("## INTRODUCTION\n")
    # The table of contents inside the body stays, and so does the contact list after it.
    lines = _bare_lines(text)
    assert lines.count("IMPORTANT INFORMATION AND WHO WE ARE") == 2  # contents and heading
    contact = ["privacy@zoosk.com", "Data Protection Officer (dpo@zoosk.com)", "020-3051-6952"]
    assert all(line in lines for line in contact)
    # The links that end the policy, next to its last paragraph or announced by it in a widget
    # of their own, are the policy's own.
    assert all(line in lines for line in ("Google", "Pinterest", "AppsFlyer", "Adjust"))
    # A paragraph that merely contains a few links stays, even outside the body.
    assert "protected by reCAPTCHA and the Google Privacy Policy and Terms of Service" in text
    assert text_of(_builder_page(**BUILDER_MENU_EDITS)) == text
    address = '<a href="mailto:privacy@zoosk.com">privacy@zoosk.com</a>'
    edited = address.replace("privacy@", "privacy-eu@")
    assert text_of(_builder_page(**{address: edited})) != text
    assert text_of(_builder_page(**{"dpo@zoosk.com": "dpo-eu@zoosk.com"})) != text


@pytest.mark.usefixtures("rule_off")
def test_before_the_rule_a_builder_menu_edit_changed_the_text() -> None:
    assert text_of(_builder_page(**BUILDER_MENU_EDITS)) != text_of(_builder_page())


def test_what_is_left_out_is_said_with_its_first_words() -> None:
    soup = parse_html(_builder_page())
    body = soup.body
    assert body is not None
    dropped = drop_link_dense(body)
    assert [d.starts for d in dropped] == [
        "Get the Zoosk app App Store Google Play",
        "Home Dating tips Success stories Help Log in …",  # the menu and the language list
        "About Careers Press Terms Privacy Cookies © 2024 …",
    ]
    assert str(dropped[0]) == "Get the Zoosk app App Store Google Play (39 characters)"


def test_a_page_with_no_clear_body_is_kept_whole() -> None:
    # Hand-written: a link hub with a short sentence; no run of text holds most of the words.
    html = (
        "<html><body><div>" + "".join(f'<a href="/p{i}">Policy {i}</a> ' for i in range(20))
        + "</div><div><p>Pick the policy for your country.</p></div>"
        "<div><p>Questions? Write to us.</p></div></body></html>"
    )  # fmt: skip
    soup = parse_html(html)
    assert soup.body is not None
    assert drop_link_dense(soup.body) == []


def test_validate_fetch_says_what_was_kept_and_left_out(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/her").respond_with_data(HER.read_bytes(), content_type="text/html")
    httpserver.expect_request("/her-selected").respond_with_data(
        HER.read_bytes(), content_type="text/html"
    )
    config = tmp_path / "policies.yaml"
    config.write_text(
        "defaults:\n  retries: 0\npolicies:\n"
        f"  - id: her\n    url: {httpserver.url_for('/her')}\n"
        f"  - id: her-selected\n    url: {httpserver.url_for('/her-selected')}\n"
        "    select: '.content-module'\n"
    )
    result = CliRunner().invoke(main, ["--config", str(config), "validate", "--fetch", "--format", "json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = {r["policy"]: r for r in json.loads(result.output)}
    generic = rows["her"]
    assert generic["ok"] and generic["characters"] > 25000
    assert generic["dropped_characters"] == sum(d["characters"] for d in generic["dropped"])
    assert 1000 < generic["dropped_characters"] < 2500
    starts = [d["starts"] for d in generic["dropped"]]
    assert "Select your language English" in starts
    assert generic["generic_extraction"] and not rows["her-selected"]["generic_extraction"]
    assert rows["her-selected"]["dropped"] == [] and rows["her-selected"]["dropped_characters"] == 0

    result = CliRunner().invoke(main, ["--config", str(config), "validate", "--fetch"])
    lines = result.output.splitlines()
    assert lines[0].startswith("her: OK ")
    assert lines[1].startswith(f"  kept {generic['characters']:,} characters; left out ")
    assert "    - Select your language English (28 characters)" in lines
    assert lines[-1].startswith("her-selected: OK ")
