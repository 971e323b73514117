"""The daily check: get each policy's pages, derive its text, archive what changed, concurrently.

The steps live in their own modules: pages.py gets a page (fetched or rendered), derive.py
turns pages into the policy's text and refuses what is not the policy, record.py archives a
new version and remembers the check, outcome.py says what happened. This module runs them
for many policies at once and stops at once on Ctrl-C.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable, Generator, Iterable
from datetime import UTC, datetime
from typing import Any

from .archive import Archive, ArchiveError
from .browser import Browser
from .config import DEFAULT_CHROMIUM, Policy
from .derive import Rejected, derive_page, derive_pages
from .fetch import Fetcher, FetchError
from .outcome import FAILED, UNCHANGED, Outcome
from .page import Page
from .pages import get_pages, raw_of
from .record import fetch_meta, record_version, remember, validators_for
from .threads import DaemonThreads, Gate, Ticket, sort_out
from .workers import IN_THREAD, Extractor


def check_policy(
    archive: Archive,
    fetcher: Fetcher,
    policy: Policy,
    now: datetime,
    accept: bool = False,
    browser: Browser | None = None,
    extractor: Extractor | None = None,
    before_write: Callable[[], None] | None = None,
) -> Outcome:
    """Fetch (or render), extract and archive one policy, and remember the check.

    before_write is called before the policy's first write to the archive: an interrupted
    run's gate raises there, and the policy is left as it was."""
    browser = browser or _NO_BROWSER
    extractor = extractor or IN_THREAD
    try:
        state = archive.state(policy.id)
    except ArchiveError as exc:
        # Not remembered: writing a new state over it would lose what it held.
        return Outcome(policy.id, FAILED, reason=f"archive: {exc}")
    fetched: Page | None = None
    try:
        if len(policy.pages) > 1:
            pages = get_pages(fetcher, browser, policy)
            result = extractor.run(derive_pages, policy, pages, accept)
            meta = {**fetch_meta(policy, pages[0]), "pages": list(policy.pages)}
            meta["rendered"] = any(p.rendered for p in pages)
            outcome = record_version(
                archive,
                policy,
                taken_at=now,
                raw=raw_of(pages),
                result=result,
                meta=meta,
                accept=accept,
                before_write=before_write,
            )
        else:
            validators = (
                None if policy.render == "always" else validators_for(archive, policy, state)
            )
            (fetched,) = get_pages(fetcher, browser, policy, validators)
            outcome = _archive_page(archive, policy, fetched, now, accept, extractor, before_write)
    except FetchError as exc:
        outcome = Outcome(policy.id, FAILED, reason=exc.reason)
    except Rejected as exc:
        outcome = Outcome(policy.id, FAILED, reason=exc.reason)
    except (ArchiveError, OSError) as exc:
        outcome = Outcome(policy.id, FAILED, reason=f"archive: {exc}")
    return remember(archive, policy, now, outcome, state, fetched, before_write)


def _archive_page(
    archive: Archive,
    policy: Policy,
    fetched: Page,
    now: datetime,
    accept: bool,
    extractor: Extractor,
    before_write: Callable[[], None] | None,
) -> Outcome:
    if fetched.not_modified:
        last = archive.latest(policy.id)
        return Outcome(
            policy.id, UNCHANGED, previous=last.stamp if last else None, not_modified=True
        )
    result = extractor.run(derive_page, policy, fetched, accept)
    return record_version(
        archive,
        policy,
        taken_at=now,
        raw=fetched.body,
        result=result,
        meta=fetch_meta(policy, fetched),
        accept=accept,
        before_write=before_write,
    )


_NO_BROWSER = Browser("/nonexistent/chromium")  # never started unless a policy renders


def run_check(archive: Archive, policies: Iterable[Policy], **options: Any) -> list[Outcome]:
    """Check policies and return every outcome, in the order they finished (options: those
    of iter_check)."""
    return list(iter_check(archive, policies, **options))


