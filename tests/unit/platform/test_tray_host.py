"""The tray host probe asks the session bus for a StatusNotifierWatcher by its name owner
(the X11 selection is checked against a real trayer in tests/e2e/test_no_tray_host.py)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from sec_desktop.platform.tray_host import SNI_WATCHER, TrayHostProbe
from tests.helpers.processes import private_session_bus


@pytest.fixture
def bus_address() -> Iterator[str]:
    if shutil.which("dbus-daemon") is None:
        pytest.skip("needs dbus-daemon (Debian package dbus)")
    with private_session_bus() as address:
        yield address


def test_nowhere_to_ask_means_no_host() -> None:
    probe = TrayHostProbe({})
    assert not probe.present()
    probe.close()


def test_a_watcher_is_seen_when_it_takes_its_name_and_not_before(bus_address: str) -> None:
    from jeepney.bus_messages import message_bus  # type: ignore[import-untyped]
    from jeepney.io.blocking import open_dbus_connection  # type: ignore[import-untyped]

    probe = TrayHostProbe({"DBUS_SESSION_BUS_ADDRESS": bus_address})
    assert not probe.watcher_present()
    watcher = open_dbus_connection(bus_address)
    try:
        reply = watcher.send_and_get_reply(message_bus.RequestName(SNI_WATCHER), timeout=2)
        assert reply.body == (1,)  # primary owner
        assert probe.watcher_present()
        assert probe.present()
        # The host goes away (a bar quits): its name goes with it.
        watcher.send_and_get_reply(message_bus.ReleaseName(SNI_WATCHER), timeout=2)
        assert not probe.watcher_present()
    finally:
        watcher.close()
        probe.close()


def test_an_app_not_on_x11_does_not_open_the_x_display() -> None:
    # On a Wayland desktop $DISPLAY may start Xwayland on demand, and an XEmbed tray there
    # could not take a Wayland app's icon anyway.
    probe = TrayHostProbe({"DISPLAY": ":99999"}, x11=False)
    assert not probe.xembed_tray_present()
    assert probe._display is None and not probe._x11_tried  # noqa: SLF001 - never tried
