"""Compare two versions of a policy: segment, align, and word-level edits for each pair."""

from __future__ import annotations

import contextlib
import gc
import marshal
import os
import re
import signal
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .align import align
from .archive import Archive
from .change import (
    ADDED,
    GROUP_KINDS,
    MERGED,
    MODIFIED,
    MOVED,
    REFORMATTED,
    REMOVED,
    SAME,
    SPLIT,
    Alignment,
    Change,
    change_json,
)
from .detect import (
    COMPANY_VOICE,
    LABEL_END,
    LABEL_WORDS,
    english,
    flags_for,
    title,
)
from .errors import ArchiveError
from .flag import Flag
from .inline import word_edits
from .segment import HEADING, PARAGRAPH, Clause, key_of, segment
from .snapshot import ID, Snapshot
from .statements import Statements, in_document
from .taxonomy import Category, load_taxonomy

SUMMARY_ORDER = (MODIFIED, ADDED, REMOVED, MOVED, SPLIT, MERGED, REFORMATTED)


class SideError(Exception):
    """A side of a comparison that cannot be read."""


@dataclass(frozen=True)
class Side:
    """One version to compare: where it came from and its canonical text (canonical.py)."""

    label: str
    text: str

    @classmethod
    def of_markdown(cls, label: str, markdown: str) -> Side:
        """A side from markdown (a saved .md file, an Open Terms Archive version)."""
        from .canonical import from_markdown

        return cls(label, from_markdown(markdown))


@dataclass(frozen=True)
class Appearance:
    """A category the policy mentions for the first time, or no longer mentions at all."""

    category: str
    clauses: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"category": self.category, "clauses": list(self.clauses)}


@dataclass
class Comparison:
    """Two versions aligned: each change carries its word edits and its flags."""

    old: Side
    new: Side
    alignment: Alignment
    appeared: list[Appearance] = field(default_factory=list)
    disappeared: list[Appearance] = field(default_factory=list)
    formatting_only: bool = False  # the text changed, its words did not
    old_clauses: int = 0
    new_clauses: int = 0

    @property
    def changes(self) -> list[Change]:
        return self.alignment.changes

    def compact(self) -> Comparison:
        """Only what reports need (changes, flags, counts): no texts, no unchanged clauses."""
        alignment = Alignment([], [], self.changes)
        return Comparison(
            Side(self.old.label, ""),
            Side(self.new.label, ""),
            alignment,
            self.appeared,
            self.disappeared,
            self.formatting_only,
            self.old_clauses,
            self.new_clauses,
        )

    def only_flagged(self) -> Comparison:
        """The same comparison with only its flagged changes (compact: no unchanged clauses)."""
        kept = Alignment([], [], self.flagged())
        return replace(self, alignment=kept, formatting_only=False)

    def flagged(self) -> list[Change]:
        """The changes that carry a flag, in reading order."""
        return [c for c in self.changes if c.flags]

    @property
    def flags(self) -> list[Flag]:
        return [f for c in self.changes for f in c.flags]

    @property
    def differs(self) -> bool:
        return bool(self.changes)

    @property
    def reworded(self) -> list[Change]:
        """The changes of words: not minor edits, not the same words regrouped."""
        return [c for c in self.changes if c.reworded]

    def summary(self) -> dict[str, int]:
        counts = Counter(c.kind for c in self.changes)
        summary = {kind: counts.get(kind, 0) for kind in SUMMARY_ORDER}
        summary["minor"] = sum(1 for c in self.changes if c.minor)
        return summary

    def to_json(self) -> dict[str, Any]:
        """The documented JSON of `diff` (DESIGN.md), with word edits for paired clauses."""
        return {
            "old": {"source": self.old.label, "clauses": self.old_clauses},
            "new": {"source": self.new.label, "clauses": self.new_clauses},
            "summary": self.summary(),
            "formatting_only": self.formatting_only,
            "categories": {
                "appeared": [a.to_json() for a in self.appeared],
                "disappeared": [a.to_json() for a in self.disappeared],
            },
            "changes": [change_json(c) for c in self.changes],
        }


