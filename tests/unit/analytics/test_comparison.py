"""The report's comparison sentences: this period against the one before (like for like while
it is under way) and against its plan."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sec_desktop.analytics import Period, allocate
from sec_desktop.analytics.comparison import period_over_period, plan_summary
from sec_desktop.analytics.dashboard import previous_period
from sec_desktop.analytics.targets import Plans, Quarter, QuarterPlan, comparison_rows
from sec_desktop.framework import load_framework
from tests.helpers.entries import make_entry
from tests.helpers.ids import INCIDENT, OKR, SECURITY

FW = load_framework()
PROFILE = FW.profiles["default"]
BERLIN = ZoneInfo("Europe/Berlin")
WEEK = Period(date(2026, 11, 23), date(2026, 11, 29), BERLIN)


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=BERLIN)


def test_this_week_against_the_week_before() -> None:
    entries = [
        make_entry(at(date(2026, 11, 16), 9), 60, OKR),  # week before: 1 h Strategy,
        make_entry(at(date(2026, 11, 17), 9), 60, INCIDENT),  # 1 h Execution
        make_entry(at(date(2026, 11, 23), 9), 60, OKR),  # this week: 1 h Strategy,
        make_entry(at(date(2026, 11, 24), 9), 180, INCIDENT),  # 3 h Execution
    ]
    current = allocate(entries, FW, WEEK, PROFILE)
    before = allocate(entries, FW, previous_period(WEEK), PROFILE)
    assert period_over_period(current, before) == (
        "Against 16 \u2013 22 Nov 2026, the 7 days before: tracked 4 h 00 min (+2 h 00 min); "
        "Strategy 25.0% (\u221225.0 pts), Execution 75.0% (+25.0 pts), Culture 0.0% (\u00b10 pts)."
    )


def test_a_period_under_way_is_compared_with_as_many_days_before() -> None:
    now = datetime(2026, 11, 25, 12, tzinfo=UTC)  # Wednesday: 3 days of the week have begun
    assert previous_period(WEEK, now) == Period(date(2026, 11, 16), date(2026, 11, 18), BERLIN)
    assert previous_period(WEEK, now + timedelta(days=7)) == WEEK.shifted(-1)  # week over
    entries = [
        make_entry(at(date(2026, 11, 17), 9), 60, OKR),
        make_entry(at(date(2026, 11, 23), 9), 60, OKR),
    ]
    current = allocate(entries, FW, WEEK, PROFILE)
    before = allocate(entries, FW, previous_period(WEEK, now), PROFILE)
    text = period_over_period(current, before)
    assert text.startswith(
        "Against 16 \u2013 18 Nov 2026, the first 3 of the 7 days before (this period is under "
        "way): tracked 1 h 00 min (the same)"
    )


def test_nothing_tracked_on_either_side_is_said_plainly() -> None:
    entries = [make_entry(at(date(2026, 11, 23), 9), 60, OKR)]
    current = allocate(entries, FW, WEEK, PROFILE)
    empty_before = allocate([], FW, WEEK.shifted(-1), PROFILE)
    assert period_over_period(current, empty_before).endswith(
        "nothing was tracked then, so there is nothing to compare."
    )
    nothing_now = allocate([], FW, WEEK, PROFILE)
    before = allocate(entries, FW, WEEK, PROFILE)
    assert period_over_period(nothing_now, before).endswith(
        "1 h 00 min was tracked then, nothing in this period."
    )
    assert period_over_period(current, None) == ""


def test_plan_summary_names_the_quarters_and_each_target() -> None:
    entries = [
        make_entry(at(date(2026, 9, 29), 9), 60, OKR),
        make_entry(at(date(2026, 10, 1), 9), 60, INCIDENT),
    ]
    boundary = Period(date(2026, 9, 28), date(2026, 10, 4), BERLIN)
    report = allocate(entries, FW, boundary, PROFILE)
    plans = Plans(
        [
            QuarterPlan(Quarter(2026, 3), {"strategy": 0.20, SECURITY: 0.4}),
            QuarterPlan(Quarter(2026, 4), {"strategy": 0.34}),
        ]
    )
    plan = plans.plan_for(boundary)
    text = plan_summary(plan, comparison_rows(report, plan))
    assert text == (
        "Plan 2026-Q3 to 2026-Q4 (mixed by days): Strategy 50.0% vs 28.0%, above plan by 22.0 "
        "pts; Security & Compliance 50.0% vs 40.0%, above plan by 10.0 pts. Targets cover only "
        "part of the period for Security & Compliance."
    )
    assert plan_summary(Plans().plan_for(boundary), []) == "No plan for this period."
