"""The global shortcut on a real X server with a tray host: Ctrl+Alt+Space (the default),
pressed while another program has the keyboard, brings up the picker with the keyboard,
also with NumLock on; an answer typed into it is saved. A key another program already
grabbed is named in the app's message. Prints the figure key -> focused picker."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sec_desktop.platform.hotkey_x11 import XGrabHotkey
from sec_desktop.settings import parse_key_combo
from tests.e2e.xsession import (
    E2E_MARKS,
    AppProcess,
    XSession,
    returning_user,
    stop_process,
    stored_entries,
    tray_app,
    wait_for,
)
from tests.helpers.ids import OKR

pytestmark = E2E_MARKS

PICKER_TITLE = "What are you doing"
TARGET_SCRIPT = Path(__file__).with_name("typing_target.py")
TARGET_TITLE = "Typing target"
GRABBED = "global shortcut Ctrl+Alt+Space set (X11 key grab)"
KEYBOARD = "picker has the keyboard"
GUARD_OVER = "picker: answer keys live"


@pytest.fixture
def app(session: XSession, isolated_dirs: dict[str, Path]) -> Iterator[AppProcess]:
    returning_user(isolated_dirs["config"])
    with tray_app(session) as running:
        wait_for(lambda: GRABBED in running.log(), 30, "the shortcut's grab")
        yield running


@pytest.fixture
def other_window(session: XSession, tmp_path: Path) -> Iterator[str]:
    """Another program's window with the keyboard, as when someone is at work."""
    process = subprocess.Popen(
        [sys.executable, str(TARGET_SCRIPT), str(tmp_path / "typed.txt")],
        env=session.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        window = wait_for(lambda: session.find_window(TARGET_TITLE), 30, "the other window")
        session.run("xdotool", "windowfocus", "--sync", window)
        yield window
    finally:
        stop_process(process)


def focused_window(session: XSession) -> str:
    return session.run("xdotool", "getwindowfocus", check=False).strip()


def press_and_time_the_focused_picker(session: XSession, app: AppProcess) -> float:
    """Press the shortcut; seconds until the picker is mapped and has the X input focus."""
    keyboards = app.log().count(KEYBOARD)
    started = time.monotonic()
    session.run("xdotool", "key", "ctrl+alt+space")

    def focused_picker() -> str | None:
        picker = session.find_window(PICKER_TITLE)
        return picker if picker and focused_window(session) == picker else None

    wait_for(focused_picker, 10, "the picker with the keyboard")
    took_s = time.monotonic() - started
    wait_for(lambda: app.log().count(KEYBOARD) > keyboards, 10, "the picker's keyboard")
    return took_s


def test_the_shortcut_opens_a_focused_picker_that_books_the_answer(
    session: XSession,
    app: AppProcess,
    other_window: str,
    isolated_dirs: dict[str, Path],
    artifacts_dir: Path,
) -> None:
    assert focused_window(session) == other_window
    guards = app.log().count(GUARD_OVER)
    took_s = press_and_time_the_focused_picker(session, app)
    assert "global shortcut pressed" in app.log()
    session.screenshot(artifacts_dir / "e2e-shortcut-picker.png")
    session.run("xdotool", "type", "--delay", "20", "okr")
    wait_for(lambda: app.log().count(GUARD_OVER) > guards, 10, "the answer guard")
    session.run("xdotool", "key", "Return")
    saved = wait_for(lambda: stored_entries(isolated_dirs["data"]), 10, "the entry")
    assert [e.activity for e in saved] == [OKR]

    # NumLock on counts as a modifier to X: the grab covers it.
    wait_for(lambda: session.find_window(PICKER_TITLE) is None, 10, "the picker to close")
    session.run("xdotool", "windowfocus", "--sync", other_window)
    session.run("xdotool", "key", "Num_Lock")
    took_numlock_s = press_and_time_the_focused_picker(session, app)
    session.run("xdotool", "key", "Num_Lock")
    print(
        f"global shortcut (X11): key -> focused picker {took_s * 1000:.0f} ms; "
        f"with NumLock on {took_numlock_s * 1000:.0f} ms"
    )


def test_a_key_another_program_holds_is_named(
    session: XSession, isolated_dirs: dict[str, Path]
) -> None:
    holder = XGrabHotkey(session.display)
    holder.start(parse_key_combo("Ctrl+Alt+Space"), lambda: None)
    try:
        returning_user(isolated_dirs["config"])
        with tray_app(session) as running:
            wait_for(
                lambda: "global shortcut Ctrl+Alt+Space not set" in running.log(),
                30,
                "the refused grab",
            )
            assert "Another program already uses Ctrl+Alt+Space as a shortcut" in running.log()
    finally:
        holder.stop()