def compare_texts(old: Side, new: Side, taxonomy: Sequence[Category] | None = None) -> Comparison:
    """Align two versions and flag the data practices each change adds or removes."""
    categories = load_taxonomy() if taxonomy is None else taxonomy
    old_clauses, new_clauses = segment(old.text), segment(new.text)
    alignment = align(old_clauses, new_clauses)
    changes = [_with_edits(c) for c in alignment.changes]
    # The same words in the same order: every change is minor or regroups words in place (a
    # move reorders them). Anchors keep their order and regroupings keep their words' order.
    formatting_only = old.text != new.text and not any(
        c.kind == MOVED or c.reworded for c in changes
    )
    names = (_section_names(old_clauses), _section_names(new_clauses))
    found = [
        flags_for(c.old_text or "", c.new_text or "", categories) if c.reworded else []
        for c in changes
    ]
    if any(found) and not (english(old.text) and english(new.text)):
        found = [[] for _ in found]  # another language: the taxonomy reads English only
    if any(found):
        found = _in_documents(changes, found, old, new, categories)
    if any(found):
        found = _stated_anew(changes, found, _Sentences(old_clauses), _Sentences(new_clauses))
    named = [_names_only(c, *names) for c in changes]
    done = iter(
        replace(
            change,
            flags=tuple(f for f in fs if not (name and not _flip(f))),
        )
        for change, fs, name in zip(changes, found, named, strict=True)
    )
    alignment.entries = [e if e.kind == SAME else next(done) for e in alignment.entries]
    comparison = Comparison(
        old,
        new,
        alignment,
        formatting_only=formatting_only,
        old_clauses=len(old_clauses),
        new_clauses=len(new_clauses),
    )
    _whole_document(comparison)
    return comparison


# A sentence ends at . ! ? before a capital or a digit ("U.S. laws" goes on), or at a line's end.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=[^a-z\s])|\n+")
SHORT_SENTENCE = 3  # words: a shorter one (a label: "Sale.") must be a whole sentence over there


def sentences(text: str) -> list[tuple[int, int]]:
    """The spans of a clause text's sentences (and of its lines, for joined clauses), without
    the bullet a list inside a table cell puts before them ("* verify accounts ...")."""
    spans, start = [], 0
    for cut in _SENTENCE_BREAK.finditer(text):
        if cut.start() > start:
            spans.append((start, cut.start()))
        start = cut.end()
    if start < len(text):
        spans.append((start, len(text)))
    return [(_past_bullet(text, a, b), b) for a, b in spans]


_BULLET = re.compile(r"[*•]\s+")


def _past_bullet(text: str, start: int, end: int) -> int:
    bullet = _BULLET.match(text, start, end)
    return bullet.end() if bullet and bullet.end() < end else start


class _Sentences:
    """One version's sentences as words: whether a sentence stands in it word for word (what
    the version states of each category is statements.Statements)."""

    def __init__(self, clauses: Sequence[Clause]) -> None:
        self.clauses = clauses
        self._spaced: bytes | None = None
        self._exact: set[bytes] | None = None

    def holds(self, sentence: str) -> bool:
        """Whether a sentence stands here word for word (its key form, in any case)."""
        needle = _plain(key_of(sentence))
        if needle == b" ":
            return True
        if needle.count(b" ") <= SHORT_SENTENCE:  # fewer words than SHORT_SENTENCE
            if self._exact is None:
                self._exact = {
                    _plain(c.key[a:b]) for c in self.clauses for a, b in sentences(c.key)
                }
            return needle in self._exact
        if self._spaced is None:  # one pass over the whole version, made when first needed
            self._spaced = _spaced("\n".join(c.key for c in self.clauses))
        return _in_a_row(needle.split(), self._spaced)


