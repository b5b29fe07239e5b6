"""Allocation: roll-up by level, shares, band verdicts, and local-time bucketing across DST."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sec_desktop.analytics import (
    Period,
    PeriodError,
    allocate,
    band_verdict,
    named_period,
    seconds_by_day,
)
from sec_desktop.framework import Band, Level, load_framework
from tests.helpers.entries import make_entry
from tests.helpers.ids import INCIDENT, OKR, SECURITY, TECH_PLANNING

FW = load_framework()
PROFILE = FW.profiles["default"]
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
ALL_IDS = [n.id for n in FW.walk()]


def test_activity_time_rolls_up_to_focus_area_and_domain() -> None:
    period = Period(date(2026, 11, 23), date(2026, 11, 23), BERLIN)
    t = datetime(2026, 11, 23, 9, tzinfo=BERLIN)
    entries = [
        make_entry(t, 60, OKR),
        make_entry(t + timedelta(hours=1), 30, TECH_PLANNING),
        make_entry(t + timedelta(hours=2), 30, "strategy"),
        make_entry(t + timedelta(hours=3), 120, INCIDENT),
    ]
    report = allocate(entries, FW, period, PROFILE)
    domains = {a.id: a for a in report.domains}
    focus = {a.id: a for a in report.focus_areas}
    assert report.total_minutes == 240
    assert domains["strategy"].minutes == 120
    assert domains["execution"].minutes == 120
    assert domains["culture"].minutes == 0
    assert focus[TECH_PLANNING].minutes == 90
    assert focus[SECURITY].minutes == 120
    assert [a.id for a in report.activities] == [
        INCIDENT,
        OKR,
    ]
    assert report.tagged_seconds_by_level == {
        Level.DOMAIN: 30 * 60,
        Level.FOCUS_AREA: 30 * 60,
        Level.ACTIVITY: 180 * 60,
    }
    # Strategy 50% is above 35% by 15 points; Execution 50% within; Culture 0% below by 15.
    assert domains["strategy"].verdict is not None
    assert domains["strategy"].verdict.status == "above"
    assert math.isclose(domains["strategy"].verdict.distance, 0.15)
    assert domains["execution"].verdict is not None
    assert domains["execution"].verdict.status == "within"
    assert domains["culture"].verdict is not None
    assert domains["culture"].verdict.status == "below"
    # Security & Compliance at 50% of all time is above its 15-25% band by 25 points.
    sec = focus[SECURITY]
    assert sec.band is not None and sec.verdict is not None
    assert (sec.band.low, sec.band.high) == (0.15, 0.25)
    assert sec.verdict.status == "above"
    assert math.isclose(sec.verdict.distance, 0.25)
    assert focus[TECH_PLANNING].band is None


def test_unknown_activity_counts_in_total_only_and_is_listed() -> None:
    period = Period(date(2026, 11, 23), date(2026, 11, 23), BERLIN)
    t = datetime(2026, 11, 23, 9, tzinfo=BERLIN)
    report = allocate(
        [make_entry(t, 60, "strategy"), make_entry(t, 30, "custom.gone-activity")],
        FW,
        period,
        PROFILE,
    )
    assert report.total_minutes == 90
    assert report.unknown == [("custom.gone-activity", 1800.0)]
    assert sum(a.seconds for a in report.domains) == 3600


def test_no_data_verdict_and_band_edges() -> None:
    band = Band(0.2, 0.35, "x")
    assert band_verdict(0.0, band, 0).status == "no_data"
    assert band_verdict(0.2, band, 100).status == "within"
    assert band_verdict(0.35, band, 100).status == "within"
    # 7/20 computed in floating point is still exactly on the edge.
    assert band_verdict(7 / 20, band, 100).status == "within"
    below = band_verdict(0.1, band, 100)
    assert below.status == "below"
    assert math.isclose(below.distance, 0.1)
    assert below.describe() == "below by 10.0 pts"


def test_entries_are_clipped_to_the_period() -> None:
    period = Period(date(2026, 11, 23), date(2026, 11, 23), BERLIN)
    # 23:00 on the 22nd to 01:00 on the 23rd, Berlin time: one hour falls in the period.
    start = datetime(2026, 11, 22, 23, tzinfo=BERLIN)
    report = allocate([make_entry(start, 120, "culture")], FW, period, PROFILE)
    assert report.total_minutes == 60


def test_deleted_entries_do_not_count() -> None:
    period = Period(date(2026, 11, 23), date(2026, 11, 23), BERLIN)
    entry = make_entry(datetime(2026, 11, 23, 9, tzinfo=BERLIN), 60, "culture")
    gone = entry.edited(datetime(2030, 1, 2, tzinfo=UTC), deleted=datetime(2030, 1, 2, tzinfo=UTC))
    assert allocate([gone], FW, period, PROFILE).total_seconds == 0


@pytest.mark.parametrize(
    ("day", "tz", "hours"),
    [
        (date(2026, 3, 29), BERLIN, 23),
        (date(2026, 10, 25), BERLIN, 25),
        (date(2026, 3, 8), NEW_YORK, 23),
        (date(2026, 11, 1), NEW_YORK, 25),
        (date(2026, 11, 23), BERLIN, 24),
    ],
)
def test_dst_days_have_their_real_length(day: date, tz: ZoneInfo, hours: int) -> None:
    period = Period(day, day, tz)
    assert period.end - period.start == timedelta(hours=hours)
    # A day-long entry starting at local midnight fills the day exactly.
    entry = make_entry(period.start, end=period.end, activity="culture", tz=tz.key)
    assert seconds_by_day([entry], period) == {day: hours * 3600.0}


def test_fall_back_evening_event_lasts_five_hours() -> None:
    # 23:00 to 03:00 across the fall-back night is five hours of real time.
    start = datetime(2026, 10, 24, 23, tzinfo=BERLIN)
    end = datetime(2026, 10, 25, 3, tzinfo=BERLIN)
    entry = make_entry(start, end=end, activity="culture")
    period = Period(date(2026, 10, 24), date(2026, 10, 25), BERLIN)
    by_day = seconds_by_day([entry], period)
    assert by_day == {date(2026, 10, 24): 3600.0, date(2026, 10, 25): 4 * 3600.0}
    assert allocate([entry], FW, period, PROFILE).total_minutes == 300


def test_named_periods() -> None:
    today = date(2026, 11, 25)  # a Wednesday
    assert named_period("today", today, BERLIN).first == today
    week = named_period("week", today, BERLIN)
    assert (week.first, week.last) == (date(2026, 11, 23), date(2026, 11, 29))
    last = named_period("last-week", today, BERLIN)
    assert (last.first, last.last) == (date(2026, 11, 16), date(2026, 11, 22))
    month = named_period("month", date(2024, 2, 10), BERLIN)
    assert (month.first, month.last) == (date(2024, 2, 1), date(2024, 2, 29))
    quarter = named_period("quarter", today, BERLIN)
    assert (quarter.first, quarter.last) == (date(2026, 10, 1), date(2026, 12, 31))
    year = named_period("year", today, BERLIN)
    assert (year.first, year.last) == (date(2026, 1, 1), date(2026, 12, 31))
    assert week.shifted(-1) == last
    with pytest.raises(PeriodError, match="unknown period"):
        named_period("fortnight", today, BERLIN)
    with pytest.raises(PeriodError, match="ends"):
        Period(date(2026, 11, 2), date(2026, 11, 1), BERLIN)


ZONES = st.sampled_from(
    [
        "Europe/Berlin",
        "America/New_York",
        "Australia/Lord_Howe",
        "Asia/Kolkata",
        "UTC",
        "America/Santiago",
        "Pacific/Chatham",
    ]
)
entry_specs = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=400 * 24 * 60),  # start, minutes after the base
        st.integers(min_value=1, max_value=24 * 60),  # length in minutes
        st.sampled_from(ALL_IDS),
    ),
    min_size=1,
    max_size=40,
)
BASE = datetime(2025, 12, 20, tzinfo=UTC)


@settings(max_examples=150, deadline=None)
@given(entry_specs, ZONES, st.integers(min_value=0, max_value=380), st.integers(0, 60))
def test_shares_sum_to_one_and_days_add_up(
    specs: list[tuple[int, int, str]], zone: str, first_offset: int, length_days: int
) -> None:
    tz = ZoneInfo(zone)
    entries = [make_entry(BASE + timedelta(minutes=s), n, a, tz=zone) for s, n, a in specs]
    first = date(2025, 12, 20) + timedelta(days=first_offset)
    period = Period(first, first + timedelta(days=length_days), tz)
    report = allocate(entries, FW, period, PROFILE)
    by_day = seconds_by_day(entries, period)
    # Local days tile the period exactly, whatever DST does to their lengths.
    assert math.isclose(sum(by_day.values()), report.total_seconds, abs_tol=1e-6)
    assert sum((hi - lo for _, lo, hi in period.day_bounds()), timedelta()) == (
        period.end - period.start
    )
    if report.total_seconds > 0:
        assert math.isclose(sum(a.share for a in report.domains), 1.0, rel_tol=1e-9)
        fa_sum = sum(a.share for a in report.focus_areas)
        act_sum = sum(a.share for a in report.activities)
        assert act_sum <= fa_sum + 1e-9 <= 1.0 + 2e-9
        # Domain-only and focus-only time is exactly what the lower levels are missing.
        above_fa = report.tagged_seconds_by_level[Level.DOMAIN]
        assert math.isclose(
            sum(a.seconds for a in report.focus_areas) + above_fa,
            report.total_seconds,
            abs_tol=1e-6,
        )
    else:
        assert all(a.verdict is None or a.verdict.status == "no_data" for a in report.domains)
