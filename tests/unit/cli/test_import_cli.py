"""`sec-desktop import`, `backup` and the extra export formats, run in-process."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sec_desktop.interop.exports import TOGGL_COLUMNS
from sec_desktop.settings import load_settings, save_settings
from tests.helpers.ids import BOARD, CUSTOMER

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "import"
TOGGL = str(FIXTURES / "toggl-detailed.csv")


def test_dry_run_shows_what_would_be_added_and_writes_nothing(cli, shard_files) -> None:
    result = cli("import", TOGGL, "--from", "toggl", "--default", CUSTOMER, "--dry-run")
    assert result.code == 0, result.err
    assert "would add: 7 entries" in result.out
    assert "left out: 1 of zero length" in result.out
    assert "left out: 1 repeating an earlier row of the file" in result.out
    assert "2026-03-02 09:00-10:30  Board communications  Q1 board deck" in result.out
    assert "Dry run: nothing was written." in result.out
    assert shard_files() == []


def test_unmapped_rows_are_listed_and_nothing_is_written(cli, shard_files) -> None:
    result = cli("import", TOGGL, "--from", "toggl")
    assert result.code == 2
    assert "2 rows no rule matches:" in result.out
    assert "project 'Acme': 2 rows, 4 h 15 min (lines 4, 5)" in result.out
    assert 'pattern = "^Acme$"' in result.out
    assert result.err_lines == [
        "sec-desktop: nothing was imported: 2 rows no rule matches (listed above)."
    ]
    assert shard_files() == []


def test_import_then_reimport(cli, stored) -> None:
    first = cli("import", TOGGL, "--from", "toggl", "--default", CUSTOMER)
    assert first.code == 0, first.err
    assert "Imported 7 entries" in first.out
    assert "Backup made before importing" in first.err
    entries = stored()
    assert len(entries) == 7
    assert {e.source for e in entries} == {"import:toggl"}
    assert sum(e.activity == BOARD for e in entries) == 1  # line 10 repeats line 2
    again = cli("import", TOGGL, "--from", "toggl", "--default", CUSTOMER)
    assert again.code == 0
    assert "already imported: 7 (skipped)" in again.out
    assert "Nothing new to import." in again.out
    assert stored() == entries


def test_a_malformed_row_names_file_and_line(cli, shard_files, tmp_path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "Project,Description,Start date,Start time,Duration\n"
        "Board,deck,2026-03-02,09:00:00,1:00:00\n"
        "Board,deck,2026-03-03,9 o'clock,1:00:00\n",
        encoding="utf-8",
    )
    result = cli("import", str(path), "--from", "toggl", "--default", CUSTOMER)
    assert result.code == 2
    assert result.err_lines == [
        f'sec-desktop: nothing was imported: {path}, line 3: Start time "9 o\'clock" is not '
        "a time such as 09:30:00."
    ]
    assert shard_files() == []


def test_bad_rules_are_refused_with_their_line(cli, tmp_path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text("[[rule]]\npattern = 'acme'\nactivity = 'no such activity'\n")
    result = cli("import", TOGGL, "--from", "toggl", "--rules", str(rules))
    assert result.code == 2
    assert f"the rules can't be used: {rules}, rule 1 (line 1): activity" in result.err


def test_user_rules_map_the_rest(cli, stored, tmp_path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(
        f"[[rule]]\npattern = '^acme$'\nfields = ['project']\nactivity = '{CUSTOMER}'\n"
    )
    result = cli("import", TOGGL, "--from", "toggl", "--rules", str(rules))
    assert result.code == 0, result.out + result.err
    assert sum(e.activity == CUSTOMER for e in stored()) == 3


def test_overlaps_refused_then_skipped(cli, log, stored) -> None:
    log("okr", "--start", "2026-03-02T10:00", "--end", "2026-03-02T10:15")
    refused = cli("import", TOGGL, "--from", "toggl", "--default", CUSTOMER)
    assert refused.code == 2
    assert "1 new entry overlapping stored ones or each other:" in refused.out
    assert "overlapping stored entries or each other (listed above)" in refused.err
    assert len(stored()) == 1
    skipped = cli("import", TOGGL, "--from", "toggl", "--default", CUSTOMER, "--overlap", "skip")
    assert skipped.code == 0
    assert len(stored()) == 1 + 6


def test_since_and_until_bound_the_rows(cli) -> None:
    result = cli(
        "import",
        TOGGL,
        "--from",
        "toggl",
        "--default",
        CUSTOMER,
        "--dry-run",
        "--since",
        "2026-03-03",
        "--until",
        "2026-03-04",
    )
    assert result.code == 0, result.err
    assert "would add: 2 entries" in result.out
    assert "left out: 6 outside the chosen dates" in result.out


def test_other_formats_and_calendar_options(cli, stored) -> None:
    watson = cli(
        "import", str(FIXTURES / "watson-log.json"), "--from", "watson", "--default", "okr"
    )
    assert watson.code == 0, watson.out + watson.err
    timew = cli(
        "import",
        str(FIXTURES / "timewarrior-export.json"),
        "--from",
        "timew",
        "--default",
        "okr",
        "--overlap",
        "keep",
    )
    assert timew.code == 0, timew.out + timew.err
    assert "left out: 1 still running (no end yet)" in timew.out
    calendar = cli(
        "import",
        str(FIXTURES / "calendar.ics"),
        "--from",
        "ics",
        "--default",
        "okr",
        "--me",
        "nobody@example.com",
        "--dry-run",
    )
    assert "events you declined" not in calendar.out
    assert "events read from 2026-03-10 14:00 to 2026-11-23 18:00" in calendar.out
    assert {e.source for e in stored()} == {"import:watson", "import:timewarrior"}


def test_unknown_format(cli) -> None:
    with pytest.raises(SystemExit) as caught:
        cli("import", TOGGL, "--from", "harvest")
    assert caught.value.code == 2


def test_export_toggl_csv_and_ics(cli, log) -> None:
    entry_id = log("board comm", "--start", "09:00", "--end", "10:00", "--note", "deck")
    toggl = cli("export", "--format", "toggl-csv")
    assert toggl.code == 0
    (row,) = list(csv.DictReader(io.StringIO(toggl.out, newline="")))
    assert list(row) == TOGGL_COLUMNS
    assert (row["Start date"], row["Start time"], row["Duration"]) == (
        "2026-11-23",
        "09:00:00",
        "1:00:00",
    )
    assert row["SEC activity id"] == BOARD
    ics = cli("export", "--format", "ics")
    assert ics.code == 0
    assert f"UID:{entry_id}" in ics.out
    assert ics.out.count("BEGIN:VEVENT") == 1


def test_backup_now_list_and_restore(cli, log, shard_files, monkeypatch) -> None:
    kept = log("okr", "--start", "09:00", "--end", "09:30")
    made = cli("backup", "now")
    assert made.code == 0, made.err
    assert "Backup made:" in made.out
    listing = cli("backup", "list", "--verify")
    assert listing.code == 0
    assert "1 entries  good" in listing.out
    for path in shard_files():
        path.unlink()  # lost, e.g. deleted by a sync engine
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    refused = cli("backup", "restore")
    assert "Restoring adds back 1 entry:" in refused.out
    assert "Nothing was changed." in refused.out
    restored = cli("backup", "restore", "latest", "--yes")
    assert restored.code == 0, restored.err
    assert "Restored 1 entry from" in restored.out
    again = cli("export", "--format", "json")
    assert kept in again.out


def test_backup_now_keeps_as_many_as_the_settings_say(cli, log, isolated_dirs) -> None:
    config = isolated_dirs["config"]
    save_settings(config, load_settings(config).settings.replace(backups_kept=2))
    log("okr", "--start", "09:00", "--end", "09:30")
    outputs = [
        cli("backup", "now", now=datetime(2026, 11, day, 17, tzinfo=UTC)) for day in (20, 21, 22)
    ]
    assert [made.code for made in outputs] == [0, 0, 0]
    assert "Removed 1 older backups (keeping 2)." in outputs[-1].out
    listing = cli("backup", "list")
    assert listing.out.count("good") == 2
    # --keep still overrides the setting for one run.
    wider = cli("backup", "now", "--keep", "5", now=datetime(2026, 11, 23, 17, tzinfo=UTC))
    assert "Removed" not in wider.out
    assert cli("backup", "list").out.count("good") == 3


@pytest.mark.timeout(30)
def test_a_hostile_time_zone_is_refused_even_in_a_dry_run(cli, shard_files) -> None:
    hostile = FIXTURES / "hostile" / "ics" / "vtimezone-every-second.ics"
    result = cli("import", str(hostile), "--from", "ics", "--default", CUSTOMER, "--dry-run")
    assert result.code == 2
    assert f"{hostile}, line 8: the time zone Hostile/Seconds may change its clocks" in result.err
    assert shard_files() == []


def test_a_dry_run_prints_no_terminal_escapes_from_the_file(cli) -> None:
    hostile = str(FIXTURES / "hostile" / "toggl" / "terminal-escapes.csv")
    listed = cli("import", hostile, "--from", "toggl", "--default", CUSTOMER, "--dry-run")
    unmapped = cli("import", hostile, "--from", "toggl", "--no-default-rules", "--dry-run")
    for result in (listed, unmapped):
        printed = result.out + result.err
        # Before, the note's ESC, BEL and CSI (C1) reached the terminal as they were.
        assert not any(ch in printed for ch in "\x1b\x07\x9b"), printed
    assert "\\x1b]0;pwned\\x07\\x1b[2J\\x1b[31mred\\x1b[0m \\x9b6n" in listed.out
    assert "\\x1b[5mBlink\\x9b" in unmapped.out


def test_any_command_undoes_an_import_killed_part_way_first(
    cli, isolated_dirs: dict[str, Path], device: str
) -> None:
    """A report run after a killed import never counts half of it."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from sec_desktop.framework import load_framework
    from sec_desktop.interop import plan_import
    from sec_desktop.interop.plan import ImportWriter
    from sec_desktop.store import EntryStore
    from tests.helpers.ids import CUSTOMER

    store = EntryStore(isolated_dirs["data"], device, clock=lambda: datetime.now(UTC))
    toggl = Path(__file__).resolve().parents[2] / "fixtures" / "import" / "toggl-detailed.csv"
    made = plan_import(
        toggl,
        "toggl",
        store=store,
        framework=load_framework(),
        zone=ZoneInfo("Europe/Berlin"),
        now=datetime(2026, 11, 23, 12, tzinfo=UTC),
        default_activity=CUSTOMER,
    )
    writer = ImportWriter(made, store)
    assert writer.write_next() > 0 and not writer.done  # killed here, before the last month
    store.close()
    result = cli("report", "--from", "2026-03-01", "--to", "2026-04-30", "--format", "json")
    assert result.code == 0, result.err
    assert "An import stopped part-way was undone" in result.err
    assert json.loads(result.out)["total_minutes"] == 0
