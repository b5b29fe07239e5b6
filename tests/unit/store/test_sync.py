"""Two devices writing at once, their folders synced by copying files in any order; and the
conflict copies sync engines make."""

from __future__ import annotations

import random
import shutil
import tempfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sec_desktop.store import Entry, EntryStore
from sec_desktop.store.store import read_shard_file
from sec_desktop.store.sync_conflicts import engine_of, find_conflict_copies, original_name
from tests.helpers.clocks import ticking
from tests.helpers.entries import make_entry

DEVICES = ("laptop-aaaaaa", "desktop-bbbbbb")
T0 = datetime(2026, 1, 1, tzinfo=UTC)


new_entry = partial(make_entry, minutes=25, source="timer")


def own_files(folder: Path, device: str) -> list[Path]:
    return sorted((folder / "entries" / device).glob("*.json"))


def copy_file(source_root: Path, path: Path, target_root: Path) -> None:
    """What a sync engine does: the whole new file appears at once (temp file + rename)."""
    target = target_root / path.relative_to(source_root)
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".syncing-{target.name}")
    shutil.copyfile(path, temp)
    temp.replace(target)


operations = st.lists(
    st.tuples(
        st.sampled_from(["add", "update", "delete", "sync"]),
        st.integers(0, 1),  # which device
        st.integers(0, 2**31),  # choices
    ),
    min_size=1,
    max_size=40,
)


class TwoDevices:
    """Two machines, each with its own copy of the data folder, and the model of the truth."""

    def __init__(self, root: Path) -> None:
        self.roots = [root / "a", root / "b"]
        self.clock = ticking(T0)
        self.stores = [
            EntryStore(folder, device, clock=self.clock)
            for folder, device in zip(self.roots, DEVICES, strict=True)
        ]
        self.expected: dict[str, Entry] = {}  # the last version written, per id

    def live_ids(self, device: str) -> list[str]:
        return sorted(
            e.id for e in self.expected.values() if e.device == device and not e.is_deleted
        )

    def step(self, action: str, who: int, seed: int) -> None:
        rng = random.Random(seed)
        store, device = self.stores[who], DEVICES[who]
        mine = self.live_ids(device)
        saved: Entry | None = None
        if action == "add":
            start = datetime(2026, rng.randint(1, 4), rng.randint(1, 28), 9, tzinfo=UTC)
            saved = store.add(new_entry(start, device=device, now=self.clock()))
        elif action == "update" and mine:
            current = self.expected[rng.choice(mine)]
            moved = current.start + timedelta(days=rng.choice([0, 20, 40]))
            saved = store.update(
                replace(current, start=moved, end=moved + current.duration, note=f"v{seed}")
            )
        elif action == "delete" and mine:
            saved = store.delete(rng.choice(mine))
        elif action == "sync":
            # Some of one device's files reach the other folder, in a random order.
            files = own_files(self.roots[who], device)
            rng.shuffle(files)
            for path in files[: rng.randint(0, len(files))]:
                copy_file(self.roots[who], path, self.roots[1 - who])
        if saved is not None:
            self.expected[saved.id] = saved

    def sync_all(self) -> None:
        for who, device in enumerate(DEVICES):
            for path in own_files(self.roots[who], device):
                copy_file(self.roots[who], path, self.roots[1 - who])

    def close(self) -> None:
        for store in self.stores:
            store.close()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=operations)
def test_union_is_complete_whatever_the_copy_order(ops) -> None:
    with tempfile.TemporaryDirectory() as temp:
        devices = TwoDevices(Path(temp))
        try:
            for action, who, seed in ops:
                devices.step(action, who, seed)
            devices.sync_all()
        finally:
            devices.close()
        for root in devices.roots:
            reader = EntryStore(root, "reader-cccccc")
            try:
                seen = reader.entries(include_deleted=True)
                assert reader.problems == []
            finally:
                reader.close()
            assert len(seen) == len({e.id for e in seen})  # no duplicates
            assert {e.id: e for e in seen} == devices.expected  # nothing lost, newest wins


def test_a_half_synced_foreign_file_is_skipped_then_read_once_complete(tmp_path) -> None:
    a_root, b_root = tmp_path / "a", tmp_path / "b"
    clock = ticking(T0)
    a = EntryStore(a_root, DEVICES[0], clock=clock)
    b = EntryStore(b_root, DEVICES[1], clock=clock)
    ours = b.add(new_entry(datetime(2026, 1, 5, 9, tzinfo=UTC), device=DEVICES[1], now=clock()))
    theirs = a.add(new_entry(datetime(2026, 1, 6, 9, tzinfo=UTC), device=DEVICES[0], now=clock()))
    (path,) = own_files(a_root, DEVICES[0])
    torn = b_root / path.relative_to(a_root)
    torn.parent.mkdir(parents=True)
    torn.write_bytes(path.read_bytes()[:40])
    assert [e.id for e in b.entries()] == [ours.id]
    assert "it belongs to another device" in b.problems[0].action
    assert torn.exists()  # left in place: moving it would delete it on its owner
    copy_file(a_root, path, b_root)
    assert [e.id for e in b.entries()] == [ours.id, theirs.id]
    a.close()
    b.close()


