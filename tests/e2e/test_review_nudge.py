"""The weekly review's nudge in the real app on a real X server with a real tray host: the
review falls due, its balloon shows by the tray icon, a click on it (xdotool) opens the review
window, and the week it offered is remembered on disk."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from pathlib import Path

import orjson
import pytest

from sec_desktop.reminders.review import review_state_path
from sec_desktop.settings import REVIEW_WEEKDAYS
from sec_desktop.timefmt import system_zone
from tests.e2e.xsession import (
    E2E_MARKS,
    AppProcess,
    XSession,
    returning_user,
    tray_app,
    wait_for,
)
from tests.helpers.entries import make_entry, save_entries
from tests.helpers.ids import OKR

pytestmark = E2E_MARKS

OFFERED = re.compile(r"weekly review of the week of (\d{4}-\d{2}-\d{2}) offered")
# A top-level window of the app, as xwininfo lists it: id "name": (class) WxH+X+Y.
APP_WINDOW = re.compile(
    r'^\s+(0x[0-9a-f]+) "SEC Desktop": \("[^"]*" "SEC Desktop"\)\s+(\d+)x(\d+)\+(\d+)\+(\d+)'
)


@pytest.fixture
def app(session: XSession, isolated_dirs: dict[str, Path]) -> Iterator[AppProcess]:
    """Six hours tracked on three days of last week; the review moment today at 00:00, so it
    is due whenever the test runs."""
    tz = system_zone()
    today = datetime.now(tz).date()
    last_monday = today - timedelta(days=today.weekday() + 7)
    first = datetime.combine(last_monday, time(9), tz)
    save_entries(
        isolated_dirs["data"],
        "laptop",
        [make_entry(first + timedelta(days=d), 360, OKR) for d in range(3)],
    )
    returning_user(
        isolated_dirs["config"],
        review_day=REVIEW_WEEKDAYS[today.weekday()],
        review_time=time(0, 0),
    )
    with tray_app(session) as running:
        yield running


def balloon(session: XSession) -> tuple[int, int, int, int] | None:
    """The app's top-level window wider than an icon and not yet the review: its balloon."""
    for line in session.run("xwininfo", "-root", "-children").splitlines():
        match = APP_WINDOW.match(line)
        if match:
            w, h, x, y = (int(g) for g in match.groups()[1:])
            if w > 100 and h < 200:
                return x, y, w, h
    return None


def test_click_on_the_nudge_opens_the_review(
    session: XSession, app: AppProcess, isolated_dirs: dict[str, Path], artifacts_dir: Path
) -> None:
    tz = system_zone()
    today = datetime.now(tz).date()
    reviewed = today - timedelta(days=today.weekday() + 7)
    found = wait_for(lambda: OFFERED.search(app.log()), 60, "the review's nudge")
    assert found.group(1) == reviewed.isoformat()
    state = orjson.loads(review_state_path(isolated_dirs["config"]).read_bytes())
    assert state["last_offered_week"] == reviewed.isoformat()
    x, y, w, h = wait_for(lambda: balloon(session), 10, "the nudge's balloon")
    session.screenshot(artifacts_dir / "e2e-review-nudge.png")
    # Its middle: the close button sits in the top right corner.
    session.run("xdotool", "mousemove", str(x + w // 3), str(y + h * 2 // 3), "click", "1")
    window = wait_for(lambda: session.find_window("weekly review"), 20, "the review window")
    assert window
    session.screenshot(artifacts_dir / "e2e-review-window.png")
    assert app.log().count("offered") == 1
