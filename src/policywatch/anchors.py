"""What every match of a taxonomy pattern holds: where in a long text a match can begin, and
which strings a text must hold for a match to be possible at all.

A category's patterns are regular expressions, but of a small kind: words, groups of
alternatives, optional parts, short character classes. This reads that kind (and gives up,
meaning "scan everything", on anything else) to find the lowercase letters every match starts
with. search.py then runs the pattern only around those anchors, found with str.find, which is
far faster than a regex scan of a long policy. Giving up is always correct, only slower.

It also finds the strings every match holds (`needs`): a text that holds none of them cannot
match, and a pattern no text of a comparison can match is never compiled (compiling a
category's alternation costs 0.5-1 ms, more than scanning the texts).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Union

MAX_ANCHORS = 64
OPTIONAL_LEAD = 30  # characters; search's window starts this far and more before an anchor
_UNBOUNDED = 10**6
_ANY = None  # a character class too wide to spell out (\w, ., a long range)
_SMALL_CLASS = 4
# A range this long or longer ("a-z") is not spelled out for needs, a shorter one ("0-9") is.
_SPELLED_RANGE = 10


Node = Union["_Literal", "_Chars", "_Group", "_Repeat"]
Sequence_ = tuple[Node, ...]


class _GiveUp(Exception):
    """A construct this reader does not know: the pattern is scanned everywhere."""


class _Literal:
    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text  # plain characters, read in one go


class _Chars:
    __slots__ = ("chars", "spelled")

    def __init__(self, chars: frozenset[str] | None, spelled: frozenset[str] | None = None) -> None:
        self.chars = chars  # None: too many to spell out, or white space among them
        self.spelled = chars if spelled is None else spelled  # all it matches, for needs


_SPACE = _Chars(_ANY)  # white space in a pattern: the one _Chars that is it


class _Group:
    __slots__ = ("branches",)

    def __init__(self, branches: tuple[Sequence_, ...]) -> None:
        self.branches = branches


class _Repeat:
    __slots__ = ("high", "item", "low")

    def __init__(self, low: int, high: int, item: Sequence_) -> None:
        self.low, self.high, self.item = low, high, item


_PLAIN = re.compile(r"[^\\\[\](){}|?*+.^$ ]+")


class _Reader:
    """A recursive-descent reader of the taxonomy's regular-expression subset."""

    def __init__(self, pattern: str) -> None:
        self.text = pattern
        self.at = 0

    def read(self) -> _Group:
        group = self.alternatives()
        if self.at != len(self.text):
            raise _GiveUp
        return group

    def alternatives(self) -> _Group:
        branches = [self.sequence()]
        while self.peek() == "|":
            self.at += 1
            branches.append(self.sequence())
        return _Group(tuple(branches))

    def sequence(self) -> Sequence_:
        items: list[Node] = []
        while self.at < len(self.text) and self.peek() not in "|)":
            plain = _PLAIN.match(self.text, self.at)
            if plain is not None:
                run = plain.group(0)
                if self.text[plain.end() : plain.end() + 1] in ("?", "*", "+", "{"):
                    run = run[:-1]  # the last character is quantified on its own
                if run:
                    items.append(_Literal(run))
                    self.at += len(run)
                    continue
            items.append(self.quantified(self.atom()))
        return tuple(items)

    def peek(self) -> str:
        return self.text[self.at] if self.at < len(self.text) else ""

    def atom(self) -> Node:
        char = self.text[self.at]
        self.at += 1
        if char == "(":
            if self.text.startswith("?:", self.at):
                self.at += 2
            elif self.peek() == "?":
                raise _GiveUp  # look-arounds, flags, named groups
            group = self.alternatives()
            if self.peek() != ")":
                raise _GiveUp
            self.at += 1
            return group
        if char == "[":
            return self.char_class()
        if char == "\\":
            return self.escape()
        if char == " ":
            return _SPACE  # white space: not spelled out (a line break, a tab)
        if char == ".":
            return _Chars(_ANY)
        if char in "^$*+?{":
            raise _GiveUp
        return _Chars(frozenset({char}))

    def escape(self) -> _Chars:
        if self.at >= len(self.text):
            raise _GiveUp
        char = self.text[self.at]
        self.at += 1
        if char.isalnum():
            if char == "s":
                return _SPACE
            if char in "wWdDS":
                return _Chars(_ANY)
            raise _GiveUp  # \b, \1, \x41 ...
        return _Chars(frozenset({char}))

    def char_class(self) -> _Chars:
        if self.peek() == "^":  # any character but these: not spelled out
            self.at += 1
            if self.peek() == "]":  # "[^]...]": a "]" first in a class is one of its characters
                self.at += 1
            return self.skip_class()
        chars: set[str] = set()
        first = True
        while first or self.peek() != "]":
            first = False
            if not self.peek():
                raise _GiveUp
            if self.peek() == "\\":
                self.at += 1
                escaped = self.escape().chars
                if escaped is None:  # \s, \w ...: not spelled out
                    return self.skip_class()
                chars |= escaped
                continue
            char = self.text[self.at]
            self.at += 1
            if self.peek() == "-" and self.text[self.at + 1 : self.at + 2] not in ("]", ""):
                end = self.text[self.at + 1]
                self.at += 2
                if ord(end) - ord(char) >= _SPELLED_RANGE:
                    return self.skip_class()
                chars |= {chr(c) for c in range(ord(char), ord(end) + 1)}
            else:
                chars.add(char)
        self.at += 1
        if " " in chars:  # white space, as a space in a pattern is (taxonomy._spaced), or else
            return _Chars(_ANY, spelled=frozenset(chars))
        return _Chars(frozenset(chars))

    def skip_class(self) -> _Chars:
        """The rest of a class, read past its escapes ("[^\\]]"), as any character."""
        while self.peek() != "]":
            if not self.peek():
                raise _GiveUp
            self.at += 2 if self.peek() == "\\" else 1
        self.at += 1
        return _Chars(_ANY)

    def quantified(self, item: Node) -> Node:
        char = self.peek()
        if char == "?":
            low, high = 0, 1
        elif char == "*":
            low, high = 0, _UNBOUNDED
        elif char == "+":
            low, high = 1, _UNBOUNDED
        elif char == "{":
            end = self.text.find("}", self.at)
            bounds = self.text[self.at + 1 : end].split(",") if end != -1 else []
            if not 1 <= len(bounds) <= 2 or not all(b.strip().isdigit() or not b for b in bounds):
                raise _GiveUp
            low = int(bounds[0] or 0)
            high = int(bounds[-1]) if bounds[-1] else _UNBOUNDED
            self.at = end
        else:
            return item
        self.at += 1
        if self.peek() and self.peek() in "?+":  # lazy or possessive: the same characters
            self.at += 1
        return _Repeat(low, high, (item,))


