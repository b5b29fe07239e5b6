"""Import plans: mapping, the unmapped list, all-or-nothing, re-imports, overlaps, writing."""

from __future__ import annotations

import errno
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from sec_desktop.framework import Framework
from sec_desktop.interop import (
    ImportFileError,
    ImportWriteError,
    ImportWriter,
    apply_plan,
    import_entry_id,
    plan_import,
    rule_set,
    unfinished_import,
)
from sec_desktop.interop.plan import IMPORT_NAMESPACE
from sec_desktop.store import EntryStore
from sec_desktop.store.storage import AtomicJSONStorage
from tests.helpers.entries import make_entry
from tests.helpers.ids import BOARD, CUSTOMER, MENTORSHIP, STANDUP

from .conftest import BERLIN, DEVICE, FIXTURES, NOW, berlin

TOGGL = FIXTURES / "toggl-detailed.csv"
HEADER = "Project,Description,Start date,Start time,End date,End time,Duration,Tags"


def plan(path: Path, fmt: str, store: EntryStore, framework: Framework, **kwargs):
    return plan_import(path, fmt, store=store, framework=framework, zone=BERLIN, now=NOW, **kwargs)


def data_files(store: EntryStore) -> list[Path]:
    return sorted((store.data_dir / "entries").rglob("*.json"))


def test_mapped_entries_keep_their_source(store, framework) -> None:
    result = plan(TOGGL, "toggl", store, framework, default_activity=CUSTOMER)
    assert not result.blocked
    decks = [e for e in result.new_entries if e.note == "Q1 board deck"]
    deck = min(decks, key=lambda e: e.extra["import"]["line"])
    assert deck.activity == BOARD
    assert deck.source == "import:toggl"
    assert deck.device == DEVICE
    assert deck.labels == ("board", "q1")
    assert deck.created == deck.updated == NOW
    origin = deck.extra["import"]
    assert origin["tool"] == "toggl"
    assert origin["file"] == "toggl-detailed.csv"
    assert origin["line"] == 2
    assert origin["project"] == "Board"
    assert deck.id == str(uuid.uuid5(IMPORT_NAMESPACE, f"toggl\x1f{origin['source_id']}"))
    assert result.defaulted == 2
    assert {
        e.activity for e in result.new_entries if e.extra["import"].get("project") == "Acme"
    } == {CUSTOMER, STANDUP}


def test_unmapped_rows_are_grouped_with_a_rule_to_add(store, framework, tmp_path) -> None:
    result = plan(TOGGL, "toggl", store, framework)
    assert result.blocked
    (group,) = result.unmapped
    # Line 6 ("Offsite") is mapped by the vocabulary; "Customer migration" names two
    # activities equally, so it is left for the user, not guessed.
    assert (group.field, group.value, group.rows, group.lines) == ("project", "Acme", 2, (4, 5))
    assert group.seconds == timedelta(hours=3 + 1.25).total_seconds()
    rules_file = tmp_path / "mine.toml"
    rules_file.write_text(group.rule_hint(CUSTOMER), encoding="utf-8")
    again = plan(TOGGL, "toggl", store, framework, rules=rule_set(framework, [rules_file]))
    assert not again.unmapped
    assert sum(e.activity == CUSTOMER for e in again.new_entries) == 3


def test_a_blocked_plan_writes_nothing(store, framework) -> None:
    result = plan(TOGGL, "toggl", store, framework)
    with pytest.raises(ValueError, match="nothing was written"):
        apply_plan(result, store)
    assert data_files(store) == []


def test_a_malformed_row_stops_the_whole_import(store, framework, write) -> None:
    rows = [f"Board,deck {i},2026-03-0{i},09:00:00,2026-03-0{i},10:00:00,1:00:00," for i in (2, 3)]
    rows.append("Board,broken,2026-03-04,09:00:00,2026-03-04,08:00:00,,")
    path = write("t.csv", "\n".join([HEADER, *rows]) + "\n")
    with pytest.raises(ImportFileError, match=r"line 4: the entry ends"):
        plan(path, "toggl", store, framework)
    assert data_files(store) == []


