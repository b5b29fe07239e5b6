"""The away monitor on a private D-Bus daemon: logind sleep and lock signals and the screen
saver's, sent by dbus-send from another process; idle from a stand-in reader."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator

import pytest
from PySide6.QtDBus import QDBusConnection
from pytestqt.qtbot import QtBot

from sec_desktop.platform.sleep import AwayMonitor

SESSION_PATH = "/org/freedesktop/login1/session/_31"

pytestmark = pytest.mark.skipif(
    shutil.which("dbus-daemon") is None or shutil.which("dbus-send") is None,
    reason="needs dbus-daemon and dbus-send (Debian package dbus)",
)


@pytest.fixture
def bus_address() -> Iterator[str]:
    daemon = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert daemon.stdout is not None
        yield daemon.stdout.readline().strip()
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)
        if daemon.stdout is not None:
            daemon.stdout.close()


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
