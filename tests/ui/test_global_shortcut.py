"""The app's side of the global shortcut: a backend's socket watched by Qt's loop, a press
calling back, a refused key kept as the problem, and everything released on stop."""

from __future__ import annotations

import socket
from collections.abc import Callable

from pytestqt.qtbot import QtBot

from sec_desktop.platform.hotkey_base import HotkeyError
from sec_desktop.settings import KeyCombo
from sec_desktop.ui.global_shortcut import GlobalShortcut


class SocketBackend:
    """A backend whose presses are bytes on a socket pair, as X11's and D-Bus's are."""

    name = "fake"

    def __init__(self, refuse: str | None = None) -> None:
        self.refuse = refuse
        self.ours, self.theirs = socket.socketpair()
        self.ours.setblocking(False)
        self.grabbed: list[str] = []
        self._on_pressed: Callable[[], None] | None = None

    def why_unavailable(self) -> str | None:
        return None

    def start(self, combo: KeyCombo, on_pressed: Callable[[], None]) -> None:
        if self.refuse:
            raise HotkeyError(self.refuse)
        self.grabbed.append(str(combo))
        self._on_pressed = on_pressed

    def stop(self) -> None:
        self._on_pressed = None

    def fileno(self) -> int | None:
        return self.ours.fileno()

    def close(self) -> None:
        self.ours.close()
        self.theirs.close()

    def dispatch(self) -> None:
        for _ in self.ours.recv(64):
            if self._on_pressed is not None:
                self._on_pressed()


def test_a_press_on_the_socket_calls_back_until_stopped(qtbot: QtBot) -> None:
    backend = SocketBackend()
    pressed: list[int] = []
    shortcut = GlobalShortcut(lambda: pressed.append(1), backend)
    shortcut.set_sequence("ctrl+alt+space")
    assert (backend.grabbed, shortcut.problem) == (["Ctrl+Alt+Space"], None)
    backend.theirs.send(b"x")
    qtbot.waitUntil(lambda: pressed == [1], timeout=2000)
    shortcut.set_sequence("ctrl+alt+space")  # unchanged: not grabbed again
    assert backend.grabbed == ["Ctrl+Alt+Space"]
    shortcut.set_sequence("")
    backend.theirs.send(b"x")
    qtbot.wait(50)  # nothing may arrive: there is no condition to wait for
    assert pressed == [1]
    backend.close()


def test_a_refused_key_is_kept_as_the_problem() -> None:
    backend = SocketBackend(refuse="Another program already uses it")
    shortcut = GlobalShortcut(lambda: None, backend)
    shortcut.set_sequence("Ctrl+Alt+Space")
    assert shortcut.problem == "Another program already uses it"
    assert shortcut.can_grab
    backend.close()


def test_where_keys_cant_be_grabbed_that_is_the_problem_even_with_no_key_set() -> None:
    backend = SocketBackend()
    backend.why_unavailable = lambda: "no portal"  # type: ignore[method-assign]
    shortcut = GlobalShortcut(lambda: None, backend)
    shortcut.set_sequence("")
    assert (shortcut.problem, shortcut.can_grab) == ("no portal", False)
    backend.close()
