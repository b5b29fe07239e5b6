"""The global shortcut on X11: a passive key grab on the root window (python-xlib).

python-xlib rather than xcffib: it is pure Python, and it translates keysyms to keycodes
and reads the modifier map, which xcb leaves to the xcb-keysyms C library. The grab is made
on a connection of its own, so Qt's connection is never touched.

X delivers a grabbed key only with exactly the grabbed modifiers, and NumLock and CapsLock
count as modifiers: the combo is grabbed four times, with and without each lock.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sec_desktop.platform.hotkey_base import HotkeyError
from sec_desktop.settings import KeyCombo

# X modifier masks (X.h): Shift, Lock (CapsLock), Control, Mod1 (Alt), Mod4 (Super).
SHIFT_MASK = 1 << 0
LOCK_MASK = 1 << 1
CONTROL_MASK = 1 << 2
MOD1_MASK = 1 << 3
MOD4_MASK = 1 << 6
MODIFIER_MASKS = {"Shift": SHIFT_MASK, "Ctrl": CONTROL_MASK, "Alt": MOD1_MASK, "Super": MOD4_MASK}
NUM_LOCK_KEYSYM = 0xFF7F  # XK_Num_Lock
KEY_PRESS = 2
KEY_RELEASE = 3


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


def num_lock_mask(modifier_map: Any, num_lock_keycode: int) -> int:
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


class XGrabHotkey:
    name = "X11 key grab"

    def __init__(self, display_name: str | None) -> None:
        self._display_name = display_name
        self._display: Any = None
        self._presses = PressFilter(0, 0, 0)
        self._on_pressed: Callable[[], None] | None = None

    def why_unavailable(self) -> str | None:
        if not self._display_name:
            return "There is no X display (DISPLAY is not set)."
        try:
            import Xlib  # noqa: F401
        except ImportError:
            return "The X11 client library (python-xlib) is not installed."
        return None

    def start(self, combo: KeyCombo, on_pressed: Callable[[], None]) -> None:
        self.stop()
        problem = self.why_unavailable()
        if problem:
            raise HotkeyError(problem)
        from Xlib import XK, X, error
        from Xlib.display import Display

        try:
            display = Display(self._display_name)
        except (error.DisplayError, OSError) as exc:
            raise HotkeyError(f"Can't reach the X display {self._display_name} ({exc}).") from exc
        keycode = display.keysym_to_keycode(XK.string_to_keysym(keysym_name(combo.key)))
        if not keycode:
            display.close()
            raise HotkeyError(f"The keyboard layout has no {combo.key} key.")
        num_lock = num_lock_mask(
            display.get_modifier_mapping(), display.keysym_to_keycode(NUM_LOCK_KEYSYM)
        )
        mask = modifier_mask(combo)
        root = display.screen().root
        # A grab someone else holds fails with BadAccess, reported asynchronously: catch
        # it, then sync so it has arrived before we look.
        refused = error.CatchError(error.BadAccess)
        for locks in lock_variants(num_lock):
            root.grab_key(
                keycode, mask | locks, False, X.GrabModeAsync, X.GrabModeAsync, onerror=refused
            )
        display.sync()
        if refused.get_error() is not None:
            for locks in lock_variants(num_lock):
                root.ungrab_key(keycode, mask | locks)
            display.close()
            raise HotkeyError(
                f"Another program already uses {combo} as a shortcut: choose another in "
                "Settings, or free it in that program."
            )
        self._display = display
        self._presses = PressFilter(keycode, mask, LOCK_MASK | num_lock)
        self._on_pressed = on_pressed

    def stop(self) -> None:
        if self._display is None:
            return
        display, self._display = self._display, None
        display.close()  # the server drops a closed client's grabs

    def fileno(self) -> int | None:
        return None if self._display is None else int(self._display.fileno())

    def dispatch(self) -> None:
        display = self._display
        if display is None:
            return
        from Xlib import error

        try:
            while display.pending_events():
                event = display.next_event()
                if self._presses.is_press(event) and self._on_pressed is not None:
                    self._on_pressed()
        except error.ConnectionClosedError as exc:
            self.stop()
            raise HotkeyError(f"The X display {self._display_name} went away ({exc}).") from exc
