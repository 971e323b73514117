"""Real processes: a run killed mid-write loses nothing; runs started together never interleave."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer

from heldserver import HeldServer
from policywatch import browser, collector
from policywatch.archive import Archive, ArchiveLocked
from policywatch.cli import main
from policywatch.snapshot import STAMP, sha256

FIXTURES = Path(__file__).parent / "fixtures"
TINDER = FIXTURES / "snapshots" / "tinder"


def policywatch(*args: str, cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "policywatch", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def assert_consistent(archive: Archive, policy_id: str) -> list[tuple[str, str]]:
    """Every snapshot whose metadata exists is whole: raw and text present, hashes right."""
    found = []
    for snap in archive.snapshots(policy_id):
        assert sha256(snap.raw_path.read_bytes()) == snap.meta["raw_sha256"]
        assert sha256(snap.text_path.read_bytes()) == snap.meta["text_sha256"]
        found.append((snap.stamp, snap.text_sha256))
    return found


def write_config(folder: Path, url: str, policy_id: str = "tinder") -> None:
    (folder / "policies.yaml").write_text(
        f"defaults:\n  retries: 0\n  timeout: 5\npolicies:\n"
        f"  - id: {policy_id}\n    url: {url}\n    select: '[class^=TextContent]'\n"
    )


def test_a_run_killed_mid_write_leaves_no_partial_snapshot(tmp_path: Path) -> None:
    pages = sorted(str(p) for p in TINDER.glob("*.html"))
    write_config(tmp_path, "https://policies.tinder.com/privacy/intl/en")
    clean = tmp_path / "clean"
    clean.mkdir()
    write_config(clean, "https://policies.tinder.com/privacy/intl/en")
    reference = subprocess.run(
        [sys.executable, "-m", "policywatch", "import", "tinder", *pages],
        cwd=clean,
        capture_output=True,
        check=True,
    )
    assert reference.returncode == 0
    expected = assert_consistent(Archive(clean / "snapshots"), "tinder")
    assert len(expected) > 10

    archive = Archive(tmp_path / "snapshots")
    kills = 0
    for _ in range(6):
        # Killed the moment a write is under way (a temporary file stands in the folder):
        # each run gets one version further, and each is killed in the middle of a write.
        process = policywatch("import", "tinder", *pages, cwd=tmp_path)
        if _a_write_under_way(archive.folder("tinder"), process):
            os.kill(process.pid, signal.SIGKILL)
            kills += 1
        process.wait()
        assert_consistent(archive, "tinder")
    assert kills >= 3, "the import finished before a write could be caught"
    finish = subprocess.run(
        [sys.executable, "-m", "policywatch", "import", "tinder", *pages],
        cwd=tmp_path,
        capture_output=True,
    )
    assert finish.returncode == 0, finish.stderr
    assert assert_consistent(archive, "tinder") == expected
    leftovers = [
        p.name
        for p in archive.folder("tinder").iterdir()
        if p.name.startswith(".tmp-")
        or not (archive.folder("tinder") / (p.name.split(".")[0] + ".json")).exists()
    ]
    assert leftovers == []


def _a_write_under_way(folder: Path, process: subprocess.Popen[bytes]) -> bool:
    """Wait until a temporary file of a write appears in folder (True) or the process ends."""
    while process.poll() is None:
        with contextlib.suppress(FileNotFoundError):
            if any(entry.name.startswith(".tmp-") for entry in os.scandir(folder)):
                return True
        time.sleep(0.0005)  # a poll of the folder, not a guess at how long anything takes
    return False


# `python -m policywatch` that writes "at the lock" to the file descriptor given first, when
# it first opens the archive's lock file: from then on it holds the lock or waits for it.
AT_THE_LOCK = """
import os, runpy, sys
told = int(sys.argv[1])
sys.argv = ["policywatch", *sys.argv[2:]]

