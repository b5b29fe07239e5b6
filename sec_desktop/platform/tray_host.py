"""Whether any tray host runs on this desktop, asked cheaply and without Qt.

Two kinds of host exist on Linux: a StatusNotifierWatcher on the session bus (KDE, waybar,
GNOME's AppIndicator extension) and an XEmbed tray owning the `_NET_SYSTEM_TRAY_S<n>`
selection (X11 panels, trayer, stalonetray). With neither, no tray will take an icon, and
waiting for one only leaves the user with nothing on screen.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import os
from collections.abc import Mapping
from typing import Any

log = logging.getLogger(__name__)

SNI_WATCHER = "org.kde.StatusNotifierWatcher"
# What brings the tray back on GNOME, by the name it has in GNOME's Extensions app.
GNOME_EXTENSION = "AppIndicator and KStatusNotifierItem Support"
CALL_TIMEOUT_S = 0.5


class TrayHostProbe:
    """Asks the session bus and the X server whether a tray host is there; each check is one
    round trip, so it can be repeated every second or two while a stand-in window is up."""

    def __init__(self, env: Mapping[str, str] | None = None, *, x11: bool = True) -> None:
        """`x11`: look for an XEmbed tray too; only an app on X11 can dock there (and on a
        Wayland desktop, connecting to $DISPLAY could start Xwayland for nothing)."""
        self._env = os.environ if env is None else env
        self._x11_wanted = x11
        self._bus: Any = None
        self._bus_failed = False  # said once in the log, not at every check
        self._x11: Any = None
        self._display: Any = None
        self._x11_tried = False
        self._screen = 0

    def watcher_present(self) -> bool:
        """A StatusNotifierWatcher owns its name on the session bus."""
        bus = self._session_bus()
        if bus is None:
            return False
        from jeepney import DBusAddress, new_method_call  # type: ignore[import-untyped]

        message = new_method_call(
            DBusAddress(
                "/org/freedesktop/DBus",
                bus_name="org.freedesktop.DBus",
                interface="org.freedesktop.DBus",
            ),
            "NameHasOwner",
            "s",
            (SNI_WATCHER,),
        )
        try:
            reply = bus.send_and_get_reply(message, timeout=CALL_TIMEOUT_S)
        except (OSError, TimeoutError, ValueError) as exc:
            log.info("session bus not answering (%s): no StatusNotifierWatcher assumed", exc)
            self.close_bus()
            return False
        return bool(reply.body and reply.body[0])

    def xembed_tray_present(self) -> bool:
        """An X11 tray owns the `_NET_SYSTEM_TRAY_S<screen>` selection."""
        if not self._open_x11():
            return False
        lib, display = self._x11, self._display
        atom = lib.XInternAtom(display, f"_NET_SYSTEM_TRAY_S{self._screen}".encode(), 0)
        return bool(atom and lib.XGetSelectionOwner(display, atom))

    def present(self) -> bool:
        return self.watcher_present() or self.xembed_tray_present()

    def close_bus(self) -> None:
        if self._bus is not None:
            with contextlib.suppress(OSError):
                self._bus.close()
            self._bus = None

    def close(self) -> None:
        self.close_bus()
        if self._display is not None:
            self._x11.XCloseDisplay(self._display)
            self._display = None

    def _session_bus(self) -> Any:
        # Tried again at each check while it fails: the bus may come up after the app.
        if self._bus is None:
            if not self._env.get("DBUS_SESSION_BUS_ADDRESS"):
                return None
            try:
                from jeepney.io.blocking import open_dbus_connection  # type: ignore[import-untyped]

                self._bus = open_dbus_connection(
                    self._env["DBUS_SESSION_BUS_ADDRESS"], auth_timeout=CALL_TIMEOUT_S
                )
            except (ImportError, OSError, RuntimeError, ValueError, TimeoutError) as exc:
                level = logging.DEBUG if self._bus_failed else logging.INFO
                log.log(level, "no session bus to look for a tray on (%s)", exc)
                self._bus_failed = True
        return self._bus

    def _open_x11(self) -> bool:
        if self._display is None and self._x11_wanted and not self._x11_tried:
            self._x11_tried = True
            display_name = self._env.get("DISPLAY")
            name = ctypes.util.find_library("X11")
            if not display_name or name is None:
                return False
            try:
                lib = ctypes.CDLL(name)
            except OSError as exc:
                log.info("libX11 could not be loaded to look for a tray (%s)", exc)
                return False
            lib.XOpenDisplay.restype = ctypes.c_void_p
            lib.XOpenDisplay.argtypes = [ctypes.c_char_p]
            lib.XDefaultScreen.argtypes = [ctypes.c_void_p]
            lib.XInternAtom.restype = ctypes.c_ulong
            lib.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
            lib.XGetSelectionOwner.restype = ctypes.c_ulong
            lib.XGetSelectionOwner.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
            lib.XCloseDisplay.argtypes = [ctypes.c_void_p]
            display = lib.XOpenDisplay(display_name.encode())
            if not display:
                log.info("X display %s could not be opened to look for a tray", display_name)
                return False
            self._x11, self._display = lib, display
            self._screen = lib.XDefaultScreen(display)
        return self._display is not None
