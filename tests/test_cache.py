"""The archive's cache of comparisons (cache.py): reused, never stale, never required.

Comparisons are counted by wrapping `policywatch.cache.compare_texts`, never timed.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from filelock import FileLock
from pytest_httpserver import HTTPServer

from policywatch import cache
from policywatch import diff as diff_module
from policywatch.archive import Archive
from policywatch.cache import CACHE_DIR, Comparisons, decode, encode
from policywatch.changelog import entries, newest_first
from policywatch.cli import main
from policywatch.diff import Side, compare_texts
from policywatch.render import changelog as render_changelog
from policywatch.sides import snapshot_side
from policywatch.taxonomy import load_taxonomy

FIXTURES = Path(__file__).parent / "fixtures"
HISTORY = FIXTURES / "history"
TIKTOK = FIXTURES / "cases" / "tiktok-us-faceprints"
VERSIONS = 8  # of Snapchat's history: enough changes and flags, a second or two to compare
# A category of the user's own: "cell towers" comes and goes in Snapchat's policy of 2023.
MY_TAXONOMY = """categories:
  - id: friends_graph
    name: Friends graph
    explain: Who you know.
    severity: medium
    patterns: ["{pattern}"]
"""
NO_MATCH = "words no policy says"


class Counter:
    """compare_texts, counted: how many comparisons a run really made."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        return compare_texts(*args, **kwargs)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Counter:
    counter = Counter()
    monkeypatch.setattr(cache, "compare_texts", counter)
    # A diff of two files compares without the cache, through diff.compare_texts itself.
    monkeypatch.setattr(diff_module, "compare_texts", counter)
    return counter


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with the first VERSIONS versions of Snapchat's policy imported."""
    project = tmp_path_factory.mktemp("history")
    files = project / "files"
    files.mkdir()
    for path in sorted((HISTORY / "snapchat").glob("*.md"))[:VERSIONS]:
        shutil.copy(path, files / path.name)
    cfg = project / "policies.yaml"
    cfg.write_text(
        "taxonomy: mine.yaml\npolicies:\n  - id: snapchat\n    name: Snapchat\n"
        "    url: https://example.com/snapchat\n",
        encoding="utf-8",
    )
    (project / "mine.yaml").write_text(MY_TAXONOMY.format(pattern="cell towers"), encoding="utf-8")
    result = run(cfg, "import", "snapchat", str(files), "--accept")
    assert result.exit_code == 0, result.output
    return cfg


@pytest.fixture
def project(history: Path, tmp_path: Path) -> Path:
    """A fresh copy of the imported project, with no cache."""
    shutil.copytree(history.parent, tmp_path / "project")
    return tmp_path / "project" / "policies.yaml"


