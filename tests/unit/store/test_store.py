"""EntryStore: sharded writes, the union of device folders, quarantine, and the folder paths."""

from __future__ import annotations

import errno
import os
import re
import socket
import stat
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from functools import partial
from pathlib import Path
from typing import Any

import orjson
import platformdirs
import pytest

import sec_desktop.store.storage as storage_mod
from sec_desktop import APP_DIR_NAME
from sec_desktop.store import atomic, paths
from sec_desktop.store.entry import DEVICE_PATTERN, Entry
from sec_desktop.store.paths import (
    device_id,
    resolve_config_dir,
    resolve_data_dir,
)
from sec_desktop.store.storage import ENTRIES_TABLE, FILE_FORMAT
from sec_desktop.store.store import (
    QUARANTINE_DIR,
    SHARD_NAME,
    EntryStore,
    OverlapError,
    StoreError,
    read_shard_file,
    shard_month,
)
from tests.helpers.clocks import ticking
from tests.helpers.entries import make_entry

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")

DEV_A = "laptop-a1b2c3"
DEV_B = "desktop-d4e5f6"
T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def at(month: int, day: int = 10, hour: int = 9, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


# An hour on DEV_A, stamped 1 May unless a test says otherwise.
make = partial(make_entry, minutes=60, device=DEV_A, now=datetime(2026, 5, 1, tzinfo=UTC))


@pytest.fixture
def data(isolated_dirs: dict[str, Path]) -> Path:
    return isolated_dirs["data"]


@pytest.fixture
def store(data: Path) -> EntryStore:
    return EntryStore(data, DEV_A, clock=ticking())


def own(data: Path, device: str = DEV_A) -> Path:
    return data / "entries" / device


def shard(data: Path, month: str, device: str = DEV_A) -> Path:
    return own(data, device) / f"{month}.json"


def raw_ids(folder: Path) -> dict[str, list[str]]:
    """Entry ids per shard file of one device folder, read straight from disk."""
    return {
        p.stem: sorted(d["id"] for d in read_shard_file(p))
        for p in sorted(folder.iterdir())
        if SHARD_NAME.match(p.name)
    }


def ids(entries: list[Entry]) -> list[str]:
    return [e.id for e in entries]


def count_writes(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Record every file write the storage layer makes."""
    calls: list[Path] = []
    real = storage_mod.atomic_write_bytes

    def spy(path: Path, payload: bytes) -> None:
        calls.append(path)
        real(path, payload)

    monkeypatch.setattr(storage_mod, "atomic_write_bytes", spy)
    return calls


def snapshot(folder: Path) -> dict[str, bytes]:
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


# Basic operations -----------------------------------------------------------------------------


def test_add_get_entries_update_delete(store: EntryStore, data: Path) -> None:
    assert store.entries() == []
    first = store.add(make(at(3, 10, 9)))
    second = store.add(make(at(3, 10, 11), note="later"))
    assert store.get(first.id) == first
    assert store.entries() == [first, second]

    changed = store.update(replace(first, note="changed", labels=("focus",)))
    assert changed.note == "changed" and changed.labels == ("focus",)
    assert changed.updated > first.updated
    assert changed.created == first.created
    assert store.get(first.id) == changed
    assert EntryStore(data, DEV_A).get(first.id) == changed  # on disk, not only in memory

    tomb = store.delete(second.id)
    assert tomb.is_deleted and tomb.deleted == tomb.updated
    assert store.get(second.id) is None
    assert store.get(second.id, include_deleted=True) == tomb
    assert store.entries() == [changed]
    assert ids(store.entries(include_deleted=True)) == [first.id, second.id]
    # The tombstone is stored, not the entry removed.
    assert raw_ids(own(data)) == {"2026-03": sorted([first.id, second.id])}

    with pytest.raises(StoreError, match="no entry with id"):
        store.update(replace(second, note="resurrected"))
    with pytest.raises(StoreError, match="no entry with id"):
        store.delete(second.id)
    with pytest.raises(StoreError, match="no entry with id nope"):
        store.delete("nope")


def test_add_returns_the_entry_and_empty_batches_write_nothing(
    store: EntryStore, data: Path
) -> None:
    entry = make(at(3))
    assert store.add(entry) == entry
    assert store.add_many([]) == []
    assert store.add_many(iter([])) == []
    assert list(own(data).glob("*.json")) == [shard(data, "2026-03")]


def test_shards_go_by_utc_month(store: EntryStore, data: Path) -> None:
    plus_two = timezone(timedelta(hours=2))
    # Local 1 March 00:30 is 28 February 22:30 UTC: a February shard.
    entry = store.add(make(datetime(2026, 3, 1, 0, 30, tzinfo=plus_two)))
    assert shard_month(entry.start) == "2026-02"
    assert raw_ids(own(data)) == {"2026-02": [entry.id]}


def test_entries_range_filter_is_half_open_and_finds_entries_from_earlier_months(
    store: EntryStore,
) -> None:
    march, april = at(3, 1, 0), at(4, 1, 0)
    feb_only = make(at(2, 27, 9))
    crosses_in = make(datetime(2026, 2, 28, 22, tzinfo=UTC), minutes=240)  # into 1 March
    long_one = make(at(2, 10, 0), minutes=24 * 25 * 60)  # 10 Feb .. 7 Mar
    ends_at_start = make(datetime(2026, 2, 28, 23, tzinfo=UTC))  # ends 00:00 1 Mar
    inside = make(at(3, 15))
    starts_at_end = make(april)
    crosses_out = make(datetime(2026, 3, 31, 23, tzinfo=UTC), minutes=120)
    may = make(at(5, 2))
    store.add_many(
        [feb_only, crosses_in, long_one, ends_at_start, inside, starts_at_end, crosses_out, may]
    )

    assert ids(store.entries(march, april)) == [
        long_one.id,
        crosses_in.id,
        inside.id,
        crosses_out.id,
    ]
    assert ids(store.overlapping(march, april)) == ids(store.entries(march, april))
    assert ids(store.entries(start=april)) == [crosses_out.id, starts_at_end.id, may.id]
    assert ids(store.entries(end=march)) == [
        long_one.id,
        feb_only.id,
        crosses_in.id,
        ends_at_start.id,
    ]
    assert len(store.entries()) == 8
    assert store.entries(at(7, 1), at(8, 1)) == []


def test_range_reads_skip_shards_outside_the_range(store: EntryStore, data: Path) -> None:
    inside = store.add(make(at(3, 15)))
    store.add(make(at(1, 15, year=2025)))
    far = shard(data, "2025-01")
    far.write_bytes(b"garbage that would be quarantined if it were read")
    assert ids(store.entries(at(3, 1, 0), at(4, 1, 0))) == [inside.id]
    assert store.problems == []
    assert far.exists()
    assert not (data / QUARANTINE_DIR).exists()


def test_update_that_moves_an_entry_to_another_month_leaves_one_copy(
    store: EntryStore, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = store.add(make(at(3, 10)))
    neighbour = store.add(make(at(3, 11)))
    writes = count_writes(monkeypatch)
    moved = store.update(replace(entry, start=at(5, 2), end=at(5, 2, 12)))
    assert writes == [shard(data, "2026-05"), shard(data, "2026-03")]  # new first, then old
    assert raw_ids(own(data)) == {"2026-03": [neighbour.id], "2026-05": [entry.id]}
    assert ids(EntryStore(data, DEV_A).entries()) == [neighbour.id, entry.id]
    assert EntryStore(data, DEV_A).get(entry.id) == moved

    # Back again, into the month that still has a neighbour.
    store.update(replace(moved, start=at(3, 12), end=at(3, 12, 10)))
    assert raw_ids(own(data)) == {
        "2026-03": sorted([neighbour.id, entry.id]),
        "2026-05": [],
    }


def test_update_within_a_month_rewrites_in_place(
    store: EntryStore, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = store.add(make(at(3, 10)))
    writes = count_writes(monkeypatch)
    store.update(replace(entry, start=at(3, 20), end=at(3, 20, 10)))
    assert writes == [shard(data, "2026-03")]
    assert raw_ids(own(data)) == {"2026-03": [entry.id]}


def test_add_many_writes_one_file_per_month_touched(
    store: EntryStore, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes = count_writes(monkeypatch)
    batch = [make(at(m, d)) for m, d in [(1, 3), (3, 1), (1, 20), (3, 9), (7, 4), (1, 5)]]
    assert store.add_many(batch) == batch
    assert sorted(writes) == [shard(data, m) for m in ("2026-01", "2026-03", "2026-07")]
    assert {k: len(v) for k, v in raw_ids(own(data)).items()} == {
        "2026-01": 3,
        "2026-03": 2,
        "2026-07": 1,
    }
    writes.clear()
    store.add_many([make(at(1, 25)), make(at(1, 26))])
    assert writes == [shard(data, "2026-01")]
    assert len(EntryStore(data, DEV_A).entries()) == 8


def test_adding_an_existing_id_is_refused_and_writes_nothing(
    store: EntryStore, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    existing = store.add(make(at(3, 10)))
    before = snapshot(data)
    writes = count_writes(monkeypatch)
    with pytest.raises(StoreError, match=f"an entry with id {existing.id} already exists"):
        store.add(replace(existing, note="again"))
    # A batch whose other entries go to other months is refused as a whole.
    with pytest.raises(StoreError, match="already exists"):
        store.add_many([make(at(1, 2)), make(at(4, 2)), existing])
    with pytest.raises(StoreError, match="appears twice"):
        fresh = make(at(6, 1))
        store.add_many([fresh, replace(fresh, note="twin")])
    assert writes == []
    assert snapshot(data) == before
    assert store.entries() == [existing]


def test_an_entry_of_another_device_is_refused(store: EntryStore, data: Path) -> None:
    foreign = make(at(3, 10), device=DEV_B)
    with pytest.raises(StoreError, match=f"belongs to device '{DEV_B}'"):
        store.add(foreign)
    with pytest.raises(StoreError, match="this store writes as"):
        store.add_many([make(at(3, 11)), foreign])
    assert not data.exists()


def test_a_failed_write_changes_nothing_and_the_next_one_works(
    store: EntryStore, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = store.add(make(at(3, 10)))
    before = snapshot(data)

    def enospc(*_args: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "replace", enospc)
    with pytest.raises(OSError, match="No space left"):
        store.add(make(at(3, 12)))
    monkeypatch.undo()
    assert snapshot(data) == before
    assert store.entries() == [kept]  # not the entry whose write failed
    later = store.add(make(at(3, 14)))
    assert EntryStore(data, DEV_A).entries() == [kept, later]


def test_two_stores_of_one_device_do_not_lose_each_others_writes(data: Path) -> None:
    # The tray app and the CLI write as the same device.
    tray, cli = EntryStore(data, DEV_A), EntryStore(data, DEV_A)
    one = tray.add(make(at(3, 10)))
    two = cli.add(make(at(3, 11)))
    three = tray.add(make(at(3, 12)))
    assert ids(cli.entries()) == [one.id, two.id, three.id]
    assert ids(tray.entries()) == [one.id, two.id, three.id]


# The union of device folders ---------------------------------------------------------------


def test_entries_of_other_devices_are_read_and_the_newest_update_wins(data: Path) -> None:
    a = EntryStore(data, DEV_A, clock=ticking(datetime(2026, 6, 1, tzinfo=UTC)))
    b = EntryStore(data, DEV_B, clock=ticking(datetime(2026, 7, 1, tzinfo=UTC)))
    mine = a.add(make(at(3, 10)))
    theirs = b.add(make(at(3, 11), device=DEV_B))
    assert ids(a.entries()) == ids(b.entries()) == [mine.id, theirs.id]

    edited_by_b = b.update(replace(mine, note="edited on B"))
    assert edited_by_b.device == DEV_B
    assert raw_ids(own(data, DEV_B)) == {"2026-03": sorted([mine.id, theirs.id])}
    assert raw_ids(own(data, DEV_A)) == {"2026-03": [mine.id]}  # B never writes A's folder
    assert a.get(mine.id) == edited_by_b
    assert EntryStore(data, "reader-c").get(mine.id) == edited_by_b

    # A edits again later than B: A's copy wins everywhere.
    a.clock = ticking(datetime(2026, 8, 1, tzinfo=UTC))
    edited_by_a = a.update(replace(edited_by_b, note="edited on A"))
    assert b.get(mine.id) == edited_by_a
    assert edited_by_a.device == DEV_A


@pytest.mark.parametrize(("older", "newer"), [("aaa-dev", "zzz-dev"), ("zzz-dev", "aaa-dev")])
def test_newest_update_wins_whatever_the_folder_order(data: Path, older: str, newer: str) -> None:
    base = make(at(3, 10), device=older, now=at(4, 1))
    EntryStore(data, older).add(base)
    EntryStore(data, newer).add(replace(base, device=newer, note="newer", updated=at(4, 2)))
    for reader in (older, newer, "mmm-dev"):
        got = EntryStore(data, reader).get(base.id)
        assert got is not None and got.note == "newer" and got.device == newer


@pytest.mark.parametrize(("live", "tomb"), [("aaa-dev", "zzz-dev"), ("zzz-dev", "aaa-dev")])
def test_a_tombstone_of_another_device_hides_the_entry_whatever_the_folder_order(
    data: Path, live: str, tomb: str
) -> None:
    owner = EntryStore(data, live, clock=ticking(at(4, 1)))
    other = EntryStore(data, tomb, clock=ticking(at(4, 2)))
    entry = owner.add(make(at(3, 10), device=live, now=at(4, 1)))
    keep = owner.add(make(at(3, 11), device=live, now=at(4, 1)))
    other.delete(entry.id)
    for reader in (owner, other, EntryStore(data, "mmm-dev")):
        assert ids(reader.entries()) == [keep.id]
        assert reader.get(entry.id) is None
    # The live copy is still in the owner's folder: hidden, not removed.
    assert entry.id in raw_ids(own(data, live))["2026-03"]
    # The owner can't edit or delete it again.
    with pytest.raises(StoreError):
        owner.update(replace(entry, note="back?"))


@pytest.mark.parametrize(("stale", "tomb"), [("aaa-dev", "zzz-dev"), ("zzz-dev", "aaa-dev")])
def test_an_older_copy_arriving_later_cannot_resurrect_a_deleted_entry(
    data: Path, stale: str, tomb: str
) -> None:
    deleter = EntryStore(data, tomb, clock=ticking(at(4, 5)))
    entry = deleter.add(make(at(3, 10), device=tomb, now=at(4, 1)))
    tombstone = deleter.delete(entry.id)
    # A sync engine now brings in another device's copy of the version the deleter saw.
    late = EntryStore(data, stale)
    late.add(replace(entry, device=stale))
    for reader in (deleter, late, EntryStore(data, "mmm-dev")):
        assert reader.entries() == []
        assert reader.get(entry.id) is None
        assert reader.get(entry.id, include_deleted=True) == tombstone
        assert reader.conflicts() == []


@pytest.mark.parametrize(("editor", "tomb"), [("aaa-dev", "zzz-dev"), ("zzz-dev", "aaa-dev")])
def test_an_edit_the_delete_did_not_see_keeps_the_entry_and_shows_the_delete(
    data: Path, editor: str, tomb: str
) -> None:
    """Delete on one device, edit on another before they synced: the edit wins, whichever
    came later by any clock, and the delete is a conflict that can be taken back."""
    deleter = EntryStore(data / "t", tomb, clock=ticking(at(4, 5)))
    entry = deleter.add(make(at(3, 10), device=tomb, now=at(4, 1)))
    (data / "e" / "entries").mkdir(parents=True)
    copy_folder(data / "t", data / "e", tomb)
    other = EntryStore(data / "e", editor, clock=ticking(at(4, 3)))  # its clock is behind
    other.update(replace(other.get(entry.id), note="edited offline"))
    deleter.delete(entry.id)
    copy_folder(data / "e", data / "t", editor)
    copy_folder(data / "t", data / "e", tomb)
    for root in (data / "t", data / "e"):
        reader = EntryStore(root, "mmm-dev")
        (kept,) = reader.entries()
        assert kept.note == "edited offline"
        ((_, conflict),) = [(e.id, c) for e in reader.conflicts() for c in e.stamps.conflicts]
        assert (conflict.field, conflict.device) == ("deleted", tomb)
    # Taking the delete back deletes it, on every device.
    deleter.settle_conflict(entry.id, "deleted", conflict.stamp, take=True)
    copy_folder(data / "t", data / "e", tomb)
    for root in (data / "t", data / "e"):
        reader = EntryStore(root, "mmm-dev")
        assert reader.entries() == [] and reader.conflicts() == []


def copy_folder(source: Path, target: Path, device: str) -> None:
    """What a sync engine does: one device's folder, copied whole."""
    import shutil

    shutil.copytree(source / "entries" / device, target / "entries" / device, dirs_exist_ok=True)


def test_a_tombstone_wins_a_tie(data: Path) -> None:
    entry = make(at(3, 10), device="aaa-dev", now=at(4, 1))
    EntryStore(data, "aaa-dev").add(entry)
    EntryStore(data, "zzz-dev").add(replace(entry, device="zzz-dev"))
    EntryStore(data, "mmm-dev").add(replace(entry, device="mmm-dev", deleted=at(4, 1)))
    assert EntryStore(data, "reader").entries() == []


# Permissions -------------------------------------------------------------------------------


@posix_only
def test_files_are_0600_and_folders_0700(store: EntryStore, data: Path) -> None:
    store.add_many([make(at(3)), make(at(4))])
    for folder in (data, data / "entries", own(data)):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    files = list(own(data).iterdir())
    assert {p.name for p in files} == {".write.lock", "2026-03.json", "2026-04.json"}
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


@posix_only
def test_an_existing_open_data_folder_is_made_private(data: Path) -> None:
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    EntryStore(data, DEV_A).add(make(at(3)))
    assert stat.S_IMODE(data.stat().st_mode) == 0o700


# Unreadable files ------------------------------------------------------------------------------

CORRUPTIONS: dict[str, Callable[[bytes], bytes]] = {
    "empty": lambda raw: b"",
    "whitespace": lambda raw: b" \n",
    "truncated": lambda raw: raw[: len(raw) // 2],
    "garbage": lambda raw: bytes(range(256)),
    "wrong-shape": lambda raw: b'{"hello": "world"}',
}


@pytest.mark.parametrize("corruption", CORRUPTIONS)
def test_an_unreadable_own_file_is_quarantined_and_the_rest_stays_readable(
    data: Path, corruption: str
) -> None:
    writer = EntryStore(data, DEV_A)
    kept = writer.add_many(
        [make(at(1, 5)), make(at(3, 7)), make(at(3, 8))] + [make(at(2, d)) for d in (1, 2, 3)]
    )
    bad = shard(data, "2026-02")
    broken = CORRUPTIONS[corruption](bad.read_bytes())
    bad.write_bytes(broken)

    store = EntryStore(data, DEV_A, clock=ticking())
    assert ids(store.entries()) == [kept[0].id, kept[1].id, kept[2].id]
    moved = list((data / QUARANTINE_DIR).rglob("*"))
    moved_files = [p for p in moved if p.is_file()]
    assert len(moved_files) == 1
    assert moved_files[0].parent == data / QUARANTINE_DIR / "entries" / DEV_A
    assert moved_files[0].name.startswith("2026-02.json.")
    assert moved_files[0].read_bytes() == broken
    assert not bad.exists()

    assert len(store.problems) == 1
    problem = store.problems[0]
    assert problem.path == Path("entries", DEV_A, "2026-02.json")
    message = problem.message()
    assert message.startswith(f"The data file {problem.path} could not be read because ")
    assert f"it was moved to {moved_files[0].relative_to(data)}" in message
    assert "Traceback" not in message and "\n" not in message

    # Nothing more to report on the next read; a later write starts the month afresh.
    assert len(store.entries()) == 3
    assert len(store.problems) == 1
    later = store.add(make(at(2, 20)))
    assert raw_ids(own(data))["2026-02"] == [later.id]
    assert moved_files[0].read_bytes() == broken


def test_an_unreadable_own_file_is_quarantined_before_a_write_into_it(
    store: EntryStore, data: Path
) -> None:
    EntryStore(data, DEV_A).add(make(at(3, 1)))
    shard(data, "2026-03").write_bytes(b"{")
    new = store.add(make(at(3, 2)))
    assert raw_ids(own(data)) == {"2026-03": [new.id]}
    assert [p.read_bytes() for p in (data / QUARANTINE_DIR).rglob("*.json.*")] == [b"{"]
    assert len(store.problems) == 1


def test_quarantine_never_overwrites_an_earlier_copy(data: Path) -> None:
    # With a clock that repeats itself the second move used to replace the first copy.
    frozen = datetime(2026, 6, 1, tzinfo=UTC)
    for n in (1, 2, 3):
        store = EntryStore(data, DEV_A, clock=lambda: frozen)
        store.add(make(at(3, n)))
        shard(data, "2026-03").write_bytes(f"broken {n}".encode())
        assert EntryStore(data, DEV_A, clock=lambda: frozen).entries() == []
    copies = sorted(p.read_bytes() for p in (data / QUARANTINE_DIR).rglob("*") if p.is_file())
    assert copies == [b"broken 1", b"broken 2", b"broken 3"]


@pytest.mark.parametrize("corruption", CORRUPTIONS)
def test_an_unreadable_foreign_file_is_left_in_place_and_reported(
    data: Path, corruption: str
) -> None:
    theirs = EntryStore(data, DEV_B).add_many(
        [make(at(1, 5), device=DEV_B), make(at(2, 5), device=DEV_B)]
    )
    mine = EntryStore(data, DEV_A).add(make(at(2, 6)))
    bad = shard(data, "2026-02", DEV_B)
    broken = CORRUPTIONS[corruption](bad.read_bytes())
    bad.write_bytes(broken)

    store = EntryStore(data, DEV_A)
    assert ids(store.entries()) == [theirs[0].id, mine.id]
    assert bad.read_bytes() == broken
    assert not (data / QUARANTINE_DIR).exists()
    assert len(store.problems) == 1
    problem = store.problems[0]
    assert problem.path == Path("entries", DEV_B, "2026-02.json")
    assert "belongs to another device, so it was left in place" in problem.message()
    # Writing my own entries into that month is unaffected.
    store.add(make(at(2, 7)))
    assert bad.read_bytes() == broken


@pytest.mark.parametrize("whose", [DEV_A, DEV_B])
def test_a_device_folder_that_cannot_be_listed_is_skipped_and_reported(
    data: Path, monkeypatch: pytest.MonkeyPatch, whose: str
) -> None:
    # chmod 000 on a folder, simulated: the tests run as root, whom it doesn't stop.
    mine = EntryStore(data, DEV_A).add(make(at(3, 1)))
    theirs = EntryStore(data, DEV_B).add(make(at(3, 2), device=DEV_B))
    real = Path.iterdir

    def iterdir(self: Path) -> Any:
        if self == own(data, whose):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return real(self)

    monkeypatch.setattr(Path, "iterdir", iterdir)
    store = EntryStore(data, DEV_A)
    assert ids(store.entries()) == [theirs.id if whose == DEV_A else mine.id]
    (problem,) = store.problems
    assert problem.path == Path("entries", whose)
    assert "Permission denied" in problem.message() and "skipped" in problem.message()


def test_files_of_a_newer_format_are_skipped_and_never_overwritten(data: Path) -> None:
    EntryStore(data, DEV_B).add(make(at(3, 1), device=DEV_B))
    mine = EntryStore(data, DEV_A).add(make(at(4, 1)))
    newer = orjson.dumps({"format": FILE_FORMAT, "schema_version": 99, "tables": "new layout"})
    for device in (DEV_A, DEV_B):
        shard(data, "2026-03", device).write_bytes(newer)

    store = EntryStore(data, DEV_A)
    assert store.entries() == [mine]
    assert len(store.problems) == 2
    assert all("format 99" in p.message() for p in store.problems)
    with pytest.raises(StoreError, match="newer SEC Desktop"):
        store.add(make(at(3, 2)))
    for device in (DEV_A, DEV_B):
        assert shard(data, "2026-03", device).read_bytes() == newer
    assert not (data / QUARANTINE_DIR).exists()


def test_an_invalid_entry_is_skipped_and_its_neighbours_kept(data: Path) -> None:
    theirs = EntryStore(data, DEV_B).add_many(
        [make(at(3, 1), device=DEV_B), make(at(3, 2), device=DEV_B)]
    )
    path = shard(data, "2026-03", DEV_B)
    doc = orjson.loads(path.read_bytes())
    for stored in doc["tables"][ENTRIES_TABLE].values():
        if stored["id"] == theirs[0].id:
            stored["tz"] = "America"  # a folder of the zone database, not a zone
    path.write_bytes(orjson.dumps(doc))
    before = path.read_bytes()

    store = EntryStore(data, DEV_A)
    assert ids(store.entries()) == [theirs[1].id]
    assert len(store.problems) == 1
    assert "time zone 'America'" in store.problems[0].message()
    assert path.read_bytes() == before


# Temp files and foreign names -------------------------------------------------------------


def test_stale_temp_files_are_ignored_by_readers_and_removed_by_the_next_write(
    data: Path,
) -> None:
    first = EntryStore(data, DEV_A).add(make(at(3, 1)))
    EntryStore(data, DEV_B).add(make(at(3, 1), device=DEV_B))
    valid_copy = shard(data, "2026-03").read_bytes()
    stale_own = [
        own(data) / ".2026-03.json.k1l2m3.tmp",  # a killed writer's half-written file
        own(data) / ".2026-04.json.abcdef.tmp",
    ]
    stale_own[0].write_bytes(valid_copy[: len(valid_copy) // 2])
    stale_own[1].write_bytes(valid_copy)
    stale_foreign = own(data, DEV_B) / ".2026-03.json.zzzzzz.tmp"
    stale_foreign.write_bytes(b"")

    reader = EntryStore(data, DEV_A)
    assert len(reader.entries()) == 2
    assert reader.problems == []
    assert all(p.exists() for p in [*stale_own, stale_foreign])  # reading removes nothing

    writer = EntryStore(data, DEV_A)
    second = writer.add(make(at(5, 1)))
    assert not any(p.exists() for p in stale_own)
    assert stale_foreign.exists()  # another device's folder is not ours to clean
    assert sorted(p.name for p in own(data).iterdir()) == [
        ".write.lock",
        "2026-03.json",
        "2026-05.json",
    ]
    after = EntryStore(data, DEV_A)
    assert first in after.entries() and second in after.entries()
    assert len(after.entries()) == 3 and after.problems == []
    assert not (data / QUARANTINE_DIR).exists()


CONFLICT_NAMES = [
    "2026-11 (conflicted copy).json",
    "2026-11 (Bob's conflicted copy 2026-11-03).json",
    "2026-11.sync-conflict-20261103-101112-ABCDEFG.json",
    "2026-11-1.json",
    "2026-11.json.bak",
    "2026-11.json~",
    "Copy of 2026-11.json",
    "2026-11.JSON",
]


@pytest.mark.parametrize("device", [DEV_A, DEV_B])
def test_sync_conflict_copies_join_the_union_and_look_alikes_are_ignored(
    data: Path, device: str
) -> None:
    # Dropbox's and Syncthing's conflict copies are read like shards (their entries must not
    # be lost; store/sync_conflicts.py); other look-alike names are never read.
    real = EntryStore(data, device).add(make(at(11, 1), device=device))
    source = shard(data, "2026-11", device).read_bytes()
    conflicted = make(at(11, 2), device=device, note="in the conflict copies")
    ghost = make(at(11, 4), device=device, note="ghost")
    for names, kept in ((CONFLICT_NAMES[:3], conflicted), (CONFLICT_NAMES[3:], ghost)):
        doc = orjson.loads(source)
        doc["tables"][ENTRIES_TABLE] = {"1": kept.to_json()}
        for name in names:
            (own(data, device) / name).write_bytes(orjson.dumps(doc))
    (own(data, device) / "2026-12 (conflicted copy).json").write_bytes(b"garbage")
    before = snapshot(data)

    store = EntryStore(data, DEV_A)
    assert store.entries() == [real, conflicted]
    assert store.get(ghost.id) is None
    (problem,) = store.problems
    assert problem.path.name == "2026-12 (conflicted copy).json"
    assert "conflict copy, so it was left in place" in problem.action
    store.add(make(at(11, 3)))
    after = snapshot(data)
    # Only the real shard was rewritten; every conflict copy is untouched.
    changed = sorted(k for k in before if before[k] != after.get(k))
    assert changed == ([str(Path("entries", DEV_A, "2026-11.json"))] if device == DEV_A else [])
    assert not (data / QUARANTINE_DIR).exists()


def test_non_folders_and_odd_names_in_the_entries_folder_are_ignored(data: Path) -> None:
    mine = EntryStore(data, DEV_A).add(make(at(3)))
    (data / "entries" / "2026-03.json").write_bytes(b"garbage")
    (data / "entries" / ".DS_Store").write_bytes(b"\x00")
    store = EntryStore(data, DEV_A)
    assert store.entries() == [mine]
    assert store.problems == []


def test_a_missing_data_folder_reads_as_empty_and_creates_nothing(data: Path) -> None:
    store = EntryStore(data, DEV_A)
    assert store.entries() == []
    assert store.get("anything") is None
    assert not data.exists()


# Paths and device id ---------------------------------------------------------------------


def test_device_id_is_stable_private_and_a_slug(isolated_dirs: dict[str, Path]) -> None:
    config = isolated_dirs["config"]
    first = device_id(config)
    assert device_id(config) == first
    assert device_id(Path(str(config))) == first
    assert DEVICE_PATTERN.fullmatch(first)
    assert re.fullmatch(r"[a-z0-9][a-z0-9-]*-[0-9a-f]{6}", first)
    stored = config / paths.DEVICE_FILE
    assert orjson.loads(stored.read_bytes()) == {"device_id": first}
    if os.name == "posix":
        assert stat.S_IMODE(stored.stat().st_mode) == 0o600
        assert stat.S_IMODE(config.stat().st_mode) == 0o700
    assert not isolated_dirs["data"].exists()  # kept out of the (synced) data folder


def test_device_ids_differ_between_config_folders(tmp_path: Path) -> None:
    minted = {device_id(tmp_path / f"machine-{n}") for n in range(5)}
    assert len(minted) == 5


@pytest.mark.parametrize(
    ("host", "prefix"),
    [
        ("Bob's MacBook Pro.local", "bob-s-macbook-pro-local-"),
        ("DESKTOP-7QX2K1", "desktop-7qx2k1-"),
        ("---", "device-"),
        ("Ünïcödé", "n-c-d-"),
        ("x" * 200, "x" * 40 + "-"),
    ],
)
def test_device_id_from_odd_host_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, host: str, prefix: str
) -> None:
    monkeypatch.setattr(socket, "gethostname", lambda: host)
    minted = device_id(tmp_path / "config")
    assert minted.startswith(prefix)
    assert DEVICE_PATTERN.fullmatch(minted)
    # It is accepted as an entry's device and a store's folder name.
    EntryStore(tmp_path / "data", minted).add(make(at(3), device=minted))


def test_an_unreadable_device_file_is_kept_aside_and_replaced(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / paths.DEVICE_FILE).write_bytes(b"{not json")
    minted = device_id(config)
    assert DEVICE_PATTERN.fullmatch(minted)
    assert (config / f"{paths.DEVICE_FILE}.unreadable").read_bytes() == b"{not json"
    assert device_id(config) == minted


def test_an_invalid_stored_device_id_is_not_used(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    (config / paths.DEVICE_FILE).write_bytes(b'{"device_id": "Not A Slug"}')
    minted = device_id(config)
    assert minted != "Not A Slug" and DEVICE_PATTERN.fullmatch(minted)
    assert device_id(config) == minted


def test_each_unreadable_device_file_is_kept_aside_under_its_own_name(tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.mkdir()
    problems: list[str] = []
    for damage in (b"{not json", b"", b'["a list"]'):
        (config / paths.DEVICE_FILE).write_bytes(damage)
        device_id(config, problems=problems)
    aside = sorted(config.glob(f"{paths.DEVICE_FILE}.unreadable*"))
    assert sorted(p.read_bytes() for p in aside) == sorted([b"{not json", b"", b'["a list"]'])
    assert len(problems) == 3
    for problem, copy in zip(problems, aside, strict=True):
        assert str(config / paths.DEVICE_FILE) in problem
        assert str(copy) in problem
        assert "a new device id" in problem


def test_a_damaged_device_file_keeps_the_id_of_this_machines_entries_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(socket, "gethostname", lambda: "Work Laptop")
    config, data = tmp_path / "config", tmp_path / "data"
    mine = device_id(config)
    EntryStore(data, mine).add(make(at(3), device=mine))
    # Another machine's folder and an odd folder don't count.
    (data / "entries" / "home-desktop-abcdef").mkdir()
    (data / "entries" / "work-laptop").mkdir()
    (config / paths.DEVICE_FILE).write_bytes(b"\x00\x00\x00")
    problems: list[str] = []
    assert device_id(config, data, problems) == mine
    assert device_id(config, data) == mine  # and it was written back
    (problem,) = problems
    assert f"keeps its id {mine}" in problem and str(config / paths.DEVICE_FILE) in problem


def test_a_damaged_device_file_with_two_candidate_folders_mints_a_new_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(socket, "gethostname", lambda: "Work Laptop")
    config, data = tmp_path / "config", tmp_path / "data"
    for folder in ("work-laptop-aaaaaa", "work-laptop-bbbbbb"):
        (data / "entries" / folder).mkdir(parents=True)
    config.mkdir()
    (config / paths.DEVICE_FILE).write_bytes(b"{")
    problems: list[str] = []
    minted = device_id(config, data, problems)
    assert minted not in {"work-laptop-aaaaaa", "work-laptop-bbbbbb"}
    assert "a new device id" in problems[0]


def test_a_truncated_device_file_narrows_the_candidates_to_its_prefix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(socket, "gethostname", lambda: "Work Laptop")
    config, data = tmp_path / "config", tmp_path / "data"
    for folder in ("work-laptop-aaaaaa", "work-laptop-bbbbbb"):
        (data / "entries" / folder).mkdir(parents=True)
    config.mkdir()
    (config / paths.DEVICE_FILE).write_bytes(b'{"device_id": "work-laptop-bb')
    assert device_id(config, data) == "work-laptop-bbbbbb"
    (config / paths.DEVICE_FILE).write_bytes(b'{"device_id": "work-laptop-cccccc", "x": }')
    assert device_id(config, data) == "work-laptop-cccccc"


def test_a_damaged_device_file_is_reported_by_the_command_line(
    isolated_dirs: dict[str, Path],
) -> None:
    from tests.unit.store.test_faults import run_cli

    config = isolated_dirs["config"]
    config.mkdir(parents=True, exist_ok=True)
    (config / paths.DEVICE_FILE).write_bytes(b"{broken")
    code, _, err = run_cli(
        "log", "okr", "--minutes", "5", data_dir=isolated_dirs["data"], config_dir=config
    )
    assert code == 0, err
    (warning,) = [line for line in err.splitlines() if line.startswith("Warning:")]
    assert str(config / paths.DEVICE_FILE) in warning and "unreadable" in warning


def test_resolve_data_dir_precedence(tmp_path: Path, isolated_dirs: dict[str, Path]) -> None:
    cli, env_dir = tmp_path / "from-cli", tmp_path / "from-env"
    env = {paths.DATA_DIR_ENV: str(env_dir)}
    assert resolve_data_dir(str(cli), env) == cli
    assert resolve_data_dir(cli, env) == cli
    assert resolve_data_dir(None, env) == env_dir
    assert resolve_data_dir("", env) == env_dir
    default = platformdirs.user_data_path(APP_DIR_NAME, appauthor=False)
    assert resolve_data_dir(None, {}) == default
    assert resolve_data_dir(None, {paths.DATA_DIR_ENV: ""}) == default
    if os.name == "posix" and os.uname().sysname != "Darwin":
        assert default == isolated_dirs["home"] / ".local" / "share" / APP_DIR_NAME
    # "~" means the user's home.
    assert resolve_data_dir("~/sec", {}) == isolated_dirs["home"] / "sec"
    assert resolve_data_dir(None, {paths.DATA_DIR_ENV: "~/env-sec"}) == (
        isolated_dirs["home"] / "env-sec"
    )
    # The fixture's environment is what the app would see.
    assert resolve_data_dir(None, os.environ) == isolated_dirs["data"]


def test_resolve_config_dir(tmp_path: Path, isolated_dirs: dict[str, Path]) -> None:
    assert resolve_config_dir(os.environ) == isolated_dirs["config"]
    assert resolve_config_dir({paths.CONFIG_DIR_ENV: str(tmp_path / "c")}) == tmp_path / "c"
    assert resolve_config_dir({}) == platformdirs.user_config_path(APP_DIR_NAME, appauthor=False)


# Caching and reporting -------------------------------------------------------------------------


def test_a_store_sees_what_another_process_wrote_after_it_read(data: Path) -> None:
    reader = EntryStore(data, DEV_A)
    first = EntryStore(data, DEV_B).add(make(at(3, 1), device=DEV_B))
    assert ids(reader.entries()) == [first.id]
    # Same foreign file and own file rewritten behind the reader's back.
    second = EntryStore(data, DEV_B).add(make(at(3, 2), device=DEV_B))
    third = EntryStore(data, DEV_A).add(make(at(3, 3)))
    assert ids(reader.entries()) == [first.id, second.id, third.id]


def test_shards_are_parsed_once_per_file_version(
    store: EntryStore, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.add_many([make(at(3, d)) for d in range(1, 6)])
    EntryStore(data, DEV_B).add(make(at(3, 8), device=DEV_B))
    parsed: list[str] = []
    real = Entry.from_json

    def counting(doc: Any) -> Entry:
        parsed.append(doc["id"])
        return real(doc)

    monkeypatch.setattr(Entry, "from_json", staticmethod(counting))
    assert len(store.entries()) == 6
    assert len(parsed) == 6
    store.entries()
    store.get(parsed[0])
    assert len(parsed) == 6
    store.add(make(at(3, 9)))
    assert len(store.entries()) == 7
    # Only the rewritten own shard is parsed again.
    assert len(parsed) == 6 + 6


def test_a_broken_file_is_reported_once_however_often_it_is_read(data: Path) -> None:
    EntryStore(data, DEV_B).add(make(at(3, 1), device=DEV_B))
    shard(data, "2026-03", DEV_B).write_bytes(b'{"format": "sec-desktop/entries", "sche')
    store = EntryStore(data, DEV_A)
    for _ in range(3):
        assert store.entries() == []
    assert len(store.problems) == 1


def test_a_file_that_turns_bad_is_no_longer_served_from_cache(data: Path) -> None:
    theirs = EntryStore(data, DEV_B).add(make(at(3, 1), device=DEV_B))
    store = EntryStore(data, DEV_A)
    assert ids(store.entries()) == [theirs.id]
    shard(data, "2026-03", DEV_B).write_bytes(b"")
    assert store.entries() == []
    assert "the file is empty" in store.problems[0].message()


def test_quarantine_folders_are_private(data: Path) -> None:
    EntryStore(data, DEV_A).add(make(at(3, 1)))
    shard(data, "2026-03").write_bytes(b"garbage")
    EntryStore(data, DEV_A).entries()
    if os.name == "posix":
        for folder in (data / QUARANTINE_DIR, data / QUARANTINE_DIR / "entries"):
            assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_an_edit_on_a_device_whose_clock_runs_behind_still_wins(data: Path) -> None:
    ahead = EntryStore(data, DEV_B, clock=ticking(datetime(2026, 9, 1, tzinfo=UTC)))
    behind = EntryStore(data, DEV_A, clock=ticking(datetime(2026, 6, 1, tzinfo=UTC)))
    original = ahead.add(make(at(3, 1), device=DEV_B, now=datetime(2026, 8, 1, tzinfo=UTC)))
    edited = ahead.update(replace(original, note="edited ahead"))
    mine = behind.update(replace(edited, note="edited behind, later in real time"))
    assert mine.updated > edited.updated
    for reader in (EntryStore(data, DEV_A), EntryStore(data, DEV_B)):
        current = reader.get(original.id)
        assert current is not None
        assert current.note == "edited behind, later in real time"
    gone = behind.delete(original.id)
    assert gone.updated > mine.updated
    assert EntryStore(data, DEV_B).get(original.id) is None


def test_restore_brings_a_deleted_entry_back_under_its_id(tmp_path) -> None:
    from datetime import UTC, datetime

    from sec_desktop.store import EntryStore

    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    store = EntryStore(tmp_path / "data", "laptop", clock=lambda: now)
    entry = store.add(make_entry(end=now, minutes=60, activity="strategy", tz="UTC"))
    store.delete(entry.id)
    assert store.get(entry.id) is None
    back = store.restore(entry.id)
    assert back.id == entry.id and not back.is_deleted
    assert store.get(entry.id) == back
    reopened = EntryStore(tmp_path / "data", "laptop", clock=lambda: now)
    assert reopened.get(entry.id) == back


def test_update_many_writes_each_month_once_and_refuses_unknown_ids(tmp_path) -> None:
    from dataclasses import replace
    from datetime import UTC, datetime, timedelta

    import pytest

    from sec_desktop.store import EntryStore, StoreError

    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    store = EntryStore(tmp_path / "data", "laptop", clock=lambda: now)
    made = store.add_many(
        make_entry(end=now - timedelta(days=40 * i), minutes=60, activity="strategy", tz="UTC")
        for i in range(3)
    )
    ghost = replace(made[0], id="00000000-0000-0000-0000-000000000000")
    with pytest.raises(StoreError):
        store.update_many([replace(made[1], activity="culture"), ghost])
    assert {e.activity for e in store.entries()} == {"strategy"}
    store.update_many([replace(e, activity="culture") for e in made])
    assert {e.activity for e in store.entries()} == {"culture"}


def test_add_if_free_refuses_an_overlap_and_saves_nothing(store: EntryStore, data: Path) -> None:
    first = store.add_if_free(make(at(3, 1, 9)))
    before = snapshot(data)
    with pytest.raises(OverlapError) as refused:
        store.add_if_free(make(at(3, 1, 9) + timedelta(minutes=30)))
    assert refused.value.clashes == [first]
    assert snapshot(data) == before
    # Touching end to start is no overlap.
    store.add_if_free(make(at(3, 1, 10)))
    assert len(store.entries()) == 2


def test_writing_holds_the_lock_from_the_read_to_the_save(store: EntryStore, data: Path) -> None:
    """The tray app checks what is booked and saves its answer under one lock, so a `log` of
    the same device can't book the time in between."""
    from sec_desktop.store.file_lock import FileLock, LockTimeout
    from sec_desktop.store.store import LOCK_FILE

    store.add(make(at(3, 1, 8)))  # the device's folder and lock exist from here on
    other_process = FileLock(own(data) / LOCK_FILE)
    with store.writing():
        assert store.overlapping(at(3, 1, 9), at(3, 1, 10)) == []
        with pytest.raises(LockTimeout):
            other_process.acquire(timeout=0.05)
        store.add(make(at(3, 1, 9)))  # the lock is taken again inside: no deadlock
    other_process.acquire(timeout=1)
    other_process.release()
    assert len(store.entries()) == 2
