"""One writer at a time for a file set shared by processes (the tray app and `sec-desktop log`
on the same device) and by threads (the app's background jobs).

The operating system's advisory lock on a small lock file: `flock` on Unix, `msvcrt.locking`
on Windows. The kernel lets it go when the holder exits or crashes, so a killed writer never
leaves the folder locked. The lock is reentrant within a thread, as nested writes need (a
save inside `EntryStore.writing()`), and excludes other threads of the process as well as
other processes.

Written here rather than taken from `filelock`: its version 4 loads 25 modules and about 4 MB
into the resident tray (decimal, platform, secrets, hmac among them) and takes about 30 ms
to import at each first write, for the few system calls below.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path
from types import TracebackType

# How often a held lock is tried again while waiting for it.
POLL_S = 0.02


class LockTimeout(TimeoutError):
    """The lock stayed held by another process or thread for the whole wait."""

    def __init__(self, path: Path, waited_s: float) -> None:
        super().__init__(
            f"{path} stayed locked by another SEC Desktop process or task for {waited_s:g} s"
        )
        self.path = path


class FileLock:
    """`with FileLock(path, timeout=10):` holds the lock for the block. A negative timeout
    waits for as long as it takes."""

    def __init__(self, path: Path | str, timeout: float = -1.0, mode: int = 0o600) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self.mode = mode
        self._threads = threading.RLock()
        self._depth = 0  # how many times the holding thread has taken it
        self._fd: int | None = None

    @property
    def is_locked(self) -> bool:
        return self._fd is not None

    def acquire(self, timeout: float | None = None) -> FileLock:
        wait_s = self.timeout if timeout is None else timeout
        started = time.monotonic()
        if not self._threads.acquire(timeout=-1 if wait_s < 0 else wait_s):
            raise LockTimeout(self.path, wait_s)
        try:
            if self._depth == 0:
                left_s = -1.0 if wait_s < 0 else max(0.0, wait_s - (time.monotonic() - started))
                self._fd = _lock_file(self.path, self.mode, left_s, wait_s)
            self._depth += 1
        except BaseException:
            self._threads.release()
            raise
        return self

    def release(self) -> None:
        """Let go once; the file's lock goes with the outermost release. Raises RuntimeError
        from a thread that does not hold it."""
        self._threads.release()  # first: a thread that does not hold it raises here
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            fd, self._fd = self._fd, None
            _unlock_file(fd)

    def __enter__(self) -> FileLock:
        return self.acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()


def _open(path: Path, mode: int) -> int:
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    return os.open(path, flags, mode)


def _lock_file(path: Path, mode: int, wait_s: float, asked_s: float) -> int:
    """An open descriptor of `path` holding its lock; LockTimeout after `wait_s` (-1: never)."""
    deadline = None if wait_s < 0 else time.monotonic() + wait_s
    fd = _open(path, mode)
    try:
        locked = _wait_for_lock(fd, deadline)
    except BaseException:
        os.close(fd)
        raise
    if not locked:
        os.close(fd)
        raise LockTimeout(path, asked_s)
    return fd


def _wait_for_lock(fd: int, deadline: float | None) -> bool:
    while not _try_lock(fd):
        if deadline is not None and time.monotonic() >= deadline:
            return False
        time.sleep(POLL_S)  # no call waits on a lock with a timeout, on every platform
    return True


if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock_file(fd: int) -> None:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        finally:
            os.close(fd)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock_file(fd: int) -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
