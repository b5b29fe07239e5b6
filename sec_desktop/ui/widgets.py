"""Small widgets several windows share."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel

from sec_desktop.ui.accessibility import expose_text

# Dark red on light windows, light red on dark ones, each keeping a 4.5:1 contrast. (The
# palette's "bright text" role can't be used: it is white in light themes.)
PROBLEM_COLOURS = ("#a4141c", "#ff8f8f")
DARK_WINDOW_LIGHTNESS = 128


def problem_label(name: str, *, selectable: bool = False) -> QLabel:
    """A bold, hidden label for what is wrong, in a red that suits the window's theme."""
    label = QLabel()
    # The text is read (not `name`), and only while shown.
    expose_text(label, name)
    label.setWordWrap(True)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    palette = label.palette()
    dark = palette.color(QPalette.ColorRole.Window).lightness() < DARK_WINDOW_LIGHTNESS
    palette.setColor(QPalette.ColorRole.WindowText, QColor(PROBLEM_COLOURS[dark]))
    label.setPalette(palette)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    label.hide()
    return label


def literal(text: str) -> str:
    """Text for a button, check box or group title, where "&" would mark a shortcut key."""
    return text.replace("&", "&&")
