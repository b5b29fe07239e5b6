"""The weekly review's nudge in the real app on a real X server with a real tray host: the
review falls due, its balloon shows by the tray icon, a click on it (xdotool) opens the review
window, and the week it offered is remembered on disk."""

from __future__ import annotations

import re
import shutil
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
    TRAY_WAIT_ENV,
    AppProcess,
    XSession,
    app_process,
    dunst_on_own_bus,
    dunstctl,
    returning_user,
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


def seed_last_week(isolated_dirs: dict[str, Path]) -> None:
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


@pytest.fixture
def app(
    session: XSession, isolated_dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> Iterator[AppProcess]:
    # No session bus: the nudge goes to the tray's own balloon.
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    seed_last_week(isolated_dirs)
    env = {k: v for k, v in session.env.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    with app_process({**env, **TRAY_WAIT_ENV}) as running:
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
    assert len(OFFERED.findall(app.log())) == 1


@pytest.fixture
def notification_server(session: XSession) -> Iterator[dict[str, str]]:
    """A session bus of its own with dunst on it, in the test's X session; both stopped by
    PID. Yields the environment that reaches them."""
    with dunst_on_own_bus(session) as env:
        yield env


@pytest.mark.skipif(shutil.which("dunst") is None, reason="needs dunst (Debian package dunst)")
def test_a_real_notification_server_shows_the_nudge_and_its_click_opens_the_review(
    session: XSession,
    isolated_dirs: dict[str, Path],
    notification_server: dict[str, str],
    artifacts_dir: Path,
) -> None:
    seed_last_week(isolated_dirs)
    with app_process({**notification_server, **TRAY_WAIT_ENV}) as running:
        wait_for(lambda: OFFERED.search(running.log()), 60, "the review's nudge")
        wait_for(
            lambda: (
                "Currently displayed: 1" in " ".join(dunstctl(notification_server, "count").split())
            ),
            10,
            "dunst showing the nudge",
        )
        session.screenshot(artifacts_dir / "e2e-review-dunst.png")
        # dunst's "do action" on the newest notification: what a click on it does.
        dunstctl(notification_server, "action", "0")
        wait_for(lambda: session.find_window("weekly review"), 20, "the review window")
        # Closed, it goes to dunst's history, where its text can be read.
        dunstctl(notification_server, "close-all")
        history = dunstctl(notification_server, "history")
        assert "SEC Desktop: weekly review" in history
        assert "is ready." in history
