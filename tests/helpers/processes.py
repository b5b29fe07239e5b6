"""Processes the tests start, each stopped by its PID (its process group), also when the
test fails: processes started together for race tests, each waiting for "go" on its stdin so
they all begin at once; and a private session D-Bus."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from typing import Any


def stop_process(process: subprocess.Popen[Any], timeout_s: float = 5.0) -> None:
    """Terminate a process group politely, then kill it."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout_s)


@contextlib.contextmanager
def private_session_bus(env: Mapping[str, str] | None = None) -> Iterator[str]:
    """A session D-Bus of its own (dbus-daemon, Debian package dbus); yields its address."""
    daemon = subprocess.Popen(
        ["dbus-daemon", "--session", "--nofork", "--nopidfile", "--print-address=1"],
        env=None if env is None else dict(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    try:
        assert daemon.stdout is not None
        address = daemon.stdout.readline().strip()
        if not address:
            raise RuntimeError("dbus-daemon printed no address")
        yield address
    finally:
        stop_process(daemon)
        if daemon.stdout is not None:
            daemon.stdout.close()


def run_together(
    commands: Sequence[Sequence[str]], timeout_s: float = 120
) -> tuple[list[int], list[str]]:
    """Start `commands`, release them at once, and return their exit codes and stdouts."""
    procs = [
        subprocess.Popen(list(command), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        for command in commands
    ]
    try:
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        outputs = [proc.communicate(timeout=timeout_s)[0] for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return [proc.returncode for proc in procs], outputs
