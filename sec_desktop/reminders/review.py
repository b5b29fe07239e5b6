"""When the weekly review is offered: once a week, at or after the chosen moment. No Qt.

The moment is a weekday and a local time (default Monday 09:00). The review is due from that
moment until the end of its week, so an app started later that week, or a machine that wakes
after it, offers it then; a week with no offer (the app never ran) is not carried into the
next one, so missed weeks never stack. Which week was last offered is kept in the config
folder, written atomically before the offer shows, so a restart never offers it twice.

The review covers the last whole Monday-to-Sunday week that ended before the moment.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import orjson

from sec_desktop.settings import REVIEW_WEEKDAYS, Settings
from sec_desktop.store.atomic import atomic_write_bytes, ensure_private_dir

REVIEW_STATE_FILE = "review.json"
REVIEW_STATE_FORMAT = "sec-desktop/review-state"
REVIEW_STATE_VERSION = 1


@dataclass(frozen=True)
class ReviewMoment:
    """The weekly moment: `weekday` 0 = Monday, at local `at`."""

    weekday: int
    at: time

    @classmethod
    def from_settings(cls, settings: Settings) -> ReviewMoment | None:
        """The moment the settings choose, or None when the review is off."""
        if settings.review_day not in REVIEW_WEEKDAYS:
            return None
        return cls(REVIEW_WEEKDAYS.index(settings.review_day), settings.review_time)

    def in_week_of(self, day: date, tz: ZoneInfo) -> datetime:
        """This moment in the Monday-to-Sunday week holding `day`, in UTC.

        A local time skipped by a DST jump reads as the instant after the gap (fold=0).
        """
        monday = day - timedelta(days=day.weekday())
        local = datetime.combine(monday + timedelta(days=self.weekday), self.at, tzinfo=tz)
        return local.astimezone(UTC)


def review_week(moment_day: date) -> date:
    """The Monday of the week a review on `moment_day` covers: the last whole week before."""
    return moment_day - timedelta(days=moment_day.weekday() + 7)


def week_key(monday: date) -> str:
    """The ISO week of `monday`, e.g. "2026-W49", which names it in files."""
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class ReviewDue:
    """A review to offer now: the moment it was due and the Monday of the week it covers."""

    moment: datetime
    week: date


def review_due(
    moment: ReviewMoment | None, now: datetime, tz: ZoneInfo, last_offered: date | None
) -> ReviewDue | None:
    """The review due at `now`, or None: before this week's moment, when the review is off,
    or when this week's was offered already (`last_offered` is the week it covered)."""
    if moment is None:
        return None
    today = now.astimezone(tz).date()
    at = moment.in_week_of(today, tz)
    if now < at:
        return None
    week = review_week(at.astimezone(tz).date())
    if last_offered is not None and last_offered >= week:
        return None
    return ReviewDue(at, week)


def next_review_at(
    moment: ReviewMoment | None, now: datetime, tz: ZoneInfo, last_offered: date | None
) -> datetime | None:
    """When the next review falls due (now, if one is due), for the tray and the tests."""
    if moment is None:
        return None
    if review_due(moment, now, tz, last_offered) is not None:
        return now
    today = now.astimezone(tz).date()
    this_week = moment.in_week_of(today, tz)
    return this_week if now < this_week else moment.in_week_of(today + timedelta(days=7), tz)


class ReviewStateError(ValueError):
    """The review state file is not what this version writes; the message names it."""


def review_state_path(config_dir: Path) -> Path:
    return config_dir / REVIEW_STATE_FILE


def load_last_offered(path: Path) -> tuple[date | None, str | None]:
    """The week last offered, and a sentence when the file could not be read.

    An unreadable file counts as "never offered" (one extra offer at worst, never a lost
    one) and is replaced at the next offer; the sentence names it and why.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, f"The weekly review state {path} could not be read ({exc.strerror or exc})."
    try:
        return _parse_state(raw), None
    except (orjson.JSONDecodeError, ReviewStateError, ValueError) as exc:
        return None, f"The weekly review state {path} could not be read ({exc})."


def _parse_state(raw: bytes) -> date | None:
    doc = orjson.loads(raw)
    if not isinstance(doc, dict) or doc.get("format") != REVIEW_STATE_FORMAT:
        raise ReviewStateError("it is not an SEC Desktop review state file")
    if doc.get("version") != REVIEW_STATE_VERSION:
        raise ReviewStateError(f"it is format version {doc.get('version')!r}")
    week = doc.get("last_offered_week")
    if week is None:
        return None
    if not isinstance(week, str):
        raise ReviewStateError("last_offered_week is not a date")
    return date.fromisoformat(week)


def save_last_offered(path: Path, week: date, offered_at: datetime) -> None:
    """Record that the review of `week` was offered, atomically."""
    ensure_private_dir(path.parent)
    doc = {
        "format": REVIEW_STATE_FORMAT,
        "version": REVIEW_STATE_VERSION,
        "last_offered_week": week.isoformat(),
        "offered_at": offered_at.astimezone(UTC).isoformat(),
    }
    atomic_write_bytes(path, orjson.dumps(doc, option=orjson.OPT_INDENT_2))


__all__ = [
    "REVIEW_STATE_FILE",
    "ReviewDue",
    "ReviewMoment",
    "load_last_offered",
    "next_review_at",
    "review_due",
    "review_state_path",
    "review_week",
    "save_last_offered",
    "week_key",
]