_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789_")
# Lower-cased UTF-8 with every ASCII character that is not a word character made a space:
# a version's words in a row, a few milliseconds for 700 KB (a regex over words takes 16).
_SEPARATE = bytes(c if c in _WORD_BYTES or c >= 0x80 else 0x20 for c in range(256))


def _spaced(text: str) -> bytes:
    """A text's words as _plain has them, apart by runs of spaces as its punctuation left them."""
    return text.lower().encode().translate(_SEPARATE)


def _plain(text: str) -> bytes:
    """Words in a row, " "-separated and -framed, for finding one sentence in another text."""
    return b" " + b" ".join(_spaced(text).split()) + b" "


def _in_a_row(words: list[bytes], spaced: bytes) -> bool:
    """Whether words stand in a row in a spaced text (as `_plain(sentence) in _plain(text)`).

    A whole version is not folded into one space a gap (splitting 700 KB into its words and
    joining them again takes 5 ms): the longest of the words is found, and only the words around
    each place it stands are read."""
    at_word = max(range(len(words)), key=lambda k: len(words[k]))
    word, before, after = words[at_word], words[:at_word], words[at_word + 1 :]
    at = spaced.find(word)
    while at != -1:
        end = at + len(word)
        if (
            (at == 0 or spaced[at - 1] == _GAP)
            and (end == len(spaced) or spaced[end] == _GAP)
            and _words_before(spaced, at, len(before)) == before
            and _words_after(spaced, end, len(after)) == after
        ):
            return True
        at = spaced.find(word, at + 1)
    return False


_GAP = ord(" ")
_WORD_ROOM = 16  # bytes read a word at first, more when the gaps between words are wider


def _words_before(spaced: bytes, at: int, count: int) -> list[bytes]:
    """The `count` whole words before a place (fewer at the text's start)."""
    if not count:
        return []
    room = _WORD_ROOM * (count + 1)
    while True:
        start = max(0, at - room)
        words = spaced[start:at].split()
        if len(words) > count or start == 0:  # more than count: the first may be cut
            return words[-count:]
        room *= 4


def _words_after(spaced: bytes, end: int, count: int) -> list[bytes]:
    """The `count` whole words after a place (fewer at the text's end)."""
    if not count:
        return []
    room = _WORD_ROOM * (count + 1)
    while True:
        stop = min(len(spaced), end + room)
        words = spaced[end:stop].split()
        if len(words) > count or stop == len(spaced):  # more than count: the last may be cut
            return words[:count]
        room *= 4


def _stated_anew(
    changes: Sequence[Change],
    found: list[list[Flag]],
    old: _Sentences,
    new: _Sentences,
) -> list[list[Flag]]:
    """Each flag with the sentence that triggered it; a flag whose every sentence stands word for
    word on the other side is dropped: the statement moved or was re-laid-out, it is not news."""
    other = {"added": old, "removed": new}
    kept: list[list[Flag]] = []
    for change, flags in zip(changes, found, strict=True):
        out = []
        for flag in flags:
            side = change.new if flag.change == "added" else change.old
            text = (change.new_text if flag.change == "added" else change.old_text) or ""
            spans = sentences(text)
            names = _titles(text, spans, side[0].kind if side else PARAGRAPH)
            fresh: list[tuple[tuple[int, int], tuple[int, int]]] = []
            for position in flag.positions:
                span = next((s for s in spans if s[0] <= position[0] < s[1]), None)
                if span is None or any(a <= position[0] < b for a, b in names):
                    continue
                if not other[flag.change].holds(text[span[0] : span[1]]):
                    fresh.append((position, span))
            if not fresh and flag.positions:
                continue
            if fresh:
                terms = tuple(
                    dict.fromkeys(" ".join(text[a:b].lower().split()) for (a, b), _ in fresh)
                )
                first = fresh[0][1]
                flag = replace(
                    flag,
                    terms=terms,
                    positions=tuple(p for p, _ in fresh),
                    sentence=first,
                    sentence_text=text[first[0] : first[1]],
                )
            out.append(flag)
        kept.append(out)
    return kept


