"""A real X session for end-to-end tests and the tray benchmark: Xvfb on a free display,
trayer as the system tray host, xdotool for typing, and the app started as a real process.

Every process started here is stopped by the context managers, also when a test fails.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from sec_desktop.settings import load_settings, save_settings
from sec_desktop.store import Entry, EntryStore
from sec_desktop.store.entry import utc_now
from tests.helpers.processes import private_session_bus, stop_process

REQUIRED_TOOLS = ("Xvfb", "trayer", "xdotool", "xwininfo")
SCREEN = "1280x800x24"
# Generous: CI machines are shared, and a wait ends as soon as its condition holds.
START_TIMEOUT_S = 60.0
# A dark panel along the top right, sized to its icons, docked like a real desktop's panel.
TRAYER_OPTIONS = (
    *("--edge", "top", "--align", "right", "--widthtype", "request", "--height", "28"),
    *("--transparent", "false", "--tint", "0x2d2d2d", "--SetDockType", "true"),
    *("--expand", "true"),
)
POLL_S = 0.05


class SessionError(Exception):
    pass


def missing_tools() -> list[str]:
    return [tool for tool in REQUIRED_TOOLS if shutil.which(tool) is None]


def wait_for(
    condition: Callable[[], Any], timeout_s: float, what: str, poll_s: float = POLL_S
) -> Any:
    """Poll `condition` until it returns something truthy; SessionError after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise SessionError(f"timed out after {timeout_s:.0f} s waiting for {what}")
        time.sleep(poll_s)


@dataclass
class XSession:
    display: str
    env: dict[str, str]

    def run(self, *args: str, check: bool = True) -> str:
        result = subprocess.run(
            args, env=self.env, capture_output=True, text=True, timeout=20, check=False
        )
        if check and result.returncode != 0:
            raise SessionError(f"{' '.join(args)} failed: {result.stderr.strip()}")
        return result.stdout

    def window_tree(self) -> str:
        return self.run("xwininfo", "-root", "-tree", check=False)

    def tray_children(self) -> list[str]:
        """The names of the windows embedded in trayer's panel (one per tray icon)."""
        tree = self.window_tree().splitlines()
        names: list[str] = []
        inside = False
        panel_indent = 0
        for line in tree:
            indent = len(line) - len(line.lstrip())
            if '"panel": ("panel" "trayer")' in line:
                inside, panel_indent = True, indent
                continue
            if inside and indent <= panel_indent and line.strip():
                inside = False
            if inside:
                match = re.search(r'0x[0-9a-f]+ "([^"]+)"', line)
                if match:
                    names.append(match.group(1))
        return names

    def tray_icon_geometry(self, name: str) -> tuple[int, int, int, int] | None:
        """Absolute x, y, width, height of the embedded icon window called `name`."""
        for line in self.window_tree().splitlines():
            if f'"{name}": ("' in line:
                match = re.search(r"(\d+)x(\d+)\+-?\d+\+-?\d+\s+\+(-?\d+)\+(-?\d+)", line)
                if match:
                    w, h, x, y = (int(g) for g in match.groups())
                    return x, y, w, h
        return None

    def find_window(self, name_pattern: str) -> str | None:
        out = self.run("xdotool", "search", "--onlyvisible", "--name", name_pattern, check=False)
        ids = out.split()
        return ids[-1] if ids else None

    def screenshot(self, path: Path) -> None:
        """Grab the whole screen with Qt in a separate process (no ImageMagick needed)."""
        code = (
            "import sys\n"
            "from PySide6.QtGui import QGuiApplication\n"
            "app = QGuiApplication(sys.argv[:1])\n"
            "shot = app.primaryScreen().grabWindow(0)\n"
            "sys.exit(0 if shot.save(sys.argv[1]) else 1)\n"
        )
        env = {**self.env, "QT_QPA_PLATFORM": "xcb"}
        subprocess.run([sys.executable, "-c", code, str(path)], env=env, check=True, timeout=30)


@contextlib.contextmanager
def x_session(base_env: Mapping[str, str], with_tray: bool = True) -> Iterator[XSession]:
    """Xvfb on a display it picks itself (-displayfd: never a clash), plus trayer."""
    read_fd, write_fd = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", SCREEN, "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    os.close(write_fd)
    processes: list[subprocess.Popen[Any]] = [xvfb]
    try:
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()
        if not number:
            raise SessionError("Xvfb did not report a display number")
        env = {**base_env, "DISPLAY": f":{number}", "QT_QPA_PLATFORM": "xcb"}
        env.pop("WAYLAND_DISPLAY", None)
        session = XSession(display=f":{number}", env=env)
        if with_tray:
            _start_trayer(session, processes)
        yield session
    finally:
        for process in reversed(processes):
            stop_process(process)


TRAYER_ATTEMPTS = 3


