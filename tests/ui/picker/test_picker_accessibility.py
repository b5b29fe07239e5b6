"""What a screen reader is told in the picker: the highlighted choice on every move, the top
match once typing pauses, the next question of a queue, and each one-key answer with its key
(in its name and as its key binding)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import shiboken6
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import (
    QAccessible,
    QAccessibleAnnouncementEvent,
    QAccessibleEvent,
    QKeyEvent,
)
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QListWidget, QPushButton
from pytestqt.qtbot import QtBot

from sec_desktop.reminders.prompts import PromptRequest, PromptSlot, RequestReason, SlotKind
from sec_desktop.ui import accessibility
from sec_desktop.ui.picker.window import Picker
from tests.helpers.ids import OKR
from tests.ui.picker.support import CLOCKS, GUARD_S, NOW, Recorder, open_picker, search_box

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


class Spoken:
    """The accessibility events the picker sends, as (kind, object name, child, text)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, int, str]] = []

    def __call__(self, event: QAccessibleEvent) -> None:
        source = event.object()
        name = source.objectName() if source is not None else ""
        if isinstance(event, QAccessibleAnnouncementEvent):
            self.events.append(("announce", name, -1, event.message()))
        elif event.type() == QAccessible.Event.Focus:
            self.events.append(("focus", name, event.child(), ""))

    def focused_rows(self) -> list[int]:
        return [child for kind, name, child, _ in self.events if kind == "focus"]


@pytest.fixture
def spoken(monkeypatch: pytest.MonkeyPatch) -> Spoken:
    made = Spoken()
    monkeypatch.setattr(accessibility, "post", made)
    return made


def one_prompt() -> PromptRequest:
    start = NOW - timedelta(minutes=30)
    return PromptRequest((PromptSlot(start, NOW, SlotKind.INTERVAL, NOW),), RequestReason.DUE)


def queue_of_two() -> PromptRequest:
    first = NOW - timedelta(minutes=60)
    middle = NOW - timedelta(minutes=30)
    return PromptRequest(
        (
            PromptSlot(first, middle, SlotKind.INTERVAL, middle),
            PromptSlot(middle, NOW, SlotKind.INTERVAL, NOW),
        ),
        RequestReason.RETURN,
    )


def item_name(picker: Picker, row: int) -> str:
    choices = picker.findChild(QListWidget, "choices")
    assert choices is not None
    iface = QAccessible.queryAccessibleInterface(choices)
    return iface.child(row).text(QAccessible.Text.Name)


def test_down_and_up_report_each_highlighted_choice_as_focused(
    qtbot: QtBot, picker: Picker, spoken: Spoken
) -> None:
    search = open_picker(qtbot, picker, one_prompt())
    spoken.events.clear()
    qtbot.keyClick(search, Qt.Key.Key_Down)
    qtbot.keyClick(search, Qt.Key.Key_Down)
    qtbot.keyClick(search, Qt.Key.Key_Up)
    assert spoken.focused_rows() == [1, 2, 1]
    # The focused child is the row the user sees highlighted, read with its key.
    assert item_name(picker, 1).startswith("Alt+1: ")
    assert picker.focusWidget() is search  # the keyboard stays in the search box


def test_the_top_match_is_read_once_typing_pauses(
    qtbot: QtBot, picker: Picker, spoken: Spoken
) -> None:
    search = open_picker(qtbot, picker, one_prompt())
    spoken.events.clear()
    qtbot.keyClicks(search, "okr")
    assert spoken.focused_rows() == []  # not on every key
    qtbot.waitUntil(lambda: spoken.focused_rows() == [0])
    assert item_name(picker, 0) == "Alt+1: OKR management"
    qtbot.wait(600)  # one announcement per pause, not a repeat
    assert spoken.focused_rows() == [0]


def test_nothing_matching_is_read_as_such(qtbot: QtBot, picker: Picker, spoken: Spoken) -> None:
    search = open_picker(qtbot, picker, one_prompt())
    qtbot.keyClicks(search, "zzqx")
    qtbot.waitUntil(lambda: spoken.focused_rows() == [0])
    assert "No" in item_name(picker, 0)


def test_search_mode_says_alt_digits_as_the_visible_hint_does(qtbot: QtBot, picker: Picker) -> None:
    search = open_picker(qtbot, picker, one_prompt())
    qtbot.keyClicks(search, "board")
    description = QAccessible.queryAccessibleInterface(picker.findChild(QListWidget, "choices"))
    row = description.child(0).text(QAccessible.Text.Description)
    assert row.endswith("Press Alt+1 to pick it.")
    assert "Alt+1 to Alt+9" in search.accessibleDescription()
    hint = picker.findChild(QLabel, "hint")
    assert hint is not None
    assert "Alt+1\u20139:\u00a0pick" in hint.text()
    assert "Alt+1 to 9: pick" in hint.accessibleName()
    assert "Up and Down: move" in hint.accessibleName()


