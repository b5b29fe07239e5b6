"""A delete that did not see an edit, over two real Syncthing devices: the entry is kept with
the edit on both, the delete is shown on both, and taking it back deletes it everywhere.
(test_sync_merge.py covers the other scenarios; this one follows a conflict to its end.)"""

from __future__ import annotations

import orjson

from tests.e2e.syncthing_pair import SYNC_MARKS, Device, SyncthingPair, at, past_day
from tests.e2e.test_sync_merge import delete, edit
from tests.helpers.ids import OKR

pytestmark = SYNC_MARKS


def notes(device: Device) -> dict[str, str | None]:
    out = device.ok("--tz", "UTC", "export", "--format", "json", "--include-notes")
    return {e["id"]: e["note"] for e in orjson.loads(out)["entries"]}


def test_a_delete_that_did_not_see_the_edit_is_kept_aside_until_taken_back(
    sync_pair: SyncthingPair,
) -> None:
    day = past_day(6)
    entry_id = sync_pair.a.log(OKR, at(day, "07:00"), at(day, "07:30"))
    sync_pair.settle()
    with sync_pair.apart():
        delete(sync_pair.a, entry_id)
        edit(sync_pair.b, entry_id, "--note", "still needed")
    for device in sync_pair.devices:
        assert notes(device).get(entry_id) == "still needed", device.name  # the edit wins
        listing = device.ok("--tz", "UTC", "conflicts")
        assert f"entry {entry_id}" in listing and "the edit wins" in listing, listing
    sync_pair.a.ok("--tz", "UTC", "conflicts", "take", entry_id, "deleted")
    sync_pair.settle()
    for device in sync_pair.devices:
        assert entry_id not in notes(device), device.name
        assert device.ok("--tz", "UTC", "conflicts").startswith("No edit lost"), device.name
