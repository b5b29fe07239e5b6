"""Entries sharded by device and month: `entries/<device>/<YYYY-MM>.json`, each a TinyDB file.

A save rewrites one month of one device, so it stays fast after years of data. Devices never
write each other's files, so a file-sync engine merges folders without conflicts; readers take
the union and merge the versions of each id field by field (store/merge.py), and tombstones
hide deleted entries. An entry whose times moved to another month leaves versions in both;
each device lists such ids in its `moves.json`, so a read of one period finds them all.
"""

from __future__ import annotations

import contextlib
import re
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from dataclasses import fields as dataclass_fields
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tinydb import TinyDB

from sec_desktop.store.atomic import (
    ensure_private_dir,
    fsync_dir,
    remove_stale_temp_files,
)
from sec_desktop.store.entry import (
    LATEST_TIME,
    MAX_ENTRY_SPAN,
    Entry,
    EntryError,
    utc_now,
)
from sec_desktop.store.hlc import HybridClock, Stamp
from sec_desktop.store.id_index import IdIndex, Signature
from sec_desktop.store.merge import merge_versions, stamps_of
from sec_desktop.store.moves import MOVES_FILE, MovesLog
from sec_desktop.store.stamps import FIELDS, Conflict, FieldStamps, stamp_device
from sec_desktop.store.storage import (
    ENTRIES_TABLE,
    AtomicJSONStorage,
    NewerFormat,
    UnreadableFile,
    parse_file_bytes,
)
from sec_desktop.store.sync_conflicts import original_name

if TYPE_CHECKING:
    from sec_desktop.store.file_lock import FileLock
    from sec_desktop.store.notes_crypto import NoteCodec, NoteKeySource

ENTRIES_DIR = "entries"
QUARANTINE_DIR = "quarantine"
LOCK_FILE = ".write.lock"
# An import's journal of the ids it is writing, in this device's folder; see interop.plan.
UNFINISHED_IMPORT_FILE = ".unfinished-import"
SHARD_NAME = re.compile(r"^(\d{4})-(\d{2})\.json$")
LOCK_TIMEOUT_S = 30.0
# Month files written at once by one save that touches many (an import, a restore).
PARALLEL_WRITES = 4


class StoreError(Exception):
    """A store operation that could not be done; nothing was changed."""


class OverlapError(StoreError):
    """The new entry overlaps saved ones (`clashes`, sorted by start); nothing was saved."""

    def __init__(self, clashes: list[Entry]) -> None:
        super().__init__(f"the new entry overlaps {len(clashes)} saved entries")
        self.clashes = clashes


@dataclass(frozen=True)
class StoreProblem:
    """Something the user must hear about: what file, what is wrong, what was done."""

    path: Path
    reason: str
    action: str

    def message(self) -> str:
        return f"The data file {self.path} could not be read because {self.reason}; {self.action}."


