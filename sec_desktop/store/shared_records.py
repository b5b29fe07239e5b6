"""Settings every device shares, kept as per-item records that merge without loss.

A kind of setting (the framework customization, the custom profile, the encryption state)
lives in `<data_dir>/shared/<kind>/`, one file per device: `<device-id>.json`. A device
writes only its own file, atomically, so a sync engine never sees one file changed in two
places. Each file maps a key ("rename/<activity id>", "band/<domain id>") to this device's
latest record for it, stamped with the hybrid logical clock: a device whose wall clock runs
behind still stamps its edits after everything it has read.

Reading takes every device's file and, per key, the record with the highest stamp (the device
id breaks a tie, then the value's bytes, so any order of files gives the same result). A
record that lost to one written without seeing it (a concurrent edit) is kept in
`Merged.conflicts`, so the user can see it and take it back. A deletion is a record too (a
tombstone), so an older value on another device can't bring the item back.

Conflict copies a sync engine still makes (a device id cloned to two machines) are read as
part of the union, and `fold_conflict_copies` merges them into the device's file. No Qt here.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from sec_desktop.store.atomic import TEMP_SUFFIX, atomic_write_bytes, ensure_private_dir
from sec_desktop.store.entry import utc_now
from sec_desktop.store.hlc import HybridClock, Stamp, StampError
from sec_desktop.store.sync_conflicts import ConflictCopy, engine_of, original_name, set_aside

if TYPE_CHECKING:
    from sec_desktop.store.file_lock import FileLock

SHARED_DIR = "shared"
FILE_FORMAT = "sec-desktop/shared-records"
FILE_VERSION = 1
LOCK_SUFFIX = ".lock"
LOCK_TIMEOUT_S = 30.0
KIND_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,40}$")
DEVICE_FILE = re.compile(r"^(?P<device>[a-z0-9][a-z0-9-]{0,63})\.json$")
MAX_KEY_CHARS = 300


class SharedRecordsError(Exception):
    """A change to shared records that could not be made; nothing was written."""


class RecordsChanged(SharedRecordsError):
    """Another device (or window) changed some of the keys since the caller read them.

    `keys` are the keys whose current record differs from the one the change was based on;
    nothing was written, so the caller can show the new values and let the user decide.
    """

    def __init__(self, keys: list[str], current: RecordSet) -> None:
        listed = ", ".join(keys[:5]) + (f" and {len(keys) - 5} more" if len(keys) > 5 else "")
        super().__init__(f"changed meanwhile (on this or another device): {listed}")
        self.keys = keys
        self.current = current


@dataclass(frozen=True)
class Record:
    """One device's latest word on one key: a value, or a deletion (`deleted`, value None).

    `seen` holds, per device, the newest stamp of that device's records for the key that this
    device had read when it wrote this one (a stamp names its device): a record it beat
    without having seen it was concurrent, and is kept visible.
    """

    key: str
    value: Any
    stamp: Stamp
    device: str
    seen: tuple[Stamp, ...] = ()
    deleted: bool = False

    def order_key(self) -> tuple[Stamp, str, bytes, tuple[Stamp, ...]]:
        """Total order of records: stamp, then device, then the value's canonical bytes."""
        return (self.stamp, self.device, _canonical(self.value, self.deleted), self.seen)

    def has_seen(self, other: Record) -> bool:
        """Whether this record was written knowing `other` (or a later record of its device)."""
        return other.device == self.device or any(
            s.device == other.device and s >= other.stamp for s in self.seen
        )

    def same_content(self, other: Record) -> bool:
        return self.deleted == other.deleted and _canonical(self.value, self.deleted) == (
            _canonical(other.value, other.deleted)
        )


def seen_after(records: Iterable[Record]) -> tuple[Stamp, ...]:
    """What a writer that read `records` has seen: per device, the newest stamp among the
    records and everything they had seen themselves."""
    newest: dict[str, Stamp] = {}
    for record in records:
        for stamp in (record.stamp, *record.seen):
            if stamp.device not in newest or stamp > newest[stamp.device]:
                newest[stamp.device] = stamp
    return tuple(newest[d] for d in sorted(newest))