Starts = tuple[set[str], bool]  # literal starts, and whether each is the whole match


def _width(items: Sequence_) -> int:
    """The most characters a sequence can match (white space counted as one)."""
    total = 0
    for item in items:
        if isinstance(item, _Literal):
            total += len(item.text)
        elif isinstance(item, _Chars):
            total += 1
        elif isinstance(item, _Group):
            total += max(_width(branch) for branch in item.branches)
        else:
            total += min(_UNBOUNDED, item.high * _width(item.item))
    return total


def _starts(items: Sequence_, lead: bool = False) -> Starts | None:
    """Lowercase literal starts of a sequence (None when there are too many); lead: the
    sequence starts the match."""
    if not items:
        return {""}, True
    item, rest = items[0], items[1:]
    if isinstance(item, _Literal):
        return _then({item.text.lower()}, rest)
    if isinstance(item, _Chars):
        if item.chars is None or len(item.chars) > _SMALL_CLASS:
            return {""}, False
        return _then({c.lower() for c in item.chars}, rest)
    if isinstance(item, _Group):
        return _union([_starts(branch + rest, lead) for branch in item.branches])
    if item.high != 1:  # a repetition: what its first round starts with
        first = _starts(item.item, lead)
        once = None if first is None else (first[0], False)
    elif lead and item.low == 0 and rest and _ends_in_space(item.item):
        if _width(item.item) <= OPTIONAL_LEAD:
            # A short optional lead ending in white space ("(?:personal )?health") is found
            # with the word after it: the search window reaches back further than the lead is
            # long, and that word starts after a space as a match does. Only one lead.
            return _starts(rest)
        once = _starts(item.item + rest, lead)
    else:
        once = _starts(item.item + rest, lead)
    return _union([once, _starts(rest, lead)]) if item.low == 0 else once


