"""Toggl Track detailed CSV: columns by name, local times with DST, durations, bad rows."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from sec_desktop.interop import ImportFileError, ImportOptions
from sec_desktop.interop.importers import toggl

from .conftest import BERLIN, FIXTURES, NOW, berlin

HEADER = (
    "User,Email,Client,Project,Task,Description,Billable,"
    "Start date,Start time,End date,End time,Duration,Tags"
)


def test_the_detailed_export_fixture(options: ImportOptions) -> None:
    parsed = toggl.parse(FIXTURES / "toggl-detailed.csv", options)
    assert parsed.rows == 9
    assert parsed.left_out == {"of zero length": 1}
    by_title = {}
    for record in parsed.records:
        by_title.setdefault(record.title, []).append(record)
    deck = by_title["Q1 board deck"]
    # Two identical rows are two entries in Toggl; each keeps its own id.
    assert len(deck) == 2
    assert deck[0].source_id != deck[1].source_id
    assert deck[0].start == berlin(2026, 3, 2, 9, 0)
    assert deck[0].end == berlin(2026, 3, 2, 10, 30)
    assert deck[0].tags == ("board", "q1")
    assert deck[0].project == "Board"
    assert deck[0].line == 2
    assert deck[1].line == 10
    migration = by_title["Customer migration"][0]
    assert (migration.client, migration.project, migration.task) == (
        "Acme GmbH",
        "Acme",
        "Migration",
    )
    assert migration.end - migration.start == timedelta(hours=3)  # across midnight
    quoted = by_title['Café, Übersicht "Q2"'][0]
    assert quoted.tags == ("Kundenpflege", "日本")
    offsite = by_title["Offsite"][0]
    assert offsite.end - offsite.start == timedelta(hours=27)


def test_spring_forward_row_lasts_one_real_hour(options: ImportOptions) -> None:
    parsed = toggl.parse(FIXTURES / "toggl-detailed.csv", options)
    (row,) = [r for r in parsed.records if r.title == "Incident: DB outage"]
    assert row.end - row.start == timedelta(hours=1)
    assert row.start == berlin(2026, 3, 29, 1, 30)


def test_fall_back_row_uses_the_duration_to_pick_the_repeated_hour(
    options: ImportOptions,
) -> None:
    # 02:30 (summer time) to 02:15 (winter time): 45 minutes, as the Duration column says.
    parsed = toggl.parse(FIXTURES / "toggl-detailed.csv", options)
    (row,) = [r for r in parsed.records if r.title == "On-call handover"]
    assert row.end - row.start == timedelta(minutes=45)
    assert row.start.isoformat() == "2026-10-25T00:30:00+00:00"


def test_duration_only_semicolons_decimal_hours_and_other_date_forms(
    options: ImportOptions,
) -> None:
    parsed = toggl.parse(FIXTURES / "toggl-duration-only.csv", options)
    spans = {r.title: (r.start, r.end - r.start) for r in parsed.records}
    assert spans["Interview backend candidate"] == (berlin(2026, 3, 10, 15, 0), timedelta(hours=1))
    assert spans["Debrief"] == (berlin(2026, 3, 10, 16, 0), timedelta(minutes=15))
    assert spans["OKR draft"] == (berlin(2026, 3, 10, 9, 30), timedelta(minutes=50))


def test_times_are_read_in_the_given_zone(write) -> None:
    path = write(
        "t.csv", f"{HEADER}\nA,a@x,,P,,D,No,2026-01-05,09:00:00,2026-01-05,10:00:00,1:00:00,\n"
    )
    tokyo = toggl.parse(path, ImportOptions(zone=ZoneInfo("Asia/Tokyo"), now=NOW))
    berlin_ = toggl.parse(path, ImportOptions(zone=BERLIN, now=NOW))
    assert berlin_.records[0].start - tokyo.records[0].start == timedelta(hours=8)
    assert tokyo.records[0].zone == "Asia/Tokyo"


def test_the_same_row_gets_the_same_id_in_another_export(write, options: ImportOptions) -> None:
    row = "A,a@x,,P,,D,No,2026-01-05,09:00:00,2026-01-05,10:00:00,1:00:00,t"
    first = toggl.parse(write("a.csv", f"{HEADER}\n{row}\n"), options)
    other = "A,a@x,,P,,E,No,2026-01-06,09:00:00,2026-01-06,10:00:00,1:00:00,t"
    second = toggl.parse(write("b.csv", f"{HEADER}\n{other}\n{row}\n"), options)
    assert first.records[0].source_id == second.records[1].source_id
    assert second.records[0].source_id != second.records[1].source_id


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (
            "A,a@x,,P,,D,No,2026-13-05,09:00:00,2026-01-05,10:00:00,1:00:00,",
            "Start date '2026-13-05'",
        ),
        ("A,a@x,,P,,D,No,05/01/2026,09:00:00,2026-01-05,10:00:00,1:00:00,", "ambiguous"),
        (
            "A,a@x,,P,,D,No,2026-01-05,25:00:00,2026-01-05,10:00:00,1:00:00,",
            "Start time '25:00:00'",
        ),
        ("A,a@x,,P,,D,No,2026-01-05,09:00:00,2026-01-05,10:00:00,ninety,", "Duration 'ninety'"),
        ("A,a@x,,P,,D,No,2026-01-05,10:00:00,2026-01-05,09:00:00,,", "ends"),
        ("A,a@x,,P,,D,No,2026-03-29,02:30:00,2026-03-29,04:00:00,1:00:00,", "does not exist"),
        ("A,a@x,,P,,D,No,2026-01-05,09:00:00", "has 9 fields but the header has 13"),
    ],
)
def test_a_bad_row_names_its_line_and_reason(write, options, row, reason) -> None:
    good = "A,a@x,,P,,D,No,2026-01-05,08:00:00,2026-01-05,09:00:00,1:00:00,"
    path = write("bad.csv", f"{HEADER}\n{good}\n{good}\n{row}\n{good}\n")
    with pytest.raises(ImportFileError) as caught:
        toggl.parse(path, options)
    assert caught.value.line == 4
    assert reason in str(caught.value)
    assert str(caught.value).startswith(f"{path}, line 4: ")


def test_a_file_that_is_not_a_toggl_export_says_what_is_missing(write, options) -> None:
    path = write("x.csv", "Date,Hours,Notes\n2026-01-01,3,x\n")
    with pytest.raises(ImportFileError, match="lacks start date, start time") as caught:
        toggl.parse(path, options)
    assert caught.value.line == 1


def test_an_empty_file_and_a_non_utf8_file_are_refused(write, options) -> None:
    with pytest.raises(ImportFileError, match="empty"):
        toggl.parse(write("e.csv", ""), options)
    latin1 = f"{HEADER}\nA,a@x,,Caf\xe9,,D,No,2026-01-05,08:00:00,2026-01-05,09:00:00,1:00:00,\n"
    with pytest.raises(ImportFileError, match="not UTF-8") as caught:
        toggl.parse(write("l.csv", latin1.encode("latin-1")), options)
    assert caught.value.line == 2


def test_a_byte_order_mark_and_blank_lines_are_fine(write, options) -> None:
    text = f"\ufeff{HEADER}\n\nA,a@x,,P,,D,No,2026-01-05,08:00:00,2026-01-05,09:00:00,1:00:00,\n\n"
    parsed = toggl.parse(write("bom.csv", text.encode("utf-8")), options)
    assert len(parsed.records) == 1
    assert parsed.records[0].line == 3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1:30:00", timedelta(hours=1, minutes=30)),
        ("27:03:09", timedelta(hours=27, minutes=3, seconds=9)),
        ("0:45", timedelta(minutes=45)),
        ("0.75", timedelta(minutes=45)),
        ("1,5", timedelta(minutes=90)),
    ],
)
def test_duration_formats(text: str, expected: timedelta) -> None:
    assert toggl.parse_duration(text) == expected
