"""The threads of a run, and the gate they pass before writing to the archive.

Ctrl-C must end a run at once, whatever its servers do: a thread stuck in a socket read for a
server that answers in a minute, or never, cannot be waited for. So the run's threads are
daemon threads that nobody joins at exit (ThreadPoolExecutor's are joined, by an exit hook),
and every policy asks a gate before its first write: once the run is interrupted the gate
refuses, and the run waits only for the policies that were already writing (a few small
files), so none is left half-written and every other one keeps its previous state.
"""

from __future__ import annotations

import concurrent.futures
import queue
import threading
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

T = TypeVar("T")
K = TypeVar("K")

_Work = tuple["concurrent.futures.Future[Any]", Callable[..., Any], tuple[Any, ...], dict[str, Any]]


class DaemonThreads(concurrent.futures.Executor):
    """A pool of daemon threads, one started with each piece of work up to `workers`: the
    process may end while they are blocked (in a socket read, say) without waiting for them."""

    def __init__(self, workers: int, name: str = "policywatch") -> None:
        self._workers = max(1, workers)
        self._name = name
        self._queue: queue.SimpleQueue[_Work | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._closed = False
        self._lock = threading.Lock()

    def submit(
        self, fn: Callable[..., T], /, *args: Any, **kwargs: Any
    ) -> concurrent.futures.Future[T]:
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        self.submit_to(future, fn, *args, **kwargs)
        return future

    def submit_to(
        self,
        future: concurrent.futures.Future[T],
        fn: Callable[..., T],
        /,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        """Run fn for a future the caller made, and noted, first: a Ctrl-C that lands between
        a submit and the caller's note of what it returned would lose work under way. A
        future noted but never queued is still pending, and cancel() says so."""
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot submit work to a pool that was shut down")
            self._queue.put((future, fn, args, kwargs))
            if len(self._threads) < self._workers:
                thread = threading.Thread(
                    target=self._work, name=f"{self._name}-{len(self._threads)}", daemon=True
                )
                thread.start()
                self._threads.append(thread)

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            future, fn, args, kwargs = item
            del item
            if future.set_running_or_notify_cancel():
                try:
                    result = fn(*args, **kwargs)
                except BaseException as exc:
                    future.set_exception(exc)
                else:
                    future.set_result(result)
            del future, fn, args, kwargs  # hold nothing while waiting for more work

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """No more work; with cancel_futures, work not started is cancelled; with wait, return
        once the work under way has finished (never wait for an interrupted run's)."""
        with self._lock:
            self._closed = True
            if cancel_futures:
                while True:
                    try:
                        item = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if item is not None:
                        item[0].cancel()
            for _ in self._threads:
                self._queue.put(None)
            threads = list(self._threads)
        if wait:
            for thread in threads:
                thread.join()


def sort_out(
    futures: Mapping[concurrent.futures.Future[T], K],
) -> tuple[list[T], list[K], list[K]]:
    """After a pool's shutdown with cancel_futures: the results of the work that finished, and
    (in the futures' order) the keys of the work under way, abandoned, and of the work never
    started (a future noted but never queued is cancelled here)."""
    finished: list[T] = []
    abandoned: list[K] = []
    not_started: list[K] = []
    for future, key in futures.items():
        if future.cancelled() or future.cancel():
            not_started.append(key)
        elif future.done() and future.exception() is None:
            finished.append(future.result())
        else:
            abandoned.append(key)
    return finished, abandoned, not_started


class Abandoned(Exception):
    """A policy's first write was refused because its run was interrupted: nothing of it was
    written, its archive stays as it was."""

    def __init__(self, policy_id: str) -> None:
        super().__init__(f"{policy_id}: abandoned (the run was interrupted)")
        self.policy_id = policy_id


class Gate:
    """Asked by each policy before its first write to the archive; closed on Ctrl-C."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._closed = False

    def ticket(self, policy_id: str) -> Ticket:
        return Ticket(self, policy_id)

    def close(self) -> None:
        """From now on no policy starts writing (Ticket.writing is final for every ticket)."""
        with self._lock:
            self._closed = True


class Ticket:
    """One policy's pass through the gate: call it before each write."""

    def __init__(self, gate: Gate, policy_id: str) -> None:
        self.gate = gate
        self.policy_id = policy_id
        self.writing = False  # true once the gate let it write: it must finish

    def __call__(self) -> None:
        """Raise Abandoned if the run was interrupted before this policy started writing."""
        with self.gate._lock:
            if not self.writing:
                if self.gate._closed:
                    raise Abandoned(self.policy_id)
                self.writing = True
