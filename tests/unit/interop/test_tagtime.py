"""TagTime logs: tags, comments, and the gap each ping stands for."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from sec_desktop.interop import ImportFileError, ImportOptions
from sec_desktop.interop.importers import tagtime
from sec_desktop.reminders.tagtime import shared_schedule

from .conftest import FIXTURES


def test_the_log_fixture(options: ImportOptions) -> None:
    parsed = tagtime.parse(FIXTURES / "tagtime.log", options)
    assert parsed.rows == 8
    records = parsed.records
    first = records[0]
    assert first.tags == ("board", "prep")
    assert first.title == "Q1 deck for Tuesday"
    # Pings 45 minutes apart: each covers the 45 minutes before it, the first the median gap.
    assert [r.end - r.start for r in records] == [timedelta(minutes=45)] * 8
    assert all(a.end == b.start for a, b in itertools.pairwise(records))
    assert records[3].tags == ("afk",)
    assert records[3].title == "lunch"  # the clock-time comment TagTime adds is dropped
    assert records[-1].tags == ("Acme", "customer")
    assert records[-1].title == "café visit"  # an unclosed parenthesis runs to the line's end
    assert records[-1].line == 9  # the blank line 8 is skipped, numbering is kept


def test_pings_on_the_universal_schedule_take_their_gap_from_it(write, options) -> None:
    schedule = shared_schedule()
    day = int(datetime(2026, 3, 2, tzinfo=UTC).timestamp())
    pings = schedule.pings_between(day, day + 86_400)
    # A log that kept every third ping: each still stands for its own scheduled gap.
    kept = pings[2::3]
    path = write("sched.log", "".join(f"{p} work\n" for p in kept))
    records = tagtime.parse(path, options).records
    for record, ping in zip(records, kept, strict=True):
        before = pings[pings.index(ping) - 1]
        assert record.end == datetime.fromtimestamp(ping, UTC)
        assert record.start == datetime.fromtimestamp(before, UTC)


def test_a_single_ping_stands_for_the_default_gap(write, options) -> None:
    (record,) = tagtime.parse(write("one.log", "1772438401 work\n"), options).records
    assert record.end - record.start == tagtime.DEFAULT_GAP


def test_a_line_without_a_time_names_its_line(write, options) -> None:
    path = write("bad.log", "1772438400 a\n1772441100 b\nwork at 10\n")
    with pytest.raises(ImportFileError, match="starts with a Unix time") as caught:
        tagtime.parse(path, options)
    assert caught.value.line == 3


def test_an_empty_log_is_refused(write, options) -> None:
    with pytest.raises(ImportFileError, match="no pings"):
        tagtime.parse(write("empty.log", "\n\n"), options)
