"""Entries merge field by field across devices, by clock stamps, whatever order files arrive in.

Each device writes into its own data folder; `Devices.sync` copies every device's folder to
every other, as a sync engine does.
"""

from __future__ import annotations

import random
import shutil
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sec_desktop.store import Entry, EntryStore
from sec_desktop.store.merge import merge_versions
from sec_desktop.store.notes_crypto import NoteCipher, write_marker
from sec_desktop.store.stamps import FIELDS, Conflict, FieldStamps
from sec_desktop.store.storage import SCHEMA_VERSION
from sec_desktop.store.store import SHARD_NAME, StoreError, read_shard_file
from tests.helpers.clocks import FakeClock
from tests.helpers.entries import make_entry
from tests.helpers.ids import OKR

A, B = "laptop-aaaaaa", "desktop-bbbbbb"
T0 = datetime(2026, 10, 6, 9, 0, tzinfo=UTC)
OTHER = "strategy.technology-planning.roadmapping"


class Devices:
    """Devices with their own data folders and clocks (offset from one true time)."""

    def __init__(self, root: Path, offsets: dict[str, timedelta]) -> None:
        self.root = root
        self.true_time = T0 + timedelta(days=30)
        self.clocks = {d: FakeClock(self.true_time + off) for d, off in offsets.items()}
        self.stores = {
            d: EntryStore(
                root / d,
                d,
                clock=self.clocks[d],
                clock_state_path=root / "config" / d / "clock.json",
            )
            for d in offsets
        }

    def tick(self, seconds: float = 5) -> None:
        for clock in self.clocks.values():
            clock.advance(seconds=seconds)

    def __getitem__(self, device: str) -> EntryStore:
        self.tick()
        return self.stores[device]

    def sync(self, source: str | None = None, target: str | None = None) -> None:
        for src in [source] if source else self.stores:
            for dst in [target] if target else self.stores:
                if src != dst and (self.root / src / "entries" / src).is_dir():
                    shutil.copytree(
                        self.root / src / "entries" / src,
                        self.root / dst / "entries" / src,
                        dirs_exist_ok=True,
                    )

    def reader(self, device: str) -> EntryStore:
        return EntryStore(self.root / device, "reader-cccccc")


def versions_in(folder: Path) -> list[Entry]:
    return [
        Entry.from_json(doc)
        for path in sorted((folder / "entries").glob("*/*.json"))
        if SHARD_NAME.match(path.name)
        for doc in read_shard_file(path)
    ]


def full_state(entry: Entry) -> tuple[Any, ...]:
    assert entry.stamps is not None
    return (
        entry.to_json(),
        dict(entry.stamps.fields),
        dict(entry.stamps.seen),
        entry.stamps.conflicts,
    )


@pytest.fixture
def devices(tmp_path: Path) -> Devices:
    return Devices(tmp_path, {A: timedelta(0), B: timedelta(0)})


def shared_entry(devices: Devices) -> Entry:
    entry = devices[B].add(make_entry(T0, 45, device=B, now=devices.clocks[B]()))
    devices.sync()
    return entry


def test_edits_of_different_fields_on_two_devices_both_survive(devices: Devices) -> None:
    entry = shared_entry(devices)
    devices[A].update(replace(devices[A].get(entry.id), start=T0 + timedelta(minutes=15)))
    devices[B].update(replace(devices[B].get(entry.id), activity=OTHER))
    devices.sync()
    for device in (A, B):
        (merged,) = devices.reader(device).entries()
        assert merged.start == T0 + timedelta(minutes=15)
        assert merged.activity == OTHER
        assert merged.stamps is not None and merged.stamps.conflicts == ()


