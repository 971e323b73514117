"""The run's daemon threads and the gate before the archive: what Ctrl-C relies on."""

from __future__ import annotations

import threading

import pytest

from policywatch.threads import Abandoned, DaemonThreads, Gate


class Stuck:
    """Work that blocks until released, saying when it started."""

    def __init__(self) -> None:
        self.started, self.release = threading.Event(), threading.Event()

    def __call__(self) -> str:
        self.started.set()
        self.release.wait()
        return "done"


def test_shutdown_without_waiting_cancels_queued_work_and_leaves_running_work_alone() -> None:
    stuck = Stuck()
    pool = DaemonThreads(1)
    running = pool.submit(stuck)
    queued = pool.submit(str, "never")
    assert stuck.started.wait(10)
    assert all(
        thread.daemon for thread in threading.enumerate() if thread.name.startswith("policywatch-")
    )
    pool.shutdown(wait=False, cancel_futures=True)  # returns with `stuck` still blocked
    assert queued.cancelled() and not running.done()
    with pytest.raises(RuntimeError):
        pool.submit(str, "too late")
    stuck.release.set()
    assert running.result(timeout=10) == "done"


def test_work_runs_for_the_future_its_caller_noted_first() -> None:
    # check notes each future before a thread may start it (the race itself is
    # test_check_http's Ctrl-C just after a hand-over): the pool runs the caller's future.
    import concurrent.futures

    stuck = Stuck()
    pool = DaemonThreads(1)
    running: concurrent.futures.Future[str] = concurrent.futures.Future()
    pool.submit_to(running, stuck)
    assert stuck.started.wait(10)
    assert not running.cancel()  # under way: it can no longer be called never started
    stuck.release.set()
    assert running.result(timeout=10) == "done"
    pool.shutdown()


def test_shutdown_with_wait_finishes_the_work_under_way() -> None:
    pool = DaemonThreads(3)
    futures = [pool.submit(pow, 2, n) for n in range(10)]
    pool.shutdown(wait=True)
    assert [f.result(timeout=0) for f in futures] == [2**n for n in range(10)]


def test_an_exception_reaches_the_caller() -> None:
    pool = DaemonThreads(1)
    future = pool.submit(int, "not a number")
    with pytest.raises(ValueError):
        future.result(timeout=10)
    pool.shutdown()


def test_once_closed_the_gate_refuses_new_writers_but_not_those_writing() -> None:
    gate = Gate()
    writing, waiting = gate.ticket("a"), gate.ticket("b")
    writing()  # its first write
    gate.close()
    writing()  # its next writes: it must finish
    assert writing.writing
    with pytest.raises(Abandoned, match="b"):
        waiting()
    assert not waiting.writing
