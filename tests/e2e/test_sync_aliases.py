"""Words taught on two devices syncing through two real Syncthing instances: aliases added on
both while they were apart are kept on both, as `alias list` shows them.

aliases.json is one file both devices rewrite (`alias add`, and `log` when it learns the words
a search was typed with), so today the copy that syncs last replaces the other whole.
"""

from __future__ import annotations

from tests.e2e.syncthing_pair import SYNC_MARKS, SyncthingPair
from tests.helpers.ids import OKR, TALENT

pytestmark = SYNC_MARKS


def test_aliases_added_on_both_devices_are_both_kept(sync_pair: SyncthingPair) -> None:
    with sync_pair.apart():
        sync_pair.a.ok("alias", "add", "board deck", OKR)
        sync_pair.b.ok("alias", "add", "offer call", TALENT)

    for device in sync_pair.devices:
        listed = device.ok("alias", "list", "--format", "json")
        assert "board deck" in listed and "offer call" in listed, f"{device.name}: {listed}"
        conflicts = [p.name for p in device.data_dir.rglob("*") if ".sync-conflict-" in p.name]
        assert conflicts == [], f"{device.name}: {conflicts}"
