"""The global shortcut on Wayland: the org.freedesktop.portal.GlobalShortcuts portal
(KDE Plasma 5.27+, GNOME 48+), over D-Bus with jeepney.

The portal's calls answer with a Request object whose Response signal carries the result,
and the desktop may ask the user to confirm the binding first, so `start` only sends
CreateSession; `dispatch` follows the answers (session, then BindShortcuts) and turns
Activated signals into presses.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable, Mapping
from typing import Any

from sec_desktop.platform.hotkey_base import HotkeyError
from sec_desktop.platform.idle_base import IdleSourceError
from sec_desktop.platform.idle_dbus import DBusLink, Link
from sec_desktop.settings import KeyCombo

PORTAL_SERVICE = "org.freedesktop.portal.Desktop"
PORTAL_PATH = "/org/freedesktop/portal/desktop"
SHORTCUTS_INTERFACE = "org.freedesktop.portal.GlobalShortcuts"
REQUEST_INTERFACE = "org.freedesktop.portal.Request"
SHORTCUT_ID = "open-picker"
NO_PORTAL = (
    "This desktop offers no GlobalShortcuts portal (KDE Plasma 5.27+ and GNOME 48+ do), "
    "so SEC Desktop can't take a key itself."
)


def portal_trigger(combo: KeyCombo) -> str:
    """The combo in the shortcuts spec's words: "CTRL+ALT+space", "LOGO+SHIFT+t"."""
    names = {"Ctrl": "CTRL", "Alt": "ALT", "Shift": "SHIFT", "Super": "LOGO"}
    key = (
        "space" if combo.key == "Space" else combo.key.lower() if len(combo.key) == 1 else combo.key
    )
    return "+".join((*(names[m] for m in combo.modifiers), key))


class PortalHotkey:
    name = "GlobalShortcuts portal"

    def __init__(self, env: Mapping[str, str], link: Link | None = None) -> None:
        self._address = env.get("DBUS_SESSION_BUS_ADDRESS")
        self._link = link
        self._checked: str | bool | None = False  # False: not checked yet
        self._session: str | None = None
        self._waiting: dict[str, str] = {}  # request path -> what it answers
        self._combo: KeyCombo | None = None
        self._on_pressed: Callable[[], None] | None = None

    def _connect(self) -> Link:
        if self._link is None:
            try:
                self._link = DBusLink.connect(self._address)
            except IdleSourceError as exc:
                raise HotkeyError(f"No session D-Bus to reach the portal ({exc}).") from exc
        return self._link

    def why_unavailable(self) -> str | None:
        if self._checked is not False:
            return self._checked if isinstance(self._checked, str) else None
        try:
            (version,) = self._connect().call(
                PORTAL_SERVICE,
                PORTAL_PATH,
                "org.freedesktop.DBus.Properties",
                "Get",
                signature="ss",
                args=(SHORTCUTS_INTERFACE, "version"),
            )
            self._checked = None if version else NO_PORTAL
        except (HotkeyError, IdleSourceError):
            self._checked = NO_PORTAL
        return self._checked if isinstance(self._checked, str) else None

    def start(self, combo: KeyCombo, on_pressed: Callable[[], None]) -> None:
        self.stop()
        problem = self.why_unavailable()
        if problem:
            raise HotkeyError(problem)
        link = self._connect()
        self._combo, self._on_pressed = combo, on_pressed
        try:
            for rule in (
                f"type='signal',interface='{REQUEST_INTERFACE}',member='Response'",
                f"type='signal',interface='{SHORTCUTS_INTERFACE}',member='Activated'",
            ):
                link.call(
                    "org.freedesktop.DBus",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus",
                    "AddMatch",
                    signature="s",
                    args=(rule,),
                )
            token = "sec_desktop_" + secrets.token_hex(4)
            options = {"handle_token": ("s", token), "session_handle_token": ("s", token)}
            (request,) = link.call(
                PORTAL_SERVICE,
                PORTAL_PATH,
                SHORTCUTS_INTERFACE,
                "CreateSession",
                signature="a{sv}",
                args=(options,),
            )
        except IdleSourceError as exc:
            raise HotkeyError(f"The shortcuts portal refused a session ({exc}).") from exc
        self._waiting[str(request)] = "session"

    def _bind(self, session: str) -> None:
        if self._combo is None:  # stopped while the session was being made
            return
        link = self._connect()
        shortcut = (
            SHORTCUT_ID,
            {
                "description": ("s", "Ask what I'm doing (SEC Desktop)"),
                "preferred_trigger": ("s", portal_trigger(self._combo)),
            },
        )
        token = "sec_desktop_" + secrets.token_hex(4)
        (request,) = link.call(
            PORTAL_SERVICE,
            PORTAL_PATH,
            SHORTCUTS_INTERFACE,
            "BindShortcuts",
            signature="oa(sa{sv})sa{sv}",
            args=(session, [shortcut], "", {"handle_token": ("s", token)}),
        )
        self._waiting[str(request)] = "bind"

    def stop(self) -> None:
        if self._session is not None and self._link is not None:
            # A portal that is gone took the session with it.
            with contextlib.suppress(IdleSourceError):
                self._link.call(
                    PORTAL_SERVICE, self._session, "org.freedesktop.portal.Session", "Close"
                )
        self._session = None
        self._waiting.clear()
        self._combo = self._on_pressed = None

    def fileno(self) -> int | None:
        return None if self._link is None else self._link.fileno()

    def dispatch(self) -> None:
        if self._link is None:
            return
        try:
            arrived = self._link.signals()
        except IdleSourceError as exc:
            raise HotkeyError(f"The shortcuts portal went away ({exc}).") from exc
        for signal in arrived:
            self._handle(signal.path, signal.member, signal.body)

    def _handle(self, path: str, member: str, body: tuple[Any, ...]) -> None:
        if member == "Response" and path in self._waiting:
            step = self._waiting.pop(path)
            response, results = body[0], body[1]
            if response != 0:
                raise HotkeyError(
                    "The desktop declined the shortcut."
                    if response == 1
                    else "The shortcuts portal failed to set the shortcut."
                )
            if step == "session":
                self._session = str(results["session_handle"][1])
                self._bind(self._session)
        elif (
            member == "Activated"
            and body[:2] == (self._session, SHORTCUT_ID)
            and self._on_pressed is not None
        ):
            self._on_pressed()
