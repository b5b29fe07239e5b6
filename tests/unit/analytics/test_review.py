"""The weekly review's numbers, and drift alerts: when they fire, and when noise must not."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sec_desktop.analytics.insights import insights
from sec_desktop.analytics.review import (
    DRIFT_MIN_WEEKS,
    MAX_DRIFT_ALERTS,
    T_975,
    TREND_DRIFT_WEEKS,
    drift_alerts,
    mean_interval,
    notification_text,
    slope_interval,
    week_periods,
    weekly_reports,
    weekly_review,
)
from sec_desktop.analytics.targets import Plans, Quarter, QuarterPlan
from sec_desktop.framework import load_framework
from sec_desktop.store import Entry
from tests.helpers.entries import make_entry
from tests.helpers.ids import MENTORSHIP, OKR, RISK, ROADMAP, SKILLS

FW = load_framework()
PROFILE = FW.profiles["default"]
BERLIN = ZoneInfo("Europe/Berlin")
WEEK = date(2026, 11, 30)  # the reviewed week; Strategy's band is 20-35%
WEEK_HOURS = 40.0


def week_entries(monday: date, strategy_share: float) -> list[Entry]:
    """A 40-hour week: Strategy at `strategy_share`, Security & Compliance 20%, Culture 20%
    (Personal Development 7.5%), Execution's delivery the rest."""
    strategy = WEEK_HOURS * strategy_share
    hours = {
        OKR: strategy,
        RISK: 8.0,
        ROADMAP: WEEK_HOURS - strategy - 16.0,
        MENTORSHIP: 5.0,
        SKILLS: 3.0,
    }
    cursor = datetime.combine(monday, time(1), tzinfo=BERLIN).astimezone(UTC)
    out = []
    for activity, total in hours.items():
        left = total * 60
        while left > 0.5:
            chunk = min(left, 600)
            out.append(make_entry(cursor, chunk, activity))
            cursor += timedelta(minutes=chunk)
            left -= chunk
    return out


def weeks_of(shares: Sequence[float]) -> list[Entry]:
    """Weeks ending with WEEK, Strategy at `shares` (oldest first)."""
    first = WEEK - timedelta(weeks=len(shares) - 1)
    return [e for i, s in enumerate(shares) for e in week_entries(first + timedelta(weeks=i), s)]


def strategy_alerts(shares: Sequence[float], plans: Plans | None = None) -> list[str]:
    review = weekly_review(weeks_of(shares), FW, PROFILE, plans or Plans(), week=WEEK, tz=BERLIN)
    return [a.text for a in review.alerts if a.node_id == "strategy"]


def test_t_table_is_students_t() -> None:
    def cdf(q: float, nu: int, steps: int = 20_000) -> float:
        c = math.gamma((nu + 1) / 2) / (math.sqrt(nu * math.pi) * math.gamma(nu / 2))

        def pdf(x: float) -> float:
            return c * (1 + x * x / nu) ** (-(nu + 1) / 2)

        h = q / steps
        inner = sum((4 if i % 2 else 2) * pdf(i * h) for i in range(1, steps))
        return 0.5 + h / 3 * (pdf(0) + inner + pdf(q))

    for nu, q in enumerate(T_975, start=1):
        assert cdf(q, nu) == pytest.approx(0.975, abs=2e-4), nu


def test_steady_drift_fires_with_plan() -> None:
    plans = Plans([QuarterPlan(Quarter.of(WEEK), {"strategy": 0.3})])
    assert strategy_alerts([0.10, 0.11, 0.09, 0.10], plans) == [
        "Strategy under its band 4 weeks running, and under your plan"
    ]


def test_an_alert_is_not_repeated_by_its_insight() -> None:
    entries = weeks_of([0.10] * 6)
    review = weekly_review(entries, FW, PROFILE, Plans(), week=WEEK, tz=BERLIN)
    assert any(a.node_id == "strategy" and a.kind == "run" for a in review.alerts)
    every = insights(entries, FW, PROFILE, WEEK + timedelta(days=6), BERLIN)
    said = [i for i in every if i.node_id == "strategy" and i.kind == "out_of_band_streak"]
    assert said  # the insight exists: "Strategy under 20% for 6 weeks running"
    assert [i for i in review.insights if i in said] == []


