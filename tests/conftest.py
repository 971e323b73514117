"""Fixtures shared by test modules: the demo archive's HTML report, built once a session; a
local HTTP server that answers requests side by side."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from projects import DEMO_ARCHIVE, DEMO_CONFIG, build_report


@pytest.fixture(scope="session")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of the repository's snapshots/ and policies.yaml (read it; a rebuild with
    nothing new may be made into it, since that writes nothing)."""
    output = tmp_path_factory.mktemp("demo") / "report"
    build_report(DEMO_CONFIG, output, archive=DEMO_ARCHIVE)
    return output


@pytest.fixture
def threaded_server() -> Iterator[HTTPServer]:
    """pytest-httpserver answering each request in a thread of its own (its `httpserver`
    answers one at a time): a handler that waits holds no other request."""
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()
