"""HTTP: one session, timeouts, retries with backoff, Retry-After, a size cap, conditional requests.

Retries are ours, not urllib3's Retry: its waits sleep inside urllib3, where Ctrl-C cannot cut
them short (a run must end within two seconds of it), it cannot refuse a Retry-After longer
than `max_retry_after` with a reason a person reads, and it does not retry a body cut off while
it streams in. The per-host lock is released between attempts, so other policies of the same
host go on while one waits.
"""

from __future__ import annotations

import email.utils
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
import requests.adapters
import urllib3.exceptions

from .config import Settings
from .page import Page


class FetchError(Exception):
    """A policy could not be fetched; the message is the reason a person reads."""

    def __init__(self, reason: str, *, kind: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind
        self.status = status


@dataclass(frozen=True)
class Validators:
    """Conditional-request validators remembered from the last fetch."""

    etag: str | None = None
    last_modified: str | None = None


RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
CHUNK = 64 * 1024


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """An exception and those it wraps, outermost first: requests wraps urllib3, which wraps
    the socket's own error (in `reason`, in `args`, or as the cause)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        reason = getattr(current, "reason", None)
        nested = next((a for a in current.args if isinstance(a, BaseException)), None)
        current = (
            (reason if isinstance(reason, BaseException) else None)
            or nested
            or current.__cause__
            or current.__context__
        )


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    """Whether an exception, or one it wraps, is of this kind."""
    return any(isinstance(link, kind) for link in _chain(exc))


class Fetcher:
    """Fetches policies over one requests.Session, at most one request at a time per host."""

    def __init__(self, sleep: Callable[[float], object] | None = None) -> None:
        self.session = requests.Session()
        # Keep connections to many hosts alive at once (the default pool remembers ten).
        adapter = requests.adapters.HTTPAdapter(pool_connections=256, pool_maxsize=4)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self._interrupted = threading.Event()
        # Waits between retries end as soon as the run is interrupted.
        self._sleep = sleep or self._interrupted.wait
        self._host_locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    def close(self) -> None:
        self.session.close()

    def interrupt(self) -> None:
        """Make the fetches under way give up at their next step (a retry, a wait before one, a
        chunk of body), and any new one at once, with FetchError(kind="interrupted")."""
        self._interrupted.set()

    def _stop_if_interrupted(self) -> None:
        if self._interrupted.is_set():
            raise FetchError("interrupted", kind="interrupted")

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _host_lock(self, host: str) -> threading.Lock:
        with self._locks_guard:
            return self._host_locks.setdefault(host, threading.Lock())

    def fetch(self, url: str, settings: Settings, validators: Validators | None = None) -> Page:
        """Fetch a URL with retries, as settings say; FetchError says why not."""
        host = urlsplit(url).netloc.lower()
        headers = {
            "User-Agent": settings.user_agent,
            "Accept": "text/html,application/xhtml+xml,application/pdf,text/plain;q=0.9,*/*;q=0.5",
            "Accept-Language": f"{settings.language},en;q=0.5",
        }
        headers.update(dict(settings.headers))
        if validators is not None:
            if validators.etag:
                headers["If-None-Match"] = validators.etag
            if validators.last_modified:
                headers["If-Modified-Since"] = validators.last_modified
        attempt = 0
        while True:
            self._stop_if_interrupted()
            with self._host_lock(host):
                try:
                    return self._once(url, headers, settings)
                except _Retryable as retry:
                    failure = retry.error
                    wait = retry.wait
            if attempt >= settings.retries:
                raise failure
            if wait is None:
                wait = settings.backoff * (2**attempt)
            elif wait > settings.max_retry_after:
                raise FetchError(
                    f"{failure.reason}; the server asked to wait {wait:.0f} s, "
                    f"more than max_retry_after ({settings.max_retry_after:g} s)",
                    kind=failure.kind,
                    status=failure.status,
                )
            attempt += 1
            self._sleep(wait)

    def _once(self, url: str, headers: dict[str, str], settings: Settings) -> Page:
        timeout = settings.timeout
        try:
            response = self.session.get(
                url, headers=headers, timeout=(timeout, timeout), stream=True
            )
        except requests.TooManyRedirects:
            raise FetchError("too many redirects (a redirect loop?)", kind="redirect") from None
        except requests.ConnectTimeout:
            raise _Retryable(
                FetchError(f"timed out connecting after {timeout:g} s", kind="timeout")
            ) from None
        except requests.ReadTimeout:
            raise _Retryable(
                FetchError(f"timed out waiting for the server after {timeout:g} s", kind="timeout")
            ) from None
        except requests.exceptions.SSLError as exc:
            raise FetchError(f"TLS error: {_first_line(exc)}", kind="tls") from None
        except requests.ConnectionError as exc:
            if _caused_by(exc, urllib3.exceptions.NameResolutionError):
                host = urlsplit(url).hostname
                raise FetchError(f"DNS lookup failed for {host}", kind="dns") from None
            raise _Retryable(
                FetchError(f"connection failed: {_first_line(exc)}", kind="connection")
            ) from None
        except requests.RequestException as exc:
            raise FetchError(f"request failed: {_first_line(exc)}", kind="request") from None
        with response:
            status = response.status_code
            if status in RETRY_STATUSES:
                label = f"HTTP {status} {response.reason or ''}".strip()
                raise _Retryable(
                    FetchError(label, kind="http", status=status),
                    wait=retry_after_seconds(response.headers.get("Retry-After")),
                )
            if status >= 400:
                label = f"HTTP {status} {response.reason or ''}".strip()
                raise FetchError(label, kind="http", status=status)
            if status == 304:
                _ = response.content  # read the empty body so the connection can be reused
                body = b""
            else:
                body = self._read(response, settings.max_bytes, timeout)
            return Page(
                url=url,
                final_url=response.url,
                status=status,
                headers={k.lower(): v for k, v in response.headers.items()},
                body=body,
            )

    def _read(self, response: requests.Response, max_bytes: int, timeout: float) -> bytes:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise FetchError(
                f"too large: {int(declared):,} bytes declared, max_bytes is {max_bytes:,}",
                kind="too-large",
            )
        # A server that drips bytes can defeat the per-read timeout; bound the whole body too.
        deadline = time.monotonic() + max(3 * timeout, 10.0)
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in response.iter_content(CHUNK):
                self._stop_if_interrupted()
                size += len(chunk)
                if size > max_bytes:
                    raise FetchError(
                        f"too large: more than max_bytes ({max_bytes:,} bytes)", kind="too-large"
                    )
                if time.monotonic() > deadline:
                    raise _Retryable(FetchError("timed out reading the body", kind="timeout"))
                chunks.append(chunk)
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            if _caused_by(exc, urllib3.exceptions.ReadTimeoutError):
                raise _Retryable(
                    FetchError(f"timed out reading the body after {timeout:g} s", kind="timeout")
                ) from None
            raise _Retryable(
                FetchError(f"the body was cut off: {_first_line(exc)}", kind="truncated")
            ) from None
        except requests.exceptions.ContentDecodingError as exc:
            raise FetchError(
                f"the body could not be decompressed: {_first_line(exc)}", kind="encoding"
            ) from None
        except requests.Timeout:
            raise _Retryable(FetchError("timed out reading the body", kind="timeout")) from None
        return b"".join(chunks)


class _Retryable(Exception):
    def __init__(self, error: FetchError, wait: float | None = None) -> None:
        super().__init__(error.reason)
        self.error = error
        self.wait = wait


def _first_line(exc: BaseException) -> str:
    """What went wrong, from the innermost cause: urllib3's wrappers bury it at the end."""
    *_, deepest = _chain(exc)
    if isinstance(deepest, OSError) and deepest.strerror:
        return deepest.strerror
    text = str(deepest).strip().splitlines() or str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
