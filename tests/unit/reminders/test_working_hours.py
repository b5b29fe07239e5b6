"""Working hours in a real zone: spans, the next opening, intervals across DST changes."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sec_desktop.reminders.schedule import WorkingHours, next_interval_due

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
WEEKDAYS = frozenset(range(5))
EVERY_DAY = frozenset(range(7))


def local(zone: ZoneInfo, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=zone).astimezone(UTC)  # type: ignore[misc]


def office(zone: ZoneInfo = BERLIN, days: frozenset[int] = WEEKDAYS) -> WorkingHours:
    return WorkingHours(days, time(9), time(18), zone)


def test_contains_is_start_inclusive_end_exclusive() -> None:
    hours = office()
    monday = (2026, 11, 23)
    assert not hours.contains(local(BERLIN, *monday, 8, 59, 59))
    assert hours.contains(local(BERLIN, *monday, 9))
    assert hours.contains(local(BERLIN, *monday, 17, 59, 59))
    assert not hours.contains(local(BERLIN, *monday, 18))
    assert not hours.contains(local(BERLIN, 2026, 11, 28, 12))  # Saturday


def test_next_open_skips_the_weekend() -> None:
    hours = office()
    friday_evening = local(BERLIN, 2026, 11, 27, 18, 30)
    assert hours.next_open(friday_evening) == local(BERLIN, 2026, 11, 30, 9)
    inside = local(BERLIN, 2026, 11, 27, 10, 15)
    assert hours.next_open(inside) == inside
    early = local(BERLIN, 2026, 11, 27, 6, 0)
    assert hours.next_open(early) == local(BERLIN, 2026, 11, 27, 9)


def test_no_working_days_never_opens() -> None:
    hours = WorkingHours(frozenset(), time(9), time(18), BERLIN)
    assert hours.next_open(local(BERLIN, 2026, 11, 23, 10)) is None
    assert hours.intervals_between(local(BERLIN, 2026, 11, 1), local(BERLIN, 2026, 12, 1)) == []


def test_intervals_of_a_week_are_five_nine_hour_days() -> None:
    hours = office()
    spans = hours.intervals_between(local(BERLIN, 2026, 11, 23), local(BERLIN, 2026, 11, 30))
    assert len(spans) == 5
    assert all(end - start == timedelta(hours=9) for start, end in spans)
    assert spans[0][0] == datetime(2026, 11, 23, 8, tzinfo=UTC)  # 09:00 CET


def test_intervals_are_clipped_to_the_range() -> None:
    hours = office()
    spans = hours.intervals_between(
        local(BERLIN, 2026, 11, 23, 12), local(BERLIN, 2026, 11, 24, 10, 30)
    )
    assert spans == [
        (local(BERLIN, 2026, 11, 23, 12), local(BERLIN, 2026, 11, 23, 18)),
        (local(BERLIN, 2026, 11, 24, 9), local(BERLIN, 2026, 11, 24, 10, 30)),
    ]


def test_spring_forward_day_is_an_hour_shorter() -> None:
    # 2026-03-29 in Berlin: 02:00 CET becomes 03:00 CEST.
    hours = WorkingHours(EVERY_DAY, time(1), time(4), BERLIN)
    spans = hours.intervals_between(local(BERLIN, 2026, 3, 29), local(BERLIN, 2026, 3, 30))
    assert spans == [(datetime(2026, 3, 29, 0, tzinfo=UTC), datetime(2026, 3, 29, 2, tzinfo=UTC))]


def test_fall_back_day_is_an_hour_longer() -> None:
    # 2026-10-25 in Berlin: 03:00 CEST becomes 02:00 CET.
    hours = WorkingHours(EVERY_DAY, time(1), time(4), BERLIN)
    spans = hours.intervals_between(local(BERLIN, 2026, 10, 25), local(BERLIN, 2026, 10, 26))
    assert spans == [
        (datetime(2026, 10, 24, 23, tzinfo=UTC), datetime(2026, 10, 25, 3, tzinfo=UTC))
    ]


def test_office_hours_keep_their_local_times_across_dst() -> None:
    # The week around New York's spring change (Sunday 2026-03-08): 09:00 local is 14:00Z
    # before and 13:00Z after.
    hours = office(NEW_YORK)
    spans = hours.intervals_between(local(NEW_YORK, 2026, 3, 2), local(NEW_YORK, 2026, 3, 14))
    starts = [s.astimezone(NEW_YORK).time() for s, _ in spans]
    assert starts == [time(9)] * 10
    assert spans[0][0].hour == 14 and spans[-1][0].hour == 13
    assert all(e - s == timedelta(hours=9) for s, e in spans)


def test_interval_prompts_fill_the_day_then_close() -> None:
    hours = office()
    anchor = local(BERLIN, 2026, 11, 23, 9)
    dues = []
    for _ in range(14):
        due = next_interval_due(hours, anchor, timedelta(minutes=40))
        assert due is not None
        dues.append(due.astimezone(BERLIN).strftime("%a %H:%M"))
        anchor = due
    assert dues[:2] == ["Mon 09:40", "Mon 10:20"]
    assert dues[12] == "Mon 17:40"
    assert dues[13] == "Mon 18:00"  # the last 20 minutes are asked at closing time
    assert next_interval_due(hours, local(BERLIN, 2026, 11, 23, 18), timedelta(minutes=40)) == (
        local(BERLIN, 2026, 11, 24, 9, 40)
    )


def test_a_sliver_before_closing_waits_for_the_next_day() -> None:
    hours = office()
    due = next_interval_due(hours, local(BERLIN, 2026, 11, 27, 17, 57), timedelta(minutes=30))
    assert due == local(BERLIN, 2026, 11, 30, 9, 30)


def test_end_before_start_is_refused() -> None:
    with pytest.raises(ValueError, match="end"):
        WorkingHours(WEEKDAYS, time(18), time(9), BERLIN)


zones = st.sampled_from([BERLIN, NEW_YORK, ZoneInfo("Australia/Lord_Howe"), ZoneInfo("UTC")])
moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 1, 1), timezones=st.just(UTC)
)


@settings(max_examples=300, deadline=None)
@given(
    zone=zones,
    days=st.frozensets(st.integers(0, 6), min_size=1),
    start_min=st.integers(0, 22 * 60),
    length_min=st.integers(1, 120),
    moment=moments,
    span_h=st.integers(0, 24 * 10),
)
def test_intervals_agree_with_contains(  # noqa: PLR0917 - one argument per strategy
    zone: ZoneInfo,
    days: frozenset[int],
    start_min: int,
    length_min: int,
    moment: datetime,
    span_h: int,
) -> None:
    end_min = min(start_min + length_min * 5, 24 * 60 - 1)
    hours = WorkingHours(
        days, time(start_min // 60, start_min % 60), time(end_min // 60, end_min % 60), zone
    )
    end = moment + timedelta(hours=span_h)
    spans = hours.intervals_between(moment, end)
    for (_s1, e1), (s2, _) in itertools.pairwise(spans):
        assert e1 <= s2
    for s, e in spans:
        assert moment <= s < e <= end
        assert hours.contains(s)
        assert hours.contains(e - timedelta(seconds=1))
    opens = hours.next_open(moment)
    assert opens is not None and opens >= moment and hours.contains(opens)
    if spans:
        assert opens <= spans[0][0]
