"""Notes encrypted with a key in a real Secret Service (gnome-keyring on a private D-Bus).

Each session runs `dbus-run-session` with a throwaway home, starts `gnome-keyring-daemon`
unlocked with a password fed on stdin, and runs the CLI as separate processes in it. The first
session logs notes (the first note turns encryption on by default); the second starts a fresh
keyring daemon over the same home, as after a reboot, and reads the notes back. The data
folder must never hold a note's text or the key.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from sec_desktop import APP_ID
from sec_desktop.privacy.keychain import NOTES_KEY_USERNAME

TOOLS = ("dbus-run-session", "dbus-send", "gnome-keyring-daemon", "secret-tool")
MISSING = [tool for tool in TOOLS if shutil.which(tool) is None]

pytestmark = [
    pytest.mark.skipif(os.name != "posix", reason="D-Bus and gnome-keyring are Linux tools"),
    pytest.mark.skipif(
        bool(MISSING),
        reason=f"needs {', '.join(MISSING)} (Debian packages gnome-keyring, dbus, libsecret-tools)",
    ),
]

MARKER = "MARKER-incident-breach-at-customer-0e6b"
SESSION_TIMEOUT_S = 180
BUS_WAIT_STEPS = 400  # x 0.05 s: how long the script waits for the daemon to own its name

# Starts the keyring daemon in the foreground (so it stays in this process group and is
# reaped here), waits until it owns org.freedesktop.secrets, then runs the steps.
SESSION_PROLOGUE = f"""
set -eu
mkdir -p -m 700 "$XDG_RUNTIME_DIR"
printf '%s' "$KEYRING_PASSWORD" | gnome-keyring-daemon --foreground --unlock \\
    --components=secrets > "$LOG_DIR/keyring-$SESSION.log" 2>&1 &
KEYRING_PID=$!
trap 'kill $KEYRING_PID 2>/dev/null || true; wait $KEYRING_PID 2>/dev/null || true' EXIT
steps=0
until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \\
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null \\
        | grep -q 'boolean true'; do
    steps=$((steps + 1))
    if [ "$steps" -gt {BUS_WAIT_STEPS} ]; then echo "no Secret Service" >&2; exit 3; fi
    sleep 0.05
