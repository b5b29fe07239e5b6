"""What each saved version of an entry knows about its own history, for field-by-field merges.

Every version carries, per field (times, activity, note, labels, deleted), the clock stamp of
the edit that set the value (store/hlc.py); a `seen` version vector, per device the highest
stamp its writer had merged ("*" covers every device: a version from before stamps existed,
when the newest version won whole); and the losing values of concurrent edits that nobody
has settled yet (`conflicts`), so that a value lost to another device's edit stays visible
and can be taken back. Stamps are kept in their text form, which sorts as the stamps do, so
reading thousands of entries parses no stamp at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from types import MappingProxyType
from typing import Any, NamedTuple

from sec_desktop.store.hlc import COUNTER_DIGITS, WALL_DIGITS, Stamp, StampError

TIMES, ACTIVITY, NOTE, LABELS, DELETED = "times", "activity", "note", "labels", "deleted"
# The fields that merge one by one; start, end and zone move together as "times".
FIELDS = (TIMES, ACTIVITY, NOTE, LABELS, DELETED)
ALL_DEVICES = "*"
_DEVICE_AT = WALL_DIGITS + 1 + COUNTER_DIGITS + 1


def stamp_device(stamp: str) -> str:
    return stamp[_DEVICE_AT:]


class StampsError(ValueError):
    """A version's stamps that can't be used; the message names the field."""


@dataclass(frozen=True, slots=True)
class Conflict:
    """A value of `field` that lost to a concurrent edit on another device. `value` is the
    field's value in the form `Entry.field_value` gives (times: (start, end, zone))."""

    field: str
    stamp: str
    value: Any

    @property
    def device(self) -> str:
        return stamp_device(self.stamp)

    @property
    def when(self) -> datetime:
        return Stamp.parse(self.stamp).wall


class FieldStamps(NamedTuple):
    """One version's stamps. `base` holds the field values as they were read, so that a
    save knows which fields the caller changed and leaves the others to newer edits.
    (A named tuple, not a frozen dataclass: one is built for every entry read.)"""

    fields: Mapping[str, str]
    seen: Mapping[str, str]
    conflicts: tuple[Conflict, ...] = ()
    base: tuple[Any, ...] | None = None
    # Read from an entry saved before stamps: derived from `updated`, not written back.
    implicit: bool = False
    # The entry these stamps were read or saved for: a copy made under a new id (a split)
    # is a new entry, stamped afresh, not a version of the old one.
    entry_id: str | None = None

    @property
    def latest(self) -> str:
        """The highest stamp this version holds or has seen."""
        return max((*self.fields.values(), *self.seen.values()))

    def covers(self, stamp: str) -> bool:
        """Whether this version's writer had merged the edit stamped `stamp`."""
        return self.seen.get(stamp_device(stamp), "") >= stamp or (
            self.seen.get(ALL_DEVICES, "") >= stamp
        )

    def carries(self, field: str, stamp: str) -> bool:
        """Whether this version holds the edit `stamp` of `field`, as its value or unsettled."""
        return self.fields.get(field) == stamp or any(
            c.field == field and c.stamp == stamp for c in self.conflicts
        )

    def all_stamps(self) -> list[str]:
        return [*self.fields.values(), *self.seen.values(), *(c.stamp for c in self.conflicts)]


def legacy_stamps(stamp: str) -> FieldStamps:
    """A version saved before stamps: every field set at its `updated` time, and like the
    merges of that time (newest version wins whole) it supersedes everything older."""
    return FieldStamps(dict.fromkeys(FIELDS, stamp), {ALL_DEVICES: stamp}, implicit=True)


def check_stamp(text: object, what: str) -> str:
    if isinstance(text, str) and _is_stamp_text(text):
        return text
    try:
        return Stamp.parse(text, what).text()
    except StampError as exc:
        raise StampsError(str(exc).rstrip(".")) from exc


# A version's fields mostly share one stamp (the edit that made it), and a read checks
# thousands of versions: each distinct text is checked once.
@lru_cache(maxsize=8192)
def _is_stamp_text(text: str) -> bool:
    try:
        return Stamp.parse(text).text() == text
    except StampError:
        return False


def stamps_from_json(
    doc: Mapping[str, Any], entry_id: str
) -> tuple[Mapping[str, str], Mapping[str, str]]:
    """The `stamps` and `seen` objects of a stored version, checked (neither is copied:
    they are never changed)."""
    raw_fields, raw_seen = doc.get("stamps"), doc.get("seen")
    if raw_seen is None and type(raw_fields) is str and _is_stamp_text(raw_fields):
        return _uniform(raw_fields), _own_only(raw_fields)  # a version that saw only itself
    # The common case first, cheaply: one stamp for every field, all texts seen before.
    if (
        type(raw_fields) is str
        and type(raw_seen) is dict
        and _is_stamp_text(raw_fields)
        and _all_stamp_texts(raw_seen.values())
    ):
        return _uniform(raw_fields), raw_seen
    if isinstance(raw_fields, str):
        raw_fields = dict.fromkeys(FIELDS, raw_fields)
    if not isinstance(raw_fields, Mapping) or not isinstance(raw_seen, Mapping | None):
        raise StampsError(f"entry {entry_id!r}: stamps and seen must be objects")
    fields = {
        name: check_stamp(raw_fields.get(name), f"entry {entry_id!r}: the {name} stamp")
        for name in FIELDS
    }
    if raw_seen is None:  # left out: the version saw only its own edits
        own: dict[str, str] = {}
        for stamp in fields.values():
            own[stamp_device(stamp)] = max(own.get(stamp_device(stamp), ""), stamp)
        return fields, own
    seen = {
        str(device): check_stamp(text, f"entry {entry_id!r}: the stamp seen of {device}")
        for device, text in raw_seen.items()
    }
    return fields, seen


def _all_stamp_texts(texts: Iterable[object]) -> bool:
    return all(type(text) is str and _is_stamp_text(text) for text in texts)


@lru_cache(maxsize=8192)
def _own_only(stamp: str) -> Mapping[str, str]:
    return MappingProxyType({stamp_device(stamp): stamp})


@lru_cache(maxsize=8192)
def _uniform(stamp: str) -> Mapping[str, str]:
    return MappingProxyType(dict.fromkeys(FIELDS, stamp))
