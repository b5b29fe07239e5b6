"""The Timeline tab driven by mouse and keyboard: drag-create, resize, move, book a gap, notes,
undo and redo, and the rule that no time is ever counted twice.

Each check reads the store back through a fresh store over the same folder. The window's clock
is fixed (Thursday 19 March 2026, 16:00 in Berlin); the generated weeks fill each weekday
09:00-17:30 back to back up to Wednesday 18 March, so Thursday is one gap up to now and the
weekend is free.
"""

from __future__ import annotations

import contextlib
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialogButtonBox

from sec_desktop.analytics.timeline import tracked_seconds
from sec_desktop.store import Entry, EntryStore
from sec_desktop.store.entry import NOTE_ENCRYPTED_FIELD
from sec_desktop.store.overlap import Trim
from sec_desktop.ui.dashboard.dialogs import RetagDialog
from sec_desktop.ui.dashboard.entries import EditRefused
from sec_desktop.ui.dashboard.timeline import ItemKind, NoteDialog
from tests.helpers.ids import BOARD, OKR

from .conftest import DEVICE, NOW, TZ

WEDNESDAY = date(2026, 3, 18)
THURSDAY = date(2026, 3, 19)
SATURDAY = date(2026, 3, 14)


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ).astimezone(UTC)


def _fresh(isolated_dirs: dict[str, Path]) -> EntryStore:
    return EntryStore(isolated_dirs["data"], DEVICE, clock=lambda: NOW)


def _day_entries(store: EntryStore, day: date) -> list[Entry]:
    return store.entries(_local(day, 0), _local(day + timedelta(days=1), 0))


@pytest.fixture
def window(make_window: Any, qtbot: Any) -> Any:
    made = make_window()
    made.resize(1280, 900)
    made.show()
    qtbot.waitExposed(made)
    made.tabs.setCurrentWidget(made.timeline)
    return made


def _canvas(window: Any) -> Any:
    return window.timeline.canvas


def _point(window: Any, moment: datetime, day: date | None = None) -> QPoint:
    canvas = _canvas(window)
    column = canvas.days.index(day) if day is not None else None
    return canvas.point_of(moment, column).toPoint()


def _drag(qtbot: Any, window: Any, start: QPoint, end: QPoint) -> None:
    canvas = _canvas(window)
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(canvas, start + QPoint(0, 2))
    qtbot.mouseMove(canvas, end)
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=end)


def _chooser(window: Any) -> RetagDialog:
    dialogs = [d for d in window.findChildren(RetagDialog) if d.isVisible()]
    assert len(dialogs) == 1
    return dialogs[0]


def _choose(dialog: RetagDialog, activity_id: str) -> None:
    for row in range(dialog.list.count()):
        item = dialog.list.item(row)
        if item.data(Qt.ItemDataRole.UserRole) == activity_id:
            dialog.list.setCurrentItem(item)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def _union_holds(store: EntryStore, start: datetime, end: datetime) -> float:
    """The entries' summed durations equal the time they cover: nothing counted twice."""
    entries = store.entries(start, end)
    summed = sum(e.duration.total_seconds() for e in entries)
    assert summed == tracked_seconds(entries)
    return summed


def test_drag_create_on_free_time_then_undo_and_redo(
    window: Any, qtbot: Any, shown: Any, isolated_dirs: dict[str, Path]
) -> None:
    timeline = window.timeline
    timeline.show_day(SATURDAY, week=True)
    start, end = _local(SATURDAY, 10, 0), _local(SATURDAY, 11, 30)
    _drag(qtbot, window, _point(window, start, SATURDAY), _point(window, end, SATURDAY))
    dialog = _chooser(window)
    shown(window, lambda: _choose(dialog, OKR))
    (made,) = _day_entries(_fresh(isolated_dirs), SATURDAY)
    assert (made.start, made.end, made.activity, made.source) == (start, end, OKR, "manual")
    assert _canvas(window).selected.entry.id == made.id

    shown(window, window.undo_action.trigger)
    assert _day_entries(_fresh(isolated_dirs), SATURDAY) == []
    assert not any(e.start == start for e in _canvas(window).entries)
    shown(window, window.redo_action.trigger)
    (again,) = _day_entries(_fresh(isolated_dirs), SATURDAY)
    assert (again.start, again.end, again.activity) == (start, end, OKR)


