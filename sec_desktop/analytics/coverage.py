"""Coverage: how much of the working hours has entries, and at what level they are tagged.

Overlapping entries are merged here (an hour is covered once, however many entries claim it),
unlike the allocation, where each entry counts for its own activity.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import compress, repeat
from types import MappingProxyType

from sec_desktop.analytics.periods import Period
from sec_desktop.framework import Framework, Level
from sec_desktop.reminders.schedule import WorkingHours
from sec_desktop.settings import Settings
from sec_desktop.store import Entry


@dataclass(frozen=True)
class Coverage:
    """Working time and the part of it with entries, in seconds.

    `tracked_seconds` counts each working second once, however many entries cover it, so it
    never exceeds `working_seconds`. `seconds_by_level` splits it by the most specific level
    any covering entry is tagged at (an id the framework doesn't know counts at the depth of its
    dotted id), so the three add up to `tracked_seconds`.
    """

    working_seconds: float
    tracked_seconds: float
    share: float
    tracked_outside_working_seconds: float
    seconds_by_level: Mapping[Level, float] = field(
        default_factory=lambda: MappingProxyType(dict.fromkeys(Level, 0.0))
    )
    # Working time the user was away and has not said what it was: part of the untracked.
    unanswered_away_seconds: float = 0.0

    @property
    def untracked_seconds(self) -> float:
        return max(0.0, self.working_seconds - self.tracked_seconds)


_BY_VALUE = {level.value: level for level in Level}


def level_of(activity: str, framework: Framework) -> Level:
    """The level an entry tagged `activity` covers time at."""
    if activity in framework:
        return framework[activity].level
    return Level(min(activity.count(".") + 1, Level.ACTIVITY.value))


# One sweep event: (POSIX time, order, kind, delta). At equal times ends (order 0) sort before
# starts, so half-open intervals that touch don't overlap. Kind 0 is a working interval; 1-3
# an entry tagged at that level; 4 an away span not answered yet.
UNANSWERED = 4
_Event = tuple[float, int, int, int]
# Entries as columns of equal length: POSIX starts, POSIX ends, activity ids.
Columns = tuple[Iterable[float], Iterable[float], Iterable[str]]


def _sweep_events(
    columns: Iterable[Columns],
    framework: Framework,
    working_intervals: Sequence[tuple[datetime, datetime]],
    span: tuple[datetime, datetime],
    unanswered: Sequence[tuple[datetime, datetime]] = (),
) -> list[_Event]:
    """Start and end events of the working intervals, entries (as groups of columns: POSIX
    starts, ends and activities) and unanswered away spans, clipped to `span`."""
    span_start, span_end = span[0].timestamp(), span[1].timestamp()
    events: list[_Event] = []
    for start, end in working_intervals:
        lo, hi = max(start.timestamp(), span_start), min(end.timestamp(), span_end)
        if hi > lo:
            events += [(lo, 1, 0, 1), (hi, 0, 0, -1)]
    # The entries a column at a time, in C (map, zip): a year holds some 10,000 of them. A
    # group lying inside the span (most months of a period) needs no clipping.
    kind_of: dict[str, int] = {}
    for entry_starts, entry_ends, activities in columns:
        los, his = list(entry_starts), list(entry_ends)
        if los and (min(los) < span_start or max(his) > span_end):
            los = list(map(max, los, repeat(span_start)))
            his = list(map(min, his, repeat(span_end)))
        names = list(activities)
        for activity in set(names).difference(kind_of):
            kind_of[activity] = level_of(activity, framework).value
        kinds = list(map(kind_of.__getitem__, names))
        inside = list(map(operator.gt, his, los))
        if not all(inside):
            los, his = list(compress(los, inside)), list(compress(his, inside))
            kinds = list(compress(kinds, inside))
        events += zip(los, repeat(1), kinds, repeat(1), strict=False)  # repeat() never ends
        events += zip(his, repeat(0), kinds, repeat(-1), strict=False)
    for start, end in unanswered:
        lo, hi = max(start.timestamp(), span_start), min(end.timestamp(), span_end)
        if hi > lo:
            events += [(lo, 1, UNANSWERED, 1), (hi, 0, UNANSWERED, -1)]
    return events


def coverage(
    entries: Iterable[Entry],
    framework: Framework,
    working_intervals: Sequence[tuple[datetime, datetime]],
    span: tuple[datetime, datetime] | None = None,
    *,
    unanswered_away: Sequence[tuple[datetime, datetime]] = (),
) -> Coverage:
    """Coverage of `working_intervals` (UTC, any order, may overlap) by `entries`.

    `unanswered_away` spans (the away questions still open) count, where no entry covers
    them, as `unanswered_away_seconds`: untracked time the user can still answer for.

    Time outside the working intervals counts in `tracked_outside_working_seconds` only within
    `span` (default: from the first working interval's start to the last one's end); pass the
    period's bounds so evenings and weekends of the period count and nothing beyond it.
    """
    if span is None:
        if not working_intervals:
            return Coverage(0.0, 0.0, 0.0, 0.0, MappingProxyType(dict.fromkeys(Level, 0.0)))
        span = (min(s for s, _ in working_intervals), max(e for _, e in working_intervals))
    live = [e for e in entries if not e.is_deleted]
    columns = (
        [e.start.timestamp() for e in live],
        [e.end.timestamp() for e in live],
        [e.activity for e in live],
    )
    return coverage_of_columns([columns], framework, working_intervals, span, unanswered_away)


def coverage_of_spans(
    spans: Iterable[tuple[float, float, str]],
    framework: Framework,
    working_intervals: Sequence[tuple[datetime, datetime]],
    span: tuple[datetime, datetime],
    unanswered_away: Sequence[tuple[datetime, datetime]] = (),
) -> Coverage:
    """`coverage()` of entries given as (POSIX start, POSIX end, activity id), within `span`."""
    rows = list(spans)
    columns = (
        [start for start, _, _ in rows],
        [end for _, end, _ in rows],
        [activity for _, _, activity in rows],
    )
    return coverage_of_columns([columns], framework, working_intervals, span, unanswered_away)


def coverage_of_columns(
    columns: Iterable[Columns],
    framework: Framework,
    working_intervals: Sequence[tuple[datetime, datetime]],
    span: tuple[datetime, datetime],
    unanswered_away: Sequence[tuple[datetime, datetime]] = (),
) -> Coverage:
    """`coverage()` of entries given as groups of columns (`Columns`, e.g. one group per
    month), within `span`."""
    events = _sweep_events(columns, framework, working_intervals, span, unanswered_away)
    events.sort()
    # active[0] counts open working intervals; active[1..3] open entries per tagged level;
    # active[4] open unanswered away spans.
    active = [0, 0, 0, 0, 0]
    working = 0.0
    outside = 0.0
    away = 0.0
    by_level = dict.fromkeys(Level, 0.0)
    previous: float | None = None
    for moment, _, kind, delta in events:
        if previous is not None and moment > previous:
            seconds = moment - previous
            finest = 3 if active[3] else 2 if active[2] else 1 if active[1] else 0
            if active[0] > 0:
                working += seconds
                if finest:
                    by_level[_BY_VALUE[finest]] += seconds
                elif active[UNANSWERED]:
                    away += seconds
            elif finest:
                outside += seconds
        active[kind] += delta
        previous = moment
    tracked = sum(by_level.values())
    return Coverage(
        working_seconds=working,
        tracked_seconds=tracked,
        share=tracked / working if working > 0 else 0.0,
        tracked_outside_working_seconds=outside,
        seconds_by_level=MappingProxyType(by_level),
        unanswered_away_seconds=away,
    )


def working_intervals_for(
    period: Period, settings: Settings | None = None
) -> list[tuple[datetime, datetime]]:
    """The working hours of `settings` (the defaults when None) over `period`, in UTC.

    Each local day is converted on its own, so a day on which the clocks change keeps its
    local hours and is an hour shorter or longer in real time.
    """
    hours = WorkingHours.from_settings(settings or Settings(), period.tz)
    return hours.intervals_between(period.start, period.end)


def default_working_intervals(period: Period) -> list[tuple[datetime, datetime]]:
    """The default working hours (Monday to Friday, 09:00-18:00 local) over `period`.

    For callers without the user's settings.
    """
    return working_intervals_for(period, None)


__all__ = [
    "Coverage",
    "coverage",
    "coverage_of_columns",
    "coverage_of_spans",
    "default_working_intervals",
    "level_of",
    "working_intervals_for",
]
