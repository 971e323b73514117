"""Generated edits of known kind on real policies, and a scorer for what the differ reports.

A case is (old text, new text, truth): the truth lists each change as its kind with the old and
new clause texts involved. Texts are rendered from clause lists so that the truth is exact.
"""

from __future__ import annotations

import itertools
import random
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policywatch.canonical import from_markdown
from policywatch.segment import HEADING, ITEM, ROW, Clause, segment

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "fixtures"


@dataclass(frozen=True)
class Block:
    kind: str
    text: str
    level: int = 0


@dataclass(frozen=True)
class Truth:
    kind: str
    old: tuple[str, ...]
    new: tuple[str, ...]


@dataclass
class Case:
    name: str
    kind: str
    old: str
    new: str
    truth: list[Truth] = field(default_factory=list)


def blocks_of(text: str) -> list[Block]:
    return [Block(c.kind, c.text, c.level) for c in segment(from_markdown(text))]


def _wrap(text: str, rng: random.Random) -> str:
    """Re-wrap as an editor would; never so a wrapped line starts like a list item."""
    wrapped = textwrap.fill(
        text, rng.randint(30, 140), break_long_words=False, break_on_hyphens=False
    )
    lines = wrapped.split("\n")
    if any(_LOOKS_LIKE_ITEM.match(line) for line in lines[1:]) or any(
        _RULE.match(line) for line in lines
    ):
        return text
    return wrapped


_LOOKS_LIKE_ITEM = re.compile(r"^\s*([-*+•#>|]|\d+[.)]|=+\s*$)")
# A line of only dashes, stars or underscores is a thematic break, even the first line: a
# paragraph that starts "----- When storing" must not wrap into a rule and then words.
_RULE = re.compile(r"^\s*([-*_])(?:\s*\1){2,}\s*$")


def render(blocks: list[Block], rng: random.Random | None = None) -> str:
    """Markdown for blocks; with rng, formatted differently (wrapping, bullets, emphasis ...)."""
    out: list[Any] = []  # markdown blocks, and tables as lists of rows
    number = 0
    previous_row = False
    for block in blocks:
        text = block.text
        if rng is not None and block.kind != ROW and rng.random() < 0.3:
            words = text.split(" ")
            k = rng.randrange(len(words))
            if re.fullmatch(r"[A-Za-z]+", words[k]):
                words[k] = rng.choice(["**{}**", "_{}_", "*{}*"]).format(words[k])
            text = " ".join(words)
        if rng is not None and block.kind != ROW and rng.random() < 0.2:
            text = text.replace(" ", "\u00a0", 1)
        if block.kind == HEADING:
            setext_safe = not _LOOKS_LIKE_ITEM.match(text)
            if rng is not None and block.level <= 2 and setext_safe and rng.random() < 0.5:
                out.append(text + "\n" + ("=" if block.level == 1 else "-") * max(3, len(text)))
            else:
                out.append("#" * max(1, block.level) + " " + text)
            number = 0
        elif block.kind == ITEM:
            number += 1
            bullet = "-" if rng is None else rng.choice(["-", "*", "+", f"{number}.", "•"])
            body = text if rng is None else _wrap(text, rng)
            out.append(bullet + " " + body.replace("\n", "\n   "))
        elif block.kind == ROW:
            # A table is one block: a header, its delimiter, its rows. The header says how many
            # columns there are (GFM drops the cells beyond), so it is padded to the widest row.
            if previous_row and out:
                out[-1].append(text)
            else:
                out.append([text])  # type: ignore[arg-type]
            previous_row = True
            continue
        else:
            body = text if rng is None else _wrap(text, rng)
            out.append(_literal_start(body))  # "14. Notice" is words here, not a list item
            number = 0
        previous_row = False
        if rng is not None and rng.random() < 0.1:
            out.append("")
    return "\n\n".join(_table(b) if isinstance(b, list) else b for b in out) + "\n"


