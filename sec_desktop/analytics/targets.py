"""Plan vs actual: target shares per quarter, checked against the benchmark bands.

A plan is a set of target shares for one calendar quarter ("2026-Q4"), per domain and per
focus area where the user wants one; every other node simply has no target. Targets are
fractions of tracked time, like the shares and bands they sit beside.

Rules, so the numbers stay honest:
- A target outside its band is allowed (the user may mean to move away from the benchmark);
  it carries a warning that names the band.
- Domain targets may add up to at most 100%; above that the plan is refused, because shares
  of the same tracked time can't add up to more than all of it. Below 100% with every domain
  set, the rest is unplanned, and a warning says how much.
- Focus-area targets may add up to at most 100%, in one domain and in all; above their
  domain's target they get a warning (the two levels disagree), not a refusal, so either may
  be edited first.
- A period that spans quarters gets the time-weighted mix: each quarter's target weighted by
  the period's local days in that quarter. A quarter without a target for a node leaves those
  days unplanned for it: the mix averages the days that have one, and `covered` says what
  fraction of the period that is.
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from sec_desktop.analytics.allocation import Allocation, AllocationReport, Verdict
from sec_desktop.analytics.periods import Period
from sec_desktop.framework import Band, BenchmarkProfile, Framework, Level

# A point target is met within this many points either way: in a 40-hour week one hour moves a
# share by 2.5 points, so anything closer than 2 points is as near as booking can aim.
ON_PLAN_TOLERANCE = 0.02
# Shares are sums of floats; a sum that is 100% up to rounding is 100%.
SUM_EPSILON = 1e-9

PlanStatus = Literal["below", "on_plan", "above", "no_data", "no_plan"]
IssueSeverity = Literal["warning", "error"]

_QUARTER_RE = re.compile(r"^\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*$")


class PlanError(ValueError):
    """A plan or target that can't be used; the message names what and why."""


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter of local days, e.g. 2026-Q4 (1 October to 31 December 2026)."""

    year: int
    number: int

    def __post_init__(self) -> None:
        if not 1 <= self.number <= 4:
            raise PlanError(f"quarter number {self.number} is not 1 to 4")
        # Trend weeks and the previous period may reach before 1970; a date's years bound it.
        if not 1 <= self.year <= 9999:
            raise PlanError(f"year {self.year} is outside 1 to 9999")

    @classmethod
    def parse(cls, text: str) -> Quarter:
        """`2026-Q4` (also `2026Q4`, `2026-q4`); anything else is a PlanError naming it."""
        match = _QUARTER_RE.match(text)
        if not match:
            raise PlanError(f"{text!r} is not a quarter; write it as YYYY-Qn, e.g. 2026-Q4")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def first(self) -> date:
        return date(self.year, 3 * (self.number - 1) + 1, 1)

    @property
    def last(self) -> date:
        end_month = 3 * self.number
        return date(self.year, end_month, calendar.monthrange(self.year, end_month)[1])

    def next(self) -> Quarter:
        return Quarter(self.year + self.number // 4, self.number % 4 + 1)

    def previous(self) -> Quarter:
        return Quarter(self.year - (self.number == 1), (self.number - 2) % 4 + 1)

    def __str__(self) -> str:
        return f"{self.year}-Q{self.number}"


def quarters_in(first: date, last: date) -> list[tuple[Quarter, int]]:
    """The quarters the days `first`..`last` touch, each with how many of those days it holds."""
    out: list[tuple[Quarter, int]] = []
    quarter = Quarter.of(first)
    while True:
        lo, hi = max(first, quarter.first), min(last, quarter.last)
        out.append((quarter, (hi - lo).days + 1))
        if quarter.last >= last:
            return out
        quarter = quarter.next()


@dataclass(frozen=True)
class PlanIssue:
    """A problem with a plan: a warning (kept, shown) or an error (the plan is refused)."""

    severity: IssueSeverity
    node_id: str | None  # None for the domain total
    text: str


@dataclass(frozen=True)
class QuarterPlan:
    """One quarter's targets: node id (a domain or focus area) to a fraction of tracked time."""

    quarter: Quarter
    targets: Mapping[str, float] = field(default_factory=dict)

    def target(self, node_id: str) -> float | None:
        return self.targets.get(node_id)


@dataclass(frozen=True)
class PeriodPlan:
    """The plan that applies to a period: the time-weighted mix of its quarters' targets.

    `covered[node]` is the fraction of the period's days whose quarter has a target for the
    node (1.0 inside one quarter that sets it); nodes with no target anywhere are absent.
    """

    period: Period
    quarters: tuple[Quarter, ...]
    targets: Mapping[str, float]
    covered: Mapping[str, float]

    def target(self, node_id: str) -> float | None:
        return self.targets.get(node_id)

    @property
    def is_empty(self) -> bool:
        return not self.targets