def test_reimporting_adds_nothing_even_after_a_delete(store, framework) -> None:
    first = plan(TOGGL, "toggl", store, framework, default_activity=CUSTOMER)
    # Line 10 repeats line 2: the same time is booked once.
    assert first.left_out["repeating an earlier row of the file"] == 1
    assert apply_plan(first, store) == 7
    second = plan(TOGGL, "toggl", store, framework, default_activity=CUSTOMER)
    assert second.new_entries == []
    assert second.already_imported == 7
    assert second.defaulted == 0
    store.delete(first.new_entries[0].id)
    third = plan(TOGGL, "toggl", store, framework, default_activity=CUSTOMER)
    assert third.new_entries == []
    assert (third.already_imported, third.already_deleted) == (7, 1)
    assert len(store.entries()) == 6


def test_the_same_rows_from_another_device_are_recognised(store, framework) -> None:
    apply_plan(plan(TOGGL, "toggl", store, framework, default_activity=CUSTOMER), store)
    other = EntryStore(store.data_dir, "other-desktop", clock=lambda: NOW)
    try:
        again = plan(TOGGL, "toggl", other, framework, default_activity=CUSTOMER)
    finally:
        other.close()
    assert again.new_entries == []


def test_overlaps_are_refused_skipped_or_kept_but_always_listed(store, framework) -> None:
    # Overlaps the 09:00-10:30 deck (line 2; line 10 repeats it and is left out).
    clash = store.add(make_entry(berlin(2026, 3, 2, 10, 0), 60, MENTORSHIP, device=DEVICE))
    refused = plan(TOGGL, "toggl", store, framework, default_activity=CUSTOMER)
    assert refused.blocked
    assert [o.existing.id for o in refused.overlaps] == [clash.id]
    assert [o.line for o in refused.overlaps] == [2]
    assert refused.left_out["repeating an earlier row of the file"] == 1
    skipped = plan(
        TOGGL, "toggl", store, framework, default_activity=CUSTOMER, overlap_policy="skip"
    )
    assert not skipped.blocked
    assert len(skipped.new_entries) == 6
    assert skipped.left_out["overlapping entries already stored (--overlap skip)"] == 1
    kept = plan(TOGGL, "toggl", store, framework, default_activity=CUSTOMER, overlap_policy="keep")
    assert len(kept.new_entries) == 7
    assert len(kept.overlaps) == 1


def test_adjacent_entries_do_not_overlap(store, framework) -> None:
    store.add(make_entry(berlin(2026, 3, 2, 10, 30), 30, MENTORSHIP, device=DEVICE))  # at its end
    result = plan(TOGGL, "toggl", store, framework, default_activity=CUSTOMER)
    assert result.overlaps == []


def test_future_rows_and_the_date_range_are_counted(store, framework, write) -> None:
    rows = [
        "Board,past,2026-03-02,09:00:00,2026-03-02,10:00:00,1:00:00,",
        "Board,later,2026-11-23,17:30:00,2026-11-23,18:30:00,1:00:00,",
    ]
    path = write("t.csv", "\n".join([HEADER, *rows]) + "\n")
    result = plan(path, "toggl", store, framework)
    assert result.left_out == {"ending in the future": 1}
    ranged = plan(path, "toggl", store, framework, start=berlin(2026, 3, 3, 0, 0))
    assert ranged.left_out == {"outside the chosen dates": 1, "ending in the future": 1}
    assert ranged.new_entries == []


def test_a_span_longer_than_an_entry_may_cover_is_cut(store, framework, write) -> None:
    row = "Board,forgotten timer,2026-01-01,09:00:00,2026-02-04,09:00:00,,"
    result = plan(write("t.csv", f"{HEADER}\n{row}\n"), "toggl", store, framework)
    pieces = result.new_entries
    assert [p.end - p.start for p in pieces] == [timedelta(days=31), timedelta(days=3)]
    assert pieces[0].end == pieces[1].start
    assert len({p.id for p in pieces}) == 2
    apply_plan(result, store)
    assert plan(write("t.csv", f"{HEADER}\n{row}\n"), "toggl", store, framework).new_entries == []


def test_a_failed_write_is_rolled_back_and_a_rerun_adds_everything(
    store, framework, monkeypatch
) -> None:
    result = plan(TOGGL, "toggl", store, framework, default_activity=CUSTOMER)
    months = sorted({e.start.strftime("%Y-%m") for e in result.new_entries})
    assert len(months) == 2  # March and October
    _fail_second_month_file(monkeypatch)
    with pytest.raises(ImportWriteError) as caught:
        apply_plan(result, store)
    # March was written, then removed again: all or nothing.
    assert (caught.value.saved, caught.value.total) == (0, 7)
    assert "No space left on device" in str(caught.value)
    assert "nothing was saved" in str(caught.value)
    assert store.entries(include_deleted=True) == []
    assert unfinished_import(store) is None
    monkeypatch.undo()
    rerun = plan(TOGGL, "toggl", store, framework, default_activity=CUSTOMER)
    assert len(rerun.new_entries) == 7
    apply_plan(rerun, store)
    assert len(store.entries()) == 7
    assert unfinished_import(store) is None