def _ends_in_space(items: Sequence_) -> bool:
    """Whether every way through a sequence ends with white space."""
    if not items:
        return False
    last = items[-1]
    if last is _SPACE or (isinstance(last, _Chars) and " " in (last.spelled or ())):
        return True
    if isinstance(last, _Group):
        return all(_ends_in_space(branch) for branch in last.branches)
    return False


def _then(heads: set[str], rest: Sequence_) -> Starts | None:
    tails = _starts(rest)
    if tails is None:
        return heads, False
    combined = {h + t for h in heads for t in tails[0]}
    if len(combined) > MAX_ANCHORS:
        return heads, False
    return combined, tails[1]


def _union(parts: list[Starts | None]) -> Starts | None:
    if any(part is None for part in parts):
        return None
    merged = set().union(*(part[0] for part in parts if part))
    if len(merged) > MAX_ANCHORS:
        return None
    return merged, all(part[1] for part in parts if part)


def anchors(patterns: list[str]) -> tuple[str, ...] | None:
    """Lowercase literal starts that every match of the patterns begins with (at most twelve
    characters each); None when some pattern has none this can name."""
    found: set[str] = set()
    for pattern in patterns:
        try:
            group = _Reader(pattern).read()
        except _GiveUp:
            return None
        result = _starts((group,), lead=True)
        if result is None or any(len(p) < 2 for p in result[0]):
            return None
        found |= {p[:12] for p in result[0]}
    # An anchor that starts with another is found with it: keep the shortest.
    return tuple(a for a in sorted(found) if not any(a != b and a.startswith(b) for b in found))


# ---------------------------------------------------------------------------------------------
# What every match holds

MAX_SPELLINGS = 64  # ways a run of a pattern may be written, beyond which it is cut
NEED_LENGTH = 3  # a shorter string stands in nearly every text: not worth looking for

# For each pattern, what each of its matches holds: clauses, each of lowercase strings (white
# space written as one space) one of which stands in the match. Tuples as made here, lists as
# taxonomy.json gives them back.
Needs = Sequence[Sequence[Sequence[str]]]


def needs(patterns: list[str]) -> Needs | None:
    """What each pattern's every match holds; None when some pattern has matches that need
    hold nothing this can name (then every text may match)."""
    found = []
    for pattern in patterns:
        try:
            group = _Reader(pattern).read()
        except _GiveUp:
            return None
        clauses = _needs((group,))
        if not clauses:
            return None
        # The clauses of fewest strings first: a text is most often turned away by the first.
        ordered = sorted(dict.fromkeys(tuple(sorted(clause)) for clause in clauses), key=len)
        found.append(tuple(ordered))
    return tuple(found)


def _needs(items: Sequence_) -> list[frozenset[str]]:
    """The clauses every match of a sequence holds: each run of items written in few enough
    ways (a word, "biometrics?", "(?:face|facial) scan") is one."""
    clauses: list[frozenset[str]] = []
    run = {""}  # the ways the run of spelled-out items so far can be written
    for item in items:
        spelled = _spellings(item)
        if spelled is not None:
            # Its words of their own as well: one look turns most texts away before the ways
            # of its run ("long" before the 19 ways of "as long as you (use|keep ...) ...").
            clauses.extend(frozenset({word}) for word in _words(item))
            joined = {a + b for a in run for b in spelled}
            if len(joined) <= MAX_SPELLINGS:
                run = joined
                continue
            _add(clauses, run)
            run = spelled
            continue
        _add(clauses, run)
        run = {""}
        clauses.extend(_inner_needs(item))
    _add(clauses, run)
    return clauses


