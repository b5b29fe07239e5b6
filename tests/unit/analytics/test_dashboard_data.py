"""The dashboard's one computation: its report is report_dict's, and `sec-desktop report
--format json` prints exactly its summary for the same period."""

from __future__ import annotations

import io
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import orjson
import pytest

from sec_desktop.analytics import Period, allocate, named_period, report_dict
from sec_desktop.analytics.confidence import sampled_estimates
from sec_desktop.analytics.coverage import coverage, default_working_intervals
from sec_desktop.analytics.dashboard import (
    TOP_ACTIVITIES,
    dashboard_data,
    dashboard_span,
    summary_json,
)
from sec_desktop.analytics.insights import insights
from sec_desktop.analytics.targets import Plans, Quarter, QuarterPlan
from sec_desktop.analytics.trends import weekly_shares
from sec_desktop.cli.main import main
from sec_desktop.demo import generate_demo_year
from sec_desktop.framework import Level, load_framework
from sec_desktop.store import Entry, EntryStore, device_id
from tests.helpers.ids import SECURITY

FW = load_framework()
PROFILE = FW.profiles["default"]
BERLIN = ZoneInfo("Europe/Berlin")
# Monday 2026-11-23, 18:00 in Berlin; the demo year ends that day.
NOW = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def year() -> list[Entry]:
    return [
        e for e in generate_demo_year(FW, TODAY, BERLIN, seed=5, device="test-dev") if e.end <= NOW
    ]


def test_the_report_part_is_exactly_report_dict(year: list[Entry]) -> None:
    period = named_period("quarter", TODAY, BERLIN)
    data = dashboard_data(year, FW, period, PROFILE, default_working_intervals(period))
    expected = allocate(year, FW, period, PROFILE)
    assert data.report == expected
    assert data.report_json == report_dict(expected)
    assert data.profile_id == "default"
    assert data.period == period
    assert data.top_activities == expected.activities[:TOP_ACTIVITIES]
    assert len(data.top_activities) == TOP_ACTIVITIES


def test_the_parts_equal_their_own_functions(year: list[Entry]) -> None:
    period = named_period("last-week", TODAY, BERLIN)
    working = default_working_intervals(period)
    data = dashboard_data(year, FW, period, PROFILE, working)
    assert data.trend == weekly_shares(year, FW, period.last, BERLIN)
    assert data.focus_trend == weekly_shares(year, FW, period.last, BERLIN, level=Level.FOCUS_AREA)
    assert data.estimates == sampled_estimates(year, FW, period, PROFILE)
    assert data.coverage == coverage(year, FW, working, span=(period.start, period.end))
    assert data.insights == insights(year, FW, PROFILE, period.last, BERLIN)
    assert data.insights, "a demo year has something to say"


def test_a_long_period_trends_over_its_own_weeks(year: list[Entry]) -> None:
    period = Period(date(2025, 11, 24), TODAY, BERLIN)
    data = dashboard_data(year, FW, period, PROFILE, default_working_intervals(period))
    assert data.trend[0].week_start == date(2025, 11, 24)
    assert data.trend[-1].week_start == date(2026, 11, 23)
    assert len(data.trend) == 53
    # The entries needed run from the start of the period before it (of the same length, for
    # the period-over-period line) to the end of its last week.
    assert dashboard_span(period) == (
        period.shifted(-1).start,
        Period(TODAY, date(2026, 11, 29), BERLIN).end,
    )


def test_the_span_reaches_back_for_the_trend() -> None:
    period = named_period("week", TODAY, BERLIN)
    start, end = dashboard_span(period)
    assert start == Period(TODAY - timedelta(weeks=11), TODAY, BERLIN).start
    assert end == period.end


def test_working_hours_still_ahead_are_left_out_with_now(year: list[Entry]) -> None:
    period = named_period("week", TODAY, BERLIN)  # Monday to Sunday; now is Monday 18:00
    working = default_working_intervals(period)
    later = dashboard_data(year, FW, period, PROFILE, working)
    so_far = dashboard_data(year, FW, period, PROFILE, working, now=NOW)
    assert later.coverage.working_seconds == 5 * 9 * 3600
    assert so_far.coverage.working_seconds == 9 * 3600
    assert so_far.coverage.tracked_seconds == later.coverage.tracked_seconds


