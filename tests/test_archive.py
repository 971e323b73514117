"""The archive: refs, the lock, hashes that catch edited files, flapping pages, re-extraction."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from policywatch.archive import Archive, ArchiveError, ArchiveLocked
from policywatch.backfill import import_files, reextract
from policywatch.cli import main
from policywatch.config import Policy
from policywatch.errors import RefError

CASE = Path(__file__).parent / "fixtures" / "cases" / "tiktok-us-faceprints"
POLICY = Policy(id="tiktok-us", name="TikTok", url="https://www.tiktok.com/legal/privacy")


def at(day: int, month: int = 6) -> datetime:
    return datetime(2021, month, day, 6, 0, 0, tzinfo=UTC)


@pytest.fixture
def archive(tmp_path: Path) -> Archive:
    """Three real versions: before (June 1), after (June 3), before again (June 5)."""
    archive = Archive(tmp_path / "snapshots")
    import_files(archive, POLICY, [CASE / "before.html"], at(1))
    import_files(archive, POLICY, [CASE / "after.html"], at(3))
    import_files(archive, POLICY, [CASE / "before.html"], at(5))
    return archive


def test_refs_resolve(archive: Archive) -> None:
    stamps = [s.stamp for s in archive.snapshots("tiktok-us")]
    assert stamps == ["2021-06-01T06-00-00Z", "2021-06-03T06-00-00Z", "2021-06-05T06-00-00Z"]
    assert archive.resolve("tiktok-us").stamp == stamps[2]
    assert archive.resolve("tiktok-us@latest").stamp == stamps[2]
    assert archive.resolve("tiktok-us@previous").stamp == stamps[1]
    assert archive.resolve("tiktok-us~2").stamp == stamps[0]
    assert archive.resolve("tiktok-us@2021-06-04").stamp == stamps[1]  # in force that day
    assert archive.resolve("tiktok-us@2021-06-03").stamp == stamps[1]  # taken that day
    assert archive.resolve("tiktok-us@2021-06-03T06-00-00Z").stamp == stamps[1]
    assert archive.resolve("tiktok-us@2021-06-03T06:00:00Z").stamp == stamps[1]


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("tiktok-us~3", "has only 3 snapshot(s)"),
        (
            "tiktok-us@2021-05-31",
            "no snapshot of tiktok-us on or before 2021-05-31; the first is from 2021-06-01",
        ),
        ("tiktok-us@yesterday", "is not latest, previous, a date"),
        ("tiktok-us@2021-06-03T07-00-00Z", "taken at exactly"),
        ("nobody", "no such policy in the archive"),
        ("a@b@c", "is not a snapshot ref"),
    ],
)
def test_bad_refs_say_what_is_wrong(archive: Archive, ref: str, message: str) -> None:
    with pytest.raises(RefError, match=None) as info:
        archive.resolve(ref)
    assert message in str(info.value)


def test_a_page_flapping_back_is_a_return_not_news(archive: Archive) -> None:
    first, second, third = archive.snapshots("tiktok-us")
    assert third.meta["returns_to"] == first.stamp
    assert second.meta["returns_to"] is None
    assert third.text == first.text


def test_each_snapshot_has_raw_text_and_metadata_with_hashes(archive: Archive) -> None:
    snap = archive.latest("tiktok-us")
    assert snap is not None
    assert snap.raw() == (CASE / "before.html").read_bytes()
    meta = json.loads((snap.folder / f"{snap.stamp}.json").read_text())
    assert meta["raw_file"] == f"{snap.stamp}.html"
    assert meta["extractor_version"] >= 1
    assert meta["text_chars"] == len(snap.text)


def test_an_edited_snapshot_is_detected_not_diffed(archive: Archive) -> None:
    snap = archive.latest("tiktok-us")
    assert snap is not None
    snap.text_path.write_text(snap.text_path.read_text().replace("TikTok", "TokTik"))
    fresh = archive.latest("tiktok-us")
    assert fresh is not None
    with pytest.raises(ArchiveError, match="does not match the hash"):
        _ = fresh.text
    result = CliRunner().invoke(main, ["--archive", str(archive.root), "show", "tiktok-us"])
    assert result.exit_code == 1
    assert "does not match the hash" in result.stderr and "Traceback" not in result.output


def test_the_lock_is_exclusive(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "snapshots")
    other = Archive(tmp_path / "snapshots")
    with (
        archive.lock(),
        pytest.raises(ArchiveLocked, match="another policywatch run"),
        other.lock(wait=0.2),
    ):
        pass
    with archive.lock(wait=0):  # released
        pass


def test_leftovers_of_a_killed_write_are_cleaned_under_the_lock(archive: Archive) -> None:
    folder = archive.folder("tiktok-us")
    (folder / ".tmp-2021-06-07T06-00-00Z.md-999").write_text("half")
    (folder / "2021-06-07T06-00-00Z.html").write_text("raw without metadata")
    (folder / "2021-06-07T06-00-00Z.md").write_text("text without metadata")
    before = len(archive.snapshots("tiktok-us"))
    with archive.lock():
        pass
    assert sorted(p.name for p in folder.iterdir() if "2021-06-07" in p.name) == []
    assert len(archive.snapshots("tiktok-us")) == before


def test_reextract_with_other_settings_is_technical(archive: Archive) -> None:
    narrower = Policy(
        id=POLICY.id, name=POLICY.name, url=POLICY.url, select=("article",), remove=("ul",)
    )
    results = reextract(archive, narrower, at(10))
    assert [r.changed for r in results] == [True, True, True]
    snaps = archive.snapshots("tiktok-us")
    assert "faceprints" not in snaps[1].text  # the list item is removed now
    # Without the list, "after" differs from "before" only by its date line: still a change.
    assert [bool(s.meta["technical"]) for s in snaps] == [False, False, False]
    assert snaps[1].meta["reextracted"]["previous_text_sha256"]
    assert snaps[1].meta["extraction"] == {"select": ["article"], "remove": ["ul"], "ignore": []}
    # Dropping the date line too makes "after" identical to "before": marked technical.
    dateless = Policy(
        id=POLICY.id, name=POLICY.name, url=POLICY.url, remove=("ul",), ignore=("^Last updated",)
    )
    again = reextract(archive, dateless, at(11))
    assert [r.technical for r in again] == [False, True, True]
    assert [s.meta["technical"] for s in archive.snapshots("tiktok-us")] == [False, True, True]


def test_the_lock_file_is_filelocks_alone_and_the_holder_is_beside_it(tmp_path: Path) -> None:
    """Where flock is missing, filelock keeps its own marker in the lock file: a pid written
    over it made a killed run's lock look held for ever (review of issue 14's filelock)."""
    archive = Archive(tmp_path / "snapshots")
    with archive.lock():
        assert (archive.root / ".lock").read_bytes() == b""
        assert (archive.root / ".lock.pid").read_text() == f"{os.getpid()}\n"


def test_only_folders_named_as_policy_ids_are_policies(tmp_path: Path) -> None:
    # Written here: folders a person or another tool left in the archive (review of issue 15:
    # "a?b#c" and "javascript:alert(1)" became broken links in the report).
    for name in ("tiktok-eea", "a?b#c", "javascript:alert(1)", ".cache", "Upper"):
        (tmp_path / name).mkdir()
    assert Archive(tmp_path).policy_ids() == ["tiktok-eea"]