def _words(item: Node) -> list[str]:
    """The words every way of writing an item holds (lowercase, NEED_LENGTH or longer)."""
    if isinstance(item, _Literal):
        spelled = _spellings(item)  # one way, or none (beyond ASCII)
        return [w for w in spelled or () if len(w) >= NEED_LENGTH]
    if isinstance(item, _Group) and len(item.branches) == 1:
        return [word for part in item.branches[0] for word in _words(part)]
    if isinstance(item, _Repeat) and item.low >= 1:
        return [word for part in item.item for word in _words(part)]
    return []


def _inner_needs(item: Node) -> list[frozenset[str]]:
    """What an item not spelled out holds: a group's, through whichever branch it takes."""
    if isinstance(item, _Group):
        if len(item.branches) == 1:
            return _needs(item.branches[0])
        chosen = [_strongest(_needs(branch)) for branch in item.branches]
        if any(clause is None for clause in chosen):
            return []
        return [frozenset().union(*(c for c in chosen if c is not None))]
    if isinstance(item, _Repeat) and item.low >= 1:
        return _needs(item.item)
    return []


def _strongest(clauses: list[frozenset[str]]) -> frozenset[str] | None:
    """The clause least likely to stand in a text by chance: the longest shortest string."""
    if not clauses:
        return None
    return max(clauses, key=lambda clause: (min(map(len, clause)), -len(clause)))


def _add(clauses: list[frozenset[str]], run: set[str]) -> None:
    """A run's ways of being written as a clause, and the longest word of each as a smaller
    one, looked at first: one look for "day", "month" and "year" turns most texts away before
    the 36 ways of "\\d+[- ](?:days?|months?|years?) (?:after|from|following)"."""
    # Spaces side by side ("purchase (?:history )? data" without its history) stand for white
    # space a folded text writes once.
    run = {re.sub(" {2,}", " ", way) for way in run}
    if not all(len(way.strip()) >= NEED_LENGTH for way in run):
        return
    clauses.append(_fewest(run))
    words = {max(way.split(), key=len) for way in run}
    if len(words) < len(run) and all(len(word) >= NEED_LENGTH for word in words):
        clauses.append(_fewest(words))


def _fewest(ways: set[str]) -> frozenset[str]:
    """The ways no other one stands in: where a longer one stands, so does the shorter."""
    return frozenset(w for w in ways if not any(o != w and o in w for o in ways))


def _spellings(item: Node) -> set[str] | None:
    """Every way an item can be written, lowercase, white space as one space; None when there
    are too many, or it is not spelled out (a wide class, white space or a hyphen ...).

    Only ASCII is spelled out: an ASCII letter matches itself in either case, and, with
    IGNORECASE, only "ı", "ſ", "İ" and the Kelvin sign besides (search.py reads a text holding
    the first three as one that may match anything)."""
    if isinstance(item, _Literal):
        text = item.text
        if not text.isascii() or any(char.isspace() for char in text):
            return None
        return {text.lower()}
    if item is _SPACE:  # " " (one or more) and \s: one space in a text folded as search does
        return {" "}
    if isinstance(item, _Chars):  # a class ("[- ]": white space is one space here too)
        chars = item.spelled
        if chars is None or not all(c.isascii() and (c == " " or not c.isspace()) for c in chars):
            return None
        return {c.lower() for c in chars}
    if isinstance(item, _Group):
        ways: set[str] = set()
        for branch in item.branches:
            more = _sequence_spellings(branch)
            if more is None:
                return None
            ways |= more
        return ways if len(ways) <= MAX_SPELLINGS else None
    if item.low == 0 and item.high == 1:
        once = _sequence_spellings(item.item)
        return None if once is None else once | {""}
    return None


def _sequence_spellings(items: Sequence_) -> set[str] | None:
    ways = {""}
    for item in items:
        more = _spellings(item)
        if more is None:
            return None
        ways = {a + b for a in ways for b in more}
        if len(ways) > MAX_SPELLINGS:
            return None
    return ways
