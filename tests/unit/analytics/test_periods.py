"""Stepping a period: calendar units keep their calendar shape, other ranges their length."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import pytest

from sec_desktop.analytics.periods import Period, named_period, shifted_period

TZ = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("kind", "today", "steps", "first", "last"),
    [
        ("month", date(2026, 1, 15), -1, date(2025, 12, 1), date(2025, 12, 31)),
        ("month", date(2026, 1, 31), 1, date(2026, 2, 1), date(2026, 2, 28)),
        ("quarter", date(2026, 11, 2), 1, date(2027, 1, 1), date(2027, 3, 31)),
        ("year", date(2024, 2, 29), -2, date(2022, 1, 1), date(2022, 12, 31)),
        ("week", date(2026, 12, 6), -1, date(2026, 11, 23), date(2026, 11, 29)),
    ],
)
def test_calendar_periods_step_by_their_unit(
    kind: str, today: date, steps: int, first: date, last: date
) -> None:
    shifted = shifted_period(kind, named_period(kind, today, TZ), steps)
    assert (shifted.first, shifted.last) == (first, last)


def test_a_custom_range_steps_by_its_length() -> None:
    ten_days = Period(date(2026, 3, 1), date(2026, 3, 10), TZ)
    assert shifted_period("custom", ten_days, 2) == Period(date(2026, 3, 21), date(2026, 3, 30), TZ)
