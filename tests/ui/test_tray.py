"""The tray menu shows live state and its actions emit what the app acts on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from sec_desktop.ui.startup import APP_ICON_SIZES, TRAY_ICON_SIZES, ShownTray, load_icon
from sec_desktop.ui.tray import (
    ICON_STATES,
    FallbackWindow,
    TrayController,
    TrayState,
    status_lines,
)
from tests.helpers.scripts import load_module

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 23, 13, 50, tzinfo=UTC)  # 14:50 in Berlin


def texts(menu: QMenu) -> list[str]:
    return [a.text() for a in menu.actions() if not a.isSeparator()]


def submenu(menu: QMenu, title: str) -> QMenu:
    for action in menu.actions():
        if action.menu() is not None and action.text().replace("&", "") == title:
            return action.menu()
    raise AssertionError(f"no submenu {title!r} in {texts(menu)}")


def make(qtbot, state: TrayState) -> TrayController:
    holder = {"state": state}
    controller = TrayController(lambda: holder["state"], BERLIN, lambda: NOW)
    controller.holder = holder  # type: ignore[attr-defined]
    return controller


def test_menu_shows_current_activity_next_prompt_and_actions(qtbot) -> None:
    state = TrayState(
        current_label="OKR management",
        current_until=NOW - timedelta(minutes=20),
        next_prompt_at=NOW + timedelta(minutes=12),
    )
    tray = make(qtbot, state)
    tray.refresh()
    items = [t.replace("&", "") for t in texts(tray.menu)]
    # The entry ended at 14:30: said as "until", never "since".
    assert items[0] == "Last: OKR management, until 14:30"
    assert items[1] == "Next prompt 15:02 (in 12 min)"
    for expected in ("Log now...", "Start timer...", "Snooze", "Dashboard", "Settings...", "Quit"):
        assert expected in items
    assert not any(t.startswith("Stop timer") for t in items)
    snooze_items = texts(submenu(tray.menu, "Snooze"))
    assert snooze_items == ["5 minutes", "15 minutes", "1 h", "Until tomorrow"]


def test_menu_is_rebuilt_from_live_state_each_time(qtbot) -> None:
    tray = make(qtbot, TrayState())
    tray.refresh()
    assert "Nothing logged yet today" in texts(tray.menu)
    tray.holder["state"] = TrayState(  # type: ignore[attr-defined]
        current_label="Incident response",
        current_since=NOW - timedelta(hours=1),
        timer_label="Incident response",
        snoozed_until=NOW + timedelta(days=1),
    )
    tray.refresh()
    items = [t.replace("&", "") for t in texts(tray.menu)]
    assert items[0] == "On Incident response for 1 h (since 13:50)"
    assert items[1] == "Snoozed until tomorrow 14:50"
    assert "Stop timer (Incident response)" in items
    assert "Switch timer..." in items
    assert "Resume prompts" in items


def trigger(menu: QMenu, text: str) -> None:
    for action in menu.actions():
        if action.text().replace("&", "") == text:
            action.trigger()
            return
    raise AssertionError(f"no action {text!r} in {texts(menu)}")


@pytest.mark.parametrize(
    ("path", "signal", "args"),
    [
        (["Log now..."], "logNowRequested", []),
        (["Dashboard"], "dashboardRequested", []),
        (["Settings..."], "settingsRequested", []),
        (["Quit"], "quitRequested", []),
        (["Snooze", "15 minutes"], "snoozeRequested", [15]),
        (["Snooze", "Until tomorrow"], "snoozeRequested", [None]),
        (["Start timer..."], "timerChooserRequested", []),
    ],
)
def test_actions_emit_their_signal(qtbot, path: list[str], signal: str, args: list) -> None:
    tray = make(qtbot, TrayState())
    tray.refresh()
    menu = tray.menu
    for title in path[:-1]:
        menu = submenu(menu, title)
    with qtbot.waitSignal(getattr(tray, signal)) as blocker:
        trigger(menu, path[-1])
    assert blocker.args == args


def test_icon_state_follows_the_state() -> None:
    assert TrayState().icon_state == "normal"
    assert TrayState(timer_label="X").icon_state == "timer"
    assert TrayState(snoozed_until=NOW).icon_state == "snoozed"
    assert TrayState(prompt_waiting=True, snoozed_until=NOW).icon_state == "attention"


def test_status_lines_for_a_prompt_tomorrow() -> None:
    state = TrayState(next_prompt_at=datetime(2026, 11, 24, 8, 0, tzinfo=UTC))
    assert status_lines(state, NOW, BERLIN)[1] == "Next prompt tomorrow 09:00 (in 18 h 10 min)"


class ClosedByHand(QCloseEvent):
    """A close from the window manager (Qt marks those spontaneous; tests can't send one)."""

    def spontaneous(self) -> bool:
        return True


def test_without_a_tray_the_fallback_window_appears(qtbot) -> None:
    # The offscreen platform has no system tray: after the wait, the window stands in.
    tray = make(qtbot, TrayState(current_label="OKR management", current_since=NOW))
    with qtbot.waitSignal(tray.shown, timeout=5000) as blocker:
        tray.start(wait_s=0.5)
    assert blocker.args == ["window"]
    assert isinstance(tray.fallback, FallbackWindow)
    assert tray.fallback.isVisible()
    assert tray.anchor() is not None
    # Closing it by hand (the window manager's close) only minimises: the app must not vanish.
    by_hand = ClosedByHand()
    tray.fallback.closeEvent(by_hand)
    assert not by_hand.isAccepted()
    assert tray.fallback.isVisible()
    tray.hide()
    assert tray.fallback is None


def test_the_fallback_window_lets_a_quit_close_it(qtbot) -> None:
    tray = make(qtbot, TrayState())
    with qtbot.waitSignal(tray.shown, timeout=5000):
        tray.start(wait_s=0.1)
    window = tray.fallback
    assert window is not None
    # The app's own close, as QApplication.quit() sends to each window: a refusal here would
    # cancel the quit (`sec-desktop quit` and More > Quit did nothing without a tray).
    assert window.close()
    assert not window.isVisible()
    # No quit followed (another window refused it, say): the window comes back.
    qtbot.waitUntil(window.isVisible, timeout=5000)
    tray.hide()


def test_the_menu_counts_down_as_it_opens_and_the_tooltip_gives_only_the_clock_time(
    qtbot,
) -> None:
    """The reminders tick only every few minutes: the menu's "in N min" is refreshed as it
    opens, not by a timer. The tooltip says only the next prompt's clock time, which stays
    true however long a tray host shows the text after it was set."""
    now = [NOW]
    tray = TrayController(
        lambda: TrayState(next_prompt_at=NOW + timedelta(minutes=12)), BERLIN, lambda: now[0]
    )
    tray.refresh()
    assert tray.tooltip.splitlines()[2] == "Next prompt 15:02"
    now[0] = NOW + timedelta(minutes=4)  # no tick since
    tray.menu.aboutToShow.emit()
    assert "Next prompt 15:02 (in 8 min)" in [t.replace("&", "") for t in texts(tray.menu)]
    assert tray.tooltip.splitlines()[2] == "Next prompt 15:02"
    assert tray.icon.toolTip() == tray.tooltip


def test_the_icon_shown_at_start_up_is_adopted_with_its_menu(qtbot) -> None:
    """Start-up shows the icon before the app is loaded (ui/startup.py); the app's tray takes
    that very icon and menu (a tray host already holds their paths), fills the menu in, and
    counts the icon as shown without a second look for a tray."""
    early_menu = QMenu()
    early_icon = QSystemTrayIcon(load_icon())
    early_icon.setContextMenu(early_menu)
    tray = TrayController(
        lambda: TrayState(current_label="OKR management", current_until=NOW),
        BERLIN,
        lambda: NOW,
        tray_available=lambda: False,  # the offscreen platform has none: not asked again
        shown=ShownTray(early_icon, early_menu),
    )
    assert tray.icon is early_icon and tray.menu is early_menu
    assert early_icon.contextMenu() is early_menu
    assert "Log now..." in [t.replace("&", "").replace("\u2026", "...") for t in texts(tray.menu)]
    with qtbot.waitSignal(tray.shown, timeout=1000) as blocker:
        tray.start(wait_s=0.5)
    assert blocker.args == ["tray"]
    assert tray.fallback is None
    tray.hide()


@pytest.mark.parametrize(
    ("state", "app_icon", "sizes"),
    [
        ("normal", True, APP_ICON_SIZES),
        *((state, False, TRAY_ICON_SIZES) for state in ICON_STATES),
    ],
)
def test_each_icon_is_a_png_at_every_size_it_was_drawn_in(
    qtbot, state: str, app_icon: bool, sizes: tuple[int, ...]
) -> None:
    """The icons are the PNGs scripts/make_icons.py draws (the SVG would load QtSvg into the
    resident tray); every size is there and paints, so a panel at any usual scale gets its
    own drawing rather than a blurred neighbour."""
    make_icons = load_module("scripts/make_icons.py", "make_icons")
    drawn = make_icons.PNG_SIZES if app_icon else make_icons.TRAY_PNG_SIZES
    # The app's largest sizes are the installers' (for the icon theme); the rest all load.
    assert sizes == tuple(size for size in drawn if size <= max(sizes))
    icon = load_icon(state, app_icon=app_icon)
    assert [s.width() for s in icon.availableSizes()] == list(sizes)
    for size in sizes:
        pixmap = icon.pixmap(size, size)
        assert (pixmap.width(), pixmap.height()) == (size, size)
        assert not pixmap.toImage().isNull()
