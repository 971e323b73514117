"""`policywatch check` end to end against a real HTTP server on 127.0.0.1.

Bodies are the real fixture pages (tests/fixtures); a hand-written body appears only where no
fixture fits, and says so. pytest-httpserver serves ordinary replies; a bare threaded TCP server
does what it cannot: stall, stream a body without Content-Length, cut a body off.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import socketserver
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from werkzeug.datastructures import Headers
from werkzeug.wrappers import Request, Response

from policywatch.cli import main
from policywatch.snapshot import STAMP

FIXTURES = Path(__file__).parent / "fixtures"
TIKTOK = FIXTURES / "cases" / "tiktok-us-faceprints"
BEFORE = (TIKTOK / "before.html").read_bytes()
AFTER = (TIKTOK / "after.html").read_bytes()
AFTER_REFETCH = (TIKTOK / "after-refetch.html").read_bytes()
PDF = (FIXTURES / "pdf" / "fruitz-2023-07-25.pdf").read_bytes()
# Zoosk, with the selectors from its manifest.json.
ZOOSK = (FIXTURES / "snapshots" / "zoosk" / "038-2024-11-17T00-33-54Z.html").read_bytes()
ZOOSK_SELECT = {"select": ".legal__inner", "remove": "#ot-sdk-btn"}
# Match UK: on 2024-04-24 the policy URL served the site's home page (13k characters of text
# instead of 30k): a real page whose text shrank by more than half.
MATCH_POLICY = (FIXTURES / "snapshots" / "match" / "008-2023-09-07T12-34-01Z.html").read_bytes()
MATCH_HOME = (FIXTURES / "snapshots" / "match" / "009-2024-04-24T00-32-59Z.html").read_bytes()
# Meetic's French policy: all its characters exist in windows-1252 (é, à, ’, œ ...), so its text
# re-encoded to cp1252 is a real single-byte page.
MEETIC_CP1252 = (
    (FIXTURES / "snapshots" / "meetic" / "022-2026-03-11T00-32-23Z.html")
    .read_text(encoding="utf-8")
    .encode("cp1252")
)

# Hand-written: no fixture is a bot challenge. Modelled on Cloudflare's managed-challenge page.
CHALLENGE = b"""<!DOCTYPE html><html lang="en-US"><head><title>Just a moment...</title>
<meta http-equiv="refresh" content="390"></head><body>
<div class="main-wrapper" role="main"><div class="main-content">
<h1 class="zone-name-title h1">www.example.com</h1>
<h2 class="h2" id="challenge-running">Checking if the site connection is secure</h2>
<noscript><div class="h2"><span id="challenge-error-text">Enable JavaScript and cookies to
continue</span></div></noscript></div></div>
<script>(function(){window._cf_chl_opt={cvId:'3',cType:'managed'};var a=document.createElement(
'script');a.src='/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1?ray=8a1b2c3d4e5f6789';
document.getElementsByTagName('head')[0].appendChild(a);}());</script></body></html>"""

DAYS = [f"2026-06-0{day}T06:00:00Z" for day in range(1, 6)]
# Small enough that retries and timeouts cost milliseconds, not minutes.
FAST = {"timeout": 0.5, "backoff": 0.01, "retries": 2, "max_retry_after": 2}


def stamp(moment: str) -> str:
    """The snapshot stamp of a --now time: 2026-06-01T06:00:00Z -> 2026-06-01T06-00-00Z."""
    return moment.replace(":", "-")


def snapshot_names(moment: str, raw: str = ".html") -> set[str]:
    return {stamp(moment) + suffix for suffix in (raw, ".md", ".json")}


# ---------------------------------------------------------------------------------------------
# Servers


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


class Site:
    """A pytest-httpserver site: each path answers its replies in turn (the last one repeats).

    Like a real server, a 200 reply carrying an ETag or Last-Modified becomes a 304 when the
    request brings the matching If-None-Match or If-Modified-Since.
    """

    def __init__(self, httpserver: Any) -> None:
        self.httpserver = httpserver
        self.routes: dict[str, deque[Reply]] = {}
        self.seen: list[tuple[str, Headers]] = []
        httpserver.expect_request(re.compile(r"^/")).respond_with_handler(self._handle)

    def url(self, path: str) -> str:
        return str(self.httpserver.url_for(path))

    def serve(self, path: str, *replies: Reply) -> None:
        self.routes[path] = deque(replies)

    def requests(self, path: str) -> list[Headers]:
        """The headers of each request made for path, oldest first."""
        return [headers for seen_path, headers in self.seen if seen_path == path]

    def _handle(self, request: Request) -> Response:
        self.seen.append((request.path, Headers(request.headers)))
        replies = self.routes.get(request.path)
        if not replies:
            return Response(b"no such page", status=404)
        reply = replies.popleft() if len(replies) > 1 else replies[0]
        headers = dict(reply.headers)
        etag, modified = headers.get("ETag"), headers.get("Last-Modified")
        if reply.status == 200 and (
            (etag and request.headers.get("If-None-Match") == etag)
            or (modified and request.headers.get("If-Modified-Since") == modified)
        ):
            return Response(status=304, headers=headers)
        return Response(
            reply.body, status=reply.status, headers=headers, content_type=reply.content_type
        )


@pytest.fixture
def site(httpserver: Any) -> Site:
    return Site(httpserver)


class RawServer:
    """A threaded TCP server on 127.0.0.1 for replies pytest-httpserver cannot make.

    respond(server, connection, attempt) writes the raw HTTP response; attempt counts from 1.
    """

    def __init__(self, respond: Callable[[RawServer, socket.socket, int], None]) -> None:
        self.respond = respond
        self.connections = 0
        self.release = threading.Event()  # set at teardown: stalled handlers return at once
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = self.request.recv(4096)
                    if not chunk:
                        return
                    data += chunk
                outer.connections += 1
                # OSError: the client hung up first, as it should on a body that is too large.
                with contextlib.suppress(OSError):
                    outer.respond(outer, self.request, outer.connections)

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/privacy"

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def raw_server() -> Any:
    started: list[RawServer] = []

    def start(respond: Callable[[RawServer, socket.socket, int], None]) -> RawServer:
        server = RawServer(respond)
        started.append(server)
        return server

    yield start
    for server in started:
        server.close()


def _head(**headers: str) -> bytes:
    lines = ["HTTP/1.1 200 OK", "Content-Type: text/html; charset=utf-8", "Connection: close"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


def stall_before_headers(server: RawServer, conn: socket.socket, attempt: int) -> None:
    server.release.wait(10)


def stall_mid_body(server: RawServer, conn: socket.socket, attempt: int) -> None:
    conn.sendall(_head(Content_Length=str(len(AFTER))) + AFTER[: len(AFTER) // 2])
    server.release.wait(10)


def stream_chunked(server: RawServer, conn: socket.socket, attempt: int) -> None:
    conn.sendall(_head(Transfer_Encoding="chunked"))
    for start in range(0, len(AFTER), 4096):
        piece = AFTER[start : start + 4096]
        conn.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
    conn.sendall(b"0\r\n\r\n")


def cut_off_halfway(server: RawServer, conn: socket.socket, attempt: int) -> None:
    conn.sendall(_head(Content_Length=str(len(AFTER))) + AFTER[: len(AFTER) // 2])
    # returning closes the connection: the body ends half-way through its Content-Length


# ---------------------------------------------------------------------------------------------
# Running `policywatch check`


def write_config(tmp_path: Path, *policies: dict[str, Any], **defaults: Any) -> Path:
    path = tmp_path / "policies.yaml"
    config = {"defaults": {**FAST, **defaults}, "policies": list(policies)}
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


@dataclass(frozen=True)
class Run:
    exit_code: int
    stdout: str
    seconds: float
    results: dict[str, dict[str, Any]]  # by policy id; empty unless --format json


def check(cfg: Path, now: str = DAYS[0], *args: str, json_out: bool = True) -> Run:
    argv = ["--config", str(cfg), "check", "--now", now, *args]
    if json_out:
        argv += ["--format", "json"]
    started = time.monotonic()
    result = CliRunner().invoke(main, argv)
    seconds = time.monotonic() - started
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    results = {}
    if json_out:
        report = json.loads(result.stdout)
        assert report["checked_at"] == now
        results = {r["policy"]: r for r in report["results"]}
    return Run(result.exit_code, result.stdout, seconds, results)


def snapshot_files(cfg: Path, policy_id: str) -> dict[str, bytes]:
    """The policy's snapshot files (raw, text, metadata) by name, with their bytes."""
    folder = cfg.parent / "snapshots" / policy_id
    if not folder.is_dir():
        return {}
    return {
        p.name: p.read_bytes() for p in folder.iterdir() if STAMP.fullmatch(p.name.split(".")[0])
    }


