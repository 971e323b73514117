"""Fixtures shared by test modules: the demo archive's HTML report, built once a session; a
local HTTP server that answers requests side by side; commands run as a user whom a file's
mode binds."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
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


@pytest.fixture
def as_a_user() -> Callable[[list[str]], list[str]]:
    """Makes a command run as a user who is denied what a file's mode denies. Under root
    (as on this project's test machine) that is root without the two capabilities that let
    it read, write and enter any folder whatever its mode (setpriv): the process stays root,
    the owner of what the test made, so pytest's folders need no opening to another user.
    Root without setpriv skips the test."""
    if os.geteuid() != 0:
        return lambda command: command
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip(
            "root reads and writes a folder whatever its mode, and setpriv is not installed"
        )
    return lambda command: [setpriv, "--bounding-set=-dac_override,-dac_read_search", *command]
