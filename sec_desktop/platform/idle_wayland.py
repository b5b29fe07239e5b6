"""Input idle on Wayland compositors that offer an idle protocol (KDE Plasma, sway and other
wlroots compositors), through a minimal client of the Wayland wire protocol.

The compositor tells us when the seat has been idle for a timeout and when input resumes;
nothing is polled. Two protocols say the same thing:
- `ext-idle-notify-v1` (wayland-protocols, staging): the standard, preferred;
- `org_kde_kwin_idle` (plasma-wayland-protocols): all that sway 1.7 (Debian 12) offers.

The wire format: every message is a header of two 32-bit words in the host's byte order, the
object id, then (size in bytes << 16 | opcode), followed by its arguments, each padded to 4
bytes. The client numbers its own objects from 2 (1 is wl_display). This module keeps its own
connection, separate from any toolkit's.
"""

from __future__ import annotations

import contextlib
import select
import socket
import struct
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sec_desktop.platform.idle_base import IdleEvent, IdleSourceError, WatchedIdleSource

DISPLAY_ID = 1
HEADER = struct.Struct("=II")
UINT = struct.Struct("=I")
ROUNDTRIP_TIMEOUT_S = 2.0
READ_CHUNK = 4096

# Opcodes, from wayland.xml, ext-idle-notify-v1.xml and plasma's idle.xml.
DISPLAY_SYNC, DISPLAY_GET_REGISTRY = 0, 1
DISPLAY_ERROR, DISPLAY_DELETE_ID = 0, 1
REGISTRY_BIND = 0
REGISTRY_GLOBAL = 0
CALLBACK_DONE = 0
EXT_NOTIFIER_DESTROY, EXT_GET_IDLE_NOTIFICATION = 0, 1
KDE_GET_IDLE_TIMEOUT = 0
# ext_idle_notification_v1.destroy and org_kde_kwin_idle_timeout.release are both opcode 0,
# and both send idle (opcode 0) then resumed (opcode 1).
NOTIFICATION_DESTROY = 0
EVENT_IDLE, EVENT_RESUMED = 0, 1

EXT_IDLE = "ext_idle_notifier_v1"
KDE_IDLE = "org_kde_kwin_idle"
SEAT = "wl_seat"
# As the protocols are known by (the XML file's name for the standard one).
PROTOCOL_NAMES = {EXT_IDLE: "ext-idle-notify-v1", KDE_IDLE: KDE_IDLE}


def socket_path(env: Mapping[str, str]) -> Path:
    """Where the compositor listens: $WAYLAND_DISPLAY, relative to $XDG_RUNTIME_DIR."""
    name = env.get("WAYLAND_DISPLAY") or "wayland-0"
    if Path(name).is_absolute():
        return Path(name)
    runtime = env.get("XDG_RUNTIME_DIR")
    if not runtime:
        raise IdleSourceError("XDG_RUNTIME_DIR is not set, so the Wayland socket can't be found")
    return Path(runtime) / name


def _string(text: str) -> bytes:
    raw = text.encode() + b"\0"
    return UINT.pack(len(raw)) + raw + b"\0" * (-len(raw) % 4)


def _read_string(payload: bytes, offset: int) -> tuple[str, int]:
    (length,) = UINT.unpack_from(payload, offset)
    start = offset + 4
    text = payload[start : start + length - 1].decode(errors="replace")
    return text, start + length + (-length % 4)


@dataclass(frozen=True)
class _Global:
    name: int
    interface: str
    version: int