def text_of(cfg: Path, policy_id: str, moment: str) -> str:
    return (cfg.parent / "snapshots" / policy_id / f"{stamp(moment)}.md").read_text("utf-8")


def meta_of(cfg: Path, policy_id: str, moment: str) -> dict[str, Any]:
    path = cfg.parent / "snapshots" / policy_id / f"{stamp(moment)}.json"
    return dict(json.loads(path.read_text("utf-8")))


def check_lines(cfg: Path, policy_id: str) -> list[dict[str, Any]]:
    path = cfg.parent / "snapshots" / policy_id / "checks.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def one_policy(tmp_path: Path, site: Site, path: str = "/privacy", **fields: Any) -> Path:
    return write_config(tmp_path, {"id": "tiktok", "url": site.url(path), **fields})


# ---------------------------------------------------------------------------------------------
# A plain 200


def test_first_check_archives_raw_text_and_metadata(tmp_path: Path, site: Site) -> None:
    site.serve("/privacy", Reply(body=AFTER))
    cfg = one_policy(tmp_path, site)

    run = check(cfg)

    assert run.exit_code == 0
    result = run.results["tiktok"]
    assert (result["status"], result["snapshot"], result["previous"]) == (
        "new",
        stamp(DAYS[0]),
        None,
    )
    files = snapshot_files(cfg, "tiktok")
    assert set(files) == snapshot_names(DAYS[0])
    assert files[f"{stamp(DAYS[0])}.html"] == AFTER
    meta = meta_of(cfg, "tiktok", DAYS[0])
    assert (meta["status"], meta["content_type"], meta["final_url"]) == (
        200,
        "text/html",
        site.url("/privacy"),
    )


