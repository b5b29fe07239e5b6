"""One tracked stretch of time, tagged in the SEC hierarchy, and its JSON form."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sec_desktop.store.hlc import Stamp
from sec_desktop.store.stamps import (
    ACTIVITY,
    DELETED,
    FIELDS,
    LABELS,
    NOTE,
    TIMES,
    Conflict,
    FieldStamps,
    StampsError,
    check_stamp,
    legacy_stamps,
    stamp_device,
    stamps_from_json,
)

# Longer than this is a forgotten timer, not a stretch of work; importers split such spans.
MAX_ENTRY_SPAN = timedelta(days=31)
# Every time an entry holds lies in [EARLIEST_TIME, LATEST_TIME]: 1970-01-01 to 2999-12-31.
# Earlier times break POSIX timestamps on some systems (an export could not be imported back);
# later ones leave no room for an edit's later stamp and make reports over them endless.
EARLIEST_TIME = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_TIME = datetime(3000, 1, 1, tzinfo=UTC) - timedelta(microseconds=1)
TIME_BOUNDS_TEXT = "between 1970-01-01 and 2999-12-31 (UTC)"
# ping: a random (TagTime) sample, the only source with sampling statistics; prompt: an
# interval prompt's answer; timer, manual, calendar and import:<tool> as named.
SOURCE_PATTERN = re.compile(r"^(ping|prompt|timer|manual|calendar|import:[a-z0-9][a-z0-9_.-]*)$")
DEVICE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
# An encrypted note (store/notes_crypto.py) lives under this key, with `note` null. An entry
# still carrying it in `extra` has a note this device could not decrypt.
NOTE_ENCRYPTED_FIELD = "note_encrypted"


# A store holds few distinct zones, sources and devices: check each once, not per entry.
@lru_cache(maxsize=512)
def _is_valid_source(source: str) -> bool:
    return SOURCE_PATTERN.match(source) is not None


@lru_cache(maxsize=512)
def _is_valid_device(device: str) -> bool:
    return DEVICE_PATTERN.match(device) is not None


def _new_id() -> str:
    # uuid is imported here: at module level it loads `platform`, which a report never needs.
    import uuid

    return str(uuid.uuid4())


def span_pieces(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """[start, end) as consecutive pieces, each no longer than MAX_ENTRY_SPAN."""
    pieces = []
    while end - start > MAX_ENTRY_SPAN:
        pieces.append((start, start + MAX_ENTRY_SPAN))
        start += MAX_ENTRY_SPAN
    pieces.append((start, end))
    return pieces


class EntryError(ValueError):
    """An entry that breaks a rule; the message names the field."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def format_utc(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z, to the second unless the moment has a fraction."""
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    # isoformat() shows the fraction only when there is one; "+00:00" becomes Z.
    return moment.isoformat()[:-6] + "Z"


def parse_utc(text: Any, field_name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError) as exc:
        raise EntryError(f"{field_name} is not an ISO 8601 time: {text!r}.") from exc
    if moment.tzinfo is None:
        raise EntryError(f"{field_name} has no UTC offset: {text!r}.")
    try:
        return moment.astimezone(UTC)
    except OverflowError as exc:  # e.g. 0001-01-01T00:00:00+01:00 is before year 1 in UTC
        raise EntryError(f"{field_name} is out of range in UTC: {text!r}.") from exc


@lru_cache(maxsize=512)
def check_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    # OSError: a folder of the zone database ("America") raises IsADirectoryError
    # (PermissionError on Windows) rather than ZoneInfoNotFoundError.
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise EntryError(f"time zone {name!r} is not an IANA zone name.") from exc
    return name


