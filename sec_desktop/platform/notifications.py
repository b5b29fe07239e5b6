"""Desktop notifications over org.freedesktop.Notifications (Linux), with a click action.

Qt's tray sends its messages to the same service on desktops with a D-Bus tray, but with no
action, so a click on them never reaches the app (Qt 6: messageClicked is not emitted). This
client sends the "default" action itself and reads the ActionInvoked signal the server sends
back to this connection. No Qt: the GUI watches `fileno()` and calls `invoked()`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from sec_desktop.platform.idle_base import IdleSourceError
from sec_desktop.platform.idle_dbus import DBusLink

SERVICE = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
INTERFACE = "org.freedesktop.Notifications"
DEFAULT_ACTION = "default"
NOTIFY_SIGNATURE = "susssasa{sv}i"


class CloseReason(IntEnum):
    """Why the server closed a notification (the spec's NotificationClosed reasons)."""

    EXPIRED = 1
    DISMISSED = 2  # by the user
    CLOSED_BY_CALL = 3  # CloseNotification: the app took it away
    UNDEFINED = 4

    @classmethod
    def of(cls, raw: Any) -> CloseReason:
        try:
            return cls(int(raw))
        except (TypeError, ValueError):
            return cls.UNDEFINED


@dataclass(frozen=True)
class ActionInvoked:
    notification_id: int
    action: str


@dataclass(frozen=True)
class NotificationClosed:
    notification_id: int
    reason: CloseReason


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
        return self.notify_actions(title, body, [(DEFAULT_ACTION, open_label)])

    def notify_actions(
        self,
        title: str,
        body: str,
        actions: Sequence[tuple[str, str]],
        *,
        replaces_id: int = 0,
        expire_ms: int = -1,
        hints: Mapping[str, tuple[str, Any]] | None = None,
    ) -> int:
        """Show a notification with these (key, label) buttons, or replace the one with
        `replaces_id` (0: none); its id. `expire_ms` 0 keeps it until answered, -1 leaves
        it to the server. `hints` are (D-Bus signature, value) pairs, e.g. urgency."""
        flat = [part for action in actions for part in action]
        try:
            (notification_id,) = self._link.call(
                SERVICE,
                PATH,
                INTERFACE,
                "Notify",
                signature=NOTIFY_SIGNATURE,
                args=(
                    self._app_name,
                    replaces_id,
                    "",
                    title,
                    body,
                    flat,
                    dict(hints or {}),
                    expire_ms,
                ),
            )
        except IdleSourceError as exc:
            raise NotificationsUnavailable(str(exc)) from exc
        return int(notification_id)

    def withdraw(self, notification_id: int) -> None:
        """Take the notification off the screen (CloseNotification); gone already is fine."""
        try:
            self._link.call(
                SERVICE,
                PATH,
                INTERFACE,
                "CloseNotification",
                signature="u",
                args=(notification_id,),
            )
        except IdleSourceError as exc:
            raise NotificationsUnavailable(str(exc)) from exc

    def invoked(self) -> list[tuple[int, str]]:
        """The (notification id, action) pairs clicked since the last call, without waiting."""
        return [
            (event.notification_id, event.action)
            for event in self.events()
            if isinstance(event, ActionInvoked)
        ]

    def events(self) -> list[ActionInvoked | NotificationClosed]:
        """Buttons pressed and notifications closed since the last call, without waiting."""
        try:
            arrived = self._link.signals()
        except IdleSourceError as exc:
            raise NotificationsUnavailable(str(exc)) from exc
        events: list[ActionInvoked | NotificationClosed] = []
        for s in arrived:
            if s.interface != INTERFACE or len(s.body) != 2:
                continue
            if s.member == "ActionInvoked":
                events.append(ActionInvoked(int(s.body[0]), str(s.body[1])))
            elif s.member == "NotificationClosed":
                events.append(NotificationClosed(int(s.body[0]), CloseReason.of(s.body[1])))
        return events

    def fileno(self) -> int:
        return self._link.fileno()

    def close(self) -> None:
        self._link.close()


__all__ = [
    "DEFAULT_ACTION",
    "ActionInvoked",
    "CloseReason",
    "DesktopNotifications",
    "NotificationClosed",
    "NotificationsUnavailable",
]
