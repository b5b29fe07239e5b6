"""Away detection over D-Bus and input idle: sleep, screen lock and idle in one monitor.

Sources, each optional and silent where missing:
- logind's `PrepareForSleep(bool)` on the system bus (suspend and resume);
- logind's `Lock` / `Unlock` on this login session (`loginctl lock-session`, most lockers);
- `ActiveChanged(bool)` of org.freedesktop.ScreenSaver and org.gnome.ScreenSaver on the
  session bus (KDE, GNOME, and lockers that speak the freedesktop interface);
- input idle from the best source here (`platform.idle`): watched where the desktop reports
  crossings (GNOME's IdleMonitor, the Wayland idle protocols), polled elsewhere.

The reminder driver's wall-clock gap check catches sleep everywhere else, so none of these
is required.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import cast

from PySide6.QtCore import SLOT, QObject, QSocketNotifier, QTimer, Signal, Slot
from PySide6.QtDBus import QDBus, QDBusConnection, QDBusMessage

from sec_desktop.platform.idle import open_idle_source
from sec_desktop.platform.idle_base import (
    IdleSource,
    IdleSourceError,
    PolledIdleSource,
    WatchedIdleSource,
)

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
# While the user is here, idle is read once, at the moment the threshold would be crossed
# if no input came meanwhile (input meanwhile only moves that moment later), so an active
# user costs one read per threshold, not one a minute. A QTimer cannot wait longer than this.
IDLE_POLL_MAX_MS = 2**31 - 1
# ...and this often while idle, to notice the return within about a second (a cheap read).
IDLE_RETURN_POLL_MS = 1_000
DBUS_CALL_TIMEOUT_MS = 1_000

IdleReader = Callable[[], float | None]


class _ReaderSource(PolledIdleSource):
    """A bare reader function (None: can't tell) as a polled source."""

    name = "input idle"

    def __init__(self, reader: IdleReader) -> None:
        self._reader = reader

    def idle_seconds(self) -> float:
        seconds = self._reader()
        if seconds is None:
            raise IdleSourceError("the idle reader stopped answering")
        return seconds

    def close(self) -> None:
        pass


class AwayMonitor(QObject):
    """Emits `awayStarted(reason)` when the user leaves ("sleep", "lock" or "idle", the
    first of them) and `awayEnded()` once every reason has cleared. `away_since` says when
    that absence began: the last input for idle, the moment of the signal otherwise."""

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
        idle_source: IdleSource | None = None,
        use_idle: bool = True,
        clock: Callable[[], datetime] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._idle_threshold_s = idle_minutes * 60.0
        self._system_bus = system_bus
        self._session_bus = session_bus
        self._session_path = session_path
        self._idle: IdleSource | None = idle_source or (
            _ReaderSource(idle_reader) if idle_reader is not None else None
        )
        self._owns_idle = False  # opened here, so closed here
        self._use_idle = use_idle
        self._clock = clock or (lambda: datetime.now(UTC))
        self._reasons: set[str] = set()
        self._away_since: datetime | None = None
        self._sources: list[str] = []
        self._idle_timer = QTimer(self)
        self._idle_timer.setSingleShot(True)
        self._idle_timer.timeout.connect(self._poll_idle)
        self._idle_notifier: QSocketNotifier | None = None
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
        if self._use_idle:
            self._start_idle()
        else:
            self._idle = None
        log.info("away detection: %s", ", ".join(self._sources) or "wall-clock gap only")

    def _start_idle(self) -> None:
        if self._idle is None:
            self._idle = open_idle_source(self._idle_threshold_s)
            self._owns_idle = self._idle is not None
        source = self._idle
        if isinstance(source, WatchedIdleSource):
            try:
                if not self._owns_idle:  # given ready-made: make it watch our threshold
                    source.set_threshold(self._idle_threshold_s)
            except IdleSourceError as exc:
                self._lose_idle(exc)
                return
            self._sources.append(f"input idle ({source.name})")
            self._idle_notifier = QSocketNotifier(source.fileno(), QSocketNotifier.Type.Read, self)
            self._idle_notifier.activated.connect(self._read_idle_events)
            self._read_idle_events()  # a source may know at once (already idle at start)
        elif source is not None:
            named = not isinstance(source, _ReaderSource)
            self._sources.append(f"input idle ({source.name})" if named else "input idle")
            self._poll_idle()

    def stop(self) -> None:
        self._idle_timer.stop()
        if self._idle_notifier is not None:
            self._idle_notifier.setEnabled(False)
            self._idle_notifier.deleteLater()
            self._idle_notifier = None
        if self._idle is not None and self._owns_idle:
            self._idle.close()
            self._idle = None
        self._started = False

    @property
    def sources(self) -> tuple[str, ...]:
        """What is watched, for `doctor` and the log."""
        return tuple(self._sources)

    @property
    def idle_source_name(self) -> str | None:
        """The live input idle source, for Settings; None where there is none."""
        return self._idle.name if self._idle is not None and self._started else None

    @property
    def reasons(self) -> frozenset[str]:
        return frozenset(self._reasons)

    @property
    def away_since(self) -> datetime | None:
        """When the current absence began (UTC): for idle, the last input; None when here."""
        return self._away_since if self._reasons else None

    def set_idle_minutes(self, minutes: int) -> None:
        self.set_idle_seconds(minutes * 60.0)

    def set_idle_seconds(self, seconds: float) -> None:
        """The idle threshold; a watched source re-creates its watch."""
        self._idle_threshold_s = seconds
        if isinstance(self._idle, WatchedIdleSource) and self._started:
            try:
                self._idle.set_threshold(self._idle_threshold_s)
            except IdleSourceError as exc:
                self._lose_idle(exc)
                return
            self._read_idle_events()
        self.check_idle()

    def idle_poll_interval_ms(self) -> int | None:
        """When a polled source is read next (None: not polling), for tests and the log."""
        return self._idle_timer.interval() if self._idle_timer.isActive() else None

    def check_idle(self) -> None:
        """Read input idle now rather than at the next poll."""
        if isinstance(self._idle, PolledIdleSource) and self._started:
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
        self._set(LOCK, True, self._last_input())

    @Slot()
    def _on_session_unlock(self) -> None:
        self._set(LOCK, False)

    @Slot(bool)
    def _on_screensaver(self, active: bool) -> None:
        self._set(LOCK, active, self._last_input() if active else None)

    # Idle ------------------------------------------------------------------------------------

    def _last_input(self) -> datetime | None:
        """When the last input was, where a polled source can say: a screen that locks
        itself after minutes without input was left at the last input, not at the lock."""
        source = self._idle
        if not isinstance(source, PolledIdleSource) or not self._started:
            return None
        try:
            idle_s = source.idle_seconds()
        except IdleSourceError:
            return None
        return self._clock() - timedelta(seconds=idle_s)

    def _poll_idle(self) -> None:
        source = self._idle
        if not isinstance(source, PolledIdleSource):
            return
        try:
            idle_s = source.idle_seconds()
        except IdleSourceError as exc:
            self._lose_idle(exc)
            return
        is_idle = idle_s >= self._idle_threshold_s
        self._set(IDLE, is_idle, self._clock() - timedelta(seconds=idle_s))
        if is_idle:
            wait_ms = IDLE_RETURN_POLL_MS
        else:
            # Land on the moment the threshold would be crossed, so idle is noticed on time
            # and the driver can date it back by exactly the threshold.
            wait_ms = int(min(IDLE_POLL_MAX_MS, (self._idle_threshold_s - idle_s) * 1000 + 50))
        self._idle_timer.start(max(wait_ms, 50))

    @Slot()
    def _read_idle_events(self) -> None:
        source = self._idle
        if not isinstance(source, WatchedIdleSource):
            return
        try:
            events = source.read_events()
        except IdleSourceError as exc:
            self._lose_idle(exc)
            return
        for event in events:
            since = self._clock() - timedelta(seconds=event.idle_for_s)
            self._set(IDLE, event.idle, since)

    def _lose_idle(self, error: IdleSourceError) -> None:
        """The idle source failed (the display or compositor went away): other sources
        carry on, and an idle absence it started ends here, as nothing can end it later."""
        log.warning("input idle stopped: %s", error)
        self._idle_timer.stop()
        if self._idle_notifier is not None:
            self._idle_notifier.setEnabled(False)
        if self._idle is not None and self._owns_idle:
            self._idle.close()
        self._idle = None
        self._set(IDLE, False)

    # Combining -------------------------------------------------------------------------------

    def _set(self, reason: str, active: bool, since: datetime | None = None) -> None:
        was_away = bool(self._reasons)
        if active:
            self._reasons.add(reason)
        else:
            self._reasons.discard(reason)
        if not was_away and self._reasons:
            self._away_since = since or self._clock()
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