def shard_month(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return f"{moment.year:04d}-{moment.month:02d}"


class EntryStore:
    """All entries under one data folder; this process writes as `device_id` only."""

    def __init__(
        self,
        data_dir: Path,
        device_id: str,
        *,
        clock: Callable[[], datetime] = utc_now,
        cipher: NoteKeySource | None = None,
        id_index_path: Path | None = None,
        clock_state_path: Path | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.device_id = device_id
        self.clock = clock
        self.problems: list[StoreProblem] = []
        self._problem_keys: set[tuple[Path, str]] = set()
        self._entries_root = data_dir / ENTRIES_DIR
        self._own_dir = self._entries_root / device_id
        self._dbs: dict[str, TinyDB] = {}
        self._lock: FileLock | None = None
        self._cleaned = False
        # Storages of other devices' files, keyed by path; each caches its tables.
        self._readers: dict[Path, AtomicJSONStorage] = {}
        # Parsed entries per shard, valid while the storage's file signature is unchanged.
        self._parsed: dict[Path, tuple[tuple[int, int, int], list[Entry]]] = {}
        # Seals notes on write when encryption.json says so, opens them on read (`_notes`).
        self._note_source = cipher
        self._note_codec: NoteCodec | None = None
        # Which files hold which ids, so that `get` reads one entry's files, not all of them.
        self._id_index = IdIndex(data_dir, id_index_path)
        # Stamps every field an edit sets; merges order edits by them, not by wall time.
        self.hlc = HybridClock(device_id, clock, clock_state_path)
        self._moves = MovesLog(self._entries_root, device_id)
        # While `read_month` runs: each shard file read and the signature of the version read.
        self._read_log: dict[Path, tuple[int, int, int] | None] | None = None

    def set_note_cipher(self, cipher: NoteKeySource | None) -> None:
        """Use another notes key (e.g. once the keychain is unlocked); re-reads every shard."""
        self._note_source = cipher
        self._note_codec = None
        self._parsed.clear()

    @property
    def _notes(self) -> NoteCodec:
        """The notes codec, made on first use: a report from month summaries reads no entry
        and so loads no notes crypto."""
        if self._note_codec is None:
            from sec_desktop.store.notes_crypto import NoteCodec

            self._note_codec = NoteCodec(self.data_dir, self._note_source, self.device_id)
        return self._note_codec

    def _report(self, path: Path, reason: str, action: str) -> None:
        """Record a problem once per file and reason, however often the file is read."""
        relative = path.relative_to(self.data_dir)
        if (relative, reason) not in self._problem_keys:
            self._problem_keys.add((relative, reason))
            self.problems.append(StoreProblem(relative, reason, action))

    # Writing ----------------------------------------------------------------------------

    def _ensure_own_dir(self) -> None:
        ensure_private_dir(self.data_dir)
        ensure_private_dir(self._entries_root)
        if self._own_dir.is_symlink():
            # Writing (and chmodding) through it would reach wherever it points, and backups,
            # which never follow links, would silently miss every entry.
            raise StoreError(
                f"the device folder {self._own_dir} is a symbolic link; SEC Desktop does not "
                "write through links: replace it with a real folder holding its files"
            )
        ensure_private_dir(self._own_dir)

    def _write_lock(self) -> FileLock:
        if self._lock is None:
            from sec_desktop.store.file_lock import FileLock  # loaded by the first write

            self._ensure_own_dir()
            self._lock = FileLock(self._own_dir / LOCK_FILE, timeout=LOCK_TIMEOUT_S, mode=0o600)
        return self._lock

    def _db(self, month: str) -> TinyDB:
        db = self._dbs.get(month)
        if db is None:
            storage_path = self._own_dir / f"{month}.json"
            db = TinyDB(
                storage=_bound_storage(storage_path, {"device": self.device_id, "month": month})
            )
            self._dbs[month] = db
        return db

    def _quarantine(self, path: Path, reason: str) -> None:
        """Move an unreadable file aside (never overwrite, never delete) and record it."""
        stamp = self.clock().strftime("%Y%m%dT%H%M%S%fZ")
        relative = path.relative_to(self.data_dir)
        target = self.data_dir / QUARANTINE_DIR / relative.parent / f"{path.name}.{stamp}"
        for folder in reversed(target.relative_to(self.data_dir).parents[:-1]):
            ensure_private_dir(self.data_dir / folder)
        # A repeated stamp (a fixed or coarse clock) must not replace an earlier copy.
        suffix = 1
        while target.exists() or target.is_symlink():
            target = target.with_name(f"{path.name}.{stamp}-{suffix}")
            suffix += 1
        shutil.move(path, target)
        fsync_dir(path.parent)
        self._report(path, reason, f"it was moved to {target.relative_to(self.data_dir)}")

    def _table_docs(self, month: str) -> dict[str, Any]:
        """The raw entries table of an own shard, quarantining the file if it is unreadable."""
        db = self._db(month)
        storage: AtomicJSONStorage = db.storage  # type: ignore[assignment]
        try:
            tables = storage.read()
        except UnreadableFile as exc:
            self._quarantine(exc.path, exc.reason)
            tables = storage.read()
        except NewerFormat as exc:
            raise StoreError(
                f"{exc.path} was written by a newer SEC Desktop (format {exc.version}); "
                "update the app before changing entries of that month"
            ) from exc
        except FileNotFoundError:
            tables = None
        except OSError as exc:
            # Not damaged, just not readable now (permissions, a folder in its place): moving
            # or rewriting it would lose what it holds.
            raise StoreError(
                f"{storage.path} can't be read ({os_reason(exc)}); fix its permissions, or "
                "move what is in its place, before changing entries of that month"
            ) from exc
        return (tables or {}).get(ENTRIES_TABLE, {})

    def _put(
        self,
        entries: list[Entry],
        *,
        must_be_new: bool,
        previous_months: dict[str, str] | None = None,
    ) -> None:
        """Write entries into this device's shards: one write per month touched.

        Caller holds the write lock. Every target month is loaded and checked before the
        first write, so a refused batch changes nothing. An entry whose month changed is
        written to its new month first and only then removed from its old one: a crash in
        between leaves two copies that the union resolves, never none.
        """
        by_month: dict[str, list[Entry]] = {}
        for entry in entries:
            by_month.setdefault(shard_month(entry.start), []).append(entry)
        indexes: dict[str, dict[str, int]] = {}
        for month, group in by_month.items():
            docs = self._table_docs(month)
            index = {doc.get("id"): int(doc_id) for doc_id, doc in docs.items()}
            if must_be_new:
                clash = next((e.id for e in group if e.id in index), None)
                if clash is not None:
                    raise StoreError(f"an entry with id {clash} already exists")
            indexes[month] = index
        writes: list[tuple[TinyDB, dict[int, dict[str, Any]]]] = []
        notes = self._notes
        for month, group in by_month.items():
            index = indexes[month]
            next_id = max(index.values(), default=0) + 1
            batch: dict[int, dict[str, Any]] = {}
            for entry in group:
                doc_id = index.get(entry.id)
                if doc_id is None:
                    doc_id = next_id
                    next_id += 1
                batch[doc_id] = notes.encode(entry)
            writes.append((self._db(month), batch))
        _write_all(writes)
        for entry_id, old_month in (previous_months or {}).items():
            if old_month in by_month or not (self._own_dir / f"{old_month}.json").exists():
                continue
            docs = self._table_docs(old_month)
            stale = [int(k) for k, d in docs.items() if d.get("id") == entry_id]
            if stale:
                self._db(old_month).table(ENTRIES_TABLE, cache_size=0).remove(doc_ids=stale)

    def _locked_put(
        self,
        entries: list[Entry],
        *,
        must_be_new: bool,
        previous_months: dict[str, str] | None = None,
    ) -> None:
        with self._write_lock():
            if not self._cleaned:
                remove_stale_temp_files(self._own_dir)
                self._cleaned = True
            refusal = self._notes.prepare(entries)
            if refusal is not None:
                raise StoreError(refusal)
            moved = {
                e.id: (previous_months[e.id], shard_month(e.start))
                for e in entries
                if previous_months
                and previous_months.get(e.id, shard_month(e.start)) != shard_month(e.start)
            }
            self._moves.record(moved)
            self._put(entries, must_be_new=must_be_new, previous_months=previous_months)

    def add(self, entry: Entry) -> Entry:
        return self.add_many([entry])[0]

    @property
    def unfinished_import_journal(self) -> Path:
        """Where an import in progress lists what it writes; there only while one runs, or
        after one was killed part-way (then `interop.roll_back_unfinished_import` undoes it)."""
        return self._own_dir / UNFINISHED_IMPORT_FILE

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        """Hold this device's write lock across a read and the save that depends on it, so
        another process (the command line, the tray app) can't book the same time between."""
        with self._write_lock():
            yield

    def add_if_free(self, entry: Entry) -> Entry:
        """Save a new entry unless a saved one overlaps it (raises OverlapError).

        The check and the save happen under the write lock, so two processes of this device
        can't both find a slot free and both book it.
        """
        with self._write_lock():
            clashes = self.overlapping(entry.start, entry.end)
            if clashes:
                raise OverlapError(clashes)
            return self.add(entry)

    def add_many(self, entries: Iterable[Entry]) -> list[Entry]:
        """Save new entries; ids must not exist yet. One write per month touched."""
        batch = list(entries)
        if not batch:
            return []
        self._check_device(batch)
        if len({e.id for e in batch}) != len(batch):
            raise StoreError("the same entry id appears twice in one batch")
        with self._write_lock():
            stamp = self.hlc.now().text()
            # A version read from somewhere (a backup, a conflict copy) keeps its history, so
            # it merges with the others by it; a new entry (or a copy under a new id, as a
            # split makes) is stamped now.
            batch = [
                e
                if e.stamps is not None and not e.stamps.implicit and e.stamps.entry_id == e.id
                else _with_stamps(
                    e,
                    FieldStamps(
                        dict.fromkeys(FIELDS, stamp),
                        {self.device_id: stamp},
                        (),
                        e.field_values(),
                        entry_id=e.id,
                    ),
                )
                for e in batch
            ]
            self._locked_put(batch, must_be_new=True)
        return batch

    def update(self, entry: Entry) -> Entry:
        """Save a new version of an existing entry; `updated` is set to now.

        Only the fields the caller changed (against the entry as it was read) get the new
        edit's stamp; the others keep the newest values, including ones synced in since.
        """
        with self._write_lock():
            previous = self.get(entry.id)
            if previous is None:
                raise StoreError(f"there is no entry with id {entry.id}")
            edited = entry.edited(self._stamp_after(previous), device=self.device_id)
            saved = self._next_version(previous, edited, self._edit_stamp([previous]))
            self._locked_put(
                [saved], must_be_new=False, previous_months={saved.id: shard_month(previous.start)}
            )
        return saved

    def update_many(self, entries: Iterable[Entry]) -> list[Entry]:
        """Save new versions of existing entries in one pass: one read of the store and one
        write per month touched, all refused together if any id is unknown."""
        batch = list(entries)
        if not batch:
            return []
        with self._write_lock():
            current = self._union(None, None)
            missing = [e.id for e in batch if e.id not in current or current[e.id].is_deleted]
            if missing:
                raise StoreError(f"there is no entry with id {missing[0]}")
            stamp = self._edit_stamp(current[e.id] for e in batch)
            saved = [
                self._next_version(
                    current[e.id],
                    e.edited(self._stamp_after(current[e.id]), device=self.device_id),
                    stamp,
                )
                for e in batch
            ]
            moves = {e.id: shard_month(current[e.id].start) for e in saved}
            self._locked_put(saved, must_be_new=False, previous_months=moves)
        return saved

    def restore(self, entry_id: str) -> Entry:
        """Bring a deleted entry back under its own id, as it was before the deletion.

        The restored version is stamped later than the tombstone, so merges keep it.
        """
        with self._write_lock():
            tombstone = self.get(entry_id, include_deleted=True)
            if tombstone is None or not tombstone.is_deleted:
                raise StoreError(f"there is no deleted entry with id {entry_id}")
            now = self._stamp_after(tombstone)
            alive = self._next_version(
                tombstone,
                tombstone.edited(now, deleted=None, device=self.device_id),
                self._edit_stamp([tombstone]),
            )
            self._locked_put(
                [alive], must_be_new=False, previous_months={alive.id: shard_month(tombstone.start)}
            )
        return alive

    def delete(self, entry_id: str) -> Entry:
        """Hide an entry everywhere by saving a tombstone. An edit made on another device
        without seeing the delete brings it back, with the delete shown as a conflict
        (store/merge.py says why); a merge with older versions never does."""
        with self._write_lock():
            current = self.get(entry_id)
            if current is None:
                raise StoreError(f"there is no entry with id {entry_id}")
            now = self._stamp_after(current)
            tombstone = self._next_version(
                current,
                current.edited(now, deleted=now, device=self.device_id),
                self._edit_stamp([current]),
            )
            self._locked_put([tombstone], must_be_new=False)
        return tombstone

    def conflicts(self) -> list[Entry]:
        """Entries (deleted ones too) holding values lost to concurrent edits on another
        device, sorted by start."""
        found = [e for e in self._union(None, None).values() if e.stamps and e.stamps.conflicts]
        found.sort(key=lambda e: (e.start, e.id))
        return found

    def settle_conflict(self, entry_id: str, field: str, stamp: str, *, take: bool) -> Entry:
        """Settle one conflict of an entry: `take` puts the losing value back in place of the
        current one; otherwise the current value is kept. Either way it is an edit made on
        this device, seen by every device, and the conflict is gone."""
        with self._write_lock():
            current = self.get(entry_id, include_deleted=True)
            if current is None:
                raise StoreError(f"there is no entry with id {entry_id}")
            known = current.stamps.conflicts if current.stamps else ()
            conflict = next((c for c in known if c.field == field and c.stamp == stamp), None)
            if conflict is None:
                raise StoreError(f"entry {entry_id} has no conflict of {field} stamped {stamp}")
            value = conflict.value if take else current.field_value(field)
            if take and field == "note" and not isinstance(value, str | None):
                raise StoreError(
                    f"the note entry {entry_id} lost is encrypted with a key this device "
                    "does not have; take it back on a device that can read it"
                )
            try:
                edited = current.with_field(field, value).edited(
                    self._stamp_after(current), device=self.device_id
                )
            except EntryError as exc:
                raise StoreError(f"the value can't be taken back: {exc}") from exc
            saved = self._next_version(
                current, edited, self._edit_stamp([current]), force=field, settled=conflict
            )
            self._locked_put(
                [saved], must_be_new=False, previous_months={saved.id: shard_month(current.start)}
            )
        return saved

    def _edit_stamp(self, currents: Iterable[Entry]) -> str:
        """A stamp after every stamp the edited versions hold or have seen (call under the
        write lock): an edit wins over what it edits whatever this device's wall clock says."""
        for current in currents:
            held = stamps_of(current).all_stamps()
            if held:
                self.hlc.observe(Stamp.parse(max(held)))
        return self.hlc.now().text()

    def _next_version(
        self,
        current: Entry,
        edited: Entry,
        stamp: str,
        *,
        force: str | None = None,
        settled: Conflict | None = None,
    ) -> Entry:
        """The version this device saves when `edited` replaces the merged `current`.

        A field is set by the caller when `edited` differs from the values it was read
        with, or from the current value when that came from this device or from an edit the
        caller had seen (an undo writes back an older version); it gets `stamp`. The others
        keep `current`'s value and stamp, so a stale read never undoes another device's
        change it did not see. A field another device changed unseen that the caller sets
        too keeps that value as a conflict: the caller's wins, the other stays visible.
        """
        now_stamps = stamps_of(current)
        read = edited.stamps if edited.stamps is not None else now_stamps
        base = read.base if read.base is not None else current.field_values()
        fields = dict(now_stamps.fields)
        conflicts = [c for c in now_stamps.conflicts if c != settled]
        version = edited
        for index, name in enumerate(FIELDS):
            value, theirs = edited.field_value(name), current.field_value(name)
            held = now_stamps.fields[name]
            known = read.covers(held) or stamp_device(held) == self.device_id
            if value != base[index] or name == force or (value != theirs and known):
                fields[name] = stamp
                if not known and theirs != value:
                    conflicts.append(Conflict(name, held, theirs))
            else:
                version = version.with_field(name, theirs)
        seen = dict(now_stamps.seen)
        seen[self.device_id] = max(seen.get(self.device_id, ""), stamp)
        # A lost value the field now holds again is lost no more.
        kept = tuple(c for c in conflicts if c.value != version.field_value(c.field))
        return replace(
            version,
            stamps=FieldStamps(fields, seen, kept, version.field_values(), False, version.id),
        )

    def discard_unfinished(self, entry_ids: Iterable[str]) -> int:
        """Remove entries of this device outright, without tombstones; returns how many.

        Only for entries that never became part of the record: those an import had written
        when it was killed, before it finished. Each month file is rewritten atomically, so
        a crash here leaves some removed, and a second call removes the rest.
        """
        wanted = set(entry_ids)
        removed = 0
        if not wanted or not self._own_dir.is_dir():
            return 0
        with self._write_lock():
            for path in sorted(self._own_dir.iterdir()):
                if not SHARD_NAME.match(path.name):
                    continue
                month = path.name[: -len(".json")]
                docs = self._table_docs(month)
                found = [int(k) for k, doc in docs.items() if doc.get("id") in wanted]
                if found:
                    self._db(month).table(ENTRIES_TABLE, cache_size=0).remove(doc_ids=found)
                    removed += len(found)
        return removed

    def _stamp_after(self, previous: Entry) -> datetime:
        """Now, but always later than the version being replaced.

        `updated` is shown and exported as when the entry last changed; merges go by clock
        stamps (store/merge.py), and this keeps `updated` in the same order as they.
        """
        # At the last time an entry may hold there is no later one: a tie, which the own
        # shard's rewrite settles for this device.
        later = min(previous.updated, LATEST_TIME - timedelta(microseconds=1))
        return max(self.clock().astimezone(UTC), later + timedelta(microseconds=1))

    def _check_device(self, batch: list[Entry]) -> None:
        for entry in batch:
            if entry.device != self.device_id:
                raise StoreError(
                    f"entry {entry.id} belongs to device {entry.device!r}; "
                    f"this store writes as {self.device_id!r}"
                )

    # Reading ----------------------------------------------------------------------------

    def _shard_files(self, first_month: str | None, last_month: str | None) -> Iterator[Path]:
        if not self._entries_root.is_dir():
            return
        # Zero-padded YYYY-MM names sort in month order, so the bounds compare as text.
        for device_dir in self._listing(self._entries_root):
            if not device_dir.is_dir():
                continue
            for path in self._listing(device_dir):
                # A sync engine's conflict copy of a shard joins the union like the shard.
                name = path.name if SHARD_NAME.match(path.name) else original_name(path.name)
                if name is None or not SHARD_NAME.match(name):
                    continue
                month = name[: -len(".json")]
                if (first_month is None or month >= first_month) and (
                    last_month is None or month <= last_month
                ):
                    yield path

    def _listing(self, folder: Path) -> list[Path]:
        """A folder's entries, sorted; one that can't be listed is skipped and reported."""
        try:
            return sorted(folder.iterdir())
        except FileNotFoundError:
            return []
        except OSError as exc:
            self._report(
                folder,
                f"the folder can't be listed ({os_reason(exc)})",
                "its entries were skipped and it was left as it is",
            )
            return []

    def _read_own(self, month: str) -> Iterable[dict[str, Any]]:
        storage: AtomicJSONStorage = self._db(month).storage  # type: ignore[assignment]
        try:
            tables = storage.read()
        except UnreadableFile:
            # Decide under the lock: a writer in another process may be mid-replace.
            with self._write_lock():
                return list(self._table_docs(month).values())
        return (tables or {}).get(ENTRIES_TABLE, {}).values()

    def _is_own_shard(self, path: Path) -> bool:
        return path.parent == self._own_dir and SHARD_NAME.match(path.name) is not None

    def _storage_for(self, path: Path) -> AtomicJSONStorage:
        if self._is_own_shard(path):
            return self._db(path.stem).storage  # type: ignore[return-value]
        reader = self._readers.get(path)
        if reader is None:
            reader = self._readers[path] = AtomicJSONStorage(path)
        return reader

    def _read_docs(self, path: Path) -> Iterable[dict[str, Any]]:
        try:
            if self._is_own_shard(path):
                return self._read_own(path.stem)
            tables = self._storage_for(path).read() or {}
            return tables.get(ENTRIES_TABLE, {}).values()
        except UnreadableFile as exc:
            # Another device's file may be mid-sync; moving it would make the sync engine
            # delete it on its owner. Leave it, skip it, and say so. A conflict copy is
            # only ever read, never moved or written by the store.
            self._report(
                path,
                exc.reason,
                "it is a sync engine's conflict copy, so it was left in place and skipped"
                if original_name(path.name)
                else "it belongs to another device, so it was left in place and skipped",
            )
        except NewerFormat as exc:
            self._report(
                path,
                f"a newer SEC Desktop wrote it (format {exc.version})",
                "it was skipped; update the app to see those entries",
            )
        except StoreError as exc:
            self._report(path, str(exc), "it was skipped")
        except FileNotFoundError:
            pass  # vanished between listing and reading (a sync engine at work)
        except OSError as exc:
            # No permission, or a folder where the file should be: not damage, so it is
            # neither moved nor written; it is read again once it can be.
            self._report(
                path, f"it can't be opened ({os_reason(exc)})", "it was skipped and left as it is"
            )
        return []

    def _read_entries(self, path: Path) -> list[Entry]:
        """The entries of one shard, parsed once per version of the file."""
        docs = self._read_docs(path)
        signature = self._storage_for(path).signature
        if self._read_log is not None:
            self._read_log[path] = signature
        cached = self._parsed.get(path)
        if signature is not None and cached is not None and cached[0] == signature:
            return cached[1]
        entries: list[Entry] = []
        unreadable_notes: dict[str, list[str]] = {}
        notes = self._notes
        for doc in docs:
            try:
                entries.append(Entry.from_json(notes.open(doc, unreadable_notes)))
            except EntryError as exc:
                self._report(
                    path,
                    f"an entry in it is invalid ({exc})",
                    "that entry was skipped and the file left unchanged",
                )
        for reason, ids in unreadable_notes.items():
            self._report(path, *self._notes.unreadable_problem(reason, ids))
        if signature is not None:
            self._parsed[path] = (signature, entries)
        else:
            self._parsed.pop(path, None)
        return entries

    def _union(self, first_month: str | None, last_month: str | None) -> dict[str, Entry]:
        """Every entry with a version in the months given (all when open), merged from all
        its versions, including those a move left in other months."""
        merged: dict[str, Entry] = {}
        versions: dict[str, list[Entry]] = {}
        for path in self._shard_files(first_month, last_month):
            for entry in self._read_entries(path):
                seen = merged.get(entry.id)
                if seen is None:
                    merged[entry.id] = entry
                else:
                    versions.setdefault(entry.id, [seen]).append(entry)
        if first_month is not None or last_month is not None:
            self._add_moved(merged, versions, first_month, last_month)
        for entry_id, found in versions.items():
            merged[entry_id] = merge_versions(found)
        return merged

    def _add_moved(
        self,
        merged: dict[str, Entry],
        versions: dict[str, list[Entry]],
        first_month: str | None,
        last_month: str | None,
    ) -> None:
        """Add the versions of moved entries that lie outside the months read."""
        device_dirs = [d for d in self._listing(self._entries_root) if d.is_dir()]
        outside: dict[str, set[str]] = {}
        for entry_id, months in self._moves.months(device_dirs).items():
            if entry_id not in merged:
                continue
            for month in months:
                if (first_month is not None and month < first_month) or (
                    last_month is not None and month > last_month
                ):
                    outside.setdefault(month, set()).add(entry_id)
        for path in self._moves.problems:
            self._report(path, "it is not a readable moves log", "it was skipped")
        for month, ids in sorted(outside.items()):
            for path in self._shard_files(month, month):
                for entry in self._read_entries(path):
                    if entry.id in ids:
                        versions.setdefault(entry.id, [merged[entry.id]]).append(entry)

    def entries(
        self,
        start: datetime | None = None,
        end: datetime | None = None,
        *,
        include_deleted: bool = False,
    ) -> list[Entry]:
        """Entries overlapping [start, end) (all when open), sorted by start time."""
        first = shard_month(start - MAX_ENTRY_SPAN) if start else None
        last = shard_month(end) if end else None
        out = [
            e
            for e in self._union(first, last).values()
            if (include_deleted or not e.is_deleted)
            and (start is None or e.end > start)
            and (end is None or e.start < end)
        ]
        out.sort(key=lambda e: (e.start, e.end, e.id))
        return out

    def read_month(self, month: str) -> tuple[list[Entry], dict[Path, tuple[int, int, int] | None]]:
        """The merged entries (tombstones too) with a version in `month` ("YYYY-MM"), and
        every shard file read for them, the month's and other months' holding versions of
        moved entries, with the signature of the version read (None: it could not be read)."""
        self._read_log = {}
        try:
            merged = self._union(month, month)
            return list(merged.values()), self._read_log
        finally:
            self._read_log = None

    def shard_files_by_month(self) -> dict[str, list[Path]]:
        """Every shard file (conflict copies too) of every device, by month."""
        by_month: dict[str, list[Path]] = {}
        for path in self._shard_files(None, None):
            name = path.name if SHARD_NAME.match(path.name) else original_name(path.name)
            by_month.setdefault((name or "")[:7], []).append(path)
        return by_month

    def moves_log_paths(self) -> list[Path]:
        """Each device's moves log, whether it exists or not."""
        return [d / MOVES_FILE for d in self._listing(self._entries_root) if d.is_dir()]

    def get(self, entry_id: str, *, include_deleted: bool = False) -> Entry | None:
        """The newest version of one entry across every device and month."""
        found: list[Entry] = []
        for path in self._id_index.candidates(entry_id, self._shard_files(None, None), self._ids):
            found.extend(v for v in self._read_entries(path) if v.id == entry_id)
        entry = merge_versions(found) if found else None
        if entry is None or (entry.is_deleted and not include_deleted):
            return None
        return entry

    def _ids(self, path: Path) -> tuple[Signature | None, frozenset[str]]:
        """The ids in one shard and the signature of the version they were read from."""
        entries = self._read_entries(path)
        return self._storage_for(path).signature, frozenset(entry.id for entry in entries)

    def overlapping(self, start: datetime, end: datetime) -> list[Entry]:
        return self.entries(start, end)

    def close(self) -> None:
        self._id_index.save()
        for db in self._dbs.values():
            db.close()
        self._dbs.clear()
        self._readers.clear()
        self._parsed.clear()


# Set one by one by `_with_stamps`: every field of an Entry, stamps last.
_ENTRY_FIELDS = tuple(f.name for f in dataclass_fields(Entry) if f.name != "stamps")


def _with_stamps(entry: Entry, stamps: FieldStamps) -> Entry:
    """A copy of `entry` with `stamps`. Its fields were checked when it was built; a
    `replace` would check them all again, which takes longer than the copy itself for each
    entry of a large import."""
    copy = object.__new__(Entry)
    for name in _ENTRY_FIELDS:
        object.__setattr__(copy, name, getattr(entry, name))
    object.__setattr__(copy, "stamps", stamps)
    return copy


def os_reason(exc: OSError) -> str:
    """Why a file operation failed, in the system's words ("Permission denied")."""
    return exc.strerror or str(exc)


def _bound_storage(path: Path, header: dict[str, Any]) -> Callable[[], AtomicJSONStorage]:
    """TinyDB constructs its storage itself; bind our arguments in."""

    def make() -> AtomicJSONStorage:
        return AtomicJSONStorage(path, header)

    return make


def _write_documents(db: TinyDB, docs: dict[int, dict[str, Any]]) -> None:
    """Insert or overwrite documents by doc_id in one storage write.

    TinyDB's public calls would take two writes (update, then insert) for a mixed batch;
    `_update_table` is the single read-modify-write they are all built on.
    """
    table = db.table(ENTRIES_TABLE, cache_size=0)

    def updater(raw: dict[int, Any]) -> None:
        raw.update(docs)

    table._update_table(updater)  # noqa: SLF001
    table._next_id = None  # noqa: SLF001 - recomputed from the ids now present


def _write_all(writes: list[tuple[TinyDB, dict[int, dict[str, Any]]]]) -> None:
    """Each month file's write, several at once: most of a write is waiting for the disk
    (fsync), and the disk commits concurrent waits together. Every write is tried; the first
    error (in month order) is raised once all have ended."""
    if len(writes) == 1:
        _write_documents(*writes[0])
        return
    # Loaded here: concurrent.futures brings logging and traceback, which a read never needs.
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=PARALLEL_WRITES) as pool:
        done = [pool.submit(_write_documents, db, docs) for db, docs in writes]
    for future in done:
        future.result()


def read_shard_file(path: Path) -> list[dict[str, Any]]:
    """The raw entry documents of one shard file (for diagnostics and tests)."""
    return list(parse_file_bytes(path.read_bytes(), path).get(ENTRIES_TABLE, {}).values())
