"""Archive bookkeeping of a check: a new version recorded (or not), and the check remembered."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from . import extract as extraction
from .archive import Archive, ArchiveError
from .config import Policy
from .derive import Rejected, derive_from_raw, extraction_meta
from .fetch import Validators
from .guard import shrank
from .outcome import CHANGED, FAILED, NEW, UNCHANGED, Outcome
from .page import Page
from .snapshot import Snapshot, sha256


def _is_technical(policy: Policy, last: Snapshot, text: str) -> bool:
    """True when the last snapshot, re-read with today's settings, gives exactly this text."""
    if {k: last.meta.get(k) for k in ("extractor_version", "extraction")} == extraction_meta(
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
            **extraction_meta(policy),
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
    from .segment import same_wording
    from .sides import canonical_text

    try:
        before = canonical_text(last)
    except ArchiveError:
        return False
    return same_wording(before, text)


def validators_for(archive: Archive, policy: Policy, state: dict[str, Any]) -> Validators | None:
    last = archive.latest(policy.id)
    if last is None:
        return None  # nothing to compare with: always fetch in full
    if state.get("url") not in (None, policy.url):
        return None
    etag = state.get("etag", last.meta.get("etag"))
    modified = state.get("last_modified", last.meta.get("last_modified"))
    return Validators(etag=etag, last_modified=modified) if etag or modified else None


def fetch_meta(policy: Policy, fetched: Page) -> dict[str, Any]:
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


def remember(
    archive: Archive,
    policy: Policy,
    now: datetime,
    outcome: Outcome,
    state: dict[str, Any],
    fetched: Page | None,
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
