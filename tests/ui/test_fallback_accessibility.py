"""The tray's stand-in window for a screen reader: its texts are read as themselves, and a
message or a new notice is announced when it appears."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent, QAccessibleEvent
from PySide6.QtWidgets import QAbstractButton, QLabel
from pytestqt.qtbot import QtBot

from sec_desktop.ui import accessibility
from sec_desktop.ui.tray import FallbackWindow, TrayController, TrayState

NOW = datetime(2026, 11, 23, 13, 50, tzinfo=UTC)


@pytest.fixture
def said(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    texts: list[str] = []

    def record(event: QAccessibleEvent) -> None:
        if isinstance(event, QAccessibleAnnouncementEvent):
            texts.append(event.message())

    monkeypatch.setattr(accessibility, "post", record)
    return texts


@pytest.fixture
def window(qtbot: QtBot) -> FallbackWindow:
    state = TrayState(current_label="OKR management", current_since=NOW)
    controller = TrayController(lambda: state, ZoneInfo("Europe/Berlin"), lambda: NOW)
    made = FallbackWindow(controller)
    qtbot.addWidget(made)
    made.show()
    qtbot.waitExposed(made)
    return made


def spoken(widget: QLabel | QAbstractButton) -> str:
    return QAccessible.queryAccessibleInterface(widget).text(QAccessible.Text.Name)


def test_every_text_and_button_of_the_window_is_read(window: FallbackWindow) -> None:
    window.set_status(["Now: OKR management"], [])
    labels = [w for w in window.findChildren(QLabel) if w.isVisibleTo(window)]
    assert {spoken(w) for w in labels} == {w.text() for w in labels}
    assert any("No system tray was found" in spoken(w) for w in labels)
    assert any(spoken(w) == "Now: OKR management" for w in labels)
    buttons = window.findChildren(QAbstractButton)
    assert [b for b in buttons if not spoken(b)] == []


def test_a_message_and_a_new_notice_are_announced_once(
    window: FallbackWindow, said: list[str]
) -> None:
    window.set_status(["Now: OKR management"], ["Notes are not encrypted."])
    window.set_status(["Now: OKR management"], ["Notes are not encrypted."])
    assert said == ["Notes are not encrypted."]
    window.set_message("SEC Desktop: your answer was saved.")
    assert said[-1] == "SEC Desktop: your answer was saved."


def test_a_notice_that_came_while_hidden_is_announced_when_the_window_shows(
    qtbot: QtBot, said: list[str]
) -> None:
    state = TrayState(current_label="OKR management", current_since=NOW)
    controller = TrayController(lambda: state, ZoneInfo("Europe/Berlin"), lambda: NOW)
    hidden = FallbackWindow(controller)
    qtbot.addWidget(hidden)
    hidden.set_status(["Now: OKR management"], ["Notes are not encrypted."])
    assert said == []
    hidden.show()
    qtbot.waitExposed(hidden)
    assert said == ["Notes are not encrypted."]
