"""libX11 through ctypes, as the X11 idle source and the X11 global shortcut both use it:
the library found by its soname, each function used given its C signature once, and the
structures those functions take or fill."""

from __future__ import annotations

import ctypes
import ctypes.util
from typing import Any

# libX11's soname on Linux and the BSDs; find_library asks ldconfig (a process) otherwise.
X11_SONAME = "libX11.so.6"


class XKeyEvent(ctypes.Structure):
    """XKeyEvent (Xlib.h), the part of the XEvent union a key press or release fills."""

    _fields_ = (
        ("type", ctypes.c_int),
        ("serial", ctypes.c_ulong),
        ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("window", ctypes.c_ulong),
        ("root", ctypes.c_ulong),
        ("subwindow", ctypes.c_ulong),
        ("time", ctypes.c_ulong),
        ("x", ctypes.c_int),
        ("y", ctypes.c_int),
        ("x_root", ctypes.c_int),
        ("y_root", ctypes.c_int),
        ("state", ctypes.c_uint),
        ("keycode", ctypes.c_uint),
        ("same_screen", ctypes.c_int),
    )


class XEvent(ctypes.Union):
    """XEvent: 24 longs, whatever the event."""

    _fields_ = (("type", ctypes.c_int), ("xkey", XKeyEvent), ("pad", ctypes.c_long * 24))


class XErrorEvent(ctypes.Structure):
    _fields_ = (
        ("type", ctypes.c_int),
        ("display", ctypes.c_void_p),
        ("resourceid", ctypes.c_ulong),
        ("serial", ctypes.c_ulong),
        ("error_code", ctypes.c_ubyte),
        ("request_code", ctypes.c_ubyte),
        ("minor_code", ctypes.c_ubyte),
    )


class XModifierKeymap(ctypes.Structure):
    _fields_ = (("max_keypermod", ctypes.c_int), ("modifiermap", ctypes.POINTER(ctypes.c_ubyte)))


ERROR_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(XErrorEvent))

_DISPLAY, _WINDOW = ctypes.c_void_p, ctypes.c_ulong
SIGNATURES: dict[str, tuple[Any, tuple[Any, ...]]] = {
    "XOpenDisplay": (_DISPLAY, (ctypes.c_char_p,)),
    "XCloseDisplay": (ctypes.c_int, (_DISPLAY,)),
    "XDefaultRootWindow": (_WINDOW, (_DISPLAY,)),
    "XFree": (ctypes.c_int, (ctypes.c_void_p,)),
    "XStringToKeysym": (ctypes.c_ulong, (ctypes.c_char_p,)),
    "XKeysymToKeycode": (ctypes.c_ubyte, (_DISPLAY, ctypes.c_ulong)),
    "XGetModifierMapping": (ctypes.POINTER(XModifierKeymap), (_DISPLAY,)),
    "XFreeModifiermap": (ctypes.c_int, (ctypes.POINTER(XModifierKeymap),)),
    "XGrabKey": (
        ctypes.c_int,
        (_DISPLAY, ctypes.c_int, ctypes.c_uint, _WINDOW, ctypes.c_int, ctypes.c_int, ctypes.c_int),
    ),
    "XSync": (ctypes.c_int, (_DISPLAY, ctypes.c_int)),
    "XSetErrorHandler": (ctypes.c_void_p, (ctypes.c_void_p,)),
    "XConnectionNumber": (ctypes.c_int, (_DISPLAY,)),
    "XPending": (ctypes.c_int, (_DISPLAY,)),
    "XNextEvent": (ctypes.c_int, (_DISPLAY, ctypes.POINTER(XEvent))),
}


def load_library(name: str, soname: str) -> ctypes.CDLL | None:
    """The C library `soname`, or where that name is unknown the one ldconfig lists for
    `name` ("X11" for libX11); None where it is not installed."""
    try:
        return ctypes.CDLL(soname)
    except OSError:
        pass
    path = ctypes.util.find_library(name)
    if path is None:
        return None
    try:
        return ctypes.CDLL(path)
    except OSError:
        return None


def load_x11() -> ctypes.CDLL | None:
    """libX11 with `SIGNATURES` set; None where it is not installed."""
    xlib = load_library("X11", X11_SONAME)
    if xlib is None:
        return None
    for function_name, (restype, argtypes) in SIGNATURES.items():
        function = getattr(xlib, function_name)
        function.restype = restype
        function.argtypes = argtypes
    return xlib
