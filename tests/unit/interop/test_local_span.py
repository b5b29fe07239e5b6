"""`local_span` takes a shortcut for days without a clock change; it must give what choosing
among every reading of both times gives, on any day of any zone."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from sec_desktop.interop.localtime import NonexistentTime, candidates, local_span, local_to_utc

# Around the changes of 2026 in both hemispheres (Lord Howe moves by half an hour), and a
# day without one.
CHANGE_DAYS = [
    datetime(2026, month, day)
    for month, day in ((3, 8), (3, 29), (4, 5), (10, 4), (10, 25), (11, 1), (6, 15))
]
ZONES = [ZoneInfo(name) for name in ("Europe/Berlin", "America/New_York", "Australia/Lord_Howe")]


def span_by_choosing(start, end, zone, duration):
    """local_span as it was: every reading of each time, the pair that fits best."""
    starts, ends = candidates(start, zone), candidates(end, zone)
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


def _outcome(call):
    try:
        return call()
    except NonexistentTime as exc:
        return str(exc)


@given(
    zone=st.sampled_from(ZONES),
    # Around the changes of 2026 in both hemispheres, and any day.
    start=st.sampled_from(CHANGE_DAYS).flatmap(
        lambda day: st.integers(-2 * 24 * 60, 2 * 24 * 60).map(lambda m: day + timedelta(minutes=m))
    ),
    minutes=st.integers(0, 36 * 60),
    duration=st.none() | st.integers(0, 36 * 60).map(lambda m: timedelta(minutes=m)),
)
def test_the_shortcut_gives_what_choosing_gives(zone, start, minutes, duration) -> None:
    end = start + timedelta(minutes=minutes)
    assert _outcome(lambda: local_span(start, end, zone, duration)) == _outcome(
        lambda: span_by_choosing(start, end, zone, duration)
    )
