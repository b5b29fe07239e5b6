"""The Entries tab: the period's entries as a table, newest first, with add, retag, change
times, split, delete and in-place note edits (undoable through the editor's stack), a search
box and filters, and a line that says why an edit was refused.

A number elsewhere in the dashboard opens this tab through `show_filter`: the filter names
where it came from, the line above the table adds up the shown entries' time the way the
number was computed, and Clear filter goes back to the whole period.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QDate,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from sec_desktop.analytics.text import duration, period_text
from sec_desktop.framework import Framework
from sec_desktop.store import Entry, StoreError
from sec_desktop.ui.accessibility import expose_text
from sec_desktop.ui.dashboard.dialogs import AddEntryDialog, RetagDialog, SplitDialog, TimesDialog
from sec_desktop.ui.dashboard.entries import (
    COLUMNS,
    EditRefused,
    EntriesModel,
    EntriesProxy,
    EntryEditor,
)
from sec_desktop.ui.dashboard.entry_filter import EntryFilter, Span, counted_seconds
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
# The date filters show "Any" at this date, their minimum.
ANY_DATE = QDate(2000, 1, 1)
# A new entry's default length, ending now.
NEW_ENTRY_DEFAULT = timedelta(minutes=30)


class ElideLeftDelegate(QStyledItemDelegate):
    """Cut text that doesn't fit at its start ("…Security & Compliance > Risk assessment")."""

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideLeft


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
        layout.addLayout(self._build_filters())
        self.filter_line = QHBoxLayout()
        self.shown_label = QLabel()
        self.shown_label.setAccessibleName("Shown entries")
        self.shown_label.setWordWrap(True)
        self.clear_button = QPushButton("C&lear filter")
        self.clear_button.setAccessibleName("Clear filter")
        self.clear_button.clicked.connect(self.clear_filter)
        self.filter_line.addWidget(self.shown_label, 1)
        self.filter_line.addWidget(self.clear_button)
        layout.addLayout(self.filter_line)
        self.view: ViewData | None = None
        self._select_next: list[str] = []
        self.model = EntriesModel(framework, tz, self)
        self.model.noteEdited.connect(self._note_edited)
        self.proxy = EntriesProxy(self.model, framework, tz, self)
        self.table = EntriesView()
        self.table.setAccessibleName("Entries of the period")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        # Newest first until the user clicks another header.
        self.table.sortByColumn(COLUMNS.index("Day"), Qt.SortOrder.DescendingOrder)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.SelectedClicked
        )
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setWordWrap(False)
        # A long activity path keeps its end, the activity itself.
        self.table.setItemDelegateForColumn(
            COLUMNS.index("Activity"), ElideLeftDelegate(self.table)
        )
        # Widths from sample texts: sizing to contents would measure every row of a year.
        header = self.table.horizontalHeader()
        metrics = self.fontMetrics()
        for column, sample in enumerate(ENTRY_COLUMN_SAMPLES):
            if sample:
                header.resizeSection(column, metrics.horizontalAdvance(sample) + 16)
        # Activity and note share what the other columns leave, so neither is squeezed out.
        header.setSectionResizeMode(COLUMNS.index("Activity"), QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COLUMNS.index("Note"), QHeaderView.ResizeMode.Stretch)
        self.table.deleteRequested.connect(self.delete_selected)
        self.table.doubleClicked.connect(self._double_clicked)
        layout.addWidget(self.table, 1)
        self._update_shown()

    def _build_tools(self, undo_actions: Sequence[tuple[QAction, str]]) -> QHBoxLayout:
        tools = QHBoxLayout()
        buttons = (
            ("&Add entry\u2026", "Add an entry", self.open_add),
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
        (
            self.add_button,
            self.retag_button,
            self.times_button,
            self.split_button,
            self.delete_button,
        ) = made
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

    def _build_filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search activity, note, labels")
        self.search.setAccessibleName("Search entries")
        self.search.setClearButtonEnabled(True)
        self.search.setToolTip("Search entries (Ctrl+F)")
        find = QShortcut(QKeySequence.StandardKey.Find, self)
        find.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.activated.connect(self.search.setFocus)
        self.node_box = QComboBox()
        self.node_box.setAccessibleName("Filter by domain, focus area or activity")
        self._fill_node_box()
        self.source_box = QComboBox()
        self.source_box.setAccessibleName("Filter by source")
        self.source_box.addItem("Any source", None)
        self.from_edit = self._date_filter("Filter from date")
        self.to_edit = self._date_filter("Filter to date")
        row.addWidget(self.search, 2)
        row.addWidget(self.node_box, 2)
        row.addWidget(self.source_box, 1)
        for text, edit in (("From", self.from_edit), ("to", self.to_edit)):
            label = QLabel(text)
            label.setBuddy(edit)  # read out with its field
            row.addWidget(label)
            row.addWidget(edit)
        self.search.textChanged.connect(self._filter_widgets_changed)
        self.node_box.activated.connect(self._filter_widgets_changed)
        self.source_box.activated.connect(self._filter_widgets_changed)
        self.from_edit.dateChanged.connect(self._filter_widgets_changed)
        self.to_edit.dateChanged.connect(self._filter_widgets_changed)
        return row

    def _fill_node_box(self) -> None:
        self.node_box.clear()
        self.node_box.addItem("Any activity", None)
        for node in self.framework.walk():
            indent = "    " * (node.level.value - 1)
            self.node_box.addItem(f"{indent}{node.label}", node.id)
            self.node_box.setItemData(
                self.node_box.count() - 1,
                self.framework.path_label(node.id),
                Qt.ItemDataRole.ToolTipRole,
            )

    @staticmethod
    def _date_filter(name: str) -> QDateEdit:
        edit = QDateEdit()
        edit.setAccessibleName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setMinimumDate(ANY_DATE)
        edit.setSpecialValueText("Any")
        edit.setDate(ANY_DATE)
        return edit

    # Showing and filtering ----------------------------------------------------------------

    def show_view(self, view: ViewData, selected: Sequence[str]) -> None:
        """Show the view's entries, keeping the entries with these ids selected."""
        self.view = view
        self._load_rows()
        self._fill_sources()
        self.select_entries(self._select_next or selected)
        self._select_next = []

    def _load_rows(self) -> None:
        if self.view is None:
            return
        spans = self.proxy.entry_filter.spans
        # A filter over other weeks than the period (an insight's) reads those weeks.
        self.model.set_entries(self._entries_in(spans) if spans else self.view.entries)
        self._update_shown()

    def _entries_in(self, spans: Sequence[Span]) -> list[Entry]:
        found: dict[str, Entry] = {}
        with self.editor.store_lock:
            for lo, hi in spans:
                for entry in self.editor.store.entries(lo, hi):
                    found[entry.id] = entry
        return sorted(found.values(), key=lambda e: e.start)

    def _fill_sources(self) -> None:
        wanted = self.proxy.entry_filter.source
        sources = sorted({e.source for e in self.model.entries()} | ({wanted} if wanted else set()))
        self.source_box.blockSignals(True)
        self.source_box.clear()
        self.source_box.addItem("Any source", None)
        for source in sources:
            self.source_box.addItem(source, source)
        self.source_box.setCurrentIndex(max(0, self.source_box.findData(wanted)))
        self.source_box.blockSignals(False)

    @property
    def entry_filter(self) -> EntryFilter:
        return self.proxy.entry_filter

    def show_filter(self, entry_filter: EntryFilter) -> None:
        """Show only the entries this filter lets through, with the widgets set to match."""
        self._set_widgets(entry_filter)
        self._apply_filter(entry_filter)

    def clear_filter(self) -> None:
        self.show_filter(EntryFilter())

    def _apply_filter(self, entry_filter: EntryFilter) -> None:
        reload = entry_filter.spans != self.proxy.entry_filter.spans
        self.proxy.set_filter(entry_filter)
        if reload:
            self._load_rows()
        self._update_shown()

    def _set_widgets(self, entry_filter: EntryFilter) -> None:
        widgets = (self.search, self.node_box, self.source_box, self.from_edit, self.to_edit)
        for widget in widgets:
            widget.blockSignals(True)
        try:
            self.search.setText(entry_filter.text)
            node_index = self.node_box.findData(entry_filter.node_id)
            if node_index < 0 and entry_filter.node_id is not None:
                # An activity this framework doesn't have (from another device).
                self.node_box.addItem(entry_filter.node_id, entry_filter.node_id)
                node_index = self.node_box.count() - 1
            self.node_box.setCurrentIndex(max(0, node_index))
            source = entry_filter.source
            if source is not None and self.source_box.findData(source) < 0:
                self.source_box.addItem(source, source)
            self.source_box.setCurrentIndex(max(0, self.source_box.findData(source)))
            self.from_edit.setDate(_qdate(entry_filter.first))
            self.to_edit.setDate(_qdate(entry_filter.last))
        finally:
            for widget in widgets:
                widget.blockSignals(False)

    def _filter_widgets_changed(self, *_args: object) -> None:
        current = self.proxy.entry_filter
        node = self.node_box.currentData()
        source = self.source_box.currentData()
        changed = EntryFilter(
            text=self.search.text(),
            node_id=str(node) if node is not None else None,
            source=str(source) if source is not None else None,
            first=_pydate(self.from_edit.date()),
            last=_pydate(self.to_edit.date()),
            spans=current.spans,
            title=current.title,
        )
        self._apply_filter(changed)

    def counted_seconds(self) -> float:
        """The shown entries' time, counted as the dashboard counts it: inside the period,
        or inside the spans of the number the filter came from."""
        if self.proxy.entry_filter.is_empty and self.view is not None:
            # Every entry of the period: the dashboard's own total, already counted.
            return self.view.data.report.total_seconds
        spans = self.proxy.entry_filter.spans or self._period_spans()
        return counted_seconds(self.proxy.matching(self.model.entries()), spans)

    def _period_spans(self) -> tuple[Span, ...]:
        if self.view is None:
            return ()
        return ((self.view.period.start, self.view.period.end),)

    def _update_shown(self) -> None:
        entry_filter = self.proxy.entry_filter
        total = self.model.rowCount()
        shown = self.proxy.rowCount()
        if self.view is None:
            return  # nothing to count before the first view
        where = (
            "in the weeks it reads" if entry_filter.spans else f"in {period_text(self.view.period)}"
        )
        self.count.setText(f"{total} entries {where}")
        time = duration(self.counted_seconds())
        if entry_filter.is_empty:
            self.shown_label.setText(f"All {total} entries: {time} {where}.")
            self.clear_button.setEnabled(False)
            return
        title = f"{entry_filter.title}: " if entry_filter.title else "Filtered: "
        self.shown_label.setText(f"{title}{shown} of {total} entries, {time} {where}.")
        self.clear_button.setEnabled(True)

    # Selection ----------------------------------------------------------------------------

    def selected_entries(self) -> list[Entry]:
        """The selected entries, in the table's order."""
        indexes = self.table.selectionModel().selectedRows()
        rows = sorted({self.proxy.mapToSource(index).row() for index in indexes})
        return [self.model.entry_at(row) for row in rows]

    def shown_entries(self) -> list[Entry]:
        """The rows of the table, top to bottom."""
        return self.proxy.shown_entries()

    def select_entries(self, entry_ids: Sequence[str]) -> None:
        selection = self.table.selectionModel()
        selection.clearSelection()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for entry_id in entry_ids:
            row = self.proxy.row_of(self.editor.ids.current(entry_id))
            if row is not None:
                selection.select(self.proxy.index(row, 0), flags)

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

    def _double_clicked(self, index: QModelIndex) -> None:
        # The note column edits in place on a double click; the others open Retag.
        if index.column() == COLUMNS.index("Note"):
            self.table.edit(index)
            return
        self.open_retag()

    def _note_edited(self, entry: Entry, text: str) -> None:
        self._edit(lambda: self.editor.set_note(entry, text))

    def open_add(self) -> AddEntryDialog:
        now = self.editor.now().astimezone(self.tz)
        end = now.replace(second=0, microsecond=0)
        dialog = AddEntryDialog(
            self.framework,
            self.tz,
            (end - NEW_ENTRY_DEFAULT, end),
            self._add_entry,
            self.window(),
        )
        dialog.open()
        return dialog

    def _add_entry(self, activity_id: str, start: datetime, end: datetime, note: str) -> None:
        try:
            entry = self.editor.add(activity_id, start, end, self.tz, note)
        except (StoreError, OSError) as exc:  # shown in the dialog, which stays open
            raise EditRefused(f"the store refused the entry ({exc})") from exc
        self.message.hide()
        # Selected when the next view shows it (the window recomputes after every edit).
        self._select_next = [entry.id]

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


def _qdate(day: date | None) -> QDate:
    return ANY_DATE if day is None else QDate(day.year, day.month, day.day)


def _pydate(value: QDate) -> date | None:
    if value == ANY_DATE:
        return None
    return date(value.year(), value.month(), value.day())
