"""The static HTML report (report.py, timeline.py, render/site.py, render/reportfolder.py):
what pages it has, that a rebuild writes only what changed, that policy text stays text. The
pages in a real browser are tests/test_report_browser.py."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit
from urllib.request import url2pathname

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from policywatch import commandline
from policywatch.archive import Archive
from policywatch.cache import Comparisons
from policywatch.changelog import entries, stated_date
from policywatch.cli import main
from policywatch.memory import Memory, facts_of
from policywatch.render.reportfolder import MANIFEST
from policywatch.report import DEFAULT_DAYS
from policywatch.sides import canonical_text
from policywatch.taxonomy import load_taxonomy
from policywatch.timeline import history
from projects import (
    DEMO_ARCHIVE,
    DEMO_CONFIG,
    HOSTILE_NAME,
    HOSTILE_WORDS,
    build_report,
    hostile_project,
)

DEMO_POLICIES = ("tiktok-eea", "reddit", "snapchat")


def files(folder: Path) -> dict[str, bytes]:
    """Every file of a report but its manifest (which records the files' times)."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }


def only(folder: Path, *ids: str) -> Path:
    """A configuration of the demo's policies with only these ids."""
    text = DEMO_CONFIG.read_text()
    head, _, rest = text.partition("policies:\n")
    kept = ["  - id:" + block for block in rest.split("  - id:")[1:] if block.split()[0] in ids]
    config = folder / f"{'-'.join(ids)}.yaml"
    config.write_text(head + "policies:\n" + "".join(kept))
    return config


class Counted:
    """Comparisons.compare, counted: how many comparisons a build read or made."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        real = Comparisons.compare

        def compare(this: Comparisons, *args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return real(this, *args, **kwargs)

        monkeypatch.setattr(Comparisons, "compare", compare)


class Tags(HTMLParser):
    """Every element, attribute and text of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


ATOM = "{http://www.w3.org/2005/Atom}"
# What XML 1.0 forbids or discourages and HTML counts as a parse error; tab and newline aside.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


FEED_MARKS = {"p", "em", "strong", "h4", "blockquote", "del", "ins"}  # all the feed's HTML


def feed_entries(report: Path) -> list[ET.Element]:
    """The entries of a report's feed, read by an XML parser (which refuses a feed that is no
    XML, a control character in it for one)."""
    return ET.parse(report / "feed.atom").getroot().findall(f"{ATOM}entry")


def shown(content: ET.Element | None) -> str:
    """What a feed reader shows of an entry's content: HTML drawn, text as it is."""
    assert content is not None
    if content.get("type") != "html":
        return content.text or ""
    parsed = Tags()
    parsed.feed(content.text or "")
    return "".join(parsed.text)


def test_the_demo_report_has_a_page_for_every_policy_change_and_version(demo_report: Path) -> None:
    archive = Archive(DEMO_ARCHIVE)
    for page in ("index.html", "by-change.html", "by-flags.html", "by-status.html"):
        assert (demo_report / page).is_file()
    assert (demo_report / "style.css").is_file() and (demo_report / "feed.atom").is_file()
    for policy_id in DEMO_POLICIES:
        folder = demo_report / "policies" / policy_id
        assert (folder / "index.html").is_file()
        stamps = archive.stamps(policy_id)
        # A text page and the raw bytes of every version, re-extractions included.
        assert sorted(p.stem for p in (folder / "text").glob("*.html")) == stamps
        assert len(list((folder / "raw").iterdir())) == len(stamps)
        # A page for every entry of the changelog but the first version, named by its stamp.
        found = entries(archive, [(policy_id, policy_id)], load_taxonomy())
        changes = sorted(f"{e.snapshot.stamp}.html" for e in found[1:])
        assert sorted(p.name for p in folder.glob("20*.html")) == changes
    # Policies of the configuration with no version yet are named, with no page of their own.
    index = (demo_report / "index.html").read_text()
    assert "Not archived yet" in index and "Bumble Privacy Policy" in index
    assert not (demo_report / "policies" / "bumble").exists()


def test_raw_files_are_copied_under_names_no_browser_runs(
    demo_report: Path, tmp_path: Path
) -> None:
    for raw in (demo_report / "policies").glob("*/raw/*"):
        assert raw.suffix in (".txt", ".pdf"), raw
    config = hostile_project(tmp_path)
    build_report(config, tmp_path / "out")
    raw = sorted((tmp_path / "out" / "policies" / "hostile" / "raw").iterdir())
    assert [p.name for p in raw] == ["2024-01-01T06-00-00Z.txt", "2024-02-01T06-00-00Z.html.txt"]
    assert raw[1].read_bytes() == (tmp_path / "second.html").read_bytes()


def test_the_feed_is_the_changelogs_atom(demo_report: Path) -> None:
    atom = CliRunner().invoke(
        main,
        [
            "--config",
            str(DEMO_CONFIG),
            "--archive",
            str(DEMO_ARCHIVE),
            "changelog",
            "--format",
            "atom",
        ],
    )
    assert atom.exit_code == 0
    # The same feed, but that the report's knows where it is and where each entry's page is.
    ours = ET.parse(demo_report / "feed.atom").getroot()
    for entry in ours.findall(f"{ATOM}entry"):
        entry.remove(entry.findall(f"{ATOM}link")[0])
    (self_link,) = ours.findall(f"{ATOM}link")
    assert self_link.get("rel") == "self" and self_link.get("href") == "feed.atom"
    self_link.set("href", "urn:policywatch:changelog")
    assert ET.tostring(ours) == ET.tostring(ET.fromstring(atom.stdout_bytes))
    index = (demo_report / "index.html").read_text()
    assert (
        '<link rel="alternate" type="application/atom+xml"' in index and 'href="feed.atom"' in index
    )


def test_feed_entries_are_html_a_reader_shows_as_written(demo_report: Path) -> None:
    entries = feed_entries(demo_report)
    bodies = [e.find(f"{ATOM}content") for e in entries]
    assert all(b is not None and b.get("type") == "html" for b in bodies)
    seen = [shown(b) for b in bodies]
    # The demo's texts hold no backslash: every one would be a markdown escape shown as is.
    assert not [t for t in seen if "\\" in t]
    assert not [t for t in seen if "<ins>" in t or "&lt;" in t]  # marks are HTML, not words
    everything = "\n".join(seen)
    assert "comes into effect on [19 November 2023]" in everything
    assert "NO LONGER audio_voice_sensors (camera)" in everything


def test_each_feed_entry_links_to_its_page_in_the_report(demo_report: Path) -> None:
    feed = (demo_report / "feed.atom").resolve().as_uri()
    entries = feed_entries(demo_report)
    for entry in entries:
        policy_id, stamp = (entry.findtext(f"{ATOM}id") or "").split("/")[-2:]
        (link,) = entry.findall(f"{ATOM}link")
        href = link.get("href") or ""
        assert link.get("rel", "alternate") == "alternate"  # no rel is "alternate"
        assert not urlsplit(href).scheme and not href.startswith("/")  # relative, as every link
        if "first recorded version" in (entry.findtext(f"{ATOM}title") or ""):
            assert href == f"policies/{policy_id}/text/{stamp}.html"  # no change: its text
        else:
            assert href == f"policies/{policy_id}/{stamp}.html"
        # Resolved against the feed's own address, as a reader does, from file:// too.
        assert Path(url2pathname(urlsplit(urljoin(feed, href)).path)).is_file()
    assert len(entries) > 30
    # RFC 4287: a feed whose entries name no author names one itself.
    assert ET.parse(demo_report / "feed.atom").getroot().findtext(f"{ATOM}author/{ATOM}name")


def test_control_characters_reach_no_page_and_no_feed(tmp_path: Path) -> None:
    """A bell, a terminal escape, a NUL, C1 controls in a configured name and in an archived
    text (one another tool wrote: policywatch drops them when it archives): dropped from every
    page and from the feed, which stays XML, never written as escapes."""
    config = hostile_project(tmp_path, name="Bell\x07 Policy \x1b[31mred\x85 \x7f\x00end")
    folder = tmp_path / "snapshots" / "hostile"
    text, meta = folder / "2024-02-01T06-00-00Z.md", folder / "2024-02-01T06-00-00Z.json"
    planted = text.read_text(encoding="utf-8").replace(
        "collect your faceprints", "collect\x07 your\x1b[2J faceprints\x9b\x0c"
    )
    assert planted != text.read_text(encoding="utf-8")
    text.write_text(planted, encoding="utf-8")
    data = json.loads(meta.read_text())
    data["text_sha256"] = hashlib.sha256(planted.encode("utf-8")).hexdigest()
    meta.write_text(json.dumps(data))
    output = tmp_path / "out"
    build_report(config, output)
    written = [*sorted(output.rglob("*.html")), output / "feed.atom"]
    for path in written:
        page = path.read_text(encoding="utf-8")
        assert not CONTROL.search(page), path
        refs = re.findall(r"&#(x[0-9a-fA-F]+|[0-9]+);", page)
        codes = [int(r[1:], 16) if r[0] == "x" else int(r) for r in refs]
        assert not [c for c in codes if CONTROL.match(chr(c))], path
    entries = feed_entries(output)  # an XML parser reads it
    seen = "".join(shown(e.find(f"{ATOM}content")) for e in entries)
    assert not CONTROL.search(seen)  # nor as a reference the feed's HTML would resolve
    assert "Bell Policy [31mred end" in seen
    assert "We may collect your[2J faceprints and voiceprints" in seen  # the flag's sentence
    change = (output / "policies" / "hostile" / "2024-02-01T06-00-00Z.html").read_text()
    assert "<h1>Bell Policy [31mred end: the change of" in change
    assert "collect your[2J faceprints" in change


def test_a_rebuild_with_nothing_new_writes_nothing_and_reads_no_comparison(
    demo_report: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    times = {p: p.stat().st_mtime_ns for p in demo_report.rglob("*")}
    counted = Counted(monkeypatch)
    again = json.loads(
        build_report(DEMO_CONFIG, demo_report, "--format", "json", archive=DEMO_ARCHIVE)
    )
    assert again["written"] == [] and again["removed"] == []
    assert again["unchanged"] == again["files"] == len(files(demo_report))
    assert counted.calls == 0  # everything the pages need came from the report's memory
    assert {p: p.stat().st_mtime_ns for p in demo_report.rglob("*")} == times


def test_the_same_archive_gives_the_same_bytes(demo_report: Path, tmp_path: Path) -> None:
    other = tmp_path / "again"
    build_report(DEMO_CONFIG, other, archive=DEMO_ARCHIVE)  # a folder and a memory of its own
    assert files(other) == files(demo_report)
    # No time of the build in any page: only the archive's own dates.
    stamp = re.compile(rb"\d{4}-\d{2}-\d{2}")
    archive_days = {s[:10].encode() for p in DEMO_POLICIES for s in Archive(DEMO_ARCHIVE).stamps(p)}
    for name, data in files(other).items():
        if name.endswith(".html") and "/raw/" not in name and "/text/" not in name:
            unknown = set(stamp.findall(data)) - archive_days
            assert not [d for d in unknown if d >= b"2026-11-30"], (name, unknown)


def test_the_cache_changes_nothing_but_time(tmp_path: Path) -> None:
    config = hostile_project(tmp_path)
    build_report(config, tmp_path / "warm")
    build_report(config, tmp_path / "again")  # from the memory in the archive's cache
    shutil.rmtree(tmp_path / "snapshots" / ".cache")
    build_report(config, tmp_path / "cold")  # every comparison and fact made anew
    assert files(tmp_path / "warm") == files(tmp_path / "again") == files(tmp_path / "cold")
    assert list((tmp_path / "snapshots" / ".cache" / "report").glob("*.json"))


def test_a_new_version_redraws_only_the_pages_it_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = tmp_path / "snapshots"
    for policy_id in ("reddit", "snapchat"):
        shutil.copytree(DEMO_ARCHIVE / policy_id, archive / policy_id)
    stamps = Archive(archive).stamps("reddit")
    last, before = stamps[-1], stamps[-2]
    held = tmp_path / "held"
    held.mkdir()
    for path in (archive / "reddit").glob(f"{last}.*"):
        shutil.move(path, held / path.name)
    config = only(tmp_path, "reddit", "snapchat")
    output = tmp_path / "report"
    build_report(config, output, archive=archive)
    for path in held.iterdir():
        shutil.move(path, archive / "reddit" / path.name)
    changes = sum(
        len(entries(Archive(archive), [(p, p)], load_taxonomy())) - 1
        for p in ("reddit", "snapchat")
    )
    counted = Counted(monkeypatch)
    built = json.loads(build_report(config, output, "--format", "json", archive=archive))
    written = set(built["written"])
    reddit = "policies/reddit"
    assert {
        f"{reddit}/{last}.html",  # the new change
        f"{reddit}/text/{last}.html",
        f"{reddit}/{before}.html",  # its "next change" link
        f"{reddit}/text/{before}.html",  # its "next version" link
        f"{reddit}/index.html",
        "feed.atom",  # the demo's last Reddit version returns to an earlier text: it undoes
    } <= written  # a change the feed told of
    assert any(p.startswith(f"{reddit}/raw/{last}") for p in written)
    assert not [p for p in written if p.startswith("policies/snapchat")]
    # The comparisons of the new change and of the one before it (its page links to the new
    # one), then each once more for the feed: never one per page of the report.
    assert counted.calls <= 2 + changes


def test_pages_of_policies_that_left_the_configuration_are_removed(tmp_path: Path) -> None:
    output = tmp_path / "report"
    build_report(only(tmp_path, "reddit", "snapchat"), output, archive=DEMO_ARCHIVE)
    mine = output / "notes.txt"
    mine.write_text("my own file")
    config = only(tmp_path, "reddit")
    built = json.loads(build_report(config, output, "--format", "json", archive=DEMO_ARCHIVE))
    assert built["removed"] and all(p.startswith("policies/snapchat/") for p in built["removed"])
    assert not (output / "policies" / "snapchat").exists()
    assert mine.read_text() == "my own file"  # nothing the report did not write is touched
    assert "Snap Inc." not in (output / "index.html").read_text()


def test_the_report_goes_beside_the_configuration_by_default(tmp_path: Path) -> None:
    config = hostile_project(tmp_path)
    result = CliRunner().invoke(main, ["--config", str(config), "report"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "report" / "index.html").is_file()
    assert result.output.startswith(f"{tmp_path / 'report' / 'index.html'}: ")


def pages(folder: Path) -> Iterator[tuple[Path, Tags]]:
    for path in sorted(folder.rglob("*.html")):
        parsed = Tags()
        parsed.feed(path.read_text(encoding="utf-8"))
        yield path, parsed


def test_hostile_text_stays_text(tmp_path: Path) -> None:
    config = hostile_project(tmp_path)
    output = tmp_path / "out"
    build_report(config, output)
    seen = ""
    for path, page in pages(output):
        names = {tag for tag, _ in page.tags}
        assert not names & {"script", "iframe", "img", "style", "object", "embed", "form", "base"}
        for tag, attrs in page.tags:
            assert not [a for a in attrs if a.startswith("on")], (path, tag, attrs)
            href = attrs.get("href") or ""
            assert not href.startswith(("javascript:", "data:")), (path, href)
            if tag == "a" and href.startswith("http"):
                assert href == "https://example.com/privacy", (path, href)  # the configured URL
            if tag == "link":
                assert href.endswith(("style.css", "feed.atom")), (path, href)
        csp = [a for t, a in page.tags if t == "meta" and a.get("http-equiv")]
        assert csp and "script-src 'none'" in (csp[0].get("content") or "")
        seen += "".join(page.text)
    for words in HOSTILE_WORDS:
        assert words in seen, words
    assert HOSTILE_NAME in seen and "49" not in seen  # {{ 7*7 }} was never a template
    # The feed's entries are HTML too: the policy's words as words, only the feed's own marks.
    in_feed = ""
    for entry in feed_entries(output):
        parsed = Tags()
        parsed.feed(entry.findtext(f"{ATOM}content") or "")
        assert {tag for tag, _ in parsed.tags} <= FEED_MARKS
        assert all(attrs == {} for _, attrs in parsed.tags)
        in_feed += "".join(parsed.text)
    for words in (HOSTILE_NAME, "voiceprints <script>window.__pwned=5</script>", HOSTILE_WORDS[4]):
        assert words in in_feed, words


# A category's name comes from a user's taxonomy file: hostile like any policy text.
HOSTILE_CATEGORY = (
    "Faces \x1b[2J<script>window.__pwned=7</script> *all* [x](javascript:alert(7)) {{ 7*7 }}"
)


def test_a_category_new_to_a_policy_is_named_for_readers_and_an_id_for_programs(
    tmp_path: Path,
) -> None:
    """A category new to a policy is named as the taxonomy names it, as written and escaped, in
    the terminal, the markdown diff and changelog, the feed and the report's pages; the JSON
    keeps its id."""
    config = hostile_project(tmp_path)
    (tmp_path / "mine.yaml").write_text(
        "categories:\n  - id: faces\n"
        f"    name: {json.dumps(HOSTILE_CATEGORY)}\n"
        "    explain: Faces.\n    severity: high\n    patterns: ['faceprints?']\n",
        encoding="utf-8",
    )
    config.write_text("taxonomy: mine.yaml\n" + config.read_text(encoding="utf-8"))
    seen = HOSTILE_CATEGORY.replace("\x1b", "")  # where the terminal shows it as \x1b
    news = f"New in this policy: Biometric identifiers, {seen}."

    def run(*args: str) -> str:
        result = CliRunner().invoke(main, ["--config", str(config), *args])
        assert result.exit_code == 0, result.output
        return result.stdout

    terminal = run("diff", "hostile")
    shown_in_terminal = HOSTILE_CATEGORY.replace("\x1b", "\\x1b")
    assert "\nNew in this policy: Biometric identifiers\n" in terminal
    assert f"\nNew in this policy: {shown_in_terminal}\n" in terminal
    assert "\x1b" not in terminal
    for markdown in (run("diff", "hostile", "--format", "markdown"), run("changelog", "hostile")):
        drawn = Tags()
        drawn.feed(MarkdownIt("commonmark").render(markdown))
        assert not {tag for tag, _ in drawn.tags} & {"script", "a"}
        text = "".join(drawn.text)
        assert "New in this policy: Biometric identifiers\n" in text
        assert f"New in this policy: {seen}\n" in text
    (entry,) = [
        e
        for e in ET.fromstring(run("changelog", "hostile", "--format", "atom"))
        if e.tag == f"{ATOM}entry" and "first" not in (e.findtext(f"{ATOM}title") or "")
    ]
    assert news.rstrip(".") in shown(entry.find(f"{ATOM}content"))
    output = tmp_path / "out"
    build_report(config, output)
    folder = output / "policies" / "hostile"
    for page in (folder / "2024-02-01T06-00-00Z.html", folder / "index.html"):
        drawn = Tags()
        drawn.feed(page.read_text(encoding="utf-8"))
        assert "script" not in {tag for tag, _ in drawn.tags}
        assert news in "".join(drawn.text), page
    assert news.rstrip(".") in "".join(
        shown(e.find(f"{ATOM}content")) for e in feed_entries(output)
    )
    # Programs read the ids, as before.
    categories = json.loads(run("diff", "hostile", "--format", "json"))["categories"]
    assert [a["category"] for a in categories["appeared"]] == ["biometric", "faces"]
    (change,) = [
        e for e in json.loads(run("changelog", "hostile", "--format", "json")) if e["previous"]
    ]
    assert change["appeared"] == ["biometric", "faces"]


def test_the_flags_of_the_window_are_on_the_index(demo_report: Path, tmp_path: Path) -> None:
    config = hostile_project(tmp_path)
    build_report(config, tmp_path / "out")
    index = (tmp_path / "out" / "index.html").read_text()
    assert 'NEW <span class="cat">biometric</span>' in index  # the last version's own flag
    assert "30 days up to 2024-02-01" in index
    # TikTok's AI-training language came in 2022: in a window of all time, not of 30 days.
    link = 'href="policies/tiktok-eea/2022-12-02T18-34-05Z.html"'
    assert link not in (demo_report / "by-flags.html").read_text()
    every = tmp_path / "every"
    build_report(only(tmp_path, "tiktok-eea"), every, "--days", "10000", archive=DEMO_ARCHIVE)
    assert link in (every / "by-flags.html").read_text()
    assert commandline.DEFAULT_DAYS == DEFAULT_DAYS


def test_the_category_strip_read_version_by_version_equals_reading_each_text() -> None:
    archive = Archive(DEMO_ARCHIVE)
    taxonomy = load_taxonomy()
    comparisons = Comparisons.of(archive, taxonomy)
    # TikTok EEA: categories come and go, and its first versions are in German.
    for policy_id in ("tiktok-eea",):
        found = history(archive, policy_id, policy_id, "", taxonomy, comparisons, Memory("test"))
        for entry in found.entries:
            snapshot = archive.snapshot(policy_id, entry.stamp)
            whole = facts_of(canonical_text(snapshot), taxonomy, stated_date(snapshot.text))
            assert entry.facts == whole, (policy_id, entry.stamp)


def test_the_tiktok_change_that_brought_ai_training_is_flagged(demo_report: Path) -> None:
    page = (demo_report / "policies" / "tiktok-eea" / "index.html").read_text()
    entry = page.split('href="2022-12-02T18-34-05Z.html"', 1)[1].split("</article>", 1)[0]
    assert 'NEW <span class="cat">ai_training</span>' in entry
    change = (demo_report / "policies" / "tiktok-eea" / "2022-12-02T18-34-05Z.html").read_text()
    assert "New in this policy: AI training on your data." in change
    assert (
        "<mark>training and improving our technology, such as our machine learning</mark>" in change
    )
    assert "AI training on your data" in change  # the category's plain explanation


@pytest.mark.parametrize(
    "make, says",
    [
        (lambda p: p.write_text("a file"), "is a file, not a folder for the report"),
        (lambda p: (p.parent / "file").write_text("x"), "cannot be made (Not a directory)"),
    ],
)
def test_an_unusable_folder_is_one_line(tmp_path: Path, make: Any, says: str) -> None:
    config = hostile_project(tmp_path)
    target = tmp_path / "taken"
    make(target)
    if says.startswith("cannot be made"):
        target = tmp_path / "file" / "report"
    result = CliRunner().invoke(main, ["--config", str(config), "report", "-o", str(target)])
    assert result.exit_code == 1
    assert result.output == f"Error: report: {target}: {says}\n"
    # check --report says so before anything is fetched.
    checked = CliRunner().invoke(main, ["--config", str(config), "check", "--report", str(target)])
    assert checked.exit_code == 1 and checked.output == result.output
    assert not (tmp_path / "snapshots" / "hostile" / "checks.jsonl").exists()


def test_check_report_refreshes_the_report_after_the_run(tmp_path: Path, httpserver: Any) -> None:
    config = hostile_project(tmp_path)
    page = (tmp_path / "second.html").read_text().replace("faceprints", "fingerprints")
    httpserver.expect_request("/privacy").respond_with_data(page, content_type="text/html")
    url = httpserver.url_for("/privacy")
    config.write_text(
        config.read_text()
        .replace("https://example.com/privacy", url)
        .replace("policies:", "defaults:\n  retries: 0\npolicies:")
    )
    output = tmp_path / "site"

    def check(now: str) -> Any:
        return CliRunner().invoke(
            main,
            ["--config", str(config), "check", "--quiet", "--report", str(output), "--now", now],
        )

    assert check("2024-03-01T06:00:00Z").exit_code == 0
    index = (output / "index.html").read_text()
    assert '<span class="status ok">ok</span>' in index
    assert (output / "policies" / "hostile" / "2024-03-01T06-00-00Z.html").is_file()
    # A failing run still refreshes the report, which says since when and why.
    httpserver.clear()
    httpserver.expect_request("/privacy").respond_with_data("gone", status=404)
    assert check("2024-03-02T06:00:00Z").exit_code == 3
    index = (output / "by-status.html").read_text()
    assert (
        '<span class="status failing">failing</span> since <time datetime="2024-03-02T06:00:00Z">'
        in index
    )
    assert "HTTP 404" in index
    policy = (output / "policies" / "hostile" / "index.html").read_text()
    assert "failing</span> since" in policy and "HTTP 404" in policy


# Found in review: the report's pages could be written over the archive's own files.
@pytest.mark.parametrize("where", ["snapshots", "snapshots/hostile", ".", "site"])
def test_a_report_folder_holding_or_inside_the_archive_is_refused(
    tmp_path: Path, where: str
) -> None:
    config = hostile_project(tmp_path)
    archive = tmp_path / "snapshots"
    args = ["--config", str(config)]
    if where == "site":  # the archive inside the report's folder, where its pages would go
        shutil.move(str(archive), tmp_path / "site" / "policies")
        archive = tmp_path / "site" / "policies"
        args += ["--archive", str(archive)]
    before = files(archive)
    result = CliRunner().invoke(main, [*args, "report", "-o", str(tmp_path / where)])
    assert result.exit_code == 1, result.output
    assert "holds the archive" in result.output and len(result.output.splitlines()) == 1
    assert files(archive) == before
    assert not (tmp_path / where / "index.html").exists()


def test_the_file_systems_root_is_refused_before_anything_is_written() -> None:
    from policywatch.render.reportfolder import ReportError, prepare

    with pytest.raises(ReportError, match="root"):
        prepare(Path("/"))


def test_metadata_naming_a_raw_file_elsewhere_is_refused_not_published(tmp_path: Path) -> None:
    config = hostile_project(tmp_path)
    (snapshot,) = Archive(tmp_path / "snapshots").snapshots("hostile")[:1]
    meta_path = snapshot.folder / f"{snapshot.stamp}.json"
    meta = json.loads(meta_path.read_text())
    meta["raw_file"] = str(config)  # a file outside the snapshot's folder
    meta.pop("raw_sha256", None)
    meta_path.write_text(json.dumps(meta))
    result = CliRunner().invoke(
        main, ["--config", str(config), "report", "-o", str(tmp_path / "o")]
    )
    assert result.exit_code == 1 and "is not a file of the snapshot's folder" in result.output
    assert not list((tmp_path / "o").rglob(config.name + "*"))


def test_nonsense_in_metadata_and_state_is_no_traceback(tmp_path: Path) -> None:
    config = hostile_project(tmp_path)
    archive = Archive(tmp_path / "snapshots")
    snapshot = archive.snapshots("hostile")[0]
    meta_path = snapshot.folder / f"{snapshot.stamp}.json"
    meta = json.loads(meta_path.read_text())
    meta["text_chars"] = "abc"
    meta_path.write_text(json.dumps(meta))
    state = snapshot.folder / "state.json"
    state.write_text(json.dumps({"last_check": "not a date"}))
    out = tmp_path / "o"
    result = CliRunner().invoke(main, ["--config", str(config), "report", "-o", str(out)])
    assert result.exit_code == 0, result.output
    history = CliRunner().invoke(main, ["--config", str(config), "history", "hostile"])
    assert history.exit_code == 0, history.output
    too_far = CliRunner().invoke(
        main, ["--config", str(config), "report", "-o", str(out), "--days", "1000000"]
    )
    assert too_far.exit_code == 2 and "Invalid value for '--days'" in too_far.output


def test_pages_of_an_earlier_format_are_removed_when_no_longer_made(tmp_path: Path) -> None:
    output = tmp_path / "report"
    build_report(only(tmp_path, "reddit", "snapchat"), output, archive=DEMO_ARCHIVE)
    manifest = json.loads((output / MANIFEST).read_text())
    manifest["site"] = "an-older-version-of-the-report"
    (output / MANIFEST).write_text(json.dumps(manifest))
    build_report(only(tmp_path, "reddit"), output, archive=DEMO_ARCHIVE)
    assert not (output / "policies" / "snapchat").exists()


def test_a_build_that_fails_half_way_remembers_what_it_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from policywatch.render import site

    output = tmp_path / "report"
    drawn = 0
    real = site._text

    def fails_at_the_twentieth(*args: Any) -> bytes:
        nonlocal drawn
        drawn += 1
        if drawn == 20:
            raise site.ReportError("a page that cannot be drawn")
        return real(*args)

    monkeypatch.setattr(site, "_text", fails_at_the_twentieth)
    failed = CliRunner().invoke(
        main, ["--config", str(only(tmp_path, "reddit")), "--archive", str(DEMO_ARCHIVE),
               "report", "-o", str(output)]
    )  # fmt: skip
    assert failed.exit_code == 1 and "a page that cannot be drawn" in failed.output
    written = {str(p.relative_to(output)) for p in output.rglob("*") if p.is_file()}
    listed = set(json.loads((output / MANIFEST).read_text())["pages"]) | {MANIFEST}
    assert written and written <= listed  # a later build can remove what it no longer makes
    monkeypatch.undo()
    build_report(only(tmp_path, "snapchat"), output, archive=DEMO_ARCHIVE)
    assert not (output / "policies" / "reddit").exists()


BADGE = re.compile(
    r'<span class="flag sev-\w+">⚑ ([^<]*)<span class="cat">(\w+)</span>([^<]*)</span>'
)


def test_every_flag_badge_names_a_label_a_category_and_whose_data(demo_report: Path) -> None:
    # A Flagged once had a method named `of`, which the badge printed beside every category.
    badges = [
        badge.groups()
        for page in demo_report.rglob("*.html")
        for badge in BADGE.finditer(page.read_text(encoding="utf-8"))
    ]
    assert badges
    for label, category, of in badges:
        assert re.fullmatch(r"[A-Z ]+ (?:\(in a legal definition\) )?", label), label
        assert of == "" or re.fullmatch(r" of \w+(?:, \w+)*", of), (category, of)


def test_two_builds_at_once_keep_what_each_learnt(tmp_path: Path) -> None:
    # A report of one policy saved while a report of another was under way (the two began
    # from the same empty memory): the memory keeps what both learnt, and a third build of
    # both reads no comparison.
    archive = tmp_path / "snapshots"
    for policy_id in ("reddit", "snapchat"):
        shutil.copytree(DEMO_ARCHIVE / policy_id, archive / policy_id)
    build_report(only(tmp_path, "reddit"), tmp_path / "one", archive=archive)
    (memory,) = (archive / ".cache" / "report").glob("*.json")
    alone = json.loads(memory.read_bytes())
    memory.unlink()  # both builds begin from nothing
    build_report(only(tmp_path, "snapchat"), tmp_path / "two", archive=archive)
    other = json.loads(memory.read_bytes())
    # The reddit build ends now, after the snapchat one saved: its learning is kept too.
    version = alone["version"]
    late = Memory.from_json(alone, version)
    late.grown = True
    late.save(Archive(archive))
    both = json.loads(memory.read_bytes())
    assert set(both["facts"]) == set(alone["facts"]) | set(other["facts"])
    assert set(both["summaries"]) == set(alone["summaries"]) | set(other["summaries"])
    assert set(other["facts"]) - set(alone["facts"])  # each learnt something of its own


def test_the_last_change_is_one_that_still_stands_and_the_feed_tells_of_its_undoing() -> None:
    # Reddit 2026-08-19 removes 36 clauses (Brazil, CCPA); 2026-08-20 is back to 2026-07-02's
    # text: the last change that stands is 2026-07-02's, and the feed says it was undone.
    archive = Archive(DEMO_ARCHIVE)
    taxonomy = load_taxonomy()
    comparisons = Comparisons.of(archive, taxonomy)
    found = history(archive, "reddit", "reddit", "", taxonomy, comparisons, Memory("test"))
    stamps = [e.stamp for e in found.entries]
    assert "2026-08-19T12-51-47Z" in stamps
    assert found.entry("2026-08-20T00-52-10Z").returns_to == "2026-07-02T12-51-46Z"
    assert found.last_change is not None
    assert found.last_change.stamp == "2026-07-02T12-51-46Z"
    args = ["--config", str(DEMO_CONFIG), "--archive", str(DEMO_ARCHIVE), "changelog", "reddit"]
    atom = CliRunner().invoke(main, [*args, "--format", "atom"])
    assert atom.exit_code == 0
    assert "reddit: back to the text of 2026-07-02" in atom.output


def test_a_page_flipping_between_two_texts_leaves_the_change_of_the_one_in_force(
    tmp_path: Path,
) -> None:
    # Hand-written texts A, B, A, B (a page served in two variants): B's change stands at the
    # end, though each later version is a return; a formatting-only version is no feed news.
    config = tmp_path / "policies.yaml"
    config.write_text("policies:\n  - id: flip\n    url: https://example.com/privacy\n")
    a = "Privacy Policy\n\nWe collect your email address to run the service.\n"
    b = a + "\nWe collect your precise location from GPS to show you nearby posts.\n"
    texts = [a, b, a, b, b.replace("\nWe collect your precise", "\n- We collect your precise")]
    runner = CliRunner()
    stamps = []
    for day, text in enumerate(texts, start=1):
        path = tmp_path / f"v{day}.md"
        path.write_text(text)
        at = f"2024-01-0{day}T06:00:00Z"
        args = ["--config", str(config), "import", "flip", str(path), "--at", at, "--accept"]
        result = runner.invoke(main, args)
        assert result.exit_code == 0, result.output
        stamps.append(f"2024-01-0{day}T06-00-00Z")
    archive = Archive(tmp_path / "snapshots")
    taxonomy = load_taxonomy()
    comparisons = Comparisons.of(archive, taxonomy)
    found = history(archive, "flip", "flip", "", taxonomy, comparisons, Memory("test"))
    assert [bool(e.returns_to) for e in found.entries] == [False, False, True, True, False]
    assert found.last_change is not None and found.last_change.stamp == stamps[1]
    atom = runner.invoke(main, ["--config", str(config), "changelog", "--format", "atom"])
    titles = re.findall(r"<title>(.*?)</title>", atom.output)
    assert len(titles) == 1 + 4  # the feed's, then every version but the formatting-only one


def test_a_text_page_shows_headings_lists_and_rows_not_their_markup(demo_report: Path) -> None:
    # Reddit's first version: its headings are headings and its list items items, not lines
    # starting "## " and "- " in a <pre> (a reader counted 2,041 and 7,058 such lines).
    page = (demo_report / "policies" / "reddit" / "text" / "2022-07-11T14-59-57Z.html").read_text()
    text = page.split('<div class="policy-text">', 1)[1].split("</div>", 1)[0]
    assert "<h3>Reddit Privacy Policy</h3>" in text
    assert '<p class="item depth-1">Research and develop new services;</p>' in text
    assert not [line for line in text.splitlines() if re.match(r"\s*(#|- |\| )", line)]
