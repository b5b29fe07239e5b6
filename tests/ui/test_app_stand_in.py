"""Without a tray the app's stand-in window can be hidden, and a later launch asking for the
picker or the dashboard brings it back (the app kept running all along)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from sec_desktop.ui.app import SecDesktopApp
from tests.helpers.clocks import FakeClock
from tests.ui.test_app import start_app


@pytest.fixture
def app(qtbot: QtBot, isolated_dirs: dict[str, Path]) -> Iterator[SecDesktopApp]:
    clock = FakeClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    application = start_app(isolated_dirs, clock)
    yield application
    application.shutdown()


@pytest.mark.parametrize("command", ["prompt", "dashboard", "raise"])
def test_a_launch_brings_the_hidden_stand_in_back(
    app: SecDesktopApp, qtbot: QtBot, command: str
) -> None:
    # The offscreen platform has no tray: the stand-in comes.
    qtbot.waitUntil(lambda: app.tray.mode == "window", timeout=5000)
    window = app.tray.fallback
    assert window is not None
    qtbot.waitExposed(window)
    hide = next(b for b in window.findChildren(QPushButton) if b.accessibleName() == "Hide")
    hide.click()
    assert not window.isVisible()
    assert app.driver.running  # hidden, not gone: prompts still come
    app._on_request(command, {"command": command})  # noqa: SLF001 - the IPC entry point
    qtbot.waitUntil(window.isVisible, timeout=2000)
    assert app.server.reply["tray"] == "window"
    app.windows.close("dashboard")


def test_a_status_request_leaves_the_hidden_stand_in_hidden(
    app: SecDesktopApp, qtbot: QtBot
) -> None:
    qtbot.waitUntil(lambda: app.tray.mode == "window", timeout=5000)
    window = app.tray.fallback
    assert window is not None
    window.hide()
    app._on_request("status", {"command": "status"})  # noqa: SLF001 - the IPC entry point
    assert not window.isVisible()
