"""The HTML report in a real Chromium (Playwright driving Debian's /usr/bin/chromium).

Every page reachable from index.html is opened, for the demo archive's report and for the
report of a policy whose text is hostile (tests/projects.py): no console error, no dialog, no
script of a policy run, no request outside the report's folder, every internal link (and
#fragment) resolving, the hostile words shown as words. The index, a policy's page and a change's
page are then looked at closely, 1280 and 390 pixels wide, in the light and the dark scheme:
headings in order, every SVG named, text at a contrast of at least 4.5:1 computed from the
page's own styles, and a screenshot of each, saved under the test run's temporary folder or
in $POLICYWATCH_SCREENSHOTS.

One browser for the module, one context per report.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

import pytest

from policywatch import browser as browser_module
from projects import (
    HOSTILE_NAME,
    HOSTILE_WORDS,
    build_report,
    hostile_project,
)

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(
    not (browser_module.available() and Path(CHROMIUM).exists()),
    reason="Chromium and the browser extra are needed (.ci/run installs them)",
)
AI_TRAINING = "2022-12-02T18-34-05Z"  # the TikTok EEA version that brought AI-training language
WIDTHS = (1280, 390)
SCHEMES = ("light", "dark")


LOOK_AROUND = "() => ({text: document.body.innerText, pwned: window.__pwned !== undefined})"


class Anchors(HTMLParser):
    """A page's ids and the targets of its links."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if tag in ("a", "link") and found.get("href") is not None:
            self.links.append(str(found["href"]))


@dataclass
class Visit:
    """What opening every page of a report showed."""

    pages: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # each page's visible text
    pwned: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    args = list(browser_module.QUIET_FLAGS)
    if os.geteuid() == 0:
        args.append("--no-sandbox")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = tmp_path_factory.mktemp("hostile-site")
    output = project / "report"
    build_report(hostile_project(project), output)
    return output


def visit(browser: Any, root: Path, *, keep_texts: bool = False) -> Visit:
    """Open index.html and every page it leads to, as a reader clicking through would; with
    `keep_texts`, keep what each page shows and open the raw files too."""
    found = Visit()
    base = root.resolve().as_uri() + "/"
    context = browser.new_context(viewport={"width": 1280, "height": 900})

    def request(made: Any) -> None:  # watched, not intercepted: that would double the time
        if not made.url.startswith(base):
            found.problems.append(f"request outside the report: {made.url}")

    context.on("request", request)
    page = context.new_page()
    page.on(
        "console",
        lambda m: (
            found.problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None
        ),
    )
    page.on("pageerror", lambda e: found.problems.append(f"page error: {e}"))

    def dialog(d: Any) -> None:
        found.problems.append(f"dialog: {d.message}")
        d.dismiss()

    page.on("dialog", dialog)
    queue, seen, ids, fragments = [base + "index.html"], set(), {}, []
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        page.goto(url, wait_until="domcontentloaded")
        name = url[len(base) :]
        found.pages.append(name)
        if keep_texts:  # what it shows, and whether a script of the policy ran
            shown = page.evaluate(LOOK_AROUND)
            found.texts[name] = shown["text"]
            if shown["pwned"]:
                found.pwned.append(name)
        if url.endswith(".txt"):
            continue
        # Its ids and links, from the file the browser opened: the report has no script, so
        # the page is its HTML (and asking the browser costs more than opening the page).
        anchors = Anchors()
        anchors.feed(Path(unquote(urlsplit(url).path)).read_text(encoding="utf-8"))
        ids[url] = anchors.ids
        for raw in anchors.links:
            absolute = urljoin(url, raw)
            if raw.startswith(("http://", "https://")):
                continue  # the policy's own address, from the configuration: never followed
            target, fragment = urldefrag(absolute)
            if not target.startswith(base):
                found.problems.append(f"{name}: a link out of the report: {raw}")
                continue
            if target not in seen and not Path(unquote(urlsplit(target).path)).is_file():
                found.problems.append(f"{name}: a link to nothing: {raw}")
                continue
            if fragment:
                fragments.append((name, target, fragment))
            if target.endswith(".html") or (keep_texts and target.endswith(".txt")):
                queue.append(target)
    for name, target, fragment in fragments:
        if fragment not in ids.get(target, set()):
            found.problems.append(f"{name}: no #{fragment} in {target[len(base) :]}")
    context.close()
    return found


