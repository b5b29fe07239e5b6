"""The Entries tab: the period's entries as a table, with retag, change times, split and delete
(undoable through the editor's stack), and a line that says why an edit was refused."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from zoneinfo import ZoneInfo

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from sec_desktop.analytics.text import period_text
from sec_desktop.framework import Framework
from sec_desktop.store import Entry, StoreError
from sec_desktop.ui.accessibility import expose_text
from sec_desktop.ui.dashboard.dialogs import RetagDialog, SplitDialog, TimesDialog
from sec_desktop.ui.dashboard.entries import COLUMNS, EditRefused, EntriesModel, EntryEditor
from sec_desktop.ui.dashboard.view import ViewData
from sec_desktop.ui.dashboard.widgets import wrapping_label

# The widest text each entries column usually holds (the activity column takes the rest).
ENTRY_COLUMN_SAMPLES = (
    "Wed 2026-12-30",
    "00:00",
    "00:00 (+1 d)",
    "10 h 00 min",
    "",
    "import:timewarrior",
    "A note of a few words, for the width",
)
# How long an edit's refusal stays in the status bar.
ERROR_MESSAGE_MS = 10_000


class EntriesView(QTableView):
    """The entries table; the Delete key asks to delete the selected entries."""

    deleteRequested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.matches(QKeySequence.StandardKey.Delete) or event.key() == Qt.Key.Key_Delete:
            self.deleteRequested.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class EntriesTab(QWidget):
    """The edit buttons, undo and redo, the entry count, a message line and the table.

    Undo and redo are the window's actions (their shortcuts work on every tab); this tab shows
    them as buttons. `statusMessage(text, timeout_ms)` repeats a refusal for the status bar.
    """

    statusMessage = Signal(str, int)

    def __init__(
        self,
        framework: Framework,
        tz: ZoneInfo,
        editor: EntryEditor,
        undo_actions: Sequence[tuple[QAction, str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.framework = framework
        self.tz = tz
        self.editor = editor
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 6, 4, 4)
        layout.addLayout(self._build_tools(undo_actions))
        self.message = wrapping_label("Entry edit message", live=True)
        self.message.hide()
        layout.addWidget(self.message)
        self.model = EntriesModel(framework, tz, self)
        self.table = EntriesView()
        self.table.setAccessibleName("Entries of the period")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setWordWrap(False)
        # Widths from sample texts: sizing to contents would measure every row of a year.
        header = self.table.horizontalHeader()
        metrics = self.fontMetrics()
        for column, sample in enumerate(ENTRY_COLUMN_SAMPLES):
            if sample:
                header.resizeSection(column, metrics.horizontalAdvance(sample) + 16)
        header.setSectionResizeMode(COLUMNS.index("Activity"), QHeaderView.ResizeMode.Stretch)
        self.table.deleteRequested.connect(self.delete_selected)
        self.table.doubleClicked.connect(lambda _index: self.open_retag())
        layout.addWidget(self.table, 1)

    def _build_tools(self, undo_actions: Sequence[tuple[QAction, str]]) -> QHBoxLayout:
        tools = QHBoxLayout()
        buttons = (
            ("&Retag\u2026", "Retag selected entries", self.open_retag),
            ("Change &times\u2026", "Change times of the selected entry", self.open_change_times),
            ("S&plit\u2026", "Split the selected entry", self.open_split),
            ("&Delete", "Delete selected entries", self.delete_selected),
        )
        made = []
        for text, name, handler in buttons:
            button = QPushButton(text)
            button.setAccessibleName(name)
            button.clicked.connect(handler)
            tools.addWidget(button)
            made.append(button)
        self.retag_button, self.times_button, self.split_button, self.delete_button = made
        tools.addSpacing(12)
        for action, name in undo_actions:
            tool = QToolButton()
            tool.setDefaultAction(action)
            tool.setAccessibleName(name)
            tools.addWidget(tool)
        tools.addStretch(1)
        self.count = QLabel()
        expose_text(self.count, "Entry count")
        tools.addWidget(self.count)
        return tools

    def show_view(self, view: ViewData, selected: Sequence[str]) -> None:
        """Show the view's entries, keeping the entries with these ids selected."""
        self.model.set_entries(view.entries)
        self.count.setText(f"{len(view.entries)} entries in {period_text(view.period)}")
        self.select_entries(selected)

    def selected_entries(self) -> list[Entry]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.model.entry_at(row) for row in rows]

    def select_entries(self, entry_ids: Sequence[str]) -> None:
        selection = self.table.selectionModel()
        selection.clearSelection()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for entry_id in entry_ids:
            row = self.model.row_of(self.editor.ids.current(entry_id))
            if row is not None:
                selection.select(self.model.index(row, 0), flags)

    def show_error(self, message: str) -> None:
        self.message.setText(message)
        self.message.show()
        self.statusMessage.emit(message, ERROR_MESSAGE_MS)

    def _edit(self, action: Callable[[], None]) -> bool:
        """Run one edit; a refusal or a store failure is shown above the table."""
        try:
            action()
        except EditRefused as exc:
            self.show_error(f"Not changed: {exc}.")
            return False
        except (StoreError, OSError) as exc:
            self.show_error(f"Not changed: the store refused the edit ({exc}).")
            return False
        self.message.hide()
        return True

    def _single_selected(self) -> Entry | None:
        selected = self.selected_entries()
        if len(selected) != 1:
            self.show_error("Select one entry first.")
            return None
        return selected[0]

    def open_retag(self) -> RetagDialog | None:
        selected = self.selected_entries()
        if not selected:
            self.show_error("Select the entries to retag first.")
            return None
        dialog = RetagDialog(
            self.framework,
            selected[0].activity,
            lambda activity_id: self.editor.retag(selected, activity_id),
            self.window(),
        )
        dialog.open()
        return dialog

    def open_change_times(self) -> TimesDialog | None:
        entry = self._single_selected()
        if entry is None:
            return None
        dialog = TimesDialog(
            entry,
            self.tz,
            lambda start, end: self.editor.change_times(entry, start, end),
            self.window(),
        )
        dialog.open()
        return dialog

    def open_split(self) -> SplitDialog | None:
        entry = self._single_selected()
        if entry is None:
            return None
        dialog = SplitDialog(entry, self.tz, lambda at: self.editor.split(entry, at), self.window())
        dialog.open()
        return dialog

    def delete_selected(self) -> None:
        selected = self.selected_entries()
        if not selected:
            self.show_error("Select the entries to delete first.")
            return
        self._edit(lambda: self.editor.delete(selected))
