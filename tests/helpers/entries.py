"""One factory for test entries, and a data folder written with them.

Defaults describe an ordinary entry (half an hour of OKR management typed in by hand on a
laptop in Berlin); a test names only what it is about.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sec_desktop.store import Entry, EntryStore, utc_now
from sec_desktop.store.notes_crypto import NoteKeySource
from tests.helpers.ids import OKR

# Monday 23 November 2026, 10:00 in Berlin.
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def make_entry(
    start: datetime | None = None,
    minutes: float = 30,
    activity: str = OKR,
    *,
    end: datetime | None = None,
    tz: str = "Europe/Berlin",
    source: str = "manual",
    device: str = "laptop",
    note: str | None = None,
    labels: tuple[str, ...] = (),
    now: datetime | None = None,
    deleted: bool = False,
) -> Entry:
    """From `start` to `end`; given one of them, the other is `minutes` away (with neither,
    the entry starts at START). Stamped `now`, by default at its end as if logged then;
    `deleted` makes it a tombstone of that moment."""
    if start is None and end is None:
        start = START
    if end is None:
        assert start is not None
        end = start + timedelta(minutes=minutes)
    elif start is None:
        start = end - timedelta(minutes=minutes)
    entry = Entry.new(
        start=start,
        end=end,
        tz=tz,
        activity=activity,
        source=source,
        device=device,
        labels=labels,
        note=note,
        now=now or end,
    )
    return entry.edited(entry.updated, deleted=entry.updated) if deleted else entry


def save_entries(
    data_dir: Path,
    device: str,
    entries: Iterable[Entry],
    *,
    now: datetime | None = None,
    cipher: NoteKeySource | None = None,
) -> list[Entry]:
    """Write `entries` to `data_dir` as `device`'s store does (its clock fixed at `now` when
    given), close the store and return what it saved."""
    clock = utc_now if now is None else lambda: now
    store = EntryStore(data_dir, device, clock=clock, cipher=cipher)
    try:
        return store.add_many(entries)
    finally:
        store.close()
