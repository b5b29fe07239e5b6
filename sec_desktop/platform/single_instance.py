"""One running app per user and data folder, over a per-user local socket.

The first process listens on a local socket whose name hashes the user and the data folder;
a later `sec-desktop` (or `sec-desktop prompt|dashboard|quit`) connects, sends one JSON
line and waits for the reply, then exits. A socket left by a crashed process answers no
connection: it is removed before listening. Unlike QSharedMemory, nothing here
survives a kill -9 in a way that blocks the next start: a lock file held while running
decides who runs, and the OS drops the lock with its holder.

The socket and its lock live in a folder only this user can enter: $XDG_RUNTIME_DIR on
Linux, the per-user temp folder on macOS, else a folder of our own in the per-user cache.
In the shared /tmp another user could squat the name, answer in the app's place, or
pre-create the lock so that the app can't start. On Windows the pipe name carries the user
name and the lock sits in the per-user cache folder.

On Unix the socket is a plain Python AF_UNIX socket watched by a QSocketNotifier: QtNetwork
(QLocalServer) would cost the resident tray about 3 MB of RSS for this one socket. Windows
has no AF_UNIX in Python, so its named pipe stays QLocalServer's.
"""

from __future__ import annotations

import contextlib
import errno
import getpass
import hashlib
import json
import logging
import os
import re
import socket as sockets
import stat
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

import platformdirs
from PySide6.QtCore import QObject, QSocketNotifier, Signal

from sec_desktop import APP_DIR_NAME
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


RUNTIME_DIR_ENV = "XDG_RUNTIME_DIR"
# The folder made inside the runtime (or temp) folder, and the one made in the cache folder
# when there is no trustworthy runtime folder.
RUNTIME_SUBDIR = APP_DIR_NAME
CACHE_RUNTIME_SUBDIR = "run"
# A Unix socket's path must fit sun_path: 104 bytes on macOS, 108 on Linux, with its NUL.
MAX_SOCKET_PATH_BYTES = 103


def _current_uid() -> int:
    return os.getuid() if hasattr(os, "getuid") else -1


def _untrusted_because(path: Path, uid: int) -> str | None:
    """Why `path` is no private folder of user `uid` (None when it is one)."""
    try:
        info = os.lstat(path)
    except OSError as exc:
        return "does not exist" if exc.errno == errno.ENOENT else f"can't be read ({exc})"
    problems = [
        (stat.S_ISLNK(info.st_mode), "is a symbolic link"),
        (not stat.S_ISDIR(info.st_mode), "is not a folder"),
        (info.st_uid != uid, f"belongs to another user (uid {info.st_uid})"),
        (
            bool(info.st_mode & 0o077),
            f"can be entered by other users (mode {stat.S_IMODE(info.st_mode):o})",
        ),
    ]
    return next((problem for found, problem in problems if found), None)


def _own_private_folder(path: Path, uid: int) -> Path:
    """`path` created 0700 if missing; refused when it is a link or another user's.

    A folder of ours that others may enter is tightened to 0700: its parent is private or
    ours, so nobody else can have swapped it.
    """
    try:
        path.mkdir(mode=0o700, parents=True)
    except FileExistsError:
        pass
    except OSError as exc:
        raise InstanceError(f"could not create {path}: {exc.strerror}") from exc
    info = os.lstat(path)
    if stat.S_ISDIR(info.st_mode) and info.st_uid == uid and info.st_mode & 0o077:
        path.chmod(0o700)  # lstat says a folder, not a link
    problem = _untrusted_because(path, uid)
    if problem is not None:
        raise InstanceError(
            f"{path} {problem}, so SEC Desktop will not keep its socket there; "
            "remove it and start again"
        )
    return path


def runtime_dir(env: Mapping[str, str] | None = None, *, uid: int | None = None) -> Path:
    """The private folder for this user's sockets and locks (created if missing).

    $XDG_RUNTIME_DIR (Linux) or the per-user temp folder (macOS) when it is this user's own
    with mode 0700, else a folder made 0700 in the per-user cache. `uid` stands in for the
    current user in tests. Raises InstanceError when the folder can't be trusted.
    """
    env = os.environ if env is None else env
    uid = _current_uid() if uid is None else uid
    if sys.platform == "win32":
        # The per-user profile's ACLs keep it private; there are no Unix owners to check.
        folder = platformdirs.user_cache_path(APP_DIR_NAME, appauthor=False)
        folder = folder / CACHE_RUNTIME_SUBDIR
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    if sys.platform == "darwin":
        base, what = env.get("TMPDIR") or tempfile.gettempdir(), "the temp folder $TMPDIR"
    else:
        base, what = env.get(RUNTIME_DIR_ENV, ""), f"${RUNTIME_DIR_ENV}"
    if base and Path(base).is_absolute():
        problem = _untrusted_because(Path(base), uid)
        if problem is None:
            return _own_private_folder(Path(base) / RUNTIME_SUBDIR, uid)
        log.warning("%s (%s) %s; using a folder in the cache instead", what, base, problem)
    cache = Path(env["XDG_CACHE_HOME"]) / APP_DIR_NAME if env.get("XDG_CACHE_HOME") else None
    if cache is None or not cache.is_absolute():
        cache = platformdirs.user_cache_path(APP_DIR_NAME, appauthor=False)
    return _own_private_folder(cache / CACHE_RUNTIME_SUBDIR, uid)


