"""Sentences that compare a period with its plan and with the period before it, for the
one-page report (and any view that wants the same words). No Qt here."""

from __future__ import annotations

from collections.abc import Sequence

from sec_desktop.analytics.allocation import AllocationReport
from sec_desktop.analytics.targets import PeriodPlan, PlanRow
from sec_desktop.analytics.text import duration, pct, period_text
from sec_desktop.framework import Level

# Below this, a change of share is "no change": it is smaller than one decimal of a percent.
SAME_SHARE = 0.0005
MINUS = "\u2212"


def _points(change: float) -> str:
    if abs(change) < SAME_SHARE:
        return "\u00b10 pts"
    sign = "+" if change > 0 else MINUS
    return f"{sign}{abs(change) * 100:.1f} pts"


def _time_change(change_seconds: float) -> str:
    if round(change_seconds / 60) == 0:
        return "the same"
    sign = "+" if change_seconds > 0 else MINUS
    return f"{sign}{duration(abs(change_seconds))}"


def period_over_period(current: AllocationReport, previous: AllocationReport | None) -> str:
    """This period against the previous one of the same length, in one sentence: tracked time
    and each domain's share with its change in points."""
    if previous is None:
        return ""
    days = (current.period.last - current.period.first).days + 1
    compared = (previous.period.last - previous.period.first).days + 1
    if compared < days:
        # The period is under way: its days so far against as many days of the one before.
        before = (
            f"{period_text(previous.period)}, the first {compared} of the {days} days before "
            "(this period is under way)"
        )
    else:
        before = f"{period_text(previous.period)}, the {days} day{'s' if days != 1 else ''} before"
    if previous.total_seconds <= 0:
        return f"Against {before}: nothing was tracked then, so there is nothing to compare."
    if current.total_seconds <= 0:
        return (
            f"Against {before}: {duration(previous.total_seconds)} was tracked then, "
            "nothing in this period."
        )
    shares_before = {a.id: a.share for a in previous.domains}
    domains = ", ".join(
        f"{a.label} {pct(a.share)} ({_points(a.share - shares_before.get(a.id, 0.0))})"
        for a in current.domains
    )
    tracked = _time_change(current.total_seconds - previous.total_seconds)
    return f"Against {before}: tracked {duration(current.total_seconds)} ({tracked}); {domains}."


def plan_summary(plan: PeriodPlan | None, rows: Sequence[PlanRow]) -> str:
    """Which quarters' plan applies, and each planned domain's share against its target."""
    if plan is None or plan.is_empty:
        return "No plan for this period."
    first, last = plan.quarters[0], plan.quarters[-1]
    quarters = str(first) if first == last else f"{first} to {last}"
    mixed = " (mixed by days)" if len(plan.quarters) > 1 else ""
    planned = [r for r in rows if r.plan is not None and r.level is Level.DOMAIN]
    planned += [r for r in rows if r.plan is not None and r.level is Level.FOCUS_AREA]
    parts = [
        f"{r.label} {pct(r.actual)} vs {pct(r.plan or 0.0)}, {r.verdict.describe()}"
        for r in planned
    ]
    partial = [r.label for r in planned if r.plan_covered < 1.0]
    text = f"Plan {quarters}{mixed}: " + ("; ".join(parts) if parts else "no targets") + "."
    if partial:
        text += f" Targets cover only part of the period for {', '.join(partial)}."
    return text


__all__ = ["period_over_period", "plan_summary"]
