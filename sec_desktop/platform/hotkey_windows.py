"""The global shortcut on Windows: RegisterHotKey (user32, through ctypes).

Registered without a window, the press arrives as a WM_HOTKEY message in the thread's
queue; the app's native event filter hands each message to `handle_message`.
"""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable
from typing import Protocol

from sec_desktop.platform.hotkey_base import HotkeyError
from sec_desktop.settings import KeyCombo

MOD_ALT = 0x0001
MOD_CONTROL = 0x0002
MOD_SHIFT = 0x0004
MOD_WIN = 0x0008
MOD_NOREPEAT = 0x4000  # holding the keys sends one press, not a stream
MODIFIER_FLAGS = {"Alt": MOD_ALT, "Ctrl": MOD_CONTROL, "Shift": MOD_SHIFT, "Super": MOD_WIN}
VK_SPACE = 0x20
VK_F1 = 0x70
WM_HOTKEY = 0x0312
ERROR_HOTKEY_ALREADY_REGISTERED = 1409
HOTKEY_ID = 0x5EC  # ours within this thread; any value up to 0xBFFF


def virtual_key(key: str) -> int:
    """The Windows virtual-key code: letters and digits are their ASCII upper case."""
    if key == "Space":
        return VK_SPACE
    if key.startswith("F") and len(key) > 1:
        return VK_F1 + int(key[1:]) - 1
    return ord(key.upper())


def modifier_flags(combo: KeyCombo) -> int:
    flags = MOD_NOREPEAT
    for name in combo.modifiers:
        flags |= MODIFIER_FLAGS[name]
    return flags


class User32(Protocol):
    def register(self, hotkey_id: int, modifiers: int, vk: int) -> int:
        """0 on success, else the Windows error code."""

    def unregister(self, hotkey_id: int) -> None: ...

    def message_at(self, address: int) -> tuple[int, int]:
        """(message, wParam) of the MSG at `address`."""


class RealUser32:
    def register(self, hotkey_id: int, modifiers: int, vk: int) -> int:
        user32 = ctypes.WinDLL("user32", use_last_error=True)  # type: ignore[attr-defined,unused-ignore]
        if user32.RegisterHotKey(None, hotkey_id, modifiers, vk):
            return 0
        return int(ctypes.get_last_error())  # type: ignore[attr-defined,unused-ignore]

    def unregister(self, hotkey_id: int) -> None:
        ctypes.WinDLL("user32").UnregisterHotKey(None, hotkey_id)  # type: ignore[attr-defined,unused-ignore]

    def message_at(self, address: int) -> tuple[int, int]:
        from ctypes import wintypes

        msg = wintypes.MSG.from_address(address)  # type: ignore[attr-defined,unused-ignore]
        return int(msg.message), int(msg.wParam)


class WindowsHotkey:
    name = "Windows RegisterHotKey"

    def __init__(self, user32: User32 | None = None) -> None:
        self._user32 = user32
        self._on_pressed: Callable[[], None] | None = None

    def why_unavailable(self) -> str | None:
        if self._user32 is None and sys.platform != "win32":
            return "RegisterHotKey exists only on Windows."
        return None

    def _api(self) -> User32:
        if self._user32 is None:
            self._user32 = RealUser32()
        return self._user32

    def start(self, combo: KeyCombo, on_pressed: Callable[[], None]) -> None:
        self.stop()
        problem = self.why_unavailable()
        if problem:
            raise HotkeyError(problem)
        error = self._api().register(HOTKEY_ID, modifier_flags(combo), virtual_key(combo.key))
        if error == ERROR_HOTKEY_ALREADY_REGISTERED:
            raise HotkeyError(
                f"Another program already uses {combo} as a shortcut: choose another in "
                "Settings, or free it in that program."
            )
        if error:
            raise HotkeyError(f"Windows refused the shortcut {combo} (error {error}).")
        self._on_pressed = on_pressed

    def stop(self) -> None:
        if self._on_pressed is not None:
            self._api().unregister(HOTKEY_ID)
            self._on_pressed = None

    def fileno(self) -> int | None:
        return None

    def dispatch(self) -> None:
        pass

    def handle_message(self, address: int) -> bool:
        """Whether the message at `address` was our press (then it is handled)."""
        if self._on_pressed is None:
            return False
        message, hotkey_id = self._api().message_at(address)
        if message == WM_HOTKEY and hotkey_id == HOTKEY_ID:
            self._on_pressed()
            return True
        return False
