"""The picker's queue of prompts missed while away: one row per slot with its span and whether
it is still to tag, being tagged now, or answered and how."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

from sec_desktop.framework.model import Framework
from sec_desktop.reminders.prompts import Disposition, PromptSlot, SlotAnswer
from sec_desktop.reminders.schedule import MAX_QUEUE_SLOTS
from sec_desktop.ui.picker.delegate import small_font
from sec_desktop.ui.picker.text import slot_span_text

# Rows beyond this scroll; a request never has more (the planner shortens longer queues).
QUEUE_ROWS_SHOWN = MAX_QUEUE_SLOTS


class SlotList(QListWidget):
    """The slots of a queued request; choosing one tags it out of turn (the picker connects)."""

    def __init__(self, framework: Framework, parent: QWidget) -> None:
        super().__init__(parent)
        self.framework = framework
        self.setObjectName("slots")
        self.setAccessibleName("Prompts to tag")
        self.setAccessibleDescription(
            "The spans of time missed while away; choose one to tag it out of turn."
        )
        self.setFont(small_font(parent.font()))
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def fit_rows(self) -> None:
        """Exactly as tall as the rows listed (up to QUEUE_ROWS_SHOWN), so none is cut off:
        the rows' own height, not a guess from the font, which the style may pad."""
        rows = min(max(self.count(), 1), QUEUE_ROWS_SHOWN)
        row_px = self.sizeHintForRow(0) if self.count() else QFontMetrics(self.font()).height()
        self.setFixedHeight(row_px * rows + 2 * self.frameWidth())

    def list_slots(
        self,
        slots: Sequence[PromptSlot],
        answers: Sequence[SlotAnswer | None],
        current: int,
        tz: tzinfo,
        today: datetime,
    ) -> None:
        """One row per slot with its state, the `current` one selected, without signals."""
        self.blockSignals(True)
        self.clear()
        for index, slot in enumerate(slots):
            answer = answers[index]
            if answer is None:
                status = "now" if index == current else "to tag"
            elif answer.disposition is Disposition.TAGGED and answer.activity_id:
                status = self.framework[answer.activity_id].label
            else:
                status = "away" if answer.disposition is Disposition.AWAY else "off work"
            text = f"{slot_span_text(slot, tz, today)}  \u2014  {status}"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"Prompt {index + 1}: {text}")
            self.addItem(item)
        self.setCurrentRow(current)
        self.blockSignals(False)
        self.fit_rows()
