"""One running app per user and data folder, over a per-user local socket.

The first process listens on a local socket whose name hashes the user and the data folder;
a later `sec-desktop` (or `sec-desktop prompt|dashboard|quit`) connects, sends one JSON
line and waits for the reply, then exits. A socket left by a crashed process answers no
connection: it is removed before listening. Unlike QSharedMemory, nothing here
survives a kill -9 in a way that blocks the next start: a lock file held while running
decides who runs, and the OS drops the lock with its holder.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import tempfile
from pathlib import Path
from typing import Any

from filelock import FileLock
from filelock import Timeout as LockTimeout
from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from sec_desktop.platform.ipc_commands import COMMAND_NAMES

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_MS = 1000
REPLY_TIMEOUT_MS = 3000
MAX_MESSAGE_BYTES = 64 * 1024
# Requests are flat objects; a deeper message is refused before json.loads, which would
# recurse once per level (20,000 levels raised RecursionError inside the app).
MAX_NESTING = 8
_OPENERS = frozenset(b"[{")
_CLOSERS = frozenset(b"]}")


class InstanceError(Exception):
    """The socket could not be created, or a running instance did not answer properly."""


def _user_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers): the home folder stands in
        return str(Path.home())


def server_name(data_dir: Path) -> str:
    """A socket name unique to this user and data folder (two folders may run side by side)."""
    key = f"{_user_name()}\0{data_dir.expanduser().resolve()}"
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    return f"sec-desktop-{digest}"


def nesting_depth(line: bytes) -> int:
    """How deeply the arrays and objects in a JSON text nest (brackets in strings don't count)."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in line:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in _OPENERS:
            depth += 1
            deepest = max(deepest, depth)
        elif byte in _CLOSERS:
            depth -= 1
    return deepest


def _encode(message: dict[str, Any]) -> bytes:
    return json.dumps(message, separators=(",", ":")).encode("utf-8") + b"\n"


def send_to_running(name: str, message: dict[str, Any]) -> dict[str, Any] | None:
    """Send `message` to the running instance; its reply, or None when none is running.

    Raises InstanceError when something answers but not as a SEC Desktop instance would.
    """
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(CONNECT_TIMEOUT_MS):
        return None
    try:
        socket.write(_encode(message))
        if not socket.waitForBytesWritten(REPLY_TIMEOUT_MS):
            raise InstanceError(f"the running SEC Desktop did not take the request ({name})")
        buffer = b""
        while b"\n" not in buffer:
            if not socket.waitForReadyRead(REPLY_TIMEOUT_MS):
                raise InstanceError(f"the running SEC Desktop did not answer in time ({name})")
            buffer += bytes(socket.readAll().data())
        try:
            reply = json.loads(buffer.split(b"\n", 1)[0])
        except ValueError as exc:
            raise InstanceError(f"the running SEC Desktop sent an unreadable reply: {exc}") from exc
        if not isinstance(reply, dict):
            raise InstanceError("the running SEC Desktop sent a reply that is not an object")
        return reply
    finally:
        socket.disconnectFromServer()


class InstanceServer(QObject):
    """Listens for requests from later launches; emits `requested(command, message)`.

    The handler connected to `requested` answers through `reply` (a dict), which is sent back
    as the reply line; unknown commands get an error reply without reaching the app.
    """

    requested = Signal(str, dict)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._server = QLocalServer(self)
        # Only this user may connect (the socket file is created 0700 on Unix).
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_new_connection)
        self._buffers: dict[QLocalSocket, bytes] = {}
        self.reply: dict[str, Any] = {}
        self._lock: FileLock | None = None

    def listen(self) -> None:
        """Start listening, or raise InstanceError when another instance runs.

        Who runs is decided by a lock file, which the OS releases when its holder dies, so a
        crash never blocks the next start. The socket alone can't decide it: with access
        options set, Qt renames its socket over an existing one and would steal it.
        """
        lock = FileLock(str(Path(tempfile.gettempdir()) / f"{self.name}.lock"))
        try:
            lock.acquire(timeout=0)
        except LockTimeout:
            raise InstanceError(
                "another SEC Desktop is already running for this data folder"
            ) from None
        self._lock = lock
        # A socket left by a crashed instance: nobody holds the lock, so it is stale.
        QLocalServer.removeServer(self.name)
        if not self._server.listen(self.name):
            self._release()
            raise InstanceError(
                f"could not listen on the local socket {self.name}: {self._server.errorString()}"
            )

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def close(self) -> None:
        self._server.close()
        self._release()
        for socket in list(self._buffers):
            socket.abort()
        self._buffers.clear()

    def full_server_name(self) -> str:
        return self._server.fullServerName()

    def _on_new_connection(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            self._buffers[socket] = b""
            socket.readyRead.connect(lambda s=socket: self._on_ready_read(s))
            socket.disconnected.connect(lambda s=socket: self._forget(s))

    def _forget(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()

    def _on_ready_read(self, socket: QLocalSocket) -> None:
        if socket not in self._buffers:
            return
        data = self._buffers[socket] + bytes(socket.readAll().data())
        if len(data) > MAX_MESSAGE_BYTES:
            self._answer(socket, {"ok": False, "error": "message too long"})
            return
        if b"\n" not in data:
            self._buffers[socket] = data
            return
        line = data.split(b"\n", 1)[0]
        if nesting_depth(line) > MAX_NESTING:
            self._answer(socket, {"ok": False, "error": "message nested too deeply"})
            return
        try:
            message = json.loads(line)
        except (ValueError, RecursionError):
            self._answer(socket, {"ok": False, "error": "not JSON"})
            return
        command = message.get("command") if isinstance(message, dict) else None
        if command not in COMMAND_NAMES:
            self._answer(socket, {"ok": False, "error": f"unknown command {command!r}"})
            return
        self.reply = {"ok": True}
        self.requested.emit(command, message)
        self._answer(socket, self.reply)

    def _answer(self, socket: QLocalSocket, reply: dict[str, Any]) -> None:
        self._buffers.pop(socket, None)
        socket.write(_encode(reply))
        socket.flush()
        socket.disconnectFromServer()
