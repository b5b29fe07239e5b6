"""The real app on a real X server with a real tray host (trayer): its icon docks in the
tray, `sec-desktop prompt` reaches the running app, an answer typed with xdotool lands in
the store, and a second launch does not start a second app."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from sec_desktop.store import Entry
from sec_desktop.ui.startup import EARLY_ICON_LOG
from tests.e2e.xsession import (
    E2E_MARKS,
    AppProcess,
    SessionError,
    XSession,
    app_process,
    returning_user,
    stored_entries,
    tray_app,
    wait_for,
)
from tests.helpers.ids import OKR

pytestmark = E2E_MARKS

APP_TITLE = "SEC Desktop"


@pytest.fixture
def app(session: XSession, isolated_dirs: dict[str, Path]) -> Iterator[AppProcess]:
    returning_user(isolated_dirs["config"])
    with tray_app(session) as running:
        yield running


def stable_geometry(session: XSession) -> tuple[int, int, int, int] | None:
    first = session.tray_icon_geometry(APP_TITLE)
    second = session.tray_icon_geometry(APP_TITLE)
    return first if first is not None and first == second else None


def entries(isolated_dirs: dict[str, Path]) -> list[Entry]:
    return stored_entries(isolated_dirs["data"])


def test_icon_docks_in_the_tray(session: XSession, app: AppProcess, artifacts_dir: Path) -> None:
    names = wait_for(session.tray_children, 15, "an icon in trayer's panel")
    # One icon: the one shown before the app was loaded is the app's, not a second one.
    assert names.count(APP_TITLE) == 1, f"tray icons: {names}"
    log = app.log()
    assert log.index(EARLY_ICON_LOG) < log.index("ready: tray icon shown")
    status = app.cli("status", "--format", "json")
    assert status.returncode == 0, status.stderr
    assert '"tray": "tray"' in status.stdout
    # trayer resizes its panel as icons dock: click once the icon has stopped moving.
    geometry = wait_for(lambda: stable_geometry(session), 10, "the icon to settle")
    x, y, w, h = geometry
    # Right-click the icon: its menu opens, live state at the top. A click that lands while
    # the panel still settles is lost, so it is repeated until the menu shows.
    for _ in range(5):
        session.run("xdotool", "mousemove", str(x + w // 2), str(y + h // 2), "click", "3")
        try:
            wait_for(lambda: "tray menu shown" in app.log(), 3, "the tray menu")
            break
        except SessionError:
            x, y, w, h = session.tray_icon_geometry(APP_TITLE) or geometry
    assert "tray menu shown" in app.log()
    session.screenshot(artifacts_dir / "e2e-tray-menu.png")
    session.run("xdotool", "key", "Escape")


def test_prompt_answer_is_saved(
    session: XSession, app: AppProcess, isolated_dirs: dict[str, Path], artifacts_dir: Path
) -> None:
    guard_over = "picker: answer keys live"
    keyboard = "picker has the keyboard"
    guards_before = app.log().count(guard_over)
    keyboards_before = app.log().count(keyboard)
    result = app.cli("prompt")
    assert result.returncode == 0, result.stderr
    window = wait_for(lambda: session.find_window("What are you doing"), 10, "the picker")
    # Shown within a moment of the X server's start, the picker may first wait out a pause
    # in "typing" (the server's own start counts as input): type once it has the keyboard.
    wait_for(lambda: app.log().count(keyboard) > keyboards_before, 10, "the picker's keyboard")
    session.run("xdotool", "windowfocus", "--sync", window, check=False)
    session.run("xdotool", "type", "--delay", "20", "okr")
    wait_for(lambda: "picker painted" in app.log(), 10, "the picker's first paint")
    session.screenshot(artifacts_dir / "e2e-picker.png")
    # Keys typed as the picker opens never answer: Enter waits for the guard's end.
    wait_for(lambda: app.log().count(guard_over) > guards_before, 10, "the answer guard")
    session.run("xdotool", "key", "Return")
    saved = wait_for(lambda: entries(isolated_dirs), 10, "the entry in the store")
    assert [e.activity for e in saved] == [OKR]
    assert saved[0].source == "manual"
    assert saved[0].end - saved[0].start > timedelta(0)


def test_a_second_launch_reaches_the_first(session: XSession, app: AppProcess) -> None:
    again = app.cli("status", "--format", "json")
    assert again.returncode == 0
    pid = int(re.search(r'"pid": (\d+)', again.stdout).group(1))  # type: ignore[union-attr]
    assert pid == app.process.pid
    second = app.cli()  # plain `sec-desktop` while one runs: forwarded, exits at once
    assert second.returncode == 0, second.stderr
    assert "already running" in second.stderr


def test_first_start_opens_the_orientation(
    session: XSession, isolated_dirs: dict[str, Path], artifacts_dir: Path
) -> None:
    env = {**session.env, "SEC_DESKTOP_TRAY_WAIT_S": "15"}
    with app_process(env) as first:
        wait_for(lambda: session.find_window("Welcome"), 15, "the orientation window")
        session.screenshot(artifacts_dir / "e2e-first-run.png")
        assert first.cli("status", "--format", "json").returncode == 0


def test_quit_stops_the_app(session: XSession, app: AppProcess) -> None:
    assert app.cli("quit").returncode == 0
    app.process.wait(timeout=15)
    assert app.process.returncode == 0
    assert app.cli("status", "--format", "json").returncode != 0  # nothing answers any more
