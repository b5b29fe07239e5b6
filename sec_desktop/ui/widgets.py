"""Small widgets several windows share."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QLabel, QWidget

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


# Room left around a window on its screen for the title bar and frame the window manager adds.
SCREEN_MARGIN_PX = 48


def fit_on_screen(window: QWidget, width: int, height: int) -> None:
    """Resize `window` to `width` x `height` logical pixels, but no larger than the free area
    of its screen: at 200% scale a 1280 x 800 window needs a 2560 x 1600 screen. A dialog
    opens over its parent, so the parent's screen is the one that counts."""
    parent = window.parentWidget()
    screen = (
        (parent.screen() if parent is not None else None)
        or window.screen()
        or QGuiApplication.primaryScreen()
    )
    if screen is not None:
        area = screen.availableGeometry()
        width = min(width, max(1, area.width() - SCREEN_MARGIN_PX))
        height = min(height, max(1, area.height() - SCREEN_MARGIN_PX))
    window.resize(width, height)