def run(cfg: Path, *args: str) -> Any:
    result = CliRunner().invoke(main, ["--config", str(cfg), *args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def changelog(cfg: Path, *args: str) -> str:
    result = run(cfg, "changelog", *args)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return str(result.stdout)


def cache_root(cfg: Path) -> Path:
    return cfg.parent / "snapshots" / CACHE_DIR


def cache_entries(cfg: Path) -> list[Path]:
    return sorted(cache_root(cfg).glob("*/*.json"))


def changes_of(cfg: Path) -> int:
    """How many comparisons the changelog makes: one per snapshot after the first."""
    return len(Archive(cfg.parent / "snapshots").snapshots("snapchat")) - 1


# -- the body of an entry ------------------------------------------------------------------


def pairs(policy: str) -> Iterator[tuple[Side, Side]]:
    files = sorted((HISTORY / policy).glob("*.md"))
    sides = [Side.of_markdown(p.stem, p.read_text(encoding="utf-8")) for p in files]
    yield from itertools.pairwise(sides)


def test_an_entry_gives_back_the_very_comparison_it_was_made_from() -> None:
    taxonomy = load_taxonomy()
    flags = 0
    for old, new in pairs("reddit"):
        comparison = compare_texts(old, new, taxonomy)
        data = json.loads(json.dumps(encode(comparison)))  # through JSON, as stored

        assert decode(data, old, new, full=True) == comparison
        assert decode(data, old, new) == comparison.compact()
        flags += len(comparison.flags)
    assert flags  # flags (terms, positions, sentences) went through too


def test_a_whole_entry_refuses_texts_it_was_not_made_from() -> None:
    old, new = next(pairs("reddit"))
    data = encode(compare_texts(old, new, load_taxonomy()))
    with pytest.raises((ValueError, IndexError)):
        decode(data, Side("x", "# Only\n\nOne clause."), new, full=True)


# -- reuse -----------------------------------------------------------------------------------


def test_a_second_changelog_reuses_every_comparison(project: Path, counted: Counter) -> None:
    n = changes_of(project)
    assert n >= 5
    cold = changelog(project)
    assert counted.calls == n
    assert len(cache_entries(project)) == n

    warm = changelog(project)
    assert counted.calls == n  # none more
    assert warm == cold

    assert changelog(project, "--format", "json") == changelog(project, "--format", "json")
    assert counted.calls == n


def test_output_is_byte_identical_without_cache_warm_and_after_deleting_it(
    project: Path, counted: Counter
) -> None:
    archive = Archive(project.parent / "snapshots")
    taxonomy = load_taxonomy(project.parent / "mine.yaml")
    uncached = entries(
        archive, [("snapchat", "Snapchat")], taxonomy, comparisons=Comparisons(None, taxonomy)
    )
    without = render_changelog.markdown(newest_first(uncached), list(taxonomy))
    assert not cache_root(project).exists()  # nothing was kept

    n = changes_of(project)
    for fmt in ("markdown", "json", "atom"):
        shutil.rmtree(cache_root(project), ignore_errors=True)
        counted.calls = 0
        cold = changelog(project, "--format", fmt)
        assert counted.calls == n
        warm = changelog(project, "--format", fmt)
        assert counted.calls == n
        shutil.rmtree(cache_root(project))
        rebuilt = changelog(project, "--format", fmt)
        assert counted.calls == 2 * n
        assert cold == warm == rebuilt, fmt
        if fmt == "markdown":
            assert cold == without
    assert "NEW" in without or "NO LONGER" in without  # flags are part of what is compared


def test_only_flagged_and_ranges_read_the_same_entries(project: Path, counted: Counter) -> None:
    changelog(project)
    calls = counted.calls
    flagged = changelog(project, "--only-flagged")
    ranged = changelog(project, "--since", "2023-01-01", "--oldest-first")
    assert counted.calls == calls
    shutil.rmtree(cache_root(project))
    assert changelog(project, "--only-flagged") == flagged
    assert changelog(project, "--since", "2023-01-01", "--oldest-first") == ranged


def test_diff_of_two_refs_uses_the_cache_and_shows_the_same(
    project: Path, counted: Counter
) -> None:
    def diff(*args: str) -> str:
        result = run(project, "diff", *args)
        assert result.exit_code == 0, result.output
        return str(result.stdout)

    views = [("snapchat",), ("snapchat~3", "snapchat~2", "--context", "2")]
    views += [(*v, "--format", f) for v in views for f in ("json", "markdown")]
    cold = [diff(*view) for view in views]
    assert counted.calls == 2  # one a pair of versions: diff stores what it computes
    counted.calls = 0
    assert [diff(*view) for view in views] == cold
    assert counted.calls == 0  # the terminal view's unchanged clauses come from the texts

    shutil.rmtree(cache_root(project))
    changelog(project)
    counted.calls = 0
    assert [diff(*view) for view in views] == cold  # entries the changelog wrote
    assert counted.calls == 0


def test_diff_of_files_keeps_nothing(project: Path, tmp_path: Path, counted: Counter) -> None:
    old, new = sorted((HISTORY / "snapchat").glob("*.md"))[:2]
    for _ in range(2):
        assert run(project, "diff", str(old), str(new)).exit_code == 0
    assert counted.calls == 2
    assert not cache_root(project).exists()


def test_check_stores_the_comparison_the_changelog_then_reuses(
    tmp_path: Path, httpserver: HTTPServer, counted: Counter
) -> None:
    cfg = tmp_path / "policies.yaml"
    cfg.write_text(
        f"policies:\n  - id: tiktok\n    url: {httpserver.url_for('/privacy')}\n",
        encoding="utf-8",
    )
    for day, page in (("2026-06-01", "before.html"), ("2026-06-02", "after.html")):
        httpserver.clear()
        body = (TIKTOK / page).read_bytes()
        httpserver.expect_request("/privacy").respond_with_data(body, content_type="text/html")
        result = run(cfg, "check", "--now", f"{day}T06:00:00Z", "--format", "json")
        assert result.exit_code == 0, result.output
    (outcome,) = json.loads(result.stdout)["results"]
    assert outcome["status"] == "changed" and outcome["flags"]  # faceprints
    assert counted.calls == 1  # the daily check pays for one comparison

    log = changelog(cfg)
    assert counted.calls == 1  # and the changelog for none
    assert "faceprints" in log


# -- staleness -------------------------------------------------------------------------------


def test_a_changed_taxonomy_makes_every_entry_stale(project: Path, counted: Counter) -> None:
    before = changelog(project, "--format", "json")
    assert "friends_graph" in before
    (first,) = {p.parent.name for p in cache_entries(project)}

    mine = project.parent / "mine.yaml"
    mine.write_text(MY_TAXONOMY.format(pattern=NO_MATCH), encoding="utf-8")
    load_taxonomy.cache_clear()  # read again, as the next run (a new process) would
    after = changelog(project, "--format", "json")

    assert counted.calls == 2 * changes_of(project)  # every comparison made again
    assert after != before and "friends_graph" not in after
    assert after == changelog(project, "--format", "json")
    assert counted.calls == 2 * changes_of(project)
    (second,) = {p.parent.name for p in cache_entries(project)}
    assert second != first  # the stale version's folder is gone


def test_changed_code_makes_every_entry_stale(
    project: Path, counted: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    changelog(project)
    monkeypatch.setattr(cache, "code_version", lambda: "an edited differ")
    changelog(project)
    assert counted.calls == 2 * changes_of(project)


def test_a_rewritten_text_is_compared_again(project: Path, counted: Counter) -> None:
    """reextract rewrites texts in place: entries are keyed by the texts, so none is stale."""
    changelog(project)
    archive = Archive(project.parent / "snapshots")
    snap = archive.snapshots("snapchat")[3]
    text = snapshot_side(snap).text.replace("Snapchat", "Snapchat Plus", 1)
    archive.rewrite_text(snap, text, {"technical": False})

    log = changelog(project, "--format", "json")
    assert counted.calls == changes_of(project) + 2  # into and out of that snapshot
    assert "Snapchat Plus" in log
    shutil.rmtree(cache_root(project))
    assert changelog(project, "--format", "json") == log


# -- corrupt, locked, unwritable ------------------------------------------------------------


def test_corrupt_entries_are_computed_again(project: Path, counted: Counter) -> None:
    expected = changelog(project)
    paths = cache_entries(project)
    stored = [p.read_bytes() for p in paths]
    heads = [data.partition(b"\n")[0] for data in stored]
    fake_body = b'{"entries": [{"kind": 3}]}'
    header = {**json.loads(heads[3]), "body": hashlib.sha256(fake_body).hexdigest()}
    damage = [
        b"",  # empty
        stored[1][:100],  # torn
        stored[2].replace(b"the", b"thE", 1),  # edited: the body's checksum fails
        json.dumps(header).encode() + b"\n" + fake_body,  # the checksum holds, nonsense inside
        stored[4].replace(heads[4], heads[4].replace(b'"format": 1', b'"format": 99')),
    ]
    assert all(d != s for d, s in zip(damage, stored, strict=False))
    for path, data in zip(paths, damage, strict=False):
        path.write_bytes(data)

    assert changelog(project) == expected
    assert counted.calls == changes_of(project) + len(damage)
    assert changelog(project) == expected  # and they were written again, whole
    assert counted.calls == changes_of(project) + len(damage)


def test_an_entry_that_is_a_folder_is_computed_and_the_run_goes_on(
    project: Path, counted: Counter
) -> None:
    expected = changelog(project)
    path = cache_entries(project)[0]
    path.unlink()
    path.mkdir()
    assert changelog(project) == expected
    assert counted.calls == changes_of(project) + 1


def test_an_unwritable_cache_changes_nothing_but_time(project: Path, counted: Counter) -> None:
    (project.parent / "snapshots" / ".cache").write_text("a file where the cache would be")
    expected = changelog(project)
    assert changelog(project) == expected
    assert counted.calls == 2 * changes_of(project)
    (project.parent / "snapshots" / ".cache").unlink()
    assert changelog(project) == expected


def test_a_lock_held_elsewhere_means_this_run_stores_nothing(
    project: Path, counted: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache, "LOCK_WAIT", 0)
    expected = changelog(project)
    shutil.rmtree(cache_root(project))
    cache_root(project).mkdir(parents=True)
    with FileLock(cache_root(project) / cache.LOCK_NAME):
        assert changelog(project) == expected
    assert cache_entries(project) == []
    assert counted.calls == 2 * changes_of(project)


# -- concurrent writers ----------------------------------------------------------------------


def test_threads_writing_the_same_entries_leave_a_valid_cache(project: Path) -> None:
    archive = Archive(project.parent / "snapshots")
    taxonomy = load_taxonomy(project.parent / "mine.yaml")
    sides = [snapshot_side(s) for s in archive.snapshots("snapchat")]
    work = list(itertools.pairwise(sides))
    expected = [compare_texts(a, b, taxonomy).compact() for a, b in work]
    start = threading.Barrier(4)
    results: dict[int, list[Any]] = {}

    def writer(n: int) -> None:
        comparisons = Comparisons.of(archive, taxonomy)
        start.wait()
        order = work if n % 2 == 0 else work[::-1]
        results[n] = [comparisons.compare(a, b) for a, b in order]

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    for n, found in results.items():
        assert (found if n % 2 == 0 else found[::-1]) == expected
    reader = Comparisons.of(archive, taxonomy)
    assert [reader.compare(a, b) for a, b in work] == expected
    assert (reader.reused, reader.computed) == (len(work), 0)
    assert not list(cache_root(project).rglob(".tmp-*"))


def test_two_processes_at_once_leave_a_valid_cache(project: Path, counted: Counter) -> None:
    expected = changelog(project)
    shutil.rmtree(cache_root(project))
    command = [sys.executable, "-m", "policywatch", "--config", str(project), "changelog"]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)]
    runs.append(subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
    outputs = [p.communicate(timeout=120) for p in runs]

    assert [p.returncode for p in runs] == [0, 0]
    assert [out.decode() for out, _ in outputs] == [expected, expected]
    assert [err for _, err in outputs] == [b"", b""]
    counted.calls = 0
    assert changelog(project) == expected
    assert counted.calls == 0  # every entry the two wrote reads back
    assert len(cache_entries(project)) == changes_of(project)
    assert not list(cache_root(project).rglob(".tmp-*"))


def test_an_edit_of_any_module_makes_a_new_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Detection uses anchors.py through category.py: no list of modules to keep up to date."""
    package = tmp_path / "policywatch"
    shutil.copytree(Path(cache.__file__).parent, package)
    monkeypatch.setattr(cache, "__file__", str(package / "cache.py"))
    versions = []
    for edit in ("", "\n# an edit\n"):
        with (package / "anchors.py").open("a") as source:
            source.write(edit)
        cache.code_version.cache_clear()
        versions.append(cache.code_version())
    cache.code_version.cache_clear()
    assert versions[0] != versions[1]
