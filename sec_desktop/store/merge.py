"""Merging the versions of one entry that devices saved, field by field.

Each field (times, activity, note, labels, deleted) takes the value with the highest clock
stamp among all versions. Stamps come from hybrid logical clocks (store/hlc.py): an edit is
stamped after every stamp of the version it edits, so a later edit wins even on a device
whose wall clock runs behind. The result depends only on the set of versions, never on the
order the files arrived in.

Two edits of one field that did not see each other (made on two devices before they synced)
are a conflict: the higher stamp wins, and the other value is kept on the merged entry
(`stamps.conflicts`), carried by every later version until the user settles it, so it can
be seen (`sec-desktop conflicts`, doctor) and taken back.

A delete and an edit that did not see each other: the edit wins and the entry stays, with
the delete kept as a conflict. A delete that saw the edit wins. Why: an edit made without
knowing of a delete is work the user wants kept; a delete is one command to repeat, and a
lost edit could not be seen at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import orjson

from sec_desktop.store.entry import (
    NOTE_ENCRYPTED_FIELD,
    Entry,
    value_to_json,
)
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
    legacy_stamps,
)

# How a conflict holds a note sealed (store/notes_crypto.py opens it where the key is).
SEALED = "sealed"


def stamps_of(entry: Entry) -> FieldStamps:
    """An entry's stamps; one built in memory, never saved, counts as saved at `updated`."""
    if entry.stamps is not None:
        return entry.stamps
    return legacy_stamps(Stamp.at(entry.updated, entry.device).text())


def _value_key(name: str, value: Any) -> bytes:
    """A total order on values, to settle the (never expected) case of one stamp, two values."""
    return orjson.dumps(value_to_json(name, value), option=orjson.OPT_SORT_KEYS)


Versions = list[tuple[Entry, FieldStamps]]


def merge_versions(versions: Sequence[Entry]) -> Entry:
    """One entry from all its saved versions (same id), field by field."""
    if len(versions) > 1:
        # Copies of one version (a conflict copy, a move a crash left half done) are one.
        unique = {orjson.dumps(v.to_json(), option=orjson.OPT_SORT_KEYS): v for v in versions}
        versions = [unique[key] for key in sorted(unique)]
    if len(versions) == 1:
        return versions[0]
    if not versions:
        raise ValueError("no versions to merge")
    stamped = [(v, stamps_of(v)) for v in versions]
    seen: dict[str, str] = {}
    for _, st in stamped:
        for device, stamp in st.seen.items():
            if stamp > seen.get(device, ""):
                seen[device] = stamp
    winners: dict[str, tuple[str, Any]] = {}
    losers: list[Conflict] = []
    for name in FIELDS:
        win, value, lost = _merge_field(name, stamped)
        winners[name] = (win, value)
        losers.extend(lost)
    losers = _edit_beats_unseen_delete(stamped, winners, losers)

    latest = _latest(stamped)
    extra = {k: v for k, v in latest.extra.items() if k != NOTE_ENCRYPTED_FIELD}
    note_stamp, note = winners[NOTE]
    if isinstance(note, dict):  # a note this device can't read: it stays sealed
        # Here only: a report that reads no sealed note loads no notes crypto.
        from sec_desktop.store.notes_crypto import UNREADABLE_NOTE

        extra[NOTE_ENCRYPTED_FIELD] = note[SEALED]
        winners[NOTE] = (note_stamp, UNREADABLE_NOTE)
    losers.sort(key=lambda c: (FIELDS.index(c.field), c.stamp))
    start, end, tz = winners[TIMES][1]
    values = (
        (start, end, tz),
        winners[ACTIVITY][1],
        winners[NOTE][1],
        winners[LABELS][1],
        winners[DELETED][1],
    )
    # One replace (one validation) for the whole merged entry: reads merge many.
    return replace(
        latest,
        start=start,
        end=end,
        tz=tz,
        activity=values[1],
        note=values[2],
        labels=values[3],
        deleted=values[4],
        created=min(v.created for v, _ in stamped),
        updated=max(v.updated for v, _ in stamped),
        extra=extra,
        stamps=FieldStamps(
            {name: winners[name][0] for name in FIELDS},
            seen,
            tuple(losers),
            values,
            entry_id=latest.id,
        ),
    )


def _latest(stamped: Versions) -> Entry:
    """The version whose writer had merged the most: its metadata (device, source, extra)
    is the merged entry's. Ties (copies of one version) are settled by content."""
    best = max(stamped, key=lambda pair: (pair[1].latest, pair[0].updated, pair[0].device))
    key = (best[1].latest, best[0].updated, best[0].device)
    tied = [p for p in stamped if (p[1].latest, p[0].updated, p[0].device) == key]
    if len(tied) == 1:
        return best[0]
    return max(tied, key=lambda p: orjson.dumps(p[0].to_json(), option=orjson.OPT_SORT_KEYS))[0]


def _merged_value(version: Entry, name: str) -> Any:
    """A field's value as merges compare it: a note this device can't read is its sealed
    form (two unreadable notes differ by it, and a lost one is carried sealed)."""
    if name == NOTE and version.note_unreadable:
        return {SEALED: version.extra[NOTE_ENCRYPTED_FIELD]}
    return version.field_value(name)


def _merge_field(name: str, stamped: Versions) -> tuple[str, Any, list[Conflict]]:
    """The winning stamp and value of one field, and the unsettled losers."""
    records: dict[str, Any] = {}
    for version, st in stamped:
        _add(records, name, st.fields[name], _merged_value(version, name))
        for conflict in st.conflicts:
            if conflict.field == name:
                _add(records, name, conflict.stamp, conflict.value)

    def superseded(stamp: str) -> bool:
        # A writer merged this edit and, keeping neither it nor its conflict, settled it.
        return any(st.covers(stamp) and not st.carries(name, stamp) for _, st in stamped)

    live = [s for s in records if not superseded(s)] or list(records)
    win = max(live)
    shown: dict[bytes, str] = {}
    for stamp in live:
        value = records[stamp]
        if stamp == win or value == records[win]:
            continue
        key = _value_key(name, value)
        if stamp > shown.get(key, ""):
            shown[key] = stamp
    lost = [Conflict(name, s, records[s]) for s in shown.values()]
    return win, records[win], lost


def _edit_beats_unseen_delete(
    stamped: Versions, winners: dict[str, tuple[str, Any]], losers: list[Conflict]
) -> list[Conflict]:
    """When the winning delete did not see the winning edit of some field, the entry stays
    and the delete becomes a conflict (see the module's docstring for why)."""
    deleted_stamp, deleted_value = winners[DELETED]
    if deleted_value is None:
        return losers
    deleters = [st for _, st in stamped if st.fields[DELETED] == deleted_stamp]
    unseen = [
        winners[name][0]
        for name in FIELDS
        if name != DELETED and not any(st.covers(winners[name][0]) for st in deleters)
    ]
    if not unseen:
        return losers
    alive = [st.fields[DELETED] for version, st in stamped if version.deleted is None]
    winners[DELETED] = (max(alive) if alive else max(unseen), None)
    kept = [c for c in losers if not (c.field == DELETED and c.value is None)]
    return [*kept, Conflict(DELETED, deleted_stamp, deleted_value)]


def _add(records: dict[str, Any], name: str, stamp: str, value: Any) -> None:
    held = records.get(stamp, value)
    if held is not value and held != value:
        value = max(held, value, key=lambda v: _value_key(name, v))
    records[stamp] = value
