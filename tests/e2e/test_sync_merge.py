"""Issue 17's scenarios on two devices syncing through two real Syncthing instances, as the
user sees them through the command line (`export --format json`, `report`, `doctor`): edits
on both devices merge field by field, a slow clock can't lose a later edit, an edit after a
delete says which wins, a moved entry counts only in its new period, and the same time
logged on both devices is reported.

Edits are made while the devices are apart (each Syncthing pauses the other), so they are
truly concurrent; `pair.apart()` reconnects and settles on leaving.

The edit and delete commands by id and `sec-desktop conflicts` come with the entry-merge
work; their command lines are named once, in `edit` and `delete` below.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import orjson
import pytest

from tests.e2e.syncthing_pair import SYNC_MARKS, Device, SyncthingPair, at, past_day
from tests.helpers.ids import INCIDENT, OKR, TALENT

pytestmark = SYNC_MARKS

# libfaketime's relative offset: B's clock runs 10 minutes behind A's.
SLOW_CLOCK = "-10m"


def edit(device: Device, entry_id: str, *changes: str, clock_offset: str | None = None) -> str:
    """Change fields of one entry by id (`--start T --end T --activity A --note TEXT`)."""
    return device.ok("--tz", "UTC", "edit", entry_id, *changes, clock_offset=clock_offset)


def delete(device: Device, entry_id: str) -> str:
    return device.ok("--tz", "UTC", "delete", entry_id)


def entry_on(device: Device, entry_id: str) -> dict[str, Any] | None:
    """The entry as `device` exports it now (None when it is gone or deleted)."""
    found = [e for e in device.export() if e["id"] == entry_id]
    assert len(found) <= 1, f"{device.name}: {entry_id} exported {len(found)} times"
    return found[0] if found else None


def same_entry_on_both(pair: SyncthingPair, entry_id: str) -> dict[str, Any]:
    """The entry, which both devices must export exactly alike."""
    a, b = (entry_on(device, entry_id) for device in pair.devices)
    assert a is not None, f"a lost {entry_id}"
    assert a == b, f"the devices disagree on {entry_id}:\na: {a}\nb: {b}"
    return a


def report(device: Device, first: date, last: date) -> dict[str, Any]:
    out = device.ok(
        "--tz", "UTC", "report", "--from", f"{first}", "--to", f"{last}", "--format", "json"
    )
    parsed = orjson.loads(out)
    assert isinstance(parsed, dict)
    return parsed


def test_times_edited_on_a_and_activity_on_b_are_both_kept(sync_pair: SyncthingPair) -> None:
    day = past_day(3)
    entry_id = sync_pair.a.log(OKR, at(day, "09:00"), at(day, "10:00"))
    sync_pair.settle()
    with sync_pair.apart():
        edit(sync_pair.a, entry_id, "--start", at(day, "09:30"), "--end", at(day, "10:45"))
        edit(sync_pair.b, entry_id, "--activity", TALENT)

    merged = same_entry_on_both(sync_pair, entry_id)
    assert (merged["start"], merged["end"]) == (f"{day}T09:30:00Z", f"{day}T10:45:00Z")
    assert merged["activity"] == TALENT
    for device in sync_pair.devices:
        summary = report(device, day, day)
        assert (summary["total_minutes"], summary["entry_count"]) == (75, 1), device.name
        culture = next(d for d in summary["domains"] if d["id"] == "culture")
        assert culture["minutes"] == 75, device.name
        # Different fields: nothing lost, so nothing to take back.
        assert device.doctor_line("conflicting edits").startswith("ok "), device.name


def test_a_later_edit_wins_on_a_device_whose_clock_is_ten_minutes_slow(
    sync_pair: SyncthingPair,
) -> None:
    day = past_day(3)
    entry_id = sync_pair.a.log(OKR, at(day, "13:00"), at(day, "14:00"))
    sync_pair.settle()
    edit(sync_pair.a, entry_id, "--note", "from A")
    sync_pair.settle()  # B has seen A's edit; its own comes after, by a clock 10 min behind
    edit(sync_pair.b, entry_id, "--note", "from B, later", clock_offset=SLOW_CLOCK)
    sync_pair.settle()

    merged = same_entry_on_both(sync_pair, entry_id)
    for device in sync_pair.devices:
        exported = device.ok("--tz", "UTC", "export", "--format", "json", "--include-notes")
        notes = {e["id"]: e["note"] for e in orjson.loads(exported)["entries"]}
        assert notes[entry_id] == "from B, later", device.name
        assert device.doctor_line("conflicting edits").startswith("ok "), device.name
    assert merged["activity"] == OKR

    # And the slow device's later activity change also wins over A's earlier one.
    edit(sync_pair.a, entry_id, "--activity", TALENT)
    sync_pair.settle()
    edit(sync_pair.b, entry_id, "--activity", OKR, clock_offset=SLOW_CLOCK)
    sync_pair.settle()
    assert same_entry_on_both(sync_pair, entry_id)["activity"] == OKR


def test_the_same_field_edited_on_both_keeps_one_value_and_the_other_can_be_taken_back(
    sync_pair: SyncthingPair,
) -> None:
    day = past_day(3)
    entry_id = sync_pair.a.log(OKR, at(day, "15:00"), at(day, "16:00"))
    sync_pair.settle()
    with sync_pair.apart():
        edit(sync_pair.a, entry_id, "--activity", TALENT)
        # Later in real time, but by B's slow clock: no device can tell which came first.
        edit(sync_pair.b, entry_id, "--activity", INCIDENT, clock_offset=SLOW_CLOCK)

    kept = same_entry_on_both(sync_pair, entry_id)["activity"]
    assert kept in (TALENT, INCIDENT)
    other = INCIDENT if kept == TALENT else TALENT
    for device in sync_pair.devices:
        line = device.doctor_line("conflicting edits")
        assert not line.startswith("ok ") and entry_id in line, f"{device.name}: {line}"
        assert other in line, f"{device.name}: the value set aside isn't shown: {line}"

    # Taken back on B, the other value holds on both devices and nothing is left to settle.
    sync_pair.b.ok("--tz", "UTC", "conflicts", "take", entry_id, "activity")
    sync_pair.settle()
    assert same_entry_on_both(sync_pair, entry_id)["activity"] == other
    for device in sync_pair.devices:
        assert device.doctor_line("conflicting edits").startswith("ok "), device.name


@pytest.mark.parametrize("deleter", ["a", "b"], ids=["a-deletes", "b-deletes"])
def test_an_edit_made_while_another_device_deleted_the_entry_says_which_wins(
    sync_pair: SyncthingPair, deleter: str
) -> None:
    day = past_day(4)
    entry_id = sync_pair.a.log(OKR, at(day, "08:00"), at(day, "09:00"))
    sync_pair.settle()
    deleting, editing = sync_pair.devices if deleter == "a" else sync_pair.devices[::-1]
    with sync_pair.apart():
        delete(deleting, entry_id)
        edit(editing, entry_id, "--activity", TALENT)  # later than the delete, unaware of it

    # Both devices agree on the outcome, and each says what happened and why, by the entry.
    outcome = [entry_on(device, entry_id) for device in sync_pair.devices]
    assert outcome[0] == outcome[1], f"the devices disagree: {outcome}"
    for device in sync_pair.devices:
        line = device.doctor_line("conflicting edits")
        assert not line.startswith("ok "), f"{device.name}: {line}"
        assert entry_id in line, f"{device.name}: {line}"
        assert "delete" in line and "wins" in line, f"{device.name}: {line}"
    if outcome[0] is not None:
        assert outcome[0]["activity"] == TALENT  # kept, then with the edit that won


def test_a_moved_entry_counts_only_in_its_new_period(sync_pair: SyncthingPair) -> None:
    # Over a month apart, so the entry moves to another month file.
    old_day, new_day = past_day(60), past_day(10)
    entry_id = sync_pair.b.log(OKR, at(old_day, "10:00"), at(old_day, "11:00"))
    sync_pair.settle()
    edit(sync_pair.a, entry_id, "--start", at(new_day, "10:00"), "--end", at(new_day, "11:00"))
    sync_pair.settle()

    moved = same_entry_on_both(sync_pair, entry_id)
    assert moved["start"] == f"{new_day}T10:00:00Z"
    old_week = (old_day - timedelta(days=old_day.weekday()), old_day)
    new_week = (new_day - timedelta(days=new_day.weekday()), new_day)
    for device in sync_pair.devices:
        assert report(device, *old_week)["total_minutes"] == 0, device.name
        assert report(device, *new_week)["total_minutes"] == 60, device.name
        assert [e["id"] for e in device.export()] == [entry_id], device.name


def test_the_same_time_logged_on_both_devices_is_reported(sync_pair: SyncthingPair) -> None:
    day = past_day(2)
    with sync_pair.apart():
        first = sync_pair.a.log(OKR, at(day, "10:00"), at(day, "10:30"))
        second = sync_pair.b.log(TALENT, at(day, "10:15"), at(day, "10:45"))

    for device in sync_pair.devices:
        line = device.doctor_line("overlapping entries")
        assert not line.startswith("ok "), f"{device.name}: {line}"
        assert first in line and second in line, f"{device.name}: {line}"
        assert "15 min" in line, f"{device.name}: the shared time is named: {line}"
        # Both entries are kept as logged until the user settles it (45 real minutes, 60
        # counted: the doctor's line is what tells them).
        assert report(device, day, day)["total_minutes"] == 60, device.name

    # Settled on one device, by the command the doctor names, it holds on both.
    sync_pair.a.ok("--tz", "UTC", "conflicts", "resolve", first, second, "--trim")
    sync_pair.settle()
    for device in sync_pair.devices:
        assert report(device, day, day)["total_minutes"] == 45, device.name
        assert device.doctor_line("overlapping entries").startswith("ok "), device.name
