"""Prompt notifications on macOS: UNUserNotificationCenter through desktop-notifier.

The notification centre serves only an app bundle with a bundle id and a valid signature
(the PyInstaller .app: bundle id APP_ID, signed ad hoc or with SEC_DESKTOP_CODESIGN_IDENTITY);
run from source, the process is Python's, so prompts stay in the picker and the log and
`doctor` say why. desktop-notifier registers a category of actions per set of buttons and
reports presses through its delegate, on the main thread's run loop (Qt's). Its calls are
coroutines: they run on one asyncio loop in a worker thread this server owns, and the Qt
thread never waits for them (the first send waits for the user's permission).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from sec_desktop.platform.notifications import (
    DEFAULT_ACTION,
    ActionInvoked,
    CloseReason,
    NotificationClosed,
    NotificationsUnavailable,
)
from sec_desktop.platform.notifications_native import EventLoopThread, NativeNoticeServer

ID_PREFIX = "sec-prompt-"
NOT_ALLOWED = "notifications for SEC Desktop are turned off in System Settings > Notifications"


class Notifier(Protocol):
    """The part of desktop_notifier.DesktopNotifier the server uses (tests pass a fake)."""

    on_clicked: Callable[[str], Any] | None
    on_dismissed: Callable[[str], Any] | None
    on_button_pressed: Callable[[str, str], Any] | None

    async def request_authorisation(self) -> bool: ...

    async def send_notification(self, notification: Any) -> str: ...

    async def clear(self, identifier: str) -> None: ...


def bundle_problem() -> str | None:
    """Why the notification centre won't serve this process (None: it will)."""
    current = sys.platform  # read here, not narrowed by the type checker's platform
    if current != "darwin":
        return "the macOS notification centre exists only on macOS"
    try:
        from desktop_notifier.backends.macos_support import is_bundle, is_signed_bundle
    except ImportError as exc:
        return f"desktop-notifier can't be loaded ({exc})"

    if not is_bundle():
        return (
            "not running from the SEC Desktop.app bundle (macOS gives notification "
            "actions only to a signed app bundle)"
        )
    if not is_signed_bundle():
        return "the SEC Desktop.app bundle's signature does not verify"
    return None


def make_notification(identifier: str, title: str, body: str, buttons: Sequence[Any]) -> Any:
    from desktop_notifier import Button, Notification

    return Notification(
        title,
        body,
        identifier=identifier,
        buttons=tuple(Button(title=label, identifier=key) for key, label in buttons),
    )


class MacNoticeServer(NativeNoticeServer):
    """Prompts in the notification centre; a replace sends the same request id again."""

    def __init__(
        self,
        notifier: Notifier,
        worker: EventLoopThread,
        build: Callable[[str, str, str, Sequence[Any]], Any] = make_notification,
    ) -> None:
        super().__init__()
        self._notifier = notifier
        self._worker = worker
        self._build = build
        self._asked = False
        self._shown: set[int] = set()
        notifier.on_clicked = lambda ident: self._pressed(ident, DEFAULT_ACTION)
        notifier.on_button_pressed = self._pressed
        notifier.on_dismissed = self._dismissed

    @classmethod
    def open(cls) -> MacNoticeServer:
        from desktop_notifier import DesktopNotifier

        from sec_desktop import APP_NAME

        worker = EventLoopThread("notifications")
        worker.start()
        try:
            # The bundle's own icon shows on macOS; none of the library's.
            return cls(DesktopNotifier(app_name=APP_NAME, app_icon=None), worker)
        except (OSError, RuntimeError, ValueError) as exc:  # rubicon's and Cocoa's
            worker.stop()
            raise NotificationsUnavailable(f"the notification centre failed ({exc})") from exc

    def _ours(self, identifier: str) -> int | None:
        if not identifier.startswith(ID_PREFIX):
            return None
        try:
            notification_id = int(identifier.removeprefix(ID_PREFIX))
        except ValueError:
            return None
        with self._lock:
            return notification_id if notification_id in self._shown else None

    def _pressed(self, identifier: str, action: str) -> None:
        notification_id = self._ours(identifier)
        if notification_id is not None:
            self.post(ActionInvoked(notification_id, action))

    def _dismissed(self, identifier: str) -> None:
        notification_id = self._ours(identifier)
        if notification_id is not None:
            self.post(NotificationClosed(notification_id, CloseReason.DISMISSED))

    def _failed(self, exc: BaseException) -> None:
        self.fail(f"the notification centre failed ({exc})")

    def notify_actions(
        self,
        title: str,
        body: str,
        actions: Sequence[tuple[str, str]],
        *,
        replaces_id: int = 0,
        expire_ms: int = -1,  # the user's alert style decides; an alert waits for them
    ) -> int:
        notification_id = replaces_id or self._next_id()
        with self._lock:
            self._shown.add(notification_id)
        buttons = [(key, label) for key, label in actions if key != DEFAULT_ACTION]
        notification = self._build(f"{ID_PREFIX}{notification_id}", title, body, buttons)
        self._worker.submit(self._send(notification), self._failed)
        return notification_id

    async def _send(self, notification: Any) -> None:
        if not self._asked:
            self._asked = True
            if not await self._notifier.request_authorisation():
                self.fail(NOT_ALLOWED)
                return
        await self._notifier.send_notification(notification)

    def withdraw(self, notification_id: int) -> None:
        with self._lock:
            self._shown.discard(notification_id)
        self._worker.submit(self._notifier.clear(f"{ID_PREFIX}{notification_id}"), self._failed)

    def close(self) -> None:
        with self._lock:
            self._shown.clear()
            self._wake = None
        self._worker.stop()


__all__ = ["MacNoticeServer", "Notifier", "bundle_problem", "make_notification"]