# The name of a setting, a button or a page, quoted (two to six words, the first a capital):
# right before what it names ('the "Behavioral Advertising" setting'), or in a parenthesis of
# such names alone in a sentence about settings ('device-level settings ... ("Reset
# advertising ID" and "Limit Ad Tracking")'). A quoted name elsewhere may be the practice
# itself ('We use "Face Recognition" to suggest tags').
_NAME = r"[“\"](?=[A-Z])(?:[^\s“”\".!?()]+ ){1,5}[^\s“”\".!?()]+[”\"]"
_CONTROL = r"(?:settings?|buttons?|links?|options?|toggles?|menus?|tabs?|switch(?:es)?|controls?)"
_NAMED_CONTROL = re.compile(rf"{_NAME}(?= (?i:{_CONTROL})\b)")
_NAMES_ALONE = re.compile(rf"\({_NAME}(?:,? (?:and |or )?{_NAME})*\)")
_ABOUT_CONTROLS = re.compile(rf"\b{_CONTROL}\b", re.IGNORECASE)


def _titles(text: str, spans: list[tuple[int, int]], kind: str) -> list[tuple[int, int]]:
    """The parts of a clause that only name what follows, and so state no practice: a short
    lead-in sentence before others ("Your Contacts. If you choose to sync ..."), a short
    paragraph alone, or a label before a colon or a dash ("Data Sharing: We do not sell ...",
    "Identifiers – We collect ..."), where the company does not speak ("We collect
    faceprints." is a statement), and the quoted name of a setting ('the "Behavioral
    Advertising" setting'). Short list items, table cells and later sentences are titles
    only in capitals (detect.title): "billing address;" under "We collect:" is a kind of data."""
    found = []
    for k, (a, b) in enumerate(spans):
        label = LABEL_END.search(text, a, b)
        if (
            label is not None
            and len(text[a : label.start()].split()) <= LABEL_WORDS
            and not COMPANY_VOICE.search(text, a, label.start())
        ):
            found.append((a, label.end()))
        lead_in = k == 0 and len(spans) > 1
        alone = len(spans) == 1 and kind in (PARAGRAPH, HEADING)
        if title(text[a:b], listed=not (lead_in or alone)):
            found.append((a, b))
        found.extend(m.span() for m in _NAMED_CONTROL.finditer(text, a, b))
        if _ABOUT_CONTROLS.search(text, a, b):
            found.extend(m.span() for m in _NAMES_ALONE.finditer(text, a, b))
    return found


def _with_edits(change: Change) -> Change:
    """A change with its word edits, and whether they are minor; a paired clause whose words
    stayed while its kind of block changed (a table row become a list item) is reformatted."""
    if change.kind in (MODIFIED, MOVED) and change.old_text != change.new_text:
        edits = tuple(word_edits(change.old_text or "", change.new_text or ""))
        # Hyphenation is spelling too: "nonpublic" and "non-public" are one word.
        same_words = "".join(change.old[0].words) == "".join(change.new[0].words)
        if same_words and change.old[0].kind != change.new[0].kind and change.kind == MODIFIED:
            return replace(change, kind=REFORMATTED, edits=edits)
        return replace(change, edits=edits, minor=same_words)
    if change.kind in GROUP_KINDS:
        old = " ".join(c.text for c in change.old)
        new = " ".join(c.text for c in change.new)
        return replace(change, edits=tuple(word_edits(old, new)))
    return change


NAME_WORDS = 15  # a longer heading may be a sentence set in bold, and is read as one


def _section_names(clauses: Sequence[Clause]) -> set[str]:
    return {c.key for c in clauses if c.kind == HEADING and len(c.text.split()) <= NAME_WORDS}


def _names_only(change: Change, old_names: set[str], new_names: set[str]) -> bool:
    """A change of section names only: headings, and lines with the very text of a heading of
    the same version (a table of contents, or a glossary's terms listed again). A name states
    no practice: its flags are dropped, unless it turns "we do not" into "we may"."""
    return all(c.key in old_names for c in change.old) and all(
        c.key in new_names for c in change.new
    )


