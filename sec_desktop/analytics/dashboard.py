"""Everything the dashboard shows for one period, computed once in the core.

The dashboard, its PDF and JSON exports and `sec-desktop report` all take their numbers from
`dashboard_data()` and `summary_json()`, so the same period shows the same figures everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sec_desktop.analytics.allocation import Allocation, AllocationReport, allocate
from sec_desktop.analytics.confidence import SampleEstimate, sampled_estimates
from sec_desktop.analytics.coverage import Coverage, coverage
from sec_desktop.analytics.insights import Insight, insights_from_reports
from sec_desktop.analytics.periods import Period
from sec_desktop.analytics.summary import MINUTES_DIGITS, SHARE_DIGITS, report_dict
from sec_desktop.analytics.targets import PeriodPlan, PlanRow, Plans, comparison_rows
from sec_desktop.analytics.trends import (
    DEFAULT_TREND_WEEKS,
    WeekShare,
    week_monday,
    week_periods,
    week_share,
    weekly_reports,
)
from sec_desktop.framework import BenchmarkProfile, Framework, Level
from sec_desktop.store import Entry

TOP_ACTIVITIES = 10
SUMMARY_FORMAT = "sec-desktop/summary"
SUMMARY_VERSION = 1


@dataclass(frozen=True)
class DashboardData:
    """One period's allocation, weekly trend, ping estimates, coverage and insights.

    `report_json` is exactly `report_dict(report)`. The trends run over `trend_weeks` weeks
    ending with the period's last week, or over the period's own weeks when it is longer.
    """

    period: Period
    profile_id: str
    report: AllocationReport
    report_json: dict[str, Any]
    trend: list[WeekShare]
    focus_trend: list[WeekShare] | None
    estimates: dict[str, SampleEstimate]
    coverage: Coverage
    insights: list[Insight]
    top_activities: list[Allocation]
    # The plan the period is judged by (empty without one), its rows beside band and actual,
    # the plan of each trend week, and the previous period of the same length.
    plan: PeriodPlan | None = None
    plan_rows: list[PlanRow] = field(default_factory=list)
    trend_plans: list[PeriodPlan] = field(default_factory=list)
    previous: AllocationReport | None = None


def trend_week_count(period: Period, trend_weeks: int = DEFAULT_TREND_WEEKS) -> int:
    """`trend_weeks`, or the number of weeks the period touches when that is more."""
    spanned = (week_monday(period.last) - week_monday(period.first)).days // 7 + 1
    return max(trend_weeks, spanned)


def dashboard_span(
    period: Period, trend_weeks: int = DEFAULT_TREND_WEEKS
) -> tuple[datetime, datetime]:
    """The UTC span whose entries `dashboard_data()` needs: the trend's weeks and the period.

    Load `store.entries(*dashboard_span(period))` and pass them in; entries outside the period
    only feed the trend, the insights and the period-over-period comparison (the previous
    period of the same length).
    """
    weeks = week_periods(period.last, period.tz, trend_week_count(period, trend_weeks))
    return min(weeks[0].start, period.shifted(-1).start), max(weeks[-1].end, period.end)


def dashboard_data(
    entries: Iterable[Entry],
    framework: Framework,
    period: Period,
    profile: BenchmarkProfile,
    working_intervals: Sequence[tuple[datetime, datetime]],
    *,
    trend_weeks: int = DEFAULT_TREND_WEEKS,
    now: datetime | None = None,
    unanswered_away: Sequence[tuple[datetime, datetime]] = (),
    plans: Plans | None = None,
) -> DashboardData:
    """Compute everything for `period`; `entries` should cover `dashboard_span(period)`.

    With `now`, working hours after it are left out of the coverage: a period still under
    way is measured against the working time that has passed, not the whole of it. The
    `unanswered_away` spans (away questions still open) show in the coverage as such.
    `plans` gives the period and each trend week their plan (`Plans.plan_for`).
    """
    return dashboard_from(
        EntryFigures(list(entries), framework),
        framework,
        period,
        profile,
        working_intervals,
        trend_weeks=trend_weeks,
        now=now,
        unanswered_away=unanswered_away,
        plans=plans,
    )


class PeriodFigures(Protocol):
    """Where `dashboard_from()` takes its figures: the entries, or month summaries
    (analytics.month_summaries) that give the same numbers."""

    def allocate(self, period: Period, profile: BenchmarkProfile) -> AllocationReport: ...

    def weekly_reports(self, weeks: Sequence[Period]) -> list[AllocationReport]: ...

    def estimates(self, period: Period, profile: BenchmarkProfile) -> dict[str, SampleEstimate]: ...

    def coverage(
        self,
        working_intervals: Sequence[tuple[datetime, datetime]],
        span: tuple[datetime, datetime],
        unanswered_away: Sequence[tuple[datetime, datetime]],
    ) -> Coverage: ...


@dataclass(frozen=True)
class EntryFigures:
    """The figures computed from the entries themselves."""

    entries: list[Entry]
    framework: Framework

    def allocate(self, period: Period, profile: BenchmarkProfile) -> AllocationReport:
        return allocate(self.entries, self.framework, period, profile)

    def weekly_reports(self, weeks: Sequence[Period]) -> list[AllocationReport]:
        return weekly_reports(self.entries, self.framework, weeks)

    def estimates(self, period: Period, profile: BenchmarkProfile) -> dict[str, SampleEstimate]:
        return sampled_estimates(self.entries, self.framework, period, profile)

    def coverage(
        self,
        working_intervals: Sequence[tuple[datetime, datetime]],
        span: tuple[datetime, datetime],
        unanswered_away: Sequence[tuple[datetime, datetime]],
    ) -> Coverage:
        return coverage(
            self.entries,
            self.framework,
            working_intervals,
            span=span,
            unanswered_away=unanswered_away,
        )


def dashboard_from(
    figures: PeriodFigures,
    framework: Framework,
    period: Period,
    profile: BenchmarkProfile,
    working_intervals: Sequence[tuple[datetime, datetime]],
    *,
    trend_weeks: int = DEFAULT_TREND_WEEKS,
    now: datetime | None = None,
    unanswered_away: Sequence[tuple[datetime, datetime]] = (),
    plans: Plans | None = None,
) -> DashboardData:
    """`dashboard_data()` over `figures` that cover `dashboard_span(period)`."""
    if now is not None:
        working_intervals = [(s, min(e, now)) for s, e in working_intervals if s < now]
    report = figures.allocate(period, profile)
    weeks = week_periods(period.last, period.tz, trend_week_count(period, trend_weeks))
    reports = figures.weekly_reports(weeks)
    plans = plans if plans is not None else Plans()
    plan = plans.plan_for(period)
    return DashboardData(
        period=period,
        profile_id=profile.id,
        report=report,
        report_json=report_dict(report),
        trend=[week_share(r, framework, Level.DOMAIN) for r in reports],
        focus_trend=[week_share(r, framework, Level.FOCUS_AREA) for r in reports],
        estimates=figures.estimates(period, profile),
        coverage=figures.coverage(working_intervals, (period.start, period.end), unanswered_away),
        insights=insights_from_reports(reports, framework, profile),
        top_activities=report.activities[:TOP_ACTIVITIES],
        plan=plan,
        plan_rows=comparison_rows(report, plan),
        trend_plans=[plans.plan_for(week) for week in weeks],
        previous=figures.allocate(previous_period(period, now), profile),
    )


def previous_period(period: Period, now: datetime | None = None) -> Period:
    """The period of the same length just before `period`; while `period` is under way (`now`
    inside it), only as many of its first days as have begun, so like is compared with like."""
    before = period.shifted(-1)
    if now is not None:
        today = now.astimezone(period.tz).date()
        if period.first <= today < period.last:
            begun = (today - period.first).days + 1
            return Period(before.first, before.first + timedelta(days=begun - 1), period.tz)
    return before


def _minutes(seconds: float) -> float:
    return round(seconds / 60.0, MINUTES_DIGITS)


def _share(fraction: float) -> float:
    return round(fraction, SHARE_DIGITS)


def _weeks_json(weeks: Sequence[WeekShare]) -> list[dict[str, Any]]:
    return [
        {
            "week_start": w.week_start.isoformat(),
            "tracked_minutes": _minutes(w.tracked_seconds),
            "shares": {node_id: _share(s) for node_id, s in w.shares.items()},
        }
        for w in weeks
    ]


def _add_week_plans(
    weeks: list[dict[str, Any]], plans: Sequence[PeriodPlan], rows: Sequence[Allocation]
) -> None:
    """Put each week's plan beside its shares, for the nodes of the trend's level."""
    ids = {row.id for row in rows}
    for week, plan in zip(weeks, plans, strict=True):
        week["plan"] = {n: _share(t) for n, t in plan.targets.items() if n in ids}


def plan_json(data: DashboardData) -> dict[str, Any]:
    """The period's plan: the quarters it mixes, and per domain and focus area the actual
    share, the target, the band and both verdicts. `covered` is the fraction of the period
    the target applies to (below 1 when one of its quarters sets none for that node)."""
    plan = data.plan
    return {
        "quarters": [str(q) for q in plan.quarters] if plan is not None else [],
        "rows": [
            {
                "id": r.id,
                "level": r.level.name.lower(),
                "share": _share(r.actual),
                "plan": _share(r.plan) if r.plan is not None else None,
                "covered": _share(r.plan_covered),
                "band": {"low": r.band.low, "high": r.band.high} if r.band else None,
                "status": r.band_verdict.status if r.band_verdict else None,
                "plan_status": r.verdict.status,
                "plan_distance": _share(r.verdict.distance),
            }
            for r in data.plan_rows
        ],
    }


def previous_json(data: DashboardData) -> dict[str, Any] | None:
    """The previous period of the same length: its tracked time and domain shares."""
    prev = data.previous
    if prev is None:
        return None
    return {
        "from": prev.period.first.isoformat(),
        "to": prev.period.last.isoformat(),
        "total_minutes": _minutes(prev.total_seconds),
        "domains": [{"id": a.id, "share": _share(a.share)} for a in prev.domains],
    }


def coverage_json(cov: Coverage) -> dict[str, Any]:
    return {
        "working_minutes": _minutes(cov.working_seconds),
        "tracked_minutes": _minutes(cov.tracked_seconds),
        "share": _share(cov.share),
        "tracked_outside_working_minutes": _minutes(cov.tracked_outside_working_seconds),
        "away_not_answered_minutes": _minutes(cov.unanswered_away_seconds),
        "tracked_minutes_by_level": {
            level.name.lower(): _minutes(cov.seconds_by_level.get(level, 0.0)) for level in Level
        },
    }


def estimate_json(estimate: SampleEstimate) -> dict[str, Any]:
    return {
        "id": estimate.node_id,
        "pings": estimate.pings,
        "hits": estimate.hits,
        "share": _share(estimate.share),
        "low": _share(estimate.low),
        "high": _share(estimate.high),
        "verdict": estimate.verdict,
        "more_pings_needed": estimate.more_pings_needed,
        "many_more_needed": estimate.many_more_needed,
        "text": estimate.describe(),
    }


def summary_json(data: DashboardData) -> dict[str, Any]:
    """`report_dict` with the coverage, ping estimates, insights and trends beside its keys.

    The one plain-data form of a period: the dashboard's JSON export, the PDF report and
    `sec-desktop report --format json` all write this.
    """
    doc = dict(data.report_json)
    doc["summary_format"] = SUMMARY_FORMAT
    doc["summary_version"] = SUMMARY_VERSION
    doc["coverage"] = coverage_json(data.coverage)
    doc["estimates"] = [estimate_json(e) for e in data.estimates.values()]
    doc["insights"] = [
        {
            "kind": i.kind,
            "id": i.node_id,
            "severity": i.severity,
            "text": i.text,
            "weeks": [w.isoformat() for w in i.weeks],
        }
        for i in data.insights
    ]
    doc["trend"] = {"level": "domain", "weeks": _weeks_json(data.trend)}
    _add_week_plans(doc["trend"]["weeks"], data.trend_plans, data.report.domains)
    if data.focus_trend is not None:
        doc["focus_trend"] = {"level": "focus_area", "weeks": _weeks_json(data.focus_trend)}
        _add_week_plans(doc["focus_trend"]["weeks"], data.trend_plans, data.report.focus_areas)
    doc["plan"] = plan_json(data)
    doc["previous_period"] = previous_json(data)
    return doc


__all__ = [
    "TOP_ACTIVITIES",
    "DashboardData",
    "EntryFigures",
    "PeriodFigures",
    "coverage_json",
    "dashboard_data",
    "dashboard_from",
    "dashboard_span",
    "estimate_json",
    "plan_json",
    "previous_json",
    "previous_period",
    "summary_json",
    "trend_week_count",
]
