"""Without a system tray the app runs in its stand-in window: `sec-desktop quit` and
More ▸ Quit in that window both end the app (closing the window by hand only minimises it)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.xsession import (
    E2E_MARKS,
    AppProcess,
    XSession,
    app_process,
    returning_user,
    wait_for,
    x_session,
)

pytestmark = E2E_MARKS

# No tray host runs: the app waits this long before it shows its own window.
NO_TRAY_WAIT_ENV = {"SEC_DESKTOP_TRAY_WAIT_S": "0.5"}
QUIT_TIMEOUT_S = 15


@pytest.fixture
def session() -> Iterator[XSession]:
    with x_session(dict(os.environ), with_tray=False) as xs:
        yield xs


@pytest.fixture
def app(session: XSession, isolated_dirs: dict[str, Path]) -> Iterator[AppProcess]:
    returning_user(isolated_dirs["config"])
    with app_process({**session.env, **NO_TRAY_WAIT_ENV}, ready_line="ready: window") as running:
        wait_for(lambda: session.find_window("^SEC Desktop$"), 15, "the stand-in window")
        yield running


def test_quit_from_the_command_line_ends_the_app(app: AppProcess) -> None:
    result = app.cli("quit")
    assert result.returncode == 0, result.stderr
    app.process.wait(timeout=QUIT_TIMEOUT_S)
    assert app.process.returncode == 0
    assert app.cli("status", "--format", "json").returncode != 0  # nothing answers any more


def test_quit_in_the_windows_more_menu_ends_the_app(
    session: XSession, app: AppProcess, artifacts_dir: Path
) -> None:
    window = session.find_window("^SEC Desktop$")
    assert window is not None
    session.run("xdotool", "windowactivate", "--sync", window, check=False)
    session.run("xdotool", "windowfocus", "--sync", window, check=False)
    # Alt+M opens More (its mnemonic); Q picks &Quit in the menu.
    session.run("xdotool", "key", "--window", window, "alt+m")
    wait_for(lambda: "tray menu shown" in app.log(), 10, "the More menu")
    session.screenshot(artifacts_dir / "e2e-fallback-more-menu.png")
    session.run("xdotool", "key", "q")
    app.process.wait(timeout=QUIT_TIMEOUT_S)
    assert app.process.returncode == 0
