"""What people read in a terminal, and in a file or a cron mail when the output is piped."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result
from pytest_httpserver import HTTPServer
from rich.cells import cell_len

from policywatch.cli import main

ROOT = Path(__file__).parent.parent
DEMO = ["--config", str(ROOT / "policies.yaml"), "--archive", str(ROOT / "snapshots")]
CASE = Path(__file__).parent / "fixtures" / "cases" / "tiktok-us-faceprints"
PIPED = {"COLUMNS": "80"}  # what rich reads when standard output is a file and no terminal
# A terminal that policywatch cannot see is one (output through `less -R`, CI logs):
FORCED = {"TTY_COMPATIBLE": "1", "FORCE_COLOR": "1", "TERM": "xterm-256color", "COLUMNS": "60"}
# A real sign-in redirect: the path carries a token longer than any terminal line.
TOKEN = "aHR0cHM6Ly93d3cuZXhhbXBsZS5jb20vbGVnYWwvcHJpdmFjeS1wb2xpY3k_c2Vzc2lvbj0xMjM0NTY3ODkw"


def invoke(args: list[str], env: dict[str, str]) -> Result:
    unset: dict[str, str | None] = {"NO_COLOR": None, "FORCE_COLOR": None, "TTY_COMPATIBLE": None}
    return CliRunner().invoke(main, args, env={**unset, **env})


def login_redirect(tmp_path: Path, httpserver: HTTPServer) -> list[str]:
    """A policy whose page now sends people to sign in: `list` shows why, with the path."""
    httpserver.expect_request("/privacy").respond_with_data(
        "", status=302, headers={"Location": f"/sso/continue/{TOKEN}"}
    )
    httpserver.expect_request(f"/sso/continue/{TOKEN}").respond_with_data(
        (CASE / "after.html").read_bytes(), content_type="text/html"
    )
    (tmp_path / "policies.yaml").write_text(
        "defaults:\n  retries: 0\npolicies:\n"
        f"  - id: tiktok-us\n    url: {httpserver.url_for('/privacy')}\n"
    )
    config = ["--config", str(tmp_path / "policies.yaml")]
    checked = invoke([*config, "check"], PIPED)
    assert checked.exit_code == 3 and "redirected to a login page" in checked.output
    return config


def test_piped_tables_are_one_line_a_row_unpadded_with_long_words_whole(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    listing = invoke([*login_redirect(tmp_path, httpserver), "list"], PIPED).output
    lines = listing.splitlines()
    assert len(lines) == 2  # the header and the one policy
    assert all(line == line.rstrip() for line in lines)
    assert f"/sso/continue/{TOKEN})" in lines[1]

    history = invoke([*DEMO, "history", "reddit"], PIPED).output.splitlines()
    rows = json.loads(invoke([*DEMO, "history", "reddit", "--format", "json"], PIPED).output)
    assert len(history) == 2 + len(rows)  # a title, the header, one line per snapshot
    assert all(line == line.rstrip() for line in history)
    technical = [line for line in history if "technical" in line]
    assert len(technical) == sum(row["technical"] for row in rows)
    assert all("technical (re-extraction), not a policy change" in t for t in technical)
    columns = history[1].index("characters"), history[1].index("note")
    for line in history[2:]:  # still columns a person can read down
        assert line[columns[0] - 2 : columns[0]] == "  "
        assert len(line) < columns[1] or line[columns[1] - 2 : columns[1]] == "  "


def test_tables_on_a_terminal_use_its_width(tmp_path: Path, httpserver: HTTPServer) -> None:
    from rich.text import Text

    for args in (
        [*login_redirect(tmp_path, httpserver), "list"],
        [*DEMO, "history", "reddit"],
        [*DEMO, "taxonomy"],
    ):
        shown = invoke(args, FORCED).output
        assert "\x1b[" in shown  # a terminal: styled
        widths = [cell_len(Text.from_ansi(line).plain) for line in shown.splitlines()]
        assert 50 < max(widths) <= 60, args


def test_no_color_means_no_escape_sequence_even_on_a_forced_terminal(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    config = login_redirect(tmp_path, httpserver)
    for args in (
        [*config, "list"],
        [*config, "check"],
        [*DEMO, "history", "reddit"],
        [*DEMO, "taxonomy"],
        [*DEMO, "diff", "reddit"],
        [*DEMO, "diff", "reddit", "--side-by-side"],
    ):
        shown = invoke(args, {**FORCED, "NO_COLOR": "1"})
        assert shown.output.strip(), args
        assert "\x1b" not in shown.output, args
    # Set but empty, NO_COLOR asks for nothing (no-color.org).
    assert "\x1b[" in invoke([*DEMO, "taxonomy"], {**FORCED, "NO_COLOR": ""}).output


def test_a_piped_diff_keeps_each_line_whole(tmp_path: Path) -> None:
    # Hand-written: a clause naming the long address of an opt-out form.
    url = f"https://privacy.example.com/requests/opt-out/{TOKEN}?locale=en-GB&channel=web"
    old, new = tmp_path / "old.txt", tmp_path / "new.txt"
    old.write_text(f"To opt out, write to us or use {url} at any time.\n")
    new.write_text(f"To opt out, use {url} at any time, or call us.\n")
    piped = invoke(["diff", str(old), str(new)], PIPED).output
    assert url in piped
    assert all(line == line.rstrip() for line in piped.splitlines())


def test_a_check_line_tells_each_thing_a_change_flags_once() -> None:
    # WhatsApp 2022-10 -> 2025-07 raises 23 flags, many in tables the policy repeats: the check
    # prints a line per label and category, each led by the id, at most CHECK_FLAGS of them.
    from policywatch.outcome import CHANGED, Outcome
    from policywatch.render.terminal import CHECK_FLAGS, outcome_line
    from projects import history_comparison

    comparison = history_comparison("whatsapp", "2022-10-13T18-33-57Z", "2025-07-03T12-38-19Z")
    flags = [f.to_json() for f in comparison.flags]
    said = {
        (f["category"], f["change"], bool(f.get("expanded")), bool(f.get("narrowed")))
        for f in flags
    }
    assert len(flags) > len(said) > CHECK_FLAGS
    news = {"changes": comparison.shown(), "flags": flags}
    outcome = Outcome("whatsapp", CHANGED, snapshot="2025-07-03T12-38-19Z", previous="x")
    lines = outcome_line(outcome, news).plain.splitlines()
    assert all(line.startswith("whatsapp: ") for line in lines)
    assert len(lines) == CHECK_FLAGS + 2
    assert lines[-2] == (
        f"whatsapp: and {len(said) - CHECK_FLAGS} more flag(s): policywatch diff whatsapp"
    )
    assert lines[-1].startswith("whatsapp: CHANGED 2025-07-03T12-38-19Z (was x): ")
    titles = [line.split(":")[1] for line in lines[:-2]]
    assert len(set(titles)) == len(titles)  # each said once
    assert any("more clause(s))" in line for line in lines)


def test_a_check_line_counts_changes_as_the_diff_does() -> None:
    # Reddit 2026-01 -> 2026-07 has two minor edits: the diff says "21 modified, ...; 2 minor",
    # and the check line and the notification must not say 23 modified.
    from policywatch.comparison import counts_line
    from policywatch.notify import compose
    from policywatch.outcome import CHANGED, Outcome
    from policywatch.render.diffview import summary_line
    from policywatch.render.terminal import outcome_line
    from projects import history_comparison

    comparison = history_comparison("reddit", "2026-01-15T00-49-51Z", "2026-07-02T12-51-46Z")
    summary = comparison.summary()
    assert summary["minor"] == 2 and summary["modified"] == 23  # the JSON counts every one
    said = summary_line(comparison)
    assert said.startswith("21 modified, ") and said.endswith("; 2 minor (case, punctuation)")
    assert counts_line(comparison.shown()) == said
    news = {"changes": comparison.shown(), "flags": []}
    outcome = Outcome("reddit", CHANGED, snapshot="2026-07-02T12-51-46Z", previous="x")
    assert outcome_line(outcome, news).plain.endswith(f"(was x): {said}")
    message = compose([outcome], {"reddit": news}, "today")
    assert message is not None and f"reddit: changed ({said})" in message.body


def test_blocks_split_or_merged_read_word_by_word() -> None:
    # WhatsApp 2022-10 -> 2025-07 merges and splits blocks: piped, they read word by word as
    # the markdown shows them, not as whole blocks whose marks close on lines of their own.
    from projects import HISTORY

    old, new = (
        HISTORY / "whatsapp" / f"{s}.md" for s in ("2022-10-13T18-33-57Z", "2025-07-03T12-38-19Z")
    )
    piped = invoke(["diff", str(old), str(new)], PIPED).output
    lines = piped.splitlines()
    grouped = [i for i, line in enumerate(lines) if line.startswith(("> merged", "< split"))]
    assert grouped
    assert not [line for line in lines if line.lstrip().startswith(("-]", "+}"))]


def test_a_flags_terms_are_marked_where_they_stand_as_words(tmp_path: Path) -> None:
    # Hand-written: an item under "We may sell the following information:" carries the
    # lead-in's flag, whose "sell" it does not hold; the "sell" of "Reseller" is no term.
    old = tmp_path / "old.md"
    new = tmp_path / "new.md"
    old.write_text("# Privacy\n\nWe are a company that makes a website for people.\n")
    new.write_text(
        old.read_text()
        + "\nWe may sell the following information:\n\n- Reseller and wholesale ratings\n"
    )
    shown = invoke(["diff", str(old), str(new)], {**FORCED, "COLUMNS": "120"}).output
    # TERM_STYLE (bold reverse) over the insertion's bold underlined green:
    assert "We may \x1b[0m\x1b[1;4;7;32msell\x1b[0m" in shown  # where the term stands
    assert "\x1b[1;4;32mReseller and wholesale ratings\x1b[0m" in shown  # unmarked, whole
    assert shown.count("NEW sale_sharing_ads") == 2  # the lead-in's flag and the item's
