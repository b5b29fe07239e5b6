"""The GlobalShortcuts portal client over a real D-Bus daemon, against a stand-in portal that
answers as xdg-desktop-portal does: each call returns a Request path, and the result comes
as that Request's Response signal; a press is an Activated signal. This checks what the fake
link in test_hotkey.py cannot: the messages' signatures and the match rules."""

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

from sec_desktop.platform.hotkey_portal import (  # noqa: E402
    PORTAL_PATH,
    PORTAL_SERVICE,
    SHORTCUT_ID,
    SHORTCUTS_INTERFACE,
    PortalHotkey,
)
from sec_desktop.platform.idle_dbus import DBusLink  # noqa: E402
from sec_desktop.settings import parse_key_combo  # noqa: E402
from tests.helpers.processes import private_session_bus  # noqa: E402

pytestmark = pytest.mark.skipif(
    shutil.which("dbus-daemon") is None, reason="needs dbus-daemon (Debian package dbus)"
)
SESSION = "/org/freedesktop/portal/desktop/session/1_1/sec"


@pytest.fixture
def bus_address() -> Iterator[str]:
    with private_session_bus() as address:
        yield address


class StandInPortal:
    """Serves GlobalShortcuts (version 1) on its own connection, in a thread, until stopped."""

    def __init__(self, address: str) -> None:
        self.connection = open_dbus_connection(address)
        reply = self.connection.send_and_get_reply(
            jeepney.bus_messages.message_bus.RequestName(PORTAL_SERVICE), timeout=5
        )
        assert reply.body == (1,)  # primary owner
        self.bound: list[tuple[str, list[Any]]] = []
        self.closed: list[str] = []
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
            if message.header.message_type == MessageType.method_call:
                self.answer(message)

    def answer(self, message: Any) -> None:
        member = message.header.fields[HeaderFields.member]
        signature = message.header.fields.get(HeaderFields.signature, "")
        with self.lock:
            if member == "Get":
                assert message.body == (SHORTCUTS_INTERFACE, "version")
                self.connection.send(new_method_return(message, "v", (("u", 1),)))
            elif member == "CreateSession":
                assert signature == "a{sv}"
                request = self.request_path(message.body[0])
                self.connection.send(new_method_return(message, "o", (request,)))
                self.respond(request, {"session_handle": ("s", SESSION)})
            elif member == "BindShortcuts":
                assert signature == "oa(sa{sv})sa{sv}"
                session, shortcuts, _parent, options = message.body
                self.bound.append((session, shortcuts))
                request = self.request_path(options)
                self.connection.send(new_method_return(message, "o", (request,)))
                self.respond(request, {"shortcuts": ("a(sa{sv})", shortcuts)})
            elif member == "Close":
                self.closed.append(message.header.fields[HeaderFields.path])
                self.connection.send(new_method_return(message))
            else:
                raise AssertionError(f"unexpected call {member}")

    @staticmethod
    def request_path(options: dict[str, Any]) -> str:
        return f"/org/freedesktop/portal/desktop/request/1_1/{options['handle_token'][1]}"

    def respond(self, request: str, results: dict[str, Any]) -> None:
        emitter = DBusAddress(request, interface="org.freedesktop.portal.Request")
        self.connection.send(new_signal(emitter, "Response", "ua{sv}", (0, results)))

    def press(self) -> None:
        emitter = DBusAddress(PORTAL_PATH, interface=SHORTCUTS_INTERFACE)
        body = (SESSION, SHORTCUT_ID, 1234, {})
        self.connection.send(new_signal(emitter, "Activated", "osta{sv}", body))

    def stop(self) -> None:
        self.running = False
        self.thread.join(timeout=5)
        self.connection.close()


def dispatch_until(backend: PortalHotkey, condition: Any, timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition() and time.monotonic() < deadline:
        fd = backend.fileno()
        assert fd is not None
        select.select([fd], [], [], 0.1)
        backend.dispatch()


def test_binds_over_the_bus_and_a_press_arrives(bus_address: str) -> None:
    portal = StandInPortal(bus_address)
    link = DBusLink.connect(bus_address)
    pressed: list[int] = []
    try:
        backend = PortalHotkey({}, link=link)
        assert backend.why_unavailable() is None
        backend.start(parse_key_combo("Super+Shift+T"), lambda: pressed.append(1))
        dispatch_until(backend, lambda: portal.bound)
        assert portal.bound[0][0] == SESSION
        shortcut_id, properties = portal.bound[0][1][0]
        assert shortcut_id == SHORTCUT_ID
        assert properties["preferred_trigger"] == ("s", "SHIFT+LOGO+t")
        portal.press()
        dispatch_until(backend, lambda: pressed)
        assert pressed == [1]
        backend.stop()
        assert portal.closed == [SESSION]
    finally:
        link.close()
        portal.stop()


def test_no_portal_on_the_bus_is_said_plainly(bus_address: str) -> None:
    link = DBusLink.connect(bus_address)
    try:
        reason = PortalHotkey({}, link=link).why_unavailable()
    finally:
        link.close()
    assert reason is not None
    assert "no GlobalShortcuts portal (KDE Plasma 5.27+ and GNOME 48+ do)" in reason
