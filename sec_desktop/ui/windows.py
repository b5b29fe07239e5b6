"""The tray app's windows, at most one of each kind: built on first open (so a window's module
loads only then), brought forward when opened again, and forgotten once Qt destroys them."""

from __future__ import annotations

import enum
from collections.abc import Callable

from PySide6.QtWidgets import QWidget

from sec_desktop.ui.activation import activate


class Reopen(enum.Enum):
    """What opening a window does when it is already there."""

    # A window kept while hidden (closing only hides it): every open shows, raises and
    # activates it, the first one included.
    SHOW = "show"
    # A dialog that lives while open: the first open shows it, a later one raises it...
    RAISE = "raise"
    # ...or raises and activates it.
    RAISE_AND_ACTIVATE = "raise-and-activate"


class WindowRegistry:
    """The open windows by key; `show` builds a window lazily or brings the open one forward."""

    def __init__(self) -> None:
        self._windows: dict[str, QWidget] = {}

    def get(self, key: str) -> QWidget | None:
        return self._windows.get(key)

    def show(self, key: str, build: Callable[[], QWidget], reopen: Reopen = Reopen.SHOW) -> QWidget:
        window = self._windows.get(key)
        if reopen is Reopen.SHOW:
            if window is None:
                window = self._add(key, build())
            window.show()
            activate(window)
        elif window is None:
            window = self._add(key, build())
            window.show()
        elif reopen is Reopen.RAISE_AND_ACTIVATE:
            activate(window)
        else:
            window.raise_()
        return window

    def close(self, *keys: str) -> None:
        """Close these windows and forget them: the next open builds them anew."""
        for key in keys:
            window = self._windows.pop(key, None)
            if window is not None:
                window.close()

    def close_all(self) -> None:
        """Close every window (at quit); each is forgotten when Qt destroys it."""
        for window in list(self._windows.values()):
            window.close()

    def _add(self, key: str, window: QWidget) -> QWidget:
        self._windows[key] = window
        ident = id(window)
        window.destroyed.connect(lambda: self._forget(key, ident))
        return window

    def _forget(self, key: str, ident: int) -> None:
        # A window closed and forgotten may be destroyed after a new one took its key.
        window = self._windows.get(key)
        if window is not None and id(window) == ident:
            del self._windows[key]
