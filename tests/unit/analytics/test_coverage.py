"""Coverage of working hours: overlaps merged, time outside hours, tag levels, DST days."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sec_desktop.analytics import Period
from sec_desktop.analytics.coverage import (
    coverage,
    default_working_intervals,
    working_intervals_for,
)
from sec_desktop.framework import Level, load_framework
from sec_desktop.settings import Settings
from tests.helpers.entries import make_entry
from tests.helpers.ids import OKR, TECH_PLANNING

FW = load_framework()
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
DAY = date(2026, 11, 17)  # a Tuesday


def at(hour: int, minute: int = 0, day: date = DAY, tz: ZoneInfo = BERLIN) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=tz).astimezone(UTC)


WORKDAY = [(at(9), at(18))]
HOUR = 3600.0


def test_overlapping_entries_count_once() -> None:
    entries = [make_entry(at(10), 60), make_entry(at(10, 30), 90)]  # 10:00-11:00 and 10:30-12:00
    cov = coverage(entries, FW, WORKDAY)
    assert cov.working_seconds == 9 * HOUR
    assert cov.tracked_seconds == 2 * HOUR
    assert cov.share == pytest.approx(2 / 9)
    assert cov.untracked_seconds == 7 * HOUR
    assert cov.tracked_outside_working_seconds == 0


def test_time_outside_working_hours_is_counted_apart() -> None:
    entries = [make_entry(at(17), 120), make_entry(at(7), 60)]  # 17:00-19:00 and 07:00-08:00
    cov = coverage(entries, FW, WORKDAY, span=(at(0), at(0, day=DAY + timedelta(days=1))))
    assert cov.tracked_seconds == 1 * HOUR
    assert cov.tracked_outside_working_seconds == 2 * HOUR


def test_without_a_span_only_the_hull_of_working_hours_counts() -> None:
    entries = [make_entry(at(17), 120), make_entry(at(7), 60)]
    cov = coverage(entries, FW, WORKDAY)
    assert cov.tracked_outside_working_seconds == 0


def test_tracked_never_exceeds_working_even_with_many_overlaps() -> None:
    entries = [make_entry(at(8), 12 * 60) for _ in range(5)]
    cov = coverage(entries, FW, WORKDAY)
    assert cov.tracked_seconds == cov.working_seconds == 9 * HOUR
    assert cov.share == 1.0


def test_seconds_by_level_takes_the_most_specific_tag_and_adds_up() -> None:
    entries = [
        make_entry(at(9), 120, "strategy"),  # 09:00-11:00 domain only
        make_entry(at(10), 120, TECH_PLANNING),  # 10:00-12:00 focus area
        make_entry(at(11), 60, OKR),  # 11:00-12:00 activity
        make_entry(at(13), 30, "custom.thing"),  # unknown id with one dot: focus-area depth
    ]
    cov = coverage(entries, FW, WORKDAY)
    by_level = dict(cov.seconds_by_level)
    assert by_level == {
        Level.DOMAIN: 1 * HOUR,
        Level.FOCUS_AREA: 1 * HOUR + 0.5 * HOUR,
        Level.ACTIVITY: 1 * HOUR,
    }
    assert sum(by_level.values()) == cov.tracked_seconds


def test_deleted_entries_and_touching_entries() -> None:
    gone = make_entry(at(9), 120)
    entries = [
        gone.edited(gone.updated, deleted=gone.updated),
        make_entry(at(12), 30),
        make_entry(at(12, 30), 30),  # touches the one before: one hour, no overlap
    ]
    cov = coverage(entries, FW, WORKDAY)
    assert cov.tracked_seconds == 1 * HOUR


def test_no_working_hours_gives_zeros() -> None:
    cov = coverage([make_entry(at(10), 60)], FW, [])
    assert (cov.working_seconds, cov.tracked_seconds, cov.share) == (0, 0, 0)
    assert sum(cov.seconds_by_level.values()) == 0


def test_overlapping_working_intervals_are_merged() -> None:
    cov = coverage([make_entry(at(9), 9 * 60)], FW, [(at(9), at(14)), (at(12), at(18))])
    assert cov.working_seconds == 9 * HOUR
    assert cov.tracked_seconds == 9 * HOUR


def test_a_dst_day_has_its_real_length() -> None:
    # Europe/Berlin springs forward on 2026-03-29 (23 hours); New York falls back on
    # 2026-11-01 (25 hours). A whole-day working interval and a whole-day entry agree.
    for day, tz, hours in ((date(2026, 3, 29), BERLIN, 23), (date(2026, 11, 1), NEW_YORK, 25)):
        start = at(0, day=day, tz=tz)
        end = at(0, day=day + timedelta(days=1), tz=tz)
        entry = make_entry(start, (end - start).total_seconds() / 60)
        cov = coverage([entry], FW, [(start, end)])
        assert cov.working_seconds == hours * HOUR
        assert cov.tracked_seconds == hours * HOUR


def test_default_working_hours_are_nine_to_six_on_weekdays_across_a_dst_change() -> None:
    period = Period(date(2026, 3, 27), date(2026, 3, 30), BERLIN)  # Fri to Mon over DST
    intervals = default_working_intervals(period)
    assert intervals == [
        (datetime(2026, 3, 27, 8, tzinfo=UTC), datetime(2026, 3, 27, 17, tzinfo=UTC)),
        (datetime(2026, 3, 30, 7, tzinfo=UTC), datetime(2026, 3, 30, 16, tzinfo=UTC)),
    ]


def test_working_hours_follow_the_settings() -> None:
    settings_ = Settings(work_days=frozenset({5}), work_start=time(10), work_end=time(12, 30))
    period = Period(date(2026, 11, 16), date(2026, 11, 22), BERLIN)
    assert working_intervals_for(period, settings_) == [
        (at(10, day=date(2026, 11, 21)), at(12, 30, day=date(2026, 11, 21)))
    ]


MINUTE = timedelta(minutes=1)
BASE = datetime(2026, 11, 17, 6, tzinfo=UTC)
spans = st.tuples(st.integers(0, 600), st.integers(1, 240))


@settings(max_examples=60, deadline=None)
@given(
    work=st.lists(spans, min_size=1, max_size=4),
    tracked=st.lists(
        st.tuples(spans, st.sampled_from([OKR, TECH_PLANNING, "culture"])), max_size=8
    ),
)
def test_coverage_matches_a_minute_by_minute_count(
    work: list[tuple[int, int]], tracked: list[tuple[tuple[int, int], str]]
) -> None:
    intervals = [(BASE + s * MINUTE, BASE + (s + n) * MINUTE) for s, n in work]
    entries = [make_entry(BASE + s * MINUTE, n, activity) for (s, n), activity in tracked]
    span_end = 900
    cov = coverage(entries, FW, intervals, span=(BASE, BASE + span_end * MINUTE))
    working_minutes = {m for s, n in work for m in range(s, s + n)}
    level_at: dict[int, int] = {}
    for (s, n), activity in tracked:
        for m in range(s, min(s + n, span_end)):
            level_at[m] = max(level_at.get(m, 0), FW[activity].level.value)
    assert cov.working_seconds == len(working_minutes) * 60
    assert cov.tracked_seconds == len(working_minutes & set(level_at)) * 60
    assert cov.tracked_outside_working_seconds == len(set(level_at) - working_minutes) * 60
    for level in Level:
        inside = [m for m in working_minutes if level_at.get(m) == level.value]
        assert cov.seconds_by_level[level] == len(inside) * 60
    assert cov.tracked_seconds <= cov.working_seconds


def test_unanswered_away_time_counts_where_no_entry_covers_it() -> None:
    entries = [make_entry(at(9), 60, OKR)]  # 09:00-10:00
    # Away 09:30-11:00 (half of it already booked), and 17:30-19:00 (half after hours).
    away = [(at(9, 30), at(11)), (at(17, 30), at(19))]
    cov = coverage(entries, FW, WORKDAY, unanswered_away=away)
    assert cov.unanswered_away_seconds == 1.5 * HOUR
    assert cov.tracked_seconds == HOUR  # unanswered time is never counted as tracked
    assert cov.unanswered_away_seconds <= cov.untracked_seconds
