"""Where in a long text a match of a taxonomy pattern can begin, and the reader of patterns.

A category's patterns are regular expressions, but of a small kind: words, groups of
alternatives, optional parts, short character classes. This reads that kind (and gives up,
meaning "scan everything", on anything else) to find the lowercase letters every match starts
with. search.py then runs the pattern only around those anchors, found with str.find, which is
far faster than a regex scan of a long policy. Giving up is always correct, only slower.

needs.py reads the same nodes (`read`) for the strings every match holds.
"""

from __future__ import annotations

import re
from typing import Union

MAX_ANCHORS = 64
OPTIONAL_LEAD = 30  # characters; search's window starts this far and more before an anchor
_UNBOUNDED = 10**6
_ANY = None  # a character class too wide to spell out (\w, ., a long range)
_SMALL_CLASS = 4
# A range this long or longer ("a-z") is not spelled out for needs, a shorter one ("0-9") is.
_SPELLED_RANGE = 10


Node = Union["Literal", "Chars", "Group", "Repeat"]
Nodes = tuple[Node, ...]


class _GiveUp(Exception):
    """A construct this reader does not know: the pattern is scanned everywhere."""


class Literal:
    """Plain characters of a pattern."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text  # plain characters, read in one go


class Chars:
    """One character of a set (a class, an escape, a dot), or white space (SPACE)."""

    __slots__ = ("chars", "spelled")

    def __init__(self, chars: frozenset[str] | None, spelled: frozenset[str] | None = None) -> None:
        self.chars = chars  # None: too many to spell out, or white space among them
        self.spelled = chars if spelled is None else spelled  # all it matches, for needs


SPACE = Chars(_ANY)  # white space in a pattern: the one Chars that is it


class Group:
    """A group of alternatives (a whole pattern is one)."""

    __slots__ = ("branches",)

    def __init__(self, branches: tuple[Nodes, ...]) -> None:
        self.branches = branches


class Repeat:
    """Items repeated from `low` to `high` times ("?", "*", "+", "{m,n}")."""

    __slots__ = ("high", "item", "low")

    def __init__(self, low: int, high: int, item: Nodes) -> None:
        self.low, self.high, self.item = low, high, item


_PLAIN = re.compile(r"[^\\\[\](){}|?*+.^$ ]+")


class _Reader:
    """A recursive-descent reader of the taxonomy's regular-expression subset."""

    def __init__(self, pattern: str) -> None:
        self.text = pattern
        self.at = 0

    def read(self) -> Group:
        group = self.alternatives()
        if self.at != len(self.text):
            raise _GiveUp
        return group

    def alternatives(self) -> Group:
        branches = [self.sequence()]
        while self.peek() == "|":
            self.at += 1
            branches.append(self.sequence())
        return Group(tuple(branches))

    def sequence(self) -> Nodes:
        items: list[Node] = []
        while self.at < len(self.text) and self.peek() not in "|)":
            plain = _PLAIN.match(self.text, self.at)
            if plain is not None:
                run = plain.group(0)
                if self.text[plain.end() : plain.end() + 1] in ("?", "*", "+", "{"):
                    run = run[:-1]  # the last character is quantified on its own
                if run:
                    items.append(Literal(run))
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
            return SPACE  # white space: not spelled out (a line break, a tab)
        if char == ".":
            return Chars(_ANY)
        if char in "^$*+?{":
            raise _GiveUp
        return Chars(frozenset({char}))

    def escape(self) -> Chars:
        if self.at >= len(self.text):
            raise _GiveUp
        char = self.text[self.at]
        self.at += 1
        if char.isalnum():
            if char == "s":
                return SPACE
            if char in "wWdDS":
                return Chars(_ANY)
            raise _GiveUp  # \b, \1, \x41 ...
        return Chars(frozenset({char}))

    def char_class(self) -> Chars:
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
        if " " in chars:  # white space, as a space in a pattern is (category._spaced), or else
            return Chars(_ANY, spelled=frozenset(chars))
        return Chars(frozenset(chars))

    def skip_class(self) -> Chars:
        """The rest of a class, read past its escapes ("[^\\]]"), as any character."""
        while self.peek() != "]":
            if not self.peek():
                raise _GiveUp
            self.at += 2 if self.peek() == "\\" else 1
        self.at += 1
        return Chars(_ANY)

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
        return Repeat(low, high, (item,))


def read(pattern: str) -> Group | None:
    """A pattern as a group of its alternatives; None when it holds a construct this reader
    does not know (then every text may match it, anywhere)."""
    try:
        return _Reader(pattern).read()
    except _GiveUp:
        return None


Starts = tuple[set[str], bool]  # literal starts, and whether each is the whole match


def _width(items: Nodes) -> int:
    """The most characters a sequence can match (white space counted as one)."""
    total = 0
    for item in items:
        if isinstance(item, Literal):
            total += len(item.text)
        elif isinstance(item, Chars):
            total += 1
        elif isinstance(item, Group):
            total += max(_width(branch) for branch in item.branches)
        else:
            total += min(_UNBOUNDED, item.high * _width(item.item))
    return total


def _starts(items: Nodes, lead: bool = False) -> Starts | None:
    """Lowercase literal starts of a sequence (None when there are too many); lead: the
    sequence starts the match."""
    if not items:
        return {""}, True
    item, rest = items[0], items[1:]
    if isinstance(item, Literal):
        return _then({item.text.lower()}, rest)
    if isinstance(item, Chars):
        if item.chars is None or len(item.chars) > _SMALL_CLASS:
            return {""}, False
        return _then({c.lower() for c in item.chars}, rest)
    if isinstance(item, Group):
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


def _ends_in_space(items: Nodes) -> bool:
    """Whether every way through a sequence ends with white space."""
    if not items:
        return False
    last = items[-1]
    if last is SPACE or (isinstance(last, Chars) and " " in (last.spelled or ())):
        return True
    if isinstance(last, Group):
        return all(_ends_in_space(branch) for branch in last.branches)
    return False


def _then(heads: set[str], rest: Nodes) -> Starts | None:
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
        group = read(pattern)
        if group is None:
            return None
        result = _starts((group,), lead=True)
        if result is None or any(len(p) < 2 for p in result[0]):
            return None
        found |= {p[:12] for p in result[0]}
    # An anchor that starts with another is found with it: keep the shortest.
    return tuple(a for a in sorted(found) if not any(a != b and a.startswith(b) for b in found))