@pytest.fixture(scope="module")
def demo_visit(chromium: Any, demo_report: Path) -> Visit:
    return visit(chromium, demo_report)


@pytest.fixture(scope="module")
def hostile_visit(chromium: Any, hostile_site: Path) -> Visit:
    return visit(chromium, hostile_site, keep_texts=True)


def test_every_page_of_the_demo_report_opens_cleanly(demo_visit: Visit, demo_report: Path) -> None:
    assert demo_visit.problems == []
    every = {str(p.relative_to(demo_report)) for p in demo_report.rglob("*.html")}
    assert set(demo_visit.pages) == every  # every page is reachable from index.html


def test_every_page_of_a_hostile_policy_opens_cleanly_and_runs_none_of_it(
    hostile_visit: Visit,
) -> None:
    assert hostile_visit.problems == []
    assert hostile_visit.pwned == []
    assert any(p.endswith(".html.txt") for p in hostile_visit.pages)  # the raw page, as text
    text_pages = [t for p, t in hostile_visit.texts.items() if "/text/" in p]
    change_pages = [
        t
        for p, t in hostile_visit.texts.items()
        if re.fullmatch(r"policies/hostile/20[^/]+\.html", p)
    ]
    for words in HOSTILE_WORDS:
        assert any(words in t for t in text_pages), words
    assert all(HOSTILE_NAME in t for p, t in hostile_visit.texts.items() if p.endswith(".html"))
    (change,) = change_pages
    assert "<script>window.__pwned=6</script> Faces" in change  # a hostile section name
    assert "voiceprints <script>window.__pwned=5</script> from the videos" in change
    assert "to suggest tags {{ 7*7 }}" in change
    assert "NEW biometric" in change


def test_tiktok_shows_the_change_that_brought_ai_training_language(
    chromium: Any, demo_report: Path
) -> None:
    context = chromium.new_context()
    page = context.new_page()
    page.goto((demo_report / "policies" / "tiktok-eea" / "index.html").as_uri())
    entry = page.locator("article.entry", has=page.locator(f'h3 a[href="{AI_TRAINING}.html"]'))
    assert "NEW ai_training" in entry.inner_text()
    entry.locator("h3 a").click()
    assert page.url.endswith(f"/policies/tiktok-eea/{AI_TRAINING}.html")
    flags = page.locator("section.flag-card", has_text="NEW ai_training")
    assert flags.count() >= 1
    card = flags.first.inner_text()
    assert "training and improving our technology, such as our machine learning" in card
    assert "AI training on your data" in card
    assert flags.first.locator("mark").count() >= 1
    context.close()


# -- accessibility and screenshots ----------------------------------------------------------------

