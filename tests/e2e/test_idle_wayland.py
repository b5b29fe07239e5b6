"""Input idle from a real Wayland compositor: headless sway (1.7 on Debian 12 offers
org_kde_kwin_idle; newer ones ext-idle-notify-v1), typed into with wtype.

The compositor says when the seat has been idle for the threshold and when input resumes; the
return must be reported at once, not at the next poll.
"""

from __future__ import annotations

import select
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtDBus import QDBusConnection
from pytestqt.qtbot import QtBot

from sec_desktop.platform.idle import choose_idle_source
from sec_desktop.platform.idle_base import IdleEvent
from sec_desktop.platform.idle_wayland import WaylandIdle
from sec_desktop.platform.recent_input import RecentInput
from sec_desktop.platform.sleep import AwayMonitor
from tests.e2e.waylandsession import WaylandSession, missing_tools, sway_session

pytestmark = pytest.mark.skipif(
    bool(missing_tools()),
    reason=f"needs {', '.join(missing_tools())} (Debian packages sway wtype util-linux)",
)

THRESHOLD_S = 2.0
# The promise: the return is noticed within about 2 s of the first input.
RETURN_WITHIN_S = 2.0


@pytest.fixture(scope="module")
def sway() -> Iterator[WaylandSession]:
    with sway_session() as session:
        yield session


def next_events(source: WaylandIdle, timeout_s: float) -> list[IdleEvent]:
    """Wait for the source's socket like the app's notifier does, and read what arrived."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        select.select([source.fileno()], [], [], max(deadline - time.monotonic(), 0))
        events = source.read_events()
        if events:
            return events
    return []


def test_idle_then_resumed_at_the_first_key(sway: WaylandSession) -> None:
    source = WaylandIdle.open(sway.client_env(), THRESHOLD_S)
    try:
        assert source.name in ("Wayland ext-idle-notify-v1", "Wayland org_kde_kwin_idle")
        started = time.monotonic()
        events = next_events(source, THRESHOLD_S + 10)
        idle_after_s = time.monotonic() - started
        assert events == [IdleEvent(idle=True, idle_for_s=THRESHOLD_S)]
        assert idle_after_s >= THRESHOLD_S - 0.1  # not before the threshold

        typed = time.monotonic()
        sway.run("wtype", "x")
        events = next_events(source, 10)
        assert events == [IdleEvent(idle=False)]
        assert time.monotonic() - typed < RETURN_WITHIN_S
    finally:
        source.close()


def test_a_new_threshold_replaces_the_notification(sway: WaylandSession) -> None:
    source = WaylandIdle.open(sway.client_env(), 60.0)
    try:
        started = time.monotonic()
        source.set_threshold(1.0)
        events = next_events(source, 10)
        assert events == [IdleEvent(idle=True, idle_for_s=1.0)]
        assert time.monotonic() - started < 30  # the new threshold, not the first one's minute
    finally:
        source.close()


def test_the_table_picks_the_wayland_protocol_on_sway(sway: WaylandSession, tmp_path: Path) -> None:
    no_bus = f"unix:path={tmp_path / 'no-bus'}"
    env = {
        **sway.client_env(),
        "DBUS_SESSION_BUS_ADDRESS": no_bus,
        "DBUS_SYSTEM_BUS_ADDRESS": no_bus,
    }
    choice = choose_idle_source(600, env, platform="linux")
    assert choice.source is not None
    try:
        assert choice.source.name.startswith("Wayland ")
        assert [f.split(":")[0] for f in choice.failures] == ["GNOME Mutter IdleMonitor"]
    finally:
        choice.source.close()


def test_away_monitor_dates_the_absence_and_sees_the_return(
    sway: WaylandSession, qtbot: QtBot
) -> None:
    no_bus = QDBusConnection.connectToBus("unix:path=/nonexistent/bus", "wayland-idle-no-bus")
    source = WaylandIdle.open(sway.client_env(), 600)
    monitor = AwayMonitor(system_bus=no_bus, session_bus=no_bus, idle_source=source)
    monitor.set_idle_seconds(THRESHOLD_S)  # the setting is in minutes; the test can't wait
    try:
        monitor.start()
        assert monitor.idle_source_name == source.name
        with qtbot.waitSignal(monitor.awayStarted, timeout=int((THRESHOLD_S + 10) * 1000)) as s:
            pass
        noticed = datetime.now(UTC)
        assert s.args == ["idle"]
        assert monitor.away_since is not None
        # The last input was the threshold before the idle event.
        assert abs(noticed - THRESHOLD_S * timedelta(seconds=1) - monitor.away_since) < (
            timedelta(seconds=0.5)
        )
        typed = time.monotonic()
        with qtbot.waitSignal(monitor.awayEnded, timeout=int(RETURN_WITHIN_S * 1000)):
            sway.run("wtype", "x")
        assert time.monotonic() - typed < RETURN_WITHIN_S
        assert monitor.away_since is None
    finally:
        monitor.stop()
        source.close()
        QDBusConnection.disconnectFromBus("wayland-idle-no-bus")


def test_recent_input_for_the_picker_sees_typing_and_its_pause(sway: WaylandSession) -> None:
    """What the picker asks before taking the keyboard: was there input a moment ago?"""
    pause_s = 1.5
    recent = RecentInput(WaylandIdle.open(sway.client_env(), pause_s), pause_s)
    try:
        sway.run("wtype", "typing elsewhere")
        # Straight after typing: within the pause, whatever the events say so far.
        assert (recent.idle_seconds() or 0.0) < pause_s
        deadline = time.monotonic() + pause_s + 10
        while (recent.idle_seconds() or 0.0) < pause_s:
            assert time.monotonic() < deadline, "the pause was never seen"
            time.sleep(0.05)
        assert (recent.idle_seconds() or 0.0) >= pause_s  # paused: the picker may take keys
        sway.run("wtype", "x")
        deadline = time.monotonic() + RETURN_WITHIN_S
        while (recent.idle_seconds() or 0.0) >= pause_s:
            assert time.monotonic() < deadline, "the key after the pause was not seen"
            time.sleep(0.02)
    finally:
        recent.close()