def test_drag_create_into_an_entry_is_trimmed_and_says_so(
    window: Any, qtbot: Any, shown: Any, isolated_dirs: dict[str, Path]
) -> None:
    timeline = window.timeline
    timeline.show_day(WEDNESDAY, week=False)
    last = _day_entries(_fresh(isolated_dirs), WEDNESDAY)[-1]
    assert last.end == _local(WEDNESDAY, 17, 30)
    # Upward from 18:00 to 17:00: the start gives way where the day's last entry ends.
    _drag(
        qtbot, window, _point(window, _local(WEDNESDAY, 18)), _point(window, _local(WEDNESDAY, 17))
    )
    shown(window, lambda: _choose(_chooser(window), BOARD))
    made = _day_entries(_fresh(isolated_dirs), WEDNESDAY)[-1]
    assert (made.start, made.end) == (last.end, _local(WEDNESDAY, 18))
    assert timeline.message.isVisible()
    assert "trimmed to 17:30\u201318:00" in timeline.message.text()
    _union_holds(_fresh(isolated_dirs), _local(WEDNESDAY, 0), _local(THURSDAY, 0))


def test_resize_by_its_edges_with_undo_and_redo(
    window: Any, qtbot: Any, shown: Any, isolated_dirs: dict[str, Path]
) -> None:
    timeline = window.timeline
    timeline.show_day(WEDNESDAY, week=False)
    last = _day_entries(_fresh(isolated_dirs), WEDNESDAY)[-1]
    bottom = _point(window, last.end)
    _drag(qtbot, window, bottom, _point(window, _local(WEDNESDAY, 18, 15)))
    saved = _fresh(isolated_dirs).get(last.id)
    assert (saved.start, saved.end) == (last.start, _local(WEDNESDAY, 18, 15))
    assert timeline.message.isHidden()

    shown(window, window.undo_action.trigger)
    assert _fresh(isolated_dirs).get(last.id).end == last.end
    shown(window, window.redo_action.trigger)
    assert _fresh(isolated_dirs).get(last.id).end == _local(WEDNESDAY, 18, 15)

    # The top edge dragged up over the entry before: it stops where that one ends.
    before = _day_entries(_fresh(isolated_dirs), WEDNESDAY)[-2]
    total = _union_holds(_fresh(isolated_dirs), _local(WEDNESDAY, 0), _local(THURSDAY, 0))
    _drag(qtbot, window, _point(window, last.start), _point(window, before.start))
    assert _fresh(isolated_dirs).get(last.id).start == last.start
    assert "Not resized: it would overlap" in timeline.message.text()
    after = _union_holds(_fresh(isolated_dirs), _local(WEDNESDAY, 0), _local(THURSDAY, 0))
    assert after == total


def test_a_move_onto_other_entries_is_refused_and_a_move_to_free_time_is_not(
    window: Any, qtbot: Any, shown: Any, isolated_dirs: dict[str, Path]
) -> None:
    timeline = window.timeline
    timeline.show_day(WEDNESDAY, week=True)
    entries = _day_entries(_fresh(isolated_dirs), WEDNESDAY)
    entry = entries[len(entries) // 2]
    middle = timeline.entry_point(entry)
    _drag(qtbot, window, middle, middle + QPoint(0, 60))
    assert "Not moved: it would overlap the entry from" in timeline.message.text()
    assert _day_entries(_fresh(isolated_dirs), WEDNESDAY) == entries
    assert not window.editor.undo_stack.canUndo()

    # Across to Thursday's column, where nothing is booked yet: the same clock time, a day on.
    # (Points again: the message line above the canvas moved it.)
    middle = timeline.entry_point(entry)
    target = _point(window, entry.start + (entry.end - entry.start) / 2 + timedelta(days=1))
    shown(window, lambda: _drag(qtbot, window, middle, target))
    moved = _fresh(isolated_dirs).get(entry.id)
    assert moved.start == entry.start + timedelta(days=1)
    assert moved.duration == entry.duration
    shown(window, window.undo_action.trigger)
    assert _fresh(isolated_dirs).get(entry.id).start == entry.start


def test_a_click_on_a_gap_books_exactly_that_gap(
    window: Any, qtbot: Any, shown: Any, isolated_dirs: dict[str, Path]
) -> None:
    timeline = window.timeline
    timeline.show_day(THURSDAY, week=False)
    canvas = _canvas(window)
    # Thursday: working hours from 09:00, nothing booked, now is 16:00.
    assert canvas.open.gaps == [(_local(THURSDAY, 9), NOW)]
    asked: list[tuple[datetime, datetime]] = []
    timeline.span_booker = lambda start, end: asked.append((start, end))
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=_point(window, _local(THURSDAY, 11)))
    assert asked == [(_local(THURSDAY, 9), NOW)]
    assert canvas.selected.kind is ItemKind.GAP

    # Without the tray app, the activity list books it here.
    timeline.span_booker = None
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=_point(window, _local(THURSDAY, 12)))
    shown(window, lambda: _choose(_chooser(window), OKR))
    (booked,) = _day_entries(_fresh(isolated_dirs), THURSDAY)
    assert (booked.start, booked.end, booked.activity) == (_local(THURSDAY, 9), NOW, OKR)
    assert canvas.open.gaps == []
    coverage = window.view.data.coverage
    assert coverage.tracked_seconds > 0


