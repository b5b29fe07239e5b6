"""Daily rotating backups: verified, private, never letting a bad state push out a good one;
restores add back what was lost and never overwrite."""

from __future__ import annotations

import os
import stat
import zipfile
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import orjson
import pytest

from sec_desktop.store import Entry, EntryStore, StoreError
from sec_desktop.store import backup as backup_module
from sec_desktop.store.backup import (
    MANIFEST_NAME,
    BackupError,
    apply_restore,
    backup_dir_for,
    backup_if_due,
    list_backups,
    make_backup,
    restore_plan,
    rotate,
    verify_backup,
)
from tests.helpers.entries import make_entry
from tests.helpers.ids import CI_CD

DEVICE = "laptop-a1b2c3"
OTHER = "desktop-d4e5f6"
NOW = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)


entry = partial(make_entry, activity=CI_CD, device=DEVICE, now=NOW)


@pytest.fixture
def data_dir(isolated_dirs: dict[str, Path]) -> Path:
    return isolated_dirs["data"]


@pytest.fixture
def backup_dir(isolated_dirs: dict[str, Path], data_dir: Path) -> Path:
    return backup_dir_for(isolated_dirs["config"], data_dir)


@pytest.fixture
def store(data_dir: Path):
    opened = EntryStore(data_dir, DEVICE, clock=lambda: NOW)
    yield opened
    opened.close()


def fill(store: EntryStore, months=(1, 2, 3), per_month: int = 3) -> list[Entry]:
    entries = [
        entry(datetime(2026, m, d + 1, 9, tzinfo=UTC)) for m in months for d in range(per_month)
    ]
    store.add_many(entries)
    return entries


