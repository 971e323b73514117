"""urlwatch against `policywatch check` on the same N pages of the same slow local server.

    python benchmarks/urlwatch_compare.py [--sizes 100,1000] [--jobs 16] [--hosts 16]
                                          [--delay 0.15] [--filter bs4] [--timeout 1200]

Needs urlwatch in this interpreter's environment (`pip install urlwatch`); installs nothing.
For each N, benchmarks/pageserver.py serves N real pages from --hosts loopback addresses, each
answer after --delay seconds, with ETags and 304s. Each tool runs twice in a new process on
its own fresh state: a first run (everything new) and a second (nothing changed).

policywatch: `policywatch --config CFG check --quiet`, `defaults: {jobs: J, retries: 0,
timeout: 10}`; one request at a time per host.

urlwatch: `urlwatch --urls U --config C --cache DB --hooks H` (the urlwatch script beside
this interpreter), all four in the work folder
(HOME and XDG_* point there too, so ~ is never touched). Each job is `url` with `timeout: 10`
and, unless --filter none, `filter: [{html2text: {method: M}}]` (bs4: BeautifulSoup with lxml
and get_text, the nearest to policywatch's extraction; re: a regex tag stripper). urlwatch has
no option for parallelism: it always runs 10 jobs at a time (urlwatch.worker.MAX_WORKERS) with
no per-host limit, and sends If-None-Match with the ETag it kept (and If-Modified-Since).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from pageserver import (
    Measured,
    PageServer,
    policywatch,
    run_measured,
    source_fingerprint,
    write_config,
)


def urlwatch_command() -> str:
    """The urlwatch script beside this interpreter (it has no `python -m urlwatch`)."""
    if importlib.util.find_spec("urlwatch") is None:
        raise SystemExit(f"urlwatch is not installed: {sys.executable} -m pip install urlwatch")
    found = shutil.which("urlwatch", path=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    if found is None:
        raise SystemExit("urlwatch is installed but its command is not on PATH")
    return found


def urlwatch_version(command: str) -> str:
    out = subprocess.run([command, "--version"], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def write_urlwatch(
    command: str, folder: Path, server: PageServer, count: int, method: str
) -> list[str]:
    """urls.yaml, urlwatch.yaml (no colour, stdout report) and the argv that uses them."""
    folder.mkdir(parents=True, exist_ok=True)
    jobs = []
    for i in range(count):
        job = [f"name: p{i:05d}", f"url: {server.url(i)}", "timeout: 10"]
        if method != "none":
            job.append(f"filter:\n  - html2text:\n      method: {method}")
        jobs.append("\n".join(job))
    (folder / "urls.yaml").write_text("\n---\n".join(jobs) + "\n", encoding="utf-8")
    (folder / "urlwatch.yaml").write_text(
        "report:\n  stdout:\n    enabled: true\n    color: false\n", encoding="utf-8"
    )
    return [
        command,
        "--urls",
        str(folder / "urls.yaml"),
        "--config",
        str(folder / "urlwatch.yaml"),
        "--cache",
        str(folder / "cache.db"),
        "--hooks",
        str(folder / "hooks.py"),  # absent: no hooks
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100,1000", help="comma-separated N")
    parser.add_argument("--jobs", type=int, default=16, help="policywatch's jobs")
    parser.add_argument("--hosts", type=int, default=16)
    parser.add_argument("--delay", type=float, default=0.15)
    parser.add_argument("--filter", default="bs4", choices=["bs4", "re", "none"])
    parser.add_argument("--timeout", type=float, default=1200.0, help="seconds per command")
    parser.add_argument("--tmp", type=Path, default=Path("/tmp"))
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    command = urlwatch_command()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    fingerprint = source_fingerprint()
    work = Path(tempfile.mkdtemp(prefix="policywatch-urlwatch-", dir=args.tmp))
    home = work / "home"
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
    }
    rows: list[tuple[int, str, str, Measured]] = []
    try:
        for n in sizes:
            with PageServer(n, args.hosts, args.delay) as server:
                tools: dict[str, tuple[list[str], Path]] = {}
                folder = work / f"n{n}" / "policywatch"
                write_config(folder / "policies.yaml", server, n, args.jobs)
                argv = policywatch("--config", str(folder / "policies.yaml"), "check", "--quiet")
                tools["policywatch"] = (argv, folder)
                folder = work / f"n{n}" / "urlwatch"
                tools["urlwatch"] = (
                    write_urlwatch(command, folder, server, n, args.filter),
                    folder,
                )
                for tool, (argv, folder) in tools.items():
                    for label in ("first", "second"):
                        measured = run_measured(
                            argv,
                            cwd=folder,
                            log=folder / f"{label}.log",
                            timeout=args.timeout,
                            server=server,
                            env=env,
                        )
                        rows.append((n, tool, label, measured))
                        print(f"N={n} {tool} {label}: {measured.wall:.1f} s", file=sys.stderr)
            if not args.keep:
                shutil.rmtree(work / f"n{n}")
    finally:
        if args.keep:
            print(f"work folder kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    if home.exists() and any(home.iterdir()):
        print(f"note: urlwatch wrote under the fake HOME {home}", file=sys.stderr)
    print(f"source: {fingerprint}; {urlwatch_version(command)}; python {sys.version.split()[0]}\n")
    print(
        f"## urlwatch against policywatch: {args.hosts} hosts, "
        f"{args.delay * 1000:.0f} ms a response\n"
    )
    print(
        f"policywatch: jobs {args.jobs}, one request at a time per host. urlwatch: 10 jobs at "
        f"a time (fixed), html2text filter: {args.filter}.\n"
    )
    print(
        "| N | tool | run | wall s | s/page | CPU s | CPU ms/page | peak RSS MiB "
        "| all processes MiB | requests | 304s | most in flight | exit |"
    )
    print("|" + "---|" * 13)
    for n, tool, label, m in rows:
        print(
            f"| {n} | {tool} | {label} | {m.wall:.1f} | {m.wall / n:.4f} | {m.cpu:.1f} "
            f"| {1000 * m.cpu / n:.1f} | {m.peak_rss_mib:.0f} | {m.tree_rss_mib:.0f} "
            f"| {m.requests} | {m.not_modified} "
            f"| {m.peak_inflight} | {m.exit_code} |"
        )
    if source_fingerprint() != fingerprint:
        print("\n**src/ changed while this ran: the numbers mix two versions**")
    return 0


if __name__ == "__main__":
    sys.exit(main())
