"""The away question in the picker: its wording, a break in one key, the same as before in
one key, and a span split in two (the first part a meeting, the rest lunch)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from sec_desktop.reminders.prompts import (
    Disposition,
    PromptRequest,
    PromptSlot,
    RequestReason,
    SlotKind,
)
from sec_desktop.ui.picker.window import Picker
from tests.helpers.ids import BOARD, OKR
from tests.ui.picker.support import NOW, Recorder, open_picker

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def away_request(minutes: int = 13) -> PromptRequest:
    """Away from 14:17 to 14:30 Berlin (13:17-13:30 UTC) by default."""
    start = NOW - timedelta(minutes=minutes)
    return PromptRequest((PromptSlot(start, NOW, SlotKind.AWAY, NOW),), RequestReason.RETURN)


def question_text(picker: Picker) -> str:
    label = picker.findChild(QLabel, "question")
    assert label is not None
    return label.text()


def test_the_away_question_names_the_span(qtbot: QtBot, picker: Picker) -> None:
    open_picker(qtbot, picker, away_request())
    assert question_text(picker) == "You were away 14:17\u201314:30 (13 min): what was it?"
    button = picker.findChild(QPushButton, "away")
    assert button is not None and button.text().startswith("Break")


def test_enter_books_the_whole_span_as_the_one_typed(
    qtbot: QtBot, picker: Picker, recorder: Recorder
) -> None:
    search = open_picker(qtbot, picker, away_request())
    qtbot.keyClicks(search, "board")
    qtbot.keyClick(search, Qt.Key.Key_Return)
    (answer,) = recorder.answers()
    assert answer.activity_id == BOARD
    assert (answer.slot.start, answer.slot.end) == (NOW - timedelta(minutes=13), NOW)


def test_alt_b_is_a_break_and_books_nothing(
    qtbot: QtBot, picker: Picker, recorder: Recorder
) -> None:
    search = open_picker(qtbot, picker, away_request())
    qtbot.keyClick(search, Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)
    (answer,) = recorder.answers()
    assert answer.disposition is Disposition.AWAY and answer.activity_id is None


def test_enter_on_an_empty_box_is_the_same_as_before(
    qtbot: QtBot, picker: Picker, recorder: Recorder
) -> None:
    search = open_picker(qtbot, picker, away_request())
    qtbot.keyClick(search, Qt.Key.Key_Return)
    (answer,) = recorder.answers()
    assert answer.activity_id == OKR  # the last answer


def test_a_split_span_is_answered_in_two_parts(
    qtbot: QtBot, picker: Picker, recorder: Recorder
) -> None:
    search = open_picker(qtbot, picker, away_request(90))  # 13:00-14:30 Berlin
    qtbot.keyClick(search, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    field = picker.findChild(QLineEdit, "split-at")
    assert field is not None
    qtbot.waitUntil(lambda: picker.focusWidget() is field)
    field.selectAll()
    qtbot.keyClicks(field, "13:30")
    assert field.text() == "13:30"  # digits are the field's text, never a pick
    assert recorder.names == []
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert "1 of 2" in question_text(picker)
    qtbot.waitUntil(lambda: picker.focusWidget() is search)
    qtbot.keyClicks(search, "board")
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert "2 of 2" in question_text(picker)
    qtbot.keyClick(search, Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)
    meeting, lunch = recorder.answers()
    assert meeting.activity_id == BOARD
    assert (meeting.slot.start, meeting.slot.end) == (
        NOW - timedelta(minutes=90),
        NOW - timedelta(minutes=60),
    )
    assert lunch.disposition is Disposition.AWAY
    assert (lunch.slot.start, lunch.slot.end) == (NOW - timedelta(minutes=60), NOW)


def test_split_also_takes_minutes_and_refuses_a_time_outside_the_span(
    qtbot: QtBot, picker: Picker, recorder: Recorder
) -> None:
    search = open_picker(qtbot, picker, away_request(60))
    qtbot.keyClick(search, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    field = picker.findChild(QLineEdit, "split-at")
    assert field is not None
    field.setText("09:00")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    error = picker.findChild(QLabel, "split-error")
    assert error is not None and error.text() == "Not inside this span"
    assert "1 of 2" not in question_text(picker)
    field.setText("20")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert question_text(picker).startswith("1 of 2: You were away 13:30\u201313:50 (20 min)")
    assert recorder.names == []  # nothing booked by splitting


def test_a_split_left_open_is_closed_for_the_next_question(qtbot: QtBot, picker: Picker) -> None:
    search = open_picker(qtbot, picker, away_request(60))
    qtbot.keyClick(search, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    editor = picker.findChild(QWidget, "split-editor")
    assert editor is not None and editor.isVisible()
    picker.dismiss()
    open_picker(qtbot, picker, away_request(30))
    assert not editor.isVisible()
