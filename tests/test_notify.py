"""Notifications through Apprise, to a real JSON webhook on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from pytest_httpserver import HTTPServer
from werkzeug import Response

from policywatch.cli import main

CASE = Path(__file__).parent / "fixtures" / "cases" / "tiktok-us-faceprints"


PAGE: dict[str, bytes] = {}


def setup(tmp_path: Path, server: HTTPServer, hook: str, on: str) -> None:
    server.expect_request("/privacy").respond_with_handler(
        lambda request: Response(PAGE["body"], content_type="text/html")
    )
    (tmp_path / "policies.yaml").write_text(
        f"notify:\n  urls: ['{hook}']\n  on: {on}\n"
        f"defaults:\n  retries: 0\npolicies:\n"
        f"  - id: tiktok-us\n    url: {server.url_for('/privacy')}\n"
    )


def day(tmp_path: Path, server: HTTPServer, page: str, date: str) -> Result:
    PAGE["body"] = (CASE / page).read_bytes()
    return CliRunner().invoke(
        main, ["--config", str(tmp_path / "policies.yaml"), "check", "--now", date]
    )


def hooks(server: HTTPServer) -> list[dict[str, object]]:
    return [json.loads(request.get_data()) for request, _ in server.log if request.path == "/hook"]


def test_one_message_per_run_for_flagged_changes_only(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/hook", method="POST").respond_with_data("ok")
    hook = "json://" + httpserver.url_for("/hook").split("://", 1)[1]
    setup(tmp_path, httpserver, hook, "flagged")
    first = day(tmp_path, httpserver, "before.html", "2021-06-01T06:00:00Z")
    assert first.exit_code == 0 and hooks(httpserver) == []  # a first snapshot carries no flag
    second = day(tmp_path, httpserver, "after.html", "2021-06-02T06:00:00Z")
    assert second.exit_code == 0, second.output
    (message,) = hooks(httpserver)
    assert "tiktok-us" in str(message["title"]) and "data-practice" in str(message["title"])
    body = str(message["message"])
    assert "EXPANDED biometric (" in body and "faceprints" in body
    assert "“We may collect" in body  # the sentence that triggered the flag
    third = day(tmp_path, httpserver, "after-refetch.html", "2021-06-03T06:00:00Z")
    assert third.exit_code == 0 and len(hooks(httpserver)) == 1  # nothing new: no message


def test_a_notification_that_fails_is_reported_and_the_archive_kept(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    setup(tmp_path, httpserver, "json://127.0.0.1:9/nobody-listens", "changes")
    result = day(tmp_path, httpserver, "before.html", "2021-06-01T06:00:00Z")
    assert result.exit_code == 0
    assert "notify: at least one notification could not be delivered" in result.stderr
    assert len(list((tmp_path / "snapshots" / "tiktok-us").glob("*.md"))) == 1


def test_notify_settings_are_validated(tmp_path: Path) -> None:
    (tmp_path / "policies.yaml").write_text(
        "notify:\n  urls: ['json://x']\n  on: sometimes\npolicies: []\n"
    )
    result = CliRunner().invoke(main, ["--config", str(tmp_path / "policies.yaml"), "validate"])
    assert result.exit_code == 2
    assert "'sometimes' is not 'changes' or 'flagged'" in result.stderr


def test_a_message_tells_each_thing_a_change_flags_once() -> None:
    # WhatsApp 2022-10 -> 2025-07: flags that say the same (a label and a category) make one
    # line, with how many more clauses say it; past NOTIFY_FLAGS lines, the diff says the rest.
    from policywatch.notify import NOTIFY_FLAGS, compose
    from policywatch.outcome import CHANGED, Outcome
    from projects import history_comparison

    comparison = history_comparison("whatsapp", "2022-10-13T18-33-57Z", "2025-07-03T12-38-19Z")
    flags = [f.to_json() for f in comparison.flags]
    news = {"whatsapp": {"changes": comparison.shown(), "flags": flags}}
    outcome = Outcome("whatsapp", CHANGED, snapshot="2025-07-03T12-38-19Z", previous="x")
    message = compose([outcome], news, "today")
    assert message is not None
    lines = message.body.split("\n")
    said = {(f["category"], f["change"], f.get("expanded"), f.get("narrowed")) for f in flags}
    told = [line for line in lines if line.startswith("  ")]
    assert len(told) == len(said) <= NOTIFY_FLAGS < len(flags)  # 7 things in 23 flags
    assert len({line.split(":")[0] for line in told}) == len(said)
    assert any(line.endswith("more clause(s))") for line in told)


def test_a_message_names_what_it_leaves_to_the_diff(monkeypatch: pytest.MonkeyPatch) -> None:
    # The same seven things of WhatsApp 2025-07, told at most three at a time.
    from policywatch import notify
    from policywatch.outcome import CHANGED, Outcome
    from projects import history_comparison

    comparison = history_comparison("whatsapp", "2022-10-13T18-33-57Z", "2025-07-03T12-38-19Z")
    flags = [f.to_json() for f in comparison.flags]
    monkeypatch.setattr(notify, "NOTIFY_FLAGS", 3)
    outcome = Outcome("whatsapp", CHANGED, snapshot="2025-07-03T12-38-19Z", previous="x")
    news = {"whatsapp": {"changes": comparison.shown(), "flags": flags}}
    message = notify.compose([outcome], news, "today")
    assert message is not None
    told = [line for line in message.body.split("\n") if line.startswith("  ")]
    assert len(told) == 4 and told[-1] == "  and 4 more flag(s): policywatch diff whatsapp"


def test_a_group_of_flags_is_as_severe_as_its_most_severe() -> None:
    # Hand-written: two flags of one label and category, a medium and a high one.
    from policywatch.flag import grouped

    def flag(severity: str, term: str) -> dict[str, object]:
        return {
            "category": "biometric",
            "change": "added",
            "terms": [term],
            "severity": severity,
            "negated": False,
            "was_negated": False,
            "expanded": True,
            "narrowed": False,
        }

    [group] = grouped([flag("medium", "faceprints"), flag("high", "voiceprints")])
    assert group.severity == "high" and group.terms == ("faceprints", "voiceprints")
    assert group.clauses == 2 and group.title() == "EXPANDED biometric (faceprints, voiceprints)"