@pytest.mark.parametrize(
    ("name", "engine", "original"),
    [
        ("2026-03 (Ana's conflicted copy 2026-03-05).json", "Dropbox", "2026-03.json"),
        ("2026-03 (conflicted copy 2026-03-05 101530).json", "Dropbox", "2026-03.json"),
        ("2026-03 (Ana's Conflicted Copy 2026-03-05).json", "Dropbox", "2026-03.json"),
        ("2026-03.sync-conflict-20260305-101530-ABCDEFG.json", "Syncthing", "2026-03.json"),
        ("2026-03-DESKTOP-7Q2H9KX.json", "OneDrive", "2026-03.json"),
        ("2026-03-anas-macbook-2.json", "OneDrive", "2026-03.json"),
        ("2026-03 2.json", "iCloud Drive or Google Drive", "2026-03.json"),
        ("2026-03 (1).json", "iCloud Drive or Google Drive", "2026-03.json"),
        ("2026-03.json", None, None),
        ("2026-03 (copy).json", None, None),
        # The short shapes count on month files only.
        ("settings-LAPTOP.json", None, None),
        ("notes 2.json", None, None),
        ("2026-03-LAPTOP.json.tmp", None, None),
        ("2026-03-1.json", None, None),
        ("2026-03 .json", None, None),
    ],
)
def test_conflict_copy_names(name: str, engine: str | None, original: str | None) -> None:
    assert engine_of(name) == engine
    assert original_name(name) == original


@pytest.mark.parametrize(
    "copy_name",
    [
        "2026-03 (Ana's conflicted copy 2026-03-05).json",
        "2026-03.sync-conflict-20260305-101530-ABCDEFG.json",
        "2026-03-DESKTOP-7Q2H9KX.json",
        "2026-03 2.json",
    ],
)
def test_a_conflict_copy_is_merged_into_the_union(tmp_path, copy_name: str) -> None:
    # One device id cloned onto two machines: both wrote March, the sync engine kept both.
    clock = ticking(T0)
    device = DEVICES[0]
    store = EntryStore(tmp_path, device, clock=clock)
    shared = store.add(new_entry(datetime(2026, 3, 2, 9, tzinfo=UTC), device=device, now=clock()))
    shard = own_files(tmp_path, device)[0]
    snapshot = shard.read_bytes()
    kept_here = store.add(
        new_entry(datetime(2026, 3, 3, 9, tzinfo=UTC), device=device, now=clock())
    )
    deleted_here = store.delete(shared.id)
    current = shard.read_bytes()
    # The clone's version of March: the shared entry edited, plus an entry of its own.
    shard.write_bytes(snapshot)
    clone = EntryStore(tmp_path, device, clock=clock)
    clone_edit = clone.update(replace(shared, note="edited on the clone"))
    clone_only = clone.add(
        new_entry(datetime(2026, 3, 4, 9, tzinfo=UTC), device=device, now=clock())
    )
    clone.close()
    (shard.parent / copy_name).write_bytes(shard.read_bytes())
    shard.write_bytes(current)
    store.close()
    reader = EntryStore(tmp_path, device, clock=clock)
    try:
        seen = {e.id: e for e in reader.entries(include_deleted=True)}
        assert reader.problems == []
    finally:
        reader.close()
    assert set(seen) == {shared.id, kept_here.id, clone_only.id}
    # Newest `updated` wins: the clone edited after this machine deleted.
    assert clone_edit.updated > deleted_here.updated
    assert seen[shared.id] == clone_edit
    (found,) = find_conflict_copies(tmp_path / "entries")
    assert found.original == shard
    assert read_shard_file(found.path)  # left in place, readable


def test_an_unreadable_conflict_copy_is_reported_and_left(tmp_path) -> None:
    clock = ticking(T0)
    store = EntryStore(tmp_path, DEVICES[0], clock=clock)
    kept = store.add(new_entry(datetime(2026, 3, 2, 9, tzinfo=UTC), device=DEVICES[0], now=clock()))
    bad = tmp_path / "entries" / DEVICES[0] / "2026-03.sync-conflict-20260305-101530-XYZ1234.json"
    bad.write_bytes(b"{not json")
    assert [e.id for e in store.entries()] == [kept.id]
    (problem,) = store.problems
    assert "conflict copy" in problem.action
    assert bad.exists()
    assert not (tmp_path / "quarantine").exists()
    store.close()