def tell(event, args):
    global told
    path = args[0] if event == "open" else None
    if told < 0 or not isinstance(path, (str, bytes, os.PathLike)):
        return
    if os.path.basename(os.fsdecode(path)) == ".lock":
        os.write(told, b"at the lock\\n")
        os.close(told)
        told = -1

sys.addaudithook(tell)
runpy.run_module("policywatch", run_name="__main__")
"""


def policywatch_at_the_lock(
    *args: str, cwd: Path, news: queue.Queue[str]
) -> subprocess.Popen[bytes]:
    """policywatch(*args), which puts "at the lock" in `news` when it goes for the archive's
    lock ("ended" if it ends without)."""
    read, write = os.pipe()
    run = subprocess.Popen(
        [sys.executable, "-c", AT_THE_LOCK, str(write), *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        pass_fds=(write,),
    )
    os.close(write)

    def forward() -> None:
        with os.fdopen(read, "rb") as said:
            news.put(said.readline().decode().strip() or "ended")

    threading.Thread(target=forward, daemon=True).start()
    return run


def test_two_checks_started_together_archive_once(
    tmp_path: Path, threaded_server: HTTPServer
) -> None:
    """A check started while another holds the lock waits for it, fetching nothing, then
    finds the page unchanged: one snapshot, two checks."""
    page = (TINDER / "000-2024-05-11T00-33-31Z.html").read_bytes()
    # The requests the server gets and the second run's word, in the order they come.
    news: queue.Queue[str] = queue.Queue()
    answer = threading.Event()

    def held(request: object) -> object:
        from werkzeug.wrappers import Response

        news.put("request")
        answer.wait(60)  # until the second run is under way; the time is only a safety net
        return Response(page, content_type="text/html; charset=utf-8")

    threaded_server.expect_request("/privacy").respond_with_handler(held)
    write_config(tmp_path, threaded_server.url_for("/privacy"))
    args = ("check", "--format", "json", "--wait", "60")
    first = policywatch(*args, cwd=tmp_path)
    try:
        assert news.get(timeout=30) == "request"  # the first run holds the lock, fetching
        second = policywatch_at_the_lock(*args, cwd=tmp_path, news=news)
        # Under way at once: the second run goes for the lock, and does not fetch while the
        # first holds it (a request of its would come here first: the server is threaded).
        assert news.get(timeout=30) == "at the lock"
    finally:
        answer.set()
    outputs = [p.communicate(timeout=60) for p in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outputs
    statuses = sorted(json.loads(out)["results"][0]["status"] for out, _ in outputs)
    assert statuses == ["new", "unchanged"]
    archive = Archive(tmp_path / "snapshots")
    assert len(assert_consistent(archive, "tinder")) == 1
    assert len(archive.checks("tinder")) == 2


def test_a_check_while_another_holds_the_lock_exits_75(tmp_path: Path) -> None:
    write_config(tmp_path, "http://127.0.0.1:9/never-fetched")
    archive = Archive(tmp_path / "snapshots")
    with archive.lock():
        process = policywatch("check", "--wait", "0.5", cwd=tmp_path)
        _, err = process.communicate(timeout=30)
    assert process.returncode == 75
    lines = err.decode().strip().splitlines()
    assert len(lines) == 1 and "another policywatch run holds the archive's lock" in lines[0]
    assert archive.checks("tinder") == []


def _check_as_a_user(
    tmp_path: Path, as_a_user: Callable[[list[str]], list[str]]
) -> subprocess.CompletedProcess[str]:
    """`policywatch check` in the project, as root without its file privileges."""
    return subprocess.run(
        as_a_user([sys.executable, "-m", "policywatch", "check"]),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_read_only_archive_is_a_clear_error(
    tmp_path: Path, as_a_user: Callable[[list[str]], list[str]]
) -> None:
    """A snapshots folder the run cannot write to: one line naming the lock it cannot take,
    exit 1, before any fetch (the configured server would refuse the connection)."""
    write_config(tmp_path, "http://127.0.0.1:9/")
    (tmp_path / "snapshots").mkdir()
    (tmp_path / "snapshots").chmod(0o500)
    try:
        run = _check_as_a_user(tmp_path, as_a_user)
    finally:
        (tmp_path / "snapshots").chmod(0o700)
    lock = Path("snapshots", ".lock")
    said = f"Error: {lock}: cannot take the archive's lock (Permission denied)"
    assert (run.returncode, run.stderr.splitlines()) == (1, [said]), run.stdout + run.stderr
    assert run.stdout == ""


def test_a_policy_folder_that_cannot_be_read_fails_that_policy_only(
    tmp_path: Path, httpserver: HTTPServer, as_a_user: Callable[[list[str]], list[str]]
) -> None:
    """chmod 000 on one policy's folder: that policy fails with one line naming it and the
    folder (exit 3, README: Exit status); the others are checked and archived as usual."""
    page = (FIXTURES / "cases" / "tiktok-us-faceprints" / "before.html").read_bytes()
    for path in ("/a", "/b"):
        httpserver.expect_request(path).respond_with_data(page, content_type="text/html")
    (tmp_path / "policies.yaml").write_text(
        f"defaults:\n  retries: 0\npolicies:\n  - id: alpha\n    url: {httpserver.url_for('/a')}\n"
        f"  - id: beta\n    url: {httpserver.url_for('/b')}\n"
    )
    config = str(tmp_path / "policies.yaml")
    first = CliRunner().invoke(main, ["--config", config, "check", "alpha"])
    assert first.exit_code == 0, first.output
    folder = tmp_path / "snapshots" / "alpha"
    folder.chmod(0o000)
    try:
        run = _check_as_a_user(tmp_path, as_a_user)
    finally:
        folder.chmod(0o755)
    assert run.returncode == 3, run.stdout + run.stderr
    assert run.stderr == "", run.stderr
    lines = run.stdout.splitlines()
    reason = f"{Path('snapshots', 'alpha')}: cannot be read (Permission denied)"
    assert [line for line in lines if "alpha" in line] == [f"alpha: FAILED archive: {reason}"]
    assert lines[-1] == "1 changed, 1 failed, 0 unchanged (2 checked)", run.stdout
    archive = Archive(tmp_path / "snapshots")
    assert len(assert_consistent(archive, "beta")) == 1 and len(archive.checks("beta")) == 1
    assert len(archive.stamps("alpha")) == 1 and len(archive.checks("alpha")) == 1


def test_worker_processes_do_not_outlive_a_killed_run() -> None:
    """Pages are parsed in worker processes on big runs; if the run is killed (cron's timeout,
    the OOM killer), its workers exit rather than wait forever."""
    script = (
        "import os, sys\n"
        "from policywatch.workers import Extractor\n"
        "extractor = Extractor(2)\n"
        "print(extractor.run(os.getpid), flush=True)\n"
        "sys.stdin.read()\n"
    )
    run = subprocess.Popen(
        [sys.executable, "-c", script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert run.stdout is not None
    worker = int(run.stdout.readline())
    assert worker != run.pid and _alive(worker)
    run.kill()
    run.wait()
    deadline = time.monotonic() + 15
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(worker)


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for init to reap it counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


StartCheck = Callable[..., "subprocess.Popen[bytes]"]


@pytest.fixture
def start_check() -> Iterator[StartCheck]:
    """Starts `policywatch check` (or the command given after the folder) in a session of
    its own (SIGINT to its group is Ctrl-C); one a failed test left running is killed."""
    # A test run started in the background ignores SIGINT, and so would the checks it starts
    # (an ignored signal stays ignored across exec; a handled one does not).
    previous = signal.getsignal(signal.SIGINT)
    if previous is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    started: list[subprocess.Popen[bytes]] = []

    def start(folder: Path, *command: str) -> subprocess.Popen[bytes]:
        run = subprocess.Popen(
            [sys.executable, "-m", "policywatch", *(command or ("check",))],
            cwd=folder,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        started.append(run)
        return run

    yield start
    for run in started:
        if run.poll() is None:
            run.kill()
            run.communicate()
    if previous is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def ended(run: subprocess.Popen[bytes], within: float = 15.0) -> str:
    """The stderr of a run that must end by itself; the deadline is only a safety net."""
    try:
        _, stderr = run.communicate(timeout=within)
    except subprocess.TimeoutExpired:
        run.kill()
        run.communicate()
        pytest.fail(f"the run was still going {within:g} s after Ctrl-C")
    return stderr.decode()


def abandoned_ids(stderr: str) -> list[str]:
    found = re.search(r"abandoned (.*?) \(under way", stderr)
    return sorted(found.group(1).split(", ")) if found else []


def archive_files(root: Path) -> dict[str, bytes]:
    """Every file of an archive but its lock, with its bytes."""
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.name not in (".lock", ".lock.pid")
    }


def leftovers(root: Path) -> list[str]:
    """Temporary files, and snapshot files whose metadata (written last) is missing."""
    return [
        str(path.relative_to(root))
        for path in root.glob("*/*")
        if path.name.startswith(".tmp-")
        or (
            STAMP.fullmatch(path.name.split(".", 1)[0])
            and not path.with_name(path.name.split(".", 1)[0] + ".json").exists()
        )
    ]


def parsing_workers(pid: int) -> list[int]:
    """The worker processes a run parses pages in (not its other children)."""
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    workers = []
    for child in children.stdout.split():
        try:
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                workers.append(int(child))
        except OSError:
            pass  # gone meanwhile
    return workers


def test_ctrl_c_on_a_big_run_stops_it_and_its_workers_at_once_without_tracebacks(
    tmp_path: Path, start_check: StartCheck
) -> None:
    """Ctrl-C reaches the whole process group, the parsing workers included. The policies
    archived before it are whole; the two under way, whose servers hold the requests, are
    named and not waited for."""
    page = sorted(TINDER.glob("*.html"))[-1].read_bytes()
    # Six hosts: the six policies started first (four answered, two held) are on six hosts,
    # so neither fetch thread waits for the other's host (one request at a time per host).
    with HeldServer(page, hosts=6, answer_first=4) as server:
        policies = "".join(
            f"  - id: p{i:02d}\n    url: {server.url(f'/p{i:02d}', host=i % 6)}\n"
            for i in range(40)
        )
        (tmp_path / "policies.yaml").write_text(
            f"defaults:\n  retries: 0\n  timeout: 30\n  jobs: 2\npolicies:\n{policies}"
        )
        run = start_check(tmp_path)
        # Both fetch threads wait for a server: the four pages before were parsed (by worker
        # processes, on a run this big) and archived.
        assert server.wait_held(2), "the run did not get under way"
        workers = parsing_workers(run.pid)
        assert workers, "no worker processes to interrupt"
        os.killpg(run.pid, signal.SIGINT)
        stderr = ended(run)
        assert server.answered_late == 0  # it did not wait for the servers
    assert run.returncode == 130, stderr
    assert "Traceback" not in stderr and stderr.endswith("Aborted!\n"), stderr
    assert abandoned_ids(stderr) == sorted(path.lstrip("/") for path in server.held)
    assert "; 34 not started; 4 checked, new snapshots of " in stderr, stderr
    archive = Archive(tmp_path / "snapshots")
    archived = [p for p in archive.policy_ids() if archive.stamps(p)]
    assert len(archived) == 4 and all(len(assert_consistent(archive, p)) == 1 for p in archived)
    assert leftovers(archive.root) == []
    deadline = time.monotonic() + 15
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(w) for w in workers)


@pytest.mark.parametrize("mode", ["hold", "trickle"])
def test_ctrl_c_while_servers_take_20_s_exits_130_at_once_and_leaves_the_archive_as_it_was(
    tmp_path: Path, mode: str, start_check: StartCheck
) -> None:
    """Servers that accept the connection and answer after 20 s, or trickle the page a byte at
    a time: Ctrl-C ends the run at once, names the policies it abandoned, and leaves each as
    it was (snapshots, state, checks), with no temporary file."""
    page = sorted(TINDER.glob("*.html"))[-1].read_bytes()
    with HeldServer(page, hosts=2, mode="answer") as server:
        (tmp_path / "policies.yaml").write_text(
            "defaults:\n  retries: 3\n  timeout: 30\n  jobs: 2\npolicies:\n"
            f"  - id: a\n    url: {server.url('/a', host=0)}\n"
            f"  - id: b\n    url: {server.url('/b', host=1)}\n"
        )
        first = CliRunner().invoke(main, ["--config", str(tmp_path / "policies.yaml"), "check"])
        assert first.exit_code == 0, first.output
        before = archive_files(tmp_path / "snapshots")
        server.mode = mode  # from now on, every request is held
        run = start_check(tmp_path)
        assert server.wait_held(2), "the run did not get under way"
        os.killpg(run.pid, signal.SIGINT)
        stderr = ended(run)
        assert server.answered_late == 0  # it did not wait for the servers
    assert run.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert (
        "policywatch: interrupted: abandoned a, b (under way, left as they were); 0 checked\n"
        in stderr
    ), stderr
    assert archive_files(tmp_path / "snapshots") == before


@pytest.mark.parametrize(
    ("mode", "jobs", "said"),
    [
        # Two probes at once, both held.
        ("hold", 2, "abandoned a, b (under way); 1 not started; 0 validated"),
        # One at a time: a's two fetches are answered, then b's first trickles.
        ("trickle", 1, "abandoned b (under way); 1 not started; 1 validated"),
    ],
    ids=["two-held", "one-done-one-trickling"],
)
def test_ctrl_c_on_validate_fetch_exits_130_at_once_and_names_what_it_abandoned(
    tmp_path: Path, mode: str, jobs: int, said: str, start_check: StartCheck
) -> None:
    """validate --fetch stops on Ctrl-C as check does: servers that answer after 20 s, or
    trickle the page a byte at a time, are not waited for, and one line says which policies
    were under way, how many were not started and how many were validated."""
    page = sorted(TINDER.glob("*.html"))[-1].read_bytes()
    answered = 2 if jobs == 1 else 0
    with HeldServer(page, hosts=2, mode=mode, answer_first=answered) as server:
        (tmp_path / "policies.yaml").write_text(
            f"defaults:\n  retries: 3\n  timeout: 30\n  jobs: {jobs}\npolicies:\n"
            f"  - id: a\n    url: {server.url('/a', host=0)}\n"
            f"  - id: b\n    url: {server.url('/b', host=1)}\n"
            f"  - id: c\n    url: {server.url('/c', host=0)}\n"
        )
        run = start_check(tmp_path, "validate", "--fetch")
        assert server.wait_held(jobs), "the run did not get under way"
        os.killpg(run.pid, signal.SIGINT)
        stderr = ended(run)
        assert server.answered_late == 0  # it did not wait for the servers
    assert run.returncode == 130, stderr
    assert stderr == f"policywatch: interrupted: {said}\nAborted!\n", stderr
    assert not (tmp_path / "snapshots").exists()  # validate archives nothing


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.mark.skipif(
    not (browser.available() and Path(CHROMIUM).exists()),
    reason="needs Chromium and the browser extra (pip install '.[browser]')",
)
def test_ctrl_c_while_the_browser_waits_for_pages_ends_quietly_with_chromium(
    tmp_path: Path, start_check: StartCheck
) -> None:
    """Ctrl-C reaches the browser's driver and Chromium too: the run does not wait for
    them to close pages, and says nothing more than what it abandoned."""
    page = sorted(TINDER.glob("*.html"))[-1].read_bytes()
    with HeldServer(page, hosts=2) as server:
        (tmp_path / "policies.yaml").write_text(
            f"defaults:\n  retries: 0\n  chromium: {CHROMIUM}\npolicies:\n"
            + "".join(
                f"  - id: p{i}\n    render: true\n    url: {server.url(f'/p{i}', host=i)}\n"
                for i in range(2)
            )
        )
        run = start_check(tmp_path)
        assert server.wait_held(2, timeout=60), "the browser did not ask for the pages"
        os.killpg(run.pid, signal.SIGINT)
        stderr = ended(run)
        assert server.answered_late == 0
    assert run.returncode == 130
    assert stderr == (
        "policywatch: interrupted: abandoned p0, p1 (under way, left as they were); 0 checked\n"
        "Aborted!\n"
    )
    deadline = time.monotonic() + 15
    while session_processes(run.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert session_processes(run.pid) == []  # no Chromium left behind


def session_processes(session: int) -> list[str]:
    found = subprocess.run(["pgrep", "-s", str(session)], capture_output=True, text=True)
    return found.stdout.split()


def test_a_second_ctrl_c_quits_at_once_while_the_first_waits_for_a_write(
    tmp_path: Path, start_check: StartCheck
) -> None:
    """The first Ctrl-C waits for the policies already writing to the archive, and says so.
    Here the write never ends, as on a hung disk: checks.jsonl is a FIFO nobody reads, so
    recording the check blocks once the snapshot is written. A second Ctrl-C quits at once."""
    page = sorted(TINDER.glob("*.html"))[-1].read_bytes()
    folder = tmp_path / "snapshots" / "a"
    folder.mkdir(parents=True)
    os.mkfifo(folder / "checks.jsonl")
    with HeldServer(page, mode="answer") as server:
        (tmp_path / "policies.yaml").write_text(
            f"defaults:\n  retries: 0\npolicies:\n  - id: a\n    url: {server.url('/a')}\n"
        )
        run = start_check(tmp_path)
        lines = stderr_lines(run)
        deadline = time.monotonic() + 30
        while not list(folder.glob("*.json")) and time.monotonic() < deadline:
            time.sleep(0.02)  # the snapshot is whole: its check is being recorded
        assert list(folder.glob("*.json")), "the snapshot was not written"
        os.killpg(run.pid, signal.SIGINT)
        first = lines.get(timeout=15)
        assert "interrupted; finishing the archive writes of a (Ctrl-C again" in first, first
        os.killpg(run.pid, signal.SIGINT)
        try:
            run.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pytest.fail("a second Ctrl-C did not end the run")
    assert run.returncode == 130
    rest = "".join(iter(lines.get, None))
    assert "interrupted again: quitting at once" in rest and "Traceback" not in rest, rest
    assert len(assert_consistent(Archive(tmp_path / "snapshots"), "a")) == 1
    assert leftovers(tmp_path / "snapshots") == []


def stderr_lines(run: subprocess.Popen[bytes]) -> queue.Queue[str | None]:
    """The lines of a run's stderr as they come (None at the end), read by a thread."""
    lines: queue.Queue[str | None] = queue.Queue()
    assert run.stderr is not None
    stream = run.stderr

    def read() -> None:
        for line in stream:
            lines.put(line.decode())
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    return lines


