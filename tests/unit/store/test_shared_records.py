"""Shared records: per-device files that merge per key, in any order, with concurrent losers
kept visible, deletions that stick, and conflict copies folded rather than dropped."""

from __future__ import annotations

import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sec_desktop.store.hlc import HybridClock, Stamp
from sec_desktop.store.shared_records import (
    DELETE,
    Record,
    RecordsChanged,
    SharedRecords,
    SharedRecordsError,
    merge_records,
)
from tests.helpers.clocks import FakeClock, ticking

A, B, C = "laptop-aaaaaa", "desktop-bbbbbb", "tablet-cccccc"
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def device(folder: Path, device_id: str, clock: FakeClock | None = None) -> SharedRecords:
    wall = clock if clock is not None else ticking(T0)
    return SharedRecords(folder, "customization", device_id, HybridClock(device_id, wall))


def sync(source: Path, target: Path) -> None:
    """What a sync engine does: copy every device file the target doesn't have newer."""
    for path in (source / "shared").rglob("*.json"):
        dest = target / path.relative_to(source)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)


# Pure merge: any order, same result ---------------------------------------------------------

keys = st.sampled_from(["rename/x", "rename/y", "hidden/x", "order/fa"])
values = st.one_of(st.text(max_size=5), st.booleans(), st.lists(st.integers(0, 3), max_size=3))


@st.composite
def record_sets(draw: st.DrawFn) -> list[Record]:
    records = []
    for _ in range(draw(st.integers(0, 12))):
        who = draw(st.sampled_from([A, B, C]))
        stamp = Stamp(draw(st.integers(0, 5)), draw(st.integers(0, 3)), who)
        seen = tuple(
            draw(
                st.lists(
                    st.builds(Stamp, st.integers(0, 5), st.integers(0, 3), st.just(A)), max_size=1
                )
            )
        )
        deleted = draw(st.booleans())
        value = None if deleted else draw(values)
        records.append(Record(draw(keys), value, stamp, who, seen, deleted))
    return records


@given(record_sets(), st.randoms())
def test_merge_gives_the_same_result_in_any_order(records: list[Record], rnd: object) -> None:
    shuffled = list(records)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert merge_records(shuffled) == merge_records(records)


@given(record_sets())
def test_the_winner_is_the_highest_stamp_and_no_value_is_lost_silently(
    records: list[Record],
) -> None:
    merged = merge_records(records)
    for key, result in merged.items():
        candidates = [r for r in records if r.key == key]
        assert result.winner.order_key() == max(r.order_key() for r in candidates)
        for loser in candidates:
            if loser is result.winner or result.winner.has_seen(loser):
                continue
            if not loser.same_content(result.winner):
                # A concurrent loser of another device is shown: its device's newest one.
                assert any(c.device == loser.device for c in result.conflicts)


def test_a_loser_the_winner_had_seen_is_no_conflict() -> None:
    first = Record("rename/x", "Old", Stamp(1, 0, A), A)
    second = Record("rename/x", "New", Stamp(2, 0, B), B, seen=(first.stamp,))
    assert merge_records([first, second])["rename/x"].conflicts == ()
    # Having seen another device's record at the same wall time is not having seen A's.
    blind = Record("rename/x", "New", Stamp(2, 0, B), B, seen=(Stamp(1, 0, C),))
    assert merge_records([first, blind])["rename/x"].conflicts == (first,)


# Files on disk --------------------------------------------------------------------------------


def test_each_device_writes_only_its_own_file(tmp_path: Path) -> None:
    device(tmp_path, A).write({"rename/x": "Hiring"})
    device(tmp_path, B).write({"hidden/y": True})
    folder = tmp_path / "shared" / "customization"
    assert sorted(p.name for p in folder.glob("*.json")) == [f"{B}.json", f"{A}.json"]
    doc = orjson.loads((folder / f"{A}.json").read_bytes())
    assert doc["device"] == A and list(doc["records"]) == ["rename/x"]
    assert device(tmp_path, C).read().values() == {"hidden/y": True, "rename/x": "Hiring"}


def test_concurrent_edits_of_one_key_keep_both_and_every_order_agrees(tmp_path: Path) -> None:
    on_a, on_b = tmp_path / "a", tmp_path / "b"
    device(on_a, A).write({"rename/x": "From A"})
    device(on_b, B).write({"rename/x": "From B"})
    sync(on_a, on_b)
    sync(on_b, on_a)
    seen_a, seen_b = device(on_a, A).read(), device(on_b, B).read()
    assert seen_a.merged == seen_b.merged
    result = seen_a.merged["rename/x"]
    assert {result.winner.value, *(c.value for c in result.conflicts)} == {"From A", "From B"}


def test_a_slow_clock_still_wins_once_it_has_read_the_other_edit(tmp_path: Path) -> None:
    device(tmp_path, A, FakeClock(T0 + timedelta(minutes=10))).write({"rename/x": "Ahead"})
    slow = device(tmp_path, B, FakeClock(T0))
    after = slow.write({"rename/x": "Later on B"})
    assert after.get("rename/x") == "Later on B"
    assert after.merged["rename/x"].conflicts == ()


def test_a_deletion_sticks_against_an_older_value(tmp_path: Path) -> None:
    on_a = device(tmp_path, A)
    on_a.write({"added/x": {"label": "Mine"}})
    device(tmp_path, B).write({"added/x": DELETE})
    assert "added/x" not in on_a.read().values()


