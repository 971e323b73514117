"""Text from policies and servers is data: never markup, never terminal escapes."""

from __future__ import annotations

import re

from rich.text import Text

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def plain(value: object) -> str:
    """A value as printable text: control characters shown as \\xNN, never sent raw."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", str(value))


def text(value: object, style: str = "") -> Text:
    """A rich Text that is never parsed as markup."""
    return Text(plain(value), style=style)
