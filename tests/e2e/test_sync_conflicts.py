"""Conflicts over two real Syncthing devices: one field edited on both while they were apart
keeps one value everywhere, the other is listed on both devices, and taking it back on one
device holds on both; a delete that did not see an edit is shown, never silent."""

from __future__ import annotations

import orjson

from tests.e2e.syncthing_pair import SYNC_MARKS, Device, SyncthingPair
from tests.e2e.test_sync_merge import OKR, at, delete, edit, log, past_day

pytestmark = SYNC_MARKS


def notes(device: Device) -> dict[str, str | None]:
    out = device.ok("--tz", "UTC", "export", "--format", "json", "--include-notes")
    return {e["id"]: e["note"] for e in orjson.loads(out)["entries"]}


def test_a_note_edited_on_both_keeps_one_and_the_other_can_be_taken_back(
    sync_pair: SyncthingPair,
) -> None:
    day = past_day(5)
    entry_id = log(sync_pair.a, OKR, at(day, "15:00"), at(day, "16:00"))
    sync_pair.settle()
    with sync_pair.apart():
        edit(sync_pair.a, entry_id, "--note", "written on A")
        edit(sync_pair.b, entry_id, "--note", "written on B", clock_offset="-10m")

    kept = {device.name: notes(device)[entry_id] for device in sync_pair.devices}
    assert len(set(kept.values())) == 1, f"the devices disagree: {kept}"
    # B's clock runs behind and neither saw the other: A's stamp is higher and wins.
    assert kept["a"] == "written on A"
    for device in sync_pair.devices:
        listing = device.ok("--tz", "UTC", "conflicts")
        assert f"entry {entry_id}" in listing and "'written on B'" in listing, listing

    sync_pair.b.ok("--tz", "UTC", "conflicts", "take", entry_id, "note")
    sync_pair.settle()
    for device in sync_pair.devices:
        assert notes(device)[entry_id] == "written on B", device.name
        assert device.ok("--tz", "UTC", "conflicts").startswith("No edit lost"), device.name


def test_a_delete_that_did_not_see_the_edit_is_kept_aside_until_taken_back(
    sync_pair: SyncthingPair,
) -> None:
    day = past_day(6)
    entry_id = log(sync_pair.a, OKR, at(day, "07:00"), at(day, "07:30"))
    sync_pair.settle()
    with sync_pair.apart():
        delete(sync_pair.a, entry_id)
        edit(sync_pair.b, entry_id, "--note", "still needed")
    for device in sync_pair.devices:
        assert notes(device).get(entry_id) == "still needed", device.name  # the edit wins
        assert "the edit wins" in device.ok("--tz", "UTC", "conflicts"), device.name
    sync_pair.a.ok("--tz", "UTC", "conflicts", "take", entry_id, "deleted")
    sync_pair.settle()
    for device in sync_pair.devices:
        assert entry_id not in notes(device), device.name
