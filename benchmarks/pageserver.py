"""A slow local web server of real policy pages, and helpers shared by the check benchmarks.

    python benchmarks/pageserver.py --pages N [--hosts H] [--delay 0.15] [--sites match,meetic]

Serves N pages, page i at /p/i on every host, its bytes cycling through
tests/fixtures/snapshots/<site>/*.html. Each host is its own loopback address (127.0.0.2,
127.0.0.3, ...) so a client that sends one request at a time per host still runs H at once.
Every answer waits --delay seconds first, in its own thread (one thread per connection, so
a slow answer never holds up another). Each page has an ETag; a matching If-None-Match gets
304. GET /_stats on any host answers JSON counters: requests, not_modified (304s),
connections (TCP connections accepted) and peak_inflight (most requests in the server at once
since the last /_stats).

On start it prints one JSON line: {"bases": ["http://127.0.0.2:PORT", ...]}.

The rest of the module is for the benchmark scripts: start the server in a subprocess, write
a policies.yaml, run a command in a new process and measure it.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "snapshots"
# The smallest real pages (30-60 KB): 10,000 of them still fit in about 1 GB of archive.
SMALL_SITES = ("match", "meetic", "zoosk")
STAMP_JSON = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z\.json")


# -------------------------------------------------------------------------------------------
# The server (runs in its own process)


def fixture_pages(sites: tuple[str, ...]) -> list[bytes]:
    files = sorted(path for site in sites for path in (FIXTURES / site).glob("*.html"))
    if not files:
        raise SystemExit(f"no pages under {FIXTURES} for {', '.join(sites)}")
    return [path.read_bytes() for path in files]


class _Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: Counter[str] = Counter()
        self.inflight = 0

    def add(self, key: str, n: int = 1) -> None:
        with self.lock:
            self.counts[key] += n

    @contextlib.contextmanager
    def request(self) -> Iterator[None]:
        with self.lock:
            self.counts["requests"] += 1
            self.inflight += 1
            self.counts["peak_inflight"] = max(self.counts["peak_inflight"], self.inflight)
        try:
            yield
        finally:
            with self.lock:
                self.inflight -= 1


def _handler(
    pages: list[bytes], etags: list[str], count: int, delay: float, stats: _Stats
) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real servers do

        def setup(self) -> None:
            super().setup()
            stats.add("connections")

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            if self.path == "/_stats":
                with stats.lock:  # the peak is reset by each read: the peak since the last one
                    counts = dict(stats.counts)
                    stats.counts["peak_inflight"] = stats.inflight
                self._send(200, json.dumps(counts).encode(), "application/json")
                return
            match = re.fullmatch(r"/p/(\d+)", self.path)
            if not match or int(match.group(1)) >= count:
                self._send(404, b"not found", "text/plain")
                return
            index = int(match.group(1))
            body, etag = pages[index % len(pages)], etags[index % len(pages)]
            etag = f'"{index}-{etag}"'
            with stats.request():
                time.sleep(delay)
                if etag in {t.strip() for t in self.headers.get("If-None-Match", "").split(",")}:
                    stats.add("not_modified")
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self._send(200, body, "text/html; charset=utf-8", etag)

        def _send(self, status: int, body: bytes, ctype: str, etag: str | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            if etag:
                self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(body)

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256


def serve(count: int, hosts: int, delay: float, sites: tuple[str, ...]) -> None:
    pages = fixture_pages(sites)
    etags = [hashlib.sha256(page).hexdigest()[:16] for page in pages]
    stats = _Stats()
    handler = _handler(pages, etags, count, delay, stats)
    servers = [_Server((f"127.0.0.{2 + i}", 0), handler) for i in range(hosts)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    bases = [f"http://{s.server_address[0]}:{s.server_address[1]}" for s in servers]
    print(json.dumps({"bases": bases, "pages": len(pages)}), flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    for server in servers:
        server.shutdown()


# -------------------------------------------------------------------------------------------
# Helpers for the benchmark scripts


def check_hosts(hosts: int) -> None:
    """Fail early, with a clear message, when the loopback addresses cannot be bound."""
    for i in range(hosts):
        address = f"127.0.0.{2 + i}"
        with socket.socket() as sock:
            try:
                sock.bind((address, 0))
            except OSError as exc:
                raise SystemExit(f"cannot bind {address} ({exc}); use fewer --hosts") from None


class PageServer:
    """The server above in a subprocess; .stats() reads its counters."""

    def __init__(
        self, pages: int, hosts: int, delay: float, sites: tuple[str, ...] = SMALL_SITES
    ) -> None:
        check_hosts(hosts)
        argv = [sys.executable, __file__, "--pages", str(pages), "--hosts", str(hosts)]
        argv += ["--delay", str(delay), "--sites", ",".join(sites)]
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait()
            raise SystemExit("the page server did not start")
        info = json.loads(line)
        self.bases: list[str] = info["bases"]
        self.distinct_pages: int = info["pages"]

    def url(self, index: int) -> str:
        return f"{self.bases[index % len(self.bases)]}/p/{index}"

    def stats(self) -> Counter[str]:
        with urllib.request.urlopen(f"{self.bases[0]}/_stats", timeout=10) as response:
            return Counter(json.loads(response.read()))

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()

    def __enter__(self) -> PageServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_config(path: Path, server: PageServer, count: int, jobs: int) -> None:
    lines = ["defaults:", f"  jobs: {jobs}", "  retries: 0", "  timeout: 10", "policies:"]
    for i in range(count):
        lines += [f"  - id: p{i:05d}", f"    url: {server.url(i)}"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def policywatch(*args: str) -> list[str]:
    return [sys.executable, "-m", "policywatch", *args]


def disk_kib(path: Path) -> int:
    """Space used under path (du -sk), 0 when it does not exist."""
    if not path.exists():
        return 0
    out = subprocess.run(["du", "-sk", str(path)], check=True, capture_output=True, text=True)
    return int(out.stdout.split()[0])


def free_gib(path: Path) -> float:
    return shutil.disk_usage(path).free / 2**30


@dataclass
class Measured:
    wall: float
    cpu: float  # user + system seconds of the child (RUSAGE_CHILDREN delta)
    cpu_sys: float  # the system part of it
    peak_rss_mib: float  # this child's own peak (wait4's rusage)
    exit_code: int
    requests: int = 0
    not_modified: int = 0
    connections: int = 0
    peak_inflight: int = 0
    written_kib: int = 0
    tree_rss_mib: float = 0.0  # peak of the summed RSS of the child and its descendants
    most_processes: int = 1  # the most processes in that tree at one sample
    extra: dict[str, object] = field(default_factory=dict)


def _tree_rss_kib(root: int) -> tuple[int, int]:
    """Summed VmRSS (KiB) of root and all its descendants, and how many they are."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    tree, total = [root], 0
    for pid in tree:
        tree.extend(parents.get(pid, []))
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total, len(tree)


