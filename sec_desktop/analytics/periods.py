"""Periods of local calendar days, turned into exact UTC bounds (DST days are 23 or 25 hours)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PERIOD_NAMES = ("today", "week", "last-week", "month", "quarter", "year")
# Entries lie between 1970 and 2999 (store/entry.py); a report is computed day by day, so a
# period is kept to a human span: 100 years take about a second.
EARLIEST_DAY = date(1970, 1, 1)
LATEST_DAY = date(2999, 12, 31)
MAX_PERIOD_YEARS = 100
MAX_PERIOD_DAYS = MAX_PERIOD_YEARS * 366


class PeriodError(ValueError):
    """A period that can't exist (the end before the start, an unknown name)."""


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The instant `day` begins in `tz`, in UTC.

    Where midnight itself is skipped by a DST jump, zoneinfo's fold=0 reading puts it at the
    first instant after the gap, which is when that day really begins.
    """
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


@dataclass(frozen=True)
class Period:
    """Local days `first` to `last`, both inclusive, in zone `tz`."""

    first: date
    last: date
    tz: ZoneInfo

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise PeriodError(
                f"the period ends ({self.last.isoformat()}) before it starts "
                f"({self.first.isoformat()})"
            )
        if (self.last - self.first).days >= MAX_PERIOD_DAYS:
            raise PeriodError(
                f"the period {self.first.isoformat()} to {self.last.isoformat()} is longer than "
                f"the {MAX_PERIOD_YEARS} years a period may cover"
            )

    @property
    def start(self) -> datetime:
        return local_midnight(self.first, self.tz)

    @property
    def end(self) -> datetime:
        """Exclusive: the start of the day after `last`."""
        return local_midnight(self.last + timedelta(days=1), self.tz)

    def days(self) -> list[date]:
        return [self.first + timedelta(days=i) for i in range((self.last - self.first).days + 1)]

    def day_bounds(self) -> list[tuple[date, datetime, datetime]]:
        """Each day with its UTC start and end; consecutive days share their boundary."""
        days = self.days()
        edges = [local_midnight(d, self.tz) for d in days] + [self.end]
        return [(d, edges[i], edges[i + 1]) for i, d in enumerate(days)]

    def shifted(self, steps: int) -> Period:
        """The period of the same kind `steps` before (negative) or after (positive)."""
        length = (self.last - self.first).days + 1
        delta = timedelta(days=length * steps)
        return Period(self.first + delta, self.last + delta, self.tz)


def check_days_in_bounds(first: date, last: date) -> None:
    """Refuse days no entry can fall on, before the period is built."""
    for day in (first, last):
        if not EARLIEST_DAY <= day <= LATEST_DAY:
            raise PeriodError(
                f"{day.isoformat()} is outside the days entries may fall on, "
                f"{EARLIEST_DAY.isoformat()} to {LATEST_DAY.isoformat()}"
            )


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def named_period(name: str, today: date, tz: ZoneInfo) -> Period:
    """A named calendar period containing `today`; weeks run Monday to Sunday."""
    if name == "today":
        return Period(today, today, tz)
    if name in ("week", "last-week"):
        monday = today - timedelta(days=today.weekday())
        if name == "last-week":
            monday -= timedelta(days=7)
        return Period(monday, monday + timedelta(days=6), tz)
    if name == "month":
        first = today.replace(day=1)
        return Period(first, _add_months(first, 1) - timedelta(days=1), tz)
    if name == "quarter":
        first = _quarter_start(today)
        return Period(first, _add_months(first, 3) - timedelta(days=1), tz)
    if name == "year":
        return Period(date(today.year, 1, 1), date(today.year, 12, 31), tz)
    raise PeriodError(f"unknown period {name!r}; use one of {', '.join(PERIOD_NAMES)}")


MONTHS_IN = {"month": 1, "quarter": 3, "year": 12}


def shifted_period(kind: str, period: Period, steps: int) -> Period:
    """The period `steps` units before or after: calendar months, quarters and years move by
    their own length (a month is not 30 days); weeks and custom ranges by their day count."""
    if kind in MONTHS_IN:
        first = _add_months(period.first, MONTHS_IN[kind] * steps)
        return named_period(kind, first, period.tz)
    return period.shifted(steps)
