"""Both sides of a diff of two large files are read at once, one in a forked child (diff.py
read_sides): the same sides as one after the other, the same errors, and a child that gives
nothing back changes nothing but time."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from policywatch import diff
from policywatch.archive import Archive
from policywatch.diff import AT_ONCE_BYTES, SideError, read_side, read_sides

STRESS = Path(__file__).parent / "fixtures" / "stress"
OLD, NEW = str(STRESS / "old.md"), str(STRESS / "new.md")


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    return Archive(tmp_path / "snapshots")


def test_two_large_files_read_at_once_are_the_sides_read_one_after_the_other(
    archive: Archive,
) -> None:
    assert os.path.getsize(OLD) + os.path.getsize(NEW) >= AT_ONCE_BYTES  # the forked path
    at_once = read_sides(OLD, NEW, archive)
    assert at_once == (read_side(OLD, archive), read_side(NEW, archive))
    assert at_once[0].label == OLD and at_once[1].label == NEW


FORKS: list[int] = []
os.register_at_fork(before=lambda: FORKS.append(os.getpid()))


def forks_expected() -> bool:
    """Whether read_sides may fork here: not while threads other tests left behind live."""
    import threading

    return all(t.name == "policywatch-reaper" for t in threading.enumerate()[1:])


def test_the_error_of_the_first_side_comes_first(archive: Archive, tmp_path: Path) -> None:
    # Written here: large files with a .pdf name that are not PDFs, so each side fails.
    first, second = tmp_path / "first.pdf", tmp_path / "second.pdf"
    first.write_bytes(b"not a pdf " * (AT_ONCE_BYTES // 10))
    second.write_bytes(b"nor this " * (AT_ONCE_BYTES // 9))
    alone, forks = forks_expected(), len(FORKS)
    with pytest.raises(SideError) as failed:
        read_sides(str(first), str(second), archive)
    assert str(failed.value).startswith(str(first))
    with pytest.raises(SideError) as failed:
        read_sides(OLD, str(second), archive)
    assert str(failed.value).startswith(str(second))
    # Both reads took the forked path where they could: the first's reaper thread does not
    # keep the second from forking.
    assert len(FORKS) == forks + (2 if alone else 0)


def test_a_child_that_gives_nothing_back_changes_nothing_but_time(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = os.getpid()
    real = diff.read_side

    def dies_in_the_child(spec: str, where: Archive) -> diff.Side:
        if os.getpid() != parent:
            os._exit(3)  # killed, out of memory ...: nothing written to the pipe
        return real(spec, where)

    monkeypatch.setattr(diff, "read_side", dies_in_the_child)
    assert read_sides(OLD, NEW, archive) == (real(OLD, archive), real(NEW, archive))


def test_a_child_killed_while_it_sends_changes_nothing_but_time(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    import marshal
    import signal

    parent = os.getpid()
    real = marshal.dumps

    def killed_in_the_child(value: object) -> bytes:
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)  # the OOM killer, kill -9 ...
        return real(value)

    monkeypatch.setattr(marshal, "dumps", killed_in_the_child)
    assert read_sides(OLD, NEW, archive) == (read_side(OLD, archive), read_side(NEW, archive))


@pytest.mark.parametrize("kept", [0, 1, 5, 100, -1])
def test_a_message_cut_short_changes_nothing_but_time(
    archive: Archive, monkeypatch: pytest.MonkeyPatch, kept: int
) -> None:
    """What a child sent is read only whole: its exit is not waited for."""
    import marshal

    parent = os.getpid()
    real = marshal.dumps

    def cut_short(value: object) -> bytes:
        data = real(value)
        return data[:kept] if os.getpid() != parent else data

    monkeypatch.setattr(marshal, "dumps", cut_short)
    assert read_sides(OLD, NEW, archive) == (read_side(OLD, archive), read_side(NEW, archive))


def test_no_fork_to_be_had_reads_one_side_after_the_other(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    assert read_sides(OLD, NEW, archive) == (read_side(OLD, archive), read_side(NEW, archive))