def _digest(data_dir: Path) -> str:
    key = f"{_user_name()}\0{data_dir.expanduser().resolve()}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def server_name(data_dir: Path, env: Mapping[str, str] | None = None) -> str:
    """This user's socket for the data folder (two folders may run side by side).

    On Unix the full path of the socket in `runtime_dir()`; on Windows a pipe name with the
    user's name in it. Raises InstanceError when no private folder can be had.
    """
    if sys.platform == "win32":
        user = re.sub(r"[^A-Za-z0-9_.-]", "_", _user_name())
        return f"sec-desktop-{user}-{_digest(data_dir)}"
    # The folder already says sec-desktop; the bare hash keeps the path short.
    path = str(runtime_dir(env) / _digest(data_dir))
    if len(os.fsencode(path)) > MAX_SOCKET_PATH_BYTES:
        raise InstanceError(
            f"the path of SEC Desktop's socket, {path}, is longer than the "
            f"{MAX_SOCKET_PATH_BYTES} bytes a local socket allows; "
            f"set ${RUNTIME_DIR_ENV} to a shorter private folder"
        )
    return path


def lock_path(name: str) -> Path:
    """The lock file beside the socket `name` (on Windows, in the private folder)."""
    if Path(name).is_absolute():
        return Path(f"{name}.lock")
    return runtime_dir() / f"{name}.lock"


def _check_socket_file(name: str, uid: int) -> None:
    """Refuse a socket path that is a link or another user's (only root could put it in our
    private folder, but a socket there would be trusted with every request)."""
    if not Path(name).is_absolute():
        return
    try:
        info = os.lstat(name)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(info.st_mode):
        what = "a symbolic link"
    elif info.st_uid != uid:
        what = f"owned by another user (uid {info.st_uid})"
    elif not stat.S_ISSOCK(info.st_mode):
        what = "not a socket"
    else:
        return
    raise InstanceError(f"{name} is {what}, so SEC Desktop will not use it; remove it")


class _InstanceLock:
    """A lock file held while the app runs, removed when it lets go.

    Opened without following links and refused when another user owns it. On Unix the
    file is deleted before it is unlocked; a process that opened it just before then holds
    a lock on a deleted file, so after locking it checks the path still names that file.
    """

    def __init__(self, path: Path, uid: int) -> None:
        self.path = path
        self._uid = uid
        self._fd: int | None = None
        self._windows_lock: Any = None

    def acquire(self) -> None:
        if sys.platform == "win32":
            from sec_desktop.store.file_lock import FileLock, LockTimeout

            lock = FileLock(str(self.path))
            try:
                lock.acquire(timeout=0)
            except LockTimeout:
                raise InstanceError(ALREADY_RUNNING) from None
            self._windows_lock = lock
            return
        import fcntl

        for _attempt in range(5):
            flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
            try:
                fd = os.open(self.path, flags, 0o600)
            except OSError as exc:
                if exc.errno == errno.ELOOP:
                    raise InstanceError(
                        f"{self.path} is a symbolic link, so SEC Desktop will not use it "
                        "as its lock; remove it"
                    ) from None
                raise InstanceError(f"could not open the lock {self.path}: {exc.strerror}") from exc
            opened = os.fstat(fd)
            if opened.st_uid != self._uid or not stat.S_ISREG(opened.st_mode):
                os.close(fd)
                raise InstanceError(
                    f"the lock {self.path} belongs to uid {opened.st_uid} or is no plain "
                    "file, so SEC Desktop will not use it; remove it"
                )
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                raise InstanceError(ALREADY_RUNNING) from None
            try:
                now = os.lstat(self.path)
            except FileNotFoundError:
                now = None
            if now is not None and (now.st_dev, now.st_ino) == (opened.st_dev, opened.st_ino):
                self._fd = fd
                return
            os.close(fd)  # the previous holder removed it as it quit: lock the new one
        raise InstanceError(f"could not take the lock {self.path}: it keeps being replaced")

    def release(self) -> None:
        if self._windows_lock is not None:
            self._windows_lock.release()
            self._windows_lock = None
        if self._fd is not None:
            self.path.unlink(missing_ok=True)
            os.close(self._fd)
            self._fd = None


