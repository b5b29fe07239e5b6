"""What every global-shortcut backend offers the app (the backends are in hotkey_*.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from sec_desktop.settings import KeyCombo

# The command a desktop's own key binding runs where the app can't grab keys.
PROMPT_COMMAND = "sec-desktop prompt --keyboard"


class HotkeyError(Exception):
    """The shortcut can't be set up; the message says why, for the user."""


class HotkeyBackend(Protocol):
    name: str

    def why_unavailable(self) -> str | None:
        """Why this backend can't grab keys here (None: it can try)."""

    def start(self, combo: KeyCombo, on_pressed: Callable[[], None]) -> None:
        """Grab `combo`; raises HotkeyError (another program holds it, no portal...)."""

    def stop(self) -> None:
        """Release the grab; safe to call twice or before start."""

    def fileno(self) -> int | None:
        """The socket the app watches, or None where presses come through the OS's loop."""

    def dispatch(self) -> None:
        """Handle what has arrived on `fileno()`; calls on_pressed for each press."""
