"""Where the time went: seconds and shares per domain, focus area and activity, and band verdicts.

One computation serves the CLI report, the dashboard and exported reports, so the same period
shows the same numbers everywhere.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from sec_desktop.analytics.periods import Period
from sec_desktop.framework import Band, BenchmarkProfile, Framework, Level
from sec_desktop.store import Entry

Status = Literal["below", "within", "above", "no_data"]


@dataclass(frozen=True)
class Verdict:
    """Where a share sits against its band; `distance` is in fractions (0.05 = 5 points)."""

    status: Status
    distance: float

    def describe(self) -> str:
        if self.status == "no_data":
            return "no data"
        if self.status == "within":
            return "within"
        return f"{self.status} by {self.distance * 100:.1f} pts"


def band_verdict(share: float, band: Band, total_seconds: float) -> Verdict:
    if total_seconds <= 0:
        return Verdict("no_data", 0.0)
    if band.contains(share):
        return Verdict("within", 0.0)
    if share < band.low:
        return Verdict("below", band.low - share)
    return Verdict("above", share - band.high)


@dataclass(frozen=True)
class Allocation:
    id: str
    label: str
    level: Level
    seconds: float
    share: float
    band: Band | None = None
    verdict: Verdict | None = None

    @property
    def minutes(self) -> float:
        return self.seconds / 60.0


@dataclass(frozen=True)
class AllocationReport:
    """Shares are fractions of all tracked time in the period (overlaps count twice)."""

    period: Period
    profile: BenchmarkProfile
    total_seconds: float
    domains: list[Allocation]
    focus_areas: list[Allocation]
    activities: list[Allocation]
    # Time tagged at a level above `activity` counts at that level and above, never below.
    tagged_seconds_by_level: dict[Level, float]
    # Activity ids the framework doesn't know (e.g. a custom one from another device).
    unknown: list[tuple[str, float]]
    entry_count: int

    @property
    def total_minutes(self) -> float:
        return self.total_seconds / 60.0


def clipped_seconds(entry: Entry, start: datetime, end: datetime) -> float:
    """Seconds of `entry` inside [start, end); subtraction in UTC, so DST can't skew it."""
    lo = max(entry.start, start)
    hi = min(entry.end, end)
    return max(0.0, (hi - lo).total_seconds())


def allocate(
    entries: Iterable[Entry],
    framework: Framework,
    period: Period,
    profile: BenchmarkProfile,
) -> AllocationReport:
    start, end = period.start, period.end
    seconds: dict[str, float] = defaultdict(float)
    by_level: dict[Level, float] = defaultdict(float)
    unknown: dict[str, float] = defaultdict(float)
    total = 0.0
    count = 0
    for entry in entries:
        if entry.is_deleted:
            continue
        secs = clipped_seconds(entry, start, end)
        if secs <= 0:
            continue
        count += 1
        total += secs
        if entry.activity not in framework:
            unknown[entry.activity] += secs
            continue
        node = framework[entry.activity]
        by_level[node.level] += secs
        for ancestor in framework.ancestors(node.id):
            seconds[ancestor.id] += secs
    return _report(
        framework,
        period,
        profile,
        seconds=seconds,
        by_level=by_level,
        unknown=unknown,
        total=total,
        count=count,
    )


def allocation_from_totals(
    activity_seconds: Mapping[str, int],
    entry_count: int,
    framework: Framework,
    period: Period,
    profile: BenchmarkProfile,
) -> AllocationReport:
    """`allocate()`'s report from whole seconds per activity id summed elsewhere (the month
    summaries); sums of whole seconds are exact, so the figures equal `allocate()`'s. Unknown
    ids with equal time are listed in the order of `activity_seconds`."""
    seconds: dict[str, float] = defaultdict(float)
    by_level: dict[Level, float] = defaultdict(float)
    unknown: dict[str, float] = {}
    for activity, whole in activity_seconds.items():
        if whole <= 0:
            continue
        secs = float(whole)
        if activity not in framework:
            unknown[activity] = secs
            continue
        node = framework[activity]
        by_level[node.level] += secs
        for ancestor in framework.ancestors(node.id):
            seconds[ancestor.id] += secs
    total = float(sum(w for w in activity_seconds.values() if w > 0))
    return _report(
        framework,
        period,
        profile,
        seconds=seconds,
        by_level=by_level,
        unknown=unknown,
        total=total,
        count=entry_count,
    )


def _report(
    framework: Framework,
    period: Period,
    profile: BenchmarkProfile,
    *,
    seconds: Mapping[str, float],
    by_level: Mapping[Level, float],
    unknown: Mapping[str, float],
    total: float,
    count: int,
) -> AllocationReport:
    def row(node_id: str) -> Allocation:
        node = framework[node_id]
        secs = seconds.get(node_id, 0.0)
        share = secs / total if total > 0 else 0.0
        band = profile.bands.get(node_id)
        verdict = band_verdict(share, band, total) if band else None
        return Allocation(node.id, node.label, node.level, secs, share, band, verdict)

    activities = [
        row(n.id) for n in framework.of_level(Level.ACTIVITY) if seconds.get(n.id, 0.0) > 0
    ]
    activities.sort(key=lambda a: -a.seconds)
    return AllocationReport(
        period=period,
        profile=profile,
        total_seconds=total,
        domains=[row(n.id) for n in framework.of_level(Level.DOMAIN)],
        focus_areas=[row(n.id) for n in framework.of_level(Level.FOCUS_AREA)],
        activities=activities,
        tagged_seconds_by_level={level: by_level.get(level, 0.0) for level in Level},
        unknown=sorted(unknown.items(), key=lambda kv: -kv[1]),
        entry_count=count,
    )


def seconds_by_day(entries: Iterable[Entry], period: Period) -> dict[date, float]:
    """Tracked seconds per local day; the days add up to the period's total exactly."""
    bounds = period.day_bounds()
    day_starts = [lo for _, lo, _ in bounds]
    out = {day: 0.0 for day, _, _ in bounds}
    for entry in entries:
        if entry.is_deleted:
            continue
        first = max(0, bisect_right(day_starts, entry.start) - 1)
        for day, lo, hi in bounds[first:]:
            if entry.end <= lo:
                break
            out[day] += clipped_seconds(entry, lo, hi)
    return out