def test_one_field_edited_on_both_keeps_one_value_and_shows_the_other(devices: Devices) -> None:
    entry = shared_entry(devices)
    devices[A].update(replace(devices[A].get(entry.id), note="from A"))
    devices[B].update(replace(devices[B].get(entry.id), note="from B"))
    devices.sync()
    results = []
    for device in (A, B):
        (merged,) = devices.reader(device).entries()
        assert merged.stamps is not None
        (conflict,) = merged.stamps.conflicts
        results.append((merged.note, conflict.field, conflict.value))
    # The same everywhere: B edited 5 s later by the shared true time.
    assert results == [("from B", "note", "from A")] * 2
    # A takes its value back; the conflict is gone on both devices after a sync.
    devices[A].settle_conflict(entry.id, "note", conflict.stamp, take=True)
    devices.sync()
    for device in (A, B):
        (merged,) = devices.reader(device).entries()
        assert merged.note == "from A"
        assert devices.reader(device).conflicts() == []


def test_keeping_the_current_value_settles_the_conflict(devices: Devices) -> None:
    entry = shared_entry(devices)
    devices[A].update(replace(devices[A].get(entry.id), activity=OTHER))
    devices[B].update(replace(devices[B].get(entry.id), activity="culture"))
    devices.sync()
    (conflicted,) = devices[A].conflicts()
    assert conflicted.stamps is not None
    (conflict,) = conflicted.stamps.conflicts
    devices[A].settle_conflict(entry.id, "activity", conflict.stamp, take=False)
    devices.sync()
    for device in (A, B):
        assert devices.reader(device).get(entry.id).activity == "culture"  # type: ignore[union-attr]
        assert devices.reader(device).conflicts() == []
    with pytest.raises(Exception, match="no conflict"):
        devices[A].settle_conflict(entry.id, "activity", conflict.stamp, take=False)


def test_a_device_ten_minutes_slow_wins_with_its_later_edit(tmp_path: Path) -> None:
    devices = Devices(tmp_path, {A: timedelta(0), B: timedelta(minutes=-10)})
    entry = shared_entry(devices)
    devices[A].update(replace(devices[A].get(entry.id), start=T0 + timedelta(minutes=5)))
    devices.sync()
    devices[B].update(replace(devices[B].get(entry.id), start=T0 + timedelta(minutes=10)))
    devices.sync()
    for device in (A, B):
        merged = devices.reader(device).get(entry.id)
        assert merged is not None and merged.start == T0 + timedelta(minutes=10)
        assert merged.stamps is not None and merged.stamps.conflicts == ()


def test_a_stale_read_does_not_undo_a_change_synced_in_since(devices: Devices) -> None:
    """The dashboard read the entry, then B's change of the times synced in, then the user
    changed the note: the times stay B's."""
    entry = shared_entry(devices)
    held = devices[A].get(entry.id)
    assert held is not None
    devices[B].update(replace(devices[B].get(entry.id), start=T0 + timedelta(minutes=20)))
    devices.sync()
    saved = devices[A].update(replace(held, note="typed in the dashboard"))
    assert saved.start == T0 + timedelta(minutes=20)
    assert saved.stamps is not None and saved.stamps.conflicts == ()


def test_a_stale_read_that_changes_the_same_field_keeps_the_other_value(
    devices: Devices,
) -> None:
    entry = shared_entry(devices)
    held = devices[A].get(entry.id)
    assert held is not None
    devices[B].update(replace(devices[B].get(entry.id), note="B's"))
    devices.sync()
    saved = devices[A].update(replace(held, note="A's, typed over an old read"))
    assert saved.note == "A's, typed over an old read"
    assert saved.stamps is not None
    assert [(c.field, c.value) for c in saved.stamps.conflicts] == [("note", "B's")]


def test_a_moved_entry_is_counted_only_in_its_new_period(devices: Devices) -> None:
    """B's entry of 6 October moved to 20 November on A: B's October file still holds the
    old version, yet the week of 5-11 October no longer counts it, on either device."""
    entry = shared_entry(devices)
    moved_to = datetime(2026, 11, 20, 9, tzinfo=UTC)
    devices[A].update(
        replace(devices[A].get(entry.id), start=moved_to, end=moved_to + timedelta(minutes=45))
    )
    devices.sync()
    october = (datetime(2026, 10, 5, tzinfo=UTC), datetime(2026, 10, 12, tzinfo=UTC))
    november = (datetime(2026, 11, 16, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC))
    assert entry.id in {v.id for v in versions_in(devices.root / A) if v.start.month == 10}
    for device in (A, B):
        reader = devices.reader(device)
        assert reader.entries(*october) == []
        assert [e.id for e in reader.entries(*november)] == [entry.id]