class TreeSampler(threading.Thread):
    """Samples a process tree's summed RSS every interval seconds until stopped."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak_kib, self.most = 0, 1
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.interval):
            kib, count = _tree_rss_kib(self.pid)
            self.peak_kib = max(self.peak_kib, kib)
            self.most = max(self.most, count)


def run_measured(
    argv: list[str],
    *,
    cwd: Path,
    log: Path,
    timeout: float,
    server: PageServer | None = None,
    disk: Path | None = None,
    env: dict[str, str] | None = None,
) -> Measured:
    """Run argv in a new process; its wall time, CPU, peak RSS and what the server saw."""
    before_disk = disk_kib(disk) if disk else 0
    before = server.stats() if server else Counter()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(log, "wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=env)
        killer = threading.Timer(timeout, proc.kill)
        killer.start()
        sampler = TreeSampler(proc.pid)
        sampler.start()
        try:
            _, status, own = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
            sampler.done.set()
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode == -signal.SIGKILL:
        raise SystemExit(f"killed after {timeout:.0f} s: {' '.join(argv)} (log: {log})")
    after_usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_sys = after_usage.ru_stime - usage.ru_stime
    cpu = (after_usage.ru_utime - usage.ru_utime) + cpu_sys
    after = server.stats() if server else Counter()
    seen = after - before
    return Measured(
        wall=wall,
        cpu=cpu,
        cpu_sys=cpu_sys,
        peak_rss_mib=own.ru_maxrss / 1024,  # KiB on Linux
        exit_code=proc.returncode,
        requests=seen["requests"],
        not_modified=seen["not_modified"],
        connections=seen["connections"],
        peak_inflight=after["peak_inflight"],
        written_kib=(disk_kib(disk) - before_disk) if disk else 0,
        tree_rss_mib=max(sampler.peak_kib, own.ru_maxrss) / 1024,
        most_processes=sampler.most,
    )


def source_fingerprint() -> str:
    """The commit, and a hash of src/ as it is now (the working tree may differ from it)."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "src" / "policywatch").rglob("*.py")):
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--", "src"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        head, dirty = "no git", ""
    state = "src/ modified" if dirty else "src/ clean"
    return f"commit {head}, {state}, src/policywatch sha256 {digest.hexdigest()[:12]}"


def archive_summary(archive: Path) -> tuple[Counter[str], int]:
    """Last status of each policy (from state.json) and the number of snapshots."""
    statuses: Counter[str] = Counter()
    snapshots = 0
    if not archive.is_dir():
        return statuses, 0
    for folder in archive.iterdir():
        if not folder.is_dir() or folder.name.startswith("."):
            continue
        with contextlib.suppress(OSError, ValueError):
            statuses[json.loads((folder / "state.json").read_text())["last_status"]] += 1
        snapshots += sum(1 for name in os.listdir(folder) if STAMP_JSON.fullmatch(name))
    return statuses, snapshots


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, required=True)
    parser.add_argument("--hosts", type=int, default=16)
    parser.add_argument("--delay", type=float, default=0.15)
    parser.add_argument("--sites", default=",".join(SMALL_SITES))
    args = parser.parse_args()
    serve(args.pages, args.hosts, args.delay, tuple(args.sites.split(",")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
