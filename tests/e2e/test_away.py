"""Away time on a real X server with a real tray host: four minutes without input, with idle
at one minute, are asked about as soon as the user is back, and one answer books all of it.

Slow by nature (the idle threshold is whole minutes, and the absence is the subject), so the
file holds this one scenario.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import time as clock_time
from datetime import timedelta
from pathlib import Path

import pytest

from sec_desktop.store import Entry
from sec_desktop.store.entry import utc_now
from tests.e2e.xsession import (
    E2E_MARKS,
    AppProcess,
    XSession,
    returning_user,
    stored_entries,
    tray_app,
    wait_for,
)
from tests.helpers.ids import BOARD

pytestmark = E2E_MARKS

IDLE_MINUTES = 1
AWAY_S = 4 * 60


@pytest.fixture
def app(session: XSession, isolated_dirs: dict[str, Path]) -> Iterator[AppProcess]:
    returning_user(
        isolated_dirs["config"],
        # Working time all day every day, and no interval prompt during the test.
        work_days=frozenset(range(7)),
        work_start=clock_time(0, 0),
        work_end=clock_time(23, 59),
        interval_minutes=240,
        idle_minutes=IDLE_MINUTES,
    )
    with tray_app(session) as running:
        yield running


def saved_entries(isolated_dirs: dict[str, Path]) -> list[Entry]:
    return stored_entries(isolated_dirs["data"])


def test_four_minutes_away_are_asked_about_and_booked_with_one_answer(
    session: XSession, app: AppProcess, isolated_dirs: dict[str, Path], artifacts_dir: Path
) -> None:
    wait_for(lambda: "ready: tray icon shown" in app.log(), 30, "the tray icon")
    session.run("xdotool", "mousemove", "300", "300")  # the last input before leaving
    left = utc_now()
    wait_for(lambda: "away: idle" in app.log(), IDLE_MINUTES * 60 + 30, "idle to be noticed")
    # The absence itself is what is tested: four minutes with no input at all.
    deadline = time.monotonic() + AWAY_S - (utc_now() - left).total_seconds()
    wait_for(lambda: time.monotonic() >= deadline, AWAY_S + 10, "four minutes away", poll_s=1)
    assert saved_entries(isolated_dirs) == []  # nothing is booked while away
    session.run("xdotool", "mousemove", "320", "320")  # back
    back = utc_now()
    window = wait_for(lambda: session.find_window("What are you doing"), 10, "the away question")
    asked_s = (utc_now() - back).total_seconds()
    assert "prompt (return): away " in app.log()
    wait_for(lambda: "picker painted" in app.log(), 10, "the picker's first paint")
    # The mouse move that ended the absence is input a moment ago: the picker waits for it
    # to pause before it takes the keyboard, then lets the answer guard pass.
    wait_for(lambda: "picker: answer keys live" in app.log(), 10, "the picker to take keys")
    session.screenshot(artifacts_dir / "e2e-away-question.png")
    session.run("xdotool", "windowfocus", "--sync", window, check=False)
    session.run("xdotool", "type", "--delay", "30", "board")
    session.run("xdotool", "key", "Return")
    (entry,) = wait_for(lambda: saved_entries(isolated_dirs), 10, "the away span booked")
    assert entry.activity == BOARD
    assert entry.source == "prompt"
    # The whole span: from the last input (to the second) to the return.
    assert abs((entry.start - left).total_seconds()) <= 2
    assert abs((entry.end - back).total_seconds()) <= 3
    assert entry.end - entry.start >= timedelta(seconds=AWAY_S - 5)
    print(f"away question shown {asked_s:.1f} s after the return")
