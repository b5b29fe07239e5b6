"""One instance per user and data folder: later launches reach the running one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtNetwork import QLocalServer

from sec_desktop.platform.single_instance import (
    InstanceServer,
    nesting_depth,
    send_to_running,
    server_name,
)


def test_names_differ_per_data_folder(tmp_path: Path) -> None:
    assert server_name(tmp_path / "a") != server_name(tmp_path / "b")
    assert server_name(tmp_path / "a") == server_name(tmp_path / "x" / ".." / "a")


def ask_from_another_process(name: str, command: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import json, sys\n"
        "from sec_desktop.platform.single_instance import send_to_running\n"
        "print(json.dumps(send_to_running(sys.argv[1], {'command': sys.argv[2]})))\n"
    )
    return subprocess.Popen(  # type: ignore[return-value]
        [sys.executable, "-c", code, name, command],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )


def finish(child: subprocess.Popen[str]) -> None:
    if child.poll() is None:
        child.kill()
    if child.stdout is not None and not child.stdout.closed:
        child.communicate()
    child.wait()


def test_a_second_launch_is_forwarded(qtbot, tmp_path: Path) -> None:
    server = InstanceServer(server_name(tmp_path / "data"))
    server.listen()
    received: list[tuple[str, dict]] = []

    def handle(command: str, message: dict) -> None:
        received.append((command, message))
        server.reply = {"ok": True, "seen": command}

    server.requested.connect(handle)
    child = ask_from_another_process(server.name, "prompt")
    try:
        qtbot.waitUntil(lambda: child.poll() is not None, timeout=15000)
        assert child.communicate()[0].strip() == '{"ok": true, "seen": "prompt"}'
    finally:
        finish(child)
        server.close()
    assert received == [("prompt", {"command": "prompt"})]


def test_unknown_commands_are_refused(qtbot, tmp_path: Path) -> None:
    server = InstanceServer(server_name(tmp_path / "data"))
    server.listen()
    seen: list[str] = []
    server.requested.connect(lambda c, m: seen.append(c))
    child = ask_from_another_process(server.name, "format-disk")
    try:
        qtbot.waitUntil(lambda: child.poll() is not None, timeout=15000)
        assert '"ok": false' in child.communicate()[0]
    finally:
        finish(child)
        server.close()
    assert seen == []


def test_nothing_running_means_none(tmp_path: Path) -> None:
    assert send_to_running(server_name(tmp_path / "nobody"), {"command": "status"}) is None


def test_a_stale_socket_from_a_crash_does_not_block_start(qtbot, tmp_path: Path) -> None:
    if sys.platform == "win32":
        pytest.skip("named pipes vanish with their process on Windows")
    name = server_name(tmp_path / "data")
    # A process that listens and is then killed leaves its socket file behind.
    code = (
        "import sys, os, signal\n"
        "from PySide6.QtCore import QCoreApplication\n"
        "from PySide6.QtNetwork import QLocalServer\n"
        "app = QCoreApplication([])\n"
        "s = QLocalServer(); assert s.listen(sys.argv[1]); print(s.fullServerName(), flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    crashed = subprocess.run(
        [sys.executable, "-c", code, name], capture_output=True, text=True, timeout=30, check=False
    )
    socket_path = Path(crashed.stdout.strip())
    assert socket_path.exists(), "the crashed process should have left its socket behind"
    blocked = QLocalServer()
    assert not blocked.listen(name)  # plain Qt would refuse to start
    server = InstanceServer(name)
    server.listen()
    server.close()


def test_a_running_instance_blocks_a_second_server(qtbot, tmp_path: Path) -> None:
    first = InstanceServer(server_name(tmp_path / "data"))
    first.listen()
    second = InstanceServer(first.name)
    child = None
    try:
        # The second server's probe is answered while this process's event loop runs
        # (qtbot.waitUntil), so the second server lives in a helper process.
        code = (
            "import sys\n"
            "from sec_desktop.platform.single_instance import InstanceServer, InstanceError\n"
            "from PySide6.QtCore import QCoreApplication\n"
            "app = QCoreApplication([])\n"
            "try:\n"
            "    InstanceServer(sys.argv[1]).listen()\n"
            "except InstanceError as exc:\n"
            "    print('refused:', exc)\n"
        )
        child = subprocess.Popen(
            [sys.executable, "-c", code, first.name], stdout=subprocess.PIPE, text=True
        )
        qtbot.waitUntil(lambda: child.poll() is not None, timeout=15000)
        out = child.communicate()[0]
        assert out.startswith("refused: another SEC Desktop is already running")
    finally:
        if child is not None:
            finish(child)
        first.close()
        second.close()


def test_nesting_depth_skips_brackets_in_strings() -> None:
    assert nesting_depth(b'{"command":"status"}') == 1
    assert nesting_depth(b'{"a":"[[[{\\"}","b":[[1]]}') == 3
    assert nesting_depth(b"[" * 50 + b"]" * 50) == 50


def send_raw_from_another_process(name: str, payload: Path) -> subprocess.Popen[str]:
    """Write the file `payload` as is; print the reply line and whether the server hung up."""
    code = (
        "import sys\n"
        "from PySide6.QtCore import QCoreApplication\n"
        "from PySide6.QtNetwork import QLocalSocket\n"
        "app = QCoreApplication([])\n"
        "s = QLocalSocket(); s.connectToServer(sys.argv[1])\n"
        "assert s.waitForConnected(5000)\n"
        "s.write(open(sys.argv[2], 'rb').read()); s.waitForBytesWritten(5000)\n"
        "reply = b''\n"
        "while b'\\n' not in reply and s.waitForReadyRead(5000):\n"
        "    reply += bytes(s.readAll().data())\n"
        "closed = s.state() == QLocalSocket.LocalSocketState.UnconnectedState\n"
        "closed = closed or s.waitForDisconnected(5000)\n"
        "print(reply.decode().strip()); print('closed' if closed else 'open')\n"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code, name, str(payload)], stdout=subprocess.PIPE, text=True
    )


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        # 20,000 levels: json.loads recursed until RecursionError inside the app's slot.
        (b"[" * 20_000 + b"]" * 20_000 + b"\n", "nested too deeply"),
        (b'{"command":' * 5_000 + b'"status"' + b"}" * 5_000 + b"\n", "nested too deeply"),
        (b'{"command": "status", "pad": "' + b"x" * 200_000 + b'"}\n', "too long"),
        (b"x" * 200_000, "too long"),  # no newline at all
    ],
    ids=["deep-array", "deep-object", "long-line", "endless-line"],
)
def test_a_hostile_message_gets_an_error_and_the_server_stays_usable(
    qtbot, tmp_path: Path, payload: bytes, error: str
) -> None:
    server = InstanceServer(server_name(tmp_path / "data"))
    server.listen()
    seen: list[str] = []
    server.requested.connect(lambda c, m: seen.append(c))
    payload_file = tmp_path / "payload"
    payload_file.write_bytes(payload)
    hostile = send_raw_from_another_process(server.name, payload_file)
    child = None
    try:
        qtbot.waitUntil(lambda: hostile.poll() is not None, timeout=15000)
        reply, state = hostile.communicate()[0].splitlines()
        assert '"ok":false' in reply and error in reply
        assert state == "closed"
        # The server still answers the next request.
        child = ask_from_another_process(server.name, "status")
        qtbot.waitUntil(lambda: child.poll() is not None, timeout=15000)
        assert child.communicate()[0].strip() == '{"ok": true}'
    finally:
        finish(hostile)
        if child is not None:
            finish(child)
        server.close()
    assert seen == ["status"]
