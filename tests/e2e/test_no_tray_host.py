"""With no tray host at all (no StatusNotifierWatcher on the bus, no XEmbed tray on X11) the
stand-in window is on screen at once, compact and of a fixed size, even with the long wait
for a slow tray left at its default; a tray started later takes the icon over from it. On
sway (no bar) the stand-in floats at its own size instead of filling the output."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from sec_desktop import APP_ID
from tests.e2e.waylandsession import (
    UNPRIVILEGED_ID,
    WaylandSession,
    sway_session,
)
from tests.e2e.waylandsession import missing_tools as wayland_missing_tools
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
from tests.helpers.processes import private_session_bus

pytestmark = E2E_MARKS

# Python and Qt starting take most of it; the wait for a tray host must not add 30 s.
STAND_IN_WITHIN_S = 8.0
STAND_IN_MAX_WIDTH_PX = 480
STAND_IN_MAX_HEIGHT_PX = 320
WAYBAR_CONFIG = {"layer": "top", "position": "top", "height": 26, "modules-right": ["tray"]}
SETTLE_FOR_SCREENSHOT_S = 1.0


@pytest.fixture
def session_bus() -> Iterator[str]:
    """A private session bus with no StatusNotifierWatcher on it."""
    with private_session_bus() as address:
        yield address


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
            wait_for(session.tray_children, START_TIMEOUT_S, "the icon in trayer")
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


def sway_node(sway: WaylandSession, app_id: str) -> dict[str, Any] | None:
    """The app's window in sway's tree (tiled or floating), or None."""
    socket = next(sway.runtime_dir.glob("sway-ipc.*"))
    out = subprocess.run(
        ["swaymsg", "-s", str(socket), "-t", "get_tree"],
        capture_output=True,
        text=True,
        timeout=10,
        check=True,
    ).stdout
    stack = [orjson.loads(out)]
    while stack:
        node = stack.pop()
        if node.get("app_id") == app_id:
            return dict(node)
        stack += node.get("nodes", []) + node.get("floating_nodes", [])
    return None


@pytest.mark.skipif(
    bool(wayland_missing_tools()) or shutil.which("grim") is None,
    reason="needs sway, wtype and grim (Debian packages sway wtype grim util-linux)",
)
def test_on_sway_the_stand_in_floats_compact_and_says_gnome_s_way_back(
    session_bus: str, isolated_dirs: dict[str, Path], artifacts_dir: Path
) -> None:
    returning_user(isolated_dirs["config"])
    with sway_session() as sway:
        env = {
            **os.environ,
            "WAYLAND_DISPLAY": str(sway.socket),
            "QT_QPA_PLATFORM": "wayland",
            "DBUS_SESSION_BUS_ADDRESS": session_bus,
            # sway with no bar, as GNOME without the extension: no host of either kind.
            "XDG_CURRENT_DESKTOP": "GNOME",
        }
        for name in ("DISPLAY", "SEC_DESKTOP_TRAY_WAIT_S"):
            env.pop(name, None)
        started = time.monotonic()
        with app_process(env, ready_line="ready: window"):
            node = wait_for(lambda: sway_node(sway, APP_ID), 15, "the stand-in in sway")
            took_s = time.monotonic() - started
            print(f"\nlaunch to stand-in window on sway: {took_s:.2f} s")
            assert took_s < STAND_IN_WITHIN_S
            # Floating at its own size, never tiled over the whole output.
            assert node["type"] == "floating_con", node["type"]
            rect = node["rect"]
            assert rect["width"] <= STAND_IN_MAX_WIDTH_PX
            assert rect["height"] <= STAND_IN_MAX_HEIGHT_PX
            subprocess.run(
                ["grim", str(artifacts_dir / "e2e-no-tray-stand-in-sway.png")],
                env={**os.environ, **sway.client_env()},
                check=True,
                timeout=20,
            )


@contextlib.contextmanager
def session_user_dirs() -> Iterator[Path]:
    """Folders the compositor's unprivileged user can write (pytest's tmp_path sits in root's
    private folder, out of its reach)."""
    base = Path(tempfile.mkdtemp(prefix="sec-desktop-no-tray-"))
    try:
        base.chmod(0o755)
        yield base
    finally:
        shutil.rmtree(base, ignore_errors=True)


def as_session_user() -> list[str]:
    """The command prefix that runs a program as the compositor's user (when we are root)."""
    if os.geteuid() != 0:
        return []
    ids = (f"--reuid={UNPRIVILEGED_ID}", f"--regid={UNPRIVILEGED_ID}", "--clear-groups")
    return ["setpriv", *ids, "--"]


def give_to_session_user(root: Path) -> None:
    if os.geteuid() != 0:
        return
    for path in [root, *root.rglob("*")]:
        os.chown(path, UNPRIVILEGED_ID, UNPRIVILEGED_ID)


@pytest.mark.skipif(
    bool(wayland_missing_tools()) or None in (shutil.which("waybar"), shutil.which("grim")),
    reason="needs sway, wtype, waybar and grim (Debian packages sway wtype waybar grim)",
)
def test_on_sway_a_bar_started_later_takes_the_icon_over(artifacts_dir: Path) -> None:
    with sway_session() as sway, session_user_dirs() as base:
        # Everything runs as the compositor's user, the app too: a session bus lets in only
        # the user it belongs to.
        bus_address = f"unix:path={sway.runtime_dir}/bus"
        home = base / "home"
        config_dir, data_dir = base / "config", base / "data"
        for folder in (home, config_dir, data_dir):
            folder.mkdir()
        returning_user(config_dir)
        bar_config = base / "waybar.json"
        bar_config.write_text(orjson.dumps(WAYBAR_CONFIG).decode())
        give_to_session_user(base)
        bus = sway.start("dbus-daemon", "--session", "--nofork", f"--address={bus_address}")
        bar: subprocess.Popen[Any] | None = None
        try:
            wait_for((sway.runtime_dir / "bus").exists, 15, "the session bus")
            env = {
                **sway.env,
                "DBUS_SESSION_BUS_ADDRESS": bus_address,
                "QT_QPA_PLATFORM": "wayland",
                "SEC_DESKTOP_CONFIG_DIR": str(config_dir),
                "SEC_DESKTOP_DATA_DIR": str(data_dir),
                "HOME": str(home),
                "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
                "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
            }
            command = (*as_session_user(), sys.executable, "-m", "sec_desktop")
            with app_process(env, ready_line="ready: window", command=command) as app:
                wait_for(lambda: sway_node(sway, APP_ID), 15, "the stand-in in sway")
                bar = sway.start("waybar", "-c", str(bar_config))
                started = time.monotonic()
                wait_for(
                    lambda: "a system tray appeared; moving into it" in app.log(),
                    START_TIMEOUT_S,
                    "the move into waybar's tray",
                )
                print(f"\nwaybar started to icon in it: {time.monotonic() - started:.2f} s")
                wait_for(lambda: sway_node(sway, APP_ID) is None, 15, "the stand-in to go")
                status = orjson.loads(app.cli("status", "--format", "json").stdout)
                assert status["tray"] == "tray"
                time.sleep(SETTLE_FOR_SCREENSHOT_S)  # waybar draws the icon a moment later
                subprocess.run(
                    ["grim", str(artifacts_dir / "e2e-no-tray-then-waybar.png")],
                    env={**os.environ, **sway.client_env()},
                    check=True,
                    timeout=20,
                )
        finally:
            if bar is not None:
                stop_process(bar)
            stop_process(bus)
