"""`format_utc` writes every aware time as the slower formula it replaced did."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from sec_desktop.store.entry import format_utc

offsets = st.integers(min_value=-23 * 60, max_value=23 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)


@given(
    moment=st.datetimes(
        min_value=datetime(1971, 1, 1), max_value=datetime(2998, 12, 31), timezones=offsets
    )
)
def test_format_utc_is_the_utc_time_to_the_second_or_microsecond(moment: datetime) -> None:
    utc = moment.astimezone(UTC)
    spec = "seconds" if utc.microsecond == 0 else "microseconds"
    assert format_utc(moment) == utc.replace(tzinfo=None).isoformat(timespec=spec) + "Z"
    assert format_utc(utc) == format_utc(moment)


def test_a_fraction_is_kept_and_a_whole_second_has_none() -> None:
    assert format_utc(datetime(2026, 3, 2, 8, 0, tzinfo=UTC)) == "2026-03-02T08:00:00Z"
    assert format_utc(datetime(2026, 3, 2, 8, 0, 0, 1500, tzinfo=UTC)) == (
        "2026-03-02T08:00:00.001500Z"
    )