@dataclass(frozen=True)
class Merged:
    """A key's winning record and the concurrent records it beat (oldest first)."""

    winner: Record
    conflicts: tuple[Record, ...] = ()


@dataclass(frozen=True)
class RecordSet:
    """Every device's records of one kind, merged per key, with the files that could not be
    read (path -> reason: each is named to the user and left where it is)."""

    merged: Mapping[str, Merged] = field(default_factory=dict)
    problems: Mapping[Path, str] = field(default_factory=dict)

    def values(self) -> dict[str, Any]:
        """Key -> value of every live (not deleted) key, sorted by key."""
        return {
            key: m.winner.value for key, m in sorted(self.merged.items()) if not m.winner.deleted
        }

    def get(self, key: str, default: Any = None) -> Any:
        found = self.merged.get(key)
        if found is None or found.winner.deleted:
            return default
        return found.winner.value

    def stamp(self, key: str) -> Stamp | None:
        found = self.merged.get(key)
        return found.winner.stamp if found is not None else None

    def stamps(self) -> dict[str, Stamp]:
        """Key -> winning stamp: what a change read here is based on (see `write(expect=)`)."""
        return {key: m.winner.stamp for key, m in self.merged.items()}

    def conflicts(self) -> dict[str, Merged]:
        return {key: m for key, m in sorted(self.merged.items()) if m.conflicts}

    def latest(self) -> Stamp | None:
        stamps = [m.winner.stamp for m in self.merged.values()]
        return max(stamps) if stamps else None


def _canonical(value: Any, deleted: bool) -> bytes:
    if deleted:
        return b""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def merge_records(records: Iterable[Record]) -> dict[str, Merged]:
    """Per key, the winning record and its concurrent losers; independent of the order given.

    A loser is concurrent when it comes from another device than the winner, holds something
    else, and the winner was written without having seen it (its `seen` is older).
    """
    by_key: dict[str, list[Record]] = {}
    for record in records:
        by_key.setdefault(record.key, []).append(record)
    merged: dict[str, Merged] = {}
    for key, candidates in by_key.items():
        candidates.sort(key=Record.order_key)
        winner = candidates[-1]
        losers: dict[str, Record] = {}
        for record in candidates[:-1]:
            if winner.has_seen(record) or record.same_content(winner):
                continue
            # One per device: its newest (a conflict copy may hold an older one).
            losers[record.device] = record
        conflicts = tuple(sorted(losers.values(), key=Record.order_key))
        merged[key] = Merged(winner, conflicts)
    return merged


# The file form --------------------------------------------------------------------------------


def _record_doc(record: Record) -> dict[str, Any]:
    doc: dict[str, Any] = {"stamp": record.stamp.text()}
    if record.deleted:
        doc["deleted"] = True
    else:
        doc["value"] = record.value
    if record.seen:
        doc["seen"] = [s.text() for s in record.seen]
    return doc


def _document(kind: str, device: str, records: Iterable[Record]) -> bytes:
    doc = {
        "format": FILE_FORMAT,
        "version": FILE_VERSION,
        "kind": kind,
        "device": device,
        "records": {r.key: _record_doc(r) for r in sorted(records, key=lambda r: r.key)},
    }
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n"


