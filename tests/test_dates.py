"""Times typed on the command line (dates.py), read by python-dateutil."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from policywatch.dates import parse_since, parse_time

NOW = datetime(2026, 5, 31, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("2026-06-02", datetime(2026, 6, 2, tzinfo=UTC)),
        ("2026-06-02T13:05:00Z", datetime(2026, 6, 2, 13, 5, tzinfo=UTC)),
        ("2026-06-02T15:05:00+02:00", datetime(2026, 6, 2, 13, 5, tzinfo=UTC)),
        ("2026-06-02T13-05-09Z", datetime(2026, 6, 2, 13, 5, 9, tzinfo=UTC)),  # a stamp
        ("20260602T1305Z", datetime(2026, 6, 2, 13, 5, tzinfo=UTC)),  # ISO basic format
        (" 2026-06-02 ", datetime(2026, 6, 2, tzinfo=UTC)),
    ],
)
def test_times_in_every_iso_form_and_as_stamps(typed: str, meant: datetime) -> None:
    assert parse_time(typed) == meant


@pytest.mark.parametrize("typed", ["yesterday", "2026-13-01", "06/02/2026", "", "2026-06-02T25"])
def test_what_is_not_a_time_is_refused(typed: str) -> None:
    with pytest.raises((ValueError, OverflowError)):
        parse_time(typed)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("30d", datetime(2026, 5, 1, 12, 0, tzinfo=UTC)),
        ("2w", datetime(2026, 5, 17, 12, 0, tzinfo=UTC)),
        # Calendar months and years, not 30 and 365 days: 3 months before 31 May is the last
        # day of February; 90 days would be 2 March.
        ("3m", datetime(2026, 2, 28, 12, 0, tzinfo=UTC)),
        ("1y", datetime(2025, 5, 31, 12, 0, tzinfo=UTC)),
        ("2026-01-01", datetime(2026, 1, 1, tzinfo=UTC)),
    ],
)
def test_since_a_date_or_a_span_back_from_now(typed: str, meant: datetime) -> None:
    assert parse_since(typed, NOW) == meant
