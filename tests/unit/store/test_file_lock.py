"""The writers' lock: one holder across processes and threads, reentrant in its thread, let
go by the kernel when a holder dies, and a timeout that names the lock file."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from sec_desktop.store.file_lock import FileLock, LockTimeout
from tests.helpers.processes import stop_process

HOLDER = """
import sys
from sec_desktop.store.file_lock import FileLock
lock = FileLock(sys.argv[1], timeout=5)
lock.acquire()
print("held", flush=True)
sys.stdin.readline()  # until the test says so
lock.release()
print("released", flush=True)
"""


@contextmanager
def other_process_holding(path: Path) -> Iterator[subprocess.Popen[str]]:
    with subprocess.Popen(  # its exit closes the pipes
        [sys.executable, "-c", HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3])},
        start_new_session=True,  # a group of its own, as stop_process stops it
    ) as holder:
        try:
            assert holder.stdout is not None
            assert holder.stdout.readline().strip() == "held"
            yield holder
        finally:
            stop_process(holder)


def test_another_process_holding_it_makes_a_wait_time_out_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / ".writer.lock"
    with other_process_holding(path) as holder:
        with pytest.raises(LockTimeout) as waited:
            FileLock(path, timeout=0.1).acquire()
        assert str(path) in str(waited.value)
        assert isinstance(waited.value, TimeoutError)
        assert holder.stdin is not None and holder.stdout is not None
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "released"
        with FileLock(path, timeout=5) as lock:
            assert lock.is_locked


def test_a_killed_holder_leaves_it_free(tmp_path: Path) -> None:
    path = tmp_path / ".writer.lock"
    with other_process_holding(path) as holder:
        holder.kill()
        holder.wait(timeout=10)
        with FileLock(path, timeout=5) as lock:
            assert lock.is_locked


def test_it_is_reentrant_in_its_thread_and_let_go_by_the_outermost_release(tmp_path: Path) -> None:
    path = tmp_path / ".writer.lock"
    lock = FileLock(path, timeout=1)
    with lock, lock:
        assert lock.is_locked
    assert not lock.is_locked
    with other_process_holding(path):  # the file's lock really went with the release
        pass


def test_another_thread_waits_for_it(tmp_path: Path) -> None:
    lock = FileLock(tmp_path / ".writer.lock", timeout=1)
    outcome: list[str] = []

    def other_thread(wait_s: float) -> None:
        try:
            lock.acquire(timeout=wait_s)
        except LockTimeout:
            outcome.append("timed out")
        else:
            outcome.append("held")
            lock.release()

    with lock:
        waiter = threading.Thread(target=other_thread, args=(0.05,))
        waiter.start()
        waiter.join(10)
    assert outcome == ["timed out"]
    waiter = threading.Thread(target=other_thread, args=(1.0,))
    waiter.start()
    waiter.join(10)
    assert outcome == ["timed out", "held"]


def test_a_second_lock_on_the_same_file_waits_even_in_one_thread(tmp_path: Path) -> None:
    """Two lock objects are two holders, as two processes would be: a write that took one must
    not slip past another writer's."""
    path = tmp_path / ".writer.lock"
    with FileLock(path, timeout=1), pytest.raises(LockTimeout):
        FileLock(path, timeout=0.05).acquire()


def test_releasing_it_unheld_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError):
        FileLock(tmp_path / ".writer.lock").release()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permission bits")
def test_the_lock_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / ".writer.lock"
    with FileLock(path, timeout=1):
        pass
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
