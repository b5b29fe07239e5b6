"""The picker, driven from the keyboard as a user would: every key path, the queue of missed
prompts, the timer check, accessibility, placement, and screenshots to look at."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QAccessible, QAction, QColor, QGuiApplication, QPalette, QPixmap
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QListWidget, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from sec_desktop.framework import Framework, Level
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
from sec_desktop.ui.picker.window import (
    SCREEN_MARGIN_PX,
    TYPING_PAUSE_S,
    Picker,
)
from tests.helpers.clocks import FakeClock
from tests.helpers.ids import BOARD, DEBT, INCIDENT, OKR, REGULATORY, STANDUP, TALENT
from tests.ui.picker.support import (
    BERLIN,
    CLOCKS,
    GUARD_S,
    NOW,
    Recorder,
    make_picker,
    open_picker,
    search_box,
)

# The offscreen platform can't raise windows or pass size hints on, and says so.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def slot(minutes_ago: int = 0, length: int = 30, kind: SlotKind = SlotKind.INTERVAL) -> PromptSlot:
    end = NOW - timedelta(minutes=minutes_ago)
    return PromptSlot(end - timedelta(minutes=length), end, kind, NOW)


def single(kind: SlotKind = SlotKind.INTERVAL, timer: str | None = None) -> PromptRequest:
    length = 45 if kind is SlotKind.TIMER_CHECK else 30
    return PromptRequest((slot(0, length, kind),), RequestReason.DUE, timer_activity=timer)


def queue() -> PromptRequest:
    return PromptRequest((slot(60), slot(30), slot(0)), RequestReason.RETURN)


def note_box(picker: Picker) -> QLineEdit:
    found = picker.findChild(QLineEdit, "note")
    assert found is not None
    return found


def child(picker: Picker, kind: type[QWidget], name: str) -> Any:
    found = picker.findChild(kind, name)
    assert found is not None, f"no {kind.__name__} named {name!r}"
    return found


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
def test_alt_digit_on_an_empty_box_picks_that_listed_choice(
    qtbot: QtBot, picker: Picker, recorder: Recorder, number: int
) -> None:
    search = open_picker(qtbot, picker, single())
    expected = picker.choice_ids()[number]  # row 0 is the repeat row
    qtbot.keyClick(search, getattr(Qt.Key, f"Key_{number}"), Qt.KeyboardModifier.AltModifier)
    (answer,) = recorder.answers()
    assert tagged(answer, expected)
    assert search.text() == ""


@pytest.mark.parametrize(
    "mods", [Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier]
)
def test_a_digit_on_an_empty_box_is_search_text(
    qtbot: QtBot, picker: Picker, recorder: Recorder, mods: Qt.KeyboardModifier
) -> None:
    search = open_picker(qtbot, picker, single())
    qtbot.keyClick(search, Qt.Key.Key_3, mods)
    assert recorder.events == []
    assert search.text() == "3"
    assert picker.isVisible()


@pytest.mark.parametrize("typed", ["1:1", "2fa", "3rd-party review"])
def test_searches_starting_with_a_digit_book_nothing_before_enter(
    qtbot: QtBot, picker: Picker, recorder: Recorder, typed: str
) -> None:
    search = open_picker(qtbot, picker, single())
    qtbot.keyClicks(search, typed)
    assert recorder.events == []
    assert search.text() == typed
    assert picker.isVisible()
    highlighted = picker.choice_ids()[0] if picker.choice_ids() else None
    qtbot.keyClick(search, Qt.Key.Key_Return)
    if highlighted is None:  # nothing matches: Enter waits
        assert recorder.events == []
    else:
        assert tagged(recorder.answers()[0], highlighted)


def test_escape_snoozes_without_an_answer(qtbot: QtBot, picker: Picker, recorder: Recorder) -> None:
    search = open_picker(qtbot, picker, single())
    qtbot.keyClicks(search, "okr")
    with qtbot.waitSignal(picker.snoozeRequested):
        qtbot.keyClick(search, Qt.Key.Key_Escape)
    assert recorder.names == ["snoozed"]
    assert not picker.isVisible()


def test_without_history_enter_waits_and_alt_digits_pick_the_starter_list(
    qtbot: QtBot, framework: Framework
) -> None:
    empty = UsageRanking(framework, tz=BERLIN)
    picker = make_picker(qtbot, framework, empty)
    recorder = Recorder(picker)
    search = open_picker(qtbot, picker, single())
    assert picker.choice_ids() == empty.top(9)
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert recorder.events == []
    assert picker.isVisible()
    qtbot.keyClick(search, Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier)
    assert tagged(recorder.answers()[0], empty.top(9)[0])


# Keys that arrive as the picker opens ----------------------------------------------------------


def hint_text(picker: Picker) -> str:
    return str(child(picker, QLabel, "hint").text())


def show(qtbot: QtBot, picker: Picker, request: PromptRequest, **how: Any) -> QLineEdit:
    """Show `request` and wait for the window, leaving the guard's clock where it is."""
    picker.show_request(request, None, **how)
    qtbot.waitExposed(picker)
    return search_box(picker)