def test_a_concurrent_edit_of_a_moved_entry_is_merged_in_its_new_period(
    devices: Devices,
) -> None:
    entry = shared_entry(devices)
    moved_to = datetime(2026, 11, 20, 9, tzinfo=UTC)
    devices[A].update(
        replace(devices[A].get(entry.id), start=moved_to, end=moved_to + timedelta(minutes=45))
    )
    devices[B].update(replace(devices[B].get(entry.id), activity=OTHER))  # still in October
    devices.sync()
    for device in (A, B):
        (merged,) = devices.reader(device).entries(moved_to, moved_to + timedelta(days=1))
        assert (merged.start, merged.activity) == (moved_to, OTHER)


def test_files_of_the_previous_format_still_read_and_merge_as_they_did(tmp_path: Path) -> None:
    """Version 1 files (no stamps): the newest `updated` wins whole, as it did; a save
    writes the current format."""
    old = make_entry(T0, 30, device=A, now=T0 + timedelta(hours=1), note="old")
    new = replace(old, device=B, note="new", updated=T0 + timedelta(hours=2))
    for version in (old, new):
        folder = tmp_path / "entries" / version.device
        folder.mkdir(parents=True)
        doc = {
            "format": "sec-desktop/entries",
            "schema_version": 1,
            "tables": {"entries": {"1": version.to_json()}},
        }
        assert "stamps" not in doc["tables"]["entries"]["1"]  # type: ignore[index]
        (folder / "2026-10.json").write_bytes(orjson.dumps(doc))
    store = EntryStore(tmp_path, A, clock=FakeClock(T0 + timedelta(hours=3)))
    (merged,) = store.entries()
    assert merged.note == "new"
    assert merged.stamps is not None and merged.stamps.conflicts == ()
    store.update(replace(merged, activity=OTHER))
    raw = orjson.loads((tmp_path / "entries" / A / "2026-10.json").read_bytes())
    assert raw["schema_version"] == SCHEMA_VERSION == 2
    (saved,) = raw["tables"]["entries"].values()
    assert set(saved["stamps"]) == {"times", "activity", "note", "labels", "deleted"}
    (merged,) = EntryStore(tmp_path, "reader-cccccc").entries()
    assert (merged.note, merged.activity) == ("new", OTHER)


def test_a_note_kept_as_a_conflict_is_encrypted_like_the_note(tmp_path: Path) -> None:
    devices = Devices(tmp_path, {A: timedelta(0), B: timedelta(0)})
    cipher = NoteCipher(bytes(32), "k1")
    for device, store in devices.stores.items():
        write_marker(tmp_path / device, enabled=True, key_id="k1", device=device, now=T0)
        store.set_note_cipher(cipher)
    entry = shared_entry(devices)
    devices[A].update(replace(devices[A].get(entry.id), note="secret from A"))
    devices[B].update(replace(devices[B].get(entry.id), note="secret from B"))
    devices.sync()
    (merged,) = devices[A].entries()
    devices[A].update(replace(merged, activity=OTHER))  # carries the conflict into A's file
    raw = b"".join(p.read_bytes() for p in (tmp_path / A / "entries").rglob("*.json"))
    assert b"conflicts" in raw
    assert b"secret" not in raw
    (merged,) = devices[A].entries()
    assert merged.stamps is not None
    assert [c.value for c in merged.stamps.conflicts] == ["secret from A"]