ALREADY_RUNNING = "another SEC Desktop is already running for this data folder"


def _remove_old_lock(name: str, uid: int) -> None:
    """Versions before the private folder left `sec-desktop-<hash>.lock` in the shared temp
    folder; ours (a plain file owned by this user) is removed, anyone else's left alone."""
    if not Path(name).is_absolute():
        return
    old = Path(tempfile.gettempdir()) / f"sec-desktop-{Path(name).name}.lock"
    try:
        info = os.lstat(old)
    except OSError:
        return
    if stat.S_ISREG(info.st_mode) and info.st_uid == uid:
        try:
            old.unlink()
        except OSError as exc:
            log.debug("could not remove the old lock %s: %s", old, exc)


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
    _check_socket_file(name, _current_uid())
    if sys.platform == "win32":
        return _send_over_pipe(name, message)
    client = sockets.socket(sockets.AF_UNIX, sockets.SOCK_STREAM)
    try:
        client.settimeout(CONNECT_TIMEOUT_MS / 1000)
        try:
            client.connect(name)
        except OSError:  # no socket, a stale one (refused), or no answer in time
            return None
        client.settimeout(REPLY_TIMEOUT_MS / 1000)
        try:
            client.sendall(_encode(message))
        except OSError as exc:
            raise InstanceError(
                f"the running SEC Desktop did not take the request ({name})"
            ) from exc
        buffer = b""
        while b"\n" not in buffer:
            try:
                chunk = client.recv(MAX_MESSAGE_BYTES)
            except OSError as exc:
                raise InstanceError(
                    f"the running SEC Desktop did not answer in time ({name})"
                ) from exc
            if not chunk:
                raise InstanceError(f"the running SEC Desktop did not answer in time ({name})")
            buffer += chunk
    finally:
        client.close()
    return _reply_from(buffer)


def _reply_from(buffer: bytes) -> dict[str, Any]:
    try:
        reply = json.loads(buffer.split(b"\n", 1)[0])
    except ValueError as exc:
        raise InstanceError(f"the running SEC Desktop sent an unreadable reply: {exc}") from exc
    if not isinstance(reply, dict):
        raise InstanceError("the running SEC Desktop sent a reply that is not an object")
    return reply


