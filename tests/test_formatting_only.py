"""A version whose words did not change: archived, marked, and never news.

Real data: two consecutive versions of Reddit's policy (Open Terms Archive, 2024-02-16 and
2024-02-21) whose markdown differs while their words do not, served as text/markdown by a
real HTTP server on 127.0.0.1, with a real JSON webhook for notifications.
"""

from __future__ import annotations

import json
from datetime import UTC
from pathlib import Path

from click.testing import CliRunner, Result
from pytest_httpserver import HTTPServer
from werkzeug import Response

from policywatch.archive import Archive
from policywatch.canonical import from_markdown
from policywatch.cli import main
from policywatch.diff import Side, compare_texts
from policywatch.segment import segment, wording

HISTORY = Path(__file__).parent / "fixtures" / "history" / "reddit"
BEFORE = HISTORY / "2024-02-16T06-34-27Z.md"
AFTER = HISTORY / "2024-02-21T00-33-34Z.md"  # the same words, other markdown
REWORDED = HISTORY / "2024-08-17T00-33-32Z.md"  # words changed
PAGE: dict[str, bytes] = {}


def test_the_pair_differs_in_markdown_but_not_in_words() -> None:
    old, new = from_markdown(BEFORE.read_text()), from_markdown(AFTER.read_text())
    assert BEFORE.read_bytes() != AFTER.read_bytes() and old != new
    assert wording(old) == wording(new)
    comparison = compare_texts(Side("old", old), Side("new", new))
    assert comparison.formatting_only and not comparison.flags
    assert not comparison.reworded  # whatever changed is minor or the same words regrouped


def setup(tmp_path: Path, server: HTTPServer) -> list[str]:
    server.expect_request("/privacy").respond_with_handler(
        lambda request: Response(PAGE["body"], content_type="text/markdown")
    )
    server.expect_request("/hook", method="POST").respond_with_data("ok")
    hook = "json://" + server.url_for("/hook").split("://", 1)[1]
    (tmp_path / "policies.yaml").write_text(
        f"notify:\n  urls: ['{hook}']\n  on: changes\n"
        f"defaults:\n  retries: 0\npolicies:\n"
        f"  - id: reddit\n    url: {server.url_for('/privacy')}\n"
    )
    return ["--config", str(tmp_path / "policies.yaml")]


def run(config: list[str], page: Path, date: str, *args: str) -> Result:
    PAGE["body"] = page.read_bytes()
    return CliRunner().invoke(main, [*config, "check", "--now", date, *args])


def hooks(server: HTTPServer) -> list[dict[str, object]]:
    return [json.loads(request.get_data()) for request, _ in server.log if request.path == "/hook"]


