"""Policies only a browser can read, and policies spread over several pages.

The page served here builds its text with a script after load, the way TikTok's policies do:
the script fetches the real policy (the faceprints case) and inserts it. Rendered by the
system's Chromium through Playwright; .ci/run installs Chromium when it is missing.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from pytest_httpserver import HTTPServer
from werkzeug import Response

from policywatch import browser as browser_module
from policywatch import pages as pages_module
from policywatch.cli import main

CASE = Path(__file__).parent / "fixtures" / "cases" / "tiktok-us-faceprints"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
needs_chromium = pytest.mark.skipif(
    not (browser_module.available() and Path(CHROMIUM).exists()),
    reason="Chromium and the browser extra are needed (.ci/run installs them)",
)

# Hand-written: an empty application shell whose script fills in the policy, as many sites do.
SHELL = """<!DOCTYPE html><html><head><title>Privacy Policy</title></head><body>
<div id="root"></div>
<noscript>You need to enable JavaScript to run this app.</noscript>
<script>
fetch('/content').then(r => r.text()).then(html => {
  const page = new DOMParser().parseFromString(html, 'text/html');
  const main = document.createElement('main');
  main.innerHTML = page.querySelector('article').outerHTML;
  document.getElementById('root').appendChild(main);
});
</script></body></html>"""


def serve_shell(server: HTTPServer, content: str = "after.html") -> None:
    server.expect_request("/privacy").respond_with_data(SHELL, content_type="text/html")
    server.expect_request("/content").respond_with_handler(
        lambda request: Response((CASE / content).read_bytes(), content_type="text/html")
    )


def check(tmp_path: Path, server: HTTPServer, render: str | None, *args: str) -> Result:
    line = f"    render: {render}\n" if render is not None else ""
    (tmp_path / "policies.yaml").write_text(
        f"defaults:\n  retries: 0\n  timeout: 20\n  chromium: {CHROMIUM}\npolicies:\n"
        f"  - id: tiktok-us\n    url: {server.url_for('/privacy')}\n{line}"
    )
    return CliRunner().invoke(
        main, ["--config", str(tmp_path / "policies.yaml"), "check", "--format", "json", *args]
    )


def archived_text(tmp_path: Path) -> str:
    (text,) = (tmp_path / "snapshots" / "tiktok-us").glob("*.md")
    return text.read_text()


def test_not_rendered_the_check_fails_saying_it_needs_javascript(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    serve_shell(httpserver)
    result = check(tmp_path, httpserver, None)
    assert result.exit_code == 3
    (row,) = json.loads(result.output)["results"]
    assert row["status"] == "failed" and row["reason"].startswith("needs JavaScript")
    assert not list((tmp_path / "snapshots" / "tiktok-us").glob("*.md"))


@needs_chromium
def test_rendered_the_archive_holds_the_policy(tmp_path: Path, httpserver: HTTPServer) -> None:
    serve_shell(httpserver)
    result = check(tmp_path, httpserver, "true")
    assert result.exit_code == 0, result.output
    text = archived_text(tmp_path)
    assert "faceprints and voiceprints" in text and "## What Information We Collect" in text
    (meta,) = (tmp_path / "snapshots" / "tiktok-us").glob("20*.json")
    assert json.loads(meta.read_text())["rendered"] is True


@needs_chromium
def test_auto_picks_the_browser_by_itself(tmp_path: Path, httpserver: HTTPServer) -> None:
    serve_shell(httpserver)
    result = check(tmp_path, httpserver, "auto")
    assert result.exit_code == 0, result.output
    assert "faceprints and voiceprints" in archived_text(tmp_path)
    # A page that needs no script is still fetched plainly, with no browser.
    plain = tmp_path / "plain"
    plain.mkdir()
    httpserver.expect_request("/plain").respond_with_data(
        (CASE / "after.html").read_bytes(), content_type="text/html"
    )
    (plain / "policies.yaml").write_text(
        f"policies:\n  - id: p\n    url: {httpserver.url_for('/plain')}\n    render: auto\n"
    )
    CliRunner().invoke(main, ["--config", str(plain / "policies.yaml"), "check"])
    (meta,) = (plain / "snapshots" / "p").glob("20*.json")
    assert json.loads(meta.read_text())["rendered"] is False


def test_auto_without_the_extra_names_it(
    tmp_path: Path, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The browser extra's absence is simulated: this machine has it installed.
    monkeypatch.setattr(pages_module, "available", lambda: False)
    serve_shell(httpserver)
    result = check(tmp_path, httpserver, "auto")
    (row,) = json.loads(result.output)["results"]
    assert "pip install 'policywatch[browser]'" in row["reason"]


def test_a_missing_chromium_is_a_clear_failure(tmp_path: Path, httpserver: HTTPServer) -> None:
    serve_shell(httpserver)
    (tmp_path / "policies.yaml").write_text(
        "defaults:\n  chromium: /nowhere/chromium\npolicies:\n"
        f"  - id: tiktok-us\n    url: {httpserver.url_for('/privacy')}\n    render: true\n"
    )
    result = CliRunner().invoke(
        main, ["--config", str(tmp_path / "policies.yaml"), "check", "--format", "json"]
    )
    (row,) = json.loads(result.output)["results"]
    if browser_module.available():
        assert row["reason"].startswith("no Chromium at /nowhere/chromium")
    else:
        assert "policywatch[browser]" in row["reason"]


def test_a_two_page_policy_is_one_snapshot_and_a_change_stays_in_its_page(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    second: dict[str, str] = {"page": "before.html"}
    httpserver.expect_request("/main").respond_with_data(
        (CASE / "after.html").read_bytes(), content_type="text/html"
    )
    httpserver.expect_request("/children").respond_with_handler(
        lambda request: Response((CASE / second["page"]).read_bytes(), content_type="text/html")
    )
    urls = [httpserver.url_for("/main"), httpserver.url_for("/children")]
    (tmp_path / "policies.yaml").write_text(
        f"policies:\n  - id: tiktok-us\n    urls: [{urls[0]}, {urls[1]}]\n"
    )
    config = ["--config", str(tmp_path / "policies.yaml")]
    runner = CliRunner()
    first = runner.invoke(main, [*config, "check", "--now", "2021-06-01T06:00:00Z"])
    assert first.exit_code == 0, first.output
    second["page"] = "after.html"
    runner.invoke(main, [*config, "check", "--now", "2021-06-02T06:00:00Z"])
    snapshots = sorted((tmp_path / "snapshots" / "tiktok-us").glob("*.md"))
    assert len(snapshots) == 2
    assert sorted(p.name for p in snapshots[0].parent.glob("*.pages.json")) == [
        "2021-06-01T06-00-00Z.pages.json",
        "2021-06-02T06-00-00Z.pages.json",
    ]
    text = snapshots[1].read_text()
    assert text.startswith(f"# {urls[0]}\n") and f"\n# {urls[1]}\n" in text
    report = json.loads(
        runner.invoke(main, [*config, "diff", "tiktok-us", "--format", "json"]).output
    )
    sections = {c["section"].split(" > ")[0] for c in report["changes"]}
    assert sections == {urls[1]}  # both changes are in the second page's section
    assert any("faceprints" in (c["new_text"] or "") for c in report["changes"])
    # The raw record re-derives the same texts.
    again = runner.invoke(main, [*config, "reextract", "--format", "json"])
    assert json.loads(again.output)[0]["texts_changed"] == 0


def test_a_failing_page_fails_the_whole_policy(tmp_path: Path, httpserver: HTTPServer) -> None:
    httpserver.expect_request("/main").respond_with_data(
        (CASE / "after.html").read_bytes(), content_type="text/html"
    )
    httpserver.expect_request("/gone").respond_with_data("", status=404)
    (tmp_path / "policies.yaml").write_text(
        "defaults:\n  retries: 0\npolicies:\n  - id: tiktok-us\n"
        f"    urls: [{httpserver.url_for('/main')}, {httpserver.url_for('/gone')}]\n"
    )
    result = CliRunner().invoke(
        main, ["--config", str(tmp_path / "policies.yaml"), "check", "--format", "json"]
    )
    (row,) = json.loads(result.output)["results"]
    assert row["status"] == "failed" and "404" in row["reason"]
    assert not list((tmp_path / "snapshots" / "tiktok-us").glob("*.md"))


# Issue 14: validate --fetch gets pages as check does (browser, several pages), so that what it
# says of a policy is what check will archive.


def validate(tmp_path: Path) -> Result:
    return CliRunner().invoke(
        main,
        ["--config", str(tmp_path / "policies.yaml"), "validate", "--fetch", "--format", "json"],
    )


@needs_chromium
def test_validate_fetch_renders_a_policy_as_check_does(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    serve_shell(httpserver)
    checked = check(tmp_path, httpserver, "true")
    assert checked.exit_code == 0, checked.output
    (meta,) = (tmp_path / "snapshots" / "tiktok-us").glob("20*.json")
    result = validate(tmp_path)
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.output)
    assert row["ok"], row["summary"]
    assert row["characters"] == json.loads(meta.read_text())["text_chars"]


def test_validate_fetch_reads_every_page_of_a_several_page_policy(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    second = {"page": "before.html"}
    httpserver.expect_request("/main").respond_with_data(
        (CASE / "after.html").read_bytes(), content_type="text/html"
    )
    httpserver.expect_request("/children").respond_with_handler(
        lambda request: Response((CASE / second["page"]).read_bytes(), content_type="text/html")
    )
    httpserver.expect_request("/gone").respond_with_data("", status=404)
    urls = [httpserver.url_for(p) for p in ("/main", "/children", "/gone")]
    (tmp_path / "policies.yaml").write_text(
        "defaults:\n  retries: 0\npolicies:\n"
        f"  - id: both\n    urls: [{urls[0]}, {urls[1]}]\n"
        f"  - id: half\n    urls: [{urls[0]}, {urls[2]}]\n"
    )
    config = ["--config", str(tmp_path / "policies.yaml")]
    CliRunner().invoke(main, [*config, "check", "both", "--now", "2021-06-01T06:00:00Z"])
    (meta,) = (tmp_path / "snapshots" / "both").glob("20*Z.json")
    result = validate(tmp_path)
    assert result.exit_code == 3, result.output
    rows = {r["policy"]: r for r in json.loads(result.output)}
    assert rows["both"]["ok"], rows["both"]["summary"]
    assert rows["both"]["characters"] == json.loads(meta.read_text())["text_chars"]
    assert not rows["half"]["ok"] and "404" in rows["half"]["summary"]
    # The second page's changes between two fetches are the policy's too.
    pages = iter(["before.html", "after.html"])
    httpserver.clear()
    httpserver.expect_request("/main").respond_with_data(
        (CASE / "after.html").read_bytes(), content_type="text/html"
    )
    httpserver.expect_request("/children").respond_with_handler(
        lambda request: Response((CASE / next(pages)).read_bytes(), content_type="text/html")
    )
    (tmp_path / "policies.yaml").write_text(
        f"defaults:\n  retries: 0\npolicies:\n  - id: both\n    urls: [{urls[0]}, {urls[1]}]\n"
    )
    (row,) = json.loads(validate(tmp_path).output)
    assert not row["ok"] and "differs between two fetches" in row["summary"]
    assert any("faceprints" in line for line in row["unstable_lines"])
