"""The daily check: fetch each policy, extract its text, guard against junk, archive what changed."""

from __future__ import annotations

import concurrent.futures
from collections import Counter
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from . import extract as extraction
from .archive import Archive, ArchiveError, Snapshot, sha256
from .browser import Browser
from .config import Policy
from .fetch import Fetched, Fetcher, FetchError, Validators
from .guard import NEEDS_JAVASCRIPT, needs_javascript, page_problem, shrank, too_short
from .threads import DaemonThreads, Gate, Ticket
from .workers import IN_THREAD, Extractor

# Outcome statuses
NEW = "new"  # the policy's first snapshot
CHANGED = "changed"  # a new snapshot: the text differs from the last one
UNCHANGED = "unchanged"
FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one check (or one imported file) did for a policy."""

    policy_id: str
    status: str
    reason: str | None = None
    snapshot: str | None = None  # the new snapshot's stamp
    previous: str | None = None  # the stamp it follows
    returns_to: str | None = None  # an older snapshot with the very same text
    technical: bool = False  # the change comes from extraction settings, not the policy
    formatting_only: bool = False  # the text changed, its words did not (layout, links, markup)
    failing_since: str | None = None
    repeated: bool = False  # a failure that was already failing at the last check
    not_modified: bool = False  # the server answered 304

    @property
    def is_news(self) -> bool:
        """Worth telling a person who asked to hear only news (cron with --quiet)."""
        if self.status == FAILED:
            return not self.repeated
        return (
            self.status in (NEW, CHANGED)
            and not self.technical
            and not self.formatting_only
            and self.returns_to is None
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "policy": self.policy_id,
            "status": self.status,
            "reason": self.reason,
            "snapshot": self.snapshot,
            "previous": self.previous,
            "returns_to": self.returns_to,
            "technical": self.technical,
            "formatting_only": self.formatting_only,
            "failing_since": self.failing_since,
            "repeated_failure": self.repeated,
            "not_modified": self.not_modified,
        }


class Rejected(Exception):
    """The page was fetched but is not a policy version to archive."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def derive_text(
    policy: Policy,
    body: bytes,
    *,
    content_type: str = "",
    charset: str | None = None,
    filename: str = "",
    final_url: str = "",
    accept: bool = False,
    min_length: int | None = None,
) -> extraction.Extraction:
    """Extract a policy's text from raw bytes and refuse pages that are not the policy.

    With accept, a person vouches for the page: only a page with no text at all is refused.
    min_length defaults to the policy's; one page of a several-page policy passes 0.
    """
    if min_length is None:
        min_length = policy.settings.min_length
    try:
        result = extraction.extract(
            body,
            content_type=content_type,
            charset=charset,
            filename=filename,
            select=policy.select,
            remove=policy.remove,
            ignore=policy.ignore,
        )
    except extraction.ExtractionError as exc:
        # A challenge page never carries the selector: say what the page is, not just that;
        # judged on the whole page's text, so a redesigned real page is not called a challenge.
        problem = None
        if exc.kind == "selector":
            whole = _whole_page(body, content_type, charset, filename)
            problem = page_problem(body, whole.title, whole.text, final_url)
        if problem is None and exc.kind == "selector" and needs_javascript(body):
            problem = NEEDS_JAVASCRIPT
        raise Rejected(problem or exc.reason) from None
    if accept:
        problem = too_short(result.text, 1)
    else:
        problem = page_problem(body, result.title, result.text, final_url)
        if problem is None and min_length:
            problem = too_short(result.text, min_length)
            if problem is not None and needs_javascript(body):
                problem = NEEDS_JAVASCRIPT
    if problem is not None:
        raise Rejected(problem)
    return result


def _whole_page(
    body: bytes, content_type: str, charset: str | None, filename: str
) -> extraction.Extraction:
    try:
        return extraction.extract(
            body, content_type=content_type, charset=charset, filename=filename
        )
    except extraction.ExtractionError:
        return extraction.Extraction(text="", kind=extraction.HTML)


def derive_pages(
    policy: Policy, pages: list[dict[str, Any]], accept: bool = False
) -> extraction.Extraction:
    """The text of a policy spread over several pages, each refused or kept like one page."""
    from .pages import PAGES_KIND, join

    texts = []
    for page in pages:
        result = derive_text(
            policy,
            page["body"],
            content_type=page.get("content_type") or "",
            charset=page.get("charset"),
            final_url=page.get("final_url") or "",
            accept=accept,
            min_length=0,
        )
        texts.append(result.text)
    text = join(tuple(p["url"] for p in pages), texts)
    problem = too_short(text, 1 if accept else policy.settings.min_length)
    if problem is not None:
        raise Rejected(problem)
    return extraction.Extraction(text=text, kind=PAGES_KIND)


def derive_from_raw(
    policy: Policy, raw: bytes, filename: str, content_type: str = ""
) -> extraction.Extraction:
    """Re-derive an archived snapshot's text from its raw bytes, one page or several."""
    if filename.endswith(".pages.json"):
        from .pages import pages_of

        try:
            pages = pages_of(raw)
        except (ValueError, KeyError, TypeError):
            raise Rejected(f"{filename}: not a readable record of several pages") from None
        return derive_pages(policy, pages)
    return derive_text(policy, raw, content_type=content_type, filename=filename)


