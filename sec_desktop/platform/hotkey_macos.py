"""The global shortcut on macOS: Carbon's RegisterEventHotKey (ctypes), which needs no
accessibility permission, unlike an event tap.

The names follow Qt's on a Mac, as the Settings key editor records them: "Ctrl" is the
Command key and "Super" (Qt's Meta) is Control. Carbon calls the handler from the main
run loop, which Qt's event loop runs, so there is no socket to watch.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable
from typing import Any, Protocol

from sec_desktop.platform.hotkey_base import HotkeyError
from sec_desktop.settings import KeyCombo

CMD_KEY = 0x0100
SHIFT_KEY = 0x0200
OPTION_KEY = 0x0800
CONTROL_KEY = 0x1000
MODIFIER_FLAGS = {"Ctrl": CMD_KEY, "Shift": SHIFT_KEY, "Alt": OPTION_KEY, "Super": CONTROL_KEY}
# Virtual key codes of the ANSI layout's positions (HIToolbox Events.h, kVK_*).
KEY_CODES = {
    **dict(zip("ASDFHGZXCV", range(10), strict=True)),
    **dict(zip("BQWERYT", (0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x10, 0x11), strict=True)),
    **dict(zip("123465", (0x12, 0x13, 0x14, 0x15, 0x16, 0x17), strict=True)),
    **dict(zip("9780", (0x19, 0x1A, 0x1C, 0x1D), strict=True)),
    **dict(zip("OUIPLJKNM", (0x1F, 0x20, 0x22, 0x23, 0x25, 0x26, 0x28, 0x2D, 0x2E), strict=True)),
    "Space": 0x31,
    **dict(zip(
        (f"F{n}" for n in range(1, 13)),
        (0x7A, 0x78, 0x63, 0x76, 0x60, 0x61, 0x62, 0x64, 0x65, 0x6D, 0x67, 0x6F),
        strict=True,
    )),
}  # fmt: skip
EVENT_HOT_KEY_EXISTS = -9878  # eventHotKeyExistsErr
SIGNATURE = int.from_bytes(b"SECd", "big")  # our four-character code


def mac_key_code(key: str) -> int:
    return KEY_CODES[key]


def carbon_modifiers(combo: KeyCombo) -> int:
    flags = 0
    for name in combo.modifiers:
        flags |= MODIFIER_FLAGS[name]
    return flags


class Carbon(Protocol):
    def register(self, key_code: int, modifiers: int, on_pressed: Callable[[], None]) -> int:
        """0 on success, else the OSStatus."""

    def unregister(self) -> None: ...


class EventHotKeyID(ctypes.Structure):
    _fields_ = [("signature", ctypes.c_uint32), ("id", ctypes.c_uint32)]


class EventTypeSpec(ctypes.Structure):
    _fields_ = [("eventClass", ctypes.c_uint32), ("eventKind", ctypes.c_uint32)]


class RealCarbon:
    """The Carbon calls; the handler and references live as long as the registration."""

    def __init__(self) -> None:
        self._lib: Any = None
        self._hotkey = ctypes.c_void_p()
        self._handler_ref = ctypes.c_void_p()
        self._callback: Any = None

    def register(self, key_code: int, modifiers: int, on_pressed: Callable[[], None]) -> int:
        lib = self._lib = ctypes.CDLL("/System/Library/Frameworks/Carbon.framework/Carbon")
        lib.GetApplicationEventTarget.restype = ctypes.c_void_p
        target = lib.GetApplicationEventTarget()
        handler_type = ctypes.CFUNCTYPE(
            ctypes.c_int32, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p
        )

        def handler(_call: Any, _event: Any, _data: Any) -> int:
            on_pressed()
            return 0

        self._callback = handler_type(handler)
        spec = EventTypeSpec(int.from_bytes(b"keyb", "big"), 5)  # kEventHotKeyPressed
        status = lib.InstallEventHandler(
            ctypes.c_void_p(target), self._callback, 1, ctypes.byref(spec), None,
            ctypes.byref(self._handler_ref),
        )  # fmt: skip
        if status:
            return int(status)
        return int(
            lib.RegisterEventHotKey(
                key_code, modifiers, EventHotKeyID(SIGNATURE, 1), ctypes.c_void_p(target), 0,
                ctypes.byref(self._hotkey),
            )
        )  # fmt: skip

    def unregister(self) -> None:
        if self._lib is None:
            return
        if self._hotkey.value:
            self._lib.UnregisterEventHotKey(self._hotkey)
        if self._handler_ref.value:
            self._lib.RemoveEventHandler(self._handler_ref)
        self._hotkey, self._handler_ref, self._callback = ctypes.c_void_p(), ctypes.c_void_p(), None


class CarbonHotkey:
    name = "macOS RegisterEventHotKey"

    def __init__(self, carbon: Carbon | None = None) -> None:
        self._carbon = carbon
        self._held = False

    def why_unavailable(self) -> str | None:
        if self._carbon is None and sys.platform != "darwin":
            return "RegisterEventHotKey exists only on macOS."
        return None

    def start(self, combo: KeyCombo, on_pressed: Callable[[], None]) -> None:
        self.stop()
        problem = self.why_unavailable()
        if problem:
            raise HotkeyError(problem)
        if self._carbon is None:
            self._carbon = RealCarbon()
        status = self._carbon.register(mac_key_code(combo.key), carbon_modifiers(combo), on_pressed)
        if status == EVENT_HOT_KEY_EXISTS:
            self._carbon.unregister()
            raise HotkeyError(
                f"Another program already uses {combo} as a shortcut: choose another in "
                "Settings, or free it in that program."
            )
        if status:
            self._carbon.unregister()
            raise HotkeyError(f"macOS refused the shortcut {combo} (OSStatus {status}).")
        self._held = True

    def stop(self) -> None:
        if self._held and self._carbon is not None:
            self._carbon.unregister()
        self._held = False

    def fileno(self) -> int | None:
        return None

    def dispatch(self) -> None:
        pass
