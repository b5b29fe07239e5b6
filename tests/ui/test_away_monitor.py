"""The away monitor on a private D-Bus daemon: logind sleep and lock signals and the screen
saver's, sent by dbus-send from another process; idle from stand-in readers and sources."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtDBus import QDBusConnection
from pytestqt.qtbot import QtBot

from sec_desktop.platform.idle_base import (
    IdleEvent,
    IdleSourceError,
    PolledIdleSource,
    WatchedIdleSource,
)
from sec_desktop.platform.sleep import AwayMonitor
from tests.helpers.clocks import FakeClock
from tests.helpers.processes import private_session_bus

SESSION_PATH = "/org/freedesktop/login1/session/_31"

pytestmark = pytest.mark.skipif(
    shutil.which("dbus-daemon") is None or shutil.which("dbus-send") is None,
    reason="needs dbus-daemon and dbus-send (Debian package dbus)",
)


@pytest.fixture
def bus_address() -> Iterator[str]:
    with private_session_bus() as address:
        yield address


@pytest.fixture
def bus(bus_address: str, qapp: object) -> Iterator[QDBusConnection]:
    name = f"away-test-{id(bus_address)}"
    connection = QDBusConnection.connectToBus(bus_address, name)
    assert connection.isConnected()
    yield connection
    QDBusConnection.disconnectFromBus(name)


def send(address: str, path: str, member: str, *args: str) -> None:
    subprocess.run(
        ["dbus-send", f"--bus={address}", "--type=signal", path, member, *args],
        check=True,
        timeout=10,
    )


def monitor_on(bus: QDBusConnection, **kwargs: object) -> AwayMonitor:
    monitor = AwayMonitor(
        system_bus=bus, session_bus=bus, session_path=SESSION_PATH, use_idle=False, **kwargs
    )  # type: ignore[arg-type]
    monitor.start()
    return monitor


def test_sources_found_on_the_bus(bus: QDBusConnection) -> None:
    monitor = monitor_on(bus)
    assert "logind sleep" in monitor.sources
    assert "logind lock" in monitor.sources
    assert any(s.startswith("screensaver") for s in monitor.sources)
    monitor.stop()


def test_suspend_and_resume(bus: QDBusConnection, bus_address: str, qtbot: QtBot) -> None:
    monitor = monitor_on(bus)
    with qtbot.waitSignal(monitor.awayStarted, timeout=5000) as started:
        send(
            bus_address,
            "/org/freedesktop/login1",
            "org.freedesktop.login1.Manager.PrepareForSleep",
            "boolean:true",
        )
    assert started.args == ["sleep"]
    with qtbot.waitSignal(monitor.awayEnded, timeout=5000):
        send(
            bus_address,
            "/org/freedesktop/login1",
            "org.freedesktop.login1.Manager.PrepareForSleep",
            "boolean:false",
        )
    assert monitor.reasons == frozenset()
    monitor.stop()


def test_lock_and_sleep_are_one_absence(
    bus: QDBusConnection, bus_address: str, qtbot: QtBot
) -> None:
    monitor = monitor_on(bus)
    events: list[str] = []
    monitor.awayStarted.connect(lambda reason: events.append(f"away:{reason}"))
    monitor.awayEnded.connect(lambda: events.append("back"))
    with qtbot.waitSignal(monitor.awayStarted, timeout=5000):
        send(bus_address, SESSION_PATH, "org.freedesktop.login1.Session.Lock")
    send(
        bus_address,
        "/org/freedesktop/login1",
        "org.freedesktop.login1.Manager.PrepareForSleep",
        "boolean:true",
    )
    send(
        bus_address,
        "/org/freedesktop/login1",
        "org.freedesktop.login1.Manager.PrepareForSleep",
        "boolean:false",
    )
    qtbot.waitUntil(lambda: monitor.reasons == {"lock"}, timeout=5000)
    with qtbot.waitSignal(monitor.awayEnded, timeout=5000):
        send(bus_address, SESSION_PATH, "org.freedesktop.login1.Session.Unlock")
    assert events == ["away:lock", "back"]
    monitor.stop()


def test_another_sessions_lock_is_ignored(
    bus: QDBusConnection, bus_address: str, qtbot: QtBot
) -> None:
    monitor = monitor_on(bus)
    send(bus_address, "/org/freedesktop/login1/session/_99", "org.freedesktop.login1.Session.Lock")
    # A signal sent after it arrives after it: once that one is seen, the first was ignored.
    with qtbot.waitSignal(monitor.awayStarted, timeout=5000) as started:
        send(
            bus_address,
            "/org/freedesktop/ScreenSaver",
            "org.freedesktop.ScreenSaver.ActiveChanged",
            "boolean:true",
        )
    assert started.args == ["lock"]
    with qtbot.waitSignal(monitor.awayEnded, timeout=5000):
        send(
            bus_address,
            "/org/freedesktop/ScreenSaver",
            "org.freedesktop.ScreenSaver.ActiveChanged",
            "boolean:false",
        )
    monitor.stop()


def test_gnome_screensaver(bus: QDBusConnection, bus_address: str, qtbot: QtBot) -> None:
    monitor = monitor_on(bus)
    with qtbot.waitSignal(monitor.awayStarted, timeout=5000):
        send(
            bus_address,
            "/org/gnome/ScreenSaver",
            "org.gnome.ScreenSaver.ActiveChanged",
            "boolean:true",
        )
    monitor.stop()


@pytest.fixture
def no_bus(qapp: object) -> Iterator[QDBusConnection]:
    """A bus connection that failed, as on a machine without D-Bus."""
    connection = QDBusConnection.connectToBus("unix:path=/nonexistent/bus", "away-no-bus")
    assert not connection.isConnected()
    yield connection
    QDBusConnection.disconnectFromBus("away-no-bus")


def test_without_dbus_or_idle_only_the_gap_check_is_left(no_bus: QDBusConnection) -> None:
    monitor = AwayMonitor(system_bus=no_bus, session_bus=no_bus, use_idle=False)
    monitor.start()
    assert monitor.sources == ()
    monitor.stop()


def test_idle_threshold(qtbot: QtBot, no_bus: QDBusConnection) -> None:
    readings = [30.0]
    monitor = AwayMonitor(
        idle_minutes=1, system_bus=no_bus, session_bus=no_bus, idle_reader=lambda: readings[-1]
    )
    monitor.start()
    assert monitor.sources == ("input idle",)
    assert monitor.reasons == frozenset()
    readings.append(59.95)
    with qtbot.waitSignal(monitor.awayStarted, timeout=2000) as started:
        monitor.check_idle()  # 50 ms short of the threshold: the next poll lands on it
        readings.append(60.05)
    assert started.args == ["idle"]
    readings.append(0.4)
    with qtbot.waitSignal(monitor.awayEnded, timeout=2000):
        monitor.check_idle()
    monitor.set_idle_minutes(2)
    readings.append(90.0)
    monitor.check_idle()
    assert monitor.reasons == frozenset()
    monitor.stop()


def test_idle_reader_that_stops_answering(no_bus: QDBusConnection) -> None:
    monitor = AwayMonitor(
        idle_minutes=1, system_bus=no_bus, session_bus=no_bus, idle_reader=lambda: None
    )
    monitor.start()
    monitor.check_idle()
    assert monitor.reasons == frozenset()
    monitor.stop()


# Idle sources behind the interface --------------------------------------------------------------

NOON = datetime(2025, 3, 4, 12, 0, tzinfo=UTC)


class FakeWatchedSource(WatchedIdleSource):
    """A watched source whose news a test sends; its socket becomes readable like a real one."""

    name = "Fake watcher"

    def __init__(self) -> None:
        self._ours, self._theirs = socket.socketpair()
        self._ours.setblocking(False)
        self._news: list[IdleEvent] = []
        self.thresholds: list[float] = []
        self.broken = False
        self.closed = False

    def send(self, *events: IdleEvent) -> None:
        self._news.extend(events)
        self._theirs.send(b"!")

    def fileno(self) -> int:
        return self._ours.fileno()

    def set_threshold(self, threshold_s: float) -> None:
        self.thresholds.append(threshold_s)

    def read_events(self) -> list[IdleEvent]:
        with contextlib.suppress(BlockingIOError):
            self._ours.recv(64)
        if self.broken:
            raise IdleSourceError("the compositor went away")
        news, self._news = self._news, []
        return news

    def close(self) -> None:
        self.closed = True
        self._ours.close()
        self._theirs.close()


def test_watched_source_reports_at_once_and_dates_the_absence(
    qtbot: QtBot, no_bus: QDBusConnection
) -> None:
    source = FakeWatchedSource()
    clock = FakeClock(NOON)
    monitor = AwayMonitor(
        idle_minutes=10, system_bus=no_bus, session_bus=no_bus, idle_source=source, clock=clock
    )
    monitor.start()
    assert monitor.sources == ("input idle (Fake watcher)",)
    assert monitor.idle_source_name == "Fake watcher"
    assert source.thresholds == [600.0]  # given ready-made, told the monitor's threshold
    with qtbot.waitSignal(monitor.awayStarted, timeout=2000) as started:
        source.send(IdleEvent(idle=True, idle_for_s=600.0))
    assert started.args == ["idle"]
    assert monitor.away_since == NOON - timedelta(minutes=10)
    with qtbot.waitSignal(monitor.awayEnded, timeout=2000):
        source.send(IdleEvent(idle=False))
    assert monitor.away_since is None
    monitor.set_idle_minutes(3)
    assert source.thresholds == [600.0, 180.0]
    monitor.stop()
    assert not source.closed  # the caller's, so the caller closes it
    source.close()


def test_watched_source_that_fails_ends_its_absence(qtbot: QtBot, no_bus: QDBusConnection) -> None:
    source = FakeWatchedSource()
    monitor = AwayMonitor(system_bus=no_bus, session_bus=no_bus, idle_source=source)
    monitor.start()
    with qtbot.waitSignal(monitor.awayStarted, timeout=2000):
        source.send(IdleEvent(idle=True, idle_for_s=600.0))
    source.broken = True
    with qtbot.waitSignal(monitor.awayEnded, timeout=2000):
        source.send()
    assert monitor.idle_source_name is None
    monitor.stop()
    source.close()


class FakePolledSource(PolledIdleSource):
    name = "Fake poller"

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def idle_seconds(self) -> float:
        return self.seconds

    def close(self) -> None:
        pass


def started_polled_monitor(
    no_bus: QDBusConnection, source: FakePolledSource, clock: FakeClock
) -> tuple[AwayMonitor, list[str]]:
    """A monitor on `source` alone (10-minute threshold), started; the reasons it reports
    away for, in order."""
    monitor = AwayMonitor(
        idle_minutes=10, system_bus=no_bus, session_bus=no_bus, idle_source=source, clock=clock
    )
    started: list[str] = []
    monitor.awayStarted.connect(started.append)
    monitor.start()
    return monitor, started


def test_polled_source_polls_every_second_while_idle(no_bus: QDBusConnection) -> None:
    source = FakePolledSource(700.0)
    monitor, started = started_polled_monitor(no_bus, source, FakeClock(NOON))
    assert monitor.sources == ("input idle (Fake poller)",)
    assert started == ["idle"]
    # The last input, not the moment the poll noticed: 700 s before now.
    assert monitor.away_since == NOON - timedelta(seconds=700)
    assert monitor.idle_poll_interval_ms() == 1_000
    source.seconds = 0.2
    monitor.check_idle()
    assert monitor.reasons == frozenset()
    # Back: read next where the threshold would be crossed with no input (10 min less 0.2 s).
    assert monitor.idle_poll_interval_ms() == 599_850
    source.seconds = 590.0
    monitor.check_idle()  # ten seconds short: the next poll lands on the crossing
    assert monitor.idle_poll_interval_ms() == 10_050
    monitor.stop()


def test_lock_is_dated_when_it_happens(
    bus: QDBusConnection, bus_address: str, qtbot: QtBot
) -> None:
    clock = FakeClock(NOON)
    monitor = monitor_on(bus, clock=clock)
    with qtbot.waitSignal(monitor.awayStarted, timeout=5000):
        send(bus_address, SESSION_PATH, "org.freedesktop.login1.Session.Lock")
    assert monitor.away_since == NOON
    monitor.stop()


def test_a_lock_after_minutes_without_input_is_dated_at_the_last_input(
    bus: QDBusConnection, bus_address: str, qtbot: QtBot
) -> None:
    """A screen that locks itself five minutes after the last key: away from that key on."""
    clock = FakeClock(NOON)
    source = FakePolledSource(300.0)  # under the 10-minute idle threshold
    monitor = AwayMonitor(
        idle_minutes=10,
        system_bus=bus,
        session_bus=bus,
        session_path=SESSION_PATH,
        idle_source=source,
        clock=clock,
    )
    monitor.start()
    assert monitor.reasons == frozenset()
    with qtbot.waitSignal(monitor.awayStarted, timeout=5000):
        send(bus_address, SESSION_PATH, "org.freedesktop.login1.Session.Lock")
    assert monitor.away_since == NOON - timedelta(seconds=300)
    monitor.stop()


def test_an_active_user_costs_one_idle_read_per_threshold(no_bus: QDBusConnection) -> None:
    """No minute poll: each read is armed for the moment idle could first reach the threshold,
    so a user who keeps typing is read once per threshold, and an absence is still noticed at
    its crossing and dated from the last input."""
    source = FakePolledSource(0.0)
    clock = FakeClock(NOON)
    monitor, started = started_polled_monitor(no_bus, source, clock)
    assert monitor.idle_poll_interval_ms() == 600_050
    # At that read the user typed 2 minutes ago: the next read lands 8 minutes later.
    clock.advance(seconds=600)
    source.seconds = 120.0
    monitor.check_idle()
    assert started == []
    assert monitor.idle_poll_interval_ms() == 480_050
    # No input since: at the next read idle has reached the threshold.
    clock.advance(seconds=480)
    source.seconds = 600.0
    monitor.check_idle()
    assert started == ["idle"]
    assert monitor.away_since == NOON + timedelta(seconds=480)
    assert monitor.idle_poll_interval_ms() == 1_000
    monitor.stop()
