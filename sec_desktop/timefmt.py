"""Reading times and dates typed on the command line, in the user's zone."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo


class TimeInputError(ValueError):
    """A typed time or date that can't be read, or that doesn't exist on the local clock."""


_CLOCK_ONLY = re.compile(r"^(\d{1,2}):(\d{2})$")
# datetime stops at years 1 and 9999; a year's margin keeps the UTC conversion and the
# day/month arithmetic of periods and store look-ups from overflowing at the edges.
MIN_YEAR = 2
MAX_YEAR = 9998


def _check_year(value: date, text: str, what: str) -> None:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise TimeInputError(f"{what} {text!r} is out of range (years {MIN_YEAR} to {MAX_YEAR})")


def _exists_locally(naive: datetime, tz: ZoneInfo) -> bool:
    aware = naive.replace(tzinfo=tz)
    return aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == naive


def parse_time(text: str, tz: ZoneInfo, now: datetime, what: str) -> datetime:
    """`YYYY-MM-DDTHH:MM` local to `tz` (or with an offset / Z), or `HH:MM` today; to UTC.

    A local time in a DST gap doesn't exist and is refused. One in the repeated fall-back hour
    is read as its first occurrence; an explicit offset picks the other.
    """
    raw = text.strip()
    clock = _CLOCK_ONLY.match(raw)
    try:
        if clock:
            today = now.astimezone(tz).date()
            parsed = datetime(
                today.year, today.month, today.day, int(clock.group(1)), int(clock.group(2))
            )
        else:
            parsed = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise TimeInputError(
            f"{what} {text!r} is not a time; write YYYY-MM-DDTHH:MM, optionally with an "
            "offset such as +01:00 or Z, or HH:MM for today"
        ) from exc
    _check_year(parsed, text, what)
    if parsed.tzinfo is not None:
        return parsed.astimezone(UTC)
    if not _exists_locally(parsed, tz):
        raise TimeInputError(
            f"{what} {parsed.isoformat(timespec='minutes')} does not exist in {tz.key}: the "
            "clocks skip that time when daylight saving starts"
        )
    return parsed.replace(tzinfo=tz).astimezone(UTC)


def parse_date(text: str, what: str) -> date:
    try:
        parsed = date.fromisoformat(text.strip())
    except ValueError as exc:
        raise TimeInputError(f"{what} {text!r} is not a date; write YYYY-MM-DD") from exc
    _check_year(parsed, text, what)
    return parsed


def format_duration(delta: timedelta | float) -> str:
    """`1 h 05 min`, `45 min`; seconds are rounded to the nearest minute."""
    seconds = delta.total_seconds() if isinstance(delta, timedelta) else float(delta)
    minutes = round(seconds / 60)
    hours, mins = divmod(minutes, 60)
    if hours:
        return f"{hours} h {mins:02d} min"
    return f"{mins} min"


def format_local(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def counted(number: int, singular: str, plural: str | None = None) -> str:
    """ "1 row", "1,204 rows": the number and the noun that agrees with it."""
    return f"{number:,} {singular if number == 1 else plural or singular + 's'}"


def system_zone() -> ZoneInfo:
    """The machine's IANA zone; UTC where it can't be told (a broken or missing zone setting
    must not stop a command or the app)."""
    try:
        import tzlocal

        return ZoneInfo(tzlocal.get_localzone_name() or "UTC")
    except Exception:  # noqa: BLE001 - tzlocal raises several kinds for a broken setting
        return ZoneInfo("UTC")
