"""One way out for every command: JSON for programs, a renderer's drawing for people.

Commands hand their data here; only this module and the renderers write to the terminal.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from rich.console import Console


def console(*, stderr: bool = False, no_color: bool = False) -> Console:
    """Where people read: on a terminal, its width and styles; piped, lines never hard-wrapped
    (a URL stays whole); under NO_COLOR (no-color.org) or --no-color, no escape sequence at
    all, not even bold, however the terminal was detected or forced."""
    from rich.console import Console

    plain = no_color or os.environ.get("NO_COLOR", "") != ""
    out = Console(
        stderr=stderr, highlight=False, no_color=plain, color_system=None if plain else "auto"
    )
    out.soft_wrap = not out.is_terminal
    return out


def lines() -> Console:
    """Standard output for reports of lines: a line is never cut, not even on a terminal."""
    out = console()
    out.soft_wrap = True
    return out


def print_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False))


def emit(fmt: str, data: Any, draw: Callable[[Console], None]) -> None:
    """`data` as JSON when fmt is json; otherwise `draw` it for people."""
    if fmt == "json":
        print_json(data)
    else:
        draw(lines())
