"""No keystroke books anything by accident, on a real X server with a tray host: keys typed
into another window as a prompt opens stay in that window and book nothing, and "1:1" typed
into the picker is a search that books nothing before Enter."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sec_desktop.store import Entry
from tests.e2e.xsession import (
    E2E_MARKS,
    AppProcess,
    SessionError,
    XSession,
    returning_user,
    stop_process,
    stored_entries,
    tray_app,
    wait_for,
)
from tests.helpers.ids import BOARD, OKR

pytestmark = E2E_MARKS

PICKER_TITLE = "What are you doing"
TARGET_SCRIPT = Path(__file__).with_name("typing_target.py")
TARGET_TITLE = "Typing target"
# What the user types in the other window, over and over: digits, a colon and Return (sent
# as a key: `xdotool type` sends a newline as Linefeed), each of which answered the picker once.
CHUNKS = ("1:1 sync\n", "2fa ", "3rd-party review\n", "9\n", "board 4\n")
TYPE_DELAY_MS = 40
# Typing goes on this long after the picker appears: past its answer guard (0.7 s) and the
# pause after which it would take the keyboard (1.5 s), had the typing stopped.
KEEP_TYPING_S = 3.0
TYPING_LIMIT_S = 60.0
GUARD_OVER = "picker: answer keys live"


@pytest.fixture
def app(session: XSession, isolated_dirs: dict[str, Path]) -> Iterator[AppProcess]:
    returning_user(isolated_dirs["config"])
    with tray_app(session) as running:
        yield running


@pytest.fixture
def target(session: XSession, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """Another application's text window with the keyboard: (its window id, its text file)."""
    out = tmp_path / "typed.txt"
    process = subprocess.Popen(
        [sys.executable, str(TARGET_SCRIPT), str(out)],
        env=session.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        window = wait_for(lambda: session.find_window(TARGET_TITLE), 30, "the typing target")
        session.run("xdotool", "windowfocus", "--sync", window)
        type_text(session, "ready\n")
        wait_for(lambda: text_of(out) == "ready\n", 10, "the typing target to take keys")
        yield window, out
    finally:
        stop_process(process)


def type_text(session: XSession, text: str) -> None:
    """Type `text` as a person would, each newline a press of Return."""
    for number, line in enumerate(text.split("\n")):
        if number:
            session.run("xdotool", "key", "Return")
        if line:
            session.run("xdotool", "type", "--delay", str(TYPE_DELAY_MS), line)


def text_of(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def entries(isolated_dirs: dict[str, Path]) -> list[Entry]:
    return stored_entries(isolated_dirs["data"])


def focused_window(session: XSession) -> int | None:
    """The window with the keyboard; None while no window has it (focus follows the pointer,
    X's state until a client sets the focus)."""
    out = session.run("xdotool", "getwindowfocus", check=False).strip()
    return int(out) if out.isdigit() else None


def click_window(session: XSession, window: str, dx: int, dy: int) -> None:
    geometry = dict(
        line.split("=", 1)
        for line in session.run("xdotool", "getwindowgeometry", "--shell", window).split()
    )
    x, y = int(geometry["X"]) + dx, int(geometry["Y"]) + dy
    session.run("xdotool", "mousemove", str(x), str(y), "click", "1")


def answer_with_enter(session: XSession, app: AppProcess, guards_before: int) -> None:
    """Press Enter once the picker's answer guard is over (its log says so once more than
    `guards_before` times: a guard that keys extended ends later, and is logged then)."""
    wait_for(lambda: app.log().count(GUARD_OVER) > guards_before, 10, "the answer guard's end")
    session.run("xdotool", "key", "Return")


def test_typing_elsewhere_as_a_prompt_opens_books_nothing(
    session: XSession,
    app: AppProcess,
    target: tuple[str, Path],
    isolated_dirs: dict[str, Path],
    artifacts_dir: Path,
) -> None:
    target_window, typed_file = target
    prompt = subprocess.Popen(
        [*app.command, "prompt"],
        env=app.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        typed = "ready\n"
        appeared_at: float | None = None
        deadline = time.monotonic() + TYPING_LIMIT_S
        index = 0
        # Typing without a break from before the prompt is asked for until well after the
        # picker has appeared.
        while appeared_at is None or time.monotonic() - appeared_at < KEEP_TYPING_S:
            if time.monotonic() > deadline:
                raise SessionError(f"no picker after {TYPING_LIMIT_S:.0f} s:\n{app.log()}")
            chunk = CHUNKS[index % len(CHUNKS)]
            index += 1
            type_text(session, chunk)
            typed += chunk
            if appeared_at is None and session.find_window(PICKER_TITLE):
                appeared_at = time.monotonic()
        assert prompt.wait(timeout=30) == 0
    finally:
        stop_process(prompt)
    assert entries(isolated_dirs) == []
    picker = wait_for(lambda: session.find_window(PICKER_TITLE), 10, "the picker")
    # Every key reached the other window, in order, and it kept the keyboard.
    wait_for(lambda: text_of(typed_file) == typed, 10, "the typed text in the other window")
    assert focused_window(session) == int(target_window)
    assert entries(isolated_dirs) == []
    assert "picker shown without the keyboard" in app.log()
    assert '"picker_visible": true' in app.cli("status", "--format", "json").stdout
    session.screenshot(artifacts_dir / "e2e-picker-waiting.png")

    # A click gives the picker the keyboard; then a search and Enter answer it.
    guards_before = app.log().count(GUARD_OVER)
    click_window(session, picker, 40, 20)
    wait_for(lambda: focused_window(session) == int(picker), 10, "the picker's keyboard")
    session.run("xdotool", "type", "--delay", str(TYPE_DELAY_MS), "board")
    session.screenshot(artifacts_dir / "e2e-picker-clicked.png")
    answer_with_enter(session, app, guards_before)
    saved = wait_for(lambda: entries(isolated_dirs), 10, "the entry in the store")
    assert [e.activity for e in saved] == [BOARD]
    assert text_of(typed_file) == typed  # nothing more reached the other window


def test_one_on_one_typed_in_the_picker_books_nothing_before_enter(
    session: XSession, app: AppProcess, isolated_dirs: dict[str, Path], artifacts_dir: Path
) -> None:
    guards_before = app.log().count(GUARD_OVER)
    assert app.cli("prompt").returncode == 0
    picker = wait_for(lambda: session.find_window(PICKER_TITLE), 10, "the picker")
    wait_for(lambda: focused_window(session) == int(picker), 10, "the picker's keyboard")
    # "1" once picked the first listed activity and sent ":1" to the window underneath.
    session.run("xdotool", "type", "--delay", str(TYPE_DELAY_MS), "1:1")
    wait_for(
        lambda: app.log().count(GUARD_OVER) > guards_before or entries(isolated_dirs),
        10,
        "the answer guard's end",
    )
    assert entries(isolated_dirs) == []
    session.screenshot(artifacts_dir / "e2e-picker-one-on-one.png")
    assert '"picker_visible": true' in app.cli("status", "--format", "json").stdout
    assert focused_window(session) == int(picker)
    # Clear the search and answer: the only entry is the one Enter booked.
    guards_before = app.log().count(GUARD_OVER)
    for _ in range(3):
        session.run("xdotool", "key", "BackSpace")
    session.run("xdotool", "type", "--delay", str(TYPE_DELAY_MS), "okr")
    assert entries(isolated_dirs) == []
    answer_with_enter(session, app, guards_before - 1)
    saved = wait_for(lambda: entries(isolated_dirs), 10, "the entry in the store")
    assert [e.activity for e in saved] == [OKR]
    assert app.log().count("picker closed: 1 answers") == 1
