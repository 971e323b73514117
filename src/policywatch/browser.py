"""Pages that only a browser can read: a headless Chromium driven by Playwright.

Playwright is an optional extra (`policywatch[browser]`) and drives the system's Chromium
(Debian's package at /usr/bin/chromium, or `chromium:` in the configuration's defaults), since
browser downloads at install time are not possible everywhere. One browser process serves a
whole run, at most two pages at a time, on an event loop of its own thread, so the fetcher's
worker threads can ask it for pages; it is closed on every exit path.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import threading
import time
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any

from .config import DEFAULT_CHROMIUM, Settings
from .fetch import FetchError
from .page import Page

PAGES_AT_ONCE = 2
INSTALL_HINT = "install the browser extra: pip install 'policywatch[browser]'"
# Quiet and deterministic: no first-run UI, no background traffic of the browser's own.
QUIET_FLAGS = (
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-gpu",
    "--disable-quic",
    "--disable-extensions",
    "--mute-audio",
    "--no-default-browser-check",
)
VIEWPORT = {"width": 1280, "height": 900}
# The policy is there when the selected elements hold this much text.
ENOUGH_TEXT = 200


def available() -> bool:
    """Whether the browser extra is installed."""
    try:
        import playwright  # noqa: F401
    except ImportError:
        return False
    return True


class Browser:
    """A lazily started headless Chromium shared by every policy of a run."""

    def __init__(self, executable: str = DEFAULT_CHROMIUM) -> None:
        self.executable = executable
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._playwright: Any = None
        self._browser: Any = None
        self._slots: asyncio.Semaphore | None = None

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name="browser", daemon=True)
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop

    async def _launch(self) -> Any:
        if self._browser is not None:
            return self._browser
        if not available():
            raise FetchError(f"the page needs a browser: {INSTALL_HINT}", kind="browser")
        executable = shutil.which(self.executable) or self.executable
        if not Path(executable).exists():
            raise FetchError(
                f"no Chromium at {self.executable} (apt-get install chromium, or set "
                "'chromium:' in the defaults of policies.yaml)",
                kind="browser",
            )
        from playwright.async_api import async_playwright

        self._playwright = await async_playwright().start()
        args = list(QUIET_FLAGS)
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
        try:
            self._browser = await self._playwright.chromium.launch(
                executable_path=executable, headless=True, args=args
            )
        except Exception as exc:  # Playwright raises its own Error type for launch failures
            await self._playwright.stop()
            self._playwright = None
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise FetchError(f"Chromium did not start: {reason}", kind="browser") from None
        self._slots = asyncio.Semaphore(PAGES_AT_ONCE)
        return self._browser

    async def _render(self, url: str, settings: Settings, wait_for: tuple[str, ...]) -> Page:
        from playwright.async_api import Error as PlaywrightError
        from playwright.async_api import TimeoutError as PlaywrightTimeout

        browser = await self._launch()
        assert self._slots is not None
        timeout_ms = settings.timeout * 1000
        async with self._slots:
            context = await browser.new_context(
                user_agent=settings.user_agent,
                locale=settings.language,
                viewport=VIEWPORT,
                extra_http_headers=dict(settings.headers),
                java_script_enabled=True,
            )
            try:
                page = await context.new_page()
                try:
                    response = await page.goto(url, wait_until="load", timeout=timeout_ms)
                except PlaywrightTimeout:
                    raise FetchError(
                        f"timed out loading in the browser after {settings.timeout:g} s",
                        kind="timeout",
                    ) from None
                except PlaywrightError as exc:
                    first = str(exc).strip().splitlines()[0]
                    raise FetchError(
                        f"the browser could not load it: {first}", kind="browser"
                    ) from None
                status = response.status if response is not None else 200
                if status >= 400:
                    raise FetchError(f"HTTP {status} (in the browser)", kind="http", status=status)
                await _wait_for_text(page, wait_for, timeout_ms)
                html = await page.content()
                headers = dict(response.headers) if response is not None else {}
                return Page(
                    url=url,
                    final_url=page.url,
                    status=status,
                    headers={
                        **{k.lower(): v for k, v in headers.items()},
                        "content-type": "text/html; charset=utf-8",
                    },
                    body=html.encode("utf-8"),
                    rendered=True,
                )
            finally:
                await context.close()

    def render(self, url: str, settings: Settings, wait_for: tuple[str, ...] = ()) -> Page:
        """The page's DOM after its scripts ran, as HTML bytes (call from any thread); with
        wait_for (CSS selectors), once those elements hold the policy's text."""
        loop = self._start_loop()
        future = asyncio.run_coroutine_threadsafe(self._render(url, settings, wait_for), loop)
        try:
            return future.result(timeout=settings.timeout * 3 + 30)
        except FutureTimeout:
            future.cancel()
            raise FetchError("the browser did not answer in time", kind="timeout") from None

    async def _close(self) -> None:
        if self._browser is not None:
            await self._browser.close()
            self._browser = None
        if self._playwright is not None:
            await self._playwright.stop()
            self._playwright = None

    def close(self, wait: float = 30.0) -> None:
        """Close the browser and its thread; safe to call twice, or when nothing started.
        After `wait` seconds (short when a run is interrupted), give up on closing it: its
        thread is a daemon, and the driver closes Chromium once this process is gone."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        # Calls the driver never answered (Ctrl-C reaches its process group, and it dies of
        # it) are of no interest once closing: not "Future exception was never retrieved".
        loop.set_exception_handler(lambda loop, context: None)
        deadline = time.monotonic() + wait
        # Closing must never hide the run's own result.
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(self._close(), loop).result(timeout=wait)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=min(max(deadline - time.monotonic(), 0.1), 10.0))
        if not thread.is_alive():  # a loop still running cannot be closed
            loop.close()
        self._loop = self._thread = None


async def _wait_for_text(page: Any, select: tuple[str, ...], timeout_ms: float) -> None:
    """Until the selected elements hold text, or the network goes idle; never longer."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    try:
        if select:
            await page.wait_for_function(
                """([selectors, enough]) => selectors.some(s => {
                    const found = document.querySelectorAll(s);
                    return Array.from(found).some(e => (e.innerText || '').trim().length >= enough);
                })""",
                arg=[list(select), ENOUGH_TEXT],
                timeout=timeout_ms,
            )
        else:
            await page.wait_for_load_state("networkidle", timeout=timeout_ms)
    except PlaywrightTimeout:
        pass  # take what is there: the extraction and its guards judge it