@pytest.mark.parametrize(
    ("key", "mods"),
    [
        (Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier),
        (Qt.Key.Key_1, Qt.KeyboardModifier.AltModifier),
        (Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier),
        (Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier),
        (Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier),
    ],
    ids=["enter", "keypad-enter", "alt-1", "alt-a", "ctrl-enter", "escape"],
)
def test_a_key_within_the_guard_answers_nothing(
    qtbot: QtBot, picker: Picker, recorder: Recorder, key: Qt.Key, mods: Qt.KeyboardModifier
) -> None:
    search = show(qtbot, picker, queue())
    CLOCKS[picker].advance(seconds=GUARD_S - 0.01)
    qtbot.keyClick(search, key, mods)
    assert recorder.events == []
    assert picker.isVisible()
    assert "ignored" in hint_text(picker)


def test_enter_after_the_guard_books(qtbot: QtBot, picker: Picker, recorder: Recorder) -> None:
    request = single()
    search = show(qtbot, picker, request)
    CLOCKS[picker].advance(seconds=GUARD_S)
    qtbot.keyClick(search, Qt.Key.Key_Return)
    (answer,) = recorder.answers()
    assert answer.slot == request.slots[0]
    assert tagged(answer, OKR)


def test_keys_inside_the_guard_extend_it_and_typed_text_stays(
    qtbot: QtBot, picker: Picker, recorder: Recorder
) -> None:
    clock = CLOCKS[picker]
    search = show(qtbot, picker, single())
    clock.advance(seconds=0.5)
    qtbot.keyClicks(search, "board")  # typed as the window appeared: kept as text
    qtbot.keyClick(search, Qt.Key.Key_Return)
    clock.advance(seconds=GUARD_S - 0.01)  # 1.2 s after the show, but just after a key
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert recorder.events == []
    assert search.text() == "board"
    assert "press it again" in hint_text(picker)
    clock.advance(seconds=GUARD_S)
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert tagged(recorder.answers()[0], BOARD)


def test_arrows_move_within_the_guard(qtbot: QtBot, picker: Picker, recorder: Recorder) -> None:
    search = show(qtbot, picker, single())
    second = picker.choice_ids()[1]
    qtbot.keyClick(search, Qt.Key.Key_Down)
    CLOCKS[picker].advance(seconds=GUARD_S)
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert tagged(recorder.answers()[0], second)


class TypingElsewhere:
    """A fake idle source: seconds since the last input anywhere, moved with the clock."""

    def __init__(self, clock: FakeClock, idle_s: float) -> None:
        self.clock = clock
        self.input_at = clock.monotonic() - idle_s

    def __call__(self) -> float:
        return self.clock.monotonic() - self.input_at

    def key(self) -> None:
        self.input_at = self.clock.monotonic()


@pytest.fixture
def busy_picker(
    qtbot: QtBot, framework: Framework, ranking: UsageRanking
) -> tuple[Picker, FakeClock, TypingElsewhere]:
    """A picker whose user pressed a key elsewhere 0.3 s ago."""
    made = make_picker(qtbot, framework, ranking)
    clock = CLOCKS[made]
    elsewhere = TypingElsewhere(clock, 0.3)
    made._typing_idle_s = elsewhere  # noqa: SLF001 - the constructor's argument, late
    return made, clock, elsewhere