def get_pages(
    fetcher: Fetcher, browser: Browser, policy: Policy, validators: Validators | None = None
) -> list[Fetched]:
    """A policy's pages as a check gets them: fetched or rendered as its `render` says, and
    every page of `urls` (validators apply to a policy of one page only)."""
    from .pages import get_page

    if len(policy.pages) > 1:
        return [get_page(fetcher, browser, policy, url) for url in policy.pages]
    return [get_page(fetcher, browser, policy, policy.url, validators)]


def derive_fetched(policy: Policy, pages: list[Fetched]) -> extraction.Extraction:
    """The text a check would archive from these pages (one page, or several joined)."""
    if len(pages) > 1:
        return derive_pages(policy, [_page(p) for p in pages])
    (page,) = pages
    return derive_text(
        policy,
        page.body,
        content_type=page.content_type,
        charset=page.charset,
        final_url=page.final_url,
    )


def _extraction_meta(policy: Policy) -> dict[str, Any]:
    return {
        "extractor_version": extraction.EXTRACTOR_VERSION,
        "extraction": policy.extraction_key(),
    }


def _is_technical(policy: Policy, last: Snapshot, text: str) -> bool:
    """True when the last snapshot, re-read with today's settings, gives exactly this text."""
    if {k: last.meta.get(k) for k in ("extractor_version", "extraction")} == _extraction_meta(
        policy
    ):
        return False
    try:
        again = derive_from_raw(
            policy, last.raw(), last.source_name, str(last.meta.get("content_type", ""))
        )

    except (Rejected, ArchiveError):
        return False
    return again.text == text


def record_version(
    archive: Archive,
    policy: Policy,
    *,
    taken_at: datetime,
    raw: bytes,
    result: extraction.Extraction,
    meta: dict[str, Any],
    accept: bool = False,
    before_write: Callable[[], None] | None = None,
) -> Outcome:
    """Archive a text as a new snapshot unless it equals the one in force at taken_at
    (before_write, if given, is called before anything is written, and may refuse)."""
    text_hash = sha256(result.text)
    newest = archive.latest(policy.id)
    if newest is not None and newest.taken_at <= taken_at and newest.text_sha256 == text_hash:
        return Outcome(policy.id, UNCHANGED, previous=newest.stamp)  # the daily case: one read
    snaps = archive.snapshots(policy.id)
    earlier = [s for s in snaps if s.taken_at <= taken_at]
    last = earlier[-1] if earlier else None
    if last is not None and last.text_sha256 == text_hash:
        return Outcome(policy.id, UNCHANGED, previous=last.stamp)
    if last is not None and not accept:
        problem = shrank(last.text, result.text)
        if problem:
            raise Rejected(problem)
    returns_to = next((s.stamp for s in reversed(earlier) if s.text_sha256 == text_hash), None)
    technical = last is not None and returns_to is None and _is_technical(policy, last, result.text)
    formatting_only = (
        last is not None
        and returns_to is None
        and not technical
        and _same_wording(last, result.text)
    )
    if before_write is not None:
        before_write()
    snapshot = archive.write_snapshot(
        policy.id,
        taken_at,
        raw,
        result.kind,
        result.text,
        {
            **meta,
            **_extraction_meta(policy),
            "previous": last.stamp if last else None,
            "returns_to": returns_to,
            "technical": technical,
            "formatting_only": formatting_only,
            "accepted": accept,
        },
    )
    return Outcome(
        policy.id,
        NEW if last is None else CHANGED,
        snapshot=snapshot.stamp,
        previous=last.stamp if last else None,
        returns_to=returns_to,
        technical=technical,
        formatting_only=formatting_only,
    )


def _same_wording(last: Snapshot, text: str) -> bool:
    """Whether a new text has the very words of the last snapshot: a change of formatting."""
    from .diff import canonical_text
    from .segment import wording

    try:
        before = canonical_text(last)
    except ArchiveError:
        return False
    return wording(before) == wording(text)


def _validators(archive: Archive, policy: Policy, state: dict[str, Any]) -> Validators | None:
    last = archive.latest(policy.id)
    if last is None:
        return None  # nothing to compare with: always fetch in full
    if state.get("url") not in (None, policy.url):
        return None
    etag = state.get("etag", last.meta.get("etag"))
    modified = state.get("last_modified", last.meta.get("last_modified"))
    return Validators(etag=etag, last_modified=modified) if etag or modified else None


