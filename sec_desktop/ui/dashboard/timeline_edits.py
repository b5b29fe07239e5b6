"""The timeline's own edits, on the Entries table's undo stack: a new entry and a note.

Moves and resizes are `EntryEditor.change_times` with the shared overlap rule; a new entry
goes on the stack as the table's own `AddCommand`. Each is saved first and then pushed, like
the editor's own.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sec_desktop.store import Entry, EntryError, StoreError, format_utc
from sec_desktop.store.overlap import OverlapRefused, Placement, Trim, place
from sec_desktop.ui.dashboard.entries import (
    FUTURE_TOLERANCE,
    AddCommand,
    EditRefused,
    EntryEditor,
    UpdateCommand,
    clash_text,
)

# Where a drag-created entry comes from, as for an entry logged by hand on the command line.
NEW_ENTRY_SOURCE = "manual"


def _current(editor: EntryEditor, entry: Entry) -> Entry:
    found = editor.store.get(editor.ids.current(entry.id))
    if found is None:
        raise EditRefused(
            f"the entry from {format_utc(entry.start)} is no longer in the store "
            "(deleted elsewhere?)"
        )
    return found


def create_entry(
    editor: EntryEditor,
    start: datetime,
    end: datetime,
    activity_id: str,
    tz: ZoneInfo,
    *,
    trim: Trim = Trim.NONE,
) -> tuple[Entry, Placement]:
    """Save a new entry for [start, end) under the overlap rule; undoable."""
    if activity_id not in editor.framework:
        raise EditRefused(f"activity {activity_id!r} is not in the framework")
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        raise EditRefused(f"end ({format_utc(end)}) must be after start ({format_utc(start)})")
    now = editor.now().astimezone(UTC)
    if end > now + FUTURE_TOLERANCE:
        raise EditRefused(f"end ({format_utc(end)}) is in the future")
    store = editor.store
    # Under the write lock from the overlap check to the save: nothing is booked between.
    with editor.store_lock, store.writing():
        try:
            placed = place(start, end, store.overlapping(start, end), trim=trim)
        except OverlapRefused as exc:
            raise EditRefused(clash_text(exc.clashes, editor.framework)) from exc
        try:
            entry = Entry.new(
                start=placed.start,
                end=placed.end,
                tz=tz.key,
                activity=activity_id,
                source=NEW_ENTRY_SOURCE,
                device=store.device_id,
                now=now,
            )
        except EntryError as exc:
            raise EditRefused(str(exc).rstrip(".")) from exc
        try:
            store.add(entry)
        except (StoreError, OSError) as exc:
            raise EditRefused(f"the store refused the entry ({exc})") from exc
    label = editor.framework[activity_id].label
    editor.undo_stack.push(AddCommand(editor, f"Add entry for {label}", entry))
    editor.changed.emit()
    return entry, placed


def edit_note(editor: EntryEditor, entry: Entry, note: str) -> Entry:
    """Save the entry's note (blank removes it); the store encrypts it if notes are."""
    with editor.store_lock:
        before = _current(editor, entry)
        if before.note_unreadable:
            raise EditRefused(
                "this note is encrypted with a key this device does not have, so it can't be "
                "edited here; unlock the notes in Settings first"
            )
        after = replace(before, note=note.rstrip() or None)
        if after.note == before.note:
            return before
        try:
            editor.save_version(after)
        except (StoreError, OSError) as exc:
            # Say why in the note's dialog (a locked key, say); nothing was written.
            raise EditRefused(f"the note was not saved: {exc}") from exc
    editor.undo_stack.push(UpdateCommand(editor, "Edit note", [(before, after)]))
    editor.changed.emit()
    return after
