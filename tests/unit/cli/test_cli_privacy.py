"""`sec-desktop encryption`, `log --note` with encryption on, and exports that hold notes back."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import keyring
import keyring.core
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import KeyringLocked, PasswordDeleteError

from sec_desktop.privacy.keychain import SecretStore
from sec_desktop.privacy.notes import cipher_from, enable_encryption
from sec_desktop.store import EntryStore
from sec_desktop.store.backup import backup_dir_for, list_backups
from sec_desktop.store.entry import NOTE_ENCRYPTED_FIELD
from sec_desktop.store.notes_crypto import read_marker
from tests.helpers.ids import INCIDENT
from tests.helpers.keyrings import install

MARKER = "MARKER-breach-at-customer-c9d2"


class MemoryKeyring(KeyringBackend):
    priority = -10  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[tuple[str, str], str] = {}
        self.locked = False

    def get_password(self, service: str, username: str) -> str | None:
        if self.locked:
            raise KeyringLocked("Failed to unlock the collection!")
        return self.values.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        if self.locked:
            raise KeyringLocked("Failed to unlock the collection!")
        self.values[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.values.pop((service, username), None) is None:
            raise PasswordDeleteError("no such password")


@pytest.fixture
def memory(monkeypatch: pytest.MonkeyPatch) -> MemoryKeyring:
    return install(monkeypatch, MemoryKeyring())


def grep(data_dir: Path, text: str) -> list[Path]:
    return [p for p in data_dir.rglob("*") if p.is_file() and text.encode() in p.read_bytes()]


def test_first_note_turns_encryption_on_where_a_keychain_exists(
    cli, memory, isolated_dirs, shard_files
) -> None:
    result = cli("log", INCIDENT, "--minutes", "30", "--note", MARKER)
    assert result.code == 0, result.err
    assert "Notes are now encrypted" in result.err
    marker = read_marker(isolated_dirs["data"])
    assert marker is not None
    assert marker.enabled
    assert grep(isolated_dirs["data"], MARKER) == []
    (doc,) = json.loads(shard_files()[0].read_text())["tables"]["entries"].values()
    assert doc["note"] is None
    assert doc[NOTE_ENCRYPTED_FIELD]["kid"] == marker.key_id


def test_without_a_keychain_notes_stay_plain_and_nothing_is_decided(cli, isolated_dirs) -> None:
    result = cli("log", INCIDENT, "--minutes", "30", "--note", MARKER)
    assert result.code == 0
    assert result.err == ""
    assert read_marker(isolated_dirs["data"]) is None
    assert len(grep(isolated_dirs["data"], MARKER)) == 1
    status = cli("encryption", "status")
    assert status.code == 0
    assert "Encryption of notes: undecided" in status.out
    assert "Keychain: none, no-backend" in status.out
    assert "Notes: 0 encrypted, 1 unencrypted, 0 unreadable" in status.out
    assert "No keychain is available, so notes are stored unencrypted." in status.out


def test_encryption_on_then_off_round_trips_notes(cli, log, memory, isolated_dirs) -> None:
    data = isolated_dirs["data"]
    # Notes logged while no keychain was there, then the user turns encryption on.
    keyring.set_keyring(fail.Keyring())
    log(INCIDENT, "--start", "09:00", "--end", "09:30", "--note", f"{MARKER} one")
    keyring.set_keyring(memory)
    on = cli("encryption", "on")
    assert on.code == 0, on.err
    assert (
        on.out
        == "Notes are encrypted: 1 note(s) encrypted in 1 file(s); the key is in the keychain.\n"
    )
    log(INCIDENT, "--start", "10:00", "--end", "10:30", "--note", f"{MARKER} two")
    assert grep(data, MARKER) == []
    status = cli("encryption", "status").out
    assert "Encryption of notes: on (key " in status
    assert "Notes: 2 encrypted, 0 unencrypted, 0 unreadable" in status
    assert "Notes are encrypted; the key is in" in status
    off = cli("encryption", "off")
    assert off.code == 0, off.err
    assert "2 note(s) decrypted" in off.out
    assert len(grep(data, MARKER)) == 1  # the one shard holds both notes in plain text


def test_export_leaves_notes_out_unless_asked(cli, memory) -> None:
    assert cli("log", INCIDENT, "--minutes", "30", "--note", MARKER).code == 0
    plain = cli("export", "--format", "json")
    assert plain.code == 0
    (entry,) = json.loads(plain.out)["entries"]
    assert entry["note"] is None
    assert NOTE_ENCRYPTED_FIELD not in entry
    assert MARKER not in plain.out
    assert plain.err == (
        "1 note left out of the export; add --include-notes to export them in plain text.\n"
    )
    csv_out = cli("export", "--format", "csv")
    assert MARKER not in csv_out.out
    full = cli("export", "--format", "json", "--include-notes")
    assert full.err == ""
    (entry,) = json.loads(full.out)["entries"]
    assert entry["note"] == MARKER
    assert MARKER in cli("export", "--format", "csv", "--include-notes").out


def test_a_locked_keychain_refuses_the_note_and_saves_nothing(
    cli, memory, isolated_dirs, stored
) -> None:
    assert cli("log", INCIDENT, "--start", "09:00", "--end", "09:30", "--note", "first").code == 0
    memory.locked = True
    result = cli("log", INCIDENT, "--start", "10:00", "--end", "10:30", "--note", MARKER)
    assert result.code == 1
    assert result.err.startswith("sec-desktop: nothing was changed: notes in this data folder")
    assert "the keychain is locked" in result.err
    assert len(stored()) == 1
    assert grep(isolated_dirs["data"], MARKER) == []
    # Time without a note still logs; the report still runs and says the notes are locked.
    assert cli("log", INCIDENT, "--start", "10:00", "--end", "10:30").code == 0
    report = cli("report", "--period", "today")
    assert report.code == 0
    assert "can't be opened: the keychain is locked" in report.err


def test_encryption_on_without_a_keychain_exits_1(cli, isolated_dirs) -> None:
    result = cli("encryption", "on")
    assert result.code == 1
    assert "no keychain is available" in result.err
    assert read_marker(isolated_dirs["data"]) is None


def test_flags_that_do_not_fit_the_action_exit_2(cli) -> None:
    assert cli("encryption", "off", "--new-key").code == 2
    assert cli("encryption", "status", "--forget-key").code == 2


def test_off_with_forget_key_removes_it(cli, memory) -> None:
    assert cli("log", INCIDENT, "--minutes", "30", "--note", MARKER).code == 0
    assert memory.values
    result = cli("encryption", "off", "--forget-key")
    assert result.code == 0
    assert "The key was deleted from the keychain." in result.out
    assert memory.values == {}


def test_status_lists_the_keychain_backends_this_build_can_load(cli) -> None:
    # A frozen bundle without keyring's metadata would list none; the installers check this.
    status = cli("encryption", "status").out
    line = next(x for x in status.splitlines() if x.startswith("Keychain backends"))
    assert "SecretService" in line
    assert "macOS" in line
    assert "Windows" in line


def backed_up_plain(backup_dir: Path, text: str) -> list[str]:
    """Backups holding `text` in any file, read decompressed."""
    found = []
    for path in sorted(backup_dir.glob("*.zip")):
        with zipfile.ZipFile(path) as archive:
            if any(text.encode() in archive.read(name) for name in archive.namelist()):
                found.append(path.name)
    return found


def test_backups_from_before_encryption_are_reported_and_encrypted_by_on(
    cli, log, memory, isolated_dirs, device
) -> None:
    data, config = isolated_dirs["data"], isolated_dirs["config"]
    backups = backup_dir_for(config, data)
    keyring.set_keyring(fail.Keyring())
    log(INCIDENT, "--start", "09:00", "--end", "09:30", "--note", f"{MARKER} one")
    log(INCIDENT, "--start", "10:00", "--end", "10:30")
    assert cli("backup", "now").code == 0
    assert cli("backup", "now").code == 0
    keyring.set_keyring(memory)
    # Turned on where the backups are not known (the tray's menu): they keep the plain note.
    enable_encryption(data, device, SecretStore(lock_dir=config))
    assert grep(data, MARKER) == []
    assert len(backed_up_plain(backups, MARKER)) == 2
    status = cli("encryption", "status")
    assert status.code == 0
    assert (
        f"2 backups in {backups} still hold 2 notes in plain text (from before encryption); "
        "`sec-desktop encryption on` encrypts them." in status.out
    )

    on = cli("encryption", "on")
    assert on.code == 0, on.err
    assert "Encrypted 2 notes left in plain text in 2 backups." in on.out
    assert backed_up_plain(backups, MARKER) == []
    assert "in plain text" not in cli("encryption", "status").out
    assert all(b.good for b in list_backups(backups, verify=True))
    # The re-encrypted backup still restores the note.
    (data / "entries" / device / "2026-11.json").unlink()
    assert cli("backup", "restore", "--yes").code == 0
    store = EntryStore(
        data, device, cipher=cipher_from(SecretStore(lock_dir=config).get_notes_key())
    )
    try:
        assert sorted(e.note or "" for e in store.entries()) == ["", f"{MARKER} one"]
    finally:
        store.close()