class WaylandConnection:
    """A Wayland client socket: send requests, read events as (object, opcode, payload)."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._buffer = b""
        self._next_id = DISPLAY_ID + 1

    @classmethod
    def connect(cls, path: Path) -> WaylandConnection:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(str(path))
        except OSError as exc:
            sock.close()
            raise IdleSourceError(f"no Wayland compositor at {path} ({exc.strerror})") from exc
        sock.setblocking(False)
        return cls(sock)

    def fileno(self) -> int:
        return self._sock.fileno()

    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id - 1

    def send(self, object_id: int, opcode: int, payload: bytes = b"") -> None:
        size = HEADER.size + len(payload)
        message = HEADER.pack(object_id, (size << 16) | opcode) + payload
        try:
            # Requests are a few dozen bytes: the socket buffer takes them whole.
            self._sock.setblocking(True)
            self._sock.sendall(message)
        except OSError as exc:
            raise IdleSourceError(f"the Wayland compositor went away ({exc})") from exc
        finally:
            self._sock.setblocking(False)

    def read_available(self) -> list[tuple[int, int, bytes]]:
        """Every whole event that has arrived, without blocking."""
        while True:
            try:
                chunk = self._sock.recv(READ_CHUNK)
            except BlockingIOError:
                break
            except OSError as exc:
                raise IdleSourceError(f"the Wayland connection failed ({exc})") from exc
            if not chunk:
                raise IdleSourceError("the Wayland compositor closed the connection")
            self._buffer += chunk
            if len(chunk) < READ_CHUNK:
                break
        events: list[tuple[int, int, bytes]] = []
        while len(self._buffer) >= HEADER.size:
            object_id, size_opcode = HEADER.unpack_from(self._buffer)
            size = size_opcode >> 16
            if size < HEADER.size:
                raise IdleSourceError(f"malformed Wayland message (size {size})")
            if len(self._buffer) < size:
                break
            events.append((object_id, size_opcode & 0xFFFF, self._buffer[HEADER.size : size]))
            self._buffer = self._buffer[size:]
        return events

    def wait_readable(self, timeout_s: float) -> bool:
        readable, _, _ = select.select([self._sock], [], [], max(timeout_s, 0.0))
        return bool(readable)

    def close(self) -> None:
        self._sock.close()


def _check_display_error(object_id: int, opcode: int, payload: bytes) -> None:
    if object_id == DISPLAY_ID and opcode == DISPLAY_ERROR:
        failed_object, code = struct.unpack_from("=II", payload)
        message, _ = _read_string(payload, 8)
        raise IdleSourceError(
            f"the Wayland compositor refused a request (object {failed_object}, "
            f"code {code}): {message}"
        )


class WaylandIdle(WatchedIdleSource):
    """Idle and resume events from the compositor's idle protocol, for one seat."""

    def __init__(
        self,
        connection: WaylandConnection,
        registry_id: int,
        manager: _Global,
        seat_id: int,
        threshold_s: float,
    ) -> None:
        self._connection = connection
        self._protocol = manager.interface
        self.name = f"Wayland {PROTOCOL_NAMES[manager.interface]}"
        self._seat_id = seat_id
        self._manager_id = connection.new_id()
        connection.send(
            registry_id,
            REGISTRY_BIND,
            UINT.pack(manager.name)
            + _string(manager.interface)
            + UINT.pack(1)
            # new_id without a fixed interface: name and version precede the id
            + UINT.pack(self._manager_id),
        )
        self._notification_id = 0
        self._threshold_s = threshold_s
        self._pending_threshold_s: float | None = None
        self._idle = False
        self._events: list[tuple[int, int, bytes]] = []
        self._closed = False
        self._create_notification()

    @classmethod
    def open(cls, env: Mapping[str, str], threshold_s: float) -> WaylandIdle:
        connection = WaylandConnection.connect(socket_path(env))
        try:
            registry_id = connection.new_id()
            connection.send(DISPLAY_ID, DISPLAY_GET_REGISTRY, UINT.pack(registry_id))
            globals_, early = _roundtrip(connection, registry_id)
            manager, seat = _pick_globals(globals_)
            seat_id = connection.new_id()
            connection.send(
                registry_id,
                REGISTRY_BIND,
                UINT.pack(seat.name) + _string(SEAT) + UINT.pack(1) + UINT.pack(seat_id),
            )
            source = cls(connection, registry_id, manager, seat_id, threshold_s)
            source._events.extend(early)
            # A second round trip: a request the compositor refused shows up as an error now.
            _, more = _roundtrip(connection, None)
            source._events.extend(more)
        except BaseException:
            connection.close()
            raise
        return source

    # Watching ---------------------------------------------------------------------------------

    def fileno(self) -> int:
        return self._connection.fileno()

    def set_threshold(self, threshold_s: float) -> None:
        if self._idle:
            # A new notification would never say "resumed" for this absence: swap it after.
            self._pending_threshold_s = threshold_s
            return
        self._threshold_s = threshold_s
        self._destroy_notification()
        self._create_notification()

    def read_events(self) -> list[IdleEvent]:
        raw = self._events + self._connection.read_available()
        self._events = []
        news: list[IdleEvent] = []
        for object_id, opcode, payload in raw:
            _check_display_error(object_id, opcode, payload)
            if object_id != self._notification_id:
                continue  # a notification replaced since, or the seat's own events
            if opcode == EVENT_IDLE and not self._idle:
                self._idle = True
                news.append(IdleEvent(idle=True, idle_for_s=self._threshold_s))
            elif opcode == EVENT_RESUMED and self._idle:
                self._idle = False
                news.append(IdleEvent(idle=False))
                if self._pending_threshold_s is not None:
                    threshold_s, self._pending_threshold_s = self._pending_threshold_s, None
                    self.set_threshold(threshold_s)
        return news

    @property
    def protocol(self) -> str:
        return self._protocol

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(IdleSourceError):
            self._destroy_notification()
            if self._protocol == EXT_IDLE:
                self._connection.send(self._manager_id, EXT_NOTIFIER_DESTROY)
        self._connection.close()

    def _create_notification(self) -> None:
        self._notification_id = self._connection.new_id()
        timeout_ms = max(1, round(self._threshold_s * 1000))
        if self._protocol == EXT_IDLE:
            payload = UINT.pack(self._notification_id) + UINT.pack(timeout_ms)
            payload += UINT.pack(self._seat_id)
            self._connection.send(self._manager_id, EXT_GET_IDLE_NOTIFICATION, payload)
        else:
            payload = UINT.pack(self._notification_id) + UINT.pack(self._seat_id)
            payload += UINT.pack(timeout_ms)
            self._connection.send(self._manager_id, KDE_GET_IDLE_TIMEOUT, payload)

    def _destroy_notification(self) -> None:
        if self._notification_id:
            self._connection.send(self._notification_id, NOTIFICATION_DESTROY)
            self._notification_id = 0


