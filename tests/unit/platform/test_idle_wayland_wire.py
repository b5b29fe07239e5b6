"""The Wayland idle client against a stand-in compositor on a Unix socket: the registry, the
binds, ext-idle-notify-v1 preferred over the KDE protocol, idled/resumed, a new threshold,
protocol errors and a compositor that goes away. (tests/e2e/test_idle_wayland.py runs the
KDE protocol against real sway.)"""

from __future__ import annotations

import select
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sec_desktop.platform.idle_base import IdleEvent, IdleSourceError
from sec_desktop.platform.idle_wayland import WaylandIdle, socket_path

HEADER = struct.Struct("=II")


def wl_string(text: str) -> bytes:
    raw = text.encode() + b"\0"
    return struct.pack("=I", len(raw)) + raw + b"\0" * (-len(raw) % 4)


def message(object_id: int, opcode: int, payload: bytes = b"") -> bytes:
    return HEADER.pack(object_id, ((HEADER.size + len(payload)) << 16) | opcode) + payload


class FakeCompositor:
    """Serves one client: the globals it is given, and records the requests it gets."""

    def __init__(self, path: Path, globals_: list[str], refuse_notification: bool = False) -> None:
        self.globals = globals_
        self.refuse_notification = refuse_notification
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(str(path))
        self.server.listen(1)
        self.client: socket.socket | None = None
        self.requests: list[tuple[int, int, bytes]] = []
        self.bound: dict[int, str] = {}  # object id -> interface
        self.notifications: dict[int, int] = {}  # object id -> timeout in ms
        self.destroyed: list[int] = []
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        self.client, _ = self.server.accept()
        buffer = b""
        while True:
            try:
                chunk = self.client.recv(4096)
            except OSError:
                return  # closed by the test
            if not chunk:
                return
            buffer += chunk
            while len(buffer) >= HEADER.size:
                object_id, size_opcode = HEADER.unpack_from(buffer)
                size = size_opcode >> 16
                if len(buffer) < size:
                    break
                try:
                    self.handle(object_id, size_opcode & 0xFFFF, buffer[HEADER.size : size])
                except OSError:
                    # The client hung up after an error before our reply, or the test closed
                    # this socket at its end (EBADF): either way there is no one to answer.
                    return
                buffer = buffer[size:]

    def handle(self, object_id: int, opcode: int, payload: bytes) -> None:
        assert self.client is not None
        with self.lock:
            self.requests.append((object_id, opcode, payload))
        interface = self.bound.get(object_id)
        if object_id == 1 and opcode == 1:  # get_registry
            (registry,) = struct.unpack("=I", payload)
            self.bound[registry] = "wl_registry"
            for name, global_interface in enumerate(self.globals, start=1):
                self.client.sendall(
                    message(
                        registry,
                        0,
                        struct.pack("=I", name) + wl_string(global_interface) + b"\1\0\0\0",
                    )
                )
        elif object_id == 1 and opcode == 0:  # sync
            (callback,) = struct.unpack("=I", payload)
            self.client.sendall(message(callback, 0, b"\0\0\0\0"))
        elif interface == "wl_registry":  # bind
            (length,) = struct.unpack_from("=I", payload, 4)
            name = payload[8 : 8 + length - 1].decode()
            new_id = struct.unpack_from("=I", payload, len(payload) - 4)[0]
            self.bound[new_id] = name
        elif interface == "ext_idle_notifier_v1" and opcode == 1:
            new_id, timeout_ms, seat = struct.unpack("=III", payload)
            assert self.bound[seat] == "wl_seat"
            self.notify(new_id, timeout_ms)
        elif interface == "org_kde_kwin_idle" and opcode == 0:
            new_id, seat, timeout_ms = struct.unpack("=III", payload)
            assert self.bound[seat] == "wl_seat"
            self.notify(new_id, timeout_ms)
        elif interface == "notification" and opcode == 0:
            with self.lock:
                self.destroyed.append(object_id)

    def notify(self, new_id: int, timeout_ms: int) -> None:
        assert self.client is not None
        if self.refuse_notification:
            self.client.sendall(
                message(1, 0, struct.pack("=II", new_id, 3) + wl_string("no idle for you"))
            )
            return
        self.bound[new_id] = "notification"
        with self.lock:
            self.notifications[new_id] = timeout_ms

    def send(self, object_id: int, opcode: int) -> None:
        assert self.client is not None
        self.client.sendall(message(object_id, opcode))

    def latest_notification(self) -> int:
        with self.lock:
            return max(self.notifications)

    def hang_up(self) -> None:
        assert self.client is not None
        self.client.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
        self.server.close()
        self.thread.join(timeout=5)


MakeCompositor = Callable[..., FakeCompositor]


@pytest.fixture
def runtime(tmp_path: Path) -> Path:
    folder = tmp_path / "runtime"
    folder.mkdir()
    return folder


