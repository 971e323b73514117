"""The fetcher: politeness per host, parallelism across hosts, the headers it sends."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from policywatch.archive import Archive
from policywatch.check import run_check
from policywatch.config import Policy, Settings
from policywatch.fetch import Fetcher, retry_after_seconds

PAGE = (
    Path(__file__).parent / "fixtures" / "cases" / "tiktok-us-faceprints" / "after.html"
).read_bytes()


class Gauge:
    """Counts requests in flight at once."""

    def __init__(self) -> None:
        self.now = 0
        self.peak = 0
        self.lock = threading.Lock()

    def handler(self, request: Request) -> Response:
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)
        time.sleep(0.3)
        with self.lock:
            self.now -= 1
        return Response(PAGE, content_type="text/html")


def policies(urls: list[str]) -> list[Policy]:
    return [Policy(id=f"p{i}", name=f"p{i}", url=url) for i, url in enumerate(urls)]


def test_one_request_at_a_time_per_host(tmp_path: Path, threaded_server: HTTPServer) -> None:
    gauge = Gauge()
    threaded_server.expect_request("/privacy").respond_with_handler(gauge.handler)
    url = threaded_server.url_for("/privacy")
    outcomes = run_check(Archive(tmp_path), policies([url] * 4), jobs=4)
    assert [o.status for o in outcomes] == ["new"] * 4
    assert gauge.peak == 1


def test_different_hosts_are_fetched_at_once(tmp_path: Path, threaded_server: HTTPServer) -> None:
    gauge = Gauge()
    threaded_server.expect_request("/privacy").respond_with_handler(gauge.handler)
    port = threaded_server.port
    # The same server under two host names: two hosts as far as politeness goes.
    urls = [f"http://127.0.0.1:{port}/privacy", f"http://localhost:{port}/privacy"] * 2
    run_check(Archive(tmp_path), policies(urls), jobs=4)
    assert gauge.peak == 2


def test_the_request_names_policywatch_and_the_language(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/p").respond_with_data(PAGE, content_type="text/html")
    policy = Policy(
        id="p",
        name="p",
        url=httpserver.url_for("/p"),
        settings=Settings(language="fr", headers=(("X-Test", "1"),)),
    )
    with Fetcher() as fetcher:
        fetched = fetcher.fetch(policy.url, policy.settings)
    request, _ = httpserver.log[0]
    assert request.headers["User-Agent"].startswith("policywatch/")
    assert request.headers["Accept-Language"].startswith("fr")
    assert request.headers["X-Test"] == "1"
    assert fetched.body == PAGE and fetched.content_type == "text/html"


def test_retry_after_in_seconds_or_as_a_date() -> None:
    assert retry_after_seconds("7") == 7
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("soon") is None
    now = datetime(2026, 6, 1, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=30), usegmt=True)
    assert retry_after_seconds(later, now=now.timestamp()) == 30


def test_an_interrupt_ends_the_wait_before_a_retry(httpserver: HTTPServer) -> None:
    """Ctrl-C must not sit out a backoff (here a minute): the wait ends, no retry is sent."""
    first = threading.Event()

    def unavailable(request: Request) -> Response:
        first.set()
        return Response(b"busy", status=503)

    httpserver.expect_request("/p").respond_with_handler(unavailable)
    policy = Policy(
        id="p", name="p", url=httpserver.url_for("/p"), settings=Settings(retries=3, backoff=60)
    )
    fetcher = Fetcher()
    failures: list[Exception] = []

    def fetch() -> None:
        try:
            fetcher.fetch(policy.url, policy.settings)
        except Exception as exc:
            failures.append(exc)

    thread = threading.Thread(target=fetch, daemon=True)
    thread.start()
    assert first.wait(10)
    fetcher.interrupt()
    thread.join(timeout=30)  # a safety net: without the interrupt it waits 60 s
    assert not thread.is_alive(), "the wait before the retry did not end"
    assert [getattr(f, "kind", None) for f in failures] == ["interrupted"]
    assert len(httpserver.log) == 1
    fetcher.close()
