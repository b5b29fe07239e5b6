"""The weekly review in numbers: last week against plan and band, the change from the week
before, the insights, and drift alerts that only speak when the numbers support them. No Qt.

A drift alert ("Strategy under its band 4 weeks running, and under your plan") needs a run
of at least `DRIFT_MIN_WEEKS` tracked weeks, each outside the band on the same side, and the
95% interval of the run's mean weekly share (Student's t over those weeks) wholly outside the
band too. Or the trend: over the last `TREND_DRIFT_WEEKS` tracked weeks a least-squares line
whose slope's 95% interval excludes zero, carrying the share out of the band, with last week
out of it ("Strategy falling out of its band"). Weeks that wobble around an edge give wide
intervals that reach into the band or across zero, so noise never raises an alert. At most
`MAX_DRIFT_ALERTS` a week, the clearest first.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from sec_desktop.analytics.allocation import AllocationReport, allocate
from sec_desktop.analytics.insights import MIN_WEEK_TRACKED_S, Insight, insights_from_reports
from sec_desktop.analytics.periods import Period
from sec_desktop.analytics.targets import PeriodPlan, Plans, PlanVerdict, comparison_rows
from sec_desktop.analytics.trends import DEFAULT_TREND_WEEKS, week_periods, weekly_reports
from sec_desktop.framework import Band, BenchmarkProfile, Framework, Level, Node
from sec_desktop.store import Entry

DRIFT_MIN_WEEKS = 4
TREND_DRIFT_WEEKS = 6
MAX_DRIFT_ALERTS = 2
# The two-sided 95% quantile of Student's t by degrees of freedom (1 to 30); beyond, the
# normal 1.96 is within 0.05 of it. tests/unit/analytics/test_review.py checks each value
# against the t distribution itself.
T_975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip
Z_975 = 1.96

Direction = Literal["below", "above"]


def t_975(degrees: int) -> float:
    if degrees < 1:
        raise ValueError(f"a t interval needs at least 2 weeks (got {degrees + 1})")
    return T_975[degrees - 1] if degrees <= len(T_975) else Z_975


def slope_interval(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float, float, float]:
    """The least-squares line through (xs, ys): its value at the last x, its slope and the
    slope's 95% interval (Student's t with n - 2 degrees of freedom), as
    (end, slope, low, high)."""
    n = len(xs)
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sxx
    residuals = [y - (mean_y + slope * (x - mean_x)) for x, y in zip(xs, ys, strict=True)]
    spread = math.sqrt(sum(r * r for r in residuals) / (n - 2) / sxx)
    half = t_975(n - 2) * spread
    return mean_y + slope * (xs[-1] - mean_x), slope, slope - half, slope + half


def mean_interval(values: Sequence[float]) -> tuple[float, float, float]:
    """The mean of `values` and its 95% interval (Student's t), as (mean, low, high)."""
    mean = statistics.fmean(values)
    half = t_975(len(values) - 1) * statistics.stdev(values) / math.sqrt(len(values))
    return mean, mean - half, mean + half


@dataclass(frozen=True)
class ReviewRow:
    """A domain or focus area last week: its share, plan and band, and the change in points
    from the week before (None when either week has nothing tracked)."""

    id: str
    label: str
    level: Level
    seconds: float
    actual: float
    previous: float | None
    change_pts: float | None
    plan: float | None
    band: Band | None
    band_text: str
    plan_verdict: PlanVerdict


@dataclass(frozen=True)
class DriftAlert:
    """A node outside its band for `weeks` tracked weeks, or sliding out of it over them, with
    the numbers that support it."""

    node_id: str
    direction: Direction
    weeks: tuple[date, ...]
    mean: float
    low: float
    high: float
    band: Band
    text: str
    detail: str
    # "run": weeks outside the band with their mean's interval; "trend": a significant slope.
    kind: Literal["run", "trend"] = "run"

    @property
    def margin(self) -> float:
        """How far the whole interval lies outside the band; larger is clearer."""
        return self.band.low - self.high if self.direction == "below" else self.low - self.band.high


@dataclass(frozen=True)
class WeeklyReview:
    """Everything the review window shows for one week (its Monday is `week`)."""

    week: date
    period: Period
    tracked_seconds: float
    previous_tracked_seconds: float
    rows: list[ReviewRow]
    insights: list[Insight]
    alerts: list[DriftAlert]
    unanswered_away: list[tuple[datetime, datetime]]
    has_plan: bool


def review_span(
    week: date, tz: ZoneInfo, weeks: int = DEFAULT_TREND_WEEKS
) -> tuple[datetime, datetime]:
    """The UTC span whose entries `weekly_review` needs: `weeks` weeks ending with `week`."""
    periods = week_periods(week, tz, weeks)
    return periods[0].start, periods[-1].end


def _pct(fraction: float) -> str:
    return f"{fraction * 100:.0f}%"


def _band_text(band: Band | None) -> str:
    if band is None:
        return ""
    return f"{band.low * 100:g}-{band.high * 100:g}%"


def _consecutive(weeks: Sequence[date]) -> bool:
    return all(b - a == timedelta(weeks=1) for a, b in itertools.pairwise(weeks))


def drift_alerts(
    reports: Sequence[AllocationReport],
    framework: Framework,
    profile: BenchmarkProfile,
    plan: PeriodPlan | None = None,
    *,
    limit: int = MAX_DRIFT_ALERTS,
) -> list[DriftAlert]:
    """The drift alerts over weekly reports (oldest first, the reviewed week last).

    Only weeks with at least `MIN_WEEK_TRACKED_S` tracked count; the reviewed week must be
    one of them, or there is nothing to say about it. `plan` (the reviewed week's) adds
    whether the drift is against the user's plan too.
    """
    usable = [r for r in reports if r.total_seconds >= MIN_WEEK_TRACKED_S]
    if not usable or not reports or usable[-1] is not reports[-1]:
        return []
    found: list[DriftAlert] = []
    nodes = [*framework.of_level(Level.DOMAIN), *framework.of_level(Level.FOCUS_AREA)]
    for node in nodes:
        band = profile.bands.get(node.id)
        if band is None:
            continue
        shares = [_share(r, node.id) for r in usable]
        weeks = [r.period.first for r in usable]
        alert = _drift(node, band, shares, weeks, plan) or _trend_drift(
            node, band, shares, weeks, plan
        )
        if alert is not None:
            found.append(alert)
    found.sort(key=lambda a: -a.margin)
    return found[:limit]


def _share(report: AllocationReport, node_id: str) -> float:
    for row in (*report.domains, *report.focus_areas):
        if row.id == node_id:
            return row.share
    return 0.0


def _drift(
    node: Node,
    band: Band,
    shares: Sequence[float],
    weeks: Sequence[date],
    plan: PeriodPlan | None,
) -> DriftAlert | None:
    last = shares[-1]
    if band.low <= last <= band.high:
        return None
    direction: Direction = "below" if last < band.low else "above"

    def outside(share: float) -> bool:
        return share < band.low if direction == "below" else share > band.high

    run = 0
    for share in reversed(shares):
        if not outside(share):
            break
        run += 1
    if run < DRIFT_MIN_WEEKS:
        return None
    run_shares, run_weeks = shares[-run:], tuple(weeks[-run:])
    mean, low, high = mean_interval(run_shares)
    if (direction == "below" and high >= band.low) or (direction == "above" and low <= band.high):
        return None
    when = (
        f"{run} weeks running"
        if _consecutive(run_weeks)
        else f"in each of the last {run} tracked weeks"
    )
    side = "under" if direction == "below" else "over"
    text = f"{node.label} {side} its band {when}" + _plan_words(node, direction, last, plan)
    detail = (
        f"{_pct(mean)} on average (95% interval {_pct(max(low, 0.0))}-{_pct(min(high, 1.0))}); "
        f"band {_band_text(band)}"
    )
    return DriftAlert(node.id, direction, run_weeks, mean, low, high, band, text, detail)


def _plan_words(node: Node, direction: Direction, last: float, plan: PeriodPlan | None) -> str:
    target = plan.target(node.id) if plan is not None else None
    if target is None:
        return ""
    side = "under" if direction == "below" else "over"
    if (direction == "below" and last < target) or (direction == "above" and last > target):
        return f", and {side} your plan"
    return f", though your plan is {_pct(target)}"


def _trend_drift(
    node: Node,
    band: Band,
    shares: Sequence[float],
    weeks: Sequence[date],
    plan: PeriodPlan | None,
) -> DriftAlert | None:
    """A steady slide out of the band, before a run of weeks outside it could say so."""
    if len(shares) < TREND_DRIFT_WEEKS:
        return None
    ys, window = shares[-TREND_DRIFT_WEEKS:], tuple(weeks[-TREND_DRIFT_WEEKS:])
    xs = [(w - window[0]).days / 7 for w in window]
    end, slope, low, high = slope_interval(xs, ys)
    last = ys[-1]
    if high < 0 and last < band.low and end < band.low:
        direction: Direction = "below"
    elif low > 0 and last > band.high and end > band.high:
        direction = "above"
    else:
        return None
    verb = "falling under" if direction == "below" else "rising over"
    span = int(xs[-1]) + 1
    text = f"{node.label} {verb} its band" + _plan_words(node, direction, last, plan)
    slow, fast = sorted((abs(low) * 100, abs(high) * 100))
    detail = (
        f"from {_pct(ys[0])} to {_pct(last)} over {span} weeks, {abs(slope) * 100:.1f} pts a "
        f"week (95% interval {slow:.1f}-{fast:.1f}); band {_band_text(band)}"
    )
    # The line's end stands for both ends of the margin: how far out the trend has carried it.
    return DriftAlert(node.id, direction, window, end, end, end, band, text, detail, "trend")


def weekly_review(
    entries: Iterable[Entry],
    framework: Framework,
    profile: BenchmarkProfile,
    plans: Plans,
    *,
    week: date,
    tz: ZoneInfo,
    unanswered_away: Sequence[tuple[datetime, datetime]] = (),
    weeks: int = DEFAULT_TREND_WEEKS,
) -> WeeklyReview:
    """The review of the week starting `week` (a Monday); `entries` should cover
    `review_span(week, tz, weeks)`."""
    if week.weekday() != 0:
        raise ValueError(f"a review week starts on a Monday, not on {week.isoformat()}")
    items = list(entries)
    periods = week_periods(week, tz, max(weeks, DRIFT_MIN_WEEKS))
    reports = weekly_reports(items, framework, periods)
    period = periods[-1]
    report = allocate(items, framework, period, profile)
    previous = allocate(items, framework, periods[-2], profile) if len(periods) > 1 else None
    plan = plans.plan_for(period)
    previous_shares = (
        {row.id: row.share for row in (*previous.domains, *previous.focus_areas)}
        if previous is not None and previous.total_seconds > 0
        else {}
    )
    rows = []
    for row in comparison_rows(report, plan):
        before = previous_shares.get(row.id)
        has_both = before is not None and report.total_seconds > 0
        rows.append(
            ReviewRow(
                id=row.id,
                label=row.label,
                level=row.level,
                seconds=row.seconds,
                actual=row.actual,
                previous=before,
                change_pts=(row.actual - before) * 100 if has_both and before is not None else None,
                plan=row.plan,
                band=row.band,
                band_text=row.band_verdict.describe() if row.band_verdict else "no band",
                plan_verdict=row.verdict,
            )
        )
    alerts = drift_alerts(reports, framework, profile, plan)
    return WeeklyReview(
        week=week,
        period=period,
        tracked_seconds=report.total_seconds,
        previous_tracked_seconds=previous.total_seconds if previous is not None else 0.0,
        rows=rows,
        insights=_not_said(insights_from_reports(reports, framework, profile), alerts),
        alerts=alerts,
        unanswered_away=sorted(unanswered_away),
        has_plan=not plan.is_empty,
    )


# The insight that says what an alert of each kind already says, about the same node.
_SAID_BY = {"run": "out_of_band_streak", "trend": "trend"}


def _not_said(found: list[Insight], alerts: Sequence[DriftAlert]) -> list[Insight]:
    """The insights less those an alert above them already says."""
    said = {(a.node_id, _SAID_BY[a.kind]) for a in alerts}
    return [i for i in found if (i.node_id, i.kind) not in said]


def notification_text(review: WeeklyReview) -> str:
    """The nudge's text: the week, open away time first, then the drift alerts."""
    parts = [f"Last week ({review.period.first:%d %b} - {review.period.last:%d %b}) is ready."]
    if review.unanswered_away:
        count = len(review.unanswered_away)
        parts.append(f"{count} away span{'s' if count != 1 else ''} to answer first.")
    parts += [f"{alert.text}." for alert in review.alerts]
    return " ".join(parts)


__all__ = [
    "DRIFT_MIN_WEEKS",
    "MAX_DRIFT_ALERTS",
    "DriftAlert",
    "ReviewRow",
    "WeeklyReview",
    "drift_alerts",
    "mean_interval",
    "notification_text",
    "review_span",
    "slope_interval",
    "t_975",
    "weekly_review",
]
