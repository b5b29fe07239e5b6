"""The picker, driven from the keyboard as a user would: every key path, the queue of missed
prompts, the timer check, accessibility, placement, and screenshots to look at."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QAccessible, QColor, QGuiApplication, QPalette, QPixmap
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QListWidget, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from sec_desktop.framework import Framework, Level, load_framework
from sec_desktop.reminders.prompts import (
    Disposition,
    PromptRequest,
    PromptSlot,
    RequestReason,
    SlotAnswer,
    SlotKind,
)
from sec_desktop.reminders.ranking import UsageRanking
from sec_desktop.ui.colors import blend
from sec_desktop.ui.picker.choices import FOCUS_AREAS_HEADER, NO_MATCH_HEADER
from sec_desktop.ui.picker.delegate import REPEAT_KEY, ROLE_KEY, SECONDARY_TEXT_SHARE
from sec_desktop.ui.picker.text import format_span
from sec_desktop.ui.picker.window import SCREEN_MARGIN_PX, Picker
from tests.helpers.ids import BOARD, DEBT, INCIDENT, OKR, REGULATORY, STANDUP, TALENT

# The offscreen platform can't raise windows or pass size hints on, and says so.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 3, 10, 13, 30, tzinfo=UTC)  # a Tuesday, 14:30 in Berlin
HISTORY = [TALENT, INCIDENT, STANDUP, BOARD, DEBT, TALENT, INCIDENT, TALENT, OKR]


@pytest.fixture(scope="module")
def framework() -> Framework:
    return load_framework()


@pytest.fixture
def ranking(framework: Framework) -> UsageRanking:
    """A week of answers, the last one OKR management."""
    made = UsageRanking(framework, tz=BERLIN)
    for index, activity in enumerate(HISTORY):
        made.record_answer(activity, NOW - timedelta(hours=len(HISTORY) - index))
    return made


@pytest.fixture
def picker(qtbot: QtBot, framework: Framework, ranking: UsageRanking) -> Picker:
    made = Picker(framework, ranking, tz=BERLIN, clock=lambda: NOW)
    qtbot.addWidget(made)
    return made


class Recorder:
    """Every signal the picker emits, in order."""

    def __init__(self, picker: Picker) -> None:
        self.events: list[tuple[str, Any]] = []
        picker.answered.connect(lambda answers: self.events.append(("answered", answers)))
        picker.snoozeRequested.connect(lambda: self.events.append(("snoozed", None)))
        picker.dismissed.connect(lambda: self.events.append(("dismissed", None)))

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.events]

    def answers(self) -> list[SlotAnswer]:
        found = [value for name, value in self.events if name == "answered"]
        assert len(found) == 1, f"answered was emitted {len(found)} times: {self.names}"
        answers: list[SlotAnswer] = found[0]
        return answers


@pytest.fixture
def recorder(picker: Picker) -> Recorder:
    return Recorder(picker)


def slot(minutes_ago: int = 0, length: int = 30, kind: SlotKind = SlotKind.INTERVAL) -> PromptSlot:
    end = NOW - timedelta(minutes=minutes_ago)
    return PromptSlot(end - timedelta(minutes=length), end, kind, NOW)


def single(kind: SlotKind = SlotKind.INTERVAL, timer: str | None = None) -> PromptRequest:
    length = 45 if kind is SlotKind.TIMER_CHECK else 30
    return PromptRequest((slot(0, length, kind),), RequestReason.DUE, timer_activity=timer)


def queue() -> PromptRequest:
    return PromptRequest((slot(60), slot(30), slot(0)), RequestReason.RETURN)


def search_box(picker: Picker) -> QLineEdit:
    found = picker.findChild(QLineEdit, "search")
    assert found is not None
    return found


def note_box(picker: Picker) -> QLineEdit:
    found = picker.findChild(QLineEdit, "note")
    assert found is not None
    return found


def child(picker: Picker, kind: type[QWidget], name: str) -> Any:
    found = picker.findChild(kind, name)
    assert found is not None, f"no {kind.__name__} named {name!r}"
    return found


def open_picker(qtbot: QtBot, picker: Picker, request: PromptRequest) -> QLineEdit:
    """Show `request` and return the search box, which holds the window's focus.

    The offscreen platform activates a window only on its first show (it keeps a hidden
    window as the focus window), so this checks the window's focus child rather than the
    application's; a fresh picker's real focus is checked in the first test.
    """
    picker.show_request(request, None)
    qtbot.waitExposed(picker)
    search = search_box(picker)
    qtbot.waitUntil(lambda: picker.focusWidget() is search)
    return search


def tagged(answer: SlotAnswer, activity: str, note: str | None = None) -> bool:
    return (
        answer.disposition is Disposition.TAGGED
        and answer.activity_id == activity
        and answer.note == note
    )


# Opening ---------------------------------------------------------------------------------------


def test_opens_with_focus_in_the_search_box_and_asks_about_the_span(
    qtbot: QtBot, picker: Picker
) -> None:
    search = open_picker(qtbot, picker, single())
    qtbot.waitUntil(search.hasFocus)
    assert picker.isActiveWindow()
    question = child(picker, QLabel, "question")
    assert question.text() == "What were you doing since 14:00? (30 min)"
    assert picker.windowFlags() & Qt.WindowType.FramelessWindowHint
    assert picker.windowFlags() & Qt.WindowType.WindowStaysOnTopHint
    assert not child(picker, QListWidget, "slots").isVisible()


def test_empty_box_lists_the_last_answer_then_nine_by_usage(
    qtbot: QtBot, picker: Picker, ranking: UsageRanking
) -> None:
    request = single()
    open_picker(qtbot, picker, request)
    listed = picker.choice_ids()
    assert listed[0] == OKR  # the repeat row
    assert listed[1:] == ranking.top(9, at=request.slots[0].end, exclude={OKR})
    keys = [child(picker, QListWidget, "choices").item(r).data(ROLE_KEY) for r in range(10)]
    assert keys == [REPEAT_KEY, *(str(n) for n in range(1, 10))]


# Keys on an empty box ----------------------------------------------------------------------------


def test_enter_on_an_empty_box_repeats_the_last_answer(
    qtbot: QtBot, picker: Picker, recorder: Recorder
) -> None:
    request = single()
    search = open_picker(qtbot, picker, request)
    qtbot.keyClick(search, Qt.Key.Key_Return)
    (answer,) = recorder.answers()
    assert answer.slot == request.slots[0]
    assert tagged(answer, OKR)
    assert recorder.names == ["answered"]
    assert not picker.isVisible()


@pytest.mark.parametrize("number", [1, 2, 9])
def test_a_digit_on_an_empty_box_picks_that_listed_choice(
    qtbot: QtBot, picker: Picker, recorder: Recorder, number: int
) -> None:
    search = open_picker(qtbot, picker, single())
    expected = picker.choice_ids()[number]  # row 0 is the repeat row
    qtbot.keyClick(search, getattr(Qt.Key, f"Key_{number}"))
    (answer,) = recorder.answers()
    assert tagged(answer, expected)
    assert search.text() == ""


def test_keypad_digits_pick_too(qtbot: QtBot, picker: Picker, recorder: Recorder) -> None:
    search = open_picker(qtbot, picker, single())
    expected = picker.choice_ids()[3]
    qtbot.keyClick(search, Qt.Key.Key_3, Qt.KeyboardModifier.KeypadModifier)
    assert tagged(recorder.answers()[0], expected)


def test_escape_snoozes_without_an_answer(qtbot: QtBot, picker: Picker, recorder: Recorder) -> None:
    search = open_picker(qtbot, picker, single())
    qtbot.keyClicks(search, "okr")
    with qtbot.waitSignal(picker.snoozeRequested):
        qtbot.keyClick(search, Qt.Key.Key_Escape)
    assert recorder.names == ["snoozed"]
    assert not picker.isVisible()


def test_without_history_enter_waits_and_digits_pick_the_starter_list(
    qtbot: QtBot, framework: Framework
) -> None:
    empty = UsageRanking(framework, tz=BERLIN)
    picker = Picker(framework, empty, tz=BERLIN, clock=lambda: NOW)
    qtbot.addWidget(picker)
    recorder = Recorder(picker)
    search = open_picker(qtbot, picker, single())
    assert picker.choice_ids() == empty.top(9)
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert recorder.events == []
    assert picker.isVisible()
    qtbot.keyClick(search, Qt.Key.Key_1)
    assert tagged(recorder.answers()[0], empty.top(9)[0])


# Typing ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "expected"), [("okr", OKR), ("sec inc", INCIDENT)])
def test_typing_then_enter_picks_the_best_match(
    qtbot: QtBot, picker: Picker, recorder: Recorder, typed: str, expected: str
) -> None:
    search = open_picker(qtbot, picker, single())
    qtbot.keyClicks(search, typed)
    assert picker.choice_ids()[0] == expected
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert tagged(recorder.answers()[0], expected)


def test_a_digit_typed_after_a_letter_stays_in_the_box(
    qtbot: QtBot, picker: Picker, recorder: Recorder
) -> None:
    search = open_picker(qtbot, picker, single())
    qtbot.keyClicks(search, "soc2")
    assert search.text() == "soc2"
    assert recorder.events == []
    assert picker.choice_ids()[0] == REGULATORY


def test_alt_digit_picks_while_typing(qtbot: QtBot, picker: Picker, recorder: Recorder) -> None:
    search = open_picker(qtbot, picker, single())
    qtbot.keyClicks(search, "team")
    expected = picker.choice_ids()[1]  # numbered from 1 while typing: "2" is the second
    qtbot.keyClick(search, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    assert tagged(recorder.answers()[0], expected)


def test_down_then_enter_picks_the_next_match(
    qtbot: QtBot, picker: Picker, recorder: Recorder
) -> None:
    search = open_picker(qtbot, picker, single())
    qtbot.keyClicks(search, "team")
    expected = picker.choice_ids()[2]
    qtbot.keyClick(search, Qt.Key.Key_Down)
    qtbot.keyClick(search, Qt.Key.Key_Down)
    qtbot.keyClick(search, Qt.Key.Key_Down)
    qtbot.keyClick(search, Qt.Key.Key_Up)
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert tagged(recorder.answers()[0], expected)


def test_no_match_offers_the_focus_areas_and_enter_does_nothing(
    qtbot: QtBot, picker: Picker, recorder: Recorder, framework: Framework
) -> None:
    search = open_picker(qtbot, picker, single())
    qtbot.keyClicks(search, "xyzzy")
    choices = child(picker, QListWidget, "choices")
    areas = [n.id for n in framework.of_level(Level.FOCUS_AREA)]
    assert picker.choice_ids() == areas
    assert "xyzzy" in choices.item(0).text()
    assert choices.item(1).text() == FOCUS_AREAS_HEADER
    # Nothing is highlighted: an Enter typed blind books nothing.
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert recorder.events == []
    assert picker.isVisible()


def test_no_match_lists_the_closest_and_the_pick_becomes_an_alias(
    qtbot: QtBot, picker: Picker, recorder: Recorder, ranking: UsageRanking
) -> None:
    search = open_picker(qtbot, picker, single())
    qtbot.keyClicks(search, "zandup")  # nothing matches; spelt most like "standup"
    choices = child(picker, QListWidget, "choices")
    assert choices.item(0).text() == NO_MATCH_HEADER
    assert picker.choice_ids()[0] == STANDUP
    qtbot.keyClick(search, Qt.Key.Key_Down)  # passes over the header to the first activity
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert tagged(recorder.answers()[0], STANDUP)
    assert ranking.rank("zandup")[0] == STANDUP
    assert [(a.phrase, a.activity) for a in ranking.search.vocabulary.aliases()] == [
        ("zandup", STANDUP)
    ]


def test_a_search_that_led_to_an_answer_finds_it_first_next_time(
    qtbot: QtBot, picker: Picker, recorder: Recorder, ranking: UsageRanking
) -> None:
    search = open_picker(qtbot, picker, single())
    qtbot.keyClicks(search, "review")
    listed = picker.choice_ids()
    chosen = listed[3]
    for _ in range(3):  # from the first row to the fourth
        qtbot.keyClick(search, Qt.Key.Key_Down)
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert tagged(recorder.answers()[0], chosen)
    assert ranking.rank("review")[0] == chosen
    assert ranking.rank("Review ")[0] == chosen


def test_clearing_the_box_brings_back_the_repeat_row(qtbot: QtBot, picker: Picker) -> None:
    search = open_picker(qtbot, picker, single())
    before = picker.choice_ids()
    qtbot.keyClicks(search, "bo")
    assert picker.choice_ids() != before
    qtbot.keyClick(search, Qt.Key.Key_Backspace)
    qtbot.keyClick(search, Qt.Key.Key_Backspace)
    assert picker.choice_ids() == before


def test_clicking_a_choice_picks_it(qtbot: QtBot, picker: Picker, recorder: Recorder) -> None:
    open_picker(qtbot, picker, single())
    choices = child(picker, QListWidget, "choices")
    item = choices.item(4)
    expected = picker.choice_ids()[4]
    center = choices.visualItemRect(item).center()
    qtbot.mouseClick(choices.viewport(), Qt.MouseButton.LeftButton, pos=center)
    assert tagged(recorder.answers()[0], expected)


# The note ----------------------------------------------------------------------------------------


def test_tab_goes_to_the_note_and_the_note_is_saved(
    qtbot: QtBot, picker: Picker, recorder: Recorder
) -> None:
    search = open_picker(qtbot, picker, single())
    qtbot.keyClicks(search, "board")
    qtbot.keyClick(search, Qt.Key.Key_Tab)
    note = note_box(picker)
    qtbot.waitUntil(note.hasFocus)
    qtbot.keyClicks(note, "Q2 deck, slide 4")  # digits in the note are text
    qtbot.keyClick(note, Qt.Key.Key_Return)
    assert tagged(recorder.answers()[0], BOARD, note="Q2 deck, slide 4")


def test_a_blank_note_is_no_note(qtbot: QtBot, picker: Picker, recorder: Recorder) -> None:
    search = open_picker(qtbot, picker, single())
    qtbot.keyClick(search, Qt.Key.Key_Tab)
    note = note_box(picker)
    qtbot.keyClicks(note, "   ")
    qtbot.keyClick(note, Qt.Key.Key_Return)
    assert tagged(recorder.answers()[0], OKR, note=None)


# Away and off work -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "disposition"),
    [(Qt.Key.Key_A, Disposition.AWAY), (Qt.Key.Key_O, Disposition.OFF_WORK)],
)
def test_alt_a_and_alt_o_mark_away_and_off_work(
    qtbot: QtBot, picker: Picker, recorder: Recorder, key: Qt.Key, disposition: Disposition
) -> None:
    search = open_picker(qtbot, picker, single())
    qtbot.keyClick(search, key, Qt.KeyboardModifier.AltModifier)
    (answer,) = recorder.answers()
    assert answer.disposition is disposition
    assert answer.activity_id is None


def test_the_away_button(qtbot: QtBot, picker: Picker, recorder: Recorder) -> None:
    open_picker(qtbot, picker, single())
    qtbot.mouseClick(child(picker, QPushButton, "away"), Qt.MouseButton.LeftButton)
    assert recorder.answers()[0].disposition is Disposition.AWAY


def test_enter_on_a_focused_button_presses_it(
    qtbot: QtBot, picker: Picker, recorder: Recorder
) -> None:
    open_picker(qtbot, picker, single())
    off_work = child(picker, QPushButton, "off-work")
    off_work.setFocus()
    qtbot.keyClick(off_work, Qt.Key.Key_Return)
    assert recorder.answers()[0].disposition is Disposition.OFF_WORK


# The queue of missed prompts ---------------------------------------------------------------------


def test_a_queue_lists_its_slots_and_asks_about_each_in_turn(
    qtbot: QtBot, picker: Picker, recorder: Recorder
) -> None:
    request = queue()
    search = open_picker(qtbot, picker, request)
    slots = child(picker, QListWidget, "slots")
    assert slots.isVisible()
    assert slots.count() == 3
    assert child(picker, QLabel, "queue-title").text() == "3 prompts while you were away"
    question = child(picker, QLabel, "question")
    assert question.text() == "1 of 3: What were you doing 13:00\u201313:30? (30 min)"

    qtbot.keyClicks(search, "board")
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert recorder.events == []  # nothing until every slot is disposed
    assert question.text().startswith("2 of 3:")
    assert search.text() == ""
    assert "Board communications" in slots.item(0).text()
    # Enter now repeats the answer just given, not the one from before the queue.
    assert picker.choice_ids()[0] == BOARD
    qtbot.keyClick(search, Qt.Key.Key_Return)
    qtbot.keyClick(search, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)

    answers = recorder.answers()
    assert [a.slot for a in answers] == list(request.slots)
    assert tagged(answers[0], BOARD)
    assert tagged(answers[1], BOARD)
    assert answers[2].disposition is Disposition.AWAY
    assert recorder.names == ["answered"]
    assert not picker.isVisible()


def test_ctrl_enter_tags_all_as_the_highlighted_one(
    qtbot: QtBot, picker: Picker, recorder: Recorder
) -> None:
    request = queue()
    search = open_picker(qtbot, picker, request)
    qtbot.keyClicks(search, "sec inc")
    tag_all = child(picker, QPushButton, "tag-all")
    assert "Incident response" in tag_all.text()
    qtbot.keyClick(search, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    answers = recorder.answers()
    assert [a.slot for a in answers] == list(request.slots)
    assert all(tagged(a, INCIDENT) for a in answers)


def test_tag_one_then_all_the_rest(qtbot: QtBot, picker: Picker, recorder: Recorder) -> None:
    search = open_picker(qtbot, picker, queue())
    qtbot.keyClick(search, Qt.Key.Key_Return)  # slot 1: OKR, the last answer
    qtbot.keyClicks(search, "hiring")
    qtbot.keyClick(search, Qt.Key.Key_Enter, Qt.KeyboardModifier.ControlModifier)
    answers = recorder.answers()
    assert [a.activity_id for a in answers] == [OKR, TALENT, TALENT]


@pytest.mark.parametrize(
    ("key", "disposition"),
    [(Qt.Key.Key_A, Disposition.AWAY), (Qt.Key.Key_O, Disposition.OFF_WORK)],
)
def test_alt_shift_marks_all_the_rest(
    qtbot: QtBot, picker: Picker, recorder: Recorder, key: Qt.Key, disposition: Disposition
) -> None:
    search = open_picker(qtbot, picker, queue())
    qtbot.keyClick(search, Qt.Key.Key_2)  # slot 1 from the list
    mods = Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(search, key, mods)
    answers = recorder.answers()
    assert answers[0].disposition is Disposition.TAGGED
    assert [a.disposition for a in answers[1:]] == [disposition, disposition]


def test_the_all_off_work_button(qtbot: QtBot, picker: Picker, recorder: Recorder) -> None:
    open_picker(qtbot, picker, queue())
    button = child(picker, QPushButton, "all-off-work")
    assert button.text().startswith("All 3 off work")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert [a.disposition for a in recorder.answers()] == [Disposition.OFF_WORK] * 3


def test_a_slot_can_be_tagged_out_of_turn(qtbot: QtBot, picker: Picker, recorder: Recorder) -> None:
    request = queue()
    open_picker(qtbot, picker, request)
    slots = child(picker, QListWidget, "slots")
    center = slots.visualItemRect(slots.item(2)).center()
    qtbot.mouseClick(slots.viewport(), Qt.MouseButton.LeftButton, pos=center)
    assert child(picker, QLabel, "question").text().startswith("3 of 3:")
    search = search_box(picker)
    qtbot.keyClicks(search, "debt")
    qtbot.keyClick(search, Qt.Key.Key_Return)
    # Back to the first slot still open.
    assert child(picker, QLabel, "question").text().startswith("1 of 3:")
    qtbot.keyClick(search, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(search, Qt.Key.Key_O, Qt.KeyboardModifier.AltModifier)
    answers = recorder.answers()
    assert [a.slot for a in answers] == list(request.slots)
    assert [a.activity_id for a in answers] == [None, None, DEBT]


def test_the_slot_list_works_from_the_keyboard(
    qtbot: QtBot, picker: Picker, recorder: Recorder
) -> None:
    open_picker(qtbot, picker, queue())
    slots = child(picker, QListWidget, "slots")
    slots.setFocus()
    qtbot.keyClick(slots, Qt.Key.Key_Down)
    qtbot.keyClick(slots, Qt.Key.Key_Return)
    assert child(picker, QLabel, "question").text().startswith("2 of 3:")
    assert picker.focusWidget() is search_box(picker)
    assert recorder.events == []


def test_escape_in_a_queue_hands_over_what_was_answered(
    qtbot: QtBot, picker: Picker, recorder: Recorder
) -> None:
    request = queue()
    search = open_picker(qtbot, picker, request)
    qtbot.keyClick(search, Qt.Key.Key_Return)
    qtbot.keyClick(search, Qt.Key.Key_Escape)
    assert recorder.names == ["answered", "snoozed"]
    (answer,) = recorder.answers()
    assert answer.slot == request.slots[0]
    assert tagged(answer, OKR)


# The timer check ---------------------------------------------------------------------------------


def test_timer_check_asks_still_on_x_and_enter_says_yes(
    qtbot: QtBot, picker: Picker, recorder: Recorder
) -> None:
    request = single(SlotKind.TIMER_CHECK, timer=DEBT)
    search = open_picker(qtbot, picker, request)
    question = child(picker, QLabel, "question")
    assert question.text() == "Still on Technical debt reduction? (since 13:45, 45 min)"
    assert picker.choice_ids()[0] == DEBT
    assert DEBT not in picker.choice_ids()[1:]
    qtbot.keyClick(search, Qt.Key.Key_Return)
    (answer,) = recorder.answers()
    assert tagged(answer, DEBT)
    assert answer.slot.kind is SlotKind.TIMER_CHECK


def test_timer_check_answered_with_something_else(
    qtbot: QtBot, picker: Picker, recorder: Recorder
) -> None:
    search = open_picker(qtbot, picker, single(SlotKind.TIMER_CHECK, timer=DEBT))
    qtbot.keyClicks(search, "incident")
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert tagged(recorder.answers()[0], INCIDENT)


def test_ping_asks_about_the_moment(qtbot: QtBot, picker: Picker) -> None:
    open_picker(qtbot, picker, single(SlotKind.PING))
    question = child(picker, QLabel, "question")
    assert question.text() == "What were you doing at 14:30? (counts for 30 min)"


# Ending a request otherwise ----------------------------------------------------------------------


def test_a_new_request_replaces_the_open_one(
    qtbot: QtBot, picker: Picker, recorder: Recorder
) -> None:
    search = open_picker(qtbot, picker, queue())
    qtbot.keyClick(search, Qt.Key.Key_Return)
    newer = single()
    picker.show_request(newer, None)
    assert recorder.names == ["answered", "dismissed"]
    assert picker.request is newer
    assert picker.isVisible()


def test_closing_dismisses(qtbot: QtBot, picker: Picker, recorder: Recorder) -> None:
    open_picker(qtbot, picker, single())
    picker.close()
    assert recorder.names == ["dismissed"]
    assert picker.request is None


def test_the_picker_is_reused(qtbot: QtBot, picker: Picker, recorder: Recorder) -> None:
    for round_number in range(3):
        search = open_picker(qtbot, picker, single())
        assert search.text() == ""
        qtbot.keyClicks(search, "hiring")
        qtbot.keyClick(search, Qt.Key.Key_Return)
        assert len(recorder.events) == round_number + 1
    assert all(answers[0].activity_id == TALENT for _, answers in recorder.events)


# Accessibility -----------------------------------------------------------------------------------


def test_every_control_has_an_accessible_name_and_description(qtbot: QtBot, picker: Picker) -> None:
    open_picker(qtbot, picker, queue())
    controls = [
        w
        for w in picker.findChildren(QWidget)
        if isinstance(w, QLabel | QLineEdit | QListWidget | QPushButton)
    ]
    assert len(controls) >= 13
    unnamed = [w.objectName() for w in controls if not w.accessibleName().strip()]
    undescribed = [w.objectName() for w in controls if not w.accessibleDescription().strip()]
    assert unnamed == []
    assert undescribed == []
    assert picker.accessibleName()
    assert child(picker, QLabel, "question").accessibleName().startswith("1 of 3: What were")


def test_list_items_speak_their_key_label_and_path(qtbot: QtBot, picker: Picker) -> None:
    open_picker(qtbot, picker, single())
    choices = child(picker, QListWidget, "choices")
    interface = QAccessible.queryAccessibleInterface(choices)
    assert interface is not None
    assert interface.childCount() == 10
    first = interface.child(0)
    assert first.text(QAccessible.Text.Name) == "Enter: OKR management, same as before"
    assert first.text(QAccessible.Text.Description).startswith("Strategy, Technology Planning.")
    names = [interface.child(i).text(QAccessible.Text.Name) for i in range(1, 10)]
    assert [n.split(":")[0] for n in names] == [str(n) for n in range(1, 10)]


def test_focus_order_search_note_choices_then_buttons(qtbot: QtBot, picker: Picker) -> None:
    search = open_picker(qtbot, picker, single())
    qtbot.waitUntil(search.hasFocus)
    seen = [search.objectName()]
    for _ in range(5):
        focused = QApplication.focusWidget()
        assert focused is not None
        qtbot.keyClick(focused, Qt.Key.Key_Tab)
        after = QApplication.focusWidget()
        assert after is not None
        seen.append(after.objectName())
    assert seen == ["search", "note", "choices", "away", "off-work", "snooze"]


def relative_luminance(color: QColor) -> float:
    def channel(value: int) -> float:
        v = value / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(color.red())
        + 0.7152 * channel(color.green())
        + 0.0722 * channel(color.blue())
    )


def contrast(a: QColor, b: QColor) -> float:
    high, low = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def dark_palette() -> QPalette:
    palette = QPalette()
    colors = {
        QPalette.ColorRole.Window: "#2b2b2b",
        QPalette.ColorRole.WindowText: "#e8e8e8",
        QPalette.ColorRole.Base: "#1e1e1e",
        QPalette.ColorRole.AlternateBase: "#262626",
        QPalette.ColorRole.Text: "#e8e8e8",
        QPalette.ColorRole.Button: "#3a3a3a",
        QPalette.ColorRole.ButtonText: "#e8e8e8",
        QPalette.ColorRole.Highlight: "#3d7dd8",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.PlaceholderText: "#9a9a9a",
        QPalette.ColorRole.Mid: "#555555",
    }
    for role, value in colors.items():
        palette.setColor(role, QColor(value))
    return palette


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_secondary_text_is_legible(qtbot: QtBot, scheme: str) -> None:
    palette = QApplication.palette() if scheme == "light" else dark_palette()
    text = palette.color(QPalette.ColorRole.Text)
    base = palette.color(QPalette.ColorRole.Base)
    assert contrast(blend(base, text, SECONDARY_TEXT_SHARE, whole_levels=True), base) >= 4.5


# Placement ---------------------------------------------------------------------------------------


def test_opens_above_a_tray_icon_at_the_bottom(qtbot: QtBot, picker: Picker) -> None:
    area = QGuiApplication.primaryScreen().availableGeometry()
    icon = QRect(area.right() - 40, area.bottom() - 24, 22, 22)
    picker.show_request(single(), icon)
    qtbot.waitExposed(picker)
    frame = picker.geometry()
    assert frame.bottom() < icon.top()
    assert area.contains(frame)
    assert frame.right() <= icon.right()


def test_opens_below_a_tray_icon_at_the_top(qtbot: QtBot, picker: Picker) -> None:
    area = QGuiApplication.primaryScreen().availableGeometry()
    icon = QRect(area.left() + 30, area.top(), 22, 22)
    picker.show_request(single(), icon)
    qtbot.waitExposed(picker)
    frame = picker.geometry()
    assert frame.top() > icon.bottom()
    assert frame.left() == icon.left()
    assert area.contains(frame)


def test_without_an_icon_opens_bottom_right(qtbot: QtBot, picker: Picker) -> None:
    area = QGuiApplication.primaryScreen().availableGeometry()
    picker.show_request(single(), None)
    qtbot.waitExposed(picker)
    corner = picker.geometry().bottomRight()
    assert corner == area.bottomRight() - QPoint(SCREEN_MARGIN_PX, SCREEN_MARGIN_PX)


def test_format_span() -> None:
    assert [format_span(timedelta(minutes=m)) for m in (0.2, 30, 60, 75, 135)] == [
        "1 min",
        "30 min",
        "1 h",
        "1 h 15 min",
        "2 h 15 min",
    ]


# Screenshots to look at --------------------------------------------------------------------------


def screenshots(picker: Picker, name: str, folder: Path) -> Iterator[tuple[QPixmap, int]]:
    """Save the picker as drawn at 100% and at 200% scale; yield each image with its scale."""
    plain = picker.grab()
    plain.save(str(folder / f"picker-{name}.png"))
    yield plain, 1
    sharp = QPixmap(picker.size() * 2)
    sharp.setDevicePixelRatio(2)
    sharp.fill(Qt.GlobalColor.transparent)
    picker.render(sharp)
    sharp.save(str(folder / f"picker-{name}@2x.png"))
    yield sharp, 2


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("state", ["recents", "query", "queue", "timer"])
def test_screenshots(
    qtbot: QtBot, picker: Picker, artifacts_dir: Path, scheme: str, state: str
) -> None:
    if scheme == "dark":
        picker.setPalette(dark_palette())
    request = {
        "recents": single(),
        "query": single(),
        "queue": queue(),
        "timer": single(SlotKind.TIMER_CHECK, timer=DEBT),
    }[state]
    search = open_picker(qtbot, picker, request)
    if state == "query":
        qtbot.keyClicks(search, "sec inc")
    if state == "queue":
        qtbot.keyClicks(search, "board")
        qtbot.keyClick(search, Qt.Key.Key_Return)
    choices = child(picker, QListWidget, "choices")
    highlight = picker.palette().color(QPalette.ColorRole.Highlight)
    row = choices.visualItemRect(choices.item(0))
    # A point of the highlighted first row beside its text, in window coordinates.
    spot = choices.viewport().mapTo(picker, QPoint(row.right() - 3, row.bottom() - 2))
    for image, scale in screenshots(picker, f"{state}-{scheme}", artifacts_dir):
        assert image.width() == picker.width() * scale
        assert image.height() == picker.height() * scale
        pixel = image.toImage().pixelColor(spot.x() * scale, spot.y() * scale)
        assert pixel.name() == highlight.name()