@dataclass(frozen=True, slots=True)
class Entry:
    """Times are aware UTC datetimes; `tz` is the IANA zone the user was in at capture.

    `activity` is a framework id at any level. A deleted entry stays as a tombstone
    (`deleted` set) so that a merge with an older copy from another device can't revive it.
    `stamps` is the version's merge history (store/stamps.py); the store sets it on save.
    """

    id: str
    start: datetime
    end: datetime
    tz: str
    activity: str
    source: str
    device: str
    created: datetime
    updated: datetime
    labels: tuple[str, ...] = ()
    note: str | None = None
    deleted: datetime | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)
    stamps: FieldStamps | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        for name in ("start", "end", "created", "updated", "deleted"):
            value = getattr(self, name)
            if value is None and name == "deleted":
                continue
            if not isinstance(value, datetime) or value.utcoffset() is None:
                raise EntryError(f"{name} must be a time with a UTC offset.")
            if not EARLIEST_TIME <= value <= LATEST_TIME:
                raise EntryError(f"{name} ({format_utc(value)}) must be {TIME_BOUNDS_TEXT}.")
        if not self.id:
            raise EntryError("id is empty.")
        if self.end <= self.start:
            raise EntryError(
                f"end ({format_utc(self.end)}) must be after start ({format_utc(self.start)})."
            )
        if self.end - self.start > MAX_ENTRY_SPAN:
            raise EntryError(
                f"spans {self.end - self.start}, more than the {MAX_ENTRY_SPAN.days} days "
                "an entry may cover."
            )
        if not self.activity:
            raise EntryError("activity is empty.")
        if not _is_valid_source(self.source):
            raise EntryError(
                f"source {self.source!r} is not one of ping, prompt, timer, manual, "
                "calendar, import:<tool>."
            )
        if not _is_valid_device(self.device):
            raise EntryError(f"device {self.device!r} is not a lowercase slug.")
        check_zone(self.tz)

    @classmethod
    def new(
        cls,
        *,
        start: datetime,
        end: datetime,
        tz: str,
        activity: str,
        source: str,
        device: str,
        labels: tuple[str, ...] = (),
        note: str | None = None,
        now: datetime | None = None,
    ) -> Entry:
        stamp = (now or utc_now()).astimezone(UTC)
        return cls(
            id=_new_id(),
            start=start.astimezone(UTC),
            end=end.astimezone(UTC),
            tz=tz,
            activity=activity,
            source=source,
            device=device,
            created=stamp,
            updated=stamp,
            labels=tuple(labels),
            note=note or None,
        )

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    @property
    def note_unreadable(self) -> bool:
        """The note is encrypted with a key not at hand; `note` then holds a placeholder."""
        return NOTE_ENCRYPTED_FIELD in self.extra

    @property
    def is_deleted(self) -> bool:
        return self.deleted is not None

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """Half-open intervals: one ending at 11:30 and one starting at 11:30 don't overlap."""
        return self.start < end and start < self.end

    def edited(self, now: datetime, **changes: Any) -> Entry:
        """A copy with `changes` applied and `updated` moved to `now`."""
        return replace(self, **changes, updated=now.astimezone(UTC))

    def field_value(self, name: str) -> Any:
        """The value of one merge field; times are (start, end, zone) together."""
        if name == TIMES:
            return (self.start, self.end, self.tz)
        if name == ACTIVITY:
            return self.activity
        if name == NOTE:
            return self.note
        if name == LABELS:
            return self.labels
        if name == DELETED:
            return self.deleted
        raise KeyError(name)

    def field_values(self) -> tuple[Any, ...]:
        """All merge fields' values, in FIELDS order (built for every entry read: kept flat)."""
        return (
            (self.start, self.end, self.tz),
            self.activity,
            self.note,
            self.labels,
            self.deleted,
        )

    def with_field(self, name: str, value: Any) -> Entry:
        """A copy with one merge field set (stamps untouched)."""
        if name == TIMES:
            start, end, tz = value
            return replace(self, start=start, end=end, tz=tz)
        if name not in FIELDS:
            raise KeyError(name)
        return replace(self, **{name: value})

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = dict(self.extra)
        doc.update(
            id=self.id,
            start=format_utc(self.start),
            end=format_utc(self.end),
            tz=self.tz,
            activity=self.activity,
            labels=list(self.labels),
            note=self.note,
            source=self.source,
            device=self.device,
            created=(created := format_utc(self.created)),
            # Most entries are saved as they were made: one formatting serves both.
            updated=created if self.updated == self.created else format_utc(self.updated),
            deleted=format_utc(self.deleted) if self.deleted else None,
        )
        if self.stamps is not None and not self.stamps.implicit:
            fields = self.stamps.fields
            shared = fields[TIMES]
            # Most versions set every field in one edit: one stamp then stands for all.
            same = all(fields[name] == shared for name in FIELDS)
            doc["stamps"] = shared if same else dict(fields)
            # A version that saw nothing but its own edit (most: a new entry) needs no
            # `seen`; a read of thousands of entries then builds one dict less for each.
            if not (same and self.stamps.seen == {stamp_device(shared): shared}):
                doc["seen"] = dict(self.stamps.seen)
            if self.stamps.conflicts:
                doc["conflicts"] = [conflict_to_json(c) for c in self.stamps.conflicts]
        return doc

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> Entry:
        """Parse a stored entry; fields this version doesn't know are kept in `extra`."""
        if type(doc) is dict and cls is Entry:
            fast = _well_formed_entry(doc)
            if fast is not None:
                return _with_stamps(fast, doc)
        # The full check, which names what is wrong (and reads any Mapping).
        if not isinstance(doc, Mapping):
            raise EntryError("an entry must be a JSON object.")
        if not doc.keys() >= _REQUIRED_SET:
            missing = [k for k in _REQUIRED if k not in doc]
            raise EntryError(f"entry {doc.get('id', '?')!r} lacks {', '.join(missing)}.")
        labels = doc.get("labels") or []
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            raise EntryError(f"entry {doc['id']!r}: labels must be a list of strings.")
        note = doc.get("note")
        if note is not None and not isinstance(note, str):
            raise EntryError(f"entry {doc['id']!r}: note must be text.")
        for key in ("id", "tz", "activity", "source", "device"):
            if not isinstance(doc[key], str):
                raise EntryError(f"entry {doc.get('id')!r}: {key} must be text.")
        deleted = doc.get("deleted")
        entry = cls(
            id=doc["id"],
            start=parse_utc(doc["start"], "start"),
            end=parse_utc(doc["end"], "end"),
            tz=doc["tz"],
            activity=doc["activity"],
            source=doc["source"],
            device=doc["device"],
            created=parse_utc(doc["created"], "created"),
            updated=parse_utc(doc["updated"], "updated"),
            labels=tuple(labels),
            note=note,
            deleted=parse_utc(deleted, "deleted") if deleted else None,
            extra=(
                {k: v for k, v in doc.items() if k not in _KNOWN}
                if doc.keys() - _KNOWN
                else _NO_EXTRA
            ),
        )
        return _with_stamps(entry, doc)