def _start_trayer(session: XSession, processes: list[subprocess.Popen[Any]]) -> None:
    """trayer, waited for until its panel is mapped. On a loaded machine it now and then exits
    before mapping it (seen beside an AT-SPI bus); it is started again then, and its own
    words are in the error when every attempt failed."""
    errors: list[str] = []
    for _ in range(TRAYER_ATTEMPTS):
        with tempfile.TemporaryFile("w+") as stderr:
            trayer = subprocess.Popen(
                ["trayer", *TRAYER_OPTIONS],
                env=session.env,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                start_new_session=True,
            )
            processes.append(trayer)

            def panel_or_exit(process: subprocess.Popen[Any] = trayer) -> str | None:
                if '"panel": ("panel" "trayer")' in session.window_tree():
                    return "panel"
                return "exited" if process.poll() is not None else None

            if wait_for(panel_or_exit, START_TIMEOUT_S, "trayer's panel") == "panel":
                return
            stderr.seek(0)
            errors.append(f"exit {trayer.returncode}: {stderr.read().strip()[-500:]}")
    raise SessionError(f"trayer exited before showing its panel: {'; '.join(errors)}")


def dunstctl(env: Mapping[str, str], *args: str) -> str:
    """dunstctl's output, against the dunst that `env` reaches."""
    done = subprocess.run(
        ["dunstctl", *args], env=dict(env), capture_output=True, text=True, timeout=10, check=False
    )
    return done.stdout


@contextlib.contextmanager
def dunst_on_own_bus(session: XSession, config: Path | None = None) -> Iterator[dict[str, str]]:
    """A session bus of its own with dunst on it, in `session`'s X server; both stopped by
    PID. Yields the environment that reaches them."""
    with private_session_bus() as address:
        env = {**session.env, "DBUS_SESSION_BUS_ADDRESS": address}
        server = subprocess.Popen(
            ["dunst", *(("-config", str(config)) if config is not None else ())],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            wait_for(lambda: dunstctl(env, "is-paused").strip() == "false", 20, "dunst on the bus")
            yield env
        finally:
            stop_process(server)


# How the tests start the app from source; the installer test passes the installed launcher.
SOURCE_COMMAND = (sys.executable, "-m", "sec_desktop")


@dataclass
class AppProcess:
    process: subprocess.Popen[Any]
    log_path: Path
    env: dict[str, str]
    command: tuple[str, ...] = SOURCE_COMMAND

    def cli(self, *args: str, timeout_s: float = 30) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self.command, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


@contextlib.contextmanager
def app_process(
    env: Mapping[str, str],
    *args: str,
    ready_line: str = "ready:",
    command: Sequence[str] = SOURCE_COMMAND,
) -> Iterator[AppProcess]:
    """Start `COMMAND ARGS` (the app from source unless told) and wait for its "ready" line."""
    log_file = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed in the finally below
        prefix="sec-desktop-app-", suffix=".log", delete=False
    )
    log_path = Path(log_file.name)
    full_env = {**env, "SEC_DESKTOP_LOG": "info", "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [*command, *args],
        env=full_env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    app = AppProcess(process, log_path, dict(full_env), tuple(command))
    try:
        try:
            wait_for(
                lambda: ready_line in app.log() or process.poll() is not None,
                START_TIMEOUT_S,
                "the app's ready line",
            )
        except SessionError as exc:
            raise SessionError(f"{exc}; the app's log so far:\n{app.log()}") from None
        if process.poll() is not None:
            raise SessionError(f"the app exited early ({process.returncode}):\n{app.log()}")
        yield app
    finally:
        if process.poll() is None:
            app.cli("quit", timeout_s=10)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=10)
        stop_process(process)
        log_file.close()
        log_path.unlink(missing_ok=True)


# What every X end-to-end file is marked with: e2e, and skipped where the tools are missing
# (never on CI, where they must be there).
E2E_MARKS = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        bool(missing_tools()) and not os.environ.get("CI"),
        reason=f"end-to-end tools missing: {missing_tools()}",
    ),
]
# How long the app waits for trayer's tray before it shows its own window instead.
TRAY_WAIT_ENV = {"SEC_DESKTOP_TRAY_WAIT_S": "15"}


def returning_user(config_dir: Path, **changes: Any) -> None:
    """Settings of someone past the first-run orientation (which has tests of its own), with
    `changes` on top."""
    settings = load_settings(config_dir).settings
    save_settings(config_dir, settings.replace(first_run_done=True, **changes))


def tray_app(session: XSession, *args: str) -> contextlib.AbstractContextManager[AppProcess]:
    """The app started in `session`, waiting for its tray host."""
    return app_process({**session.env, **TRAY_WAIT_ENV}, *args)


def stored_entries(data_dir: Path) -> list[Entry]:
    """The entries of the last day, read from the data folder as another process would."""
    store = EntryStore(data_dir, "e2e-reader", clock=utc_now)
    try:
        now = utc_now()
        return store.entries(now - timedelta(days=1), now + timedelta(minutes=1))
    finally:
        store.close()
