"""Plain-word findings from rolling windows of weekly shares, e.g. "Strategy below 20% in 4 of
the last 6 weeks". A rule speaks only about weeks with enough tracked time to mean something.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from sec_desktop.analytics.allocation import AllocationReport, band_verdict, clipped_seconds
from sec_desktop.analytics.trends import (
    DEFAULT_TREND_WEEKS,
    week_periods,
    weekly_reports,
)
from sec_desktop.framework import Band, BenchmarkProfile, Framework, Level, Node
from sec_desktop.store import Entry

Severity = Literal["info", "warning"]
InsightKind = Literal["out_of_band_streak", "out_of_band_often", "no_time", "trend", "in_band"]

# A week with less tracked time than this (a holiday, a sick week) says nothing about shares.
MIN_WEEK_TRACKED_S = 5 * 3600
OFTEN_WINDOW_WEEKS = 6  # "below 20% in 4 of the last 6 weeks"
OFTEN_MIN_WEEKS = 4
STREAK_MIN_WEEKS = 4  # "under 7% for a month"
IN_BAND_MIN_WEEKS = 8  # "within its band for 8 weeks running"
NO_TIME_MIN_WEEKS = 6  # "no time on Partnership Strategy in 6 weeks"
TREND_WINDOW_WEEKS = 6
TREND_MIN_CHANGE = 0.08  # 8 points over the window, by a least-squares line

# Lower sorts first among insights of the same severity.
_KIND_ORDER: dict[str, int] = {
    "out_of_band_streak": 0,
    "no_time": 1,
    "out_of_band_often": 2,
    "trend": 3,
    "in_band": 4,
}


@dataclass(frozen=True)
class Insight:
    """One finding: what kind, about which node, how serious, in words, and the weeks it reads.

    `spans` are those weeks as UTC [start, end) spans: the time the finding is about is the
    node's time inside them (`insight_entries` finds the entries behind it).
    """

    kind: InsightKind
    node_id: str
    severity: Severity
    text: str
    weeks: tuple[date, ...]
    spans: tuple[tuple[datetime, datetime], ...] = ()


def _pct(fraction: float) -> str:
    """A band edge as the framework states it: 20%, 27.5%."""
    return f"{fraction * 100:g}%"


def _whole_pct(fraction: float) -> str:
    return f"{max(fraction, 0.0) * 100:.0f}%"


def _consecutive(weeks: Sequence[date]) -> bool:
    return all(b - a == timedelta(weeks=1) for a, b in itertools.pairwise(weeks))


class _Rules:
    """The rules over one run of weekly reports; each method adds what it finds."""

    def __init__(
        self, reports: Sequence[AllocationReport], framework: Framework, profile: BenchmarkProfile
    ) -> None:
        self.framework = framework
        self.profile = profile
        self.usable = [r for r in reports if r.total_seconds >= MIN_WEEK_TRACKED_S]
        self.seconds = [
            {row.id: row.seconds for row in (*r.domains, *r.focus_areas)} for r in self.usable
        ]
        self.found: list[Insight] = []

    def share(self, index: int, node_id: str) -> float:
        return self.seconds[index].get(node_id, 0.0) / self.usable[index].total_seconds

    def week(self, index: int) -> date:
        return self.usable[index].period.first

    def trailing(self, test: Iterable[bool]) -> int:
        """How many of the latest usable weeks, counting back, pass `test` in a row."""
        count = 0
        for passed in reversed(list(test)):
            if not passed:
                break
            count += 1
        return count

    def add(self, kind: InsightKind, node: Node, severity: Severity, text: str, idx: range) -> None:
        weeks = tuple(self.week(i) for i in idx)
        spans = tuple((self.usable[i].period.start, self.usable[i].period.end) for i in idx)
        self.found.append(Insight(kind, node.id, severity, text, weeks, spans))

    def status(self, index: int, node_id: str, band: Band) -> str:
        return band_verdict(self.share(index, node_id), band, 1.0).status

    # Rules ------------------------------------------------------------------------------

    def banded(self, node: Node, band: Band) -> None:
        n = len(self.usable)
        if n == 0:
            return
        statuses = [self.status(i, node.id, band) for i in range(n)]
        last = statuses[-1]
        run = self.trailing(s == last for s in statuses)
        run_idx = range(n - run, n)
        run_weeks = [self.week(i) for i in run_idx]
        if last in ("below", "above") and run >= STREAK_MIN_WEEKS:
            edge = f"under {_pct(band.low)}" if last == "below" else f"over {_pct(band.high)}"
            if not _consecutive(run_weeks):
                when = f"in each of the last {run} tracked weeks"
            elif run == STREAK_MIN_WEEKS:
                when = "for a month"
            else:
                when = f"for {run} weeks running"
            self.add("out_of_band_streak", node, "warning", f"{node.label} {edge} {when}", run_idx)
            return
        if last == "within" and run >= IN_BAND_MIN_WEEKS:
            when = (
                f"for {run} weeks running"
                if _consecutive(run_weeks)
                else f"in each of the last {run} tracked weeks"
            )
            self.add("in_band", node, "info", f"{node.label} within its band {when}", run_idx)
        if n < OFTEN_WINDOW_WEEKS:
            return
        window = range(n - OFTEN_WINDOW_WEEKS, n)
        tracked = "" if _consecutive([self.week(i) for i in window]) else " tracked"
        for direction, limit in (("below", band.low), ("above", band.high)):
            count = sum(1 for i in window if statuses[i] == direction)
            if count >= OFTEN_MIN_WEEKS:
                text = (
                    f"{node.label} {direction} {_pct(limit)} in {count} of the last "
                    f"{OFTEN_WINDOW_WEEKS}{tracked} weeks"
                )
                self.add("out_of_band_often", node, "warning", text, window)

    def no_time(self, node: Node) -> None:
        """A focus area dropped for weeks; one never tracked in the window is news only when
        its band asks for time (otherwise every unused focus area would be listed)."""
        n = len(self.usable)
        run = self.trailing(self.seconds[i].get(node.id, 0.0) <= 0 for i in range(n))
        if run < NO_TIME_MIN_WEEKS:
            return
        band = self.profile.bands.get(node.id)
        wanted = band is not None and band.low > 0
        if run == n and not wanted:
            return
        severity: Severity = "warning" if wanted else "info"
        if run == n:
            when = (
                f"in the last {run} weeks"
                if _consecutive([self.week(i) for i in range(n)])
                else f"in the last {run} tracked weeks"
            )
        else:
            when = f"in {run} weeks"
        self.add("no_time", node, severity, f"No time on {node.label} {when}", range(n - run, n))

    def trend(self, node: Node) -> None:
        n = len(self.usable)
        if n < TREND_WINDOW_WEEKS:
            return
        idx = range(n - TREND_WINDOW_WEEKS, n)
        first = self.week(idx[0])
        xs = [(self.week(i) - first).days / 7 for i in idx]
        ys = [self.share(i, node.id) for i in idx]
        mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
        sxx = sum((x - mean_x) ** 2 for x in xs)
        slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sxx
        start = mean_y + slope * (xs[0] - mean_x)
        end = mean_y + slope * (xs[-1] - mean_x)
        change = end - start
        if abs(change) < TREND_MIN_CHANGE:
            return
        rising = change > 0
        band = self.profile.bands.get(node.id)
        leaving = band is not None and (
            (rising and end > band.high) or (not rising and end < band.low)
        )
        span = int(xs[-1]) + 1
        text = (
            f"{node.label} {'rising' if rising else 'falling'}: about {abs(change) * 100:.0f} "
            f"points over the last {span} weeks (from {_whole_pct(start)} to {_whole_pct(end)})"
        )
        self.add("trend", node, "warning" if leaving else "info", text, idx)


def _deduplicated(found: list[Insight]) -> list[Insight]:
    """Drop findings another one already says: "no time" covers "below" and "falling"."""
    silent = {i.node_id for i in found if i.kind == "no_time"}
    out: list[Insight] = []
    seen: set[tuple[str, str]] = set()
    for insight in found:
        if insight.node_id in silent and insight.kind != "no_time":
            continue
        key = (insight.node_id, insight.text)
        if key in seen:
            continue
        seen.add(key)
        out.append(insight)
    return out


def insights_from_reports(
    reports: Sequence[AllocationReport], framework: Framework, profile: BenchmarkProfile
) -> list[Insight]:
    """The findings over consecutive weekly reports (oldest first), most important first."""
    rules = _Rules(reports, framework, profile)
    order = {node_id: i for i, node_id in enumerate(framework.nodes)}
    for node in [*framework.of_level(Level.DOMAIN), *framework.of_level(Level.FOCUS_AREA)]:
        band = profile.bands.get(node.id)
        if band is not None:
            rules.banded(node, band)
        if node.level is Level.FOCUS_AREA:
            rules.no_time(node)
        if node.level is Level.DOMAIN or band is not None:
            rules.trend(node)
    found = _deduplicated(rules.found)
    found.sort(
        key=lambda i: (i.severity != "warning", _KIND_ORDER[i.kind], order.get(i.node_id, 0))
    )
    return found


def insights(
    entries: Iterable[Entry],
    framework: Framework,
    profile: BenchmarkProfile,
    last_day: date,
    tz: ZoneInfo,
    *,
    weeks: int = DEFAULT_TREND_WEEKS,
) -> list[Insight]:
    """Findings over the `weeks` weeks ending with the week of `last_day`, most important first."""
    reports = weekly_reports(entries, framework, week_periods(last_day, tz, weeks))
    return insights_from_reports(reports, framework, profile)


def insight_entries(
    insight: Insight, entries: Iterable[Entry], framework: Framework
) -> list[Entry]:
    """The entries an insight is about: on its node (or below it) and inside its weeks."""
    found = []
    for entry in entries:
        if entry.is_deleted or entry.activity not in framework:
            continue
        if insight.node_id not in {n.id for n in framework.ancestors(entry.activity)}:
            continue
        if any(clipped_seconds(entry, lo, hi) > 0 for lo, hi in insight.spans):
            found.append(entry)
    return found


__all__ = [
    "IN_BAND_MIN_WEEKS",
    "MIN_WEEK_TRACKED_S",
    "NO_TIME_MIN_WEEKS",
    "OFTEN_MIN_WEEKS",
    "OFTEN_WINDOW_WEEKS",
    "STREAK_MIN_WEEKS",
    "TREND_MIN_CHANGE",
    "TREND_WINDOW_WEEKS",
    "Insight",
    "Severity",
    "insight_entries",
    "insights",
    "insights_from_reports",
]