class UnreadableRecords(Exception):
    """A records file that can't be used; `reason` says why, for the user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _stamp_from(raw: Any, where: str) -> Stamp:
    if not isinstance(raw, str):
        raise UnreadableRecords(f"{where} must be a clock stamp, not {raw!r}")
    try:
        return Stamp.parse(raw, where)
    except StampError as exc:
        raise UnreadableRecords(str(exc).rstrip(".")) from exc


def parse_records(raw: bytes, kind: str, device: str) -> list[Record]:
    """The records in one file's bytes, written by `device`; UnreadableRecords if bad."""
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise UnreadableRecords(f"it is not valid JSON ({exc})") from exc
    if not isinstance(doc, dict) or doc.get("format") != FILE_FORMAT:
        raise UnreadableRecords("it is not an SEC Desktop shared-records file")
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise UnreadableRecords("its version is missing")
    if version > FILE_VERSION:
        raise UnreadableRecords(
            f"a newer SEC Desktop wrote it (version {version}); update the app to use it"
        )
    if doc.get("kind") != kind:
        raise UnreadableRecords(f"it holds {doc.get('kind')!r} records, not {kind!r}")
    if doc.get("device") != device:
        raise UnreadableRecords(
            f"it names device {doc.get('device')!r}, but its file name says {device!r}"
        )
    items = doc.get("records")
    if not isinstance(items, dict):
        raise UnreadableRecords("its records must be an object of key to record")
    records = []
    for key, item in items.items():
        where = f"records.{key}"
        if not isinstance(item, dict):
            raise UnreadableRecords(f"{where} must be an object")
        stamp = _stamp_from(item.get("stamp"), f"{where}.stamp")
        raw_seen = item.get("seen", [])
        if not isinstance(raw_seen, list):
            raise UnreadableRecords(f"{where}.seen must be a list of clock stamps")
        seen = tuple(_stamp_from(t, f"{where}.seen[{i}]") for i, t in enumerate(raw_seen))
        deleted = item.get("deleted", False)
        if not isinstance(deleted, bool):
            raise UnreadableRecords(f"{where}.deleted must be true or false")
        if not deleted and "value" not in item:
            raise UnreadableRecords(f"{where} has neither a value nor deleted")
        value = None if deleted else item["value"]
        records.append(Record(key, value, stamp, device, seen, deleted))
    return records


# The bytes of each file last parsed, and its records: a write re-reads every device's file
# (a learnt search on the GUI thread, say), and parsing, not reading, is what costs. Records
# are immutable, and a hit needs the very same bytes, so a hit is always right.
_PARSED: dict[tuple[str, str, str], tuple[bytes, tuple[Record, ...]]] = {}
_PARSED_FILES_KEPT = 64


def _parse_file(path: Path, raw: bytes, kind: str, device: str) -> list[Record]:
    cache_key = (str(path), kind, device)
    cached = _PARSED.get(cache_key)
    if cached is not None and cached[0] == raw:
        return list(cached[1])
    records = parse_records(raw, kind, device)
    if len(_PARSED) >= _PARSED_FILES_KEPT:
        _PARSED.clear()
    _PARSED[cache_key] = (raw, tuple(records))
    return records


# The folder -------------------------------------------------------------------------------------


def shared_dir(data_dir: Path, kind: str) -> Path:
    return data_dir / SHARED_DIR / kind


def _check_key(key: Any) -> str:
    if not isinstance(key, str) or not key or len(key) > MAX_KEY_CHARS:
        raise SharedRecordsError(f"a record key must be text of 1 to {MAX_KEY_CHARS} characters")
    return key


def _device_files(folder: Path) -> Iterator[tuple[Path, str]]:
    if not folder.is_dir():
        return
    for path in sorted(folder.iterdir()):
        name = original_name(path.name) if engine_of(path.name) else path.name
        match = DEVICE_FILE.match(name or "")
        if match and path.is_file():
            yield path, match.group("device")


def _read_folder(folder: Path, kind: str) -> tuple[RecordSet, Stamp | None]:
    records: list[Record] = []
    problems: dict[Path, str] = {}
    for path, device in _device_files(folder):
        try:
            records.extend(_parse_file(path, path.read_bytes(), kind, device))
        except UnreadableRecords as exc:
            problems[path] = exc.reason
        except FileNotFoundError:
            continue  # replaced by a sync meanwhile; its new version is read next time
        except OSError as exc:
            problems[path] = exc.strerror or str(exc)
    latest = max((r.stamp for r in records), default=None)
    return RecordSet(merge_records(records), problems), latest


def read_records(data_dir: Path, kind: str) -> RecordSet:
    """Every device's records of `kind` merged, for a reader that never writes."""
    return _read_folder(shared_dir(data_dir, kind), kind)[0]


# A change: key -> new value, or DELETE to remove the key.
class _Delete:
    def __repr__(self) -> str:
        return "DELETE"


DELETE: Any = _Delete()
_ABSENT: Any = object()


