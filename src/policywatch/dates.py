"""Times people type on the command line: dates, ISO times, snapshot stamps, spans back from now.

Parsed by python-dateutil (ISO 8601 in all its forms; calendar months and years for spans), so
"--since 3m" on 31 May means 28 or 29 February, not 90 days. Every result is an aware UTC time.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

_SPAN = re.compile(r"^(\d+)\s*([dwmy])$")
_STAMP = re.compile(r"^(\d{4}-\d{2}-\d{2}T)(\d{2})-(\d{2})-(\d{2})Z$")  # a snapshot's name


def parse_time(value: str) -> datetime:
    """YYYY-MM-DD, an ISO time (Z or an offset) or a snapshot stamp; ValueError otherwise."""
    from dateutil.parser import isoparse

    text = _STAMP.sub(r"\1\2:\3:\4Z", value.strip())
    moment = isoparse(text)  # ValueError (or OverflowError) when it is not one
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


def parse_since(value: str, now: datetime) -> datetime:
    """A time as parse_time reads it, or a span back from now: 30d, 6w, 3m, 1y."""
    span = _SPAN.match(value.strip().lower())
    if span is None:
        return parse_time(value)
    from dateutil.relativedelta import relativedelta

    count, unit = int(span.group(1)), span.group(2)
    back = {
        "d": relativedelta(days=count),
        "w": relativedelta(weeks=count),
        "m": relativedelta(months=count),
        "y": relativedelta(years=count),
    }[unit]
    return now - back