def _flip(flag: Flag) -> bool:
    return flag.was_negated and not flag.negated


def _in_documents(
    changes: Sequence[Change],
    found: list[list[Flag]],
    old: Side,
    new: Side,
    categories: Sequence[Category],
) -> list[list[Flag]]:
    """Each clause's flags read against the two whole documents (statements.in_document)."""
    by_id = {c.id: c for c in categories}
    before, after = Statements(old.text), Statements(new.text)
    kept: list[list[Flag]] = []
    for change, flags in zip(changes, found, strict=True):
        out = []
        for flag in flags:
            text = (change.new_text if flag.change == "added" else change.old_text) or ""
            read = in_document(flag, text, before, after, by_id)
            if read is not None:
                out.append(read)
        kept.append(out)
    return kept


def _whole_document(comparison: Comparison) -> None:
    """Categories new to the policy, or gone from it: a NEW or NO LONGER flag (not EXPANDED or
    NARROWED) already says the other version states no practice of it."""
    for direction, target in (
        ("added", comparison.appeared),
        ("removed", comparison.disappeared),
    ):
        carriers: dict[str, list[str]] = {}
        for change in comparison.changes:
            for flag in change.flags:
                if flag.change != direction or flag.definition or flag.expanded or flag.narrowed:
                    continue
                text = change.new_text if direction == "added" else change.old_text
                carriers.setdefault(flag.category, []).append(text or "")
        for category_id, clauses in carriers.items():
            target.append(Appearance(category_id, tuple(clauses)))


FILE_SUFFIXES = (".md", ".txt", ".html", ".htm", ".pdf")


def read_side(spec: str, archive: Archive) -> Side:
    """A snapshot ref (ID, ID@previous, ID~2, ID@DATE) or a file (.md, .txt, .html, .pdf)."""
    path = Path(spec)
    if path.is_file():
        return _file_side(path)
    if path.is_dir():
        raise SideError(f"{spec}: is a folder, not a file or a snapshot ref")
    if path.suffix.lower() in FILE_SUFFIXES and "@" not in spec:
        raise SideError(f"{spec}: no such file")
    return snapshot_side(archive.resolve(spec))


# Two files this large are read at once, one in a forked child: parsing markdown or HTML is
# most of a large diff's reading, and the second core would sit idle (720 KB: 55 -> 38 ms).
AT_ONCE_BYTES = 256 * 1024


def read_sides(first: str, second: str, archive: Archive) -> tuple[Side, Side]:
    """read_side of both (SideError of the first that fails); two large files at once."""
    paths = (Path(first), Path(second))
    if (
        hasattr(os, "fork")
        and _alone()  # a fork copies only the calling thread
        and all(p.is_file() for p in paths)
        and sum(p.stat().st_size for p in paths) >= AT_ONCE_BYTES
    ):
        return _read_at_once(first, second, archive)
    return read_side(first, archive), read_side(second, archive)


_REAPER = "policywatch-reaper"


def _alone() -> bool:
    """Whether no other thread could hold a lock the forked child would need: the main thread
    and the reapers of earlier children (blocked in waitpid, holding none) only."""
    main = threading.main_thread()
    return all(t is main or t.name == _REAPER for t in threading.enumerate())