@pytest.fixture
def compositor_for(runtime: Path) -> Iterator[MakeCompositor]:
    made: list[FakeCompositor] = []

    def make(globals_: list[str], **kwargs: bool) -> FakeCompositor:
        made.append(FakeCompositor(runtime / "wayland-7", globals_, **kwargs))
        return made[-1]

    yield make
    for compositor in made:
        compositor.close()


def env_for(runtime: Path) -> dict[str, str]:
    return {"XDG_RUNTIME_DIR": str(runtime), "WAYLAND_DISPLAY": "wayland-7"}


def wait_events(source: WaylandIdle, timeout_s: float = 5.0) -> list[IdleEvent]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        select.select([source.fileno()], [], [], deadline - time.monotonic())
        events = source.read_events()
        if events:
            return events
    return []


def wait_until(condition: object, timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "condition not met before the deadline"
        time.sleep(0.01)


def test_socket_path() -> None:
    assert socket_path({"XDG_RUNTIME_DIR": "/run/user/7", "WAYLAND_DISPLAY": "wayland-1"}) == (
        Path("/run/user/7/wayland-1")
    )
    assert socket_path({"WAYLAND_DISPLAY": "/tmp/w.sock"}) == Path("/tmp/w.sock")
    with pytest.raises(IdleSourceError, match="XDG_RUNTIME_DIR"):
        socket_path({"WAYLAND_DISPLAY": "wayland-1"})


def test_ext_idle_notify_preferred_idled_and_resumed(
    compositor_for: MakeCompositor, runtime: Path
) -> None:
    compositor = compositor_for(
        ["wl_compositor", "org_kde_kwin_idle", "wl_seat", "ext_idle_notifier_v1"]
    )
    source = WaylandIdle.open(env_for(runtime), 90.0)
    assert source.name == "Wayland ext-idle-notify-v1"
    wait_until(lambda: compositor.notifications)
    notification = compositor.latest_notification()
    assert compositor.notifications[notification] == 90_000
    assert source.read_events() == []

    compositor.send(notification, 0)  # idled
    assert wait_events(source) == [IdleEvent(idle=True, idle_for_s=90.0)]
    compositor.send(notification, 1)  # resumed
    assert wait_events(source) == [IdleEvent(idle=False)]
    source.close()
    wait_until(lambda: notification in compositor.destroyed)


def test_kde_idle_where_that_is_all(compositor_for: MakeCompositor, runtime: Path) -> None:
    compositor = compositor_for(["wl_seat", "org_kde_kwin_idle"])
    source = WaylandIdle.open(env_for(runtime), 5.0)
    assert source.name == "Wayland org_kde_kwin_idle"
    wait_until(lambda: compositor.notifications)
    assert list(compositor.notifications.values()) == [5_000]
    source.close()


def test_new_threshold_waits_for_the_return_when_idle(
    compositor_for: MakeCompositor, runtime: Path
) -> None:
    compositor = compositor_for(["wl_seat", "ext_idle_notifier_v1"])
    source = WaylandIdle.open(env_for(runtime), 60.0)
    wait_until(lambda: compositor.notifications)
    first = compositor.latest_notification()
    source.set_threshold(120.0)  # here: replaced at once
    wait_until(lambda: first in compositor.destroyed)
    second = compositor.latest_notification()
    assert compositor.notifications[second] == 120_000

    compositor.send(first, 0)  # a late event of the replaced notification
    compositor.send(second, 0)
    assert wait_events(source) == [IdleEvent(idle=True, idle_for_s=120.0)]
    source.set_threshold(30.0)  # idle: the running notification must still say "resumed"
    compositor.send(second, 1)
    assert wait_events(source) == [IdleEvent(idle=False)]
    wait_until(lambda: len(compositor.notifications) == 3)
    assert compositor.notifications[compositor.latest_notification()] == 30_000
    source.close()


def test_no_idle_protocol(compositor_for: MakeCompositor, runtime: Path) -> None:
    compositor_for(["wl_compositor", "wl_seat"])
    with pytest.raises(IdleSourceError, match="neither ext_idle_notifier_v1 nor"):
        WaylandIdle.open(env_for(runtime), 60.0)


def test_refused_request_is_an_error(compositor_for: MakeCompositor, runtime: Path) -> None:
    compositor_for(["wl_seat", "ext_idle_notifier_v1"], refuse_notification=True)
    with pytest.raises(IdleSourceError, match="no idle for you"):
        WaylandIdle.open(env_for(runtime), 60.0)


def test_no_compositor(runtime: Path) -> None:
    with pytest.raises(IdleSourceError, match="no Wayland compositor"):
        WaylandIdle.open(env_for(runtime), 60.0)


def test_compositor_gone(compositor_for: MakeCompositor, runtime: Path) -> None:
    compositor = compositor_for(["wl_seat", "ext_idle_notifier_v1"])
    source = WaylandIdle.open(env_for(runtime), 60.0)
    compositor.hang_up()
    select.select([source.fileno()], [], [], 5)
    with pytest.raises(IdleSourceError, match="closed the connection"):
        source.read_events()
    source.close()
