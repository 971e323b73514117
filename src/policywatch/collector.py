"""How often Python's cyclic garbage collector runs, by the kind of command."""

from __future__ import annotations

import gc

_PYTHONS_OWN = gc.get_threshold()  # read before anything tunes it (__main__.run imports this)
# Commands that keep most of what they build until they end: one comparison, one listing.
KEEPERS = frozenset({"diff", "show", "list", "history", "taxonomy", "init"})
START_UP = (200_000, 30, 30)


def for_start_up() -> None:
    """Collect rarely while the command line starts: its imports, and a command that keeps
    what it builds, make objects that live until the end, and the collector, run every 700
    allocations, walks them again and again (the stress pair's diff: 7 ms). mypy does the
    same."""
    gc.set_threshold(*START_UP)


def for_command(name: str | None) -> None:
    """Python's own thresholds again for a command that builds much and drops it (check,
    reextract, import, report, changelog ...): a check of 150 pages peaked at 95 MB with the
    start-up's, 63 MB without, and ran no faster."""
    if name not in KEEPERS:
        gc.set_threshold(*_PYTHONS_OWN)
