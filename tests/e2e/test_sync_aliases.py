"""Words taught on two devices syncing through two real Syncthing instances: aliases added on
both while they were apart are kept on both, as `alias list` shows them, with the words `log`
learnt; an aliases.json of an earlier version, synced to both, is moved into records on each
without losing a word or making a conflict copy.

The words are shared records, one per phrase, each device writing only its own file
(`shared/vocabulary/<device>.json`), so no file is changed in two places at once.
"""

from __future__ import annotations

import json

from sec_desktop.framework.vocabulary import ALIASES_FILE, VOCABULARY_KIND
from sec_desktop.store.shared_records import read_records
from tests.e2e.syncthing_pair import SYNC_MARKS, SyncthingPair
from tests.helpers.ids import BOARD, OKR, TALENT

pytestmark = SYNC_MARKS


def test_aliases_added_on_both_devices_are_both_kept(sync_pair: SyncthingPair) -> None:
    legacy = {
        "format": "sec-desktop/aliases",
        "version": 1,
        "aliases": {"quarterly numbers": BOARD},
    }
    (sync_pair.a.data_dir / ALIASES_FILE).write_text(json.dumps(legacy), encoding="utf-8")
    sync_pair.settle()
    assert (sync_pair.b.data_dir / ALIASES_FILE).is_file()

    with sync_pair.apart():
        # A's clock runs an hour slow: its records are still merged by what each device saw.
        sync_pair.a.ok("alias", "add", "board deck", OKR, clock_offset="-1h")
        sync_pair.a.ok("--tz", "UTC", "log", "hiring  sync", "--minutes", "30")
        sync_pair.b.ok("alias", "add", "offer call", TALENT)
        sync_pair.b.ok("alias", "remove", "quarterly numbers")

    for device in sync_pair.devices:
        listed = json.loads(device.ok("alias", "list", "--format", "json"))
        phrases = sorted(a["phrase"] for a in listed)
        assert phrases == ["board deck", "offer call"], f"{device.name}: {listed}"
        learned = read_records(device.data_dir, VOCABULARY_KIND).values()
        assert learned.get("learned/hiring sync") == TALENT, f"{device.name}: {learned}"
        assert not (device.data_dir / ALIASES_FILE).exists()
        kept = sorted(p.name for p in device.data_dir.glob(f"{ALIASES_FILE}.migrated-*"))
        assert len(kept) == 2, f"{device.name}: {kept}"  # each device kept the file aside
        conflicts = [p.name for p in device.data_dir.rglob("*") if ".sync-conflict-" in p.name]
        assert conflicts == [], f"{device.name}: {conflicts}"
