"""The global shortcut on X11: a passive key grab on the root window, through libX11.

libX11 (through platform/libx11.py, shared with the idle source) translates keysyms to
keycodes and reads the modifier map itself; it is on every X11 desktop, and the tray already
maps it. A pure-Python X client (python-xlib) did the same for about 2.9 MB more resident
memory, all day. The grab is made on a connection of its own, so Qt's connection is never touched.

X delivers a grabbed key only with exactly the grabbed modifiers, and NumLock and CapsLock
count as modifiers: the combo is grabbed four times, with and without each lock.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sec_desktop.platform.hotkey_base import HotkeyError
from sec_desktop.platform.libx11 import ERROR_HANDLER, XEvent, load_x11
from sec_desktop.settings import KeyCombo

# X modifier masks (X.h): Shift, Lock (CapsLock), Control, Mod1 (Alt), Mod4 (Super).
SHIFT_MASK = 1 << 0
LOCK_MASK = 1 << 1
CONTROL_MASK = 1 << 2
MOD1_MASK = 1 << 3
MOD4_MASK = 1 << 6
MODIFIER_MASKS = {"Shift": SHIFT_MASK, "Ctrl": CONTROL_MASK, "Alt": MOD1_MASK, "Super": MOD4_MASK}
NUM_LOCK_KEYSYM = 0xFF7F  # XK_Num_Lock
NO_SYMBOL = 0
KEY_PRESS = 2
KEY_RELEASE = 3
GRAB_MODE_ASYNC = 1
BAD_ACCESS = 10  # X.h: the error a grab someone else holds fails with
NO_LIBX11 = "The X11 client library (libX11) is not installed."


def modifier_mask(combo: KeyCombo) -> int:
    mask = 0
    for name in combo.modifiers:
        mask |= MODIFIER_MASKS[name]
    return mask


def keysym_name(key: str) -> str:
    """The X keysym name of a combo's key: "space", "t", "5", "F1"."""
    return "space" if key == "Space" else key.lower() if len(key) == 1 else key


def lock_variants(num_lock_mask: int) -> tuple[int, ...]:
    """The lock states a grab must also cover: none, CapsLock, NumLock, both."""
    if not num_lock_mask:
        return (0, LOCK_MASK)
    return (0, LOCK_MASK, num_lock_mask, LOCK_MASK | num_lock_mask)


def num_lock_mask(modifier_map: Sequence[Sequence[int]], num_lock_keycode: int) -> int:
    """The modifier bit NumLock is mapped to (usually Mod2), from the server's modifier map
    (eight lists of keycodes, Shift first); 0 when NumLock is not a modifier."""
    if not num_lock_keycode:
        return 0
    for index, keycodes in enumerate(modifier_map):
        if num_lock_keycode in keycodes:
            return 1 << index
    return 0


class PressFilter:
    """Which key events are presses of the grabbed combo.

    Held down, a key repeats: X sends a release and a press with the same timestamp for
    each repeat. Those presses are dropped, so holding the keys asks once."""

    def __init__(self, keycode: int, mask: int, ignored: int) -> None:
        self._keycode = keycode
        self._mask = mask
        self._ignored = ignored
        self._released_at: int | None = None

    def is_press(self, event: Any) -> bool:
        # Other events (MappingNotify after a layout change) have no key at all.
        if event.type not in (KEY_PRESS, KEY_RELEASE) or event.detail != self._keycode:
            return False
        if event.type == KEY_RELEASE:
            self._released_at = event.time
            return False
        if event.state & ~self._ignored & 0xFF != self._mask:
            return False
        return bool(event.time != self._released_at)


@dataclass(frozen=True)
class KeyEvent:
    """The fields of an X event the press filter reads (`detail` is the keycode)."""

    type: int
    time: int
    detail: int
    state: int


def modifier_map(xlib: ctypes.CDLL, display: int) -> list[list[int]]:
    """The server's modifier map: eight lists of keycodes (0 entries left out), Shift first."""
    keymap = xlib.XGetModifierMapping(display)
    if not keymap:
        return [[] for _ in range(8)]
    try:
        per_modifier = keymap.contents.max_keypermod
        codes = keymap.contents.modifiermap
        return [
            [code for code in codes[i * per_modifier : (i + 1) * per_modifier] if code]
            for i in range(8)
        ]
    finally:
        xlib.XFreeModifiermap(keymap)