def test_archived_text_has_the_policy_but_not_the_page_chrome(tmp_path: Path, site: Site) -> None:
    site.serve("/privacy", Reply(body=AFTER))
    cfg = one_policy(tmp_path, site)

    check(cfg)

    text = text_of(cfg, "tiktok", DAYS[0])
    assert "faceprints and voiceprints" in text
    for chrome in (
        "We use cookies to improve your experience",  # cookie banner
        "Page served by",  # footer
        "Download the app",  # navigation
        "Try TikTok Shop",  # rotating promo
    ):
        assert chrome not in text


# ---------------------------------------------------------------------------------------------
# Conditional requests


def test_etag_revalidation_gets_304_and_archives_nothing(tmp_path: Path, site: Site) -> None:
    site.serve("/privacy", Reply(body=AFTER, headers={"ETag": '"v1"'}))
    cfg = one_policy(tmp_path, site)
    check(cfg, DAYS[0])
    files = snapshot_files(cfg, "tiktok")

    run = check(cfg, DAYS[1])

    assert site.requests("/privacy")[1].get("If-None-Match") == '"v1"'
    result = run.results["tiktok"]
    assert (result["status"], result["not_modified"], result["snapshot"]) == (
        "unchanged",
        True,
        None,
    )
    assert result["previous"] == stamp(DAYS[0])
    assert snapshot_files(cfg, "tiktok") == files
    assert len(check_lines(cfg, "tiktok")) == 2


def test_last_modified_revalidation_gets_304_and_archives_nothing(
    tmp_path: Path, site: Site
) -> None:
    modified = "Tue, 26 May 2026 08:00:00 GMT"
    site.serve("/privacy", Reply(body=AFTER, headers={"Last-Modified": modified}))
    cfg = one_policy(tmp_path, site)
    check(cfg, DAYS[0])
    files = snapshot_files(cfg, "tiktok")

    run = check(cfg, DAYS[1])

    assert site.requests("/privacy")[1].get("If-Modified-Since") == modified
    result = run.results["tiktok"]
    assert (result["status"], result["not_modified"]) == ("unchanged", True)
    assert snapshot_files(cfg, "tiktok") == files


def test_conditional_headers_are_sent_only_once_a_snapshot_exists(
    tmp_path: Path, site: Site
) -> None:
    validators = {"ETag": '"v1"', "Last-Modified": "Tue, 26 May 2026 08:00:00 GMT"}
    cfg = one_policy(tmp_path, site)
    # Day 1: a challenge page with validators is refused, so no snapshot exists afterwards.
    site.serve("/privacy", Reply(body=CHALLENGE, headers=validators))
    assert check(cfg, DAYS[0]).results["tiktok"]["status"] == "failed"
    site.serve("/privacy", Reply(body=AFTER, headers=validators))
    assert check(cfg, DAYS[1]).results["tiktok"]["status"] == "new"
    assert check(cfg, DAYS[2]).results["tiktok"]["not_modified"] is True

    sent = [(h.get("If-None-Match"), h.get("If-Modified-Since")) for h in site.requests("/privacy")]
    assert sent == [(None, None), (None, None), tuple(validators.values())]


# ---------------------------------------------------------------------------------------------
# Status codes


def test_redirect_chain_is_followed_and_final_url_recorded(tmp_path: Path, site: Site) -> None:
    site.serve("/old", Reply(301, headers={"Location": site.url("/older")}))
    site.serve("/older", Reply(301, headers={"Location": site.url("/privacy")}))
    site.serve("/privacy", Reply(body=AFTER))
    cfg = one_policy(tmp_path, site, "/old")

    run = check(cfg)

    assert run.results["tiktok"]["status"] == "new"
    meta = meta_of(cfg, "tiktok", DAYS[0])
    assert (meta["url"], meta["final_url"]) == (site.url("/old"), site.url("/privacy"))
    assert [path for path, _ in site.seen] == ["/old", "/older", "/privacy"]


def test_404_fails_without_retrying_and_leaves_the_archive_alone(
    tmp_path: Path, site: Site
) -> None:
    site.serve("/privacy", Reply(body=AFTER))
    cfg = one_policy(tmp_path, site)
    check(cfg, DAYS[0])
    files = snapshot_files(cfg, "tiktok")
    site.serve("/privacy", Reply(404, body=b"Not Found"))

    run = check(cfg, DAYS[1])

    assert run.exit_code == 3
    assert run.results["tiktok"]["status"] == "failed"
    assert "404" in run.results["tiktok"]["reason"]
    assert len(site.requests("/privacy")) == 2  # one per day: a 404 is not retried
    assert snapshot_files(cfg, "tiktok") == files


def test_429_with_short_retry_after_waits_and_succeeds(tmp_path: Path, site: Site) -> None:
    site.serve("/privacy", Reply(429, headers={"Retry-After": "1"}), Reply(body=AFTER))
    cfg = one_policy(tmp_path, site)

    run = check(cfg)

    assert run.results["tiktok"]["status"] == "new"
    assert len(site.requests("/privacy")) == 2
    assert run.seconds >= 0.9  # waited the Retry-After, not the 0.01 s backoff


