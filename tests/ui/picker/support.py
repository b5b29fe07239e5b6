"""What the picker's tests share: a fixed clock, a week of answers, a picker whose answer guard
runs on a fake awake clock, a recorder of its signals, and opening a request the way a user
sees it (with the guard passed)."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from sec_desktop.framework import Framework
from sec_desktop.reminders.prompts import PromptRequest, SlotAnswer
from sec_desktop.reminders.ranking import UsageRanking
from sec_desktop.ui.picker.window import ANSWER_GUARD_MS, Picker
from tests.helpers.clocks import FakeClock
from tests.helpers.ids import BOARD, DEBT, INCIDENT, OKR, STANDUP, TALENT

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 3, 10, 13, 30, tzinfo=UTC)  # a Tuesday, 14:30 in Berlin
HISTORY = [TALENT, INCIDENT, STANDUP, BOARD, DEBT, TALENT, INCIDENT, TALENT, OKR]


# Each picker's awake clock, which times its answer guard; open_picker moves it past the guard.
CLOCKS: weakref.WeakKeyDictionary[Picker, FakeClock] = weakref.WeakKeyDictionary()
GUARD_S = ANSWER_GUARD_MS / 1000


def make_picker(
    qtbot: QtBot,
    framework: Framework,
    ranking: UsageRanking,
    typing_idle_s: Callable[[], float | None] | None = None,
) -> Picker:
    clock = FakeClock(NOW)
    made = Picker(
        framework,
        ranking,
        tz=BERLIN,
        clock=lambda: NOW,
        monotonic=clock.monotonic,
        typing_idle_s=typing_idle_s,
    )
    CLOCKS[made] = clock
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


def search_box(picker: Picker) -> QLineEdit:
    found = picker.findChild(QLineEdit, "search")
    assert found is not None
    return found


def open_picker(qtbot: QtBot, picker: Picker, request: PromptRequest) -> QLineEdit:
    """Show `request`, let the answer guard pass, and return the search box, which holds the
    window's focus.

    The offscreen platform activates a window only on its first show (it keeps a hidden
    window as the focus window), so this checks the window's focus child rather than the
    application's; a fresh picker's real focus is checked in the first test.
    """
    picker.show_request(request, None)
    qtbot.waitExposed(picker)
    search = search_box(picker)
    qtbot.waitUntil(lambda: picker.focusWidget() is search)
    CLOCKS[picker].advance(seconds=GUARD_S)
    return search
