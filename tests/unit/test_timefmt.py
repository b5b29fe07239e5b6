"""Times, durations and counts as both shells read and write them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import tzlocal

from sec_desktop.timefmt import (
    TimeInputError,
    counted,
    format_duration,
    format_local,
    parse_time,
    system_zone,
)

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(minutes=45), "45 min"),
        (timedelta(hours=1, minutes=5), "1 h 05 min"),
        (timedelta(seconds=89), "1 min"),
        (3600.0 * 26, "26 h 00 min"),
    ],
)
def test_durations_in_words(delta: timedelta | float, text: str) -> None:
    assert format_duration(delta) == text


def test_counts_agree_with_their_noun() -> None:
    assert counted(1, "entry", "entries") == "1 entry"
    assert counted(1204, "row") == "1,204 rows"
    assert counted(0, "note") == "0 notes"


def test_a_clock_time_is_today_in_the_given_zone() -> None:
    moment = parse_time("09:30", BERLIN, NOW, "--start")
    assert format_local(moment, BERLIN) == "2026-11-23 09:30"
    assert moment.utcoffset() == timedelta(0)


def test_a_local_time_that_does_not_exist_is_refused_by_name() -> None:
    with pytest.raises(TimeInputError, match="--start"):
        parse_time("2026-03-29T02:30", BERLIN, NOW, "--start")


def test_the_system_zone_is_an_iana_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tzlocal, "get_localzone_name", lambda: "America/New_York")
    assert system_zone() == ZoneInfo("America/New_York")


def test_a_broken_zone_setting_falls_back_to_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> str:
        raise LookupError("no zone configured")

    monkeypatch.setattr(tzlocal, "get_localzone_name", broken)
    assert system_zone() == ZoneInfo("UTC")
