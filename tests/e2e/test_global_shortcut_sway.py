"""The shortcut where the app can't grab keys: on sway (no GlobalShortcuts portal) the app
says so, and a sway `bindsym` running `sec-desktop prompt` -- the line Settings offers --
brings the picker up focused. Prints the figure key -> focused picker.

The app runs natively on Wayland as the session's unprivileged user, so its interpreter must
be readable by that user: the test's own, or the system's Python 3 of the same version with
the test's site-packages on its path."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sec_desktop.platform.hotkey import binding_help
from sec_desktop.settings import parse_key_combo
from tests.e2e.waylandsession import (
    UNPRIVILEGED_ID,
    WaylandSession,
    _as_session_user,
    missing_tools,
    sway_session,
)
from tests.e2e.xsession import SessionError, returning_user, stop_process, stored_entries, wait_for
from tests.helpers.ids import OKR

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        bool(missing_tools()) and not os.environ.get("CI"),
        reason=f"Wayland end-to-end tools missing: {missing_tools()}",
    ),
]

CHECKOUT = Path(__file__).resolve().parents[2]
# The picker's window title, as sway reports it.
PICKER_TITLE = "SEC Desktop: what are you doing?"
SYSTEM_PYTHON = Path("/usr/bin/python3")


def readable_by_everyone(path: Path) -> bool:
    """Whether another user can run `path`: every folder above it searchable by others."""
    real = path.resolve()
    return all(p.stat().st_mode & 0o001 for p in real.parents) and bool(real.stat().st_mode & 0o005)


def session_interpreter() -> tuple[str, str]:
    """(interpreter, PYTHONPATH) the session's user can run the app from source with."""
    site = sysconfig.get_paths()["purelib"]
    if readable_by_everyone(Path(sys.executable)):
        return sys.executable, str(CHECKOUT)
    version = subprocess.run(
        [str(SYSTEM_PYTHON), "-c", "import sys; print(sys.version_info[:2])"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if version != str(sys.version_info[:2]):
        pytest.skip(f"no Python {sys.version_info[:2]} that the session's user can run")
    return str(SYSTEM_PYTHON), f"{CHECKOUT}:{site}"


@pytest.fixture
def sway() -> Iterator[WaylandSession]:
    with sway_session() as session:
        yield session


@pytest.fixture
def app_dirs() -> Iterator[dict[str, Path]]:
    """Data and config folders the session's user owns (tmp_path is in root's folder)."""
    base = Path(tempfile.mkdtemp(prefix="sec-desktop-shortcut-"))
    base.chmod(0o755)
    dirs = {"data": base / "data", "config": base / "config", "log": base / "app.log"}
    try:
        returning_user(dirs["config"])
        dirs["data"].mkdir()
        if os.geteuid() == 0:
            for path in (base, *base.rglob("*")):
                os.chown(path, UNPRIVILEGED_ID, UNPRIVILEGED_ID)
        yield dirs
    finally:
        shutil.rmtree(base, ignore_errors=True)


def sway_socket(session: WaylandSession) -> str:
    sockets = sorted(session.runtime_dir.glob("sway-ipc.*.sock"))
    return str(sockets[0]) if sockets else ""


def swaymsg(session: WaylandSession, *args: str) -> Any:
    result = subprocess.run(
        [*_as_session_user(), "swaymsg", "--raw", *args],
        env={**session.env, "SWAYSOCK": sway_socket(session)},
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    if result.returncode != 0:
        raise SessionError(f"swaymsg {' '.join(args)}: {result.stdout} {result.stderr}")
    return json.loads(result.stdout)


def focused_name(node: dict[str, Any]) -> str | None:
    """The name of the focused window in sway's tree."""
    if node.get("focused") and node.get("type") in ("con", "floating_con"):
        return str(node.get("name"))
    for child in node.get("nodes", []) + node.get("floating_nodes", []):
        found = focused_name(child)
        if found is not None:
            return found
    return None


@contextlib.contextmanager
def wayland_app(session: WaylandSession, env: dict[str, str], log: Path) -> Iterator[Any]:
    python, _ = session_interpreter()
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [*_as_session_user(), python, "-m", "sec_desktop"],
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        stop_process(process)


def test_a_sway_binding_to_the_prompt_command_brings_up_a_focused_picker(
    sway: WaylandSession, app_dirs: dict[str, Path], artifacts_dir: Path
) -> None:
    python, python_path = session_interpreter()
    app_env = {
        **sway.env,
        "SWAYSOCK": sway_socket(sway),
        "XDG_SESSION_TYPE": "wayland",
        "XDG_CURRENT_DESKTOP": "sway",
        "QT_QPA_PLATFORM": "wayland",
        "PYTHONPATH": python_path,
        "SEC_DESKTOP_DATA_DIR": str(app_dirs["data"]),
        "SEC_DESKTOP_CONFIG_DIR": str(app_dirs["config"]),
        "SEC_DESKTOP_LOG": "info",
        "SEC_DESKTOP_TRAY_WAIT_S": "1",
        "PYTHONUNBUFFERED": "1",
    }
    log = app_dirs["log"]

    def app_log() -> str:
        return log.read_text(errors="replace") if log.exists() else ""

    # The line the Settings dialog offers on sway, with this checkout's interpreter and folders.
    steps = binding_help({"SWAYSOCK": "x"}, parse_key_combo("Ctrl+Alt+Space")).steps
    bindsym = steps.splitlines()[-1]
    assert bindsym == "bindsym Ctrl+Mod1+space exec sec-desktop prompt --keyboard"
    command = " ".join(
        f"{key}={app_env[key]}"
        for key in ("PYTHONPATH", "SEC_DESKTOP_DATA_DIR", "SEC_DESKTOP_CONFIG_DIR")
    )
    launcher = f"env {command} {python} -m sec_desktop prompt --keyboard"
    swaymsg(sway, bindsym.replace("sec-desktop prompt --keyboard", launcher))

    with wayland_app(sway, app_env, log) as process:
        wait_for(
            lambda: "global shortcut Ctrl+Alt+Space not set" in app_log() or process.poll(),
            60,
            "the app's word on the shortcut",
        )
        assert "GlobalShortcuts portal" in app_log(), app_log()
        # With no tray host here, the stand-in window comes up: press once it has.
        wait_for(lambda: "ready:" in app_log() or process.poll(), 60, "the app's ready line")
        wait_for(lambda: focused_name(swaymsg(sway, "-t", "get_tree")), 20, "a focused window")
        assert focused_name(swaymsg(sway, "-t", "get_tree")) != PICKER_TITLE
        started = time.monotonic()
        sway.run("wtype", "-M", "ctrl", "-M", "alt", "-k", "space", "-m", "alt", "-m", "ctrl")
        wait_for(
            lambda: focused_name(swaymsg(sway, "-t", "get_tree")) == PICKER_TITLE or None,
            20,
            "the picker focused",
        )
        took_s = time.monotonic() - started
        assert "request from another launch: prompt" in app_log()
        # `prompt --keyboard`: the binding's own key press is the user asking, so the picker
        # takes the keyboard at once instead of waiting out a pause in typing.
        wait_for(lambda: "picker has the keyboard" in app_log(), 10, "the picker's keyboard")
        took_keyboard_s = time.monotonic() - started
        assert "picker shown without the keyboard" not in app_log(), app_log()
        # grim runs as the session's user: it writes beside the app's folders, then we copy.
        shot = app_dirs["log"].with_name("picker.png")
        sway.run("grim", str(shot))
        shutil.copyfile(shot, artifacts_dir / "e2e-sway-shortcut-picker.png")
        wait_for(lambda: "picker: answer keys live" in app_log(), 10, "the answer guard")
        sway.run("wtype", "okr")
        sway.run("wtype", "-k", "Return")
        saved = wait_for(lambda: stored_entries(app_dirs["data"]), 10, "the entry")
        assert [e.activity for e in saved] == [OKR]
        print(
            f"global shortcut (sway bindsym): key -> focused picker {took_s * 1000:.0f} ms; "
            f"-> picker taking answer keys {took_keyboard_s * 1000:.0f} ms"
        )
