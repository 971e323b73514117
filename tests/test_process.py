"""Real processes: a run killed mid-write loses nothing; runs started together never interleave."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from policywatch.archive import Archive, ArchiveLocked, sha256

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
    for delay in (0.4, 0.7, 1.0, 1.3, 1.6, 1.9):
        process = policywatch("import", "tinder", *pages, cwd=tmp_path)
        time.sleep(delay)
        if process.poll() is None:
            os.kill(process.pid, signal.SIGKILL)
            kills += 1
        process.wait()
        assert_consistent(archive, "tinder")
    assert kills >= 3, "the import finished too fast to be killed mid-way"
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


def test_two_checks_started_together_archive_once(tmp_path: Path, httpserver: HTTPServer) -> None:
    page = (TINDER / "000-2024-05-11T00-33-31Z.html").read_bytes()

    def slow(request: object) -> object:
        from werkzeug.wrappers import Response

        time.sleep(0.5)  # long enough for both runs to be under way at once
        return Response(page, content_type="text/html; charset=utf-8")

    httpserver.expect_request("/privacy").respond_with_handler(slow)
    write_config(tmp_path, httpserver.url_for("/privacy"))
    args = ("check", "--format", "json", "--wait", "60")
    first, second = policywatch(*args, cwd=tmp_path), policywatch(*args, cwd=tmp_path)
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


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to a read-only folder")
def test_a_read_only_archive_is_a_clear_error(tmp_path: Path) -> None:
    write_config(tmp_path, "http://127.0.0.1:9/")
    (tmp_path / "snapshots").mkdir()
    (tmp_path / "snapshots").chmod(0o500)
    try:
        process = policywatch("check", cwd=tmp_path)
        _, err = process.communicate(timeout=30)
    finally:
        (tmp_path / "snapshots").chmod(0o700)
    assert process.returncode != 0
    assert "Traceback" not in err.decode()


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


def test_ctrl_c_on_a_big_run_says_aborted_without_tracebacks(
    tmp_path: Path, httpserver: HTTPServer
) -> None:
    """Ctrl-C reaches the whole process group, the parsing workers included."""
    page = sorted(TINDER.glob("*.html"))[-1].read_bytes()

    def slow(request: object) -> object:
        time.sleep(0.2)
        return __import__("werkzeug").Response(page, content_type="text/html")

    httpserver.expect_request("/privacy").respond_with_handler(slow)
    policies = "".join(
        f"  - id: p{i:02d}\n    url: {httpserver.url_for('/privacy')}?n={i}\n" for i in range(40)
    )
    (tmp_path / "policies.yaml").write_text(
        f"defaults:\n  retries: 0\n  timeout: 5\n  jobs: 2\npolicies:\n{policies}"
    )
    run = subprocess.Popen(
        [sys.executable, "-m", "policywatch", "check"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while not list((tmp_path / "snapshots").glob("*/*.md")) and time.monotonic() < deadline:
        time.sleep(0.05)  # a page was parsed: the workers are up
    workers = subprocess.run(["pgrep", "-P", str(run.pid)], capture_output=True, text=True)
    assert len(workers.stdout.split()) >= 2, "no worker processes to interrupt"
    os.killpg(run.pid, signal.SIGINT)
    _, stderr = run.communicate(timeout=30)
    assert run.returncode != 0
    assert b"Traceback" not in stderr and b"Aborted!" in stderr, stderr.decode()
    for snap in Archive(tmp_path / "snapshots").snapshots("p00"):
        assert sha256(snap.text_path.read_bytes()) == snap.meta["text_sha256"]


def test_an_interrupted_run_keeps_the_lock_while_its_threads_still_write(tmp_path: Path) -> None:
    """A second Ctrl-C ends the main thread while fetch threads finish their policies: the
    lock must stay held until they have, or another run would write the same folders."""
    script = (
        "import sys, threading, time\n"
        "from pathlib import Path\n"
        "from policywatch.archive import Archive\n"
        "root = Path(sys.argv[1])\n"
        "def late():\n"
        "    time.sleep(1.5)\n"
        "    (root / 'late-write').write_text('done')\n"
        "with Archive(root).lock(0):\n"
        "    threading.Thread(target=late).start()\n"
        "    print('locked', flush=True)\n"
        "    raise KeyboardInterrupt\n"
    )
    run = subprocess.Popen(
        [sys.executable, "-c", script, str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert run.stdout is not None and run.stdout.readline() == b"locked\n"
    time.sleep(0.5)  # the interrupt has left the lock's block; the thread still sleeps
    assert run.poll() is None
    with pytest.raises(ArchiveLocked), Archive(tmp_path).lock(0):
        pass
    run.communicate(timeout=30)
    assert (tmp_path / "late-write").read_text() == "done"
    with Archive(tmp_path).lock(0):  # free once the process is gone
        pass