def test_a_refusal_from_the_picker_is_shown(window: Any, qtbot: Any) -> None:
    timeline = window.timeline
    timeline.show_day(THURSDAY, week=False)
    timeline.span_booker = lambda _start, _end: "A prompt is open: answer it first."
    canvas = _canvas(window)
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=_point(window, _local(THURSDAY, 11)))
    assert timeline.message.text() == "A prompt is open: answer it first."


def test_unanswered_away_spans_are_shown_apart_from_gaps(make_window: Any, qtbot: Any) -> None:
    away = (_local(THURSDAY, 12), _local(THURSDAY, 13))
    window = make_window(unanswered_away=lambda: [away])
    window.show()
    window.tabs.setCurrentWidget(window.timeline)
    window.timeline.show_day(THURSDAY, week=False)
    spans = _canvas(window).open
    assert spans.away == [away]
    assert spans.gaps == [(_local(THURSDAY, 9), away[0]), (away[1], NOW)]


def test_the_keyboard_moves_resizes_edits_and_deletes(
    window: Any, qtbot: Any, shown: Any, isolated_dirs: dict[str, Path]
) -> None:
    timeline = window.timeline
    timeline.show_day(WEDNESDAY, week=False)
    canvas = _canvas(window)
    canvas.setFocus()
    entries = _day_entries(_fresh(isolated_dirs), WEDNESDAY)
    qtbot.keyClick(canvas, Qt.Key.Key_Backtab)  # from nothing: the last item of the day
    gap = canvas.selected
    assert (gap.kind, gap.start, gap.end) == (ItemKind.GAP, entries[-1].end, _local(WEDNESDAY, 18))
    qtbot.keyClick(canvas, Qt.Key.Key_Backtab)
    last = entries[-1]
    assert canvas.selected.entry.id == last.id

    shown(window, lambda: qtbot.keyClick(canvas, Qt.Key.Key_Down))
    moved = _fresh(isolated_dirs).get(last.id)
    assert (moved.start, moved.end) == (
        last.start + timedelta(minutes=5),
        last.end + timedelta(minutes=5),
    )
    shown(
        window, lambda: qtbot.keyClick(canvas, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
    )
    assert _fresh(isolated_dirs).get(last.id).end == last.end + timedelta(minutes=10)
    # Up twice would put it over the entry before: the second step is refused.
    shown(window, lambda: qtbot.keyClick(canvas, Qt.Key.Key_Up))
    qtbot.keyClick(canvas, Qt.Key.Key_Up)
    assert "Not moved" in timeline.message.text()
    assert _fresh(isolated_dirs).get(last.id).start == last.start

    # The start: a step later shortens it; a step earlier again meets the entry before, and
    # one more would overlap it.
    right, left = Qt.Key.Key_Right, Qt.Key.Key_Left
    shown(window, lambda: qtbot.keyClick(canvas, right, Qt.KeyboardModifier.ShiftModifier))
    assert _fresh(isolated_dirs).get(last.id).start == last.start + timedelta(minutes=5)
    shown(window, lambda: qtbot.keyClick(canvas, left, Qt.KeyboardModifier.ShiftModifier))
    qtbot.keyClick(canvas, left, Qt.KeyboardModifier.ShiftModifier)
    assert "Not resized: it would overlap" in timeline.message.text()
    assert _fresh(isolated_dirs).get(last.id).start == last.start

    qtbot.keyClick(canvas, Qt.Key.Key_Return)
    dialog = next(d for d in window.findChildren(NoteDialog) if d.isVisible())
    dialog.text.setPlainText("Prepared the board deck")
    shown(window, dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click)
    assert _fresh(isolated_dirs).get(last.id).note == "Prepared the board deck"

    shown(window, lambda: qtbot.keyClick(canvas, Qt.Key.Key_Delete))
    assert _fresh(isolated_dirs).get(last.id) is None
    # Undo is the window's action, Ctrl+Z on every tab (offscreen Qt has no shortcut map).
    assert window.undo_action.shortcut() == QKeySequence("Ctrl+Z")
    shown(window, window.undo_action.trigger)
    restored = _day_entries(_fresh(isolated_dirs), WEDNESDAY)[-1]
    assert (restored.start, restored.note) == (last.start, "Prepared the board deck")
    shown(window, window.undo_action.trigger)  # the note
    assert _day_entries(_fresh(isolated_dirs), WEDNESDAY)[-1].note == last.note


def test_a_note_encrypted_with_a_missing_key_is_not_edited(window: Any) -> None:
    timeline = window.timeline
    timeline.show_day(WEDNESDAY, week=False)
    entry = _canvas(window).entries[0]
    locked = Entry.from_json({**entry.to_json(), NOTE_ENCRYPTED_FIELD: "sealed", "note": "[x]"})
    assert locked.note_unreadable
    assert timeline.open_note(locked) is None
    assert "encrypted with a key this device does not have" in timeline.message.text()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_no_sequence_of_drags_counts_time_twice(
    window: Any, shown: Any, seed: int, isolated_dirs: dict[str, Path]
) -> None:
    """Random moves, resizes and new entries over two packed days: after each, the summed
    durations equal the union of the entries' spans, and the dashboard's total agrees."""
    from sec_desktop.ui.dashboard.timeline_edits import create_entry

    timeline = window.timeline
    timeline.show_day(WEDNESDAY, week=True)
    canvas = _canvas(window)
    rng = random.Random(seed)
    span = (_local(WEDNESDAY - timedelta(days=2), 0), _local(THURSDAY, 0))
    for _ in range(30):
        entries = [e for e in canvas.entries if e.start >= span[0] and e.end <= span[1]]
        entry = rng.choice(entries)
        shift = timedelta(minutes=5 * rng.randint(-24, 24))
        action = rng.choice(("move", "start", "end", "create"))
        if action == "move":
            timeline.move_entry(entry, entry.start + shift)
        elif action in ("start", "end"):
            edge = Trim.START if action == "start" else Trim.END
            moment = (entry.start if edge is Trim.START else entry.end) + shift
            timeline.resize_entry(entry, edge, moment)
        else:
            start = entry.start + shift
            end = start + timedelta(minutes=5 * rng.randint(1, 24))
            trim = rng.choice((Trim.START, Trim.END, Trim.NONE))
            with contextlib.suppress(EditRefused):
                create_entry(window.editor, start, end, OKR, TZ, trim=trim)
        _union_holds(_fresh(isolated_dirs), *span)
    shown(window, window.refresh)
    period = window.period
    assert window.view.data.report.total_seconds == pytest.approx(
        _union_holds(_fresh(isolated_dirs), period.start, period.end)
    )


def test_a_new_entry_keeps_to_the_day_the_drag_began_in(
    window: Any, qtbot: Any, shown: Any, isolated_dirs: dict[str, Path]
) -> None:
    timeline = window.timeline
    timeline.show_day(SATURDAY, week=True)
    sunday = SATURDAY + timedelta(days=1)
    start = _point(window, _local(SATURDAY, 10), SATURDAY)
    end = _point(window, _local(sunday, 11), sunday)  # released over Sunday's column
    _drag(qtbot, window, start, end)
    shown(window, lambda: _choose(_chooser(window), OKR))
    (made,) = _fresh(isolated_dirs).entries(_local(SATURDAY, 0), _local(sunday, 23))
    assert (made.start, made.end) == (_local(SATURDAY, 10), _local(SATURDAY, 11))


def test_a_note_the_store_refuses_keeps_its_dialog_open_with_the_reason(
    window: Any, monkeypatch: pytest.MonkeyPatch, isolated_dirs: dict[str, Path]
) -> None:
    from sec_desktop.store import StoreError

    timeline = window.timeline
    timeline.show_day(WEDNESDAY, week=False)
    entry = _canvas(window).entries[0]
    dialog = timeline.open_note(entry)
    assert dialog is not None
    dialog.text.setPlainText("A secret")

    def refuse(_entry: Entry) -> Entry:
        raise StoreError("notes in this data folder are encrypted and the key is not available")

    monkeypatch.setattr(window.editor.store, "update", refuse)
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert dialog.isVisible()
    assert "The note was not saved: notes in this data folder are encrypted" in dialog.error.text()
    monkeypatch.undo()
    assert _fresh(isolated_dirs).get(entry.id).note == entry.note
    assert not window.editor.undo_stack.canUndo()


def test_an_undo_over_time_booked_meanwhile_is_refused(
    window: Any, qtbot: Any, shown: Any, isolated_dirs: dict[str, Path]
) -> None:
    """Move an entry away, let the picker (outside the undo stack) book the freed time, then
    undo the move and the delete: both would count that time twice, so neither is done."""
    timeline = window.timeline
    timeline.show_day(WEDNESDAY, week=True)
    entry = _day_entries(_fresh(isolated_dirs), WEDNESDAY)[3]
    shown(window, lambda: timeline.move_entry(entry, entry.start + timedelta(days=1)))
    booked = Entry.new(
        start=entry.start,
        end=entry.end,
        tz=TZ.key,
        activity=BOARD,
        source="prompt",
        device=DEVICE,
        now=NOW,
    )
    window.editor.store.add(booked)
    span = (_local(WEDNESDAY, 0), _local(THURSDAY + timedelta(days=1), 0))
    total = _union_holds(_fresh(isolated_dirs), *span)

    shown(window, window.undo_action.trigger)
    assert "Could not undo \u201cMove entry\u201d: it would overlap the entry from" in (
        timeline.message.text()
    )
    assert _fresh(isolated_dirs).get(entry.id).start == entry.start + timedelta(days=1)
    assert _union_holds(_fresh(isolated_dirs), *span) == total

    moved = _fresh(isolated_dirs).get(entry.id)
    shown(window, lambda: timeline.delete_entry(moved))
    window.editor.store.add(
        Entry.new(
            start=moved.start,
            end=moved.end,
            tz=TZ.key,
            activity=BOARD,
            source="prompt",
            device=DEVICE,
            now=NOW,
        )
    )
    shown(window, window.undo_action.trigger)
    assert "Could not undo \u201cDelete entry\u201d" in timeline.message.text()
    assert _fresh(isolated_dirs).get(entry.id) is None
    _union_holds(_fresh(isolated_dirs), *span)


def test_a_day_the_clocks_go_forward_keeps_its_wall_clock(qtbot: Any, framework: Any) -> None:
    """On 29 March 2026 Berlin skips 02:00-03:00: a block is drawn by the wall clock, and a
    point on the axis after the jump is read back as the same instant."""
    from sec_desktop.analytics.timeline import OpenSpans
    from sec_desktop.ui.dashboard.timeline import TimelineCanvas

    day = date(2026, 3, 29)
    canvas = TimelineCanvas(framework, TZ)
    qtbot.addWidget(canvas)
    canvas.resize(400, 700)
    entry = Entry.new(
        start=datetime(2026, 3, 29, 0, 30, tzinfo=UTC),  # 01:30 CET
        end=datetime(2026, 3, 29, 1, 30, tzinfo=UTC),  # 03:30 CEST: one hour later
        tz=TZ.key,
        activity=OKR,
        source="manual",
        device=DEVICE,
        now=NOW,
    )
    canvas.set_data([day], [entry], OpenSpans([], []), [], NOW)
    assert canvas.first_minute == 0
    top = canvas.point_of(entry.start).y()
    bottom = canvas.point_of(entry.end).y()
    hour = canvas.point_of(_local(day, 5)).y() - canvas.point_of(_local(day, 4)).y()
    assert bottom - top == pytest.approx(2 * hour)  # 01:30 to 03:30 on the axis
    later = _local(day, 10, 35)
    read_back = canvas.moment_at(canvas.point_of(later))[1]
    assert abs((read_back - later).total_seconds()) < 1


def test_tab_walks_the_items_and_then_leaves_the_canvas(window: Any, qtbot: Any) -> None:
    timeline = window.timeline
    timeline.show_day(THURSDAY, week=False)  # one item: the gap from 09:00 to now
    canvas = _canvas(window)
    window.activateWindow()
    qtbot.waitActive(window)
    canvas.setFocus()
    qtbot.waitUntil(canvas.hasFocus)
    qtbot.keyClick(canvas, Qt.Key.Key_Tab)
    assert canvas.selected is not None
    assert canvas.selected.kind is ItemKind.GAP
    assert canvas.hasFocus()
    qtbot.keyClick(canvas, Qt.Key.Key_Tab)  # past the last item: on to the next widget
    assert not canvas.hasFocus()