def _with_stamps(entry: Entry, doc: Mapping[str, Any]) -> Entry:
    """`entry`, read from `doc`, with the stamps `doc` holds (checked)."""
    try:
        if "stamps" in doc or "seen" in doc:
            fields, seen = stamps_from_json(doc, entry.id)
            conflicts = conflicts_from_json(doc.get("conflicts"), entry.id)
            stamps = FieldStamps(fields, seen, conflicts, entry.field_values(), False, entry.id)
        else:
            # Saved before stamps: as if every field was set at `updated`.
            legacy = legacy_stamps(Stamp.at(entry.updated, entry.device).text())
            stamps = legacy._replace(base=entry.field_values(), entry_id=entry.id)
    except StampsError as exc:
        raise EntryError(str(exc)) from exc
    object.__setattr__(entry, "stamps", stamps)  # frozen: set once, right after building
    return entry


def _utc_or_none(text: object) -> datetime | None:
    """`text` as an aware UTC time if it is one in the range an entry may hold, else None."""
    if type(text) is not str:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is not UTC:
        if moment.tzinfo is None:
            return None
        try:
            moment = moment.astimezone(UTC)
        except OverflowError:
            return None
    # In UTC, [EARLIEST_TIME, LATEST_TIME] is exactly the years 1970 to 2999.
    return moment if 1970 <= moment.year <= 2999 else None


def _well_formed_entry(doc: dict[str, Any]) -> Entry | None:
    """The entry a stored document holds, without stamps, if the document keeps every rule of
    `Entry.from_json` and `Entry.__post_init__`; None otherwise, and the full check then says
    what is wrong. Reads take this path for nearly every document: it tests each rule once,
    with no error text, and builds the frozen entry without its checking __init__."""
    get = doc.get
    entry_id, tz, activity = get("id"), get("tz"), get("activity")
    source, device = get("source"), get("device")
    labels, note, deleted_text = get("labels"), get("note"), get("deleted")
    if not (
        type(entry_id) is str
        and entry_id
        and type(tz) is str
        and type(activity) is str
        and activity
        and type(source) is str
        and type(device) is str
        and (note is None or type(note) is str)
        and (labels is None or type(labels) is list)
    ):
        return None
    if labels:
        for label in labels:
            if type(label) is not str:
                return None
    start, end = _utc_or_none(get("start")), _utc_or_none(get("end"))
    created_text, updated_text = get("created"), get("updated")
    created = _utc_or_none(created_text)
    updated = created if updated_text == created_text else _utc_or_none(updated_text)
    deleted = None if deleted_text is None else _utc_or_none(deleted_text)
    if (
        start is None
        or end is None
        or created is None
        or updated is None
        or (deleted is None and deleted_text is not None)
        or not start < end
        or end - start > MAX_ENTRY_SPAN
        or not _is_valid_source(source)
        or not _is_valid_device(device)
        or not _is_zone_name(tz)
    ):
        return None
    entry: Entry = object.__new__(Entry)
    # The slots' own setters: what the frozen __init__ does, without its checks and lookups.
    _set_id(entry, entry_id)
    _set_start(entry, start)
    _set_end(entry, end)
    _set_tz(entry, tz)
    _set_activity(entry, activity)
    _set_source(entry, source)
    _set_device(entry, device)
    _set_created(entry, created)
    _set_updated(entry, updated)
    _set_labels(entry, tuple(labels) if labels else ())
    _set_note(entry, note)
    _set_deleted(entry, deleted)
    _set_extra(
        entry,
        _NO_EXTRA if doc.keys() <= _KNOWN else {k: v for k, v in doc.items() if k not in _KNOWN},
    )
    _set_stamps(entry, None)
    return entry