def test_429_with_retry_after_beyond_max_fails_without_waiting(tmp_path: Path, site: Site) -> None:
    site.serve("/privacy", Reply(429, headers={"Retry-After": "5"}), Reply(body=AFTER))
    cfg = one_policy(tmp_path, site, max_retry_after=2)

    run = check(cfg)

    result = run.results["tiktok"]
    assert result["status"] == "failed"
    assert "429" in result["reason"]
    assert "wait 5 s" in result["reason"] and "max_retry_after" in result["reason"]
    assert len(site.requests("/privacy")) == 1
    assert run.seconds < 3  # did not sleep the 5 s asked for
    assert snapshot_files(cfg, "tiktok") == {}


def test_500_then_200_succeeds_after_one_retry(tmp_path: Path, site: Site) -> None:
    site.serve("/privacy", Reply(500, body=b"oops"), Reply(body=AFTER))
    cfg = one_policy(tmp_path, site)

    run = check(cfg)

    assert run.exit_code == 0
    assert run.results["tiktok"]["status"] == "new"
    assert len(site.requests("/privacy")) == 2
    assert set(snapshot_files(cfg, "tiktok")) == snapshot_names(DAYS[0])


def test_500_every_time_fails_after_all_retries(tmp_path: Path, site: Site) -> None:
    site.serve("/privacy", Reply(500, body=b"oops"))
    cfg = one_policy(tmp_path, site, retries=2)

    run = check(cfg)

    assert run.exit_code == 3
    result = run.results["tiktok"]
    assert result["status"] == "failed"
    assert result["reason"].startswith("HTTP 500")
    assert len(site.requests("/privacy")) == 3  # the first try and two retries
    assert snapshot_files(cfg, "tiktok") == {}


# ---------------------------------------------------------------------------------------------
# Broken transfers


def test_server_that_stalls_fails_with_timed_out(tmp_path: Path, raw_server: Any) -> None:
    server = raw_server(stall_before_headers)
    cfg = write_config(tmp_path, {"id": "tiktok", "url": server.url}, timeout=0.5, retries=1)

    run = check(cfg)

    result = run.results["tiktok"]
    assert result["status"] == "failed"
    assert "timed out" in result["reason"]
    assert server.connections == 2  # a timeout is retried
    assert run.seconds < 4
    assert snapshot_files(cfg, "tiktok") == {}


def test_server_that_stalls_mid_body_fails_with_timed_out(tmp_path: Path, raw_server: Any) -> None:
    server = raw_server(stall_mid_body)
    cfg = write_config(tmp_path, {"id": "tiktok", "url": server.url}, timeout=0.5, retries=0)

    result = check(cfg).results["tiktok"]

    # requests reports this as a ConnectionError; it must still read as a timeout, not a cut-off.
    assert result["status"] == "failed"
    assert result["reason"].startswith("timed out reading the body")
    assert snapshot_files(cfg, "tiktok") == {}


def test_body_cut_off_mid_stream_fails_and_archives_nothing(
    tmp_path: Path, raw_server: Any
) -> None:
    server = raw_server(cut_off_halfway)
    cfg = write_config(tmp_path, {"id": "tiktok", "url": server.url}, retries=1)

    result = check(cfg).results["tiktok"]

    assert result["status"] == "failed"
    assert "cut off" in result["reason"]
    assert server.connections == 2  # retried once
    assert snapshot_files(cfg, "tiktok") == {}


def test_body_over_max_bytes_with_content_length_fails_too_large(
    tmp_path: Path, site: Site
) -> None:
    site.serve("/privacy", Reply(body=AFTER))
    cfg = one_policy(tmp_path, site, max_bytes=2048)

    run = check(cfg)

    result = run.results["tiktok"]
    assert result["status"] == "failed"
    assert result["reason"].startswith("too large")
    assert f"{len(AFTER):,} bytes declared" in result["reason"]
    assert len(site.requests("/privacy")) == 1  # not retried
    assert snapshot_files(cfg, "tiktok") == {}


def test_streamed_body_over_max_bytes_fails_too_large(tmp_path: Path, raw_server: Any) -> None:
    server = raw_server(stream_chunked)  # chunked: no Content-Length to refuse up front
    cfg = write_config(tmp_path, {"id": "tiktok", "url": server.url}, max_bytes=2048)

    result = check(cfg).results["tiktok"]

    assert result["status"] == "failed"
    assert result["reason"].startswith("too large: more than max_bytes")
    assert server.connections == 1
    assert snapshot_files(cfg, "tiktok") == {}


def test_streamed_body_under_max_bytes_is_archived(tmp_path: Path, raw_server: Any) -> None:
    # The counterpart of the test above: chunked transfer itself is fine.
    server = raw_server(stream_chunked)
    cfg = write_config(tmp_path, {"id": "tiktok", "url": server.url})

    assert check(cfg).results["tiktok"]["status"] == "new"
    assert snapshot_files(cfg, "tiktok")[f"{stamp(DAYS[0])}.html"] == AFTER


# ---------------------------------------------------------------------------------------------
# Encodings and formats


