"""Issue 17's shared-file scenarios on two devices syncing through two real Syncthing
instances, as the user sees them through the command line: one notes key for both devices
(each with a keychain of its own), and words taught on both devices kept on both.

The passphrase commands (`encryption on --passphrase-file`, `encryption unlock`) come with the
shared-settings work; aliases.json is still one file both devices rewrite.
"""

from __future__ import annotations

from pathlib import Path

import orjson

from tests.e2e.syncthing_pair import SYNC_MARKS, Device, SyncthingPair, at, past_day

pytestmark = SYNC_MARKS

OKR = "strategy.technology-planning.okr-management"
HIRING = "culture.team-development.talent-acquisition"
NOTE_A = "board prep with Dana, numbers not final"
NOTE_B = "offer call with the staff engineer candidate"


def notes_on(device: Device) -> dict[str, str | None]:
    """Entry id -> note, as `device` exports them with their notes."""
    out = device.ok("--tz", "UTC", "export", "--format", "json", "--include-notes")
    return {entry["id"]: entry["note"] for entry in orjson.loads(out)["entries"]}


def plain_text_holders(data_dir: Path, *texts: str) -> list[str]:
    """The files in a data folder that hold any of `texts` as they are (not encrypted)."""
    wanted = [text.encode() for text in texts]
    return [
        str(path.relative_to(data_dir))
        for path in data_dir.rglob("*")
        if path.is_file() and any(text in path.read_bytes() for text in wanted)
    ]


def with_keychains(pair: SyncthingPair, tmp_path: Path) -> Path:
    """A keychain on each device, and a passphrase file; the file's path."""
    for device in pair.devices:
        device.use_keychain()
    passphrase = tmp_path / "passphrase.txt"
    passphrase.write_text("correct horse battery staple\n", encoding="utf-8")
    return passphrase


def test_one_notes_key_serves_both_devices(sync_pair: SyncthingPair, tmp_path: Path) -> None:
    a, b = sync_pair.devices
    passphrase = with_keychains(sync_pair, tmp_path)
    day = past_day(3)
    a.ok("encryption", "on", "--passphrase-file", str(passphrase))
    first = a.log(OKR, at(day, "09:00"), at(day, "10:00"), "--note", NOTE_A)
    sync_pair.settle()

    # B has no key yet: it says so, and a note it can't seal is never written in plain text.
    assert not b.doctor_line("notes encryption").startswith("ok "), "B claims it has the key"
    early = b.cli("--tz", "UTC", "log", HIRING, "--start", at(day, "11:00"), "--minutes", "30",
                  "--note", NOTE_B)  # fmt: skip
    if early.returncode != 0:
        assert "unlock" in early.stderr, f"B's refusal doesn't say how to get the key: {early}"
    sync_pair.settle()
    assert plain_text_holders(b.data_dir, NOTE_A, NOTE_B) == []

    # B joins the folder's key with the passphrase; then its notes are sealed with that key.
    b.ok("encryption", "unlock", "--passphrase-file", str(passphrase))
    second = b.log(HIRING, at(day, "14:00"), at(day, "14:30"), "--note", NOTE_B)
    sync_pair.settle()

    for device in (a, b):
        notes = notes_on(device)
        assert (notes[first], notes[second]) == (NOTE_A, NOTE_B), device.name
        assert plain_text_holders(device.data_dir, NOTE_A, NOTE_B) == [], device.name
        assert device.doctor_line("notes encryption").startswith("ok "), device.name


def test_encryption_turned_off_on_b_is_told_on_a(sync_pair: SyncthingPair, tmp_path: Path) -> None:
    a, b = sync_pair.devices
    passphrase = with_keychains(sync_pair, tmp_path)
    a.ok("encryption", "on", "--passphrase-file", str(passphrase))
    sync_pair.settle()
    b.ok("encryption", "unlock", "--passphrase-file", str(passphrase))
    b.ok("encryption", "off")
    sync_pair.settle()

    # A learns it from the folder, and says which device turned it off.
    status = a.ok("encryption", "status")
    assert " off" in status, f"A: {status}"
    assert b.app_device_id in status, f"A doesn't say which device turned it off: {status}"


def test_aliases_added_on_both_devices_are_both_kept(sync_pair: SyncthingPair) -> None:
    with sync_pair.apart():
        sync_pair.a.ok("alias", "add", "board deck", OKR)
        sync_pair.b.ok("alias", "add", "offer call", HIRING)

    for device in sync_pair.devices:
        listed = device.ok("alias", "list", "--format", "json")
        assert "board deck" in listed and "offer call" in listed, f"{device.name}: {listed}"
        conflicts = [p.name for p in device.data_dir.rglob("*") if ".sync-conflict-" in p.name]
        assert conflicts == [], f"{device.name}: {conflicts}"
