"""Input idle from a real X server (Xvfb): it grows while nobody types and drops to zero on
input sent with xdotool. Wayland sessions never read it; missing displays give no reading."""

from __future__ import annotations

import ctypes.util
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sec_desktop.platform import idle
from sec_desktop.platform.idle import X11Idle, X11IdleSource, choose_idle_source, open_idle_source

pytestmark = pytest.mark.skipif(
    shutil.which("Xvfb") is None
    or shutil.which("xdotool") is None
    or ctypes.util.find_library("Xss") is None,
    reason="needs Xvfb, xdotool and libXss (Debian packages xvfb, xdotool, libxss1)",
)


@pytest.fixture
def display() -> Iterator[str]:
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-nolisten", "tcp", "-screen", "0", "640x480x24"],
        pass_fds=(write_fd,),
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    try:
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()
        assert number, "Xvfb did not report a display"
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def wait_for(condition: object, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not met before the deadline"
        time.sleep(0.02)


def test_idle_grows_and_input_resets_it(display: str) -> None:
    reader = X11Idle.open(display)
    assert reader is not None
    try:
        wait_for(lambda: (reader.idle_seconds() or 0) >= 0.3)
        subprocess.run(
            ["xdotool", "mousemove", "20", "20"], env={**os.environ, "DISPLAY": display}, check=True
        )
        after = reader.idle_seconds()
        assert after is not None and after < 0.3
    finally:
        reader.close()
    assert reader.idle_seconds() is None  # closed


def test_no_display_no_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    assert X11Idle.open() is None
    assert X11Idle.open(":987654") is None  # no server there


def test_wayland_session_never_reads_x11_idle(display: str, tmp_path: Path) -> None:
    no_bus = f"unix:path={tmp_path / 'no-bus'}"
    x11_env = {
        "DISPLAY": display,
        "XDG_SESSION_TYPE": "x11",
        "DBUS_SYSTEM_BUS_ADDRESS": no_bus,
    }
    source = open_idle_source(600, x11_env)
    assert isinstance(source, X11IdleSource)
    assert source.idle_seconds() >= 0
    source.close()
    # The same X display under a Wayland session (XWayland): its idle time would grow while
    # the user types into Wayland windows, so no source is better than that one.
    wayland_env = {
        **x11_env,
        "WAYLAND_DISPLAY": "wayland-0",
        "XDG_RUNTIME_DIR": str(tmp_path),
        "DBUS_SESSION_BUS_ADDRESS": no_bus,
    }
    assert idle.is_wayland_session(wayland_env)
    choice = choose_idle_source(600, wayland_env, platform="linux")
    assert choice.source is None
    assert [failure.split(":")[0] for failure in choice.failures] == [
        "GNOME Mutter IdleMonitor",
        "Wayland idle protocol",
        "logind IdleHint",
    ]