def test_a_backup_holds_every_data_file_but_locks_temps_and_quarantine(
    store, data_dir, backup_dir
) -> None:
    fill(store)
    (data_dir / "quarantine").mkdir(mode=0o700)
    (data_dir / "quarantine" / "junk").write_text("x")
    (data_dir / "entries" / DEVICE / ".2026-01.json.abc.tmp").write_text("partial")
    (data_dir / "settings-shared.json").write_text("{}")
    backup = make_backup(data_dir, backup_dir, NOW)
    assert backup.good
    assert backup.entries == 9
    with zipfile.ZipFile(backup.path) as archive:
        names = set(archive.namelist())
        manifest = orjson.loads(archive.read(MANIFEST_NAME))
    assert names == {
        f"entries/{DEVICE}/2026-01.json",
        f"entries/{DEVICE}/2026-02.json",
        f"entries/{DEVICE}/2026-03.json",
        "settings-shared.json",
        MANIFEST_NAME,
    }
    assert manifest["problems"] == []
    assert manifest["files"][f"entries/{DEVICE}/2026-02.json"]["entries"] == 3
    assert backup.path.name == "sec-desktop-000001-20261123T170000Z.zip"


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_backups_are_private_and_outside_the_synced_folder(store, data_dir, backup_dir) -> None:
    fill(store)
    backup = make_backup(data_dir, backup_dir, NOW)
    assert data_dir not in backup.path.parents
    assert stat.S_IMODE(backup.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(backup_dir.stat().st_mode) == 0o700


def test_each_data_folder_has_its_own_backup_folder(tmp_path) -> None:
    first = backup_dir_for(tmp_path / "config", tmp_path / "a" / "data")
    second = backup_dir_for(tmp_path / "config", tmp_path / "b" / "data")
    assert first != second
    assert first.parent == second.parent == tmp_path / "config" / "backups"


def test_an_unreadable_file_makes_the_backup_not_good(store, data_dir, backup_dir) -> None:
    fill(store)
    foreign = data_dir / "entries" / OTHER
    foreign.mkdir(mode=0o700)
    (foreign / "2026-01.json").write_bytes(b'{"format": "sec-desktop/entr')
    backup = make_backup(data_dir, backup_dir, NOW)
    assert not backup.good
    assert backup.problems[0].startswith(f"entries/{OTHER}/2026-01.json: ")
    assert backup.entries == 9  # the readable files are still in it
    assert not verify_backup(backup.path).good


def test_rotation_keeps_n_and_never_the_last_good_one(store, data_dir, backup_dir) -> None:
    fill(store)
    good = [make_backup(data_dir, backup_dir, NOW + timedelta(days=d)) for d in range(3)]
    foreign = data_dir / "entries" / OTHER
    foreign.mkdir(mode=0o700)
    (foreign / "2026-01.json").write_bytes(b"")
    bad = [make_backup(data_dir, backup_dir, NOW + timedelta(days=d)) for d in (3, 4)]
    assert not any(b.good for b in bad)
    removed = rotate(backup_dir, keep=2, data_dir=data_dir)
    left = {b.path for b in list_backups(backup_dir)}
    # The two newest (both bad) and the newest good one stay; older good ones go.
    assert left == {bad[0].path, bad[1].path, good[2].path}
    assert set(removed) == {good[0].path, good[1].path}


def test_a_damaged_backup_does_not_count_as_good(store, data_dir, backup_dir) -> None:
    fill(store)
    older = make_backup(data_dir, backup_dir, NOW)
    newer = make_backup(data_dir, backup_dir, NOW + timedelta(days=1))
    raw = bytearray(newer.path.read_bytes())
    raw[60] ^= 0xFF  # flip bits inside the first stored file
    newer.path.write_bytes(bytes(raw))
    assert not verify_backup(newer.path).good
    rotate(backup_dir, keep=1, data_dir=data_dir)
    assert {b.path for b in list_backups(backup_dir)} == {older.path, newer.path}


def test_daily_backups_once_a_day(store, data_dir, backup_dir) -> None:
    fill(store)
    assert backup_if_due(data_dir, backup_dir, NOW) is not None
    assert backup_if_due(data_dir, backup_dir, NOW + timedelta(hours=6)) is None
    next_day = backup_if_due(data_dir, backup_dir, NOW + timedelta(hours=8))  # 01:00 UTC
    assert next_day is not None
    for day in range(2, 20):
        backup_if_due(data_dir, backup_dir, NOW + timedelta(days=day), keep=5)
    assert len(list_backups(backup_dir)) == 5


def test_restore_adds_back_lost_entries_and_nothing_else(store, data_dir, backup_dir) -> None:
    entries = fill(store)
    backup = make_backup(data_dir, backup_dir, NOW)
    edited = store.update(entries[0].edited(NOW, note="edited after the backup"))
    store.delete(entries[1].id)
    later = store.add(entry(datetime(2026, 2, 20, 9, tzinfo=UTC)))
    lost = data_dir / "entries" / DEVICE / "2026-03.json"
    lost.unlink()  # e.g. removed by a sync engine
    store.close()
    store = EntryStore(data_dir, DEVICE, clock=lambda: NOW)
    plan = restore_plan(backup, store)
    assert {e.id for e in plan.entries} == {e.id for e in entries[6:]}
    assert plan.present == 6
    assert plan.per_file == {f"entries/{DEVICE}/2026-03.json": 3}
    assert apply_restore(plan, store) == 3
    now = {e.id: e for e in store.entries(include_deleted=True)}
    assert now[edited.id].note == "edited after the backup"  # not rolled back
    assert now[entries[1].id].is_deleted  # not resurrected
    assert later.id in now
    assert all(e.id in now for e in entries[6:])
    assert restore_plan(backup, store).entries == []
    store.close()


def test_restore_takes_entries_of_a_lost_foreign_file_as_this_devices(data_dir, backup_dir) -> None:
    other = EntryStore(data_dir, OTHER, clock=lambda: NOW)
    theirs = other.add(entry(datetime(2026, 1, 5, 9, tzinfo=UTC), device=OTHER))
    other.close()
    backup = make_backup(data_dir, backup_dir, NOW)
    (data_dir / "entries" / OTHER / "2026-01.json").unlink()
    mine = EntryStore(data_dir, DEVICE, clock=lambda: NOW)
    try:
        apply_restore(restore_plan(backup, mine), mine)
        (back,) = mine.entries()
    finally:
        mine.close()
    assert back.id == theirs.id
    assert back.device == DEVICE
    assert (back.start, back.end, back.updated) == (theirs.start, theirs.end, theirs.updated)


def test_backups_named_before_sequence_numbers_rank_below_numbered_ones(
    store, data_dir, backup_dir
) -> None:
    fill(store)
    numbered = make_backup(data_dir, backup_dir, NOW)
    legacy = backup_dir / "sec-desktop-20310601T120000Z.zip"
    numbered.path.rename(legacy)
    newer = make_backup(data_dir, backup_dir, NOW + timedelta(days=1))
    assert newer.sequence == 1
    assert [b.path for b in list_backups(backup_dir)] == [newer.path, legacy]
    assert orjson.loads(zipfile.ZipFile(newer.path).read(MANIFEST_NAME))["sequence"] == 1


@pytest.mark.parametrize(
    ("clock", "stamped"),
    [
        (datetime(1970, 1, 1, tzinfo=UTC), (1980, 1, 1, 0, 0, 0)),
        (datetime(2150, 7, 1, 12, tzinfo=UTC), (2107, 12, 31, 23, 59, 58)),
        (NOW, (2026, 11, 23, 17, 0, 0)),
    ],
)
def test_zip_member_times_stay_in_the_range_zip_can_store(
    store, data_dir, backup_dir, clock, stamped
) -> None:
    fill(store)
    backup = make_backup(data_dir, backup_dir, clock)
    assert backup.created == clock  # the name and manifest keep the real reading
    assert verify_backup(backup.path).good
    with zipfile.ZipFile(backup.path) as archive:
        assert {info.date_time for info in archive.infolist()} == {stamped}


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_the_store_refuses_to_write_through_a_symlinked_device_folder(data_dir, tmp_path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir(mode=0o755)
    elsewhere.chmod(0o755)
    (data_dir / "entries").mkdir(parents=True, mode=0o700)
    (data_dir / "entries" / DEVICE).symlink_to(elsewhere, target_is_directory=True)
    store = EntryStore(data_dir, DEVICE, clock=lambda: NOW)
    try:
        with pytest.raises(StoreError, match=f"entries/{DEVICE} is a symbolic link"):
            store.add(entry(datetime(2026, 1, 5, 9, tzinfo=UTC)))
    finally:
        store.close()
    assert list(elsewhere.iterdir()) == []
    assert stat.S_IMODE(elsewhere.stat().st_mode) == 0o755  # not chmodded through the link


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
def test_a_backup_missing_a_symlinked_device_folder_is_not_good(
    data_dir, backup_dir, tmp_path
) -> None:
    other = EntryStore(tmp_path / "real", OTHER, clock=lambda: NOW)
    other.add(entry(datetime(2026, 1, 5, 9, tzinfo=UTC), device=OTHER))
    other.close()
    (data_dir / "entries").mkdir(parents=True, mode=0o700)
    (data_dir / "entries" / OTHER).symlink_to(tmp_path / "real" / "entries" / OTHER)
    backup = make_backup(data_dir, backup_dir, NOW)
    assert backup.entries == 0
    assert not backup.good
    assert any(f"entries/{OTHER} is a symbolic link" in p for p in backup.problems)
    assert not list_backups(backup_dir)[0].good


def test_a_backup_holding_fewer_entries_than_the_store_sees_is_not_good(
    store, data_dir, backup_dir, monkeypatch
) -> None:
    fill(store)
    walk = backup_module._data_files  # noqa: SLF001 - the walk is what the fault replaces

    def missing_one(folder: Path) -> tuple[list[Path], list[Path]]:
        files, links = walk(folder)
        return [p for p in files if p.name != "2026-02.json"], links

    # Whatever the cause (here a walk that misses a file), a short backup must not be good.
    monkeypatch.setattr(backup_module, "_data_files", missing_one)
    backup = make_backup(data_dir, backup_dir, NOW)
    assert backup.entries == 6
    assert not backup.good
    assert any("3 entries the data folder holds are not in it" in p for p in backup.problems)


def test_a_backup_that_does_not_read_back_is_removed(
    store, data_dir, backup_dir, monkeypatch
) -> None:
    fill(store)
    write = backup_module.atomic_write_bytes

    def torn(path: Path, data: bytes) -> None:
        write(path, data[: len(data) // 2])

    monkeypatch.setattr(backup_module, "atomic_write_bytes", torn)
    with pytest.raises(BackupError, match="did not read back"):
        make_backup(data_dir, backup_dir, NOW)
    assert list_backups(backup_dir) == []