def _percent(fraction: float) -> str:
    return f"{fraction * 100:.1f}".rstrip("0").rstrip(".") + "%"


def band_text(band: Band) -> str:
    """E.g. "20-35%"."""
    return f"{_percent(band.low)[:-1]}-{_percent(band.high)}"


def check_target(node_id: str, share: float, framework: Framework) -> None:
    """Refuse a target no plan can hold: an unknown node, an activity, a share outside 0-100%."""
    if node_id not in framework:
        raise PlanError(f"there is no domain or focus area {node_id!r}")
    node = framework[node_id]
    if node.level is Level.ACTIVITY:
        raise PlanError(
            f"{framework.path_label(node_id)} is an activity; targets are for domains and "
            "focus areas only"
        )
    if isinstance(share, bool) or not isinstance(share, int | float) or not math.isfinite(share):
        raise PlanError(f"the target for {node.label} must be a number, not {share!r}")
    if not 0.0 <= share <= 1.0:
        raise PlanError(
            f"the target for {node.label} is {share * 100:g}%; it must be between 0 and 100%"
        )


def check_plan(
    targets: Mapping[str, float], framework: Framework, profile: BenchmarkProfile
) -> list[PlanIssue]:
    """Everything worth saying about a set of targets, errors first, in framework order.

    Errors: domain targets above 100% in all, focus-area targets above 100% in one domain or
    in all.
    Warnings: a target outside its band (naming the band), focus areas above their domain's
    target, every domain set yet less than 100% in all.
    """
    errors: list[PlanIssue] = []
    warnings: list[PlanIssue] = []
    domains = framework.domains
    domain_sum = sum(targets.get(d.id, 0.0) for d in domains)
    if domain_sum > 1.0 + SUM_EPSILON:
        errors.append(
            PlanIssue(
                "error",
                None,
                f"the domain targets add up to {_percent(domain_sum)}; they can't be more than "
                "100% of the tracked time",
            )
        )
    elif all(d.id in targets for d in domains) and domain_sum < 1.0 - SUM_EPSILON:
        warnings.append(
            PlanIssue(
                "warning",
                None,
                f"the domain targets add up to {_percent(domain_sum)}; "
                f"{_percent(1.0 - domain_sum)} of the time is unplanned",
            )
        )
    all_areas = sum(
        share for node_id, share in targets.items() if _is_focus_area(framework, node_id)
    )
    area_errors = 0
    for domain in domains:
        set_areas = [a for a in framework.children(domain.id) if a.id in targets]
        area_sum = sum(targets[a.id] for a in set_areas)
        if area_sum > 1.0 + SUM_EPSILON:
            errors.append(
                PlanIssue(
                    "error",
                    domain.id,
                    f"the focus-area targets in {domain.label} add up to {_percent(area_sum)}; "
                    "they can't be more than 100%",
                )
            )
            area_errors += 1
        elif domain.id in targets and area_sum > targets[domain.id] + SUM_EPSILON:
            warnings.append(
                PlanIssue(
                    "warning",
                    domain.id,
                    f"the focus-area targets in {domain.label} add up to {_percent(area_sum)}, "
                    f"more than its own target of {_percent(targets[domain.id])}",
                )
            )
    if not area_errors and all_areas > 1.0 + SUM_EPSILON:
        errors.append(
            PlanIssue(
                "error",
                None,
                f"the focus-area targets add up to {_percent(all_areas)}; they can't be more "
                "than 100% of the tracked time",
            )
        )
    for node in framework.walk():
        if node.id not in targets:
            continue
        band = profile.bands.get(node.id)
        share = targets[node.id]
        if band is not None and not band.contains(share):
            side = "below" if share < band.low else "above"
            warnings.append(
                PlanIssue(
                    "warning",
                    node.id,
                    f"{node.label}: the target {_percent(share)} is {side} the "
                    f"{profile.label} band of {band_text(band)}",
                )
            )
    return errors + warnings


def _is_focus_area(framework: Framework, node_id: str) -> bool:
    return node_id in framework and framework[node_id].level is Level.FOCUS_AREA


def prefill(framework: Framework, profile: BenchmarkProfile) -> dict[str, float]:
    """Targets from the profile: its own target where a band names one, else the midpoint.

    Only nodes with a band get one; domain midpoints are scaled down when they add up to more
    than 100% (e.g. the full-range profile's 27.5 + 50 + 20 = 97.5% does not need it).
    """
    out: dict[str, float] = {}
    for node in framework.walk():
        band = profile.bands.get(node.id)
        if band is None or node.level is Level.ACTIVITY:
            continue
        out[node.id] = band.target if band.target is not None else (band.low + band.high) / 2
    domain_ids = [d.id for d in framework.domains]
    domain_sum = sum(out.get(d, 0.0) for d in domain_ids)
    if domain_sum > 1.0:
        for d in domain_ids:
            if d in out:
                out[d] /= domain_sum
    return out