def test_utf8_page_declared_latin1_keeps_its_characters(tmp_path: Path, site: Site) -> None:
    site.serve("/privacy", Reply(body=AFTER, content_type="text/html; charset=iso-8859-1"))
    cfg = one_policy(tmp_path, site)

    assert check(cfg).results["tiktok"]["status"] == "new"

    text = text_of(cfg, "tiktok", DAYS[0])
    assert "“Platform”" in text
    assert "â€" not in text and "Ã" not in text


def test_windows_1252_page_declared_as_such_decodes(tmp_path: Path, site: Site) -> None:
    site.serve(
        "/privacy", Reply(body=MEETIC_CP1252, content_type="text/html; charset=windows-1252")
    )
    cfg = one_policy(tmp_path, site, select="#article_content")

    assert check(cfg).results["tiktok"]["status"] == "new"

    text = text_of(cfg, "tiktok", DAYS[0])
    assert "POLITIQUE DE CONFIDENTIALITÉ" in text
    assert "n’est pas l’idée" in text and "œ" in text
    assert "Ã" not in text and "\ufffd" not in text
    assert snapshot_files(cfg, "tiktok")[f"{stamp(DAYS[0])}.html"] == MEETIC_CP1252


def test_windows_1252_page_declared_iso_8859_1_keeps_its_apostrophes(
    tmp_path: Path, site: Site
) -> None:
    site.serve("/privacy", Reply(body=MEETIC_CP1252, content_type="text/html; charset=iso-8859-1"))
    cfg = one_policy(tmp_path, site, select="#article_content")

    assert check(cfg).results["tiktok"]["status"] == "new"

    # Browsers (WHATWG Encoding) read the iso-8859-1 label as windows-1252: strict Latin-1 would
    # turn 0x92 (’) into a control character and the extractor would drop it ('lidée').
    text = text_of(cfg, "tiktok", DAYS[0])
    assert "données" in text
    assert "n’est pas l’idée" in text


def test_pdf_is_archived_raw_with_its_text(tmp_path: Path, site: Site) -> None:
    site.serve("/terms.pdf", Reply(body=PDF, content_type="application/pdf"))
    cfg = one_policy(tmp_path, site, "/terms.pdf")

    assert check(cfg).results["tiktok"]["status"] == "new"

    files = snapshot_files(cfg, "tiktok")
    assert set(files) == snapshot_names(DAYS[0], raw=".pdf")
    assert files[f"{stamp(DAYS[0])}.pdf"] == PDF
    assert "Personal Data" in text_of(cfg, "tiktok", DAYS[0])
    assert meta_of(cfg, "tiktok", DAYS[0])["content_type"] == "application/pdf"


# ---------------------------------------------------------------------------------------------
# Pages that are not the policy


def test_empty_page_fails_too_short(tmp_path: Path, site: Site) -> None:
    site.serve("/privacy", Reply(body=b""))  # hand-written: an empty 200, no fixture needed
    cfg = one_policy(tmp_path, site)

    run = check(cfg)

    assert run.exit_code == 3
    assert "too short" in run.results["tiktok"]["reason"]
    assert snapshot_files(cfg, "tiktok") == {}


def test_bot_challenge_page_fails_as_blocked(tmp_path: Path, site: Site) -> None:
    site.serve("/privacy", Reply(body=CHALLENGE))
    cfg = one_policy(tmp_path, site)

    result = check(cfg).results["tiktok"]

    assert result["status"] == "failed"
    assert result["reason"].startswith("blocked")
    assert snapshot_files(cfg, "tiktok") == {}


def test_selector_that_matches_nothing_fails(tmp_path: Path, site: Site) -> None:
    site.serve("/privacy", Reply(body=AFTER))
    cfg = one_policy(tmp_path, site, select="#no-such-element")

    result = check(cfg).results["tiktok"]

    assert result["status"] == "failed"
    assert result["reason"] == "selector matched nothing: #no-such-element"
    assert snapshot_files(cfg, "tiktok") == {}


def test_text_that_shrank_by_half_is_refused_until_accepted(tmp_path: Path, site: Site) -> None:
    site.serve("/privacy", Reply(body=MATCH_POLICY))
    cfg = one_policy(tmp_path, site)
    assert check(cfg, DAYS[0]).results["tiktok"]["status"] == "new"
    files = snapshot_files(cfg, "tiktok")
    site.serve("/privacy", Reply(body=MATCH_HOME))

    refused = check(cfg, DAYS[1])

    assert refused.exit_code == 3
    assert "shrank" in refused.results["tiktok"]["reason"]
    assert snapshot_files(cfg, "tiktok") == files

    accepted = check(cfg, DAYS[2], "--accept")

    assert set(snapshot_files(cfg, "tiktok")) == set(files) | snapshot_names(DAYS[2])
    assert accepted.exit_code == 0
    assert accepted.results["tiktok"]["status"] == "changed"
    assert meta_of(cfg, "tiktok", DAYS[2])["accepted"] is True


# ---------------------------------------------------------------------------------------------
# Several policies, several days


