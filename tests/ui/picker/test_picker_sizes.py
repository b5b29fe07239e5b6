"""The picker's size follows its request: a queue lists every slot without cutting a row off,
and a single prompt after a queue shrinks the window back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtWidgets import QListWidget
from pytestqt.qtbot import QtBot

from sec_desktop.framework import Framework, load_framework
from sec_desktop.reminders import PromptRequest, PromptSlot, RequestReason, SlotKind
from sec_desktop.reminders.ranking import UsageRanking
from sec_desktop.reminders.schedule import MAX_QUEUE_SLOTS
from sec_desktop.ui.picker.window import Picker

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 13, 50, tzinfo=UTC)


@pytest.fixture(scope="module")
def framework() -> Framework:
    return load_framework()


@pytest.fixture
def picker(qtbot: QtBot, framework: Framework) -> Picker:
    made = Picker(framework, UsageRanking(framework, tz=BERLIN), tz=BERLIN, clock=lambda: NOW)
    qtbot.addWidget(made)
    return made


def queue_of(count: int) -> PromptRequest:
    slots = tuple(
        PromptSlot(
            NOW - timedelta(minutes=30 * (count - i)),
            NOW - timedelta(minutes=30 * (count - i - 1)),
            SlotKind.INTERVAL,
            NOW,
        )
        for i in range(count)
    )
    return PromptRequest(slots, RequestReason.RETURN)


def slot_list(picker: Picker) -> QListWidget:
    found = picker.findChild(QListWidget, "slots")
    assert found is not None
    return found


@pytest.mark.parametrize("count", [2, 9, MAX_QUEUE_SLOTS])
def test_every_row_of_a_queue_shows_whole(qtbot: QtBot, picker: Picker, count: int) -> None:
    picker.show_request(queue_of(count), None)
    qtbot.waitExposed(picker)
    slots = slot_list(picker)
    assert slots.count() == count
    viewport = slots.viewport().rect()
    for row in range(count):
        rect = slots.visualItemRect(slots.item(row))
        assert viewport.contains(rect), f"row {row + 1} of {count} is cut off: {rect}"
    assert slots.verticalScrollBar().maximum() == 0  # nothing to scroll to


def test_a_single_prompt_after_a_queue_shrinks_the_window(qtbot: QtBot, picker: Picker) -> None:
    single = PromptRequest(queue_of(1).slots, RequestReason.DUE)
    picker.show_request(single, None)
    qtbot.waitExposed(picker)
    single_height = picker.height()
    picker.show_request(queue_of(9), None)
    qtbot.waitUntil(lambda: picker.height() > single_height)
    picker.dismiss()
    picker.show_request(single, None)
    qtbot.waitExposed(picker)
    assert picker.height() == single_height
    assert picker.height() == picker.sizeHint().height()