def test_bad_stamps_are_named_and_the_entry_skipped(tmp_path: Path) -> None:
    store = EntryStore(tmp_path, A, clock=FakeClock(T0))
    entry = store.add(make_entry(T0, 30, device=A))
    path = tmp_path / "entries" / A / "2026-10.json"
    doc = orjson.loads(path.read_bytes())
    (stored,) = doc["tables"]["entries"].values()
    assert isinstance(stored["stamps"], str)  # one stamp stands for every field
    stored["stamps"] = dict.fromkeys(FIELDS, stored["stamps"]) | {"note": "yesterday"}
    path.write_bytes(orjson.dumps(doc))
    reader = EntryStore(tmp_path, "reader-cccccc")
    assert reader.entries() == []
    (problem,) = reader.problems
    assert entry.id in problem.reason and "note stamp" in problem.reason
    assert "'yesterday'" in problem.reason


# Properties ----------------------------------------------------------------------------------

OPS = st.lists(
    st.tuples(
        st.sampled_from(["edit", "delete", "restore", "sync", "sync-one"]),
        st.sampled_from([A, B, "tablet-cccccc"]),
        st.sampled_from(["times", "activity", "note", "labels"]),
        st.integers(0, 3),
    ),
    min_size=1,
    max_size=14,
)
OFFSETS = st.lists(st.integers(-900, 900), min_size=3, max_size=3)


def run(devices: Devices, entry: Entry, ops: list[tuple[str, str, str, int]]) -> None:
    order = list(devices.stores)
    for kind, device, name, value in ops:
        store = devices[device]
        current = store.get(entry.id, include_deleted=True)
        if kind == "sync":
            devices.sync()
        elif kind == "sync-one":
            devices.sync(device, order[value % len(order)])
        elif current is None:
            continue
        elif kind == "delete" and not current.is_deleted:
            store.delete(entry.id)
        elif kind == "restore" and current.is_deleted:
            store.restore(entry.id)
        elif kind == "edit" and not current.is_deleted:
            field_value = {
                "times": (
                    T0 + timedelta(days=20 * value),
                    T0 + timedelta(days=20 * value, hours=1),
                    "UTC",
                ),
                "activity": [OKR, OTHER, "culture", "execution"][value],
                "note": f"{device} {value}",
                "labels": (f"l{value}",),
            }[name]
            store.update(current.with_field(name, field_value))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=OPS, offsets=OFFSETS, seed=st.integers(0, 2**32 - 1))
def test_merging_in_any_order_gives_one_result_and_every_device_agrees(
    tmp_path_factory: pytest.TempPathFactory,
    ops: list[tuple[str, str, str, int]],
    offsets: list[int],
    seed: int,
) -> None:
    root = tmp_path_factory.mktemp("devices")
    devices = Devices(
        root,
        {d: timedelta(seconds=o) for d, o in zip([A, B, "tablet-cccccc"], offsets, strict=True)},
    )
    entry = shared_entry(devices)
    run(devices, entry, ops)
    devices.sync()
    all_versions = versions_in(root / A)
    expected = full_state(merge_versions(all_versions))
    rng = random.Random(seed)
    for _ in range(4):
        shuffled = list(all_versions)
        rng.shuffle(shuffled)
        assert full_state(merge_versions(shuffled)) == expected
    states = {
        d: full_state(devices.reader(d).get(entry.id, include_deleted=True))  # type: ignore[arg-type]
        for d in devices.stores
    }
    assert all(state == expected for state in states.values())


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    edits=st.lists(
        st.tuples(
            st.sampled_from([A, B, "tablet-cccccc"]),
            st.sampled_from(["times", "activity", "note", "labels"]),
            st.integers(0, 3),
        ),
        min_size=1,
        max_size=8,
    ),
    offsets=OFFSETS,
)
def test_an_edit_made_after_seeing_the_last_one_always_wins(
    tmp_path_factory: pytest.TempPathFactory,
    edits: list[tuple[str, str, int]],
    offsets: list[int],
) -> None:
    """However slow or fast each device's clock, an edit made after syncing wins, and no
    conflict is reported where there was none."""
    root = tmp_path_factory.mktemp("devices")
    devices = Devices(
        root,
        {d: timedelta(seconds=o) for d, o in zip([A, B, "tablet-cccccc"], offsets, strict=True)},
    )
    entry = shared_entry(devices)
    last: dict[str, Any] = {}
    for device, name, value in edits:
        store = devices[device]
        current = store.get(entry.id)
        assert current is not None
        field_value = {
            "times": (
                T0 + timedelta(days=20 * value),
                T0 + timedelta(days=20 * value, hours=1),
                "UTC",
            ),
            "activity": [OKR, OTHER, "culture", "execution"][value],
            "note": f"{device} {value}",
            "labels": (f"l{value}",),
        }[name]
        store.update(current.with_field(name, field_value))
        last[name] = field_value
        devices.sync()
    for device in devices.stores:
        merged = devices.reader(device).get(entry.id)
        assert merged is not None and merged.stamps is not None
        assert {name: merged.field_value(name) for name in last} == last
        assert merged.stamps.conflicts == ()


