"""A real Wayland session for end-to-end tests: headless sway with a virtual keyboard (wtype),
and on request a private session D-Bus with waybar as the StatusNotifier tray host.

sway refuses to run as root, so under root the compositor and the typing run as an unprivileged
user (nobody) with a runtime folder of its own; the test process, as root, may still connect to
that user's socket. Every process started here runs in its own process group and is stopped by
its PID, also when a test fails.
"""

from __future__ import annotations

import contextlib
import json
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
# What the desktop test adds: the tray host, its bus, the compositor's screenshots.
DESKTOP_TOOLS = ("waybar", "grim", "dbus-daemon", "swaymsg")
WATCHER = "org.kde.StatusNotifierWatcher"
UNPRIVILEGED_ID = 65534  # nobody
START_TIMEOUT_S = 30.0
SWAY_CONFIG = """\
output HEADLESS-1 resolution 1280x800
xwayland disable
focus_follows_mouse no
"""


def missing_tools(*extra: str) -> list[str]:
    tools = [*REQUIRED_TOOLS, *extra]
    if os.geteuid() == 0:
        tools.append("setpriv")
    return [tool for tool in tools if shutil.which(tool) is None]


@dataclass
class WaylandSession:
    runtime_dir: Path
    display: str
    env: dict[str, str]
    log: Path
    # The session's own folder (readable by its user), for files its clients write.
    base: Path

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

    def output(self, *args: str, env: dict[str, str] | None = None, timeout_s: float = 30.0) -> str:
        """Run a client as the session's user and return what it printed; SessionError if it
        failed."""
        done = subprocess.run(
            [*_as_session_user(), *args],
            env=env or self.env,
            capture_output=True,
            text=True,
            timeout=timeout_s,
            check=False,
        )
        if done.returncode != 0:
            raise SessionError(f"{' '.join(args)} exited with {done.returncode}: {done.stderr}")
        return done.stdout

    def tree(self) -> dict[str, Any]:
        """sway's window tree (`swaymsg -t get_tree`)."""
        tree: dict[str, Any] = json.loads(self.output("swaymsg", "-t", "get_tree", "--raw"))
        return tree

    def windows(self) -> list[dict[str, Any]]:
        """Every mapped application window in the tree."""
        found: list[dict[str, Any]] = []
        stack = [self.tree()]
        while stack:
            node = stack.pop()
            if node.get("pid") is not None:
                found.append(node)
            stack.extend(node.get("nodes", []) + node.get("floating_nodes", []))
        return found

    def focused(self) -> dict[str, Any] | None:
        return next((w for w in self.windows() if w.get("focused")), None)

    def screenshot(self, path: Path) -> None:
        """The whole output, taken by the compositor (grim), copied to `path`."""
        shot = self.base / "home" / "shot.png"  # where the session's user may write
        self.output("grim", str(shot))
        shutil.copyfile(shot, path)


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


def session_user_problem(python: str, checkout: Path) -> str | None:
    """Why the session's user can't run the app from `checkout` with `python` (None: it can).

    Under root the app runs as nobody, which must be able to read the interpreter, its
    packages and the checkout; an interpreter under /root usually is out of its reach.
    """
    done = subprocess.run(
        [*_as_session_user(), python, "-c", "import PySide6.QtWidgets, sec_desktop"],
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(checkout)},
        cwd="/",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if done.returncode == 0:
        return None
    return (
        f"the user {UNPRIVILEGED_ID} (nobody), who runs the Wayland session, can't run the app "
        f"with {python} from {checkout}: make both readable by that user "
        f"({done.stderr.strip().splitlines()[-1] if done.stderr.strip() else 'no output'})"
    )


BUS_CONFIG = """\
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <!-- the session's user, and the test (root) asking the tray's state -->
    <allow user="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""
WAYBAR_CONFIG = {
    "layer": "top",
    "position": "top",
    "height": 30,
    "modules-left": ["sway/workspaces"],
    "modules-right": ["tray"],
    "tray": {"icon-size": 20, "spacing": 8},
}


def bus_has_name(address: str, name: str) -> bool:
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    bus = DBusAddress("/org/freedesktop/DBus", "org.freedesktop.DBus", "org.freedesktop.DBus")
    with open_dbus_connection(address) as connection:
        reply = connection.send_and_get_reply(new_method_call(bus, "NameHasOwner", "s", (name,)))
    return bool(reply.body[0])


@contextlib.contextmanager
def sway_session(sway_config: str = "", tray: bool = False) -> Iterator[WaylandSession]:
    """Headless sway with a keyboard kept attached; yields once its socket is up.

    `sway_config` is added to the compositor's configuration. With `tray`, a private session
    bus runs first and waybar, the tray host, owns the StatusNotifierWatcher before this
    yields; `env` then holds the bus address and sway's IPC socket.
    """
    # Not under pytest's tmp_path: that sits in root's private folder, out of nobody's reach.
    base = Path(tempfile.mkdtemp(prefix="sec-desktop-sway-"))
    base.chmod(0o755)
    runtime = base / "runtime"
    home = base / "home"
    for folder in (runtime, home):
        folder.mkdir(mode=0o700)
        _give_to_session_user(folder)
    config = base / "sway.config"
    config.write_text(SWAY_CONFIG + sway_config)
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
        if tray:
            bus_socket = runtime / "bus"
            bus_config = base / "bus.conf"
            bus_config.write_text(BUS_CONFIG.format(socket=bus_socket))
            bus_config.chmod(0o644)
            processes.append(
                subprocess.Popen(
                    [
                        *_as_session_user(),
                        *("dbus-daemon", "--nofork", "--nopidfile"),
                        f"--config-file={bus_config}",
                    ],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )
            )
            wait_for(bus_socket.is_socket, START_TIMEOUT_S, "the session bus")
            env["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={bus_socket}"
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

        sway = processes[-1]

        def display_name() -> str | None:
            if sway.poll() is not None:
                raise SessionError(f"sway exited early: {log.read_text(errors='replace')}")
            sockets = sorted(p.name for p in runtime.glob("wayland-*") if p.is_socket())
            return sockets[0] if sockets else None

        display = wait_for(display_name, START_TIMEOUT_S, "sway's Wayland socket")
        session = WaylandSession(runtime, display, {**env, "WAYLAND_DISPLAY": display}, log, base)
        if tray:
            ipc = wait_for(
                lambda: next(runtime.glob("sway-ipc.*.sock"), None),
                START_TIMEOUT_S,
                "sway's IPC socket",
            )
            session.env["SWAYSOCK"] = str(ipc)
            session.env["XDG_CURRENT_DESKTOP"] = "sway"
            session.env["XDG_SESSION_TYPE"] = "wayland"
            waybar_config = base / "waybar.json"
            waybar_config.write_text(json.dumps(WAYBAR_CONFIG))
            waybar_config.chmod(0o644)
            processes.append(session.start("waybar", "-c", str(waybar_config)))
            address = session.env["DBUS_SESSION_BUS_ADDRESS"]
            wait_for(
                lambda: processes[-1].poll() is None and bus_has_name(address, WATCHER),
                START_TIMEOUT_S,
                "waybar's StatusNotifierWatcher",
            )
        # A headless seat has no keyboard; a short-lived wtype loses its first keys, so one
        # stays attached for the whole session.
        processes.append(session.start("wtype", "-s", "3600000"))
        yield session
    finally:
        for process in reversed(processes):
            stop_process(process)
        shutil.rmtree(base, ignore_errors=True)
