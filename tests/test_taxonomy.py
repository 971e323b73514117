"""taxonomy.json: the shipped taxonomy as a diff reads it, made from taxonomy.yaml,
anchors.py and needs.py.

Run `python tests/test_taxonomy.py` to write it again after editing any of them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from policywatch import category, taxonomy
from policywatch.anchors import anchors
from policywatch.needs import needs


def forget_what_the_json_gave(monkeypatch: pytest.MonkeyPatch) -> None:
    """Empty the anchors and needs taxonomy.json gave: one dict each, filled by taxonomy.py and
    read by category.py, so both are given the same new one."""
    for name in ("_KNOWN_ANCHORS", "_KNOWN_NEEDS"):
        fresh: dict[tuple[str, ...], object] = {}
        monkeypatch.setattr(category, name, fresh)
        monkeypatch.setattr(taxonomy, name, fresh)


def test_taxonomy_json_is_made_from_the_files_as_they_are() -> None:
    assert taxonomy.SHIPPED_JSON.read_text(encoding="utf-8") == taxonomy.shipped_json(), (
        "taxonomy.json is stale: run `python tests/test_taxonomy.py`"
    )


def test_the_json_gives_what_the_yaml_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    forget_what_the_json_gave(monkeypatch)
    from_yaml = taxonomy._categories(taxonomy.SHIPPED.read_text(encoding="utf-8"), "yaml")
    from_json = taxonomy._shipped()
    assert taxonomy._KNOWN_ANCHORS and taxonomy._KNOWN_NEEDS  # read from the JSON, not the YAML
    assert from_json == from_yaml
    assert [c.anchors for c in from_json] == [anchors(list(c.patterns)) for c in from_yaml]
    # The needs as JSON gives them back: lists where needs() makes tuples.
    made = [
        (needs(list(c.patterns)), needs(list(c.excludes)) if c.excludes else None)
        for c in from_yaml
    ]
    read = [(c.needs, c.exclude_needs) for c in from_json]
    assert json.loads(json.dumps(read)) == json.loads(json.dumps(made))


def test_a_stale_or_broken_json_is_only_slower(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    expected = taxonomy._categories(taxonomy.SHIPPED.read_text(encoding="utf-8"), "yaml")
    made = json.loads(taxonomy.shipped_json())
    # Each bad file names its first category otherwise: read, it would show.
    made["taxonomy"]["categories"][0]["name"] = "Read from a bad taxonomy.json"
    stale = json.dumps({**made, "made_from": "crc32:0" + made["made_from"][6:]})
    short = json.dumps({**made, "anchors": made["anchors"][:-1]})  # its checksum still right
    fewer_needs = json.dumps({**made, "needs": made["needs"][:-1]})
    for text in (stale, "{", "[]", '{"made_from": 1}', short, fewer_needs):
        (tmp_path / "taxonomy.json").write_text(text)
        monkeypatch.setattr(taxonomy, "SHIPPED_JSON", tmp_path / "taxonomy.json")
        forget_what_the_json_gave(monkeypatch)
        assert taxonomy._shipped() == expected, text[:40]
        assert not taxonomy._KNOWN_ANCHORS and not taxonomy._KNOWN_NEEDS
    monkeypatch.setattr(taxonomy, "SHIPPED_JSON", tmp_path / "missing.json")
    assert taxonomy._shipped() == expected


if __name__ == "__main__":
    # The project's own file, whichever policywatch is installed (review).
    Path(__file__).resolve().parents[1].joinpath("src", "policywatch", "taxonomy.json").write_text(
        taxonomy.shipped_json(), encoding="utf-8"
    )
    sys.exit(0)