def test_a_failing_policy_does_not_stop_the_others(tmp_path: Path, site: Site) -> None:
    site.serve("/gone", Reply(404, body=b"Not Found"))
    site.serve("/privacy", Reply(body=AFTER))
    cfg = write_config(
        tmp_path,
        {"id": "gone", "url": site.url("/gone")},
        {"id": "tiktok", "url": site.url("/privacy")},
    )

    run = check(cfg)

    assert run.exit_code == 3
    assert run.results["gone"]["status"] == "failed"
    assert run.results["tiktok"]["status"] == "new"
    assert set(snapshot_files(cfg, "tiktok")) == snapshot_names(DAYS[0])
    assert snapshot_files(cfg, "gone") == {}


def test_flapping_back_to_an_old_text_points_to_it(tmp_path: Path, site: Site) -> None:
    cfg = one_policy(tmp_path, site)
    runs = []
    for moment, page in zip(DAYS, [BEFORE, AFTER, BEFORE], strict=False):
        site.serve("/privacy", Reply(body=page))
        runs.append(check(cfg, moment).results["tiktok"])

    assert [r["status"] for r in runs] == ["new", "changed", "changed"]
    assert runs[2]["snapshot"] == stamp(DAYS[2])
    assert runs[2]["previous"] == stamp(DAYS[1])
    assert runs[2]["returns_to"] == stamp(DAYS[0])
    assert len(snapshot_files(cfg, "tiktok")) == 9


@dataclass
class Days:
    cfg: Path
    runs: list[Run] = field(default_factory=list)
    files: list[dict[str, dict[str, bytes]]] = field(default_factory=list)  # after each day

    def statuses(self, day: int) -> dict[str, str]:
        return {pid: r["status"] for pid, r in self.runs[day].results.items()}


POLICY_IDS = ("steady", "moving", "flaky")


@pytest.fixture
def five_days(tmp_path: Path, site: Site) -> Days:
    """Three policies over five days.

    steady: after.html, then after-refetch.html (same text, new wrapper) every day.
    moving: before.html on day 1, after.html from day 2.
    flaky:  Zoosk's policy, a 503 outage on days 3 and 4, back with the same page on day 5.
    Days 1-4 report in JSON (day 2 with --exit-code); day 5 runs --quiet --exit-code.
    """
    cfg = write_config(
        tmp_path,
        {"id": "steady", "url": site.url("/steady")},
        {"id": "moving", "url": site.url("/moving")},
        {"id": "flaky", "url": site.url("/flaky"), **ZOOSK_SELECT},
    )
    days = Days(cfg)
    outage = Reply(503, body=b"Service Unavailable")
    plan = [
        (AFTER, BEFORE, Reply(body=ZOOSK), ()),
        (AFTER_REFETCH, AFTER, Reply(body=ZOOSK), ("--exit-code",)),
        (AFTER_REFETCH, AFTER, outage, ()),
        (AFTER_REFETCH, AFTER, outage, ()),
        (AFTER_REFETCH, AFTER, Reply(body=ZOOSK), ("--quiet", "--exit-code")),
    ]
    for moment, (steady, moving, flaky, args) in zip(DAYS, plan, strict=True):
        site.serve("/steady", Reply(body=steady))
        site.serve("/moving", Reply(body=moving))
        site.serve("/flaky", flaky)
        days.runs.append(check(cfg, moment, *args, json_out="--quiet" not in args))
        days.files.append({pid: snapshot_files(cfg, pid) for pid in POLICY_IDS})
    return days


def test_days_report_each_policy_status(five_days: Days) -> None:
    assert [five_days.statuses(day) for day in range(4)] == [
        {"steady": "new", "moving": "new", "flaky": "new"},
        {"steady": "unchanged", "moving": "changed", "flaky": "unchanged"},
        {"steady": "unchanged", "moving": "unchanged", "flaky": "failed"},
        {"steady": "unchanged", "moving": "unchanged", "flaky": "failed"},
    ]
    assert [run.exit_code for run in five_days.runs] == [0, 1, 3, 3, 0]


def test_days_unchanged_policy_adds_no_snapshot_files(five_days: Days) -> None:
    first = five_days.files[0]["steady"]
    assert set(first) == snapshot_names(DAYS[0])
    assert all(day["steady"] == first for day in five_days.files)


def test_days_changed_policy_adds_exactly_one_snapshot(five_days: Days) -> None:
    day1, day2 = five_days.files[0]["moving"], five_days.files[1]["moving"]
    assert set(day2) - set(day1) == snapshot_names(DAYS[1])
    assert {name: day2[name] for name in day1} == day1
    assert all(day["moving"] == day2 for day in five_days.files[1:])
    assert five_days.runs[1].results["moving"]["previous"] == stamp(DAYS[0])


def test_days_failing_policy_keeps_its_snapshot_files_byte_for_byte(five_days: Days) -> None:
    before_outage = five_days.files[1]["flaky"]
    assert set(before_outage) == snapshot_names(DAYS[0])
    assert five_days.files[2]["flaky"] == before_outage
    assert five_days.files[3]["flaky"] == before_outage
    assert five_days.files[4]["flaky"] == before_outage  # back with the same text: no snapshot


def test_days_checks_jsonl_gains_one_line_per_policy_per_day(five_days: Days) -> None:
    for pid in POLICY_IDS:
        lines = check_lines(five_days.cfg, pid)
        assert [line["at"] for line in lines] == DAYS
    assert [line["status"] for line in check_lines(five_days.cfg, "flaky")] == [
        "new",
        "unchanged",
        "failed",
        "failed",
        "unchanged",
    ]


