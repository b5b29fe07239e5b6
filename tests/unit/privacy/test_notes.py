"""Turning encryption on and off in one crash-safe pass, the states the app shows, exports."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import keyring
import keyring.core
import pytest

from sec_desktop import APP_ID
from sec_desktop.privacy.keychain import NOTES_KEY_USERNAME, KeyringState, SecretStore, key_id_for
from sec_desktop.privacy.notes import (
    EncryptionMode,
    PrivacyError,
    decrypt_notes,
    disable_encryption,
    enable_encryption,
    encrypt_notes,
    entries_for_export,
    notes_status,
)
from sec_desktop.privacy.state import Offer, assess
from sec_desktop.store import EntryStore
from sec_desktop.store.entry import NOTE_ENCRYPTED_FIELD
from sec_desktop.store.notes_crypto import (
    UNREADABLE_NOTE,
    NoteCipher,
    read_marker,
    write_marker,
)
from sec_desktop.store.store import read_shard_file
from tests.helpers.entries import make_entry, save_entries
from tests.helpers.keyrings import LockedKeyring, MemoryKeyring, install

DEVICE = "laptop-1"
OTHER = "desktop-2"
NOW = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
MARKER = "MARKER-breach-at-acme-51c0"
MONTHS = 12
WAIT_S = 60.0


@pytest.fixture
def memory(monkeypatch: pytest.MonkeyPatch) -> MemoryKeyring:
    return install(monkeypatch, MemoryKeyring())


@pytest.fixture
def data_dir(isolated_dirs: dict[str, Path]) -> Path:
    return isolated_dirs["data"]


def make_cipher(seed: int = 1) -> NoteCipher:
    key = bytes([seed]) * 32
    return NoteCipher(key, key_id_for(key))


def fill(data_dir: Path, device: str = DEVICE, months: int = MONTHS, per_month: int = 3) -> dict:
    """Plain notes over `months` months; returns id -> note (None for entries without one)."""
    batch = [
        make_entry(
            datetime(2026, 1 + month % 12, 1 + i, 9, tzinfo=UTC),
            60,
            "execution",
            device=device,
            note=None if i == 0 else f"{MARKER} {device} {month}-{i} Grüße",
            now=NOW,
        )
        for month in range(months)
        for i in range(per_month)
    ]
    save_entries(data_dir, device, batch, now=NOW)
    return {entry.id: entry.note for entry in batch}


def docs(data_dir: Path, device: str | None = None) -> dict[str, dict]:
    pattern = f"{device}/*.json" if device else "*/*.json"
    return {
        d["id"]: d
        for path in sorted((data_dir / "entries").glob(pattern))
        for d in read_shard_file(path)
    }


def files_containing(data_dir: Path, needle: bytes) -> list[Path]:
    return [p for p in data_dir.rglob("*") if p.is_file() and needle in p.read_bytes()]


def read_notes(data_dir: Path, cipher: NoteCipher | None) -> dict[str, str | None]:
    store = EntryStore(data_dir, "reader-0", cipher=cipher)
    return {e.id: e.note for e in store.entries()}


# Passes ---------------------------------------------------------------------------------


def test_encrypt_pass_seals_every_note_and_changes_nothing_else(data_dir: Path) -> None:
    notes = fill(data_dir)
    before = docs(data_dir)
    assert files_containing(data_dir, MARKER.encode())  # the grep sees plain notes
    cipher = make_cipher()
    result = encrypt_notes(data_dir, DEVICE, cipher, now=NOW)
    assert result.shards_rewritten == MONTHS
    assert result.notes_changed == sum(n is not None for n in notes.values())
    assert result.notes_left == {}
    marker = read_marker(data_dir)
    assert marker is not None
    assert (marker.enabled, marker.key_id) == (True, cipher.key_id)
    assert files_containing(data_dir, MARKER.encode()) == []
    assert files_containing(data_dir, "Grüße".encode()) == []
    after = docs(data_dir)
    for entry_id, doc in after.items():
        rest = {k: v for k, v in doc.items() if k not in ("note", NOTE_ENCRYPTED_FIELD)}
        assert rest == {k: v for k, v in before[entry_id].items() if k != "note"}
        assert doc["note"] is None
    assert read_notes(data_dir, cipher) == notes
    # Idempotent: a second pass finds nothing to do.
    assert encrypt_notes(data_dir, DEVICE, cipher, now=NOW).notes_changed == 0


def test_decrypt_pass_restores_plain_notes(data_dir: Path) -> None:
    notes = fill(data_dir)
    cipher = make_cipher()
    encrypt_notes(data_dir, DEVICE, cipher, now=NOW)
    result = decrypt_notes(data_dir, DEVICE, cipher, now=NOW)
    assert result.notes_changed == sum(n is not None for n in notes.values())
    marker = read_marker(data_dir)
    assert marker is not None
    assert not marker.enabled
    assert all(NOTE_ENCRYPTED_FIELD not in d for d in docs(data_dir).values())
    assert read_notes(data_dir, None) == notes
    assert decrypt_notes(data_dir, DEVICE, cipher, now=NOW).notes_changed == 0


def test_a_pass_rewrites_only_this_devices_files(data_dir: Path) -> None:
    fill(data_dir, DEVICE, months=2)
    fill(data_dir, OTHER, months=2)
    theirs = {p: p.read_bytes() for p in (data_dir / "entries" / OTHER).glob("*.json")}
    cipher = make_cipher()
    encrypt_notes(data_dir, DEVICE, cipher, now=NOW)
    assert {p: p.read_bytes() for p in theirs} == theirs
    status = notes_status(data_dir, cipher, device_id=DEVICE)
    assert status.plaintext_own == 0
    assert status.plaintext == 4  # the other device's, until its app runs the pass
    assert status.encrypted_own == status.encrypted == 4


def test_decrypt_leaves_notes_of_another_key_sealed_and_lists_them(data_dir: Path) -> None:
    notes = fill(data_dir, months=2)
    old, new = make_cipher(1), make_cipher(2)
    encrypt_notes(data_dir, DEVICE, old, now=NOW)
    sealed_before = {i: d[NOTE_ENCRYPTED_FIELD] for i, d in docs(data_dir).items() if d["note"]}
    result = decrypt_notes(data_dir, DEVICE, new, now=NOW)
    assert result.notes_changed == 0
    left_ids = sorted(i for ids in result.notes_left.values() for i in ids)
    assert left_ids == sorted(i for i, n in notes.items() if n is not None)
    after = docs(data_dir)
    assert {i: after[i].get(NOTE_ENCRYPTED_FIELD) for i in sealed_before} == sealed_before


# Kill mid-pass --------------------------------------------------------------------------

KILLABLE_WORKER = r"""
import sys
from pathlib import Path
from sec_desktop.privacy.notes import decrypt_notes, encrypt_notes
from sec_desktop.store.notes_crypto import NoteCipher

