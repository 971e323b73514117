"""Text from policies and servers is data: never markup, never terminal escapes."""

from __future__ import annotations

import re

from rich.text import Text

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# What no page of the report and no feed may hold: the C0 and C1 control characters but tab,
# newline and carriage return (XML 1.0 forbids most of them, and a feed with one is no XML at
# all; HTML counts them as parse errors), and the other code points XML 1.0 leaves out.
_UNFIT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def plain(value: object) -> str:
    """A value as printable text: control characters shown as \\xNN, never sent raw."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", str(value))


def text(value: object, style: str = "") -> Text:
    """A rich Text that is never parsed as markup."""
    return Text(plain(value), style=style)


def for_markup(value: str) -> str:
    """Text fit for HTML and XML: control characters dropped, never written as escapes (an
    escape of one would still be no XML, and a shown "\\x1b" would read as part of the text)."""
    return _UNFIT.sub("", value)
