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
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QUndoCommand, QUndoStack

from sec_desktop.analytics.text import duration
from sec_desktop.framework import Framework
from sec_desktop.store import Entry, EntryError, EntryStore, StoreError, format_utc
from sec_desktop.store.overlap import OverlapRefused, Placement, Trim, clashes_with, place

# An edit may end a little after "now": clocks drift, as the CLI allows for `log`.
FUTURE_TOLERANCE = timedelta(minutes=1)

COLUMNS = ("Day", "Start", "End", "Duration", "Activity", "Source", "Note")


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
    """Read-only rows of entries in local time; edits go through `EntryEditor`."""

    def __init__(self, framework: Framework, tz: ZoneInfo, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._framework = framework
        self._tz = tz
        self._entries: list[Entry] = []

    def set_entries(self, entries: Sequence[Entry]) -> None:
        self.beginResetModel()
        self._entries = list(entries)
        self.endResetModel()

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
            return entry.activity
        if role == Qt.ItemDataRole.ToolTipRole and column in (1, 2):
            return f"{format_utc(entry.start)} to {format_utc(entry.end)} (UTC)"
        if role == Qt.ItemDataRole.TextAlignmentRole and column == COLUMNS.index("Duration"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


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