def test_drift_against_a_plan_that_agrees_says_so() -> None:
    plans = Plans([QuarterPlan(Quarter.of(WEEK), {"strategy": 0.1})])
    assert strategy_alerts([0.10, 0.11, 0.09, 0.10], plans) == [
        "Strategy under its band 4 weeks running, though your plan is 10%"
    ]


@pytest.mark.parametrize(
    ("shares", "why"),
    [
        ([0.10, 0.11, 0.09], "three weeks are not a run"),
        ([0.10, 0.25, 0.10, 0.09, 0.11], "the run is broken by a week in the band"),
        ([0.19, 0.12, 0.195, 0.13], "noise: the interval reaches into the band"),
        ([0.10, 0.10, 0.10, 0.25], "the reviewed week is in the band"),
        ([0.25, 0.26, 0.24, 0.25], "in the band all along"),
    ],
)
def test_no_alert(shares: list[float], why: str) -> None:
    assert strategy_alerts(shares) == [], why


def test_a_quiet_reviewed_week_says_nothing() -> None:
    entries = weeks_of([0.10, 0.10, 0.10, 0.10])
    last_monday = datetime.combine(WEEK, time(0), tzinfo=BERLIN).astimezone(UTC)
    # The reviewed week keeps only 3 hours: too little to judge shares by.
    kept = [e for e in entries if e.start < last_monday] + [
        make_entry(last_monday + timedelta(hours=2), 180, OKR)
    ]
    review = weekly_review(kept, FW, PROFILE, Plans(), week=WEEK, tz=BERLIN)
    assert review.alerts == []


def test_both_drifts_alerted_clearest_first() -> None:
    # Strategy far under its band pushes Execution far over its own: both are alerted.
    review = weekly_review(weeks_of([0.02] * 6), FW, PROFILE, Plans(), week=WEEK, tz=BERLIN)
    assert len(review.alerts) == MAX_DRIFT_ALERTS
    margins = [a.margin for a in review.alerts]
    assert margins == sorted(margins, reverse=True)
    assert {a.node_id for a in review.alerts} == {"strategy", "execution"}
    assert "6 weeks running" in review.alerts[0].text


def test_more_drifts_than_the_limit_keep_only_the_clearest() -> None:
    # Six weeks of nothing but OKRs: Strategy over its band, every other band under it.
    monday = WEEK - timedelta(weeks=5)
    entries = [
        make_entry(
            datetime.combine(
                monday + timedelta(weeks=w, days=d), time(9), tzinfo=BERLIN
            ).astimezone(UTC),
            480,
            OKR,
        )
        for w in range(6)
        for d in range(5)
    ]
    reports = weekly_reports(entries, FW, week_periods(WEEK, BERLIN, 6))
    every = drift_alerts(reports, FW, PROFILE, limit=len(FW.nodes))
    assert len(every) > MAX_DRIFT_ALERTS
    review = weekly_review(entries, FW, PROFILE, Plans(), week=WEEK, tz=BERLIN)
    assert [(a.node_id, a.margin) for a in review.alerts] == [
        (a.node_id, a.margin) for a in every[:MAX_DRIFT_ALERTS]
    ]
    assert min(a.margin for a in review.alerts) >= max(a.margin for a in every[MAX_DRIFT_ALERTS:])


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    st.lists(st.floats(min_value=0.0, max_value=0.5), min_size=DRIFT_MIN_WEEKS, max_size=8),
)
def test_an_alert_always_has_its_evidence(shares: list[float]) -> None:
    review = weekly_review(weeks_of(shares), FW, PROFILE, Plans(), week=WEEK, tz=BERLIN)
    assert len(review.alerts) <= MAX_DRIFT_ALERTS
    for alert in (a for a in review.alerts if a.node_id == "strategy"):
        run = shares[-len(alert.weeks) :]
        below = alert.direction == "below"
        if alert.kind == "trend":
            xs = [float(i) for i in range(len(run))]
            _, _, low, high = slope_interval(xs, run)
            assert len(run) == TREND_DRIFT_WEEKS
            assert (high < 0 and run[-1] < 0.2) if below else (low > 0 and run[-1] > 0.35)
            continue
        assert len(run) >= DRIFT_MIN_WEEKS
        _, low, high = mean_interval(run)
        if below:
            assert all(s < 0.2 for s in run) and high < 0.2 + 1e-9
        else:
            assert all(s > 0.35 for s in run) and low > 0.35 - 1e-9


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    st.floats(min_value=0.17, max_value=0.2),
    st.lists(st.floats(min_value=-0.05, max_value=0.05), min_size=4, max_size=8),
)
def test_noise_at_the_edge_never_fires(centre: float, noise: list[float]) -> None:
    """Weeks all under the edge but scattered: while their 95% interval reaches into the
    band, whatever the run's length, no alert; when it doesn't, the alert comes."""
    shares = [min(max(centre + n, 0.0), 0.199) for n in noise]
    _, _, high = mean_interval(shares)
    fired = strategy_alerts(shares)
    assert (fired != []) == (high < 0.2)