def _send_over_pipe(name: str, message: dict[str, Any]) -> dict[str, Any] | None:
    """Windows: the same exchange over QLocalSocket's named pipe."""
    from PySide6.QtNetwork import QLocalSocket

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
        return _reply_from(buffer)
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
        self._listener: _Listener | None = None
        self.reply: dict[str, Any] = {}
        self._lock: _InstanceLock | None = None

    def listen(self) -> None:
        """Start listening, or raise InstanceError when another instance runs.

        Who runs is decided by a lock file, which the OS releases when its holder dies, so a
        crash never blocks the next start. The socket alone can't decide it: a socket file
        left by a crash looks the same as a live one's until something connects.
        """
        uid = _current_uid()
        lock = _InstanceLock(lock_path(self.name), uid)
        lock.acquire()
        self._lock = lock
        _remove_old_lock(self.name, uid)
        try:
            _check_socket_file(self.name, uid)
            listener: _Listener = (
                _PipeListener(self.name, self) if sys.platform == "win32" else _UnixListener(self)
            )
            listener.listen(self.name)
        except InstanceError:
            self._release()
            raise
        self._listener = listener

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def close(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        self._release()

    def full_server_name(self) -> str:
        return self._listener.full_name() if self._listener is not None else ""

    def handle(self, data: bytes) -> dict[str, Any] | None:
        """The reply to what a connection has sent so far; None while its line is unfinished."""
        if len(data) > MAX_MESSAGE_BYTES:
            return {"ok": False, "error": "message too long"}
        if b"\n" not in data:
            return None
        line = data.split(b"\n", 1)[0]
        if nesting_depth(line) > MAX_NESTING:
            return {"ok": False, "error": "message nested too deeply"}
        try:
            message = json.loads(line)
        except (ValueError, RecursionError):
            return {"ok": False, "error": "not JSON"}
        command = message.get("command") if isinstance(message, dict) else None
        if command not in COMMAND_NAMES:
            return {"ok": False, "error": f"unknown command {command!r}"}
        self.reply = {"ok": True}
        self.requested.emit(command, message)
        return self.reply


class _Listener(Protocol):
    """What the server needs of its platform's listener (a Unix socket or a named pipe)."""

    def listen(self, name: str) -> None: ...

    def close(self) -> None: ...

    def full_name(self) -> str: ...


class _UnixListener(QObject):
    """An AF_UNIX socket and one QSocketNotifier per socket: the event loop wakes only when
    a later launch connects or writes."""

    def __init__(self, server: InstanceServer) -> None:
        super().__init__(server)
        self._server = server
        self._socket: sockets.socket | None = None
        self._notifier: QSocketNotifier | None = None
        self._path = ""
        self._clients: dict[int, tuple[sockets.socket, QSocketNotifier, bytearray]] = {}

    def listen(self, name: str) -> None:
        # A socket left by a crashed instance: nobody holds the lock, so it is stale.
        Path(name).unlink(missing_ok=True)
        listener = sockets.socket(sockets.AF_UNIX, sockets.SOCK_STREAM)
        try:
            listener.bind(name)
            # Only this user may connect (the folder is private too).
            Path(name).chmod(0o600)
            listener.listen(8)
            listener.setblocking(False)
        except OSError as exc:
            listener.close()
            raise InstanceError(
                f"could not listen on the local socket {name}: {exc.strerror or exc}"
            ) from exc
        self._socket, self._path = listener, name
        self._notifier = QSocketNotifier(listener.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._accept)

    def full_name(self) -> str:
        return self._path

    def close(self) -> None:
        for fd in list(self._clients):
            self._drop(fd)
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None
        if self._socket is not None:
            self._socket.close()
            self._socket = None
            with contextlib.suppress(OSError):
                Path(self._path).unlink()

    def _accept(self) -> None:
        if self._socket is None:
            return
        while True:
            try:
                client, _ = self._socket.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                log.warning("a later launch could not be accepted: %s", exc)
                return
            client.setblocking(False)
            fd = client.fileno()
            notifier = QSocketNotifier(fd, QSocketNotifier.Type.Read, self)
            notifier.activated.connect(lambda *_signal, fd=fd: self._read(fd))
            self._clients[fd] = (client, notifier, bytearray())

    def _read(self, fd: int) -> None:
        entry = self._clients.get(fd)
        if entry is None:
            return
        client, _, buffer = entry
        try:
            chunk = client.recv(MAX_MESSAGE_BYTES + 1)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._drop(fd)
            return
        if not chunk:  # the launch hung up before finishing its line
            self._drop(fd)
            return
        buffer += chunk
        reply = self._server.handle(bytes(buffer))
        if reply is not None:
            self._answer(fd, reply)

    def _answer(self, fd: int, reply: dict[str, Any]) -> None:
        client = self._clients[fd][0]
        try:
            client.setblocking(True)
            client.settimeout(REPLY_TIMEOUT_MS / 1000)
            client.sendall(_encode(reply))
            client.shutdown(sockets.SHUT_RDWR)
        except OSError as exc:
            log.info("a later launch left before its reply: %s", exc)
        self._drop(fd)

    def _drop(self, fd: int) -> None:
        client, notifier, _ = self._clients.pop(fd)
        notifier.setEnabled(False)
        notifier.deleteLater()
        client.close()


class _PipeListener(QObject):
    """Windows: QLocalServer's named pipe (Python has no AF_UNIX there)."""

    def __init__(self, name: str, server: InstanceServer) -> None:
        from PySide6.QtNetwork import QLocalServer

        super().__init__(server)
        self._server = server
        self._local = QLocalServer(self)
        # Only this user may connect.
        self._local.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._local.newConnection.connect(self._on_new_connection)
        self._buffers: dict[Any, bytes] = {}

    def listen(self, name: str) -> None:
        from PySide6.QtNetwork import QLocalServer

        QLocalServer.removeServer(name)
        if not self._local.listen(name):
            raise InstanceError(
                f"could not listen on the local socket {name}: {self._local.errorString()}"
            )

    def full_name(self) -> str:
        return str(self._local.fullServerName())

    def close(self) -> None:
        self._local.close()
        for socket in list(self._buffers):
            socket.abort()
        self._buffers.clear()

    def _on_new_connection(self) -> None:
        while self._local.hasPendingConnections():
            socket = self._local.nextPendingConnection()
            self._buffers[socket] = b""
            socket.readyRead.connect(lambda s=socket: self._on_ready_read(s))
            socket.disconnected.connect(lambda s=socket: self._forget(s))

    def _forget(self, socket: Any) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()

    def _on_ready_read(self, socket: Any) -> None:
        if socket not in self._buffers:
            return
        data = self._buffers[socket] + bytes(socket.readAll().data())
        reply = self._server.handle(data)
        if reply is None:
            self._buffers[socket] = data
            return
        self._buffers.pop(socket, None)
        socket.write(_encode(reply))
        socket.flush()
        socket.disconnectFromServer()
