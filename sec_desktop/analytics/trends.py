"""Weekly shares per domain (or focus area): the trend the dashboard draws and insights read.

Each week is allocated with `allocate()` over that week's local days, so a week's numbers are
exactly what `sec-desktop report --from <monday> --to <sunday>` prints.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

from sec_desktop.analytics.allocation import AllocationReport, allocate
from sec_desktop.analytics.periods import Period
from sec_desktop.framework import BenchmarkProfile, Framework, Level
from sec_desktop.store import Entry

DEFAULT_TREND_WEEKS = 12
# allocate() wants a profile; the weekly shares don't depend on its bands.
_NO_BANDS = BenchmarkProfile("none", "No bands", "", MappingProxyType({}))


@dataclass(frozen=True)
class WeekShare:
    """One Monday-to-Sunday week (local): tracked seconds and each node's fraction of them.

    `shares` holds every node of the chosen level (0.0 where nothing was tracked) and is empty
    when the week has no tracked time at all.
    """

    week_start: date
    tracked_seconds: float
    shares: Mapping[str, float] = field(default_factory=dict)

    @property
    def week_end(self) -> date:
        return self.week_start + timedelta(days=6)


def week_monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_periods(last_day: date, tz: ZoneInfo, weeks: int) -> list[Period]:
    """The `weeks` Monday-to-Sunday weeks ending with the week that holds `last_day`."""
    if weeks < 1:
        raise ValueError(f"weeks must be at least 1 (got {weeks})")
    last_monday = week_monday(last_day)
    mondays = [last_monday - timedelta(weeks=i) for i in range(weeks - 1, -1, -1)]
    return [Period(m, m + timedelta(days=6), tz) for m in mondays]


def weekly_reports(
    entries: Iterable[Entry], framework: Framework, periods: Sequence[Period]
) -> list[AllocationReport]:
    """One allocation per week, each from only the entries that touch that week.

    Entries are bucketed first, so years of weeks over years of entries cost one pass plus the
    allocations, not weeks x entries.
    """
    if not periods:
        return []
    starts = [p.start for p in periods]
    buckets: list[list[Entry]] = [[] for _ in periods]
    range_start, range_end = starts[0], periods[-1].end
    count = len(periods)
    for entry in entries:
        if entry.is_deleted or entry.end <= range_start or entry.start >= range_end:
            continue
        index = max(0, bisect_right(starts, entry.start) - 1)
        # An entry may run into the following weeks (up to the 31 days one entry may span).
        while index < count and starts[index] < entry.end:
            buckets[index].append(entry)
            index += 1
    return [
        allocate(bucket, framework, period, _NO_BANDS)
        for bucket, period in zip(buckets, periods, strict=True)
    ]


def shares_at(report: AllocationReport, framework: Framework, level: Level) -> dict[str, float]:
    """Each node of `level` with its fraction of the report's tracked time."""
    if report.total_seconds <= 0:
        return {}
    rows = {
        Level.DOMAIN: report.domains,
        Level.FOCUS_AREA: report.focus_areas,
        Level.ACTIVITY: report.activities,
    }[level]
    shares = {n.id: 0.0 for n in framework.of_level(level)}
    shares.update({row.id: row.share for row in rows})
    return shares


def week_share(report: AllocationReport, framework: Framework, level: Level) -> WeekShare:
    return WeekShare(
        week_start=report.period.first,
        tracked_seconds=report.total_seconds,
        shares=MappingProxyType(shares_at(report, framework, level)),
    )


def weekly_shares(
    entries: Iterable[Entry],
    framework: Framework,
    last_day: date,
    tz: ZoneInfo,
    *,
    weeks: int = DEFAULT_TREND_WEEKS,
    level: Level = Level.DOMAIN,
) -> list[WeekShare]:
    """The share of each node of `level` per week, oldest week first.

    The last week is the one holding `last_day` (it may be partial: only what is tracked so far).
    """
    reports = weekly_reports(entries, framework, week_periods(last_day, tz, weeks))
    return [week_share(r, framework, level) for r in reports]


__all__ = [
    "DEFAULT_TREND_WEEKS",
    "WeekShare",
    "week_monday",
    "week_periods",
    "week_share",
    "weekly_reports",
    "weekly_shares",
]