def _fetch_meta(policy: Policy, fetched: Fetched) -> dict[str, Any]:
    return {
        "source": "fetch",
        "url": policy.url,
        "final_url": fetched.final_url,
        "status": fetched.status,
        "content_type": fetched.content_type,
        "etag": None if fetched.rendered else fetched.headers.get("etag"),
        "last_modified": None if fetched.rendered else fetched.headers.get("last-modified"),
        "rendered": fetched.rendered,
    }


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
    from .pages import raw_of

    browser = browser or _NO_BROWSER
    extractor = extractor or IN_THREAD
    try:
        state = archive.state(policy.id)
    except ArchiveError as exc:
        # Not remembered: writing a new state over it would lose what it held.
        return Outcome(policy.id, FAILED, reason=f"archive: {exc}")
    fetched: Fetched | None = None
    try:
        if len(policy.pages) > 1:
            pages = get_pages(fetcher, browser, policy)
            result = extractor.run(derive_pages, policy, [_page(p) for p in pages], accept)
            meta = {**_fetch_meta(policy, pages[0]), "pages": list(policy.pages)}
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
            validators = None if policy.render == "always" else _validators(archive, policy, state)
            (fetched,) = get_pages(fetcher, browser, policy, validators)
            outcome = _archive_page(archive, policy, fetched, now, accept, extractor, before_write)
    except FetchError as exc:
        outcome = Outcome(policy.id, FAILED, reason=exc.reason)
    except Rejected as exc:
        outcome = Outcome(policy.id, FAILED, reason=exc.reason)
    except (ArchiveError, OSError) as exc:
        outcome = Outcome(policy.id, FAILED, reason=f"archive: {exc}")
    return _remember(archive, policy, now, outcome, state, fetched, before_write)


def _page(fetched: Fetched) -> dict[str, Any]:
    return {
        "url": fetched.url,
        "body": fetched.body,
        "content_type": fetched.content_type,
        "charset": fetched.charset,
        "final_url": fetched.final_url,
    }


def _archive_page(
    archive: Archive,
    policy: Policy,
    fetched: Fetched,
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
    result = extractor.run(
        derive_text,
        policy,
        fetched.body,
        content_type=fetched.content_type,
        charset=fetched.charset,
        final_url=fetched.final_url,
        accept=accept,
    )
    return record_version(
        archive,
        policy,
        taken_at=now,
        raw=fetched.body,
        result=result,
        meta=_fetch_meta(policy, fetched),
        accept=accept,
        before_write=before_write,
    )


_NO_BROWSER = Browser("/nonexistent/chromium")  # never started unless a policy renders


def _remember(
    archive: Archive,
    policy: Policy,
    now: datetime,
    outcome: Outcome,
    state: dict[str, Any],
    fetched: Fetched | None,
    before_write: Callable[[], None] | None = None,
) -> Outcome:
    when = now.astimezone(UTC).isoformat().replace("+00:00", "Z")
    new_state = dict(state)
    new_state.update(
        last_check=when, last_status=outcome.status, last_reason=outcome.reason, url=policy.url
    )
    if outcome.status == FAILED:
        repeated = state.get("failing_since") is not None
        since = state.get("failing_since") or when
        # The same reason again is old news; a new reason is worth a new message.
        repeated = repeated and state.get("last_reason") == outcome.reason
        new_state.update(failing_since=since, failures=int(state.get("failures", 0)) + 1)
        outcome = replace(outcome, failing_since=since, repeated=repeated)
    else:
        new_state.update(failing_since=None, failures=0, last_success=when)
        if fetched is not None and not fetched.not_modified:
            new_state.update(
                etag=fetched.headers.get("etag"), last_modified=fetched.headers.get("last-modified")
            )
        if outcome.snapshot:
            new_state.update(last_snapshot=outcome.snapshot)
            if not outcome.technical:
                new_state.update(last_change=when)
    record = {"at": when, **{k: v for k, v in outcome.to_json().items() if v not in (None, False)}}
    if before_write is not None:
        before_write()
    try:
        archive.record_check(policy.id, record, new_state)
    except (OSError, ArchiveError) as exc:
        if outcome.status != FAILED:
            outcome = Outcome(
                policy.id,
                FAILED,
                reason=f"archive: could not record the check ({getattr(exc, 'strerror', None) or exc})",
                snapshot=outcome.snapshot,
            )
    return outcome


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
    chromium: str = "/usr/bin/chromium",
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
                for future in done:
                    del pending[future]
                    yield future.result()
            ticket = gate.ticket(policy.id)
            future = pool.submit(
                check_policy, archive, fetcher, policy, moment, accept, browser, extractor, ticket
            )
            pending[future] = ticket
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
    finished: list[Outcome] = []
    abandoned: list[str] = []
    for future, ticket in pending.items():
        if future.cancelled():
            continue  # never started
        if future.done() and future.exception() is None:
            finished.append(future.result())
        else:
            abandoned.append(ticket.policy_id)
    return Interrupted(finished, abandoned)


@dataclass
class Tally:
    """A run's outcomes as they come: how many of each status, and the ones worth a line
    (all but the plainly unchanged, or every one with keep_all, for a JSON report)."""

    keep_all: bool = False
    counts: Counter[str] = field(default_factory=Counter)
    kept: list[Outcome] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        self.counts[outcome.status] += 1
        if self.keep_all or outcome.status != UNCHANGED:
            self.kept.append(outcome)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def changed(self) -> int:
        return self.counts[NEW] + self.counts[CHANGED]


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
