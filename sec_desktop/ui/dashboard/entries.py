"""The period's entries as a table, and their edits as undoable commands.

Every edit goes through the store (update, add, delete), so it is saved atomically and syncs
like any other change. Undo writes the previous version back with `EntryStore.update`. A
deleted entry can't be revived under its id (its tombstone must keep winning merges on other
devices), so undoing a delete saves a copy under a new id; later commands on the stack follow
that move through `EntryIds`.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from operator import attrgetter
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QUndoCommand, QUndoStack

from sec_desktop.analytics.text import duration
from sec_desktop.framework import Framework
from sec_desktop.store import Entry, EntryError, EntryStore, StoreError, format_utc
from sec_desktop.store.overlap import OverlapRefused, Placement, Trim, clashes_with, place
from sec_desktop.store.store import OverlapError
from sec_desktop.timefmt import format_local
from sec_desktop.ui.dashboard.entry_filter import EntryFilter

# An edit may end a little after "now": clocks drift, as the CLI allows for `log`.
FUTURE_TOLERANCE = timedelta(minutes=1)

COLUMNS = ("Day", "Start", "End", "Duration", "Activity", "Source", "Note")
NOTE_COLUMN = COLUMNS.index("Note")
ACTIVITY_COLUMN = COLUMNS.index("Activity")
START_COLUMNS = (COLUMNS.index("Day"), COLUMNS.index("Start"))  # both sort by the start


class EditRefused(ValueError):
    """An edit that would make an invalid entry; the message names the field."""


def clash_text(clashes: Sequence[Entry], framework: Framework) -> str:
    """Why an edit over saved entries was refused, naming the first one in its own zone."""
    first = clashes[0]
    zone = ZoneInfo(first.tz)
    label = framework.path_label(first.activity) if first.activity in framework else first.activity
    more = f" and {len(clashes) - 1} more" if len(clashes) > 1 else ""
    return (
        f"it would overlap the entry from {first.start.astimezone(zone):%Y-%m-%d %H:%M} to "
        f"{first.end.astimezone(zone):%H:%M} ({label}){more}, and time is never counted twice"
    )


class EntriesModel(QAbstractTableModel):
    """Rows of entries in local time. Only the note is edited in place, and not here: the
    edit is handed on as `noteEdited(entry, text)` for `EntryEditor` to save (with undo)."""

    noteEdited = Signal(object, str)

    def __init__(self, framework: Framework, tz: ZoneInfo, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._framework = framework
        self._tz = tz
        self._entries: list[Entry] = []
        # Newest first until the user sorts by another column; kept across new entries.
        self._sort_column = COLUMNS.index("Day")
        self._sort_order = Qt.SortOrder.DescendingOrder

    def set_entries(self, entries: Sequence[Entry]) -> None:
        self.beginResetModel()
        self._entries = self._sorted(entries)
        self.endResetModel()

    def _sorted(self, entries: Sequence[Entry]) -> list[Entry]:
        column = self._sort_column
        descending = self._sort_order == Qt.SortOrder.DescendingOrder
        # Ties keep time order, so equal durations or activities read oldest to newest.
        by_start = column in START_COLUMNS
        ordered = sorted(entries, key=attrgetter("start"), reverse=descending and by_start)
        if by_start:
            return ordered
        labels: dict[str, str] = {}  # an activity's path, worked out once per activity

        def key(entry: Entry) -> Any:
            if column != ACTIVITY_COLUMN:
                return self.sort_key(entry, column)
            if entry.activity not in labels:
                labels[entry.activity] = self.sort_key(entry, column)
            return labels[entry.activity]

        return sorted(ordered, key=key, reverse=descending)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort the rows in Python, with one key per row: a proxy's comparisons, each a call
        into Python, took seconds for a year of entries."""
        if not 0 <= column < len(COLUMNS):
            return
        self._sort_column, self._sort_order = column, order
        self.layoutAboutToBeChanged.emit()
        before = {id(entry): row for row, entry in enumerate(self._entries)}
        self._entries = self._sorted(self._entries)
        moved = {before[id(entry)]: row for row, entry in enumerate(self._entries)}
        old = self.persistentIndexList()
        new = [self.index(moved[index.row()], index.column()) for index in old]
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()

    def entry_at(self, row: int) -> Entry:
        return self._entries[row]

    def row_of(self, entry_id: str) -> int | None:
        for row, entry in enumerate(self._entries):
            if entry.id == entry_id:
                return row
        return None

    def entries(self) -> list[Entry]:
        return list(self._entries)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section]
        return None

    def activity_text(self, entry: Entry) -> str:
        if entry.activity in self._framework:
            return self._framework.path_label(entry.activity)
        return f"{entry.activity} (not in this framework)"

    def cell_text(self, entry: Entry, column: int) -> str:
        start = entry.start.astimezone(self._tz)
        end = entry.end.astimezone(self._tz)
        days = (end.date() - start.date()).days
        texts = (
            lambda: f"{start:%a} {start.date().isoformat()}",
            lambda: f"{start:%H:%M}",
            lambda: f"{end:%H:%M}" + (f" (+{days} d)" if days else ""),
            lambda: duration(entry.duration.total_seconds()),
            lambda: self.activity_text(entry),
            lambda: entry.source,
            lambda: entry.note or "",
        )
        return texts[column]()

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        entry = self._entries[index.row()]
        column = index.column()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self.cell_text(entry, column)
        if role == Qt.ItemDataRole.ToolTipRole and column == COLUMNS.index("Activity"):
            return f"{self.activity_text(entry)}\n{entry.activity}"  # the cell may be cut
        if role == Qt.ItemDataRole.ToolTipRole and column in (1, 2):
            return f"{format_utc(entry.start)} to {format_utc(entry.end)} (UTC)"
        if role == Qt.ItemDataRole.TextAlignmentRole and column == COLUMNS.index("Duration"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return self._edit_data(entry, column, role)

    def _edit_data(self, entry: Entry, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.EditRole and column == NOTE_COLUMN:
            return entry.note or ""
        return None

    def sort_key(self, entry: Entry, column: int) -> Any:
        """What a column sorts by: times and durations as numbers, text without case."""
        name = COLUMNS[column]
        if name in ("Day", "Start"):
            return entry.start.timestamp()
        if name == "End":
            return entry.end.timestamp()
        if name == "Duration":
            return entry.duration.total_seconds()
        return self.cell_text(entry, column).casefold()

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        flags = super().flags(index)
        if index.isValid() and index.column() == NOTE_COLUMN:
            entry = self._entries[index.row()]
            # A note encrypted with a key not at hand can't be shown, so it can't be edited.
            if not entry.note_unreadable:
                flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(
        self,
        index: QModelIndex | QPersistentModelIndex,
        value: Any,
        role: int = Qt.ItemDataRole.EditRole,
    ) -> bool:
        if not index.isValid() or index.column() != NOTE_COLUMN or role != Qt.ItemDataRole.EditRole:
            return False
        entry = self._entries[index.row()]
        text = str(value)
        if text.strip() == (entry.note or "").strip():
            return False
        # The row changes when the saved entry comes back in the next view.
        self.noteEdited.emit(entry, text)
        return False


class EntriesProxy(QSortFilterProxyModel):
    """The table's filter (an `EntryFilter`); sorting is the source model's, in Python."""

    def __init__(
        self, model: EntriesModel, framework: Framework, tz: ZoneInfo, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._model = model
        self._framework = framework
        self._tz = tz
        self._filter = EntryFilter()
        self._matches = self._filter.matcher(framework, tz)
        self.setSourceModel(model)

    @property
    def entry_filter(self) -> EntryFilter:
        return self._filter

    def set_filter(self, entry_filter: EntryFilter) -> None:
        self.beginFilterChange()
        self._filter = entry_filter
        self._matches = entry_filter.matcher(self._framework, self._tz)
        self.endFilterChange()

    def matching(self, entries: Sequence[Entry]) -> list[Entry]:
        """The entries the filter lets through, without going through the view."""
        return [e for e in entries if self._matches(e)]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        # The proxy keeps the source's order (its own sort column stays -1).
        self._model.sort(column, order)

    def filterAcceptsRow(
        self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex
    ) -> bool:
        return self._matches(self._model.entry_at(source_row))

    def entry_at(self, row: int) -> Entry:
        return self._model.entry_at(self.mapToSource(self.index(row, 0)).row())

    def shown_entries(self) -> list[Entry]:
        return [self.entry_at(row) for row in range(self.rowCount())]

    def row_of(self, entry_id: str) -> int | None:
        source_row = self._model.row_of(entry_id)
        if source_row is None:
            return None
        row = self.mapFromSource(self._model.index(source_row, 0)).row()
        return row if row >= 0 else None


class EntryIds:
    """Where an entry went: undoing a delete saves the entry again under a new id."""

    def __init__(self) -> None:
        self._moved: dict[str, str] = {}

    def current(self, entry_id: str) -> str:
        while entry_id in self._moved:
            entry_id = self._moved[entry_id]
        return entry_id

    def move(self, old_id: str, new_id: str) -> None:
        self._moved[self.current(old_id)] = new_id


class _StoreCommand(QUndoCommand):
    """A command whose first run happened before it was pushed (so errors reach the caller).

    Each kind of edit defines `apply` (save the edit) and `revert` (save what was before).
    They are declared, not defined, here: Qt's metaclass rules out `abc.ABC`.
    """

    apply: Callable[[], None]
    revert: Callable[[], None]

    def __init__(self, editor: EntryEditor, text: str) -> None:
        super().__init__(text)
        self._editor = editor
        self._skip_first_redo = True

    def redo(self) -> None:
        if self._skip_first_redo:
            self._skip_first_redo = False
            return
        self._run(self.apply, "redo")

    def undo(self) -> None:
        self._run(self.revert, "undo")

    def _run(self, step: Callable[[], None], what: str) -> None:
        try:
            with self._editor.store_lock:
                step()
        except (StoreError, EntryError, OSError) as exc:
            # The stack can't step past a change that wasn't saved; drop this command.
            self.setObsolete(True)
            self._editor.failed.emit(f"Could not {what} \u201c{self.text()}\u201d: {exc}")
        self._editor.changed.emit()


class UpdateCommand(_StoreCommand):
    """Retag or move entries: each saved as `after`, undone by saving `before` again."""

    def __init__(
        self, editor: EntryEditor, text: str, pairs: Sequence[tuple[Entry, Entry]]
    ) -> None:
        super().__init__(editor, text)
        self._pairs = list(pairs)

    def apply(self) -> None:
        for _, after in self._pairs:  # all checked before the first is saved
            self._editor.check_free(after)
        for _, after in self._pairs:
            self._editor.save_version(after)

    def revert(self) -> None:
        for before, _ in self._pairs:
            self._editor.check_free(before)
        for before, _ in reversed(self._pairs):
            self._editor.save_version(before)


class AddCommand(_StoreCommand):
    """A new entry: undone by deleting it, redone by saving it again."""

    def __init__(self, editor: EntryEditor, text: str, entry: Entry) -> None:
        super().__init__(editor, text)
        self._entry = entry

    def apply(self) -> None:
        # Redone after its slot was booked again meanwhile, it would count that time twice.
        self._editor.check_free(self._entry)
        self._editor.restore_copy(self._entry)

    def revert(self) -> None:
        self._editor.delete_version(self._entry)


class DeleteCommand(_StoreCommand):
    def __init__(self, editor: EntryEditor, text: str, entries: Sequence[Entry]) -> None:
        super().__init__(editor, text)
        self._entries = list(entries)

    def apply(self) -> None:
        for entry in self._entries:
            self._editor.delete_version(entry)

    def revert(self) -> None:
        for entry in self._entries:  # all checked before the first is saved again
            self._editor.check_free(entry)
        for entry in reversed(self._entries):
            self._editor.restore_copy(entry)


class SplitCommand(_StoreCommand):
    """One entry becomes two at a moment; the second half is a new entry."""

    def __init__(self, editor: EntryEditor, text: str, before: Entry, second: Entry) -> None:
        super().__init__(editor, text)
        self._before = before
        self._second = second

    def apply(self) -> None:
        # The second half is saved before the first is shortened: a crash in between leaves
        # the time counted twice, never lost.
        self._editor.restore_copy(self._second)
        self._editor.save_version(replace(self._before, end=self._second.start))

    def revert(self) -> None:
        self._editor.save_version(self._before)
        self._editor.delete_version(self._second)


class EntryEditor(QObject):
    """Retag, change times, split and delete entries through the store, with undo and redo.

    Each method checks the edit, saves it, then pushes a command for undo; a refused edit
    raises `EditRefused` (nothing saved) and a store failure raises `StoreError`.
    """

    changed = Signal()
    failed = Signal(str)

    def __init__(
        self,
        store: EntryStore,
        framework: Framework,
        now: Callable[[], datetime],
        store_lock: AbstractContextManager[Any] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self.framework = framework
        self.now = now
        self.store_lock: AbstractContextManager[Any] = store_lock or threading.RLock()
        self.undo_stack = QUndoStack(self)
        self.ids = EntryIds()

    # Store steps used by the commands -----------------------------------------------------

    def save_version(self, version: Entry) -> None:
        self.store.update(replace(version, id=self.ids.current(version.id)))

    def delete_version(self, version: Entry) -> None:
        self.store.delete(self.ids.current(version.id))

    def check_free(self, version: Entry) -> None:
        """Refuse to put `version` back over another live entry: between an edit and its undo
        (or redo) the picker, the command line or another device may have booked that time.
        A version whose times are those saved now moves nothing and is not checked."""
        current = self.store.get(self.ids.current(version.id))
        if current is not None and (current.start, current.end) == (version.start, version.end):
            return
        others = self.store.overlapping(version.start, version.end)
        clashes = clashes_with(
            version.start, version.end, others, ignore_id=self.ids.current(version.id)
        )
        if clashes:
            raise StoreError(clash_text(clashes, self.framework))

    def restore_copy(self, version: Entry) -> None:
        """Save `version` as a live entry: as new, or back under its own id if deleted."""
        current_id = self.ids.current(version.id)
        existing = self.store.get(current_id, include_deleted=True)
        if existing is None:
            self.store.add(
                replace(version, id=current_id, device=self.store.device_id).edited(self._utc())
            )
            return
        if existing.is_deleted:
            self.store.restore(current_id)
        self.store.update(replace(version, id=current_id))

    def _utc(self) -> datetime:
        return self.now().astimezone(UTC)

    # Edits --------------------------------------------------------------------------------

    def _current(self, entry: Entry) -> Entry:
        found = self.store.get(self.ids.current(entry.id))
        if found is None:
            raise EditRefused(
                f"the entry from {format_utc(entry.start)} is no longer in the store "
                "(deleted elsewhere?); reload the period"
            )
        return found

    def _push(self, command: _StoreCommand) -> None:
        self.undo_stack.push(command)
        self.changed.emit()

    def retag(self, entries: Sequence[Entry], activity_id: str) -> None:
        if activity_id not in self.framework:
            raise EditRefused(f"activity {activity_id!r} is not in the framework")
        if not entries:
            raise EditRefused("no entry is selected")
        label = self.framework[activity_id].label
        with self.store_lock:
            befores = [self._current(e) for e in entries]
            pairs = [(b, replace(b, activity=activity_id)) for b in befores]
            done: list[Entry] = []
            try:
                for _, after in pairs:
                    self.save_version(after)
                    done.append(after)
            except (StoreError, OSError):
                for before, _ in reversed(pairs[: len(done)]):
                    self.save_version(before)
                raise
        count = f"{len(pairs)} entries" if len(pairs) > 1 else "entry"
        self._push(UpdateCommand(self, f"Retag {count} as {label}", pairs))

    def change_times(
        self,
        entry: Entry,
        start: datetime,
        end: datetime,
        *,
        trim: Trim = Trim.NONE,
        text: str = "Change times",
    ) -> Placement:
        """Move the entry to [start, end): refused over other entries (as the command line
        refuses an overlapping `log`), or, with `trim`, that end stops at its neighbour."""
        if start.tzinfo is None or end.tzinfo is None:
            raise EditRefused("start and end need a time zone")
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        if end <= start:
            raise EditRefused(f"end ({format_utc(end)}) must be after start ({format_utc(start)})")
        if end > self._utc() + FUTURE_TOLERANCE:
            raise EditRefused(f"end ({format_utc(end)}) is in the future")
        # The write lock holds from the overlap check to the save: nothing is booked between.
        with self.store_lock, self.store.writing():
            before = self._current(entry)
            try:
                placed = place(
                    start, end, self.store.overlapping(start, end), ignore_id=before.id, trim=trim
                )
            except OverlapRefused as exc:
                raise EditRefused(clash_text(exc.clashes, self.framework)) from exc
            if placed.trimmed and (placed.start, placed.end) == (before.start, before.end):
                raise EditRefused(clash_text(placed.trimmed_by, self.framework))
            try:
                after = replace(before, start=placed.start, end=placed.end)
            except EntryError as exc:
                raise EditRefused(str(exc).rstrip(".")) from exc
            self.save_version(after)
        self._push(UpdateCommand(self, text, [(before, after)]))
        return placed

    def split(self, entry: Entry, at: datetime) -> None:
        if at.tzinfo is None:
            raise EditRefused("the split time needs a time zone")
        at = at.astimezone(UTC)
        with self.store_lock:
            before = self._current(entry)
            if not before.start < at < before.end:
                raise EditRefused(
                    f"split time ({format_utc(at)}) must be after the start "
                    f"({format_utc(before.start)}) and before the end ({format_utc(before.end)})"
                )
            now = self._utc()
            second = replace(
                before,
                id=str(uuid.uuid4()),
                start=at,
                device=self.store.device_id,
                created=now,
                updated=now,
            )
            command = SplitCommand(self, "Split entry", before, second)
            command.apply()
        self._push(command)

    def delete(self, entries: Sequence[Entry]) -> None:
        if not entries:
            raise EditRefused("no entry is selected")
        with self.store_lock:
            befores = [self._current(e) for e in entries]
            done: list[Entry] = []
            try:
                for before in befores:
                    self.delete_version(before)
                    done.append(before)
            except (StoreError, OSError):
                for before in reversed(done):
                    self.restore_copy(before)
                raise
        count = f"{len(befores)} entries" if len(befores) > 1 else "entry"
        self._push(DeleteCommand(self, f"Delete {count}", befores))

    def add(
        self,
        activity_id: str,
        start: datetime,
        end: datetime,
        tz: ZoneInfo,
        note: str | None = None,
    ) -> Entry:
        """Book a new manual entry; one overlapping saved entries is refused, naming them,
        as `sec-desktop log` refuses it (time is never counted twice)."""
        if activity_id not in self.framework:
            raise EditRefused(f"activity {activity_id!r} is not in the framework")
        if start.tzinfo is None or end.tzinfo is None:
            raise EditRefused("start and end need a time zone")
        start, end = start.astimezone(UTC), end.astimezone(UTC)
        if end <= start:
            raise EditRefused(
                f"end ({format_local(end, tz)}) must be after start ({format_local(start, tz)})"
            )
        if end > self._utc() + FUTURE_TOLERANCE:
            raise EditRefused(f"end ({format_local(end, tz)}) is in the future")
        try:
            entry = Entry.new(
                start=start,
                end=end,
                tz=tz.key,
                activity=activity_id,
                source="manual",
                device=self.store.device_id,
                note=(note or "").strip() or None,
                now=self._utc(),
            )
        except EntryError as exc:
            raise EditRefused(str(exc).rstrip(".")) from exc
        with self.store_lock:
            try:
                self.store.add_if_free(entry)
            except OverlapError as exc:
                raise EditRefused(clash_text(exc.clashes, self.framework)) from exc
        self._push(AddCommand(self, f"Add {self.framework[activity_id].label}", entry))
        return entry

    def set_note(self, entry: Entry, note: str) -> None:
        """Replace an entry's note (an empty text removes it)."""
        with self.store_lock:
            before = self._current(entry)
            if before.note_unreadable:
                raise EditRefused(
                    "the note is encrypted with a key this device doesn't have; "
                    "it can't be changed here"
                )
            after = replace(before, note=note.strip() or None)
            if after.note == before.note:
                return
            self.save_version(after)
        self._push(UpdateCommand(self, "Edit note", [(before, after)]))
