"""Input idle: how long since the last keyboard or mouse input, from the best source here.

Each source is a small class behind one of two interfaces, chosen from a table by platform and
session, with one error type (`IdleSourceError`):
- polled sources answer "idle for how many seconds?" (X11's MIT-SCREEN-SAVER extension,
  logind's IdleHint, macOS IOKit, Windows GetLastInputInfo);
- watched sources tell when the user crossed a threshold and when input resumed, on a file
  descriptor the caller watches (GNOME Mutter's IdleMonitor, the Wayland idle protocols).

No Qt here: `doctor` probes the same table without the app. On Wayland the X11 source is never
used: XWayland only sees input to X clients, so it would report a busy user as idle.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from sec_desktop.platform.idle_base import (
    NO_IDLE_SENTENCE,
    IdleSource,
    IdleSourceError,
    PolledIdleSource,
)
from sec_desktop.platform.libx11 import load_library, load_x11

__all__ = [
    "NO_IDLE_SENTENCE",
    "SOURCES_BY_SESSION",
    "IdleChoice",
    "IdleSource",
    "IdleSourceError",
    "SourceOpener",
    "X11Idle",
    "X11IdleSource",
    "choose_idle_source",
    "idle_source_sentence",
    "is_wayland_session",
    "open_idle_source",
    "session_kind",
]


XSS_SONAME = "libXss.so.1"


class _XScreenSaverInfo(ctypes.Structure):
    _fields_ = (
        ("window", ctypes.c_ulong),
        ("state", ctypes.c_int),
        ("kind", ctypes.c_int),
        ("til_or_since", ctypes.c_ulong),
        ("idle", ctypes.c_ulong),  # milliseconds since the last input
        ("event_mask", ctypes.c_ulong),
    )


class X11Idle:
    """Milliseconds since the last keyboard or mouse input on one X display."""

    def __init__(self, xlib: ctypes.CDLL, xss: ctypes.CDLL, display: int) -> None:
        self._xlib = xlib
        self._xss = xss
        self._display: int | None = display
        self._root = xlib.XDefaultRootWindow(display)
        self._info = xss.XScreenSaverAllocInfo()

    @classmethod
    def open(cls, display_name: str | None = None) -> X11Idle | None:
        """Connect to `display_name` (default $DISPLAY); None where idle can't be read."""
        name = display_name or os.environ.get("DISPLAY")
        if not name:
            return None
        xlib, xss = load_x11(), load_library("Xss", XSS_SONAME)
        if xlib is None or xss is None:
            return None
        xss.XScreenSaverQueryExtension.argtypes = (
            ctypes.c_void_p,
            ctypes.POINTER(ctypes.c_int),
            ctypes.POINTER(ctypes.c_int),
        )
        xss.XScreenSaverAllocInfo.restype = ctypes.POINTER(_XScreenSaverInfo)
        xss.XScreenSaverQueryInfo.argtypes = (
            ctypes.c_void_p,
            ctypes.c_ulong,
            ctypes.POINTER(_XScreenSaverInfo),
        )
        display = xlib.XOpenDisplay(name.encode())
        if not display:
            return None
        event_base, error_base = ctypes.c_int(), ctypes.c_int()
        if not xss.XScreenSaverQueryExtension(
            display, ctypes.byref(event_base), ctypes.byref(error_base)
        ):
            xlib.XCloseDisplay(display)
            return None
        return cls(xlib, xss, display)

    def idle_seconds(self) -> float | None:
        if self._display is None:
            return None
        if not self._xss.XScreenSaverQueryInfo(self._display, self._root, self._info):
            return None
        return float(self._info.contents.idle) / 1000

    def close(self) -> None:
        if self._display is None:
            return
        self._xlib.XFree(self._info)
        self._xlib.XCloseDisplay(self._display)
        self._display = None


class X11IdleSource(PolledIdleSource):
    """The X11 reader behind the polled interface."""

    name = "X11 XScreenSaver"

    def __init__(self, reader: X11Idle) -> None:
        self._reader = reader

    @classmethod
    def open(cls, env: Mapping[str, str], threshold_s: float) -> X11IdleSource:
        display = env.get("DISPLAY")
        if not display:
            raise IdleSourceError("no X display (DISPLAY is not set)")
        reader = X11Idle.open(display)
        if reader is None:
            raise IdleSourceError(f"no XScreenSaver extension or libXss on display {display}")
        return cls(reader)

    def idle_seconds(self) -> float:
        seconds = self._reader.idle_seconds()
        if seconds is None:
            raise IdleSourceError("the X display stopped answering")
        return seconds

    def close(self) -> None:
        self._reader.close()


