"""Word-level edits inside an aligned pair of clauses (diff-match-patch on word tokens)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from diff_match_patch import diff_match_patch

EQUAL, DELETE, INSERT = "=", "-", "+"
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


@dataclass(frozen=True)
class Edit:
    op: str  # "=", "-" or "+"
    text: str


def _encode(tokens: list[str], vocabulary: dict[str, str], words: list[str]) -> str:
    """Each distinct token becomes one character, so the diff runs over whole words."""
    out = []
    for token in tokens:
        char = vocabulary.get(token)
        if char is None:
            char = chr(0xE000 + len(words)) if len(words) < 0x1900 else chr(0xF0000 + len(words))
            vocabulary[token] = char
            words.append(token)
        out.append(char)
    return "".join(out)


def word_edits(old: str, new: str) -> list[Edit]:
    """The edits turning old into new, at word boundaries, merged where that reads better."""
    vocabulary: dict[str, str] = {}
    words: list[str] = []
    a = _encode(_TOKEN.findall(old), vocabulary, words)
    b = _encode(_TOKEN.findall(new), vocabulary, words)
    index = {char: word for word, char in vocabulary.items()}
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0.5
    diffs = dmp.diff_main(a, b, False)
    dmp.diff_cleanupSemantic(diffs)
    ops = {0: EQUAL, -1: DELETE, 1: INSERT}
    edits: list[Edit] = []
    for op, chars in diffs:
        text = "".join(index[c] for c in chars)
        if edits and edits[-1].op == ops[op]:
            edits[-1] = Edit(ops[op], edits[-1].text + text)
        elif text:
            edits.append(Edit(ops[op], text))
    return _absorb_spaces(edits)


def _absorb_spaces(edits: list[Edit]) -> list[Edit]:
    """Runs of edits separated only by white space read as one edit: "-a b +c d", not four."""
    merged: list[list[str] | Edit] = []  # a hunk is [deleted, inserted]; equals stay Edits
    for k, edit in enumerate(edits):
        if edit.op != EQUAL:
            if not merged or isinstance(merged[-1], Edit):
                merged.append(["", ""])
            hunk = merged[-1]
            assert isinstance(hunk, list)
            hunk[0 if edit.op == DELETE else 1] += edit.text
            continue
        between = (
            not edit.text.strip()
            and merged
            and isinstance(merged[-1], list)
            and k + 1 < len(edits)
            and edits[k + 1].op != EQUAL
        )
        if between:
            hunk = merged[-1]
            assert isinstance(hunk, list)
            hunk[0] += edit.text
            hunk[1] += edit.text
            continue
        merged.append(edit)
    out: list[Edit] = []
    for item in merged:
        if isinstance(item, Edit):
            out.append(item)
            continue
        deleted, inserted = item
        if deleted:
            out.append(Edit(DELETE, deleted))
        if inserted:
            out.append(Edit(INSERT, inserted))
    return out
