"""policies.yaml: load, validate, and say exactly where and what is wrong."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from .config import (
    DEFAULT_CHROMIUM,
    DEFAULT_KEYS,
    NOTIFY_KEYS,
    TOP_KEYS,
    Config,
    Policy,
    Settings,
)
from .errors import ConfigError
from .policyentry import read_policies, read_settings
from .yamlnodes import Reader, placeholder_at, yaml_problem
from .yamlstream import Stream as _Stream


def load_config(path: Path) -> Config:
    """Read and validate a policies.yaml; raise ConfigError naming file, line and field."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: no such file (run 'policywatch init' to create one, or pass --config)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read ({exc})") from None
    return parse_config(text, path)


def parse_config(text: str, path: Path) -> Config:
    """Validate configuration text; path is used in messages and as the config's location."""
    try:
        return _parse(text, path, stream=True)
    except _DefaultsTooLate:
        return _parse(text, path, stream=False)


class _DefaultsTooLate(Exception):
    """'defaults:' came after the policies were read with the built-in defaults."""


def _parse(text: str, path: Path, *, stream: bool) -> Config:
    loader = _Stream(text)
    try:
        return _read_config(Reader(path, text), loader, path, stream)
    except yaml.YAMLError as exc:
        raise ConfigError(yaml_problem(path, exc)) from None
    except RecursionError:  # the composer recurses once for each level of nesting
        raise ConfigError(f"{path}: lists or mappings nested too deeply") from None
    finally:
        loader.dispose()


def _read_config(reader: Reader, loader: Any, path: Path, stream: bool) -> Config:
    """Read the top-level mapping entry by entry. With stream, the policies become Policy
    objects as they are read, never all at once as a YAML node tree (20 MB at 10,000)."""
    loader.get_event()  # the stream's start
    if loader.check_event(yaml.StreamEndEvent):
        raise ConfigError(f"{path}: the file is empty; it needs a 'policies:' list")
    loader.get_event()  # the document's start
    if not loader.check_event(yaml.MappingStartEvent):
        reader.mapping(loader.compose_node(None, None), "", TOP_KEYS)  # says what is wrong
    root_mark = loader.get_event().start_mark
    top: dict[str, yaml.Node] = {}
    policies: list[Policy] | None = None
    shared = Settings()
    read_without_defaults = False
    while not loader.check_event(yaml.MappingEndEvent):
        key = reader.key(loader.compose_node(None, None), "", TOP_KEYS, top)
        if key == "defaults" and read_without_defaults:
            raise _DefaultsTooLate
        if key == "policies" and stream and loader.check_event(yaml.SequenceStartEvent):
            read_without_defaults = "defaults" not in top
            top[key] = placeholder_at(loader.peek_event().start_mark)
            shared = _defaults(reader, top)[0]
            policies = list(read_policies(reader, _items(loader), shared))
        else:
            top[key] = loader.compose_node(None, None)
    loader.get_event()  # the mapping's end
    loader.get_event()  # the document's end
    if not loader.check_event(yaml.StreamEndEvent):
        event = loader.get_event()
        raise yaml.composer.ComposerError(
            "expected a single document in the stream",
            root_mark,
            "but found another document",
            event.start_mark,
        )
    defaults, jobs, chromium = _defaults(reader, top)
    if policies is not None:
        defaults = shared  # equal (defaults after the list re-read the file): the shared object
    taxonomy = None
    if "taxonomy" in top:
        name = reader.string(top["taxonomy"], "field 'taxonomy'")
        taxonomy = (path.parent / name) if not Path(name).is_absolute() else Path(name)
        if not taxonomy.is_file():
            raise reader.fail(top["taxonomy"], "field 'taxonomy'", f"no such file: {taxonomy}")
    notify: tuple[str, ...] = ()
    notify_on = "changes"
    if "notify" in top:
        notify_nodes = reader.mapping(top["notify"], "notify", NOTIFY_KEYS)
        if "urls" not in notify_nodes:
            raise reader.fail(top["notify"], "notify", "missing 'urls' (a list of Apprise URLs)")
        notify = tuple(
            u for u, _ in reader.string_list(notify_nodes["urls"], "notify: field 'urls'")
        )
        if "on" in notify_nodes:
            notify_on = reader.string(notify_nodes["on"], "notify: field 'on'")
            if notify_on not in ("changes", "flagged"):
                raise reader.fail(
                    notify_nodes["on"],
                    "notify: field 'on'",
                    f"'{notify_on}' is not 'changes' or 'flagged'",
                )
    if "policies" not in top:
        raise reader.fail(placeholder_at(root_mark), "", "missing the 'policies:' list")
    if policies is None:
        node = top["policies"]
        if not isinstance(node, yaml.SequenceNode):
            raise reader.fail(node, "policies", "expected a list of policies ('- id: ...')")
        policies = list(read_policies(reader, iter(node.value), defaults))
    return Config(
        path=path,
        policies=tuple(policies),
        jobs=jobs,
        defaults=defaults,
        taxonomy=taxonomy,
        notify=notify,
        notify_on=notify_on,
        chromium=chromium,
    )


def _items(loader: Any) -> Iterator[yaml.Node]:
    """The items of the sequence starting at the next event, composed one at a time."""
    loader.get_event()
    index = 0
    while not loader.check_event(yaml.SequenceEndEvent):
        node = loader.compose_node(None, index)
        # Read on to the next item first: a mis-indented line just after this policy (its
        # 'url:' one space short) is then named as the YAML error it is, not as a policy
        # that lacks that field.
        loader.check_event(yaml.SequenceEndEvent)
        yield node
        index += 1
    loader.get_event()


def _defaults(reader: Reader, top: dict[str, yaml.Node]) -> tuple[Settings, int, str]:
    """The defaults block: shared settings, jobs, and the browser."""
    defaults = Settings()
    jobs = 4
    chromium = DEFAULT_CHROMIUM
    if "defaults" in top:
        default_nodes = reader.mapping(top["defaults"], "defaults", DEFAULT_KEYS)
        if "jobs" in default_nodes:
            jobs = int(
                reader.number(
                    default_nodes["jobs"], "defaults: field 'jobs'", integer=True, minimum=1
                )
            )
        if "chromium" in default_nodes:
            chromium = reader.string(default_nodes["chromium"], "defaults: field 'chromium'")
        own = {k: v for k, v in default_nodes.items() if k not in ("jobs", "chromium")}
        defaults = read_settings(reader, own, "defaults: ", defaults)
    return defaults, jobs, chromium