LOOK = """() => {
  const headings = Array.from(document.querySelectorAll('h1,h2,h3,h4,h5,h6')).map(h => +h.tagName[1]);
  const unnamed = Array.from(document.querySelectorAll('svg, img')).filter(e => {
    if (e.getAttribute('aria-hidden') === 'true') return false;
    if (e.tagName === 'IMG') return !e.getAttribute('alt');
    const title = e.querySelector(':scope > title');
    return e.getAttribute('role') !== 'img' ||
      !((e.getAttribute('aria-label') || '').trim() || (title && title.textContent.trim()));
  }).length;
  const parse = c => { const m = c.match(/[\\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
  const lum = ([r, g, b]) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const over = (top, under) => { const a = top[3]; return [0, 1, 2].map(i => top[i] * a + under[i] * (1 - a)).concat([1]); };
  const background = el => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) layers.push(c);
      if (c[3] >= 1) break;
    }
    let color = parse(getComputedStyle(document.documentElement).backgroundColor);
    if (color[3] < 1) color = [255, 255, 255, 1];
    for (const layer of layers.reverse()) color = over(layer, color);
    return color;
  };
  const low = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim()) continue;
    const el = node.parentElement;
    if (!el.getClientRects().length) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || el.closest('[aria-hidden="true"]')) continue;
    const rect = el.getBoundingClientRect();
    if (rect.width <= 1 || rect.height <= 1) continue;
    const inSvg = el instanceof SVGElement;
    const bg = background(inSvg ? el.closest('svg').parentElement : el);
    const fg = over(parse(inSvg ? style.fill : style.color), bg);
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    if (ratio < 4.5) low.push(`${ratio.toFixed(2)} ${el.tagName} "${node.textContent.trim().slice(0, 40)}"`);
  }
  return {headings, unnamed, low, svgs: document.querySelectorAll('svg').length};
}"""


def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chosen = os.environ.get("POLICYWATCH_SCREENSHOTS")
    if chosen:
        Path(chosen).mkdir(parents=True, exist_ok=True)
        return Path(chosen)
    return tmp_path_factory.mktemp("screenshots")


def test_pages_are_readable_named_and_in_order_light_and_dark_wide_and_narrow(
    chromium: Any, demo_report: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = screenshots(tmp_path_factory)
    looked = {
        "index": demo_report / "index.html",
        "policy": demo_report / "policies" / "tiktok-eea" / "index.html",
        "change": demo_report / "policies" / "tiktok-eea" / f"{AI_TRAINING}.html",
    }
    problems: list[str] = []
    for scheme in SCHEMES:
        for width in WIDTHS:
            context = chromium.new_context(
                viewport={"width": width, "height": 900}, color_scheme=scheme
            )
            page = context.new_page()
            for name, path in looked.items():
                page.goto(path.as_uri())
                page.screenshot(path=str(folder / f"{name}-{width}-{scheme}.png"))
                if width != WIDTHS[0]:
                    continue  # the narrow layout changes no colour, heading or name
                where = f"{name} {scheme}"
                seen = page.evaluate(LOOK)
                levels = seen["headings"]
                if levels[:1] != [1] or levels.count(1) != 1:
                    problems.append(f"{where}: not one h1 first: {levels[:5]}")
                skips = [(a, b) for a, b in itertools.pairwise(levels) if b > a + 1]
                if skips:
                    problems.append(f"{where}: a heading level skipped: {skips[:3]}")
                if seen["unnamed"]:
                    problems.append(f"{where}: {seen['unnamed']} unnamed images or SVGs")
                problems.extend(f"{where}: contrast {low}" for low in seen["low"])
                # The accessibility tree names each SVG as an image (the strip's rows, the axis).
                tree = page.locator("body").aria_snapshot()
                named = len(re.findall(r'img "[^"]+"', tree))
                if named < seen["svgs"]:
                    problems.append(f"{where}: {seen['svgs']} SVGs, {named} named images")
            context.close()
    assert problems == []
    assert len(list(folder.glob("*.png"))) >= len(looked) * len(WIDTHS) * len(SCHEMES)


def test_the_keyboard_reaches_the_content_first(chromium: Any, demo_report: Path) -> None:
    context = chromium.new_context()
    page = context.new_page()
    page.goto((demo_report / "policies" / "tiktok-eea" / f"{AI_TRAINING}.html").as_uri())
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # Folded changes open from the keyboard too.
    summary = page.locator("details.change summary").first
    summary.focus()
    page.keyboard.press("Enter")
    assert page.locator("details.change").first.get_attribute("open") is not None
    context.close()