def test_shown_while_typing_elsewhere_it_does_not_take_the_keyboard(
    qtbot: QtBot, busy_picker: tuple[Picker, FakeClock, TypingElsewhere]
) -> None:
    picker, clock, elsewhere = busy_picker
    recorder = Recorder(picker)
    search = show(qtbot, picker, single())
    # The offscreen platform activates every window it shows, so what is checked here is
    # that the picker asks not to be activated; the end-to-end test checks it on X11.
    assert picker.waiting_for_keyboard
    assert picker.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    assert hint_text(picker).startswith("You were typing elsewhere")
    assert search.placeholderText().startswith("Click here to answer")
    # Keys that reach it anyway (a pointer-focus desktop) answer nothing, however late.
    for _ in range(3):
        clock.advance(seconds=1)
        elsewhere.key()
        qtbot.keyClicks(search, "1:1")
        qtbot.keyClick(search, Qt.Key.Key_Return)
        qtbot.keyClick(search, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
        picker.check_typing()
    assert recorder.events == []
    assert picker.waiting_for_keyboard


def test_a_click_gives_a_waiting_picker_the_keyboard(
    qtbot: QtBot, busy_picker: tuple[Picker, FakeClock, TypingElsewhere]
) -> None:
    picker, clock, elsewhere = busy_picker
    recorder = Recorder(picker)
    search = show(qtbot, picker, single())
    clock.advance(seconds=5)
    elsewhere.key()  # still at work in the other window: the picker keeps waiting
    picker.check_typing()
    assert picker.waiting_for_keyboard
    qtbot.mouseClick(child(picker, QLabel, "question"), Qt.MouseButton.LeftButton)
    assert not picker.waiting_for_keyboard
    assert not picker.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
    assert not hint_text(picker).startswith("You were typing")
    assert search.placeholderText().startswith("Search activities")
    qtbot.waitUntil(lambda: picker.focusWidget() is search)
    qtbot.keyClick(search, Qt.Key.Key_Return)  # at once: the guard runs from the click
    assert recorder.events == []
    clock.advance(seconds=GUARD_S)
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert tagged(recorder.answers()[0], OKR)


def test_a_waiting_picker_takes_the_keyboard_once_typing_has_paused(
    qtbot: QtBot, busy_picker: tuple[Picker, FakeClock, TypingElsewhere]
) -> None:
    picker, clock, _elsewhere = busy_picker
    show(qtbot, picker, single())
    clock.advance(seconds=TYPING_PAUSE_S - 0.3 - 0.1)  # quiet for 1.4 s
    picker.check_typing()
    assert picker.waiting_for_keyboard
    clock.advance(seconds=0.1 + 1e-6)  # and now for 1.5 s
    picker.check_typing()
    assert not picker.waiting_for_keyboard


def test_asked_for_from_the_tray_it_takes_the_keyboard_at_once(
    qtbot: QtBot, busy_picker: tuple[Picker, FakeClock, TypingElsewhere]
) -> None:
    picker, _clock, _elsewhere = busy_picker
    show(qtbot, picker, single(), take_keyboard=True)
    assert not picker.waiting_for_keyboard


def test_without_an_idle_source_it_takes_the_keyboard(qtbot: QtBot, picker: Picker) -> None:
    picker._typing_idle_s = lambda: None  # noqa: SLF001 - the constructor's argument, late
    show(qtbot, picker, single())
    assert not picker.waiting_for_keyboard
    assert not picker.testAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)


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


def test_tag_all_shows_an_ampersand_in_the_label(qtbot: QtBot, picker: Picker) -> None:
    """ "Security & Compliance" on the button, not "Security _Compliance" (a mnemonic)."""
    search = open_picker(qtbot, picker, queue())
    qtbot.keyClicks(search, "security compliance")
    tag_all = child(picker, QPushButton, "tag-all")
    assert "Tag all 3 as Security & Compliance" in QAction(tag_all.text()).iconText()


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
    qtbot.keyClick(search, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)  # slot 1, listed
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
    # What a screen reader reads: a label without a set name is read as its text, and a label
    # with no text (a problem not there now) says nothing.
    unnamed = [
        w.objectName()
        for w in controls
        if not QAccessible.queryAccessibleInterface(w).text(QAccessible.Text.Name).strip()
        and not (isinstance(w, QLabel) and not w.text())
    ]
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
    assert [n.split(":")[0] for n in names] == [f"Alt+{n}" for n in range(1, 10)]
    assert interface.child(1).text(QAccessible.Text.Description).endswith("Press Alt+1 to pick it.")


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
    assert seen == ["search", "note", "choices", "away", "off-work", "split"]


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
@pytest.mark.parametrize("state", ["recents", "query", "queue", "timer", "waiting", "held"])
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
        "waiting": single(),
        "held": single(),
    }[state]
    if state == "waiting":  # shown while the user typed elsewhere
        picker._typing_idle_s = lambda: 0.2  # noqa: SLF001 - the constructor's argument, late
        show(qtbot, picker, request)
    elif state == "held":  # Enter pressed as the window opened
        qtbot.keyClick(show(qtbot, picker, request), Qt.Key.Key_Return)
    else:
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
