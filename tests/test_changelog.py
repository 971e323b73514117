"""The changelog of the demo archive, imports of folders and of Open Terms Archive clones."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from itertools import pairwise
from pathlib import Path
from typing import ClassVar

import pytest
from click.testing import CliRunner, Result
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from policywatch.changelog import stated_date
from policywatch.cli import main
from policywatch.inline import word_edits
from policywatch.render.markdown import escape, marked_edits

ROOT = Path(__file__).parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
HISTORY = FIXTURES / "history"
DEMO = ["--config", str(ROOT / "policies.yaml"), "--archive", str(ROOT / "snapshots")]


def demo(*args: str) -> Result:
    return CliRunner().invoke(main, [*DEMO, *args])


@pytest.fixture(scope="module")
def reddit_changelog() -> str:
    result = demo("changelog", "reddit")
    assert result.exit_code == 0, result.output
    return result.output


def test_the_demo_archive_holds_the_shipped_history() -> None:
    for policy in ("tiktok-eea", "reddit", "snapchat"):
        history = json.loads(demo("history", policy, "--format", "json").output)
        assert len(history) >= 20
        assert history[0]["snapshot"] == sorted((HISTORY / policy).glob("*.md"))[0].stem
    assert "Open Terms Archive" in (ROOT / "snapshots" / "README.md").read_text()


def test_the_changelog_is_sound_commonmark(reddit_changelog: str) -> None:
    tokens = MarkdownIt("commonmark").parse(reddit_changelog)
    headings = [
        (tok.tag, tokens[i + 1].content)
        for i, tok in enumerate(tokens)
        if tok.type == "heading_open"
    ]
    assert headings[0] == ("h1", "Privacy policy changelog")
    assert headings[1][0] == "h2" and headings[1][1].startswith("Reddit")
    dates = [text for tag, text in headings if tag == "h3"]
    seen = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})? UTC"  # to the second when a minute has two
    assert dates and all(re.fullmatch(seen, d) for d in dates)
    assert dates == sorted(dates, reverse=True)  # newest first
    assert not [t for t in tokens if t.type == "html_block"]
    inline = [c for t in tokens if t.type == "inline" for c in t.children or []]
    assert not [c for c in inline if c.type == "link_open"]  # no links of the policy's own
    # The only HTML is the changelog's own marks of deleted and inserted words.
    tags = {c.content for c in inline if c.type == "html_inline"}
    assert tags == {"<del>", "</del>", "<ins>", "</ins>"}


def test_every_flagged_clause_is_quoted(reddit_changelog: str) -> None:
    rendered = MarkdownIt("commonmark").render(reddit_changelog)
    plain = re.sub(r"<[^>]+>", "", rendered)
    entries = json.loads(demo("changelog", "reddit", "--format", "json").output)
    flagged = [c for e in entries for c in e["changes"] if c["flags"]]
    assert flagged
    text = html_unescape(plain).lower()
    for change in flagged:
        # The clause is quoted with its edits marked: every flagged term and every word of it
        # is in the rendered entry.
        for flag in change["flags"]:
            for term in flag["terms"]:
                assert " ".join(term.split()).lower() in text, term
        clause = change["new_text"] or change["old_text"]
        assert all(word.lower() in text for word in clause.split()[:12])


def html_unescape(text: str) -> str:
    import html

    return " ".join(html.unescape(text).split())


def test_the_same_archive_gives_byte_identical_output() -> None:
    first = demo("changelog", "snapchat").stdout_bytes
    second = demo("changelog", "snapchat").stdout_bytes
    assert first == second and len(first) > 1000


def test_ranges_and_order() -> None:
    entries = json.loads(
        demo("changelog", "reddit", "--since", "2025-01-01", "--format", "json").output
    )
    assert entries and all(e["date"] >= "2025-01-01" for e in entries)
    oldest = json.loads(
        demo(
            "changelog", "reddit", "--until", "2022-12-31", "--oldest-first", "--format", "json"
        ).output
    )
    assert [e["date"] for e in oldest] == sorted(e["date"] for e in oldest)
    assert oldest[0]["previous"] is None  # the first recorded version
    relative = demo("changelog", "reddit", "--since", "30d", "--now", "2026-08-25T00:00:00Z")
    assert "### 2026-08-20" in relative.output and "### 2026-07-02" not in relative.output
    empty = demo("changelog", "reddit", "--since", "2030-01-01")
    assert empty.exit_code == 0
    assert "No recorded changes since 2030-01-01." in empty.stdout
    assert "no recorded changes" in empty.stderr
    bad = demo("changelog", "reddit", "--since", "yesterday")
    assert bad.exit_code == 2 and "--since: 'yesterday'" in bad.stderr


def test_only_flagged_and_the_policy_date() -> None:
    everything = json.loads(demo("changelog", "tiktok-eea", "--format", "json").output)
    flagged = json.loads(
        demo("changelog", "tiktok-eea", "--only-flagged", "--format", "json").output
    )
    assert 0 < len(flagged) < len(everything)
    assert all(any(c["flags"] for c in e["changes"]) for e in flagged)
    # Only the flagged changes of those entries: as many as the full changelog has.
    assert all(c["flags"] for e in flagged for c in e["changes"])
    flagged_changes = sum(1 for e in everything for c in e["changes"] if c["flags"])
    assert sum(len(e["changes"]) for e in flagged) == flagged_changes
    markdown = demo("changelog", "tiktok-eea", "--only-flagged").output
    assert markdown.count("**⚑ ") >= flagged_changes
    assert "Not shown:" not in markdown
    assert any(e["stated_date_unchanged"] for e in everything)
    assert stated_date("Intro\n\nLast updated: 4 March 2024\n") == "4 March 2024"
    assert stated_date("EFFECTIVE DATE: May 25, 2018") == "May 25, 2018"
    assert stated_date("Valid from 7th of May 2020, updated July 13th, 2026.") == "7th of May 2020"


def test_atom_feed_ids_are_stable(tmp_path: Path) -> None:
    out = tmp_path / "feed.xml"
    first = demo("changelog", "snapchat", "--format", "atom", "-o", str(out))
    assert first.exit_code == 0
    feed = ET.parse(out).getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    ids = [e.text for e in feed.findall("a:entry/a:id", ns)]
    titles = [e.text or "" for e in feed.findall("a:entry/a:title", ns)]
    assert len(ids) == len(set(ids)) >= 12  # re-extractions and formatting-only versions aside
    assert any("NEW" in t for t in titles)
    again = demo("changelog", "snapchat", "--format", "atom").stdout_bytes
    assert again == out.read_bytes()


def test_import_a_folder_of_dated_files(tmp_path: Path) -> None:
    folder = tmp_path / "saved"
    folder.mkdir()
    for page in sorted((HISTORY / "reddit").glob("*.md"))[:5]:
        shutil.copy(page, folder / page.name)
    (folder / "notes.json").write_text("{}")  # not a saved page: left alone
    (tmp_path / "policies.yaml").write_text(
        "policies:\n  - id: reddit\n    url: https://www.redditinc.com/policies/privacy-policy\n"
    )
    result = CliRunner().invoke(
        main,
        [
            "--config",
            str(tmp_path / "policies.yaml"),
            "import",
            "reddit",
            str(folder),
            "--format",
            "json",
        ],
    )
    rows = json.loads(result.output)
    assert len(rows) == 5 and all(r["error"] is None for r in rows)
    assert next(r["snapshot"] for r in rows if r["new_snapshot"]) == "2022-07-11T14-59-57Z"


def make_ota_repo(repo: Path) -> list[str]:
    """A small versions repository built here: three commits of Reddit's real policy."""

    def git(*args: str, date: str = "") -> None:
        env = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date} if date else {}
        subprocess.run(
            [
                "git",
                "-C",
                str(repo),
                "-c",
                "user.name=OTA",
                "-c",
                "user.email=ota@example.org",
                *args,
            ],
            check=True,
            capture_output=True,
            env={**__import__("os").environ, **env},
        )

    repo.mkdir()
    git("init", "-q")
    (repo / "Reddit").mkdir()
    dates = []
    for version in sorted((HISTORY / "reddit").glob("*.md"))[:3]:
        (repo / "Reddit" / "Privacy Policy.md").write_bytes(version.read_bytes())
        (repo / "README.md").write_text(version.stem)  # another file changes too
        when = version.stem[:10] + "T" + version.stem[11:19].replace("-", ":") + "Z"
        git("add", "-A")
        git("commit", "-q", "-m", f"Record {version.stem}", date=when)
        dates.append(version.stem)
    return dates


