"""The commands people type: import, list, history, show, validate, reextract, and bad input."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from pytest_httpserver import HTTPServer

from policywatch.cli import main
from projects import HISTORY, PAIRS

ROOT = Path(__file__).parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
CASE = FIXTURES / "cases" / "tiktok-us-faceprints"


def run(tmp_path: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--config", str(tmp_path / "policies.yaml"), *args])


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "policies.yaml").write_text(
        "defaults:\n  retries: 0\n  timeout: 2\npolicies:\n"
        "  - id: tiktok-us\n    url: https://www.tiktok.com/legal/privacy\n"
        "  - id: fruitz\n    url: https://fruitz.io/privacy.pdf\n"
    )
    for name, stamp in [
        ("before.html", "2021-05-01T06-00-00Z"),
        ("after.html", "2021-06-02T06-00-00Z"),
        ("after-refetch.html", "2021-06-03T06-00-00Z"),
    ]:
        (tmp_path / f"{stamp}.html").write_bytes((CASE / name).read_bytes())
    return tmp_path


def import_case(project: Path) -> Result:
    files = sorted(str(p) for p in project.glob("2021-*.html"))
    return run(project, "import", "tiktok-us", *files, "--format", "json")


def test_import_dates_files_by_name_and_dedupes(project: Path) -> None:
    result = import_case(project)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [(Path(r["file"]).name, r["new_snapshot"], r["snapshot"], r["error"]) for r in rows] == [
        ("2021-05-01T06-00-00Z.html", True, "2021-05-01T06-00-00Z", None),
        ("2021-06-02T06-00-00Z.html", True, "2021-06-02T06-00-00Z", None),
        ("2021-06-03T06-00-00Z.html", False, None, None),
    ]
    again = json.loads(import_case(project).output)
    assert [r["new_snapshot"] for r in again] == [False, False, False]


def test_import_dates_by_at_or_by_modification_time(project: Path) -> None:
    pdf = project / "fruitz.pdf"
    pdf.write_bytes((FIXTURES / "pdf" / "fruitz-2023-07-25.pdf").read_bytes())
    os.utime(pdf, (1690000000, 1690000000))  # 2023-07-22T04:26:40Z
    newer = project / "fruitz-new.pdf"
    newer.write_bytes((FIXTURES / "pdf" / "fruitz-2024-02-26.pdf").read_bytes())
    first = run(project, "import", "fruitz", str(pdf), "--format", "json")
    second = run(project, "import", "fruitz", str(newer), "--at", "2024-02-26", "--format", "json")
    assert json.loads(first.output)[0]["snapshot"] == "2023-07-22T04-26-40Z"
    assert json.loads(second.output)[0]["snapshot"] == "2024-02-26T00-00-00Z"
    assert (project / "snapshots" / "fruitz" / "2024-02-26T00-00-00Z.pdf").exists()


def test_import_refuses_a_page_that_is_not_a_policy_and_says_why(project: Path) -> None:
    # Hand-written: the text of a Cloudflare challenge page, which arrives with status 200.
    challenge = project / "2021-07-01T00-00-00Z.html"
    challenge.write_text(
        "<html><head><title>Just a moment...</title></head><body>"
        "<p>Checking your browser before accessing www.tiktok.com.</p>"
        '<script src="/cdn-cgi/challenge-platform/h/g/orchestrate/jsch/v1"></script></body></html>'
    )
    result = run(project, "import", "tiktok-us", str(challenge), "--format", "json")
    assert result.exit_code == 3
    row = json.loads(result.output)[0]
    assert row["new_snapshot"] is False and row["error"].startswith("blocked")


def test_history_show_and_list(project: Path) -> None:
    import_case(project)
    history = json.loads(run(project, "history", "tiktok-us", "--format", "json").output)
    assert [h["snapshot"] for h in history] == ["2021-05-01T06-00-00Z", "2021-06-02T06-00-00Z"]
    shown = run(project, "show", "tiktok-us@previous")
    assert shown.exit_code == 0
    assert "Last updated: Jan 1, 2021" in shown.output and "faceprints" not in shown.output
    assert "faceprints and voiceprints" in run(project, "show", "tiktok-us").output
    meta = json.loads(run(project, "show", "tiktok-us", "--meta").output)
    assert meta["source"] == "import" and meta["previous"] == "2021-05-01T06-00-00Z"
    listing = json.loads(run(project, "list", "--format", "json").output)
    rows = {row["id"]: row for row in listing}
    assert rows["tiktok-us"]["snapshots"] == 2 and rows["fruitz"]["snapshots"] == 0
    text = run(project, "list").output
    assert "tiktok-us" in text and "never checked" in text


@pytest.mark.parametrize(
    ("args", "exit_code", "message"),
    [
        (["show", "tiktok-us~9"], 2, "has only 2 snapshot(s)"),
        (["show", "tiktok-us@2020-01-01"], 2, "no snapshot of tiktok-us on or before 2020-01-01"),
        (["show", "nobody"], 2, "no such policy in the archive"),
        (["history", "nobody"], 2, "'nobody': no such policy in the archive"),
        (["history", "fruitz"], 2, "'fruitz': no snapshots yet; `policywatch check fruitz`"),
        (["show", "fruitz"], 2, "'fruitz': no snapshots yet; `policywatch check fruitz`"),
        (["diff", "fruitz"], 2, "'fruitz': no snapshots yet; `policywatch check fruitz`"),
        (["show", "fruitz@previous"], 2, "'fruitz@previous': no snapshots yet; `policywatch"),
        (["diff", "tiktok"], 2, "no such policy in the archive (snapshots/tiktok); did you mean"),
        (["show", "tiktok-uss"], 2, "did you mean tiktok-us?"),
        (["changelog", "nobody"], 2, "'nobody': no such policy in the archive"),
        (["import", "tiktok-us", "missing.html"], 2, "does not exist"),
        (["import", "nobody", "2021-05-01T06-00-00Z.html"], 2, "no policy 'nobody'"),
        (["import", "tiktok-us", "2021-05-01T06-00-00Z.html", "--at", "soon"], 2, "--at: 'soon'"),
        (["check", "tiktok-uss"], 2, "did you mean 'tiktok-us'"),
        (["--config", "nowhere.yaml", "list"], 2, "no such file"),
    ],
)
def test_bad_input_gets_one_line_and_a_non_zero_exit(
    project: Path, args: list[str], exit_code: int, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_case(project)
    monkeypatch.chdir(project)
    result = CliRunner().invoke(
        main, args if args[0] == "--config" else ["--config", "policies.yaml", *args]
    )
    assert result.exit_code == exit_code, result.output
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 or "Usage:" in result.stderr
    assert "Traceback" not in result.stderr


def test_diff_of_a_policy_id_alone_speaks_of_the_id_as_typed(project: Path) -> None:
    # `diff ID` compares ID~1 with ID@latest, but the user typed ID: never name those refs.
    imported = run(project, "import", "tiktok-us", str(project / "2021-05-01T06-00-00Z.html"))
    assert imported.exit_code == 0, imported.output
    result = run(project, "diff", "tiktok-us")
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        "Error: 'tiktok-us': tiktok-us has only 1 snapshot, so nothing to compare it with\n"
    )


def test_policy_and_server_text_is_never_markup(tmp_path: Path, httpserver: HTTPServer) -> None:
    # Hand-written: a page whose title carries rich markup and an escape sequence; it is an
    # access-denied page, so its title ends up in the failure reason printed to the terminal.
    httpserver.expect_request("/p").respond_with_data(
        "<html><head><title>[bold red]Access denied\x1b[2J</title></head><body><p>no</p></body></html>",
        content_type="text/html",
    )
    (tmp_path / "policies.yaml").write_text(
        f"policies:\n  - id: p\n    url: {httpserver.url_for('/p')}\n"
    )
    result = run(tmp_path, "check")
    assert result.exit_code == 3
    assert "[bold red]Access denied" in result.output
    assert "\x1b" not in result.output


def test_validate_fetch_reports_unstable_text_and_missing_selectors(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    pages = iter([(CASE / "before.html").read_bytes(), (CASE / "after.html").read_bytes()])
    httpserver.expect_request("/flaky").respond_with_handler(
        lambda request: __import__("werkzeug").Response(next(pages), content_type="text/html")
    )
    httpserver.expect_request("/stable").respond_with_data(
        (CASE / "after.html").read_bytes(), content_type="text/html"
    )
    (tmp_path / "policies.yaml").write_text(
        "defaults:\n  retries: 0\npolicies:\n"
        f"  - id: flaky\n    url: {httpserver.url_for('/flaky')}\n"
        f"  - id: stable\n    url: {httpserver.url_for('/stable')}\n"
        f"  - id: gone\n    url: {httpserver.url_for('/stable')}\n    select: '#policy'\n"
    )
    result = run(tmp_path, "validate", "--fetch", "--format", "json")
    assert result.exit_code == 3
    rows = {r["policy"]: r for r in json.loads(result.output)}
    assert rows["stable"]["ok"] and rows["stable"]["characters"] > 30000
    assert not rows["flaky"]["ok"] and "differs between two fetches" in rows["flaky"]["summary"]
    assert any("faceprints" in line for line in rows["flaky"]["unstable_lines"])
    assert rows["gone"]["summary"] == "selector matched nothing: #policy"
    assert not (tmp_path / "snapshots").exists()  # validate archives nothing


def test_reextract_command_reports_and_never_makes_news(project: Path) -> None:
    import_case(project)
    config = project / "policies.yaml"
    config.write_text(
        config.read_text().replace(
            "url: https://www.tiktok.com/legal/privacy\n",
            "url: https://www.tiktok.com/legal/privacy\n    ignore: ['^Last updated']\n",
        )
    )
    result = run(project, "reextract", "tiktok-us", "--format", "json", "--now", "2026-01-01")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [
        {
            "policy": "tiktok-us",
            "snapshots": 2,
            "texts_changed": 2,
            "now_same_as_previous": 0,
            "formatting_only": 0,
            "errors": [],
        }
    ]
    assert "Last updated" not in run(project, "show", "tiktok-us").output


def test_the_faceprints_story_through_daily_checks(tmp_path: Path, httpserver: HTTPServer) -> None:
    """before, after, then a refetch of after: two snapshots, and day two says what changed."""
    (tmp_path / "policies.yaml").write_text(
        f"defaults:\n  retries: 0\npolicies:\n  - id: tiktok-us\n"
        f"    url: {httpserver.url_for('/privacy')}\n"
    )
    outputs = []
    for day, page in enumerate(["before.html", "after.html", "after-refetch.html"], start=1):
        httpserver.clear()
        httpserver.expect_request("/privacy").respond_with_data(
            (CASE / page).read_bytes(), content_type="text/html; charset=utf-8"
        )
        result = run(tmp_path, "check", "--now", f"2021-06-0{day}T06:00:00Z", "--exit-code")
        outputs.append((result.exit_code, result.output))
    assert [code for code, _ in outputs] == [1, 1, 0]
    assert "tiktok-us: first snapshot 2021-06-01T06-00-00Z" in outputs[0][1]
    day_two = outputs[1][1]
    assert day_two.startswith("tiktok-us: EXPANDED biometric (")
    assert "faceprints, voiceprints): “We may collect" in day_two
    assert "CHANGED 2021-06-02T06-00-00Z (was 2021-06-01T06-00-00Z): 1 modified, 1 added" in day_two
    assert "0 changed, 0 failed, 1 unchanged" in outputs[2][1]
    snapshots = sorted(p.name for p in (tmp_path / "snapshots" / "tiktok-us").glob("*.md"))
    assert snapshots == ["2021-06-01T06-00-00Z.md", "2021-06-02T06-00-00Z.md"]
    text = (tmp_path / "snapshots" / "tiktok-us" / snapshots[1]).read_text()
    expect = json.loads((CASE / "expect.json").read_text())["before.html -> after.html"]
    for noise in expect["must_not_mention"]:
        assert noise not in text


def test_only_flagged_prints_nothing_unless_a_flag_fired(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    (tmp_path / "policies.yaml").write_text(
        f"defaults:\n  retries: 0\npolicies:\n  - id: tiktok-us\n"
        f"    url: {httpserver.url_for('/privacy')}\n"
    )
    page: dict[str, bytes] = {}
    httpserver.expect_request("/privacy").respond_with_handler(
        lambda request: __import__("werkzeug").Response(page["body"], content_type="text/html")
    )
    outputs = []
    for n, name in enumerate(["before.html", "after.html", "after-refetch.html"], start=1):
        page["body"] = (CASE / name).read_bytes()
        result = run(tmp_path, "check", "--only-flagged", "--now", f"2021-06-0{n}T06:00:00Z")
        assert result.exit_code == 0
        outputs.append(result.output)
    assert outputs[0] == ""  # a first snapshot: nothing flagged
    lines = outputs[1].rstrip("\n").split("\n")  # a line per flag, then the change
    assert lines[0].startswith("tiktok-us: EXPANDED biometric (faceprints, voiceprints): “We")
    assert lines[-1].startswith("tiktok-us: CHANGED 2021-06-02T06-00-00Z")
    assert len(lines) == 4 and all(line.startswith("tiktok-us: ") for line in lines)
    assert outputs[2] == ""


def test_shards_split_the_policies_and_cover_them_all(tmp_path: Path) -> None:
    from policywatch.configfile import load_config
    from policywatch.status import shard

    config = load_config(Path(__file__).parent.parent / "policies.yaml")
    parts = [shard(list(config.policies), f"{i}/3") for i in (1, 2, 3)]
    ids = [p.id for part in parts for p in part]
    assert sorted(ids) == sorted(p.id for p in config.policies) and len(set(ids)) == len(ids)
    assert all(parts)
    (tmp_path / "policies.yaml").write_text("policies: []\n")
    bad = run(tmp_path, "check", "--shard", "4/3")
    assert bad.exit_code == 2 and "--shard: '4/3' is not I/N" in bad.stderr


def test_a_run_with_every_kind_of_outcome_counts_them_and_keeps_config_order(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    """Outcomes are tallied as they arrive (the unchanged are only counted in a text report);
    the JSON report still lists every policy in the config's order."""
    ids = ["zeta", "alpha", "gone", "mid", "beta"]
    (tmp_path / "policies.yaml").write_text(
        "defaults:\n  retries: 0\n  jobs: 3\npolicies:\n"
        + "".join(f"  - id: {i}\n    url: {httpserver.url_for('/' + i)}\n" for i in ids)
    )
    pages = {i: CASE / "before.html" for i in ids}
    httpserver.expect_request("/gone").respond_with_data("no", status=404)
    for i in ids:
        if i != "gone":
            httpserver.expect_request("/" + i).respond_with_handler(
                lambda request, i=i: __import__("werkzeug").Response(
                    pages[i].read_bytes(), content_type="text/html"
                )
            )
    first = run(tmp_path, "check", "--now", "2021-06-01T06:00:00Z")
    assert first.exit_code == 3
    assert first.output.endswith("4 changed, 1 failed, 0 unchanged (5 checked)\n")
    pages["mid"] = CASE / "after.html"
    second = run(tmp_path, "check", "--now", "2021-06-02T06:00:00Z")
    assert second.exit_code == 3
    assert second.output.endswith("1 changed, 1 failed, 3 unchanged (5 checked)\n")
    assert "mid: EXPANDED biometric (" in second.output and "alpha" not in second.output
    report = json.loads(run(tmp_path, "check", "--format", "json", "--now", "2021-06-03").output)
    assert [r["policy"] for r in report["results"]] == ids
    assert [r["status"] for r in report["results"]] == ["unchanged"] * 2 + ["failed"] + [
        "unchanged"
    ] * 2
    # Printing only flagged changes does not hide that a policy could not be fetched.
    quiet = run(tmp_path, "check", "--only-flagged", "--now", "2021-06-04T06:00:00Z")
    assert (quiet.exit_code, quiet.output) == (3, "")