class Plans:
    """All the user's quarter plans; `plan_for(period)` gives the one a period is judged by."""

    def __init__(self, quarters: Iterable[QuarterPlan] = ()) -> None:
        self._by_quarter: dict[Quarter, QuarterPlan] = {}
        for plan in quarters:
            if plan.targets:
                self._by_quarter[plan.quarter] = plan

    def quarter(self, quarter: Quarter) -> QuarterPlan:
        return self._by_quarter.get(quarter) or QuarterPlan(quarter, {})

    def quarters(self) -> list[Quarter]:
        return sorted(self._by_quarter)

    def plan_for(self, period: Period) -> PeriodPlan:
        """The time-weighted mix of the quarters `period` touches (see the module docstring)."""
        spans = quarters_in(period.first, period.last)
        total_days = sum(days for _, days in spans)
        weighted: dict[str, float] = {}
        days_with: dict[str, int] = {}
        for quarter, days in spans:
            for node_id, share in self.quarter(quarter).targets.items():
                weighted[node_id] = weighted.get(node_id, 0.0) + share * days
                days_with[node_id] = days_with.get(node_id, 0) + days
        return PeriodPlan(
            period=period,
            quarters=tuple(q for q, _ in spans),
            targets={n: weighted[n] / days_with[n] for n in weighted},
            covered={n: days_with[n] / total_days for n in days_with},
        )


@dataclass(frozen=True)
class PlanVerdict:
    """Where a share sits against its target; `distance` in fractions (0.05 = 5 points)."""

    status: PlanStatus
    distance: float = 0.0

    def describe(self) -> str:
        if self.status == "no_plan":
            return "no plan"
        if self.status == "no_data":
            return "no data"
        if self.status == "on_plan":
            return "on plan"
        return f"{self.status} plan by {self.distance * 100:.1f} pts"


def plan_verdict(share: float, target: float | None, total_seconds: float) -> PlanVerdict:
    if target is None:
        return PlanVerdict("no_plan")
    if total_seconds <= 0:
        return PlanVerdict("no_data")
    if abs(share - target) <= ON_PLAN_TOLERANCE + SUM_EPSILON:
        return PlanVerdict("on_plan")
    if share < target:
        return PlanVerdict("below", target - share)
    return PlanVerdict("above", share - target)


@dataclass(frozen=True)
class PlanRow:
    """One domain or focus area: actual share, plan target, band, and both verdicts."""

    id: str
    label: str
    level: Level
    seconds: float
    actual: float
    plan: float | None
    plan_covered: float  # fraction of the period the target applies to (see PeriodPlan)
    band: Band | None
    band_verdict: Verdict | None
    verdict: PlanVerdict


def _row(item: Allocation, plan: PeriodPlan, total_seconds: float) -> PlanRow:
    target = plan.target(item.id)
    return PlanRow(
        id=item.id,
        label=item.label,
        level=item.level,
        seconds=item.seconds,
        actual=item.share,
        plan=target,
        plan_covered=plan.covered.get(item.id, 0.0),
        band=item.band,
        band_verdict=item.verdict,
        verdict=plan_verdict(item.share, target, total_seconds),
    )


def comparison_rows(
    report: AllocationReport, plan: PeriodPlan, *, level: Level | None = None
) -> list[PlanRow]:
    """Actual, plan, band and verdicts for the report's domains then focus areas (or one level).

    `plan` should be `plans.plan_for(report.period)`; a plan for another period is refused.
    """
    if plan.period != report.period:
        raise PlanError(
            f"the plan is for {plan.period.first} to {plan.period.last}, the report for "
            f"{report.period.first} to {report.period.last}"
        )
    items: list[Allocation] = []
    if level in (None, Level.DOMAIN):
        items += report.domains
    if level in (None, Level.FOCUS_AREA):
        items += report.focus_areas
    return [_row(item, plan, report.total_seconds) for item in items]


__all__ = [
    "ON_PLAN_TOLERANCE",
    "PeriodPlan",
    "PlanError",
    "PlanIssue",
    "PlanRow",
    "PlanVerdict",
    "Plans",
    "Quarter",
    "QuarterPlan",
    "band_text",
    "check_plan",
    "check_target",
    "comparison_rows",
    "plan_verdict",
    "prefill",
    "quarters_in",
]
