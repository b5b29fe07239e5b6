"""iCalendar files: recurrences with EXDATE and moved occurrences, zones, skipped events."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sec_desktop.interop import ImportFileError, ImportOptions
from sec_desktop.interop.importers import ics

from .conftest import BERLIN, FIXTURES, NOW, berlin, utc

CALENDAR = FIXTURES / "calendar.ics"


def _event(body: str) -> str:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n"
        + body.replace("\n", "\r\n")
        + "END:VCALENDAR\r\n"
    )


def test_weekly_series_with_an_exdate_and_a_moved_occurrence(options: ImportOptions) -> None:
    parsed = ics.parse(CALENDAR, options)
    series = [r for r in parsed.records if r.title.startswith("1:1 with Jürgen")]
    # Six weeks from 16 March, 23 March excluded; 6 April moved to 14:00.
    assert [r.start for r in series] == [
        berlin(2026, 3, 16, 10, 0),
        berlin(2026, 3, 30, 10, 0),  # after the change to summer time: still 10:00 local
        berlin(2026, 4, 6, 14, 0),
        berlin(2026, 4, 13, 10, 0),
        berlin(2026, 4, 20, 10, 0),
    ]
    assert all(r.end - r.start == timedelta(minutes=30) for r in series)
    assert len({r.source_id for r in series}) == 5
    moved = series[2]
    assert moved.title == "1:1 with Jürgen (moved)"
    # The moved occurrence keeps the id of the occurrence it replaces (its RECURRENCE-ID).
    assert moved.source_id == "weekly-1on1-juergen@example.com/2026-04-06T08:00:00Z"


def test_skipped_events_are_counted_not_dropped_silently(options: ImportOptions) -> None:
    parsed = ics.parse(CALENDAR, options)
    assert parsed.left_out == {
        "all-day events": 1,
        "events you declined": 1,
        "cancelled events": 1,
    }
    titles = {r.title for r in parsed.records}
    assert "Observability vendor pitch" not in titles
    assert "Leadership offsite" not in titles
    assert "Board offsite 2027" not in titles  # after now, beyond the default span
    assert parsed.span == (utc(2026, 3, 10, 13, 0), NOW)


def test_zones_utc_foreign_floating_windows_names_and_dst(options: ImportOptions) -> None:
    records = {r.title: r for r in ics.parse(CALENDAR, options).records}
    assert records["Board meeting Q1"].start == utc(2026, 3, 10, 13, 0)
    assert records["Investor update call"].start == utc(2026, 3, 12, 15, 0)  # 11:00 New York
    floating = records["Architecture review: billing rewrite"]
    assert floating.start == berlin(2026, 3, 17, 14, 0)  # floating: read as the user's time
    assert floating.tags == ("architecture", "billing")
    assert records["Roadmap planning with product"].start == berlin(2026, 3, 24, 9, 0)
    bridge = records["Incident bridge: payment outage"]
    assert bridge.end - bridge.start == timedelta(hours=4)  # 01:00-04:00 over the fall-back
    dinner = records["Dinner with Acme's CIO \u2013 Café Müller"]
    assert dinner.end - dinner.start == timedelta(hours=2, minutes=30)  # DURATION, no DTEND
    assert {r.zone for r in records.values()} == {"Europe/Berlin"}


def test_the_span_bounds_the_expansion(options: ImportOptions) -> None:
    narrow = ImportOptions(
        zone=BERLIN, now=NOW, start=berlin(2026, 3, 29, 0, 0), end=berlin(2026, 4, 14, 0, 0)
    )
    titles = [r.title for r in ics.parse(CALENDAR, narrow).records]
    assert titles.count("1:1 with Jürgen") == 2  # 30 March, 13 April (+ the moved 6 April)
    assert "1:1 with Jürgen (moved)" in titles


def test_me_decides_which_declines_count(options: ImportOptions) -> None:
    someone_else = ImportOptions(zone=BERLIN, now=NOW, me=("other@example.com",))
    parsed = ics.parse(CALENDAR, someone_else)
    assert "events you declined" not in parsed.left_out
    assert "Observability vendor pitch" in {r.title for r in parsed.records}


def test_an_endless_series_stops_at_now(write, options) -> None:
    path = write(
        "daily.ics",
        _event(
            "BEGIN:VEVENT\nUID:d\nDTSTART:20261101T090000Z\nDTEND:20261101T091500Z\n"
            "RRULE:FREQ=DAILY\nSUMMARY:standup\nEND:VEVENT\n"
        ),
    )
    records = ics.parse(path, options).records
    assert [r.start.day for r in records][:2] == [1, 2]
    assert records[-1].end <= NOW + timedelta(days=1)


def test_a_bad_property_names_its_line(write, options) -> None:
    path = write(
        "bad.ics",
        _event(
            "BEGIN:VEVENT\nUID:a\nDTSTART:20260301T090000Z\nDTEND:20260301T100000Z\n"
            "SUMMARY:ok\nEND:VEVENT\n"
            "BEGIN:VEVENT\nUID:b\nDTSTART:2026031T090000\nDTEND:20260301T100000Z\n"
            "SUMMARY:bad\nEND:VEVENT\n"
        ),
    )
    with pytest.raises(ImportFileError, match="DTSTART") as caught:
        ics.parse(path, options)
    assert caught.value.line == 12


def test_an_event_ending_before_it_starts_names_its_line(write, options) -> None:
    path = write(
        "back.ics",
        _event(
            "BEGIN:VEVENT\nUID:b\nDTSTART:20260301T100000Z\nDTEND:20260301T090000Z\n"
            "SUMMARY:backwards\nEND:VEVENT\n"
        ),
    )
    with pytest.raises(ImportFileError, match="ends before it starts") as caught:
        ics.parse(path, options)
    assert caught.value.line == 7  # its DTEND


def test_not_a_calendar(write, options) -> None:
    with pytest.raises(ImportFileError, match="not a valid iCalendar"):
        ics.parse(write("x.ics", "hello\nworld\n"), options)
    with pytest.raises(ImportFileError, match="empty"):
        ics.parse(write("e.ics", ""), options)


def test_a_runaway_rule_is_refused_before_expanding(write, options) -> None:
    path = write(
        "minutely.ics",
        _event(
            "BEGIN:VEVENT\nUID:m\nDTSTART:20250101T000000Z\nDTEND:20250101T000030Z\n"
            "RRULE:FREQ=MINUTELY\nSUMMARY:runaway\nEND:VEVENT\n"
        ),
    )
    with pytest.raises(ImportFileError, match="repeat more than 200,000 times"):
        ics.parse(path, options)


def test_rdates_add_occurrences(write, options) -> None:
    path = write(
        "rdate.ics",
        _event(
            "BEGIN:VEVENT\nUID:r\nDTSTART:20260301T090000Z\nDTEND:20260301T100000Z\n"
            "RDATE:20260305T090000Z,20260307T090000Z\nSUMMARY:extra\nEND:VEVENT\n"
        ),
    )
    records = ics.parse(path, options).records
    assert [r.start.day for r in records] == [1, 5, 7]
    assert len({r.source_id for r in records}) == 3


HOSTILE = FIXTURES / "hostile" / "ics"


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    ("name", "tzid", "line"),
    [
        ("vtimezone-every-second.ics", "Hostile/Seconds", 8),
        ("vtimezone-exrule-every-second.ics", "Hostile/Exrule", 9),
    ],
)
def test_a_time_zone_changing_its_clocks_every_second_is_refused(
    options: ImportOptions, name: str, tzid: str, line: int
) -> None:
    # Before this was checked, reading the event's time expanded the rule from 1970: hours.
    with pytest.raises(
        ImportFileError, match=f"time zone {tzid}.* more than 12 times a year"
    ) as caught:
        ics.parse(HOSTILE / name, options)
    assert caught.value.line == line


def test_a_real_world_time_zone_definition_is_read(write, options) -> None:
    # As Outlook writes it: rules from 1601, a Windows zone name.
    path = write(
        "outlook.ics",
        _event(
            "BEGIN:VTIMEZONE\nTZID:Custom Berlin\n"
            "BEGIN:STANDARD\nDTSTART:16011028T030000\n"
            "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\nTZOFFSETFROM:+0200\nTZOFFSETTO:+0100\n"
            "END:STANDARD\n"
            "BEGIN:DAYLIGHT\nDTSTART:16010325T020000\n"
            "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0200\n"
            "END:DAYLIGHT\nEND:VTIMEZONE\n"
            "BEGIN:VEVENT\nUID:o\nDTSTART;TZID=Custom Berlin:20260302T090000\n"
            "DTEND;TZID=Custom Berlin:20260302T100000\nSUMMARY:winter\nEND:VEVENT\n"
            "BEGIN:VEVENT\nUID:p\nDTSTART;TZID=Custom Berlin:20260702T090000\n"
            "DTEND;TZID=Custom Berlin:20260702T100000\nSUMMARY:summer\nEND:VEVENT\n"
        ),
    )
    records = {r.title: r for r in ics.parse(path, options).records}
    assert records["winter"].start == utc(2026, 3, 2, 8, 0)
    assert records["summer"].start == utc(2026, 7, 2, 7, 0)


def test_an_unknown_tzid_names_the_zone_and_the_event(write, options) -> None:
    path = write(
        "mars.ics",
        _event(
            "BEGIN:VEVENT\nUID:ok\nDTSTART:20260301T090000Z\nDTEND:20260301T100000Z\n"
            "SUMMARY:fine\nEND:VEVENT\n"
            "BEGIN:VEVENT\nUID:m\nSUMMARY:Rover review\n"
            "DTSTART;TZID=Mars/Olympus:20260302T090000\n"
            "DTEND;TZID=Mars/Olympus:20260302T100000\nEND:VEVENT\n"
        ),
    )
    # It was read as the user's own time, silently.
    with pytest.raises(ImportFileError, match=r"'Mars/Olympus'.*'Rover review'") as caught:
        ics.parse(path, options)
    assert caught.value.line == 13  # its DTSTART
    assert "no VTIMEZONE" in caught.value.reason


def test_a_tzid_the_file_defines_or_windows_names_are_known(write, options) -> None:
    path = write(
        "windows.ics",
        _event(
            "BEGIN:VEVENT\nUID:w\nSUMMARY:standup\n"
            "DTSTART;TZID=W. Europe Standard Time:20260302T090000\n"
            "DTEND;TZID=W. Europe Standard Time:20260302T093000\nEND:VEVENT\n"
        ),
    )
    (record,) = ics.parse(path, options).records
    assert record.start == utc(2026, 3, 2, 8, 0)


def test_a_negative_duration_names_the_event(write, options) -> None:
    path = write(
        "negative.ics",
        _event(
            "BEGIN:VEVENT\nUID:n\nSUMMARY:Backwards sync\nDTSTART:20260302T090000Z\n"
            "DURATION:-PT1H\nEND:VEVENT\n"
        ),
    )
    # It was swapped into 08:00-09:00, silently.
    with pytest.raises(ImportFileError, match=r"negative.*'Backwards sync'") as caught:
        ics.parse(path, options)
    assert caught.value.line == 8  # its DURATION
