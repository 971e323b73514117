"""`policywatch diff`: the faceprints case, the JSON contract, golden pairs, hostile text."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from markdown_it import MarkdownIt

from policywatch.cli import main
from policywatch.diff import Side, compare_texts
from policywatch.sentences import _in_a_row, _plain, _spaced

FIXTURES = Path(__file__).parent / "fixtures"
CASE = FIXTURES / "cases" / "tiktok-us-faceprints"
GOLDEN = Path(__file__).parent / "golden"
GOLDEN_PAIRS = ["12-b54860b8", "11-ba9c390e", "15-9a564ece", "25-a784aa4d", "07-6573f14d"]


def diff(*args: str) -> Result:
    return CliRunner().invoke(main, ["diff", *args])


def test_the_faceprints_paragraph_is_the_one_added_clause() -> None:
    expect = json.loads((CASE / "expect.json").read_text())["before.html -> after.html"]
    result = diff(str(CASE / "before.html"), str(CASE / "after.html"), "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    changes = report["changes"]
    assert len(changes) <= expect["max_changes"]
    added = [c for c in changes if c["kind"] == "added"]
    assert len(added) == 1
    for words in expect["added_clauses_containing"]:
        assert words in added[0]["new_text"]
    assert added[0]["section"] == (
        "What Information We Collect > Automatically Collected Information"
    )
    modified = [c for c in changes if c["kind"] == "modified"]
    assert [c["new_text"] for c in modified] == ["Last updated: Aug 19, 2024"]
    assert {"op": "+", "text": "Aug 19"} in modified[0]["edits"]
    everything = json.dumps(report)
    for noise in expect["must_not_mention"]:
        assert noise not in everything


def test_a_refetch_with_other_wrapper_noise_is_no_change() -> None:
    result = diff(
        str(CASE / "after.html"),
        str(CASE / "after-refetch.html"),
        "--format",
        "json",
        "--exit-code",
    )
    assert result.exit_code == 0
    assert json.loads(result.output)["changes"] == []


def test_exit_code_and_summary_line() -> None:
    result = diff(str(CASE / "before.html"), str(CASE / "after.html"), "--exit-code")
    assert result.exit_code == 1
    assert "\n1 modified, 1 added\n" in result.output
    # The label the JSON gives ("expanded": true: the old version lists keystroke patterns),
    # and the sentence that triggered the flag.
    assert "⚑ EXPANDED biometric (faceprints, voiceprints)\n" in result.output
    assert "“We may collect biometric identifiers and biometric information" in result.output
    assert "biometric: Measurements of your body" in result.output  # the legend, once
    assert result.output.count("Illinois BIPA") == 1
    assert "Last updated: [-Jan 1-]{+Aug 19+}, [-2021-]{+2024+}" in result.output
    assert "unchanged clause(s)" in result.output  # context is folded


def test_side_by_side_and_markdown_render() -> None:
    wide = CliRunner().invoke(
        main,
        ["diff", str(CASE / "before.html"), str(CASE / "after.html"), "--side-by-side"],
        terminal_width=160,
    )
    assert wide.exit_code == 0
    assert re.search(r"Last updated: \[-Jan 1-\].*Last updated: \{\+Aug 19\+\}", wide.output)
    markdown = diff(str(CASE / "before.html"), str(CASE / "after.html"), "--format", "markdown")
    assert (
        "> Last updated: <del>Jan 1</del> <ins>Aug 19</ins>, <del>2021</del> <ins>2024</ins>"
        in (markdown.output)
    )
    assert "#### Added: What Information We Collect > Automatically Collected Information" in (
        markdown.output
    )


def test_policy_text_is_never_markup_escapes_or_html(tmp_path: Path) -> None:
    # Hand-written: hostile text as a policy might carry it.
    # Plain text files: their words are words, whatever markup they look like.
    old = tmp_path / "old.txt"
    new = tmp_path / "new.txt"
    old.write_text("We collect data.\n\nOther clause stays.\n")
    new.write_text(
        "We collect [bold red]data[/] \x1b[2J <script>alert(1)</script> "
        "[click](javascript:alert(1)).\n\nOther clause stays.\n"
    )
    text = diff(str(old), str(new)).output
    assert "[bold red]data[/]" in text and "\x1b" not in text
    markdown = diff(str(old), str(new), "--format", "markdown").output
    assert "<script>" not in markdown and "&lt;script>" in markdown
    rendered = MarkdownIt("commonmark").render(markdown)
    assert "<a " not in rendered and "<script" not in rendered
    assert "[click](javascript:alert(1))" in rendered
    assert "\x1b" not in markdown


def test_diff_id_compares_the_last_two_snapshots(tmp_path: Path) -> None:
    (tmp_path / "policies.yaml").write_text(
        "policies:\n  - id: tiktok-us\n    url: https://www.tiktok.com/legal/privacy\n"
    )
    runner = CliRunner()
    config = ["--config", str(tmp_path / "policies.yaml")]
    for name, at in [("before.html", "2021-05-01"), ("after.html", "2021-06-02")]:
        runner.invoke(main, [*config, "import", "tiktok-us", str(CASE / name), "--at", at])
    result = runner.invoke(main, [*config, "diff", "tiktok-us", "--format", "json"])
    report = json.loads(result.output)
    assert report["old"]["source"] == "tiktok-us@2021-05-01T00-00-00Z"
    assert report["new"]["source"] == "tiktok-us@2021-06-02T00-00-00Z"
    same = runner.invoke(main, [*config, "diff", "tiktok-us@2021-05-15", "tiktok-us~1"])
    assert same.output.rstrip().endswith("no changes")
    bad = runner.invoke(main, [*config, "diff", "tiktok-us~5", "tiktok-us"])
    assert bad.exit_code == 2 and "has only 2 snapshot(s)" in bad.stderr
    missing = runner.invoke(main, [*config, "diff", "nope.md", "tiktok-us"])
    assert missing.exit_code == 2 and "nope.md: no such file" in missing.stderr


@pytest.mark.parametrize(
    "version",
    [
        "tiktok-us@nosuch",
        "tiktok-us~99",
        "tiktok-us@2001-01-01",
        "tiktok-us@2021-06-02T09-09-09Z",
        "ghost@latest",
        "../tiktok-us",
        "nope.md",
    ],
)
def test_a_version_that_names_nothing_is_explained_alone_as_beside_another(
    tmp_path: Path, version: str
) -> None:
    """Issue 14: `diff X` with a bad X said only "give two versions"; `diff X Y` said why."""
    (tmp_path / "policies.yaml").write_text(
        "policies:\n  - id: tiktok-us\n    url: https://www.tiktok.com/legal/privacy\n"
    )
    config = ["--config", str(tmp_path / "policies.yaml")]
    for name, at in [("before.html", "2021-05-01"), ("after.html", "2021-06-02")]:
        CliRunner().invoke(main, [*config, "import", "tiktok-us", str(CASE / name), "--at", at])
    alone = CliRunner().invoke(main, [*config, "diff", version])
    beside = CliRunner().invoke(main, [*config, "diff", version, "tiktok-us"])
    assert beside.exit_code == 2 and "give two versions" not in beside.stderr
    assert (alone.exit_code, alone.stderr) == (beside.exit_code, beside.stderr)
    assert len(alone.stderr.strip().splitlines()) == 1


def test_a_good_version_alone_is_asked_for_its_pair(tmp_path: Path) -> None:
    (tmp_path / "policies.yaml").write_text(
        "policies:\n  - id: tiktok-us\n    url: https://www.tiktok.com/legal/privacy\n"
    )
    config = ["--config", str(tmp_path / "policies.yaml")]
    for name, at in [("before.html", "2021-05-01"), ("after.html", "2021-06-02")]:
        CliRunner().invoke(main, [*config, "import", "tiktok-us", str(CASE / name), "--at", at])
    for version in ("tiktok-us@previous", "tiktok-us~1", str(CASE / "after.html")):
        result = CliRunner().invoke(main, [*config, "diff", version])
        assert result.exit_code == 2 and f"'{version}' is one version" in result.stderr


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("We sell your data.", "we sell your data"),
        ("We  sell -- your\n\ndata", "We sell your data."),  # wide gaps are one gap
        ("We resell your data", "sell your data"),  # whole words only
        ("We sell your database", "sell your data"),
        ("data data sell your data", "sell your data"),  # the longest word stands twice
        ("sell your", "sell your data"),  # the text ends first
        ("your data", "we sell your data"),  # and starts late
        ("We sell" + "-" * 500 + "your data", "we sell your data"),  # a gap past the first look
        ("Wir verkaufen Ihre Daten", "verkaufen ihre daten"),
        ("nothing here", "we sell your data"),
    ],
)
def test_a_sentence_found_in_a_row_as_in_the_whole_folded_text(text: str, sentence: str) -> None:
    """_in_a_row reads only around the longest word, and answers as the whole version folded."""
    needle = _plain(sentence)
    assert _in_a_row(needle.split(), _spaced(text)) == (needle in _plain(text))


def golden_report(pair: str) -> dict[str, object]:
    folder = FIXTURES / "pairs" / pair
    old = Side.of_markdown("old.md", (folder / "old.md").read_text())
    new = Side.of_markdown("new.md", (folder / "new.md").read_text())
    return compare_texts(old, new).to_json()


@pytest.mark.parametrize("pair", GOLDEN_PAIRS)
def test_golden_pairs(pair: str) -> None:
    """Expected JSON reviewed by hand; regenerate with `python tests/test_diff.py` and review."""
    expected = json.loads((GOLDEN / f"{pair}.json").read_text())
    assert golden_report(pair) == expected


if __name__ == "__main__":
    GOLDEN.mkdir(exist_ok=True)
    for name in GOLDEN_PAIRS:
        text = json.dumps(golden_report(name), indent=2, ensure_ascii=False) + "\n"
        (GOLDEN / f"{name}.json").write_text(text)
    sys.exit(0)
