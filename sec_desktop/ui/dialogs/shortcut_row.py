"""The Settings row for the global shortcut: a key sequence editor, and where the app can't
grab keys itself, how to bind `sec-desktop prompt` in this desktop with a Copy button."""

from __future__ import annotations

import os
from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sec_desktop.platform.hotkey import binding_help
from sec_desktop.settings import parse_key_combo


def sequence_text(sequence: QKeySequence) -> str:
    """The editor's sequence in the settings' words ("Ctrl+Alt+Space"); Qt's Meta is Super.
    A key the setting refuses comes back as Qt writes it, so the message can name it."""
    text = sequence.toString(QKeySequence.SequenceFormat.PortableText)
    text = "+".join("Super" if part == "Meta" else part for part in text.split("+")) if text else ""
    try:
        return str(parse_key_combo(text)) if text else ""
    except ValueError:
        return text


def qt_sequence(text: str) -> QKeySequence:
    parts = ["Meta" if part == "Super" else part for part in text.split("+")] if text else []
    return QKeySequence.fromString("+".join(parts), QKeySequence.SequenceFormat.PortableText)


class ShortcutRow(QWidget):
    """The editor (one key combination, clearable: empty turns the shortcut off) and, with
    `problem`, the reason the app holds no shortcut and the steps to bind one instead."""

    def __init__(
        self,
        problem: str | None,
        env: Mapping[str, str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._env = os.environ if env is None else env
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        self.edit = QKeySequenceEdit()
        self.edit.setMaximumSequenceLength(1)
        self.edit.setClearButtonEnabled(True)
        # Screen readers land on the editor's inner line edit: it carries the name too.
        inner = self.edit.findChild(QLineEdit)
        if inner is not None:
            inner.setAccessibleName("Shortcut")
        column.addWidget(self.edit)
        self.steps = QLabel()
        self.steps.setObjectName("shortcut_steps")
        self.steps.setWordWrap(True)
        # The config line (sway, Hyprland) is there to be copied as it stands.
        self.steps.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.command = QLabel()
        self.command.setObjectName("shortcut_command")
        self.copy_button = QPushButton("Copy command")
        self.copy_button.setAccessibleName("Copy the prompt command")
        self.copy_button.clicked.connect(self.copy_command)
        command_row = QHBoxLayout()
        command_row.addWidget(self.command, 1)
        command_row.addWidget(self.copy_button)
        self._problem = problem
        self._help_box = QWidget()
        help_column = QVBoxLayout(self._help_box)
        help_column.setContentsMargins(0, 4, 0, 0)
        help_column.addWidget(self.steps)
        help_column.addLayout(command_row)
        column.addWidget(self._help_box)
        self._help_box.setVisible(problem is not None)
        self.edit.keySequenceChanged.connect(self._update_steps)
        self._update_steps()

    def text(self) -> str:
        return sequence_text(self.edit.keySequence())

    def set_text(self, text: str) -> None:
        self.edit.setKeySequence(qt_sequence(text))

    def _update_steps(self) -> None:
        try:
            combo = parse_key_combo(self.text()) if self.text() else None
        except ValueError:
            combo = None
        help_ = binding_help(self._env, combo)
        self.command.setText(help_.command)
        self.steps.setText(f"{self._problem}\n\nIn {help_.desktop}: {help_.steps}")

    def copy_command(self) -> None:
        QGuiApplication.clipboard().setText(self.command.text())
