"""The id index behind EntryStore.get: it reads only the files that hold an entry, and it
never answers differently from a scan of every shard, whatever other devices wrote since it
was built or saved."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sec_desktop.store.entry import Entry
from sec_desktop.store.id_index import SAVE_AFTER_REINDEXED
from sec_desktop.store.merge import merge_versions
from sec_desktop.store.store import SHARD_NAME, EntryStore
from tests.helpers.clocks import ticking
from tests.helpers.entries import make_entry

DEV_A = "laptop-a1b2c3"
DEV_B = "desktop-d4e5f6"
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def make(device: str, month: int, day: int = 10) -> Entry:
    return make_entry(datetime(2026, month, day, 9, tzinfo=UTC), 60, device=device, now=NOW)


def full_scan(data: Path, entry_id: str) -> Entry | None:
    """What `get` answers without the index: all versions in every shard, merged."""
    found: list[Entry] = []
    for path in sorted((data / "entries").glob("*/*.json")):
        if not SHARD_NAME.match(path.name):
            continue
        tables = orjson.loads(path.read_bytes())["tables"]
        for doc in tables.get("entries", {}).values():
            if doc["id"] == entry_id:
                found.append(Entry.from_json(doc))
    return merge_versions(found) if found else None


@pytest.fixture
def data(isolated_dirs: dict[str, Path]) -> Path:
    return isolated_dirs["data"]


@pytest.fixture
def cache(isolated_dirs: dict[str, Path]) -> Path:
    return isolated_dirs["config"] / "cache" / "ids.json"


def year_of_entries(store: EntryStore) -> list[Entry]:
    return store.add_many([make(store.device_id, month) for month in range(1, 13)])


def read_paths(store: EntryStore, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Record every shard file the store parses from now on."""
    seen: list[Path] = []
    original = EntryStore._read_entries  # noqa: SLF001 - the one place files are parsed

    def spy(self: EntryStore, path: Path) -> list[Entry]:
        if self is store:
            seen.append(path)
        return original(self, path)

    monkeypatch.setattr(EntryStore, "_read_entries", spy)
    return seen