def test_a_steady_slide_out_of_the_band_fires_before_four_weeks_outside() -> None:
    plans = Plans([QuarterPlan(Quarter.of(WEEK), {"strategy": 0.3})])
    shares = [0.30, 0.28, 0.255, 0.23, 0.205, 0.18]
    review = weekly_review(weeks_of(shares), FW, PROFILE, plans, week=WEEK, tz=BERLIN)
    [alert] = [a for a in review.alerts if a.node_id == "strategy"]
    assert alert.kind == "trend"
    assert alert.text == "Strategy falling under its band, and under your plan"
    assert alert.detail.startswith("from 30% to 18% over 6 weeks, 2.4 pts a week")


@pytest.mark.parametrize(
    ("shares", "why"),
    [
        ([0.27, 0.16, 0.28, 0.15, 0.26, 0.18], "a zigzag: the slope's interval spans zero"),
        ([0.30, 0.28, 0.26, 0.24, 0.22, 0.21], "sliding, but still in the band"),
        ([0.30, 0.25, 0.20, 0.22, 0.26, 0.19], "down and up again: no steady slide"),
    ],
)
def test_no_trend_alert(shares: list[float], why: str) -> None:
    assert strategy_alerts(shares) == [], why


def test_rows_plan_band_and_change() -> None:
    plans = Plans([QuarterPlan(Quarter.of(WEEK), {"strategy": 0.3})])
    review = weekly_review(weeks_of([0.25, 0.15]), FW, PROFILE, plans, week=WEEK, tz=BERLIN)
    strategy = next(r for r in review.rows if r.id == "strategy")
    assert strategy.actual == pytest.approx(0.15)
    assert strategy.previous == pytest.approx(0.25)
    assert strategy.change_pts == pytest.approx(-10.0)
    assert strategy.plan == pytest.approx(0.3)
    assert strategy.band_text == "below by 5.0 pts"
    assert strategy.plan_verdict.describe() == "below plan by 15.0 pts"
    assert review.tracked_seconds == pytest.approx(WEEK_HOURS * 3600)
    security = next(r for r in review.rows if r.id == "execution.security-and-compliance")
    assert security.change_pts == pytest.approx(0.0)
    assert security.plan is None and security.plan_verdict.describe() == "no plan"


def test_first_week_has_no_change() -> None:
    review = weekly_review(weeks_of([0.25]), FW, PROFILE, Plans(), week=WEEK, tz=BERLIN)
    assert all(r.change_pts is None for r in review.rows)


def test_notification_text_names_away_and_alerts() -> None:
    away = [(datetime(2026, 12, 1, 12, tzinfo=UTC), datetime(2026, 12, 1, 13, tzinfo=UTC))]
    review = weekly_review(
        weeks_of([0.10] * 4), FW, PROFILE, Plans(), week=WEEK, tz=BERLIN, unanswered_away=away
    )
    text = notification_text(review)
    assert text.startswith("Last week (30 Nov - 06 Dec) is ready. 1 away span to answer first.")
    assert "Strategy under its band 4 weeks running." in text


def test_week_must_be_a_monday() -> None:
    with pytest.raises(ValueError, match="Monday"):
        weekly_review([], FW, PROFILE, Plans(), week=WEEK + timedelta(days=1), tz=BERLIN)
