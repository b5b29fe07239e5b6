"""The shared screen-reader helpers: announcements only for shown widgets, labels read as
their text, and a changed text announced once."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent, QAccessibleEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from sec_desktop.ui import accessibility
from sec_desktop.ui.accessibility import announce, expose_text, set_live_text


@pytest.fixture
def said(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bool]]:
    texts: list[tuple[str, bool]] = []

    def record(event: QAccessibleEvent) -> None:
        if isinstance(event, QAccessibleAnnouncementEvent):
            assertive = event.politeness() == QAccessible.AnnouncementPoliteness.Assertive
            texts.append((event.message(), assertive))

    monkeypatch.setattr(accessibility, "post", record)
    return texts


@pytest.fixture
def window(qtbot: QtBot) -> tuple[QWidget, QLabel]:
    made = QWidget()
    label = QLabel(made)
    QVBoxLayout(made).addWidget(label)
    qtbot.addWidget(made)
    return made, label


def test_nothing_is_announced_for_a_hidden_widget_or_an_empty_text(
    qtbot: QtBot, window: tuple[QWidget, QLabel], said: list[tuple[str, bool]]
) -> None:
    made, label = window
    assert not announce(label, "Saved.")
    made.show()
    qtbot.waitExposed(made)
    assert not announce(label, "  ")
    label.hide()
    assert not announce(label, "Saved.")
    label.show()
    assert announce(label, "Saved.")
    assert announce(label, "Not saved.", assertive=True)
    assert said == [("Saved.", False), ("Not saved.", True)]


def test_a_label_is_read_as_its_text_and_says_what_it_is(window: tuple[QWidget, QLabel]) -> None:
    _, label = window
    label.setAccessibleName("Tracked time")
    expose_text(label, "Tracked time")
    label.setText("46 h 51 min tracked in 278 entries")
    iface = QAccessible.queryAccessibleInterface(label)
    assert iface.text(QAccessible.Text.Name) == "46 h 51 min tracked in 278 entries"
    assert iface.text(QAccessible.Text.Description) == "Tracked time"


def test_a_live_text_is_announced_when_it_changes(
    qtbot: QtBot, window: tuple[QWidget, QLabel], said: list[tuple[str, bool]]
) -> None:
    made, label = window
    made.show()
    qtbot.waitExposed(made)
    set_live_text(label, "3 h tracked.")
    set_live_text(label, "3 h tracked.")
    set_live_text(label, "")
    set_live_text(label, "Range error.", assertive=True)
    assert label.text() == "Range error."
    assert said == [("3 h tracked.", False), ("Range error.", True)]
