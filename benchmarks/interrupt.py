"""How long `policywatch check` takes to end after Ctrl-C while its servers are stuck.

    python benchmarks/interrupt.py [--runs 5] [--policies 8] [--hosts 4] [--jobs 4]
                                   [--delay 20] [--modes slow,trickle,twice]
                                   [--python .venv/bin/python]

Local HTTP servers on --hosts ports of 127.0.0.1 (each port is a host of its own: policywatch
fetches one page at a time per host) hold every request --delay seconds: `slow` accepts the
connection and answers only then; `trickle` sends the headers at once and then the body a
byte every 0.2 s. A policies.yaml lists --policies pages spread over the hosts (`defaults:
{jobs: J, retries: 3, timeout: 30}`). `policywatch check` starts in a new session (as from a
terminal), and once the servers hold as many requests as can be in flight at once, SIGINT
goes to its process group, as Ctrl-C would. Measured: seconds from the SIGINT to the end
of the process, its exit status, its last line on stderr, and whether the archive holds a
temporary file or a snapshot without its metadata afterwards. `twice` sends a second SIGINT
0.5 s after the first. Medians of --runs per mode. --python picks the interpreter (and so
the policywatch installed in it), to compare two checkouts. A run still alive after --limit
seconds is killed and counted as that.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGE = sorted((ROOT / "tests" / "fixtures" / "snapshots" / "tinder").glob("*.html"))[-1]


class Held:
    """Requests the servers are holding: counted as they arrive, released all at once."""

    def __init__(self) -> None:
        self.arrived = threading.Condition()
        self.count = 0
        self.release = threading.Event()

    def wait_for(self, count: int, timeout: float) -> bool:
        with self.arrived:
            return self.arrived.wait_for(lambda: self.count >= count, timeout)


def handler(mode: str, delay: float, held: Held, page: bytes) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            with held.arrived:
                held.count += 1
                held.arrived.notify_all()
            with contextlib.suppress(OSError):
                if mode == "trickle":
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(page)))
                    self.end_headers()
                    self.wfile.flush()
                    end = time.monotonic() + delay
                    sent = 0
                    while time.monotonic() < end and not held.release.wait(0.2):
                        self.wfile.write(page[sent : sent + 1])
                        self.wfile.flush()
                        sent += 1
                    self.wfile.write(page[sent:])
                    return
                held.release.wait(delay)  # ends at once when the run is over
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

    return Handler


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that went away mid-answer is the point of this benchmark


@dataclass
class Run:
    seconds: float
    status: int | None
    last_line: str
    leftovers: list[str]


def leftovers(archive: Path) -> list[str]:
    """Temporary files, and snapshot files whose metadata (written last) is missing."""
    found = []
    for path in archive.glob("*/*"):
        stem = path.name.split(".", 1)[0]
        partial = stem[:1].isdigit() and not (path.parent / f"{stem}.json").exists()
        if path.name.startswith(".tmp-") or partial:
            found.append(str(path.relative_to(archive)))
    return found


def one_run(args: argparse.Namespace, mode: str, page: bytes) -> Run:
    held = Held()
    servers = [
        Server(("127.0.0.1", 0), handler(mode, args.delay, held, page)) for _ in range(args.hosts)
    ]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    work = Path(tempfile.mkdtemp(prefix="pw-interrupt-"))
    try:
        policies = "".join(
            f"  - id: p{i:02d}\n"
            f"    url: http://127.0.0.1:{servers[i % len(servers)].server_address[1]}/p/{i}\n"
            for i in range(args.policies)
        )
        (work / "policies.yaml").write_text(
            f"defaults:\n  jobs: {args.jobs}\n  retries: 3\n  timeout: 30\npolicies:\n{policies}"
        )
        process = subprocess.Popen(
            [args.python, "-m", "policywatch", "check"],
            cwd=work,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        in_flight = min(args.jobs, args.hosts, args.policies)
        if not held.wait_for(in_flight, 60):
            process.kill()
            raise SystemExit(f"the servers saw {held.count} of {in_flight} requests in 60 s")
        start = time.monotonic()
        os.killpg(process.pid, signal.SIGINT)
        if mode == "twice":
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(0.5)
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGINT)
        try:
            _, stderr = process.communicate(timeout=args.limit)
        except subprocess.TimeoutExpired:
            process.kill()
            _, stderr = process.communicate()
        seconds = time.monotonic() - start
        lines = stderr.decode(errors="replace").strip().splitlines()
        return Run(
            seconds, process.returncode, lines[-1] if lines else "", leftovers(work / "snapshots")
        )
    finally:
        held.release.set()
        for server in servers:
            server.shutdown()
            server.server_close()
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--policies", type=int, default=8)
    parser.add_argument("--hosts", type=int, default=4)
    parser.add_argument("--jobs", type=int, default=4)
    parser.add_argument("--delay", type=float, default=20.0)
    parser.add_argument("--modes", default="slow,trickle,twice")
    parser.add_argument("--limit", type=float, default=120.0)
    parser.add_argument("--python", default=sys.executable)
    args = parser.parse_args()
    # Started in the background, this process ignores SIGINT, and so would its children.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    page = PAGE.read_bytes()
    version = subprocess.run(
        [args.python, "-c", "import policywatch; print(policywatch.__file__)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    print(f"# Ctrl-C during `check` ({version})\n")
    print(
        f"{args.policies} policies on {args.hosts} hosts, jobs {args.jobs}, servers holding "
        f"each request {args.delay:g} s; {args.runs} runs per mode.\n"
    )
    print("| mode | median s | min s | max s | exit statuses | leftovers | last stderr line |")
    print("|---|---|---|---|---|---|---|")
    left_behind: list[str] = []
    for mode in args.modes.split(","):
        runs = [one_run(args, mode, page) for _ in range(args.runs)]
        times = [r.seconds for r in runs]
        statuses = sorted({str(r.status) for r in runs})
        left = sum(len(r.leftovers) for r in runs)
        left_behind += [f"{mode}: {name}" for r in runs for name in r.leftovers]
        last = runs[-1].last_line.replace("|", "\\|")[:90]
        print(
            f"| {mode} | {statistics.median(times):.2f} | {min(times):.2f} | {max(times):.2f} "
            f"| {', '.join(statuses)} | {left} | {last} |",
            flush=True,
        )
    if left_behind:
        print("\nLeft in the archive: " + "; ".join(left_behind))


if __name__ == "__main__":
    main()