def _pick_globals(globals_: list[_Global]) -> tuple[_Global, _Global]:
    """The idle manager (the standard protocol if offered) and the first seat."""
    by_interface: dict[str, _Global] = {}
    for found in globals_:
        by_interface.setdefault(found.interface, found)
    manager = by_interface.get(EXT_IDLE) or by_interface.get(KDE_IDLE)
    seat = by_interface.get(SEAT)
    if manager is None:
        raise IdleSourceError(f"the Wayland compositor offers neither {EXT_IDLE} nor {KDE_IDLE}")
    if seat is None:
        raise IdleSourceError("the Wayland compositor has no seat")
    return manager, seat


def _roundtrip(
    connection: WaylandConnection, registry_id: int | None
) -> tuple[list[_Global], list[tuple[int, int, bytes]]]:
    """wl_display.sync and wait for its callback: every event sent before it has arrived.
    Returns the registry's globals among them and the other events, for later."""
    callback_id = connection.new_id()
    connection.send(DISPLAY_ID, DISPLAY_SYNC, UINT.pack(callback_id))
    globals_: list[_Global] = []
    others: list[tuple[int, int, bytes]] = []
    deadline = time.monotonic() + ROUNDTRIP_TIMEOUT_S
    while True:
        for object_id, opcode, payload in connection.read_available():
            _check_display_error(object_id, opcode, payload)
            if object_id == callback_id and opcode == CALLBACK_DONE:
                return globals_, others
            if object_id == registry_id and opcode == REGISTRY_GLOBAL:
                (name,) = UINT.unpack_from(payload)
                interface, offset = _read_string(payload, 4)
                (version,) = UINT.unpack_from(payload, offset)
                globals_.append(_Global(name, interface, version))
            elif object_id != DISPLAY_ID:
                others.append((object_id, opcode, payload))
        if not connection.wait_readable(deadline - time.monotonic()):
            raise IdleSourceError(
                f"the Wayland compositor did not answer within {ROUNDTRIP_TIMEOUT_S:g} s"
            )