@pytest.mark.parametrize(
    ("object_name", "key"),
    [("away", "Alt+A"), ("off-work", "Alt+O"), ("split", "Alt+S"), ("snooze", "Esc")],
)
def test_each_one_key_answer_names_its_key_and_binds_it(
    qtbot: QtBot, picker: Picker, object_name: str, key: str
) -> None:
    open_picker(qtbot, picker, one_prompt())
    button = picker.findChild(QPushButton, object_name)
    assert button is not None
    iface = QAccessible.queryAccessibleInterface(button)
    assert iface.text(QAccessible.Text.Name).endswith(f", {key}")
    actions = iface.actionInterface()
    assert actions.keyBindingsForAction(actions.pressAction()) == [key]


def test_an_away_question_names_alt_b_and_a_queue_names_its_keys(
    qtbot: QtBot, picker: Picker
) -> None:
    start = NOW - timedelta(minutes=13)
    away = PromptRequest((PromptSlot(start, NOW, SlotKind.AWAY, NOW),), RequestReason.RETURN)
    open_picker(qtbot, picker, away)
    button = picker.findChild(QPushButton, "away")
    assert button is not None
    assert button.accessibleName() == "Break, Alt+B"
    picker.dismiss()
    open_picker(qtbot, picker, queue_of_two())
    assert button.accessibleName() == "Away, Alt+A"
    names = {b.objectName(): b.accessibleName() for b in picker.findChildren(QPushButton)}
    assert names["all-away"] == "All away, Alt+Shift+A"
    assert names["all-off-work"] == "All off work, Alt+Shift+O"
    assert names["tag-all"].endswith(", Ctrl+Enter")


def test_the_next_question_of_a_queue_is_announced(
    qtbot: QtBot, picker: Picker, spoken: Spoken
) -> None:
    search = open_picker(qtbot, picker, queue_of_two())
    spoken.events.clear()
    qtbot.keyClick(search, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
    said = [text for kind, _, _, text in spoken.events if kind == "announce"]
    assert len(said) == 1
    assert said[0].startswith("2 of 2: ")


def test_the_button_keys_answer_once_and_only_after_the_guard(
    qtbot: QtBot, picker: Picker, recorder: Recorder
) -> None:
    """The shortcuts given to the buttons for screen readers must not answer by themselves:
    the picker's keys still go through its guard, and answer exactly once."""
    picker.show_request(one_prompt(), None)
    qtbot.waitExposed(picker)
    search = search_box(picker)
    qtbot.waitUntil(lambda: picker.focusWidget() is search)
    off_work = picker.findChild(QPushButton, "off-work")
    assert off_work is not None
    # The key is taken before Qt's shortcut map sees it, and goes on to the picker's keys.
    override = QKeyEvent(
        QEvent.Type.ShortcutOverride, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier
    )
    override.ignore()
    QApplication.sendEvent(search, override)
    assert override.isAccepted()
    qtbot.keyClick(search, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)  # inside the guard
    assert recorder.names == []
    CLOCKS[picker].advance(seconds=GUARD_S)
    qtbot.keyClick(search, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
    assert [a.disposition.name for a in recorder.answers()] == ["OFF_WORK"]


def test_typing_reuses_the_rows_and_keeps_the_top_one_highlighted(
    qtbot: QtBot, picker: Picker
) -> None:
    """No row is destroyed and rebuilt per key, so a screen reader is never told about a
    selection on a row that is already gone."""
    search = open_picker(qtbot, picker, one_prompt())
    choices = picker.findChild(QListWidget, "choices")
    assert choices is not None
    qtbot.keyClicks(search, "o")
    top = shiboken6.getCppPointer(choices.item(0))
    changes: list[int] = []
    choices.currentRowChanged.connect(changes.append)
    qtbot.keyClicks(search, "kr")
    assert shiboken6.getCppPointer(choices.item(0)) == top
    assert changes == []
    assert choices.currentRow() == 0
    assert picker.choice_ids()[0] == OKR
    qtbot.keyClicks(search, "zzqx")  # nothing matches: headers and suggestions, none highlighted
    assert choices.currentRow() == -1
    assert not choices.item(0).flags() & Qt.ItemFlag.ItemIsEnabled


def test_the_split_problem_is_read_only_when_there_is_one(qtbot: QtBot, picker: Picker) -> None:
    search = open_picker(qtbot, picker, one_prompt())
    qtbot.keyClick(search, Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier)
    problem = picker.findChild(QLabel, "split-error")
    field = picker.findChild(QLineEdit, "split-at")
    assert problem is not None and field is not None
    assert picker.focusWidget() is field
    iface = QAccessible.queryAccessibleInterface(problem)
    assert iface.text(QAccessible.Text.Name) == ""
    field.setText("23:59")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert iface.text(QAccessible.Text.Name) == "Not inside this span"
    assert "is not a time inside this span" in field.accessibleDescription()
