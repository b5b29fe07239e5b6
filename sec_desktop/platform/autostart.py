"""Start at login: an XDG autostart entry (Linux), a LaunchAgent (macOS), a Run key (Windows).

One small function per OS and action, picked from a table by `sys.platform`. Every call is
idempotent, and every failure is an `AutostartError` that says what could not be done. Paths
go through `_home()` and `$XDG_CONFIG_HOME`, and the registry through `_winreg()`, so tests
point them at a temporary home and a fake registry.
"""

from __future__ import annotations

import importlib
import os
import plistlib
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from sec_desktop import APP_ID, APP_NAME

RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
DESKTOP_FILE = f"{APP_ID}.desktop"
PLIST_FILE = f"{APP_ID}.plist"


class AutostartError(Exception):
    """Start at login could not be changed or read; the message says where and why."""


def launch_command() -> list[str]:
    """How to start this app: the frozen executable, or this Python running the package."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, "-m", "sec_desktop"]


def _home() -> Path:
    return Path.home()


def _winreg() -> Any:
    return importlib.import_module("winreg")


def _write_private(path: Path, data: bytes) -> None:
    from sec_desktop.store.atomic import atomic_write_bytes

    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(path, data)


# Linux and other XDG desktops -----------------------------------------------------------------


def _xdg_path() -> Path:
    config = os.environ.get("XDG_CONFIG_HOME")
    base = Path(config) if config and Path(config).is_absolute() else _home() / ".config"
    return base / "autostart" / DESKTOP_FILE


def _desktop_quote(argument: str) -> str:
    """One Exec argument per the Desktop Entry spec: quoted if needed, % doubled."""
    argument = argument.replace("%", "%%")
    if argument and not any(c in argument for c in " \t\n\"'\\><~|&;$*?#()`"):
        return argument
    escaped = "".join("\\" + c if c in '"`$\\' else c for c in argument)
    return f'"{escaped}"'


def _xdg_enable(command: Sequence[str]) -> None:
    # The file's own string escape applies on top of the Exec quoting, so \ doubles again.
    exec_line = " ".join(_desktop_quote(arg) for arg in command).replace("\\", "\\\\")
    text = (
        "[Desktop Entry]\n"
        "Type=Application\n"
        f"Name={APP_NAME}\n"
        "Comment=Where your time goes, against the SEC framework\n"
        f"Exec={exec_line}\n"
        f"Icon={APP_ID}\n"
        "Terminal=false\n"
        "X-GNOME-Autostart-enabled=true\n"
    )
    _write_private(_xdg_path(), text.encode())


def _xdg_disable() -> None:
    _xdg_path().unlink(missing_ok=True)


def _xdg_is_enabled() -> bool:
    path = _xdg_path()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return False
    # Desktops switch an entry off in place instead of deleting it.
    values = dict(line.split("=", 1) for line in lines if "=" in line)
    return values.get("Hidden") != "true" and values.get("X-GNOME-Autostart-enabled") != "false"


# macOS ----------------------------------------------------------------------------------------


def _mac_path() -> Path:
    return _home() / "Library" / "LaunchAgents" / PLIST_FILE


def _mac_enable(command: Sequence[str]) -> None:
    agent = {
        "Label": APP_ID,
        "ProgramArguments": list(command),
        "RunAtLoad": True,
        "ProcessType": "Interactive",
    }
    _write_private(_mac_path(), plistlib.dumps(agent))


def _mac_disable() -> None:
    _mac_path().unlink(missing_ok=True)


def _mac_is_enabled() -> bool:
    try:
        agent = plistlib.loads(_mac_path().read_bytes())
    except FileNotFoundError:
        return False
    except plistlib.InvalidFileException as exc:
        raise AutostartError(f"{_mac_path()} is not a readable property list: {exc}") from exc
    return isinstance(agent, dict) and agent.get("Label") == APP_ID and bool(agent.get("RunAtLoad"))


# Windows --------------------------------------------------------------------------------------


def _win_enable(command: Sequence[str]) -> None:
    winreg = _winreg()
    with winreg.CreateKeyEx(winreg.HKEY_CURRENT_USER, RUN_KEY, 0, winreg.KEY_SET_VALUE) as key:
        winreg.SetValueEx(key, APP_NAME, 0, winreg.REG_SZ, subprocess.list2cmdline(command))


def _win_disable() -> None:
    winreg = _winreg()
    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY, 0, winreg.KEY_SET_VALUE) as key:
            winreg.DeleteValue(key, APP_NAME)
    except FileNotFoundError:
        pass  # no Run key, or no value in it: already off


def _win_is_enabled() -> bool:
    winreg = _winreg()
    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY, 0, winreg.KEY_READ) as key:
            winreg.QueryValueEx(key, APP_NAME)
    except FileNotFoundError:
        return False
    return True


# The table ------------------------------------------------------------------------------------


class Backend(NamedTuple):
    where: Callable[[], str]
    enable: Callable[[Sequence[str]], None]
    disable: Callable[[], None]
    is_enabled: Callable[[], bool]


BACKENDS: dict[str, Backend] = {
    "linux": Backend(lambda: str(_xdg_path()), _xdg_enable, _xdg_disable, _xdg_is_enabled),
    "darwin": Backend(lambda: str(_mac_path()), _mac_enable, _mac_disable, _mac_is_enabled),
    "win32": Backend(
        lambda: f"HKEY_CURRENT_USER\\{RUN_KEY}", _win_enable, _win_disable, _win_is_enabled
    ),
}


def _backend(platform: str | None) -> Backend:
    name = platform or sys.platform
    if name.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        name = "linux"
    try:
        return BACKENDS[name]
    except KeyError:
        raise AutostartError(f"start at login is not supported on {name}") from None


def enable(command: Sequence[str] | None = None, *, platform: str | None = None) -> None:
    """Start `command` (default: this app) at login; replaces an older entry of ours."""
    backend = _backend(platform)
    command = list(command) if command is not None else launch_command()
    if not command or not all(command):
        raise AutostartError("start at login needs a command to run")
    if any("\n" in arg or "\r" in arg for arg in command):
        raise AutostartError(f"start at login can't run a command with a line break: {command!r}")
    try:
        backend.enable(command)
    except OSError as exc:
        raise AutostartError(
            f"could not turn on start at login in {backend.where()}: {exc}"
        ) from exc


def disable(*, platform: str | None = None) -> None:
    """Stop starting at login; nothing to do if it was off."""
    backend = _backend(platform)
    try:
        backend.disable()
    except OSError as exc:
        raise AutostartError(
            f"could not turn off start at login in {backend.where()}: {exc}"
        ) from exc


def is_enabled(*, platform: str | None = None) -> bool:
    backend = _backend(platform)
    try:
        return backend.is_enabled()
    except OSError as exc:
        raise AutostartError(f"could not read {backend.where()}: {exc}") from exc


def set_enabled(enabled: bool, command: Sequence[str] | None = None) -> None:
    """`enable(command)` or `disable()`."""
    if enabled:
        enable(command)
    else:
        disable()