def test_an_unreadable_moves_log_is_named_and_set_aside_not_overwritten(
    devices: Devices,
) -> None:
    entry = shared_entry(devices)
    log = devices.root / A / "entries" / A / "moves.json"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("{not json")
    reader = devices.reader(A)
    assert reader.entries(T0, T0 + timedelta(days=1))
    assert any("moves.json" in str(p.path) for p in reader.problems)
    moved_to = datetime(2026, 12, 20, 9, tzinfo=UTC)
    devices[A].update(
        replace(devices[A].get(entry.id), start=moved_to, end=moved_to + timedelta(minutes=45))
    )
    assert (log.parent / "moves.json.unreadable").read_text() == "{not json"
    assert entry.id in orjson.loads(log.read_bytes())["moves"]


def test_writing_back_an_older_version_of_this_device_undoes_its_edit(devices: Devices) -> None:
    """The dashboard's undo saves the version from before its edit: that is a change to
    make, not a stale read to leave alone."""
    entry = shared_entry(devices)
    before = devices[A].get(entry.id)
    assert before is not None
    devices[A].update(replace(before, activity=OTHER, note="retagged"))
    undone = devices[A].update(before)
    assert (undone.activity, undone.note) == (before.activity, before.note)
    assert undone.stamps is not None and undone.stamps.conflicts == ()


def test_setting_a_field_to_its_lost_value_settles_the_conflict(devices: Devices) -> None:
    entry = shared_entry(devices)
    devices[A].update(replace(devices[A].get(entry.id), note="from A"))
    devices[B].update(replace(devices[B].get(entry.id), note="from B"))
    devices.sync()
    merged = devices[A].get(entry.id)
    assert merged is not None and merged.note == "from B"
    saved = devices[A].update(replace(merged, note="from A"))  # typed again, not taken back
    assert saved.stamps is not None and saved.stamps.conflicts == ()
    devices.sync()
    assert devices.reader(B).conflicts() == []


def test_a_device_without_the_notes_key_carries_a_lost_note_sealed(tmp_path: Path) -> None:
    """A and C have the notes key, B has not: B's edit keeps the lost note's ciphertext, so
    A can still read it and take it back; B is refused taking back what it cannot read."""
    c = "tablet-cccccc"
    devices = Devices(tmp_path, {A: timedelta(0), B: timedelta(0), c: timedelta(0)})
    cipher = NoteCipher(bytes(32), "k1")
    for device, store in devices.stores.items():
        write_marker(tmp_path / device, enabled=True, key_id="k1", device=device, now=T0)
        if device != B:
            store.set_note_cipher(cipher)
    entry = shared_entry(devices)
    devices[A].update(replace(devices[A].get(entry.id), note="secret from A"))
    devices[c].update(replace(devices[c].get(entry.id), note="secret from C"))
    devices.sync()
    (on_b,) = devices[B].conflicts()
    assert on_b.stamps is not None
    (sealed,) = on_b.stamps.conflicts
    with pytest.raises(StoreError, match="does not have"):
        devices[B].settle_conflict(entry.id, "note", sealed.stamp, take=True)
    devices[B].update(replace(on_b, activity=OTHER))
    devices.sync()
    raw = b"".join(p.read_bytes() for p in (tmp_path / B / "entries").rglob("*.json"))
    assert b"secret" not in raw
    (on_a,) = devices[A].conflicts()
    assert on_a.stamps is not None
    (lost,) = on_a.stamps.conflicts
    assert lost.value == "secret from A"
    taken = devices[A].settle_conflict(entry.id, "note", lost.stamp, take=True)
    assert (taken.note, taken.activity) == ("secret from A", OTHER)


