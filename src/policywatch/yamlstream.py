"""A configuration read as YAML events (libyaml's, when PyYAML has it): configfile.py composes
the policies from them one at a time, and a command that needs only the `taxonomy:` file reads
past everything else here, without importing the configuration's reader (a diff of two files:
3.5 ms at start-up)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

try:
    from yaml.cyaml import CParser  # type: ignore[attr-defined]

    class Stream(CParser, yaml.composer.Composer, yaml.resolver.Resolver):
        """libyaml's events, composed into nodes one piece at a time (the policies one by one)."""

        def __init__(self, text: str) -> None:
            CParser.__init__(self, text)
            yaml.composer.Composer.__init__(self)
            yaml.resolver.Resolver.__init__(self)

except ImportError:  # PyYAML built without libyaml: the same, all in Python

    class Stream(yaml.SafeLoader):  # type: ignore[no-redef]
        pass


def taxonomy_of(path: Path) -> Path | None:
    """Only the `taxonomy:` file of a configuration, for commands that need nothing else:
    the file's events are read past without building the policies (fast at 10,000)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError):
        return _read_whole(path)
    loader = Stream(text)
    try:
        name = _top_scalar(loader, "taxonomy")
    except (yaml.YAMLError, RecursionError):
        return _read_whole(path)
    finally:
        loader.dispose()
    if name is None:
        return None
    if not isinstance(name, str):
        return _read_whole(path)
    extra = Path(name) if Path(name).is_absolute() else path.parent / name
    return extra if extra.is_file() else _read_whole(path)


def _read_whole(path: Path) -> Path | None:
    """The configuration's reader's answer, which says what is wrong, and where."""
    from .configfile import load_config

    return load_config(path).taxonomy


def _top_scalar(loader: Any, wanted: str) -> Any:
    """The value of one key of the top-level mapping, skipping every other value unread."""
    loader.get_event()  # the stream's start
    if not loader.check_event(yaml.DocumentStartEvent):
        return None
    loader.get_event()
    if not loader.check_event(yaml.MappingStartEvent):
        return None
    loader.get_event()
    while not loader.check_event(yaml.MappingEndEvent):
        key = loader.get_event()
        if isinstance(key, yaml.ScalarEvent) and key.value == wanted:
            node = loader.compose_node(None, None)
            if isinstance(node, yaml.ScalarNode):
                return yaml.constructor.SafeConstructor().construct_object(node)
            return node  # not a file name: the full reader will say so
        if not isinstance(key, yaml.ScalarEvent):
            _skip(loader, key)
        _skip(loader, loader.get_event())
    return None


def _skip(loader: Any, event: yaml.Event) -> None:
    """Read past the node that starts with event."""
    depth = 1 if isinstance(event, yaml.CollectionStartEvent) else 0
    while depth:
        event = loader.get_event()
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
