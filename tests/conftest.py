"""Fixtures shared by test modules: the demo archive's HTML report, built once a session."""

from __future__ import annotations

from pathlib import Path

import pytest

from projects import DEMO_ARCHIVE, DEMO_CONFIG, build_report


@pytest.fixture(scope="session")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of the repository's snapshots/ and policies.yaml (read it; a rebuild with
    nothing new may be made into it, since that writes nothing)."""
    output = tmp_path_factory.mktemp("demo") / "report"
    build_report(DEMO_CONFIG, output, archive=DEMO_ARCHIVE)
    return output
