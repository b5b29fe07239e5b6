"""The timeline's gaps and away spans, the union of entries, and the 5-minute snap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sec_desktop.analytics.timeline import merged, open_spans, snapped, tracked_seconds
from sec_desktop.store import Entry

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # Monday 09:00 in Berlin


def _at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def _entry(start: int, end: int) -> Entry:
    return Entry.new(
        start=_at(start),
        end=_at(end),
        tz="Europe/Berlin",
        activity="strategy",
        source="manual",
        device="test-laptop",
        now=_at(end),
    )


WORK = [(_at(0), _at(540))]  # 09:00-18:00


def test_gaps_are_unbooked_working_time_up_to_now() -> None:
    entries = [_entry(0, 60), _entry(90, 120), _entry(600, 660)]  # the last after hours
    spans = open_spans((_at(-480), _at(960)), entries, WORK, [], now=_at(300))
    assert spans.gaps == [(_at(60), _at(90)), (_at(120), _at(300))]
    assert spans.away == []


def test_away_spans_are_not_gaps_and_lose_their_booked_parts() -> None:
    entries = [_entry(0, 60), _entry(150, 160)]
    away = [(_at(120), _at(180))]
    spans = open_spans((_at(-480), _at(960)), entries, WORK, away, now=_at(240))
    assert spans.away == [(_at(120), _at(150)), (_at(160), _at(180))]
    assert spans.gaps == [(_at(60), _at(120)), (_at(180), _at(240))]


def test_slivers_under_a_minute_are_not_gaps() -> None:
    entries = [_entry(0, 60), _entry(60, 540)]
    late = Entry.new(
        start=_at(0.5),
        end=_at(1),
        tz="Europe/Berlin",
        activity="strategy",
        source="manual",
        device="test-laptop",
    )
    spans = open_spans((_at(0), _at(540)), [*entries[1:], late], WORK, [], now=_at(600))
    assert spans.gaps == [(_at(1), _at(60))]  # the 30 s before `late` is left out


def test_tracked_time_counts_overlaps_once() -> None:
    entries = [_entry(0, 60), _entry(30, 90), _entry(120, 150)]
    assert tracked_seconds(entries) == (90 + 30) * 60
    assert merged([(_at(0), _at(10)), (_at(10), _at(20))]) == [(_at(0), _at(20))]


def test_snapped_rounds_to_five_minutes() -> None:
    assert snapped(_at(2.4)) == _at(0)
    assert snapped(_at(2.6)) == _at(5)
    assert snapped(_at(-7)) == _at(-5)
