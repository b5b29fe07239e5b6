"""Input idle time on X11, from the MIT-SCREEN-SAVER extension (libXss) through ctypes.

Returns None wherever it can't answer truthfully: no X display, no libXss, or a Wayland
session (XWayland only sees input to X clients, so it would report a busy user as idle).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from collections.abc import Callable


class _XScreenSaverInfo(ctypes.Structure):
    _fields_ = (
        ("window", ctypes.c_ulong),
        ("state", ctypes.c_int),
        ("kind", ctypes.c_int),
        ("til_or_since", ctypes.c_ulong),
        ("idle", ctypes.c_ulong),  # milliseconds since the last input
        ("event_mask", ctypes.c_ulong),
    )


def _load(name: str) -> ctypes.CDLL | None:
    path = ctypes.util.find_library(name)
    if path is None:
        return None
    try:
        return ctypes.CDLL(path)
    except OSError:
        return None


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
        xlib, xss = _load("X11"), _load("Xss")
        if xlib is None or xss is None:
            return None
        xlib.XOpenDisplay.restype = ctypes.c_void_p
        xlib.XOpenDisplay.argtypes = (ctypes.c_char_p,)
        xlib.XDefaultRootWindow.restype = ctypes.c_ulong
        xlib.XDefaultRootWindow.argtypes = (ctypes.c_void_p,)
        xlib.XCloseDisplay.argtypes = (ctypes.c_void_p,)
        xlib.XFree.argtypes = (ctypes.c_void_p,)
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


def is_wayland_session() -> bool:
    return bool(os.environ.get("WAYLAND_DISPLAY")) or os.environ.get("XDG_SESSION_TYPE") == (
        "wayland"
    )


def open_idle_source() -> tuple[Callable[[], float | None], Callable[[], None]] | None:
    """The best idle reader here as (read seconds, close), or None if there is none."""
    if is_wayland_session():
        return None
    x11 = X11Idle.open()
    if x11 is None:
        return None
    return x11.idle_seconds, x11.close
