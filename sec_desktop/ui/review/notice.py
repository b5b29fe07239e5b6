"""A notification the user can click: the desktop's notification server where it reports
clicks (Linux), else the tray's message. Used for the weekly review's nudge.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping

from PySide6.QtCore import QObject, QSocketNotifier

from sec_desktop import APP_NAME
from sec_desktop.platform.notifications import (
    DEFAULT_ACTION,
    DesktopNotifications,
    NotificationsUnavailable,
)
from sec_desktop.ui.tray import TrayController

log = logging.getLogger(__name__)


class ClickableNotice(QObject):
    """`notify(title, text, on_click)`: True when a notification showed; `on_click` runs when
    it is clicked. The desktop's server is tried first (once; a failure falls back for good).
    Without a tray (its stand-in window shows) nothing is notified: the caller opens its
    window instead, where the user already looks."""

    def __init__(
        self,
        tray: TrayController,
        env: Mapping[str, str] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._tray = tray
        self._env = dict(os.environ if env is None else env)
        self._desktop: DesktopNotifications | None = None
        self._tried = False
        self._watch: QSocketNotifier | None = None
        self._actions: dict[int, Callable[[], None]] = {}

    def _open(self) -> DesktopNotifications | None:
        if not self._tried:
            self._tried = True
            if self._env.get("DBUS_SESSION_BUS_ADDRESS"):
                try:
                    self._desktop = DesktopNotifications.open(self._env, APP_NAME)
                except NotificationsUnavailable as exc:
                    log.info("clickable notices through the tray: %s", exc)
            if self._desktop is not None:
                self._watch = QSocketNotifier(
                    self._desktop.fileno(), QSocketNotifier.Type.Read, self
                )
                self._watch.activated.connect(self._read)
        return self._desktop

    def notify(self, title: str, text: str, on_click: Callable[[], None]) -> bool:
        if self._tray.mode != "tray":
            return False
        desktop = self._open()
        if desktop is not None:
            try:
                self._actions[desktop.notify(title, text)] = on_click
            except NotificationsUnavailable as exc:
                log.warning("the notification server failed (%s); using the tray", exc)
                self.close()
            else:
                return True
        return self._tray.notify(title, text, on_click)

    def _read(self) -> None:
        if self._desktop is None:
            return
        try:
            clicked = self._desktop.invoked()
        except NotificationsUnavailable as exc:
            log.warning("the notification server went away (%s)", exc)
            self.close()
            return
        for notification_id, action in clicked:
            run = self._actions.pop(notification_id, None)
            if run is not None and action == DEFAULT_ACTION:
                run()

    def close(self) -> None:
        if self._watch is not None:
            self._watch.setEnabled(False)
            self._watch = None
        if self._desktop is not None:
            self._desktop.close()
            self._desktop = None


__all__ = ["ClickableNotice"]