def test_a_save_based_on_an_old_read_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    on_a, on_b = device(tmp_path, A), device(tmp_path, B)
    opened = on_a.read()
    on_b.write({"rename/x": "Renamed on B"})
    with pytest.raises(RecordsChanged) as caught:
        on_a.write({"rename/x": "Renamed on A"}, expect={"rename/x": opened.stamp("rename/x")})
    assert caught.value.keys == ["rename/x"]
    assert caught.value.current.get("rename/x") == "Renamed on B"
    assert on_a.read().get("rename/x") == "Renamed on B"
    assert not on_a.own_file.exists()


def test_an_unchanged_value_writes_nothing(tmp_path: Path) -> None:
    on_a = device(tmp_path, A)
    on_a.write({"rename/x": "Same"})
    before = on_a.own_file.read_bytes()
    on_a.write({"rename/x": "Same", "rename/y": DELETE})
    assert on_a.own_file.read_bytes() == before


def test_a_damaged_file_of_another_device_is_named_and_the_rest_is_used(tmp_path: Path) -> None:
    device(tmp_path, A).write({"rename/x": "Kept"})
    bad = tmp_path / "shared" / "customization" / f"{B}.json"
    bad.write_text("{not json")
    result = device(tmp_path, C).read()
    assert result.values() == {"rename/x": "Kept"}
    assert list(result.problems) == [bad] and "not valid JSON" in result.problems[bad]


def test_a_damaged_own_file_refuses_to_save_and_is_left_as_it_is(tmp_path: Path) -> None:
    on_a = device(tmp_path, A)
    on_a.write({"rename/x": "One"})
    on_a.own_file.write_text('{"format": "something else"}')
    with pytest.raises(SharedRecordsError, match="can't be read"):
        on_a.write({"rename/x": "Two"})
    assert on_a.own_file.read_text() == '{"format": "something else"}'


def test_a_conflict_copy_is_read_and_folded_without_losing_a_record(tmp_path: Path) -> None:
    on_a = device(tmp_path, A)
    on_a.write({"rename/x": "Older", "hidden/y": True})
    folder = tmp_path / "shared" / "customization"
    copy = folder / f"{A}.sync-conflict-20260101-101010-ABCDEFG.json"
    shutil.copyfile(on_a.own_file, copy)
    on_a.write({"rename/x": "Newer", "hidden/y": DELETE})
    # The copy holds a key the file lost (a clone of this device id wrote it).
    doc = orjson.loads(copy.read_bytes())
    doc["records"]["order/fa"] = {"stamp": Stamp(9, 0, A).text(), "value": ["b", "a"]}
    copy.write_bytes(orjson.dumps(doc))
    assert on_a.read().values() == {"order/fa": ["b", "a"], "rename/x": "Newer"}
    folded, left = on_a.fold_conflict_copies(T0)
    assert [c.path for c in folded] == [copy] and left == {}
    assert not copy.exists()
    assert list((tmp_path / "quarantine" / "merged-conflicts").rglob("*sync-conflict*"))
    assert on_a.read().values() == {"order/fa": ["b", "a"], "rename/x": "Newer"}


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from([A, B, C]), keys, st.one_of(st.just(DELETE), values)),
        max_size=8,
    ),
    st.permutations([A, B, C]),
)
def test_devices_that_receive_each_others_files_in_any_order_agree(
    edits: list[tuple[str, str, object]], order: list[str]
) -> None:
    with tempfile.TemporaryDirectory() as raw:
        root = Path(raw)
        clocks = {d: ticking(T0) for d in (A, B, C)}
        for who, key, value in edits:
            device(root / who, who, clocks[who]).write({key: value})
        # Before any sync each device holds only its own records: its last word per key.
        own = {d: device(root / d, d).read().merged for d in (A, B, C)}
        # Each device receives the others' files in its own order: the result is the same.
        for target in (A, B, C):
            for source in order:
                if source != target:
                    sync(root / source, root / target)
        results = [device(root / d, d).read().merged for d in (A, B, C)]
        assert results[0] == results[1] == results[2]
        # Nobody saw anyone's edits, so every device's last word survives: it wins, is kept
        # as a conflict, or says the same as the winner.
        for who in (A, B, C):
            for key, mine in own[who].items():
                merged = results[0][key]
                kept = [merged.winner, *merged.conflicts]
                assert mine.winner in kept or mine.winner.same_content(merged.winner)


def test_a_key_changed_meanwhile_to_just_what_the_save_writes_is_no_clash(tmp_path: Path) -> None:
    on_a, on_b = device(tmp_path, A), device(tmp_path, B)
    opened = on_a.read()
    on_b.write({"label": "Custom"})
    after = on_a.write({"label": "Custom"}, expect={"label": opened.stamp("label")})
    assert after.get("label") == "Custom"


def test_a_killed_writes_temp_file_is_removed_but_never_another_devices(tmp_path: Path) -> None:
    on_a = device(tmp_path, A)
    on_a.write({"rename/x": "One"})
    folder = on_a.folder
    own_stale = folder / f".{A}.json.k1l2l3.tmp"
    others = [folder / f".{B}.json.x9y8z7.tmp", folder / ".syncthing.tablet.json.tmp"]
    for path in (own_stale, *others):
        path.write_text("half a file")
    on_a.write({"rename/x": "Two"})
    assert not own_stale.exists()
    assert all(p.exists() for p in others)
    assert on_a.read().values() == {"rename/x": "Two"}
