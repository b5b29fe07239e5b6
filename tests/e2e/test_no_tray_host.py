"""With no tray host at all (no StatusNotifierWatcher on the bus, no XEmbed tray on X11) the
stand-in window is on screen at once, compact and of a fixed size, even with the long wait
for a slow tray left at its default; a tray started later takes the icon over from it."""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from tests.e2e.xsession import (
    E2E_MARKS,
    START_TIMEOUT_S,
    TRAYER_OPTIONS,
    XSession,
    app_process,
    returning_user,
    stop_process,
    wait_for,
    x_session,
)

pytestmark = E2E_MARKS

# Python and Qt starting take most of it; the wait for a tray host must not add 30 s.
STAND_IN_WITHIN_S = 8.0
STAND_IN_MAX_WIDTH_PX = 480
STAND_IN_MAX_HEIGHT_PX = 320


@pytest.fixture
def session_bus() -> Iterator[str]:
    """A private session bus with no StatusNotifierWatcher on it."""
    daemon = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        assert daemon.stdout is not None
        address = daemon.stdout.readline().strip()
        assert address, "dbus-daemon printed no address"
        yield address
    finally:
        stop_process(daemon)
        if daemon.stdout is not None:
            daemon.stdout.close()


@pytest.fixture
def session(session_bus: str) -> Iterator[XSession]:
    with x_session({**os.environ, "DBUS_SESSION_BUS_ADDRESS": session_bus}, with_tray=False) as xs:
        yield xs


def size_hints(session: XSession, window: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """The window's minimum and maximum size from WM_NORMAL_HINTS."""
    hints = session.run("xprop", "-id", window, "WM_NORMAL_HINTS")
    least = re.search(r"minimum size: (\d+) by (\d+)", hints)
    most = re.search(r"maximum size: (\d+) by (\d+)", hints)
    assert least and most, hints
    return (int(least[1]), int(least[2])), (int(most[1]), int(most[2]))


def test_the_stand_in_comes_at_once_and_a_later_tray_takes_over(
    session: XSession, isolated_dirs: dict[str, Path], artifacts_dir: Path
) -> None:
    returning_user(isolated_dirs["config"])
    env = {k: v for k, v in session.env.items() if k != "SEC_DESKTOP_TRAY_WAIT_S"}
    started = time.monotonic()
    with app_process(env, ready_line="ready: window") as app:
        window = wait_for(lambda: session.find_window("^SEC Desktop$"), 15, "the stand-in")
        took_s = time.monotonic() - started
        print(f"\nlaunch to stand-in window: {took_s:.2f} s")
        assert took_s < STAND_IN_WITHIN_S
        assert "no system tray runs on this desktop" in app.log()
        # Compact and fixed: the window manager can neither maximise nor tile it full screen.
        least, most = size_hints(session, window)
        assert least == most
        assert least[0] <= STAND_IN_MAX_WIDTH_PX and least[1] <= STAND_IN_MAX_HEIGHT_PX
        session.screenshot(artifacts_dir / "e2e-no-tray-stand-in.png")
        status = orjson.loads(app.cli("status", "--format", "json").stdout)
        assert status["tray"] == "window"

        trayer = subprocess.Popen(
            ["trayer", *TRAYER_OPTIONS],
            env=session.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            appeared = time.monotonic()
            wait_for(lambda: session.tray_children(), START_TIMEOUT_S, "the icon in trayer")
            wait_for(
                lambda: session.find_window("^SEC Desktop$") is None,
                START_TIMEOUT_S,
                "the stand-in to go",
            )
            print(f"tray started to icon in it: {time.monotonic() - appeared:.2f} s")
            assert "a system tray appeared; moving into it" in app.log()
            status = orjson.loads(app.cli("status", "--format", "json").stdout)
            assert status["tray"] == "tray"
            session.screenshot(artifacts_dir / "e2e-no-tray-then-trayer.png")
        finally:
            stop_process(trayer)