data_dir, device, key_hex, key_id, direction, stop_after = sys.argv[1:7]
cipher = NoteCipher(bytes.fromhex(key_hex), key_id)
done = []

def after_shard(path):
    done.append(path)
    print("shard", path.name, flush=True)
    if len(done) == int(stop_after):
        print("waiting", flush=True)
        sys.stdin.readline()  # parked here until the test kills the process

run = encrypt_notes if direction == "encrypt" else decrypt_notes
run(Path(data_dir), device, cipher, after_shard=after_shard)
print("finished", flush=True)
"""


# Parks the pass inside its `stop_after`-th file write: the new file is complete in its temp
# file, not yet moved over the shard.
KILLED_IN_WRITE_WORKER = r"""
import sys
from pathlib import Path
from sec_desktop.privacy.notes import decrypt_notes, encrypt_notes
from sec_desktop.store import atomic
from sec_desktop.store.notes_crypto import NoteCipher

data_dir, device, key_hex, key_id, direction, stop_after = sys.argv[1:7]
cipher = NoteCipher(bytes.fromhex(key_hex), key_id)
replace = atomic._replace_with_retry
writes = []

def parked_replace(src, dst):
    writes.append(dst)
    if len(writes) == int(stop_after):
        print("waiting", flush=True)
        sys.stdin.readline()  # parked here until the test kills the process
    replace(src, dst)

