"""Input idle over D-Bus: GNOME Mutter's IdleMonitor (watched) and logind's IdleHint (polled).

Both talk through `DBusLink`, a small blocking D-Bus client (jeepney) with its own connection,
so `doctor` can use them without Qt and the app can watch the link's socket for signals.
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sec_desktop.platform.idle_base import (
    IdleEvent,
    IdleSourceError,
    PolledIdleSource,
    WatchedIdleSource,
)

CALL_TIMEOUT_S = 1.0

MUTTER_SERVICE = "org.gnome.Mutter.IdleMonitor"
MUTTER_PATH = "/org/gnome/Mutter/IdleMonitor/Core"
MUTTER_INTERFACE = "org.gnome.Mutter.IdleMonitor"

LOGIND_SERVICE = "org.freedesktop.login1"
LOGIND_PATH = "/org/freedesktop/login1"
LOGIND_MANAGER = "org.freedesktop.login1.Manager"
LOGIND_SESSION = "org.freedesktop.login1.Session"
PROPERTIES = "org.freedesktop.DBus.Properties"
DEFAULT_SYSTEM_BUS = "unix:path=/run/dbus/system_bus_socket"


@dataclass(frozen=True)
class Signal:
    path: str
    interface: str
    member: str
    body: tuple[Any, ...]


class Link(Protocol):
    """What the sources need of a bus connection (the real one is DBusLink)."""

    def call(
        self,
        service: str,
        path: str,
        interface: str,
        member: str,
        *,
        signature: str | None = None,
        args: Sequence[Any] = (),
    ) -> tuple[Any, ...]: ...

    def signals(self) -> list[Signal]: ...

    def fileno(self) -> int: ...

    def close(self) -> None: ...


class DBusLink:
    """A blocking connection to one bus; signals that arrive are kept until `signals()`."""

    def __init__(self, connection: Any) -> None:
        self._connection = connection
        self._signals: deque[Signal] = deque()

    @classmethod
    def connect(cls, address: str | None) -> DBusLink:
        if not address:
            raise IdleSourceError("no D-Bus address")
        try:
            from jeepney.io.blocking import open_dbus_connection  # type: ignore[import-untyped]
        except ImportError as exc:
            raise IdleSourceError("the D-Bus client (jeepney) is not installed") from exc
        try:
            return cls(open_dbus_connection(address, auth_timeout=CALL_TIMEOUT_S))
        except (OSError, RuntimeError, ValueError, TimeoutError) as exc:
            raise IdleSourceError(f"no D-Bus at {address} ({exc})") from exc

    def call(
        self,
        service: str,
        path: str,
        interface: str,
        member: str,
        *,
        signature: str | None = None,
        args: Sequence[Any] = (),
    ) -> tuple[Any, ...]:
        from jeepney import (  # type: ignore[import-untyped]
            DBusAddress,
            MessageType,
            new_method_call,
        )
        from jeepney.low_level import HeaderFields  # type: ignore[import-untyped]

        message = new_method_call(
            DBusAddress(path, bus_name=service, interface=interface),
            member,
            signature,
            tuple(args),
        )
        try:
            reply = self._send_and_wait(message)
        except (OSError, TimeoutError) as exc:
            raise IdleSourceError(f"{service} did not answer {member} ({exc})") from exc
        if reply.header.message_type == MessageType.error:
            name = reply.header.fields.get(HeaderFields.error_name, "error")
            detail = reply.body[0] if reply.body else ""
            raise IdleSourceError(f"{member}: {name} {detail}".strip())
        return tuple(reply.body)

    def _send_and_wait(self, message: Any) -> Any:
        from jeepney import MessageType
        from jeepney.low_level import HeaderFields

        connection = self._connection
        serial = next(connection.outgoing_serial)
        connection.send(message, serial=serial)
        deadline = time.monotonic() + CALL_TIMEOUT_S
        while True:
            incoming = connection.receive(timeout=max(deadline - time.monotonic(), 0.0))
            if incoming.header.fields.get(HeaderFields.reply_serial) == serial:
                return incoming
            if incoming.header.message_type == MessageType.signal:
                self._keep(incoming)

    def _keep(self, message: Any) -> None:
        from jeepney.low_level import HeaderFields

        fields = message.header.fields
        self._signals.append(
            Signal(
                fields.get(HeaderFields.path, ""),
                fields.get(HeaderFields.interface, ""),
                fields.get(HeaderFields.member, ""),
                tuple(message.body),
            )
        )

    def signals(self) -> list[Signal]:
        """The signals that have arrived, without blocking."""
        from jeepney import MessageType

        while True:
            try:
                incoming = self._connection.receive(timeout=0)
            except TimeoutError:
                break
            except OSError as exc:
                raise IdleSourceError(f"the D-Bus connection failed ({exc})") from exc
            except ValueError as exc:  # jeepney's "connection closed"
                raise IdleSourceError(f"the D-Bus connection closed ({exc})") from exc
            if incoming.header.message_type == MessageType.signal:
                self._keep(incoming)
        kept = list(self._signals)
        self._signals.clear()
        return kept

    def fileno(self) -> int:
        return int(self._connection.sock.fileno())

    def close(self) -> None:
        self._connection.close()


# GNOME ----------------------------------------------------------------------------------------


class MutterIdle(WatchedIdleSource):
    """GNOME Shell's idle monitor: an idle watch fires when the threshold is crossed, then a
    one-shot user-active watch fires at the first input. Mutter drops both if we disconnect."""

    name = "GNOME Mutter IdleMonitor"

    def __init__(self, link: Link, threshold_s: float) -> None:
        self._link = link
        self._threshold_s = threshold_s
        self._idle_watch: int | None = None
        self._active_watch: int | None = None
        self._queued: list[IdleEvent] = []
        self._closed = False
        self._add_idle_watch()
        # Already idle past the threshold when we start: the idle watch won't fire until the
        # next absence, so say so now and wait for the return.
        self._catch_up()

    @classmethod
    def open(
        cls, env: Mapping[str, str], threshold_s: float, link: Link | None = None
    ) -> MutterIdle:
        link = link or DBusLink.connect(env.get("DBUS_SESSION_BUS_ADDRESS"))
        try:
            # WatchFired is sent to the watch's owner; the match rule also covers a broadcast.
            link.call(
                "org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus",
                "AddMatch",
                signature="s",
                args=(f"type='signal',interface='{MUTTER_INTERFACE}',member='WatchFired'",),
            )
            source = cls(link, threshold_s)
        except BaseException:
            link.close()
            raise
        return source

    def _call(self, member: str, signature: str | None = None, *args: Any) -> tuple[Any, ...]:
        return self._link.call(
            MUTTER_SERVICE, MUTTER_PATH, MUTTER_INTERFACE, member, signature=signature, args=args
        )

    def idle_ms(self) -> int:
        return int(self._call("GetIdletime")[0])

    def _add_idle_watch(self) -> None:
        threshold_ms = max(1, round(self._threshold_s * 1000))
        self._idle_watch = int(self._call("AddIdleWatch", "t", threshold_ms)[0])

    def _catch_up(self) -> None:
        if self._active_watch is not None:
            return
        idle_s = self.idle_ms() / 1000
        if idle_s >= self._threshold_s:
            self._went_idle(idle_s)

    def _went_idle(self, idle_for_s: float) -> None:
        self._active_watch = int(self._call("AddUserActiveWatch")[0])
        self._queued.append(IdleEvent(idle=True, idle_for_s=idle_for_s))

    def fileno(self) -> int:
        return self._link.fileno()

    def set_threshold(self, threshold_s: float) -> None:
        if self._idle_watch is not None:
            self._call("RemoveWatch", "u", self._idle_watch)
        self._threshold_s = threshold_s
        self._add_idle_watch()
        self._catch_up()

    def read_events(self) -> list[IdleEvent]:
        # Until none is left: a signal read along with a method's reply (AddUserActiveWatch
        # below) is off the socket already, so the caller's notifier won't wake for it.
        while signals := self._link.signals():
            for signal in signals:
                if signal.member != "WatchFired" or signal.interface != MUTTER_INTERFACE:
                    continue
                watch = int(signal.body[0])
                if watch == self._idle_watch and self._active_watch is None:
                    self._went_idle(self._threshold_s)
                elif watch == self._active_watch:
                    self._active_watch = None  # user-active watches fire once
                    self._queued.append(IdleEvent(idle=False))
        news, self._queued = self._queued, []
        return news

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            for watch in (self._idle_watch, self._active_watch):
                if watch is not None:
                    self._call("RemoveWatch", "u", watch)
        except IdleSourceError:
            pass  # Mutter forgets our watches when we disconnect anyway
        finally:
            self._link.close()


# logind ---------------------------------------------------------------------------------------


class LogindIdle(PolledIdleSource):
    """logind's IdleHint for this login session, as the desktop sets it (GNOME and some idle
    daemons do; a desktop that never sets it leaves the user never idle)."""

    name = "logind IdleHint"

    def __init__(
        self, link: Link, session_path: str, wall_clock: Callable[[], float] = time.time
    ) -> None:
        self._link = link
        self._session_path = session_path
        self._wall_clock = wall_clock

    @classmethod
    def open(
        cls,
        env: Mapping[str, str],
        threshold_s: float,
        link: Link | None = None,
        pid: int | None = None,
    ) -> LogindIdle:
        link = link or DBusLink.connect(env.get("DBUS_SYSTEM_BUS_ADDRESS") or DEFAULT_SYSTEM_BUS)
        try:
            session_id = env.get("XDG_SESSION_ID")
            if session_id:
                reply = link.call(
                    LOGIND_SERVICE,
                    LOGIND_PATH,
                    LOGIND_MANAGER,
                    "GetSession",
                    signature="s",
                    args=(session_id,),
                )
            else:
                reply = link.call(
                    LOGIND_SERVICE,
                    LOGIND_PATH,
                    LOGIND_MANAGER,
                    "GetSessionByPID",
                    signature="u",
                    args=(pid or os.getpid(),),
                )
            source = cls(link, str(reply[0]))
            source.idle_seconds()  # the property can be read
        except BaseException:
            link.close()
            raise
        return source

    def _property(self, name: str) -> Any:
        (variant,) = self._link.call(
            LOGIND_SERVICE,
            self._session_path,
            PROPERTIES,
            "Get",
            signature="ss",
            args=(LOGIND_SESSION, name),
        )
        # jeepney gives a variant as (signature, value)
        return variant[1] if isinstance(variant, tuple) else variant

    def idle_seconds(self) -> float:
        if not self._property("IdleHint"):
            return 0.0
        since_us = int(self._property("IdleSinceHint"))  # CLOCK_REALTIME, microseconds
        if since_us <= 0:
            return 0.0
        return max(0.0, self._wall_clock() - since_us / 1_000_000)

    def close(self) -> None:
        self._link.close()
