"""Input idle on macOS (IOKit's HIDIdleTime) and Windows (GetLastInputInfo), through ctypes.

Both are polled. The libraries are passed in, so tests run these on any OS with fakes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from typing import Any

from sec_desktop.platform.idle_base import IdleSourceError, PolledIdleSource

# CoreFoundation constants (CFString.h, CFNumber.h).
CF_STRING_ENCODING_UTF8 = 0x08000100
CF_NUMBER_SINT64_TYPE = 4
IO_MAIN_PORT_DEFAULT = 0  # kIOMainPortDefault (kIOMasterPortDefault before macOS 12)
NANOSECONDS_PER_SECOND = 1_000_000_000
TICK_WRAP = 1 << 32  # GetTickCount counts milliseconds in 32 bits: it wraps after 49.7 days


class MacIdle(PolledIdleSource):
    """Nanoseconds since the last input, from the IOHIDSystem registry entry."""

    name = "macOS IOKit HIDIdleTime"

    def __init__(self, iokit: Any, cf: Any) -> None:
        self._iokit = iokit
        self._cf = cf
        _declare_mac(iokit, cf)
        matching = iokit.IOServiceMatching(b"IOHIDSystem")
        self._service = iokit.IOServiceGetMatchingService(IO_MAIN_PORT_DEFAULT, matching)
        if not self._service:
            raise IdleSourceError("IOKit has no IOHIDSystem service")
        self._key = cf.CFStringCreateWithCString(None, b"HIDIdleTime", CF_STRING_ENCODING_UTF8)
        self._number_type = cf.CFNumberGetTypeID()

    @classmethod
    def open(cls, iokit: Any = None, cf: Any = None) -> MacIdle:
        if iokit is None or cf is None:
            iokit, cf = _load_framework("IOKit"), _load_framework("CoreFoundation")
        source = cls(iokit, cf)
        source.idle_seconds()
        return source

    def idle_seconds(self) -> float:
        if not self._service:
            raise IdleSourceError("closed")
        value = self._iokit.IORegistryEntryCreateCFProperty(self._service, self._key, None, 0)
        if not value:
            raise IdleSourceError("IOHIDSystem has no HIDIdleTime")
        try:
            if self._cf.CFGetTypeID(value) != self._number_type:
                raise IdleSourceError("HIDIdleTime is not a number")
            nanoseconds = ctypes.c_int64()
            if not self._cf.CFNumberGetValue(
                value, CF_NUMBER_SINT64_TYPE, ctypes.pointer(nanoseconds)
            ):
                raise IdleSourceError("HIDIdleTime could not be read as a 64-bit number")
        finally:
            self._cf.CFRelease(value)
        return nanoseconds.value / NANOSECONDS_PER_SECOND

    def close(self) -> None:
        if not self._service:
            return
        self._iokit.IOObjectRelease(self._service)
        self._cf.CFRelease(self._key)
        self._service = 0


def _declare_mac(iokit: Any, cf: Any) -> None:
    """Argument and result types: pointers must not be cut to C ints on 64-bit."""
    iokit.IOServiceMatching.argtypes = (ctypes.c_char_p,)
    iokit.IOServiceMatching.restype = ctypes.c_void_p
    iokit.IOServiceGetMatchingService.argtypes = (ctypes.c_uint32, ctypes.c_void_p)
    iokit.IOServiceGetMatchingService.restype = ctypes.c_uint32
    iokit.IORegistryEntryCreateCFProperty.argtypes = (
        ctypes.c_uint32,
        ctypes.c_void_p,
        ctypes.c_void_p,
        ctypes.c_uint32,
    )
    iokit.IORegistryEntryCreateCFProperty.restype = ctypes.c_void_p
    iokit.IOObjectRelease.argtypes = (ctypes.c_uint32,)
    cf.CFStringCreateWithCString.argtypes = (ctypes.c_void_p, ctypes.c_char_p, ctypes.c_uint32)
    cf.CFStringCreateWithCString.restype = ctypes.c_void_p
    cf.CFNumberGetValue.argtypes = (ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p)
    cf.CFNumberGetValue.restype = ctypes.c_bool
    cf.CFGetTypeID.argtypes = (ctypes.c_void_p,)
    cf.CFGetTypeID.restype = ctypes.c_ulong
    cf.CFNumberGetTypeID.restype = ctypes.c_ulong
    cf.CFRelease.argtypes = (ctypes.c_void_p,)


def _load_framework(name: str) -> ctypes.CDLL:
    path = ctypes.util.find_library(name)
    if path is None:
        raise IdleSourceError(f"the {name} framework is not there")
    try:
        return ctypes.CDLL(path)
    except OSError as exc:
        raise IdleSourceError(f"the {name} framework can't be loaded ({exc})") from exc


class LastInputInfo(ctypes.Structure):
    _fields_ = (("cbSize", ctypes.c_uint), ("dwTime", ctypes.c_uint32))


class WindowsIdle(PolledIdleSource):
    """Milliseconds between the last input's tick count and now's."""

    name = "Windows GetLastInputInfo"

    def __init__(self, user32: Any, kernel32: Any) -> None:
        self._user32 = user32
        self._kernel32 = kernel32
        user32.GetLastInputInfo.argtypes = (ctypes.POINTER(LastInputInfo),)
        user32.GetLastInputInfo.restype = ctypes.c_int
        kernel32.GetTickCount.argtypes = ()
        kernel32.GetTickCount.restype = ctypes.c_uint32

    @classmethod
    def open(cls, user32: Any = None, kernel32: Any = None) -> WindowsIdle:
        if user32 is None or kernel32 is None:
            windll = getattr(ctypes, "windll", None)  # only on Windows
            if windll is None:
                raise IdleSourceError("GetLastInputInfo exists only on Windows")
            user32, kernel32 = windll.user32, windll.kernel32
        source = cls(user32, kernel32)
        source.idle_seconds()
        return source

    def idle_seconds(self) -> float:
        info = LastInputInfo(cbSize=ctypes.sizeof(LastInputInfo))
        if not self._user32.GetLastInputInfo(ctypes.pointer(info)):
            raise IdleSourceError("GetLastInputInfo failed")
        now_ms = int(self._kernel32.GetTickCount())
        return ((now_ms - int(info.dwTime)) % TICK_WRAP) / 1000

    def close(self) -> None:
        pass