def test_an_interrupted_run_keeps_the_lock_while_its_threads_still_write(tmp_path: Path) -> None:
    """A second Ctrl-C ends the main thread while fetch threads finish their policies: the
    lock must stay held until they have, or another run would write the same folders."""
    # The thread writes when the test says so (a line on stdin); the main thread says when
    # the interrupt has left the lock's block.
    script = (
        "import sys, threading\n"
        "from pathlib import Path\n"
        "from policywatch.archive import Archive\n"
        "root = Path(sys.argv[1])\n"
        "def late():\n"
        "    sys.stdin.readline()\n"
        "    (root / 'late-write').write_text('done')\n"
        "try:\n"
        "    with Archive(root).lock(0):\n"
        "        threading.Thread(target=late).start()\n"
        "        raise KeyboardInterrupt\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted', flush=True)\n"
    )
    run = subprocess.Popen(
        [sys.executable, "-c", script, str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert run.stdout is not None and run.stdout.readline() == b"interrupted\n"
        # Out of the lock's block, its thread still to write:
        with pytest.raises(ArchiveLocked), Archive(tmp_path).lock(0):
            pass
    finally:
        run.communicate(b"write now\n", timeout=30)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "late-write").read_text() == "done"
    with Archive(tmp_path).lock(0):  # free once the process is gone
        pass


# What a command loads and how its collector runs, seen from inside a real `python -m
# policywatch` process: whether PyYAML is loaded, the collector's thresholds (and Python's,
# before the command), the exit code.
AS_MAIN = """
import gc, json, runpy, sys
pythons = gc.get_threshold()
sys.argv = ["policywatch", *sys.argv[1:]]
code = 0
try:
    runpy.run_module("policywatch", run_name="__main__")
except SystemExit as exc:
    code = exc.code
seen = {"yaml": "yaml" in sys.modules, "pythons_own": gc.get_threshold() == pythons,
        "thresholds": gc.get_threshold(), "code": code}
sys.stderr.write("\\nLOADED " + json.dumps(seen) + "\\n")
"""


def as_main(folder: Path, *argv: str) -> tuple[dict[str, Any], str]:
    """What a command loaded and how its collector ran (AS_MAIN), and its output."""
    done = subprocess.run(
        [sys.executable, "-c", AS_MAIN, *argv],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return json.loads(done.stderr.rsplit("LOADED ", 1)[1]), done.stdout


@pytest.mark.parametrize(
    ("config", "reads_yaml"),
    [
        ("policies:\n  - id: a\n    url: https://a.example/\n", False),
        # A configuration that may name a taxonomy is read, and one that does is obeyed.
        ("taxonomy: mine.yaml\npolicies: []\n", True),
    ],
)
def test_a_diff_of_two_files_loads_only_what_it_needs(
    tmp_path: Path, config: str, reads_yaml: bool
) -> None:
    (tmp_path / "policies.yaml").write_text(config)
    (tmp_path / "mine.yaml").write_text(
        "categories:\n  - id: tulips\n    name: Tulips\n    patterns: ['tulips?']\n"
    )
    (tmp_path / "old.md").write_text("We collect your name.\n")
    (tmp_path / "new.md").write_text("We collect your name and your tulips.\n")
    seen, output = as_main(tmp_path, "diff", "old.md", "new.md", "--format", "json")
    # PyYAML only where the configuration may name a taxonomy; the collector tuned for a
    # short-lived process that keeps what it builds (__main__.run).
    assert (seen["yaml"], seen["thresholds"], seen["code"]) == (
        reads_yaml,
        list(collector.START_UP),
        0,
    )
    flagged = [f["category"] for c in json.loads(output)["changes"] for f in c["flags"]]
    assert flagged == (["tulips"] if reads_yaml else [])


def test_a_command_that_drops_what_it_builds_runs_the_collector_as_python_does(
    tmp_path: Path,
) -> None:
    # check, reextract, changelog ... build and drop much: the start-up's rare collections
    # would let their memory grow (a check of 150 pages: 95 MB against 63).
    (tmp_path / "policies.yaml").write_text("policies:\n  - id: a\n    url: https://a.example/\n")
    seen, _ = as_main(tmp_path, "changelog")
    assert seen["pythons_own"], seen
