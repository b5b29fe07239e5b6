"""The little widgets the import wizard's pages share: labels, path fields and a
searchable activity box."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from sec_desktop.framework import Framework

ACTIVITY_BOX_CHARS = 50
ACTIVITY_POPUP_WIDTH_PX = 480


def text_label(name: str, text: str = "") -> QLabel:
    """Plain, wrapping text with a name for screen readers."""
    label = QLabel(text)
    label.setAccessibleName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


def buddy(text: str, widget: QWidget) -> QLabel:
    """A label whose shortcut (the letter after "&") focuses `widget`."""
    label = QLabel(text)
    label.setBuddy(widget)
    return label


def path_edit(name: str, placeholder: str) -> QLineEdit:
    """A field for a file's path, typed or filled by a file dialog."""
    edit = QLineEdit()
    edit.setAccessibleName(name)
    edit.setPlaceholderText(placeholder)
    edit.setClearButtonEnabled(True)
    return edit


def with_button(edit: QLineEdit, text: str, name: str, clicked: Callable[[], None]) -> QHBoxLayout:
    """The field with a button beside it ("Choose file…")."""
    button = QPushButton(text)
    button.setAccessibleName(name)
    button.clicked.connect(clicked)
    row = QHBoxLayout()
    row.addWidget(edit, 1)
    row.addWidget(button)
    return row


def activity_text(framework: Framework, node_id: str) -> str:
    """An activity's name first, then where it sits: "OKR management (Strategy > ...)"."""
    node = framework[node_id]
    if node.parent_id is None:
        return node.label
    return f"{node.label} ({framework.path_label(node.parent_id)})"


class ActivityBox(QComboBox):
    """A searchable choice of activity: type part of any level's name ("okr", "incident")."""

    def __init__(self, framework: Framework, empty_text: str, name: str) -> None:
        super().__init__()
        self.setAccessibleName(name)
        line = QLineEdit()
        self.setLineEdit(line)  # makes the box editable
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(ACTIVITY_BOX_CHARS)
        self.addItem(empty_text, "")
        for node in framework.walk():
            if not node.hidden:
                self.addItem(activity_text(framework, node.id), node.id)
                self.setItemData(
                    self.count() - 1, framework.path_label(node.id), Qt.ItemDataRole.ToolTipRole
                )
        self.view().setMinimumWidth(ACTIVITY_POPUP_WIDTH_PX)
        completer = QCompleter(self.model(), self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)
        line.setPlaceholderText("Type to search, e.g. okr")
        line.setAccessibleName(name)
        line.editingFinished.connect(self._settle)
        # Show a long choice from its start: the activity's own name comes first.
        self.currentIndexChanged.connect(lambda _i: line.setCursorPosition(0))

    def activity(self) -> str | None:
        value = self.currentData()
        return str(value) if value else None

    def choose(self, activity_id: str | None) -> None:
        index = self.findData(activity_id or "")
        if index < 0:
            raise ValueError(f"{activity_id!r} is not offered")
        self.setCurrentIndex(index)

    def _settle(self) -> None:
        # Typed text that names an entry selects it; anything else goes back to the choice.
        index = self.findText(self.currentText().strip(), Qt.MatchFlag.MatchFixedString)
        if index >= 0 and index != self.currentIndex():
            self.setCurrentIndex(index)
        elif self.currentText() != self.itemText(self.currentIndex()):
            self.setEditText(self.itemText(self.currentIndex()))