class Interrupted(KeyboardInterrupt):
    """Ctrl-C stopped a check. `finished`: outcomes of policies that were done but not yet
    yielded; `abandoned`: the ids of the policies under way, in the order they were started,
    of which nothing was written (they keep their previous state). Policies that were not
    started are in neither."""

    def __init__(self, finished: list[Outcome], abandoned: list[str]) -> None:
        super().__init__(f"interrupted; abandoned: {', '.join(abandoned) or 'none'}")
        self.finished = finished
        self.abandoned = abandoned


def iter_check(
    archive: Archive,
    policies: Iterable[Policy],
    *,
    jobs: int = 4,
    now: Callable[[], datetime] | None = None,
    accept: bool = False,
    fetcher: Fetcher | None = None,
    chromium: str = DEFAULT_CHROMIUM,
    extractor: Extractor | None = None,
    on_interrupt: Callable[[list[str]], None] | None = None,
) -> Generator[Outcome, None, None]:
    """Check policies concurrently and yield each outcome as it finishes (the fetcher keeps
    one request at a time per host; one browser, started only if a policy needs it, renders
    at most two pages at a time). Work in flight is bounded: memory does not grow with the
    number of policies, which are read from the iterable only as they are needed. Pages are
    parsed by extractor (in the worker threads when None; the caller closes it).

    A KeyboardInterrupt (Ctrl-C) while it waits for outcomes, or thrown into it, ends it at
    once with Interrupted: whatever its servers do, it waits only for the policies already
    writing to the archive (on_interrupt, if given, hears their ids first, if there are
    any); the others are abandoned in their threads, as they are."""
    clock = now or now_utc
    own_fetcher = fetcher is None
    fetcher = fetcher or Fetcher()
    browser = Browser(chromium)
    moment = clock()
    gate = Gate()
    pool = DaemonThreads(jobs, name="check")
    pending: dict[concurrent.futures.Future[Outcome], Ticket] = {}  # in the order started
    interrupted = False
    try:
        window = max(1, jobs) * 4
        for policy in policies:
            if len(pending) >= window:
                done, _ = concurrent.futures.wait(
                    pending, return_when=concurrent.futures.FIRST_COMPLETED
                )
                for finished in done:
                    del pending[finished]
                    yield finished.result()
            ticket = gate.ticket(policy.id)
            future: concurrent.futures.Future[Outcome] = concurrent.futures.Future()
            pending[future] = ticket  # noted before a thread can start it (submit_to)
            pool.submit_to(
                future,
                check_policy,
                archive,
                fetcher,
                policy,
                moment,
                accept,
                browser,
                extractor,
                ticket,
            )
        for future in concurrent.futures.as_completed(list(pending)):
            del pending[future]
            yield future.result()
    except KeyboardInterrupt:
        interrupted = True
        raise _abandon(pending, gate, pool, fetcher, on_interrupt) from None
    finally:
        if not interrupted:
            # A consumer that stops early: policies not started are not checked; the ones
            # under way finish (a snapshot is never half-written).
            pool.shutdown(wait=True, cancel_futures=True)
        browser.close(wait=1.0 if interrupted else 30.0)
        if own_fetcher:
            fetcher.close()


def _abandon(
    pending: dict[concurrent.futures.Future[Outcome], Ticket],
    gate: Gate,
    pool: DaemonThreads,
    fetcher: Fetcher,
    on_interrupt: Callable[[list[str]], None] | None,
) -> Interrupted:
    """Stop a run now: no policy starts writing, no fetch goes on, nothing new starts; wait
    only for the policies already writing (a few small files each)."""
    gate.close()
    fetcher.interrupt()
    pool.shutdown(wait=False, cancel_futures=True)
    writing = {f: t.policy_id for f, t in pending.items() if t.writing and not f.done()}
    if writing and on_interrupt is not None:
        on_interrupt(list(writing.values()))
    concurrent.futures.wait(writing)
    finished, abandoned, _ = sort_out({f: t.policy_id for f, t in pending.items()})
    return Interrupted(finished, abandoned)


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
