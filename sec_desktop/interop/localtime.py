"""Wall-clock times without an offset, read in a zone with daylight saving done right."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sec_desktop.interop.records import RecordError


class NonexistentTime(RecordError):
    """A local time inside a spring-forward gap: no clock in the zone ever showed it."""


def exists(naive: datetime, zone: ZoneInfo) -> bool:
    aware = naive.replace(tzinfo=zone)
    return aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == naive


@lru_cache(maxsize=8192)
def _steady_offset(day: date, zone: ZoneInfo) -> timedelta | None:
    """The zone's UTC offset all through `day`, or None on a day its clocks change."""
    midnight = datetime(day.year, day.month, day.day)
    offsets = {
        moment.replace(tzinfo=zone, fold=fold).utcoffset()
        for moment in (midnight, midnight + timedelta(days=1))
        for fold in (0, 1)
    }
    if len(offsets) != 1:
        return None
    (offset,) = offsets
    return offset


def candidates(naive: datetime, zone: ZoneInfo) -> list[datetime]:
    """The UTC instants a local time may mean: none (a gap), one, or two (a repeated hour)."""
    steady = _steady_offset(naive.date(), zone)
    if steady is not None:
        return [(naive - steady).replace(tzinfo=UTC)]
    if not exists(naive, zone):
        return []
    first = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    second = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    return [first] if first == second else [first, second]


def local_to_utc(naive: datetime, zone: ZoneInfo) -> datetime:
    """The first instant a local time means; a time in a gap raises NonexistentTime."""
    found = candidates(naive, zone)
    if not found:
        raise NonexistentTime(
            f"{naive.isoformat(sep=' ')} does not exist in {zone.key}: the clocks skip it "
            "when daylight saving starts"
        )
    return found[0]


def local_span(
    start: datetime, end: datetime, zone: ZoneInfo, duration: timedelta | None
) -> tuple[datetime, datetime]:
    """Start and end in UTC, choosing in a repeated hour the reading that fits `duration`.

    Without a duration (or when none fits) the first reading of each that ends after it
    starts is taken.
    """
    start_offset = _steady_offset(start.date(), zone)
    end_offset = _steady_offset(end.date(), zone)
    if start_offset is not None and end_offset is not None:
        # Most rows: one reading each, so nothing to choose (what the general case gives).
        return (start - start_offset).replace(tzinfo=UTC), (end - end_offset).replace(tzinfo=UTC)
    starts = candidates(start, zone)
    ends = candidates(end, zone)
    if not starts:
        local_to_utc(start, zone)
    if not ends:
        local_to_utc(end, zone)
    pairs = [(s, e) for s in starts for e in ends]
    if duration is not None:
        for s, e in pairs:
            if e - s == duration:
                return s, e
    for s, e in pairs:
        if e > s:
            return s, e
    return pairs[0]