def _read_at_once(first: str, second: str, archive: Archive) -> tuple[Side, Side]:
    """The first side read in a forked child while this process reads the second. Whatever
    goes wrong with the child (no fork, killed, cut short) only means the first side is read
    here, after all."""
    try:
        readable, writable = os.pipe()
    except OSError:
        return read_side(first, archive), read_side(second, archive)
    # What exists now stays out of the garbage collector from here on (Python's advice before
    # a fork): neither process copies a page for it, and neither walks it again: 15 ms less
    # on the stress pair.
    gc.freeze()
    try:
        child = os.fork()
    except OSError:
        os.close(readable)
        os.close(writable)
        return read_side(first, archive), read_side(second, archive)
    if child == 0:  # the child: read, send, and leave without running anything of the parent's
        code = 1
        try:
            os.close(readable)
            try:
                side = read_side(first, archive)
                message = ("side", side.label, side.text)
            except SideError as exc:
                message = ("error", str(exc), "")
            with os.fdopen(writable, "wb") as pipe:
                pipe.write(marshal.dumps(message))
            code = 0
        finally:
            os._exit(code)
    os.close(writable)
    try:
        try:
            second_side: Side | SideError = read_side(second, archive)
        except SideError as exc:
            second_side = exc
        with os.fdopen(readable, "rb") as pipe:
            data = pipe.read()
    except BaseException:  # Ctrl-C, or anything else here: the child is not waited for
        with contextlib.suppress(OSError):
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)
        raise
    # The pipe closed: the child sent all it will. Its exit (giving back the memory it read
    # with) takes 3 ms more, which a thread waits for instead of the diff.
    threading.Thread(target=_reap, args=(child,), name=_REAPER, daemon=True).start()
    first_side = _sent(data) or read_side(first, archive)
    if isinstance(second_side, SideError):
        raise second_side
    return first_side, second_side


def _sent(data: bytes) -> Side | None:
    """The side a child sent (its SideError raised here); None when it sent nothing whole.

    marshal, not pickle: Python's own format for its values, built in (importing pickle takes
    1.5 ms), for two strings between a process and its fork; a message cut short does not
    load."""
    try:
        kind, first, second = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return None
    if kind == "error":
        raise SideError(first)
    return Side(first, second) if kind == "side" else None


def _reap(child: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(child, 0)


def names_a_policy(spec: str) -> bool:
    """Whether `diff SPEC` alone means a policy's last two snapshots: a bare policy id, not
    a ref to one version, nor a file (one that is there, or a name read_side takes for one)."""
    path = Path(spec)
    return (
        ID.fullmatch(spec) is not None
        and path.suffix.lower() not in FILE_SUFFIXES
        and not path.is_file()
    )


def snapshot_side(snapshot: Snapshot) -> Side:
    """A snapshot's canonical text; one archived before the canonical form (extractor 2 or
    older, markdown-like) is read as markdown."""
    return Side(snapshot.ref, canonical_text(snapshot))


CANONICAL_SINCE = 3  # the extractor version that writes canonical text


def canonical_text(snapshot: Snapshot) -> str:
    version = snapshot.meta.get("extractor_version")
    if isinstance(version, int) and version >= CANONICAL_SINCE:
        return snapshot.text
    from .canonical import MarkdownError, from_markdown

    try:
        return from_markdown(snapshot.text)
    except MarkdownError as exc:
        raise ArchiveError(f"{snapshot.ref}: {exc}") from None


def _file_side(path: Path) -> Side:
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise SideError(f"{path}: cannot be read ({exc.strerror})") from None
    suffix = path.suffix.lower()
    if suffix in (".md", ".txt", ".markdown"):
        from .canonical import MarkdownError, from_markdown, from_plain

        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            try:
                return Side(
                    str(path), from_plain(text) if suffix == ".txt" else from_markdown(text)
                )
            except MarkdownError as exc:
                raise SideError(f"{path}: {exc}") from None
    from .extract import ExtractionError, extract  # HTML and PDF: a heavy import

    try:
        return Side(str(path), extract(body, filename=path.name).text)
    except ExtractionError as exc:
        raise SideError(f"{path}: {exc.reason}") from None


__all__ = [
    "ADDED",
    "MERGED",
    "MODIFIED",
    "MOVED",
    "REFORMATTED",
    "REMOVED",
    "SAME",
    "SPLIT",
    "Comparison",
    "Side",
    "SideError",
    "compare_texts",
    "read_side",
    "read_sides",
]