done
"""


def session_env(root: Path, session: int) -> dict[str, str]:
    home = root / "home"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_STATE_HOME": str(home / ".local/state"),
        "XDG_RUNTIME_DIR": str(root / f"run-{session}"),
        "SEC_DESKTOP_DATA_DIR": str(root / "data"),
        "SEC_DESKTOP_CONFIG_DIR": str(root / "config"),
        "KEYRING_PASSWORD": "throwaway-test-password",
        "LOG_DIR": str(root / "logs"),
        "SESSION": str(session),
    }
    # No PYTHON_KEYRING_BACKEND and no outer D-Bus: keyring must find this Secret Service.
    return env


def run_session(root: Path, session: int, steps: list[list[str]]) -> None:
    """Run `steps` (argv lists) inside one session; each leaves out-, err- and code- files."""
    lines = [SESSION_PROLOGUE]
    for number, argv in enumerate(steps):
        out = root / "logs" / f"out-{session}-{number}.txt"
        err = root / "logs" / f"err-{session}-{number}.txt"
        code = root / "logs" / f"code-{session}-{number}.txt"
        command = " ".join(shlex.quote(a) for a in argv)
        lines.append(
            f"set +e; {command} > {shlex.quote(str(out))} 2> {shlex.quote(str(err))}; "
            f"echo $? > {shlex.quote(str(code))}; set -e"
        )
    script = "\n".join(lines)
    process = subprocess.Popen(
        ["dbus-run-session", "--", "sh", "-c", script],
        env=session_env(root, session),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        _, stderr = process.communicate(timeout=SESSION_TIMEOUT_S)
    finally:
        # Everything the session started shares its process group: stop what is left.
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.communicate(timeout=30)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    if process.returncode != 0:
        logs = {p.name: p.read_text() for p in sorted((root / "logs").glob("*")) if p.is_file()}
        pytest.fail(f"session {session} failed ({process.returncode}): {stderr}\n{logs}")


def app(*args: str) -> list[str]:
    return [sys.executable, "-m", "sec_desktop", "--tz", "UTC", *args]


def output(root: Path, session: int, step: int) -> str:
    return (root / "logs" / f"out-{session}-{step}.txt").read_text("utf-8")


def exit_code(root: Path, session: int, step: int) -> int:
    return int((root / "logs" / f"code-{session}-{step}.txt").read_text())


def errors(root: Path, session: int, step: int) -> str:
    return (root / "logs" / f"err-{session}-{step}.txt").read_text("utf-8")


def files_containing(folder: Path, needle: bytes) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and needle in p.read_bytes()]


@pytest.mark.slow
def test_notes_survive_a_restart_of_app_and_keychain_and_never_sit_in_plain(
    tmp_path: Path,
) -> None:
    root = tmp_path / "secret-service"  # tmp_path/home belongs to the isolated_dirs fixture
    (root / "logs").mkdir(parents=True)
    (root / "home").mkdir(mode=0o700)
    lookup = ["secret-tool", "lookup", "service", APP_ID, "username", NOTES_KEY_USERNAME]
    run_session(
        root,
        1,
        [
            app("log", "incident response", "--minutes", "30", "--note", f"{MARKER} one"),
            app("log", "okr", "--minutes", "20", "--allow-overlap", "--note", f"{MARKER} two"),
            app("encryption", "status"),
            lookup,
        ],
    )
    assert [exit_code(root, 1, step) for step in range(4)] == [0, 0, 0, 0]
    assert "Notes are now encrypted" in errors(root, 1, 0)
    assert errors(root, 1, 1) == ""
    status = output(root, 1, 2)
    assert "Encryption of notes: on" in status
    assert "Keychain: Secret Service, available" in status
    assert "Notes: 2 encrypted, 0 unencrypted, 0 unreadable" in status
    stored_key = output(root, 1, 3).strip()
    assert stored_key.startswith("sec-desktop-notes-key:v1:")
    key_b64 = stored_key.rsplit(":", 1)[1]

    # A new keyring daemon over the same home, and new app processes, read the notes back.
    run_session(
        root,
        2,
        [app("export", "--format", "json", "--include-notes"), app("encryption", "status")],
    )
    assert [exit_code(root, 2, step) for step in range(2)] == [0, 0]
    exported = json.loads(output(root, 2, 0))
    assert sorted(e["note"] for e in exported["entries"]) == [f"{MARKER} one", f"{MARKER} two"]
    assert errors(root, 2, 0) == ""
    assert "Notes: 2 encrypted" in output(root, 2, 1)

    data_dir, config_dir = root / "data", root / "config"
    assert list(data_dir.rglob("*.json"))
    assert files_containing(data_dir, MARKER.encode()) == []
    for folder in (data_dir, config_dir):
        assert files_containing(folder, key_b64.encode()) == []
    # The grep itself works: the export (outside the data folder) does hold the marker.
    assert files_containing(root / "logs", MARKER.encode())


LOCK_COLLECTION = """
import secretstorage
connection = secretstorage.dbus_init()
collection = secretstorage.get_default_collection(connection)
collection.lock()
assert collection.is_locked()
"""


@pytest.mark.slow
def test_a_locked_secret_service_is_reported_and_no_note_is_written_plain(
    tmp_path: Path,
) -> None:
    root = tmp_path / "secret-service"
    (root / "logs").mkdir(parents=True)
    (root / "home").mkdir(mode=0o700)
    run_session(
        root,
        1,
        [
            app("log", "incident response", "--minutes", "30", "--note", f"{MARKER} one"),
            [sys.executable, "-c", LOCK_COLLECTION],
            app("encryption", "status"),
            app("log", "okr", "--minutes", "20", "--allow-overlap", "--note", f"{MARKER} two"),
            app("report", "--from", "2000-01-01"),
        ],
    )
    # With no display the unlock prompt can't show, so the collection stays locked.
    assert [exit_code(root, 1, step) for step in range(5)] == [0, 0, 0, 1, 0]
    status = output(root, 1, 2)
    assert "Keychain: Secret Service, locked" in status
    assert "The keychain is locked: encrypted notes can't be read or saved." in status
    refused = errors(root, 1, 3)
    assert refused.startswith("sec-desktop: nothing was changed: notes in this data folder")
    assert "the keychain is locked" in refused
    # The time is still there; only the note is out of reach, and the report says so.
    assert "Tracked: 30 min in 1 entries" in output(root, 1, 4)
    assert "can't be opened: the keychain is locked" in errors(root, 1, 4)
    assert files_containing(root / "data", MARKER.encode()) == []
