"""A configuration's YAML nodes read with their lines: each value checked for its kind, and
each mistake said as one line naming the file, the line and the key meant."""

from __future__ import annotations

import difflib
from collections.abc import Container
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError


def suggest(word: str, choices: list[str] | set[str]) -> str:
    """ " (did you mean 'X'?)" for the closest of choices, or '' when none is close."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


class Reader:
    """Walks the YAML node tree so each error can name its line."""

    def __init__(self, path: Path, text: str = "") -> None:
        self.path = path
        self.text = text
        self._constructor = yaml.constructor.SafeConstructor()

    def fail(self, node: yaml.Node | None, where: str, message: str) -> ConfigError:
        line = f":{node.start_mark.line + 1}" if node is not None else ""
        prefix = f"{self.path}{line}: "
        return ConfigError(prefix + (f"{where}: " if where else "") + message)

    def mapping(
        self, node: yaml.Node, where: str, allowed: set[str] | None
    ) -> dict[str, yaml.Node]:
        """The mapping's entries by key; allowed=None accepts any key."""
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, where, "expected a mapping of key: value")
        out: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            out[self.key(key_node, where, allowed, out)] = value_node
        return out

    def key(
        self, node: yaml.Node, where: str, allowed: set[str] | None, seen: Container[str]
    ) -> str:
        """A mapping's key: a plain word, allowed, not seen before in the same mapping."""
        key = node.value if isinstance(node, yaml.ScalarNode) else None
        if not isinstance(key, str):
            raise self.fail(node, where, "keys must be plain words")
        if allowed is not None and key not in allowed:
            hint = suggest(key, allowed)
            valid = ", ".join(sorted(allowed))
            raise self.fail(node, where, f"unknown key '{key}'{hint}; valid keys are: {valid}")
        if key in seen:
            raise self.fail(node, where, f"key '{key}' appears twice")
        return key

    def scalar(self, node: yaml.Node, where: str) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, where, "expected a single value, not a list or mapping")
        value = self._constructor.construct_object(node)
        self._constructor.constructed_objects.clear()  # it would keep every node read
        return value

    def string(self, node: yaml.Node, where: str) -> str:
        value = self.scalar(node, where)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(node, where, f"expected a non-empty text, got {value!r}")
        return value.strip()

    def number(self, node: yaml.Node, where: str, *, integer: bool, minimum: float) -> float:
        value = self.scalar(node, where)
        ok_type = isinstance(value, int) if integer else isinstance(value, int | float)
        if isinstance(value, bool) or not ok_type or value < minimum:
            kind = "a whole number" if integer else "a number"
            raise self.fail(node, where, f"expected {kind} of at least {minimum:g}, got {value!r}")
        return value

    def string_list(self, node: yaml.Node, where: str) -> list[tuple[str, yaml.Node]]:
        if isinstance(node, yaml.ScalarNode):
            return [(self.string(node, where), node)]
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            raise self.fail(node, where, "expected a text or a non-empty list of texts")
        return [(self.string(item, where), item) for item in node.value]


def yaml_problem(path: Path, exc: yaml.YAMLError) -> str:
    """PyYAML's own words, with the line of the problem and of what it was reading."""
    mark = getattr(exc, "problem_mark", None)
    line = f":{mark.line + 1}" if mark is not None else ""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context, since = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context and since is not None and (mark is None or since.line != mark.line):
        problem += f" ({context} that starts at line {since.line + 1})"
    return f"{path}{line}: not valid YAML: {problem}"


def placeholder_at(mark: Any) -> yaml.Node:
    """A stand-in node that only carries a position, for messages."""
    return yaml.ScalarNode("tag:yaml.org,2002:null", "", mark, mark)