def _holds(current: RecordSet, key: str, value: Any) -> bool:
    """Whether `key`'s winner already says `value` (DELETE: is deleted or absent)."""
    if value is _ABSENT:
        return False
    merged = current.merged.get(key)
    if value is DELETE:
        return merged is None or merged.winner.deleted
    return (
        merged is not None
        and not merged.winner.deleted
        and _canonical(merged.winner.value, False) == _canonical(value, False)
    )


class SharedRecords:
    """The records of one `kind` in a data folder; this process writes as `device_id` only.

    `clock` stamps new records; it observes every stamp read first, so a new record is
    stamped after everything this device has seen, whatever its wall clock says.
    """

    def __init__(
        self, data_dir: Path, kind: str, device_id: str, clock: HybridClock | None = None
    ) -> None:
        if not KIND_NAME.match(kind):
            raise ValueError(f"{kind!r} is not a records kind name")
        if not DEVICE_FILE.match(f"{device_id}.json"):
            raise ValueError(f"{device_id!r} is not a device id")
        self.data_dir = data_dir
        self.kind = kind
        self.device_id = device_id
        self.clock = clock if clock is not None else HybridClock(device_id, utc_now)
        self.folder = shared_dir(data_dir, kind)
        self.own_file = self.folder / f"{device_id}.json"

    # Reading --------------------------------------------------------------------------

    def files(self) -> Iterator[tuple[Path, str]]:
        """(path, device) of every device's file and of their conflict copies."""
        return _device_files(self.folder)

    def read(self) -> RecordSet:
        """Every device's records merged per key; a file that can't be read is named in
        `problems` and the others are used."""
        result, latest = _read_folder(self.folder, self.kind)
        if latest is not None:
            self.clock.observe(latest)
        return result

    def _own_records(self) -> dict[str, Record]:
        try:
            raw = self.own_file.read_bytes()
        except FileNotFoundError:
            return {}
        try:
            return {r.key: r for r in _parse_file(self.own_file, raw, self.kind, self.device_id)}
        except UnreadableRecords as exc:
            raise SharedRecordsError(
                f"this device's file {self.own_file} can't be read ({exc.reason}); fix or move "
                "it before saving, so nothing in it is lost"
            ) from exc

    def _lock(self) -> FileLock:
        from sec_desktop.store.file_lock import FileLock  # loaded by the first write, not by a read

        ensure_private_dir(self.data_dir)
        ensure_private_dir(self.data_dir / SHARED_DIR)
        ensure_private_dir(self.folder)
        return FileLock(
            self.folder / f".{self.device_id}{LOCK_SUFFIX}", timeout=LOCK_TIMEOUT_S, mode=0o600
        )

    def _remove_own_stale_temp_files(self) -> None:
        """A write killed midway leaves its temp file, which a sync engine would carry to
        every device; only this device's own are removed (under its lock), never another's
        or the sync engine's."""
        for stale in self.folder.glob(f".{self.own_file.name}.*{TEMP_SUFFIX}"):
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()

    # Writing --------------------------------------------------------------------------

    def write(
        self, changes: Mapping[str, Any], *, expect: Mapping[str, Stamp | None] | None = None
    ) -> RecordSet:
        """Record `changes` (key -> value, or DELETE) as this device's; the merged result.

        With `expect` (key -> the stamp the caller's view was based on, None for "absent"),
        a key whose current winner has another stamp refuses the whole change with
        RecordsChanged, so a window never saves over what arrived while it was open (unless
        that already says what the change writes). A change that leaves a key as it is
        writes nothing for it.
        """
        for key in changes:
            _check_key(key)
        with self._lock():
            current = self.read()
            if expect is not None:
                # Changed meanwhile, unless it now holds just what this change writes.
                stale = sorted(
                    k
                    for k, s in expect.items()
                    if current.stamp(k) != s and not _holds(current, k, changes.get(k, _ABSENT))
                )
                if stale:
                    raise RecordsChanged(stale, current)
            self._remove_own_stale_temp_files()
            own = self._own_records()
            fresh: list[Record] = []
            for key, value in sorted(changes.items()):
                deleted = value is DELETE
                merged = current.merged.get(key)
                if merged is not None and merged.winner.deleted == deleted:
                    unchanged = deleted or _canonical(value, False) == _canonical(
                        merged.winner.value, False
                    )
                    if unchanged and not merged.conflicts:
                        continue
                if merged is None and deleted:
                    continue
                # Writing over a conflict means the user saw it: every loser counts as seen.
                seen = seen_after([merged.winner, *merged.conflicts]) if merged else ()
                record = Record(
                    key, None if deleted else value, self.clock.now(), self.device_id, seen, deleted
                )
                fresh.append(record)
            if not fresh:
                return current
            own.update({r.key: r for r in fresh})
            document = _document(self.kind, self.device_id, own.values())
            atomic_write_bytes(self.own_file, document)
            _PARSED[(str(self.own_file), self.kind, self.device_id)] = (
                document,
                tuple(sorted(own.values(), key=lambda r: r.key)),
            )
            return self.read()

    # Conflict copies ------------------------------------------------------------------------

    def conflict_copies(self) -> list[ConflictCopy]:
        copies: list[ConflictCopy] = []
        if not self.folder.is_dir():
            return copies
        for path in sorted(self.folder.iterdir()):
            engine = engine_of(path.name)
            original = original_name(path.name)
            if engine and original and DEVICE_FILE.match(original) and path.is_file():
                copies.append(ConflictCopy(path, path.with_name(original), engine))
        return copies

    def fold_conflict_copies(self, now: datetime) -> tuple[list[ConflictCopy], dict[Path, str]]:
        """Merge each conflict copy's records into the file it is a copy of (the newest record
        per key kept), then move the copy to the quarantine; returns the copies folded and
        those left where they are (path -> reason)."""
        folded: list[ConflictCopy] = []
        left: dict[Path, str] = {}
        for copy in self.conflict_copies():
            device = DEVICE_FILE.match(copy.original.name)
            if device is None:  # pragma: no cover - conflict_copies lists device files only
                continue
            owner = device.group("device")
            try:
                theirs = parse_records(copy.path.read_bytes(), self.kind, owner)
            except UnreadableRecords as exc:
                left[copy.path] = exc.reason
                continue
            with self._lock_for(owner):
                try:
                    ours = parse_records(copy.original.read_bytes(), self.kind, owner)
                except FileNotFoundError:
                    ours = []
                except UnreadableRecords as exc:
                    left[copy.path] = f"the file it is a copy of can't be read ({exc.reason})"
                    continue
                newest: dict[str, Record] = {}
                for record in sorted([*ours, *theirs], key=Record.order_key):
                    newest[record.key] = record
                atomic_write_bytes(copy.original, _document(self.kind, owner, newest.values()))
            set_aside(self.data_dir, copy, now)
            folded.append(copy)
        return folded, left

    def _lock_for(self, device: str) -> contextlib.AbstractContextManager[object]:
        if device == self.device_id:
            return self._lock()
        # Another device's file: it is that device's to write, but a conflict copy of it is
        # only merged into it (every record it held stays), which its owner would do the same.
        return contextlib.nullcontext()


# How often a migration tries again when records change under it (another process migrating
# too, or the app saving meanwhile).
ADOPT_ATTEMPTS = 5


def adopt_legacy(records: SharedRecords, legacy: Mapping[str, Any]) -> dict[str, Any]:
    """Write as this device's records the items of an earlier version's single file that no
    device has a record for yet: one a device already wrote is newer than the file, so it
    stands. Returns what was written; RecordsChanged when records kept changing meanwhile
    (nothing of the file is lost: it stays where it is)."""
    for attempt in range(ADOPT_ATTEMPTS):
        current = records.read()
        changes = {k: v for k, v in legacy.items() if k not in current.merged}
        try:
            records.write(changes, expect=dict.fromkeys(changes))
        except RecordsChanged:
            if attempt == ADOPT_ATTEMPTS - 1:
                raise
        else:
            return changes
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


__all__ = [
    "ADOPT_ATTEMPTS",
    "DELETE",
    "Merged",
    "Record",
    "RecordSet",
    "RecordsChanged",
    "SharedRecords",
    "SharedRecordsError",
    "UnreadableRecords",
    "adopt_legacy",
    "merge_records",
    "parse_records",
    "read_records",
    "seen_after",
    "shared_dir",
]