def test_days_repeated_failure_keeps_failing_since(five_days: Days) -> None:
    day3 = five_days.runs[2].results["flaky"]
    day4 = five_days.runs[3].results["flaky"]
    assert day3["reason"].startswith("HTTP 503")
    assert (day3["repeated_failure"], day3["failing_since"]) == (False, DAYS[2])
    assert (day4["repeated_failure"], day4["failing_since"]) == (True, DAYS[2])
    assert day4["reason"] == day3["reason"]


def test_days_exit_code_is_1_on_a_change_day_and_0_on_a_quiet_day(five_days: Days) -> None:
    assert five_days.runs[1].exit_code == 1  # --exit-code, moving changed
    assert five_days.runs[4].exit_code == 0  # --exit-code, nothing changed, nothing failed


def test_days_quiet_prints_nothing_when_nothing_is_new(five_days: Days) -> None:
    assert five_days.runs[4].stdout == ""
    assert [line["status"] for line in check_lines(five_days.cfg, "moving")][-1] == "unchanged"


def test_pages_parsed_in_worker_processes_archive_exactly_what_threads_do(
    tmp_path: Path, httpserver: Any
) -> None:
    """A run with many pages parses them in worker processes: same texts, same refusals."""
    from policywatch.archive import Archive
    from policywatch.check import run_check
    from policywatch.configfile import load_config
    from policywatch.workers import Extractor

    pages = {
        "/tiktok": (BEFORE, "text/html; charset=utf-8"),
        "/zoosk": (ZOOSK, "text/html; charset=utf-8"),
        "/fruitz.pdf": (PDF, "application/pdf"),
        "/meetic": (MEETIC_CP1252, "text/html; charset=windows-1252"),
        "/challenge": (CHALLENGE, "text/html"),
        "/home": (MATCH_HOME, "text/html"),
    }
    for path, (body, kind) in pages.items():
        httpserver.expect_request(path).respond_with_data(body, content_type=kind)
    cfg = write_config(
        tmp_path,
        {"id": "tiktok", "url": httpserver.url_for("/tiktok")},
        {"id": "zoosk", "url": httpserver.url_for("/zoosk"), **ZOOSK_SELECT},
        {"id": "fruitz", "url": httpserver.url_for("/fruitz.pdf")},
        {"id": "meetic", "url": httpserver.url_for("/meetic")},
        {"id": "challenge", "url": httpserver.url_for("/challenge")},
        {"id": "home", "url": httpserver.url_for("/home"), "select": "#policy-body"},
        {"id": "two", "urls": [httpserver.url_for("/tiktok"), httpserver.url_for("/zoosk")]},
    )
    policies = load_config(cfg).policies
    results = {}
    for processes in (0, 2):
        archive = Archive(tmp_path / f"archive-{processes}")
        with Extractor(processes) as extractor:
            outcomes = run_check(archive, policies, jobs=3, extractor=extractor)
        assert extractor.in_workers == (7 if processes else 0)  # six pages, one pair of pages
        results[processes] = (
            sorted((o.policy_id, o.status, o.reason) for o in outcomes),
            {p.id: s.text for p in policies for s in archive.snapshots(p.id)},
        )
    assert results[2] == results[0]
    statuses = dict((i, s) for i, s, _ in results[2][0])
    assert statuses == {
        "tiktok": "new",
        "zoosk": "new",
        "fruitz": "new",
        "meetic": "new",
        "challenge": "failed",
        "home": "failed",
        "two": "new",
    }
    assert "faceprints" not in results[2][1]["tiktok"]  # the before page
    assert "Fruitz" in results[2][1]["fruitz"] and "é" in results[2][1]["meetic"]


def _die_in_a_worker(parent: int) -> str:
    if os.getpid() != parent:
        os._exit(1)  # a worker killed mid-page (out of memory, say)
    return "parsed in the run's own process"


def test_a_dead_worker_process_means_parsing_in_the_run_itself() -> None:
    from policywatch.workers import Extractor

    with Extractor(1) as extractor:
        assert extractor.run(os.getpid) != os.getpid()  # a real worker process
        assert extractor.run(_die_in_a_worker, os.getpid()) == "parsed in the run's own process"
        assert extractor.run(os.getpid) == os.getpid()  # and from then on


