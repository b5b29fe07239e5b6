"""The Entries table's bookkeeping: newest first, sortable headers, search and filters, Add
entry (overlaps refused by name) and notes edited in place, each edit with undo and redo.

The store is read back fresh after every edit, so nothing is taken from the window's cache.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDialogButtonBox

from sec_desktop.store import EntryStore
from sec_desktop.ui.dashboard.dialogs import to_qdatetime
from sec_desktop.ui.dashboard.entries import COLUMNS
from sec_desktop.ui.dashboard.entry_filter import EntryFilter
from tests.helpers.entries import make_entry
from tests.helpers.ids import BOARD, INCIDENT, SECURITY, TALENT

from .conftest import DEVICE, NOW, TZ

DESCENDING = Qt.SortOrder.DescendingOrder


def _fresh(isolated_dirs: dict[str, Path]) -> EntryStore:
    return EntryStore(isolated_dirs["data"], DEVICE, clock=lambda: NOW)


@pytest.fixture
def table(make_window: Any, shown: Any) -> Any:
    window = make_window()
    shown(window, lambda: window.set_period_kind("last-week"))
    window.tabs.setCurrentIndex(2)
    assert window.entries.model.rowCount() > 10
    return window


def test_the_table_opens_newest_first_and_sorts_by_any_header(
    table: Any, qtbot: Any, shown: Any
) -> None:
    tab = table.entries
    starts = [e.start for e in tab.shown_entries()]
    assert starts == sorted(starts, reverse=True)

    table.show()
    qtbot.waitExposed(table)
    header = tab.table.horizontalHeader()
    column = COLUMNS.index("Duration")
    spot = QPoint(header.sectionViewportPosition(column) + 5, header.height() // 2)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=spot)
    assert header.sortIndicatorSection() == column
    durations = [e.duration for e in tab.shown_entries()]
    assert len(set(durations)) > 1
    assert durations == sorted(durations, reverse=header.sortIndicatorOrder() == DESCENDING)

    chosen = tab.shown_entries()[5]
    tab.select_entries([chosen.id])
    tab.table.sortByColumn(COLUMNS.index("Activity"), Qt.SortOrder.AscendingOrder)
    labels = [tab.model.activity_text(e).casefold() for e in tab.shown_entries()]
    assert labels == sorted(labels)
    assert tab.selected_entries() == [chosen]  # the selection follows its row

    shown(table, table.refresh)  # a new view (after an edit) keeps the order the user chose
    labels = [tab.model.activity_text(e).casefold() for e in tab.shown_entries()]
    assert labels == sorted(labels)


def test_search_looks_in_activity_path_note_and_labels(table: Any) -> None:
    tab = table.entries
    everything = tab.model.entries()
    tab.search.setText("weekly sync")
    noted = [e for e in everything if e.note == "Weekly sync"]
    assert noted, "the generated week should hold a noted entry"
    assert {e.id for e in tab.shown_entries()} == {e.id for e in noted}
    assert "Filtered" in tab.shown_label.text()

    tab.search.setText("security compliance")
    under_security = [e for e in everything if e.activity.startswith(SECURITY)]
    assert {e.id for e in tab.shown_entries()} == {e.id for e in under_security}

    tab.search.setText("no such words anywhere")
    assert tab.shown_entries() == []
    tab.clear_button.click()
    assert len(tab.shown_entries()) == len(everything)
    assert tab.search.text() == ""


def test_filters_by_node_source_and_dates_combine(table: Any) -> None:
    tab = table.entries
    everything = tab.model.entries()
    tab.node_box.setCurrentIndex(tab.node_box.findData(SECURITY))
    tab.node_box.activated.emit(tab.node_box.currentIndex())
    source = "calendar"
    tab.source_box.setCurrentIndex(tab.source_box.findData(source))
    tab.source_box.activated.emit(tab.source_box.currentIndex())
    day = table.period.first + timedelta(days=1)
    tab.from_edit.setDate(day)
    tab.to_edit.setDate(day)
    wanted = {
        e.id
        for e in everything
        if e.activity.startswith(SECURITY)
        and e.source == source
        and e.start.astimezone(TZ).date() == day
    }
    assert wanted
    assert {e.id for e in tab.shown_entries()} == wanted
    assert tab.entry_filter == EntryFilter(node_id=SECURITY, source=source, first=day, last=day)


def _add_dialog(window: Any, search: str, start: datetime, end: datetime, note: str) -> Any:
    dialog = window.entries.open_add()
    dialog.search.setText(search)
    dialog.start.setDateTime(to_qdatetime(start, TZ))
    dialog.end.setDateTime(to_qdatetime(end, TZ))
    dialog.note.setText(note)
    return dialog


def test_add_entry_through_the_dialog_with_undo_and_redo(
    make_window: Any, shown: Any, qtbot: Any, isolated_dirs: dict[str, Path]
) -> None:
    window = make_window()  # this week: today's morning is still free
    today = NOW.astimezone(TZ).date()
    start = datetime(today.year, today.month, today.day, 10, 0, tzinfo=TZ)
    end = start + timedelta(minutes=45)
    before = len(_fresh(isolated_dirs).entries(window.period.start, window.period.end))
    dialog = _add_dialog(window, "board comm", start, end, "Prepared the deck")
    assert dialog.chosen() == BOARD
    with qtbot.waitSignal(dialog.accepted):
        shown(window, dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click)

    added = [e for e in _fresh(isolated_dirs).entries(start, end) if e.activity == BOARD]
    assert len(added) == 1
    entry = added[0]
    assert (entry.start, entry.end, entry.source) == (start, end, "manual")
    assert entry.note == "Prepared the deck"
    assert [e.id for e in window.selected_entries()] == [entry.id]
    assert window.entries.shown_entries()[0].id == entry.id  # the newest, on top

    shown(window, window.undo_action.trigger)
    assert len(_fresh(isolated_dirs).entries(window.period.start, window.period.end)) == before
    shown(window, window.redo_action.trigger)
    again = [e for e in _fresh(isolated_dirs).entries(start, end) if e.activity == BOARD]
    assert [(e.start, e.end, e.note) for e in again] == [(start, end, "Prepared the deck")]


def test_an_overlapping_new_entry_is_refused_naming_the_clashes(
    table: Any, isolated_dirs: dict[str, Path]
) -> None:
    window = table
    existing = window.entries.model.entries()
    day = existing[0].start.astimezone(TZ).date()
    start = datetime(day.year, day.month, day.day, 10, 0, tzinfo=TZ)
    end = start + timedelta(hours=1)
    clashes = sorted((e for e in existing if e.overlaps(start, end)), key=lambda e: e.start)
    assert len(clashes) >= 1
    before = _fresh(isolated_dirs).entries(window.period.start, window.period.end)

    dialog = _add_dialog(window, "board comm", start, end, "")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.isVisible()
    message = dialog.error.text()
    assert "overlap" in message
    first = clashes[0].start.astimezone(TZ)
    assert f"{first:%Y-%m-%d %H:%M}" in message
    assert window.entries.model.activity_text(clashes[0]) in message
    assert _fresh(isolated_dirs).entries(window.period.start, window.period.end) == before
    dialog.reject()


def test_a_future_or_backwards_entry_is_refused_by_field(table: Any) -> None:
    window = table
    later = NOW.astimezone(TZ) + timedelta(hours=2)
    dialog = _add_dialog(window, "board comm", later, later + timedelta(hours=1), "")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert "in the future" in dialog.error.text()
    earlier = NOW.astimezone(TZ) - timedelta(hours=1)
    dialog.start.setDateTime(to_qdatetime(earlier, TZ))
    dialog.end.setDateTime(to_qdatetime(earlier - timedelta(minutes=5), TZ))
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert "must be after start" in dialog.error.text()
    dialog.reject()


def test_a_note_edited_in_place_is_saved_with_undo(
    table: Any, shown: Any, isolated_dirs: dict[str, Path]
) -> None:
    window = table
    tab = window.entries
    entry = tab.shown_entries()[3]
    index = tab.proxy.index(3, COLUMNS.index("Note"))
    assert tab.proxy.flags(index) & Qt.ItemFlag.ItemIsEditable
    shown(window, lambda: tab.proxy.setData(index, "Spoke with the auditors"))
    assert _fresh(isolated_dirs).get(entry.id).note == "Spoke with the auditors"
    row = tab.proxy.row_of(entry.id)
    assert tab.proxy.index(row, COLUMNS.index("Note")).data() == "Spoke with the auditors"

    shown(window, window.undo_action.trigger)
    assert _fresh(isolated_dirs).get(entry.id).note == entry.note
    shown(window, window.redo_action.trigger)
    assert _fresh(isolated_dirs).get(entry.id).note == "Spoke with the auditors"


@pytest.mark.parametrize(
    ("typed", "found"), [("incdent", INCIDENT), ("hiring", TALENT), ("board deck", BOARD)]
)
def test_add_entry_finds_the_activity_as_the_picker_does(
    table: Any, typed: str, found: str
) -> None:
    """Typos and everyday words find the activity, the best match highlighted for Enter."""
    dialog = table.entries.open_add()
    dialog.search.setText(typed)
    assert dialog.chosen() == found
    dialog.reject()


def test_redoing_an_add_into_a_slot_booked_meanwhile_is_refused(
    make_window: Any, shown: Any, filled_store: EntryStore, isolated_dirs: dict[str, Path]
) -> None:
    window = make_window()
    today = NOW.astimezone(TZ).date()
    start = datetime(today.year, today.month, today.day, 10, 0, tzinfo=TZ)
    end = start + timedelta(hours=1)
    shown(window, lambda: window.editor.add(BOARD, start, end, TZ, ""))
    shown(window, window.undo_action.trigger)
    # Booked meanwhile outside the dashboard (the picker, or `sec-desktop log`).
    other = make_entry(start, 30, INCIDENT, tz=TZ.key, device=DEVICE, now=NOW)
    filled_store.add(other)
    failures: list[str] = []
    window.editor.failed.connect(failures.append)
    shown(window, window.redo_action.trigger)
    assert len(failures) == 1
    assert "overlap" in failures[0]
    booked = _fresh(isolated_dirs).entries(start, end)
    assert [e.id for e in booked] == [other.id]  # the hour is not counted twice


def test_the_date_filter_takes_entries_with_time_on_those_days(table: Any) -> None:
    tab = table.entries
    day = table.period.first + timedelta(days=2)
    midnight = datetime(day.year, day.month, day.day, tzinfo=TZ)
    tab.from_edit.setDate(day)
    tab.to_edit.setDate(day)
    shown = tab.shown_entries()
    assert shown
    assert all(e.end > midnight and e.start < midnight + timedelta(days=1) for e in shown)
    wanted = [e for e in tab.model.entries() if e.overlaps(midnight, midnight + timedelta(days=1))]
    assert {e.id for e in shown} == {e.id for e in wanted}


def test_ctrl_f_goes_to_the_search_box(table: Any, qtbot: Any) -> None:
    table.show()
    qtbot.waitExposed(table)
    tab = table.entries
    tab.table.setFocus()
    qtbot.waitUntil(tab.table.hasFocus)
    qtbot.keyClick(tab.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert tab.search.hasFocus()
