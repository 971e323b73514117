"""A clause's sentences, and whether a sentence stands word for word in a whole version: a
flag whose every sentence stands on the other side is a statement moved, not news."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .segment import Clause, key_of

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


class Sentences:
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
