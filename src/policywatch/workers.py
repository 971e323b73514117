"""Where pages become text: in the calling thread, or in worker processes.

Parsing holds the GIL, so the fetch threads of a run cannot parse two pages at once; a run
with many pages hands them to one process per core. multiprocessing is imported only when the
workers start: commands that merely read outcomes never pay for it.
"""

from __future__ import annotations

import concurrent.futures
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")


class Extractor:
    """Runs parsing in the calling thread (processes=0) or in that many worker processes,
    started on the first page that needs them: a daily run where every server answers "not
    modified" never starts them."""

    def __init__(self, processes: int = 0) -> None:
        self.processes = processes
        self.in_workers = 0  # calls handed to a worker process
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def __enter__(self) -> Extractor:
        return self

    def __exit__(self, kind: object, exc: BaseException | None, *rest: object) -> None:
        self.close(abandon=isinstance(exc, KeyboardInterrupt))

    def run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """function(*args, **kwargs), in a worker process when there are any."""
        pool = self._workers()
        if pool is None:
            return function(*args, **kwargs)
        try:
            with _interrupts_blocked():  # a worker started here inherits the blocked SIGINT
                future = pool.submit(function, *args, **kwargs)
        except RuntimeError as exc:  # closed meanwhile, or broken (BrokenExecutor is one too)
            if isinstance(exc, concurrent.futures.BrokenExecutor):
                with self._lock:
                    self.processes = 0
            return function(*args, **kwargs)
        with self._lock:
            self.in_workers += 1
        try:
            return future.result()
        except concurrent.futures.CancelledError:  # closed while the page waited
            return function(*args, **kwargs)
        except concurrent.futures.BrokenExecutor:
            # A worker died (killed, out of memory): parse here from now on.
            with self._lock:
                self.processes = 0
            return function(*args, **kwargs)

    def _workers(self) -> concurrent.futures.ProcessPoolExecutor | None:
        if not self.processes:
            return None
        with self._lock:
            if self._pool is None and self.processes:
                import multiprocessing  # only for a run that parses in workers

                # spawn, not fork: the run already has threads (and maybe a browser's loop).
                self._pool = concurrent.futures.ProcessPoolExecutor(
                    self.processes,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_watch_parent,
                    initargs=(os.getpid(),),
                )
            return self._pool

    def close(self, abandon: bool = False) -> None:
        """Stop the workers once they have parsed the pages they hold; with abandon (Ctrl-C),
        at once: the threads waiting for those pages parse them themselves, if they still
        want them."""
        with self._lock:
            pool, self._pool, self.processes = self._pool, None, 0
        if pool is None:
            return
        if abandon:
            _terminate_workers(pool)
        pool.shutdown(wait=not abandon, cancel_futures=True)


IN_THREAD = Extractor()  # parses in the calling thread


def _terminate_workers(pool: concurrent.futures.ProcessPoolExecutor) -> None:
    """SIGTERM to each worker process (ProcessPoolExecutor.terminate_workers from 3.14)."""
    terminate = getattr(pool, "terminate_workers", None)
    if terminate is not None:
        terminate()
        return
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()


@contextmanager
def _interrupts_blocked() -> Iterator[None]:
    """Block SIGINT in this thread for a while: workers the pool starts meanwhile are born
    with it blocked, so Ctrl-C (sent to the whole process group) cannot interrupt them, even
    while they import. The run's main thread still gets it and stops the run."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _watch_parent(parent: int) -> None:
    """In a worker: exit once the run that started it is gone (killed by cron's timeout or
    the OOM killer), instead of waiting forever for pages that will never come."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)

    # Ctrl-C reaches the whole process group: the run says "Aborted!" and stops its workers;
    # a worker must not print a traceback of its own (SIGINT is also blocked from birth).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


def extraction_processes(policies: int, jobs: int) -> int:
    """Worker processes worth starting for a run over this many policies, fetched jobs at a
    time: one per core (at most four, at most jobs) on a machine with several cores, for a
    run with many pages and several fetch threads to feed the workers."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    workers = min(cores or 1, 4, jobs)
    return workers if workers > 1 and policies >= PROCESSES_FROM else 0


PROCESSES_FROM = 20  # fewer policies than this are parsed in the run's own threads