atomic._replace_with_retry = parked_replace
run = encrypt_notes if direction == "encrypt" else decrypt_notes
run(Path(data_dir), device, cipher)
print("finished", flush=True)
"""


def run_pass_until_killed(
    data_dir: Path,
    cipher: NoteCipher,
    key: bytes,
    direction: str,
    stop_after: int,
    *,
    worker: str = KILLABLE_WORKER,
) -> list[str]:
    """Start a pass in a subprocess, SIGKILL it once it has done `stop_after` shards."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            worker,
            str(data_dir),
            DEVICE,
            key.hex(),
            cipher.key_id,
            direction,
            str(stop_after),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line.strip())
            if line.strip() == "waiting":
                break
        assert lines[-1:] == ["waiting"], proc.stderr.read() if proc.stderr else ""
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=WAIT_S)
        assert proc.returncode == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=WAIT_S)
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    return lines


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
@pytest.mark.parametrize("stop_after", [1, MONTHS // 2, MONTHS - 1])
@pytest.mark.parametrize("direction", ["encrypt", "decrypt"])
def test_a_pass_killed_midway_loses_nothing_and_finishes_on_rerun(
    data_dir: Path, direction: str, stop_after: int
) -> None:
    notes = fill(data_dir)
    key = bytes([7]) * 32
    cipher = NoteCipher(key, key_id_for(key))
    if direction == "decrypt":
        encrypt_notes(data_dir, DEVICE, cipher, now=NOW)
    lines = run_pass_until_killed(data_dir, cipher, key, direction, stop_after)
    assert "finished" not in lines
    assert sum(line.startswith("shard") for line in lines) == stop_after

    # Killed in the middle: every file parses, the state is mixed, and every note is there.
    mid = docs(data_dir)
    sealed = sum(NOTE_ENCRYPTED_FIELD in d for d in mid.values())
    plain = sum(isinstance(d.get("note"), str) for d in mid.values())
    assert sealed + plain == sum(n is not None for n in notes.values())
    assert sealed > 0
    assert plain > 0
    assert read_notes(data_dir, cipher) == notes
    marker = read_marker(data_dir)
    assert marker is not None
    assert marker.enabled is (direction == "encrypt")

    # Running the pass again finishes the job.
    run = encrypt_notes if direction == "encrypt" else decrypt_notes
    result = run(data_dir, DEVICE, cipher, now=NOW)
    assert result.shards_rewritten == MONTHS - stop_after
    final = docs(data_dir)
    if direction == "encrypt":
        assert files_containing(data_dir, MARKER.encode()) == []
    else:
        assert all(NOTE_ENCRYPTED_FIELD not in d for d in final.values())
    assert read_notes(data_dir, cipher) == notes
    assert not list((data_dir / "entries" / DEVICE).glob(".*.tmp"))


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_plain_notes_in_the_temp_file_of_a_killed_decryption_do_not_survive_encryption(
    data_dir: Path,
) -> None:
    fill(data_dir)
    key = bytes([7]) * 32
    cipher = NoteCipher(key, key_id_for(key))
    encrypt_notes(data_dir, DEVICE, cipher, now=NOW)
    # The marker's write is the first, so the third write is the second shard's.
    lines = run_pass_until_killed(
        data_dir, cipher, key, "decrypt", 3, worker=KILLED_IN_WRITE_WORKER
    )
    assert "finished" not in lines
    (leftover,) = (data_dir / "entries" / DEVICE).glob(".*.tmp")
    assert MARKER.encode() in leftover.read_bytes()

    encrypt_notes(data_dir, DEVICE, cipher, now=NOW)
    assert files_containing(data_dir, MARKER.encode()) == []


# With the keychain ----------------------------------------------------------------------


def test_enable_with_the_keychain_keeps_the_key_out_of_the_data_folder(
    data_dir: Path, memory: MemoryKeyring
) -> None:
    notes = fill(data_dir, months=2)
    result = enable_encryption(data_dir, DEVICE, SecretStore(), now=NOW)
    assert result.notes_changed == 4
    stored_value = memory.values[(APP_ID, NOTES_KEY_USERNAME)]
    key_b64 = stored_value.rsplit(":", 1)[1]
    key = SecretStore().get_notes_key()
    assert key is not None
    assert files_containing(data_dir, key_b64.encode()) == []
    assert files_containing(data_dir, key.key) == []
    assert files_containing(data_dir, key.key.hex().encode()) == []
    marker = read_marker(data_dir)
    assert marker is not None
    assert marker.key_id == key.key_id
    assert read_notes(data_dir, NoteCipher(key.key, key.key_id)) == notes


def test_enable_without_a_keychain_changes_nothing(data_dir: Path) -> None:
    fill(data_dir, months=1)
    before = docs(data_dir)
    with pytest.raises(PrivacyError, match="no keychain is available"):
        enable_encryption(data_dir, DEVICE, SecretStore(), now=NOW)
    assert read_marker(data_dir) is None
    assert docs(data_dir) == before


def test_enable_over_a_lost_key_needs_new_key(data_dir: Path, memory: MemoryKeyring) -> None:
    fill(data_dir, months=2)
    old = make_cipher(9)
    encrypt_notes(data_dir, DEVICE, old, now=NOW)
    with pytest.raises(PrivacyError, match="--new-key"):
        enable_encryption(data_dir, DEVICE, SecretStore(), now=NOW)
    marker = read_marker(data_dir)
    assert marker is not None
    assert marker.key_id == old.key_id
    result = enable_encryption(data_dir, DEVICE, SecretStore(), new_key=True, now=NOW)
    assert result.left_count == 0  # the pass seals plain notes only; sealed ones stay
    new_key = SecretStore().get_notes_key()
    assert new_key is not None
    marker = read_marker(data_dir)
    assert marker is not None
    assert marker.key_id == new_key.key_id != old.key_id
    # New notes use the new key; the old notes are still there, sealed, for the old key.
    store = EntryStore(
        data_dir, DEVICE, clock=lambda: NOW, cipher=NoteCipher(new_key.key, new_key.key_id)
    )
    fresh = store.add(
        make_entry(
            end=NOW,
            minutes=60,
            activity="culture",
            tz="UTC",
            device=DEVICE,
            note="after the new key",
        )
    )
    assert store.get(fresh.id).note == "after the new key"  # type: ignore[union-attr]
    old_notes = read_notes(data_dir, old)
    assert sum(n is not None and n.startswith(MARKER) for n in old_notes.values()) == 4


def test_disable_with_a_locked_keychain_refuses(data_dir: Path, monkeypatch) -> None:
    fill(data_dir, months=1)
    encrypt_notes(data_dir, DEVICE, make_cipher(), now=NOW)
    before = docs(data_dir)
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    keyring.set_keyring(LockedKeyring())
    with pytest.raises(PrivacyError, match="locked"):
        disable_encryption(data_dir, DEVICE, SecretStore(), now=NOW)
    assert docs(data_dir) == before
    marker = read_marker(data_dir)
    assert marker is not None
    assert marker.enabled


def test_disable_and_forget_the_key(data_dir: Path, memory: MemoryKeyring) -> None:
    notes = fill(data_dir, months=2)
    enable_encryption(data_dir, DEVICE, SecretStore(), now=NOW)
    result = disable_encryption(data_dir, DEVICE, SecretStore(), forget_key=True, now=NOW)
    assert result.key_deleted
    assert memory.values == {}
    assert read_notes(data_dir, None) == notes


def test_forget_key_keeps_a_key_other_devices_notes_still_need(
    data_dir: Path, memory: MemoryKeyring
) -> None:
    fill(data_dir, months=1)
    fill(data_dir, OTHER, months=1)
    enable_encryption(data_dir, DEVICE, SecretStore(), now=NOW)
    key = SecretStore().get_notes_key()
    assert key is not None
    encrypt_notes(data_dir, OTHER, NoteCipher(key.key, key.key_id), now=NOW)
    result = disable_encryption(data_dir, DEVICE, SecretStore(), forget_key=True, now=NOW)
    assert not result.key_deleted
    assert SecretStore().get_notes_key() == key


# What the app is told -------------------------------------------------------------------


def test_default_turns_encryption_on_for_a_fresh_folder(data_dir: Path, memory) -> None:
    state = assess(data_dir, DEVICE, SecretStore(), now=NOW)
    assert state.mode is EncryptionMode.ON
    assert state.cipher is not None
    assert state.done == ("Encryption of notes was turned on.",)
    assert state.message.startswith("Notes are encrypted")
    assert not state.warning
    assert state.offer is None


def test_default_offers_rather_than_rewrites_existing_plain_notes(data_dir: Path, memory) -> None:
    fill(data_dir, months=1)
    before = docs(data_dir)
    state = assess(data_dir, DEVICE, SecretStore(), now=NOW)
    assert state.mode is EncryptionMode.UNDECIDED
    assert state.offer is Offer.ENABLE_ENCRYPTION
    assert "stored unencrypted" in state.message
    assert read_marker(data_dir) is None
    assert docs(data_dir) == before


def test_no_backend_keeps_working_and_says_notes_are_unencrypted(data_dir: Path) -> None:
    fill(data_dir, months=1)
    state = assess(data_dir, DEVICE, SecretStore(), now=NOW)
    assert state.keyring.state is KeyringState.NO_BACKEND
    assert state.mode is EncryptionMode.UNDECIDED
    assert state.cipher is None
    assert state.warning
    assert state.message.startswith("No keychain is available")
    assert "unencrypted" in state.message
    assert read_marker(data_dir) is None
    assert not any(p.name.startswith("notes-key") for p in data_dir.rglob("*"))


def test_a_locked_keychain_is_reported_with_retry(data_dir: Path, monkeypatch) -> None:
    fill(data_dir, months=1)
    encrypt_notes(data_dir, DEVICE, make_cipher(), now=NOW)
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    keyring.set_keyring(LockedKeyring())
    state = assess(data_dir, DEVICE, SecretStore(), now=NOW)
    assert state.keyring.state is KeyringState.LOCKED
    assert state.message.startswith("The keychain is locked")
    assert state.offer is Offer.RETRY
    assert state.cipher is None


def test_a_wiped_keychain_is_detected_and_names_the_notes(data_dir: Path, memory) -> None:
    notes = fill(data_dir, months=2)
    enable_encryption(data_dir, DEVICE, SecretStore(), now=NOW)
    files_before = {p: p.read_bytes() for p in (data_dir / "entries").rglob("*.json")}
    memory.values.clear()  # the keychain was wiped
    state = assess(data_dir, DEVICE, SecretStore(), now=NOW)
    assert state.mode is EncryptionMode.ON
    assert state.offer is Offer.NEW_KEY
    assert "missing" in state.message
    assert "4 notes can't be read" in state.message
    assert "(kept as they are)" in state.message
    assert state.notes.unreadable_ids() == sorted(i for i, n in notes.items() if n)
    assert {p: p.read_bytes() for p in files_before} == files_before
    # The store keeps working: entries show, their notes flagged unreadable.
    assert state.cipher is None
    store = EntryStore(data_dir, DEVICE, cipher=state.key_source)
    shown = store.entries()
    assert len(shown) == len(notes)
    assert sum(e.note_unreadable for e in shown) == 4
    assert all(e.note == UNREADABLE_NOTE for e in shown if e.note_unreadable)
    # ... and the store names them, with the reason.
    named = " ".join(p.message() for p in store.problems)
    assert all(i in named for i in state.notes.unreadable_ids())
    assert "the keychain holds no notes key" in named


def test_assess_finishes_an_interrupted_pass(data_dir: Path, memory) -> None:
    notes = fill(data_dir, months=2)
    key = SecretStore().get_or_create_notes_key()
    cipher = NoteCipher(key.key, key.key_id)
    # As after a kill right after the marker was written: on, but every note still plain.
    write_marker(data_dir, enabled=True, key_id=key.key_id, device=DEVICE, now=NOW)
    state = assess(data_dir, DEVICE, SecretStore(), now=NOW)
    assert state.done == ("Finished encrypting 4 notes.",)
    assert files_containing(data_dir, MARKER.encode()) == []
    assert read_notes(data_dir, cipher) == notes


def test_user_choice_off_is_respected(data_dir: Path, memory) -> None:
    write_marker(data_dir, enabled=False, key_id=None, device=DEVICE, now=NOW)
    state = assess(data_dir, DEVICE, SecretStore(), now=NOW)
    assert state.mode is EncryptionMode.OFF
    assert state.offer is None
    assert not state.warning
    assert memory.values == {}


# Exports ----------------------------------------------------------------------------------


def test_export_leaves_notes_out_unless_asked(data_dir: Path) -> None:
    cipher = make_cipher()
    fill(data_dir, months=1)
    encrypt_notes(data_dir, DEVICE, cipher, now=NOW)
    entries = EntryStore(data_dir, DEVICE, cipher=cipher).entries()
    out, notes = entries_for_export(entries, include_notes=False)
    assert all(e.note is None and not e.note_unreadable for e in out)
    assert all(NOTE_ENCRYPTED_FIELD not in e.to_json() for e in out)
    assert notes.message() == (
        "2 notes left out of the export; add --include-notes to export them in plain text."
    )
    out, notes = entries_for_export(entries, include_notes=True)
    assert sum(bool(e.note and e.note.startswith(MARKER)) for e in out) == 2
    assert notes.message() is None


@pytest.mark.skipif(os.name != "posix", reason="symbolic links")
@pytest.mark.parametrize("run", [encrypt_notes, decrypt_notes])
def test_a_pass_refuses_a_symlinked_device_folder(data_dir: Path, tmp_path: Path, run) -> None:
    fill(tmp_path / "real")
    (data_dir / "entries").mkdir(parents=True)
    (data_dir / "entries" / DEVICE).symlink_to(tmp_path / "real" / "entries" / DEVICE)
    before = {p: p.read_bytes() for p in (tmp_path / "real").rglob("*.json")}
    with pytest.raises(PrivacyError, match=f"entries/{DEVICE} is a symbolic link"):
        run(data_dir, DEVICE, make_cipher(), now=NOW)
    assert {p: p.read_bytes() for p in (tmp_path / "real").rglob("*.json")} == before
    assert read_marker(data_dir) is None
