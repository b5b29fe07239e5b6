"""The global shortcut in the app: the platform backend's socket watched by Qt's loop.

Windows delivers the press as a WM_HOTKEY thread message and macOS through Carbon's handler,
both inside Qt's own event loop; X11 and the portal need their socket watched.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable

from PySide6.QtCore import QAbstractNativeEventFilter, QByteArray, QCoreApplication, QSocketNotifier
from PySide6.QtGui import QGuiApplication

from sec_desktop.platform.hotkey import HotkeyBackend, HotkeyError, choose_backend
from sec_desktop.settings import parse_key_combo

log = logging.getLogger(__name__)


class _WindowsHotkeyFilter(QAbstractNativeEventFilter):
    """Hands Windows messages to the backend, which knows its WM_HOTKEY id."""

    def __init__(self, backend: HotkeyBackend) -> None:
        super().__init__()
        self._backend = backend

    def nativeEventFilter(
        self, event_type: QByteArray | bytes | bytearray | memoryview[int], message: int
    ) -> object:
        handle = getattr(self._backend, "handle_message", None)
        kind = event_type.data() if isinstance(event_type, QByteArray) else bytes(event_type)
        if kind == b"windows_generic_MSG" and handle is not None:
            return (bool(handle(int(message))), 0)
        return (False, 0)


class GlobalShortcut:
    """Holds the shortcut from `set_sequence` until `stop`; `problem` says why it isn't held."""

    def __init__(
        self, on_pressed: Callable[[], None], backend: HotkeyBackend | None = None
    ) -> None:
        self._on_pressed = on_pressed
        self._backend = backend or choose_backend(
            sys.platform, os.environ, QGuiApplication.platformName()
        )
        self._notifier: QSocketNotifier | None = None
        self._filter: _WindowsHotkeyFilter | None = None
        self.sequence = ""
        self._problem: str | None = None
        self._held = False

    @property
    def backend_name(self) -> str:
        return self._backend.name

    @property
    def problem(self) -> str | None:
        """Why no shortcut is held: the grab was refused, or (also with none set) this
        platform can't grab keys, so the desktop must bind them."""
        if self._problem is not None or self._held:
            return self._problem
        return self._backend.why_unavailable()

    @property
    def can_grab(self) -> bool:
        """Whether this platform can grab keys at all (else the desktop must bind them)."""
        return self._backend.why_unavailable() is None

    def set_sequence(self, sequence: str) -> None:
        """Grab `sequence` ("" for none) in place of the previous one."""
        if sequence == self.sequence and self._held:
            return
        self.stop()
        self.sequence = sequence
        if not sequence:
            return
        try:
            self._backend.start(parse_key_combo(sequence), self._pressed)
        except (HotkeyError, ValueError) as exc:
            self._problem = str(exc)
            log.warning("global shortcut %s not set (%s): %s", sequence, self.backend_name, exc)
            return
        fd = self._backend.fileno()
        if fd is not None:
            self._notifier = QSocketNotifier(fd, QSocketNotifier.Type.Read)
            self._notifier.activated.connect(self._readable)
        if sys.platform == "win32":
            self._filter = _WindowsHotkeyFilter(self._backend)
            QCoreApplication.instance().installNativeEventFilter(self._filter)
        self._held = True
        log.info("global shortcut %s set (%s)", sequence, self.backend_name)

    def _readable(self) -> None:
        try:
            self._backend.dispatch()
        except HotkeyError as exc:
            log.warning("global shortcut lost: %s", exc)
            self.stop()
            self._problem = str(exc)

    def _pressed(self) -> None:
        # The e2e test's and the note's figure starts here: key to a focused picker.
        log.info("global shortcut pressed at %.3f", time.monotonic())
        self._on_pressed()

    def stop(self) -> None:
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None
        if self._filter is not None:
            app = QCoreApplication.instance()
            if app is not None:
                app.removeNativeEventFilter(self._filter)
            self._filter = None
        self._backend.stop()
        self._held = False
        self._problem = None
