"""A new user's first minutes on a real X server with a tray host: Enter walks the orientation
to its end (it does not skip), the tray menu opens on a searchable timer chooser, and the
running timer shows in the menu with its elapsed time. Screenshots of each step are kept."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from sec_desktop.settings import load_settings
from tests.e2e.xsession import (
    E2E_MARKS,
    AppProcess,
    SessionError,
    XSession,
    tray_app,
    wait_for,
)
from tests.helpers.ids import INCIDENT

pytestmark = E2E_MARKS

APP_TITLE = "SEC Desktop"


@pytest.fixture
def app(session: XSession, isolated_dirs: dict[str, Path]) -> Iterator[AppProcess]:
    # A first start: no settings yet, so the orientation opens.
    with tray_app(session) as running:
        yield running


def key(session: XSession, *keys: str) -> None:
    session.run("xdotool", "key", "--delay", "60", *keys)


def page_shown(session: XSession, title: str) -> str | None:
    return session.find_window(title)


def open_tray_menu(session: XSession, app: AppProcess, times_seen: int) -> None:
    """Right-click the icon until the menu has opened `times_seen` times in all (a click that
    lands while trayer's panel still settles is lost)."""
    wait_for(lambda: APP_TITLE in session.tray_children(), 15, "the tray icon")
    for _ in range(5):
        geometry = session.tray_icon_geometry(APP_TITLE)
        assert geometry is not None
        x, y, w, h = geometry
        session.run("xdotool", "mousemove", str(x + w // 2), str(y + h // 2), "click", "3")
        with contextlib.suppress(SessionError):
            wait_for(lambda: app.log().count("tray menu shown") >= times_seen, 3, "the tray menu")
            return
    raise SessionError("the tray menu did not open")


def test_enter_walks_the_orientation_and_the_timer_is_chosen_by_search(
    session: XSession, app: AppProcess, isolated_dirs: dict[str, Path], artifacts_dir: Path
) -> None:
    window = wait_for(lambda: page_shown(session, "Welcome to SEC Desktop"), 20, "orientation")
    session.run("xdotool", "windowfocus", "--sync", window)
    session.screenshot(artifacts_dir / "e2e-orientation-1.png")
    key(session, "Return")
    wait_for(lambda: page_shown(session, "Your company and your stage"), 10, "page 2")
    session.screenshot(artifacts_dir / "e2e-orientation-2.png")
    key(session, "Return")
    wait_for(lambda: page_shown(session, "Your working hours"), 10, "page 3")
    key(session, "Return")
    wait_for(lambda: page_shown(session, "How SEC Desktop asks"), 10, "page 4")
    session.screenshot(artifacts_dir / "e2e-orientation-4.png")
    key(session, "Return")  # Finish: the settings are saved and the first prompt comes
    wait_for(lambda: load_settings(isolated_dirs["config"]).settings.first_run_done, 10, "saved")
    wait_for(
        lambda: '"picker_visible": true' in app.cli("status", "--format", "json").stdout,
        10,
        "first prompt",
    )
    session.screenshot(artifacts_dir / "e2e-first-prompt.png")
    key(session, "Escape")  # snoozed: answered later

    open_tray_menu(session, app, 1)
    session.screenshot(artifacts_dir / "e2e-tray-menu-idle.png")
    key(session, "t")  # Start &timer...
    chooser = wait_for(lambda: session.find_window("start a timer"), 10, "the timer chooser")
    session.run("xdotool", "windowfocus", "--sync", chooser)
    session.run("xdotool", "type", "--delay", "40", "incident")
    session.screenshot(artifacts_dir / "e2e-timer-chooser.png")
    key(session, "Return")

    def timer_running() -> str | None:
        status = json.loads(app.cli("status", "--format", "json").stdout)
        return status.get("timer")

    assert wait_for(timer_running, 10, "the timer to start") == INCIDENT
    open_tray_menu(session, app, 2)
    session.screenshot(artifacts_dir / "e2e-tray-menu-timer.png")
    key(session, "Escape")
