"""The window registry keeps one window per key: built on first open, brought forward when
opened again, forgotten once destroyed or closed through it."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from sec_desktop.ui.windows import Reopen, WindowRegistry


def counting_factory(built: list[QWidget], *, delete_on_close: bool = False):
    def build() -> QWidget:
        window = QWidget()
        if delete_on_close:
            window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        built.append(window)
        return window

    return build


def test_a_window_is_built_once_and_shown_again(qtbot) -> None:
    windows = WindowRegistry()
    built: list[QWidget] = []
    first = windows.show("dashboard", counting_factory(built))
    assert first.isVisible()
    first.hide()  # a kept window: closing only hides it
    again = windows.show("dashboard", counting_factory(built))
    assert again is first
    assert again.isVisible()
    assert len(built) == 1
    windows.close_all()
    assert not first.isVisible()


def test_a_dialog_is_raised_and_forgotten_once_destroyed(qtbot) -> None:
    windows = WindowRegistry()
    built: list[QWidget] = []
    build = counting_factory(built, delete_on_close=True)
    dialog = windows.show("settings", build, Reopen.RAISE_AND_ACTIVATE)
    assert windows.show("settings", build, Reopen.RAISE_AND_ACTIVATE) is dialog
    dialog.close()
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog), timeout=5000)
    assert windows.get("settings") is None
    assert windows.show("settings", build, Reopen.RAISE) is not dialog
    assert len(built) == 2
    windows.close_all()


def test_closed_windows_are_built_anew(qtbot) -> None:
    windows = WindowRegistry()
    built: list[QWidget] = []
    first = windows.show("mindmap", counting_factory(built))
    windows.close("mindmap", "dashboard")  # one not open is fine
    assert windows.get("mindmap") is None
    assert windows.show("mindmap", counting_factory(built)) is not first
    windows.close_all()
