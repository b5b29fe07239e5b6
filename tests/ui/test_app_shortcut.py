"""The app and its global shortcut, with a stand-in backend: grabbed once the tray shows,
a press opens the picker with the keyboard, a new key in Settings is grabbed in place of
the old one, and quitting releases it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from sec_desktop.settings import KeyCombo
from sec_desktop.ui import global_shortcut
from sec_desktop.ui.app import SecDesktopApp
from tests.helpers.clocks import FakeClock
from tests.ui.test_app import start_app


class StandInBackend:
    name = "stand-in"

    def __init__(self) -> None:
        self.grabbed: list[str] = []
        self.stopped = 0
        self.on_pressed: Callable[[], None] | None = None

    def why_unavailable(self) -> str | None:
        return None

    def start(self, combo: KeyCombo, on_pressed: Callable[[], None]) -> None:
        self.grabbed.append(str(combo))
        self.on_pressed = on_pressed

    def stop(self) -> None:
        self.stopped += 1
        self.on_pressed = None

    def fileno(self) -> int | None:
        return None

    def dispatch(self) -> None:
        pass


@pytest.fixture
def clock() -> FakeClock:
    # Monday 23 Nov 2026, 10:00 in Berlin (the app's zone in start_app): working hours.
    return FakeClock(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))


@pytest.fixture
def backend(monkeypatch: pytest.MonkeyPatch) -> StandInBackend:
    stand_in = StandInBackend()
    monkeypatch.setattr(global_shortcut, "choose_backend", lambda *_args: stand_in)
    return stand_in


@pytest.fixture
def app(
    qtbot: QtBot, isolated_dirs: dict[str, Path], clock: FakeClock, backend: StandInBackend
) -> Iterator[SecDesktopApp]:
    application = start_app(isolated_dirs, clock)
    qtbot.waitUntil(lambda: backend.grabbed != [], timeout=5000)
    yield application
    application.shutdown()


def test_a_press_opens_the_picker_with_the_keyboard(
    app: SecDesktopApp, backend: StandInBackend, qtbot: QtBot
) -> None:
    assert backend.grabbed == ["Ctrl+Alt+Space"]
    assert backend.on_pressed is not None
    backend.on_pressed()
    qtbot.waitUntil(app.picker_visible, timeout=2000)
    assert not app.picker.waiting_for_keyboard


def test_a_new_key_replaces_the_old_and_quitting_releases_it(
    app: SecDesktopApp, backend: StandInBackend
) -> None:
    app.apply_settings(app.settings.replace(open_picker_shortcut="Super+Shift+T"))
    assert backend.grabbed == ["Ctrl+Alt+Space", "Shift+Super+T"]
    app.apply_settings(app.settings.replace(open_picker_shortcut=""))
    assert backend.on_pressed is None
    stops = backend.stopped
    app.shutdown()
    assert backend.stopped == stops + 1