def _fail_second_month_file(monkeypatch: pytest.MonkeyPatch) -> None:
    """The disk is full when the import's second month file (October) is written."""
    real_write = AtomicJSONStorage.write

    def full_disk(self, data):
        if self.path.name == "2026-10.json":
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write(self, data)

    monkeypatch.setattr(AtomicJSONStorage, "write", full_disk)


def test_import_ids_differ_per_tool() -> None:
    assert import_entry_id("toggl", "1") != import_entry_id("watson", "1")


def _two_overlapping_events(write) -> Path:
    return write(
        "twice.ics",
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n"
        "BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260302T090000Z\r\nDTEND:20260302T100000Z\r\n"
        "SUMMARY:Board\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:b\r\nDTSTART:20260302T093000Z\r\nDTEND:20260302T103000Z\r\n"
        "SUMMARY:Board again\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:c\r\nDTSTART:20260302T103000Z\r\nDTEND:20260302T110000Z\r\n"
        "SUMMARY:After\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    )


def test_overlaps_inside_one_file_follow_the_overlap_policy(store, framework, write) -> None:
    path = _two_overlapping_events(write)
    # Both used to be booked: the same hour twice.
    refused = plan(path, "ics", store, framework, default_activity=CUSTOMER)
    assert refused.blocked
    (overlap,) = refused.overlaps
    assert (overlap.entry.note, overlap.existing.note) == ("Board again", "Board")
    assert overlap.line == 10 and overlap.existing_line == 4
    assert "line 4 of this file" in overlap.describe(BERLIN, str)
    skipped = plan(path, "ics", store, framework, default_activity=CUSTOMER, overlap_policy="skip")
    assert [e.note for e in skipped.new_entries] == ["Board", "After"]
    assert skipped.left_out["overlapping entries in the same file (--overlap skip)"] == 1
    kept = plan(path, "ics", store, framework, default_activity=CUSTOMER, overlap_policy="keep")
    assert [e.note for e in kept.new_entries] == ["Board", "Board again", "After"]
    assert len(kept.overlaps) == 1


def test_a_roll_back_that_fails_too_is_finished_by_the_next_import(
    store, framework, monkeypatch
) -> None:
    result = plan(TOGGL, "toggl", store, framework, default_activity=CUSTOMER)

    def no_room_to_rewrite(self, ids):
        raise OSError(errno.ENOSPC, "No space left on device")

    _fail_second_month_file(monkeypatch)
    monkeypatch.setattr(EntryStore, "discard_unfinished", no_room_to_rewrite)
    with pytest.raises(ImportWriteError, match="the next import removes them") as caught:
        apply_plan(result, store)
    assert "nothing was saved" not in str(caught.value)
    march = sum(e.start.month == 3 for e in result.new_entries)
    assert march == len(store.entries())  # written, journaled, not yet removed
    assert unfinished_import(store) == 7
    monkeypatch.undo()
    assert apply_plan(plan(TOGGL, "toggl", store, framework, default_activity=CUSTOMER), store) == 7
    assert len(store.entries()) == 7
    assert unfinished_import(store) is None


def test_a_writer_shows_progress_by_month_and_stays_all_or_nothing(store, framework) -> None:
    result = plan(TOGGL, "toggl", store, framework, default_activity=CUSTOMER)
    march = sum(e.start.month == 3 for e in result.new_entries)
    writer = ImportWriter(result, store)
    assert writer.write_next() == march
    assert not writer.done
    assert unfinished_import(store) == 7  # written so far, but not yet part of the record
    writer.abandon()  # the user cancelled, or the app is closing
    assert store.entries(include_deleted=True) == []
    assert unfinished_import(store) is None
    writer = ImportWriter(result, store)
    while not writer.done:
        writer.write_next()
    assert writer.saved == len(store.entries()) == 7
    assert unfinished_import(store) is None
    writer.abandon()  # once done, nothing is taken back
    assert len(store.entries()) == 7
