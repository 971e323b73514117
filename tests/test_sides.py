"""Both sides of a diff of two large files are read at once, one in a forked child (diff.py
read_sides): the same sides as one after the other, the same errors, and a child that gives
nothing back changes nothing but time."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from policywatch.archive import Archive
from policywatch.sides import AT_ONCE_BYTES, read_side, read_sides

STRESS = Path(__file__).parent / "fixtures" / "stress"
OLD, NEW = str(STRESS / "old.md"), str(STRESS / "new.md")


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    return Archive(tmp_path / "snapshots")


def in_a_fresh_process(tmp_path: Path, *args: str) -> str:
    """A case of forked_sides.py: forked, as no thread of another test lives there."""
    script = Path(__file__).with_name("forked_sides.py")
    done = subprocess.run(
        [sys.executable, str(script), *args, str(tmp_path / "snapshots")],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_two_large_files_read_at_once_are_the_sides_read_one_after_the_other(
    tmp_path: Path,
) -> None:
    assert os.path.getsize(OLD) + os.path.getsize(NEW) >= AT_ONCE_BYTES  # the forked path
    assert in_a_fresh_process(tmp_path, "plain") == "same 1"


def test_the_error_of_the_first_side_comes_first(tmp_path: Path) -> None:
    # Written here: large files with a .pdf name that are not PDFs, so each side fails.
    first, second = tmp_path / "first.pdf", tmp_path / "second.pdf"
    first.write_bytes(b"not a pdf " * (AT_ONCE_BYTES // 10))
    second.write_bytes(b"nor this " * (AT_ONCE_BYTES // 9))
    # Both reads fork: the first's reaper thread does not keep the second from forking.
    found = in_a_fresh_process(tmp_path, "errors", str(first), str(second))
    assert found == f"errors 2 {first} | {second}"


@pytest.mark.parametrize(
    "case",
    [
        ["dies"],  # killed, out of memory ...: nothing written to the pipe
        ["killed"],  # killed while it sends
        # What a child sent is read only whole: its exit is not waited for.
        *(["cut", str(kept)] for kept in (0, 1, 5, 100, -1)),
    ],
    ids=lambda case: "-".join(case),
)
def test_a_child_that_gives_nothing_whole_back_changes_nothing_but_time(
    tmp_path: Path, case: list[str]
) -> None:
    assert in_a_fresh_process(tmp_path, *case) == "same 1"


def test_no_fork_to_be_had_reads_one_side_after_the_other(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    assert read_sides(OLD, NEW, archive) == (read_side(OLD, archive), read_side(NEW, archive))
