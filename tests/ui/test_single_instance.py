"""One instance per user and data folder: later launches reach the running one."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
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


# Another local user (nobody) and the user running the app, both real uids.
SQUATTER_UID = 65534
VICTIM_UID = 65533
VICTIM_NAME = "sec-victim"
REPO = Path(__file__).resolve().parents[2]
two_users = pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() != 0 or shutil.which("setpriv") is None,
    reason="two real users need root and setpriv",
)

# Listens where SEC Desktop used to put its socket (the shared /tmp) and says yes to all.
SQUATTER_CODE = """
import sys
from PySide6.QtCore import QCoreApplication
from PySide6.QtNetwork import QLocalServer
app = QCoreApplication([])
server = QLocalServer()
server.setSocketOptions(QLocalServer.SocketOption.WorldAccessOption)
assert server.listen(sys.argv[1]), server.errorString()
def answer():
    while server.hasPendingConnections():
        s = server.nextPendingConnection()
        print("asked", flush=True)
        s.write(b'{"ok":true,"pid":1,"version":"squatter"}\\n'); s.flush()
server.newConnection.connect(answer)
print("squatting", flush=True)
app.exec()
"""


def as_user(uid: int, *argv: str) -> list[str]:
    return ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", *argv]


def wait_until(condition: Callable[[], object], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def old_shared_name(user: str, data_dir: Path) -> Path:
    """Where versions before the private folder put the socket: guessable by anyone."""
    key = f"{user}\0{data_dir.resolve()}"
    return Path("/tmp") / f"sec-desktop-{hashlib.sha256(key.encode()).hexdigest()[:16]}"


def victim_env(base: Path, with_runtime_dir: bool) -> dict[str, str]:
    home = base / "home"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "USER": VICTIM_NAME,
        "LOGNAME": VICTIM_NAME,
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_STATE_HOME": str(home / ".local/state"),
        "SEC_DESKTOP_DATA_DIR": str(base / "data"),
        "SEC_DESKTOP_CONFIG_DIR": str(base / "config"),
        "SEC_DESKTOP_TRAY_WAIT_S": "0",
        "SEC_DESKTOP_LOG": "info",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "PYTHONPATH": str(REPO),
        "PYTHONUNBUFFERED": "1",
        "QT_QPA_PLATFORM": "offscreen",
    }
    if with_runtime_dir:
        env["XDG_RUNTIME_DIR"] = str(base / "run")
    return env


def give_to(path: Path, uid: int) -> None:
    for entry in [path, *path.rglob("*")]:
        os.chown(entry, uid, uid, follow_symlinks=False)


@two_users
@pytest.mark.parametrize(
    ("squat", "with_runtime_dir"),
    [("socket-and-lock", True), ("socket-and-lock", False), ("lock-symlink", True)],
    ids=["squatted-socket-runtime-dir", "squatted-socket-cache-folder", "lock-symlink"],
)
def test_another_user_squatting_the_shared_temp_folder_does_not_stop_the_app(
    squat: str, with_runtime_dir: bool
) -> None:
    from sec_desktop.settings import load_settings, save_settings

    # The victim's own folders: outside tmp_path, which only root may enter.
    base = Path(tempfile.mkdtemp(prefix="sec-two-users-"))
    processes: list[subprocess.Popen[str]] = []
    squatted: list[Path] = []
    try:
        for sub in ("home", "run", "data", "config"):
            (base / sub).mkdir(mode=0o700)
        config = base / "config"
        save_settings(config, load_settings(config).settings.replace(first_run_done=True))
        give_to(base, VICTIM_UID)
        env = victim_env(base, with_runtime_dir)
        old = old_shared_name(VICTIM_NAME, base / "data")
        old_lock = Path(f"{old}.lock")
        squatted += [old, old_lock]
        if squat == "socket-and-lock":
            squatter = subprocess.Popen(
                as_user(SQUATTER_UID, sys.executable, "-c", SQUATTER_CODE, str(old)),
                stdout=subprocess.PIPE,
                text=True,
                env={**env, "HOME": "/nonexistent", "XDG_RUNTIME_DIR": "/nonexistent"},
            )
            processes.append(squatter)
            assert squatter.stdout is not None
            assert squatter.stdout.readline().strip() == "squatting"
            subprocess.run(as_user(SQUATTER_UID, "touch", str(old_lock)), check=True)
        else:
            subprocess.run(
                as_user(SQUATTER_UID, "ln", "-s", "/tmp/sec-squatter-target", str(old_lock)),
                check=True,
            )
        assert os.lstat(old_lock).st_uid == SQUATTER_UID

        log = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 - closed below
        app = subprocess.Popen(
            as_user(VICTIM_UID, sys.executable, "-m", "sec_desktop"),
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        processes.append(app)

        def app_log() -> str:
            log.seek(0)
            return log.read()

        wait_until(lambda: "ready:" in app_log() or app.poll() is not None, 60, "the app")
        assert app.poll() is None, f"the app did not start:\n{app_log()}"

        def cli(*args: str) -> subprocess.CompletedProcess[str]:
            command = as_user(VICTIM_UID, sys.executable, "-m", "sec_desktop", *args)
            return subprocess.run(
                command, env=env, capture_output=True, text=True, timeout=60, check=False
            )

        status = cli("status", "--format", "json")
        assert status.returncode == 0, status.stderr
        assert json.loads(status.stdout)["pid"] == app.pid  # the app, not the squatter
        assert cli("quit").returncode == 0
        app.wait(timeout=30)
        log.close()
        if squat == "socket-and-lock":
            squatter.terminate()
            assert squatter.communicate(timeout=10)[0] == ""  # nobody ever asked it
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)
        for path in squatted:
            path.unlink(missing_ok=True)
        shutil.rmtree(base, ignore_errors=True)
