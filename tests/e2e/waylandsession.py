"""A real Wayland session for end-to-end tests: headless sway with a virtual keyboard (wtype).

sway refuses to run as root, so under root the compositor and the typing run as an unprivileged
user (nobody) with a runtime folder of its own; the test process, as root, may still connect to
that user's socket. Every process started here runs in its own process group and is stopped by
its PID, also when a test fails.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.e2e.xsession import SessionError, stop_process, wait_for

REQUIRED_TOOLS = ("sway", "wtype")
UNPRIVILEGED_ID = 65534  # nobody
START_TIMEOUT_S = 30.0
SWAY_CONFIG = """\
output HEADLESS-1 resolution 1280x800
xwayland disable
focus_follows_mouse no
"""


def missing_tools() -> list[str]:
    tools = list(REQUIRED_TOOLS)
    if os.geteuid() == 0:
        tools.append("setpriv")
    return [tool for tool in tools if shutil.which(tool) is None]


@dataclass
class WaylandSession:
    runtime_dir: Path
    display: str
    env: dict[str, str]
    log: Path

    @property
    def socket(self) -> Path:
        return self.runtime_dir / self.display

    def client_env(self) -> dict[str, str]:
        """What a client of this compositor needs in its environment."""
        return {"XDG_RUNTIME_DIR": str(self.runtime_dir), "WAYLAND_DISPLAY": self.display}

    def start(self, *args: str) -> subprocess.Popen[Any]:
        """Run a client of this session (as the session's user), in its own process group."""
        return subprocess.Popen(
            [*_as_session_user(), *args],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def run(self, *args: str, timeout_s: float = 20.0) -> None:
        process = self.start(*args)
        try:
            code = process.wait(timeout=timeout_s)
        finally:
            stop_process(process)
        if code != 0:
            raise SessionError(f"{' '.join(args)} exited with {code}")


def _as_session_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    return [
        "setpriv",
        f"--reuid={UNPRIVILEGED_ID}",
        f"--regid={UNPRIVILEGED_ID}",
        "--clear-groups",
        "--",
    ]


def _give_to_session_user(path: Path) -> None:
    if os.geteuid() == 0:
        os.chown(path, UNPRIVILEGED_ID, UNPRIVILEGED_ID)


@contextlib.contextmanager
def sway_session() -> Iterator[WaylandSession]:
    """Headless sway with a keyboard kept attached; yields once its socket is up."""
    # Not under pytest's tmp_path: that sits in root's private folder, out of nobody's reach.
    base = Path(tempfile.mkdtemp(prefix="sec-desktop-sway-"))
    base.chmod(0o755)
    runtime = base / "runtime"
    home = base / "home"
    for folder in (runtime, home):
        folder.mkdir(mode=0o700)
        _give_to_session_user(folder)
    config = base / "sway.config"
    config.write_text(SWAY_CONFIG)
    config.chmod(0o644)
    log = base / "sway.log"
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "XDG_RUNTIME_DIR": str(runtime),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "WLR_BACKENDS": "headless",
        "WLR_LIBINPUT_NO_DEVICES": "1",
        "WLR_RENDERER": "pixman",
    }
    processes: list[subprocess.Popen[Any]] = []
    try:
        with log.open("wb") as log_file:
            processes.append(
                subprocess.Popen(
                    [*_as_session_user(), "sway", "-c", str(config)],
                    env=env,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            )

        def display_name() -> str | None:
            if processes[0].poll() is not None:
                raise SessionError(f"sway exited early: {log.read_text(errors='replace')}")
            sockets = sorted(p.name for p in runtime.glob("wayland-*") if p.is_socket())
            return sockets[0] if sockets else None

        display = wait_for(display_name, START_TIMEOUT_S, "sway's Wayland socket")
        session = WaylandSession(runtime, display, {**env, "WAYLAND_DISPLAY": display}, log)
        # A headless seat has no keyboard; a short-lived wtype loses its first keys, so one
        # stays attached for the whole session.
        processes.append(session.start("wtype", "-s", "3600000"))
        yield session
    finally:
        for process in reversed(processes):
            stop_process(process)
        shutil.rmtree(base, ignore_errors=True)
