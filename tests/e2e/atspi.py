"""A screen reader's view of the app for end-to-end tests: a private D-Bus session with the
AT-SPI bus (Debian at-spi2-core), and a small AT-SPI client over jeepney that walks the
accessible tree and records the events an application sends, as Orca would receive them.

Every process started here is stopped by its process group when the context ends.
"""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jeepney import DBusAddress, MatchRule, Message, message_bus, new_method_call
from jeepney.io.blocking import DBusConnection, open_dbus_connection

from tests.e2e.xsession import SessionError, stop_process, wait_for
from tests.helpers.processes import private_session_bus

BUS_LAUNCHER = Path("/usr/libexec/at-spi-bus-launcher")
ROOT_PATH = "/org/a11y/atspi/accessible/root"
ACCESSIBLE = "org.a11y.atspi.Accessible"
START_TIMEOUT_S = 20.0
# Roles whose children are cells or rows: named as a whole, not walked one by one.
ITEM_CONTAINERS = frozenset({"table", "tree table", "tree"})


def a11y_tools_missing() -> list[str]:
    return [str(BUS_LAUNCHER)] if not BUS_LAUNCHER.exists() else []


@contextlib.contextmanager
def a11y_session(base_env: Mapping[str, str], runtime_dir: Path) -> Iterator[dict[str, str]]:
    """A private session bus and AT-SPI bus; yields the environment an app needs to use
    them with Qt's accessibility bridge switched on."""
    runtime_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    env = {**base_env, "XDG_RUNTIME_DIR": str(runtime_dir)}
    with private_session_bus(env) as address:
        env["DBUS_SESSION_BUS_ADDRESS"] = address
        launcher = subprocess.Popen(
            [str(BUS_LAUNCHER), "--launch-immediately"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            wait_for(lambda: a11y_bus_address(address), START_TIMEOUT_S, "the AT-SPI bus")
            env["QT_LINUX_ACCESSIBILITY_ALWAYS_ON"] = "1"
            env["QT_ACCESSIBILITY"] = "1"
            yield env
        finally:
            stop_process(launcher)


def a11y_bus_address(session_address: str) -> str | None:
    with contextlib.suppress(Exception), open_dbus_connection(bus=session_address) as conn:
        call = new_method_call(
            DBusAddress("/org/a11y/bus", bus_name="org.a11y.Bus", interface="org.a11y.Bus"),
            "GetAddress",
        )
        reply = conn.send_and_get_reply(call, timeout=2)
        address = reply.body[0]
        return str(address) if address else None
    return None


@dataclass(frozen=True)
class Node:
    """One accessible object as AT-SPI shows it."""

    bus: str
    path: str
    role: str
    name: str
    description: str
    states: frozenset[str]
    children: tuple[Node, ...] = field(default=(), repr=False)

    @property
    def showing(self) -> bool:
        return "showing" in self.states

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children:
            yield from child.walk()


# AT-SPI's state numbers (atspi-constants.h) for the states the tests read.
STATE_NAMES = {
    7: "editable",
    8: "enabled",
    11: "focusable",
    12: "focused",
    22: "selectable",
    23: "selected",
    25: "showing",
    30: "visible",
}


@dataclass
class Event:
    kind: str  # "object:state-changed:focused", "object:selection-changed", ...
    bus: str
    path: str
    detail1: int
    body: tuple[Any, ...]
    at: float


class AtSpi:
    """A connection to the AT-SPI bus: the accessible tree, and the events applications send."""

    def __init__(self, env: Mapping[str, str]) -> None:
        address = a11y_bus_address(env["DBUS_SESSION_BUS_ADDRESS"])
        if address is None:
            raise SessionError("no AT-SPI bus")
        self.conn: DBusConnection = open_dbus_connection(bus=address)
        self.events: list[Event] = []
        # All signals: jeepney's local matching has no path_namespace.
        self._rule = MatchRule(type="signal")
        self.conn.send_and_get_reply(message_bus.AddMatch(self._rule), timeout=5)
        self._queue_cm = self.conn.filter(self._rule, bufsize=100_000)
        self._queue = self._queue_cm.__enter__()

    def close(self) -> None:
        self._queue_cm.__exit__(None, None, None)
        self.conn.close()

    # events --------------------------------------------------------------------------------

    def listen(self, *events: str) -> None:
        """Register for `events` with the registry, as a screen reader does: applications
        only send the kinds someone listens to."""
        registry = DBusAddress(
            "/org/a11y/atspi/registry",
            bus_name="org.a11y.atspi.Registry",
            interface="org.a11y.atspi.Registry",
        )
        for event in events:
            call = new_method_call(registry, "RegisterEvent", "sass", (event, [], ""))
            self.conn.send_and_get_reply(call, timeout=5)

    def pump(self, seconds: float = 0.0) -> list[Event]:
        """Read what arrived (waiting up to `seconds` for more), and return all events so far."""
        deadline = time.monotonic() + seconds
        while True:
            self._drain()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return self.events
            with contextlib.suppress(TimeoutError):
                # It hands back the message it waited for, taken off the queue: put it back.
                arrived = self.conn.recv_until_filtered(self._queue, timeout=min(remaining, 0.1))
                self._queue.appendleft(arrived)

    def _drain(self) -> None:
        while self._queue:
            message: Message = self._queue.popleft()
            header = message.header
            interface = str(header.fields.get(message_header_field("interface"), ""))
            member = str(header.fields.get(message_header_field("member"), ""))
            sender = str(header.fields.get(message_header_field("sender"), ""))
            path = str(header.fields.get(message_header_field("path"), ""))
            if not interface.startswith("org.a11y.atspi.Event."):
                continue
            family = interface.rsplit(".", 1)[1].lower()
            kind = f"{family}:{_dashed(member)}"
            body = tuple(message.body)
            minor = str(body[0]) if body else ""
            if minor:
                kind += f":{minor}"
            detail1 = int(body[1]) if len(body) > 1 else 0
            self.events.append(Event(kind, sender, path, detail1, body, time.monotonic()))

    def wait_event(self, predicate: Any, timeout_s: float, what: str) -> Event:
        def found() -> Event | None:
            self.pump(0.1)
            return next((e for e in self.events if predicate(e)), None)

        event: Event = wait_for(found, timeout_s, what)
        return event

    # the tree ------------------------------------------------------------------------------

    def _call(self, bus: str, path: str, interface: str, method: str, *args: Any) -> Any:
        signature = "".join("s" if isinstance(a, str) else "i" for a in args) or None
        call = new_method_call(
            DBusAddress(path, bus_name=bus, interface=interface), method, signature, args
        )
        reply = self.conn.send_and_get_reply(call, timeout=10)
        if reply.header.message_type.name == "error":
            raise SessionError(f"{method} on {path}: {reply.body}")
        return reply.body

    def _prop(self, bus: str, path: str, name: str) -> Any:
        body = self._call(bus, path, "org.freedesktop.DBus.Properties", "Get", ACCESSIBLE, name)
        return body[0][1]

    def node(self, bus: str, path: str, depth: int = 40) -> Node:
        role = str(self._call(bus, path, ACCESSIBLE, "GetRoleName")[0])
        words = self._call(bus, path, ACCESSIBLE, "GetState")[0]
        bits = (int(words[0]) if words else 0) | ((int(words[1]) << 32) if len(words) > 1 else 0)
        states = frozenset(name for bit, name in STATE_NAMES.items() if bits & (1 << bit))
        children: tuple[Node, ...] = ()
        if depth > 0 and role not in ITEM_CONTAINERS:
            listed = self._call(bus, path, ACCESSIBLE, "GetChildren")[0]
            children = tuple(self.node(str(b), str(p), depth - 1) for b, p in listed)
        return Node(
            bus,
            path,
            role,
            str(self._prop(bus, path, "Name")),
            str(self._prop(bus, path, "Description")),
            states,
            children,
        )

    def children_of(self, node: Node) -> list[Node]:
        """`node`'s children, also for the item containers `node` does not walk."""
        listed = self._call(node.bus, node.path, ACCESSIBLE, "GetChildren")[0]
        return [self.node(str(b), str(p), 0) for b, p in listed]

    def applications(self) -> list[tuple[str, str]]:
        """(bus name, name) of every application on the bus."""
        listed = self._call("org.a11y.atspi.Registry", ROOT_PATH, ACCESSIBLE, "GetChildren")[0]
        found = []
        for bus, path in listed:
            with contextlib.suppress(SessionError):
                found.append((str(bus), str(self._prop(str(bus), str(path), "Name"))))
        return found

    def application(self, name: str, timeout_s: float = START_TIMEOUT_S) -> str:
        """The bus name of the application called `name`."""

        def find() -> str | None:
            return next((bus for bus, found in self.applications() if found == name), None)

        bus: str = wait_for(find, timeout_s, f"the application {name!r} on the AT-SPI bus")
        return bus

    def windows(self, bus: str) -> list[Node]:
        return list(self.node(bus, ROOT_PATH).children)

    def name_of(self, bus: str, path: str) -> str | None:
        """The name of the object at `path`, or None when it no longer exists."""
        try:
            return str(self._prop(bus, path, "Name"))
        except SessionError:
            return None

    def role_of(self, bus: str, path: str) -> str | None:
        try:
            return str(self._call(bus, path, ACCESSIBLE, "GetRoleName")[0])
        except SessionError:
            return None


def message_header_field(name: str) -> Any:
    from jeepney.low_level import HeaderFields

    return HeaderFields[name]


def _dashed(member: str) -> str:
    """AT-SPI's signal names in event form: StateChanged -> state-changed."""
    out = []
    for index, char in enumerate(member):
        if char.isupper() and index:
            out.append("-")
        out.append(char.lower())
    return "".join(out)


def controls_without_names(window: Node) -> list[str]:
    """The showing controls and texts of `window` a screen reader would read without a name."""
    named_roles = {
        "push button",
        "toggle button",
        "check box",
        "radio button",
        "combo box",
        "text",
        "entry",
        "password text",
        "spin button",
        "list",
        "table",
        "tree table",
        "page tab",
        "page tab list",
        "slider",
        "progress bar",
        "image",
        "list item",
        "scroll pane",
        "frame",
        "dialog",
        "window",
        "tool tip",
        "notification",
    }
    missing = []
    for node in window.walk():
        if not node.showing or node.role not in named_roles or node.name.strip():
            continue
        # An empty text box is named by its label; Qt's own scroll bars and viewports are
        # parts of the named control around them.
        missing.append(f"{node.role} {node.path} ({node.description!r})")
    return missing
