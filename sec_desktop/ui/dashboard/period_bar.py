"""The period picker: this week, last week, month, quarter, year or a custom range, stepped back
and forth. It holds the shown period and says when it changes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from sec_desktop.analytics import Period, PeriodError, named_period
from sec_desktop.analytics.periods import shifted_period
from sec_desktop.analytics.text import PERIOD_KIND_LABELS, PERIOD_KINDS, period_text
from sec_desktop.ui.accessibility import announce, expose_text
from sec_desktop.ui.dashboard.widgets import combo_box, date_edit, tool_button
from sec_desktop.ui.widgets import problem_label


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class PeriodBar(QWidget):
    """The period kind, previous and next, the shown period, and the dates of a custom range."""

    periodChanged = Signal()

    def __init__(
        self, today: Callable[[], date], tz: ZoneInfo, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.today = today
        self.tz = tz
        self.kind = "this-week"
        self.period = named_period("week", today(), tz)

        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        kind_label = QLabel("&Period:")
        self.kind_box = combo_box("Period")
        for kind in PERIOD_KINDS:
            self.kind_box.addItem(PERIOD_KIND_LABELS[kind], kind)
        kind_label.setBuddy(self.kind_box)
        self.kind_box.activated.connect(
            lambda index: self.set_period_kind(str(self.kind_box.itemData(index)))
        )
        self.prev_button = tool_button("\u25c0", "Previous period", "Alt+Left")
        self.prev_button.clicked.connect(lambda: self.shift_period(-1))
        self.next_button = tool_button("\u25b6", "Next period", "Alt+Right")
        self.next_button.clicked.connect(lambda: self.shift_period(1))
        self.period_label = QLabel()
        expose_text(self.period_label, "Shown period")
        font = self.period_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.period_label.setFont(font)
        self.from_edit = date_edit("From date")
        self.to_edit = date_edit("To date")
        self.from_edit.dateChanged.connect(self._custom_dates_changed)
        self.to_edit.dateChanged.connect(self._custom_dates_changed)
        # Hidden until there is an error, so none is ever read when there is none.
        self.range_error = problem_label("Range error")
        self.range_error.setWordWrap(False)
        pickers: list[QWidget] = [kind_label, self.kind_box, self.prev_button, self.next_button]
        for widget in pickers:
            row.addWidget(widget)
        shown: list[QWidget] = [self.period_label, self.from_edit, self.to_edit, self.range_error]
        for widget in shown:
            row.addSpacing(8 if widget is self.period_label else 0)
            row.addWidget(widget)
        self._sync()

    def _sync(self) -> None:
        """Show the current period in the pickers without re-triggering them."""
        pickers = (self.kind_box, self.from_edit, self.to_edit)
        for widget in pickers:
            widget.blockSignals(True)
        self.kind_box.setCurrentIndex(PERIOD_KINDS.index(self.kind))
        self.from_edit.setDate(_qdate(self.period.first))
        self.to_edit.setDate(_qdate(self.period.last))
        custom = self.kind == "custom"
        self.from_edit.setVisible(custom)
        self.to_edit.setVisible(custom)
        for widget in pickers:
            widget.blockSignals(False)
        self.period_label.setText(period_text(self.period))
        self.period_label.setToolTip(
            f"{self.period.first.isoformat()} to {self.period.last.isoformat()} ({self.tz.key})"
        )

    def _changed(self) -> None:
        self._sync()
        self.periodChanged.emit()

    def set_period_kind(self, kind: str) -> None:
        """Jump to this week, last week, this month, quarter or year, or a custom range."""
        if kind not in PERIOD_KINDS:
            raise ValueError(f"unknown period kind {kind!r}")
        today = self.today()
        self.kind = kind
        if kind in {"this-week", "week"}:
            self.period = named_period("week", today, self.tz)
        elif kind == "last-week":
            self.period = named_period("last-week", today, self.tz)
        elif kind in ("month", "quarter", "year"):
            self.period = named_period(kind, today, self.tz)
        self._show_range_error("")
        self._changed()

    def shift_period(self, steps: int) -> None:
        self.period = shifted_period(self.kind, self.period, steps)
        if self.kind in ("this-week", "last-week", "week"):
            today = self.today()
            if self.period == named_period("week", today, self.tz):
                self.kind = "this-week"
            elif self.period == named_period("last-week", today, self.tz):
                self.kind = "last-week"
            else:
                self.kind = "week"
        self._changed()

    def set_custom_range(self, first: date, last: date) -> None:
        """Show the days `first` to `last` (inclusive); an empty range is refused by name."""
        try:
            period = Period(first, last, self.tz)
        except PeriodError as exc:
            self._show_range_error(f"To date: {exc}.")
            raise
        self._show_range_error("")
        self.kind = "custom"
        self.period = period
        self._changed()

    def _show_range_error(self, text: str) -> None:
        """Show `text` as the range error and read it out, or hide the label when it is empty."""
        if text == self.range_error.text() and self.range_error.isVisibleTo(self) == bool(text):
            return
        self.range_error.setText(text)
        self.range_error.setVisible(bool(text))
        announce(self.range_error, text, assertive=True)

    def _custom_dates_changed(self) -> None:
        first = self.from_edit.date().toPython()
        last = self.to_edit.date().toPython()
        assert isinstance(first, date) and isinstance(last, date)  # noqa: S101 - Qt typing
        try:
            self.set_custom_range(first, last)
        except PeriodError:
            return