def test_summary_keeps_every_report_key_and_adds_the_rest(year: list[Entry]) -> None:
    period = named_period("month", TODAY, BERLIN)
    data = dashboard_data(year, FW, period, PROFILE, default_working_intervals(period))
    doc = summary_json(data)
    for key, value in report_dict(data.report).items():
        assert doc[key] == value
    assert {"coverage", "estimates", "insights", "trend", "focus_trend"} <= set(doc)
    assert doc["coverage"]["share"] == pytest.approx(data.coverage.share, abs=1e-6)
    assert set(doc["coverage"]["tracked_minutes_by_level"]) == {"domain", "focus_area", "activity"}
    assert [e["id"] for e in doc["estimates"]] == list(PROFILE.bands)
    assert all(e["pings"] > 0 for e in doc["estimates"])
    assert [i["text"] for i in doc["insights"]] == [i.text for i in data.insights]
    assert len(doc["trend"]["weeks"]) == 12
    # Plain data all the way down: it survives JSON unchanged.
    assert orjson.loads(orjson.dumps(doc)) == doc


@pytest.mark.parametrize("period_name", ["week", "last-week", "quarter"])
def test_the_cli_report_json_is_the_summary_for_the_same_period(
    year: list[Entry], isolated_dirs: dict[str, Path], period_name: str
) -> None:
    data_dir, config_dir = isolated_dirs["data"], isolated_dirs["config"]
    device = device_id(config_dir)
    store = EntryStore(data_dir, device)
    try:
        store.add_many([Entry.from_json({**e.to_json(), "device": device}) for e in year])
        period = named_period(period_name, TODAY, BERLIN)
        stored = store.entries(*dashboard_span(period))
    finally:
        store.close()
    expected = summary_json(
        dashboard_data(stored, FW, period, PROFILE, default_working_intervals(period), now=NOW)
    )
    out, err = io.StringIO(), io.StringIO()
    argv = ["--tz", "Europe/Berlin", "report", "--period", period_name, "--format", "json"]
    code = main(argv, now=lambda: NOW, env=dict(os.environ), out=out, err=err)
    assert (code, err.getvalue()) == (0, "")
    printed = orjson.loads(out.getvalue())
    assert printed == orjson.loads(orjson.dumps(expected))
    assert printed["entry_count"] > 0


def test_the_plan_and_the_previous_period_sit_beside_band_and_actual(year: list[Entry]) -> None:
    # The week of 28 September 2026 spans Q3 (3 days) and Q4 (4 days).
    period = Period(date(2026, 9, 28), date(2026, 10, 4), BERLIN)
    plans = Plans(
        [
            QuarterPlan(Quarter(2026, 3), {"strategy": 0.20, SECURITY: 0.15}),
            QuarterPlan(Quarter(2026, 4), {"strategy": 0.34}),
        ]
    )
    data = dashboard_data(year, FW, period, PROFILE, default_working_intervals(period), plans=plans)
    mixed = (3 * 0.20 + 4 * 0.34) / 7
    rows = {r.id: r for r in data.plan_rows}
    assert rows["strategy"].plan == pytest.approx(mixed)
    assert rows["strategy"].actual == data.report.domains[0].share
    assert rows["strategy"].band == PROFILE.bands["strategy"]
    assert rows["culture"].plan is None
    doc = summary_json(data)
    plan_rows = {r["id"]: r for r in doc["plan"]["rows"]}
    assert doc["plan"]["quarters"] == ["2026-Q3", "2026-Q4"]
    assert plan_rows["strategy"]["plan"] == pytest.approx(mixed, abs=1e-6)
    assert plan_rows["strategy"]["plan_status"] == rows["strategy"].verdict.status
    assert plan_rows[SECURITY]["covered"] == pytest.approx(3 / 7, abs=1e-6)
    assert plan_rows["culture"]["plan"] is None
    assert plan_rows["culture"]["plan_status"] == "no_plan"
    # Each trend week carries its own plan: whole-Q3 weeks 20%, the boundary week the mix.
    weeks = {w["week_start"]: w for w in doc["trend"]["weeks"]}
    assert weeks["2026-09-21"]["plan"] == {"strategy": 0.2}
    assert weeks["2026-09-28"]["plan"]["strategy"] == pytest.approx(mixed, abs=1e-6)
    focus_weeks = {w["week_start"]: w for w in doc["focus_trend"]["weeks"]}
    assert focus_weeks["2026-09-21"]["plan"] == {SECURITY: 0.15}
    # The previous period of the same length is the week before, allocated the same way.
    before = allocate(year, FW, period.shifted(-1), PROFILE)
    assert data.previous == before
    assert doc["previous_period"]["from"] == "2026-09-21"
    assert doc["previous_period"]["total_minutes"] == pytest.approx(before.total_minutes, abs=0.01)
