"""A save touching several months writes their files at once; every write is tried and the
first failure, in month order, is the one raised."""

from __future__ import annotations

import errno
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sec_desktop.store import EntryStore
from sec_desktop.store.storage import AtomicJSONStorage
from sec_desktop.store.store import read_shard_file
from tests.helpers.entries import make_entry

DEVICE = "laptop-a1b2c3"
NOW = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)


def test_every_month_is_tried_and_the_first_failure_raised(
    isolated_dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    store = EntryStore(isolated_dirs["data"], DEVICE, clock=lambda: NOW)
    failing = {"2026-02.json": errno.ENOSPC, "2026-03.json": errno.EIO}
    real_write = AtomicJSONStorage.write

    def write(self: AtomicJSONStorage, data) -> None:
        if self.path.name in failing:
            raise OSError(failing[self.path.name], "fails", str(self.path))
        real_write(self, data)

    monkeypatch.setattr(AtomicJSONStorage, "write", write)
    entries = [
        make_entry(datetime(2026, month, 2, 9, tzinfo=UTC), device=DEVICE, now=NOW)
        for month in (1, 2, 3, 4, 5, 6)
    ]
    with pytest.raises(OSError) as caught:
        store.add_many(entries)
    assert caught.value.errno == errno.ENOSPC  # February's, though March may fail first
    folder = isolated_dirs["data"] / "entries" / DEVICE
    written = sorted(p.name for p in folder.glob("2026-*.json"))
    assert written == ["2026-01.json", "2026-04.json", "2026-05.json", "2026-06.json"]
    assert [d["id"] for d in read_shard_file(folder / "2026-06.json")] == [entries[5].id]
    store.close()


def test_a_save_of_many_months_stores_each_entry_once(isolated_dirs: dict[str, Path]) -> None:
    store = EntryStore(isolated_dirs["data"], DEVICE, clock=lambda: NOW)
    entries = [
        make_entry(datetime(2025 + m // 12, m % 12 + 1, d, 9, tzinfo=UTC), device=DEVICE, now=NOW)
        for m in range(24)
        for d in (3, 17)
    ]
    store.add_many(entries)
    assert [e.id for e in store.entries()] == [e.id for e in entries]
    store.close()
