"""Weekly shares: Monday-to-Sunday local weeks, oldest first, the same numbers as allocate()."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sec_desktop.analytics import Period, allocate
from sec_desktop.analytics.trends import week_periods, weekly_shares
from sec_desktop.framework import Level, load_framework
from tests.helpers.entries import make_entry
from tests.helpers.ids import INCIDENT, OKR, SECURITY, SKILLS, TECH_PLANNING

FW = load_framework()
BERLIN = ZoneInfo("Europe/Berlin")
# Friday 2026-11-20; its week starts Monday 2026-11-16.
LAST_DAY = date(2026, 11, 20)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)


def test_weeks_are_mondays_oldest_first_and_end_with_the_week_of_last_day() -> None:
    weeks = weekly_shares([], FW, LAST_DAY, BERLIN)
    assert len(weeks) == 12
    assert weeks[-1].week_start == date(2026, 11, 16)
    assert weeks[0].week_start == date(2026, 11, 16) - timedelta(weeks=11)
    assert all(w.week_start.weekday() == 0 for w in weeks)
    assert [w.week_start for w in weeks] == sorted(w.week_start for w in weeks)
    assert all(w.tracked_seconds == 0 and dict(w.shares) == {} for w in weeks)


def test_shares_per_week_match_hand_computed_values() -> None:
    monday = date(2026, 11, 16)
    entries = [
        make_entry(local(monday, 9), 60, OKR),
        make_entry(local(monday, 10), 180, INCIDENT),
        # A week earlier: only culture.
        make_entry(local(monday - timedelta(days=3), 9), 30, SKILLS),
    ]
    weeks = weekly_shares(entries, FW, LAST_DAY, BERLIN, weeks=3)
    assert [w.tracked_seconds for w in weeks] == [0, 1800, 4 * 3600]
    assert dict(weeks[-1].shares) == {"strategy": 0.25, "execution": 0.75, "culture": 0.0}
    assert dict(weeks[-2].shares) == {"strategy": 0.0, "execution": 0.0, "culture": 1.0}
    focus = weekly_shares(entries, FW, LAST_DAY, BERLIN, weeks=1, level=Level.FOCUS_AREA)[0]
    assert len(focus.shares) == 10
    assert focus.shares[SECURITY] == 0.75
    assert focus.shares[TECH_PLANNING] == 0.25
    assert sum(focus.shares.values()) == pytest.approx(1.0)


def test_an_entry_across_sunday_midnight_is_split_between_the_weeks() -> None:
    sunday = date(2026, 11, 15)
    entries = [make_entry(local(sunday, 23), 120, OKR)]  # 23:00 Sunday to 01:00 Monday, local
    earlier, later = weekly_shares(entries, FW, LAST_DAY, BERLIN, weeks=2)
    assert earlier.tracked_seconds == 3600
    assert later.tracked_seconds == 3600


def test_a_long_entry_counts_in_every_week_it_touches() -> None:
    # Fourteen days from Wednesday 2026-10-28 12:00: that week, the next, and part of a third.
    start = local(date(2026, 10, 28), 12)
    weeks = weekly_shares([make_entry(start, 14 * 24 * 60, OKR)], FW, LAST_DAY, BERLIN, weeks=4)
    tracked = [w.tracked_seconds / 3600 for w in weeks]
    assert tracked == [4.5 * 24, 7 * 24, 2.5 * 24, 0]


def test_the_week_of_a_dst_change_has_its_real_length() -> None:
    # Europe/Berlin springs forward on Sunday 2026-03-29: that week has 167 hours.
    monday = date(2026, 3, 23)
    start = local(monday, 0)
    entries = [make_entry(start, 24 * 60 * 8, OKR)]  # covers the whole week and more
    (week,) = weekly_shares(entries, FW, date(2026, 3, 29), BERLIN, weeks=1)
    assert week.tracked_seconds == 167 * 3600


def test_each_week_equals_allocate_over_that_week() -> None:
    monday = date(2026, 11, 9)
    entries = [make_entry(local(monday + timedelta(days=d), 9), 45 + 10 * d, OKR) for d in range(9)]
    entries += [make_entry(local(monday + timedelta(days=d), 14), 30, SKILLS) for d in range(9)]
    entries.append(make_entry(local(monday, 16), 600, INCIDENT, deleted=True))
    weeks = weekly_shares(list(reversed(entries)), FW, LAST_DAY, BERLIN, weeks=2)
    for week, period in zip(weeks, week_periods(LAST_DAY, BERLIN, 2), strict=True):
        report = allocate(entries, FW, period, FW.profiles["default"])
        assert week.tracked_seconds == report.total_seconds
        assert dict(week.shares) == {a.id: a.share for a in report.domains}


def test_weeks_below_one_are_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        weekly_shares([], FW, LAST_DAY, BERLIN, weeks=0)


def test_week_periods_are_whole_local_weeks() -> None:
    periods = week_periods(date(2026, 3, 29), BERLIN, 2)
    assert periods == [
        Period(date(2026, 3, 16), date(2026, 3, 22), BERLIN),
        Period(date(2026, 3, 23), date(2026, 3, 29), BERLIN),
    ]