STAMP_POOL = [
    f"{wall:015d}.{counter:06d}.{device}"
    for wall in (1_790_000_000_000, 1_790_000_000_500)
    for counter in (0, 1)
    for device in (A, B)
]
stamp_texts = st.sampled_from(STAMP_POOL)
FIELD_CHOICES = {
    "times": [(T0, T0 + timedelta(hours=1), "UTC"), (T0, T0 + timedelta(hours=2), "UTC")],
    "activity": [OKR, OTHER],
    "note": [None, "a", "b"],
    "labels": [(), ("x",)],
    "deleted": [None, T0 + timedelta(days=1)],
}


@st.composite
def versions(draw: st.DrawFn) -> Entry:
    """Any version of one entry, with any stamps, seen vector and carried conflicts."""
    values = {name: draw(st.sampled_from(choices)) for name, choices in FIELD_CHOICES.items()}
    fields = {name: draw(stamp_texts) for name in FIELDS}
    seen = draw(st.dictionaries(st.sampled_from([A, B, "*"]), stamp_texts, max_size=3))
    conflicts = tuple(
        Conflict(name, draw(stamp_texts), draw(st.sampled_from(FIELD_CHOICES[name])))
        for name in draw(st.lists(st.sampled_from(FIELDS), max_size=2, unique=True))
    )
    start, end, tz = values["times"]
    entry = Entry(
        id="e1",
        start=start,
        end=end,
        tz=tz,
        activity=values["activity"],
        source="manual",
        device=draw(st.sampled_from([A, B])),
        created=T0,
        updated=T0 + timedelta(minutes=draw(st.integers(0, 3))),
        labels=values["labels"],
        note=values["note"],
        deleted=values["deleted"],
    )
    return replace(
        entry, stamps=FieldStamps(fields, seen, conflicts, entry.field_values(), entry_id="e1")
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(versions(), min_size=1, max_size=6), st.randoms())
def test_any_set_of_versions_merges_to_one_result_in_any_order(
    found: list[Entry], rng: random.Random
) -> None:
    expected = full_state(merge_versions(found))
    shuffled = list(found)
    rng.shuffle(shuffled)
    assert full_state(merge_versions(shuffled)) == expected
    # Merging is idempotent: a copy of a version arriving twice changes nothing.
    assert full_state(merge_versions([*shuffled, shuffled[0]])) == expected


def test_a_copy_under_a_new_id_is_a_new_entry_not_a_version(devices: Devices) -> None:
    """A split saves part of an entry under a new id: it gets stamps of its own and none of
    the original's conflicts, while a version of the same id keeps its history."""
    entry = shared_entry(devices)
    devices[A].update(replace(devices[A].get(entry.id), note="from A"))
    devices[B].update(replace(devices[B].get(entry.id), note="from B"))
    devices.sync()
    merged = devices[A].get(entry.id)
    assert merged is not None and merged.stamps is not None and merged.stamps.conflicts
    second = devices[A].add(replace(merged, id="split-off", device=A))
    assert second.stamps is not None
    assert second.stamps.conflicts == ()
    assert set(second.stamps.fields.values()) == {second.stamps.seen[A]}
    assert [e.id for e in devices[A].conflicts()] == [entry.id]
