"""The demo year: deterministic, about 12k entries, nothing counted twice, a CTO's shape."""

from __future__ import annotations

import itertools
import statistics
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from sec_desktop.analytics import AllocationReport, Period, allocate
from sec_desktop.analytics.trends import week_periods, weekly_reports
from sec_desktop.demo import (
    BASE_WEIGHTS,
    DEMO_DEVICE,
    INCIDENT,
    generate_demo_year,
    incident_heavy_stretch,
    public_holidays,
)
from sec_desktop.framework import Level, load_framework
from sec_desktop.store import Entry
from tests.helpers.ids import BOARD, PERSONAL, SECURITY

FW = load_framework()
PROFILE = FW.profiles["default"]
BERLIN = ZoneInfo("Europe/Berlin")
LAST_DAY = date(2026, 11, 20)
YEAR = Period(LAST_DAY - timedelta(days=364), LAST_DAY, BERLIN)


@pytest.fixture(scope="module")
def year() -> list[Entry]:
    return generate_demo_year(FW, LAST_DAY, BERLIN, seed=7)


def local_day(moment: datetime) -> date:
    return moment.astimezone(BERLIN).date()


def test_the_same_seed_gives_the_same_entries(year: list[Entry]) -> None:
    again = generate_demo_year(FW, LAST_DAY, BERLIN, seed=7)
    assert [e.to_json() for e in again] == [e.to_json() for e in year]
    other = generate_demo_year(FW, LAST_DAY, BERLIN, seed=8)
    assert [e.id for e in other[:50]] != [e.id for e in year[:50]]


def test_about_twelve_thousand_entries_in_the_year(year: list[Entry]) -> None:
    assert 10_000 <= len(year) <= 14_000
    assert len({e.id for e in year}) == len(year)
    assert all(YEAR.start <= e.start and e.end <= YEAR.end for e in year)
    assert {e.device for e in year} == {DEMO_DEVICE}
    assert {e.tz for e in year} == {"Europe/Berlin"}


def test_no_two_entries_overlap(year: list[Entry]) -> None:
    # Stronger than "no overlap within a source": no second of the year is counted twice.
    ordered = sorted(year, key=lambda e: (e.start, e.end))
    for earlier, later in itertools.pairwise(ordered):
        assert later.start >= earlier.end, (earlier, later)


def test_every_source_and_tag_level_appears(year: list[Entry]) -> None:
    sources = Counter(e.source for e in year)
    assert set(sources) == {"calendar", "timer", "prompt", "ping", "manual"}
    assert sources["ping"] >= 350  # enough for the year's estimates to decide
    levels = Counter(FW[e.activity].level for e in year)
    assert levels[Level.FOCUS_AREA] > 200
    assert levels[Level.DOMAIN] > 40
    assert {e.activity for e in year} >= set(BASE_WEIGHTS)


def test_the_year_lands_near_the_bands_without_being_perfect(year: list[Entry]) -> None:
    report = allocate(year, FW, YEAR, PROFILE)
    hours = report.total_seconds / 3600
    assert 1_800 <= hours <= 2_500  # a full-time year with holidays, some evenings
    share = {a.id: a.share for a in (*report.domains, *report.focus_areas)}
    assert 0.20 <= share["strategy"] <= 0.33
    assert 0.42 <= share["execution"] <= 0.60
    assert 0.16 <= share["culture"] <= 0.28
    assert 0.10 <= share[SECURITY] <= 0.22
    # A common gap: Personal Development below its 7-12% band.
    assert 0.03 <= share[PERSONAL] < 0.07


def test_the_incident_heavy_stretch_squeezes_strategy_below_its_band(year: list[Entry]) -> None:
    first, last = incident_heavy_stretch(LAST_DAY)
    heavy = allocate(year, FW, Period(first, last, BERLIN), PROFILE)
    whole = allocate(year, FW, YEAR, PROFILE)
    strategy = next(a for a in heavy.domains if a.id == "strategy")
    assert strategy.verdict is not None
    assert strategy.verdict.status == "below"
    assert next(a for a in whole.domains if a.id == "strategy").verdict.status == "within"

    def incident_share(report: AllocationReport) -> float:
        return next(a.share for a in report.activities if a.id == INCIDENT)

    assert incident_share(heavy) > 1.5 * incident_share(whole)


