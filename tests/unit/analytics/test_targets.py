"""Plan targets: quarters, pre-fill from the profile, band warnings, sums, the time-weighted mix
over quarter boundaries, and the comparison rows beside band and actual."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timedelta
from importlib import resources
from zoneinfo import ZoneInfo

import pytest

from sec_desktop.analytics import Period, allocate
from sec_desktop.analytics.targets import (
    ON_PLAN_TOLERANCE,
    PlanError,
    Plans,
    Quarter,
    QuarterPlan,
    check_plan,
    check_target,
    comparison_rows,
    plan_verdict,
    prefill,
    quarters_in,
)
from sec_desktop.framework import Band, Level, framework_from_data, load_framework
from tests.helpers.entries import make_entry
from tests.helpers.ids import INCIDENT, OKR, PERSONAL, SECURITY, SKILLS, TECH_PLANNING

FW = load_framework()
PROFILE = FW.profiles["default"]
BERLIN = ZoneInfo("Europe/Berlin")


# Quarters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "year", "number"),
    [("2026-Q4", 2026, 4), ("2026q1", 2026, 1), (" 2027-q2 ", 2027, 2)],
)
def test_quarter_parses_its_spellings(text: str, year: int, number: int) -> None:
    assert Quarter.parse(text) == Quarter(year, number)


@pytest.mark.parametrize("text", ["2026-Q5", "Q4-2026", "2026", "", "2026-Q0"])
def test_a_bad_quarter_is_named(text: str) -> None:
    with pytest.raises(PlanError, match="YYYY-Qn"):
        Quarter.parse(text)


def test_quarter_days_and_neighbours() -> None:
    q4 = Quarter(2026, 4)
    assert (q4.first, q4.last) == (date(2026, 10, 1), date(2026, 12, 31))
    assert q4.next() == Quarter(2027, 1)
    assert Quarter(2027, 1).previous() == q4
    assert Quarter(2024, 1).last == date(2024, 3, 31)
    assert Quarter.of(date(2026, 6, 30)) == Quarter(2026, 2)
    assert Quarter.of(date(2026, 7, 1)) == Quarter(2026, 3)
    assert str(q4) == "2026-Q4"
    assert Quarter(2999, 4).last == date(2999, 12, 31)


def test_quarters_in_counts_the_days_on_each_side_of_a_boundary() -> None:
    # Monday 28 September to Sunday 4 October 2026: 3 days of Q3, 4 of Q4.
    assert quarters_in(date(2026, 9, 28), date(2026, 10, 4)) == [
        (Quarter(2026, 3), 3),
        (Quarter(2026, 4), 4),
    ]
    assert quarters_in(date(2026, 1, 1), date(2026, 12, 31)) == [
        (Quarter(2026, 1), 90),
        (Quarter(2026, 2), 91),
        (Quarter(2026, 3), 92),
        (Quarter(2026, 4), 92),
    ]


# Pre-fill and checks ---------------------------------------------------------------------


def test_prefill_takes_band_midpoints_for_domains_and_focus_areas_with_a_band() -> None:
    targets = prefill(FW, PROFILE)
    assert targets["strategy"] == pytest.approx(0.275)
    assert targets["execution"] == pytest.approx(0.50)
    assert targets["culture"] == pytest.approx(0.20)
    assert targets[SECURITY] == pytest.approx(0.20)
    assert targets[PERSONAL] == pytest.approx(0.095)
    assert set(targets) == set(PROFILE.bands)
    # Midpoints of the full range add up to 97.5%: the check says 2.5% is unplanned.
    issues = check_plan(targets, FW, PROFILE)
    assert [(i.severity, i.node_id) for i in issues] == [("warning", None)]
    assert issues[0].text.endswith("2.5% of the time is unplanned")


def test_prefill_takes_the_profiles_own_target_when_a_band_names_one() -> None:
    bands = dict(PROFILE.bands)
    bands["strategy"] = replace(bands["strategy"], target=0.30)
    profile = replace(PROFILE, bands=bands)
    assert prefill(FW, profile)["strategy"] == pytest.approx(0.30)


def test_prefill_scales_domain_midpoints_that_add_up_to_more_than_all_the_time() -> None:
    bands = {d: Band(0.4, 0.6, "test") for d in ("strategy", "execution", "culture")}
    targets = prefill(FW, replace(PROFILE, bands=bands))
    assert sum(targets.values()) == pytest.approx(1.0)
    assert targets["strategy"] == pytest.approx(1 / 3)


def test_a_target_outside_its_band_is_allowed_with_a_warning_naming_the_band() -> None:
    issues = check_plan({"strategy": 0.40}, FW, PROFILE)
    assert [(i.severity, i.node_id) for i in issues] == [("warning", "strategy")]
    assert issues[0].text == "Strategy: the target 40% is above the Full range band of 20-35%"
    below = check_plan({PERSONAL: 0.05}, FW, PROFILE)
    assert "5% is below the Full range band of 7-12%" in below[0].text
    assert check_plan({"strategy": 0.35}, FW, PROFILE) == []  # the edge is inside


def test_domain_targets_above_100_percent_are_an_error() -> None:
    issues = check_plan({"strategy": 0.5, "execution": 0.4, "culture": 0.2}, FW, PROFILE)
    errors = [i for i in issues if i.severity == "error"]
    assert len(errors) == 1
    assert errors[0].text.startswith("the domain targets add up to 110%")


def test_focus_areas_above_their_domain_warn_and_above_100_percent_are_an_error() -> None:
    warn = check_plan(
        {"culture": 0.2, PERSONAL: 0.1, "culture.team-development": 0.15}, FW, PROFILE
    )
    assert any(
        i.severity == "warning" and "more than its own target of 20%" in i.text for i in warn
    )
    error = check_plan({PERSONAL: 0.6, "culture.team-development": 0.5}, FW, PROFILE)
    assert error[0].severity == "error"
    assert "focus-area targets in Culture add up to 110%" in error[0].text
    # Across domains too: 60% of Security and 50% of Personal development can't both hold.
    across = check_plan({SECURITY: 0.6, PERSONAL: 0.5}, FW, PROFILE)
    assert [i.text for i in across if i.severity == "error"] == [
        "the focus-area targets add up to 110%; they can't be more than 100% of the tracked time"
    ]


@pytest.mark.parametrize(
    ("node_id", "share", "message"),
    [
        ("nope", 0.2, "no domain or focus area 'nope'"),
        (OKR, 0.2, "is an activity"),
        ("strategy", 1.2, "must be between 0 and 100%"),
        ("strategy", -0.1, "must be between 0 and 100%"),
        ("strategy", float("nan"), "must be a number"),
    ],
)
def test_check_target_refuses_what_no_plan_can_hold(
    node_id: str, share: float, message: str
) -> None:
    with pytest.raises(PlanError, match=message):
        check_target(node_id, share, FW)


# plan_for and the time-weighted mix --------------------------------------------------------


def test_plan_for_a_period_inside_one_quarter_is_that_quarters_plan() -> None:
    plans = Plans([QuarterPlan(Quarter(2026, 4), {"strategy": 0.3})])
    plan = plans.plan_for(Period(date(2026, 11, 23), date(2026, 11, 29), BERLIN))
    assert plan.targets == {"strategy": 0.3}
    assert plan.covered == {"strategy": 1.0}
    assert plan.quarters == (Quarter(2026, 4),)


def test_plan_for_a_week_across_a_quarter_boundary_is_the_day_weighted_mix() -> None:
    plans = Plans(
        [
            QuarterPlan(Quarter(2026, 3), {"strategy": 0.20, SECURITY: 0.15}),
            QuarterPlan(Quarter(2026, 4), {"strategy": 0.34}),
        ]
    )
    week = Period(date(2026, 9, 28), date(2026, 10, 4), BERLIN)  # 3 days Q3, 4 days Q4
    plan = plans.plan_for(week)
    assert plan.target("strategy") == pytest.approx((3 * 0.20 + 4 * 0.34) / 7)
    # Q4 sets no security target: the mix is Q3's over the days it covers.
    assert plan.target(SECURITY) == pytest.approx(0.15)
    assert plan.covered[SECURITY] == pytest.approx(3 / 7)
    assert plan.covered["strategy"] == 1.0
    assert plan.quarters == (Quarter(2026, 3), Quarter(2026, 4))


def test_plan_for_a_period_with_no_plan_is_empty() -> None:
    plan = Plans().plan_for(Period(date(2026, 11, 1), date(2026, 11, 30), BERLIN))
    assert plan.is_empty
    assert plan.target("strategy") is None


# Comparison rows ------------------------------------------------------------------------------


def test_comparison_rows_put_actual_plan_band_and_verdicts_side_by_side() -> None:
    period = Period(date(2026, 11, 23), date(2026, 11, 29), BERLIN)
    t = datetime(2026, 11, 23, 9, tzinfo=BERLIN)
    entries = [
        make_entry(t, 60, OKR),  # 1 h strategy
        make_entry(t + timedelta(hours=1), 180, INCIDENT),  # 3 h execution (security)
    ]
    report = allocate(entries, FW, period, PROFILE)
    plans = Plans([QuarterPlan(Quarter(2026, 4), {"strategy": 0.30, SECURITY: 0.74})])
    rows = comparison_rows(report, plans.plan_for(period))
    by_id = {r.id: r for r in rows}
    strategy = by_id["strategy"]
    assert (strategy.actual, strategy.plan) == (0.25, 0.30)
    assert strategy.verdict.status == "below"
    assert strategy.verdict.describe() == "below plan by 5.0 pts"
    assert strategy.band == PROFILE.bands["strategy"]
    assert strategy.band_verdict is not None and strategy.band_verdict.status == "within"
    assert by_id[SECURITY].verdict.describe() == "on plan"  # 75% vs 74%: within tolerance
    assert by_id["culture"].verdict.describe() == "no plan"
    assert by_id[TECH_PLANNING].plan is None
    assert [r.level for r in rows][:3] == [Level.DOMAIN] * 3
    assert [r.id for r in comparison_rows(report, plans.plan_for(period), level=Level.DOMAIN)] == [
        "strategy",
        "execution",
        "culture",
    ]
    assert SKILLS not in by_id  # activities have no targets


def test_comparison_rows_refuse_a_plan_for_another_period() -> None:
    period = Period(date(2026, 11, 23), date(2026, 11, 29), BERLIN)
    report = allocate([], FW, period, PROFILE)
    other = Plans().plan_for(period.shifted(-1))
    with pytest.raises(PlanError, match="the plan is for 2026-11-16"):
        comparison_rows(report, other)


def test_plan_verdict_edges() -> None:
    assert plan_verdict(0.5, None, 100).status == "no_plan"
    assert plan_verdict(0.0, 0.3, 0).status == "no_data"
    assert plan_verdict(0.3 + ON_PLAN_TOLERANCE, 0.3, 100).status == "on_plan"
    above = plan_verdict(0.4, 0.3, 100)
    assert above.status == "above" and above.describe() == "above plan by 10.0 pts"


def test_a_profile_band_may_name_its_own_target_in_percent() -> None:
    text = resources.files("sec_desktop").joinpath("resources/frameworks/sec-v2.json").read_text()
    data = json.loads(text)
    data["profiles"][0]["bands"]["strategy"]["target"] = 30
    fw = framework_from_data(data, "test.json")
    band = fw.profiles[data["profiles"][0]["id"]].bands["strategy"]
    assert band.target == pytest.approx(0.30)
    assert prefill(fw, fw.profiles[data["profiles"][0]["id"]])["strategy"] == pytest.approx(0.30)