_FAST_FIELDS = (
    *("id", "start", "end", "tz", "activity", "source", "device", "created", "updated"),
    *("labels", "note", "deleted", "extra", "stamps"),
)
if tuple(f.name for f in dataclasses.fields(Entry)) != _FAST_FIELDS:
    raise RuntimeError("Entry's fields changed: update _well_formed_entry and _FAST_FIELDS")
(
    _set_id,
    _set_start,
    _set_end,
    _set_tz,
    _set_activity,
    _set_source,
    _set_device,
    _set_created,
    _set_updated,
    _set_labels,
    _set_note,
    _set_deleted,
    _set_extra,
    _set_stamps,
) = (Entry.__dict__[name].__set__ for name in _FAST_FIELDS)


@lru_cache(maxsize=512)
def _is_zone_name(name: str) -> bool:
    try:
        check_zone(name)
    except EntryError:
        return False
    return True


_REQUIRED = ("id", "start", "end", "tz", "activity", "source", "device", "created", "updated")
_REQUIRED_SET = frozenset(_REQUIRED)
_KNOWN = frozenset((*_REQUIRED, "labels", "note", "deleted", "stamps", "seen", "conflicts"))
_NO_EXTRA: Mapping[str, Any] = MappingProxyType({})


def value_to_json(name: str, value: Any) -> Any:
    """A merge field's value as stored in a conflict record."""
    if name == TIMES:
        start, end, tz = value
        return {"start": format_utc(start), "end": format_utc(end), "tz": tz}
    if name == LABELS:
        return list(value)
    if name == DELETED:
        return format_utc(value) if value is not None else None
    return value


def value_from_json(name: str, raw: Any, what: str) -> Any:
    """The inverse of value_to_json; EntryError names `what` when `raw` has the wrong shape."""
    if name == TIMES:
        if not isinstance(raw, Mapping) or not isinstance(raw.get("tz"), str):
            raise EntryError(f"{what}: times must be an object of start, end and tz.")
        start = parse_utc(raw.get("start"), f"{what}: start")
        end = parse_utc(raw.get("end"), f"{what}: end")
        if end <= start:
            raise EntryError(f"{what}: end must be after start.")
        return (start, end, check_zone(raw["tz"]))
    if name == LABELS:
        if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
            raise EntryError(f"{what}: labels must be a list of strings.")
        return tuple(raw)
    if name == DELETED:
        return parse_utc(raw, what) if raw is not None else None
    if name == NOTE:
        if isinstance(raw, Mapping) and "sealed" in raw:
            # Encrypted with a key this device lacks: kept sealed, as it came.
            return dict(raw)
        if raw is not None and not isinstance(raw, str):
            raise EntryError(f"{what}: a note must be text.")
        return raw
    if not isinstance(raw, str) or not raw:
        raise EntryError(f"{what}: an activity must be non-empty text.")
    return raw


def conflict_to_json(conflict: Conflict) -> dict[str, Any]:
    return {
        "field": conflict.field,
        "stamp": conflict.stamp,
        "value": value_to_json(conflict.field, conflict.value),
    }


def conflicts_from_json(raw: Any, entry_id: str) -> tuple[Conflict, ...]:
    if raw is None:
        return ()
    what = f"entry {entry_id!r}: a conflict"
    if not isinstance(raw, list):
        raise EntryError(f"entry {entry_id!r}: conflicts must be a list.")
    out = []
    for item in raw:
        if not isinstance(item, Mapping) or item.get("field") not in FIELDS:
            raise EntryError(f"{what} must name one of {', '.join(FIELDS)}.")
        name = item["field"]
        stamp = check_stamp(item.get("stamp"), f"{what} of {name}")
        out.append(Conflict(name, stamp, value_from_json(name, item.get("value"), what)))
    return tuple(out)


def latest_stamp(entry: Entry) -> str:
    """The highest stamp a version holds or has seen ("" for one not yet saved)."""
    return entry.stamps.latest if entry.stamps is not None else ""


def newest(a: Entry, b: Entry) -> Entry:
    """The later of two versions of one entry: the one whose writer had merged the highest
    stamp; on a tie a tombstone, then by device. (A read merges all versions field by field,
    store/merge.py; this picks one whole version, e.g. to tell whether a copy holds news.)"""
    return max(a, b, key=lambda e: (latest_stamp(e), e.updated, e.deleted is not None, e.device))
