"""The labelled flags quote their sources verbatim (benchmarks/flag_labels, see its README)."""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

import pytest
import yaml

from policywatch.canonical import from_markdown

LABELS = Path(__file__).parent.parent / "benchmarks" / "flag_labels"
SHARED = Path(
    os.environ.get("POLICYWATCH_SHARED") or Path(__file__).parent.parent.parent / "shared"
)
HISTORY = SHARED / "fixtures" / "history"
CATEGORIES = {
    "biometric", "precise_geolocation", "health", "children", "financial", "government_id",
    "special_category", "genetic", "message_content", "contacts", "device_tracking",
    "inference_profiling", "sale_sharing_ads", "ai_training", "retention", "transfer_abroad",
    "law_enforcement", "audio_voice_sensors",
}  # fmt: skip
KINDS = {"new", "no_longer", "expanded", "narrowed", "now_says_it_may"}


def labels() -> list[dict[str, object]]:
    found: list[dict[str, object]] = []
    for path in sorted(LABELS.glob("*.yaml")):
        found.extend(yaml.safe_load(path.read_text(encoding="utf-8")))
    return found


@cache
def words(policy: str, stem: str) -> str:
    text = from_markdown((HISTORY / policy / f"{stem}.md").read_text(encoding="utf-8"))
    return " " + folded(text) + " "


def folded(text: object) -> str:
    """Words only: a label quotes a clause as one version of the tool showed it (the first
    showed markdown's emphasis and table pipes as text)."""
    return " ".join(re.findall(r"[^\W_]+", str(text).lower()))


def test_there_are_enough_labels_of_both_kinds() -> None:
    found = labels()
    assert sum(1 for x in found if x["flagged_by"]) >= 150
    assert sum(1 for x in found if not x["flagged_by"]) >= 100
    for label in found:
        for truth in label["truth"] or []:  # type: ignore[attr-defined]
            assert truth["category"] in CATEGORIES and truth["kind"] in KINDS, label
            assert truth["change"] == (
                "removed" if truth["kind"] in ("no_longer", "narrowed") else "added"
            )


@pytest.mark.skipif(not HISTORY.is_dir(), reason="../shared/fixtures/history is not here")
def test_every_clause_and_sentence_stands_verbatim_in_its_version() -> None:
    missing = []
    for label in labels():
        stem = label["new"] if label["side"] == "new" else label["old"]
        version = words(str(label["policy"]), str(stem))
        for quoted in [label["clause"], *(t["sentence"] for t in label["truth"] or [])]:  # type: ignore[attr-defined]
            piece = " ".join(folded(quoted).split()[:14])
            if piece and f" {piece} " not in version:
                missing.append((label["policy"], stem, piece))
    assert missing == []