class XGrabHotkey:
    name = "X11 key grab"

    def __init__(self, display_name: str | None) -> None:
        self._display_name = display_name
        self._xlib: ctypes.CDLL | None = None
        self._display: int | None = None
        self._presses = PressFilter(0, 0, 0)
        self._on_pressed: Callable[[], None] | None = None

    def why_unavailable(self) -> str | None:
        if not self._display_name:
            return "There is no X display (DISPLAY is not set)."
        if self._xlib is None:
            self._xlib = load_x11()
        if self._xlib is None:
            return NO_LIBX11
        return None

    def start(self, combo: KeyCombo, on_pressed: Callable[[], None]) -> None:
        self.stop()
        problem = self.why_unavailable()
        xlib, name = self._xlib, self._display_name
        if problem or xlib is None or not name:
            raise HotkeyError(problem or NO_LIBX11)
        display = xlib.XOpenDisplay(name.encode())
        if not display:
            raise HotkeyError(f"Can't reach the X display {self._display_name}.")
        keysym = xlib.XStringToKeysym(keysym_name(combo.key).encode())
        keycode = xlib.XKeysymToKeycode(display, keysym) if keysym != NO_SYMBOL else 0
        if not keycode:
            xlib.XCloseDisplay(display)
            raise HotkeyError(f"The keyboard layout has no {combo.key} key.")
        num_lock = num_lock_mask(
            modifier_map(xlib, display), xlib.XKeysymToKeycode(display, NUM_LOCK_KEYSYM)
        )
        mask = modifier_mask(combo)
        root = xlib.XDefaultRootWindow(display)
        masks = tuple(mask | locks for locks in lock_variants(num_lock))
        if self._grab_refused(xlib, display, keycode, root, masks):
            xlib.XCloseDisplay(display)  # the server drops the grabs this client did get
            raise HotkeyError(
                f"Another program already uses {combo} as a shortcut: choose another in "
                "Settings, or free it in that program."
            )
        self._display = display
        self._presses = PressFilter(keycode, mask, LOCK_MASK | num_lock)
        self._on_pressed = on_pressed

    @staticmethod
    def _grab_refused(
        xlib: ctypes.CDLL, display: int, keycode: int, root: int, masks: Sequence[int]
    ) -> bool:
        """Grab each mask; whether the server refused one. A grab someone else holds fails
        with BadAccess, reported asynchronously, and libX11's own handler would end the
        process: errors of this connection are caught until a sync has brought them in."""
        codes: list[int] = []
        chained: list[Any] = []

        def on_error(failed_display: int | None, error: Any) -> int:
            if failed_display == display:
                codes.append(error.contents.error_code)
                return 0
            # Another libX11 user's error in the meantime: theirs to handle, as before.
            return int(chained[0](failed_display, error)) if chained else 0

        handler = ERROR_HANDLER(on_error)
        previous = xlib.XSetErrorHandler(ctypes.cast(handler, ctypes.c_void_p))
        if previous:
            chained.append(ERROR_HANDLER(previous))
        try:
            for modifiers in masks:
                xlib.XGrabKey(
                    display, keycode, modifiers, root, 0, GRAB_MODE_ASYNC, GRAB_MODE_ASYNC
                )
            xlib.XSync(display, 0)
        finally:
            xlib.XSetErrorHandler(previous)
        return BAD_ACCESS in codes

    def stop(self) -> None:
        if self._display is None or self._xlib is None:
            return
        display, self._display = self._display, None
        self._xlib.XCloseDisplay(display)  # the server drops a closed client's grabs

    def fileno(self) -> int | None:
        if self._display is None or self._xlib is None:
            return None
        return int(self._xlib.XConnectionNumber(self._display))

    def dispatch(self) -> None:
        """Reads what the server sent. Should the server go away, libX11 ends the process,
        as Qt does when its own connection to that server breaks."""
        display, xlib = self._display, self._xlib
        if display is None or xlib is None:
            return
        event = XEvent()
        while display == self._display and xlib.XPending(display):
            xlib.XNextEvent(display, ctypes.byref(event))
            key = event.xkey
            # Other events (MappingNotify after a layout change) leave the key fields unread.
            pressed = KeyEvent(event.type, key.time, key.keycode, key.state)
            if self._presses.is_press(pressed) and self._on_pressed is not None:
                self._on_pressed()