def _slow_pid(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def test_closing_the_extractor_while_pages_wait_parses_them_here() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from policywatch.workers import Extractor

    extractor = Extractor(2)
    with ThreadPoolExecutor(6) as threads:
        calls = [threads.submit(extractor.run, _slow_pid, 0.5) for _ in range(6)]
        time.sleep(0.3)
        extractor.close()
        pids = [call.result() for call in calls]  # none raises
    assert all(isinstance(pid, int) for pid in pids)
    assert extractor.run(os.getpid) == os.getpid()  # closed: here from now on


def test_a_consumer_that_stops_early_leaves_queued_policies_unchecked(
    tmp_path: Path, httpserver: Any
) -> None:
    from policywatch.archive import Archive
    from policywatch.check import iter_check
    from policywatch.configfile import load_config

    def slow(request: Request) -> Response:
        time.sleep(0.1)
        return Response(ZOOSK, content_type="text/html")

    httpserver.expect_request("/zoosk").respond_with_handler(slow)
    cfg = write_config(
        tmp_path,
        *(
            {"id": f"p{i:02d}", "url": httpserver.url_for(f"/zoosk?n={i}"), **ZOOSK_SELECT}
            for i in range(40)
        ),
    )
    archive = Archive(tmp_path / "snapshots")
    outcomes = iter_check(archive, load_config(cfg).policies, jobs=2)
    assert next(outcomes).status == "new"
    outcomes.close()  # the window held 8 policies; only those under way are finished
    checked = [p for p in (tmp_path / "snapshots").iterdir() if (p / "checks.jsonl").exists()]
    assert 1 <= len(checked) <= 4
    for folder in checked:  # and each is whole
        for snap in archive.snapshots(folder.name):
            assert snap.text == snap.text_path.read_text(encoding="utf-8")


def test_an_interrupt_abandons_the_policies_under_way_without_waiting_for_their_servers(
    tmp_path: Path,
) -> None:
    """Ctrl-C thrown into a run: it ends at once with the policies under way named, while
    their servers still hold the requests, and nothing of them is written then or later."""
    from heldserver import HeldServer
    from policywatch.archive import Archive
    from policywatch.check import Interrupted, iter_check
    from policywatch.configfile import load_config

    # Three hosts: the three policies started first (one answered, two held) are on three
    # hosts, so neither thread waits for the other's host (one request at a time per host).
    with HeldServer(ZOOSK, hosts=3, answer_first=1) as server:
        cfg = write_config(
            tmp_path,
            *(
                {"id": f"p{i}", "url": server.url(f"/p{i}", host=i % 3), **ZOOSK_SELECT}
                for i in range(8)
            ),
            timeout=30,
        )
        archive = Archive(tmp_path / "snapshots")
        run = iter_check(archive, load_config(cfg).policies, jobs=2)
        first = next(run)  # the one request answered at once
        assert server.wait_held(2)  # both threads wait for a server that answers in 20 s
        with pytest.raises(Interrupted) as interrupted:
            run.throw(KeyboardInterrupt())
        assert server.answered_late == 0  # it did not wait for them
        held = sorted(path.lstrip("/") for path in server.held)
        assert sorted(interrupted.value.abandoned) == held
        assert interrupted.value.finished == []
    # The servers are gone: the abandoned threads fail, and the gate keeps them from writing.
    for thread in threading.enumerate():
        if thread.name.startswith("check-"):
            thread.join(timeout=30)
            assert not thread.is_alive()
    assert [p.name for p in archive.root.iterdir() if not p.name.startswith(".")] == [
        first.policy_id
    ]
    assert not list(archive.root.glob("*/.tmp-*"))


def test_a_ctrl_c_just_after_a_policy_is_handed_to_a_thread_still_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C landing right after the pool took a policy, before the run noted it: the policy
    under way is still named as abandoned (seen once in a full run as 'abandoned a; 1 not
    started' for 'abandoned a, b'). The KeyboardInterrupt is raised at that very point of the
    hand-over, whichever of the pool's methods the run uses."""
    from heldserver import HeldServer
    from policywatch.archive import Archive
    from policywatch.check import Interrupted, iter_check
    from policywatch.configfile import load_config
    from policywatch.threads import DaemonThreads

    with HeldServer(ZOOSK, hosts=2) as server:
        raised: list[bool] = []

        def interrupting(original: Any) -> Any:
            def hand_over(self: DaemonThreads, *args: Any, **kwargs: Any) -> Any:
                result = original(self, *args, **kwargs)
                if not raised and len(self._threads) == 2:
                    assert server.wait_held(2)  # both policies under way, their servers held
                    raised.append(True)
                    raise KeyboardInterrupt
                return result

            return hand_over

        monkeypatch.setattr(DaemonThreads, "submit", interrupting(DaemonThreads.submit))
        monkeypatch.setattr(DaemonThreads, "submit_to", interrupting(DaemonThreads.submit_to))
        cfg = write_config(
            tmp_path,
            *(
                {"id": f"p{i}", "url": server.url(f"/p{i}", host=i % 2), **ZOOSK_SELECT}
                for i in range(2)
            ),
            timeout=30,
        )
        run = iter_check(Archive(tmp_path / "snapshots"), load_config(cfg).policies, jobs=2)
        with pytest.raises(Interrupted) as interrupted:
            next(run)
        assert raised and sorted(interrupted.value.abandoned) == ["p0", "p1"]


def test_workers_only_where_they_can_help() -> None:
    from policywatch.workers import PROCESSES_FROM, extraction_processes

    cores = len(os.sched_getaffinity(0))
    assert extraction_processes(PROCESSES_FROM - 1, jobs=16) == 0  # a small run
    assert extraction_processes(1000, jobs=1) == 0  # one fetch thread feeds one page at a time
    assert extraction_processes(1000, jobs=16) == (min(cores, 4) if cores > 1 else 0)
    assert extraction_processes(1000, jobs=2) == (2 if cores > 1 else 0)