def test_a_saved_index_lets_a_new_store_read_only_the_entrys_file(
    data: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = EntryStore(data, DEV_A, id_index_path=cache)
    entries = year_of_entries(first)
    assert first.get(entries[0].id) == entries[0]  # builds the index over 12 files
    first.close()
    assert cache.is_file()

    second = EntryStore(data, DEV_A, id_index_path=cache)
    seen = read_paths(second, monkeypatch)
    assert second.get(entries[6].id) == entries[6]
    assert {path.name for path in seen} == {"2026-07.json"}


def test_without_a_saved_index_every_file_is_read_once(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = EntryStore(data, DEV_A)
    entries = year_of_entries(store)
    seen = read_paths(store, monkeypatch)
    assert store.get(entries[3].id) == entries[3]
    assert len({path.name for path in seen}) == 12
    seen.clear()
    assert store.get(entries[4].id) == entries[4]
    assert {path.name for path in seen} == {"2026-05.json"}


def test_a_newer_version_written_elsewhere_after_the_save_is_found(data: Path, cache: Path) -> None:
    clock = ticking()
    mine = EntryStore(data, DEV_A, clock=clock, id_index_path=cache)
    entries = year_of_entries(mine)
    assert mine.get(entries[0].id) == entries[0]
    mine.close()
    # Another device moves the entry to another month (a new file in its own folder).
    other = EntryStore(data, DEV_B, clock=clock)
    moved = other.update(
        replace(
            entries[0],
            start=entries[0].start + timedelta(days=60),
            end=entries[0].end + timedelta(days=60),
        )
    )
    other.close()

    reopened = EntryStore(data, DEV_A, clock=clock, id_index_path=cache)
    found = reopened.get(entries[0].id)
    assert found == moved
    assert found == full_scan(data, entries[0].id)
    # And an edit made here now stamps after that version, so it wins every merge.
    edited = reopened.update(replace(found, activity="s.strategy"))
    assert edited.updated > moved.updated


@pytest.mark.parametrize(
    "damage",
    [b"", b"{not json", b'{"format": 99, "files": {}}', b'{"format": 1, "data_dir": "/x"}'],
)
def test_a_damaged_or_foreign_cache_is_rebuilt(data: Path, cache: Path, damage: bytes) -> None:
    store = EntryStore(data, DEV_A, id_index_path=cache)
    entries = year_of_entries(store)
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(damage)
    fresh = EntryStore(data, DEV_A, id_index_path=cache)
    assert fresh.get(entries[5].id) == entries[5]
    fresh.close()
    saved = orjson.loads(cache.read_bytes())
    assert saved["format"] == 1
    assert len(saved["files"]) == 12


def test_a_damaged_record_in_the_cache_costs_only_that_file(
    data: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = EntryStore(data, DEV_A, id_index_path=cache)
    entries = year_of_entries(store)
    store.get(entries[0].id)
    store.close()
    doc = orjson.loads(cache.read_bytes())
    damaged = f"entries/{DEV_A}/2026-02.json"
    doc["files"][damaged] = "nonsense"
    cache.write_bytes(orjson.dumps(doc))
    fresh = EntryStore(data, DEV_A, id_index_path=cache)
    seen = read_paths(fresh, monkeypatch)
    assert fresh.get(entries[8].id) == entries[8]
    assert {path.name for path in seen} == {"2026-02.json", "2026-09.json"}


def test_an_unreadable_file_is_searched_every_time_and_others_still_answer(
    data: Path, cache: Path
) -> None:
    mine = EntryStore(data, DEV_A, id_index_path=cache)
    entries = year_of_entries(mine)
    other = EntryStore(data, DEV_B)
    theirs = other.add(make(DEV_B, 4))
    other.close()
    broken = data / "entries" / DEV_B / "2026-04.json"
    good_bytes = broken.read_bytes()
    broken.write_bytes(b"{half a file")
    assert mine.get(entries[1].id) == entries[1]
    assert mine.get(theirs.id) is None
    # Once the sync engine finishes the file, the entry is there on the next lookup.
    broken.write_bytes(good_bytes)
    assert mine.get(theirs.id) == theirs


def test_the_cache_is_saved_after_a_rebuild_without_waiting_for_close(
    data: Path, cache: Path
) -> None:
    store = EntryStore(data, DEV_A, id_index_path=cache)
    entries = store.add_many(
        [make(DEV_A, 1 + index % 12, 1 + index // 12) for index in range(SAVE_AFTER_REINDEXED * 2)]
    )
    store.get(entries[0].id)
    assert cache.is_file()  # a crash now still leaves the next start a warm index


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["add", "move", "edit", "delete", "lookup"]),
        st.sampled_from([DEV_A, DEV_B]),
        st.integers(min_value=0, max_value=7),  # which entry
        st.integers(min_value=1, max_value=6),  # which month
        st.booleans(),  # reopen the store (a restart, with the saved cache) first
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=OPERATIONS)
def test_get_always_agrees_with_a_full_scan(
    tmp_path_factory: pytest.TempPathFactory, operations: list[tuple[str, str, int, int, bool]]
) -> None:
    root = tmp_path_factory.mktemp("property")
    data, cache = root / "data", root / "cache" / "ids.json"
    clock = ticking()

    def open_store(device: str) -> EntryStore:
        # Device A keeps a saved index across restarts; B works without one.
        index = cache if device == DEV_A else None
        return EntryStore(data, device, clock=clock, id_index_path=index)

    stores = {device: open_store(device) for device in (DEV_A, DEV_B)}
    known: list[str] = []
    for action, device, which, month, reopen in operations:
        if reopen:
            stores[device].close()
            stores[device] = open_store(device)
        store = stores[device]
        target = known[which % len(known)] if known else None
        current = store.get(target, include_deleted=True) if target else None
        if action == "add" or target is None:
            known.append(store.add(make(device, month)).id)
        elif current is not None and not current.is_deleted and action == "move":
            shift = timedelta(days=31 * month)
            store.update(replace(current, start=current.start + shift, end=current.end + shift))
        elif current is not None and not current.is_deleted and action == "edit":
            store.update(replace(current, activity=f"s.edit-{month}"))
        elif current is not None and not current.is_deleted and action == "delete":
            store.delete(current.id)
        for entry_id in known:
            for reader in stores.values():
                assert reader.get(entry_id, include_deleted=True) == full_scan(data, entry_id)
    for store in stores.values():
        store.close()