def is_wayland_session(env: Mapping[str, str] | None = None) -> bool:
    env = os.environ if env is None else env
    return bool(env.get("WAYLAND_DISPLAY")) or env.get("XDG_SESSION_TYPE") == "wayland"


# Choosing a source ---------------------------------------------------------------------------

# Opens one kind of source for (environment, threshold in seconds), or raises IdleSourceError.
SourceOpener = Callable[[Mapping[str, str], float], IdleSource]


def _open_x11(env: Mapping[str, str], threshold_s: float) -> IdleSource:
    return X11IdleSource.open(env, threshold_s)


def _open_mutter(env: Mapping[str, str], threshold_s: float) -> IdleSource:
    from sec_desktop.platform.idle_dbus import MutterIdle

    return MutterIdle.open(env, threshold_s)


def _open_wayland(env: Mapping[str, str], threshold_s: float) -> IdleSource:
    from sec_desktop.platform.idle_wayland import WaylandIdle

    return WaylandIdle.open(env, threshold_s)


def _open_logind(env: Mapping[str, str], threshold_s: float) -> IdleSource:
    from sec_desktop.platform.idle_dbus import LogindIdle

    return LogindIdle.open(env, threshold_s)


def _open_macos(env: Mapping[str, str], threshold_s: float) -> IdleSource:
    from sec_desktop.platform.idle_native import MacIdle

    return MacIdle.open()


def _open_windows(env: Mapping[str, str], threshold_s: float) -> IdleSource:
    from sec_desktop.platform.idle_native import WindowsIdle

    return WindowsIdle.open()


# Best first. GNOME's own monitor before the Wayland protocols (Mutter offers neither in
# GNOME 43); logind's IdleHint last, as it is only as good as the desktop that sets it.
SOURCES_BY_SESSION: Mapping[str, Sequence[tuple[str, SourceOpener]]] = {
    "wayland": (
        ("GNOME Mutter IdleMonitor", _open_mutter),
        ("Wayland idle protocol", _open_wayland),
        ("logind IdleHint", _open_logind),
    ),
    "x11": (("X11 XScreenSaver", _open_x11), ("logind IdleHint", _open_logind)),
    "macos": (("macOS IOKit HIDIdleTime", _open_macos),),
    "windows": (("Windows GetLastInputInfo", _open_windows),),
}


def session_kind(env: Mapping[str, str], platform: str) -> str:
    """The row of SOURCES_BY_SESSION that fits this platform and login session."""
    if platform == "win32":
        return "windows"
    if platform == "darwin":
        return "macos"
    return "wayland" if is_wayland_session(env) else "x11"


@dataclass(frozen=True)
class IdleChoice:
    """The source that opened (None where none did) and why each one before it failed."""

    source: IdleSource | None
    failures: tuple[str, ...]


def choose_idle_source(
    threshold_s: float,
    env: Mapping[str, str] | None = None,
    platform: str | None = None,
    table: Mapping[str, Sequence[tuple[str, SourceOpener]]] = SOURCES_BY_SESSION,
) -> IdleChoice:
    """Open the first source of this session's row that works."""
    env = os.environ if env is None else env
    failures: list[str] = []
    for name, opener in table[session_kind(env, platform or sys.platform)]:
        try:
            return IdleChoice(opener(env, threshold_s), tuple(failures))
        except IdleSourceError as exc:
            failures.append(f"{name}: {exc}")
    return IdleChoice(None, tuple(failures))


def open_idle_source(
    threshold_s: float = 600.0, env: Mapping[str, str] | None = None
) -> IdleSource | None:
    """The best idle source here, or None if there is none."""
    return choose_idle_source(threshold_s, env).source


def idle_source_sentence(name: str | None) -> str:
    """What Settings says about the live source."""
    return f"Idle: {name}." if name else NO_IDLE_SENTENCE