def test_a_formatting_only_version_is_archived_marked_and_never_news(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    config = setup(tmp_path, httpserver)
    assert run(config, BEFORE, "2024-02-16T06:00:00Z").exit_code == 0
    sent = len(hooks(httpserver))

    quiet = run(config, AFTER, "2024-02-21T06:00:00Z", "--quiet", "--exit-code")
    assert quiet.exit_code == 0, quiet.output  # not "changed" for --exit-code
    assert quiet.stdout == ""  # no line under --quiet
    assert len(hooks(httpserver)) == sent  # no notification

    archive = Archive(tmp_path / "snapshots")
    snaps = archive.snapshots("reddit")
    assert len(snaps) == 2  # the archive stays true: the new text is kept
    assert snaps[1].meta["formatting_only"] is True and not snaps[1].meta["technical"]
    assert snaps[1].meta["extractor_version"] >= 3

    history = CliRunner().invoke(main, [*config, "history", "reddit", "--format", "json"])
    assert [r["formatting_only"] for r in json.loads(history.stdout)] == [False, True]
    shown = CliRunner().invoke(main, [*config, "history", "reddit"], terminal_width=200)
    assert "formatting only: no word changed" in shown.stdout

    changelog = CliRunner().invoke(main, [*config, "changelog"]).stdout
    lines = [line for line in changelog.splitlines() if "2024-02-21" in line]
    assert lines == ["- 2024-02-21: formatting only, no word changed (seen 2024-02-21 06:00 UTC)."]
    assert "No changes" not in changelog and "did not." not in changelog
    entries = json.loads(
        CliRunner().invoke(main, [*config, "changelog", "--format", "json"]).stdout
    )
    assert [e["formatting_only"] for e in entries] == [True, False]  # newest first

    # A change of words after it is news again: a line, exit 1 and a message.
    reworded = run(config, REWORDED, "2024-08-17T06:00:00Z", "--quiet", "--exit-code")
    assert reworded.exit_code == 1 and "CHANGED" in reworded.stdout
    assert len(hooks(httpserver)) == sent + 1


def test_check_json_says_formatting_only(tmp_path: Path, httpserver: HTTPServer) -> None:
    config = setup(tmp_path, httpserver)
    run(config, BEFORE, "2024-02-16T06:00:00Z")
    result = run(config, AFTER, "2024-02-21T06:00:00Z", "--format", "json")
    (found,) = json.loads(result.stdout)["results"]
    assert found["status"] == "changed" and found["formatting_only"] is True
    assert not found.get("flags")
    plain = run(config, REWORDED, "2024-08-17T06:00:00Z", "--format", "json")
    assert json.loads(plain.stdout)["results"][0]["formatting_only"] is False


def test_texts_of_an_older_extractor_are_read_as_markdown_until_reextracted(
    tmp_path: Path,
) -> None:
    # Before extractor 3 an imported .md kept its markdown as text and its bytes as .txt.
    (tmp_path / "policies.yaml").write_text(
        "policies:\n  - id: reddit\n    url: https://www.redditinc.com/policies/privacy-policy\n"
    )
    archive = Archive(tmp_path / "snapshots")
    from datetime import datetime

    for name in (BEFORE, AFTER):
        raw = name.read_bytes()
        when = datetime.strptime(name.stem, "%Y-%m-%dT%H-%M-%SZ").replace(tzinfo=UTC)
        archive.write_snapshot(
            "reddit",
            when,
            raw,
            "text",
            raw.decode(),
            {"source": "import", "file": name.name, "extractor_version": 2},
        )
    config = ["--config", str(tmp_path / "policies.yaml")]
    diff = CliRunner().invoke(main, [*config, "diff", "reddit", "--format", "json"])
    report = json.loads(diff.stdout)
    assert report["formatting_only"] is True  # not link targets and emphasis read as words
    assert report["old"]["clauses"] == len(segment(from_markdown(BEFORE.read_text())))
    assert not any(c["reworded"] for c in report["changes"])

    done = CliRunner().invoke(main, [*config, "reextract", "--format", "json"])
    (row,) = json.loads(done.stdout)
    assert row["texts_changed"] == 2 and row["formatting_only"] == 1
    snaps = archive.snapshots("reddit")
    assert snaps[0].raw_path.suffix == ".txt"  # the bytes stay as they were
    assert snaps[1].meta["formatting_only"] and snaps[1].meta["extractor_version"] >= 3
    assert snaps[0].text == from_markdown(BEFORE.read_text())


def test_hyphenation_alone_is_formatting_for_check_as_for_diff(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    # Reddit's real page with "[two-factor authentication]" and "specific opt-out mechanisms"
    # written without hyphens (edited here, by hand, link targets untouched): a diff calls
    # every change minor, so check must not call it news.
    respelled = tmp_path / "respelled.md"
    text = AFTER.read_text()
    respelled.write_text(
        text.replace("[two-factor", "[two factor").replace("specific opt-out", "specific optout")
    )
    old, new = from_markdown(text), from_markdown(respelled.read_text())
    assert wording(old) != wording(new)
    assert compare_texts(Side("old", old), Side("new", new)).formatting_only

    config = setup(tmp_path, httpserver)
    run(config, AFTER, "2024-02-21T06:00:00Z")
    result = run(config, respelled, "2024-03-01T06:00:00Z", "--format", "json")
    (found,) = json.loads(result.stdout)["results"]
    assert found["status"] == "changed" and found["formatting_only"] is True


def test_an_underscore_is_emphasis_not_a_word() -> None:
    # Reddit 2024-02-16's table cells lose the underscores of "_ <br>Log and usage data_" (an
    # emphasis its source never closed): case and punctuation only, a minor edit, not a change
    # of words.
    from projects import history_comparison

    comparison = history_comparison("reddit", "2023-08-01T00-33-43Z", "2024-02-16T00-34-22Z")
    rows = [
        c
        for c in comparison.changes
        if c.old_text and c.new_text and "Log and usage data" in c.new_text
    ]
    assert rows and all(c.minor and not c.reworded for c in rows)


def test_a_page_number_is_no_clause() -> None:
    # Parler's policy as recorded from its PDF keeps the pages' numbers ("1" ... "14") between
    # paragraphs: none of them is a clause, so none is added or removed.
    from policywatch.diff import Side, compare_texts
    from policywatch.segment import segment
    from projects import history_sides

    # Recorded from a PDF.
    old, new = history_sides("parler", "2022-08-27T00-32-17Z", "2024-03-10T18-32-40Z")
    assert sum(line.isdigit() for line in old.text.split("\n")) == 14  # in the text
    assert not [c for c in segment(old.text) if c.text.isdigit()]
    changes = compare_texts(old, new).changes
    assert not [c for c in changes if (c.old_text or c.new_text or "").strip().isdigit()]
    # Hand-written: a number alone that numbers no pages is words: an age in a table of them.
    ages = [Side.of_markdown(v, f"Minimum age\n\n{v}\n\nContact us.\n") for v in ("13", "16")]
    changed = compare_texts(*ages)
    assert not changed.formatting_only and changed.reworded