def test_incidents_come_in_bursts_some_out_of_hours(year: list[Entry]) -> None:
    weekly = [
        sum(a.seconds for a in r.activities if a.id == INCIDENT)
        for r in weekly_reports(year, FW, week_periods(LAST_DAY, BERLIN, 52))
    ]
    assert max(weekly) >= 4 * 3600
    assert max(weekly) >= 4 * statistics.median(weekly)
    incidents = [e for e in year if e.activity == INCIDENT and "incident" in e.labels]
    weekend = [e for e in incidents if e.start.astimezone(BERLIN).weekday() >= 5]
    night = [e for e in incidents if e.start.astimezone(BERLIN).hour >= 19]
    assert weekend
    assert night


def test_days_off_are_empty(year: list[Entry]) -> None:
    busy_days = Counter(local_day(e.start) for e in year)
    for holiday in public_holidays(2026):
        if YEAR.first <= holiday <= YEAR.last:
            tracked = sum(e.duration.total_seconds() for e in year if local_day(e.start) == holiday)
            assert tracked < 4 * 3600, holiday  # at most an incident pulls the CTO in
    # A summer vacation: nine or more days in a row with nothing tracked.
    days = YEAR.days()
    longest = run = 0
    for day in days:
        run = run + 1 if busy_days[day] == 0 else 0
        longest = max(longest, run)
    assert longest >= 9


def test_board_prep_before_quarter_end(year: list[Entry]) -> None:
    by_week = defaultdict(float)
    for e in year:
        if e.activity == BOARD:
            by_week[local_day(e.start).isocalendar()[:2]] += e.duration.total_seconds()
    hours = sorted(by_week.values(), reverse=True)
    # The busiest board weeks are several times an ordinary one.
    assert hours[0] >= 3 * statistics.median(hours)
    top_weeks = sorted(by_week, key=lambda w: -by_week[w])[:4]
    months = {date.fromisocalendar(y, w, 1).month for y, w in top_weeks}
    assert months <= {2, 3, 5, 6, 8, 9, 11, 12}


def test_pings_follow_a_poisson_schedule(year: list[Entry]) -> None:
    pings = sorted((e for e in year if e.source == "ping"), key=lambda e: e.end)
    # A ping answered right after the previous one covers exactly the gap between them.
    gaps = [
        (b.end - b.start).total_seconds() / 60
        for a, b in itertools.pairwise(pings)
        if b.start == a.end
    ]
    assert len(gaps) > 200
    mean = statistics.mean(gaps)
    # A 45-minute mean gap; the gaps seen are shorter, since a long one is likelier to run past
    # the end of its half-day and not be seen at all. Exponential: the spread is about the mean.
    assert 30 <= mean <= 45
    assert 0.8 <= statistics.stdev(gaps) / mean <= 1.2


def test_several_years_follow_on_without_overlap() -> None:
    two = generate_demo_year(FW, LAST_DAY, BERLIN, seed=3, years=2)
    assert 20_000 <= len(two) <= 28_000
    assert two == sorted(two, key=lambda e: (e.start, e.end, e.id))
    assert local_day(two[0].start) >= LAST_DAY - timedelta(days=2 * 365 - 1)
    ordered = sorted(two, key=lambda e: (e.start, e.end))
    assert all(b.start >= a.end for a, b in itertools.pairwise(ordered))


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="years"):
        generate_demo_year(FW, LAST_DAY, BERLIN, seed=1, years=0)


def test_created_times_follow_the_work() -> None:
    sample = generate_demo_year(FW, date(2026, 3, 31), ZoneInfo("America/New_York"), seed=1)
    assert all(e.created >= e.end for e in sample)
    assert all(e.created.tzinfo == UTC for e in sample[:10])
