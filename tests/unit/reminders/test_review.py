"""When the weekly review falls due: once a week at or after the moment, never twice, a
missed week offered once later that week and not carried into the next."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sec_desktop.reminders.review import (
    ReviewMoment,
    load_last_offered,
    next_review_at,
    review_due,
    review_state_path,
    save_last_offered,
    week_key,
)
from sec_desktop.settings import Settings

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY_9 = ReviewMoment(0, time(9, 0))
# Monday 7 December 2026; the week it reviews starts Monday 30 November.
THIS_MONDAY = date(2026, 12, 7)
REVIEWED = date(2026, 11, 30)


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


@pytest.mark.parametrize(
    ("now", "last_offered", "due_week"),
    [
        (local(7, 8, 59), None, None),  # a minute early
        (local(7, 9, 0), None, REVIEWED),  # on the moment
        (local(7, 9, 0), REVIEWED, None),  # offered already this week
        (local(9, 15), None, REVIEWED),  # app started Wednesday: the missed Monday, once
        (local(13, 23, 59), None, REVIEWED),  # still that week on Sunday night
        (local(9, 15), date(2026, 11, 23), REVIEWED),  # last week's offer doesn't count
        (local(14, 8, 0), None, None),  # next Monday before 9: the missed week isn't carried
        (local(14, 9, 0), REVIEWED, date(2026, 12, 7)),  # next Monday: the next week's review
    ],
)
def test_due_table(now: datetime, last_offered: date | None, due_week: date | None) -> None:
    due = review_due(MONDAY_9, now, BERLIN, last_offered)
    assert (due.week if due else None) == due_week


def test_off_is_never_due() -> None:
    moment = ReviewMoment.from_settings(Settings(review_day="off"))
    assert moment is None
    assert review_due(moment, local(9, 12), BERLIN, None) is None
    assert next_review_at(moment, local(9, 12), BERLIN, None) is None


def test_moment_from_settings_defaults_to_monday_nine() -> None:
    assert ReviewMoment.from_settings(Settings()) == MONDAY_9
    friday = ReviewMoment.from_settings(Settings(review_day="fri", review_time=time(16, 30)))
    assert friday == ReviewMoment(4, time(16, 30))
    # A Friday review covers the last whole week, not the one under way.
    due = review_due(friday, local(11, 16, 30), BERLIN, None)
    assert due is not None and due.week == REVIEWED


def test_moment_is_local_across_dst() -> None:
    # Monday 30 March 2026 09:00 in Berlin is 07:00 UTC (summer time), a week earlier 08:00.
    assert MONDAY_9.in_week_of(date(2026, 3, 31), BERLIN) == datetime(2026, 3, 30, 7, tzinfo=UTC)
    assert MONDAY_9.in_week_of(date(2026, 3, 24), BERLIN) == datetime(2026, 3, 23, 8, tzinfo=UTC)


def test_next_review_at() -> None:
    assert next_review_at(MONDAY_9, local(7, 8), BERLIN, None) == local(7, 9)
    assert next_review_at(MONDAY_9, local(7, 10), BERLIN, None) == local(7, 10)
    assert next_review_at(MONDAY_9, local(7, 10), BERLIN, REVIEWED) == local(14, 9)


def test_state_survives_a_restart(tmp_path: Path) -> None:
    path = review_state_path(tmp_path / "config")
    assert load_last_offered(path) == (None, None)
    save_last_offered(path, REVIEWED, local(7, 9))
    assert load_last_offered(path) == (REVIEWED, None)
    assert review_due(MONDAY_9, local(7, 10), BERLIN, load_last_offered(path)[0]) is None


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b'{"format": "other"}',
        b'{"format": "sec-desktop/review-state", "version": 1, "last_offered_week": "Monday"}',
    ],
)
def test_damaged_state_is_named_and_offers_again(tmp_path: Path, content: bytes) -> None:
    path = review_state_path(tmp_path)
    path.write_bytes(content)
    week, problem = load_last_offered(path)
    assert week is None
    assert problem is not None and str(path) in problem


def test_week_key() -> None:
    assert week_key(REVIEWED) == "2026-W49"
    assert week_key(date(2026, 12, 28)) == "2026-W53"