def test_import_an_open_terms_archive_versions_repository(tmp_path: Path) -> None:
    dates = make_ota_repo(tmp_path / "versions")
    (tmp_path / "policies.yaml").write_text(
        "policies:\n  - id: reddit\n    url: https://www.redditinc.com/policies/privacy-policy\n"
    )
    config = ["--config", str(tmp_path / "policies.yaml")]
    result = CliRunner().invoke(
        main,
        [
            *config,
            "import",
            "reddit",
            "--ota",
            str(tmp_path / "versions"),
            "--service",
            "Reddit",
            "--terms",
            "Privacy Policy",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [r["snapshot"] for r in rows] == dates
    meta = json.loads(CliRunner().invoke(main, [*config, "show", "reddit", "--meta"]).output)
    assert meta["source"] == "ota" and len(meta["commit"]) == 40
    wrong = CliRunner().invoke(
        main,
        [
            *config,
            "import",
            "reddit",
            "--ota",
            str(tmp_path / "versions"),
            "--service",
            "Reddit",
            "--terms",
            "Terms of Service",
        ],
    )
    assert wrong.exit_code == 2 and "no commit holds 'Reddit/Terms of Service.md'" in wrong.stderr
    not_git = CliRunner().invoke(
        main,
        [
            *config,
            "import",
            "reddit",
            "--ota",
            str(tmp_path),
            "--service",
            "Reddit",
            "--terms",
            "Privacy Policy",
        ],
    )
    assert not_git.exit_code == 2 and "not a readable git repository" in not_git.stderr


# ---------------------------------------------------------------------------------------------
# The markdown as people read it, rendered

COMMONMARK = MarkdownIt("commonmark")
GITHUB = MarkdownIt("commonmark").enable(["strikethrough", "table"])  # GFM's extensions


class _Marks(HTMLParser):
    """The quoted clauses of rendered HTML as runs of text, each tagged "del", "ins" or ""
    (the words around). GFM's strikethrough and strong emphasis count as marks too, so a mark
    that only GitHub renders is checked as GitHub shows it."""

    KINDS: ClassVar[dict[str, str]] = {"del": "del", "s": "del", "ins": "ins", "strong": "ins"}

    def __init__(self) -> None:
        super().__init__()
        self.runs: list[tuple[str, str]] = []
        self.inside = ""
        self.quotes = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.inside = self.KINDS.get(tag, self.inside)
        if tag == "blockquote":
            self.quotes += 1
            self.runs.append(("", "\n"))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.KINDS:
            self.inside = ""
        if tag == "blockquote":
            self.quotes -= 1

    def handle_data(self, data: str) -> None:
        if self.quotes:
            self.runs.append((self.inside, data))


def marked_runs(markdown: str) -> list[tuple[str, str]]:
    parser = _Marks()
    parser.feed(GITHUB.render(markdown))
    return [run for run in parser.runs if run[1]]


def test_deletions_and_insertions_render_the_same_under_commonmark_and_github() -> None:
    markdown = demo("changelog", "tiktok-eea").output
    rendered = COMMONMARK.render(markdown)
    assert rendered == GITHUB.render(markdown)
    assert "<del>" in rendered and "<ins>" in rendered
    assert "~~" not in rendered  # a GFM-only mark would show as tildes under CommonMark


def test_a_deletion_and_the_insertion_after_it_are_never_glued_into_one_word() -> None:
    # The real changes of TikTok's policy: "~~Children~~**Users of this experience**" read
    # "ChildrenUsers of this experience".
    runs = marked_runs(demo("changelog", "tiktok-eea").output)
    marked = [(kind, text) for kind, text in runs if kind]
    assert len(marked) > 100
    for (kind, text), (next_kind, next_text) in pairwise(runs):
        if kind and next_kind and kind != next_kind:
            assert text[-1].isspace() or next_text[0].isspace(), (text, next_text)


def small_history(tmp_path: Path, name: str, versions: dict[str, str]) -> list[str]:
    """A policy imported from hand-written markdown files named by their stamps."""
    saved = tmp_path / "saved"
    saved.mkdir()
    for stamp, text in versions.items():
        (saved / f"{stamp}.md").write_text(text)
    (tmp_path / "policies.yaml").write_text(
        f"defaults:\n  min_length: 10\npolicies:\n  - id: p\n    name: {json.dumps(name)}\n"
        "    url: https://example.com/privacy\n"
    )
    config = ["--config", str(tmp_path / "policies.yaml")]
    imported = CliRunner().invoke(main, [*config, "import", "p", str(saved)])
    assert imported.exit_code == 0, imported.output
    return config


def test_words_marked_deleted_and_inserted_stay_apart(tmp_path: Path) -> None:
    config = small_history(
        tmp_path,
        "Example",
        {
            "2026-03-01T06-00-00Z": "# Sharing\n\nWe do not sell your data to brokers.\n",
            "2026-04-01T06-00-00Z": "# Sharing\n\nWe may sell your data to brokers.\n",
        },
    )
    markdown = CliRunner().invoke(main, [*config, "changelog"]).output
    runs = marked_runs(markdown)
    assert [run for run in runs if run[0]] == [("del", "do not"), ("ins", "may")]
    assert " ".join("".join(text for _, text in runs).split()) == (
        "We do not may sell your data to brokers."
    )


def test_headings_read_as_plain_text_and_versions_of_one_day_are_apart(tmp_path: Path) -> None:
    # A markdown file: "\\&amp;" is the five characters "&amp;" in the policy's words.
    policy = "# Terms & Conditions\n\n## Who gets your data\n\nWe share {} with A\\&amp;B.\n"
    config = small_history(
        tmp_path,
        "AT&T Privacy Policy",
        {
            "2026-03-01T06-00-00Z": policy.format("your name"),
            "2026-03-01T18-30-00Z": policy.format("your name and e-mail"),
            "2026-03-01T18-30-05Z": policy.format("your name, e-mail and city"),
        },
    )
    markdown = CliRunner().invoke(main, [*config, "changelog"]).output
    tokens = COMMONMARK.parse(markdown)
    headings = [
        (tok.tag, tokens[i + 1].content, tokens[i + 1].children)
        for i, tok in enumerate(tokens)
        if tok.type == "heading_open"
    ]
    for _, source, _ in headings:
        assert not re.search(r"&#?\w+;", source), source  # no entities in the source
    shown = {(tag, "".join(c.content for c in children or [])) for tag, _, children in headings}
    assert ("h2", "AT&T Privacy Policy (p)") in shown
    assert ("h4", "Modified: Terms & Conditions > Who gets your data") in shown
    days = [text for tag, text in sorted(shown) if tag == "h3"]
    assert len(days) == 3 and all(d.startswith("2026-03-01") for d in days)
    assert len(set(days)) == 3
    # The policy's own "&amp;" stays those five characters: escaped where it could be read.
    assert "A&amp;amp;B" in COMMONMARK.render(markdown)


def test_two_versions_seen_the_same_day_have_their_own_headings() -> None:
    # TikTok's EEA policy changed twice on 2026-07-15.
    tokens = COMMONMARK.parse(demo("changelog", "tiktok-eea").output)
    days = [
        tokens[i + 1].content
        for i, tok in enumerate(tokens)
        if tok.type == "heading_open" and tok.tag == "h3"
    ]
    assert sum(day.startswith("2026-07-15") for day in days) == 2
    assert len(days) == len(set(days))


# Words that would be markup somewhere (at the start or end of a line, in a heading, around
# other words), to build section names and clauses from.
MARKUP_WORDS = st.lists(
    st.sampled_from(
        ["we", "share", "1.", "2)", "#", "##", "-", "+", "=", ">", "*", "*a*", "_a_", "`a`",
         "[a](b)", "![a](b)", "<b>", "</b>", "<http://x>", "http://x", "AT&T", "&amp;", "&#65;",
         "&gt;", "~~a~~", "|", "\\", "a\\", "!", ";", "(top)"]
    ),
    max_size=12,
).map(" ".join)  # fmt: skip


def _plain(children: list[Token]) -> str:
    """An inline token's text as rendered; anything else (emphasis, a link ...) shows as <type>."""
    return "".join(
        c.content
        if c.type in ("text", "text_special")
        else "\n"
        if c.type == "softbreak"
        else f"<{c.type}>"
        for c in children
    )


def test_a_heading_keeps_every_character_of_a_section_name() -> None:
    for name in ("Data sharing #", "Retention ##", "A > B & C", "1. Scope", "<b>Who</b> we are"):
        tokens = COMMONMARK.parse(f"#### Modified: {escape(name)}\n")
        assert [t.type for t in tokens] == ["heading_open", "inline", "heading_close"]
        assert _plain(tokens[1].children or []) == f"Modified: {name}"


@settings(max_examples=300, deadline=None)
@given(name=MARKUP_WORDS)
def test_any_section_name_is_its_heading_as_written(name: str) -> None:
    tokens = COMMONMARK.parse(f"#### Modified: {escape(name)}\n")
    assert [t.type for t in tokens] == ["heading_open", "inline", "heading_close"]
    assert _plain(tokens[1].children or []) == f"Modified: {name}".strip()


@settings(max_examples=300, deadline=None)
@given(old=MARKUP_WORDS, new=MARKUP_WORDS)
def test_any_edit_renders_as_the_old_words_and_the_new_with_only_our_marks(
    old: str, new: str
) -> None:
    assume(old and new)
    tokens = COMMONMARK.parse("> " + marked_edits(word_edits(old, new)) + "\n")
    assert [t.type for t in tokens] == [
        "blockquote_open", "paragraph_open", "inline", "paragraph_close", "blockquote_close"
    ]  # fmt: skip
    children = tokens[2].children or []
    sides: dict[str, list[Token]] = {"old": [], "new": []}
    mark = ""
    for child in children:
        if child.type == "html_inline":
            assert child.content in ("<del>", "</del>", "<ins>", "</ins>")
            mark = "" if child.content.startswith("</") else child.content
            continue
        if mark != "<ins>":
            sides["old"].append(child)
        if mark != "<del>":
            sides["new"].append(child)
    # A space may part a deletion from its replacement: the words are compared without spaces.
    assert "".join(_plain(sides["old"]).split()) == "".join(old.split())
    assert "".join(_plain(sides["new"]).split()) == "".join(new.split())


def test_a_policy_s_own_date_is_the_one_a_line_begins_with() -> None:
    # Snapchat 2023-07-13 opens with "We've updated our Privacy Policy, effective August 15,
    # 2023." above its own "Effective: June 29, 2022"; the next day's says August 15, 2023: its
    # date changed, and the changelog must not say it did not.
    from policywatch.sides import Side

    def stated(stem: str) -> str | None:
        path = HISTORY / "snapchat" / f"{stem}.md"
        return stated_date(Side.of_markdown(stem, path.read_text(encoding="utf-8")).text)

    assert stated("2023-07-13T00-33-56Z") == "June 29, 2022"
    assert stated("2023-07-14T00-33-54Z") == "August 15, 2023"


def test_where_a_change_stands_is_said_as_a_reader_needs_it(tmp_path: Path) -> None:
    # Reddit 2024-02-21 -> 2024-08-17 moves clauses inside "Reddit Is a Public Platform": "moved
    # within" it, not "from" it "to" it. Snapchat's text has no headings: "(no heading)", never
    # "(top)", which reads as the top of the policy.
    from policywatch.render.markdown import render
    from projects import history_comparison

    def compared(policy: str, old: str, new: str) -> str:
        return render(history_comparison(policy, old, new))

    moves = compared("reddit", "2024-02-21T00-33-34Z", "2024-08-17T00-33-32Z")
    assert "#### Moved: within Reddit Privacy Policy > Reddit Is a Public Platform" in moves
    same = [line for line in moves.splitlines() if line.startswith("#### Moved: from")]
    assert all(line.split(" from ")[1].split(" to ")[0] != line.split(" to ")[-1] for line in same)
    snap = compared("snapchat", "2023-07-13T00-33-56Z", "2023-07-14T00-33-54Z")
    assert "#### Modified: (no heading)" in snap and "(top)" not in snap
