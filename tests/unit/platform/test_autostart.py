"""Start at login on all three systems, each against a temporary home (and a fake registry
for Windows): enable, disable, read back, idempotence, and entries switched off in place."""

from __future__ import annotations

import plistlib
import shlex
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from sec_desktop import APP_ID, APP_NAME
from sec_desktop.platform import autostart
from sec_desktop.platform.autostart import AutostartError

COMMAND = ["/opt/SEC Desktop/bin/sec-desktop", "--tz", "Europe/Berlin", "100%", 'say "hi"']


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "fake-home"
    home.mkdir()
    monkeypatch.setattr(autostart, "_home", lambda: home)
    return home


# Linux ------------------------------------------------------------------------------------


def desktop_exec_arguments(value: str) -> list[str]:
    """Undo the Desktop Entry escapes: the string escape first, then the Exec quoting."""
    unescaped = value.replace("\\\\", "\\")
    arguments = shlex.split(unescaped)  # the spec's quoting is a subset of the shell's
    return [a.replace("%%", "%") for a in arguments]


def read_desktop(path: Path) -> dict[str, str]:
    lines = path.read_text().splitlines()
    assert lines[0] == "[Desktop Entry]"
    return dict(line.split("=", 1) for line in lines[1:])


def test_linux_autostart_file_in_xdg_config_home(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "xdg-config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(config))
    assert not autostart.is_enabled(platform="linux")
    autostart.enable(COMMAND, platform="linux")
    path = config / "autostart" / f"{APP_ID}.desktop"
    entry = read_desktop(path)
    assert entry["Type"] == "Application"
    assert entry["Name"] == APP_NAME
    assert desktop_exec_arguments(entry["Exec"]) == COMMAND
    assert autostart.is_enabled(platform="linux")
    autostart.enable(COMMAND, platform="linux")  # idempotent
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
    autostart.disable(platform="linux")
    assert not path.exists()
    autostart.disable(platform="linux")  # idempotent
    assert not autostart.is_enabled(platform="linux")


def test_linux_falls_back_to_dot_config(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    autostart.enable(["sec-desktop"], platform="linux")
    assert (home / ".config" / "autostart" / f"{APP_ID}.desktop").is_file()


def test_linux_entry_switched_off_by_the_desktop(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    autostart.enable(["sec-desktop"], platform="linux")
    path = tmp_path / "cfg" / "autostart" / f"{APP_ID}.desktop"
    path.write_text(path.read_text().replace("Autostart-enabled=true", "Autostart-enabled=false"))
    assert not autostart.is_enabled(platform="linux")
    autostart.enable(["sec-desktop"], platform="linux")
    assert autostart.is_enabled(platform="linux")


def test_linux_unwritable_folder_is_a_clear_error(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(blocker))
    with pytest.raises(AutostartError, match=r"could not turn on start at login in .*not-a-folder"):
        autostart.enable(["sec-desktop"], platform="linux")


def test_the_default_command_runs_this_package() -> None:
    command = autostart.launch_command()
    assert command[1:] == ["-m", "sec_desktop"]


@pytest.mark.parametrize("command", [[], [""], ["sec-desktop", "a\nb"]])
def test_bad_commands_are_refused(home: Path, command: list[str]) -> None:
    with pytest.raises(AutostartError):
        autostart.enable(command, platform="linux")


# macOS ------------------------------------------------------------------------------------


def test_macos_launch_agent(home: Path) -> None:
    assert not autostart.is_enabled(platform="darwin")
    autostart.enable(COMMAND, platform="darwin")
    path = home / "Library" / "LaunchAgents" / f"{APP_ID}.plist"
    agent = plistlib.loads(path.read_bytes())
    assert agent["Label"] == APP_ID
    assert agent["ProgramArguments"] == COMMAND
    assert agent["RunAtLoad"] is True
    assert autostart.is_enabled(platform="darwin")
    autostart.enable(COMMAND, platform="darwin")
    assert autostart.is_enabled(platform="darwin")
    autostart.disable(platform="darwin")
    autostart.disable(platform="darwin")
    assert not path.exists()
    assert not autostart.is_enabled(platform="darwin")


def test_macos_broken_plist_is_reported(home: Path) -> None:
    path = home / "Library" / "LaunchAgents" / f"{APP_ID}.plist"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a plist")
    with pytest.raises(AutostartError, match="property list"):
        autostart.is_enabled(platform="darwin")
    autostart.enable(["sec-desktop"], platform="darwin")  # repairs it
    assert autostart.is_enabled(platform="darwin")


# Windows ----------------------------------------------------------------------------------


class FakeRegistry:
    """The few winreg calls autostart makes, over a dict of key path -> values."""

    HKEY_CURRENT_USER = "HKCU"
    KEY_READ = 1
    KEY_SET_VALUE = 2
    REG_SZ = 1

    def __init__(self) -> None:
        self.keys: dict[str, dict[str, tuple[Any, int]]] = {}

    @contextmanager
    def CreateKeyEx(self, root: str, path: str, reserved: int, access: int) -> Iterator[str]:  # noqa: N802
        name = f"{root}\\{path}"
        self.keys.setdefault(name, {})
        yield name

    @contextmanager
    def OpenKey(self, root: str, path: str, reserved: int, access: int) -> Iterator[str]:  # noqa: N802
        name = f"{root}\\{path}"
        if name not in self.keys:
            raise FileNotFoundError(name)
        yield name

    def SetValueEx(self, key: str, name: str, reserved: int, kind: int, value: Any) -> None:  # noqa: N802
        self.keys[key][name] = (value, kind)

    def QueryValueEx(self, key: str, name: str) -> tuple[Any, int]:  # noqa: N802
        try:
            return self.keys[key][name]
        except KeyError:
            raise FileNotFoundError(name) from None

    def DeleteValue(self, key: str, name: str) -> None:  # noqa: N802
        try:
            del self.keys[key][name]
        except KeyError:
            raise FileNotFoundError(name) from None


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> FakeRegistry:
    fake = FakeRegistry()
    monkeypatch.setattr(autostart, "_winreg", lambda: fake)
    return fake


def test_windows_run_key(registry: FakeRegistry) -> None:
    run = f"HKCU\\{autostart.RUN_KEY}"
    assert not autostart.is_enabled(platform="win32")
    autostart.disable(platform="win32")  # no Run key at all: nothing to do
    windows_command = [r"C:\Program Files\SEC Desktop\sec-desktop.exe", "--minimized"]
    autostart.enable(windows_command, platform="win32")
    value, kind = registry.keys[run][APP_NAME]
    assert kind == FakeRegistry.REG_SZ
    assert value == subprocess.list2cmdline(windows_command)
    assert value.startswith('"C:\\Program Files\\SEC Desktop\\sec-desktop.exe" ')
    assert autostart.is_enabled(platform="win32")
    autostart.enable(windows_command, platform="win32")
    assert list(registry.keys[run]) == [APP_NAME]
    autostart.disable(platform="win32")
    autostart.disable(platform="win32")
    assert registry.keys[run] == {}
    assert not autostart.is_enabled(platform="win32")


def test_windows_registry_errors_are_autostart_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object) -> None:
        raise PermissionError("access denied")

    broken = SimpleNamespace(
        HKEY_CURRENT_USER="HKCU", KEY_SET_VALUE=2, KEY_READ=1, REG_SZ=1, CreateKeyEx=refuse
    )
    monkeypatch.setattr(autostart, "_winreg", lambda: broken)
    with pytest.raises(AutostartError, match=r"HKEY_CURRENT_USER.*access denied"):
        autostart.enable(["x.exe"], platform="win32")


def test_unknown_platform() -> None:
    with pytest.raises(AutostartError, match="not supported on plan9"):
        autostart.enable(["x"], platform="plan9")


def test_real_home_by_default_is_the_isolated_one(isolated_dirs: dict[str, Path]) -> None:
    assert autostart._home() == isolated_dirs["home"]  # noqa: SLF001
