"""The "Start timer" window: search the whole framework for the activity a timer should run on.

It reuses the picker's choice list and ranking, so the same words find the same activities:
an empty box lists the usual ones (1-9 pick them), typing searches every activity, Enter
starts the timer on the highlighted one, Escape closes without starting anything.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidgetItem, QVBoxLayout, QWidget

from sec_desktop import APP_NAME
from sec_desktop.framework.model import Framework
from sec_desktop.reminders.ranking import PICKER_CHOICES, UsageRanking
from sec_desktop.ui.picker.choices import ChoiceList
from sec_desktop.ui.picker.delegate import ROLE_ACTIVITY

WIDTH_CHARS = 50
MIN_WIDTH_PX = 400
_DIGIT_KEYS = {getattr(Qt.Key, f"Key_{n}"): n for n in range(1, 10)}
_MOVE_KEYS = {
    Qt.Key.Key_Up: -1,
    Qt.Key.Key_Down: 1,
    Qt.Key.Key_PageUp: -PICKER_CHOICES,
    Qt.Key.Key_PageDown: PICKER_CHOICES,
}


class TimerChooser(QWidget):
    """A small window that emits `chosen(activity id)` and closes; it deletes itself on close.

    `running` is the activity of a timer already running, said in the title line so the
    user knows choosing another one switches the timer.
    """

    chosen = Signal(str)

    def __init__(
        self,
        framework: Framework,
        ranking: UsageRanking,
        *,
        running: str | None = None,
        clock: Callable[[], datetime] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.framework = framework
        self.ranking = ranking
        self._clock = clock or (lambda: datetime.now(UTC))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setObjectName("timer-chooser")
        self.setWindowTitle(f"{APP_NAME}: start a timer")
        self.setAccessibleName("Start a timer")
        self.setFixedWidth(max(MIN_WIDTH_PX, self.fontMetrics().averageCharWidth() * WIDTH_CHARS))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(6)
        running_label = framework[running].label if running and running in framework else None
        question = (
            f"The timer runs on {running_label}. Switch it to:"
            if running_label
            else "Start a timer on:"
        )
        self.question = QLabel(question, self)
        self.question.setObjectName("question")
        self.question.setWordWrap(True)
        layout.addWidget(self.question)

        self.search = QLineEdit(self)
        self.search.setObjectName("search")
        self.search.setPlaceholderText("Search activities\u2026")
        self.search.setAccessibleName("Search activities")
        self.search.setAccessibleDescription(
            f"{question} Type part of an activity's name; Enter starts the timer on the "
            "highlighted one, 1 to 9 pick a listed one while the box is empty, Escape closes."
        )
        self.search.textChanged.connect(self._refresh)
        layout.addWidget(self.search)

        self.choices = ChoiceList(framework, ranking, self)
        self.choices.fit_rows()
        self.choices.itemClicked.connect(self._on_item)
        self.choices.itemActivated.connect(self._on_item)
        layout.addWidget(self.choices)

        self.hint = QLabel(self)
        self.hint.setObjectName("hint")
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)

        for watched in (self.search, self.choices):
            watched.installEventFilter(self)
        self._refresh()
        self.search.setFocus(Qt.FocusReason.OtherFocusReason)

    def choice_ids(self) -> list[str]:
        return self.choices.activity_ids()

    def _refresh(self, _text: str = "") -> None:
        query = self.search.text()
        at = self._clock()
        if query.strip():
            self.choices.list_matches(query, at)
            keys = ["Enter: start", "\u2191\u2193: move", "Esc: close"]
        else:
            self.choices.list_top(at, None, "")
            self.choices.setCurrentRow(0)
            keys = ["Enter or Alt+1\u20139: start", "type to search", "Esc: close"]
        self.hint.setText(" \u00b7 ".join(keys))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and self._handle_key(event, watched)
        ):
            return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self._handle_key(event, self):
            super().keyPressEvent(event)

    def _handle_key(self, event: QKeyEvent, source: QObject) -> bool:
        key = event.key()
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if key == Qt.Key.Key_Escape and not mods:
            self.close()
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not mods:
            self.choose(self.choices.highlighted())
        elif key in _DIGIT_KEYS and mods == Qt.KeyboardModifier.AltModifier:
            # As in the picker: a plain digit is text ("1:1", "2fa"), Alt+digit picks.
            self.choose(self.choices.numbered(_DIGIT_KEYS[Qt.Key(key)]))
        elif key in _MOVE_KEYS and not mods and source is self.search:
            self.choices.step_highlight(_MOVE_KEYS[Qt.Key(key)])
        else:
            return False
        return True

    def _on_item(self, item: QListWidgetItem) -> None:
        value = item.data(ROLE_ACTIVITY)
        if value:
            self.choose(str(value))

    def choose(self, activity: str | None) -> None:
        """Start the timer on `activity` (nothing happens for None) and close."""
        if activity is None or activity not in self.framework:
            return
        self.hide()
        self.chosen.emit(activity)
        self.close()


__all__ = ["TimerChooser"]
