"""GNOME's idle source over a real D-Bus daemon, against a stand-in IdleMonitor service that
answers like Mutter's (GetIdletime, AddIdleWatch, AddUserActiveWatch, RemoveWatch) and sends
WatchFired to the watch's owner."""

from __future__ import annotations

import select
import shutil
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

jeepney = pytest.importorskip("jeepney")
from jeepney import DBusAddress, MessageType, new_method_return, new_signal  # noqa: E402
from jeepney.io.blocking import open_dbus_connection  # noqa: E402
from jeepney.low_level import HeaderFields  # noqa: E402

from sec_desktop.platform.idle_base import IdleEvent, IdleSourceError  # noqa: E402
from sec_desktop.platform.idle_dbus import (  # noqa: E402
    MUTTER_INTERFACE,
    MUTTER_PATH,
    MUTTER_SERVICE,
    MutterIdle,
)
from tests.helpers.processes import private_session_bus  # noqa: E402

pytestmark = pytest.mark.skipif(
    shutil.which("dbus-daemon") is None, reason="needs dbus-daemon (Debian package dbus)"
)


@pytest.fixture
def bus_address() -> Iterator[str]:
    with private_session_bus() as address:
        yield address


class StandInMutter:
    """Serves the IdleMonitor on its own connection, in a thread, until stopped."""

    def __init__(self, address: str, idle_ms: int = 0) -> None:
        self.connection = open_dbus_connection(address)
        reply = self.connection.send_and_get_reply(
            jeepney.bus_messages.message_bus.RequestName(MUTTER_SERVICE), timeout=5
        )
        assert reply.body == (1,)  # primary owner
        self.idle_ms = idle_ms
        self.watches: dict[int, tuple[str, str]] = {}  # id -> (kind, owner)
        self.next_id = 0
        self.lock = threading.Lock()
        self.running = True
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while self.running:
            try:
                message = self.connection.receive(timeout=0.05)
            except TimeoutError:
                continue
            except (OSError, ValueError):
                return
            if message.header.message_type != MessageType.method_call:
                continue
            self.answer(message)

    def answer(self, message: Any) -> None:
        member = message.header.fields[HeaderFields.member]
        sender = message.header.fields[HeaderFields.sender]
        with self.lock:
            if member == "GetIdletime":
                reply = new_method_return(message, "t", (self.idle_ms,))
            elif member in ("AddIdleWatch", "AddUserActiveWatch"):
                self.next_id += 1
                kind = "idle" if member == "AddIdleWatch" else "active"
                self.watches[self.next_id] = (kind, sender)
                reply = new_method_return(message, "u", (self.next_id,))
            elif member == "RemoveWatch":
                self.watches.pop(message.body[0], None)
                reply = new_method_return(message)
            else:
                raise AssertionError(f"unexpected call {member}")
        self.connection.send(reply)

    def fire(self, kind: str) -> None:
        with self.lock:
            watch, (_, owner) = next((w, v) for w, v in self.watches.items() if v[0] == kind)
            if kind == "active":
                del self.watches[watch]
        emitter = DBusAddress(MUTTER_PATH, interface=MUTTER_INTERFACE)
        signal = new_signal(emitter, "WatchFired", "u", (watch,))
        signal.header.fields[HeaderFields.destination] = owner  # unicast, as Mutter does
        self.connection.send(signal)

    def kinds(self) -> list[str]:
        with self.lock:
            return sorted(kind for kind, _ in self.watches.values())

    def stop(self) -> None:
        self.running = False
        self.thread.join(timeout=5)
        self.connection.close()


@pytest.fixture
def mutter(bus_address: str) -> Iterator[StandInMutter]:
    service = StandInMutter(bus_address)
    yield service
    service.stop()


def wait_events(source: MutterIdle, timeout_s: float = 5.0) -> list[IdleEvent]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        select.select([source.fileno()], [], [], deadline - time.monotonic())
        events = source.read_events()
        if events:
            return events
    return []


def test_watches_over_the_bus(mutter: StandInMutter, bus_address: str) -> None:
    source = MutterIdle.open({"DBUS_SESSION_BUS_ADDRESS": bus_address}, 300)
    try:
        assert mutter.kinds() == ["idle"]
        mutter.fire("idle")
        assert wait_events(source) == [IdleEvent(idle=True, idle_for_s=300)]
        assert mutter.kinds() == ["active", "idle"]
        mutter.fire("active")
        assert wait_events(source) == [IdleEvent(idle=False)]
        source.set_threshold(60)
        assert mutter.kinds() == ["idle"]
    finally:
        source.close()
    assert mutter.kinds() == []  # every watch removed


def test_no_mutter_on_the_bus(bus_address: str) -> None:
    with pytest.raises(IdleSourceError, match="ServiceUnknown"):
        MutterIdle.open({"DBUS_SESSION_BUS_ADDRESS": bus_address}, 300)


def test_no_session_bus() -> None:
    with pytest.raises(IdleSourceError, match="no D-Bus"):
        MutterIdle.open({}, 300)
