"""A local HTTP server that holds requests, for tests of what a run does while servers hang.

HeldServer(page, hosts=2, mode="hold") listens on `hosts` ports of 127.0.0.1 (each port is a
host of its own to the fetcher, which sends one request at a time per host). The first
`answer_first` requests are answered at once; each later one is counted as held, then
answered as `mode` says: "hold" accepts it and answers after `delay` seconds, "trickle" sends
the headers at once and then the body a byte every 0.2 s for `delay` seconds, "answer" answers
at once. Closing the server (the end of its `with` block) releases every held request at
once without answering it, so a test never waits for a server's delay.
"""

from __future__ import annotations

import contextlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


class HeldServer:
    def __init__(
        self,
        page: bytes,
        *,
        hosts: int = 1,
        mode: str = "hold",
        answer_first: int = 0,
        delay: float = 20.0,
    ) -> None:
        self.page = page
        self.mode = mode
        self.answer_first = answer_first
        self.delay = delay
        self.paths: list[str] = []  # every request, in the order it arrived
        self.held: list[str] = []  # the paths of the requests held
        self.answered_late = 0  # held requests answered in full (after the delay)
        self._changed = threading.Condition()
        self._release = threading.Event()
        handler = _handler(self)
        self._servers = [_Server(("127.0.0.1", 0), handler) for _ in range(hosts)]
        self._threads = [
            # A short poll: closing waits for each server's loop to notice.
            threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
            for server in self._servers
        ]

    def __enter__(self) -> HeldServer:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._release.set()
        for server in self._servers:
            server.shutdown()
            server.server_close()

    def url(self, path: str, host: int = 0) -> str:
        return f"http://127.0.0.1:{self._servers[host].server_address[1]}{path}"

    def wait_held(self, count: int, timeout: float = 30.0) -> bool:
        """Until `count` requests are held (False if they are not within the timeout)."""
        with self._changed:
            return self._changed.wait_for(lambda: len(self.held) >= count, timeout)

    def _arrived(self, path: str) -> bool:
        """Record a request; whether to hold it."""
        with self._changed:
            self.paths.append(path)
            hold = self.mode != "answer" and len(self.paths) > self.answer_first
            if hold:
                self.held.append(path)
            self._changed.notify_all()
            return hold


def _handler(server: HeldServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self.close_connection = True  # released or not, a request ends its connection
            with contextlib.suppress(OSError):  # the client may be gone: that is the point
                if not server._arrived(self.path):
                    self._headers()
                    self.wfile.write(server.page)
                elif server.mode == "trickle":
                    self._trickle()
                elif not server._release.wait(server.delay):
                    self._headers()
                    self.wfile.write(server.page)
                    with server._changed:
                        server.answered_late += 1

        def _headers(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(server.page)))
            self.end_headers()
            self.wfile.flush()

        def _trickle(self) -> None:
            self._headers()
            for sent in range(int(server.delay / 0.2)):
                if server._release.wait(0.2):
                    return
                self.wfile.write(server.page[sent : sent + 1])
                self.wfile.flush()
            self.wfile.write(server.page[int(server.delay / 0.2) :])
            with server._changed:
                server.answered_late += 1

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that went away mid-answer
