"""Small widget helpers the dashboard's panels share: group boxes, pickers and wrapping labels."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QResizeEvent, QTextDocumentFragment
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QGroupBox,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from sec_desktop.ui.accessibility import announce, expose_text


def group_box(title: str, name: str) -> tuple[QGroupBox, QVBoxLayout]:
    box = QGroupBox(title)
    box.setAccessibleName(name)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(8, 4, 8, 6)
    return box, layout


class WrappingLabel(QLabel):
    """A word-wrapped plain-text label that asks for the height its text needs at its width.

    Nested layouts don't pass height-for-width through reliably, so a wrapped label could be
    cut off; its minimum height is set from the text at the current width instead. The height
    is measured as QLabel lays out plain text (font metrics with word wrap), once per text and
    width.
    """

    def __init__(self, parent: QWidget | None = None, *, live: bool = False) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self._fitted: tuple[str, int] | None = None
        # A text that changes on its own (coverage, insights, a message) is read out when it
        # changes, while it is shown.
        self.live = live

    def setText(self, text: str) -> None:
        changed = text != self.text()
        super().setText(text)
        self._fit()
        if changed and self.live:
            rich = self.textFormat() == Qt.TextFormat.RichText
            announce(self, QTextDocumentFragment.fromHtml(text).toPlainText() if rich else text)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        width = self.contentsRect().width() - 2 * self.margin()
        key = (self.text(), width)
        if width <= 0 or key == self._fitted:
            return
        self._fitted = key
        flags = int(Qt.TextFlag.TextWordWrap) | int(self.alignment().value)
        text_height = self.fontMetrics().boundingRect(0, 0, width, 1 << 20, flags, self.text())
        margins = self.contentsMargins()
        needed = text_height.height() + margins.top() + margins.bottom() + 2 * self.margin()
        if needed != self.minimumHeight():
            self.setMinimumHeight(needed)


def wrapping_label(name: str, *, live: bool = False) -> QLabel:
    """A label whose text is what a screen reader reads; `name` says what it is."""
    label = WrappingLabel(live=live)
    label.setWordWrap(True)
    expose_text(label, name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
    return label


def combo_box(name: str) -> QComboBox:
    box = QComboBox()
    box.setAccessibleName(name)
    return box


def tool_button(text: str, name: str, shortcut: str) -> QToolButton:
    button = QToolButton()
    button.setText(text)
    button.setToolTip(f"{name} ({shortcut})")
    button.setAccessibleName(name)
    button.setShortcut(QKeySequence(shortcut))
    return button


def date_edit(name: str) -> QDateEdit:
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setAccessibleName(name)
    return edit
