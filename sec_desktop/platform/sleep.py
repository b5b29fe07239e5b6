"""Away detection over D-Bus and input idle: sleep, screen lock and idle in one monitor.

Sources, each optional and silent where missing:
- logind's `PrepareForSleep(bool)` on the system bus (suspend and resume);
- logind's `Lock` / `Unlock` on this login session (`loginctl lock-session`, most lockers);
- `ActiveChanged(bool)` of org.freedesktop.ScreenSaver and org.gnome.ScreenSaver on the
  session bus (KDE, GNOME, and lockers that speak the freedesktop interface);
- input idle (`platform.idle`), polled.

The reminder driver's wall-clock gap check catches sleep everywhere else, so none of these
is required.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import cast

from PySide6.QtCore import SLOT, QObject, QTimer, Signal, Slot
from PySide6.QtDBus import QDBus, QDBusConnection, QDBusMessage

from sec_desktop.platform.idle import open_idle_source

log = logging.getLogger(__name__)

SLEEP = "sleep"
LOCK = "lock"
IDLE = "idle"

LOGIND_SERVICE = "org.freedesktop.login1"
LOGIND_PATH = "/org/freedesktop/login1"
LOGIND_MANAGER = "org.freedesktop.login1.Manager"
LOGIND_SESSION = "org.freedesktop.login1.Session"
SCREENSAVERS = (
    ("/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver"),
    ("/ScreenSaver", "org.freedesktop.ScreenSaver"),
    ("/org/gnome/ScreenSaver", "org.gnome.ScreenSaver"),
)
# Idle is polled this often while the user is here (at most this long after the threshold
# is crossed; the poll is timed to land on the crossing itself)...
IDLE_POLL_MS = 60_000
# ...and this often while idle, to notice the return.
IDLE_RETURN_POLL_MS = 5_000
DBUS_CALL_TIMEOUT_MS = 1_000

IdleReader = Callable[[], float | None]


class AwayMonitor(QObject):
    """Emits `awayStarted(reason)` when the user leaves ("sleep", "lock" or "idle", the
    first of them) and `awayEnded()` once every reason has cleared."""

    awayStarted = Signal(str)
    awayEnded = Signal()

    def __init__(
        self,
        idle_minutes: int = 10,
        *,
        system_bus: QDBusConnection | None = None,
        session_bus: QDBusConnection | None = None,
        session_path: str | None = None,
        idle_reader: IdleReader | None = None,
        use_idle: bool = True,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._idle_threshold_s = idle_minutes * 60.0
        self._system_bus = system_bus
        self._session_bus = session_bus
        self._session_path = session_path
        self._idle_reader = idle_reader
        self._idle_close: Callable[[], None] | None = None
        self._use_idle = use_idle
        self._reasons: set[str] = set()
        self._sources: list[str] = []
        self._idle_timer = QTimer(self)
        self._idle_timer.setSingleShot(True)
        self._idle_timer.timeout.connect(self._poll_idle)
        self._started = False

    # Life cycle ------------------------------------------------------------------------------

    def start(self) -> None:
        if self._started:
            return
        self._started = True
        system = self._system_bus or _connected(QDBusConnection.systemBus())
        session = self._session_bus or _connected(QDBusConnection.sessionBus())
        if system is not None:
            self._watch_logind(system)
        if session is not None:
            for path, interface in SCREENSAVERS:
                if session.connect(
                    "", path, interface, "ActiveChanged", self, _slot("_on_screensaver(bool)")
                ):
                    self._sources.append(f"screensaver {interface}")
        if self._use_idle and self._idle_reader is None:
            opened = open_idle_source()
            if opened is not None:
                self._idle_reader, self._idle_close = opened
        if self._use_idle and self._idle_reader is not None:
            self._sources.append("input idle")
            self._poll_idle()
        log.info("away detection: %s", ", ".join(self._sources) or "wall-clock gap only")

    def stop(self) -> None:
        self._idle_timer.stop()
        if self._idle_close is not None:
            self._idle_close()
            self._idle_close = None
            self._idle_reader = None
        self._started = False

    @property
    def sources(self) -> tuple[str, ...]:
        """What is watched, for `doctor` and the log."""
        return tuple(self._sources)

    @property
    def reasons(self) -> frozenset[str]:
        return frozenset(self._reasons)

    def set_idle_minutes(self, minutes: int) -> None:
        self._idle_threshold_s = minutes * 60.0
        self.check_idle()

    def check_idle(self) -> None:
        """Read input idle now rather than at the next poll."""
        if self._idle_reader is not None and self._started:
            self._poll_idle()

    # logind ----------------------------------------------------------------------------------

    def _watch_logind(self, bus: QDBusConnection) -> None:
        if bus.connect(
            "", LOGIND_PATH, LOGIND_MANAGER, "PrepareForSleep", self, _slot("_on_sleep(bool)")
        ):
            self._sources.append("logind sleep")
        path = self._session_path or _own_session_path(bus)
        if path is None:
            return
        ok = bus.connect("", path, LOGIND_SESSION, "Lock", self, _slot("_on_session_lock()"))
        ok &= bus.connect("", path, LOGIND_SESSION, "Unlock", self, _slot("_on_session_unlock()"))
        if ok:
            self._sources.append("logind lock")

    @Slot(bool)
    def _on_sleep(self, going_to_sleep: bool) -> None:
        self._set(SLEEP, going_to_sleep)

    @Slot()
    def _on_session_lock(self) -> None:
        self._set(LOCK, True)

    @Slot()
    def _on_session_unlock(self) -> None:
        self._set(LOCK, False)

    @Slot(bool)
    def _on_screensaver(self, active: bool) -> None:
        self._set(LOCK, active)

    # Idle ------------------------------------------------------------------------------------

    def _poll_idle(self) -> None:
        reader = self._idle_reader
        if reader is None:
            return
        idle_s = reader()
        if idle_s is None:
            return  # the display went away; other sources carry on
        is_idle = idle_s >= self._idle_threshold_s
        self._set(IDLE, is_idle)
        if is_idle:
            wait_ms = IDLE_RETURN_POLL_MS
        else:
            # Land on the moment the threshold would be crossed, so idle is noticed on time
            # and the driver can date it back by exactly the threshold.
            wait_ms = int(min(IDLE_POLL_MS, (self._idle_threshold_s - idle_s) * 1000 + 50))
        self._idle_timer.start(max(wait_ms, 50))

    # Combining -------------------------------------------------------------------------------

    def _set(self, reason: str, active: bool) -> None:
        was_away = bool(self._reasons)
        if active:
            self._reasons.add(reason)
        else:
            self._reasons.discard(reason)
        if not was_away and self._reasons:
            log.info("away: %s", reason)
            self.awayStarted.emit(reason)
        elif was_away and not self._reasons:
            log.info("back (%s ended)", reason)
            self.awayEnded.emit()


def _slot(signature: str) -> bytes:
    """A Qt slot signature for QDBusConnection.connect, which takes the str SLOT() makes
    (its type stubs say bytes)."""
    return cast(bytes, SLOT(signature))


def _connected(bus: QDBusConnection) -> QDBusConnection | None:
    return bus if bus.isConnected() else None


def _own_session_path(bus: QDBusConnection) -> str | None:
    """This process's logind session object, or None without logind."""
    # "auto" is the caller's own session (logind resolves it from our credentials).
    session_id = os.environ.get("XDG_SESSION_ID") or "auto"
    call = QDBusMessage.createMethodCall(LOGIND_SERVICE, LOGIND_PATH, LOGIND_MANAGER, "GetSession")
    call.setArguments([session_id])
    reply = bus.call(call, QDBus.CallMode.Block, DBUS_CALL_TIMEOUT_MS)
    if reply.type() != QDBusMessage.MessageType.ReplyMessage or not reply.arguments():
        return None
    path = reply.arguments()[0]
    text = path.path() if hasattr(path, "path") else str(path)
    return text or None