def test_only_flagged_with_exit_code_counts_only_flagged_changes(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    (tmp_path / "policies.yaml").write_text(
        f"defaults:\n  retries: 0\npolicies:\n  - id: tiktok-us\n"
        f"    url: {httpserver.url_for('/privacy')}\n"
    )
    before = (CASE / "before.html").read_bytes()
    # The real page with one word edited by hand: a change that carries no flag.
    pages = [before, before.replace(b"committed to protecting", b"dedicated to protecting")]
    pages.append((CASE / "after.html").read_bytes())  # the faceprints paragraph: flagged
    codes = []
    for day, page in enumerate(pages, start=1):
        httpserver.clear()
        httpserver.expect_request("/privacy").respond_with_data(page, content_type="text/html")
        args = ("check", "--only-flagged", "--exit-code", "--now", f"2021-06-0{day}T06:00:00Z")
        codes.append(run(tmp_path, *args).exit_code)
    assert len(list((tmp_path / "snapshots" / "tiktok-us").glob("*.md"))) == 3
    assert codes == [0, 0, 1]


# Issue 14: a policy's folder or state that cannot be read is never "never checked" or "No
# recorded changes.": the command names the path and the reason and exits 1 (README, Exit status).


@dataclass(frozen=True)
class Ran:
    """What a command run in a process of its own said, named as click's Result names it."""

    exit_code: int
    output: str  # standard output
    stderr: str


def _says_unreadable(result: Result | Ran, path: Path, reason: str) -> None:
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and reason in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    assert "never checked" not in result.output and "No recorded changes" not in result.output


def test_an_unreadable_policy_folder_is_named_by_list_and_changelog(
    tmp_path: Path, as_a_user: Callable[[list[str]], list[str]]
) -> None:
    # Copied, not imported: the shipped archive's real Reddit history, read by every command.
    shutil.copytree(ROOT / "snapshots" / "reddit", tmp_path / "snapshots" / "reddit")
    (tmp_path / "policies.yaml").write_text(
        "policies:\n  - id: reddit\n    url: https://www.reddit.com/policies/privacy-policy\n"
    )
    folder = tmp_path / "snapshots" / "reddit"

    def run_as_a_user(*args: str) -> Ran:
        config = str(tmp_path / "policies.yaml")
        done = subprocess.run(
            as_a_user([sys.executable, "-m", "policywatch", "--config", config, *args]),
            capture_output=True,
            text=True,
            timeout=60,
        )
        return Ran(done.returncode, done.stdout, done.stderr)

    folder.chmod(0o000)
    try:
        listing = run_as_a_user("list")
        changelog = run_as_a_user("changelog")
        history = run_as_a_user("history", "reddit")
    finally:
        folder.chmod(0o755)
    _says_unreadable(listing, folder, "Permission denied")
    _says_unreadable(changelog, folder, "Permission denied")
    _says_unreadable(history, folder, "Permission denied")


def test_a_policy_folder_that_cannot_be_opened_is_named_even_as_root(project: Path) -> None:
    # A link to itself: no process, root included, can open it (ELOOP), unlike chmod 000.
    import_case(project)
    folder = project / "snapshots" / "fruitz"
    folder.symlink_to(folder)
    _says_unreadable(run(project, "list"), folder, "Too many levels of symbolic links")
    _says_unreadable(run(project, "changelog"), folder, "Too many levels of symbolic links")
    _says_unreadable(run(project, "changelog", "fruitz"), folder, "symbolic links")


def test_a_corrupt_state_json_is_named_not_taken_for_never_checked(project: Path) -> None:
    import_case(project)
    state = project / "snapshots" / "tiktok-us" / "state.json"
    for corrupt in (b'{"last_check": "2021-06-03T06:0', b"[1, 2]\n", b"\0" * 64):
        state.write_bytes(corrupt)
        _says_unreadable(run(project, "list"), state, "state.json")
        _says_unreadable(run(project, "list", "--format", "json"), state, "state.json")
        assert state.read_bytes() == corrupt  # reported, never overwritten


def serve_case(tmp_path: Path, httpserver: HTTPServer, page: str, *ids: str) -> None:
    """A page of the faceprints case served at /privacy, and a configuration of these ids that
    all fetch it."""
    httpserver.expect_request("/privacy").respond_with_data(
        (CASE / page).read_bytes(), content_type="text/html"
    )
    url = httpserver.url_for("/privacy")
    entries = "".join(f"  - id: {i}\n    url: {url}\n" for i in ids)
    (tmp_path / "policies.yaml").write_text(f"defaults:\n  retries: 0\npolicies:\n{entries}")


def test_check_fails_a_policy_whose_state_json_is_corrupt_and_keeps_it(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    serve_case(tmp_path, httpserver, "after.html", "tiktok-us", "fine")
    state = tmp_path / "snapshots" / "tiktok-us" / "state.json"
    state.parent.mkdir(parents=True)
    state.write_bytes(b'{"failing_since": "2021-06-0')  # cut off by a hand, not by policywatch
    result = run(tmp_path, "check", "--format", "json", "--now", "2021-06-03T06:00:00Z")
    assert result.exit_code == 3, result.output
    outcomes = {r["policy"]: r for r in json.loads(result.stdout)["results"]}
    assert outcomes["fine"]["status"] == "new"
    assert outcomes["tiktok-us"]["status"] == "failed"
    assert str(state) in outcomes["tiktok-us"]["reason"]
    assert state.read_bytes() == b'{"failing_since": "2021-06-0'
    assert sorted(p.name for p in state.parent.iterdir()) == ["state.json"]  # nothing archived


def test_reextract_says_a_text_changed_only_when_it_did(project: Path) -> None:
    import_case(project)
    same = run(project, "reextract", "tiktok-us", "--now", "2026-01-01")
    assert same.exit_code == 0, same.output
    assert "differently" not in same.output
    assert "tiktok-us: 2 snapshot(s), every text unchanged" in same.output
    config = project / "policies.yaml"
    config.write_text(
        config.read_text().replace(
            "url: https://www.tiktok.com/legal/privacy\n",
            "url: https://www.tiktok.com/legal/privacy\n    ignore: ['^Last updated']\n",
        )
    )
    changed = run(project, "reextract", "tiktok-us", "--now", "2026-01-02")
    assert "tiktok-us: 2 snapshot(s), 2 text(s) re-derived differently" in changed.output
    again = run(project, "reextract", "tiktok-us", "--now", "2026-01-03")
    assert "differently" not in again.output and "every text unchanged" in again.output


def test_global_options_after_the_command(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import_case(project)
    monkeypatch.chdir(project.parent)  # no policies.yaml here: only the options can find it
    config = str(project / "policies.yaml")
    before = CliRunner().invoke(main, ["--config", config, "list", "--format", "json"])
    after = CliRunner().invoke(main, ["list", "--config", config, "--format", "json"])
    short = CliRunner().invoke(main, ["list", "-c", config, "--format", "json"])
    assert after.exit_code == 0, after.output
    assert after.output == before.output == short.output
    moved = project / "elsewhere"
    (project / "snapshots").rename(moved)
    history = CliRunner().invoke(
        main,
        ["history", "tiktok-us", "--format", "json", "--config", config, "--archive", str(moved)],
    )
    assert history.exit_code == 0, history.output
    assert len(json.loads(history.output)) == 2
    # Given on both sides, the one nearer the command wins.
    both = CliRunner().invoke(
        main, ["--config", "nowhere.yaml", "--archive", "nowhere", "history", "tiktok-us",
               "--config", config, "--archive", str(moved)]
    )  # fmt: skip
    assert both.exit_code == 0, both.output
    version = CliRunner().invoke(main, ["list", "--version"])
    assert version.exit_code == 0 and version.output.startswith("policywatch, version ")


def test_diff_only_flagged_shows_the_flagged_changes_alone(tmp_path: Path) -> None:
    # WhatsApp 2026-06 to 2026-07: seven changes, five of them flagged (age checks and parent
    # supervision); Bumble (pair 01): 79 changes, none flagged.
    old, new = (
        HISTORY / "whatsapp" / f"{s}.md" for s in ("2026-06-09T01-02-53Z", "2026-07-03T01-12-33Z")
    )
    every = json.loads(run(tmp_path, "diff", str(old), str(new), "--format", "json").output)
    some = json.loads(
        run(tmp_path, "diff", str(old), str(new), "--format", "json", "--only-flagged").output
    )
    assert [c for c in every["changes"] if c["flags"]] == some["changes"]
    assert 0 < len(some["changes"]) < len(every["changes"])
    assert some["summary_of_all"] == every["summary"] != some["summary"]
    shown = run(tmp_path, "diff", str(old), str(new), "--format", "markdown", "--only-flagged")
    blocks = shown.output.split("\n#### ")[1:]
    assert len(blocks) == len(some["changes"]) and all("⚑" in b for b in blocks)
    # Every format says the counts are of the flagged changes, and gives all of them.
    whole = run(tmp_path, "diff", str(old), str(new)).output
    for output in (
        shown.output,
        run(tmp_path, "diff", str(old), str(new), "--only-flagged").output,
    ):
        assert f"{len(some['changes'])} flagged change(s) shown (" in output
        every_count = output.split(") of all: ", 1)[1].split("\n", 1)[0]
        assert f"\n{every_count}\n" in whole  # the line the whole diff sums up with
    quiet = [str(PAIRS / "01-637c7989" / f"{s}.md") for s in ("old", "new")]
    none = run(tmp_path, "diff", *quiet, "--only-flagged").output
    assert "no flagged change, of all: " in none
    assert run(tmp_path, "diff", *quiet, "--exit-code").exit_code == 1
    assert run(tmp_path, "diff", *quiet, "--exit-code", "--only-flagged").exit_code == 0
    assert run(tmp_path, "diff", str(old), str(new), "--exit-code", "--only-flagged").exit_code == 1


def test_an_id_is_never_offered_as_what_itself_may_mean(tmp_path: Path) -> None:
    # A policy folder with no snapshot (a policy that only ever failed, since removed from the
    # configuration): "no snapshots", with no "did you mean ghost?".
    (tmp_path / "policies.yaml").write_text("policies: []\n")
    (tmp_path / "snapshots" / "ghost").mkdir(parents=True)
    result = CliRunner().invoke(
        main, ["--config", str(tmp_path / "policies.yaml"), "show", "ghost"]
    )
    assert result.exit_code == 2 and "no snapshots" in result.stderr
    assert "did you mean" not in result.stderr


def test_only_flagged_of_two_equal_texts_says_no_changes(tmp_path: Path) -> None:
    # Hand-written: one text twice.
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    a.write_text("We collect your email address.\n")
    b.write_text("We collect your email address.\n")
    said = run(tmp_path, "diff", str(a), str(b), "--only-flagged").output
    assert "no changes" in said and "of no change" not in said


def test_a_diff_of_two_policies_says_so(tmp_path: Path) -> None:
    # The demo archive: Reddit's latest beside Snapchat's is allowed, but seldom meant.
    args = ["--config", str(ROOT / "policies.yaml"), "--archive", str(ROOT / "snapshots")]
    two = CliRunner().invoke(main, [*args, "diff", "reddit", "snapchat", "--format", "json"])
    assert two.exit_code == 0 and "two policies' versions (reddit@" in two.stderr
    json.loads(two.stdout)  # the JSON stays whole on standard output
    one = CliRunner().invoke(main, [*args, "diff", "reddit@previous", "reddit"])
    assert one.exit_code == 0 and "two policies" not in one.stderr


def test_a_check_takes_its_time_once_it_holds_the_lock(
    tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A run that waited for another's lock must not record a time before the other's: the
    # clock is read with the lock held (the clock here tells whether it is).
    from contextlib import contextmanager
    from datetime import UTC, datetime

    from policywatch.archive import Archive
    from policywatch.cli import fetching

    serve_case(tmp_path, httpserver, "before.html", "tiktok-us")
    held = {"lock": False}
    real_lock = Archive.lock

    @contextmanager
    def lock(self: Archive, wait: float = 10.0):  # type: ignore[no-untyped-def]
        with real_lock(self, wait):
            held["lock"] = True
            yield

    monkeypatch.setattr(Archive, "lock", lock)
    before, locked = datetime(2021, 6, 1, 6, tzinfo=UTC), datetime(2021, 6, 1, 7, tzinfo=UTC)
    monkeypatch.setattr(fetching, "now_of", lambda value: locked if held["lock"] else before)
    result = run(tmp_path, "check")
    assert result.exit_code == 0, result.output
    assert "first snapshot 2021-06-01T07-00-00Z" in result.output