_MARKDOWN_START = re.compile(r"^(\d{1,9})([.)])(?=\s|$)|^([-+*#](?=\s|$)|[>|])")


def _literal_start(text: str) -> str:
    """Markdown for words that would start a list, a heading or a quote: escape the marker."""
    return _MARKDOWN_START.sub(lambda m: f"{m[1]}\\{m[2]}" if m[1] else f"\\{m[3]}", text)


def _table(rows: list[str]) -> str:
    columns = max(row.count(" | ") + 1 for row in rows)
    header = rows[0] + " | " * (columns - rows[0].count(" | ") - 1)
    lines = [header, "---|" * columns, *rows[1:]]
    return "\n".join(f"| {line} |" if not line.startswith("---") else "|" + line for line in lines)


def _paragraphs(blocks: list[Block], minimum_words: int = 8) -> list[int]:
    seen: dict[str, int] = {}
    for b in blocks:
        seen[b.text] = seen.get(b.text, 0) + 1
    return [
        i
        for i, b in enumerate(blocks)
        if b.kind != HEADING and len(b.text.split()) >= minimum_words and seen[b.text] == 1
    ]


def _edit_words(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    for _ in range(rng.randint(1, 3)):
        k = rng.randrange(len(words))
        action = rng.choice(["replace", "insert", "delete"])
        if action == "replace":
            words[k] = rng.choice(["biometric", "precise", "third-party", "never", "may", "sell"])
        elif action == "insert":
            words.insert(k, rng.choice(["not", "also", "including voiceprints,", "always"]))
        elif len(words) > 4:
            del words[k]
    return " ".join(words)


def _sentences(text: str) -> list[str]:
    return re.split(r"(?<=[.;:])\s+(?=[A-Z])", text)


def make_case(name: str, kind: str, blocks: list[Block], donor: list[Block], seed: int) -> Case:
    """One generated edit of the given kind on real blocks."""
    rng = random.Random(seed)
    old = list(blocks)
    new = list(blocks)
    truth: list[Truth] = []
    candidates = _paragraphs(old)
    if kind == "reflow":
        return Case(name, kind, render(old), render(new, rng), [])
    if kind == "words":
        for i in rng.sample(candidates, min(3, len(candidates))):
            edited = _edit_words(old[i].text, rng)
            if edited != old[i].text:
                new[i] = Block(old[i].kind, edited, old[i].level)
                truth.append(Truth("modified", (old[i].text,), (edited,)))
    elif kind == "insert":
        known = {b.text for b in old}
        extra = [b for b in donor if b.kind != HEADING and b.text not in known and len(b.text) > 40]
        for b in rng.sample(extra, min(2, len(extra))):
            k = rng.randrange(len(new) + 1)
            new.insert(k, b)
            truth.append(Truth("added", (), (b.text,)))
    elif kind == "delete":
        for i in sorted(rng.sample(candidates, min(2, len(candidates))), reverse=True):
            truth.append(Truth("removed", (old[i].text,), ()))
            del new[i]
    elif kind == "move":
        i = rng.choice(candidates)
        block = new.pop(i)
        far = [k for k in range(len(new)) if abs(k - i) > 5] or [0]
        new.insert(rng.choice(far), block)
        truth.append(Truth("moved", (block.text,), (block.text,)))
    elif kind == "move-section":
        heads = [i for i, b in enumerate(old) if b.kind == HEADING]
        sections = [(a, b) for a, b in itertools.pairwise(heads) if 2 <= b - a <= 8]
        if not sections:
            return Case(name, kind, render(old), render(new), [])
        a, b = rng.choice(sections)
        chunk = new[a:b]
        del new[a:b]
        spots = [k for k in heads if k > b + 3 or k < a - 3]
        spot = rng.choice(spots) if spots else len(new)
        spot = spot - (b - a) if spot > a else spot
        new[spot:spot] = chunk
        texts = [c.text for c in chunk]
        if len(set(texts)) == len(texts):
            truth.extend(Truth("moved", (t,), (t,)) for t in texts)
    elif kind == "split":
        long = [i for i in candidates if len(_sentences(old[i].text)) >= 2]
        if long:
            i = rng.choice(long)
            parts = _sentences(old[i].text)
            cut = rng.randint(1, len(parts) - 1)
            first, second = " ".join(parts[:cut]), " ".join(parts[cut:])
            new[i : i + 1] = [Block(old[i].kind, first), Block(old[i].kind, second)]
            truth.append(Truth("split", (old[i].text,), (first, second)))
    elif kind == "merge":
        pairs = [i for i in candidates if i + 1 in candidates and old[i].kind == old[i + 1].kind]
        if pairs:
            i = rng.choice(pairs)
            joined = old[i].text + " " + old[i + 1].text
            new[i : i + 2] = [Block(old[i].kind, joined)]
            truth.append(Truth("merged", (old[i].text, old[i + 1].text), (joined,)))
    return Case(name, kind, render(old), render(new), truth)


KINDS = ("reflow", "words", "insert", "delete", "move", "move-section", "split", "merge")


def real_documents() -> list[tuple[str, str]]:
    """(name, text) of real policies: the pairs' new versions and each history's latest."""
    docs = []
    root = SHARED if SHARED.exists() else FIXTURES
    for folder in sorted((root / "pairs").glob("*")):
        docs.append((folder.name, (folder / "new.md").read_text()))
    for folder in sorted((root / "history").glob("*")):
        latest = sorted(folder.glob("*.md"))[-1]
        docs.append((f"history-{folder.name}", latest.read_text()))
    return docs


def cases(seeds: int = 2) -> list[Case]:
    docs = [(name, blocks_of(text)) for name, text in real_documents()]
    docs = [(name, blocks) for name, blocks in docs if len(blocks) >= 20]
    out = []
    for n, (name, blocks) in enumerate(docs):
        donor = docs[(n + 1) % len(docs)][1]
        for kind in KINDS:
            for seed in range(seeds):
                out.append(make_case(f"{name}/{kind}/{seed}", kind, blocks, donor, seed))
    return out


@dataclass
class Score:
    true_changes: int = 0
    found: int = 0  # true changes that some reported change covers
    found_kind: int = 0  # ... with the right kind
    reported: int = 0
    correct: int = 0  # reported changes that cover a true change
    false_on_reflow: int = 0

    @property
    def recall(self) -> float:
        return self.found / self.true_changes if self.true_changes else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.reported if self.reported else 1.0

    @property
    def kind_accuracy(self) -> float:
        return self.found_kind / self.true_changes if self.true_changes else 1.0


def score(case: Case, reported: list[dict[str, object]], total: Score) -> None:
    """Compare the JSON changes of `diff` with the truth of a case."""

    def texts(change: dict[str, object], side: str) -> set[str]:
        value = change.get(f"{side}_text")
        return set(str(value).split("\n")) if value else set()

    # A minor edit (case, punctuation: the wrapping turned a run of dashes into a rule) is
    # folded for the reader and changes no word: it is not counted as a change here.
    reported = [r for r in reported if not r.get("minor")]
    total.true_changes += len(case.truth)
    total.reported += len(reported)
    if case.kind == "reflow":
        total.false_on_reflow += len(reported)
    for truth in case.truth:
        covering = [
            r
            for r in reported
            if texts(r, "old") & set(truth.old) or texts(r, "new") & set(truth.new)
        ]
        if covering:
            total.found += 1
            if any(r["kind"] == truth.kind for r in covering):
                total.found_kind += 1
    for r in reported:
        if any(texts(r, "old") & set(t.old) or texts(r, "new") & set(t.new) for t in case.truth):
            total.correct += 1


def clause_texts(clauses: list[Clause]) -> list[str]:
    return [c.text for c in clauses]
