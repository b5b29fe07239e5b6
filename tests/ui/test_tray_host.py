"""Where no tray host runs the stand-in window comes in about a second, not after the long
wait kept for a host that is slow to take the icon; a tray that appears later takes over;
the menu is complete before it first opens; the stand-in is compact and says why it is there."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QMenu, QPushButton
from pytestqt.qtbot import QtBot

from sec_desktop.ui.tray import (
    GNOME_EXTENSION,
    NO_HOST_GRACE_S,
    FallbackWindow,
    TrayController,
    TrayState,
)
from tests.helpers.clocks import FakeClock

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 13, 50, tzinfo=UTC)
LONG_WAIT_S = 30.0


class Desktop:
    """A desktop whose tray host and Qt tray come and go as the test says."""

    def __init__(self) -> None:
        self.host = False
        self.tray = False
        self.clock = FakeClock(NOW)


def controller(desktop: Desktop, state: TrayState | None = None) -> TrayController:
    holder = {"state": state or TrayState(current_label="OKR management", current_until=NOW)}
    tray = TrayController(
        lambda: holder["state"],
        BERLIN,
        lambda: NOW,
        host_present=lambda: desktop.host,
        tray_available=lambda: desktop.tray,
        monotonic=desktop.clock.monotonic,
    )
    tray.holder = holder  # type: ignore[attr-defined]
    return tray


def poll_until_shown(tray: TrayController, desktop: Desktop, limit_s: float) -> float:
    """Polls as the timer does, every 0.25 s of the fake clock (the real timer's polls in
    between see the same clock and change nothing); the seconds until shown."""
    started = desktop.clock.monotonic()
    while tray.mode is None and desktop.clock.monotonic() - started <= limit_s:
        desktop.clock.advance(seconds=0.25)
        tray.poll_for_tray()
    return desktop.clock.monotonic() - started


@pytest.fixture
def desktop() -> Desktop:
    return Desktop()


def test_without_any_tray_host_the_stand_in_comes_within_a_second_and_a_half(
    qtbot: QtBot, desktop: Desktop
) -> None:
    tray = controller(desktop)
    tray.start(LONG_WAIT_S)
    assert tray.mode is None  # nothing decided before the grace second
    waited = poll_until_shown(tray, desktop, LONG_WAIT_S)
    assert tray.mode == "window"
    assert NO_HOST_GRACE_S <= waited < 1.5
    assert tray.fallback is not None and tray.fallback.isVisible()
    # Its status is there the moment it shows, not at the next reminder tick.
    assert tray.fallback.status_text.startswith("Last: OKR management, until 14:50")
    tray.hide()


def test_a_host_that_has_not_taken_the_icon_yet_is_waited_for(
    qtbot: QtBot, desktop: Desktop
) -> None:
    desktop.host = True
    tray = controller(desktop)
    tray.start(LONG_WAIT_S)
    poll_until_shown(tray, desktop, 5.0)
    assert tray.mode is None  # still waiting: the host runs
    desktop.tray = True
    poll_until_shown(tray, desktop, 1.0)
    assert tray.mode == "tray"
    assert tray.fallback is None


def test_a_host_that_never_takes_the_icon_is_waited_for_a_bounded_time(
    qtbot: QtBot, desktop: Desktop
) -> None:
    desktop.host = True
    tray = controller(desktop)
    tray.start(LONG_WAIT_S)
    waited = poll_until_shown(tray, desktop, 2 * LONG_WAIT_S)
    assert tray.mode == "window"
    assert LONG_WAIT_S <= waited < LONG_WAIT_S + 0.5
    tray.hide()


def test_a_tray_that_appears_later_takes_over_from_the_stand_in(
    qtbot: QtBot, desktop: Desktop
) -> None:
    tray = controller(desktop)
    modes: list[str] = []
    tray.shown.connect(modes.append)
    tray.start(LONG_WAIT_S)
    poll_until_shown(tray, desktop, 2.0)
    window = tray.fallback
    assert window is not None and window.isVisible()
    assert tray.watching_for_tray  # still watching for a host, cheaply
    # A host that runs, but Qt's tray not yet usable: the stand-in stays.
    desktop.host = True
    tray.poll_for_tray()
    assert tray.mode == "window"
    desktop.tray = True
    tray.poll_for_tray()
    assert modes == ["window", "tray"]
    assert tray.fallback is None
    assert not window.isVisible()
    assert not tray.watching_for_tray


def test_the_menu_is_complete_before_it_first_opens(qtbot: QtBot, desktop: Desktop) -> None:
    # An SNI host asks for the layout before (or as) it shows the menu: it must be final
    # then, with nothing left to add in aboutToShow.
    tray = controller(desktop)
    shows: list[bool] = []
    tray.menu.aboutToShow.connect(lambda: shows.append(True))
    items = [a.text().replace("&", "") for a in tray.menu.actions() if not a.isSeparator()]
    for expected in ("Log now...", "Dashboard", "Customize framework...", "Orientation...", "Quit"):
        assert expected in items
    assert items[0] == "Last: OKR management, until 14:50"
    assert not shows


def test_a_state_change_rebuilds_the_menu_before_it_opens(qtbot: QtBot, desktop: Desktop) -> None:
    tray = controller(desktop)
    tray.holder["state"] = TrayState(  # type: ignore[attr-defined]
        timer_label="Incident response",
        current_label="Incident response",
        current_since=NOW - timedelta(hours=1),
    )
    tray.refresh()  # what the app does on every state change
    items = [a.text().replace("&", "") for a in tray.menu.actions() if not a.isSeparator()]
    assert "Stop timer (Incident response)" in items
    # Nothing changed: the menu (and the layout a host holds) is left as it is.
    before = list(tray.menu.actions())
    tray.refresh()
    assert list(tray.menu.actions()) == before


def test_a_rebuild_waits_while_the_menu_is_open(qtbot: QtBot, desktop: Desktop) -> None:
    tray = controller(desktop)
    tray.menu.popup(QGuiApplication.primaryScreen().availableGeometry().center())
    qtbot.waitUntil(tray.menu.isVisible)
    before = list(tray.menu.actions())
    tray.holder["state"] = TrayState(timer_label="Hiring")  # type: ignore[attr-defined]
    tray.refresh()
    assert list(tray.menu.actions()) == before
    tray.menu.hide()
    qtbot.waitUntil(lambda: "Stop timer (Hiring)" in labels(tray.menu))


def labels(menu: QMenu) -> list[str]:
    return [a.text().replace("&", "") for a in menu.actions()]


def stand_in(qtbot: QtBot, desktop: Desktop) -> tuple[TrayController, FallbackWindow]:
    tray = controller(desktop)
    tray.start(LONG_WAIT_S)
    poll_until_shown(tray, desktop, 2.0)
    assert tray.fallback is not None
    qtbot.waitExposed(tray.fallback)
    return tray, tray.fallback


def test_the_stand_in_is_compact_fixed_and_cannot_be_maximised(
    qtbot: QtBot, desktop: Desktop
) -> None:
    tray, window = stand_in(qtbot, desktop)
    area = QGuiApplication.primaryScreen().availableGeometry()
    # A fixed size (min == max) is what makes sway float it instead of tiling it full screen.
    assert window.minimumSize() == window.maximumSize()
    assert window.width() <= 420 and window.height() <= 260
    assert window.width() < area.width() and window.height() < area.height() // 2
    assert not window.isMaximized()
    assert not window.windowFlags() & window.windowFlags().WindowMaximizeButtonHint
    # A longer status grows it to fit, still fixed.
    tray.holder["state"] = TrayState(  # type: ignore[attr-defined]
        current_label="OKR management",
        current_until=NOW,
        notices=("Notes are not encrypted.", "The keychain did not answer."),
    )
    height = window.height()
    tray.refresh()
    assert window.height() > height
    assert window.minimumSize() == window.maximumSize()
    tray.hide()


def test_hide_sends_the_stand_in_away_and_a_launch_brings_it_back(
    qtbot: QtBot, desktop: Desktop
) -> None:
    tray, window = stand_in(qtbot, desktop)
    hide = next(b for b in window.findChildren(QPushButton) if b.accessibleName() == "Hide")
    hide.click()
    assert not window.isVisible()
    assert tray.mode == "window" and tray.fallback is window  # the app runs on
    assert tray.anchor() is None  # the picker then takes its own place
    tray.show_window()
    qtbot.waitExposed(window)
    assert window.isVisible()
    assert tray.anchor() is not None
    tray.hide()


def test_on_gnome_the_stand_in_names_the_appindicator_extension(
    qtbot: QtBot, desktop: Desktop, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CURRENT_DESKTOP", "ubuntu:GNOME")
    tray, window = stand_in(qtbot, desktop)
    texts = " ".join(label.text() for label in window.findChildren(QLabel))
    assert f"\u201c{GNOME_EXTENSION}\u201d extension brings the tray back" in texts
    assert GNOME_EXTENSION == "AppIndicator and KStatusNotifierItem Support"
    tray.hide()


def test_elsewhere_the_stand_in_does_not_talk_of_gnome(
    qtbot: QtBot, desktop: Desktop, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CURRENT_DESKTOP", "sway")
    tray, window = stand_in(qtbot, desktop)
    texts = " ".join(label.text() for label in window.findChildren(QLabel))
    assert "No system tray was found" in texts
    assert "GNOME" not in texts
    tray.hide()
