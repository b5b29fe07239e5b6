"""Desktop notifications over org.freedesktop.Notifications (Linux), with a click action.

Qt's tray sends its messages to the same service on desktops with a D-Bus tray, but with no
action, so a click on them never reaches the app (Qt 6: messageClicked is not emitted). This
client sends the "default" action itself and reads the ActionInvoked signal the server sends
back to this connection. No Qt: the GUI watches `fileno()` and calls `invoked()`.
"""

from __future__ import annotations

from collections.abc import Mapping

from sec_desktop.platform.idle_base import IdleSourceError
from sec_desktop.platform.idle_dbus import DBusLink

SERVICE = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
INTERFACE = "org.freedesktop.Notifications"
DEFAULT_ACTION = "default"
NOTIFY_SIGNATURE = "susssasa{sv}i"


class NotificationsUnavailable(Exception):
    """No notification server that can report clicks; the message says why."""


class DesktopNotifications:
    """One connection to the session bus's notification server."""

    def __init__(self, link: DBusLink, app_name: str) -> None:
        self._link = link
        self._app_name = app_name

    @classmethod
    def open(cls, env: Mapping[str, str], app_name: str) -> DesktopNotifications:
        """Connect, and check that the server shows actions (a click needs one)."""
        try:
            link = DBusLink.connect(env.get("DBUS_SESSION_BUS_ADDRESS"))
        except IdleSourceError as exc:
            raise NotificationsUnavailable(str(exc)) from exc
        try:
            (capabilities,) = link.call(SERVICE, PATH, INTERFACE, "GetCapabilities")
        except IdleSourceError as exc:
            link.close()
            raise NotificationsUnavailable(f"no notification server ({exc})") from exc
        if "actions" not in capabilities:
            link.close()
            raise NotificationsUnavailable("the notification server does not report clicks")
        return cls(link, app_name)

    def notify(self, title: str, body: str, *, open_label: str = "Open") -> int:
        """Show a notification whose click (its default action) is reported; its id."""
        try:
            (notification_id,) = self._link.call(
                SERVICE,
                PATH,
                INTERFACE,
                "Notify",
                signature=NOTIFY_SIGNATURE,
                args=(self._app_name, 0, "", title, body, [DEFAULT_ACTION, open_label], {}, -1),
            )
        except IdleSourceError as exc:
            raise NotificationsUnavailable(str(exc)) from exc
        return int(notification_id)

    def invoked(self) -> list[tuple[int, str]]:
        """The (notification id, action) pairs clicked since the last call, without waiting."""
        try:
            arrived = self._link.signals()
        except IdleSourceError as exc:
            raise NotificationsUnavailable(str(exc)) from exc
        return [
            (int(s.body[0]), str(s.body[1]))
            for s in arrived
            if s.interface == INTERFACE and s.member == "ActionInvoked" and len(s.body) == 2
        ]

    def fileno(self) -> int:
        return self._link.fileno()

    def close(self) -> None:
        self._link.close()


__all__ = ["DEFAULT_ACTION", "DesktopNotifications", "NotificationsUnavailable"]
